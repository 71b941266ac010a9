/* creds_int.h - what the credential providers share (private to creds*.c,
 * sts.c and cache.c; not an API).
 *
 * Every provider has the signature of struct provider's load: it fills
 * *out and sets *found, passes (returns IAM_OK with *found == 0), or fails.
 * Providers that call out read what they need from ch->ctx, which is never
 * NULL (creds_resolve without a context uses an empty one: no region, TLS
 * verified, default timeouts, no prompt, no trace).
 */
#ifndef IAM_CREDS_INT_H
#define IAM_CREDS_INT_H

#include "buf.h"
#include "creds.h"

#include <stddef.h>

#define CREDS_ADVISORY 900  /* botocore _DEFAULT_ADVISORY_REFRESH_TIMEOUT */
#define CREDS_MANDATORY 600 /* botocore _DEFAULT_MANDATORY_REFRESH_TIMEOUT */
#define CREDS_CACHE_WINDOW 900 /* CachedCredentialFetcher's expiry window */

/* Profiles an assume-role walk has visited, for botocore's loop check. */
#define CREDS_MAX_VISITED 32

struct chain {
    const struct config *cfg;
    const char *name; /* the profile to read: "default" when none */
    int explicit;     /* --profile was given: no environment credentials */
    const struct creds_ctx *ctx;
    /* assume-role: profiles visited so far (the first is ch->name) */
    const char **visited;
    size_t *nvisited;
};

typedef int (*creds_load_fn)(const struct chain *ch, struct creds *out,
                             int *found, struct iam_err *err);

/* iam_errc for the credential chain: every error here is of the
 * credentials kind. */
#define creds_fail(err, st, code, ...)                                         \
    (iam_errc((err), (st), (code), __VA_ARGS__),                               \
     iam_err_kind((err), IAM_KIND_CREDENTIALS), (st))

/* CredentialRetrievalError: "Error when retrieving credentials from
 * PROVIDER: MSG". */
int creds_retrieval(struct iam_err *err, const char *provider,
                    const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

const char *creds_nonempty(const char *s);

/* Copies the strings into out; an empty token counts as none. */
int creds_set(struct creds *out, const char *id, const char *secret,
              const char *token, int *found, struct iam_err *err);

/* One --debug line through ctx->trace, never with a secret in it. */
void creds_trace(const struct creds_ctx *ctx, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Wipes and frees a string that may hold a secret; NULL is a no-op. */
void creds_wipe_str(char *s);

/* The providers (creds_*.c). */
int creds_load_env(const struct chain *ch, struct creds *out, int *found,
                   struct iam_err *err);
int creds_load_assume_role(const struct chain *ch, struct creds *out,
                           int *found, struct iam_err *err);
int creds_load_web_identity(const struct chain *ch, struct creds *out,
                            int *found, struct iam_err *err);
int creds_load_sso(const struct chain *ch, struct creds *out, int *found,
                   struct iam_err *err);
int creds_load_process(const struct chain *ch, struct creds *out, int *found,
                       struct iam_err *err);
int creds_load_container(const struct chain *ch, struct creds *out,
                         int *found, struct iam_err *err);
int creds_load_imds(const struct chain *ch, struct creds *out, int *found,
                    struct iam_err *err);

/* botocore's ProfileProviderBuilder.providers for a source_profile: web
 * identity (environment ignored), sso, shared credentials file,
 * credential_process, config file. */
int creds_profile_chain(const struct chain *ch, struct creds *out, int *found,
                        struct iam_err *err);

/* ---- HTTP for the providers (creds_http.c) ---- */

struct creds_http {
    const char *method; /* "GET", "PUT", "POST" */
    const char *url;
    const char *const *headers; /* name, value, name, value, ... */
    size_t nheaders;            /* pairs */
    const char *body;
    size_t body_len;
    long timeout_ms; /* connect and read; 0: the context's */
    size_t max_body;
};

/* Sends one request and waits for it. *status is the HTTP status; resp
 * (initialised here, wiped by the caller) the body. Transport failures are
 * IAM_ECONN / IAM_ETIMEOUT with libcurl's text in err->msg and
 * err->http_status -1 when nothing connected; a header value holding CR or
 * LF is IAM_EINVAL, refused before anything is sent. Every request trusts
 * what the session's requests trust (ctx->ca_bundle alone when set,
 * ctx->verify_tls), through transport.c. */
int creds_http_do(const struct creds_ctx *ctx, const struct creds_http *q,
                  long *status, struct buf *resp, struct iam_err *err);

#ifdef UNITTESTS
/* Whether AWS_CONTAINER_CREDENTIALS_FULL_URI `url`, whose botocore-parsed
 * host name is h, may receive the authorization token. */
int container_allowed(const char *url, const char *h);
#endif

/* Python's urllib3 wording of a failed connection, for messages (a
 * refused header: its own message). */
void creds_http_why(const struct iam_err *te, const char *url, char *out,
                    size_t n);

#endif
