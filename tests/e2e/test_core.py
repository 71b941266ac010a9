#!/usr/bin/env python3
"""End-to-end cases for iamlua alone, asserting real behaviour against moto.

    python3 tests/e2e/test_core.py     # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws),
                                       #      IAMLUA_MOTO_URL, IAMLUA_JOBS (2)

Each case checks what it must (exit code, the values moto holds, which
credentials were used); where the exact text is the AWS CLI's (error
messages), the expectation is taken from AWS_CLI run the same way in the same
run, not hard-coded. Cases marked iamlua-only (scripts, --version) are skipped
when IAMLUA_BIN is the AWS CLI itself (harness self-check).
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import seed  # noqa: E402

OP = ["iam", "get-access-key-last-used"]


class Case:
    def __init__(self, name, args=None, env=None, files=None, check=None, oracle=False,
                 iamlua_only=False, script=None, timeout=60, endpoint=True):
        self.name = name
        self.args = args or []
        self.env = env or {}
        self.files = files or {}
        self.check = check            # fn(res, oracle_res, ctx) -> [problems]
        self.oracle = oracle          # also run AWS_CLI, hand its result to check
        self.iamlua_only = iamlua_only
        self.script = script          # (rel name, text) written into the workspace
        self.timeout = timeout
        self.endpoint = endpoint      # append --endpoint-url MOTO to args


def expect(rc=None, out=None, err=None, err_has=(), out_has=(), err_empty=False,
           json_out=None, same_err=False, same_out=False, same_rc=False):
    """Build a check from simple expectations."""
    def check(res, orc, ctx):
        p = []
        if res.timed_out:
            return ["timed out after %.0fs" % res.secs]
        if rc is not None and res.rc != rc:
            p.append("exit %s, want %s (stderr %s)" % (res.rc, rc, H.show(res.err, 200)))
        if out is not None and res.out != out:
            p.append("stdout " + H.first_diff(res.out, out))
        if json_out is not None:
            try:
                got = json.loads(res.out.decode(), object_pairs_hook=lambda kv: kv)
                want = json.loads(json.dumps(json_out), object_pairs_hook=lambda kv: kv)
                if got != want:
                    p.append("json %s, want %s" % (H.show(res.out), json.dumps(json_out)))
                exact = (json.dumps(json_out, indent=4) + "\n").encode()
                if res.out != exact:
                    p.append("json bytes " + H.first_diff(res.out, exact))
            except ValueError as e:
                p.append("stdout is not JSON (%s): %s" % (e, H.show(res.out)))
        if err is not None and res.err != err:
            p.append("stderr " + H.first_diff(res.err, err))
        if err_empty and res.err:
            p.append("stderr not empty: %s" % H.show(res.err))
        for s in err_has:
            if s.encode() not in res.err:
                p.append("stderr lacks %r: %s" % (s, H.show(res.err)))
        for s in out_has:
            if s.encode() not in res.out:
                p.append("stdout lacks %r: %s" % (s, H.show(res.out)))
        if orc is not None:
            if same_rc and res.rc != orc.rc:
                p.append("exit %s, AWS CLI %s" % (res.rc, orc.rc))
            if same_out and res.out != orc.out:
                p.append("stdout vs AWS CLI " + H.first_diff(res.out, orc.out))
            if same_err:
                a, b = normalise(res.err, ctx), normalise(orc.err, ctx)
                if a != b:
                    p.append("stderr vs AWS CLI " + H.first_diff(a, b))
        return p
    return check


_PROG = [(re.compile(rb"^usage: (\S*/)?(aws|iamlua) ", re.M), b"usage: PROG "),
         (re.compile(rb"^  (\S*/)?(aws|iamlua) (help|<command>)", re.M), rb"  PROG \3"),
         (re.compile(rb"^(\S*/)?(aws|iamlua): error:", re.M), b"PROG: error:")]


def normalise(b, ctx):
    for rx, rep in _PROG:
        b = rx.sub(rep, b)
    return b.replace(ctx["ws"].encode(), b"$WS")


def used_json(k):
    return {"UserName": k["user"],
            "AccessKeyLastUsed": {"LastUsedDate": k["date"], "ServiceName": k["service"],
                                  "Region": k["region"]}}


def never_json(k):
    return {"UserName": k["user"], "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}


ARG_SCRIPT = r'''
local n = select("#", ...)
print("argc", #arg, n)
for i = 0, #arg do print(i, arg[i]) end
print("varargs", ...)
local aws = require "aws"
print("aws", type(aws), type(aws.client))
'''

CALL_SCRIPT = r'''
local aws = require "aws"
local url, used, missing = arg[1], arg[2], arg[3]
local iam = aws.client("iam", { region = "us-east-1", endpoint_url = url })
local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = used })
if not r then io.stderr:write("call failed: ", tostring(err), "\n") os.exit(3) end
print("user", r.UserName)
print("service", r.AccessKeyLastUsed.ServiceName)
print("region", r.AccessKeyLastUsed.Region)
print("has date", r.AccessKeyLastUsed.LastUsedDate ~= nil)
local r2, e2 = iam:call("GetAccessKeyLastUsed", { AccessKeyId = missing })
print("missing", r2 == nil, e2 and e2.code, e2 and e2.status)
print("message", tostring(e2))
'''

ERROR_SCRIPT = 'error("boom from script")\n'
EXIT_SCRIPT = 'os.exit(7)\n'


USER_FORMAT = 'return { format = function(data) return data.UserName .. "\\n" end }\n'
USER_COMMAND = ('return { service = "iam", name = "last-used", operation = "GetAccessKeyLastUsed",\n'
                '  description = { "a user command" },\n'
                '  parameters = { { option = "--access-key-id", member = "AccessKeyId", type = "string",\n'
                '                   required = true, doc = { "key" } } } }\n')


def cases(S, url, closed):
    k = S["keys"]
    t = S["temp"]
    used, never, sts = k["used"], k["never"], k["used_sts"]
    missing = "AKIA0000000000000000"
    envcreds = {"AWS_ACCESS_KEY_ID": k["admin2"]["id"], "AWS_SECRET_ACCESS_KEY": k["admin2"]["secret"]}
    badenv = {"AWS_ACCESS_KEY_ID": seed.BAD_KEY_ID, "AWS_SECRET_ACCESS_KEY": seed.BAD_SECRET}
    badfiles = {"credentials": "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                % (seed.BAD_KEY_ID, seed.BAD_SECRET)}
    ok_used = expect(rc=0, json_out=used_json(used), err_empty=True)
    invalid_token = expect(rc=254, err_has=["(InvalidClientTokenId)"], same_err=True)
    c = [
        Case("used key: json with date, service, region", OP + ["--access-key-id", used["id"]], check=ok_used),
        Case("never-used key: N/A, no LastUsedDate", OP + ["--access-key-id", never["id"]],
             check=expect(rc=0, json_out=never_json(never), err_empty=True)),
        Case("key used through STS: ServiceName sts", OP + ["--access-key-id", sts["id"]],
             check=expect(rc=0, json_out=used_json(sts))),
        Case("long user name", OP + ["--access-key-id", k["long"]["id"]],
             check=expect(rc=0, json_out=used_json(k["long"]))),
        Case("nonexistent key id: NoSuchEntity 254", OP + ["--access-key-id", missing],
             check=expect(rc=254, out=b"", err_has=["(NoSuchEntity)", missing], same_err=True), oracle=True),
        Case("wrong secret: SignatureDoesNotMatch 254", OP + ["--access-key-id", used["id"], "--profile", "wrong"],
             check=expect(rc=254, out=b"", err_has=["(SignatureDoesNotMatch)"], same_err=True), oracle=True),
        Case("user without policy: AccessDenied 254", OP + ["--access-key-id", used["id"], "--profile", "nopolicy"],
             check=expect(rc=254, err_has=["(AccessDenied)", "iam:GetAccessKeyLastUsed"], same_err=True), oracle=True),
        Case("unknown signing key: InvalidClientTokenId 254", OP + ["--access-key-id", used["id"], "--profile", "unknown"],
             check=invalid_token, oracle=True),
        Case("temporary credentials with session token (env)", OP + ["--access-key-id", used["id"]],
             env={"AWS_ACCESS_KEY_ID": t["id"], "AWS_SECRET_ACCESS_KEY": t["secret"], "AWS_SESSION_TOKEN": t["token"]},
             check=ok_used),
        Case("temporary credentials with session token (profile)", OP + ["--access-key-id", used["id"], "--profile", "temp"],
             check=ok_used),
        Case("temporary credentials, bogus token: 254", OP + ["--access-key-id", used["id"], "--profile", "badtoken"],
             check=invalid_token, oracle=True),
        Case("temporary credentials without token: 254", OP + ["--access-key-id", used["id"]],
             env={"AWS_ACCESS_KEY_ID": t["id"], "AWS_SECRET_ACCESS_KEY": t["secret"]},
             check=invalid_token, oracle=True),
        Case("temporary credentials, wrong secret: SignatureDoesNotMatch", OP + ["--access-key-id", used["id"]],
             env={"AWS_ACCESS_KEY_ID": t["id"], "AWS_SECRET_ACCESS_KEY": seed.BAD_SECRET, "AWS_SESSION_TOKEN": t["token"]},
             check=expect(rc=254, err_has=["(SignatureDoesNotMatch)"])),
        Case("named profile via --profile (default creds invalid)", OP + ["--access-key-id", used["id"], "--profile", "p1"],
             files={"credentials": badfiles["credentials"] + "[p1]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (k["admin2"]["id"], k["admin2"]["secret"])}, check=ok_used),
        Case("named profile via AWS_PROFILE (default creds invalid)", OP + ["--access-key-id", used["id"]],
             env={"AWS_PROFILE": "p1"},
             files={"credentials": badfiles["credentials"] + "[p1]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (k["admin2"]["id"], k["admin2"]["secret"])}, check=ok_used),
        Case("config-file [profile x] with region and keys", OP + ["--access-key-id", used["id"], "--profile", "cfgprof"],
             files={"credentials": badfiles["credentials"]}, check=ok_used),
        Case("region only from [profile x] (no default region)", OP + ["--access-key-id", used["id"], "--profile", "cfgprof"],
             files={"config": "[profile cfgprof]\nregion = eu-central-1\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (k["admin2"]["id"], k["admin2"]["secret"])}, check=ok_used),
        Case("env credentials beat the credentials file", OP + ["--access-key-id", used["id"]],
             env=envcreds, files=badfiles, check=ok_used),
        Case("env credentials beat AWS_PROFILE's", OP + ["--access-key-id", used["id"]],
             env=dict(badenv, AWS_PROFILE="p1"), check=invalid_token, oracle=True),
        Case("explicit --profile drops env credentials", OP + ["--access-key-id", used["id"], "--profile", "p1"],
             env=badenv, check=ok_used),
        Case("files in ~/.aws when AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE unset", OP + ["--access-key-id", used["id"]],
             env={"AWS_CONFIG_FILE": None, "AWS_SHARED_CREDENTIALS_FILE": None},
             files={"config": None, "credentials": None, "home/.aws/config": "[default]\nregion = us-east-1\n",
                    "home/.aws/credentials": "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (k["admin"]["id"], k["admin"]["secret"])}, check=ok_used),
        Case("missing credentials: 253", OP + ["--access-key-id", used["id"]], files={"credentials": None},
             check=expect(rc=253, out=b"", err_has=["Unable to locate credentials"], same_err=True), oracle=True),
        Case("partial env credentials: 255", OP + ["--access-key-id", used["id"]], env={"AWS_ACCESS_KEY_ID": seed.BAD_KEY_ID},
             check=expect(rc=255, err_has=["Partial credentials"], same_err=True), oracle=True),
        Case("missing region with --endpoint-url: 253", OP + ["--access-key-id", used["id"]], files={"config": None},
             check=expect(rc=253, out=b"", err_has=["You must specify a region"], same_err=True), oracle=True),
        Case("missing region without endpoint: global endpoint via (closed) proxy, 255",
             OP + ["--access-key-id", used["id"]], files={"config": None}, endpoint=False,
             env={"HTTPS_PROXY": closed, "HTTP_PROXY": closed},
             check=expect(rc=255, err_has=["proxy"], same_err=True), oracle=True),
        Case("unknown profile: 255", OP + ["--access-key-id", used["id"], "--profile", "nope"],
             check=expect(rc=255, out=b"", err_has=["The config profile (nope) could not be found"], same_err=True),
             oracle=True),
        Case("unknown AWS_PROFILE: 255", OP + ["--access-key-id", used["id"]], env={"AWS_PROFILE": "nope"},
             check=expect(rc=255, err_has=["The config profile (nope) could not be found"], same_err=True), oracle=True),
        Case("access key id shorter than 16: 252", OP + ["--access-key-id", "AKIA123"],
             check=expect(rc=252, out=b"", err_has=["Invalid length for parameter AccessKeyId"], same_err=True),
             oracle=True),
        Case("missing --access-key-id: 252", OP,
             check=expect(rc=252, out=b"", err_has=["--access-key-id"], same_err=True), oracle=True),
        Case("unknown option: 252", OP + ["--access-key-id", used["id"], "--bogus"],
             check=expect(rc=252, out=b"", err_has=["Unknown options: --bogus"], same_err=True), oracle=True),
        Case("connection refused: 255", OP + ["--access-key-id", used["id"], "--endpoint-url", closed], endpoint=False,
             check=expect(rc=255, out=b"", err_has=["Could not connect to the endpoint URL"], same_err=True),
             oracle=True),
        Case("--debug leaks neither secret nor token", OP + ["--access-key-id", used["id"], "--profile", "temp", "--debug"],
             check=expect(rc=0)),
        Case("run SCRIPT.lua a b: arg as in lua(1), require aws", None, iamlua_only=True,
             script=("args.lua", ARG_SCRIPT),
             check=lambda res, orc, ctx: expect(rc=0, out=(
                 "argc\t2\t2\n0\t%s\n1\ta\n2\tb\nvarargs\ta\tb\naws\ttable\tfunction\n" % ctx["script"]).encode())(res, orc, ctx)),
        Case("run: aws.client iam:call against moto", None, iamlua_only=True, script=("call.lua", CALL_SCRIPT),
             check=expect(rc=0, out=("user\t%s\nservice\t%s\nregion\t%s\nhas date\ttrue\nmissing\ttrue\tNoSuchEntity\t404\n"
                                     "message\tAn error occurred (NoSuchEntity) when calling the GetAccessKeyLastUsed "
                                     "operation: The Access Key with id %s cannot be found\n"
                                     % (used["user"], used["service"], used["region"], missing)).encode())),
        Case("run: script error exits 1 with the message", None, iamlua_only=True, script=("err.lua", ERROR_SCRIPT),
             check=expect(rc=1, err_has=["boom from script"])),
        Case("run: os.exit(7) exits 7", None, iamlua_only=True, script=("exit.lua", EXIT_SCRIPT), check=expect(rc=7)),
        Case("run: missing script fails", ["run", "{ws}/no-such-script.lua"], iamlua_only=True, endpoint=False,
             check=lambda res, orc, ctx: [] if res.rc not in (0, None) else ["exit %s, want nonzero" % res.rc]),
        Case("user format from IAMLUA_PATH: --output keys", OP + ["--access-key-id", used["id"], "--output", "keys"],
             iamlua_only=True, env={"IAMLUA_PATH": "{ws}/none:{ws}/user"},
             files={"user/output/keys.lua": USER_FORMAT},
             check=expect(rc=0, out=("%s\n" % used["user"]).encode())),
        Case("user file overrides the shipped output/json.lua", OP + ["--access-key-id", used["id"]],
             iamlua_only=True, env={"IAMLUA_PATH": "{ws}/user"},
             files={"user/output/json.lua": 'return { format = function(d) return "OVERRIDDEN " .. d.UserName .. "\\n" end }'},
             check=expect(rc=0, out=("OVERRIDDEN %s\n" % used["user"]).encode())),
        Case("$XDG_CONFIG_HOME/iamlua is searched", OP + ["--access-key-id", used["id"], "--output", "keys"],
             iamlua_only=True, env={"XDG_CONFIG_HOME": "{ws}/xdg"},
             files={"xdg/iamlua/output/keys.lua": USER_FORMAT},
             check=expect(rc=0, out=("%s\n" % used["user"]).encode())),
        Case("~/.config/iamlua is searched last", OP + ["--access-key-id", used["id"], "--output", "keys"],
             iamlua_only=True, files={"home/.config/iamlua/output/keys.lua": USER_FORMAT},
             env={"HOME": "{ws}/home"},
             check=expect(rc=0, out=("%s\n" % used["user"]).encode())),
        Case("user command from IAMLUA_PATH", ["iam", "last-used", "--access-key-id", used["id"], "--query", "UserName",
                                                 "--output", "text"],
             iamlua_only=True, env={"IAMLUA_PATH": "{ws}/user"},
             files={"user/commands/iam/last-used.lua": USER_COMMAND},
             check=expect(rc=0, out=("%s\n" % used["user"]).encode())),
        Case("unknown user format: 252 lists the choices", OP + ["--access-key-id", used["id"], "--output", "nope"],
             iamlua_only=True, env={"IAMLUA_PATH": "{ws}/user"},
             files={"user/output/keys.lua": USER_FORMAT},
             check=expect(rc=252, out=b"", err_has=["Invalid choice", "keys"])),
        Case("--version: iamlua/VERSION first", ["--version"], iamlua_only=True, endpoint=False,
             check=lambda res, orc, ctx: [] if res.rc == 0 and re.match(rb"iamlua/\S+", res.out) else
             ["exit %s stdout %s" % (res.rc, H.show(res.out))]),
    ]
    for cs in c:
        if cs.script:
            name = cs.script[0]
            extra = {"call.lua": [url, used["id"], missing]}.get(name, ["a", "b"])
            cs.args = ["run", "{ws}/" + name] + extra
            cs.endpoint = False
        elif cs.endpoint:
            cs.args = cs.args + ["--endpoint-url", url]
    return c


def run_case(cs, S, bin_, base_files, secrets, self_check=False):
    ws = H.Workspace()
    try:
        files = dict(base_files)
        files.update(cs.files)
        for rel, text in files.items():
            if text is not None:
                ws.write(rel, text)
        if cs.script:
            ws.write(cs.script[0], cs.script[1])
        args = [ws.expand(a) for a in cs.args]
        env = H.scrubbed_env(ws, cs.env, args)
        ctx = {"ws": ws.root, "script": ws.path(cs.script[0]) if cs.script else None}
        orc = H.run([H.aws_cli()] + args, env, cs.timeout) if cs.oracle else None
        res = H.run([bin_] + args, env, cs.timeout)
        problems = cs.check(res, orc, ctx)
        if not self_check:   # AWS CLI's --debug prints the session token; iamlua must not
            problems += H.leaks(res, secrets)
        if orc is not None and orc.timed_out:
            problems.append("AWS CLI timed out")
        return problems
    finally:
        ws.cleanup()


def main():
    rep = H.Reporter()
    bin_ = H.iamlua_bin()
    self_check = H.is_aws_cli(bin_)
    srv, S = H.start_moto(rep)
    closed = H.closed_port().url
    base_files = seed.default_files(S)
    secrets = H.secrets_of(S)
    all_cases = cases(S, srv.url, closed)
    jobs = []
    for cs in all_cases:
        if cs.iamlua_only and self_check:
            jobs.append(None)
        else:
            jobs.append(lambda cs=cs: run_case(cs, S, bin_, base_files, secrets, self_check))
    real = [j or (lambda: "skip") for j in jobs]
    for i, r in H.run_ordered(real, H.workers()):
        name = all_cases[i].name
        if r == "skip":
            rep.skip(name, "iamlua-only")
        elif isinstance(r, Exception):
            rep.fail(name, "harness error: %s: %s" % (type(r).__name__, r))
        else:
            rep.check(name, r)
    srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
