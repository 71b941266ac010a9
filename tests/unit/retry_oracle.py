"""Prints the adaptive-mode oracle table that tests/unit/test_retry.c holds.

Drives botocore's own ClientRateLimiter (the AWS CLI v2 package's copy) with
a fake clock through a fixed scenario: responses at the given times, some of
them throttling errors; after each it prints the token bucket's fill rate
and the rate clocker's measured rate. Regenerate the C table with
    python3 tests/unit/retry_oracle.py
"""
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages/awscli")
from botocore.retries import adaptive, bucket, standard, throttling  # noqa: E402

# (time, throttled) — a burst at 10/s, throttling for a while, then calm.
SCENARIO = [(100.0 + i * 0.1, 20 <= i < 26) for i in range(60)]


class FakeClock(bucket.Clock):
    def __init__(self):
        self.t = 100.0

    def current_time(self):
        return self.t

    def sleep(self, amount):
        self.t += amount


def main():
    clock = FakeClock()
    limiter = adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time()),
        rate_clocker=adaptive.RateClocker(clock),
        token_bucket=bucket.TokenBucket(max_rate=1, clock=clock),
        throttling_detector=standard.ThrottlingErrorDetector(retry_event_adapter=standard.RetryEventAdapter()),
        clock=clock,
    )
    for t, throttled in SCENARIO:
        clock.t = t
        parsed = {"Error": {"Code": "Throttling" if throttled else "AccessDenied"}}
        limiter.on_receiving_response(response=(None, parsed), attempts=1, operation=None,
                                      caught_exception=None, request_dict={"context": {}})
        print("    {%.6f, %d, %.9g, %.9g}," % (t, 1 if throttled else 0,
                                               limiter._token_bucket.max_rate,
                                               limiter._rate_clocker.measured_rate))


if __name__ == "__main__":
    main()
