/* laws.h - the C half of the `aws` module ("aws.core") and the host's
 * private helpers for the CLI driver. */
#ifndef IAM_LAWS_H
#define IAM_LAWS_H

#include <lua.h>

/* [-0, +1, e] The aws.core table: sign, client, json_decode, _xml_decode. */
int luaopen_aws_core(lua_State *L);
/* [-0, +1, e] The table handed to scripts/cli.lua only (never global). */
void laws_push_host(lua_State *L);

#endif
