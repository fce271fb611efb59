/*
 * host.c - the Host class: a read-only proxy onto a vp_host.
 *
 * Provides: lb_open_host (lb.h).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h, power.h (vp_power_at).
 *
 * Lua API (every read goes to the pool at the time of the read):
 *   fields   name, id (the engine's id, 0-based, never reused), state
 *            ("up" | "draining" | "down"), type (type name or nil),
 *            capacity, overcommit (ratios), limit (capacity x overcommit),
 *            used, reserved, free (limit - used - reserved), demand (sum
 *            of the sampled demand of resident VMs) as Resources;
 *            utilization (cpu demand / cpu capacity, 0 if capacity is 0),
 *            history (History), vm_count, incoming_count;
 *   methods  vms(), incoming() (arrays of Vm), fits(vm) -> true | false,
 *            reason; power(u) -> watts or nil; power_now() -> watts or nil.
 * Unknown fields and writes are errors.  Host proxies of one call (or of
 * one plain-Lua Pool) are cached: the same host is the same object.
 */
#include "lb.h"

#include "power.h"

#define toproxy(L) lb_check_proxy(L, 1, LB_HOST)
#define tohost(L) lb_host_of(L, toproxy(L))

/* Pushes an array of proxies of class cls for ids, made from the proxy
 * at 1 (same view, same owner). */
static int push_ids(lua_State *L, const char *cls, const vp_id *ids, uint32_t n)
{
    lb_proxy *p = toproxy(L);
    lua_createtable(L, (int)n, 0);
    for (uint32_t i = 0; i < n; i++) {
        lb_push_proxy(L, cls, p->view, 1, ids[i], 0);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static double utilization(const vp_host *h)
{
    return h->capacity.v[VP_CPU] > 0 ? h->demand.v[VP_CPU] / h->capacity.v[VP_CPU] : 0;
}

/* ====== fields ====== */

static int g_name(lua_State *L)
{
    lua_pushstring(L, tohost(L)->name);
    return 1;
}

static int g_id(lua_State *L)
{
    lua_pushinteger(L, tohost(L)->id);
    return 1;
}

static int g_state(lua_State *L)
{
    lua_pushstring(L, vp_host_state_name(tohost(L)->state));
    return 1;
}

static int g_type(lua_State *L)
{
    const vp_host *h = tohost(L);
    if (h->type_name)
        lua_pushstring(L, h->type_name);
    else
        lua_pushnil(L);
    return 1;
}

#define RES_FIELD(f)                                                                               \
    static int g_##f(lua_State *L)                                                                 \
    {                                                                                              \
        lb_push_res(L, tohost(L)->f);                                                              \
        return 1;                                                                                  \
    }

RES_FIELD(capacity)
RES_FIELD(overcommit)
RES_FIELD(limit)
RES_FIELD(used)
RES_FIELD(reserved)
RES_FIELD(demand)

static int g_free(lua_State *L)
{
    lb_push_res(L, vp_pool_host_free(tohost(L)));
    return 1;
}

static int g_utilization(lua_State *L)
{
    lua_pushnumber(L, utilization(tohost(L)));
    return 1;
}

static int g_history(lua_State *L)
{
    const vp_host *h = tohost(L);
    lb_push_proxy(L, LB_HISTORY, toproxy(L)->view, 1, h->id, LB_OF_HOST);
    return 1;
}

static int g_vm_count(lua_State *L)
{
    lua_pushinteger(L, tohost(L)->vms.n);
    return 1;
}

static int g_incoming_count(lua_State *L)
{
    lua_pushinteger(L, tohost(L)->incoming.n);
    return 1;
}

/* ====== methods ====== */

static int m_vms(lua_State *L)
{
    const vp_host *h = tohost(L);
    return push_ids(L, LB_VM, h->vms.ids, h->vms.n);
}

static int m_incoming(lua_State *L)
{
    const vp_host *h = tohost(L);
    return push_ids(L, LB_VM, h->incoming.ids, h->incoming.n);
}

/* h:fits(vm) -> true | false, reason (host up, room, pool reservation). */
static int m_fits(lua_State *L)
{
    const lb_proxy *p = toproxy(L), *vm = lb_check_proxy(L, 2, LB_VM);
    vp_err err = {0};
    luaL_argcheck(L, vm->view == p->view, 2, "Vm of another pool");
    lb_vm_of(L, vm);
    if (vp_pool_fits(p->view->pool, vm->id, p->id, &err) == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushboolean(L, 0);
    lua_pushstring(L, err.text);
    return 2;
}

/* Watts at utilization u (clamped to [0, 1]), nil without a power table. */
static int m_power(lua_State *L)
{
    const vp_host *h = tohost(L);
    double u = luaL_checknumber(L, 2);
    if (h->power)
        lua_pushnumber(L, vp_power_at(h->power, u));
    else
        lua_pushnil(L);
    return 1;
}

static int m_power_now(lua_State *L)
{
    const vp_host *h = tohost(L);
    double u = utilization(h);
    if (h->power)
        lua_pushnumber(L, vp_power_at(h->power, u < 1 ? u : 1));
    else
        lua_pushnil(L);
    return 1;
}

/* ====== metamethods ====== */

/* Methods (upvalue 1), then fields (upvalue 2: name -> getter). */
static int host_index(lua_State *L)
{
    toproxy(L);
    lua_settop(L, 2);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(2));
    lua_CFunction get = lua_tocfunction(L, -1);
    if (!get)
        return luaL_error(L, "Host has no field '%s'", luaL_tolstring(L, 2, NULL));
    lua_settop(L, 2);
    return get(L);
}

static int host_newindex(lua_State *L)
{
    return luaL_error(L, "Host is read-only (cannot set field '%s')", luaL_tolstring(L, 2, NULL));
}

static int host_eq(lua_State *L)
{
    const lb_proxy *a = luaL_testudata(L, 1, LB_HOST), *b = luaL_testudata(L, 2, LB_HOST);
    lua_pushboolean(L, a && b && a->view == b->view && a->id == b->id);
    return 1;
}

static int host_tostring(lua_State *L)
{
    const lb_proxy *p = lb_test_proxy(L, 1, LB_HOST);
    const vp_host *h = p ? vp_pool_host(p->view->pool, p->id) : NULL;
    if (h)
        lua_pushfstring(L, "Host(%s)", h->name);
    else
        lua_pushliteral(L, "Host(expired)");
    return 1;
}

/* ====== registration ====== */

static const luaL_Reg meta[] = {
    {"__newindex", host_newindex}, {"__eq", host_eq}, {"__tostring", host_tostring}, {NULL, NULL}};

static const luaL_Reg methods[] = {{"vms", m_vms},     {"incoming", m_incoming},   {"fits", m_fits},
                                   {"power", m_power}, {"power_now", m_power_now}, {NULL, NULL}};

static const luaL_Reg fields[] = {{"name", g_name},
                                  {"id", g_id},
                                  {"state", g_state},
                                  {"type", g_type},
                                  {"capacity", g_capacity},
                                  {"overcommit", g_overcommit},
                                  {"limit", g_limit},
                                  {"used", g_used},
                                  {"reserved", g_reserved},
                                  {"free", g_free},
                                  {"demand", g_demand},
                                  {"utilization", g_utilization},
                                  {"history", g_history},
                                  {"vm_count", g_vm_count},
                                  {"incoming_count", g_incoming_count},
                                  {NULL, NULL}};

void lb_open_host(lua_State *L)
{
    luaL_newmetatable(L, LB_HOST);
    luaL_setfuncs(L, meta, 0);
    luaL_newlibtable(L, methods);
    luaL_setfuncs(L, methods, 0);
    luaL_newlibtable(L, fields);
    luaL_setfuncs(L, fields, 0);
    lua_pushcclosure(L, host_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, LB_HOST);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}
