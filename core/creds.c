/* creds.c - botocore's credential chain (see creds.h).
 *
 * The chain is a table of providers in botocore's order. Each provider
 * either fills the credentials (found), passes (not its kind), or fails;
 * the first to find or fail ends the walk, as CredentialResolver does.
 * Adding a provider is one function and one table entry.
 */
#include "creds.h"
#include "creds_int.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AKID "aws_access_key_id"
#define SECRET "aws_secret_access_key"

struct provider {
    const char *method; /* botocore's METHOD, copied into creds.source */
    creds_load_fn load;
};

#define fail creds_fail

static int partial(struct iam_err *err, const char *method, const char *var)
{
    return fail(err, IAM_ECREDS, "PartialCredentialsError",
                "Partial credentials found in %s, missing: %s", method, var);
}

int creds_retrieval(struct iam_err *err, const char *provider,
                    const char *fmt, ...)
{
    char why[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return fail(err, IAM_ECREDS, "CredentialRetrievalError",
                "Error when retrieving credentials from %s: %s", provider,
                why);
}

const char *creds_nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

#define nonempty creds_nonempty

void creds_trace(const struct creds_ctx *ctx, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    if(!ctx || !ctx->trace)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ctx->trace(ctx->trace_ud, line);
}

int creds_set(struct creds *out, const char *id, const char *secret,
              const char *token, int *found, struct iam_err *err)
{
    out->access_key_id = strdup(id);
    out->secret_access_key = strdup(secret);
    out->session_token = nonempty(token) ? strdup(token) : NULL;
    if(!out->access_key_id || !out->secret_access_key ||
       (nonempty(token) && !out->session_token)) {
        creds_free(out);
        return fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    }
    *found = 1;
    return IAM_OK;
}

#define set_creds creds_set

/* ---- env ---- */

/* Also the credential_source "Environment", which reads the variables
 * whatever --profile says. */
int creds_load_env(const struct chain *ch, struct creds *out, int *found,
                   struct iam_err *err)
{
    const char *id = nonempty(getenv("AWS_ACCESS_KEY_ID"));
    const char *secret, *token, *exp;
    int rc;
    (void)ch;
    if(!id)
        return IAM_OK;
    secret = nonempty(getenv("AWS_SECRET_ACCESS_KEY"));
    if(!secret)
        return partial(err, "env", "AWS_SECRET_ACCESS_KEY");
    /* botocore tries AWS_SECURITY_TOKEN first, the older name */
    token = nonempty(getenv("AWS_SECURITY_TOKEN"));
    if(!token)
        token = nonempty(getenv("AWS_SESSION_TOKEN"));
    exp = nonempty(getenv("AWS_CREDENTIAL_EXPIRATION"));
    if(exp) {
        rc = creds_parse_time(exp, &out->expiry, err);
        if(rc)
            return rc;
    }
    return set_creds(out, id, secret, token, found, err);
}

static int load_env(const struct chain *ch, struct creds *out, int *found,
                    struct iam_err *err)
{
    if(ch->explicit)
        return IAM_OK;
    return creds_load_env(ch, out, found, err);
}

/* ---- the shared files ---- */

/* Reads one file's view of a profile: the credentials file or the config
 * file, whose accessors share a signature. */
struct keys {
    const char *(*get)(const struct config *, const char *, const char *);
    int (*has)(const struct config *, const char *, const char *);
};

static const struct keys cred_file = {config_cred_get, config_cred_has};
static const struct keys conf_file = {config_file_get, config_file_has};

/* SharedCredentialProvider / ConfigProvider: aws_access_key_id decides,
 * then the secret is required; the token is the first key present of
 * aws_security_token, aws_session_token. */
static int load_keys(const struct chain *ch, const struct keys *k,
                     const char *method, struct creds *out, int *found,
                     struct iam_err *err)
{
    const char *id, *secret, *token = NULL;
    if(!k->has(ch->cfg, ch->name, AKID))
        return IAM_OK;
    if(!k->has(ch->cfg, ch->name, SECRET))
        return partial(err, method, SECRET);
    id = k->get(ch->cfg, ch->name, AKID);
    secret = k->get(ch->cfg, ch->name, SECRET);
    if(k->has(ch->cfg, ch->name, "aws_security_token"))
        token = k->get(ch->cfg, ch->name, "aws_security_token");
    else if(k->has(ch->cfg, ch->name, "aws_session_token"))
        token = k->get(ch->cfg, ch->name, "aws_session_token");
    if(!id || !secret)
        return fail(err, IAM_ECREDS, "ConfigParseError",
                    "credentials of profile %s are sub-sections, not values",
                    ch->name);
    return set_creds(out, id, secret, token, found, err);
}

static int load_shared(const struct chain *ch, struct creds *out, int *found,
                       struct iam_err *err)
{
    return load_keys(ch, &cred_file, "shared-credentials-file", out, found,
                     err);
}

static int load_config_file(const struct chain *ch, struct creds *out,
                            int *found, struct iam_err *err)
{
    return load_keys(ch, &conf_file, "config-file", out, found, err);
}

/* ---- legacy files: the EC2 tools' key=value file and boto's config ---- */

/* AWSAccessKeyId / AWSSecretKey from the file AWS_CREDENTIAL_FILE names.
 * botocore lets parse errors escape here, so they end the chain. */
static int ec2_from_text(const struct buf *b, struct creds *out, int *found,
                         struct iam_err *err)
{
    char why[160], *id = NULL, *secret = NULL;
    int rc;
    if(!ini_utf8_valid(b->data, b->len, why, sizeof(why)))
        return fail(err, IAM_EPARSE, "UnicodeDecodeError", "%s", why);
    rc = ini_keyval_find(b->data, b->len, "AWSAccessKeyId", &id);
    if(!rc && id)
        rc = ini_keyval_find(b->data, b->len, "AWSSecretKey", &secret);
    if(rc)
        rc = fail(err, rc, "MemoryError", "out of memory");
    else if(id && !secret)
        rc = fail(err, IAM_ECREDS, "KeyError", "'AWSSecretKey'");
    else if(id)
        rc = set_creds(out, id, secret, NULL, found, err);
    if(id)
        OPENSSL_cleanse(id, strlen(id));
    if(secret)
        OPENSSL_cleanse(secret, strlen(secret));
    free(id);
    free(secret);
    return rc;
}

static int load_ec2_file(const struct chain *ch, struct creds *out, int *found,
                         struct iam_err *err)
{
    const char *path = getenv("AWS_CREDENTIAL_FILE");
    struct iam_err local;
    struct buf b;
    char *full;
    int rc;
    (void)ch;
    if(!path)
        return IAM_OK;
    if(config_expand_user(path, &full))
        return fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    iam_err_clear(&local);
    rc = ini_read_file(full, INI_MAX_SIZE, &b, &local);
    if(rc == IAM_ENOTFOUND || rc == IAM_EIO) /* Python's open() failed */
        rc = fail(err, IAM_ENOTFOUND, "ConfigNotFound",
                  "The specified config file (%s) could not be found.", full);
    else if(rc && err && err->st == IAM_OK)
        *err = local;
    free(full);
    if(rc)
        return rc;
    rc = ec2_from_text(&b, out, found, err);
    buf_wipe(&b);
    return rc;
}

/* [Credentials] of one boto config file; a missing file passes. */
static int boto_file(const char *path, struct creds *out, int *found,
                     struct iam_err *err)
{
    struct ini *ini;
    const char *id, *secret;
    int rc = config_read_ini(path, &ini, NULL, err);
    if(rc)
        return rc;
    id = ini_get(ini, "Credentials", AKID);
    secret = ini_get(ini, "Credentials", SECRET);
    if(ini_has_key(ini, "Credentials", AKID) &&
       !ini_has_key(ini, "Credentials", SECRET))
        rc = partial(err, "boto-config", SECRET);
    else if(id && secret)
        rc = set_creds(out, id, secret, NULL, found, err);
    ini_free(ini);
    return rc;
}

static int load_boto(const struct chain *ch, struct creds *out, int *found,
                     struct iam_err *err)
{
    static const char *const defaults[] = {"/etc/boto.cfg", "~/.boto"};
    const char *env = getenv("BOTO_CONFIG");
    size_t i, n = env ? 1 : 2;
    int rc = IAM_OK;
    (void)ch;
    for(i = 0; i < n && !rc && !*found; i++)
        rc = boto_file(env ? env : defaults[i], out, found, err);
    return rc;
}

/* ---- the chain ---- */

static const struct provider providers[] = {
    {"env", load_env},
    {"assume-role", creds_load_assume_role},
    {"assume-role-with-web-identity", creds_load_web_identity},
    {"sso", creds_load_sso},
    {"shared-credentials-file", load_shared},
    {"custom-process", creds_load_process},
    {"config-file", load_config_file},
    {"ec2-credentials-file", load_ec2_file},
    {"boto-config", load_boto},
    {"container-role", creds_load_container},
    {"iam-role", creds_load_imds},
};

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

/* Runs providers[from..to) until one finds or fails; *which is the index
 * of the one that found. */
static int walk(const struct chain *ch, size_t from, size_t to,
                struct creds *out, int *found, size_t *which,
                struct iam_err *err)
{
    size_t i;
    int rc = IAM_OK;
    for(i = from; i < to; i++) {
        creds_trace(ch->ctx, "Looking for credentials via: %s",
                    providers[i].method);
        rc = providers[i].load(ch, out, found, err);
        if(rc || *found)
            break;
    }
    *which = i;
    if(rc)
        creds_free(out);
    return rc;
}

/* Providers whose first fetch botocore defers to the first signature
 * (DeferredRefreshableCredentials): assume-role, web identity, sso. iamlua
 * fetches them while the chain runs and checks their expiry then, which
 * is what that first signature does; the others botocore fetches while the
 * chain runs and refreshes at their first use when they expire within the
 * advisory window (credential_process runs twice for an answer that is
 * about to expire, or already has). */
static int deferred(size_t which)
{
    return which >= 1 && which <= 3;
}

int creds_provider_of(creds_load_fn fn)
{
    size_t i;
    for(i = 0; i < NPROVIDERS; i++)
        if(providers[i].load == fn)
            return (int)i + 1;
    return 0;
}

/* The profile providers only: web identity, sso, shared credentials,
 * process, config file (indexes 2 to 6). */
int creds_profile_chain(const struct chain *ch, struct creds *out, int *found,
                        struct iam_err *err)
{
    size_t which;
    int rc = walk(ch, 2, 7, out, found, &which, err);
    if(!rc && *found) {
        if(!out->source[0])
            snprintf(out->source, sizeof(out->source), "%s",
                     providers[which].method);
        out->provider_ = (int)which + 1;
    }
    return rc;
}

static void chain_init(struct chain *ch, const struct creds_ctx *ctx,
                       const char **visited, size_t *nvisited)
{
    ch->cfg = ctx->cfg;
    ch->name = nonempty(ctx->profile) ? ctx->profile : "default";
    ch->explicit = ctx->profile_explicit;
    ch->ctx = ctx;
    ch->visited = visited;
    ch->nvisited = nvisited;
    visited[0] = ch->name;
    *nvisited = 1;
}

int creds_resolve_ctx(const struct creds_ctx *ctx, struct creds *out,
                      struct iam_err *err)
{
    const char *visited[CREDS_MAX_VISITED];
    size_t nvisited, which = 0;
    struct chain ch;
    int found = 0, rc;
    memset(out, 0, sizeof(*out));
    rc = config_check_profile(ctx->cfg, ctx->profile, err);
    if(rc)
        return rc;
    chain_init(&ch, ctx, visited, &nvisited);
    rc = walk(&ch, 0, NPROVIDERS, out, &found, &which, err);
    if(!rc && !found)
        rc = fail(err, IAM_ECREDS, "NoCredentialsError",
                  "Unable to locate credentials. You can configure "
                  "credentials by running \"aws configure\".");
    if(!rc) {
        snprintf(out->source, sizeof(out->source), "%s",
                 providers[which].method);
        out->provider_ = (int)which + 1;
        if(deferred(which)) {
            out->fetched_ = 1;
            rc = creds_check_expiry(out, (long long)time(NULL), err);
        }
    }
    if(rc)
        creds_free(out);
    return rc;
}

int creds_resolve(const struct config *cfg, const char *profile,
                  int profile_explicit, struct creds *out, struct iam_err *err)
{
    struct creds_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.cfg = cfg;
    ctx.profile = profile;
    ctx.profile_explicit = profile_explicit;
    ctx.verify_tls = 1;
    return creds_resolve_ctx(&ctx, out, err);
}

/* botocore's RefreshableCredentials._refresh, with the chain that loaded
 * c: nothing to do before the advisory window; inside it the provider runs
 * again, and its failure only matters inside the mandatory window. */
static int refresh_with(const struct chain *ch, struct creds *c, long long now,
                        struct iam_err *err)
{
    size_t which;
    struct creds fresh;
    struct iam_err e;
    int found = 0, rc, mandatory;
    long long left = c->expiry - now;
    if(!c->expiry || !c->provider_ || left >= CREDS_ADVISORY)
        return creds_check_expiry(c, now, err);
    mandatory = left < CREDS_MANDATORY;
    creds_trace(ch->ctx, "Credentials need to be refreshed.");
    if(c->no_refresh_)
        return mandatory ? fail(err, IAM_ECREDS,
                                "RefreshWithMFAUnsupportedError",
                                "Cannot refresh credentials: MFA token "
                                "required.")
                         : IAM_OK;
    memset(&fresh, 0, sizeof(fresh));
    iam_err_clear(&e);
    which = (size_t)c->provider_ - 1;
    rc = walk(ch, which, which + 1, &fresh, &found, &which, &e);
    if(!rc && !found)
        rc = creds_retrieval(&e, providers[which].method,
                             "Credential refresh failed, response did not "
                             "contain: access_key, secret_key, token, "
                             "expiry_time");
    if(rc) {
        creds_trace(ch->ctx, "Refreshing temporary credentials failed during "
                             "%s refresh period.",
                    mandatory ? "mandatory" : "advisory");
        if(!mandatory)
            return IAM_OK;
        if(err && err->st == IAM_OK)
            *err = e;
        return rc;
    }
    snprintf(fresh.source, sizeof(fresh.source), "%s", c->source);
    fresh.provider_ = c->provider_;
    creds_free(c);
    *c = fresh;
    return creds_check_expiry(c, now, err);
}

int creds_refresh(const struct creds_ctx *ctx, struct creds *c, long long now,
                  struct iam_err *err)
{
    const char *visited[CREDS_MAX_VISITED];
    size_t nvisited;
    struct chain ch;
    if(c->fetched_) { /* the deferred fetch was this signature's refresh */
        c->fetched_ = 0;
        return creds_check_expiry(c, now, err);
    }
    chain_init(&ch, ctx, visited, &nvisited);
    return refresh_with(&ch, c, now, err);
}

int creds_first_use(const struct chain *ch, struct creds *c,
                    struct iam_err *err)
{
    long long now = (long long)time(NULL);
    if(!c->provider_ || deferred((size_t)c->provider_ - 1))
        return creds_check_expiry(c, now, err);
    return refresh_with(ch, c, now, err);
}

int creds_check_expiry(const struct creds *c, long long now,
                       struct iam_err *err)
{
    if(!c->expiry || c->expiry >= now)
        return IAM_OK;
    return fail(err, IAM_ECREDS, "RuntimeError",
                "Credentials were refreshed, but the refreshed "
                "credentials are still expired.");
}

void creds_wipe_str(char *s)
{
    if(s)
        OPENSSL_cleanse(s, strlen(s));
    free(s);
}

static void wipe_str(char **s)
{
    creds_wipe_str(*s);
    *s = NULL;
}

void creds_free(struct creds *c)
{
    if(!c)
        return;
    wipe_str(&c->access_key_id);
    wipe_str(&c->secret_access_key);
    wipe_str(&c->session_token);
    memset(c, 0, sizeof(*c));
}
