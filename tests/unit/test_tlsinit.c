/* test_tlsinit.c - core/tlsinit.c: after tlsinit_global OpenSSL has no error
 * strings, so an error written then reads "reason(N)"; tlsinit_explain writes
 * it out again as `openssl errstr` (the oracle, run here) writes it. */
#include "tlsinit.h"
#include "unit.h"

#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

/* `openssl errstr HEX` into out ("" when the command fails). */
static void oracle(unsigned long code, char *out, size_t cap)
{
    char cmd[64];
    FILE *p;
    out[0] = '\0';
    snprintf(cmd, sizeof(cmd), "openssl errstr %08lX 2>/dev/null", code);
    p = popen(cmd, "r");
    if(!p)
        return;
    if(!fgets(out, (int)cap, p))
        out[0] = '\0';
    pclose(p);
    out[strcspn(out, "\n")] = '\0';
}

#define NCODES 4

static void test_explain(void)
{
    /* Errors a TLS connection can end with, from libraries whose reasons
     * libssl does not load: PEM, X509, ASN1, EVP. (System errors need no
     * strings: strerror writes them.) Written first, all of them, before
     * tlsinit_explain loads the strings. */
    static const unsigned long codes[NCODES] = {0x0480006CUL, 0x05800088UL,
                                                0x068000A8UL, 0x0308010CUL};
    static const char prefix[] = "OpenSSL/3.0: ";
    char bare[NCODES][160];
    size_t i;
    for(i = 0; i < NCODES; i++)
        ERR_error_string_n(codes[i], bare[i], sizeof(bare[i]));
    for(i = 0; i < NCODES; i++) {
        char msg[1024], want[160], name[64];
        snprintf(msg, sizeof(msg), "%s%s", prefix, bare[i]);
        tlsinit_explain(msg, sizeof(msg));
        oracle(codes[i], want, sizeof(want));
        snprintf(name, sizeof(name),
                 "error %08lX written as openssl errstr does", codes[i]);
        unit_check(want[0] && strstr(bare[i], "reason(") &&
                       strncmp(msg, prefix, strlen(prefix)) == 0 &&
                       strcmp(msg + strlen(prefix), want) == 0,
                   name, "bare \"%s\", got \"%s\", want \"%s\"", bare[i], msg,
                   want);
    }
}

static void test_untouched(void)
{
    char a[] = "SSL certificate problem: unable to get local issuer certificate";
    char b[] = "OpenSSL/3.0: error:0A00010B:SSL routines::wrong version number";
    char c[] = "error:zz:lib(1)::reason(2)";
    char small[40] = "x: error:0480006C:lib(9)::reason(108)";
    tlsinit_explain(a, sizeof(a));
    tlsinit_explain(b, sizeof(b));
    tlsinit_explain(c, sizeof(c));
    unit_check(strcmp(a, "SSL certificate problem: unable to get local issuer "
                         "certificate") == 0,
               "a message without an OpenSSL error is left alone", "%s", a);
    unit_check(strcmp(b, "OpenSSL/3.0: error:0A00010B:SSL routines::wrong version "
                         "number") == 0,
               "an error already written with its strings is left alone", "%s", b);
    unit_check(strcmp(c, "error:zz:lib(1)::reason(2)") == 0,
               "a malformed code is left alone", "%s", c);
    tlsinit_explain(small, sizeof(small));
    unit_check(strlen(small) < sizeof(small) && strncmp(small, "x: ", 3) == 0,
               "a short buffer stays terminated", "%s", small);
}

int main(void)
{
    struct iam_err err;
    iam_err_clear(&err);
    unit_check(tlsinit_global(&err) == IAM_OK, "tlsinit_global", "%s", err.msg);
    test_explain();
    test_untouched();
    return unit_done();
}
