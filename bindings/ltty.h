/* ltty.h - reading a secret line from the controlling terminal. */
#ifndef IAM_LTTY_H
#define IAM_LTTY_H

#include "err.h"

#include <stddef.h>

/* Python's getpass.getpass(prompt): writes prompt to /dev/tty, reads one
 * line with echo off, strips the newline. Without a terminal it fails with
 * code "NoTerminal" (the caller's provider words the error). ud unused. */
int ltty_getpass(void *ud, const char *prompt, char *buf, size_t len,
                 struct iam_err *err);

#endif
