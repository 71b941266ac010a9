#!/usr/bin/env python3
"""Trust and what reaches the wire (issue 17 #5, #6, #7, #11, #12).

    python3 tests/e2e/test_trust.py    # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws)

Every server is local (tests/lib/rawsrv.py: one request per connection, raw
bytes kept). Groups:

tls      A CA bundle (--ca-bundle, AWS_CA_BUNDLE, ca_bundle in the config or
         aws.client) is the only trust, as in botocore, for IAM calls, the
         credential fetches (STS, container, SSO, IMDS) and an https://
         proxy. The "system store" here is a throwaway CA: each run that
         needs it runs in a private mount namespace (unshare -m) where a
         directory holding that CA (hashed, and as ca-certificates.crt) is
         bind-mounted over /etc/ssl/certs for that process alone; the real
         store is never written. Without unshare those cases are skipped
         (the unit test test_tls checks the same at the libcurl option
         level everywhere). "Trusted" means the server received the request;
         "refused" that it received nothing.
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

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
import rawsrv  # noqa: E402
from rawsrv import RawServer, http_response  # noqa: E402

AKID = "AKIATRUSTTESTKEY0000"
CREDS = {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": "trust-test-secret",
         "AWS_MAX_ATTEMPTS": "1"}
OP = ["iam", "get-access-key-last-used", "--access-key-id", "AKIAIOSFODNN7EXAMPLE",
      "--region", "us-east-1"]
DENIED = http_response(403, b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied"
                            b"</Code><Message>denied by the trust test</Message></Error>"
                            b"<RequestId>r-1</RequestId></ErrorResponse>")
EXPIRES = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
CREDS_JSON = json.dumps({"AccessKeyId": "ASIACONTAINERKEY0000", "SecretAccessKey": "c-secret",
                         "Token": "c-token", "Expiration": EXPIRES}).encode()
SECRET_PW = "S3cretPw"


def denied(head, body):
    return DENIED


def run(ws, argv, env=None, wrap=(), timeout=40):
    argv = [H.iamlua_bin()] + list(argv)
    return H.run(list(wrap) + argv, H.scrubbed_env(ws, env or {}, argv), timeout=timeout)


def lua(ws, text, args=(), env=None, wrap=()):
    p = ws.write("s.lua", text)
    return run(ws, ["run", p] + list(args), env, wrap)


def seen(srv, needle=b""):
    return [r for r in srv.requests() if needle in r]


class Ctx:
    pass


# ------------------------------------------------------------------ tls -----

def pki():
    d = tempfile.mkdtemp(prefix="iamlua-trust-pki.")
    rawsrv.make_ca(d, "sys")
    rawsrv.make_ca(d, "other")
    rawsrv.make_leaf(d, "srv", "sys")
    store = os.path.join(d, "store")
    os.makedirs(store)
    shutil.copy(os.path.join(d, "sys.pem"), os.path.join(store, "ca-certificates.crt"))
    shutil.copy(os.path.join(d, "sys.pem"),
                os.path.join(store, rawsrv.cert_hash(d, "sys") + ".0"))
    return d, store


def ns_wrap(store):
    """Runs the command with `store` mounted over /etc/ssl/certs, for it alone."""
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            'mount --bind "$0" /etc/ssl/certs && exec "$@"', store]


def ns_available(store):
    try:
        r = subprocess.run(ns_wrap(store) + ["true"], capture_output=True, timeout=20)
        return r.returncode == 0, r.stderr.decode(errors="replace").strip()[:120]
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)


def verdict(srv, res, want_trusted, needle=b""):
    got = bool(seen(srv, needle))
    p = []
    if res.timed_out:
        p.append("timed out")
    if got != want_trusted:
        p.append("the server %s (want %s); exit %s, stderr %s" % (
            "got the request" if got else "got nothing",
            "trusted" if want_trusted else "refused", res.rc, H.show(res.err, 300)))
    return p


def tls_cases(C):
    """(name, needs the namespace, fn(ws, srv) -> problems)."""
    other, sys_ca = os.path.join(C.pki, "other.pem"), os.path.join(C.pki, "sys.pem")
    cases = []

    def cli(name, args, env, want, ns=True, files=None):
        def f(ws, srv):
            for rel, text in (files or {}).items():
                ws.write(rel, text.replace("{other}", other))
            res = run(ws, OP + ["--endpoint-url", srv.url] + args, dict(CREDS, **env),
                      C.ns if ns else ())
            p = verdict(srv, res, want)
            if not want and b"SSL validation failed for" not in res.err:
                p.append("stderr lacks 'SSL validation failed for': %s" % H.show(res.err, 200))
            if not want and res.rc != 255:
                p.append("exit %s, want 255" % res.rc)
            return p
        cases.append((name, ns, f))

    cli("no bundle: a CA in the system store is trusted", [], {}, True)
    cli("--ca-bundle: a CA only in the system store is refused", ["--ca-bundle", other], {},
        False)
    cli("AWS_CA_BUNDLE: a CA only in the system store is refused", [],
        {"AWS_CA_BUNDLE": other}, False)
    cli("ca_bundle in the config: a CA only in the system store is refused", [], {}, False,
        files={"config": "[default]\nca_bundle = {other}\n"})
    cli("--ca-bundle holding the CA: trusted on its own", ["--ca-bundle", sys_ca], {}, True,
        ns=False)
    cli("--no-verify-ssl with a bundle that lacks the CA: sent", ["--no-verify-ssl",
                                                                  "--ca-bundle", other], {},
        True)

    def client(ws, srv):
        res = lua(ws, 'local aws = require "aws"\n'
                      'local c = aws.client("iam", { endpoint_url = arg[1], region = "us-east-1",'
                      ' ca_bundle = arg[2] })\n'
                      'local r, e = c:call("ListUsers")\nprint(r, e)\n',
                  [srv.url, other], CREDS, C.ns)
        return verdict(srv, res, False)
    cases.append(("aws.client ca_bundle: a CA only in the system store is refused", True,
                  client))

    def oracle(ws, srv):
        argv = [H.aws_cli()] + OP + ["--endpoint-url", srv.url, "--ca-bundle", other]
        res = H.run(C.ns + argv, H.scrubbed_env(ws, CREDS, argv), timeout=60)
        p = verdict(srv, res, False)
        if b"SSL validation failed for" not in res.err:
            p.append("AWS CLI stderr %s" % H.show(res.err, 200))
        return p
    cases.append(("oracle: the AWS CLI refuses it too with --ca-bundle", True, oracle))

    # credential fetches: the credential endpoint is the TLS server
    def creds_case(label, env, files, needle):
        for bundle in (None, other):
            def f(ws, srv, bundle=bundle):
                e = dict(env)
                for k, v in e.items():
                    if isinstance(v, str):
                        e[k] = v.replace("{srv}", srv.url)
                if bundle:
                    e["AWS_CA_BUNDLE"] = bundle
                for rel, text in files.items():
                    ws.write(rel, text)
                if label == "SSO":
                    sso_token(ws, "sso-token")
                res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"], e, C.ns)
                return verdict(srv, res, bundle is None, needle)
            cases.append(("%s fetch %s" % (label, "with a bundle that lacks the CA: refused"
                                           if bundle else "without a bundle: trusted"),
                          True, f))

    role = ("[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\n"
            "source_profile = base\n[profile base]\n")
    creds_case("STS assume-role", {"AWS_ENDPOINT_URL_STS": "{srv}"},
               {"config": role, "credentials": "[base]\naws_access_key_id = %s\n"
                "aws_secret_access_key = s\n" % AKID}, b"Action=AssumeRole")
    creds_case("container", {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{srv}/creds"}, {},
               b"/creds")
    creds_case("SSO", {"AWS_ENDPOINT_URL_SSO": "{srv}"}, {"config": SSO_CONFIG},
               b"/federation/credentials")
    creds_case("IMDS", {"AWS_EC2_METADATA_DISABLED": None,
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{srv}/"}, {},
               b"/latest/api/token")
    return cases


def proxy_tls_cases(C):
    other, sys_ca = os.path.join(C.pki, "other.pem"), os.path.join(C.pki, "sys.pem")
    cases = []

    def add(name, ns, args, want):
        def f(ws, proxy):
            env = dict(CREDS, HTTP_PROXY=proxy.url, HTTPS_PROXY=proxy.url)
            res = run(ws, OP + ["--endpoint-url", "http://127.0.0.1:9/"] + args, env,
                      C.ns if ns else ())
            return verdict(proxy, res, want, b"POST http://127.0.0.1:9/")
        cases.append((name, ns, f))
    add("https proxy: --ca-bundle holding its CA verifies it", False, ["--ca-bundle", sys_ca],
        True)
    add("https proxy: --no-verify-ssl covers the proxy", False, ["--no-verify-ssl"], True)
    add("https proxy: a proxy nobody trusts is refused", False, [], False)
    add("https proxy, no bundle: the system store's CA is trusted", True, [], True)
    add("https proxy: a bundle replaces the system store for the proxy too", True,
        ["--ca-bundle", other], False)
    return cases


def run_tls(rep, C):
    ok, why = ns_available(C.store)
    C.ns = ns_wrap(C.store)
    groups = [(tls_cases(C), lambda: RawServer(denied, rawsrv.server_ctx(C.pki, "srv"))),
              (proxy_tls_cases(C), lambda: RawServer(denied, rawsrv.server_ctx(C.pki, "srv")))]
    for cases, mk in groups:
        for name, ns, fn in cases:
            name = "tls: " + name
            if ns and not ok:
                rep.skip(name, "no private mount namespace here (%s); test_tls covers it at the "
                               "libcurl option level" % why)
                continue
            ws, srv = H.Workspace(prefix="iamlua-trust."), mk()
            try:
                rep.check(name, fn(ws, srv))
            except Exception as e:
                rep.fail(name, "%s: %s" % (type(e).__name__, e))
            finally:
                srv.close()
                ws.cleanup()


# ----------------------------------------------------------------- wire -----

SSO_CONFIG = ("[default]\nsso_session = dev\nsso_account_id = 123456789012\n"
              "sso_role_name = SSORole\nregion = us-east-1\n[sso-session dev]\n"
              "sso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n")


def sso_token(ws, token):
    d = os.path.join(ws.home, ".aws", "sso", "cache")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(b"dev").hexdigest() + ".json"), "w") as f:
        json.dump({"startUrl": "https://x.awsapps.com/start", "region": "us-east-1",
                   "accessToken": token, "expiresAt": EXPIRES}, f)


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

def main():
    rep = H.Reporter()
    C = Ctx()
    C.pki, C.store = pki()
    deadline = time.monotonic() + float(os.environ.get("IAMLUA_TRUST_DEADLINE", "240"))
    try:
        run_tls(rep, C)
        jobs, names = [], []
        for name, answer, fn in wire_cases():
            def j(answer=answer, fn=fn):
                ws, srv = H.Workspace(prefix="iamlua-trust."), RawServer(answer)
                try:
                    return fn(ws, srv)
                finally:
                    srv.close()
                    ws.cleanup()
            jobs.append(j)
            names.append("wire: " + name)
        closed = H.closed_port()
        for name, fn in proxy_cases(closed.port):
            def j(fn=fn):
                ws = H.Workspace(prefix="iamlua-trust.")
                try:
                    return fn(ws)
                finally:
                    ws.cleanup()
            jobs.append(j)
            names.append("proxy: " + name)
        hproxy = RawServer(container_answer)
        for name, url, i in host_cases():
            def j(url=url, i=i):
                ws = H.Workspace(prefix="iamlua-trust.")
                try:
                    return h_case(ws, hproxy, i, url)
                finally:
                    ws.cleanup()
            jobs.append(j)
            names.append("hosts: %s as botocore decides" % name)

        def trace_job():
            ws, srv = H.Workspace(prefix="iamlua-trust."), RawServer(denied)
            try:
                return t_long_line(ws, srv)
            finally:
                srv.close()
                ws.cleanup()
        jobs.append(trace_job)
        names.append("trace: a 4 KB trace line comes out whole")
        for i, res in H.run_ordered(jobs, H.workers(), deadline):
            if isinstance(res, Exception):
                rep.fail(names[i], "%s: %s" % (type(res).__name__, res))
            else:
                rep.check(names[i], res)
        hproxy.close()
    finally:
        shutil.rmtree(C.pki, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
