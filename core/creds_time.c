/* creds_time.c - the dates of credential expirations, read as botocore
 * reads them (dateutil.parser.parse): AWS_CREDENTIAL_EXPIRATION, the
 * Expiration of cache entries and credential_process answers, an SSO
 * token's expiresAt (see creds.h, creds_parse_time). */
#include "creds.h"
#include "creds_int.h"

#include <stdio.h>
#include <string.h>

#define fail creds_fail

struct when {
    int y, mo, d, h, mi, s;
    long off; /* seconds east of UTC */
    int has_tz;
};

/* Reads min..max decimal digits at *p into *v. */
static int digits(const char **p, int min, int max, int *v)
{
    int n = 0;
    *v = 0;
    while(n < max && **p >= '0' && **p <= '9') {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n >= min;
}

/* YYYY-M-D or YYYYMMDD. */
static int read_date(const char **p, struct when *w)
{
    if(!digits(p, 4, 4, &w->y))
        return 0;
    if(**p != '-')
        return digits(p, 2, 2, &w->mo) && digits(p, 2, 2, &w->d);
    (*p)++;
    if(!digits(p, 1, 2, &w->mo) || **p != '-')
        return 0;
    (*p)++;
    return digits(p, 1, 2, &w->d);
}

/* H[:M[:S[.frac]]] or HHMM[SS]; fractions are dropped. */
static int read_time(const char **p, struct when *w)
{
    int frac;
    if(!digits(p, 1, 2, &w->h))
        return 0;
    if(**p >= '0' && **p <= '9')
        return digits(p, 2, 2, &w->mi) &&
               (!(**p >= '0' && **p <= '9') || digits(p, 2, 2, &w->s));
    if(**p != ':')
        return 1;
    (*p)++;
    if(!digits(p, 1, 2, &w->mi))
        return 0;
    if(**p != ':')
        return 1;
    (*p)++;
    if(!digits(p, 1, 2, &w->s))
        return 0;
    if(**p == '.') {
        (*p)++;
        while(digits(p, 1, 9, &frac))
            ;
    }
    return 1;
}

/* Z, UTC, GMT, +HH, +HHMM, +HH:MM. */
static int read_zone(const char **p, struct when *w)
{
    int sign, hh, mm = 0;
    while(**p == ' ')
        (*p)++;
    if(!**p)
        return 1;
    w->has_tz = 1;
    if(**p == 'Z' || **p == 'z') {
        (*p)++;
        return 1;
    }
    if(!strncmp(*p, "UTC", 3) || !strncmp(*p, "GMT", 3)) {
        *p += 3;
        return 1;
    }
    if(**p != '+' && **p != '-')
        return 0;
    sign = **p == '-' ? -1 : 1;
    (*p)++;
    if(!digits(p, 2, 2, &hh))
        return 0;
    if(**p == ':')
        (*p)++;
    if(**p >= '0' && **p <= '9' && !digits(p, 2, 2, &mm))
        return 0;
    w->off = sign * (hh * 3600L + mm * 60L);
    return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static long long days_from_civil(int y, int m, int d)
{
    long long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return len[m - 1] + (m == 2 && leap);
}

/* dateutil's range messages, in its order of checking. */
static const char *range_error(const struct when *w)
{
    if(w->mo < 1 || w->mo > 12)
        return "month must be in 1..12";
    if(w->d < 1 || w->d > month_days(w->y, w->mo))
        return "day is out of range for month";
    if(w->h > 23)
        return "hour must be in 0..23";
    if(w->mi > 59)
        return "minute must be in 0..59";
    if(w->s > 59)
        return "second must be in 0..59";
    return NULL;
}

static int read_when(const char *p, struct when *w)
{
    memset(w, 0, sizeof(*w));
    if(!read_date(&p, w))
        return 0;
    if((*p == 'T' || *p == 't' || *p == ' ') && p[1] >= '0' && p[1] <= '9') {
        p++;
        if(!read_time(&p, w))
            return 0;
    }
    if(!read_zone(&p, w))
        return 0;
    while(*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    return *p == '\0';
}

int creds_parse_time(const char *s, long long *out, struct iam_err *err)
{
    struct when w;
    const char *p = s, *why;
    while(*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if(!*p)
        return fail(err, IAM_ECREDS, "ParserError",
                    "String does not contain a date: %s", s);
    if(!read_when(p, &w))
        return fail(err, IAM_ECREDS, "ParserError", "Unknown string format: %s",
                    s);
    why = range_error(&w);
    if(why)
        return fail(err, IAM_ECREDS, "ParserError", "%s: %s", why, s);
    if(!w.has_tz) /* botocore compares it with an aware "now" */
        return fail(err, IAM_ECREDS, "TypeError",
                    "can't subtract offset-naive and offset-aware "
                    "datetimes");
    *out = days_from_civil(w.y, w.mo, w.d) * 86400LL + w.h * 3600LL +
           w.mi * 60LL + w.s - w.off;
    return IAM_OK;
}
