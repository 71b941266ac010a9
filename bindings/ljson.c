/* ljson.c - aws.json.decode on jansson.
 *
 * JSON input (--cli-input-json, scripts' data) is parsed by a maintained
 * library; this file only translates jansson's tree into the shared data
 * model, keeping null (aws.null), arrays vs objects (even empty), object key
 * order, and integers vs reals (Lua integer vs float).
 */
#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>

#include "ljson.h"
#include "lvalue.h"

static void push_json(lua_State *L, json_t *v, int depth);

static void push_array(lua_State *L, json_t *v, int depth)
{
    size_t i, n = json_array_size(v);
    lua_createtable(L, (int)(n < 1u << 20 ? n : 0), 0);
    for(i = 0; i < n; i++) {
        push_json(L, json_array_get(v, i), depth + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lvalue_push(L, LVALUE_ARRAY_MT);
    lua_setmetatable(L, -2);
}

static void push_object(lua_State *L, json_t *v, int depth)
{
    void *it;
    int obj;
    lua_createtable(L, 0, 0);
    obj = lua_gettop(L);
    for(it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
        lua_pushlstring(L, json_object_iter_key(it),
                        json_object_iter_key_len(it));
        push_json(L, json_object_iter_value(it), depth + 1);
        lvalue_objset(L, obj);
    }
    lvalue_push(L, LVALUE_OBJECT_MT);
    lua_setmetatable(L, -2);
}

static void push_json(lua_State *L, json_t *v, int depth)
{
    luaL_checkstack(L, 4, "JSON nested too deeply");
    switch(json_typeof(v)) {
    case JSON_OBJECT:
        push_object(L, v, depth);
        break;
    case JSON_ARRAY:
        push_array(L, v, depth);
        break;
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(v));
        break;
    case JSON_REAL:
        lua_pushnumber(L, (lua_Number)json_real_value(v));
        break;
    case JSON_TRUE:
        lua_pushboolean(L, 1);
        break;
    case JSON_FALSE:
        lua_pushboolean(L, 0);
        break;
    default:
        lvalue_push(L, LVALUE_NULL);
    }
}

/* The jansson tree must be freed even if pushing raises (out of memory), so
 * it lives in a userdata box whose __gc frees it. */
static int box_gc(lua_State *L)
{
    json_t **box = lua_touserdata(L, 1);
    if(*box) {
        json_decref(*box);
        *box = NULL;
    }
    return 0;
}

/* aws.json.decode(s) -> value | nil, message */
int ljson_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    json_error_t jerr;
    json_t **box;
    lvalue_init(L);
    box = lua_newuserdatauv(L, sizeof(*box), 0);
    *box = NULL;
    if(luaL_newmetatable(L, "aws.jsonbox")) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    *box = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if(!*box) {
        luaL_pushfail(L);
        lua_pushfstring(L, "%s (line %d, column %d)", jerr.text, jerr.line,
                        jerr.column);
        return 2;
    }
    push_json(L, *box, 0);
    json_decref(*box);
    *box = NULL;
    return 1;
}
