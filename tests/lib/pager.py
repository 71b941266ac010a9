"""An HTTP proxy on 127.0.0.1 in front of moto_server that pages IAM
ListUsers by MaxItems, which moto 5.x ignores (it always answers every user
with IsTruncated false).

    from pager import Pager                 # tests/lib on sys.path
    pg = Pager(moto.url)                    # free port
    ... clients use pg.url as their IAM endpoint ...
    pg.pages                                # ListUsers answers served, in order
    pg.close()

Every request is forwarded unchanged (request line, headers, body: moto
still verifies the signature against the Host the client signed). When the
request is Action=ListUsers with MaxItems=N, moto's full answer is cut to
the users [Marker, Marker + N) (Marker: the index of the first user, as a
decimal string this proxy hands out), with IsTruncated and Marker set as
IAM sets them. Everything else passes through as moto answered.

Bounded: request and answer bodies up to 8 MiB, socket timeouts, a
threaded server whose threads are daemons; close() shuts it down.
"""

import http.client
import http.server
import socketserver
import threading
import urllib.parse
import xml.etree.ElementTree as ET

MAX_BODY = 8 << 20
NS = "https://iam.amazonaws.com/doc/2010-05-08/"


def cut(body, marker, max_items):
    """moto's ListUsers XML answer cut to one page."""
    ET.register_namespace("", NS)
    root = ET.fromstring(body)
    q = lambda name: "{%s}%s" % (NS, name)  # noqa: E731
    result = root.find(q("ListUsersResult"))
    users = result.find(q("Users"))
    members = list(users)
    start = int(marker or 0)
    keep = members[start:start + max_items]
    for m in members:
        if m not in keep:
            users.remove(m)
    more = start + max_items < len(members)
    for tag in ("IsTruncated", "Marker"):
        old = result.find(q(tag))
        if old is not None:
            result.remove(old)
    t = ET.SubElement(result, q("IsTruncated"))
    t.text = "true" if more else "false"
    if more:
        ET.SubElement(result, q("Marker")).text = str(start + max_items)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(n)
        up = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        up.request("POST", self.path, body=body, headers=headers)
        r = up.getresponse()
        data = r.read(MAX_BODY + 1)
        status = r.status
        rheaders = [(k, v) for k, v in r.getheaders()
                    if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        up.close()
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if status == 200 and form.get("Action") == ["ListUsers"] and "MaxItems" in form:
            data = cut(data, form.get("Marker", ["0"])[0], int(form["MaxItems"][0]))
            self.server.pages.append(data)
        self.send_response(status)
        for k, v in rheaders:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class Pager:
    def __init__(self, upstream):
        u = urllib.parse.urlparse(upstream)
        if u.hostname != "127.0.0.1":
            raise ValueError("upstream must be on 127.0.0.1")
        self.srv = _Server(("127.0.0.1", 0), _Handler)
        self.srv.upstream = ("127.0.0.1", u.port)
        self.srv.pages = []
        self.pages = self.srv.pages
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]
        self.t = threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.2},
                                  daemon=True)
        self.t.start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()
        self.t.join(5)
