#!/usr/bin/env python3
"""test_parallel.py: aws.parallel against moto_server (which verifies every
signature): order, errors with tracebacks, fail-fast cancellation, user
coroutines inside tasks, and many tasks with bounded memory. The Lua side is
tests/e2e/parallel.lua; this wrapper seeds moto, runs it, checks peak RSS.

Ten thousand tasks at concurrency 64 run against a canned local endpoint
(moto needs ~12 ms a request): the peak RSS of a 10,000-task run may exceed
a 1,000-task run's only by the per-task result slots, so nothing per request
outlives it."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from canned import CannedServer  # noqa: E402
from moto import MotoServer  # noqa: E402
import boto3  # noqa: E402

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
KEYS = 20
MANY = int(os.environ.get("IAMLUA_PARALLEL_MANY", "2000"))  # bounded request count


def peak_rss(ws, url, n):
    env = H.scrubbed_env(ws, {"AWS_ACCESS_KEY_ID": "AKIACANNED0000000001",
                              "AWS_SECRET_ACCESS_KEY": "canned"}, ["--endpoint-url", url])
    res = H.run(["/usr/bin/time", "-f", "maxrss_kb=%M", H.iamlua_bin(), "run",
                 os.path.join(HERE, "many.lua"), url, str(n)], env, timeout=300)
    rss = [int(l.split("=")[1]) for l in res.err.decode(errors="replace").splitlines()
           if l.startswith("maxrss_kb=")]
    return res.out.decode(errors="replace").strip(), (rss[0] / 1024.0 if rss else None), res


def many_tasks(rep):
    srv = CannedServer().start()
    url = srv.url
    ws = H.Workspace()
    try:
        small_out, small, _ = peak_rss(ws, url, 1000)
        srv.hits = 0
        big_out, big, res = peak_rss(ws, url, 10000)
        rep.check("10000 tasks at concurrency 64 all answered (%d requests served)" % srv.hits,
                  [] if big_out == "ok 10000" and srv.hits == 10000
                  else ["%s, %d served, stderr %s" % (big_out, srv.hits, H.show(res.err))])
        # 9,000 more tasks keep 9,000 more result slots and task records
        # (~100 bytes each in Lua); anything per request would show here.
        growth = (big or 0) - (small or 0)
        # Under ASan freed blocks wait in its quarantine (256 MB by
        # default), so RSS grows with the number of frees, not with what
        # is kept: the bound there only catches a runaway.
        bound = 6.0 if "ASAN_OPTIONS" not in os.environ else 600.0
        rep.check("peak RSS 1000 tasks %.1f MB, 10000 tasks %.1f MB: growth %.1f MB < %.0f MB"
                  % (small or 0, big or 0, growth, bound),
                  [] if small and big and growth < bound else ["growth %.1f MB" % growth])
    finally:
        ws.cleanup()
        srv.shutdown()


def main():
    rep = H.Reporter()
    many_tasks(rep)
    srv = MotoServer.start()
    ws = H.Workspace()
    try:
        iam = boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1",
                           aws_access_key_id="boot", aws_secret_access_key="boot")
        iam.create_user(UserName="admin")
        arn = iam.create_policy(PolicyName="all", PolicyDocument=POLICY)["Policy"]["Arn"]
        iam.attach_user_policy(UserName="admin", PolicyArn=arn)
        admin = iam.create_access_key(UserName="admin")["AccessKey"]
        ids = []
        for i in range(KEYS):
            iam.create_user(UserName="p%d" % i)
            ids.append(iam.create_access_key(UserName="p%d" % i)["AccessKey"]["AccessKeyId"])
        srv.enforce_auth()
        keyfile = ws.write("keys.txt", "\n".join(ids) + "\n")
        env = H.scrubbed_env(ws, {"AWS_ACCESS_KEY_ID": admin["AccessKeyId"],
                                  "AWS_SECRET_ACCESS_KEY": admin["SecretAccessKey"],
                                  "MANY": str(MANY)}, ["--endpoint-url", srv.url])
        res = H.run(["/usr/bin/time", "-f", "maxrss_kb=%M", H.iamlua_bin(), "run",
                     os.path.join(HERE, "parallel.lua"), srv.url, keyfile], env, timeout=600)
        out = res.out.decode(errors="replace")
        for line in out.splitlines():
            if line.startswith("ok - "):
                rep.ok(line[5:])
            elif line.startswith("not ok - "):
                name, _, detail = line[9:].partition(": ")
                rep.fail(name, detail)
        err = res.err.decode(errors="replace")
        rss = [int(l.split("=")[1]) for l in err.splitlines() if l.startswith("maxrss_kb=")]
        if res.rc != 0 or not rss:
            rep.fail("parallel.lua ran to the end", "rc=%s stderr=%s" % (res.rc, H.show(res.err)))
        else:
            mb = rss[0] / 1024.0
            # Reported for the record (the 30 MB target belongs to make bench);
            # the bound here only catches per-request growth.
            limit = float(os.environ.get("IAMLUA_RSS_LIMIT_MB", "80"))  # ASan runs raise it
            rep.check("peak RSS of the run incl. %d tasks: %.1f MB (bounded < %.0f MB)" % (MANY, mb, limit),
                      [] if mb < limit else ["%.1f MB" % mb])
    finally:
        ws.cleanup()
        srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
