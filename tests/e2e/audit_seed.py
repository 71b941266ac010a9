"""Seeding moto accounts for the audit suites, and the boto3 oracle.

    import audit_seed as S
    srv = S.start_moto()                      # audit_moto.py: root state, managed policies
    acct = S.seed_violations(srv)             # {creds: {label: (id, secret)}, now: epoch}
    want = S.oracle(srv.url, acct["creds"]["oracle"], now)   # {check: {(status, resource)}}

The oracle restates each CIS rule in Python over what boto3 reads from the
same account (its own credential-report parse, its own pagination), so the
audit's findings are compared with an independent computation, not with
numbers written into the test.
"""

import csv
import io
import json
import math
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import moto as motolib  # noqa: E402  (tests/lib/moto.py)

DAY = 86400
BOOT = ("AKIAIOSFODNN7EXAMPLE", "bootstrap")
ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
NARROW = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
STAR_LIST = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": ["s3:*", "*"], "Resource": ["*"]}]})
AUDITOR = json.dumps({"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": ["iam:*", "sts:*"], "Resource": "*"}]})
DENY_REPORT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": ["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
     "Resource": "*"}]})


# ------------------------------------------------------------------ moto ----

class AuditMoto(motolib.MotoServer):
    """moto_server started through audit_moto.py (root state file)."""

    def root(self, account, **state):
        data = {}
        if os.path.exists(self.state_path):
            with open(self.state_path) as f:
                data = json.load(f)
        if state.get("clear"):
            data.pop(account, None)
        else:
            data[account] = state
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, self.state_path)


def start_moto():
    fd, state = tempfile.mkstemp(prefix="iamlua-audit-root.", suffix=".json")
    os.write(fd, b"{}")
    os.close(fd)
    orig = motolib._moto_argv
    motolib._moto_argv = lambda port: [sys.executable, os.path.join(HERE, "audit_moto.py"), state,
                                       "-H", "127.0.0.1", "-p", str(port)]
    try:
        srv = AuditMoto.start()
    finally:
        motolib._moto_argv = orig
    srv.__class__ = AuditMoto
    srv.state_path = state
    return srv


def scrub_process_env():
    for k in list(os.environ):
        if k.startswith("AWS_") or k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            del os.environ[k]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


_session = []


def client(service, url, creds, region="us-east-1"):
    import boto3
    from botocore.config import Config
    if not _session:
        _session.append(boto3.session.Session())
    return _session[0].client(
        service, endpoint_url=url, region_name=region,
        aws_access_key_id=creds[0], aws_secret_access_key=creds[1],
        config=Config(retries={"max_attempts": 2, "mode": "standard"},
                      connect_timeout=5, read_timeout=60, proxies={}))


def use_key(url, key):
    """One signed request with the key, so moto records its last use."""
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    body = "Action=ListUsers&Version=2010-05-08&MaxItems=1"
    req = AWSRequest(method="POST", url=url + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "iam", "us-east-1").add_auth(req)
    r = urllib.request.Request(url + "/", data=body.encode(), method="POST", headers=dict(req.headers.items()))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(r, timeout=30) as resp:
        resp.read()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def iso_z(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _auditor(iam, name, group_policy_arn, url):
    """A user whose permissions come through a group (so it passes 1.15)."""
    iam.create_group(GroupName=name + "-group")
    iam.attach_group_policy(GroupName=name + "-group", PolicyArn=group_policy_arn)
    iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName=name + "-group", UserName=name)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return (k["AccessKeyId"], k["SecretAccessKey"])


def seed_violations(srv):
    """An account failing every shipped check somewhere and passing most
    somewhere else. Returns {creds, now, account}."""
    url = srv.url
    srv.reset()
    srv.set_auth_free_requests(10 ** 6)
    iam = client("iam", url, BOOT)
    acct = client("sts", url, BOOT).get_caller_identity()["Account"]
    wall = time.time()
    now = int(wall) + 100 * DAY + DAY // 2
    allow = iam.create_policy(PolicyName="allow-all-via-group", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    creds = {"admin": _auditor(iam, "zz-auditor", allow, url),
             "oracle": _auditor(iam, "zz-oracle", allow, url)}
    # the denied auditor: allowed everything by its group, denied the
    # credential report by an inline policy (an explicit deny wins)
    creds["denied"] = _auditor(iam, "zz-denied", allow, url)
    iam.put_user_policy(UserName="zz-denied", PolicyName="deny-report", PolicyDocument=DENY_REPORT)

    iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=5,
                                       RequireSymbols=True, MaxPasswordAge=90)
    # console users
    for name, mfa in (("console-nomfa", False), ("console-mfa", True), ("console-key-unused", False),
                      ("console-key-used", True)):
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password="Pw-" + name + "-123456")
        if mfa:
            dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name + "-mfa")["VirtualMFADevice"]
            iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_access_key(UserName="console-key-unused")
    use_key(url, iam.create_access_key(UserName="console-key-used")["AccessKey"])
    # keys
    iam.create_user(UserName="two-keys")
    for _ in range(2):
        use_key(url, iam.create_access_key(UserName="two-keys")["AccessKey"])
    iam.create_user(UserName="one-key-inactive")
    k = iam.create_access_key(UserName="one-key-inactive")["AccessKey"]
    iam.update_access_key(UserName="one-key-inactive", AccessKeyId=k["AccessKeyId"], Status="Inactive")
    iam.create_user(UserName="one-key-never-used")
    iam.create_access_key(UserName="one-key-never-used")
    iam.create_user(UserName="no-keys", Path="/people/")
    # user policies
    iam.create_user(UserName="inline-policy")
    iam.put_user_policy(UserName="inline-policy", PolicyName="inline", PolicyDocument=NARROW)
    narrow = iam.create_policy(PolicyName="narrow", PolicyDocument=NARROW)["Policy"]["Arn"]
    iam.create_user(UserName="attached-policy")
    iam.attach_user_policy(UserName="attached-policy", PolicyArn=narrow)
    # managed policies: *:* attached (to a group), *:* in a list attached
    # (to a role), *:* not attached, AWS managed AdministratorAccess attached
    star = iam.create_policy(PolicyName="star-star", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    star_list = iam.create_policy(PolicyName="star-in-list", PolicyDocument=STAR_LIST)["Policy"]["Arn"]
    iam.create_policy(PolicyName="star-unattached", PolicyDocument=ALLOW_ALL)
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=star)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % acct}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="ops", Path="/ops/", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="ops", PolicyArn=star_list)
    iam.attach_role_policy(RoleName="ops", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.attach_role_policy(RoleName="ops", PolicyArn="arn:aws:iam::aws:policy/AWSCloudShellFullAccess")
    iam.attach_user_policy(UserName="attached-policy",
                           PolicyArn="arn:aws:iam::aws:policy/AWSCloudShellFullAccess")
    # no role has AWSSupportAccess: 1.17 fails
    for name in ("expired-cert", "other-cert"):
        iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=CERT, PrivateKey=KEY)
    # root: an access key, no MFA, used three days before "now"
    srv.root(acct, mfa=0, keys_present=1, key1_active=True, key1_rotated=iso(wall - 400 * DAY),
             password_last_used=iso(now - 3 * DAY), created=iso(wall - 800 * DAY))
    srv.enforce_auth()
    return {"creds": creds, "now": now, "account": acct, "wall": wall}


def seed_clean(srv):
    """An account where every shipped check passes at `now` (a day after
    seeding): root with hardware MFA, no key, unused; a strict password
    policy; users with keys in use, permissions via groups, a console user
    with MFA; a support role; nothing with CloudShell access; no
    certificates."""
    url = srv.url
    srv.reset()
    srv.set_auth_free_requests(10 ** 6)
    iam = client("iam", url, BOOT)
    acct = client("sts", url, BOOT).get_caller_identity()["Account"]
    wall = time.time()
    now = int(wall) + DAY
    audit = iam.create_policy(PolicyName="auditor", PolicyDocument=AUDITOR)["Policy"]["Arn"]
    creds = {"admin": _auditor(iam, "zz-auditor", audit, url),
             "oracle": _auditor(iam, "zz-oracle", audit, url)}
    iam.update_account_password_policy(MinimumPasswordLength=16, PasswordReusePrevention=24)
    iam.create_user(UserName="console-mfa")
    iam.create_login_profile(UserName="console-mfa", Password="Pw-console-mfa-123456")
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName="console-mfa")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="console-mfa", SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_group(GroupName="readers")
    narrow = iam.create_policy(PolicyName="narrow", PolicyDocument=NARROW)["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="readers", PolicyArn=narrow)
    iam.add_user_to_group(GroupName="readers", UserName="console-mfa")
    iam.create_user(UserName="robot")
    use_key(url, iam.create_access_key(UserName="robot")["AccessKey"])
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % acct}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="support", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="support", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    for label in ("admin", "oracle"):
        use_key(url, {"AccessKeyId": creds[label][0], "SecretAccessKey": creds[label][1]})
    srv.root(acct, mfa=1, keys_present=0, password_last_used=iso(wall - 200 * DAY),
             created=iso(wall - 800 * DAY))
    srv.enforce_auth()
    return {"creds": creds, "now": now, "account": acct, "wall": wall}


# ---------------------------------------------------------------- oracle ----

def _days(now, t):
    return max(0, math.floor((now - t) / DAY))


def _ts(s):
    from datetime import datetime
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def _paged(c, op, key, **kw):
    out = []
    for page in c.get_paginator(op).paginate(**kw):
        out += page[key]
    return out


def _report(iam):
    for _ in range(20):
        if iam.generate_credential_report()["State"] == "COMPLETE":
            break
    body = iam.get_credential_report()["Content"].decode()
    return list(csv.DictReader(io.StringIO(body)))


def _star(doc):
    if isinstance(doc, str):
        import urllib.parse
        doc = json.loads(doc if doc.lstrip().startswith("{") else urllib.parse.unquote(doc))
    sts = doc.get("Statement", [])
    if isinstance(sts, dict):
        sts = [sts]
    for s in sts:
        a, r = s.get("Action"), s.get("Resource")
        a = [a] if isinstance(a, str) else (a or [])
        r = [r] if isinstance(r, str) else (r or [])
        if s.get("Effect") == "Allow" and "*" in a and "*" in r:
            return True
    return False


def oracle(url, creds, now, params=None):
    """{check id: set of (status, resource)} as the CIS rules say, computed
    with boto3 over the account. params: {check: {name: value}}."""
    p = {"cis-1.7": {"days": 90}, "cis-1.8": {"min_length": 14}, "cis-1.9": {"reuse": 24},
         "cis-1.12": {"max_unused_days": 45, "grace_days": 0}, "cis-1.14": {"max_age_days": 90}}
    for k, v in (params or {}).items():
        p.setdefault(k, {}).update(v)
    iam = client("iam", url, creds)
    acct = client("sts", url, creds).get_caller_identity()["Account"]
    out = {c: set() for c in ("cis-1.4", "cis-1.5", "cis-1.6", "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10",
                              "cis-1.11", "cis-1.12", "cis-1.13", "cis-1.14", "cis-1.15", "cis-1.16",
                              "cis-1.17", "cis-1.19", "cis-1.22")}
    summary = iam.get_account_summary()["SummaryMap"]
    out["cis-1.4"].add(("FAIL" if summary["AccountAccessKeysPresent"] else "PASS", acct))
    out["cis-1.5"].add(("PASS" if summary["AccountMFAEnabled"] == 1 else "FAIL", acct))
    virtual = _paged(iam, "list_virtual_mfa_devices", "VirtualMFADevices")
    root_virtual = any(d["SerialNumber"].endswith(":mfa/root-account-mfa-device") or
                       d.get("User", {}).get("Arn", "").endswith(":root") for d in virtual)
    out["cis-1.6"].add(("PASS" if summary["AccountMFAEnabled"] == 1 and not root_virtual else "FAIL", acct))
    rows = _report(iam)
    root = [r for r in rows if r["user"] == "<root_account>"][0]
    used = [_ts(root[c]) for c in ("password_last_used", "access_key_1_last_used_date",
                                   "access_key_2_last_used_date") if root[c][:1].isdigit()]
    recent = any(_days(now, t) < p["cis-1.7"]["days"] for t in used)
    out["cis-1.7"].add(("FAIL" if recent else "PASS", acct))
    try:
        pol = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.NoSuchEntityException:
        pol = None
    out["cis-1.8"].add(("PASS" if pol and pol.get("MinimumPasswordLength", 0) >= p["cis-1.8"]["min_length"]
                        else "FAIL", acct))
    out["cis-1.9"].add(("PASS" if pol and pol.get("PasswordReusePrevention", 0) >= p["cis-1.9"]["reuse"]
                        else "FAIL", acct))
    for r in rows:
        if r["user"] == "<root_account>":
            continue
        if r["password_enabled"] == "true":
            out["cis-1.10"].add(("PASS" if r["mfa_active"] == "true" else "FAIL", r["user"]))
            never = any(r["access_key_%d_active" % n] == "true" and r["access_key_%d_last_used_date" % n] == "N/A"
                        for n in (1, 2))
            out["cis-1.11"].add(("FAIL" if never else "PASS", r["user"]))
            last = r["password_last_used"]
            if not last[:1].isdigit():
                last = r["password_last_changed"] if r["password_last_changed"][:1].isdigit() \
                    else r["user_creation_time"]
            idle = _days(now, _ts(last))
            out["cis-1.12"].add(("FAIL" if idle >= p["cis-1.12"]["max_unused_days"] else "PASS", r["user"]))
        else:
            out["cis-1.12"].add(("PASS", r["user"]))
    users = _paged(iam, "list_users", "Users")
    for u in users:
        name = u["UserName"]
        keys = _paged(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)
        active = [k for k in keys if k["Status"] == "Active"]
        out["cis-1.13"].add(("FAIL" if len(active) > 1 else "PASS", name))
        for k in keys:
            kid = k["AccessKeyId"]
            age = _days(now, k["CreateDate"].timestamp())
            if k["Status"] != "Active":
                out["cis-1.14"].add(("PASS", kid))
                out["cis-1.12"].add(("PASS", kid))
                continue
            out["cis-1.14"].add(("FAIL" if age > p["cis-1.14"]["max_age_days"] else "PASS", kid))
            lu = iam.get_access_key_last_used(AccessKeyId=kid)["AccessKeyLastUsed"]
            idle = _days(now, lu["LastUsedDate"].timestamp()) if "LastUsedDate" in lu else age
            bad = age >= p["cis-1.12"]["grace_days"] and idle >= p["cis-1.12"]["max_unused_days"]
            out["cis-1.12"].add(("FAIL" if bad else "PASS", kid))
        n = len(_paged(iam, "list_attached_user_policies", "AttachedPolicies", UserName=name)) + \
            len(_paged(iam, "list_user_policies", "PolicyNames", UserName=name))
        out["cis-1.15"].add(("FAIL" if n else "PASS", name))
    for pol in _paged(iam, "list_policies", "Policies", OnlyAttached=True, Scope="All"):
        doc = iam.get_policy_version(PolicyArn=pol["Arn"], VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
        out["cis-1.16"].add(("FAIL" if _star(doc) else "PASS", pol["Arn"]))

    def entities(arn):
        try:
            pages = list(iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn))
        except iam.exceptions.NoSuchEntityException:
            return [], [], []
        return ([x for pg in pages for x in pg["PolicyUsers"]], [x for pg in pages for x in pg["PolicyGroups"]],
                [x for pg in pages for x in pg["PolicyRoles"]])
    _, _, roles = entities("arn:aws:iam::aws:policy/AWSSupportAccess")
    out["cis-1.17"].add(("PASS" if roles else "FAIL", acct))
    for c in _paged(iam, "list_server_certificates", "ServerCertificateMetadataList"):
        out["cis-1.19"].add(("FAIL" if c["Expiration"].timestamp() <= now else "PASS", c["ServerCertificateName"]))
    us, gs, rs = entities("arn:aws:iam::aws:policy/AWSCloudShellFullAccess")
    arns = [iam.get_user(UserName=x["UserName"])["User"]["Arn"] for x in us] + \
        [iam.get_group(GroupName=x["GroupName"])["Group"]["Arn"] for x in gs] + \
        [iam.get_role(RoleName=x["RoleName"])["Role"]["Arn"] for x in rs]
    if arns:
        out["cis-1.22"] |= {("FAIL", a) for a in arns}
    else:
        out["cis-1.22"].add(("PASS", acct))
    return out


def by_check(findings):
    """{check id: set of (status, resource)} of the audit's JSON."""
    out = {}
    for f in findings:
        out.setdefault(f["check"], set()).add((f["status"], f["resource"]))
    return out


# A self-signed certificate (any will do: moto reports the same expiry for
# every server certificate).
CERT = """-----BEGIN CERTIFICATE-----
MIIBljCCATygAwIBAgIUJ5f0Eh3k0oO7mZ8m9n8wBqg9yhUwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHaWFtbHVhMB4XDTI0MDEwMTAwMDAwMFoXDTI1MDEwMTAwMDAw
MFowEjEQMA4GA1UEAwwHaWFtbHVhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
-----END CERTIFICATE-----"""
KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg
-----END PRIVATE KEY-----"""


# ---------------------------------------------------------- organisation --

ORG_ROLE = "OrganizationAccountAccessRole"


def _member_creds(url, acct, via=BOOT):
    c = client("sts", url, via).assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (acct, ORG_ROLE),
                                            RoleSessionName="seed")["Credentials"]
    return (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def _client3(service, url, creds):
    import boto3
    from botocore.config import Config
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1], aws_session_token=creds[2] if len(creds) > 2 else None,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, proxies={}))


def seed_org(srv, members=3, deny=(2,)):
    """An organisation (moto's Organizations): the management account with
    an auditor allowed everything except sts:AssumeRole into the members
    listed in `deny` (by index); each member account, reached through its
    OrganizationAccountAccessRole, gets users with its own violations
    (member i: i+1 users with two active keys, one user with an inline
    policy). Returns {creds, management, members, denied}."""
    url = srv.url
    srv.reset()
    srv.set_auth_free_requests(10 ** 6)
    orgs = client("organizations", url, BOOT)
    orgs.create_organization(FeatureSet="ALL")
    mgmt = client("sts", url, BOOT).get_caller_identity()["Account"]
    ids = [orgs.create_account(Email="m%d@example.com" % i, AccountName="member-%d" % i)
           ["CreateAccountStatus"]["AccountId"] for i in range(members)]
    for i, acct in enumerate(ids):
        iam = _client3("iam", url, _member_creds(url, acct))
        iam.put_role_policy(RoleName=ORG_ROLE, PolicyName="allow-all", PolicyDocument=ALLOW_ALL)
        for j in range(i + 1):
            name = "m%d-two-keys-%d" % (i, j)
            iam.create_user(UserName=name)
            iam.create_access_key(UserName=name)
            iam.create_access_key(UserName=name)
        iam.create_user(UserName="m%d-inline" % i)
        iam.put_user_policy(UserName="m%d-inline" % i, PolicyName="p", PolicyDocument=NARROW)
        iam.create_user(UserName="m%d-clean" % i)
    boot = client("iam", url, BOOT)
    denied = [ids[i] for i in deny if i < len(ids)]
    stmts = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    if denied:
        stmts.append({"Effect": "Deny", "Action": "sts:AssumeRole",
                      "Resource": ["arn:aws:iam::%s:role/%s" % (a, ORG_ROLE) for a in denied]})
    boot.create_user(UserName="org-auditor")
    boot.put_user_policy(UserName="org-auditor", PolicyName="audit",
                         PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": stmts}))
    k = boot.create_access_key(UserName="org-auditor")["AccessKey"]
    boot.create_user(UserName="oracle")
    boot.put_user_policy(UserName="oracle", PolicyName="all", PolicyDocument=ALLOW_ALL)
    ko = boot.create_access_key(UserName="oracle")["AccessKey"]
    srv.enforce_auth()
    return {"creds": {"admin": (k["AccessKeyId"], k["SecretAccessKey"]),
                      "oracle": (ko["AccessKeyId"], ko["SecretAccessKey"])},
            "management": mgmt, "members": ids, "denied": denied}


def oracle_keys_policies(url, creds):
    """{check: {(status, resource)}} for cis-1.13 and cis-1.15 of the
    account `creds` reach (boto3, own pagination)."""
    iam = _client3("iam", url, creds)
    out = {"cis-1.13": set(), "cis-1.15": set()}
    for u in _paged(iam, "list_users", "Users"):
        name = u["UserName"]
        keys = _paged(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)
        out["cis-1.13"].add(("FAIL" if sum(k["Status"] == "Active" for k in keys) > 1 else "PASS", name))
        n = len(_paged(iam, "list_attached_user_policies", "AttachedPolicies", UserName=name)) + \
            len(_paged(iam, "list_user_policies", "PolicyNames", UserName=name))
        out["cis-1.15"].add(("FAIL" if n else "PASS", name))
    return out
