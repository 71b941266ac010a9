/* lclient.c - aws.client: translation between Lua and core/session.c.
 *
 * client:_send(action, params, shape) sends one request: for a Query
 * service params is an array of {name, value} string pairs already
 * flattened by Lua, for a JSON-protocol service (Organizations) the
 * request's JSON text; shape is the output shape (or nil). It returns the
 * converted result or nil, err.
 * Outside a task the call drives the shared transport until its own request
 * is done; the same request path serves concurrent tasks (lsched.c).
 */
#include <lauxlib.h>
#include <lua.h>

#include "lclass.h"
#include "lclient.h"
#include "lerr.h"
#include "ljshape.h"
#include "lsched.h"
#include "lshape.h"
#include "ltty.h"
#include "lvalue.h"
#include "session.h"
#include "transport.h"
#include "xml.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

struct lreq;

/* Lifetimes (docs/LIFETIMES.md): the client knows every request box of
 * its calls in progress (`reqs`); closing it cancels them, so a task
 * parked on one wakes with a ClientClosed error instead of touching a
 * freed session. While a session function runs (`busy`), a close from
 * the debug trace function only marks the client; the session is freed
 * when that function returns. */
struct lclient {
    struct session *s;
    lua_State *L; /* for the trace callback; set per call */
    int wire_ts;
    int busy;    /* session functions running (0 or 1) */
    int closing; /* closed while busy: free the session when idle */
    struct lreq *reqs;
};

/* A request in flight, boxed so that a raise anywhere frees it. It lives
 * across the request's attempts (retries) and is anchored on the calling
 * coroutine's stack (and in the scheduler's pending table while parked). */
struct lreq {
    struct treq *r;
    struct xml_doc *doc;
    json_t *json; /* a JSON-protocol answer */
    struct retry_call rc;
    size_t nparams;
    double delay; /* seconds to wait before the next attempt */
    struct lsched_wait wait;
    struct lclient *client; /* NULL once the client is closed */
    struct lreq *cprev, *cnext;
    int cancelled; /* the client was closed under this request */
};

static struct lclient *check_client(lua_State *L)
{
    struct lclient *c = luaL_checkudata(L, 1, LCLIENT_MT);
    if(!c->s || c->closing)
        luaL_error(L, "attempt to use a closed client");
    if(c->busy) /* redis's `inuse`: no re-entry from the trace function */
        luaL_error(L, "attempt to use a client from its own debug function");
    return c;
}

/* Brackets a session call that may run the trace function (Lua). Returns
 * false when the client was closed meanwhile (and is now freed). */
static void client_enter(struct lclient *c, lua_State *L)
{
    c->busy++;
    c->L = L;
}

static int client_leave(struct lclient *c)
{
    c->L = NULL;
    if(--c->busy == 0 && c->closing) {
        session_free(c->s);
        c->s = NULL;
    }
    return c->s != NULL && !c->closing;
}

/* Hands one trace line to the Lua function in the client's uservalue. A
 * failing trace function must not unwind through core, so it runs
 * protected and its error is dropped. */
static void on_trace(void *ud, const char *line)
{
    struct lclient *c = ud;
    lua_State *L = c->L;
    if(!L || !lua_checkstack(L, 3))
        return;
    lua_getiuservalue(L, 1, 1);
    if(lua_isfunction(L, -1)) {
        lua_pushstring(L, line);
        if(lua_pcall(L, 1, 0, 0) != LUA_OK)
            lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
    }
}

static const char *opt_string(lua_State *L, int t, const char *k)
{
    const char *s = NULL;
    int ty = lua_getfield(L, t, k);
    if(ty != LUA_TNIL) {
        if(ty != LUA_TSTRING)
            luaL_error(L, "bad option '%s' to 'client' (string expected, got %s)",
                       k, luaL_typename(L, -1));
        s = lua_tostring(L, -1);
        /* C sees the string up to its first NUL: refuse what it would cut */
        if(strlen(s) != lua_rawlen(L, -1))
            luaL_error(L, "bad option '%s' to 'client' (contains a NUL)", k);
    }
    lua_pop(L, 1); /* the string stays alive in the options table */
    return s;
}

static long opt_ms(lua_State *L, int t, const char *k)
{
    long v = -1;
    int ty = lua_getfield(L, t, k);
    if(ty != LUA_TNIL) {
        lua_Number secs;
        if(ty != LUA_TNUMBER)
            luaL_error(L, "bad option '%s' to 'client' (number expected, got %s)",
                       k, luaL_typename(L, -1));
        secs = lua_tonumber(L, -1);
        luaL_argcheck(L, secs >= 0 && secs < 1e7, 2, "timeout out of range");
        v = (long)(secs * 1000);
    }
    lua_pop(L, 1);
    return v;
}

static int opt_bool(lua_State *L, int t, const char *k, int def)
{
    int v = def;
    if(lua_getfield(L, t, k) != LUA_TNIL)
        v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* core.client(service, opts): opts = { profile, region, endpoint_url,
 * ca_bundle, verify_ssl, sign, connect_timeout, read_timeout, user_agent,
 * retry_mode, max_attempts, correct_clock_skew,
 * timestamp_format = "iso8601"|"wire", debug = function(line),
 * _external_credentials, _credential_sts }. scripts/aws/options.lua has
 * checked names and types of what users pass; the two private flags are
 * set by scripts/aws/credentials.lua. opts is only read. */
int aws_client(lua_State *L)
{
    struct session_opts o = {0};
    struct iam_err err = {0};
    struct lclient *c;
    const char *ts;
    o.service = luaL_checkstring(L, 1);
    if(lua_isnoneornil(L, 2)) {
        lua_settop(L, 1);
        lua_newtable(L);
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    luaL_argcheck(L, strcmp(o.service, "iam") == 0 ||
                     strcmp(o.service, "sts") == 0 ||
                     strcmp(o.service, "organizations") == 0, 1,
                  "unsupported service (iam, sts, organizations)");
    o.profile = opt_string(L, 2, "profile");
    o.region = opt_string(L, 2, "region");
    o.endpoint_url = opt_string(L, 2, "endpoint_url");
    o.ca_bundle = opt_string(L, 2, "ca_bundle");
    o.user_agent = opt_string(L, 2, "user_agent");
    o.verify_tls = opt_bool(L, 2, "verify_ssl", 1);
    o.sign = opt_bool(L, 2, "sign", 1);
    o.prompt = ltty_getpass;
    o.retry_mode = opt_string(L, 2, "retry_mode");
    o.correct_clock_skew = -1;
    if(lua_getfield(L, 2, "correct_clock_skew") != LUA_TNIL)
        o.correct_clock_skew = lua_toboolean(L, -1);
    lua_pop(L, 1);
    o.external_credentials = opt_bool(L, 2, "_external_credentials", 0);
    o.credential_sts = opt_bool(L, 2, "_credential_sts", 0);
    /* The text of the number stays at 3 until session_new has copied it:
     * the caller's table is never written (it may be reused). */
    if(lua_getfield(L, 2, "max_attempts") != LUA_TNIL) {
        luaL_argcheck(L, lua_isinteger(L, -1), 2,
                      "max_attempts must be an integer");
        o.max_attempts = lua_tostring(L, -1);
    }
    o.connect_timeout_ms = opt_ms(L, 2, "connect_timeout");
    o.read_timeout_ms = opt_ms(L, 2, "read_timeout");
    ts = opt_string(L, 2, "timestamp_format");
    luaL_argcheck(L, !ts || strcmp(ts, "wire") == 0 ||
                     strcmp(ts, "iso8601") == 0, 2,
                  "timestamp_format must be 'iso8601' or 'wire'");
    c = lua_newuserdatauv(L, sizeof(*c), 1); /* at 4: closed until the session exists */
    memset(c, 0, sizeof(*c));
    c->wire_ts = ts && strcmp(ts, "wire") == 0;
    luaL_setmetatable(L, LCLIENT_MT);
    if(lua_getfield(L, 2, "debug") == LUA_TFUNCTION) {
        o.trace = on_trace;
        o.trace_ud = c;
    }
    lua_setiuservalue(L, -2, 1);
    if(session_new(&o, &c->s, &err) != IAM_OK)
        return luaL_error(L, "%s", err.msg);
    return 1;
}

static void lreq_unlink(struct lreq *q)
{
    struct lclient *c = q->client;
    if(!c)
        return;
    if(q->cprev)
        q->cprev->cnext = q->cnext;
    else
        c->reqs = q->cnext;
    if(q->cnext)
        q->cnext->cprev = q->cprev;
    q->cprev = q->cnext = NULL;
    q->client = NULL;
}

static void lreq_release(struct lreq *q)
{
    treq_free(q->r);
    xml_free(q->doc);
    json_decref(q->json);
    q->r = NULL;
    q->doc = NULL;
    q->json = NULL;
}

/* __gc and __close of a request box. Whatever else is finalized before or
 * after it (the client, the transport, the scheduler state), this leaves
 * no pointer to it anywhere and follows none that may be stale. */
static int lreq_gc(lua_State *L)
{
    struct lreq *q = lua_touserdata(L, 1);
    lsched_forget(L, &q->wait);
    lreq_unlink(q);
    lreq_release(q);
    return 0;
}

/* [-0, +1, m] A new empty request box of client c. */
static struct lreq *new_lreq(lua_State *L, struct lclient *c)
{
    struct lreq *q = lua_newuserdatauv(L, sizeof(*q), 0);
    memset(q, 0, sizeof(*q));
    q->wait.thread_ref = LUA_NOREF;
    lclass_newmetatable(L, "aws.request", NULL, lreq_gc);
    lua_setmetatable(L, -2);
    if(c) {
        q->client = c;
        q->cnext = c->reqs;
        if(c->reqs)
            c->reqs->cprev = q;
        c->reqs = q;
    }
    return q;
}

/* Reads params (array of {name, value}) into parallel arrays in one
 * userdata that also holds a copy of every name and value: the request
 * owns what it sends. (Borrowing lua_tolstring's pointers is not enough:
 * a number converted on a stack copy dies with that copy, and a retry
 * signs again after any amount of garbage collection.) */
static size_t collect_params(lua_State *L, int idx, const char ***names,
                             size_t **nlens, const char ***values,
                             size_t **vlens)
{
    size_t i, n = lua_istable(L, idx) ? lua_rawlen(L, idx) : 0;
    size_t bytes = 0, len, head;
    char *mem, *p;
    if(n > 100000)
        luaL_error(L, "too many parameters");
    for(i = 0; i < n; i++) { /* first pass: check and measure */
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        luaL_argcheck(L, lua_istable(L, -1), idx, "parameter pairs expected");
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        if(lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1))
            luaL_argerror(L, idx, "parameter name and value must be strings");
        bytes += lua_rawlen(L, -2) + 1;
        lua_tolstring(L, -1, &len);
        bytes += len + 1;
        luaL_argcheck(L, bytes < ((size_t)64 << 20), idx,
                      "parameters are too large");
        lua_pop(L, 3);
    }
    head = (n + 1) * (2 * sizeof(char *) + 2 * sizeof(size_t));
    mem = lua_newuserdatauv(L, head + bytes + 1, 0);
    *names = (const char **)(void *)mem;
    *values = *names + n + 1;
    *nlens = (size_t *)(*values + n + 1);
    *vlens = *nlens + n + 1;
    p = mem + head;
    for(i = 0; i < n; i++) { /* second pass: copy */
        const char *str;
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        str = lua_tolstring(L, -2, &len);
        memcpy(p, str, len + 1);
        (*names)[i] = p;
        (*nlens)[i] = len;
        p += len + 1;
        str = lua_tolstring(L, -1, &len);
        if(p + len + 1 > mem + head + bytes + 1) /* changed under us */
            luaL_argerror(L, idx, "parameters changed while being read");
        memcpy(p, str, len + 1);
        (*values)[i] = p;
        (*vlens)[i] = len;
        p += len + 1;
        lua_pop(L, 3);
    }
    return n;
}

/* [-0, +1|2, m] Pushes the result of a finished request, or nil, err. */
static int push_result(lua_State *L, struct lclient *c, struct lreq *q,
                       const struct xml_node *res, int shape_idx)
{
    struct lshape_ctx ctx;
    if(!res) { /* actions without a result element answer {} */
        lua_newtable(L);
        lvalue_push(L, LVALUE_OBJECT_MT);
        lua_setmetatable(L, -2);
        return 1;
    }
    (void)q;
    lvalue_push(L, LVALUE_OBJECT_MT);
    lvalue_push(L, LVALUE_ARRAY_MT);
    ctx.object_mt = lua_gettop(L) - 1;
    ctx.array_mt = lua_gettop(L);
    ctx.wire_timestamps = c->wire_ts;
    lshape_push(L, res, shape_idx, &ctx);
    lua_replace(L, ctx.object_mt);
    lua_pop(L, 1);
    return 1;
}

/* [-0, +1, m] Pushes a JSON-protocol result by the shape at shape_idx. */
static int push_json_result(lua_State *L, struct lclient *c, json_t *v,
                            int shape_idx)
{
    struct lshape_ctx ctx = {0};
    ctx.wire_timestamps = c->wire_ts;
    ljshape_push(L, v, shape_idx, &ctx);
    return 1;
}

static int push_error(lua_State *L, const struct iam_err *err,
                      const char *action)
{
    luaL_pushfail(L);
    lerr_push(L, err, action);
    return 2;
}

/* [-0, +2, m] nil, err for a call whose client was closed under it. */
static int push_closed(lua_State *L, struct lreq *q, const char *action)
{
    struct iam_err err = {0};
    lreq_release(q);
    lreq_unlink(q);
    iam_errc(&err, IAM_ECANCELLED, "ClientClosed",
             "The client was closed while the %s request was in progress.",
             action);
    iam_err_kind(&err, IAM_KIND_USAGE);
    return push_error(L, &err, action);
}

/* The parameter arrays collect_params built in the userdata at index 5. */
static void param_arrays(lua_State *L, size_t n, const char ***names,
                         size_t **nlens, const char ***values, size_t **vlens)
{
    void *mem = lua_touserdata(L, 5);
    *names = mem;
    *values = *names + n + 1;
    *nlens = (size_t *)(*values + n + 1);
    *vlens = *nlens + n + 1;
}

static int send_cont(lua_State *L, int status, lua_KContext ctx);

/* One attempt's signed request: the Query pairs, or the JSON text at 3. */
static int prepare(lua_State *L, struct lclient *c, const char *action,
                   const char **names, size_t *nlens, const char **values,
                   size_t *vlens, struct lreq *q, struct iam_err *err)
{
    size_t len;
    const char *body;
    if(lua_type(L, 3) == LUA_TSTRING) {
        body = lua_tolstring(L, 3, &len);
        return session_prepare_json(c->s, action, body, len, &q->r, err);
    }
    return session_prepare(c->s, action, names, nlens, values, vlens,
                           q->nparams, &q->r, err);
}

/* Parks the running task on q's request (yields; send_cont continues). */
static int park(lua_State *L, struct lreq *q)
{
    lsched_park(L, 6, q->r, &q->wait);
    lsched_push_sentinel(L);
    return lua_yieldk(L, 1, 0, send_cont);
}

/* Sends attempts of the request in the box at 6 until one is final:
 * the request's whole life, shared by the blocking path and by parked
 * tasks (which come back here through send_cont after every yield).
 * `resumed`: an attempt finished while the task was parked. Stack:
 * client, action, params, shape, param arrays, request box. */
static int run_request(lua_State *L, struct lclient *c, struct lreq *q,
                       int resumed)
{
    const char *action = lua_tostring(L, 2);
    int shape = lua_isnil(L, 4) ? 0 : 4, n, rc, retry;
    struct transport *t = lsched_transport(L);
    for(;;) {
        struct iam_err err = {0};
        const struct xml_node *res = NULL;
        double delay;
        if(!resumed) {
            const char **names, **values;
            size_t *nlens, *vlens;
            param_arrays(L, q->nparams, &names, &nlens, &values, &vlens);
            treq_free(q->r);
            q->r = NULL;
            client_enter(c, L);
            rc = prepare(L, c, action, names, nlens, values, vlens, q, &err);
            /* After the backoff, the adaptive rate limiter's token: the
             * transport asks for it when the attempt is due. Signing
             * happens now; the signature outlives the wait (about 20 s
             * plus the send rate's, SigV4 allowing 5 minutes). The
             * session outlives the request in the transport: closing or
             * collecting the client cancels its calls first. */
            if(rc == IAM_OK) {
                q->r->admit = session_admit;
                q->r->admit_ctx = c->s;
            }
            if(!client_leave(c))
                return push_closed(L, q, action);
            if(rc != IAM_OK ||
               transport_submit_after(t, q->r, (long)(q->delay * 1000),
                                      &err) != IAM_OK) {
                n = push_error(L, &err, action);
                lreq_release(q);
                return n;
            }
            q->rc.attempt++;
            q->delay = 0;
            if(lsched_can_park(L))
                return park(L, q);
            while(!q->r->done)
                transport_step(t, 1000);
        }
        resumed = 0;
        if(q->cancelled || !c->s)
            return push_closed(L, q, action);
        client_enter(c, L);
        xml_free(q->doc);
        json_decref(q->json);
        q->doc = NULL;
        q->json = NULL;
        if(lua_type(L, 3) == LUA_TSTRING)
            session_response_json(c->s, q->r, action, &q->json, &err);
        else
            session_response(c->s, q->r, action, &q->doc, &res, &err);
        retry = session_retry(c->s, &q->rc, q->r, &err, &delay);
        if(!client_leave(c))
            return push_closed(L, q, action);
        if(retry) {
            q->delay = delay;
            continue;
        }
        if(err.st != IAM_OK)
            n = push_error(L, &err, action);
        else if(q->json)
            n = push_json_result(L, c, q->json, shape);
        else
            n = push_result(L, c, q, res, shape);
        /* Free the request now, not when the collector gets to its box:
         * the GC sees a few bytes of userdata, not the curl handle and
         * buffers behind it, and would let thousands pile up. */
        lreq_release(q);
        return n;
    }
}

/* Continuation of a parked _send: the coroutine was resumed, normally
 * because its request finished. The stack is as it was at the yield. */
static int send_cont(lua_State *L, int status, lua_KContext ctx)
{
    struct lclient *c = luaL_checkudata(L, 1, LCLIENT_MT);
    struct lreq *q = lua_touserdata(L, 6);
    (void)status;
    (void)ctx;
    lua_settop(L, 6);
    if(q->r && !q->r->done && !q->cancelled) {
        /* Resumed before its answer came (by hand, or by a scheduler
         * that got it wrong): never parse an unfinished request. */
        if(lsched_can_park(L))
            return park(L, q);
        while(!q->r->done)
            transport_step(lsched_transport(L), 1000);
    }
    lsched_unpark(L, &q->wait);
    if(q->cancelled || !c->s || !q->r)
        return push_closed(L, q, lua_tostring(L, 2));
    return run_request(L, c, q, 1);
}

/* client:_send(action, params, shape) -> result | nil, err. Resolution
 * and signing errors are answered without yielding (OpenResty's "done in
 * a single run"). */
static int client_send(lua_State *L)
{
    struct lclient *c = check_client(L); /* client at 1 */
    const char **names, **values;
    size_t *nlens, *vlens;
    struct lreq *q;
    size_t n;
    luaL_checkstring(L, 2);
    if(!lua_isnoneornil(L, 3) && lua_type(L, 3) != LUA_TSTRING)
        luaL_checktype(L, 3, LUA_TTABLE);
    if(!lua_isnoneornil(L, 4))
        luaL_checktype(L, 4, LUA_TTABLE);
    lua_settop(L, 4); /* client, action, params, shape */
    lvalue_init(L);
    n = collect_params(L, 3, &names, &nlens, &values, &vlens); /* at 5 */
    q = new_lreq(L, c); /* at 6 */
    q->nparams = n;
    return run_request(L, c, q, 0);
}

/* client:_info() -> { region, profile, endpoint, signing_region,
 * credential_source } or nil, err when resolution fails. */
static int client_info(lua_State *L)
{
    struct lclient *c = check_client(L);
    struct iam_err err = {0};
    const struct endpoint *ep;
    int rc;
    client_enter(c, L);
    rc = session_resolve(c->s, &err);
    if(!client_leave(c))
        return luaL_error(L, "attempt to use a closed client");
    if(rc != IAM_OK) {
        luaL_pushfail(L);
        lerr_push(L, &err, NULL);
        return 2;
    }
    ep = session_endpoint(c->s);
    lua_createtable(L, 0, 5);
    lua_pushstring(L, session_region(c->s));
    lua_setfield(L, -2, "region");
    lua_pushstring(L, session_profile(c->s));
    lua_setfield(L, -2, "profile");
    lua_pushstring(L, ep->url);
    lua_setfield(L, -2, "endpoint");
    lua_pushstring(L, ep->signing_region);
    lua_setfield(L, -2, "signing_region");
    lua_pushstring(L, session_cred_source(c->s));
    lua_setfield(L, -2, "credential_source");
    return 1;
}

/* client:_check() -> true, or nil, err: the client-creation checks. */
static int client_check(lua_State *L)
{
    struct lclient *c = check_client(L);
    struct iam_err err = {0};
    if(session_check(c->s, &err) != IAM_OK) {
        luaL_pushfail(L);
        lerr_push(L, &err, NULL);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* client:_setting(key) -> value | nil; or nil, err when the config files
 * or the profile are unusable. */
static int client_setting(lua_State *L)
{
    struct lclient *c = check_client(L);
    const char *key = luaL_checkstring(L, 2);
    struct iam_err err = {0};
    const char *v;
    if(session_setting(c->s, key, &v, &err) != IAM_OK) {
        luaL_pushfail(L);
        lerr_push(L, &err, NULL);
        return 2;
    }
    lua_pushstring(L, v);
    return 1;
}

/* client:_set_credentials(id, secret, token|nil, expiry|nil, source)
 * -> true | nil, err: the credentials a client created with
 * _external_credentials signs with from now on (copied; the caller's
 * strings are not kept). expiry: epoch seconds. */
static int client_set_credentials(lua_State *L)
{
    struct lclient *c = check_client(L);
    const char *id = luaL_checkstring(L, 2);
    const char *secret = luaL_checkstring(L, 3);
    const char *token = luaL_optstring(L, 4, NULL);
    lua_Number expiry = luaL_optnumber(L, 5, 0);
    const char *source = luaL_optstring(L, 6, "explicit");
    struct iam_err err = {0};
    luaL_argcheck(L, expiry >= 0 && expiry < 1e12, 5, "expiry out of range");
    if(session_set_credentials(c->s, id, secret, token, (long long)expiry,
                               source, &err) != IAM_OK) {
        luaL_pushfail(L);
        lerr_push(L, &err, NULL);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* client:_credentials_expiry() -> false (none set yet) | 0 (they do not
 * expire) | epoch seconds. */
static int client_credentials_expiry(lua_State *L)
{
    struct lclient *c = check_client(L);
    long long expiry;
    if(!session_credentials_expiry(c->s, &expiry))
        lua_pushboolean(L, 0);
    else
        lua_pushinteger(L, (lua_Integer)expiry);
    return 1;
}

/* client:_timestamps("iso8601" | "wire"): how results carry timestamps. */
static int client_timestamps(lua_State *L)
{
    static const char *const names[] = {"iso8601", "wire", NULL};
    struct lclient *c = check_client(L);
    c->wire_ts = luaL_checkoption(L, 2, NULL, names) == 1;
    return 0;
}

/* __gc and __close. Requests of calls still in progress are cancelled
 * first: a task parked on one wakes with ClientClosed; one waiting out a
 * backoff leaves the transport. They own copies of what they send, so
 * nothing of theirs points into the session freed here. */
static int client_gc(lua_State *L)
{
    struct lclient *c = luaL_checkudata(L, 1, LCLIENT_MT);
    while(c->reqs) {
        struct lreq *q = c->reqs;
        q->cancelled = 1;
        lreq_unlink(q);
        treq_cancel(q->r, IAM_ECANCELLED, "client closed");
    }
    if(c->busy) { /* closed from its own debug function */
        c->closing = 1;
        return 0;
    }
    session_free(c->s);
    c->s = NULL;
    return 0;
}

static int client_tostring(lua_State *L)
{
    struct lclient *c = luaL_checkudata(L, 1, LCLIENT_MT);
    lua_pushfstring(L, "aws.client (%p)%s", (void *)c, c->s ? "" : " closed");
    return 1;
}

void lclient_init(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"_send", client_send},
        {"_info", client_info},
        {"_check", client_check},
        {"_setting", client_setting},
        {"_timestamps", client_timestamps},
        {"_set_credentials", client_set_credentials},
        {"_credentials_expiry", client_credentials_expiry},
        {NULL, NULL}};
    if(lclass_newmetatable(L, LCLIENT_MT, methods, client_gc)) {
        lua_pushcfunction(L, client_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
}

int aws_xml_decode(lua_State *L)
{
    size_t len;
    const char *body = luaL_checklstring(L, 1, &len);
    struct iam_err err = {0};
    struct xml_limits lim;
    struct lshape_ctx ctx;
    struct lreq *q;
    if(!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 3);
    lvalue_init(L);
    q = new_lreq(L, NULL); /* at 4 */
    xml_limits_default(&lim);
    if(xml_parse(body, len, &lim, &q->doc, &err) != IAM_OK) {
        luaL_pushfail(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    lvalue_push(L, LVALUE_OBJECT_MT); /* at 5 */
    lvalue_push(L, LVALUE_ARRAY_MT);  /* at 6 */
    ctx.object_mt = 5;
    ctx.array_mt = 6;
    ctx.wire_timestamps = lua_toboolean(L, 3);
    lshape_push(L, xml_root(q->doc), lua_isnil(L, 2) ? 0 : 2, &ctx);
    return 1;
}
