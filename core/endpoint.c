/* endpoint.c - service endpoints and signing scopes (see endpoint.h). */
#include "endpoint.h"
#include "jsonproto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

const char *endpoint_partition(const char *region)
{
    if(!region)
        return "aws";
    if(prefix(region, "cn-"))
        return "aws-cn";
    if(prefix(region, "us-gov-"))
        return "aws-us-gov";
    if(prefix(region, "us-iso-"))
        return "aws-iso";
    if(prefix(region, "us-isob-"))
        return "aws-iso-b";
    return "aws";
}

int endpoint_split(const char *url, char *host, size_t hostsz, const char **path,
                   struct iam_err *err)
{
    const char *p, *end;
    size_t n;
    int https;
    if(prefix(url, "https://"))
        https = 1;
    else if(prefix(url, "http://"))
        https = 0;
    else
        return iam_errf(err, IAM_EINVAL, "Invalid endpoint: %s", url);
    p = url + (https ? 8 : 7);
    end = p + strcspn(p, "/?#");
    n = (size_t)(end - p);
    if(n == 0 || n >= hostsz || memchr(p, '@', n))
        return iam_errf(err, IAM_EINVAL, "Invalid endpoint: %s", url);
    /* The host becomes the Host header: a CR or LF would add headers. */
    if(strpbrk(url, "\r\n"))
        return iam_errf(err, IAM_EINVAL, "Invalid endpoint: %s", url);
    memcpy(host, p, n);
    host[n] = '\0';
    /* Host carries the port only when it is not the scheme's default, as
     * libcurl sends it; the signature covers exactly what goes out. */
    if(https && n > 4 && strcmp(host + n - 4, ":443") == 0)
        host[n - 4] = '\0';
    else if(!https && n > 3 && strcmp(host + n - 3, ":80") == 0)
        host[n - 3] = '\0';
    *path = end;
    return IAM_OK;
}

static int from_url(const char *endpoint_url, struct endpoint *out,
                    struct iam_err *err)
{
    const char *path;
    int rc = endpoint_split(endpoint_url, out->host, sizeof(out->host), &path,
                            err);
    size_t n;
    if(rc)
        return rc;
    n = strlen(endpoint_url);
    if(n + 2 > sizeof(out->url))
        return iam_errf(err, IAM_EINVAL, "Invalid endpoint: %s", endpoint_url);
    /* botocore posts to the endpoint's path, "/" when it has none. */
    snprintf(out->url, sizeof(out->url), "%s%s", endpoint_url,
             *path == '\0' ? "/" : "");
    return IAM_OK;
}

static int iam_default(const char *region, struct endpoint *out)
{
    const char *part = endpoint_partition(region);
    const char *host = "iam.amazonaws.com", *sr = "us-east-1";
    if(strcmp(part, "aws-cn") == 0) {
        host = "iam.cn-north-1.amazonaws.com.cn";
        sr = "cn-north-1";
    } else if(strcmp(part, "aws-us-gov") == 0) {
        host = "iam.us-gov.amazonaws.com";
        sr = "us-gov-west-1";
    } else if(strcmp(part, "aws-iso") == 0) {
        host = "iam.us-iso-east-1.c2s.ic.gov";
        sr = "us-iso-east-1";
    } else if(strcmp(part, "aws-iso-b") == 0) {
        host = "iam.us-isob-east-1.sc2s.sgov.gov";
        sr = "us-isob-east-1";
    }
    snprintf(out->host, sizeof(out->host), "%s", host);
    snprintf(out->url, sizeof(out->url), "https://%s/", host);
    snprintf(out->signing_region, sizeof(out->signing_region), "%s", sr);
    return IAM_OK;
}

/* Organizations: one endpoint per partition (botocore's ruleset). */
static int organizations_default(const char *region, struct endpoint *out,
                                 struct iam_err *err)
{
    const char *part = endpoint_partition(region);
    const char *host = "organizations.us-east-1.amazonaws.com";
    const char *sr = "us-east-1";
    if(strcmp(part, "aws-cn") == 0) {
        host = "organizations.cn-northwest-1.amazonaws.com.cn";
        sr = "cn-northwest-1";
    } else if(strcmp(part, "aws-us-gov") == 0) {
        host = "organizations.us-gov-west-1.amazonaws.com";
        sr = "us-gov-west-1";
    } else if(strcmp(part, "aws-iso") == 0 || strcmp(part, "aws-iso-b") == 0) {
        if(snprintf(out->host, sizeof(out->host), "organizations.%s.%s",
                    region, strcmp(part, "aws-iso") == 0 ? "c2s.ic.gov"
                                                        : "sc2s.sgov.gov") >=
           (int)sizeof(out->host))
            return iam_errf(err, IAM_ECONFIG, "region name is too long");
        host = out->host;
        sr = region;
    }
    if(host != out->host)
        snprintf(out->host, sizeof(out->host), "%s", host);
    snprintf(out->url, sizeof(out->url), "https://%s/", out->host);
    snprintf(out->signing_region, sizeof(out->signing_region), "%s", sr);
    return IAM_OK;
}

static int sts_default(const char *region, struct endpoint *out,
                       struct iam_err *err)
{
    const char *suffix = strcmp(endpoint_partition(region), "aws-cn") == 0
                             ? "amazonaws.com.cn"
                             : "amazonaws.com";
    if(!region || strcmp(region, "aws-global") == 0) {
        snprintf(out->host, sizeof(out->host), "sts.amazonaws.com");
        region = "us-east-1";
    } else if(snprintf(out->host, sizeof(out->host), "sts.%s.%s", region,
                       suffix) >= (int)sizeof(out->host))
        return iam_errf(err, IAM_ECONFIG, "region name is too long");
    snprintf(out->url, sizeof(out->url), "https://%s/", out->host);
    snprintf(out->signing_region, sizeof(out->signing_region), "%s", region);
    return IAM_OK;
}

int endpoint_resolve(const char *service, const char *region,
                     const char *endpoint_url, struct endpoint *out,
                     struct iam_err *err)
{
    int rc;
    memset(out, 0, sizeof(*out));
    snprintf(out->signing_name, sizeof(out->signing_name), "%s", service);
    if(strcmp(service, "iam") == 0)
        out->api_version = "2010-05-08";
    else if(strcmp(service, "sts") == 0)
        out->api_version = "2011-06-15";
    else if(strcmp(service, "organizations") == 0) {
        out->api_version = "2016-11-28";
        out->target_prefix = "AWSOrganizationsV20161128";
        out->json_content_type = JSONPROTO_CTYPE_11;
    } else
        return iam_errf(err, IAM_EINVAL, "Unknown service: '%s'", service);
    if(endpoint_url) {
        rc = from_url(endpoint_url, out, err);
        if(rc)
            return rc;
        /* botocore builds the client for the configured region even for
         * the global IAM: a custom endpoint without one is NoRegionError. */
        if(!region)
            return iam_errf(err, IAM_ECONFIG, "You must specify a region.");
        snprintf(out->signing_region, sizeof(out->signing_region), "%s",
                 region);
        return IAM_OK;
    }
    if(strcmp(service, "iam") == 0)
        return iam_default(region, out);
    if(strcmp(service, "organizations") == 0)
        return organizations_default(region, out, err);
    return sts_default(region, out, err);
}
