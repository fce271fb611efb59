/*
 * drain.c - maintenance: draining a host through the migration executor.
 *
 * Provides: vp_engine_drain_host, vp_engine_undrain_host (engine.h) and
 * vp_drain_plan (engine_int.h).  A drained host is VP_HOST_DRAINING in
 * the pool, so no placement and no balance move chooses it (a VM fits
 * only an up host).  Each VM resident on it that is running and has no
 * migration queued is planned away: the placement slot chooses its
 * destination among the hosts it fits on, and the move is queued like a
 * balance move (migrate_when, limits, capacity held from admission).  A
 * VM with no destination, or whose move was dropped or failed, is
 * planned again at the next balance round.  When the host holds no VM
 * any more, "drained" is reported once; undrain puts it back up and
 * drops its queued (not yet running) moves.
 * Uses: engine_int.h, pool.h, policy.h.
 */
#include "engine_int.h"

#include "array.h"

#include <stdio.h>

static void host_event(vp_engine *e, vp_event_kind kind, vp_id host, vp_id vm, const char *why)
{
    vp_engine_emit(e, (vp_event){.kind = kind, .host = host, .vm = vm, .to = VP_NONE,
                                 .reason = why});
}

/* Makes drained[] cover every host id (new entries false). */
static int grow_drained(vp_engine *e)
{
    return vp_array_reserve_zeroed((void **)&e->drained, &e->drained_n,
                                   vp_pool_host_end(e->pool), sizeof *e->drained);
}

/* Hosts the running vm could migrate to now (up, room for it; not its
 * own host), into e->cand, in id order; returns how many. */
static size_t move_candidates(vp_engine *e, vp_id vm)
{
    vp_id end = vp_pool_host_end(e->pool), from = vp_pool_vm(e->pool, vm)->host;
    size_t n = 0;
    if (vp_array_reserve((void **)&e->cand, &e->cand_cap, end, sizeof *e->cand))
        return 0;
    for (vp_id h = 0; h < end; h++)
        if (h != from && vp_pool_host(e->pool, h) && vp_pool_host_fits(e->pool, vm, h, NULL) == 0)
            e->cand[n++] = h;
    return n;
}

/* The placement slot's destination for vm (VP_NONE, with why, if none). */
static vp_id destination(vp_engine *e, vp_id vm, char *why, size_t len)
{
    size_t n = move_candidates(e, vm);
    if (n == 0)
        return snprintf(why, len, "no host has room"), VP_NONE;
    vp_place_result r = {.host = VP_NONE};
    vp_decision_info d;
    vp_err err = {0};
    if (vp_engine_ask_place(e, vm, n, &r, &d, &err))
        return snprintf(why, len, "the placement policy failed (see its policy_error)"), VP_NONE;
    vp_engine_destination_event(e, vm, &r, &d);
    if (r.host != VP_NONE)
        return r.host;
    snprintf(why, len, "placement chose no candidate: %s", r.reason);
    return VP_NONE;
}

/* Queues the move of one resident VM of a draining host. */
static void plan_vm(vp_engine *e, const vp_host *h, vp_id vm)
{
    char why[VP_REASON], text[VP_REASON + 64];
    const vp_vm *v = vp_pool_vm(e->pool, vm);
    if (!v || v->state != VP_VM_RUNNING || vp_mig_pending_for(e, vm))
        return;
    vp_id to = destination(e, vm, why, sizeof why);
    if (to == VP_NONE)
        return host_event(e, VP_EV_DRAIN_BLOCKED, h->id, vm, why);
    snprintf(text, sizeof text, "drain host '%s'", h->name);
    (void)vp_mig_enqueue(e, vm, to, text, NULL);
}

/* Plans one draining host; reports "drained" once it is empty. */
static void plan_host(vp_engine *e, const vp_host *h)
{
    if (h->vms.n == 0 && h->incoming.n == 0) {
        if (!e->drained[h->id])
            host_event(e, VP_EV_DRAINED, h->id, VP_NONE, "no VM left on the host");
        e->drained[h->id] = true;
        return;
    }
    e->drained[h->id] = false;
    for (uint32_t i = 0; i < h->vms.n; i++)
        plan_vm(e, h, h->vms.ids[i]);
}

void vp_drain_plan(vp_engine *e)
{
    if (vp_pool_draining_count(e->pool) == 0 || grow_drained(e))
        return; /* called after every migration: nothing to scan for, usually */
    for (vp_id id = 0; id < vp_pool_host_end(e->pool); id++) {
        const vp_host *h = vp_pool_host(e->pool, id);
        if (h && h->state == VP_HOST_DRAINING)
            plan_host(e, h);
    }
}

int vp_engine_drain_host(vp_engine *e, vp_id host, vp_err *err)
{
    const vp_host *h = vp_pool_host(e->pool, host);
    if (!h)
        return vp_err_set(err, "no host with id %u", host);
    if (h->state == VP_HOST_DOWN)
        return vp_err_set(err, "host '%s' is down", h->name);
    if (h->state == VP_HOST_DRAINING)
        return 0;
    if (grow_drained(e))
        return vp_err_set(err, "out of memory");
    vp_pool_set_host_state(e->pool, host, VP_HOST_DRAINING, NULL);
    e->drained[host] = false;
    char why[64];
    snprintf(why, sizeof why, "%u VM%s to move", h->vms.n, h->vms.n == 1 ? "" : "s");
    host_event(e, VP_EV_DRAIN_STARTED, host, VP_NONE, why);
    vp_drain_plan(e);
    vp_mig_pump(e);
    return 0;
}

int vp_engine_undrain_host(vp_engine *e, vp_id host, vp_err *err)
{
    const vp_host *h = vp_pool_host(e->pool, host);
    if (!h)
        return vp_err_set(err, "no host with id %u", host);
    if (h->state != VP_HOST_DRAINING)
        return vp_err_set(err, "host '%s' is %s, not draining", h->name,
                          vp_host_state_name(h->state));
    vp_pool_set_host_state(e->pool, host, VP_HOST_UP, NULL);
    vp_mig_drop_from(e, host, "host undrained");
    host_event(e, VP_EV_UNDRAINED, host, VP_NONE, "back in service");
    return 0;
}
