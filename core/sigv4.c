/* sigv4.c - SigV4 signing: the signing-key cache and both modes.
 *
 * The canonicalisation steps live in sigv4_canon.c; this file assembles
 * the canonical request and string to sign around them, keeps the derived
 * signing keys, and writes what goes on the wire.
 */
#include "sigv4.h"

/* SHA256_Init and friends: deprecated in OpenSSL 3.0, kept for speed
 * (see below). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define SIGV4_MAX ((size_t)1 << 20) /* cap of every result buffer */
#define ALGORITHM "AWS4-HMAC-SHA256"
#define EMPTY_SHA256                                                           \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define KEY_SLOTS 8
#define SCOPE_PART_MAX 64 /* longer regions/services are signed uncached */
#define SMALL_HDRS 32

/* ---- SHA-256 and HMAC ----
 * OpenSSL's SHA256_* functions, not EVP: the first EVP fetch builds
 * OpenSSL 3's provider name map, about 1 ms and 2 MB of touched pages per
 * process, more than the hashing of a whole call (make bench's profile).
 * The functions are deprecated in 3.0 but kept; HMAC is RFC 2104 over
 * them, with the pads of kSigning hashed once and the states kept. */

struct hmac_key {
    SHA256_CTX inner, outer; /* after absorbing key^ipad / key^opad */
};

static void sha256(const void *p, size_t n, unsigned char md[32])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, p, n);
    SHA256_Final(md, &c);
    OPENSSL_cleanse(&c, sizeof(c));
}

static void hmac_init(struct hmac_key *k, const unsigned char *key,
                      size_t klen)
{
    unsigned char pad[64], kh[32];
    size_t i;
    if(klen > 64) {
        sha256(key, klen, kh);
        key = kh;
        klen = 32;
    }
    memset(pad, 0x36, sizeof(pad));
    for(i = 0; i < klen; i++)
        pad[i] ^= key[i];
    SHA256_Init(&k->inner);
    SHA256_Update(&k->inner, pad, 64);
    for(i = 0; i < 64; i++)
        pad[i] ^= 0x36 ^ 0x5c;
    SHA256_Init(&k->outer);
    SHA256_Update(&k->outer, pad, 64);
    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(kh, sizeof(kh));
}

static void hmac_final(const struct hmac_key *k, const void *msg, size_t n,
                       unsigned char out[32])
{
    SHA256_CTX c = k->inner;
    unsigned char ih[32];
    SHA256_Update(&c, msg, n);
    SHA256_Final(ih, &c);
    c = k->outer;
    SHA256_Update(&c, ih, 32);
    SHA256_Final(out, &c);
    OPENSSL_cleanse(&c, sizeof(c));
    OPENSSL_cleanse(ih, sizeof(ih));
}

static void hmac(const unsigned char *key, size_t klen, const void *msg,
                 size_t n, unsigned char out[32])
{
    struct hmac_key k;
    hmac_init(&k, key, klen);
    hmac_final(&k, msg, n, out);
    OPENSSL_cleanse(&k, sizeof(k));
}

/* Sets k to kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region),
 * service), "aws4_request"), so each signature is one HMAC over the string
 * to sign. Every intermediate key is wiped. */
static void derive(struct hmac_key *key, const struct sigv4_params *p,
                   size_t secret_len, const char *date8)
{
    unsigned char k[4 + SIGV4_SECRET_MAX], a[32], b[32];
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, p->secret_access_key, secret_len);
    hmac(k, 4 + secret_len, date8, 8, a);
    hmac(a, 32, p->region, strlen(p->region), b);
    hmac(b, 32, p->service, strlen(p->service), a);
    hmac(a, 32, "aws4_request", 12, b);
    hmac_init(key, b, 32);
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(b, sizeof(b));
}

/* ---- signing-key cache ----
 * kSigning depends on (secret, day, region, service) only, so a client
 * signing many requests derives it once a day. The secret is identified by
 * its SHA-256; the secret itself is never stored. LRU over a few slots. */

struct key_slot {
    unsigned char id[32]; /* SHA-256 of the secret */
    char date[8];
    size_t region_len, service_len;
    char region[SCOPE_PART_MAX], service[SCOPE_PART_MAX];
    struct hmac_key key;     /* kSigning's pads, absorbed */
    unsigned long long used; /* LRU clock; 0: empty */
};

static struct key_slot g_slots[KEY_SLOTS];
static unsigned long long g_tick;

static void slot_clear(struct key_slot *s)
{
    OPENSSL_cleanse(s, sizeof(*s));
    s->used = 0;
}

void sigv4_cleanup(void)
{
    size_t i;
    for(i = 0; i < KEY_SLOTS; i++)
        slot_clear(&g_slots[i]);
}

/* The scope parts of a lookup, lengths computed once. */
struct scope_key {
    unsigned char id[32];
    const char *date8, *region, *service;
    size_t region_len, service_len;
};

static int slot_matches(const struct key_slot *s, const struct scope_key *k)
{
    return s->used && memcmp(s->id, k->id, 32) == 0 &&
           memcmp(s->date, k->date8, 8) == 0 &&
           s->region_len == k->region_len && s->service_len == k->service_len &&
           memcmp(s->region, k->region, k->region_len) == 0 &&
           memcmp(s->service, k->service, k->service_len) == 0;
}

static struct key_slot *slot_victim(void)
{
    struct key_slot *v = &g_slots[0];
    size_t i;
    for(i = 1; i < KEY_SLOTS; i++)
        if(g_slots[i].used < v->used)
            v = &g_slots[i];
    return v;
}

/* Fills a slot for k. */
static void slot_fill(struct key_slot *s, const struct scope_key *k,
                      const struct sigv4_params *p, size_t secret_len)
{
    slot_clear(s);
    derive(&s->key, p, secret_len, k->date8);
    memcpy(s->id, k->id, 32);
    memcpy(s->date, k->date8, 8);
    s->region_len = k->region_len;
    s->service_len = k->service_len;
    memcpy(s->region, k->region, k->region_len);
    memcpy(s->service, k->service, k->service_len);
}

/* The kSigning key for p's scope: a cached slot's, or, when the scope is
 * too long to cache, derived into *tmp. */
static const struct hmac_key *signing_key(const struct sigv4_params *p,
                                          const char *date8, size_t region_len,
                                          size_t service_len,
                                          struct hmac_key *tmp)
{
    struct scope_key k;
    struct key_slot *s = NULL;
    size_t secret_len = strlen(p->secret_access_key), i;
    k.date8 = date8;
    k.region = p->region;
    k.service = p->service;
    k.region_len = region_len;
    k.service_len = service_len;
    if(k.region_len >= SCOPE_PART_MAX || k.service_len >= SCOPE_PART_MAX) {
        derive(tmp, p, secret_len, date8);
        return tmp;
    }
    sha256(p->secret_access_key, secret_len, k.id);
    for(i = 0; !s && i < KEY_SLOTS; i++)
        if(slot_matches(&g_slots[i], &k))
            s = &g_slots[i];
    if(!s) {
        s = slot_victim();
        slot_fill(s, &k, p, secret_len);
    }
    s->used = ++g_tick;
    OPENSSL_cleanse(&k, sizeof(k));
    return &s->key;
}

/* ---- results ---- */

void sigv4_result_init(struct sigv4_result *r)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->canonical_request, SIGV4_MAX);
    buf_init(&r->string_to_sign, SIGV4_MAX);
    buf_init(&r->authorization, SIGV4_MAX);
    buf_init(&r->query, SIGV4_MAX);
    buf_init(&r->signed_headers, SIGV4_MAX);
    buf_init(&r->store_, SIGV4_MAX);
}

/* Wiped because the canonical request, query and added headers may hold
 * the session token. */
void sigv4_result_free(struct sigv4_result *r)
{
    buf_wipe(&r->canonical_request);
    buf_wipe(&r->string_to_sign);
    buf_wipe(&r->authorization);
    buf_wipe(&r->query);
    buf_wipe(&r->signed_headers);
    buf_wipe(&r->store_);
    sigv4_result_init(r);
}

static void result_reset(struct sigv4_result *r)
{
    buf_reset(&r->canonical_request);
    buf_reset(&r->string_to_sign);
    buf_reset(&r->authorization);
    buf_reset(&r->query);
    buf_reset(&r->signed_headers);
    buf_reset(&r->store_);
    memset(r->added, 0, sizeof(r->added));
    r->nadded = 0;
    r->signature[0] = '\0';
    r->date[0] = '\0';
}

/* Formats p->time, remembering the last one: signing in a loop asks for
 * the same second many times. */
static int time_date(long long t, char date[17], struct iam_err *err)
{
    static long long memo_t;
    static char memo[17]; /* "" until the first call */
    if(t != memo_t || !memo[0]) {
        if(sigv4_amz_date(t, memo)) {
            memo[0] = '\0';
            return iam_errf(err, IAM_EINVAL,
                            "time %lld is outside years 0000-9999", t);
        }
        memo_t = t;
    }
    memcpy(date, memo, 17);
    return IAM_OK;
}

/* The caller's X-Amz-Date, when present, is what the server sees, so it is
 * the date that gets signed. */
static int request_date(const struct sigv4_header *h,
                        const struct sigv4_params *p, char date[17],
                        struct iam_err *err)
{
    const char *v;
    size_t n;
    long long t;
    if(!h)
        return time_date(p->time, date, err);
    v = h->value;
    n = h->value_len;
    while(n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while(n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if(sigv4_parse_amz_date(v, n, &t))
        return iam_errf(err, IAM_EINVAL,
                        "X-Amz-Date header is not YYYYMMDDTHHMMSSZ");
    memcpy(date, v, 16);
    date[16] = '\0';
    return IAM_OK;
}

/* ---- the canonical request ---- */

/* One signing in progress. */
struct job {
    const struct sigv4_request *req;
    const struct sigv4_params *p;
    struct sigv4_result *out;
    const char *hash; /* payload hash: hash_hex or the caller's */
    char hash_hex[65];
    const char *token; /* NULL when there is none */
    size_t token_len, akid_len, region_len, service_len;
    size_t scope_off, scope_len; /* the scope inside out->string_to_sign */
    char expires[24];
    int add_date, add_token, add_sha;       /* header mode: headers we add */
    const struct sigv4_header *caller_date; /* the caller's X-Amz-Date */
};

/* A buffer with a sticky status: after the first failure appends do
 * nothing, so a builder lists its pieces and checks once at the end. */
struct w {
    struct buf *b;
    int rc;
};

/* Copies inline while the buffer has room (it does once warm), so the
 * dozens of small pieces per signature cost no calls. */
static inline void put(struct w *w, const char *p, size_t n)
{
    struct buf *b = w->b;
    if(w->rc || n == 0) /* p may be NULL then */
        return;
    if(b->cap > b->len + n && n <= b->max - b->len) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else
        w->rc = buf_add(b, p, n);
}

static void put_s(struct w *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Percent-encoded, '/' included (a query parameter value). */
static void put_enc(struct w *w, const char *p, size_t n)
{
    if(w->rc == IAM_OK)
        w->rc = sigv4_uri_encode(w->b, p, n, 0);
}

static int payload_hash(struct job *j, struct iam_err *err)
{
    unsigned char md[32];
    int rc;
    (void)err;
    if(j->req->payload_hash) {
        j->hash = j->req->payload_hash;
        return IAM_OK;
    }
    j->hash = j->hash_hex;
    if(j->req->body_len == 0) {
        memcpy(j->hash_hex, EMPTY_SHA256, 65);
        return IAM_OK;
    }
    sha256(j->req->body, j->req->body_len, md);
    rc = IAM_OK;
    if(rc == IAM_OK)
        sigv4_hex32(j->hash_hex, md);
    return rc;
}

/* "AWS4-HMAC-SHA256\nDATE\nSCOPE\n"; the hash comes once the canonical
 * request exists. The scope is reused for the credential. */
static int sts_head(struct job *j)
{
    struct w w = {&j->out->string_to_sign, IAM_OK};
    put_s(&w, ALGORITHM "\n");
    put(&w, j->out->date, 16);
    put(&w, "\n", 1);
    j->scope_off = w.b->len;
    put(&w, j->out->date, 8);
    put(&w, "/", 1);
    put(&w, j->p->region, j->region_len);
    put(&w, "/", 1);
    put(&w, j->p->service, j->service_len);
    put_s(&w, "/aws4_request");
    j->scope_len = w.b->len - j->scope_off;
    put(&w, "\n", 1);
    return w.rc;
}

/* METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n HASH; extra holds the
 * presign parameters that join the query. */
static int creq(struct job *j, const struct sigv4_header *extra, size_t nextra,
                const struct sigv4_header *h, size_t nh)
{
    const struct sigv4_request *r = j->req;
    struct w w = {&j->out->canonical_request, IAM_OK};
    put_s(&w, r->method);
    put(&w, "\n", 1);
    if(w.rc == IAM_OK)
        w.rc = sigv4_canon_uri(w.b, r->path, r->path_len, j->p->normalize_path,
                               j->p->double_encode);
    put(&w, "\n", 1);
    if(w.rc == IAM_OK)
        w.rc = sigv4_canon_query(w.b, &j->out->store_, r->query, r->query_len,
                                 extra, nextra);
    put(&w, "\n", 1);
    if(w.rc == IAM_OK) /* the list too, unless presign_creq made it */
        w.rc = sigv4_canon_headers(
            w.b, j->p->presign ? NULL : &j->out->signed_headers, h, nh);
    put(&w, "\n", 1);
    put(&w, j->out->signed_headers.data, j->out->signed_headers.len);
    put(&w, "\n", 1);
    put_s(&w, j->hash);
    return w.rc;
}

static struct sigv4_header hdr(const char *name, const char *value,
                               size_t value_len)
{
    struct sigv4_header h;
    h.name = name;
    h.name_len = strlen(name);
    h.value = value;
    h.value_len = value_len;
    return h;
}

/* Signs the caller's headers plus the ones we add (X-Amz-Date, the token
 * unless omitted, X-Amz-Content-Sha256). */
static int header_creq(struct job *j)
{
    const struct sigv4_request *r = j->req;
    struct sigv4_header small[SMALL_HDRS], *all = small;
    size_t n = r->nheaders;
    int rc;
    if(n + 3 > SMALL_HDRS) {
        all = malloc((n + 3) * sizeof(*all));
        if(!all)
            return IAM_ENOMEM;
    }
    if(n)
        memcpy(all, r->headers, n * sizeof(*all));
    if(j->add_date)
        all[n++] = hdr("X-Amz-Date", j->out->date, 16);
    if(j->add_token && !j->p->omit_session_token)
        all[n++] = hdr("X-Amz-Security-Token", j->token, j->token_len);
    if(j->add_sha)
        all[n++] = hdr("X-Amz-Content-Sha256", j->hash, strlen(j->hash));
    rc = creq(j, NULL, 0, all, n);
    if(all != small)
        free(all);
    return rc;
}

static void format_expires(char out[24], long v)
{
    char tmp[24];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while(v > 0);
    for(i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* Presigned: only the caller's headers are signed; the X-Amz-* parameters
 * join the canonical query. The raw credential ("AKID/scope") is kept in
 * out->authorization, unused in this mode, until presign_query. */
static int presign_creq(struct job *j)
{
    struct sigv4_result *o = j->out;
    struct sigv4_header x[6];
    size_t nx = 0;
    struct w w = {&o->authorization, IAM_OK};
    put(&w, j->p->access_key_id, j->akid_len);
    put(&w, "/", 1);
    put(&w, o->string_to_sign.data + j->scope_off, j->scope_len);
    if(w.rc == IAM_OK)
        w.rc = sigv4_canon_headers(NULL, &o->signed_headers, j->req->headers,
                                   j->req->nheaders);
    if(w.rc)
        return w.rc;
    format_expires(j->expires, j->p->expires);
    x[nx++] = hdr("X-Amz-Algorithm", ALGORITHM, strlen(ALGORITHM));
    x[nx++] =
        hdr("X-Amz-Credential", o->authorization.data, o->authorization.len);
    x[nx++] = hdr("X-Amz-Date", o->date, 16);
    x[nx++] = hdr("X-Amz-Expires", j->expires, strlen(j->expires));
    x[nx++] = hdr("X-Amz-SignedHeaders", o->signed_headers.data,
                  o->signed_headers.len);
    if(j->token && !j->p->omit_session_token)
        x[nx++] = hdr("X-Amz-Security-Token", j->token, j->token_len);
    return creq(j, x, nx, j->req->headers, j->req->nheaders);
}

/* ---- what goes on the wire ---- */

/* The caller's query exactly as given, then ours, then the signature (and
 * an omitted token, which is sent but not signed). */
static int presign_query(struct job *j)
{
    struct sigv4_result *o = j->out;
    const struct sigv4_request *r = j->req;
    struct w w = {&o->query, IAM_OK};
    put(&w, r->query, r->query_len);
    if(r->query_len && r->query[r->query_len - 1] != '&')
        put(&w, "&", 1);
    put_s(&w, "X-Amz-Algorithm=" ALGORITHM "&X-Amz-Credential=");
    put_enc(&w, o->authorization.data, o->authorization.len);
    put_s(&w, "&X-Amz-Date=");
    put(&w, o->date, 16);
    put_s(&w, "&X-Amz-Expires=");
    put_s(&w, j->expires);
    put_s(&w, "&X-Amz-SignedHeaders=");
    put_enc(&w, o->signed_headers.data, o->signed_headers.len);
    if(j->token) {
        put_s(&w, "&X-Amz-Security-Token=");
        put_enc(&w, j->token, j->token_len);
    }
    put_s(&w, "&X-Amz-Signature=");
    put(&w, o->signature, 64);
    buf_reset(&o->authorization);
    return w.rc;
}

/* The added headers live in one buffer as "name\0value\0..." so signing
 * allocates nothing per call; pointers are set once it stops growing. */
static int header_added(struct job *j)
{
    struct sigv4_result *o = j->out;
    struct w w = {&o->store_, IAM_OK};
    const char *p;
    size_t i;
    buf_reset(&o->store_);
    if(j->add_date) {
        put(&w, "X-Amz-Date", 11); /* with its NUL, as below */
        put(&w, o->date, 17);
    }
    if(j->add_token) {
        put(&w, "X-Amz-Security-Token", 21);
        put(&w, j->token, j->token_len + 1);
    }
    if(j->add_sha) {
        put(&w, "X-Amz-Content-Sha256", 21);
        put(&w, j->hash, strlen(j->hash) + 1);
    }
    if(w.rc)
        return w.rc;
    o->nadded = (size_t)(j->add_date + j->add_token + j->add_sha);
    for(i = 0, p = o->store_.data; i < o->nadded; i++) {
        o->added[i].name = (char *)p;
        p += strlen(p) + 1;
        o->added[i].value = (char *)p;
        p += strlen(p) + 1;
    }
    return IAM_OK;
}

static int header_outputs(struct job *j)
{
    struct sigv4_result *o = j->out;
    struct w w = {&o->authorization, IAM_OK};
    put_s(&w, ALGORITHM " Credential=");
    put(&w, j->p->access_key_id, j->akid_len);
    put(&w, "/", 1);
    put(&w, o->string_to_sign.data + j->scope_off, j->scope_len);
    put_s(&w, ", SignedHeaders=");
    put(&w, o->signed_headers.data, o->signed_headers.len);
    put_s(&w, ", Signature=");
    put(&w, o->signature, 64);
    return w.rc ? w.rc : header_added(j);
}

/* ---- sigv4_sign ---- */

static int ieq(const char *name, const char *lname, size_t n)
{
    size_t i;
    for(i = 0; i < n; i++) {
        char c = name[i];
        if((c >= 'A' && c <= 'Z' ? c + 32 : c) != lname[i])
            return 0;
    }
    return 1;
}

/* One pass for the three headers the caller may have set already. */
static void scan_headers(struct job *j)
{
    const struct sigv4_request *r = j->req;
    int token = 0, sha = 0;
    size_t i;
    for(i = 0; i < r->nheaders; i++) {
        const struct sigv4_header *h = &r->headers[i];
        if(h->name_len == 10 && !j->caller_date &&
           ieq(h->name, "x-amz-date", 10))
            j->caller_date = h;
        else if(h->name_len == 20 && ieq(h->name, "x-amz-security-token", 20))
            token = 1;
        else if(h->name_len == 20 && ieq(h->name, "x-amz-content-sha256", 20))
            sha = 1;
    }
    j->add_date = !j->caller_date;
    j->add_token = j->token && !token;
    j->add_sha = j->p->sign_body && !sha;
}

static int prepare(struct job *j, struct iam_err *err)
{
    const struct sigv4_params *p = j->p;
    int rc = sigv4_check(j->req, p, err);
    if(rc)
        return rc;
    result_reset(j->out);
    j->token = p->session_token && *p->session_token ? p->session_token : NULL;
    j->token_len = j->token ? strlen(j->token) : 0;
    j->akid_len = strlen(p->access_key_id);
    j->region_len = strlen(p->region);
    j->service_len = strlen(p->service);
    scan_headers(j);
    rc = request_date(j->caller_date, p, j->out->date, err);
    if(rc == IAM_OK)
        rc = payload_hash(j, err);
    return rc;
}

/* The canonical request's hash completes the string to sign. */
static int finish_sts(struct job *j, struct iam_err *err)
{
    unsigned char md[32];
    char hex[65];
    const struct buf *c = &j->out->canonical_request;
    (void)err;
    sha256(c->data, c->len, md);
    sigv4_hex32(hex, md);
    return buf_add(&j->out->string_to_sign, hex, 64);
}

static int sign_sts(struct job *j, struct iam_err *err)
{
    struct hmac_key tmp;
    unsigned char md[32];
    const struct hmac_key *k = signing_key(j->p, j->out->date, j->region_len,
                                           j->service_len, &tmp);
    (void)err;
    hmac_final(k, j->out->string_to_sign.data, j->out->string_to_sign.len, md);
    sigv4_hex32(j->out->signature, md);
    OPENSSL_cleanse(&tmp, sizeof(tmp));
    OPENSSL_cleanse(md, sizeof(md));
    return IAM_OK;
}

int sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *p,
               struct sigv4_result *out, struct iam_err *err)
{
    struct job j;
    int rc;
    memset(&j, 0, sizeof(j));
    j.req = req;
    j.p = p;
    j.out = out;
    rc = prepare(&j, err);
    if(rc == IAM_OK)
        rc = sts_head(&j);
    if(rc == IAM_OK)
        rc = p->presign ? presign_creq(&j) : header_creq(&j);
    if(rc == IAM_OK)
        rc = finish_sts(&j, err);
    if(rc == IAM_OK)
        rc = sign_sts(&j, err);
    if(rc == IAM_OK)
        rc = p->presign ? presign_query(&j) : header_outputs(&j);
    if(rc && err && err->st == IAM_OK)
        iam_errf(err, rc, "signing failed: %s", iam_strstatus(rc));
    return rc;
}
