#!/usr/bin/env python3
"""Differential cases: the same invocation through the AWS CLI and iamlua.

    python3 tests/e2e/test_diff.py     # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws),
                                       #      IAMLUA_MOTO_URL, IAMLUA_JOBS (2),
                                       #      IAMLUA_DIFF_FILTER (substring of case names)

Each case runs the AWS CLI once and iamlua twice (repeat_each(2): the second
run in the same HOME/files catches state leaked between runs), with identical
scrubbed environments and files (tests/lib/harness.py), against the same
moto. Compared: stdout byte for byte, the exit code, and stderr in full after
normalising only what must differ: the program name in argparse usage lines
(`usage: aws ...`, `  aws help`, `aws: error:`), request ids, and the
workspace's temp path. Mode "debug" compares exit code and stdout only.
iamlua's stdout/stderr must never contain a secret key or session token.

Cases marked iamlua-only (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM: AWS CLI
2.9.19 ignores them; iamlua honours them on purpose) compare iamlua with the
AWS CLI run as `oracle` says (e.g. with the same URL as --endpoint-url).
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
FORMATS = ["json", "text", "table", "yaml", "yaml-stream"]
REPEAT = 2


class D:
    def __init__(self, name, args, env=None, files=None, mode="full", endpoint=True,
                 oracle=None, timeout=60):
        self.name = name
        self.args = list(args)
        self.env = env or {}
        self.files = files or {}
        self.mode = mode                # "full" | "debug"
        self.endpoint = endpoint        # append --endpoint-url MOTO
        self.oracle = oracle            # iamlua-only: {"args": [...], "env": {...}} for the AWS CLI run
        self.timeout = timeout


def cases(S, url, closed, silent):
    k = S["keys"]
    t = S["temp"]
    used, never = k["used"]["id"], k["never"]["id"]
    missing = "AKIA0000000000000000"
    sig = iter(S["signers"])
    c = []

    # -- every output format, several keys -----------------------------------
    for label in ("used", "never", "used_sts", "long", "long_never"):
        for f in FORMATS:
            c.append(D("output %s, key %s" % (f, label), OP + ["--access-key-id", k[label]["id"], "--output", f]))

    # -- user names that need quoting in YAML (or look like they do) ----------
    for label in S["quoting"]:
        c.append(D("yaml, user name %r" % k[label]["user"], OP + ["--access-key-id", k[label]["id"], "--output", "yaml"]))
    for label in S["quoting"][:4]:
        for f in ("yaml-stream", "text", "table"):
            c.append(D("%s, user name %r" % (f, k[label]["user"]), OP + ["--access-key-id", k[label]["id"], "--output", f]))
    c.append(D("yaml, --query UserName of user '0123'",
               OP + ["--access-key-id", k["q0"]["id"], "--output", "yaml", "--query", "UserName"]))
    c.append(D("yaml-stream, --query UserName of user 'null'",
               OP + ["--access-key-id", k["q1"]["id"], "--output", "yaml-stream", "--query", "UserName"]))

    # -- --query: scalar, list, object, null ----------------------------------
    queries = [("scalar", "UserName"), ("list", "[UserName, AccessKeyLastUsed.Region]"),
               ("object", "AccessKeyLastUsed"), ("null", "NoSuchField")]
    for qn, q in queries:
        for f in FORMATS:
            c.append(D("query %s, %s" % (qn, f), OP + ["--access-key-id", used, "--query", q, "--output", f]))
    more_q = [
        ("date of a never-used key", never, "AccessKeyLastUsed.LastUsedDate"),
        ("date of a used key", used, "AccessKeyLastUsed.LastUsedDate"),
        ("number", used, "length(UserName)"),
        ("boolean", used, "UserName == 'alice'"),
        ("multiselect hash", used, "{u: UserName, r: AccessKeyLastUsed.Region, d: AccessKeyLastUsed.LastUsedDate}"),
        ("values projection", used, "AccessKeyLastUsed.*"),
        ("keys() sorted", used, "keys(AccessKeyLastUsed)"),
        ("empty list", used, "AccessKeyLastUsed.Nope[]"),
        ("raw string literal", used, "'lit'"),
        ("list with null", never, "[UserName, AccessKeyLastUsed.LastUsedDate]"),
        ("nested list", used, "[[UserName], [AccessKeyLastUsed.ServiceName]]"),
    ]
    for n, (qn, key, q) in enumerate(more_q):
        fmts = ("json", "text", "table", "yaml") if n < 5 else ("json", "text", "yaml")
        for f in fmts:
            c.append(D("query %s, %s" % (qn, f), OP + ["--access-key-id", key, "--query", q, "--output", f]))

    # -- service errors --------------------------------------------------------
    c += [
        D("NoSuchEntity", OP + ["--access-key-id", missing]),
        D("NoSuchEntity, 129-char id (max length not checked client-side)", OP + ["--access-key-id", "A" * 129]),
        D("NoSuchEntity, --output text", OP + ["--access-key-id", missing, "--output", "text"]),
        D("NoSuchEntity with --query", OP + ["--access-key-id", missing, "--query", "UserName"]),
        D("SignatureDoesNotMatch (wrong secret)", OP + ["--access-key-id", used, "--profile", "wrong"]),
        D("AccessDenied (no policy)", OP + ["--access-key-id", used, "--profile", "nopolicy"]),
        D("InvalidClientTokenId (unknown key)", OP + ["--access-key-id", used, "--profile", "unknown"]),
        D("InvalidClientTokenId (bogus session token)", OP + ["--access-key-id", used, "--profile", "badtoken"]),
        D("temporary credentials from profile", OP + ["--access-key-id", used, "--profile", "temp"]),
        D("temporary credentials from env", OP + ["--access-key-id", used],
          env={"AWS_ACCESS_KEY_ID": t["id"], "AWS_SECRET_ACCESS_KEY": t["secret"], "AWS_SESSION_TOKEN": t["token"]}),
        D("AWS_SECURITY_TOKEN (legacy name) also works", OP + ["--access-key-id", used],
          env={"AWS_ACCESS_KEY_ID": t["id"], "AWS_SECRET_ACCESS_KEY": t["secret"], "AWS_SECURITY_TOKEN": t["token"]}),
    ]

    # -- usage and validation errors -----------------------------------------
    c += [
        D("usage: no arguments", [], endpoint=False),
        D("usage: service only", ["iam"], endpoint=False),
        D("usage: missing --access-key-id", OP),
        D("usage: --access-key-id without value", OP + ["--access-key-id"], endpoint=False),
        D("usage: unknown option", OP + ["--access-key-id", used, "--bogus"]),
        D("usage: unknown options with a value", OP + ["--access-key-id", used, "--bogus", "x", "--other"]),
        D("usage: invalid --output", OP + ["--access-key-id", used, "--output", "xml"]),
        D("usage: invalid --output, close match", OP + ["--access-key-id", used, "--output", "jsn"]),
        D("usage: invalid --output, case differs", OP + ["--access-key-id", used, "--output", "Json"]),
        D("usage: invalid --output, two close matches", OP + ["--access-key-id", used, "--output", "yaml-stram"]),
        D("usage: invalid --color, close match", OP + ["--access-key-id", used, "--color", "of"]),
        D("usage: invalid --generate-cli-skeleton, close match", OP + ["--generate-cli-skeleton", "inptu"]),
        D("usage: unknown options: first bare word moves last", OP + ["--access-key-id", used, "--bogus", "x", "--other", "y"]),
        D("usage: unknown options: bare words first", OP + ["--access-key-id", used, "x", "y", "--bogus", "z"]),
        D("usage: unknown options: one bare word", OP + ["--access-key-id", used, "x"]),
        D("usage: unknown options: --opt=value kept whole", OP + ["--access-key-id", used, "--bogus=1", "--b2", "v"]),
        D("usage: unknown options after --", OP + ["--access-key-id", used, "--", "--zz"]),
        D("usage: invalid --color", OP + ["--access-key-id", used, "--color", "purple"]),
        D("usage: invalid --generate-cli-skeleton", OP + ["--generate-cli-skeleton", "bogus"]),
        D("usage: unknown option and bad --query: query wins", OP + ["--access-key-id", used, "--query", "a[", "--bogus"]),
        D("validation: id shorter than 16", OP + ["--access-key-id", "AKIASHORT"]),
        D("validation: empty id", OP + ["--access-key-id", ""]),
        D("validation: 15 chars", OP + ["--access-key-id", "AKIA12345678901"]),
        D("validation: exactly 16 chars reaches the service", OP + ["--access-key-id", "AKIA123456789012"]),
        D("validation: short id beats missing credentials", OP + ["--access-key-id", "AKIA"], files={"credentials": None}),
        D("validation: short id beats missing region", OP + ["--access-key-id", "AKIA"], files={"config": None}),
        D("order: unknown profile beats short id", OP + ["--access-key-id", "AKIA", "--profile", "nope"]),
        D("order: bad --region beats unknown profile", OP + ["--access-key-id", used, "--region", "bad!", "--profile", "nope"]),
        D("bad --region", OP + ["--access-key-id", used, "--region", "bad region!"]),
        D("bad --endpoint-url", OP + ["--access-key-id", used, "--endpoint-url", "notaurl"], endpoint=False),
        D("bad --cli-read-timeout", OP + ["--access-key-id", used, "--cli-read-timeout", "abc"]),
        D("bad AWS_DEFAULT_OUTPUT", OP + ["--access-key-id", used], env={"AWS_DEFAULT_OUTPUT": "xml"}),
        D("bad output in profile", OP + ["--access-key-id", used],
          files={"config": "[default]\nregion = us-east-1\noutput = xml\n"}),
    ]

    # -- credential and config errors -----------------------------------------
    bad1 = "[default\nregion = us-east-1\n"
    bad2 = "garbage line\n[default]\nregion = us-east-1\n"
    c += [
        D("no credentials", OP + ["--access-key-id", used], files={"credentials": None}),
        D("no credentials, empty credentials file", OP + ["--access-key-id", used], files={"credentials": ""}),
        D("partial credentials in env", OP + ["--access-key-id", used], env={"AWS_ACCESS_KEY_ID": seed.BAD_KEY_ID}),
        D("partial credentials in env (secret only)", OP + ["--access-key-id", used],
          env={"AWS_SECRET_ACCESS_KEY": seed.BAD_SECRET}),
        D("partial credentials in profile (no region either)", OP + ["--access-key-id", used, "--profile", "partial"]),
        D("partial credentials in profile, --region", OP + ["--access-key-id", used, "--profile", "partial",
                                                             "--region", "us-east-1"]),
        D("partial credentials in env, no region", OP + ["--access-key-id", used],
          env={"AWS_ACCESS_KEY_ID": seed.BAD_KEY_ID}, files={"config": None}),
        D("no region with --endpoint-url", OP + ["--access-key-id", used], files={"config": None}),
        D("no region and no credentials", OP + ["--access-key-id", used], files={"config": None, "credentials": None}),
        D("no region, no endpoint: global endpoint through closed proxy", OP + ["--access-key-id", used],
          files={"config": None}, endpoint=False, env={"HTTPS_PROXY": closed, "HTTP_PROXY": closed}),
        D("unknown profile (--profile)", OP + ["--access-key-id", used, "--profile", "nope"]),
        D("unknown profile (AWS_PROFILE)", OP + ["--access-key-id", used], env={"AWS_PROFILE": "nope"}),
        D("unknown profile (AWS_DEFAULT_PROFILE)", OP + ["--access-key-id", used], env={"AWS_DEFAULT_PROFILE": "nope"}),
        D("malformed config: unterminated section", OP + ["--access-key-id", used], files={"config": bad1}),
        D("malformed config: line before any section", OP + ["--access-key-id", used], files={"config": bad2}),
        D("malformed credentials file", OP + ["--access-key-id", used], files={"credentials": bad2}),
        D("config via ~/.aws when AWS_CONFIG_FILE unset", OP + ["--access-key-id", used, "--output", "text"],
          env={"AWS_CONFIG_FILE": None}, files={"config": None, "home/.aws/config": "[default]\nregion = us-east-1\n"}),
        D("config with comments, tabs, CRLF", OP + ["--access-key-id", used],
          files={"config": "# comment\r\n; other\r\n[default]\r\n\tregion\t=\teu-west-1  \r\noutput=yaml\r\n"}),
        D("config with nested section", OP + ["--access-key-id", used],
          files={"config": "[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = 2\noutput = text\n"}),
        D("credentials file with 'profile ' prefix is literal", OP + ["--access-key-id", used, "--profile", "x"],
          files={"credentials": "[profile x]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                 % (k["admin"]["id"], k["admin"]["secret"])}),
        D("[profile default] in config is ignored for default", OP + ["--access-key-id", used],
          files={"config": "[profile default]\nregion = us-east-1\noutput = text\n"}),
        D("keys in config [default] only", OP + ["--access-key-id", used],
          files={"credentials": None, "config": "[default]\nregion = us-east-1\naws_access_key_id = %s\n"
                 "aws_secret_access_key = %s\n" % (k["admin"]["id"], k["admin"]["secret"])}),
        D("credentials file beats config for the same profile", OP + ["--access-key-id", used],
          files={"config": "[default]\nregion = us-east-1\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                 % (seed.BAD_KEY_ID, seed.BAD_SECRET)}),
        D("env credentials beat files", OP + ["--access-key-id", used, "--output", "text"],
          env={"AWS_ACCESS_KEY_ID": k["admin2"]["id"], "AWS_SECRET_ACCESS_KEY": k["admin2"]["secret"]},
          files={"credentials": "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                 % (seed.BAD_KEY_ID, seed.BAD_SECRET)}),
        D("--profile drops env credentials", OP + ["--access-key-id", used, "--profile", "p1"],
          env={"AWS_ACCESS_KEY_ID": seed.BAD_KEY_ID, "AWS_SECRET_ACCESS_KEY": seed.BAD_SECRET}),
        D("AWS_PROFILE keeps env credentials", OP + ["--access-key-id", used],
          env={"AWS_ACCESS_KEY_ID": seed.BAD_KEY_ID, "AWS_SECRET_ACCESS_KEY": seed.BAD_SECRET, "AWS_PROFILE": "p1"}),
        D("AWS_PROFILE beats AWS_DEFAULT_PROFILE", OP + ["--access-key-id", used],
          env={"AWS_PROFILE": "p1", "AWS_DEFAULT_PROFILE": "nope"}),
    ]

    # -- transport errors -------------------------------------------------------
    c += [
        D("connection refused", OP + ["--access-key-id", used, "--endpoint-url", closed], endpoint=False),
        D("connection refused, AWS_MAX_ATTEMPTS=1", OP + ["--access-key-id", used, "--endpoint-url", closed],
          endpoint=False, env={"AWS_MAX_ATTEMPTS": "1"}),
        D("connection refused, endpoint with path", OP + ["--access-key-id", used, "--endpoint-url", closed + "/some/path"],
          endpoint=False),
        D("read timeout", OP + ["--access-key-id", used, "--endpoint-url", silent, "--cli-read-timeout", "1"],
          endpoint=False, env={"AWS_MAX_ATTEMPTS": "1"}),
        D("--no-sign-request against auth-enforcing moto", OP + ["--access-key-id", used, "--no-sign-request"],
          env={"AWS_MAX_ATTEMPTS": "1"}),
    ]

    # -- output format selection -------------------------------------------------
    c += [
        D("AWS_DEFAULT_OUTPUT=text", OP + ["--access-key-id", used], env={"AWS_DEFAULT_OUTPUT": "text"}),
        D("AWS_DEFAULT_OUTPUT=table", OP + ["--access-key-id", used], env={"AWS_DEFAULT_OUTPUT": "table"}),
        D("AWS_DEFAULT_OUTPUT=yaml", OP + ["--access-key-id", used], env={"AWS_DEFAULT_OUTPUT": "yaml"}),
        D("profile output = text", OP + ["--access-key-id", used, "--profile", "textprof"]),
        D("cli_timestamp_format = wire", OP + ["--access-key-id", used, "--profile", "wireprof"]),
        D("cli_timestamp_format = wire, yaml", OP + ["--access-key-id", used, "--profile", "wireprof",
                                                      "--output", "yaml"]),
        D("cli_timestamp_format = iso8601", OP + ["--access-key-id", used, "--profile", "isoprof"]),
        D("AWS_PAGER set, stdout not a terminal", OP + ["--access-key-id", used], env={"AWS_PAGER": "false"}),
        D("profile output = table", OP + ["--access-key-id", never, "--profile", "tableprof"]),
        D("profile output = yaml via AWS_PROFILE", OP + ["--access-key-id", used], env={"AWS_PROFILE": "yamlprof"}),
        D("--output beats AWS_DEFAULT_OUTPUT", OP + ["--access-key-id", used, "--output", "json"],
          env={"AWS_DEFAULT_OUTPUT": "table"}),
        D("AWS_DEFAULT_OUTPUT vs profile output", OP + ["--access-key-id", used, "--profile", "tableprof"],
          env={"AWS_DEFAULT_OUTPUT": "text"}),
        D("--output given twice: last wins", OP + ["--access-key-id", used, "--output", "table", "--output", "text"]),
        D("global options before the command", ["--output", "text", "--query", "UserName"] + OP + ["--access-key-id", used]),
        D("--opt=value forms", OP + ["--access-key-id=" + used, "--output=yaml", "--query=AccessKeyLastUsed"]),
        D("TZ does not change dates", OP + ["--access-key-id", used], env={"TZ": "Asia/Kolkata"}),
        D("AWS_PAGER set, stdout not a tty", OP + ["--access-key-id", used], env={"AWS_PAGER": "cat", "PAGER": "cat"}),
        D("accepted no-op options", OP + ["--access-key-id", used, "--no-paginate", "--no-cli-pager", "--color", "off",
                                           "--cli-connect-timeout", "5", "--cli-read-timeout", "30",
                                           "--cli-binary-format", "base64", "--no-cli-auto-prompt"]),
        D("--color on, table", OP + ["--access-key-id", used, "--color", "on", "--output", "table"]),
        D("--no-verify-ssl on http endpoint", OP + ["--access-key-id", used, "--no-verify-ssl"]),
        D("--ca-bundle ignored for http", OP + ["--access-key-id", used, "--ca-bundle", "/nonexistent/ca.pem"]),
        D("AWS_RETRY_MODE=standard", OP + ["--access-key-id", used], env={"AWS_RETRY_MODE": "standard"}),
    ]

    # -- which region signs: the signer queries itself ----------------------------
    RQ = ["--query", "AccessKeyLastUsed.[ServiceName, Region]", "--output", "text"]

    def region_case(name, extra=(), env=None, files=None):
        s = k[next(sig)]
        e = {"AWS_ACCESS_KEY_ID": s["id"], "AWS_SECRET_ACCESS_KEY": s["secret"]}
        e.update(env or {})
        c.append(D("signing region: " + name, OP + ["--access-key-id", s["id"]] + list(extra) + RQ, env=e, files=files))

    region_case("[default] region")
    region_case("--region", ["--region", "eu-west-1"])
    region_case("AWS_REGION", env={"AWS_REGION": "ap-south-1"})
    region_case("AWS_DEFAULT_REGION", env={"AWS_DEFAULT_REGION": "sa-east-1"})
    region_case("AWS_REGION beats AWS_DEFAULT_REGION", env={"AWS_REGION": "ca-central-1", "AWS_DEFAULT_REGION": "sa-east-1"})
    region_case("--region beats AWS_REGION", ["--region", "eu-north-1"], env={"AWS_REGION": "ap-south-1"})
    region_case("profile region via AWS_PROFILE", env={"AWS_PROFILE": "p1"})
    region_case("AWS_DEFAULT_REGION beats profile region", env={"AWS_PROFILE": "p1", "AWS_DEFAULT_REGION": "eu-west-3"})
    region_case("profile region via --profile", ["--profile", "cfgprof"])

    # -- endpoints --------------------------------------------------------------------
    plain = OP + ["--access-key-id", used]
    c += [
        D("endpoint with trailing slash", plain + ["--endpoint-url", url + "/"], endpoint=False),
        D("--endpoint-url beats AWS_ENDPOINT_URL(_IAM)", plain + ["--endpoint-url", url], endpoint=False,
          env={"AWS_ENDPOINT_URL": closed, "AWS_ENDPOINT_URL_IAM": closed}),
        D("iamlua-only: AWS_ENDPOINT_URL", plain, endpoint=False, env={"AWS_ENDPOINT_URL": url},
          oracle={"args": plain + ["--endpoint-url", url], "env": {"AWS_ENDPOINT_URL": None}}),
        D("iamlua-only: AWS_ENDPOINT_URL_IAM", plain, endpoint=False, env={"AWS_ENDPOINT_URL_IAM": url},
          oracle={"args": plain + ["--endpoint-url", url], "env": {"AWS_ENDPOINT_URL_IAM": None}}),
        D("iamlua-only: AWS_ENDPOINT_URL_IAM beats AWS_ENDPOINT_URL", plain, endpoint=False,
          env={"AWS_ENDPOINT_URL": closed, "AWS_ENDPOINT_URL_IAM": url},
          oracle={"args": plain + ["--endpoint-url", url],
                  "env": {"AWS_ENDPOINT_URL": None, "AWS_ENDPOINT_URL_IAM": None}}),
        D("iamlua-only: AWS_ENDPOINT_URL refused", plain, endpoint=False, env={"AWS_ENDPOINT_URL": closed},
          oracle={"args": plain + ["--endpoint-url", closed], "env": {"AWS_ENDPOINT_URL": None}}),
    ]

    # -- --cli-input-json / yaml ------------------------------------------------------
    c += [
        D("--cli-input-json inline", OP + ["--cli-input-json", json.dumps({"AccessKeyId": used})]),
        D("--cli-input-json file://", OP + ["--cli-input-json", "file://{ws}/input.json"],
          files={"input.json": json.dumps({"AccessKeyId": used})}),
        D("--cli-input-json file:// relative to cwd? (absolute path with spaces)",
          OP + ["--cli-input-json", "file://{ws}/dir with space/in.json"],
          files={"dir with space/in.json": json.dumps({"AccessKeyId": never})}),
        D("--cli-input-json and --access-key-id: command line wins",
          OP + ["--cli-input-json", json.dumps({"AccessKeyId": never}), "--access-key-id", used]),
        D("--cli-input-json malformed", OP + ["--cli-input-json", "{bad"]),
        D("--cli-input-json missing file", OP + ["--cli-input-json", "file://{ws}/nope.json"]),
        D("--cli-input-json list", OP + ["--cli-input-json", "[1]"]),
        D("--cli-input-json unknown key", OP + ["--cli-input-json", '{"Foo": "x"}']),
        D("--cli-input-json unknown key plus id", OP + ["--cli-input-json", json.dumps({"AccessKeyId": used, "Foo": 1})]),
        D("--cli-input-json wrong type", OP + ["--cli-input-json", '{"AccessKeyId": 5}']),
        D("--cli-input-json short id", OP + ["--cli-input-json", '{"AccessKeyId": "AKIA"}']),
        D("--cli-input-json empty object", OP + ["--cli-input-json", "{}"]),
        D("--cli-input-yaml inline", OP + ["--cli-input-yaml", "AccessKeyId: %s\n" % used]),
        D("--cli-input-yaml file://", OP + ["--cli-input-yaml", "file://{ws}/input.yaml"],
          files={"input.yaml": "# comment\nAccessKeyId: '%s'\n" % never}),
        D("--cli-input-yaml malformed", OP + ["--cli-input-yaml", "a: ["]),
        D("--cli-input-yaml scalar", OP + ["--cli-input-yaml", "just a string"]),
    ]

    # -- skeletons -----------------------------------------------------------------
    c += [
        D("skeleton: no value", OP + ["--generate-cli-skeleton"], endpoint=False),
        D("skeleton: input", OP + ["--generate-cli-skeleton", "input"], endpoint=False),
        D("skeleton: yaml-input", OP + ["--generate-cli-skeleton", "yaml-input"], endpoint=False),
        D("skeleton: output without id", OP + ["--generate-cli-skeleton", "output"], endpoint=False),
        D("skeleton: output", OP + ["--generate-cli-skeleton", "output", "--access-key-id", missing]),
        D("skeleton: output, --output table", OP + ["--generate-cli-skeleton", "output", "--access-key-id", missing,
                                                    "--output", "table"]),
        D("skeleton: output, --output text", OP + ["--generate-cli-skeleton", "output", "--access-key-id", missing,
                                                   "--output", "text"]),
        D("skeleton: output, --output yaml", OP + ["--generate-cli-skeleton", "output", "--access-key-id", missing,
                                                   "--output", "yaml"]),
        D("skeleton: output, --query", OP + ["--generate-cli-skeleton", "output", "--access-key-id", missing,
                                             "--query", "AccessKeyLastUsed.LastUsedDate"]),
        D("skeleton: output, no credentials needed", OP + ["--generate-cli-skeleton", "output", "--access-key-id", missing],
          files={"credentials": None}),
        D("skeleton: input ignores --output yaml", OP + ["--generate-cli-skeleton", "input", "--output", "yaml"],
          endpoint=False),
    ]

    # -- query errors ------------------------------------------------------------------
    c += [
        D("--query syntax error", OP + ["--access-key-id", used, "--query", "UserName["]),
        D("--query syntax error, unknown token", OP + ["--access-key-id", used, "--query", "User Name"]),
        D("--query syntax error, unclosed literal", OP + ["--access-key-id", used, "--query", "`{"]),
        D("--query runtime: arity", OP + ["--access-key-id", used, "--query", "length(UserName, `1`)"]),
        D("--query runtime: type", OP + ["--access-key-id", used, "--query", "abs(UserName)"]),
        D("--query runtime: unknown function", OP + ["--access-key-id", used, "--query", "foo(UserName)"]),
    ]

    # -- --debug -----------------------------------------------------------------------
    c += [
        D("--debug: used key", OP + ["--access-key-id", used, "--debug"], mode="debug"),
        D("--debug: temporary credentials", OP + ["--access-key-id", used, "--debug", "--profile", "temp"], mode="debug"),
        D("--debug: env temporary credentials", OP + ["--access-key-id", never, "--debug"], mode="debug",
          env={"AWS_ACCESS_KEY_ID": t["id"], "AWS_SECRET_ACCESS_KEY": t["secret"], "AWS_SESSION_TOKEN": t["token"]}),
        D("--debug: wrong secret", OP + ["--access-key-id", used, "--debug", "--profile", "wrong"], mode="debug"),
        D("--debug: NoSuchEntity", OP + ["--access-key-id", missing, "--debug"], mode="debug"),
    ]

    for d in c:
        if d.endpoint:
            d.args = d.args + ["--endpoint-url", url]
    return c


_PROG = [(re.compile(rb"^usage: (\S*/)?(aws|iamlua) ", re.M), b"usage: PROG "),
         (re.compile(rb"^  (\S*/)?(aws|iamlua) (help|<command>)", re.M), rb"  PROG \3"),
         (re.compile(rb"^(\S*/)?(aws|iamlua): error:", re.M), b"PROG: error:")]
_REQID = re.compile(rb"(?i)(request[ _-]?id[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9-]{8,}")


def normalise(b, ws_root):
    for rx, rep in _PROG:
        b = rx.sub(rep, b)
    b = _REQID.sub(rb"\1REQUEST_ID", b)
    return b.replace(ws_root.encode(), b"$WS")


def prepare(d, base_files, env_over=None, args=None):
    ws = H.Workspace()
    files = dict(base_files)
    files.update(d.files)
    for rel, text in files.items():
        if text is not None:
            ws.write(rel, text)
    env_over = dict(d.env if env_over is None else env_over)
    argv = [ws.expand(a) for a in (d.args if args is None else args)]
    return ws, H.scrubbed_env(ws, env_over, argv), argv


def compare(d, res, ws_res, orc, ws_orc):
    p = []
    if res.timed_out:
        return ["iamlua timed out after %.0fs" % res.secs]
    if orc.timed_out:
        return ["AWS CLI timed out after %.0fs" % orc.secs]
    if res.rc != orc.rc:
        p.append("exit %s, AWS CLI %s (stderr %s)" % (res.rc, orc.rc, H.show(res.err, 160)))
    if res.out != orc.out:
        p.append("stdout " + H.first_diff(res.out, orc.out))
    if d.mode == "full":
        a, b = normalise(res.err, ws_res.root), normalise(orc.err, ws_orc.root)
        if a != b:
            p.append("stderr " + H.first_diff(a, b))
    return p


def run_case(d, bin_, base_files, secrets, self_check):
    """[(suffix, problems)] for the REPEAT iamlua runs of one case."""
    if d.oracle:
        o_env = dict(d.env)
        o_env.update(d.oracle.get("env", {}))
        ws_o, env_o, argv_o = prepare(d, base_files, o_env, d.oracle.get("args", d.args))
    else:
        ws_o, env_o, argv_o = prepare(d, base_files)
    return against_oracle(d, H.run, (ws_o, env_o, argv_o), prepare(d, base_files),
                          bin_, secrets, self_check)


def against_oracle(d, run, oracle, ours, bin_, secrets, self_check):
    """[(suffix, problems)]: the AWS CLI run once and iamlua REPEAT times,
    each compared with it (and checked for leaked secrets unless bin_ is
    the CLI itself). run(argv, env, timeout) runs one (H.run, or a pty);
    oracle and ours are prepare()'s (workspace, env, argv), cleaned up
    here."""
    ws_o, env_o, argv_o = oracle
    ws_i, env_i, argv_i = ours
    try:
        orc = run([H.aws_cli()] + argv_o, env_o, d.timeout)
        out = []
        for n in range(REPEAT):
            res = run([bin_] + argv_i, env_i, d.timeout)
            p = compare(d, res, ws_i, orc, ws_o)
            if not self_check:
                p += H.leaks(res, secrets)
            out.append(("[%d/%d]" % (n + 1, REPEAT), p))
        return out
    finally:
        ws_o.cleanup()
        ws_i.cleanup()


def main():
    rep = H.Reporter()
    bin_ = H.iamlua_bin()
    self_check = H.is_aws_cli(bin_)
    srv, S = H.start_moto(rep)
    silent = H.SilentServer()
    closed = H.closed_port().url
    base_files = seed.default_files(S)
    secrets = H.secrets_of(S)
    all_cases = cases(S, srv.url, closed, silent.url)
    names = [d.name for d in all_cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        rep.fail("case names are unique", ", ".join(sorted(dup)))
    flt = os.environ.get("IAMLUA_DIFF_FILTER")
    if flt:
        all_cases = [d for d in all_cases if flt in d.name]
    jobs = []
    for d in all_cases:
        if d.oracle and self_check:
            jobs.append(lambda: "skip")
        else:
            jobs.append(lambda d=d: run_case(d, bin_, base_files, secrets, self_check))
    for i, r in H.run_ordered(jobs, H.workers()):
        name = all_cases[i].name
        if r == "skip":
            rep.skip(name, "iamlua-only (AWS CLI 2.9.19 ignores this setting)")
        elif isinstance(r, Exception):
            rep.fail(name, "harness error: %s: %s" % (type(r).__name__, r))
        else:
            for suffix, problems in r:
                rep.check("%s %s" % (name, suffix), problems)
    silent.close()
    srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
