"""An HTTPS proxy on 127.0.0.1 that plays AWS hosts for the AWS CLI and
iamlua alike, so that credential providers the CLI cannot point elsewhere
(AWS CLI 2.9.19 ignores AWS_ENDPOINT_URL_STS and friends) reach our own
emulators the way they reach AWS: through HTTPS_PROXY, with TLS.

    from awsmitm import AwsMitm             # tests/lib on sys.path
    m = AwsMitm({"sts.amazonaws.com": moto.url,
                 "portal.sso.us-east-1.amazonaws.com": credsrv.url})
    env = {"HTTPS_PROXY": m.url, "NO_PROXY": "127.0.0.1,localhost",
           "AWS_CA_BUNDLE": m.ca_file}
    m.rewrite = fn(host, method, path, status, body) -> body | None
    m.log()                                 # [Entry(host, method, path, headers, body)]
    m.close()

A CONNECT to a host in the table gets "200 Connection established"; the
tunnel is then served with a certificate for that host, signed by a CA
made for this proxy alone (openssl, EC P-256, in a private directory
removed by close()); every HTTP/1.1 request inside is forwarded to the
host's upstream (an http://127.0.0.1:PORT URL) with its method, path,
headers (Host and the signature untouched) and body, and the answer comes
back, optionally rewritten (Content-Length fixed). A CONNECT to any other
host, and any request that is not a CONNECT, gets 403: nothing is ever
contacted but 127.0.0.1. Bounded: connection and request caps, socket
timeouts, close() stops the accept loop and joins the threads.
"""

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import urllib.parse

MAX_CONNS = 500
MAX_HEAD = 64 * 1024
MAX_BODY = 4 << 20
IO_TIMEOUT = 20.0


class Entry:
    def __init__(self, host, method, path, headers, body):
        self.host, self.method, self.path = host, method, path
        self.headers, self.body = headers, body

    def __repr__(self):
        return "Entry(%s %s %s)" % (self.method, self.host, self.path)


def _openssl(d, *args):
    subprocess.run(["openssl"] + list(args), cwd=d, check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certs(d, hosts):
    """ca.pem (a CA) and leaf.pem/leaf.key for `hosts`, signed by it."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(d, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=iamlua test CA (awsmitm)",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _openssl(d, "req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=" + hosts[0])
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                % ",".join("DNS:" + h for h in hosts))
    _openssl(d, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf")


def _read_head(sock, buf):
    """(head bytes, rest) once buf + reads hold "\\r\\n\\r\\n"; None at EOF."""
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEAD:
            return None
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    i = buf.index(b"\r\n\r\n") + 4
    return buf[:i], buf[i:]


class AwsMitm:
    def __init__(self, routes):
        for up in routes.values():
            u = urllib.parse.urlsplit(up)
            if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost"):
                raise ValueError("upstream must be http://127.0.0.1:PORT: %r" % up)
        self.routes = dict(routes)
        self.rewrite = None
        self._log = []
        self._lock = threading.Lock()
        self._dir = tempfile.mkdtemp(prefix="iamlua-mitm.")
        make_certs(self._dir, sorted(self.routes))
        self.ca_file = os.path.join(self._dir, "ca.pem")
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(os.path.join(self._dir, "leaf.pem"),
                                  os.path.join(self._dir, "leaf.key"))
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.5)
        self.port = self._sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._stop = False
        self._threads = []
        self._conns = 0
        self._t = threading.Thread(target=self._accept, daemon=True)
        self._t.start()

    # -- public ------------------------------------------------------------

    def log(self):
        with self._lock:
            return list(self._log)

    def clear(self):
        with self._lock:
            self._log = []

    def count(self, host=None, path=None):
        return sum(1 for e in self.log() if (host is None or e.host == host)
                   and (path is None or e.path.split("?")[0] == path))

    def close(self):
        self._stop = True
        self._t.join(5)
        try:
            self._sock.close()
        except OSError:
            pass
        for t in list(self._threads):
            t.join(5)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    # -- serving -----------------------------------------------------------

    def _accept(self):
        while not self._stop and self._conns < MAX_CONNS:
            try:
                c, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._conns += 1
            t = threading.Thread(target=self._serve, args=(c,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, c):
        try:
            c.settimeout(IO_TIMEOUT)
            got = _read_head(c, b"")
            if not got:
                return
            head, _ = got
            line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(line) < 2 or line[0] != "CONNECT":
                c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            host = line[1].rsplit(":", 1)[0].lower()
            if host not in self.routes:
                c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            t = self._ctx.wrap_socket(c, server_side=True)
            self._tunnel(t, host)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def _tunnel(self, t, host):
        buf = b""
        while not self._stop:
            got = _read_head(t, buf)
            if not got:
                return
            head, buf = got
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split()[:2]
            headers = []
            for h in lines[1:]:
                if ":" in h:
                    k, v = h.split(":", 1)
                    headers.append((k, v.strip()))
            n = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
            if n > MAX_BODY:
                return
            while len(buf) < n:
                chunk = t.recv(65536)
                if not chunk:
                    return
                buf += chunk
            body, buf = buf[:n], buf[n:]
            with self._lock:
                self._log.append(Entry(host, method, path,
                                       {k.lower(): v for k, v in headers}, body))
            status, reason, rheaders, rbody = self._forward(host, method, path, headers, body)
            if self.rewrite:
                new = self.rewrite(host, method, path, status, rbody)
                if new is not None:
                    rbody = new
            out = ["HTTP/1.1 %d %s" % (status, reason)]
            for k, v in rheaders:
                if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                    out.append("%s: %s" % (k, v))
            out.append("Content-Length: %d" % len(rbody))
            t.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + rbody)

    def _forward(self, host, method, path, headers, body):
        u = urllib.parse.urlsplit(self.routes[host])
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=IO_TIMEOUT)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                if k.lower() not in ("connection", "content-length"):
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.putheader("Connection", "close")
            conn.endheaders(body)
            r = conn.getresponse()
            return r.status, r.reason, r.getheaders(), r.read()
        finally:
            conn.close()
