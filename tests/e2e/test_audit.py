#!/usr/bin/env python3
"""End-to-end cases for `iamlua audit`: the shipped CIS checks against a
moto account seeded with known violations, compared check by check with an
independent boto3 computation (audit_seed.oracle); a clean account; an
auditor denied the credential report; user policies; options and usage
errors; hostile answers (credential reports that are not what IAM writes,
a 100 MB one, a policy document that is not JSON).

    python3 tests/e2e/test_audit.py     # env: IAMLUA_BIN (./iamlua)

moto runs through tests/e2e/audit_moto.py (root user state, AWS managed
policies loaded) behind tests/e2e/audit_proxy.py (counts requests by
action, serves the hostile answers). Every audit runs in the harness's
scrubbed environment with --now pinned.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import audit_seed as S  # noqa: E402
from audit_proxy import AuditProxy, report_xml  # noqa: E402

CHECKS = ["cis-1.4", "cis-1.5", "cis-1.6", "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10", "cis-1.11",
          "cis-1.12", "cis-1.13", "cis-1.14", "cis-1.15", "cis-1.16", "cis-1.17", "cis-1.19", "cis-1.22"]
FIELDS = ["check", "title", "severity", "status", "account", "resource_type", "resource",
          "resource_arn", "message"]
REPORT_CHECKS = {"cis-1.7", "cis-1.10", "cis-1.11", "cis-1.12"}
DEADLINE = time.monotonic() + float(os.environ.get("IAMLUA_AUDIT_DEADLINE", "240"))

README_POLICY_RE = re.compile(r"```lua\n(-- policies/[^\n]*\n.*?)```", re.S)


class T:
    def __init__(self, rep, url, creds):
        self.rep, self.url = rep, url
        self.bin = H.iamlua_bin()
        self.ws = H.Workspace(prefix="iamlua-audit.")
        self.set_creds(creds)

    def set_creds(self, creds):
        self.ws.write("credentials", "".join(
            "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (p, c[0], c[1])
            for p, c in creds.items()).replace("[admin]", "[default]"))
        self.ws.write("config", "".join("[%s]\nregion = us-east-1\n" % ("default" if p == "admin" else "profile " + p)
                                        for p in creds))
        self.secrets = [c[1] for c in creds.values()]

    def audit(self, args, env=None, timeout=120, url=None):
        if time.monotonic() > DEADLINE:
            return H.Result(None, b"", b"suite deadline passed; not run", 0.0, True)
        argv = [self.bin, "audit", "--endpoint-url", url or self.url] + args
        return H.run(argv, H.scrubbed_env(self.ws, env, argv), timeout=timeout)

    def findings(self, r, probs):
        if r.timed_out:
            probs.append("timed out")
        try:
            data = json.loads(r.out.decode())
        except ValueError as e:
            probs.append("stdout is not JSON (%s): %s / stderr %s" % (e, H.show(r.out), H.show(r.err)))
            return None
        if any(s.encode() in r.out + r.err for s in self.secrets):
            probs.append("a secret key was printed")
        return data


def natural(s):
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.findall(r"\d+|\D+", s)]


def compare(got, want, checks=CHECKS):
    """Problems between the audit's findings (by check) and the oracle's."""
    probs = []
    g = S.by_check(got)
    for c in checks:
        a, b = g.get(c, set()), want.get(c, set())
        if a != b:
            probs.append("%s: audit has %s, oracle %s" % (c, sorted(a - b)[:4], sorted(b - a)[:4]))
    return probs


def order_problems(data):
    keys = [(natural(f["check"]), f["account"] or "", f["resource"]) for f in data]
    probs = [] if keys == sorted(keys) else ["findings not ordered by check (numerically), account, resource"]
    if data and list(data[0].keys()) != FIELDS:
        probs.append("fields %s" % list(data[0].keys()))
    return probs


def main():
    rep = H.Reporter()
    t0 = time.monotonic()
    S.scrub_process_env()
    if H.is_aws_cli(H.iamlua_bin()):
        rep.skip("audit", "iamlua-only (IAMLUA_BIN is the AWS CLI)")
        return rep.finish()
    try:
        srv = S.start_moto()
    except Exception as e:
        rep.fail("moto starts", "%s: %s" % (type(e).__name__, e))
        return rep.finish()
    px = AuditProxy(srv.url)
    try:
        cases(rep, srv, px)
    finally:
        px.close()
        srv.stop()
    sys.stdout.write("# suite took %.1f s\n" % (time.monotonic() - t0))
    return rep.finish()


def cases(rep, srv, px):
    acct = S.seed_violations(srv)
    now_iso = S.iso_z(acct["now"])
    NOW = ["--now", now_iso]
    t = T(rep, px.url, acct["creds"])
    try:
        usage(t, rep)
        listing(t, rep)
        violations(t, rep, srv, px, acct, NOW)
        denied(t, rep, srv, acct, NOW)
        user_policies(t, rep, srv, acct, NOW)
        hostile(t, rep, srv, px, acct, NOW)
        clean(t, rep, srv)
    finally:
        t.ws.cleanup()


# ------------------------------------------------------------------ usage --

def usage(t, rep):
    for args, what, needle in (
            (["--bogus"], "unknown option", b"Unknown options: --bogus"),
            (["--severity", "urgent"], "bad --severity", b"argument --severity: Invalid choice"),
            (["--status", "MAYBE"], "bad --status", b"argument --status: Invalid choice"),
            (["--param", "cis-1.14"], "--param without =", b"expected ID.NAME=VALUE"),
            (["--param", "cis-9.9.x=1"], "--param unknown check", b"no check 'cis-9.9'"),
            (["--param", "cis-1.14.nope=1"], "--param unknown name", b"has no parameter 'nope' (it has: max_age_days)"),
            (["--param", "cis-1.14.max_age_days=ninety"], "--param wrong type", b"expects an integer, got 'ninety'"),
            (["--param", "cis-1.12.keys=maybe"], "--param boolean", b"expects true or false"),
            (["--checks", "cis-9.9"], "unknown check", b"no check 'cis-9.9'"),
            (["--checks", "cis-1.20"], "1.20 not covered", b"cis-1.20 is not covered"),
            (["--exclude-checks", "nope"], "unknown excluded check", b"no check 'nope'"),
            (["--now", "yesterday"], "bad --now", b"argument --now"),
            (["--now", "2024-02-30T00:00:00Z"], "impossible --now", b"argument --now"),
            (["--concurrency", "0"], "--concurrency 0", b"argument --concurrency"),
            (["--apply"], "--apply without --remediate", b"only with --remediate"),
            (["--role-name", "R"], "--role-name alone", b"only with --accounts"),
            (["--accounts", "12"], "bad account id", b"not a 12-digit account id"),
            (["--output", "nosuch"], "unknown --output", b"argument --output: Invalid choice")):
        r = t.audit(args)
        rep.check("usage error: %s exits 252" % what,
                  [] if r.rc == 252 and r.out == b"" and needle in r.err
                  else ["rc %s out %s err %s" % (r.rc, H.show(r.out, 80), H.show(r.err))])
    argv = [t.bin, "nosuchcommand"]
    r = H.run(argv, H.scrubbed_env(t.ws, None, argv))
    rep.check("an unknown command lists audit among the choices",
              [] if r.rc == 252 and re.search(rb"\naudit +\|", r.err) else ["rc %s err %s" % (r.rc, H.show(r.err))])


def listing(t, rep):
    for word in ("help", "--help"):
        argv = [t.bin, "audit", word]
        r = H.run(argv, H.scrubbed_env(t.ws, None, argv))
        rep.check("iamlua audit %s: usage on stdout, exit 0" % word,
                  [] if r.rc == 0 and r.out.startswith(b"usage: iamlua audit") and b"--remediate" in r.out
                  and not r.err else ["rc %s out %s" % (r.rc, H.show(r.out, 80))])
    r = t.audit(["--list"])
    probs = []
    data = t.findings(r, probs) or []
    ids = [c.get("id") for c in data]
    if r.rc != 0:
        probs.append("rc %s" % r.rc)
    if ids != CHECKS + ["cis-1.20"]:
        probs.append("ids %s" % ids)
    for c in data:
        cov = c.get("id") != "cis-1.20"
        if c.get("covered") is not cov or (cov and c.get("framework", {}).get("CIS AWS Foundations v3.0.0")
                                           != c["id"][4:]):
            probs.append("entry %s" % c)
            break
    p14 = [c for c in data if c.get("id") == "cis-1.14"]
    if not p14 or p14[0]["params"] != {"max_age_days": 90} or p14[0]["remediation"] is not True:
        probs.append("cis-1.14 entry %s" % p14)
    rep.check("--list: 16 shipped checks in CIS order, 1.20 listed as not covered", probs)
    r = t.audit(["--list", "--severity", "critical", "--output", "text"])
    rep.check("--list --severity critical --output text: the two critical checks",
              [] if r.rc == 0 and r.out.count(b"\n") >= 2 and b"cis-1.4" in r.out and b"cis-1.5" in r.out
              and b"cis-1.6" not in r.out else ["rc %s out %s" % (r.rc, H.show(r.out))])


# -------------------------------------------------------------- violations --

def violations(t, rep, srv, px, acct, NOW):
    want = S.oracle(srv.url, acct["creds"]["oracle"], acct["now"])
    n_fail = {c: sum(1 for s, _ in want[c] if s == "FAIL") for c in CHECKS}
    rep.check("oracle: every shipped check fails somewhere in the seeded violations account",
              [c for c in CHECKS if not n_fail[c]])
    outs = {}
    for conc in (1, 32):
        px.clear()
        r = t.audit(NOW + ["--concurrency", str(conc), "--debug"])
        probs = []
        data = t.findings(r, probs)
        if data is not None:
            probs += compare(data, want) + order_problems(data)
            outs[conc] = data
        if r.rc != 1:
            probs.append("exit %s, want 1: %s" % (r.rc, H.show(r.err[-400:])))
        # no fact fetched twice: every request but the report's polling is unique
        seen, dup = set(), []
        for e in px.log():
            key = re.sub(rb"&?Version=[^&]*", b"", e.body or b"")
            if b"GenerateCredentialReport" not in key:
                if key in seen:
                    dup.append(key[:80])
                seen.add(key)
        if dup:
            probs.append("requests repeated: %s" % dup[:3])
        m = re.search(rb"audit: (\d+) requests, (\d+) facts, (\d+) cache hits saved (\d+) requests", r.err)
        if not m or int(m.group(1)) != len(px.log()):
            probs.append("--debug stats %s, proxy saw %d" % (m and m.group(0), len(px.log())))
        rep.check("violations account, concurrency %d: every check's PASS/FAIL sets equal the boto3 "
                  "oracle, ordered, no request repeated (%d requests, %.1f s)" % (conc, len(px.log()), r.secs),
                  probs)
    rep.check("concurrency 1 and 32 print the same findings",
              [] if outs.get(1) and outs.get(1) == outs.get(32) else ["outputs differ"])
    full = outs.get(32) or []

    # filters and --query
    r = t.audit(NOW + ["--status", "FAIL", "--severity", "high"])
    probs = []
    data = t.findings(r, probs) or []
    want_f = [f for f in full if f["status"] == "FAIL" and f["severity"] in ("high", "critical")]
    if data != want_f or r.rc != 1 or not data:
        probs.append("rc %s, %d findings, want %d" % (r.rc, len(data), len(want_f)))
    rep.check("--status FAIL --severity high: only those, exit status of the audit (1)", probs)
    r = t.audit(NOW + ["--status", "PASS", "--status", "ERROR", "--checks", "cis-1.13,cis-1.4"])
    data = t.findings(r, probs := []) or []
    if r.rc != 1 or {f["check"] for f in data} != {"cis-1.13"} or any(f["status"] != "PASS" for f in data):
        probs.append("rc %s data %s" % (r.rc, H.show(r.out)))
    rep.check("--status PASS --status ERROR --checks: PASS findings printed, FAILs still exit 1", probs)
    r = t.audit(NOW + ["--exclude-checks", ",".join(c for c in CHECKS if c not in ("cis-1.13", "cis-1.17"))])
    data = t.findings(r, probs := []) or []
    rep.check("--exclude-checks leaving 1.13 and 1.17: exit 1, nothing else run",
              probs + ([] if r.rc == 1 and {f["check"] for f in data} == {"cis-1.13", "cis-1.17"}
                       else ["rc %s data %s" % (r.rc, H.show(r.out))]))
    r = t.audit(NOW + ["--checks", "cis-1.13", "--query", "[?status=='FAIL'].resource", "--output", "text"])
    rep.check("--query on the findings document",
              [] if r.rc == 1 and r.out == b"two-keys\n" else ["rc %s out %r" % (r.rc, r.out[:200])])

    # parameters and time
    r = t.audit(NOW + ["--param", "cis-1.14.max_age_days=120", "--param", "cis-1.12.max_unused_days=200",
                       "--param", "cis-1.7.days=1", "--checks", "cis-1.7,cis-1.12,cis-1.14"])
    w = S.oracle(srv.url, acct["creds"]["oracle"], acct["now"],
                 {"cis-1.14": {"max_age_days": 120}, "cis-1.12": {"max_unused_days": 200}, "cis-1.7": {"days": 1}})
    data = t.findings(r, probs := [])
    if data is not None:
        probs += compare(data, w, ["cis-1.7", "cis-1.12", "cis-1.14"])
        if any(f["status"] != "PASS" for f in data):
            probs.append("not all PASS: %s" % [f for f in data if f["status"] != "PASS"][:2])
    rep.check("--param overrides the declared defaults (1.7, 1.12, 1.14 then pass), oracle agrees", probs)
    early = S.iso_z(1262304000)      # 2010-01-01: moto's certificates expire in 2012
    r = t.audit(["--now", early, "--checks", "cis-1.19"])
    w = S.oracle(srv.url, acct["creds"]["oracle"], 1262304000)
    data = t.findings(r, probs := [])
    if data is not None:
        probs += compare(data, w, ["cis-1.19"])
        if r.rc != 0 or not data:
            probs.append("rc %s data %s" % (r.rc, data))
    rep.check("--now before the certificates expire: 1.19 passes", probs)
    r = t.audit(["--checks", "cis-1.14"])
    w = S.oracle(srv.url, acct["creds"]["oracle"], time.time())
    data = t.findings(r, probs := [])
    if data is not None:
        probs += compare(data, w, ["cis-1.14"])
    rep.check("without --now the audit judges at the real time (keys are new: 1.14 passes)",
              probs + ([] if r.rc == 0 else ["rc %s" % r.rc]))

    # progress: on a terminal only
    script = shutil.which("script")
    if script:
        inner = " ".join("'%s'" % a for a in [t.bin, "audit", "--endpoint-url", t.url] + NOW +
                         ["--checks", "cis-1.13", "--output", "json"])
        argv = [script, "-qefc", inner + " >/dev/null", "/dev/null"]
        r = H.run(argv, H.scrubbed_env(t.ws, None, [t.bin, "--endpoint-url", t.url]), timeout=60)
        r2 = t.audit(NOW + ["--checks", "cis-1.13"])
        probs = []
        if b"audit: checks" not in r.out:
            probs.append("no progress line on the terminal: %s" % H.show(r.out))
        if r2.err:
            probs.append("stderr on a pipe: %s" % H.show(r2.err))
        rep.check("progress (checks done, requests in flight) on a terminal, nothing on a pipe", probs)
    else:
        rep.skip("progress on a terminal", "script(1) missing")


# ------------------------------------------------------------------ denied --

def denied(t, rep, srv, acct, NOW):
    want = S.oracle(srv.url, acct["creds"]["oracle"], acct["now"])
    r = t.audit(NOW, env={"AWS_PROFILE": "denied"})
    probs = []
    data = t.findings(r, probs)
    if data is not None:
        errs = [f for f in data if f["status"] == "ERROR"]
        if {f["check"] for f in errs} != REPORT_CHECKS:
            probs.append("ERROR in %s, want %s" % (sorted({f["check"] for f in errs}), sorted(REPORT_CHECKS)))
        if not all("AccessDenied" in f["message"] and "GenerateCredentialReport" in f["message"] for f in errs):
            probs.append("messages %s" % [f["message"] for f in errs][:2])
        probs += compare(data, want, [c for c in CHECKS if c not in REPORT_CHECKS])
        # 1.12's keys do not need the report: they are decided as before
        keys = {(s, res) for s, res in S.by_check(data).get("cis-1.12", set()) if res.startswith("AKIA")}
        wkeys = {(s, res) for s, res in want["cis-1.12"] if res.startswith("AKIA")}
        if keys != wkeys:
            probs.append("1.12 keys differ: %s vs %s" % (sorted(keys - wkeys)[:3], sorted(wkeys - keys)[:3]))
    if r.rc != 2:
        probs.append("exit %s, want 2" % r.rc)
    rep.check("explicit deny on the credential report: ERROR for 1.7, 1.10, 1.11, 1.12 only, "
              "the other checks as the oracle, exit 2", probs)


# ----------------------------------------------------------- user policies --

NEW_POLICY = r'''-- a user policy beside the shipped ones
return {
    id = "acme-1", title = "Users have a path", severity = "low",
    params = { path = "/people/" },
    check = function(ctx)
        for _, u in ipairs(ctx.facts:users()) do
            if u.Path == ctx.params.path then ctx:pass(u.UserName, "in " .. u.Path)
            else ctx:fail(u.UserName, "path " .. u.Path) end
        end
    end,
}
'''

REPLACE_13 = r'''-- replaces the shipped cis-1.13
return {
    id = "cis-1.13", title = "replaced", severity = "medium",
    check = function(ctx) ctx:pass(ctx.account, "replaced by the user's file") end,
}
'''

RAISES = r'''-- a check that raises
return {
    id = "acme-2", title = "raises", severity = "high",
    check = function(ctx)
        local n = #ctx.facts:users()
        error("boom after " .. n .. " users")
    end,
}
'''


def user_policies(t, rep, srv, acct, NOW):
    want = S.oracle(srv.url, acct["creds"]["oracle"], acct["now"])
    t.ws.write("up/policies/acme-1.lua", NEW_POLICY)
    t.ws.write("up/policies/cis-1.13.lua", REPLACE_13)
    t.ws.write("up/policies/acme-2.lua", RAISES)
    t.ws.write("extra/broken.lua", "return {{{\n")
    env = {"IAMLUA_PATH": "{ws}/up"}
    r = t.audit(NOW, env=env)
    probs = []
    data = t.findings(r, probs)
    if data is not None:
        got = S.by_check(data)
        users = {n for s, n in want["cis-1.13"]}
        if got.get("acme-1") != {("PASS" if n == "no-keys" else "FAIL", n) for n in users}:
            probs.append("acme-1 %s" % sorted(got.get("acme-1", ()))[:4])
        if got.get("cis-1.13") != {("PASS", acct["account"])}:
            probs.append("cis-1.13 not replaced: %s" % sorted(got.get("cis-1.13", ()))[:3])
        e = [f for f in data if f["check"] == "acme-2"]
        if len(e) != 1 or e[0]["status"] != "ERROR" or not e[0]["message"].endswith("boom after %d users" % len(users)) \
                or "traceback" in e[0]["message"]:
            probs.append("acme-2 %s" % e)
        probs += compare(data, want, [c for c in CHECKS if c != "cis-1.13"])
        if [f["check"] for f in data].index("acme-1") > [f["check"] for f in data].index("cis-1.4"):
            probs.append("acme-1 sorted after cis-*")
    if r.rc != 2:
        probs.append("exit %s" % r.rc)
    rep.check("IAMLUA_PATH/policies: a new policy runs beside the shipped ones, one with a shipped id "
              "replaces it, one that raises gives ERROR while the others complete", probs)
    r = t.audit(NOW + ["--checks", "acme-2", "--debug"], env=env)
    data = t.findings(r, probs := []) or []
    if not (len(data) == 1 and "stack traceback" in data[0]["message"] and "acme-2.lua" in data[0]["message"]):
        probs.append("message %s" % H.show(r.out))
    rep.check("--debug: the ERROR message carries the traceback", probs)
    r = t.audit(NOW + ["--policies", t.ws.path("extra"), "--checks", "broken,cis-1.5"], env=env)
    data = t.findings(r, probs := []) or []
    b = [f for f in data if f["check"] == "broken"]
    if r.rc != 2 or len(b) != 1 or b[0]["status"] != "ERROR" or "broken.lua" not in b[0]["message"] \
            or not any(f["check"] == "cis-1.5" for f in data):
        probs.append("rc %s data %s" % (r.rc, H.show(r.out)))
    rep.check("--policies DIR: a file that does not load is an ERROR finding, not a crash", probs)
    t.ws.write("p2/acme-1.lua", NEW_POLICY.replace('"/people/"', '"/"'))
    r = t.audit(NOW + ["--policies", t.ws.path("p2"), "--checks", "acme-1", "--param", "acme-1.path=/nowhere/"],
                env=env)
    data = t.findings(r, probs := []) or []
    if r.rc != 1 or not data or any(f["status"] != "FAIL" for f in data):
        probs.append("rc %s data %s" % (r.rc, H.show(r.out)))
    rep.check("--policies DIR replaces IAMLUA_PATH's policy of the same id; --param reaches user policies", probs)
    t.ws.write("fmt/output/countfmt.lua", '-- test format\nreturn { format = function(data, opts) '
               'local n = 0 for _, f in ipairs(data) do if f.status == "FAIL" then n = n + 1 end end '
               'return n .. " failing of " .. #data .. "\\n" end }\n')
    r = t.audit(NOW + ["--output", "countfmt", "--checks", "cis-1.13"], env={"IAMLUA_PATH": "{ws}/fmt"})
    n = len(want["cis-1.13"])
    rep.check("a user output format (IAMLUA_PATH/output/NAME.lua) formats the findings",
              [] if r.rc == 1 and r.out == b"1 failing of %d\n" % n else ["rc %s out %r" % (r.rc, r.out[:100])])
    readme = os.path.join(H.ROOT, "README.md")
    with open(readme) as f:
        m = README_POLICY_RE.search(f.read())
    if not m:
        rep.fail("README's 'Writing a policy' example runs", "no ```lua block starting '-- policies/' in README.md")
        return
    code = m.group(1)
    t.ws.write("readme/policies/example.lua", code)
    r = t.audit(NOW, env={"IAMLUA_PATH": "{ws}/readme"})
    data = t.findings(r, probs := []) or []
    pid = re.search(r'id = "([^"]+)"', code).group(1)
    mine = [f for f in data if f["check"] == pid]
    n_lines = code.count("\n")
    if not mine or any(f["status"] == "ERROR" for f in mine) or n_lines > 25:
        probs.append("%d lines; findings %s; err %s" % (n_lines, mine[:2], H.show(r.err)))
    rep.check("README's 'Writing a policy' example (%d lines) runs and reports" % n_lines, probs)


# ----------------------------------------------------------------- hostile --

def hostile(t, rep, srv, px, acct, NOW):
    want = S.oracle(srv.url, acct["creds"]["oracle"], acct["now"])
    header = (b"user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
              b"password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
              b"access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,"
              b"access_key_2_last_used_date\n")
    good = b"bob,arn:aws:iam::1:user/bob,2024-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,false,N/A,N/A,false,N/A,N/A\n"
    cases = [
        ("wrong columns", lambda: report_xml(b"name,when\nbob,2024\n"), "column user is missing"),
        ("a bad date", lambda: report_xml(header + good.replace(b"2024-01-01T00", b"2024-13-01T00")),
         "invalid date"),
        ("a row with too few fields", lambda: report_xml(header + b"bob,arn\n"), "2 fields, the header has 14"),
        ("not base64", lambda: report_xml(b"").replace(b"<Content></Content>", b"<Content>%%%</Content>"),
         "base64"),
        ("binary garbage", lambda: report_xml(bytes(range(256)) * 64), "credential report"),
    ]
    for what, body, needle in cases:
        px.clear()
        px.replace("GetCredentialReport", body)
        r = t.audit(NOW)
        probs = []
        data = t.findings(r, probs)
        if data is not None:
            errs = [f for f in data if f["status"] == "ERROR"]
            if {f["check"] for f in errs} != REPORT_CHECKS or not all(needle in f["message"] for f in errs):
                probs.append("errors %s" % [(f["check"], f["message"][:80]) for f in errs][:5])
            probs += compare(data, want, [c for c in CHECKS if c not in REPORT_CHECKS])
        if r.rc != 2:
            probs.append("exit %s: %s" % (r.rc, H.show(r.err)))
        rep.check("hostile credential report (%s): ERROR for the checks that read it, the rest decided" % what,
                  probs)
    px.clear()
    px.stream("GetCredentialReport", 100 << 20)
    r = t.audit(NOW, timeout=120)
    probs = []
    data = t.findings(r, probs)
    if data is not None:
        errs = {f["check"] for f in data if f["status"] == "ERROR"}
        if errs != REPORT_CHECKS:
            probs.append("ERROR in %s" % sorted(errs))
    if r.rc != 2:
        probs.append("exit %s: %s" % (r.rc, H.show(r.err)))
    rep.check("a 100 MB credential report: ERROR for its checks, no crash (%.1f s)" % r.secs, probs)
    px.clear()
    star = "arn:aws:iam::%s:policy/star-star" % acct["account"]
    px.rewrite("GetPolicyVersion", "star-star",
               lambda b: re.sub(rb"<Document>.*?</Document>", b"<Document>%7Bnot%20json</Document>", b, flags=re.S))
    r = t.audit(NOW + ["--checks", "cis-1.16"])
    probs = []
    data = t.findings(r, probs)
    if data is not None:
        e = [f for f in data if f["status"] == "ERROR"]
        if [f["resource"] for f in e] != [star] or "not JSON" not in e[0]["message"]:
            probs.append("errors %s" % e)
        rest = {(s, res) for s, res in want["cis-1.16"] if res != star}
        if S.by_check(data)["cis-1.16"] - {("ERROR", star)} != rest:
            probs.append("others differ")
    if r.rc != 2:
        probs.append("exit %s" % r.rc)
    rep.check("a policy document that is not JSON: ERROR for that policy, the others decided", probs)
    px.clear()


# ------------------------------------------------------------------- clean --

def clean(t, rep, srv):
    acct = S.seed_clean(srv)
    t.set_creds(acct["creds"])
    want = S.oracle(srv.url, acct["creds"]["oracle"], acct["now"])
    r = t.audit(["--now", S.iso_z(acct["now"])])
    probs = []
    data = t.findings(r, probs)
    if data is not None:
        probs += compare(data, want)
        bad = [f for f in data if f["status"] != "PASS"]
        if bad:
            probs.append("not PASS: %s" % [(f["check"], f["resource"], f["message"]) for f in bad][:4])
    if r.rc != 0:
        probs.append("exit %s" % r.rc)
    rep.check("clean account: every finding PASS, as the oracle says, exit 0", probs)
    # the root's MFA becomes a virtual device: only 1.6 turns
    srv.set_auth_free_requests(10)
    S.client("iam", srv.url, S.BOOT).create_virtual_mfa_device(VirtualMFADeviceName="root-account-mfa-device")
    srv.enforce_auth()
    r = t.audit(["--now", S.iso_z(acct["now"]), "--checks", "cis-1.5,cis-1.6"])
    data = t.findings(r, probs := []) or []
    got = [(f["check"], f["status"]) for f in data]
    if got != [("cis-1.5", "PASS"), ("cis-1.6", "FAIL")] or "virtual" not in data[1]["message"] or r.rc != 1:
        probs.append("rc %s got %s" % (r.rc, data))
    rep.check("root MFA on a virtual device (root-account-mfa-device): 1.5 passes, 1.6 fails", probs)


if __name__ == "__main__":
    sys.exit(main())
