/* lvalue.h - C access to the shared JSON data model of scripts/aws/value.lua
 * (null sentinel, array and object metatables). */
#ifndef IAM_LVALUE_H
#define IAM_LVALUE_H

#include <lua.h>

enum lvalue_which { LVALUE_NULL, LVALUE_ARRAY_MT, LVALUE_OBJECT_MT };

/* [-0, +0, e] Requires "aws.value" once and keeps its pieces in the
 * registry. */
void lvalue_init(lua_State *L);
/* [-0, +1, -] Pushes the null sentinel or one of the metatables. */
void lvalue_push(lua_State *L, enum lvalue_which which);
/* [-0, +0, m] Appends key (at -2) = value (at -1) to the object at idx,
 * recording the key's order, and pops both; idx must be absolute. */
void lvalue_objset(lua_State *L, int idx);

#endif
