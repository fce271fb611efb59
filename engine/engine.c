/*
 * engine.c - periodic work, placement and reservation.
 *
 * Provides: the vp_engine functions of engine.h except the migration
 * executor (migrate.c) and drain (drain.c).  Policy results are checked
 * here before the pool changes; each decision event carries the
 * decision's inputs and answer (vp_decision_info) for the audit log.
 * A VM left pending is retried after every sampling round; retries that
 * place nothing are counted and reported as unplaced events at attempts
 * 2, 4, 8, ... (see unplaced()), so a long wait is visible without
 * flooding the log.
 * Uses: engine_int.h, pool.h, clock.h, driver.h, policy.h.
 */
#include "engine_int.h"

#include "array.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const vp_event_names[VP_EV_N] = {
    "placed", "unplaced", "create_failed", "balanced", "reserved", "migration_deferred",
    "migration_dropped", "migration_started", "migration_done", "migration_failed",
    "policy_error", "sampled", "sample_failed", "migration_superseded", "vm_removed",
    "drain_started", "drain_blocked", "drained", "undrained", "migration_progress",
    "destination_chosen"};

const double vp_latency_bounds[VP_LAT_BUCKETS] = {1e-5,   5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
                                                  2.5e-3, 5e-3, 1e-2, 5e-2,   0.1,  1};
const double vp_migration_bounds[VP_MIG_BUCKETS] = {1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

size_t vp_bucket(const double *bounds, size_t n, double x)
{
    size_t i = 0;
    while (i < n && x > bounds[i])
        i++;
    return i;
}

void vp_engine_count_decision(vp_engine *e, vp_slot slot, double latency)
{
    e->st.decisions[slot]++;
    e->st.latency[slot][vp_bucket(vp_latency_bounds, VP_LAT_BUCKETS, latency)]++;
    e->st.latency_sum[slot] += latency;
}

double vp_engine_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void vp_engine_emit(vp_engine *e, vp_event ev)
{
    if (!e->cb)
        return;
    ev.time = vp_clock_now(e->clock);
    if (!ev.reason)
        ev.reason = "";
    e->cb(e->cb_ud, e, &ev);
}

void vp_engine_policy_invalid(vp_engine *e, vp_slot slot, const char *why, vp_id vm)
{
    vp_engine_policy_invalid_d(e, slot, why, vm, NULL);
}

void vp_engine_policy_invalid_d(vp_engine *e, vp_slot slot, const char *why, vp_id vm,
                                const vp_decision_info *d)
{
    static const char *const fn[VP_SLOT_N] = {"place", "balance", "reserve", "migrate_when"};
    const char *where = e->policy->id[slot].where;
    char text[VP_ERR_TEXT + 256];
    snprintf(text, sizeof text, "%s%s%s returned an invalid result: %s", where ? where : "",
             where ? ": " : "", fn[slot], why);
    vp_engine_policy_error_d(e, slot, text, vm, d);
}

void vp_engine_policy_error(vp_engine *e, vp_slot slot, const char *what, vp_id vm)
{
    vp_engine_policy_error_d(e, slot, what, vm, NULL);
}

void vp_engine_policy_error_d(vp_engine *e, vp_slot slot, const char *what, vp_id vm,
                              const vp_decision_info *d)
{
    e->st.policy_errors[slot]++;
    vp_engine_emit(e, (vp_event){.kind = VP_EV_POLICY_ERROR, .slot = slot,
                                 .policy = &e->policy->id[slot], .vm = vm, .host = VP_NONE,
                                 .to = VP_NONE, .latency = e->last_latency, .reason = what,
                                 .decision = d});
}

/* A create the driver has not completed yet; listed on the engine so
 * that vp_engine_free releases it if the driver never reports back. */
struct vp_create_op {
    vp_engine *e;
    vp_id vm, host;
    vp_create_op *prev, *next;
};

static void op_unlink(vp_engine *e, vp_create_op *op)
{
    if (op->prev)
        op->prev->next = op->next;
    else
        e->creates = op->next;
    if (op->next)
        op->next->prev = op->prev;
}

static void sample_cb(vp_clock *c, vp_timer *t, void *ud) { vp_engine_sample_now(ud); }
static void balance_cb(vp_clock *c, vp_timer *t, void *ud) { vp_engine_balance_now(ud); }
static void reserve_cb(vp_clock *c, vp_timer *t, void *ud) { vp_engine_reserve_now(ud); }
static void pump_cb(vp_clock *c, vp_timer *t, void *ud) { vp_mig_pump(ud); }
static void progress_cb(vp_clock *c, vp_timer *t, void *ud) { vp_mig_progress(ud); }

vp_engine *vp_engine_new(vp_pool *pool, vp_clock *clock, vp_driver *driver,
                         const vp_policy *policy, const vp_engine_params *params, vp_err *err)
{
    if (!(params->sample_interval > 0 && params->balance_interval > 0 &&
          params->reservation_interval > 0))
        return vp_err_set(err, "engine intervals must be > 0"), NULL;
    vp_engine *e = calloc(1, sizeof *e);
    if (!e)
        return vp_err_set(err, "out of memory"), NULL;
    e->pool = pool;
    e->clock = clock;
    e->driver = driver;
    e->policy = policy;
    e->prm = *params;
    vp_timer_init(&e->sample_t, sample_cb, e);
    vp_timer_init(&e->balance_t, balance_cb, e);
    vp_timer_init(&e->reserve_t, reserve_cb, e);
    vp_timer_init(&e->pump_t, pump_cb, e);
    vp_timer_init(&e->progress_t, progress_cb, e);
    return e;
}

void vp_engine_free(vp_engine *e)
{
    if (!e)
        return;
    vp_engine_stop(e);
    vp_mig_free_all(e);
    while (e->creates) {
        vp_create_op *next = e->creates->next;
        free(e->creates);
        e->creates = next;
    }
    vp_moves_free(&e->moves);
    free(e->pending);
    free(e->cand);
    free(e->mig_count);
    free(e->drained);
    vp_worker_free(e->sampler);
    free(e);
}

vp_engine_params vp_engine_params_of(const vp_config *cfg)
{
    return (vp_engine_params){cfg->intervals.sample, cfg->intervals.balance,
                              cfg->intervals.reservation, cfg->limits.migrations_per_host,
                              cfg->limits.migrations_total, cfg->limits.placement_candidates, 0,
                              cfg->limits.migration_progress};
}

void vp_engine_set_observer(vp_engine *e, vp_event_cb cb, void *ud)
{
    e->cb = cb;
    e->cb_ud = ud;
}

void vp_engine_start(vp_engine *e)
{
    double first = e->prm.first_round;
    e->stopped = false;
    vp_timer_start(e->clock, &e->sample_t, first, e->prm.sample_interval);
    vp_timer_start(e->clock, &e->balance_t, first > 0 ? first : e->prm.balance_interval,
                   e->prm.balance_interval);
    vp_timer_start(e->clock, &e->reserve_t, first > 0 ? first : e->prm.reservation_interval,
                   e->prm.reservation_interval);
    if (e->prm.progress_interval > 0 && e->driver->ops->migration_progress)
        vp_timer_start(e->clock, &e->progress_t, e->prm.progress_interval,
                       e->prm.progress_interval);
}

void vp_engine_stop(vp_engine *e)
{
    e->stopped = true;
    vp_timer_stop(&e->sample_t);
    vp_timer_stop(&e->balance_t);
    vp_timer_stop(&e->reserve_t);
    vp_timer_stop(&e->pump_t);
    vp_timer_stop(&e->progress_t);
}

const vp_engine_stats *vp_engine_stats_get(const vp_engine *e) { return &e->st; }
vp_pool *vp_engine_pool(const vp_engine *e) { return e->pool; }
vp_clock *vp_engine_clock(const vp_engine *e) { return e->clock; }
size_t vp_engine_migrations_running(const vp_engine *e) { return e->running; }
size_t vp_engine_migrations_queued(const vp_engine *e) { return e->nmigs - e->running; }

static vp_decision_ctx dctx(const vp_engine *e, double interval)
{
    return (vp_decision_ctx){.now = vp_clock_now(e->clock), .interval = interval};
}

/* ====== placement ====== */

static int by_id(const void *a, const void *b)
{
    vp_id x = *(const vp_id *)a, y = *(const vp_id *)b;
    return (x > y) - (x < y);
}

/* Hosts vm fits on now, into e->cand, in id order; returns how many.
 * With a bound K, the scan starts at scan_pos and stops at the K-th fit. */
static size_t candidates(vp_engine *e, vp_id vm)
{
    vp_id end = vp_pool_host_end(e->pool), start = e->scan_pos < end ? e->scan_pos : 0;
    size_t k = e->prm.placement_candidates ? e->prm.placement_candidates : end, n = 0;
    if (vp_array_reserve((void **)&e->cand, &e->cand_cap, end, sizeof *e->cand))
        return 0;
    for (vp_id i = 0; i < end && n < k; i++) {
        vp_id h = (start + i) % end;
        if (vp_pool_host(e->pool, h) && vp_pool_fits(e->pool, vm, h, NULL) == 0)
            e->cand[n++] = h;
        e->scan_pos = h + 1;
    }
    if (start > 0)
        qsort(e->cand, n, sizeof *e->cand, by_id);
    return n;
}

static bool is_candidate(const vp_engine *e, size_t n, vp_id h)
{
    for (size_t i = 0; i < n; i++)
        if (e->cand[i] == h)
            return true;
    return false;
}

static void create_done(void *ud, int status, const char *error)
{
    vp_create_op *op = ud;
    vp_engine *e = op->e;
    op_unlink(e, op);
    if (status != 0) {
        vp_vm *v = vp_pool_vm(e->pool, op->vm);
        if (v && v->state == VP_VM_RUNNING && v->host == op->host)
            (void)vp_pool_release(e->pool, op->vm, NULL);
        e->st.create_failed++;
        vp_engine_emit(e, (vp_event){.kind = VP_EV_CREATE_FAILED, .vm = op->vm,
                                     .host = op->host, .to = VP_NONE, .reason = error});
    }
    free(op);
}

/* Allocates vm on host and asks the driver to create it. */
static int start_create(vp_engine *e, vp_id vm, vp_id host, vp_err *err)
{
    vp_create_op *op = malloc(sizeof *op);
    if (!op)
        return vp_err_set(err, "out of memory");
    *op = (vp_create_op){e, vm, host, NULL, e->creates};
    if (vp_pool_allocate(e->pool, vm, host, err) == 0 &&
        e->driver->ops->create(e->driver, vm, host, create_done, op, err) == 0) {
        if (e->creates)
            e->creates->prev = op;
        e->creates = op;
        return 0;
    }
    if (vp_pool_vm(e->pool, vm)->state == VP_VM_RUNNING)
        (void)vp_pool_release(e->pool, vm, NULL);
    free(op);
    return -1;
}

/* An unplaced event for the attempt-th attempt to place vm (1: the
 * first).  A VM that stays pending is retried every sampling round; to
 * keep a long wait from flooding the log, retries are counted
 * (placement_retries) and reported at attempts 2, 4, 8, ... only.  d: the
 * policy's decision that chose no host, or NULL when it was not asked. */
static void unplaced(vp_engine *e, vp_id vm, const char *reason, uint64_t attempt,
                     const vp_decision_info *d)
{
    if (attempt > 1)
        e->st.placement_retries++;
    else
        e->st.unplaced++;
    if (attempt & (attempt - 1))
        return;
    vp_engine_emit(e, (vp_event){.kind = VP_EV_UNPLACED, .slot = VP_SLOT_PLACEMENT,
                                 .policy = d ? &e->policy->id[VP_SLOT_PLACEMENT] : NULL,
                                 .vm = vm, .host = VP_NONE, .to = VP_NONE,
                                 .count = (size_t)attempt,
                                 .latency = d ? e->last_latency : 0, .reason = reason,
                                 .decision = d});
}

/* Not placed: reports it (see unplaced), says why in *why (may be NULL)
 * and returns the outcome (VP_PLACE_*). */
static int not_placed(vp_engine *e, vp_id vm, uint64_t attempt, int outcome,
                      const char *reason, const vp_decision_info *d, vp_err *why)
{
    unplaced(e, vm, reason, attempt, d);
    vp_err_set(why, "%s", reason);
    return outcome;
}

int vp_engine_ask_place(vp_engine *e, vp_id vm, size_t n, vp_place_result *r,
                        vp_decision_info *d, vp_err *err)
{
    vp_decision_ctx dc = dctx(e, 0);
    *d = (vp_decision_info){.size = vp_pool_vm(e->pool, vm)->size, .candidates = n};
    double t0 = vp_engine_wall();
    int rc = e->policy->place(e->policy->place_ctx, e->pool, vm, e->cand, n, &dc, r, err);
    e->last_latency = vp_engine_wall() - t0;
    vp_engine_count_decision(e, VP_SLOT_PLACEMENT, e->last_latency);
    if (rc)
        return vp_engine_policy_error_d(e, VP_SLOT_PLACEMENT, err->text, vm, d),
               VP_PLACE_POLICY_ERROR;
    if (r->host != VP_NONE && !is_candidate(e, n, r->host)) {
        vp_err_set(err, "host id %u is not a candidate", r->host);
        vp_engine_policy_invalid_d(e, VP_SLOT_PLACEMENT, err->text, vm, d);
        vp_err_prefix(err, "place returned an invalid result: ");
        return VP_PLACE_POLICY_ERROR;
    }
    return VP_PLACE_OK;
}

void vp_engine_destination_event(vp_engine *e, vp_id vm, const vp_place_result *r,
                                 const vp_decision_info *d)
{
    vp_engine_emit(e, (vp_event){.kind = VP_EV_DESTINATION, .slot = VP_SLOT_PLACEMENT,
                                 .policy = &e->policy->id[VP_SLOT_PLACEMENT], .vm = vm,
                                 .host = vp_pool_vm(e->pool, vm)->host, .to = r->host,
                                 .latency = e->last_latency, .reason = r->reason,
                                 .decision = d});
}

/* vm was placed on r->host as the policy decided (d): counted and
 * reported. */
static void placed(vp_engine *e, vp_id vm, const vp_place_result *r, const vp_decision_info *d)
{
    e->st.placed++;
    vp_engine_emit(e, (vp_event){.kind = VP_EV_PLACED, .slot = VP_SLOT_PLACEMENT,
                                 .policy = &e->policy->id[VP_SLOT_PLACEMENT], .vm = vm,
                                 .host = r->host, .to = VP_NONE, .latency = e->last_latency,
                                 .reason = r->reason, .decision = d});
}

/* One placement attempt (the attempt-th for vm): VP_PLACE_OK if placed,
 * else why not. */
static int try_place(vp_engine *e, vp_id vm, uint64_t attempt, vp_err *why)
{
    size_t n = candidates(e, vm);
    if (n == 0)
        return not_placed(e, vm, attempt, VP_PLACE_NO_ROOM, "no host has room", NULL, why);
    vp_place_result r = {.host = VP_NONE};
    vp_decision_info d;
    vp_err err = {0};
    if (vp_engine_ask_place(e, vm, n, &r, &d, &err))
        return vp_err_set(why, "%s", err.text), VP_PLACE_POLICY_ERROR;
    if (r.host == VP_NONE)
        return not_placed(e, vm, attempt, VP_PLACE_NO_ROOM, r.reason, &d, why);
    if (start_create(e, vm, r.host, &err))
        return not_placed(e, vm, attempt, VP_PLACE_CREATE_FAILED, err.text, NULL, why);
    placed(e, vm, &r, &d);
    return VP_PLACE_OK;
}

static int push_pending(vp_engine *e, vp_id vm)
{
    if (vp_array_reserve((void **)&e->pending, &e->cappending, e->npending + 1,
                         sizeof *e->pending))
        return -1;
    e->pending[e->npending++] = (vp_pending){vm, 1};
    return 0;
}

int vp_engine_submit(vp_engine *e, vp_id vm, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(e->pool, vm);
    if (!v)
        return vp_err_set(err, "no VM with id %u", vm);
    if (v->state != VP_VM_PENDING && v->state != VP_VM_STOPPED)
        return vp_err_set(err, "VM '%s' is %s", v->name, vp_vm_state_name(v->state));
    if (try_place(e, vm, 1, NULL) == VP_PLACE_OK)
        return 0;
    if (push_pending(e, vm))
        return vp_err_set(err, "out of memory");
    return 1;
}

/* The hosts that are up, in id order, into e->cand; how many. */
static size_t hosts_up(vp_engine *e)
{
    vp_id end = vp_pool_host_end(e->pool);
    size_t n = 0;
    if (vp_array_reserve((void **)&e->cand, &e->cand_cap, end, sizeof *e->cand))
        return 0;
    for (vp_id h = 0; h < end; h++) {
        const vp_host *host = vp_pool_host(e->pool, h);
        if (host && host->state == VP_HOST_UP)
            e->cand[n++] = h;
    }
    return n;
}

/* vm onto the host a batch answer chose, with try_place's events; false
 * when it does not fit there (it is then placed alone). */
static bool place_answered(vp_engine *e, vp_id vm, const vp_place_result *r, size_t nhosts)
{
    vp_err err = {0};
    const vp_host *h = vp_pool_host(e->pool, r->host);
    vp_decision_info d = {.size = vp_pool_vm(e->pool, vm)->size, .candidates = nhosts};
    if (!h || h->state != VP_HOST_UP || vp_pool_fits(e->pool, vm, r->host, NULL) != 0 ||
        start_create(e, vm, r->host, &err))
        return false;
    placed(e, vm, r, &d);
    return true;
}

/* place_batch, if the policy has it and every VM waits for a host, for
 * the VMs in order: those it answered are placed and marked in done.
 * Each placement's latency is the call's share. */
static void batch_place(vp_engine *e, const vp_id *order, size_t n, bool *done)
{
    bool all_waiting = e->policy->place_batch && n > 1;
    for (size_t i = 0; all_waiting && i < n; i++) {
        const vp_vm *v = vp_pool_vm(e->pool, order[i]);
        all_waiting = v && (v->state == VP_VM_PENDING || v->state == VP_VM_STOPPED);
    }
    size_t nh = all_waiting ? hosts_up(e) : 0;
    vp_place_result *out = nh ? calloc(n, sizeof *out) : NULL;
    vp_err err = {0};
    if (!out)
        return;
    for (size_t i = 0; i < n; i++)
        out[i].host = VP_NONE;
    vp_decision_ctx dc = dctx(e, 0);
    double t0 = vp_engine_wall();
    int rc = e->policy->place_batch(e->policy->place_ctx, e->pool, order, n, e->cand, nh, &dc,
                                    out, &err);
    double lat = vp_engine_wall() - t0;
    vp_engine_count_decision(e, VP_SLOT_PLACEMENT, lat);
    if (rc < 0)
        vp_engine_policy_error(e, VP_SLOT_PLACEMENT, err.text, VP_NONE);
    e->last_latency = lat / (double)n;
    for (size_t i = 0; rc == 0 && i < n; i++)
        done[i] = out[i].host != VP_NONE && place_answered(e, order[i], &out[i], nh);
    free(out);
}

size_t vp_engine_submit_batch(vp_engine *e, const vp_id *vms, size_t n)
{
    vp_id *order = malloc((n ? n : 1) * sizeof *order);
    bool *done = calloc(n ? n : 1, sizeof *done);
    vp_err err = {0};
    size_t placed = 0;
    if (!order || !done)
        return free(order), free(done), 0;
    memcpy(order, vms, n * sizeof *order);
    vp_decision_ctx dc = dctx(e, 0);
    if (e->policy->order && n > 1) {
        double t0 = vp_engine_wall();
        int rc = e->policy->order(e->policy->place_ctx, e->pool, order, n, &dc, &err);
        e->last_latency = vp_engine_wall() - t0;
        if (rc < 0) {
            vp_engine_policy_error(e, VP_SLOT_PLACEMENT, err.text, VP_NONE);
            memcpy(order, vms, n * sizeof *order);
        }
    }
    batch_place(e, order, n, done);
    for (size_t i = 0; i < n; i++)
        placed += done[i] || vp_engine_submit(e, order[i], NULL) == 0;
    free(order);
    free(done);
    return placed;
}

int vp_engine_place_now(vp_engine *e, vp_id vm, vp_err *why)
{
    const vp_vm *v = vp_pool_vm(e->pool, vm);
    if (!v)
        return vp_err_set(why, "no VM with id %u", vm);
    if (v->state != VP_VM_PENDING && v->state != VP_VM_STOPPED)
        return vp_err_set(why, "VM '%s' is %s", v->name, vp_vm_state_name(v->state));
    return try_place(e, vm, 1, why);
}

static void destroy_done(void *ud, int status, const char *error) {}

/* vm leaves the queue of pending VMs, if it is there. */
static void drop_pending(vp_engine *e, vp_id vm)
{
    size_t keep = 0;
    for (size_t i = 0; i < e->npending; i++)
        if (e->pending[i].vm != vm)
            e->pending[keep++] = e->pending[i];
    e->npending = keep;
}

int vp_engine_remove_vm(vp_engine *e, vp_id vm, const char *reason, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(e->pool, vm);
    if (!v)
        return vp_err_set(err, "no VM with id %u", vm);
    if (v->state == VP_VM_MIGRATING)
        return vp_err_set(err, "VM '%s' is migrating; try again when it is done", v->name);
    bool running = v->state == VP_VM_RUNNING;
    /* a pending VM may be a domain found running on a host it did not fit
     * (virt_world's vm_unfit): the driver destroys it too, if it exists */
    if ((running || v->state == VP_VM_PENDING) &&
        e->driver->ops->destroy(e->driver, vm, destroy_done, NULL, err))
        return -1;
    drop_pending(e, vm);
    /* a waiting proposal goes (none, or a running one: nothing to do) */
    (void)vp_engine_cancel_migration(e, vm, "the VM is being removed", NULL);
    /* observers see it once more, still on its host */
    vp_engine_emit(e, (vp_event){.kind = VP_EV_VM_REMOVED, .vm = vm, .host = v->host,
                                 .to = VP_NONE, .reason = reason});
    if (running && vp_pool_release(e->pool, vm, err))
        return -1;
    return vp_pool_remove_vm(e->pool, vm, err);
}

/* Retries the VMs still waiting, in order; keeps those that still wait. */
static void retry_pending(vp_engine *e)
{
    size_t keep = 0;
    for (size_t i = 0; i < e->npending; i++) {
        vp_pending p = e->pending[i];
        const vp_vm *v = vp_pool_vm(e->pool, p.vm);
        if (v && v->state == VP_VM_PENDING && try_place(e, p.vm, ++p.attempts, NULL) != VP_PLACE_OK)
            e->pending[keep++] = p;
    }
    e->npending = keep;
}

/* ====== sampling ====== */

static void on_sample(void *ud, vp_id vm, vp_res demand)
{
    vp_pool_set_demand(ud, vm, demand);
}

/* A host whose sample failed, and why. */
typedef struct sample_fail {
    vp_id host;
    char why[VP_ERR_TEXT];
} sample_fail;

/* One thread's share of a sample round: hosts [from, to) sampled and
 * closed (vp_pool_sample_done), the failures kept for the caller to
 * report (observers run on its thread only). */
typedef struct sample_part {
    vp_engine *e;
    vp_id from, to;
    sample_fail *fail;
    size_t nfail, capfail;
} sample_part;

#define SAMPLE_AHEAD 2 /* hosts between the stages of vp_pool_prefetch_sample */

static void sample_hosts(void *arg)
{
    sample_part *p = arg;
    vp_engine *e = p->e;
    for (vp_id h = p->from; h < p->to; h++) {
        const vp_host *host = vp_pool_host(e->pool, h);
        vp_err err = {0};
        /* what the next hosts' sampling reads, a stage at a time: a host is
         * sampled in less time than memory answers */
        for (int k = 0; k < 3; k++)
            if (h + SAMPLE_AHEAD * (3 - k) < p->to)
                vp_pool_prefetch_sample(e->pool, h + SAMPLE_AHEAD * (3 - k), k);
        if (!host)
            continue;
        if (host->state != VP_HOST_DOWN &&
            e->driver->ops->sample(e->driver, h, on_sample, e->pool, &err) &&
            vp_array_reserve((void **)&p->fail, &p->capfail, p->nfail + 1, sizeof *p->fail) == 0) {
            p->fail[p->nfail].host = h;
            snprintf(p->fail[p->nfail++].why, VP_ERR_TEXT, "%s", err.text);
        }
        vp_pool_sample_done(e->pool, h);
    }
}

#define SAMPLE_PARALLEL_HOSTS 4096 /* hosts that split a sample round in two */

/* Where a sample round splits: half the hosts each side, when the driver
 * allows it, the pool is large and a second CPU and thread are there;
 * else the end (one part). */
static vp_id sample_split(vp_engine *e, vp_id end)
{
    if (!e->driver->ops->sample_in_parallel || end < SAMPLE_PARALLEL_HOSTS)
        return end;
    if (!e->sampler && vp_worker_cpus() >= 2)
        e->sampler = vp_worker_new();
    return e->sampler ? end / 2 : end;
}

void vp_engine_sample_now(vp_engine *e)
{
    vp_id end = vp_pool_host_end(e->pool), mid = sample_split(e, end);
    sample_part part[2] = {{.e = e, .from = 0, .to = mid}, {.e = e, .from = mid, .to = end}};
    vp_worker_both(e->sampler, sample_hosts, &part[0], mid < end ? &part[1] : NULL);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < part[k].nfail; i++)
            vp_engine_emit(e, (vp_event){.kind = VP_EV_SAMPLE_FAILED, .host = part[k].fail[i].host,
                                         .vm = VP_NONE, .to = VP_NONE,
                                         .reason = part[k].fail[i].why});
        free(part[k].fail);
    }
    retry_pending(e);
    vp_engine_emit(e, (vp_event){.kind = VP_EV_SAMPLED, .vm = VP_NONE, .host = VP_NONE,
                                 .to = VP_NONE});
}

/* ====== balance ====== */

/* Room on host `to` for move i, after the moves before it that go there
 * (a migrating VM holds its size on both hosts until it completes): kept
 * per target host (left[id], valid where has[id]; no arrays for a single
 * move) as the moves are read, each earlier move's size taken off in
 * order. */
static int move_fits(const vp_pool *pool, const vp_moves *m, size_t i, vp_res *left,
                     unsigned char *has, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(pool, m->v[i].vm);
    const vp_host *to = vp_pool_host(pool, m->v[i].to);
    if (to->state != VP_HOST_UP)
        return vp_err_set(err, "host '%s' is %s", to->name, vp_host_state_name(to->state));
    vp_res room = has && has[to->id] ? left[to->id] : vp_pool_host_free(to);
    int r = vp_res_first_over(v->size, room);
    if (r >= 0)
        return vp_err_set(err, "VM '%s' needs %g %s, host '%s' has %g left", v->name,
                          v->size.v[r], vp_res_names[r], to->name, room.v[r]);
    if (has) { /* none for a single move */
        left[to->id] = vp_res_sub(room, v->size);
        has[to->id] = 1;
    }
    return 0;
}

static int check_each(const vp_pool *pool, const vp_moves *m, vp_res *left, unsigned char *has,
                      char *why, size_t len)
{
    vp_err err = {0};
    for (size_t i = 0; i < m->n; i++) {
        const vp_vm *v = vp_pool_vm(pool, m->v[i].vm);
        const vp_host *to = vp_pool_host(pool, m->v[i].to);
        if (!v || !to)
            return snprintf(why, len, "move %zu: unknown %s", i + 1, v ? "host" : "VM"), -1;
        if (v->state != VP_VM_RUNNING)
            return snprintf(why, len, "move %zu: VM '%s' is %s", i + 1, v->name,
                            vp_vm_state_name(v->state)), -1;
        if (v->host == to->id)
            return snprintf(why, len, "move %zu: VM '%s' is already on host '%s'", i + 1,
                            v->name, to->name), -1;
        if (move_fits(pool, m, i, left, has, &err))
            return snprintf(why, len, "move %zu: %.400s", i + 1, err.text), -1;
    }
    return 0;
}

int vp_moves_check(const vp_pool *pool, const vp_moves *m, char *why, size_t len)
{
    if (m->n <= 1)
        return check_each(pool, m, NULL, NULL, why, len);
    size_t nh = vp_pool_host_end(pool);
    vp_res *left = malloc((nh + 1) * sizeof *left);
    unsigned char *has = calloc(nh + 1, 1);
    int rc = left && has ? check_each(pool, m, left, has, why, len)
                         : (snprintf(why, len, "out of memory checking the moves"), -1);
    free(left);
    free(has);
    return rc;
}

/* What balance and reservation see: hosts up, VMs running; with sums
 * of the up hosts' limit and use (capacity, used). */
static vp_decision_info pool_inputs(const vp_pool *pool)
{
    vp_decision_info d = {0};
    d.hosts = vp_pool_up_totals(pool, &d.capacity, &d.used);
    d.vms = vp_pool_vm_count_in(pool, VP_VM_RUNNING);
    return d;
}

/* One balance decision: the policy's moves, checked as a whole, queued. */
static void balance_round(vp_engine *e)
{
    vp_err err = {0};
    char why[VP_ERR_TEXT];
    vp_decision_ctx dc = dctx(e, e->prm.balance_interval);
    vp_decision_info d = pool_inputs(e->pool);
    vp_moves_clear(&e->moves);
    double t0 = vp_engine_wall();
    int rc = e->policy->balance(e->policy->balance_ctx, e->pool, &dc, &e->moves, &err);
    double lat = e->last_latency = vp_engine_wall() - t0;
    vp_engine_count_decision(e, VP_SLOT_BALANCE, lat);
    if (rc)
        return vp_engine_policy_error_d(e, VP_SLOT_BALANCE, err.text, VP_NONE, &d);
    d.moves = &e->moves;
    if (vp_moves_check(e->pool, &e->moves, why, sizeof why))
        return vp_engine_policy_invalid_d(e, VP_SLOT_BALANCE, why, VP_NONE, &d);
    char summary[64];
    snprintf(summary, sizeof summary, "%zu move%s proposed", e->moves.n, e->moves.n == 1 ? "" : "s");
    vp_engine_emit(e, (vp_event){.kind = VP_EV_BALANCED, .slot = VP_SLOT_BALANCE,
                                 .policy = &e->policy->id[VP_SLOT_BALANCE], .vm = VP_NONE,
                                 .host = VP_NONE, .to = VP_NONE, .count = e->moves.n,
                                 .latency = lat, .reason = summary, .decision = &d});
    for (size_t i = 0; i < e->moves.n; i++)
        (void)vp_mig_enqueue(e, e->moves.v[i].vm, e->moves.v[i].to, e->moves.v[i].why, NULL);
}

/* Draining hosts are planned first (a balance move for the same VM then
 * replaces its drain move), whatever the balance policy does. */
void vp_engine_balance_now(vp_engine *e)
{
    vp_drain_plan(e);
    balance_round(e);
    vp_mig_pump(e);
}

int vp_engine_check_move(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_err *err)
{
    vp_moves one = {0};
    char text[VP_ERR_TEXT];
    if (vp_moves_push(&one, vm, to, why))
        return vp_err_set(err, "out of memory");
    int rc = vp_moves_check(e->pool, &one, text, sizeof text);
    vp_moves_free(&one);
    return rc ? vp_err_set(err, "%s", text + strlen("move 1: ")), 1 : 0;
}

int vp_engine_propose_move(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_err *err)
{
    if (vp_engine_check_move(e, vm, to, why, err))
        return -1;
    int rc = vp_mig_enqueue(e, vm, to, why, err);
    vp_mig_pump(e);
    return rc;
}

/* ====== a move chosen by the placement policy ====== */

/* Hosts other than v's own that could receive it now (the test
 * begin_migration applies), into e->cand, in id order; how many. */
static size_t move_candidates(vp_engine *e, const vp_vm *v)
{
    vp_id end = vp_pool_host_end(e->pool);
    size_t n = 0;
    if (vp_array_reserve((void **)&e->cand, &e->cand_cap, end, sizeof *e->cand))
        return 0;
    for (vp_id h = 0; h < end; h++)
        if (h != v->host && vp_pool_host(e->pool, h) &&
            vp_pool_host_fits(e->pool, v->id, h, NULL) == 0)
            e->cand[n++] = h;
    return n;
}

int vp_engine_move_by_policy(vp_engine *e, vp_id vm, const char *why, vp_id *to, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(e->pool, vm);
    vp_place_result r = {.host = VP_NONE};
    if (!v || v->state != VP_VM_RUNNING)
        return vp_err_set(err, "VM %s is not running", v ? v->name : "?"), 1;
    size_t n = move_candidates(e, v);
    vp_decision_info d;
    if (n == 0)
        return vp_err_set(err, "no other host has room for VM '%s'", v->name), 1;
    if (vp_engine_ask_place(e, vm, n, &r, &d, err))
        return 2;
    vp_engine_destination_event(e, vm, &r, &d);
    if (r.host == VP_NONE)
        return vp_err_set(err, "the placement policy chose no host: %s", r.reason), 1;
    *to = r.host;
    return vp_engine_propose_move(e, vm, r.host, why, err) ? 1 : 0;
}

/* ====== dry runs ====== */

int vp_engine_dry_place(vp_engine *e, vp_id vm, vp_place_result *out, vp_err *err)
{
    size_t n = candidates(e, vm);
    vp_decision_ctx dc = dctx(e, 0);
    *out = (vp_place_result){.host = VP_NONE};
    if (n == 0)
        return snprintf(out->reason, sizeof out->reason, "no host has room"), 0;
    if (e->policy->place(e->policy->place_ctx, e->pool, vm, e->cand, n, &dc, out, err))
        return -1;
    if (out->host != VP_NONE && !is_candidate(e, n, out->host))
        return vp_err_set(err, "place returned an invalid result: host id %u is not a candidate",
                          out->host);
    return 0;
}

int vp_engine_dry_balance(vp_engine *e, vp_moves *out, char *why, size_t len, vp_err *err)
{
    vp_decision_ctx dc = dctx(e, e->prm.balance_interval);
    vp_moves_clear(out);
    if (e->policy->balance(e->policy->balance_ctx, e->pool, &dc, out, err))
        return -1;
    return vp_moves_check(e->pool, out, why, len) ? 1 : 0;
}

/* ====== reservation ====== */

static int check_reservation(const vp_engine *e, const vp_reservation *r, char *why, size_t len)
{
    for (size_t h = 0; h < r->n_hosts; h++)
        if (!vp_res_nonneg(r->per_host[h]))
            return snprintf(why, len, "negative reservation for host id %zu", h), -1;
    if (!vp_res_nonneg(r->pool))
        return snprintf(why, len, "negative pool reservation"), -1;
    return 0;
}

int vp_engine_dry_reserve(vp_engine *e, vp_reservation *out, char *why, size_t len,
                          vp_err *err)
{
    vp_decision_ctx dc = dctx(e, e->prm.reservation_interval);
    *out = (vp_reservation){.n_hosts = vp_pool_host_end(e->pool)};
    if (!(out->per_host = calloc(out->n_hosts + 1, sizeof *out->per_host)))
        return vp_err_set(err, "out of memory");
    if (e->policy->reserve(e->policy->reserve_ctx, e->pool, &dc, out, err))
        return -1;
    return check_reservation(e, out, why, len) ? 1 : 0;
}

static void apply_reservation(vp_engine *e, const vp_reservation *r)
{
    for (vp_id h = 0; h < r->n_hosts; h++)
        if (vp_pool_host(e->pool, h))
            (void)vp_pool_set_reservation(e->pool, h, r->per_host[h], NULL);
    (void)vp_pool_set_pool_reservation(e->pool, r->pool, NULL);
}

/* The reservation's answer, summed, into d. */
static void reserve_result(const vp_reservation *r, vp_decision_info *d)
{
    for (size_t h = 0; h < r->n_hosts; h++)
        d->reserved = vp_res_add(d->reserved, r->per_host[h]);
    d->pool_reserved = r->pool;
}

void vp_engine_reserve_now(vp_engine *e)
{
    vp_reservation r = {.n_hosts = vp_pool_host_end(e->pool)};
    vp_err err = {0};
    char why[VP_ERR_TEXT];
    vp_decision_ctx dc = dctx(e, e->prm.reservation_interval);
    vp_decision_info d = pool_inputs(e->pool);
    r.per_host = calloc(r.n_hosts + 1, sizeof *r.per_host);
    e->last_latency = 0;
    if (!r.per_host)
        return vp_engine_policy_error(e, VP_SLOT_RESERVATION, "out of memory", VP_NONE);
    double t0 = vp_engine_wall();
    int rc = e->policy->reserve(e->policy->reserve_ctx, e->pool, &dc, &r, &err);
    double lat = e->last_latency = vp_engine_wall() - t0;
    vp_engine_count_decision(e, VP_SLOT_RESERVATION, lat);
    if (rc)
        vp_engine_policy_error_d(e, VP_SLOT_RESERVATION, err.text, VP_NONE, &d);
    else if (check_reservation(e, &r, why, sizeof why))
        vp_engine_policy_invalid_d(e, VP_SLOT_RESERVATION, why, VP_NONE, &d);
    else {
        apply_reservation(e, &r);
        reserve_result(&r, &d);
        vp_engine_emit(e, (vp_event){.kind = VP_EV_RESERVED, .slot = VP_SLOT_RESERVATION,
                                     .policy = &e->policy->id[VP_SLOT_RESERVATION],
                                     .vm = VP_NONE, .host = VP_NONE, .to = VP_NONE,
                                     .latency = lat, .reason = r.reason, .decision = &d});
    }
    free(r.per_host);
}
