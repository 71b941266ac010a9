#!/usr/bin/env python3
"""`iamlua audit --remediate [--apply]` against moto.

    python3 tests/e2e/test_audit_remediate.py     # env: IAMLUA_BIN (./iamlua)

The violations account of audit_seed is audited through audit_proxy, which
sees every request. --remediate must send no write (zero write actions at
the proxy) and leave the account's state byte for byte as it was (a boto3
dump before and after). --apply must send exactly the planned writes (each
distinct call once, never DeleteAccessKey), fix exactly the planned
resources (the dump after differs from before only there) and show them
passing when the checks run again; a write that fails is reported and the
others still go through.
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
from audit_proxy import AuditProxy  # noqa: E402

FIXED = ("cis-1.8", "cis-1.9", "cis-1.12", "cis-1.14")


def state(url, creds):
    """The account as JSON bytes: users, keys (id, status, created), login
    profiles, MFA devices, the password policy, groups, roles, policies.
    Last-use dates are left out: signing a request is not a write."""
    iam = S.client("iam", url, creds)
    out = {"users": []}
    for u in S._paged(iam, "list_users", "Users"):
        name = u["UserName"]
        keys = [(k["AccessKeyId"], k["Status"], k["CreateDate"].isoformat())
                for k in S._paged(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)]
        try:
            lp = iam.get_login_profile(UserName=name)["LoginProfile"]["CreateDate"].isoformat()
        except iam.exceptions.NoSuchEntityException:
            lp = None
        mfa = [d["SerialNumber"] for d in S._paged(iam, "list_mfa_devices", "MFADevices", UserName=name)]
        pols = [p["PolicyArn"] for p in S._paged(iam, "list_attached_user_policies", "AttachedPolicies",
                                                 UserName=name)]
        out["users"].append({"user": u, "keys": sorted(keys), "login": lp, "mfa": mfa, "policies": pols})
    try:
        out["password_policy"] = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.NoSuchEntityException:
        out["password_policy"] = None
    out["groups"] = S._paged(iam, "list_groups", "Groups")
    out["roles"] = S._paged(iam, "list_roles", "Roles")
    out["policies"] = S._paged(iam, "list_policies", "Policies", Scope="Local")
    return json.dumps(out, sort_keys=True, default=str).encode()


def main():
    rep = H.Reporter()
    t0 = time.monotonic()
    S.scrub_process_env()
    if H.is_aws_cli(H.iamlua_bin()):
        rep.skip("audit remediation", "iamlua-only")
        return rep.finish()
    srv = S.start_moto()
    px = AuditProxy(srv.url)
    ws = H.Workspace(prefix="iamlua-audit-rem.")
    try:
        cases(rep, srv, px, ws)
    finally:
        ws.cleanup()
        px.close()
        srv.stop()
    sys.stdout.write("# suite took %.1f s\n" % (time.monotonic() - t0))
    return rep.finish()


def cases(rep, srv, px, ws):
    acct = S.seed_violations(srv)
    c = acct["creds"]["admin"]
    oracle = acct["creds"]["oracle"]
    ws.write("credentials", "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % c)
    ws.write("config", "[default]\nregion = us-east-1\n")
    bin_ = H.iamlua_bin()
    NOW = ["--now", S.iso_z(acct["now"])]

    def audit(args):
        argv = [bin_, "audit", "--endpoint-url", px.url] + NOW + args
        return H.run(argv, H.scrubbed_env(ws, None, argv), timeout=120)

    before = state(srv.url, oracle)
    want = S.oracle(srv.url, oracle, acct["now"])
    px.clear()
    r = audit(["--remediate"])
    probs = []
    try:
        data = json.loads(r.out)
    except ValueError:
        data = []
        probs.append("stdout not JSON: %s %s" % (H.show(r.out), H.show(r.err)))
    writes = px.writes()
    after = state(srv.url, oracle)
    if writes:
        probs.append("write requests sent: %s" % writes[:5])
    if after != before:
        probs.append("account state changed: %s" % H.first_diff(before, after))
    if r.rc != 1:
        probs.append("exit %s, want the audit's 1" % r.rc)
    rep.check("--remediate: plan printed, zero write requests at the proxy, account state byte for byte "
              "unchanged (%d requests)" % len(px.log()), probs)

    # what the plan holds
    probs = []
    me = "zz-auditor"
    keys_of = {}
    for u in json.loads(before)["users"]:
        for k in u["keys"]:
            keys_of[k[0]] = u["user"]["UserName"]
    planned = {}
    for f in data:
        if f["status"] != "FAIL" and f.get("remediation"):
            probs.append("remediation on a %s finding" % f["status"])
        for call in f.get("remediation") or []:
            planned.setdefault(json.dumps([call["action"], call["params"]], sort_keys=True), []).append(
                (f["check"], f["resource"], call["outcome"]))
            if call["action"] == "DeleteAccessKey":
                probs.append("DeleteAccessKey planned")
    fails = {(ch, res) for ch in FIXED for s, res in want[ch] if s == "FAIL"}
    have = {(ch, res) for v in planned.values() for ch, res, _ in v}
    if have != fails:
        probs.append("planned for %s, failing %s" % (sorted(have ^ fails)[:4], len(fails)))
    for key, uses in planned.items():
        action, params = json.loads(key)
        if action == "UpdateAccessKey":
            kid = params["AccessKeyId"]
            if params != {"UserName": keys_of[kid], "AccessKeyId": kid, "Status": "Inactive"}:
                probs.append("UpdateAccessKey params %s" % params)
        elif action == "DeleteLoginProfile":
            if set(params) != {"UserName"} or not any(res == params["UserName"] for _, res, _ in uses):
                probs.append("DeleteLoginProfile %s for %s" % (params, uses))
        elif action == "UpdateAccountPasswordPolicy":
            pp = json.loads(before)["password_policy"]
            keep = {k: v for k, v in pp.items() if k not in ("ExpirePasswords",)}
            keep.update(MinimumPasswordLength=14, PasswordReusePrevention=24)
            if params != keep or sorted(ch for ch, _, _ in uses) != ["cis-1.8", "cis-1.9"]:
                probs.append("password policy call %s for %s, want %s" % (params, uses, keep))
        else:
            probs.append("unexpected action %s" % action)
        for _, res, outcome in uses:
            own = params.get("UserName") == me
            if outcome != ("skipped" if own else "planned") and not (own and outcome.startswith("skipped")):
                probs.append("outcome %s for %s" % (outcome, params))
    rep.check("the plan: UpdateAccessKey Inactive for failing keys, DeleteLoginProfile for unused passwords, "
              "one UpdateAccountPasswordPolicy raising only 1.8's and 1.9's settings; the auditor's own "
              "user skipped; %d distinct calls" % len(planned), probs)

    # --apply, with one write refused
    victim = sorted(k for k, u in keys_of.items() if u == "two-keys")[0]
    px.clear()
    px.replace("UpdateAccessKey", lambda: (
        b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
        b'<Code>AccessDenied</Code><Message>not today</Message></Error><RequestId>x</RequestId></ErrorResponse>'),
        status=403)
    px._rules[-1] = ("replace", "UpdateAccessKey", victim.encode(), px._rules[-1][3])
    r = audit(["--remediate", "--apply"])
    probs = []
    try:
        data = json.loads(r.out)
    except ValueError:
        data = []
        probs.append("stdout not JSON: %s %s" % (H.show(r.out), H.show(r.err)))
    sent = sorted(px.writes())
    to_send = sorted(json.loads(k)[0] for k, v in planned.items()
                     if json.loads(k)[1].get("UserName") != me)
    if sent != to_send:
        probs.append("writes sent %s, planned %s" % (sent, to_send))
    after = json.loads(state(srv.url, oracle))
    b = json.loads(before)
    planned_keys = {json.loads(k)[1]["AccessKeyId"] for k in planned if json.loads(k)[0] == "UpdateAccessKey"
                    and json.loads(k)[1]["UserName"] != me}
    planned_logins = {json.loads(k)[1]["UserName"] for k in planned if json.loads(k)[0] == "DeleteLoginProfile"
                      and json.loads(k)[1]["UserName"] != me}
    for ub, ua in zip(b["users"], after["users"]):
        name = ub["user"]["UserName"]
        for kb, ka in zip(ub["keys"], ua["keys"]):
            want_status = "Inactive" if kb[0] in planned_keys and kb[0] != victim else kb[1]
            if ka[1] != want_status:
                probs.append("key %s of %s is %s, want %s" % (kb[0], name, ka[1], want_status))
        if (ua["login"] is None) != (ub["login"] is None or name in planned_logins):
            probs.append("login profile of %s: %s" % (name, ua["login"]))
        if ub["mfa"] != ua["mfa"] or ub["policies"] != ua["policies"] or len(ub["keys"]) != len(ua["keys"]):
            probs.append("%s changed beyond the plan" % name)
    pp = dict(b["password_policy"], MinimumPasswordLength=14, PasswordReusePrevention=24)
    if after["password_policy"] != pp:
        probs.append("password policy %s, want %s" % (after["password_policy"], pp))
    for k in ("groups", "roles", "policies"):
        if after[k] != b[k]:
            probs.append("%s changed" % k)
    outcomes = {}
    for f in data:
        for call in f.get("remediation") or []:
            outcomes[(f["check"], f["resource"])] = (call["outcome"], f["status"])
    for (ch, res), (outcome, status) in outcomes.items():
        if res == victim:
            if not (outcome.startswith("failed: ") and "AccessDenied" in outcome and status == "FAIL"):
                probs.append("refused write: %s %s" % (outcome, status))
        elif outcome == "applied" and status != "PASS":
            probs.append("%s %s applied but %s when checked again" % (ch, res, status))
    if r.rc != 2:
        probs.append("exit %s, want 2 (a write failed)" % r.rc)
    rep.check("--remediate --apply: exactly the planned writes, the planned resources fixed and nothing "
              "else, PASS when checked again; the refused write reported, exit 2 (%d writes)" % len(sent), probs)
    px.clear()
    r = audit(["--remediate", "--apply", "--checks", "cis-1.8,cis-1.9"])
    probs = [] if r.rc == 0 and px.writes() == [] else ["rc %s writes %s" % (r.rc, px.writes())]
    rep.check("nothing left to fix: no write, exit 0", probs)


if __name__ == "__main__":
    sys.exit(main())
