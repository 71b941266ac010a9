/* query.h - the AWS Query protocol's request body.
 *
 * Action=X&Version=V&name=value..., form-encoded as botocore sends it (its
 * urlencode with quote_plus: unreserved bytes kept, space as '+', the rest
 * %XX uppercase). Parameters arrive already flattened (Lua does the
 * `member.N` / `entry.N.key` naming) and keep their order.
 */
#ifndef IAM_QUERY_H
#define IAM_QUERY_H

#include "buf.h"

#include <stddef.h>

/* Appends name=value (with a leading '&' if out is not empty). */
int query_add(struct buf *out, const char *name, size_t nlen,
              const char *value, size_t vlen);
/* Appends s form-encoded. */
int query_encode(struct buf *out, const char *s, size_t n);

#endif
