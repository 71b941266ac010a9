/* cache.h - the AWS CLI's JSON file cache of temporary credentials.
 *
 * AWS CLI v2 keeps what AssumeRole, AssumeRoleWithWebIdentity and SSO's
 * GetRoleCredentials returned in ~/.aws/cli/cache/KEY.json, KEY being the
 * SHA-1 of the call's arguments as JSON (botocore's _create_cache_key).
 * iamlua computes the same keys and reads and writes the same format, so
 * the CLI and iamlua share entries. An entry is used while it has more than
 * CREDS_CACHE_WINDOW (15 min) left, as CachedCredentialFetcher does. A
 * file that cannot be read or parsed counts as absent (botocore's
 * JSONFileCache raises KeyError from inside its `in` test there).
 */
#ifndef IAM_CACHE_H
#define IAM_CACHE_H

#include "buf.h"
#include "err.h"

/* Arguments that make up an assume-role key; NULL / 0 when absent. */
struct cache_args {
    const char *role_arn;
    const char *session_name; /* NULL when botocore generated it */
    const char *external_id;
    const char *serial;
    long duration;
    int has_duration;
};

/* A cached (or freshly fetched) set of credentials. Strings are malloc'd;
 * cache_entry_free wipes them. */
struct cache_entry {
    char *id, *secret, *token;
    char *expiration; /* as written: "2024-01-01T00:00:00UTC" */
    long long expiry;  /* epoch seconds */
    char *role_id, *role_arn; /* AssumedRoleUser, may be NULL */
    char request_id[128];
};

void cache_entry_free(struct cache_entry *e);

/* 40 hex digits and a NUL. */
int cache_key_role(const struct cache_args *a, char key[41]);
/* SSO: accountId, roleName and sessionName or startUrl. */
int cache_key_sso(const char *account, const char *role,
                  const char *session_name, const char *start_url,
                  char key[41]);

/* Reads ~/.aws/cli/cache/KEY.json into *e when it holds credentials with
 * more than the window left at `now`; returns 1 then, else 0. */
int cache_get(const char *key, long long now, struct cache_entry *e);

/* Writes the entry (cache_write_file). sso: the SSO layout
 * ({"ProviderType": "sso", "Credentials": {...}}). Failure to write is
 * not an error for the caller (returns it for the trace). */
int cache_put(const char *key, const struct cache_entry *e, int sso);

/* Replaces dir/name with b's bytes, atomically: a temporary file made in
 * dir (mkstemp), mode 0600 whatever umask says, fsync'd, renamed over the
 * name. A symlink at dir/name is replaced, never followed; an existing
 * file's mode does not carry over; a concurrent reader sees the old
 * contents or the new, never part. Directories are created as needed.
 * IAM_EIO (the temporary file removed) when any step fails. */
int cache_write_file(const char *dir, const char *name, const struct buf *b);

/* Appends s as Python's json.dumps writes a string (ensure_ascii). */
int cache_json_str(struct buf *out, const char *s);

#endif
