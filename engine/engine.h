/*
 * engine.h - the engine: ties the pool, the clock, a hypervisor driver
 * and the decision slots together.
 *
 * Provides: vp_engine.  Periodic work on the clock: sampling (driver ->
 * pool demand), balancing (balance slot -> proposed migrations),
 * reservation (reserve slot -> pool reservations); placement of
 * submitted VMs (place slot -> allocate + driver create); a migration
 * executor (queue, migrate_when slot, concurrency limits, driver migrate,
 * end/abort).  Every policy result is checked against the pool before
 * anything happens; a failed or invalid decision is reported as an event,
 * counted, and the engine falls back (VM stays pending, no moves, last
 * good reservation, migration deferred).  Every decision and action is
 * reported to an optional observer (vp_event).
 * Uses: pool.h, clock.h, driver.h, policy.h.
 */
#ifndef VP_ENGINE_H
#define VP_ENGINE_H

#include "clock.h"
#include "driver.h"
#include "policy.h"
#include "pool.h"

typedef struct vp_engine vp_engine;

typedef enum vp_event_kind {
    VP_EV_PLACED,         /* vm placed on host */
    VP_EV_UNPLACED,       /* vm stays pending (reason) */
    VP_EV_CREATE_FAILED,  /* driver could not create vm on host */
    VP_EV_BALANCED,       /* a balance decision: n moves proposed */
    VP_EV_RESERVED,       /* a reservation decision applied */
    VP_EV_MIGRATION_DEFERRED, /* migrate_when said later, or limits */
    VP_EV_MIGRATION_DROPPED,  /* migrate_when said never, or no longer valid */
    VP_EV_MIGRATION_STARTED,
    VP_EV_MIGRATION_DONE,
    VP_EV_MIGRATION_FAILED,
    VP_EV_POLICY_ERROR,   /* a slot failed or returned an invalid result */
    VP_EV_SAMPLED,        /* a sampling round finished (for observers' metrics) */
    VP_EV_SAMPLE_FAILED,  /* the driver could not sample a host (reason) */
    VP_EV_DRAIN_STARTED,  /* host put in maintenance (reason: VMs to move) */
    VP_EV_DRAIN_BLOCKED,  /* vm on a draining host has no destination now (reason) */
    VP_EV_DRAINED,        /* a draining host holds no VM any more */
    VP_EV_UNDRAINED,      /* a draining host is back up */
    VP_EV_N
} vp_event_kind;

extern const char *const vp_event_names[VP_EV_N];

typedef struct vp_event {
    vp_event_kind kind;
    double time;
    vp_slot slot;          /* deciding slot, for decision and policy events */
    const vp_slot_id *policy; /* name and version of that slot, or NULL */
    vp_id vm, host, to;    /* VP_NONE where not applicable */
    size_t count;          /* moves proposed, for VP_EV_BALANCED */
    double duration;       /* migration time, for DONE/FAILED */
    bool has_stats;        /* DONE: the driver's stats below are set */
    vp_driver_mig_stats stats; /* the hypervisor's job time, downtime, data */
    double latency;        /* seconds the policy call took (wall clock) */
    const char *reason;    /* the policy's reason or the error; never NULL */
} vp_event;

typedef void (*vp_event_cb)(void *ud, const vp_engine *e, const vp_event *ev);

typedef struct vp_engine_params {
    double sample_interval;      /* seconds, > 0 */
    double balance_interval;     /* seconds, > 0 */
    double reservation_interval; /* seconds, > 0 */
    int migrations_per_host;     /* concurrent, per host, 0 = no limit */
    int migrations_total;        /* concurrent, pool, 0 = no limit */
    /* Placement candidates: 0 offers every host the VM fits on (a scan of
     * the whole pool per decision).  K > 0 bounds it, as Kubernetes'
     * percentageOfNodesToScore does: the scan stops at the K-th host that
     * fits and the next decision resumes where it stopped (round robin),
     * so every host is offered over successive decisions, but one decision
     * sees only K of them (in host-id order). */
    size_t placement_candidates;
} vp_engine_params;

typedef struct vp_engine_stats {
    uint64_t placed, unplaced, create_failed;
    uint64_t migrations_started, migrations_done, migrations_failed;
    uint64_t migrations_dropped, migrations_deferred;
    uint64_t decisions[VP_SLOT_N];
    uint64_t policy_errors[VP_SLOT_N];
    double migration_seconds; /* sum over completed migrations */
} vp_engine_stats;

/* Borrowed: pool, clock, driver, policy must outlive the engine.  Free
 * the engine only once the driver can no longer complete operations
 * (its clock stopped, or the driver closed): vp_engine_free releases the
 * state of operations still in flight. */
vp_engine *vp_engine_new(vp_pool *pool, vp_clock *clock, vp_driver *driver,
                         const vp_policy *policy, const vp_engine_params *params,
                         vp_err *err) VP_WUR;
void vp_engine_free(vp_engine *e);

void vp_engine_set_observer(vp_engine *e, vp_event_cb cb, void *ud);

/* Starts the periodic work; the first sample runs at once, the first
 * balance and reservation after one interval. */
void vp_engine_start(vp_engine *e);
/* Stops the periodic work and the admission of queued migrations (they
 * stay queued); running migrations go on and complete as usual. */
void vp_engine_stop(vp_engine *e);

/* Places a pending VM now (or keeps it queued to retry at every sample
 * round while nothing fits).  0 if placed, 1 if left pending, -1 on a
 * bad argument. */
int vp_engine_submit(vp_engine *e, vp_id vm, vp_err *err);

/* Submits n VMs at once (e.g. a simulation's start): the placement
 * policy's order function, if any, sorts them (best-fit decreasing: by
 * size, largest first), then each is submitted as by vp_engine_submit.
 * A failing or invalid order is a placement policy error; the given
 * order is used.  Returns how many were placed now. */
size_t vp_engine_submit_batch(vp_engine *e, const vp_id *vms, size_t n);

/* Proposes one migration (as the balance slot would); it goes through
 * migrate_when and the limits.  -1 if the move is invalid now. */
int vp_engine_propose_move(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_err *err);

/* The engine's checks on a balance result, as a whole: every VM exists
 * and is running, no VM moves to its own host or twice, every destination
 * is up and has room after the earlier moves of the list that go there.
 * 0, or -1 with "move N: why" in why. */
int vp_moves_check(const vp_pool *pool, const vp_moves *m, char *why, size_t len);

/* Maintenance.  drain: the host becomes draining (no placement or move
 * chooses it) and each VM running on it is planned away: the placement
 * slot picks a destination among the hosts it fits on and the move goes
 * through the migration executor like a balance move (migrate_when,
 * limits); a VM that cannot go now (event drain_blocked) or whose move
 * fails is planned again at every balance round; "drained" is reported
 * when the host is empty.  Draining a draining host is a no-op; a down
 * host cannot be drained.  undrain: the host is up again and its queued
 * drain moves are dropped (running ones complete).  0, or -1 with err. */
int vp_engine_drain_host(vp_engine *e, vp_id host, vp_err *err);
int vp_engine_undrain_host(vp_engine *e, vp_id host, vp_err *err);

/* Asks the driver to abort every running migration (each then ends as
 * migration_failed, later, through the driver's done()).  Returns how
 * many were asked; 0 if the driver cannot abort. */
size_t vp_engine_abort_migrations(vp_engine *e);

/* Runs one round of each periodic job now (for tests and on request). */
void vp_engine_sample_now(vp_engine *e);
void vp_engine_balance_now(vp_engine *e);
void vp_engine_reserve_now(vp_engine *e);

const vp_engine_stats *vp_engine_stats_get(const vp_engine *e);
vp_pool *vp_engine_pool(const vp_engine *e);
vp_clock *vp_engine_clock(const vp_engine *e);
/* Migrations waiting (queued or deferred) and running. */
size_t vp_engine_migrations_queued(const vp_engine *e);
size_t vp_engine_migrations_running(const vp_engine *e);

/* Monotonic wall-clock seconds (for latencies and run times). */
double vp_engine_wall(void);

#endif
