"""Seed moto_server with an AWS Organization whose member accounts hold
IAM users, for the multi-account suites (tests/e2e/test_org*.py) and the
org benchmark (tests/bench/org_bench.py).

    from orgseed import seed_org                    # tests/lib on sys.path
    org = seed_org(srv, members=3, users=lambda i, acct: [...])
    org.admin            # (key id, secret) of the management account's admin
    org.management       # "123456789012"
    org.members          # member account ids, in creation order
    org.users[acct]      # {user name: [access key dicts as boto3 returns them]}
    org.role_arn(acct)   # arn:aws:iam::ACCT:role/OrganizationAccountAccessRole

How (moto 5.x, all through its public API, as a real organisation is built):
the bootstrap identity (moto's default account 123456789012) creates the
organisation and the member accounts with Organizations CreateAccount;
moto creates OrganizationAccountAccessRole in each member. The bootstrap
identity assumes that role in each member (auth is still off) to give the
role an allow-all inline policy and to create the member's users and keys,
so each account's IAM holds different users. The management account gets
an admin user with an allow-all policy, except sts:AssumeRole on the roles
of the accounts in `deny_assume` (moto evaluates resource-level denies), so
those accounts are unreachable for the admin. Then auth is enforced: every
later request is SigV4-checked and IAM-authorised.

Bounded: at most 20 member accounts and 500 users per account; every
request has botocore's timeouts.
"""

import json

BOOT_KEY = ("AKIAIOSFODNN7EXAMPLE", "bootstrap")
ROLE = "OrganizationAccountAccessRole"
ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
MAX_MEMBERS = 20
MAX_USERS = 500


class Org:
    pass


def client(url, service, key, region="us-east-1"):
    import boto3
    from botocore.config import Config
    kid, secret = key[0], key[1]
    token = key[2] if len(key) > 2 else None
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name=region, aws_access_key_id=kid,
        aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=30, proxies={}))


def role_arn(acct):
    return "arn:aws:iam::%s:role/%s" % (acct, ROLE)


def member_key(url, acct, via=BOOT_KEY, session="seed"):
    """Temporary credentials in acct through its OrganizationAccountAccessRole."""
    c = client(url, "sts", via).assume_role(RoleArn=role_arn(acct), RoleSessionName=session)
    cr = c["Credentials"]
    return (cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])


def seed_org(srv, members=3, users=None, deny_assume=(), keys_per_user=None,
             threads=4):
    """users(i, acct) -> list of user names for member i; keys_per_user(name)
    -> number of access keys (default 1). Returns an Org."""
    from concurrent.futures import ThreadPoolExecutor
    if members > MAX_MEMBERS:
        raise ValueError("at most %d member accounts" % MAX_MEMBERS)
    url = srv.url
    srv.reset()
    srv.set_auth_free_requests(10 ** 7)
    boot_iam = client(url, "iam", BOOT_KEY)
    orgs = client(url, "organizations", BOOT_KEY)
    orgs.create_organization(FeatureSet="ALL")
    o = Org()
    o.url = url
    o.management = client(url, "sts", BOOT_KEY).get_caller_identity()["Account"]
    o.members = []
    for i in range(members):
        st = orgs.create_account(Email="member%d@example.com" % i,
                                 AccountName="member-%d" % i)["CreateAccountStatus"]
        o.members.append(st["AccountId"])
    o.role_arn = role_arn
    o.users = {}

    def fill(i, acct):
        key = member_key(url, acct)
        iam = client(url, "iam", key)
        iam.put_role_policy(RoleName=ROLE, PolicyName="allow-all",
                            PolicyDocument=json.dumps(ALLOW_ALL))
        names = list(users(i, acct)) if users else []
        if len(names) > MAX_USERS:
            raise ValueError("at most %d users per account" % MAX_USERS)
        made = {}
        for u in names:
            iam.create_user(UserName=u)
            n = keys_per_user(u) if keys_per_user else 1
            made[u] = [iam.create_access_key(UserName=u)["AccessKey"] for _ in range(n)]
        return acct, made

    with ThreadPoolExecutor(max_workers=max(1, threads)) as ex:
        for acct, made in ex.map(lambda a: fill(*a), list(enumerate(o.members))):
            o.users[acct] = made

    policy = {"Version": "2012-10-17", "Statement": list(ALLOW_ALL["Statement"])}
    deny = [role_arn(a) for a in deny_assume]
    if deny:
        policy["Statement"].append({"Effect": "Deny", "Action": "sts:AssumeRole",
                                    "Resource": deny})
    boot_iam.create_user(UserName="org-admin")
    boot_iam.put_user_policy(UserName="org-admin", PolicyName="admin",
                             PolicyDocument=json.dumps(policy))
    k = boot_iam.create_access_key(UserName="org-admin")["AccessKey"]
    o.admin = (k["AccessKeyId"], k["SecretAccessKey"])
    srv.enforce_auth()
    return o
