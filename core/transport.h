/* transport.h - HTTP over libcurl's multi interface.
 *
 * One transport (one CURLM, one connection cache) serves every request of
 * the process, so connections are kept alive across calls and a single call
 * is just the concurrent path with one request in flight. Completion is
 * reported by calling the request's on_done from transport_step (or
 * treq_cancel), never from inside a libcurl callback.
 *
 * Ownership (docs/LIFETIMES.md):
 * - The transport owns the CURLM. It knows every request it holds, queued
 *   for a delayed start or in flight, and transport_free detaches all of
 *   them, so it may be freed before or after any of its requests.
 * - A treq owns everything it sends and every option it needs from the
 *   moment it is built: URL, headers, body, CA bundle path, proxy URL (all
 *   copies) and buffers. It borrows nothing from the session or the caller
 *   that built it, so it may outlive both. The CURL handle of its transfer
 *   is the transport's, lent while the transfer is in flight: finished
 *   transfers leave their handles to the next ones, and every transfer
 *   shares the transport's TLS session cache.
 * - treq_free detaches a request from its transport, if any; it may be
 *   called in any state (never submitted, queued, in flight, done).
 */
#ifndef IAM_TRANSPORT_H
#define IAM_TRANSPORT_H

#include "buf.h"
#include "err.h"

#include <stddef.h>

struct transport;

struct treq_opts {
    long connect_timeout_ms; /* 0: no limit */
    long read_timeout_ms;    /* 0: no limit; else longest silence */
    int verify_tls;
    char *ca_bundle; /* owned; NULL: the system store (treq_set_tls) */
    char *proxy;     /* owned; NULL: direct (libcurl's env lookup is off) */
    size_t max_body; /* response bodies above this fail */
};

struct treq {
    /* request, set by the caller before transport_submit */
    const char *method;
    char *url; /* owned */
    struct buf body;
    struct treq_opts opts;
    /* response, valid once done */
    long status;
    char reason[64];        /* status line's reason phrase */
    struct buf resp;        /* response body */
    struct buf resp_date;   /* the Date header, for clock-skew checks */
    char resp_request_id[128];  /* x-amzn-requestid, "" when absent */
    char resp_query_error[256]; /* x-amzn-query-error, "" when absent */
    struct iam_err err;     /* transport-level failure, st != IAM_OK */
    int done;
    /* completion callback and its context */
    void (*on_done)(struct treq *r, void *ud);
    void *ud;
    /* Admission, asked once the request is due and before it starts:
     * returns 0 when it may start (having taken whatever it admits
     * against, such as a send token), else the seconds it should still
     * wait; it is asked again then (and at least every 250 ms,
     * as a rate may rise meanwhile). NULL: always admitted. `admit_ctx`
     * must outlive the request's time in the transport. */
    double (*admit)(void *admit_ctx);
    void *admit_ctx;
    /* private */
    struct transport *owner;      /* set while queued or in flight */
    struct treq *all_prev, *all_next; /* the owner's list of requests */
    struct treq *next_delayed; /* waiting in transport_submit_after */
    long long due_ms;
    int delayed;
    int gated; /* delayed, waiting for another transfer's TLS session */
    int admitted; /* this attempt was admitted (admit returned 0) */
    int body_rc; /* why the body callback refused bytes */
    int read_timed_out;
    long long quiet_since;        /* ms; 0: not connected yet */
    long long seen_down, seen_up; /* bytes at the last progress call */
    void *easy; /* the transport's, while the transfer is in flight */
    void *headers;
    char errbuf[256];
};

int transport_new(struct transport **out, struct iam_err *err);
/* Frees the transport. Every request still queued or in flight is
 * detached first (removed from the multi handle, its owner cleared) and
 * stays owned, not done, by its caller; nothing is called back. */
void transport_free(struct transport *t);

/* A request with empty buffers; NULL when out of memory. */
struct treq *treq_new(void);
/* Adds one "Name: value" header line; IAM_ENOMEM on failure. A name or
 * value holding CR or LF (which would add lines of its own to the request)
 * is refused with IAM_EINVAL and a message in r->err that names the
 * header, never quoting the value (it may be a token). */
int treq_header(struct treq *r, const char *name, const char *value);
/* Copies the CA bundle path and the proxy URL into the request (either may
 * be NULL); IAM_ENOMEM on failure. */
int treq_set_paths(struct treq *r, const char *ca_bundle, const char *proxy);
/* Removes a request from its transport if queued or in flight, then frees
 * it. The body buffer is wiped (it may hold credentials in query
 * parameters). */
void treq_free(struct treq *r);
/* Ends a request that is queued or in flight: detaches it, records `st`
 * and `msg` as its error and calls its on_done, as a finished transfer
 * would. A request that is not in a transport is left alone (returns 0);
 * returns 1 when it was cancelled. */
int treq_cancel(struct treq *r, enum iam_status st, const char *msg);

/* Starts the request. On failure nothing was started: that includes a
 * libcurl that refuses an option TLS trust depends on (IAM_ETLS,
 * "SSLError"). With opts.ca_bundle the bundle is the only trust, for the
 * server and for an https:// proxy; verify_tls covers both. */
int transport_submit(struct transport *t, struct treq *r,
                     struct iam_err *err);
/* transport_submit once delay_ms have passed (0: now) and r->admit lets
 * it. Until then the
 * request counts as running and is driven by transport_step like any
 * other: a delayed retry is how backoff waits without blocking other
 * requests. Errors at the actual start are reported through on_done. */
int transport_submit_after(struct transport *t, struct treq *r, long delay_ms,
                           struct iam_err *err);

/* Drives transfers: waits up to timeout_ms for activity, then finishes every
 * completed request (calling on_done). Returns the number still running. */
int transport_step(struct transport *t, int timeout_ms);
int transport_running(const struct transport *t);

/* Async-signal-safe: makes every transfer fail with IAM_EINTR soon. */
void transport_interrupt(void);
int transport_interrupted(void);
/* Clears the Ctrl-C flag, for a host that goes on after an interrupt (the
 * interactive prompt): call it only once nothing is in flight, or once
 * every aborted request has been reported. */
void transport_reset_interrupt(void);

/* "libcurl/7.88.1" style version strings for --version. */
const char *transport_curl_version(void);

#ifdef UNITTESTS
/* A CURLoption that setup makes look refused, to test that path. */
extern long transport_refuse_opt;
/* Sets up a CURL handle the test made (and r now owns) as transport_submit
 * would, so a test can first preset what a distribution's libcurl presets,
 * such as its CA directory, then run it with curl_easy_perform. */
int transport_setup_easy(struct treq *r, void *easy, struct iam_err *err);
#endif

#endif
