/* creds_role.c - assume-role and web-identity profiles, as botocore's
 * AssumeRoleProvider and AssumeRoleWithWebIdentityProvider.
 *
 * A role profile names where its source credentials come from: another
 * profile (source_profile, possibly itself a role: chained roles) or a
 * provider by canonical name (credential_source). The walk records the
 * profiles it visits and stops on a loop with botocore's
 * InfiniteLoopConfigError. Assumed credentials go through the CLI's JSON
 * cache (cache.h) in both directions.
 */
#include "cache.h"
#include "creds_int.h"
#include "sts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROLE "assume-role"

static const char *get(const struct chain *ch, const char *profile,
                       const char *key)
{
    return config_get(ch->cfg, profile, key);
}

static int has_static(const struct chain *ch, const char *profile)
{
    return config_has(ch->cfg, profile, "aws_secret_access_key") ||
           config_has(ch->cfg, profile, "aws_access_key_id");
}

static int has_role(const struct chain *ch, const char *profile)
{
    return config_has(ch->cfg, profile, "role_arn") &&
           !config_has(ch->cfg, profile, "web_identity_token_file");
}

static int invalid(struct iam_err *err, const char *code, const char *fmt,
                   const char *a, const char *b)
{
    return creds_fail(err, IAM_ECREDS, code, fmt, a, b);
}

/* Python's repr of the visited list: ['a', 'b']. */
static int loop_error(const struct chain *ch, const char *source,
                      struct iam_err *err)
{
    char list[512];
    size_t i, n = 0;
    list[n++] = '[';
    for(i = 0; i < *ch->nvisited && n < sizeof(list) - 2; i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s'%s'",
                              i ? ", " : "", ch->visited[i]);
    if(n > sizeof(list) - 2)
        n = sizeof(list) - 2;
    list[n++] = ']';
    list[n] = '\0';
    return invalid(err, "InfiniteLoopConfigError",
                   "Infinite loop in credential configuration detected. "
                   "Attempting to load from profile %s which has already "
                   "been visited. Visited profiles: %s",
                   source, list);
}

static int visited(const struct chain *ch, const char *name)
{
    size_t i;
    for(i = 0; i < *ch->nvisited; i++)
        if(strcmp(ch->visited[i], name) == 0)
            return 1;
    return 0;
}

/* CanonicalNameCredentialSourcer: the name must match exactly to be
 * "supported", as is_supported compares case-sensitively. */
static creds_load_fn sourcer(const char *name)
{
    if(strcmp(name, "Environment") == 0)
        return creds_load_env;
    if(strcmp(name, "Ec2InstanceMetadata") == 0)
        return creds_load_imds;
    if(strcmp(name, "EcsContainer") == 0)
        return creds_load_container;
    return NULL;
}

/* _get_role_config's checks. */
static int validate(const struct chain *ch, const char *profile,
                    const char *src_profile, const char *src_name,
                    struct iam_err *err)
{
    if(src_name && src_profile)
        return invalid(err, "InvalidConfigError",
                       "The profile \"%s\" contains both source_profile "
                       "and credential_source.%s",
                       profile, "");
    if(!src_name && !src_profile)
        return creds_fail(err, IAM_ECREDS, "PartialCredentialsError",
                          "Partial credentials found in assume-role, "
                          "missing: source_profile or credential_source");
    if(src_name)
        return sourcer(src_name)
                   ? IAM_OK
                   : invalid(err, "InvalidConfigError",
                             "The credential source \"%s\" referenced in "
                             "profile \"%s\" is not valid.",
                             src_name, profile);
    if(!config_profile_exists(ch->cfg, src_profile))
        return invalid(err, "InvalidConfigError",
                       "The source_profile \"%s\" referenced in the profile "
                       "\"%s\" does not exist.",
                       src_profile, profile);
    if(!visited(ch, src_profile))
        return IAM_OK;
    if(strcmp(src_profile, profile) != 0 || !has_static(ch, src_profile))
        return loop_error(ch, src_profile, err);
    return IAM_OK;
}

static int via_role(const struct chain *ch, const char *profile,
                    struct creds *out, int *found, struct iam_err *err);

static int source_creds(const struct chain *ch, const char *profile,
                        const char *src_profile, const char *src_name,
                        struct creds *src, struct iam_err *err)
{
    struct chain sub = *ch;
    int f = 0, rc;
    if(src_name) {
        rc = sourcer(src_name)(ch, src, &f, err);
        if(!rc && !f)
            rc = creds_retrieval(err, src_name,
                                 "No credentials found in credential_source "
                                 "referenced in profile %s",
                                 profile);
        if(!rc) {
            src->provider_ = creds_provider_of(sourcer(src_name));
            rc = creds_first_use(ch, src, err);
        }
        return rc;
    }
    if(*ch->nvisited >= CREDS_MAX_VISITED)
        return loop_error(ch, src_profile, err);
    ch->visited[(*ch->nvisited)++] = src_profile;
    sub.name = src_profile;
    sub.explicit = 1; /* disable_env_vars=True */
    if(!has_static(ch, src_profile) && has_role(ch, src_profile))
        return via_role(&sub, src_profile, src, &f, err);
    rc = creds_profile_chain(&sub, src, &f, err);
    if(!rc && !f)
        rc = invalid(err, "InvalidConfigError",
                     "The source profile \"%s\" must have credentials.%s",
                     src_profile, "");
    if(!rc)
        rc = creds_first_use(&sub, src, err);
    return rc;
}

/* int(duration_seconds), silently ignored when Python's int() refuses. */
static int read_duration(const char *s, long *out)
{
    char *end;
    if(!s)
        return 0;
    while(*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    errno = 0;
    *out = strtol(s, &end, 10);
    if(end == s || errno)
        return 0;
    while(*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    return *end == '\0';
}

/* Fills out from a cache entry. */
static int from_entry(const struct cache_entry *e, struct creds *out,
                      int *found, struct iam_err *err)
{
    int rc = creds_set(out, e->id, e->secret, e->token, found, err);
    if(!rc)
        out->expiry = e->expiry;
    return rc;
}

static int ask_mfa(const struct chain *ch, const char *serial, char *code,
                   size_t n, struct iam_err *err)
{
    char prompt[600];
    snprintf(prompt, sizeof(prompt), "Enter MFA code for %s: ", serial);
    if(!ch->ctx->prompt)
        return creds_fail(err, IAM_ECREDS, "EOFError", "%s", prompt);
    return ch->ctx->prompt(ch->ctx->prompt_ud, prompt, code, n, err);
}

/* Cache, else AssumeRole (with the MFA code) and write the cache. */
static int assume(const struct chain *ch, const char *profile,
                  struct sts_call *c, struct creds *out, int *found,
                  struct iam_err *err)
{
    struct cache_args a = {0};
    struct cache_entry e;
    char key[41], code[128] = "", session[64];
    int rc;
    a.role_arn = c->role_arn;
    a.session_name = c->session_name;
    a.external_id = c->external_id;
    a.serial = c->serial;
    a.duration = c->duration;
    a.has_duration = c->has_duration;
    if(cache_key_role(&a, key))
        return creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    if(cache_get(key, (long long)time(NULL), &e)) {
        creds_trace(ch->ctx, "Credentials for role retrieved from cache.");
        rc = from_entry(&e, out, found, err);
        cache_entry_free(&e);
        return rc;
    }
    if(!c->session_name) {
        snprintf(session, sizeof(session), "botocore-session-%lld",
                 (long long)time(NULL));
        c->session_name = session;
    }
    if(c->serial) {
        rc = ask_mfa(ch, c->serial, code, sizeof(code), err);
        if(rc)
            return rc;
        c->token_code = code;
    }
    c->profile = profile;
    rc = sts_assume(ch->ctx, c, &e, err);
    memset(code, 0, sizeof(code));
    if(rc)
        return rc;
    if(cache_put(key, &e, 0))
        creds_trace(ch->ctx, "Could not write the credential cache entry");
    rc = from_entry(&e, out, found, err);
    cache_entry_free(&e);
    return rc;
}

static int via_role(const struct chain *ch, const char *profile,
                    struct creds *out, int *found, struct iam_err *err)
{
    const char *src_profile = get(ch, profile, "source_profile");
    const char *src_name = get(ch, profile, "credential_source");
    struct sts_call c = {0};
    struct creds src = {0};
    int rc;
    if(!config_has(ch->cfg, profile, "source_profile"))
        src_profile = NULL;
    rc = validate(ch, profile, src_profile, src_name, err);
    if(!rc)
        rc = source_creds(ch, profile, src_profile, src_name, &src, err);
    if(rc) {
        creds_free(&src);
        return rc;
    }
    c.role_arn = get(ch, profile, "role_arn");
    c.role_arn = c.role_arn ? c.role_arn : "";
    c.external_id = get(ch, profile, "external_id");
    c.serial = get(ch, profile, "mfa_serial");
    c.has_duration =
        read_duration(get(ch, profile, "duration_seconds"), &c.duration);
    c.session_name = creds_nonempty(get(ch, profile, "role_session_name"));
    c.session_configured = c.session_name != NULL;
    c.source = &src;
    rc = assume(ch, profile, &c, out, found, err);
    creds_free(&src);
    if(!rc && c.serial)
        out->no_refresh_ = 1;
    return rc;
}

int creds_load_assume_role(const struct chain *ch, struct creds *out,
                           int *found, struct iam_err *err)
{
    if(!has_role(ch, ch->name))
        return IAM_OK;
    return via_role(ch, ch->name, out, found, err);
}

/* ---- web identity ---- */

/* The environment variable, when present even if empty, hides the
 * profile's setting (botocore's _get_config checks `is not None`). */
static const char *wi_config(const struct chain *ch, const char *key,
                             const char *env)
{
    const char *v = ch->explicit ? NULL : getenv(env);
    return v ? v : get(ch, ch->name, key);
}

/* FileWebIdentityTokenLoader: the file's text as it is, read on every
 * fetch. */
static int read_token(const char *path, struct buf *b, struct iam_err *err)
{
    struct iam_err local;
    int rc;
    iam_err_clear(&local);
    rc = ini_read_file(path, 1 << 20, b, &local);
    if(rc == IAM_ENOTFOUND)
        return creds_fail(err, rc, "FileNotFoundError",
                          "[Errno 2] No such file or directory: '%s'", path);
    if(rc)
        return creds_fail(err, rc, "OSError", "%s", local.msg);
    return IAM_OK;
}

int creds_load_web_identity(const struct chain *ch, struct creds *out,
                            int *found, struct iam_err *err)
{
    const char *path = wi_config(ch, "web_identity_token_file",
                                 "AWS_WEB_IDENTITY_TOKEN_FILE");
    struct sts_call c = {0};
    struct cache_args a = {0};
    struct cache_entry e;
    char key[41], session[64];
    struct buf tok;
    int rc;
    if(!creds_nonempty(path))
        return IAM_OK;
    c.role_arn = wi_config(ch, "role_arn", "AWS_ROLE_ARN");
    if(!creds_nonempty(c.role_arn))
        return invalid(err, "InvalidConfigError",
                       "The provided profile or the current environment is "
                       "configured to assume role with web identity but "
                       "has no role ARN configured. Ensure that the profile "
                       "has the role_arnconfiguration set or the "
                       "AWS_ROLE_ARN env var is set.%s%s",
                       "", "");
    a.role_arn = c.role_arn;
    a.session_name = creds_nonempty(
        wi_config(ch, "role_session_name", "AWS_ROLE_SESSION_NAME"));
    if(cache_key_role(&a, key))
        return creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    if(cache_get(key, (long long)time(NULL), &e)) {
        rc = from_entry(&e, out, found, err);
        cache_entry_free(&e);
        return rc;
    }
    snprintf(session, sizeof(session), "botocore-session-%lld",
             (long long)time(NULL));
    c.session_name = a.session_name ? a.session_name : session;
    c.session_configured = a.session_name != NULL;
    rc = read_token(path, &tok, err);
    if(rc)
        return rc;
    c.web_token = tok.data ? tok.data : "";
    c.profile = ch->name;
    rc = sts_assume(ch->ctx, &c, &e, err);
    buf_wipe(&tok);
    if(rc)
        return rc;
    cache_put(key, &e, 0);
    rc = from_entry(&e, out, found, err);
    cache_entry_free(&e);
    return rc;
}
