"""One command on a real terminal: a private tmux server (`tmux -S`, its
socket in the workspace and removed with it), typed into with send-keys
and read with capture-pane. For the suites that need a tty: the REPL
(test_repl.py), the auto-prompt (test_prompt.py), the MFA prompt
(test_creds.py).

    t = Tmux(ws, env, argv, "name")    # starts argv under `env -i ENV`
    t.keys("--acc", "Tab"); t.type("literal text")
    ok, screen = t.wait(lambda s: "..." in s, secs=10)
    rc, err = t.result()               # exit code, stderr (b"" unless kept)
    t.close()
"""

import os
import shlex
import subprocess
import time

import harness as H


class Tmux:
    """argv on a private tmux server, 120 columns by `rows`, under `shell`
    (-c) in `cwd` (default the repository). Its exit code lands in a file
    of the workspace; with stderr=True its stderr too (off the screen),
    else stderr shows on the terminal. scrollback=True makes screen()
    read 200 lines of history with wrapped lines joined."""

    def __init__(self, ws, env, argv, name, rows=30, shell="sh", cwd=None, stderr=True, scrollback=False):
        self.sock = ws.path(name + ".sock")  # removed with the workspace
        self.rcfile = ws.path(name + ".rc")
        self.errfile = ws.path(name + ".err") if stderr else None
        self.capture = ["-J", "-S", "-200"] if scrollback else []
        envs = " ".join(shlex.quote("%s=%s" % kv) for kv in sorted(env.items()))
        redirect = " 2>%s" % shlex.quote(self.errfile) if stderr else ""
        # The exit code is written beside and renamed into place: `echo $? >rc`
        # creates rc before it writes it, and result() would read it empty.
        cmd = "env -i %s TERM=xterm %s%s; echo $? >%s.tmp; mv %s.tmp %s; sleep 60" % (
            envs, " ".join(shlex.quote(a) for a in argv), redirect,
            shlex.quote(self.rcfile), shlex.quote(self.rcfile), shlex.quote(self.rcfile))
        subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null", "new-session", "-d", "-s", "t",
                        "-x", "120", "-y", str(rows), shell, "-c", cmd], check=True,
                       env={"PATH": env["PATH"], "TERM": "xterm"}, cwd=cwd or H.ROOT)

    def keys(self, *keys, literal=False):
        """send-keys: key names (Tab, C-c, Enter) or, literal, plain text."""
        subprocess.run(["tmux", "-S", self.sock, "send-keys", "-t", "t"] + (["-l"] if literal else [])
                       + ["--"] + list(keys), check=True)

    def type(self, text):
        self.keys(text, literal=True)

    def screen(self):
        return subprocess.run(["tmux", "-S", self.sock, "capture-pane", "-p"] + self.capture + ["-t", "t"],
                              capture_output=True, text=True).stdout

    def wait(self, pred, secs=10):
        """Polls the screen until pred(screen) or secs pass: (ok, screen)."""
        end = time.monotonic() + secs
        while time.monotonic() < end:
            s = self.screen()
            if pred(s):
                return True, s
            time.sleep(0.1)
        return False, self.screen()

    def result(self, secs=20):
        """Waits up to secs for the command to end: (exit code, stderr),
        (None, b"") if it did not."""
        end = time.monotonic() + secs
        while time.monotonic() < end and not os.path.exists(self.rcfile):
            time.sleep(0.1)
        try:
            with open(self.rcfile) as f:
                rc = int(f.read().strip())
            if self.errfile is None:
                return rc, b""
            with open(self.errfile, "rb") as f:
                return rc, f.read()
        except (OSError, ValueError):
            return None, b""

    def close(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"], capture_output=True)
