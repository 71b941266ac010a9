/* lprompt.c - line editing for the CLI's auto-prompt, over libedit.
 *
 * The AWS CLI's prompt is a full-screen prompt_toolkit application; ours
 * is one libedit line whose keys call back into scripts/cli/prompt.lua,
 * which owns every policy decision (what completes, what the docs say,
 * what Enter runs). This file only edits a line and reports how editing
 * ended. libedit is opened on first use (ledit.c), shared with the REPL.
 */
#include <lauxlib.h>
#include <lua.h>

#include "ledit.h"
#include "lprompt.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum how { HOW_ENTER, HOW_INTERRUPT, HOW_EOF };

/* One editing session; lives on readline's C stack. */
struct prompt {
    lua_State *L;
    int opts;          /* stack index of the options table */
    const char *text;  /* the prompt, anchored by opts */
    FILE *out;
    int rows;          /* rows printed above the edit line, to erase */
    enum how how;
    const char *key;   /* field of opts the pressed key calls */
    const char *before;/* line up to the cursor, for the key call */
    size_t nbefore;
    const char *line;
    size_t nline;
};

static struct prompt *get_prompt(EditLine *el)
{
    return ledit_clientdata(el);
}

static char *prompt_text(EditLine *el)
{
    /* libedit wants a char *; it never writes through it */
    return (char *)get_prompt(el)->text;
}

static int term_cols(FILE *f)
{
    return ledit_columns(fileno(f));
}

/* Display columns of UTF-8 text: continuation bytes take none. */
static size_t text_width(const char *s, size_t n)
{
    size_t w = 0;
    for(size_t i = 0; i < n; i++)
        if(((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* Terminal rows that `s` fills when printed from column `col`, counting
 * the row the cursor ends on only when s ends without a newline. */
static int text_rows(const char *s, size_t n, size_t col, int cols)
{
    int rows = 0;
    while(n > 0) {
        const char *nl = memchr(s, '\n', n);
        size_t len = nl ? (size_t)(nl - s) : n;
        size_t w = col + text_width(s, len);
        rows += (int)(w / (size_t)cols) + (nl ? 1 : 0);
        col = 0;
        if(!nl)
            break;
        n -= len + 1;
        s = nl + 1;
    }
    return rows;
}

/* Calls opts[p->key](before, line) and leaves (insert, listing) on the
 * stack. Runs under lua_pcall so an error cannot unwind through libedit
 * with the terminal still raw.  [-2, +2, e] */
static int call_key(lua_State *L)
{
    struct prompt *p = lua_touserdata(L, 1); /* opts at 2 */
    lua_getfield(L, 2, p->key);
    if(!lua_isfunction(L, -1)) {
        lua_pushnil(L);
        lua_pushnil(L);
        return 2;
    }
    lua_pushlstring(L, p->before, p->nbefore);
    lua_pushlstring(L, p->line, p->nline);
    lua_call(L, 2, 2);
    return 2;
}

/* A bound key: the Lua callback may insert text at the cursor and print
 * a listing (completions, docs) under the line, after which libedit
 * redraws the line below it, as its own filename completion does. */
static unsigned char on_key(EditLine *el, const char *key)
{
    struct prompt *p = get_prompt(el);
    lua_State *L = p->L;
    const LineInfo *li = ledit.line(el);
    const char *insert, *listing;
    unsigned char rc = CC_REFRESH;
    p->key = key;
    p->line = li->buffer;
    p->nline = (size_t)(li->lastchar - li->buffer);
    p->before = li->buffer;
    p->nbefore = (size_t)(li->cursor - li->buffer);
    lua_pushcfunction(L, call_key);
    lua_pushlightuserdata(L, p);
    lua_pushvalue(L, p->opts);
    if(lua_pcall(L, 2, 2, 0) != LUA_OK) {
        lua_pop(L, 1);
        return CC_ERROR;
    }
    insert = lua_tostring(L, -2);
    listing = lua_tostring(L, -1);
    if(listing && *listing) {
        int cols = term_cols(p->out);
        size_t len = strlen(listing);
        /* rows of the prompt and the line up to the cursor, then the
         * listing's own rows: all of it is erased when editing ends */
        size_t w = text_width(p->text, strlen(p->text)) +
                   text_width(li->buffer, p->nbefore);
        p->rows += (int)(w / (size_t)cols) + 1;
        ledit_print_listing(p->out, listing, len);
        p->rows += text_rows(listing, len, 0, cols) +
                   (listing[len - 1] != '\n');
        fflush(p->out);
        rc = CC_REDISPLAY;
    }
    if(insert && *insert && ledit.insertstr(el, insert) != 0)
        rc = CC_ERROR;
    lua_pop(L, 2);
    return rc;
}

static unsigned char key_complete(EditLine *el, int ch)
{
    (void)ch;
    return on_key(el, "complete");
}

static unsigned char key_doc(EditLine *el, int ch)
{
    (void)ch;
    return on_key(el, "doc");
}

/* Ctrl-C and Ctrl-D end the prompt whatever the line holds, as the CLI's
 * key bindings do. A queued newline lets libedit's own ed-newline move
 * below the line, so the erase in readline knows where the cursor is. */
static unsigned char key_quit(EditLine *el, int ch)
{
    get_prompt(el)->how = ch == 4 ? HOW_EOF : HOW_INTERRUPT;
    ledit.push(el, "\n");
    return CC_NORM;
}

/* Removes the edit line and every listing printed above it, as the CLI's
 * prompt erases itself when done; the driver then prints the one line
 * "> aws ..." that the CLI leaves behind. */
static void erase_prompt(struct prompt *p, const char *line, size_t n)
{
    int cols = term_cols(p->out);
    size_t plen = text_width(p->text, strlen(p->text));
    int up = p->rows + (int)((plen + text_width(line, n)) / (size_t)cols) + 1;
    fprintf(p->out, "\r\033[%dA\033[J", up);
    fflush(p->out);
}

/* The prompt draws on stdout when it is the terminal; when stdout is
 * redirected, on the terminal stdin reads from, so the redirected output
 * gets only what the command prints (libedit would not edit at all with
 * a non-terminal output). */
static FILE *open_output(void)
{
    int fd;
    FILE *f;
    if(isatty(STDOUT_FILENO))
        return stdout;
    fd = dup(STDIN_FILENO);
    if(fd < 0)
        return stdout;
    f = fdopen(fd, "w");
    if(!f) {
        close(fd);
        return stdout;
    }
    return f;
}

static void close_output(FILE *f)
{
    if(f != stdout)
        fclose(f);
    else
        fflush(f);
}

static const char *const how_names[] = {"enter", "interrupt", "eof"};

/* host.readline{ prompt=, init=, banner=, complete=fn, doc=fn }
 *   -> line, "enter" | "interrupt" | "eof"
 * complete (Tab) and doc (F3) are called as fn(before_cursor, line) and
 * return text to insert and text to list under the line. */
static int prompt_readline(lua_State *L)
{
    struct prompt p;
    EditLine *el;
    const char *got, *banner, *init, *why;
    int count = 0;
    size_t n;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "prompt"); /* 2 */
    lua_getfield(L, 1, "init");   /* 3 */
    lua_getfield(L, 1, "banner"); /* 4 */
    memset(&p, 0, sizeof p);
    p.L = L;
    p.opts = 1;
    p.text = luaL_optstring(L, 2, "");
    init = luaL_optstring(L, 3, "");
    banner = luaL_optstring(L, 4, NULL);
    why = ledit_load();
    if(why)
        return luaL_error(L, "the auto-prompt needs libedit (Debian "
                             "package libedit2): %s", why);
    fflush(stdout);
    p.out = open_output();
    el = ledit.init("iamlua", stdin, p.out, stderr);
    if(!el) {
        close_output(p.out);
        return luaL_error(L, "cannot start line editing");
    }
    ledit.set(el, EL_CLIENTDATA, (void *)&p);
    ledit.set(el, EL_EDITOR, "emacs");
    ledit.set(el, EL_SIGNAL, 1);
    ledit.set(el, EL_PROMPT, prompt_text);
    /* ^C must reach key_quit as a key, not as SIGINT */
    ledit.set(el, EL_SETTY, "-d", "-isig", NULL);
    /* the wide call: narrow EL_ADDFN wcsdup()s both names and el_end
     * never frees them (LeakSanitizer reports it) */
    ledit.wset(el, EL_ADDFN, L"iamlua-complete", L"complete", key_complete);
    ledit.wset(el, EL_ADDFN, L"iamlua-doc", L"show docs", key_doc);
    ledit.wset(el, EL_ADDFN, L"iamlua-quit", L"end the prompt", key_quit);
    ledit.set(el, EL_BIND, "^I", "iamlua-complete", NULL);
    ledit.set(el, EL_BIND, "\033OR", "iamlua-doc", NULL);
    ledit.set(el, EL_BIND, "\033[13~", "iamlua-doc", NULL);
    ledit.set(el, EL_BIND, "^C", "iamlua-quit", NULL);
    ledit.set(el, EL_BIND, "^D", "iamlua-quit", NULL);
    if(banner && *banner) {
        n = strlen(banner);
        fputs(banner, p.out);
        if(banner[n - 1] != '\n')
            fputs("\n", p.out);
        p.rows = text_rows(banner, n, 0, term_cols(p.out)) +
                 (banner[n - 1] != '\n');
    }
    /* el_gets clears the line before reading, so the starting text is
     * queued as typed input instead of inserted */
    if(*init)
        ledit.push(el, init);
    got = ledit.gets(el, &count);
    if(!got || count <= 0) {
        /* a read error or a closed terminal: the CLI's EOFError */
        ledit.end(el);
        close_output(p.out);
        lua_pushnil(L);
        lua_pushstring(L, how_names[HOW_EOF]);
        return 2;
    }
    n = (size_t)count;
    if(n > 0 && got[n - 1] == '\n')
        n--;
    erase_prompt(&p, got, n);
    lua_pushlstring(L, got, n);
    ledit.end(el);
    close_output(p.out);
    lua_pushstring(L, how_names[p.how]);
    return 2;
}

/* host.stdin_kind() -> "tty" | "pipe" | "other": the CLI reads keys from
 * a pipe but gets EOF at once from a file or /dev/null (epoll refuses
 * them), so the driver needs to tell them apart. */
static int prompt_stdin_kind(lua_State *L)
{
    struct stat st;
    const char *kind = "other";
    if(isatty(STDIN_FILENO))
        kind = "tty";
    else if(fstat(STDIN_FILENO, &st) == 0 &&
            (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
        kind = "pipe";
    lua_pushstring(L, kind);
    return 1;
}

void lprompt_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"readline", prompt_readline},
                                     {"stdin_kind", prompt_stdin_kind},
                                     {NULL, NULL}};
    luaL_setfuncs(L, funcs, 0);
}
