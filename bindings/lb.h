/*
 * lb.h - internals shared by the binding layer (the .c files of bindings/).
 *
 * Provides: the proxy representation every Lua class uses, the "view"
 * a proxy reads the C pool through, class names, and the registration
 * functions of each class file.  Only bindings/ includes this (and lua.h).
 * Uses: Lua 5.4, engine/pool.h.
 *
 * Views and proxies.  A proxy (Host, Vm, History, Migration) is a small
 * full userdata {view, gen, id}; it holds no copy of pool data.  A view
 * (lb_view) says which pool proxies read and whether they may: in the
 * engine, each lua_State has one view whose generation is bumped at the
 * end of every policy call, so a proxy kept past its call fails with a
 * clear error; in plain Lua (require "vmpilot"), a Pool object owns a
 * view that stays valid while the Pool lives (proxies keep it alive).
 */
#ifndef VP_LB_H
#define VP_LB_H

#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

/* Metatable names (also the class names in error messages). */
#define LB_RESOURCES "Resources"
#define LB_HISTORY "History"
#define LB_HOST "Host"
#define LB_VM "Vm"
#define LB_POOL "Pool"
#define LB_MIGRATION "Migration"
#define LB_RESERVATION "Reservation"

typedef struct lb_view {
    vp_pool *pool;   /* the pool proxies read; NULL when none */
    uint32_t gen;    /* proxies made under another generation are stale */
    bool open;       /* false between engine calls */
    bool writable;   /* set exactly on the view a plain-Lua Pool owns: Pool
                        methods may change the pool */
} lb_view;

/* The migration a migrate_when call is about (valid during the call). */
typedef struct lb_migration {
    vp_id vm, from, to;
    const char *why;
    double proposed;
    int asked;
} lb_migration;

/* A proxy: which view, made under which generation, and what it names.
 * kind says what id refers to (a VM or a host, for History). */
typedef struct lb_proxy {
    lb_view *view;
    uint32_t gen;
    vp_id id;
    uint8_t kind; /* LB_OF_VM or LB_OF_HOST (History); 0 otherwise */
    const lb_migration *mig; /* Migration proxies only */
} lb_proxy;

enum { LB_OF_VM = 1, LB_OF_HOST = 2 };

/* ---- views ---- */

/* Engine calls: opens the state's view on pool before a policy call, and
 * closes it after (bumping the generation, so proxies handed out during
 * the call go stale, and dropping the per-call proxy cache). */
void lb_view_begin(lua_State *L, vp_pool *pool);
void lb_view_end(lua_State *L);

/* The view of the running state: stored in the Lua registry by
 * lb_set_view; proxies are created against it.  NULL if none. */
void lb_set_view(lua_State *L, lb_view *view);
lb_view *lb_get_view(lua_State *L);

/* Pushing proxies (and lb_push_pool, lb_push_migration) allocates and may
 * raise a Lua error: call them only inside a protected call. */

/* Pushes the proxy of class cls (LB_HOST ...) for id under the state's
 * view (or `view` if not NULL; then the value at index owner_idx, if
 * non-zero, is kept alive as the proxy's user value).  Within one engine
 * call, or for one plain-Lua Pool, the same object is returned for the
 * same class and id (proxies are cached), so they can be table keys. */
lb_proxy *lb_push_proxy(lua_State *L, const char *cls, lb_view *view, int owner_idx, vp_id id,
                        uint8_t kind);

/* Checks arg i is a live proxy of class cls: raises "bad argument" for a
 * wrong type and a clear error for a stale or dangling one.  Returns it. */
lb_proxy *lb_check_proxy(lua_State *L, int i, const char *cls);

/* The host / VM a live proxy names (raises if it was removed). */
const vp_host *lb_host_of(lua_State *L, const lb_proxy *p);
const vp_vm *lb_vm_of(lua_State *L, const lb_proxy *p);

/* Like lb_check_proxy but returns NULL (no error) when i is not a live
 * proxy of cls; used when validating results. */
lb_proxy *lb_test_proxy(lua_State *L, int i, const char *cls);

/* ---- Resources (value type) ---- */
void lb_push_res(lua_State *L, vp_res r);
vp_res *lb_check_res(lua_State *L, int i);
vp_res *lb_test_res(lua_State *L, int i);

/* ---- class registration: each creates its metatable ---- */
void lb_open_resources(lua_State *L);
void lb_open_history(lua_State *L);
void lb_open_host(lua_State *L);
void lb_open_vm(lua_State *L);
void lb_open_pool(lua_State *L);
void lb_open_migration(lua_State *L);
void lb_open_reservation(lua_State *L);

/* All of the above plus the `vmpilot` module table (left on the stack):
 * constructors (Resources), statistics helpers, and, when plain is true,
 * the plain-Lua constructors (vmpilot.pool{...}). */
int lb_open_vmpilot(lua_State *L, bool plain);

/* ---- Reservation (a builder policies return from reserve) ---- */
/* hosts and res are one block owned by the userdata (freed by its __gc);
 * other code must not free or reallocate them. */
typedef struct lb_reservation {
    vp_res pool;
    bool has_pool;
    size_t n, cap;
    vp_id *hosts;
    vp_res *res;
} lb_reservation;
lb_reservation *lb_test_reservation(lua_State *L, int i);

/* Pushes a Pool proxy for the state's view (engine calls). */
void lb_push_pool(lua_State *L);
/* Pushes a Migration proxy for m (valid during the call). */
void lb_push_migration(lua_State *L, const lb_migration *m);

#endif
