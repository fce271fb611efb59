/*
 * driver_sim.h - the simulated hypervisor driver.
 *
 * Provides: a vp_driver whose hosts and VMs live in this process.  A VM's
 * CPU demand follows its row of a PlanetLab trace (vp_trace) at the
 * clock's time; its memory demand is its size.  Create, destroy and
 * resize complete on the next clock tick; a migration takes
 * memory / bandwidth seconds of clock time, where bandwidth is the
 * destination host's network capacity (Mbit/s) x the configured share / 8
 * (MiB/s), and completes through the same asynchronous done callback a
 * real driver uses.  A migration whose source or destination is down when
 * it completes fails.  migrate() is called after vp_pool_begin_migration
 * (the VM is already migrating to dst in the pool).
 * vp_sim_driver_in_flight counts migrations only.
 * Uses: driver.h, pool.h, clock.h, trace.h, config.h.
 */
#ifndef VP_DRIVER_SIM_H
#define VP_DRIVER_SIM_H

#include "clock.h"
#include "config.h"
#include "driver.h"
#include "trace.h"

/* pool, clock, trace and cfg are borrowed and must outlive the driver.
 * trace_start is the clock time at which the trace's sample 0 applies. */
vp_driver *vp_sim_driver_new(vp_pool *pool, vp_clock *clock, const vp_trace *trace,
                             const vp_config *cfg, double trace_start, vp_err *err) VP_WUR;

/* Binds pool VM vm to trace row `row` (< trace->n_vms). */
int vp_sim_driver_bind(vp_driver *d, vp_id vm, size_t row, vp_err *err);

/* Trace row bound to vm, or SIZE_MAX if none. */
size_t vp_sim_driver_row(const vp_driver *d, vp_id vm);

/* cb is called when a migration is about to complete (at its completion
 * time, before done(), so before the engine moves the VM in the pool);
 * a simulator's metrics integrate up to that instant there.  NULL: none. */
typedef void (*vp_sim_migration_end_cb)(void *ud, vp_id vm, vp_id src, vp_id dst);
void vp_sim_driver_on_migration_end(vp_driver *d, vp_sim_migration_end_cb cb, void *ud);

/* Migrations started and not yet completed. */
size_t vp_sim_driver_in_flight(const vp_driver *d);

#endif
