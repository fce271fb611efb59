/*
 * pool.c - the Pool class: the whole pool, read through a view; in plain
 * Lua also an owning, writable pool to build test fixtures with.
 *
 * Provides: lb_pool_class and lb_push_pool (lb.h); the constructor
 * vmpilot.pool (the class's module, for plain Lua only).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h, history.h.
 *
 * Two kinds of Pool userdata share the metatable.  The engine's Pool is
 * a plain proxy (lb_proxy) onto the state's view, made per call by
 * lb_push_pool.  A plain-Lua Pool (vmpilot.pool{...}) is an lb_pool_ud:
 * it owns a vp_pool (freed by __gc) and the view its proxies read
 * (open and writable while the Pool lives); its user values are the
 * proxy cache (1, see proxy.c) and an array of anchors (2): the type
 * names and power tables vp_pool_set_host_model borrows.
 *
 * Lua API.  Both kinds: hosts(), vms() (arrays in id order), host(x),
 * vm(x) (x a name, an id or a proxy; nil when there is none), fields
 * free, reservation (Resources), host_count, vm_count, history_length;
 * capacity and demand (Resources, over the hosts that are not down),
 * migrating (VMs migrating now).
 * Plain only (the engine's Pool raises "the engine's pool is read-only
 * to policies"): add_host{}, add_vm{}, remove_vm, place, release,
 * set_demand, record, begin_migration, end_migration, abort_migration,
 * set_state, set_reservation, set_pool_reservation, check, migration{}.
 * Mutators return true or raise with the pool's reason.  Where a host
 * or VM is expected, a proxy of this pool, a name or an id is accepted.
 */
#include "lb.h"

#include <stdio.h>
#include <string.h>

typedef struct lb_pool_ud {
    lb_proxy p; /* p.view == &own */
    lb_view own;
} lb_pool_ud;

/* A Migration made by pool:migration{}: the proxy and the migration in
 * one userdata (user values: 1 the Pool, 2 the why string). */
typedef struct plain_migration {
    lb_proxy p;
    lb_migration m;
} plain_migration;

#define MAX_HISTORY 4096

static const char *const HOST_KEYS[] = {"name",    "cpu",        "memory",  "disk",
                                        "network", "overcommit", "state",   "reserved",
                                        "power",   "type",       "history", "cores",    NULL};
static const char *const VM_KEYS[] = {"name", "cpu",    "memory",  "disk", "network",
                                      "host", "demand", "history", NULL};
static const char *const POOL_KEYS[] = {"history_length", "hosts", "vms", NULL};
static const char *const MIG_KEYS[] = {"vm", "to", "why", "proposed", "asked", NULL};
static const char *const HOST_STATES[] = {"up", "draining", "down", NULL};

#define topool(L) lb_check_proxy(L, 1, LB_POOL)

/* The plain Pool at 1, or an error for the engine's. */
static lb_pool_ud *toplain(lua_State *L)
{
    lb_proxy *p = topool(L);
    if (!p->view->writable)
        luaL_error(L, "the engine's pool is read-only to policies");
    return (lb_pool_ud *)p;
}

/* ====== reading tables ====== */

/* Raises "what: unknown field(s) 'a', 'b'" for the keys of t not in keys. */
static void check_keys(lua_State *L, int t, const char *const *keys, const char *what)
{
    lb_check_keys(L, t, keys, what, "");
}

/* Field k of t as a number; def when absent. */
static double num_field(lua_State *L, int t, const char *k, double def, const char *what)
{
    int type = lua_getfield(L, t, k);
    if (type != LUA_TNIL && type != LUA_TNUMBER)
        luaL_error(L, "%s: field '%s' must be a number, got %s", what, k, luaL_typename(L, -1));
    double x = type == LUA_TNIL ? def : lua_tonumber(L, -1);
    lua_pop(L, 1);
    return x;
}

/* Field k of t as a string (NULL when absent and not required).  The
 * string stays referenced by t. */
static const char *str_field(lua_State *L, int t, const char *k, bool required, const char *what)
{
    int type = lua_getfield(L, t, k);
    if (type != LUA_TSTRING && (required || type != LUA_TNIL))
        luaL_error(L, "%s: field '%s' must be a string, got %s", what, k, luaL_typename(L, -1));
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1);
    return s;
}

/* The cpu, memory, disk and network fields of t (missing = def). */
static vp_res res_fields(lua_State *L, int t, double def, const char *what)
{
    vp_res r;
    for (int i = 0; i < VP_RES_N; i++)
        r.v[i] = num_field(L, t, lb_res_keys[i], def, what);
    return r;
}

/* The value at i as Resources: a Resources, or a table of resource
 * fields (missing = def). */
static vp_res res_at(lua_State *L, int i, double def, const char *what)
{
    const vp_res *r = lb_test_res(L, i);
    if (r)
        return *r;
    if (lua_type(L, i) != LUA_TTABLE)
        luaL_error(L, "%s: Resources or a table expected, got %s", what, luaL_typename(L, i));
    i = lua_absindex(L, i);
    check_keys(L, i, lb_res_keys, what);
    return res_fields(L, i, def, what);
}

/* A demand at i: a number is the cpu demand (the other resources are
 * taken as the VM's size, as the sim driver does), else Resources. */
static vp_res demand_at(lua_State *L, int i, vp_res size, const char *what)
{
    if (lua_type(L, i) != LUA_TNUMBER)
        return res_at(L, i, 0, what);
    size.v[VP_CPU] = lua_tonumber(L, i);
    return size;
}

/* Field k of t through res_at; *r unchanged when absent. */
static void res_field(lua_State *L, int t, const char *k, double def, vp_res *r, const char *what)
{
    char sub[96];
    if (lua_getfield(L, t, k) != LUA_TNIL) {
        snprintf(sub, sizeof sub, "%s: field '%s'", what, k);
        *r = res_at(L, -1, def, sub);
    }
    lua_pop(L, 1);
}

/* The array of numbers at field k of t, copied into a userdata; leaves
 * one value on the stack: that userdata, or nil (and NULL) if absent. */
static double *array_field(lua_State *L, int t, const char *k, size_t *n, const char *what)
{
    *n = 0;
    int type = lua_getfield(L, t, k);
    if (type == LUA_TNIL)
        return NULL;
    if (type != LUA_TTABLE)
        luaL_error(L, "%s: field '%s' must be an array of numbers", what, k);
    size_t len = lua_rawlen(L, -1);
    double *x = lua_newuserdatauv(L, len * sizeof *x, 0);
    for (size_t i = 0; i < len; i++) {
        if (lua_rawgeti(L, -2, (lua_Integer)i + 1) != LUA_TNUMBER)
            luaL_error(L, "%s: field '%s': element %d must be a number", what, k, (int)i + 1);
        x[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_remove(L, -2);
    *n = len;
    return x;
}

/* ====== hosts and VMs named by arguments ====== */

/* The id of the host (host = true) or VM the value at i names: a proxy
 * of view v, a name or an id; VP_NONE when it names none.  *typeok is
 * false when i is of none of these types. */
static vp_id lookup(lua_State *L, int i, const lb_view *v, bool host, bool *typeok)
{
    const char *cls = host ? LB_HOST : LB_VM;
    vp_id id = VP_NONE;
    *typeok = true;
    if (lb_testudata(L, i, cls)) {
        const lb_proxy *p = lb_check_proxy(L, i, cls);
        if (p->view == v)
            id = host ? lb_host_of(L, p)->id : lb_vm_of(L, p)->id;
    } else if (lua_type(L, i) == LUA_TSTRING) {
        const char *s = lua_tostring(L, i);
        id = host ? vp_pool_find_host(v->pool, s) : vp_pool_find_vm(v->pool, s);
    } else if (lua_isinteger(L, i)) {
        lua_Integer n = lua_tointeger(L, i);
        id = n >= 0 && n < VP_NONE ? (vp_id)n : VP_NONE;
        if (host ? !vp_pool_host(v->pool, id) : !vp_pool_vm(v->pool, id))
            id = VP_NONE;
    } else
        *typeok = false;
    return id;
}

/* Argument i as a host or VM of the Pool at 1; raises if none. */
static vp_id ref_arg(lua_State *L, int i, bool host)
{
    bool typeok;
    vp_id id = lookup(L, i, topool(L)->view, host, &typeok);
    if (!typeok)
        luaL_typeerror(L, i, host ? "Host, name or id" : "Vm, name or id");
    if (id == VP_NONE)
        luaL_argerror(L, i,
                      lua_pushfstring(L, "no such %s in this pool: %s", host ? "host" : "VM",
                                      luaL_tolstring(L, i, NULL)));
    return id;
}

/* Field k of t as a host or VM of view v (VP_NONE if absent and not
 * required). */
static vp_id ref_field(lua_State *L, int t, const char *k, bool host, bool required,
                       const lb_view *v, const char *what)
{
    bool typeok;
    if (lua_getfield(L, t, k) == LUA_TNIL && !required) {
        lua_pop(L, 1);
        return VP_NONE;
    }
    vp_id id = lookup(L, -1, v, host, &typeok);
    if (id == VP_NONE)
        luaL_error(L, "%s: field '%s': no such %s in this pool: %s", what, k, host ? "host" : "VM",
                   luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
    return id;
}

/* ====== building plain pools ====== */

/* Appends the value at i to the anchors of the plain Pool at pool. */
static void anchor(lua_State *L, int pool, int i)
{
    i = lua_absindex(L, i);
    lua_getiuservalue(L, pool, 2);
    lua_pushvalue(L, i);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 1);
}

/* Fills an empty history from x[0..n-1], given newest first. */
static void fill_history(lua_State *L, vp_history *h, uint32_t cap, const double *x, size_t n)
{
    for (size_t i = n < cap ? n : cap; i-- > 0;)
        if (vp_history_push(h, cap, x[i]) != 0)
            luaL_error(L, "out of memory");
}

/* The power table of entry t (11 numbers), anchored; NULL if none.  Hosts
 * given the same Lua table share one copy, as the hosts of one type do in
 * the engine (a Plan keeps hosts of one table together). */
static const double *power_field(lua_State *L, int pool, int t, const char *what)
{
    lua_getiuservalue(L, pool, 2); /* the anchors; [table] = its copy */
    int anchors = lua_gettop(L);
    if (lua_getfield(L, t, "power") == LUA_TTABLE && lua_rawget(L, anchors) == LUA_TUSERDATA) {
        const double *w = lua_touserdata(L, -1);
        lua_pop(L, 2);
        return w;
    }
    lua_pop(L, 1);
    size_t n;
    const double *w = array_field(L, t, "power", &n, what);
    if (w && n != 11)
        luaL_error(L,
                   "%s: field 'power' must hold 11 numbers (watts at 0, 10, ..., 100 %% "
                   "cpu), got %d",
                   what, (int)n);
    if (w) {
        lua_getfield(L, t, "power");
        lua_pushvalue(L, -2);
        lua_rawset(L, anchors);
    }
    lua_pop(L, 2);
    return w;
}

/* The type name of entry t, anchored; NULL if none. */
static const char *type_field(lua_State *L, int pool, int t, const char *what)
{
    const char *s = str_field(L, t, "type", false, what);
    if (!s)
        return NULL;
    lua_getfield(L, t, "type");
    anchor(L, pool, -1);
    lua_pop(L, 1);
    return s;
}

static int state_field(lua_State *L, int t, const char *what)
{
    int type = lua_getfield(L, t, "state");
    for (int i = 0; HOST_STATES[i] && type == LUA_TSTRING; i++)
        if (strcmp(lua_tostring(L, -1), HOST_STATES[i]) == 0) {
            lua_pop(L, 1);
            return i;
        }
    if (type != LUA_TNIL)
        luaL_error(L, "%s: field 'state' must be \"up\", \"draining\" or \"down\"", what);
    lua_pop(L, 1);
    return VP_HOST_UP;
}

typedef struct host_entry {
    const char *name, *type;
    const double *power;
    vp_res capacity, overcommit, reserved;
    int state;
    lua_Integer cores;
} host_entry;

/* Reads and checks entry t (everything that can fail before the pool
 * changes); type and power are anchored to the Pool at pool. */
static void read_host(lua_State *L, int pool, int t, const char *what, host_entry *e)
{
    check_keys(L, t, HOST_KEYS, what);
    e->name = str_field(L, t, "name", true, what);
    e->capacity = res_fields(L, t, 0, what);
    e->overcommit = vp_res_make(1, 1, 1, 1);
    res_field(L, t, "overcommit", 1, &e->overcommit, what);
    e->reserved = vp_res_zero();
    res_field(L, t, "reserved", 0, &e->reserved, what);
    if (!vp_res_nonneg(e->reserved))
        luaL_error(L, "%s: negative reservation", what);
    e->state = state_field(L, t, what);
    e->type = type_field(L, pool, t, what);
    e->power = power_field(L, pool, t, what);
    lua_getfield(L, t, "cores");
    e->cores = lua_isnil(L, -1) ? 1 : lua_tointeger(L, -1);
    if (e->cores < 1 || e->cores > 4096)
        luaL_error(L, "%s: field 'cores' must be an integer 1..4096", what);
    lua_pop(L, 1);
}

/* Adds the host entry t describes to the plain Pool at pool. */
static vp_id add_host_entry(lua_State *L, int pool, int t, const char *what)
{
    lb_pool_ud *u = lua_touserdata(L, pool);
    vp_pool *pl = u->own.pool;
    host_entry e;
    size_t nh;
    vp_err err = {0};
    read_host(L, pool, t, what, &e);
    const double *hist = array_field(L, t, "history", &nh, what);
    vp_id id = vp_pool_add_host(pl, e.name, e.capacity, e.overcommit, &err);
    if (id == VP_NONE)
        luaL_error(L, "%s: %s", what, err.text);
    (void)vp_pool_set_host_state(pl, id, (vp_host_state)e.state, NULL);
    (void)vp_pool_set_reservation(pl, id, e.reserved, NULL);
    vp_pool_set_host_model(pl, id, e.type, e.power);
    vp_pool_set_host_cores(pl, id, (int)e.cores);
    fill_history(L, &vp_pool_host(pl, id)->cpu, vp_pool_history_length(pl), hist, nh);
    return id;
}

/* Adds the VM entry t describes (placing it if it names a host). */
static vp_id add_vm_entry(lua_State *L, int pool, int t, const char *what)
{
    lb_pool_ud *u = lua_touserdata(L, pool);
    vp_pool *pl = u->own.pool;
    size_t nh;
    vp_err err = {0};
    vp_res demand = vp_res_zero();
    bool sampled = false;
    check_keys(L, t, VM_KEYS, what);
    const char *name = str_field(L, t, "name", true, what);
    vp_res size = res_fields(L, t, 0, what);
    if (lua_getfield(L, t, "demand") != LUA_TNIL) {
        demand = demand_at(L, -1, size, what);
        sampled = true;
    }
    lua_pop(L, 1);
    vp_id host = ref_field(L, t, "host", true, false, &u->own, what);
    const double *hist = array_field(L, t, "history", &nh, what);
    vp_id id = vp_pool_add_vm(pl, name, size, &err);
    if (id == VP_NONE)
        luaL_error(L, "%s: %s", what, err.text);
    vp_pool_set_demand(pl, id, demand);
    fill_history(L, &vp_pool_vm(pl, id)->cpu, vp_pool_history_length(pl), hist, nh);
    if (host != VP_NONE && vp_pool_allocate(pl, id, host, &err) != 0) {
        (void)vp_pool_remove_vm(pl, id, NULL);
        luaL_error(L, "%s: %s", what, err.text);
    }
    if (sampled) /* granted what it asks, as after a sample round */
        vp_pool_set_allocated(pl, id, demand);
    return id;
}

/* Pushes a new, empty plain Pool. */
static lb_pool_ud *new_plain(lua_State *L)
{
    lb_pool_ud *u = lua_newuserdatauv(L, sizeof *u, 2);
    memset(u, 0, sizeof *u);
    u->p.view = &u->own;
    u->own.writable = true;
    luaL_setmetatable(L, LB_POOL);
    lua_newtable(L);
    lua_setiuservalue(L, -2, 1);
    lua_newtable(L);
    lua_setiuservalue(L, -2, 2);
    if (!(u->own.pool = vp_pool_new()))
        luaL_error(L, "out of memory");
    u->own.open = true;
    return u;
}

typedef vp_id (*entry_fn)(lua_State *L, int pool, int t, const char *what);

/* Adds every entry of the array at field k of the table at 1. */
static void add_entries(lua_State *L, int pool, const char *k, entry_fn add)
{
    char what[64];
    int type = lua_getfield(L, 1, k);
    if (type != LUA_TNIL && type != LUA_TTABLE)
        luaL_error(L, "vmpilot.pool: field '%s' must be an array", k);
    size_t n = type == LUA_TTABLE ? lua_rawlen(L, -1) : 0;
    for (size_t i = 1; i <= n; i++) {
        int top = lua_gettop(L);
        snprintf(what, sizeof what, "vmpilot.pool: %s[%d]", k, (int)i);
        if (lua_rawgeti(L, -1, (lua_Integer)i) != LUA_TTABLE)
            luaL_error(L, "%s must be a table", what);
        add(L, pool, top + 1, what);
        lua_settop(L, top);
    }
    lua_pop(L, 1);
}

/* vmpilot.pool{history_length = 30, hosts = {...}, vms = {...}}. */
static int pool_new(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    check_keys(L, 1, POOL_KEYS, "vmpilot.pool");
    lb_pool_ud *u = new_plain(L);
    double len = num_field(L, 1, "history_length", 30, "vmpilot.pool");
    if (!(len >= 1 && len <= MAX_HISTORY && len == (double)(uint32_t)len))
        luaL_error(L, "vmpilot.pool: history_length must be an integer in 1..%d", MAX_HISTORY);
    vp_pool_set_history_length(u->own.pool, (uint32_t)len);
    add_entries(L, 2, "hosts", add_host_entry);
    add_entries(L, 2, "vms", add_vm_entry);
    for (vp_id h = 0; h < vp_pool_host_end(u->own.pool); h++) /* as after a sample round */
        vp_pool_set_host_allocated(u->own.pool, h, vp_pool_host(u->own.pool, h)->demand);
    lua_settop(L, 2);
    return 1;
}

/* ====== read API ====== */

/* Pushes an array of every host (or VM) proxy, in id order. */
static int push_all(lua_State *L, bool host)
{
    lb_proxy *p = topool(L);
    const vp_pool *pl = p->view->pool;
    vp_id end = host ? vp_pool_host_end(pl) : vp_pool_vm_end(pl);
    lua_Integer k = 0;
    lua_createtable(L, (int)(host ? vp_pool_host_count(pl) : vp_pool_vm_count(pl)), 0);
    for (vp_id i = 0; i < end; i++)
        if (host ? vp_pool_host(pl, i) != NULL : vp_pool_vm(pl, i) != NULL) {
            lb_push_proxy(L, host ? LB_HOST : LB_VM, p->view, 1, i, 0);
            lua_rawseti(L, -2, ++k);
        }
    return 1;
}

static int m_hosts(lua_State *L) { return push_all(L, true); }
static int m_vms(lua_State *L) { return push_all(L, false); }

/* pool:host(x) / pool:vm(x): the proxy, or nil when x names none. */
static int push_one(lua_State *L, bool host)
{
    lb_proxy *p = topool(L);
    bool typeok;
    vp_id id = lookup(L, 2, p->view, host, &typeok);
    if (!typeok)
        return luaL_typeerror(L, 2, host ? "Host, name or id" : "Vm, name or id");
    if (id == VP_NONE)
        lua_pushnil(L);
    else
        lb_push_proxy(L, host ? LB_HOST : LB_VM, p->view, 1, id, 0);
    return 1;
}

static int m_host(lua_State *L) { return push_one(L, true); }
static int m_vm(lua_State *L) { return push_one(L, false); }

/* The capacity (demand: false) or the residents' sampled demand (true)
 * summed over the hosts that are not down, in id order. */
static vp_res live_sum(const vp_pool *pl, bool demand)
{
    vp_res s = {{0}};
    for (vp_id i = 0; i < vp_pool_host_end(pl); i++) {
        const vp_host *h = vp_pool_host(pl, i);
        for (int r = 0; h && h->state != VP_HOST_DOWN && r < VP_RES_N; r++)
            s.v[r] += (demand ? h->demand : h->capacity).v[r];
    }
    return s;
}

/* VMs migrating now (each counted on its destination). */
static lua_Integer migrating(const vp_pool *pl)
{
    lua_Integer n = 0;
    for (vp_id i = 0; i < vp_pool_host_end(pl); i++) {
        const vp_host *h = vp_pool_host(pl, i);
        n += h ? (lua_Integer)h->incoming.n : 0;
    }
    return n;
}

#define FIELD(f, push, expr) LB_GETTER(vp_pool, pl, f, push, expr)

FIELD(capacity, lb_push_res, live_sum(pl, false))
FIELD(demand, lb_push_res, live_sum(pl, true))
FIELD(migrating, lua_pushinteger, migrating(pl))

FIELD(free, lb_push_res, vp_pool_free_total(pl))
FIELD(reservation, lb_push_res, vp_pool_reservation(pl))
FIELD(host_count, lua_pushinteger, (lua_Integer)vp_pool_host_count(pl))
FIELD(vm_count, lua_pushinteger, (lua_Integer)vp_pool_vm_count(pl))
FIELD(history_length, lua_pushinteger, vp_pool_history_length(pl))

/* ====== plain-only mutators ====== */

/* true, or raises "what: <the pool's reason>". */
static int result(lua_State *L, int rc, const vp_err *err, const char *what)
{
    if (rc != 0)
        return luaL_error(L, "%s: %s", what, err->text);
    lua_pushboolean(L, 1);
    return 1;
}

/* pool:<what>{...}: adds the entry at 2 with add; returns its proxy. */
static int add_one(lua_State *L, entry_fn add, const char *cls, const char *what)
{
    lb_pool_ud *u = toplain(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    vp_id id = add(L, 1, 2, what);
    lb_push_proxy(L, cls, &u->own, 1, id, 0);
    return 1;
}

static int m_add_host(lua_State *L) { return add_one(L, add_host_entry, LB_HOST, "add_host"); }
static int m_add_vm(lua_State *L) { return add_one(L, add_vm_entry, LB_VM, "add_vm"); }

typedef int (*vm_host_op)(vp_pool *pool, vp_id vm, vp_id host, vp_err *err);

/* pool:<what>(vm, host) for an operation on a VM and a host. */
static int vm_host_call(lua_State *L, vm_host_op op, const char *what)
{
    vp_err err = {0};
    vp_pool *pl = toplain(L)->own.pool;
    vp_id vm = ref_arg(L, 2, false), host = ref_arg(L, 3, true);
    return result(L, op(pl, vm, host, &err), &err, what);
}

static int m_place(lua_State *L) { return vm_host_call(L, vp_pool_allocate, "place"); }
static int m_begin_migration(lua_State *L)
{
    return vm_host_call(L, vp_pool_begin_migration, "begin_migration");
}

typedef int (*vm_op)(vp_pool *pool, vp_id vm, vp_err *err);

/* pool:<what>(vm) for an operation on one VM. */
static int vm_call(lua_State *L, vm_op op, const char *what)
{
    vp_err err = {0};
    vp_pool *pl = toplain(L)->own.pool;
    return result(L, op(pl, ref_arg(L, 2, false), &err), &err, what);
}

static int m_release(lua_State *L) { return vm_call(L, vp_pool_release, "release"); }
static int m_remove_vm(lua_State *L) { return vm_call(L, vp_pool_remove_vm, "remove_vm"); }
static int m_end_migration(lua_State *L)
{
    return vm_call(L, vp_pool_end_migration, "end_migration");
}
static int m_abort_migration(lua_State *L)
{
    return vm_call(L, vp_pool_abort_migration, "abort_migration");
}

/* pool:set_demand(vm, cpu | Resources). */
static int m_set_demand(lua_State *L)
{
    vp_pool *pl = toplain(L)->own.pool;
    vp_id vm = ref_arg(L, 2, false);
    luaL_checkany(L, 3);
    vp_pool_set_demand(pl, vm, demand_at(L, 3, vp_pool_vm(pl, vm)->size, "set_demand"));
    lua_pushboolean(L, 1);
    return 1;
}

static int m_record(lua_State *L)
{
    vp_pool *pl = toplain(L)->own.pool;
    for (vp_id h = 0; h < vp_pool_host_end(pl); h++)
        vp_pool_sample_done(pl, h);
    lua_pushboolean(L, 1);
    return 1;
}

static int m_set_state(lua_State *L)
{
    vp_err err = {0};
    vp_pool *pl = toplain(L)->own.pool;
    vp_id host = ref_arg(L, 2, true);
    int s = luaL_checkoption(L, 3, NULL, HOST_STATES);
    return result(L, vp_pool_set_host_state(pl, host, (vp_host_state)s, &err), &err, "set_state");
}

static int m_set_reservation(lua_State *L)
{
    vp_err err = {0};
    vp_pool *pl = toplain(L)->own.pool;
    vp_id host = ref_arg(L, 2, true);
    luaL_checkany(L, 3);
    vp_res r = res_at(L, 3, 0, "set_reservation");
    return result(L, vp_pool_set_reservation(pl, host, r, &err), &err, "set_reservation");
}

static int m_set_pool_reservation(lua_State *L)
{
    vp_err err = {0};
    vp_pool *pl = toplain(L)->own.pool;
    luaL_checkany(L, 2);
    vp_res r = res_at(L, 2, 0, "set_pool_reservation");
    return result(L, vp_pool_set_pool_reservation(pl, r, &err), &err, "set_pool_reservation");
}

/* pool:check() -> true | false, message. */
static int m_check(lua_State *L)
{
    vp_err err = {0};
    if (vp_pool_check(toplain(L)->own.pool, &err) == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushboolean(L, 0);
    lua_pushstring(L, err.text);
    return 2;
}

/* pool:migration{vm=, to=, why="", proposed=0, asked=0} -> a Migration
 * from the VM's host to `to`, as migrate_when receives it. */
static int m_migration(lua_State *L)
{
    lb_pool_ud *u = toplain(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    check_keys(L, 2, MIG_KEYS, "migration");
    vp_id vm = ref_field(L, 2, "vm", false, true, &u->own, "migration");
    vp_id to = ref_field(L, 2, "to", true, true, &u->own, "migration");
    const vp_vm *v = vp_pool_vm(u->own.pool, vm);
    if (v->host == VP_NONE || v->host == to)
        luaL_error(L, "migration: VM '%s' is %s%s", v->name, vp_vm_state_name(v->state),
                   v->host == to ? " on that host already" : ", not on a host");
    double proposed = num_field(L, 2, "proposed", 0, "migration");
    int asked = (int)num_field(L, 2, "asked", 0, "migration");
    const char *why = str_field(L, 2, "why", false, "migration");
    plain_migration *m = lua_newuserdatauv(L, sizeof *m, 2);
    m->m = (lb_migration){vm, v->host, to, NULL, proposed, asked};
    m->p = (lb_proxy){.view = &u->own, .gen = u->own.gen, .id = vm, .mig = &m->m};
    luaL_setmetatable(L, LB_MIGRATION);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    lua_pushstring(L, why ? why : "");
    m->m.why = lua_tostring(L, -1);
    lua_setiuservalue(L, -2, 2);
    return 1;
}

/* ====== the class ====== */

static const void *resolve(lua_State *L, const lb_proxy *p) { return p->view->pool; }

static bool describe(lua_State *L, const void *self)
{
    const vp_pool *pl = ((const lb_proxy *)self)->view->pool;
    lua_pushfstring(L, "Pool(%d hosts, %d VMs)", (int)vp_pool_host_count(pl),
                    (int)vp_pool_vm_count(pl));
    return true;
}

/* Frees a plain Pool's vp_pool; the engine's Pool owns nothing. */
static int pool_gc(lua_State *L)
{
    lb_proxy *p = luaL_checkudata(L, 1, LB_POOL);
    if (p->view && p->view->writable) {
        lb_pool_ud *u = (lb_pool_ud *)p;
        vp_pool_free(u->own.pool);
        u->own.pool = NULL;
        u->own.open = false;
    }
    return 0;
}

void lb_push_pool(lua_State *L) { lb_push_proxy(L, LB_POOL, NULL, 0, 0, 0); }

static const luaL_Reg meta[] = {{"__gc", pool_gc}, {NULL, NULL}};

static const luaL_Reg methods[] = {{"hosts", m_hosts},
                                   {"vms", m_vms},
                                   {"host", m_host},
                                   {"vm", m_vm},
                                   {"add_host", m_add_host},
                                   {"add_vm", m_add_vm},
                                   {"remove_vm", m_remove_vm},
                                   {"place", m_place},
                                   {"release", m_release},
                                   {"set_demand", m_set_demand},
                                   {"record", m_record},
                                   {"begin_migration", m_begin_migration},
                                   {"end_migration", m_end_migration},
                                   {"abort_migration", m_abort_migration},
                                   {"set_state", m_set_state},
                                   {"set_reservation", m_set_reservation},
                                   {"set_pool_reservation", m_set_pool_reservation},
                                   {"check", m_check},
                                   {"migration", m_migration},
                                   {NULL, NULL}};

static const lb_field fields[] = {
    {"free", g_free},         {"reservation", g_reservation},       {"host_count", g_host_count},
    {"capacity", g_capacity}, {"demand", g_demand},                 {"migrating", g_migrating},
    {"vm_count", g_vm_count}, {"history_length", g_history_length}, {NULL, NULL}};

static const luaL_Reg module[] = {{"pool", pool_new}, {NULL, NULL}};

const lb_class lb_pool_class = {
    .name = LB_POOL,
    .meta = meta,
    .methods = methods,
    .fields = fields,
    .resolve = resolve,
    .describe = describe,
    .module = module,
    .plain_only = true,
};
