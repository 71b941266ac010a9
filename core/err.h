/* err.h - status codes and the error record every fallible core call fills.
 *
 * Core functions return enum iam_status (IAM_OK == 0) and write details into
 * a caller-owned struct iam_err. The first error recorded wins: outer layers
 * may set `kind` but keep the root cause's message (as curl's Curl_failf
 * writes the error buffer once per transfer). Nothing here prints or exits.
 */
#ifndef IAM_ERR_H
#define IAM_ERR_H

#include <stddef.h>

enum iam_status {
    IAM_OK = 0,
    IAM_ENOMEM,    /* allocation failed */
    IAM_EINVAL,    /* bad argument from the caller */
    IAM_EPARSE,    /* malformed input (ini, xml, json, url) */
    IAM_ETOOBIG,   /* a buffer cap or nesting limit was hit */
    IAM_EIO,       /* file could not be read */
    IAM_ENOTFOUND, /* profile, key or file absent */
    IAM_ECREDS,    /* no usable credentials */
    IAM_ECONFIG,   /* configuration is unusable (no region, bad value) */
    IAM_ECONN,     /* could not connect / send / receive */
    IAM_ETIMEOUT,  /* connect or read timeout */
    IAM_ETLS,      /* TLS handshake or verification failed */
    IAM_ESERVICE,  /* the service answered with an error document */
    IAM_EINTR,     /* interrupted (Ctrl-C) */
    IAM_ECANCELLED /* abandoned by its owner (treq_cancel) */
};

enum iam_kind {
    IAM_KIND_NONE = 0,
    IAM_KIND_USAGE,
    IAM_KIND_CREDENTIALS,
    IAM_KIND_CONFIG,
    IAM_KIND_SERVICE,
    IAM_KIND_CONNECTION,
    IAM_KIND_INTERNAL
};

struct iam_err {
    enum iam_status st;
    enum iam_kind kind;
    int http_status;
    int retries;              /* attempts - 1 (botocore's RetryAttempts) */
    int max_attempts_reached; /* the last attempt was the last allowed */
    char code[128];
    char request_id[128];
    /* The operation a service error came from when it is not the
     * caller's (AssumeRole while resolving credentials). */
    char operation[64];
    char msg[1024];
};

/* Clears e so that the next iam_errf records. */
void iam_err_clear(struct iam_err *e);

/* Records st and the formatted message only if e is still empty (first error
 * wins) and returns st, so callers can `return iam_errf(err, IAM_EPARSE,
 * "line %d: missing '='", n);`. e may be NULL. */
int iam_errf(struct iam_err *e, enum iam_status st, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* iam_errf that also names the botocore exception in e->code, so the CLI
 * driver can pick the AWS CLI's exit code from it. First error wins. */
int iam_errc(struct iam_err *e, int st, const char *code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Sets e->kind if it has none yet; returns e->st. */
int iam_err_kind(struct iam_err *e, enum iam_kind kind);

/* A short fixed English name for st ("out of memory", ...). */
const char *iam_strstatus(enum iam_status st);

/* Python's http.client.responses[status] for the statuses AWS answers
 * with ("Bad Request", ...), "" for others: botocore's message for an
 * error whose body carries none. */
const char *iam_http_reason(long status);

/* Functions that are file-local in the library but reached by unit tests:
 * `static` normally, external when built with -DUNITTESTS. */
#ifdef UNITTESTS
#define UNITTEST
#else
#define UNITTEST static
#endif

#endif
