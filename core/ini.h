/* ini.h - the INI dialect of ~/.aws/config and ~/.aws/credentials.
 *
 * Parses exactly what botocore's raw_config_parse accepts: Python's
 * configparser.RawConfigParser() (strict, delimiters '=' and ':', comments
 * '#' and ';' on their own line only, indented continuation lines, a
 * [DEFAULT] section inherited by every other section, option names
 * lower-cased) over UTF-8 text with universal newlines, plus botocore's
 * sub-sections: a value that starts with a newline ("s3 =" followed by
 * indented "key = value" lines) becomes a nested table.
 *
 * Anything configparser or botocore would reject -- text before the first
 * section, a duplicate section or option, a line without '=' or ':', a
 * sub-section line without '=', bytes that are not UTF-8 (a UTF-8 BOM
 * included) -- is IAM_EPARSE with botocore's one message,
 * "Unable to parse config file: PATH", and err->code "ConfigParseError"
 * (botocore's exception; the AWS CLI exits 255 on it).
 *
 * Known differences: option names are lower-cased for ASCII letters only
 * (Python lower-cases all of Unicode), and a value holding a NUL byte reads
 * as a C string cut at the NUL.
 *
 * A parsed ini owns all its strings; values may be secrets, so ini_free
 * wipes them. Lookups are O(log n) and never allocate. Not thread-safe to
 * free while another thread reads; otherwise read-only after parse.
 */
#ifndef IAM_INI_H
#define IAM_INI_H

#include "buf.h"
#include "err.h"

#include <stddef.h>

/* Largest file ini_load reads; bigger is IAM_ETOOBIG (botocore has no cap,
 * but real files are a few KiB). */
#define INI_MAX_SIZE ((size_t)16 * 1024 * 1024)

struct ini;

/* Parses len bytes of text. filename only goes into the error message.
 * On success *out is a new ini (free with ini_free); on failure *out is
 * NULL and err holds IAM_EPARSE, IAM_ETOOBIG or IAM_ENOMEM. */
int ini_parse(const char *text, size_t len, const char *filename,
              struct ini **out, struct iam_err *err);

/* An ini with no sections, as botocore sees a missing file. */
int ini_empty(struct ini **out, struct iam_err *err);

/* Reads and parses path (used verbatim, no ~ expansion). A missing path is
 * IAM_ENOTFOUND; a directory, a non-regular file or one that cannot be
 * opened or read is IAM_EIO; over INI_MAX_SIZE is IAM_ETOOBIG. */
int ini_load(const char *path, struct ini **out, struct iam_err *err);

/* Reads a regular file of at most max bytes into out (initialised here;
 * the caller frees it with buf_wipe). Errors as for ini_load. Never blocks
 * on a FIFO: non-regular files are refused before reading. */
int ini_read_file(const char *path, size_t max, struct buf *out,
                  struct iam_err *err);

/* Checks that s is UTF-8 as Python's strict decoder accepts it. On failure
 * returns 0 and writes Python's reason ("'utf-8' codec can't decode byte
 * 0xff in position 0: invalid start byte") into why. */
int ini_utf8_valid(const char *s, size_t len, char *why, size_t whylen);

/* botocore's parse_key_val_file_contents (the old EC2 credential file) on
 * UTF-8 text: lines as str.splitlines splits them, those holding '=' cut at
 * the first one, both sides stripped, the last duplicate winning. Sets *out
 * to a malloc'd copy of key's value, or NULL when key is absent. */
int ini_keyval_find(const char *text, size_t len, const char *key, char **out);

/* The value of key in section, else in [DEFAULT] (configparser's
 * inheritance). NULL when absent or when the value is a sub-section. key is
 * matched lower-cased, section exactly. Pointers live until ini_free. */
const char *ini_get(const struct ini *ini, const char *section,
                    const char *key);

/* A key of a sub-section (key case kept, last duplicate wins); NULL when
 * absent or when key is a plain value. */
const char *ini_get_sub(const struct ini *ini, const char *section,
                        const char *key, const char *subkey);

/* 1 when section (or [DEFAULT]) has key, as a plain value or a
 * sub-section: botocore's `key in config` test. */
int ini_has_key(const struct ini *ini, const char *section, const char *key);

/* 1 when the file has [section]. [DEFAULT] is not a section. */
int ini_has_section(const struct ini *ini, const char *section);

/* Sections in file order, [DEFAULT] excluded. */
size_t ini_nsections(const struct ini *ini);
const char *ini_section_name(const struct ini *ini, size_t i);

/* Wipes and frees; NULL is a no-op. */
void ini_free(struct ini *ini);

#endif
