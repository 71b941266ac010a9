/* ledit.c - libedit, opened on first use: see ledit.h.
 *
 * libedit is dlopen()ed, not linked: only `iamlua -i` and the auto-prompt
 * need it, and with its libtinfo, libbsd and libmd it was four of the
 * libraries every run paid the loader for (make bench's one-call case).
 * Both editors share this one handle; each keeps its own EditLine, as
 * they bind different keys and only the REPL keeps a history.
 */
#include "ledit.h"

#include <dlfcn.h>
#include <sys/ioctl.h>

struct ledit_fns ledit;

const char *ledit_load(void)
{
    static void *h;
    if(h)
        return NULL;
    h = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if(!h)
        return dlerror();
    *(void **)&ledit.init = dlsym(h, "el_init");
    *(void **)&ledit.end = dlsym(h, "el_end");
    *(void **)&ledit.set = dlsym(h, "el_set");
    *(void **)&ledit.wset = dlsym(h, "el_wset");
    *(void **)&ledit.get = dlsym(h, "el_get");
    *(void **)&ledit.gets = dlsym(h, "el_gets");
    *(void **)&ledit.line = dlsym(h, "el_line");
    *(void **)&ledit.insertstr = dlsym(h, "el_insertstr");
    *(void **)&ledit.push = dlsym(h, "el_push");
    *(void **)&ledit.hinit = dlsym(h, "history_init");
    *(void **)&ledit.hend = dlsym(h, "history_end");
    *(void **)&ledit.history = dlsym(h, "history");
    if(!ledit.init || !ledit.end || !ledit.set || !ledit.wset || !ledit.get ||
       !ledit.gets || !ledit.line || !ledit.insertstr || !ledit.push ||
       !ledit.hinit || !ledit.hend || !ledit.history) {
        dlclose(h);
        h = NULL;
        return "libedit.so.2 lacks the el_* and history functions";
    }
    return NULL;
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
