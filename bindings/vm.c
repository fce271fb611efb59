/*
 * vm.c - the Vm class: a read-only proxy onto a vp_vm.
 *
 * Provides: lb_vm_class (lb.h).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h.
 *
 * Lua API (every read goes to the pool at the time of the read):
 *   fields  name, id (the engine's id, 0-based, never reused), state
 *           ("pending" | "running" | "migrating" | "stopped"), size,
 *           demand and allocated (what it is granted: its size from
 *           creation to the first sample, then its demand unless the driver
 *           models contention) as Resources, utilization (cpu demand / cpu size, 0 if
 *           the cpu size is 0), host (Host, nil unless running or
 *           migrating), dest (Host, nil unless migrating), history.
 * Unknown fields and writes are errors.  Vm proxies of one call (or of
 * one plain-Lua Pool) are cached: the same VM is the same object.
 */
#include "lb.h"

/* Pushes the Host proxy for id (nil for VP_NONE), made from the Vm p at 1. */
static int push_host(lua_State *L, const lb_proxy *p, vp_id id)
{
    if (id == VP_NONE)
        lua_pushnil(L);
    else
        lb_push_proxy(L, LB_HOST, p->view, 1, id, 0);
    return 1;
}

/* ====== fields ====== */

static double utilization(const vp_vm *v)
{
    return v->size.v[VP_CPU] > 0 ? v->demand.v[VP_CPU] / v->size.v[VP_CPU] : 0;
}

#define FIELD(f, push, expr) LB_GETTER(vp_vm, v, f, push, expr)

FIELD(name, lua_pushstring, v->name)
FIELD(id, lua_pushinteger, v->id)
FIELD(state, lua_pushstring, vp_vm_state_name(v->state))
FIELD(size, lb_push_res, v->size)
FIELD(demand, lb_push_res, v->demand)
FIELD(allocated, lb_push_res, v->allocated)
FIELD(utilization, lua_pushnumber, utilization(v))

static int g_host(lua_State *L, const lb_proxy *p, const void *obj)
{
    return push_host(L, p, ((const vp_vm *)obj)->host);
}

static int g_dest(lua_State *L, const lb_proxy *p, const void *obj)
{
    return push_host(L, p, ((const vp_vm *)obj)->dest);
}

static int g_history(lua_State *L, const lb_proxy *p, const void *obj)
{
    lb_push_proxy(L, LB_HISTORY, p->view, 1, p->id, LB_OF_VM);
    return 1;
}

/* ====== the class ====== */

static const void *resolve(lua_State *L, const lb_proxy *p) { return lb_vm_of(L, p); }

static bool describe(lua_State *L, const void *self)
{
    const lb_proxy *p = self;
    const vp_vm *v = vp_pool_vm(p->view->pool, p->id);
    if (v)
        lua_pushfstring(L, "Vm(%s)", v->name);
    return v != NULL;
}

static const luaL_Reg meta[] = {{"__eq", lb_proxy_eq}, {NULL, NULL}};

static const lb_field fields[] = {{"name", g_name},       {"id", g_id},
                                  {"state", g_state},     {"size", g_size},
                                  {"demand", g_demand},   {"allocated", g_allocated},
                                  {"utilization", g_utilization},
                                  {"host", g_host},       {"dest", g_dest},
                                  {"history", g_history}, {NULL, NULL}};

const lb_class lb_vm_class = {
    .name = LB_VM,
    .meta = meta,
    .fields = fields,
    .resolve = resolve,
    .describe = describe,
};
