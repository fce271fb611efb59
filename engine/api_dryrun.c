/*
 * api_dryrun.c - "what would the policy decide now": dry runs of the
 * placement and balance slots on the live pool.
 *
 * Provides: vp_api_dry_run (api_int.h): POST
 * /v1/policies/placement/dry-run (a VM size, as for POST /v1/vms) and
 * POST /v1/policies/balance/dry-run.  Nothing is acted on: placement runs
 * for a temporary pending VM (named ".dry-run", a name the API never
 * gives) that is removed before the answer; balance's moves are checked
 * as the engine would, not queued.
 * Uses: api_int.h, engine.h (vp_engine_dry_place/_balance), pool.h.
 */
#include "api_int.h"

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
    json_t *o = vp_api_json_body(req, r);
    if (!o)
        return;
    if (vp_api_vm_size(a, o, &size, r) == 0) {
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

void vp_api_dry_run(vp_api *a, const vp_http_req *req, const char *slot, vp_http_resp *r)
{
    if (strcmp(vp_http_method(req), "POST"))
        return vp_api_error(r, 405, "method not allowed", "%s %s: use POST",
                            vp_http_method(req), vp_http_path(req));
    if (!strcmp(slot, "placement"))
        return dry_place(a, req, r);
    if (!strcmp(slot, "balance"))
        return dry_balance(a, r);
    vp_api_error(r, 404, "not found", "dry runs exist for placement and balance, not '%s'", slot);
}
