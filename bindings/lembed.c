/* lembed.c - finding shipped and user scripts.
 *
 * package.searchers becomes { preload, user directories, embedded, then
 * Lua's own path, cpath and all-in-one searchers }. The user directories
 * serve only the extension points (output.*, commands.*, policies.*): a
 * file there with a shipped extension's name overrides it, but a stray
 * cli.lua or aws.lua cannot replace the host (DESIGN.md 1.4). The host's
 * namespaces (the first component of every embedded module: aws, cli,
 * jmespath, shapes, output, ...) are never looked up on package.path or
 * package.cpath, so `require "aws"` and the probes for shapes always get
 * the host's; any other name is found as lua(1) finds it. User files load
 * as text only (no bytecode). Each searcher returns "no file '...'" on a
 * miss so require's message lists every place it looked, as loadlib.c's
 * findloader does.
 */
#include <lua.h>
#include <lauxlib.h>

#include "lembed.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_name(const void *key, const void *elem)
{
    const struct embedded_script *s = elem;
    return strcmp(key, s->name);
}

const struct embedded_script *embedded_find(const char *name)
{
    return bsearch(name, embedded_scripts, embedded_count,
                   sizeof(embedded_scripts[0]), cmp_name);
}

/* The prefixes user directories may serve. */
static const char *const extension_points[] = {"output.", "commands.",
                                               "policies.", NULL};

/* Whether `name` lies under an extension point: a module name with
 * something after the prefix, or (`prefix_ok`) a listing prefix. */
static int under_extension(const char *name, int prefix_ok)
{
    const char *const *p;
    for(p = extension_points; *p; p++) {
        size_t n = strlen(*p);
        if(strncmp(name, *p, n) == 0 && (prefix_ok || name[n] != '\0'))
            return 1;
    }
    return 0;
}

int lembed_is_extension(const char *name)
{
    return under_extension(name, 0);
}

int lembed_is_reserved(const char *name)
{
    size_t i, top = strcspn(name, ".");
    for(i = 0; i < embedded_count; i++) {
        const char *e = embedded_scripts[i].name;
        if(strncmp(e, name, top) == 0 && (e[top] == '\0' || e[top] == '.'))
            return 1;
    }
    return 0;
}

/* [-0, +1, m] Pushes the user directories as one ':'-separated string:
 * $IAMLUA_PATH, else $XDG_CONFIG_HOME/iamlua, else ~/.config/iamlua. */
static void push_userpath(lua_State *L)
{
    const char *p = getenv("IAMLUA_PATH");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if(p && *p)
        lua_pushstring(L, p);
    else if(xdg && *xdg)
        lua_pushfstring(L, "%s/iamlua", xdg);
    else if(home && *home)
        lua_pushfstring(L, "%s/.config/iamlua", home);
    else
        lua_pushliteral(L, "");
}

static int readable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The next non-empty directory of a ':'-separated list: its start and
 * length, advancing *pos past it; NULL at the end. */
static const char *next_dir(const char **pos, size_t *len)
{
    while(**pos) {
        const char *start = *pos, *end = strchr(start, ':');
        if(!end)
            end = start + strlen(start);
        *pos = *end ? end + 1 : end;
        if(end > start) {
            *len = (size_t)(end - start);
            return start;
        }
    }
    return NULL;
}

/* Appends a "no file" line to the message string at absolute index msg,
 * in loadlib.c's format: entries joined by "\n\t", no leading one. */
static void add_miss(lua_State *L, int msg, const char *path)
{
    lua_pushvalue(L, msg);
    if(lua_rawlen(L, msg) > 0)
        lua_pushfstring(L, "\n\tno file '%s'", path);
    else
        lua_pushfstring(L, "no file '%s'", path);
    lua_concat(L, 2);
    lua_replace(L, msg);
}

/* [-0, +1, m] Pushes the path of `name` in the first user directory that
 * holds it and returns 1; or pushes nothing, returns 0 and has appended a
 * "no file" line per place looked to the string at absolute index msg.
 * Only extension points are looked up there. */
static int find_user(lua_State *L, const char *name, int msg)
{
    const char *pos, *dir;
    size_t len;
    if(!lembed_is_extension(name))
        return 0;
    push_userpath(L);
    pos = lua_tostring(L, -1);
    while((dir = next_dir(&pos, &len)) != NULL) {
        lua_pushlstring(L, dir, len);
        lua_pushliteral(L, "/");
        luaL_gsub(L, name, ".", "/");
        lua_pushliteral(L, ".lua");
        lua_concat(L, 4);
        if(readable(lua_tostring(L, -1))) {
            lua_remove(L, -2); /* the directory list */
            return 1;
        }
        add_miss(L, msg, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 0;
}

/* Searcher for user directories: loader + file name, a miss message, or
 * nothing for a name that is not an extension point. */
static int search_user(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if(!lembed_is_extension(name))
        return 0;
    lua_settop(L, 1);
    lua_pushliteral(L, ""); /* misses at 2 */
    if(!find_user(L, name, 2))
        return 1;
    if(luaL_loadfilex(L, lua_tostring(L, 3), "t") != LUA_OK)
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s",
                          name, lua_tostring(L, 3), lua_tostring(L, -1));
    lua_insert(L, 3); /* loader, path */
    return 2;
}

/* Searcher for the scripts compiled into the binary. */
static int search_embedded(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const struct embedded_script *s = embedded_find(name);
    if(!s) {
        lua_pushfstring(L, "no embedded script '%s'", name);
        return 1;
    }
    if(luaL_loadbufferx(L, s->data, s->len, s->chunkname, "b") != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, s->chunkname + 1);
    return 2;
}

/* One of Lua's own searchers (upvalue 1), refused for names in the host's
 * namespaces: the files there are the host's, whatever package.path says.
 * Upvalue 2 is true for the one that explains the refusal. */
static int search_guarded(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if(lembed_is_reserved(name)) {
        if(!lua_toboolean(L, lua_upvalueindex(2)))
            return 0;
        lua_pushfstring(L, "'%s' is in a namespace of iamlua's own modules "
                           "(package.path and package.cpath are not searched)",
                        name);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

void lembed_install(lua_State *L)
{
    lua_Integer i, n;
    int old;
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers"); /* package, searchers */
    old = lua_gettop(L);
    lua_createtable(L, 6, 0);
    lua_rawgeti(L, old, 1); /* the preload searcher */
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, search_user);
    lua_rawseti(L, -2, 2);
    lua_pushcfunction(L, search_embedded);
    lua_rawseti(L, -2, 3);
    /* Lua's path, cpath and all-in-one searchers, in their order. They
     * read package.path and package.cpath at each require, so a script's
     * changes to them count, as in lua(1). */
    n = (lua_Integer)lua_rawlen(L, old);
    for(i = 2; i <= n; i++) {
        lua_rawgeti(L, old, i);
        lua_pushboolean(L, i == 2);
        lua_pushcclosure(L, search_guarded, 2);
        lua_rawseti(L, -2, i + 2);
    }
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 2);
}

void lembed_load(lua_State *L, const char *name)
{
    const struct embedded_script *s;
    int msg;
    lua_pushliteral(L, "");
    msg = lua_gettop(L);
    if(find_user(L, name, msg)) {
        if(luaL_loadfilex(L, lua_tostring(L, -1), "t") != LUA_OK)
            lua_error(L);
        lua_replace(L, msg); /* chunk replaces the message slot */
        lua_settop(L, msg);
        return;
    }
    s = embedded_find(name);
    if(!s)
        luaL_error(L, "module '%s' not found:\n\t%s%sno embedded script '%s'",
                   name, lua_tostring(L, msg),
                   lua_rawlen(L, msg) > 0 ? "\n\t" : "", name);
    if(luaL_loadbufferx(L, s->data, s->len, s->chunkname, "b") != LUA_OK)
        lua_error(L);
    lua_replace(L, msg);
}

/* Adds the user modules under `prefix` found in `dir` to the set at the
 * absolute index `set`. */
static void list_dir(lua_State *L, const char *dir, const char *prefix,
                     int set)
{
    DIR *d;
    struct dirent *e;
    lua_pushstring(L, dir);
    lua_pushliteral(L, "/");
    luaL_gsub(L, prefix, ".", "/");
    lua_concat(L, 3);
    d = opendir(lua_tostring(L, -1));
    lua_pop(L, 1);
    if(!d)
        return;
    while((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if(n > 4 && strcmp(e->d_name + n - 4, ".lua") == 0) {
            lua_pushfstring(L, "%s", prefix);
            lua_pushlstring(L, e->d_name, n - 4);
            lua_concat(L, 2);
            lua_pushboolean(L, 1);
            lua_rawset(L, set);
        }
    }
    closedir(d);
}

/* [-1, +1, e] Replaces the set on top with a sorted array of its keys. */
static void set_to_sorted(lua_State *L)
{
    lua_Integer i = 0;
    lua_newtable(L);
    lua_pushnil(L);
    while(lua_next(L, -3)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, ++i);
    }
    lua_remove(L, -2);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_remove(L, -2);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 0);
}

/* [-0, +1, m] A set of the embedded module names under `prefix` (one
 * level below it unless `deep`). */
static void push_embedded_set(lua_State *L, const char *prefix, int deep)
{
    size_t i, plen = strlen(prefix);
    lua_newtable(L);
    for(i = 0; i < embedded_count; i++) {
        const char *n = embedded_scripts[i].name;
        if(strncmp(n, prefix, plen) == 0 && (deep || !strchr(n + plen, '.'))) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, n);
        }
    }
}

void lembed_list(lua_State *L, const char *prefix)
{
    size_t len;
    const char *pos, *dir;
    int set;
    push_embedded_set(L, prefix, 0);
    set = lua_gettop(L);
    if(under_extension(prefix, 1)) {
        push_userpath(L);
        pos = lua_tostring(L, -1);
        while((dir = next_dir(&pos, &len)) != NULL) {
            lua_pushlstring(L, dir, len);
            list_dir(L, lua_tostring(L, -1), prefix, set);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    set_to_sorted(L);
}

int lembed_names(lua_State *L)
{
    push_embedded_set(L, luaL_checkstring(L, 1), 0);
    set_to_sorted(L);
    return 1;
}
