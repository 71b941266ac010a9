#!/usr/bin/env python3
"""A hostile IAM endpoint on 127.0.0.1 for tests/e2e/test_hostile.py.

    python3 tests/hostile/server.py        # prints one JSON line with its ports, serves until killed

One process, several listeners (all 127.0.0.1, free ports):
  http      the modes below, chosen by path: POST http://127.0.0.1:PORT/mode/NAME/
  tls_self  the same modes over TLS with a self-signed certificate
  tls_expired  the same over TLS with an expired certificate (signed by a CA
            whose certificate is in `ca_file`, so --ca-bundle CA proves the
            failure is the date, not the issuer)
  other     the "outside" host: any request here is recorded as an entity
            fetch (DOCTYPE/XXE) or as a followed redirect, with its headers;
            its URLs start with the TAG of the request that pointed there
  control   GET /hits -> JSON {"other": [ {path, headers}, ... ]};
            GET /reset clears it

Certificates are generated with the openssl CLI into a temp dir at start
(removed at exit).

Modes (path /mode/NAME/ or /mode/NAME/TAG/): ok, malformed, xxe-file, xxe-http, xxe-param, billion-laughs,
quadratic-blowup, deep-nesting, huge (1 GiB streamed lazily, stops when the
client goes), huge-chunked, truncated (Content-Length larger than sent, then
close), short-length (Content-Length smaller than the body), html-503,
html-503-plain, html-502-broken, html-400, error-200, empty-200, empty-500, trickle (headers then one byte
every 3 s, at most 40 bytes), trickle-headers (status line then one header
byte every 3 s), close-before-headers, garbage-status, bad-utf8,
redirect-302, redirect-307 (to the `other` listener), throttle-xml-400.

Everything is stdlib; every loop is bounded; each connection is one thread.
"""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HOST = "127.0.0.1"

OK_BODY = (
    b'<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n'
    b"  <GetAccessKeyLastUsedResult>\n"
    b"    <AccessKeyLastUsed>\n"
    b"      <LastUsedDate>2026-11-27T21:03:15.654943Z</LastUsedDate>\n"
    b"      <ServiceName>iam</ServiceName>\n"
    b"      <Region>us-east-1</Region>\n"
    b"    </AccessKeyLastUsed>\n"
    b"    <UserName>bob</UserName>\n"
    b"  </GetAccessKeyLastUsedResult>\n"
    b"  <ResponseMetadata>\n"
    b"    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>\n"
    b"  </ResponseMetadata>\n"
    b"</GetAccessKeyLastUsedResponse>\n"
)


def wrap_result(inner):
    return (b'<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
            b"<GetAccessKeyLastUsedResult><AccessKeyLastUsed><LastUsedDate>"
            b"2026-11-27T21:03:15Z</LastUsedDate><ServiceName>iam</ServiceName>"
            b"<Region>us-east-1</Region></AccessKeyLastUsed><UserName>" + inner +
            b"</UserName></GetAccessKeyLastUsedResult><ResponseMetadata><RequestId>r"
            b"</RequestId></ResponseMetadata></GetAccessKeyLastUsedResponse>\n")


def error_xml(code, msg, typ=b"Sender"):
    return (b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>' + typ +
            b"</Type><Code>" + code + b"</Code><Message>" + msg + b"</Message></Error>"
            b"<RequestId>0f1e2d3c-hostile</RequestId></ErrorResponse>\n")


HTML_503 = (b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
            b"<body><h1>Service Unavailable</h1><p>The server is temporarily unable to "
            b"service your request.</p></body></html>\n")
HTML_400 = (b"<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"
            b"<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx</center>\r\n"
            b"</body>\r\n</html>\r\n")


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.other = []
        self.ports = {}

    def hit(self, path, headers):
        with self.lock:
            self.other.append({"path": path, "headers": headers})


STATE = State()


def read_request(conn, limit=4 << 20):
    """Reads one HTTP request (headers + Content-Length body). Returns
    (method, path, headers list, body) or None if the peer closed."""
    data = b""
    conn.settimeout(10)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > limit:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, path, _ = lines[0].split(" ", 2)
    except ValueError:
        return None
    headers = []
    clen = 0
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers.append([k.strip(), v.strip()])
        if k.strip().lower() == "content-length":
            try:
                clen = int(v.strip())
            except ValueError:
                clen = 0
    clen = min(clen, limit)
    while len(body) < clen:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return method, path, headers, body


def send(conn, status, body, ctype=b"text/xml", extra=b"", length=None):
    if length is None:
        length = len(body)
    conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype +
                 b"\r\nContent-Length: " + str(length).encode() +
                 b"\r\nx-amzn-RequestId: 0f1e2d3c-hostile\r\n" + extra +
                 b"Connection: close\r\n\r\n" + body)


def mode_of(path):
    """(mode, tag): /mode/NAME/TAG/ -> (NAME, TAG). The tag (the client's
    name) goes into every URL pointing at `other`, so a hit there says who
    fetched it."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    if len(parts) >= 2 and parts[0] == "mode":
        return parts[1], (parts[2] if len(parts) >= 3 else "-")
    return "ok", "-"


def stream_huge(conn, chunked):
    """About 1 GiB of XML text, generated lazily; returns when the client
    hangs up (or after 1 GiB)."""
    total = 1 << 30
    head = b'<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult><UserName>'
    block = b"A" * 65536
    if chunked:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    else:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " +
                     str(total).encode() + b"\r\nConnection: close\r\n\r\n")
    sent = 0
    first = True
    conn.settimeout(30)
    try:
        while sent < total:
            piece = head + block[len(head):] if first else block
            first = False
            if chunked:
                conn.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            else:
                conn.sendall(piece)
            sent += len(piece)
        if chunked:
            conn.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the client went away: exactly what we hope for


def trickle(conn, data, interval=3.0, max_bytes=40):
    for i in range(min(len(data), max_bytes)):
        try:
            conn.sendall(data[i:i + 1])
        except OSError:
            return
        time.sleep(interval)


def handle_mode(conn, mode, tag, req):
    ports = STATE.ports
    other = "http://%s:%d/%s" % (HOST, ports["other"], tag)
    if mode == "ok":
        # UserName says how long the AccessKeyId sent was, so a client that
        # sent something else than the AWS CLI prints something else.
        try:
            form = urllib.parse.parse_qs(req[3].decode("utf-8", "surrogateescape"))
            n = len(form.get("AccessKeyId", [""])[0])
        except ValueError:
            n = -1
        send(conn, b"200 OK", OK_BODY.replace(b"<UserName>bob<", b"<UserName>bob-%d<" % n))
    elif mode == "malformed":
        send(conn, b"200 OK", b"<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult>"
             b"<UserName>bob</User></GetAccessKeyLastUsedResult>")
    elif mode == "xxe-file":
        send(conn, b"200 OK", b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM '
             b'"file:///etc/passwd">]>\n' + wrap_result(b"&xxe;"))
    elif mode == "xxe-http":
        send(conn, b"200 OK", b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "' +
             other.encode() + b'/xxe-entity">]>\n' + wrap_result(b"&xxe;"))
    elif mode == "xxe-param":
        send(conn, b"200 OK", b'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "' + other.encode() +
             b'/xxe-dtd" [<!ENTITY % p SYSTEM "' + other.encode() + b'/xxe-param"> %p;]>\n' +
             wrap_result(b"bob"))
    elif mode == "billion-laughs":
        ents = [b'<!ENTITY lol "lol">']
        for i in range(1, 10):
            prev = b"lol" if i == 1 else b"lol%d" % (i - 1)
            ents.append(b'<!ENTITY lol%d "' % i + (b"&" + prev + b";") * 10 + b'">')
        send(conn, b"200 OK", b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + b"".join(ents) +
             b"]>\n" + wrap_result(b"&lol9;"))
    elif mode == "quadratic-blowup":
        send(conn, b"200 OK", b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "' + b"a" * 50000 +
             b'">]>\n' + wrap_result(b"&a;" * 50000))
    elif mode == "deep-nesting":
        send(conn, b"200 OK", b"<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult>" +
             b"<a>" * 100 + b"x" + b"</a>" * 100 +
             b"</GetAccessKeyLastUsedResult></GetAccessKeyLastUsedResponse>")
    elif mode == "huge":
        stream_huge(conn, chunked=False)
    elif mode == "huge-chunked":
        stream_huge(conn, chunked=True)
    elif mode == "truncated":
        body = OK_BODY[:len(OK_BODY) // 2]
        send(conn, b"200 OK", body, length=len(OK_BODY))
    elif mode == "short-length":
        send(conn, b"200 OK", OK_BODY, length=len(OK_BODY) // 2)
    elif mode == "html-503":
        send(conn, b"503 Service Unavailable", HTML_503, ctype=b"text/html")
    elif mode == "html-503-plain":
        send(conn, b"503 Service Unavailable", b"<html><body><b>Http/1.1 Service Unavailable</b>"
             b"</body></html>", ctype=b"text/html")
    elif mode == "html-502-broken":
        send(conn, b"502 Bad Gateway", b"<!DOCTYPE html><html><body><p>Bad gateway<br></body></html>",
             ctype=b"text/html")
    elif mode == "html-400":
        send(conn, b"400 Bad Request", HTML_400, ctype=b"text/html")
    elif mode == "error-200":
        send(conn, b"200 OK", error_xml(b"AccessDenied", b"denied, but with status 200"))
    elif mode == "throttle-xml-400":
        send(conn, b"400 Bad Request", error_xml(b"Throttling", b"Rate exceeded"))
    elif mode == "empty-200":
        send(conn, b"200 OK", b"")
    elif mode == "empty-500":
        send(conn, b"500 Internal Server Error", b"")
    elif mode == "trickle":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n"
                     b"Connection: close\r\n\r\n")
        trickle(conn, OK_BODY)
    elif mode == "trickle-headers":
        trickle(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa")
    elif mode == "close-before-headers":
        pass  # the caller closes
    elif mode == "garbage-status":
        conn.sendall(b"HELLO THERE\r\n\r\n")
    elif mode == "bad-utf8":
        send(conn, b"200 OK", wrap_result(b"b\xffo\xc3\x28b\xed\xa0\x80"))
    elif mode in ("redirect-302", "redirect-307"):
        code = b"302 Found" if mode == "redirect-302" else b"307 Temporary Redirect"
        send(conn, code, b"", extra=b"Location: " + other.encode() + b"/redirected/\r\n")
    else:
        send(conn, b"404 Not Found", error_xml(b"NoSuchMode", mode.encode()[:100]))


def serve_conn(conn, kind):
    try:
        req = read_request(conn)
        if req is None:
            return
        method, path, headers, body = req
        if kind == "other":
            STATE.hit(path, headers)
            send(conn, b"200 OK", b'<!ENTITY leaked "LEAKED">' if "xxe" in path else OK_BODY)
        elif kind == "control":
            if path.startswith("/reset"):
                with STATE.lock:
                    STATE.other = []
                send(conn, b"200 OK", b"{}", ctype=b"application/json")
            else:
                with STATE.lock:
                    data = json.dumps({"other": STATE.other}).encode()
                send(conn, b"200 OK", data, ctype=b"application/json")
        else:
            handle_mode(conn, *mode_of(path), req)
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()


def listener(kind, ctx=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, 0))
    s.listen(128)
    port = s.getsockname()[1]

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return

            def one(c=c):
                if ctx is not None:
                    try:
                        c.settimeout(10)
                        c = ctx.wrap_socket(c, server_side=True)
                    except (OSError, ssl.SSLError):
                        c.close()
                        return
                serve_conn(c, kind)
            threading.Thread(target=one, daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return port


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certs(d):
    """self.pem/key: self-signed for 127.0.0.1. ca.pem + expired.pem/key: a
    CA and a leaf it signed that expired in 2020."""
    san = "subjectAltName=IP:127.0.0.1,DNS:localhost"
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key",
            "-out", "self.pem", "-days", "30", "-subj", "/CN=127.0.0.1", "-addext", san, cwd=d)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "30", "-subj", "/CN=hostile test CA", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "expired.key",
            "-out", "expired.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    os.makedirs(os.path.join(d, "newcerts"))
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write(san + "\n")
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = d\n[d]\ndir = .\ndatabase = index.txt\nnew_certs_dir = newcerts\n"
                "serial = serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = none\n"
                "[p]\ncommonName = supplied\n")
    openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
            "-in", "expired.csr", "-out", "expired.pem", "-startdate", "20190101000000Z",
            "-enddate", "20200101000000Z", "-extfile", "ext.cnf", cwd=d)


def tls_ctx(d, name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
    return ctx


def main():
    d = tempfile.mkdtemp(prefix="iamlua-hostile.")
    try:
        make_certs(d)
        ports = STATE.ports
        ports["other"] = listener("other")
        ports["control"] = listener("control")
        ports["http"] = listener("http")
        ports["tls_self"] = listener("http", tls_ctx(d, "self"))
        ports["tls_expired"] = listener("http", tls_ctx(d, "expired"))
        info = dict(ports)
        info["ca_file"] = os.path.join(d, "ca.pem")
        info["self_cert"] = os.path.join(d, "self.pem")
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        # Until our parent closes stdin (or kills us).
        try:
            sys.stdin.read()
        except (KeyboardInterrupt, OSError):
            pass
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
