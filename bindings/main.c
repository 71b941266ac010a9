/* main.c - the iamlua host, shaped like lua.c.
 *
 * main creates the state and calls pmain under lua_pcall; pmain opens the
 * libraries, installs the script searchers and runs the embedded
 * scripts/cli.lua with (host, argv). Only cli.lua decides the exit code:
 * main returns what it returned. A Lua error that escapes the driver is a
 * bug and is reported with its traceback.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "laws.h"
#include "lembed.h"
#include "lintr.h"
#include "lrepl.h"
#include "lsched.h"
#include "sigv4.h"
#include "transport.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* The allocator counts bytes in use and refuses to grow past a limit, so a
 * runaway script fails with "not enough memory" instead of taking the
 * machine (Lua's test Memcontrol does the same). */
struct memctl {
    size_t used, limit;
};

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct memctl *m = ud;
    void *p;
    if(!ptr)
        osize = 0;
    if(nsize == 0) {
        free(ptr);
        m->used -= osize;
        return NULL;
    }
    if(nsize > osize && m->used + (nsize - osize) > m->limit)
        return NULL;
    p = realloc(ptr, nsize);
    if(p)
        m->used += nsize - osize;
    return p;
}

static lua_State *globalL;

static void laction(int sig);

/* sigaction with explicit flags: signal() under -std=c11 gives System V
 * one-shot semantics on glibc and BSD ones elsewhere. No SA_RESTART, as
 * lua.c: a read from the terminal or a pipe returns EINTR at Ctrl-C, so
 * the script stops there instead of waiting for input. */
static void setsignal(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* The hook Ctrl-C sets: raises the interrupt value (lintr.h) at the next
 * instruction and removes itself, as lua.c's lstop does, so the __close
 * handlers that run while the error unwinds are not interrupted again.
 * Inside a finalizer an error would only become a warning and the
 * interrupt would be lost, so the hook stays and fires after it. */
static void lstop(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    if(lua_getstack(L, 0, ar) && lua_getinfo(L, "n", ar) && ar->name &&
       ar->namewhat && strcmp(ar->namewhat, "metamethod") == 0 &&
       strcmp(ar->name, "__gc") == 0)
        return;
    lua_sethook(L, NULL, 0, 0);
    lintr_push(L);
    lua_error(L);
}

/* Ctrl-C: transfers in progress abort (the transport's flag) and running
 * Lua code stops at the next instruction (a hook, lua.c's laction). A
 * second Ctrl-C before the host re-arms this handler ends the process. */
static void laction(int sig)
{
    int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    setsignal(sig, SIG_DFL);
    transport_interrupt();
    if(globalL)
        lua_sethook(globalL, lstop, flag, 1);
}

/* host.interrupt_reset(): the interactive prompt goes on after Ctrl-C.
 * Transfers still in the transport are driven until they have failed
 * (bounded: the flag makes each fail within a second), then the flag and
 * the hook are cleared and the handler armed again. */
static int host_interrupt_reset(lua_State *L)
{
    struct transport *t = lsched_transport(L);
    int rounds = 0;
    if(transport_interrupted())
        while(transport_running(t) > 0 && rounds++ < 50)
            transport_step(t, 100);
    lua_sethook(globalL, NULL, 0, 0);
    transport_reset_interrupt();
    setsignal(SIGINT, laction);
    return 0;
}

/* host.protect(): pcall and xpcall of scripts raise a caught interrupt
 * again (lintr.h). */
static int host_protect(lua_State *L)
{
    lintr_install(L);
    return 0;
}

/* The driver's helpers that need main's signal state, added to the host
 * table; host.interrupt is the value Ctrl-C raises (lintr.h). */
static void add_host_functions(lua_State *L)
{
    lua_pushcfunction(L, host_interrupt_reset);
    lua_setfield(L, -2, "interrupt_reset");
    lua_pushcfunction(L, host_protect);
    lua_setfield(L, -2, "protect");
    lrepl_register(L);
    lintr_push(L);
    lua_setfield(L, -2, "interrupt");
}

/* Message handler: aws.error tables and other non-strings keep their own
 * __tostring; string errors are bugs and get a traceback. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if(msg == NULL) {
        if(luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = lua_touserdata(L, 2);
    int i;
    luaL_openlibs(L);
    if(getenv("IAMLUA_GC_STRESS")) /* tests: collect early and often */
        lua_gc(L, LUA_GCINC, 100, 1000, 0);
    lembed_install(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_aws_core);
    lua_setfield(L, -2, "aws.core");
    lua_pop(L, 1);
    lembed_load(L, "cli"); /* driver chunk */
    laws_push_host(L);
    add_host_functions(L);
    lua_createtable(L, argc, 0);
    for(i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    lua_call(L, 2, 1);
    return 1;
}

/* The process holds secret keys and session tokens: it never leaves a
 * core dump, not even through a core_pattern pipe (which ignores
 * RLIMIT_CORE). Sanitizer builds keep the process dumpable because the
 * leak checker attaches to it with ptrace. */
static void no_core_dumps(void)
{
    struct rlimit rl;
    if(getrlimit(RLIMIT_CORE, &rl) == 0) {
        rl.rlim_cur = 0;
        setrlimit(RLIMIT_CORE, &rl);
    }
#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

int main(int argc, char **argv)
{
    struct memctl mem = {0, (size_t)4 << 30};
    lua_State *L;
    int status, rc = 255;
    no_core_dumps();
    L = lua_newstate(l_alloc, &mem);
    if(!L) {
        fputs("iamlua: cannot create state: not enough memory\n", stderr);
        return 255;
    }
    globalL = L;
    setsignal(SIGINT, laction);
    lua_pushcfunction(L, msghandler);
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    status = lua_pcall(L, 2, 1, 1);
    if(status != LUA_OK && transport_interrupted()) {
        rc = 130; /* Ctrl-C while the driver itself ran */
    } else if(status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "iamlua: %s\n", msg ? msg : "(error)");
        fflush(stderr);
    } else if(lua_isinteger(L, -1)) {
        rc = (int)lua_tointeger(L, -1);
    } else {
        rc = 0;
    }
    fflush(stdout);
    globalL = NULL;
    lua_close(L);
    sigv4_cleanup();
    return rc;
}
