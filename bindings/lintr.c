/* lintr.c - Ctrl-C in Lua code that must not be swallowed (lintr.h).
 *
 * The replacements are C functions, so tracebacks read as with Lua's own
 * (one "[C]: in function 'pcall'" line) and yields pass through them as
 * through lbaselib's: each protected call has a continuation.
 */
#include <lauxlib.h>
#include <lua.h>

#include "lintr.h"

static const char intr_key = 0; /* registry: the interrupt value */

static int intr_tostring(lua_State *L)
{
    lua_pushliteral(L, "interrupted!");
    return 1;
}

/* Writes to the shared value are dropped: a handler that annotates every
 * error it sees (e.traceback = ...) must not leave marks on it. */
static int intr_newindex(lua_State *L)
{
    (void)L;
    return 0;
}

void lintr_push(lua_State *L)
{
    if(lua_rawgetp(L, LUA_REGISTRYINDEX, &intr_key) != LUA_TNIL)
        return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushliteral(L, "KeyboardInterrupt");
    lua_setfield(L, -2, "code");
    lua_pushliteral(L, "interrupt");
    lua_setfield(L, -2, "kind");
    lua_pushliteral(L, "interrupted");
    lua_setfield(L, -2, "message");
    lua_createtable(L, 0, 3);
    lua_pushliteral(L, "aws.interrupt");
    lua_setfield(L, -2, "__name");
    lua_pushcfunction(L, intr_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, intr_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &intr_key);
}

int lintr_is(lua_State *L, int idx)
{
    int is;
    idx = lua_absindex(L, idx);
    if(lua_type(L, idx) != LUA_TTABLE)
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &intr_key);
    is = lua_rawequal(L, idx, -1);
    lua_pop(L, 1);
    return is;
}

/* Where pcall and xpcall end, at once or after yields: `base` values
 * below the call (the `true` placed first, xpcall's handler) are not
 * results. A caught interrupt is raised again. */
static int finish_pcall(lua_State *L, int status, lua_KContext base)
{
    if(status != LUA_OK && status != LUA_YIELD) {
        if(lintr_is(L, -1))
            return lua_error(L);
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2; /* false, error */
    }
    return lua_gettop(L) - (int)base; /* true, results */
}

/* pcall(f, ...) -> true, ... | false, err; raises the interrupt again. */
static int intr_pcall(lua_State *L)
{
    int status;
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1); /* the first result when f succeeds */
    lua_insert(L, 1);      /* true, f, args */
    status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0,
                        finish_pcall);
    return finish_pcall(L, status, 0);
}

/* xpcall's handler: the script's handler (upvalue 1) sees every error
 * but the interrupt, which passes unchanged so that it can be known. */
static int intr_msgh(lua_State *L)
{
    if(lintr_is(L, 1))
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* xpcall(f, msgh, ...) -> true, ... | false, msgh(err) */
static int intr_xpcall(lua_State *L)
{
    int status, n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, intr_msgh, 1);
    lua_replace(L, 2);     /* f, handler, args */
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);   /* f, handler, true, f, args */
    status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

/* coroutine.resume needs no replacement: the hook is set on the main
 * thread only and fires at its next instruction, so the interrupt is
 * raised there, never inside a coroutine (a thread inherits hooks only
 * when it is created, and none is created before that instruction). */
void lintr_install(lua_State *L)
{
    lua_pushcfunction(L, intr_pcall);
    lua_setglobal(L, "pcall");
    lua_pushcfunction(L, intr_xpcall);
    lua_setglobal(L, "xpcall");
}
