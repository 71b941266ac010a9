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

#include <string.h>

/* Python's json.loads reads a str, and the AWS CLI's str comes from argv
 * decoded with surrogateescape: a byte that is not UTF-8 is a lone
 * surrogate U+DC80..U+DCFF there, which json accepts inside strings (as it
 * does a "\udcff" escape) and the request fails to encode later. jansson
 * takes only UTF-8, so inside strings such a byte or lone escape is
 * rewritten to "\u0000" and two hex digits, and a real "\u0000" to
 * "\u0000\u0000"; pushing a string undoes it, giving back the bytes (the
 * form iamlua keeps argv in). Input that needs none of this is not copied. */

/* Length of the strict UTF-8 sequence at p (no overlong forms, surrogates
 * or code points past U+10FFFF), or 0 if none starts there. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t len, i;
    if(c < 0x80)
        return 1;
    if(c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if(c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if(c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if(c == 0xE0)
        lo = 0xA0;
    else if(c == 0xED)
        hi = 0x9F;
    else if(c == 0xF0)
        lo = 0x90;
    else if(c == 0xF4)
        hi = 0x8F;
    if(n < len || p[1] < lo || p[1] > hi)
        return 0;
    for(i = 2; i < len; i++)
        if((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static int hexval(unsigned char c)
{
    if(c >= '0' && c <= '9')
        return c - '0';
    if(c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if(c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of the \uXXXX escape at p (p[0] == '\\'), or -1. */
static long u_escape(const unsigned char *p, size_t n)
{
    long v = 0;
    size_t i;
    if(n < 6 || p[1] != 'u')
        return -1;
    for(i = 2; i < 6; i++) {
        int h = hexval(p[i]);
        if(h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Appends n bytes of p at out + *o (out may be NULL: only counts). */
static void emit(char *out, size_t *o, const void *p, size_t n)
{
    if(out)
        memcpy(out + *o, p, n);
    *o += n;
}

/* Appends the stand-in for byte c: "\u0000" and its two hex digits. */
static void emit_byte(char *out, size_t *o, unsigned c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[8] = {'\\', 'u', '0', '0', '0', '0', hex[c >> 4], hex[c & 15]};
    emit(out, o, esc, sizeof(esc));
}

/* One pass of the rewrite over s: writes into out when not NULL, returns
 * the output length; *changed says whether anything was rewritten. */
static size_t rewrite(const unsigned char *s, size_t n, char *out,
                      int *changed)
{
    size_t i = 0, o = 0, len;
    int in_str = 0, after_high = 0;
    *changed = 0;
    for(; i < n; i += len) {
        unsigned char c = s[i];
        long u = -1;
        len = 1;
        if(!in_str) {
            in_str = c == '"';
        } else if(c == '"') {
            in_str = 0;
        } else if(c == '\\') {
            u = u_escape(s + i, n - i);
            len = u >= 0 ? 6 : (i + 1 < n ? 2 : 1);
            if(u == 0 || (u >= 0xDC80 && u <= 0xDCFF && !after_high)) {
                if(u == 0)
                    emit(out, &o, "\\u0000\\u0000", 12);
                else
                    emit_byte(out, &o, (unsigned)(u & 0xFF));
                *changed = 1;
                after_high = 0;
                continue;
            }
        } else if(c >= 0x80) {
            len = utf8_seq(s + i, n - i);
            if(len == 0) {
                emit_byte(out, &o, c);
                *changed = 1;
                len = 1;
                after_high = 0;
                continue;
            }
        }
        /* a high surrogate escape pairs with a low one right after it */
        after_high = u >= 0xD800 && u <= 0xDBFF;
        emit(out, &o, s + i, len);
    }
    return o;
}

/* [-0, +1, m] Pushes s, turning each NUL and the two hex digits after it
 * back into that byte (NUL NUL is a NUL). */
static void push_unescaped(lua_State *L, const char *s, size_t n)
{
    luaL_Buffer b;
    size_t i;
    if(!memchr(s, '\0', n)) {
        lua_pushlstring(L, s, n);
        return;
    }
    luaL_buffinit(L, &b);
    for(i = 0; i < n; i++) {
        if(s[i] == '\0' && i + 1 < n && s[i + 1] == '\0') {
            luaL_addchar(&b, '\0');
            i++;
        } else if(s[i] == '\0' && i + 2 < n) {
            luaL_addchar(&b, (char)(hexval((unsigned char)s[i + 1]) * 16 +
                                    hexval((unsigned char)s[i + 2])));
            i += 2;
        } else {
            luaL_addchar(&b, s[i]);
        }
    }
    luaL_pushresult(&b);
}

static void push_json(lua_State *L, json_t *v, int depth, int esc);

static void push_array(lua_State *L, json_t *v, int depth, int esc)
{
    size_t i, n = json_array_size(v);
    lua_createtable(L, (int)(n < 1u << 20 ? n : 0), 0);
    for(i = 0; i < n; i++) {
        push_json(L, json_array_get(v, i), depth + 1, esc);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lvalue_push(L, LVALUE_ARRAY_MT);
    lua_setmetatable(L, -2);
}

static void push_object(lua_State *L, json_t *v, int depth, int esc)
{
    void *it;
    int obj;
    lua_createtable(L, 0, 0);
    obj = lua_gettop(L);
    for(it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
        const char *k = json_object_iter_key(it);
        size_t klen = json_object_iter_key_len(it);
        if(esc)
            push_unescaped(L, k, klen);
        else
            lua_pushlstring(L, k, klen);
        push_json(L, json_object_iter_value(it), depth + 1, esc);
        lvalue_objset(L, obj);
    }
    lvalue_push(L, LVALUE_OBJECT_MT);
    lua_setmetatable(L, -2);
}

static void push_json(lua_State *L, json_t *v, int depth, int esc)
{
    luaL_checkstack(L, 4, "JSON nested too deeply");
    switch(json_typeof(v)) {
    case JSON_OBJECT:
        push_object(L, v, depth, esc);
        break;
    case JSON_ARRAY:
        push_array(L, v, depth, esc);
        break;
    case JSON_STRING:
        if(esc)
            push_unescaped(L, json_string_value(v), json_string_length(v));
        else
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

void ljson_push(lua_State *L, json_t *v)
{
    push_json(L, v, 0, 0);
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
    int esc;
    size_t n;
    lvalue_init(L);
    n = rewrite((const unsigned char *)s, len, NULL, &esc);
    if(esc) { /* the rewritten text lives in a userdata at 2 */
        char *t = lua_newuserdatauv(L, n ? n : 1, 0);
        rewrite((const unsigned char *)s, len, t, &esc);
        s = t;
        len = n;
    }
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
    push_json(L, *box, 0, esc);
    json_decref(*box);
    *box = NULL;
    return 1;
}
