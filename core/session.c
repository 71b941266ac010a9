/* session.c - settings resolution, request signing, response decoding
 * (see session.h). */
#include "session.h"

#include "buf.h"
#include "config.h"
#include "creds.h"
#include "jitter.h"
#include "jsonproto.h"
#include "proxy.h"
#include "query.h"
#include "redact.h"
#include "sigv4.h"
#include "sts.h"

#include <jansson.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct session {
    char *service, *profile_opt, *region_opt, *endpoint_opt, *ca_opt;
    char *user_agent;
    int verify_tls, sign;
    long connect_ms, read_ms;
    void (*trace)(void *ud, const char *line);
    void *trace_ud;
    int (*prompt)(void *ud, const char *prompt, char *buf, size_t len,
                  struct iam_err *err);
    void *prompt_ud;
    char *retry_mode_opt, *max_attempts_opt;
    int skew_opt;
    int external_creds, credential_sts;
    /* resolved */
    int resolved, config_loaded, checked;
    struct iam_err resolve_err, config_err, check_err;
    struct config *cfg;
    char *profile, *region, *ca_bundle;
    int profile_named;    /* profile came from --profile or the environment */
    int profile_explicit; /* from --profile: drops environment credentials */
    struct creds creds;
    struct creds_ctx cctx; /* what creds_refresh needs, set with creds */
    struct endpoint ep;
    struct retry retry;
    int correct_skew;
    long long skew; /* seconds to add to our clock when signing */
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int session_new(const struct session_opts *o, struct session **out,
                struct iam_err *err)
{
    struct session *s = calloc(1, sizeof(*s));
    *out = NULL;
    if(!s)
        return iam_errf(err, IAM_ENOMEM, "out of memory");
    s->service = strdup(o->service ? o->service : "iam");
    s->profile_opt = dup_or_null(o->profile);
    s->region_opt = dup_or_null(o->region);
    s->endpoint_opt = dup_or_null(o->endpoint_url);
    s->ca_opt = dup_or_null(o->ca_bundle);
    s->user_agent = dup_or_null(o->user_agent);
    s->verify_tls = o->verify_tls;
    s->sign = o->sign;
    s->connect_ms = o->connect_timeout_ms < 0 ? 60000 : o->connect_timeout_ms;
    s->read_ms = o->read_timeout_ms < 0 ? 60000 : o->read_timeout_ms;
    s->trace = o->trace;
    s->trace_ud = o->trace_ud;
    s->prompt = o->prompt;
    s->prompt_ud = o->prompt_ud;
    s->retry_mode_opt = dup_or_null(o->retry_mode);
    s->max_attempts_opt = dup_or_null(o->max_attempts);
    s->skew_opt = o->correct_clock_skew;
    s->external_creds = o->external_credentials;
    s->credential_sts = o->credential_sts;
    /* It becomes a header line as it is: a CR or LF would add headers. */
    if(o->user_agent && strpbrk(o->user_agent, "\r\n")) {
        session_free(s);
        return iam_errf(err, IAM_EINVAL, "user_agent must not contain CR, "
                                         "LF or NUL characters");
    }
    if((o->retry_mode && !s->retry_mode_opt) ||
       (o->max_attempts && !s->max_attempts_opt) ||
       !s->service || (o->profile && !s->profile_opt) ||
       (o->region && !s->region_opt) ||
       (o->endpoint_url && !s->endpoint_opt) ||
       (o->ca_bundle && !s->ca_opt) || (o->user_agent && !s->user_agent)) {
        session_free(s);
        return iam_errf(err, IAM_ENOMEM, "out of memory");
    }
    *out = s;
    return IAM_OK;
}

void session_free(struct session *s)
{
    if(!s)
        return;
    free(s->service);
    free(s->profile_opt);
    free(s->region_opt);
    free(s->endpoint_opt);
    free(s->ca_opt);
    free(s->user_agent);
    free(s->retry_mode_opt);
    free(s->max_attempts_opt);
    free(s->profile);
    free(s->region);
    free(s->ca_bundle);
    creds_free(&s->creds);
    config_free(s->cfg);
    free(s);
}

/* Formats one trace line and hands it to the trace callback. Most lines
 * fit the stack buffer; a longer one (a request or response body) is
 * formatted again into one of its exact size, so it is never cut. */
#ifdef __GNUC__
__attribute__((format(printf, 2, 3)))
#endif
static void tracef(struct session *s, const char *fmt, ...)
{
    va_list ap;
    char small[512], *big;
    int n;
    if(!s->trace)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if(n < 0)
        return;
    if((size_t)n < sizeof(small)) {
        s->trace(s->trace_ud, small);
        return;
    }
    big = malloc((size_t)n + 1);
    if(!big) { /* out of memory: the line's start is better than nothing */
        s->trace(s->trace_ud, small);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->trace(s->trace_ud, big);
    free(big);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* botocore's validate_region_name: a DNS host label of at most 63
 * characters, not all digits; empty passes. */
static int valid_region(const char *r)
{
    size_t i, n = strlen(r);
    int digits = 1;
    if(n == 0)
        return 1;
    if(n > 63 || r[0] == '-' || r[n - 1] == '-')
        return 0;
    for(i = 0; i < n; i++) {
        if(!isalnum((unsigned char)r[i]) && r[i] != '-')
            return 0;
        if(!isdigit((unsigned char)r[i]))
            digits = 0;
    }
    return !digits;
}

static int set_str(char **dst, const char *v, struct iam_err *err)
{
    free(*dst);
    *dst = v ? strdup(v) : NULL;
    if(v && !*dst)
        return iam_errf(err, IAM_ENOMEM, "out of memory");
    return IAM_OK;
}

/* Profile: --profile (an empty one is ignored, as the CLI does),
 * AWS_PROFILE, AWS_DEFAULT_PROFILE (set but empty still counts), else
 * "default". A named profile that exists in neither file is botocore's
 * ProfileNotFound. */
static int resolve_profile(struct session *s, struct iam_err *err)
{
    int explicit_profile = 0;
    const char *p = config_profile_name(s->profile_opt, &explicit_profile);
    int rc;
    s->profile_named = p != NULL;
    s->profile_explicit = explicit_profile;
    rc = set_str(&s->profile, p ? p : "default", err);
    if(rc)
        return rc;
    return config_check_profile(s->cfg, p, err);
}

static int resolve_region(struct session *s, struct iam_err *err)
{
    const char *r = s->region_opt;
    /* Set but empty is a region too, "" (botocore's EnvironmentProvider
     * returns what is set; validate_region_name accepts it). */
    if(!r)
        r = getenv("AWS_REGION");
    if(!r)
        r = getenv("AWS_DEFAULT_REGION");
    if(!r)
        r = config_get(s->cfg, s->profile, "region");
    if(r && !valid_region(r)) {
        iam_errf(err, IAM_ECONFIG,
                 "Provided region_name '%s' doesn't match a supported format.",
                 r);
        snprintf(err->code, sizeof(err->code), "InvalidRegionError");
        return iam_err_kind(err, IAM_KIND_CONFIG);
    }
    return set_str(&s->region, r, err);
}

/* --endpoint-url, then AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL and the
 * profile's endpoint_url, as AWS CLI versions with configured endpoints do
 * (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns the latter three off). */
static const char *endpoint_url(struct session *s)
{
    char name[64];
    size_t i;
    const char *v, *ign;
    if(s->endpoint_opt)
        return s->endpoint_opt;
    ign = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if(ign && strcasecmp(ign, "true") == 0)
        return NULL;
    snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", s->service);
    for(i = 17; name[i]; i++)
        name[i] = (char)toupper((unsigned char)name[i]);
    v = env(name);
    if(!v)
        v = env("AWS_ENDPOINT_URL");
    if(!v)
        v = config_get(s->cfg, s->profile, "endpoint_url");
    return v;
}

/* Stage one: the config files and the profile, enough to read settings. */
static int load_config(struct session *s, struct iam_err *err)
{
    int rc;
    if(!s->config_loaded) {
        s->config_loaded = 1;
        rc = config_load(&s->cfg, &s->config_err);
        if(rc) {
            if(!s->config_err.code[0])
                snprintf(s->config_err.code, sizeof(s->config_err.code),
                         "ConfigParseError");
            iam_err_kind(&s->config_err, IAM_KIND_CONFIG);
        } else {
            resolve_profile(s, &s->config_err);
        }
    }
    if(s->config_err.st != IAM_OK) {
        if(err && err->st == IAM_OK)
            *err = s->config_err;
        return s->config_err.st;
    }
    return IAM_OK;
}

int session_setting(struct session *s, const char *key, const char **out,
                    struct iam_err *err)
{
    int rc = load_config(s, err);
    *out = rc ? NULL : config_get(s->cfg, s->profile, key);
    return rc;
}

/* Credentials, as botocore resolves them while creating the client: a
 * provider that fails (partial keys, a bad profile) fails now, before the
 * region is checked; "none found" waits until a request needs signing. */
static int resolve_creds(struct session *s, struct iam_err *err,
                         struct iam_err *none)
{
    struct iam_err e = {0};
    int rc;
    if(!s->sign || s->external_creds)
        return IAM_OK;
    s->cctx.cfg = s->cfg;
    s->cctx.profile = s->profile_named ? s->profile : NULL;
    s->cctx.profile_explicit = s->profile_explicit;
    s->cctx.region = s->region;
    s->cctx.ca_bundle = s->ca_bundle;
    s->cctx.verify_tls = s->verify_tls;
    s->cctx.connect_timeout_ms = s->connect_ms;
    s->cctx.read_timeout_ms = s->read_ms;
    s->cctx.prompt = s->prompt;
    s->cctx.prompt_ud = s->prompt_ud;
    s->cctx.trace = s->trace;
    s->cctx.trace_ud = s->trace_ud;
    rc = creds_resolve_ctx(&s->cctx, &s->creds, &e);
    if(rc == IAM_ECREDS && strcmp(e.code, "NoCredentialsError") == 0) {
        *none = e;
        iam_err_kind(none, IAM_KIND_CREDENTIALS);
        return IAM_OK;
    }
    if(rc) {
        if(!e.code[0])
            snprintf(e.code, sizeof(e.code), "CredentialRetrievalError");
        iam_err_kind(&e, rc == IAM_ENOTFOUND  ? IAM_KIND_CONFIG
                         : rc == IAM_ESERVICE ? IAM_KIND_SERVICE
                                              : IAM_KIND_CREDENTIALS);
        *err = e;
        return rc;
    }
    tracef(s, "Found credentials in %s", s->creds.source);
    return IAM_OK;
}

/* Seconds on a clock that never jumps, for backoff and send rates. */
static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int truthy(const char *v)
{
    return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* Retry mode and attempts (botocore checks them while creating the
 * client: after the profile and region name, before credentials), and the
 * opt-in clock-skew correction. */
static int resolve_retry(struct session *s, struct iam_err *err)
{
    struct retry_cfg cfg;
    const char *mode = s->retry_mode_opt, *max = s->max_attempts_opt, *v;
    if(!mode && !(mode = env("AWS_RETRY_MODE")))
        mode = config_get(s->cfg, s->profile, "retry_mode");
    if(!max && !(max = env("AWS_MAX_ATTEMPTS")))
        max = config_get(s->cfg, s->profile, "max_attempts");
    if(retry_cfg_parse(mode, max, &cfg, err) != IAM_OK)
        return iam_err_kind(err, IAM_KIND_CONFIG);
    retry_init(&s->retry, &cfg, now_mono());
    s->correct_skew = s->skew_opt;
    if(s->correct_skew < 0) {
        v = getenv("IAMLUA_CORRECT_CLOCK_SKEW");
        if(!v)
            v = config_get(s->cfg, s->profile, "correct_clock_skew");
        s->correct_skew = truthy(v);
    }
    return IAM_OK;
}

/* Stage two: what botocore checks while creating a client, before any
 * parameter is validated: the files and profile, the region's format, the
 * retry settings, the endpoint URL's host. Done once. */
static int client_checks(struct session *s, struct iam_err *err)
{
    if(!s->checked) {
        s->checked = 1;
        if(!load_config(s, &s->check_err) &&
           !resolve_region(s, &s->check_err) &&
           !resolve_retry(s, &s->check_err) && endpoint_url(s) &&
           endpoint_check_url(endpoint_url(s), &s->check_err))
            iam_err_kind(&s->check_err, IAM_KIND_CONFIG);
    }
    if(s->check_err.st != IAM_OK) {
        if(err && err->st == IAM_OK)
            *err = s->check_err;
        return s->check_err.st;
    }
    return IAM_OK;
}

int session_check(struct session *s, struct iam_err *err)
{
    return client_checks(s, err);
}

/* Where the credential chain's AssumeRole calls go (sts.c), for an STS
 * client that assumes a role on another client's behalf. */
static int credential_sts_endpoint(struct session *s, struct iam_err *err)
{
    struct creds_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.cfg = s->cfg;
    ctx.region = s->region;
    return sts_endpoint_resolve(&ctx, s->profile, &s->ep, err);
}

static int resolve_all(struct session *s, struct iam_err *err)
{
    struct iam_err none = {0};
    const char *ca;
    int rc = client_checks(s, err);
    if(rc)
        return rc;
    /* The CA bundle before credentials: providers that call out (STS,
     * SSO) verify TLS with it, as botocore's clients do. */
    ca = s->ca_opt ? s->ca_opt : env("AWS_CA_BUNDLE");
    if(!ca)
        ca = config_get(s->cfg, s->profile, "ca_bundle");
    rc = set_str(&s->ca_bundle, ca, err);
    if(!rc)
        rc = resolve_creds(s, err, &none);
    if(!rc && s->credential_sts && !s->endpoint_opt)
        rc = credential_sts_endpoint(s, err);
    else if(!rc)
        rc = endpoint_resolve(s->service, s->region, endpoint_url(s), &s->ep,
                              err);
    if(rc) {
        if(rc == IAM_ECONFIG)
            snprintf(err->code, sizeof(err->code), "NoRegionError");
        else if(!err->code[0])
            snprintf(err->code, sizeof(err->code), "ValueError");
        return iam_err_kind(err, IAM_KIND_CONFIG);
    }
    tracef(s, "Endpoint: %s (signing region %s, profile %s)", s->ep.url,
           s->ep.signing_region, s->profile);
    if(none.st != IAM_OK) {
        *err = none;
        return none.st;
    }
    return IAM_OK;
}

int session_resolve(struct session *s, struct iam_err *err)
{
    if(!s->resolved) {
        s->resolved = 1;
        resolve_all(s, &s->resolve_err);
    }
    if(s->resolve_err.st != IAM_OK) {
        if(err && err->st == IAM_OK)
            *err = s->resolve_err;
        return s->resolve_err.st;
    }
    return IAM_OK;
}

const char *session_region(const struct session *s)
{
    return s->region;
}

const char *session_profile(const struct session *s)
{
    return s->profile;
}

const char *session_cred_source(const struct session *s)
{
    return s->creds.source;
}

const struct endpoint *session_endpoint(const struct session *s)
{
    return &s->ep;
}

/* Traces `text` line by line with the session token masked: it shows up in
 * canonical requests as the x-amz-security-token header's value. */
static void trace_block(struct session *s, const char *label, const char *text)
{
    struct buf b;
    const char *tok = s->creds.session_token, *p = text, *hit;
    size_t tl = tok ? strlen(tok) : 0;
    if(!s->trace)
        return;
    buf_init(&b, 1 << 20);
    while(tl && (hit = strstr(p, tok)) != NULL) {
        buf_add(&b, p, (size_t)(hit - p));
        buf_adds(&b, "[REDACTED]");
        p = hit + tl;
    }
    buf_adds(&b, p);
    tracef(s, "%s:\n%s", label, b.data ? b.data : "");
    buf_wipe(&b);
}

/* The request as --debug shows it: its body with secret parameters
 * (passwords, private keys, assertions) redacted. */
static void trace_body(struct session *s, const struct treq *r)
{
    struct buf b;
    if(!s->trace)
        return;
    buf_init(&b, r->body.len + (64 << 10));
    if(redact_query(&b, r->body.data ? r->body.data : "", r->body.len) ==
       IAM_OK)
        tracef(s, "Sending POST %s (%zu bytes): %s", r->url, r->body.len,
               b.data ? b.data : "");
    else
        tracef(s, "Sending POST %s (%zu bytes)", r->url, r->body.len);
    buf_wipe(&b);
}

/* The response as --debug shows it: secret elements (keys, session
 * tokens, service passwords, MFA seeds) redacted. */
static void trace_response(struct session *s, const struct treq *r)
{
    struct buf b;
    if(!s->trace)
        return;
    buf_init(&b, r->resp.len + (64 << 10));
    if(redact_xml(&b, r->resp.data ? r->resp.data : "", r->resp.len) ==
       IAM_OK)
        tracef(s, "Response: HTTP %ld, %zu bytes:\n%s", r->status,
               r->resp.len, b.data ? b.data : "");
    else
        tracef(s, "Response: HTTP %ld, %zu bytes", r->status, r->resp.len);
    buf_wipe(&b);
}

static int add_params(struct buf *body, const char *action, const char *ver,
                      const char *const *names, const size_t *nlens,
                      const char *const *values, const size_t *vlens, size_t n)
{
    size_t i;
    int rc = query_add(body, "Action", 6, action, strlen(action));
    if(!rc)
        rc = query_add(body, "Version", 7, ver, strlen(ver));
    for(i = 0; i < n && !rc; i++)
        rc = query_add(body, names[i], nlens[i], values[i], vlens[i]);
    return rc;
}

/* Signs r (headers so far: Content-Type, Host, X-Amz-Target when given)
 * and adds X-Amz-Date, the session token and Authorization to it. */
static int sign_request(struct session *s, struct treq *r, const char *host,
                        const char *path, const char *ctype,
                        const char *target, struct iam_err *err)
{
    struct sigv4_header hdrs[3] = {
        {"Content-Type", 12, ctype, strlen(ctype)},
        {"Host", 4, host, strlen(host)},
        {"X-Amz-Target", 12, target, target ? strlen(target) : 0}};
    struct sigv4_request req = {0};
    struct sigv4_params p = {0};
    struct sigv4_result out;
    size_t i;
    int rc;
    req.method = r->method;
    req.path = path;
    req.path_len = strlen(path);
    req.headers = hdrs;
    req.nheaders = target ? 3 : 2;
    req.body = r->body.data ? r->body.data : "";
    req.body_len = r->body.len;
    p.service = s->ep.signing_name;
    p.region = s->ep.signing_region;
    p.access_key_id = s->creds.access_key_id;
    p.secret_access_key = s->creds.secret_access_key;
    p.session_token = s->creds.session_token;
    p.time = (long long)time(NULL) + s->skew;
    p.normalize_path = 1;
    p.double_encode = 1;
    sigv4_result_init(&out);
    rc = sigv4_sign(&req, &p, &out, err);
    for(i = 0; !rc && i < out.nadded; i++)
        rc = treq_header(r, out.added[i].name, out.added[i].value);
    if(!rc)
        rc = treq_header(r, "Authorization", out.authorization.data);
    if(!rc && s->trace) {
        trace_block(s, "Canonical request", out.canonical_request.data);
        trace_block(s, "String to sign", out.string_to_sign.data);
        tracef(s, "Authorization: AWS4-HMAC-SHA256 Credential=%s/..., "
                  "Signature=[REDACTED]", s->creds.access_key_id);
    }
    sigv4_result_free(&out);
    if(rc == IAM_ENOMEM)
        iam_errf(err, rc, "out of memory");
    return rc;
}

int session_set_credentials(struct session *s, const char *id,
                            const char *secret, const char *token,
                            long long expiry, const char *source,
                            struct iam_err *err)
{
    struct creds c;
    memset(&c, 0, sizeof(c));
    c.access_key_id = strdup(id);
    c.secret_access_key = strdup(secret);
    c.session_token = token && *token ? strdup(token) : NULL;
    if(!c.access_key_id || !c.secret_access_key ||
       (token && *token && !c.session_token)) {
        creds_free(&c);
        return iam_errf(err, IAM_ENOMEM, "out of memory");
    }
    c.expiry = expiry;
    snprintf(c.source, sizeof(c.source), "%s", source ? source : "explicit");
    creds_free(&s->creds);
    s->creds = c;
    tracef(s, "Using credentials from %s", s->creds.source);
    return IAM_OK;
}

int session_credentials_expiry(const struct session *s, long long *expiry)
{
    *expiry = s->creds.expiry;
    return s->creds.access_key_id != NULL;
}

/* Before signing with external credentials: there are some, and they
 * have not expired (the script's provider renews them in time). */
static int external_creds_check(struct session *s, struct iam_err *err)
{
    if(!s->creds.access_key_id)
        return iam_errc(err, IAM_ECREDS, "NoCredentialsError",
                        "Unable to locate credentials. You can configure "
                        "credentials by running \"aws configure\".");
    return creds_check_expiry(&s->creds, (long long)time(NULL), err);
}

/* A new request to the endpoint: *host and *path (into s->ep.url) say
 * where it goes. */
static int begin_request(struct session *s, struct treq **out, char *host,
                         size_t hostsz, const char **path, struct iam_err *err)
{
    struct treq *r;
    int rc = session_resolve(s, err);
    *out = NULL;
    if(rc)
        return rc;
    r = treq_new();
    if(!r)
        return iam_errf(err, IAM_ENOMEM, "out of memory");
    rc = endpoint_split(s->ep.url, host, hostsz, path, err);
    r->url = strdup(s->ep.url);
    if(!rc && !r->url)
        rc = iam_errf(err, IAM_ENOMEM, "out of memory");
    if(rc) {
        treq_free(r);
        return rc;
    }
    *out = r;
    return IAM_OK;
}

/* Headers, signature and transfer options of a request whose body is in
 * place; frees r on failure. target: X-Amz-Target (JSON protocol) or
 * NULL. */
static int finish_request(struct session *s, struct treq *r, const char *host,
                          const char *path, const char *ctype,
                          const char *target, struct iam_err *err)
{
    int rc = treq_header(r, "Content-Type", ctype);
    if(!rc && target)
        rc = treq_header(r, "X-Amz-Target", target);
    if(!rc)
        rc = treq_header(r, "Host", host);
    /* libcurl would otherwise wait for "100 Continue" on larger bodies. */
    if(!rc)
        rc = treq_header(r, "Expect", "");
    if(!rc && s->user_agent)
        rc = treq_header(r, "User-Agent", s->user_agent);
    if(!rc && s->sign) {
        /* Temporary credentials are renewed before they run out, also in
         * the middle of a long script. */
        rc = s->external_creds
                 ? external_creds_check(s, err)
                 : creds_refresh(&s->cctx, &s->creds, (long long)time(NULL),
                                 err);
        if(rc) {
            treq_free(r);
            if(!err->code[0])
                snprintf(err->code, sizeof(err->code),
                         "CredentialRetrievalError");
            return iam_err_kind(err, IAM_KIND_CREDENTIALS);
        }
        rc = sign_request(s, r, host, *path ? path : "/", ctype, target, err);
    }
    if(rc) {
        /* a header that would have added lines: treq_header said which */
        if(rc == IAM_EINVAL && r->err.st == IAM_EINVAL)
            iam_errc(err, rc, "ValueError", "%s", r->err.msg);
        treq_free(r);
        return iam_errf(err, rc, "out of memory");
    }
    r->opts.connect_timeout_ms = s->connect_ms;
    r->opts.read_timeout_ms = s->read_ms;
    r->opts.verify_tls = s->verify_tls;
    /* The request keeps its own copies: it may wait out a backoff after
     * the client that built it was closed. */
    if(treq_set_paths(r, s->ca_bundle, proxy_for(r->url)) != IAM_OK) {
        treq_free(r);
        return iam_errf(err, IAM_ENOMEM, "out of memory");
    }
    trace_body(s, r);
    return IAM_OK;
}

int session_prepare(struct session *s, const char *action,
                    const char *const *names, const size_t *nlens,
                    const char *const *values, const size_t *vlens, size_t n,
                    struct treq **out, struct iam_err *err)
{
    char host[512];
    const char *path;
    struct treq *r;
    int rc = begin_request(s, &r, host, sizeof(host), &path, err);
    *out = NULL;
    if(rc)
        return rc;
    if(s->ep.target_prefix) {
        treq_free(r);
        return iam_errf(err, IAM_EINVAL, "%s speaks the JSON protocol",
                        s->service);
    }
    rc = add_params(&r->body, action, s->ep.api_version, names, nlens,
                    values, vlens, n);
    if(rc) {
        treq_free(r);
        return iam_errf(err, rc, rc == IAM_ETOOBIG
                                     ? "request parameters are too large"
                                     : "out of memory");
    }
    rc = finish_request(s, r, host, path,
                        "application/x-www-form-urlencoded; charset=utf-8",
                        NULL, err);
    if(!rc)
        *out = r;
    return rc;
}

int session_prepare_json(struct session *s, const char *action,
                         const char *body, size_t len, struct treq **out,
                         struct iam_err *err)
{
    char host[512], target[192];
    const char *path;
    struct treq *r;
    int rc = begin_request(s, &r, host, sizeof(host), &path, err);
    *out = NULL;
    if(rc)
        return rc;
    if(!s->ep.target_prefix) {
        treq_free(r);
        return iam_errf(err, IAM_EINVAL, "%s speaks the Query protocol",
                        s->service);
    }
    rc = jsonproto_target(s->ep.target_prefix, action, target, sizeof(target),
                          err);
    if(!rc && buf_add(&r->body, body, len) != IAM_OK)
        rc = iam_errf(err, IAM_ETOOBIG, "request parameters are too large");
    if(rc) {
        treq_free(r);
        return rc;
    }
    rc = finish_request(s, r, host, path, s->ep.json_content_type, target,
                        err);
    if(!rc)
        *out = r;
    return rc;
}

/* Words a transport failure as botocore's exception for it. */
static int transport_error(struct session *s, struct treq *r,
                           struct iam_err *err)
{
    const struct iam_err *te = &r->err;
    const char *code = "EndpointConnectionError";
    iam_err_clear(err);
    switch(te->st) {
    case IAM_ETIMEOUT:
        if(strncmp(te->msg, "Operation too slow", 18) == 0) {
            code = "ReadTimeoutError";
            iam_errf(err, IAM_ETIMEOUT, "Read timeout on endpoint URL: \"%s\"",
                     r->url);
        } else {
            code = "ConnectTimeoutError";
            iam_errf(err, IAM_ETIMEOUT,
                     "Connect timeout on endpoint URL: \"%s\"", r->url);
        }
        break;
    case IAM_ETLS:
        code = "SSLError";
        iam_errf(err, IAM_ETLS, "SSL validation failed for %s %s", r->url,
                 te->msg);
        break;
    case IAM_ETOOBIG:
        code = "ResponseTooLarge";
        iam_errf(err, IAM_ETOOBIG,
                 "Response from endpoint URL \"%s\" is larger than %zu bytes",
                 r->url, r->opts.max_body);
        break;
    case IAM_ENOMEM:
        code = "MemoryError";
        iam_errf(err, IAM_ENOMEM, "out of memory");
        break;
    case IAM_EINTR:
        code = "KeyboardInterrupt";
        iam_errf(err, IAM_EINTR, "interrupted");
        break;
    default:
        if(te->http_status == -2) {
            char shown[1024]; /* botocore's mask_proxy_url: no password */
            proxy_mask(r->opts.proxy ? r->opts.proxy : "", shown,
                       sizeof(shown));
            code = "ProxyConnectionError";
            iam_errf(err, IAM_ECONN, "Failed to connect to proxy URL: \"%s\"",
                     shown);
        } else if(te->http_status == -1)
            iam_errf(err, IAM_ECONN,
                     "Could not connect to the endpoint URL: \"%s\"", r->url);
        else {
            code = "ConnectionClosedError";
            iam_errf(err, IAM_ECONN,
                     "Connection was closed before we received a valid "
                     "response from endpoint URL: \"%s\".", r->url);
        }
    }
    snprintf(err->code, sizeof(err->code), "%s", code);
    if(s->trace) { /* transport.c scrubbed libcurl's text; so do we */
        char why[sizeof(te->msg)];
        snprintf(why, sizeof(why), "%s", te->msg);
        proxy_scrub(r->opts.proxy, why, sizeof(why));
        tracef(s, "Transport error: %s (%s)", err->msg, why);
    }
    return iam_err_kind(err, IAM_KIND_CONNECTION);
}

/* botocore's ResponseParserError. Where expat's wording is predictable (an
 * empty body, text that is not markup) it is used; otherwise libxml2's. */
static int parser_error(struct treq *r, const char *why, struct iam_err *err)
{
    struct buf b, clean;
    const char *body = r->resp.data ? r->resp.data : "";
    size_t n = r->resp.len;
    iam_err_clear(err);
    buf_init(&b, 64 << 10);
    if(n == 0)
        why = "no element found: line 1, column 0";
    else if(body[0] != '<' ||
            (n > 2 && body[1] == '!' && strncmp(body, "<!DOCTYPE", 9) != 0 &&
             strncmp(body, "<!--", 4) != 0))
        why = "syntax error: line 1, column 0"; /* e.g. <!doctype html> */
    /* A cut-off STS answer would otherwise quote its secret key. */
    buf_init(&clean, n + (64 << 10));
    if(redact_xml(&clean, body, n) == IAM_OK) {
        body = clean.data ? clean.data : "";
        n = clean.len;
    } else {
        body = "";
        n = 0;
    }
    buf_add_repr(&b, body, n);
    buf_wipe(&clean);
    iam_errf(err, IAM_EPARSE, "Unable to parse response (%s), invalid XML "
             "received. Further retries may succeed:\n%s", why,
             b.data ? b.data : "b''");
    buf_free(&b);
    snprintf(err->code, sizeof(err->code), "ResponseParserError");
    return iam_err_kind(err, IAM_KIND_CONNECTION);
}

/* botocore's _is_generic_error_response: a 5xx whose body is empty or an
 * HTML page carries no error document. */
static int generic_error(const struct treq *r)
{
    const char *p = r->resp.data ? r->resp.data : "";
    size_t n = r->resp.len;
    if(r->status < 500)
        return 0;
    while(n && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
        n--;
    }
    return n == 0 || (n >= 6 && memcmp(p, "<html>", 6) == 0);
}

/* A response with status >= 300: the ErrorResponse document, or botocore's
 * generic error (the status number as code, its standard reason as
 * message) for an empty or HTML 5xx body. */
static int service_error(struct treq *r, struct xml_doc *doc,
                         struct iam_err *err)
{
    iam_err_clear(err);
    if(doc && xml_error_response(xml_root(doc), err) == IAM_ESERVICE) {
        err->http_status = (int)r->status;
        return IAM_ESERVICE;
    }
    if(doc && !generic_error(r)) {
        /* An XML body without an <Error>: botocore's ClientError defaults. */
        iam_errf(err, IAM_ESERVICE, "Unknown");
        snprintf(err->code, sizeof(err->code), "Unknown");
        err->http_status = (int)r->status;
        return iam_err_kind(err, IAM_KIND_SERVICE);
    }
    iam_errf(err, IAM_ESERVICE, "%s", iam_http_reason(r->status));
    snprintf(err->code, sizeof(err->code), "%ld", r->status);
    err->http_status = (int)r->status;
    return iam_err_kind(err, IAM_KIND_SERVICE);
}

int session_response(struct session *s, struct treq *r, const char *action,
                     struct xml_doc **doc, const struct xml_node **result,
                     struct iam_err *err)
{
    struct xml_limits lim;
    struct iam_err perr;
    char name[160];
    int rc;
    *doc = NULL;
    *result = NULL;
    if(r->err.st != IAM_OK)
        return transport_error(s, r, err);
    trace_response(s, r);
    xml_limits_default(&lim);
    lim.max_bytes = r->opts.max_body;
    iam_err_clear(&perr);
    rc = xml_parse(r->resp.data ? r->resp.data : "", r->resp.len, &lim, doc,
                   &perr);
    if(rc == IAM_ENOMEM) { /* not the server's fault: say so */
        *err = perr;
        return iam_err_kind(err, IAM_KIND_INTERNAL);
    }
    if(r->status < 200 || r->status >= 300) {
        if(rc && !generic_error(r))
            rc = parser_error(r, perr.msg, err);
        else
            rc = service_error(r, rc ? NULL : *doc, err);
        xml_free(*doc);
        *doc = NULL;
        return rc;
    }
    if(rc)
        return parser_error(r, perr.msg, err);
    /* A 200 can still carry an ErrorResponse; treat it as the error. */
    if(xml_error_response(xml_root(*doc), err) == IAM_ESERVICE) {
        err->http_status = (int)r->status;
        xml_free(*doc);
        *doc = NULL;
        return IAM_ESERVICE;
    }
    snprintf(name, sizeof(name), "%sResult", action);
    *result = xml_child(xml_root(*doc), name);
    return IAM_OK;
}

int session_response_json(struct session *s, struct treq *r,
                          const char *action, json_t **out,
                          struct iam_err *err)
{
    struct jsonproto_resp jr;
    (void)action;
    *out = NULL;
    if(r->err.st != IAM_OK)
        return transport_error(s, r, err);
    /* Traced as it came: JSON answers of the services here (Organizations)
     * have no secret members (redact.h's list is of Query elements). */
    tracef(s, "Response: HTTP %ld, %zu bytes:\n%s", r->status, r->resp.len,
           r->resp.data ? r->resp.data : "");
    jr.status = r->status;
    jr.body = r->resp.data;
    jr.len = r->resp.len;
    jr.request_id = r->resp_request_id;
    jr.query_error = r->resp_query_error;
    return jsonproto_response(&jr, out, err);
}

double session_admit(void *session)
{
    struct session *s = session;
    if(!s->resolved || s->resolve_err.st != IAM_OK)
        return 0;
    return retry_before_send(&s->retry, now_mono());
}

/* An HTTP date ("Sat, 28 Nov 2026 00:40:00 GMT", RFC 7231's preferred
 * format) in epoch seconds; -1 if it is not one. */
static long long http_date(const char *d)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4];
    int day, y, h, mi, sec, m;
    long long days;
    const char *hit;
    if(!d || sscanf(d, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &day, mon, &y,
                    &h, &mi, &sec) != 6)
        return -1;
    mon[3] = '\0';
    hit = strlen(mon) == 3 ? strstr(months, mon) : NULL;
    if(!hit || (hit - months) % 3 || day < 1 || day > 31 || y < 1970 ||
       y > 9999 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return -1;
    m = (int)(hit - months) / 3 + 1;
    /* days from civil (Howard Hinnant's algorithm) */
    y -= m <= 2;
    {
        long long era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 +
                                  day - 1);
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        days = era * 146097 + (long long)doe - 719468;
    }
    return days * 86400 + h * 3600 + mi * 60 + sec;
}

/* The service said the request's time was off: with correction on and the
 * server's Date more than a minute from our (corrected) clock, adopt the
 * server's clock and send again at once, once per request. */
static int skew_retry(struct session *s, struct retry_call *rc,
                      const struct treq *r, const struct iam_err *err)
{
    static const char *const codes[] = {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
        "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"};
    long long server, ours, off;
    size_t i;
    int hit = 0;
    if(!s->correct_skew || rc->skew_fixed || err->st != IAM_ESERVICE || !r)
        return 0;
    for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        hit |= strcmp(err->code, codes[i]) == 0;
    server = http_date(r->resp_date.data);
    if(!hit || server < 0)
        return 0;
    ours = (long long)time(NULL);
    off = server - ours;
    if(off - s->skew < 60 && s->skew - off < 60)
        return 0; /* our clock agrees: a real signature problem */
    if(off > 86400 || off < -86400)
        return 0; /* not a clock a server should be trusted to set */
    tracef(s, "Clock skew: the server's clock is %+lld s from ours; "
              "signing with the server's time", off);
    s->skew = off;
    rc->skew_fixed = 1;
    return 1;
}

int session_retry(struct session *s, struct retry_call *rc,
                  const struct treq *r, struct iam_err *err, double *delay)
{
    double r01;
    *delay = 0;
    if(!s->resolved || s->resolve_err.st != IAM_OK)
        return 0;
    if(skew_retry(s, rc, r, err))
        return 1;
    /* A random draw only when an error may be retried: the success path
     * stays free of it. */
    r01 = err->st != IAM_OK ? jitter_rand() : 0.5;
    if(!retry_after(&s->retry, rc, err, now_mono(), r01, delay))
        return 0;
    tracef(s, "Retry needed (%s), retrying request after delay of: %.3f s",
           err->code[0] ? err->code : iam_strstatus(err->st), *delay);
    return 1;
}
