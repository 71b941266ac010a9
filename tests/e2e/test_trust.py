#!/usr/bin/env python3
"""What reaches the wire and what is shown (issue 17 #6, #7, #11, #12).

    python3 tests/e2e/test_trust.py    # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws)

Every server is local (tests/lib/rawsrv.py: one request per connection, raw
bytes kept); the CA bundle rule (#5) is tests/e2e/test_cabundle.py. Groups:

wire     CR, LF and NUL never split a header line: user_agent, the container
         authorization token (file), the IMDS session token, the SSO access
         token, the endpoint URL (compared with the AWS CLI), the session
         token, and aws.sign's arguments.
proxy    A proxy's user name and password never appear: the ProxyConnection
         message equals botocore's mask_proxy_url for each URL form (botocore
         imported as the oracle; one form also byte for byte against the AWS
         CLI), and --debug traces and Lua error objects hold no password,
         also when libcurl quotes the proxy URL (an unknown scheme, bad
         syntax) and for a credential fetch through the proxy.
hosts    AWS_CONTAINER_CREDENTIALS_FULL_URI hosts decided as botocore's
         ContainerMetadataFetcher._validate_allowed_url decides them (imported
         and called for each URL); every request goes to a recording proxy,
         so an allowed host is seen there and nothing leaves 127.0.0.1.
trace    A 4 KB trace line comes out whole.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
from rawsrv import RawServer, http_response  # noqa: E402
from trustcommon import (AKID, CREDS, CREDS_JSON, DENIED, OP, SECRET_PW,  # noqa: E402
                         SSO_CONFIG, denied, lua, run, seen, sso_token)


# ----------------------------------------------------------------- wire -----

def injected(srv):
    """Requests in which a smuggled header line arrived."""
    return [H.show(r, 200) for r in srv.requests() if b"\nX-Injected" in r]


def w_user_agent(ws, srv, ua, needle):
    res = lua(ws, 'local aws = require "aws"\n'
                  'local ok, c = pcall(aws.client, "iam", { endpoint_url = arg[1],'
                  ' region = "us-east-1", user_agent = %s })\n'
                  'if ok then print("SENT", c:call("ListUsers")) else print("REFUSED", c) end\n'
                  % ua, [srv.url], CREDS)
    p = ["header injected: %s" % x for x in injected(srv)]
    if b"REFUSED" not in res.out or needle not in res.out:
        p.append("aws.client did not refuse it: %s %s" % (H.show(res.out), H.show(res.err)))
    if srv.requests():
        p.append("a request was sent: %s" % H.show(srv.requests()[0], 200))
    return p


def w_container_token(ws, srv, token, msg):
    ws.write("tok", token)
    res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"], {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.url + "/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": ws.path("tok")})
    p = ["header injected: %s" % x for x in injected(srv)]
    if srv.requests():
        p.append("the endpoint got %s" % H.show(srv.requests()[0], 200))
    if msg not in res.err or res.rc != 255:
        p.append("exit %s, stderr %s (want %s)" % (res.rc, H.show(res.err, 200), msg))
    return p


def imds_answer(head, body):
    if head.startswith(b"PUT /latest/api/token"):
        return http_response(200, b"tok\r\nX-Injected: yes", "text/plain")
    return http_response(404, b"", "text/plain")


def w_imds(ws, srv):
    res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"], {
        "AWS_EC2_METADATA_DISABLED": None,
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": srv.url + "/"})
    p = ["header injected: %s" % x for x in injected(srv)]
    if not seen(srv, b"PUT /latest/api/token"):
        p.append("IMDS was never asked (exit %s %s)" % (res.rc, H.show(res.err, 200)))
    return p


def w_sso(ws, srv):
    sso_token(ws, "tok\r\nX-Injected: yes")
    ws.write("config", SSO_CONFIG)
    res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"],
              {"AWS_ENDPOINT_URL_SSO": srv.url})
    p = ["header injected: %s" % x for x in injected(srv)]
    if res.rc != 255:
        p.append("exit %s, stderr %s" % (res.rc, H.show(res.err, 200)))
    return p


def w_endpoint(ws, srv):
    url = srv.url + "\r\nX-Injected: yes"
    mine = run(ws, OP + ["--endpoint-url", url], CREDS)
    argv = [H.aws_cli()] + OP + ["--endpoint-url", url]
    cli = H.run(argv, H.scrubbed_env(ws, CREDS, argv), timeout=60)
    p = ["header injected: %s" % x for x in injected(srv)]
    if (mine.rc, mine.err) != (cli.rc, cli.err):
        p.append("iamlua exit %s %s; AWS CLI exit %s %s" % (mine.rc, H.show(mine.err, 150),
                                                           cli.rc, H.show(cli.err, 150)))
    return p


def w_session_token(ws, srv):
    res = run(ws, OP + ["--endpoint-url", srv.url],
              dict(CREDS, AWS_SESSION_TOKEN="tok\r\nX-Injected: yes"))
    p = ["header injected: %s" % x for x in injected(srv)]
    if srv.requests() or res.rc != 255:
        p.append("exit %s, %d requests" % (res.rc, len(srv.requests())))
    return p


SIGN = r'''
local aws = require "aws"
local c = { access_key_id = "AKIDEXAMPLE", secret_access_key = "s" }
local function try(name, t)
    t.service, t.region, t.credentials = "iam", "us-east-1", t.credentials or c
    t.url = t.url or "https://iam.amazonaws.com/"
    local ok, s = pcall(aws.sign, t)
    if ok then
        for _, h in ipairs(s.headers) do
            if (h[1] .. h[2]):find("[\r\n%z]") then print("LEAKED", name) end
        end
        print("ACCEPTED", name)
    else
        print("REFUSED", name, s)
    end
end
try("value CR LF", { headers = {{ "X-A", "ok\r\nX-Injected: yes" }} })
try("value LF", { headers = {{ "X-A", "ok\nX-Injected: yes" }} })
try("value NUL", { headers = {{ "X-A", "ok\0X-Injected: yes" }} })
try("name CR LF", { headers = {{ "X-A\r\nX-Injected", "yes" }} })
try("url CR LF", { url = "https://h\r\nX-Injected: yes/" })
try("token NUL", { credentials = { access_key_id = "AKIDEXAMPLE", secret_access_key = "s",
                                   session_token = "tok\0X-Injected: yes" } })
try("plain", { headers = {{ "X-A", "ok" }} })
'''


def w_sign(ws, srv):
    res = lua(ws, SIGN)
    lines = res.out.decode(errors="replace").splitlines()
    p = [l for l in lines if l.startswith("LEAKED")]
    for name in ["value CR LF", "value LF", "value NUL", "name CR LF", "url CR LF", "token NUL"]:
        if not any(l.startswith("REFUSED\t" + name + "\t") and "bad argument #1" in l
                   for l in lines):
            p.append("%s not refused: %s" % (name, H.show(res.out + res.err, 300)))
    if "ACCEPTED\tplain" not in lines:
        p.append("a plain header was not signed: %s" % H.show(res.out + res.err, 300))
    return p


def wire_cases():
    return [
        ("aws.client user_agent with CR LF is refused, nothing sent",
         denied, lambda ws, s: w_user_agent(ws, s, r'"ok\r\nX-Injected: yes"', b"CR, LF")),
        ("aws.client user_agent with NUL is refused, nothing sent",
         denied, lambda ws, s: w_user_agent(ws, s, r'"ok\0X-Injected: yes"', b"NUL")),
        ("container token file with NUL is refused before sending",
         denied, lambda ws, s: w_container_token(ws, s, b"good\0X-Injected: yes",
                                                 b"Auth token value is not a legal header value")),
        ("container token file with CR LF is refused (botocore's message)",
         denied, lambda ws, s: w_container_token(ws, s, b"good\r\nX-Injected: yes",
                                                 b"Auth token value is not a legal header value")),
        ("IMDS session token with CR LF never becomes two headers", imds_answer, w_imds),
        ("SSO access token with CR LF never becomes two headers", denied, w_sso),
        ("endpoint URL with CR LF: the AWS CLI's Invalid endpoint, nothing sent", denied,
         w_endpoint),
        ("AWS_SESSION_TOKEN with CR LF is refused, nothing sent", denied, w_session_token),
        ("aws.sign refuses CR, LF and NUL in headers, url and token", denied, w_sign),
    ]


# ---------------------------------------------------------------- proxy -----

def botocore_mask(url):
    from botocore.httpsession import ProxyConfiguration, mask_proxy_url
    return mask_proxy_url(ProxyConfiguration()._fix_proxy_url(url))


def proxy_forms(port):
    return ["http://alice:%s@127.0.0.1:%d" % (SECRET_PW, port),
            "http://alice@127.0.0.1:%d" % port,
            "http://:%s@127.0.0.1:%d" % (SECRET_PW, port),
            "alice:%s@127.0.0.1:%d" % (SECRET_PW, port),
            "//alice:%s@127.0.0.1:%d" % (SECRET_PW, port),
            "http://al%%40ice:%s%%3A@127.0.0.1:%d" % (SECRET_PW, port),
            "https://alice:%s@127.0.0.1:%d" % (SECRET_PW, port),
            "http://127.0.0.1:%d" % port]


def no_password(res):
    out = res.out + res.err
    return ["the password in %s" % H.show(out[max(0, out.find(SECRET_PW.encode()) - 80):], 160)] \
        if SECRET_PW.encode() in out else []


def p_form(ws, proxy):
    res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"],
              dict(CREDS, HTTP_PROXY=proxy))
    want = b'\nFailed to connect to proxy URL: "%s"\n' % botocore_mask(proxy).encode()
    p = no_password(res)
    if res.err != want or res.rc != 255:
        p.append("exit %s, stderr %s, want %s" % (res.rc, H.show(res.err), H.show(want)))
    return p


def p_cli(ws, port):
    proxy = "http://alice:%s@127.0.0.1:%d" % (SECRET_PW, port)
    env = dict(CREDS, HTTP_PROXY=proxy)
    mine = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"], env)
    argv = [H.aws_cli()] + OP + ["--endpoint-url", "http://127.0.0.1:9/"]
    cli = H.run(argv, H.scrubbed_env(ws, env, argv), timeout=60)
    p = no_password(mine)
    if (mine.rc, mine.err) != (cli.rc, cli.err):
        p.append("iamlua exit %s %s; AWS CLI exit %s %s" % (mine.rc, H.show(mine.err),
                                                           cli.rc, H.show(cli.err)))
    return p


def p_debug(ws, proxy):
    res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/", "--debug"],
              dict(CREDS, HTTP_PROXY=proxy))
    p = no_password(res)
    if res.rc != 255 or b"Transport error" not in res.err:
        p.append("exit %s, no transport error traced: %s" % (res.rc, H.show(res.err, 300)))
    return p


def p_lua(ws, proxy):
    res = lua(ws, 'local aws = require "aws"\n'
                  'local c = aws.client("iam", { endpoint_url = "http://127.0.0.1:9/",'
                  ' region = "us-east-1", debug = print })\n'
                  'local r, e = c:call("ListUsers")\n'
                  'print(e.code, e.message, tostring(e))\n', [], dict(CREDS, HTTP_PROXY=proxy))
    p = no_password(res)
    if b"ProxyConnectionError" not in res.out:
        p.append("no ProxyConnectionError: %s %s" % (H.show(res.out, 200), H.show(res.err, 200)))
    return p


def p_sts(ws, proxy):
    ws.write("config", "[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:"
                       "role/r\nsource_profile = base\n[profile base]\n")
    ws.write("credentials", "[base]\naws_access_key_id = %s\naws_secret_access_key = s\n" % AKID)
    res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/", "--debug"],
              {"HTTP_PROXY": proxy, "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9/"})
    p = no_password(res)
    if res.rc != 255:
        p.append("exit %s: %s" % (res.rc, H.show(res.err, 200)))
    return p


def proxy_cases(port):
    C = []
    for form in proxy_forms(port):
        C.append(("message for %s equals botocore's mask_proxy_url" % form.replace(
            SECRET_PW, "PW"), lambda ws, f=form: p_form(ws, f)))
    C.append(("message byte for byte as the AWS CLI's", lambda ws: p_cli(ws, port)))
    for label, form in [("a closed proxy", "http://alice:%s@127.0.0.1:%d"),
                        ("an unknown scheme (libcurl quotes the URL)", "socks9://alice:%s@127.0.0.1:%d"),
                        ("bad syntax (libcurl quotes the URL)", "http://alice:%s x@127.0.0.1:%d")]:
        proxy = form % (SECRET_PW, port)
        C.append(("--debug with %s: no password" % label, lambda ws, p=proxy: p_debug(ws, p)))
        C.append(("aws.client debug and error with %s: no password" % label,
                  lambda ws, p=proxy: p_lua(ws, p)))
    C.append(("assume-role through a proxy libcurl quotes: no password",
              lambda ws: p_sts(ws, "socks9://alice:%s@127.0.0.1:%d" % (SECRET_PW, port))))
    return C


# ---------------------------------------------------------------- hosts -----

HOSTS = ["127.0.0.1", "127.0.0.2", "127.255.255.254", "127.1", "127.0.0.01", "0177.0.0.1",
         "2130706433", "127.attacker.example", "127.0.0.1.attacker.example",
         "localhost", "LOCALHOST", "localhost.attacker.example", "169.254.170.2",
         "169.254.170.23", "169.254.170.3", "128.0.0.1", "10.0.0.1", "attacker.example",
         "[::1]", "[0:0:0:0:0:0:0:1]", "[::0.0.0.1]", "[::ffff:127.0.0.1]", "[::2]",
         "[fd00:ec2::23]", "[FD00:EC2::23]", "[fd00:ec2::24]", "[::1%25lo]"]


def botocore_allows(url):
    from botocore.utils import ContainerMetadataFetcher
    try:
        ContainerMetadataFetcher()._validate_allowed_url(url)
        return True, None
    except ValueError as e:
        return False, str(e)


def container_answer(head, body):
    if b"/creds/" in head.split(b"\r\n", 1)[0]:
        return http_response(200, CREDS_JSON, "application/json")
    return DENIED


def h_case(ws, proxy, i, url):
    want, msg = botocore_allows(url)
    res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"],
              {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok-%d" % i,
               "HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url})
    marker = b"/creds/%d " % i if url.startswith("http:") else b"CONNECT "
    got = any(marker in r.split(b"\r\n", 1)[0] and b"tok-%d" % i in r or
              (url.startswith("https:") and r.startswith(b"CONNECT attacker.example"))
              for r in proxy.requests())
    p = []
    if got != want:
        p.append("iamlua %s it, botocore %s it (exit %s, %s)" % (
            "fetched" if got else "refused", "allows" if want else "refuses", res.rc,
            H.show(res.err, 200)))
    if not want and msg.encode() not in res.err:
        p.append("stderr %s lacks botocore's message %r" % (H.show(res.err, 300), msg))
    return p


def host_cases():
    C = []
    for i, h in enumerate(HOSTS):
        C.append(("http://%s/creds" % h, "http://%s/creds/%d" % (h, i), i))
    C.append(("https://attacker.example/creds", "https://attacker.example/creds/%d" % len(HOSTS),
              len(HOSTS)))
    return C


# ---------------------------------------------------------------- trace -----

def t_long_line(ws, srv):
    name = "u" * 4095 + "Z"
    res = lua(ws, 'local aws = require "aws"\n'
                  'local c = aws.client("iam", { endpoint_url = arg[1], region = "us-east-1",'
                  ' debug = function(l) io.stdout:write("TRACE ", l, "\\n") end })\n'
                  'c:call("GetUser", { UserName = arg[2] })\n', [srv.url, name], CREDS)
    line = next((l for l in res.out.split(b"\n") if l.startswith(b"TRACE Sending POST")), b"")
    if not line.endswith(b"UserName=" + name.encode()):
        return ["the Sending line is %d bytes, ends %s" % (len(line), H.show(line[-60:]))]
    return []


# ----------------------------------------------------------------- main -----

def isolated(fn, answer=None):
    """A job running fn(ws[, srv]) in its own workspace (and server)."""
    def job():
        ws = H.Workspace(prefix="iamlua-trust.")
        srv = RawServer(answer) if answer else None
        try:
            return fn(ws, srv) if srv else fn(ws)
        finally:
            if srv:
                srv.close()
            ws.cleanup()
    return job


def main():
    rep = H.Reporter()
    deadline = time.monotonic() + float(os.environ.get("IAMLUA_TRUST_DEADLINE", "240"))
    jobs, names = [], []
    for name, answer, fn in wire_cases():
        jobs.append(isolated(fn, answer))
        names.append("wire: " + name)
    for name, fn in proxy_cases(H.closed_port().port):
        jobs.append(isolated(fn))
        names.append("proxy: " + name)
    hproxy = RawServer(container_answer)
    for name, url, i in host_cases():
        jobs.append(isolated(lambda ws, url=url, i=i: h_case(ws, hproxy, i, url)))
        names.append("hosts: %s as botocore decides" % name)
    jobs.append(isolated(t_long_line, denied))
    names.append("trace: a 4 KB trace line comes out whole")
    try:
        for i, res in H.run_ordered(jobs, H.workers(), deadline):
            if isinstance(res, Exception):
                rep.fail(names[i], "%s: %s" % (type(res).__name__, res))
            else:
                rep.check(names[i], res)
    finally:
        hproxy.close()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
