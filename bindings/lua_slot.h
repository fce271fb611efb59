/*
 * lua_slot.h - one decision slot run by one Lua script (internal to
 * bindings/: lua_slot.c loads and checks, lua_policy.c calls).
 */
#ifndef VP_LUA_SLOT_H
#define VP_LUA_SLOT_H

#include <limits.h>

#include "lua_policy.h"
#include "sandbox.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* The function each slot's script must export. */
extern const char *const lslot_fn[VP_SLOT_N];

typedef struct lslot {
    vp_slot slot;
    char path[PATH_MAX];
    char name[96];
    char version[20];          /* content hash of the script and its modules, 16 hex digits */
    char modules[LB_MODULES_MAX][LB_MODULE_PATH]; /* the files it required, in load order */
    size_t nmodules;
    char where[PATH_MAX + 16]; /* "path:line" of the slot function */
    char order_where[PATH_MAX + 16]; /* "path:line" of order(), if any */
    char batch_where[PATH_MAX + 16]; /* "path:line" of place_batch(), if any */
    bool has_self_test;
    lua_State *L;
    int table_ref, fn_ref;
    int order_ref; /* placement's optional order(vms, ctx), or LUA_NOREF */
    int batch_ref; /* placement's optional place_batch(vms, hosts, ctx), or LUA_NOREF */
    const char *calling; /* the function being called (for result errors) */
    uint64_t calls, errors, reloads, reload_failures;
    char last_error[VP_ERR_TEXT];
} lslot;

/* Loads path for slot into a fresh sandbox (out->L etc.): the script
 * must return a table with the slot's function; self_test, if present,
 * must pass.  Counters are left zero.  -1 with err on failure. */
int lslot_load(lslot *out, vp_slot slot, const char *path, const vp_lua_opts *o, vp_err *err);
void lslot_close(lslot *s);

/* The version of a script file: the XXH3-64 hash of its bytes, in hex. */
int lslot_file_version(const char *path, char *out, size_t n, vp_err *err);

/* The version of s's script together with the modules it required when it
 * was loaded (their bytes, in load order; a missing module counts as
 * changed): what decides whether a reload has anything new. */
int lslot_version(const lslot *s, char *out, size_t n, vp_err *err);

/* Calls the slot function on pool as a decision would, checks the result
 * (balance moves also with the engine's checks) and discards it.  0 ran,
 * 1 skipped (no pool, or nothing in it to ask about), -1 failed. */
int lslot_dry_run(lslot *s, vp_pool *pool, vp_err *err);

/* Hands state from the old version to the new (export_state ->
 * import_state) when they define those functions. */
int lslot_hand_over(lslot *from, lslot *to, vp_err *err);

/* Formats "<where>: <fn> returned an invalid result: <why>" into err. */
int lslot_invalid(const lslot *s, vp_err *err, const char *fmt, ...) VP_PRINTF(3, 4);

/* One decision: the slot function with the arguments pushed by push,
 * results checked by check; view opened on pool for the call.  Counts
 * calls and errors and keeps the last error. */
typedef int (*lslot_push_fn)(lslot *s, void *arg);
typedef int (*lslot_check_fn)(lslot *s, void *arg, void *out, vp_err *err);
int lslot_decide(lslot *s, vp_pool *pool, lslot_push_fn push, lslot_check_fn check, int nres,
                 void *arg, void *out, vp_err *err);

/* The same for another function of the script (fn_ref, named fn). */
int lslot_call(lslot *s, int fn_ref, const char *fn, vp_pool *pool, lslot_push_fn push,
               lslot_check_fn check, int nres, void *arg, void *out, vp_err *err);

#endif
