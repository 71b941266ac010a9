#!/usr/bin/env python3
"""The audit's output formats, each read by a real consumer.

    python3 tests/e2e/test_audit_formats.py     # env: IAMLUA_BIN, IAMLUA_CHROMIUM

One audit of the seeded violations account (audit_seed) as JSON is the
reference; then every format of the same run:
  ocsf      each event has every attribute OCSF 1.1 requires of class 2004
            (Detection Finding) and of each object it carries, resolved from
            the schema's own files (tests/e2e/schemas/ocsf-1.1), with valid
            enum values and types, and maps back to its finding;
  sarif     valid against the SARIF 2.1.0 JSON Schema (ajv from the npm
            registry, tests/tools/schema), one rule per check, one result
            per non-passing finding;
  junit     read by junitparser (Debian's python3-junitparser, run with the
            system Python): one suite per check, one case per finding,
            failures and errors where the findings say;
  html      opened in headless Chromium: the DOM has a row per finding and
            the chart; the screenshot is not blank; and the page made no
            request (Chromium's network log of the load is empty);
  csv       read back by Python's csv module into the same findings;
  markdown  one table row per finding;
and each findings-only format refuses other data with a usage error.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import audit_seed as S  # noqa: E402

OCSF = os.path.join(HERE, "schemas", "ocsf-1.1")
SARIF_SCHEMA = os.path.join(HERE, "schemas", "sarif", "sarif-schema-2.1.0.json")
VALIDATOR = os.path.join(HERE, "..", "tools", "schema", "validate.js")
CHROMIUM = os.environ.get("IAMLUA_CHROMIUM", "/usr/bin/chromium")
SYSTEM_PYTHON = "/usr/bin/python3"
FIELDS = ["check", "title", "severity", "status", "account", "resource_type", "resource",
          "resource_arn", "message"]


# ------------------------------------------------------------------- OCSF --

def _load(rel):
    with open(os.path.join(OCSF, rel)) as f:
        return json.load(f)


def _merge(into, attrs):
    for k, v in attrs.items():
        if k == "$include":
            continue
        into[k] = dict(into.get(k, {}), **v)


def ocsf_class(profiles=()):
    """Attributes of detection_finding: base_event (with its includes and
    the profiles the event declares in metadata.profiles) <- finding <-
    detection_finding."""
    attrs = {}
    base = _load("events/base_event.json")
    for inc in base["attributes"].get("$include", []):
        if inc.startswith("includes/") or (inc.startswith("profiles/") and inc[9:-5] in profiles):
            _merge(attrs, _load(inc)["attributes"])
    _merge(attrs, base["attributes"])
    for rel in ("events/findings/finding.json", "events/findings/detection_finding.json"):
        _merge(attrs, _load(rel)["attributes"])
    return attrs


def ocsf_object(name):
    """(attributes, constraints) of an object, its `extends` chain merged."""
    d = _load("objects/%s.json" % name)
    attrs, cons = {}, {}
    if d.get("extends"):
        attrs, cons = ocsf_object(d["extends"])
    _merge(attrs, d.get("attributes", {}))
    cons = dict(cons, **d.get("constraints", {}))
    return attrs, cons


DICT = None
SCALAR = {"string_t": str, "integer_t": int, "long_t": int, "timestamp_t": int, "boolean_t": bool,
          "float_t": (int, float), "uuid_t": str, "datetime_t": str, "email_t": str, "ip_t": str,
          "url_t": str, "hostname_t": str, "file_name_t": str, "port_t": int, "json_t": object}


def check_ocsf(obj, attrs, where, probs, cons=None):
    global DICT
    if DICT is None:
        DICT = _load("dictionary.json")["attributes"]
    for k, v in attrs.items():
        if v.get("requirement") == "required" and obj.get(k) in (None, "", []):
            probs.append("%s: required %s missing" % (where, k))
    for group in (cons or {}).get("at_least_one", []) and [cons["at_least_one"]]:
        if not any(obj.get(g) not in (None, "") for g in group):
            probs.append("%s: needs one of %s" % (where, group))
    for k, val in obj.items():
        if k not in attrs:
            probs.append("%s: %s is not an attribute here" % (where, k))
            continue
        d = dict(DICT.get(k, {}), **attrs[k])
        typ = d.get("type", "json_t")
        enum = d.get("enum")
        items = val if d.get("is_array") else [val]
        if d.get("is_array") and not isinstance(val, list):
            probs.append("%s.%s should be an array" % (where, k))
            continue
        for it in items:
            if typ in SCALAR:
                if not isinstance(it, SCALAR[typ]) or (SCALAR[typ] is int and isinstance(it, bool)):
                    probs.append("%s.%s: %r is not %s" % (where, k, it, typ))
            elif typ.endswith("_t"):
                pass
            else:
                sub_attrs, sub_cons = ocsf_object(typ)
                if not isinstance(it, dict):
                    probs.append("%s.%s is not an object" % (where, k))
                else:
                    check_ocsf(it, sub_attrs, "%s.%s" % (where, k), probs, sub_cons)
            if enum and str(it) not in enum and k not in ("class_uid", "category_uid", "type_uid"):
                probs.append("%s.%s: %r not in its enum" % (where, k, it))


# ------------------------------------------------------------------ HTML --

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.svg, self.rects, self.bars, self.external = [], 0, 0, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-check" in a:
            self.rows.append((a["data-check"], a.get("data-status")))
        if tag == "svg" and a.get("id") == "summary-chart":
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


def png_ink(path):
    """(width, height, fraction of pixels not white) via the test_examples decoder."""
    sys.path.insert(0, HERE)
    from test_examples import png_pixels
    with open(path, "rb") as f:
        w, h, colours, ink = png_pixels(f.read())
    return w, h, len(colours), ink


def net_requests(path):
    """The params of every net log event naming a URL."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    out = []
    for m in re.finditer(r'"params":(\{[^{}]*"url":"[^"]*"[^{}]*\})', text):
        try:
            out.append(json.loads(m.group(1)))
        except ValueError:
            pass
    return out


# ------------------------------------------------------------------ suite --

def main():
    rep = H.Reporter()
    t0 = time.monotonic()
    S.scrub_process_env()
    if H.is_aws_cli(H.iamlua_bin()):
        rep.skip("audit formats", "iamlua-only")
        return rep.finish()
    srv = S.start_moto()
    ws = H.Workspace(prefix="iamlua-audit-fmt.")
    try:
        cases(rep, srv, ws)
    finally:
        ws.cleanup()
        srv.stop()
    sys.stdout.write("# suite took %.1f s\n" % (time.monotonic() - t0))
    return rep.finish()


def cases(rep, srv, ws):
    acct = S.seed_violations(srv)
    ws.write("credentials", "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
             % acct["creds"]["admin"])
    ws.write("config", "[default]\nregion = us-east-1\n")
    bin_ = H.iamlua_bin()
    NOW = ["--now", S.iso_z(acct["now"])]

    def audit(args):
        argv = [bin_, "audit", "--endpoint-url", srv.url] + NOW + args
        return H.run(argv, H.scrubbed_env(ws, None, argv), timeout=120)

    r = audit([])
    ref = json.loads(r.out)
    statuses = {f["status"] for f in ref}
    # one ERROR among them, so every format shows all three statuses
    ws.write("p/policies/err.lua", 'return { id = "zz-err", severity = "low", title = "always fails to decide",'
             ' check = function(ctx) ctx:error("thing <&>\\"", "could not tell\\nwhy") end }\n')
    env = {"IAMLUA_PATH": "{ws}/p"}

    def fmt(name, extra=()):
        argv = [bin_, "audit", "--endpoint-url", srv.url] + NOW + ["--output", name] + list(extra)
        return H.run(argv, H.scrubbed_env(ws, env, argv), timeout=120)
    r = fmt("json")
    ref = json.loads(r.out)
    rep.check("reference: %d findings, statuses %s" % (len(ref), sorted({f["status"] for f in ref})),
              [] if {f["status"] for f in ref} == {"PASS", "FAIL", "ERROR"} and r.rc == 2 else ["rc %s" % r.rc])
    n_bad = sum(1 for f in ref if f["status"] != "PASS")

    # -- ocsf
    r = fmt("ocsf")
    probs = [] if r.rc == 2 else ["rc %s %s" % (r.rc, H.show(r.err))]
    events = json.loads(r.out) if r.out else []
    if len(events) != len(ref):
        probs.append("%d events for %d findings" % (len(events), len(ref)))
    for i, (e, f) in enumerate(zip(events, ref)):
        p = []
        profiles = e.get("metadata", {}).get("profiles", [])
        if profiles != ["cloud"]:
            p.append("event[%d]: profiles %s" % (i, profiles))
        check_ocsf(e, ocsf_class(profiles), "event[%d]" % i, p)
        if e.get("class_uid") != 2004 or e.get("category_uid") != 2 or \
                e.get("type_uid") != 2004 * 100 + e.get("activity_id", 0):
            p.append("event[%d]: class/category/type uid %s %s %s" % (i, e.get("class_uid"), e.get("category_uid"),
                                                                      e.get("type_uid")))
        sev = {"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}[f["severity"]]
        if e.get("severity_id") != sev or e.get("status_code") != f["status"] or \
                e["finding_info"]["title"] != f["title"] or e["resources"][0]["name"] != f["resource"] or \
                e.get("message") != f["message"] or (f["account"] and e["cloud"]["account"]["uid"] != f["account"]):
            p.append("event[%d] does not map %s" % (i, f))
        probs += p[:3]
        if len(probs) > 6:
            break
    uids = [e["finding_info"]["uid"] for e in events]
    if len(set(uids)) != len(uids):
        probs.append("finding_info.uid not unique")
    rep.check("ocsf: %d Detection Finding events with every attribute OCSF 1.1 requires (class 2004 "
              "and its objects), valid types and enums, each mapping its finding" % len(events), probs)

    # -- sarif
    r = fmt("sarif")
    probs = [] if r.rc == 2 else ["rc %s" % r.rc]
    path = ws.path("out.sarif")
    with open(path, "wb") as f:
        f.write(r.out)
    if not os.path.exists(os.path.join(os.path.dirname(VALIDATOR), "node_modules", "ajv-draft-04")):
        probs.append("ajv is not installed (tools/setup.sh installs it)")
    else:
        v = subprocess.run(["node", VALIDATOR, SARIF_SCHEMA, path], capture_output=True, timeout=60)
        if v.returncode != 0 or v.stdout != b"valid\n":
            probs.append("schema: %s %s" % (H.show(v.stdout, 600), H.show(v.stderr)))
        bad = ws.path("bad.sarif")
        doc = json.loads(r.out)
        doc["runs"][0]["results"][0]["level"] = "severe"
        with open(bad, "w") as f:
            json.dump(doc, f)
        v = subprocess.run(["node", VALIDATOR, SARIF_SCHEMA, bad], capture_output=True, timeout=60)
        if v.returncode != 1:
            probs.append("the validator accepted an invalid level")
        run = doc["runs"][0]
        rules = [x["id"] for x in run["tool"]["driver"]["rules"]]
        checks = list(dict.fromkeys(f["check"] for f in ref))
        if rules != checks:
            probs.append("rules %s" % rules)
        if len(run["results"]) != n_bad:
            probs.append("%d results, %d findings not PASS" % (len(run["results"]), n_bad))
        for res in run["results"]:
            if rules[res["ruleIndex"]] != res["ruleId"]:
                probs.append("ruleIndex mismatch")
                break
    rep.check("sarif: valid against the SARIF 2.1.0 schema (ajv), one rule per check, one result "
              "per non-passing finding (%d)" % n_bad, probs)

    # -- junit
    r = fmt("junit")
    path = ws.path("out.xml")
    with open(path, "wb") as f:
        f.write(r.out)
    probs = [] if r.rc == 2 else ["rc %s" % r.rc]
    reader = r'''
import json, sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    for case in suite:
        kinds = [type(x).__name__ for x in case.result]
        out.append([suite.name, case.name, kinds, [x.message for x in case.result]])
print(json.dumps({"suites": [s.name for s in xml], "cases": out,
                  "tests": xml.tests, "failures": xml.failures, "errors": xml.errors}))
'''
    if not os.path.exists(SYSTEM_PYTHON):
        probs.append("no system python")
    else:
        v = subprocess.run([SYSTEM_PYTHON, "-c", reader, path], capture_output=True, timeout=60)
        if v.returncode != 0:
            probs.append("junitparser: %s" % H.show(v.stderr, 600))
        else:
            got = json.loads(v.stdout)
            want_cases = [[f["check"], f["resource"], {"PASS": [], "FAIL": ["Failure"], "ERROR": ["Error"]}[f["status"]],
                           {"PASS": [], "FAIL": [f["message"]], "ERROR": [f["message"]]}[f["status"]]]
                          for f in ref]
            if got["cases"] != want_cases:
                diff = [(a, b) for a, b in zip(got["cases"], want_cases) if a != b][:2]
                probs.append("cases differ (%d vs %d): %s" % (len(got["cases"]), len(want_cases), diff))
            if got["suites"] != list(dict.fromkeys(f["check"] for f in ref)):
                probs.append("suites %s" % got["suites"])
            nf = sum(1 for f in ref if f["status"] == "FAIL")
            ne = sum(1 for f in ref if f["status"] == "ERROR")
            if (got["tests"], got["failures"], got["errors"]) != (len(ref), nf, ne):
                probs.append("totals %s" % [got["tests"], got["failures"], got["errors"]])
    rep.check("junit: read by junitparser, a suite per check, a case per finding, failures and errors "
              "with their messages", probs)

    # -- csv
    r = fmt("csv")
    rows = list(csv.reader(io.StringIO(r.out.decode(), newline="")))
    probs = [] if r.rc == 2 and r.out.endswith(b"\r\n") else ["rc %s / no CRLF" % r.rc]
    if rows[0] != FIELDS:
        probs.append("header %s" % rows[0])
    back = [dict(zip(rows[0], x)) for x in rows[1:]]
    want = [{k: ("" if f[k] is None else str(f[k])) for k in FIELDS} for f in ref]
    if back != want:
        probs.append("rows differ: %s" % [(a, b) for a, b in zip(back, want) if a != b][:1])
    rep.check("csv: read back by Python's csv module, the same findings", probs)
    r = fmt("csv", ["--remediate", "--checks", "cis-1.14"])
    rows = list(csv.DictReader(io.StringIO(r.out.decode(), newline="")))
    probs = []
    if not rows or "remediation" not in rows[0]:
        probs.append("no remediation column: %s" % H.show(r.out))
    else:
        for x in rows:
            cell = json.loads(x["remediation"]) if x["remediation"].startswith("[") else x["remediation"]
            if x["status"] == "FAIL" and not (isinstance(cell, list) and cell and cell[0]["action"] == "UpdateAccessKey"):
                probs.append("remediation cell %r" % x["remediation"][:100])
                break
    rep.check("csv --remediate: the remediation list in one cell", probs)
    argv = [bin_, "run", "-"]
    lua = ('local aws = require "aws"\nlocal csv = require "output.csv"\n'
           'io.write(csv.format(aws.value.array{ aws.value.object("a", aws.value.array{"x", "y,z"}, '
           '"b", aws.value.object("c", 1)) }, {}))\n')
    ws.write("csvlist.lua", lua)
    argv = [bin_, "run", ws.path("csvlist.lua")]
    r = H.run(argv, H.scrubbed_env(ws, None, argv))
    rows = list(csv.reader(io.StringIO(r.out.decode(), newline="")))
    rep.check("csv: a list of scalars is one cell a;b, nested objects dotted columns",
              [] if rows == [["a", "b.c"], ["x;y,z", "1"]] else ["rows %s err %s" % (rows, H.show(r.err))])

    # -- markdown
    r = fmt("markdown")
    lines = r.out.decode().rstrip("\n").split("\n")
    probs = [] if r.rc == 2 else ["rc %s" % r.rc]
    if lines[0] != "| " + " | ".join(FIELDS) + " |" or len(lines) != len(ref) + 2:
        probs.append("header %r, %d lines for %d findings" % (lines[0], len(lines), len(ref)))
    if not any("thing &lt;&amp;&gt;\"" in ln and "could not tell<br>why" in ln for ln in lines):
        probs.append("escaping of the ERROR row: %s" % [ln for ln in lines if "zz-err" in ln])
    rep.check("markdown: a table row per finding, markup escaped", probs)

    # -- findings-only formats refuse other data
    for name in ("ocsf", "sarif", "junit", "html"):
        argv = [bin_, "iam", "get-access-key-last-used", "--access-key-id", acct["creds"]["admin"][0],
                "--endpoint-url", srv.url, "--output", name]
        r = H.run(argv, H.scrubbed_env(ws, None, argv))
        q = fmt(name, ["--query", "[].check"])
        rep.check("%s refuses data that are not findings (a command's result, a --query projection): 252" % name,
                  [] if r.rc == 252 and q.rc == 252 and b"writes audit findings" in r.err and r.out == b"" == q.out
                  else ["rc %s/%s err %s" % (r.rc, q.rc, H.show(r.err))])
    r = fmt("sarif", ["--query", "[?status=='FAIL']"])
    rep.check("a --query that keeps findings still formats (sarif of the FAILs)",
              [] if r.rc == 2 and len(json.loads(r.out)["runs"][0]["results"]) == sum(
                  1 for f in ref if f["status"] == "FAIL") else ["rc %s" % r.rc])

    # -- html
    r = fmt("html")
    html_path = ws.path("audit.html")
    with open(html_path, "wb") as f:
        f.write(r.out)
    page = r.out.decode()
    dom = Dom()
    dom.feed(page)
    probs = [] if r.rc == 2 else ["rc %s" % r.rc]
    if dom.rows != [(f["check"], f["status"]) for f in ref]:
        probs.append("%d rows for %d findings" % (len(dom.rows), len(ref)))
    if dom.svg != 1 or len(dom.bars) != 5 or dom.rects < 3:
        probs.append("chart: %d svg, %d bars, %d rects" % (dom.svg, len(dom.bars), dom.rects))
    tot = {s: sum(int(b["data-" + s.lower()]) for b in dom.bars) for s in ("PASS", "FAIL", "ERROR")}
    if tot != {s: sum(1 for f in ref if f["status"] == s) for s in tot}:
        probs.append("chart counts %s" % tot)
    if dom.external or re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", page):
        probs.append("external references %s" % dom.external[:3])
    rep.check("html: one self-contained page, a row per finding, a chart per severity and status", probs)
    if not os.path.exists(CHROMIUM):
        rep.skip("html in headless Chromium", "chromium missing")
        return
    prof = tempfile.mkdtemp(prefix="iamlua-chromium.")
    netlog = ws.path("netlog.json")
    try:
        flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + prof, "--window-size=1200,900", "--log-net-log=" + netlog]
        envc = H.scrubbed_env(ws, None, [])
        r = H.run(flags + ["--dump-dom", "file://" + html_path], envc, timeout=90)
        d = Dom()
        d.feed(r.out.decode("utf-8", "replace"))
        probs = [] if r.rc == 0 else ["chromium rc %s: %s" % (r.rc, H.show(r.err[-300:]))]
        if d.rows != dom.rows or d.svg != 1 or d.rects != dom.rects:
            probs.append("DOM: %d rows, %d svg, %d rects" % (len(d.rows), d.svg, d.rects))
        # Chromium's own background requests are in the net log too; the
        # page's are told apart by their traffic annotation, learnt from a
        # probe page that does make one (so a change in Chromium fails here
        # instead of hiding the page's requests)
        probe = ws.path("probe.html")
        with open(probe, "w") as f:
            f.write('<html><body><img src="http://127.0.0.1:9/iamlua-probe.png">probe</body></html>')
        probe_log = ws.path("probe-netlog.json")
        shutil.rmtree(prof, ignore_errors=True)
        pflags = [x if not x.startswith("--log-net-log=") else "--log-net-log=" + probe_log for x in flags]
        H.run(pflags + ["--dump-dom", "file://" + probe], envc, timeout=90)
        annotations = set()
        for params in net_requests(probe_log):
            if "iamlua-probe.png" in params.get("url", "") and "traffic_annotation" in params:
                annotations.add(params["traffic_annotation"])
        if not annotations:
            probs.append("the probe page's request is not in its net log: cannot tell page requests apart")
        page_urls = [p["url"] for p in net_requests(netlog) if p.get("traffic_annotation") in annotations]
        if not os.path.exists(netlog):
            probs.append("no net log written")
        if page_urls:
            probs.append("requests left the page: %s" % page_urls[:5])
        rep.check("html in headless Chromium: %d rows, the chart, no request from the page in Chromium's "
                  "net log (a probe page's request is seen)" % len(d.rows), probs)
        png = ws.path("audit.png")
        r = H.run(flags + ["--screenshot=" + png, "file://" + html_path], envc, timeout=90)
        probs = [] if r.rc == 0 and os.path.exists(png) else ["chromium rc %s" % r.rc]
        if not probs:
            w, h, colours, ink = png_ink(png)
            if (w, h) != (1200, 900) or colours < 20 or ink < 0.05:
                probs.append("%dx%d, %d colours, %.1f%% ink" % (w, h, colours, ink * 100))
            keep = os.environ.get("IAMLUA_KEEP_SCREENSHOT")
            if keep:
                shutil.copy(png, keep)
        rep.check("html screenshot in headless Chromium is not blank", probs)
    finally:
        shutil.rmtree(prof, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
