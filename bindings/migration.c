/*
 * migration.c - the Migration class: the proposed migration a
 * migrate_when call is about.
 *
 * Provides: lb_open_migration and lb_push_migration (lb.h).
 * Uses: Lua 5.4 (lauxlib), lb.h.
 *
 * A Migration is a proxy whose mig points at the engine's lb_migration,
 * valid only while the view's generation matches (the call it was
 * passed to); plain-Lua Pools make their own (pool:migration{}, pool.c).
 * Lua API: fields vm (Vm), from, to (Host), why (the balance policy's
 * reason), proposed (when it was proposed, clock seconds), asked (how
 * many times migrate_when was asked about it before).  Read-only.
 */
#include "lb.h"

#define tomig(L) (lb_check_proxy(L, 1, LB_MIGRATION)->mig)

/* Pushes a proxy of class cls for id, made from the Migration at 1. */
static int push_ref(lua_State *L, const char *cls, vp_id id)
{
    lb_push_proxy(L, cls, lb_check_proxy(L, 1, LB_MIGRATION)->view, 1, id, 0);
    return 1;
}

static int g_vm(lua_State *L) { return push_ref(L, LB_VM, tomig(L)->vm); }
static int g_from(lua_State *L) { return push_ref(L, LB_HOST, tomig(L)->from); }
static int g_to(lua_State *L) { return push_ref(L, LB_HOST, tomig(L)->to); }

static int g_why(lua_State *L)
{
    lua_pushstring(L, tomig(L)->why ? tomig(L)->why : "");
    return 1;
}

static int g_proposed(lua_State *L)
{
    lua_pushnumber(L, tomig(L)->proposed);
    return 1;
}

static int g_asked(lua_State *L)
{
    lua_pushinteger(L, tomig(L)->asked);
    return 1;
}

/* Fields (upvalue 1: name -> getter). */
static int mig_index(lua_State *L)
{
    (void)tomig(L);
    lua_settop(L, 2);
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    lua_CFunction get = lua_tocfunction(L, -1);
    if (!get)
        return luaL_error(L, "Migration has no field '%s'", luaL_tolstring(L, 2, NULL));
    lua_settop(L, 2);
    return get(L);
}

static int mig_newindex(lua_State *L)
{
    return luaL_error(L, "Migration is read-only (cannot set field '%s')",
                      luaL_tolstring(L, 2, NULL));
}

static int mig_tostring(lua_State *L)
{
    const lb_proxy *p = lb_test_proxy(L, 1, LB_MIGRATION);
    const vp_pool *pl = p ? p->view->pool : NULL;
    const vp_vm *v = pl ? vp_pool_vm(pl, p->mig->vm) : NULL;
    const vp_host *a = pl ? vp_pool_host(pl, p->mig->from) : NULL;
    const vp_host *b = pl ? vp_pool_host(pl, p->mig->to) : NULL;
    if (v && a && b)
        lua_pushfstring(L, "Migration(%s: %s -> %s)", v->name, a->name, b->name);
    else
        lua_pushliteral(L, "Migration(expired)");
    return 1;
}

void lb_push_migration(lua_State *L, const lb_migration *m)
{
    lb_proxy *p = lb_push_proxy(L, LB_MIGRATION, NULL, 0, m->vm, 0);
    p->mig = m;
}

static const luaL_Reg meta[] = {
    {"__newindex", mig_newindex}, {"__tostring", mig_tostring}, {NULL, NULL}};

static const luaL_Reg fields[] = {{"vm", g_vm},   {"from", g_from},         {"to", g_to},
                                  {"why", g_why}, {"proposed", g_proposed}, {"asked", g_asked},
                                  {NULL, NULL}};

void lb_open_migration(lua_State *L)
{
    luaL_newmetatable(L, LB_MIGRATION);
    luaL_setfuncs(L, meta, 0);
    luaL_newlibtable(L, fields);
    luaL_setfuncs(L, fields, 0);
    lua_pushcclosure(L, mig_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, LB_MIGRATION);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}
