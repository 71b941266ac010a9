/* retry.h - botocore's standard and adaptive retry modes.
 *
 * One struct retry per client, shared by every request the client sends,
 * so the retry quota and adaptive mode's send rate are the client's, as in
 * botocore (retries/standard.py, quota.py, adaptive.py, bucket.py,
 * throttling.py):
 *
 *   standard  up to max_attempts (default 3) attempts; an attempt is
 *             retried when it failed with a transient error (connection
 *             errors and timeouts, HTTP 500/502/503/504, RequestTimeout,
 *             RequestTimeoutException, PriorRequestNotComplete) or a
 *             throttling code (Throttling, ThrottlingException, ...), and
 *             the retry quota (500, 5 per retry, 10 per timeout retry,
 *             refunded on success) allows it. The delay before attempt
 *             i+1 is rand(0,1) * 2^(i-1) seconds, at most 20.
 *   adaptive  standard, plus a client-side token bucket that is off until
 *             the first throttling error, then sends at a rate that CUBIC
 *             lowers on throttling and raises on success.
 *
 * Nothing here sleeps: callers get a delay in seconds and wait for it the
 * way their context allows (a parked task or a blocking loop).
 */
#ifndef IAM_RETRY_H
#define IAM_RETRY_H

#include "err.h"

enum retry_mode { RETRY_STANDARD = 0, RETRY_ADAPTIVE };

struct retry_cfg {
    enum retry_mode mode;
    int max_attempts;
};

/* Parses retry_mode and max_attempts values (NULL: default) with the AWS
 * CLI's refusals: a mode other than standard/adaptive (legacy included) is
 * InvalidRetryModeError, a max_attempts below one
 * InvalidMaxRetryAttemptsError, one that is not an integer ValueError
 * ("invalid literal for int() with base 10: 'abc'"). */
int retry_cfg_parse(const char *mode, const char *max_attempts,
                    struct retry_cfg *out, struct iam_err *err);

/* The adaptive rate limiter's state (botocore's ClientRateLimiter). */
struct retry_rate {
    int enabled;            /* after the first throttling response */
    double fill_rate;       /* token bucket: tokens per second */
    double max_capacity, capacity, last_refill;
    double measured_rate;   /* RateClocker */
    double last_bucket;
    long count;
    double w_max, k, last_fail; /* CubicCalculator */
};

struct retry {
    struct retry_cfg cfg;
    int quota, quota_max;
    struct retry_rate rate;
};

/* Per-request state across its attempts. */
struct retry_call {
    int attempt;    /* attempts made so far */
    int quota_held; /* what the last retry took from the quota; 0: none */
    int skew_fixed; /* the clock was corrected for this request */
};

void retry_init(struct retry *r, const struct retry_cfg *cfg, double now);

/* Before sending an attempt: 0 when it may be sent now (always in
 * standard mode, and until adaptive mode sees throttling), with the send
 * token taken; else the seconds until a token could be there, nothing
 * taken: the caller waits and asks again, as other callers may have taken
 * it or the rate may have changed meanwhile. */
double retry_before_send(struct retry *r, double now);

/* After an attempt that ended with err (err->st == IAM_OK: success).
 * Returns 1 when the request should be sent again after *delay seconds;
 * 0 when err is final, after setting err->retries (attempts - 1) and
 * err->max_attempts_reached as botocore's response metadata would.
 * rand01 is a random number in [0, 1) for the jitter. */
int retry_after(struct retry *r, struct retry_call *c, struct iam_err *err,
                double now, double rand01, double *delay);

/* 1 when err is one botocore counts as throttling. */
int retry_is_throttling(const struct iam_err *err);

#endif
