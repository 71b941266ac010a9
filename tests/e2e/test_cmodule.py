#!/usr/bin/env python3
"""test_cmodule.py: Lua C modules load into iamlua.

iamlua links Lua statically (Makefile, STATIC=1) and exports the Lua C API
from the executable (mk/lua.dynlist), so a module built for lua5.4 binds to
the interpreter running it. Cases:

- a module compiled here with Debian's lua5.4 headers (cc -shared, no
  -llua), which calls lua_*/luaL_* functions back, loaded by
  package.loadlib: its functions run and return;
- Debian's lua-cjson, when installed, loaded the same way: encode and
  decode (skipped when the package is missing)."""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness as H  # noqa: E402

MODULE_C = r'''
#include <lua.h>
#include <lauxlib.h>

/* twice(n) -> 2n, and a table {n = n} built through the C API */
static int twice(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    lua_pushinteger(L, 2 * n);
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, n);
    lua_setfield(L, -2, "n");
    return 2;
}

int luaopen_probe(lua_State *L)
{
    static const luaL_Reg f[] = {{"twice", twice}, {NULL, NULL}};
    luaL_newlib(L, f);
    lua_pushstring(L, LUA_RELEASE);
    lua_setfield(L, -2, "release");
    return 1;
}
'''

PROBE_LUA = r'''
local open = assert(package.loadlib(arg[1], "luaopen_probe"))
local m = open()
local two, t = m.twice(21)
print(two, t.n, m.release:sub(1, #_VERSION) == _VERSION or m.release)
'''

CJSON_LUA = r'''
local open = assert(package.loadlib(arg[1], "luaopen_cjson"))
local cjson = open()
local t = cjson.decode('{"a": [1, 2, 3], "b": "x"}')
print(#t.a, t.b, cjson.encode({ k = "v" }))
'''

CJSON = "/usr/lib/x86_64-linux-gnu/lua/5.4/cjson.so"


def main():
    rep = H.Reporter()
    ws = H.Workspace()
    try:
        env = H.scrubbed_env(ws)
        src = ws.write("probe.c", MODULE_C)
        so = ws.path("probe.so")
        cflags = subprocess.run(["pkg-config", "--cflags", "lua5.4"], capture_output=True,
                                text=True).stdout.split()
        cc = subprocess.run(["cc", "-shared", "-fPIC", "-o", so, src] + cflags,
                            capture_output=True, text=True, timeout=120)
        if cc.returncode != 0:
            rep.fail("compile a lua5.4 C module", cc.stderr[-300:])
        else:
            res = H.run([H.iamlua_bin(), "run", ws.write("probe.lua", PROBE_LUA), so], env)
            rep.check("a C module built for lua5.4 (no -llua) binds to iamlua's Lua API",
                      [] if res.rc == 0 and res.out.split() == [b"42", b"21", b"true"]
                      else ["rc %r, out %s, err %s" % (res.rc, H.show(res.out), H.show(res.err))])
        if not os.path.exists(CJSON):
            rep.skip("Debian's lua-cjson loads", "lua-cjson is not installed")
        else:
            res = H.run([H.iamlua_bin(), "run", ws.write("cjson.lua", CJSON_LUA), CJSON], env)
            rep.check("Debian's lua-cjson loads and works",
                      [] if res.rc == 0 and res.out.split() == [b"3", b"x", b'{"k":"v"}']
                      else ["rc %r, out %s, err %s" % (res.rc, H.show(res.out), H.show(res.err))])
    finally:
        ws.cleanup()
    return rep.finish()


if __name__ == "__main__":
    if not shutil.which("cc"):
        print("ok - C modules # SKIP no C compiler\n1 passed, 0 failed, 1 skipped")
        sys.exit(0)
    sys.exit(main())
