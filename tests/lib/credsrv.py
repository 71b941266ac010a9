"""Small emulators on 127.0.0.1 of the credential endpoints, with request logs.

    from credsrv import CredServer
    srv = CredServer(creds={"id": ..., "secret": ..., "token": ...})
    srv.url                       # "http://127.0.0.1:PORT"
    srv.imds_mode = "v2"          # "v2" | "v1" (token PUT -> 404) | "400" | "v2only"
    srv.container_auth = "tok"    # Authorization the container endpoint demands
    srv.sso_token = "at"          # x-amz-sso_bearer_token the portal demands
    srv.expires_in = 3600         # seconds until the handed-out credentials expire
    srv.oidc = {...}              # what SSO OIDC CreateToken accepts and answers (below)
    srv.log                       # [(method, path, {header: value})]
    srv.bodies                    # the request bodies, in the same order
    srv.close()

One server answers all four protocols:
  IMDS       PUT /latest/api/token, GET /latest/meta-data/iam/security-credentials/[ROLE]
  container  GET /creds... (also absolute-form "GET http://169.254.170.2/..." when
             it is used as an HTTP proxy, so RELATIVE_URI can be tested)
  SSO portal GET /federation/credentials?role_name=&account_id=
  SSO OIDC   POST /token (CreateToken, JSON): grantType refresh_token with the
             clientId, clientSecret and refreshToken of srv.oidc; answers
             {accessToken, expiresIn, tokenType[, refreshToken]} and from then on
             the portal takes the new access token; a mismatch is 400
             invalid_grant; srv.oidc["status"] forces another status.
"""

import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = "iamlua-instance-role"


def _iso(secs):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=secs)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _send(self, status, body, ctype="application/json", error_type=None):
        b = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if error_type:   # how the SSO services name their errors
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def _route(self, method):
        srv = self.server.owner
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path = self.path
        if path.startswith("http://"):           # used as a proxy
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        with srv.lock:
            srv.log.append((method, self.path, {k.lower(): v for k, v in self.headers.items()}))
            srv.bodies.append(body)
        u = urllib.parse.urlsplit(path)
        if u.path == "/latest/api/token" and method == "PUT":
            return self._imds_token(srv)
        if u.path.startswith("/latest/meta-data/iam/security-credentials/"):
            return self._imds_get(srv, u.path)
        if u.path == "/federation/credentials":
            return self._sso(srv, urllib.parse.parse_qs(u.query))
        if u.path.startswith("/creds"):
            return self._container(srv)
        if u.path == "/token" and method == "POST":
            return self._oidc(srv, body)
        return self._send(404, "not found", "text/plain")

    def _creds_json(self, srv, style):
        c = srv.creds
        if style == "sso":
            ms = int((datetime.datetime.now(datetime.timezone.utc).timestamp()
                      + srv.expires_in) * 1000)
            return json.dumps({"roleCredentials": {"accessKeyId": c["id"],
                               "secretAccessKey": c["secret"], "sessionToken": c["token"],
                               "expiration": ms}})
        d = {"AccessKeyId": c["id"], "SecretAccessKey": c["secret"], "Token": c["token"],
             "Expiration": _iso(srv.expires_in)}
        if style == "imds":
            d = dict({"Code": "Success", "LastUpdated": _iso(0), "Type": "AWS-HMAC"}, **d)
        else:
            d["RoleArn"] = "arn:aws:iam::123456789012:role/task"
        return json.dumps(d)

    def _imds_token(self, srv):
        if srv.imds_mode == "v1":
            return self._send(404, "", "text/plain")
        if srv.imds_mode == "400":
            return self._send(400, "", "text/plain")
        return self._send(200, srv.imds_token, "text/plain")

    def _imds_get(self, srv, path):
        tok = self.headers.get("x-aws-ec2-metadata-token")
        if srv.imds_mode == "v2only" and tok != srv.imds_token:
            return self._send(401, "", "text/plain")
        role = path[len("/latest/meta-data/iam/security-credentials/"):]
        if not role:
            return self._send(200, ROLE, "text/plain")
        if role != ROLE:
            return self._send(404, "", "text/plain")
        return self._send(200, self._creds_json(srv, "imds"), "text/plain")

    def _container(self, srv):
        if srv.container_auth is not None and \
                self.headers.get("Authorization") != srv.container_auth:
            return self._send(401, '{"message": "bad token"}')
        if srv.container_status != 200:
            return self._send(srv.container_status, "container says no", "text/plain")
        return self._send(200, self._creds_json(srv, "container"))

    def _sso(self, srv, q):
        if self.headers.get("x-amz-sso_bearer_token") != srv.sso_token:
            return self._send(401, '{"message": "Session token not found or invalid"}',
                              error_type="UnauthorizedException:http://internal.amazon.com/"
                                         "coral/com.amazonaws.switchboard.portal/")
        if q.get("role_name") != [srv.sso_role] or q.get("account_id") != [srv.sso_account]:
            return self._send(403, '{"message": "No access"}')
        return self._send(200, self._creds_json(srv, "sso"))

    def _oidc(self, srv, body):
        o = srv.oidc
        if o.get("status"):
            return self._send(o["status"], '{"error": "server_error"}')
        try:
            q = json.loads(body)
        except ValueError:
            q = {}
        if (q.get("grantType") != "refresh_token" or q.get("clientId") != o["client_id"]
                or q.get("clientSecret") != o["client_secret"]
                or q.get("refreshToken") != o["refresh_token"]):
            return self._send(400, '{"error": "invalid_grant", '
                                   '"error_description": "Invalid refresh token provided"}')
        a = {"accessToken": o["access_token"], "expiresIn": o["expires_in"],
             "tokenType": "Bearer"}
        if o.get("new_refresh_token"):
            a["refreshToken"] = o["new_refresh_token"]
        srv.sso_token = o["access_token"]
        return self._send(200, json.dumps(a))

    def do_GET(self):
        self._route("GET")

    def do_PUT(self):
        self._route("PUT")

    def do_POST(self):
        self._route("POST")


class CredServer:
    def __init__(self, creds):
        self.creds = creds
        self.imds_mode = "v2"
        self.imds_token = "imds-token-123"
        self.container_auth = None
        self.container_status = 200
        self.sso_token = "sso-access-token"
        self.sso_role = "SSORole"
        self.sso_account = "123456789012"
        self.expires_in = 3600
        self.oidc = {"client_id": "iamlua-client", "client_secret": "iamlua-client-secret",
                     "refresh_token": "refresh-1", "access_token": "sso-access-token-2",
                     "expires_in": 28800, "new_refresh_token": "refresh-2", "status": None}
        self.log = []
        self.bodies = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._t = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                   daemon=True)
        self._t.start()

    def reset(self, **kw):
        with self.lock:
            self.log = []
            self.bodies = []
        for k, v in kw.items():
            setattr(self, k, v)

    def requests(self):
        with self.lock:
            return list(self.log)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
