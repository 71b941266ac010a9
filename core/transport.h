/* transport.h - HTTP over libcurl's multi interface.
 *
 * One transport (one CURLM, one connection cache) serves every request of
 * the process, so connections are kept alive across calls and a single call
 * is just the concurrent path with one request in flight. The transport
 * owns the CURLM; each treq owns its CURL handle, header list, body and
 * buffers. Completion is reported by calling the request's on_done from
 * transport_step, never from inside a libcurl callback.
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
    const char *ca_bundle; /* NULL: the system store */
    const char *proxy;     /* NULL: direct (libcurl's own env lookup is off) */
    size_t max_body;       /* response bodies above this fail */
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
    struct iam_err err;     /* transport-level failure, st != IAM_OK */
    int done;
    /* completion callback and its context */
    void (*on_done)(struct treq *r, void *ud);
    void *ud;
    /* private */
    struct transport *owner;
    struct treq *next_delayed; /* waiting in transport_submit_after */
    long long due_ms;
    int delayed;
    int body_rc; /* why the body callback refused bytes */
    int read_timed_out;
    long long quiet_since;        /* ms; 0: not connected yet */
    long long seen_down, seen_up; /* bytes at the last progress call */
    void *easy;
    void *headers;
    char errbuf[256];
};

int transport_new(struct transport **out, struct iam_err *err);
/* Cancels and frees nothing it does not own: requests still in flight are
 * removed from the multi handle but stay owned by their callers. */
void transport_free(struct transport *t);

/* A request with empty buffers; NULL when out of memory. */
struct treq *treq_new(void);
/* Adds one "Name: value" header line; IAM_ENOMEM on failure. */
int treq_header(struct treq *r, const char *name, const char *value);
/* Removes a request from its transport if in flight, then frees it. The
 * body buffer is wiped (it may hold credentials in query parameters). */
void treq_free(struct treq *r);

/* Starts the request. On failure nothing was started. */
int transport_submit(struct transport *t, struct treq *r,
                     struct iam_err *err);
/* transport_submit once delay_ms have passed (0: now). Until then the
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

#endif
