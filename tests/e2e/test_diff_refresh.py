#!/usr/bin/env python3
"""Differential cases, family `refresh`: every refresh path of every
refreshable credential source, through AWS CLI v2 and iamlua with the
same files, environment and emulators; stdout, stderr and exit code are
compared, and so is how often each source was asked (process runs, STS,
portal, OIDC, container calls).

    python3 tests/e2e/test_diff_refresh.py   # env: IAMLUA_BIN, AWS_CLI, IAMLUA_MOTO_URL,
                                              #      IAMLUA_DIFF_FILTER

What botocore does (credentials.py, tokens.py), which the cases pin down:
  * credential_process, the container endpoint, IMDS and environment
    variables with AWS_CREDENTIAL_EXPIRATION are fetched while the chain
    runs and refreshed at their first use when they expire within 15
    minutes (advisory: a failed refresh keeps them; within 10, mandatory:
    it fails the call); a refresh that brings expired credentials is
    "Credentials were refreshed, but the refreshed credentials are still
    expired." (so an expired process answer runs the process twice);
  * assume-role, web identity and SSO are fetched at the first use
    (deferred), once, and checked then; their cache entries count while
    they have 15 minutes left; an assume-role source is refreshed as above
    before it signs AssumeRole;
  * an sso-session token within 15 minutes of expiry is refreshed through
    SSO OIDC CreateToken when the cache file holds a refresh token and an
    unexpired registration; the new token is written back; a refusal is
    swallowed.
STS, the SSO portal and SSO OIDC are reached as on AWS, over HTTPS through
HTTPS_PROXY: tests/lib/awsmitm.py terminates TLS for those hosts (its CA
in AWS_CA_BUNDLE) and forwards to moto and tests/lib/credsrv.py. Cases run
one after another (the emulators' state is per case).
"""

import hashlib
import json
import os
import re
import stat
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
from awsmitm import AwsMitm  # noqa: E402
from credsrv import CredServer  # noqa: E402

OP = ["iam", "get-access-key-last-used"]
STS_HOSTS = ("sts.amazonaws.com", "sts.us-east-1.amazonaws.com")
PORTAL = "portal.sso.us-east-1.amazonaws.com"
OIDC = "oidc.us-east-1.amazonaws.com"
START = "https://iamlua.awsapps.com/start"

PROC = r'''#!/bin/sh
# proc.sh ID SECRET MODE...: the Nth run answers as the Nth MODE (or the last)
d=$(dirname "$0"); echo run >> "$d/count"; n=$(wc -l < "$d/count")
id=$1; secret=$2; shift 2
i=1; for m in "$@"; do mode=$m; [ $i -ge $n ] && break; i=$((i+1)); done
exp() { date -u -d "$1 seconds" +%Y-%m-%dT%H:%M:%SZ; }
out() { printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"%s}' "$id" "$secret" "$1"; }
case $mode in
expired) out ", \"Expiration\": \"$(exp -60)\"";;
m5) out ", \"Expiration\": \"$(exp 300)\"";;
m12) out ", \"Expiration\": \"$(exp 720)\"";;
h1) out ", \"Expiration\": \"$(exp 3600)\"";;
noexp) out "";;
fail) echo "refused" >&2; exit 2;;
badjson) echo "not json";;
esac
'''


def iso(secs, fmt="%Y-%m-%dT%H:%M:%SZ"):
    return time.strftime(fmt, time.gmtime(time.time() + secs))


class Ctx:
    pass


def norm(b, ws):
    return re.sub(rb"/usr/bin/aws|\S*/iamlua\b", b"PROG", b.replace(ws.root.encode(), b"$WS"))


# ------------------------------------------------------------ the runner ----

def counts(C, ws):
    log = C.mitm.log()
    try:
        runs = len(open(ws.path("bin/count")).read().splitlines())
    except OSError:
        runs = 0
    return {"process runs": runs,
            "STS calls": sum(1 for e in log if e.host in STS_HOSTS),
            "portal calls": sum(1 for e in log if e.host == PORTAL),
            "OIDC calls": sum(1 for e in log if e.host == OIDC),
            "container calls": sum(1 for m, u, _ in C.srv.requests() if "/creds" in u)}


def run(C, bin_, ws, env, argv):
    e = {"HTTPS_PROXY": C.mitm.url, "HTTP_PROXY": C.mitm.url, "NO_PROXY": "127.0.0.1,localhost",
         "AWS_CA_BUNDLE": C.mitm.ca_file, "AWS_MAX_ATTEMPTS": "2"}
    e.update(env or {})
    cmd = [bin_] + (argv or C.args)
    return H.run(cmd, H.scrubbed_env(ws, e, cmd), timeout=90)


def reset(C, srv=None, rewrite=None, moto_free=0):
    C.mitm.clear()
    C.mitm.rewrite = rewrite
    kw = {"sso_token": "sso-access-token", "expires_in": 3600, "container_auth": None,
          "container_status": 200}
    kw.update(srv or {})
    C.srv.reset(**kw)
    C.srv.oidc = dict(C.oidc0)
    if moto_free:
        C.moto.set_auth_free_requests(moto_free)


def pair(C, setup, env=None, argv=None, srv=None, rewrite=None, moto_free=0, after=None):
    """setup(ws) in two workspaces; the AWS CLI in one, iamlua in the other,
    each after the emulators are reset the same way. after(ws_cli, ws_iamlua)
    may add problems (file checks)."""
    ws = [H.Workspace(prefix="iamlua-refresh."), H.Workspace(prefix="iamlua-refresh.")]
    try:
        res, cnt = [], []
        for w, b in zip(ws, (C.cli, C.bin)):
            setup(C, w)
            reset(C, srv, rewrite, moto_free)
            res.append(run(C, b, w, env, argv))
            cnt.append(counts(C, w))
            if moto_free:
                C.moto.enforce_auth()
        a, b = res
        p = []
        if a.timed_out or b.timed_out:
            return ["timed out (cli %s, iamlua %s)" % (a.timed_out, b.timed_out)]
        if b.rc != a.rc:
            p.append("exit %s, AWS CLI %s (%s | %s)" % (b.rc, a.rc, H.show(b.err, 200), H.show(a.err, 200)))
        if b.out != a.out:
            p.append("stdout " + H.first_diff(b.out, a.out))
        if norm(b.err, ws[1]) != norm(a.err, ws[0]):
            p.append("stderr " + H.first_diff(norm(b.err, ws[1]), norm(a.err, ws[0])))
        for k in cnt[0]:
            if cnt[1][k] != cnt[0][k]:
                p.append("%s: %d, AWS CLI %d" % (k, cnt[1][k], cnt[0][k]))
        if after:
            p += after(ws[0], ws[1])
        return p + H.leaks(b, C.secrets)
    finally:
        for w in ws:
            w.cleanup()


# ------------------------------------------------------------- set-ups -----

def files(config, credentials=""):
    def f(C, ws):
        ws.write("config", config.format(**C.fmt))
        ws.write("credentials", credentials.format(**C.fmt))
    return f


def with_proc(config, *modes):
    def f(C, ws):
        path = ws.write("bin/proc.sh", PROC)
        os.chmod(path, 0o755)
        cmd = "%s %s %s %s" % (path, C.admin["id"], C.admin["secret"], " ".join(modes))
        ws.write("config", config.format(proc=cmd, **C.fmt))
        ws.write("credentials", "")
    return f


def sso_token(C, ws, name, expires, **extra):
    d = os.path.join(ws.home, ".aws", "sso", "cache")
    os.makedirs(d, exist_ok=True)
    tok = {"startUrl": START, "region": "us-east-1", "accessToken": "sso-access-token",
           "expiresAt": iso(expires)}
    tok.update(extra)
    with open(os.path.join(d, hashlib.sha1(name.encode()).hexdigest() + ".json"), "w") as f:
        json.dump(tok, f)


REFRESHABLE = {"clientId": "iamlua-client", "clientSecret": "iamlua-client-secret",
               "refreshToken": "refresh-1"}


def sso_setup(expires, session=True, region="us-east-1", **extra):
    def f(C, ws):
        if session:
            cfg = ("[default]\nsso_session = dev\nsso_account_id = 123456789012\n"
                   "sso_role_name = SSORole\nregion = us-east-1\n[sso-session dev]\n"
                   "sso_start_url = %s\nsso_region = %s\n" % (START, region))
        else:
            cfg = ("[default]\nsso_start_url = %s\nsso_region = %s\nsso_account_id = 123456789012\n"
                   "sso_role_name = SSORole\nregion = us-east-1\n" % (START, region))
        ws.write("config", cfg)
        ws.write("credentials", "")
        sso_token(C, ws, "dev" if session else START, expires, **extra)
    return f


def role_cache_entry(C, ws, key, secs, cred=None):
    c = cred or C.temp
    d = os.path.join(ws.home, ".aws", "cli", "cache")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, key + ".json"), "w") as f:
        json.dump({"Credentials": {"AccessKeyId": c["id"], "SecretAccessKey": c["secret"],
                                   "SessionToken": c["token"],
                                   "Expiration": iso(secs, "%Y-%m-%dT%H:%M:%SUTC")}}, f)


def sts_expiring(secs):
    """An answer rewrite: AssumeRole*'s Expiration set to now + secs."""
    def rw(host, method, path, status, body):
        if host in STS_HOSTS and status == 200:
            return H.expiring(body, secs, "%Y-%m-%dT%H:%M:%S.000Z")
        return None
    return rw


ROLE = "[profile r]\nregion = us-east-1\nrole_arn = {role}\nsource_profile = src\n"
SRC = "[src]\naws_access_key_id = {admin_id}\naws_secret_access_key = {admin_secret}\n"
PROC_DEFAULT = "[default]\nregion = us-east-1\ncredential_process = {proc}\n"


# --------------------------------------------------------------- cases -----

def token_file(ws, name):
    p = os.path.join(ws.home, ".aws", "sso", "cache", hashlib.sha1(name.encode()).hexdigest() + ".json")
    try:
        return json.load(open(p)), stat.S_IMODE(os.stat(p).st_mode)
    except (OSError, ValueError) as e:
        return {"unreadable": str(e)}, 0


def same_token(ws_cli, ws_iam):
    """The token files both wrote: same members and values, expiresAt within
    5 s, mode 0600."""
    a, ma = token_file(ws_cli, "dev")
    b, mb = token_file(ws_iam, "dev")
    p = []
    ea, eb = a.pop("expiresAt", ""), b.pop("expiresAt", "")
    if list(a) != list(b) or a != b:
        p.append("token file %r, AWS CLI %r" % (b, a))
    try:
        t = [time.mktime(time.strptime(x, "%Y-%m-%dT%H:%M:%SZ")) for x in (ea, eb)]
        if abs(t[0] - t[1]) > 5:
            p.append("expiresAt %s, AWS CLI %s" % (eb, ea))
    except ValueError:
        p.append("expiresAt %r, AWS CLI %r" % (eb, ea))
    # the CLI keeps an existing file's mode (0644 here); iamlua writes 0600
    # whatever was there (issue 17): a deliberate difference
    if mb != 0o600:
        p.append("token file mode %o, want 600" % mb)
    return p


def cases():
    c = []
    P = PROC_DEFAULT

    def add(name, **kw):
        c.append(("refresh: " + name, kw))

    # credential_process
    add("process answer expired: runs again, still expired", setup=with_proc(P, "expired"))
    add("process answer within 10 min: refreshed at first use", setup=with_proc(P, "m5", "h1"))
    add("process answer within 15 min, refresh fails: kept", setup=with_proc(P, "m12", "fail"))
    add("process answer within 10 min, refresh fails: error", setup=with_proc(P, "m5", "fail"))
    add("process answer within 10 min, refresh not JSON", setup=with_proc(P, "m5", "badjson"))
    add("process answer within 10 min, refresh expired", setup=with_proc(P, "m5", "expired"))
    add("process answer valid for an hour: one run", setup=with_proc(P, "h1"))
    add("process answer without expiration: one run", setup=with_proc(P, "noexp"))
    # environment
    add("env AWS_CREDENTIAL_EXPIRATION passed", setup=files("[default]\nregion = us-east-1\n"),
        env_fn=lambda C: {"AWS_ACCESS_KEY_ID": C.admin["id"], "AWS_SECRET_ACCESS_KEY": C.admin["secret"],
                          "AWS_CREDENTIAL_EXPIRATION": iso(-60)})
    add("env AWS_CREDENTIAL_EXPIRATION within 10 min", setup=files("[default]\nregion = us-east-1\n"),
        env_fn=lambda C: {"AWS_ACCESS_KEY_ID": C.admin["id"], "AWS_SECRET_ACCESS_KEY": C.admin["secret"],
                          "AWS_CREDENTIAL_EXPIRATION": iso(300)})
    # assume-role
    add("AssumeRole answers expired credentials", setup=files(ROLE, SRC), profile="r",
        rewrite=sts_expiring(-60))
    add("AssumeRole answers credentials for 5 min: used, not fetched again", setup=files(ROLE, SRC),
        profile="r", rewrite=sts_expiring(300))
    add("AssumeRole cache entry with 5 min left: ignored", profile="r",
        setup=lambda C, ws: (files(ROLE, SRC)(C, ws), role_cache_entry(C, ws, C.role_key, 300)))
    add("AssumeRole cache entry with an hour left: used", profile="r",
        setup=lambda C, ws: (files(ROLE, SRC)(C, ws), role_cache_entry(C, ws, C.role_key, 3600)))
    add("AssumeRole cache entry expired: ignored", profile="r",
        setup=lambda C, ws: (files(ROLE, SRC)(C, ws), role_cache_entry(C, ws, C.role_key, -60)))
    srcproc = "[profile r]\nregion = us-east-1\nrole_arn = {role}\nsource_profile = p\n" \
              "[profile p]\ncredential_process = {proc}\n"
    add("source credential_process expired: runs again before AssumeRole", profile="r",
        setup=with_proc(srcproc, "expired"))
    add("source credential_process within 10 min: refreshed, then AssumeRole", profile="r",
        setup=with_proc(srcproc, "m5", "h1"))
    ecs = "[profile r]\nregion = us-east-1\nrole_arn = {role}\ncredential_source = EcsContainer\n"
    add("source EcsContainer answers expired credentials: fetched again, no AssumeRole",
        profile="r", setup=files(ecs), srv={"expires_in": -60},
        env_fn=lambda C: {"AWS_CONTAINER_CREDENTIALS_FULL_URI": C.srv.url + "/creds/x"})
    add("source EcsContainer within 10 min: fetched again, then AssumeRole",
        profile="r", setup=files(ecs), srv={"expires_in": 300},
        env_fn=lambda C: {"AWS_CONTAINER_CREDENTIALS_FULL_URI": C.srv.url + "/creds/x"})
    add("source Environment with a passed expiration", profile="r",
        setup=files("[profile r]\nregion = us-east-1\nrole_arn = {role}\ncredential_source = Environment\n"),
        env_fn=lambda C: {"AWS_ACCESS_KEY_ID": C.admin["id"], "AWS_SECRET_ACCESS_KEY": C.admin["secret"],
                          "AWS_CREDENTIAL_EXPIRATION": iso(-60)})
    add("AssumeRole refused (AccessDenied)", profile="r",
        setup=files(ROLE, "[src]\naws_access_key_id = {used_id}\naws_secret_access_key = {used_secret}\n"))
    # web identity
    wi = "[profile w]\nregion = us-east-1\nrole_arn = {role}\nweb_identity_token_file = {ws}/tok\n"

    def wi_setup(C, ws):
        ws.write("tok", "header.payload.sig")
        ws.write("config", wi.format(ws=ws.root, **C.fmt))
        ws.write("credentials", "")
    add("web identity answers expired credentials", profile="w", setup=wi_setup,
        rewrite=sts_expiring(-60), moto_free=1)
    add("web identity answers credentials for 5 min", profile="w", setup=wi_setup,
        rewrite=sts_expiring(300), moto_free=1)
    add("web identity cache entry with 5 min left: ignored", profile="w", moto_free=1,
        setup=lambda C, ws: (wi_setup(C, ws), role_cache_entry(C, ws, C.role_key, 300)))
    add("web identity cache entry with an hour left: used", profile="w",
        setup=lambda C, ws: (wi_setup(C, ws), role_cache_entry(C, ws, C.role_key, 3600)))
    # SSO role credentials
    add("SSO portal answers expired credentials", setup=sso_setup(3600), srv={"expires_in": -60})
    add("SSO portal answers credentials for 5 min", setup=sso_setup(3600), srv={"expires_in": 300})
    add("SSO role cache entry with 5 min left: portal asked", setup=lambda C, ws: (
        sso_setup(3600)(C, ws), role_cache_entry(C, ws, C.sso_key, 300)))
    # SSO token refresh
    reg = {"registrationExpiresAt": iso(86400)}
    add("SSO token within 15 min: refreshed through OIDC, written back",
        setup=sso_setup(600, **dict(REFRESHABLE, **reg)), after=same_token)
    add("SSO token expired: refreshed through OIDC", setup=sso_setup(-60, **dict(REFRESHABLE, **reg)),
        after=same_token)
    add("SSO token refreshed, OIDC gives no new refresh token",
        setup=sso_setup(-60, **dict(REFRESHABLE, **reg)), after=same_token,
        oidc={"new_refresh_token": None})
    add("SSO token expired, OIDC refuses the refresh token",
        setup=sso_setup(-60, **dict(REFRESHABLE, refreshToken="stale", **reg)))
    add("SSO token within 15 min, OIDC refuses: the old token serves",
        setup=sso_setup(600, **dict(REFRESHABLE, refreshToken="stale", **reg)))
    add("SSO token expired, registration expired: no refresh",
        setup=sso_setup(-60, **dict(REFRESHABLE, registrationExpiresAt=iso(-1))))
    add("SSO token expired, no refresh token", setup=sso_setup(-60, clientId="c", clientSecret="s",
                                                               **reg))
    add("SSO token expired, OIDC answers 500", setup=sso_setup(-60, **dict(REFRESHABLE, **reg)),
        oidc={"status": 500})
    add("SSO token valid: no refresh", setup=sso_setup(3600, **dict(REFRESHABLE, **reg)))
    add("SSO token refresh gives a token already expired",
        setup=sso_setup(-60, **dict(REFRESHABLE, **reg)), oidc={"expires_in": 0})
    add("legacy SSO token expired: never refreshed, the portal refuses",
        setup=sso_setup(-60, session=False, **dict(REFRESHABLE, **reg)),
        srv={"sso_token": "other"})
    add("SSO token file is not JSON", setup=lambda C, ws: (
        sso_setup(3600)(C, ws), ws.write("home/.aws/sso/cache/%s.json"
                                         % hashlib.sha1(b"dev").hexdigest(), "{oops")))
    add("sso_region invalid", setup=sso_setup(3600, region="bad!"))
    add("sso_region with a dot", setup=sso_setup(3600, region="us-east-1.evil.example"))
    # container
    cont = files("[default]\nregion = us-east-1\n")
    add("container answers expired credentials: fetched again", setup=cont, srv={"expires_in": -60},
        env_fn=lambda C: {"AWS_CONTAINER_CREDENTIALS_FULL_URI": C.srv.url + "/creds/x"})
    add("container answers credentials for 5 min: fetched again", setup=cont, srv={"expires_in": 300},
        env_fn=lambda C: {"AWS_CONTAINER_CREDENTIALS_FULL_URI": C.srv.url + "/creds/x"})
    add("container answers credentials for an hour", setup=cont,
        env_fn=lambda C: {"AWS_CONTAINER_CREDENTIALS_FULL_URI": C.srv.url + "/creds/x"})
    # IMDS: expired credentials are stretched, not refused
    add("IMDS answers expired credentials: extended", setup=cont, srv={"expires_in": -60}, counts=False,
        env_fn=lambda C: {"AWS_EC2_METADATA_DISABLED": None,
                          "AWS_EC2_METADATA_SERVICE_ENDPOINT": C.srv.url + "/"})
    return c


def c_cli_reads_refreshed(C):
    """iamlua refreshes the token and writes it; the AWS CLI, in the same
    home with the role credentials removed, takes the new token as it is
    (no OIDC call) and the portal accepts it."""
    ws = H.Workspace(prefix="iamlua-refresh.")
    try:
        sso_setup(-60, **dict(REFRESHABLE, registrationExpiresAt=iso(86400)))(C, ws)
        reset(C)
        r = run(C, C.bin, ws, None, None)
        p = [] if r.rc == 0 else ["iamlua exit %s %s" % (r.rc, H.show(r.err))]
        tok, mode = token_file(ws, "dev")
        if tok.get("accessToken") != "sso-access-token-2" or mode != 0o600:
            p.append("token file %r mode %o" % (tok, mode))
        for f in os.listdir(os.path.join(ws.home, ".aws", "cli", "cache")):
            os.unlink(os.path.join(ws.home, ".aws", "cli", "cache", f))
        C.mitm.clear()
        C.srv.reset()          # the portal still wants token 2, as OIDC left it
        r = run(C, C.cli, ws, None, None)
        if r.rc != 0 or b"alice" not in r.out:
            p.append("AWS CLI exit %s %s" % (r.rc, H.show(r.err)))
        if C.mitm.count(OIDC) != 0 or C.mitm.count(PORTAL) != 1:
            p.append("AWS CLI asked OIDC %d times, the portal %d" % (C.mitm.count(OIDC),
                                                                      C.mitm.count(PORTAL)))
        return p
    finally:
        ws.cleanup()


def main():
    rep = H.Reporter()
    C = Ctx()
    C.bin, C.cli = H.iamlua_bin(), H.aws_cli()
    moto, S = H.start_moto(rep)
    C.moto = moto
    C.admin, C.used, C.temp = S["keys"]["admin"], S["keys"]["used"], S["temp"]
    C.secrets = H.secrets_of(S)
    C.role = "arn:aws:iam::%s:role/iamlua-role" % S["account"]
    C.role_key = hashlib.sha1(json.dumps({"RoleArn": C.role}, sort_keys=True).encode()).hexdigest()
    C.sso_key = hashlib.sha1(json.dumps({"accountId": "123456789012", "roleName": "SSORole",
                                         "sessionName": "dev"}, sort_keys=True,
                                        separators=(",", ":")).encode()).hexdigest()
    C.fmt = {"role": C.role, "admin_id": C.admin["id"], "admin_secret": C.admin["secret"],
             "used_id": C.used["id"], "used_secret": C.used["secret"]}
    C.args = OP + ["--access-key-id", C.used["id"], "--endpoint-url", moto.url]
    C.srv = CredServer(C.temp)
    C.oidc_base = dict(C.srv.oidc)
    C.oidc0 = dict(C.oidc_base)
    C.mitm = AwsMitm(dict([(h, moto.url) for h in STS_HOSTS]
                          + [(PORTAL, C.srv.url), (OIDC, C.srv.url)]))
    cs = cases()
    print("# family refresh: %d cases" % (len(cs) + 1))
    flt = os.environ.get("IAMLUA_DIFF_FILTER")
    deadline = time.monotonic() + 400
    try:
        for name, kw in cs:
            if flt and flt not in name:
                continue
            if time.monotonic() > deadline:
                rep.fail(name, "suite deadline passed before this case started")
                continue
            argv = C.args + ["--profile", kw["profile"]] if kw.get("profile") else None
            env = kw["env_fn"](C) if kw.get("env_fn") else None
            srv = dict(kw.get("srv") or {})
            try:
                C.oidc0 = dict(C.oidc_base, **(kw.get("oidc") or {}))
                p = pair(C, kw["setup"], env=env, argv=argv, srv=srv, rewrite=kw.get("rewrite"),
                         moto_free=kw.get("moto_free", 0), after=kw.get("after"))
                if kw.get("counts") is False:
                    p = [x for x in p if " calls:" not in x and "process runs" not in x]
                rep.check(name, p)
            except Exception as e:
                rep.fail(name, "harness error: %s: %s" % (type(e).__name__, e))
        name = "refresh: the AWS CLI uses the token iamlua refreshed"
        if not flt or flt in name:
            C.oidc0 = dict(C.oidc_base)
            rep.check(name, c_cli_reads_refreshed(C))
    finally:
        C.mitm.close()
        C.srv.close()
        moto.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
