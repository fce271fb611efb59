/*
 * reservation.c - the Reservation class: the capacity a reserve() policy
 * wants held back, per host and for the pool.
 *
 * Provides: lb_reservation_class and lb_test_reservation (lb.h), whose
 * module is the constructor vmpilot.Reservation.
 * Uses: Lua 5.4 (lauxlib), lb.h.
 *
 * Lua API: vmpilot.Reservation() -> r; r:hold(host, Resources) (host a
 * live Host proxy; a later hold on the same host replaces the earlier)
 * and r:hold_pool(Resources) both return r, so calls chain; r:get(host)
 * -> Resources or nil; r.pool -> Resources or nil; #r = hosts held.
 * Values are not checked here (negative ones included): the engine
 * validates the whole reservation when reserve() returns it.
 *
 * Memory.  r->res and r->hosts are two parts of one block from the
 * state's own allocator (lua_getallocf), so they count towards the
 * sandbox's memory ceiling; __gc gives it back.
 */
#include "lb.h"

#include <string.h>

#define torsv(L) ((lb_reservation *)luaL_checkudata(L, 1, LB_RESERVATION))

lb_reservation *lb_test_reservation(lua_State *L, int i)
{
    return lb_testudata(L, i, LB_RESERVATION);
}

/* Reallocates p from osize to nsize bytes with the state's allocator. */
static void *state_realloc(lua_State *L, void *p, size_t osize, size_t nsize)
{
    void *ud;
    lua_Alloc f = lua_getallocf(L, &ud);
    return f(ud, p, p ? osize : 0, nsize);
}

/* Bytes of the one block holding cap Resources, then cap host ids. */
static size_t block_size(size_t cap) { return cap * (sizeof(vp_res) + sizeof(vp_id)); }

/* Makes room for one more hold; raises on out of memory (r unchanged). */
static void grow(lua_State *L, lb_reservation *r)
{
    if (r->n < r->cap)
        return;
    size_t cap = r->cap ? r->cap * 2 : 8;
    vp_res *res = state_realloc(L, NULL, 0, block_size(cap));
    if (!res)
        luaL_error(L, "out of memory");
    vp_id *hosts = (vp_id *)(res + cap);
    if (r->n) {
        memcpy(res, r->res, r->n * sizeof *res);
        memcpy(hosts, r->hosts, r->n * sizeof *hosts);
    }
    state_realloc(L, r->res, block_size(r->cap), 0);
    r->res = res;
    r->hosts = hosts;
    r->cap = cap;
}

/* Index of host id among the holds, or r->n. */
static size_t find(const lb_reservation *r, vp_id id)
{
    size_t i = 0;
    while (i < r->n && r->hosts[i] != id)
        i++;
    return i;
}

/* The host id argument 2 names (a live Host proxy). */
static vp_id host_arg(lua_State *L) { return lb_host_of(L, lb_check_proxy(L, 2, LB_HOST))->id; }

/* ====== methods ====== */

static int rsv_new(lua_State *L)
{
    lb_reservation *r = lua_newuserdatauv(L, sizeof *r, 0);
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, LB_RESERVATION);
    return 1;
}

static int rsv_hold(lua_State *L)
{
    lb_reservation *r = torsv(L);
    vp_id id = host_arg(L);
    vp_res res = *lb_check_res(L, 3);
    size_t i = find(r, id);
    if (i == r->n) {
        grow(L, r);
        r->hosts[r->n++] = id;
    }
    r->res[i] = res;
    lua_settop(L, 1);
    return 1;
}

static int rsv_hold_pool(lua_State *L)
{
    lb_reservation *r = torsv(L);
    r->pool = *lb_check_res(L, 2);
    r->has_pool = true;
    lua_settop(L, 1);
    return 1;
}

static int rsv_get(lua_State *L)
{
    lb_reservation *r = torsv(L);
    size_t i = find(r, host_arg(L));
    if (i < r->n)
        lb_push_res(L, r->res[i]);
    else
        lua_pushnil(L);
    return 1;
}

/* ====== the class ====== */

static int g_pool(lua_State *L, const lb_proxy *p, const void *obj)
{
    const lb_reservation *r = obj;
    if (r->has_pool)
        lb_push_res(L, r->pool);
    else
        lua_pushnil(L);
    return 1;
}

static int rsv_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)torsv(L)->n);
    return 1;
}

static bool describe(lua_State *L, const void *self)
{
    const lb_reservation *r = self;
    lua_pushfstring(L, "Reservation(%d hosts%s)", (int)r->n, r->has_pool ? ", pool" : "");
    return true;
}

static int rsv_gc(lua_State *L)
{
    lb_reservation *r = torsv(L);
    state_realloc(L, r->res, block_size(r->cap), 0);
    r->hosts = NULL;
    r->res = NULL;
    r->n = r->cap = 0;
    return 0;
}

static const luaL_Reg meta[] = {{"__len", rsv_len}, {"__gc", rsv_gc}, {NULL, NULL}};

static const luaL_Reg methods[] = {
    {"hold", rsv_hold}, {"hold_pool", rsv_hold_pool}, {"get", rsv_get}, {NULL, NULL}};

static const lb_field fields[] = {{"pool", g_pool}, {NULL, NULL}};

static const luaL_Reg module[] = {{"Reservation", rsv_new}, {NULL, NULL}};

const lb_class lb_reservation_class = {
    .name = LB_RESERVATION,
    .meta = meta,
    .methods = methods,
    .fields = fields,
    .describe = describe,
    .readonly = "Reservation fields cannot be set (use r:hold(host, res) and r:hold_pool(res))",
    .module = module,
};
