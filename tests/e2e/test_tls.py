#!/usr/bin/env python3
"""test_tls.py: TLS as core/transport.c and core/tlsinit.c set it up --
connections and TLS sessions of a batch over https, counted by the server;
openssl.cnf, which OpenSSL now reads only before the first TLS connection,
still applied; OpenSSL's errors still written with their strings.

A local TLS server (Python's ssl, a certificate from a CA generated here
with the openssl CLI, given to iamlua as AWS_CA_BUNDLE) answers
GetAccessKeyLastUsed with a canned body and records, per connection,
whether the client resumed a TLS session. Its first answer is held back
for a moment, so that without the transport's session gate every other
task would have made its own full handshake meanwhile.

- aws.parallel at concurrency 16: at most 16 connections, and the ones
  opened after the first answer resume a session (usually 15 of 16; on a
  loaded machine some still make full handshakes, see
  tests/bench/PROFILE.md; without the gate none resumes);
- concurrency 1: one connection for every call;
- a CA bundle that does not verify the server: every call fails with the
  CLI's SSL error and none waits for long (a failed first transfer opens
  the gate for the others);
- OPENSSL_CONF naming a file whose system_default asks for TLS 1.3 while
  the server offers only 1.2: the call fails (without it, it succeeds);
  a file whose module cannot load, with config_diagnostics on: ignored,
  as curl(1) ignores it;
- https to a plain http port: the message ends with OpenSSL's error as
  curl(1) prints it ("SSL routines::wrong version number")."""
import http.server
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
import rawsrv  # noqa: E402
from canned import CannedHandler, CannedServer  # noqa: E402

FIRST_DELAY = 0.15     # seconds the first answer of a run is held back

SCRIPT = r'''
local aws = require "aws"
local url, n, conc = arg[1], tonumber(arg[2]), tonumber(arg[3])
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1" })
local items = {}
for i = 1, n do items[i] = ("AKIA%016d"):format(i) end
local res, errs = aws.parallel(items, function(k)
    local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = k })
    if not r then return err.code .. ": " .. err.message end
    return r.UserName
end, { concurrency = conc })
local counts = {}
for i = 1, n do
    local v = res[i] or tostring(errs[i])
    v = v:match("^SSLError") and "SSLError" or v
    counts[v] = (counts[v] or 0) + 1
end
for k, c in pairs(counts) do print(c, k) end
'''


class Handler(CannedHandler):
    def setup(self):
        # The handshake runs here, in the connection's thread, so clients
        # connecting together are served together.
        try:
            self.request.do_handshake()
        except (OSError, ssl.SSLError):
            self.server.note(None)
            raise
        self.server.note(self.request.session_reused)
        super().setup()

    def answer(self, body):
        if self.server.first_answer():
            time.sleep(FIRST_DELAY)
        return super().answer(body)


class PlainHandler(http.server.BaseHTTPRequestHandler):
    """Answers a TLS ClientHello with an HTTP 400, as any plain server."""

    def log_message(self, *a):
        pass


class TLSServer(CannedServer):
    scheme = "https"

    def __init__(self, ctx):
        super().__init__(Handler)
        self.ctx = ctx
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.full = self.resumed = self.failed = 0
            self.answered = 0

    def note(self, reused):
        with self.lock:
            if reused is None:
                self.failed += 1
            elif reused:
                self.resumed += 1
            else:
                self.full += 1

    def first_answer(self):
        with self.lock:
            self.answered += 1
            return self.answered == 1

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.ctx.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass  # a refused handshake is what one case expects


def tool_env(ws, url, extra):
    env = {"AWS_ACCESS_KEY_ID": "AKIACANNED0000000001", "AWS_SECRET_ACCESS_KEY": "canned",
           "AWS_DEFAULT_REGION": "us-east-1"}
    env.update(extra)
    return H.scrubbed_env(ws, env, ["--endpoint-url", url])


def run_batch(ws, script, url, ca, n, conc):
    env = tool_env(ws, url, {"AWS_CA_BUNDLE": ca})
    res = H.run([H.iamlua_bin(), "run", script, url, str(n), str(conc)], env, timeout=120)
    return res.out.decode(errors="replace").split(), res


def one_call(ws, url, extra):
    return H.run([H.iamlua_bin(), "iam", "get-access-key-last-used", "--access-key-id",
                  "AKIACANNED0000000001", "--endpoint-url", url],
                 tool_env(ws, url, extra), timeout=60)


TLS13_ONLY = """openssl_conf = init
[init]
ssl_conf = ssl
[ssl]
system_default = tls
[tls]
MinProtocol = TLSv1.3
"""
BROKEN = "config_diagnostics = 1\nopenssl_conf = init\n[init]\nnosuchmodule = x\n"


def openssl_conf_cases(rep, ws, d, ca):
    """A server that offers TLS 1.2 only, and config files for the client."""
    ctx = rawsrv.server_ctx(d, "leaf")
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    srv = TLSServer(ctx).start()
    url = srv.url
    srv.first_answer()  # no held-back answer here
    plain = one_call(ws, url, {"AWS_CA_BUNDLE": ca})
    rep.check("TLS 1.2 server, default configuration: the call succeeds",
              [] if plain.rc == 0 and b'"canned"' in plain.out else [H.show(plain.err)])
    conf = ws.write("tls13.cnf", TLS13_ONLY)
    res = one_call(ws, url, {"AWS_CA_BUNDLE": ca, "OPENSSL_CONF": conf})
    rep.check("OPENSSL_CONF with MinProtocol TLSv1.3: the TLS 1.2 server is refused",
              [] if res.rc == 255 and b"SSL validation failed for" in res.err
              else ["rc %r, stderr %s" % (res.rc, H.show(res.err))])
    conf = ws.write("broken.cnf", BROKEN)
    res = one_call(ws, url, {"AWS_CA_BUNDLE": ca, "OPENSSL_CONF": conf})
    cres = H.run(["curl", "-sS", "-o", "/dev/null", "--cacert", ca, url + "/"],
                 tool_env(ws, url, {"OPENSSL_CONF": conf}), timeout=60)
    rep.check("a configuration that fails with config_diagnostics: ignored, as curl does",
              [] if res.rc == 0 and b'"canned"' in res.out and cres.rc == 0
              else ["rc %r (curl %r), stderr %s" % (res.rc, cres.rc, H.show(res.err))])
    srv.shutdown()


def plain_port_case(rep, ws):
    """https to a plain http server: libcurl's message, as curl prints it."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PlainHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "https://127.0.0.1:%d/" % srv.server_address[1]
    res = one_call(ws, url, {})
    cres = H.run(["curl", "-sS", "-o", "/dev/null", url], tool_env(ws, url, {}), timeout=60)
    want = cres.err.decode(errors="replace").strip().split(") ", 1)[-1]
    got = res.err.decode(errors="replace").strip()
    rep.check("https to an http port: the message ends with curl's text (%s)" % want,
              [] if res.rc == 255 and want and "SSL routines" in want and got.endswith(want)
              else ["rc %r, got %r, curl says %r" % (res.rc, got, want)])
    srv.shutdown()


def main():
    rep = H.Reporter()
    ws = H.Workspace()
    d = tempfile.mkdtemp(prefix="iamlua-tls.", dir=ws.root)
    try:
        # ca.pem (the bundle) issued leaf.pem for 127.0.0.1; other.pem did not
        rawsrv.make_ca(d, "ca")
        rawsrv.make_ca(d, "other")
        rawsrv.make_leaf(d, "leaf", "ca")
        srv = TLSServer(rawsrv.server_ctx(d, "leaf")).start()
        url = srv.url
        script = ws.write("batch.lua", SCRIPT)
        ca, other = os.path.join(d, "ca.pem"), os.path.join(d, "other.pem")

        out, res = run_batch(ws, script, url, ca, 200, 16)
        conns = srv.full + srv.resumed
        rep.check("c=16, 200 calls: all answered on at most 16 connections, the others "
                  "resuming the first one's session (%d full, %d resumed)"
                  % (srv.full, srv.resumed),
                  [] if out == ["200", "canned"] and 1 <= conns <= 16
                  and srv.resumed >= 1 and srv.failed == 0
                  else ["out %r, %d full, %d resumed, %d failed, stderr %s"
                        % (out, srv.full, srv.resumed, srv.failed, H.show(res.err))])

        srv.reset()
        out, res = run_batch(ws, script, url, ca, 50, 1)
        rep.check("c=1, 50 calls: one connection",
                  [] if out == ["50", "canned"] and srv.full + srv.resumed == 1
                  else ["out %r, %d full, %d resumed, stderr %s"
                        % (out, srv.full, srv.resumed, H.show(res.err))])

        srv.reset()
        t0 = time.monotonic()
        out, res = run_batch(ws, script, url, other, 32, 16)
        secs = time.monotonic() - t0
        rep.check("a CA bundle that does not verify the server: 32 calls fail with "
                  "SSLError (%.1f s, %d handshakes refused)" % (secs, srv.failed),
                  [] if out == ["32", "SSLError"] and srv.full + srv.resumed == 0
                  and srv.failed <= 32 * 5 and secs < 20
                  else ["out %r in %.1f s, %d refused, stderr %s"
                        % (out, secs, srv.failed, H.show(res.err))])
        srv.shutdown()
        openssl_conf_cases(rep, ws, d, ca)
        plain_port_case(rep, ws)
    except (OSError, subprocess.SubprocessError, ssl.SSLError) as e:
        rep.fail("set-up", str(e))
    finally:
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())
