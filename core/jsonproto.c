/* jsonproto.c - the AWS JSON protocol's framing and errors (see
 * jsonproto.h). */
#include "jsonproto.h"

#include "buf.h"

#include <jansson.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int jsonproto_target(const char *prefix, const char *operation, char *out,
                     size_t n, struct iam_err *err)
{
    int len;
    if(!prefix || !*prefix || !operation || !*operation)
        return iam_errf(err, IAM_EINVAL, "no JSON target for this operation");
    len = snprintf(out, n, "%s.%s", prefix, operation);
    if(len < 0 || (size_t)len >= n)
        return iam_errf(err, IAM_EINVAL, "operation name is too long");
    return IAM_OK;
}

/* botocore's _is_generic_error_response: a 5xx whose body is empty or an
 * HTML page after leading whitespace. */
static int generic_error(const struct jsonproto_resp *r)
{
    const char *p = r->body ? r->body : "";
    size_t n = r->body ? r->len : 0;
    if(r->status < 500)
        return 0;
    while(n && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' ||
                *p == '\f' || *p == '\v')) {
        p++;
        n--;
    }
    return n == 0 || (n >= 6 && memcmp(p, "<html>", 6) == 0);
}

/* Copies at most n bytes of s into err->msg, cut at a UTF-8 boundary. */
static void set_msg(struct iam_err *err, const char *s, size_t n)
{
    size_t cap = sizeof(err->msg) - 1;
    if(n > cap) {
        n = cap;
        while(n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(err->msg, s, n);
    err->msg[n] = '\0';
}

/* Returns 0 (and leaves err->code empty) when nothing follows the '#':
 * the caller falls back to the status, where botocore would keep an empty
 * code. */
static int set_code(struct iam_err *err, const char *s, size_t n)
{
    const char *hash;
    /* "com.amazon.coral.service#ThrottlingException": what follows the
     * last '#' (rsplit('#', 1)). */
    for(hash = s + n; hash > s && hash[-1] != '#'; hash--)
        ;
    n -= (size_t)(hash - s);
    if(n >= sizeof(err->code))
        n = sizeof(err->code) - 1;
    memcpy(err->code, hash, n);
    err->code[n] = '\0';
    return n > 0;
}

/* The x-amzn-query-error header "Code;Sender": the code when the header
 * has exactly two fields and the first is not empty. */
static int query_error_code(const char *h, struct iam_err *err)
{
    const char *semi;
    if(!h || !*h)
        return 0;
    semi = strchr(h, ';');
    if(!semi || semi == h || strchr(semi + 1, ';'))
        return 0;
    return set_code(err, h, (size_t)(semi - h));
}

/* The message member: a string as it is; another scalar as its JSON text
 * (Python's str() of a number or bool differs only in True/False/None,
 * which are spelt as the JSON literals here). */
static void message_of(json_t *v, struct iam_err *err)
{
    char *text;
    if(json_is_string(v)) {
        set_msg(err, json_string_value(v), json_string_length(v));
        return;
    }
    if(!v || json_is_object(v) || json_is_array(v))
        return;
    text = json_dumps(v, JSON_ENCODE_ANY);
    if(text) {
        set_msg(err, text, strlen(text));
        free(text);
    }
}

/* Fills e (cleared) from an error response. */
static void decode_error(const struct jsonproto_resp *r, struct iam_err *e)
{
    json_t *root = NULL, *type, *msg;
    const char *body = r->body ? r->body : "";
    size_t n = r->body ? r->len : 0;
    iam_err_clear(e);
    e->st = IAM_ESERVICE;
    e->kind = IAM_KIND_SERVICE;
    e->http_status = (int)r->status;
    if(r->request_id && *r->request_id)
        snprintf(e->request_id, sizeof(e->request_id), "%s", r->request_id);
    if(generic_error(r)) {
        snprintf(e->code, sizeof(e->code), "%ld", r->status);
        snprintf(e->msg, sizeof(e->msg), "%s", iam_http_reason(r->status));
        return;
    }
    if(n > 0)
        root = json_loadb(body, n, 0, NULL);
    if(n > 0 && !json_is_object(root)) {
        /* Not a JSON object: botocore takes the text as the message. */
        set_msg(e, body, n);
        json_decref(root);
        root = NULL;
    }
    msg = json_object_get(root, "message");
    if(!msg)
        msg = json_object_get(root, "Message");
    message_of(msg, e);
    type = json_object_get(root, "__type");
    if(!query_error_code(r->query_error, e) &&
       !(json_is_string(type) &&
         set_code(e, json_string_value(type), json_string_length(type))))
        snprintf(e->code, sizeof(e->code), "%ld", r->status);
    json_decref(root);
}

static int service_error(const struct jsonproto_resp *r, struct iam_err *err)
{
    struct iam_err e;
    decode_error(r, &e);
    if(err && err->st == IAM_OK)
        *err = e;
    return IAM_ESERVICE;
}

/* A 2xx body that is not a JSON object, worded as the Query path words
 * XML it cannot parse. */
static int parser_error(const struct jsonproto_resp *r, const char *why,
                        struct iam_err *err)
{
    struct buf b;
    buf_init(&b, 64 << 10);
    buf_add_repr(&b, r->body ? r->body : "", r->body ? r->len : 0);
    iam_errc(err, IAM_EPARSE, "ResponseParserError",
             "Unable to parse response (%s), invalid JSON received. Further "
             "retries may succeed:\n%s",
             why, b.data ? b.data : "b''");
    buf_free(&b);
    /* No status, as session.c's ResponseParserError for XML has none. */
    return iam_err_kind(err, IAM_KIND_CONNECTION);
}

int jsonproto_response(const struct jsonproto_resp *r, json_t **out,
                       struct iam_err *err)
{
    json_error_t je;
    json_t *root;
    char why[200];
    *out = NULL;
    if(r->status < 200 || r->status >= 300)
        return service_error(r, err);
    if(!r->body || r->len == 0) {
        *out = json_object();
        return *out ? IAM_OK : iam_errf(err, IAM_ENOMEM, "out of memory");
    }
    root = json_loadb(r->body, r->len, 0, &je);
    if(!root) {
        snprintf(why, sizeof(why), "%s: line %d, column %d", je.text,
                 je.line, je.column);
        return parser_error(r, why, err);
    }
    if(!json_is_object(root)) {
        json_decref(root);
        return parser_error(r, "not a JSON object", err);
    }
    *out = root;
    return IAM_OK;
}

/* Seconds from 1970-01-01 of a broken-down time read as UTC (Howard
 * Hinnant's days_from_civil); with localtime's fields, minus the epoch
 * time, it is the local offset (tm_gmtoff is not POSIX). */
static long long civil_seconds(const struct tm *tm)
{
    long long y = tm->tm_year + 1900LL, m = tm->tm_mon + 1, era, days;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->tm_mday - 1);
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + (long long)doe - 719468;
    return days * 86400 + tm->tm_hour * 3600LL + tm->tm_min * 60LL + tm->tm_sec;
}

/* Python's round() to an integer: half to even. */
static double round_even(double x)
{
    double f = floor(x), d = x - f;
    if(d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0))
        return f + 1.0;
    return f;
}

size_t jsonproto_timestamp(double v, char *out, size_t n)
{
    double ip, us;
    time_t t;
    struct tm tm;
    long off;
    int len;
    /* datetime's range (years 1..9999) in seconds from 1970, with a day's
     * margin for the local offset. */
    if(!isfinite(v) || v < -62135596800.0 + 86400 ||
       v > 253402300799.0 - 86400 || n < 40)
        return 0;
    /* CPython's _PyTime_ObjectToTimeval with ROUND_HALF_EVEN. */
    us = modf(v, &ip) * 1e6;
    us = round_even(us);
    if(us >= 1e6) {
        us -= 1e6;
        ip += 1.0;
    } else if(us < 0) {
        us += 1e6;
        ip -= 1.0;
    }
    t = (time_t)ip;
    if(!localtime_r(&t, &tm))
        return 0;
    len = snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                   tm.tm_sec);
    if(us > 0)
        len += snprintf(out + len, n - (size_t)len, ".%06ld", (long)us);
    off = (long)(civil_seconds(&tm) - (long long)t);
    len += snprintf(out + len, n - (size_t)len, "%c%02ld:%02ld",
                    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 3600,
                    ((off < 0 ? -off : off) % 3600) / 60);
    return (size_t)len;
}
