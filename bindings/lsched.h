/* lsched.h - running requests of many coroutines at once.
 *
 * Inside a task (a coroutine run by aws.parallel's scheduler) a request
 * parks: it is submitted, the coroutine yields a private sentinel, and
 * core.wait() later reports it ready; resuming it runs the request's
 * continuation, which pushes the result with the same function the blocking
 * path uses. Outside a task the same request simply drives the transport
 * until it is done.
 */
#ifndef IAM_LSCHED_H
#define IAM_LSCHED_H

#include <lua.h>

#include "transport.h"

/* True when the running coroutine belongs to an active scheduler and can
 * yield across this C call. */
int lsched_can_park(lua_State *L);
/* [-0, +0, e] Anchors the request box at `box` (absolute index) for the
 * running coroutine and arranges for `r`'s completion to mark it ready. */
void lsched_park(lua_State *L, int box, struct treq *r);
/* [-0, +1, -] Pushes the sentinel value a parked coroutine yields. */
void lsched_push_sentinel(lua_State *L);
/* [-0, +0, -] Forgets the running coroutine's parked request (after its
 * continuation has taken the result). */
void lsched_unpark(lua_State *L);
/* core.wait, core.cancel, core.sched_enter/leave, core.sentinel. */
void lsched_register(lua_State *L);
/* The process's transport (created on first use, freed with the state). */
struct transport *lsched_transport(lua_State *L);

#endif
