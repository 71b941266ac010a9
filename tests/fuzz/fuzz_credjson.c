/* fuzz_credjson.c - libFuzzer target: the JSON credential answers and
 * cache files. Byte 0 & 7 picks the parser, the rest is the document:
 *
 *   0  credential_process stdout (creds_process.c parse)
 *   1  SSO GetRoleCredentials answer (creds_sso.c parse)
 *   2  container endpoint answer (creds_container.c fill)
 *   3  IMDS role document (creds_imds.c get's check, then fill)
 *   4  ~/.aws/cli/cache/KEY.json (cache_get)
 *   5  ~/.aws/sso/cache/SHA1(start URL).json (load_token, legacy profile)
 *   6  ~/.aws/sso/cache/SHA1(session).json (load_token, sso-session:
 *      the expiry is checked)
 *   7  all of 0-3 on the same document
 *
 * Each must answer IAM_OK with complete credentials or an error with a
 * message; a crash, leak, sanitizer report or half-filled result is a bug.
 * The file readers get a private $HOME under /tmp, removed at exit.
 */
#include <openssl/sha.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "expose.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define START_URL "https://x.awsapps.com/start"
#define SESSION "dev"
#define CACHE_KEY "3f1ea3d6a9c2f7d0e3b1c0b9a8f7e6d5c4b3a291"

static char home[64], cli_file[160], legacy_file[160], session_file[160];

static void sso_path(char *out, size_t n, const char *name)
{
    unsigned char md[SHA_DIGEST_LENGTH];
    size_t i, w;
    SHA1((const unsigned char *)name, strlen(name), md);
    w = (size_t)snprintf(out, n, "%s/.aws/sso/cache/", home);
    for(i = 0; i < SHA_DIGEST_LENGTH; i++, w += 2)
        snprintf(out + w, n - w, "%02x", md[i]);
    snprintf(out + w, n - w, ".json");
}

static void cleanup(void)
{
    char d[128];
    unlink(cli_file);
    unlink(legacy_file);
    unlink(session_file);
    snprintf(d, sizeof d, "%s/.aws/cli/cache", home); rmdir(d);
    snprintf(d, sizeof d, "%s/.aws/cli", home);       rmdir(d);
    snprintf(d, sizeof d, "%s/.aws/sso/cache", home); rmdir(d);
    snprintf(d, sizeof d, "%s/.aws/sso", home);       rmdir(d);
    snprintf(d, sizeof d, "%s/.aws", home);           rmdir(d);
    rmdir(home);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const dirs[] = {"/.aws", "/.aws/cli", "/.aws/cli/cache",
                                       "/.aws/sso", "/.aws/sso/cache"};
    char d[128];
    size_t i;
    (void)argc;
    (void)argv;
    snprintf(home, sizeof home, "/tmp/fuzz_credjson.XXXXXX");
    if(!mkdtemp(home))
        abort();
    for(i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(d, sizeof d, "%s%s", home, dirs[i]);
        if(mkdir(d, 0700))
            abort();
    }
    setenv("HOME", home, 1);
    snprintf(cli_file, sizeof cli_file, "%s/.aws/cli/cache/%s.json", home,
             CACHE_KEY);
    sso_path(legacy_file, sizeof legacy_file, START_URL);
    sso_path(session_file, sizeof session_file, SESSION);
    atexit(cleanup);
    return 0;
}

static void put_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if(!f || fwrite(data, 1, len, f) != len || fclose(f))
        abort();
}

static void check_err(int rc, const struct iam_err *err)
{
    if(memchr(err->msg, 0, sizeof err->msg) == NULL ||
       memchr(err->code, 0, sizeof err->code) == NULL)
        __builtin_trap();
    if(rc && (err->st == IAM_OK || !err->msg[0]))
        __builtin_trap(); /* an error must say what */
}

/* rc/found/out as a provider leaves them. */
static void check_creds(int rc, int found, struct creds *c,
                        const struct iam_err *err)
{
    check_err(rc, err);
    if(!rc && found) {
        if(!c->access_key_id || !c->secret_access_key)
            __builtin_trap();
        (void)strlen(c->access_key_id);
        (void)strlen(c->secret_access_key);
        if(c->session_token && !c->session_token[0])
            __builtin_trap(); /* empty token counts as none */
    }
    if(rc && found)
        __builtin_trap();
    creds_free(c);
}

static void check_entry(int rc, struct cache_entry *e,
                        const struct iam_err *err)
{
    check_err(rc, err);
    if(!rc && (!e->id || !e->secret || !e->token || !e->expiration))
        __builtin_trap();
    if(e->expiration)
        (void)strlen(e->expiration);
    cache_entry_free(e);
}

static void one(int sel, const uint8_t *data, size_t len)
{
    struct iam_err err;
    struct creds c;
    struct cache_entry e;
    struct buf b;
    char *tok = NULL;
    int found = 0, rc;
    iam_err_clear(&err);
    memset(&c, 0, sizeof c);
    memset(&e, 0, sizeof e);
    /* the callers' buffers: bytes as read, data NULL when empty */
    b.data = len ? (char *)data : NULL;
    b.len = len;
    b.cap = len + 1;
    b.max = len;
    switch(sel) {
    case 0:
        rc = fuzz_process_parse(&b, &c, &found, &err);
        check_creds(rc, found, &c, &err);
        break;
    case 1:
        rc = fuzz_sso_parse(&b, &e, &err);
        check_entry(rc, &e, &err);
        break;
    case 2:
        rc = fuzz_container_fill((const char *)data, len, &c, &found, &err);
        check_creds(rc, found, &c, &err);
        break;
    case 3:
        rc = fuzz_imds_fill((const char *)data, len, &c, &found, &err);
        check_creds(rc == 1 ? 0 : rc, found, &c, &err);
        break;
    case 4:
        put_file(cli_file, data, len);
        rc = cache_get(CACHE_KEY, 1700000000LL, &e);
        if(rc && (!e.id || !e.secret || !e.expiration))
            __builtin_trap();
        if(!rc && (e.id || e.secret || e.token || e.expiration))
            __builtin_trap(); /* a miss leaves nothing behind */
        cache_entry_free(&e);
        break;
    case 5:
    case 6:
        put_file(sel == 5 ? legacy_file : session_file, data, len);
        rc = fuzz_sso_load_token(START_URL, sel == 6 ? SESSION : NULL, &tok,
                                 &err);
        check_err(rc, &err);
        if(!rc == !tok)
            __builtin_trap();
        free(tok);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    int sel, i;
    uint8_t *copy;
    if(len < 1)
        return 0;
    sel = data[0] & 7;
    /* a NUL-terminated exact-size copy, as struct buf holds a body: a
     * read past the NUL trips ASan */
    copy = malloc(len);
    if(!copy)
        return 0;
    memcpy(copy, data + 1, len - 1);
    copy[len - 1] = 0;
    if(sel == 7)
        for(i = 0; i < 4; i++)
            one(i, copy, len - 1);
    else
        one(sel, copy, len - 1);
    free(copy);
    return 0;
}
