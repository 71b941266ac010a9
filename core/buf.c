/* buf.c - capped growable buffer (see buf.h). */
#include "buf.h"
#include "err.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Makes room for n more bytes plus the NUL, doubling so appends stay
 * amortised O(1). Not realloc: a buffer may be holding a secret (a
 * credentials file, a canonical request with its session token, an
 * Authorization value) while it grows, and realloc would free the old
 * block unwiped. Copying and wiping costs what realloc's copy costs. */
static int grow(struct buf *b, size_t n)
{
    size_t need, ncap;
    char *p;
    if(n > b->max || b->len > b->max - n)
        return IAM_ETOOBIG;
    need = b->len + n + 1;
    if(need <= b->cap)
        return IAM_OK;
    ncap = b->cap ? b->cap : 64;
    while(ncap < need)
        ncap *= 2;
    p = malloc(ncap);
    if(!p)
        return IAM_ENOMEM;
    if(b->data) {
        memcpy(p, b->data, b->len + 1);
        OPENSSL_cleanse(b->data, b->cap);
        free(b->data);
    }
    b->data = p;
    b->cap = ncap;
    return IAM_OK;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    int rc = grow(b, n);
    if(rc)
        return rc;
    if(n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return IAM_OK;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if(n < 0)
        return IAM_EINVAL;
    if((size_t)n < sizeof(small))
        return buf_add(b, small, (size_t)n);
    rc = grow(b, (size_t)n);
    if(rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return IAM_OK;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if(b->data)
        b->data[0] = '\0';
}

char *buf_detach(struct buf *b)
{
    char *p = b->data;
    if(!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_wipe(struct buf *b)
{
    if(b->data)
        OPENSSL_cleanse(b->data, b->cap);
    buf_free(b);
}

/* Appends Python's repr() of a bytes object (b'...'), which is how
 * botocore shows a body it could not parse. */
void buf_add_repr(struct buf *b, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char q = memchr(p, '\'', n) && !memchr(p, '"', n) ? '"' : '\'';
    size_t i;
    buf_addc(b, 'b');
    buf_addc(b, q);
    for(i = 0; i < n && b->len + 4 <= b->max; i++) {
        unsigned char c = (unsigned char)p[i];
        if(c == '\\' || c == (unsigned char)q) {
            buf_addc(b, '\\');
            buf_addc(b, (char)c);
        } else if(c == '\n')
            buf_adds(b, "\\n");
        else if(c == '\r')
            buf_adds(b, "\\r");
        else if(c == '\t')
            buf_adds(b, "\\t");
        else if(c < 32 || c >= 127) {
            char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            buf_add(b, esc, 4);
        } else
            buf_addc(b, (char)c);
    }
    buf_addc(b, q);
}
