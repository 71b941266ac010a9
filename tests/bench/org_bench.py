#!/usr/bin/env python3
"""Wall time of examples/org-audit-access-keys.lua against moto_server: an
organisation of N member accounts x U users (one access key each), at
concurrency 1 and 32 (not part of make test).

    python3 tests/bench/org_bench.py [--members 5] [--users 50] [--runs 3]
                                     [--concurrency 1,32] [--latency MS]

moto checks every signature and permission (tests/lib/orgseed.py seeds the
organisation through the accounts' assumed roles, then enforces auth). The
audit reaches the management account with the admin's keys and each member
through OrganizationAccountAccessRole (AssumeRole to the same moto), so a
run makes 1 ListAccounts + 1 GetCallerIdentity + per account: 1 AssumeRole
(members), ListUsers, U ListAccessKeys, U GetAccessKeyLastUsed. Prints the
median and every run's seconds per concurrency, the request count, and
how busy moto_server was (its CPU time over the wall time: moto handles
one signature-checked request at a time under Python's GIL, so near 100%
means moto, not the client, sets the pace). --latency MS puts
tests/lib/faultproxy.py in front of moto, delaying every answer by MS (as a
real endpoint's round trip would), which is where concurrency pays.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))


def cpu_seconds(pid):
    """User + system CPU seconds of a process (moto_server), or 0."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", default="1,32")
    ap.add_argument("--bin", default=os.path.join(ROOT, "iamlua"))
    ap.add_argument("--latency", type=float, default=0.0,
                    help="ms added to every answer by tests/lib/faultproxy.py (0: none)")
    a = ap.parse_args()
    for k in list(os.environ):
        if k.startswith("AWS_") or k.lower().endswith("_proxy"):
            del os.environ[k]
    from moto import MotoServer
    from orgseed import seed_org
    srv = MotoServer.start()
    try:
        t0 = time.monotonic()
        org = seed_org(srv, members=a.members,
                       users=lambda i, acct: ["user-%d-%03d" % (i, j) for j in range(a.users)])
        print("seeded %d member accounts x %d users in %.1f s"
              % (a.members, a.users, time.monotonic() - t0))
        url = srv.url
        if a.latency > 0:
            from faultproxy import FaultProxy, Fault
            px = FaultProxy(srv.url)
            px.set_default(Fault.slow(a.latency / 1000.0))
            url = px.url
            print("every answer delayed by %.0f ms (tests/lib/faultproxy.py)" % a.latency)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
               "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_ACCESS_KEY_ID": org.admin[0], "AWS_SECRET_ACCESS_KEY": org.admin[1],
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": url}
        accounts = a.members + 1
        users = a.members * a.users + 1
        requests = 2 + a.members + accounts + 2 * users
        print("requests per run: %d expected (%d accounts, %d users with one key each)"
              % (requests, accounts, users))
        for c in [int(x) for x in a.concurrency.split(",")]:
            times, moto_cpu = [], []
            for _ in range(a.runs):
                cpu0 = cpu_seconds(srv.proc.pid)
                t = time.monotonic()
                p = subprocess.run([a.bin, "run", os.path.join(ROOT, "examples",
                                                                "org-audit-access-keys.lua"),
                                    "--endpoint-url", url, "--concurrency", str(c)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   timeout=600)
                times.append(time.monotonic() - t)
                moto_cpu.append(cpu_seconds(srv.proc.pid) - cpu0)
                if a.latency > 0:
                    px.wait_idle()
                    print("  requests seen by the proxy: %d" % len(px.log()))
                    px.clear_log()
                if p.returncode not in (0, 1):
                    print("  run failed (exit %d): %s" % (p.returncode, p.stderr[-500:]))
            print("concurrency %2d: median %.2f s (runs: %s), %.0f requests/s; "
                  "moto_server busy %.0f%% of the time"
                  % (c, statistics.median(times), ", ".join("%.2f" % x for x in times),
                     requests / statistics.median(times),
                     100 * sum(moto_cpu) / sum(times)))
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())
