/* config.c - the config and credentials files as botocore sees them
 * (see config.h). The two files are parsed by ini.c; this file maps config
 * sections to profile names (configloader.build_profile_map), merges in the
 * credentials file (session.full_config) and expands paths. */
#include "config.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A profile (or sso-session) name and the config section that defines it:
 * the last such section wins, but the name keeps the place of the first,
 * as re-assigning a Python dict key does. */
struct named {
    char *name;
    size_t sect, first;
};

struct config {
    struct ini *conf, *cred;
    struct named *prof, *sso; /* sorted by name, unique */
    size_t nprof, nsso;
};

#define fail iam_errc

/* ---- shlex.split, as build_profile_map applies it to section names ---- */

enum { SH_SPACE, SH_WORD, SH_SQUOTE, SH_DQUOTE, SH_ESCAPE };

struct shlex {
    int state, esc_from, quoted;
    size_t nwords;
    struct buf word;
    char *second;
};

static int sh_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Ends the current word; only the second one is kept. */
static int sh_emit(struct shlex *sh)
{
    sh->nwords++;
    if(sh->nwords == 2) {
        sh->second = buf_detach(&sh->word);
        if(!sh->second)
            return IAM_ENOMEM;
    }
    buf_reset(&sh->word);
    sh->quoted = 0;
    return IAM_OK;
}

/* Inside '...' or "...": only "..." knows backslash escapes. */
static int sh_quoted(struct shlex *sh, int c)
{
    sh->quoted = 1;
    if(c < 0)
        return IAM_EPARSE; /* shlex: "No closing quotation" */
    if(c == (sh->state == SH_SQUOTE ? '\'' : '"')) {
        sh->state = SH_WORD;
        return IAM_OK;
    }
    if(c == '\\' && sh->state == SH_DQUOTE) {
        sh->esc_from = SH_DQUOTE;
        sh->state = SH_ESCAPE;
        return IAM_OK;
    }
    return buf_addc(&sh->word, (char)c);
}

/* After a backslash; inside "...", only \" and \\ drop the backslash. */
static int sh_escaped(struct shlex *sh, int c)
{
    if(c < 0)
        return IAM_EPARSE; /* shlex: "No escaped character" */
    sh->state = sh->esc_from;
    if(sh->esc_from == SH_DQUOTE && c != '\\' && c != '"' &&
       buf_addc(&sh->word, '\\'))
        return IAM_ENOMEM;
    return buf_addc(&sh->word, (char)c);
}

/* Between words or inside an unquoted one. */
static int sh_plain(struct shlex *sh, int c)
{
    if(c < 0 || sh_is_space((char)c)) {
        int pending = sh->state == SH_WORD && (sh->word.len || sh->quoted);
        sh->state = SH_SPACE;
        return pending ? sh_emit(sh) : IAM_OK;
    }
    if(c == '\'' || c == '"') {
        sh->state = c == '\'' ? SH_SQUOTE : SH_DQUOTE;
    } else if(c == '\\') {
        sh->esc_from = SH_WORD;
        sh->state = SH_ESCAPE;
    } else {
        sh->state = SH_WORD;
        return buf_addc(&sh->word, (char)c);
    }
    return IAM_OK;
}

/* One character (c < 0 is the end) through Python's posix shlex with
 * whitespace_split and no comments. IAM_EPARSE is where shlex raises
 * ValueError, which build_profile_map treats as "not a profile". */
static int sh_step(struct shlex *sh, int c)
{
    if(sh->state == SH_SQUOTE || sh->state == SH_DQUOTE)
        return sh_quoted(sh, c);
    if(sh->state == SH_ESCAPE)
        return sh_escaped(sh, c);
    return sh_plain(sh, c);
}

/* Returns 1 and the second word in *second when s splits into exactly two
 * words, 0 when not (or when shlex would raise), IAM_ENOMEM as -1. */
static int split_two(const char *s, char **second)
{
    struct shlex sh;
    size_t i, n = strlen(s);
    int rc = IAM_OK;
    memset(&sh, 0, sizeof(sh));
    buf_init(&sh.word, n + 1);
    for(i = 0; i <= n && !rc && sh.nwords < 3; i++)
        rc = sh_step(&sh, i < n ? (unsigned char)s[i] : -1);
    buf_free(&sh.word);
    if(rc == IAM_OK && sh.nwords == 2) {
        *second = sh.second;
        return 1;
    }
    free(sh.second);
    return rc == IAM_ENOMEM ? -1 : 0;
}

/* ---- the profile map ---- */

static int cmp_named(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->sect > y->sect) - (x->sect < y->sect);
}

static int cmp_first(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* Sorts by name and folds duplicates into one entry: the last section,
 * the first position. */
static void fold(struct named *v, size_t *n)
{
    size_t i, o = 0;
    if(*n > 1)
        qsort(v, *n, sizeof(*v), cmp_named);
    for(i = 0; i < *n; i++) {
        if(o && !strcmp(v[o - 1].name, v[i].name)) {
            v[o - 1].sect = v[i].sect; /* sorted by sect: later wins */
            free(v[i].name);
            continue;
        }
        v[o++] = v[i];
    }
    *n = o;
}

/* The profile or sso-session name a config section defines, if any:
 * build_profile_map's startswith("profile") + shlex + len == 2 rule. */
static int section_role(const char *sect, char **name, int *is_sso)
{
    *name = NULL;
    *is_sso = 0;
    if(!strncmp(sect, "profile", 7))
        return split_two(sect, name);
    if(!strncmp(sect, "sso-session", 11)) {
        *is_sso = 1;
        return split_two(sect, name);
    }
    if(strcmp(sect, "default"))
        return 0;
    *name = strdup("default");
    return *name ? 1 : -1;
}

static int build_maps(struct config *cfg)
{
    size_t i, n = ini_nsections(cfg->conf);
    struct named *slot;
    char *name;
    int is_sso, r;
    cfg->prof = calloc(n ? n : 1, sizeof(*cfg->prof));
    cfg->sso = calloc(n ? n : 1, sizeof(*cfg->sso));
    if(!cfg->prof || !cfg->sso)
        return IAM_ENOMEM;
    for(i = 0; i < n; i++) {
        r = section_role(ini_section_name(cfg->conf, i), &name, &is_sso);
        if(r < 0)
            return IAM_ENOMEM;
        if(!r)
            continue;
        slot = is_sso ? &cfg->sso[cfg->nsso++] : &cfg->prof[cfg->nprof++];
        slot->name = name;
        slot->sect = slot->first = i;
    }
    fold(cfg->prof, &cfg->nprof);
    fold(cfg->sso, &cfg->nsso);
    return IAM_OK;
}

static const struct named *find_named(const struct named *v, size_t n,
                                      const char *name)
{
    size_t lo = 0, hi = n, mid;
    int c;
    if(!name)
        return NULL;
    while(lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = strcmp(v[mid].name, name);
        if(!c)
            return &v[mid];
        if(c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The config file section that defines profile, or NULL. */
static const char *profile_section(const struct config *cfg,
                                   const char *profile)
{
    const struct named *p = find_named(cfg->prof, cfg->nprof, profile);
    return p ? ini_section_name(cfg->conf, p->sect) : NULL;
}

/* ---- paths ---- */

static int is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* Length of a "$name" or "${name}" reference at p (0 if none) and the
 * name's bounds, as posixpath's _varprog (re.ASCII \w) finds them. */
static size_t var_ref(const char *p, const char **name, size_t *nlen)
{
    const char *q;
    if(p[0] != '$')
        return 0;
    if(p[1] == '{') {
        q = strchr(p + 2, '}');
        if(!q)
            return 0;
        *name = p + 2;
        *nlen = (size_t)(q - p - 2);
        return (size_t)(q - p + 1);
    }
    for(q = p + 1; is_word(*q); q++)
        ;
    *name = p + 1;
    *nlen = (size_t)(q - p - 1);
    return *nlen ? (size_t)(q - p) : 0;
}

/* os.path.expandvars: known variables replaced, unknown ones kept. */
static int expand_vars(const char *s, struct buf *out)
{
    const char *name, *val;
    char vname[256];
    size_t ref, nlen;
    int rc = IAM_OK;
    while(*s && !rc) {
        ref = var_ref(s, &name, &nlen);
        val = NULL;
        if(ref && nlen < sizeof(vname)) {
            memcpy(vname, name, nlen);
            vname[nlen] = '\0';
            val = getenv(vname);
        }
        if(val) {
            rc = buf_adds(out, val);
            s += ref;
        } else {
            rc = buf_add(out, s, ref ? ref : 1);
            s += ref ? ref : 1;
        }
    }
    return rc;
}

/* The home directory for "~" or "~user" (NULL when unknown, in which case
 * Python leaves the path alone). */
static const char *home_of(const char *user, size_t ulen)
{
    char name[256];
    struct passwd *pw;
    if(!ulen) {
        if(getenv("HOME"))
            return getenv("HOME");
        pw = getpwuid(getuid());
        return pw ? pw->pw_dir : NULL;
    }
    if(ulen >= sizeof(name))
        return NULL;
    memcpy(name, user, ulen);
    name[ulen] = '\0';
    pw = getpwnam(name);
    return pw ? pw->pw_dir : NULL;
}

/* os.path.expanduser on s, appended to out. */
static int expand_user(const char *s, struct buf *out)
{
    const char *slash, *home;
    size_t i, hlen;
    if(s[0] != '~')
        return buf_adds(out, s);
    slash = strchr(s + 1, '/');
    i = slash ? (size_t)(slash - s) : strlen(s);
    home = home_of(s + 1, i - 1);
    if(!home)
        return buf_adds(out, s);
    hlen = strlen(home);
    while(hlen && home[hlen - 1] == '/')
        hlen--;
    if(!hlen && !s[i])
        return buf_addc(out, '/');
    if(buf_add(out, home, hlen))
        return IAM_ENOMEM;
    return buf_adds(out, s + i);
}

int config_expand_path(const char *path, char **out)
{
    struct buf vars, full;
    int rc;
    *out = NULL;
    buf_init(&vars, (size_t)1 << 20);
    buf_init(&full, (size_t)1 << 20);
    rc = expand_vars(path, &vars);
    if(!rc)
        rc = expand_user(vars.data ? vars.data : "", &full);
    if(!rc)
        *out = buf_detach(&full);
    buf_free(&vars);
    buf_free(&full);
    return rc ? rc : (*out ? IAM_OK : IAM_ENOMEM);
}

int config_expand_user(const char *path, char **out)
{
    struct buf b;
    buf_init(&b, (size_t)1 << 20);
    *out = NULL;
    if(expand_user(path, &b)) {
        buf_free(&b);
        return IAM_ENOMEM;
    }
    *out = buf_detach(&b);
    return *out ? IAM_OK : IAM_ENOMEM;
}

/* ---- loading ---- */

int config_read_ini(const char *path, struct ini **out, char **expanded_out,
                    struct iam_err *err)
{
    struct iam_err local;
    char *full;
    int rc;
    *out = NULL;
    if(expanded_out)
        *expanded_out = NULL;
    if(config_expand_path(path, &full))
        return fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    iam_err_clear(&local);
    rc = ini_load(full, out, &local);
    /* botocore: not a file is ConfigNotFound, unreadable is skipped by
     * configparser.read; both leave the file empty. */
    if(rc == IAM_ENOTFOUND || rc == IAM_EIO) {
        iam_err_clear(&local);
        rc = ini_empty(out, &local);
    }
    if(rc && err && err->st == IAM_OK)
        *err = local;
    if(!rc && expanded_out)
        *expanded_out = full;
    else
        free(full);
    return rc;
}

int config_load_files(const char *config_path, const char *cred_path,
                      struct config **out, struct iam_err *err)
{
    struct config *cfg = calloc(1, sizeof(*cfg));
    int rc;
    *out = NULL;
    if(!cfg)
        return fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    rc = config_read_ini(config_path, &cfg->conf, NULL, err);
    if(!rc)
        rc = config_read_ini(cred_path, &cfg->cred, NULL, err);
    if(!rc && build_maps(cfg))
        rc = fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    if(rc) {
        config_free(cfg);
        return rc;
    }
    *out = cfg;
    return IAM_OK;
}

int config_load(struct config **out, struct iam_err *err)
{
    const char *conf = getenv("AWS_CONFIG_FILE");
    const char *cred = getenv("AWS_SHARED_CREDENTIALS_FILE");
    return config_load_files(conf ? conf : "~/.aws/config",
                             cred ? cred : "~/.aws/credentials", out, err);
}

static void free_named(struct named *v, size_t n)
{
    size_t i;
    for(i = 0; v && i < n; i++)
        free(v[i].name);
    free(v);
}

void config_free(struct config *cfg)
{
    if(!cfg)
        return;
    ini_free(cfg->conf);
    ini_free(cfg->cred);
    free_named(cfg->prof, cfg->nprof);
    free_named(cfg->sso, cfg->nsso);
    free(cfg);
}

/* ---- lookups ---- */

static const char *or_default(const char *profile)
{
    return profile ? profile : "default";
}

const char *config_file_get(const struct config *cfg, const char *profile,
                            const char *key)
{
    const char *sect = profile_section(cfg, or_default(profile));
    return sect ? ini_get(cfg->conf, sect, key) : NULL;
}

int config_file_has(const struct config *cfg, const char *profile,
                    const char *key)
{
    const char *sect = profile_section(cfg, or_default(profile));
    return sect ? ini_has_key(cfg->conf, sect, key) : 0;
}

const char *config_cred_get(const struct config *cfg, const char *profile,
                            const char *key)
{
    return ini_get(cfg->cred, or_default(profile), key);
}

int config_cred_has(const struct config *cfg, const char *profile,
                    const char *key)
{
    return ini_has_key(cfg->cred, or_default(profile), key);
}

/* full_config does profiles[name].update(credentials[name]): a key the
 * credentials file has, in any form, hides the config file's. */
const char *config_get(const struct config *cfg, const char *profile,
                       const char *key)
{
    if(config_cred_has(cfg, profile, key))
        return config_cred_get(cfg, profile, key);
    return config_file_get(cfg, profile, key);
}

int config_has(const struct config *cfg, const char *profile, const char *key)
{
    return config_cred_has(cfg, profile, key) ||
           config_file_has(cfg, profile, key);
}

const char *config_get_sub(const struct config *cfg, const char *profile,
                           const char *key, const char *subkey)
{
    const char *name = or_default(profile), *sect;
    if(config_cred_has(cfg, profile, key))
        return ini_get_sub(cfg->cred, name, key, subkey);
    sect = profile_section(cfg, name);
    return sect ? ini_get_sub(cfg->conf, sect, key, subkey) : NULL;
}

const char *config_sso_session_get(const struct config *cfg, const char *name,
                                   const char *key)
{
    const struct named *s = find_named(cfg->sso, cfg->nsso, name);
    return s ? ini_get(cfg->conf, ini_section_name(cfg->conf, s->sect), key)
             : NULL;
}

int config_profile_exists(const struct config *cfg, const char *profile)
{
    if(!profile)
        return 0;
    return find_named(cfg->prof, cfg->nprof, profile) != NULL ||
           ini_has_section(cfg->cred, profile);
}

int config_check_profile(const struct config *cfg, const char *profile,
                         struct iam_err *err)
{
    if(!profile || config_profile_exists(cfg, profile))
        return IAM_OK;
    fail(err, IAM_ENOTFOUND, "ProfileNotFound",
         "The config profile (%s) could not be found", profile);
    iam_err_kind(err, IAM_KIND_CONFIG);
    return IAM_ENOTFOUND;
}

size_t config_profiles(const struct config *cfg, const char ***names_out)
{
    size_t i, n = 0, ncred = ini_nsections(cfg->cred);
    struct named *order;
    const char **names;
    const char *s;
    *names_out = NULL;
    if(!cfg->nprof && !ncred)
        return 0;
    order = malloc((cfg->nprof ? cfg->nprof : 1) * sizeof(*order));
    names = malloc((cfg->nprof + ncred) * sizeof(*names));
    if(!order || !names) {
        free(order);
        free(names);
        return 0;
    }
    memcpy(order, cfg->prof, cfg->nprof * sizeof(*order));
    if(cfg->nprof > 1)
        qsort(order, cfg->nprof, sizeof(*order), cmp_first);
    for(i = 0; i < cfg->nprof; i++)
        names[n++] = order[i].name;
    free(order);
    for(i = 0; i < ncred; i++) {
        s = ini_section_name(cfg->cred, i);
        if(!find_named(cfg->prof, cfg->nprof, s))
            names[n++] = s;
    }
    *names_out = names;
    return n;
}

const char *config_profile_name(const char *cli_profile, int *explicit_out)
{
    const char *p;
    if(explicit_out)
        *explicit_out = 0;
    if(cli_profile && *cli_profile) {
        if(explicit_out)
            *explicit_out = 1;
        return cli_profile;
    }
    p = getenv("AWS_PROFILE");
    return p ? p : getenv("AWS_DEFAULT_PROFILE");
}

const char *config_setting(const struct config *cfg, const char *profile,
                           const char *envvar, const char *key)
{
    const char *v = envvar ? getenv(envvar) : NULL;
    return v ? v : config_get(cfg, profile, key);
}

const struct ini *config_file_ini(const struct config *cfg)
{
    return cfg->conf;
}

const struct ini *config_cred_ini(const struct config *cfg)
{
    return cfg->cred;
}
