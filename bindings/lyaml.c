/* lyaml.c - aws.yaml.decode on libyaml's event parser.
 *
 * Plain scalars resolve as YAML 1.2's core schema does (ruamel.yaml's safe
 * loader, which the AWS CLI uses for --cli-input-yaml): null, booleans,
 * integers, floats, else strings; quoted scalars are always strings.
 * Aliases are refused (no billion-laughs expansion) and nesting is capped.
 */
#include <lauxlib.h>
#include <lua.h>
#include <yaml.h>

#include "lvalue.h"
#include "lyaml.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 200

struct ydec {
    yaml_parser_t parser;
    yaml_event_t ev;
    int have_ev;
    int live; /* parser initialised and not yet deleted */
    char err[256];
};

static int next_event(struct ydec *d)
{
    if(d->have_ev) {
        yaml_event_delete(&d->ev);
        d->have_ev = 0;
    }
    if(!yaml_parser_parse(&d->parser, &d->ev)) {
        snprintf(d->err, sizeof(d->err), "%s at line %lu, column %lu",
                 d->parser.problem ? d->parser.problem : "parse error",
                 (unsigned long)d->parser.problem_mark.line + 1,
                 (unsigned long)d->parser.problem_mark.column + 1);
        return 0;
    }
    d->have_ev = 1;
    return 1;
}

static int match_any(const char *s, const char *const *list)
{
    for(; *list; list++)
        if(strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* [-0, +1, m] A plain scalar resolved by the core schema. */
static void push_plain(lua_State *L, const char *s, size_t n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    char *end;
    if(strlen(s) != n) { /* embedded NUL: only a string can hold it */
        lua_pushlstring(L, s, n);
        return;
    }
    if(match_any(s, nulls)) {
        lvalue_push(L, LVALUE_NULL);
        return;
    }
    if(match_any(s, trues) || match_any(s, falses)) {
        lua_pushboolean(L, match_any(s, trues));
        return;
    }
    if(n > 0 && strspn(s + (s[0] == '-' || s[0] == '+'), "0123456789") ==
                    n - (s[0] == '-' || s[0] == '+') &&
       n > (size_t)(s[0] == '-' || s[0] == '+')) {
        long long v = strtoll(s, &end, 10);
        if(*end == '\0') {
            lua_pushinteger(L, (lua_Integer)v);
            return;
        }
    }
    if(n > 2 && (strncmp(s, "0x", 2) == 0 || strncmp(s, "0o", 2) == 0)) {
        long long v = strtoll(s + 2, &end, s[1] == 'x' ? 16 : 8);
        if(*end == '\0') {
            lua_pushinteger(L, (lua_Integer)v);
            return;
        }
    }
    if(n > 0 && strspn(s, "0123456789+-.eE") == n && strpbrk(s, "0123456789")) {
        double v = strtod(s, &end);
        if(*end == '\0') {
            lua_pushnumber(L, v);
            return;
        }
    }
    lua_pushlstring(L, s, n);
}

static int push_node(lua_State *L, struct ydec *d, int depth);

static int push_sequence(lua_State *L, struct ydec *d, int depth)
{
    lua_Integer i = 0;
    lua_newtable(L);
    for(;;) {
        if(!next_event(d))
            return 0;
        if(d->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        if(!push_node(L, d, depth + 1))
            return 0;
        lua_rawseti(L, -2, ++i);
    }
    lvalue_push(L, LVALUE_ARRAY_MT);
    lua_setmetatable(L, -2);
    return 1;
}

static int push_mapping(lua_State *L, struct ydec *d, int depth)
{
    int obj;
    lua_newtable(L);
    obj = lua_gettop(L);
    for(;;) {
        if(!next_event(d))
            return 0;
        if(d->ev.type == YAML_MAPPING_END_EVENT)
            break;
        if(!push_node(L, d, depth + 1))
            return 0;
        if(lua_type(L, -1) != LUA_TSTRING) {
            /* keys become strings, as JSON-shaped input needs */
            lua_pushstring(L, luaL_tolstring(L, -1, NULL));
            lua_remove(L, -2);
            lua_remove(L, -2);
        }
        if(!next_event(d) || !push_node(L, d, depth + 1))
            return 0;
        lvalue_objset(L, obj);
    }
    lvalue_push(L, LVALUE_OBJECT_MT);
    lua_setmetatable(L, -2);
    return 1;
}

/* [-0, +1, m] The node starting at the current event. */
static int push_node(lua_State *L, struct ydec *d, int depth)
{
    if(depth > MAX_DEPTH) {
        snprintf(d->err, sizeof(d->err), "document nested too deeply");
        return 0;
    }
    luaL_checkstack(L, 4, "YAML nested too deeply");
    switch(d->ev.type) {
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)d->ev.data.scalar.value;
        size_t n = d->ev.data.scalar.length;
        if(d->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           !d->ev.data.scalar.tag)
            push_plain(L, v, n);
        else
            lua_pushlstring(L, v, n);
        return 1;
    }
    case YAML_SEQUENCE_START_EVENT:
        return push_sequence(L, d, depth);
    case YAML_MAPPING_START_EVENT:
        return push_mapping(L, d, depth);
    case YAML_ALIAS_EVENT:
        snprintf(d->err, sizeof(d->err), "aliases are not supported");
        return 0;
    default:
        snprintf(d->err, sizeof(d->err), "unexpected YAML event");
        return 0;
    }
}

static void ydec_free(struct ydec *d)
{
    if(d->have_ev)
        yaml_event_delete(&d->ev);
    d->have_ev = 0;
    if(d->live)
        yaml_parser_delete(&d->parser);
    d->live = 0;
}

static int ydec_gc(lua_State *L)
{
    ydec_free(lua_touserdata(L, 1));
    return 0;
}

int lyaml_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    struct ydec *d;
    int ok = 0;
    lvalue_init(L);
    d = lua_newuserdatauv(L, sizeof(*d), 0); /* box at 2: frees on raise */
    memset(d, 0, sizeof(*d));
    if(luaL_newmetatable(L, "aws.yamlbox")) {
        lua_pushcfunction(L, ydec_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    if(!yaml_parser_initialize(&d->parser))
        return luaL_error(L, "not enough memory");
    d->live = 1;
    yaml_parser_set_input_string(&d->parser, (const unsigned char *)s, len);
    /* stream start, document start (or stream end for empty input) */
    if(next_event(d) && next_event(d)) {
        if(d->ev.type == YAML_STREAM_END_EVENT) {
            lvalue_push(L, LVALUE_NULL);
            ok = 1;
        } else if(next_event(d)) {
            ok = push_node(L, d, 0);
        }
    }
    if(!ok) {
        lua_settop(L, 2);
        luaL_pushfail(L);
        lua_pushstring(L, d->err);
        ydec_free(d);
        return 2;
    }
    return 1;
}
