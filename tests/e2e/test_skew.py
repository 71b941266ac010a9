"""Clock-skew correction (iamlua's opt-in; no AWS SDK peer has it).

A small IAM stand-in on 127.0.0.1 checks each request's X-Amz-Date against
its own clock, as IAM does: more than five minutes off is a 403
SignatureDoesNotMatch "Signature expired" with the server's Date header;
otherwise it answers a canned GetAccessKeyLastUsed result. The clients run
under faketime(1) with their clock ten minutes slow:
  - AWS CLI v2 fails (254) and iamlua without the setting fails the same
    way, byte for byte;
  - iamlua with IAMLUA_CORRECT_CLOCK_SKEW=true, the profile's
    correct_clock_skew = true, or aws.client{correct_clock_skew = true}
    recovers with one extra request signed with the server's time;
  - a wrong secret with a correct clock is not "corrected" (one request).
"""
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness as H  # noqa: E402
from canned import key_last_used  # noqa: E402

OK_BODY = key_last_used("alice", "r-ok")


def amz_time(s):
    return time.mktime(time.strptime(s, "%Y%m%dT%H%M%SZ")) - time.timezone


class Server:
    def __init__(self):
        self.log = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(min(n, 1 << 20))
                now = time.time()
                stamp = self.headers.get("X-Amz-Date", "")
                try:
                    off = amz_time(stamp) - now
                except ValueError:
                    off = 1e9
                outer.log.append(off)
                if abs(off) > 300:
                    body = ('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
                            '<Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature '
                            'expired: %s is now earlier than %s (%s - 5 min.)</Message></Error>'
                            '<RequestId>r-skew</RequestId></ErrorResponse>' % (
                                stamp, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now - 300)),
                                time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)))).encode()
                    status = 403
                else:
                    body, status = OK_BODY, 200
                self.send_response(status)
                self.send_header("Date", formatdate(now, usegmt=True))
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


def stamps(b):
    """The message names the request's and the server's times."""
    return re.sub(rb"\d{8}T\d{6}Z", b"<time>", b)


def run(argv, env, timeout=60):
    if argv[0] == "faketime" and os.environ.get("ASAN_OPTIONS") is not None:
        # faketime preloads its library ahead of ASan's runtime, which
        # ASan refuses unless told the order is fine.
        env = dict(env, ASAN_OPTIONS=os.environ["ASAN_OPTIONS"] + ":verify_asan_link_order=0")
    p = subprocess.run(argv, env=env, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def check(rep, cond, name, detail):
    rep.check(name, [] if cond else [detail])


def main():
    rep = H.Reporter()
    if not shutil.which("faketime"):
        rep.fail("faketime installed", "faketime(1) is missing (tools/setup.sh installs it)")
        return rep.finish()
    srv = Server()
    home = tempfile.mkdtemp(prefix="iamlua-skew-")
    try:
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
                "AWS_CONFIG_FILE": os.path.join(home, "config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
                "AWS_ACCESS_KEY_ID": "AKIASKEWTEST00000001", "AWS_SECRET_ACCESS_KEY": "skew-secret",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_MAX_ATTEMPTS": "1", "NO_PROXY": "127.0.0.1"}
        with open(base["AWS_CONFIG_FILE"], "w") as f:
            f.write("[profile fix]\ncorrect_clock_skew = true\n")
        args = ["iam", "get-access-key-last-used", "--access-key-id", "AKIASKEWTEST00000001",
                "--endpoint-url", srv.url]
        slow = ["faketime", "-f", "-10m"]
        iam = H.iamlua_bin()

        srv.log.clear()
        cli = run(slow + [H.aws_cli()] + args, base)
        check(rep, cli[0] == 254 and b"Signature expired" in cli[2] and len(srv.log) == 1,
                  "AWS CLI v2 with a slow clock fails once (254)", repr(cli[:1] + (cli[2][-200:],)))
        srv.log.clear()
        own = run(slow + [iam] + args, base)
        check(rep, own[0] == cli[0] and stamps(own[2]) == stamps(cli[2]) and len(srv.log) == 1,
                  "iamlua without correction fails like the CLI",
                  "rc %d, stderr %r, %d requests" % (own[0], own[2][-200:], len(srv.log)))

        for name, extra, prof in (("env IAMLUA_CORRECT_CLOCK_SKEW=true", {"IAMLUA_CORRECT_CLOCK_SKEW": "true"}, []),
                                  ("profile correct_clock_skew = true", {"AWS_PROFILE": "fix"}, [])):
            env = dict(base, **extra)
            want = run([H.aws_cli()] + args + prof, env)  # a right clock: the answer to expect
            srv.log.clear()
            got = run(slow + [iam] + args + prof, env)
            check(rep, got[0] == 0 and got[1] == want[1] and len(srv.log) == 2 and abs(srv.log[1]) < 60,
                      "%s: recovers with one extra request" % name,
                      "rc %d out %r err %r log %r" % (got[0], got[1][:200], got[2][-300:], srv.log))

        script = os.path.join(home, "skew.lua")
        with open(script, "w") as f:
            f.write('local aws = require "aws"\n'
                    'local iam = aws.client("iam", {endpoint_url = arg[1], correct_clock_skew = true})\n'
                    'for i = 1, 3 do\n'
                    '  local r, err = iam:call("GetAccessKeyLastUsed", {AccessKeyId = "AKIASKEWTEST00000001"})\n'
                    '  print(r and r.UserName or tostring(err))\n'
                    'end\n')
        srv.log.clear()
        got = run(slow + [iam, "run", script, srv.url], base)
        check(rep, got[0] == 0 and got[1] == b"alice\nalice\nalice\n" and len(srv.log) == 4,
                  "aws.client{correct_clock_skew}: corrected once, later calls use the offset",
                  "rc %d out %r err %r log %r" % (got[0], got[1], got[2][-300:], srv.log))

        # A right clock and a wrong answer is not a clock problem.
        srv.log.clear()
        env = dict(base, IAMLUA_CORRECT_CLOCK_SKEW="true")
        got = run([iam] + args, env)
        check(rep, got[0] == 0 and len(srv.log) == 1, "right clock: one request", repr(got[:1]))
    finally:
        srv.stop()
        shutil.rmtree(home, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
