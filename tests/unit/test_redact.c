/* test_redact.c - the pieces behind what is shown: secret redaction of
 * query bodies and XML, proxy URL masking (botocore's mask_proxy_url; the
 * e2e suite test_trust.py checks the same forms against botocore itself),
 * the container host rule's edge cases (test_trust.py checks a table
 * against botocore's own check), and the jitter draw. */
#include "creds_int.h"
#include "jitter.h"
#include "proxy.h"
#include "redact.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_xml(void)
{
    static const struct {
        const char *name, *in, *want;
    } cases[] = {
        {"xml: secret key and token",
         "<C><AccessKeyId>AKIA1</AccessKeyId><SecretAccessKey>s3/+=</"
         "SecretAccessKey><SessionToken>t</SessionToken></C>",
         "<C><AccessKeyId>AKIA1</AccessKeyId><SecretAccessKey>[REDACTED]</"
         "SecretAccessKey><SessionToken>[REDACTED]</SessionToken></C>"},
        {"xml: namespace prefix and attributes",
         "<a:SecretAccessKey x=\"1\">s</a:SecretAccessKey>",
         "<a:SecretAccessKey x=\"1\">[REDACTED]</a:SecretAccessKey>"},
        {"xml: CDATA inside", "<ServicePassword><![CDATA[p<w]]></ServicePassword>",
         "<ServicePassword>[REDACTED]</ServicePassword>"},
        {"xml: empty and self-closing kept",
         "<SessionToken/><SessionToken></SessionToken>",
         "<SessionToken/><SessionToken></SessionToken>"},
        {"xml: cut off inside the secret", "<R><SecretAccessKey>abc",
         "<R><SecretAccessKey>[REDACTED]"},
        {"xml: MFA seed and QR code",
         "<Base32StringSeed>S</Base32StringSeed><QRCodePNG>Q</QRCodePNG>",
         "<Base32StringSeed>[REDACTED]</Base32StringSeed><QRCodePNG>[REDACTED]"
         "</QRCodePNG>"},
        {"xml: look-alike names kept",
         "<SecretAccessKeyId>k</SecretAccessKeyId><SSHPublicKeyBody>ssh-rsa "
         "AAAA</SSHPublicKeyBody>",
         "<SecretAccessKeyId>k</SecretAccessKeyId><SSHPublicKeyBody>ssh-rsa "
         "AAAA</SSHPublicKeyBody>"},
        {"xml: not XML at all", "no tags < here", "no tags < here"},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b;
        int rc;
        buf_init(&b, 1 << 16);
        rc = redact_xml(&b, cases[i].in, strlen(cases[i].in));
        unit_check(rc == 0 && b.data && strcmp(b.data, cases[i].want) == 0,
                   cases[i].name, "got %s", b.data ? b.data : "(null)");
        buf_free(&b);
    }
}

static void test_query(void)
{
    static const struct {
        const char *name, *in, *want;
    } cases[] = {
        {"query: password", "Action=X&Password=p%26w&UserName=a",
         "Action=X&Password=[REDACTED]&UserName=a"},
        {"query: member form and last pair",
         "ProvidedContexts.member.1.ContextAssertion=abc",
         "ProvidedContexts.member.1.ContextAssertion=[REDACTED]"},
        {"query: a name without a value is kept", "Password&A=b",
         "Password&A=b"},
        {"query: look-alike names kept", "PasswordResetRequired=true&X=1",
         "PasswordResetRequired=true&X=1"},
        {"query: empty", "", ""},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b;
        int rc;
        buf_init(&b, 1 << 16);
        rc = redact_query(&b, cases[i].in, strlen(cases[i].in));
        unit_check(rc == 0 && strcmp(b.data ? b.data : "", cases[i].want) == 0,
                   cases[i].name, "got %s", b.data ? b.data : "(null)");
        buf_free(&b);
    }
}

static void test_proxy(void)
{
    static const struct {
        const char *name, *in, *want;
    } masks[] = {
        {"mask: user and password", "http://al:pw@h:1", "http://***:***@h:1"},
        {"mask: user only", "http://al@h:1", "http://***@h:1"},
        {"mask: password only", "http://:pw@h:1", "http://:***@h:1"},
        {"mask: no user info", "http://h:1", "http://h:1"},
        {"mask: no scheme", "al:pw@h:1", "http://***:***@h:1"},
        {"mask: scheme-relative", "//al:pw@h:1", "http://***:***@h:1"},
        {"mask: a password holding '/' and '@'", "http://al:p/w@x@h:1",
         "http://***:***@h:1"},
    };
    static const struct {
        const char *name, *proxy, *text, *want;
    } scrubs[] = {
        {"scrub: libcurl's quote of the proxy",
         "socks9://al:pw@h:1", "Unsupported proxy scheme for 'socks9://al:pw@h:1'",
         "Unsupported proxy scheme for 'socks9://***:***@h:1'"},
        {"scrub: every copy", "http://a:b@h", "a:b@h a:b@h",
         "***:***@h ***:***@h"},
        {"scrub: nothing to hide", "http://h:1", "x http://h:1", "x http://h:1"},
    };
    size_t i;
    for(i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        char out[256];
        proxy_mask(masks[i].in, out, sizeof(out));
        unit_check(strcmp(out, masks[i].want) == 0, masks[i].name, "got %s",
                   out);
    }
    for(i = 0; i < sizeof(scrubs) / sizeof(scrubs[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "%s", scrubs[i].text);
        proxy_scrub(scrubs[i].proxy, text, sizeof(text));
        unit_check(strcmp(text, scrubs[i].want) == 0, scrubs[i].name,
                   "got %s", text);
    }
}

/* Where botocore's urlparse and libcurl part ways, libcurl's host (where
 * the token would go) must be allowed too. */
static void test_container(void)
{
    static const struct {
        const char *name, *url, *host;
        int want;
    } cases[] = {
        {"container: 127.0.0.1", "http://127.0.0.1:80/c", "127.0.0.1", 1},
        {"container: a name starting with 127.", "http://127.a.example/c",
         "127.a.example", 0},
        {"container: IPv4 shorthand is not an address to botocore",
         "http://127.1/c", "127.1", 0},
        {"container: two '@': urlparse's host is not libcurl's",
         "http://x@evil.example@127.0.0.1/c", "127.0.0.1", 1},
        {"container: backslash before '@'", "http://127.0.0.1\\@evil.example/",
         "evil.example", 0},
        {"container: https anywhere", "https://evil.example/c", "evil.example",
         1},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = container_allowed(cases[i].url, cases[i].host);
        unit_check(got == cases[i].want, cases[i].name, "got %d", got);
    }
}

static void test_jitter(void)
{
    double seen[64];
    int i, j, distinct = 0, in_range = 1;
    for(i = 0; i < 64; i++) {
        seen[i] = jitter_rand();
        in_range &= seen[i] >= 0 && seen[i] < 1;
        for(j = 0; j < i && seen[j] != seen[i]; j++)
            ;
        distinct += j == i;
    }
    unit_check(in_range && distinct > 60, "jitter: draws in [0, 1) that differ",
               "%d distinct of 64, in range %d", distinct, in_range);
}

int main(void)
{
    test_xml();
    test_query();
    test_proxy();
    test_container();
    test_jitter();
    return unit_done();
}
