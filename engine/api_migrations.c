/*
 * api_migrations.c - the /v1 routes for migrations and reservations.
 *
 * Provides: vp_api_migrations and vp_api_reservations (api_int.h): GET
 * /v1/migrations (queued, deferred and running), DELETE
 * /v1/migrations/VM (withdraw a waiting one; ask the driver to abort a
 * running one), GET /v1/reservations (what
 * the reservation policy holds back, per host and for the pool).
 * Uses: api_int.h, engine.h, pool.h, jansson.
 */
#include "api_int.h"

#include <string.h>

static json_t *name_of_host(const vp_pool *pool, vp_id id)
{
    const vp_host *h = vp_pool_host(pool, id);
    return h ? json_string(h->name) : json_null();
}

static json_t *migration_json(const vp_pool *pool, const vp_migration_info *m)
{
    const vp_vm *v = vp_pool_vm(pool, m->vm);
    json_t *j = json_pack("{s:s,s:o,s:o,s:s,s:s,s:f,s:i}", "vm", v ? v->name : "?", "from",
                          name_of_host(pool, m->from), "to", name_of_host(pool, m->to),
                          "state", m->running ? "running" : "waiting", "why", m->why,
                          "proposed", m->proposed, "asked", m->asked);
    json_object_set_new(j, m->running ? "started" : "not_before",
                        json_real(m->running ? m->started : m->not_before));
    return j;
}

static void list(vp_api *a, vp_http_resp *r)
{
    json_t *arr = json_array();
    vp_migration_info m;
    for (size_t i = 0; vp_engine_migration(a->e, i, &m) == 0; i++)
        json_array_append_new(arr, migration_json(a->pool, &m));
    vp_api_json(r, 200, json_pack("{s:o}", "migrations", arr));
}

/* A running migration: the driver is asked to abort it (202); its end
 * comes later as a migration_failed event. */
static void abort_running(vp_api *a, const char *vm, const vp_migration_info *m,
                          vp_http_resp *r)
{
    vp_err err = {0};
    if (vp_engine_abort_migration(a->e, m->vm, &err))
        return vp_api_error(r, 409, "cannot abort", "VM '%s': %s", vm, err.text);
    vp_api_json(r, 202, json_pack("{s:s,s:s,s:o,s:o,s:s}", "status", "aborting", "vm", vm,
                                  "from", name_of_host(a->pool, m->from), "to",
                                  name_of_host(a->pool, m->to), "outcome",
                                  "reported as a migration_failed event (GET /v1/decisions)"));
}

/* DELETE /v1/migrations/VM: withdraw a waiting one, abort a running one. */
static void cancel(vp_api *a, const char *vm, vp_http_resp *r)
{
    vp_err err = {0};
    vp_id id = vp_pool_find_vm(a->pool, vm);
    if (id == VP_NONE)
        return vp_api_error(r, 404, "unknown VM", "no VM called '%s'", vm);
    vp_migration_info m;
    size_t i = 0;
    while (vp_engine_migration(a->e, i, &m) == 0 && m.vm != id)
        i++;
    if (vp_engine_migration(a->e, i, &m) != 0)
        return vp_api_error(r, 404, "no migration", "VM '%s' has no migration queued", vm);
    if (m.running)
        return abort_running(a, vm, &m, r);
    if (vp_engine_cancel_migration(a->e, id, "cancelled through the API", &err))
        return vp_api_error(r, 409, "cannot cancel", "%s", err.text);
    vp_api_json(r, 200, json_pack("{s:s,s:s}", "status", "cancelled", "vm", vm));
}

void vp_api_migrations(vp_api *a, const vp_http_req *req, const char *vm, vp_http_resp *r)
{
    const char *m = vp_http_method(req);
    if (!vm && !strcmp(m, "GET"))
        return list(a, r);
    if (vm && !strcmp(m, "DELETE"))
        return cancel(a, vm, r);
    vp_api_error(r, 405, "method not allowed", "%s %s: use %s", m, vp_http_path(req),
                 vm ? "DELETE" : "GET");
}

void vp_api_reservations(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    if (strcmp(vp_http_method(req), "GET"))
        return vp_api_error(r, 405, "method not allowed", "%s %s: use GET",
                            vp_http_method(req), vp_http_path(req));
    json_t *hosts = json_array();
    for (vp_id id = 0; id < vp_pool_host_end(a->pool); id++) {
        const vp_host *h = vp_pool_host(a->pool, id);
        if (h)
            json_array_append_new(hosts, json_pack("{s:s,s:o}", "host", h->name, "reserved",
                                                   vp_api_res(h->reserved)));
    }
    vp_api_json(r, 200, json_pack("{s:o,s:o}", "pool", vp_api_res(vp_pool_reservation(a->pool)),
                                  "hosts", hosts));
}
