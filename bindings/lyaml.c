/* lyaml.c - aws.yaml.decode on libyaml's event parser.
 *
 * Plain scalars resolve as YAML 1.2's core schema does (ruamel.yaml's safe
 * loader, which the AWS CLI uses for --cli-input-yaml): null, booleans,
 * integers, floats, else strings; quoted scalars are always strings, and
 * `!!binary` scalars bytes (a table with the "aws.bytes" metatable, the
 * bytes at [1]), as Python's loader gives bytes.
 *
 * An alias yields the anchored value itself, shared as the Python loader
 * shares the node. Each alias counts the nodes its value would expand to,
 * and a document whose aliases expand past MAX_ALIAS_NODES is refused, so
 * a billion-laughs document fails at once instead of later, in whatever
 * walks it. Nesting is capped.
 *
 * libyaml is opened by the first decode (core/dynlib.c), not linked:
 * only YAML input needs it, and every library linked is mapped and
 * relocated at each start (tests/bench/PROFILE.md).
 */
#include <lauxlib.h>
#include <lua.h>
#include <yaml.h>

#include "lvalue.h"
#include "lyaml.h"

#include "dynlib.h"

#include <stdlib.h>
#include <string.h>

/* The libyaml functions used here, from dlopen. */
static struct {
    int (*parser_initialize)(yaml_parser_t *);
    void (*parser_delete)(yaml_parser_t *);
    void (*parser_set_input_string)(yaml_parser_t *, const unsigned char *,
                                    size_t);
    int (*parser_parse)(yaml_parser_t *, yaml_event_t *);
    void (*event_delete)(yaml_event_t *);
} Y;

/* Opens libyaml once; NULL on success, else why not. */
static const char *load_libyaml(void)
{
    static void *h;
    static const struct dynlib_fn fns[] = {
        {"yaml_parser_initialize", (void **)&Y.parser_initialize},
        {"yaml_parser_delete", (void **)&Y.parser_delete},
        {"yaml_parser_set_input_string", (void **)&Y.parser_set_input_string},
        {"yaml_parser_parse", (void **)&Y.parser_parse},
        {"yaml_event_delete", (void **)&Y.event_delete},
    };
    return dynlib_open(&h, "libyaml-0.so.2", fns, sizeof(fns) / sizeof(fns[0]));
}

#define MAX_DEPTH 200
#define MAX_ALIAS_NODES 100000

/* Stack slots of lyaml_decode: the box, then anchor name -> value and
 * anchor name -> the number of nodes the value expands to. */
#define ANCHORS 3
#define SIZES 4

#define BINARY_TAG "tag:yaml.org,2002:binary"

struct ydec {
    yaml_parser_t parser;
    yaml_event_t ev;
    int have_ev;
    int live; /* parser initialised and not yet deleted */
    size_t nodes;    /* nodes so far, aliases counted expanded */
    size_t expanded; /* of which came from aliases */
    char err[256];
};

static int next_event(struct ydec *d)
{
    if(d->have_ev) {
        Y.event_delete(&d->ev);
        d->have_ev = 0;
    }
    if(!Y.parser_parse(&d->parser, &d->ev)) {
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

static int b64_value(unsigned char c)
{
    if(c >= 'A' && c <= 'Z')
        return c - 'A';
    if(c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if(c >= '0' && c <= '9')
        return c - '0' + 52;
    if(c == '+')
        return 62;
    if(c == '/')
        return 63;
    return -1;
}

/* [-0, +1, m] A !!binary scalar as bytes: base64 decoded as Python's
 * base64.decodebytes does (other characters skipped, input ends at a
 * complete padding); 0 with d->err set on bad padding or non-ASCII. */
static int push_binary(lua_State *L, struct ydec *d, const char *s, size_t n)
{
    luaL_Buffer b;
    size_t i;
    int quad = 0, pads = 0, left = 0;
    luaL_buffinit(L, &b);
    for(i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int v = b64_value(c);
        if(c >= 0x80) {
            snprintf(d->err, sizeof(d->err),
                     "failed to convert base64 data into ascii");
            luaL_pushresult(&b);
            return 0;
        }
        if(c == '=') {
            if(quad >= 2 && quad + ++pads >= 4)
                break;
            continue;
        }
        if(v < 0)
            continue;
        pads = 0;
        if(quad == 1)
            luaL_addchar(&b, (char)((left << 2) | (v >> 4)));
        else if(quad == 2)
            luaL_addchar(&b, (char)(((left & 0x0f) << 4) | (v >> 2)));
        else if(quad == 3)
            luaL_addchar(&b, (char)(((left & 0x03) << 6) | v));
        left = v;
        quad = (quad + 1) & 3;
    }
    luaL_pushresult(&b);
    if(quad != 0 && i == n) {
        snprintf(d->err, sizeof(d->err), "failed to decode base64 data");
        return 0;
    }
    lua_createtable(L, 1, 0);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    if(luaL_newmetatable(L, "aws.bytes")) {
        lua_pushliteral(L, "bytes");
        lua_setfield(L, -2, "__jsontype");
    }
    lua_setmetatable(L, -2);
    return 1;
}

/* [-0, +1, m] The value of an alias: the anchored value itself. */
static int push_alias(lua_State *L, struct ydec *d)
{
    const char *name = (const char *)d->ev.data.alias.anchor;
    lua_Integer size;
    lua_getfield(L, SIZES, name);
    size = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if(size <= 0) { /* unknown, or its node is still open (a cycle) */
        snprintf(d->err, sizeof(d->err), "found undefined alias %.64s", name);
        return 0;
    }
    if((size_t)size > MAX_ALIAS_NODES - d->expanded) {
        snprintf(d->err, sizeof(d->err),
                 "aliases expand to more than %d nodes", MAX_ALIAS_NODES);
        return 0;
    }
    d->expanded += (size_t)size;
    d->nodes += (size_t)size;
    lua_getfield(L, ANCHORS, name);
    return 1;
}

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

/* A plain `<<` key: YAML's merge key, which the CLI's loader honours. */
static int is_merge_key(const yaml_event_t *ev)
{
    return ev->type == YAML_SCALAR_EVENT &&
           ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           !ev->data.scalar.tag && ev->data.scalar.length == 2 &&
           memcmp(ev->data.scalar.value, "<<", 2) == 0;
}

/* Whether the value at idx has the metatable `which`. */
static int has_mt(lua_State *L, int idx, enum lvalue_which which)
{
    int yes;
    if(!lua_getmetatable(L, idx))
        return 0;
    lvalue_push(L, which);
    yes = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return yes;
}

/* A merge key's value (at -1) is a mapping or a list of mappings. */
static int check_merge(lua_State *L, struct ydec *d)
{
    lua_Integer i, n;
    int ok = has_mt(L, -1, LVALUE_OBJECT_MT);
    if(!ok && has_mt(L, -1, LVALUE_ARRAY_MT)) {
        ok = 1;
        n = (lua_Integer)lua_rawlen(L, -1);
        for(i = 1; ok && i <= n; i++) {
            lua_rawgeti(L, -1, i);
            ok = has_mt(L, -1, LVALUE_OBJECT_MT);
            lua_pop(L, 1);
        }
    }
    if(!ok)
        snprintf(d->err, sizeof(d->err),
                 "expected a mapping or list of mappings for merging");
    return ok;
}

/* [-0, +0, m] Sets each key of the object at src into the one at dst, in
 * src's order (a key dst has keeps its place and takes the new value). */
static void merge_into(lua_State *L, int dst, int src)
{
    lua_Integer i, n = (lua_Integer)lua_rawlen(L, src);
    for(i = 1; i <= n; i++) {
        lua_rawgeti(L, src, i);
        lua_pushvalue(L, -1);
        lua_rawget(L, src);
        if(lua_isnil(L, -1))
            lua_pop(L, 2);
        else
            lvalue_objset(L, dst);
    }
}

/* [-1, +1, m] Replaces the object at obj with one holding the merged
 * mappings (at merge: one, or a list whose earlier entries win) and then
 * obj's own keys, as ruamel.yaml's flatten_mapping orders them. */
static void apply_merge(lua_State *L, int obj, int merge)
{
    int res;
    lua_newtable(L);
    res = lua_gettop(L);
    if(has_mt(L, merge, LVALUE_OBJECT_MT)) {
        merge_into(L, res, merge);
    } else {
        lua_Integer i;
        for(i = (lua_Integer)lua_rawlen(L, merge); i >= 1; i--) {
            lua_rawgeti(L, merge, i);
            merge_into(L, res, lua_gettop(L));
            lua_pop(L, 1);
        }
    }
    merge_into(L, res, obj);
    lua_replace(L, obj);
    lua_settop(L, obj);
}

/* [-0, +1, m] A mapping. Keys become strings, as JSON-shaped input needs.
 * Without a merge key a repeated key is an error, as in the CLI's loader;
 * with one, later keys win. */
static int push_mapping(lua_State *L, struct ydec *d, int depth)
{
    int obj, merge = 0, dup = 0, is_merge;
    luaL_checkstack(L, 8, "YAML nested too deeply");
    lua_newtable(L);
    obj = lua_gettop(L);
    for(;;) {
        if(!next_event(d))
            return 0;
        if(d->ev.type == YAML_MAPPING_END_EVENT)
            break;
        is_merge = is_merge_key(&d->ev);
        if(!push_node(L, d, depth + 1))
            return 0;
        if(lua_type(L, -1) != LUA_TSTRING) {
            lua_pushstring(L, luaL_tolstring(L, -1, NULL));
            lua_remove(L, -2);
            lua_remove(L, -2);
        }
        if(!next_event(d) || !push_node(L, d, depth + 1))
            return 0;
        if(is_merge) {
            if(merge) {
                snprintf(d->err, sizeof(d->err), "found duplicate merge key");
                return 0;
            }
            if(!check_merge(L, d))
                return 0;
            lua_remove(L, -2); /* the value stays, above obj */
            merge = lua_gettop(L);
            continue;
        }
        lua_pushvalue(L, -2);
        if(lua_rawget(L, obj) != LUA_TNIL)
            dup = 1;
        lua_pop(L, 1);
        lvalue_objset(L, obj);
    }
    if(merge) {
        apply_merge(L, obj, merge);
    } else if(dup) {
        snprintf(d->err, sizeof(d->err), "found duplicate key");
        return 0;
    }
    lvalue_push(L, LVALUE_OBJECT_MT);
    lua_setmetatable(L, -2);
    return 1;
}

/* [-0, +1, m] The value of the node starting at the current event. */
static int push_value(lua_State *L, struct ydec *d, int depth)
{
    switch(d->ev.type) {
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)d->ev.data.scalar.value;
        const char *tag = (const char *)d->ev.data.scalar.tag;
        size_t n = d->ev.data.scalar.length;
        if(d->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag)
            push_plain(L, v, n);
        else if(tag && strcmp(tag, BINARY_TAG) == 0)
            return push_binary(L, d, v, n);
        else
            lua_pushlstring(L, v, n);
        return 1;
    }
    case YAML_SEQUENCE_START_EVENT:
        return push_sequence(L, d, depth);
    case YAML_MAPPING_START_EVENT:
        return push_mapping(L, d, depth);
    default:
        snprintf(d->err, sizeof(d->err), "unexpected YAML event");
        return 0;
    }
}

/* The anchor the current event defines, or NULL. */
static const char *event_anchor(const yaml_event_t *ev)
{
    switch(ev->type) {
    case YAML_SCALAR_EVENT:
        return (const char *)ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return (const char *)ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT:
        return (const char *)ev->data.mapping_start.anchor;
    default:
        return NULL;
    }
}

/* [-0, +1, m] The node starting at the current event. An anchored node is
 * recorded with its expanded size once complete; until then an alias to
 * its name (re-defined or not yet defined) is refused. */
static int push_node(lua_State *L, struct ydec *d, int depth)
{
    const char *anchor;
    size_t start = d->nodes;
    int name;
    if(depth > MAX_DEPTH) {
        snprintf(d->err, sizeof(d->err), "document nested too deeply");
        return 0;
    }
    luaL_checkstack(L, 6, "YAML nested too deeply");
    if(d->ev.type == YAML_ALIAS_EVENT)
        return push_alias(L, d);
    d->nodes++;
    anchor = event_anchor(&d->ev);
    if(!anchor)
        return push_value(L, d, depth);
    lua_pushstring(L, anchor); /* the event is gone once children are read */
    name = lua_gettop(L);
    lua_pushvalue(L, name);
    lua_pushinteger(L, 0);
    lua_rawset(L, SIZES);
    if(!push_value(L, d, depth))
        return 0;
    lua_pushvalue(L, name);
    lua_pushvalue(L, -2);
    lua_rawset(L, ANCHORS);
    lua_pushvalue(L, name);
    lua_pushinteger(L, (lua_Integer)(d->nodes - start));
    lua_rawset(L, SIZES);
    lua_remove(L, name);
    return 1;
}

static void ydec_free(struct ydec *d)
{
    if(d->have_ev)
        Y.event_delete(&d->ev);
    d->have_ev = 0;
    if(d->live)
        Y.parser_delete(&d->parser);
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
    const char *why = load_libyaml();
    struct ydec *d;
    int ok = 0;
    if(why)
        return luaL_error(L, "YAML needs libyaml: %s", why);
    lua_settop(L, 1);
    lvalue_init(L);
    d = lua_newuserdatauv(L, sizeof(*d), 0); /* box at 2: frees on raise */
    memset(d, 0, sizeof(*d));
    if(luaL_newmetatable(L, "aws.yamlbox")) {
        lua_pushcfunction(L, ydec_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_newtable(L); /* ANCHORS */
    lua_newtable(L); /* SIZES */
    if(!Y.parser_initialize(&d->parser))
        return luaL_error(L, "not enough memory");
    d->live = 1;
    Y.parser_set_input_string(&d->parser, (const unsigned char *)s, len);
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
        lua_settop(L, SIZES);
        luaL_pushfail(L);
        lua_pushstring(L, d->err);
        ydec_free(d);
        return 2;
    }
    return 1;
}
