/* lshape.c - element tree to Lua values, by shape or generically (see
 * lshape.h). Mirrors botocore's QueryParser: _handle_structure,
 * _handle_list, _handle_map and the scalar handlers of
 * BaseXMLResponseParser, with AWS CLI v2's iso8601 timestamp printing.
 */
#include "lshape.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "../core/xml.h"

/* Debug builds check that every conversion leaves exactly one value. */
#ifdef IAMLUA_DEBUG
#include <assert.h>
#define stack_assert(c) assert(c)
#else
#define stack_assert(c) ((void)0)
#endif

/* Slots one level of conversion may use at once, with a margin. */
#define LEVEL_SLOTS 12

struct conv {
    lua_State *L;
    int object_mt, array_mt; /* absolute indices, 0 for none */
    int wire;
};

enum shape_type {
    T_GENERIC,
    T_STRUCTURE,
    T_LIST,
    T_MAP,
    T_STRING,
    T_INTEGER,
    T_BOOLEAN,
    T_FLOAT,
    T_TIMESTAMP
};

static void push_node(struct conv *c, const struct xml_node *n, int shape);

/* ----- shape tables ----------------------------------------------------- */

/* [-0, +1, m] Pushes shape[key] (raw); returns its Lua type. */
static int field(lua_State *L, int shape, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, shape);
}

/* [-0, +0, m] shape[key] == true. */
static int flag(lua_State *L, int shape, const char *key)
{
    int on = field(L, shape, key) == LUA_TBOOLEAN && lua_toboolean(L, -1);
    lua_pop(L, 1);
    return on;
}

static enum shape_type shape_type(lua_State *L, int shape)
{
    static const struct {
        const char *name;
        enum shape_type type;
    } types[] = {{"structure", T_STRUCTURE},
                 {"list", T_LIST},
                 {"map", T_MAP},
                 {"string", T_STRING},
                 {"character", T_STRING},
                 {"blob", T_STRING},
                 {"integer", T_INTEGER},
                 {"long", T_INTEGER},
                 {"boolean", T_BOOLEAN},
                 {"double", T_FLOAT},
                 {"float", T_FLOAT},
                 {"timestamp", T_TIMESTAMP}};
    enum shape_type t = T_GENERIC;
    size_t i;
    if(!shape)
        return T_GENERIC;
    if(field(L, shape, "type") == LUA_TSTRING) {
        const char *name = lua_tostring(L, -1);
        for(i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            if(strcmp(name, types[i].name) == 0) {
                t = types[i].type;
                break;
            }
        }
    }
    lua_pop(L, 1);
    return t;
}

/* [-0, +1, m] Pushes shape[key] (nil when shape is 0) and returns its
 * absolute index if it is a table, else 0. Always one slot, so callers pop
 * the same count either way. */
static int subshape(lua_State *L, int shape, const char *key)
{
    if(!shape) {
        lua_pushnil(L);
        return 0;
    }
    if(field(L, shape, key) == LUA_TTABLE)
        return lua_absindex(L, -1);
    return 0;
}

/* [-0, +1, m] Pushes shape[key] if a string, else def; returns it. The
 * string stays valid while the slot is on the stack. */
static const char *str_field(lua_State *L, int shape, const char *key,
                             const char *def)
{
    if(shape && field(L, shape, key) == LUA_TSTRING)
        return lua_tostring(L, -1);
    if(shape)
        lua_pop(L, 1);
    lua_pushstring(L, def);
    return def;
}

/* ----- containers ------------------------------------------------------- */

/* [-0, +0, -] Gives the value on top metatable mt (an index, 0: none). */
static void set_mt(struct conv *c, int mt)
{
    if(mt) {
        lua_pushvalue(c->L, mt);
        lua_setmetatable(c->L, -2);
    }
}

/* [-2, +0, m] obj[key] = value with key and value on top (key below);
 * appends key to obj's order unless already there. obj at index obj. */
static void object_set(lua_State *L, int obj)
{
    lua_pushvalue(L, -2);                /* key, value, key */
    if(lua_rawget(L, obj) == LUA_TNIL) { /* key, value, old */
        lua_pushvalue(L, -3);
        lua_rawseti(L, obj, (lua_Integer)lua_rawlen(L, obj) + 1);
    }
    lua_pop(L, 1);
    lua_rawset(L, obj);
}

static void push_list_items(struct conv *c, const struct xml_node *first,
                            const char *only, int member)
{
    lua_State *L = c->L;
    const struct xml_node *it;
    lua_Integer i = 0;
    lua_newtable(L);
    for(it = first; it; it = it->next) {
        if(only && strcmp(it->name, only) != 0)
            continue;
        push_node(c, it, member);
        lua_rawseti(L, -2, ++i);
    }
    set_mt(c, c->array_mt);
}

/* Entries are `first` and its siblings (named `only` when not NULL). */
static void push_map_entries(struct conv *c, const struct xml_node *first,
                             const char *only, int shape)
{
    lua_State *L = c->L;
    int obj, value_shape = subshape(L, shape, "value");
    const char *kname = str_field(L, shape, "key_name", "key");
    const char *vname = str_field(L, shape, "value_name", "value");
    const struct xml_node *e;
    lua_newtable(L);
    obj = lua_absindex(L, -1);
    for(e = first; e; e = e->next) {
        const struct xml_node *k, *v;
        if(only && strcmp(e->name, only) != 0)
            continue;
        k = xml_child(e, kname);
        v = xml_child(e, vname);
        if(!k || !v)
            continue;
        lua_pushlstring(L, k->text, k->text_len);
        push_node(c, v, value_shape);
        object_set(L, obj);
    }
    set_mt(c, c->object_mt);
    lua_replace(L, -4); /* drop value shape, key name, value name */
    lua_pop(L, 2);
}

/* [-0, +1, m] The XML name of a structure member, as botocore's
 * _member_key_name: a flattened list's member_name, else location_name,
 * else the member name. NULL if none is a string. */
static const char *member_xml_name(lua_State *L, int member, int mshape,
                                   int flat_list)
{
    if(flat_list) {
        if(field(L, mshape, "member_name") == LUA_TSTRING)
            return lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    if(field(L, member, "location_name") == LUA_TSTRING)
        return lua_tostring(L, -1);
    lua_pop(L, 1);
    if(field(L, member, "name") == LUA_TSTRING)
        return lua_tostring(L, -1);
    return NULL;
}

/* [-0, +0, m] One member of a structure: converts and stores it in obj
 * if its element is present. member: absolute index of the member table. */
static void push_member(struct conv *c, const struct xml_node *n, int obj,
                        int member)
{
    lua_State *L = c->L;
    int base = lua_gettop(L), mshape, flattened;
    enum shape_type mt;
    const char *xname;
    if(field(L, member, "name") != LUA_TSTRING) {
        lua_settop(L, base);
        return;
    }
    mshape = subshape(L, member, "shape"); /* name, shape */
    mt = shape_type(L, mshape);
    flattened =
        mshape && (mt == T_LIST || mt == T_MAP) && flag(L, mshape, "flattened");
    xname = member_xml_name(L, member, mshape, flattened && mt == T_LIST);
    if(!xname || !xml_child(n, xname)) {
        lua_settop(L, base);
        return;
    }
    lua_pushvalue(L, base + 1); /* key: the member name */
    if(flattened && mt == T_LIST)
        push_list_items(c, n->child, xname, subshape(L, mshape, "member"));
    else if(flattened)
        push_map_entries(c, n->child, xname, mshape);
    else
        push_node(c, xml_child(n, xname), mshape);
    if(flattened && mt == T_LIST)
        lua_remove(L, -2); /* the member shape pushed by subshape */
    object_set(L, obj);
    lua_settop(L, base);
}

static void push_structure(struct conv *c, const struct xml_node *n, int shape)
{
    lua_State *L = c->L;
    int obj, members;
    lua_Integer i, count = 0;
    members = subshape(L, shape, "members");
    if(members)
        count = (lua_Integer)lua_rawlen(L, members);
    lua_createtable(L, (int)(count < 64 ? count : 64),
                    (int)(count < 64 ? count : 64));
    obj = lua_absindex(L, -1);
    for(i = 1; i <= count; i++) {
        if(lua_rawgeti(L, members, i) == LUA_TTABLE)
            push_member(c, n, obj, lua_absindex(L, -1));
        lua_pop(L, 1);
    }
    set_mt(c, c->object_mt);
    lua_remove(L, -2); /* members */
}

/* ----- generic conversion ----------------------------------------------- */

static int all_named(const struct xml_node *n, const char *name)
{
    const struct xml_node *it;
    for(it = n->child; it; it = it->next) {
        if(strcmp(it->name, name) != 0)
            return 0;
    }
    return 1;
}

static int is_entry_map(const struct xml_node *n)
{
    const struct xml_node *it;
    for(it = n->child; it; it = it->next) {
        if(strcmp(it->name, "entry") != 0 || !xml_child(it, "key"))
            return 0;
    }
    return 1;
}

/* Appends the generic value of n to the array on top. */
static void append_generic(struct conv *c, const struct xml_node *n)
{
    lua_Integer len = (lua_Integer)lua_rawlen(c->L, -1);
    push_node(c, n, 0);
    lua_rawseti(c->L, -2, len + 1);
}

/* Object by child name; a repeated name collects its elements in an array
 * at the first one's position (botocore's _build_name_to_xml_node). The
 * slot above obj holds, once a name repeats, a table name -> that array. */
static void push_generic_object(struct conv *c, const struct xml_node *n)
{
    lua_State *L = c->L;
    const struct xml_node *it;
    int obj, groups;
    lua_newtable(L);
    obj = lua_absindex(L, -1);
    lua_pushnil(L);
    groups = obj + 1;
    for(it = n->child; it; it = it->next) {
        lua_pushstring(L, it->name);
        if(!lua_isnil(L, groups)) {
            lua_pushvalue(L, -1);
            if(lua_rawget(L, groups) == LUA_TTABLE) { /* name, array */
                append_generic(c, it);
                lua_pop(L, 2);
                continue;
            }
            lua_pop(L, 1);
        }
        lua_pushvalue(L, -1);
        if(lua_rawget(L, obj) == LUA_TNIL) { /* name, nil */
            lua_pop(L, 1);
            push_node(c, it, 0);
            object_set(L, obj);
            continue;
        }
        /* The second element of this name: name, first value. */
        lua_createtable(L, 2, 0);
        lua_insert(L, -2);
        lua_rawseti(L, -2, 1);
        append_generic(c, it);
        set_mt(c, c->array_mt); /* name, array */
        if(lua_isnil(L, groups)) {
            lua_newtable(L);
            lua_replace(L, groups);
        }
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        lua_rawset(L, groups);
        lua_rawset(L, obj); /* the name is already in the order */
    }
    lua_pop(L, 1); /* groups */
    set_mt(c, c->object_mt);
}

static void push_generic(struct conv *c, const struct xml_node *n)
{
    if(n->nchildren == 0)
        lua_pushlstring(c->L, n->text, n->text_len);
    else if(all_named(n, "member"))
        push_list_items(c, n->child, NULL, 0);
    else if(is_entry_map(n))
        push_map_entries(c, n->child, NULL, 0);
    else if(n->nchildren >= 2 && all_named(n, n->child->name))
        push_list_items(c, n->child, NULL, 0);
    else
        push_generic_object(c, n);
}

/* ----- scalars ---------------------------------------------------------- */

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
           ch == '\v';
}

/* Python's int(text) for values that fit an int64: spaces around, a sign,
 * digits with single underscores between them. */
static int parse_int(const char *s, size_t len, lua_Integer *out)
{
    const char *p = s, *end = s + len;
    uint64_t v = 0, limit;
    int neg = 0, digits = 0;
    while(p < end && is_space(*p))
        p++;
    while(end > p && is_space(end[-1]))
        end--;
    if(p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for(; p < end; p++) {
        if(*p == '_' && digits && p + 1 < end && isdigit((unsigned char)p[1]))
            continue;
        if(!isdigit((unsigned char)*p))
            return 0;
        if(v > (limit - (uint64_t)(*p - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
        digits++;
    }
    if(!digits)
        return 0;
    *out = neg ? (lua_Integer)(0 - v) : (lua_Integer)v;
    return 1;
}

/* [-0, +1, m] Python's float(text) as a Lua float; the text on failure. */
static void push_float(lua_State *L, const struct xml_node *n)
{
    const char *s = n->text, *p = s;
    size_t len;
    int neg = 0;
    if(strlen(s) == n->text_len && !strpbrk(s, "xX_") &&
       lua_stringtonumber(L, s) != 0) {
        lua_Number d = lua_tonumber(L, -1);
        lua_pop(L, 1);
        lua_pushnumber(L, d);
        return;
    }
    while(is_space(*p))
        p++;
    if(*p == '+' || *p == '-')
        neg = *p++ == '-';
    len = strlen(p);
    while(len > 0 && is_space(p[len - 1]))
        len--;
    if((len == 3 && strncasecmp(p, "inf", 3) == 0) ||
       (len == 8 && strncasecmp(p, "infinity", 8) == 0))
        lua_pushnumber(L, neg ? -HUGE_VAL : HUGE_VAL);
    else if(len == 3 && strncasecmp(p, "nan", 3) == 0)
        lua_pushnumber(L, (lua_Number)NAN);
    else
        lua_pushlstring(L, n->text, n->text_len);
}

/* Exactly n ASCII digits at p (before end) as a number, or -1. */
static int num(const char *p, const char *end, int n)
{
    int v = 0, i;
    if(end - p < n)
        return -1;
    for(i = 0; i < n; i++) {
        if(!isdigit((unsigned char)p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int days_in(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

struct iso_time {
    int year, mon, day, hour, min, sec;
    long usec;
    int has_tz, tz_min; /* offset east of UTC in minutes */
};

/* HH:MM[:SS[(.|,)digits]] at *pp; advances it. */
static int parse_clock(const char **pp, const char *end, struct iso_time *t)
{
    const char *p = *pp;
    t->hour = num(p, end, 2);
    if(t->hour < 0 || t->hour > 23 || p + 2 >= end || p[2] != ':')
        return 0;
    t->min = num(p + 3, end, 2);
    if(t->min < 0 || t->min > 59)
        return 0;
    p += 5;
    if(p < end && *p == ':') {
        t->sec = num(p + 1, end, 2);
        if(t->sec < 0 || t->sec > 59)
            return 0;
        p += 3;
        if(p < end && (*p == '.' || *p == ',')) {
            int digits = 0;
            for(p++; p < end && isdigit((unsigned char)*p); p++, digits++) {
                if(digits < 6)
                    t->usec = t->usec * 10 + (*p - '0');
            }
            if(!digits)
                return 0;
            for(; digits < 6; digits++)
                t->usec *= 10;
        }
    }
    *pp = p;
    return 1;
}

/* Z, UTC, GMT, +HH, +HHMM, +HH:MM (after optional spaces), or nothing. */
static int parse_zone(const char *p, const char *end, struct iso_time *t)
{
    int hh, mm = 0, sign, colon = 0;
    while(p < end && *p == ' ')
        p++;
    if(p == end)
        return 1;
    t->has_tz = 1;
    if((end - p == 1 && (*p == 'Z' || *p == 'z')) ||
       (end - p == 3 && (memcmp(p, "UTC", 3) == 0 || memcmp(p, "GMT", 3) == 0)))
        return 1;
    if(*p != '+' && *p != '-')
        return 0;
    sign = *p++ == '-' ? -1 : 1;
    hh = num(p, end, 2);
    if(hh < 0 || hh > 23)
        return 0;
    p += 2;
    if(p < end && *p == ':')
        p++, colon = 1;
    if(p < end || colon) {
        mm = num(p, end, 2);
        if(mm < 0 || mm > 59 || end - p != 2)
            return 0;
    }
    t->tz_min = sign * (hh * 60 + mm);
    return 1;
}

/* The ISO 8601 forms IAM sends, as dateutil reads them: YYYY-MM-DD, then
 * optionally T (or t or space) and a clock, then optionally a zone. */
static int parse_iso(const char *s, size_t len, struct iso_time *t)
{
    const char *p = s, *end = s + len;
    memset(t, 0, sizeof(*t));
    while(p < end && is_space(*p))
        p++;
    while(end > p && is_space(end[-1]))
        end--;
    t->year = num(p, end, 4);
    if(t->year < 1 || end - p < 10 || p[4] != '-' || p[7] != '-')
        return 0;
    t->mon = num(p + 5, end, 2);
    t->day = num(p + 8, end, 2);
    if(t->mon < 1 || t->mon > 12 || t->day < 1 ||
       t->day > days_in(t->year, t->mon))
        return 0;
    p += 10;
    if(p == end)
        return 1;
    if(*p != 'T' && *p != 't' && *p != ' ')
        return 0;
    p++;
    if(!parse_clock(&p, end, t))
        return 0;
    return parse_zone(p, end, t);
}

/* [-0, +1, m] Python's datetime.isoformat() of the parsed time, which is
 * what AWS CLI v2 prints; the text as sent when it does not parse. */
void lshape_push_timestamp_text(lua_State *L, const char *text, size_t n)
{
    struct iso_time t;
    char out[48];
    int len;
    if(!parse_iso(text, n, &t)) {
        lua_pushlstring(L, text, n);
        return;
    }
    len = snprintf(out, sizeof(out), "%04d-%02d-%02dT%02d:%02d:%02d", t.year,
                   t.mon, t.day, t.hour, t.min, t.sec);
    if(t.usec)
        len += snprintf(out + len, sizeof(out) - (size_t)len, ".%06ld", t.usec);
    if(t.has_tz) {
        int off = t.tz_min < 0 ? -t.tz_min : t.tz_min;
        len += snprintf(out + len, sizeof(out) - (size_t)len, "%c%02d:%02d",
                        t.tz_min < 0 ? '-' : '+', off / 60, off % 60);
    }
    lua_pushlstring(L, out, (size_t)len);
}

static void push_timestamp(lua_State *L, const struct xml_node *n)
{
    lshape_push_timestamp_text(L, n->text, n->text_len);
}

static void push_scalar(struct conv *c, const struct xml_node *n,
                        enum shape_type t)
{
    lua_State *L = c->L;
    lua_Integer i;
    switch(t) {
    case T_INTEGER:
        if(parse_int(n->text, n->text_len, &i))
            lua_pushinteger(L, i);
        else
            lua_pushlstring(L, n->text, n->text_len);
        break;
    case T_BOOLEAN:
        lua_pushboolean(L, n->text_len == 4 && memcmp(n->text, "true", 4) == 0);
        break;
    case T_FLOAT:
        push_float(L, n);
        break;
    case T_TIMESTAMP:
        if(c->wire)
            lua_pushlstring(L, n->text, n->text_len);
        else
            push_timestamp(L, n);
        break;
    default:
        lua_pushlstring(L, n->text, n->text_len);
        break;
    }
}

/* ----- dispatch --------------------------------------------------------- */

/* [-0, +1, m] shape: absolute index of the shape table, or 0. */
static void push_node(struct conv *c, const struct xml_node *n, int shape)
{
    lua_State *L = c->L;
    enum shape_type t = shape_type(L, shape);
    int top = lua_gettop(L);
    (void)top;
    luaL_checkstack(L, LEVEL_SLOTS, "XML response nested too deeply");
    switch(t) {
    case T_GENERIC:
        push_generic(c, n);
        break;
    case T_STRUCTURE:
        push_structure(c, n, shape);
        break;
    case T_LIST:
        push_list_items(c, n->child, NULL, subshape(L, shape, "member"));
        lua_remove(L, -2); /* the member shape */
        break;
    case T_MAP:
        push_map_entries(c, n->child, NULL, shape);
        break;
    default:
        push_scalar(c, n, t);
        break;
    }
    stack_assert(lua_gettop(L) == top + 1);
}

void lshape_push(lua_State *L, const struct xml_node *n, int shape_idx,
                 const struct lshape_ctx *ctx)
{
    struct conv c;
    c.L = L;
    c.object_mt = ctx && ctx->object_mt ? lua_absindex(L, ctx->object_mt) : 0;
    c.array_mt = ctx && ctx->array_mt ? lua_absindex(L, ctx->array_mt) : 0;
    c.wire = ctx ? ctx->wire_timestamps : 0;
    if(shape_idx)
        shape_idx = lua_absindex(L, shape_idx);
    if(shape_idx && lua_type(L, shape_idx) != LUA_TTABLE)
        shape_idx = 0;
    if(!n)
        lua_pushnil(L);
    else
        push_node(&c, n, shape_idx);
}
