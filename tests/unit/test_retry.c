/* test_retry.c - botocore's retry modes: settings, which errors are
 * retried, backoff bounds, the retry quota, and adaptive mode's send rate
 * against a table produced by botocore's own ClientRateLimiter
 * (tests/unit/retry_oracle.py). */
#include "retry.h"
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_cfg(void)
{
    static const struct {
        const char *name, *mode, *max;
        int rc, want_mode, want_max;
        const char *code, *msg;
    } cases[] = {
        {"defaults", NULL, NULL, IAM_OK, RETRY_STANDARD, 3, "", ""},
        {"adaptive", "adaptive", "7", IAM_OK, RETRY_ADAPTIVE, 7, "", ""},
        {"python int blanks and underscores", NULL, " 1_0 ", IAM_OK,
         RETRY_STANDARD, 10, "", ""},
        {"plus sign", NULL, "+2", IAM_OK, RETRY_STANDARD, 2, "", ""},
        {"legacy refused", "legacy", NULL, IAM_ECONFIG, 0, 0,
         "InvalidRetryModeError",
         "Invalid value provided to \"mode\": \"legacy\" must be one of: "
         "\"standard\" or \"adaptive\""},
        {"zero attempts refused", NULL, "0", IAM_ECONFIG, 0, 0,
         "InvalidMaxRetryAttemptsError",
         "Value provided to \"max_attempts\": 0 must be an integer greater "
         "than or equal to one."},
        {"negative refused", NULL, "-1", IAM_ECONFIG, 0, 0,
         "InvalidMaxRetryAttemptsError",
         "Value provided to \"max_attempts\": -1 must be an integer greater "
         "than or equal to one."},
        {"not a number", NULL, "abc", IAM_ECONFIG, 0, 0, "ValueError",
         "invalid literal for int() with base 10: 'abc'"},
        {"trailing junk", NULL, "3x", IAM_ECONFIG, 0, 0, "ValueError",
         "invalid literal for int() with base 10: '3x'"},
        {"double underscore", NULL, "1__0", IAM_ECONFIG, 0, 0, "ValueError",
         "invalid literal for int() with base 10: '1__0'"},
        {"empty", NULL, "", IAM_ECONFIG, 0, 0, "ValueError",
         "invalid literal for int() with base 10: ''"},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct retry_cfg cfg;
        struct iam_err err = {0};
        int rc = retry_cfg_parse(cases[i].mode, cases[i].max, &cfg, &err);
        if(rc != cases[i].rc)
            unit_check(0, cases[i].name, "rc %d, want %d (%s)", rc,
                       cases[i].rc, err.msg);
        else if(rc == IAM_OK)
            unit_check((int)cfg.mode == cases[i].want_mode &&
                           cfg.max_attempts == cases[i].want_max,
                       cases[i].name, "mode %d max %d", cfg.mode,
                       cfg.max_attempts);
        else
            unit_check(strcmp(err.code, cases[i].code) == 0 &&
                           strcmp(err.msg, cases[i].msg) == 0,
                       cases[i].name, "%s: %s", err.code, err.msg);
    }
}

static struct iam_err service_err(const char *code, int status)
{
    struct iam_err e = {0};
    e.st = IAM_ESERVICE;
    e.kind = IAM_KIND_SERVICE;
    e.http_status = status;
    snprintf(e.code, sizeof(e.code), "%s", code);
    return e;
}

static struct iam_err conn_err(const char *code, enum iam_status st)
{
    struct iam_err e = {0};
    e.st = st;
    e.kind = IAM_KIND_CONNECTION;
    snprintf(e.code, sizeof(e.code), "%s", code);
    return e;
}

static void test_classes(void)
{
    static const struct {
        const char *name, *code;
        int status, conn, retried;
    } cases[] = {
        {"Throttling on 400", "Throttling", 400, 0, 1},
        {"ThrottlingException", "ThrottlingException", 400, 0, 1},
        {"RequestLimitExceeded", "RequestLimitExceeded", 400, 0, 1},
        {"RequestTimeout", "RequestTimeout", 400, 0, 1},
        {"500", "500", 500, 0, 1},
        {"502", "502", 502, 0, 1},
        {"503 ServiceUnavailable", "ServiceUnavailable", 503, 0, 1},
        {"504", "504", 504, 0, 1},
        {"501 not retried", "501", 501, 0, 0},
        {"AccessDenied not retried", "AccessDenied", 403, 0, 0},
        {"NoSuchEntity not retried", "NoSuchEntity", 404, 0, 0},
        {"429 without a throttling code not retried", "429", 429, 0, 0},
        {"connection refused", "EndpointConnectionError", 0, 1, 1},
        {"connection closed", "ConnectionClosedError", 0, 1, 1},
        {"read timeout", "ReadTimeoutError", 0, 1, 1},
        {"connect timeout", "ConnectTimeoutError", 0, 1, 1},
        {"TLS failure", "SSLError", 0, 1, 1},
        {"proxy unreachable", "ProxyConnectionError", 0, 1, 1},
        {"unparseable body not retried", "ResponseParserError", 0, 1, 0},
        {"oversized body not retried", "ResponseTooLarge", 0, 1, 0},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct retry_cfg cfg = {RETRY_STANDARD, 3};
        struct retry r;
        struct retry_call c = {0};
        struct iam_err e = cases[i].conn ? conn_err(cases[i].code, IAM_ECONN)
                                         : service_err(cases[i].code,
                                                       cases[i].status);
        double delay;
        int again;
        retry_init(&r, &cfg, 0);
        c.attempt = 1;
        again = retry_after(&r, &c, &e, 0, 0.5, &delay);
        unit_check(again == cases[i].retried, cases[i].name,
                   "retry %d, want %d", again, cases[i].retried);
    }
}

/* Attempt i+1 waits rand * 2^(i-1), capped at 20 s; the last attempt is
 * final and names the retries. */
static void test_backoff(void)
{
    struct retry_cfg cfg = {RETRY_STANDARD, 8};
    struct retry r;
    struct retry_call c = {0};
    struct iam_err e;
    double delay, want[] = {0.999, 1.998, 3.996, 7.992, 15.984, 20, 20};
    int i, ok = 1, again;
    retry_init(&r, &cfg, 0);
    for(i = 0; i < 7; i++) {
        e = service_err("Throttling", 400);
        c.attempt = i + 1;
        again = retry_after(&r, &c, &e, 0, 0.999, &delay);
        if(!again || fabs(delay - want[i]) > 1e-9) {
            ok = 0;
            unit_check(0, "backoff doubles up to 20 s", "attempt %d: %d %.4f",
                       i + 1, again, delay);
        }
    }
    if(ok)
        unit_check(1, "backoff doubles up to 20 s", " ");
    e = service_err("Throttling", 400);
    c.attempt = 8;
    again = retry_after(&r, &c, &e, 0, 0.999, &delay);
    unit_check(!again && e.max_attempts_reached && e.retries == 7,
               "last attempt: reached max retries 7", "%d %d %d", again,
               e.max_attempts_reached, e.retries);
    e = service_err("Throttling", 400);
    c.attempt = 1;
    retry_after(&r, &c, &e, 0, 0.0, &delay);
    unit_check(delay == 0, "jitter can be zero", "%f", delay);

    /* botocore checks max attempts first: a non-retryable error on the
     * last allowed attempt still says so; a connection error has no parsed
     * response to carry it. */
    cfg.max_attempts = 1;
    retry_init(&r, &cfg, 0);
    e = service_err("AccessDenied", 403);
    c.attempt = 1;
    again = retry_after(&r, &c, &e, 0, 0.5, &delay);
    unit_check(!again && e.max_attempts_reached && e.retries == 0,
               "max_attempts 1: AccessDenied reached max retries 0", "%d %d",
               again, e.max_attempts_reached);
    e = conn_err("EndpointConnectionError", IAM_ECONN);
    again = retry_after(&r, &c, &e, 0, 0.5, &delay);
    unit_check(!again && !e.max_attempts_reached,
               "connection error: no retry suffix", "%d %d", again,
               e.max_attempts_reached);
}

/* 500 tokens; 5 per retry, 10 per timeout retry; a success gives back what
 * its last retry took, or 1. */
static void test_quota(void)
{
    struct retry_cfg cfg = {RETRY_STANDARD, 1000};
    struct retry r;
    struct retry_call c = {0};
    struct iam_err e, ok = {0};
    double delay;
    int n = 0;
    retry_init(&r, &cfg, 0);
    for(;;) {
        e = service_err("503", 503);
        c.attempt = 1;
        if(!retry_after(&r, &c, &e, 0, 0.5, &delay) || n > 1000)
            break;
        n++;
    }
    unit_check(n == 100 && r.quota == 0, "quota: 100 retries of 5 tokens",
               "%d retries, %d left", n, r.quota);
    retry_after(&r, &c, &ok, 0, 0.5, &delay);
    unit_check(r.quota == 5, "quota: a success after a retry refunds it",
               "%d", r.quota);
    c.quota_held = 0;
    retry_after(&r, &c, &ok, 0, 0.5, &delay);
    unit_check(r.quota == 6, "quota: a first-try success gives 1", "%d",
               r.quota);
    e = conn_err("ReadTimeoutError", IAM_ETIMEOUT);
    c.attempt = 1;
    unit_check(!retry_after(&r, &c, &e, 0, 0.5, &delay),
               "quota: a timeout retry needs 10", "retried with %d", r.quota);
    retry_init(&r, &cfg, 0);
    r.quota = 499;
    c.quota_held = 5;
    retry_after(&r, &c, &ok, 0, 0.5, &delay);
    unit_check(r.quota == 500, "quota: refunds stop at 500", "%d", r.quota);
}

/* Responses at 100.0 + i * 0.1 s; throttled or not; then the bucket's
 * rate and the measured rate botocore computes. */
static const struct {
    double t;
    int throttled;
    double fill_rate, measured;
} oracle[] = {
    {100.000000, 0, 0.5, 0},
    {100.100000, 0, 0.5, 0},
    {100.200000, 0, 0.5, 0},
    {100.300000, 0, 0.5, 0},
    {100.400000, 0, 0.5, 0},
    {100.500000, 0, 0.5, 9.6},
    {100.600000, 0, 0.5, 9.6},
    {100.700000, 0, 0.5, 9.6},
    {100.800000, 0, 0.5, 9.6},
    {100.900000, 0, 0.5, 9.6},
    {101.000000, 0, 0.5, 9.92},
    {101.100000, 0, 0.5324, 9.92},
    {101.200000, 0, 0.6912, 9.92},
    {101.300000, 0, 0.8788, 9.92},
    {101.400000, 0, 1.0976, 9.92},
    {101.500000, 0, 1.35, 9.984},
    {101.600000, 0, 1.6384, 9.984},
    {101.700000, 0, 1.9652, 9.984},
    {101.800000, 0, 2.3328, 9.984},
    {101.900000, 0, 2.7436, 9.984},
    {102.000000, 1, 6.99776, 9.9968},
    {102.100000, 1, 4.898432, 9.9968},
    {102.200000, 1, 3.4289024, 9.9968},
    {102.300000, 1, 2.40023168, 9.9968},
    {102.400000, 1, 1.68016218, 9.9968},
    {102.500000, 1, 1.17611352, 9.99936},
    {102.600000, 0, 1.30355046, 9.99936},
    {102.700000, 0, 1.40746459, 9.99936},
    {102.800000, 0, 1.49025591, 9.99936},
    {102.900000, 0, 1.55432442, 9.99936},
    {103.000000, 0, 1.60207011, 9.999872},
    {103.100000, 0, 1.63589301, 9.999872},
    {103.200000, 0, 1.65819309, 9.999872},
    {103.300000, 0, 1.67137036, 9.999872},
    {103.400000, 0, 1.67782482, 9.999872},
    {103.500000, 0, 1.67995648, 9.9999744},
    {103.600000, 0, 1.68016532, 9.9999744},
    {103.700000, 0, 1.68085136, 9.9999744},
    {103.800000, 0, 1.68441458, 9.9999744},
    {103.900000, 0, 1.693255, 9.9999744},
    {104.000000, 0, 1.70977261, 9.99999488},
    {104.100000, 0, 1.7363674, 9.99999488},
    {104.200000, 0, 1.77543939, 9.99999488},
    {104.300000, 0, 1.82938857, 9.99999488},
    {104.400000, 0, 1.90061494, 9.99999488},
    {104.500000, 0, 1.9915185, 9.99999898},
    {104.600000, 0, 2.10449926, 9.99999898},
    {104.700000, 0, 2.2419572, 9.99999898},
    {104.800000, 0, 2.40629233, 9.99999898},
    {104.900000, 0, 2.59990466, 9.99999898},
    {105.000000, 0, 2.82519417, 9.9999998},
    {105.100000, 0, 3.08456088, 9.9999998},
    {105.200000, 0, 3.38040477, 9.9999998},
    {105.300000, 0, 3.71512586, 9.9999998},
    {105.400000, 0, 4.09112414, 9.9999998},
    {105.500000, 0, 4.51079961, 9.99999996},
    {105.600000, 0, 4.97655227, 9.99999996},
    {105.700000, 0, 5.49078212, 9.99999996},
    {105.800000, 0, 6.05588916, 9.99999996},
    {105.900000, 0, 6.67427339, 9.99999996},
};

static void test_adaptive(void)
{
    struct retry_cfg cfg = {RETRY_ADAPTIVE, 3};
    struct retry r;
    size_t i, n = sizeof(oracle) / sizeof(oracle[0]);
    int bad = 0;
    double wait, w2;
    retry_init(&r, &cfg, 100.0);
    unit_check(retry_before_send(&r, 100.0) == 0,
               "adaptive: no client-side limit before throttling", " ");
    for(i = 0; i < n && !bad; i++) {
        struct retry_call c = {0};
        struct iam_err e = oracle[i].throttled ? service_err("Throttling", 400)
                                               : service_err("AccessDenied",
                                                             403);
        double t = 100.0 + (double)i * 0.1, delay;
        c.attempt = 3; /* final: only the rate limiter acts */
        retry_after(&r, &c, &e, t, 0.5, &delay);
        if(fabs(r.rate.fill_rate - oracle[i].fill_rate) >
               1e-6 * fmax(1, oracle[i].fill_rate) ||
           fabs(r.rate.measured_rate - oracle[i].measured) >
               1e-6 * fmax(1, oracle[i].measured)) {
            bad = 1;
            unit_check(0, "adaptive: send rate follows botocore's CUBIC",
                       "step %zu: rate %.9g want %.9g, measured %.9g want "
                       "%.9g", i, r.rate.fill_rate, oracle[i].fill_rate,
                       r.rate.measured_rate, oracle[i].measured);
        }
    }
    if(!bad)
        unit_check(1, "adaptive: send rate follows botocore's CUBIC", " ");
    /* Once throttled, a send without a token waits and takes nothing:
     * asking again at once gives the same wait, and when the wait has
     * passed the token is there for one sender, not two. */
    r.rate.capacity = 0;
    r.rate.last_refill = 200;
    wait = retry_before_send(&r, 200);
    w2 = retry_before_send(&r, 200);
    unit_check(wait > 0 && fabs(w2 - wait) < 1e-9 &&
                   fabs(wait - 1 / r.rate.fill_rate) < 1e-9,
               "adaptive: a waiting send takes no token", "%f then %f", wait,
               w2);
    unit_check(retry_before_send(&r, 200 + wait + 1e-9) == 0 &&
                   retry_before_send(&r, 200 + wait + 1e-9) > 0,
               "adaptive: after the wait one send gets the token", " ");
    /* The rate rises while a sender waits: it asks again and the new
     * rate's wait applies, not the one it was first told. */
    r.rate.capacity = 0;
    r.rate.last_refill = 300;
    r.rate.fill_rate = 0.5;
    wait = retry_before_send(&r, 300);
    r.rate.fill_rate = 10;
    w2 = retry_before_send(&r, 300.05);
    unit_check(fabs(wait - 2) < 1e-9 && fabs(w2 - 0.05) < 1e-9,
               "adaptive: a wait follows the rate when asked again",
               "%f then %f", wait, w2);
}

int main(void)
{
    test_cfg();
    test_classes();
    test_backoff();
    test_quota();
    test_adaptive();
    return unit_done();
}
