#!/usr/bin/env python3
"""moto_server with the root user visible where IAM shows it, for the audit suites.

    python3 tests/e2e/audit_moto.py STATE.json -H 127.0.0.1 -p PORT

moto 5 models IAM users but not the account's root user: its credential
report has no <root_account> row and GetAccountSummary always says
AccountMFAEnabled 0 and AccountAccessKeysPresent 0. The CIS checks 1.4-1.7
read exactly those, so this launcher patches moto's IAM backend (in this
process only) before starting the ordinary moto server:

  * GetCredentialReport's CSV gets a <root_account> row first, as IAM
    writes it (password_enabled not_supported, ...), from STATE.json;
  * GetAccountSummary's AccountMFAEnabled and AccountAccessKeysPresent come
    from STATE.json.

STATE.json maps account ids to {"mfa": 0|1, "keys_present": 0|1,
"password_last_used": ISO|null, "key1_active": bool, "key1_last_used":
ISO|null, "created": ISO, "report": "raw CSV to serve instead"} and is read
again on every request, so a test changes the root's state by rewriting
the file. An account missing from the file keeps moto's behaviour (no root
row). Everything else — signatures, IAM permission checks, all other
actions — is moto's own code. The managed AWS policies are loaded
(MOTO_IAM_LOAD_MANAGED_POLICIES) so AWSSupportAccess and
AWSCloudShellFullAccess exist to attach.
"""

import json
import os
import sys

STATE = sys.argv.pop(1)
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.iam import models  # noqa: E402


def _state(account_id):
    try:
        with open(STATE) as f:
            return json.load(f).get(account_id)
    except (OSError, ValueError):
        return None


def _root_row(account_id, st):
    na = "N/A"
    k1 = "true" if st.get("key1_active") else "false"
    return ",".join([
        "<root_account>", "arn:aws:iam::%s:root" % account_id,
        st.get("created") or "2020-01-01T00:00:00+00:00",
        "not_supported", st.get("password_last_used") or "no_information",
        "not_supported", "not_supported",
        "true" if st.get("mfa") else "false",
        k1, st.get("key1_rotated") or na, st.get("key1_last_used") or na, na, na,
        "false", na, na, na, na,
        "false", na, "false", na,
    ]) + "\n"


_orig_report = models.IAMBackend.get_credential_report


def get_credential_report(self):
    st = _state(self.account_id)
    if st and "report" in st:
        if not self.report_generated():
            return _orig_report(self)       # ReportNotPresent, as moto says
        return st["report"]
    report = _orig_report(self)
    if not st:
        return report
    head, _, rest = report.partition("\n")
    return head + "\n" + _root_row(self.account_id, st) + rest


_orig_summary = models.IAMBackend.get_account_summary


def get_account_summary(self):
    summary = _orig_summary(self)
    st = _state(self.account_id)
    if st:
        summary._account_mfa_enabled = 1 if st.get("mfa") else 0
        summary._account_access_keys_present = 1 if st.get("keys_present") else 0
    return summary


models.IAMBackend.get_credential_report = get_credential_report
models.IAMBackend.get_account_summary = get_account_summary

if __name__ == "__main__":
    from moto.server import main
    main(sys.argv[1:])
