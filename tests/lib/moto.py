"""Start and stop a moto_server on 127.0.0.1 for the end-to-end suites.

    from moto import MotoServer            # tests/lib on sys.path
    srv = MotoServer.start()               # free port, bounded wait, killed at exit
    srv.url                                # "http://127.0.0.1:PORT"
    srv.set_auth_free_requests(1000)       # bootstrapping: next 1000 requests unauthenticated
    ...seed...
    srv.enforce_auth()                     # from now on every request is SigV4- and IAM-checked
    srv.stop()

How moto 5.x authenticates (moto/core/authorization.py): a class-wide counter
counts requests; while it is below settings.INITIAL_NO_AUTH_ACTION_COUNT
(env var of the same name, default infinity) requests pass unchecked, after
that every request's SigV4 signature is recomputed with the signing key's
secret (SignatureDoesNotMatch on mismatch, InvalidClientTokenId for unknown
key ids or bad session tokens) and the signing identity's IAM policies must
allow the action (AccessDenied otherwise). POST /moto-api/reset-auth with a
number as a text/plain body sets that limit and resets the counter, so
enforce_auth() switches checking on no matter how many seeding requests ran.

MotoServer.attach(url) wraps an already running server (IAMLUA_MOTO_URL);
stop() then leaves it alone.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from procgroup import stop_group

START_TIMEOUT = 30.0       # seconds for moto to answer after spawn
STOP_TIMEOUT = 5.0         # seconds between SIGTERM and SIGKILL
HTTP_TIMEOUT = 10.0        # seconds for one control request

_live = []                 # servers this process started, for the exit hooks


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def _no_proxy_opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, body=None, content_type="text/plain", timeout=HTTP_TIMEOUT):
    """(status, body bytes) of one request straight to 127.0.0.1, no proxy."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with _no_proxy_opener().open(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _moto_env(no_auth_count):
    env = {}
    for k in ("PATH", "HOME", "LANG", "LC_ALL", "PYENV_ROOT", "PYENV_VERSION",
              "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR"):
        if k in os.environ:
            env[k] = os.environ[k]
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(no_auth_count)
    env["MOTO_CALL_RESET_API"] = "true"
    return env


def _moto_argv(port):
    # This file is itself named moto.py, so "is the moto package importable
    # here" cannot be asked in-process; prefer the console script.
    exe = shutil.which("moto_server")
    if exe:
        return [exe, "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


class MotoError(RuntimeError):
    pass


class MotoServer:
    def __init__(self, url, proc=None, log_path=None):
        self.url = url.rstrip("/")
        self.proc = proc
        self.log_path = log_path

    # ---- lifecycle -------------------------------------------------------
    @classmethod
    def start(cls, no_auth_count=1000000, attempts=3):
        """Spawn moto_server on a free port; raise MotoError if it is not
        answering within START_TIMEOUT. Auth is off until enforce_auth()."""
        last = None
        for _ in range(attempts):
            port = free_port()
            fd, log_path = tempfile.mkstemp(prefix="iamlua-moto.", suffix=".log")
            log = os.fdopen(fd, "wb")
            proc = subprocess.Popen(_moto_argv(port), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    env=_moto_env(no_auth_count),
                                    start_new_session=True)
            log.close()
            srv = cls("http://127.0.0.1:%d" % port, proc, log_path)
            _live.append(srv)
            try:
                srv._wait_ready()
                return srv
            except MotoError as e:
                last = e
                srv.stop()
        raise last

    @classmethod
    def attach(cls, url):
        srv = cls(url)
        srv._wait_ready()
        return srv

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise MotoError("moto_server exited with %s: %s"
                                % (self.proc.returncode, self.log_tail()))
            try:
                status, _ = http("GET", self.url + "/moto-api/", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise MotoError("moto_server at %s not ready within %.0fs: %s"
                        % (self.url, START_TIMEOUT, self.log_tail()))

    def log_tail(self, n=2000):
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        p, self.proc = self.proc, None
        if p is not None:
            stop_group(p, STOP_TIMEOUT)
            if self.log_path:
                try:
                    os.unlink(self.log_path)
                except OSError:
                    pass
        if self in _live:
            _live.remove(self)

    # ---- control API -----------------------------------------------------
    def reset(self):
        """Forget every resource (users, keys, roles, ...)."""
        status, body = http("POST", self.url + "/moto-api/reset", body="")
        if status != 200:
            raise MotoError("reset failed: %s %r" % (status, body[:200]))

    def set_auth_free_requests(self, n):
        """The next n requests pass without authentication, later ones are
        checked; the counter restarts now."""
        status, body = http("POST", self.url + "/moto-api/reset-auth", body=str(int(n)))
        if status != 200:
            raise MotoError("reset-auth failed: %s %r" % (status, body[:200]))

    def enforce_auth(self):
        self.set_auth_free_requests(0)


def _stop_all():
    for srv in list(_live):
        srv.stop()


def _on_signal(signum, frame):
    _stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


atexit.register(_stop_all)
for _sig in (signal.SIGTERM, signal.SIGHUP):
    try:
        if signal.getsignal(_sig) in (signal.SIG_DFL, None):
            signal.signal(_sig, _on_signal)
    except (ValueError, OSError):   # not the main thread
        pass
