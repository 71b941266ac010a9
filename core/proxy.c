/* proxy.c - proxy selection from the environment (see proxy.h). */
#include "proxy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *env2(const char *lower, const char *upper)
{
    const char *v = getenv(lower);
    if(!v || !*v)
        v = getenv(upper);
    return v && *v ? v : NULL;
}

/* One NO_PROXY entry against host: exact, or a domain suffix (".x.com" or
 * "x.com" both match "a.x.com"), case-insensitively. */
static int entry_matches(const char *e, size_t elen, const char *host,
                         size_t hostlen)
{
    const char *colon = memchr(e, ':', elen);
    if(colon)
        elen = (size_t)(colon - e); /* host:port entries match the host */
    while(elen && *e == '.') {
        e++;
        elen--;
    }
    if(elen == 0)
        return 0;
    if(hostlen == elen)
        return strncasecmp(host, e, elen) == 0;
    return hostlen > elen && host[hostlen - elen - 1] == '.' &&
           strncasecmp(host + hostlen - elen, e, elen) == 0;
}

int proxy_bypassed(const char *host, size_t hostlen, const char *list)
{
    const char *p = list, *end;
    if(!list)
        return 0;
    while(*p) {
        size_t n;
        while(*p == ' ' || *p == ',')
            p++;
        end = p + strcspn(p, ",");
        n = (size_t)(end - p);
        while(n && p[n - 1] == ' ')
            n--;
        if(n == 1 && *p == '*')
            return 1;
        if(n && entry_matches(p, n, host, hostlen))
            return 1;
        p = end;
    }
    return 0;
}

const char *proxy_for(const char *url)
{
    int https = strncmp(url, "https://", 8) == 0;
    const char *proxy = https ? env2("https_proxy", "HTTPS_PROXY")
                              : env2("http_proxy", "HTTP_PROXY");
    const char *host, *end;
    if(!proxy)
        return NULL;
    host = url + (https ? 8 : 7);
    end = host + strcspn(host, ":/?#");
    if(*host == '[') /* IPv6 literal */
        end = host + strcspn(host, "]") + 1;
    if(proxy_bypassed(host, (size_t)(end - host), env2("no_proxy", "NO_PROXY")))
        return NULL;
    return proxy;
}
