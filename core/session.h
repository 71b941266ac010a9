/* session.h - one service client's resolved settings and its requests.
 *
 * A session turns options (what the caller gave) plus the environment and
 * the shared config files into a profile, region, credentials and endpoint,
 * with botocore's precedence. Resolution is lazy and done once: the first
 * request pays for reading files, and an error (no credentials, unknown
 * profile) is reported by the request that needed it, as the AWS CLI does.
 * Requests are prepared here (encode, sign) and their responses decoded
 * here (status, XML, ErrorResponse); sending belongs to transport.c.
 */
#ifndef IAM_SESSION_H
#define IAM_SESSION_H

#include "endpoint.h"
#include "err.h"
#include "transport.h"
#include "xml.h"

struct session_opts {
    const char *service;      /* "iam", "sts" */
    const char *profile;      /* explicit (--profile); NULL: env/default */
    const char *region;       /* explicit (--region); NULL: env/config */
    const char *endpoint_url; /* explicit (--endpoint-url); NULL: env/... */
    const char *ca_bundle;    /* explicit (--ca-bundle); NULL: env/config */
    int verify_tls;           /* 0 with --no-verify-ssl */
    int sign;                 /* 0 with --no-sign-request */
    long connect_timeout_ms;  /* --cli-connect-timeout; <0: default 60 s */
    long read_timeout_ms;     /* --cli-read-timeout; <0: default 60 s */
    const char *user_agent;
    /* Called with one line of --debug trace at a time; secrets are already
     * redacted. NULL: no trace is built at all. */
    void (*trace)(void *ud, const char *line);
    void *trace_ud;
    /* Reads a line from the user (an MFA token code for an assume-role
     * profile); NULL when there is no terminal to ask. */
    int (*prompt)(void *ud, const char *prompt, char *buf, size_t len,
                  struct iam_err *err);
    void *prompt_ud;
};

struct session;

int session_new(const struct session_opts *opts, struct session **out,
                struct iam_err *err);
void session_free(struct session *s);

/* Reads a setting of the resolved profile from the config file (loading
 * the files and resolving the profile once); *out is NULL when unset. */
int session_setting(struct session *s, const char *key, const char **out,
                    struct iam_err *err);

/* Resolves profile, region, credentials and endpoint (once). */
int session_resolve(struct session *s, struct iam_err *err);

/* Read-only views of what was resolved (valid after session_resolve). */
const char *session_region(const struct session *s);
const char *session_profile(const struct session *s);
const char *session_cred_source(const struct session *s);
const struct endpoint *session_endpoint(const struct session *s);

/* Builds a signed Query request for `action` with the flattened parameters
 * names[i]=values[i]. The caller submits it to a transport and frees it. */
int session_prepare(struct session *s, const char *action,
                    const char *const *names, const size_t *nlens,
                    const char *const *values, const size_t *vlens, size_t n,
                    struct treq **out, struct iam_err *err);

/* Decodes a finished request. On success *doc holds the parsed body and
 * *result the <ActionResult> element (NULL when the response has none); the
 * caller frees *doc. On failure err says why: a transport error worded as
 * botocore words it, or the service's ErrorResponse. */
int session_response(struct session *s, struct treq *r, const char *action,
                     struct xml_doc **doc, const struct xml_node **result,
                     struct iam_err *err);

#endif
