#!/usr/bin/env python3
"""test_lifetimes.py: request and scheduler lifetimes (issue 17 items 1-4
and 13) against moto_server behind the fault proxy, which verifies every
signature and lets each case pick faults by request parameters:

  PathPrefix /slow/   answered after 2 s     /slow1/  after 1 s
  PathPrefix /slow2/  answered after 0.3 s   /queued/ throttled once
  (retry_params)      every distinct body throttled once, then passed

The Lua halves are in tests/e2e/lifetimes/. Each prints `ok - NAME` /
`not ok - NAME: WHY`; this wrapper adds what only the proxy can see (the
bytes of retried bodies) and the exit status of runs that end with
requests still in flight. Run under `make asan` a use after free in any of
these paths aborts the run, which this suite reports."""
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from moto import MotoServer  # noqa: E402
from faultproxy import FaultProxy, Fault  # noqa: E402
import boto3  # noqa: E402

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
USERS = 11  # plus the admin: 12 users, ListUsers pages of 7 -> 2 pages
LDIR = os.path.join(HERE, "lifetimes")

DELAYS = {"/slow/": 2.0, "/slow1/": 1.0, "/slow2/": 0.3}


def path_prefix(entry):
    q = urllib.parse.parse_qs((entry.body or b"").decode("utf-8", "replace"))
    return (q.get("PathPrefix") or [""])[0]


def by_prefix_rule():
    """The rule of close.lua, exit.lua and coroutines.lua."""
    seen = set()

    def rule(seq, t, entry):
        p = path_prefix(entry)
        for pre, secs in DELAYS.items():
            if p.startswith(pre):
                return Fault.slow(secs)
        if p.startswith("/queued/"):
            if entry.body not in seen:
                seen.add(entry.body)
                return Fault.throttle()
        return Fault.passthrough()
    return rule


def throttle_each_once():
    seen = set()

    def rule(seq, t, entry):
        if entry.body in seen:
            return Fault.passthrough()
        seen.add(entry.body)
        return Fault.throttle()
    return rule


# What retry_params.lua sends as MaxItems: 3 and 2 blocking, 1 2 4 5 in
# tasks, 7 through paginate, 2..5 nested.
WANT_MAX_ITEMS = {1, 2, 3, 4, 5, 7}
ALLOWED = {"Action": {"ListUsers", "ListPolicies"}, "Version": {"2010-05-08"},
           "PathPrefix": {"/"}, "Scope": {"Local"}, "OnlyAttached": {"false"}}


def is_throttle(entry):
    return bool(entry.fault) and "Throttling" in entry.fault


def body_problems(entries):
    """Every body the script sent must be one it meant to send (a retry
    re-reading freed memory sends bytes of other strings), and each
    throttled body must come again, byte for byte."""
    problems = []
    throttled, passed = [], []
    for e in entries:
        text = (e.body or b"").decode("utf-8", "replace")
        q = urllib.parse.parse_qs(text, keep_blank_values=True)
        for k, vs in q.items():
            for v in vs:
                if k == "MaxItems":
                    if not v.isdigit() or not 1 <= int(v) <= 100:
                        problems.append("MaxItems=%r in %r" % (v, text[:200]))
                elif k == "Marker":
                    if not v.strip():
                        problems.append("empty Marker in %r" % text[:200])
                elif k not in ALLOWED or v not in ALLOWED[k]:
                    problems.append("%s=%r in %r" % (k, v, text[:200]))
        (throttled if is_throttle(e) else passed).append(e.body)
    if not throttled:
        problems.append("no request was throttled")
    for b in throttled:
        if b not in passed:
            problems.append("throttled body never sent again: %r" % (b or b"")[:200])
    sent = set()
    for b in throttled + passed:
        q = urllib.parse.parse_qs((b or b"").decode("utf-8", "replace"))
        sent.update(int(v) for v in q.get("MaxItems", []) if v.isdigit())
    if sent != WANT_MAX_ITEMS:
        problems.append("MaxItems sent %s, want %s" % (sorted(sent), sorted(WANT_MAX_ITEMS)))
    return problems


def run_lua(rep, ws, env, script, args, prefix, timeout=120):
    res = H.run([H.iamlua_bin(), "run", os.path.join(LDIR, script)] + args, env,
                timeout=timeout)
    out = res.out.decode(errors="replace")
    seen = 0
    for line in out.splitlines():
        if line.startswith("ok - "):
            rep.ok(prefix + line[5:])
            seen += 1
        elif line.startswith("not ok - "):
            name, _, detail = line[9:].partition(": ")
            rep.fail(prefix + name, detail)
            seen += 1
    if res.rc != 0 or seen == 0:
        rep.fail(prefix + script + " ran to the end",
                 "rc=%s stderr=%s" % (res.rc, H.show(res.err, 800)))
    return res


def main():
    rep = H.Reporter()
    srv = MotoServer.start()
    ws = H.Workspace()
    px = None
    try:
        srv.set_auth_free_requests(1000)
        iam = boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1",
                           aws_access_key_id="boot", aws_secret_access_key="boot")
        iam.create_user(UserName="admin")
        arn = iam.create_policy(PolicyName="all", PolicyDocument=POLICY)["Policy"]["Arn"]
        iam.attach_user_policy(UserName="admin", PolicyArn=arn)
        admin = iam.create_access_key(UserName="admin")["AccessKey"]
        keys = {}
        for i in range(USERS):
            name = "u%02d" % i
            iam.create_user(UserName=name)
            keys[name] = sorted(iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
                                for _ in range(i % 3))
        # The oracle for nested.lua, computed with boto3 before auth is on.
        expect = {}
        for name, ks in keys.items():
            if name == "u03":
                expect[name] = "| outer failure"
                continue
            parts = []
            for i, k in enumerate(ks, 1):
                if name == "u05" and i == 2:
                    parts.append("error:inner-failure")
                    continue
                svc = iam.get_access_key_last_used(AccessKeyId=k)["AccessKeyLastUsed"]["ServiceName"]
                parts.append("%s:%s" % (k, svc))
            expect[name] = " ".join(parts)
        srv.enforce_auth()
        px = FaultProxy(srv.url)
        base = {"AWS_ACCESS_KEY_ID": admin["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": admin["SecretAccessKey"]}
        env = H.scrubbed_env(ws, base, ["--endpoint-url", px.url])
        stress = dict(env, IAMLUA_GC_STRESS="1")

        # Items 2 and 1: parameters across retries, GC between attempts.
        for label, e in (("", env), ("gc-stress: ", stress)):
            px.clear_log()
            px.rule(throttle_each_once())
            run_lua(rep, ws, e, "retry_params.lua", [px.url, str(USERS + 1)],
                    "retry params: " + label)
            px.wait_idle()
            log = px.log()
            rep.check("retry params: %severy retried body equals the first "
                      "(%d requests)" % (label, len(log)), body_problems(log))

        # Item 1: nested aws.parallel, depth 2 and 3, with requests in the
        # outer tasks, retries (every third request throttled) and errors
        # at each level.
        for depth in (2, 3):
            px.clear_log()
            px.rule(lambda seq, t, e: Fault.throttle() if seq % 3 == 2 else Fault.passthrough())
            res = H.run([H.iamlua_bin(), "run", os.path.join(LDIR, "nested.lua"), px.url,
                         str(depth)], env, timeout=120)
            got = dict(l.split(" ", 1) if " " in l else (l, "")
                       for l in res.out.decode(errors="replace").splitlines())
            want = {u: (v if depth == 2 or v.startswith("|") else
                        " ".join(p if p.startswith("error:") else p + ":2" for p in v.split(" ") if p))
                    for u, v in expect.items()}
            problems = []
            if res.rc != 0 or res.timed_out:
                problems.append("rc=%s timed out=%s stderr=%s" % (res.rc, res.timed_out, H.show(res.err)))
            for u in sorted(want):
                if got.get(u) != want[u]:
                    problems.append("%s: got %r want %r" % (u, got.get(u), want[u]))
            throttled = sum(1 for e in px.log() if is_throttle(e))
            if throttled < 5:
                problems.append("only %d requests throttled" % throttled)
            rep.check("nested aws.parallel depth %d: per user then per key, equal to boto3, "
                      "%d throttled requests retried (%d requests)" % (depth, throttled, len(px.log())),
                      problems)

        # Item 3: closing a client with calls queued, parked, in flight.
        px.clear_log()
        px.rule(by_prefix_rule())
        run_lua(rep, ws, env, "close.lua", [px.url], "close: ")

        # Item 13: coroutines, deadlocks, aws.once.
        run_lua(rep, ws, env, "coroutines.lua", [px.url], "coroutines: ")
        lua = H.run(["lua5.4", os.path.join(LDIR, "wrap_semantics.lua")], env)
        ours = H.run([H.iamlua_bin(), "run", os.path.join(LDIR, "wrap_semantics.lua"), "aws"], env)
        rep.check("coroutine.wrap/resume after require 'aws' behave as lua5.4's "
                  "(%d lines)" % lua.out.count(b"\n"),
                  [] if lua.rc == 0 and ours.rc == 0 and lua.out == ours.out else
                  [H.first_diff(ours.out, lua.out), H.show(ours.err)])

        # Item 4: the process ends with requests in every state.
        for mode in ("task", "nested", "main", "gc"):
            for label, e in (("", env), (" (gc-stress)", stress)):
                res = H.run([H.iamlua_bin(), "run", os.path.join(LDIR, "exit.lua"),
                             px.url, mode], e, timeout=60)
                problems = []
                if res.rc != 7:
                    problems.append("exit %s, want 7" % res.rc)
                if b"not reached" in res.out:
                    problems.append("os.exit returned")
                if mode == "main" and b"abandoned" not in res.out:
                    problems.append("fail_fast did not abandon: %s" % H.show(res.out))
                if res.err.strip():
                    problems.append("stderr: %s" % H.show(res.err, 800))
                if res.secs > 10:
                    problems.append("took %.1f s" % res.secs)
                rep.check("os.exit(7, true) %s with requests parked, queued and "
                          "waiting on aws.once%s" % (mode, label), problems)
    finally:
        if px:
            px.close()
        ws.cleanup()
        srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
