/* redact.c - secrets taken out of traced text (see redact.h). */
#include "redact.h"

#include "err.h"

#include <string.h>

/* Request parameters whose values are secrets (IAM and STS). */
static const char *const secret_params[] = {
    "Password",         "NewPassword",       "OldPassword",
    "PrivateKey",       "SAMLAssertion",     "WebIdentityToken",
    "ContextAssertion", "TokenCode",         "AuthenticationCode1",
    "AuthenticationCode2"};

/* Response elements whose text is a secret. */
static const char *const secret_elements[] = {
    "SecretAccessKey", "SessionToken",     "ServicePassword",
    "ServiceCredentialSecret", "Base32StringSeed", "QRCodePNG"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int in_list(const char *const *list, size_t n, const char *s,
                   size_t len)
{
    size_t i;
    for(i = 0; i < n; i++)
        if(strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
            return 1;
    return 0;
}

/* Whether the (still percent-encoded) name ends in a secret part. Secret
 * names are plain letters and digits, so encoding never hides one. */
static int secret_param(const char *name, size_t len)
{
    size_t i = len;
    while(i > 0 && name[i - 1] != '.')
        i--;
    return in_list(secret_params, COUNT(secret_params), name + i, len - i);
}

int redact_query(struct buf *out, const char *body, size_t len)
{
    const char *p = body, *end = body + len;
    int rc = IAM_OK;
    while(!rc && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        if(eq && secret_param(p, (size_t)(eq - p))) {
            rc = buf_add(out, p, (size_t)(eq + 1 - p));
            if(!rc)
                rc = buf_adds(out, REDACTED);
        } else
            rc = buf_add(out, p, (size_t)(pe - p));
        if(!rc && amp)
            rc = buf_addc(out, '&');
        p = amp ? amp + 1 : end;
    }
    return rc;
}

static int name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
           c == ':';
}

/* The local name (after any "prefix:") of the tag whose name starts at p;
 * its length in *n. */
static const char *local_name(const char *p, const char *end, size_t *n)
{
    const char *s = p, *q = p;
    while(q < end && name_char(*q)) {
        if(*q == ':')
            s = q + 1;
        q++;
    }
    *n = (size_t)(q - s);
    return s;
}

/* Where the closing tag of element `name` starts at or after p (end when
 * there is none). */
static const char *closing(const char *p, const char *end, const char *name,
                           size_t nlen)
{
    while(p + 1 < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        size_t n;
        const char *ln;
        if(!lt || lt + 1 >= end)
            break;
        if(lt[1] == '/') {
            ln = local_name(lt + 2, end, &n);
            if(n == nlen && memcmp(ln, name, n) == 0)
                return lt;
        }
        p = lt + 1;
    }
    return end;
}

int redact_xml(struct buf *out, const char *xml, size_t len)
{
    const char *p = xml, *end = xml + len, *from = xml;
    int rc = IAM_OK;
    while(!rc && p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p)), *gt, *close;
        const char *ln;
        size_t n;
        if(!lt)
            break;
        ln = local_name(lt + 1, end, &n);
        p = lt + 1;
        if(!in_list(secret_elements, COUNT(secret_elements), ln, n))
            continue;
        gt = memchr(ln + n, '>', (size_t)(end - (ln + n)));
        if(gt && gt[-1] == '/')
            continue; /* <SessionToken/>: empty */
        gt = gt ? gt + 1 : end;
        close = closing(gt, end, ln, n);
        rc = buf_add(out, from, (size_t)(gt - from));
        if(!rc && close > gt)
            rc = buf_adds(out, REDACTED);
        from = p = close;
    }
    if(!rc && from < end)
        rc = buf_add(out, from, (size_t)(end - from));
    return rc;
}
