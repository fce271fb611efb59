/*
 * vm.c - the Vm class: a read-only proxy onto a vp_vm.
 *
 * Provides: lb_open_vm (lb.h).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h.
 *
 * Lua API (every read goes to the pool at the time of the read):
 *   fields  name, id (the engine's id, 0-based, never reused), state
 *           ("pending" | "running" | "migrating" | "stopped"), size and
 *           demand (Resources), utilization (cpu demand / cpu size, 0 if
 *           the cpu size is 0), host (Host, nil unless running or
 *           migrating), dest (Host, nil unless migrating), history.
 * Unknown fields and writes are errors.  Vm proxies of one call (or of
 * one plain-Lua Pool) are cached: the same VM is the same object.
 */
#include "lb.h"

#define toproxy(L) lb_check_proxy(L, 1, LB_VM)
#define tovm(L) lb_vm_of(L, toproxy(L))

/* Pushes the Host proxy for id (nil for VP_NONE), made from the Vm at 1. */
static int push_host(lua_State *L, vp_id id)
{
    if (id == VP_NONE)
        lua_pushnil(L);
    else
        lb_push_proxy(L, LB_HOST, toproxy(L)->view, 1, id, 0);
    return 1;
}

/* ====== fields ====== */

static int g_name(lua_State *L)
{
    lua_pushstring(L, tovm(L)->name);
    return 1;
}

static int g_id(lua_State *L)
{
    lua_pushinteger(L, tovm(L)->id);
    return 1;
}

static int g_state(lua_State *L)
{
    lua_pushstring(L, vp_vm_state_name(tovm(L)->state));
    return 1;
}

static int g_size(lua_State *L)
{
    lb_push_res(L, tovm(L)->size);
    return 1;
}

static int g_demand(lua_State *L)
{
    lb_push_res(L, tovm(L)->demand);
    return 1;
}

static int g_utilization(lua_State *L)
{
    const vp_vm *v = tovm(L);
    double size = v->size.v[VP_CPU];
    lua_pushnumber(L, size > 0 ? v->demand.v[VP_CPU] / size : 0);
    return 1;
}

static int g_host(lua_State *L) { return push_host(L, tovm(L)->host); }
static int g_dest(lua_State *L) { return push_host(L, tovm(L)->dest); }

static int g_history(lua_State *L)
{
    const vp_vm *v = tovm(L);
    lb_push_proxy(L, LB_HISTORY, toproxy(L)->view, 1, v->id, LB_OF_VM);
    return 1;
}

/* ====== metamethods ====== */

/* Fields (upvalue 1: name -> getter). */
static int vm_index(lua_State *L)
{
    toproxy(L);
    lua_settop(L, 2);
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    lua_CFunction get = lua_tocfunction(L, -1);
    if (!get)
        return luaL_error(L, "Vm has no field '%s'", luaL_tolstring(L, 2, NULL));
    lua_settop(L, 2);
    return get(L);
}

static int vm_newindex(lua_State *L)
{
    return luaL_error(L, "Vm is read-only (cannot set field '%s')", luaL_tolstring(L, 2, NULL));
}

static int vm_eq(lua_State *L)
{
    const lb_proxy *a = luaL_testudata(L, 1, LB_VM), *b = luaL_testudata(L, 2, LB_VM);
    lua_pushboolean(L, a && b && a->view == b->view && a->id == b->id);
    return 1;
}

static int vm_tostring(lua_State *L)
{
    const lb_proxy *p = lb_test_proxy(L, 1, LB_VM);
    const vp_vm *v = p ? vp_pool_vm(p->view->pool, p->id) : NULL;
    if (v)
        lua_pushfstring(L, "Vm(%s)", v->name);
    else
        lua_pushliteral(L, "Vm(expired)");
    return 1;
}

/* ====== registration ====== */

static const luaL_Reg meta[] = {
    {"__newindex", vm_newindex}, {"__eq", vm_eq}, {"__tostring", vm_tostring}, {NULL, NULL}};

static const luaL_Reg fields[] = {{"name", g_name},       {"id", g_id},
                                  {"state", g_state},     {"size", g_size},
                                  {"demand", g_demand},   {"utilization", g_utilization},
                                  {"host", g_host},       {"dest", g_dest},
                                  {"history", g_history}, {NULL, NULL}};

void lb_open_vm(lua_State *L)
{
    luaL_newmetatable(L, LB_VM);
    luaL_setfuncs(L, meta, 0);
    luaL_newlibtable(L, fields);
    luaL_setfuncs(L, fields, 0);
    lua_pushcclosure(L, vm_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, LB_VM);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}
