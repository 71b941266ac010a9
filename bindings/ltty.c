/* ltty.c - reading a secret line from the controlling terminal (ltty.h).
 * Used for an assume-role profile's MFA token code, which botocore reads
 * with getpass: the prompt and the answer go through /dev/tty, so stdout
 * stays clean for the command's output. */
#include "ltty.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int ltty_getpass(void *ud, const char *prompt, char *buf, size_t len,
                 struct iam_err *err)
{
    struct termios old, quiet;
    size_t n = 0;
    int fd, echo_off;
    char c;
    (void)ud;
    if(len == 0)
        return iam_errf(err, IAM_EINVAL, "no room for the answer");
    fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if(fd < 0) {
        iam_errf(err, IAM_EINVAL, "no terminal to read from");
        snprintf(err->code, sizeof(err->code), "NoTerminal");
        return IAM_EINVAL;
    }
    echo_off = tcgetattr(fd, &old) == 0;
    if(echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    if(write(fd, prompt, strlen(prompt)) < 0) {
        /* the prompt is a courtesy; reading still works */
    }
    for(;;) {
        ssize_t got = read(fd, &c, 1);
        if(got <= 0 || c == '\n' || c == '\r')
            break;
        if(n + 1 < len)
            buf[n++] = c;
    }
    buf[n] = '\0';
    if(echo_off)
        tcsetattr(fd, TCSAFLUSH, &old);
    if(write(fd, "\n", 1) < 0) {
        /* as above */
    }
    close(fd);
    return IAM_OK;
}
