/* tlsinit.c - OpenSSL's process-wide set-up, as late as it can be
 * (tlsinit.h). */
#include "tlsinit.h"

/* The per-library ERR_load_*_strings: deprecated in 3.0, and the only way
 * to load the strings after OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/asn1.h>
#include <openssl/async.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/cms.h>
#include <openssl/comp.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/ct.h>
#include <openssl/dh.h>
#include <openssl/dsa.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/store.h>
#include <openssl/ts.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

/* What OpenSSL's automatic configuration passes (crypto/conf/conf_sap.c,
 * DEFAULT_CONF_MFLAGS): the default section, no error for a missing file,
 * errors ignored unless the file asks for config_diagnostics. */
#define CONF_FLAGS                                                             \
    (CONF_MFLAGS_DEFAULT_SECTION | CONF_MFLAGS_IGNORE_MISSING_FILE |           \
     CONF_MFLAGS_IGNORE_RETURN_CODES)

int tlsinit_global(struct iam_err *err)
{
    if(!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
                                OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
                                OPENSSL_INIT_NO_ATEXIT,
                            NULL))
        return iam_errf(err, IAM_ENOMEM, "OpenSSL failed to initialise");
    return IAM_OK;
}

/* The strings OPENSSL_INIT_LOAD_CRYPTO_STRINGS would have loaded, as far
 * as OpenSSL 3.0 still exports loaders for them: library names and the
 * reasons of every library a TLS connection can fail in (libssl loads its
 * own in SSL_CTX_new). */
static void load_strings(void)
{
    static int done;
    if(done)
        return;
    done = 1;
    ERR_load_ERR_strings();
    ERR_load_ASN1_strings();
    ERR_load_ASYNC_strings();
    ERR_load_BIO_strings();
    ERR_load_BN_strings();
    ERR_load_BUF_strings();
    ERR_load_CMS_strings();
    ERR_load_COMP_strings();
    ERR_load_CONF_strings();
    ERR_load_CRYPTO_strings();
    ERR_load_CT_strings();
    ERR_load_DH_strings();
    ERR_load_DSA_strings();
    ERR_load_EC_strings();
    ERR_load_ENGINE_strings();
    ERR_load_EVP_strings();
    ERR_load_KDF_strings();
    ERR_load_OBJ_strings();
    ERR_load_OCSP_strings();
    ERR_load_OSSL_STORE_strings();
    ERR_load_PEM_strings();
    ERR_load_PKCS12_strings();
    ERR_load_PKCS7_strings();
    ERR_load_RAND_strings();
    ERR_load_RSA_strings();
    ERR_load_TS_strings();
    ERR_load_UI_strings();
    ERR_load_X509V3_strings();
    ERR_load_X509_strings();
}

void tlsinit_prepare(void)
{
    static int done;
    if(done)
        return;
    done = 1;
    /* What OpenSSL's own start-up does when nothing says otherwise
     * (ossl_config_int): the default file into the default library
     * context; its modules (ssl_conf's system_default, providers) apply
     * to every SSL_CTX made afterwards. */
    ERR_set_mark();
    CONF_modules_load_file_ex(NULL, NULL, NULL, CONF_FLAGS);
    ERR_pop_to_mark();
}

/* The OpenSSL error code of "error:XXXXXXXX:" at p when the rest of p
 * shows a string missing ("lib(N)" or "reason(N)"), else 0. */
static unsigned long bare_error(const char *p)
{
    char hex[9];
    char *end;
    unsigned long e;
    if(strncmp(p, "error:", 6) != 0 || strlen(p) < 15 || p[14] != ':' ||
       (!strstr(p + 15, "lib(") && !strstr(p + 15, "reason(")))
        return 0;
    memcpy(hex, p + 6, 8);
    hex[8] = '\0';
    e = strtoul(hex, &end, 16);
    return *end ? 0 : e;
}

void tlsinit_explain(char *msg, size_t cap)
{
    char *p;
    unsigned long e = 0;
    size_t off;
    for(p = strstr(msg, "error:"); p; p = strstr(p + 1, "error:"))
        if((e = bare_error(p)) != 0)
            break;
    if(!p)
        return;
    /* libcurl ends its message with the error (ossl_strerror). */
    load_strings();
    off = (size_t)(p - msg);
    if(off < cap)
        ERR_error_string_n(e, p, cap - off);
}
