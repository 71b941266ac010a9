/* luaopen_aws.c - `require "aws"` from a stock lua5.4, through aws.so.
 *
 * aws.so holds the same core, bindings and embedded scripts as the iamlua
 * binary. Opening it does what main.c's pmain does before the driver runs:
 * the script searchers and aws.core in package.preload; then it runs the
 * embedded `aws` script (never a user file) and returns its table. So the
 * API, aws.parallel included, is the one scripts get inside iamlua.
 *
 * The interpreter keeps its own package.path, package.cpath and searchers:
 * a library must not take them away. lembed's user searcher (extension
 * points only: output.*, commands.*, policies.*) and embedded searcher go
 * right after preload, so user extensions and shipped scripts win over
 * the system's path, as they do in the host.
 */
#include <lauxlib.h>
#include <lua.h>

#include "laws.h"
#include "lembed.h"

LUAMOD_API int luaopen_aws(lua_State *L);

/* [-0, +0, e] Moves searcher `from` of the table at index `src` into the
 * table at index `dst` at position `to`, shifting the rest up. */
static void insert_searcher(lua_State *L, int dst, int to, int src, int from)
{
    lua_Integer i = (lua_Integer)luaL_len(L, dst);
    for(; i >= to; i--) {
        lua_rawgeti(L, dst, i);
        lua_rawseti(L, dst, i + 1);
    }
    lua_rawgeti(L, src, from);
    lua_rawseti(L, dst, to);
}

/* [-0, +0, e] Adds lembed's searchers to the interpreter's own list.
 * lembed_install gives the host { preload, user, embedded, path, cpath,
 * all-in-one }; borrow its user and embedded searchers, then put the
 * interpreter's list, path and cpath back. */
static void add_searchers(lua_State *L)
{
    int pkg;
    lua_getglobal(L, "package");
    pkg = lua_gettop(L);
    lua_getfield(L, pkg, "searchers"); /* own list at pkg+1 */
    lua_getfield(L, pkg, "path");
    lua_getfield(L, pkg, "cpath");
    lembed_install(L);
    lua_setfield(L, pkg, "cpath");
    lua_setfield(L, pkg, "path");
    lua_getfield(L, pkg, "searchers"); /* lembed's list at pkg+2 */
    insert_searcher(L, pkg + 1, 2, pkg + 2, 2); /* user directories */
    insert_searcher(L, pkg + 1, 3, pkg + 2, 3); /* embedded scripts */
    lua_pop(L, 1);
    lua_setfield(L, pkg, "searchers");
    lua_pop(L, 1);
}

LUAMOD_API int luaopen_aws(lua_State *L)
{
    add_searchers(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_aws_core);
    lua_setfield(L, -2, "aws.core");
    lua_pop(L, 1);
    lembed_load(L, "aws"); /* scripts/aws.lua: never a user file */
    lua_pushliteral(L, "aws");
    lua_call(L, 1, 1);
    return 1;
}
