"""A local endpoint that answers every POST with a GetAccessKeyLastUsed
result: for the suites that need a fast, fixed answer (concurrency, TLS
sessions, the REPL, clock skew, the stress target) rather than moto's
signature and permission checks.

    from canned import CannedServer, CannedHandler, key_last_used
    srv = CannedServer().start()     # 127.0.0.1, a free port, its own thread
    srv.url; srv.hits                # requests answered so far
    srv.shutdown()

A suite changes the answer by subclassing CannedHandler and overriding
answer(request_body) -> (status, body bytes); CannedServer(handler) serves
it. A server that must wrap its sockets (TLS) subclasses CannedServer."""

import http.server
import threading


def key_last_used(user="canned", request_id="r"):
    """The IAM query-protocol answer for a key that was never used."""
    return ('<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
            '<GetAccessKeyLastUsedResult><UserName>%s</UserName><AccessKeyLastUsed>'
            '<Region>N/A</Region><ServiceName>N/A</ServiceName></AccessKeyLastUsed>'
            '</GetAccessKeyLastUsedResult><ResponseMetadata><RequestId>%s</RequestId>'
            '</ResponseMetadata></GetAccessKeyLastUsedResponse>' % (user, request_id)).encode()


CANNED = key_last_used()


class CannedHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as IAM

    def answer(self, body):
        return 200, CANNED

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, data = self.answer(body)
        self.server.count()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


class CannedServer(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # a batch's connections arrive at once
    daemon_threads = True
    scheme = "http"

    def __init__(self, handler=CannedHandler):
        super().__init__(("127.0.0.1", 0), handler)
        self.hits = 0
        self._hits_lock = threading.Lock()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.server_address[1])

    def count(self):
        with self._hits_lock:
            self.hits += 1

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self
