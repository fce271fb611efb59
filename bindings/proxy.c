/*
 * proxy.c - views and the proxies every Lua class reads the pool through.
 *
 * Provides: lb_set_view/lb_get_view, lb_view_begin/lb_view_end,
 * lb_push_proxy (with its cache), lb_check_proxy/lb_test_proxy,
 * lb_host_of/lb_vm_of (lb.h).
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
 */
#include "lb.h"

#include <string.h>

static const char VIEW_KEY = 'v';  /* registry[&VIEW_KEY] = light userdata */
static const char CACHE_KEY = 'c'; /* registry[&CACHE_KEY] = engine cache */

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
static bool is_live(const lb_proxy *p, const char *cls)
{
    const lb_view *v = p->view;
    return v && v->open && v->pool && p->gen == v->gen;
}

lb_proxy *lb_test_proxy(lua_State *L, int i, const char *cls)
{
    lb_proxy *p = luaL_testudata(L, i, cls);
    return p && is_live(p, cls) ? p : NULL;
}

lb_proxy *lb_check_proxy(lua_State *L, int i, const char *cls)
{
    lb_proxy *p = luaL_testudata(L, i, cls);
    if (!p)
        luaL_typeerror(L, i, cls);
    if (!is_live(p, cls))
        luaL_error(L,
                   "%s proxy used after the policy call that received it ended "
                   "(keep names or ids, not proxies, across calls)",
                   cls);
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
    const lb_proxy *p = luaL_testudata(L, idx, LB_POOL);
    return p && p->view && p->view->writable;
}

/* Pushes the plain Pool that owns what is made from the value at idx
 * (idx itself, or the first user value of a proxy), or nil. */
static void push_owner(lua_State *L, int idx)
{
    if (idx != 0 && is_plain_pool(L, idx)) {
        lua_pushvalue(L, idx);
        return;
    }
    if (idx != 0 && lua_type(L, idx) == LUA_TUSERDATA) {
        lua_getiuservalue(L, idx, 1);
        if (is_plain_pool(L, -1))
            return;
        lua_pop(L, 1);
    }
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

/* Pushes the class table of the cache for (view, owner at owner), or
 * nil when proxies of view are not cached. */
static void push_class_cache(lua_State *L, const lb_view *v, int owner, const char *cls)
{
    if (strcmp(cls, LB_MIGRATION) == 0 || (lua_isnil(L, owner) && v != lb_get_view(L))) {
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

lb_proxy *lb_push_proxy(lua_State *L, const char *cls, lb_view *view, int owner_idx, vp_id id,
                        uint8_t kind)
{
    lb_view *v = view ? view : lb_get_view(L);
    if (!v || !v->open || !v->pool)
        luaL_error(L, "no pool to read: %s proxies exist only during a policy call", cls);
    luaL_checkstack(L, 8, "no room for a proxy");
    owner_idx = owner_idx ? lua_absindex(L, owner_idx) : 0;
    push_owner(L, owner_idx);
    int owner = lua_gettop(L);
    push_class_cache(L, v, owner, cls);
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
