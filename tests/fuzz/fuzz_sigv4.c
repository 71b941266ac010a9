/* fuzz_sigv4.c - libFuzzer target: sigv4_sign on arbitrary requests.
 *
 * Input: byte 0 = flags (bit 0 presign, 1 normalize_path, 2 double_encode,
 * 3 omit_session_token, 4 sign_body, 5 session token, 6 payload hash
 * given, 7 odd expiry), then NUL-separated fields: method, path, query,
 * headers ("name:value" lines split on '\n'), region, service; the rest is
 * the body. Missing fields are empty. One result is reused across inputs,
 * as the host's loop does. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define MAXH 64

static struct sigv4_result result;
static int inited;

static const char *field(const char **p, const char *end, size_t *n)
{
    const char *s = *p, *z;
    if(s >= end) { *n = 0; return s; }
    z = memchr(s, 0, (size_t)(end - s));
    if(!z) z = end;
    *n = (size_t)(z - s);
    *p = z < end ? z + 1 : end;
    return s;
}

static char *dupz(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if(!d) abort();
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *p, *end;
    const char *meth, *path, *query, *hdrs, *reg, *svc;
    size_t nm, np, nq, nh, nr, ns;
    struct sigv4_header h[MAXH];
    size_t nhdr = 0;
    struct sigv4_request req;
    struct sigv4_params prm;
    struct iam_err err;
    unsigned flags;
    char *method, *region, *service;
    if(!inited) { sigv4_result_init(&result); inited = 1; }
    if(len < 1) return 0;
    flags = data[0];
    p = (const char *)data + 1;
    end = (const char *)data + len;
    meth = field(&p, end, &nm);
    path = field(&p, end, &np);
    query = field(&p, end, &nq);
    hdrs = field(&p, end, &nh);
    reg = field(&p, end, &nr);
    svc = field(&p, end, &ns);
    /* headers: lines of name:value (value may be empty, ':' may be absent) */
    {
        const char *s = hdrs, *he = hdrs + nh;
        while(s < he && nhdr < MAXH) {
            const char *nl = memchr(s, '\n', (size_t)(he - s));
            const char *le = nl ? nl : he;
            const char *c = memchr(s, ':', (size_t)(le - s));
            h[nhdr].name = s;
            h[nhdr].name_len = (size_t)((c ? c : le) - s);
            h[nhdr].value = c ? c + 1 : le;
            h[nhdr].value_len = c ? (size_t)(le - c - 1) : 0;
            nhdr++;
            s = nl ? nl + 1 : he;
        }
    }
    method = dupz(meth, nm);
    region = dupz(nr ? reg : "us-east-1", nr ? nr : 9);
    service = dupz(ns ? svc : "iam", ns ? ns : 3);
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.path_len = np;
    req.query = nq ? query : NULL;
    req.query_len = nq;
    req.headers = h;
    req.nheaders = nhdr;
    req.body = p;
    req.body_len = (size_t)(end - p);
    req.payload_hash = (flags & 64) ? "UNSIGNED-PAYLOAD" : NULL;
    memset(&prm, 0, sizeof prm);
    prm.service = service;
    prm.region = region;
    prm.access_key_id = "AKIDEXAMPLE";
    prm.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    prm.session_token = (flags & 32) ? "FQoGZXIvYXdzEXAMPLETOKEN" : NULL;
    prm.time = (flags & 128) ? 253402300799LL : 1440938160LL;
    prm.presign = flags & 1;
    prm.expires = (flags & 128) ? 604801L : 3600;
    prm.normalize_path = !!(flags & 2);
    prm.double_encode = !!(flags & 4);
    prm.omit_session_token = !!(flags & 8);
    prm.sign_body = !!(flags & 16);
    memset(&err, 0, sizeof err);
    if(sigv4_sign(&req, &prm, &result, &err) == IAM_OK) {
        size_t i;
        if(strlen(result.signature) != 64) __builtin_trap();
        for(i = 0; i < result.nadded; i++)
            (void)strlen(result.added[i].name), (void)strlen(result.added[i].value);
    } else {
        if(memchr(err.msg, 0, sizeof err.msg) == NULL) __builtin_trap();
        if(strstr(err.msg, "wJalrXUtnFEMI")) __builtin_trap(); /* secret leak */
    }
    free(method);
    free(region);
    free(service);
    return 0;
}
