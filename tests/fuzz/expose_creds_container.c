/* expose_creds_container.c - core/creds_container.c plus a wrapper
 * (expose.h). */
#include "../../core/creds_container.c"
#include "expose.h"

int fuzz_container_fill(const char *data, size_t len, struct creds *out,
                        int *found, struct iam_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_DECODE_ANY, &je); /* try_once */
    int rc;
    if(!j)
        return creds_retrieval(err, PROV, "Error retrieving metadata: %s",
                               "Unable to parse JSON");
    rc = fill(j, out, found, err);
    json_decref(j);
    return rc;
}
