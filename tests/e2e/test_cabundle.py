#!/usr/bin/env python3
"""A CA bundle is the only trust (issue 17 #5).

    python3 tests/e2e/test_cabundle.py    # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws)

--ca-bundle, AWS_CA_BUNDLE, ca_bundle in the config and aws.client's
ca_bundle replace the system store, as in botocore, for IAM calls, the
credential fetches (STS, container, SSO, IMDS) and an https:// proxy;
--no-verify-ssl covers the proxy too. Servers are local TLS servers
(tests/lib/rawsrv.py) with certificates from throwaway CAs. The "system
store" is one of them: each run that needs it runs in a private mount
namespace (unshare -m) where a directory holding that CA (hashed, and as
ca-certificates.crt) is bind-mounted over /etc/ssl/certs for that process
alone; the real store is never written. Without unshare those cases are
skipped (tests/unit/test_tls.c checks the same at the libcurl option level
everywhere). "Trusted" means the server received the request; "refused"
that it received nothing. The AWS CLI refusing the same bundle is the
oracle for the rule.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import rawsrv  # noqa: E402
from rawsrv import RawServer  # noqa: E402
from trustcommon import (AKID, CREDS, OP, SSO_CONFIG, Ctx, denied, lua, run,  # noqa: E402
                         seen, sso_token)


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


def main():
    rep = H.Reporter()
    C = Ctx()
    C.pki, C.store = pki()
    try:
        run_tls(rep, C)
    finally:
        shutil.rmtree(C.pki, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
