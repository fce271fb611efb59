/*
 * driver_sim.c - the simulated hypervisor driver.
 *
 * Provides: see driver_sim.h.
 * Uses: driver.h, pool.h, clock.h, trace.h, config.h, array.h.
 *
 * The simulator keeps no hosts or VMs of its own: what runs where is the
 * pool's resident lists, which the engine updates in its done callbacks.
 * The driver only adds the trace row bound to each VM (an array indexed
 * by VM id) and the operations in flight.  Every operation in flight is
 * one malloc'd record holding a one-shot vp_timer, on a doubly linked
 * list so that free() can stop and release them (a finished record is
 * kept on a list of spares for the next operation: a 100x run starts
 * millions); create, destroy and
 * resize fire after a delay of 0 (the next clock tick), a migration after
 * memory / bandwidth seconds (at once, failed, when aborted).  A record is unlinked and freed before its
 * done() runs, so done() may start new operations or even free the driver.
 */
#include "driver_sim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "array.h"

#define NO_ROW SIZE_MAX

typedef struct sim_op sim_op;

typedef struct sim_driver {
    vp_driver base;
    vp_pool *pool;
    vp_clock *clock;
    const vp_trace *trace;
    const vp_config *cfg;
    double trace_start;
    size_t *rows; /* trace row per VM id, NO_ROW if unbound */
    size_t n_rows;
    sim_op *ops;  /* operations in flight */
    sim_op *spare; /* finished records, linked by next */
    sim_op **mig; /* the migration in flight per VM id (n_mig entries), or NULL */
    size_t n_mig;
    size_t n_migrations;
    vp_sim_migration_end_cb on_end;
    void *on_end_ud;
} sim_driver;

struct sim_op {
    vp_timer timer;
    sim_driver *d;
    sim_op *prev, *next;
    bool migration;
    bool aborted;
    vp_id vm, src, dst;
    double started, mib, mib_s; /* migrations: start time, memory, bandwidth */
    vp_driver_done_cb done;
    void *ud;
};

static const vp_driver_ops sim_ops;

/* ====== helpers ====== */

static sim_driver *as_sim(const vp_driver *d)
{
    return d && d->ops == &sim_ops ? (sim_driver *)(void *)d : NULL;
}

static const vp_host *host_of(const sim_driver *s, vp_id host, vp_err *err)
{
    const vp_host *h = vp_pool_host(s->pool, host);
    if (!h)
        vp_err_set(err, "no host with id %u", host);
    return h;
}

static const vp_vm *vm_of(const sim_driver *s, vp_id vm, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(s->pool, vm);
    if (!v)
        vp_err_set(err, "no VM with id %u", vm);
    return v;
}

/* Where the trace is now (one look-up serves every VM sampled). */
static vp_trace_pos trace_now(const sim_driver *s)
{
    return vp_trace_at(s->trace, vp_clock_now(s->clock) - s->trace_start);
}

/* The VM's demand at trace position p: its size, cpu scaled by the trace
 * utilization. */
static vp_res demand_of(const sim_driver *s, const vp_vm *v, vp_trace_pos p)
{
    vp_res r = v->size;
    size_t row = v->id < s->n_rows ? s->rows[v->id] : NO_ROW;
    double u = 0;
    if (row != NO_ROW)
        u = vp_trace_util_at(s->trace, row, p);
    r.v[VP_CPU] = u * v->size.v[VP_CPU];
    return r;
}

/* ====== operations in flight ====== */

static void op_unlink(sim_op *op)
{
    sim_driver *s = op->d;
    if (op->prev)
        op->prev->next = op->next;
    else
        s->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    if (op->migration) {
        s->n_migrations--;
        s->mig[op->vm] = NULL;
    }
}

/* Ends op: status and message are decided before the record is freed. */
static void op_fire(vp_clock *clock, vp_timer *timer, void *ud)
{
    sim_op *op = ud;
    sim_driver *s = op->d;
    char msg[VP_ERR_TEXT];
    int status = op->aborted ? -1 : 0;
    const vp_host *hs[2] = {vp_pool_host(s->pool, op->src), vp_pool_host(s->pool, op->dst)};
    if (op->aborted)
        snprintf(msg, sizeof msg, "aborted on request");
    for (int i = 0; op->migration && status == 0 && i < 2; i++) {
        if (hs[i] && hs[i]->state == VP_HOST_DOWN) {
            snprintf(msg, sizeof msg, "host '%s' went down during the migration", hs[i]->name);
            status = -1;
        }
    }
    if (op->migration && s->on_end)
        s->on_end(s->on_end_ud, op->vm, op->src, op->dst);
    vp_driver_done_cb done = op->done;
    void *done_ud = op->ud;
    op_unlink(op);
    op->next = s->spare;
    s->spare = op;
    done(done_ud, status, status ? msg : NULL);
}

/* Starts a record that calls done after delay seconds. */
static int op_start(sim_driver *s, double delay, sim_op init, vp_err *err)
{
    if (init.migration && vp_array_reserve_zeroed((void **)&s->mig, &s->n_mig,
                                                  (size_t)init.vm + 1, sizeof *s->mig))
        return vp_err_set(err, "out of memory");
    sim_op *op = s->spare ? s->spare : malloc(sizeof *op);
    if (!op)
        return vp_err_set(err, "out of memory");
    if (op == s->spare)
        s->spare = op->next;
    *op = init;
    if (op->migration)
        s->mig[op->vm] = op;
    op->d = s;
    op->prev = NULL;
    op->next = s->ops;
    if (s->ops)
        s->ops->prev = op;
    s->ops = op;
    s->n_migrations += op->migration;
    vp_timer_init(&op->timer, op_fire, op);
    vp_timer_start(s->clock, &op->timer, delay, 0);
    return 0;
}

static int op_simple(sim_driver *s, vp_id vm, vp_driver_done_cb done, void *ud, vp_err *err)
{
    if (!done)
        return vp_err_set(err, "no done callback");
    sim_op init = {.vm = vm, .src = VP_NONE, .dst = VP_NONE, .done = done, .ud = ud};
    return op_start(s, 0, init, err);
}

/* ====== the vtable ====== */

static int sim_open_host(vp_driver *d, vp_id host, const char *uri, vp_err *err)
{
    return host_of(as_sim(d), host, err) ? 0 : -1;
}

static void sim_close_host(vp_driver *d, vp_id host)
{
}

static int sim_list_vms(vp_driver *d, vp_id host, vp_driver_vm_cb cb, void *ud, vp_err *err)
{
    sim_driver *s = as_sim(d);
    const vp_host *h = host_of(s, host, err);
    if (!h)
        return -1;
    for (uint32_t i = 0; i < h->vms.n; i++) {
        const vp_vm *v = vp_pool_vm(s->pool, h->vms.ids[i]);
        vp_driver_vm_info info = {
            .name = v->name,
            .size = v->size,
            .running = v->state == VP_VM_RUNNING || v->state == VP_VM_MIGRATING,
        };
        cb(ud, &info);
    }
    return 0;
}

static int sim_sample(vp_driver *d, vp_id host, vp_driver_sample_cb cb, void *ud, vp_err *err)
{
    sim_driver *s = as_sim(d);
    const vp_host *h = host_of(s, host, err);
    if (!h)
        return -1;
    vp_trace_pos p = trace_now(s);
    for (uint32_t i = 0; i < h->vms.n; i++) {
        const vp_vm *v = vp_pool_vm(s->pool, h->vms.ids[i]);
        cb(ud, v->id, demand_of(s, v, p));
    }
    return 0;
}

static int sim_create(vp_driver *d, vp_id vm, vp_id host, vp_driver_done_cb done, void *ud,
                      vp_err *err)
{
    sim_driver *s = as_sim(d);
    if (!vm_of(s, vm, err) || !host_of(s, host, err))
        return -1;
    return op_simple(s, vm, done, ud, err);
}

static int sim_destroy(vp_driver *d, vp_id vm, vp_driver_done_cb done, void *ud, vp_err *err)
{
    sim_driver *s = as_sim(d);
    if (!vm_of(s, vm, err))
        return -1;
    return op_simple(s, vm, done, ud, err);
}

static int sim_resize(vp_driver *d, vp_id vm, vp_res size, vp_driver_done_cb done, void *ud,
                      vp_err *err)
{
    sim_driver *s = as_sim(d);
    const vp_vm *v = vm_of(s, vm, err);
    if (!v)
        return -1;
    if (!vp_res_nonneg(size))
        return vp_err_set(err, "VM '%s': negative size", v->name);
    return op_simple(s, vm, done, ud, err);
}

/* The migration of vm in flight, or NULL. */
static sim_op *migration_of(const sim_driver *s, vp_id vm)
{
    return s && vm < s->n_mig ? s->mig[vm] : NULL;
}

/* Checks that v can move to dst; returns the bandwidth in MiB/s, or a
 * negative number with err set. */
static double migration_bandwidth(const sim_driver *s, const vp_vm *v, const vp_host *dst,
                                  vp_err *err)
{
    if (v->host == VP_NONE || (v->state != VP_VM_RUNNING && v->state != VP_VM_MIGRATING))
        return vp_err_set(err, "VM '%s' is %s, not running on a host", v->name,
                          vp_vm_state_name(v->state));
    if (v->dest != VP_NONE && v->dest != dst->id)
        return vp_err_set(err, "VM '%s' is migrating to another host", v->name);
    if (migration_of(s, v->id))
        return vp_err_set(err, "VM '%s' is already being migrated", v->name);
    if (dst->id == v->host)
        return vp_err_set(err, "VM '%s' is already on host '%s'", v->name, dst->name);
    const vp_host *src = vp_pool_host(s->pool, v->host);
    if (src->state == VP_HOST_DOWN || dst->state == VP_HOST_DOWN)
        return vp_err_set(err, "host '%s' is down",
                          (src->state == VP_HOST_DOWN ? src : dst)->name);
    double net = dst->capacity.v[VP_NET];
    double share = s->cfg->limits.migration_bandwidth_share;
    if (!(net > 0) || !(share > 0))
        return vp_err_set(err, "host '%s' has no network bandwidth for migrations", dst->name);
    return net * share / 8.0;
}

static int sim_migrate(vp_driver *d, vp_id vm, vp_id dst, vp_driver_done_cb done, void *ud,
                       vp_err *err)
{
    sim_driver *s = as_sim(d);
    const vp_vm *v = vm_of(s, vm, err);
    const vp_host *h = v ? host_of(s, dst, err) : NULL;
    if (!h)
        return -1;
    if (!done)
        return vp_err_set(err, "no done callback");
    double bw = migration_bandwidth(s, v, h, err);
    if (bw < 0)
        return -1;
    sim_op init = {.migration = true, .vm = vm, .src = v->host, .dst = dst, .done = done,
                   .ud = ud, .started = vp_clock_now(s->clock), .mib = v->size.v[VP_MEM],
                   .mib_s = bw};
    return op_start(s, v->size.v[VP_MEM] / bw, init, err);
}

/* The migration ends at once (next clock tick), failed. */
static int sim_abort_migration(vp_driver *d, vp_id vm)
{
    sim_driver *s = as_sim(d);
    sim_op *op = migration_of(s, vm);
    if (!op || op->aborted)
        return -1;
    op->aborted = true;
    vp_timer_start(s->clock, &op->timer, 0, 0);
    return 0;
}

/* A migration copies its memory at a steady rate: elapsed x bandwidth. */
static int sim_migration_progress(vp_driver *d, vp_id vm, vp_driver_mig_progress *out)
{
    sim_driver *s = as_sim(d);
    const sim_op *op = migration_of(s, vm);
    if (!op)
        return -1;
    double t = vp_clock_now(s->clock) - op->started, sent = t * op->mib_s;
    sent = sent < op->mib ? sent : op->mib;
    *out = (vp_driver_mig_progress){t, sent, op->mib - sent, op->mib};
    return 0;
}

static void sim_free(vp_driver *d)
{
    sim_driver *s = as_sim(d);
    if (!s)
        return;
    while (s->ops) {
        sim_op *op = s->ops;
        s->ops = op->next;
        vp_timer_stop(&op->timer);
        free(op);
    }
    while (s->spare) {
        sim_op *op = s->spare;
        s->spare = op->next;
        free(op);
    }
    free(s->rows);
    free(s->mig);
    free(s);
}

static const vp_driver_ops sim_ops = {
    .name = "sim",
    .open_host = sim_open_host,
    .close_host = sim_close_host,
    .list_vms = sim_list_vms,
    .sample = sim_sample,
    .sample_in_parallel = true, /* it only reads the trace and the VMs */
    .create = sim_create,
    .destroy = sim_destroy,
    .migrate = sim_migrate,
    .migration_progress = sim_migration_progress,
    .resize = sim_resize,
    .abort_migration = sim_abort_migration,
    .free = sim_free,
};

/* ====== public ====== */

vp_driver *vp_sim_driver_new(vp_pool *pool, vp_clock *clock, const vp_trace *trace,
                             const vp_config *cfg, double trace_start, vp_err *err)
{
    if (!pool || !clock || !cfg)
        return vp_err_set(err, "the simulated driver needs a pool, a clock and a config"), NULL;
    sim_driver *s = calloc(1, sizeof *s);
    if (!s)
        return vp_err_set(err, "out of memory"), NULL;
    s->base.ops = &sim_ops;
    s->pool = pool;
    s->clock = clock;
    s->trace = trace;
    s->cfg = cfg;
    s->trace_start = trace_start;
    return &s->base;
}

/* Makes rows[vm] addressable, new entries unbound. */
static int grow_rows(sim_driver *s, vp_id vm)
{
    if (vm < s->n_rows)
        return 0;
    size_t n = s->n_rows ? s->n_rows : 64;
    while (n <= vm)
        n *= 2;
    size_t *rows = realloc(s->rows, n * sizeof *rows);
    if (!rows)
        return -1;
    for (size_t i = s->n_rows; i < n; i++)
        rows[i] = NO_ROW;
    s->rows = rows;
    s->n_rows = n;
    return 0;
}

size_t vp_sim_driver_row(const vp_driver *d, vp_id vm)
{
    const sim_driver *s = as_sim(d);
    return s && vm < s->n_rows ? s->rows[vm] : NO_ROW;
}

void vp_sim_driver_on_migration_end(vp_driver *d, vp_sim_migration_end_cb cb, void *ud)
{
    sim_driver *s = as_sim(d);
    if (s) {
        s->on_end = cb;
        s->on_end_ud = ud;
    }
}

int vp_sim_driver_bind(vp_driver *d, vp_id vm, size_t row, vp_err *err)
{
    sim_driver *s = as_sim(d);
    if (!s)
        return vp_err_set(err, "not a simulated driver");
    if (!vm_of(s, vm, err))
        return -1;
    if (!s->trace || row >= s->trace->n_vms)
        return vp_err_set(err, "trace row %zu out of range (the trace has %zu VMs)", row,
                          s->trace ? s->trace->n_vms : 0);
    if (grow_rows(s, vm))
        return vp_err_set(err, "out of memory");
    s->rows[vm] = row;
    return 0;
}

size_t vp_sim_driver_in_flight(const vp_driver *d)
{
    const sim_driver *s = as_sim(d);
    return s ? s->n_migrations : 0;
}
