/* ljson.h - JSON decoding for the aws module. */
#ifndef IAM_LJSON_H
#define IAM_LJSON_H

#include <lua.h>

/* [-1, +1|2, m] aws.json.decode(s): the value, or nil and a message. */
int ljson_decode(lua_State *L);

/* [-0, +1, m] Pushes a jansson value in the shared data model (null is
 * aws.null, arrays and objects with their metatables, object keys in
 * order); lvalue_init must have run. The value is only read. */
struct json_t;
void ljson_push(lua_State *L, struct json_t *v);

#endif
