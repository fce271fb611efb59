/*
 * lua_policy.c - the vp_policy whose slots are Lua scripts.
 *
 * Provides: vp_lua_policy_* (lua_policy.h): four lslots, the engine
 * trampolines that call them, reload with hand-over, status.
 * Uses: lua_slot.h, lua_decide.h, engine/policy.h, engine/config.h.
 */
#include "lua_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_decide.h"
#include "lua_slot.h"

#ifndef VP_POLICY_DIR
#define VP_POLICY_DIR "policies"
#endif

const char *const vp_lua_default_scripts[VP_SLOT_N] = {
    "placement/best_fit.lua", "balance/threshold.lua", "reservation/headroom.lua",
    "migration/limits.lua"};

struct vp_lua_policy {
    vp_policy base;  /* what the engine calls; *_ctx point at slots[] */
    lslot slots[VP_SLOT_N];
    vp_lua_opts opts;
    char default_dir[PATH_MAX], lib_dir[PATH_MAX];
};

void vp_lua_opts_from_config(vp_lua_opts *o, const vp_config *cfg)
{
    memset(o, 0, sizeof *o);
    for (int s = 0; s < VP_SLOT_N; s++)
    {
        o->paths[s] = cfg ? cfg->policy[s] : NULL;
        o->params[s] = cfg ? cfg->policy_params[s] : NULL;
    }
    o->default_dir = VP_POLICY_DIR;
    o->lib_dir = VP_POLICY_DIR "/lib";
    o->instructions = cfg ? cfg->limits.policy_instructions : 10000000;
    o->memory_mb = cfg ? cfg->limits.policy_memory_mb : 64;
}

/* ====== trampolines: engine -> Lua ====== */

static int t_place(void *ctx, const vp_pool *pool, vp_id vm, const vp_id *cand, size_t n,
                   const vp_decision_ctx *dc, vp_place_result *out, vp_err *err)
{
    lslot_place_args a = {vm, cand, n, dc};
    return lslot_place(ctx, (vp_pool *)pool, &a, out, err);
}

static int t_order(void *ctx, const vp_pool *pool, vp_id *vms, size_t n,
                   const vp_decision_ctx *dc, vp_err *err)
{
    return lslot_order(ctx, (vp_pool *)pool, vms, n, dc, err);
}

static int t_place_batch(void *ctx, const vp_pool *pool, const vp_id *vms, size_t n,
                         const vp_id *hosts, size_t nhosts, const vp_decision_ctx *dc,
                         vp_place_result *out, vp_err *err)
{
    lslot_batch_args a = {vms, n, hosts, nhosts, dc};
    return lslot_place_batch(ctx, (vp_pool *)pool, &a, out, err);
}

static int t_balance(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc, vp_moves *out,
                     vp_err *err)
{
    return lslot_balance(ctx, (vp_pool *)pool, dc, out, err);
}

static int t_reserve(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc,
                     vp_reservation *out, vp_err *err)
{
    return lslot_reserve(ctx, (vp_pool *)pool, dc, out, err);
}

static int t_when(void *ctx, const vp_pool *pool, const vp_migration_req *m,
                  const vp_decision_ctx *dc, vp_when *out, vp_err *err)
{
    lb_migration lm = {m->vm, m->from, m->to, m->why, m->proposed, m->asked};
    lslot_when_args a = {&lm, dc};
    return lslot_when(ctx, (vp_pool *)pool, &a, out, err);
}

/* Points the engine-visible id of slot s at the loaded version. */
static void publish(vp_lua_policy *p, vp_slot s)
{
    lslot *l = &p->slots[s];
    p->base.id[s] = (vp_slot_id){l->name, l->version, l->where};
}

/* ====== life cycle ====== */

static void slot_path(const vp_lua_policy *p, vp_slot s, char *out, size_t n)
{
    if (p->opts.paths[s])
        snprintf(out, n, "%s", p->opts.paths[s]);
    else if (snprintf(out, n, "%.3000s/%s", p->default_dir, vp_lua_default_scripts[s]) >= (int)n)
        out[0] = '\0'; /* cannot happen with PATH_MAX buffers; fails the load clearly */
}

static void copy_opts(vp_lua_policy *p, const vp_lua_opts *o)
{
    p->opts = *o;
    snprintf(p->default_dir, sizeof p->default_dir, "%s", o->default_dir ? o->default_dir : VP_POLICY_DIR);
    snprintf(p->lib_dir, sizeof p->lib_dir, "%s", o->lib_dir ? o->lib_dir : VP_POLICY_DIR "/lib");
    p->opts.default_dir = p->default_dir;
    p->opts.lib_dir = p->lib_dir;
    for (int s = 0; s < VP_SLOT_N; s++)
        p->opts.paths[s] = o->paths[s] ? strdup(o->paths[s]) : NULL;
}

vp_lua_policy *vp_lua_policy_new(const vp_lua_opts *opts, vp_err *err)
{
    vp_lua_policy *p = calloc(1, sizeof *p);
    char path[PATH_MAX];
    if (!p)
        return vp_err_set(err, "out of memory"), NULL;
    copy_opts(p, opts);
    for (int s = 0; s < VP_SLOT_N; s++) {
        slot_path(p, (vp_slot)s, path, sizeof path);
        if (lslot_load(&p->slots[s], (vp_slot)s, path, &p->opts, err))
            return vp_lua_policy_free(p), NULL;
        publish(p, (vp_slot)s);
    }
    p->base.place = t_place;
    p->base.order = t_order;
    p->base.place_batch = t_place_batch;
    p->base.balance = t_balance;
    p->base.reserve = t_reserve;
    p->base.migrate_when = t_when;
    p->base.place_ctx = &p->slots[VP_SLOT_PLACEMENT];
    p->base.balance_ctx = &p->slots[VP_SLOT_BALANCE];
    p->base.reserve_ctx = &p->slots[VP_SLOT_RESERVATION];
    p->base.when_ctx = &p->slots[VP_SLOT_MIGRATION];
    return p;
}

void vp_lua_policy_free(vp_lua_policy *p)
{
    if (!p)
        return;
    for (int s = 0; s < VP_SLOT_N; s++) {
        lslot_close(&p->slots[s]);
        free((char *)p->opts.paths[s]);
    }
    free(p);
}

const vp_policy *vp_lua_policy_slots(vp_lua_policy *p) { return &p->base; }

size_t vp_lua_policy_modules(const vp_lua_policy *p, vp_slot slot, const char **out, size_t max)
{
    const lslot *s = &p->slots[slot];
    size_t n = s->nmodules < max ? s->nmodules : max;
    for (size_t i = 0; i < n; i++)
        out[i] = s->modules[i];
    return n;
}

const char *vp_lua_policy_path(const vp_lua_policy *p, vp_slot slot)
{
    return p->slots[slot].path;
}

/* ====== reload ====== */

/* New version of slot s: load, hand-over, dry run, swap; the old version
 * stays on any failure.  1 (nothing done) when the file is unchanged. */
static int reload_one(vp_lua_policy *p, vp_slot s, vp_pool *pool, vp_err *err)
{
    lslot *old = &p->slots[s], fresh;
    char version[sizeof old->version];
    if (lslot_version(old, version, sizeof version, NULL) == 0 &&
        strcmp(version, old->version) == 0)
        return 1;
    if (lslot_load(&fresh, s, old->path, &p->opts, err) || lslot_hand_over(old, &fresh, err) ||
        lslot_dry_run(&fresh, pool, err) < 0) {
        if (fresh.L)
            lslot_close(&fresh);
        old->reload_failures++;
        snprintf(old->last_error, sizeof old->last_error, "reload failed: %.400s", err->text);
        return vp_err_prefix(err, "%s policy not reloaded, version %s keeps running: ",
                             vp_slot_names[s], old->version);
    }
    fresh.calls = old->calls;
    fresh.errors = old->errors;
    fresh.reloads = old->reloads + 1;
    fresh.reload_failures = old->reload_failures;
    lslot_close(old);
    *old = fresh;
    publish(p, s);
    return 0;
}

int vp_lua_policy_reload(vp_lua_policy *p, int slot, vp_pool *pool, vp_err *err)
{
    int rc = 0;
    int changed = 0;
    for (int s = 0; s < VP_SLOT_N; s++) {
        vp_err e = {0};
        int r = slot < 0 || slot == s ? reload_one(p, (vp_slot)s, pool, &e) : 1;
        if (r < 0 && rc == 0 && err)
            *err = e;
        rc = r < 0 ? -1 : rc;
        changed += r == 0;
    }
    return rc < 0 ? -1 : changed ? 0 : 1;
}

void vp_lua_policy_status(const vp_lua_policy *p, vp_slot slot, vp_lua_status *st)
{
    const lslot *l = &p->slots[slot];
    *st = (vp_lua_status){l->path, l->name, l->version, l->calls, l->errors, l->reloads,
                          l->reload_failures, l->last_error, lb_box_memory(l->L)};
}
