/* dynlib.c - a shared library opened on first use (dynlib.h). */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

const char *dynlib_open(void **handle, const char *soname,
                        const struct dynlib_fn *fns, size_t n)
{
    static char why[160];
    void *h;
    size_t i;
    if(*handle)
        return NULL;
    /* RTLD_LOCAL: its names stay out of the way of Lua C modules. */
    h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if(!h)
        return dlerror();
    for(i = 0; i < n; i++) {
        *fns[i].slot = dlsym(h, fns[i].name);
        if(!*fns[i].slot) {
            snprintf(why, sizeof(why), "%s lacks %s", soname, fns[i].name);
            dlclose(h);
            return why;
        }
    }
    *handle = h;
    return NULL;
}
