/* ljshape.h - a JSON-protocol response (jansson) as Lua values, by shape.
 *
 * The same shape tables lshape.h describes, read as botocore's
 * BaseJSONParser reads a model:
 *   structure  object with the shape's members in shape order; a member
 *              whose JSON value is absent or null is left out; keys the
 *              shape does not name are ignored
 *   list       array; a null item is aws.null
 *   map        object in the JSON's key order
 *   timestamp  a number (epoch seconds), or a string Python's float()
 *              reads, is the local time as AWS CLI v2 prints it
 *              (core/jsonproto.h); other strings as lshape's ISO 8601
 *              rule; with wire_timestamps the value as sent
 *   anything else (strings, numbers, booleans, blobs as base64 text)
 *              as the JSON has it, as botocore's default handler does
 * A value of the wrong JSON type for its shape (an array where a
 * structure is expected, ...) converts generically, as aws.json.decode
 * would, so nothing is lost and nothing raises.
 */
#ifndef IAM_LJSHAPE_H
#define IAM_LJSHAPE_H

#include <lua.h>

#include "lshape.h"

struct json_t;

/* [-0, +1, m] Pushes v converted by the shape at shape_idx (0: generic).
 * lvalue_init must have run; ctx as for lshape_push. */
void ljshape_push(lua_State *L, struct json_t *v, int shape_idx,
                  const struct lshape_ctx *ctx);

/* [-1|3, +1|2, m] core._json_decode(body, shape [, wire]) -> value | nil,
 * message: a saved 200 answer's body, decoded as a request's would be. */
int aws_json_shape_decode(lua_State *L);

#endif
