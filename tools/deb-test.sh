#!/bin/sh
# deb-test.sh (make deb-test): builds the Debian package the way a release
# would be - from the `make dist` tarball, in a scratch directory, with
# dpkg-buildpackage -us -uc -b - then runs lintian on it, unpacks it into a
# scratch root and runs the binary and the Lua module from there, and as
# root installs it with dpkg -i, runs it from /usr/bin and removes it.
# Prints one line per case and ends with "N passed, M failed".
# Env: DEB_TEST_KEEP=1 keeps the scratch directory.
set -u
cd "$(dirname "$0")/.."
PASS=0 FAIL=0
ok() { echo "ok - $1"; PASS=$((PASS + 1)); }
notok() { echo "not ok - $1: $2"; FAIL=$((FAIL + 1)); }
check() { # name, command...: ok when the command succeeds
    name=$1; shift
    if out=$("$@" 2>&1); then ok "$name"; else notok "$name" "$(echo "$out" | tail -5 | tr '\n' '|')"; fi
}
finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}

# What building the package needs beyond tools/setup.sh's list.
need=""
for p in debhelper dpkg-dev fakeroot lintian man-db; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "deb-test: installing:$need"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq $need >/dev/null
    else
        echo "deb-test: missing packages:$need (run as root to install them)"
        notok "build dependencies" "missing$need"
        finish
    fi
fi

VERSION=$(tools/version.sh)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
SCRATCH=$(mktemp -d /tmp/iamlua-deb.XXXXXX)
[ -n "${DEB_TEST_KEEP-}" ] || trap 'rm -rf "$SCRATCH"' EXIT

# 1. the tarball, then the package from it
if ! make -s --no-print-directory dist >"$SCRATCH/dist.log" 2>&1; then
    notok "make dist" "$(tail -3 "$SCRATCH/dist.log" | tr '\n' '|')"
    finish
fi
tar -xzf "build/iamlua-$VERSION.tar.gz" -C "$SCRATCH"
rm -f "build/iamlua-$VERSION.tar.gz"
SRC="$SCRATCH/iamlua-$VERSION"
check "make dist: the tarball carries VERSION $VERSION" \
    test "$(cat "$SRC/VERSION")" = "$VERSION"
if (cd "$SRC" && dpkg-buildpackage -us -uc -b -j2) >"$SCRATCH/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b"
else
    notok "dpkg-buildpackage -us -uc -b" "$(tail -15 "$SCRATCH/build.log" | tr '\n' '|')"
    finish
fi
DEB=$(ls "$SCRATCH"/iamlua_*.deb | head -1)
CHANGES=$(ls "$SCRATCH"/iamlua_*.changes | head -1)

# 2. lintian: no errors; warnings are listed
lintian --fail-on error --tag-display-limit 0 "$CHANGES" >"$SCRATCH/lintian.log" 2>&1
rc=$?
sed 's/^/# lintian: /' "$SCRATCH/lintian.log"
if [ $rc -eq 0 ]; then ok "lintian: no errors"; else notok "lintian: no errors" "$(grep '^E:' "$SCRATCH/lintian.log" | tr '\n' '|')"; fi

# 3. what it depends on and holds
deps=$(dpkg-deb -f "$DEB" Depends)
echo "# Depends: $deps"
for lib in libc6 libcurl4 libxml2 libssl3 libjansson4 libyaml-0-2 libedit2; do
    case $deps in *"$lib"*) ok "Depends names $lib" ;; *) notok "Depends names $lib" "$deps" ;; esac
done
dpkg-deb -c "$DEB" | awk '{print $6}' >"$SCRATCH/contents"
for f in ./usr/bin/iamlua ./usr/lib/$MA/lua/5.4/aws.so \
         ./usr/share/man/man1/iamlua.1.gz \
         ./usr/share/man/man1/iamlua-iam-get-access-key-last-used.1.gz \
         ./usr/share/bash-completion/completions/iamlua \
         ./usr/share/zsh/vendor-completions/_iamlua \
         ./usr/share/doc/iamlua/examples/audit-access-keys.lua \
         ./usr/share/doc/iamlua/copyright; do
    if grep -qx "$f" "$SCRATCH/contents"; then ok "package holds $f"; else notok "package holds $f" "missing"; fi
done

# 4. unpacked into a scratch root, run from anywhere
ROOT="$SCRATCH/root"
dpkg -x "$DEB" "$ROOT"
v=$(cd / && env -i PATH=/usr/bin:/bin HOME="$SCRATCH" "$ROOT/usr/bin/iamlua" --version 2>&1)
case $v in
"iamlua/$VERSION Lua/5.4."*" libcurl/"*" OpenSSL/"*" libxml2/"*) ok "unpacked iamlua --version: $v" ;;
*) notok "unpacked iamlua --version" "$v" ;;
esac
check "unpacked iamlua: the command's help" sh -c \
    "cd / && env -i PATH=/usr/bin:/bin HOME='$SCRATCH' '$ROOT/usr/bin/iamlua' iam get-access-key-last-used help | grep -q 'access-key-id'"
check "unpacked aws.so loads in lua5.4" sh -c \
    "cd / && env -i PATH=/usr/bin:/bin HOME='$SCRATCH' LUA_CPATH='$ROOT/usr/lib/$MA/lua/5.4/?.so' lua5.4 -e 'local aws = require \"aws\"; assert(aws.client and aws.parallel and aws.sign)'"
check "man -l renders iamlua.1.gz" sh -c \
    "MANWIDTH=80 man -l '$ROOT/usr/share/man/man1/iamlua.1.gz' 2>&1 | grep -q 'GLOBAL OPTIONS'"

# 5. as root: a real install and removal
if [ "$(id -u)" -eq 0 ]; then
    if dpkg -i "$DEB" >"$SCRATCH/dpkg.log" 2>&1; then
        ok "dpkg -i"
        v=$(cd / && /usr/bin/iamlua --version 2>&1)
        case $v in "iamlua/$VERSION "*) ok "installed /usr/bin/iamlua --version" ;;
        *) notok "installed /usr/bin/iamlua --version" "$v" ;; esac
        check "installed aws.so: lua5.4 finds it with no LUA_CPATH" sh -c \
            "cd / && env -u LUA_CPATH -u LUA_CPATH_5_4 lua5.4 -e 'assert(require(\"aws\").client)'"
        check "man finds iamlua(1)" man -w iamlua
        if dpkg -r iamlua >>"$SCRATCH/dpkg.log" 2>&1 && [ ! -e /usr/bin/iamlua ] &&
            [ ! -e "/usr/lib/$MA/lua/5.4/aws.so" ]; then
            ok "dpkg -r removes it"
        else
            notok "dpkg -r removes it" "$(tail -3 "$SCRATCH/dpkg.log" | tr '\n' '|')"
        fi
    else
        notok "dpkg -i" "$(tail -5 "$SCRATCH/dpkg.log" | tr '\n' '|')"
    fi
else
    echo "ok - dpkg -i / dpkg -r # SKIP not root"
fi
finish
