/*
 * policy_check.c - compile-checking a policy script.
 * Provides: vp_policy_check_file (policy_check.h).
 * Uses: Lua 5.4 (luaL_loadfilex in text mode), err.h.
 */
#include "policy_check.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

/* Lua's messages look like "path:12: message"; split out the line. */
static void parse_lua_error(const char *path, const char *msg, vp_err *err)
{
    size_t n = strlen(path);
    int line = 0;
    const char *text = msg;
    if (strncmp(msg, path, n) == 0 && msg[n] == ':') {
        char *end;
        line = (int)strtol(msg + n + 1, &end, 10);
        if (*end == ':')
            text = end + 1 + (end[1] == ' ');
    }
    vp_err_set(err, "%s", text);
    vp_err_at(err, path, line, 0, NULL);
}

int vp_policy_check_file(const char *path, vp_err *err)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return vp_err_set(err, "out of memory");
    int rc = luaL_loadfilex(L, path, "t");
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        parse_lua_error(path, msg ? msg : "cannot load", err);
        if (rc == LUA_ERRFILE)
            vp_err_at(err, path, 0, 0, NULL);
    }
    lua_close(L);
    return rc == LUA_OK ? 0 : -1;
}
