/* expose_sts.c - core/sts.c plus a wrapper (expose.h). */
#include "../../core/sts.c"
#include "expose.h"

int fuzz_sts_parse_ok(const char *op, const struct buf *resp,
                      struct cache_entry *out, struct iam_err *err)
{
    return parse_ok(op, resp, out, err);
}
