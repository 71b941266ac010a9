#!/usr/bin/env python3
"""Hostile answers to what issue 13 added: the AWS JSON protocol
(Organizations) and the AssumeRole answers behind `assume_role`.

    python3 tests/e2e/test_org_hostile.py    # env: IAMLUA_BIN (./iamlua),
                                             #      IAMLUA_RSS_LIMIT_MB (60; ASan needs ~300)

tests/hostile/json_server.py (127.0.0.1 only) answers every request of a
mode the same way. A script sends ListAccounts (or pages through it, or
makes a client with assume_role whose AssumeRole goes there) and prints
what it got: the result as JSON, or the error's kind, code, status,
operation and message. Per case the expected outcome is botocore's where
botocore has one (JSONParser: __type, message/Message, the status when
there is no code, generic 5xx HTML; ClientError wording), and iamlua's
documented choices where it is stricter (a 2xx body that is not a JSON
object is a ResponseParserError, not an empty result; an AssumeRole
answer without valid credentials is a credentials error). Every run: no
Lua traceback, exit 0 (errors are values), within its timeout, peak RSS
under the limit, and neither the client's secret key nor the STS answer's
secret and session token in stdout or stderr (also with a debug
function tracing every request).
"""

import os
import sys
import subprocess
import json

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
from test_hostile import run_measured  # noqa: E402

SECRET = "orgHostileClientSecretDoNotLeak0123456789"
STS_SECRET = "hostileStsSecretDoNotLeak0123456789abcdef"
STS_TOKEN = "hostileStsSessionTokenDoNotLeak" + "Q" * 40
RSS_LIMIT_KB = int(os.environ.get("IAMLUA_RSS_LIMIT_MB", "60")) * 1024

SCRIPT = r'''
local aws = require "aws"
local base, mode, what, trace = arg[1], arg[2], arg[3], arg[4] == "trace"
local creds = { access_key_id = "AKIDHOSTILEEXAMPLE", secret_access_key = arg[5] }
local debug = trace and function(line) io.stderr:write(line, "\n") end or nil
local function show(r, err)
    if r then print("ok", aws.json.encode(r)) return end
    print("err", err.kind, err.code, err.status, err.operation, #err.message)
    print((err.message:sub(1, 300):gsub("\n", "\\n")))
end
local url = base .. "/mode/" .. mode .. "/"
if what == "call" then
    local org = aws.client("organizations", { endpoint_url = url, region = "us-east-1",
        credentials = creds, max_attempts = 1, debug = debug })
    show(org:call("ListAccounts"))
elseif what == "paginate" then
    local org = aws.client("organizations", { endpoint_url = url, region = "us-east-1",
        credentials = creds, max_attempts = 1, debug = debug })
    local n = 0
    local ok, e = pcall(function() for _ in org:paginate("ListAccounts", {}) do n = n + 1 end end)
    print(ok, n, tostring(e))
else -- assume: the client's requests go to the ok mode, AssumeRole to `mode`
    local org = aws.client("organizations", { endpoint_url = base .. "/mode/ok/",
        region = "us-east-1", credentials = creds, max_attempts = 1, debug = debug,
        assume_role = { role_arn = "arn:aws:iam::111122223333:role/Audit", endpoint_url = url } })
    show(org:call("ListAccounts"))
end
'''

OK_ACCOUNT = ('{"Accounts":[{"Id":"111122223333","Arn":"arn:aws:organizations::111122223333:'
              'account/o-x/111122223333","Email":"a@example.com","Name":"a","Status":"ACTIVE",'
              '"JoinedMethod":"CREATED","JoinedTimestamp":"2023-11-14T22:13:20.500000+00:00"}]}')

# mode, what, expected first line, expected text in the second line (or None)
CASES = [
    ("ok", "call", "ok\t" + OK_ACCOUNT, None),
    ("malformed", "call", "err\tconnection\tResponseParserError\tnil\tListAccounts\t", "invalid JSON received"),
    # a body shorter than its Content-Length is parsed as it is, as botocore
    # (urllib3) does: what arrived is not JSON
    ("truncated", "call", "err\tconnection\tResponseParserError\tnil\tListAccounts\t",
     "premature end of input"),
    ("huge", "call", "err\tconnection\tResponseTooLarge\tnil\tListAccounts\t", "is larger than"),
    ("deep", "call", "err\tconnection\tResponseParserError\tnil\tListAccounts\t", "invalid JSON received"),
    ("not-object", "call", "err\tconnection\tResponseParserError\tnil\tListAccounts\t",
     "Unable to parse response (not a JSON object)"),
    ("bad-utf8", "call", "err\tconnection\tResponseParserError\tnil\tListAccounts\t", "invalid JSON received"),
    ("nulls", "call", "ok\t{}", None),
    ("wrong-shape", "call", 'ok\t{"Accounts":{"Id":"1"}}', None),
    ("bad-timestamp", "call", 'ok\t{"Accounts":[{"Id":"111122223333"', None),
    ("type-number", "call", "err\tservice\t400\t400\tListAccounts\t5", "typed"),
    ("type-hash", "call", "err\tservice\t400\t400\tListAccounts\t5", "empty"),
    ("query-error", "call", "err\tservice\tAWS.Org.Custom\t400\tListAccounts\t1", "q"),
    ("html-400", "call", "err\tservice\t400\t400\tListAccounts\t", "<html><body><h1>400 Bad Request"),
    ("html-503", "call", "err\tservice\t503\t503\tListAccounts\t19", "Service Unavailable"),
    ("xml-403", "call", "err\tservice\t403\t403\tListAccounts\t", "?>\\n<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch"),
    ("big-message", "call", "err\tservice\tBig\t400\tListAccounts\t1023", "mmmm"),
    ("same-token", "paginate", "false\t1\tThe same next token was received twice: again", None),
    ("sts-ok", "assume", "ok\t" + OK_ACCOUNT, None),
    ("sts-no-creds", "assume", "err\tcredentials\tCredentialRetrievalError\tnil\tnil\t",
     "Error when retrieving credentials from assume_role: the AssumeRole answer lacks valid credentials"),
    ("sts-bad-expiration", "assume", "err\tcredentials\tCredentialRetrievalError\tnil\tnil\t",
     "the AssumeRole answer lacks valid credentials"),
    ("sts-expired", "assume", "err\tcredentials\tRuntimeError\tnil\tnil\t",
     "Credentials were refreshed, but the refreshed credentials are still expired."),
    ("sts-garbage", "assume", "err\tconnection\tResponseParserError\tnil\tAssumeRole\t",
     "Unable to parse response"),
    ("sts-denied", "assume", "err\tservice\tAccessDenied\t403\tAssumeRole\t11", "not allowed"),
]


def main():
    rep = H.Reporter()
    srv = subprocess.Popen([sys.executable, os.path.join(H.ROOT, "tests", "hostile", "json_server.py")],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        line = srv.stdout.readline()
        base = "http://127.0.0.1:%d" % json.loads(line)["port"]
    except Exception as e:
        srv.kill()
        rep.fail("hostile JSON server starts", str(e))
        return rep.finish()
    ws = H.Workspace(prefix="iamlua-orghostile.")
    script = ws.write("s.lua", SCRIPT)
    try:
        for mode, what, first, second in CASES:
            for trace in ("", "trace"):
                name = "%s (%s%s)" % (mode, what, ", traced" if trace else "")
                cmd = [H.iamlua_bin(), "run", script, base, mode, what, trace or "-", SECRET]
                env = H.scrubbed_env(ws, {"TZ": "UTC"}, ["--endpoint-url", base])
                res = run_measured(cmd, env, 60)
                p = []
                if res.timed_out:
                    rep.fail(name, "timed out")
                    continue
                out = res.out.decode("utf-8", "replace").splitlines()
                if res.rc != 0:
                    p.append("exit %s: %s" % (res.rc, H.show(res.err)))
                if b"traceback" in res.err:
                    p.append("a Lua traceback: %s" % H.show(res.err))
                if not trace and res.err:
                    p.append("stderr %s" % H.show(res.err))
                if not out or not out[0].startswith(first):
                    p.append("got %r, want %r..." % (out[:1], first))
                if second is not None and (len(out) < 2 or second not in out[1]):
                    p.append("message %r lacks %r" % (out[1:2], second))
                if res.rss > RSS_LIMIT_KB:
                    p.append("peak RSS %d KiB over %d" % (res.rss, RSS_LIMIT_KB))
                for s in (SECRET, STS_SECRET, STS_TOKEN):
                    if s.encode() in res.out or s.encode() in res.err:
                        p.append("printed a secret (%s...)" % s[:10])
                rep.check(name, p)
    finally:
        srv.kill()
        srv.wait(5)
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
