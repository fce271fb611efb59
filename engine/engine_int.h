/*
 * engine_int.h - the engine's state, shared by engine.c (periodic work,
 * placement, reservation) and migrate.c (the migration executor).
 * Not a public header.
 */
#ifndef VP_ENGINE_INT_H
#define VP_ENGINE_INT_H

#include "engine.h"

/* One migration, from proposal to completion. */
typedef struct vp_mig {
    vp_engine *e;
    vp_id vm, from, to;
    char why[VP_REASON];
    double proposed, not_before, started;
    double latency;      /* of the last migrate_when call, seconds */
    int asked;
    vp_decision_info when; /* the last migrate_when call's inputs and answer */
    bool running;
    bool limit_reported; /* a "deferred by limits" event was emitted */
    bool drain;          /* planned by a drain (undrain drops it) */
    uint64_t seq;        /* enqueue order: migs is sorted by it */
} vp_mig;

typedef struct vp_create_op vp_create_op;

/* A VM waiting for a host and its placement attempts so far. */
typedef struct vp_pending {
    vp_id vm;
    uint64_t attempts;
} vp_pending;

struct vp_engine {
    vp_pool *pool;
    vp_clock *clock;
    vp_driver *driver;
    const vp_policy *policy;
    vp_engine_params prm;
    vp_timer sample_t, balance_t, reserve_t, pump_t, progress_t;
    vp_event_cb cb;
    void *cb_ud;
    vp_engine_stats st;
    vp_pending *pending; /* VMs waiting for a host, in submission order */
    size_t npending, cappending;
    struct vp_worker *sampler; /* the second half of a large sample round, or NULL */
    vp_mig **migs;       /* queued and running migrations: nmigs from migs_off in migs_buf */
    vp_mig **migs_buf;   /* capmigs entries */
    size_t migs_off;
    vp_mig **mig_of;     /* by VM id (mig_of_n entries): its queued or running one, or NULL */
    size_t mig_of_n;
    uint64_t mig_seq;    /* the next vp_mig.seq */
    size_t nmigs, capmigs, running;
    uint32_t *mig_count; /* running migrations touching each host id */
    size_t mig_count_n;
    vp_moves moves;      /* scratch for balance */
    vp_create_op *creates; /* driver creates not completed yet */
    double last_latency; /* seconds, of the last policy call */
    vp_id *cand;         /* scratch for placement candidates */
    vp_id scan_pos;      /* where a bounded candidate scan resumes */
    size_t cand_cap;
    bool *drained;       /* per host id: "drained" reported (drain.c) */
    bool stopped;        /* vp_engine_stop: no migration is admitted */
    size_t drained_n;
};

/* Counts one call of slot's policy that took latency seconds. */
void vp_engine_count_decision(vp_engine *e, vp_slot slot, double latency);

/* Reports an event to the observer; fills time and unset ids. */
void vp_engine_emit(vp_engine *e, vp_event ev);

/* Reports a failed decision of slot (what: the error) and counts it. */
void vp_engine_policy_error(vp_engine *e, vp_slot slot, const char *what, vp_id vm);
/* Same for a result the engine rejected: "<where>: <fn> returned an
 * invalid result: <why>". */
void vp_engine_policy_invalid(vp_engine *e, vp_slot slot, const char *why, vp_id vm);
/* The same, with the decision's inputs (and answer) d, or NULL. */
void vp_engine_policy_error_d(vp_engine *e, vp_slot slot, const char *what, vp_id vm,
                              const vp_decision_info *d);
void vp_engine_policy_invalid_d(vp_engine *e, vp_slot slot, const char *why, vp_id vm,
                                const vp_decision_info *d);

/* The placement policy's choice for vm among the n hosts in e->cand:
 * VP_PLACE_OK with r->host (or VP_NONE), or VP_PLACE_POLICY_ERROR with
 * err set (reported, counted).  *d gets the decision's inputs. */
int vp_engine_ask_place(vp_engine *e, vp_id vm, size_t n, vp_place_result *r,
                        vp_decision_info *d, vp_err *err);
/* Reports a destination_chosen event: placement chose r->host (or none)
 * as the destination of running vm's migration. */
void vp_engine_destination_event(vp_engine *e, vp_id vm, const vp_place_result *r,
                                 const vp_decision_info *d);


/* Whether one move (vm to `to`) is valid now, as a balance move is
 * checked: 0 yes, 1 no (err says why, without "move 1: "), -1 out of
 * memory. */
int vp_engine_check_move(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_err *err);

/* migrate.c */
int vp_mig_enqueue(vp_engine *e, vp_id vm, vp_id to, const char *why, vp_err *err);
void vp_mig_pump(vp_engine *e);
/* Reports how far every running migration is (migration_progress). */
void vp_mig_progress(vp_engine *e);
void vp_mig_free_all(vp_engine *e);
bool vp_mig_pending_for(const vp_engine *e, vp_id vm);
/* Drops the queued (not running) drain moves away from host. */
void vp_mig_drop_from(vp_engine *e, vp_id host, const char *reason);

/* drain.c: plans the VMs of every draining host away; reports drained. */
void vp_drain_plan(vp_engine *e);

#endif
