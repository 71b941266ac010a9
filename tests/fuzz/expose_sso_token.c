/* expose_sso_token.c - core/sso_token.c plus wrappers (expose.h). */
#include "../../core/sso_token.c"
#include "expose.h"

/* What sso_token_get does with the file, without the OIDC call: load,
 * the expiry check of an sso-session's token, and the file a refresh
 * would write from it. */
int fuzz_sso_token_load(const char *start_url, const char *session,
                        char **tok, struct iam_err *err)
{
    struct sso_token_req q;
    char key[41];
    json_t *j = NULL;
    long long exp;
    struct buf b;
    int rc;
    q.session = session;
    q.start_url = start_url;
    q.region = "us-east-1";
    *tok = NULL;
    sha1_hex(session ? session : start_url, key);
    rc = load(&q, key, &j, err);
    if(!rc && session)
        rc = creds_parse_time(
            json_string_value(json_object_get(j, "expiresAt")), &exp, err);
    if(!rc) {
        buf_init(&b, 1 << 20);
        rc = dump(&b, &q, "at", "2030-01-01T00:00:00Z", j,
                  json_string_value(json_object_get(j, "refreshToken")));
        buf_wipe(&b);
    }
    if(!rc) {
        *tok = strdup(json_string_value(json_object_get(j, "accessToken")));
        if(!*tok)
            rc = creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    }
    json_decref(j);
    return rc;
}
