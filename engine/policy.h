/*
 * policy.h - the engine's decision points as a C interface.
 *
 * Provides: vp_policy, four decision slots (place, balance, reserve,
 * migrate_when), each a function pointer with its own context, name and
 * version.  The engine calls them with a read-only view of the pool and
 * checks every result before acting on it.  bindings/ implements the
 * slots with Lua; policy_builtin.c has plain-C stand-ins for the engine's
 * own tests.
 * Uses: pool.h, err.h.
 *
 * Contract of every slot: return 0 with *out filled, or -1 with err set
 * (the policy failed: the engine counts it and falls back: the VM stays
 * pending, no moves, the last good reservation, the migration deferred).
 * A slot must not modify the pool.
 */
#ifndef VP_POLICY_H
#define VP_POLICY_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "pool.h"

#define VP_REASON 160

typedef struct vp_decision_ctx {
    double now;      /* clock time of the decision, seconds */
    double interval; /* seconds between two calls of this slot, 0 if on demand */
} vp_decision_ctx;

/* place: one host among the candidates, or VP_NONE with a reason. */
typedef struct vp_place_result {
    vp_id host;
    char reason[VP_REASON];
} vp_place_result;

/* balance: moves the policy wants. */
typedef struct vp_move {
    vp_id vm;
    vp_id to;
    char why[VP_REASON];
} vp_move;

typedef struct vp_moves {
    vp_move *v;
    size_t n, cap;
} vp_moves;

/* Appends a move; -1 on out of memory. */
int vp_moves_push(vp_moves *m, vp_id vm, vp_id to, const char *why);
void vp_moves_clear(vp_moves *m);
void vp_moves_free(vp_moves *m);

/* reserve: capacity to hold back per host (indexed by host id, covering
 * every id below vp_pool_host_end) and for the pool. */
typedef struct vp_reservation {
    vp_res *per_host; /* allocated by the engine, zeroed before the call */
    size_t n_hosts;
    vp_res pool;
    char reason[VP_REASON];
} vp_reservation;

/* migrate_when: a proposed migration and when it may start. */
typedef struct vp_migration_req {
    vp_id vm, from, to;
    const char *why;  /* the balance policy's reason */
    double proposed;  /* when it was proposed */
    int asked;        /* how many times migrate_when was asked before */
} vp_migration_req;

typedef enum vp_when_kind { VP_WHEN_NOW, VP_WHEN_LATER, VP_WHEN_NEVER } vp_when_kind;

typedef struct vp_when {
    vp_when_kind kind;
    double delay; /* seconds, for VP_WHEN_LATER (> 0) */
    char reason[VP_REASON];
} vp_when;

typedef int (*vp_place_fn)(void *ctx, const vp_pool *pool, vp_id vm, const vp_id *candidates,
                           size_t n, const vp_decision_ctx *dc, vp_place_result *out,
                           vp_err *err);
/* order: the order in which a batch of VMs submitted together is placed
 * (vms reordered in place: a permutation).  0 reordered, 1 no opinion
 * (keep the given order), -1 failed. */
typedef int (*vp_order_fn)(void *ctx, const vp_pool *pool, vp_id *vms, size_t n,
                           const vp_decision_ctx *dc, vp_err *err);
/* place_batch: hosts for a batch of VMs submitted together, chosen in
 * one call (vms in placement order, after order; hosts: those that are
 * up, in id order): out[i].host, or VP_NONE for no answer (the engine
 * then asks place for that VM).  0 answered, 1 no opinion (ask place for
 * each), -1 failed. */
typedef int (*vp_place_batch_fn)(void *ctx, const vp_pool *pool, const vp_id *vms, size_t n,
                                 const vp_id *hosts, size_t nhosts, const vp_decision_ctx *dc,
                                 vp_place_result *out, vp_err *err);
typedef int (*vp_balance_fn)(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc,
                             vp_moves *out, vp_err *err);
typedef int (*vp_reserve_fn)(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc,
                             vp_reservation *out, vp_err *err);
typedef int (*vp_when_fn)(void *ctx, const vp_pool *pool, const vp_migration_req *m,
                          const vp_decision_ctx *dc, vp_when *out, vp_err *err);

/* Parameters of the built-in C stand-ins (see vp_policy_builtin). */
typedef struct vp_builtin_params {
    double overload;  /* default 0.9 */
    double underload; /* default 0.2 */
} vp_builtin_params;

/* Name and version of the code behind a slot, recorded with every
 * decision; `where` ("script.lua:12", or NULL) locates the slot's
 * function, so that a result the engine rejects names the script. */
typedef struct vp_slot_id {
    const char *name;
    const char *version;
    const char *where;
} vp_slot_id;

typedef struct vp_policy {
    vp_place_fn place;
    void *place_ctx;
    vp_order_fn order; /* optional (NULL: batches are placed in the given order); place_ctx */
    vp_place_batch_fn place_batch; /* optional (NULL: place each VM); place_ctx */
    vp_balance_fn balance;
    void *balance_ctx;
    vp_reserve_fn reserve;
    void *reserve_ctx;
    vp_when_fn migrate_when;
    void *when_ctx;
    vp_slot_id id[VP_SLOT_N];
    vp_builtin_params builtin; /* storage for the built-ins' parameters */
} vp_policy;

/* The built-in C stand-ins (policy_builtin.c):
 *   placement    best fit: the candidate with the least cpu left after placing;
 *   balance      hosts whose cpu demand exceeds `overload` of their capacity
 *                shed their smallest-memory VMs to the best-fitting host that
 *                stays under it; hosts under `underload` are emptied when all
 *                their VMs fit elsewhere;
 *   reservation  nothing held back;
 *   migration    now. */

/* Fills every slot of p with the built-ins.  params may be NULL (defaults);
 * it is copied into p, which must therefore not be moved afterwards. */
void vp_policy_builtin(vp_policy *p, const vp_builtin_params *params);

#endif
