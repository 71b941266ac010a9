#!/usr/bin/env python3
"""test_stress.py: the randomised scheduler stress target (issue 17).

Each seed runs tests/e2e/lifetimes/stress.lua: nested aws.parallel runs of
random depth and width, random failures and retries through the fault
proxy, random collectgarbage and client closes, shared aws.once values.
Some seeds are interrupted with SIGINT at a random moment. Under
`make asan` the same seeds run on the sanitizer build.

Upstream is a canned IAM endpoint answering GetAccessKeyLastUsed with
UserName = "u-" + AccessKeyId (moto needs ~12 ms a request; this keeps a
seed to a second or two). The fault proxy in front picks, per request and
deterministically from the seed and the request's bytes and arrival count:
pass (60 %), Throttling (15 %), 500 (10 %), a 0.05-0.3 s stall (10 %), or
a reset before the headers (5 %).

Env: IAMLUA_STRESS_SEEDS (default 16) seeds from IAMLUA_STRESS_FIRST
(default 1); IAMLUA_STRESS_SIGINT (default 4) more seeds interrupted.
`make fuzz-ci` runs a longer sweep.
"""
import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from canned import CannedHandler, CannedServer, key_last_used  # noqa: E402
from faultproxy import FaultProxy, Fault  # noqa: E402

SEEDS = int(os.environ.get("IAMLUA_STRESS_SEEDS", "16"))
FIRST = int(os.environ.get("IAMLUA_STRESS_FIRST", "1"))
SIGINTS = int(os.environ.get("IAMLUA_STRESS_SIGINT", "4"))
RUN_TIMEOUT = 90.0  # a seed that takes longer hangs

KEY = re.compile(rb"AccessKeyId=([A-Z0-9]+)")


class Echo(CannedHandler):
    """Answers with the key it was asked about, as u-KEY."""

    def answer(self, body):
        m = KEY.search(body)
        return 200, key_last_used("u-" + (m.group(1).decode() if m else "none"))


def seeded_rule(seed_box):
    """Faults drawn from (seed, body, how often this body came)."""
    counts = {}
    lock = threading.Lock()

    def rule(seq, t, entry):
        with lock:
            n = counts.get(entry.body, 0)
            counts[entry.body] = n + 1
        h = hashlib.sha256(b"%d:%d:" % (seed_box[0], n) + (entry.body or b"")).digest()
        x = int.from_bytes(h[:4], "big") / 2 ** 32
        if x < 0.60:
            return Fault.passthrough()
        if x < 0.75:
            return Fault.throttle()
        if x < 0.85:
            return Fault.error(500)
        if x < 0.95:
            return Fault.slow(0.05 + (x - 0.85) * 2.5)
        return Fault.reset()
    return rule


def run_seed(rep, env, url, seed, sigint_after=None):
    argv = [H.iamlua_bin(), "run", os.path.join(HERE, "lifetimes", "stress.lua"), url, str(seed)]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, cwd=H.ROOT, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    if sigint_after is not None:
        timer = threading.Timer(sigint_after, lambda: p.poll() is None and p.send_signal(signal.SIGINT))
        timer.start()
    try:
        out, err = p.communicate(timeout=RUN_TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        rc = None
    secs = time.monotonic() - t0
    name = "seed %d%s" % (seed, "" if sigint_after is None else
                          " interrupted after %.2f s" % sigint_after)
    problems = []
    text = out.decode(errors="replace")
    if rc is None:
        problems.append("hung (killed after %.0f s)" % RUN_TIMEOUT)
    elif b"Sanitizer" in err or b"runtime error" in err:
        problems.append("sanitizer: %s" % H.show(err, 1200))
    elif sigint_after is None:
        if rc != 0 or "ok - seed" not in text:
            problems.append("rc=%s out=%s err=%s" % (rc, H.show(out, 600), H.show(err, 600)))
        elif "not ok - " in text:
            problems.append(text.strip()[9:])
    else:
        # Interrupted: 130, or finished (cleanly) before the signal came.
        if rc not in (0, 130):
            problems.append("rc=%s err=%s" % (rc, H.show(err, 600)))
        if rc == 0 and "not ok - " in text:
            problems.append(text.strip()[9:])
    detail = re.search(r"depth \d+, \d+ requests", text)
    rep.check("%s (%s%.1f s)" % (name, detail.group(0) + ", " if detail else "", secs), problems)


def main():
    rep = H.Reporter()
    up = CannedServer(Echo).start()
    seed_box = [0]
    px = FaultProxy(up.url)
    ws = H.Workspace()
    try:
        env = H.scrubbed_env(ws, {"AWS_ACCESS_KEY_ID": "AKIASTRESS0000000001",
                                  "AWS_SECRET_ACCESS_KEY": "stress"},
                             ["--endpoint-url", px.url])
        gc_env = dict(env, IAMLUA_GC_STRESS="1")
        for seed in range(FIRST, FIRST + SEEDS):
            seed_box[0] = seed
            px.rule(seeded_rule(seed_box))
            run_seed(rep, gc_env if seed % 4 == 0 else env, px.url, seed)
        rnd = random.Random(FIRST)
        for seed in range(FIRST + SEEDS, FIRST + SEEDS + SIGINTS):
            seed_box[0] = seed
            px.rule(seeded_rule(seed_box))
            run_seed(rep, env, px.url, seed, sigint_after=rnd.uniform(0.05, 1.5))
    finally:
        px.close()
        up.shutdown()
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
