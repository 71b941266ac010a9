/* cache.c - the AWS CLI's JSON file cache (see cache.h). */
#include "cache.h"
#include "creds.h"
#include "creds_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAX (1 << 20)

void cache_entry_free(struct cache_entry *e)
{
    if(!e)
        return;
    creds_wipe_str(e->id);
    creds_wipe_str(e->secret);
    creds_wipe_str(e->token);
    free(e->expiration);
    free(e->role_id);
    free(e->role_arn);
    memset(e, 0, sizeof(*e));
}

/* Decodes one UTF-8 sequence at *p; -1 when invalid (the byte is then
 * written as \u00XX, as Python would after surrogateescape; rare). */
static long utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    long c;
    int n, i;
    if(s[0] < 0x80) {
        (*p)++;
        return s[0];
    }
    if((s[0] & 0xe0) == 0xc0) {
        c = s[0] & 0x1f;
        n = 1;
    } else if((s[0] & 0xf0) == 0xe0) {
        c = s[0] & 0x0f;
        n = 2;
    } else if((s[0] & 0xf8) == 0xf0) {
        c = s[0] & 0x07;
        n = 3;
    } else {
        (*p)++;
        return -1;
    }
    for(i = 1; i <= n; i++) {
        if((s[i] & 0xc0) != 0x80) {
            (*p)++;
            return -1;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    *p += n + 1;
    return c;
}

int cache_json_str(struct buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = buf_addc(out, '"');
    while(!rc && *p) {
        long c = utf8_next(&p);
        if(c == '"')
            rc = buf_adds(out, "\\\"");
        else if(c == '\\')
            rc = buf_adds(out, "\\\\");
        else if(c == '\n')
            rc = buf_adds(out, "\\n");
        else if(c == '\r')
            rc = buf_adds(out, "\\r");
        else if(c == '\t')
            rc = buf_adds(out, "\\t");
        else if(c == '\b')
            rc = buf_adds(out, "\\b");
        else if(c == '\f')
            rc = buf_adds(out, "\\f");
        else if(c < 0)
            rc = buf_printf(out, "\\u%04x", (unsigned)p[-1]);
        else if(c < 0x20 || (c > 0x7f && c < 0x10000))
            rc = buf_printf(out, "\\u%04x", (unsigned)c);
        else if(c >= 0x10000) {
            c -= 0x10000;
            rc = buf_printf(out, "\\u%04x\\u%04x",
                            (unsigned)(0xd800 + (c >> 10)),
                            (unsigned)(0xdc00 + (c & 0x3ff)));
        } else
            rc = buf_addc(out, (char)c);
    }
    if(!rc)
        rc = buf_addc(out, '"');
    return rc;
}

static void sha1_hex(const struct buf *b, char key[41])
{
    unsigned char md[SHA_DIGEST_LENGTH];
    size_t i;
    SHA1((const unsigned char *)(b->data ? b->data : ""), b->len, md);
    for(i = 0; i < SHA_DIGEST_LENGTH; i++)
        snprintf(key + 2 * i, 3, "%02x", md[i]);
}

/* One `"name": value` member of a sorted-keys dump, sep between members. */
static int member(struct buf *b, int *first, const char *sep, const char *kv,
                  const char *name, const char *value)
{
    int rc = *first ? IAM_OK : buf_adds(b, sep);
    *first = 0;
    if(!rc)
        rc = cache_json_str(b, name);
    if(!rc)
        rc = buf_adds(b, kv);
    if(!rc)
        rc = cache_json_str(b, value);
    return rc;
}

/* json.dumps(args, sort_keys=True): DurationSeconds, ExternalId, RoleArn,
 * RoleSessionName, SerialNumber. */
int cache_key_role(const struct cache_args *a, char key[41])
{
    struct buf b;
    int first = 1, rc;
    buf_init(&b, 64 << 10);
    rc = buf_addc(&b, '{');
    if(!rc && a->has_duration) {
        rc = buf_printf(&b, "\"DurationSeconds\": %ld", a->duration);
        first = 0;
    }
    if(!rc && a->external_id)
        rc = member(&b, &first, ", ", ": ", "ExternalId", a->external_id);
    if(!rc)
        rc = member(&b, &first, ", ", ": ", "RoleArn", a->role_arn);
    if(!rc && a->session_name)
        rc = member(&b, &first, ", ", ": ", "RoleSessionName",
                    a->session_name);
    if(!rc && a->serial)
        rc = member(&b, &first, ", ", ": ", "SerialNumber", a->serial);
    if(!rc)
        rc = buf_addc(&b, '}');
    if(!rc)
        sha1_hex(&b, key);
    buf_free(&b);
    return rc;
}

/* json.dumps(args, sort_keys=True, separators=(',', ':')). */
int cache_key_sso(const char *account, const char *role,
                  const char *session_name, const char *start_url,
                  char key[41])
{
    struct buf b;
    int first = 1, rc;
    buf_init(&b, 64 << 10);
    rc = buf_addc(&b, '{');
    if(!rc)
        rc = member(&b, &first, ",", ":", "accountId", account);
    if(!rc)
        rc = member(&b, &first, ",", ":", "roleName", role);
    if(!rc && session_name)
        rc = member(&b, &first, ",", ":", "sessionName", session_name);
    else if(!rc)
        rc = member(&b, &first, ",", ":", "startUrl", start_url);
    if(!rc)
        rc = buf_addc(&b, '}');
    if(!rc)
        sha1_hex(&b, key);
    buf_free(&b);
    return rc;
}

static int cache_path(const char *key, char *path, size_t n, int dir_only)
{
    const char *home = getenv("HOME");
    int w;
    if(!home || !*home)
        home = "/";
    if(dir_only)
        w = snprintf(path, n, "%s/.aws/cli/cache", home);
    else
        w = snprintf(path, n, "%s/.aws/cli/cache/%s.json", home, key);
    return w < 0 || (size_t)w >= n ? IAM_ETOOBIG : IAM_OK;
}

static char *dup_field(json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? strdup(s) : NULL;
}

/* Expiration as botocore's _parse_if_needed reads it (dateutil). */
static int parse_expiration(json_t *c, struct cache_entry *e)
{
    struct iam_err err;
    iam_err_clear(&err);
    e->expiration = dup_field(c, "Expiration");
    return e->expiration &&
           creds_parse_time(e->expiration, &e->expiry, &err) == IAM_OK;
}

int cache_get(const char *key, long long now, struct cache_entry *e)
{
    char path[4096];
    json_error_t jerr;
    json_t *root, *c;
    int ok = 0;
    memset(e, 0, sizeof(*e));
    if(cache_path(key, path, sizeof(path), 0))
        return 0;
    root = json_load_file(path, JSON_DECODE_ANY, &jerr);
    if(!root)
        return 0;
    c = json_object_get(root, "Credentials");
    if(json_is_object(c)) {
        e->id = dup_field(c, "AccessKeyId");
        e->secret = dup_field(c, "SecretAccessKey");
        e->token = dup_field(c, "SessionToken");
        ok = e->id && e->secret && parse_expiration(c, e) &&
             e->expiry - now >= CREDS_CACHE_WINDOW;
    }
    json_decref(root); /* jansson does not wipe: the file holds it anyway */
    if(!ok)
        cache_entry_free(e);
    return ok;
}

/* Appends `lead` then value as a JSON string, unless an earlier step
 * failed (*rc set). */
static void field(struct buf *b, int *rc, const char *lead, const char *value)
{
    if(!*rc)
        *rc = buf_adds(b, lead);
    if(!*rc)
        *rc = cache_json_str(b, value);
}

/* The entry as botocore's JSONFileCache writes it (json.dumps of the
 * response, keys in this order). */
static int dump_entry(struct buf *b, const struct cache_entry *e, int sso)
{
    int rc = 0;
    field(b, &rc, sso ? "{\"ProviderType\": \"sso\", \"Credentials\": "
                        "{\"AccessKeyId\": "
                      : "{\"Credentials\": {\"AccessKeyId\": ",
          e->id);
    field(b, &rc, ", \"SecretAccessKey\": ", e->secret);
    field(b, &rc, ", \"SessionToken\": ", e->token ? e->token : "");
    field(b, &rc, ", \"Expiration\": ", e->expiration);
    if(!rc)
        rc = buf_adds(b, "}");
    if(!sso && e->role_id && e->role_arn) {
        field(b, &rc, ", \"AssumedRoleUser\": {\"AssumedRoleId\": ",
              e->role_id);
        field(b, &rc, ", \"Arn\": ", e->role_arn);
        if(!rc)
            rc = buf_adds(b, "}");
    }
    if(!sso) {
        field(b, &rc, ", \"ResponseMetadata\": {\"RequestId\": ",
              e->request_id);
        if(!rc)
            rc = buf_adds(b, ", \"HTTPStatusCode\": 200, \"HTTPHeaders\": "
                             "{}, \"RetryAttempts\": 0}");
    }
    if(!rc)
        rc = buf_adds(b, "}");
    return rc;
}

/* os.makedirs of a cache directory. */
static int make_dirs(char *dir)
{
    char *p;
    for(p = dir + 1; *p; p++) {
        if(*p != '/')
            continue;
        *p = '\0';
        if(mkdir(dir, 0777) && errno != EEXIST)
            return IAM_EIO;
        *p = '/';
    }
    if(mkdir(dir, 0777) && errno != EEXIST)
        return IAM_EIO;
    return IAM_OK;
}

/* Writes all of b to fd. */
static int write_all(int fd, const struct buf *b)
{
    size_t off = 0;
    while(off < b->len) {
        ssize_t w = write(fd, b->data + off, b->len - off);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return IAM_EIO;
        off += (size_t)w;
    }
    return IAM_OK;
}

int cache_write_file(const char *dir, const char *name, const struct buf *b)
{
    char path[4096], tmp[4096], made[4096];
    int fd, rc, n;
    n = snprintf(made, sizeof(made), "%s", dir);
    if(n < 0 || (size_t)n >= sizeof(made) || make_dirs(made))
        return IAM_EIO;
    n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if(n < 0 || (size_t)n >= sizeof(path))
        return IAM_ETOOBIG;
    n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
    if(n < 0 || (size_t)n >= sizeof(tmp))
        return IAM_ETOOBIG;
    /* mkstemp: O_CREAT|O_EXCL, so nothing at the temporary name, not even
     * a symlink, is followed or reused */
    fd = mkstemp(tmp);
    if(fd < 0)
        return IAM_EIO;
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    rc = fchmod(fd, 0600) ? IAM_EIO : write_all(fd, b);
    if(!rc && fsync(fd))
        rc = IAM_EIO;
    if(close(fd) && !rc)
        rc = IAM_EIO;
    /* rename replaces whatever is at path, a symlink included (its target
     * is never opened), and a reader sees the old file or the new one */
    if(!rc && rename(tmp, path))
        rc = IAM_EIO;
    if(rc)
        unlink(tmp);
    return rc;
}

int cache_put(const char *key, const struct cache_entry *e, int sso)
{
    char dir[4096], name[64];
    struct buf b;
    int rc;
    if(cache_path(key, dir, sizeof(dir), 1))
        return IAM_EIO;
    snprintf(name, sizeof(name), "%.40s.json", key);
    buf_init(&b, CACHE_MAX);
    rc = dump_entry(&b, e, sso);
    if(!rc)
        rc = cache_write_file(dir, name, &b);
    buf_wipe(&b);
    return rc;
}
