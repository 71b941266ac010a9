#!/usr/bin/env python3
"""Scripts that behave like Lua (issue 16, issue 13 item 5), run as a user
runs them: scripts in a temporary directory, started from another working
directory, in the harness's scrubbed environment (set-up: luacase.py).

    python3 tests/e2e/test_lua.py    # env: IAMLUA_BIN (./iamlua)

- require as lua(1) has it: the script's directory first, LUA_PATH_5_4 /
  LUA_PATH / LUA_CPATH with ";;", package.path changes, Debian's C modules
  (lua-cjson, luasocket); lua5.4 run on the same files is the oracle where
  it can be (from the script's directory, where its ./?.lua finds them).
  aws and the host's modules always resolve to the host's: IAMLUA_PATH with
  a cli.lua and an aws.lua is ignored and the tool works.
- Global options before run / -e reach the script's clients (moto_server
  checks every signature; the hostile server's TLS listener and stalling
  modes show --no-verify-ssl, --ca-bundle and the timeouts); the others exit
  252 naming the option, without running the script.
- An unknown action makes no request (counted at a local server).
- pcall, xpcall, coroutines and aws.parallel around long loops, SIGINT:
  exit 130, the script's __close cleanup ran.
"""

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from luacase import T, FORMATS, run, env, elsewhere, out, detail, bin_, start, stop  # noqa: E402,F401


# --------------------------------------------------------------- require ----

def test_require(rep):
    ws = T.ws
    ws.write("proj/main.lua", 'local util = require "util"\nlocal a = require "lib.audit"\n'
             'local i = require "pkg"\nprint(util.name, a.name, i.name)\n')
    ws.write("proj/util.lua", 'return { name = "util" }\n')
    ws.write("proj/lib/audit.lua", 'return { name = "lib.audit:" .. require("util").name }\n')
    ws.write("proj/pkg/init.lua", 'return { name = "pkg/init" }\n')
    script = ws.path("proj/main.lua")
    r = run(["run", script])
    oracle = H.run(["lua5.4", "main.lua"], env(), cwd=ws.path("proj"))
    rep.check("require: modules beside the script, run from another directory (same as lua5.4 main.lua "
              "from there)",
              [] if r.rc == 0 and r.out == oracle.out == b"util\tlib.audit:util\tpkg/init\n"
              else [detail(r), "lua5.4: " + detail(oracle)])

    # LUA_PATH with ;; and LUA_PATH_5_4 winning over LUA_PATH, as lua5.4.
    ws.write("mods1/m.lua", 'return "from mods1"\n')
    ws.write("mods2/m.lua", 'return "from mods2"\n')
    ws.write("lp.lua", 'print(require "m", package.path:find("/usr/share/lua/5.4/?.lua", 1, true) ~= nil)\n')
    for name, extra in (("LUA_PATH", {"LUA_PATH": ws.path("mods1/?.lua") + ";;"}),
                        ("LUA_PATH_5_4 over LUA_PATH", {"LUA_PATH": ws.path("mods1/?.lua") + ";;",
                                                        "LUA_PATH_5_4": ws.path("mods2/?.lua") + ";;"})):
        r = run(["run", ws.path("lp.lua")], extra)
        o = H.run(["lua5.4", ws.path("lp.lua")], env(extra), cwd=elsewhere())
        rep.check("require: %s with ';;' (the default path kept), as lua5.4" % name,
                  [] if r.rc == 0 and r.out == o.out and r.out.endswith(b"\ttrue\n")
                  else [detail(r), "lua5.4: " + detail(o)])

    # package.path changed by the script is honoured.
    ws.write("pp.lua", 'package.path = arg[1] .. "/?.lua;" .. package.path\nprint((require "m"))\n')
    r = run(["run", ws.path("pp.lua"), ws.path("mods2")])
    rep.check("require: a change to package.path is honoured",
              [] if r.rc == 0 and r.out == b"from mods2\n" else [detail(r)])

    # Debian's C modules: lua-cjson and luasocket need the Lua API symbols
    # from the host.
    ws.write("c.lua", 'local cjson = require "cjson"\nlocal socket = require "socket"\n'
             'local t = cjson.decode(cjson.encode({ a = { 1, 2 } }))\n'
             'print(t.a[2] == 2, type(socket.gettime()), socket._VERSION:match("^LuaSocket") ~= nil)\n')
    r = run(["run", ws.path("c.lua")])
    rep.check('require "cjson" and require "socket" (Debian C modules) load and work',
              [] if r.rc == 0 and r.out == b"true\tnumber\ttrue\n" else [detail(r)])
    ws.write("cdir/mine.lua", 'return require("cjson").encode({ "x" })\n')
    ws.write("c2.lua", 'print(pcall(require, "cjson") == false, package.cpath)\n'
             'package.cpath = "/usr/lib/x86_64-linux-gnu/lua/5.4/?.so;" .. package.cpath\n'
             'print((require "mine"))\n')
    r = run(["run", ws.path("c2.lua")], {"LUA_PATH": ws.path("cdir/?.lua") + ";;",
                                         "LUA_CPATH": "/nonexistent/?.so"})
    rep.check("require: LUA_CPATH (no ';;') is package.cpath, after the script's directory; a changed "
              "package.cpath is honoured",
              [] if r.rc == 0 and r.out == ('true\t%s/?.so;/nonexistent/?.so\n["x"]\n' % ws.root).encode()
              else [detail(r)])

    # Host modules are the host's: a sibling aws.lua, a jmespath.lua on
    # LUA_PATH, a shapes/ tree in the working directory.
    ws.write("shadow/aws.lua", 'error("the sibling aws.lua ran")\n')
    ws.write("shadow/jmespath.lua", 'error("the jmespath.lua on LUA_PATH ran")\n')
    ws.write("shadow/shapes/iam/NoSuchAction.lua", 'error("a shapes file from ./ ran")\n')
    ws.write("shadow/s.lua", 'local aws = require "aws"\nprint(type(aws.client), aws.query("a", { a = 1 }))\n'
             'print(pcall(require, "shapes.iam.NoSuchAction"))\n')
    r = run(["run", ws.path("shadow/s.lua")], {"LUA_PATH": ws.path("shadow/?.lua") + ";;"},
            cwd=ws.path("shadow"))
    o = out(r)
    rep.check("require: aws and the host's modules come from the host (a sibling aws.lua, a "
              "jmespath.lua on LUA_PATH, ./shapes/ are not loaded)",
              [] if r.rc == 0 and o.startswith("function\t1\nfalse\t") and "namespace of iamlua" in o
              and "ran" not in o else [detail(r)])


def test_user_dir(rep):
    ws = T.ws
    ws.write("ud/cli.lua", "return 0\n")
    ws.write("ud/aws.lua", 'error("user aws.lua")\n')
    ws.write("ud/aws/time.lua", 'return { parse = function() return 42 end }\n')
    ws.write("ud/output/keys.lua", 'return { format = function(d) return "user format " .. d.UserName .. "\\n" end }\n')
    extra = {"IAMLUA_PATH": ws.path("ud")}
    v = run(["--version"], extra)
    rep.check("IAMLUA_PATH with cli.lua and aws.lua: --version still works",
              [] if v.rc == 0 and v.out.startswith(b"iamlua/") else [detail(v)])
    c = run(["iam", "get-access-key-last-used", "--access-key-id", T.key, "--endpoint-url", T.moto.url],
            extra)
    rep.check("IAMLUA_PATH with cli.lua and aws.lua: the command works against moto",
              [] if c.rc == 0 and json.loads(c.out)["UserName"] == "p0" else [detail(c)])
    f = run(["iam", "get-access-key-last-used", "--access-key-id", T.key, "--endpoint-url", T.moto.url,
             "--output", "keys"], extra)
    rep.check("IAMLUA_PATH: output/NAME.lua (an extension point) still adds --output NAME",
              [] if f.rc == 0 and f.out == b"user format p0\n" else [detail(f)])
    ws.write("ud_s.lua", 'local aws = require "aws"\nprint(aws.time.parse("1970-01-01T00:01:00Z"))\n')
    s = run(["run", ws.path("ud_s.lua")], extra)
    rep.check("IAMLUA_PATH: aws.lua and aws/time.lua there do not replace the module",
              [] if s.rc == 0 and s.out == b"60\n" else [detail(s)])


# -------------------------------------------------------- global options ----

INFO = r'''
local aws = require "aws"
local c = aws.client("iam", ...)
local i = assert(c:_info())
print(i.profile, i.region, i.endpoint)
'''

CALL = r'''
local aws = require "aws"
local iam = aws.client("iam")
local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = arg[1] })
if not r then io.stderr:write(tostring(err), "\n") return 3 end
print(r.UserName)
'''


def test_globals(rep, hostile):
    ws = T.ws
    ws.write("call.lua", CALL)
    r = run(["--endpoint-url", T.moto.url, "--region", "us-east-1", "run", ws.path("call.lua"), T.key])
    rep.check("--endpoint-url and --region before run reach the script's client (moto, signature checked)",
              [] if r.rc == 0 and r.out == b"p0\n" else [detail(r)])
    r = run(["--endpoint-url", T.moto.url, "-e",
             'print(assert(aws.client("iam"):call("GetAccessKeyLastUsed", { AccessKeyId = arg[1] })).UserName)',
             T.key])
    rep.check("--endpoint-url before -e reaches the chunk's client",
              [] if r.rc == 0 and r.out == b"p0\n" else [detail(r)])
    # --profile: the profile's credentials sign (a wrong secret there fails
    # at moto), its region is used; a client's own options win.
    ws.write("credentials", "[good]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
             "[bad]\naws_access_key_id = %s\naws_secret_access_key = wrong\n" % (T.admin[0], T.admin[1],
                                                                                T.admin[0]))
    ws.write("config", "[profile good]\nregion = eu-west-2\n[profile bad]\nregion = us-east-1\n")
    noenv = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_DEFAULT_REGION": None}
    g = run(["--profile", "good", "--endpoint-url", T.moto.url, "run", ws.path("call.lua"), T.key], noenv)
    b = run(["--profile", "bad", "--endpoint-url", T.moto.url, "run", ws.path("call.lua"), T.key], noenv)
    rep.check("--profile before run: the script's client signs with that profile (a wrong secret there: "
              "SignatureDoesNotMatch)",
              [] if g.rc == 0 and g.out == b"p0\n" and b.rc == 3 and b"SignatureDoesNotMatch" in b.err
              else [detail(g), detail(b)])
    ws.write("info.lua", INFO)
    i = run(["--profile", "good", "--endpoint-url", "http://127.0.0.1:9/", "run", ws.path("info.lua")], noenv)
    rep.check("--profile before run: the profile's region; the endpoint from --endpoint-url",
              [] if i.rc == 0 and i.out == b"good\teu-west-2\thttp://127.0.0.1:9/\n" else [detail(i)])
    ws.write("own.lua", 'local aws = require "aws"\nlocal i = assert(aws.client("iam", { profile = "bad", '
             'region = "ap-south-1", endpoint_url = "http://127.0.0.1:7/" }):_info())\n'
             'print(i.profile, i.region, i.endpoint)\n')
    o = run(["--profile", "good", "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:9/", "run",
             ws.path("own.lua")], noenv)
    rep.check("a client's own profile, region and endpoint_url win over the global options",
              [] if o.rc == 0 and o.out == b"bad\tap-south-1\thttp://127.0.0.1:7/\n" else [detail(o)])
    d = run(["--debug", "--endpoint-url", T.moto.url, "run", ws.path("call.lua"), T.key])
    rep.check("--debug before run: the script's requests are traced on stderr (no secret)",
              [] if d.rc == 0 and b"iamlua - DEBUG - " in d.err and b"GetAccessKeyLastUsed" in d.err
              and T.admin[1].encode() not in d.err + d.out else [detail(d)])
    # --color on: aws.format's table is coloured without opts.color.
    c = run(["--color", "on", "-e", 'io.write(aws.format({ a = 1, b = 2 }, "table"))'])
    n = run(["-e", 'io.write(aws.format({ a = 1, b = 2 }, "table"))'])
    rep.check("--color on before -e: aws.format colours the table (not without it: stdout is a pipe)",
              [] if c.rc == 0 and b"\x1b[" in c.out and n.rc == 0 and b"\x1b[" not in n.out
              else [detail(c), detail(n)])
    if hostile:
        tls = "https://127.0.0.1:%d/mode/ok/lua/" % hostile.info["tls_self"]
        plain = run(["--endpoint-url", tls, "run", ws.path("call.lua"), T.key])
        nv = run(["--no-verify-ssl", "--endpoint-url", tls, "run", ws.path("call.lua"), T.key])
        ca = run(["--ca-bundle", hostile.info["self_cert"], "--endpoint-url", tls, "run",
                  ws.path("call.lua"), T.key])
        rep.check("--no-verify-ssl and --ca-bundle before run reach the script's client (self-signed TLS)",
                  [] if plain.rc == 3 and b"SSL validation failed" in plain.err and nv.rc == 0
                  and ca.rc == 0 and nv.out == ca.out != b"" else [detail(plain), detail(nv), detail(ca)])
        slow = "http://127.0.0.1:%d/mode/trickle/lua/" % hostile.info["http"]
        t0 = time.monotonic()
        rt = run(["--cli-read-timeout", "1", "--endpoint-url", slow, "run", ws.path("call.lua"), T.key],
                 {"AWS_MAX_ATTEMPTS": "1"}, timeout=60)
        secs = time.monotonic() - t0
        rep.check("--cli-read-timeout 1 before run: a stalling endpoint fails after ~1 s (%.1f s)" % secs,
                  [] if rt.rc == 3 and b"Read timeout" in rt.err and secs < 8 else [detail(rt)])
    else:
        rep.skip("--no-verify-ssl, --ca-bundle, --cli-read-timeout before run", "hostile server did not start")
    # --cli-connect-timeout: a listener whose backlog is full drops SYNs.
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    port = lst.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except (BlockingIOError, OSError):
                pass
            fillers.append(s)
        time.sleep(0.2)
        t0 = time.monotonic()
        ct = run(["--cli-connect-timeout", "1", "--endpoint-url", "http://127.0.0.1:%d/" % port, "run",
                  ws.path("call.lua"), T.key], {"AWS_MAX_ATTEMPTS": "1"}, timeout=60)
        secs = time.monotonic() - t0
        rep.check("--cli-connect-timeout 1 before run: an unanswered connect fails after ~1 s (%.1f s)" % secs,
                  [] if ct.rc == 3 and b"Connect timeout" in ct.err and secs < 8 else [detail(ct)])
    finally:
        for s in fillers:
            s.close()
        lst.close()
    # Global options that mean nothing for a script: 252, named, not run.
    marker = ws.path("ran")
    ws.write("mark.lua", 'io.open(arg[1], "w"):close()\n')
    for opts in (["--query", "a"], ["--output", "json"], ["--no-paginate"], ["--no-sign-request"],
                 ["--cli-binary-format", "base64"], ["--no-cli-pager"], ["--cli-auto-prompt"],
                 ["--no-cli-auto-prompt"]):
        for mode in (["run", ws.path("mark.lua"), marker], ["-e", 'io.open(arg[1], "w"):close()', marker]):
            r = run(opts + mode)
            ran = os.path.exists(marker)
            if ran:
                os.unlink(marker)
            rep.check("%s before %s: usage error 252 naming it, the script not run" % (" ".join(opts), mode[0]),
                      [] if r.rc == 252 and ("argument %s:" % opts[0]).encode() in r.err and not ran
                      else [detail(r), "ran" if ran else ""])


# ------------------------------------------------------ unknown actions ----

class Counting(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits = []
    BODY = (b'<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
            b'<GetAccessKeyLastUsedResult><UserName>counted</UserName><AccessKeyLastUsed>'
            b'<Region>N/A</Region><ServiceName>N/A</ServiceName></AccessKeyLastUsed>'
            b'</GetAccessKeyLastUsedResult><ResponseMetadata><RequestId>r</RequestId>'
            b'</ResponseMetadata></GetAccessKeyLastUsedResponse>')

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Counting.hits.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        self.wfile.write(self.BODY)

    def log_message(self, *a):
        pass


UNKNOWN = r'''
local aws = require "aws"
local iam = aws.client("iam", { endpoint_url = arg[1] })
local r, err = iam:call("getAccessKeyLastUsed", { AccessKeyId = "AKIAIOSFODNN7EXAMPLE" })
print(r, err.kind, err.code, err.suggestion, tostring(err))
r, err = iam:call("DescribeUsers", {})
print(r, err.kind, err.code)
local sts = aws.client("sts", { endpoint_url = arg[1] })
r, err = sts:call("GetCallerIdentities", {})
print(r, err.kind, err.suggestion)
print(pcall(function() for u in iam:paginate("ListUser", {}, "Users") do end end))
r = assert(iam:call("GetAccessKeyLastUsed", { AccessKeyId = "AKIAIOSFODNN7EXAMPLE" }))
print(r.UserName)
'''


def test_unknown_action(rep):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/" % srv.server_address[1]
    try:
        T.ws.write("unknown.lua", UNKNOWN)
        r = run(["run", T.ws.path("unknown.lua"), url])
        lines = out(r).splitlines()
        want = ["nil\tusage\tInvalidAction\tGetAccessKeyLastUsed\tUnknown action \"getAccessKeyLastUsed\" "
                "for iam; did you mean \"GetAccessKeyLastUsed\"?",
                "nil\tusage\tInvalidAction", "nil\tusage\tGetCallerIdentity"]
        p = [] if r.rc == 0 and lines[:3] == want else [detail(r)]
        if len(lines) < 5 or not lines[3].startswith("false\t") or "ListUsers" not in lines[3] \
                or lines[4] != "counted":
            p.append("paginate/valid call: %s" % lines[3:])
        if len(Counting.hits) != 1 or b"Action=GetAccessKeyLastUsed" not in Counting.hits[0]:
            p.append("server saw %d requests: %s" % (len(Counting.hits), Counting.hits[:3]))
        rep.check("an unknown action is refused locally (kind usage, InvalidAction, the closest name) "
                  "and sends nothing: the server counted only the valid call", p)
    finally:
        srv.shutdown()


# ------------------------------------------------------------- interrupt ----

LOOPS = {
    "pcall around a long loop": r'''
local aws = require "aws"
local t <close> = setmetatable({}, { __close = function() io.stderr:write("cleanup interrupted=", tostring(aws.interrupted()), "\n") end })
print("ready") io.stdout:flush()
local n = 0
while true do
  local ok, e = pcall(function() for i = 1, 1e6 do n = n + i end end)
  if not ok then io.stderr:write("caught\n") end
end
''',
    "pcall with the loop inside": r'''
local aws = require "aws"
local t <close> = setmetatable({}, { __close = function() io.stderr:write("cleanup interrupted=", tostring(aws.interrupted()), "\n") end })
print("ready") io.stdout:flush()
while true do
  print(pcall(function() local x = 0 while true do x = x + 1 end end))
end
''',
    "xpcall with a traceback handler, coroutines": r'''
local aws = require "aws"
local t <close> = setmetatable({}, { __close = function() io.stderr:write("cleanup interrupted=", tostring(aws.interrupted()), "\n") end })
print("ready") io.stdout:flush()
while true do
  local ok = xpcall(function() local co = coroutine.wrap(function() for i = 1, 1e5 do end end) co()
    print(coroutine.resume(coroutine.create(function() for i = 1, 1e5 do end error("x") end))) end,
    debug.traceback)
end
''',
    "pcall around aws.parallel of requests to a stalling server": r'''
local aws = require "aws"
local t <close> = setmetatable({}, { __close = function() io.stderr:write("cleanup interrupted=", tostring(aws.interrupted()), "\n") end })
local iam = aws.client("iam", { endpoint_url = arg[1], max_attempts = 1 })
print("ready") io.stdout:flush()
while true do
  local ids = {}
  for i = 1, 20 do ids[i] = i end
  print(pcall(aws.parallel, ids, function(i)
    local ok, r = pcall(iam.call, iam, "ListUsers", {})
    return r
  end, { concurrency = 8 }))
end
''',
    "pcall around requests to a stalling server": r'''
local aws = require "aws"
local t <close> = setmetatable({}, { __close = function() io.stderr:write("cleanup interrupted=", tostring(aws.interrupted()), "\n") end })
local iam = aws.client("iam", { endpoint_url = arg[1], max_attempts = 1 })
print("ready") io.stdout:flush()
while true do
  local ok, r, err = pcall(iam.call, iam, "ListUsers", {})
end
''',
}


def test_interrupt(rep):
    silent = H.SilentServer(hold=30)
    try:
        for name, src in LOOPS.items():
            path = T.ws.write("int_%d.lua" % len(name), src)
            argv = [bin_(), "run", path, silent.url]
            p = subprocess.Popen(argv, env=env(None, argv), cwd=elsewhere(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            try:
                ready = p.stdout.readline()
                time.sleep(0.5)
                t0 = time.monotonic()
                p.send_signal(signal.SIGINT)
                try:
                    o, e = p.communicate(timeout=10)
                    secs = time.monotonic() - t0
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    o, e = p.communicate()
                    secs = None
            finally:
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            rep.check("SIGINT during %s: exit 130 (one Ctrl-C), the __close cleanup ran, aws.interrupted() "
                      "true" % name,
                      [] if ready == b"ready\n" and p.returncode == 130 and secs is not None and secs < 5
                      and b"cleanup interrupted=true\n" in e
                      else ["rc=%s secs=%s ready=%r err=%s" % (p.returncode, secs, ready, H.show(e, 500))])
    finally:
        silent.close()


def main():
    rep = H.Reporter()
    hostile = None
    try:
        start()
        try:
            from test_hostile import Hostile
            hostile = Hostile()
        except Exception as e:  # reported as skips
            print("# hostile server: %s" % e)
        test_require(rep)
        test_user_dir(rep)
        test_globals(rep, hostile)
        test_unknown_action(rep)
        test_interrupt(rep)
    finally:
        if hostile:
            hostile.close()
        stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
