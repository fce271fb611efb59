/*
 * virt_world.c - the engine on libvirt hosts (see virt_world.h).
 *
 * Provides: vp_virt_world_build/_set_note_cb/_start/_free.
 * Uses: config.h, pool.h, clock.h, engine.h, driver_libvirt.h,
 * virt_events.h.
 */
#include "virt_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_libvirt.h"
#include "virt_events.h"

/* list_vms of one host during the build: the first error stops adding. */
typedef struct inventory {
    vp_virt_world *w;
    vp_id host;
    int rc;
    vp_err *err;
} inventory;

static void note(vp_virt_world *w, const char *event, vp_id vm, vp_id host, const char *reason)
{
    const vp_vm *v = vp_pool_vm(w->pool, vm);
    const vp_host *h = vp_pool_host(w->pool, host);
    if (w->note && v && h)
        w->note(w->note_ud, event, v->name, h->name, reason);
}

/* Puts the running domain vm on host: a new pool VM if the name is
 * unknown, the pool VM of that name if it is pending or stopped.  Returns
 * the VM's id (placed or left pending), VP_NONE if the name belongs to a
 * VM running or migrating elsewhere, or on a pool error (err set). */
static vp_id adopt(vp_virt_world *w, vp_id host, const vp_driver_vm_info *vm, vp_err *err)
{
    vp_id id = vp_pool_find_vm(w->pool, vm->name);
    if (id == VP_NONE) {
        id = vp_pool_add_vm(w->pool, vm->name, vm->size, err);
        if (id == VP_NONE)
            return VP_NONE;
    }
    const vp_vm *v = vp_pool_vm(w->pool, id);
    if (v->state == VP_VM_RUNNING || v->state == VP_VM_MIGRATING) {
        if (v->host == host || v->dest == host)
            return id;
        const vp_host *other = vp_pool_host(w->pool, v->host);
        vp_err_set(err, "VM '%s' is also on host '%s' (VM names must be unique across hosts)",
                   vm->name, other ? other->name : "?");
        return VP_NONE;
    }
    (void)vp_pool_allocate(w->pool, id, host, NULL); /* else it stays pending */
    return id;
}

static void on_listed(void *ud, const vp_driver_vm_info *vm)
{
    inventory *inv = ud;
    if (inv->rc || !vm->running)
        return;
    if (adopt(inv->w, inv->host, vm, inv->err) == VP_NONE)
        inv->rc = -1;
}

static int build_host(vp_virt_world *w, const vp_host_conf *hc, vp_err *err)
{
    vp_id id = vp_pool_add_host(w->pool, hc->name, vp_res_zero(), vp_res_make(1, 1, 1, 1), err);
    if (id == VP_NONE)
        return -1;
    vp_res cap;
    inventory inv = {w, id, 0, err};
    if (w->driver->ops->open_host(w->driver, id, hc->uri, err) ||
        vp_libvirt_host_capacity(w->driver, id, &cap, err) ||
        vp_pool_set_capacity(w->pool, id, cap, err) ||
        w->driver->ops->list_vms(w->driver, id, on_listed, &inv, err) || inv.rc)
        return vp_err_prefix(err, "host '%s': ", hc->name);
    return 0;
}

/* ====== lifecycle events ====== */

static void vm_gone(vp_virt_world *w, vp_id host, const char *name, const char *event)
{
    vp_id id = vp_pool_find_vm(w->pool, name);
    const vp_vm *v = vp_pool_vm(w->pool, id);
    vp_driver_vm_info info;
    if (!v || v->state != VP_VM_RUNNING || v->host != host)
        return; /* unknown, already stopped, elsewhere, or migrating */
    if (vp_libvirt_domain_info(w->driver, host, name, &info, NULL) == 0 && info.running)
        return; /* a late event: a domain of that name runs there again (deleted and
                   created anew through the API before the event arrived) */
    if (vp_pool_release(w->pool, id, NULL) == 0) {
        char why[64];
        snprintf(why, sizeof why, "libvirt event: %s", event);
        note(w, "vm_stopped", id, host, why);
    }
}

static void vm_came(vp_virt_world *w, vp_id host, const char *name, const char *event)
{
    vp_id id = vp_pool_find_vm(w->pool, name);
    const vp_vm *v = vp_pool_vm(w->pool, id);
    if (v && (v->state == VP_VM_RUNNING || v->state == VP_VM_MIGRATING))
        return; /* placed by the engine, or known elsewhere */
    vp_driver_vm_info info;
    vp_err err = {0};
    if (vp_libvirt_domain_info(w->driver, host, name, &info, &err) || !info.running)
        return; /* gone again, or defined but not running */
    id = adopt(w, host, &info, &err);
    v = vp_pool_vm(w->pool, id);
    if (!v)
        return;
    char why[96];
    if (v->state == VP_VM_RUNNING) {
        snprintf(why, sizeof why, "libvirt event: %s", event);
        note(w, "vm_appeared", id, host, why);
    } else {
        note(w, "vm_unfit", id, host, "runs on the host but does not fit its free capacity "
                                      "in the pool; left pending");
    }
}

/* ====== a host that drops and comes back ====== */

static void note_host(vp_virt_world *w, const char *event, vp_id host, const char *reason)
{
    const vp_host *h = vp_pool_host(w->pool, host);
    if (w->note && h)
        w->note(w->note_ud, event, NULL, h->name, reason);
}

/* Reconcile, 1: running domains of the host the pool does not have
 * running there (as a lifecycle "started" would). */
typedef struct reconcile {
    vp_virt_world *w;
    vp_id host;
    char **seen;   /* names of the domains running on host */
    size_t n, cap;
} reconcile;

static void on_relisted(void *ud, const vp_driver_vm_info *vm)
{
    reconcile *r = ud;
    if (!vm->running)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **seen = realloc(r->seen, cap * sizeof *seen);
        if (!seen)
            return;
        r->seen = seen;
        r->cap = cap;
    }
    if ((r->seen[r->n] = strdup(vm->name)))
        r->n++;
    vm_came(r->w, r->host, vm->name, "running after reconnect");
}

static bool was_seen(const reconcile *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->seen[i], name) == 0)
            return true;
    return false;
}

/* Reconcile, 2: pool VMs running on the host that it no longer runs are
 * released (a VM migrating is left to the migration executor). */
static void release_missing(reconcile *r)
{
    vp_pool *p = r->w->pool;
    for (vp_id id = 0; id < vp_pool_vm_end(p); id++) {
        const vp_vm *v = vp_pool_vm(p, id);
        if (v && v->state == VP_VM_RUNNING && v->host == r->host && !was_seen(r, v->name) &&
            vp_pool_release(p, id, NULL) == 0)
            note(r->w, "vm_stopped", id, r->host, "not running on the host after reconnect");
    }
}

static void reconcile_host(vp_virt_world *w, vp_id host)
{
    reconcile r = {w, host, NULL, 0, 0};
    vp_err err = {0};
    if (w->driver->ops->list_vms(w->driver, host, on_relisted, &r, &err) == 0)
        release_missing(&r);
    else
        note_host(w, "host_reconcile_failed", host, err.text);
    for (size_t i = 0; i < r.n; i++)
        free(r.seen[i]);
    free(r.seen);
}

static void on_host(void *ud, vp_id host, bool up, const char *why)
{
    vp_virt_world *w = ud;
    note_host(w, up ? "host_up" : "host_down", host, why);
    if (up)
        reconcile_host(w, host);
}

static void on_lifecycle(void *ud, vp_id host, const char *vm, const char *event)
{
    vp_virt_world *w = ud;
    if (strcmp(event, "stopped") == 0 || strcmp(event, "undefined") == 0)
        vm_gone(w, host, vm, event);
    else if (strcmp(event, "started") == 0 || strcmp(event, "defined") == 0)
        vm_came(w, host, vm, event);
}

/* ====== public ====== */

static int check_libvirt(const vp_config *cfg, vp_err *err)
{
    if (cfg->simulated || cfg->n_hosts == 0)
        return vp_err_set(err, "%s: needs libvirt hosts (with a \"uri\")", cfg->path);
    return 0;
}

int vp_virt_world_build(vp_virt_world *w, const vp_config *cfg, vp_clock *clock,
                        const vp_policy *policy, vp_err *err)
{
    memset(w, 0, sizeof *w);
    if (check_libvirt(cfg, err))
        return -1;
    w->clock = clock;
    if (vp_clock_is_sim(clock) || vp_virt_events_register(vp_clock_loop(clock)))
        return vp_err_set(err, "cannot run libvirt's events on this clock's loop");
    if (!(w->pool = vp_pool_new()))
        return vp_err_set(err, "out of memory");
    vp_pool_set_history_length(w->pool, (uint32_t)cfg->limits.history_samples);
    if (!(w->driver = vp_libvirt_driver_new(w->pool, clock, err)))
        return vp_virt_world_free(w), -1;
    vp_libvirt_set_migration(w->driver, cfg->limits.migration_bandwidth,
                             cfg->limits.migration_timeout);
    vp_libvirt_set_templates(w->driver, cfg->vm_types, cfg->n_vm_types);
    vp_libvirt_set_event_cb(w->driver, on_lifecycle, w);
    vp_libvirt_set_host_cb(w->driver, on_host, w);
    for (size_t i = 0; i < cfg->n_hosts; i++)
        if (build_host(w, &cfg->hosts[i], err))
            return vp_virt_world_free(w), -1;
    vp_engine_params prm = vp_engine_params_of(cfg);
    if (!(w->engine = vp_engine_new(w->pool, clock, w->driver, policy, &prm, err)))
        return vp_virt_world_free(w), -1;
    return 0;
}

void vp_virt_world_set_note_cb(vp_virt_world *w, vp_virt_note_cb cb, void *ud)
{
    w->note = cb;
    w->note_ud = ud;
}

void vp_virt_world_start(vp_virt_world *w)
{
    for (vp_id id = 0; id < vp_pool_vm_end(w->pool); id++) {
        const vp_vm *v = vp_pool_vm(w->pool, id);
        if (!v || v->state != VP_VM_PENDING)
            continue;
        /* the build only leaves running domains pending: find the host */
        for (vp_id h = 0; h < vp_pool_host_end(w->pool); h++) {
            vp_driver_vm_info info;
            if (vp_pool_host(w->pool, h) &&
                vp_libvirt_domain_info(w->driver, h, v->name, &info, NULL) == 0) {
                note(w, "vm_unfit", id, h, "runs on the host but does not fit its free "
                                           "capacity in the pool; left pending");
                break;
            }
        }
    }
    vp_engine_start(w->engine);
}

void vp_virt_world_free(vp_virt_world *w)
{
    vp_engine_free(w->engine);
    if (w->driver)
        w->driver->ops->free(w->driver);
    vp_virt_events_flush();
    vp_pool_free(w->pool);
    memset(w, 0, sizeof *w);
}
