#!/usr/bin/env python3
"""Output and errors for Lua scripts (issue 16 items 4-6, issue 13 item 5),
run as a user runs them (set-up: luacase.py).

    python3 tests/e2e/test_lua_output.py    # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws)

- aws.format / aws.print byte-equal to --output for the same data in every
  shipped format and a user format (and AWS CLI v2's --output as a second
  oracle); columns; unknown options refused; a broken user format's
  one-line message in the CLI (255) and in scripts.
- examples/output/prometheus.lua: one last-used series per key.
- run --help / run help / help run; `run` in the invalid-choice list; help
  lua; error values, tracebacks without host frames, exit codes; Lua-worded
  parameter errors; -e, run -, -i without a terminal.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from luacase import T, FORMATS, run, env, elsewhere, out, detail, bin_, start, stop  # noqa: E402,F401


# --------------------------------------------------------------- formats ----

FORMAT = r'''
local aws = require "aws"
local iam = aws.client("iam", { endpoint_url = arg[1] })
local r = assert(iam:call("GetAccessKeyLastUsed", { AccessKeyId = arg[2] }))
local name = arg[3]
-- the shipped formats refuse options they do not know; a user format gets
-- them all (the CLI passes the request's parameters as params)
local opts = { title = "GetAccessKeyLastUsed" }
if arg[5] == "user" then opts.params = { AccessKeyId = arg[2] } end
if arg[4] == "print" then
  aws.print(r, name, opts)
else
  io.write(aws.format(r, name, opts))
end
'''


def test_format(rep):
    ws = T.ws
    ws.write("format.lua", FORMAT)
    ws.write("uf/output/names.lua", 'return { format = function(d, o) return "user:" .. d.UserName .. ":" '
             '.. tostring(o.title) .. ":" .. tostring(o.params and o.params.AccessKeyId) .. "\\n" end }\n')
    extra = {"IAMLUA_PATH": ws.path("uf")}
    names = FORMATS + ["names"]
    if os.path.exists(os.path.join(H.ROOT, "scripts", "output", "csv.lua")):
        names.append("csv")
    for name in names:
        for how in ("format", "print"):
            s = run(["run", ws.path("format.lua"), T.moto.url, T.key, name, how,
                     "shipped" if name in FORMATS or name == "csv" else "user"], extra)
            c = run(["iam", "get-access-key-last-used", "--access-key-id", T.key, "--endpoint-url",
                     T.moto.url, "--output", name], extra)
            p = [] if s.rc == 0 and c.rc == 0 and s.out == c.out and s.out else \
                ["script " + detail(s), "cli " + detail(c)]
            if name in FORMATS and how == "format" and os.path.exists(H.aws_cli()):
                argv = [H.aws_cli(), "iam", "get-access-key-last-used", "--access-key-id", T.key,
                        "--endpoint-url", T.moto.url, "--output", name]
                a = H.run(argv, env(None, argv), cwd=elsewhere(), timeout=120)
                if a.rc != 0 or a.out != s.out:
                    p.append("AWS CLI v2: " + H.first_diff(s.out, a.out))
            rep.check("aws.%s(r, %r) is byte-equal to --output %s%s" % (
                how, name, name, " and to AWS CLI v2's" if name in FORMATS and how == "format" else ""), p)
    # columns order table and text columns; the rest follow sorted.
    col = run(["-e", 'local rows = { { user = "u1", key = "k1", age = 3, z = "z" } }\n'
               'io.write(aws.format(rows, "text", { columns = { "key", "user" } }))\n'
               'io.write(aws.format(rows, "table", { columns = { "key", "user" }, title = "T" }))'])
    lines = out(col).splitlines()
    table_hdr = [l for l in lines if "key" in l and "user" in l]
    rep.check("aws.format columns: text and table put the listed columns first, in order, the rest sorted",
              [] if col.rc == 0 and lines[0] == "k1\tu1\t3\tz" and table_hdr
              and [c.strip() for c in table_hdr[0].strip("|").split("|")] == ["key", "user", "age", "z"]
              else [detail(col)])
    bad = run(["-e", 'aws.format({}, "table", { titel = "x" })'])
    rep.check("aws.format refuses an option the shipped format does not know (no silent no-op)",
              [] if bad.rc == 1 and b"no option 'titel'" in bad.err else [detail(bad)])
    # A broken user format: one line naming the file and what was wrong.
    broken = {
        "syntax": ("return { format = function(d) return 'x' end", "expected"),
        "nothing": ("return nil\n", "must return a table with a function 'format'"),
        "raises": ("return { format = function(d) error('no good') end }\n", "format raised"),
        "number": ("return { format = function(d) return 42 end }\n", "format returned a number, not a string"),
    }
    for name, (src, why) in broken.items():
        path = ws.write("bf/output/%s.lua" % name, src)
        extra = {"IAMLUA_PATH": ws.path("bf")}
        c = run(["iam", "get-access-key-last-used", "--access-key-id", T.key, "--endpoint-url", T.moto.url,
                 "--output", name], extra)
        s = run(["-e", 'aws.print({ a = 1 }, %r)' % name], extra)
        lines_c = [l for l in c.err.decode(errors="replace").splitlines() if l.strip()]
        lines_s = [l for l in s.err.decode(errors="replace").splitlines() if l.strip()]
        p = []
        if c.rc != 255 or len(lines_c) != 1 or path not in lines_c[0] or why not in lines_c[0] or c.out:
            p.append("cli " + detail(c))
        if s.rc != 1 or len(lines_s) != 1 or path not in lines_s[0] or why not in lines_s[0]:
            p.append("script " + detail(s))
        rep.check("a broken user format (%s): one line naming %s and what was wrong; --output exits 255, "
                  "a script 1" % (name, os.path.basename(path)), p)


def test_prometheus(rep):
    """examples/output/prometheus.lua: one last-used series per key (two keys
    of one user used on the same service and region no longer collide)."""
    ids = T.pk
    extra = {"IAMLUA_PATH": os.path.join(H.ROOT, "examples")}
    series = []
    p = []
    for kid in ids:
        r = run(["iam", "get-access-key-last-used", "--access-key-id", kid, "--endpoint-url", T.moto.url,
                 "--output", "prometheus"], extra)
        lines = [l for l in out(r).splitlines() if l.startswith("iam_access_key_last_used_timestamp_seconds{")]
        if r.rc != 0 or len(lines) != 1 or ('key_id="%s"' % kid) not in lines[0]:
            p.append(detail(r))
        else:
            series.append(lines[0].rsplit(" ", 1)[0])
    if len(set(series)) != 2:
        p.append("series %s" % series)
    s = run(["-e", 'print(pcall(aws.format, aws.json.decode(arg[1]), "prometheus"))',
             '{"UserName": "pk", "AccessKeyLastUsed": {"LastUsedDate": "2024-01-01T00:00:00Z", '
             '"ServiceName": "sts", "Region": "us-east-1"}}'], extra)
    if s.rc != 0 or b"opts.params.AccessKeyId" not in s.out:
        p.append("without params: " + detail(s))
    rep.check("prometheus example: the last-used series carry key_id, one series per key of one user; "
              "without the key id it raises", p)


# ------------------------------------------------------ help and errors ----

def test_help_and_errors(rep):
    usage = [run(a) for a in (["run", "--help"], ["run", "help"], ["help", "run"], ["run", "-h"])]
    rep.check("run --help, run help, help run, run -h: run's usage, exit 0",
              [] if all(u.rc == 0 for u in usage) and usage[0].out.startswith(b"usage: iamlua")
              and b"-e CODE" in usage[0].out and len({u.out for u in usage}) == 1
              else [detail(u) for u in usage])
    h = run(["--help"])
    rep.check("run is in the invalid-choice list of `iamlua --help`",
              [] if h.rc == 252 and b"run" in h.err.split(b"valid choices are:")[-1] else [detail(h)])
    ref = run(["help", "lua"])
    rep.check("iamlua help lua: the aws module's reference",
              [] if ref.rc == 0 and b"aws.client(service [, opts]) -> client" in ref.out
              and b"aws.format(data, name [, opts])" in ref.out else [detail(ref)])
    ws = T.ws
    cases = [
        ('error({ code = 1 })', 1, b"iamlua: error 1\n"),
        ('error({ code = "E", message = "went wrong" })', 1, b"iamlua: E: went wrong\n"),
        ('error(setmetatable({}, { __tostring = function() return "custom text" end }))', 1,
         b"iamlua: custom text\n"),
        ('assert(aws.client("iam", { endpoint_url = "http://127.0.0.1:9/" }):call("GetAccessKeyLastUsed", '
         '{ AccessKeyId = "AKIAIOSFODNN7EXAMPLE" }))', 1,
         b'iamlua: Could not connect to the endpoint URL: "http://127.0.0.1:9/"\n'),
        ('return 7', 7, b""), ('return false', 1, b""), ('os.exit(4)', 4, b""), ('return "x"', 0, b""),
    ]
    for code, rc, err in cases:
        r = run(["-e", code], {"AWS_MAX_ATTEMPTS": "1"})
        rep.check("-e %s: exit %d, stderr %r" % (code[:50], rc, err),
                  [] if r.rc == rc and r.err == err else [detail(r)])
    ws.write("tb/lib.lua", 'local M = {}\nfunction M.boom() error("boom") end\nreturn M\n')
    ws.write("tb/main.lua", 'local lib = require "lib"\nlocal function f() lib.boom() end\nf()\n')
    r = run(["run", ws.path("tb/main.lua")])
    e = r.err.decode(errors="replace")
    rep.check("a string error: message and a traceback of the script's frames only",
              [] if r.rc == 1 and e.startswith("iamlua: " + ws.path("tb/lib.lua") + ":2: boom\nstack traceback:")
              and "main.lua:3: in main chunk" in e and "scripts/cli" not in e and "xpcall" not in e
              else [detail(r)])
    v = run(["-e", 'assert(aws.client("iam"):call("GetAccessKeyLastUsed", { AccessKeyId = 12 }))'])
    rep.check("parameter validation in scripts names Lua types",
              [] if v.rc == 1 and b"type: number (integer), valid types: string" in v.err
              and b"class" not in v.err else [detail(v)])
    s = run(["run", "-", "a", "b"], stdin=b"#!/usr/bin/env iamlua\nprint(arg[0], arg[1], arg[2], select('#', ...), debug.getinfo(1).source)\n"
                                      b"error('x')\n")
    rep.check("run - reads the script from stdin (a #! line skipped, arg as lua(1))",
              [] if s.rc == 1 and s.out == b"-\ta\tb\t2\t=stdin\n" and b"stdin:3: x" in s.err else [detail(s)])
    e = run(["-e", 'print(type(aws.client), arg[0], arg[-1], ...)', "x", "y"])
    rep.check("-e CODE [ARG ...]: aws a global, the arguments as arg and ...",
              [] if e.rc == 0 and e.out == b"function\tprint(type(aws.client), arg[0], arg[-1], ...)\t-e\tx\ty\n"
              else [detail(e)])
    m = run(["-e"])
    rep.check("-e without code: usage error 252", [] if m.rc == 252 and b"argument -e" in m.err else [detail(m)])
    i = run(["-i"], stdin=b'x = { a = 1, b = aws.null }\nx\nerror("oops")\n1 + 1\n')
    rep.check("-i without a terminal: reads lines, prints values (tables as JSON), errors keep the session",
              [] if i.rc == 0 and i.out == b'{\n    "a": 1,\n    "b": null\n}\n2\n\n'
              and b"stdin:1: oops" in i.err else [detail(i)])


def main():
    rep = H.Reporter()
    try:
        start()
        test_format(rep)
        test_prometheus(rep)
        test_help_and_errors(rep)
    finally:
        stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
