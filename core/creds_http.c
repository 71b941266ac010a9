/* creds_http.c - one blocking HTTP request for the credential providers.
 *
 * STS, the SSO portal, the container endpoint and instance metadata are
 * one-off calls made while credentials are resolved, before any Lua task
 * runs, so each gets a private transport that is driven until its single
 * request is done and then freed. Proxies are chosen as for every other
 * request (proxy_for); libcurl's timeouts bound the wait.
 */
#include "creds_int.h"
#include "proxy.h"
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP_MS 200

static long pick(long mine, long ctx)
{
    if(mine > 0)
        return mine;
    return ctx > 0 ? ctx : 60000;
}

static int build(const struct creds_ctx *ctx, const struct creds_http *q,
                 struct treq *r)
{
    size_t i;
    int rc = IAM_OK;
    r->method = q->method;
    r->url = strdup(q->url);
    if(!r->url)
        return IAM_ENOMEM;
    for(i = 0; !rc && i < q->nheaders; i++)
        rc = treq_header(r, q->headers[2 * i], q->headers[2 * i + 1]);
    if(!rc && strcmp(q->method, "POST") == 0)
        rc = treq_header(r, "Expect", "");
    if(!rc && q->body_len)
        rc = buf_add(&r->body, q->body, q->body_len);
    r->opts.connect_timeout_ms = pick(q->timeout_ms, ctx->connect_timeout_ms);
    r->opts.read_timeout_ms = pick(q->timeout_ms, ctx->read_timeout_ms);
    r->opts.verify_tls = ctx->verify_tls;
    r->opts.max_body = q->max_body ? q->max_body : (1 << 20);
    if(!rc)
        rc = treq_set_paths(r, ctx->ca_bundle, proxy_for(r->url));
    return rc;
}

int creds_http_do(const struct creds_ctx *ctx, const struct creds_http *q,
                  long *status, struct buf *resp, struct iam_err *err)
{
    struct transport *t = NULL;
    struct treq *r = NULL;
    int rc;
    *status = 0;
    buf_init(resp, q->max_body ? q->max_body : (1 << 20));
    rc = transport_new(&t, err);
    if(rc)
        return rc;
    r = treq_new();
    if(!r) {
        rc = iam_errf(err, IAM_ENOMEM, "out of memory");
        goto out;
    }
    rc = build(ctx, q, r);
    if(rc == IAM_EINVAL && r->err.st == IAM_EINVAL) { /* a header refused */
        rc = iam_errf(err, rc, "%s", r->err.msg);
        goto out;
    }
    if(rc) {
        rc = iam_errf(err, rc, "out of memory");
        goto out;
    }
    rc = transport_submit(t, r, err);
    if(rc)
        goto out;
    while(!r->done)
        transport_step(t, STEP_MS);
    if(r->err.st != IAM_OK) {
        rc = r->err.st;
        if(err && err->st == IAM_OK)
            *err = r->err;
        goto out;
    }
    *status = r->status;
    buf_wipe(resp);
    *resp = r->resp; /* hand the body over, leave r an empty one */
    buf_init(&r->resp, 1);
out:
    treq_free(r);
    transport_free(t);
    return rc;
}

/* botocore's (urllib3's) words for what went wrong with url. */
void creds_http_why(const struct iam_err *te, const char *url, char *out,
                    size_t n)
{
    if(te->st == IAM_EINVAL) /* refused before sending: says why */
        snprintf(out, n, "%s", te->msg);
    else if(te->st == IAM_ETIMEOUT &&
            strncmp(te->msg, "Operation too slow", 18) == 0)
        snprintf(out, n, "Read timeout on endpoint URL: \"%s\"", url);
    else if(te->st == IAM_ETIMEOUT &&
            strstr(te->msg, "Connection timed out") == NULL &&
            strstr(te->msg, "connect") == NULL)
        snprintf(out, n, "Read timeout on endpoint URL: \"%s\"", url);
    else if(te->st == IAM_ETIMEOUT)
        snprintf(out, n, "Connect timeout on endpoint URL: \"%s\"", url);
    else
        snprintf(out, n, "Could not connect to the endpoint URL: \"%s\"",
                 url);
}
