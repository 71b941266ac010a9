/* err.c - the first-error-wins error record (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void iam_err_clear(struct iam_err *e)
{
    if(e)
        memset(e, 0, sizeof(*e));
}

int iam_errf(struct iam_err *e, enum iam_status st, const char *fmt, ...)
{
    va_list ap;
    if(!e || e->st != IAM_OK)
        return st;
    e->st = st;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return st;
}

int iam_errc(struct iam_err *e, int st, const char *code, const char *fmt, ...)
{
    va_list ap;
    if(!e || e->st != IAM_OK)
        return st;
    e->st = (enum iam_status)st;
    snprintf(e->code, sizeof(e->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return st;
}

int iam_err_kind(struct iam_err *e, enum iam_kind kind)
{
    if(!e)
        return IAM_OK;
    if(e->kind == IAM_KIND_NONE)
        e->kind = kind;
    return e->st;
}

const char *iam_strstatus(enum iam_status st)
{
    static const char *const names[] = {
        "ok", "out of memory", "invalid argument", "parse error",
        "too big", "I/O error", "not found", "no credentials",
        "configuration error", "connection error", "timeout",
        "TLS error", "service error", "interrupted", "cancelled"};
    if((size_t)st < sizeof(names) / sizeof(names[0]))
        return names[st];
    return "unknown error";
}

/* Python's http.client.responses, which botocore uses as the message of an
 * error whose body it cannot parse. */
const char *iam_http_reason(long status)
{
    static const struct { long code; const char *text; } t[] = {
        {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"},
        {404, "Not Found"}, {405, "Method Not Allowed"},
        {408, "Request Timeout"}, {413, "Request Entity Too Large"},
        {429, "Too Many Requests"}, {500, "Internal Server Error"},
        {501, "Not Implemented"}, {502, "Bad Gateway"},
        {503, "Service Unavailable"}, {504, "Gateway Timeout"}};
    size_t i;
    for(i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if(t[i].code == status)
            return t[i].text;
    return "";
}
