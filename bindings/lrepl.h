/* lrepl.h - line editing for `iamlua -i`, over libedit (lrepl.c).
 *
 * Only the shipped driver (scripts/cli/repl.lua) uses it, so it goes into
 * the private host table, never into `require "aws"`.
 */
#ifndef IAM_LREPL_H
#define IAM_LREPL_H

#include <lua.h>

/* Adds editor and term_columns to the table on top of the stack.
 * [-0, +0, m] */
void lrepl_register(lua_State *L);

#endif
