/*
 * lua_slot.c - loading a slot's script, checking it, handing state over,
 * and running one decision under the sandbox.
 *
 * Provides: lslot_load, lslot_close, lslot_hand_over, lslot_invalid,
 * lslot_decide (lua_slot.h).
 * Uses: sandbox.h, lb.h, xxhash (content hash = version), err.h.
 */
#include "lua_slot.h"

#include <jansson.h>

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

const char *const lslot_fn[VP_SLOT_N] = {"place", "balance", "reserve", "migrate_when"};

/* ====== version and name ====== */

/* The 64-bit XXH3 hash of the file's bytes, in hex. */
/* Adds the bytes of path to st; -1 if it cannot be read. */
static int hash_file(XXH3_state_t *st, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[8192];
    size_t got;
    if (!f)
        return -1;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        XXH3_64bits_update(st, buf, got);
    fclose(f);
    return 0;
}

/* The hash of path and then each module (a missing one hashes a marker). */
static int version_of(const char *path, const char (*mods)[LB_MODULE_PATH], size_t nmods, char *out,
                      size_t n, vp_err *err)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        return vp_err_set(err, "out of memory");
    XXH3_64bits_reset(st);
    int rc = hash_file(st, path);
    for (size_t i = 0; rc == 0 && i < nmods; i++) /* bytes only: folders may move */
        if (hash_file(st, mods[i]))
            XXH3_64bits_update(st, "(missing)", 9);
    if (rc == 0)
        snprintf(out, n, "%016llx", (unsigned long long)XXH3_64bits_digest(st));
    XXH3_freeState(st);
    return rc ? vp_err_set(err, "%s: cannot open the policy script", path) : 0;
}

int lslot_file_version(const char *path, char *out, size_t n, vp_err *err)
{
    return version_of(path, NULL, 0, out, n, err);
}

int lslot_version(const lslot *s, char *out, size_t n, vp_err *err)
{
    return version_of(s->path, (const char (*)[LB_MODULE_PATH])s->modules, s->nmodules, out, n, err);
}

/* After a load: the modules the script required, and the version that
 * covers them. */
static int note_modules(lslot *s, vp_err *err)
{
    const char *mods[LB_MODULES_MAX];
    s->nmodules = lb_box_modules(s->L, mods, LB_MODULES_MAX);
    for (size_t i = 0; i < s->nmodules; i++)
        snprintf(s->modules[i], sizeof s->modules[i], "%s", mods[i]);
    return lslot_version(s, s->version, sizeof s->version, err);
}

/* name = the table's `name` string, else the file's base name. */
static void read_name(lslot *s, int t)
{
    char tmp[PATH_MAX];
    lua_getfield(s->L, t, "name");
    if (lua_type(s->L, -1) == LUA_TSTRING) {
        snprintf(s->name, sizeof s->name, "%s", lua_tostring(s->L, -1));
    } else {
        snprintf(tmp, sizeof tmp, "%s", s->path);
        snprintf(s->name, sizeof s->name, "%s", basename(tmp));
    }
    lua_pop(s->L, 1);
}

/* ====== loading ====== */

/* "file:line" where the function on the stack top is defined (it may
 * live in a module the script required). */
static void where_of(lua_State *L, const lslot *s, char *out, size_t n)
{
    lua_Debug ar;
    lua_pushvalue(L, -1);
    lua_getinfo(L, ">S", &ar);
    snprintf(out, n, "%s:%d", ar.source[0] == '@' ? ar.source + 1 : s->path, ar.linedefined);
}

/* The optional function `name` of the script's table (index 1): a
 * reference in *ref and its "path:line" in where, if it is one. */
static void optional_fn(lua_State *L, lslot *s, const char *name, int *ref, char *where,
                        size_t n)
{
    if (lua_getfield(L, 1, name) == LUA_TFUNCTION) {
        where_of(L, s, where, n);
        *ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
        lua_pop(L, 1);
    }
}

/* Protected: checks the script's table (index 1) for the slot function
 * and keeps references to both; raises a message on a wrong shape. */
static int check_table(lua_State *L)
{
    lslot *s = lua_touserdata(L, 2);
    lua_settop(L, 1);
    if (!lua_istable(L, 1))
        return luaL_error(L, "%s: the script must return a table with function '%s', got %s",
                          s->path, lslot_fn[s->slot], luaL_typename(L, 1));
    if (lua_getfield(L, 1, lslot_fn[s->slot]) != LUA_TFUNCTION)
        return luaL_error(L, "%s: the returned table has no function '%s' (got %s); a %s "
                             "policy defines %s", s->path, lslot_fn[s->slot],
                          luaL_typename(L, -1), vp_slot_names[s->slot], lslot_fn[s->slot]);
    where_of(L, s, s->where, sizeof s->where);
    s->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    s->order_ref = s->batch_ref = LUA_NOREF;
    if (s->slot == VP_SLOT_PLACEMENT) { /* optional: batch order, batch placement */
        optional_fn(L, s, "order", &s->order_ref, s->order_where, sizeof s->order_where);
        optional_fn(L, s, "place_batch", &s->batch_ref, s->batch_where, sizeof s->batch_where);
    }
    read_name(s, 1);
    s->table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* Sets the fields of params (a JSON object of scalars) on the script's
 * table: the config's "params" for this slot. */
static int apply_params(lslot *s, const char *params, vp_err *err)
{
    json_error_t je;
    const char *key;
    json_t *v, *o = params ? json_loads(params, 0, &je) : NULL;
    if (!params)
        return 0;
    if (!json_is_object(o))
        return json_decref(o), vp_err_set(err, "%s: bad params: %s", s->path, je.text);
    lua_State *L = s->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->table_ref);
    json_object_foreach(o, key, v) {
        if (json_is_integer(v))
            lua_pushinteger(L, (lua_Integer)json_integer_value(v));
        else if (json_is_real(v))
            lua_pushnumber(L, json_real_value(v));
        else if (json_is_string(v))
            lua_pushstring(L, json_string_value(v));
        else
            lua_pushboolean(L, json_is_true(v));
        lua_setfield(L, -2, key);
    }
    read_name(s, lua_gettop(L)); /* params may name the policy */
    lua_pop(L, 1);
    json_decref(o);
    return 0;
}

/* Runs table.self_test() if defined: it must not raise and must not
 * return false. */
static int self_test(lslot *s, vp_err *err)
{
    lua_State *L = s->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->table_ref);
    if (lua_getfield(L, -1, "self_test") != LUA_TFUNCTION) {
        lua_pop(L, 2);
        return 0;
    }
    s->has_self_test = true;
    lb_box_set_entry(L, "self_test");
    int rc = lb_box_call(L, 0, 2, err);
    if (rc == 0 && lua_toboolean(L, -2) == 0 && !lua_isnil(L, -2))
        rc = vp_err_set(err, "%s: self_test failed: %s", s->path,
                        lua_isstring(L, -1) ? lua_tostring(L, -1) : "it returned false");
    else if (rc)
        vp_err_prefix(err, "self_test failed: ");
    lua_settop(L, 0);
    return rc;
}

int lslot_load(lslot *out, vp_slot slot, const char *path, const vp_lua_opts *o, vp_err *err)
{
    char dir[PATH_MAX];
    memset(out, 0, sizeof *out);
    out->slot = slot;
    out->table_ref = out->fn_ref = out->order_ref = out->batch_ref = LUA_NOREF;
    snprintf(out->path, sizeof out->path, "%s", path);
    snprintf(dir, sizeof dir, "%s", path);
    if (lslot_file_version(path, out->version, sizeof out->version, err))
        return -1;
    lb_box_opts bo = {o->instructions, (size_t)o->memory_mb << 20, dirname(dir), o->lib_dir};
    if (!(out->L = lb_box_new(&bo, err)))
        return -1;
    if (lb_box_dofile(out->L, path, err))
        return lslot_close(out), -1;
    lua_pushcfunction(out->L, check_table);
    lua_insert(out->L, -2);
    lua_pushlightuserdata(out->L, out);
    lb_box_set_entry(out->L, "load");
    if (lb_box_call(out->L, 2, 0, err) || apply_params(out, o->params[slot], err) ||
        self_test(out, err) || note_modules(out, err)) {
        if (!err->source[0])
            vp_err_at(err, path, 0, 0, NULL);
        return lslot_close(out), -1;
    }
    return 0;
}

void lslot_close(lslot *s)
{
    lb_box_close(s->L);
    s->L = NULL;
}

/* ====== state hand-over ====== */

/* Copies the plain value at index i of `from` onto `to`: nil, booleans,
 * numbers, strings and tables of those (no functions, userdata or
 * cycles; depth-limited). */
static int copy_value(lua_State *from, int i, lua_State *to, int depth, vp_err *err)
{
    i = lua_absindex(from, i);
    switch (lua_type(from, i)) {
    case LUA_TNIL: lua_pushnil(to); return 0;
    case LUA_TBOOLEAN: lua_pushboolean(to, lua_toboolean(from, i)); return 0;
    case LUA_TNUMBER:
        if (lua_isinteger(from, i))
            lua_pushinteger(to, lua_tointeger(from, i));
        else
            lua_pushnumber(to, lua_tonumber(from, i));
        return 0;
    case LUA_TSTRING: {
        size_t n;
        const char *str = lua_tolstring(from, i, &n);
        lua_pushlstring(to, str, n);
        return 0;
    }
    case LUA_TTABLE: break;
    default:
        return vp_err_set(err, "export_state: cannot hand over a %s (only nil, booleans, "
                               "numbers, strings and tables of those)", luaL_typename(from, i));
    }
    if (depth > 32)
        return vp_err_set(err, "export_state: tables nested deeper than 32 (a cycle?)");
    lua_newtable(to);
    lua_pushnil(from);
    while (lua_next(from, i)) {
        if (copy_value(from, -2, to, depth + 1, err) || copy_value(from, -1, to, depth + 1, err))
            return lua_pop(from, 2), -1;
        lua_rawset(to, -3);
        lua_pop(from, 1);
    }
    return 0;
}

/* Pushes table.fname of s if it is a function; returns whether it is. */
static bool push_method(lslot *s, const char *fname)
{
    lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->table_ref);
    bool is_fn = lua_getfield(s->L, -1, fname) == LUA_TFUNCTION;
    lua_remove(s->L, -2);
    if (!is_fn)
        lua_pop(s->L, 1);
    return is_fn;
}

int lslot_hand_over(lslot *from, lslot *to, vp_err *err)
{
    if (!push_method(from, "export_state"))
        return 0;
    lb_box_set_entry(from->L, "export_state");
    lb_box_set_entry(to->L, "import_state");
    if (lb_box_call(from->L, 0, 1, err))
        return vp_err_prefix(err, "export_state of the running version failed: ");
    int rc = 0;
    if (push_method(to, "import_state")) {
        rc = copy_value(from->L, -1, to->L, 0, err);
        if (rc)
            lua_pop(to->L, 1);
        else if ((rc = lb_box_call(to->L, 1, 0, err)))
            vp_err_prefix(err, "import_state of the new version failed: ");
    }
    lua_settop(from->L, 0);
    lua_settop(to->L, 0);
    return rc;
}

/* ====== decisions ====== */

int lslot_invalid(const lslot *s, vp_err *err, const char *fmt, ...)
{
    char why[VP_ERR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    bool order = s->calling && !strcmp(s->calling, "order");
    bool batch = s->calling && !strcmp(s->calling, "place_batch");
    const char *where = order ? s->order_where : batch ? s->batch_where : s->where;
    vp_err_set(err, "%s: %s returned an invalid result: %s", where,
               s->calling ? s->calling : lslot_fn[s->slot], why);
    char src[VP_ERR_SOURCE];
    const char *colon = strrchr(where, ':');
    snprintf(src, sizeof src, "%.*s", (int)(colon - where), where);
    vp_err_at(err, src, atoi(colon + 1), 0, NULL);
    return -1;
}

typedef struct call_ctx {
    lslot *s;
    int fn_ref;
    lslot_push_fn push;
    lslot_check_fn check;
    void *arg, *out;
    vp_err *err;
    int nres, rc;
} call_ctx;

/* Protected (pushing proxies, reading results and a result's
 * metamethods may all raise): pushes the slot function and its
 * arguments, calls it, and checks what it returned (c->rc). */
static int call_slot(lua_State *L)
{
    call_ctx *c = lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
    int nargs = c->push(c->s, c->arg);
    lua_call(L, nargs, c->nres);
    c->rc = c->check(c->s, c->arg, c->out, c->err);
    return 0;
}

int lslot_decide(lslot *s, vp_pool *pool, lslot_push_fn push, lslot_check_fn check, int nres,
                 void *arg, void *out, vp_err *err)
{
    return lslot_call(s, s->fn_ref, lslot_fn[s->slot], pool, push, check, nres, arg, out, err);
}

int lslot_call(lslot *s, int fn_ref, const char *fn, vp_pool *pool, lslot_push_fn push,
               lslot_check_fn check, int nres, void *arg, void *out, vp_err *err)
{
    lua_State *L = s->L;
    call_ctx c = {s, fn_ref, push, check, arg, out, err, nres, 0};
    s->calling = fn;
    lua_settop(L, 0);
    lb_view_begin(L, pool);
    lua_pushcfunction(L, call_slot);
    lua_pushlightuserdata(L, &c);
    lb_box_set_entry(L, fn);
    int rc = lb_box_call(L, 1, 0, err);
    if (rc == 0)
        rc = c.rc;
    s->calling = NULL;
    lua_settop(L, 0);
    lb_view_end(L);
    s->calls++;
    if (rc) {
        if (!err->source[0]) /* e.g. the memory ceiling: no position known */
            vp_err_prefix(err, "%s: ", s->path);
        s->errors++;
        snprintf(s->last_error, sizeof s->last_error, "%s", err->text);
    }
    return rc;
}
