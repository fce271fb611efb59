/*
 * hostlist.c - the HostList class: the candidate hosts a placement policy
 * receives, with an index to query them in C.
 *
 * Provides: lb_hostlist_class and lb_push_hostlist (lb.h); the module
 * entry vmpilot.HostList(pool, {hosts...}) (for busted specs and ops
 * scripts).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h.
 *
 * Lua API: #hosts; hosts[i] (a Host, 1 <= i <= #hosts, nil past the
 * end; ipairs works); hosts:list() -> a table of the Hosts;
 * hosts:tightest(vm [, resource]) -> the Host left with the least free
 * `resource` ("cpu" by default) after placing vm, and that amount (ties:
 * least memory left, then the earlier candidate), or nil when empty;
 * hosts:loosest(vm [, resource]) -> the one left with the most.  The
 * queries run in C over the candidates, which is what lets a placement
 * decision on a large pool take microseconds.  A HostList is valid for
 * the call that received it, like every proxy.
 */
#include "lb.h"

#include <string.h>

typedef struct hostlist {
    lb_proxy p; /* view and generation; id unused */
    size_t n;
    vp_id ids[];
} hostlist;

#define tolist(L) ((hostlist *)lb_check_proxy(L, 1, LB_HOSTLIST))

/* A new HostList of n ids (to fill) under view v; owner (a stack index
 * or 0) is kept alive as its user value. */
static hostlist *new_list(lua_State *L, lb_view *v, int owner, size_t n)
{
    owner = owner ? lua_absindex(L, owner) : 0;
    hostlist *l = lua_newuserdatauv(L, sizeof *l + n * sizeof(vp_id), 1);
    *l = (hostlist){.p = {.view = v, .gen = v->gen}, .n = n};
    luaL_setmetatable(L, LB_HOSTLIST);
    if (owner) {
        lua_pushvalue(L, owner);
        lua_setiuservalue(L, -2, 1);
    }
    return l;
}

void lb_push_hostlist(lua_State *L, const vp_id *ids, size_t n)
{
    lb_view *v = lb_get_view(L);
    if (!v || !v->open || !v->pool)
        luaL_error(L, "no pool to read: a HostList exists only during a policy call");
    hostlist *l = new_list(L, v, 0, n);
    memcpy(l->ids, ids, n * sizeof *ids);
}

const vp_id *lb_hostlist_ids(lua_State *L, int i, size_t *n)
{
    const hostlist *l = (const hostlist *)lb_test_proxy(L, i, LB_HOSTLIST);
    if (!l)
        return NULL;
    *n = l->n;
    return l->ids;
}

/* vmpilot.HostList(pool, {h1, h2, ...}): Hosts of that pool, in order. */
static int hl_new(lua_State *L)
{
    lb_proxy *pool = lb_check_proxy(L, 1, LB_POOL);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t n = lua_rawlen(L, 2);
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i);
        luaL_argcheck(L, lb_check_proxy(L, -1, LB_HOST)->view == pool->view, 2,
                      "Hosts of another pool");
        lua_pop(L, 1);
    }
    hostlist *l = new_list(L, pool->view, lb_get_view(L) == pool->view ? 0 : 1, n);
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i);
        l->ids[i - 1] = ((lb_proxy *)lua_touserdata(L, -1))->id;
        lua_pop(L, 1);
    }
    return 1;
}

/* ====== reading ====== */

static void push_host(lua_State *L, const hostlist *l, size_t i)
{
    lb_push_proxy(L, LB_HOST, l->p.view, 1, l->ids[i], 0);
}

/* hosts[i]: integer keys that are no method. */
static int hl_item(lua_State *L, const lb_proxy *p, const void *obj)
{
    const hostlist *l = obj;
    if (!lua_isinteger(L, 2))
        return lb_no_field(L, LB_HOSTLIST);
    lua_Integer i = lua_tointeger(L, 2);
    if (i < 1 || (size_t)i > l->n)
        lua_pushnil(L);
    else
        push_host(L, l, (size_t)i - 1);
    return 1;
}

static int hl_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)tolist(L)->n);
    return 1;
}

static int hl_list(lua_State *L)
{
    const hostlist *l = tolist(L);
    lua_createtable(L, (int)l->n, 0);
    for (size_t i = 0; i < l->n; i++) {
        push_host(L, l, i);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* ====== the index ====== */

/* Index of the candidate left with the least (sign 1) or most (sign -1)
 * free `r` after placing size; ties on memory left, then order. */
static size_t pick(const vp_pool *pool, const hostlist *l, vp_res size, int r, int sign,
                   double *left)
{
    size_t best = l->n;
    double best_r = 0, best_m = 0;
    for (size_t i = 0; i < l->n; i++) {
        vp_res f = vp_pool_host_free(vp_pool_host(pool, l->ids[i]));
        double x = sign * (f.v[r] - size.v[r]), m = sign * (f.v[VP_MEM] - size.v[VP_MEM]);
        if (best == l->n || x < best_r || (x == best_r && m < best_m)) {
            best = i;
            best_r = x;
            best_m = m;
        }
    }
    *left = sign * best_r;
    return best;
}

static int query(lua_State *L, int sign)
{
    const hostlist *l = tolist(L);
    const vp_vm *vm = lb_vm_of(L, lb_check_proxy(L, 2, LB_VM));
    static const char *const names[] = {"cpu", "memory", "disk", "network", NULL};
    int r = luaL_checkoption(L, 3, "cpu", names);
    double left;
    size_t i = pick(l->p.view->pool, l, vm->size, r, sign, &left);
    if (i == l->n)
        return lua_pushnil(L), 1;
    push_host(L, l, i);
    lua_pushnumber(L, left);
    return 2;
}

static int hl_tightest(lua_State *L) { return query(L, 1); }
static int hl_loosest(lua_State *L) { return query(L, -1); }

/* ====== the class ====== */

static const void *resolve(lua_State *L, const lb_proxy *p) { return p; }

static bool describe(lua_State *L, const void *self)
{
    lua_pushfstring(L, "HostList(%d hosts)", (int)((const hostlist *)self)->n);
    return true;
}

static const luaL_Reg meta[] = {{"__len", hl_len}, {NULL, NULL}};
static const luaL_Reg methods[] = {
    {"list", hl_list}, {"tightest", hl_tightest}, {"loosest", hl_loosest}, {NULL, NULL}};
static const luaL_Reg module[] = {{"HostList", hl_new}, {NULL, NULL}};

const lb_class lb_hostlist_class = {
    .name = LB_HOSTLIST,
    .meta = meta,
    .methods = methods,
    .resolve = resolve,
    .miss = hl_item,
    .describe = describe,
    .module = module,
};
