/* buf.h - a growable byte buffer with a hard cap.
 *
 * Every buffer has a maximum size (like curl's dynbuf `toobig`): growing past
 * it fails with IAM_ETOOBIG instead of exhausting memory. The data is always
 * NUL-terminated (data may be NULL while len == 0). A zeroed struct buf is
 * not usable: call buf_init first.
 */
#ifndef IAM_BUF_H
#define IAM_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap; /* allocated bytes, including room for the NUL */
    size_t max; /* largest len allowed */
};

void buf_init(struct buf *b, size_t max);
/* Appends n bytes; IAM_OK, IAM_ENOMEM or IAM_ETOOBIG (b unchanged). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends Python's repr() of n bytes at p as a bytes object (b'...'),
 * which is how botocore shows a body it could not parse; bytes past the
 * cap are dropped (the repr is then cut short). */
void buf_add_repr(struct buf *b, const char *p, size_t n);
/* Empties b, keeping its allocation. */
void buf_reset(struct buf *b);
/* Hands the bytes to the caller (who frees them) and empties b. Never NULL
 * on IAM_OK: an empty buffer yields "". */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);
/* Like buf_free, but first overwrites the bytes (for secrets). */
void buf_wipe(struct buf *b);

#endif
