#!/usr/bin/env python3
"""A hostile AWS JSON-protocol (Organizations) and STS endpoint on 127.0.0.1
for tests/e2e/test_org_hostile.py.

    python3 tests/hostile/json_server.py    # prints {"port": N}, serves until killed

POST http://127.0.0.1:PORT/mode/NAME/ answers with mode NAME, whatever the
request (the signature is not checked: the client's side is under test).

Organizations (JSON 1.1) modes:
  ok            a ListAccounts answer with one account
  malformed     200, a JSON text cut in the middle (Content-Length right)
  truncated     Content-Length 400, 60 bytes sent, then the connection closes
  huge          200, an endless JSON array streamed lazily (stops when the
                client goes; at most 64 MiB are written)
  deep          200, 100,000 nested arrays
  not-object    200, [1, 2]
  bad-utf8      200, a string with bytes that are not UTF-8
  nulls         200, {"Accounts": null, "NextToken": null}
  wrong-shape   200, {"Accounts": {"Id": "1"}} (an object where a list is)
  bad-timestamp 200, an account whose JoinedTimestamp is a string that is
                no time, and one whose is 1e300
  type-number   400, {"__type": 17, "message": "typed"}
  type-hash     400, {"__type": "com.amazon.coral#", "message": "empty"}
  query-error   400, x-amzn-query-error: AWS.Org.Custom;Sender, body __type A
  html-400      400, an HTML page
  html-503      503, <html>...</html>
  xml-403       403, an XML ErrorResponse (what moto sends for a bad signature)
  big-message   400, a 1 MiB message
  same-token    200, one account and NextToken "again", every time
STS (Query) modes, answers to AssumeRole:
  sts-ok            credentials valid for an hour
  sts-no-creds      200, AssumeRoleResult without Credentials
  sts-expired       200, credentials that expired an hour ago
  sts-bad-expiration 200, Expiration "soon"
  sts-garbage       200, text that is not XML
  sts-denied        403, an AccessDenied ErrorResponse

Everything is stdlib; each connection is one thread; every loop is bounded.
"""

import http.server
import json
import socketserver
import sys
import time

HOST = "127.0.0.1"
SECRET = "hostileStsSecretDoNotLeak0123456789abcdef"
TOKEN = "hostileStsSessionTokenDoNotLeak" + "Q" * 40

ACCOUNT = {"Id": "111122223333", "Arn": "arn:aws:organizations::111122223333:account/o-x/111122223333",
           "Email": "a@example.com", "Name": "a", "Status": "ACTIVE", "JoinedMethod": "CREATED",
           "JoinedTimestamp": 1700000000.5}


def sts_creds(expiration):
    return ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<AssumeRoleResult><Credentials><AccessKeyId>ASIAHOSTILEEXAMPLE</AccessKeyId>"
            "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>"
            "<Expiration>%s</Expiration></Credentials>"
            "<AssumedRoleUser><AssumedRoleId>AROA:x</AssumedRoleId>"
            "<Arn>arn:aws:sts::111122223333:assumed-role/R/x</Arn></AssumedRoleUser>"
            "</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
            "</AssumeRoleResponse>" % (SECRET, TOKEN, expiration)).encode()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def body_of(mode):
    """(status, content type, body bytes, extra headers) for simple modes."""
    j = "application/x-amz-json-1.1"
    if mode == "ok":
        return 200, j, json.dumps({"Accounts": [ACCOUNT]}).encode(), {}
    if mode == "malformed":
        return 200, j, b'{"Accounts": [{"Id": "1111', {}
    if mode == "deep":
        return 200, j, b"[" * 100000 + b"]" * 100000, {}
    if mode == "not-object":
        return 200, j, b"[1, 2]", {}
    if mode == "bad-utf8":
        return 200, j, b'{"Accounts": [{"Id": "\xff\xfe"}]}', {}
    if mode == "nulls":
        return 200, j, b'{"Accounts": null, "NextToken": null}', {}
    if mode == "wrong-shape":
        return 200, j, b'{"Accounts": {"Id": "1"}}', {}
    if mode == "bad-timestamp":
        a = dict(ACCOUNT, JoinedTimestamp="yesterday")
        b = dict(ACCOUNT, JoinedTimestamp=1e300)
        return 200, j, json.dumps({"Accounts": [a, b]}).encode(), {}
    if mode == "type-number":
        return 400, j, b'{"__type": 17, "message": "typed"}', {}
    if mode == "type-hash":
        return 400, j, b'{"__type": "com.amazon.coral#", "message": "empty"}', {}
    if mode == "query-error":
        return 400, j, b'{"__type": "A", "message": "q"}', {"x-amzn-query-error": "AWS.Org.Custom;Sender"}
    if mode == "html-400":
        return 400, "text/html", b"<html><body><h1>400 Bad Request</h1></body></html>", {}
    if mode == "html-503":
        return 503, "text/html", b"<html><body>Service Unavailable</body></html>", {}
    if mode == "xml-403":
        return 403, "text/xml", (b'<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error>'
                                 b"<Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>"
                                 b"</Errors></ErrorResponse>"), {}
    if mode == "big-message":
        return 400, j, json.dumps({"__type": "Big", "message": "m" * (1 << 20)}).encode(), {}
    if mode == "same-token":
        return 200, j, json.dumps({"Accounts": [ACCOUNT], "NextToken": "again"}).encode(), {}
    now = time.time()
    x = "text/xml"
    if mode == "sts-ok":
        return 200, x, sts_creds(iso(now + 3600)), {}
    if mode == "sts-no-creds":
        return 200, x, (b"<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser>"
                        b"<Arn>a</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>"), {}
    if mode == "sts-expired":
        return 200, x, sts_creds(iso(now - 3600)), {}
    if mode == "sts-bad-expiration":
        return 200, x, sts_creds("soon"), {}
    if mode == "sts-garbage":
        return 200, x, b"this is not XML at all", {}
    if mode == "sts-denied":
        return 403, x, (b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                        b"<Message>not allowed</Message></Error><RequestId>rid</RequestId>"
                        b"</ErrorResponse>"), {}
    return 404, "text/plain", b"unknown mode", {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(n, 1 << 20))
        parts = self.path.strip("/").split("/")
        mode = parts[1] if len(parts) >= 2 and parts[0] == "mode" else ""
        if mode == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", "400")
            self.end_headers()
            self.wfile.write(b'{"Accounts": [{"Id": "1111", "Name": "truncated answer...')
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(1 << 30))
            self.end_headers()
            chunk = b'{"Id": "1"},' * 8192
            try:
                self.wfile.write(b'{"Accounts": [')
                for _ in range((64 << 20) // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return
        status, ctype, body, extra = body_of(mode)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "hostile-" + (mode or "none"))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server((HOST, 0), Handler)
    print(json.dumps({"port": srv.server_address[1]}), flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
