#!/bin/sh
# run.sh: runs every suite and ends with "N passed, M failed".
# Each suite prints one line per case ("ok - NAME" / "not ok - NAME: WHY");
# a suite that dies without printing its cases counts as one failure.
# Env: IAMLUA_BIN (default ./iamlua), IAMLUA_BUILD (default build),
#      SUITES (space-separated subset, e.g. "unit conformance").
set -u
cd "$(dirname "$0")/.."
BIN=${IAMLUA_BIN:-./iamlua}
BUILD=${IAMLUA_BUILD:-build}
CONF=${IAMLUA_CONFORMANCE:-tests/conformance/data}
export IAMLUA_BIN="$BIN" IAMLUA_CONFORMANCE="$CONF"
OUT=tests/out
mkdir -p "$OUT"
SUITES=${SUITES:-"unit lua conformance e2e"}
# WRAP: a command prefix for the unit, lua and conformance suites (make
# valgrind sets it to memcheck with --error-exitcode).
WRAP=${WRAP:-}
: > "$OUT/summary"

# Scrub: suites must not see the developer's AWS settings or proxies.
for v in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY no_proxy || true
export HOME="$(mktemp -d)"
export AWS_CONFIG_FILE="$HOME/nonexistent-config"
export AWS_SHARED_CREDENTIALS_FILE="$HOME/nonexistent-credentials"
trap 'rm -rf "$HOME"' EXIT

suite() { # name, command...
    name=$1; shift
    log="$OUT/$(echo "$name" | tr '/ ' '__').log"
    timeout 1200 "$@" > "$log" 2>&1
    rc=$?
    p=$(grep -cE '^ok( [0-9]+)? - ' "$log")
    f=$(grep -cE '^not ok( [0-9]+)? - ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "not ok - $name: exited $rc without a failing case" >> "$log"
    fi
    echo "$p $f" >> "$OUT/summary"
    grep -E '^not ok( [0-9]+)? - ' "$log" | head -50
    printf '%-44s %5d passed, %d failed\n' "$name" "$p" "$f"
}

for s in $SUITES; do
    case $s in
    unit)
        for t in "$BUILD"/tests/test_*; do
            [ -x "$t" ] && suite "unit/$(basename "$t")" $WRAP "$t"
        done ;;
    lua)
        for t in tests/unit/*.lua; do
            [ -f "$t" ] && suite "lua/$(basename "$t" .lua)" $WRAP "$BIN" run "$t"
        done ;;
    conformance)
        for t in tests/conformance/*.lua; do
            [ -f "$t" ] && suite "conformance/$(basename "$t" .lua)" $WRAP "$BIN" run "$t"
        done ;;
    e2e)
        for t in tests/e2e/test_*.py; do
            [ -f "$t" ] && suite "e2e/$(basename "$t" .py)" python3 "$t"
        done ;;
    esac
done
awk '{p+=$1; f+=$2} END {printf "%d passed, %d failed\n", p, f; exit (f > 0)}' "$OUT/summary"
