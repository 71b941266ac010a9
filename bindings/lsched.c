/* lsched.c - the task scheduler's C half (see lsched.h).
 *
 * Policy (concurrency, order of results, fail-fast) lives in Lua
 * (scripts/aws/parallel.lua), as NSE keeps its queues in nse_main.lua; this
 * file only parks coroutines on requests and reports which are ready.
 * libcurl's completion callback only records readiness; coroutines are
 * resumed by Lua after core.wait() returns, never from inside a callback.
 */
#include <lauxlib.h>
#include <lua.h>

#include "lsched.h"

#include <stdlib.h>
#include <string.h>

static const char sentinel_key = 0;  /* light userdata yielded by parks */
static const char pending_key = 0;   /* registry: thread -> request box */
static const char state_key = 0;     /* registry: the struct sched box */
static const char transport_key = 0; /* registry: the transport box */

struct sched {
    int active;       /* nesting depth of running schedulers */
    int *ready;       /* registry refs of threads whose request is done */
    size_t nready, cap;
};

/* What a completion needs: which thread to report. */
struct parked {
    struct sched *sched;
    int thread_ref;
};

static int sched_gc(lua_State *L)
{
    struct sched *s = lua_touserdata(L, 1);
    free(s->ready);
    s->ready = NULL;
    return 0;
}

static struct sched *get_sched(lua_State *L)
{
    struct sched *s;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key);
    s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if(s)
        return s;
    s = lua_newuserdatauv(L, sizeof(*s), 0);
    memset(s, 0, sizeof(*s));
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, sched_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &state_key);
    return s;
}

static int transport_gc(lua_State *L)
{
    struct transport **box = lua_touserdata(L, 1);
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

/* [-0, +1, e] The pending table, created on first use. */
static void push_pending(lua_State *L)
{
    if(lua_rawgetp(L, LUA_REGISTRYINDEX, &pending_key) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &pending_key);
    }
}

/* transport completion: only record; Lua resumes later. */
static void on_ready(struct treq *r, void *ud)
{
    struct parked *p = ud;
    struct sched *s = p->sched;
    (void)r;
    if(s->nready == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        int *n = realloc(s->ready, ncap * sizeof(*n));
        if(!n)
            return; /* wait() notices the request done by polling */
        s->ready = n;
        s->cap = ncap;
    }
    s->ready[s->nready++] = p->thread_ref;
    p->thread_ref = LUA_NOREF;
}

void lsched_park(lua_State *L, int box, struct treq *r)
{
    struct sched *s = get_sched(L);
    struct parked *p;
    push_pending(L);          /* pending */
    lua_pushthread(L);        /* pending, thread */
    lua_createtable(L, 2, 0); /* pending, thread, entry */
    lua_pushvalue(L, box);
    lua_rawseti(L, -2, 1);    /* entry[1] = request box */
    p = lua_newuserdatauv(L, sizeof(*p), 0);
    p->sched = s;
    lua_rawseti(L, -2, 2);    /* entry[2] = parked record */
    lua_rawset(L, -3);        /* pending[thread] = entry */
    lua_pop(L, 1);
    lua_pushthread(L);
    p->thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    r->on_done = on_ready;
    r->ud = p;
}

void lsched_unpark(lua_State *L)
{
    push_pending(L);
    lua_pushthread(L);
    lua_pushnil(L);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* core.wait(timeout_ms) -> array of threads whose request finished, maybe
 * empty; raises "interrupted" after Ctrl-C. */
static int sched_wait(lua_State *L)
{
    struct sched *s = get_sched(L);
    struct transport *t = lsched_transport(L);
    lua_Integer timeout = luaL_optinteger(L, 1, 1000);
    size_t i;
    int n = 0;
    if(s->nready == 0 && transport_running(t) > 0)
        transport_step(t, (int)(timeout > 0 ? timeout : 0));
    else if(transport_running(t) > 0)
        transport_step(t, 0);
    lua_createtable(L, (int)s->nready, 0);
    for(i = 0; i < s->nready; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->ready[i]);
        luaL_unref(L, LUA_REGISTRYINDEX, s->ready[i]);
        lua_rawseti(L, -2, ++n);
    }
    s->nready = 0;
    return 1;
}

/* core.cancel(thread): abandons the thread's request, if any. */
static int sched_cancel(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTHREAD);
    push_pending(L);
    lua_pushvalue(L, 1);
    if(lua_rawget(L, -2) == LUA_TTABLE) {
        struct parked *p;
        lua_rawgeti(L, -1, 2);
        p = lua_touserdata(L, -1);
        if(p && p->thread_ref != LUA_NOREF) {
            luaL_unref(L, LUA_REGISTRYINDEX, p->thread_ref);
            p->thread_ref = LUA_NOREF;
        }
        lua_pop(L, 1);
        lua_rawgeti(L, -1, 1); /* the box: closing it frees the request */
        if(luaL_callmeta(L, -1, "__close"))
            lua_pop(L, 1);
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
    struct sched *s = get_sched(L);
    if(s->active > 0)
        s->active--;
    return 0;
}

/* core.in_flight() -> number of requests the transport is running */
static int sched_in_flight(lua_State *L)
{
    lua_pushinteger(L, transport_running(lsched_transport(L)));
    return 1;
}

void lsched_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"wait", sched_wait},
                                     {"cancel", sched_cancel},
                                     {"sched_enter", sched_enter},
                                     {"sched_leave", sched_leave},
                                     {"in_flight", sched_in_flight},
                                     {NULL, NULL}};
    luaL_setfuncs(L, funcs, 0);
    lsched_push_sentinel(L);
    lua_setfield(L, -2, "sentinel");
}
