/* expose_creds_process.c - core/creds_process.c plus a wrapper (expose.h). */
#include "../../core/creds_process.c"
#include "expose.h"

int fuzz_process_parse(const struct buf *b, struct creds *out, int *found,
                       struct iam_err *err)
{
    return parse(b, out, found, err);
}
