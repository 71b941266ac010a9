/* sts.h - the two STS calls credential providers make.
 *
 * AssumeRole is signed with the source credentials; AssumeRoleWithWebIdentity
 * is sent unsigned, as botocore does (signature_version=UNSIGNED). Both are
 * Query-protocol POSTs, blocking, over a private transport.
 *
 * Where: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the profile's
 * endpoint_url, else STS's endpoint for ctx->region, which is the global
 * sts.amazonaws.com when sts_regional_endpoints (AWS_STS_REGIONAL_ENDPOINTS
 * or the profile) is "legacy" and the region is one of the sixteen that
 * botocore's legacy mode sends to it; CLI v2's default is "regional".
 *
 * Errors: a service error is err->code = the AWS code and err->msg =
 * "An error occurred (CODE) when calling the AssumeRole operation: MSG";
 * transport failures read as botocore's EndpointConnectionError and
 * friends. Secrets never reach err.
 */
#ifndef IAM_STS_H
#define IAM_STS_H

#include "cache.h"
#include "creds.h"
#include "endpoint.h"

struct sts_call {
    const char *profile; /* whose endpoint_url / sts_regional_endpoints */
    const char *role_arn;
    const char *session_name;
    int session_configured;   /* session_name came from the profile/env */
    const char *external_id;  /* AssumeRole only; may be NULL */
    const char *serial;       /* AssumeRole only; may be NULL */
    const char *token_code;   /* with serial */
    long duration;            /* when has_duration */
    int has_duration;
    const char *web_token;    /* non-NULL: AssumeRoleWithWebIdentity */
    const struct creds *source; /* AssumeRole's signer */
};

/* Where the chain's STS calls go for profile (whose endpoint_url and
 * sts_regional_endpoints apply) and ctx->region, as described above. */
int sts_endpoint_resolve(const struct creds_ctx *ctx, const char *profile,
                         struct endpoint *ep, struct iam_err *err);

/* Before anything is sent, the parameters are checked as botocore's
 * ParamValidator checks them (STS's minimum lengths, DurationSeconds >=
 * 900): "Parameter validation failed:..." with code ParamValidationError,
 * the usage kind (the CLI exits 252). On IAM_OK *out (zeroed first) holds
 * the credentials, Expiration as
 * botocore writes it into the cache ("%Y-%m-%dT%H:%M:%S%Z" of a UTC time,
 * "...UTC"), AssumedRoleUser and the request id; cache_entry_free it. */
int sts_assume(const struct creds_ctx *ctx, const struct sts_call *c,
               struct cache_entry *out, struct iam_err *err);

#endif
