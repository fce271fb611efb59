/*
 * pool.h - the pool of hosts and VMs: the engine's only mutable model.
 *
 * Provides: hosts and VMs with resource vectors, host and VM states,
 * per-host overcommit ratios and reservations, a pool-level reservation,
 * and the operations that move capacity: allocate, release,
 * begin/end/abort migration.  Look-up by name is O(1) (uthash); hosts
 * and VMs are also addressed by a dense id that is never reused.
 * Uses: uthash, resources.h, err.h.
 *
 * Accounting.  A host's `used` is the sum of the sizes of the VMs resident
 * on it (running, or migrating away) plus the VMs migrating to it: a
 * migrating VM holds its size on both hosts until the migration ends
 * (source released) or aborts (destination released).  The usable limit
 * of a host is capacity x overcommit per resource.  Placement (allocate
 * and begin_migration) must fit in limit - used - reserved and needs the
 * host up; allocate must also leave the pool's free capacity over up hosts
 * at or above the pool-level reservation.
 *
 * Invariants (vp_pool_check verifies them all; debug builds re-check the
 * hosts and VM touched by every operation):
 *   - used <= limit on every host, and used equals the sum above;
 *   - every running or migrating VM is on exactly one host's resident list
 *     (its `host`), and a migrating VM is on exactly one incoming list (its
 *     `dest`, never its own host); pending and stopped VMs are on none;
 *   - reservations are non-negative.
 *
 * All structs are read-only outside pool.c.  Not thread-safe: the pool
 * is touched only on the loop thread.
 */
#ifndef VP_POOL_H
#define VP_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "err.h"
#include "history.h"
#include "resources.h"

typedef uint32_t vp_id;
#define VP_NONE UINT32_MAX

typedef enum vp_host_state { VP_HOST_UP, VP_HOST_DRAINING, VP_HOST_DOWN } vp_host_state;
typedef enum vp_vm_state { VP_VM_PENDING, VP_VM_RUNNING, VP_VM_MIGRATING, VP_VM_STOPPED } vp_vm_state;

const char *vp_host_state_name(vp_host_state s);
const char *vp_vm_state_name(vp_vm_state s);

typedef struct vp_idlist {
    vp_id *ids;
    uint32_t n, cap;
} vp_idlist;

/* A host's first resident-VM ids live inside the host struct, so that
 * allocate/release on a host touch adjacent memory. */
#define VP_HOST_INLINE_VMS 12

typedef struct vp_host {
    /* first, in adjacent cache lines, what a model update, a sample and a
     * Plan read of every host (lists, size, power, demand, grant); then
     * what allocate/release add to */
    _Alignas(64) vp_host_state state;
    vp_id id;
    vp_idlist vms;       /* resident VMs (running, or migrating away) */
    vp_idlist incoming;  /* VMs migrating to this host */
    int cores;           /* cores the cpu capacity is made of (>= 1) */
    int type;            /* index of the host type in the config, -1 if none */
    const double *power;    /* borrowed: watts at 0, 10, ..., 100 % cpu, or NULL */
    const char *type_name;  /* borrowed (see vp_pool_set_host_model), or NULL */
    vp_res capacity;
    vp_res demand;       /* sum of the sampled demand of resident VMs */
    vp_res allocated;    /* what the hypervisor granted at the last sample (incl. the cost
                          * of migrations); = demand unless a driver models contention */
    vp_id vms_inline[VP_HOST_INLINE_VMS]; /* vms.ids points here until it outgrows it */
    vp_res limit;        /* capacity x overcommit */
    vp_res used;         /* see "Accounting" */
    vp_res reserved;     /* placement must not use this */
    vp_history cpu;      /* cpu demand / cpu capacity at recent sample rounds */
    char *name;
    vp_res overcommit;   /* ratio per resource, >= 1 usually */
    void *driver_data;
    UT_hash_handle hh;
} vp_host;

typedef struct vp_vm {
    /* the fields operations touch come first, in one cache line */
    _Alignas(64) vp_id id;
    vp_vm_state state;
    vp_id host;          /* VP_NONE unless running or migrating */
    vp_id dest;          /* VP_NONE unless migrating */
    vp_res size;         /* capacity it holds on its host */
    char *name;
    int type;            /* index of the VM type in the config, -1 if none */
    vp_res demand;       /* last sampled use, in the same units */
    vp_res allocated;    /* what it is granted: its size from creation to the first sample,
                          * then = demand unless a driver models contention */
    vp_history cpu;      /* cpu demand / cpu size at recent sample rounds */
    void *driver_data;
    UT_hash_handle hh;
} vp_vm;

typedef struct vp_pool vp_pool;

vp_pool *vp_pool_new(void);
void vp_pool_free(vp_pool *pool);

/* Adds a host in state up with no reservation.  Returns its id, or
 * VP_NONE with err set (duplicate or empty name, negative capacity,
 * overcommit <= 0). */
vp_id vp_pool_add_host(vp_pool *pool, const char *name, vp_res capacity, vp_res overcommit,
                       vp_err *err) VP_WUR;

/* Adds a pending VM.  Returns its id, or VP_NONE with err set. */
vp_id vp_pool_add_vm(vp_pool *pool, const char *name, vp_res size, vp_err *err) VP_WUR;

/* Removes a pending or stopped VM for good; its id is not reused. */
int vp_pool_remove_vm(vp_pool *pool, vp_id vm, vp_err *err);

/* NULL for an unknown or removed id. */
vp_host *vp_pool_host(const vp_pool *pool, vp_id id);
vp_vm *vp_pool_vm(const vp_pool *pool, vp_id id);

/* Asks the CPU to fetch VM id's first two cache lines (nothing if unknown);
 * reads nothing of the VM itself.  For loops that will read many VMs. */
void vp_pool_prefetch_vm(const vp_pool *pool, vp_id id);

/* Asks the CPU to fetch host id's first three cache lines (its lists,
 * size, power table, demand and grant; nothing if unknown). */
void vp_pool_prefetch_host(const vp_pool *pool, vp_id id);

/* The same for the first two lines of each VM resident on host id (its
 * list is read: fetch the host first). */
void vp_pool_prefetch_residents(const vp_pool *pool, vp_id id);

/* For a loop over hosts that will sample them (read their VMs' sizes,
 * write demands and grants, push histories), the fetches to ask for a few
 * hosts ahead, in three stages (each reads only what an earlier stage
 * fetched):
 *   stage 0: the host's first lines and its history's;
 *   stage 1: its history slot, and its VMs' first three lines;
 *   stage 2: its VMs' history slots.
 * Nothing for an unknown host. */
void vp_pool_prefetch_sample(const vp_pool *pool, vp_id host, int stage);

/* VP_NONE when not found. */
vp_id vp_pool_find_host(const vp_pool *pool, const char *name);
vp_id vp_pool_find_vm(const vp_pool *pool, const char *name);

size_t vp_pool_host_count(const vp_pool *pool);
size_t vp_pool_vm_count(const vp_pool *pool);

/* How many VMs are in state s (kept as they change: no scan). */
size_t vp_pool_vm_count_in(const vp_pool *pool, vp_vm_state s);
/* One past the largest id ever given out, for iteration with
 * vp_pool_host()/vp_pool_vm() (which return NULL for gaps). */
vp_id vp_pool_host_end(const vp_pool *pool);
vp_id vp_pool_vm_end(const vp_pool *pool);

/* Free capacity of a host for placement: limit - used - reserved. */
vp_res vp_pool_host_free(const vp_host *h);

/* How many hosts are up; the sums of their limits and of their used
 * capacity into *limit and *used (kept as they change, not summed). */
size_t vp_pool_up_totals(const vp_pool *pool, vp_res *limit, vp_res *used);

/* Free capacity over up hosts, and the pool-level reservation. */
vp_res vp_pool_free_total(const vp_pool *pool);
vp_res vp_pool_reservation(const vp_pool *pool);

/* 0 if vm could be allocated on host now, else -1 with the reason. */
int vp_pool_fits(const vp_pool *pool, vp_id vm, vp_id host, vp_err *err);

/* 0 if host is up and has room for vm (ignoring the pool-level
 * reservation, which only allocations must respect): the test
 * begin_migration applies. */
int vp_pool_host_fits(const vp_pool *pool, vp_id vm, vp_id host, vp_err *err);

/* pending|stopped -> running on host. */
int vp_pool_allocate(vp_pool *pool, vp_id vm, vp_id host, vp_err *err);

/* running -> stopped; frees its capacity.  A migrating VM cannot be
 * released (end or abort the migration first). */
int vp_pool_release(vp_pool *pool, vp_id vm, vp_err *err);

/* running -> migrating to dst; holds its size on dst too. */
int vp_pool_begin_migration(vp_pool *pool, vp_id vm, vp_id dst, vp_err *err);

/* migrating -> running on dst; releases the source. */
int vp_pool_end_migration(vp_pool *pool, vp_id vm, vp_err *err);

/* migrating -> running on its source; releases dst. */
int vp_pool_abort_migration(vp_pool *pool, vp_id vm, vp_err *err);

int vp_pool_set_host_state(vp_pool *pool, vp_id host, vp_host_state state, vp_err *err);
/* How many hosts are draining (kept with every state change). */
size_t vp_pool_draining_count(const vp_pool *pool);
int vp_pool_set_reservation(vp_pool *pool, vp_id host, vp_res reserved, vp_err *err);
int vp_pool_set_pool_reservation(vp_pool *pool, vp_res reserved, vp_err *err);
int vp_pool_set_overcommit(vp_pool *pool, vp_id host, vp_res overcommit, vp_err *err);
/* Sets a host's capacity (e.g. once its hypervisor reported it); -1 if
 * negative or below what its VMs already use. */
int vp_pool_set_capacity(vp_pool *pool, vp_id host, vp_res capacity, vp_err *err);

/* Sets a VM's sampled demand (and its host's demand sum). */
void vp_pool_set_demand(vp_pool *pool, vp_id vm, vp_res demand);

/* What a VM / host is granted (see the fields).  The engine sets both to
 * the demand after every sample round (vp_pool_sample_done); a driver
 * or simulator that models contention overrides them afterwards. */
void vp_pool_set_allocated(vp_pool *pool, vp_id vm, vp_res allocated);

/* fn(ud, host) is called whenever a host's VM lists or the state of a VM
 * on them change: a VM placed on it or released from it, a migration from
 * or to it beginning, ending or aborted (NULL: none).  One listener (the
 * simulator's CloudSim model). */
typedef void (*vp_pool_change_fn)(void *ud, vp_id host);
void vp_pool_on_change(vp_pool *pool, vp_pool_change_fn fn, void *ud);
void vp_pool_set_host_allocated(vp_pool *pool, vp_id host, vp_res allocated);

/* After a host's VMs were sampled (the engine calls it for every host,
 * down ones too, in the sample round): the host and its VMs are granted
 * their demand, and the current cpu utilization of each VM and of the host
 * (unless it is down) is appended to its history.  Histories keep the
 * last `length` samples (default 30); changing the length starts them
 * over. */
void vp_pool_sample_done(vp_pool *pool, vp_id host);

void vp_pool_set_history_length(vp_pool *pool, uint32_t length);
uint32_t vp_pool_history_length(const vp_pool *pool);

/* Host/VM type tags and driver data: no effect on accounting. */
void vp_pool_set_host_type(vp_pool *pool, vp_id host, int type);
/* The host's model: type name and power table (11 points, watts at
 * 0 %, 10 %, ..., 100 % cpu).  Both are borrowed and must outlive the
 * pool (or be reset); either may be NULL. */
void vp_pool_set_host_model(vp_pool *pool, vp_id host, const char *type_name,
                            const double *power);
void vp_pool_set_vm_type(vp_pool *pool, vp_id vm, int type);
/* Cores of the host's cpu (default 1; values < 1 count as 1). */
void vp_pool_set_host_cores(vp_pool *pool, vp_id host, int cores);

/* Verifies every invariant over the whole pool; 0 or -1 with the first
 * violation described. */
int vp_pool_check(const vp_pool *pool, vp_err *err);

#endif
