/* creds_container.c - the container credentials endpoint (ECS, EKS Pod
 * Identity), as botocore's ContainerProvider and ContainerMetadataFetcher.
 *
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is fetched from
 * http://169.254.170.2, AWS_CONTAINER_CREDENTIALS_FULL_URI as given when
 * its host is allowed: https anywhere; http only to a loopback IP literal
 * (127.0.0.0/8, ::1) or the documented hosts (newer botocore's rule; CLI
 * 2.9.19 allowed only 169.254.170.2, localhost and 127.0.0.1). A name
 * that merely starts with "127." is not an address. The Authorization
 * header comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every
 * fetch, it wins) or AWS_CONTAINER_AUTHORIZATION_TOKEN. Each fetch waits
 * 2 s and is tried 3 times, 1 s apart, as botocore does.
 */
#include "creds_int.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PROV "container-role"
#define REL "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
#define FULL "AWS_CONTAINER_CREDENTIALS_FULL_URI"
#define TIMEOUT_MS 2000
#define ATTEMPTS 3
#define ALLOWED "169.254.170.2, 169.254.170.23, fd00:ec2::23, localhost"

/* urlparse(url).hostname: the authority (after "//", up to the first '/',
 * '?' or '#'), after its LAST '@', brackets or the port (from the first
 * ':') removed, lowercased; "None" when empty, as botocore prints it. */
static void hostname(const char *url, char *out, size_t n)
{
    const char *p = strstr(url, "://"), *end, *at;
    size_t len, i;
    p = p ? p + 3 : url;
    end = p + strcspn(p, "/?#");
    for(at = end; at > p && at[-1] != '@'; at--)
        ;
    p = at;
    if(*p == '[') {
        p++;
        len = strcspn(p, "]");
        if(p + len > end)
            len = (size_t)(end - p);
    } else
        len = strcspn(p, ":/?#");
    if(len >= n)
        len = n - 1;
    for(i = 0; i < len; i++)
        out[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
    out[len] = '\0';
    if(len == 0)
        snprintf(out, n, "None");
}

/* Python's IPv4Address: four decimal parts of 1 to 3 digits, no leading
 * zero, each at most 255. "127.1", "0x7f.0.0.1" and "2130706433" are
 * not addresses to it (libcurl would connect them to 127.0.0.1). */
static int ipv4(const char *h, unsigned char out[4])
{
    int part;
    for(part = 0; part < 4; part++) {
        int v = 0, digits = 0;
        while(digits < 4 && h[digits] >= '0' && h[digits] <= '9')
            v = v * 10 + (h[digits++] - '0');
        if(digits == 0 || digits > 3 || v > 255 || (digits > 1 && *h == '0'))
            return 0;
        out[part] = (unsigned char)v;
        h += digits;
        if(part < 3 && *h++ != '.')
            return 0;
    }
    return *h == '\0';
}

/* ip_address(h).is_loopback: 127.0.0.0/8 as an IPv4 literal, or ::1 in
 * any IPv6 spelling, with an optional non-empty "%scope" (Python 3.11:
 * an IPv4-mapped ::ffff:127.0.0.1 is not loopback). */
static int loopback(const char *h)
{
    static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 0, 0, 0, 0, 1};
    unsigned char a[16];
    char v6[64];
    const char *pct = strchr(h, '%');
    size_t len = pct ? (size_t)(pct - h) : strlen(h);
    if(ipv4(h, a))
        return a[0] == 127;
    if(pct && (pct[1] == '\0' || strchr(pct + 1, '%')))
        return 0;
    if(len >= sizeof(v6))
        return 0;
    memcpy(v6, h, len);
    v6[len] = '\0';
    return inet_pton(AF_INET6, v6, a) == 1 && memcmp(a, one, 16) == 0;
}

/* botocore's rule (ContainerMetadataFetcher._validate_allowed_url, 1.32
 * on): an IP loopback literal or one of ALLOWED's names. */
static int allowed_host(const char *h)
{
    return loopback(h) || strcmp(h, "169.254.170.2") == 0 ||
           strcmp(h, "169.254.170.23") == 0 ||
           strcmp(h, "fd00:ec2::23") == 0 || strcmp(h, "localhost") == 0;
}

/* The host libcurl will connect to, lowercased and unbracketed; 0 when
 * libcurl cannot parse the URL (then it cannot connect either). */
static int curl_host(const char *url, char *out, size_t n)
{
    CURLU *u = curl_url();
    char *h = NULL;
    size_t len, i;
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h;
    if(ok) {
        const char *p = h;
        len = strlen(h);
        if(len >= 2 && h[0] == '[' && h[len - 1] == ']') {
            p++;
            len -= 2;
        }
        if(len >= n)
            len = n - 1;
        for(i = 0; i < len; i++)
            out[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
        out[len] = '\0';
    }
    curl_free(h);
    curl_url_cleanup(u);
    return ok;
}

/* https anywhere; http to an allowed host. The host is decided as botocore
 * parses the URL (h), and, where libcurl parses it differently (two '@',
 * an IPv4 shorthand), what libcurl would connect to must be allowed too:
 * the token goes where libcurl connects. */
UNITTEST int container_allowed(const char *url, const char *h)
{
    char ch[256];
    if(strncasecmp(url, "https://", 8) == 0)
        return 1;
    if(!allowed_host(h))
        return 0;
    return !curl_host(url, ch, sizeof(ch)) || allowed_host(ch);
}

/* The Authorization value, malloc'd (NULL: none). */
static int auth_token(char **out, struct iam_err *err)
{
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    struct iam_err local;
    struct buf b;
    *out = NULL;
    if(file) {
        iam_err_clear(&local);
        if(ini_read_file(file, 64 << 10, &b, &local))
            return creds_fail(err, IAM_ECREDS, "FileNotFoundError",
                              "[Errno 2] No such file or directory: '%s'",
                              file);
        if(b.data && memchr(b.data, '\0', b.len)) { /* would cut it */
            buf_wipe(&b);
            return creds_fail(err, IAM_ECREDS, "ValueError",
                              "Auth token value is not a legal header "
                              "value");
        }
        *out = buf_detach(&b);
    } else if(tok)
        *out = strdup(tok);
    if((file || tok) && !*out)
        return creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    if(*out && strpbrk(*out, "\r\n")) {
        creds_wipe_str(*out);
        *out = NULL;
        return creds_fail(err, IAM_ECREDS, "ValueError",
                          "Auth token value is not a legal header value");
    }
    return IAM_OK;
}

/* One try; *why gets botocore's MetadataRetrievalError text. */
static json_t *try_once(const struct chain *ch, const char *url,
                        const char *auth, char *why, size_t n)
{
    const char *h[4] = {"Accept", "application/json", "Authorization", auth};
    struct creds_http q = {0};
    struct iam_err te;
    struct buf resp;
    json_error_t je;
    json_t *j = NULL;
    long status;
    char where[1200];
    q.method = "GET";
    q.url = url;
    q.headers = h;
    q.nheaders = auth ? 2 : 1;
    q.timeout_ms = TIMEOUT_MS;
    q.max_body = 1 << 20;
    iam_err_clear(&te);
    if(creds_http_do(ch->ctx, &q, &status, &resp, &te)) {
        creds_http_why(&te, url, where, sizeof(where));
        snprintf(why, n, "Received error when attempting to retrieve ECS "
                         "metadata: %s", where);
    } else if(status != 200)
        snprintf(why, n, "Received non 200 response (%ld) from ECS "
                         "metadata: %s", status, resp.data ? resp.data : "");
    else {
        j = json_loadb(resp.data ? resp.data : "", resp.len, JSON_DECODE_ANY,
                       &je);
        if(!j)
            snprintf(why, n, "Unable to parse JSON returned from ECS "
                             "metadata services");
    }
    buf_wipe(&resp);
    return j;
}

static int fill(json_t *j, struct creds *out, int *found, struct iam_err *err)
{
    static const char *const keys[] = {"AccessKeyId", "SecretAccessKey",
                                       "Token", "Expiration"};
    const char *v[4];
    size_t i;
    int rc;
    for(i = 0; i < 4; i++) {
        v[i] = json_string_value(json_object_get(j, keys[i]));
        if(!v[i])
            return creds_fail(err, IAM_ECREDS, "KeyError", "'%s'", keys[i]);
    }
    rc = creds_parse_time(v[3], &out->expiry, err);
    if(!rc)
        rc = creds_set(out, v[0], v[1], v[2], found, err);
    return rc;
}

int creds_load_container(const struct chain *ch, struct creds *out,
                         int *found, struct iam_err *err)
{
    const char *rel = getenv(REL), *full = getenv(FULL);
    char url[2048], host[256], why[1400] = "";
    struct timespec second = {1, 0};
    char *auth = NULL;
    json_t *j = NULL;
    int i, rc;
    if(!rel && !full)
        return IAM_OK;
    snprintf(url, sizeof(url), "%s%s", rel ? "http://169.254.170.2" : "",
             rel ? rel : full);
    hostname(url, host, sizeof(host));
    if(!container_allowed(url, host))
        return creds_fail(err, IAM_ECREDS, "ValueError",
                          "Unsupported host '%s'.  Can only retrieve "
                          "metadata from a loopback address or one of these "
                          "hosts: %s",
                          host, ALLOWED);
    rc = auth_token(&auth, err);
    if(rc)
        return rc;
    creds_trace(ch->ctx, "Fetching container credentials from %s", url);
    for(i = 0; i < ATTEMPTS && !j; i++) {
        if(i)
            nanosleep(&second, NULL);
        j = try_once(ch, url, auth, why, sizeof(why));
    }
    creds_wipe_str(auth);
    if(!j)
        return creds_retrieval(err, PROV, "Error retrieving metadata: %s",
                               why);
    rc = fill(j, out, found, err);
    json_decref(j);
    return rc;
}
