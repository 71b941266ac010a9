/* lclient.h - the `aws.client` userdata: a service client whose calls go
 * through core's session (resolve, sign) and transport (send). */
#ifndef IAM_LCLIENT_H
#define IAM_LCLIENT_H

#include <lua.h>

#define LCLIENT_MT "aws.client"

/* [-2, +1, e] core.client(service, opts) */
int aws_client(lua_State *L);
/* [-0, +0, e] Creates the metatable; Lua adds methods to its __index. */
void lclient_init(lua_State *L);
/* [-1, +1|2, m] core._xml_decode(body [, shape [, wire]]) for tests and
 * scripts holding a saved response. */
int aws_xml_decode(lua_State *L);

#endif
