/* ljshape.c - JSON-protocol results by shape (see ljshape.h). Mirrors
 * botocore's BaseJSONParser: _handle_structure, _handle_list,
 * _handle_map, _handle_timestamp; every other type goes through
 * unchanged. */
#include "ljshape.h"

#include <jansson.h>
#include <lauxlib.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/jsonproto.h"
#include "ljson.h"
#include "lvalue.h"

/* Slots one level of conversion may use at once, with a margin. */
#define LEVEL_SLOTS 10

struct jconv {
    lua_State *L;
    int object_mt, array_mt; /* absolute indices */
    int wire;
};

static void push_value(struct jconv *c, json_t *v, int shape);

/* [-0, +1, m] shape[key] (raw); returns its Lua type. */
static int field(lua_State *L, int shape, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, shape);
}

/* [-0, +1, m] Pushes shape[key]; returns its absolute index if a table,
 * else 0 (the slot is pushed either way). */
static int subshape(lua_State *L, int shape, const char *key)
{
    if(shape && field(L, shape, key) == LUA_TTABLE)
        return lua_absindex(L, -1);
    if(!shape)
        lua_pushnil(L);
    return 0;
}

/* shape.type is name. */
static int is_type(lua_State *L, int shape, const char *name)
{
    int yes;
    if(!shape)
        return 0;
    yes = field(L, shape, "type") == LUA_TSTRING &&
          strcmp(lua_tostring(L, -1), name) == 0;
    lua_pop(L, 1);
    return yes;
}

static void set_mt(struct jconv *c, int mt)
{
    lua_pushvalue(c->L, mt);
    lua_setmetatable(c->L, -2);
}

/* One member: stores obj[name] when the JSON has a non-null value under
 * the member's location_name, else its name. */
static void push_member(struct jconv *c, json_t *v, int obj, int member)
{
    lua_State *L = c->L;
    int base = lua_gettop(L), mshape;
    const char *jname;
    json_t *raw;
    if(field(L, member, "name") != LUA_TSTRING) { /* base+1: name */
        lua_settop(L, base);
        return;
    }
    jname = lua_tostring(L, base + 1);
    if(field(L, member, "location_name") == LUA_TSTRING) /* base+2 */
        jname = lua_tostring(L, base + 2);
    raw = json_object_get(v, jname);
    if(raw && !json_is_null(raw)) {
        mshape = subshape(L, member, "shape"); /* base+3 */
        lua_pushvalue(L, base + 1);
        push_value(c, raw, mshape);
        lvalue_objset(L, obj);
    }
    lua_settop(L, base);
}

static void push_structure(struct jconv *c, json_t *v, int shape)
{
    lua_State *L = c->L;
    int members = subshape(L, shape, "members"), obj;
    lua_Integer i, count = members ? (lua_Integer)lua_rawlen(L, members) : 0;
    lua_createtable(L, (int)(count < 64 ? count : 64),
                    (int)(count < 64 ? count : 64));
    obj = lua_absindex(L, -1);
    for(i = 1; i <= count; i++) {
        if(lua_rawgeti(L, members, i) == LUA_TTABLE)
            push_member(c, v, obj, lua_absindex(L, -1));
        lua_pop(L, 1);
    }
    set_mt(c, c->object_mt);
    lua_remove(L, -2); /* members */
}

static void push_list(struct jconv *c, json_t *v, int shape)
{
    lua_State *L = c->L;
    int member = subshape(L, shape, "member");
    size_t i, n = json_array_size(v);
    lua_createtable(L, (int)(n < 1u << 16 ? n : 0), 0);
    for(i = 0; i < n; i++) {
        push_value(c, json_array_get(v, i), member);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    set_mt(c, c->array_mt);
    lua_remove(L, -2); /* member shape */
}

static void push_map(struct jconv *c, json_t *v, int shape)
{
    lua_State *L = c->L;
    int vshape = subshape(L, shape, "value"), obj;
    void *it;
    lua_newtable(L);
    obj = lua_absindex(L, -1);
    for(it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
        lua_pushlstring(L, json_object_iter_key(it),
                        json_object_iter_key_len(it));
        push_value(c, json_object_iter_value(it), vshape);
        lvalue_objset(L, obj);
    }
    set_mt(c, c->object_mt);
    lua_remove(L, -2); /* value shape */
}

/* Python's float(s) for the forms a service could send: decimal or
 * exponent notation with optional sign and surrounding whitespace (no
 * hex, which strtod would take and float() does not). */
static int py_float(const char *s, size_t n, double *out)
{
    char buf[64], *end;
    size_t i;
    if(n == 0 || n >= sizeof(buf) || memchr(s, '\0', n))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for(i = 0; i < n; i++)
        if(buf[i] == 'x' || buf[i] == 'X')
            return 0;
    errno = 0;
    *out = strtod(buf, &end);
    if(end == buf || errno == ERANGE)
        return 0;
    while(*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    return *end == '\0';
}

/* botocore's parse_timestamp: a number, or a string float() reads, is
 * epoch seconds; another string is parsed as a date. */
static void push_timestamp(struct jconv *c, json_t *v)
{
    char out[48];
    double d;
    size_t n = 0;
    if(c->wire) {
        ljson_push(c->L, v);
        return;
    }
    if(json_is_number(v))
        n = jsonproto_timestamp(json_number_value(v), out, sizeof(out));
    else if(json_is_string(v) &&
            py_float(json_string_value(v), json_string_length(v), &d))
        n = jsonproto_timestamp(d, out, sizeof(out));
    else if(json_is_string(v)) {
        lshape_push_timestamp_text(c->L, json_string_value(v),
                                   json_string_length(v));
        return;
    }
    if(n)
        lua_pushlstring(c->L, out, n);
    else
        ljson_push(c->L, v); /* out of datetime's range: as sent */
}

/* [-0, +1, m] shape: absolute index of the shape table, or 0. */
static void push_value(struct jconv *c, json_t *v, int shape)
{
    lua_State *L = c->L;
    luaL_checkstack(L, LEVEL_SLOTS, "JSON response nested too deeply");
    if(!shape || json_is_null(v))
        ljson_push(L, v);
    else if(json_is_object(v) && is_type(L, shape, "structure"))
        push_structure(c, v, shape);
    else if(json_is_object(v) && is_type(L, shape, "map"))
        push_map(c, v, shape);
    else if(json_is_array(v) && is_type(L, shape, "list"))
        push_list(c, v, shape);
    else if(is_type(L, shape, "timestamp"))
        push_timestamp(c, v);
    else
        ljson_push(L, v);
}

void ljshape_push(lua_State *L, json_t *v, int shape_idx,
                  const struct lshape_ctx *ctx)
{
    struct jconv c;
    c.L = L;
    if(shape_idx)
        shape_idx = lua_absindex(L, shape_idx);
    lvalue_push(L, LVALUE_OBJECT_MT);
    lvalue_push(L, LVALUE_ARRAY_MT);
    c.object_mt = lua_absindex(L, -2);
    c.array_mt = lua_absindex(L, -1);
    c.wire = ctx ? ctx->wire_timestamps : 0;
    if(shape_idx && lua_type(L, shape_idx) != LUA_TTABLE)
        shape_idx = 0;
    push_value(&c, v, shape_idx);
    lua_replace(L, c.object_mt);
    lua_pop(L, 1);
}

/* The decoded tree lives in a box whose __gc frees it, so a raise while
 * pushing (out of memory) leaks nothing. */
static int box_gc(lua_State *L)
{
    json_t **box = lua_touserdata(L, 1);
    json_decref(*box);
    *box = NULL;
    return 0;
}

/* core._json_decode(body, shape [, wire]) -> value | nil, message: a saved
 * JSON-protocol response body decoded as a 200 answer is (tests, offline
 * use, the fuzz target). */
int aws_json_shape_decode(lua_State *L)
{
    size_t len;
    const char *body = luaL_checklstring(L, 1, &len);
    struct jsonproto_resp r = {0};
    struct iam_err err = {0};
    struct lshape_ctx ctx = {0};
    json_t **box;
    if(!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 3);
    lvalue_init(L);
    box = lua_newuserdatauv(L, sizeof(*box), 0); /* at 4 */
    *box = NULL;
    if(luaL_newmetatable(L, "aws.jsonbox")) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    r.status = 200;
    r.body = body;
    r.len = len;
    if(jsonproto_response(&r, box, &err) != IAM_OK) {
        luaL_pushfail(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    ctx.wire_timestamps = lua_toboolean(L, 3);
    ljshape_push(L, *box, lua_isnil(L, 2) ? 0 : 2, &ctx);
    json_decref(*box);
    *box = NULL;
    return 1;
}
