/* jitter.h - the random draw behind retry backoff's jitter.
 *
 * Jitter needs no cryptographic strength, only draws that differ between
 * processes and calls, so that clients that failed together do not retry
 * together. The source is the platform's cheapest: getrandom on Linux
 * (glibc 2.25 and later), arc4random_buf on the BSDs and macOS, OpenSSL's
 * RAND_bytes elsewhere (it sets up its DRBG on first use, a sixth of a
 * call's instructions, which is why it is not the default).
 * -DIAMLUA_NO_GETRANDOM and -DIAMLUA_USE_ARC4RANDOM force the other
 * branches on Linux, so that `make test` compiles and runs each.
 */
#ifndef IAM_JITTER_H
#define IAM_JITTER_H

/* A uniform draw in [0, 1); 0.5 when the source fails. */
double jitter_rand(void);

#endif
