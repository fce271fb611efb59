/*
 * migration.c - the Migration class: the proposed migration a
 * migrate_when call is about.
 *
 * Provides: lb_migration_class and lb_push_migration (lb.h).
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

/* Pushes a proxy of class cls for id, made from the Migration p at 1. */
static int push_ref(lua_State *L, const lb_proxy *p, const char *cls, vp_id id)
{
    lb_push_proxy(L, cls, p->view, 1, id, 0);
    return 1;
}

/* ====== fields ====== */

static int g_vm(lua_State *L, const lb_proxy *p, const void *obj)
{
    return push_ref(L, p, LB_VM, p->mig->vm);
}

static int g_from(lua_State *L, const lb_proxy *p, const void *obj)
{
    return push_ref(L, p, LB_HOST, p->mig->from);
}

static int g_to(lua_State *L, const lb_proxy *p, const void *obj)
{
    return push_ref(L, p, LB_HOST, p->mig->to);
}

#define FIELD(f, push, expr) LB_GETTER(lb_migration, m, f, push, expr)

FIELD(why, lua_pushstring, m->why ? m->why : "")
FIELD(proposed, lua_pushnumber, m->proposed)
FIELD(asked, lua_pushinteger, m->asked)

/* ====== the class ====== */

static const void *resolve(lua_State *L, const lb_proxy *p) { return p->mig; }

static bool describe(lua_State *L, const void *self)
{
    const lb_proxy *p = self;
    const vp_pool *pl = p->view->pool;
    const vp_vm *v = vp_pool_vm(pl, p->mig->vm);
    const vp_host *a = vp_pool_host(pl, p->mig->from), *b = vp_pool_host(pl, p->mig->to);
    if (v && a && b)
        lua_pushfstring(L, "Migration(%s: %s -> %s)", v->name, a->name, b->name);
    return v && a && b;
}

void lb_push_migration(lua_State *L, const lb_migration *m)
{
    lb_proxy *p = lb_push_proxy(L, LB_MIGRATION, NULL, 0, m->vm, 0);
    p->mig = m;
}

static const lb_field fields[] = {{"vm", g_vm},   {"from", g_from},         {"to", g_to},
                                  {"why", g_why}, {"proposed", g_proposed}, {"asked", g_asked},
                                  {NULL, NULL}};

const lb_class lb_migration_class = {
    .name = LB_MIGRATION,
    .fields = fields,
    .resolve = resolve,
    .describe = describe,
};
