/* lua_common.c - the shared half of the Lua-driven fuzz targets.
 *
 * One lua_State for the whole run (as the host has one per process), set
 * up as bindings/main.c does: standard libraries, the embedded-script
 * searchers, aws.core preloaded. The target file defines FUZZ_DRIVER, a Lua
 * chunk returning function(input) that exercises the code under test;
 * each input runs it in a pcall. A Lua error is an acceptable answer to
 * bad input (unless the driver marks it "BUG:"); a crash, a sanitizer
 * report or a leak is a bug. A full GC every 32 inputs keeps the heap
 * flat (every input would halve the speed); lua_close at exit frees the
 * rest, so LeakSanitizer reports only real leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "laws.h"
#include "lembed.h"

extern const char FUZZ_DRIVER[];
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static lua_State *L;
static int driver_ref = LUA_NOREF;
static unsigned long runs;

static int setup(lua_State *S)
{
    luaL_openlibs(S);
    lembed_install(S);
    luaL_getsubtable(S, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(S, luaopen_aws_core);
    lua_setfield(S, -2, "aws.core");
    lua_pop(S, 1);
    if(luaL_loadstring(S, FUZZ_DRIVER) != LUA_OK) lua_error(S);
    lua_call(S, 0, 1);
    luaL_checktype(S, -1, LUA_TFUNCTION);
    return 1;
}

static void done(void)
{
    if(L) lua_close(L);
    L = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    L = luaL_newstate();
    if(!L) abort();
    lua_pushcfunction(L, setup);
    if(lua_pcall(L, 0, 1, 0) != LUA_OK) {
        fprintf(stderr, "fuzz driver setup failed: %s\n", lua_tostring(L, -1));
        abort();
    }
    driver_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    atexit(done);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, driver_ref);
    lua_pushlstring(L, (const char *)data, len);
    /* Errors are answers, not bugs -- except those the driver marks
     * "BUG:" (a string error escaping code that must raise tables, a
     * broken round trip): those abort so libFuzzer keeps the input. */
    if(lua_pcall(L, 1, 0, 0) != LUA_OK && lua_type(L, -1) == LUA_TSTRING) {
        const char *m = lua_tostring(L, -1);
        if(m[0] == 'B' && m[1] == 'U' && m[2] == 'G' && m[3] == ':') {
            fprintf(stderr, "%s\n", m);
            abort();
        }
    }
    lua_settop(L, top);
    if(++runs % 32 == 0) lua_gc(L, LUA_GCCOLLECT, 0);
    return 0;
}
