#!/usr/bin/env python3
"""`iamlua -i` on a real terminal: a private tmux server (tests/lib/tmux.py,
as test_prompt.py drives the auto-prompt), send-keys to type, capture-pane to read.

    python3 tests/e2e/test_repl.py    # env: IAMLUA_BIN (./iamlua)

Typed: an expression (its value printed), a table (indented JSON, aws.null
as null), a multi-line chunk, Tab on a global (aws.cl -> aws.client), on a
field list (aws.json. -> decode encode), on a client's action names
(iam:call("GetAccessKeyL -> GetAccessKeyLastUsed), an error (a message, the
session goes on), Ctrl-C at the prompt (the line dropped), Ctrl-C during a
request to a stalling local server (back at the prompt within seconds, the
next request works: it reaches a counting server), Ctrl-D (exit 0). The
history file lands in $XDG_STATE_HOME/iamlua/history.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402
from canned import CannedHandler, CannedServer, key_last_used  # noqa: E402
from tmux import Tmux  # noqa: E402


class Answered(CannedHandler):
    def answer(self, body):
        return 200, key_last_used("answered")


def after(screen, marker):
    """The screen text after the last occurrence of marker."""
    i = screen.rfind(marker)
    return screen[i + len(marker):] if i >= 0 else ""


def main():
    rep = H.Reporter()
    ws = H.Workspace()
    silent = H.SilentServer(hold=30)
    srv = CannedServer(Answered).start()
    counting = srv.url + "/"
    env = H.scrubbed_env(ws, {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x",
                              "AWS_DEFAULT_REGION": "us-east-1", "XDG_STATE_HOME": "{ws}/state",
                              "AWS_MAX_ATTEMPTS": "1"})
    # bash, not dash: Ctrl-C during a request sends SIGINT to the whole
    # foreground group, and dash exits once its child has (even when the
    # child went on and exited 0); bash waits cooperatively. stderr stays
    # on the screen, where the session's error messages are read.
    t = Tmux(ws, env, [H.iamlua_bin(), "-i"], "repl", rows=40, shell="bash", cwd=ws.root,
             stderr=False, scrollback=True)
    try:
        ok, s = t.wait(lambda s: s.rstrip().endswith(">"))
        rep.check("-i on a terminal: a banner and the prompt", [] if ok and "aws is loaded" in s
                  else ["screen: " + H.show(s.encode(), 600)])

        t.type("6 * 7")
        t.keys("Enter")
        ok, s = t.wait(lambda s: "\n42\n" in s)
        rep.check("an expression prints its value", [] if ok else ["screen: " + H.show(s.encode(), 600)])

        t.type('{ a = 1, b = aws.null, c = { "x" } }')
        t.keys("Enter")
        want = '{\n    "a": 1,\n    "b": null,\n    "c": [\n        "x"\n    ]\n}'
        ok, s = t.wait(lambda s: want in s)
        rep.check("a table value prints as indented JSON, aws.null as null",
                  [] if ok else ["screen: " + H.show(s.encode(), 800)])

        t.type("for i = 1, 2 do")
        t.keys("Enter")
        t.wait(lambda s: s.rstrip().endswith(">>"), 3)
        t.type("print('line', i) end")
        t.keys("Enter")
        ok, s = t.wait(lambda s: "line\t1" in s.replace("    ", "\t") or "line    1" in s)
        rep.check("an incomplete chunk continues on a '>>' line", [] if ok and ">> " in s
                  else ["screen: " + H.show(s.encode(), 800)])

        t.type("iam = aws.cl")
        t.keys("Tab")
        ok, s = t.wait(lambda s: "iam = aws.client" in s, 3)
        rep.check("Tab completes a field of a global table (aws.cl -> aws.client)",
                  [] if ok else ["screen: " + H.show(s.encode(), 800)])
        t.type('("iam", { endpoint_url = "%s" })' % silent.url)
        t.keys("Enter")
        t.wait(lambda s: s.rstrip().endswith(">"), 3)
        t.type("aws.json.")
        t.keys("Tab")
        ok, s = t.wait(lambda s: "\ndecode  encode\n" in s, 3)
        rep.check("Tab lists the fields of a table (aws.json. -> decode encode)",
                  [] if ok else ["screen: " + H.show(s.encode(), 800)])
        t.keys("C-u")
        t.type('iam:call("GetAccessKeyL')
        t.keys("Tab")
        ok, s = t.wait(lambda s: 'iam:call("GetAccessKeyLastUsed' in s, 3)
        rep.check("Tab completes a client's action name (GetAccessKeyL -> GetAccessKeyLastUsed)",
                  [] if ok else ["screen: " + H.show(s.encode(), 800)])
        t.type('", { AccessKeyId = "AKIAIOSFODNN7EXAMPLE" })')
        t.keys("Enter")
        time.sleep(1.0)
        t0 = time.monotonic()
        t.keys("C-c")
        ok, s = t.wait(lambda s: "interrupted" in s and s.rstrip().endswith(">"), 8)
        secs = time.monotonic() - t0
        rep.check("Ctrl-C during a request to a stalling server: back at the prompt (%.1f s)" % secs,
                  [] if ok and secs < 5 else ["screen: " + H.show(s.encode(), 800)])

        t.type('iam2 = aws.client("iam", { endpoint_url = "%s" })' % counting)
        t.keys("Enter")
        t.type('iam2:call("GetAccessKeyLastUsed", { AccessKeyId = "AKIAIOSFODNN7EXAMPLE" }).UserName')
        t.keys("Enter")
        ok, s = t.wait(lambda s: "\nanswered\n" in s, 8)
        rep.check("after Ctrl-C the session goes on: the next request is sent and answered",
                  [] if ok and srv.hits == 1 else ["hits %d screen: %s" % (srv.hits, H.show(s.encode(), 800))])

        t.type('error("oops")')
        t.keys("Enter")
        ok, s = t.wait(lambda s: "stdin:1: oops" in s, 3)
        t.type("1 + 1")
        t.keys("Enter")
        ok2, s = t.wait(lambda s: "\n2\n" in after(s, "oops"), 3)
        rep.check("an error prints its message and the session goes on",
                  [] if ok and ok2 else ["screen: " + H.show(s.encode(), 800)])

        t.type("dropped_line = 1")
        t.keys("C-c")
        t.type("dropped_line")
        t.keys("Enter")
        ok, s = t.wait(lambda s: "\nnil\n" in after(s, "dropped_line = 1"), 3)
        rep.check("Ctrl-C at the prompt drops the line", [] if ok else ["screen: " + H.show(s.encode(), 800)])

        t.wait(lambda s: s.rstrip().endswith(">"), 3)
        t.keys("C-d")
        rc, _ = t.result(secs=10)
        rep.check("Ctrl-D exits 0", [] if rc == 0 else ["rc %r screen %s" % (rc, H.show(t.screen().encode(), 400))])
        hist = ws.path("state/iamlua/history")
        text = open(hist, encoding="utf-8", errors="replace").read() if os.path.exists(hist) else ""
        rep.check("the history is saved in $XDG_STATE_HOME/iamlua/history",
                  [] if "6\\040*\\0407" in text or "6 * 7" in text else [H.show(text.encode())])
    finally:
        t.close()
        silent.close()
        srv.shutdown()
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
