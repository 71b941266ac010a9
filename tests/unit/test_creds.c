/* test_creds.c - cache keys shared with the AWS CLI, and creds_refresh's
 * advisory / mandatory windows (driven through the env provider, which
 * re-reads the environment when it runs again). */
#include "cache.h"
#include "creds.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void test_keys(void)
{
    /* expected values: hashlib.sha1(json.dumps(args, sort_keys=True)) */
    struct cache_args a = {"arn:aws:iam::123456789012:role/r", "n",
                           "x\xc3\xa9\"", "s", 900, 1};
    char key[41];
    cache_key_role(&a, key);
    unit_check(strcmp(key, "aea52f3f50d537e662377db78651352ccfee73c1") == 0,
               "role cache key: all arguments, non-ASCII, quote", "%s", key);
    cache_key_sso("1", "R", "dev", NULL, key);
    unit_check(strcmp(key, "24c4b72cd6cd7d1c86a5a68fa7c6048c86186b61") == 0,
               "sso cache key: sso-session", "%s", key);
    cache_key_sso("1", "R", NULL, "https://x/start", key);
    unit_check(strcmp(key, "e7e32e45bf0eca082d02992c52eb7a7df60a843d") == 0,
               "sso cache key: legacy start URL", "%s", key);
}

static void set_env(const char *id, const char *exp)
{
    setenv("AWS_ACCESS_KEY_ID", id, 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_CREDENTIAL_EXPIRATION", exp, 1);
}

static void test_refresh(void)
{
    struct config *cfg = NULL;
    struct creds_ctx ctx = {0};
    struct creds c;
    struct iam_err err;
    long long exp;
    int rc;
    iam_err_clear(&err);
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    unsetenv("AWS_PROFILE");
    config_load(&cfg, &err);
    ctx.cfg = cfg;
    ctx.verify_tls = 1;
    set_env("AKIAFIRST", "2100-01-01T00:00:00Z");
    rc = creds_resolve_ctx(&ctx, &c, &err);
    exp = c.expiry;
    unit_check(rc == 0 && strcmp(c.source, "env") == 0, "resolve env", "%d %s",
               rc, err.msg);
    set_env("AKIASECOND", "2100-01-01T01:00:00Z");
    rc = creds_refresh(&ctx, &c, exp - 901, &err);
    unit_check(rc == 0 && strcmp(c.access_key_id, "AKIAFIRST") == 0,
               "outside the advisory window nothing runs", "%s",
               c.access_key_id);
    rc = creds_refresh(&ctx, &c, exp - 800, &err);
    unit_check(rc == 0 && strcmp(c.access_key_id, "AKIASECOND") == 0 &&
                   c.expiry == exp + 3600,
               "advisory window re-runs the provider", "%s", c.access_key_id);
    exp = c.expiry;
    unsetenv("AWS_ACCESS_KEY_ID");
    rc = creds_refresh(&ctx, &c, exp - 800, &err);
    unit_check(rc == 0 && strcmp(c.access_key_id, "AKIASECOND") == 0,
               "failed advisory refresh keeps the credentials", "%d", rc);
    rc = creds_refresh(&ctx, &c, exp - 100, &err);
    unit_check(rc != 0 && strcmp(err.code, "CredentialRetrievalError") == 0,
               "failed mandatory refresh is an error", "%d %s", rc, err.code);
    iam_err_clear(&err);
    set_env("AKIATHIRD", "2000-01-01T00:00:00Z");
    rc = creds_refresh(&ctx, &c, exp - 100, &err);
    unit_check(rc != 0 && strcmp(err.code, "RuntimeError") == 0,
               "refreshed but still expired", "%d %s", rc, err.msg);
    c.no_refresh_ = 1;
    iam_err_clear(&err);
    rc = creds_refresh(&ctx, &c, c.expiry + 1000, &err);
    unit_check(rc != 0 &&
                   strcmp(err.msg, "Cannot refresh credentials: MFA token "
                                   "required.") == 0,
               "MFA credentials are not refreshed", "%s", err.msg);
    creds_free(&c);
    config_free(cfg);
}

int main(void)
{
    test_keys();
    test_refresh();
    return unit_done();
}
