/* lprompt.h - line editing for the CLI's auto-prompt, over libedit.
 *
 * Only the shipped driver (scripts/cli/prompt.lua) uses these, so they
 * go into the private host table, never into `require "aws"`.
 */
#ifndef LPROMPT_H
#define LPROMPT_H

#include <lua.h>

/* Adds readline and stdin_kind to the table on top of the stack.
 * [-0, +0, m] */
void lprompt_register(lua_State *L);

#endif
