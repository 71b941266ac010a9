/* expose.h - wrappers that reach file-local parsers for the fuzz targets.
 *
 * The parsers are `static` under names that recur across core (two
 * `parse`, two `fill`), and the unit-test build compiles core with
 * -DUNITTESTS and -Wmissing-prototypes -Werror, so turning them into
 * UNITTEST functions would need new prototypes in core headers and would
 * clash in that link. Instead each expose_<file>.c includes core/<file>.c
 * whole and adds a wrapper under a unique name; a target that uses it
 * links that object in place of core/<file>.o (fuzz.mk's FUZZ_X_<target>).
 * Core stays untouched.
 */
#ifndef FUZZ_EXPOSE_H
#define FUZZ_EXPOSE_H

#include "buf.h"
#include "cache.h"
#include "creds.h"
#include "err.h"

/* creds_process.c parse: the process's stdout. */
int fuzz_process_parse(const struct buf *b, struct creds *out, int *found,
                       struct iam_err *err);
/* creds_sso.c parse: a GetRoleCredentials answer. */
int fuzz_sso_parse(const struct buf *b, struct cache_entry *e,
                   struct iam_err *err);
/* sso_token.c's reading of $HOME/.aws/sso/cache/SHA1(name).json, name
 * being session when non-NULL (sso-session profile), else start_url: the
 * load, the expiry check, the refreshed file's layout (no OIDC call). */
int fuzz_sso_token_load(const char *start_url, const char *session,
                        char **tok, struct iam_err *err);
/* The same, through creds_sso.c's exposure (kept for the target). */
int fuzz_sso_load_token(const char *start_url, const char *session,
                        char **tok, struct iam_err *err);
/* creds_container.c fill: the endpoint's JSON, as try_once parsed it. */
int fuzz_container_fill(const char *data, size_t len, struct creds *out,
                        int *found, struct iam_err *err);
/* creds_imds.c: the role's document as get() accepts it (a 200 with a
 * body that parses as JSON), then fill. 1 when get() would have refused. */
int fuzz_imds_fill(const char *data, size_t len, struct creds *out,
                   int *found, struct iam_err *err);
/* sts.c parse_ok: a 200 answer to op ("AssumeRole" or
 * "AssumeRoleWithWebIdentity"). */
int fuzz_sts_parse_ok(const char *op, const struct buf *resp,
                      struct cache_entry *out, struct iam_err *err);
/* session.c http_date: epoch seconds or -1. */
long long fuzz_http_date(const char *d);

#endif
