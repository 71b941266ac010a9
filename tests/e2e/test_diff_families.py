#!/usr/bin/env python3
"""Differential cases by family (issue 12): each difference an independent
run found, with every neighbour the AWS CLI's code path has.

    python3 tests/e2e/test_diff_families.py   # env as tests/e2e/test_diff.py,
                                              # IAMLUA_DIFF_FILTER too

The machinery is test_diff.py's (one AWS CLI run, two iamlua runs, stdout
and exit code byte for byte, stderr after normalising the program name and
the workspace path). The families, and where the CLI decides each:

  conflict   option conflicts and the skeleton: awscli/customizations/
             cliinput.py (one --cli-input-*), generatecliskeleton.py
             (`output` validates, the others make every argument optional
             only when the option is spelled out on its own),
             arguments.py OverrideRequiredArgsArgument, autoprompt/core.py
  config     values the CLI validates when the session starts
             (customizations/timestampformat.py, binaryformat.py), when it
             creates the client (botocore args.py/client.py: retry_mode,
             max_attempts, parameter_validation) and output formats
  endpoint   --endpoint-url: customizations/globalargs.py (a scheme),
             botocore utils.is_valid_endpoint_url (a host name), the
             endpoint ruleset's parseURL (http/https, no query, a port that
             parses; otherwise the URL is ignored and the default endpoint
             used); proxies are always the closed port here, so a fallback
             to the real endpoint cannot leave the host
  region     botocore utils.validate_region_name (one DNS label of at most
             63 characters, not all digits; Python's `$` also matches
             before a final newline); `--region ""` is the client's region
             although the session ignores it; the region signs (moto
             records the signing key's region, the signer queries itself)
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import test_diff as T  # noqa: E402
from test_diff import D  # noqa: E402

OP = T.OP


def conflict_cases(S, url):
    used = S["keys"]["used"]["id"]
    ida = OP + ["--access-key-id", used]
    sk = OP + ["--generate-cli-skeleton"]
    c = [
        D("skeleton output: too short an id is a validation error", sk + ["output", "--access-key-id", "AKIA"]),
        D("skeleton output: empty id", sk + ["output", "--access-key-id", ""]),
        D("skeleton output: short id from --cli-input-json",
          sk + ["output", "--cli-input-json", '{"AccessKeyId": "AKIA"}']),
        D("skeleton output: wrong type from --cli-input-json",
          sk + ["output", "--cli-input-json", '{"AccessKeyId": 5}']),
        D("skeleton output: unknown key from --cli-input-json",
          sk + ["output", "--cli-input-json", '{"AccessKeyId": "%s", "Nope": 1}' % used]),
        D("skeleton output: bad --region", sk + ["output", "--access-key-id", used, "--region", "bad!"]),
        D("skeleton output: parameter_validation = false skips validation",
          sk + ["output", "--access-key-id", "AKIA"],
          files={"config": "[default]\nregion = us-east-1\nparameter_validation = false\n"}),
        D("skeleton =output form without id", OP + ["--generate-cli-skeleton=output"]),
        D("skeleton =input form: required arguments stay required", OP + ["--generate-cli-skeleton=input"]),
        D("skeleton =input form with id", OP + ["--generate-cli-skeleton=input", "--access-key-id", used]),
        D("skeleton output then input: the first spelling decides what is required",
          sk + ["output"] + ["--generate-cli-skeleton", "input"]),
        D("skeleton input then output: output validates nothing missing",
          sk + ["input"] + ["--generate-cli-skeleton", "output"]),
        D("skeleton without value before an option", sk + ["--access-key-id", used]),
        D("skeleton input loads --cli-input-json first (malformed)", sk + ["input", "--cli-input-json", "{bad"]),
        D("skeleton yaml-input loads --cli-input-yaml first (malformed)",
          sk + ["yaml-input", "--cli-input-yaml", "a: ["]),
        D("skeleton input with --cli-input-json wrong type", sk + ["input", "--cli-input-json", "[1]"]),
        D("skeleton input with both --cli-input options", sk + ["input", "--cli-input-json", "{}",
                                                               "--cli-input-yaml", "a: 1"]),
        D("both --cli-input-json and --cli-input-yaml", ida + ["--cli-input-json", "{}", "--cli-input-yaml", "a: 1"]),
        D("both --cli-input options, yaml first", OP + ["--cli-input-yaml", "AccessKeyId: x",
                                                          "--cli-input-json", '{"AccessKeyId": "y"}']),
        D("both --cli-input options, one empty", ida + ["--cli-input-json", "", "--cli-input-yaml", "a: 1"]),
        D("both --cli-input options beat a missing file", ida + ["--cli-input-json", "file://{ws}/nope.json",
                                                                 "--cli-input-yaml", "a: 1"]),
        D("--cli-input-json empty string", ida + ["--cli-input-json", ""]),
        D("--cli-input-json=VALUE form still makes --access-key-id required",
          OP + ["--cli-input-json={\"AccessKeyId\": \"%s\"}" % used]),
        D("--cli-auto-prompt with --no-cli-auto-prompt", ida + ["--cli-auto-prompt", "--no-cli-auto-prompt"]),
        D("--query given twice: the last is used", ida + ["--query", "nope[", "--query", "UserName"]),
        D("--profile given twice: the last is used", ida + ["--profile", "nope", "--profile", "p1"]),
        D("--no-verify-ssl with --ca-bundle", ida + ["--no-verify-ssl", "--ca-bundle", "/nonexistent.pem"]),
    ]
    return c


def config_cases(S, url):
    used = S["keys"]["used"]["id"]
    ida = OP + ["--access-key-id", used]

    def cfg(line, profile="default"):
        head = "[default]\n" if profile == "default" else "[default]\nregion = us-east-1\n[profile %s]\n" % profile
        return {"config": head + "region = us-east-1\n" + line + "\n"}
    c = []
    for v in ("bogus", "", "Wire", "ISO8601", " wire"):
        c.append(D("cli_timestamp_format = %r" % v, ida, files=cfg("cli_timestamp_format = " + v)))
    c += [
        D("cli_timestamp_format bad, before a missing --access-key-id", OP,
          files=cfg("cli_timestamp_format = bogus")),
        D("cli_timestamp_format bad, skeleton input", OP + ["--generate-cli-skeleton"],
          files=cfg("cli_timestamp_format = bogus"), endpoint=False),
        D("cli_timestamp_format bad, after a bad --query", ida + ["--query", "a["],
          files=cfg("cli_timestamp_format = bogus")),
        D("cli_timestamp_format bad in the --profile profile", ida + ["--profile", "tsp"],
          files=cfg("cli_timestamp_format = nope", "tsp")),
        D("cli_timestamp_format bad in another profile is not read", ida,
          files=cfg("cli_timestamp_format = nope", "other")),
        D("cli_timestamp_format bad, unknown --profile", ida + ["--profile", "nope"],
          files=cfg("cli_timestamp_format = bogus")),
        D("cli_timestamp_format bad, help", OP + ["help"], files=cfg("cli_timestamp_format = bogus"),
          endpoint=False),
    ]
    for v in ("bogus", "", "BASE64"):
        c.append(D("cli_binary_format = %r" % v, ida, files=cfg("cli_binary_format = " + v)))
    c += [
        D("cli_binary_format bad, --cli-binary-format overrides", ida + ["--cli-binary-format", "base64"],
          files=cfg("cli_binary_format = bogus")),
        D("cli_binary_format and cli_timestamp_format bad: timestamp first", ida,
          files=cfg("cli_binary_format = x\ncli_timestamp_format = y")),
        D("cli_binary_format bad, before a missing --access-key-id", OP, files=cfg("cli_binary_format = bogus")),
        D("output = '' in profile", ida, files=cfg("output =")),
        D("output = JSON in profile", ida, files=cfg("output = JSON")),
        D("AWS_DEFAULT_OUTPUT empty", ida, env={"AWS_DEFAULT_OUTPUT": ""}),
        D("output bad in profile, before validation", OP + ["--access-key-id", "AKIA"],
          files=cfg("output = xml")),
        D("cli_auto_prompt = bogus", ida, files=cfg("cli_auto_prompt = bogus")),
        D("AWS_CLI_AUTO_PROMPT = bogus", ida, env={"AWS_CLI_AUTO_PROMPT": "bogus"}),
        D("retry_mode = bogus", ida, files=cfg("retry_mode = bogus")),
        D("AWS_RETRY_MODE = Legacy", ida, env={"AWS_RETRY_MODE": "Legacy"}),
        D("max_attempts = x", ida, files=cfg("max_attempts = x")),
        D("max_attempts = 0", ida, files=cfg("max_attempts = 0")),
        D("AWS_MAX_ATTEMPTS = -1", ida, env={"AWS_MAX_ATTEMPTS": "-1"}),
        D("AWS_MAX_ATTEMPTS = ' 2 '", ida, env={"AWS_MAX_ATTEMPTS": " 2 "}),
        D("max_attempts bad, before validation", OP + ["--access-key-id", "AKIA"], files=cfg("max_attempts = x")),
    ]
    for v in ("false", "False", "no", "0", "true", "TRUE"):
        c.append(D("parameter_validation = %s, short id" % v, OP + ["--access-key-id", "AKIA"],
                   files=cfg("parameter_validation = " + v)))
    c += [
        D("parameter_validation = false, wrong type from --cli-input-json",
          OP + ["--cli-input-json", '{"AccessKeyId": 12345678901234567}'],
          files=cfg("parameter_validation = false")),
        D("parameter_validation = false, missing id from --cli-input-json", OP + ["--cli-input-json", "{}"],
          files=cfg("parameter_validation = false")),
        D("parameter_validation = false in another profile", OP + ["--access-key-id", "AKIA"],
          files=cfg("parameter_validation = false", "other")),
        D("use_fips_endpoint = true with --endpoint-url", ida, files=cfg("use_fips_endpoint = true")),
        D("use_dualstack_endpoint = true with --endpoint-url", ida, files=cfg("use_dualstack_endpoint = true")),
    ]
    return c


def endpoint_cases(S, url, closed):
    used = S["keys"]["used"]["id"]
    ida = OP + ["--access-key-id", used]
    hostport = url.split("//", 1)[1]
    port = hostport.split(":")[1]
    prox = {"HTTP_PROXY": closed, "HTTPS_PROXY": closed, "NO_PROXY": None}
    forms = [
        ("scheme and nothing else", "http://"), ("https scheme only", "https://"),
        ("empty host, a path", "http:///path"), ("empty host, a port", "http://:80"),
        ("no // after the scheme", "http:" + hostport), ("no scheme", hostport),
        ("no scheme, a name first", "localhost:" + port), ("only //", "//" + hostport),
        ("empty", ""), ("a space in the host", "http://exa mple.com"),
        ("an underscore in the host", "http://a_b.example"),
        ("a label starting with -", "http://-bad.example"), ("a label ending with -", "http://bad-.example"),
        ("a 64-character label", "http://%s.example" % ("a" * 64)),
        ("a 256-character host", "http://" + ".".join(["a" * 63] * 4) + "x"),
        ("a host ending with a dot", "http://localhost.:" + port),
        ("an IPv6 literal", "http://[::1]:" + port), ("an unclosed IPv6 literal", "http://[::1"),
        ("a percent-escape in the host", "http://%41.example"), ("a tab in the URL", "http://127.0.0.1\t:9"),
        ("a newline in the URL", "http://127.0.0.1:9\n"),
        ("user info", "http://user:pw@" + hostport), ("upper-case scheme", "HTTP://" + hostport),
        ("ftp scheme: ignored, default endpoint", "ftp://" + hostport),
        ("a query: ignored, default endpoint", url + "/?x=1"),
        ("a port out of range: ignored, default endpoint", "http://127.0.0.1:99999"),
        ("a port that is not a number: ignored", "http://127.0.0.1:abc"),
        ("a fragment", url + "#frag"), ("an empty query", url + "?"),
        ("a path and a trailing slash", url + "/x/"),
    ]
    c = []
    for label, e in forms:
        c.append(D("endpoint: %s (%r)" % (label, e), ida + ["--endpoint-url", e], endpoint=False, env=prox))
    direct = {"HTTP_PROXY": closed, "HTTPS_PROXY": closed, "NO_PROXY": "*"}
    c += [
        D("endpoint: upper-case scheme reaches moto", ida + ["--endpoint-url", "HTTP://" + hostport],
          endpoint=False, env=direct),
        D("endpoint: upper-case host reaches moto", ida + ["--endpoint-url", "http://LOCALHOST:" + port],
          endpoint=False, env=direct),
        D("endpoint: user info reaches moto", ida + ["--endpoint-url", "http://u:p@" + hostport],
          endpoint=False, env=direct),
        D("endpoint: a fragment reaches moto", ida + ["--endpoint-url", url + "#f"], endpoint=False,
          env=direct),
        D("endpoint: an empty query reaches moto", ida + ["--endpoint-url", url + "?"], endpoint=False,
          env=direct),
        D("endpoint: default port 80 in the URL", ida + ["--endpoint-url", "http://127.0.0.1:80"],
          endpoint=False, env=direct),
        D("endpoint: bad --query before a bad scheme", ida + ["--endpoint-url", "x", "--query", "a["],
          endpoint=False),
        D("endpoint: bracket errors before the command is parsed", OP + ["--endpoint-url", "http://[::1"],
          endpoint=False),
        D("endpoint: an IPv4 address in brackets", ida + ["--endpoint-url", "http://[127.0.0.1]:9"],
          endpoint=False),
        D("endpoint: not an address in brackets", ida + ["--endpoint-url", "http://[zz]:9"], endpoint=False),
        D("endpoint: text before the bracket", ida + ["--endpoint-url", "http://a[::1]:9"], endpoint=False),
        D("endpoint: text after the bracket", ida + ["--endpoint-url", "http://[::1]x:9"], endpoint=False),
        D("endpoint: invalid IPvFuture", ida + ["--endpoint-url", "http://[vz]:9"], endpoint=False),
        D("endpoint: bad host beats a missing --access-key-id? (parse first)",
          OP + ["--endpoint-url", "http://"], endpoint=False, env=prox),
        D("endpoint: bad host vs short id (client first)", OP + ["--access-key-id", "AKIA", "--endpoint-url",
                                                                 "http://a_b"], endpoint=False, env=prox),
        D("endpoint: no scheme vs short id (arguments first)", OP + ["--access-key-id", "AKIA",
                                                                     "--endpoint-url", "x"], endpoint=False),
        D("endpoint: bad host vs bad region (region first)", ida + ["--endpoint-url", "http://a_b",
                                                                    "--region", "bad!"], endpoint=False, env=prox),
        D("endpoint: bad host vs no credentials", ida + ["--endpoint-url", "http://a_b"], endpoint=False,
          env=prox, files={"credentials": None}),
    ]
    return c


def region_cases(S, url, closed):
    k = S["keys"]
    used = k["used"]["id"]
    ida = OP + ["--access-key-id", used]
    sig = iter(S["signers"])
    prox = {"HTTP_PROXY": closed, "HTTPS_PROXY": closed, "NO_PROXY": None}
    RQ = ["--query", "AccessKeyLastUsed.[ServiceName, Region]", "--output", "text"]
    c = []

    def signed(name, extra=(), env=None, files=None):
        s = k[next(sig)]
        e = {"AWS_ACCESS_KEY_ID": s["id"], "AWS_SECRET_ACCESS_KEY": s["secret"]}
        e.update(env or {})
        c.append(D("region: " + name, OP + ["--access-key-id", s["id"]] + list(extra) + RQ, env=e, files=files))

    bad = [("a space", "us east 1"), ("leading space", " us-east-1"), ("trailing space", "us-east-1 "),
           ("an underscore", "us_east_1"), ("all digits", "123"), ("leading -", "-us-east-1"),
           ("trailing -", "us-east-1-"), ("64 characters", "a" * 64), ("a dot", "us-east-1.x"),
           ("non-ASCII", "eu-w\u00e9st-1"), ("a tab", "us-east\t1"), ("a slash", "us/east")]
    for label, r in bad:
        c.append(D("region: --region with %s" % label, ida + ["--region", r]))
    c += [
        D("region: AWS_REGION with a space", ida, env={"AWS_REGION": "us east"}),
        D("region: bad region in profile", ida, files={"config": "[default]\nregion = bad!\n"}),
        D("region: bad region, skeleton output", OP + ["--generate-cli-skeleton", "output", "--access-key-id",
                                                       used, "--region", "no way"]),
        D("region: bad region beats a short id", OP + ["--access-key-id", "AKIA", "--region", "bad!"]),
        D("region: bad region, no --endpoint-url", ida + ["--region", "bad!"], endpoint=False, env=prox),
    ]
    signed("--region \"\" is the client's region", ["--region", ""])
    signed("--region \"\" with AWS_REGION set", ["--region", ""], env={"AWS_REGION": "eu-west-1"})
    signed("AWS_REGION empty", env={"AWS_REGION": ""})
    signed("AWS_DEFAULT_REGION empty beats the profile", env={"AWS_DEFAULT_REGION": ""})
    signed("profile region empty", files={"config": "[default]\nregion =\n"})
    signed("63 characters", ["--region", "r" * 63])
    signed("upper case", ["--region", "US-EAST-1"])
    signed("digits and letters", ["--region", "1a"])
    signed("one letter", ["--region", "x"])
    c += [
        D("region: empty, no --endpoint-url (default endpoint)", ida + ["--region", ""], endpoint=False,
          env=prox),
        D("region: cn-north-1, no --endpoint-url", ida + ["--region", "cn-north-1"], endpoint=False, env=prox),
        D("region: empty, no credentials", ida + ["--region", ""], files={"credentials": None}),
    ]
    return c


def own_cases(S, url, closed):
    """Deliberate differences (CLI_BEHAVIOUR.md): iamlua's own bytes and
    exit code, (name, argv, env, rc, stderr)."""
    used = S["keys"]["used"]["id"]
    ida = OP + ["--access-key-id", used]
    prox = {"HTTP_PROXY": None, "HTTPS_PROXY": None, "NO_PROXY": "*"}
    return [
        ("own: a region with a final newline is refused", ida + ["--region", "us-west-2\n",
                                                                 "--endpoint-url", url], {}, 255,
         b"\nProvided region_name 'us-west-2\n' doesn't match a supported format.\n"),
        ("own: user info is not repeated in messages", ida + ["--endpoint-url", "http://u:secret@"
                                                             + closed.split("//")[1]], prox, 255,
         b'\nCould not connect to the endpoint URL: "%s/"\n' % closed.encode()),
        ("own: a bracketed host that reads as labels", ida + ["--endpoint-url", "http://[v1.x]:9"], {},
         255, b"\nInvalid endpoint: http://[v1.x]:9\n"),
    ]


def run_own(rep, bin_, base_files, S, url, closed):
    for name, argv, env, rc, err in own_cases(S, url, closed):
        d = D(name, argv, env=env, endpoint=False)
        ws, e, av = T.prepare(d, base_files)
        try:
            r = H.run([bin_] + av, e, 60)
            p = [] if (r.rc, r.err, r.out) == (rc, err, b"") else [
                "exit %s stderr %s stdout %s" % (r.rc, H.show(r.err), H.show(r.out))]
            rep.check(name, p + H.leaks(r, H.secrets_of(S)))
        finally:
            ws.cleanup()


FAMILIES = [("conflict", conflict_cases), ("config", config_cases),
            ("endpoint", endpoint_cases), ("region", region_cases)]


def build(S, url, closed):
    out = []
    for fam, fn in FAMILIES:
        args = (S, url) if fam in ("conflict", "config") else (S, url, closed)
        cs = fn(*args)
        for d in cs:
            d.name = "%s: %s" % (fam, d.name) if not d.name.startswith(fam + ":") else d.name
            d.family = fam
            if d.endpoint:
                d.args = d.args + ["--endpoint-url", url]
        out += cs
    return out


def main():
    rep = H.Reporter()
    bin_ = H.iamlua_bin()
    self_check = H.is_aws_cli(bin_)
    srv, S = H.start_moto(rep)
    closed = H.closed_port().url
    base_files = T.seed.default_files(S)
    secrets = H.secrets_of(S)
    cases = build(S, srv.url, closed)
    names = [d.name for d in cases]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        rep.fail("case names are unique", ", ".join(dup))
    for fam, _ in FAMILIES:
        print("# family %s: %d cases" % (fam, sum(1 for d in cases if d.family == fam)))
    flt = os.environ.get("IAMLUA_DIFF_FILTER")
    if flt:
        cases = [d for d in cases if flt in d.name]
    jobs = [lambda d=d: T.run_case(d, bin_, base_files, secrets, self_check) for d in cases]
    for i, r in H.run_ordered(jobs, H.workers()):
        name = cases[i].name
        if isinstance(r, Exception):
            rep.fail(name, "harness error: %s: %s" % (type(r).__name__, r))
        else:
            for suffix, problems in r:
                rep.check("%s %s" % (name, suffix), problems)
    if not self_check and not flt:
        run_own(rep, bin_, base_files, S, srv.url, closed)
    srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
