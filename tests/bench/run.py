#!/usr/bin/env python3
"""run.py: the `make bench` driver (DESIGN.md section 4).

    python3 tests/bench/run.py --iamlua ./iamlua --floor build/bench/floor [--quick]

Starts its own endpoints on 127.0.0.1 (endpoints.py) -- nginx answering
POST / with the bytes of a real moto GetAccessKeyLastUsed answer over http
and over TLS with an ECDSA P-256 and an RSA 2048 certificate from a CA the
bench generates (the tools get it as AWS_CA_BUNDLE / curl --cacert), and
moto_server verifying every signature -- then measures, tools interleaved
round by round so drift hits all of them alike, medians over the rounds:

  A  one call as a whole process, per transport: iamlua, AWS CLI v2, boto3
     one-shot, curl --aws-sigv4; and the floor (hyperfine; peak RSS with
     /usr/bin/time -f %M)
  B  one call against moto over http (signature checked): iamlua, AWS CLI
     v2, curl
  C  2,000 calls in one process, per transport: iamlua aws.parallel at
     concurrency 1 and 16, boto3 sequential and 16 threads, curl
     --parallel-max 16, and wrk's keep-alive rate as the ceiling
  D  signing alone on one core (taskset): aws.sign against botocore SigV4Auth
  E  peak RSS of 10,000 calls through aws.parallel at concurrency 64, per
     transport

Every run is checked against nginx's access log: exactly the requests
expected, all answered 200, and iamlua never on more connections than its
concurrency (connections are reused across tasks). The log also gives each
tool's connections (TLS handshakes) and how many TLS sessions it resumed.

Prints the machine, the tool versions, the tables and the targets with
PASS/MISS, and writes the same to tests/bench/out/latest.md (plus the raw
numbers to out/latest.json). Exit status: 0 when every measurement ran
(targets may MISS), 1 when a check failed (wrong request count, a tool
failing, an endpoint not starting, too many connections).
"""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, HERE)
from benchlib import (BenchError, elapsed, hyperfine, log, loop_rate,  # noqa: E402
                      median, on_signal, over_budget, peak_rss_kb, run, stop_children,
                      timed)
from endpoints import (REGION, TRANSPORTS, Nginx, connections, make_certs,  # noqa: E402
                       start_moto)
import report  # noqa: E402

AWS_CLI = "/usr/bin/aws"          # AWS CLI v2 (Debian awscli); `aws` on PATH may be v1
PY = sys.executable               # the real interpreter, not a pyenv shim script
KEY_ID = "AKIDSTATICBENCHKEY01"   # signer on the static endpoint (not checked there)
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
BODY = "Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=%s"


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


def transport_env(env, ngx, transport):
    """The environment of every tool on a transport: over TLS, the bench's
    CA is the only one trusted (AWS_CA_BUNDLE: iamlua, AWS CLI, boto3)."""
    if transport == "http":
        return env
    return dict(env, AWS_CA_BUNDLE=ngx.ca[transport])


def one_call_cmds(a, url, query_key, key_id, secret, which, ca=None):
    boto = ("import boto3; r = boto3.client('iam', endpoint_url=%r)"
            ".get_access_key_last_used(AccessKeyId=%r); assert r['UserName']"
            % (url, query_key))
    cmds = {
        "iamlua": [a.iamlua, "iam", "get-access-key-last-used", "--access-key-id",
                   query_key, "--endpoint-url", url],
        "aws-cli-v2": [AWS_CLI, "iam", "get-access-key-last-used", "--access-key-id",
                       query_key, "--endpoint-url", url],
        "boto3": [PY, "-c", boto],
        "curl-sigv4": ["curl", "-sS", "--fail", "-o", "/dev/null"]
        + (["--cacert", ca] if ca else []) + [
            "--aws-sigv4", "aws:amz:%s:iam" % REGION,
            "--user", "%s:%s" % (key_id, secret),
            "-H", "Content-Type: " + FORM, "--data", BODY % query_key, url + "/"],
    }
    return {k: cmds[k] for k in which}


# ---- A and B: one call as a whole process -----------------------------------

class Tally:
    """Walls, CPU, RSS and nginx's connection counts of one tool."""

    def __init__(self, tls):
        self.walls, self.cpus, self.rss = [], [], []
        self.calls = self.conns = self.resumed = 0
        self.tls = tls

    def count(self, lines):
        c, r = connections(lines)
        self.calls += len(lines)
        self.conns += c
        self.resumed += r

    def result(self):
        return {"wall": median(self.walls), "cpu": median(self.cpus),
                "rss_kb": median(self.rss) if self.rss else None,
                "n": len(self.walls), "walls": self.walls, "tls": self.tls,
                "conns": self.conns / self.calls if self.calls else None,
                "resumed": self.resumed / self.calls if self.calls else None}


def one_call_section(ngx, jobs, tmp, rounds, rss_rounds, budget, min_rounds=3):
    """jobs: {key: (argv, env, (runs, warmup), requests per run, tls)}.
    Interleaved rounds: each round runs every job (rotated order) with
    hyperfine, then, for the first rss_rounds rounds, once under
    /usr/bin/time. At most `rounds` rounds, fewer once `budget` seconds
    are used. Returns {key: result} (medians; seconds, KB; per-call
    connection counts when nginx served the job)."""
    t0 = time.monotonic()
    keys = list(jobs)
    tally = {k: Tally(jobs[k][4]) for k in keys}
    for r in range(rounds):
        order = keys[r % len(keys):] + keys[:r % len(keys)]
        for k in order:
            argv, env, (runs, warm), per, _ = jobs[k]
            if ngx:
                ngx.mark()
            times, cpu = hyperfine(argv, runs, warm, env, tmp)
            if ngx:
                lines = ngx.expect((runs + warm) * per, "%s (hyperfine, %d runs)"
                                   % (k, runs + warm))
                if per:
                    tally[k].count(lines)
            tally[k].walls += times
            tally[k].cpus.append(cpu)
            if r < rss_rounds:
                if ngx:
                    ngx.mark()
                tally[k].rss.append(peak_rss_kb(argv, env, tmp))
                if ngx:
                    ngx.expect(per, "%s (/usr/bin/time)" % (k,))
        log("  round %d/%d done" % (r + 1, rounds))
        if r + 1 < rounds and over_budget(t0, budget, r + 1, min_rounds):
            break
    return {k: tally[k].result() for k in keys}


def one_call(a, ngx, env, query_key, tmp, q):
    fast = (5, 1) if q else (10, 1)
    slow = (1, 0) if q else (2, 0)
    jobs = {}
    for t in TRANSPORTS:
        tenv = transport_env(env, ngx, t)
        cmds = one_call_cmds(a, ngx.urls[t], query_key, KEY_ID, SECRET,
                             ["iamlua", "aws-cli-v2", "boto3", "curl-sigv4"],
                             ngx.ca.get(t))
        for n, argv in cmds.items():
            speed = slow if n in ("aws-cli-v2", "boto3") else fast
            jobs[(t, n)] = (argv, tenv, speed, 1, t != "http")
    jobs[("-", "floor")] = ([a.floor], env, fast, 0, False)
    res = one_call_section(ngx, jobs, tmp, rounds=3 if q else 10,
                           rss_rounds=3 if q else 5, budget=60 if q else 160)
    A = {t: {} for t in TRANSPORTS}
    for (t, n), r in res.items():
        if n != "floor":
            A[t][n] = r
    return A, res[("-", "floor")]


def check_commands(a, ngx, env, query_key):
    """Every command once first on each transport: the right output, one
    request each, and iamlua printing the AWS CLI's bytes."""
    for t in TRANSPORTS:
        tenv = transport_env(env, ngx, t)
        cmds = one_call_cmds(a, ngx.urls[t], query_key, KEY_ID, SECRET,
                             ["iamlua", "aws-cli-v2", "boto3", "curl-sigv4"],
                             ngx.ca.get(t))
        out = {}
        for n, argv in cmds.items():
            ngx.mark()
            _, out[n], _ = run(argv, tenv)
            ngx.expect(1, "%s over %s (check run)" % (n, t))
            if n in ("iamlua", "aws-cli-v2") and '"UserName": "bench"' not in out[n]:
                raise BenchError("%s over %s printed something else:\n%s" % (n, t, out[n]))
        if out["iamlua"] != out["aws-cli-v2"]:
            raise BenchError("iamlua and AWS CLI v2 print different bytes over %s:\n%s\n%s"
                             % (t, out["iamlua"], out["aws-cli-v2"]))
    ngx.mark()
    run([a.floor], env)
    ngx.expect(0, "floor")


# ---- C: 2,000 calls in one process ------------------------------------------

def curl_config(path, url, calls, ca):
    """One curl operation: the options apply to every url in it, each
    transfer signed on its own."""
    with open(path, "w") as f:
        f.write('aws-sigv4 = "aws:amz:%s:iam"\nuser = "%s:%s"\n' % (REGION, KEY_ID, SECRET))
        f.write('header = "Content-Type: %s"\ndata = "%s"\nsilent\nshow-error\nfail\n'
                % (FORM, BODY % "AKIAIOSFODNN7EXAMPLE"))
        if ca:
            f.write('cacert = "%s"\n' % ca)
        for _ in range(calls):
            f.write('url = "%s/"\noutput = "/dev/null"\n' % url)


def many_tools(a, ngx, t, calls, wrk_seconds, tmp):
    url = ngx.urls[t]
    cfg = os.path.join(tmp, "curl-many-%s.cfg" % t)
    curl_config(cfg, url, calls, ngx.ca.get(t))
    many = os.path.join(HERE, "many.lua")
    return {
        "iamlua c=1": ([a.iamlua, "run", many, str(calls), "1", url], 1),
        "iamlua c=16": ([a.iamlua, "run", many, str(calls), "16", url], 16),
        "boto3 sequential": ([PY, os.path.join(HERE, "boto3_many.py"), str(calls), "1", url],
                             None),
        "boto3 16 threads": ([PY, os.path.join(HERE, "boto3_many.py"), str(calls), "16",
                              url], None),
        "curl --parallel-max 16": (["curl", "--parallel", "--parallel-max", "16",
                                    "--parallel-immediate", "--config", cfg], None),
        "wrk -t2 -c16": (["wrk", "-t2", "-c16", "-d%ds" % wrk_seconds,
                          "-s", os.path.join(HERE, "wrk_post.lua"), url + "/"], None),
    }


def check_reuse(name, t, conns, limit):
    """iamlua reuses connections across tasks: never more than its
    concurrency, whatever the transport."""
    if limit is not None and conns > limit:
        raise BenchError("%s over %s opened %d connections, more than its concurrency %d"
                         % (name, t, conns, limit))


def wrk_run(ngx, so):
    import re
    m = re.search(r"(\d+) requests in ([0-9.]+)s", so)
    if not m or "Non-2xx" in so or "Socket errors" in so:
        raise BenchError("wrk failed or saw errors:\n" + so)
    done = int(m.group(1))
    lines = ngx.served(done)
    if not done <= len(lines) <= done + 16:
        raise BenchError("wrk reported %d requests, nginx logged %d" % (done, len(lines)))
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", so).group(1)), lines


def many_section(ngx, env, tmp, calls, tools, rounds, budget, min_rounds=1):
    """tools(transport) -> {name: (argv, connection limit or None)}, each
    making `calls` requests. Interleaved rounds over every transport and
    tool (rotated order), at most `rounds`, fewer once `budget` seconds are
    used. Returns {transport: {name: medians}}."""
    t0 = time.monotonic()
    jobs = {}
    for t in TRANSPORTS:
        for n, (argv, limit) in tools(t).items():
            jobs[(t, n)] = (argv, transport_env(env, ngx, t), limit)
    keys = list(jobs)
    res = {k: {"rate": [], "loop_rate": [], "cpu": [], "rss": [], "conns": [],
               "resumed": []} for k in keys}
    for r in range(rounds):
        order = keys[r % len(keys):] + keys[:r % len(keys)]
        for k in order:
            t, n = k
            argv, tenv, limit = jobs[k]
            ngx.mark()
            wall, cpu, rss, so = timed(argv, tenv, tmp)
            if n.startswith("wrk"):
                rate, lines = wrk_run(ngx, so)
            else:
                lines = ngx.expect(calls, "%s over %s" % (n, t))
                rate = calls / wall
                lr = loop_rate(so)
                if lr:
                    res[k]["loop_rate"].append(lr)
            conns, resumed = connections(lines)
            check_reuse(n, t, conns, limit)
            res[k]["rate"].append(rate)
            res[k]["conns"].append(conns)
            res[k]["resumed"].append(resumed)
            res[k]["cpu"].append(cpu)
            res[k]["rss"].append(rss)
        log("  round %d/%d done" % (r + 1, rounds))
        if r + 1 < rounds and over_budget(t0, budget, r + 1, min_rounds):
            break
    C = {t: {} for t in TRANSPORTS}
    for (t, n), v in res.items():
        C[t][n] = {"rate": median(v["rate"]),
                   "loop_rate": median(v["loop_rate"]) if v["loop_rate"] else None,
                   "cpu": median(v["cpu"]), "rss_kb": median(v["rss"]), "rates": v["rate"],
                   "conns": median(v["conns"]), "resumed": median(v["resumed"]),
                   "n": len(v["rate"]), "tls": t != "http"}
    return C


# ---- D: signing -------------------------------------------------------------

def sign_section(a, env, rounds, n_iamlua, n_boto, budget=40, min_rounds=1):
    t0 = time.monotonic()
    cpu = str(os.cpu_count() - 1)
    sign = os.path.join(HERE, "sign.lua")
    tools = {"aws.sign (iamlua)": ["taskset", "-c", cpu, a.iamlua, "run", sign, str(n_iamlua)],
             "aws.sign, reading headers and url": ["taskset", "-c", cpu, a.iamlua, "run",
                                                   sign, str(n_iamlua), "headers,url"],
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


# ---- E: 10,000 calls --------------------------------------------------------

def big_section(a, ngx, env, tmp, rounds, budget):
    """Section C's measure with one tool, many.lua at concurrency 64:
    {transport: medians}."""
    many = os.path.join(HERE, "many.lua")
    name = "iamlua c=64"
    E = many_section(ngx, env, tmp, a.big, lambda t: {
        name: ([a.iamlua, "run", many, str(a.big), "64", ngx.urls[t]], 64)},
        rounds, budget)
    return {t: E[t][name] for t in TRANSPORTS}


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
        "openssl": first_line(["openssl", "version"], env),
        "hyperfine": first_line(["hyperfine", "--version"], env),
        "wrk": first_line(["wrk", "-v"], env),
        "time": "GNU time/" + first_line(["dpkg-query", "-W", "-f", "${Version}", "time"], env),
    }
    v["curl"] = " ".join(v["curl"].split()[:4])
    v["wrk"] = v["wrk"].split(" Copyright")[0]
    return v


# ---- main -------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iamlua", default=os.path.join(ROOT, "iamlua"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "build", "bench", "floor"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--quick", action="store_true", help="few runs, to check the harness")
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--big", type=int, default=10000)
    ap.add_argument("--wrk-seconds", type=int, default=3)
    ap.add_argument("--serve", type=int, metavar="SECONDS",
                    help="only start the endpoints, print a line per transport (NAME URL "
                         "CA_FILE) and the queried key id, keep them up this long (for "
                         "profiling by hand), then clean up")
    a = ap.parse_args()
    a.iamlua, a.floor = os.path.abspath(a.iamlua), os.path.abspath(a.floor)
    q = a.quick
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    for tool in ("nginx", "hyperfine", "wrk", "curl", "openssl", "taskset", "/usr/bin/time",
                 AWS_CLI, a.iamlua, a.floor):
        if not shutil.which(tool):
            raise BenchError("missing %s (bench.mk installs the packages)" % tool)
    m = machine()
    log("machine: %s, %d cores, Linux %s, load %s" % (m["cpu"], m["cores"], m["kernel"], m["load"]))
    tmp = tempfile.mkdtemp(prefix="iamlua-bench.")
    srv = None
    try:
        log("starting moto_server and fetching a real GetAccessKeyLastUsed answer")
        srv, query_key, admin, body, reqid = start_moto()
        env = base_env(tmp, KEY_ID, SECRET)
        certs = make_certs(os.path.join(tmp, "tls"))
        ngx = Nginx(tmp, body, reqid, certs)
        ngx.start()
        log("nginx on %s" % " ".join(ngx.urls[t] for t in TRANSPORTS))
        if a.serve:
            for t in TRANSPORTS:
                print(t, ngx.urls[t], ngx.ca.get(t, "-"))
            print("key", query_key, flush=True)
            time.sleep(min(a.serve, 3600))   # bounded
            return 0
        v = versions(a, env)
        check_commands(a, ngx, env, query_key)

        log("A: one call as a whole process, static endpoint, %s" % ", ".join(TRANSPORTS))
        A, floor = one_call(a, ngx, env, query_key, tmp, q)

        log("B: one call as a whole process, moto_server (signature checked)")
        menv = base_env(tmp, admin["AccessKeyId"], admin["SecretAccessKey"])
        mcmds = one_call_cmds(a, srv.url, query_key, admin["AccessKeyId"],
                              admin["SecretAccessKey"], ["iamlua", "aws-cli-v2", "curl-sigv4"])
        for n, argv in mcmds.items():
            run(argv, menv)   # each must pass moto's signature check
        bjobs = {n: (argv, menv, (1, 0) if n == "aws-cli-v2" else (5, 1), 0, False)
                 for n, argv in mcmds.items()}
        B = one_call_section(None, bjobs, tmp, rounds=2 if q else 4, rss_rounds=0,
                             budget=40, min_rounds=2)

        log("C: %d calls in one process, static endpoint" % a.calls)
        wrk_s = 1 if q else a.wrk_seconds
        C = many_section(ngx, env, tmp, a.calls,
                         lambda t: many_tools(a, ngx, t, a.calls, wrk_s, tmp),
                         rounds=1 if q else 3, budget=170)

        log("D: signing alone, one core")
        D = sign_section(a, env, rounds=1 if q else 3,
                         n_iamlua=100000 if q else 300000, n_boto=5000 if q else 15000)

        log("E: %d calls through aws.parallel, concurrency 64: peak RSS" % a.big)
        E = big_section(a, ngx, env, tmp, rounds=1 if q else 3, budget=45)

        seconds = elapsed()
        text = report.render(m, v, A, floor, B, C, D, E, a, seconds)
        print(text)
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "latest.md"), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(a.out, "latest.json"), "w") as f:
            json.dump({"machine": m, "versions": v, "one_call": A, "floor": floor,
                       "one_call_moto": B, "many": C, "sign": D, "big": E,
                       "seconds": seconds}, f, indent=1)
        log("wrote %s (%.0f s)" % (os.path.join(a.out, "latest.md"), seconds))
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
