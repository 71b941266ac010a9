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
    struct sso s = {0};
    s.start_url = start_url;
    s.region = "us-east-1";
    s.account = "123456789012";
    s.role = "SSORole";
    s.session = session;
    return load_token(&s, tok, err);
}
