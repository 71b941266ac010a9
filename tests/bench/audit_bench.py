#!/usr/bin/env python3
"""Measures a full `iamlua audit` of a large moto account (not part of make test).

    python3 tests/bench/audit_bench.py [USERS [KEYS]]    # default 300 users, 450 keys

Seeds moto (tests/e2e/audit_moto.py) with USERS users, KEYS access keys
(every other user has two), console passwords on a tenth, inline and
attached policies on some, then runs the full audit with --now pinned at
concurrency 1 and 32 (three runs each, median wall time), straight to moto
and once more through the counting proxy (tests/e2e/audit_proxy.py) to
count the requests on the wire. Also measured: moto's latency for one
request on a kept-alive connection (median of 200 GetAccountSummary
calls from one iamlua process) and iamlua's start-up (`iamlua --version`),
which give DESIGN 4's bound for concurrency 32:
    1.5 x ((requests / 32) x latency + start-up).
The facts cache's saving is the audit's own count (--debug's statistics
line: each cache hit would have repeated the fact's requests).
"""

import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(HERE, "..", "e2e")
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, E2E)
import harness as H  # noqa: E402
import audit_seed as S  # noqa: E402
from audit_proxy import AuditProxy  # noqa: E402
from faultproxy import Fault  # noqa: E402

DELAY = 0.020      # seconds the proxy adds to every answer in the latency runs


class RecordingProxy(AuditProxy):
    """Forwards like AuditProxy and keeps every answer by request body."""

    def __init__(self, upstream):
        super().__init__(upstream)
        self.answers = {}

    def _forward(self, c, req, e):
        status, headers, body = self.fetch_upstream(req["raw"])
        self.answers[req["body"]] = (status, [(k, v) for k, v in headers if k.lower() == "content-type"], body)
        e.status = status
        self._send(c, status, self.answers[req["body"]][1], body)
        return True


def replay_server(answers, delay):
    """A threaded HTTP server answering each recorded request body with
    moto's recorded answer after `delay` seconds, many at a time: an
    endpoint whose latency overlaps, as IAM's does (signatures are not
    checked: it only replays)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # head and body go out in one write, and without Nagle: a reply
            # split in two segments waits out the client's delayed ACK
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            time.sleep(delay)
            status, headers, out = answers.get(body, (500, [("Content-Type", "text/plain")], b"not recorded"))
            head = "HTTP/1.1 %d OK\r\n" % status
            for k, v in headers:
                head += "%s: %s\r\n" % (k, v)
            head += "Content-Length: %d\r\n\r\n" % len(out)
            self.wfile.write(head.encode("latin-1") + out)
            self.wfile.flush()

        def log_message(self, *a):
            pass

    class Server(ThreadingHTTPServer):
        # socketserver's default backlog is 5: 32 connections opened at
        # once overflow it, and the dropped SYNs come back a second later
        # (a 1 s stall per round that was the server's, not the audit's)
        request_queue_size = 128

    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def seed(srv, n_users, n_keys):
    srv.reset()
    srv.set_auth_free_requests(10 ** 7)
    boot = S.client("iam", srv.url, S.BOOT)
    allow = boot.create_policy(PolicyName="allow", PolicyDocument=S.ALLOW_ALL)["Policy"]["Arn"]
    narrow = boot.create_policy(PolicyName="narrow", PolicyDocument=S.NARROW)["Policy"]["Arn"]
    admin = S._auditor(boot, "zz-auditor", allow, srv.url)
    two = n_keys - n_users          # users with a second key
    clients = [S.client("iam", srv.url, S.BOOT) for _ in range(6)]

    def one(i):
        iam = clients[i % 6]
        name = "user-%04d" % i
        iam.create_user(UserName=name)
        for _ in range(2 if i < two else 1):
            k = iam.create_access_key(UserName=name)["AccessKey"]
            if i % 3 == 0:
                S.use_key(srv.url, k)
        if i % 10 == 0:
            iam.create_login_profile(UserName=name, Password="Pw-%d-abcdefgh" % i)
        if i % 7 == 0:
            iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=S.NARROW)
        if i % 11 == 0:
            iam.attach_user_policy(UserName=name, PolicyArn=narrow)
    with ThreadPoolExecutor(6) as ex:
        list(ex.map(one, range(n_users)))
    acct = S.client("sts", srv.url, S.BOOT).get_caller_identity()["Account"]
    srv.root(acct, mfa=1, keys_present=0)
    srv.enforce_auth()
    return admin


def main():
    n_users = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    n_keys = int(sys.argv[2]) if len(sys.argv) > 2 else 450
    S.scrub_process_env()
    srv = S.start_moto()
    px = RecordingProxy(srv.url)
    ws = H.Workspace(prefix="iamlua-audit-bench.")
    bin_ = H.iamlua_bin()
    try:
        t0 = time.monotonic()
        admin = seed(srv, n_users, n_keys)
        print("seeded %d users, %d keys in %.1f s" % (n_users, n_keys, time.monotonic() - t0))
        ws.write("credentials", "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % admin)
        ws.write("config", "[default]\nregion = us-east-1\n")
        now = S.iso_z(time.time() + 100 * 86400)

        cpu = {}
        stats = []

        def run(url, conc, extra=(), debug=False):
            # timed runs go without --debug: its request trace would be
            # most of the work; the statistics come from one --debug run
            argv = [bin_, "audit", "--endpoint-url", url, "--now", now, "--concurrency", str(conc)] + \
                (["--debug"] if debug else []) + list(extra)
            env = H.scrubbed_env(ws, None, argv)
            t = time.monotonic()
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            p = subprocess.run(argv, env=env, capture_output=True, timeout=600)
            wall = time.monotonic() - t
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[conc] = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            if p.returncode not in (0, 1, 2):
                raise RuntimeError("audit failed: rc %s %s" % (p.returncode, p.stderr[-500:]))
            if debug:
                m = re.search(rb"audit: (\d+) requests, (\d+) facts, (\d+) cache hits saved (\d+) requests, "
                              rb"(\d+) fetch rounds", p.stderr)
                stats[:] = [int(x) for x in m.groups()]
            n = json.loads(p.stdout)
            return wall, list(stats), len(n), sum(1 for f in n if f["status"] == "ERROR")

        # latency of one request on a kept-alive connection, and start-up
        lat_script = ws.path("lat.lua")
        with open(lat_script, "w") as f:
            f.write('local aws = require "aws"\nlocal iam = aws.client("iam", { endpoint_url = arg[1] })\n'
                    'local core = require "aws.core"\nlocal t = {}\nassert(iam:call("GetAccountSummary"))\n'
                    'for i = 1, 200 do local s = core.monotonic(); assert(iam:call("GetAccountSummary")); '
                    't[i] = core.monotonic() - s end\ntable.sort(t)\nprint(t[100])\n')
        argv = [bin_, "run", lat_script, srv.url]
        p = subprocess.run(argv, env=H.scrubbed_env(ws, None, argv + ["--endpoint-url", srv.url]),
                           capture_output=True, timeout=120)
        latency = float(p.stdout)
        starts = []
        for _ in range(10):
            t = time.monotonic()
            subprocess.run([bin_, "--version"], capture_output=True)
            starts.append(time.monotonic() - t)
        startup = statistics.median(starts)
        print("moto latency (median of 200, kept-alive): %.2f ms; iamlua start-up %.1f ms"
              % (latency * 1000, startup * 1000))
        run(srv.url, 32, debug=True)
        results = {}
        for conc in (1, 32):
            walls = []
            for _ in range(3):
                wall, st, nf, ne = run(srv.url, conc)
                walls.append(wall)
            results[conc] = (statistics.median(walls), st, nf, ne)
            print("  iamlua's own CPU time (user+sys, last run): %.2f s" % cpu[conc])
            print("concurrency %2d: wall %.2f s (median of 3: %s), %d requests, %d facts, %d cache hits "
                  "saving %d requests, %d fetch rounds, %d findings (%d ERROR)"
                  % (conc, statistics.median(walls), ", ".join("%.2f" % w for w in walls),
                     st[0], st[1], st[2], st[3], st[4], nf, ne))
        px.clear()
        wall, st, _, _ = run(px.url, 32)
        wire = len(px.log())
        acts = {}
        for a in px.actions():
            acts[a] = acts.get(a, 0) + 1
        print("through the counting proxy: %d requests on the wire (audit counted %d): %s"
              % (wire, st[0], ", ".join("%s %d" % kv for kv in sorted(acts.items()))))
        # moto answers one request at a time (one Python process), so its
        # throughput, not the audit, bounds the runs above; with a latency
        # the endpoint can overlap (the proxy holds every answer DELAY s,
        # one thread per connection) the audit's concurrency shows
        px.clear()
        px.rule(lambda seq, t, e: Fault.slow(DELAY))
        for conc in (1, 32):
            wall, st, _, _ = run(px.url, conc)
            bound = 1.5 * ((st[0] / conc) * (latency + DELAY) + startup)
            print("with %.0f ms added per answer, concurrency %2d: wall %.2f s, %d requests; "
                  "1.5 x ((requests / %d) x (%.1f ms) + start-up) = %.2f s (%s)"
                  % (DELAY * 1000, conc, wall, st[0], conc, (latency + DELAY) * 1000, bound,
                     "PASS" if wall <= bound else "MISS"))
        px.clear()
        # the same answers replayed by an endpoint that serves many at once
        # with a fixed latency: the audit's own concurrency against DESIGN 4
        rs = replay_server(px.answers, DELAY)
        url = "http://127.0.0.1:%d" % rs.server_address[1]
        for conc in (1, 32):
            wall, st, nf, ne = run(url, conc)
            bound = 1.5 * ((st[0] / conc) * DELAY + startup)
            print("replayed answers, %.0f ms each, concurrency %2d: wall %.2f s, %d requests, %d findings "
                  "(%d ERROR); 1.5 x ((requests / %d) x %.0f ms + start-up) = %.2f s (%s)"
                  % (DELAY * 1000, conc, wall, st[0], nf, ne, conc, DELAY * 1000, bound,
                     "PASS" if wall <= bound else "MISS"))
        rs.shutdown()
        req = results[32][1][0]
        bound = 1.5 * ((req / 32.0) * latency + startup)
        print("DESIGN 4 bound at concurrency 32: 1.5 x ((%d / 32) x %.2f ms + %.1f ms) = %.2f s; measured %.2f s (%s)"
              % (req, latency * 1000, startup * 1000, bound, results[32][0],
                 "PASS" if results[32][0] <= bound else "MISS"))
    finally:
        ws.cleanup()
        px.close()
        srv.stop()


if __name__ == "__main__":
    main()
