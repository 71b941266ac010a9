/* lerr.c - error tables for `nil, err` returns.
 *
 * An aws.error is a plain table (scripts can read and copy its fields) whose
 * metatable gives it the AWS CLI's message as tostring(), so that
 * `assert(iam:call(...))` raises it and the host prints the right text.
 */
#include <lauxlib.h>
#include <lua.h>

#include "lerr.h"

const char *lerr_kind_name(enum iam_kind kind)
{
    switch(kind) {
    case IAM_KIND_USAGE:
        return "usage";
    case IAM_KIND_CREDENTIALS:
        return "credentials";
    case IAM_KIND_CONFIG:
        return "config";
    case IAM_KIND_SERVICE:
        return "service";
    case IAM_KIND_CONNECTION:
        return "connection";
    default:
        return "internal";
    }
}

/* __tostring: a service error reads as botocore's ClientError; any other
 * error's message already is the CLI's text. */
static int err_tostring(lua_State *L)
{
    const char *kind, *code, *op, *msg;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "kind");
    lua_getfield(L, 1, "code");
    lua_getfield(L, 1, "operation");
    lua_getfield(L, 1, "message");
    lua_getfield(L, 1, "retry_info");
    kind = lua_tostring(L, 2);
    code = lua_tostring(L, 3);
    op = lua_tostring(L, 4);
    msg = lua_tostring(L, 5);
    if(kind && code && op && lua_toboolean(L, 6) == 0 &&
       kind[0] == 's' && kind[1] == 'e') /* "service" */
        lua_pushfstring(L, "An error occurred (%s) when calling the %s "
                           "operation: %s", code, op, msg ? msg : "");
    else if(kind && code && op && kind[0] == 's' && kind[1] == 'e')
        lua_pushfstring(L, "An error occurred (%s) when calling the %s "
                           "operation%s: %s", code, op, lua_tostring(L, 6),
                        msg ? msg : "");
    else
        lua_pushstring(L, msg ? msg : "unknown error");
    return 1;
}

void lerr_init(lua_State *L)
{
    if(luaL_newmetatable(L, LERR_MT)) {
        lua_pushcfunction(L, err_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
}

void lerr_push(lua_State *L, const struct iam_err *e, const char *operation)
{
    lua_createtable(L, 0, 7);
    if(e->code[0])
        lua_pushstring(L, e->code);
    else
        lua_pushstring(L, iam_strstatus(e->st));
    lua_setfield(L, -2, "code");
    lua_pushstring(L, e->msg);
    lua_setfield(L, -2, "message");
    if(e->http_status > 0) {
        lua_pushinteger(L, e->http_status);
        lua_setfield(L, -2, "status");
    }
    if(e->request_id[0]) {
        lua_pushstring(L, e->request_id);
        lua_setfield(L, -2, "request_id");
    }
    if(e->retries > 0) {
        lua_pushinteger(L, e->retries);
        lua_setfield(L, -2, "retries");
    }
    /* botocore's ClientError names the retries when the last attempt
     * allowed was used up. */
    if(e->max_attempts_reached) {
        lua_pushfstring(L, " (reached max retries: %d)", e->retries);
        lua_setfield(L, -2, "retry_info");
    }
    lua_pushstring(L, lerr_kind_name(e->kind));
    lua_setfield(L, -2, "kind");
    if(e->operation[0])
        operation = e->operation;
    if(operation) {
        lua_pushstring(L, operation);
        lua_setfield(L, -2, "operation");
    }
    luaL_setmetatable(L, LERR_MT);
}
