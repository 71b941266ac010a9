/* test_endpoint.c - endpoint resolution, Query body encoding and the
 * capped buffer, as tables of named cases. */
#include "buf.h"
#include "endpoint.h"
#include "proxy.h"
#include "query.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void test_endpoints(void)
{
    static const struct {
        const char *name, *service, *region, *url_opt;
        int rc;
        const char *url, *host, *signing_region;
    } cases[] = {
        {"iam default partition", "iam", NULL, NULL, IAM_OK,
         "https://iam.amazonaws.com/", "iam.amazonaws.com", "us-east-1"},
        {"iam eu region still global", "iam", "eu-west-1", NULL, IAM_OK,
         "https://iam.amazonaws.com/", "iam.amazonaws.com", "us-east-1"},
        {"iam china", "iam", "cn-northwest-1", NULL, IAM_OK,
         "https://iam.cn-north-1.amazonaws.com.cn/",
         "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
        {"iam govcloud", "iam", "us-gov-east-1", NULL, IAM_OK,
         "https://iam.us-gov.amazonaws.com/", "iam.us-gov.amazonaws.com",
         "us-gov-west-1"},
        {"sts regional", "sts", "eu-west-1", NULL, IAM_OK,
         "https://sts.eu-west-1.amazonaws.com/", "sts.eu-west-1.amazonaws.com",
         "eu-west-1"},
        {"sts global without region", "sts", NULL, NULL, IAM_OK,
         "https://sts.amazonaws.com/", "sts.amazonaws.com", "us-east-1"},
        {"endpoint url gets a slash", "iam", "us-east-1",
         "http://127.0.0.1:5000", IAM_OK, "http://127.0.0.1:5000/",
         "127.0.0.1:5000", "us-east-1"},
        {"endpoint url keeps its path", "iam", "us-west-2",
         "http://127.0.0.1:1/some/path", IAM_OK,
         "http://127.0.0.1:1/some/path", "127.0.0.1:1", "us-west-2"},
        {"default https port dropped from Host", "iam", "us-east-1",
         "https://example.com:443", IAM_OK, "https://example.com:443/",
         "example.com", "us-east-1"},
        {"default http port dropped from Host", "iam", "us-east-1",
         "http://example.com:80/", IAM_OK, "http://example.com:80/",
         "example.com", "us-east-1"},
        {"endpoint without region is NoRegionError", "iam", NULL,
         "http://127.0.0.1:9", IAM_ECONFIG, NULL, NULL, NULL},
        {"sts endpoint without region fails", "sts", NULL, "http://x",
         IAM_ECONFIG, NULL, NULL, NULL},
        {"not a url", "iam", "us-east-1", "notaurl", IAM_EINVAL, NULL, NULL,
         NULL},
        {"userinfo refused", "iam", "us-east-1", "http://u:p@host/",
         IAM_EINVAL, NULL, NULL, NULL},
        {"unknown service", "s3", "us-east-1", NULL, IAM_EINVAL, NULL, NULL,
         NULL},
        {"organizations without region", "organizations", NULL, NULL, IAM_OK,
         "https://organizations.us-east-1.amazonaws.com/",
         "organizations.us-east-1.amazonaws.com", "us-east-1"},
        {"organizations is global in aws", "organizations", "ap-south-1",
         NULL, IAM_OK, "https://organizations.us-east-1.amazonaws.com/",
         "organizations.us-east-1.amazonaws.com", "us-east-1"},
        {"organizations china signs for cn-northwest-1", "organizations",
         "cn-north-1", NULL, IAM_OK,
         "https://organizations.cn-northwest-1.amazonaws.com.cn/",
         "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"},
        {"organizations govcloud", "organizations", "us-gov-east-1", NULL,
         IAM_OK, "https://organizations.us-gov-west-1.amazonaws.com/",
         "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
        {"organizations iso is regional", "organizations", "us-iso-west-1",
         NULL, IAM_OK, "https://organizations.us-iso-west-1.c2s.ic.gov/",
         "organizations.us-iso-west-1.c2s.ic.gov", "us-iso-west-1"},
        {"organizations endpoint url keeps the region", "organizations",
         "eu-west-1", "http://127.0.0.1:5000", IAM_OK,
         "http://127.0.0.1:5000/", "127.0.0.1:5000", "eu-west-1"},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct endpoint ep;
        struct iam_err err = {0};
        int rc = endpoint_resolve(cases[i].service, cases[i].region,
                                  cases[i].url_opt, &ep, &err);
        int ok = rc == cases[i].rc;
        if(ok && rc == IAM_OK)
            ok = strcmp(ep.url, cases[i].url) == 0 &&
                 strcmp(ep.host, cases[i].host) == 0 &&
                 strcmp(ep.signing_region, cases[i].signing_region) == 0;
        unit_check(ok, cases[i].name, "rc=%d url=%s host=%s region=%s (%s)",
                   rc, rc ? "" : ep.url, rc ? "" : ep.host,
                   rc ? "" : ep.signing_region, err.msg);
    }
}

static void test_query(void)
{
    static const struct {
        const char *name, *k, *v, *want;
    } cases[] = {
        {"plain", "AccessKeyId", "AKIAEXAMPLE", "AccessKeyId=AKIAEXAMPLE"},
        {"space is plus", "UserName", "a b", "UserName=a+b"},
        {"reserved encoded", "P", "a/b=c&d+e", "P=a%2Fb%3Dc%26d%2Be"},
        {"unreserved kept", "P", "-_.~", "P=-_.~"},
        {"utf-8 bytes", "P", "\xc3\xa9", "P=%C3%A9"},
        {"empty value", "Tags.member", "", "Tags.member="},
        {"dotted name", "Tags.member.1.Key", "k", "Tags.member.1.Key=k"},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b;
        buf_init(&b, 1024);
        query_add(&b, cases[i].k, strlen(cases[i].k), cases[i].v,
                  strlen(cases[i].v));
        unit_check(b.data && strcmp(b.data, cases[i].want) == 0,
                   cases[i].name, "got '%s'", b.data ? b.data : "");
        buf_free(&b);
    }
    {
        struct buf b;
        buf_init(&b, 1024);
        query_add(&b, "Action", 6, "X", 1);
        query_add(&b, "Version", 7, "2010-05-08", 10);
        unit_check(strcmp(b.data, "Action=X&Version=2010-05-08") == 0,
                   "pairs joined with &", "got '%s'", b.data);
        buf_free(&b);
    }
}

static void test_buf(void)
{
    struct buf b;
    int rc;
    buf_init(&b, 8);
    rc = buf_adds(&b, "12345678");
    unit_check(rc == IAM_OK && b.len == 8, "buf fills to its cap", "rc=%d", rc);
    rc = buf_addc(&b, 'x');
    unit_check(rc == IAM_ETOOBIG && b.len == 8 && b.data[8] == '\0',
               "buf refuses past its cap, unchanged", "rc=%d len=%zu", rc,
               b.len);
    buf_reset(&b);
    rc = buf_printf(&b, "%d-%s", 42, "ab");
    unit_check(rc == IAM_OK && strcmp(b.data, "42-ab") == 0, "buf_printf",
               "'%s'", b.data);
    buf_wipe(&b);
    unit_check(b.data == NULL && b.len == 0, "buf_wipe empties", "len=%zu",
               b.len);
    buf_init(&b, 1 << 20);
    rc = buf_printf(&b, "%0600d", 7);
    unit_check(rc == IAM_OK && b.len == 600, "buf_printf longer than 256",
               "rc=%d len=%zu", rc, b.len);
    buf_free(&b);
    {
        char *p;
        buf_init(&b, 16);
        p = buf_detach(&b);
        unit_check(p && p[0] == '\0', "detach of empty gives \"\"", "%p",
                   (void *)p);
        free(p);
    }
}

static void test_errf(void)
{
    struct iam_err e = {0};
    iam_errf(&e, IAM_EPARSE, "first %d", 1);
    iam_errf(&e, IAM_EIO, "second");
    unit_check(e.st == IAM_EPARSE && strcmp(e.msg, "first 1") == 0,
               "first error wins", "st=%d msg=%s", e.st, e.msg);
    iam_err_kind(&e, IAM_KIND_CONFIG);
    iam_err_kind(&e, IAM_KIND_SERVICE);
    unit_check(e.kind == IAM_KIND_CONFIG, "first kind wins", "kind=%d",
               e.kind);
}

static void test_proxy(void)
{
    static const struct {
        const char *name, *https, *http, *no, *url, *want;
    } cases[] = {
        {"no proxy set", NULL, NULL, NULL, "https://iam.amazonaws.com/", NULL},
        {"https proxy for https", "http://p:3128", NULL, NULL,
         "https://iam.amazonaws.com/", "http://p:3128"},
        {"http proxy not used for https", NULL, "http://p:1", NULL,
         "https://iam.amazonaws.com/", NULL},
        {"http proxy for http", NULL, "http://p:1", NULL,
         "http://127.0.0.1:5000/", "http://p:1"},
        {"no_proxy exact host", "http://p:1", NULL, "iam.amazonaws.com",
         "https://iam.amazonaws.com/", NULL},
        {"no_proxy domain suffix", "http://p:1", NULL, ".amazonaws.com",
         "https://iam.amazonaws.com/", NULL},
        {"no_proxy suffix without dot", "http://p:1", NULL, "amazonaws.com",
         "https://iam.amazonaws.com/", NULL},
        {"no_proxy does not match a longer name", "http://p:1", NULL,
         "zonaws.com", "https://iam.amazonaws.com/", "http://p:1"},
        {"no_proxy list with spaces", "http://p:1", NULL,
         "localhost, 127.0.0.1", "https://127.0.0.1:5000/", NULL},
        {"no_proxy star", "http://p:1", NULL, "*",
         "https://iam.amazonaws.com/", NULL},
        {"no_proxy host:port entry", "http://p:1", NULL, "127.0.0.1:9",
         "https://127.0.0.1:5000/", NULL},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got;
        unsetenv("https_proxy");
        unsetenv("HTTPS_PROXY");
        unsetenv("http_proxy");
        unsetenv("HTTP_PROXY");
        unsetenv("no_proxy");
        unsetenv("NO_PROXY");
        if(cases[i].https)
            setenv("HTTPS_PROXY", cases[i].https, 1);
        if(cases[i].http)
            setenv("http_proxy", cases[i].http, 1);
        if(cases[i].no)
            setenv("NO_PROXY", cases[i].no, 1);
        got = proxy_for(cases[i].url);
        unit_check((!got && !cases[i].want) ||
                       (got && cases[i].want && strcmp(got, cases[i].want) == 0),
                   cases[i].name, "got %s", got ? got : "(direct)");
    }
    setenv("HTTPS_PROXY", "http://upper:1", 1);
    setenv("https_proxy", "http://lower:1", 1);
    unit_check(strcmp(proxy_for("https://x/"), "http://lower:1") == 0,
               "lowercase variable wins", "got %s", proxy_for("https://x/"));
    unsetenv("HTTPS_PROXY");
    unsetenv("https_proxy");
}

int main(void)
{
    test_proxy();
    test_endpoints();
    test_query();
    test_buf();
    test_errf();
    return unit_done();
}
