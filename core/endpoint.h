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
 * endpoint_url may be NULL. IAM_ECONFIG when no region can serve;
 * IAM_EINVAL ("ValueError") for an endpoint_url endpoint_check_url
 * refuses. A URL the endpoint ruleset cannot use (not http or https, a
 * query, a port that is not a number up to 65535) is ignored as botocore
 * ignores it: the service's default endpoint serves. */
int endpoint_resolve(const char *service, const char *region,
                     const char *endpoint_url, struct endpoint *out,
                     struct iam_err *err);

/* botocore's is_valid_endpoint_url, checked when a client is created:
 * no tab, CR or LF, a host name of DNS labels (1 to 63 letters, digits
 * and '-', not first or last; 255 characters in all; one final dot); an
 * IP literal in brackets is refused. "Invalid endpoint: URL", or
 * urlsplit's "Invalid IPv6 URL" for unbalanced brackets; code ValueError. */
int endpoint_check_url(const char *url, struct iam_err *err);

/* The partition of a region: "aws", "aws-cn", "aws-us-gov", "aws-iso", ... */
const char *endpoint_partition(const char *region);

/* Splits an http(s) url into the Host header (host name in lower case,
 * ":port" unless the scheme's default; no user info) and *path, which
 * points into url at the path (it ends at '?' or '#', if any). IAM_EINVAL
 * when it is not an absolute http(s) URL. */
int endpoint_split(const char *url, char *host, size_t hostsz, const char **path,
                   struct iam_err *err);

#endif
