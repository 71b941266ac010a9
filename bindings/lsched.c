/* lsched.c - the task scheduler's C half (see lsched.h).
 *
 * Policy (concurrency, order of results, fail-fast, which scheduler a
 * task belongs to) lives in Lua (scripts/aws/parallel.lua), as NSE keeps
 * its queues in nse_main.lua; this file only parks coroutines on requests
 * and reports which are ready. libcurl's completion callback only links a
 * record into the ready list; coroutines are resumed by Lua after
 * core.wait() returns, never from inside a callback.
 */
#include <lauxlib.h>
#include <lua.h>

#include "lsched.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static const char sentinel_key = 0;  /* light userdata yielded by parks */
static const char pending_key = 0;   /* registry: thread -> request box */
static const char state_key = 0;     /* registry: the struct lsched box */
static const char transport_key = 0; /* registry: the transport box */

/* The scheduler state of a Lua state. A userdata anchored in the registry
 * with no finalizer and nothing allocated behind it: it stays valid until
 * lua_close frees it after every finalizer has run, so request boxes may
 * unlink themselves from its list in any order. */
struct lsched {
    int active; /* nesting depth of running schedulers */
    struct lsched_wait *head, *tail; /* ready, in completion order */
    int nready;
};

static struct lsched *get_sched(lua_State *L)
{
    struct lsched *s;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key);
    s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if(s)
        return s;
    s = lua_newuserdatauv(L, sizeof(*s), 0);
    memset(s, 0, sizeof(*s));
    lua_rawsetp(L, LUA_REGISTRYINDEX, &state_key);
    return s;
}

static int transport_gc(lua_State *L)
{
    struct transport **box = lua_touserdata(L, 1);
    /* Detaches every request still queued or in flight: their boxes may
     * be finalized after this one. */
    transport_free(*box);
    *box = NULL;
    return 0;
}

struct transport *lsched_transport(lua_State *L)
{
    struct transport **box;
    struct iam_err err = {0};
    lua_rawgetp(L, LUA_REGISTRYINDEX, &transport_key);
    box = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if(box && *box)
        return *box;
    box = lua_newuserdatauv(L, sizeof(*box), 0);
    *box = NULL;
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, transport_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    if(transport_new(box, &err) != IAM_OK)
        luaL_error(L, "%s", err.msg);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &transport_key);
    return *box;
}

int lsched_can_park(lua_State *L)
{
    /* The main thread is never yieldable, so this also means "in a
     * coroutine that some scheduler will resume". */
    return get_sched(L)->active > 0 && lua_isyieldable(L);
}

void lsched_push_sentinel(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&sentinel_key);
}

/* [-0, +1, m] The pending table, created on first use. */
static void push_pending(lua_State *L)
{
    if(lua_rawgetp(L, LUA_REGISTRYINDEX, &pending_key) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &pending_key);
    }
}

static void unlink_ready(struct lsched_wait *w)
{
    struct lsched *s = w->sched;
    if(!w->linked)
        return;
    if(w->prev)
        w->prev->next = w->next;
    else
        s->head = w->next;
    if(w->next)
        w->next->prev = w->prev;
    else
        s->tail = w->prev;
    w->prev = w->next = NULL;
    w->linked = 0;
    s->nready--;
}

/* Transport completion: only links the record (no allocation, so it
 * cannot fail); Lua resumes the thread later. */
static void on_ready(struct treq *r, void *ud)
{
    struct lsched_wait *w = ud;
    struct lsched *s = w->sched;
    (void)r;
    if(w->linked || w->thread_ref == LUA_NOREF)
        return;
    w->next = NULL;
    w->prev = s->tail;
    if(s->tail)
        s->tail->next = w;
    else
        s->head = w;
    s->tail = w;
    w->linked = 1;
    s->nready++;
}

void lsched_park(lua_State *L, int box, struct treq *r,
                 struct lsched_wait *w)
{
    struct lsched *s = get_sched(L);
    lsched_forget(L, w);
    push_pending(L);       /* pending */
    lua_pushthread(L);     /* pending, thread */
    lua_pushvalue(L, box); /* pending, thread, box */
    lua_rawset(L, -3);     /* pending[thread] = box (may raise: nothing
                              else is set yet) */
    lua_pop(L, 1);
    lua_pushthread(L);
    w->thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    w->sched = s;
    /* Last, and raising nothing: from here a completion reaches w. */
    r->on_done = on_ready;
    r->ud = w;
    if(r->done) /* finished before it was parked (treq_cancel) */
        on_ready(r, w);
}

void lsched_forget(lua_State *L, struct lsched_wait *w)
{
    if(w->sched)
        unlink_ready(w);
    if(w->thread_ref != LUA_NOREF && w->thread_ref != 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, w->thread_ref);
    }
    w->thread_ref = LUA_NOREF;
}

void lsched_unpark(lua_State *L, struct lsched_wait *w)
{
    lsched_forget(L, w);
    push_pending(L);
    lua_pushthread(L);
    lua_pushnil(L);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* core.wait(timeout_ms) -> array of threads whose request finished, in
 * completion order; empty when nothing finished within the timeout (or
 * nothing is in flight: the caller decides whether that is a deadlock). */
static int sched_wait(lua_State *L)
{
    struct lsched *s = get_sched(L);
    struct transport *t = lsched_transport(L);
    lua_Integer timeout = luaL_optinteger(L, 1, 1000);
    int n = 0;
    if(s->nready == 0 && transport_running(t) > 0)
        transport_step(t, (int)(timeout > 0 ? timeout : 0));
    else if(transport_running(t) > 0)
        transport_step(t, 0);
    /* Sized first: filling the array part then allocates nothing, so no
     * record is taken off the list and then lost to a memory error. */
    lua_createtable(L, s->nready, 0);
    luaL_checkstack(L, 2, "core.wait");
    while(s->head) {
        struct lsched_wait *w = s->head;
        unlink_ready(w);
        lua_rawgeti(L, LUA_REGISTRYINDEX, w->thread_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, w->thread_ref);
        w->thread_ref = LUA_NOREF;
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* core.cancel(thread): abandons the thread's request, if any: closing its
 * box frees the request, which leaves the transport and the ready list. */
static int sched_cancel(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTHREAD);
    push_pending(L);
    lua_pushvalue(L, 1);
    if(lua_rawget(L, -2) != LUA_TNIL) {
        if(luaL_callmeta(L, -1, "__close"))
            lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_rawset(L, -3);
    return 0;
}

/* core.sched_enter() / core.sched_leave(): brackets a scheduler run so
 * that requests inside its tasks park instead of blocking. */
static int sched_enter(lua_State *L)
{
    get_sched(L)->active++;
    return 0;
}

static int sched_leave(lua_State *L)
{
    struct lsched *s = get_sched(L);
    if(s->active > 0)
        s->active--;
    return 0;
}

/* core.in_flight() -> number of requests the transport holds (in flight
 * or waiting out a backoff) */
static int sched_in_flight(lua_State *L)
{
    lua_pushinteger(L, transport_running(lsched_transport(L)));
    return 1;
}

/* The C half of coroutine.wrap's replacement: calls the Lua body (its
 * upvalue) protected and, like lua5.4's auxwrap, prefixes a string error
 * with the caller's position. In C so that the caller's frame is still
 * there when the wrapped function was tail-called (a Lua wrapper's frame
 * would replace it); yields pass through the continuation. */
static int wrap_finish(lua_State *L, int status, lua_KContext base)
{
    if(status != LUA_OK && status != LUA_YIELD) {
        if(status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return lua_gettop(L) - (int)base;
}

static int wrap_call(lua_State *L)
{
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    return wrap_finish(L, lua_pcallk(L, n, LUA_MULTRET, 0, 0, wrap_finish),
                       0);
}

/* core.cwrap(body) -> function calling body as wrap_call does */
static int sched_cwrap(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    lua_pushcclosure(L, wrap_call, 1);
    return 1;
}

/* core.sleep(seconds): blocks the process (the caller is not a task, or
 * no request is in flight while tasks sleep); returns early on Ctrl-C. */
static int sched_sleep(lua_State *L)
{
    lua_Number secs = luaL_checknumber(L, 1);
    struct timespec ts, rem;
    luaL_argcheck(L, secs >= 0 && secs < 1e7, 1, "out of range");
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (lua_Number)ts.tv_sec) * 1e9);
    while(nanosleep(&ts, &rem) != 0 && errno == EINTR &&
          !transport_interrupted())
        ts = rem;
    return 0;
}

/* core.interrupted() -> true once Ctrl-C was pressed: schedulers stop */
static int sched_interrupted(lua_State *L)
{
    lua_pushboolean(L, transport_interrupted());
    return 1;
}

/* core.ready_count() -> completions not yet taken by core.wait */
static int sched_ready_count(lua_State *L)
{
    lua_pushinteger(L, get_sched(L)->nready);
    return 1;
}

void lsched_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"wait", sched_wait},
                                     {"cancel", sched_cancel},
                                     {"sched_enter", sched_enter},
                                     {"sched_leave", sched_leave},
                                     {"in_flight", sched_in_flight},
                                     {"ready_count", sched_ready_count},
                                     {"interrupted", sched_interrupted},
                                     {"cwrap", sched_cwrap},
                                     {"sleep", sched_sleep},
                                     {NULL, NULL}};
    luaL_setfuncs(L, funcs, 0);
    lsched_push_sentinel(L);
    lua_setfield(L, -2, "sentinel");
}
