#!/usr/bin/env python3
"""The portable branches compile, with warnings as errors, and run (issue 17 #15).

    python3 tests/e2e/test_portability.py

Other systems cannot be built here, so the branches they would take are
forced with -D overrides on this one and built from the Makefile's own
rules (a private build directory, -O0 for speed, WERROR=-Werror):

  IAMLUA_CURL_OLD    core/transport.c's libcurl < 7.85 branch
                     (CURLOPT_PROTOCOLS instead of CURLOPT_PROTOCOLS_STR);
                     CURL_DISABLE_DEPRECATION, as an older libcurl's headers
                     have no deprecation marks. The TLS unit test
                     (tests/unit/test_tls.c) then runs against it.
  IAMLUA_NO_GETRANDOM  core/jitter.c's OpenSSL RAND_bytes branch (what a
                     system without glibc's getrandom gets);
  IAMLUA_USE_ARC4RANDOM  its arc4random_buf branch (the BSDs, macOS).
                     tests/unit/test_redact.c draws jitter from each, and the
                     object's undefined symbols show which source it used.

Also: the default build has no -Werror (a user's newer compiler must not fail
on a new warning); WERROR=-Werror, `make dev` and .ci/run turn it on.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402

TIMEOUT = 300


def make_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "WERROR", "CFLAGS"):
        env.pop(k, None)
    return env


def make(args, timeout=TIMEOUT):
    return subprocess.run(["make", "--no-print-directory"] + args, cwd=H.ROOT, env=make_env(),
                          capture_output=True, timeout=timeout)


def build_and_run(b, defines, target, symbol_checks=()):
    """Builds tests/<target> in b with the defines, runs it; problems."""
    r = make(["-j2", "B=" + b, "CFLAGS=-O0 -g " + " ".join(defines), "WERROR=-Werror",
              os.path.join(b, "tests", target)])
    if r.returncode != 0:
        return ["build failed: %s" % H.show(r.stderr[-1500:], 1500)]
    p = []
    for obj, sym in symbol_checks:
        nm = subprocess.run(["nm", "-u", os.path.join(b, "unit", obj)], capture_output=True,
                            timeout=60)
        if sym.encode() not in nm.stdout:
            p.append("%s does not call %s: %s" % (obj, sym, H.show(nm.stdout, 300)))
    t = subprocess.run([os.path.join(b, "tests", target)], capture_output=True, timeout=120,
                       env=make_env())
    bad = [l for l in t.stdout.decode(errors="replace").splitlines() if l.startswith("not ok")]
    if t.returncode != 0 or bad or b"\nok - " not in b"\n" + t.stdout:
        p.append("%s: exit %s, %s" % (target, t.returncode, "; ".join(bad)[:800] or
                                      H.show(t.stdout + t.stderr, 300)))
    return p


def preprocessed_protocols(defines):
    """The protocol option set_protocols() uses, as the compiler sees it."""
    r = make(["-n", "-B", "V=1", "build/core/transport.o"])
    line = next((l for l in r.stdout.decode().splitlines() if "core/transport.c" in l and
                 " -c " in l), "")
    argv = line.split()
    if not argv:
        return None
    i = argv.index("-o")
    argv = argv[:i] + argv[i + 2:]
    argv = [a for a in argv if a not in ("-c", "-MMD", "-MP")] + defines + ["-E"]
    out = subprocess.run(argv, cwd=H.ROOT, capture_output=True, timeout=120).stdout.decode()
    body = out[out.find("set_protocols(CURL *e"):]
    body = body[:body.find("\n}")]
    return "CURLOPT_PROTOCOLS_STR" if "CURLOPT_PROTOCOLS_STR," in body else \
        "CURLOPT_PROTOCOLS" if "CURLOPT_PROTOCOLS," in body else body[:200]


def werror_default():
    p = []
    plain = make(["-n", "-B", "V=1", "build/core/jitter.o"]).stdout
    if b"core/jitter.c" not in plain or b"-Werror" in plain:
        p.append("the default build's command: %s" % H.show(plain, 400))
    strict = make(["-n", "-B", "V=1", "WERROR=-Werror", "build/core/jitter.o"]).stdout
    if b"-Werror" not in strict:
        p.append("WERROR=-Werror does not reach the compiler: %s" % H.show(strict, 300))
    dev = make(["-n", "dev"]).stdout
    if b"WERROR=-Werror" not in dev:
        p.append("make dev does not set WERROR=-Werror: %s" % H.show(dev, 300))
    with open(os.path.join(H.ROOT, ".ci", "run")) as f:
        if "export WERROR=-Werror" not in f.read():
            p.append(".ci/run does not export WERROR=-Werror")
    return p


def main():
    rep = H.Reporter()
    tmp = tempfile.mkdtemp(prefix="iamlua-port.")
    old = ["-DIAMLUA_CURL_OLD", "-DCURL_DISABLE_DEPRECATION"]
    try:
        got = preprocessed_protocols([])
        rep.check("%s here: CURLOPT_PROTOCOLS_STR" % H.show(
            subprocess.run(["curl-config", "--version"], capture_output=True).stdout.strip()),
            [] if got == "CURLOPT_PROTOCOLS_STR" else ["set_protocols uses %s" % got])
        got = preprocessed_protocols(old)
        rep.check("IAMLUA_CURL_OLD takes the libcurl < 7.85 branch (CURLOPT_PROTOCOLS)",
                  [] if got == "CURLOPT_PROTOCOLS" else ["set_protocols uses %s" % got])
        rep.check("the libcurl < 7.85 branch builds with -Werror and passes test_tls",
                  build_and_run(os.path.join(tmp, "curl-old"), old, "test_tls"))
        rep.check("jitter from OpenSSL RAND_bytes (IAMLUA_NO_GETRANDOM) builds and draws",
                  build_and_run(os.path.join(tmp, "rand"), ["-DIAMLUA_NO_GETRANDOM"],
                                "test_redact", [("jitter.o", "RAND_bytes")]))
        arc4 = subprocess.run(["sh", "-c", "printf '#include <stdlib.h>\\nint main(void)"
                               "{unsigned char b[4]; arc4random_buf(b, 4); return 0;}' | "
                               "cc -x c -o /dev/null -"], capture_output=True, timeout=60)
        if arc4.returncode != 0:
            rep.skip("jitter from arc4random_buf (IAMLUA_USE_ARC4RANDOM) builds and draws",
                     "this libc has no arc4random_buf")
        else:
            rep.check("jitter from arc4random_buf (IAMLUA_USE_ARC4RANDOM) builds and draws",
                      build_and_run(os.path.join(tmp, "arc4"), ["-DIAMLUA_USE_ARC4RANDOM"],
                                    "test_redact", [("jitter.o", "arc4random_buf")]))
        rep.check("jitter from getrandom by default on Linux",
                  build_and_run(os.path.join(tmp, "default"), [], "test_redact",
                                [("jitter.o", "getrandom")]))
        rep.check("-Werror only with WERROR=-Werror, make dev and .ci/run", werror_default())
    except subprocess.TimeoutExpired as e:
        rep.fail("portability builds", "timed out: %s" % e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
