#!/bin/sh
# setup.sh: installs what building and testing iamlua need on Debian, only
# what is missing. Safe to run repeatedly; used by `make demo`, `make test`
# (through the README's commands) and .ci/run.
set -eu
PKGS="build-essential pkg-config lua5.4 liblua5.4-dev libcurl4-openssl-dev
libxml2-dev libssl-dev libjansson-dev libyaml-dev libedit-dev awscli
python3 curl valgrind clang libclang-rt-14-dev tmux chromium faketime
zsh luarocks bash-completion groff-base man-db
nginx-light hyperfine wrk time
debhelper dpkg-dev fakeroot lintian
lua-cjson lua-socket"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
# moto_server (moto 5.x) verifies signatures in the end-to-end tests.
if ! command -v moto_server >/dev/null 2>&1; then
    echo "setup: installing moto[server] with pip"
    python3 -m pip install --quiet "moto[server]" ||
        python3 -m pip install --quiet --break-system-packages "moto[server]"
fi
# The audit format tests (tests/e2e/test_audit_formats.py): JUnit XML read
# by Debian's junitparser, SARIF validated by ajv from the npm registry at
# the versions tests/tools/schema/package-lock.json pins.
audit_missing=""
for p in python3-junitparser; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        audit_missing="$audit_missing $p"
done
command -v npm >/dev/null 2>&1 || audit_missing="$audit_missing nodejs npm"
if [ -n "$audit_missing" ]; then
    echo "setup: installing:$audit_missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $audit_missing >/dev/null
fi
schema_dir="$(dirname "$0")/../tests/tools/schema"
if [ ! -f "$schema_dir/node_modules/ajv-draft-04/package.json" ]; then
    echo "setup: installing the JSON Schema validator (npm ci in tests/tools/schema)"
    (cd "$schema_dir" && npm ci --no-audit --no-fund --ignore-scripts --silent)
fi
