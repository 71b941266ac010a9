"""A TCP server on 127.0.0.1 that keeps every request's raw bytes.

    from rawsrv import RawServer, http_response, make_pki
    srv = RawServer(lambda head, body: http_response(403, b"<Error/>"))
    srv = RawServer(answer, ssl_ctx=ctx)    # TLS: a server or an https:// proxy
    srv.url                # "http://127.0.0.1:PORT" ("https://..." with TLS)
    srv.requests()         # [raw bytes of each request, headers and body]
    srv.close()

Each connection carries one request (the answer says Connection: close), so
what a client put on the wire is seen byte for byte: a header line that
a CR or LF smuggled in shows up as a line of its own. A CONNECT request is
answered by `answer` like any other. A TLS handshake the client refuses
leaves no request behind: that is how the trust tests tell "refused" from
"trusted". Every socket has a timeout; close() stops the thread.

make_pki(dir) writes throwaway CAs and leaf certificates with the openssl
command (EC keys, two days).
"""

import os
import socket
import ssl
import subprocess
import threading

IO_TIMEOUT = 10.0


def http_response(status, body=b"", ctype="text/xml", reason="X"):
    if isinstance(body, str):
        body = body.encode()
    return (b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n" % (status, reason.encode(), ctype.encode(),
                                            len(body))) + body


def _read_request(c):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(65536)
        if not chunk:
            return data, b""
        data += chunk
        if len(data) > 4 << 20:
            break
    head, _, rest = data.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            try:
                n = int(v.strip())
            except ValueError:
                n = 0
    while len(rest) < n:
        chunk = c.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n", rest


class RawServer:
    def __init__(self, answer, ssl_ctx=None):
        self.answer, self.ssl_ctx = answer, ssl_ctx
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.3)
        self.port = self.sock.getsockname()[1]
        self.url = "%s://127.0.0.1:%d" % ("https" if ssl_ctx else "http", self.port)
        self._log, self._lock, self._stop = [], threading.Lock(), False
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self):
        while not self._stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            c.settimeout(IO_TIMEOUT)
            if self.ssl_ctx:
                c = self.ssl_ctx.wrap_socket(c, server_side=True)
            head, body = _read_request(c)
            if not head:
                return
            with self._lock:
                self._log.append(head + body)
            c.sendall(self.answer(head, body))
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def requests(self):
        with self._lock:
            return list(self._log)

    def reset(self):
        with self._lock:
            self._log = []

    def close(self):
        self._stop = True
        self._t.join(2)
        self.sock.close()


def _openssl(d, *args):
    subprocess.run(["openssl"] + list(args), cwd=d, check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Key types for make_ca / make_leaf: ECDSA P-256 (the default) and RSA 2048.
EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
RSA = ["-newkey", "rsa:2048", "-nodes"]


def make_ca(d, name, key=EC):
    _openssl(d, "req", "-x509", *key, "-keyout", name + ".key", "-out", name + ".pem",
             "-days", "2", "-subj", "/CN=iamlua test %s CA" % name)


def make_leaf(d, name, ca, key=EC):
    """name.pem/key for 127.0.0.1, signed by ca."""
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(d, "req", *key, "-keyout", name + ".key", "-out", name + ".csr",
             "-subj", "/CN=127.0.0.1")
    _openssl(d, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey",
             ca + ".key", "-CAcreateserial", "-out", name + ".pem", "-days", "2",
             "-extfile", "ext.cnf")


def cert_hash(d, name):
    return subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", name + ".pem"],
                          cwd=d, check=True, capture_output=True, timeout=30).stdout.decode().strip()


def server_ctx(d, name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
    return ctx
