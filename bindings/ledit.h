/* ledit.h - libedit, opened on first use (ledit.c), for the two line
 * editors: `iamlua -i` (lrepl.c) and the CLI's auto-prompt (lprompt.c).
 *
 * Only the types and constants come from histedit.h; the functions are
 * called through `ledit`, which ledit_load() fills in. No Lua here: the
 * callers own the EditLine handles and their Lua callbacks.
 */
#ifndef IAM_LEDIT_H
#define IAM_LEDIT_H

#include <histedit.h>
#include <stdio.h>

/* The libedit functions the editors call; valid once ledit_load() has
 * returned NULL. */
struct ledit_fns {
    EditLine *(*init)(const char *, FILE *, FILE *, FILE *);
    void (*end)(EditLine *);
    int (*set)(EditLine *, int, ...);
    int (*wset)(EditLine *, int, ...);
    int (*get)(EditLine *, int, ...);
    const char *(*gets)(EditLine *, int *);
    const LineInfo *(*line)(EditLine *);
    int (*insertstr)(EditLine *, const char *);
    void (*push)(EditLine *, const char *);
    History *(*hinit)(void);
    void (*hend)(History *);
    int (*history)(History *, HistEvent *, int, ...);
};

extern struct ledit_fns ledit;

/* Opens libedit.so.2 once (later calls return at once); NULL on success,
 * else why not (dlerror's text or a missing function). Not reentrant:
 * called from the Lua thread only. */
const char *ledit_load(void);

/* The pointer an editor stored with EL_CLIENTDATA. */
void *ledit_clientdata(EditLine *el);

/* The width of the terminal on `fd`, or 80 when it is not one. */
int ledit_columns(int fd);

/* Prints a listing (completions, docs) on the lines below the edit line:
 * a newline, the text, and a newline unless it ends with one. libedit
 * redraws the line below it on CC_REDISPLAY. */
void ledit_print_listing(FILE *out, const char *listing, size_t len);

#endif
