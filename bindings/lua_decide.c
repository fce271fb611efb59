/*
 * lua_decide.c - the four slots' calls into Lua: the arguments each slot
 * function gets and the checks on what it returns, plus the dry runs
 * used by reload and `policy check`.
 *
 * Provides: lslot_place, lslot_balance, lslot_reserve, lslot_when
 * (lua_decide.h) and lslot_dry_run (lua_slot.h).
 * Uses: lua_slot.h, lb.h (proxies, Resources, Reservation), pool.h.
 */
#include "lua_decide.h"

#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The class name of one of our objects (Host, Vm, ...), else Lua's type
 * name.  Reads the metatable raw: no metamethod runs. */
static const char *type_name(lua_State *L, int i)
{
    const char *name = NULL;
    if (lua_getmetatable(L, i)) {
        lua_pushliteral(L, "__name");
        if (lua_rawget(L, -2) == LUA_TSTRING)
            name = lua_tostring(L, -1); /* the metatable keeps the string alive */
        lua_pop(L, 2);
    }
    return name ? name : luaL_typename(L, i);
}

/* ctx = {now = seconds, interval = seconds} */
static void push_ctx(lua_State *L, const vp_decision_ctx *dc)
{
    lua_createtable(L, 0, 2);
    lua_pushnumber(L, dc->now);
    lua_setfield(L, -2, "now");
    lua_pushnumber(L, dc->interval);
    lua_setfield(L, -2, "interval");
}

/* The optional reason at index i: a string or nil. */
static int get_reason(lslot *s, int i, char *out, size_t n, const char *dflt, vp_err *err)
{
    lua_State *L = s->L;
    if (lua_isnoneornil(L, i))
        return snprintf(out, n, "%s", dflt), 0;
    if (lua_type(L, i) != LUA_TSTRING)
        return lslot_invalid(s, err, "the reason (value %d) must be a string, got %s", i,
                             type_name(L, i));
    snprintf(out, n, "%s", lua_tostring(L, i));
    return 0;
}

/* ====== place(vm, hosts, ctx) -> Host|nil, reason ====== */

/* An array of the VMs' proxies, in the order given. */
static void push_vm_list(lua_State *L, const vp_id *vms, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lb_push_proxy(L, LB_VM, NULL, 0, vms[i], 0);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static int push_place(lslot *s, void *arg)
{
    const lslot_place_args *a = arg;
    lua_State *L = s->L;
    lb_push_proxy(L, LB_VM, NULL, 0, a->vm, 0);
    lb_push_hostlist(L, a->cand, a->n);
    push_ctx(L, a->dc);
    return 3;
}

static bool among(const vp_id *ids, size_t n, vp_id id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static int check_place(lslot *s, void *arg, void *outp, vp_err *err)
{
    const lslot_place_args *a = arg;
    vp_place_result *out = outp;
    lua_State *L = s->L;
    out->host = VP_NONE;
    if (!lua_isnil(L, 1)) {
        lb_proxy *p = lb_test_proxy(L, 1, LB_HOST);
        if (!p)
            return lslot_invalid(s, err, "expected a Host from the candidates or nil, got %s",
                                 type_name(L, 1));
        if (!among(a->cand, a->n, p->id))
            return lslot_invalid(s, err, "host '%s' is not among the candidates",
                                 vp_pool_host(p->view->pool, p->id)->name);
        out->host = p->id;
    }
    return get_reason(s, 2, out->reason, sizeof out->reason,
                      out->host == VP_NONE ? "no host chosen" : "", err);
}

int lslot_place(lslot *s, vp_pool *pool, const lslot_place_args *a, vp_place_result *out,
                vp_err *err)
{
    return lslot_decide(s, pool, push_place, check_place, 2, (void *)a, out, err);
}

/* ====== balance(pool, ctx) -> {{vm=, to=, why=}, ...} ====== */

static int push_pool_ctx(lslot *s, void *arg)
{
    lb_push_pool(s->L);
    push_ctx(s->L, arg);
    return 2;
}

/* Whether k is a field of a move: vm, to or why. */
static bool move_field(const char *k)
{
    return (k[0] == 'v' && k[1] == 'm' && !k[2]) || (k[0] == 't' && k[1] == 'o' && !k[2]) ||
           (k[0] == 'w' && k[1] == 'h' && k[2] == 'y' && !k[3]);
}

static int check_move_fields(lslot *s, int t, lua_Integer i, vp_err *err)
{
    lua_State *L = s->L;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        if (!k || !move_field(k))
            return lua_pop(L, 2), lslot_invalid(s, err, "move %lld: unknown field %s%s%s "
                                                "(expected vm, to, why)", (long long)i,
                                                k ? "'" : "(a ", k ? k : type_name(L, -2),
                                                k ? "'" : " key)");
        lua_pop(L, 1);
    }
    return 0;
}

/* The move at the table on the stack top, into out. */
static int check_move(lslot *s, lua_Integer i, vp_moves *out, vp_err *err)
{
    lua_State *L = s->L;
    int t = lua_gettop(L);
    if (!lua_istable(L, t))
        return lslot_invalid(s, err, "move %lld: expected a table {vm=, to=, why=}, got %s",
                             (long long)i, type_name(L, t));
    if (check_move_fields(s, t, i, err))
        return -1;
    lua_getfield(L, t, "vm");
    lua_getfield(L, t, "to");
    lua_getfield(L, t, "why");
    lb_proxy *v = lb_test_proxy(L, t + 1, LB_VM), *h = lb_test_proxy(L, t + 2, LB_HOST);
    if (!v || !h)
        return lslot_invalid(s, err, "move %lld: '%s' must be a %s, got %s", (long long)i,
                             v ? "to" : "vm", v ? "Host" : "Vm", type_name(L, v ? t + 2 : t + 1));
    if (!lua_isnil(L, t + 3) && lua_type(L, t + 3) != LUA_TSTRING)
        return lslot_invalid(s, err, "move %lld: 'why' must be a string, got %s", (long long)i,
                             type_name(L, t + 3));
    if (vp_moves_push(out, v->id, h->id, lua_tostring(L, t + 3)))
        return vp_err_set(err, "out of memory");
    lua_settop(L, t);
    return 0;
}

static int check_balance(lslot *s, void *arg, void *outp, vp_err *err)
{
    lua_State *L = s->L;
    if (lua_isnil(L, 1))
        return 0;
    if (!lua_istable(L, 1))
        return lslot_invalid(s, err, "expected a list of moves {vm=, to=, why=} or nil, got %s",
                             type_name(L, 1));
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1), keys = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        keys++;
        lua_pop(L, 1);
    }
    if (keys != n)
        return lslot_invalid(s, err, "expected a list (keys 1..n) of moves, got a table with "
                                     "other keys");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        if (check_move(s, i, outp, err))
            return -1;
        lua_pop(L, 1);
    }
    return 0;
}

int lslot_balance(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_moves *out,
                  vp_err *err)
{
    return lslot_decide(s, pool, push_pool_ctx, check_balance, 1, (void *)dc, out, err);
}

/* ====== reserve(pool, ctx) -> Reservation|nil, reason ====== */

static int check_reserve(lslot *s, void *arg, void *outp, vp_err *err)
{
    vp_reservation *out = outp;
    lua_State *L = s->L;
    lb_reservation *r = lua_isnil(L, 1) ? NULL : lb_test_reservation(L, 1);
    if (!r && !lua_isnil(L, 1))
        return lslot_invalid(s, err, "expected a Reservation (vmpilot.Reservation()) or nil, "
                                     "got %s", type_name(L, 1));
    for (size_t i = 0; r && i < r->n; i++) {
        const vp_host *h = vp_pool_host(lb_box_view(L)->pool, r->hosts[i]);
        if (!h || r->hosts[i] >= out->n_hosts)
            return lslot_invalid(s, err, "a hold names host id %u, which does not exist",
                                 r->hosts[i]);
        if (!vp_res_nonneg(r->res[i]))
            return lslot_invalid(s, err, "negative reservation for host '%s'", h->name);
        out->per_host[r->hosts[i]] = r->res[i];
    }
    if (r && r->has_pool && !vp_res_nonneg(r->pool))
        return lslot_invalid(s, err, "negative pool reservation");
    out->pool = r && r->has_pool ? r->pool : vp_res_zero();
    return get_reason(s, 2, out->reason, sizeof out->reason, "", err);
}

int lslot_reserve(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_reservation *out,
                  vp_err *err)
{
    return lslot_decide(s, pool, push_pool_ctx, check_reserve, 2, (void *)dc, out, err);
}

/* ====== migrate_when(m, pool, ctx) -> "now"|"never"|seconds, reason ====== */

static int push_when(lslot *s, void *arg)
{
    const lslot_when_args *a = arg;
    lb_push_migration(s->L, a->m);
    lb_push_pool(s->L);
    push_ctx(s->L, a->dc);
    return 3;
}

static int check_when(lslot *s, void *arg, void *outp, vp_err *err)
{
    vp_when *out = outp;
    lua_State *L = s->L;
    const char *str = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
    if (str && !strcmp(str, "now"))
        out->kind = VP_WHEN_NOW;
    else if (str && !strcmp(str, "never"))
        out->kind = VP_WHEN_NEVER;
    else if (lua_type(L, 1) == LUA_TNUMBER && lua_tonumber(L, 1) > 0 &&
             isfinite(lua_tonumber(L, 1)))
        *out = (vp_when){.kind = VP_WHEN_LATER, .delay = lua_tonumber(L, 1)};
    else
        return lslot_invalid(s, err, "expected \"now\", \"never\" or a delay in seconds > 0, "
                                     "got %s%s%s", str ? "\"" : "", str ? str : type_name(L, 1),
                             str ? "\"" : "");
    return get_reason(s, 2, out->reason, sizeof out->reason, "", err);
}

int lslot_when(lslot *s, vp_pool *pool, const lslot_when_args *a, vp_when *out, vp_err *err)
{
    return lslot_decide(s, pool, push_when, check_when, 2, (void *)a, out, err);
}

/* ====== order(vms, ctx) -> the same VMs, in placement order ====== */

typedef struct order_args {
    vp_id *vms;
    size_t n;
    const vp_decision_ctx *dc;
} order_args;

static int push_order(lslot *s, void *arg)
{
    const order_args *a = arg;
    push_vm_list(s->L, a->vms, a->n);
    push_ctx(s->L, a->dc);
    return 2;
}

static int by_id(const void *a, const void *b)
{
    vp_id x = *(const vp_id *)a, y = *(const vp_id *)b;
    return (x > y) - (x < y);
}

/* Reads the returned list into out (n ids); -1 unless it is exactly a
 * permutation of the given VMs (sorted copy in `given`). */
static int read_order(lslot *s, const vp_id *given, size_t n, vp_id *out, vp_err *err)
{
    lua_State *L = s->L;
    if (!lua_istable(L, 1) || lua_rawlen(L, 1) != n)
        return lslot_invalid(s, err, "order must return a list of the %zu VMs it was given", n);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 1, (lua_Integer)i + 1);
        lb_proxy *v = lb_test_proxy(L, -1, LB_VM);
        lua_pop(L, 1);
        if (!v)
            return lslot_invalid(s, err, "order: item %zu is not a Vm", i + 1);
        out[i] = v->id;
    }
    vp_id *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return vp_err_set(err, "out of memory");
    memcpy(sorted, out, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_id);
    int same = memcmp(sorted, given, n * sizeof *sorted) == 0;
    free(sorted);
    return same ? 0 : lslot_invalid(s, err, "order must return each VM it was given exactly once");
}

static int check_order(lslot *s, void *arg, void *out, vp_err *err)
{
    order_args *a = arg;
    vp_id *given = malloc(2 * a->n * sizeof *given);
    if (!given)
        return vp_err_set(err, "out of memory");
    memcpy(given, a->vms, a->n * sizeof *given);
    qsort(given, a->n, sizeof *given, by_id);
    int rc = read_order(s, given, a->n, given + a->n, err);
    if (rc == 0)
        memcpy(a->vms, given + a->n, a->n * sizeof *given);
    free(given);
    return rc;
}

int lslot_order(lslot *s, vp_pool *pool, vp_id *vms, size_t n, const vp_decision_ctx *dc,
                vp_err *err)
{
    order_args a = {vms, n, dc};
    if (s->order_ref == LUA_NOREF)
        return 1;
    return lslot_call(s, s->order_ref, "order", pool, push_order, check_order, 1, &a, NULL, err);
}

/* ====== place_batch(vms, hosts, ctx) -> {Host|false, ...} [, {reason, ...}] ====== */

typedef struct batch_args {
    const lslot_batch_args *a;
    bool *is_host; /* by host id: among the hosts given */
} batch_args;

static int push_batch(lslot *s, void *arg)
{
    const lslot_batch_args *a = ((const batch_args *)arg)->a;
    push_vm_list(s->L, a->vms, a->n);
    lb_push_hostlist(s->L, a->hosts, a->nhosts);
    push_ctx(s->L, a->dc);
    return 3;
}

/* Answer i (the value on the stack top) into out. */
static int check_answer(lslot *s, const batch_args *b, size_t i, vp_place_result *out,
                        vp_err *err)
{
    lua_State *L = s->L;
    out->host = VP_NONE;
    out->reason[0] = '\0';
    if (lua_isnil(L, -1) || (lua_isboolean(L, -1) && !lua_toboolean(L, -1)))
        return 0;
    lb_proxy *p = lb_test_proxy(L, -1, LB_HOST);
    if (!p)
        return lslot_invalid(s, err, "item %zu: expected a Host, false or nil, got %s", i + 1,
                             type_name(L, -1));
    if (!b->is_host[p->id])
        return lslot_invalid(s, err, "item %zu: host '%s' is not among the hosts given", i + 1,
                             vp_pool_host(p->view->pool, p->id)->name);
    out->host = p->id;
    return 0;
}

static int check_batch(lslot *s, void *arg, void *outp, vp_err *err)
{
    const batch_args *b = arg;
    vp_place_result *out = outp;
    lua_State *L = s->L;
    if (!lua_istable(L, 1))
        return lslot_invalid(s, err, "expected a list of hosts (one per VM), got %s",
                             type_name(L, 1));
    if (!lua_isnil(L, 2) && !lua_istable(L, 2))
        return lslot_invalid(s, err, "the reasons must be a list of strings, got %s",
                             type_name(L, 2));
    for (size_t i = 0; i < b->a->n; i++) {
        lua_rawgeti(L, 1, (lua_Integer)i + 1);
        int rc = check_answer(s, b, i, &out[i], err);
        lua_pop(L, 1);
        if (rc)
            return -1;
        if (lua_isnil(L, 2))
            continue;
        int t = lua_rawgeti(L, 2, (lua_Integer)i + 1);
        if (t != LUA_TNIL && t != LUA_TSTRING)
            return lslot_invalid(s, err, "reason %zu: expected a string or nil, got %s", i + 1,
                                 type_name(L, -1));
        if (t == LUA_TSTRING)
            snprintf(out[i].reason, sizeof out[i].reason, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    return 0;
}

int lslot_place_batch(lslot *s, vp_pool *pool, const lslot_batch_args *a, vp_place_result *out,
                      vp_err *err)
{
    if (s->batch_ref == LUA_NOREF)
        return 1;
    vp_id end = vp_pool_host_end(pool);
    bool *is_host = calloc(end ? end : 1, sizeof *is_host);
    if (!is_host)
        return vp_err_set(err, "out of memory");
    for (size_t i = 0; i < a->nhosts; i++)
        is_host[a->hosts[i]] = true;
    batch_args b = {a, is_host};
    int rc = lslot_call(s, s->batch_ref, "place_batch", pool, push_batch, check_batch, 2, &b,
                        out, err);
    free(is_host);
    return rc;
}

/* ====== dry runs ====== */

/* The VM to ask placement about: a pending one as in a real call, else
 * the first VM; VP_NONE if the pool has none. */
static vp_id dry_vm(const vp_pool *pool)
{
    vp_id first = VP_NONE;
    for (vp_id v = 0; v < vp_pool_vm_end(pool); v++) {
        const vp_vm *vm = vp_pool_vm(pool, v);
        if (vm && vm->state == VP_VM_PENDING)
            return v;
        if (vm && first == VP_NONE)
            first = v;
    }
    return first;
}

/* A VM and up to 64 hosts it fits on, to ask placement about. */
static size_t dry_place_args(vp_pool *pool, vp_id *vm, vp_id *cand)
{
    size_t n = 0;
    if ((*vm = dry_vm(pool)) == VP_NONE)
        return 0;
    for (vp_id h = 0; h < vp_pool_host_end(pool) && n < 64; h++)
        if (vp_pool_host(pool, h) && vp_pool_host_fits(pool, *vm, h, NULL) == 0)
            cand[n++] = h;
    return n;
}

/* A running VM and another host, to ask migrate_when about. */
static bool dry_migration(vp_pool *pool, lb_migration *m)
{
    for (vp_id v = 0; v < vp_pool_vm_end(pool); v++) {
        const vp_vm *vm = vp_pool_vm(pool, v);
        if (!vm || vm->state != VP_VM_RUNNING)
            continue;
        for (vp_id h = 0; h < vp_pool_host_end(pool); h++)
            if (h != vm->host && vp_pool_host(pool, h)) {
                *m = (lb_migration){v, vm->host, h, "dry run", 0, 0};
                return true;
            }
    }
    return false;
}

static int dry_reserve(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_err *err)
{
    vp_reservation r = {.n_hosts = vp_pool_host_end(pool)};
    r.per_host = calloc(r.n_hosts + 1, sizeof *r.per_host);
    if (!r.per_host)
        return vp_err_set(err, "out of memory");
    int rc = lslot_reserve(s, pool, dc, &r, err);
    free(r.per_host);
    return rc;
}

/* balance, then the engine's own checks on the moves. */
static int dry_balance(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_err *err)
{
    vp_moves m = {0};
    char why[VP_ERR_TEXT];
    int rc = lslot_balance(s, pool, dc, &m, err);
    if (rc == 0 && vp_moves_check(pool, &m, why, sizeof why))
        rc = lslot_invalid(s, err, "%s", why);
    vp_moves_free(&m);
    return rc;
}

/* order() (if the script has one) on up to 64 of the pool's VMs. */
static int dry_order(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_err *err)
{
    vp_id vms[64];
    size_t n = 0;
    for (vp_id v = 0; v < vp_pool_vm_end(pool) && n < 64; v++)
        if (vp_pool_vm(pool, v))
            vms[n++] = v;
    return n > 1 ? lslot_order(s, pool, vms, n, dc, err) : 1;
}

static int dry_place(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_err *err)
{
    vp_id vm = 0, cand[64];
    vp_place_result r;
    size_t n = dry_place_args(pool, &vm, cand);
    lslot_place_args a = {vm, cand, n, dc};
    int rc = n ? lslot_place(s, pool, &a, &r, err) : 1;
    int ro = rc < 0 ? 1 : dry_order(s, pool, dc, err);
    return rc < 0 || ro < 0 ? -1 : rc;
}

int lslot_dry_run(lslot *s, vp_pool *pool, vp_err *err)
{
    vp_decision_ctx dc = {0, 0};
    if (!pool)
        return 1;
    if (s->slot == VP_SLOT_PLACEMENT)
        return dry_place(s, pool, &dc, err);
    if (s->slot == VP_SLOT_BALANCE)
        return dry_balance(s, pool, &dc, err);
    if (s->slot == VP_SLOT_RESERVATION)
        return dry_reserve(s, pool, &dc, err);
    lb_migration m;
    vp_when w;
    lslot_when_args a = {&m, &dc};
    return dry_migration(pool, &m) ? lslot_when(s, pool, &a, &w, err) : 1;
}
