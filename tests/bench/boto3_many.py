"""boto3_many.py N THREADS ENDPOINT [KEY_ID]: N get_access_key_last_used
calls with boto3, sequential (THREADS=1) or from a pool of THREADS threads
sharing one client (clients are thread-safe; its connection pool is sized
to the threads). Credentials and region from the environment. Prints
"calls=N ok=N seconds=S rate=R" (the loop only) and fails unless every call
returned a user name."""
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

n, threads, url = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
key = sys.argv[4] if len(sys.argv) > 4 else "AKIAIOSFODNN7EXAMPLE"
iam = boto3.client("iam", endpoint_url=url,
                   config=Config(max_pool_connections=max(10, threads)))


def call(_):
    return iam.get_access_key_last_used(AccessKeyId=key).get("UserName")


t0 = time.monotonic()
if threads <= 1:
    results = [call(i) for i in range(n)]
else:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(call, range(n)))
dt = time.monotonic() - t0
ok = sum(1 for r in results if r)
print("calls=%d ok=%d seconds=%.4f rate=%.1f" % (n, ok, dt, n / dt))
sys.exit(0 if ok == n else 1)
