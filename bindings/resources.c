/*
 * resources.c - the Resources class: an immutable (cpu, memory, disk,
 * network) value, as a full userdata holding a vp_res.
 *
 * Provides: lb_push_res/lb_check_res/lb_test_res, lb_res_keys and
 * lb_resources_class (lb.h), whose module is the constructor
 * vmpilot.Resources.
 * Uses: Lua 5.4 (lauxlib), lb.h, resources.h (vp_res_names, config.c).
 *
 * Lua API: fields cpu, memory, disk, network (read-only); + and -
 * between Resources; * by a number (either side); / by a number; unary
 * -; == (exact); <= (every component <=, within VP_RES_EPS relative to
 * the right side, as vp_res_le); < (a <= b and not b <= a: no greater
 * anywhere and smaller somewhere beyond the tolerance); tostring;
 * methods fits, over, max, min, dominant_share, is_zero, nonneg.
 */
#include "lb.h"

#include <stdio.h>

#define tores(L, i) lb_check_res(L, i)

const char *const lb_res_keys[] = {"cpu", "memory", "disk", "network", NULL};

void lb_push_res(lua_State *L, vp_res r)
{
    vp_res *u = lua_newuserdatauv(L, sizeof *u, 0);
    *u = r;
    luaL_setmetatable(L, LB_RESOURCES);
}

vp_res *lb_check_res(lua_State *L, int i) { return luaL_checkudata(L, i, LB_RESOURCES); }
vp_res *lb_test_res(lua_State *L, int i) { return lb_testudata(L, i, LB_RESOURCES); }

/* The class name (__name) or Lua type of the value at i. */
static const char *type_of(lua_State *L, int i)
{
    if (luaL_getmetafield(L, i, "__name") == LUA_TSTRING)
        return lua_tostring(L, -1); /* stays on the stack */
    return luaL_typename(L, i);
}

/* ====== fields ====== */

#define FIELD(f, push, expr) LB_GETTER(vp_res, r, f, push, expr)

FIELD(cpu, lua_pushnumber, r->v[VP_CPU])
FIELD(memory, lua_pushnumber, r->v[VP_MEM])
FIELD(disk, lua_pushnumber, r->v[VP_DISK])
FIELD(network, lua_pushnumber, r->v[VP_NET])

/* ====== metamethods ====== */

/* Both operands of a binary operator, or an error naming the operator. */
static void two_res(lua_State *L, const char *op, vp_res *a, vp_res *b)
{
    const vp_res *x = lb_test_res(L, 1), *y = lb_test_res(L, 2);
    if (!x || !y)
        luaL_error(L, "cannot %s %s and %s (both must be Resources)", op, type_of(L, 1),
                   type_of(L, 2));
    *a = *x;
    *b = *y;
}

/* a + b, a - b ...: op names it in the error for other operands. */
static int arith(lua_State *L, const char *op, vp_res (*f)(vp_res, vp_res))
{
    vp_res a, b;
    two_res(L, op, &a, &b);
    lb_push_res(L, f(a, b));
    return 1;
}

static int res_add(lua_State *L) { return arith(L, "add", vp_res_add); }
static int res_sub(lua_State *L) { return arith(L, "subtract", vp_res_sub); }

static vp_res scale(vp_res r, double k)
{
    for (int i = 0; i < VP_RES_N; i++)
        r.v[i] *= k;
    return r;
}

/* Resources * number or number * Resources. */
static int res_mul(lua_State *L)
{
    const vp_res *r = lb_test_res(L, 1);
    int num = 2;
    if (!r) {
        r = lb_test_res(L, 2);
        num = 1;
    }
    if (!r || lua_type(L, num) != LUA_TNUMBER)
        return luaL_error(L,
                          "cannot multiply %s by %s (Resources can be multiplied by a "
                          "number only)",
                          type_of(L, 1), type_of(L, 2));
    lb_push_res(L, scale(*r, lua_tonumber(L, num)));
    return 1;
}

static int res_div(lua_State *L)
{
    const vp_res *r = lb_test_res(L, 1);
    if (!r || lua_type(L, 2) != LUA_TNUMBER)
        return luaL_error(L,
                          "cannot divide %s by %s (Resources can be divided by a "
                          "number only)",
                          type_of(L, 1), type_of(L, 2));
    lb_push_res(L, scale(*r, 1 / lua_tonumber(L, 2)));
    return 1;
}

static int res_unm(lua_State *L)
{
    lb_push_res(L, scale(*tores(L, 1), -1));
    return 1;
}

static int res_eq(lua_State *L)
{
    const vp_res *a = lb_test_res(L, 1), *b = lb_test_res(L, 2);
    lua_pushboolean(L, a && b && a->v[0] == b->v[0] && a->v[1] == b->v[1] && a->v[2] == b->v[2] &&
                           a->v[3] == b->v[3]);
    return 1;
}

/* a <= b, or a < b when strict (no greater anywhere, smaller somewhere). */
static int compare(lua_State *L, bool strict)
{
    vp_res a, b;
    two_res(L, "compare", &a, &b);
    lua_pushboolean(L, vp_res_le(a, b) && !(strict && vp_res_le(b, a)));
    return 1;
}

static int res_le(lua_State *L) { return compare(L, false); }
static int res_lt(lua_State *L) { return compare(L, true); }

static bool describe(lua_State *L, const void *self)
{
    const vp_res *r = self;
    char buf[160];
    snprintf(buf, sizeof buf, "Resources{cpu=%g, memory=%g, disk=%g, network=%g}", r->v[0], r->v[1],
             r->v[2], r->v[3]);
    lua_pushstring(L, buf);
    return true;
}

/* ====== methods ====== */

static int res_fits(lua_State *L)
{
    lua_pushboolean(L, vp_res_le(*tores(L, 1), *tores(L, 2)));
    return 1;
}

static int res_over(lua_State *L)
{
    int i = vp_res_first_over(*tores(L, 1), *tores(L, 2));
    if (i < 0)
        lua_pushnil(L);
    else
        lua_pushstring(L, vp_res_names[i]);
    return 1;
}

/* Component-wise max (sign 1) or min (sign -1). */
static int pick(lua_State *L, int sign)
{
    vp_res a = *tores(L, 1), b = *tores(L, 2);
    for (int i = 0; i < VP_RES_N; i++)
        if ((b.v[i] - a.v[i]) * sign > 0)
            a.v[i] = b.v[i];
    lb_push_res(L, a);
    return 1;
}

static int res_max(lua_State *L) { return pick(L, 1); }
static int res_min(lua_State *L) { return pick(L, -1); }

/* The largest component / capacity over components whose capacity is
 * > 0, and that component's name; 0, nil when no capacity is > 0. */
static int res_dominant_share(lua_State *L)
{
    const vp_res *r = tores(L, 1), *cap = tores(L, 2);
    int best = -1;
    double share = 0;
    for (int i = 0; i < VP_RES_N; i++)
        if (cap->v[i] > 0 && (best < 0 || r->v[i] / cap->v[i] > share)) {
            best = i;
            share = r->v[i] / cap->v[i];
        }
    lua_pushnumber(L, share);
    if (best < 0)
        lua_pushnil(L);
    else
        lua_pushstring(L, vp_res_names[best]);
    return 2;
}

static int res_is_zero(lua_State *L)
{
    const vp_res *r = tores(L, 1);
    lua_pushboolean(L, r->v[0] == 0 && r->v[1] == 0 && r->v[2] == 0 && r->v[3] == 0);
    return 1;
}

static int res_nonneg(lua_State *L)
{
    lua_pushboolean(L, vp_res_nonneg(*tores(L, 1)));
    return 1;
}

/* ====== constructor ====== */

/* Resources{cpu=, memory=, disk=, network=}: missing fields are 0. */
static vp_res res_from_table(lua_State *L, int t)
{
    vp_res r = vp_res_zero();
    lb_check_keys(L, t, lb_res_keys, "Resources", " (fields are cpu, memory, disk, network)");
    for (int i = 0; i < VP_RES_N; i++) {
        int type = lua_getfield(L, t, vp_res_names[i]);
        if (type == LUA_TNUMBER)
            r.v[i] = lua_tonumber(L, -1);
        else if (type != LUA_TNIL)
            luaL_error(L, "Resources: field '%s' must be a number, got %s", vp_res_names[i],
                       luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    return r;
}

/* vmpilot.Resources{...} | vmpilot.Resources(cpu, memory, disk, network)
 * (missing arguments are 0) | vmpilot.Resources(r) (a copy). */
static int res_new(lua_State *L)
{
    vp_res r = vp_res_zero();
    if (lua_type(L, 1) == LUA_TTABLE)
        r = res_from_table(L, 1);
    else if (lb_test_res(L, 1))
        r = *lb_test_res(L, 1);
    else
        for (int i = 0; i < VP_RES_N; i++)
            r.v[i] = luaL_optnumber(L, i + 1, 0);
    lb_push_res(L, r);
    return 1;
}

/* ====== the class ====== */

static const luaL_Reg meta[] = {{"__add", res_add}, {"__sub", res_sub}, {"__mul", res_mul},
                                {"__div", res_div}, {"__unm", res_unm}, {"__eq", res_eq},
                                {"__le", res_le},   {"__lt", res_lt},   {NULL, NULL}};

static const luaL_Reg methods[] = {{"fits", res_fits},
                                   {"over", res_over},
                                   {"max", res_max},
                                   {"min", res_min},
                                   {"dominant_share", res_dominant_share},
                                   {"is_zero", res_is_zero},
                                   {"nonneg", res_nonneg},
                                   {NULL, NULL}};

static const lb_field fields[] = {
    {"cpu", g_cpu}, {"memory", g_memory}, {"disk", g_disk}, {"network", g_network}, {NULL, NULL}};

static const luaL_Reg module[] = {{"Resources", res_new}, {NULL, NULL}};

const lb_class lb_resources_class = {
    .name = LB_RESOURCES,
    .meta = meta,
    .methods = methods,
    .fields = fields,
    .describe = describe,
    .readonly = "Resources are read-only",
    .module = module,
};
