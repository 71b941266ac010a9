/* lrepl.c - line editing for `iamlua -i`, over libedit.
 *
 * scripts/cli/repl.lua owns the prompt's policy (what runs, what prints,
 * what Tab completes); this file edits one line at a time with a history
 * kept in a file, and calls back into Lua on Tab. libedit is opened on
 * first use (ledit.c), shared with the auto-prompt (lprompt.c); each keeps
 * its own EditLine because they bind different keys and only this one
 * keeps a history.
 */
#include <lauxlib.h>
#include <lua.h>

#include "lclass.h"
#include "ledit.h"
#include "lrepl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EDITOR_MT "iamlua.editor"
#define HISTORY_SIZE 1000

/* The editor userdata: built closed (both pointers NULL), then opened, so
 * a raise halfway leaks nothing (liolib's newprefile). The completion
 * function and the history path live in its uservalues 1 and 2. */
struct editor {
    EditLine *el;
    History *hist;
    lua_State *L;       /* during read(), for the Tab callback */
    int interrupted;    /* ^C ended the line */
    const char *prompt; /* during read(), anchored by its argument */
};

static struct editor *check_editor(lua_State *L)
{
    struct editor *e = luaL_checkudata(L, 1, EDITOR_MT);
    if(!e->el)
        luaL_error(L, "attempt to use a closed editor");
    return e;
}

static struct editor *editor_of(EditLine *el)
{
    return ledit_clientdata(el);
}

static char *prompt_text(EditLine *el)
{
    /* libedit wants a char *; it never writes through it */
    return (char *)editor_of(el)->prompt;
}

/* Calls complete(before_cursor) (uservalue 1 of the editor at 1) under
 * lua_pcall, so an error cannot unwind through libedit with the terminal
 * raw; leaves (insert, listing).  [-0, +2, e] */
static int call_complete(lua_State *L)
{
    const char *before = lua_touserdata(L, 2);
    size_t n = (size_t)lua_tointeger(L, 3);
    lua_getiuservalue(L, 1, 1);
    if(!lua_isfunction(L, -1)) {
        lua_pushnil(L);
        lua_pushnil(L);
        return 2;
    }
    lua_pushlstring(L, before, n);
    lua_call(L, 1, 2);
    return 2;
}

/* Tab: the Lua callback may insert text at the cursor and list the
 * candidates under the line, after which libedit redraws the line. */
static unsigned char key_complete(EditLine *el, int ch)
{
    struct editor *e = editor_of(el);
    lua_State *L = e->L;
    const LineInfo *li = ledit.line(el);
    const char *insert, *listing;
    unsigned char rc = CC_REFRESH;
    (void)ch;
    if(!L || !lua_checkstack(L, 5))
        return CC_ERROR;
    lua_pushcfunction(L, call_complete);
    lua_pushvalue(L, 1); /* the editor */
    lua_pushlightuserdata(L, (void *)li->buffer);
    lua_pushinteger(L, (lua_Integer)(li->cursor - li->buffer));
    if(lua_pcall(L, 3, 2, 0) != LUA_OK) {
        lua_pop(L, 1);
        return CC_ERROR;
    }
    insert = lua_tostring(L, -2);
    listing = lua_tostring(L, -1);
    if(listing && *listing) {
        ledit_print_listing(stdout, listing, strlen(listing));
        fflush(stdout);
        rc = CC_REDISPLAY;
    }
    if(insert && *insert && ledit.insertstr(el, insert) != 0)
        rc = CC_ERROR;
    lua_pop(L, 2);
    return rc;
}

/* ^C at the prompt drops the line (a new prompt follows), as shells do:
 * the terminal's isig is off while editing, so it arrives as a key. */
static unsigned char key_interrupt(EditLine *el, int ch)
{
    (void)ch;
    editor_of(el)->interrupted = 1;
    ledit.push(el, "\n");
    return CC_NORM;
}

/* Creates each missing directory of `path`'s parent, mode 0700 (the XDG
 * state directory holds what was typed). Failures show at H_SAVE. */
static void make_parents(const char *path)
{
    char buf[4096];
    size_t n = strlen(path), i;
    if(n >= sizeof buf)
        return;
    memcpy(buf, path, n + 1);
    for(i = 1; i < n; i++) {
        if(buf[i] != '/')
            continue;
        buf[i] = '\0';
        if(mkdir(buf, 0700) != 0 && errno != EEXIST)
            return;
        buf[i] = '/';
    }
}

static void editor_release(struct editor *e)
{
    if(e->el)
        ledit.end(e->el);
    if(e->hist)
        ledit.hend(e->hist);
    e->el = NULL;
    e->hist = NULL;
}

static int editor_gc(lua_State *L)
{
    editor_release(luaL_checkudata(L, 1, EDITOR_MT));
    return 0;
}

/* editor:read(prompt) -> line | nil, "eof" | nil, "interrupt" */
static int editor_read(lua_State *L)
{
    struct editor *e = check_editor(L);
    const char *got;
    int count = 0;
    size_t n;
    e->prompt = luaL_checkstring(L, 2);
    e->L = L;
    e->interrupted = 0;
    lua_settop(L, 2);
    fflush(stdout);
    got = ledit.gets(e->el, &count);
    e->L = NULL;
    if(e->interrupted) {
        luaL_pushfail(L);
        lua_pushliteral(L, "interrupt");
        return 2;
    }
    if(!got || count <= 0) {
        luaL_pushfail(L);
        lua_pushliteral(L, "eof");
        return 2;
    }
    n = (size_t)count;
    if(got[n - 1] == '\n')
        n--;
    lua_pushlstring(L, got, n);
    return 1;
}

/* editor:remember(line): adds a line to the history and saves the file */
static int editor_remember(lua_State *L)
{
    struct editor *e = check_editor(L);
    const char *line = luaL_checkstring(L, 2);
    HistEvent ev;
    ledit.history(e->hist, &ev, H_ENTER, line);
    if(lua_getiuservalue(L, 1, 2) == LUA_TSTRING)
        ledit.history(e->hist, &ev, H_SAVE, lua_tostring(L, -1));
    return 0;
}

/* host.editor{ history = path|nil, complete = fn(before_cursor) ->
 *   insert, listing } -> editor, or raises when libedit is missing. */
static int repl_editor(lua_State *L)
{
    struct editor *e;
    const char *why;
    HistEvent ev;
    luaL_checktype(L, 1, LUA_TTABLE);
    why = ledit_load();
    if(why)
        return luaL_error(L, "the interactive prompt needs libedit (Debian "
                             "package libedit2): %s", why);
    e = lua_newuserdatauv(L, sizeof(*e), 2); /* at 2 */
    memset(e, 0, sizeof(*e));
    luaL_setmetatable(L, EDITOR_MT);
    lua_getfield(L, 1, "complete");
    lua_setiuservalue(L, 2, 1);
    lua_getfield(L, 1, "history");
    if(lua_isstring(L, -1))
        make_parents(lua_tostring(L, -1));
    lua_setiuservalue(L, 2, 2);
    fflush(stdout);
    e->hist = ledit.hinit();
    e->el = ledit.init("iamlua", stdin, stdout, stderr);
    if(!e->hist || !e->el) {
        editor_release(e);
        return luaL_error(L, "cannot start line editing");
    }
    ledit.history(e->hist, &ev, H_SETSIZE, HISTORY_SIZE);
    ledit.history(e->hist, &ev, H_SETUNIQUE, 1);
    if(lua_getiuservalue(L, 2, 2) == LUA_TSTRING)
        ledit.history(e->hist, &ev, H_LOAD, lua_tostring(L, -1));
    lua_pop(L, 1);
    ledit.set(e->el, EL_CLIENTDATA, (void *)e);
    ledit.set(e->el, EL_EDITOR, "emacs");
    ledit.set(e->el, EL_SIGNAL, 1);
    ledit.set(e->el, EL_PROMPT, prompt_text);
    ledit.set(e->el, EL_HIST, ledit.history, e->hist);
    ledit.set(e->el, EL_SETTY, "-d", "-isig", NULL);
    /* the wide call: narrow EL_ADDFN wcsdup()s both names and el_end
     * never frees them (LeakSanitizer reports it) */
    ledit.wset(e->el, EL_ADDFN, L"iamlua-complete", L"complete",
               key_complete);
    ledit.wset(e->el, EL_ADDFN, L"iamlua-interrupt", L"drop the line",
               key_interrupt);
    ledit.set(e->el, EL_BIND, "^I", "iamlua-complete", NULL);
    ledit.set(e->el, EL_BIND, "^C", "iamlua-interrupt", NULL);
    return 1;
}

/* host.term_columns() -> the terminal's width on stdout, or 80 */
static int repl_columns(lua_State *L)
{
    lua_pushinteger(L, ledit_columns(STDOUT_FILENO));
    return 1;
}

void lrepl_register(lua_State *L)
{
    static const luaL_Reg methods[] = {{"read", editor_read},
                                       {"remember", editor_remember},
                                       {"close", editor_gc},
                                       {NULL, NULL}};
    static const luaL_Reg funcs[] = {{"editor", repl_editor},
                                     {"term_columns", repl_columns},
                                     {NULL, NULL}};
    lclass_newmetatable(L, EDITOR_MT, methods, editor_gc);
    lua_pop(L, 1);
    luaL_setfuncs(L, funcs, 0);
}
