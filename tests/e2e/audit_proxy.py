"""A proxy in front of moto for the audit suites: counts requests by action
and, where moto cannot produce an answer a test needs (a hostile credential
report, a policy document that is not JSON), rewrites or replaces it.

    px = AuditProxy(moto.url)
    px.replace("GetCredentialReport", lambda: report_xml(b"garbage"))     # answer without moto
    px.stream("GetCredentialReport", 100 << 20)                            # a 100 MB report, streamed
    px.rewrite("GetPolicyVersion", "star-star", fn)                        # fn(moto's body) -> body
    px.actions()                                                           # ["ListUsers", ...] in order
    px.clear()

Everything else is forwarded unchanged (tests/lib/faultproxy.py), so moto
still verifies every signature and permission.
"""

import base64
import os
import re
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from faultproxy import FaultProxy  # noqa: E402

_ACTION = re.compile(rb"(?:^|&)Action=([A-Za-z0-9]+)")

WRITE_ACTIONS = re.compile(r"^(Create|Delete|Update|Put|Attach|Detach|Add|Remove|Enable|Deactivate|"
                           r"Upload|Set|Tag|Untag|Change|Reset|Resync|Upload)")

NS = "https://iam.amazonaws.com/doc/2010-05-08/"


def report_xml(csv_bytes):
    return ('<GetCredentialReportResponse xmlns="%s"><GetCredentialReportResult><Content>%s</Content>'
            '<ReportFormat>text/csv</ReportFormat><GeneratedTime>2024-01-01T00:00:00Z</GeneratedTime>'
            '</GetCredentialReportResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>'
            '</GetCredentialReportResponse>' % (NS, base64.b64encode(csv_bytes).decode())).encode()


def action_of(body):
    m = _ACTION.search(body or b"")
    return m.group(1).decode() if m else None


class AuditProxy(FaultProxy):
    def __init__(self, upstream):
        super().__init__(upstream)
        self._rules = []
        self._rlock = threading.Lock()

    def clear(self):
        with self._rlock:
            self._rules = []
        self.clear_log()

    def replace(self, action, make_body, status=200):
        with self._rlock:
            self._rules.append(("replace", action, None, (make_body, status)))

    def stream(self, action, size):
        with self._rlock:
            self._rules.append(("stream", action, None, size))

    def rewrite(self, action, needle, fn):
        with self._rlock:
            self._rules.append(("rewrite", action, needle.encode(), fn))

    def actions(self):
        return [action_of(e.body) for e in self.log()]

    def writes(self):
        return [a for a in self.actions() if a and WRITE_ACTIONS.match(a)]

    def _apply(self, c, req, fault, e):
        act = action_of(req["body"])
        with self._rlock:
            rules = list(self._rules)
        for kind, action, needle, arg in rules:
            if action != act or (needle and needle not in req["body"]):
                continue
            if kind == "replace":
                make_body, status = arg
                e.status = status
                self._send(c, status, [("Content-Type", "text/xml")], make_body())
                return True
            if kind == "stream":
                return self._stream(c, arg, e)
            status, headers, body = self.fetch_upstream(req["raw"])
            body = arg(body)
            e.status = status
            keep = [(k, v) for k, v in headers
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "keep-alive", "date")]
            self._send(c, status, keep, body)
            return True
        return super()._apply(c, req, fault, e)

    @staticmethod
    def _stream(c, size, e):
        """A GetCredentialReport answer of `size` bytes of base64, sent in
        chunks until done or the client hangs up (it should, at its cap)."""
        head = ('<GetCredentialReportResponse xmlns="%s"><GetCredentialReportResult><Content>' % NS).encode()
        tail = b"</Content></GetCredentialReportResult></GetCredentialReportResponse>"
        total = len(head) + size + len(tail)
        e.status = 200
        chunk = b"QUFB" * 16384
        try:
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % total + head)
            sent = 0
            while sent < size:
                n = min(len(chunk), size - sent)
                c.sendall(chunk[:n])
                sent += n
            c.sendall(tail)
        except OSError:
            e.note = "client closed during the stream"
        return False
