#!/usr/bin/env python3
"""End-to-end cases for examples/org-audit-access-keys.lua: the access-key
audit of a whole organisation, against moto with several member accounts.

    python3 tests/e2e/test_org_example.py    # env: IAMLUA_BIN (./iamlua)

tests/lib/orgseed.py builds the organisation: member accounts whose users
have different key histories (one key, two active keys, an inactive key,
no key, a key that signed a request), and one more member whose role the
admin is denied (an explicit Deny on sts:AssumeRole for that role), so it
cannot be reached. moto then checks every signature and permission.

The expected report is computed here, independently, with boto3: the
organisation's accounts (Organizations ListAccounts), each member reached
through its OrganizationAccountAccessRole (the management account with the
admin's own keys), every user's keys and their last use, and the rules of
examples/lib/audit.lua restated in Python. The example's JSON must equal it
row for row, with the exit code the rows imply; the unreachable account is
one incomplete row naming the AssumeRole refusal, and the other accounts
are complete. The admin's own key signs during the run, so its last-use
columns are compared as "<signer>".
"""

import csv
import io
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
import orgseed  # noqa: E402

EXAMPLE = os.path.join(H.ROOT, "examples", "org-audit-access-keys.lua")
FIELDS = ["account", "user", "access_key_id", "status", "created", "age_days", "last_used",
          "days_since_last_use", "service", "region", "findings", "incomplete", "error"]
DAY = 86400
N_MEMBERS = 4


def iso(dt):
    return dt.isoformat()


def days(now, t):
    return max(0, math.floor((now - t) / DAY))


def users_of(i, acct):
    return ["u%d-%s" % (i, kind) for kind in ("one", "two", "off", "none", "used")]


def keys_of(user):
    return {"one": 1, "two": 2, "off": 1, "none": 0, "used": 1}[user.split("-", 1)[1]]


def seed(srv):
    org = orgseed.seed_org(srv, members=N_MEMBERS + 1, users=users_of, keys_per_user=keys_of)
    org.denied = org.members[-1]
    iam = orgseed.client(srv.url, "iam", org.admin)
    iam.put_user_policy(UserName="org-admin", PolicyName="deny-one", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "sts:AssumeRole",
             "Resource": orgseed.role_arn(org.denied)}]}))
    for acct in org.members:
        key = orgseed.member_key(srv.url, acct, via=org.admin) if acct != org.denied else None
        if not key:
            continue
        miam = orgseed.client(srv.url, "iam", key)
        for user, keys in org.users[acct].items():
            if user.endswith("-off"):
                miam.update_access_key(UserName=user, AccessKeyId=keys[0]["AccessKeyId"],
                                       Status="Inactive")
            if user.endswith("-used"):  # the key signs once; moto stamps its use
                try:
                    orgseed.client(srv.url, "sts", (keys[0]["AccessKeyId"],
                                                    keys[0]["SecretAccessKey"])).get_caller_identity()
                except Exception:
                    pass
    return org


def snapshot(url, org):
    """{account: [(user, keys | None, error)]} as boto3 sees it now; keys
    carry their last use under "last"."""
    accts = []
    orgs = orgseed.client(url, "organizations", org.admin)
    for page in orgs.get_paginator("list_accounts").paginate():
        accts += [a["Id"] for a in page["Accounts"] if a["Status"] == "ACTIVE"]
    snap = {}
    for acct in sorted(accts):
        if acct == org.denied:
            snap[acct] = None
            continue
        key = org.admin if acct == org.management else orgseed.member_key(url, acct, via=org.admin)
        iam = orgseed.client(url, "iam", key)
        rows = []
        for page in iam.get_paginator("list_users").paginate():
            for u in page["Users"]:
                ks = iam.list_access_keys(UserName=u["UserName"])["AccessKeyMetadata"]
                for k in ks:
                    k["last"] = iam.get_access_key_last_used(
                        AccessKeyId=k["AccessKeyId"])["AccessKeyLastUsed"]
                rows.append((u["UserName"], ks, None))
        snap[acct] = rows
    return snap


def expected(snap, now, max_unused=45, max_age=90, grace=7):
    rows = []
    for acct, users in snap.items():
        if users is None:
            rows.append(dict(zip(FIELDS, [acct] + [None] * 9 + [[], True, "<AssumeRole denied>"])))
            continue
        part = []
        for user, keys, _ in users:
            n_active = sum(1 for k in keys if k["Status"] == "Active")
            for k in keys:
                created = k["CreateDate"].timestamp()
                age = days(now, created)
                active = k["Status"] == "Active"
                lu = k["last"]
                service, region = lu.get("ServiceName"), lu.get("Region")
                if "LastUsedDate" in lu:
                    last_used, since = iso(lu["LastUsedDate"]), days(now, lu["LastUsedDate"].timestamp())
                else:
                    last_used, since = "never", None
                findings = []
                if active and age >= grace and (since if since is not None else age) >= max_unused:
                    findings.append("unused-credentials")
                if active and age > max_age:
                    findings.append("key-not-rotated")
                if active and n_active > 1:
                    findings.append("multiple-active-keys")
                part.append(dict(zip(FIELDS, [acct, user, k["AccessKeyId"], k["Status"],
                                              iso(k["CreateDate"]), age, last_used, since,
                                              service, region, findings, False, None])))
        part.sort(key=lambda r: (r["user"].encode(), r["access_key_id"].encode()))
        rows += part
    return rows


def exit_of(rows):
    if any(r["incomplete"] for r in rows):
        return 2
    return 1 if any(r["findings"] for r in rows) else 0


def normalise(rows, org):
    out = []
    for r in rows:
        r = dict(r)
        if r.get("access_key_id") and r["user"] == "org-admin":
            for k in ("last_used", "days_since_last_use", "service", "region"):
                r[k] = "<signer>"
        if r["account"] == org.denied and r["incomplete"]:
            e = r.get("error") or ""
            if "AssumeRole" in e and "AccessDenied" in e:
                r["error"] = "<AssumeRole denied>"
        out.append(r)
    return out


def diff(got, want):
    if len(got) != len(want):
        return ["%d rows, want %d" % (len(got), len(want))]
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            keys = [k for k in FIELDS if g.get(k) != w.get(k)]
            return ["row %d (%s %s): %s" % (i, w["account"], w["user"],
                                            ", ".join("%s=%r want %r" % (k, g.get(k), w.get(k))
                                                      for k in keys[:4]))]
    return []


class T:
    def __init__(self, srv, org):
        self.srv, self.org = srv, org
        self.env = {"AWS_ACCESS_KEY_ID": org.admin[0], "AWS_SECRET_ACCESS_KEY": org.admin[1],
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": srv.url}

    def run(self, args, timeout=120):
        ws = H.Workspace(prefix="iamlua-orgex.")
        try:
            cmd = [H.iamlua_bin(), "run", EXAMPLE, "--endpoint-url", self.srv.url] + args
            return H.run(cmd, H.scrubbed_env(ws, self.env, cmd), timeout=timeout)
        finally:
            ws.cleanup()

    def check(self, res, want, rc, fmt="json"):
        p = []
        if res.timed_out:
            return ["timed out"]
        if res.rc != rc:
            p.append("exit %s, want %s: %s" % (res.rc, rc, H.show(res.err)))
        if self.org.admin[1].encode() in res.out + res.err:
            p.append("the admin's secret key was printed")
        if fmt == "csv":
            got = list(csv.DictReader(io.StringIO(res.out.decode())))
            want_csv = [(r["account"], r["user"] or "", r["access_key_id"] or "") for r in want]
            got_csv = [(r.get("account"), r.get("user"), r.get("access_key_id")) for r in got]
            if got_csv != want_csv:
                p.append("csv rows %r, want %r" % (got_csv[:3], want_csv[:3]))
            return p
        try:
            got = json.loads(res.out)
        except ValueError:
            return p + ["stdout is not JSON: %s" % H.show(res.out)]
        return p + diff(normalise(got, self.org), normalise(want, self.org))


def main():
    rep = H.Reporter()
    from moto import MotoServer
    try:
        srv = MotoServer.start()
        org = seed(srv)
    except Exception as e:
        rep.fail("moto starts and seeds an organisation", "%s: %s" % (type(e).__name__, e))
        return rep.finish()
    t = T(srv, org)
    wall = time.time()
    later = wall + 100.5 * DAY
    later_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(later))
    later = math.floor(later)
    try:
        snap = snapshot(srv.url, org)
        all_rows = expected(snap, later)
        reach = [a for a in sorted(snap) if a != org.denied and a != org.management]
        some = {a: snap[a] for a in reach[:2]}

        res = t.run(["--now", later_iso])
        rep.check("every ACTIVE account, one unreachable: the boto3 report, exit 2",
                  t.check(res, all_rows, 2))

        res = t.run(["--now", later_iso, "--concurrency", "1"])
        rep.check("concurrency 1 gives the same report", t.check(res, all_rows, 2))

        rows = expected(some, later)
        res = t.run(["--now", later_iso, "--accounts", ",".join(reversed(list(some)))])
        rep.check("--accounts: only those, sorted, complete (exit %d)" % exit_of(rows),
                  t.check(res, rows, exit_of(rows)))

        rows = expected(some, wall)
        res = t.run(["--accounts", ",".join(some), "--output", "csv"])
        rep.check("csv output carries the account column", t.check(res, rows, exit_of(rows), "csv"))

        res = t.run(["--accounts", "12345"])
        rep.check("a malformed account id is a usage error",
                  [] if res.rc == 252 and b"12-digit" in res.err else
                  ["exit %s: %s" % (res.rc, H.show(res.err))])

        res = t.run(["--accounts", org.denied, "--now", later_iso])
        p = t.check(res, expected({org.denied: None}, later), 2)
        if b"AssumeRole" not in res.out:
            p.append("the row does not name AssumeRole: %s" % H.show(res.out))
        rep.check("an account whose role cannot be assumed is incomplete", p)
    except Exception as e:
        rep.fail("harness", "%s: %s" % (type(e).__name__, e))
    finally:
        srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
