#!/usr/bin/env python3
"""test_setup.py: quiet set-up (issue 12). On a machine without the
libraries, `make demo` and `make test` speak through tools/setup.sh first:
no "Package libcurl was not found" from pkg-config comes before it, because
the Makefile (and everything it includes) asks pkg-config only when a
recipe needs the answer.

"Without the libraries" is played by programs on PATH in front of the real
ones: a pkg-config that fails with pkg-config's own message until the fake
apt-get has "installed" the packages, a dpkg-query that reports two
packages missing until then, and an apt-get that only records its
arguments, and an npm that does nothing (no registry is contacted). Every
call goes to one log, so the order of events is checked, not only the text
on the terminal.

- make reads its files without running pkg-config (`make -n setup`,
  `make -n clean`, `make print-version`);
- `make -n test` / `make -n demo` with an empty build directory: the set-up
  line comes first, pkg-config is only asked by the build after it;
- the real set-up step in a copy of the tree: `make demo` and `make test`
  (their last step, tools/demo.sh or tests/run.sh, replaced in the copy by
  a line of text) print the set-up line first, install, then build with
  pkg-config answering, and never show a pkg-config error.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402

ROOT = H.ROOT
MISSING = ("libcurl4-openssl-dev", "libxml2-dev")
NOT_FOUND = b"was not found in the pkg-config search path"


def fake_tools(bindir, log, marker):
    """Writes the fake pkg-config, dpkg-query, apt-get and sudo."""
    real_pc = shutil.which("pkg-config") or "/usr/bin/pkg-config"
    real_dq = shutil.which("dpkg-query") or "/usr/bin/dpkg-query"
    scripts = {
        "pkg-config": """#!/bin/sh
echo "pkg-config $*" >> '{log}'
if [ -e '{marker}' ]; then exec '{real_pc}' "$@"; fi
for a in "$@"; do case $a in -*) ;; *)
    echo "Package $a was not found in the pkg-config search path." >&2
    echo "Perhaps you should add the directory containing \\`$a.pc'" >&2
    echo "to the PKG_CONFIG_PATH environment variable" >&2
    echo "No package '$a' found" >&2; exit 1;; esac; done
exit 1
""",
        "dpkg-query": """#!/bin/sh
if [ ! -e '{marker}' ]; then
    for a in "$@"; do case $a in {missing}) exit 1;; esac; done
fi
exec '{real_dq}' "$@"
""",
        "apt-get": """#!/bin/sh
echo "apt-get $*" >> '{log}'
case $* in *install*) : > '{marker}';; esac
exit 0
""",
        "sudo": """#!/bin/sh
exec "$@"
""",
        # the set-up's npm ci (the audit's schema validator) must not reach
        # the registry from a test
        "npm": """#!/bin/sh
echo "npm $*" >> '{log}'
exit 0
""",
    }
    for name, text in scripts.items():
        p = os.path.join(bindir, name)
        with open(p, "w") as f:
            f.write(text.format(log=log, marker=marker, real_pc=real_pc,
                                real_dq=real_dq, missing="|".join(MISSING)))
        os.chmod(p, 0o755)


def env_for(tmp, bindir):
    """A scrubbed environment: none of the caller's make or AWS variables
    (an outer `make test` exports MAKEFLAGS and its jobserver)."""
    home = os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)
    return {"PATH": bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home, "LC_ALL": "C"}


def merged(argv, env, cwd, timeout=600):
    """Runs argv with stdout and stderr on one pipe, as a terminal shows
    them; returns (rc, bytes)."""
    try:
        p = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b""


def read(p):
    try:
        with open(p) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def copy_tree(dst):
    """The files git tracks or would track, as a user's clone holds them
    (a release tarball without git: the tree without build outputs)."""
    r = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"],
                       cwd=ROOT, capture_output=True, timeout=60)
    if r.returncode != 0:
        shutil.copytree(ROOT, dst, symlinks=True, ignore=shutil.ignore_patterns(
            "build", "build-*", "iamlua", "aws.so", "tests/out"))
        return
    for rel in sorted(set(r.stdout.decode().split("\0")) - {""}):
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src) or os.path.isdir(src):
            continue
        out = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy2(src, out, follow_symlinks=False)


def stub(path, text):
    with open(path, "w") as f:
        f.write("#!/bin/sh\necho '%s'\n" % text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def check_parse(rep, tmp):
    """make reads the Makefile and its includes without asking pkg-config."""
    bindir = os.path.join(tmp, "bin-parse")
    os.mkdir(bindir)
    log = os.path.join(tmp, "parse.log")
    fake_tools(bindir, log, os.path.join(tmp, "never"))
    env = env_for(tmp, bindir)
    for args in (["-n", "setup"], ["-n", "clean"], ["print-version"]):
        open(log, "w").close()
        rc, out = merged(["make", "--no-print-directory"] + args, env, ROOT)
        calls = read(log)
        problems = []
        if rc != 0:
            problems.append("exit %r: %s" % (rc, H.show(out)))
        if calls:
            problems.append("pkg-config ran %d times: %s" % (len(calls), calls[:3]))
        if NOT_FOUND in out:
            problems.append("printed %s" % H.show(out))
        rep.check("make %s: no pkg-config while make reads its files"
                  % " ".join(args), problems)


def check_dry_run(rep, tmp):
    """make -n test/demo with a fresh build directory: the sub-make really
    runs (recursive $(MAKE) lines do under -n) and expands the compile
    lines, so pkg-config is asked, but only after the set-up line."""
    bindir = os.path.join(tmp, "bin-dry")
    os.mkdir(bindir)
    log = os.path.join(tmp, "dry.log")
    fake_tools(bindir, log, os.path.join(tmp, "never"))
    env = env_for(tmp, bindir)
    for goal in ("test", "demo"):
        open(log, "w").close()
        b = os.path.join(tmp, "build-dry-" + goal)
        rc, out = merged(["make", "--no-print-directory", "-n", goal, "B=" + b],
                         env, ROOT)
        lines = out.splitlines()
        problems = []
        first = next((i for i, l in enumerate(lines) if b"tools/setup.sh" in l), None)
        err = next((i for i, l in enumerate(lines) if NOT_FOUND in l), None)
        if first is None:
            problems.append("no set-up line: %s" % H.show(out))
        elif first != 0:
            problems.append("set-up is line %d, after %s" % (first + 1, H.show(b"\n".join(lines[:first]))))
        if err is not None and first is not None and err < first:
            problems.append("pkg-config error before set-up")
        # The fake was in the way (else the check above proves nothing):
        # the build after set-up did ask it, and its error did show.
        if not read(log) or err is None:
            problems.append("the fake pkg-config was never asked (%d calls)" % len(read(log)))
        if os.path.exists(b):
            problems.append("make -n created %s" % b)
        rep.check("make -n %s: set-up line first, pkg-config only after" % goal,
                  problems)


def check_real_setup(rep, tmp):
    """The README's commands in a copy of the tree, set-up for real with the
    fake package tools: the first line is what is being installed, then the
    build asks a pkg-config that now answers."""
    tree = os.path.join(tmp, "tree")
    copy_tree(tree)
    stub(os.path.join(tree, "tools", "demo.sh"), "demo: ran")
    stub(os.path.join(tree, "tests", "run.sh"), "run: ran")
    bindir = os.path.join(tmp, "bin-real")
    os.mkdir(bindir)
    log = os.path.join(tmp, "real.log")
    marker = os.path.join(tmp, "installed")
    fake_tools(bindir, log, marker)
    env = env_for(tmp, bindir)
    for goal, last in (("demo", b"demo: ran"), ("test", b"run: ran")):
        for p in (log, marker):
            if os.path.exists(p):
                os.unlink(p)
        rc, out = merged(["nice", "make", "--no-print-directory", "-j2", goal,
                          "CFLAGS=-O0"], env, tree)
        lines = out.splitlines()
        calls = read(log)
        problems = []
        if rc != 0:
            problems.append("exit %r: %s" % (rc, H.show(out[-600:])))
        first = lines[0].split() if lines else []
        if first[:2] != [b"setup:", b"installing:"] or \
                not all(m.encode() in first for m in MISSING):
            problems.append("first line %s, want setup: installing: %s"
                            % (H.show(lines[0] if lines else b""), " ".join(MISSING)))
        if NOT_FOUND in out:
            problems.append("a pkg-config error was printed")
        inst = next((i for i, c in enumerate(calls) if c.startswith("apt-get")
                     and " install " in c), None)
        pcs = [i for i, c in enumerate(calls) if c.startswith("pkg-config")]
        if inst is None:
            problems.append("apt-get install never ran: %s" % calls)
        elif not pcs or pcs[0] < inst:
            problems.append("pkg-config asked %s apt-get install: %s"
                            % ("never after" if not pcs else "before", calls[:6]))
        if last not in out:
            problems.append("the last step did not run")
        rep.check("make %s: set-up speaks first, installs, then builds" % goal,
                  problems)
    exe = os.path.join(tree, "iamlua")
    r = H.run([exe, "--version"], env, cwd=tree) if os.path.exists(exe) else None
    rep.check("the copy's ./iamlua runs",
              [] if r and r.rc == 0 and r.out.startswith(b"iamlua/")
              else ["%r" % r])


def main():
    rep = H.Reporter()
    with tempfile.TemporaryDirectory(prefix="iamlua-setup.") as tmp:
        check_parse(rep, tmp)
        check_dry_run(rep, tmp)
        check_real_setup(rep, tmp)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
