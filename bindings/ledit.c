/* ledit.c - libedit, opened on first use: see ledit.h.
 *
 * Opened through core/dynlib.c, not linked: only `iamlua -i` and the
 * auto-prompt need it, and with its libtinfo, libbsd and libmd it was four
 * of the libraries every run paid the loader for (make bench's one-call
 * case). Both editors share this one handle; each keeps its own EditLine, as
 * they bind different keys and only the REPL keeps a history.
 */
#include "ledit.h"

#include "dynlib.h"

#include <sys/ioctl.h>

struct ledit_fns ledit;

const char *ledit_load(void)
{
    static void *h;
    static const struct dynlib_fn fns[] = {
        {"el_init", (void **)&ledit.init},
        {"el_end", (void **)&ledit.end},
        {"el_set", (void **)&ledit.set},
        {"el_wset", (void **)&ledit.wset},
        {"el_get", (void **)&ledit.get},
        {"el_gets", (void **)&ledit.gets},
        {"el_line", (void **)&ledit.line},
        {"el_insertstr", (void **)&ledit.insertstr},
        {"el_push", (void **)&ledit.push},
        {"history_init", (void **)&ledit.hinit},
        {"history_end", (void **)&ledit.hend},
        {"history", (void **)&ledit.history},
    };
    return dynlib_open(&h, "libedit.so.2", fns, sizeof(fns) / sizeof(fns[0]));
}

void *ledit_clientdata(EditLine *el)
{
    void *p = NULL;
    ledit.get(el, EL_CLIENTDATA, &p);
    return p;
}

int ledit_columns(int fd)
{
    struct winsize ws;
    if(ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void ledit_print_listing(FILE *out, const char *listing, size_t len)
{
    fputs("\n", out);
    fputs(listing, out);
    if(listing[len - 1] != '\n')
        fputs("\n", out);
}
