/* proxy.c - proxy selection from the environment (see proxy.h). */
#include "proxy.h"

#include "buf.h"
#include "err.h"

#include <stdio.h>
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

/* Where a proxy URL's user info lies: after "://" (or a leading "//") up to
 * the LAST '@' of the whole string. urlparse, and so botocore, ends the
 * authority at the first '/', '?' or '#', which would leave a password
 * holding one of them in clear; taking the last '@' masks it too. */
static int userinfo(const char *url, size_t *off, size_t *len)
{
    const char *p = strstr(url, "://"), *at = strrchr(url, '@');
    size_t start = p ? (size_t)(p + 3 - url) : 0;
    if(!p && strncmp(url, "//", 2) == 0)
        start = 2;
    if(!at || (size_t)(at - url) < start)
        return 0;
    *off = start;
    *len = (size_t)(at - url) - start;
    return 1;
}

/* "user:password" as mask_proxy_url shows it: each non-empty part "***",
 * the colon kept. */
static void mask_userinfo(const char *u, size_t len, char *out, size_t n)
{
    const char *colon = memchr(u, ':', len);
    size_t ulen = colon ? (size_t)(colon - u) : len;
    int pass = colon && (size_t)(colon - u) + 1 < len;
    snprintf(out, n, "%s%s%s", ulen ? "***" : "", colon ? ":" : "",
             pass ? "***" : "");
}

void proxy_mask(const char *proxy, char *out, size_t n)
{
    /* botocore's _fix_proxy_url */
    const char *pre = strncmp(proxy, "http:", 5) == 0 ||
                              strncmp(proxy, "https:", 6) == 0
                          ? ""
                      : strncmp(proxy, "//", 2) == 0 ? "http:"
                                                      : "http://";
    size_t off, len;
    char mask[8];
    if(!userinfo(proxy, &off, &len)) {
        snprintf(out, n, "%s%s", pre, proxy);
        return;
    }
    mask_userinfo(proxy + off, len, mask, sizeof(mask));
    snprintf(out, n, "%s%.*s%s%s", pre, (int)off, proxy, mask,
             proxy + off + len);
}

void proxy_scrub(const char *proxy, char *text, size_t cap)
{
    char mask[8], *needle;
    const char *p = text, *hit;
    size_t off, len;
    struct buf b;
    if(!proxy || !text || cap == 0 || !userinfo(proxy, &off, &len) ||
       len == 0)
        return;
    needle = malloc(len + 1);
    buf_init(&b, cap - 1);
    if(needle) {
        memcpy(needle, proxy + off, len);
        needle[len] = '\0';
        mask_userinfo(needle, len, mask, sizeof(mask));
        /* A copy cut short by the cap ends before the secret: fine. */
        while((hit = strstr(p, needle)) != NULL &&
              buf_add(&b, p, (size_t)(hit - p)) == IAM_OK &&
              buf_adds(&b, mask) == IAM_OK)
            p = hit + len;
        if(!hit)
            buf_adds(&b, p);
    }
    /* Out of memory: better no message than the password. */
    snprintf(text, cap, "%s", needle && b.data ? b.data : "");
    buf_free(&b);
    free(needle);
}
