/*
 * lb.h - internals shared by the binding layer (the .c files of bindings/).
 *
 * Provides: the proxy representation every Lua class uses, the "view"
 * a proxy reads the C pool through, class names, lb_class (how a class
 * file describes its class; proxy.c registers it) and the class of each
 * class file.  Only bindings/ includes this (and lua.h).
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
#define LB_HOSTLIST "HostList"
#define LB_PLAN "Plan"
#define LB_SERIES "Series"

typedef struct lb_view {
    vp_pool *pool; /* the pool proxies read; NULL when none */
    uint32_t gen;  /* proxies made under another generation are stale */
    bool open;     /* false between engine calls */
    bool writable; /* set exactly on the view a plain-Lua Pool owns: Pool
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
    uint8_t kind;            /* LB_OF_VM or LB_OF_HOST (History); 0 otherwise */
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

/* Raises "what: unknown field(s) 'a', 'b'<hint>" naming every key of
 * the table at t that is not a string in keys (NULL-terminated). */
void lb_check_keys(lua_State *L, int t, const char *const *keys, const char *what,
                   const char *hint);

/* ---- Resources (value type) ---- */
void lb_push_res(lua_State *L, vp_res r);
vp_res *lb_check_res(lua_State *L, int i);
vp_res *lb_test_res(lua_State *L, int i);
/* The names of the fields, in vp_res order, then NULL. */
extern const char *const lb_res_keys[];

/* ---- classes (registered by proxy.c, described by each class file) ---- */

/* Reads one field.  The userdata is at 1 and the key at 2.  For a proxy
 * class, p is the proxy (checked once, live) and obj what the class's
 * resolve made of it (the vp_host, vp_vm ...); for a value class p is
 * NULL and obj the userdata's block.  Pushes the value, returns 1. */
typedef int (*lb_getter)(lua_State *L, const lb_proxy *p, const void *obj);

/* Defines the getter g_<f>, which pushes expr with push (lua_pushinteger,
 * lb_push_res ...); in expr, var is the object (a const T *).  Class files
 * wrap it: #define FIELD(f, push, expr) LB_GETTER(vp_host, h, f, push, expr). */
#define LB_GETTER(T, var, f, push, expr)                                                           \
    static int g_##f(lua_State *L, const lb_proxy *p, const void *obj)                             \
    {                                                                                              \
        const T *var = obj;                                                                        \
        push(L, expr);                                                                             \
        return 1;                                                                                  \
    }

typedef struct lb_field {
    const char *name;
    lb_getter get;
} lb_field;

/* A class: what lb_new_class makes its metatable from.  Every class is
 * read-only and hides its metatable (__metatable = name).  __index looks
 * the key up among methods, then fields (their names must differ), then
 * calls miss (if set) or raises "<name> has no field '<key>'". */
typedef struct lb_class {
    const char *name;        /* metatable name (LB_HOST ...) */
    const luaL_Reg *meta;    /* more metamethods (__eq, __len, __gc ...), or NULL;
                                each gets the class as upvalue 1 */
    const luaL_Reg *methods; /* or NULL */
    const lb_field *fields;  /* {NULL, NULL}-terminated, or NULL */
    /* Proxy classes (the userdata is an lb_proxy): the object a live
     * proxy names, raising if it is gone.  NULL for value classes. */
    const void *(*resolve)(lua_State *L, const lb_proxy *p);
    lb_getter miss; /* keys that are no method or field (History's h[i]) */
    /* Value classes: their own __index, called with the methods table as
     * upvalue 1 (Series: s[i] without the generic lookup), or NULL. */
    lua_CFunction index;
    /* __tostring (required): pushes the text for self (a live proxy, or
     * the value's block) and returns true; false (or a proxy not live)
     * prints "<name>(expired)". */
    bool (*describe)(lua_State *L, const void *self);
    const char *readonly;     /* __newindex message; NULL for the default
                                 "<name> is read-only (cannot set field '<key>')" */
    const luaL_Reg *module;   /* entries of the vmpilot module, or NULL */
    const char *module_table; /* if set, module goes in vmpilot[module_table] */
    bool plain_only;          /* module only for plain Lua (vmpilot.pool) */
} lb_class;

/* luaL_testudata without looking the class name up in the registry on
 * every call (see proxy.c). */
void *lb_testudata(lua_State *L, int i, const char *cls);
/* Before lua_close(L) of a state that used lb_testudata. */
void lb_forget_state(lua_State *L);

/* Creates c's metatable (registry[c->name]); c must outlive the state. */
void lb_new_class(lua_State *L, const lb_class *c);

/* Raises "<cls> has no field '<key at 2>'". */
int lb_no_field(lua_State *L, const char *cls);

/* __eq of a proxy class (in its meta): both of the class (upvalue 1),
 * same view and id. */
int lb_proxy_eq(lua_State *L);

extern const lb_class lb_resources_class, lb_history_class, lb_host_class, lb_vm_class,
    lb_pool_class, lb_migration_class, lb_reservation_class, lb_hostlist_class, lb_plan_class,
    lb_series_class;

/* Pushes a Series of n numbers and returns them to fill in. */
double *lb_push_series(lua_State *L, size_t n);
/* Pushes a table (an array) of the n numbers x[0..n). */
void lb_push_numbers(lua_State *L, const double *x, size_t n);
/* qsort's comparison of doubles: ascending, NaN after every number
 * (history.c; vmpilot.stats and Series sort with it). */
int lb_cmp_double(const void *a, const void *b);
/* Sorts x[0..n) in that order (an insertion sort for short arrays). */
void lb_sort_doubles(double *x, size_t n);
/* The numbers of the Series at i and their count, or NULL if it is none. */
const double *lb_test_series(lua_State *L, int i, size_t *n);

/* Pushes a HostList of the candidates ids[0..n) for a placement call
 * (engine view; raises when no view is open). */
void lb_push_hostlist(lua_State *L, const vp_id *ids, size_t n);
/* The host ids of the live HostList at i (NULL if it is none). */
const vp_id *lb_hostlist_ids(lua_State *L, int i, size_t *n);

/* Every class plus the `vmpilot` module table (left on the stack):
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
