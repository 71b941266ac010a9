#!/usr/bin/env python3
"""The credential cache files iamlua writes (issue 17 item 8): an
assume-role entry in ~/.aws/cli/cache and a refreshed SSO token in
~/.aws/sso/cache are written as a new 0600 file renamed over the path:

- a symlink at the path is replaced, its target left as it was;
- an existing 0644 file ends 0600;
- readers never see part of a file: one that opened the old file keeps
  all of it, one polling the path through five rewrites always reads
  complete JSON; no temporary file is left behind.

STS is moto (AWS_ENDPOINT_URL_STS), OIDC and the portal a CredServer
(AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO): iamlua alone, since the
point is what it writes (AWS CLI 2.9.19 writes in place: see
CLI_BEHAVIOUR.md, deliberate differences).

    python3 tests/e2e/test_cache.py    # env: IAMLUA_BIN, IAMLUA_MOTO_URL
"""

import hashlib
import json
import os
import stat
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
from credsrv import CredServer  # noqa: E402
from test_creds import (ACCT_ROLE, SSO_SESSION, Ctx, base_files, cache_files, go,  # noqa: E402
                        ok_call, role_key, role_profile)


def role_cache_path(C, ws):
    return os.path.join(ws.home, ".aws", "cli", "cache", role_key({"RoleArn": C.role}) + ".json")


def token_path(ws, name):
    return os.path.join(ws.home, ".aws", "sso", "cache",
                        hashlib.sha1(name.encode()).hexdigest() + ".json")


def writers(C):
    """(label, path-in-ws, run-that-rewrites-it) for the two files iamlua
    writes: an assume-role cache entry (STS on moto) and a refreshed SSO
    token (OIDC and the portal on a CredServer)."""
    def role(ws):
        ws.write("config", role_profile(C, "r"))
        ws.write("credentials", base_files(C, "")["credentials"])
        return ok_call(C, go(C, ws, {"AWS_ENDPOINT_URL_STS": C.url}, argv=C.args + ["--profile", "r"]))

    def sso(ws):
        srv = C.sso_srv
        srv.reset(sso_token="sso-access-token", oidc=dict(C.oidc_base))
        ws.write("config", SSO_SESSION)
        ws.write("credentials", "")
        for f in cache_files(ws):
            os.unlink(f)
        return ok_call(C, go(C, ws, {"AWS_ENDPOINT_URL_SSO": srv.url,
                                     "AWS_ENDPOINT_URL_SSO_OIDC": srv.url}))
    return [("assume-role cache entry", lambda ws: role_cache_path(C, ws), role),
            ("SSO token", lambda ws: token_path(ws, "dev"), sso)]


def stale(path, C, what):
    """What sits at path before the run: an expired role entry, or a
    token in the refresh window that OIDC will replace."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if what == "SSO token":
        d = {"startUrl": "https://x.awsapps.com/start", "region": "us-east-1",
             "accessToken": "sso-access-token", "expiresAt": time.strftime(
                 "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 300)),
             "clientId": "iamlua-client", "clientSecret": "iamlua-client-secret",
             "refreshToken": "refresh-1", "registrationExpiresAt": "2099-01-01T00:00:00Z"}
    else:
        d = {"Credentials": {"AccessKeyId": "AKIAOLDOLDOLDOLDOLD0", "SecretAccessKey": "old",
                             "SessionToken": "old", "Expiration": "2001-01-01T00:00:00UTC"}}
    return json.dumps(d)


def c_cache_symlink(C, ws):
    """A symlink at the path: its target is left as it was, the link
    itself is replaced by a regular 0600 file (rename semantics, as
    botocore's newer atomic writer)."""
    p = []
    for label, path_of, rewrite in writers(C):
        path = path_of(ws)
        target = ws.write("elsewhere-%d" % len(label), stale(path, C, label))
        os.chmod(target, 0o644)
        before = open(target).read()
        if os.path.lexists(path):
            os.unlink(path)
        os.symlink(target, path)
        p += ["%s: %s" % (label, x) for x in rewrite(ws)]
        if open(target).read() != before or stat.S_IMODE(os.stat(target).st_mode) != 0o644:
            p.append("%s: the link's target was written" % label)
        if os.path.islink(path) or not os.path.isfile(path):
            p.append("%s: the path is still a symlink" % label)
        elif stat.S_IMODE(os.stat(path).st_mode) != 0o600:
            p.append("%s: mode %o" % (label, stat.S_IMODE(os.stat(path).st_mode)))
    return p


def c_cache_mode(C, ws):
    """An existing 0644 file at the path ends 0600, with the new contents."""
    p = []
    for label, path_of, rewrite in writers(C):
        path = path_of(ws)
        old = stale(path, C, label)
        with open(path, "w") as f:
            f.write(old)
        os.chmod(path, 0o644)
        p += ["%s: %s" % (label, x) for x in rewrite(ws)]
        if stat.S_IMODE(os.stat(path).st_mode) != 0o600:
            p.append("%s: mode %o, want 600" % (label, stat.S_IMODE(os.stat(path).st_mode)))
        if open(path).read() == old:
            p.append("%s: not rewritten" % label)
    return p


def c_cache_atomic(C, ws):
    """Readers never see part of a file: one that opened the old file
    before the write still reads all of it (the new file is another
    inode, renamed into place), and a reader polling the path through
    five rewrites finds complete JSON every time."""
    import threading
    p = []
    for label, path_of, rewrite in writers(C):
        path = path_of(ws)
        old = stale(path, C, label)
        with open(path, "w") as f:
            f.write(old)
        held = open(path)
        p += ["%s: %s" % (label, x) for x in rewrite(ws)]
        held.seek(0)
        if held.read() != old:
            p.append("%s: a reader of the old file saw it change" % label)
        held.close()
        seen, bad, stop = [0], [], threading.Event()

        def poll():
            while not stop.is_set() and seen[0] < 200000:
                try:
                    with open(path) as f:
                        text = f.read()
                except OSError:
                    continue
                seen[0] += 1
                try:
                    json.loads(text)
                except ValueError:
                    bad.append(text[:80])
        t = threading.Thread(target=poll, daemon=True)
        t.start()
        try:
            for _ in range(5):
                # back to stale (atomically, so the poller judges iamlua's
                # writes only): the run rewrites it
                with open(path + ".test", "w") as f:
                    f.write(old)
                os.replace(path + ".test", path)
                p += ["%s: %s" % (label, x) for x in rewrite(ws)]
        finally:
            stop.set()
            t.join(10)
        if bad:
            p.append("%s: %d partial reads, e.g. %r" % (label, len(bad), bad[0]))
        if not seen[0]:
            p.append("%s: the poller read nothing" % label)
        for f in os.listdir(os.path.dirname(path)):
            if f.startswith("."):
                p.append("%s: temporary file left: %s" % (label, f))
    return p


def main():
    rep = H.Reporter()
    C = Ctx()
    C.bin = H.iamlua_bin()
    srv, S = H.start_moto(rep)
    C.url = srv.url
    C.admin, C.used, C.temp = S["keys"]["admin"], S["keys"]["used"], S["temp"]
    C.role = ACCT_ROLE % S["account"]
    C.secrets = H.secrets_of(S)
    C.args = ["iam", "get-access-key-last-used", "--access-key-id", C.used["id"],
              "--endpoint-url", C.url, "--region", "us-east-1"]
    C.sso_srv = CredServer(C.temp)
    C.oidc_base = dict(C.sso_srv.oidc)
    try:
        H.run_cases(rep, [("cache write: a symlink at the path is replaced, its target untouched",
                           c_cache_symlink),
                          ("cache write: an existing 0644 file ends 0600", c_cache_mode),
                          ("cache write: atomic for readers", c_cache_atomic)],
                    C, "iamlua-cache.", budget=600)
    finally:
        C.sso_srv.close()
        srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
