#!/usr/bin/env python3
"""Differential cases, family `color`: every output format on a terminal,
as AWS CLI v2 (2.9.19) writes it, byte for byte.

    python3 tests/e2e/test_diff_color.py   # env as tests/e2e/test_diff.py

stdout is a pseudo-terminal (100 columns; what the terminal receives is
compared, "\\r\\n" and all), stderr a pipe, stdin the terminal too. What
the CLI does there (awscli/formatter.py, table.py, utils.py):
  * only the table is coloured: `--color on`, or `auto` on a terminal,
    makes a ColorizedStyler, which calls colorama.init(autoreset=True,
    strip=False); from then on every write to sys.stdout is followed by
    ESC[0m, and at exit colorama's atexit hook writes one more ESC[0m to
    the terminal (not to a pipe);
  * with a pager (AWS_PAGER, cli_pager, PAGER, else less) the output goes
    to the pager's stdin, which colorama does not wrap: the colours stay,
    the per-write resets go, the exit reset still reaches the terminal;
  * the pager command is split with shlex and run without a shell, only
    when there is something to write (LazyPager); a pager that does not
    exist is a PagerInitializationException (253).
Each case runs the AWS CLI once and iamlua twice, in the same workspace
set-up as test_diff.py, against the same moto.
"""

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import test_diff as T  # noqa: E402
from test_diff import D  # noqa: E402

OP = T.OP
COLS, ROWS = 100, 40


def run_pty(argv, env, timeout=60):
    """argv with stdin and stdout on a new pseudo-terminal, stderr a pipe;
    H.Result with what the terminal received as out."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(argv, env=env, cwd=H.ROOT, stdin=slave, stdout=slave,
                             stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        os.close(master)
        os.close(slave)
        return H.Result(None, b"", str(e).encode(), 0.0, False)
    os.close(slave)
    out, err = [], []
    fds = {master: out, p.stderr.fileno(): err}
    deadline = t0 + timeout
    while fds and time.monotonic() < deadline:
        r, _, _ = select.select(list(fds), [], [], 0.5)
        for fd in r:
            try:
                b = os.read(fd, 65536)
            except OSError:          # EIO: the terminal's last writer is gone
                b = b""
            if b:
                fds[fd].append(b)
            else:
                del fds[fd]
        if p.poll() is not None and not r:
            break
    timed_out = bool(fds) and time.monotonic() >= deadline
    if timed_out:
        try:
            os.killpg(p.pid, 9)
        except ProcessLookupError:
            pass
    rc = p.wait()
    os.close(master)
    p.stderr.close()
    return H.Result(None if timed_out else rc, b"".join(out), b"".join(err),
                    time.monotonic() - t0, timed_out)


def cases(S):
    used = S["keys"]["used"]["id"]
    ida = OP + ["--access-key-id", used]
    nopager = {"AWS_PAGER": ""}
    c = []
    for fmt in T.FORMATS:
        for color in ("on", "auto", "off"):
            c.append(D("color: %s, --color %s, terminal" % (fmt, color),
                       ida + ["--output", fmt, "--color", color], env=nopager))
    for fmt, color in (("table", "on"), ("table", "auto"), ("json", "on"), ("text", "auto"),
                       ("yaml", "on")):
        c.append(D("color: %s, --color %s, through a pager" % (fmt, color),
                   ida + ["--output", fmt, "--color", color], env={"AWS_PAGER": "cat"}))
    c += [
        D("color: table, nothing to draw, --color on", ida + ["--output", "table", "--color", "on",
                                                             "--query", "Nope"], env=nopager),
        D("color: table, nothing to draw, through a pager", ida + ["--output", "table", "--query", "Nope"],
          env={"AWS_PAGER": "cat"}),
        D("color: table is the profile's output", ida, env=nopager,
          files={"config": "[default]\nregion = us-east-1\noutput = table\n"}),
        D("color: table with a list query", ida + ["--output", "table", "--query",
                                                   "[UserName, AccessKeyLastUsed.Region]"], env=nopager),
        D("color: skeleton output as a table", OP + ["--generate-cli-skeleton", "output", "--access-key-id",
                                                     used, "--output", "table"], env=nopager),
        D("color: service error with --color on", OP + ["--access-key-id", "AKIA0000000000000000",
                                                        "--output", "table", "--color", "on"], env=nopager),
        D("color: --no-cli-pager beats AWS_PAGER", ida + ["--output", "table", "--no-cli-pager"],
          env={"AWS_PAGER": "cat -n"}),
        D("color: PAGER when AWS_PAGER is unset", ida + ["--output", "table"], env={"PAGER": "cat -n"}),
        D("color: cli_pager in the profile", ida + ["--output", "table"],
          files={"config": "[default]\nregion = us-east-1\ncli_pager = cat -n\n"}),
        D("color: pager words split as shlex does, no shell", ida,
          env={"AWS_PAGER": "cat -n | tr a b"}),
        D("color: pager words with quotes and escapes", ida,
          env={"AWS_PAGER": "sed -e 's/a b/X/' -e \"s/\\\"/Q/\" -e s/\\ /_/"}),
        D("color: a pager with an unclosed quote", ida, env={"AWS_PAGER": "cat 'x"}),
        D("color: a pager with an unclosed quote, nothing to write", ida + ["--query", "Nope",
                                                                          "--output", "table"],
          env={"AWS_PAGER": "cat \"x"}),
        D("color: a pager that does not exist", ida, env={"AWS_PAGER": "iamlua-no-such-pager -x"}),
        D("color: a pager that does not exist, nothing to write", ida + ["--query", "Nope", "--output", "table"],
          env={"AWS_PAGER": "iamlua-no-such-pager"}),
        D("color: a pager that fails", ida, env={"AWS_PAGER": "false"}),
    ]
    return c


def run_case(d, bin_, base_files, secrets, self_check):
    ws_o, env_o, argv_o = T.prepare(d, base_files)
    ws_i, env_i, argv_i = T.prepare(d, base_files)
    env_o.setdefault("TERM", "xterm")
    env_i.setdefault("TERM", "xterm")
    return T.against_oracle(d, run_pty, (ws_o, env_o, argv_o), (ws_i, env_i, argv_i),
                            bin_, secrets, self_check)


def main():
    rep = H.Reporter()
    bin_ = H.iamlua_bin()
    self_check = H.is_aws_cli(bin_)
    srv, S = H.start_moto(rep)
    base_files = T.seed.default_files(S)
    secrets = H.secrets_of(S)
    cs = cases(S)
    for d in cs:
        d.args = d.args + ["--endpoint-url", srv.url]
    print("# family color: %d cases" % len(cs))
    flt = os.environ.get("IAMLUA_DIFF_FILTER")
    if flt:
        cs = [d for d in cs if flt in d.name]
    jobs = [lambda d=d: run_case(d, bin_, base_files, secrets, self_check) for d in cs]
    for i, r in H.run_ordered(jobs, H.workers()):
        if isinstance(r, Exception):
            rep.fail(cs[i].name, "harness error: %s: %s" % (type(r).__name__, r))
        else:
            for suffix, problems in r:
                rep.check("%s %s" % (cs[i].name, suffix), problems)
    srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
