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
#include "retry.h"
#include "err.h"
#include "transport.h"
#include "xml.h"

struct session_opts {
    const char *service;      /* "iam", "sts", "organizations" */
    const char *profile;      /* explicit (--profile); NULL: env/default */
    const char *region;       /* explicit (--region); NULL: env/config */
    const char *endpoint_url; /* explicit (--endpoint-url); NULL: env/... */
    const char *ca_bundle;    /* explicit (--ca-bundle); NULL: env/config */
    int verify_tls;           /* 0 with --no-verify-ssl */
    int sign;                 /* 0 with --no-sign-request */
    long connect_timeout_ms;  /* --cli-connect-timeout; <0: default 60 s */
    long read_timeout_ms;     /* --cli-read-timeout; <0: default 60 s */
    const char *user_agent;   /* CR or LF in it: session_new's IAM_EINVAL */
    /* Called with one line of --debug trace at a time; secrets are already
     * redacted. NULL: no trace is built at all. */
    void (*trace)(void *ud, const char *line);
    void *trace_ud;
    /* Reads a line from the user (an MFA token code for an assume-role
     * profile); NULL when there is no terminal to ask. */
    int (*prompt)(void *ud, const char *prompt, char *buf, size_t len,
                  struct iam_err *err);
    void *prompt_ud;
    /* Retry settings over AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the
     * profile's retry_mode / max_attempts; NULL: from there. */
    const char *retry_mode;
    const char *max_attempts;
    /* Opt-in clock-skew correction (-1: from IAMLUA_CORRECT_CLOCK_SKEW or
     * the profile's correct_clock_skew; 0 off; 1 on). */
    int correct_clock_skew;
    /* The caller supplies credentials with session_set_credentials (a
     * script's `credentials` or `assume_role`); the chain is not read. */
    int external_credentials;
    /* An STS client made to assume a role for another client: without an
     * explicit endpoint_url it goes where the credential chain's STS calls
     * go (sts.h: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's
     * endpoint_url, sts_regional_endpoints, the global endpoint without a
     * region). */
    int credential_sts;
};

struct session;

int session_new(const struct session_opts *opts, struct session **out,
                struct iam_err *err);
void session_free(struct session *s);

/* Reads a setting of the resolved profile from the config file (loading
 * the files and resolving the profile once); *out is NULL when unset. */
int session_setting(struct session *s, const char *key, const char **out,
                    struct iam_err *err);

/* What botocore checks while creating a client (once): the config files,
 * the profile, the region's format and the retry settings; the CLI driver
 * calls it before validating parameters, as the AWS CLI's order is. */
int session_check(struct session *s, struct iam_err *err);

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

/* session_prepare for a JSON-protocol service (endpoint.h's
 * target_prefix): body is the request's JSON text (len bytes, copied),
 * sent with X-Amz-Target and the service's Content-Type, both signed.
 * IAM_EINVAL for a Query service (and session_prepare refuses JSON ones). */
int session_prepare_json(struct session *s, const char *action,
                         const char *body, size_t len, struct treq **out,
                         struct iam_err *err);

/* Decodes a finished request. On success *doc holds the parsed body and
 * *result the <ActionResult> element (NULL when the response has none); the
 * caller frees *doc. On failure err says why: a transport error worded as
 * botocore words it, or the service's ErrorResponse. */
int session_response(struct session *s, struct treq *r, const char *action,
                     struct xml_doc **doc, const struct xml_node **result,
                     struct iam_err *err);

/* session_response for a JSON-protocol request: on success *out is the
 * body's JSON object (caller: json_decref); errors as jsonproto.h decodes
 * them, or as session_response words transport failures. */
struct json_t;
int session_response_json(struct session *s, struct treq *r,
                          const char *action, struct json_t **out,
                          struct iam_err *err);

/* External credentials (session_opts.external_credentials): replaces the
 * client's credentials with copies of these (token may be NULL; expiry in
 * epoch seconds, 0 for none; source names them for --debug and
 * session_cred_source). Until the first call a signed request fails with
 * NoCredentialsError; with credentials past their expiry it fails as
 * botocore's refreshed-but-expired RuntimeError. */
int session_set_credentials(struct session *s, const char *id,
                            const char *secret, const char *token,
                            long long expiry, const char *source,
                            struct iam_err *err);
/* 1 when external credentials are set; *expiry then holds theirs (0: none). */
int session_credentials_expiry(const struct session *s, long long *expiry);

/* Retries. A caller sends attempt after attempt of one request:
 *
 *   struct retry_call rc = {0};
 *   for(;;) {
 *       session_prepare; rc.attempt++;
 *       send, with r->admit = session_admit, r->admit_ctx = s;
 *       session_response -> err;
 *       if(!session_retry(s, &rc, req, &err, &delay)) break;
 *       wait delay seconds;
 *   }
 *
 * session_retry updates the client's retry quota and adaptive send rate
 * with every outcome (err->st == IAM_OK for success) and says whether to
 * send again; on a final error it sets err->retries and
 * err->max_attempts_reached, which make botocore's " (reached max retries:
 * N)". With clock-skew correction on, an error that says the request's
 * time was off is retried at once with the server's clock. */
struct retry_call;
/* A treq's admit hook (transport.h): 0 when the session's adaptive rate
 * limiter gives a send token now, else the seconds to wait first. */
double session_admit(void *session);
int session_retry(struct session *s, struct retry_call *rc,
                  const struct treq *r, struct iam_err *err, double *delay);

#endif
