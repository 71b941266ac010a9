#!/usr/bin/env python3
"""run.py: the `make bench` driver (DESIGN.md section 4).

    python3 tests/bench/run.py --iamlua ./iamlua --floor build/bench/floor [--quick]

Starts its own endpoints on 127.0.0.1 -- nginx answering POST / with the
bytes of a real moto GetAccessKeyLastUsed answer (the static endpoint), and
moto_server verifying every signature -- then measures, tools interleaved
round by round so drift hits all of them alike, medians over the rounds:

  A  one call as a whole process (static endpoint): iamlua, AWS CLI v2,
     boto3 one-shot, curl --aws-sigv4, floor (hyperfine; peak RSS with
     /usr/bin/time -f %M)
  B  the same against moto (signature checked): iamlua, AWS CLI v2, curl
  C  2,000 calls in one process: iamlua aws.parallel at concurrency 1 and
     16, boto3 sequential and 16 threads, curl --parallel-max 16, and wrk's
     keep-alive rate as the ceiling; nginx's access log must grow by exactly
     2,000 lines of status 200 per run
  D  signing alone on one core (taskset): aws.sign against botocore SigV4Auth
  E  peak RSS of 10,000 calls through aws.parallel at concurrency 64

Prints the machine, the tool versions, the tables and the targets with
PASS/MISS, and writes the same to tests/bench/out/latest.md (plus the raw
numbers to out/latest.json). Exit status: 0 when every measurement ran
(targets may MISS), 1 when a check failed (wrong request count, a tool
failing, an endpoint not starting).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from moto import MotoServer, free_port  # noqa: E402  (tests/lib/moto.py)

AWS_CLI = "/usr/bin/aws"          # AWS CLI v2 (Debian awscli); `aws` on PATH may be v1
PY = sys.executable               # the real interpreter, not a pyenv shim script
KEY_ID = "AKIDSTATICBENCHKEY01"   # signer on the static endpoint (not checked there)
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'

CMD_TIMEOUT = 120                 # seconds for any one child command
WALL_LIMIT = 570                  # the whole run must end within this many seconds


class BenchError(RuntimeError):
    pass


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ---- child processes --------------------------------------------------------

_children = []          # Popen objects of long-lived servers we started
_started = time.monotonic()


def check_deadline():
    if time.monotonic() - _started > WALL_LIMIT:
        raise BenchError("over the %d s budget; stopping" % WALL_LIMIT)


def run(argv, env, timeout=CMD_TIMEOUT, check=True, stdin=subprocess.DEVNULL):
    """Runs argv to completion; returns (rc, stdout, stderr) as text."""
    check_deadline()
    try:
        p = subprocess.run(argv, env=env, stdin=stdin, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError("timed out after %ds: %s" % (timeout, " ".join(argv)[:300]))
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if check and p.returncode != 0:
        raise BenchError("exit %d: %s\n%s%s" % (p.returncode, " ".join(argv)[:300],
                                                 out[-1500:], err[-1500:]))
    return p.returncode, out, err


def stop_children():
    for p in list(_children):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)
        _children.remove(p)


def on_signal(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


# ---- the static endpoint ----------------------------------------------------

class Nginx:
    def __init__(self, tmp, body, request_id):
        self.prefix = os.path.join(tmp, "nginx")
        os.makedirs(os.path.join(self.prefix, "tmp"), exist_ok=True)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        text = body.decode()
        if "$" in text or "\n" in text:
            raise BenchError("canned response holds '$' or a newline: %r" % text[:200])
        text = text.replace("\\", "\\\\").replace('"', '\\"')
        with open(os.path.join(HERE, "nginx.conf.in")) as f:
            conf = f.read()
        conf = (conf.replace("@PREFIX@", self.prefix).replace("@PORT@", str(self.port))
                .replace("@REQUEST_ID@", request_id).replace("@BODY@", text))
        self.conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.access = os.path.join(self.prefix, "access.log")
        self.offset = 0

    def start(self):
        err = open(os.path.join(self.prefix, "stderr.log"), "wb")
        p = subprocess.Popen(["nginx", "-p", self.prefix, "-c", self.conf,
                              "-e", os.path.join(self.prefix, "error.log")],
                             stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                             start_new_session=True)
        err.close()
        _children.append(p)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if p.poll() is not None:
                raise BenchError("nginx exited %s: %s" % (p.returncode, self.errors()))
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise BenchError("nginx not listening within 10 s: %s" % self.errors())

    def errors(self):
        out = ""
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.prefix, name), errors="replace") as f:
                    out += f.read()[-1500:]
            except OSError:
                pass
        return out

    def _new_lines(self):
        try:
            with open(self.access, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        return data[:end].splitlines()

    def mark(self):
        """Forgets the requests logged so far."""
        self._new_lines()

    def served(self, expected=None, settle=0.05, timeout=3.0):
        """Requests logged since mark(), waiting for the log to catch up
        with the expected count; raises if any was not answered 200."""
        lines = []
        deadline = time.monotonic() + timeout
        while True:
            lines += self._new_lines()
            if expected is None or len(lines) >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        time.sleep(settle)
        lines += self._new_lines()
        bad = [l for l in lines if b'" 200 ' not in l]
        if bad:
            raise BenchError("nginx answered %d of %d requests with another status than "
                             "200, e.g.: %s" % (len(bad), len(lines), bad[0][:300]))
        return len(lines)

    def expect(self, n, what):
        got = self.served(n)
        if got != n:
            raise BenchError("%s: nginx served %d requests, expected exactly %d"
                             % (what, got, n))


# ---- moto: the signature-checked endpoint and the canned bytes ---------------

def start_moto():
    import boto3
    srv = MotoServer.start()
    boot = boto3.client("iam", endpoint_url=srv.url, region_name=REGION,
                        aws_access_key_id="boot", aws_secret_access_key="boot")
    boot.create_user(UserName="bench")
    key = boot.create_access_key(UserName="bench")["AccessKey"]
    boot.create_user(UserName="bench-admin")
    arn = boot.create_policy(PolicyName="all", PolicyDocument=POLICY)["Policy"]["Arn"]
    boot.attach_user_policy(UserName="bench-admin", PolicyArn=arn)
    admin = boot.create_access_key(UserName="bench-admin")["AccessKey"]
    # One request signed with the queried key, so the answer has a date.
    boto3.client("iam", endpoint_url=srv.url, region_name=REGION,
                 aws_access_key_id=key["AccessKeyId"],
                 aws_secret_access_key=key["SecretAccessKey"]).list_users()
    srv.enforce_auth()
    iam = boto3.client("iam", endpoint_url=srv.url, region_name=REGION,
                       aws_access_key_id=admin["AccessKeyId"],
                       aws_secret_access_key=admin["SecretAccessKey"])
    got = {}
    iam.meta.events.register("after-call.iam.GetAccessKeyLastUsed",
                             lambda http_response, **kw: got.update(r=http_response))
    iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    r = got["r"]
    if r.status_code != 200 or b"<UserName>bench</UserName>" not in r.content:
        raise BenchError("moto's answer is not what the bench expects: %r" % r.content[:300])
    return srv, key["AccessKeyId"], admin, r.content, r.headers.get("x-amzn-requestid", "bench")


# ---- environments and commands ----------------------------------------------

def base_env(tmp, key_id, secret):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "HOME": tmp, "XDG_CONFIG_HOME": os.path.join(tmp, "xdg"),
           "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
           "AWS_CONFIG_FILE": os.path.join(tmp, "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "no-credentials"),
           "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true"}
    for k in ("PYENV_ROOT", "PYENV_VERSION", "PYTHONPATH", "VIRTUAL_ENV"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def one_call_cmds(a, url, query_key, key_id, secret, which):
    body = "Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=" + query_key
    boto = ("import boto3; r = boto3.client('iam', endpoint_url=%r)"
            ".get_access_key_last_used(AccessKeyId=%r); assert r['UserName']"
            % (url, query_key))
    cmds = {
        "iamlua": [a.iamlua, "iam", "get-access-key-last-used", "--access-key-id",
                   query_key, "--endpoint-url", url],
        "aws-cli-v2": [AWS_CLI, "iam", "get-access-key-last-used", "--access-key-id",
                       query_key, "--endpoint-url", url],
        "boto3": [PY, "-c", boto],
        "curl-sigv4": ["curl", "-sS", "--fail", "-o", "/dev/null",
                       "--aws-sigv4", "aws:amz:%s:iam" % REGION,
                       "--user", "%s:%s" % (key_id, secret),
                       "-H", "Content-Type: " + FORM, "--data", body, url + "/"],
        "floor": [a.floor],
    }
    return {k: cmds[k] for k in which}


def hyperfine(argv, runs, warmup, env, tmp):
    out = os.path.join(tmp, "hf.json")
    cmd = ["hyperfine", "-N", "--style", "none", "--runs", str(runs),
           "--warmup", str(warmup), "--export-json", out, shlex.join(argv)]
    run(cmd, env, timeout=CMD_TIMEOUT)
    with open(out) as f:
        r = json.load(f)["results"][0]
    return r["times"], r["user"] + r["system"]


def peak_rss_kb(argv, env, tmp):
    out = os.path.join(tmp, "time.txt")
    run(["/usr/bin/time", "-f", "%M", "-o", out] + argv, env)
    with open(out) as f:
        return int(f.read().split()[-1])


def over_budget(t0, budget, done, min_rounds):
    """True when a section has used its time budget and has its minimum
    number of rounds: a loaded machine gets fewer rounds, not a longer run."""
    if done >= min_rounds and time.monotonic() - t0 > budget:
        log("  time budget of %d s used after %d rounds; going on" % (budget, done))
        return True
    return False


def one_call_section(a, ngx, cmds, env, tmp, rounds, runs, rss_rounds, per_run_requests,
                     budget=180, min_rounds=3):
    """Interleaved rounds: each round runs every tool (rotated order) with
    hyperfine, then, for the first rss_rounds rounds, once under
    /usr/bin/time. Returns {tool: {wall, cpu, rss}} (medians, seconds/KB).
    At most `rounds` rounds, fewer when `budget` seconds are used up."""
    t0 = time.monotonic()
    names = list(cmds)
    walls = {n: [] for n in names}
    cpus = {n: [] for n in names}
    rss = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            k, w = runs[n]
            if ngx:
                ngx.mark()
            times, cpu = hyperfine(cmds[n], k, w, env, tmp)
            if ngx:
                ngx.expect((k + w) * per_run_requests[n], "%s (hyperfine, %d runs)" % (n, k + w))
            walls[n] += times
            cpus[n].append(cpu)
            if r < rss_rounds:
                if ngx:
                    ngx.mark()
                rss[n].append(peak_rss_kb(cmds[n], env, tmp))
                if ngx:
                    ngx.expect(per_run_requests[n], "%s (/usr/bin/time)" % n)
        log("  round %d/%d done" % (r + 1, rounds))
        if r + 1 < rounds and over_budget(t0, budget, r + 1, min_rounds):
            break
    return {n: {"wall": median(walls[n]), "cpu": median(cpus[n]),
                "rss_kb": median(rss[n]) if rss[n] else None,
                "n": len(walls[n]), "walls": walls[n]} for n in names}


# ---- 2,000 calls in one process ---------------------------------------------

def timed(argv, env, tmp):
    """(wall seconds, user+sys seconds, peak RSS KB, stdout) of one run."""
    out = os.path.join(tmp, "time.txt")
    t0 = time.monotonic()
    _, so, _ = run(["/usr/bin/time", "-f", "%U %S %M", "-o", out] + argv, env)
    wall = time.monotonic() - t0
    with open(out) as f:
        u, s, m = f.read().split()[-3:]
    return wall, float(u) + float(s), int(m), so


def loop_rate(stdout):
    m = re.search(r"rate=([0-9.]+)", stdout)
    return float(m.group(1)) if m else None


def many_section(a, ngx, env, tmp, calls, rounds, wrk_seconds, budget=150, min_rounds=1):
    t0 = time.monotonic()
    url = ngx.url
    curl_cfg = os.path.join(tmp, "curl-many.cfg")
    body = "Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=AKIAIOSFODNN7EXAMPLE"
    with open(curl_cfg, "w") as f:
        # One operation: the options apply to every url in it, each transfer
        # signed on its own.
        f.write('aws-sigv4 = "aws:amz:%s:iam"\nuser = "%s:%s"\n' % (REGION, KEY_ID, SECRET))
        f.write('header = "Content-Type: %s"\ndata = "%s"\nsilent\nshow-error\nfail\n'
                % (FORM, body))
        for _ in range(calls):
            f.write('url = "%s/"\noutput = "/dev/null"\n' % url)
    tools = {
        "iamlua c=1": [a.iamlua, "run", os.path.join(HERE, "many.lua"), str(calls), "1", url],
        "iamlua c=16": [a.iamlua, "run", os.path.join(HERE, "many.lua"), str(calls), "16", url],
        "boto3 sequential": [PY, os.path.join(HERE, "boto3_many.py"), str(calls), "1", url],
        "boto3 16 threads": [PY, os.path.join(HERE, "boto3_many.py"), str(calls), "16", url],
        "curl --parallel-max 16": ["curl", "--parallel", "--parallel-max", "16",
                                   "--parallel-immediate", "--config", curl_cfg],
        "wrk -t2 -c16": ["wrk", "-t2", "-c16", "-d%ds" % wrk_seconds,
                         "-s", os.path.join(HERE, "wrk_post.lua"), url + "/"],
    }
    names = list(tools)
    res = {n: {"rate": [], "loop_rate": [], "cpu": [], "rss": []} for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            ngx.mark()
            wall, cpu, rss, so = timed(tools[n], env, tmp)
            if n.startswith("wrk"):
                m = re.search(r"(\d+) requests in ([0-9.]+)s", so)
                if not m or "Non-2xx" in so or "Socket errors" in so:
                    raise BenchError("wrk failed or saw errors:\n" + so)
                done = int(m.group(1))
                got = ngx.served(done)
                if not done <= got <= done + 16:
                    raise BenchError("wrk reported %d requests, nginx logged %d" % (done, got))
                res[n]["rate"].append(float(re.search(r"Requests/sec:\s+([0-9.]+)", so).group(1)))
            else:
                ngx.expect(calls, n)
                res[n]["rate"].append(calls / wall)
                lr = loop_rate(so)
                if lr:
                    res[n]["loop_rate"].append(lr)
            res[n]["cpu"].append(cpu)
            res[n]["rss"].append(rss)
        log("  round %d/%d done" % (r + 1, rounds))
        if r + 1 < rounds and over_budget(t0, budget, r + 1, min_rounds):
            break
    return {n: {"rate": median(v["rate"]), "loop_rate": median(v["loop_rate"]) if v["loop_rate"] else None,
                "cpu": median(v["cpu"]), "rss_kb": median(v["rss"]), "rates": v["rate"]}
            for n, v in res.items()}


# ---- signing ----------------------------------------------------------------

def sign_section(a, env, rounds, n_iamlua, n_boto, budget=45, min_rounds=1):
    t0 = time.monotonic()
    cpu = str(os.cpu_count() - 1)
    tools = {"aws.sign (iamlua)": ["taskset", "-c", cpu, a.iamlua, "run",
                                   os.path.join(HERE, "sign.lua"), str(n_iamlua)],
             "botocore SigV4Auth": ["taskset", "-c", cpu, PY,
                                    os.path.join(HERE, "sign_botocore.py"), str(n_boto)]}
    rates = {n: [] for n in tools}
    for r in range(rounds):
        for n in (list(tools) if r % 2 == 0 else list(tools)[::-1]):
            _, so, _ = run(tools[n], env)
            rates[n].append(loop_rate(so))
        if r + 1 < rounds and over_budget(t0, budget, r + 1, min_rounds):
            break
    return {n: {"rate": median(v), "rates": v} for n, v in rates.items()}


# ---- machine and versions ---------------------------------------------------

def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    la = os.getloadavg()
    return {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
            "load": "%.2f %.2f %.2f" % la}


def first_line(argv, env, use_err=False):
    try:
        p = subprocess.run(argv, env=env, capture_output=True, timeout=30)
        text = (p.stderr if use_err or not p.stdout.strip() else p.stdout).decode(errors="replace")
        return text.strip().splitlines()[0] if text.strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "missing"


def versions(a, env):
    pyv = first_line([PY, "-c", "import sys, boto3, botocore; print('Python/%s boto3/%s "
                      "botocore/%s' % (sys.version.split()[0], boto3.__version__, "
                      "botocore.__version__))"], env)
    v = {
        "iamlua": first_line([a.iamlua, "--version"], env),
        "aws-cli": first_line([AWS_CLI, "--version"], env),
        "python": pyv + " (%s)" % PY,
        "moto": first_line([PY, "-c", "import moto; print('moto/' + moto.__version__)"],
                           dict(env, PYTHONPATH="")),
        "curl": first_line(["curl", "--version"], env),
        "nginx": first_line(["nginx", "-v"], env, use_err=True),
        "hyperfine": first_line(["hyperfine", "--version"], env),
        "wrk": first_line(["wrk", "-v"], env),
        "time": "GNU time/" + first_line(["dpkg-query", "-W", "-f", "${Version}", "time"], env),
    }
    v["curl"] = " ".join(v["curl"].split()[:3])
    v["wrk"] = v["wrk"].split(" Copyright")[0]
    return v


# ---- report -----------------------------------------------------------------

def fmt_ms(s):
    return "%.1f ms" % (s * 1000) if s < 10 else "%.2f s" % s


def fmt_mb(kb):
    return "%.1f MB" % (kb / 1024.0) if kb else "-"


def report(m, v, A, B, C, D, E, a, elapsed):
    L = []
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    L.append("# iamlua benchmark, %s" % now)
    L.append("")
    L.append("Machine: %s, %d cores, Linux %s, load average at start %s."
             % (m["cpu"], m["cores"], m["kernel"], m["load"]))
    L.append("Load average at end %s. `make bench` took %.0f s." % (
        "%.2f %.2f %.2f" % os.getloadavg(), elapsed))
    L.append("")
    L.append("Versions:")
    L.append("")
    L += ["- %s: %s" % kv for kv in v.items()]
    L.append("")
    base = A["iamlua"]
    L.append("## One call as a whole process, static endpoint (nginx)")
    L.append("")
    L.append("Medians; hyperfine for wall and user+sys, /usr/bin/time for peak RSS. "
             "\"vs iamlua\" = tool's median wall / iamlua's.")
    L.append("")
    L.append("| tool | runs | wall | user+sys | peak RSS | vs iamlua (wall) | vs iamlua (CPU) |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    for n, r in A.items():
        L.append("| %s | %d | %s | %s | %s | %.2fx | %.2fx |" % (
            n, r["n"], fmt_ms(r["wall"]), fmt_ms(r["cpu"]), fmt_mb(r["rss_kb"]),
            r["wall"] / base["wall"], r["cpu"] / base["cpu"] if base["cpu"] else 0))
    L.append("")
    L.append("iamlua above the floor (same libraries, no work): %.2f ms wall, %.2f ms CPU."
             % ((base["wall"] - A["floor"]["wall"]) * 1000, (base["cpu"] - A["floor"]["cpu"]) * 1000))
    L.append("")
    if B:
        L.append("## One call as a whole process, moto_server (signature checked)")
        L.append("")
        L.append("| tool | runs | wall | user+sys | vs iamlua (wall) |")
        L.append("|---|---:|---:|---:|---:|")
        for n, r in B.items():
            L.append("| %s | %d | %s | %s | %.2fx |" % (n, r["n"], fmt_ms(r["wall"]), fmt_ms(r["cpu"]),
                                                         r["wall"] / B["iamlua"]["wall"]))
        L.append("")
    L.append("## %d calls in one process, static endpoint" % a.calls)
    L.append("")
    L.append("calls/s = %d / the process's wall time (start-up included); "
             "\"loop\" = the rate the script measured around its loop; "
             "wrk: its keep-alive Requests/sec over %d s. Every run checked against "
             "nginx's access log (exactly %d requests, all 200)." % (a.calls, a.wrk_seconds, a.calls))
    L.append("")
    L.append("| tool | calls/s | loop calls/s | user+sys | peak RSS | iamlua c=16 vs this |")
    L.append("|---|---:|---:|---:|---:|---:|")
    c16 = C["iamlua c=16"]["rate"]
    for n, r in C.items():
        L.append("| %s | %.0f | %s | %s | %s | %.2fx |" % (
            n, r["rate"], "%.0f" % r["loop_rate"] if r["loop_rate"] else "-",
            fmt_ms(r["cpu"]), fmt_mb(r["rss_kb"]), c16 / r["rate"]))
    L.append("")
    L.append("## Signing alone, one core (taskset)")
    L.append("")
    L.append("| signer | signatures/s | iamlua vs this |")
    L.append("|---|---:|---:|")
    s0 = D["aws.sign (iamlua)"]["rate"]
    for n, r in D.items():
        L.append("| %s | %.0f | %.2fx |" % (n, r["rate"], s0 / r["rate"]))
    L.append("")
    L.append("## %d calls through aws.parallel (concurrency 64)" % a.big)
    L.append("")
    L.append("Peak RSS %s (median of %d runs), %.0f calls/s."
             % (fmt_mb(E["rss_kb"]), E["n"], E["rate"]))
    L.append("")

    t = []
    aw = A["iamlua"]["wall"]

    def tgt(name, value, target, ok):
        t.append("| %s | %s | %s | %s |" % (name, value, target, "PASS" if ok else "MISS"))
    r_cli = A["aws-cli-v2"]["wall"] / aw
    tgt("one call: faster than AWS CLI v2", "%.1fx" % r_cli, ">= 60x", r_cli >= 60)
    r_curl = aw / A["curl-sigv4"]["wall"]
    tgt("one call: wall vs curl --aws-sigv4", "%.2fx" % r_curl, "<= 1.1x", r_curl <= 1.1)
    d_floor = (aw - A["floor"]["wall"]) * 1000
    tgt("one call: above the library floor", "%.2f ms" % d_floor, "<= 1 ms", d_floor <= 1.0)
    rss1 = A["iamlua"]["rss_kb"] / 1024.0
    tgt("one call: peak RSS", "%.1f MB" % rss1, "< 12 MB", rss1 < 12)
    r = c16 / C["curl --parallel-max 16"]["rate"]
    tgt("%d calls c=16: vs curl --parallel-max 16" % a.calls, "%.2fx" % r, ">= 1.3x", r >= 1.3)
    r = c16 / C["boto3 sequential"]["rate"]
    tgt("%d calls c=16: vs boto3 sequential" % a.calls, "%.1fx" % r, ">= 10x", r >= 10)
    r = c16 / C["wrk -t2 -c16"]["rate"]
    tgt("%d calls c=16: share of wrk's keep-alive rate" % a.calls, "%.2f" % r, ">= 0.25", r >= 0.25)
    tgt("signing: signatures/s on one core", "%.0f" % s0, ">= 500000", s0 >= 500000)
    r = s0 / D["botocore SigV4Auth"]["rate"]
    tgt("signing: vs botocore", "%.1fx" % r, ">= 25x", r >= 25)
    mb = E["rss_kb"] / 1024.0
    tgt("%d calls: peak RSS" % a.big, "%.1f MB" % mb, "< 30 MB", mb < 30)
    L.append("## Targets (DESIGN.md section 4)")
    L.append("")
    L.append("| target | measured | wanted | |")
    L.append("|---|---:|---:|---|")
    L += t
    L.append("")
    return "\n".join(L)


# ---- main -------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iamlua", default=os.path.join(ROOT, "iamlua"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "build", "bench", "floor"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--quick", action="store_true", help="few runs, to check the harness")
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--big", type=int, default=10000)
    ap.add_argument("--wrk-seconds", type=int, default=5)
    ap.add_argument("--serve", type=int, metavar="SECONDS",
                    help="only start the static endpoint, print its URL, keep it "
                         "up this long (for profiling by hand), then clean up")
    a = ap.parse_args()
    a.iamlua, a.floor = os.path.abspath(a.iamlua), os.path.abspath(a.floor)
    q = a.quick
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    for tool in ("nginx", "hyperfine", "wrk", "curl", "taskset", "/usr/bin/time", AWS_CLI,
                 a.iamlua, a.floor):
        if not shutil.which(tool):
            raise BenchError("missing %s (bench.mk installs the packages)" % tool)
    m = machine()
    log("machine: %s, %d cores, Linux %s, load %s" % (m["cpu"], m["cores"], m["kernel"], m["load"]))
    tmp = tempfile.mkdtemp(prefix="iamlua-bench.")
    srv = None
    try:
        log("starting moto_server and fetching a real GetAccessKeyLastUsed answer")
        srv, query_key, admin, body, reqid = start_moto()
        ngx = Nginx(tmp, body, reqid)
        ngx.start()
        log("nginx on %s, moto on %s" % (ngx.url, srv.url))
        if a.serve:
            print(ngx.url, query_key, flush=True)
            time.sleep(min(a.serve, 3600))   # bounded
            return 0
        env = base_env(tmp, KEY_ID, SECRET)
        v = versions(a, env)

        # Every command once first: right output, right request count.
        static = one_call_cmds(a, ngx.url, query_key, KEY_ID, SECRET,
                               ["iamlua", "aws-cli-v2", "boto3", "curl-sigv4", "floor"])
        per = {n: 0 if n == "floor" else 1 for n in static}
        for n, argv in static.items():
            ngx.mark()
            _, so, _ = run(argv, env)
            ngx.expect(per[n], n + " (check run)")
            if n in ("iamlua", "aws-cli-v2") and '"UserName": "bench"' not in so:
                raise BenchError("%s printed something else:\n%s" % (n, so))
        _, a1, _ = run(static["iamlua"], env)
        _, a2, _ = run(static["aws-cli-v2"], env)
        if a1 != a2:
            raise BenchError("iamlua and AWS CLI v2 print different bytes:\n%s\n%s" % (a1, a2))

        log("A: one call as a whole process, static endpoint")
        fast = (5, 1) if q else (10, 1)
        slow = (1, 0) if q else (2, 0)
        A = one_call_section(a, ngx, static, env, tmp, rounds=3 if q else 10,
                             runs={"iamlua": fast, "floor": fast, "curl-sigv4": fast,
                                   "boto3": slow, "aws-cli-v2": slow},
                             rss_rounds=3 if q else 5, per_run_requests=per)

        log("B: one call as a whole process, moto_server (signature checked)")
        menv = base_env(tmp, admin["AccessKeyId"], admin["SecretAccessKey"])
        mcmds = one_call_cmds(a, srv.url, query_key, admin["AccessKeyId"],
                              admin["SecretAccessKey"], ["iamlua", "aws-cli-v2", "curl-sigv4"])
        for n, argv in mcmds.items():
            run(argv, menv)   # each must pass moto's signature check
        B = one_call_section(a, None, mcmds, menv, tmp, rounds=2 if q else 4,
                             runs={"iamlua": (5, 1), "curl-sigv4": (5, 1), "aws-cli-v2": (1, 0)},
                             rss_rounds=0, per_run_requests=None, budget=60, min_rounds=2)

        log("C: %d calls in one process, static endpoint" % a.calls)
        C = many_section(a, ngx, env, tmp, a.calls, rounds=1 if q else 3,
                         wrk_seconds=2 if q else a.wrk_seconds)

        log("D: signing alone, one core")
        D = sign_section(a, env, rounds=1 if q else 3,
                         n_iamlua=100000 if q else 300000, n_boto=5000 if q else 15000)

        log("E: %d calls through aws.parallel, concurrency 64: peak RSS" % a.big)
        rss, rates = [], []
        t0 = time.monotonic()
        for i in range(1 if q else 3):
            if i and time.monotonic() - t0 > 30:
                break
            ngx.mark()
            wall, _, kb, _ = timed([a.iamlua, "run", os.path.join(HERE, "many.lua"),
                                    str(a.big), "64", ngx.url], env, tmp)
            ngx.expect(a.big, "many.lua %d calls" % a.big)
            rss.append(kb)
            rates.append(a.big / wall)
        E = {"rss_kb": median(rss), "rate": median(rates), "n": len(rss), "rss": rss}

        elapsed = time.monotonic() - _started
        text = report(m, v, A, B, C, D, E, a, elapsed)
        print(text)
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "latest.md"), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(a.out, "latest.json"), "w") as f:
            json.dump({"machine": m, "versions": v, "one_call": A, "one_call_moto": B,
                       "many": C, "sign": D, "big": E, "seconds": elapsed}, f, indent=1)
        log("wrote %s (%.0f s)" % (os.path.join(a.out, "latest.md"), elapsed))
        return 0
    finally:
        stop_children()
        if srv is not None:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log("FAILED: %s" % e)
        sys.exit(1)
    except KeyboardInterrupt:
        log("interrupted; endpoints stopped")
        sys.exit(130)
