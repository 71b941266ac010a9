"""sign_botocore.py N: botocore's SigV4Auth.add_auth on the same IAM POST
as sign.lua, N times in a loop; prints "sigs=N seconds=S rate=R" (CPU
seconds, time.process_time)."""
import sys
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
body = "Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=AKIAIOSFODNN7EXAMPLE"
creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
auth = SigV4Auth(creds, "iam", "us-east-1")
req = AWSRequest(method="POST", url="https://iam.amazonaws.com/", data=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
auth.add_auth(req)
assert "Credential=AKIDEXAMPLE/" in req.headers["Authorization"]
t0 = time.process_time()
for _ in range(n):
    auth.add_auth(req)
dt = time.process_time() - t0
print("sigs=%d seconds=%.4f rate=%.1f" % (n, dt, n / dt))
