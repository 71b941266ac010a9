/* endpoint.h - where a service's requests go and how they are signed.
 *
 * IAM is a global service per partition: iam.amazonaws.com signed for
 * us-east-1, iam.cn-north-1.amazonaws.com.cn for cn-north-1,
 * iam.us-gov.amazonaws.com for us-gov-west-1. STS is regional.
 * Organizations is global too, with botocore's hosts and signing regions
 * (endpoint-rule-set-1.json): organizations.us-east-1.amazonaws.com
 * (us-east-1), organizations.cn-northwest-1.amazonaws.com.cn
 * (cn-northwest-1), organizations.us-gov-west-1.amazonaws.com
 * (us-gov-west-1), and organizations.REGION.DNS-SUFFIX signed for REGION in
 * the ISO partitions. An explicit endpoint URL (--endpoint-url,
 * AWS_ENDPOINT_URL[_SERVICE]) replaces the host and keeps the region for
 * signing.
 */
#ifndef IAM_ENDPOINT_H
#define IAM_ENDPOINT_H

#include "err.h"

struct endpoint {
    char url[1024];           /* full request URL, path included ("/...") */
    char host[512];           /* Host header value (port only if not default) */
    char signing_region[64];
    char signing_name[32];
    const char *api_version;  /* Query protocol Version */
    /* The JSON protocol (jsonproto.h): X-Amz-Target's prefix and the
     * Content-Type; NULL for Query services. */
    const char *target_prefix;
    const char *json_content_type;
};

/* region may be NULL (IAM then signs for its partition's region);
 * endpoint_url may be NULL. IAM_ECONFIG when no region can serve; IAM_EINVAL
 * with "Invalid endpoint: URL" for a URL that is not http(s). */
int endpoint_resolve(const char *service, const char *region,
                     const char *endpoint_url, struct endpoint *out,
                     struct iam_err *err);

/* The partition of a region: "aws", "aws-cn", "aws-us-gov", "aws-iso", ... */
const char *endpoint_partition(const char *region);

/* Splits url into scheme, host[:port] without a default port, and path.
 * IAM_EINVAL when it is not an absolute http(s) URL. */
int endpoint_split(const char *url, char *host, size_t hostsz, const char **path,
                   struct iam_err *err);

#endif
