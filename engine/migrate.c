/*
 * migrate.c - the migration executor.
 *
 * Provides: a queue of proposed migrations.  Each is admitted when the
 * concurrency limits allow (per host, counting both ends, and for the
 * pool) and the migrate_when slot says "now"; then the pool holds the
 * VM's size on the destination (vp_pool_begin_migration) and the driver
 * migrates it.  On completion the pool moves the VM (end_migration); on
 * failure it stays on its source (abort_migration).  "later" re-asks
 * after the delay, "never" drops the proposal; a proposal that is no
 * longer valid (VM gone or moved, destination full) is dropped with the
 * reason.  A new proposal for a VM replaces a queued one.  A waiting
 * proposal can be withdrawn, a running migration aborted through the
 * driver (it then ends as migration_failed).
 * Uses: engine_int.h, pool.h, driver.h, clock.h, policy.h.
 */
#include "engine_int.h"

#include "array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vp_event mig_event(const vp_mig *m, vp_event_kind kind, const char *reason)
{
    return (vp_event){.kind = kind, .slot = VP_SLOT_MIGRATION,
                      .policy = &m->e->policy->id[VP_SLOT_MIGRATION], .vm = m->vm,
                      .host = m->from, .to = m->to, .latency = m->latency, .reason = reason};
}

/* The migration of vm, queued or running, or NULL. */
static vp_mig *mig_for(const vp_engine *e, vp_id vm)
{
    return vm < e->mig_of_n ? e->mig_of[vm] : NULL;
}

static void mig_remove(vp_engine *e, size_t i)
{
    if (mig_for(e, e->migs[i]->vm) == e->migs[i])
        e->mig_of[e->migs[i]->vm] = NULL;
    free(e->migs[i]);
    if (i < e->nmigs / 2) { /* the shorter side moves: the oldest usually end first */
        memmove(&e->migs[1], &e->migs[0], i * sizeof *e->migs);
        e->migs++;
        e->migs_off++;
    } else {
        memmove(&e->migs[i], &e->migs[i + 1], (e->nmigs - i - 1) * sizeof *e->migs);
    }
    e->nmigs--;
}

/* Room in migs for one more at its end: the list moved to the buffer's
 * start, or the buffer grown.  -1 on out of memory. */
static int migs_reserve(vp_engine *e)
{
    if (e->migs_off + e->nmigs < e->capmigs)
        return 0;
    if (e->migs_off > e->nmigs) { /* half or more of the buffer is free in front */
        memmove(e->migs_buf, e->migs, e->nmigs * sizeof *e->migs);
        e->migs_off = 0;
        e->migs = e->migs_buf;
        return 0;
    }
    if (vp_array_reserve((void **)&e->migs_buf, &e->capmigs, e->migs_off + e->nmigs + 1,
                         sizeof *e->migs_buf))
        return -1;
    e->migs = e->migs_buf + e->migs_off;
    return 0;
}

/* m's index in migs (sorted by seq: appended in order, removed in place),
 * or nmigs if it is not there. */
static size_t mig_index(const vp_engine *e, const vp_mig *m)
{
    size_t lo = 0, hi = e->nmigs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->migs[mid]->seq < m->seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < e->nmigs && e->migs[lo] == m ? lo : e->nmigs;
}

static void drop(vp_engine *e, size_t i, const char *reason)
{
    e->st.migrations_dropped++;
    vp_engine_emit(e, mig_event(e->migs[i], VP_EV_MIGRATION_DROPPED, reason));
    mig_remove(e, i);
}

/* Dropped on migrate_when's answer: with the decision's inputs. */
static void drop_decided(vp_engine *e, size_t i, const char *reason)
{
    vp_event ev = mig_event(e->migs[i], VP_EV_MIGRATION_DROPPED, reason);
    ev.decision = &e->migs[i]->when;
    e->st.migrations_dropped++;
    vp_engine_emit(e, ev);
    mig_remove(e, i);
}

/* Queued proposal i gives way to a new one for the same VM to `to`. */
static void supersede(vp_engine *e, size_t i, vp_id to)
{
    char reason[VP_REASON];
    const vp_host *h = vp_pool_host(e->pool, to);
    snprintf(reason, sizeof reason, "superseded by a later proposal to '%s'",
             h ? h->name : "?");
    vp_engine_emit(e, mig_event(e->migs[i], VP_EV_MIGRATION_SUPERSEDED, reason));
    mig_remove(e, i);
}

int vp_engine_migration(const vp_engine *e, size_t i, vp_migration_info *out)
{
    if (i >= e->nmigs)
        return -1;
    const vp_mig *m = e->migs[i];
    *out = (vp_migration_info){m->vm,       m->from,   m->to,    m->running, m->proposed,
                               m->started,  m->not_before, m->asked, m->why};
    return 0;
}

int vp_engine_cancel_migration(vp_engine *e, vp_id vm, const char *why, vp_err *err)
{
    const vp_mig *m = mig_for(e, vm);
    if (!m)
        return vp_err_set(err, "no migration queued for VM id %u", vm);
    if (m->running)
        return vp_err_set(err, "the migration is running (vp_engine_abort_migration "
                               "aborts it)");
    drop(e, mig_index(e, m), why);
    return 0;
}

int vp_engine_abort_migration(vp_engine *e, vp_id vm, vp_err *err)
{
    const vp_mig *m = mig_for(e, vm);
    if (!m || !m->running)
        return vp_err_set(err, "VM id %u has no running migration", vm);
    if (!e->driver->ops->abort_migration)
        return vp_err_set(err, "the %s driver cannot abort a running migration",
                          e->driver->ops->name);
    if (e->driver->ops->abort_migration(e->driver, vm))
        return vp_err_set(err, "the %s driver did not accept the abort (the migration may be "
                               "ending)", e->driver->ops->name);
    return 0;
}

bool vp_mig_pending_for(const vp_engine *e, vp_id vm)
{
    return mig_for(e, vm) != NULL;
}

int vp_mig_enqueue(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_err *err)
{
    const vp_mig *old = mig_for(e, vm);
    if (old && old->running)
        return vp_err_set(err, "VM id %u is already migrating", vm);
    if (old)
        supersede(e, mig_index(e, old), to);
    vp_mig *m = calloc(1, sizeof *m);
    if (!m ||
        vp_array_reserve_zeroed((void **)&e->mig_count, &e->mig_count_n, vp_pool_host_end(e->pool),
                       sizeof *e->mig_count) ||
        migs_reserve(e) ||
        vp_array_reserve_zeroed((void **)&e->mig_of, &e->mig_of_n, (size_t)vm + 1, sizeof *e->mig_of))
        return free(m), vp_err_set(err, "out of memory");
    *m = (vp_mig){.e = e, .vm = vm, .from = vp_pool_vm(e->pool, vm)->host, .to = to,
                  .proposed = vp_clock_now(e->clock), .not_before = vp_clock_now(e->clock),
                  .seq = e->mig_seq++};
    snprintf(m->why, sizeof m->why, "%s", why ? why : "");
    m->drain = why && strncmp(why, "drain host '", 12) == 0;
    e->migs[e->nmigs++] = m;
    e->mig_of[vm] = m;
    return 0;
}

void vp_mig_drop_from(vp_engine *e, vp_id host, const char *reason)
{
    for (size_t i = 0; i < e->nmigs;) {
        const vp_mig *m = e->migs[i];
        if (!m->running && m->drain && m->from == host)
            drop(e, i, reason);
        else
            i++;
    }
}

/* ====== completion ====== */

static void finish(vp_mig *m, int status, const char *error)
{
    vp_engine *e = m->e;
    vp_err err = {0};
    double took = vp_clock_now(e->clock) - m->started;
    int rc = status == 0 ? vp_pool_end_migration(e->pool, m->vm, &err)
                         : vp_pool_abort_migration(e->pool, m->vm, &err);
    e->mig_count[m->from]--;
    e->mig_count[m->to]--;
    e->running--;
    vp_event ev = mig_event(m, status == 0 && rc == 0 ? VP_EV_MIGRATION_DONE
                                                      : VP_EV_MIGRATION_FAILED,
                            status ? error : rc ? err.text : m->why);
    ev.duration = took;
    int failed = ev.kind != VP_EV_MIGRATION_DONE;
    e->st.mig_duration[failed][vp_bucket(vp_migration_bounds, VP_MIG_BUCKETS, took)]++;
    e->st.mig_duration_sum[failed] += took;
    if (ev.kind == VP_EV_MIGRATION_DONE && e->driver->ops->migration_stats)
        ev.has_stats = e->driver->ops->migration_stats(e->driver, m->vm, &ev.stats) == 0;
    if (ev.kind == VP_EV_MIGRATION_DONE) {
        e->st.migrations_done++;
        e->st.migration_seconds += took;
    } else {
        e->st.migrations_failed++;
    }
    vp_engine_emit(e, ev);
    mig_remove(e, mig_index(e, m));
}

static void mig_done(void *ud, int status, const char *error)
{
    vp_engine *e = ((vp_mig *)ud)->e;
    finish(ud, status, error ? error : "migration failed");
    if (status == 0)
        vp_drain_plan(e); /* a failed drain move is planned again at the next round */
    vp_mig_pump(e);
}

/* ====== progress ====== */

void vp_mig_progress(vp_engine *e)
{
    for (size_t i = 0; i < e->nmigs; i++) {
        const vp_mig *m = e->migs[i];
        vp_driver_mig_progress p;
        if (!m->running || e->driver->ops->migration_progress(e->driver, m->vm, &p))
            continue;
        char reason[VP_REASON];
        if (p.total_mib > 0 && p.processed_mib >= 0)
            snprintf(reason, sizeof reason, "%.0f of %.0f MiB sent, %.0f MiB to go, %.1f s",
                     p.processed_mib, p.total_mib, p.remaining_mib, p.elapsed_s);
        else
            snprintf(reason, sizeof reason, "running for %.1f s", p.elapsed_s);
        vp_event ev = mig_event(m, VP_EV_MIGRATION_PROGRESS, reason);
        ev.has_progress = true;
        ev.progress = p;
        ev.duration = vp_clock_now(e->clock) - m->started;
        vp_engine_emit(e, ev);
    }
}

/* ====== admission ====== */

static bool within_limits(const vp_engine *e, const vp_mig *m)
{
    int ph = e->prm.migrations_per_host, tot = e->prm.migrations_total;
    if (tot > 0 && e->running >= (size_t)tot)
        return false;
    return ph <= 0 || (e->mig_count[m->from] < (uint32_t)ph && e->mig_count[m->to] < (uint32_t)ph);
}

/* Still valid now?  NULL if so, else why not. */
static const char *stale(const vp_engine *e, const vp_mig *m, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(e->pool, m->vm);
    if (!v || v->state != VP_VM_RUNNING || v->host != m->from)
        return "the VM is no longer running on its source host";
    if (vp_pool_host_fits(e->pool, m->vm, m->to, err) != 0)
        return err->text;
    return NULL;
}

/* Asks migrate_when; returns its answer (errors count and defer). */
static vp_when ask_when(vp_engine *e, vp_mig *m)
{
    vp_when w = {.kind = VP_WHEN_LATER};
    vp_err err = {0};
    vp_migration_req req = {m->vm, m->from, m->to, m->why, m->proposed, m->asked};
    vp_decision_ctx dc = {.now = vp_clock_now(e->clock), .interval = 0};
    m->when = (vp_decision_info){.from = m->from, .to = m->to, .proposed = m->why,
                                 .asked = m->asked++};
    double t0 = vp_engine_wall();
    int rc = e->policy->migrate_when(e->policy->when_ctx, e->pool, &req, &dc, &w, &err);
    m->latency = e->last_latency = vp_engine_wall() - t0;
    vp_engine_count_decision(e, VP_SLOT_MIGRATION, m->latency);
    if (rc || (w.kind == VP_WHEN_LATER && !(w.delay > 0))) {
        if (rc)
            vp_engine_policy_error_d(e, VP_SLOT_MIGRATION, err.text, m->vm, &m->when);
        else
            vp_engine_policy_invalid_d(e, VP_SLOT_MIGRATION,
                                       "\"later\" needs a delay > 0 seconds", m->vm, &m->when);
        w = (vp_when){.kind = VP_WHEN_LATER, .delay = e->prm.balance_interval};
    }
    m->when.when = w.kind;
    m->when.delay = w.kind == VP_WHEN_LATER ? w.delay : 0;
    return w;
}

int vp_engine_dry_when(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_when *out,
                       vp_err *err)
{
    int rc = vp_engine_check_move(e, vm, to, why, err);
    if (rc)
        return rc;
    vp_migration_req req = {vm, vp_pool_vm(e->pool, vm)->host, to, why, vp_clock_now(e->clock), 0};
    vp_decision_ctx dc = {.now = vp_clock_now(e->clock), .interval = 0};
    *out = (vp_when){.kind = VP_WHEN_LATER};
    if (e->policy->migrate_when(e->policy->when_ctx, e->pool, &req, &dc, out, err))
        return -1;
    if (out->kind == VP_WHEN_LATER && !(out->delay > 0))
        return vp_err_set(err, "migrate_when returned an invalid result: \"later\" needs a "
                               "delay > 0 seconds");
    return 0;
}

static int start(vp_engine *e, vp_mig *m, const char *when_reason, vp_err *err)
{
    char reason[2 * VP_REASON + 16];
    if (vp_pool_begin_migration(e->pool, m->vm, m->to, err))
        return -1;
    if (e->driver->ops->migrate(e->driver, m->vm, m->to, mig_done, m, err)) {
        (void)vp_pool_abort_migration(e->pool, m->vm, NULL);
        return -1;
    }
    m->running = true;
    m->started = vp_clock_now(e->clock);
    e->running++;
    e->mig_count[m->from]++;
    e->mig_count[m->to]++;
    e->st.migrations_started++;
    snprintf(reason, sizeof reason, "%s (timing: %s)", m->why, when_reason);
    vp_event ev = mig_event(m, VP_EV_MIGRATION_STARTED, reason);
    ev.decision = &m->when;
    vp_engine_emit(e, ev);
    return 0;
}

static void defer(vp_engine *e, vp_mig *m, double until, const char *reason)
{
    vp_event ev = mig_event(m, VP_EV_MIGRATION_DEFERRED, reason);
    ev.decision = &m->when;
    m->not_before = until;
    e->st.migrations_deferred++;
    vp_engine_emit(e, ev);
}

/* Tries to start queued migration i; it may leave the queue. */
static void admit(vp_engine *e, size_t i)
{
    vp_mig *m = e->migs[i];
    vp_err err = {0};
    const char *why = stale(e, m, &err);
    if (why)
        return drop(e, i, why);
    if (!within_limits(e, m)) {
        if (!m->limit_reported) {
            e->st.migrations_deferred++;
            vp_engine_emit(e, mig_event(m, VP_EV_MIGRATION_DEFERRED, "concurrency limit"));
        }
        m->limit_reported = true;
        return;
    }
    vp_when w = ask_when(e, m);
    if (w.kind == VP_WHEN_NEVER)
        return drop_decided(e, i, w.reason);
    if (w.kind == VP_WHEN_LATER)
        return defer(e, m, vp_clock_now(e->clock) + w.delay, w.reason);
    if (start(e, m, w.reason, &err))
        return drop_decided(e, i, err.text);
}

/* Re-arms the pump timer for the earliest deferred migration. */
static void rearm(vp_engine *e)
{
    double now = vp_clock_now(e->clock), next = -1;
    for (size_t i = 0; i < e->nmigs; i++)
        if (!e->migs[i]->running && e->migs[i]->not_before > now &&
            (next < 0 || e->migs[i]->not_before < next))
            next = e->migs[i]->not_before;
    if (next < 0)
        vp_timer_stop(&e->pump_t);
    else
        vp_timer_start(e->clock, &e->pump_t, next - now, 0);
}

void vp_mig_pump(vp_engine *e)
{
    double now = vp_clock_now(e->clock);
    if (e->stopped)
        return;
    if (e->nmigs == e->running) { /* nothing queued: no scan of the running ones */
        vp_timer_stop(&e->pump_t);
        return;
    }
    for (size_t i = 0; i < e->nmigs;) {
        vp_mig *m = e->migs[i];
        if (!m->running && m->not_before <= now)
            admit(e, i);
        if (i < e->nmigs && e->migs[i] == m)
            i++; /* still queued or started; a dropped one was removed at i */
    }
    rearm(e);
}

void vp_mig_free_all(vp_engine *e)
{
    for (size_t i = 0; i < e->nmigs; i++)
        free(e->migs[i]);
    free(e->migs_buf);
    free(e->mig_of);
    e->migs = e->migs_buf = NULL;
    e->migs_off = 0;
    e->mig_of = NULL;
    e->nmigs = e->capmigs = e->mig_of_n = 0;
}

size_t vp_engine_abort_migrations(vp_engine *e)
{
    size_t n = 0;
    if (!e->driver->ops->abort_migration)
        return 0;
    for (size_t i = 0; i < e->nmigs; i++)
        if (e->migs[i]->running &&
            e->driver->ops->abort_migration(e->driver, e->migs[i]->vm) == 0)
            n++;
    return n;
}
