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
    VP_EV_UNPLACED,       /* vm stays pending (reason; count: the attempt) */
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
    VP_EV_MIGRATION_SUPERSEDED, /* a queued proposal (vm, host -> to) replaced by a later one */
    VP_EV_VM_REMOVED,     /* vm taken off its host and out of the pool (reason) */
    VP_EV_DRAIN_STARTED,  /* host put in maintenance (reason: VMs to move) */
    VP_EV_DRAIN_BLOCKED,  /* vm on a draining host has no destination now (reason) */
    VP_EV_DRAINED,        /* a draining host holds no VM any more */
    VP_EV_UNDRAINED,      /* a draining host is back up */
    VP_EV_MIGRATION_PROGRESS, /* how far a running migration is (progress, reason) */
    VP_EV_DESTINATION,    /* placement chose a migration's destination (to, or none) */
    VP_EV_N
} vp_event_kind;

extern const char *const vp_event_names[VP_EV_N];

/* What a policy decision was given and what it answered, for the audit
 * log (event_json.h renders it as "inputs" and "result").  Which fields
 * apply depends on the slot. */
typedef struct vp_decision_info {
    vp_res size;           /* placement: the VM's size */
    size_t candidates;     /* placement: hosts offered */
    size_t hosts, vms;     /* balance, reservation: hosts up, VMs running */
    vp_res capacity, used; /* reservation: limit and use of the up hosts, summed */
    vp_res reserved, pool_reserved; /* reservation's answer: per-host sum, pool */
    const vp_moves *moves; /* balance's answer (NULL: none) */
    vp_id from, to;        /* migration: the proposed move */
    const char *proposed;  /* migration: why the move was proposed */
    int asked;             /* migration: earlier migrate_when calls */
    vp_when_kind when;     /* migration's answer */
    double delay;          /* migration: the delay of "later", s */
} vp_decision_info;

typedef struct vp_event {
    vp_event_kind kind;
    double time;
    vp_slot slot;          /* deciding slot, for decision and policy events */
    const vp_slot_id *policy; /* name and version of that slot, or NULL */
    vp_id vm, host, to;    /* VP_NONE where not applicable */
    size_t count;          /* moves proposed, for VP_EV_BALANCED; the attempt
                            * (1, 2, 4, 8, ...), for VP_EV_UNPLACED */
    double duration;       /* migration time, for DONE/FAILED */
    bool has_stats;        /* DONE: the driver's stats below are set */
    bool has_progress;     /* MIGRATION_PROGRESS: progress below is set */
    vp_driver_mig_progress progress;
    vp_driver_mig_stats stats; /* the hypervisor's job time, downtime, data */
    double latency;        /* seconds the policy call took (wall clock) */
    const char *reason;    /* the policy's reason or the error; never NULL */
    const vp_decision_info *decision; /* a policy decision's inputs and answer, or NULL */
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
    /* When the periodic work first runs, seconds after vp_engine_start:
     * 0 samples at once and balances/reserves one interval later; > 0
     * runs the first sample, balance and reservation rounds (in that
     * order) all at this delay, then every interval. */
    double first_round;
    /* Seconds between two migration_progress reports of each running
     * migration (from the driver's migration_progress); 0 = none. */
    double progress_interval;
} vp_engine_params;

/* The intervals and limits of cfg (first_round 0). */
vp_engine_params vp_engine_params_of(const vp_config *cfg);

/* Histogram bounds (upper, inclusive; a last bucket catches the rest):
 * policy call latency in seconds, migration duration in clock seconds. */
#define VP_LAT_BUCKETS 12
#define VP_MIG_BUCKETS 10
extern const double vp_latency_bounds[VP_LAT_BUCKETS];
extern const double vp_migration_bounds[VP_MIG_BUCKETS];
/* Index of x's bucket among n upper bounds (n: above them all). */
size_t vp_bucket(const double *bounds, size_t n, double x);

typedef struct vp_engine_stats {
    uint64_t placed, unplaced, create_failed;
    uint64_t placement_retries; /* retries of pending VMs that placed nothing */
    uint64_t migrations_started, migrations_done, migrations_failed;
    uint64_t migrations_dropped, migrations_deferred;
    uint64_t decisions[VP_SLOT_N];
    uint64_t policy_errors[VP_SLOT_N];
    double migration_seconds; /* sum over completed migrations */
    /* decisions by latency: latency[s][i] counts calls of slot s that took
     * at most vp_latency_bounds[i] (not cumulative; index VP_LAT_BUCKETS:
     * longer); latency_sum[s] in seconds */
    uint64_t latency[VP_SLOT_N][VP_LAT_BUCKETS + 1];
    double latency_sum[VP_SLOT_N];
    /* completed (0) and failed (1) migrations by duration, the same way */
    uint64_t mig_duration[2][VP_MIG_BUCKETS + 1];
    double mig_duration_sum[2];
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

/* Outcomes of vp_engine_place_now. */
enum { VP_PLACE_OK, VP_PLACE_NO_ROOM, VP_PLACE_POLICY_ERROR, VP_PLACE_CREATE_FAILED };

/* One placement attempt for a pending or stopped VM, now, without
 * queueing it for retries (for requests that want an answer at once):
 * VP_PLACE_OK (allocated, the driver's create started), VP_PLACE_NO_ROOM
 * (no candidate, or the policy chose none), VP_PLACE_POLICY_ERROR (the
 * policy failed or chose a host that is not a candidate; reported as a
 * policy_error) or VP_PLACE_CREATE_FAILED (the driver could not start the
 * create; the allocation is undone); why says why.  The VM stays
 * pending/stopped unless placed.  -1 on a bad argument. */
int vp_engine_place_now(vp_engine *e, vp_id vm, vp_err *why);

/* Dry runs: the slot is called on the live pool as for a real decision
 * (a Lua slot counts the call, and a policy that keeps state between
 * calls sees it), but nothing is acted on, counted by the engine or
 * reported as an event.
 * place: *out gets the host the policy would choose among the current
 * candidates for the pending or stopped vm (VP_NONE with the reason, or
 * "no host has room" when there is no candidate); -1 with err if the
 * policy fails or chooses a host that is not a candidate.
 * balance: *out gets the moves (cleared first); 0 if the engine would
 * accept them, 1 if not (why says which move and why), -1 with err if
 * the policy fails. */
int vp_engine_dry_place(vp_engine *e, vp_id vm, vp_place_result *out, vp_err *err);
int vp_engine_dry_balance(vp_engine *e, vp_moves *out, char *why, size_t len, vp_err *err);
/* reserve: *out gets the reservation (out->per_host is allocated here,
 * one entry per host id: free() it, also on failure); 0 if the engine
 * would apply it, 1 if not (why says why), -1 with err if the policy
 * fails. */
int vp_engine_dry_reserve(vp_engine *e, vp_reservation *out, char *why, size_t len,
                          vp_err *err);
/* migrate_when, for the move of the running vm to host `to` proposed now
 * with reason why (never asked before): *out gets the answer.  0; 1 if
 * the move is not valid now (checked as vp_engine_propose_move does; err
 * says why; the policy is not called); -1 with err if the policy fails
 * or answers "later" without a delay > 0. */
int vp_engine_dry_when(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_when *out,
                       vp_err *err);

/* Removes a VM for good: a running one is destroyed by the driver (the
 * destroy must start; its completion is not awaited) and released first;
 * a queued migration proposal for it is dropped.  Emits VP_EV_VM_REMOVED
 * with reason (the simulator removes VMs whose workload ended).  -1 with
 * err (nothing changed) for a migrating VM, an unknown one, or a destroy
 * that did not start. */
int vp_engine_remove_vm(vp_engine *e, vp_id vm, const char *reason, vp_err *err);

/* Submits n VMs at once (e.g. a simulation's start): the placement
 * policy's order function, if any, sorts them (best-fit decreasing: by
 * size, largest first); then, if the policy has place_batch and every VM
 * waits for a host, it chooses hosts for all of them in one call and the
 * VMs it answered are placed there when they fit; every other VM is
 * submitted as by vp_engine_submit.  A failing or invalid order or batch
 * is a placement policy error; the given order, or one placement per VM,
 * is used.  Returns how many were placed now. */
size_t vp_engine_submit_batch(vp_engine *e, const vp_id *vms, size_t n);

/* Proposes one migration (as the balance slot would); it goes through
 * migrate_when and the limits.  -1 if the move is invalid now. */
int vp_engine_propose_move(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_err *err);

/* Proposes moving the running vm to the host the placement policy
 * chooses among the other hosts that could receive it now (a placement
 * decision, counted and reported like any; the move then goes through
 * migrate_when and the limits).  0 with *to set; 1 if refused (no other
 * host has room, the policy chose none, or the move is not valid now);
 * 2 if the policy failed; err says why. */
int vp_engine_move_by_policy(vp_engine *e, vp_id vm, const char *why, vp_id *to, vp_err *err);

/* The engine's checks on a balance result, as a whole: every VM exists
 * and is running, no VM moves to its own host, every destination is up
 * and has room after the earlier moves of the list that go there.  A VM
 * may appear more than once: its last move wins, the earlier ones are
 * reported as superseded (VP_EV_MIGRATION_SUPERSEDED) and never start.
 * 0, or -1 with "move N: why" in why. */
int vp_moves_check(const vp_pool *pool, const vp_moves *m, char *why, size_t len);



/* A migration the executor holds (queued, deferred or running). */
typedef struct vp_migration_info {
    vp_id vm, from, to;
    bool running;
    double proposed, started; /* clock time; started is 0 until it runs */
    double not_before;        /* a deferred proposal is asked again then */
    int asked;                /* migrate_when calls so far */
    const char *why;          /* the proposer's reason; valid until the next change */
} vp_migration_info;

/* The i-th migration held (0 <= i < queued + running), in proposal
 * order: 0 with *out filled, -1 past the end. */
int vp_engine_migration(const vp_engine *e, size_t i, vp_migration_info *out);

/* Withdraws the waiting (not running) migration of vm: dropped with a
 * migration_dropped event whose reason is why.  -1 with err if vm has
 * none, or if it is running (see vp_engine_abort_migration). */
int vp_engine_cancel_migration(vp_engine *e, vp_id vm, const char *why, vp_err *err);

/* Asks the driver to abort vm's running migration (driver.h's
 * abort_migration); it then ends as migration_failed with the driver's
 * message, later, through done() (or completes, if it was ending).  0 if
 * asked; -1 with err if vm has no running migration or the driver cannot
 * abort (no abort_migration, or it refused). */
int vp_engine_abort_migration(vp_engine *e, vp_id vm, vp_err *err);
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
