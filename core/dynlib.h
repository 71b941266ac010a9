/* dynlib.h - a shared library opened on first use, its functions looked up
 * by name.
 *
 * For the libraries only some runs need: libedit (`iamlua -i` and the
 * auto-prompt, bindings/ledit.c) and libyaml (YAML input,
 * bindings/lyaml.c). Linked, every run would map and relocate them and
 * what they pull in (tests/bench/PROFILE.md).
 */
#ifndef IAM_DYNLIB_H
#define IAM_DYNLIB_H

#include <stddef.h>

/* One function: its name, and where its address goes (a function pointer
 * seen as a data pointer, as dlsym(3) returns it). */
struct dynlib_fn {
    const char *name;
    void **slot;
};

/* Opens `soname` unless *handle already holds it, and fills every slot.
 * NULL on success (at once when already open); else why not (dlerror's
 * text, or the first function missing), with *handle left NULL, so the
 * next call tries again. Not reentrant: the host's thread only. */
const char *dynlib_open(void **handle, const char *soname,
                        const struct dynlib_fn *fns, size_t n);

#endif
