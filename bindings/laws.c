/* laws.c - registers aws.core, and the driver's private host table.
 *
 * The public module is scripts/aws.lua, which wraps this C table with the
 * Lua half (client methods, json.encode, query, parallel). Helpers only the
 * shipped CLI driver needs are passed to it as an argument, as NSE hands
 * `cnse` to nse_main.lua, so they never become part of `require "aws"`.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "laws.h"
#include "lclient.h"
#include "lembed.h"
#include "lerr.h"
#include "lintr.h"
#include "ljshape.h"
#include "ljson.h"
#include "lprompt.h"
#include "lsched.h"
#include "lsign.h"
#include "lvalue.h"
#include "lyaml.h"
#include "transport.h"

#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* isatty(fd): scripts decide whether to draw progress or colour. */
static int host_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
    return 1;
}

/* monotonic(): seconds from a monotonic clock, for rates and ETAs. */
static int aws_monotonic(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
    return 1;
}

static int host_term_width(lua_State *L);
static int host_load(lua_State *L);

/* interrupted(): true once Ctrl-C was pressed (until the prompt resets) */
static int aws_interrupted(lua_State *L)
{
    lua_pushboolean(L, transport_interrupted());
    return 1;
}

int luaopen_aws_core(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"client", aws_client},
                                     {"json_decode", ljson_decode},
                                     {"yaml_decode", lyaml_decode},
                                     {"_xml_decode", aws_xml_decode},
                                     {"_json_decode", aws_json_shape_decode},
                                     {"isatty", host_isatty},
                                     {"monotonic", aws_monotonic},
                                     {"interrupted", aws_interrupted},
                                     {"embedded_names", lembed_names},
                                     {"load_script", host_load},
                                     {"term_width", host_term_width},
                                     {NULL, NULL}};
    lerr_init(L);
    lclient_init(L);
    luaL_newlib(L, funcs);
    lsign_push(L);
    lua_setfield(L, -2, "sign");
    lsched_register(L);
    luaL_getmetatable(L, LCLIENT_MT);
    lua_setfield(L, -2, "client_mt");
    luaL_getmetatable(L, LERR_MT);
    lua_setfield(L, -2, "error_mt");
    lintr_push(L);
    lua_setfield(L, -2, "interrupt");
    return 1;
}

/* host.term_width() -> columns of stdout's terminal, or nil */
static int host_term_width(lua_State *L)
{
    struct winsize ws;
    if(ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        lua_pushinteger(L, ws.ws_col);
        return 1;
    }
    luaL_pushfail(L);
    return 1;
}

/* host.versions() -> { iamlua=, lua=, curl=, openssl=, libxml2= } */
static int host_versions(lua_State *L)
{
    const char *ossl = OpenSSL_version(OPENSSL_VERSION);
    lua_createtable(L, 0, 5);
    lua_pushstring(L, IAMLUA_VERSION);
    lua_setfield(L, -2, "iamlua");
    lua_pushstring(L, LUA_VERSION_MAJOR "." LUA_VERSION_MINOR "."
                      LUA_VERSION_RELEASE);
    lua_setfield(L, -2, "lua");
    lua_pushstring(L, transport_curl_version());
    lua_setfield(L, -2, "curl");
    /* "OpenSSL 3.0.15 3 Sep 2024" -> "3.0.15" */
    if(strncmp(ossl, "OpenSSL ", 8) == 0)
        ossl += 8;
    lua_pushlstring(L, ossl, strcspn(ossl, " "));
    lua_setfield(L, -2, "openssl");
    lua_pushstring(L, LIBXML_DOTTED_VERSION);
    lua_setfield(L, -2, "libxml2");
    return 1;
}

/* host.list(prefix) -> sorted module names under prefix (user + shipped) */
static int host_list(lua_State *L)
{
    lembed_list(L, luaL_checkstring(L, 1));
    return 1;
}

/* host.load(modname) -> chunk (user directory first, then shipped) */
static int host_load(lua_State *L)
{
    lembed_load(L, luaL_checkstring(L, 1));
    return 1;
}

/* host.interrupted() -> true once Ctrl-C was pressed */
static int host_interrupted(lua_State *L)
{
    lua_pushboolean(L, transport_interrupted());
    return 1;
}

void laws_push_host(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"isatty", host_isatty},
                                     {"term_width", host_term_width},
                                     {"versions", host_versions},
                                     {"list", host_list},
                                     {"load", host_load},
                                     {"interrupted", host_interrupted},
                                     {NULL, NULL}};
    luaL_newlib(L, funcs);
    lprompt_register(L);
}
