/* query.c - form encoding of Query protocol bodies (see query.h). */
#include "query.h"
#include "err.h"

static const char hex[] = "0123456789ABCDEF";

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

int query_encode(struct buf *out, const char *s, size_t n)
{
    char tmp[3 * 64];
    size_t i, k = 0;
    int rc;
    for(i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if(unreserved(c))
            tmp[k++] = (char)c;
        else if(c == ' ')
            tmp[k++] = '+';
        else {
            tmp[k++] = '%';
            tmp[k++] = hex[c >> 4];
            tmp[k++] = hex[c & 15];
        }
        if(k > sizeof(tmp) - 3) {
            rc = buf_add(out, tmp, k);
            if(rc)
                return rc;
            k = 0;
        }
    }
    return buf_add(out, tmp, k);
}

int query_add(struct buf *out, const char *name, size_t nlen,
              const char *value, size_t vlen)
{
    int rc = IAM_OK;
    if(out->len)
        rc = buf_addc(out, '&');
    if(!rc)
        rc = query_encode(out, name, nlen);
    if(!rc)
        rc = buf_addc(out, '=');
    if(!rc)
        rc = query_encode(out, value, vlen);
    return rc;
}
