/* transport.c - libcurl multi driver (see transport.h).
 *
 * Callbacks only append bytes and set flags; finishing a request happens in
 * transport_step after curl_multi_info_read, as curl's 10-at-a-time.c does,
 * so no callback ever re-enters curl_multi_* or the caller.
 */
#include "transport.h"

#include "proxy.h"
#include "tlsinit.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define IDLE_MAX 64 /* easy handles kept for reuse (CURLMOPT_MAXCONNECTS) */
#define GATE_MS 500   /* longest wait for another transfer's TLS session */
#define ADMIT_RECHECK_MS 250 /* longest wait before admission is asked again */
#define PRIMED_MAX 8  /* https origins remembered as having a session */

struct transport {
    CURLM *multi;
    /* TLS sessions shared by every transfer, so that connections after the
     * first to a host resume its session instead of a full handshake
     * (curl's own easy handles each keep a cache of their own). */
    CURLSH *share;
    /* Easy handles of finished transfers, reset: the next transfer takes
     * one instead of building a handle (and its buffers) from nothing. */
    CURL *idle[IDLE_MAX];
    int nidle;
    /* The session gate: while the first transfer to an https origin (the
     * primer) is in flight, later transfers to that origin wait for it in
     * `delayed` (r->gated), at most GATE_MS, and then resume its session:
     * started together, each would make a full handshake. Origins whose
     * first transfer ended are listed in `primed` and never wait. */
    struct treq *primer;
    char *primed[PRIMED_MAX];
    int nprimed;
    int running;
    int inflight;         /* requests in `all` */
    struct treq *all;     /* every request queued or in flight */
    struct treq *delayed; /* the queued ones, sorted by due_ms */
};

static volatile sig_atomic_t interrupted;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


void transport_interrupt(void)
{
    interrupted = 1;
}

int transport_interrupted(void)
{
    return interrupted != 0;
}

void transport_reset_interrupt(void)
{
    interrupted = 0;
}

const char *transport_curl_version(void)
{
    return curl_version_info(CURLVERSION_NOW)->version;
}

int transport_new(struct transport **out, struct iam_err *err)
{
    struct transport *t;
    static int global_done;
    *out = NULL;
    if(!global_done) {
        /* OpenSSL first: its configuration waits for the first TLS
         * connection (tlsinit.h). */
        if(tlsinit_global(err) != IAM_OK)
            return err->st;
        if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return iam_errf(err, IAM_ENOMEM, "curl_global_init failed");
        global_done = 1;
    }
    t = calloc(1, sizeof(*t));
    if(!t)
        return iam_errf(err, IAM_ENOMEM, "out of memory");
    t->multi = curl_multi_init();
    if(!t->multi) {
        free(t);
        return iam_errf(err, IAM_ENOMEM, "curl_multi_init failed");
    }
    /* HTTP/1.1 keep-alive; several connections to one host at once. */
    curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, 64L);
    t->share = curl_share_init();
    if(t->share)
        curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    *out = t;
    return IAM_OK;
}

/* A request belongs to a transport (r->owner) exactly while it is on the
 * transport's `all` list: from its submission until it finishes, is
 * cancelled or freed, or the transport goes. */
static void own(struct transport *t, struct treq *r)
{
    r->owner = t;
    r->all_prev = NULL;
    r->all_next = t->all;
    if(t->all)
        t->all->all_prev = r;
    t->all = r;
    t->inflight++;
}

static void disown(struct treq *r)
{
    struct transport *t = r->owner;
    if(r->all_prev)
        r->all_prev->all_next = r->all_next;
    else
        t->all = r->all_next;
    if(r->all_next)
        r->all_next->all_prev = r->all_prev;
    r->all_prev = r->all_next = NULL;
    t->inflight--;
    r->owner = NULL;
}

static void unqueue(struct treq *r)
{
    struct treq **pp;
    for(pp = &r->owner->delayed; *pp; pp = &(*pp)->next_delayed)
        if(*pp == r) {
            *pp = r->next_delayed;
            break;
        }
    r->next_delayed = NULL;
    r->delayed = 0;
}

/* Whether r's transfer may make a TLS connection: to an https endpoint,
 * or through an https proxy. */
static int uses_tls(const struct treq *r)
{
    return strncasecmp(r->url, "https:", 6) == 0 ||
           (r->opts.proxy && strncasecmp(r->opts.proxy, "https:", 6) == 0);
}

/* ---- the TLS session gate ---- */

/* Length of "https://authority" in an https URL, else 0. */
static size_t https_origin_len(const char *url)
{
    if(strncmp(url, "https://", 8) != 0)
        return 0;
    return 8 + strcspn(url + 8, "/?#");
}

static int same_origin(const struct treq *a, const struct treq *b)
{
    size_t n = https_origin_len(a->url);
    const char *pa = a->opts.proxy ? a->opts.proxy : "";
    const char *pb = b->opts.proxy ? b->opts.proxy : "";
    return n && n == https_origin_len(b->url) &&
           strncmp(a->url, b->url, n) == 0 && strcmp(pa, pb) == 0;
}

static int primed(const struct transport *t, const struct treq *r)
{
    size_t n = https_origin_len(r->url);
    int i;
    if(r->opts.proxy) /* through a proxy: never gated */
        return 1;
    for(i = 0; i < t->nprimed; i++)
        if(strlen(t->primed[i]) == n && strncmp(t->primed[i], r->url, n) == 0)
            return 1;
    return 0;
}

/* Queues r in `delayed`, sorted by due time. */
static void enqueue(struct transport *t, struct treq *r, long long due)
{
    struct treq **pp;
    r->delayed = 1;
    r->due_ms = due;
    for(pp = &t->delayed; *pp && (*pp)->due_ms <= due;
        pp = &(*pp)->next_delayed)
        ;
    r->next_delayed = *pp;
    *pp = r;
}

/* Ends the primer's gate: its origin is listed (whether it succeeded or
 * not: after a failure the others must not fail one at a time), and every
 * gated request becomes due now, in the order it came. */
static void ungate(struct transport *t)
{
    struct treq *r = t->primer, **pp, *released = NULL, **tail = &released;
    size_t n = https_origin_len(r->url);
    t->primer = NULL;
    if(t->nprimed < PRIMED_MAX) {
        char *o = malloc(n + 1);
        if(o) {
            memcpy(o, r->url, n);
            o[n] = '\0';
            t->primed[t->nprimed++] = o;
        }
    }
    for(pp = &t->delayed; *pp;) {
        struct treq *q = *pp;
        if(q->gated) {
            *pp = q->next_delayed;
            q->gated = 0;
            q->due_ms = 0;
            q->next_delayed = NULL;
            *tail = q;
            tail = &q->next_delayed;
        } else
            pp = &q->next_delayed;
    }
    *tail = t->delayed;
    t->delayed = released;
}

/* Whether r, about to start, waits for the primer instead; r becomes the
 * primer when it is the first https transfer to a new origin. */
static int gate(struct transport *t, struct treq *r)
{
    if(!https_origin_len(r->url) || primed(t, r))
        return 0;
    if(!t->primer) {
        t->primer = r;
        return 0;
    }
    if(r->gated || !same_origin(t->primer, r))
        return 0; /* waited its GATE_MS already, or another origin */
    r->gated = 1;
    enqueue(t, r, now_ms() + GATE_MS);
    return 1;
}

/* ---- easy handles ---- */

/* An easy handle for a transfer: an idle one, or a new one joined to the
 * share (curl_easy_reset keeps a handle's share, so once is enough). */
static CURL *easy_get(struct transport *t)
{
    CURL *e;
    if(t->nidle)
        return t->idle[--t->nidle];
    e = curl_easy_init();
    if(e)
        curl_easy_setopt(e, CURLOPT_SHARE, t->share);
    return e;
}

/* Takes back r's handle once it is out of the multi handle. Reset here, so
 * an idle handle points at nothing of r's (URL, headers, buffers, errbuf);
 * the reset keeps the share and curl's buffers. r->easy is set exactly
 * while r's transfer is in the multi handle. */
static void easy_put(struct transport *t, struct treq *r)
{
    CURL *e = r->easy;
    r->easy = NULL;
    if(!e)
        return;
    curl_easy_reset(e);
    if(t->nidle < IDLE_MAX)
        t->idle[t->nidle++] = e;
    else
        curl_easy_cleanup(e);
}

/* Takes r out of its transport, whatever its state there. */
static void detach(struct treq *r)
{
    if(!r->owner)
        return;
    if(r == r->owner->primer)
        ungate(r->owner);
    r->gated = 0;
    if(r->delayed)
        unqueue(r);
    else if(r->easy) {
        curl_multi_remove_handle(r->owner->multi, r->easy);
        easy_put(r->owner, r);
    }
    disown(r);
}

void transport_free(struct transport *t)
{
    if(!t)
        return;
    /* Their callers still own them; whichever of the two is freed first,
     * neither points into the other afterwards. */
    while(t->all)
        detach(t->all);
    /* The handles first, so none still uses the share when it goes. */
    while(t->nidle)
        curl_easy_cleanup(t->idle[--t->nidle]);
    curl_multi_cleanup(t->multi);
    curl_share_cleanup(t->share);
    while(t->nprimed)
        free(t->primed[--t->nprimed]);
    free(t);
}

struct treq *treq_new(void)
{
    struct treq *r = calloc(1, sizeof(*r));
    if(!r)
        return NULL;
    buf_init(&r->body, 16 << 20); /* the CLI sends 1 MB parameters */
    buf_init(&r->resp, 10 << 20);
    buf_init(&r->resp_date, 128);
    r->opts.connect_timeout_ms = 60000;
    r->opts.read_timeout_ms = 60000;
    r->opts.verify_tls = 1;
    r->opts.max_body = 10 << 20;
    r->method = "POST";
    return r;
}

/* Whether s can go into a header line as it is: a CR or LF would end the
 * line and start another header (or the body) of the caller's choosing. */
static int header_safe(const char *s)
{
    return strpbrk(s, "\r\n") == NULL;
}

int treq_header(struct treq *r, const char *name, const char *value)
{
    struct buf line;
    struct curl_slist *l;
    int rc;
    /* The value is not quoted: it may be a token or a signature. */
    if(!header_safe(name) || !header_safe(value))
        return iam_errf(&r->err, IAM_EINVAL,
                        "Invalid header value for %s: it contains a CR or "
                        "LF character",
                        header_safe(name) ? name : "a header");
    buf_init(&line, 64 << 10);
    rc = buf_printf(&line, "%s: %s", name, value);
    if(rc) {
        buf_wipe(&line);
        return rc;
    }
    l = curl_slist_append(r->headers, line.data);
    buf_wipe(&line); /* may hold a session token */
    if(!l)
        return IAM_ENOMEM;
    r->headers = l;
    return IAM_OK;
}

/* curl_slist_free_all, but first wiping the lines: they carry the
 * Authorization signature and the session token. */
static void wipe_headers(struct curl_slist *l)
{
    struct curl_slist *p;
    for(p = l; p; p = p->next)
        if(p->data)
            memset(p->data, 0, strlen(p->data));
    curl_slist_free_all(l);
}

int treq_set_paths(struct treq *r, const char *ca_bundle, const char *proxy)
{
    char *ca = ca_bundle ? strdup(ca_bundle) : NULL;
    char *px = proxy ? strdup(proxy) : NULL;
    if((ca_bundle && !ca) || (proxy && !px)) {
        free(ca);
        free(px);
        return IAM_ENOMEM;
    }
    free(r->opts.ca_bundle);
    free(r->opts.proxy);
    r->opts.ca_bundle = ca;
    r->opts.proxy = px; /* may carry a password: wiped in treq_free */
    return IAM_OK;
}

void treq_free(struct treq *r)
{
    if(!r)
        return;
    detach(r); /* gives a transport's easy handle back */
    if(r->easy) /* one a unit test handed over (transport_setup_easy) */
        curl_easy_cleanup(r->easy);
    wipe_headers(r->headers);
    free(r->url);
    free(r->opts.ca_bundle);
    if(r->opts.proxy) {
        memset(r->opts.proxy, 0, strlen(r->opts.proxy));
        free(r->opts.proxy);
    }
    buf_wipe(&r->body);
    buf_free(&r->resp);
    buf_free(&r->resp_date);
    free(r);
}

int treq_cancel(struct treq *r, enum iam_status st, const char *msg)
{
    if(!r || !r->owner)
        return 0;
    detach(r);
    iam_err_clear(&r->err);
    iam_errf(&r->err, st, "%s", msg);
    iam_err_kind(&r->err, IAM_KIND_CONNECTION);
    r->done = 1;
    if(r->on_done)
        r->on_done(r, r->ud);
    return 1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct treq *r = ud;
    size_t len = size * n;
    if(interrupted)
        return 0;
    r->body_rc = buf_add(&r->resp, p, len);
    if(r->body_rc != IAM_OK)
        return 0; /* over the cap (or OOM): abort the transfer */
    return len;
}

/* If the header line p (len bytes) is `name: value`, copies the value,
 * trimmed and cut to fit, into out (n bytes) and returns 1. */
static int header_value(const char *p, size_t len, const char *name,
                        char *out, size_t n)
{
    size_t nl = strlen(name), off = nl + 1;
    if(len <= nl || strncasecmp(p, name, nl) != 0 || p[nl] != ':')
        return 0;
    while(off < len && (p[off] == ' ' || p[off] == '\t'))
        off++;
    while(len > off && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
                        p[len - 1] == ' '))
        len--;
    len -= off;
    if(len >= n)
        len = n - 1;
    memcpy(out, p + off, len);
    out[len] = '\0';
    return 1;
}

/* Keeps the status line's reason phrase, the Date header and the JSON
 * protocol's x-amzn-requestid and x-amzn-query-error. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct treq *r = ud;
    size_t len = size * n;
    if(header_value(p, len, "x-amzn-requestid", r->resp_request_id,
                    sizeof(r->resp_request_id)) ||
       header_value(p, len, "x-amzn-query-error", r->resp_query_error,
                    sizeof(r->resp_query_error)))
        return len;
    if(len > 9 && strncmp(p, "HTTP/", 5) == 0) {
        const char *sp = memchr(p, ' ', len);
        const char *reason = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - p)) : NULL;
        size_t rl = 0;
        r->reason[0] = '\0';
        if(reason) {
            reason++;
            rl = len - (size_t)(reason - p);
            while(rl && (reason[rl - 1] == '\r' || reason[rl - 1] == '\n'))
                rl--;
            if(rl >= sizeof(r->reason))
                rl = sizeof(r->reason) - 1;
            memcpy(r->reason, reason, rl);
            r->reason[rl] = '\0';
        }
    } else if(len > 5 && strncasecmp(p, "date:", 5) == 0) {
        size_t off = 5;
        buf_reset(&r->resp_date);
        while(off < len && p[off] == ' ')
            off++;
        while(len > off && (p[len - 1] == '\r' || p[len - 1] == '\n'))
            len--;
        buf_add(&r->resp_date, p + off, len - off);
        return size * n;
    }
    return size * n;
}

/* Aborts transfers after Ctrl-C, and enforces the read timeout: botocore's
 * is the longest silence once connected (a socket timeout on every recv),
 * which libcurl has no option for; its low-speed check averages over
 * whole seconds and fired only after several times the limit. libcurl
 * calls this at least once a second per transfer. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un)
{
    struct treq *r = ud;
    long long now;
    (void)dt;
    (void)ut;
    if(interrupted)
        return 1;
    if(r->opts.read_timeout_ms <= 0)
        return 0;
    now = now_ms();
    if(dn != r->seen_down || un != r->seen_up || r->quiet_since == 0) {
        curl_off_t connected = 0;
        r->seen_down = dn;
        r->seen_up = un;
        /* the silence clock starts once connected (CONNECTTIMEOUT covers
         * the connect) */
        if(r->quiet_since == 0 &&
           (curl_easy_getinfo(r->easy, CURLINFO_CONNECT_TIME_T, &connected) !=
                CURLE_OK ||
            connected == 0) && un == 0)
            return 0;
        r->quiet_since = now;
        return 0;
    }
    if(now - r->quiet_since >= r->opts.read_timeout_ms) {
        r->read_timed_out = 1;
        return 1;
    }
    return 0;
}

#ifdef UNITTESTS
long transport_refuse_opt; /* a test makes libcurl "refuse" this option */
#endif

/* curl_easy_setopt for an option the request's safety depends on: a
 * libcurl that refuses one (built without TLS or HTTPS proxies, or too
 * old) must fail the request, never send it with weaker trust. */
static int must_set(CURL *e, CURLoption opt, const char *name, int is_str,
                    long lv, const char *sv, struct iam_err *err)
{
    CURLcode rc = is_str ? curl_easy_setopt(e, opt, sv)
                         : curl_easy_setopt(e, opt, lv);
#ifdef UNITTESTS
    if(transport_refuse_opt && (long)opt == transport_refuse_opt)
        rc = CURLE_NOT_BUILT_IN;
#endif
    if(rc == CURLE_OK)
        return IAM_OK;
    return iam_errc(err, rc == CURLE_OUT_OF_MEMORY ? IAM_ENOMEM : IAM_ETLS,
                    "SSLError", "libcurl refused %s: %s", name,
                    curl_easy_strerror(rc));
}

#define SET_LONG(e, opt, v, err) must_set(e, opt, #opt, 0, v, NULL, err)
#define SET_STR(e, opt, v, err) must_set(e, opt, #opt, 1, 0, v, err)

/* Clears a CA directory. A TLS backend without CA directories refuses
 * the option, and then has none to clear. */
static int clear_capath(CURL *e, CURLoption opt, const char *name,
                        struct iam_err *err)
{
    if(curl_easy_setopt(e, opt, (char *)NULL) == CURLE_NOT_BUILT_IN)
        return IAM_OK;
    return must_set(e, opt, name, 1, 0, NULL, err);
}

/* Whom TLS trusts, for the server and for an https:// proxy alike. With a
 * CA bundle (ca_bundle, --ca-bundle, AWS_CA_BUNDLE) the bundle is the
 * only trust, as in botocore: the CA directory a distribution's libcurl
 * keeps beside its CA file (Debian's /etc/ssl/certs) is cleared, and so is
 * the native store (CURLSSLOPT_NATIVE_CA). libcurl's cache of parsed CA
 * stores (CURLOPT_CA_CACHE_TIMEOUT) is keyed by the CA file's name and used
 * only when no CA directory is set, so it never mixes two trusts. An
 * https:// proxy is verified like the server (urllib3 gives its proxy
 * connection the same CA certificates and verify mode). */
static int set_trust(const struct treq *r, CURL *e, struct iam_err *err)
{
    const char *ca = r->opts.ca_bundle, *proxy = r->opts.proxy;
    long verify = r->opts.verify_tls ? 1L : 0L;
    int rc = SET_LONG(e, CURLOPT_SSL_VERIFYPEER, verify, err);
    if(!rc)
        rc = SET_LONG(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L, err);
    if(!rc && ca)
        rc = SET_STR(e, CURLOPT_CAINFO, ca, err);
    if(!rc && ca)
        rc = clear_capath(e, CURLOPT_CAPATH, "CURLOPT_CAPATH", err);
    if(!rc && ca)
        rc = SET_LONG(e, CURLOPT_SSL_OPTIONS, 0L, err);
    if(rc || !proxy || strncasecmp(proxy, "https://", 8) != 0)
        return rc;
    rc = SET_LONG(e, CURLOPT_PROXY_SSL_VERIFYPEER, verify, err);
    if(!rc)
        rc = SET_LONG(e, CURLOPT_PROXY_SSL_VERIFYHOST, verify ? 2L : 0L, err);
    if(!rc && ca)
        rc = SET_STR(e, CURLOPT_PROXY_CAINFO, ca, err);
    if(!rc && ca)
        rc = clear_capath(e, CURLOPT_PROXY_CAPATH, "CURLOPT_PROXY_CAPATH",
                          err);
    if(!rc && ca)
        rc = SET_LONG(e, CURLOPT_PROXY_SSL_OPTIONS, 0L, err);
    return rc;
}

/* http and https only, also for redirects we do not follow. The string
 * form arrived in libcurl 7.85 and deprecated the bitmask one, which
 * older libcurl (Ubuntu 22.04, RHEL 9, Amazon Linux 2) has alone.
 * IAMLUA_CURL_OLD compiles the old branch against newer headers (make
 * test checks that it builds). */
static int set_protocols(CURL *e, struct iam_err *err)
{
#if LIBCURL_VERSION_NUM >= 0x075500 && !defined(IAMLUA_CURL_OLD)
    return SET_STR(e, CURLOPT_PROTOCOLS_STR, "http,https", err);
#else
    return SET_LONG(e, CURLOPT_PROTOCOLS,
                    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS), err);
#endif
}

static int setup_easy(struct treq *r, CURL *e, struct iam_err *err)
{
    int rc;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, r);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)r->headers);
    /* Redirects are never followed: a 3xx would carry the signed request
     * (and its credentials) to another host. */
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    rc = set_protocols(e, err);
    if(rc)
        return rc;
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->opts.connect_timeout_ms);
    rc = set_trust(r, e, err);
    if(rc)
        return rc;
    /* "" disables libcurl's own environment lookup: proxy.c decided. */
    curl_easy_setopt(e, CURLOPT_PROXY, r->opts.proxy ? r->opts.proxy : "");
    if(strcmp(r->method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.data ? r->body.data : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
    } else if(strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
        if(r->body.len) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.data);
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
        }
    }
    return IAM_OK;
}

#ifdef UNITTESTS
int transport_setup_easy(struct treq *r, void *easy, struct iam_err *err)
{
    r->easy = easy;
    return setup_easy(r, easy, err);
}
#endif

/* Hands r's transfer to the multi handle; r's membership of t is the
 * caller's business. */
static int start_transfer(struct transport *t, struct treq *r,
                          struct iam_err *err)
{
    CURL *e;
    if(uses_tls(r))
        tlsinit_prepare();
    e = easy_get(t);
    if(!e)
        return iam_errf(err, IAM_ENOMEM, "curl_easy_init failed");
    r->easy = e;
    r->done = 0;
    r->status = 0;
    r->body_rc = IAM_OK;
    r->read_timed_out = 0;
    r->quiet_since = 0;
    r->seen_down = r->seen_up = 0;
    buf_reset(&r->resp);
    r->resp.max = r->opts.max_body;
    r->resp_request_id[0] = r->resp_query_error[0] = '\0';
    iam_err_clear(&r->err);
    r->errbuf[0] = '\0';
    if(setup_easy(r, e, err) != IAM_OK) {
        easy_put(t, r);
        return iam_err_kind(err, IAM_KIND_CONNECTION);
    }
    if(curl_multi_add_handle(t->multi, e) != CURLM_OK) {
        easy_put(t, r);
        return iam_errf(err, IAM_ENOMEM, "curl_multi_add_handle failed");
    }
    return IAM_OK;
}

/* start_transfer; a primer that cannot start ends its gate as a finished
 * one does, so the transfers waiting on it go now instead of at GATE_MS. */
static int start(struct transport *t, struct treq *r, struct iam_err *err)
{
    int rc = start_transfer(t, r, err);
    if(rc != IAM_OK && r == t->primer)
        ungate(t);
    return rc;
}

/* How long r must wait for admission, in ms: 0 once admitted (asked at
 * most once per attempt, as admitting takes something, such as a token). */
static long admit_wait(struct treq *r)
{
    double w;
    if(!r->admit || r->admitted)
        return 0;
    w = r->admit(r->admit_ctx);
    if(!(w > 0)) {
        r->admitted = 1;
        return 0;
    }
    /* Asked again at least this often: a waiter is not told when the rate
     * rises (botocore's acquire() is notified), so it looks. */
    if(w * 1000 >= ADMIT_RECHECK_MS)
        return ADMIT_RECHECK_MS;
    return (long)(w * 1000) + 1; /* whole ms, never 0 */
}

static int submit_now(struct transport *t, struct treq *r, struct iam_err *err)
{
    int rc;
    if(gate(t, r)) {
        own(t, r);
        return IAM_OK;
    }
    rc = start(t, r, err);
    if(rc == IAM_OK)
        own(t, r);
    return rc;
}

/* Maps a finished transfer's CURLcode to our status, kind and message. The
 * message holds only libcurl's text; callers add the endpoint wording the
 * AWS CLI uses. */
static void finish_error(struct treq *r, CURLcode rc)
{
    enum iam_status st = IAM_ECONN;
    const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
    switch(rc) {
    case CURLE_OPERATION_TIMEDOUT:
        st = IAM_ETIMEOUT;
        break;
    case CURLE_WRITE_ERROR:
        if(interrupted)
            st = IAM_EINTR;
        else if(r->body_rc == IAM_ETOOBIG) {
            st = IAM_ETOOBIG;
            why = "response body is larger than the limit";
        } else if(r->body_rc == IAM_ENOMEM)
            st = IAM_ENOMEM;
        break;
    case CURLE_OUT_OF_MEMORY:
        st = IAM_ENOMEM;
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        st = IAM_EINTR;
        if(r->read_timed_out && !interrupted) {
            st = IAM_ETIMEOUT;
            why = "Operation too slow: nothing received within the read "
                  "timeout";
        }
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
        st = IAM_ETLS;
        break;
    case CURLE_COULDNT_RESOLVE_PROXY:
        r->err.http_status = -2; /* marks "proxy unreachable" */
        break;
    case CURLE_COULDNT_CONNECT:
        /* With a proxy, the connection that failed is the proxy's. */
        r->err.http_status = r->opts.proxy ? -2 : -1;
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        r->err.http_status = -1; /* marks "never connected" */
        break;
    default:
        break;
    }
    if(why == r->errbuf && uses_tls(r))
        tlsinit_explain(r->errbuf, sizeof(r->errbuf));
    iam_errf(&r->err, st, "%s", why);
    /* libcurl quotes the whole proxy URL in some messages ("Unsupported
     * proxy scheme for '...'"): never its password. */
    proxy_scrub(r->opts.proxy, r->err.msg, sizeof(r->err.msg));
    iam_err_kind(&r->err, IAM_KIND_CONNECTION);
}

static void finish(struct transport *t, CURL *e, CURLcode rc)
{
    struct treq *r = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
    curl_multi_remove_handle(t->multi, e);
    disown(r);
    if(r == t->primer)
        ungate(t);
    /* A body shorter than its Content-Length is handed on as it is:
     * botocore's urllib3 does not enforce the length either, so the AWS
     * CLI parses what arrived (and usually fails to). */
    if(rc == CURLE_PARTIAL_FILE &&
       curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status) == CURLE_OK &&
       r->status > 0)
        rc = CURLE_OK;
    if(rc == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    else
        finish_error(r, rc);
    easy_put(t, r);
    r->done = 1;
    if(r->on_done)
        r->on_done(r, r->ud);
}

int transport_submit(struct transport *t, struct treq *r, struct iam_err *err)
{
    return transport_submit_after(t, r, 0, err);
}

int transport_submit_after(struct transport *t, struct treq *r, long delay_ms,
                           struct iam_err *err)
{
    detach(r); /* a request is in at most one transport */
    r->done = 0;
    r->admitted = 0;
    if(delay_ms <= 0 && !interrupted)
        delay_ms = admit_wait(r);
    if(delay_ms <= 0)
        return submit_now(t, r, err);
    enqueue(t, r, now_ms() + delay_ms);
    own(t, r);
    return IAM_OK;
}

/* Starts the delayed requests that are due (all of them after Ctrl-C, to
 * fail at once); returns ms until the next one is due, or -1. */
static long start_due(struct transport *t)
{
    long long now = now_ms();
    while(t->delayed && (interrupted || t->delayed->due_ms <= now)) {
        struct treq *r = t->delayed;
        long wait;
        unqueue(r);
        if(!interrupted && (wait = admit_wait(r)) > 0) {
            enqueue(t, r, now + wait);
            continue;
        }
        if(!interrupted && gate(t, r))
            continue; /* a retry that now waits for a new primer */
        r->gated = 0;
        if(interrupted || start(t, r, &r->err) != IAM_OK) {
            if(interrupted) {
                iam_err_clear(&r->err);
                iam_errf(&r->err, IAM_EINTR, "interrupted");
            }
            disown(r);
            iam_err_kind(&r->err, IAM_KIND_CONNECTION);
            r->done = 1;
            if(r->on_done)
                r->on_done(r, r->ud);
        }
    }
    return t->delayed ? (long)(t->delayed->due_ms - now) : -1;
}

int transport_step(struct transport *t, int timeout_ms)
{
    CURLMsg *m;
    int left;
    long next = start_due(t);
    if(next >= 0 && (timeout_ms < 0 || next < timeout_ms))
        timeout_ms = (int)(next > 0 ? next : 0);
    curl_multi_perform(t->multi, &t->running);
    if((t->running || t->delayed) && timeout_ms > 0) {
        /* Unlike curl_multi_wait, this waits even with no transfer, which
         * is what a request in backoff needs. */
        curl_multi_poll(t->multi, NULL, 0, timeout_ms, NULL);
        if(t->delayed)
            start_due(t);
        curl_multi_perform(t->multi, &t->running);
    }
    while((m = curl_multi_info_read(t->multi, &left)) != NULL)
        if(m->msg == CURLMSG_DONE)
            finish(t, m->easy_handle, m->data.result);
    if(t->delayed && t->delayed->due_ms == 0)
        start_due(t); /* the requests a finished primer released */
    return t->inflight;
}

int transport_running(const struct transport *t)
{
    return t->inflight;
}
