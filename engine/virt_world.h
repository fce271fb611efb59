/*
 * virt_world.h - the engine on libvirt hosts, built from a config.
 *
 * Provides: vp_virt_world, the libvirt counterpart of vp_sim_world
 * (simulate.h), used by `vmpilot serve` when the config's hosts have a
 * "uri".  Building it opens every host (libvirt's events on the clock's
 * libev loop), sizes it from virNodeGetInfo (cpu = logical CPUs, memory
 * = MiB, overcommit 1), and puts every running domain into the pool as a
 * VM running on its host; the engine samples the hosts and runs the
 * balance/reservation/migration slots on them.
 * Uses: config.h, pool.h, clock.h, engine.h, driver_libvirt.h,
 * virt_events.h.
 *
 * VMs are pool VMs by domain name, unique across hosts (a name found on
 * two hosts fails the build).  Domains that are defined but not running
 * are not in the pool until they start.  A running domain that does not
 * fit its host's capacity in the pool is added but left pending, and
 * reported by vp_virt_world_start as a note "vm_unfit".
 *
 * Lifecycle events keep the pool in step (on the loop thread):
 *   - "stopped" or "undefined" of a domain whose pool VM runs on that
 *     host: the VM is released (state stopped, capacity freed); note
 *     "vm_stopped".  A VM migrating is left to the migration executor; an
 *     event that arrives when a domain of that name runs on the host
 *     again (deleted and re-created in between) is ignored.
 *   - "started" or "defined" of a running domain: a VM the pool does not
 *     know is added and allocated on that host; a stopped (or pending)
 *     pool VM of that name is allocated there again; note "vm_appeared".
 *     If it does not fit it stays pending; note "vm_unfit".
 * A host whose connection drops is marked down (its VMs stay in the pool
 * as they were; note "host_down", vm NULL) and reconnected with back-off
 * (driver_libvirt.h); when it is back (note "host_up") its inventory is
 * reconciled: running domains the pool does not have running there are
 * put there as for "started" ("vm_appeared"), pool VMs running there
 * that the host no longer runs are released ("vm_stopped"); a failed
 * listing is noted "host_reconcile_failed".
 * Notes go to the callback set with vp_virt_world_set_note_cb.  The
 * world registers itself for libvirt events: it must not move (be
 * copied elsewhere) between build and free.
 */
#ifndef VP_VIRT_WORLD_H
#define VP_VIRT_WORLD_H

#include "config.h"
#include "engine.h"
#include "policy.h"

/* event is "vm_appeared", "vm_stopped", "vm_unfit", "host_down",
 * "host_up" or "host_reconcile_failed"; vm (NULL for the host events)
 * and host are names, reason says why.  Strings are only valid during
 * the call. */
typedef void (*vp_virt_note_cb)(void *ud, const char *event, const char *vm, const char *host,
                                const char *reason);

typedef struct vp_virt_world {
    vp_pool *pool;
    vp_clock *clock;
    vp_driver *driver;
    vp_engine *engine;
    vp_virt_note_cb note;
    void *note_ud;
} vp_virt_world;

/* Builds the pool, the libvirt driver (hosts opened by URI) and the
 * engine (params from cfg's intervals and limits) on clock, a real-time
 * clock (borrowed).  cfg's hosts must be libvirt hosts.  On any failure
 * (a host that does not open: "host 'NAME': <libvirt's message>")
 * everything built is freed and *w is left empty. */
int vp_virt_world_build(vp_virt_world *w, const vp_config *cfg, vp_clock *clock,
                        const vp_policy *policy, vp_err *err);

/* Where notes go (NULL for nowhere). */
void vp_virt_world_set_note_cb(vp_virt_world *w, vp_virt_note_cb cb, void *ud);

/* Reports the VMs left pending by the build ("vm_unfit") and starts the
 * engine's periodic work. */
void vp_virt_world_start(vp_virt_world *w);

/* Frees everything (closing every connection) and runs the deferred
 * libvirt free callbacks (vp_virt_events_flush): call it from the top
 * level, with the loop stopped.  *w is left empty; freeing an empty
 * world is a no-op. */
void vp_virt_world_free(vp_virt_world *w);

#endif
