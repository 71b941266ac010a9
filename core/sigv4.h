/* sigv4.h - AWS Signature Version 4 (header and presigned-query signing).
 *
 * sigv4_sign turns a request plus credentials into the canonical request,
 * the string to sign, the signature and what must go on the wire (extra
 * headers and Authorization, or a presigned query string). It follows the
 * public SigV4 conformance suite in tests/conformance/data/sigv4; see its
 * README for the rules each step encodes.
 *
 * Threads: the signing-key cache and the OpenSSL contexts behind it are
 * process-global and unlocked. Call from one thread (the host's loop), as
 * everything else in core is.
 */
#ifndef IAM_SIGV4_H
#define IAM_SIGV4_H

#include "buf.h"
#include "err.h"

#include <stddef.h>

#define SIGV4_SECRET_MAX 512      /* longest secret access key accepted */
#define SIGV4_EXPIRES_MAX 604800L /* seven days, the longest AWS accepts */

struct sigv4_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/* Everything here is borrowed for the duration of sigv4_sign. */
struct sigv4_request {
    const char *method;
    const char *path; /* request-target path as on the wire (raw bytes) */
    size_t path_len;
    const char *query; /* raw query string after '?', NULL/0 if none */
    size_t query_len;
    /* in order, repeats allowed; all are signed */
    const struct sigv4_header *headers;
    size_t nheaders;
    const char *body;
    size_t body_len;
    /* NULL: hex SHA-256 of body; else used verbatim ("UNSIGNED-PAYLOAD") */
    const char *payload_hash;
};

struct sigv4_params {
    const char *service, *region;
    /* token may be NULL */
    const char *access_key_id, *secret_access_key, *session_token;
    long long time; /* epoch seconds (UTC) */
    /* presign: signature in the query string, X-Amz-Expires = expires
     * (1 to SIGV4_EXPIRES_MAX seconds) */
    int presign;
    long expires;
    /* normalize_path: drop "." and ".." segments and empty segments.
     * double_encode: percent-encode the path for the canonical URI; 0 means
     * the path is already encoded and is used as it is (after normalizing).
     * omit_session_token: send the token but leave it out of the signature.
     * sign_body: header mode adds a signed X-Amz-Content-Sha256 header. */
    int normalize_path, double_encode, omit_session_token, sign_body;
};

/* Owned by the result: valid until the next sigv4_sign on it or
 * sigv4_result_free. */
struct sigv4_added {
    char *name;
    char *value;
};

/* A result may be reused across calls: sigv4_sign empties it first and keeps
 * its allocations, so a loop that signs into one result allocates nothing
 * after the first request. */
struct sigv4_result {
    struct buf canonical_request, string_to_sign;
    char signature[65];
    struct buf authorization; /* header mode: Authorization header value */
    /* header mode: headers the caller must send in addition to its own, in
     * order: X-Amz-Date, X-Amz-Security-Token (when there is a token and it
     * is not omitted, signed; when omitted it is still listed here, appended
     * after signing), X-Amz-Content-Sha256 (sign_body). Not Authorization.
     * A header the caller already sends (any case) is not added again. */
    struct sigv4_added added[4];
    size_t nadded;
    /* presign mode: the complete query string to send (caller's params as
     * given, then X-Amz-* and X-Amz-Signature) */
    struct buf query;
    struct buf signed_headers; /* "host;x-amz-date", both modes */
    char date[17];             /* the request's YYYYMMDDTHHMMSSZ */
    /* private: working space kept between calls */
    struct buf store_;
};

void sigv4_result_init(struct sigv4_result *r);
/* Wipes and frees; r is left as sigv4_result_init leaves it, so freeing
 * twice or freeing an init'd result is safe. */
void sigv4_result_free(struct sigv4_result *r);

/* Signs req with p into out (emptied first). The request date is p->time,
 * unless req carries an X-Amz-Date header: then its value (which must be
 * YYYYMMDDTHHMMSSZ) is the date, so what is sent and what is signed agree.
 * Returns IAM_OK, IAM_EINVAL (bad input, message says which), IAM_ETOOBIG
 * or IAM_ENOMEM (also OpenSSL failures, with its message). The secret never
 * reaches err. On failure out holds nothing useful; free it as usual. Not
 * reentrant (see the note at the top). */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *p,
               struct sigv4_result *out, struct iam_err *err);

/* Percent-encodes per SigV4: A-Za-z0-9-._~ kept, every other byte %XX with
 * uppercase hex; keep_slash keeps '/' as well. Appends to out. */
int sigv4_uri_encode(struct buf *out, const char *s, size_t n, int keep_slash);

/* Formats epoch (UTC) as "YYYYMMDDTHHMMSSZ"; IAM_EINVAL outside years
 * 0000-9999. */
int sigv4_amz_date(long long epoch, char out[17]);
/* Parses exactly "YYYYMMDDTHHMMSSZ" (n bytes) into epoch seconds;
 * IAM_EINVAL if malformed or out of range. */
int sigv4_parse_amz_date(const char *s, size_t n, long long *epoch);

/* Wipes the signing-key cache and frees the OpenSSL objects behind it
 * (called at exit; signing afterwards sets them up again). */
void sigv4_cleanup(void);

/* Checks what sigv4_sign checks first: an HTTP-token method and header
 * names, printable single-word service, region, access key id, token and
 * payload hash, a secret of 1 to SIGV4_SECRET_MAX bytes, expires in range
 * when presigning. IAM_EINVAL with a message naming the field (never its
 * value). */
int sigv4_check(const struct sigv4_request *req, const struct sigv4_params *p,
                struct iam_err *err);
/* The first header of r named lname (lowercase), in any case, or NULL. */
const struct sigv4_header *sigv4_find_header(const struct sigv4_request *r,
                                             const char *lname);

/* The canonicalisation steps, each appending to out (sigv4_canon.c). They
 * are separate so the unit tests can check edge cases one step at a time;
 * they are external rather than UNITTEST statics because sigv4.c calls them
 * from the other file.
 *
 * Canonical URI of a raw path: with normalize, "." and ".." segments and
 * empty segments go (a trailing '/' stays); always absolute, "" is "/".
 * encode percent-encodes it keeping '/'; without encode the bytes are used
 * as they are (the path is already encoded). */
int sigv4_canon_uri(struct buf *out, const char *path, size_t n, int normalize,
                    int encode);
/* Canonical query: pairs split on '&' and at the first '=', percent-decoded
 * and re-encoded ('+' is a literal plus, a '%' not followed by two hex
 * digits a literal percent), sorted by name then value. extra holds pairs
 * that are not decoded, only encoded (the X-Amz-* presign parameters).
 * scratch is working space (emptied). */
int sigv4_canon_query(struct buf *out, struct buf *scratch, const char *q,
                      size_t n, const struct sigv4_header *extra,
                      size_t nextra);
/* Canonical headers: names lowercased, values trimmed with every run of
 * whitespace made one space, repeated names joined with ',' in request
 * order, sorted by name. Appends "name:value\n" lines to block and the
 * "a;b;c" signed-header list to list; either may be NULL. Names are not
 * checked here (sigv4_sign checks them). */
int sigv4_canon_headers(struct buf *block, struct buf *list,
                        const struct sigv4_header *h, size_t n);
/* Writes the 64 lowercase hex digits of a 32-byte digest and a NUL. */
void sigv4_hex32(char out[65], const unsigned char md[32]);

#endif
