/* lerr.h - the `aws.error` table scripts receive as `nil, err`. */
#ifndef IAM_LERR_H
#define IAM_LERR_H

#include <lua.h>

#include "err.h"

#define LERR_MT "aws.error"

/* [-0, +1, m] Pushes an aws.error table with code, message, status,
 * request_id, kind and operation (may be NULL). */
void lerr_push(lua_State *L, const struct iam_err *e, const char *operation);
/* [-0, +0, m] Creates the aws.error metatable in the registry. */
void lerr_init(lua_State *L);
/* The kind's name as scripts see it ("service", "connection", ...). */
const char *lerr_kind_name(enum iam_kind kind);

#endif
