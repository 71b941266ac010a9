"""A scripted fault-injecting HTTP proxy on 127.0.0.1 in front of moto_server.

    from faultproxy import FaultProxy, Fault      # tests/lib on sys.path
    px = FaultProxy(moto.url)                      # free port on 127.0.0.1
    px.queue([Fault.throttle(), Fault.throttle()]) # next two requests; then pass
    ... run a client with --endpoint-url px.url ...
    px.log()                                       # [Entry], one per request
    px.close()

Clients point their endpoint URL at the proxy. A request that passes is
forwarded byte for byte (request line, Host header, signature, body) over a
fresh connection to the upstream, so moto still verifies SigV4; moto's answer
goes back with its status, headers and body (hop-by-hop headers rewritten:
Content-Length set, keep-alive kept).

Faults (Fault.*), applied per request in arrival order:
  passthrough()                 forward to moto
  throttle(status=400)          IAM's Throttling ErrorResponse ("Rate exceeded")
  error(status, code=, message=, type=, empty=False)
                                any XML ErrorResponse (500 InternalFailure,
                                503 ServiceUnavailable, 403 AccessDenied...) or
                                an empty body
  slow(seconds, then=passthrough())
                                wait (bounded by MAX_SLOW), watching for the
                                client to give up; then answer with `then`
  reset(after_headers=False)    RST (SO_LINGER 0) before any byte, or after a
                                status line and headers
  truncate(declared=400, sent=60)
                                Content-Length `declared`, `sent` bytes, FIN
Scripting: queue(list) serves the list to the next requests, then `default`
(pass-through unless set_default); rule(fn) asks fn(seq, t_since_rule,
entry) -> Fault for each request (seq counts from 0 at rule()). Helpers:
throttle_n(n), window_fraction(...).

Log: every request gets an Entry with monotonic times (arrival of the
complete request, when the answer was finished or the connection dropped,
when the client closed during a slow answer), the fault applied, the
connection id, method/path, the signing access key id, botocore's
amz-sdk-request header if present and the first 4 KiB of the body (so a
rule can pick faults by request parameters). Tests assert attempt counts and the gaps
between attempts from it; they never sleep to find out.

Bounded: MAX_CONNS connections and MAX_REQUESTS requests per proxy, header
and body size caps, socket timeouts on every read, MAX_SLOW for slow answers;
close() stops the accept loop, shuts every socket and joins the threads.
Only 127.0.0.1 is ever bound or contacted (the upstream must be local).
"""

import re
import socket
import struct
import threading
import time
import urllib.parse

MAX_CONNS = 4000           # connections accepted per proxy
MAX_REQUESTS = 20000       # requests handled per proxy
MAX_HEADER = 64 * 1024     # bytes of request or response head
MAX_BODY = 8 << 20         # bytes of request or upstream body
IO_TIMEOUT = 30.0          # seconds per socket read/write
MAX_SLOW = 30.0            # seconds a slow answer may wait at most
JOIN_TIMEOUT = 5.0         # seconds close() waits for each thread

THROTTLE_XML = ('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n'
                '  <Error>\n    <Type>{type}</Type>\n    <Code>{code}</Code>\n'
                '    <Message>{message}</Message>\n  </Error>\n'
                '  <RequestId>{rid}</RequestId>\n</ErrorResponse>\n')

REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}

_LOCAL = re.compile(r"^http://(127\.0\.0\.1|localhost):(\d+)/?$")
_CRED = re.compile(rb"Credential=([A-Z0-9]+)/")


class Fault:
    """What to do with one request. Build with the class methods."""

    def __init__(self, kind, **kw):
        self.kind = kind
        self.kw = kw

    def __repr__(self):
        return "Fault.%s(%s)" % (self.kind, ", ".join("%s=%r" % kv for kv in sorted(self.kw.items())))

    def label(self):
        if self.kind == "error":
            return "error:%d:%s" % (self.kw["status"], "empty" if self.kw.get("empty") else self.kw["code"])
        if self.kind == "reset":
            return "reset:after-headers" if self.kw.get("after_headers") else "reset:before-headers"
        return self.kind

    @classmethod
    def passthrough(cls):
        return cls("pass")

    @classmethod
    def throttle(cls, status=400, message="Rate exceeded"):
        return cls("error", status=status, code="Throttling", message=message, type="Sender")

    @classmethod
    def error(cls, status, code="InternalFailure", message="We encountered an internal error. Please try again.",
              type="Receiver", empty=False):
        return cls("error", status=status, code=code, message=message, type=type, empty=empty)

    @classmethod
    def access_denied(cls):
        return cls.error(403, code="AccessDenied", type="Sender",
                         message="User is not authorized to perform: iam:GetAccessKeyLastUsed")

    @classmethod
    def slow(cls, seconds, then=None):
        return cls("slow", seconds=min(float(seconds), MAX_SLOW), then=then or cls.passthrough())

    @classmethod
    def reset(cls, after_headers=False):
        return cls("reset", after_headers=after_headers)

    @classmethod
    def rewrite(cls, fn):
        """Forward, then answer with fn(upstream body) instead of the body
        (status and headers kept): an upstream that says something moto
        will not, such as credentials that expire in seconds."""
        return cls("rewrite", fn=fn)

    @classmethod
    def truncate(cls, declared=400, sent=60):
        return cls("truncate", declared=declared, sent=min(sent, declared - 1))


class Entry:
    """One request as the proxy saw it. Times are time.monotonic()."""

    __slots__ = ("seq", "conn", "t_arrival", "t_done", "t_client_closed", "fault",
                 "method", "path", "key_id", "sdk_request", "status", "note", "body")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    def __repr__(self):
        return "Entry(seq=%s conn=%s t=%.3f fault=%s status=%s key=%s sdk=%s)" % (
            self.seq, self.conn, self.t_arrival, self.fault, self.status, self.key_id, self.sdk_request)


def throttle_n(n, then=None):
    """A rule: the first n requests are throttled, the rest get `then`."""
    then = then or Fault.passthrough()

    def rule(seq, t, entry):
        return Fault.throttle() if seq < n else then
    return rule


def window_fraction(start_after, duration, every=2, max_faults=60, fault=None):
    """A rule for adaptive mode: requests pass until `start_after` requests
    have been seen; for `duration` seconds from then, every `every`-th
    request (deterministically, 1 of every) gets `fault` (Throttling), at
    most `max_faults` in all; then everything passes again. The rule records
    its window in rule.window = [t_start, t_end] (monotonic) once known."""
    fault = fault or Fault.throttle()
    state = {"t0": None, "n": 0, "faults": 0}

    def rule(seq, t, entry):
        if seq < start_after:
            return Fault.passthrough()
        now = entry.t_arrival
        if state["t0"] is None:
            state["t0"] = now
            rule.window = [now, now + duration]
        if now - state["t0"] > duration or state["faults"] >= max_faults:
            return Fault.passthrough()
        state["n"] += 1
        if (state["n"] - 1) % every == 0:
            state["faults"] += 1
            return fault
        return Fault.passthrough()
    rule.window = None
    return rule


class _BadRequest(Exception):
    pass


class FaultProxy:
    def __init__(self, upstream):
        m = _LOCAL.match(upstream)
        if not m:
            raise ValueError("upstream must be http://127.0.0.1:PORT, got %r" % upstream)
        self.upstream = ("127.0.0.1", int(m.group(2)))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._log = []
        self._queue = []
        self._rule = None
        self._rule_t0 = time.monotonic()
        self._rule_seq = 0
        self._default = Fault.passthrough()
        self._conns = {}            # id -> socket
        self._threads = []
        self._nconn = 0
        self._nreq = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        t = threading.Thread(target=self._accept_loop, name="faultproxy-accept", daemon=True)
        self._threads.append(t)
        t.start()

    # ---- scripting -------------------------------------------------------
    def queue(self, faults, default=None):
        """Serve `faults` to the next requests in order, then `default`."""
        with self._lock:
            self._queue = list(faults)
            self._rule = None
            if default is not None:
                self._default = default

    def rule(self, fn):
        """fn(seq, seconds since rule(), entry) -> Fault for every request."""
        with self._lock:
            self._queue = []
            self._rule = fn
            self._rule_t0 = time.monotonic()
            self._rule_seq = 0

    def set_default(self, fault):
        with self._lock:
            self._default = fault

    def clear_log(self):
        with self._lock:
            self._log = []

    def log(self):
        """A copy of the entries so far, in arrival order."""
        with self._lock:
            return list(self._log)

    def wait_idle(self, quiet=0.3, timeout=5.0):
        """Until no connection has been open for `quiet` seconds (bounded)."""
        deadline = time.monotonic() + timeout
        last_busy = time.monotonic()
        while time.monotonic() < deadline:
            with self._lock:
                busy = bool(self._conns)
            if busy:
                last_busy = time.monotonic()
            elif time.monotonic() - last_busy >= quiet:
                return True
            self._stop.wait(0.05)
        return False

    def _choose(self, entry):
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
            if self._rule is not None:
                seq = self._rule_seq
                self._rule_seq += 1
                return self._rule(seq, entry.t_arrival - self._rule_t0, entry) or self._default
            return self._default

    # ---- server ----------------------------------------------------------
    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                c, addr = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self._lock:
                if self._nconn >= MAX_CONNS:
                    c.close()
                    continue
                self._nconn += 1
                cid = self._nconn
                self._conns[cid] = c
                self._threads = [t for t in self._threads if t.is_alive()]
                t = threading.Thread(target=self._serve, args=(cid, c), name="faultproxy-%d" % cid,
                                     daemon=True)
                self._threads.append(t)
            t.start()

    def _serve(self, cid, c):
        c.settimeout(IO_TIMEOUT)
        buf = b""
        try:
            while not self._stop.is_set():
                try:
                    req, buf = self._read_request(c, buf)
                except (_BadRequest, OSError):
                    return
                if req is None:
                    return
                with self._lock:
                    if self._nreq >= MAX_REQUESTS:
                        return
                    self._nreq += 1
                    seq = len(self._log)
                e = Entry(seq=seq, conn=cid, t_arrival=time.monotonic(), method=req["method"],
                          path=req["path"], key_id=req["key_id"], sdk_request=req["sdk_request"],
                          body=req["body"][:4096])
                fault = self._choose(e)
                e.fault = fault.label()
                with self._lock:
                    self._log.append(e)
                keep = self._apply(c, req, fault, e)
                e.t_done = time.monotonic()
                if not keep or req["close"]:
                    return
        finally:
            with self._lock:
                self._conns.pop(cid, None)
            try:
                c.close()
            except OSError:
                pass

    def _read_request(self, c, buf):
        """(request dict, leftover bytes), or (None, b"") at a clean EOF."""
        while b"\r\n\r\n" not in buf:
            if len(buf) > MAX_HEADER:
                raise _BadRequest("head too large")
            chunk = c.recv(65536)
            if not chunk:
                if buf:
                    raise _BadRequest("EOF inside head")
                return None, b""
            buf += chunk
        head, rest = buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3:
            raise _BadRequest("bad request line")
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            headers[k.strip().lower()] = v.strip()
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            raise _BadRequest("chunked requests are not supported")
        try:
            n = int(headers.get(b"content-length", b"0"))
        except ValueError:
            raise _BadRequest("bad Content-Length")
        if n < 0 or n > MAX_BODY:
            raise _BadRequest("body too large")
        while len(rest) < n:
            chunk = c.recv(65536)
            if not chunk:
                raise _BadRequest("EOF inside body")
            rest += chunk
        body, leftover = rest[:n], rest[n:]
        m = _CRED.search(headers.get(b"authorization", b""))
        conn_hdr = headers.get(b"connection", b"").lower()
        req = {"raw": head + b"\r\n\r\n" + body, "body": body, "method": parts[0].decode("latin-1"),
               "path": parts[1].decode("latin-1"), "version": parts[2],
               "key_id": m.group(1).decode() if m else None,
               "sdk_request": headers.get(b"amz-sdk-request", b"").decode("latin-1") or None,
               "close": conn_hdr == b"close" or (parts[2] == b"HTTP/1.0" and conn_hdr != b"keep-alive")}
        return req, leftover

    # ---- faults ----------------------------------------------------------
    def _apply(self, c, req, fault, e):
        """Answer one request; True to keep the connection."""
        k = fault.kind
        if k == "pass":
            return self._forward(c, req, e)
        if k == "rewrite":
            return self._forward(c, req, e, fault.kw["fn"])
        if k == "error":
            kw = fault.kw
            body = b"" if kw.get("empty") else THROTTLE_XML.format(
                type=kw["type"], code=kw["code"], message=kw["message"],
                rid="fp-%d-%d" % (self.port, e.seq)).encode()
            e.status = kw["status"]
            self._send(c, kw["status"], [("x-amzn-RequestId", "fp-%d-%d" % (self.port, e.seq)),
                                         ("Content-Type", "text/xml")], body)
            return True
        if k == "slow":
            deadline = time.monotonic() + fault.kw["seconds"]
            if self._wait_or_client_gone(c, deadline):
                e.t_client_closed = time.monotonic()
                e.note = "client closed while waiting"
                return False
            return self._apply(c, req, fault.kw["then"], e)
        if k == "reset":
            if fault.kw.get("after_headers"):
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n")
                e.status = 200
            self._rst(c)
            return False
        if k == "truncate":
            body = (b"<GetAccessKeyLastUsedResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                    + b"x" * fault.kw["declared"])[:fault.kw["sent"]]
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n"
                      % fault.kw["declared"] + body)
            e.status = 200
            try:
                c.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return False
        raise ValueError("unknown fault %r" % fault)

    def _wait_or_client_gone(self, c, deadline):
        """Wait until deadline (or stop()); True if the client closed first."""
        import select
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([c], [], [], min(left, 0.05))
            if r:
                try:
                    data = c.recv(1, socket.MSG_PEEK)
                except OSError:
                    return True
                if not data:
                    return True
                # a pipelined byte: keep waiting, leave it in the buffer
                self._stop.wait(min(left, 0.05))
        return True

    @staticmethod
    def _rst(c):
        try:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        except OSError:
            pass

    @staticmethod
    def _send(c, status, headers, body):
        head = "HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Status"))
        for k, v in headers:
            head += "%s: %s\r\n" % (k, v)
        head += "Content-Length: %d\r\nDate: %s\r\n\r\n" % (
            len(body), time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
        c.sendall(head.encode("latin-1") + body)

    def _forward(self, c, req, e, rewrite=None):
        """Send the request bytes unchanged to the upstream; relay its answer
        (its body through `rewrite` when given)."""
        status, headers, body = self.fetch_upstream(req["raw"])
        if rewrite is not None:
            body = rewrite(body)
        e.status = status
        keep = [(k, v) for k, v in headers
                if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                     "keep-alive", "date")]
        self._send(c, status, keep, body)
        return True

    def fetch_upstream(self, raw):
        """(status, [(name, value)], body) of one raw request sent to the
        upstream over a fresh connection (HTTP/1.0 style: read to EOF)."""
        import http.client
        u = socket.create_connection(self.upstream, timeout=IO_TIMEOUT)
        try:
            u.sendall(raw)
            r = http.client.HTTPResponse(u)
            r.begin()
            body = r.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise OSError("upstream body too large")
            return r.status, list(r.getheaders()), body
        finally:
            u.close()

    # ---- lifecycle -------------------------------------------------------
    def close(self):
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass
        with self._lock:
            conns = list(self._conns.values())
            threads = list(self._threads)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in threads:
            t.join(JOIN_TIMEOUT)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


# ---- log helpers -----------------------------------------------------------

def gaps(entries):
    """Seconds between the end of each answer (or the client's giving up)
    and the arrival of the next request: the client's backoff plus its own
    overhead. len(entries) - 1 values."""
    out = []
    for a, b in zip(entries, entries[1:]):
        end = a.t_client_closed or a.t_done or a.t_arrival
        out.append(b.t_arrival - end)
    return out


def rate(entries, t0, t1):
    """Requests per second arriving in [t0, t1)."""
    if t1 <= t0:
        return 0.0
    return sum(1 for x in entries if t0 <= x.t_arrival < t1) / (t1 - t0)
