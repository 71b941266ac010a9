/* sso_token.c - the access token of an IAM Identity Center profile, as
 * botocore's SSOTokenLoader and SSOTokenProvider (botocore/tokens.py)
 * give it to SSOCredentialFetcher.
 *
 * The token lives in ~/.aws/sso/cache/SHA1.json, SHA-1 of the sso-session
 * name (or of the start URL for a legacy profile), written by `aws sso
 * login`. A legacy profile's token is used as it is: the portal judges it.
 * An sso-session's token that expires within 15 minutes is refreshed when
 * the file also holds refreshToken, clientId, clientSecret and an
 * unexpired registrationExpiresAt: SSO OIDC CreateToken (grant type
 * refresh_token, unsigned) at https://oidc.REGION.amazonaws.com/token, or
 * AWS_ENDPOINT_URL_SSO_OIDC; the new token replaces the file (mode 0600,
 * atomically) in the CLI's layout and is used. OIDC refusing (an HTTP
 * error) is not an error, as botocore swallows ClientError: the old token
 * is used if it has not expired, else "Token has expired and refresh
 * failed". Not reaching OIDC at all is an error, as there.
 */
#include "cache.h"
#include "creds_int.h"
#include "jitter.h"

#include <jansson.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROV "sso"
#define REFRESH_WINDOW 900 /* SSOTokenProvider._REFRESH_WINDOW */
#define OIDC_ATTEMPTS 3    /* the sso-oidc client's standard retries */
#define OIDC_MAX_ATTEMPTS 20
#define OIDC_MAX_BODY (64 << 10)

/* Lower-case hex SHA-1 of s. */
static void sha1_hex(const char *s, char out[41])
{
    unsigned char md[SHA_DIGEST_LENGTH];
    size_t i;
    SHA1((const unsigned char *)s, strlen(s), md);
    for(i = 0; i < SHA_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int token_dir(char *dir, size_t n)
{
    const char *home = getenv("HOME");
    int w = snprintf(dir, n, "%s/.aws/sso/cache", home && *home ? home : "");
    return w < 0 || (size_t)w >= n ? IAM_ETOOBIG : IAM_OK;
}

/* SSOTokenLoader.__call__: a missing file does not exist; one that is
 * not JSON raises JSONFileCache's KeyError (the key in quotes); one
 * without accessToken and expiresAt is invalid (named by start URL). */
static int load(const struct sso_token_req *q, const char *key, json_t **out,
                struct iam_err *err)
{
    char dir[4096], path[4200];
    json_error_t je;
    FILE *f;
    json_t *j;
    if(token_dir(dir, sizeof(dir)))
        return creds_fail(err, IAM_ETOOBIG, "OSError", "HOME is too long");
    snprintf(path, sizeof(path), "%s/%s.json", dir, key);
    f = fopen(path, "rb");
    if(!f)
        return creds_fail(err, IAM_ECREDS, "SSOTokenLoadError",
                          "Error loading SSO Token: Token for %s does not "
                          "exist",
                          q->session ? q->session : q->start_url);
    j = json_loadf(f, JSON_DECODE_ANY, &je);
    fclose(f);
    if(!j)
        return creds_fail(err, IAM_ECREDS, "KeyError", "'%s'", key);
    if(!json_is_string(json_object_get(j, "accessToken")) ||
       !json_is_string(json_object_get(j, "expiresAt"))) {
        json_decref(j);
        return creds_fail(err, IAM_ECREDS, "SSOTokenLoadError",
                          "Error loading SSO Token: Token for %s is invalid",
                          q->start_url);
    }
    *out = j;
    return IAM_OK;
}

/* The token file as _sso_json_dumps writes it: json.dumps of the dict in
 * the order botocore builds it, ", " and ": " separators. */
static int dump(struct buf *b, const struct sso_token_req *q, const char *at,
                const char *expires, json_t *old, const char *refresh)
{
    const char *names[] = {"startUrl", "region", "accessToken", "expiresAt",
                           "clientId", "clientSecret",
                           "registrationExpiresAt", "refreshToken"};
    const char *vals[8];
    size_t i;
    int rc;
    vals[0] = q->start_url;
    vals[1] = q->region;
    vals[2] = at;
    vals[3] = expires;
    vals[4] = json_string_value(json_object_get(old, "clientId"));
    vals[5] = json_string_value(json_object_get(old, "clientSecret"));
    vals[6] = json_string_value(json_object_get(old, "registrationExpiresAt"));
    vals[7] = refresh;
    rc = buf_addc(b, '{');
    for(i = 0; !rc && i < 8; i++) {
        if(!vals[i])
            continue;
        if(i && (rc = buf_adds(b, ", ")))
            break;
        rc = cache_json_str(b, names[i]);
        if(!rc)
            rc = buf_adds(b, ": ");
        if(!rc)
            rc = cache_json_str(b, vals[i]);
    }
    return rc ? rc : buf_addc(b, '}');
}

/* "name": "value" after lead; nothing once *rc is set. */
static void member(struct buf *b, int *rc, const char *lead, const char *name,
                   const char *value)
{
    if(!*rc)
        *rc = buf_adds(b, lead);
    if(!*rc)
        *rc = cache_json_str(b, name);
    if(!*rc)
        *rc = buf_adds(b, ": ");
    if(!*rc)
        *rc = cache_json_str(b, value ? value : "");
}

/* The CreateToken request (rest-json), members in the model's order. */
static int request_body(struct buf *b, json_t *tok)
{
    int rc = IAM_OK;
    member(b, &rc, "{", "clientId",
           json_string_value(json_object_get(tok, "clientId")));
    member(b, &rc, ", ", "clientSecret",
           json_string_value(json_object_get(tok, "clientSecret")));
    member(b, &rc, ", ", "grantType", "refresh_token");
    member(b, &rc, ", ", "refreshToken",
           json_string_value(json_object_get(tok, "refreshToken")));
    return rc ? rc : buf_addc(b, '}');
}

/* The sso-oidc client's max_attempts: AWS_MAX_ATTEMPTS, the profile's
 * max_attempts, else standard mode's 3 (the main client already refused
 * a value that is not a number). */
static int attempts(const struct creds_ctx *ctx)
{
    const char *v = getenv("AWS_MAX_ATTEMPTS");
    char *end;
    long n;
    if(!v || !*v)
        v = ctx->cfg ? config_get(ctx->cfg, ctx->profile ? ctx->profile
                                                         : "default",
                                  "max_attempts")
                     : NULL;
    if(!v)
        return OIDC_ATTEMPTS;
    n = strtol(v, &end, 10);
    if(end == v || n < 1)
        return 1;
    return n > OIDC_MAX_ATTEMPTS ? OIDC_MAX_ATTEMPTS : (int)n;
}

/* Standard mode's backoff: a random share of 2^(attempt-1) seconds. */
static void pause_before(int attempt)
{
    double s = jitter_rand() * (double)(1 << (attempt - 1));
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

/* POST /token; *status 0 when nothing answered (err then filled). */
static int create_token(const struct creds_ctx *ctx,
                        const struct sso_token_req *q, json_t *tok,
                        long *status, struct buf *resp, struct iam_err *err)
{
    const char *base = creds_nonempty(getenv("AWS_ENDPOINT_URL_SSO_OIDC"));
    const char *h[2] = {"Content-Type", "application/json"};
    struct creds_http r = {0};
    struct iam_err te;
    struct buf body, url;
    char why[1200];
    int rc, attempt, max = attempts(ctx);
    buf_init(&url, 8192);
    buf_init(&body, OIDC_MAX_BODY);
    if(base)
        rc = buf_printf(&url, "%s%stoken", base,
                        base[strlen(base) - 1] == '/' ? "" : "/");
    else
        rc = buf_printf(&url, "https://oidc.%s.amazonaws.com/token", q->region);
    if(!rc)
        rc = request_body(&body, tok);
    if(rc) {
        rc = creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
        goto out;
    }
    r.method = "POST";
    r.url = url.data;
    r.headers = h;
    r.nheaders = 1;
    r.body = body.data;
    r.body_len = body.len;
    r.max_body = OIDC_MAX_BODY;
    for(attempt = 1;; attempt++) {
        iam_err_clear(&te);
        creds_trace(ctx, "Calling SSO OIDC CreateToken at %s", url.data);
        rc = creds_http_do(ctx, &r, status, resp, &te);
        if(attempt >= max ||
           !(rc ? te.st == IAM_ECONN || te.st == IAM_ETIMEOUT ||
                      te.st == IAM_ETLS
                : *status >= 500 || *status == 429))
            break;
        buf_wipe(resp);
        pause_before(attempt);
    }
    if(rc) {
        creds_http_why(&te, url.data, why, sizeof(why));
        rc = creds_fail(err, rc, "EndpointConnectionError", "%s", why);
    }
out:
    buf_wipe(&body);
    buf_free(&url);
    return rc;
}

/* _refresh_access_token: *fresh the new token (owned) or NULL when there
 * is no refresh to make or OIDC refused it. */
static int refresh(const struct creds_ctx *ctx, const struct sso_token_req *q,
                   json_t *tok, long long now, json_t **fresh,
                   struct iam_err *err)
{
    static const char *const need[] = {"refreshToken", "clientId",
                                       "clientSecret",
                                       "registrationExpiresAt"};
    const char *reg, *at, *rt;
    struct buf resp, b;
    json_error_t je;
    json_t *j = NULL;
    long long reg_exp, expires_in;
    long status = 0;
    char when[32], key[41];
    time_t t;
    struct tm tm;
    size_t i;
    int rc;
    *fresh = NULL;
    for(i = 0; i < 4; i++)
        if(!json_object_get(tok, need[i])) {
            creds_trace(ctx, "Unable to refresh SSO token: missing keys");
            return IAM_OK;
        }
    reg = json_string_value(json_object_get(tok, "registrationExpiresAt"));
    rc = creds_parse_time(reg ? reg : "", &reg_exp, err);
    if(rc)
        return rc;
    if(reg_exp <= now) {
        creds_trace(ctx, "SSO token registration expired");
        return IAM_OK;
    }
    rc = create_token(ctx, q, tok, &status, &resp, err);
    if(rc)
        return rc;
    if(status != 200) { /* a ClientError: botocore logs it and goes on */
        creds_trace(ctx, "SSO token refresh attempt failed (HTTP %ld)",
                    status);
        buf_wipe(&resp);
        return IAM_OK;
    }
    j = json_loadb(resp.data ? resp.data : "", resp.len, 0, &je);
    buf_wipe(&resp);
    at = json_string_value(json_object_get(j, "accessToken"));
    if(!at || !json_is_integer(json_object_get(j, "expiresIn"))) {
        json_decref(j);
        return creds_fail(err, IAM_EPARSE, "KeyError", "'%s'",
                          at ? "expiresIn" : "accessToken");
    }
    expires_in = json_integer_value(json_object_get(j, "expiresIn"));
    t = (time_t)(now + expires_in);
    if(!gmtime_r(&t, &tm)) {
        json_decref(j);
        return creds_fail(err, IAM_EPARSE, "OverflowError",
                          "date value out of range");
    }
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    rt = json_string_value(json_object_get(j, "refreshToken"));
    buf_init(&b, 1 << 20);
    rc = dump(&b, q, at, when, tok, rt);
    if(!rc) {
        char dir[4096], name[64];
        sha1_hex(q->session, key);
        snprintf(name, sizeof(name), "%s.json", key);
        if(token_dir(dir, sizeof(dir)) || cache_write_file(dir, name, &b))
            creds_trace(ctx, "Could not write the SSO token cache");
        *fresh = json_loadb(b.data, b.len, 0, &je);
        if(!*fresh)
            rc = creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    }
    buf_wipe(&b);
    json_decref(j);
    if(!rc)
        creds_trace(ctx, "SSO Token refresh succeeded");
    return rc;
}

int sso_token_get(const struct creds_ctx *ctx, const struct sso_token_req *q,
                  char **out, struct iam_err *err)
{
    char key[41];
    json_t *tok = NULL, *fresh = NULL;
    long long exp, now = (long long)time(NULL);
    const char *at;
    int rc;
    *out = NULL;
    sha1_hex(q->session ? q->session : q->start_url, key);
    rc = load(q, key, &tok, err);
    if(rc)
        return rc;
    if(q->session) {
        rc = creds_parse_time(
            json_string_value(json_object_get(tok, "expiresAt")), &exp, err);
        if(!rc && exp - now < REFRESH_WINDOW) {
            rc = refresh(ctx, q, tok, now, &fresh, err);
            if(!rc && fresh) {
                json_decref(tok);
                tok = fresh;
                rc = creds_parse_time(
                    json_string_value(json_object_get(tok, "expiresAt")), &exp,
                    err);
            }
        }
        if(!rc && exp <= now)
            rc = creds_fail(err, IAM_ECREDS, "TokenRetrievalError",
                            "Error when retrieving token from %s: Token has "
                            "expired and refresh failed",
                            PROV);
    }
    at = json_string_value(json_object_get(tok, "accessToken"));
    if(!rc) {
        *out = strdup(at);
        if(!*out)
            rc = creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    }
    json_decref(tok); /* jansson does not wipe: the file holds it anyway */
    return rc;
}
