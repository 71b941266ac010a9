#!/usr/bin/env python3
"""demo.py: the README's first command. Starts moto_server on 127.0.0.1,
seeds a user with two access keys (one used once, one never used), switches
on signature checking, and runs iamlua for both keys, signing with a third,
admin key. Prints what a user would see."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from moto import MotoServer  # noqa: E402
import boto3  # noqa: E402

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def main():
    srv = MotoServer.start()
    iam = boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="auditor")
    pol = iam.create_policy(PolicyName="admin", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="auditor", PolicyArn=pol)
    admin = iam.create_access_key(UserName="auditor")["AccessKey"]
    iam.create_user(UserName="bob")
    iam.attach_user_policy(UserName="bob", PolicyArn=pol)
    used = iam.create_access_key(UserName="bob")["AccessKey"]
    unused = iam.create_access_key(UserName="bob")["AccessKey"]
    srv.enforce_auth()
    # One signed call with bob's first key gives it a last-used date.
    boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1",
                 aws_access_key_id=used["AccessKeyId"],
                 aws_secret_access_key=used["SecretAccessKey"]).get_user()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "AWS_ACCESS_KEY_ID": admin["AccessKeyId"],
           "AWS_SECRET_ACCESS_KEY": admin["SecretAccessKey"],
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    binary = os.environ.get("IAMLUA_BIN", "./iamlua")
    rc = 0
    for key in (used["AccessKeyId"], unused["AccessKeyId"]):
        argv = [binary, "iam", "get-access-key-last-used", "--access-key-id", key,
                "--endpoint-url", srv.url, "--region", "us-east-1"]
        print("$ iamlua iam get-access-key-last-used --access-key-id %s "
              "--endpoint-url %s --region us-east-1" % (key, srv.url), flush=True)
        rc |= subprocess.call(argv, env=env)
    srv.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
