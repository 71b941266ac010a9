"""Shared set-up of the Lua-script suites (test_lua.py, test_lua_output.py):
a workspace, a moto_server with signature and IAM checking, an admin
identity, user p0 with a key, user pk with two keys that have signed a
request; and the helpers that run iamlua from another working directory in
the harness's scrubbed environment."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from moto import MotoServer  # noqa: E402
import boto3  # noqa: E402

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
FORMATS = ["json", "text", "table", "yaml", "yaml-stream"]


class T:
    """Shared state: the workspace, moto and its identities."""
    ws = None
    moto = None
    admin = None      # (akid, secret)
    key = None        # p0's access key id
    pk = None         # two used key ids of user pk


def bin_():
    return H.iamlua_bin()


def env(extra=None, argv=()):
    e = {"AWS_ACCESS_KEY_ID": T.admin[0], "AWS_SECRET_ACCESS_KEY": T.admin[1],
         "AWS_DEFAULT_REGION": "us-east-1", "LUA_PATH": None, "LUA_CPATH": None}
    e.update(extra or {})
    return H.scrubbed_env(T.ws, e, argv)


def elsewhere():
    d = T.ws.path("elsewhere")
    os.makedirs(d, exist_ok=True)
    return d


def run(argv, extra=None, cwd=None, stdin=b"", timeout=60):
    argv = [bin_()] + argv
    return H.run(argv, env(extra, argv), cwd=cwd or elsewhere(), stdin=stdin, timeout=timeout)


def out(r):
    return r.out.decode(errors="replace")


def detail(r):
    return "rc=%s out=%s err=%s" % (r.rc, H.show(r.out, 400), H.show(r.err, 600))


def start():
    """Workspace and seeded moto (auth enforced once seeded)."""
    T.ws = H.Workspace()
    T.moto = MotoServer.start()
    iam = boto3.client("iam", endpoint_url=T.moto.url, region_name="us-east-1",
                       aws_access_key_id="boot", aws_secret_access_key="boot")
    iam.create_user(UserName="admin")
    arn = iam.create_policy(PolicyName="all", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="admin", PolicyArn=arn)
    k = iam.create_access_key(UserName="admin")["AccessKey"]
    T.admin = (k["AccessKeyId"], k["SecretAccessKey"])
    iam.create_user(UserName="p0")
    T.key = iam.create_access_key(UserName="p0")["AccessKey"]["AccessKeyId"]
    # two keys of one user, both used on the same service and region
    iam.create_user(UserName="pk")
    pk = [iam.create_access_key(UserName="pk")["AccessKey"] for _ in range(2)]
    T.pk = [k["AccessKeyId"] for k in pk]
    T.moto.enforce_auth()
    for k in pk:
        boto3.client("sts", endpoint_url=T.moto.url, region_name="us-east-1",
                     aws_access_key_id=k["AccessKeyId"],
                     aws_secret_access_key=k["SecretAccessKey"]).get_caller_identity()


def stop():
    if T.moto:
        T.moto.stop()
    if T.ws:
        T.ws.cleanup()

