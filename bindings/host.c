/*
 * host.c - the Host class: a read-only proxy onto a vp_host.
 *
 * Provides: lb_host_class (lb.h).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h, power.h (vp_power_at).
 *
 * Lua API (every read goes to the pool at the time of the read):
 *   fields   name, id (the engine's id, 0-based, never reused), state
 *            ("up" | "draining" | "down"), type (type name or nil),
 *            capacity, overcommit (ratios), limit (capacity x overcommit),
 *            used, reserved, free (limit - used - reserved), demand (sum
 *            of the sampled demand of resident VMs), allocated (what the
 *            hypervisor granted at the last sample, with the cost of
 *            migrations; = demand unless the driver models contention) as
 *            Resources; cores (of the cpu capacity);
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

#define FIELD(f, push, expr) LB_GETTER(vp_host, h, f, push, expr)

FIELD(name, lua_pushstring, h->name)
FIELD(id, lua_pushinteger, h->id)
FIELD(state, lua_pushstring, vp_host_state_name(h->state))
FIELD(type, lua_pushstring, h->type_name) /* NULL pushes nil */
FIELD(capacity, lb_push_res, h->capacity)
FIELD(overcommit, lb_push_res, h->overcommit)
FIELD(limit, lb_push_res, h->limit)
FIELD(used, lb_push_res, h->used)
FIELD(reserved, lb_push_res, h->reserved)
FIELD(free, lb_push_res, vp_pool_host_free(h))
FIELD(demand, lb_push_res, h->demand)
FIELD(allocated, lb_push_res, h->allocated)
FIELD(cores, lua_pushinteger, h->cores)
FIELD(utilization, lua_pushnumber, utilization(h))
FIELD(vm_count, lua_pushinteger, h->vms.n)
FIELD(incoming_count, lua_pushinteger, h->incoming.n)

static int g_history(lua_State *L, const lb_proxy *p, const void *obj)
{
    lb_push_proxy(L, LB_HISTORY, p->view, 1, p->id, LB_OF_HOST);
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

/* ====== the class ====== */

static const void *resolve(lua_State *L, const lb_proxy *p) { return lb_host_of(L, p); }

static bool describe(lua_State *L, const void *self)
{
    const lb_proxy *p = self;
    const vp_host *h = vp_pool_host(p->view->pool, p->id);
    if (h)
        lua_pushfstring(L, "Host(%s)", h->name);
    return h != NULL;
}

static const luaL_Reg meta[] = {{"__eq", lb_proxy_eq}, {NULL, NULL}};

static const luaL_Reg methods[] = {{"vms", m_vms},     {"incoming", m_incoming},   {"fits", m_fits},
                                   {"power", m_power}, {"power_now", m_power_now}, {NULL, NULL}};

static const lb_field fields[] = {{"name", g_name},
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
                                  {"allocated", g_allocated},
                                  {"cores", g_cores},
                                  {"utilization", g_utilization},
                                  {"history", g_history},
                                  {"vm_count", g_vm_count},
                                  {"incoming_count", g_incoming_count},
                                  {NULL, NULL}};

const lb_class lb_host_class = {
    .name = LB_HOST,
    .meta = meta,
    .methods = methods,
    .fields = fields,
    .resolve = resolve,
    .describe = describe,
};
