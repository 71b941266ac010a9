"""benchlib.py: what every part of `make bench` shares -- running child
commands within the run's time budget, timing them (hyperfine,
/usr/bin/time), and stopping the servers it started."""

import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

from procgroup import stop_group  # tests/lib

CMD_TIMEOUT = 120                 # seconds for any one child command
WALL_LIMIT = 570                  # the whole run must end within this many seconds

_children = []                    # Popen objects of long-lived servers we started
_started = time.monotonic()


class BenchError(RuntimeError):
    pass


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def elapsed():
    return time.monotonic() - _started


def check_deadline():
    if elapsed() > WALL_LIMIT:
        raise BenchError("over the %d s budget; stopping" % WALL_LIMIT)


def run(argv, env, timeout=CMD_TIMEOUT, check=True, stdin=subprocess.DEVNULL):
    """Runs argv to completion; returns (rc, stdout, stderr) as text."""
    check_deadline()
    try:
        p = subprocess.run(argv, env=env, stdin=stdin, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError("timed out after %ds: %s" % (timeout, " ".join(argv)[:300]))
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if check and p.returncode != 0:
        raise BenchError("exit %d: %s\n%s%s" % (p.returncode, " ".join(argv)[:300],
                                                 out[-1500:], err[-1500:]))
    return p.returncode, out, err


def spawn(argv, log_path):
    """Starts a server in its own process group (stopped by stop_children)."""
    err = open(log_path, "wb")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                         start_new_session=True)
    err.close()
    _children.append(p)
    return p


def stop_children():
    for p in list(_children):
        stop_group(p)
        _children.remove(p)


def on_signal(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def hyperfine(argv, runs, warmup, env, tmp):
    """(wall seconds of each run, median user+sys per run) of argv."""
    out = os.path.join(tmp, "hf.json")
    cmd = ["hyperfine", "-N", "--style", "none", "--runs", str(runs),
           "--warmup", str(warmup), "--export-json", out, shlex.join(argv)]
    run(cmd, env, timeout=CMD_TIMEOUT)
    with open(out) as f:
        r = json.load(f)["results"][0]
    return r["times"], r["user"] + r["system"]


def peak_rss_kb(argv, env, tmp):
    out = os.path.join(tmp, "time.txt")
    run(["/usr/bin/time", "-f", "%M", "-o", out] + argv, env)
    with open(out) as f:
        return int(f.read().split()[-1])


def timed(argv, env, tmp):
    """(wall seconds, user+sys seconds, peak RSS KB, stdout) of one run."""
    out = os.path.join(tmp, "time.txt")
    t0 = time.monotonic()
    _, so, _ = run(["/usr/bin/time", "-f", "%U %S %M", "-o", out] + argv, env)
    wall = time.monotonic() - t0
    with open(out) as f:
        u, s, m = f.read().split()[-3:]
    return wall, float(u) + float(s), int(m), so


def loop_rate(stdout):
    m = re.search(r"rate=([0-9.]+)", stdout)
    return float(m.group(1)) if m else None


def over_budget(t0, budget, done, min_rounds):
    """True when a section has used its time budget and has its minimum
    number of rounds: a loaded machine gets fewer rounds, not a longer run."""
    if done >= min_rounds and time.monotonic() - t0 > budget:
        log("  time budget of %d s used after %d rounds; going on" % (budget, done))
        return True
    return False
