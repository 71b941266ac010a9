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

/* The proxy URL as messages show it, botocore's mask_proxy_url of its
 * fixed URL: "http://" put in front when there is no scheme, then the user
 * name and the password each shown as three stars, so that
 * http://alice:pw@127.0.0.1:3128 reads http://(3 stars):(3 stars)@127...
 * Always NUL-terminated within n. */
void proxy_mask(const char *proxy, char *out, size_t n);

/* Replaces, in the NUL-terminated `text` (cap bytes of room), every copy
 * of the proxy URL's user info with its masked form: libcurl quotes the
 * whole proxy URL in some of its messages. */
void proxy_scrub(const char *proxy, char *text, size_t cap);

#endif
