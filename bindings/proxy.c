/*
 * proxy.c - views, the proxies every Lua class reads the pool through,
 * and what every class shares.
 *
 * Provides: lb_set_view/lb_get_view, lb_view_begin/lb_view_end,
 * lb_push_proxy (with its cache), lb_check_proxy/lb_test_proxy,
 * lb_host_of/lb_vm_of; lb_new_class (metatable, __index, __newindex,
 * __tostring), lb_no_field, lb_proxy_eq; lb_check_keys (lb.h).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h.
 *
 * Registry entries.  The state's view (a light userdata) and the engine's
 * per-call proxy cache are kept in the registry under the addresses of
 * two static variables below (lua_rawgetp), not under string keys: a
 * lookup then never allocates, so lb_view_end and lb_get_view cannot
 * raise a memory error even when called outside a protected call.
 *
 * The cache.  A cache is a table {[class name] = {[key] = proxy}}, each
 * class table weak-valued (a proxy nobody holds may go; one somebody
 * holds stays the same object).  key is id * 4 + kind, so a VM's and a
 * host's History with the same id do not collide.  Engine proxies use
 * the registry cache, dropped by lb_view_begin and lb_view_end; proxies
 * of a plain-Lua Pool use the cache table that is the Pool userdata's
 * first user value.  Migration proxies are never cached.
 *
 * Owners.  A proxy made for a plain-Lua Pool holds that Pool as its user
 * value, so the Pool (which owns the view and the vp_pool) lives as long
 * as any of its proxies.  A Pool is "plain" exactly when its view is
 * writable (lb_view.writable is set only on a view a Pool owns).
 * lb_push_proxy's owner_idx may name that Pool or any proxy made from
 * it: the Pool is found through the proxy's user value.
 *
 * Classes.  A class's __index is one closure, class_index, over three
 * upvalues: a lookup table (method name -> function, field name -> its
 * lb_field as a light userdata), the lb_class, and the metatable.  A
 * field read checks the userdata once (its metatable against upvalue 3,
 * no registry lookup; then liveness for a proxy), resolves the object
 * once and calls the getter with both: one table lookup, no second check.
 */
#include "lb.h"

#include <stdint.h>
#include <string.h>

static const char VIEW_KEY = 'v';  /* registry[&VIEW_KEY] = light userdata */
static const char CACHE_KEY = 'c'; /* registry[&CACHE_KEY] = engine cache */
static const char POOL_KEY = 'p';  /* registry[&POOL_KEY] = the engine's last Pool proxy */

/* ====== views ====== */

void lb_set_view(lua_State *L, lb_view *view)
{
    lua_pushlightuserdata(L, view);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &VIEW_KEY);
}

lb_view *lb_get_view(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &VIEW_KEY);
    lb_view *v = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Setting an existing or absent key to nil never allocates. */
static void drop_cache(lua_State *L)
{
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &CACHE_KEY);
}

void lb_view_begin(lua_State *L, vp_pool *pool)
{
    lb_view *v = lb_get_view(L);
    if (!v)
        return;
    drop_cache(L);
    v->pool = pool;
    v->open = pool != NULL;
    v->writable = false;
}

void lb_view_end(lua_State *L)
{
    lb_view *v = lb_get_view(L);
    if (!v)
        return;
    v->gen++;
    v->open = false;
    v->pool = NULL;
    drop_cache(L);
}

/* ====== checking ====== */

/* Live: made under the view's current generation while it is open.  (A
 * Migration proxy's lb_migration lives exactly that long, too.) */
static bool is_live(const lb_proxy *p)
{
    const lb_view *v = p->view;
    return v && v->open && v->pool && p->gen == v->gen;
}

static int stale(lua_State *L, const char *cls)
{
    return luaL_error(L,
                      "%s proxy used after the policy call that received it ended "
                      "(keep names or ids, not proxies, across calls)",
                      cls);
}

/* The address of class cls's metatable in L's state, remembered per
 * (state, class name address) in a small direct-mapped cache: checking a
 * userdata's class is then a pointer comparison, where luaL_testudata
 * looks the name up in the registry on every call (a policy's overload
 * test checks a dozen arguments).  Metatables in the registry never move
 * or go while their state lives; lb_forget_state drops a state's entries
 * before it is closed, so a later state at the same address starts
 * afresh.  Lua runs on one thread. */
typedef struct mt_slot {
    const void *reg;
    const char *cls;
    const void *mt;
} mt_slot;

#define MT_SLOTS 64
static mt_slot mt_cache[MT_SLOTS];

static const void *class_mt(lua_State *L, const char *cls)
{
    const void *reg = lua_topointer(L, LUA_REGISTRYINDEX);
    mt_slot *s = &mt_cache[(((uintptr_t)cls >> 3) ^ ((uintptr_t)reg >> 6)) % MT_SLOTS];
    if (s->reg == reg && s->cls == cls)
        return s->mt;
    luaL_getmetatable(L, cls);
    const void *mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    if (mt)
        *s = (mt_slot){reg, cls, mt};
    return mt;
}

void lb_forget_state(lua_State *L)
{
    const void *reg = lua_topointer(L, LUA_REGISTRYINDEX);
    for (int i = 0; i < MT_SLOTS; i++)
        if (mt_cache[i].reg == reg)
            mt_cache[i] = (mt_slot){NULL, NULL, NULL};
}

void *lb_testudata(lua_State *L, int i, const char *cls)
{
    void *p = lua_touserdata(L, i);
    if (!p || !lua_getmetatable(L, i))
        return NULL;
    const void *mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    return mt == class_mt(L, cls) ? p : NULL;
}

lb_proxy *lb_test_proxy(lua_State *L, int i, const char *cls)
{
    lb_proxy *p = lb_testudata(L, i, cls);
    return p && is_live(p) ? p : NULL;
}

lb_proxy *lb_check_proxy(lua_State *L, int i, const char *cls)
{
    lb_proxy *p = lb_testudata(L, i, cls);
    if (!p)
        luaL_typeerror(L, i, cls);
    if (!is_live(p))
        stale(L, cls);
    return p;
}

const vp_host *lb_host_of(lua_State *L, const lb_proxy *p)
{
    const vp_host *h = vp_pool_host(p->view->pool, p->id);
    if (!h)
        luaL_error(L, "host id %I no longer exists", (lua_Integer)p->id);
    return h;
}

const vp_vm *lb_vm_of(lua_State *L, const lb_proxy *p)
{
    const vp_vm *v = vp_pool_vm(p->view->pool, p->id);
    if (!v)
        luaL_error(L, "VM id %I no longer exists", (lua_Integer)p->id);
    return v;
}

/* ====== owners and caches ====== */

static bool is_plain_pool(lua_State *L, int idx)
{
    const lb_proxy *p = lb_testudata(L, idx, LB_POOL);
    return p && p->view && p->view->writable;
}

/* Pushes the plain Pool that owns what is made from the value at idx
 * (the first user value of a proxy, or idx itself: a plain Pool's first
 * user value is its cache table), or nil. */
static void push_owner(lua_State *L, int idx)
{
    int type = LUA_TNIL;
    if (idx != 0 && lua_type(L, idx) == LUA_TUSERDATA)
        type = lua_getiuservalue(L, idx, 1);
    else
        lua_pushnil(L);
    if (type == LUA_TUSERDATA && is_plain_pool(L, -1))
        return;
    lua_pop(L, 1);
    if (type == LUA_TTABLE && is_plain_pool(L, idx))
        lua_pushvalue(L, idx);
    else
        lua_pushnil(L);
}

/* Pushes the engine cache, creating it on first use. */
static void push_engine_cache(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &CACHE_KEY) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &CACHE_KEY);
}

/* Pushes the class table of the cache for the owner at owner (nil: the
 * engine's, when the view is the state's own), or nil when such proxies
 * are not cached. */
static void push_class_cache(lua_State *L, bool engine_view, int owner, const char *cls)
{
    if (strcmp(cls, LB_MIGRATION) == 0 || (lua_isnil(L, owner) && !engine_view)) {
        lua_pushnil(L);
        return;
    }
    if (lua_isnil(L, owner))
        push_engine_cache(L);
    else
        lua_getiuservalue(L, owner, 1);
    if (lua_getfield(L, -1, cls) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 16);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "v");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, cls);
    }
    lua_remove(L, -2);
}

/* A new proxy userdata (owner at index owner, or nil, as user value). */
static lb_proxy *new_proxy(lua_State *L, const char *cls, lb_view *v, int owner, vp_id id,
                           uint8_t kind)
{
    lb_proxy *p = lua_newuserdatauv(L, sizeof *p, 1);
    *p = (lb_proxy){.view = v, .gen = v->gen, .id = id, .kind = kind, .mig = NULL};
    luaL_setmetatable(L, cls);
    lua_pushvalue(L, owner);
    lua_setiuservalue(L, -2, 1);
    return p;
}

/* The engine's Pool proxy (owner nil at `owner`), one per call: kept in a
 * registry slot of its own, so a call that needs no other proxy (a
 * migrate_when) makes no cache tables.  Replaced when of another view or
 * generation. */
static lb_proxy *push_engine_pool(lua_State *L, lb_view *v, int owner)
{
    lb_proxy *p = NULL;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &POOL_KEY) == LUA_TUSERDATA)
        p = lua_touserdata(L, -1);
    if (!p || p->view != v || p->gen != v->gen) {
        lua_pop(L, 1);
        p = new_proxy(L, LB_POOL, v, owner, 0, 0);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &POOL_KEY);
    }
    lua_replace(L, owner);
    return p;
}

lb_proxy *lb_push_proxy(lua_State *L, const char *cls, lb_view *view, int owner_idx, vp_id id,
                        uint8_t kind)
{
    lb_view *ev = lb_get_view(L), *v = view ? view : ev; /* the state's view; this one */
    if (!v || !v->open || !v->pool)
        luaL_error(L, "no pool to read: %s proxies exist only during a policy call", cls);
    luaL_checkstack(L, 8, "no room for a proxy");
    owner_idx = owner_idx ? lua_absindex(L, owner_idx) : 0;
    push_owner(L, owner_idx);
    int owner = lua_gettop(L);
    if (lua_isnil(L, owner) && v == ev && strcmp(cls, LB_POOL) == 0)
        return push_engine_pool(L, v, owner);
    push_class_cache(L, v == ev, owner, cls);
    lua_Integer key = (lua_Integer)id * 4 + kind;
    lb_proxy *p = NULL;
    if (!lua_isnil(L, -1) && lua_rawgeti(L, -1, key) == LUA_TUSERDATA)
        p = lua_touserdata(L, -1);
    else if (!lua_isnil(L, -1))
        lua_pop(L, 1);
    if (!p || p->gen != v->gen) {
        p = new_proxy(L, cls, v, owner, id, kind);
        if (!lua_isnil(L, owner + 1)) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, owner + 1, key);
        }
    }
    lua_replace(L, owner);
    lua_settop(L, owner);
    return p;
}

/* ====== tables of fields ====== */

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

void lb_check_keys(lua_State *L, int t, const char *const *keys, const char *what, const char *hint)
{
    int bad = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING && in_list(lua_tostring(L, -1), keys))
            continue;
        luaL_checkstack(L, 4, "too many unknown fields");
        lua_pushfstring(L, "%s'%s'", bad++ ? ", " : "", luaL_tolstring(L, -1, NULL));
        lua_remove(L, -2);
        lua_insert(L, -2); /* below the key lua_next goes on from */
    }
    if (bad) {
        lua_concat(L, bad);
        luaL_error(L, "%s: unknown field%s %s%s", what, bad > 1 ? "s" : "", lua_tostring(L, -1),
                   hint);
    }
}

/* ====== classes ====== */

int lb_no_field(lua_State *L, const char *cls)
{
    return luaL_error(L, "%s has no field '%s'", cls, luaL_tolstring(L, 2, NULL));
}

/* The class a metamethod or __index closure was made for. */
static const lb_class *class_of(lua_State *L, int upvalue)
{
    return lua_touserdata(L, lua_upvalueindex(upvalue));
}

/* The userdata at 1, checked against the metatable at upvalue 3 (what
 * luaL_checkudata does, without its registry lookup), and live if c is
 * a proxy class. */
static void *check_self(lua_State *L, const lb_class *c)
{
    void *u = lua_touserdata(L, 1);
    if (!u || !lua_getmetatable(L, 1) || !lua_rawequal(L, -1, lua_upvalueindex(3)))
        luaL_typeerror(L, 1, c->name);
    lua_pop(L, 1);
    if (c->resolve && !is_live(u))
        stale(L, c->name);
    return u;
}

static int call_getter(lua_State *L, const lb_class *c, void *self, lb_getter get)
{
    if (!c->resolve)
        return get(L, NULL, self);
    return get(L, self, c->resolve(L, self));
}

/* Upvalues: 1 the lookup table, 2 the class, 3 its metatable. */
static int class_index(lua_State *L)
{
    const lb_class *c = class_of(L, 2);
    void *self = check_self(L, c);
    lua_pushvalue(L, 2);
    int type = lua_rawget(L, lua_upvalueindex(1));
    if (type == LUA_TLIGHTUSERDATA)
        return call_getter(L, c, self, ((const lb_field *)lua_touserdata(L, -1))->get);
    if (type != LUA_TNIL)
        return 1; /* a method */
    if (c->miss)
        return call_getter(L, c, self, c->miss);
    return lb_no_field(L, c->name);
}

static int class_newindex(lua_State *L)
{
    const lb_class *c = class_of(L, 1);
    if (c->readonly)
        return luaL_error(L, "%s", c->readonly);
    return luaL_error(L, "%s is read-only (cannot set field '%s')", c->name,
                      luaL_tolstring(L, 2, NULL));
}

static int class_tostring(lua_State *L)
{
    const lb_class *c = class_of(L, 1);
    const void *self = c->resolve ? lb_test_proxy(L, 1, c->name) : luaL_checkudata(L, 1, c->name);
    if (!self || !c->describe(L, self))
        lua_pushfstring(L, "%s(expired)", c->name);
    return 1;
}

int lb_proxy_eq(lua_State *L)
{
    const char *cls = class_of(L, 1)->name;
    const lb_proxy *a = lb_testudata(L, 1, cls), *b = lb_testudata(L, 2, cls);
    lua_pushboolean(L, a && b && a->view == b->view && a->id == b->id);
    return 1;
}

/* Sets the functions l in the table at -1, each with upvalue c. */
static void set_class_funcs(lua_State *L, const lb_class *c, const luaL_Reg *l)
{
    lua_pushlightuserdata(L, (void *)c);
    luaL_setfuncs(L, l, 1);
}

/* Pushes c's lookup table: methods, then fields as light userdata. */
static void push_lookup(lua_State *L, const lb_class *c)
{
    lua_newtable(L);
    if (c->methods)
        luaL_setfuncs(L, c->methods, 0);
    for (const lb_field *f = c->fields; f && f->name; f++) {
        lua_pushlightuserdata(L, (void *)f);
        lua_setfield(L, -2, f->name);
    }
}

static int lookup_miss(lua_State *L)
{
    return lb_no_field(L, ((const lb_class *)lua_touserdata(L, lua_upvalueindex(1)))->name);
}

/* The lookup table at -1 of a class with methods only, made its
 * __index: a method is one table read; any other key raises (through the
 * table's own __index). */
static void push_miss(lua_State *L, const lb_class *c)
{
    lua_createtable(L, 0, 1);
    lua_pushlightuserdata(L, (void *)c);
    lua_pushcclosure(L, lookup_miss, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
}

void lb_new_class(lua_State *L, const lb_class *c)
{
    static const luaL_Reg std[] = {
        {"__newindex", class_newindex}, {"__tostring", class_tostring}, {NULL, NULL}};
    luaL_newmetatable(L, c->name);
    set_class_funcs(L, c, std);
    if (c->meta)
        set_class_funcs(L, c, c->meta);
    push_lookup(L, c);
    if (c->index) {
        lua_pushcclosure(L, c->index, 1);
    } else if (!c->fields && !c->miss) { /* methods only: a plain table */
        push_miss(L, c);
    } else {
        lua_pushlightuserdata(L, (void *)c);
        lua_pushvalue(L, -3);
        lua_pushcclosure(L, class_index, 3);
    }
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, c->name);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}
