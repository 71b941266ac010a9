/* lsched.h - running requests of many coroutines at once.
 *
 * Inside a task (a coroutine run by aws.parallel's scheduler) a request
 * parks: it is submitted, the coroutine yields a private sentinel, and
 * core.wait() later reports it ready; resuming it runs the request's
 * continuation, which pushes the result with the same function the blocking
 * path uses. Outside a task the same request simply drives the transport
 * until it is done.
 *
 * Lifetimes (docs/LIFETIMES.md): the waiting record is embedded in the
 * object that owns the request (the request box), so a completion
 * allocates nothing and cannot be lost; the box is anchored in the
 * registry's pending table while its coroutine is parked; the box's
 * finalizer calls lsched_forget, so it may be collected in any order with
 * the scheduler state and the transport.
 */
#ifndef IAM_LSCHED_H
#define IAM_LSCHED_H

#include <lua.h>

#include "transport.h"

struct lsched;

/* One parked coroutine's place in the ready list. Zeroed, then owned by
 * the request box that embeds it. */
struct lsched_wait {
    struct lsched_wait *prev, *next; /* links while on the ready list */
    struct lsched *sched;            /* set by lsched_park */
    int thread_ref;                  /* registry ref of the parked thread */
    int linked;                      /* on the ready list */
};

/* True when the running coroutine belongs to an active scheduler and can
 * yield across this C call. */
int lsched_can_park(lua_State *L);
/* [-0, +0, m] Parks the running coroutine on `r`: anchors the request box
 * at `box` (absolute index) for it, takes a reference to the thread and
 * makes r's completion put `w` on the ready list. */
void lsched_park(lua_State *L, int box, struct treq *r,
                 struct lsched_wait *w);
/* [-0, +1, -] Pushes the sentinel value a parked coroutine yields. */
void lsched_push_sentinel(lua_State *L);
/* [-0, +0, -] The running coroutine's request is answered: drops its
 * pending entry and whatever `w` still holds. */
void lsched_unpark(lua_State *L, struct lsched_wait *w);
/* [-0, +0, -] For the box's finalizer: takes `w` off the ready list and
 * releases its thread reference. Safe in any state, also in lua_close. */
void lsched_forget(lua_State *L, struct lsched_wait *w);
/* core.wait, core.cancel, core.sched_enter/leave, core.sentinel. */
void lsched_register(lua_State *L);
/* The process's transport (created on first use, freed with the state). */
struct transport *lsched_transport(lua_State *L);

#endif
