/* ljson.h - JSON decoding for the aws module. */
#ifndef IAM_LJSON_H
#define IAM_LJSON_H

#include <lua.h>

/* [-1, +1|2, m] aws.json.decode(s): the value, or nil and a message. */
int ljson_decode(lua_State *L);

#endif
