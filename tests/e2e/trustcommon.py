"""What the trust suites share (tests/e2e/test_cabundle.py, test_trust.py):
the iamlua runs, a denied IAM answer, the SSO token cache."""

import hashlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from rawsrv import http_response  # noqa: E402

AKID = "AKIATRUSTTESTKEY0000"
CREDS = {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": "trust-test-secret",
         "AWS_MAX_ATTEMPTS": "1"}
OP = ["iam", "get-access-key-last-used", "--access-key-id", "AKIAIOSFODNN7EXAMPLE",
      "--region", "us-east-1"]
DENIED = http_response(403, b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied"
                            b"</Code><Message>denied by the trust test</Message></Error>"
                            b"<RequestId>r-1</RequestId></ErrorResponse>")
EXPIRES = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
CREDS_JSON = json.dumps({"AccessKeyId": "ASIACONTAINERKEY0000", "SecretAccessKey": "c-secret",
                         "Token": "c-token", "Expiration": EXPIRES}).encode()
SECRET_PW = "S3cretPw"


def denied(head, body):
    return DENIED


def run(ws, argv, env=None, wrap=(), timeout=40):
    argv = [H.iamlua_bin()] + list(argv)
    return H.run(list(wrap) + argv, H.scrubbed_env(ws, env or {}, argv), timeout=timeout)


def lua(ws, text, args=(), env=None, wrap=()):
    p = ws.write("s.lua", text)
    return run(ws, ["run", p] + list(args), env, wrap)


def seen(srv, needle=b""):
    return [r for r in srv.requests() if needle in r]


class Ctx:
    pass


SSO_CONFIG = ("[default]\nsso_session = dev\nsso_account_id = 123456789012\n"
              "sso_role_name = SSORole\nregion = us-east-1\n[sso-session dev]\n"
              "sso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n")


def sso_token(ws, token):
    d = os.path.join(ws.home, ".aws", "sso", "cache")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(b"dev").hexdigest() + ".json"), "w") as f:
        json.dump({"startUrl": "https://x.awsapps.com/start", "region": "us-east-1",
                   "accessToken": token, "expiresAt": EXPIRES}, f)
