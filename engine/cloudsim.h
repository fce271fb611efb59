/*
 * cloudsim.h - the CloudSim 3.0.3 host model and the metrics of the
 * PlanetLab consolidation experiment, for the simulator.
 *
 * Provides: vp_csm, which follows a simulated pool the way CloudSim's
 * PowerDatacenter, HostDynamicWorkload and
 * VmSchedulerTimeSharedOverSubscription account it (the model:
 * docs/simulate.md, "The CloudSim model"):
 *   requests     a VM requests util(t) x its cpu size, util interpolated
 *                from its trace row at the update time t;
 *   cpu share    every request is capped at one core; when a host's capped
 *                requests (a VM migrating in counted at 10 %) exceed its
 *                capacity, every VM gets floor(request x capacity / sum);
 *                a VM migrating away gets 90 % of its share and counts at
 *                100 % on its source; one migrating in gets (and costs its
 *                destination) 10 % of its request;
 *   updates      at every round, at each migration start (both hosts), and
 *                at each migration completion time (all hosts, before and
 *                after the VMs move); a round or completion update also
 *                integrates energy since the previous one;
 *   metrics      energy (trapezoid of the power at both ends of every
 *                interval; 0 when the host had no load at its start, i.e.
 *                it was off; or, non-power-aware, every host at full power
 *                all the time), SLATAH, PDM, SLAV, overall and average SLA
 *                violation, host shutdowns and migration times, from
 *                CloudSim's host and VM state histories (an entry at the
 *                time of the previous one replaces it).
 * The model sets vm->allocated and host->allocated (cpu) in the pool, so
 * policies see what CloudSim's do.  A migration the engine superseded in
 * the same balance result is a "phantom": CloudSim starts every entry of
 * its migration map, so the earlier destination carries the VM's 10 % for
 * the migration's duration and the migration counts.
 * Uses: pool.h, trace.h, power.h.
 */
#ifndef VP_CLOUDSIM_H
#define VP_CLOUDSIM_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "trace.h"

typedef struct vp_csm vp_csm;

typedef struct vp_csm_metrics {
    double energy_ws;          /* watt-seconds */
    uint64_t migrations;       /* started, phantoms included */
    uint64_t phantoms;
    double slatah;             /* fraction of active host-time with allocated < requested */
    double pdm;                /* cpu lost to migrations / cpu requested */
    double slav;               /* slatah x pdm */
    double overall_sla;        /* (requested - allocated) / requested cpu-time */
    double average_sla;        /* mean shortfall of under-served (VM, interval) pairs */
    uint64_t shutdowns;
    double shutdown_time_mean, shutdown_time_sd; /* s from switch-on to shutdown */
    double migration_time_mean, migration_time_sd; /* s a VM spent migrating, per move */
    uint64_t vms_removed;
} vp_csm_metrics;

/* row_of(ud, vm) gives the trace row of a VM (SIZE_MAX: none, request 0).
 * pool and trace are borrowed.  trace_start: clock time of sample 0. */
typedef size_t (*vp_csm_row_fn)(const void *ud, vp_id vm);
vp_csm *vp_csm_new(vp_pool *pool, const vp_trace *trace, double trace_start,
                   vp_csm_row_fn row_of, const void *row_ud, bool non_power_aware);
void vp_csm_free(vp_csm *m);

/* How updates run: 1 on the caller's thread only; 2 in two parts, the
 * second on a worker thread, when an update has at least 1024 hosts that
 * may need work; 0 (the default) as 2 when the process may use two CPUs,
 * else as 1.  The figures are the same to the last bit either way. */
void vp_csm_set_threads(vp_csm *m, int n);

/* Re-allocates every host at t; integrates energy since the previous
 * whole update when t is later.  Then *idle (owned by m, valid until the
 * next call) lists the running VMs whose request is 0 (CloudSim removes
 * them); returns how many. */
size_t vp_csm_update_all(vp_csm *m, double t, const vp_id **idle);

/* The same, but skipping the hosts found idle (empty, inactive, at 0) at
 * an earlier update that have gained no VM since: their update would
 * change nothing but the time of their pending entry, which no metric
 * reads.  Only between two sample rounds: a round re-grants every host
 * its demand (vp_pool_sample_done), which vp_csm_update_all then
 * corrects. */
size_t vp_csm_update_busy(vp_csm *m, double t, const vp_id **idle);

/* After an update at t, the hosts whose VMs changed since (vp_pool_on_change,
 * phantoms come and gone) updated again at t: the others' update would
 * give what the last one did (same VMs, same requests, no time to
 * integrate).  At a later t, vp_csm_update_busy. */
size_t vp_csm_update_changed(vp_csm *m, double t, const vp_id **idle);

/* Re-allocates one host at t (a migration started there). */
void vp_csm_update_host(vp_csm *m, vp_id host, double t);

/* vp_csm_update_host at t, for a host whose VMs changed at the time of
 * the last update (a migration started there): deferred until the next
 * call into the model or vp_csm_flush, so that a host in many such
 * changes at one instant is updated once, and many hosts together (two
 * parts, see vp_csm_set_threads).  Meanwhile the pool's allocated figures
 * of those hosts and their VMs are the earlier ones.  At another t: at
 * once. */
void vp_csm_defer_host(vp_csm *m, vp_id host, double t);

/* Updates the deferred hosts now. */
void vp_csm_flush(vp_csm *m);

/* vm, migrating from its host, also goes to `host` until its migration
 * ends (see phantoms above).  -1 on out of memory. */
int vp_csm_phantom(vp_csm *m, vp_id vm, vp_id host);

/* The VM's migration ended (or it was removed): its phantoms go. */
void vp_csm_migration_ended(vp_csm *m, vp_id vm);

/* Time of the last whole update. */
double vp_csm_last_update(const vp_csm *m);

/* Counts a started migration; the figures so far, closing the histories
 * at their last entries (call after the run, and after vp_csm_flush if
 * hosts were deferred: their last entries are not made yet). */
void vp_csm_count_migration(vp_csm *m);
void vp_csm_metrics_get(const vp_csm *m, vp_csm_metrics *out);

#endif
