/* endpoint.c - service endpoints and signing scopes (see endpoint.h). */
#include "endpoint.h"
#include "jsonproto.h"

#include <ctype.h>
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

/* Python's urlsplit of a URL as far as botocore looks at it: the scheme
 * (lower case), the netloc after "//" up to the first of "/?#", and in the
 * netloc the host name and port after any user info. */
struct url_parts {
    char scheme[16];
    const char *netloc, *host, *port, *path, *query;
    size_t netloc_len, host_len, port_len, path_len, query_len;
    int has_port, bracketed;
};

static int scheme_char(int c)
{
    return isalnum(c) || c == '+' || c == '-' || c == '.';
}

/* Fails only on unbalanced brackets ("Invalid IPv6 URL", as urlsplit);
 * url holds no tab, CR or LF (the caller checked). */
static int url_split(const char *url, struct url_parts *u, struct iam_err *err)
{
    const char *p = url, *colon, *at, *h, *end;
    size_t i, n;
    memset(u, 0, sizeof(*u));
    while(*p && ((unsigned char)*p <= ' '))
        p++; /* urlsplit strips leading C0 controls and spaces */
    colon = strchr(p, ':');
    if(colon && colon > p && isalpha((unsigned char)*p)) {
        for(i = 0; p + i < colon && scheme_char((unsigned char)p[i]); i++)
            if(i + 1 < sizeof(u->scheme))
                u->scheme[i] = (char)tolower((unsigned char)p[i]);
        if(p + i == colon) {
            /* a scheme too long to keep is still a scheme, just not
             * http or https */
            if(i + 1 >= sizeof(u->scheme))
                snprintf(u->scheme, sizeof(u->scheme), "%s", "-");
            p = colon + 1;
        } else {
            memset(u->scheme, 0, sizeof(u->scheme));
        }
    }
    if(p[0] == '/' && p[1] == '/') {
        u->netloc = p + 2;
        u->netloc_len = strcspn(u->netloc, "/?#");
        p = u->netloc + u->netloc_len;
        if((memchr(u->netloc, '[', u->netloc_len) != NULL) !=
           (memchr(u->netloc, ']', u->netloc_len) != NULL))
            return iam_errc(err, IAM_EINVAL, "ValueError", "Invalid IPv6 URL");
    }
    end = p + strcspn(p, "#");
    u->path = p;
    u->path_len = strcspn(p, "?#");
    if(p[u->path_len] == '?') {
        u->query = p + u->path_len + 1;
        u->query_len = (size_t)(end - u->query);
    }
    /* host[:port] after the last '@'; "[...]" keeps its colons */
    h = u->netloc;
    if(!h)
        return IAM_OK;
    for(;;) {
        at = memchr(h, '@', (size_t)(u->netloc + u->netloc_len - h));
        if(!at)
            break;
        h = at + 1;
    }
    n = (size_t)(u->netloc + u->netloc_len - h);
    if(n && h[0] == '[') {
        const char *rb = memchr(h, ']', n);
        u->bracketed = 1;
        u->host = h + 1;
        u->host_len = rb ? (size_t)(rb - h - 1) : n - 1;
        h = rb ? rb + 1 : h + n;
        n = (size_t)(u->netloc + u->netloc_len - h);
        colon = memchr(h, ':', n);
        h = colon ? colon : h + n;
        n = (size_t)(u->netloc + u->netloc_len - h);
    } else {
        colon = memchr(h, ':', n);
        u->host = h;
        u->host_len = colon ? (size_t)(colon - h) : n;
        h += u->host_len;
        n -= u->host_len;
    }
    if(n > 1) { /* ":port"; a bare ':' is no port */
        u->has_port = 1;
        u->port = h + 1;
        u->port_len = n - 1;
    }
    return IAM_OK;
}

/* botocore's is_valid_endpoint_url: DNS labels of 1 to 63 letters,
 * digits and '-' (not first or last), 255 characters in all, one final
 * dot allowed. */
static int valid_hostname(const char *h, size_t n)
{
    size_t i, label = 0;
    if(n == 0 || n > 255)
        return 0;
    if(h[n - 1] == '.')
        n--;
    for(i = 0; i <= n; i++) {
        if(i == n || h[i] == '.') {
            if(label == 0 || label > 63 || h[i - label] == '-' ||
               h[i - 1] == '-')
                return 0;
            label = 0;
        } else if(isalnum((unsigned char)h[i]) || h[i] == '-') {
            label++;
        } else {
            return 0;
        }
    }
    return 1;
}

int endpoint_check_url(const char *url, struct iam_err *err)
{
    struct url_parts u;
    int rc;
    if(strpbrk(url, "\t\r\n"))
        return iam_errc(err, IAM_EINVAL, "ValueError", "Invalid endpoint: %s",
                        url);
    rc = url_split(url, &u, err);
    if(rc)
        return rc;
    if(u.bracketed || !valid_hostname(u.host, u.host_len))
        return iam_errc(err, IAM_EINVAL, "ValueError", "Invalid endpoint: %s",
                        url);
    return IAM_OK;
}

/* The endpoint ruleset's parseURL: http or https, no query, a port that
 * Python can read. A URL it refuses is not an error: the ruleset goes on
 * to the service's default endpoint. */
static int ruleset_usable(const struct url_parts *u)
{
    size_t i;
    long port = 0;
    if(strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0)
        return 0;
    if(u->query_len > 0)
        return 0;
    if(!u->has_port)
        return 1;
    for(i = 0; i < u->port_len; i++) {
        if(!isdigit((unsigned char)u->port[i]))
            return 0;
        port = port * 10 + (u->port[i] - '0');
        if(port > 65535)
            return 0;
    }
    return 1;
}

int endpoint_split(const char *url, char *host, size_t hostsz, const char **path,
                   struct iam_err *err)
{
    struct url_parts u;
    size_t i, n;
    int https, dflt = 0;
    if(strpbrk(url, "\t\r\n") || url_split(url, &u, err) || !u.host_len ||
       u.bracketed || (strcmp(u.scheme, "http") && strcmp(u.scheme, "https")))
        return iam_errc(err, IAM_EINVAL, "ValueError", "Invalid endpoint: %s",
                        url);
    https = u.scheme[4] == 's';
    /* Host carries the port only when it is not the scheme's default, as
     * botocore signs it and libcurl sends it; the name in lower case. */
    if(u.has_port)
        dflt = (https && u.port_len == 3 && memcmp(u.port, "443", 3) == 0) ||
               (!https && u.port_len == 2 && memcmp(u.port, "80", 2) == 0);
    n = u.host_len + (u.has_port && !dflt ? u.port_len + 1 : 0);
    if(n >= hostsz)
        return iam_errc(err, IAM_EINVAL, "ValueError", "Invalid endpoint: %s",
                        url);
    for(i = 0; i < u.host_len; i++)
        host[i] = (char)tolower((unsigned char)u.host[i]);
    if(u.has_port && !dflt) {
        host[i++] = ':';
        memcpy(host + i, u.port, u.port_len);
    }
    host[n] = '\0';
    *path = u.path;
    return IAM_OK;
}

/* botocore's _urljoin of the endpoint and "/": scheme, the netloc without
 * user info (iamlua never sends or repeats a password from a URL), the
 * path or "/"; an empty query and the fragment are dropped (a fragment
 * is never sent). */
static int from_url(const char *endpoint_url, const struct url_parts *u,
                    struct endpoint *out, struct iam_err *err)
{
    const char *path;
    size_t hn = (size_t)(u->netloc + u->netloc_len - u->host) +
                (u->bracketed ? 1 : 0);
    const char *hs = u->host - (u->bracketed ? 1 : 0);
    int n = snprintf(out->url, sizeof(out->url), "%s://%.*s%.*s", u->scheme,
                     (int)hn, hs, (int)u->path_len, u->path);
    if(n < 0 || (size_t)n + 2 > sizeof(out->url))
        return iam_errc(err, IAM_EINVAL, "ValueError", "Invalid endpoint: %s",
                        endpoint_url);
    if(u->path_len == 0)
        out->url[n] = '/', out->url[n + 1] = '\0';
    return endpoint_split(out->url, out->host, sizeof(out->host), &path, err);
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
        struct url_parts u;
        rc = endpoint_check_url(endpoint_url, err);
        if(!rc)
            rc = url_split(endpoint_url, &u, err);
        if(rc)
            return rc;
        /* botocore builds the client for the configured region even for
         * the global IAM: a custom endpoint without one is NoRegionError. */
        if(!region)
            return iam_errf(err, IAM_ECONFIG, "You must specify a region.");
        if(ruleset_usable(&u)) {
            rc = from_url(endpoint_url, &u, out, err);
            if(rc)
                return rc;
            snprintf(out->signing_region, sizeof(out->signing_region), "%s",
                     region);
            return IAM_OK;
        }
    }
    if(strcmp(service, "iam") == 0)
        return iam_default(region, out);
    if(strcmp(service, "organizations") == 0)
        return organizations_default(region, out, err);
    return sts_default(region, out, err);
}
