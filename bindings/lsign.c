/* lsign.c - aws.sign: read the argument table, sign with core/sigv4, push
 * the result (DESIGN.md 1.3; the result's fields are made on first
 * access, lsignres.c).
 *
 * Everything that can raise for bad arguments runs before the signer
 * touches its buffers. The signer's result lives in one userdata kept in
 * the registry and reused by every call, so signing in a loop allocates
 * only the one userdata it returns (a copy of the output); its __gc wipes
 * and frees the signer's buffers when the state closes. The strings
 * borrowed from the argument table stay on the stack until the result is
 * pushed, as the manual requires of lua_tolstring pointers; the table
 * itself is only read, never written.
 */
#include "lsign.h"

#include "lsignres.h"
#include "sigv4.h"

#include <lauxlib.h>
#include <string.h>
#include <time.h>

#define RESULT_MT "aws.sign_result"
#define HEADERS_MAX 100000 /* far beyond any request; keeps the stack sane */
#define HEADERS_SMALL 16   /* headers held without a userdata */

/* Field names, interned once as the closure's upvalues: looking a C
 * string up in every call (lua_getfield) cost a strcmp each through
 * Lua's string cache, 5% of a signing loop. */
enum key {
    K_METHOD,
    K_SERVICE,
    K_REGION,
    K_CREDENTIALS,
    K_ACCESS_KEY_ID,
    K_SECRET_ACCESS_KEY,
    K_SESSION_TOKEN,
    K_BODY,
    K_PAYLOAD_HASH,
    K_TIME,
    K_PRESIGN,
    K_EXPIRES,
    K_NORMALIZE_PATH,
    K_DOUBLE_ENCODE,
    K_OMIT_SESSION_TOKEN,
    K_SIGN_BODY,
    K_URL,
    K_PATH,
    K_QUERY,
    K_HEADERS,
    K_COUNT
};

static const char *const key_names[K_COUNT] = {
    "method",
    "service",
    "region",
    "credentials",
    "access_key_id",
    "secret_access_key",
    "session_token",
    "body",
    "payload_hash",
    "time",
    "presign",
    "expires",
    "normalize_path",
    "double_encode",
    "omit_session_token",
    "sign_body",
    "url",
    "path",
    "query",
    "headers",
};

/* Which table each field belongs in: the argument table or credentials. */
enum level { AT_TOP = 1, AT_CREDENTIALS = 2 };
#define FIELDS_UPVALUE (K_COUNT + 1) /* name -> enum level */

static int level_of(enum key k)
{
    return k == K_ACCESS_KEY_ID || k == K_SECRET_ACCESS_KEY ||
                   k == K_SESSION_TOKEN
               ? AT_CREDENTIALS
               : AT_TOP;
}

/* [-0, +(0|1|2), m] The known field of `level` closest to `name`, as
 * aws.client's options find theirs (aws.options.closest: difflib's ratio,
 * as the AWS CLI suggests), or NULL. The error path only: it loads that
 * module; what it leaves on the stack goes with the raise that follows. */
static const char *closest_field(lua_State *L, const char *name, int level)
{
    int i;
    luaL_checkstack(L, 6, "aws.sign");
    lua_getglobal(L, "require");
    lua_pushliteral(L, "aws.options");
    if(lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1) ||
       lua_getfield(L, -1, "closest") != LUA_TFUNCTION)
        return NULL;
    lua_pushstring(L, name);
    lua_createtable(L, 0, K_COUNT);
    for(i = 0; i < K_COUNT; i++)
        if(level_of((enum key)i) == level) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, key_names[i]);
        }
    if(lua_pcall(L, 2, 1, 0) != LUA_OK)
        return NULL;
    return lua_tostring(L, -1);
}

/* A field the signer does not know is a mistake that would otherwise sign
 * something else than asked (`tim` for `time` signs "now"; `presgn` no
 * presigned URL): raise, naming the closest known field. t absolute. */
static void check_fields(lua_State *L, int t, int level, const char *where)
{
    lua_pushnil(L);
    while(lua_next(L, t)) {
        int known = 0;
        lua_pop(L, 1); /* value */
        if(lua_type(L, -1) == LUA_TSTRING) {
            lua_pushvalue(L, -1);
            known = lua_rawget(L, lua_upvalueindex(FIELDS_UPVALUE)) ==
                            LUA_TNUMBER &&
                        lua_tointeger(L, -1) == level;
            lua_pop(L, 1);
        }
        if(!known) {
            const char *name = luaL_tolstring(L, -1, NULL);
            const char *near = lua_type(L, -2) == LUA_TSTRING
                                   ? closest_field(L, name, level)
                                   : NULL;
            luaL_argerror(L, 1,
                          lua_pushfstring(L, "unknown field '%s%s'%s%s%s", where,
                                          name, near ? "; did you mean '" : "",
                                          near ? near : "", near ? "'?" : ""));
        }
    }
}

/* [-0, +1, e] Pushes t[key] (t absolute); returns its type. */
static int getk(lua_State *L, int t, enum key k)
{
    lua_pushvalue(L, lua_upvalueindex((int)k + 1));
    return lua_gettable(L, t);
}

/* An absolute URL cut into pieces (all pointing into the url string). */
struct url {
    const char *scheme, *authority, *path, *query;
    size_t scheme_len, authority_len, path_len, query_len;
};

struct sign_args {
    struct sigv4_request req;
    struct sigv4_params p;
    struct sigv4_header *headers; /* the caller's, then Host if we add it */
    struct sigv4_header small[HEADERS_SMALL + 1];
    size_t ncaller;
    int have_url, add_host;
    struct url url;
};

/* Whether s holds CR, LF or NUL: in a header line each would end it early
 * or start a line of the caller's choosing. */
static int breaks_line(const char *s, size_t n)
{
    size_t i;
    for(i = 0; i < n; i++)
        if(s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            return 1;
    return 0;
}

/* Raises "bad argument #1 to 'sign' (field 'k' must be what)". */
static int field_error(lua_State *L, const char *k, const char *what)
{
    return luaL_argerror(L, 1,
                         lua_pushfstring(L, "field '%s' must be %s", k, what));
}

/* [-0, +1, v] Pushes t[k] and returns it as a string, or NULL when it is
 * nil; raises for another type. label names the field in the message. */
static const char *opt_string(lua_State *L, int t, enum key k,
                              const char *label, size_t *len)
{
    int type = getk(L, t, k);
    if(type == LUA_TNIL)
        return NULL;
    if(type != LUA_TSTRING)
        field_error(L, label, "a string");
    return lua_tolstring(L, -1, len);
}

/* [-0, +1, v] Like opt_string, but nil raises too. */
static const char *req_string(lua_State *L, int t, enum key k,
                              const char *label)
{
    const char *s = opt_string(L, t, k, label, NULL);
    if(!s)
        field_error(L, label, "a string");
    return s;
}

/* [-0, +0, v] */
static int opt_bool(lua_State *L, enum key k, int def)
{
    int type = getk(L, 1, k), v = def;
    if(type == LUA_TBOOLEAN)
        v = lua_toboolean(L, -1);
    else if(type != LUA_TNIL)
        field_error(L, key_names[k], "a boolean");
    lua_pop(L, 1);
    return v;
}

/* [-0, +0, v] expires: an integer number of seconds, 900 by default. */
static long opt_expires(lua_State *L)
{
    int isnum = 1;
    lua_Integer v = 900;
    int type = getk(L, 1, K_EXPIRES);
    if(type != LUA_TNIL) {
        v = lua_tointegerx(L, -1, &isnum);
        if(type != LUA_TNUMBER || !isnum)
            field_error(L, "expires", "an integer");
    }
    lua_pop(L, 1);
    if(v < 1 || v > SIGV4_EXPIRES_MAX)
        field_error(L, "expires", "1 to 604800 seconds");
    return (long)v;
}

/* [-0, +0, v] time: epoch seconds or "YYYYMMDDTHHMMSSZ"; now when nil. */
static long long opt_time(lua_State *L)
{
    static const char what[] = "epoch seconds or a YYYYMMDDTHHMMSSZ string";
    long long t = 0;
    int type = getk(L, 1, K_TIME);
    if(type == LUA_TNIL)
        t = (long long)time(NULL);
    else if(type == LUA_TNUMBER && lua_isinteger(L, -1))
        t = (long long)lua_tointeger(L, -1);
    else if(type == LUA_TNUMBER) {
        lua_Number n = lua_tonumber(L, -1);
        if(!(n > -1e15 && n < 1e15)) /* NaN fails too */
            field_error(L, "time", what);
        t = (long long)n;
        if((lua_Number)t > n) /* floor, not toward zero */
            t--;
    } else if(type == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        if(sigv4_parse_amz_date(s, n, &t))
            field_error(L, "time", what);
    } else
        field_error(L, "time", what);
    lua_pop(L, 1);
    return t;
}

/* [-0, +4, v] credentials = {access_key_id, secret_access_key,
 * session_token (nil or false: none)}; the table and its strings stay on
 * the stack. */
static void read_credentials(lua_State *L, struct sigv4_params *p)
{
    int t, type;
    if(getk(L, 1, K_CREDENTIALS) != LUA_TTABLE)
        field_error(L, "credentials", "a table");
    t = lua_gettop(L);
    check_fields(L, t, AT_CREDENTIALS, "credentials.");
    p->access_key_id =
        req_string(L, t, K_ACCESS_KEY_ID, "credentials.access_key_id");
    /* both go into headers; a NUL would cut them short unseen */
    if(strlen(p->access_key_id) != lua_rawlen(L, -1))
        field_error(L, "credentials.access_key_id", "free of NUL");
    p->secret_access_key =
        req_string(L, t, K_SECRET_ACCESS_KEY, "credentials.secret_access_key");
    type = getk(L, t, K_SESSION_TOKEN);
    if(type == LUA_TSTRING) {
        p->session_token = lua_tostring(L, -1);
        if(strlen(p->session_token) != lua_rawlen(L, -1))
            field_error(L, "credentials.session_token", "free of NUL");
    } else if(type != LUA_TNIL &&
            !(type == LUA_TBOOLEAN && !lua_toboolean(L, -1)))
        field_error(L, "credentials.session_token", "a string");
}

/* RFC 3986 scheme: a letter, then letters, digits, '+', '-', '.'. */
static size_t scheme_len(const char *u, size_t n)
{
    size_t i;
    for(i = 0; i < n; i++) {
        char c = u[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        int more = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
        if(!alpha && !(i > 0 && more))
            break;
    }
    return i;
}

/* Length of the run at s (up to end) that holds none of the stop bytes. */
static size_t span_until(const char *s, const char *end, const char *stop)
{
    const char *p = s;
    while(p < end && (*p == '\0' || !strchr(stop, *p)))
        p++;
    return (size_t)(p - s);
}

/* Splits "scheme://authority/path?query#fragment"; -1 if it is not an
 * absolute URL with a host. The fragment is never sent, so it is dropped. */
static int parse_url(const char *u, size_t n, struct url *r)
{
    const char *end = u + n, *p;
    r->scheme = u;
    r->scheme_len = scheme_len(u, n);
    p = u + r->scheme_len;
    if(r->scheme_len == 0 || end - p < 3 || memcmp(p, "://", 3) != 0 ||
       memchr(u, '\0', n))
        return -1;
    r->authority = p + 3;
    r->authority_len = span_until(r->authority, end, "/?#");
    r->path = r->authority + r->authority_len;
    r->path_len = span_until(r->path, end, "?#");
    p = r->path + r->path_len;
    r->query = p < end && *p == '?' ? p + 1 : NULL;
    r->query_len = r->query ? span_until(r->query, end, "#") : 0;
    return r->authority_len ? 0 : -1;
}

static int ieq(const char *a, size_t n, const char *lower)
{
    size_t i;
    if(strlen(lower) != n)
        return 0;
    for(i = 0; i < n; i++)
        if((a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]) != lower[i])
            return 0;
    return 1;
}

/* The Host header for a URL: the authority without userinfo and without
 * the scheme's default port, as HTTP clients send it. */
static struct sigv4_header host_header(const struct url *u)
{
    struct sigv4_header h = {"Host", 4, u->authority, u->authority_len};
    size_t i;
    for(i = h.value_len; i > 0; i--)
        if(h.value[i - 1] == '@') {
            h.value += i;
            h.value_len -= i;
            break;
        }
    if(ieq(u->scheme, u->scheme_len, "https") && h.value_len > 4 &&
       memcmp(h.value + h.value_len - 4, ":443", 4) == 0)
        h.value_len -= 4;
    else if(ieq(u->scheme, u->scheme_len, "http") && h.value_len > 3 &&
            memcmp(h.value + h.value_len - 3, ":80", 3) == 0)
        h.value_len -= 3;
    return h;
}

/* [-0, +3, v] url = ..., or path = ... and query = ... */
static void read_target(lua_State *L, struct sign_args *a)
{
    size_t n = 0, plen = 0, qlen = 0;
    const char *url = opt_string(L, 1, K_URL, "url", &n);
    const char *path = opt_string(L, 1, K_PATH, "path", &plen);
    const char *query = opt_string(L, 1, K_QUERY, "query", &qlen);
    if(url && (path || query))
        luaL_argerror(L, 1, "give either 'url' or 'path' (and 'query')");
    if(url) {
        /* its authority becomes the Host header */
        if(memchr(url, '\r', n) || memchr(url, '\n', n))
            field_error(L, "url", "free of CR and LF");
        if(parse_url(url, n, &a->url))
            field_error(L, "url", "an absolute URL (scheme://host/path)");
        a->have_url = 1;
        a->req.path = a->url.path_len ? a->url.path : "/";
        a->req.path_len = a->url.path_len ? a->url.path_len : 1;
        a->req.query = a->url.query;
        a->req.query_len = a->url.query_len;
    } else if(path) {
        a->req.path = path;
        a->req.path_len = plen;
        a->req.query = query;
        a->req.query_len = qlen;
    } else
        luaL_argerror(L, 1, "field 'url' or 'path' is required");
}

/* [-0, +1, v] One {name, value} pair: leaves name and value on the stack
 * (a number value is converted there, not in the caller's table). */
static void read_pair(lua_State *L, int ht, lua_Integer i,
                      struct sigv4_header *h)
{
    int vt;
    if(lua_rawgeti(L, ht, i) != LUA_TTABLE ||
       lua_rawgeti(L, -1, 1) != LUA_TSTRING ||
       ((vt = lua_rawgeti(L, -2, 2)) != LUA_TSTRING && vt != LUA_TNUMBER))
        luaL_argerror(L, 1,
                      lua_pushfstring(L,
                                      "field 'headers' item #%I must be a "
                                      "{name, value} pair of strings",
                                      i));
    h->value = lua_tolstring(L, -1, &h->value_len);
    h->name = lua_tolstring(L, -2, &h->name_len);
    if(breaks_line(h->name, h->name_len) || breaks_line(h->value, h->value_len))
        luaL_argerror(L, 1,
                      lua_pushfstring(L,
                                      "field 'headers' item #%I must not "
                                      "contain CR, LF or NUL",
                                      i));
    lua_remove(L, -3); /* the pair; name and value stay */
}

/* [-0, +2+2n, v] headers = {{name, value}, ...}, repeats allowed. The
 * array has room for one more header: Host, when taken from the url. */
static void read_headers(lua_State *L, struct sign_args *a)
{
    int type = getk(L, 1, K_HEADERS), ht = lua_gettop(L);
    size_t n = 0, i;
    if(type == LUA_TTABLE)
        n = lua_rawlen(L, ht);
    else if(type != LUA_TNIL)
        field_error(L, "headers", "an array of {name, value} pairs");
    if(n > HEADERS_MAX)
        field_error(L, "headers", "at most 100000 pairs");
    luaL_checkstack(L, (int)(2 * n) + LUA_MINSTACK, "too many headers");
    a->headers = a->small;
    if(n > HEADERS_SMALL) /* freed by the GC, even if we raise */
        a->headers = lua_newuserdatauv(L, (n + 1) * sizeof(*a->headers), 0);
    for(i = 0; i < n; i++)
        read_pair(L, ht, (lua_Integer)i + 1, &a->headers[i]);
    a->ncaller = n;
    a->add_host = a->have_url;
    for(i = 0; i < n && a->add_host; i++)
        if(ieq(a->headers[i].name, a->headers[i].name_len, "host"))
            a->add_host = 0;
    if(a->add_host)
        a->headers[n++] = host_header(&a->url);
    a->req.headers = a->headers;
    a->req.nheaders = n;
}

/* [-0, +(10+2n), v] Every field, checked; nothing outside Lua allocated. */
static void read_args(lua_State *L, struct sign_args *a)
{
    struct sigv4_params *p = &a->p;
    check_fields(L, 1, AT_TOP, "");
    a->req.method = opt_string(L, 1, K_METHOD, "method", NULL);
    if(!a->req.method)
        a->req.method = "GET";
    p->service = req_string(L, 1, K_SERVICE, "service");
    p->region = req_string(L, 1, K_REGION, "region");
    read_credentials(L, p);
    a->req.body = opt_string(L, 1, K_BODY, "body", &a->req.body_len);
    a->req.payload_hash =
        opt_string(L, 1, K_PAYLOAD_HASH, "payload_hash", NULL);
    p->time = opt_time(L);
    p->presign = opt_bool(L, K_PRESIGN, 0);
    p->expires = opt_expires(L);
    p->normalize_path = opt_bool(L, K_NORMALIZE_PATH, 1);
    p->double_encode = opt_bool(L, K_DOUBLE_ENCODE, 1);
    p->omit_session_token = opt_bool(L, K_OMIT_SESSION_TOKEN, 0);
    p->sign_body = opt_bool(L, K_SIGN_BODY, 0);
    read_target(L, a);
    read_headers(L, a);
}

static int result_gc(lua_State *L)
{
    sigv4_result_free(luaL_checkudata(L, 1, RESULT_MT));
    return 0;
}

static const char result_key = 0; /* registry key: its address */

/* [-0, +1, m] The state's result, created empty on first use. Reusing it
 * keeps the signer's buffers warm; nothing in it outlives the call that
 * fills it (the next call empties it first). */
static struct sigv4_result *get_result(lua_State *L)
{
    struct sigv4_result *r;
    if(lua_rawgetp(L, LUA_REGISTRYINDEX, &result_key) == LUA_TUSERDATA)
        return lua_touserdata(L, -1);
    lua_pop(L, 1);
    r = lua_newuserdatauv(L, sizeof(*r), 0);
    sigv4_result_init(r);
    if(luaL_newmetatable(L, RESULT_MT)) {
        lua_pushcfunction(L, result_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &result_key);
    return r;
}

/* [-0, +1, m] The result (lsignres.c): the caller's headers, Host if we
 * added it, the signer's additions, then Authorization in header mode;
 * the url as it goes on the wire (the presigned query in presign mode),
 * or path?query when the request came as path= and query=. */
static void push_result(lua_State *L, const struct sign_args *a,
                        const struct sigv4_result *r)
{
    struct lsignres_parts p;
    struct sigv4_header more[5];
    size_t i;
    memset(&p, 0, sizeof(p));
    p.canonical_request = r->canonical_request.data;
    p.canonical_request_len = r->canonical_request.len;
    p.string_to_sign = r->string_to_sign.data;
    p.string_to_sign_len = r->string_to_sign.len;
    p.signature = r->signature;
    p.signature_len = 64;
    for(i = 0; i < r->nadded && i < 4; i++) {
        more[i].name = r->added[i].name;
        more[i].name_len = strlen(r->added[i].name);
        more[i].value = r->added[i].value;
        more[i].value_len = strlen(r->added[i].value);
    }
    if(!a->p.presign) {
        p.authorization = r->authorization.data ? r->authorization.data : "";
        p.authorization_len = r->authorization.len;
        more[i].name = "Authorization";
        more[i].name_len = 13;
        more[i].value = p.authorization;
        more[i++].value_len = p.authorization_len;
    }
    p.headers = a->headers;
    p.nheaders = a->req.nheaders;
    p.more = more;
    p.nmore = i;
    if(a->have_url) {
        p.url_prefix = a->url.scheme;
        p.url_prefix_len = (size_t)(a->url.authority - a->url.scheme) +
                           a->url.authority_len;
    }
    p.path = a->req.path;
    p.path_len = a->req.path_len;
    p.query = a->p.presign ? r->query.data : a->req.query;
    p.query_len = a->p.presign ? r->query.len : a->req.query_len;
    lsignres_push(L, &p);
}

static int aws_sign(lua_State *L)
{
    struct sign_args a;
    struct sigv4_result *r;
    struct iam_err err;
    int rc;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    memset(&a, 0, sizeof(a));
    read_args(L, &a);
    r = get_result(L);
    iam_err_clear(&err);
    rc = sigv4_sign(&a.req, &a.p, r, &err);
    if(rc == IAM_EINVAL)
        return luaL_argerror(L, 1, lua_pushstring(L, err.msg));
    if(rc)
        return luaL_error(L, "sign: %s", err.msg);
    push_result(L, &a, r);
    return 1;
}

void lsign_push(lua_State *L)
{
    int i;
    lsignres_init(L);
    luaL_checkstack(L, K_COUNT + 2, "aws.sign");
    for(i = 0; i < K_COUNT; i++)
        lua_pushstring(L, key_names[i]);
    lua_createtable(L, 0, K_COUNT); /* FIELDS_UPVALUE */
    for(i = 0; i < K_COUNT; i++) {
        lua_pushinteger(L, level_of((enum key)i));
        lua_setfield(L, -2, key_names[i]);
    }
    lua_pushcclosure(L, aws_sign, K_COUNT + 1);
}
