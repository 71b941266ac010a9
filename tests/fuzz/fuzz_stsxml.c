/* fuzz_stsxml.c - libFuzzer target: sts.c's parse_ok over a 200 answer to
 * AssumeRole (byte 0 even) or AssumeRoleWithWebIdentity (odd); the rest
 * is the body. IAM_OK must come with credentials and the cache's
 * Expiration text; an error with a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "expose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *op;
    struct cache_entry e;
    struct iam_err err;
    struct buf b;
    char *copy;
    int rc;
    if(len < 1)
        return 0;
    op = data[0] & 1 ? "AssumeRoleWithWebIdentity" : "AssumeRole";
    /* NUL-terminated, exact size: as creds_http_do's body */
    copy = malloc(len);
    if(!copy)
        return 0;
    memcpy(copy, data + 1, len - 1);
    copy[len - 1] = 0;
    b.data = copy;
    b.len = len - 1;
    b.cap = len;
    b.max = len;
    memset(&e, 0, sizeof e);
    iam_err_clear(&err);
    rc = fuzz_sts_parse_ok(op, &b, &e, &err);
    if(memchr(err.msg, 0, sizeof err.msg) == NULL ||
       memchr(err.code, 0, sizeof err.code) == NULL)
        __builtin_trap();
    if(rc && !err.msg[0])
        __builtin_trap();
    if(!rc) {
        if(!e.id || !e.secret || !e.token || !e.expiration)
            __builtin_trap();
        /* "%Y-%m-%dT%H:%M:%SUTC" reads back as the same instant */
        {
            long long back;
            struct iam_err e2;
            iam_err_clear(&e2);
            if(creds_parse_time(e.expiration, &back, &e2) != IAM_OK ||
               back != e.expiry)
                if(strlen(e.expiration) == 22) /* 4-digit years only */
                    __builtin_trap();
        }
        (void)strlen(e.request_id);
    }
    cache_entry_free(&e); /* sts_assume frees on failure too */
    free(copy);
    return 0;
}
