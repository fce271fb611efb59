/*
 * series.c - the Series class: a read-only array of numbers held in C.
 *
 * Provides: lb_series_class, lb_push_series, lb_test_series,
 * lb_push_numbers (lb.h).
 * Uses: Lua 5.4 (lauxlib), lb.h.
 *
 * What Plan:history returns: building it costs one allocation instead of
 * a table and a store per value, and vmpilot.stats reads it without a
 * Lua lookup per value (the consolidation detectors call it for every
 * host a placement search would pick).  Reading: #s, s[i] (1-based, nil
 * outside 1..#s), s:values() (a table), s:reversed([n]) (a Series of the
 * first n values - all by default - in reverse order), s:sorted() (a
 * Series in ascending order).  ipairs works (it goes through __index).
 */
#include "lb.h"


typedef struct lb_series {
    size_t n;
    double x[];
} lb_series;

double *lb_push_series(lua_State *L, size_t n)
{
    lb_series *s = lua_newuserdatauv(L, sizeof *s + n * sizeof(double), 0);
    s->n = n;
    luaL_setmetatable(L, LB_SERIES);
    return s->x;
}

const double *lb_test_series(lua_State *L, int i, size_t *n)
{
    const lb_series *s = lb_testudata(L, i, LB_SERIES);
    if (!s)
        return NULL;
    *n = s->n;
    return s->x;
}

static const lb_series *check(lua_State *L, int i)
{
    const lb_series *s = lb_testudata(L, i, LB_SERIES);
    if (!s)
        luaL_typeerror(L, i, LB_SERIES);
    return s;
}

static int s_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check(L, 1)->n);
    return 1;
}

/* s[i] for an integer i, else a method (upvalue 1: the methods). */
static int s_index(lua_State *L)
{
    const lb_series *s = check(L, 1);
    int exact = 0;
    lua_Integer i = lua_type(L, 2) == LUA_TNUMBER ? lua_tointegerx(L, 2, &exact) : 0;
    if (exact) {
        if (i >= 1 && (size_t)i <= s->n)
            lua_pushnumber(L, s->x[i - 1]);
        else
            lua_pushnil(L);
        return 1;
    }
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    if (lua_type(L, 2) == LUA_TNUMBER)
        return lua_pushnil(L), 1; /* s[1.5] */
    return lb_no_field(L, LB_SERIES);
}

void lb_push_numbers(lua_State *L, const double *x, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, x[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static int m_values(lua_State *L)
{
    const lb_series *s = check(L, 1);
    lb_push_numbers(L, s->x, s->n);
    return 1;
}

static int m_reversed(lua_State *L)
{
    const lb_series *s = check(L, 1);
    lua_Integer n = luaL_optinteger(L, 2, (lua_Integer)s->n);
    luaL_argcheck(L, n >= 0 && (size_t)n <= s->n, 2, "n must be 0..#s");
    double *y = lb_push_series(L, (size_t)n);
    for (lua_Integer i = 0; i < n; i++)
        y[i] = s->x[n - 1 - i];
    return 1;
}

static int m_sorted(lua_State *L)
{
    const lb_series *s = check(L, 1);
    double *y = lb_push_series(L, s->n);
    for (size_t i = 0; i < s->n; i++)
        y[i] = s->x[i];
    lb_sort_doubles(y, s->n);
    return 1;
}

static bool describe(lua_State *L, const void *self)
{
    lua_pushfstring(L, "Series(%d values)", (int)((const lb_series *)self)->n);
    return true;
}

static const luaL_Reg meta[] = {{"__len", s_len}, {NULL, NULL}};
static const luaL_Reg methods[] = {
    {"values", m_values}, {"reversed", m_reversed}, {"sorted", m_sorted}, {NULL, NULL}};

const lb_class lb_series_class = {
    .name = LB_SERIES,
    .meta = meta,
    .methods = methods,
    .index = s_index,
    .describe = describe,
    .readonly = "Series is read-only",
};
