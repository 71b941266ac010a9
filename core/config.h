/* config.h - the shared config and credentials files, as botocore loads them.
 *
 * The config file (AWS_CONFIG_FILE, default ~/.aws/config) names profiles
 * [default], [profile NAME] and [sso-session NAME]; botocore splits the
 * section name like a shell (shlex), so [profile "a b"] is profile "a b"
 * and any section whose name starts with "profile" and splits into exactly
 * two words is one. When two sections name the same profile ([default] and
 * [profile default]) the later one in the file wins, whole.
 *
 * The credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 * ~/.aws/credentials) names profiles by the bare section name. botocore
 * merges it over the config file for every profile setting (its
 * session.full_config): a key in [NAME] of the credentials file beats the
 * same key in the config file's profile. config_get gives that merged view;
 * config_file_get and config_cred_get read one file each.
 *
 * Paths get Python's os.path.expandvars then os.path.expanduser. A file
 * that is missing, not a regular file or unreadable is empty, as in
 * botocore. Errors carry botocore's exception name in err->code
 * ("ConfigParseError", "ProfileNotFound", ...) so the CLI driver can pick
 * the exit code the AWS CLI picks for that exception.
 *
 * A profile argument of NULL means "no profile selected": lookups use
 * "default". Returned strings live until config_free.
 */
#ifndef IAM_CONFIG_H
#define IAM_CONFIG_H

#include "err.h"
#include "ini.h"

#include <stddef.h>

struct config;

/* Loads both files named by the environment (see above). A malformed file
 * is IAM_EPARSE, code "ConfigParseError", msg "Unable to parse config file:
 * PATH" (config file checked first). */
int config_load(struct config **out, struct iam_err *err);

/* The same with explicit paths, which are still expanded like botocore's. */
int config_load_files(const char *config_path, const char *cred_path,
                      struct config **out, struct iam_err *err);

void config_free(struct config *cfg);

/* Merged profile setting (credentials file first, then config file); NULL
 * if absent or a sub-section. config_has tells presence of either kind. */
const char *config_get(const struct config *cfg, const char *profile,
                       const char *key);
int config_has(const struct config *cfg, const char *profile, const char *key);

/* A key of a sub-section such as "s3 =\n  addressing_style = path". */
const char *config_get_sub(const struct config *cfg, const char *profile,
                           const char *key, const char *subkey);

/* The config file's profile section only (botocore's ConfigProvider). */
const char *config_file_get(const struct config *cfg, const char *profile,
                            const char *key);
int config_file_has(const struct config *cfg, const char *profile,
                    const char *key);

/* The credentials file's [profile] only (SharedCredentialProvider). */
const char *config_cred_get(const struct config *cfg, const char *profile,
                            const char *key);
int config_cred_has(const struct config *cfg, const char *profile,
                    const char *key);

/* A key of [sso-session NAME] in the config file. */
const char *config_sso_session_get(const struct config *cfg, const char *name,
                                   const char *key);

/* 1 if profile is a profile of the config file or a section of the
 * credentials file. */
int config_profile_exists(const struct config *cfg, const char *profile);

/* IAM_OK when profile is NULL or exists, else IAM_ENOTFOUND, code
 * "ProfileNotFound", msg "The config profile (NAME) could not be found". */
int config_check_profile(const struct config *cfg, const char *profile,
                         struct iam_err *err);

/* All profile names, in botocore's available_profiles order (config file
 * order, then credentials-file-only ones). *names_out is malloc'd (caller
 * frees the array only, not the names); it is NULL when the count is 0. */
size_t config_profiles(const struct config *cfg, const char ***names_out);

/* botocore's 'profile' setting: cli_profile when non-empty (*explicit_out
 * = 1: botocore then skips environment credentials), else AWS_PROFILE,
 * else AWS_DEFAULT_PROFILE -- these count when set, even to "" -- else
 * NULL. explicit_out may be NULL. */
const char *config_profile_name(const char *cli_profile, int *explicit_out);

/* A scalar setting the way botocore's config chain resolves it: envvar
 * when it is set, even to "" (botocore tests presence, not emptiness), else
 * config_get(cfg, profile, key). envvar may be NULL. To try two variables
 * (AWS_REGION, then AWS_DEFAULT_REGION) test getenv first. */
const char *config_setting(const struct config *cfg, const char *profile,
                           const char *envvar, const char *key);

/* Python's expandvars then expanduser on path; *out is malloc'd. */
int config_expand_path(const char *path, char **out);
/* expanduser alone (the EC2 credential file gets only that). */
int config_expand_user(const char *path, char **out);

/* Expands path and loads it as botocore's raw_config_parse does: missing,
 * non-regular or unreadable is an empty ini, malformed is IAM_EPARSE with
 * the expanded path in the message. *expanded_out (may be NULL) receives
 * the expanded path, malloc'd. */
int config_read_ini(const char *path, struct ini **out, char **expanded_out,
                    struct iam_err *err);

/* The parsed files, for settings outside profiles ([services ...]). */
const struct ini *config_file_ini(const struct config *cfg);
const struct ini *config_cred_ini(const struct config *cfg);

#endif
