/* ini.c - botocore's INI dialect (see ini.h).
 *
 * The parser follows configparser's _read loop line by line over a private,
 * mutable copy of the text. Keys, section names and values are cut out of
 * that copy in place: a continuation line is moved down to sit right after
 * the value it extends, which is always safe because every appended piece
 * ("\n" + line) is no longer than what it consumed (the line and the newline
 * before it). So a parse allocates the copy plus small index arrays only,
 * and ini_free wipes one buffer.
 *
 * Duplicate sections and options are found after the loop by sorting, not
 * while reading: every configparser error ends in the same message, so the
 * order in which errors are found does not matter, and sorting keeps a
 * hostile 16 MiB file at O(n log n).
 */
#include "ini.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ini_sub {
    char *key, *val;
    size_t klen, pos;
};

struct ini_kv {
    char *key, *val;
    size_t klen, vlen, pos;
    struct ini_sub *sub; /* non-NULL when the value is a sub-section */
    size_t nsub;
    int bad; /* a [DEFAULT] sub-section botocore could not parse */
};

struct ini_sect {
    char *name;
    size_t nlen;
    struct ini_kv *kv;
    size_t n, cap;
};

struct ini {
    char *text; /* the parsed copy; every string points into it */
    size_t size;
    struct ini_sect *sec; /* file order, [DEFAULT] excluded */
    size_t nsec, cap;
    struct ini_sect defaults;
    struct ini_sect **byname; /* sec sorted by name */
};

#define NO_SECT SIZE_MAX
#define DEFAULT_SECT (SIZE_MAX - 1)

struct parser {
    struct ini *ini;
    size_t cur;    /* section being filled, NO_SECT or DEFAULT_SECT */
    int has_opt;   /* cur's last option may take continuation lines */
    size_t indent; /* indent of the last option or header, in chars */
    size_t npos;   /* counter giving each entry its order of appearance */
};

#define fail iam_errc

/* ---- UTF-8 and Python's notion of whitespace ---- */

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* How many bytes of an invalid sequence at s Python blames (1..3), with
 * *trunc set when the input ended inside a sequence that was valid so far.
 * 0 when s starts a valid character. Mirrors CPython's utf8 decoder. */
static size_t utf8_bad(const unsigned char *s, size_t n, size_t *clen,
                       int *trunc)
{
    unsigned char c = s[0];
    size_t need, i;
    *trunc = 0;
    if(c < 0x80) {
        *clen = 1;
        return 0;
    }
    if(c < 0xC2 || c > 0xF4)
        return 1;
    need = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    for(i = 1; i < need; i++) {
        if(i >= n) {
            *trunc = 1;
            return n;
        }
        if(!is_cont(s[i]))
            return i;
        if(i == 1 &&
           ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
            (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
            return 1;
    }
    *clen = need;
    return 0;
}

/* Python's wording: one byte is "byte 0x.. in position N", more are
 * "bytes in position N-M". */
static void utf8_why(char *why, size_t whylen, const unsigned char *u, size_t i,
                     size_t bad, int trunc)
{
    const char *reason = trunc ? "unexpected end of data"
                         : bad == 1 && (u[i] < 0xC2 || u[i] > 0xF4)
                             ? "invalid start byte"
                             : "invalid continuation byte";
    if(!why || !whylen)
        return;
    if(bad == 1)
        snprintf(why, whylen,
                 "'utf-8' codec can't decode byte 0x%02x in position %zu: %s",
                 u[i], i, reason);
    else
        snprintf(why, whylen,
                 "'utf-8' codec can't decode bytes in position %zu-%zu: %s", i,
                 i + bad - 1, reason);
}

int ini_utf8_valid(const char *s, size_t len, char *why, size_t whylen)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, clen = 1, bad;
    int trunc;
    while(i < len) {
        bad = utf8_bad(u + i, len - i, &clen, &trunc);
        if(bad) {
            utf8_why(why, whylen, u, i, bad, trunc);
            return 0;
        }
        i += clen;
    }
    return 1;
}

/* Length of the whitespace character (str.isspace) at p, else 0. The text
 * is valid UTF-8 here, so multi-byte tests may read p[1] and p[2]. */
static size_t ws_at(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t n = (size_t)(end - p);
    if(!n)
        return 0;
    if((u[0] >= 0x09 && u[0] <= 0x0D) || (u[0] >= 0x1C && u[0] <= 0x20))
        return 1;
    if(u[0] == 0xC2 && n >= 2 && (u[1] == 0x85 || u[1] == 0xA0))
        return 2;
    if(n < 3)
        return 0;
    if((u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80) ||
       (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ||
       (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F))
        return 3;
    if(u[0] == 0xE2 && u[1] == 0x80 &&
       (u[2] <= 0x8A || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF))
        return 3;
    return 0;
}

/* Length of the whitespace character ending at end, else 0. */
static size_t ws_before(const char *start, const char *end)
{
    size_t k;
    for(k = 1; k <= 4 && end - k >= start; k++)
        if(!is_cont((unsigned char)*(end - k)))
            return ws_at(end - k, end) == k ? k : 0;
    return 0;
}

/* Line breaks of str.splitlines, which botocore uses on sub-sections. */
static size_t nl_at(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    if((u[0] >= 0x0A && u[0] <= 0x0D) || (u[0] >= 0x1C && u[0] <= 0x1E))
        return 1;
    if(u[0] == 0xC2 && end - p >= 2 && u[1] == 0x85)
        return 2;
    if(u[0] == 0xE2 && end - p >= 3 && u[1] == 0x80 &&
       (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

/* str.strip(): both ends, Unicode whitespace. */
static void strip(char **s, char **e)
{
    size_t n = ws_at(*s, *e);
    while(n) {
        *s += n;
        n = ws_at(*s, *e);
    }
    n = ws_before(*s, *e);
    while(n) {
        *e -= n;
        n = ws_before(*s, *e);
    }
}

/* ---- building ---- */

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    size_t ncap;
    void *p;
    if(n < *cap)
        return IAM_OK;
    ncap = *cap ? *cap * 2 : 8;
    p = realloc(*arr, ncap * elem);
    if(!p)
        return IAM_ENOMEM;
    *arr = p;
    *cap = ncap;
    return IAM_OK;
}

static struct ini_sect *cur_sect(struct parser *p)
{
    if(p->cur == DEFAULT_SECT)
        return &p->ini->defaults;
    return &p->ini->sec[p->cur];
}

static int add_section(struct parser *p, char *name, size_t nlen)
{
    struct ini *ini = p->ini;
    struct ini_sect *s;
    p->has_opt = 0;
    if(nlen == 7 && !memcmp(name, "DEFAULT", 7)) {
        p->cur = DEFAULT_SECT;
        return IAM_OK;
    }
    if(grow((void **)&ini->sec, &ini->cap, ini->nsec, sizeof(*s)))
        return IAM_ENOMEM;
    s = &ini->sec[ini->nsec];
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->nlen = nlen;
    name[nlen] = '\0';
    p->cur = ini->nsec++;
    return IAM_OK;
}

static int add_option(struct parser *p, char *key, size_t klen, char *val,
                      size_t vlen)
{
    struct ini_sect *s = cur_sect(p);
    struct ini_kv *kv;
    size_t i;
    if(grow((void **)&s->kv, &s->cap, s->n, sizeof(*kv)))
        return IAM_ENOMEM;
    kv = &s->kv[s->n++];
    memset(kv, 0, sizeof(*kv));
    for(i = 0; i < klen; i++) /* configparser's optionxform, ASCII only */
        if(key[i] >= 'A' && key[i] <= 'Z')
            key[i] = (char)(key[i] - 'A' + 'a');
    key[klen] = '\0';
    kv->key = key;
    kv->klen = klen;
    kv->val = val;
    kv->vlen = vlen;
    kv->pos = p->npos++;
    p->has_opt = 1;
    return IAM_OK;
}

/* Appends "\n" + piece to the open value, moving the piece down; see the
 * comment at the top of the file for why this never overwrites unread
 * text. An empty piece is a blank line (configparser keeps those). */
static void append_line(struct parser *p, const char *piece, size_t n)
{
    struct ini_sect *s = cur_sect(p);
    struct ini_kv *kv = &s->kv[s->n - 1];
    char *dst = kv->val + kv->vlen;
    *dst = '\n';
    memmove(dst + 1, piece, n);
    kv->vlen += 1 + n;
}

/* ---- the line loop ---- */

static size_t count_chars(const char *s, const char *e)
{
    size_t n = 0;
    for(; s < e; s++)
        n += !is_cont((unsigned char)*s);
    return n;
}

/* SECTCRE: "[" .+ "]" at the start of the stripped line, greedy, so the
 * name runs to the last ']'; anything after it is ignored. */
static int try_header(struct parser *p, char *s, char *e, int *rc)
{
    char *close = e;
    if(*s != '[')
        return 0;
    while(close > s + 2 && close[-1] != ']')
        close--;
    if(close <= s + 2)
        return 0;
    close--;
    *rc = add_section(p, s + 1, (size_t)(close - s - 1));
    return 1;
}

/* OPTCRE: the name is everything before the first '=' or ':'. */
static int option_line(struct parser *p, char *s, char *e)
{
    char *d = s, *ke, *v = NULL;
    while(d < e && *d != '=' && *d != ':')
        d++;
    if(d == e || d == s)
        return IAM_EPARSE;
    ke = d;
    strip(&s, &ke); /* s is already stripped: this trims the name's end */
    v = d + 1;
    strip(&v, &e);
    return add_option(p, s, (size_t)(ke - s), v, (size_t)(e - v));
}

static int parse_line(struct parser *p, char *ls, char *le)
{
    char *s = ls, *e = le;
    size_t indent;
    int rc = IAM_OK;
    strip(&s, &e);
    if(s == e || *s == '#' || *s == ';') {
        if(s == e && p->cur != NO_SECT && p->has_opt)
            append_line(p, s, 0);
        return IAM_OK;
    }
    indent = count_chars(ls, s);
    if(p->cur != NO_SECT && p->has_opt && indent > p->indent) {
        append_line(p, s, (size_t)(e - s));
        return IAM_OK;
    }
    p->indent = indent;
    if(try_header(p, s, e, &rc))
        return rc;
    if(p->cur == NO_SECT)
        return IAM_EPARSE;
    return option_line(p, s, e);
}

static int parse_lines(struct parser *p, char *text, size_t len)
{
    char *ls = text, *end = text + len, *nl;
    int rc;
    while(ls < end) {
        nl = memchr(ls, '\n', (size_t)(end - ls));
        if(!nl)
            nl = end;
        rc = parse_line(p, ls, nl);
        if(rc)
            return rc;
        ls = nl + 1;
    }
    return IAM_OK;
}

/* ---- after the loop: values, sub-sections, duplicates ---- */

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if(c)
        return c;
    return an < bn ? -1 : an > bn;
}

static int cmp_sub(const void *a, const void *b)
{
    const struct ini_sub *x = a, *y = b;
    int c = cmp_bytes(x->key, x->klen, y->key, y->klen);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* One "key = value" line of a sub-section; no '=' is botocore's
 * ValueError. Key case is kept, unlike configparser's options. */
static int sub_line(struct ini_kv *kv, char *s, char *e)
{
    char *eq = memchr(s, '=', (size_t)(e - s)), *ke, *v;
    struct ini_sub *sub;
    strip(&s, &e);
    if(s == e)
        return IAM_OK;
    if(!eq)
        return IAM_EPARSE;
    ke = eq;
    v = eq + 1;
    strip(&s, &ke);
    strip(&v, &e);
    sub = &kv->sub[kv->nsub];
    sub->key = s;
    sub->klen = (size_t)(ke - s);
    sub->val = v;
    sub->pos = kv->nsub++;
    *ke = '\0';
    *e = '\0';
    return IAM_OK;
}

/* Sorts a sub-section by key and keeps the last of each duplicate, as
 * assigning into a Python dict does. */
static void sub_dedupe(struct ini_kv *kv)
{
    size_t i, o = 0;
    if(kv->nsub > 1)
        qsort(kv->sub, kv->nsub, sizeof(*kv->sub), cmp_sub);
    for(i = 0; i < kv->nsub; i++) {
        if(i + 1 < kv->nsub &&
           !cmp_bytes(kv->sub[i].key, kv->sub[i].klen, kv->sub[i + 1].key,
                      kv->sub[i + 1].klen))
            continue;
        kv->sub[o++] = kv->sub[i];
    }
    kv->nsub = o;
}

/* botocore's _parse_nested over a value that starts with a newline. */
static int parse_sub(struct ini_kv *kv)
{
    char *s = kv->val, *end = kv->val + kv->vlen, *p = s;
    size_t nl, lines = 1;
    int rc;
    for(p = s; p < end; p++)
        lines += nl_at(p, end) > 0;
    kv->sub = calloc(lines, sizeof(*kv->sub));
    if(!kv->sub)
        return IAM_ENOMEM;
    for(p = s; p <= end; p++) {
        nl = p < end ? nl_at(p, end) : 1;
        if(!nl)
            continue;
        rc = sub_line(kv, s, p);
        if(rc)
            return rc;
        p += nl - 1;
        s = p + 1;
    }
    sub_dedupe(kv);
    return IAM_OK;
}

/* configparser joins the lines with "\n" and rstrips the result. */
static int finish_value(struct ini_kv *kv)
{
    char *s = kv->val, *e = kv->val + kv->vlen;
    size_t n = ws_before(s, e);
    while(n) {
        e -= n;
        n = ws_before(s, e);
    }
    kv->vlen = (size_t)(e - s);
    *e = '\0';
    if(kv->vlen && *s == '\n')
        return parse_sub(kv);
    return IAM_OK;
}

static int cmp_kv(const void *a, const void *b)
{
    const struct ini_kv *x = a, *y = b;
    int c = cmp_bytes(x->key, x->klen, y->key, y->klen);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Finishes every value of s and sorts its keys; a repeated key is
 * configparser's DuplicateOptionError. A bad sub-section fails the file,
 * except in [DEFAULT], where it is only marked (see check_defaults). */
static int finish_section(struct ini_sect *s, int is_default)
{
    size_t i;
    int rc;
    for(i = 0; i < s->n; i++) {
        rc = finish_value(&s->kv[i]);
        if(rc == IAM_EPARSE && is_default) {
            free(s->kv[i].sub);
            s->kv[i].sub = NULL;
            s->kv[i].bad = 1;
        } else if(rc) {
            return rc;
        }
    }
    if(s->n > 1)
        qsort(s->kv, s->n, sizeof(*s->kv), cmp_kv);
    for(i = 1; i < s->n; i++)
        if(!cmp_bytes(s->kv[i - 1].key, s->kv[i - 1].klen, s->kv[i].key,
                      s->kv[i].klen))
            return IAM_EPARSE;
    return IAM_OK;
}

static int cmp_byname(const void *a, const void *b)
{
    const struct ini_sect *x = *(struct ini_sect *const *)a;
    const struct ini_sect *y = *(struct ini_sect *const *)b;
    return cmp_bytes(x->name, x->nlen, y->name, y->nlen);
}

/* Indexes sections by name; a repeated name is DuplicateSectionError. The
 * section array no longer grows, so pointers into it are stable. */
static int index_sections(struct ini *ini)
{
    size_t i;
    ini->byname = malloc((ini->nsec ? ini->nsec : 1) * sizeof(*ini->byname));
    if(!ini->byname)
        return IAM_ENOMEM;
    for(i = 0; i < ini->nsec; i++)
        ini->byname[i] = &ini->sec[i];
    if(ini->nsec > 1)
        qsort(ini->byname, ini->nsec, sizeof(*ini->byname), cmp_byname);
    for(i = 1; i < ini->nsec; i++)
        if(!cmp_byname(&ini->byname[i - 1], &ini->byname[i]))
            return IAM_EPARSE;
    return IAM_OK;
}

/* Compares a stored (lower-case) key with a query lower-cased on the fly,
 * since configparser lower-cases option names on both sides. */
static int cmp_key(const char *k, size_t kn, const char *q, size_t qn)
{
    size_t i;
    unsigned char a, b;
    for(i = 0; i < kn && i < qn; i++) {
        a = (unsigned char)k[i];
        b = (unsigned char)q[i];
        if(b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if(a != b)
            return a < b ? -1 : 1;
    }
    return kn < qn ? -1 : kn > qn;
}

static const struct ini_kv *find_kv(const struct ini_sect *s, const char *key,
                                    size_t n)
{
    size_t lo = 0, hi = s->n, mid;
    int c;
    while(lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = cmp_key(s->kv[mid].key, s->kv[mid].klen, key, n);
        if(!c)
            return &s->kv[mid];
        if(c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* botocore parses a [DEFAULT] sub-section only when it reads it through a
 * section that does not set the same key itself, so a bad one fails the
 * file only then. */
static int check_defaults(const struct ini *ini)
{
    const struct ini_sect *d = &ini->defaults;
    size_t i, j;
    for(i = 0; i < d->n; i++) {
        if(!d->kv[i].bad)
            continue;
        for(j = 0; j < ini->nsec; j++)
            if(!find_kv(&ini->sec[j], d->kv[i].key, d->kv[i].klen))
                return IAM_EPARSE;
    }
    return IAM_OK;
}

static int finish(struct ini *ini)
{
    size_t i;
    int rc = finish_section(&ini->defaults, 1);
    for(i = 0; !rc && i < ini->nsec; i++)
        rc = finish_section(&ini->sec[i], 0);
    if(!rc)
        rc = check_defaults(ini);
    if(!rc)
        rc = index_sections(ini);
    return rc;
}

/* ---- the EC2 key=value file ---- */

/* Narrows [s,e) to the value of a "key = value" line matching key. */
static int keyval_line(char *s, char *e, const char *key, size_t klen,
                       char **vs, char **ve)
{
    char *eq = memchr(s, '=', (size_t)(e - s)), *ke, *v;
    if(!eq)
        return 0;
    ke = eq;
    v = eq + 1;
    strip(&s, &ke);
    strip(&v, &e);
    if(cmp_bytes(s, (size_t)(ke - s), key, klen))
        return 0;
    *vs = v;
    *ve = e;
    return 1;
}

int ini_keyval_find(const char *text, size_t len, const char *key, char **out)
{
    char *t = (char *)text, *end = t + len, *s = t, *p, *vs = NULL, *ve = NULL;
    size_t nl, klen = strlen(key);
    *out = NULL;
    for(p = s; p <= end; p++) {
        nl = p < end ? nl_at(p, end) : 1;
        if(!nl)
            continue;
        keyval_line(s, p, key, klen, &vs, &ve);
        p += nl - 1;
        s = p + 1;
    }
    if(!vs)
        return IAM_OK;
    *out = malloc((size_t)(ve - vs) + 1);
    if(!*out)
        return IAM_ENOMEM;
    memcpy(*out, vs, (size_t)(ve - vs));
    (*out)[ve - vs] = '\0';
    return IAM_OK;
}

/* ---- entry points ---- */

/* Copies text with universal newlines ("\r\n" and "\r" become "\n"), as
 * Python's text mode reads it. */
static size_t copy_newlines(char *dst, const char *src, size_t len)
{
    size_t i, o = 0;
    for(i = 0; i < len; i++) {
        if(src[i] != '\r') {
            dst[o++] = src[i];
            continue;
        }
        dst[o++] = '\n';
        if(i + 1 < len && src[i + 1] == '\n')
            i++;
    }
    dst[o] = '\0';
    return o;
}

static int parse_into(struct ini *ini, const char *text, size_t len)
{
    struct parser p;
    size_t n;
    int rc;
    if(!ini_utf8_valid(text, len, NULL, 0))
        return IAM_EPARSE;
    ini->size = len + 1;
    ini->text = malloc(ini->size);
    if(!ini->text)
        return IAM_ENOMEM;
    n = copy_newlines(ini->text, text, len);
    memset(&p, 0, sizeof(p));
    p.ini = ini;
    p.cur = NO_SECT;
    rc = parse_lines(&p, ini->text, n);
    if(!rc)
        rc = finish(ini);
    return rc;
}

int ini_parse(const char *text, size_t len, const char *filename,
              struct ini **out, struct iam_err *err)
{
    struct ini *ini;
    int rc;
    *out = NULL;
    if(!filename)
        filename = "<string>";
    if(len > INI_MAX_SIZE)
        return fail(err, IAM_ETOOBIG, "ConfigTooBig",
                    "config file %s is larger than %zu bytes", filename,
                    INI_MAX_SIZE);
    ini = calloc(1, sizeof(*ini));
    if(!ini)
        return fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    rc = parse_into(ini, text ? text : "", text ? len : 0);
    if(rc) {
        ini_free(ini);
        if(rc == IAM_ENOMEM)
            return fail(err, rc, "MemoryError", "out of memory");
        return fail(err, rc, "ConfigParseError",
                    "Unable to parse config file: %s", filename);
    }
    *out = ini;
    return IAM_OK;
}

int ini_empty(struct ini **out, struct iam_err *err)
{
    return ini_parse("", 0, "", out, err);
}

static int read_fd(int fd, const char *path, size_t max, struct buf *out,
                   struct iam_err *err)
{
    char chunk[8192];
    ssize_t n;
    int rc = IAM_OK;
    while(!rc) {
        n = read(fd, chunk, sizeof(chunk));
        if(n == 0)
            break;
        if(n < 0 && errno == EINTR)
            continue;
        if(n < 0) {
            rc = fail(err, IAM_EIO, "OSError", "%s: %s", path, strerror(errno));
            break;
        }
        rc = buf_add(out, chunk, (size_t)n);
        if(rc == IAM_ETOOBIG)
            fail(err, rc, "ConfigTooBig",
                 "config file %s is larger than %zu bytes", path, max);
        else if(rc)
            fail(err, rc, "MemoryError", "out of memory");
    }
    OPENSSL_cleanse(chunk, sizeof(chunk)); /* it may have held a secret */
    return rc;
}

int ini_read_file(const char *path, size_t max, struct buf *out,
                  struct iam_err *err)
{
    struct stat st;
    int fd, rc;
    buf_init(out, max);
    /* O_NONBLOCK: a FIFO must not hang the open; botocore's isfile()
     * refuses it before opening anyway. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if(fd < 0 && (errno == ENOENT || errno == ENOTDIR))
        return fail(err, IAM_ENOTFOUND, "ConfigNotFound", "%s: %s", path,
                    strerror(errno));
    if(fd < 0)
        return fail(err, IAM_EIO, "OSError", "%s: %s", path, strerror(errno));
    if(fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, IAM_EIO, "OSError", "%s: not a regular file", path);
    }
    rc = read_fd(fd, path, max, out, err);
    close(fd);
    if(rc)
        buf_wipe(out);
    return rc;
}

int ini_load(const char *path, struct ini **out, struct iam_err *err)
{
    struct buf b;
    int rc;
    *out = NULL;
    rc = ini_read_file(path, INI_MAX_SIZE, &b, err);
    if(rc)
        return rc;
    rc = ini_parse(b.data, b.len, path, out, err);
    buf_wipe(&b);
    return rc;
}

/* ---- lookups ---- */

static const struct ini_sect *find_sect(const struct ini *ini, const char *name)
{
    size_t lo = 0, hi = ini ? ini->nsec : 0, mid, nlen;
    const struct ini_sect *s;
    int c;
    if(!name)
        return NULL;
    nlen = strlen(name);
    while(lo < hi) {
        mid = lo + (hi - lo) / 2;
        s = ini->byname[mid];
        c = cmp_bytes(s->name, s->nlen, name, nlen);
        if(!c)
            return s;
        if(c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct ini_kv *lookup(const struct ini *ini, const char *section,
                                   const char *key)
{
    const struct ini_sect *s = find_sect(ini, section);
    const struct ini_kv *kv;
    if(!s || !key)
        return NULL;
    kv = find_kv(s, key, strlen(key));
    return kv ? kv : find_kv(&ini->defaults, key, strlen(key));
}

const char *ini_get(const struct ini *ini, const char *section, const char *key)
{
    const struct ini_kv *kv = lookup(ini, section, key);
    return kv && !kv->sub ? kv->val : NULL;
}

const char *ini_get_sub(const struct ini *ini, const char *section,
                        const char *key, const char *subkey)
{
    const struct ini_kv *kv = lookup(ini, section, key);
    size_t i, n;
    if(!kv || !kv->sub || !subkey)
        return NULL;
    n = strlen(subkey);
    for(i = 0; i < kv->nsub; i++)
        if(!cmp_bytes(kv->sub[i].key, kv->sub[i].klen, subkey, n))
            return kv->sub[i].val;
    return NULL;
}

int ini_has_key(const struct ini *ini, const char *section, const char *key)
{
    return lookup(ini, section, key) != NULL;
}

int ini_has_section(const struct ini *ini, const char *section)
{
    return find_sect(ini, section) != NULL;
}

size_t ini_nsections(const struct ini *ini)
{
    return ini ? ini->nsec : 0;
}

const char *ini_section_name(const struct ini *ini, size_t i)
{
    return ini && i < ini->nsec ? ini->sec[i].name : NULL;
}

static void free_sect(struct ini_sect *s)
{
    size_t i;
    for(i = 0; i < s->n; i++)
        free(s->kv[i].sub);
    free(s->kv);
}

void ini_free(struct ini *ini)
{
    size_t i;
    if(!ini)
        return;
    for(i = 0; i < ini->nsec; i++)
        free_sect(&ini->sec[i]);
    free_sect(&ini->defaults);
    free(ini->sec);
    free(ini->byname);
    if(ini->text)
        OPENSSL_cleanse(ini->text, ini->size);
    free(ini->text);
    free(ini);
}
