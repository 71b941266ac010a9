#!/usr/bin/python3
"""Expected output bytes for tests/unit/formats.lua, from the AWS CLI itself.

Renders every document of tests/unit/formats/cases.json with the output
formatters of AWS CLI v2 (the Debian awscli package's Python code) and writes
the bytes to tests/unit/formats/expected/<case>.<format>[.color]:

    json text table yaml yaml-stream     table.color (--color on)

and, for scripts/aws/json.lua's options, plain json.dumps output:

    encode-compact        json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    encode-ascii-sorted   json.dumps(data, indent=2, ensure_ascii=True, sort_keys=True)

and for the formats with no CLI counterpart (reference renderings of what
scripts/output/csv.lua and examples/output/jsonl.lua promise, with Python's
csv and json modules):

    csv                   csv_format(data)
    example-jsonl         example_jsonl(data)

Only the formatter step runs: the case's "data" stands for what reaches the
formatter after the CLI has removed ResponseMetadata and applied --query.
"width" (default 80) is the terminal width the table formatter sees. When the
CLI raises instead of printing, the file is <case>.<format>.error and holds
the exception's message.

Run with the system Python, which has awscli v2, ruamel.yaml and colorama:

    /usr/bin/python3 tests/unit/formats_oracle.py            # (re)write expected/
    /usr/bin/python3 tests/unit/formats_oracle.py --check    # compare, write nothing
    /usr/bin/python3 tests/unit/formats_oracle.py --lua-tables
        # print the Unicode data tables embedded in scripts/output/{table,text}.lua
"""
import argparse
import csv
import io
import json
import os
import sys
import unicodedata

sys.path.insert(0, "/usr/lib/python3/dist-packages")

import colorama  # noqa: E402
from awscli import formatter as cli_formatter  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "formats", "cases.json")
EXPECTED = os.path.join(HERE, "formats", "expected")
COMMAND = "GetAccessKeyLastUsed"  # what clidriver passes as command_name
FORMATS = ["json", "text", "table", "yaml", "yaml-stream"]


def render(fmt, data, color="off", width=80):
    """The bytes the CLI writes for `data` with --output fmt, as str."""
    args = argparse.Namespace(query=None, color=color)
    real_stdout = sys.stdout
    capture = io.StringIO()
    sys.stdout = capture
    try:
        # Built while sys.stdout is the capture buffer: --color on makes the
        # table styler call colorama.init(autoreset=True), which wraps
        # sys.stdout, exactly as it wraps the real stdout in the CLI.
        f = cli_formatter.get_formatter(fmt, args)
        if fmt == "table":
            f.table._terminal_width = width
        # Skip the response post-processing (ResponseMetadata removal, --query):
        # the case data is already what the formatter receives.
        f._get_transformed_response_for_output = lambda r: r
        f._remove_request_id = lambda r: None
        # clidriver hands the formatter sys.stdout as it is at call time.
        f(COMMAND, data, sys.stdout)
    finally:
        if color == "on":
            colorama.deinit()
        sys.stdout = real_stdout
    return capture.getvalue()


def outputs(case):
    data_json = json.dumps(case["data"])
    width = case.get("width", 80)
    for fmt in FORMATS:
        variants = [("off", fmt)]
        if fmt == "table":
            variants.append(("on", "table.color"))
        for color, suffix in variants:
            data = json.loads(data_json)  # formatters may mutate their input
            try:
                yield suffix, render(fmt, data, color, width).encode("utf-8")
            except Exception as e:  # the CLI would fail the same way
                yield suffix + ".error", ("%s: %s\n" % (type(e).__name__, e)).encode("utf-8")
    data = json.loads(data_json)
    yield "encode-compact", json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    yield "encode-ascii-sorted", json.dumps(data, indent=2, ensure_ascii=True, sort_keys=True).encode("utf-8")
    yield "csv", csv_format(data).encode("utf-8")
    yield "example-jsonl", example_jsonl(data).encode("utf-8")


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def csv_format(data):
    """scripts/output/csv.lua: a list of objects (or one object) as CSV; a
    list of scalars in a cell is joined with ";", one holding anything else
    is compact JSON."""
    if data is None or data == {} or data == []:
        return ""
    items = data if isinstance(data, list) else [data]

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list) and all(x is None or isinstance(x, (str, bool, int, float)) for x in v):
            return ";".join(cell(x) for x in v)
        return compact(v)

    def flatten(obj, prefix, row, columns):
        for k, v in obj.items():
            name = prefix + k
            if isinstance(v, dict) and v:
                flatten(v, name + ".", row, columns)
            else:
                if name not in columns:
                    columns.append(name)
                row[name] = cell(v)

    columns, rows = [], []
    for item in items:
        row = {}
        if isinstance(item, dict):
            flatten(item, "", row, columns)
        else:
            if "value" not in columns:
                columns.append("value")
            row["value"] = cell(item)
        rows.append(row)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def example_jsonl(data):
    """examples/output/jsonl.lua: one compact JSON document per line."""
    if isinstance(data, list):
        return "".join(compact(x) + "\n" for x in data)
    return compact(data) + "\n"


def lua_ranges(pred, name):
    """Code point ranges where pred holds, as a Lua string of base-36
    "gap,length" pairs (gap from the end of the previous range)."""
    ranges = []
    for cp in range(0x110000):
        if pred(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    parts, prev = [], -1
    for lo, hi in ranges:
        parts.append("%s,%s" % (b36(lo - prev - 1), b36(hi - lo)))
        prev = hi
    return "-- %s: %d ranges, Unicode %s (Python %d.%d unicodedata)\n%s" % (
        name, len(ranges), unicodedata.unidata_version,
        sys.version_info[0], sys.version_info[1], wrap_lua_string(" ".join(parts)))


def b36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = digits[r] + s
        if n == 0:
            return s


def wrap_lua_string(s, width=76):
    lines, cur = [], ""
    for tok in s.split(" "):
        if len(cur) + len(tok) + 1 > width:
            lines.append(cur)
            cur = ""
        cur = cur + (" " if cur else "") + tok
    lines.append(cur)
    return "[[\n" + "\n".join(lines) + "\n]]"


def lua_upper():
    """str.upper() for non-ASCII code points: single code point mappings as
    base-36 "start,count,step,delta" runs, then the multi-character ones
    as "cp=u1.u2..." (all base 36)."""
    runs, multi = [], []
    for cp in range(0x80, 0x110000):
        c = chr(cp)
        u = c.upper()
        if u == c:
            continue
        if len(u) > 1:
            multi.append("%s=%s" % (b36(cp), ".".join(b36(ord(x)) for x in u)))
            continue
        d = ord(u) - cp
        if runs:
            r = runs[-1]
            last = r[0] + (r[1] - 1) * r[2]
            if r[3] == d and ((r[1] == 1 and cp - last in (1, 2)) or (r[1] > 1 and cp - last == r[2])):
                if r[1] == 1:
                    r[2] = cp - last
                r[1] += 1
                continue
        runs.append([cp, 1, 1, d])
    parts = []
    for start, count, step, delta in runs:
        parts.append("%s,%s,%s,%s%s" % (b36(start), b36(count), b36(step),
                                         "-" if delta < 0 else "", b36(abs(delta))))
    return ("-- str.upper() runs: %d, Unicode %s\n%s\n-- multi-character results: %d\n%s" % (
        len(runs), unicodedata.unidata_version, wrap_lua_string(" ".join(parts)),
        len(multi), wrap_lua_string(" ".join(multi))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("--lua-tables", action="store_true", help="print the Unicode tables")
    opts = ap.parse_args()
    if opts.lua_tables:
        print(lua_ranges(lambda c: unicodedata.east_asian_width(c) in "WFA",
                         "east_asian_width in W, F, A (width 2)"))
        print(lua_ranges(lambda c: not c.isprintable(), "not str.isprintable()"))
        print(lua_upper())
        return 0
    with open(CASES, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    os.makedirs(EXPECTED, exist_ok=True)
    wanted, bad = set(), 0
    for case in cases:
        for suffix, out in outputs(case):
            name = "%s.%s" % (case["name"], suffix)
            wanted.add(name)
            path = os.path.join(EXPECTED, name)
            if opts.check:
                try:
                    with open(path, "rb") as f:
                        same = f.read() == out
                except OSError:
                    same = False
                if not same:
                    bad += 1
                    print("differs: %s" % name)
            else:
                with open(path, "wb") as f:
                    f.write(out)
    for name in sorted(set(os.listdir(EXPECTED)) - wanted):
        if opts.check:
            bad += 1
            print("stale: %s" % name)
        else:
            os.remove(os.path.join(EXPECTED, name))
    print("%d cases, %d files%s" % (len(cases), len(wanted),
                                    ", %d differ" % bad if opts.check else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
