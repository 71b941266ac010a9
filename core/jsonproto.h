/* jsonproto.h - the AWS JSON protocol (1.0 and 1.1), as botocore's
 * JSONSerializer and JSONParser speak it for Organizations.
 *
 * A request is a POST of a JSON object to the endpoint's path with
 *   Content-Type: application/x-amz-json-1.1
 *   X-Amz-Target: <targetPrefix>.<Operation>
 * (both signed). The answer is a JSON object; an error is any status >= 300
 * with a body like {"__type": "prefix#Code", "message": "..."}.
 *
 * Errors are decoded as botocore's BaseJSONParser._do_error_parse does:
 *   code     the x-amzn-query-error header's first field when it has
 *            exactly two (";"-separated) and the first is not empty, else
 *            __type, else the HTTP status as text; "prefix#Code" keeps
 *            what follows the last '#' (the status when nothing does,
 *            where botocore would keep an empty code)
 *   message  "message", else "Message", else "" (a body that is not JSON:
 *            the body's text)
 *   request  the x-amzn-requestid header
 * A 5xx whose body is empty or starts with "<html>" is botocore's generic
 * error: the status as code, its standard reason phrase as message.
 *
 * One deliberate difference: botocore turns a 2xx body that is not a JSON
 * object into an empty result; here it is a ResponseParserError, so that a
 * broken answer never reads as "no accounts". Nothing here allocates Lua
 * values or prints; jansson parses (with its nesting limit).
 */
#ifndef IAM_JSONPROTO_H
#define IAM_JSONPROTO_H

#include <stddef.h>

#include "err.h"

struct json_t;

#define JSONPROTO_CTYPE_10 "application/x-amz-json-1.0"
#define JSONPROTO_CTYPE_11 "application/x-amz-json-1.1"

/* A finished HTTP exchange, borrowed. */
struct jsonproto_resp {
    long status;
    const char *body; /* may be NULL when len is 0 */
    size_t len;
    const char *request_id;  /* x-amzn-requestid, NULL or "" when absent */
    const char *query_error; /* x-amzn-query-error, NULL or "" when absent */
};

/* "Prefix.Operation" for X-Amz-Target into out (n bytes). IAM_EINVAL when
 * it does not fit or either part is empty. */
int jsonproto_target(const char *prefix, const char *operation, char *out,
                     size_t n, struct iam_err *err);

/* Decodes a response. On IAM_OK *out is the body's JSON object (an empty
 * 2xx body is an empty object), owned by the caller (json_decref). On
 * failure *out is NULL and err says why: IAM_ESERVICE with kind service
 * and err->code/msg/http_status/request_id as above, or IAM_EPARSE with
 * code ResponseParserError and kind connection for a 2xx body that is not
 * a JSON object, or IAM_ENOMEM. */
int jsonproto_response(const struct jsonproto_resp *r, struct json_t **out,
                       struct iam_err *err);

/* A JSON-protocol timestamp (epoch seconds) as AWS CLI v2 prints it:
 * Python's datetime.fromtimestamp(v, tzlocal()).isoformat(), microseconds
 * rounded half to even and shown only when not zero, the local offset as
 * +HH:MM. Returns the length written, or 0 when v is not a time Python
 * can represent (years 1..9999, finite); out must hold 40 bytes. */
size_t jsonproto_timestamp(double v, char *out, size_t n);

#endif
