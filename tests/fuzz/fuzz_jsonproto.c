/* fuzz_jsonproto.c - libFuzzer target: jsonproto_response over an AWS
 * JSON-protocol answer, and jsonproto_timestamp over a number.
 *
 * Byte 0: bits 0-2 pick the status (200, 400, 403, 404, 500, 502, 503,
 * 301); bit 3: an x-amzn-query-error header made of the first line of the
 * body; bit 4: an x-amzn-requestid. The rest is the body (not
 * NUL-terminated, as the transport hands it over). IAM_OK must come with
 * a JSON object and only for 2xx; a service error with a code, a message
 * buffer that is a C string and the status; nothing else. The first 8 body
 * bytes, read as a double, go through jsonproto_timestamp, whose output
 * must be a short isoformat() string or nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void check_timestamp(const uint8_t *p, size_t n)
{
    char out[48];
    double v;
    size_t w;
    if(n < sizeof(v))
        return;
    memcpy(&v, p, sizeof(v));
    memset(out, 'x', sizeof(out));
    w = jsonproto_timestamp(v, out, sizeof(out));
    if(w == 0)
        return;
    /* YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM */
    if(w >= 40 || out[w] != '\0' || strlen(out) != w || out[4] != '-' ||
       out[10] != 'T' || (out[w - 6] != '+' && out[w - 6] != '-'))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static const long statuses[] = {200, 400, 403, 404, 500, 502, 503, 301};
    struct jsonproto_resp r;
    struct iam_err err;
    char qerr[64] = "";
    char *body;
    json_t *out = NULL;
    int rc;
    if(len < 1)
        return 0;
    body = malloc(len > 1 ? len - 1 : 1); /* exact size: ASan sees overreads */
    if(!body)
        return 0;
    memcpy(body, data + 1, len - 1);
    memset(&r, 0, sizeof(r));
    r.status = statuses[data[0] & 7];
    r.body = body;
    r.len = len - 1;
    if(data[0] & 8) {
        size_t n = 0;
        while(n < len - 1 && n < sizeof(qerr) - 1 && data[1 + n] != '\n')
            n++;
        memcpy(qerr, data + 1, n);
        qerr[n] = '\0';
        r.query_error = qerr;
    }
    if(data[0] & 16)
        r.request_id = "fuzz-request-id";
    iam_err_clear(&err);
    rc = jsonproto_response(&r, &out, &err);
    if(memchr(err.msg, 0, sizeof(err.msg)) == NULL ||
       memchr(err.code, 0, sizeof(err.code)) == NULL)
        __builtin_trap();
    if(rc == IAM_OK) {
        if(!json_is_object(out) || r.status != 200)
            __builtin_trap();
    } else {
        if(out)
            __builtin_trap();
        if(rc == IAM_ESERVICE &&
           (!err.code[0] || err.http_status != r.status ||
            err.kind != IAM_KIND_SERVICE))
            __builtin_trap();
        if(rc == IAM_EPARSE && (r.status != 200 || !err.msg[0]))
            __builtin_trap();
        if(rc != IAM_ESERVICE && rc != IAM_EPARSE && rc != IAM_ENOMEM)
            __builtin_trap();
    }
    json_decref(out);
    check_timestamp(data + 1, len - 1);
    free(body);
    return 0;
}
