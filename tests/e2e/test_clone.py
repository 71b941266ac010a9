"""A user's clone stands on its own: the repository's HEAD, cloned into an
empty directory with nothing beside it, finds every conformance case of
its own copy (tests/conformance/data), and nothing the build or the tests
read resolves outside the repository.

The clone is not rebuilt (that is what CI's clean clone does); the binary
and unit-test programs under test run with the clone as their working
directory and IAMLUA_CONFORMANCE unset, so the defaults are what is tested.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

ROOT = harness.ROOT
BUILD = os.path.join(ROOT, os.environ.get("IAMLUA_BUILD", "build"))

# What the suites must count in a clone (tests/conformance/data/README.md).
SIGV4_V4, SIGV4_AWS4, JMESPATH = 38, 34, 917


def git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True,
                          timeout=120)


def clone_head(tmp):
    """HEAD cloned into tmp/box/iamlua: box holds nothing else."""
    box = os.path.join(tmp, "box")
    os.mkdir(box)
    dst = os.path.join(box, "iamlua")
    if not os.path.isdir(os.path.join(ROOT, ".git")):
        # A release tarball: the tree as shipped, without build outputs.
        shutil.copytree(ROOT, dst, ignore=shutil.ignore_patterns(
            "build", "build-*", "iamlua", "tests/out"))
        return box, dst
    r = git("clone", "--quiet", "--no-hardlinks", ROOT, dst, cwd=box)
    if r.returncode != 0:
        raise RuntimeError("git clone failed: %s" % r.stderr.decode())
    return box, dst


def env_for(home):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "AWS_CONFIG_FILE": os.path.join(home, "config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials")}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def tap_counts(out):
    ok = len(re.findall(rb"^ok( \d+)? - ", out, re.M))
    bad = re.findall(rb"^not ok( \d+)? - (.*)$", out, re.M)
    return ok, [b[1].decode("utf-8", "replace") for b in bad]


def main():
    rep = harness.Reporter()
    bin_ = harness.iamlua_bin()
    with tempfile.TemporaryDirectory(prefix="iamlua-clone.") as tmp:
        try:
            box, clone = clone_head(tmp)
        except Exception as e:  # no git history (a release tarball)
            rep.fail("clone HEAD", str(e))
            return rep.finish()
        rep.check("clone: nothing beside it",
                  [] if os.listdir(box) == ["iamlua"] else
                  ["box holds %s" % os.listdir(box)])
        home = os.path.join(tmp, "home")
        os.mkdir(home)
        env = env_for(home)

        data = os.path.join(clone, "tests", "conformance", "data")
        v4 = [d for d in os.listdir(os.path.join(data, "sigv4", "v4"))
              if os.path.isdir(os.path.join(data, "sigv4", "v4", d))]
        rep.check("clone: sigv4/v4 holds %d case folders" % SIGV4_V4,
                  [] if len(v4) == SIGV4_V4 else ["found %d" % len(v4)])
        for suite in ("sigv4", "jmespath"):
            for f in ("PROVENANCE",):
                p = os.path.join(data, suite, f)
                rep.check("clone: %s/%s present" % (suite, f),
                          [] if os.path.isfile(p) else ["missing"])
        lic = [os.path.join(data, "sigv4", "LICENSE-Apache-2.0"),
               os.path.join(data, "jmespath", "LICENSE-MIT")]
        rep.check("clone: licence texts present",
                  ["missing %s" % os.path.relpath(p, clone)
                   for p in lic if not os.path.isfile(p)])
        # git must not have converted line endings: a case whose request
        # has a folded header is byte-sensitive.
        if os.path.isdir(os.path.join(clone, ".git")):
            r = git("check-attr", "text", "--",
                    "tests/conformance/data/sigv4/v4/get-vanilla/request.txt",
                    cwd=clone)
            rep.check("clone: conformance data is -text",
                      [] if b"text: unset" in r.stdout else [r.stdout.decode()])

        for name, script, want in (
                ("sigv4", "tests/conformance/sigv4.lua", None),
                ("jmespath", "tests/conformance/jmespath.lua", JMESPATH + 1)):
            r = harness.run([bin_, "run", script], env, timeout=600, cwd=clone)
            ok, bad = tap_counts(r.out)
            problems = ["%d failed: %s" % (len(bad), bad[:3])] if bad else []
            if r.rc != 0:
                problems.append("exit %d: %s" % (r.rc, harness.show(r.err)))
            if want is not None and ok != want:
                problems.append("%d passed, want %d" % (ok, want))
            if name == "sigv4":
                for label, n in (("v4 case count", SIGV4_V4),
                                 ("aws4_testsuite case count", SIGV4_AWS4)):
                    if ("ok - %s" % label).encode() not in r.out:
                        problems.append("no passing '%s' (%d)" % (label, n))
            rep.check("clone: conformance/%s from the clone's own data "
                      "(%d cases)" % (name, ok), problems)

        unit = os.path.join(BUILD, "tests", "test_sigv4")
        if os.access(unit, os.X_OK):
            r = harness.run([unit], env, timeout=600, cwd=clone)
            ok, bad = tap_counts(r.out)
            problems = ["%d failed: %s" % (len(bad), bad[:3])] if bad else []
            for label in ("conformance v4 case count",
                          "conformance aws4_testsuite case count"):
                if ("ok - %s" % label).encode() not in r.out:
                    problems.append("no passing '%s'" % label)
            rep.check("clone: unit/test_sigv4 from the clone (%d checks)" % ok,
                      problems)
        else:
            rep.fail("clone: unit/test_sigv4", "%s not built" % unit)

        # Nothing in the build, the tests, CI or the fuzz set-up names a
        # path beside the repository. The name is put together here so
        # that this file does not name it either.
        sibling = (os.pardir + "/" + "shared").encode()
        hits = []
        for d, _, files in os.walk(clone):
            if "/.git" in d or "/tests/conformance/data" in d:
                continue
            for f in files:
                p = os.path.join(d, f)
                try:
                    with open(p, "rb") as fh:
                        if sibling in fh.read():
                            hits.append(os.path.relpath(p, clone))
                except OSError:
                    pass
        rep.check("clone: no file refers to the shared folder beside the repository",
                  ["%d: %s" % (len(hits), hits[:5])] if hits else [])
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
