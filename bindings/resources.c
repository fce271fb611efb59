/*
 * resources.c - the Resources class: an immutable (cpu, memory, disk,
 * network) value, as a full userdata holding a vp_res.
 *
 * Provides: lb_push_res/lb_check_res/lb_test_res and lb_open_resources
 * (lb.h); the constructor vmpilot.Resources (left in the metatable's
 * __module table for lb_open_vmpilot to copy).
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
#include <string.h>

#define tores(L, i) lb_check_res(L, i)

void lb_push_res(lua_State *L, vp_res r)
{
    vp_res *u = lua_newuserdatauv(L, sizeof *u, 0);
    *u = r;
    luaL_setmetatable(L, LB_RESOURCES);
}

vp_res *lb_check_res(lua_State *L, int i) { return luaL_checkudata(L, i, LB_RESOURCES); }
vp_res *lb_test_res(lua_State *L, int i) { return luaL_testudata(L, i, LB_RESOURCES); }

/* The class name (__name) or Lua type of the value at i. */
static const char *type_of(lua_State *L, int i)
{
    if (luaL_getmetafield(L, i, "__name") == LUA_TSTRING)
        return lua_tostring(L, -1); /* stays on the stack */
    return luaL_typename(L, i);
}

/* Index of a resource name (cpu, memory, disk, network), or -1. */
static int res_kind(lua_State *L, int i)
{
    const char *k = lua_type(L, i) == LUA_TSTRING ? lua_tostring(L, i) : "";
    for (int r = 0; r < VP_RES_N; r++)
        if (strcmp(k, vp_res_names[r]) == 0)
            return r;
    return -1;
}

/* ====== metamethods ====== */

static int res_index(lua_State *L)
{
    const vp_res *r = tores(L, 1);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    int k = res_kind(L, 2);
    if (k < 0)
        return luaL_error(L, "Resources has no field '%s'", luaL_tolstring(L, 2, NULL));
    lua_pushnumber(L, r->v[k]);
    return 1;
}

static int res_newindex(lua_State *L) { return luaL_error(L, "Resources are read-only"); }

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

static int res_add(lua_State *L)
{
    vp_res a, b;
    two_res(L, "add", &a, &b);
    lb_push_res(L, vp_res_add(a, b));
    return 1;
}

static int res_sub(lua_State *L)
{
    vp_res a, b;
    two_res(L, "subtract", &a, &b);
    lb_push_res(L, vp_res_sub(a, b));
    return 1;
}

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

static int res_le(lua_State *L)
{
    vp_res a, b;
    two_res(L, "compare", &a, &b);
    lua_pushboolean(L, vp_res_le(a, b));
    return 1;
}

static int res_lt(lua_State *L)
{
    vp_res a, b;
    two_res(L, "compare", &a, &b);
    lua_pushboolean(L, vp_res_le(a, b) && !vp_res_le(b, a));
    return 1;
}

static int res_tostring(lua_State *L)
{
    const vp_res *r = tores(L, 1);
    char buf[160];
    snprintf(buf, sizeof buf, "Resources{cpu=%g, memory=%g, disk=%g, network=%g}", r->v[0], r->v[1],
             r->v[2], r->v[3]);
    lua_pushstring(L, buf);
    return 1;
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

/* Raises naming every key of table t that is not a resource name. */
static void check_res_keys(lua_State *L, int t)
{
    int bad = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (res_kind(L, -1) >= 0)
            continue;
        luaL_checkstack(L, 4, "too many unknown fields");
        lua_pushfstring(L, "%s'%s'", bad++ ? ", " : "", luaL_tolstring(L, -1, NULL));
        lua_remove(L, -2);
        lua_insert(L, -2); /* below the key lua_next goes on from */
    }
    if (bad) {
        lua_concat(L, bad);
        luaL_error(L, "Resources: unknown field%s %s (fields are cpu, memory, disk, network)",
                   bad > 1 ? "s" : "", lua_tostring(L, -1));
    }
}

/* Resources{cpu=, memory=, disk=, network=}: missing fields are 0. */
static vp_res res_from_table(lua_State *L, int t)
{
    vp_res r = vp_res_zero();
    check_res_keys(L, t);
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

/* ====== registration ====== */

static const luaL_Reg meta[] = {{"__newindex", res_newindex},
                                {"__add", res_add},
                                {"__sub", res_sub},
                                {"__mul", res_mul},
                                {"__div", res_div},
                                {"__unm", res_unm},
                                {"__eq", res_eq},
                                {"__le", res_le},
                                {"__lt", res_lt},
                                {"__tostring", res_tostring},
                                {NULL, NULL}};

static const luaL_Reg methods[] = {{"fits", res_fits},
                                   {"over", res_over},
                                   {"max", res_max},
                                   {"min", res_min},
                                   {"dominant_share", res_dominant_share},
                                   {"is_zero", res_is_zero},
                                   {"nonneg", res_nonneg},
                                   {NULL, NULL}};

void lb_open_resources(lua_State *L)
{
    luaL_newmetatable(L, LB_RESOURCES);
    luaL_setfuncs(L, meta, 0);
    luaL_newlibtable(L, methods);
    luaL_setfuncs(L, methods, 0);
    lua_pushcclosure(L, res_index, 1);
    lua_setfield(L, -2, "__index");
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, res_new);
    lua_setfield(L, -2, "Resources");
    lua_setfield(L, -2, "__module");
    lua_pushliteral(L, LB_RESOURCES);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}
