/*
 * event_json.c - engine events as JSON.
 * Provides: vp_event_to_json (event_json.h).  Uses: jansson, engine.h.
 */
#include "event_json.h"

static bool is_decision(vp_event_kind k)
{
    return k == VP_EV_PLACED || k == VP_EV_BALANCED || k == VP_EV_RESERVED ||
           k == VP_EV_POLICY_ERROR || (k >= VP_EV_MIGRATION_DEFERRED && k <= VP_EV_MIGRATION_STARTED);
}

static void set_host(json_t *o, const char *key, const vp_pool *pool, vp_id id)
{
    const vp_host *h = vp_pool_host(pool, id);
    if (h)
        json_object_set_new(o, key, json_string(h->name));
}

/* The hypervisor's figures of a completed migration, those it knows. */
static void set_stats(json_t *o, const vp_driver_mig_stats *st)
{
    if (st->job_s >= 0)
        json_object_set_new(o, "job_s", json_real(st->job_s));
    if (st->downtime_s >= 0)
        json_object_set_new(o, "downtime_s", json_real(st->downtime_s));
    if (st->data_mib >= 0)
        json_object_set_new(o, "data_mib", json_real(st->data_mib));
}

/* How far a running migration is: what the driver knows of it. */
static void set_progress(json_t *o, const vp_event *ev)
{
    const vp_driver_mig_progress *p = &ev->progress;
    json_object_set_new(o, "elapsed_s", json_real(ev->duration));
    if (p->elapsed_s >= 0)
        json_object_set_new(o, "job_s", json_real(p->elapsed_s));
    if (p->processed_mib >= 0)
        json_object_set_new(o, "processed_mib", json_real(p->processed_mib));
    if (p->remaining_mib >= 0)
        json_object_set_new(o, "remaining_mib", json_real(p->remaining_mib));
    if (p->total_mib >= 0)
        json_object_set_new(o, "total_mib", json_real(p->total_mib));
    if (p->total_mib > 0 && p->processed_mib >= 0)
        json_object_set_new(o, "progress", json_real(p->processed_mib / p->total_mib));
}

json_t *vp_event_to_json(const vp_engine *e, const vp_event *ev)
{
    const vp_pool *pool = vp_engine_pool(e);
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "t", json_real(ev->time));
    json_object_set_new(o, "event", json_string(vp_event_names[ev->kind]));
    if (is_decision(ev->kind) && ev->policy) {
        json_object_set_new(o, "slot", json_string(vp_slot_names[ev->slot]));
        json_object_set_new(o, "policy", json_string(ev->policy->name));
        json_object_set_new(o, "version", json_string(ev->policy->version));
        json_object_set_new(o, "latency_ms", json_real(ev->latency * 1e3));
    }
    const vp_vm *v = vp_pool_vm(pool, ev->vm);
    if (v)
        json_object_set_new(o, "vm", json_string(v->name));
    set_host(o, "host", pool, ev->host);
    set_host(o, "to", pool, ev->to);
    if (ev->kind == VP_EV_BALANCED)
        json_object_set_new(o, "moves", json_integer((json_int_t)ev->count));
    if (ev->kind == VP_EV_MIGRATION_DONE || ev->kind == VP_EV_MIGRATION_FAILED)
        json_object_set_new(o, "duration_s", json_real(ev->duration));
    if (ev->has_stats)
        set_stats(o, &ev->stats);
    if (ev->has_progress)
        set_progress(o, ev);
    if (ev->reason[0])
        json_object_set_new(o, "reason", json_string(ev->reason));
    return o;
}
