/* lembed.c - finding shipped and user scripts.
 *
 * package.searchers becomes { preload, user directories, embedded }: a user
 * file named like a shipped one overrides it, the current directory is never
 * searched, and user files load as text only (no bytecode). Each searcher
 * returns "no file '...'" on a miss so require's message lists every place
 * it looked, as loadlib.c's findloader does.
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

/* Appends a "no file" line to the message string at absolute index msg. */
static void add_miss(lua_State *L, int msg, const char *path)
{
    lua_pushvalue(L, msg);
    lua_pushfstring(L, "\n\tno file '%s'", path);
    lua_concat(L, 2);
    lua_replace(L, msg);
}

/* [-0, +1, m] Pushes the path of `name` in the first user directory that
 * holds it and returns 1; or pushes nothing, returns 0 and has appended a
 * "no file" line per place looked to the string at absolute index msg. */
static int find_user(lua_State *L, const char *name, int msg)
{
    const char *pos, *dir;
    size_t len;
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

/* Searcher for user directories: loader + file name, or an error string. */
static int search_user(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
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
        lua_pushfstring(L, "\n\tno embedded script '%s'", name);
        return 1;
    }
    if(luaL_loadbufferx(L, s->data, s->len, s->chunkname, "b") != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, s->chunkname + 1);
    return 2;
}

void lembed_install(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers"); /* package, searchers */
    lua_rawgeti(L, -1, 1);            /* the preload searcher */
    lua_createtable(L, 3, 0);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, search_user);
    lua_rawseti(L, -2, 2);
    lua_pushcfunction(L, search_embedded);
    lua_rawseti(L, -2, 3);
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 1);
    /* Scripts must not pick up modules from ./ or the system by accident:
     * keep path/cpath empty; the searchers above do the finding. */
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "path");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_pop(L, 1);
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
        luaL_error(L, "module '%s' not found:%s\n\tno embedded script '%s'",
                   name, lua_tostring(L, msg), name);
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

void lembed_list(lua_State *L, const char *prefix)
{
    size_t i, len, plen = strlen(prefix);
    const char *pos, *dir;
    int set;
    lua_newtable(L); /* set of names */
    set = lua_gettop(L);
    for(i = 0; i < embedded_count; i++) {
        const char *n = embedded_scripts[i].name;
        if(strncmp(n, prefix, plen) == 0 && !strchr(n + plen, '.')) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, n);
        }
    }
    push_userpath(L);
    pos = lua_tostring(L, -1);
    while((dir = next_dir(&pos, &len)) != NULL) {
        lua_pushlstring(L, dir, len);
        list_dir(L, lua_tostring(L, -1), prefix, set);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    /* set -> sorted array */
    lua_newtable(L);
    lua_pushnil(L);
    i = 0;
    while(lua_next(L, -3)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, (lua_Integer)++i);
    }
    lua_remove(L, -2);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_remove(L, -2);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 0);
}
