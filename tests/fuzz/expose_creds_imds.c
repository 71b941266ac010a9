/* expose_creds_imds.c - core/creds_imds.c plus a wrapper (expose.h). */
#include "../../core/creds_imds.c"
#include "expose.h"

int fuzz_imds_fill(const char *data, size_t len, struct creds *out,
                   int *found, struct iam_err *err)
{
    static const struct creds_ctx ctx; /* no trace */
    struct chain ch = {0};
    struct imds m = {0};
    struct buf b;
    json_error_t je;
    json_t *j;
    char *text;
    int rc;
    ch.name = "default";
    ch.ctx = &ctx;
    m.ch = &ch;
    /* get(): a non-empty body that parses, handed on NUL-terminated */
    if(!len)
        return 1;
    j = json_loadb(data, len, JSON_DECODE_ANY, &je);
    if(!j)
        return 1;
    json_decref(j);
    buf_init(&b, len + 16);
    if(buf_add(&b, data, len))
        return 1;
    text = buf_detach(&b);
    rc = fill(&m, text, out, found, err);
    creds_wipe_str(text);
    return rc;
}
