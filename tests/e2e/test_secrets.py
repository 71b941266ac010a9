#!/usr/bin/env python3
"""Secrets never leak (DESIGN 5, issue 6): every byte iamlua writes is grepped.

    python3 tests/e2e/test_secrets.py    # env: IAMLUA_BIN (./iamlua), IAMLUA_MOTO_URL,
                                         #      IAMLUA_SECRETS_FILTER (substring of case names)

Runs a broad set of scenarios with DISTINCTIVE credentials -- a secret access
key and a session token that cannot occur by chance -- and captures
everything each run writes: stdout, stderr, and every file it creates or
changes under its workspace (HOME included: caches, reports, logs). Each
capture is searched for
  - the secret and the token, whole, their first and last 16 characters
    (a truncated leak), their base64 (every alignment, standard and URL-safe
    alphabets), hex and percent-encoded forms;
  - the credential_process's secret and token, and an assumed role's token
    (moto's tokens start with FQoGZXIvYXdzEBYaD);
  - a SigV4 signature: "Signature=" or "X-Amz-Signature=" or a "signature"
    field followed by 64 hex digits.
Scenarios: calls against moto_server (auth off, so the distinctive keys are
accepted) with --debug and every --output format and --query; credentials
from the environment, the credentials file and the config file; service
errors; a signature mismatch and an unknown key id (auth on); an invalid
region; an unknown profile; --cli-input-json/yaml with the secret in an
unrelated field; hostile server answers (tests/hostile/server.py) with
--debug; `iamlua run` scripts using aws.sign, aws.client with a debug
callback, error objects and aws.parallel; clients given `credentials`
(tables, functions, malformed ones) and `assume_role`, Organizations, all
traced; the examples in examples/;
credential_process and assume-role (pending providers: skipped while iamlua
answers NotImplementedError). Then: core dumps are off for the process
(RLIMIT_CORE soft limit 0), since a dump would hold the secret in plain text.

Then the --debug trace of every request and response that carries a
secret (issue 17 #9), through aws.client debug callbacks against moto: STS
GetSessionToken, AssumeRole, GetFederationToken, AssumeRoleWithWebIdentity
(its WebIdentityToken), AssumeRoleWithSAML (its SAMLAssertion);
IAM CreateAccessKey, CreateLoginProfile and UpdateLoginProfile (Password),
ChangePassword (OldPassword, NewPassword), CreateVirtualMFADevice (the seed
and QR code), UploadServerCertificate (PrivateKey). moto 5.2 has no
CreateServiceSpecificCredential / ResetServiceSpecificCredential, so a local
server answers those with the AWS documentation's example response (its
ServicePassword made distinctive). Every secret moto hands back is read from
the call's result and must be absent from the trace, which must show
"[REDACTED]" in its place. UploadSSHPublicKey's key is public: the trace
keeps it (checked, so the decision is visible).

Buffers that held a secret are checked to be wiped before they are freed by
the C unit test tests/unit/test_allocfail.c (it scans every freed block).
"""

import base64
import binascii
import json
import os
import re
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "hostile"))
import harness as H  # noqa: E402

SECRET = "SECRETdistinctQ9xZ7wV3kLmN0pRsTuVwXy4242"
TOKEN = ("TOKENdistinctJr8Hq2Vn5Lx0Ws7Zc4Bm1Kd9Pf6Tg3Yh" + "ToKeNmIdDlEpArT" * 6 +
         "EndOfTheTokenDistinct99")
PROC_SECRET = "PROCSECRETdistinctA1b2C3d4E5f6G7h8I9j0Kk"
PROC_TOKEN = "PROCTOKENdistinct" + "ProcessTokenBody" * 5 + "TailDistinct77"
AKID = "AKIASECRETSTESTKEYID"
MOTO_TOKEN_PREFIX = "FQoGZXIvYXdzEBYaD"
OP = ["iam", "get-access-key-last-used"]
DEADLINE = time.monotonic() + float(os.environ.get("IAMLUA_SECRETS_DEADLINE", "170"))

SIG_RE = re.compile(rb"(?i)(x-amz-)?signature[\"']?\s*[=:]\s*[\"']?[0-9a-f]{64}(?![0-9a-f])")


# ---------------------------------------------------------------- forms -----

def forms(s):
    """Byte strings whose presence means s leaked, in some encoding."""
    b = s.encode()
    out = {b, b[:16], b[-16:], binascii.hexlify(b), binascii.hexlify(b).upper(),
           urllib.parse.quote(s, safe="").encode(), urllib.parse.quote_plus(s).encode()}
    for pre in (b"", b"x", b"xx"):
        skip = {0: 0, 1: 2, 2: 3}[len(pre)]
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            e = enc(pre + b)
            core = e[skip:len(e) - 4]  # the chars that depend only on s
            out.add(core)
    return {f for f in out if len(f) >= 16}


SECRETS = {"secret access key": forms(SECRET), "session token": forms(TOKEN),
           "credential_process secret": forms(PROC_SECRET),
           "credential_process token": forms(PROC_TOKEN),
           "assumed-role session token": {MOTO_TOKEN_PREFIX.encode()}}


def findings(where, data):
    """Leaks in one captured blob, as short texts."""
    found = []
    for label, fs in SECRETS.items():
        for f in fs:
            i = data.find(f)
            if i >= 0:
                found.append("%s in %s (form %s... at byte %d: %s)" % (
                    label, where, f[:8].decode("ascii", "replace"), i,
                    H.show(data[max(0, i - 40):i + 20], 80)))
                break
    m = SIG_RE.search(data)
    if m:
        found.append("a signature in %s: %s" % (where, H.show(data[max(0, m.start() - 30):m.end()], 140)))
    return found


# ------------------------------------------------------------- workspace ----

def snapshot(root):
    """{relative path: (bytes, mode bits)} of every regular file under root."""
    snap = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            try:
                if os.path.isfile(p) and not os.path.islink(p):
                    with open(p, "rb") as fh:
                        snap[os.path.relpath(p, root)] = (fh.read(64 << 20),
                                                          os.stat(p).st_mode & 0o777)
            except OSError:
                pass
    return snap


def is_credential_cache(rel):
    """~/.aws/cli/cache/*.json: where AWS CLI v2 (and iamlua, sharing it)
    keeps assumed-role credentials between runs."""
    parts = rel.split(os.sep)
    return len(parts) >= 4 and parts[-4:-1] == [".aws", "cli", "cache"] and rel.endswith(".json")


class Case:
    def __init__(self, name, args, env=None, files=None, phase="open", pending=None,
                 want_rc=None, stdin=b"", timeout=40, check=None, wrap=()):
        self.name, self.args, self.env, self.files = name, args, env or {}, files or {}
        self.wrap = list(wrap)
        self.phase, self.pending, self.want_rc = phase, pending, want_rc
        self.stdin, self.timeout, self.check = stdin, timeout, check


def run_case(case, ctx):
    ws = H.Workspace(prefix="iamlua-secrets.")
    try:
        for rel, text in case.files.items():
            ws.write(rel, ctx.expand(text, ws) if isinstance(text, str) else text)
        before = snapshot(ws.root)
        argv = [H.iamlua_bin()] + [ctx.expand(a, ws) for a in case.args]
        env = H.scrubbed_env(ws, {k: ctx.expand(v, ws) if isinstance(v, str) else v
                                  for k, v in case.env.items()}, argv)
        res = H.run(case.wrap + argv, env, timeout=case.timeout, stdin=case.stdin)
        after = snapshot(ws.root)
    finally:
        ws.cleanup()
    if res.timed_out:
        return ("fail", ["timed out after %ds" % case.timeout])
    problems = findings("stdout", res.out) + findings("stderr", res.err)
    for rel, (data, mode) in sorted(after.items()):
        if before.get(rel, (None,))[0] != data:
            if is_credential_cache(rel):
                # The AWS CLI's own cache of assumed-role credentials holds
                # them by design (iamlua shares it); it must be private.
                if mode & 0o077:
                    problems.append("credential cache %s is mode %o, not 0600" % (rel, mode))
                continue
            problems += findings("file " + rel, data)
    if res.rc is not None and res.rc < 0:
        problems.append("killed by signal %d" % -res.rc)
    if case.pending and (b"NotImplementedError" in res.err or b"not supported yet" in res.err):
        return ("skip", "pending: %s (iamlua: %s)" % (case.pending, H.show(res.err.strip(), 120)))
    if case.want_rc is not None and res.rc != case.want_rc:
        problems.append("exit %s, want %s (stderr %s)" % (res.rc, case.want_rc, H.show(res.err, 200)))
    if case.check:
        problems += case.check(res)
    return ("fail", problems) if problems else ("ok", None)


class Ctx:
    def __init__(self, moto_url, hostile, real_akid):
        self.moto, self.hostile, self.real_akid = moto_url, hostile, real_akid

    def expand(self, s, ws):
        if not isinstance(s, str):
            return s
        s = s.replace("{moto}", self.moto).replace("{real_akid}", self.real_akid or "")
        s = s.replace("{python}", sys.executable)
        if self.hostile:
            s = re.sub(r"\{hostile:([a-z0-9-]+)\}", lambda m: "http://127.0.0.1:%d/mode/%s/secrets/" % (
                self.hostile["http"], m.group(1)), s)
        return ws.expand(s)


# ------------------------------------------------------------- scenarios ----

ENV_CREDS = {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
             "AWS_SESSION_TOKEN": TOKEN, "AWS_MAX_ATTEMPTS": "1"}
CRED_FILE = ("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
             "aws_session_token = %s\n[filecreds]\naws_access_key_id = %s\n"
             "aws_secret_access_key = %s\naws_session_token = %s\n" % (AKID, SECRET, TOKEN, AKID,
                                                                       SECRET, TOKEN))
CONFIG_FILE = ("[default]\nregion = us-east-1\n[profile cfgcreds]\nregion = us-east-1\n"
               "aws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n"
               "[profile proc]\nregion = us-east-1\ncredential_process = {python} {ws}/proc.py\n"
               "[profile role]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/secrets-test\n"
               "source_profile = filecreds\nrole_session_name = secrets\n" % (AKID, SECRET, TOKEN))
PROC_PY = ("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPROCESSKEYID0001', "
           "'SecretAccessKey': %r, 'SessionToken': %r}))\n" % (PROC_SECRET, PROC_TOKEN))
FILES = {"config": CONFIG_FILE, "credentials": CRED_FILE, "proc.py": PROC_PY}

SCRIPT = r'''
local aws = require "aws"
local url, akid = arg[1], arg[2]
local creds = { access_key_id = "AKIASCRIPT", secret_access_key = os.getenv("SEC"),
                session_token = os.getenv("TOK") }
-- aws.sign: use the result, print only what is not secret
local s = aws.sign{ method = "POST", url = url, body = "Action=ListUsers&Version=2010-05-08",
                    headers = {{"Host", "127.0.0.1"}}, service = "iam", region = "us-east-1",
                    credentials = creds, time = "20150830T123600Z" }
print("signature length", #s.signature, "headers", #s.headers)
local p = aws.sign{ method = "GET", url = url, service = "iam", region = "us-east-1",
                    credentials = creds, presign = true, expires = 60 }
print("presigned url length", #p.url)
-- misuse and bad input: error messages must not quote the secret
print(pcall(aws.sign, { method = "GET", url = url, service = "iam", region = "bad region!",
                        credentials = creds }))
print(pcall(aws.sign, { method = "G E T", url = url, service = "iam", region = "us-east-1",
                        credentials = creds }))
print(pcall(aws.sign, { method = "GET", url = url, service = "iam", region = "us-east-1",
                        credentials = { access_key_id = "A", secret_access_key = os.getenv("SEC") .. "\n" } }))
-- aws.client with a debug callback that prints every trace line
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1",
                                debug = function(line) io.stdout:write("DEBUG ", line, "\n") end })
local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = akid })
print(aws.json.encode(r or {}), tostring(err))
local r2, err2 = iam:call("GetAccessKeyLastUsed", { AccessKeyId = "AKIANOSUCHKEY0000000" })
print(r2, tostring(err2), err2 and aws.json.encode({ code = err2.code, message = err2.message }))
local results, errors = aws.parallel({ akid, "AKIANOSUCHKEY0000001", akid }, function(k)
    return assert(iam:call("GetAccessKeyLastUsed", { AccessKeyId = k }))
end, { concurrency = 3 })
for i = 1, 3 do print(i, results[i] and "ok" or tostring(errors[i])) end
-- a client pointed at nothing: connection error text
local dead = aws.client("iam", { endpoint_url = "http://127.0.0.1:9/", region = "us-east-1",
                                 debug = function(line) io.stderr:write(line, "\n") end })
print(dead:call("GetAccessKeyLastUsed", { AccessKeyId = akid }))
-- an error raised with the error object goes through the host's handler
assert(iam:call("GetAccessKeyLastUsed", { AccessKeyId = "AKIANOSUCHKEY0000002" }))
'''

# Credentials a script hands to aws.client (issue 13): a table, a function
# (also one returning something malformed), assume_role with them as the
# source (moto's assumed-role token is scanned for too), Organizations;
# every client traces to stdout.
CLIENT_CREDS_SCRIPT = r'''
local aws = require "aws"
local url, akid = arg[1], arg[2]
local function trace(line) io.stdout:write("DEBUG ", line, "\n") end
local creds = { access_key_id = "AKIASCRIPTCREDS00001", secret_access_key = os.getenv("SEC"),
                session_token = os.getenv("TOK"),
                expiration = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 7200) }
local function fn() return creds end
local function bad() return { access_key_id = "AKIASCRIPTCREDS00001",
    secret_access_key = os.getenv("SEC"), session_token = 5 } end
local function raises() error({ secret = os.getenv("SEC") }) end
for _, c in ipairs({ creds, fn, bad, raises }) do
    local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = c,
                                    debug = trace, max_attempts = 1 })
    local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = akid })
    print(aws.json.encode(r or {}), tostring(err), err and err.code, err and err.kind)
    print(tostring(iam), aws.json.encode(iam:_info() or {}))
end
local org = aws.client("organizations", { endpoint_url = url, region = "us-east-1",
    credentials = fn, debug = trace, max_attempts = 1 })
print(org:call("DescribeOrganization"))
local sts = aws.client("sts", { endpoint_url = url, region = "us-east-1", credentials = creds,
    debug = trace, assume_role = { role_arn = "arn:aws:iam::123456789012:role/secrets-test",
                                   external_id = "ext" } })
local who, err = sts:call("GetCallerIdentity")
print(who and who.Arn, tostring(err))
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", credentials = fn,
    debug = trace, assume_role = { role_arn = "arn:aws:iam::123456789012:role/secrets-test" } })
print(iam:call("GetAccessKeyLastUsed", { AccessKeyId = akid }))
print(pcall(aws.client, "iam", { credentials = { access_key_id = "A",
    secret_access_key = os.getenv("SEC"), sesion_token = os.getenv("TOK") } }))
'''

CORE_LIMIT_SCRIPT = r'''
local f = assert(io.open("/proc/self/limits"))
local t = f:read("a"); f:close()
print(t:match("Max core file size%s+(%S+)"))
'''


def ok_rc(res):
    return []


def scenarios(have_hostile):
    C = []
    base = OP + ["--access-key-id", "{real_akid}", "--endpoint-url", "{moto}", "--region", "us-east-1"]
    for fmt in ["json", "text", "table", "yaml", "yaml-stream"]:
        C.append(Case("env credentials --debug --output " + fmt, base + ["--debug", "--output", fmt],
                      env=ENV_CREDS, want_rc=0))
    C.append(Case("env credentials --debug --query", base + ["--debug", "--query", "AccessKeyLastUsed"],
                  env=ENV_CREDS, want_rc=0))
    C.append(Case("env credentials, no --debug", base, env=ENV_CREDS, want_rc=0))
    C.append(Case("credentials file --profile --debug", base + ["--debug", "--profile", "filecreds"],
                  files=FILES, env={"AWS_MAX_ATTEMPTS": "1"}, want_rc=0))
    C.append(Case("config file credentials --debug", base + ["--debug", "--profile", "cfgcreds"],
                  files=FILES, env={"AWS_MAX_ATTEMPTS": "1"}, want_rc=0))
    C.append(Case("default profile from the credentials file --debug", base + ["--debug"],
                  files=FILES, env={"AWS_MAX_ATTEMPTS": "1"}, want_rc=0))
    C.append(Case("service error (NoSuchEntity) --debug",
                  OP + ["--access-key-id", "AKIANOSUCHKEY0000000", "--endpoint-url", "{moto}",
                        "--region", "us-east-1", "--debug"], env=ENV_CREDS, want_rc=254))
    C.append(Case("unknown profile --debug", base + ["--debug", "--profile", "nope"], files=FILES,
                  want_rc=255))
    C.append(Case("invalid region --debug", OP + ["--access-key-id", "{real_akid}", "--endpoint-url",
                                                  "{moto}", "--region", "bad region!", "--debug"],
                  env=ENV_CREDS, want_rc=255))
    C.append(Case("no region --debug", OP + ["--access-key-id", "{real_akid}", "--endpoint-url",
                                             "{moto}", "--debug"], env=ENV_CREDS))
    C.append(Case("connection refused --debug", OP + ["--access-key-id", "{real_akid}", "--endpoint-url",
                                                      "http://127.0.0.1:9/", "--region", "us-east-1",
                                                      "--debug"], env=ENV_CREDS, want_rc=255))
    doc = json.dumps({"AccessKeyId": "AKIAUNRELATED0000000", "Unrelated": SECRET, "Token": TOKEN})
    C.append(Case("--cli-input-json with the secret in unknown fields",
                  OP + ["--cli-input-json", doc, "--endpoint-url", "{moto}", "--region", "us-east-1"],
                  env=ENV_CREDS, want_rc=252))
    C.append(Case("--cli-input-json file:// with the secret in unknown fields",
                  OP + ["--cli-input-json", "file://{ws}/in.json", "--endpoint-url", "{moto}",
                        "--region", "us-east-1"], files={"in.json": doc}, env=ENV_CREDS, want_rc=252))
    C.append(Case("--cli-input-yaml with the secret in unknown fields",
                  OP + ["--cli-input-yaml", "AccessKeyId: AKIAUNRELATED0000000\nUnrelated: %s\n"
                        "Token: [%s]\n" % (SECRET, TOKEN), "--endpoint-url", "{moto}",
                        "--region", "us-east-1"], env=ENV_CREDS, want_rc=252))
    C.append(Case("run: aws.sign, aws.client debug callback, errors, aws.parallel",
                  ["run", "{ws}/s.lua", "{moto}", "{real_akid}"], files={"s.lua": SCRIPT},
                  env=dict(ENV_CREDS, SEC=SECRET, TOK=TOKEN)))
    C.append(Case("run: aws.client credentials tables, functions, assume_role, organizations",
                  ["run", "{ws}/s.lua", "{moto}", "{real_akid}"], files={"s.lua": CLIENT_CREDS_SCRIPT},
                  env={"SEC": SECRET, "TOK": TOKEN, "AWS_ENDPOINT_URL_STS": "{moto}"}, want_rc=0))
    C.append(Case("run: examples/audit-access-keys.lua",
                  ["run", os.path.join(H.ROOT, "examples", "audit-access-keys.lua"),
                   "--endpoint-url", "{moto}", "--region", "us-east-1"], env=ENV_CREDS))
    for fmt in ["csv", "markdown", "jsonl", "prometheus", "yaml"]:
        C.append(Case("run: examples/audit-access-keys.lua --output " + fmt,
                      ["run", os.path.join(H.ROOT, "examples", "audit-access-keys.lua"),
                       "--endpoint-url", "{moto}", "--region", "us-east-1", "--output", fmt],
                      env=ENV_CREDS))
    C.append(Case("run: examples/report-html.lua --out",
                  ["run", os.path.join(H.ROOT, "examples", "report-html.lua"), "--endpoint-url",
                   "{moto}", "--region", "us-east-1", "--out", "{home}/report.html"], env=ENV_CREDS))
    C.append(Case("run: examples/audit-access-keys.lua against a dead endpoint",
                  ["run", os.path.join(H.ROOT, "examples", "audit-access-keys.lua"),
                   "--endpoint-url", "http://127.0.0.1:9/", "--region", "us-east-1"], env=ENV_CREDS))
    C.append(Case("credential_process provider --debug (pending)",
                  base + ["--debug", "--profile", "proc"], files=FILES,
                  env={"AWS_MAX_ATTEMPTS": "1"}, want_rc=0,
                  pending="credential_process provider, being implemented"))
    C.append(Case("assume-role via moto STS --debug (pending)",
                  base + ["--debug", "--profile", "role"], files=FILES,
                  env={"AWS_MAX_ATTEMPTS": "1", "AWS_ENDPOINT_URL_STS": "{moto}"}, want_rc=0,
                  pending="assume-role provider"))
    if have_hostile:
        for mode in ["ok", "malformed", "html-503", "html-400", "truncated", "error-200",
                     "throttle-xml-400", "empty-500", "garbage-status", "close-before-headers",
                     "redirect-302", "xxe-file", "bad-utf8"]:
            C.append(Case("hostile server %s --debug" % mode,
                          OP + ["--access-key-id", "AKIAAAAAAAAAAAAAAAAA", "--endpoint-url",
                                "{hostile:%s}" % mode, "--region", "us-east-1", "--debug"],
                          env=ENV_CREDS, timeout=30))
    # auth enforced from here on
    C.append(Case("signature mismatch (real key id, distinctive secret) --debug",
                  base + ["--debug"], env=dict(ENV_CREDS, AWS_ACCESS_KEY_ID="{real_akid}",
                                               AWS_SESSION_TOKEN=None),
                  phase="auth", want_rc=254,
                  check=lambda r: [] if b"SignatureDoesNotMatch" in r.err else
                  ["stderr lacks SignatureDoesNotMatch: %s" % H.show(r.err, 200)]))
    C.append(Case("unknown key id with a session token (auth on) --debug", base + ["--debug"],
                  env=ENV_CREDS, phase="auth", want_rc=254))
    # The soft limit is raised to the hard one first (as a shell with
    # `ulimit -c unlimited` would), so only iamlua itself can lower it.
    C.append(Case("core dumps are off (RLIMIT_CORE soft limit 0)", ["run", "{ws}/lim.lua"],
                  wrap=["/bin/sh", "-c", 'ulimit -c "$(ulimit -H -c)" && exec "$@"', "sh"],
                  files={"lim.lua": CORE_LIMIT_SCRIPT}, env=ENV_CREDS, want_rc=0,
                  check=lambda r: [] if r.out.strip() == b"0" else
                  ["core file size limit is %s, want 0: bindings/main.c must "
                   "setrlimit(RLIMIT_CORE, {0, hard}) (and prctl(PR_SET_DUMPABLE, 0)) before "
                   "reading credentials" % H.show(r.out.strip(), 40)]))
    return C


# ------------------------------------------- secrets in the debug trace ----

TRACE_SCRIPT = r"""
local aws = require "aws"
local url, stub = arg[1], arg[2]
local function tracer(tag) return function(l) io.stderr:write(tag, " ", l, "\n") end end
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1", debug = tracer("IAM") })
local sts = aws.client("sts", { endpoint_url = url, region = "us-east-1", debug = tracer("STS") })
local function got(label, v)
    if type(v) == "string" then io.stdout:write("GOT\t", label, "\t", v, "\n") end
end
local function call(c, op, p)
    local r, e = c:call(op, p or {})
    io.stdout:write("CALL\t", op, "\t", r and "ok" or tostring(e and e.code), "\n")
    return r or {}
end
local function creds(op, r)
    local c = r.Credentials or {}
    got(op .. " SecretAccessKey", c.SecretAccessKey)
    got(op .. " SessionToken", c.SessionToken)
end
local role = "arn:aws:iam::123456789012:role/secrets-trace"
creds("GetSessionToken", call(sts, "GetSessionToken"))
creds("AssumeRole", call(sts, "AssumeRole", { RoleArn = role, RoleSessionName = "trace-s" }))
creds("GetFederationToken", call(sts, "GetFederationToken", { Name = "trace-fed" }))
creds("AssumeRoleWithWebIdentity", call(sts, "AssumeRoleWithWebIdentity",
    { RoleArn = role, RoleSessionName = "trace-w", WebIdentityToken = os.getenv("WEBTOKEN") }))
call(sts, "AssumeRoleWithSAML", { RoleArn = role, SAMLAssertion = os.getenv("SAML"),
    PrincipalArn = "arn:aws:iam::123456789012:saml-provider/trace" })
call(iam, "CreateUser", { UserName = "trace-alice" })
local k = call(iam, "CreateAccessKey", { UserName = "trace-alice" })
got("CreateAccessKey SecretAccessKey", (k.AccessKey or {}).SecretAccessKey)
call(iam, "CreateLoginProfile", { UserName = "trace-alice", Password = os.getenv("PW1") })
call(iam, "UpdateLoginProfile", { UserName = "trace-alice", Password = os.getenv("PW2") })
call(iam, "ChangePassword", { OldPassword = os.getenv("PW2"), NewPassword = os.getenv("PW3") })
local m = call(iam, "CreateVirtualMFADevice", { VirtualMFADeviceName = "trace-mfa" })
got("CreateVirtualMFADevice Base32StringSeed", (m.VirtualMFADevice or {}).Base32StringSeed)
call(iam, "UploadServerCertificate", { ServerCertificateName = "trace-cert",
    CertificateBody = os.getenv("CERT"), PrivateKey = os.getenv("KEY") })
call(iam, "UploadSSHPublicKey", { UserName = "trace-alice", SSHPublicKeyBody = os.getenv("SSHKEY") })
local st = aws.client("iam", { endpoint_url = stub, region = "us-east-1", debug = tracer("DOC") })
for op, p in pairs({
        CreateServiceSpecificCredential = { UserName = "trace-alice",
                                            ServiceName = "codecommit.amazonaws.com" },
        ResetServiceSpecificCredential = { ServiceSpecificCredentialId = "ACCA12345ABCDEXAMPLE" } }) do
    local r = call(st, op, p)
    got(op .. " ServicePassword", (r.ServiceSpecificCredential or {}).ServicePassword)
end
"""

# The AWS IAM API Reference's example response, the password made distinctive.
SSC_PASSWORD = "SvcPwDistinct/czp+D3EXAMPLE47lrJ6/43r2zqGw="
SSC_DOC = ("<{op}Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><{op}Result>"
           "<ServiceSpecificCredential><CreateDate>2016-11-01T17:47:22.382Z</CreateDate>"
           "<ServiceName>codecommit.amazonaws.com</ServiceName>"
           "<ServiceUserName>anika-at-123456789012</ServiceUserName>"
           "<ServicePassword>" + SSC_PASSWORD + "</ServicePassword>"
           "<ServiceSpecificCredentialId>ACCA12345ABCDEXAMPLE</ServiceSpecificCredentialId>"
           "<UserName>anika</UserName><Status>Active</Status></ServiceSpecificCredential>"
           "</{op}Result><ResponseMetadata><RequestId>ff2e6e80-0a21-11e6-9f4e-0d0d9c3EXAMPLE"
           "</RequestId></ResponseMetadata></{op}Response>")

TRACE_INPUTS = {"WEBTOKEN": "WebIdTokenDistinct-eyJhbGciOiJSUzI1NiJ9.abcdefgh",
                "SAML": "U0FNTEFzc2VydGlvbkRpc3RpbmN0YWJjZGVmZ2hpams=",
                "PW1": "PwOneDistinct-abcdefgh!", "PW2": "PwTwoDistinct-abcdefgh!",
                "PW3": "PwThreeDistinct-abcdef!",
                "SSHKEY": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPublicKeyOfTheSecretsTestDistinct0 t"}
# what the trace must show in place of each secret
TRACE_REDACTED = ["<SecretAccessKey>[REDACTED]</SecretAccessKey>",
                  "<SessionToken>[REDACTED]</SessionToken>", "WebIdentityToken=[REDACTED]",
                  "SAMLAssertion=[REDACTED]", "&Password=[REDACTED]", "OldPassword=[REDACTED]",
                  "NewPassword=[REDACTED]", "<Base32StringSeed>[REDACTED]</Base32StringSeed>",
                  "<QRCodePNG>[REDACTED]</QRCodePNG>", "PrivateKey=[REDACTED]",
                  "<ServicePassword>[REDACTED]</ServicePassword>"]
TRACE_OPS = ["GetSessionToken SecretAccessKey", "GetSessionToken SessionToken",
             "AssumeRole SecretAccessKey", "AssumeRole SessionToken",
             "GetFederationToken SecretAccessKey", "GetFederationToken SessionToken",
             "AssumeRoleWithWebIdentity SecretAccessKey", "AssumeRoleWithWebIdentity SessionToken",
             "CreateAccessKey SecretAccessKey", "CreateVirtualMFADevice Base32StringSeed",
             "CreateServiceSpecificCredential ServicePassword",
             "ResetServiceSpecificCredential ServicePassword"]


def trace_secrets_case(moto_url):
    """Problems with the debug trace of the secret-carrying calls."""
    import tempfile
    import rawsrv
    d = tempfile.mkdtemp(prefix="iamlua-secrets-pki.")
    ws = H.Workspace(prefix="iamlua-secrets.")

    def doc(head, body):
        op = "ResetServiceSpecificCredential" if b"Action=Reset" in body else \
            "CreateServiceSpecificCredential"
        return rawsrv.http_response(200, SSC_DOC.format(op=op))
    stub = rawsrv.RawServer(doc)
    try:
        rawsrv.make_ca(d, "cert")
        env = dict(TRACE_INPUTS, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_MAX_ATTEMPTS="1")
        with open(os.path.join(d, "cert.pem")) as f:
            env["CERT"] = f.read()
        with open(os.path.join(d, "cert.key")) as f:
            env["KEY"] = f.read()
        script = ws.write("t.lua", TRACE_SCRIPT)
        argv = [H.iamlua_bin(), "run", script, moto_url, stub.url]
        res = H.run(argv, H.scrubbed_env(ws, env, argv), timeout=60)
    finally:
        stub.close()
        ws.cleanup()
        import shutil
        shutil.rmtree(d, ignore_errors=True)
    p = []
    got = {}
    for line in res.out.decode(errors="replace").splitlines():
        f = line.split("\t")
        if f[0] == "GOT" and len(f) == 3:
            got[f[1]] = f[2]
    for label in TRACE_OPS:
        if label not in got:
            p.append("no %s came back (stdout %s)" % (label, H.show(res.out, 400)))
    trace = res.err
    for label, v in got.items():
        for form in forms(v) | {v.encode()}:
            if form in trace:
                i = trace.find(form)
                p.append("%s in the trace: %s" % (label, H.show(trace[max(0, i - 60):i + 20], 120)))
                break
    key_body = env["KEY"].split("\n")[1].encode()
    for name, v in list(TRACE_INPUTS.items()) + [("private key", key_body.decode())]:
        if name == "SSHKEY":
            continue
        for form in {v.encode(), urllib.parse.quote_plus(v).encode(),
                     urllib.parse.quote(v, safe="").encode()}:
            if form in trace:
                p.append("request secret %s in the trace" % name)
                break
    for marker in TRACE_REDACTED:
        if marker.encode() not in trace:
            p.append("the trace lacks %s" % marker)
    ssh = urllib.parse.quote_plus(TRACE_INPUTS["SSHKEY"]).encode()
    if ssh not in trace:
        p.append("the public SSH key is not in the trace (it is public: kept)")
    p += findings("trace", trace)
    return p


# ----------------------------------------------------------------- main -----

SEED = r'''
local aws = require "aws"
local iam = aws.client("iam", { endpoint_url = arg[1], region = "us-east-1" })
assert(iam:call("CreateUser", { UserName = "secrets-alice" }))
local r = assert(iam:call("CreateAccessKey", { UserName = "secrets-alice" }))
local k = r.AccessKey or r
io.write(k.AccessKeyId)
'''


def seed(moto_url):
    ws = H.Workspace(prefix="iamlua-secrets-seed.")
    try:
        ws.write("seed.lua", SEED)
        argv = [H.iamlua_bin(), "run", ws.path("seed.lua"), moto_url]
        env = H.scrubbed_env(ws, {"AWS_ACCESS_KEY_ID": "AKIDSEED", "AWS_SECRET_ACCESS_KEY": "seed"},
                             ["--endpoint-url", moto_url])
        res = H.run(argv, env, timeout=30)
        if res.rc != 0 or not res.out.startswith(b"AKIA"):
            raise RuntimeError("seeding failed: %s %s" % (H.show(res.out), H.show(res.err)))
        return res.out.decode().strip()
    finally:
        ws.cleanup()


def self_check():
    """The detector finds what it must (else every pass means nothing)."""
    p = []
    samples = [SECRET.encode(), b"x" + base64.b64encode(b"ab" + SECRET.encode()),
               base64.urlsafe_b64encode(b"a" + TOKEN.encode()), binascii.hexlify(SECRET.encode()),
               TOKEN[:30].encode(), b"..." + SECRET[-20:].encode(),
               b"Authorization: AWS4-HMAC-SHA256 Credential=A/x, SignedHeaders=host, Signature=" +
               b"ab" * 32, b"&X-Amz-Signature=" + b"0f" * 32 + b"&", b'"signature": "' + b"1" * 64 + b'"',
               PROC_SECRET.encode(), MOTO_TOKEN_PREFIX.encode() + b"abc"]
    for smp in samples:
        if not findings("sample", smp):
            p.append("missed %s" % H.show(smp, 60))
    for clean in [b"Signature=[REDACTED]", b"Signature=" + b"a" * 63, b"AKIASECRETSTESTKEYID",
                  b"x-amz-content-sha256:" + b"e3" * 32]:
        if findings("sample", clean):
            p.append("false positive on %s" % H.show(clean, 60))
    return p


def main():
    rep = H.Reporter()
    rep.check("leak detector finds every encoded form and no false positive", self_check())
    flt = os.environ.get("IAMLUA_SECRETS_FILTER")
    from moto import MotoServer
    url = os.environ.get("IAMLUA_MOTO_URL")
    srv = MotoServer.attach(url) if url else MotoServer.start()
    hostile = None
    try:
        import subprocess
        hp = subprocess.Popen([sys.executable, os.path.join(H.ROOT, "tests", "hostile", "server.py")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = hp.stdout.readline()
        hostile = json.loads(line) if line else None
    except Exception as e:  # the hostile cases are then reported as failed
        rep.fail("hostile server starts", "%s: %s" % (type(e).__name__, e))
        hp = None
    try:
        srv.set_auth_free_requests(1000000)
        real = seed(srv.url)
        ctx = Ctx(srv.url, hostile, real)
        cases = scenarios(hostile is not None)
        if flt:
            cases = [c for c in cases if flt in c.name]
        for phase in ("open", "auth"):
            if phase == "auth":
                srv.enforce_auth()
            todo = [c for c in cases if c.phase == phase]
            jobs = [(lambda c=c: run_case(c, ctx)) for c in todo]
            for i, res in H.run_ordered(jobs, 2, DEADLINE):
                name = todo[i].name
                if isinstance(res, Exception):
                    rep.fail(name, "%s: %s" % (type(res).__name__, res))
                elif res[0] == "ok":
                    rep.ok(name)
                elif res[0] == "skip":
                    rep.skip(name, res[1])
                else:
                    rep.fail(name, "; ".join(res[1]))
        if not flt or flt in "debug trace of secret-carrying requests and responses":
            srv.set_auth_free_requests(1000000)  # moto's STS answers unsigned-checked
            try:
                rep.check("debug trace of secret-carrying requests and responses (moto)",
                          trace_secrets_case(srv.url))
            except Exception as e:
                rep.fail("debug trace of secret-carrying requests and responses (moto)",
                         "%s: %s" % (type(e).__name__, e))
        rep._line("# %d scenarios grepped for %d leak forms" % (
            len(cases), sum(len(v) for v in SECRETS.values()) + 1))
    finally:
        if hp is not None:
            try:
                hp.stdin.close()
                hp.wait(5)
            except Exception:
                hp.kill()
        if not url:
            srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
