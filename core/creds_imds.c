/* creds_imds.c - the instance role from EC2 instance metadata, as
 * botocore's InstanceMetadataFetcher.
 *
 * IMDSv2 first: PUT latest/api/token (ttl 21600); 404, 403, 405 or a read
 * timeout fall back to IMDSv1 (no token) unless ec2_metadata_v1_disabled;
 * 400 gives up. Then GET the role name and the role's credentials, each
 * tried metadata_service_num_attempts times (default 1) with
 * metadata_service_timeout seconds (default 1) per try. Anything missing
 * means "no credentials here": the chain goes on, as botocore's {} does.
 * AWS_EC2_METADATA_DISABLED=true skips all of it.
 */
#include "creds_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CREDS_PATH "latest/meta-data/iam/security-credentials/"

struct imds {
    const struct chain *ch;
    char base[1024];
    long timeout_ms;
    long attempts;
    char *token; /* NULL: IMDSv1 */
};

static const char *setting(const struct chain *ch, const char *env,
                           const char *key)
{
    return config_setting(ch->cfg, ch->name, env, key);
}

static int is_true(const char *s)
{
    return s && strcasecmp(s, "true") == 0;
}

static int base_url(struct imds *m, struct iam_err *err)
{
    const struct chain *ch = m->ch;
    const char *ep = creds_nonempty(setting(
        ch, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint"));
    const char *mode = setting(ch, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                               "ec2_metadata_service_endpoint_mode");
    int v6 = 0;
    if(mode) {
        if(strcasecmp(mode, "ipv4") && strcasecmp(mode, "ipv6"))
            return creds_fail(err, IAM_ECREDS,
                              "InvalidIMDSEndpointModeError",
                              "Invalid EC2 Instance Metadata endpoint mode: "
                              "%s Valid endpoint modes (case-insensitive): "
                              "['ipv4', 'ipv6'].",
                              mode);
        v6 = strcasecmp(mode, "ipv6") == 0;
    } else
        v6 = is_true(setting(ch, "AWS_IMDS_USE_IPV6", "imds_use_ipv6"));
    if(!ep)
        ep = v6 ? "http://[fd00:ec2::254]/" : "http://169.254.169.254/";
    if(strncasecmp(ep, "http://", 7) && strncasecmp(ep, "https://", 8))
        return creds_fail(err, IAM_ECREDS, "InvalidIMDSEndpointError",
                          "Invalid endpoint EC2 Instance Metadata endpoint: "
                          "%s",
                          ep);
    snprintf(m->base, sizeof(m->base), "%s%s", ep,
             ep[strlen(ep) - 1] == '/' ? "" : "/");
    return IAM_OK;
}

static long number(const char *s, long def, int millis)
{
    char *end;
    double d;
    if(!s)
        return def;
    d = strtod(s, &end);
    if(end == s || d <= 0)
        return def;
    return millis ? (long)(d * 1000) : (long)d;
}

/* One request; 0 and *status, or -1 on a transport failure (timeouts
 * flagged in *timed_out). */
static int send(struct imds *m, const char *method, const char *path,
                long *status, struct buf *resp, int *timed_out)
{
    const char *h[2];
    struct creds_http q = {0};
    struct iam_err te;
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", m->base, path);
    q.method = method;
    q.url = url;
    q.timeout_ms = m->timeout_ms;
    q.max_body = 1 << 20;
    if(strcmp(method, "PUT") == 0) {
        h[0] = "x-aws-ec2-metadata-token-ttl-seconds";
        h[1] = "21600";
        q.headers = h;
        q.nheaders = 1;
    } else if(m->token) {
        h[0] = "x-aws-ec2-metadata-token";
        h[1] = m->token;
        q.headers = h;
        q.nheaders = 1;
    }
    iam_err_clear(&te);
    *timed_out = 0;
    if(creds_http_do(m->ch->ctx, &q, status, resp, &te)) {
        *timed_out = te.st == IAM_ETIMEOUT && te.http_status != -1;
        return -1;
    }
    return 0;
}

/* _fetch_metadata_token: 1 token, 0 fall back to v1, -1 give up. */
static int fetch_token(struct imds *m)
{
    struct buf b;
    long i, status;
    int to;
    for(i = 0; i < m->attempts; i++) {
        if(send(m, "PUT", "latest/api/token", &status, &b, &to)) {
            buf_wipe(&b);
            if(to)
                return 0;
            continue;
        }
        if(status == 200) {
            m->token = buf_detach(&b);
            return m->token ? 1 : -1;
        }
        buf_wipe(&b);
        if(status == 404 || status == 403 || status == 405)
            return 0;
        if(status == 400)
            return -1;
    }
    return 0;
}

/* _get_request: a 200 with a body (and JSON when json) or NULL. */
static char *get(struct imds *m, const char *path, int json)
{
    json_error_t je;
    struct buf b;
    long i, status;
    int to;
    for(i = 0; i < m->attempts; i++) {
        json_t *j;
        if(send(m, "GET", path, &status, &b, &to) == 0 && status == 200 &&
           b.len) {
            if(!json)
                return buf_detach(&b);
            j = json_loadb(b.data, b.len, JSON_DECODE_ANY, &je);
            if(j) {
                json_decref(j);
                return buf_detach(&b);
            }
        }
        buf_wipe(&b);
    }
    return NULL;
}

/* _evaluate_expiration: credentials about to lapse are stretched to now +
 * 15 min + 2..10 min of jitter, so a struggling IMDS is not hammered. */
static void extend(struct creds *out, long long now)
{
    long long window = CREDS_ADVISORY + 120 + (long long)(rand() % 481);
    if(now >= out->expiry - window)
        out->expiry = now + window;
}

static int fill(struct imds *m, const char *text, struct creds *out,
                int *found, struct iam_err *err)
{
    static const char *const keys[] = {"AccessKeyId", "SecretAccessKey",
                                       "Token", "Expiration"};
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    const char *v[4];
    size_t i;
    int rc = IAM_OK;
    for(i = 0; i < 4; i++) {
        v[i] = json_string_value(json_object_get(j, keys[i]));
        if(!v[i]) {
            creds_trace(m->ch->ctx, "Retrieved credentials is missing "
                                    "required field: %s", keys[i]);
            json_decref(j);
            return IAM_OK;
        }
    }
    rc = creds_parse_time(v[3], &out->expiry, err);
    if(!rc)
        rc = creds_set(out, v[0], v[1], v[2], found, err);
    if(!rc)
        extend(out, (long long)time(NULL));
    json_decref(j);
    return rc;
}

int creds_load_imds(const struct chain *ch, struct creds *out, int *found,
                    struct iam_err *err)
{
    struct imds m = {0};
    char *role = NULL, *text = NULL, path[1200];
    int rc;
    m.ch = ch;
    rc = base_url(&m, err);
    if(rc)
        return rc;
    if(is_true(getenv("AWS_EC2_METADATA_DISABLED"))) {
        creds_trace(ch->ctx, "Access to EC2 metadata has been disabled.");
        return IAM_OK;
    }
    m.timeout_ms = number(setting(ch, "AWS_METADATA_SERVICE_TIMEOUT",
                                  "metadata_service_timeout"),
                          1000, 1);
    m.attempts = number(setting(ch, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
                                "metadata_service_num_attempts"),
                        1, 0);
    if(m.attempts > 10)
        m.attempts = 10;
    creds_trace(ch->ctx, "IMDS ENDPOINT: %s", m.base);
    rc = fetch_token(&m);
    if(rc == 0 && is_true(setting(ch, "AWS_EC2_METADATA_V1_DISABLED",
                                  "ec2_metadata_v1_disabled")))
        rc = -1;
    if(rc >= 0)
        role = get(&m, CREDS_PATH, 0);
    if(role) {
        snprintf(path, sizeof(path), "%s%s", CREDS_PATH, role);
        text = get(&m, path, 1);
    }
    rc = text ? fill(&m, text, out, found, err) : IAM_OK;
    creds_wipe_str(text);
    creds_wipe_str(m.token);
    free(role);
    return rc;
}
