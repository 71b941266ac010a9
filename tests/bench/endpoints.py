"""endpoints.py: the servers `make bench` measures against, all on
127.0.0.1 -- moto_server (signatures checked, and the source of the canned
answer) and one nginx serving that answer over plain http and over TLS with
an ECDSA P-256 and an RSA 2048 certificate, each issued by a CA of its own
that the bench generates (the CA file is the tools' bundle:
AWS_CA_BUNDLE, curl --cacert).

nginx logs, per request, the connection serial number and whether its TLS
session was resumed, so each tool's connections, handshakes and resumed
sessions are counted from the server's side."""

import os
import socket
import time

from benchlib import BenchError, log, spawn
from moto import MotoServer, free_port  # tests/lib/moto.py
import rawsrv  # tests/lib/rawsrv.py

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "us-east-1"
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'

# The transports, in the order tables list them.
TRANSPORTS = ("http", "https-ecdsa", "https-rsa")


# ---- certificates -----------------------------------------------------------

def make_certs(dirname):
    """A CA and a server certificate for 127.0.0.1 per key type; returns
    {kind: {"ca", "chain", "key"}} (file paths)."""
    out = {}
    for kind, key in (("ecdsa", rawsrv.EC), ("rsa", rawsrv.RSA)):
        d = os.path.join(dirname, kind)
        os.makedirs(d, exist_ok=True)
        rawsrv.make_ca(d, "ca", key)
        rawsrv.make_leaf(d, "leaf", "ca", key)
        out[kind] = {n: os.path.join(d, f)
                     for n, f in (("ca", "ca.pem"), ("chain", "leaf.pem"), ("key", "leaf.key"))}
    return out


# ---- nginx ------------------------------------------------------------------

class Nginx:
    """nginx answering POST / with the canned body on three ports."""

    def __init__(self, tmp, body, request_id, certs):
        self.prefix = os.path.join(tmp, "nginx")
        os.makedirs(os.path.join(self.prefix, "tmp"), exist_ok=True)
        self.ports = {t: free_port() for t in TRANSPORTS}
        self.urls = {t: "%s://127.0.0.1:%d" % (t.split("-")[0], p)
                     for t, p in self.ports.items()}
        self.ca = {"https-ecdsa": certs["ecdsa"]["ca"], "https-rsa": certs["rsa"]["ca"]}
        text = body.decode()
        if "$" in text or "\n" in text:
            raise BenchError("canned response holds '$' or a newline: %r" % text[:200])
        text = text.replace("\\", "\\\\").replace('"', '\\"')
        subst = {"@PREFIX@": self.prefix, "@REQUEST_ID@": request_id, "@BODY@": text,
                 "@PORT@": str(self.ports["http"]),
                 "@EC_PORT@": str(self.ports["https-ecdsa"]),
                 "@RSA_PORT@": str(self.ports["https-rsa"]),
                 "@EC_CERT@": certs["ecdsa"]["chain"], "@EC_KEY@": certs["ecdsa"]["key"],
                 "@RSA_CERT@": certs["rsa"]["chain"], "@RSA_KEY@": certs["rsa"]["key"]}
        for name in ("nginx.conf", "answer.conf"):
            with open(os.path.join(HERE, name + ".in")) as f:
                conf = f.read()
            for k, v in subst.items():
                conf = conf.replace(k, v)
            with open(os.path.join(self.prefix, name), "w") as f:
                f.write(conf)
        self.conf = os.path.join(self.prefix, "nginx.conf")
        self.access = os.path.join(self.prefix, "access.log")
        self.offset = 0

    def start(self):
        p = spawn(["nginx", "-p", self.prefix, "-c", self.conf,
                   "-e", os.path.join(self.prefix, "error.log")],
                  os.path.join(self.prefix, "stderr.log"))
        deadline = time.monotonic() + 10
        for port in self.ports.values():
            while True:
                if p.poll() is not None:
                    raise BenchError("nginx exited %s: %s" % (p.returncode, self.errors()))
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise BenchError("nginx not listening within 10 s: %s"
                                         % self.errors())
                    time.sleep(0.05)

    def errors(self):
        out = ""
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.prefix, name), errors="replace") as f:
                    out += f.read()[-1500:]
            except OSError:
                pass
        return out

    def _new_lines(self):
        try:
            with open(self.access, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        return data[:end].splitlines()

    def mark(self):
        """Forgets the requests logged so far."""
        self._new_lines()

    def served(self, expected=None, settle=0.05, timeout=3.0):
        """Requests logged since mark(), waiting for the log to catch up
        with the expected count; raises if any was not answered 200."""
        lines = []
        deadline = time.monotonic() + timeout
        while True:
            lines += self._new_lines()
            if expected is None or len(lines) >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        time.sleep(settle)
        lines += self._new_lines()
        bad = [l for l in lines if b'" 200 ' not in l]
        if bad:
            raise BenchError("nginx answered %d of %d requests with another status than "
                             "200, e.g.: %s" % (len(bad), len(lines), bad[0][:300]))
        return lines

    def expect(self, n, what):
        """The log lines of exactly n requests since mark(); raises otherwise."""
        lines = self.served(n)
        if len(lines) != n:
            raise BenchError("%s: nginx served %d requests, expected exactly %d"
                             % (what, len(lines), n))
        return lines


def connections(lines):
    """(connections, TLS sessions resumed) behind some access log lines:
    nginx.conf.in's format starts "conn=SERIAL tls=r|.|-"; every TLS
    connection made one handshake, full or resumed ("r")."""
    conns, resumed = set(), set()
    for line in lines:
        f = line.split(b" ", 2)
        conn = f[0]
        conns.add(conn)
        if f[1] == b"tls=r":
            resumed.add(conn)
    return len(conns), len(resumed)


# ---- moto: the signature-checked endpoint and the canned bytes ---------------

def start_moto():
    """moto_server with a user to query and an admin allowed everything;
    returns (server, queried key id, admin key, answer body, request id)."""
    import boto3
    srv = MotoServer.start()
    boot = boto3.client("iam", endpoint_url=srv.url, region_name=REGION,
                        aws_access_key_id="boot", aws_secret_access_key="boot")
    boot.create_user(UserName="bench")
    key = boot.create_access_key(UserName="bench")["AccessKey"]
    boot.create_user(UserName="bench-admin")
    arn = boot.create_policy(PolicyName="all", PolicyDocument=POLICY)["Policy"]["Arn"]
    boot.attach_user_policy(UserName="bench-admin", PolicyArn=arn)
    admin = boot.create_access_key(UserName="bench-admin")["AccessKey"]
    # One request signed with the queried key, so the answer has a date.
    boto3.client("iam", endpoint_url=srv.url, region_name=REGION,
                 aws_access_key_id=key["AccessKeyId"],
                 aws_secret_access_key=key["SecretAccessKey"]).list_users()
    srv.enforce_auth()
    iam = boto3.client("iam", endpoint_url=srv.url, region_name=REGION,
                       aws_access_key_id=admin["AccessKeyId"],
                       aws_secret_access_key=admin["SecretAccessKey"])
    got = {}
    iam.meta.events.register("after-call.iam.GetAccessKeyLastUsed",
                             lambda http_response, **kw: got.update(r=http_response))
    iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    r = got["r"]
    if r.status_code != 200 or b"<UserName>bench</UserName>" not in r.content:
        raise BenchError("moto's answer is not what the bench expects: %r" % r.content[:300])
    log("moto on %s" % srv.url)
    return srv, key["AccessKeyId"], admin, r.content, r.headers.get("x-amzn-requestid", "bench")
