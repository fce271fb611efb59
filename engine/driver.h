/*
 * driver.h - the hypervisor driver interface.
 *
 * Provides: vp_driver, a vtable every hypervisor backend implements (the
 * in-process simulator in driver_sim.c today, libvirt later).  A driver
 * manages the hosts the engine opens on it; hosts and VMs are named by
 * their pool ids.  Operations that take time on a real hypervisor
 * (create, destroy, migrate, resize) are asynchronous: they return 0 when
 * the operation was started, and later call done() exactly once, on the
 * engine's loop thread, with status 0 or -1 and a message.  A -1 return
 * means the operation never started and done() will not be called.
 * Uses: pool.h (ids, resource vectors), err.h.
 */
#ifndef VP_DRIVER_H
#define VP_DRIVER_H

#include "err.h"
#include "pool.h"

typedef struct vp_driver vp_driver;

/* Completion of an asynchronous operation.  error is NULL on success and
 * only valid during the call. */
typedef void (*vp_driver_done_cb)(void *ud, int status, const char *error);

/* One VM found on a host by list_vms. */
typedef struct vp_driver_vm_info {
    const char *name;
    vp_res size;       /* cpu: vCPUs now; memory: the maximum, MiB */
    double memory_now; /* MiB the VM has now (0 if the driver does not say) */
    bool running;
} vp_driver_vm_info;

typedef void (*vp_driver_vm_cb)(void *ud, const vp_driver_vm_info *vm);

/* Utilization of one VM: demand as a resource vector in the VM's units
 * (cpu actually used, memory actually used, ...). */
typedef void (*vp_driver_sample_cb)(void *ud, vp_id vm, vp_res demand);

/* What the hypervisor measured of a completed migration (seconds, MiB);
 * a negative field is not known. */
typedef struct vp_driver_mig_stats {
    double job_s;      /* the hypervisor's own migration time */
    double downtime_s; /* the guest paused for the switch-over */
    double data_mib;   /* transferred */
} vp_driver_mig_stats;

/* How far a running migration is (seconds, MiB); a negative field is
 * not known. */
typedef struct vp_driver_mig_progress {
    double elapsed_s;     /* since the hypervisor started the job */
    double processed_mib; /* sent so far */
    double remaining_mib; /* still to send (memory dirtied again counts) */
    double total_mib;
} vp_driver_mig_progress;

typedef struct vp_driver_ops {
    const char *name;
    /* Connects to host (already in the pool); uri may be NULL for sim. */
    int (*open_host)(vp_driver *d, vp_id host, const char *uri, vp_err *err);
    void (*close_host)(vp_driver *d, vp_id host);
    /* Reports the VMs the hypervisor has on host. */
    int (*list_vms)(vp_driver *d, vp_id host, vp_driver_vm_cb cb, void *ud, vp_err *err);
    /* Reports the current demand of every VM the driver runs on host. */
    int (*sample)(vp_driver *d, vp_id host, vp_driver_sample_cb cb, void *ud, vp_err *err);
    /* sample() may run for two different hosts at once, on two threads
     * (the engine then samples a large pool in two halves). */
    bool sample_in_parallel;
    int (*create)(vp_driver *d, vp_id vm, vp_id host, vp_driver_done_cb done, void *ud, vp_err *err);
    /* Destroys (and undefines) vm wherever the hypervisor has it; for a
     * pending VM that it does not have, there is nothing to do (done()
     * reports 0). */
    int (*destroy)(vp_driver *d, vp_id vm, vp_driver_done_cb done, void *ud, vp_err *err);
    /* Live-migrates vm from its current host to dst. */
    int (*migrate)(vp_driver *d, vp_id vm, vp_id dst, vp_driver_done_cb done, void *ud, vp_err *err);
    int (*resize)(vp_driver *d, vp_id vm, vp_res size, vp_driver_done_cb done, void *ud, vp_err *err);
    /* Optional (may be NULL): the stats of vm's migration, valid only
     * while its done() runs with status 0.  0 with *out filled, or -1. */
    int (*migration_stats)(vp_driver *d, vp_id vm, vp_driver_mig_stats *out);
    /* Optional: how far vm's running migration is (libvirt: the job
     * stats).  0 with *out filled, or -1 (not migrating, or unknown). */
    int (*migration_progress)(vp_driver *d, vp_id vm, vp_driver_mig_progress *out);
    /* Optional: asks the hypervisor to abort vm's running migration; its
     * done() then reports -1 ("aborted: ...") later, on the loop, unless
     * the migration completed first.  0, or -1 if vm is not migrating. */
    int (*abort_migration)(vp_driver *d, vp_id vm);
    void (*free)(vp_driver *d);
} vp_driver_ops;

/* Every driver struct starts with this header. */
struct vp_driver {
    const vp_driver_ops *ops;
};

#endif
