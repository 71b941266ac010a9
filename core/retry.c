/* retry.c - botocore's standard and adaptive retry modes (see retry.h). */
#include "retry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTA_INITIAL 500
#define RETRY_COST 5
#define TIMEOUT_RETRY_COST 10
#define NO_RETRY_INCREMENT 1
#define MAX_BACKOFF 20.0
#define MIN_FILL_RATE 0.5
#define SMOOTHING 0.8
#define BUCKET_SCALE 2.0 /* 1 / the clocker's 0.5 s time buckets */
#define CUBIC_SCALE 0.4
#define CUBIC_BETA 0.7
#define MAX_RATE_ADJUST 2.0

int retry_cfg_parse(const char *mode, const char *max_attempts,
                    struct retry_cfg *out, struct iam_err *err)
{
    out->mode = RETRY_STANDARD;
    out->max_attempts = 3;
    if(mode) {
        if(strcmp(mode, "standard") == 0)
            out->mode = RETRY_STANDARD;
        else if(strcmp(mode, "adaptive") == 0)
            out->mode = RETRY_ADAPTIVE;
        else
            return iam_errc(err, IAM_ECONFIG, "InvalidRetryModeError",
                            "Invalid value provided to \"mode\": \"%s\" must "
                            "be one of: \"standard\" or \"adaptive\"", mode);
    }
    if(max_attempts) {
        /* Python's int(): optional blanks and sign, decimal digits with
         * single underscores between them. */
        const char *p = max_attempts;
        char digits[32];
        size_t n = 0;
        int neg = 0, ok = 1;
        long long v = 0;
        while(*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if(*p == '+' || *p == '-')
            neg = *p++ == '-';
        if(!(*p >= '0' && *p <= '9'))
            ok = 0;
        for(; ok && *p && !(*p == ' ' || *p == '\t' || *p == '\n'); p++) {
            if(*p >= '0' && *p <= '9') {
                if(n + 1 < sizeof(digits))
                    digits[n++] = *p;
                else
                    ok = 0;
            } else if(!(*p == '_' && p[1] >= '0' && p[1] <= '9'))
                ok = 0;
        }
        while(ok && (*p == ' ' || *p == '\t' || *p == '\n'))
            p++;
        if(!ok || *p)
            return iam_errc(err, IAM_ECONFIG, "ValueError",
                            "invalid literal for int() with base 10: '%s'",
                            max_attempts);
        digits[n] = '\0';
        v = n > 18 ? 1000000000000000000LL : strtoll(digits, NULL, 10);
        if(neg)
            v = -v;
        if(v < 1)
            return iam_errc(err, IAM_ECONFIG, "InvalidMaxRetryAttemptsError",
                            "Value provided to \"max_attempts\": %lld must "
                            "be an integer greater than or equal to one.", v);
        out->max_attempts = v > 1000000 ? 1000000 : (int)v;
    }
    return IAM_OK;
}

static void bucket_refill(struct retry_rate *b, double now)
{
    if(b->last_refill < 0) {
        b->last_refill = now;
        return;
    }
    if(now <= b->last_refill)
        return;
    b->capacity = fmin(b->max_capacity,
                       b->capacity + (now - b->last_refill) * b->fill_rate);
    b->last_refill = now;
}

/* TokenBucket.max_rate's setter. */
static void bucket_set_rate(struct retry_rate *b, double value, double now)
{
    bucket_refill(b, now);
    b->fill_rate = fmax(value, MIN_FILL_RATE);
    b->max_capacity = value >= 1 ? value : 1;
    b->capacity = fmin(b->capacity, b->max_capacity);
}

void retry_init(struct retry *r, const struct retry_cfg *cfg, double now)
{
    memset(r, 0, sizeof(*r));
    r->cfg = *cfg;
    r->quota = r->quota_max = QUOTA_INITIAL;
    r->rate.last_refill = -1;
    bucket_set_rate(&r->rate, 1, now); /* TokenBucket(max_rate=1) */
    r->rate.last_bucket = floor(now);
    r->rate.last_fail = now; /* CubicCalculator(0, start_time=now) */
}

double retry_before_send(struct retry *r, double now)
{
    struct retry_rate *b = &r->rate;
    if(r->cfg.mode != RETRY_ADAPTIVE || !b->enabled)
        return 0;
    bucket_refill(b, now);
    /* As botocore's blocking acquire(): a token is taken only when there
     * is one. A caller told to wait asks again after waiting, at the rate
     * of that moment: taking tokens into debt instead fixed each waiter's
     * time at the rate when it asked, so a rate that recovered while eight
     * callers queued at 0.5/s still made the last wait 16 s. */
    if(b->capacity < 1)
        return (1 - b->capacity) / b->fill_rate;
    b->capacity -= 1;
    return 0;
}

int retry_is_throttling(const struct iam_err *err)
{
    static const char *const codes[] = {
        "Throttling", "ThrottlingException", "ThrottledException",
        "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException"};
    size_t i;
    if(err->st != IAM_ESERVICE)
        return 0;
    for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if(strcmp(err->code, codes[i]) == 0)
            return 1;
    return 0;
}

/* botocore's ConnectionError and HTTPClientError subclasses: what our
 * transport reports (session.c names them). */
static int is_connection_error(const struct iam_err *err)
{
    static const char *const codes[] = {
        "EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
        "SSLError", "ProxyConnectionError", "ConnectionClosedError"};
    size_t i;
    for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if(strcmp(err->code, codes[i]) == 0)
            return 1;
    return 0;
}

static int is_timeout(const struct iam_err *err)
{
    return strcmp(err->code, "ConnectTimeoutError") == 0 ||
           strcmp(err->code, "ReadTimeoutError") == 0;
}

/* TransientRetryableChecker or ThrottledRetryableChecker. */
static int retryable(const struct iam_err *err)
{
    if(err->st == IAM_ESERVICE) {
        int s = err->http_status;
        return retry_is_throttling(err) ||
               strcmp(err->code, "RequestTimeout") == 0 ||
               strcmp(err->code, "RequestTimeoutException") == 0 ||
               s == 500 || s == 502 || s == 503 || s == 504 ||
               strcmp(err->code, "IDPCommunicationError") == 0;
    }
    return is_connection_error(err);
}

/* RateClocker.record */
static double clock_record(struct retry_rate *b, double now)
{
    double bucket = floor(now * BUCKET_SCALE) / BUCKET_SCALE;
    b->count++;
    if(bucket > b->last_bucket) {
        double current = (double)b->count / (bucket - b->last_bucket);
        b->measured_rate = current * SMOOTHING +
                           b->measured_rate * (1 - SMOOTHING);
        b->count = 0;
        b->last_bucket = bucket;
    }
    return b->measured_rate;
}

/* ClientRateLimiter.on_receiving_response */
static void adapt(struct retry *r, const struct iam_err *err, double now)
{
    struct retry_rate *b = &r->rate;
    double measured = clock_record(b, now), new_rate;
    if(!retry_is_throttling(err)) {
        double dt = now - b->last_fail;
        new_rate = CUBIC_SCALE * pow(dt - b->k, 3) + b->w_max;
    } else {
        double use = b->enabled ? fmin(measured, b->fill_rate) : measured;
        b->w_max = use;
        b->k = cbrt(b->w_max * (1 - CUBIC_BETA) / CUBIC_SCALE);
        b->last_fail = now;
        new_rate = use * CUBIC_BETA;
        b->enabled = 1;
    }
    bucket_set_rate(b, fmin(new_rate, MAX_RATE_ADJUST * measured), now);
}

int retry_after(struct retry *r, struct retry_call *c, struct iam_err *err,
                double now, double rand01, double *delay)
{
    int last, cost;
    *delay = 0;
    if(r->cfg.mode == RETRY_ADAPTIVE && err->st != IAM_EINTR)
        adapt(r, err, now);
    if(err->st == IAM_OK) {
        int give = c->quota_held ? c->quota_held : NO_RETRY_INCREMENT;
        if(r->quota < r->quota_max)
            r->quota += give < r->quota_max - r->quota
                            ? give : r->quota_max - r->quota;
        return 0;
    }
    err->retries = c->attempt > 0 ? c->attempt - 1 : 0;
    last = c->attempt >= r->cfg.max_attempts;
    if(last) {
        /* MaxAttemptsReached lands in the parsed response's metadata,
         * which only a service error has. */
        err->max_attempts_reached = err->st == IAM_ESERVICE;
        return 0;
    }
    if(err->st == IAM_EINTR || !retryable(err))
        return 0;
    cost = is_timeout(err) ? TIMEOUT_RETRY_COST : RETRY_COST;
    if(cost > r->quota)
        return 0; /* RetryQuotaReached: the error stands as it is */
    r->quota -= cost;
    c->quota_held = cost;
    *delay = fmin(rand01 * pow(2, c->attempt - 1), MAX_BACKOFF);
    return 1;
}
