/* jitter.c - the random draw behind retry backoff (see jitter.h). */

/* arc4random_buf is an extension that the Makefile's _POSIX_C_SOURCE (and
 * -std=c11) hide on glibc and macOS: this file asks for the full set. */
#undef _POSIX_C_SOURCE
#define _DEFAULT_SOURCE
#define _DARWIN_C_SOURCE

#include "jitter.h"

#include <stdlib.h> /* defines __GLIBC__ where it is glibc */
#include <string.h>

#if !defined(IAMLUA_NO_GETRANDOM) && defined(__linux__) &&                  \
    defined(__GLIBC__) && !defined(IAMLUA_USE_ARC4RANDOM)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25)
#define JITTER_GETRANDOM
#endif
#endif
#if !defined(JITTER_GETRANDOM) &&                                           \
    (defined(IAMLUA_USE_ARC4RANDOM) || defined(__APPLE__) ||                \
     defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) || \
     defined(__DragonFly__))
#define JITTER_ARC4RANDOM
#endif

#if defined(JITTER_GETRANDOM)
#include <sys/random.h>
#elif !defined(JITTER_ARC4RANDOM)
#include <openssl/rand.h>
#endif

/* Fills b; 0 on success. */
static int fill(unsigned char *b, size_t n)
{
#if defined(JITTER_GETRANDOM)
    return getrandom(b, n, 0) == (ssize_t)n ? 0 : -1;
#elif defined(JITTER_ARC4RANDOM)
    arc4random_buf(b, n); /* cannot fail */
    return 0;
#else
    return RAND_bytes(b, (int)n) == 1 ? 0 : -1;
#endif
}

double jitter_rand(void)
{
    unsigned char b[4];
    if(fill(b, sizeof(b)))
        memset(b, 0x80, sizeof(b)); /* 0.5: the middle of the window */
    return (double)((unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 |
                    (unsigned long)b[2] << 8 | b[3]) /
           4294967296.0;
}
