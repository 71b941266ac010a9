/* sts.c - AssumeRole and AssumeRoleWithWebIdentity (see sts.h). */
#include "sts.h"
#include "creds_int.h"
#include "endpoint.h"
#include "jitter.h"
#include "query.h"
#include "retry.h"
#include "sigv4.h"
#include "xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CTYPE "application/x-www-form-urlencoded; charset=utf-8"
#define STS_MAX_BODY (1 << 20)

/* Regions botocore's legacy STS mode sends to sts.amazonaws.com. */
static int legacy_global(const char *region)
{
    static const char *const g[] = {
        "ap-northeast-1", "ap-south-1",   "ap-southeast-1", "ap-southeast-2",
        "aws-global",     "ca-central-1", "eu-central-1",   "eu-north-1",
        "eu-west-1",      "eu-west-2",    "eu-west-3",      "sa-east-1",
        "us-east-1",      "us-east-2",    "us-west-1",      "us-west-2"};
    size_t i;
    for(i = 0; region && i < sizeof(g) / sizeof(g[0]); i++)
        if(strcmp(region, g[i]) == 0)
            return 1;
    return 0;
}

int sts_endpoint_resolve(const struct creds_ctx *ctx, const char *profile,
                         struct endpoint *ep, struct iam_err *err)
{
    const char *url = creds_nonempty(getenv("AWS_ENDPOINT_URL_STS"));
    const char *region = ctx->region, *mode;
    if(!url)
        url = creds_nonempty(getenv("AWS_ENDPOINT_URL"));
    if(!url)
        url = creds_nonempty(config_get(ctx->cfg, profile, "endpoint_url"));
    mode = config_setting(ctx->cfg, profile, "AWS_STS_REGIONAL_ENDPOINTS",
                          "sts_regional_endpoints");
    if(!url && mode && strcasecmp(mode, "legacy") == 0 &&
       legacy_global(region))
        region = "aws-global";
    /* No region anywhere: botocore signs an overridden STS endpoint for
     * the global endpoint's region, as it does the global endpoint. */
    if(url && !region)
        region = "us-east-1";
    return endpoint_resolve("sts", region, url, ep, err);
}

static int add(struct buf *b, const char *name, const char *value)
{
    return query_add(b, name, strlen(name), value, strlen(value));
}

/* Members in the order of botocore's input shapes. */
static int encode(const struct sts_call *c, struct buf *b)
{
    char dur[24];
    int web = c->web_token != NULL, rc;
    rc = add(b, "Action", web ? "AssumeRoleWithWebIdentity" : "AssumeRole");
    if(!rc)
        rc = add(b, "Version", "2011-06-15");
    if(!rc)
        rc = add(b, "RoleArn", c->role_arn);
    if(!rc)
        rc = add(b, "RoleSessionName", c->session_name);
    if(!rc && web)
        rc = add(b, "WebIdentityToken", c->web_token);
    snprintf(dur, sizeof(dur), "%ld", c->duration);
    if(!rc && c->has_duration)
        rc = add(b, "DurationSeconds", dur);
    if(!rc && !web && c->external_id)
        rc = add(b, "ExternalId", c->external_id);
    if(!rc && !web && c->serial)
        rc = add(b, "SerialNumber", c->serial);
    if(!rc && !web && c->serial && c->token_code)
        rc = add(b, "TokenCode", c->token_code);
    return rc;
}

/* Signs the POST; hdrs receives name/value pairs (values owned by res). */
static int sign(const struct sts_call *c, const struct endpoint *ep,
                const char *host, const char *path, const struct buf *body,
                struct sigv4_result *res, struct iam_err *err)
{
    struct sigv4_header h[2] = {{"Content-Type", 12, CTYPE, sizeof(CTYPE) - 1},
                                {"Host", 4, host, strlen(host)}};
    struct sigv4_request req = {0};
    struct sigv4_params p = {0};
    req.method = "POST";
    req.path = path;
    req.path_len = strlen(path);
    req.headers = h;
    req.nheaders = 2;
    req.body = body->data ? body->data : "";
    req.body_len = body->len;
    p.service = "sts";
    p.region = ep->signing_region;
    p.access_key_id = c->source->access_key_id;
    p.secret_access_key = c->source->secret_access_key;
    p.session_token = c->source->session_token;
    p.time = (long long)time(NULL);
    p.normalize_path = 1;
    p.double_encode = 1;
    return sigv4_sign(&req, &p, res, err);
}

static const char *text(const struct xml_node *n, const char *path)
{
    n = xml_path(n, path);
    return n ? n->text : NULL;
}

static char *dup_text(const struct xml_node *n, const char *path)
{
    const char *s = text(n, path);
    return s ? strdup(s) : NULL;
}

/* Expiration as JSONFileCache writes a UTC datetime. */
static char *cache_time(long long epoch)
{
    char s[64];
    time_t t = (time_t)epoch;
    struct tm tm;
    if(!gmtime_r(&t, &tm) ||
       !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SUTC", &tm))
        return NULL;
    return strdup(s);
}

static int parse_ok(const char *op, const struct buf *resp,
                    struct cache_entry *out, struct iam_err *err)
{
    struct xml_doc *doc = NULL;
    const struct xml_node *r;
    char path[64];
    const char *exp;
    int rc = xml_parse(resp->data, resp->len, NULL, &doc, err);
    if(rc)
        return rc;
    r = xml_root(doc);
    snprintf(path, sizeof(path), "%sResult/Credentials/AccessKeyId", op);
    out->id = dup_text(r, path);
    snprintf(path, sizeof(path), "%sResult/Credentials/SecretAccessKey", op);
    out->secret = dup_text(r, path);
    snprintf(path, sizeof(path), "%sResult/Credentials/SessionToken", op);
    out->token = dup_text(r, path);
    snprintf(path, sizeof(path), "%sResult/Credentials/Expiration", op);
    exp = text(r, path);
    snprintf(path, sizeof(path), "%sResult/AssumedRoleUser/AssumedRoleId", op);
    out->role_id = dup_text(r, path);
    snprintf(path, sizeof(path), "%sResult/AssumedRoleUser/Arn", op);
    out->role_arn = dup_text(r, path);
    snprintf(out->request_id, sizeof(out->request_id), "%s",
             text(r, "ResponseMetadata/RequestId")
                 ? text(r, "ResponseMetadata/RequestId")
                 : "");
    if(!out->id || !out->secret || !out->token || !exp)
        rc = creds_fail(err, IAM_EPARSE, "KeyError",
                        "'%s' response lacks credentials", op);
    if(!rc)
        rc = creds_parse_time(exp, &out->expiry, err);
    if(!rc) {
        out->expiration = cache_time(out->expiry);
        if(!out->expiration)
            rc = creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    }
    xml_free(doc);
    return rc;
}

/* A failed call in botocore's ClientError words. */
static int service_error(const char *op, long status, const struct buf *resp,
                         struct iam_err *err)
{
    struct xml_doc *doc = NULL;
    struct iam_err e;
    iam_err_clear(&e);
    if(xml_parse(resp->data, resp->len, NULL, &doc, NULL) == IAM_OK)
        xml_error_response(xml_root(doc), &e);
    xml_free(doc);
    if(e.st == IAM_OK)
        snprintf(e.code, sizeof(e.code), "%ld", status);
    /* Worded by the binding as botocore's ClientError, with this
     * operation's name, and exiting as service errors do (254). */
    (void)creds_fail(err, IAM_ESERVICE, e.code, "%s",
                     e.st == IAM_OK ? "" : e.msg);
    if(err) {
        err->http_status = (int)status;
        snprintf(err->operation, sizeof(err->operation), "%s", op);
        snprintf(err->request_id, sizeof(err->request_id), "%s", e.request_id);
        err->kind = IAM_KIND_SERVICE;
    }
    return IAM_ESERVICE;
}

#define STS_ATTEMPTS 3

/* What botocore's standard retry mode retries, for a call that ended with
 * transport status rc (te) or HTTP status and body. */
static int retryable(int rc, const struct iam_err *te, long status,
                     const struct buf *resp)
{
    struct xml_doc *doc = NULL;
    struct iam_err e;
    int yes;
    if(rc)
        return te->st == IAM_ECONN || te->st == IAM_ETIMEOUT ||
               te->st == IAM_ETLS;
    if(status == 500 || status == 502 || status == 503 || status == 504)
        return 1;
    if(status < 400)
        return 0;
    iam_err_clear(&e);
    if(xml_parse(resp->data ? resp->data : "", resp->len, NULL, &doc,
                 NULL) == IAM_OK)
        xml_error_response(xml_root(doc), &e);
    xml_free(doc);
    yes = retry_is_throttling(&e) ||
          strcmp(e.code, "IDPCommunicationError") == 0 ||
          strcmp(e.code, "RequestTimeout") == 0 ||
          strcmp(e.code, "PriorRequestNotComplete") == 0;
    return yes;
}

/* Full jitter: rand(0,1) * 2^(attempt-1) seconds, as retry.c. */
static double backoff(int attempt)
{
    return jitter_rand() * (double)(1 << (attempt - 1));
}

static void sleep_for(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL); /* Ctrl-C cuts it short; the next try fails */
}

/* Characters of a UTF-8 string, as Python's len() counts the str that
 * botocore validates (a byte that is not a continuation byte starts one). */
static size_t chars(const char *s)
{
    size_t n = 0;
    for(; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void check_min_len(char *msg, size_t cap, size_t *len,
                          const char *name, const char *v, size_t min)
{
    size_t n;
    if(!v || (n = chars(v)) >= min || *len >= cap)
        return;
    *len += (size_t)snprintf(msg + *len, cap - *len,
                             "\nInvalid length for parameter %s, value: %zu, "
                             "valid min length: %zu", name, n, min);
}

/* botocore's ParamValidator on the call's parameters (the minimums of
 * STS's model; no maximum or pattern is checked, as there). Errors come in
 * the order of the parameters dict botocore builds: RoleSessionName first
 * when the profile set it, then ExternalId, SerialNumber, DurationSeconds,
 * RoleArn, a generated RoleSessionName (always valid), TokenCode; for web
 * identity RoleArn then WebIdentityToken. */
static int validate_call(const struct sts_call *c, struct iam_err *err)
{
    char msg[1024];
    size_t len = 0, cap = sizeof(msg);
    msg[0] = '\0';
    if(c->session_configured)
        check_min_len(msg, cap, &len, "RoleSessionName", c->session_name, 2);
    if(!c->web_token) {
        check_min_len(msg, cap, &len, "ExternalId", c->external_id, 2);
        check_min_len(msg, cap, &len, "SerialNumber", c->serial, 9);
        if(c->has_duration && c->duration < 900 && len < cap)
            len += (size_t)snprintf(msg + len, cap - len,
                                    "\nInvalid value for parameter "
                                    "DurationSeconds, value: %ld, valid min "
                                    "value: 900", c->duration);
    }
    check_min_len(msg, cap, &len, "RoleArn", c->role_arn, 20);
    if(c->web_token)
        check_min_len(msg, cap, &len, "WebIdentityToken", c->web_token, 4);
    else if(c->serial)
        check_min_len(msg, cap, &len, "TokenCode", c->token_code, 6);
    if(!len)
        return IAM_OK;
    iam_errc(err, IAM_EINVAL, "ParamValidationError",
             "Parameter validation failed:%s", msg);
    return iam_err_kind(err, IAM_KIND_USAGE);
}

int sts_assume(const struct creds_ctx *ctx, const struct sts_call *c,
               struct cache_entry *out, struct iam_err *err)
{
    const char *op = c->web_token ? "AssumeRoleWithWebIdentity" : "AssumeRole";
    const char *hdr[12], *path;
    char host[512], why[1200];
    struct sigv4_result res;
    struct endpoint ep;
    struct creds_http q = {0};
    struct buf body, resp;
    struct iam_err te;
    size_t i, n = 0;
    long status = 0;
    int rc, attempt;
    memset(out, 0, sizeof(*out));
    sigv4_result_init(&res);
    buf_init(&body, 1 << 20);
    buf_init(&resp, 1);
    rc = sts_endpoint_resolve(ctx, c->profile, &ep, err);
    if(!rc)
        rc = endpoint_split(ep.url, host, sizeof(host), &path, err);
    if(!rc)
        rc = validate_call(c, err);
    if(!rc && encode(c, &body))
        rc = creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    if(rc)
        goto out;
    /* botocore's STS client retries as any client does (standard mode,
     * 3 attempts): connection errors, 5xx, throttling. Each attempt is
     * signed afresh; the backoff blocks, as credential resolution does. */
    for(attempt = 1;; attempt++) {
        double delay = 0;
        n = 0;
        hdr[n++] = "Content-Type";
        hdr[n++] = CTYPE;
        hdr[n++] = "Host";
        hdr[n++] = host;
        if(!c->web_token) {
            sigv4_result_free(&res);
            sigv4_result_init(&res);
            rc = sign(c, &ep, host, *path ? path : "/", &body, &res, err);
            if(rc)
                goto out;
            for(i = 0; i < res.nadded && n < 10; i++) {
                hdr[n++] = res.added[i].name;
                hdr[n++] = res.added[i].value;
            }
            hdr[n++] = "Authorization";
            hdr[n++] = res.authorization.data;
        }
        q.method = "POST";
        q.url = ep.url;
        q.headers = hdr;
        q.nheaders = n / 2;
        q.body = body.data;
        q.body_len = body.len;
        q.max_body = STS_MAX_BODY;
        creds_trace(ctx, "Calling STS %s at %s for %s", op, ep.url,
                    c->role_arn);
        iam_err_clear(&te);
        buf_wipe(&resp);
        rc = creds_http_do(ctx, &q, &status, &resp, &te);
        if(attempt >= STS_ATTEMPTS || !retryable(rc, &te, status, &resp))
            break;
        delay = backoff(attempt);
        creds_trace(ctx, "STS %s: retrying after %.3f s", op, delay);
        sleep_for(delay);
    }
    if(rc) {
        creds_http_why(&te, ep.url, why, sizeof(why));
        rc = creds_fail(err, rc, "EndpointConnectionError", "%s", why);
    } else if(status != 200)
        rc = service_error(op, status, &resp, err);
    else
        rc = parse_ok(op, &resp, out, err);
out:
    if(rc)
        cache_entry_free(out);
    sigv4_result_free(&res);
    buf_wipe(&body);
    buf_wipe(&resp);
    return rc;
}
