/*
 * lua_check.c - `vmpilot policy check`: a policy script checked without
 * an engine.
 *
 * Provides: vp_lua_check_file (lua_policy.h).  The script is loaded in
 * the sandbox; every slot function it exports (place, balance, reserve,
 * migrate_when) is checked as a reload would check it: the script
 * returns a table with the function, self_test passes, and a dry run on
 * a small built-in pool (4 hosts, 6 VMs with histories) returns a valid
 * result.
 * Uses: lua_slot.h, sandbox.h, engine/pool.h.
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "lua_policy.h"
#include "lua_slot.h"

/* 4 hosts of 8 cpu / 16 GiB, 6 VMs of 2 cpu / 4 GiB placed 2, 2, 1, 1,
 * with 12 samples of history each; host 3 is busy. */
static vp_pool *check_pool(void)
{
    vp_pool *p = vp_pool_new();
    char name[16];
    static const vp_id at[6] = {0, 0, 1, 1, 2, 3};
    for (int h = 0; p && h < 4; h++) {
        snprintf(name, sizeof name, "host-%d", h);
        if (vp_pool_add_host(p, name, vp_res_make(8, 16384, 100, 1000), vp_res_make(1, 1, 1, 1),
                             NULL) == VP_NONE)
            return vp_pool_free(p), NULL;
    }
    for (int v = 0; p && v < 6; v++) {
        snprintf(name, sizeof name, "vm-%d", v);
        vp_id id = vp_pool_add_vm(p, name, vp_res_make(2, 4096, 10, 100), NULL);
        if (id == VP_NONE || vp_pool_allocate(p, id, at[v], NULL))
            return vp_pool_free(p), NULL;
    }
    for (int k = 0; p && k < 12; k++) {
        for (vp_id v = 0; v < 6; v++)
            vp_pool_set_demand(p, v, vp_res_make(v == 5 ? 1.9 : 0.2 + 0.1 * (k % 3), 2048, 1, 10));
        for (vp_id h = 0; h < 4; h++) /* a sample round's end, as the engine's */
            vp_pool_sample_done(p, h);
    }
    return p;
}

/* Which slot functions the script's table has; -1 if it does not load. */
static int exported(const char *path, const vp_lua_opts *o, bool has[VP_SLOT_N], vp_err *err)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    lb_box_opts bo = {o->instructions, (size_t)o->memory_mb << 20, dirname(dir), o->lib_dir};
    lua_State *L = lb_box_new(&bo, err);
    int n = 0;
    if (!L || lb_box_dofile(L, path, err))
        return lb_box_close(L), -1;
    int t = lua_gettop(L);
    for (int s = 0; s < VP_SLOT_N && lua_istable(L, t); s++) {
        has[s] = lua_getfield(L, t, lslot_fn[s]) == LUA_TFUNCTION;
        n += has[s];
        lua_settop(L, t);
    }
    lb_box_close(L);
    if (n == 0)
        return vp_err_set(err, "%s: the script must return a table with at least one of "
                               "place, balance, reserve, migrate_when", path);
    return n;
}

static int check_slot(const char *path, vp_slot s, const vp_lua_opts *o, vp_pool *pool,
                      FILE *out, vp_err *err)
{
    lslot slot;
    if (lslot_load(&slot, s, path, o, err))
        return -1;
    int rc = lslot_dry_run(&slot, pool, err);
    if (rc >= 0)
        fprintf(out, "%s: %s policy '%s' (version %s): %s at %s; %s; dry run %s\n", path,
                vp_slot_names[s], slot.name, slot.version, lslot_fn[s], slot.where,
                slot.has_self_test ? "self_test passed" : "no self_test",
                rc == 0 ? "passed" : "skipped");
    lslot_close(&slot);
    return rc < 0 ? -1 : 0;
}

int vp_lua_check_file(const char *path, const vp_lua_opts *opts, void *out_file, vp_err *err)
{
    bool has[VP_SLOT_N] = {false};
    if (exported(path, opts, has, err) < 0)
        return -1;
    vp_pool *pool = check_pool();
    if (!pool)
        return vp_err_set(err, "out of memory");
    int rc = 0;
    for (int s = 0; s < VP_SLOT_N && rc == 0; s++)
        if (has[s])
            rc = check_slot(path, (vp_slot)s, opts, pool, out_file, err);
    vp_pool_free(pool);
    return rc;
}
