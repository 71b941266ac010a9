#!/usr/bin/env python3
"""The auto-prompt (--cli-auto-prompt, AWS_CLI_AUTO_PROMPT, cli_auto_prompt).

    python3 tests/e2e/test_prompt.py   # env: IAMLUA_BIN (./iamlua), AWS_CLI (/usr/bin/aws)

Without a terminal the CLI's bytes and exit codes are the expectation, taken
from AWS_CLI run the same way when it is installed (else the texts observed
from aws-cli/2.9.19). On a terminal the prompt runs in a private tmux server
(`tmux -S` in the workspace), driven with send-keys and read with capture-pane: the prompt
shows, Tab completes and shows the parameter's doc, Enter runs, Ctrl-C and
Ctrl-D end with 130 and the CLI's "> aws ..." line on stderr. The only
endpoint is a closed port on 127.0.0.1, so nothing leaves the host.
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as H  # noqa: E402
from tmux import Tmux  # noqa: E402

OP = ["iam", "get-access-key-last-used"]
KEY = "AKIAIOSFODNN7EXAMPLE"
WARN = b"Warning: Input is not a terminal (fd=0).\n"
DEADLINE = time.monotonic() + 110


def run_stdin(argv, env, stdin):
    """Like H.run, with stdin /dev/null (stdin=None) or a pipe of bytes."""
    if stdin is not None:
        return H.run(argv, env, timeout=30, stdin=stdin)
    p = subprocess.Popen(argv, env=env, cwd=H.ROOT, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=30)
        return H.Result(p.returncode, out, err, 0, False)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return H.Result(None, out, err, 0, True)


def same(res, want, stdout=True):
    probs = []
    if res.rc != want.rc:
        probs.append("exit %r, want %r (stderr %s)" % (res.rc, want.rc, H.show(res.err)))
    if stdout and res.out != want.out:
        probs.append("stdout " + H.first_diff(res.out, want.out))
    if res.err != want.err:
        probs.append("stderr " + H.first_diff(res.err, want.err))
    return probs


def tty_cases(rep, ws, env, args):
    # Enter: Tab completes --acc, the doc shows, the command runs.
    t = Tmux(ws, env, [H.iamlua_bin()] + args, "enter")
    try:
        ok, s = t.wait(lambda s: "> aws iam get-access-key-last-used" in s)
        rep.check("tty: prompt shows the command line",
                  [] if ok and "--access-key-id (required)" in s else ["screen: " + H.show(s.encode(), 600)])
        t.keys("--acc")
        t.keys("Tab")
        ok, s = t.wait(lambda s: any(ln.startswith("> aws ") and ln.rstrip().endswith(" --access-key-id")
                                     for ln in s.splitlines()))
        rep.check("tty: Tab completes --acc to --access-key-id",
                  [] if ok else ["screen: " + H.show(s.encode(), 600)])
        rep.check("tty: Tab shows the parameter's doc",
                  [] if "[string] The identifier of an access key." in s else ["screen: " + H.show(s.encode(), 600)])
        t.keys("F3")
        ok, s = t.wait(lambda s: "The identifier of an access key." in s and s.count("--access-key-id") >= 3)
        rep.check("tty: F3 shows the docs", [] if ok else ["screen: " + H.show(s.encode(), 600)])
        t.keys(KEY, "Enter")
        rc, err = t.result()
        s = t.screen()
        line = "> aws iam get-access-key-last-used --endpoint-url %s --region us-east-1 --access-key-id %s" % (
            args[args.index("--endpoint-url") + 1], KEY)
        probs = []
        if rc != 255:
            probs.append("exit %r, want 255" % rc)
        if b"Could not connect to the endpoint URL" not in err:
            probs.append("stderr " + H.show(err))
        if line not in s.replace("\n", ""):
            probs.append("screen lacks %r: %s" % (line, H.show(s.encode(), 600)))
        if "(required)" in s:
            probs.append("the prompt was not erased: " + H.show(s.encode(), 600))
        rep.check("tty: Enter runs the command", probs)
    finally:
        t.close()
    for key, name in (("C-c", "Ctrl-C"), ("C-d", "Ctrl-D")):
        t = Tmux(ws, env, [H.iamlua_bin()] + args, name)
        try:
            ok, s = t.wait(lambda s: "> aws iam" in s)
            t.keys("--q")
            t.wait(lambda s: "--q" in s, 3)
            t.keys(key)
            rc, err = t.result()
            want = ("> aws iam get-access-key-last-used --endpoint-url %s --region us-east-1 --q\n"
                    % args[args.index("--endpoint-url") + 1]).encode()
            probs = []
            if rc != 130:
                probs.append("exit %r, want 130" % rc)
            if err != want:
                probs.append("stderr " + H.first_diff(err, want))
            rep.check("tty: %s ends the prompt like the CLI" % name, probs)
        finally:
            t.close()


def main():
    rep = H.Reporter()
    ws = H.Workspace(prefix="iamlua-prompt.")
    port = H.ClosedPort()
    try:
        url = port.url
        args = OP + ["--cli-auto-prompt", "--endpoint-url", url, "--region", "us-east-1"]
        base = {"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "x",
                "AWS_MAX_ATTEMPTS": "1"}
        cli = H.aws_cli() if os.path.exists(H.aws_cli()) else None
        full = args[:2] + ["--access-key-id", KEY] + args[3:]
        fixed = {  # aws-cli/2.9.19, for when AWS_CLI is absent
            "devnull": H.Result(255, b"", WARN + b"\n\n", 0, False),
        }
        cases = [
            ("no terminal: stdin /dev/null", args, {}, None),
            ("no terminal: empty pipe", args, {}, b""),
            ("no terminal: on-partial, incomplete", [a for a in args if a != "--cli-auto-prompt"],
             {"AWS_CLI_AUTO_PROMPT": "on-partial"}, None),
            ("no terminal: on-partial, complete runs", [a for a in full if a != "--cli-auto-prompt"],
             {"AWS_CLI_AUTO_PROMPT": "On-Partial"}, None),
            ("no terminal: profile cli_auto_prompt = on",
             [a for a in args if a != "--cli-auto-prompt"],
             {"AWS_CONFIG_FILE": "{ws}/prompt-config"}, None),
            ("no terminal: AWS_PROFILE selects cli_auto_prompt",
             [a for a in args if a != "--cli-auto-prompt"],
             {"AWS_CONFIG_FILE": "{ws}/prompt-config2", "AWS_PROFILE": "pp"}, None),
            ("--profile is applied too late to select cli_auto_prompt", full + ["--profile", "pp"],
             {"AWS_CONFIG_FILE": "{ws}/prompt-config2"}, None),
            ("both flags", args + ["--no-cli-auto-prompt"], {}, None),
            ("--no-cli-auto-prompt beats the environment", full + ["--no-cli-auto-prompt"],
             {"AWS_CLI_AUTO_PROMPT": "on"}, None),
        ]
        ws.write("prompt-config", "[default]\ncli_auto_prompt = on\n")
        ws.write("prompt-config2", "[default]\nregion = us-east-1\n[profile pp]\ncli_auto_prompt = ON\n")
        for name, argv, extra, stdin in cases:
            env = H.scrubbed_env(ws, dict(base, **extra), argv)
            got = run_stdin([H.iamlua_bin()] + argv, env, stdin)
            if cli:
                want = run_stdin([cli] + argv, env, stdin)
            elif name.endswith("/dev/null") or name.endswith("empty pipe"):
                want = fixed["devnull"]
            else:
                rep.skip(name, "no AWS CLI to compare with")
                continue
            # with a pipe the CLI draws its panel on stdout even at EOF
            rep.check(name, same(got, want, stdout=stdin is None))

        # A pipe is read as keys until Enter: the CLI also draws its panel
        # on stdout, which is not reproduced; its last line is.
        env = H.scrubbed_env(ws, base, args)
        typed = ("--access-key-id %s\r" % KEY).encode()
        got = run_stdin([H.iamlua_bin()] + args, env, typed)
        line = ("> aws iam get-access-key-last-used --endpoint-url %s --region us-east-1 "
                "--access-key-id %s\n" % (url, KEY)).encode()
        probs = []
        if got.out != line:
            probs.append("stdout " + H.first_diff(got.out, line))
        if cli:
            want = run_stdin([cli] + args, env, typed)
            probs += same(got, want, stdout=False)
            if not want.out.endswith(line):
                probs.append("the CLI's stdout does not end with the line: " + H.show(want.out[-200:]))
        rep.check("no terminal: a pipe is read up to Enter", probs)

        if not shutil.which("tmux"):
            rep.skip("tty", "tmux not installed")
        elif time.monotonic() > DEADLINE:
            rep.fail("tty", "out of time")
        else:
            tty_cases(rep, ws, H.scrubbed_env(ws, base, args), args)
    finally:
        port.close()
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
