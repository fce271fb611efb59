/*
 * lua_policy.h - the decision slots, implemented by Lua policy scripts.
 *
 * Provides: vp_lua_policy, a vp_policy (engine/policy.h) whose four slots
 * each run one Lua 5.4 script in its own sandboxed lua_State (the script
 * named in the config, or the shipped default for the slot), with every
 * result checked before the engine sees it; hot reload of a slot (fresh
 * state, checks, self_test, a dry run on the current pool, state handed
 * over with export_state/import_state, then the swap; on any failure the
 * old version stays); and status per slot (name, content-hash version,
 * calls, errors, last error).
 * Uses: sandbox.h, lb.h (classes), engine/policy.h, engine/pool.h, err.h.
 *
 * Script contract (see docs/policies.md): the script returns a table with
 * the slot's function — place(vm, hosts, ctx), balance(pool, ctx),
 * reserve(pool, ctx) or migrate_when(migration, pool, ctx) — and
 * optionally name, self_test(), export_state(), import_state(state).
 */
#ifndef VP_LUA_POLICY_H
#define VP_LUA_POLICY_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "policy.h"
#include "pool.h"

typedef struct vp_lua_policy vp_lua_policy;

typedef struct vp_lua_opts {
    const char *paths[VP_SLOT_N]; /* script per slot; NULL = the default */
    const char *params[VP_SLOT_N]; /* JSON object: fields set on the script's table, or NULL */
    const char *default_dir;      /* shipped policies (policies/) */
    const char *lib_dir;          /* the vmpilot Lua library (policies/lib) */
    long instructions;            /* budget per call */
    long memory_mb;               /* ceiling per slot state */
} vp_lua_opts;

/* The defaults: per-slot default scripts under default_dir. */
extern const char *const vp_lua_default_scripts[VP_SLOT_N];

/* Options from a config (paths, limits) and the built-in folders. */
void vp_lua_opts_from_config(vp_lua_opts *o, const vp_config *cfg);

/* Loads and checks every slot (compiles, returns a table with the slot's
 * function, self_test passes).  NULL with err naming the script. */
vp_lua_policy *vp_lua_policy_new(const vp_lua_opts *opts, vp_err *err) VP_WUR;
void vp_lua_policy_free(vp_lua_policy *p);

/* The slots, for vp_engine_new; stable for the policy's life. */
const vp_policy *vp_lua_policy_slots(vp_lua_policy *p);

/* Reloads one slot (or all for slot < 0) from its file; a slot whose
 * file is unchanged (same content hash) is left as it is.  pool (may be
 * NULL) is used for the dry run.  0 if a new version was swapped in and
 * none failed, 1 if nothing changed, -1 on a failure (the old version
 * keeps running and err says why). */
int vp_lua_policy_reload(vp_lua_policy *p, int slot, vp_pool *pool, vp_err *err);

/* The script file of a slot (absolute or as configured). */
const char *vp_lua_policy_path(const vp_lua_policy *p, vp_slot slot);

/* The files the running version of slot's script required (its folder's
 * modules and the vmpilot library's), in load order: a change to one
 * makes the script's version differ, so a reload takes it. */
size_t vp_lua_policy_modules(const vp_lua_policy *p, vp_slot slot, const char **out, size_t max);

typedef struct vp_lua_status {
    const char *path, *name, *version;
    uint64_t calls, errors, reloads, reload_failures;
    const char *last_error; /* "" if none */
    size_t memory;          /* bytes in the slot's state */
} vp_lua_status;

void vp_lua_policy_status(const vp_lua_policy *p, vp_slot slot, vp_lua_status *st);

/* `vmpilot policy check`: loads path in the sandbox, finds which slot
 * functions it exports, runs self_test and a dry run of each on a small
 * built-in pool; prints one line per finding to out.  0 if valid. */
int vp_lua_check_file(const char *path, const vp_lua_opts *opts, void *out_file, vp_err *err);

#endif
