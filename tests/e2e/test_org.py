#!/usr/bin/env python3
"""End-to-end cases for scripts that reach a whole organisation (issue 13):
client options `credentials` and `assume_role`, the Organizations service
(AWS JSON 1.1), model-driven pagination, and the option errors.

    python3 tests/e2e/test_org.py    # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws),
                                     #      IAMLUA_ORG_FILTER (run cases whose name has it)

One moto_server (tests/lib/moto.py) is seeded by tests/lib/orgseed.py with
an organisation: the management account's admin plus member accounts whose
IAM holds different users, created through the accounts' assumed
OrganizationAccountAccessRole. Then moto checks every SigV4 signature and
IAM permission. A FaultProxy (tests/lib/faultproxy.py) in front of moto is
the STS endpoint where a case must see what AssumeRole sends (ExternalId,
how many calls) — it forwards byte for byte, so moto still verifies the
signatures. AWS CLI v2 is the oracle for Organizations results (JSON equal,
timestamps included, in two time zones) and error messages; boto3-free
expectations come from the seeding itself (which users went where).

Scripts run with `iamlua run` in the harness's scrubbed environment: no
AWS_* variables and no config or credentials files unless a case adds
them, so `credentials` is the only way a script has to sign.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from faultproxy import Fault, FaultProxy  # noqa: E402
from orgseed import seed_org  # noqa: E402
from pager import Pager  # noqa: E402

SUITE_BUDGET = 200.0
N_MEMBERS = 5
MGMT_USERS = ["mgmt-%02d" % i for i in range(7)]
MGMT_ROLES = ["role-%02d" % i for i in range(5)]


class Ctx:
    pass


def lua(C, ws, script, args=(), env=None, timeout=60):
    path = ws.write("s.lua", script)
    cmd = [C.bin, "run", path] + [str(a) for a in args]
    return H.run(cmd, H.scrubbed_env(ws, env or {}, ["--endpoint-url", C.url]), timeout=timeout)


def cli(C, ws, argv, env=None):
    cmd = [C.cli] + argv
    e = {"AWS_ACCESS_KEY_ID": C.admin[0], "AWS_SECRET_ACCESS_KEY": C.admin[1],
         "AWS_DEFAULT_REGION": "us-east-1"}
    e.update(env or {})
    return H.run(cmd, H.scrubbed_env(ws, e, cmd), timeout=90)


def lines(res):
    return res.out.decode("utf-8", "replace").splitlines()


def common(C, res, rc=0):
    """Problems every run shares: timeout, exit code, a Lua traceback for an
    expected exit, secrets."""
    p = []
    if res.timed_out:
        return ["timed out"]
    if res.rc != rc:
        p.append("exit %s (want %s): %s %s" % (res.rc, rc, H.show(res.err), H.show(res.out)))
    p += H.leaks(res, C.secrets)
    return p


PRELUDE = r'''
local aws = require "aws"
local url, id, secret = arg[1], arg[2], arg[3]
local creds = { access_key_id = id, secret_access_key = secret }
local function show(v) return aws.json.encode(v) end
'''


# ------------------------------------------------------------- credentials --

def c_explicit_credentials(C, ws):
    res = lua(C, ws, PRELUDE + r'''
local sts = aws.client("sts", { endpoint_url = url, region = "us-east-1", credentials = creds })
local who = assert(sts:call("GetCallerIdentity"))
print(who.Arn)
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = creds })
local n = 0
for _ in iam:paginate("ListUsers", {}) do n = n + 1 end
print(n)
print(iam:_info().credential_source)
''', [C.url, C.admin[0], C.admin[1]])
    p = common(C, res)
    want = ["arn:aws:iam::%s:user/org-admin" % C.org.management, str(len(MGMT_USERS) + 1),
            "explicit"]
    if not p and lines(res) != want:
        p.append("stdout %r, want %r" % (lines(res), want))
    return p


def c_no_credentials_without_option(C, ws):
    """The same environment without the option: no credentials anywhere."""
    res = lua(C, ws, PRELUDE + r'''
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1" })
local r, err = iam:call("ListUsers")
print(r, err.code, err.kind)
''', [C.url, C.admin[0], C.admin[1]])
    p = common(C, res)
    if not p and lines(res) != ["nil\tNoCredentialsError\tcredentials"]:
        p.append("stdout %r" % lines(res))
    return p


def c_wrong_secret(C, ws):
    """IAM (Query): SignatureDoesNotMatch. Organizations: moto answers the
    JSON protocol with an XML error document, which botocore cannot read as
    JSON: the AWS CLI reports code 403 with the body as message, and so
    does iamlua (compared with the CLI's stderr)."""
    res = lua(C, ws, PRELUDE + r'''
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1",
    credentials = { access_key_id = id, secret_access_key = secret .. "x" } })
local r, err = iam:call("ListUsers")
print(r, err.code, err.status, err.kind)
local org = aws.client("organizations", { endpoint_url = url, region = "us-east-1",
    credentials = { access_key_id = id, secret_access_key = "wrong" } })
r, err = org:call("ListAccounts")
io.stderr:write(tostring(err), "\n")
''', [C.url, C.admin[0], C.admin[1]])
    p = common(C, res)
    want = ["nil\tSignatureDoesNotMatch\t403\tservice"]
    if not p and lines(res) != want:
        p.append("stdout %r, want %r" % (lines(res), want))
    b = cli(C, ws, ["organizations", "list-accounts", "--endpoint-url", C.url],
            env={"AWS_SECRET_ACCESS_KEY": "wrong"})
    if b.rc != 254 or res.err.strip() != b.err.strip():
        p.append("organizations: %s | CLI (exit %s) %s" % (H.show(res.err), b.rc, H.show(b.err)))
    if b"SignatureDoesNotMatch" not in res.err:
        p.append("organizations: moto's reason is not in the message")
    return p


# A credentials function whose answers live `life` seconds: the script
# sleeps across the refresh windows and prints how often it was called.
FN_SCRIPT = PRELUDE + r'''
local life, form = tonumber(arg[4]), arg[5]
local calls = 0
local function fn()
    calls = calls + 1
    local exp = os.time() + life
    if form == "iso" then exp = os.date("!%Y-%m-%dT%H:%M:%SZ", exp) end
    return { access_key_id = id, secret_access_key = secret, expiration = exp }
end
local sts = aws.client("sts", { endpoint_url = url, region = "us-east-1", credentials = fn })
local function call()
    local r, err = sts:call("GetCallerIdentity")
    assert(r, tostring(err))
end
local seen = {}
for i = 1, 3 do call() end
seen[#seen + 1] = calls
os.execute("sleep " .. arg[6])
for i = 1, 3 do call() end
seen[#seen + 1] = calls
print(table.concat(seen, " "))
'''


def c_credentials_function_refresh(C, ws):
    """Lifetime 6 s: windows 3 s (advisory) and 2 s (mandatory). Three
    calls, 4 s asleep, three calls: once at first need, once more in a
    refresh window, not on every request (whole seconds: 4 s asleep is
    inside a window whichever second the first fetch fell in)."""
    p = []
    for form in ("epoch", "iso"):
        res = lua(C, ws, FN_SCRIPT, [C.url, C.admin[0], C.admin[1], 6, form, 4])
        p += common(C, res)
        if not p and lines(res) != ["1 2"]:
            p.append("%s: calls %r, want ['1 2']" % (form, lines(res)))
    return p


def c_credentials_function_long_lived(C, ws):
    res = lua(C, ws, FN_SCRIPT, [C.url, C.admin[0], C.admin[1], 3600, "epoch", 0])
    p = common(C, res)
    if not p and lines(res) != ["1 1"]:
        p.append("calls %r, want ['1 1']" % lines(res))
    return p


def c_credentials_function_failures(C, ws):
    res = lua(C, ws, PRELUDE + r'''
local function try(fn)
    local c = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = fn })
    local r, err = c:call("ListUsers")
    print(r, err.kind, err.code, err.message)
end
try(function() error("vault sealed") end)
try(function() return nil end)
try(function() return { access_key_id = id } end)
try(function() return { access_key_id = id, secret_access_key = secret, expiration = "tomorrow" } end)
try(function() return { access_key_id = id, secret_access_key = secret, session_token = 5 } end)
try(function() return { access_key_id = id, secret_access_key = secret, expiration = os.time() - 60 } end)
try(function() error(setmetatable({}, { __tostring = function() error("worse") end })) end)
''', [C.url, C.admin[0], C.admin[1]])
    p = common(C, res)
    got = lines(res)
    src = open(ws.path("s.lua")).read().splitlines()
    line = next(i for i, t in enumerate(src, 1) if "vault sealed" in t)
    want = [
        "nil\tcredentials\tCredentialRetrievalError\tError when retrieving credentials from "
        "the credentials function: %s:%d: vault sealed" % (ws.path("s.lua"), line),
        "nil\tcredentials\tCredentialRetrievalError\tError when retrieving credentials from "
        "the credentials function: it returned nil, not a table",
        "nil\tcredentials\tCredentialRetrievalError\tError when retrieving credentials from "
        "the credentials function: credentials.secret_access_key must be a non-empty string, got nil",
        "nil\tcredentials\tCredentialRetrievalError\tError when retrieving credentials from "
        "the credentials function: expiration is not an ISO 8601 time: \"tomorrow\"",
        "nil\tcredentials\tCredentialRetrievalError\tError when retrieving credentials from "
        "the credentials function: credentials.session_token must be a string, got number",
        "nil\tcredentials\tRuntimeError\tCredentials were refreshed, but the refreshed "
        "credentials are still expired.",
    ]
    if not p and got[:6] != want:
        p.append("stdout %r, want %r" % (got[:6], want))
    if not p and not (len(got) == 7 and got[6].startswith("nil\tcredentials\tCredentialRetrievalError")):
        p.append("an error whose __tostring raises: %r" % got[6:])
    return p


OPTION_ERRORS = [
    ('aws.client("iam", { regoin = "us-east-1" })',
     "bad argument #2 to 'client' (unknown option 'regoin'; did you mean 'region'?)"),
    ('aws.client("iam", { credential = {} })',
     "bad argument #2 to 'client' (unknown option 'credential'; did you mean 'credentials'?)"),
    ('aws.client("iam", { zzz = 1 })', "bad argument #2 to 'client' (unknown option 'zzz')"),
    ('aws.client("iam", { region = 5 })',
     "bad argument #2 to 'client' (option 'region' must be a string, got number)"),
    ('aws.client("iam", { max_attempts = "5" })',
     "bad argument #2 to 'client' (option 'max_attempts' must be an integer, got string)"),
    ('aws.client("iam", { timestamp_format = "unix" })',
     "bad argument #2 to 'client' (option 'timestamp_format' must be 'iso8601' or 'wire')"),
    ('aws.client("iam", { read_timeout = -1 })',
     "bad argument #2 to 'client' (option 'read_timeout' must be between 0 and 1e7 seconds)"),
    ('aws.client("iam", { verify_ssl = "no" })',
     "bad argument #2 to 'client' (option 'verify_ssl' must be a boolean, got string)"),
    ('aws.client("iam", { credentials = "AKIA" })',
     "bad argument #2 to 'client' (option 'credentials' must be a table or function, got string)"),
    ('aws.client("iam", { credentials = { access_key_id = "A" } })',
     "bad argument #2 to 'client' (credentials.secret_access_key must be a non-empty string, got nil)"),
    ('aws.client("iam", { credentials = { access_key_id = "A", secret_access_key = "s", sesion_token = "t" } })',
     "bad argument #2 to 'client' (unknown field 'sesion_token' in credentials; did you mean 'session_token'?)"),
    ('aws.client("iam", { assume_role = { role_arn = "arn:aws:iam::111122223333:role/R", externalid = "x" } })',
     "bad argument #2 to 'client' (unknown field 'externalid' in assume_role; did you mean 'external_id'?)"),
    ('aws.client("iam", { assume_role = { role_arn = "arn:aws:iam::111122223333:role/R", duration_seconds = "1h" } })',
     "bad argument #2 to 'client' (assume_role.duration_seconds must be an integer, got string)"),
    ('aws.client("iam", { assume_role = {} })',
     "bad argument #2 to 'client' (assume_role.role_arn must be a non-empty string, got nil)"),
    ('aws.client("iam", { assume_role = { role_arn = "arn:aws:iam::111122223333:role/R", serial_number = "arn:aws:iam::1:mfa/u" } })',
     "bad argument #2 to 'client' (assume_role.serial_number needs assume_role.token_code (a string, or a function returning one))"),
    ('aws.client("iam", { assume_role = { role_arn = "short" } })',
     "bad argument #2 to 'client' (assume_role: Invalid length for parameter RoleArn, value: 5, valid min length: 20)"),
    ('aws.client("iam", { assume_role = { role_arn = "arn:aws:iam::111122223333:role/R", duration_seconds = 6 } })',
     "bad argument #2 to 'client' (assume_role: Invalid value for parameter DurationSeconds, value: 6, valid min value: 900)"),
    ('aws.client("iam", { sign = false, credentials = { access_key_id = "A", secret_access_key = "s" } })',
     "bad argument #2 to 'client' (option 'sign' = false cannot be used with credentials or assume_role)"),
    ('aws.client("organisations")',
     "bad argument #1 to 'client' (unsupported service 'organisations'; did you mean 'organizations'? (iam, organizations, sts))"),
    ('aws.client("iam", "us-east-1")', "bad argument #2 to 'client' (table expected, got string)"),
]


def c_option_errors(C, ws):
    body = ["local aws = require 'aws'", "local cases = {"]
    for code, _ in OPTION_ERRORS:
        body.append("  function() local c = %s; return c end," % code)
    body.append("}")
    body.append("for _, f in ipairs(cases) do local ok, e = pcall(f); print(ok, e) end")
    res = lua(C, ws, "\n".join(body) + "\n")
    p = common(C, res)
    got = lines(res)
    path = ws.path("s.lua")
    for i, (code, msg) in enumerate(OPTION_ERRORS):
        # errors point at the script line that called aws.client
        want = "false\t%s:%d: %s" % (path, i + 3, msg)
        if i >= len(got) or got[i] != want:
            p.append("%s: got %r, want %r" % (code, got[i] if i < len(got) else None, want))
    return p


def c_options_table_unchanged(C, ws):
    res = lua(C, ws, PRELUDE + r'''
local o = { endpoint_url = url, region = "us-east-1", max_attempts = 5, read_timeout = 30,
            credentials = creds,
            assume_role = { role_arn = "arn:aws:iam::123456789012:role/R", tags = { team = "a" } } }
local before = show(o.assume_role) .. show(o.credentials) .. tostring(o.max_attempts)
    .. math.type(o.max_attempts)
local n = 0
for k in pairs(o) do n = n + 1 end
local c1 = aws.client("sts", o)
local c2 = aws.client("sts", o)   -- the same table twice
local after = show(o.assume_role) .. show(o.credentials) .. tostring(o.max_attempts)
    .. math.type(o.max_attempts)
local m = 0
for k in pairs(o) do m = m + 1 end
print(before == after, n == m, math.type(o.max_attempts), o.credentials == creds)
o.assume_role = nil
local c3 = aws.client("sts", o)
print(assert(c3:call("GetCallerIdentity")).Account)
''', [C.url, C.admin[0], C.admin[1]])
    p = common(C, res)
    want = ["true\ttrue\tinteger\ttrue", C.org.management]
    if not p and lines(res) != want:
        p.append("stdout %r, want %r" % (lines(res), want))
    return p


# ------------------------------------------------------------ assume_role --

ROLE_SCRIPT = PRELUDE + r'''
for i = 4, #arg do
    local acct = arg[i]
    local o = { endpoint_url = url, region = "us-east-1", credentials = creds,
        assume_role = { role_arn = "arn:aws:iam::" .. acct .. ":role/OrganizationAccountAccessRole",
                        role_session_name = "audit-" .. acct } }
    local iam = aws.client("iam", o)
    local names = {}
    for u in iam:paginate("ListUsers", {}) do names[#names + 1] = u.UserName end
    table.sort(names)
    local who = assert(aws.client("sts", o):call("GetCallerIdentity"))
    print(acct, who.Account, who.Arn, table.concat(names, ","))
end
'''


def c_assume_role_per_account(C, ws):
    res = lua(C, ws, ROLE_SCRIPT, [C.url, C.admin[0], C.admin[1]] + C.org.members,
              env={"AWS_ENDPOINT_URL_STS": C.url})
    p = common(C, res)
    want = []
    for a in C.org.members:
        want.append("%s\t%s\tarn:aws:sts::%s:assumed-role/OrganizationAccountAccessRole/audit-%s\t%s"
                    % (a, a, a, a, ",".join(sorted(C.org.users[a]))))
    if not p and lines(res) != want:
        p.append("stdout %r, want %r" % (lines(res), want))
    return p


def c_assume_role_sts_endpoint(C, ws):
    """AssumeRole goes where the chain sends STS (AWS_ENDPOINT_URL_STS, then
    AWS_ENDPOINT_URL, then assume_role.endpoint_url over both), never to
    the client's own endpoint_url; ExternalId is sent when given."""
    p = []
    acct = C.org.members[0]
    script = PRELUDE + r'''
local ar = { role_arn = "arn:aws:iam::" .. arg[4] .. ":role/OrganizationAccountAccessRole",
             external_id = arg[5] ~= "-" and arg[5] or nil,
             endpoint_url = arg[6] ~= "-" and arg[6] or nil }
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = creds,
                               assume_role = ar })
local r, err = iam:call("ListUsers")
print(r and #r.Users or tostring(err))
'''
    nusers = str(len(C.org.users[acct]))
    for label, env, ext, ep in (
            ("AWS_ENDPOINT_URL_STS", {"AWS_ENDPOINT_URL_STS": C.px.url}, "ext-123", "-"),
            ("AWS_ENDPOINT_URL", {"AWS_ENDPOINT_URL": C.px.url}, "-", "-"),
            ("assume_role.endpoint_url", {"AWS_ENDPOINT_URL_STS": H.closed_port().url}, "e2", C.px.url)):
        C.px.clear_log()
        res = lua(C, ws, script, [C.url, C.admin[0], C.admin[1], acct, ext, ep], env=env)
        q = common(C, res)
        if not q and lines(res) != [nusers]:
            q.append("stdout %r, want %r" % (lines(res), [nusers]))
        C.px.wait_idle()
        log = C.px.log()
        bodies = [e.body or b"" for e in log]
        if len(log) != 1 or b"Action=AssumeRole" not in bodies[0]:
            q.append("proxy saw %r, want one AssumeRole" % [b[:80] for b in bodies])
        elif ext != "-" and ("ExternalId=" + ext).encode() not in bodies[0]:
            q.append("ExternalId not sent: %r" % bodies[0][:300])
        elif ext == "-" and b"ExternalId" in bodies[0]:
            q.append("ExternalId sent without external_id: %r" % bodies[0][:300])
        p += ["%s: %s" % (label, x) for x in q]
    return p


def six_second_credentials(body):
    """An AssumeRole answer whose credentials expire 6 s from now: STS
    refuses a DurationSeconds under 900 (and so does botocore's validator),
    so the proxy shortens what moto granted."""
    return H.expiring(body, 6)


def c_assume_role_renewal(C, ws):
    """Credentials that live 6 s (the proxy shortens moto's 900): windows
    of 3 s and 2 s. Calls, 4 s asleep (in a window: renewed), calls, 7 s
    asleep (expired: renewed before signing), calls: three AssumeRole
    calls in all."""
    acct = C.org.members[1]
    C.px.clear_log()
    C.px.rule(lambda seq, t, e: Fault.rewrite(six_second_credentials)
              if b"Action=AssumeRole" in (e.body or b"") else Fault.passthrough())
    try:
        return assume_role_renewal(C, ws, acct)
    finally:
        C.px.rule(lambda seq, t, e: Fault.passthrough())


def assume_role_renewal(C, ws, acct):
    res = lua(C, ws, PRELUDE + r'''
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = creds,
    assume_role = { role_arn = "arn:aws:iam::" .. arg[4] .. ":role/OrganizationAccountAccessRole",
                    duration_seconds = 900 } })
local function calls()
    for i = 1, 3 do assert(iam:call("ListUsers")) end
end
calls()
os.execute("sleep 4")
calls()
os.execute("sleep 7")
calls()
print("done")
''', [C.url, C.admin[0], C.admin[1], acct], env={"AWS_ENDPOINT_URL_STS": C.px.url}, timeout=90)
    p = common(C, res)
    C.px.wait_idle()
    n = sum(1 for e in C.px.log() if b"Action=AssumeRole" in (e.body or b""))
    if not p and n != 3:
        p.append("%d AssumeRole calls, want 3" % n)
    return p


def c_assume_role_denied(C, ws):
    res = lua(C, ws, PRELUDE + r'''
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = creds,
    assume_role = { role_arn = "arn:aws:iam::" .. arg[4] .. ":role/OrganizationAccountAccessRole" } })
local r, err = iam:call("ListUsers")
print(r, err.kind, err.code, err.status, err.operation)
print(tostring(err))
''', [C.url, C.admin[0], C.admin[1], C.denied], env={"AWS_ENDPOINT_URL_STS": C.url})
    p = common(C, res)
    want = ["nil\tservice\tAccessDenied\t403\tAssumeRole",
            "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
            "arn:aws:iam::%s:user/org-admin is not authorized to perform: sts:AssumeRole"
            % C.org.management]
    if not p and lines(res) != want:
        p.append("stdout %r, want %r" % (lines(res), want))
    return p


def c_assume_role_from_profile(C, ws):
    """The source credentials of assume_role come from the client's profile."""
    ws.write("credentials", "[src]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
             % C.admin)
    res = lua(C, ws, r'''
local aws = require "aws"
local sts = aws.client("sts", { profile = "src", endpoint_url = arg[1], region = "us-east-1",
    assume_role = { role_arn = "arn:aws:iam::" .. arg[2] .. ":role/OrganizationAccountAccessRole" } })
print(assert(sts:call("GetCallerIdentity")).Account)
''', [C.url, C.org.members[2]], env={"AWS_ENDPOINT_URL_STS": C.url})
    p = common(C, res)
    if not p and lines(res) != [C.org.members[2]]:
        p.append("stdout %r" % lines(res))
    return p


# ----------------------------------------------------------- organizations --

ORG_PRINT = PRELUDE + r'''
local org = aws.client("organizations", { endpoint_url = url, region = "us-east-1", credentials = creds })
local r, err = org:call(arg[4], arg[5] and aws.json.decode(arg[5]) or {})
if not r then io.stderr:write(tostring(err), "\n") os.exit(254) end
print(aws.json.encode(r))
'''


def c_org_differential(C, ws):
    """iamlua's result equals the AWS CLI's output parsed as JSON, for two
    time zones (JSON-protocol timestamps are local time, as tzlocal)."""
    p = []
    for tz in (None, "Asia/Kolkata"):
        env = {"TZ": tz} if tz else {}
        for action, argv in (("ListAccounts", ["organizations", "list-accounts"]),
                             ("DescribeOrganization", ["organizations", "describe-organization"])):
            a = lua(C, ws, ORG_PRINT, [C.url, C.admin[0], C.admin[1], action], env=env)
            b = cli(C, ws, argv + ["--endpoint-url", C.url, "--output", "json"], env=env)
            q = common(C, a)
            if b.rc != 0:
                q.append("AWS CLI exit %s: %s" % (b.rc, H.show(b.err)))
            if not q:
                ja, jb = json.loads(a.out), json.loads(b.out)
                if ja != jb:
                    q.append("iamlua %s | CLI %s" % (H.show(a.out, 400), H.show(b.out, 400)))
                if tz and action == "ListAccounts" and "+05:30" not in a.out.decode():
                    q.append("no local offset in %s" % H.show(a.out))
            p += ["%s %s: %s" % (action, tz or "UTC", x) for x in q]
    return p


def c_org_error_differential(C, ws):
    a = lua(C, ws, ORG_PRINT, [C.url, C.admin[0], C.admin[1], "DescribeAccount",
                               '{"AccountId": "999999999999"}'])
    b = cli(C, ws, ["organizations", "describe-account", "--account-id", "999999999999",
                    "--endpoint-url", C.url])
    p = common(C, a, rc=254)
    if b.rc != 254:
        p.append("AWS CLI exit %s" % b.rc)
    if a.err.strip() != b.err.strip():
        p.append("stderr %s | CLI %s" % (H.show(a.err), H.show(b.err)))
    res = lua(C, ws, PRELUDE + r'''
local org = aws.client("organizations", { endpoint_url = url, region = "us-east-1", credentials = creds })
local r, err = org:call("DescribeAccount", { AccountId = "999999999999" })
print(err.code, err.status, err.kind, err.operation, #(err.request_id or "") > 0)
r, err = org:call("DescribeAccount", {})
print(err.code, err.kind, err.message)
''', [C.url, C.admin[0], C.admin[1]])
    p += common(C, res)
    want = ["AccountNotFoundException\t400\tservice\tDescribeAccount\ttrue",
            'ParamValidationError\tusage\tParameter validation failed:',
            'Missing required parameter in input: "AccountId"']
    if lines(res) != want:
        p.append("err fields %r, want %r" % (lines(res), want))
    return p


def c_org_endpoint_overrides(C, ws):
    script = PRELUDE + r'''
local o = { region = "us-east-1", credentials = creds }
if arg[4] == "opt" then o.endpoint_url = url end
local org = aws.client("organizations", o)
local r, err = org:call("DescribeOrganization")
print(r and r.Organization.MasterAccountId or err.code)
print(org:_info().endpoint)
'''
    closed = H.closed_port().url
    p = []
    for label, env, mode in (
            ("AWS_ENDPOINT_URL_ORGANIZATIONS", {"AWS_ENDPOINT_URL_ORGANIZATIONS": C.url,
                                                "AWS_ENDPOINT_URL": closed}, "env"),
            ("AWS_ENDPOINT_URL", {"AWS_ENDPOINT_URL": C.url}, "env"),
            ("endpoint_url wins", {"AWS_ENDPOINT_URL_ORGANIZATIONS": closed}, "opt")):
        res = lua(C, ws, script, [C.url, C.admin[0], C.admin[1], mode], env=env)
        q = common(C, res)
        if not q and lines(res) != [C.org.management, C.url + "/"]:
            q.append("stdout %r" % lines(res))
        p += ["%s: %s" % (label, x) for x in q]
    res = lua(C, ws, r'''
local aws = require "aws"
for _, r in ipairs({ "us-east-1", "eu-west-1", "cn-north-1", "us-gov-east-1" }) do
    local i = assert(aws.client("organizations", { region = r,
        credentials = { access_key_id = "AKIAEXAMPLE", secret_access_key = "x" } }):_info())
    print(r, i.endpoint, i.signing_region)
end
''', env={"HTTPS_PROXY": H.closed_port().url})
    want = ["us-east-1\thttps://organizations.us-east-1.amazonaws.com/\tus-east-1",
            "eu-west-1\thttps://organizations.us-east-1.amazonaws.com/\tus-east-1",
            "cn-north-1\thttps://organizations.cn-northwest-1.amazonaws.com.cn/\tcn-northwest-1",
            "us-gov-east-1\thttps://organizations.us-gov-west-1.amazonaws.com/\tus-gov-west-1"]
    if lines(res) != want:
        p.append("partitions: %r (%s)" % (lines(res), H.show(res.err)))
    return p


# -------------------------------------------------------------- pagination --

PAGES_SCRIPT = PRELUDE + r'''
local svc, action, key, size = arg[4], arg[5], arg[6], tonumber(arg[7])
local c = aws.client(svc, { endpoint_url = url, region = "us-east-1", credentials = creds })
local limit = svc == "iam" and "MaxItems" or "MaxResults"
local items = {}
for it in c:paginate(action, { [limit] = size }) do items[#items + 1] = it end
local pages = 0
for page in c:pages(action, { [limit] = size }) do pages = pages + 1 end
local also = {}
for it in c:paginate(action, { [limit] = size }, key) do also[#also + 1] = it end
print(pages, #also == #items)
print(aws.json.encode(items))
'''


def c_pagination(C, ws):
    """Pages smaller than the list: every item once, equal to the AWS CLI's
    (which pages through everything with the same page size), in as many
    pages as it takes. ListAccounts pages by NextToken and ListRoles by
    Marker/IsTruncated in moto itself; moto ignores ListUsers' MaxItems, so
    ListUsers goes through tests/lib/pager.py, which cuts moto's (signature-
    checked) answer into MaxItems pages for both programs."""
    p = []
    for svc, action, key, url, argv, total in (
            ("organizations", "ListAccounts", "Accounts", C.url,
             ["organizations", "list-accounts"], N_MEMBERS + 2),
            ("iam", "ListRoles", "Roles", C.url, ["iam", "list-roles"], len(MGMT_ROLES)),
            ("iam", "ListUsers", "Users", C.pager.url, ["iam", "list-users"],
             len(MGMT_USERS) + 1)):
        del C.pager.pages[:]
        res = lua(C, ws, PAGES_SCRIPT, [url, C.admin[0], C.admin[1], svc, action, key, 2])
        b = cli(C, ws, argv + ["--endpoint-url", url, "--output", "json", "--page-size", "2"])
        q = common(C, res)
        if b.rc != 0:
            q.append("AWS CLI exit %s: %s" % (b.rc, H.show(b.err)))
        if not q:
            out = lines(res)
            want_pages = (total + 1) // 2
            if out[0] != "%d\ttrue" % want_pages:
                q.append("pages line %r, want %d pages" % (out[0], want_pages))
            items = json.loads(out[1])
            want = json.loads(b.out)[key]
            if svc == "iam":
                for u in items + want:
                    # the admin's own user is signing: its last use moves
                    u.pop("PasswordLastUsed", None)
                    # the CLI decodes policy documents into JSON (a
                    # customization of its own); a script gets the text
                    d = u.get("AssumeRolePolicyDocument")
                    if isinstance(d, str):
                        u["AssumeRolePolicyDocument"] = json.loads(d)
            if items != want or len(items) != total:
                q.append("items %s | CLI %s" % (H.show(out[1], 300), H.show(b.out, 300)))
            if action == "ListUsers" and len(C.pager.pages) != 4 * want_pages:
                q.append("the pager served %d pages, want %d (3 runs of iamlua, 1 of the CLI)"
                         % (len(C.pager.pages), 4 * want_pages))
        p += ["%s: %s" % (action, x) for x in q]
    return p


def c_paginate_misuse(C, ws):
    res = lua(C, ws, PRELUDE + r'''
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = creds })
local org = aws.client("organizations", { endpoint_url = url, region = "us-east-1", credentials = creds })
local sts = aws.client("sts", { endpoint_url = url, region = "us-east-1", credentials = creds })
for _, f in ipairs({
    function() return iam:paginate("ListUsers", {}, "users") end,
    function() return iam:paginate("ListUsers", {}, "IsTruncated") end,
    function() return org:paginate("ListAccounts", {}, "Acounts") end,
    function() return sts:paginate("GetCallerIdentity", {}) end,
    function() return iam:paginate("ListUsers", "x") end,
}) do
    local ok, e = pcall(f)
    print(ok, (tostring(e):gsub("^[^:]*:%d+: ", "")))
end
local n = 0
for page in iam:paginate("GetAccountAuthorizationDetails", {}) do
    assert(page.UserDetailList and page.RoleDetailList) n = n + 1
end
print(n)
''', [C.url, C.admin[0], C.admin[1]])
    p = common(C, res)
    want = [
        "false\tbad argument #3 to 'paginate' ('users' is not a list in the ListUsers output; valid: Users)",
        "false\tbad argument #3 to 'paginate' ('IsTruncated' is not a list in the ListUsers output; valid: Users)",
        "false\tbad argument #3 to 'paginate' ('Acounts' is not a list in the ListAccounts output; valid: Accounts)",
        "false\tOperation cannot be paginated: GetCallerIdentity",
        "false\tbad argument #2 to 'paginate' (table expected, got string)",
        "1",
    ]
    if not p and lines(res) != want:
        p.append("stdout %r, want %r" % (lines(res), want))
    return p


def cases():
    return [
        ("explicit credentials sign requests moto verifies", c_explicit_credentials),
        ("without credentials the same script has none", c_no_credentials_without_option),
        ("a wrong secret is SignatureDoesNotMatch", c_wrong_secret),
        ("a credentials function is called again in its refresh window", c_credentials_function_refresh),
        ("a long-lived credentials function is called once", c_credentials_function_long_lived),
        ("a failing credentials function is a credentials error", c_credentials_function_failures),
        ("option errors name the option and a close match", c_option_errors),
        ("the options table is not changed and can be reused", c_options_table_unchanged),
        ("assume_role sees exactly its account", c_assume_role_per_account),
        ("assume_role goes to the chain's STS endpoint, with ExternalId", c_assume_role_sts_endpoint),
        ("assume_role renews credentials before and after they expire", c_assume_role_renewal),
        ("assume_role refused is an AssumeRole error", c_assume_role_denied),
        ("assume_role from a profile's credentials", c_assume_role_from_profile),
        ("organizations results equal the AWS CLI's", c_org_differential),
        ("organizations errors read as the AWS CLI's", c_org_error_differential),
        ("organizations endpoints and overrides", c_org_endpoint_overrides),
        ("pagination across pages (NextToken, Marker)", c_pagination),
        ("paginate refuses bad result keys and unpageable actions", c_paginate_misuse),
    ]


def main():
    rep = H.Reporter()
    C = Ctx()
    C.bin = H.iamlua_bin()
    C.cli = H.aws_cli()
    sys.path.insert(0, os.path.join(HERE, "..", "lib"))
    from moto import MotoServer
    try:
        srv = MotoServer.start()
        members = N_MEMBERS

        def users(i, acct):
            return ["m%d-user-%d" % (i, j) for j in range(i + 1)]
        org = seed_org(srv, members=members, users=users, deny_assume=())
    except Exception as e:
        rep.fail("moto starts and seeds an organisation", "%s: %s" % (type(e).__name__, e))
        return rep.finish()
    # management-account users, made through the admin (auth is on now)
    import orgseed
    iam = orgseed.client(srv.url, "iam", org.admin)
    for u in MGMT_USERS:
        iam.create_user(UserName=u)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]})
    for r in MGMT_ROLES:
        iam.create_role(RoleName=r, AssumeRolePolicyDocument=trust)
    C.url, C.org, C.admin = srv.url, org, org.admin
    C.secrets = [org.admin[1]]
    # one more account the admin may not enter: a Deny on its role
    orgs = orgseed.client(srv.url, "organizations", org.admin)
    C.denied = orgs.create_account(Email="denied@example.com",
                                   AccountName="denied")["CreateAccountStatus"]["AccountId"]
    iam.put_user_policy(UserName="org-admin", PolicyName="deny-one", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": orgseed.role_arn(C.denied)}]}))
    C.px = FaultProxy(srv.url)
    C.pager = Pager(srv.url)
    try:
        H.run_cases(rep, cases(), C, "iamlua-org.", SUITE_BUDGET,
                    os.environ.get("IAMLUA_ORG_FILTER"))
    finally:
        C.px.close()
        C.pager.close()
        srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
