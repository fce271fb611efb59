/*
 * api_dryrun.c - "what would the policy decide now": dry runs of the four
 * decision slots on the live pool.
 *
 * Provides: vp_api_dry_run (api_int.h): POST
 * /v1/policies/placement/dry-run (a VM size, as for POST /v1/vms), POST
 * /v1/policies/balance/dry-run, POST /v1/policies/reservation/dry-run and
 * POST /v1/policies/migration/dry-run (a move: {"vm", "to", "why"}).
 * Nothing is acted on: placement runs for a temporary pending VM (named
 * ".dry-run", a name the API never gives) that is removed before the
 * answer; balance's moves and the reservation are checked as the engine
 * would, not queued or applied; migrate_when is asked about a move that
 * is not queued.
 * Uses: api_int.h, engine.h (vp_engine_dry_place/_balance/_reserve/_when),
 * pool.h.
 */
#include "api_int.h"

#include <stdlib.h>
#include <string.h>

#define DRY_VM ".dry-run"

static json_t *slot_id(vp_api *a, vp_slot slot)
{
    vp_api_slot st;
    a->prm.policies.status(a->prm.policies.ud, slot, &st);
    return json_pack("{s:s,s:s,s:s}", "slot", vp_slot_names[slot], "policy", st.name,
                     "version", st.version);
}

static void place_answer(vp_api *a, vp_id vm, vp_http_resp *r)
{
    vp_place_result out;
    vp_err err = {0};
    if (vp_engine_dry_place(a->e, vm, &out, &err))
        return vp_api_error(r, 500, "placement policy failed", "%s", err.text);
    const vp_host *h = vp_pool_host(a->pool, out.host);
    json_t *j = slot_id(a, VP_SLOT_PLACEMENT);
    json_object_set_new(j, "host", h ? json_string(h->name) : json_null());
    json_object_set_new(j, "reason", json_string(out.reason));
    vp_api_json(r, 200, j);
}

static void dry_place(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    vp_res size;
    vp_err err = {0};
    int type;
    json_t *o = vp_api_json_body(req, r);
    if (!o)
        return;
    if (vp_api_vm_size(a, o, &size, &type, r) == 0) {
        vp_id vm = vp_pool_add_vm(a->pool, DRY_VM, size, &err);
        if (vm == VP_NONE)
            vp_api_error(r, 400, "bad request", "%s", err.text);
        else
            place_answer(a, vm, r);
        if (vm != VP_NONE)
            (void)vp_pool_remove_vm(a->pool, vm, NULL);
    }
    json_decref(o);
}

static json_t *moves_json(const vp_pool *pool, const vp_moves *m)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < m->n; i++) {
        const vp_vm *v = vp_pool_vm(pool, m->v[i].vm);
        const vp_host *h = vp_pool_host(pool, m->v[i].to);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "vm", v ? v->name : "?", "to",
                                             h ? h->name : "?", "why", m->v[i].why));
    }
    return arr;
}

static void dry_balance(vp_api *a, vp_http_resp *r)
{
    vp_moves m = {0};
    vp_err err = {0};
    char why[VP_ERR_TEXT] = "";
    int rc = vp_engine_dry_balance(a->e, &m, why, sizeof why, &err);
    if (rc < 0) {
        vp_moves_free(&m);
        return vp_api_error(r, 500, "balance policy failed", "%s", err.text);
    }
    json_t *j = slot_id(a, VP_SLOT_BALANCE);
    json_object_set_new(j, "moves", moves_json(a->pool, &m));
    json_object_set_new(j, "valid", json_boolean(rc == 0));
    if (rc)
        json_object_set_new(j, "problem", json_string(why));
    vp_moves_free(&m);
    vp_api_json(r, 200, j);
}

static void dry_reserve(vp_api *a, vp_http_resp *r)
{
    vp_reservation res;
    vp_err err = {0};
    char why[VP_ERR_TEXT] = "";
    int rc = vp_engine_dry_reserve(a->e, &res, why, sizeof why, &err);
    if (rc < 0) {
        free(res.per_host);
        return vp_api_error(r, 500, "reservation policy failed", "%s", err.text);
    }
    json_t *hosts = json_array(), *j = slot_id(a, VP_SLOT_RESERVATION);
    for (vp_id id = 0; id < res.n_hosts; id++) {
        const vp_host *h = vp_pool_host(a->pool, id);
        if (h)
            json_array_append_new(hosts, json_pack("{s:s,s:o}", "host", h->name, "reserved",
                                                   vp_api_res(res.per_host[id])));
    }
    json_object_set_new(j, "pool", vp_api_res(res.pool));
    json_object_set_new(j, "hosts", hosts);
    json_object_set_new(j, "reason", json_string(res.reason));
    json_object_set_new(j, "valid", json_boolean(rc == 0));
    if (rc)
        json_object_set_new(j, "problem", json_string(why));
    free(res.per_host);
    vp_api_json(r, 200, j);
}

static void when_answer(vp_api *a, const vp_vm *v, const vp_host *to, const char *why,
                        vp_http_resp *r)
{
    static const char *const kinds[] = {"now", "later", "never"};
    vp_when w;
    vp_err err = {0};
    const vp_host *from = vp_pool_host(a->pool, v->host);
    int rc = vp_engine_dry_when(a->e, v->id, to->id, why, &w, &err);
    if (rc > 0)
        return vp_api_error(r, 409, "migration refused", "%s", err.text);
    if (rc < 0)
        return vp_api_error(r, 500, "migration policy failed", "%s", err.text);
    json_t *j = slot_id(a, VP_SLOT_MIGRATION);
    json_object_set_new(j, "vm", json_string(v->name));
    json_object_set_new(j, "from", from ? json_string(from->name) : json_null());
    json_object_set_new(j, "to", json_string(to->name));
    json_object_set_new(j, "when", json_string(kinds[w.kind]));
    if (w.kind == VP_WHEN_LATER)
        json_object_set_new(j, "delay_s", vp_api_num(w.delay));
    json_object_set_new(j, "reason", json_string(w.reason));
    vp_api_json(r, 200, j);
}

/* {"vm": NAME, "to": HOST, "why": TEXT}: what migrate_when says now. */
static void dry_when(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    json_t *o = vp_api_json_body(req, r);
    if (!o)
        return;
    const char *vm = json_string_value(json_object_get(o, "vm")),
               *to = json_string_value(json_object_get(o, "to")),
               *why = json_string_value(json_object_get(o, "why"));
    const vp_vm *v = vm ? vp_pool_vm(a->pool, vp_pool_find_vm(a->pool, vm)) : NULL;
    const vp_host *h = to ? vp_pool_host(a->pool, vp_pool_find_host(a->pool, to)) : NULL;
    if (!vm || !to || (json_object_get(o, "why") && !why))
        vp_api_error(r, 400, "bad request", "give the move as {\"vm\": NAME, \"to\": HOST} "
                     "and optionally \"why\": a string");
    else if (!v)
        vp_api_error(r, 404, "unknown VM", "no VM called '%s'", vm);
    else if (!h)
        vp_api_error(r, 404, "unknown host", "no host called '%s'", to);
    else
        when_answer(a, v, h, why ? why : "dry run through the API", r);
    json_decref(o);
}

void vp_api_dry_run(vp_api *a, const vp_http_req *req, const char *slot, vp_http_resp *r)
{
    if (strcmp(vp_http_method(req), "POST"))
        return vp_api_error(r, 405, "method not allowed", "%s %s: use POST",
                            vp_http_method(req), vp_http_path(req));
    if (!strcmp(slot, "placement"))
        return dry_place(a, req, r);
    if (!strcmp(slot, "balance"))
        return dry_balance(a, r);
    if (!strcmp(slot, "reservation"))
        return dry_reserve(a, r);
    if (!strcmp(slot, "migration"))
        return dry_when(a, req, r);
    vp_api_error(r, 404, "not found", "dry runs exist for placement, balance, reservation and "
                 "migration, not '%s'", slot);
}
