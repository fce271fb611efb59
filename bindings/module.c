/*
 * module.c - the `vmpilot` Lua module.
 *
 * Provides: lb_open_vmpilot (lb.h), and luaopen_vmpilot, the entry point
 * of the loadable module (vmpilot.so) for plain Lua 5.4: require
 * "vmpilot" from busted or an ops script.
 * Uses: Lua 5.4 (lauxlib), lb.h (every class's lb_class, lb_new_class).
 *
 * Each class describes the module-level functions it provides in its
 * lb_class (module: constructors; vmpilot.stats); the module table is
 * those entries merged.
 *
 * The module: Resources, Reservation, stats, version ("0.1.0"), and in
 * plain Lua only, pool (vmpilot.pool{...}).
 */
#include "lb.h"

#define VP_LUA_VERSION "0.1.0"

LUAMOD_API int luaopen_vmpilot(lua_State *L);

static const lb_class *const classes[] = {
    &lb_resources_class, &lb_history_class,   &lb_host_class,        &lb_vm_class,
    &lb_pool_class,      &lb_migration_class, &lb_reservation_class, &lb_hostlist_class,
    &lb_plan_class,      &lb_series_class,
};

#define N_CLASSES (sizeof classes / sizeof classes[0])

/* Adds c's module entries to the table at m (in m[c->module_table] if
 * that is set). */
static void add_module(lua_State *L, int m, const lb_class *c)
{
    if (c->module_table)
        lua_newtable(L);
    else
        lua_pushvalue(L, m);
    luaL_setfuncs(L, c->module, 0);
    if (c->module_table)
        lua_setfield(L, m, c->module_table);
    else
        lua_pop(L, 1);
}

int lb_open_vmpilot(lua_State *L, bool plain)
{
    lua_createtable(L, 0, 5);
    int m = lua_gettop(L);
    for (size_t i = 0; i < N_CLASSES; i++) {
        lb_new_class(L, classes[i]);
        if (classes[i]->module && (plain || !classes[i]->plain_only))
            add_module(L, m, classes[i]);
    }
    lua_pushliteral(L, VP_LUA_VERSION);
    lua_setfield(L, m, "version");
    return 1;
}

LUAMOD_API int luaopen_vmpilot(lua_State *L) { return lb_open_vmpilot(L, true); }
