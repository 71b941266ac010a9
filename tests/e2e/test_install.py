#!/usr/bin/env python3
"""test_install.py: iamlua as an installed tool and a Lua library (issue 8).

- make install / uninstall with DESTDIR and PREFIX: exactly the expected
  files, the installed binary runs from / with nothing from the source tree,
  uninstall removes exactly those files;
- the man pages: groff -ww prints no warning, man -l renders them, and they
  name every option the command scripts and scripts/cli/globals.lua declare;
- bash completion driven through _iamlua with COMP_WORDS/COMP_CWORD, and the
  zsh function with compsys stubbed (when zsh is installed): commands,
  options, --output with user formats, --profile from the config files;
- aws.so in a stock lua5.4: aws.sign gives the same bytes as `iamlua run`,
  calls and aws.parallel against moto (which verifies every signature),
  user directories first; luarocks make into a local tree;
- --version and the version scheme (tools/version.sh, make dist's VERSION).

Builds with `make` in the source tree (B=build, whatever IAMLUA_BUILD says:
this suite tests what install ships, not a sanitizer build).
"""
import os
import re
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402

ROOT = H.ROOT
MA = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True,
                    text=True).stdout.strip() or "x86_64-linux-gnu"
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def sh(argv, env=None, cwd=ROOT, timeout=300, stdin=b""):
    e = dict(os.environ) if env is None else env
    return H.run(argv, e, timeout=timeout, cwd=cwd, stdin=stdin)


def make(*args, env=None, timeout=300):
    e = dict(os.environ)
    e.pop("MAKEFLAGS", None)
    e.pop("B", None)
    e.update(env or {})
    return sh(["make", "--no-print-directory", "-s"] + list(args), env=e, timeout=timeout)


def have(cmd):
    return shutil.which(cmd) is not None


def ensure_pkg(pkg, cmd):
    """True when cmd exists, installing Debian package pkg first if root."""
    if have(cmd):
        return True
    if os.geteuid() == 0 and have("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        r = sh(["apt-get", "install", "-y", "-qq", pkg], env=env, timeout=240)
        if r.rc != 0:
            sh(["apt-get", "update", "-qq"], env=env, timeout=240)
            sh(["apt-get", "install", "-y", "-qq", pkg], env=env, timeout=240)
    return have(cmd)


def lua_list(expr):
    """Evaluates a Lua expression over the declarations (from the source
    root) that yields an array of strings."""
    code = ("local G = dofile('tools/global_options.lua'); "
            "local cmds = {} for f in io.lines() do cmds[#cmds+1] = f end; "
            "local globals, commands = G.load(cmds); local t = %s; "
            "for _, s in ipairs(t) do print(s) end") % expr
    files = "\n".join(cmd_scripts()) + "\n"
    r = sh(["lua5.4", "-e", code], stdin=files.encode())
    assert r.rc == 0, r.err
    return r.out.decode().split()


def cmd_scripts():
    d = os.path.join(ROOT, "scripts", "commands")
    return sorted("scripts/commands/%s/%s" % (s, f) for s in os.listdir(d)
                  for f in os.listdir(os.path.join(d, s)) if f.endswith(".lua"))


def examples():
    out = []
    for dp, _, fs in os.walk(os.path.join(ROOT, "examples")):
        for f in fs:
            if f.endswith(".lua"):
                out.append(os.path.relpath(os.path.join(dp, f), os.path.join(ROOT, "examples")))
    return sorted(out)


def tree(root):
    out = set()
    for dp, _, fs in os.walk(root):
        for f in fs:
            out.add(os.path.relpath(os.path.join(dp, f), root))
    return out


def expected_files(prefix, luamod):
    p = prefix.lstrip("/")
    pages = ["iamlua.1"] + ["iamlua-%s-%s.1" % tuple(c[len("scripts/commands/"):-4].split("/"))
                            for c in cmd_scripts()]
    files = {p + "/bin/iamlua", p + "/share/bash-completion/completions/iamlua",
             p + "/share/zsh/site-functions/_iamlua", luamod.lstrip("/") + "/aws.so"}
    files |= {p + "/share/man/man1/" + m for m in pages}
    files.add(p + "/share/man/man3/iamlua-lua.3")
    files |= {p + "/share/doc/iamlua/examples/" + e for e in examples()}
    return files


# ---------------------------------------------------------------- cases -----

def test_build(rep):
    r = make("-j2", "all", timeout=600)
    rep.check("make builds iamlua, aws.so, man pages and completions",
              [] if r.rc == 0 and all(os.path.exists(os.path.join(ROOT, f)) for f in
                                      ("iamlua", "aws.so", "build/man/iamlua.1",
                                       "build/completion/iamlua.bash", "build/completion/_iamlua"))
              else ["rc=%s %s" % (r.rc, H.show(r.err + r.out, 800))])
    return r.rc == 0


def test_install(rep, ws, moto):
    dest = ws.path("dest")
    os.makedirs(os.path.join(dest, "usr/local/bin"))
    with open(os.path.join(dest, "usr/local/bin/other-tool"), "w") as f:
        f.write("not ours\n")
    r = make("install", "DESTDIR=" + dest)
    if r.rc != 0:
        rep.fail("make install DESTDIR", H.show(r.err + r.out))
        return None
    got = tree(dest) - {"usr/local/bin/other-tool"}
    want = expected_files("/usr/local", "/usr/local/lib/lua/5.4")
    rep.check("make install puts exactly: bin, man1, bash and zsh completion, aws.so in "
              "PREFIX/lib/lua/5.4, examples in PREFIX/share/doc/iamlua/examples",
              [] if got == want else ["extra %s missing %s" % (sorted(got - want), sorted(want - got))])
    mode = os.stat(os.path.join(dest, "usr/local/bin/iamlua")).st_mode & 0o777
    rep.check("installed binary is 0755, data files 0644",
              [] if mode == 0o755 and os.stat(os.path.join(dest, "usr/local/share/man/man1/iamlua.1"))
              .st_mode & 0o777 == 0o644 else ["mode %o" % mode])

    # The installed binary runs from / with no source tree around.
    binp = os.path.join(dest, "usr/local/bin/iamlua")
    env = H.scrubbed_env(ws)
    v = H.run([binp, "--version"], env, cwd="/")
    rep.check("installed iamlua --version from /",
              [] if v.rc == 0 and v.out.startswith(b"iamlua/") else [H.show(v.out + v.err)])
    h = H.run([binp, "iam", "get-access-key-last-used", "help"], env, cwd="/")
    rep.check("installed iamlua: command help from the embedded script",
              [] if h.rc == 0 and b"--access-key-id" in h.out else [H.show(h.out + h.err)])
    if moto:
        srv, admin, ids = moto
        env = H.scrubbed_env(ws, {"AWS_ACCESS_KEY_ID": admin[0], "AWS_SECRET_ACCESS_KEY": admin[1],
                                  "AWS_DEFAULT_REGION": "us-east-1"}, ["--endpoint-url", srv.url])
        c = H.run([binp, "iam", "get-access-key-last-used", "--access-key-id", ids[0],
                   "--endpoint-url", srv.url], env, cwd="/")
        rep.check("installed iamlua calls moto from / (signature verified)",
                  [] if c.rc == 0 and b'"UserName": "p0"' in c.out else [H.show(c.out + c.err)])

    # The installed aws.so, through Debian's lua5.4 search path layout.
    lm = os.path.join(dest, "usr/local/lib/lua/5.4")
    m = H.run(["lua5.4", "-e", 'local aws = require "aws"; print(type(aws.client), type(aws.parallel))'],
              dict(H.scrubbed_env(ws), LUA_CPATH=lm + "/?.so"), cwd="/")
    rep.check("installed aws.so loads in lua5.4", [] if m.out == b"function\tfunction\n" else
              [H.show(m.out + m.err)])

    r = make("uninstall", "DESTDIR=" + dest)
    left = tree(dest)
    dirs = [os.path.relpath(os.path.join(dp, d), dest) for dp, ds, _ in os.walk(dest) for d in ds]
    rep.check("make uninstall removes exactly what install put there",
              [] if r.rc == 0 and left == {"usr/local/bin/other-tool"}
              and not any("doc/iamlua" in d for d in dirs)
              else ["rc=%s left %s dirs %s" % (r.rc, sorted(left), [d for d in dirs if "iamlua" in d])])

    dest2 = ws.path("dest2")
    r = make("install", "DESTDIR=" + dest2, "PREFIX=/opt/iamlua")
    got = tree(dest2)
    want = expected_files("/opt/iamlua", "/opt/iamlua/lib/lua/5.4")
    rep.check("make install PREFIX=/opt/iamlua", [] if r.rc == 0 and got == want else
              ["rc=%s extra %s missing %s" % (r.rc, sorted(got - want), sorted(want - got))])
    r = make("uninstall", "DESTDIR=" + dest2, "PREFIX=/opt/iamlua")
    rep.check("make uninstall PREFIX=/opt/iamlua", [] if r.rc == 0 and not tree(dest2) else
              [sorted(tree(dest2))])
    return True


def test_man(rep, ws):
    mandir = os.path.join(ROOT, "build", "man")
    pages = sorted(f for f in os.listdir(mandir) if f.endswith(".1") or f.endswith(".3"))
    want = ["iamlua.1", "iamlua-lua.3"] + ["iamlua-%s-%s.1" % tuple(c[len("scripts/commands/"):-4].split("/"))
                                           for c in cmd_scripts()]
    rep.check("a man page for iamlua, for each command script and iamlua-lua(3) for the aws module",
              [] if pages == sorted(want) else [str(pages)])
    env = dict(H.scrubbed_env(ws), LC_ALL="C.UTF-8", MANWIDTH="80", MANPAGER="cat", PAGER="cat")
    rendered = {}
    for p in pages:
        path = os.path.join(mandir, p)
        g = H.run(["groff", "-ww", "-man", "-Tutf8", path], env)
        rep.check("groff -ww -man -Tutf8 %s: no warnings" % p,
                  [] if g.rc == 0 and g.err == b"" else [H.show(g.err)])
        m = H.run(["man", "--warnings", "-l", path], env)
        text = re.sub(r".\x08", "", m.out.decode(errors="replace"))
        rendered[p] = text
        rep.check("man -l %s renders (no warnings)" % p,
                  [] if m.rc == 0 and "NAME" in text and "SYNOPSIS" in text and m.err == b""
                  else [H.show(m.err + m.out[:200])])
    # Drift: every entry of the aws module's reference is in iamlua-lua(3)
    # (tests/unit/luaref.lua checks the reference against the module).
    names = lua_list("(function() local r = dofile('scripts/cli/luaref.lua') local o = {} "
                     "for _, s in ipairs(r.sections) do for _, e in ipairs(s.entries) do "
                     "o[#o+1] = e.name end end return o end)()")
    page3 = re.sub(r"\s+", " ", rendered.get("iamlua-lua.3", "").replace("\u2010\n", "").replace("-\n", "-"))
    miss = [n for n in names if n.replace("client:", ":") not in page3]
    rep.check("iamlua-lua.3 documents every entry of scripts/cli/luaref.lua (%d)" % len(names),
              ["missing %s" % miss] if miss or len(names) < 20 else [])
    # Drift: every declared option is in the pages.
    globals_ = lua_list("G.ordered(globals.specs)")
    miss = [o for o in globals_ if o not in rendered.get("iamlua.1", "")]
    rep.check("iamlua.1 documents every global option of scripts/cli/globals.lua (%d)" % len(globals_),
              ["missing %s" % miss] if miss else [])
    for c in cmd_scripts():
        svc, name = c[len("scripts/commands/"):-4].split("/")
        page = rendered.get("iamlua-%s-%s.1" % (svc, name), "")
        opts = lua_list("(function() for _, c in ipairs(commands) do if c.service == %r and "
                        "c.name == %r then local o = {} for _, p in ipairs(c.parameters) do "
                        "o[#o+1] = p.option end return o end end end)()" % (svc, name))
        help_ = H.run([H.iamlua_bin(), svc, name, "help"], H.scrubbed_env(ws))
        help_opts = set(re.findall(rb"--[a-z][a-z0-9-]+", help_.out))
        miss = [o for o in opts if o not in page]
        miss += [o.decode() for o in help_opts if o.decode() not in page]
        rep.check("iamlua-%s-%s.1 has every option of the declaration and of `help`" % (svc, name),
                  ["missing %s" % sorted(set(miss))] if miss or not opts else [])


def write_user_dirs(ws):
    """A user script dir, config and credentials in the workspace."""
    ws.write("user/output/csvish.lua", "return function() return '' end\n")
    ws.write("user/commands/iam/list-users.lua", "return {}\n")
    ws.write("user/commands/sts/get-caller-identity.lua", "return {}\n")
    ws.write("xdg/iamlua/output/fromxdg.lua", "return {}\n")
    ws.write("home/.config/iamlua/output/fromhome.lua", "return {}\n")
    ws.write("config", "[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n"
                       "[ profile  dev ]\n[sso-session corp]\nsso_region = x\n")
    ws.write("credentials", "[default]\naws_access_key_id = A\n[ci]\naws_access_key_id = B\n")
    ws.write("alt-config", "[profile alt]\n")
    ws.write("scripts/audit.lua", "")
    ws.write("scripts/notes.txt", "")


BASH_CASES = [
    # (name, words, env overrides, expected list)
    ("services and subcommands", ["iamlua", ""], {}, ["help", "iam", "run", "sts"]),
    ("iam commands incl. user command", ["iamlua", "iam", ""], {},
     ["get-access-key-last-used", "help", "list-users"]),
    ("prefix", ["iamlua", "iam", "get-a"], {}, ["get-access-key-last-used"]),
    ("--output: shipped then user formats", ["iamlua", "--output", ""], {},
     ["json", "text", "table", "yaml", "yaml-stream", "csvish"]),
    ("--output via XDG_CONFIG_HOME", ["iamlua", "--output", "f"],
     {"IAMLUA_PATH": None, "XDG_CONFIG_HOME": "{ws}/xdg"}, ["fromxdg"]),
    ("--output via ~/.config/iamlua", ["iamlua", "--output", "f"],
     {"IAMLUA_PATH": None}, ["fromhome"]),
    ("--profile from config and credentials", ["iamlua", "--profile", ""], {},
     ["ci", "default", "dev", "prod"]),
    ("--profile honours AWS_CONFIG_FILE", ["iamlua", "--profile", ""],
     {"AWS_CONFIG_FILE": "{ws}/alt-config", "AWS_SHARED_CREDENTIALS_FILE": "{ws}/none"}, ["alt"]),
    ("--color", ["iamlua", "--color", ""], {}, ["on", "off", "auto"]),
    ("--cli-binary-format", ["iamlua", "--cli-binary-format", ""], {}, ["base64", "raw-in-base64-out"]),
    ("--generate-cli-skeleton values",
     ["iamlua", "iam", "get-access-key-last-used", "--generate-cli-skeleton", ""], {},
     ["input", "yaml-input", "output"]),
    ("command options, given ones left out",
     ["iamlua", "--region", "x", "iam", "get-access-key-last-used", "--access-key-id", "A", "--cli"], {},
     ["--cli-auto-prompt", "--cli-binary-format", "--cli-connect-timeout", "--cli-read-timeout",
      "--cli-input-json", "--cli-input-yaml"]),
    ("global options before the command", ["iamlua", "--no-"], {},
     ["--no-cli-auto-prompt", "--no-cli-pager", "--no-paginate", "--no-sign-request", "--no-verify-ssl"]),
    ("after the command: help", ["iamlua", "--profile", "prod", "iam", "get-access-key-last-used", ""], {},
     ["help"]),
    ("run: Lua scripts", ["iamlua", "run", "{ws}/scripts/"], {}, ["{ws}/scripts/audit.lua"]),
    ("--access-key-id takes a value: nothing offered",
     ["iamlua", "iam", "get-access-key-last-used", "--access-key-id", ""], {}, []),
]


def test_bash(rep, ws):
    comp = os.path.join(ROOT, "build", "completion", "iamlua.bash")
    base = {"IAMLUA_PATH": "{ws}/user"}
    for name, words, over, want in BASH_CASES:
        env = H.scrubbed_env(ws, dict(base, **over))
        words = [ws.expand(w) for w in words]
        script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); '
                  '_iamlua; printf "%s\\n" "${COMPREPLY[@]}"')
        r = H.run(["bash", "--norc", "--noprofile", "-c", script, "_", comp] + words, env)
        got = [l for l in r.out.decode().split("\n") if l]
        want = [ws.expand(w) for w in want]
        rep.check("bash completion: " + name, [] if got == want and r.err == b"" else
                  ["got %s want %s %s" % (got, want, H.show(r.err))])
    # bash-completion's loader finds the installed file by name.
    bc = "/usr/share/bash-completion/bash_completion"
    if os.path.exists(bc):
        dest = ws.path("bcdest")
        make("install", "DESTDIR=" + dest)
        env = H.scrubbed_env(ws, {"XDG_DATA_DIRS": dest + "/usr/local/share"})
        r = H.run(["bash", "--norc", "--noprofile", "-c",
                   'source %s; __load_completion iamlua; complete -p iamlua' % bc], env)
        rep.check("bash-completion loads PREFIX/share/bash-completion/completions/iamlua on demand",
                  [] if b"-F _iamlua iamlua" in r.out else [H.show(r.out + r.err)])
        make("uninstall", "DESTDIR=" + dest)
    else:
        rep.skip("bash-completion loads the installed file", "bash-completion not installed")


def test_zsh(rep, ws):
    if not ensure_pkg("zsh", "zsh"):
        rep.skip("zsh completion", "zsh not installed")
        return
    comp = os.path.join(ROOT, "build", "completion", "_iamlua")
    stubs = ('_describe() { local -a a; a=("${(@P)4}"); print -rl -- "${a[@]}"; }; '
             '_files() { print -r -- "_files $*"; }; _message() { print -r -- "_message $*"; }; '
             'setopt nomatch; source "$1"; shift; words=("$@"); CURRENT=$#words; '
             'PREFIX=$words[CURRENT]; _iamlua')
    cases = [
        ("services", ["iamlua", ""], ["help:Show help", "iam", 'run:Run a Lua script with require "aws"',
                                      "sts"]),
        ("--output with user formats", ["iamlua", "--output", ""],
         ["json", "text", "table", "yaml", "yaml-stream", "csvish"]),
        ("--profile", ["iamlua", "--profile", ""], ["ci", "default", "dev", "prod"]),
        ("--color", ["iamlua", "--color", ""], ["on", "off", "auto"]),
        ("option with description", ["iamlua", "iam", "get-access-key-last-used", "--acc"],
         None),
        ("run: Lua files", ["iamlua", "run", ""], ["_files -g *.lua(-.)"]),
    ]
    for name, words, want in cases:
        env = H.scrubbed_env(ws, {"IAMLUA_PATH": "{ws}/user"})
        r = H.run(["zsh", "-f", "-c", stubs, "_", comp] + words, env)
        got = [l for l in r.out.decode().split("\n") if l]
        if want is None:
            ok = "--access-key-id:The identifier of an access key" in got
        else:
            ok = got == want
        rep.check("zsh completion: " + name, [] if ok and r.err == b"" else
                  ["got %s want %s %s" % (got, want, H.show(r.err))])
    r = H.run(["zsh", "-f", "-c", "fpath=(%s $fpath); autoload -Uz compinit; compinit -u -D; "
               "print -r -- ${_comps[iamlua]}" % os.path.dirname(comp)], H.scrubbed_env(ws))
    rep.check("zsh compinit registers _iamlua for iamlua (#compdef)",
              [] if r.out.strip() == b"_iamlua" else [H.show(r.out + r.err)])


SIGN_LUA = r'''
local aws = require "aws"
local creds = { access_key_id = "AKIDEXAMPLE",
                secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
local cases = {
  { method = "GET", url = "https://example.amazonaws.com/?Param2=value2&Param1=value1",
    headers = { {"Host", "example.amazonaws.com"}, {"My-Header1", "value1"} },
    service = "service", region = "us-east-1", credentials = creds, time = "20150830T123600Z" },
  { method = "POST", url = "https://iam.amazonaws.com/", body = "Action=ListUsers&Version=2010-05-08",
    headers = { {"Host", "iam.amazonaws.com"}, {"Content-Type", "application/x-www-form-urlencoded"} },
    service = "iam", region = "us-east-1", time = 1440938160, sign_body = true,
    credentials = { access_key_id = "AKID", secret_access_key = "s", session_token = "tok" } },
  { method = "GET", url = "https://example.amazonaws.com/a b/../c", presign = true, expires = 60,
    headers = { {"Host", "example.amazonaws.com"} }, service = "s3", region = "eu-west-1",
    credentials = creds, time = "20150830T123600Z", double_encode = false },
}
for _, c in ipairs(cases) do
  local s = aws.sign(c)
  print(s.canonical_request); print(s.string_to_sign); print(s.signature)
  print(s.authorization or "-"); print(s.url or "-")
  for _, h in ipairs(s.headers) do print(h[1] .. ": " .. h[2]) end
  print("--")
end
'''

MOTO_LUA = r'''
local aws = require "aws"
local url, ids = arg[1], {}
for id in arg[2]:gmatch("[^,]+") do ids[#ids + 1] = id end
local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1" })
local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = ids[1] })
print("call", r and r.UserName, err and tostring(err))
local users = {}
for u in iam:paginate("ListUsers", { MaxItems = 2 }, "Users") do users[#users + 1] = u.UserName end
table.sort(users)
print("paginate", table.concat(users, " "))
local results, errors = aws.parallel(ids, function(id)
  local r2 = assert(iam:call("GetAccessKeyLastUsed", { AccessKeyId = id }))
  return r2.UserName
end, { concurrency = 4 })
print("parallel", table.concat(results, " "), next(errors) == nil)
local bad = aws.client("iam", { endpoint_url = url, region = "us-east-1", profile = "bad" })
local r3, e3 = bad:call("GetAccessKeyLastUsed", { AccessKeyId = ids[1] })
print("wrong secret", r3, e3 and e3.code, e3 and e3.status)
'''


def test_module(rep, ws, moto):
    so_env = {"LUA_CPATH": os.path.join(ROOT, "?.so"), "LUA_PATH": ""}
    sign = ws.write("sign.lua", SIGN_LUA)
    a = H.run(["lua5.4", sign], H.scrubbed_env(ws, so_env), cwd="/")
    b = H.run([H.iamlua_bin(), "run", sign], H.scrubbed_env(ws), cwd="/")
    rep.check("aws.sign in lua5.4 (aws.so) gives the same bytes as in `iamlua run`",
              [] if a.rc == 0 and b.rc == 0 and a.out == b.out and a.out.count(b"--\n") == 3
              else [a.rc, b.rc, H.first_diff(a.out + a.err, b.out + b.err)])
    if moto:
        srv, admin, ids = moto
        script = ws.write("moto.lua", MOTO_LUA)
        over = {"AWS_SHARED_CREDENTIALS_FILE": "{ws}/moto-credentials"}
        ws.write("moto-credentials", "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                 "[bad]\naws_access_key_id = %s\naws_secret_access_key = wrong\n"
                 % (admin[0], admin[1], admin[0]))
        a = H.run(["lua5.4", script, srv.url, ",".join(ids)],
                  H.scrubbed_env(ws, dict(over, **so_env), ["--endpoint-url", srv.url]), cwd="/")
        b = H.run([H.iamlua_bin(), "run", script, srv.url, ",".join(ids)],
                  H.scrubbed_env(ws, over, ["--endpoint-url", srv.url]), cwd="/")
        want = ("call\tp0\tnil\nparallel\t%s\ttrue\nwrong secret\tnil\tSignatureDoesNotMatch\t403\n"
                % " ".join("p%d" % i for i in range(len(ids))))
        got = a.out.decode(errors="replace")
        got_wo_pag = "\n".join(l for l in got.split("\n") if not l.startswith("paginate"))
        problems = []
        if a.rc != 0 or got_wo_pag != want:
            problems.append("lua5.4: rc=%s %s %s" % (a.rc, H.show(a.out), H.show(a.err)))
        if "paginate\tadmin " not in got:
            problems.append("paginate: " + H.show(a.out))
        if a.out != b.out:
            problems.append("differs from iamlua run: " + H.first_diff(a.out, b.out))
        rep.check("lua5.4 + aws.so against moto: call, paginate, aws.parallel, wrong secret "
                  "(same output as iamlua run)", problems)
    # The same lookup: user directories first for the extension points
    # (output/, commands/, policies/), then the embedded scripts; the
    # host's own modules (aws/time.lua here) never come from a user
    # directory; the interpreter keeps its own path.
    ws.write("mods/aws/time.lua", "return { parse = function() return 42 end, user = true }\n")
    ws.write("mods/output/mine.lua", "return 'user format'\n")
    code = ('local aws = require "aws"; print(aws.time.user, aws.time.parse("1970-01-01T00:00:42Z"), '
            'require "output.mine", type(require "output.json"), package.path ~= "", '
            '#package.searchers)')
    r = H.run(["lua5.4", "-e", code], H.scrubbed_env(ws, dict(so_env, IAMLUA_PATH="{ws}/mods",
                                                              LUA_PATH=None)), cwd="/")
    rep.check("aws.so: user extensions first, then embedded scripts, host modules never from a "
              "user directory, interpreter path kept",
              [] if r.out == b"nil\t42\tuser format\ttable\ttrue\t6\n" else [H.show(r.out + r.err)])


def test_luarocks(rep, ws):
    if not ensure_pkg("luarocks", "luarocks"):
        rep.skip("luarocks make into a local tree", "luarocks cannot be installed")
        return
    spec = sorted(f for f in os.listdir(os.path.join(ROOT, "rockspecs")) if f.endswith(".rockspec"))[-1]
    t = ws.path("rocks")
    env = dict(os.environ, HOME=ws.home)
    env.pop("MAKEFLAGS", None)
    r = sh(["luarocks", "--lua-version", "5.4", "make", "--tree", t, "rockspecs/" + spec], env=env,
           timeout=600)
    if r.rc != 0:
        rep.fail("luarocks make --tree (make backend)", H.show(r.out[-800:] + r.err[-800:], 1600))
        return
    m = H.run(["lua5.4", "-e", 'print(type(require("aws").parallel))'],
              H.scrubbed_env(ws, {"LUA_CPATH": t + "/lib/lua/5.4/?.so"}), cwd="/")
    v = H.run([t + "/bin/iamlua", "--version"], H.scrubbed_env(ws), cwd="/")
    rep.check("luarocks make --tree: aws.so in the tree loads, iamlua in its bin runs",
              [] if m.out == b"function\n" and v.out.startswith(b"iamlua/") else
              [H.show(m.out + m.err + v.out + v.err)])


def test_version(rep, ws):
    v = H.run([H.iamlua_bin(), "--version"], H.scrubbed_env(ws))
    line = v.out.decode(errors="replace")
    mv = make("print-version").out.decode().strip()
    pat = (r"^iamlua/(\S+) Lua/5\.4\.\d+ libcurl/\d+\.\d+\.\d+\S* OpenSSL/\d+\.\d+\.\d+\S* "
           r"libxml2/\d+\.\d+\.\d+\S*\n$")
    m = re.match(pat, line)
    rep.check("--version: iamlua/VERSION Lua/5.4.x libcurl/... OpenSSL/... libxml2/...",
              [] if v.rc == 0 and m else [H.show(v.out + v.err)])
    rep.check("--version reports the version make computes (%s)" % mv,
              [] if m and m.group(1) == mv else [line.strip(), mv])

    # tools/version.sh in a scratch repository: no tag, tag, after a tag, dirty.
    repo = ws.path("vrepo")
    os.makedirs(repo + "/tools")
    shutil.copy(os.path.join(ROOT, "tools", "version.sh"), repo + "/tools/version.sh")
    genv = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                GIT_COMMITTER_EMAIL="t@t", HOME=ws.home)

    def git(*a):
        return sh(["git", "-C", repo] + list(a), env=genv).out.decode().strip()

    def ver():
        return sh(["sh", repo + "/tools/version.sh"], env=genv).out.decode().strip()

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    h = git("rev-parse", "--short", "HEAD")
    steps = [("no tag", ver(), "0.1.0+g" + h)]
    git("tag", "v0.2.0")
    steps.append(("on tag v0.2.0", ver(), "0.2.0"))
    with open(repo + "/f", "w") as f:
        f.write("x")
    git("add", "f")
    git("commit", "-qm", "two")
    h2 = git("rev-parse", "--short", "HEAD")
    steps.append(("one commit after the tag", ver(), "0.2.0+1.g" + h2))
    with open(repo + "/f", "w") as f:
        f.write("y")
    steps.append(("uncommitted change", ver(), "0.2.0+1.g%s.dirty" % h2))
    with open(repo + "/VERSION", "w") as f:
        f.write("9.9.9\n")
    steps.append(("a VERSION file wins", ver(), "9.9.9"))
    rep.check("tools/version.sh scheme", ["%s: got %s want %s" % s for s in steps if s[1] != s[2]])

    # make dist carries VERSION; the tree it unpacks to reports it without git.
    r = make("dist")
    tgz = os.path.join(ROOT, "build", "iamlua-%s.tar.gz" % mv)
    if r.rc != 0 or not os.path.exists(tgz):
        rep.fail("make dist", H.show(r.out + r.err))
        return
    with tarfile.open(tgz) as tf:
        names = tf.getnames()
        vf = tf.extractfile("iamlua-%s/VERSION" % mv).read().decode().strip()
        tf.extractall(ws.path("dist"))
    pv = sh(["make", "--no-print-directory", "-s", "-C", ws.path("dist/iamlua-" + mv), "print-version"],
            env=dict(os.environ, GIT_DIR="/nonexistent"))
    rep.check("make dist: tarball with VERSION, Makefile, debian/, rockspec; builds report it",
              [] if vf == mv and pv.out.decode().strip() == mv
              and "iamlua-%s/Makefile" % mv in names and "iamlua-%s/debian/rules" % mv in names
              and "iamlua-%s/mk/install.mk" % mv in names
              else [vf, pv.out, pv.err, len(names)])
    os.unlink(tgz)


def start_moto(ws):
    try:
        from moto import MotoServer
        import boto3
    except ImportError:
        return None
    srv = MotoServer.start()
    iam = boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1",
                       aws_access_key_id="boot", aws_secret_access_key="boot")
    iam.create_user(UserName="admin")
    arn = iam.create_policy(PolicyName="all", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="admin", PolicyArn=arn)
    a = iam.create_access_key(UserName="admin")["AccessKey"]
    ids = []
    for i in range(6):
        iam.create_user(UserName="p%d" % i)
        ids.append(iam.create_access_key(UserName="p%d" % i)["AccessKey"]["AccessKeyId"])
    srv.enforce_auth()
    return srv, (a["AccessKeyId"], a["SecretAccessKey"]), ids


def main():
    rep = H.Reporter()
    ws = H.Workspace(prefix="iamlua-install.")
    moto = None
    try:
        if not test_build(rep):
            return rep.finish()
        write_user_dirs(ws)
        try:
            moto = start_moto(ws)
        except Exception as e:  # reported, the rest still runs
            rep.fail("moto_server for the install cases", str(e))
        test_install(rep, ws, moto)
        test_man(rep, ws)
        test_bash(rep, ws)
        test_zsh(rep, ws)
        test_module(rep, ws, moto)
        test_version(rep, ws)
        test_luarocks(rep, ws)
    finally:
        if moto:
            moto[0].stop()
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
