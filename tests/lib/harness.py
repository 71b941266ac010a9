"""Case runner for the end-to-end suites (tests/e2e/test_*.py).

Every command runs in a scrubbed environment built from nothing:
  PATH                          kept from the caller
  HOME                          WS/home (a fresh temp dir per workspace)
  AWS_CONFIG_FILE               WS/config
  AWS_SHARED_CREDENTIALS_FILE   WS/credentials
  AWS_EC2_METADATA_DISABLED     true  (never probe 169.254.169.254)
No other inherited variable (the machine sets AWS_CA_BUNDLE, proxies, ...).
Overrides: a dict; a value None unsets, "{ws}" / "{home}" in a value become
the workspace's paths.

Network safety net: a command line without an --endpoint-url pointing at
127.0.0.1/localhost could make the AWS CLI (or iamlua) talk to the real
https://iam.amazonaws.com/. Unless the case sets proxies itself, such runs get
HTTP_PROXY/HTTPS_PROXY = a closed port on 127.0.0.1 (held bound, never
listening) and NO_PROXY=127.0.0.1,localhost, so nothing ever leaves the host.

Output: one line per case run, `ok - NAME`, `not ok - NAME: DETAIL`,
`ok - NAME # SKIP reason`, then `N passed, M failed, K skipped`; the exit code
is 1 if anything failed.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_TIMEOUT = 60.0
SUITE_DEADLINE = float(os.environ.get("IAMLUA_SUITE_TIMEOUT", "1800"))  # seconds per suite

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def iamlua_bin():
    b = os.environ.get("IAMLUA_BIN", "./iamlua")
    return os.path.abspath(b) if os.sep in b else (shutil.which(b) or b)


def aws_cli():
    return os.environ.get("AWS_CLI", "/usr/bin/aws")


def is_aws_cli(path):
    """True when the binary under test is the AWS CLI itself (harness self-check)."""
    return os.path.basename(path) == "aws" or os.path.realpath(path) == os.path.realpath(aws_cli())


# ---------------------------------------------------------------- ports -----

class ClosedPort:
    """A port on 127.0.0.1 bound (so nobody else takes it) but not listening:
    every connect() is refused."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port

    def close(self):
        self.sock.close()


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (read timeouts).
    Connections are dropped after `hold` seconds; the thread ends on close()."""

    def __init__(self, hold=30.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.hold = hold
        self._stop = False
        self._conns = []
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self):
        while not self._stop:
            try:
                c, _ = self.sock.accept()
                self._conns.append((time.monotonic(), c))
            except socket.timeout:
                pass
            except OSError:
                break
            now = time.monotonic()
            keep = []
            for t, c in self._conns:
                if now - t > self.hold:
                    c.close()
                else:
                    keep.append((t, c))
            self._conns = keep

    def close(self):
        self._stop = True
        self._t.join(2)
        for _, c in self._conns:
            c.close()
        self.sock.close()


_closed = None


def closed_port():
    global _closed
    if _closed is None:
        _closed = ClosedPort()
    return _closed


# ------------------------------------------------------------ workspace -----

class Workspace:
    """A temp dir with home/, config and credentials files; removed by cleanup()."""

    def __init__(self, prefix="iamlua-e2e."):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, text):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        return p

    def remove(self, rel):
        try:
            os.unlink(self.path(rel))
        except FileNotFoundError:
            pass

    def expand(self, s):
        return s.replace("{home}", self.home).replace("{ws}", self.root)

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


_LOCAL = re.compile(r"^https?://(127\.0\.0\.1|localhost|\[::1\])([:/]|$)")


def scrubbed_env(ws, overrides=None, argv=()):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": ws.home,
        "AWS_CONFIG_FILE": ws.path("config"),
        "AWS_SHARED_CREDENTIALS_FILE": ws.path("credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for k, v in (overrides or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = ws.expand(v)
    argv = list(argv)
    local = False
    for i, a in enumerate(argv):
        if a == "--endpoint-url" and i + 1 < len(argv) and _LOCAL.match(argv[i + 1]):
            local = True
        elif a.startswith("--endpoint-url=") and _LOCAL.match(a.split("=", 1)[1]):
            local = True
    proxies = {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"}
    if not local and not (proxies & set(env)):
        env["HTTP_PROXY"] = env["HTTPS_PROXY"] = closed_port().url
        env.setdefault("NO_PROXY", "127.0.0.1,localhost")
    return env


# ----------------------------------------------------------------- runs -----

class Result:
    def __init__(self, rc, out, err, secs, timed_out):
        self.rc, self.out, self.err, self.secs, self.timed_out = rc, out, err, secs, timed_out

    def __repr__(self):
        return "Result(rc=%r, out=%r, err=%r)" % (self.rc, self.out[:200], self.err[:200])


def run(argv, env, timeout=DEFAULT_TIMEOUT, cwd=None, stdin=b""):
    """Run argv with exactly env; kill its process group after timeout.
    Returns Result (bytes out/err; rc None if it timed out)."""
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(argv, env=env, cwd=cwd or ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    except OSError as e:
        return Result(None, b"", ("cannot execute %s: %s" % (argv[0], e)).encode(), 0.0, False)
    try:
        out, err = p.communicate(stdin, timeout=timeout)
        return Result(p.returncode, out, err, time.monotonic() - t0, False)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return Result(None, out, err, time.monotonic() - t0, True)


# ------------------------------------------------------------- reporter -----

def show(b, n=300):
    """Short printable form of bytes for a failure line."""
    s = b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b)
    s = s.encode("unicode_escape").decode("ascii")
    return s if len(s) <= n else s[:n] + "...(%d more)" % (len(s) - n)


def first_diff(a, b):
    """Where two byte strings first differ, as a short text."""
    n = min(len(a), len(b))
    i = next((j for j in range(n) if a[j] != b[j]), n)
    lo = max(0, i - 40)
    return "at byte %d: got %s | want %s" % (i, show(a[lo:i + 60], 200), show(b[lo:i + 60], 200))


class Reporter:
    def __init__(self, out=sys.stdout):
        self.out = out
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.lock = threading.Lock()

    def _line(self, s):
        with self.lock:
            self.out.write(s.replace("\n", "\\n") + "\n")
            self.out.flush()

    def ok(self, name):
        self.passed += 1
        self._line("ok - %s" % name)

    def fail(self, name, detail):
        self.failed += 1
        self.failures.append(name)
        self._line("not ok - %s: %s" % (name, detail))

    def skip(self, name, why):
        self.skipped += 1
        self._line("ok - %s # SKIP %s" % (name, why))

    def check(self, name, problems):
        """problems: list of strings; empty means pass."""
        if problems:
            self.fail(name, "; ".join(problems))
        else:
            self.ok(name)

    def finish(self):
        self.out.write("%d passed, %d failed, %d skipped\n" % (self.passed, self.failed, self.skipped))
        self.out.flush()
        return 1 if self.failed else 0


def run_cases(rep, cases, ctx, prefix, budget, only=None):
    """Runs fn(ctx, ws) for each (name, fn) of cases in order, each in a
    fresh Workspace(prefix=prefix) removed after, and reports the problems
    it returns. A case whose name lacks `only` is left out; one not started
    within `budget` seconds fails, so a slow suite ends in time."""
    deadline = time.monotonic() + budget
    for name, fn in cases:
        if only and only not in name:
            continue
        if time.monotonic() > deadline:
            rep.fail(name, "suite deadline passed before this case started")
            continue
        ws = Workspace(prefix=prefix)
        try:
            rep.check(name, fn(ctx, ws))
        except Exception as e:
            rep.fail(name, "harness error: %s: %s" % (type(e).__name__, e))
        finally:
            ws.cleanup()


def run_ordered(jobs, workers, deadline=None):
    """Run callables jobs[i]() on `workers` threads; yields (i, result or
    exception) in input order. Jobs not started before deadline (monotonic)
    yield TimeoutError."""
    from concurrent.futures import ThreadPoolExecutor
    deadline = deadline or (time.monotonic() + SUITE_DEADLINE)

    def guard(fn):
        def g():
            if time.monotonic() > deadline:
                raise TimeoutError("suite deadline passed before this case started")
            return fn()
        return g

    with ThreadPoolExecutor(max_workers=max(1, workers)) as ex:
        futs = [ex.submit(guard(j)) for j in jobs]
        for i, f in enumerate(futs):
            try:
                yield i, f.result()
            except Exception as e:  # reported by the caller
                yield i, e


def workers():
    return int(os.environ.get("IAMLUA_JOBS", "2"))


# ------------------------------------------------------ answers, rewritten --

def expiring(body, secs, fmt="%Y-%m-%dT%H:%M:%SZ"):
    """An STS answer whose <Expiration> is now + secs (fmt: strftime of the
    UTC time), for credentials that must expire soon: STS grants at least
    900 s, so a proxy shortens what it answered."""
    exp = time.strftime(fmt, time.gmtime(time.time() + secs)).encode()
    return re.sub(rb"<Expiration>[^<]*</Expiration>",
                  b"<Expiration>" + exp + b"</Expiration>", body)


# ------------------------------------------------------- moto for suites ----

def moto_with_seed():
    """(server, state): IAMLUA_MOTO_URL's server or a fresh one, seeded."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
    from moto import MotoServer
    import seed
    url = os.environ.get("IAMLUA_MOTO_URL")
    srv = MotoServer.attach(url) if url else MotoServer.start()
    return srv, seed.seed(srv)


def start_moto(rep):
    """moto_with_seed() for a suite's main: (server, state), or the suite
    ends here with "not ok - moto starts and seeds: WHY" and the exit code
    of rep.finish()."""
    try:
        return moto_with_seed()
    except Exception as e:
        rep.fail("moto starts and seeds", "%s: %s" % (type(e).__name__, e))
        sys.exit(rep.finish())


def secrets_of(state):
    s = [k["secret"] for k in state["keys"].values()]
    s += [state["temp"]["secret"], state["temp"]["token"]]
    return [x for x in s if x]


def leaks(res, secrets):
    """Names of secrets that appear in a run's stdout or stderr."""
    found = []
    for s in secrets:
        b = s.encode()
        if b in res.out or b in res.err:
            found.append("secret %s...%s" % (s[:4], s[-2:]) if len(s) < 60 else "session token")
    return found
