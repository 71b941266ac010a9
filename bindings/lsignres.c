/* lsignres.c - aws.sign's result: a userdata holding a copy of the
 * signer's output, with its fields made on first access (lsignres.h).
 *
 * Layout of the userdata's block: struct signres, then one struct pair per
 * header, then the bytes every span points into. User value i + 1 holds
 * field i once made (or assigned); user value EXTRA a table of the other
 * keys a script set. `known` says which field slots are filled, because
 * nil is a value a script may assign.
 */
#include "lsignres.h"

#include <lauxlib.h>
#include <string.h>

enum field {
    F_CANONICAL_REQUEST,
    F_STRING_TO_SIGN,
    F_SIGNATURE,
    F_AUTHORIZATION,
    F_HEADERS,
    F_URL,
    F_COUNT
};

/* In pairs() order, which is the order DESIGN.md 1.3 lists them in. */
static const char *const field_names[F_COUNT] = {
    "canonical_request", "string_to_sign", "signature",
    "authorization",     "headers",        "url",
};

#define EXTRA (F_COUNT + 1) /* user value: other keys set by the script */

static const char mt_key = 0; /* registry key of the metatable: its address */

struct span {
    size_t off, len;
};

struct pair {
    struct span name, value;
};

struct signres {
    unsigned known;               /* bit i: user value i + 1 holds field i */
    int has_authorization;        /* header mode */
    struct span str[F_COUNT];     /* the string fields (not F_HEADERS) */
    size_t nheaders;
    struct pair pairs[];          /* nheaders, then the bytes */
};

static const char *bytes_of(const struct signres *r)
{
    return (const char *)(r->pairs + r->nheaders);
}

/* The field a key names, or -1 (any other key, or not a string). The
 * names differ in length, so one length test and one memcmp decide. */
static int field_of(lua_State *L, int idx)
{
    size_t n;
    const char *k;
    int f;
    if(lua_type(L, idx) != LUA_TSTRING)
        return -1;
    k = lua_tolstring(L, idx, &n);
    switch(n) {
    case 17: f = F_CANONICAL_REQUEST; break;
    case 14: f = F_STRING_TO_SIGN; break;
    case 9: f = F_SIGNATURE; break;
    case 13: f = F_AUTHORIZATION; break;
    case 7: f = F_HEADERS; break;
    case 3: f = F_URL; break;
    default: return -1;
    }
    return memcmp(k, field_names[f], n) == 0 ? f : -1;
}

/* ---- building ---- */

/* Appends n bytes at *pos (a running offset into the bytes area). */
static struct span put(char *bytes, size_t *pos, const char *p, size_t n)
{
    struct span s;
    s.off = *pos;
    s.len = n;
    if(n)
        memcpy(bytes + *pos, p, n);
    *pos += n;
    return s;
}

static size_t headers_size(const struct sigv4_header *h, size_t n)
{
    size_t i, sz = 0;
    for(i = 0; i < n; i++)
        sz += h[i].name_len + h[i].value_len;
    return sz;
}

static void put_headers(struct signres *r, char *bytes, size_t *pos,
                        size_t *k, const struct sigv4_header *h, size_t n)
{
    size_t i;
    for(i = 0; i < n; i++, (*k)++) {
        r->pairs[*k].name = put(bytes, pos, h[i].name, h[i].name_len);
        r->pairs[*k].value = put(bytes, pos, h[i].value, h[i].value_len);
    }
}

void lsignres_push(lua_State *L, const struct lsignres_parts *p)
{
    size_t nh = p->nheaders + p->nmore, pos = 0, k = 0;
    size_t url_len = p->url_prefix_len + p->path_len +
                     (p->query_len ? 1 + p->query_len : 0);
    size_t nbytes = p->canonical_request_len + p->string_to_sign_len +
                    p->signature_len + p->authorization_len + url_len +
                    headers_size(p->headers, p->nheaders) +
                    headers_size(p->more, p->nmore);
    struct signres *r = lua_newuserdatauv(
        L, sizeof(*r) + nh * sizeof(struct pair) + nbytes, EXTRA);
    char *bytes = (char *)(r->pairs + nh);
    r->known = 0;
    r->nheaders = nh;
    r->has_authorization = p->authorization != NULL;
    r->str[F_CANONICAL_REQUEST] = put(bytes, &pos, p->canonical_request,
                                      p->canonical_request_len);
    r->str[F_STRING_TO_SIGN] =
        put(bytes, &pos, p->string_to_sign, p->string_to_sign_len);
    r->str[F_SIGNATURE] = put(bytes, &pos, p->signature, p->signature_len);
    r->str[F_AUTHORIZATION] =
        put(bytes, &pos, p->authorization, p->authorization_len);
    r->str[F_URL] = put(bytes, &pos, p->url_prefix, p->url_prefix_len);
    put(bytes, &pos, p->path, p->path_len);
    if(p->query_len) {
        put(bytes, &pos, "?", 1);
        put(bytes, &pos, p->query, p->query_len);
    }
    r->str[F_URL].len = url_len;
    r->str[F_HEADERS].off = r->str[F_HEADERS].len = 0;
    put_headers(r, bytes, &pos, &k, p->headers, p->nheaders);
    put_headers(r, bytes, &pos, &k, p->more, p->nmore);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &mt_key);
    lua_setmetatable(L, -2);
}

/* ---- reading ---- */

/* [-0, +0, v] The result at index 1; raises for anything else (the
 * metamethods can be called by hand with any argument). Compares
 * metatables through a light-userdata key, not luaL_checkudata's string
 * lookup: this runs on every field access. */
static struct signres *check_res(lua_State *L)
{
    void *p = lua_touserdata(L, 1);
    if(p && lua_getmetatable(L, 1)) {
        int same;
        lua_rawgetp(L, LUA_REGISTRYINDEX, &mt_key);
        same = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
        if(same)
            return p;
    }
    luaL_typeerror(L, 1, LSIGNRES_MT);
    return NULL;
}

/* [-0, +1, m] {{name, value}, ...} */
static void make_headers(lua_State *L, const struct signres *r)
{
    const char *b = bytes_of(r);
    size_t i;
    lua_createtable(L, (int)r->nheaders, 0);
    for(i = 0; i < r->nheaders; i++) {
        const struct pair *h = &r->pairs[i];
        lua_createtable(L, 2, 0);
        lua_pushlstring(L, b + h->name.off, h->name.len);
        lua_rawseti(L, -2, 1);
        lua_pushlstring(L, b + h->value.off, h->value.len);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* [-0, +1, m] Field f of the result at ud (absolute), made and kept on
 * first use. */
static void push_field(lua_State *L, int ud, struct signres *r, int f)
{
    if(r->known & (1u << f)) {
        lua_getiuservalue(L, ud, f + 1);
        return;
    }
    if(f == F_HEADERS)
        make_headers(L, r);
    else if(f == F_AUTHORIZATION && !r->has_authorization)
        lua_pushnil(L);
    else
        lua_pushlstring(L, bytes_of(r) + r->str[f].off, r->str[f].len);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, ud, f + 1);
    r->known |= 1u << f;
}

/* __index(s, k) */
static int signres_index(lua_State *L)
{
    struct signres *r = check_res(L);
    int f = field_of(L, 2);
    if(f >= 0) {
        push_field(L, 1, r, f);
        return 1;
    }
    if(lua_getiuservalue(L, 1, EXTRA) != LUA_TTABLE)
        return 0; /* nil */
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

/* __newindex(s, k, v): fields are replaced (nil included); any other key
 * goes to the extra table, made on first use. */
static int signres_newindex(lua_State *L)
{
    struct signres *r = check_res(L);
    int f = field_of(L, 2);
    lua_settop(L, 3);
    if(f >= 0) {
        lua_setiuservalue(L, 1, f + 1);
        r->known |= 1u << f;
        return 0;
    }
    if(lua_getiuservalue(L, 1, EXTRA) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, 1, EXTRA);
    }
    lua_insert(L, 2);      /* s, extra, k, v */
    lua_rawset(L, 2);      /* raises for a nil or NaN key, as tables do */
    return 0;
}

/* The pairs() iterator: the fields that are not nil, in field order, then
 * the extra table's keys. */
static int signres_next(lua_State *L)
{
    struct signres *r = check_res(L);
    int f = 0, in_extra = 0;
    lua_settop(L, 2);
    if(!lua_isnil(L, 2)) {
        f = field_of(L, 2);
        in_extra = f < 0;
        f = f < 0 ? F_COUNT : f + 1;
    }
    for(; f < F_COUNT; f++) {
        push_field(L, 1, r, f);
        if(!lua_isnil(L, -1)) {
            lua_pushstring(L, field_names[f]);
            lua_insert(L, -2);
            return 2;
        }
        lua_pop(L, 1);
    }
    if(lua_getiuservalue(L, 1, EXTRA) != LUA_TTABLE)
        return 0;
    if(in_extra)
        lua_pushvalue(L, 2);
    else
        lua_pushnil(L);
    return lua_next(L, -2) ? 2 : 0;
}

/* __pairs(s) */
static int signres_pairs(lua_State *L)
{
    check_res(L);
    lua_pushcfunction(L, signres_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Registers the metatable; called once when the module opens (lsign.c). */
void lsignres_init(lua_State *L)
{
    static const luaL_Reg mt[] = {{"__index", signres_index},
                                  {"__newindex", signres_newindex},
                                  {"__pairs", signres_pairs},
                                  {NULL, NULL}};
    if(luaL_newmetatable(L, LSIGNRES_MT))
        luaL_setfuncs(L, mt, 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &mt_key);
}
