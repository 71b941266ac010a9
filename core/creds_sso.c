/* creds_sso.c - IAM Identity Center (SSO) profiles, as botocore's
 * SSOProvider and SSOCredentialFetcher.
 *
 * The profile names an account and role, and either the portal directly
 * (legacy: sso_start_url, sso_region) or an [sso-session NAME] section.
 * The access token comes from ~/.aws/sso/cache (sso_token.c, which also
 * refreshes an sso-session's token as botocore does; iamlua never logs
 * in). GetRoleCredentials goes to
 * https://portal.sso.REGION.amazonaws.com, or AWS_ENDPOINT_URL_SSO. The
 * role credentials share the CLI's ~/.aws/cli/cache.
 */
#include "cache.h"
#include "creds_int.h"
#include "sigv4.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROV "sso"

struct sso {
    const char *start_url, *region, *account, *role, *session;
};

/* [sso-session NAME] exists (a section may have no keys yet). */
static int session_exists(const struct config *cfg, const char *name)
{
    const struct ini *ini = config_file_ini(cfg);
    char want[512];
    size_t i, n = ini ? ini_nsections(ini) : 0;
    snprintf(want, sizeof(want), "sso-session %s", name);
    if(config_sso_session_get(cfg, name, "sso_start_url") ||
       config_sso_session_get(cfg, name, "sso_region"))
        return 1;
    for(i = 0; i < n; i++)
        if(strcmp(ini_section_name(ini, i), want) == 0)
            return 1;
    return 0;
}

/* _resolve_sso_session_reference, for the settings botocore reads. */
static int merge_session(const struct chain *ch, struct sso *s,
                         struct iam_err *err)
{
    static const char *const keys[] = {"sso_start_url", "sso_region"};
    const char **dst[] = {&s->start_url, &s->region};
    size_t i;
    if(!session_exists(ch->cfg, s->session))
        return creds_fail(err, IAM_ECREDS, "InvalidConfigError",
                          "The specified sso-session does not exist: \"%s\"",
                          s->session);
    for(i = 0; i < 2; i++) {
        const char *v = config_sso_session_get(ch->cfg, s->session, keys[i]);
        if(!v)
            continue;
        if(*dst[i] && strcmp(*dst[i], v) != 0)
            return creds_fail(err, IAM_ECREDS, "InvalidConfigError",
                              "The value for %s is inconsistent between "
                              "profile (%s) and sso-session (%s).",
                              keys[i], *dst[i], v);
        *dst[i] = v;
    }
    return IAM_OK;
}

static int sso_config(const struct chain *ch, struct sso *s,
                      struct iam_err *err)
{
    const char *names[5] = {"sso_role_name", "sso_account_id",
                            "sso_start_url", "sso_region", "sso_session"};
    const char *vals[5];
    char missing[256] = "";
    size_t i, n;
    int rc;
    s->role = config_get(ch->cfg, ch->name, "sso_role_name");
    s->account = config_get(ch->cfg, ch->name, "sso_account_id");
    s->start_url = config_get(ch->cfg, ch->name, "sso_start_url");
    s->region = config_get(ch->cfg, ch->name, "sso_region");
    s->session = config_get(ch->cfg, ch->name, "sso_session");
    if(s->session) {
        rc = merge_session(ch, s, err);
        if(rc)
            return rc;
    }
    vals[0] = s->role;
    vals[1] = s->account;
    vals[2] = s->start_url;
    vals[3] = s->region;
    vals[4] = s->session;
    n = s->session ? 5 : 4;
    for(i = 0; i < n; i++)
        if(!vals[i])
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
                     "%s%s", missing[0] ? ", " : "", names[i]);
    if(missing[0])
        return creds_fail(err, IAM_ECREDS, "InvalidConfigError",
                          "The profile \"%s\" is configured to use SSO but is "
                          "missing required configuration: %s",
                          ch->name, missing);
    return IAM_OK;
}

/* botocore's validate_region_name, which creating the sso client applies
 * to sso_region before it becomes part of a host name: one DNS label of
 * at most 63 letters, digits and '-' (not first or last), not all
 * digits; empty passes. */
static int check_region(const char *r, struct iam_err *err)
{
    size_t i, n = strlen(r);
    int digits = 1, ok = n <= 63 && (n == 0 || (r[0] != '-' && r[n - 1] != '-'));
    for(i = 0; ok && i < n; i++) {
        ok = (r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') ||
             (r[i] >= '0' && r[i] <= '9') || r[i] == '-';
        digits = digits && r[i] >= '0' && r[i] <= '9';
    }
    if(ok && (n == 0 || !digits))
        return IAM_OK;
    return creds_fail(err, IAM_ECREDS, "InvalidRegionError",
                      "Provided region_name '%s' doesn't match a supported "
                      "format.",
                      r);
}

static int portal_error(long status, const struct buf *b, struct iam_err *err)
{
    json_error_t je;
    json_t *j;
    char msg[512] = "";
    if(status == 401)
        return creds_fail(err, IAM_ECREDS, "UnauthorizedSSOTokenError",
                          "The SSO session associated with this profile has "
                          "expired or is otherwise invalid. To refresh this "
                          "SSO session run aws sso login with the "
                          "corresponding profile.");
    j = json_loadb(b->data ? b->data : "", b->len, 0, &je);
    if(j && json_string_value(json_object_get(j, "message")))
        snprintf(msg, sizeof(msg), "%s",
                 json_string_value(json_object_get(j, "message")));
    json_decref(j);
    (void)creds_fail(err, IAM_ESERVICE, "ClientError", "%s", msg);
    if(err) {
        snprintf(err->code, sizeof(err->code), "%ld", status);
        snprintf(err->operation, sizeof(err->operation), "GetRoleCredentials");
        err->http_status = (int)status;
        err->kind = IAM_KIND_SERVICE;
    }
    return IAM_ESERVICE;
}

static int parse(const struct buf *b, struct cache_entry *e,
                 struct iam_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(b->data ? b->data : "", b->len, 0, &je), *rc;
    char when[32];
    time_t t;
    struct tm tm;
    rc = json_object_get(j, "roleCredentials");
    e->id = json_string_value(json_object_get(rc, "accessKeyId"))
                ? strdup(json_string_value(json_object_get(rc, "accessKeyId")))
                : NULL;
    e->secret =
        json_string_value(json_object_get(rc, "secretAccessKey"))
            ? strdup(json_string_value(json_object_get(rc, "secretAccessKey")))
            : NULL;
    e->token =
        json_string_value(json_object_get(rc, "sessionToken"))
            ? strdup(json_string_value(json_object_get(rc, "sessionToken")))
            : NULL;
    e->expiry = json_integer_value(json_object_get(rc, "expiration")) / 1000;
    json_decref(j);
    t = (time_t)e->expiry;
    if(!e->id || !e->secret || !e->token || !e->expiry || !gmtime_r(&t, &tm))
        return creds_fail(err, IAM_EPARSE, "KeyError", "'roleCredentials'");
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    e->expiration = strdup(when);
    return e->expiration ? IAM_OK
                         : creds_fail(err, IAM_ENOMEM, "MemoryError",
                                      "out of memory");
}

static int get_role_credentials(const struct chain *ch, const struct sso *s,
                                const char *tok, struct cache_entry *e,
                                struct iam_err *err)
{
    const char *base = creds_nonempty(getenv("AWS_ENDPOINT_URL_SSO"));
    const char *h[2] = {"x-amz-sso_bearer_token", tok};
    struct creds_http q = {0};
    struct iam_err te;
    struct buf b, url;
    char why[1200];
    long status;
    int rc;
    buf_init(&url, 8192);
    if(base)
        rc = buf_printf(&url, "%s%s", base,
                        base[strlen(base) - 1] == '/' ? "" : "/");
    else
        rc = buf_printf(&url, "https://portal.sso.%s.amazonaws.com/",
                        s->region);
    rc = rc ? rc : buf_adds(&url, "federation/credentials?role_name=");
    rc = rc ? rc : sigv4_uri_encode(&url, s->role, strlen(s->role), 0);
    rc = rc ? rc : buf_adds(&url, "&account_id=");
    rc = rc ? rc : sigv4_uri_encode(&url, s->account, strlen(s->account), 0);
    if(rc) {
        buf_free(&url);
        return creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    }
    q.method = "GET";
    q.url = url.data;
    q.headers = h;
    q.nheaders = 1;
    iam_err_clear(&te);
    creds_trace(ch->ctx, "Calling SSO GetRoleCredentials at %s", url.data);
    rc = creds_http_do(ch->ctx, &q, &status, &b, &te);
    if(rc) {
        creds_http_why(&te, url.data, why, sizeof(why));
        rc = creds_fail(err, rc, "EndpointConnectionError", "%s", why);
    } else if(status != 200)
        rc = portal_error(status, &b, err);
    else
        rc = parse(&b, e, err);
    buf_wipe(&b);
    buf_free(&url);
    return rc;
}

int creds_load_sso(const struct chain *ch, struct creds *out, int *found,
                   struct iam_err *err)
{
    struct sso s = {0};
    struct cache_entry e = {0};
    char key[41], *tok = NULL;
    int rc;
    if(!config_has(ch->cfg, ch->name, "sso_account_id") &&
       !config_has(ch->cfg, ch->name, "sso_role_name"))
        return IAM_OK;
    rc = sso_config(ch, &s, err);
    if(rc)
        return rc;
    if(cache_key_sso(s.account, s.role, s.session, s.start_url, key))
        return creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    if(!cache_get(key, (long long)time(NULL), &e)) {
        struct sso_token_req q;
        q.session = s.session;
        q.start_url = s.start_url;
        q.region = s.region;
        /* the sso client is made (its region checked) before the token
         * is loaded */
        rc = check_region(s.region, err);
        if(!rc)
            rc = sso_token_get(ch->ctx, &q, &tok, err);
        if(!rc)
            rc = get_role_credentials(ch, &s, tok, &e, err);
        creds_wipe_str(tok);
        if(!rc)
            cache_put(key, &e, 1);
    }
    if(!rc)
        rc = creds_set(out, e.id, e.secret, e.token, found, err);
    if(!rc)
        out->expiry = e.expiry;
    cache_entry_free(&e);
    return rc;
}
