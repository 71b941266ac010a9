/* tlsinit.h - OpenSSL's process-wide set-up, done as late as it can be, so
 * that a run pays only for the TLS it uses.
 *
 * libcurl initialises OpenSSL in curl_global_init, which by default reads
 * openssl.cnf and, through the first use of OpenSSL's error state that
 * reading makes, builds the table of its ~5,000 error strings: together
 * 1.7 M instructions, 7% of a whole call over http, where none of it is
 * used (tests/bench/PROFILE.md).
 * - tlsinit_global runs before curl_global_init and tells OpenSSL not to
 *   load its configuration then, nor its error strings, nor to register
 *   its atexit cleanup (0.5 M instructions at every exit; the process is
 *   ending and what stays allocated stays reachable).
 * - tlsinit_prepare loads the configuration, as OpenSSL would have at start,
 *   before the first TLS connection (an https endpoint or proxy): TLS runs
 *   with openssl.cnf applied exactly as before. (Making a TLS context
 *   loads libssl's own error strings and the library names, 0.14 M.)
 * - tlsinit_explain loads the error strings when a failed transfer's message
 *   carries an OpenSSL error, and writes that error out again with them,
 *   so the message reads as it did.
 *
 * Threads: call all three from the host's thread, as everything in core.
 */
#ifndef IAM_TLSINIT_H
#define IAM_TLSINIT_H

#include "err.h"

#include <stddef.h>

/* Before curl_global_init; IAM_ENOMEM if OpenSSL cannot initialise. */
int tlsinit_global(struct iam_err *err);
/* Before a TLS connection: loads OpenSSL's configuration file once
 * ($OPENSSL_CONF, else the default openssl.cnf). A file that fails to load
 * changes nothing, as in libcurl's start-up (its errors are not left on
 * OpenSSL's error queue to be reported for a later failure). */
void tlsinit_prepare(void);
/* msg (NUL-terminated, cap bytes) as libcurl wrote it for a failed
 * transfer: an OpenSSL error in it written without its strings
 * ("error:0480006C:PEM routines::reason(108)") is written out again with
 * them ("error:0480006C:PEM routines::no start line"). libssl loads the
 * library names and its own reasons; the other libraries' reasons come
 * only from here. */
void tlsinit_explain(char *msg, size_t cap);

#endif
