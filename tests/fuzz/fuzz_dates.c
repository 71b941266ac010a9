/* fuzz_dates.c - libFuzzer target: the two date parsers, on the input as
 * one NUL-terminated string.
 *
 * creds_parse_time (creds.c: Expiration, AWS_CREDENTIAL_EXPIRATION, the
 * caches) with and without an iam_err, which must agree; and http_date
 * (session.c: a response's Date for clock-skew correction). Whatever
 * either accepts, written back in its canonical form, must read as the
 * same instant (years 0-9999, which both forms can hold).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "expose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int civil(long long epoch, struct tm *tm)
{
    time_t t = (time_t)epoch;
    return gmtime_r(&t, tm) && tm->tm_year >= -1900 &&
           tm->tm_year <= 9999 - 1900;
}

static void iso_round_trip(long long v)
{
    struct iam_err err;
    struct tm tm;
    long long back;
    char s[64];
    if(!civil(v, &tm))
        return;
    snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d:%02dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    iam_err_clear(&err);
    if(creds_parse_time(s, &back, &err) != IAM_OK || back != v)
        __builtin_trap();
}

static void http_round_trip(long long v)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
                                      "May", "Jun", "Jul", "Aug",
                                      "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    char s[64];
    if(!civil(v, &tm))
        return;
    snprintf(s, sizeof s, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             wd[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
    if(fuzz_http_date(s) != v)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct iam_err err;
    long long v = 0, w = 0, h;
    char *s = malloc(len + 1);
    int rc;
    if(!s)
        return 0;
    memcpy(s, data, len);
    s[len] = 0;
    iam_err_clear(&err);
    rc = creds_parse_time(s, &v, &err);
    if(memchr(err.msg, 0, sizeof err.msg) == NULL || (rc && !err.msg[0]))
        __builtin_trap();
    if((creds_parse_time(s, &w, NULL) == IAM_OK) != (rc == IAM_OK))
        __builtin_trap();
    if(rc == IAM_OK) {
        if(v != w)
            __builtin_trap();
        iso_round_trip(v);
    }
    h = fuzz_http_date(s);
    if(h != -1)
        http_round_trip(h);
    free(s);
    return 0;
}
