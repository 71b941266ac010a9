/* lintr.h - Ctrl-C in Lua code that must not be swallowed.
 *
 * Ctrl-C raises one value per state, kept in the registry:
 * { code = "KeyboardInterrupt", kind = "interrupt", message = "interrupted" }
 * whose tostring() is "interrupted!" (lua.c's words). Being one value, it
 * can be told apart from any error a script raises. For scripts the host
 * replaces pcall and xpcall with versions that raise it again when they
 * catch it, after the protected call has unwound (so its __close handlers
 * ran): a script may clean up, never carry on.
 */
#ifndef IAM_LINTR_H
#define IAM_LINTR_H

#include <lua.h>

/* [-0, +1, m] Pushes the interrupt value, creating it on first use. */
void lintr_push(lua_State *L);
/* [-0, +0, -] True when the value at idx is the interrupt value. */
int lintr_is(lua_State *L, int idx);
/* [-0, +0, e] Replaces the globals pcall and xpcall with interrupt-aware
 * versions. */
void lintr_install(lua_State *L);

#endif
