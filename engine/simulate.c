/*
 * simulate.c - one simulation run: build, run, measure.
 *
 * Provides: vp_simulate() (see simulate.h).
 * Uses: config.h, pool.h, clock.h, trace.h, driver_sim.h, engine.h,
 * power.h.
 */
#include "simulate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_sim.h"
#include "power.h"
#include "trace.h"

/* Everything one run owns. */
typedef struct run {
    const vp_config *cfg;
    const vp_sim_hooks *hooks;
    vp_sim_world w;
    vp_pool *pool; /* = w.pool */
    vp_clock *clock;
    vp_timer progress_t;
    vp_timer settle_t; /* cloudsim: the update after a completion instant */
    bool settle_armed;
    /* metrics */
    double *prev_u;      /* utilization at the previous round, -1 = inactive */
    double *prev_demand; /* cpu demand at the previous round */
    double last_round;
    double energy_ws, active_sum, active_time, over_time, req_cpu_s, lost_cpu_s;
    size_t active_min, active_max, rounds;
    vp_sim_round now;   /* the round being accounted */
    size_t migrations;  /* started since the last round */
    vp_power_curves curves; /* of the hosts' power tables */
} run;

static int build_hosts(vp_sim_world *w, const vp_config *cfg, vp_err *err)
{
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        const vp_host_conf *hc = &cfg->hosts[i];
        const vp_host_type *t = &cfg->host_types[hc->type];
        vp_id id = vp_pool_add_host(w->pool, hc->name, t->capacity, t->overcommit, err);
        if (id == VP_NONE)
            return -1;
        vp_pool_set_host_type(w->pool, id, hc->type);
        vp_pool_set_host_model(w->pool, id, t->name, t->has_power ? t->power : NULL);
        vp_pool_set_host_cores(w->pool, id, t->cores);
        if (w->driver->ops->open_host(w->driver, id, NULL, err))
            return -1;
    }
    return 0;
}

static size_t vm_type_of(const vp_config *cfg, size_t i, size_t n)
{
    size_t t = cfg->n_vm_types;
    if (cfg->sim.vm_types == VP_VMTYPES_ROUND_ROBIN)
        return i % t;
    size_t block = (n + t - 1) / t;
    return i / block;
}

/* One VM per trace file; with replicate = R, R copies of the whole set
 * (copy c of file f is named "f#c" and keeps f's type). */
static int build_vms(vp_sim_world *w, const vp_config *cfg, vp_err *err)
{
    size_t n = w->trace->n_vms, copies = cfg->sim.replicate ? cfg->sim.replicate : 1;
    char name[512];
    for (size_t k = 0; k < n * copies; k++) {
        size_t i = k % n, c = k / n, type = vm_type_of(cfg, i, n);
        if (c)
            snprintf(name, sizeof name, "%s#%zu", w->trace->names[i], c);
        vp_id id = vp_pool_add_vm(w->pool, c ? name : w->trace->names[i],
                                  cfg->vm_types[type].size, err);
        if (id == VP_NONE || vp_sim_driver_bind(w->driver, id, i, err))
            return -1;
        vp_pool_set_vm_type(w->pool, id, (int)type);
    }
    return 0;
}

static size_t row_of(const void *driver, vp_id vm)
{
    return vp_sim_driver_row(driver, vm);
}

static int check_simulated(const vp_config *cfg, vp_err *err)
{
    if (!cfg->simulated || !cfg->sim.trace)
        return vp_err_set(err, "%s: needs simulated hosts and a \"simulation\" section with a "
                          "trace", cfg->path);
    if (cfg->n_vm_types == 0)
        return vp_err_set(err, "%s: a trace-driven run needs \"vm_types\"", cfg->path);
    return 0;
}

/* model: the config's simulation model applies (vp_simulate); serve
 * replays a trace with the engine's own accounting. */
static int build_world(vp_sim_world *w, const vp_config *cfg, vp_clock *clock,
                       const vp_policy *policy, bool model, vp_err *err)
{
    memset(w, 0, sizeof *w);
    if (check_simulated(cfg, err))
        return -1;
    w->trace = vp_trace_load(cfg->sim.trace, cfg->sim.order, cfg->sim.step, cfg->sim.max_vms, err);
    if (!w->trace)
        return -1;
    w->duration = cfg->sim.duration > 0 ? cfg->sim.duration : w->trace->n_samples * cfg->sim.step;
    if (!(w->pool = vp_pool_new()))
        return vp_sim_world_free(w), vp_err_set(err, "out of memory");
    vp_pool_set_history_length(w->pool, (uint32_t)cfg->limits.history_samples);
    w->driver = vp_sim_driver_new(w->pool, clock, w->trace, cfg, vp_clock_now(clock), err);
    bool cs = model && cfg->sim.model == VP_SIM_CLOUDSIM;
    vp_engine_params prm = vp_engine_params_of(cfg);
    prm.first_round = cs ? VP_CSM_OFFSET + cfg->intervals.sample : 0;
    if (!w->driver || build_hosts(w, cfg, err) || build_vms(w, cfg, err) ||
        !(w->engine = vp_engine_new(w->pool, clock, w->driver, policy, &prm, err)))
        return vp_sim_world_free(w), -1;
    if (cs && !(w->csm = vp_csm_new(w->pool, w->trace, vp_clock_now(clock), row_of, w->driver,
                                    cfg->sim.energy == VP_ENERGY_ALWAYS_ON)))
        return vp_sim_world_free(w), vp_err_set(err, "out of memory");
    return 0;
}

int vp_sim_world_build(vp_sim_world *w, const vp_config *cfg, vp_clock *clock,
                       const vp_policy *policy, vp_err *err)
{
    return build_world(w, cfg, clock, policy, false, err);
}

void vp_sim_world_start(vp_sim_world *w)
{
    size_t n = vp_pool_vm_end(w->pool);
    vp_id *all = malloc((n ? n : 1) * sizeof *all);
    for (vp_id v = 0; v < n; v++)
        if (all)
            all[v] = v;
        else /* no memory for a batch: one by one, in id order */
            (void)vp_engine_submit(w->engine, v, NULL);
    if (all)
        (void)vp_engine_submit_batch(w->engine, all, n);
    free(all);
    vp_engine_start(w->engine);
}

void vp_sim_world_free(vp_sim_world *w)
{
    vp_csm_free(w->csm);
    vp_engine_free(w->engine);
    if (w->driver)
        w->driver->ops->free(w->driver);
    vp_pool_free(w->pool);
    vp_trace_free(w->trace);
    memset(w, 0, sizeof *w);
}

/* ====== metrics, at every sample round ====== */

static double host_util(const vp_host *h)
{
    double cap = h->capacity.v[VP_CPU];
    double u = cap > 0 ? h->demand.v[VP_CPU] / cap : 0;
    return u > 1 ? 1 : u;
}

/* Accounts host h over the dt seconds since the previous round, from
 * what it was at that round (energy: trapezoid with now), then records
 * what it is now.  prev_u < 0 means it held no VM (switched off). */
static void account_host(run *r, const vp_host *h, double dt, size_t *active)
{
    double prev = r->prev_u[h->id], u = host_util(h);
    if (prev >= 0) {
        if (h->power)
            r->energy_ws += (vp_power_by(&r->curves, h->power, prev) +
                             vp_power_by(&r->curves, h->power, u)) / 2 * dt;
        r->active_time += dt;
        r->req_cpu_s += r->prev_demand[h->id] * dt;
        if (r->prev_demand[h->id] > h->capacity.v[VP_CPU]) {
            r->over_time += dt;
            r->lost_cpu_s += (r->prev_demand[h->id] - h->capacity.v[VP_CPU]) * dt;
        }
    }
    bool on = h->vms.n > 0;
    r->prev_u[h->id] = on ? u : -1;
    r->prev_demand[h->id] = h->demand.v[VP_CPU];
    *active += on;
    double cap = h->capacity.v[VP_CPU], ua = cap > 0 ? h->allocated.v[VP_CPU] / cap : 0;
    if (on && h->power)
        r->now.power_w += vp_power_by(&r->curves, h->power, ua < 1 ? ua : 1);
    r->now.overloaded_hosts += h->demand.v[VP_CPU] > cap;
}

static void on_round(run *r)
{
    double now = vp_clock_now(r->clock), dt = r->rounds ? now - r->last_round : 0;
    double req0 = r->req_cpu_s, lost0 = r->lost_cpu_s;
    size_t active = 0;
    r->now = (vp_sim_round){.time = now, .migrations = r->migrations};
    r->migrations = 0;
    for (vp_id h = 0; h < vp_pool_host_end(r->pool); h++)
        account_host(r, vp_pool_host(r->pool, h), dt, &active);
    r->now.active_hosts = active;
    r->now.sla_violation = r->req_cpu_s > req0 ? (r->lost_cpu_s - lost0) / (r->req_cpu_s - req0) : 0;
    if (r->hooks && r->hooks->on_round)
        r->hooks->on_round(r->hooks->ud, &r->now);
    r->active_sum += (double)active;
    if (r->rounds == 0 || active < r->active_min)
        r->active_min = active;
    if (active > r->active_max)
        r->active_max = active;
    r->last_round = now;
    r->rounds++;
}

/* ====== the cloudsim model's updates ====== */

/* An update of the model at now by fn (vp_csm_update_all after a sample
 * round, which re-granted every host its demand; else _busy or, after
 * migrations completed, _changed); the VMs whose request fell to 0 are
 * removed. */
typedef size_t (*csm_update_fn)(vp_csm *m, double t, const vp_id **idle);

static void csm_update(run *r, csm_update_fn fn)
{
    const vp_id *idle;
    size_t n = fn(r->w.csm, vp_clock_now(r->clock), &idle);
    for (size_t i = 0; i < n; i++)
        (void)vp_engine_remove_vm(r->w.engine, idle[i], "its cpu demand fell to 0", NULL);
}

/* Before the first migration completing at an instant moves its VM. */
static void csm_before_completion(void *ud, vp_id vm, vp_id src, vp_id dst)
{
    run *r = ud;
    vp_csm_flush(r->w.csm); /* the hosts of migrations started, before this one ends */
    if (vp_clock_now(r->clock) > vp_csm_last_update(r->w.csm))
        csm_update(r, vp_csm_update_busy);
}

/* After the last migration completing at an instant (a 0-delay timer runs
 * after every completion already due then). */
static void csm_settle(vp_clock *c, vp_timer *t, void *ud)
{
    run *r = ud;
    r->settle_armed = false;
    csm_update(r, vp_csm_update_changed);
}

static void csm_observe(run *r, const vp_event *ev)
{
    vp_csm *m = r->w.csm;
    double now = vp_clock_now(r->clock);
    switch (ev->kind) {
    case VP_EV_SAMPLED:
        csm_update(r, vp_csm_update_all);
        break;
    case VP_EV_MIGRATION_SUPERSEDED:
        (void)vp_csm_phantom(m, ev->vm, ev->to);
        vp_csm_defer_host(m, ev->to, now);
        vp_csm_defer_host(m, ev->host, now);
        break;
    case VP_EV_MIGRATION_STARTED: /* the hosts of a round's migrations: updated together */
        vp_csm_count_migration(m);
        vp_csm_defer_host(m, ev->host, now);
        vp_csm_defer_host(m, ev->to, now);
        break;
    case VP_EV_MIGRATION_DROPPED: /* its superseded targets go with it */
    case VP_EV_VM_REMOVED:
        vp_csm_migration_ended(m, ev->vm);
        break;
    case VP_EV_MIGRATION_DONE:
    case VP_EV_MIGRATION_FAILED:
        vp_csm_migration_ended(m, ev->vm);
        if (!r->settle_armed) {
            r->settle_armed = true;
            vp_timer_start(r->clock, &r->settle_t, 0, 0);
        }
        break;
    default:
        break;
    }
}

static void observe(void *ud, const vp_engine *e, const vp_event *ev)
{
    run *r = ud;
    if (r->w.csm)
        csm_observe(r, ev);
    r->migrations += ev->kind == VP_EV_MIGRATION_STARTED ||
                     (r->w.csm && ev->kind == VP_EV_MIGRATION_SUPERSEDED);
    if (ev->kind == VP_EV_SAMPLED)
        on_round(r);
    if (r->hooks && r->hooks->on_event)
        r->hooks->on_event(r->hooks->ud, e, ev);
}

static void progress_cb(vp_clock *c, vp_timer *t, void *ud)
{
    run *r = ud;
    if (r->hooks && r->hooks->progress)
        r->hooks->progress(r->hooks->ud, vp_clock_now(c) / r->w.duration, vp_clock_now(c));
}

/* ====== the run ====== */

static void summarize(const run *r, vp_sim_summary *out)
{
    memset(out, 0, sizeof *out);
    out->hosts = vp_pool_host_count(r->pool);
    out->vms = r->w.trace->n_vms * (r->cfg->sim.replicate ? r->cfg->sim.replicate : 1);
    out->duration = r->w.duration;
    out->step = r->cfg->sim.step;
    out->engine = *vp_engine_stats_get(r->w.engine);
    for (size_t t = 0; t < r->cfg->n_host_types; t++)
        out->has_power = out->has_power || r->cfg->host_types[t].has_power;
    out->energy_kwh = r->energy_ws / 3.6e6;
    out->rounds = r->rounds;
    out->active_hosts_mean = r->rounds ? r->active_sum / r->rounds : 0;
    out->active_hosts_min = r->active_min;
    out->active_hosts_max = r->active_max;
    out->overload_frac = r->active_time > 0 ? r->over_time / r->active_time : 0;
    out->sla_violation = r->req_cpu_s > 0 ? r->lost_cpu_s / r->req_cpu_s : 0;
    for (vp_id v = 0; v < vp_pool_vm_end(r->pool); v++) {
        const vp_vm *vm = vp_pool_vm(r->pool, v);
        out->vms_unplaced_at_end += vm && vm->state == VP_VM_PENDING;
    }
    if (r->w.csm) {
        out->cloudsim = true;
        vp_csm_metrics_get(r->w.csm, &out->cs);
        out->energy_kwh = out->cs.energy_ws / 3.6e6;
    }
}

static void run_loop(run *r)
{
    double d = r->w.duration;
    vp_engine_set_observer(r->w.engine, observe, r);
    vp_timer_init(&r->progress_t, progress_cb, r);
    vp_timer_init(&r->settle_t, csm_settle, r);
    vp_timer_start(r->clock, &r->progress_t, d / 100, d / 100);
    if (r->w.csm)
        vp_sim_driver_on_migration_end(r->w.driver, csm_before_completion, r);
    vp_sim_world_start(&r->w);
    vp_clock_run(r->clock, d);
    if (r->w.csm)
        vp_csm_flush(r->w.csm); /* migrations started at the last instant */
    vp_timer_stop(&r->progress_t);
    vp_timer_stop(&r->settle_t);
}

int vp_simulate(const vp_config *cfg, const vp_policy *policy, const vp_sim_hooks *hooks,
                vp_sim_summary *out, vp_err *err)
{
    run r = {.cfg = cfg, .hooks = hooks};
    double t0 = vp_engine_wall();
    r.clock = vp_clock_new_sim(0);
    r.prev_u = malloc((cfg->n_hosts + 1) * sizeof *r.prev_u);
    r.prev_demand = calloc(cfg->n_hosts + 1, sizeof *r.prev_demand);
    int rc = !r.clock || !r.prev_u || !r.prev_demand ? vp_err_set(err, "out of memory")
                                   : build_world(&r.w, cfg, r.clock, policy, true, err);
    if (rc == 0) {
        r.pool = r.w.pool;
        for (size_t i = 0; i < cfg->n_hosts; i++)
            r.prev_u[i] = -1;
        run_loop(&r);
        summarize(&r, out);
        out->wall_seconds = vp_engine_wall() - t0;
    }
    vp_sim_world_free(&r.w);
    vp_clock_free(r.clock);
    free(r.prev_u);
    free(r.prev_demand);
    return rc;
}
