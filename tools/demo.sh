#!/bin/sh
# demo.sh: starts a local moto_server, seeds a user with two access keys
# (one used, one never used), and runs `iamlua iam get-access-key-last-used`
# on both against it, with moto verifying every signature.
set -eu
cd "$(dirname "$0")/.."
exec python3 tests/e2e/demo.py
