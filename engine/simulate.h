/*
 * simulate.h - a whole simulation run from a config.
 *
 * Provides: vp_simulate(), which builds the pool from the config's
 * simulated hosts, loads the trace, makes one VM per trace file (typed by
 * the config's rule), submits them all at time 0, and runs the engine
 * with the sim driver on a virtual clock for the configured duration,
 * measuring energy (from the host types' power tables), active hosts,
 * overload and SLA violation at every sample round.
 * Uses: config.h, pool.h, clock.h, trace.h, driver_sim.h, engine.h,
 * power.h.
 *
 * Metrics, over the interval between two consecutive sample rounds, for
 * the hosts that held VMs (were active) at the earlier round:
 *   energy       trapezoid of P(u) at both rounds x the interval; hosts
 *                without VMs are switched off (0 W); u = min(1, cpu
 *                demand / cpu capacity); P from the host's power table;
 *   overload     share of active host-time whose cpu demand (at the
 *                earlier round) exceeded the cpu capacity;
 *   SLA violation share of requested cpu-time that could not be served
 *                (demand above capacity), same weighting.
 */
#ifndef VP_SIMULATE_H
#define VP_SIMULATE_H

#include "cloudsim.h"
#include "config.h"
#include "engine.h"
#include "policy.h"
#include "trace.h"

typedef struct vp_sim_summary {
    size_t hosts, vms;
    double duration, step;  /* simulated seconds */
    vp_engine_stats engine;
    bool has_power;
    double energy_kwh;
    double active_hosts_mean;
    size_t active_hosts_min, active_hosts_max;
    double overload_frac;   /* of active host-time */
    double sla_violation;   /* of requested cpu-time */
    size_t rounds;
    double wall_seconds;
    size_t vms_unplaced_at_end;
    bool cloudsim;          /* the cloudsim model ran: cs holds its metrics */
    vp_csm_metrics cs;
} vp_sim_summary;

/* Called about every 1 % of simulated time with the fraction done. */
typedef void (*vp_sim_progress_cb)(void *ud, double frac, double sim_time);

/* One sample round, for time series (CSV, plots). */
typedef struct vp_sim_round {
    double time;             /* s */
    size_t active_hosts;     /* hosts holding VMs */
    double power_w;          /* sum of P(cpu allocated / capacity) over active hosts */
    size_t overloaded_hosts; /* cpu demand above capacity */
    size_t migrations;       /* started since the previous round */
    double sla_violation;    /* share of the cpu requested over the last interval not served */
} vp_sim_round;

typedef void (*vp_sim_round_cb)(void *ud, const vp_sim_round *round);

typedef struct vp_sim_hooks {
    vp_sim_progress_cb progress;
    vp_event_cb on_event; /* every engine event, after the metrics saw it */
    void *ud;
    vp_sim_round_cb on_round; /* optional: every sample round */
} vp_sim_hooks;

/* The parts of a trace-driven engine, built from a config: used by
 * vp_simulate() on a virtual clock and by `vmpilot serve` in real time. */
typedef struct vp_sim_world {
    vp_pool *pool;
    vp_trace *trace;
    vp_driver *driver;
    vp_engine *engine;
    vp_csm *csm;     /* the cloudsim model's accounting, or NULL */
    double duration; /* the config's, or the trace's length */
} vp_sim_world;

/* The cloudsim model's rounds run at this offset + k x interval (k >= 1):
 * CloudSim's broker submits the workload 0.1 s after creating the VMs. */
#define VP_CSM_OFFSET 0.1

/* Builds hosts, VMs (one per trace file, bound to its row) and the engine
 * on clock (borrowed), with the trace starting at the clock's now, for
 * `serve`: the engine's own accounting (simulation.model applies to
 * vp_simulate only).  On failure everything built is freed. */
int vp_sim_world_build(vp_sim_world *w, const vp_config *cfg, vp_clock *clock,
                       const vp_policy *policy, vp_err *err);

/* Submits every VM for placement as one batch (the placement policy may
 * order it) and starts the engine's periodic work. */
void vp_sim_world_start(vp_sim_world *w);

void vp_sim_world_free(vp_sim_world *w);

/* Runs cfg (which must be simulated and have a simulation section and VM
 * types) with policy.  hooks may be NULL.  0 with *out filled, or -1. */
int vp_simulate(const vp_config *cfg, const vp_policy *policy, const vp_sim_hooks *hooks,
                vp_sim_summary *out, vp_err *err);

/* The config `vmpilot simulate` runs when given none: the shipped day of
 * PlanetLab traces on the 800-host, 4-VM-type model.  Returns a static
 * JSON text; relative paths in it are relative to vp_default_config_dir(). */
const char *vp_default_config_text(void);
const char *vp_default_config_dir(void);

#endif
