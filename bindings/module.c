/*
 * module.c - the `vmpilot` Lua module.
 *
 * Provides: lb_open_vmpilot (lb.h), and luaopen_vmpilot, the entry point
 * of the loadable module (vmpilot.so) for plain Lua 5.4: require
 * "vmpilot" from busted or an ops script.
 * Uses: Lua 5.4 (lauxlib), lb.h (every class's lb_open_*).
 *
 * Each class file keeps the module-level functions it provides in its
 * metatable's __module table (constructors, vmpilot.stats); the module
 * table is those entries merged.  Metatables are hidden from Lua
 * (__metatable), so __module is reachable from C only.
 *
 * The module: Resources, Reservation, stats, version ("0.1.0"), and in
 * plain Lua only, pool (vmpilot.pool{...}).
 */
#include "lb.h"

#define VP_LUA_VERSION "0.1.0"

LUAMOD_API int luaopen_vmpilot(lua_State *L);

/* Copies the entries of class cls's __module table into the table at m. */
static void merge_module(lua_State *L, int m, const char *cls)
{
    luaL_getmetatable(L, cls);
    if (lua_getfield(L, -1, "__module") == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, m);
        }
    }
    lua_pop(L, 2);
}

int lb_open_vmpilot(lua_State *L, bool plain)
{
    lb_open_resources(L);
    lb_open_history(L);
    lb_open_host(L);
    lb_open_vm(L);
    lb_open_pool(L);
    lb_open_migration(L);
    lb_open_reservation(L);
    lua_createtable(L, 0, 5);
    int m = lua_gettop(L);
    merge_module(L, m, LB_RESOURCES);
    merge_module(L, m, LB_RESERVATION);
    merge_module(L, m, LB_HISTORY);
    if (plain)
        merge_module(L, m, LB_POOL);
    lua_pushliteral(L, VP_LUA_VERSION);
    lua_setfield(L, m, "version");
    return 1;
}

LUAMOD_API int luaopen_vmpilot(lua_State *L) { return lb_open_vmpilot(L, true); }
