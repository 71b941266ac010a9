#!/usr/bin/env python3
"""test_params_range.py: aws.params.validate (what client:call checks before
sending) words every numeric lower bound as botocore's ParamValidator does.

botocore's validate.py range_check refuses a number under its shape's min
("Invalid value for parameter MaxItems, value: 0, valid min value: 1")
and never checks a max. Here every top-level numeric input member with a
min, in every operation of the services iamlua ships shapes for (iam, sts,
organizations), is validated by both, at min - 1 and at min, with the
other required members missing, so the whole report (its order included)
must match. The oracle is the botocore that AWS CLI v2 (Debian awscli)
vendors, run by the system Python as /usr/bin/aws is.

    python3 tests/e2e/test_params_range.py    # env: IAMLUA_BIN
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3"  # the interpreter of /usr/bin/aws

# Lists the cases and botocore's report for each, as JSON.
ORACLE = r'''
import json, sys
import awscli  # noqa: F401  (aliases "botocore" to the CLI's vendored copy)
import botocore.session
from botocore.validate import ParamValidator
s = botocore.session.Session()
cases = []
for svc in ("iam", "sts", "organizations"):
    model = s.get_service_model(svc)
    for op in model.operation_names:
        shape = model.operation_model(op).input_shape
        if shape is None:
            continue
        for name, m in shape.members.items():
            if m.type_name not in ("integer", "long", "double", "float"):
                continue
            if "min" not in m.metadata:
                continue
            lo = m.metadata["min"]
            step = 1 if m.type_name in ("integer", "long") else 0.5
            for v in (lo - step, lo):
                rep = ParamValidator().validate({name: v}, shape)
                cases.append({"service": svc, "op": op, "member": name, "value": v,
                              "float": isinstance(v, float),
                              "under": v < lo,
                              # ParamValidationError's text
                              "report": "Parameter validation failed:\n" + rep.generate_report()
                              if rep.has_errors() else ""})
print(json.dumps(cases))
'''

# Validates each case with aws.params.validate, one JSON line per case.
IAMLUA = r'''
local aws = require "aws"
local cases = aws.json.decode(io.read("a"))
for _, c in ipairs(cases) do
    local v = c.value
    if c.float then v = v + 0.0 else v = math.tointeger(v) end
    local shape = require("shapes." .. c.service .. "." .. c.op).input
    local ok, msg = aws.params.validate({ [c.member] = v }, shape)
    print(aws.json.encode({ ok and "" or msg }))
end
'''


def main():
    rep = H.Reporter()
    ws = H.Workspace()
    try:
        env = H.scrubbed_env(ws)
        o = subprocess.run([SYSTEM_PYTHON, "-c", ORACLE], capture_output=True, timeout=120, env=env)
        if o.returncode != 0:
            rep.fail("botocore lists the numeric minimums", H.show(o.stderr))
            return rep.finish()
        cases = json.loads(o.stdout)
        under = [c for c in cases if c["under"]]
        refused = [c for c in under if "valid min value" in c["report"]]
        # The models hold about forty such members (MaxItems, MaxResults,
        # DurationSeconds, ...); far fewer means the oracle read nothing.
        rep.check("botocore's models give numeric minimums to check (%d members)" % (len(cases) // 2),
                  [] if len(cases) >= 40 and len(refused) == len(under) == len(cases) // 2
                  else ["%d cases, %d under the min, %d refused for it by botocore"
                        % (len(cases), len(under), len(refused))])
        res = H.run([H.iamlua_bin(), "run", ws.write("range.lua", IAMLUA)], env,
                    stdin=json.dumps(cases).encode())
        got = [json.loads(line)[0] for line in res.out.decode().splitlines() if line.strip()]
        if res.rc != 0 or len(got) != len(cases):
            rep.fail("iamlua validates every case", "rc %s, %d of %d lines: %s"
                     % (res.rc, len(got), len(cases), H.show(res.err)))
            return rep.finish()
        for c, g in zip(cases, got):
            name = "%s %s %s=%s (%s the min): the report botocore gives" % (
                c["service"], c["op"], c["member"], c["value"], "under" if c["under"] else "at")
            rep.check(name, [] if g == c["report"] else
                      ["iamlua %r, botocore %r" % (g, c["report"])])
    finally:
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
