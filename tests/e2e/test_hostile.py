#!/usr/bin/env python3
"""Hostile servers and bad local input (DESIGN 5): iamlua against the AWS CLI.

    python3 tests/e2e/test_hostile.py    # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws),
                                         #      IAMLUA_JOBS (default 4 here), IAMLUA_HOSTILE_FILTER,
                                         #      IAMLUA_RSS_LIMIT_MB (60; ASan needs ~300)

Starts tests/hostile/server.py (127.0.0.1 only) and runs
`iam get-access-key-last-used --access-key-id AKIA... --endpoint-url URL
--region us-east-1` against each of its modes, with dummy credentials in the
environment and AWS_MAX_ATTEMPTS=1 for both programs. Per case:
  - iamlua's exit code equals the AWS CLI's (same run, same env), or the
    documented code where the CLI is not run (1 GiB bodies: it would buffer
    them);
  - stderr is one clear paragraph: starts with a newline, no blank line
    inside, no Lua traceback, bounded size, same kind of message as the
    CLI's (the text up to the first '(' or ':');
  - it finishes within the case's timeout; peak RSS below 60 MB;
  - no entity was fetched and no redirect followed (the hostile server's
    `other` listener records every hit, tagged with the client's name);
  - the secret key never appears in stdout or stderr.
Then bad local input (config/credentials files, options, --cli-input-json,
`iamlua run`), compared with the CLI where it takes the same input.

Where iamlua is wrong the case fails with what it did and what it should do.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402

OP = ["iam", "get-access-key-last-used"]
KEY = "AKIAAAAAAAAAAAAAAAAA"
SECRET = "hostileSecretKeyDoNotLeak0123456789abcdef"
RSS_LIMIT_KB = int(os.environ.get("IAMLUA_RSS_LIMIT_MB", "60")) * 1024  # raise it for ASan builds
SUITE_BUDGET = 230.0  # seconds; the suite must end within 4 minutes
CREDS_ENV = {"AWS_ACCESS_KEY_ID": "AKIDHOSTILEEXAMPLE", "AWS_SECRET_ACCESS_KEY": SECRET,
             "AWS_MAX_ATTEMPTS": "1"}


# ------------------------------------------------------------- running -----

def run_measured(argv, env, timeout, cwd=None):
    """H.run plus the child's peak RSS (KiB) from wait4. The process group is
    killed after timeout (Result.timed_out, rc None)."""
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(argv, env=env, cwd=cwd or H.ROOT, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    except OSError as e:
        r = H.Result(None, b"", ("cannot execute %s: %s" % (argv[0], e)).encode(), 0.0, False)
        r.rss = 0
        return r
    bufs = {"out": [], "err": []}

    def reader(f, key):
        while True:
            b = f.read(65536)
            if not b:
                break
            if sum(len(x) for x in bufs[key]) < (8 << 20):  # keep at most 8 MiB
                bufs[key].append(b)
    ts = [threading.Thread(target=reader, args=(p.stdout, "out"), daemon=True),
          threading.Thread(target=reader, args=(p.stderr, "err"), daemon=True)]
    for t in ts:
        t.start()
    killed = []

    def kill():
        killed.append(True)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    timer = threading.Timer(timeout, kill)
    timer.start()
    _, status, ru = os.wait4(p.pid, 0)
    timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    for t in ts:
        t.join(5)
    r = H.Result(None if killed else p.returncode, b"".join(bufs["out"]), b"".join(bufs["err"]),
                 time.monotonic() - t0, bool(killed))
    r.rss = ru.ru_maxrss
    return r


class Hostile:
    def __init__(self):
        self.p = subprocess.Popen([sys.executable, os.path.join(H.ROOT, "tests", "hostile", "server.py")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("hostile server did not start")
        self.info = json.loads(line)

    def url(self, mode, tag, tls=None):
        if tls:
            return "https://127.0.0.1:%d/mode/%s/%s/" % (self.info[tls], mode, tag)
        return "http://127.0.0.1:%d/mode/%s/%s/" % (self.info["http"], mode, tag)

    def hits(self, tag):
        with urllib.request.urlopen("http://127.0.0.1:%d/hits" % self.info["control"], timeout=5) as f:
            data = json.loads(f.read())
        return [h for h in data["other"] if h["path"].startswith("/%s/" % tag)]

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(5)
        except Exception:
            self.p.kill()


# ------------------------------------------------------------- checking ----

TRACE = re.compile(rb"stack traceback|Traceback \(most recent|\.lua:\d+:|attempt to (index|call|perform|"
                   rb"concatenate|compare)|ERROR: (Address|Leak)Sanitizer|runtime error:")


def norm_prog(b):
    """The usage lines may name the program (CLI_BEHAVIOUR.md)."""
    for a, c in ((b"usage: iamlua ", b"usage: aws "), (b"  iamlua help", b"  aws help"),
                 (b"  iamlua <command>", b"  aws <command>"), (b"\niamlua: error:", b"\naws: error:")):
        b = b.replace(a, c)
    return b


def kind_of(err):
    """The message's kind: text before the first '(' or ':' of its first line."""
    s = err.decode("utf-8", "replace").strip().split("\n")[0]
    return re.split(r"[(:]", s, 1)[0].strip()[:60]


def paragraph_problems(res, max_len=8192):
    p = []
    e = res.err
    if not e.strip():
        p.append("stderr is empty")
        return p
    if not e.startswith(b"\n"):
        p.append("stderr does not start with a newline as the CLI's: %s" % H.show(e, 120))
    if b"\n\n" in e.strip(b"\n") and not e.startswith(b"\nusage:"):
        p.append("stderr is more than one paragraph: %s" % H.show(e, 200))
    if TRACE.search(e):
        p.append("stderr has a traceback/Lua error: %s" % H.show(e, 300))
    if len(e) > max_len:
        p.append("stderr is %d bytes (> %d)" % (len(e), max_len))
    return p


def common_problems(res, timeout, rss=True):
    p = []
    if res.timed_out:
        return ["iamlua did not finish within %.0f s (killed)" % timeout]
    if res.rc is None:
        return ["iamlua did not run: %s" % H.show(res.err)]
    if rss and res.rss > RSS_LIMIT_KB:
        p.append("peak RSS %.1f MB >= %d MB" % (res.rss / 1024.0, RSS_LIMIT_KB // 1024))
    if SECRET.encode() in res.out or SECRET.encode() in res.err:
        p.append("the secret access key appears in the output")
    if res.rc < 0:
        p.append("killed by signal %d" % -res.rc)
    return p


class Case:
    """One hostile-server case or one local-input case."""

    def __init__(self, name, args=None, mode=None, tls=None, env=None, files=None,
                 oracle=True, want_rc=None, timeout=20, same_out=False, same_err=False,
                 check=None, iamlua_only=False, err_has=(), cli_timeout=60, key_position=None):
        self.name, self.args, self.mode, self.tls = name, list(args or []), mode, tls
        self.env, self.files = env if env is not None else dict(CREDS_ENV), files or {}
        self.oracle, self.want_rc, self.timeout = oracle and not iamlua_only, want_rc, timeout
        self.same_out, self.same_err, self.check = same_out, same_err, check
        self.iamlua_only, self.err_has, self.cli_timeout = iamlua_only, err_has, cli_timeout
        # where --access-key-id goes: None (AKIA... first), "last" (after
        # args), "first-then-short", "none" (args carry it), "none-no-op"
        # (not an iam command at all), or a literal str/bytes value
        self.key_position = key_position


def hostile_cases():
    R = ["--region", "us-east-1"]
    C = []

    def add(mode, **kw):
        C.append(Case("server " + kw.pop("label", mode), mode=mode, **kw))
    add("ok", same_out=True, same_err=True)
    for m in ["malformed", "xxe-file", "xxe-http", "xxe-param", "billion-laughs",
              "quadratic-blowup", "deep-nesting", "truncated", "short-length",
              "html-503-plain", "html-502-broken",
              "html-400", "error-200", "throttle-xml-400", "empty-200", "empty-500",
              "close-before-headers", "garbage-status", "bad-utf8", "redirect-302",
              "redirect-307"]:
        add(m)
    # a bare <!DOCTYPE html> (nothing declared, nothing to fetch) is parsed
    add("html-503", same_err=True)
    # 1 GiB: the CLI would read it all into memory (minutes, GBs); iamlua must
    # stop at its body cap. Documented: exit 255 (unparsable/oversized
    # response is the "anything else" class).
    add("huge", oracle=False, want_rc=255, timeout=30)
    add("huge-chunked", oracle=False, want_rc=255, timeout=30)
    add("trickle", args=["--cli-read-timeout", "2"], timeout=25, cli_timeout=40)
    add("trickle-headers", args=["--cli-read-timeout", "2"], timeout=25, cli_timeout=40)
    add("ok", label="tls self-signed", tls="tls_self", err_has=("SSL validation failed for",))
    add("ok", label="tls self-signed --no-verify-ssl", tls="tls_self", args=["--no-verify-ssl"],
        same_out=True)
    add("ok", label="tls self-signed --ca-bundle", tls="tls_self",
        args=["--ca-bundle", "{self_cert}"], same_out=True)
    add("ok", label="tls expired (issuer trusted)", tls="tls_expired",
        args=["--ca-bundle", "{ca_file}"], err_has=("SSL validation failed for",))
    add("ok", label="tls expired (issuer unknown)", tls="tls_expired",
        err_has=("SSL validation failed for",))
    for c in C:
        c.args = c.args + R
    return C


def local_cases():
    C = []
    ok = {"mode": "ok"}
    nocreds = {"AWS_MAX_ATTEMPTS": "1"}
    big = "AKIA" + "A" * (120 * 1024)  # under Linux's 128 KiB per-argument limit
    huge = "AKIA" + "B" * (1 << 20)
    R = ["--region", "us-east-1"]

    def add(name, args, **kw):
        C.append(Case(name, args=args, **kw))

    # config file
    add("config binary", R, files={"config": b"\xff\xfe\x00\x01[default]\x00\nregion=\xff\n"}, **ok)
    add("config malformed (option before section)", R,
        files={"config": "region = us-east-1\n[default]\n"}, same_err=True, **ok)
    add("config malformed (duplicate section)", R,
        files={"config": "[default]\nregion=a\n[default]\nregion=b\n"}, same_err=True, **ok)
    add("config is a directory", R, files={"config": None}, **ok)
    add("config unreadable", R, files={"config": ("[default]\nregion=us-east-1\n", 0)}, **ok)
    add("config 5 MB of one line", R, files={"config": "[default]\nregion=" + "x" * (5 << 20) + "\n"},
        **ok)
    # credentials file (no env credentials, so the CLI reads it)
    add("credentials binary", R, env=nocreds,
        files={"credentials": b"\x00\xff\xfe[default]\naws_access_key_id=\x80\n"}, **ok)
    add("credentials malformed", R, env=nocreds,
        files={"credentials": "aws_access_key_id = AKID\n[default]\n"}, same_err=True, **ok)
    add("credentials is a directory", R, env=nocreds, files={"credentials": None}, same_err=True, **ok)
    add("credentials unreadable", R, env=nocreds,
        files={"credentials": ("[default]\naws_access_key_id=AKID\naws_secret_access_key=" +
                               SECRET + "\n", 0)}, **ok)
    # options
    add("unknown option", R + ["--bogus"], same_err=True, **ok)
    add("unknown option with =", R + ["--bogus=1", "--access-key-idx", "y"], same_err=True, **ok)
    C.append(Case("repeated --access-key-id (last wins)", mode="ok",
                  args=["--access-key-id", "short"] + R, same_out=True, same_err=True,
                  key_position="last"))
    C.append(Case("repeated --access-key-id (short last)", mode="ok",
                  args=R, same_out=True, same_err=True, key_position="first-then-short"))
    add("repeated --region", ["--region", "bad region!", "--region", "us-east-1"], same_out=True,
        same_err=True, **ok)
    add("repeated --output", R + ["--output", "yaml", "--output", "text"], same_out=True, **ok)
    C.append(Case("120 KB --access-key-id", mode="ok", args=R, same_out=True, same_err=True,
                  key_position=big))
    C.append(Case("1 MB AccessKeyId via --cli-input-json file://", mode="ok",
                  args=R + ["--cli-input-json", "file://{ws}/big.json"], same_out=True,
                  same_err=True, key_position="none",
                  files={"big.json": json.dumps({"AccessKeyId": huge})}))
    C.append(Case("1 MB --access-key-id file://", mode="ok",
                  args=R + ["--access-key-id", "file://{ws}/big.txt"], same_out=True,
                  same_err=True, key_position="none", files={"big.txt": huge}))
    # Python decodes argv with surrogateescape: one lone surrogate per byte
    # that is not UTF-8, counted as one character, printed as \udcff, and
    # failing when the request is encoded (after validation; after the
    # credentials are found when signing)
    C.append(Case("invalid UTF-8 in --access-key-id", mode="ok", args=R, same_err=True,
                  key_position=b"AKIA\xff\xfeAAAAAAAAAAAAAA"))
    C.append(Case("invalid UTF-8 in --access-key-id (one byte after an e-acute)", mode="ok",
                  args=R, same_err=True, key_position=b"AK\xc3\xa9IA\xffAAAAAAAAAAAAAAAA"))
    C.append(Case("invalid UTF-8 in --access-key-id (too short)", mode="ok", args=R,
                  same_err=True, key_position=b"\xc3\xa9\xff"))
    C.append(Case("invalid UTF-8 in --access-key-id without credentials", mode="ok", args=R,
                  env=nocreds, same_err=True, key_position=b"AKIA\xff\xfeAAAAAAAAAAAAAA"))
    C.append(Case("invalid UTF-8 in --access-key-id file://", mode="ok", same_err=True,
                  args=R + ["--access-key-id", "file://{ws}/bad.txt"], key_position="none",
                  files={"bad.txt": b"AKIA\xffAAAAAAAAAAAAAAA"}))
    C.append(Case("--access-key-id fileb:// (bytes)", mode="ok", same_err=True,
                  args=R + ["--access-key-id", "fileb://{ws}/bad.txt"], key_position="none",
                  files={"bad.txt": b"AKIA\xffAAAAAAAAAAAAAAA"}))
    add("invalid UTF-8 in --region", ["--region", b"us-\xff-1"], same_err=True, **ok)
    add("invalid UTF-8 in --query", R + ["--query", b"User\xffName"], **ok)
    add("invalid UTF-8 in an unknown option", R + [b"--b\xffgus"], **ok)
    # found by tests/fuzz (jmespath): an overlong sequence in the expression
    add("overlong UTF-8 in --query", R + ["--query", b"\xe0\x8a\x9a"], **ok)
    for label, doc in [("a list", "[1]"), ("a number", "5"), ("a string", '"s"'),
                       ("null", "null"), ("empty", ""), ("unknown key", '{"Foo": "x"}'),
                       ("extra unknown key", '{"AccessKeyId": "%s", "Foo": 1}' % KEY),
                       ("nested wrong type", '{"AccessKeyId": ["x"]}'),
                       ("invalid UTF-8", b'{"AccessKeyId": "AKIA\xff\xfeAAAAAAAAAAAAAA"}'),
                       ("lone surrogate escapes",
                        '{"AccessKeyId": "AKIA\\udcff\\udcfeAAAAAAAAAAAAAA"}')]:
        C.append(Case("--cli-input-json " + label, mode="ok", args=R + ["--cli-input-json", doc],
                      same_err=True, key_position="none"))
    # Deliberate (CLI_BEHAVIOUR.md, "Deliberate differences"): nesting past
    # jansson's 2048 levels is Invalid JSON (252); the CLI dies of Python's
    # recursion limit (255). Asserted exactly, iamlua only.
    C.append(Case("--cli-input-json deep nesting", mode="ok", oracle=False, want_rc=252,
                  args=R + ["--cli-input-json", "[" * 5000 + "]" * 5000], key_position="none",
                  check=exact(252, b"\nError parsing parameter 'cli-input-json': "
                                   b"Invalid JSON received.\n")))
    # Python's argparse takes a word with a space as a value even when it
    # starts with '-': "- 1" is the value of --cli-input-yaml.
    for label, doc in [("a block list (value starts with '- ')", "- 1\n"),
                       ("a flow list", "[1, 2]"),
                       ("aliases (64 leaves)", "a: &a [x, x]\nb: &b [*a, *a]\n"
                        "c: &c [*b, *b]\nd: &d [*c, *c]\ne: &e [*d, *d]\nf: [*e, *e]\n"),
                       ("a tab", "AccessKeyId:\t\tx\n\t- y"),
                       ("an alias as the value", "a: &a [x, x]\nAccessKeyId: *a\n"),
                       ("binary tag", "AccessKeyId: !!binary QUJD\n"),
                       ("binary tag, odd bytes", "AccessKeyId: !!binary \"JydcAP8=\"\n"),
                       ("binary tag, bad padding", "AccessKeyId: !!binary QUJ\n"),
                       ("a merge key", "base: &b {AccessKeyId: x, Foo: 1}\n<<: *b\nFoo: 2\n"),
                       ("merge keys from a list", "b: &b {AccessKeyId: x, z: 1}\n"
                        "c: &c {AccessKeyId: [y], q: 2}\n<<: [*c, *b]\nz: 5\n"),
                       ("a repeated key", "AccessKeyId: x\nAccessKeyId: y\n")]:
        C.append(Case("--cli-input-yaml " + label, mode="ok", args=R + ["--cli-input-yaml", doc],
                      same_err=True, key_position="none"))
    # 10^9 leaves if expanded: the CLI's loader shares the nodes but its
    # validation would walk them; iamlua must answer quickly (252).
    # Deliberate (CLI_BEHAVIOUR.md): aliases expanding past 100,000 nodes
    # are Invalid YAML. Asserted exactly, iamlua only.
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        "%s: &%s [%s]\n" % (c, c, ",".join(["*" + p] * 10)) for p, c in zip("abcdefgh", "bcdefghi"))
    bad_yaml = exact(252, b"\nError parsing parameter 'cli-input-yaml': Invalid YAML received.\n")
    C.append(Case("--cli-input-yaml billion laughs", mode="ok", oracle=False, want_rc=252,
                  args=R + ["--cli-input-yaml", bomb], key_position="none", timeout=10,
                  check=bad_yaml))
    C.append(Case("--cli-input-yaml recursive alias", mode="ok", oracle=False, want_rc=252,
                  args=R + ["--cli-input-yaml", "a: &a [1, *a]\n"], key_position="none",
                  check=bad_yaml))
    # Deliberate (CLI_BEHAVIOUR.md): a key with bytes that are not UTF-8 is
    # Invalid JSON here; the CLI names it as an unknown parameter.
    C.append(Case("--cli-input-json invalid UTF-8 in a key", mode="ok", oracle=False, want_rc=252,
                  args=R + ["--cli-input-json", b'{"AccessKeyId": "%s", "\xff": 1}' % KEY.encode()],
                  key_position="none",
                  check=exact(252, b"\nError parsing parameter 'cli-input-json': "
                                   b"Invalid JSON received.\n")))
    # paramfiles that are not regular files
    C.append(Case("--cli-input-json file:// a directory", mode="ok",
                  args=R + ["--cli-input-json", "file://{ws}"], same_err=True, key_position="none"))
    C.append(Case("--cli-input-json file:///dev/zero", mode="ok", oracle=False, want_rc=252,
                  args=R + ["--cli-input-json", "file:///dev/zero"], key_position="none", timeout=10))
    C.append(Case("--access-key-id fileb:///dev/zero", mode="ok", oracle=False, want_rc=252,
                  args=R + ["--access-key-id", "fileb:///dev/zero"], key_position="none", timeout=10))
    # iamlua run (no CLI equivalent)
    for label, text, want in [("syntax error", "local x = = 1\n", "syntax.lua:1:"),
                              ("runtime error", "local t = nil\nreturn t.x\n", "runtime.lua:2:"),
                              ("error with a table", "error({code='X'})\n", "")]:
        fn = label.split()[0] + ".lua"
        C.append(Case("run: script with a " + label, args=["run", "{ws}/" + fn], iamlua_only=True,
                      files={fn: text}, key_position="none-no-op",
                      check=run_check(want)))
    C.append(Case("run: non-existent script", args=["run", "{ws}/nope.lua"], iamlua_only=True,
                  key_position="none-no-op", check=run_check("nope.lua")))
    C.append(Case("run: a directory", args=["run", "{ws}"], iamlua_only=True,
                  key_position="none-no-op", check=run_check("")))
    C.append(Case("run: binary script", args=["run", "{ws}/bin.lua"], iamlua_only=True,
                  files={"bin.lua": b"\x1bLua\x54\x00garbage"}, key_position="none-no-op",
                  check=run_check("bin.lua")))
    return C


def exact(rc, err, out=b""):
    """A check for iamlua's own documented behaviour, byte for byte."""
    def check(res):
        p = []
        if res.rc != rc:
            p.append("exit %s, want %s" % (res.rc, rc))
        if res.err != err:
            p.append("stderr " + H.first_diff(res.err, err))
        if res.out != out:
            p.append("stdout " + H.first_diff(res.out, out))
        return p
    return check


def run_check(want):
    def check(res):
        p = []
        if res.rc == 0:
            p.append("exit 0, want non-zero")
        if not res.err.strip():
            p.append("stderr is empty")
        if want and want.encode() not in res.err:
            p.append("stderr lacks %r: %s" % (want, H.show(res.err, 200)))
        if len(res.err) > 4096:
            p.append("stderr is %d bytes" % len(res.err))
        return p
    return check


def build_argv(case, binary, srv, ws, tag):
    kp = case.key_position
    args = [binary] + ([] if kp == "none-no-op" else list(OP))
    if kp is None:
        args += ["--access-key-id", KEY]
    elif kp == "last":
        pass
    elif kp == "first-then-short":
        args += ["--access-key-id", KEY, "--access-key-id", "short"]
    elif isinstance(kp, bytes) or (isinstance(kp, str) and kp.startswith("AKIA")):
        args += ["--access-key-id", kp]
    for a in case.args:
        if isinstance(a, str):
            a = ws.expand(a).replace("{self_cert}", srv.info["self_cert"]).replace(
                "{ca_file}", srv.info["ca_file"])
        args.append(a)
    if kp == "last":
        args += ["--access-key-id", KEY]
    if case.mode and not args[1:2] == ["run"]:
        args += ["--endpoint-url", srv.url(case.mode, tag, case.tls)]
    return args


def prepare(case, ws):
    for rel, content in case.files.items():
        if content is None:
            os.makedirs(ws.path(rel), exist_ok=True)
        elif isinstance(content, tuple):
            p = ws.write(rel, content[0])
            os.chmod(p, content[1])
        else:
            ws.write(rel, content)


def run_case(case, srv):
    iam = H.iamlua_bin()
    if case.iamlua_only and H.is_aws_cli(iam):
        return ("skip", "iamlua only")
    if any(isinstance(c, tuple) for c in case.files.values()) and os.geteuid() == 0:
        return ("skip", "running as root: mode 000 does not stop reads")
    problems = []
    results = {}
    for who, binary in (("iamlua", iam), ("cli", H.aws_cli())):
        if who == "cli" and not case.oracle:
            continue
        ws = H.Workspace(prefix="iamlua-hostile.")
        try:
            prepare(case, ws)
            tag = "%s-%x" % (who, abs(hash(case.name)) & 0xffffff)
            argv = build_argv(case, binary, srv, ws, tag)
            env = H.scrubbed_env(ws, case.env, [a for a in argv if isinstance(a, str)])
            t = case.timeout if who == "iamlua" else case.cli_timeout
            res = run_measured(argv, env, t)
            # each run has its own workspace and tag: name them alike
            for attr in ("out", "err"):
                v = getattr(res, attr).replace(ws.root.encode(), b"{ws}")
                setattr(res, attr, v.replace(tag.encode(), b"{tag}"))
            res.tag = tag
            res.hits = srv.hits(tag) if case.mode else []
            results[who] = res
        finally:
            ws.cleanup()
    r, o = results["iamlua"], results.get("cli")
    problems += common_problems(r, case.timeout, rss=not H.is_aws_cli(iam))
    if r.timed_out or r.rc is None:
        return ("fail", problems)
    if case.check:
        problems += case.check(r)
        return ("fail", problems) if problems else ("ok", None)
    if r.hits:
        what = "; ".join("%s with headers %s" % (h["path"], [k for k, _ in h["headers"]])
                         for h in r.hits[:3])
        problems.append("contacted the outside host (entity fetch or followed redirect): " + what)
    if o is not None and o.timed_out:
        o = None  # the CLI hung: fall back to the documented code
        if case.want_rc is None:
            problems.append("AWS CLI timed out and no documented code")
    want = o.rc if o is not None else case.want_rc
    if want is not None and r.rc != want:
        problems.append("exit %s, want %s%s (iamlua stderr %s%s)" % (
            r.rc, want, " (AWS CLI's)" if o is not None else " (documented)", H.show(r.err, 240),
            "; CLI stderr %s" % H.show(o.err, 240) if o is not None else ""))
    if r.rc != 0:
        problems += paragraph_problems(r)
        if o is not None and o.rc != 0 and kind_of(norm_prog(r.err)) != kind_of(o.err):
            problems.append("message kind %r, AWS CLI's %r (iamlua %s | CLI %s)" % (
                kind_of(r.err), kind_of(o.err), H.show(r.err, 160), H.show(o.err, 160)))
    for s in case.err_has:
        if s.encode() not in r.err:
            problems.append("stderr lacks %r: %s" % (s, H.show(r.err, 200)))
    if o is not None and case.same_out and r.out != o.out:
        problems.append("stdout vs AWS CLI " + H.first_diff(r.out, o.out))
    if o is not None and case.same_err and o.rc != 0 and norm_prog(r.err) != o.err:
        problems.append("stderr vs AWS CLI " + H.first_diff(norm_prog(r.err), o.err))
    notes = []
    if case.mode and ("redirect" in case.mode or "xxe" in case.mode):
        for who, res in sorted(results.items()):
            notes.append("%s %s" % (who, "fetched/followed: " + "; ".join(
                "%s headers %s" % (h["path"], [k for k, _ in h["headers"]]) for h in res.hits)
                if res.hits else "did not contact the outside host"))
    return ("fail", problems, notes) if problems else ("ok", None, notes)


# Cases where iamlua knowingly differs from AWS CLI v2 today. They still
# run; a failure prints a "# known difference" comment (counted neither as
# passed nor failed) and a pass counts as a pass. Each reason says whether the
# difference is deliberate or work left for issue 6.
KNOWN = {
    "server xxe-param": "deliberate: a DOCTYPE with an identifier or a subset is refused "
                        "(DESIGN 5, no DTD processing); "
                        "the CLI's expat skips an unused external DTD",
    "server html-503": "open: the bare <!DOCTYPE html> page now parses (core/xml.c), but "
                       "core/session.c's service_error reports a parsed document without "
                       "<Error> as the generic 503/Service Unavailable; botocore does that only "
                       "for bodies starting <html>, else code and message Unknown (254 both)",
    "server truncated": "open: a short body is reported as a closed connection; botocore "
                        "parses what arrived and reports a parse error (both exit 255)",
    "server error-200": "deliberate: a 200 carrying an ErrorResponse is reported as that "
                        "service error (254); the CLI fails with KeyError (255)",
}


def main():
    rep = H.Reporter()
    flt = os.environ.get("IAMLUA_HOSTILE_FILTER")
    cases = hostile_cases() + local_cases()
    if flt:
        cases = [c for c in cases if flt in c.name]
    srv = Hostile()
    deadline = time.monotonic() + SUITE_BUDGET
    try:
        jobs = [(lambda c=c: run_case(c, srv)) for c in cases]
        for i, res in H.run_ordered(jobs, int(os.environ.get("IAMLUA_JOBS", "4")), deadline):
            name = cases[i].name
            if isinstance(res, Exception):
                rep.fail(name, "%s: %s" % (type(res).__name__, res))
            elif res[0] == "skip":
                rep.skip(name, res[1])
            elif res[0] == "ok":
                rep.ok(name)
            elif name in KNOWN:
                rep._line("# known difference - %s: %s (%s)" % (name, KNOWN[name], "; ".join(res[1])[:300]))
            else:
                rep.fail(name, "; ".join(res[1]))
            if not isinstance(res, Exception) and len(res) > 2 and res[2]:
                rep._line("# %s: %s" % (name, " | ".join(res[2])))
    finally:
        srv.close()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
