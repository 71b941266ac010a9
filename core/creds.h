/* creds.h - botocore's credential chain.
 *
 * creds_resolve walks the chain in botocore's order (credentials.py,
 * create_credential_resolver):
 *
 *   env                      AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 *                            AWS_SECURITY_TOKEN, then AWS_SESSION_TOKEN /
 *                            AWS_CREDENTIAL_EXPIRATION; skipped when the
 *                            profile came from --profile
 *   assume-role              profile has role_arn (creds_role.c, sts.c,
 *                            cache.c: ~/.aws/cli/cache shared with the CLI)
 *   web identity             web_identity_token_file / AWS_WEB_IDENTITY_*
 *   sso                      sso_role_name / sso_account_id (creds_sso.c)
 *   shared-credentials-file  [NAME] of the credentials file
 *   custom-process           credential_process (creds_process.c)
 *   config-file              the config file's profile
 *   ec2-credentials-file     AWS_CREDENTIAL_FILE
 *   boto-config              BOTO_CONFIG, /etc/boto.cfg, ~/.boto
 *   container-role           AWS_CONTAINER_CREDENTIALS_*_URI
 *                            (creds_container.c)
 *   iam-role                 instance metadata, IMDSv2 then v1 (creds_imds.c)
 *
 * STS (AssumeRole, AssumeRoleWithWebIdentity) goes to AWS_ENDPOINT_URL_STS,
 * else AWS_ENDPOINT_URL, else the profile's endpoint_url, else the regional
 * or global endpoint as sts_regional_endpoints says; the SSO portal to
 * AWS_ENDPOINT_URL_SSO when set. These overrides are iamlua's (newer CLIs
 * read them too; CLI 2.9.19 does not).
 *
 * Errors carry botocore's exception name in err->code, which is how the
 * AWS CLI picks its exit code: "NoCredentialsError" exits 253, everything
 * else here 255. Messages are the CLI's, e.g.
 *   NoCredentialsError       Unable to locate credentials. You can
 *                            configure credentials by running "aws
 *                            configure".
 *   PartialCredentialsError  Partial credentials found in env, missing:
 *                            AWS_SECRET_ACCESS_KEY
 *   ProfileNotFound          The config profile (NAME) could not be found
 * Secrets never appear in a message.
 */
#ifndef IAM_CREDS_H
#define IAM_CREDS_H

#include "config.h"
#include "err.h"

struct creds {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when none or empty (botocore then sends
                            no X-Amz-Security-Token) */
    char source[32];     /* botocore's METHOD: "env", "config-file", ... */
    long long expiry;    /* epoch seconds; 0 = does not expire */
    /* private to creds*.c: which chain entry produced them (1-based, 0 =
     * none), so creds_refresh re-runs that provider; no_refresh_ is set
     * when botocore would refuse to (an MFA code was used). */
    int provider_;
    int no_refresh_;
    int fetched_; /* a deferred provider fetched them for the first use */
};

/* Resolves credentials for profile (NULL: none selected, use "default";
 * "" also reads "default" once the existence check passed, as botocore's
 * `profile or 'default'` does). profile_explicit: it came from --profile,
 * which drops the env provider; AWS_PROFILE does not. A profile that
 * exists in neither file is IAM_ENOTFOUND / "ProfileNotFound", checked
 * first. *out is zeroed first and owned by the caller (creds_free) on
 * IAM_OK; on error it holds nothing. */
int creds_resolve(const struct config *cfg, const char *profile,
                  int profile_explicit, struct creds *out, struct iam_err *err);

/* What providers that call out (STS, SSO, IMDS, the container endpoint,
 * credential_process) need besides the config files. The session fills it
 * in after resolving profile and region; strings outlive the session. */
struct creds_ctx {
    const struct config *cfg;
    const char *profile;  /* as creds_resolve's profile */
    int profile_explicit; /* as creds_resolve's profile_explicit */
    const char *region;   /* the client's region, may be NULL */
    const char *ca_bundle;
    int verify_tls;
    long connect_timeout_ms, read_timeout_ms;
    /* Reads one line (an MFA token code) from the user with `prompt`; no
     * echo needed. NULL: no terminal, providers that need it fail. */
    int (*prompt)(void *ud, const char *prompt, char *buf, size_t len,
                  struct iam_err *err);
    void *prompt_ud;
    /* --debug trace lines, secrets redacted; may be NULL. */
    void (*trace)(void *ud, const char *line);
    void *trace_ud;
};

/* creds_resolve with everything the calling providers need. */
int creds_resolve_ctx(const struct creds_ctx *ctx, struct creds *out,
                      struct iam_err *err);

/* Called before every signature: when c expires within the provider's
 * refresh window (botocore: advisory 15 min, mandatory 10 min) fetches
 * new credentials from the provider that produced c and replaces *c; a
 * failed advisory refresh keeps the old credentials, a failed mandatory
 * one is an error. Static credentials return IAM_OK at once. */
int creds_refresh(const struct creds_ctx *ctx, struct creds *c, long long now,
                  struct iam_err *err);

/* botocore refuses credentials whose expiry has passed (RuntimeError,
 * "Credentials were refreshed, but the refreshed credentials are still
 * expired."), right after the refresh that produced them: creds_resolve
 * checks the deferred providers' (assume-role, web identity, sso), whose
 * fetch is the first use; creds_refresh checks before each signature,
 * after refreshing what expires within the advisory window. */
int creds_check_expiry(const struct creds *c, long long now,
                       struct iam_err *err);

/* Parses an AWS_CREDENTIAL_EXPIRATION value (ISO 8601 with a zone) into
 * epoch seconds, with dateutil's messages on failure. */
int creds_parse_time(const char *s, long long *out, struct iam_err *err);

/* Wipes and frees the strings and zeroes c; NULL is a no-op. */
void creds_free(struct creds *c);

#endif
