/* proxy.h - which proxy a request goes through, as botocore decides it
 * (Python's urllib getproxies_environment and proxy_bypass_environment):
 * lowercase variables win over uppercase, NO_PROXY lists hosts or domain
 * suffixes ("*" bypasses all). Resolving it here, not in libcurl, keeps the
 * choice identical to the AWS CLI's and lets errors name the proxy. */
#ifndef IAM_PROXY_H
#define IAM_PROXY_H

#include <stddef.h>

/* The proxy URL for `url` (http or https), or NULL for a direct
 * connection. Reads the environment; the result points into it. */
const char *proxy_for(const char *url);

/* Whether `host` (no port) is bypassed by the NO_PROXY-style `list`. */
int proxy_bypassed(const char *host, size_t hostlen, const char *list);

#endif
