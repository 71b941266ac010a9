#!/usr/bin/env python3
"""End-to-end cases for the examples: audit-access-keys.lua, report-html.lua
and the user output formats in examples/output/.

    python3 tests/e2e/test_examples.py    # env: IAMLUA_BIN (./iamlua), IAMLUA_EXAMPLES_USERS (300),
                                          #      IAMLUA_MOTO_URL (reset and re-seeded),
                                          #      IAMLUA_KEEP_SCREENSHOT (copy the PNG there)

Seeds its own moto_server (tests/lib/moto.py) with a few hundred users whose
keys have varied histories: used (one signed request each, through IAM or
STS, in several regions), never used, deactivated, two active keys, no keys.
Then auth is enforced and the audit runs as an admin user with an allow-all
policy. The expected rows are computed here, independently, with boto3
against the same moto (a second admin identity) and the rules of
examples/lib/audit.lua restated in Python; the audit's JSON must equal them
exactly, with the same exit code.

moto stamps a key's last-used date with the wall clock whenever the key
signs, so "old" dates come from --now: NOW = wall clock + 100.5 days makes
every key 100 days old and every use 100 days ago. The keys that sign
requests during the suite (the two admins, the partial and the no-policy
auditor) have a last-used date that moves between runs; for those keys only
last_used is normalised before comparing.

Every command runs in the harness's scrubbed environment (no inherited
AWS_*), network only to 127.0.0.1. report-html is rendered in headless
Chromium when /usr/bin/chromium exists (DOM and screenshot checks), else
those cases are skipped.
"""

import csv
import io
import json
import math
import os
import re
import struct
import sys
import tempfile
import time
import zlib
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402

N_USERS = int(os.environ.get("IAMLUA_EXAMPLES_USERS", "300"))
AUDIT = os.path.join(H.ROOT, "examples", "audit-access-keys.lua")
REPORT = os.path.join(H.ROOT, "examples", "report-html.lua")
EXAMPLES = os.path.join(H.ROOT, "examples")
CHROMIUM = os.environ.get("IAMLUA_CHROMIUM", "/usr/bin/chromium")
DAY = 86400
DEADLINE = time.monotonic() + float(os.environ.get("IAMLUA_EXAMPLES_DEADLINE", "270"))

FIELDS = ["user", "access_key_id", "status", "created", "age_days", "last_used",
          "days_since_last_use", "service", "region", "findings", "incomplete", "error"]
RULES = ["unused-credentials", "key-not-rotated", "multiple-active-keys"]

ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
LIST_ONLY = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow",
                                       "Action": ["iam:ListUsers", "iam:ListAccessKeys"],
                                       "Resource": "*"}]})
USE_REGIONS = ["us-east-1", "eu-west-2", "ap-southeast-2", "sa-east-1"]


# ------------------------------------------------------------------ seed ----

def scrub_process_env():
    for k in list(os.environ):
        if k.startswith("AWS_") or k.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            del os.environ[k]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


_session = []


def client(service, url, key_id, secret, region="us-east-1"):
    import boto3
    from botocore.config import Config
    if not _session:
        _session.append(boto3.session.Session())
    return _session[0].client(
        service, endpoint_url=url, region_name=region,
        aws_access_key_id=key_id, aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=30, proxies={}))


def user_name(i):
    # a few names with characters CSV must quote or YAML might mistake
    special = {7: "comma,user", 11: "eq=user", 13: "plus+user", 17: "at@user.name"}
    return special.get(i, "user-%04d" % i)


def signed_request(url, key_id, secret, service, region):
    """One SigV4-signed request with a key (botocore's signer, no client):
    moto stamps the key's last use with service and region."""
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    body = ("Action=GetCallerIdentity&Version=2011-06-15" if service == "sts"
            else "Action=ListUsers&Version=2010-05-08&MaxItems=1")
    req = AWSRequest(method="POST", url=url + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key_id, secret), service, region).add_auth(req)
    r = urllib.request.Request(url + "/", data=body.encode(), method="POST",
                               headers=dict(req.headers.items()))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(r, timeout=30) as resp:
        resp.read()


SEED_THREADS = 6


def seed(srv):
    """Users user-0000.. with key histories by i % 6, plus the auditors.
    Returns {creds: {label: (id, secret)}, signers: set of key ids}."""
    from concurrent.futures import ThreadPoolExecutor
    url = srv.url
    srv.reset()
    srv.set_auth_free_requests(10 ** 6)
    boots = [client("iam", url, "AKIAIOSFODNN7EXAMPLE", "bootstrap") for _ in range(SEED_THREADS)]
    boot = boots[0]
    allow = boot.create_policy(PolicyName="allow-all", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    listonly = boot.create_policy(PolicyName="list-only", PolicyDocument=LIST_ONLY)["Policy"]["Arn"]
    creds = {}
    for label, name, policy in (("admin", "zz-audit-admin", allow), ("oracle", "zz-oracle-admin", allow),
                                ("partial", "zz-audit-partial", listonly), ("nopolicy", "zz-audit-nopolicy", None)):
        boot.create_user(UserName=name)
        if policy:
            boot.attach_user_policy(UserName=name, PolicyArn=policy)
        k = boot.create_access_key(UserName=name)["AccessKey"]
        creds[label] = (k["AccessKeyId"], k["SecretAccessKey"])

    def one(i):
        b = boots[i % SEED_THREADS]
        u = user_name(i)
        b.create_user(UserName=u)
        kind = i % 6
        nkeys = {0: 1, 1: 1, 2: 2, 3: 2, 4: 1, 5: 0}[kind]
        keys = [b.create_access_key(UserName=u)["AccessKey"] for _ in range(nkeys)]
        svc = "sts" if i % 5 == 0 else "iam"
        reg = USE_REGIONS[i % len(USE_REGIONS)]
        use = None
        if kind == 0:                          # one key, used
            use = keys[0]
        elif kind == 1:                        # one key, never used
            pass
        elif kind == 2:                        # two active keys, one used
            use = keys[i % 2]
        elif kind == 3:                        # one used active key, one never-used inactive
            use = keys[0]
            b.update_access_key(UserName=u, AccessKeyId=keys[1]["AccessKeyId"], Status="Inactive")
        elif kind == 4:                        # used, then deactivated
            use = keys[0]
            b.update_access_key(UserName=u, AccessKeyId=keys[0]["AccessKeyId"], Status="Inactive")
        if use:
            signed_request(url, use["AccessKeyId"], use["SecretAccessKey"], svc, reg)

    with ThreadPoolExecutor(max_workers=SEED_THREADS) as ex:
        for f in [ex.submit(one, i) for i in range(N_USERS)]:
            f.result()
    srv.enforce_auth()
    return {"creds": creds, "signers": {v[0] for v in creds.values()}}


# ---------------------------------------------------------------- oracle ----

def iso(dt):
    from datetime import timezone
    return dt.astimezone(timezone.utc).isoformat()


def days(now, t):
    return max(0, math.floor((now - t) / DAY))


def snapshot(url, creds, users=None):
    """[(user, keys | None, error | None)] via boto3; each key's metadata
    gets 'last' (AccessKeyLastUsed) or 'error' (the ClientError text)."""
    from botocore.exceptions import ClientError
    from concurrent.futures import ThreadPoolExecutor
    iam = client("iam", url, *creds)
    if users is None:
        users = []
        for page in iam.get_paginator("list_users").paginate():
            users += [u["UserName"] for u in page["Users"]]

    def one(u):
        try:
            keys = []
            for page in iam.get_paginator("list_access_keys").paginate(UserName=u):
                keys += page["AccessKeyMetadata"]
        except ClientError as e:
            return (u, None, str(e))
        for k in keys:
            try:
                k["last"] = iam.get_access_key_last_used(AccessKeyId=k["AccessKeyId"])["AccessKeyLastUsed"]
            except ClientError as e:
                k["error"] = str(e)
        return (u, keys, None)

    with ThreadPoolExecutor(max_workers=SEED_THREADS) as ex:
        return list(ex.map(one, sorted(set(users))))


def user_args(names):
    """--users for plain names, --user for names with a comma."""
    plain = [n for n in names if "," not in n]
    args = ["--users", ",".join(plain)] if plain else []
    for n in names:
        if "," in n:
            args += ["--user", n]
    return args


def expected_rows(snap, now, max_unused=45, max_age=90, grace=7, denied_last_used=None):
    """The audit's rows, by the rules restated. denied_last_used: an error
    text to pretend every GetAccessKeyLastUsed failed with."""
    rows = []
    for user, keys, err in snap:
        if keys is None:
            rows.append(dict(zip(FIELDS, [user, None, None, None, None, None, None, None, None,
                                          [], True, err])))
            continue
        n_active = sum(1 for k in keys if k["Status"] == "Active")
        for k in keys:
            created = k["CreateDate"].timestamp()
            age = days(now, created)
            active = k["Status"] == "Active"
            error = denied_last_used or k.get("error")
            last_used = since = service = region = None
            if not error:
                lu = k["last"]
                service, region = lu.get("ServiceName"), lu.get("Region")
                if "LastUsedDate" in lu:
                    last_used = iso(lu["LastUsedDate"])
                    since = days(now, lu["LastUsedDate"].timestamp())
                else:
                    last_used = "never"
            findings = []
            if active and not error and age >= grace:
                if (since if since is not None else age) >= max_unused:
                    findings.append("unused-credentials")
            if active and age > max_age:
                findings.append("key-not-rotated")
            if active and n_active > 1:
                findings.append("multiple-active-keys")
            rows.append(dict(zip(FIELDS, [user, k["AccessKeyId"], k["Status"], iso(k["CreateDate"]), age,
                                          last_used, since, service, region, findings,
                                          bool(error), error])))
    rows.sort(key=lambda r: (r["user"].encode(), (r["access_key_id"] or "").encode()))
    return rows


def exit_of(rows):
    if any(r["incomplete"] for r in rows):
        return 2
    return 1 if any(r["findings"] for r in rows) else 0


def normalise(rows, signers):
    out = []
    for r in rows:
        r = dict(r)
        if r["access_key_id"] in signers:
            r["last_used"] = "<signer>"
            r["days_since_last_use"] = "<signer>"
            r["service"] = r["region"] = "<signer>"
        out.append(r)
    return out


def diff_rows(got, want, limit=3):
    """Short description of how two row lists differ ([] if equal)."""
    probs = []
    if len(got) != len(want):
        probs.append("%d rows, want %d" % (len(got), len(want)))
    gi = {(r.get("user"), r.get("access_key_id")): r for r in got}
    wi = {(r["user"], r["access_key_id"]): r for r in want}
    for k in sorted(set(wi) - set(gi), key=str)[:limit]:
        probs.append("missing %s" % (k,))
    for k in sorted(set(gi) - set(wi), key=str)[:limit]:
        probs.append("unexpected %s" % (k,))
    n = 0
    for k in wi:
        if k in gi and gi[k] != wi[k] and n < limit:
            n += 1
            d = {f: (gi[k].get(f), wi[k].get(f)) for f in FIELDS if gi[k].get(f) != wi[k].get(f)}
            probs.append("%s: got/want %r" % (k, d))
    if not probs and [(r.get("user"), r.get("access_key_id")) for r in got] != \
            [(r["user"], r["access_key_id"]) for r in want]:
        probs.append("order differs")
    return probs


# ----------------------------------------------------------------- checks ---

PROM_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
PROM_LABELS = r'\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*,?)?\}'
PROM_VALUE = r"(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)"
PROM_SAMPLE = re.compile(r"^(%s)(%s)? (%s)(?: -?\d+)?$" % (PROM_NAME, PROM_LABELS, PROM_VALUE))
PROM_HELP = re.compile(r"^# HELP (%s) (?:[^\\\n]|\\[\\n])*$" % PROM_NAME)
PROM_TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % PROM_NAME)
PROM_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def prom_unescape(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), s)


def parse_prometheus(text):
    """(samples [(name, {labels}, value)], problems)."""
    probs, samples = [], []
    typed, helped, done, current = set(), set(), set(), None
    if text and not text.endswith("\n"):
        probs.append("does not end in a newline")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        m = PROM_HELP.match(line) or PROM_TYPE.match(line)
        if m:
            name = m.group(1)
            seen = typed if line.startswith("# TYPE") else helped
            if name in seen:
                probs.append("line %d: second %s for %s" % (n, line.split()[1], name))
            if name in done or (line.startswith("# TYPE") and any(s[0] == name for s in samples)):
                probs.append("line %d: %s after its samples" % (n, line.split()[1]))
            seen.add(name)
            continue
        m = PROM_SAMPLE.match(line)
        if not m:
            probs.append("line %d not in the exposition grammar: %r" % (n, line))
            continue
        name = m.group(1)
        if name != current:
            if current:
                done.add(current)
            if name in done:
                probs.append("line %d: family %s not contiguous" % (n, name))
            current = name
        if name not in typed:
            probs.append("line %d: %s has no TYPE line" % (n, name))
        labels = {k: prom_unescape(v) for k, v in PROM_LABEL.findall(m.group(2) or "")}
        samples.append((name, labels, float(m.group(3))))
    return samples, probs


def split_md(line):
    if not (line.startswith("| ") and line.endswith(" |")):
        return None
    cells = re.split(r"(?<!\\) \| ", line[2:-2])
    return [re.sub(r"\\(.)", r"\1", c) for c in cells]


class DomScan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.svg, self.rects, self.bars, self.in_tbody = [], 0, 0, [], False
        self.external = []
        self.finding_rows = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody":
            self.in_tbody = True
        if tag == "tr" and self.in_tbody and "data-key-id" in a:
            self.rows.append((a.get("data-user"), a.get("data-key-id")))
            if "finding" in (a.get("class") or "").split():
                self.finding_rows += 1
        if tag == "svg" and a.get("id") == "age-chart":
            self.svg += 1
        if tag == "rect":
            self.rects += 1
        if tag == "g" and "bar" in (a.get("class") or "").split():
            self.bars.append(a)
        for k in ("src", "href"):
            if k in a:
                self.external.append("%s=%s" % (k, a[k]))
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_tbody = False


def png_pixels(data):
    """(width, height, set of distinct colours, fraction not white) of an
    8-bit RGB/RGBA non-interlaced PNG, decoded with zlib only."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, [], None
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat.append(body)
        elif typ == b"IEND":
            break
        pos += 12 + ln
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    colours, nonwhite = set(), 0
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        px = bytes(line)
        for x in range(0, stride, bpp):
            c = px[x:x + 3]
            colours.add(c)
            if c != b"\xff\xff\xff":
                nonwhite += 1
        prev = line
    return w, h, colours, nonwhite / float(w * h)


# ------------------------------------------------------------------ suite ---

class Suite:
    def __init__(self, rep, srv, S, now):
        self.rep, self.srv, self.S, self.now = rep, srv, S, now
        self.now_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        self.bin = H.iamlua_bin()
        self.ws = H.Workspace(prefix="iamlua-examples.")
        c = S["creds"]
        self.ws.write("credentials", "".join(
            "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (p, c[p][0], c[p][1])
            for p in ("admin", "partial", "nopolicy")).replace("[admin]", "[default]"))
        self.ws.write("config", "[default]\nregion = us-east-1\n")
        self.secrets = [v[1] for v in c.values()]

    def audit(self, args, script=AUDIT, env=None, timeout=120):
        if time.monotonic() > DEADLINE:      # keep the suite under 5 minutes even when runs hang
            return H.Result(None, b"", b"suite deadline passed; not run", 0.0, True)
        argv = [self.bin, "run", script, "--endpoint-url", self.srv.url, "--region", "us-east-1"] + args
        res = H.run(argv, H.scrubbed_env(self.ws, env, argv), timeout=timeout)
        return res

    def leaks(self, res):
        return ["secret leaked"] if any(s.encode() in res.out + res.err for s in self.secrets) else []

    def json_rows(self, res, probs):
        try:
            rows = json.loads(res.out.decode())
        except ValueError as e:
            probs.append("stdout is not JSON (%s): %s / stderr %s" % (e, H.show(res.out), H.show(res.err)))
            return None
        return rows

    def check_audit(self, name, res, want, want_rc, probs=None, normalise_signers=True, fix=None):
        probs = probs if probs is not None else []
        if res.timed_out:
            probs.append("timed out")
        if res.rc != want_rc:
            probs.append("exit %s, want %s; stderr %s" % (res.rc, want_rc, H.show(res.err)))
        rows = self.json_rows(res, probs)
        if rows is not None:
            if rows and list(rows[0].keys()) != FIELDS:
                probs.append("fields %s" % list(rows[0].keys()))
            g, w = rows, want
            if fix:
                g = [fix(dict(x)) for x in g]
            if normalise_signers:
                g, w = normalise(g, self.S["signers"]), normalise(want, self.S["signers"])
            probs += diff_rows(g, w)
        probs += self.leaks(res)
        self.rep.check(name, probs)
        return rows


def main():
    rep = H.Reporter()
    t_start = time.monotonic()
    scrub_process_env()
    sys.path.insert(0, os.path.join(HERE, "..", "lib"))
    from moto import MotoServer
    if H.is_aws_cli(H.iamlua_bin()):
        rep.skip("examples", "iamlua-only (IAMLUA_BIN is the AWS CLI)")
        return rep.finish()
    try:
        url = os.environ.get("IAMLUA_MOTO_URL")
        srv = MotoServer.attach(url) if url else MotoServer.start()
        t0 = time.monotonic()
        S = seed(srv)
        rep.ok("seed moto: %d users, auth enforced (%.1f s)" % (N_USERS, time.monotonic() - t0))
    except Exception as e:
        rep.fail("moto starts and seeds", "%s: %s" % (type(e).__name__, e))
        return rep.finish()
    try:
        run_cases(rep, srv, S)
    finally:
        srv.stop()
    sys.stdout.write("# suite took %.1f s\n" % (time.monotonic() - t_start))
    return rep.finish()


def run_cases(rep, srv, S):
    now = int(time.time()) + 100 * DAY + DAY // 2
    T = Suite(rep, srv, S, now)
    try:
        _cases(T, rep, srv, S, now)
    finally:
        T.ws.cleanup()


def _cases(T, rep, srv, S, now):
    oracle = S["creds"]["oracle"]
    NOW = ["--now", T.now_iso]

    # -- usage --------------------------------------------------------------
    for script, label in ((AUDIT, "audit-access-keys"), (REPORT, "report-html")):
        r = T.audit(["--help"], script=script)
        rep.check("%s --help exits 0 with usage" % label,
                  [] if r.rc == 0 and r.out.startswith(b"usage:") and b"--now" in r.out and not r.err
                  else ["rc %s out %s err %s" % (r.rc, H.show(r.out, 80), H.show(r.err))])
    for args, what in ((["--bogus"], "unknown option"), (["--concurrency", "0"], "--concurrency 0"),
                       (["--now", "yesterday"], "bad --now"), (["--output", "../x"], "bad --output name"),
                       (["--output", "nosuchformat"], "unknown --output format")):
        r = T.audit(args)
        rep.check("usage error: %s exits 252" % what,
                  [] if r.rc == 252 and r.out == b"" and r.err else
                  ["rc %s out %s err %s" % (r.rc, H.show(r.out, 80), H.show(r.err))])

    # -- the full audit, against the oracle -------------------------------
    t0 = time.monotonic()
    snap = snapshot(srv.url, oracle)
    want = expected_rows(snap, now)
    t_oracle = time.monotonic() - t0
    n_keys = sum(1 for r in want if r["access_key_id"])
    counts = {f: sum(1 for r in want if f in r["findings"]) for f in RULES}
    rep.check("oracle: %d users, %d keys, findings %s, boto3 (%.1f s)"
              % (len(snap), n_keys, counts, t_oracle),
              [] if len(snap) == N_USERS + 4 and all(counts.values()) else ["unexpected seed state"])
    outs = {}
    for conc in (1, 32):
        r = T.audit(NOW + ["--concurrency", str(conc)], timeout=120)
        outs[conc] = T.check_audit("audit %d users, %d keys, concurrency %d (%.1f s)"
                                   % (len(snap), n_keys, conc, r.secs), r, want, exit_of(want))
    p = []
    if outs[1] is None or outs[32] is None:
        p.append("a run failed")
    elif normalise(outs[1], S["signers"]) != normalise(outs[32], S["signers"]):
        p.append("outputs differ: %s" % diff_rows(normalise(outs[32], S["signers"]), normalise(outs[1], S["signers"])))
    rep.check("concurrency 1 and 32 give identical rows", p)
    full = outs[32] or want

    # default concurrency, real time now: nothing is stale yet, only
    # multiple-active-keys findings
    r = T.audit([])
    T.check_audit("audit at the real time (default concurrency 16)", r,
                  expected_rows(snapshot(srv.url, oracle), time.time()), 1)

    # -- subsets, grace, clean ----------------------------------------------
    sub = [user_name(i) for i in (0, 1, 2, 3, 4, 5, 7, 13)]
    snap_sub = snapshot(srv.url, oracle, sub)
    r = T.audit(NOW + user_args(list(reversed(sub))))
    T.check_audit("--users subset of %d, --user 'comma,user' (order ignored)" % len(sub), r,
                  expected_rows(snap_sub, now), exit_of(expected_rows(snap_sub, now)))
    r = T.audit(NOW + ["--users", "%s,%s,%s" % (sub[0], sub[0], sub[1])])
    T.check_audit("--users with a duplicate name", r,
                  expected_rows(snapshot(srv.url, oracle, sub[:2]), now), 1)
    for thr in (["--max-unused-days", "200", "--max-age-days", "365"],):
        w = expected_rows(snap_sub, now, max_unused=200, max_age=365)
        T.check_audit("thresholds --max-unused-days 200 --max-age-days 365", T.audit(NOW + user_args(sub) + thr),
                      w, exit_of(w))
    near = int(time.time()) + 3 * DAY + DAY // 2
    near_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(near))
    for grace in (7, 2):
        w = expected_rows(snap_sub, near, max_unused=1, grace=grace)
        n_unused = sum(1 for x in w if "unused-credentials" in x["findings"])
        T.check_audit("grace: keys 3 days old, --max-unused-days 1 --grace-days %d (%d unused)" % (grace, n_unused),
                      T.audit(["--now", near_iso, "--max-unused-days", "1", "--grace-days", str(grace),
                               ] + user_args(sub)), w, exit_of(w))
        if (grace == 7) != (n_unused == 0):
            rep.fail("grace %d changes the unused findings" % grace, "%d unused" % n_unused)
    w = expected_rows(snapshot(srv.url, oracle, ["comma", "user"]), now)
    T.check_audit("--users comma,user means two (unknown) users, exit 2",
                  T.audit(NOW + ["--users", "comma,user"]), w, 2)
    clean = [user_name(4), user_name(5)]      # one deactivated key, no keys
    w = expected_rows(snapshot(srv.url, oracle, clean), now)
    T.check_audit("clean users (inactive key, no key) exit 0", T.audit(NOW + ["--users", ",".join(clean)]), w, 0)

    # -- incomplete ---------------------------------------------------------
    w = expected_rows(snapshot(srv.url, oracle, [user_name(0), "no-such-user"]), now)
    T.check_audit("--users with an unknown user: incomplete row, exit 2",
                  T.audit(NOW + ["--users", user_name(0) + ",no-such-user"]), w, 2)
    part = sub[:6]
    r = T.audit(NOW + user_args(part), env={"AWS_PROFILE": "partial"})
    denied = "An error occurred (AccessDenied) when calling the GetAccessKeyLastUsed operation: "

    def fix(x):
        if (x.get("error") or "").startswith(denied):
            x["error"] = "<denied>"
        return x
    w = expected_rows(snapshot(srv.url, oracle, part), now, denied_last_used="<denied>")
    T.check_audit("no GetAccessKeyLastUsed permission: every key incomplete, other findings kept, exit 2",
                  r, w, 2, fix=fix)
    r = T.audit(NOW, env={"AWS_PROFILE": "nopolicy"})
    rep.check("no permission at all: users cannot be listed, exit 2, nothing on stdout",
              [] if r.rc == 2 and r.out == b"" and b"cannot list users" in r.err and b"AccessDenied" in r.err
              else ["rc %s out %s err %s" % (r.rc, H.show(r.out, 80), H.show(r.err))])
    closed = H.closed_port().url
    argv = [T.bin, "run", AUDIT, "--endpoint-url", closed, "--region", "us-east-1", "--users", "a,b"]
    r = H.run(argv, H.scrubbed_env(T.ws, {"AWS_MAX_ATTEMPTS": "1"}, argv), timeout=60)
    probs = []
    rows = T.json_rows(r, probs)
    if r.rc != 2 or not rows or not all(x["incomplete"] and x["error"] for x in rows):
        probs.append("rc %s rows %s err %s" % (r.rc, H.show(r.out, 200), H.show(r.err)))
    rep.check("connection refused: every row incomplete, exit 2", probs)

    # -- every output format --------------------------------------------------
    fmt_users = [user_name(i) for i in range(0, 40)]
    base = NOW + user_args(fmt_users) + ["--concurrency", "8"]
    r = T.audit(base)
    ref = T.check_audit("json for the format cases (%d users)" % len(fmt_users), r,
                        expected_rows(snapshot(srv.url, oracle, fmt_users), now), 1) or []
    ref_rc = 1
    keyed = [x for x in ref if x["access_key_id"]]

    def fmt_case(fmt, check, env=None):
        r = T.audit(base + ["--output", fmt], env=env)
        probs = [] if r.rc == ref_rc else ["exit %s, want %s: %s" % (r.rc, ref_rc, H.show(r.err))]
        if r.rc == ref_rc:
            try:
                probs += check(r.out.decode())
            except Exception as e:  # a parse failure is a failed case
                probs.append("%s: %s; out %s" % (type(e).__name__, e, H.show(r.out)))
        rep.check("--output %s%s" % (fmt, " (from IAMLUA_PATH)" if env else ""), probs)

    def check_jsonl(out):
        rows = [json.loads(x) for x in out.splitlines()]
        return [] if rows == ref else ["rows differ: %s" % diff_rows(rows, ref)]

    def check_csv(out):
        p = [] if out.endswith("\r\n") else ["lines do not end in CRLF"]
        rd = list(csv.reader(io.StringIO(out, newline="")))
        if rd[0] != FIELDS:
            p.append("header %s" % rd[0])
        if len(rd) - 1 != len(ref):
            p.append("%d rows, want %d" % (len(rd) - 1, len(ref)))
        for row, x in zip(rd[1:], ref):
            d = dict(zip(rd[0], row))
            exp = {"user": x["user"], "access_key_id": x["access_key_id"] or "",
                   "findings": ";".join(x["findings"]),
                   "age_days": "" if x["age_days"] is None else str(x["age_days"]),
                   "last_used": x["last_used"] or ""}
            if x["access_key_id"] in S["signers"]:
                exp.pop("last_used")
            bad = {k: (d.get(k), v) for k, v in exp.items() if d.get(k) != v}
            if bad:
                p.append("row %s: %s" % (x["user"], bad))
                break
        return p

    def check_markdown(out):
        lines = out.rstrip("\n").split("\n")
        head = split_md(lines[0])
        p = [] if head == FIELDS else ["header %r" % lines[0]]
        if not re.match(r"^\| ---( \| ---)* \|$", lines[1]) or lines[1].count("---") != len(FIELDS):
            p.append("rule line %r" % lines[1])
        if len(lines) - 2 != len(ref):
            p.append("%d rows, want %d" % (len(lines) - 2, len(ref)))
        for line, x in zip(lines[2:], ref):
            cells = split_md(line)
            if cells is None or len(cells) != len(FIELDS):
                p.append("row %r has %s cells" % (line, None if cells is None else len(cells)))
                break
            d = dict(zip(FIELDS, cells))
            if d["user"] != x["user"] or d["access_key_id"] != (x["access_key_id"] or "") \
                    or d["findings"] != ", ".join(x["findings"]) or d["status"] != (x["status"] or ""):
                p.append("row %r, want %s" % (line, x))
                break
        return p

    def check_prometheus(out):
        samples, p = parse_prometheus(out)
        ages = [(s[1]["user"], s[1]["key_id"], s[2]) for s in samples if s[0] == "iam_access_key_age_days"]
        want_ages = [(x["user"], x["access_key_id"], float(x["age_days"])) for x in keyed]
        if ages != want_ages:
            p.append("age samples %d, want %d" % (len(ages), len(want_ages)))
        since = {s[1]["key_id"]: s[2] for s in samples if s[0] == "iam_access_key_days_since_last_use"}
        want_since = {x["access_key_id"]: float(x["days_since_last_use"]) for x in keyed
                      if isinstance(x["days_since_last_use"], int)}
        if since != want_since:
            p.append("days_since_last_use samples differ (%d vs %d)" % (len(since), len(want_since)))
        totals = {s[1]["finding"]: s[2] for s in samples if s[0] == "iam_access_key_findings_total"}
        want_t = {f: float(sum(1 for x in ref if f in x["findings"])) for f in RULES}
        if totals != want_t:
            p.append("findings_total %s, want %s" % (totals, want_t))
        per = sum(1 for s in samples if s[0] == "iam_access_key_finding")
        if per != sum(len(x["findings"]) for x in ref):
            p.append("%d iam_access_key_finding samples" % per)
        for s in samples:
            if s[0] == "iam_access_key_audit_timestamp_seconds" and s[2] != now:
                p.append("timestamp %s, want %s" % (s[2], now))
        return p

    def check_yaml(out):
        try:
            import yaml
        except ImportError:
            return [] if all(x["access_key_id"] in out for x in keyed) else ["a key id is missing"]
        rows = yaml.safe_load(out)
        return [] if rows == ref else ["rows differ: %s" % diff_rows(rows, ref)]

    def check_yaml_stream(out):
        try:
            import yaml
        except ImportError:
            return [] if all(x["access_key_id"] in out for x in keyed) else ["a key id is missing"]
        docs = [d for d in yaml.safe_load_all(out)]
        rows = docs[0] if len(docs) == 1 else docs
        if isinstance(rows, list) and len(rows) == 1 and isinstance(rows[0], list):
            rows = rows[0]          # the stream is a list of pages, as the AWS CLI writes it
        return [] if rows == ref else ["rows differ: %s" % diff_rows(rows, ref)]

    def check_has_keys(out):
        miss = [x["access_key_id"] for x in keyed if x["access_key_id"] not in out]
        return ["key ids missing: %s" % miss[:3]] if miss else []

    fmt_case("json", lambda out: [] if json.loads(out) == ref else ["differs from the first run"])
    fmt_case("jsonl", check_jsonl)
    fmt_case("csv", check_csv)
    fmt_case("markdown", check_markdown)
    fmt_case("prometheus", check_prometheus)
    fmt_case("yaml", check_yaml)
    fmt_case("yaml-stream", check_yaml_stream)
    fmt_case("text", check_has_keys)
    fmt_case("table", check_has_keys)
    # a user format on IAMLUA_PATH wins over the one next to the script
    T.ws.write("fmt/output/markdown.lua",
               '-- test format\nreturn { format = function(data) return "custom " .. #data .. "\\n" end }\n')
    fmt_case("markdown", lambda out: [] if out == "custom %d\n" % len(ref) else ["out %r" % out[:80]],
             env={"IAMLUA_PATH": "{ws}/fmt"})

    # -- formats alone, on hostile strings -----------------------------------
    T.ws.write("fmt_escape.lua", FORMAT_ESCAPE_LUA)
    argv = [T.bin, "run", T.ws.path("fmt_escape.lua"), EXAMPLES]
    r = H.run(argv, H.scrubbed_env(T.ws, None, argv))
    out = r.out.decode("utf-8", "replace")
    md, _, prom = out.partition("----\n")
    p = [] if r.rc == 0 else ["rc %s: %s" % (r.rc, H.show(r.err))]
    want_md_row = '| we\\|ird"\\\\na&lt;b&gt;me<br>x | AKIA1 | 3 | never |  | key-not-rotated, unused-credentials | [{"a":1}] |'
    if want_md_row not in md.split("\n"):
        p.append("markdown row %s" % H.show(md))
    else:
        cells = split_md(want_md_row)
        if len(cells) != 7:
            p.append("escaped pipe splits the row: %d cells" % len(cells))
    rep.check("markdown escapes |, \\, <, > and line breaks", p)
    samples, p = parse_prometheus(prom)
    if r.rc != 0:
        p.append("rc %s" % r.rc)
    users = {s[1].get("user") for s in samples if "user" in s[1]}
    if users != {'we|ird"\\na<b>me\nx'}:
        p.append("label value round trip: %r" % users)
    if 'user="we|ird\\"\\\\na<b>me\\nx"' not in prom:
        p.append("escaped label not found in %s" % H.show(prom))
    rep.check("prometheus escapes label values (\\\\, \\\", \\n) and passes the exposition grammar", p)

    # -- report-html ---------------------------------------------------------
    html_path = T.ws.path("report.html")
    r = T.audit(NOW + ["--concurrency", "32", "--out", html_path], script=REPORT, timeout=120)
    p = [] if r.rc == exit_of(want) else ["rc %s: %s" % (r.rc, H.show(r.err))]
    html = ""
    if os.path.exists(html_path):
        with open(html_path, encoding="utf-8") as f:
            html = f.read()
    scan = DomScan()
    scan.feed(html)
    if len(scan.rows) != len(full):
        p.append("%d table rows, want %d" % (len(scan.rows), len(full)))
    if scan.svg != 1 or scan.rects < 1:
        p.append("svg chart: %d svg, %d rects" % (scan.svg, scan.rects))
    if scan.external or re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", html):
        p.append("external resources: %s" % scan.external[:3])
    if r.out:
        p.append("stdout not empty with --out")
    rep.check("report-html --out: self-contained page, %d rows, SVG chart (%.1f s)" % (len(scan.rows), r.secs), p)
    r2 = T.audit(NOW + ["--users", user_name(1)], script=REPORT)
    rep.check("report-html to stdout",
              [] if r2.rc == 1 and r2.out.startswith(b"<!DOCTYPE html>") and r2.out.count(b"data-key-id=") == 1
              else ["rc %s out %s" % (r2.rc, H.show(r2.out, 120))])

    if not os.path.exists(CHROMIUM):
        rep.skip("report-html DOM in headless Chromium", "chromium missing")
        rep.skip("report-html screenshot in headless Chromium", "chromium missing")
        return
    prof = tempfile.mkdtemp(prefix="iamlua-chromium.")
    try:
        flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + prof, "--window-size=1200,900"]
        url = "file://" + html_path
        env = H.scrubbed_env(T.ws, None, [])
        r = H.run(flags + ["--dump-dom", url], env, timeout=90)
        dom = DomScan()
        dom.feed(r.out.decode("utf-8", "replace"))
        p = [] if r.rc == 0 else ["chromium rc %s: %s" % (r.rc, H.show(r.err[-300:]))]
        want_keys = [(x["user"], x["access_key_id"]) for x in full]
        if dom.rows != want_keys:
            p.append("%d DOM rows, want %d (first %s)" % (len(dom.rows), len(want_keys), dom.rows[:1]))
        nf = sum(1 for x in full if x["findings"])
        if dom.finding_rows != nf:
            p.append("%d highlighted rows, want %d" % (dom.finding_rows, nf))
        if dom.svg != 1 or not dom.bars or dom.rects < 1:
            p.append("chart: %d svg, %d bars, %d rects" % (dom.svg, len(dom.bars), dom.rects))
        else:
            total = sum(int(b["data-active"]) + int(b["data-inactive"]) for b in dom.bars)
            if total != len([x for x in full if x["access_key_id"]]):
                p.append("chart counts %d keys" % total)
        rep.check("report-html DOM in headless Chromium: %d key rows, %d highlighted, SVG chart" % (len(dom.rows), nf), p)
        png = T.ws.path("report.png")
        r = H.run(flags + ["--screenshot=" + png, url], env, timeout=90)
        p = [] if r.rc == 0 else ["chromium rc %s: %s" % (r.rc, H.show(r.err[-300:]))]
        if os.path.exists(png):
            keep = os.environ.get("IAMLUA_KEEP_SCREENSHOT")
            if keep:
                with open(png, "rb") as src, open(keep, "wb") as dst:
                    dst.write(src.read())
            with open(png, "rb") as f:
                w, h, colours, ink = png_pixels(f.read())
            if (w, h) != (1200, 900):
                p.append("size %dx%d" % (w, h))
            if len(colours) < 50 or ink < 0.05:
                p.append("looks blank: %d colours, %.1f%% not white" % (len(colours), ink * 100))
            name = "report-html screenshot: %dx%d PNG, %d colours, %.0f%% ink" % (w, h, len(colours), ink * 100)
        else:
            p.append("no screenshot written")
            name = "report-html screenshot"
        rep.check(name, p)
    finally:
        import shutil
        shutil.rmtree(prof, ignore_errors=True)


FORMAT_ESCAPE_LUA = r'''
local dir = arg[1]
local aws = require "aws"
local v = aws.value
local md = require "output.markdown"
local prom = assert(loadfile(dir .. "/output/prometheus.lua"))()
local rows = v.array{ v.object(
    "user", 'we|ird"\\na<b>me' .. "\n" .. "x", "access_key_id", "AKIA1", "age_days", 3,
    "last_used", "never", "days_since_last_use", aws.null,
    "findings", v.array{ "key-not-rotated", "unused-credentials" },
    "extra", v.array{ v.object("a", 1) }) }
io.write(md.format(rows, {}))
io.write("----\n")
io.write(prom.format(rows, { now = 1700000000 }))
'''


if __name__ == "__main__":
    sys.exit(main())
