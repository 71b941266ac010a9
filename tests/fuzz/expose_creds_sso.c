/* expose_creds_sso.c - core/creds_sso.c plus wrappers (expose.h). */
#include "../../core/creds_sso.c"
#include "expose.h"

int fuzz_sso_parse(const struct buf *b, struct cache_entry *e,
                   struct iam_err *err)
{
    return parse(b, e, err);
}

int fuzz_sso_load_token(const char *start_url, const char *session,
                        char **tok, struct iam_err *err)
{
    return fuzz_sso_token_load(start_url, session, tok, err);
}
