/* lclass.c - the metatable of a userdata type that holds a resource: see
 * lclass.h. `release` serves both __gc and __close, so `local c <close>`
 * frees at once and collection frees what was not closed; it must be safe
 * to call twice, as liolib's io_fclose is. */
#include "lclass.h"

int lclass_newmetatable(lua_State *L, const char *name,
                        const luaL_Reg *methods, lua_CFunction release)
{
    if(!luaL_newmetatable(L, name))
        return 0;
    if(methods) {
        lua_newtable(L); /* luaL_newlib needs an array, not a pointer */
        luaL_setfuncs(L, methods, 0);
        lua_setfield(L, -2, "__index");
    }
    lua_pushcfunction(L, release);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, release);
    lua_setfield(L, -2, "__close");
    return 1;
}
