/*
 * event_json.c - engine events as JSON.
 * Provides: vp_event_to_json (event_json.h): the event's keys, and for a
 * policy decision its "inputs" (what the slot was given, summarized) and
 * "result" (what it answered).  Uses: jansson, engine.h.
 */
#include "event_json.h"

static bool is_decision(vp_event_kind k)
{
    return k == VP_EV_PLACED || k == VP_EV_UNPLACED || k == VP_EV_BALANCED ||
           k == VP_EV_RESERVED || k == VP_EV_POLICY_ERROR || k == VP_EV_DESTINATION ||
           (k >= VP_EV_MIGRATION_DEFERRED && k <= VP_EV_MIGRATION_STARTED);
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

static json_t *res_json(vp_res r)
{
    json_t *o = json_object();
    for (int i = 0; i < VP_RES_N; i++)
        json_object_set_new(o, vp_res_names[i], json_real(r.v[i]));
    return o;
}

static json_t *host_name(const vp_pool *pool, vp_id id)
{
    const vp_host *h = vp_pool_host(pool, id);
    return h ? json_string(h->name) : json_null();
}

static json_t *moves_json(const vp_pool *pool, const vp_moves *m)
{
    json_t *a = json_array();
    for (size_t i = 0; m && i < m->n; i++) {
        const vp_vm *v = vp_pool_vm(pool, m->v[i].vm);
        json_array_append_new(a, json_pack("{s:s,s:o,s:s}", "vm", v ? v->name : "?", "to",
                                           host_name(pool, m->v[i].to), "why", m->v[i].why));
    }
    return a;
}

/* Placement: the VM, its size, the candidates; the host chosen. */
static void placement_io(json_t *o, const vp_pool *pool, const vp_event *ev)
{
    const vp_decision_info *d = ev->decision;
    const vp_vm *v = vp_pool_vm(pool, ev->vm);
    json_object_set_new(o, "inputs", json_pack("{s:s,s:o,s:I}", "vm", v ? v->name : "?", "size",
                                               res_json(d->size), "candidates",
                                               (json_int_t)d->candidates));
    vp_id chosen = ev->kind == VP_EV_DESTINATION ? ev->to : ev->host;
    if (ev->kind != VP_EV_POLICY_ERROR)
        json_object_set_new(o, "result", json_pack("{s:o}", "host", host_name(pool, chosen)));
}

static void migration_io(json_t *o, const vp_pool *pool, const vp_event *ev)
{
    static const char *const when[] = {"now", "later", "never"};
    const vp_decision_info *d = ev->decision;
    const vp_vm *v = vp_pool_vm(pool, ev->vm);
    json_object_set_new(o, "inputs", json_pack("{s:s,s:o,s:o,s:s,s:i}", "vm", v ? v->name : "?",
                                               "from", host_name(pool, d->from), "to",
                                               host_name(pool, d->to), "proposed_by",
                                               d->proposed ? d->proposed : "", "asked",
                                               d->asked));
    if (ev->kind == VP_EV_POLICY_ERROR)
        return;
    json_t *r = json_pack("{s:s}", "when", when[d->when]);
    if (d->when == VP_WHEN_LATER)
        json_object_set_new(r, "delay_s", json_real(d->delay));
    json_object_set_new(o, "result", r);
}

/* "inputs" and "result" of a policy decision (ev->decision set). */
static void set_decision(json_t *o, const vp_pool *pool, const vp_event *ev)
{
    const vp_decision_info *d = ev->decision;
    if (ev->slot == VP_SLOT_PLACEMENT)
        return placement_io(o, pool, ev);
    if (ev->slot == VP_SLOT_MIGRATION)
        return migration_io(o, pool, ev);
    json_t *in = json_pack("{s:I,s:I}", "hosts", (json_int_t)d->hosts, "vms", (json_int_t)d->vms);
    if (ev->slot == VP_SLOT_RESERVATION) {
        json_object_set_new(in, "capacity", res_json(d->capacity));
        json_object_set_new(in, "used", res_json(d->used));
    }
    json_object_set_new(o, "inputs", in);
    if (ev->slot == VP_SLOT_BALANCE && d->moves)
        json_object_set_new(o, "result", json_pack("{s:o}", "moves", moves_json(pool, d->moves)));
    else if (ev->slot == VP_SLOT_RESERVATION && ev->kind == VP_EV_RESERVED)
        json_object_set_new(o, "result", json_pack("{s:o,s:o}", "hosts", res_json(d->reserved),
                                                   "pool", res_json(d->pool_reserved)));
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
    if (ev->kind == VP_EV_UNPLACED && ev->count > 1)
        json_object_set_new(o, "attempt", json_integer((json_int_t)ev->count));
    if (ev->kind == VP_EV_MIGRATION_DONE || ev->kind == VP_EV_MIGRATION_FAILED)
        json_object_set_new(o, "duration_s", json_real(ev->duration));
    if (ev->has_stats)
        set_stats(o, &ev->stats);
    if (ev->has_progress)
        set_progress(o, ev);
    if (ev->decision)
        set_decision(o, pool, ev);
    if (ev->reason[0])
        json_object_set_new(o, "reason", json_string(ev->reason));
    return o;
}
