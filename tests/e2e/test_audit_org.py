#!/usr/bin/env python3
"""`iamlua audit --accounts ... --role-name ...` and `--organization` over
several moto accounts (moto's Organizations and STS AssumeRole).

    python3 tests/e2e/test_audit_org.py     # env: IAMLUA_BIN (./iamlua)

An organisation of three member accounts, each with its own violations,
and an auditor in the management account denied sts:AssumeRole into one
member. Each account's findings must equal a boto3 computation over that
account (reached with the same role); the denied member gives ERROR with
STS's message for every check while the others are decided; the
management account is audited with the auditor's own credentials.
Skipped when the binary has no `assume_role` / `organizations` client yet.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import audit_seed as S  # noqa: E402

CHECKS = ["cis-1.13", "cis-1.15"]


def supported(bin_, ws):
    ws.write("probe.lua", 'local aws = require "aws"\n'
             'local ok = pcall(aws.client, "organizations", { region = "us-east-1" })\n'
             'os.exit(ok and 0 or 1)\n')
    argv = [bin_, "run", ws.path("probe.lua")]
    return H.run(argv, H.scrubbed_env(ws, None, argv), timeout=30).rc == 0


def main():
    rep = H.Reporter()
    t0 = time.monotonic()
    S.scrub_process_env()
    bin_ = H.iamlua_bin()
    ws = H.Workspace(prefix="iamlua-audit-org.")
    try:
        if H.is_aws_cli(bin_):
            rep.skip("audit across accounts", "iamlua-only")
            return rep.finish()
        if not supported(bin_, ws):
            rep.skip("audit --accounts / --organization", "this build has no organizations client / assume_role")
            return rep.finish()
        srv = S.start_moto()
        try:
            cases(rep, srv, ws, bin_)
        finally:
            srv.stop()
    finally:
        ws.cleanup()
    sys.stdout.write("# suite took %.1f s\n" % (time.monotonic() - t0))
    return rep.finish()


def cases(rep, srv, ws, bin_):
    org = S.seed_org(srv)
    ws.write("credentials", "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
             % org["creds"]["admin"])
    ws.write("config", "[default]\nregion = us-east-1\n")
    oracle = org["creds"]["oracle"]
    want = {}
    for acct in org["members"]:
        if acct not in org["denied"]:
            want[acct] = S.oracle_keys_policies(srv.url, S._member_creds(srv.url, acct, via=oracle))
    want[org["management"]] = S.oracle_keys_policies(srv.url, oracle)

    def audit(args):
        argv = [bin_, "audit", "--endpoint-url", srv.url, "--checks", ",".join(CHECKS)] + args
        return H.run(argv, H.scrubbed_env(ws, {"AWS_ENDPOINT_URL_STS": srv.url}, argv), timeout=120)

    def check_accounts(data, accounts, probs):
        got = {}
        for f in data:
            got.setdefault(f["account"], {}).setdefault(f["check"], set()).add((f["status"], f["resource"]))
        for acct in accounts:
            if acct in org["denied"]:
                errs = got.get(acct, {})
                if set(errs) != set(CHECKS) or any(s != "ERROR" or "AssumeRole" not in m
                                                   for c in CHECKS for s, m in
                                                   [(f["status"], f["message"]) for f in data
                                                    if f["account"] == acct and f["check"] == c]):
                    probs.append("denied account %s: %s" % (acct, errs))
                continue
            for c in CHECKS:
                if got.get(acct, {}).get(c, set()) != want[acct][c]:
                    probs.append("%s %s: audit %s, oracle %s" % (acct, c, sorted(got.get(acct, {}).get(c, ()))[:3],
                                                                 sorted(want[acct][c])[:3]))
        extra = set(got) - set(accounts)
        if extra:
            probs.append("findings for accounts not asked: %s" % extra)
        keys = [(f["check"], f["account"], f["resource"]) for f in data]
        if keys != sorted(keys, key=lambda k: ([int(x) for x in k[0][4:].split(".")], k[1], k[2])):
            probs.append("not ordered by check, account, resource")

    members = [a for a in org["members"] if a not in org["denied"]]
    r = audit(["--accounts", ",".join(members), "--role-name", S.ORG_ROLE])
    probs = []
    try:
        data = json.loads(r.out)
        check_accounts(data, members, probs)
    except ValueError:
        probs.append("not JSON: %s %s" % (H.show(r.out), H.show(r.err)))
    if r.rc != 1:
        probs.append("exit %s, want 1: %s" % (r.rc, H.show(r.err)))
    rep.check("--accounts A,B --role-name: each account's findings equal the oracle's over that account", probs)

    r = audit(["--organization"])
    probs = []
    everyone = org["members"] + [org["management"]]
    try:
        data = json.loads(r.out)
        check_accounts(data, everyone, probs)
    except ValueError:
        probs.append("not JSON: %s %s" % (H.show(r.out), H.show(r.err)))
    if r.rc != 2:
        probs.append("exit %s, want 2 (one account cannot be entered)" % r.rc)
    rep.check("--organization: every account (the management one with the caller's credentials), "
              "the one whose role is denied ERROR, the others as the oracle", probs)


if __name__ == "__main__":
    sys.exit(main())
