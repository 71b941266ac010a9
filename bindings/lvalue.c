/* lvalue.c - the data model's sentinel and metatables, for C callers. */
#include <lauxlib.h>
#include <lua.h>

#include "lvalue.h"

static const char keys[3] = {0, 0, 0};

void lvalue_init(lua_State *L)
{
    static const char *const fields[3] = {"null", "array_mt", "object_mt"};
    int i;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &keys[0]);
    if(!lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "aws.value");
    lua_call(L, 1, 1); /* value module */
    for(i = 0; i < 3; i++) {
        lua_getfield(L, -1, fields[i]);
        if(lua_isnil(L, -1))
            luaL_error(L, "aws.value lacks '%s'", fields[i]);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &keys[i]);
    }
    lua_pop(L, 1); /* the module */
}

void lvalue_push(lua_State *L, enum lvalue_which which)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &keys[which]);
}

void lvalue_objset(lua_State *L, int idx)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    lua_pushvalue(L, -2);
    lua_rawget(L, idx);
    if(lua_isnil(L, -1)) { /* new key: record its place in the order */
        lua_pushvalue(L, -3);
        lua_rawseti(L, idx, n + 1);
    }
    lua_pop(L, 1);
    lua_rawset(L, idx);
}
