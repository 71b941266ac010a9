/* lclass.h - the metatable of a userdata type that holds a resource. */
#ifndef IAM_LCLASS_H
#define IAM_LCLASS_H

#include <lauxlib.h>
#include <lua.h>

/* [-0, +1, m] As luaL_newmetatable (pushes the registry's metatable
 * `name`; returns 1 if it was just made), and on making it sets __gc and
 * __close to `release` and, when `methods` is not NULL, __index to a
 * table of them. The caller may add fields when it returns 1. */
int lclass_newmetatable(lua_State *L, const char *name,
                        const luaL_Reg *methods, lua_CFunction release);

#endif
