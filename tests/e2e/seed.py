"""Bootstrap a moto_server for the end-to-end suites.

    state = seed(server)       # server: tests/lib/moto.MotoServer
    python3 tests/e2e/seed.py  # starts its own moto (or IAMLUA_MOTO_URL), prints the state

Wipes the server, then, while moto still accepts unauthenticated requests,
creates users and keys, signs one request with each key that must look
"used", records what GetAccessKeyLastUsed then reports, and finally switches
moto to verify every signature and IAM permission (MotoServer.enforce_auth).

moto stamps a key's last-used date with the wall clock (microseconds kept)
whenever that key signs ANY request, signature valid or not. So the keys the
suites QUERY are never used to sign after seeding; the keys that SIGN
(labels admin, admin2, nopolicy) are never queried for their dates.

State (a dict, JSON-serialisable):
  url                      moto's base URL
  keys[label]              {id, secret, user, used: bool, service, region, date}
                           date: the LastUsedDate as AWS CLI v2 prints it
                           (2026-11-27T21:03:15.654943+00:00), None if never used
  temp                     AssumeRole credentials {id, secret, token} (moto verifies
                           signature and token for IAM calls with them)
  quoting                  labels of keys whose user names need YAML quoting
  signers                  labels sig0.. of admin keys for "which region signed" cases
  account                  moto's account id
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

ADMIN_POLICY = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_ANYONE = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                          "Action": "sts:AssumeRole"}]})

LONG_NAME = "a-very-long-user-name-that-widens-every-table-column-0123456789"  # 64 chars

# label -> (user name, how the key is used: None | (service, region))
KEYS = [
    ("admin",    "iamlua-admin",    None),
    ("admin2",   "iamlua-admin2",   None),
    ("nopolicy", "iamlua-nopolicy", None),
    ("used",     "alice",           ("iam", "eu-west-2")),
    ("never",    "alice",           None),
    ("used_sts", "bob",             ("sts", "ap-southeast-2")),
    ("long",     LONG_NAME,         ("iam", "us-east-1")),
    ("long_never", LONG_NAME,       None),
]
# user names that a YAML emitter must quote (or, for some, must not)
QUOTING_NAMES = ["0123", "null", "yes", "1e3", "true", "on", "No", "NULL", "0x1F",
                 "1_000", ".inf", "2001-12-14", "@home", "a,b", "-dash", "=", "1.5",
                 "+1", "0o17", "Off", "~x", "y"]
for i, n in enumerate(QUOTING_NAMES):
    KEYS.append(("q%d" % i, n, ("iam", "us-west-1") if i % 2 else None))
# Signers that cases query about THEMSELVES: moto stamps the signing key
# (service, region of the credential scope) before answering, so
# `--query AccessKeyLastUsed.Region` shows the region the request was signed
# for. One key per case, so parallel cases never race on a stamp.
N_REGION_SIGNERS = 16
for i in range(N_REGION_SIGNERS):
    KEYS.append(("sig%d" % i, "iamlua-signer-%d" % (i // 2), None))

SIGNERS = ("admin", "admin2") + tuple("sig%d" % i for i in range(N_REGION_SIGNERS))
# (the allow-everything policy is attached to these users)


def _scrub_process_env():
    """boto3 in this process must not see the machine's AWS_* or proxy settings."""
    for k in list(os.environ):
        if k.startswith("AWS_") or k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            del os.environ[k]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


_session = []


def _client(service, url, key_id, secret, region="us-east-1", token=None):
    import boto3
    from botocore.config import Config
    if not _session:
        _session.append(boto3.session.Session())
    return _session[0].client(
        service, endpoint_url=url, region_name=region,
        aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=15, proxies={}))


def cli_date(dt):
    """A datetime as AWS CLI v2 prints it (isoformat, UTC offset kept)."""
    return dt.isoformat()


def seed(server):
    _scrub_process_env()
    url = server.url
    server.reset()
    server.set_auth_free_requests(100000)
    boot = _client("iam", url, "AKIAIOSFODNN7EXAMPLE", "bootstrap")
    policy_arn = boot.create_policy(PolicyName="iamlua-allow-all",
                                    PolicyDocument=ADMIN_POLICY)["Policy"]["Arn"]
    account = policy_arn.split(":")[4]
    users = set()
    keys = {}
    for label, user, _ in KEYS:
        if user not in users:
            boot.create_user(UserName=user)
            users.add(user)
        k = boot.create_access_key(UserName=user)["AccessKey"]
        keys[label] = {"id": k["AccessKeyId"], "secret": k["SecretAccessKey"], "user": user,
                       "used": False, "service": "N/A", "region": "N/A", "date": None}
    for user in sorted({keys[label]["user"] for label in SIGNERS}):
        boot.attach_user_policy(UserName=user, PolicyArn=policy_arn)

    # mark keys used: one signed request each (unauthenticated phase, but moto
    # stamps the key all the same)
    for label, _, use in KEYS:
        if not use:
            continue
        service, region = use
        k = keys[label]
        c = _client(service, url, k["id"], k["secret"], region=region)
        if service == "sts":
            c.get_caller_identity()
        else:
            c.list_users()
    for label, _, use in KEYS:
        r = boot.get_access_key_last_used(AccessKeyId=keys[label]["id"])["AccessKeyLastUsed"]
        k = keys[label]
        k["service"], k["region"] = r["ServiceName"], r["Region"]
        if "LastUsedDate" in r:
            k["used"] = True
            k["date"] = cli_date(r["LastUsedDate"].astimezone(__import__("datetime").timezone.utc))
        if bool(use) != k["used"]:
            raise RuntimeError("seed: key %s used=%s, expected %s" % (label, k["used"], bool(use)))

    boot.create_role(RoleName="iamlua-role", AssumeRolePolicyDocument=TRUST_ANYONE)
    boot.attach_role_policy(RoleName="iamlua-role", PolicyArn=policy_arn)
    admin = keys["admin"]
    sts = _client("sts", url, admin["id"], admin["secret"])
    cred = sts.assume_role(RoleArn="arn:aws:iam::%s:role/iamlua-role" % account,
                           RoleSessionName="iamlua-e2e")["Credentials"]
    temp = {"id": cred["AccessKeyId"], "secret": cred["SecretAccessKey"],
            "token": cred["SessionToken"]}

    server.enforce_auth()
    # sanity: auth is really enforced now
    from botocore.exceptions import ClientError
    try:
        _client("iam", url, admin["id"], "not-the-secret").get_access_key_last_used(
            AccessKeyId=keys["never"]["id"])
        raise RuntimeError("seed: moto accepted a wrong secret; auth is not enforced")
    except ClientError as e:
        if e.response["Error"]["Code"] != "SignatureDoesNotMatch":
            raise
    return {"url": url, "account": account, "keys": keys, "temp": temp,
            "quoting": ["q%d" % i for i in range(len(QUOTING_NAMES))],
            "signers": ["sig%d" % i for i in range(N_REGION_SIGNERS)]}


BAD_KEY_ID = "AKIAXXXXXXXXXXXXXXXX"      # unknown to moto: InvalidClientTokenId
BAD_SECRET = "wrongsecretwrongsecretwrongsecret1234567"


def default_files(state):
    """The config and credentials files every case starts from (rel path -> text).

    credentials: [default] admin, [p1] admin2, [noregion] admin, [wrong] admin
    id with a wrong secret, [nopolicy] a user without policy, [temp] AssumeRole
    credentials with their token, [badtoken] the same with a bogus token,
    [partial] an id without secret, [unknown] an id moto does not know.
    config: [default] us-east-1; [profile cfgprof] eu-central-1 with admin2's
    credentials in the config file itself; [profile p1] us-west-2;
    [profile noregion] empty; [profile textprof]/[profile tableprof]/
    [profile yamlprof] with `output`; [profile wrong]/[profile nopolicy]/
    [profile temp]/[profile badtoken]/[profile unknown] us-east-1.
    """
    k = state["keys"]
    t = state["temp"]

    def cred(name, key_id, secret=None, token=None):
        s = "[%s]\naws_access_key_id = %s\n" % (name, key_id)
        if secret is not None:
            s += "aws_secret_access_key = %s\n" % secret
        if token is not None:
            s += "aws_session_token = %s\n" % token
        return s

    credentials = "".join([
        cred("default", k["admin"]["id"], k["admin"]["secret"]),
        cred("p1", k["admin2"]["id"], k["admin2"]["secret"]),
        cred("noregion", k["admin"]["id"], k["admin"]["secret"]),
        cred("wrong", k["admin"]["id"], BAD_SECRET),
        cred("nopolicy", k["nopolicy"]["id"], k["nopolicy"]["secret"]),
        cred("temp", t["id"], t["secret"], t["token"]),
        cred("badtoken", t["id"], t["secret"], "bogus-token"),
        cred("partial", BAD_KEY_ID),
        cred("unknown", BAD_KEY_ID, BAD_SECRET),
        cred("wireprof", k["admin"]["id"], k["admin"]["secret"]),
        cred("isoprof", k["admin"]["id"], k["admin"]["secret"]),
    ])
    config = "".join([
        "[default]\nregion = us-east-1\n",
        "[profile cfgprof]\nregion = eu-central-1\naws_access_key_id = %s\naws_secret_access_key = %s\n"
        % (k["admin2"]["id"], k["admin2"]["secret"]),
        "[profile p1]\nregion = us-west-2\n",
        "[profile noregion]\n",
        "[profile textprof]\nregion = us-east-1\noutput = text\n",
        "[profile tableprof]\nregion = us-east-1\noutput = table\n",
        "[profile yamlprof]\nregion = us-east-1\noutput = yaml\n",
        "[profile wireprof]\nregion = us-east-1\ncli_timestamp_format = wire\ncli_pager = cat\n",
        "[profile isoprof]\nregion = us-east-1\ncli_timestamp_format = iso8601\n",
    ] + ["[profile %s]\nregion = us-east-1\n" % p
         for p in ("wrong", "nopolicy", "temp", "badtoken", "unknown")])
    return {"config": config, "credentials": credentials}


def main():
    from moto import MotoServer
    url = os.environ.get("IAMLUA_MOTO_URL")
    srv = MotoServer.attach(url) if url else MotoServer.start()
    state = seed(srv)
    json.dump(state, sys.stdout, indent=2)
    sys.stdout.write("\n")
    if not url:
        srv.stop()


if __name__ == "__main__":
    main()
