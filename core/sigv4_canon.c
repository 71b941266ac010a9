/* sigv4_canon.c - the text SigV4 works on, without any cryptography:
 * which inputs are allowed, percent-encoding, the canonical URI, query and
 * headers, and the YYYYMMDDTHHMMSSZ timestamp.
 *
 * Builders append to a caller's buffer and allocate nothing else in the
 * common case (arrays of up to SMALL entries live on the stack), since they
 * run once per signature and signing is meant to be cheap.
 */
#include "sigv4.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SMALL 32         /* pairs / headers sorted without malloc */
#define INSERTION_MAX 16 /* below this insertion sort beats qsort */

/* Byte classes, one lookup per byte in the loops that run per signature. */
enum {
    UNRESERVED = 1, /* A-Z a-z 0-9 - . _ ~ : never percent-encoded */
    SLASH = 2,
    TCHAR = 4, /* RFC 9110 token: header names, methods */
    SPACE = 8, /* space \t \n \v \f \r */
    UPPER = 16,
    PRINT = 32, /* visible ASCII, '!' to '~' */
    COMMA = 64
};

static const unsigned char cls[256] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  8,  8,  8,  8,  8,  0,  0,  /* 0x00 */
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x10 */
    8,  36, 32, 36, 36, 36, 36, 36, 32, 32, 36, 36, 96, 37, 37, 34, /* 0x20 */
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 32, 32, 32, 32, 32, 32, /* 0x30 */
    32, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, /* 0x40 */
    53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 32, 32, 32, 36, 37, /* 0x50 */
    36, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, /* 0x60 */
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 32, 36, 32, 37, 0,  /* 0x70 */
};

#define CLS(c) cls[(unsigned char)(c)]

static const char hex_upper[] = "0123456789ABCDEF";

/* Lowercase hex of 4 bytes at once: spread the nibbles one per byte, add
 * '0', and 'a' - '0' - 10 more to each nibble above 9 (the +6 carries into
 * bit 4 exactly for those). Byte 0 of the result is the first digit. */
static uint64_t hex4(const unsigned char *p)
{
    uint64_t y = (uint64_t)p[0] | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 32 |
                 (uint64_t)p[3] << 48;
    uint64_t high = y >> 4 & 0x000f000f000f000fu;
    uint64_t low = (y & 0x000f000f000f000fu) << 8;
    uint64_t z = high | low;
    uint64_t over9 = (z + 0x0606060606060606u) >> 4 & 0x0101010101010101u;
    return z + 0x3030303030303030u + over9 * ('a' - '0' - 10);
}

void sigv4_hex32(char out[65], const unsigned char md[32])
{
    size_t i;
    for(i = 0; i < 32; i += 4) {
        uint64_t h = hex4(md + i);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(out + 2 * i, &h, 8); /* the first nibble is the low byte */
#else
        size_t k;
        for(k = 0; k < 8; k++)
            out[2 * i + k] = (char)(h >> 8 * k);
#endif
    }
    out[64] = '\0';
}

static int add_escaped(struct buf *out, unsigned char c)
{
    char esc[3];
    esc[0] = '%';
    esc[1] = hex_upper[c >> 4];
    esc[2] = hex_upper[c & 15];
    return buf_add(out, esc, 3);
}

/* Copies runs of kept bytes in one buf_add each: most input is plain. */
int sigv4_uri_encode(struct buf *out, const char *s, size_t n, int keep_slash)
{
    unsigned char mask = keep_slash ? UNRESERVED | SLASH : UNRESERVED;
    size_t i = 0, j;
    int rc = IAM_OK;
    while(i < n && rc == IAM_OK) {
        j = i;
        while(j < n && (CLS(s[j]) & mask))
            j++;
        if(j > i) {
            rc = buf_add(out, s + i, j - i);
            i = j;
        } else {
            rc = add_escaped(out, (unsigned char)s[i++]);
        }
    }
    return rc;
}

static int hexval(char c)
{
    if(c >= '0' && c <= '9')
        return c - '0';
    if(c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if(c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes s and encodes the bytes again in one pass, so "%e1%88"
 * and raw UTF-8 canonicalise alike. A '%' without two hex digits is a
 * literal percent (encoded as %25); '+' is a literal plus (RFC 3986, as
 * aws-c-auth decodes), not a space. */
static int recode(struct buf *out, const char *s, size_t n)
{
    size_t i = 0, j;
    int rc = IAM_OK, hi, lo;
    while(i < n && rc == IAM_OK) {
        j = i;
        while(j < n && (CLS(s[j]) & UNRESERVED))
            j++;
        if(j > i) {
            rc = buf_add(out, s + i, j - i);
            i = j;
            continue;
        }
        hi = s[i] == '%' && i + 2 < n ? hexval(s[i + 1]) : -1;
        lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if(lo >= 0) {
            unsigned char c = (unsigned char)(hi << 4 | lo);
            rc = CLS(c) & UNRESERVED ? buf_addc(out, (char)c)
                                     : add_escaped(out, c);
            i += 3;
        } else {
            rc = add_escaped(out, (unsigned char)s[i++]);
        }
    }
    return rc;
}

/* Appends one path segment, encoded or as it is. */
static int add_segment(struct buf *out, const char *s, size_t n, int encode)
{
    return encode ? sigv4_uri_encode(out, s, n, 1) : buf_add(out, s, n);
}

/* ".." removes the last segment written since base (never base's '/'). */
static void pop_segment(struct buf *out, size_t base)
{
    size_t i = out->len;
    while(i > base && out->data[i - 1] != '/')
        i--;
    if(i > base)
        i--; /* the '/' that opened the segment */
    out->len = i;
    if(out->data)
        out->data[i] = '\0';
}

/* Writes "/seg" per kept segment; empty and "." segments go, ".." pops. */
static int normalized_uri(struct buf *out, const char *p, size_t n, int encode)
{
    size_t base = out->len, i = 0, j;
    int rc = IAM_OK;
    while(i <= n && rc == IAM_OK) {
        const char *slash = memchr(p + i, '/', n - i);
        j = slash ? (size_t)(slash - p) : n;
        if(j - i == 2 && p[i] == '.' && p[i + 1] == '.')
            pop_segment(out, base);
        else if(j > i && !(j - i == 1 && p[i] == '.')) {
            rc = buf_addc(out, '/');
            if(rc == IAM_OK)
                rc = add_segment(out, p + i, j - i, encode);
        }
        i = j + 1;
    }
    if(rc == IAM_OK && (out->len == base || p[n - 1] == '/'))
        rc = buf_addc(out, '/');
    return rc;
}

int sigv4_canon_uri(struct buf *out, const char *path, size_t n, int normalize,
                    int encode)
{
    int rc = IAM_OK;
    if(n == 0)
        return buf_addc(out, '/');
    if(normalize)
        return normalized_uri(out, path, n, encode);
    if(path[0] != '/')
        rc = buf_addc(out, '/');
    if(rc == IAM_OK)
        rc = add_segment(out, path, n, encode);
    return rc;
}

/* A query parameter, encoded, as offsets into the scratch buffer until the
 * buffer stops moving, then as pointers for sorting. */
struct qpair {
    size_t noff, nlen, voff, vlen;
    const char *name, *value;
};

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if(c)
        return c;
    return an < bn ? -1 : an > bn;
}

static int qpair_cmp(const void *x, const void *y)
{
    const struct qpair *a = x, *b = y;
    int c = bytes_cmp(a->name, a->nlen, b->name, b->nlen);
    return c ? c : bytes_cmp(a->value, a->vlen, b->value, b->vlen);
}

static void qpair_sort(struct qpair *v, size_t n)
{
    size_t i, j;
    if(n > INSERTION_MAX) {
        qsort(v, n, sizeof(*v), qpair_cmp);
        return;
    }
    for(i = 1; i < n; i++) {
        struct qpair t = v[i];
        for(j = i; j > 0 && qpair_cmp(&v[j - 1], &t) > 0; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
}

/* Encodes one pair into scratch; decode says whether it came off the wire
 * (percent-decode first) or is a raw value of ours (encode only). */
static int add_qpair(struct buf *scratch, struct qpair *q, const char *name,
                     size_t nlen, const char *value, size_t vlen, int decode)
{
    int rc;
    q->noff = scratch->len;
    rc = decode ? recode(scratch, name, nlen)
                : sigv4_uri_encode(scratch, name, nlen, 0);
    q->nlen = scratch->len - q->noff;
    q->voff = scratch->len;
    if(rc == IAM_OK)
        rc = decode ? recode(scratch, value, vlen)
                    : sigv4_uri_encode(scratch, value, vlen, 0);
    q->vlen = scratch->len - q->voff;
    return rc;
}

/* Splits the wire query on '&' (empty pieces are skipped) and each piece at
 * its first '='; a piece without '=' is a name with an empty value. */
static int split_query(struct buf *scratch, struct qpair *v, size_t *nv,
                       const char *q, size_t n)
{
    size_t i = 0, j;
    int rc = IAM_OK;
    while(i < n && rc == IAM_OK) {
        const char *amp = memchr(q + i, '&', n - i);
        const char *eq;
        j = amp ? (size_t)(amp - q) : n;
        eq = j > i ? memchr(q + i, '=', j - i) : NULL;
        if(j > i && eq)
            rc = add_qpair(scratch, &v[(*nv)++], q + i, (size_t)(eq - q) - i,
                           eq + 1, j - (size_t)(eq - q) - 1, 1);
        else if(j > i)
            rc = add_qpair(scratch, &v[(*nv)++], q + i, j - i, "", 0, 1);
        i = j + 1;
    }
    return rc;
}

static size_t count_byte(const char *s, size_t n, char c)
{
    size_t k = 0;
    const char *end = s + n;
    while(s < end && (s = memchr(s, c, (size_t)(end - s))) != NULL) {
        k++;
        s++;
    }
    return k;
}

static int emit_query(struct buf *out, struct qpair *v, size_t nv)
{
    size_t i;
    int rc = IAM_OK;
    for(i = 0; i < nv && rc == IAM_OK; i++) {
        if(i > 0)
            rc = buf_addc(out, '&');
        if(rc == IAM_OK)
            rc = buf_add(out, v[i].name, v[i].nlen);
        if(rc == IAM_OK)
            rc = buf_addc(out, '=');
        if(rc == IAM_OK)
            rc = buf_add(out, v[i].value, v[i].vlen);
    }
    return rc;
}

int sigv4_canon_query(struct buf *out, struct buf *scratch, const char *q,
                      size_t n, const struct sigv4_header *extra, size_t nextra)
{
    struct qpair small[SMALL], *v = small;
    size_t cap = (n ? count_byte(q, n, '&') + 1 : 0) + nextra, nv = 0, i;
    const char *base;
    int rc = IAM_OK;
    if(cap > SMALL) {
        v = malloc(cap * sizeof(*v));
        if(!v)
            return IAM_ENOMEM;
    }
    buf_reset(scratch);
    rc = split_query(scratch, v, &nv, q, n);
    for(i = 0; i < nextra && rc == IAM_OK; i++)
        rc = add_qpair(scratch, &v[nv++], extra[i].name, extra[i].name_len,
                       extra[i].value, extra[i].value_len, 0);
    base = scratch->data ? scratch->data : ""; /* NULL if all were empty */
    for(i = 0; i < nv && rc == IAM_OK; i++) {
        v[i].name = base + v[i].noff;
        v[i].value = base + v[i].voff;
    }
    if(rc == IAM_OK) {
        qpair_sort(v, nv);
        rc = emit_query(out, v, nv);
    }
    if(v != small)
        free(v);
    return rc;
}

/* A header, its lowercased name and its position (so equal names keep
 * request order). */
struct hent {
    const struct sigv4_header *h;
    const char *lname;
    size_t pos;
};

/* Lowercases 8 ASCII bytes at once: a byte gets 0x20 when it is in A-Z
 * (the carry tricks compare each byte with 'A' and 'Z' in parallel). */
static uint64_t lower8(uint64_t w)
{
    uint64_t low7 = w & 0x7f7f7f7f7f7f7f7fu;
    uint64_t ge_a = low7 + 0x3f3f3f3f3f3f3f3fu; /* high bit: >= 'A' */
    uint64_t gt_z = low7 + 0x2525252525252525u; /* high bit: > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~w & 0x8080808080808080u;
    return w | upper >> 2;
}

static void copy_lower(char *d, const char *s, size_t n)
{
    size_t i = 0;
    uint64_t w;
    for(; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        w = lower8(w);
        memcpy(d + i, &w, 8);
    }
    for(; i < n; i++)
        d[i] = (char)(s[i] + ((CLS(s[i]) & UPPER) << 1)); /* +32 if A-Z */
}

static int hent_cmp(const void *x, const void *y)
{
    const struct hent *a = x, *b = y;
    int c = bytes_cmp(a->lname, a->h->name_len, b->lname, b->h->name_len);
    if(c)
        return c;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Adjacent after sorting, so a repeat has the same lowercased name. */
static int same_name(const struct hent *a, const struct hent *b)
{
    return a->h->name_len == b->h->name_len &&
           memcmp(a->lname, b->lname, a->h->name_len) == 0;
}

static void hent_sort(struct hent *v, size_t n)
{
    size_t i, j;
    if(n > INSERTION_MAX) {
        qsort(v, n, sizeof(*v), hent_cmp);
        return;
    }
    for(i = 1; i < n; i++) {
        struct hent t = v[i];
        for(j = i; j > 0 && hent_cmp(&v[j - 1], &t) > 0; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
}

/* Makes room for n more bytes and returns where they go; the caller writes
 * at most n and then calls commit. buf.h has no reserve, so this grows by
 * appending zeros and taking them back (only until the buffer is warm). */
static char *reserve(struct buf *b, size_t n, int *rc)
{
    static const char zeros[256];
    size_t len = b->len;
    if(n > b->max - len || n == SIZE_MAX) {
        *rc = IAM_ETOOBIG;
        return NULL;
    }
    while(b->cap <= len + n && *rc == IAM_OK) { /* room for n and the NUL */
        size_t more = len + n - b->len;
        *rc = buf_add(b, zeros, more < sizeof(zeros) ? more : sizeof(zeros));
    }
    b->len = len;
    return *rc ? NULL : b->data + len;
}

/* a + b, or SIZE_MAX when that wraps (reserve then refuses it). */
static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static void commit(struct buf *b, char *end)
{
    b->len = (size_t)(end - b->data);
    *end = '\0';
}

/* Does any of the 8 bytes at p lie below 0x21 (so could be whitespace)?
 * The borrow trick ("hasless" in Bit Twiddling Hacks) is exact for this. */
static int any_low8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return ((w - 0x2121212121212121u) & ~w & 0x8080808080808080u) != 0;
}

/* True when the value is already canonical: no whitespace at either end
 * and none inside but single spaces. Most values are, and go in whole;
 * words without a byte below '!' are skipped 8 bytes at a time. */
static int is_collapsed(const char *v, size_t n)
{
    size_t i = 0;
    if(n && ((CLS(v[0]) | CLS(v[n - 1])) & SPACE))
        return 0;
    while(i < n) {
        if(i + 8 <= n && !any_low8(v + i)) {
            i += 8;
            continue;
        }
        if((CLS(v[i]) & SPACE) && (v[i] != ' ' || (CLS(v[i + 1]) & SPACE)))
            return 0;
        i++;
    }
    return 1;
}

/* Writes the value trimmed, each inner run of whitespace made one space
 * (quoted strings too, as the conformance data expects); never longer
 * than the value. */
static char *put_collapsed(char *d, const char *v, size_t n)
{
    size_t i = 0;
    int gap = 0;
    if(n == 0) /* v may be NULL then */
        return d;
    if(is_collapsed(v, n)) {
        memcpy(d, v, n);
        return d + n;
    }
    while(i < n && (CLS(v[i]) & SPACE))
        i++;
    for(; i < n; i++) {
        if(CLS(v[i]) & SPACE) {
            gap = 1;
            continue;
        }
        if(gap)
            *d++ = ' ';
        gap = 0;
        *d++ = v[i];
    }
    return d;
}

/* "name:value\n" per distinct name; a repeat turns the line's '\n' into
 * ',' and appends its value. */
static int emit_block(struct buf *b, const struct hent *v, size_t n)
{
    size_t need = 0, i;
    int rc = IAM_OK;
    char *d;
    for(i = 0; i < n; i++)
        need = sat_add(
            need, sat_add(v[i].h->name_len, sat_add(v[i].h->value_len, 2)));
    d = reserve(b, need, &rc);
    for(i = 0; d && i < n; i++) {
        const struct sigv4_header *h = v[i].h;
        if(i > 0 && same_name(&v[i - 1], &v[i]))
            d[-1] = ',';
        else {
            memcpy(d, v[i].lname, h->name_len);
            d += h->name_len;
            *d++ = ':';
        }
        d = put_collapsed(d, h->value, h->value_len);
        *d++ = '\n';
    }
    if(d)
        commit(b, d);
    return rc;
}

/* "a;b;c": each distinct name once. */
static int emit_list(struct buf *b, const struct hent *v, size_t n)
{
    size_t need = 0, i;
    int rc = IAM_OK;
    char *d;
    for(i = 0; i < n; i++)
        need = sat_add(need, sat_add(v[i].h->name_len, 1));
    d = reserve(b, need, &rc);
    for(i = 0; d && i < n; i++) {
        if(i > 0 && same_name(&v[i - 1], &v[i]))
            continue;
        if(i > 0)
            *d++ = ';';
        memcpy(d, v[i].lname, v[i].h->name_len);
        d += v[i].h->name_len;
    }
    if(d)
        commit(b, d);
    return rc;
}

/* Lowercases every name once into names (sized by the caller). */
static void fill_hents(struct hent *v, char *names,
                       const struct sigv4_header *h, size_t n)
{
    size_t i;
    for(i = 0; i < n; i++) {
        v[i].h = &h[i];
        v[i].pos = i;
        v[i].lname = names;
        copy_lower(names, h[i].name, h[i].name_len);
        names += h[i].name_len;
    }
}

int sigv4_canon_headers(struct buf *block, struct buf *list,
                        const struct sigv4_header *h, size_t n)
{
    struct hent small[SMALL], *v = small;
    char small_names[SMALL * 32], *names = small_names;
    size_t i, total = 0;
    int rc = IAM_OK;
    for(i = 0; i < n; i++)
        total = sat_add(total, h[i].name_len);
    if(total == SIZE_MAX)
        return IAM_ETOOBIG;
    if(n > SMALL)
        v = malloc(n * sizeof(*v));
    if(total > sizeof(small_names))
        names = malloc(total);
    if(v && names) {
        fill_hents(v, names, h, n);
        hent_sort(v, n);
        if(block)
            rc = emit_block(block, v, n);
        if(list && rc == IAM_OK)
            rc = emit_list(list, v, n);
    } else
        rc = IAM_ENOMEM;
    if(v != small)
        free(v);
    if(names != small_names)
        free(names);
    return rc;
}

/* ---- dates (proleptic Gregorian, as H. Hinnant's civil algorithms) ---- */

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    long long era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long long)yoe + era * 400 + (*m <= 2);
}

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    long long era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void put_digits(char *p, unsigned v, int n)
{
    while(n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

int sigv4_amz_date(long long epoch, char out[17])
{
    long long days = epoch / 86400, rem = epoch % 86400, y;
    unsigned m, d;
    if(rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    if(y < 0 || y > 9999)
        return IAM_EINVAL;
    put_digits(out, (unsigned)y, 4);
    put_digits(out + 4, m, 2);
    put_digits(out + 6, d, 2);
    out[8] = 'T';
    put_digits(out + 9, (unsigned)(rem / 3600), 2);
    put_digits(out + 11, (unsigned)(rem / 60 % 60), 2);
    put_digits(out + 13, (unsigned)(rem % 60), 2);
    out[15] = 'Z';
    out[16] = '\0';
    return IAM_OK;
}

static int get_digits(const char *s, int n, unsigned *v)
{
    int i;
    *v = 0;
    for(i = 0; i < n; i++) {
        if(s[i] < '0' || s[i] > '9')
            return 0;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return 1;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char len[] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return len[m - 1] + (m == 2 && leap);
}

int sigv4_parse_amz_date(const char *s, size_t n, long long *epoch)
{
    unsigned y, mo, d, h, mi, se;
    if(n != 16 || s[8] != 'T' || s[15] != 'Z')
        return IAM_EINVAL;
    if(!get_digits(s, 4, &y) || !get_digits(s + 4, 2, &mo) ||
       !get_digits(s + 6, 2, &d) || !get_digits(s + 9, 2, &h) ||
       !get_digits(s + 11, 2, &mi) || !get_digits(s + 13, 2, &se))
        return IAM_EINVAL;
    if(mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
       mi > 59 || se > 59)
        return IAM_EINVAL;
    *epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return IAM_OK;
}

/* ---- input checks ----
 * Anything that ends up in a header or the canonical request must not be
 * able to add lines to it. Messages never quote the secret or token. */

static int is_token(const char *s, size_t n)
{
    size_t i;
    for(i = 0; i < n; i++)
        if(!(CLS(s[i]) & TCHAR))
            return 0;
    return n > 0;
}

/* Non-empty printable ASCII without space, and no byte of the `banned`
 * classes (SLASH, COMMA): the credential is "AKID/date/region/service/...",
 * and Authorization separates its parts with ','. */
static int is_word(const char *s, unsigned char banned)
{
    const char *c;
    if(!s || !*s)
        return 0;
    for(c = s; *c; c++)
        if((CLS(*c) & (PRINT | banned)) != PRINT)
            return 0;
    return 1;
}

static int check_request(const struct sigv4_request *req, struct iam_err *e)
{
    size_t i;
    if(!req->method || !is_token(req->method, strlen(req->method)))
        return iam_errf(e, IAM_EINVAL, "method must be an HTTP token");
    if((!req->path && req->path_len) || (!req->query && req->query_len) ||
       (!req->body && req->body_len) || (!req->headers && req->nheaders))
        return iam_errf(e, IAM_EINVAL, "NULL pointer with a length");
    for(i = 0; i < req->nheaders; i++) {
        const struct sigv4_header *h = &req->headers[i];
        if(!h->name || !is_token(h->name, h->name_len))
            return iam_errf(e, IAM_EINVAL,
                            "header #%zu: name must be an HTTP token", i + 1);
        if(!h->value && h->value_len)
            return iam_errf(e, IAM_EINVAL, "header #%zu: NULL value", i + 1);
    }
    if(req->payload_hash && !is_word(req->payload_hash, 0))
        return iam_errf(e, IAM_EINVAL, "payload hash must be printable");
    return IAM_OK;
}

static int check_params(const struct sigv4_params *p, struct iam_err *e)
{
    size_t n = p->secret_access_key ? strlen(p->secret_access_key) : 0;
    if(!is_word(p->service, SLASH | COMMA))
        return iam_errf(e, IAM_EINVAL, "service must be a non-empty word");
    /* An empty region signs as botocore signs it ("date//service/..."):
     * validate_region_name lets "" through. */
    if(!p->region || (*p->region && !is_word(p->region, SLASH | COMMA)))
        return iam_errf(e, IAM_EINVAL, "region must be a word");
    if(!is_word(p->access_key_id, SLASH | COMMA))
        return iam_errf(e, IAM_EINVAL, "access key id must be a word");
    if(n == 0 || n > SIGV4_SECRET_MAX)
        return iam_errf(e, IAM_EINVAL,
                        "secret access key must be 1 to %d bytes",
                        SIGV4_SECRET_MAX);
    if(p->session_token && *p->session_token && !is_word(p->session_token, 0))
        return iam_errf(e, IAM_EINVAL, "session token must be printable ASCII");
    if(p->presign && (p->expires < 1 || p->expires > SIGV4_EXPIRES_MAX))
        return iam_errf(e, IAM_EINVAL, "expires must be 1 to %ld seconds",
                        SIGV4_EXPIRES_MAX);
    return IAM_OK;
}

/* ASCII case-insensitive match of a header name against lowercase lname. */
const struct sigv4_header *sigv4_find_header(const struct sigv4_request *r,
                                             const char *lname)
{
    size_t n = strlen(lname), i, j;
    for(i = 0; i < r->nheaders; i++) {
        const struct sigv4_header *h = &r->headers[i];
        if(h->name_len != n)
            continue;
        for(j = 0; j < n; j++) {
            char c = h->name[j];
            if((c >= 'A' && c <= 'Z' ? c + 32 : c) != lname[j])
                break;
        }
        if(j == n)
            return h;
    }
    return NULL;
}

int sigv4_check(const struct sigv4_request *req, const struct sigv4_params *p,
                struct iam_err *err)
{
    int rc = check_request(req, err);
    return rc ? rc : check_params(p, err);
}
