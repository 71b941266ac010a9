/* test_trace.c - the --debug trace through the session's own entry points
 * (session_prepare, session_response): lines are never cut (issue 17 #11),
 * secrets in requests and responses never shown (#9), a proxy's password
 * never in a message (#7). No network: requests are prepared, and answers
 * are filled in as the transport would.
 */
#include "session.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char lines[64][1 << 16];
static size_t nlines;

static void collect(void *ud, const char *line)
{
    (void)ud;
    if(nlines < sizeof(lines) / sizeof(lines[0]))
        snprintf(lines[nlines++], sizeof(lines[0]), "%s", line);
}

/* The first trace line starting with prefix, or NULL. */
static const char *line_with(const char *prefix)
{
    size_t i;
    for(i = 0; i < nlines; i++)
        if(strncmp(lines[i], prefix, strlen(prefix)) == 0)
            return lines[i];
    return NULL;
}

static int anywhere(const char *s)
{
    size_t i;
    for(i = 0; i < nlines; i++)
        if(strstr(lines[i], s))
            return 1;
    return 0;
}

static struct session *new_session(const char *service)
{
    struct session_opts o;
    struct session *s = NULL;
    struct iam_err err;
    memset(&o, 0, sizeof(o));
    iam_err_clear(&err);
    o.service = service;
    o.region = "us-east-1";
    o.endpoint_url = "http://127.0.0.1:9";
    o.verify_tls = 1;
    o.sign = 0;
    o.connect_timeout_ms = -1;
    o.read_timeout_ms = -1;
    o.correct_clock_skew = -1;
    o.trace = collect;
    if(session_new(&o, &s, &err))
        unit_check(0, "session_new", "%s", err.msg);
    return s;
}

/* session_prepare with name/value pairs; the request, or NULL. */
static struct treq *prepare(struct session *s, const char *action,
                            const char *const *nv, size_t n)
{
    const char *names[8], *values[8];
    size_t nl[8], vl[8], i;
    struct treq *r = NULL;
    struct iam_err err;
    iam_err_clear(&err);
    for(i = 0; i < n; i++) {
        names[i] = nv[2 * i];
        values[i] = nv[2 * i + 1];
        nl[i] = strlen(names[i]);
        vl[i] = strlen(values[i]);
    }
    if(session_prepare(s, action, names, nl, values, vl, n, &r, &err))
        unit_check(0, action, "session_prepare: %s", err.msg);
    return r;
}

static void test_long_line(void)
{
    static char big[4097];
    const char *nv[2] = {"UserName", big};
    struct session *s = new_session("iam");
    struct treq *r;
    const char *l;
    memset(big, 'x', sizeof(big) - 1);
    big[4095] = 'Z'; /* the last byte must arrive */
    nlines = 0;
    r = prepare(s, "GetUser", nv, 1);
    l = line_with("Sending POST");
    unit_check(l && strlen(l) > 4096 && strstr(l, "xZ") &&
                   l[strlen(l) - 1] == 'Z',
               "a 4 KB trace line comes out whole", "line of %zu bytes: ...%s",
               l ? strlen(l) : 0, l && strlen(l) > 40 ? l + strlen(l) - 40 : "");
    treq_free(r);
    session_free(s);
}

static void test_request_secrets(void)
{
    static const struct {
        const char *name, *action;
        const char *nv[6];
        size_t n;
        const char *secret, *kept;
    } cases[] = {
        {"CreateLoginProfile: Password redacted", "CreateLoginProfile",
         {"UserName", "alice", "Password", "PwCreate-Distinct1!"}, 2,
         "PwCreate-Distinct1", "UserName=alice"},
        {"UpdateLoginProfile: Password redacted", "UpdateLoginProfile",
         {"UserName", "alice", "Password", "PwUpdate-Distinct2!"}, 2,
         "PwUpdate-Distinct2", "UserName=alice"},
        {"ChangePassword: OldPassword redacted", "ChangePassword",
         {"OldPassword", "PwOld-Distinct3", "NewPassword", "PwNew-Distinct4"},
         2, "PwOld-Distinct3", "Action=ChangePassword"},
        {"ChangePassword: NewPassword redacted", "ChangePassword",
         {"OldPassword", "PwOld-Distinct3", "NewPassword", "PwNew-Distinct4"},
         2, "PwNew-Distinct4", "Action=ChangePassword"},
        {"UploadServerCertificate: PrivateKey redacted",
         "UploadServerCertificate",
         {"ServerCertificateName", "c", "CertificateBody", "CERTBODY",
          "PrivateKey", "-----BEGIN PRIVATE KEY-----KEYDISTINCT"},
         3, "KEYDISTINCT", "CertificateBody=CERTBODY"},
        {"a parameter named like a secret's suffix is kept", "TagUser",
         {"UserName", "alice", "Tags.member.1.Value", "NotAPassword"}, 2,
         NULL, "Tags.member.1.Value=NotAPassword"},
    };
    size_t i;
    struct session *s = new_session("iam");
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct treq *r;
        const char *l;
        nlines = 0;
        r = prepare(s, cases[i].action, cases[i].nv, cases[i].n);
        l = line_with("Sending POST");
        unit_check(l && strstr(l, cases[i].kept) &&
                       (!cases[i].secret ||
                        (!anywhere(cases[i].secret) &&
                         strstr(l, "=[REDACTED]"))),
                   cases[i].name, "%s", l ? l : "(no Sending line)");
        treq_free(r);
    }
    session_free(s);
}

/* Answers as moto and the AWS documentation give them. */
static const char sts_answer[] =
    "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/"
    "2011-06-15/\"><GetSessionTokenResult><Credentials>"
    "<AccessKeyId>ASIAEXAMPLEKEYID0000</AccessKeyId>"
    "<SecretAccessKey>SecretDistinct/abcdefghijklmnopqrstuvwx</SecretAccessKey>"
    "<SessionToken>FQoGZXIvYXdzEBYaDTokenDistinct+/==</SessionToken>"
    "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
    "</GetSessionTokenResult></GetSessionTokenResponse>";

static const char key_answer[] =
    "<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey>"
    "<UserName>alice</UserName><AccessKeyId>AKIAEXAMPLEKEYID0000</AccessKeyId>"
    "<Status>Active</Status>"
    "<SecretAccessKey>KeySecretDistinct0123456789abcdefghijklmn</SecretAccessKey>"
    "</AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>";

static const char ssc_answer[] =
    "<CreateServiceSpecificCredentialResponse>"
    "<CreateServiceSpecificCredentialResult><ServiceSpecificCredential>"
    "<ServiceName>codecommit.amazonaws.com</ServiceName>"
    "<ServicePassword>SvcPwDistinct+xyz=</ServicePassword>"
    "<ServiceUserName>alice-at-123</ServiceUserName>"
    "</ServiceSpecificCredential></CreateServiceSpecificCredentialResult>"
    "</CreateServiceSpecificCredentialResponse>";

static const char cut_answer[] = /* cut off inside the secret */
    "<GetSessionTokenResponse><GetSessionTokenResult><Credentials>"
    "<SecretAccessKey>CutSecretDistinct/abcdefgh";

static void answer(struct session *s, struct treq *r, const char *action,
                   long status, const char *body, struct iam_err *err)
{
    struct xml_doc *doc = NULL;
    const struct xml_node *res = NULL;
    buf_add(&r->resp, body, strlen(body));
    r->status = status;
    r->done = 1;
    iam_err_clear(err);
    session_response(s, r, action, &doc, &res, err);
    xml_free(doc);
}

static void test_response_secrets(void)
{
    static const struct {
        const char *name, *service, *action, *body;
        const char *secrets[2], *kept;
    } cases[] = {
        {"GetSessionToken: SecretAccessKey and SessionToken redacted", "sts",
         "GetSessionToken", sts_answer,
         {"SecretDistinct", "TokenDistinct"}, "ASIAEXAMPLEKEYID0000"},
        {"CreateAccessKey: SecretAccessKey redacted", "iam", "CreateAccessKey",
         key_answer, {"KeySecretDistinct", NULL}, "AKIAEXAMPLEKEYID0000"},
        {"CreateServiceSpecificCredential: ServicePassword redacted", "iam",
         "CreateServiceSpecificCredential", ssc_answer,
         {"SvcPwDistinct", NULL}, "alice-at-123"},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct session *s = new_session(cases[i].service);
        struct treq *r = prepare(s, cases[i].action, NULL, 0);
        struct iam_err err;
        const char *l;
        nlines = 0;
        answer(s, r, cases[i].action, 200, cases[i].body, &err);
        l = line_with("Response:");
        unit_check(l && strstr(l, cases[i].kept) && strstr(l, "[REDACTED]") &&
                       !anywhere(cases[i].secrets[0]) &&
                       (!cases[i].secrets[1] ||
                        !anywhere(cases[i].secrets[1])),
                   cases[i].name, "%s", l ? l : "(no Response line)");
        treq_free(r);
        session_free(s);
    }
}

/* A body cut off inside a secret is a parser error that quotes the body:
 * the secret must not be in the message (nor in the trace). */
static void test_parser_error(void)
{
    struct session *s = new_session("sts");
    struct treq *r = prepare(s, "GetSessionToken", NULL, 0);
    struct iam_err err;
    nlines = 0;
    answer(s, r, "GetSessionToken", 200, cut_answer, &err);
    unit_check(strcmp(err.code, "ResponseParserError") == 0 &&
                   strstr(err.msg, "<SecretAccessKey>[REDACTED]") &&
                   !strstr(err.msg, "CutSecretDistinct") &&
                   !anywhere("CutSecretDistinct"),
               "a cut-off answer's parser error quotes no secret", "%s: %s",
               err.code, err.msg);
    treq_free(r);
    session_free(s);
}

/* botocore's ProxyConnectionError names the proxy with its user info
 * masked; the trace quotes libcurl's text, which is scrubbed too. */
static void test_proxy_message(void)
{
    static const struct {
        const char *name, *proxy, *want;
    } cases[] = {
        {"proxy message: user and password masked",
         "http://alice:S3cret@127.0.0.1:5689",
         "Failed to connect to proxy URL: \"http://***:***@127.0.0.1:5689\""},
        {"proxy message: no scheme gets http:// as botocore's",
         "alice:S3cret@127.0.0.1:5689",
         "Failed to connect to proxy URL: \"http://***:***@127.0.0.1:5689\""},
        {"proxy message: no user info unchanged", "http://127.0.0.1:5689",
         "Failed to connect to proxy URL: \"http://127.0.0.1:5689\""},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct session *s = new_session("iam");
        struct treq *r = prepare(s, "ListUsers", NULL, 0);
        struct iam_err err;
        struct xml_doc *doc = NULL;
        const struct xml_node *res = NULL;
        nlines = 0;
        treq_set_paths(r, NULL, cases[i].proxy);
        iam_errf(&r->err, IAM_ECONN, "Unsupported proxy scheme for '%s'",
                 cases[i].proxy);
        r->err.http_status = -2; /* as transport.c marks a proxy failure */
        r->done = 1;
        iam_err_clear(&err);
        session_response(s, r, "ListUsers", &doc, &res, &err);
        unit_check(strcmp(err.msg, cases[i].want) == 0 &&
                       strcmp(err.code, "ProxyConnectionError") == 0 &&
                       !strstr(err.msg, "S3cret") && !anywhere("S3cret") &&
                       line_with("Transport error"),
                   cases[i].name, "%s: %s", err.code, err.msg);
        treq_free(r);
        session_free(s);
    }
}

int main(void)
{
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    test_long_line();
    test_request_secrets();
    test_response_secrets();
    test_parser_error();
    test_proxy_message();
    return unit_done();
}
