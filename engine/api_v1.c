/*
 * api_v1.c - the JSON routes under /v1 (see docs/api.md).
 *
 * Provides: vp_api_v1 (api_int.h): hosts (list, get, drain, undrain),
 * VMs (list, get, create, delete, migrate to a given host), policies (status, reload), decisions
 * (the recent engine events, filtered).  Sizes are
 * in pool units (libvirt hosts: vCPUs and MiB).
 * Uses: api_int.h, pool.h, engine.h, config.h (vm_types as templates),
 * jansson.
 *
 * Drain is the engine's maintenance (vp_engine_drain_host): the host
 * becomes "draining" (placement and migrations no longer choose it) and
 * its VMs are planned away through the migration executor; undrain puts
 * it back up and drops the moves still waiting.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEG_N 4
#define SEG_LEN 80

typedef char segs[SEG_N][SEG_LEN];

/* Splits "a/b/c" into s; the count, or -1 if too many or too long. */
static int split(const char *p, segs s)
{
    int n = 0;
    while (*p) {
        size_t len = strcspn(p, "/");
        if (n == SEG_N || len == 0 || len >= SEG_LEN)
            return -1;
        snprintf(s[n++], SEG_LEN, "%.*s", (int)len, p);
        p += len + (p[len] == '/');
    }
    return n;
}

static bool is(const vp_http_req *req, const char *method)
{
    return !strcmp(vp_http_method(req), method);
}

static void bad_method(const vp_http_req *req, const char *allowed, vp_http_resp *r)
{
    vp_api_error(r, 405, "method not allowed", "%s %s: use %s", vp_http_method(req),
                 vp_http_path(req), allowed);
}

/* ====== hosts ====== */

static json_t *names(const vp_pool *pool, const vp_idlist *l)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(vp_pool_vm(pool, l->ids[i])->name));
    return a;
}

static json_t *host_json(const vp_pool *pool, const vp_host *h)
{
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "name", h->name, "state",
                     vp_host_state_name(h->state), "capacity", vp_api_res(h->capacity),
                     "limit", vp_api_res(h->limit), "used", vp_api_res(h->used), "reserved",
                     vp_api_res(h->reserved), "free", vp_api_res(vp_pool_host_free(h)),
                     "demand", vp_api_res(h->demand), "vms", names(pool, &h->vms),
                     "incoming", names(pool, &h->incoming));
}

static void list_hosts(vp_api *a, vp_http_resp *r)
{
    json_t *arr = json_array();
    for (vp_id id = 0; id < vp_pool_host_end(a->pool); id++) {
        const vp_host *h = vp_pool_host(a->pool, id);
        if (h)
            json_array_append_new(arr, host_json(a->pool, h));
    }
    vp_api_json(r, 200, json_pack("{s:o}", "hosts", arr));
}

/* up <-> draining; a down host cannot change. */
static void drain(vp_api *a, const vp_host *h, bool on, vp_http_resp *r)
{
    vp_err err = {0};
    if (h->state == VP_HOST_DOWN)
        return vp_api_error(r, 409, "host down", "host '%s' is down; it cannot be %s",
                            h->name, on ? "drained" : "undrained");
    bool noop = !on && h->state == VP_HOST_UP; /* both are idempotent */
    if (!noop && (on ? vp_engine_drain_host : vp_engine_undrain_host)(a->e, h->id, &err))
        return vp_api_error(r, 409, "engine refused", "%s", err.text);
    json_t *j = host_json(a->pool, h);
    json_object_set_new(j, "evacuation",
                        json_string(on ? "its VMs are planned away through the migration "
                                         "executor (events drain_started, drained)"
                                       : "none: waiting drain moves dropped"));
    vp_api_json(r, 200, j);
}

static void host_route(vp_api *a, const vp_http_req *req, segs s, int n, vp_http_resp *r)
{
    const vp_host *h = n >= 2 ? vp_pool_host(a->pool, vp_pool_find_host(a->pool, s[1])) : NULL;
    bool action = n == 3 && (!strcmp(s[2], "drain") || !strcmp(s[2], "undrain"));
    if (n == 1)
        return is(req, "GET") ? list_hosts(a, r) : bad_method(req, "GET", r);
    if (n > 3 || (n == 3 && !action))
        return vp_api_error(r, 404, "not found", "no route %s %s", vp_http_method(req),
                            vp_http_path(req));
    if (!h)
        return vp_api_error(r, 404, "unknown host", "no host called '%s'", s[1]);
    if (n == 2)
        return is(req, "GET") ? vp_api_json(r, 200, host_json(a->pool, h))
                              : bad_method(req, "GET", r);
    if (!is(req, "POST"))
        return bad_method(req, "POST", r);
    drain(a, h, !strcmp(s[2], "drain"), r);
}

/* ====== VMs ====== */

static json_t *host_name(const vp_pool *pool, vp_id id)
{
    const vp_host *h = vp_pool_host(pool, id);
    return h ? json_string(h->name) : json_null();
}

static json_t *vm_json(const vp_api *a, const vp_vm *v)
{
    const vp_pool *pool = a->pool;
    const vp_config *cfg = a->prm.cfg;
    json_t *j = json_pack("{s:s,s:s,s:o,s:o,s:o}", "name", v->name, "state",
                          vp_vm_state_name(v->state), "host", host_name(pool, v->host), "size",
                          vp_api_res(v->size), "demand", vp_api_res(v->demand));
    if (v->state == VP_VM_MIGRATING)
        json_object_set_new(j, "to", host_name(pool, v->dest));
    if (v->type >= 0 && cfg && (size_t)v->type < cfg->n_vm_types)
        json_object_set_new(j, "template", json_string(cfg->vm_types[v->type].name));
    return j;
}

/* ?state=S and ?host=H filter the list. */
static bool listed(const vp_pool *pool, const vp_vm *v, const vp_http_req *req)
{
    const char *state = vp_http_arg(req, "state"), *host = vp_http_arg(req, "host");
    const vp_host *h = vp_pool_host(pool, v->host);
    if (state && strcmp(state, vp_vm_state_name(v->state)))
        return false;
    return !host || (h && !strcmp(host, h->name));
}

static void list_vms(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    json_t *arr = json_array();
    for (vp_id id = 0; id < vp_pool_vm_end(a->pool); id++) {
        const vp_vm *v = vp_pool_vm(a->pool, id);
        if (v && listed(a->pool, v, req))
            json_array_append_new(arr, vm_json(a, v));
    }
    vp_api_json(r, 200, json_pack("{s:o}", "vms", arr));
}

json_t *vp_api_json_body(const vp_http_req *req, vp_http_resp *r)
{
    size_t len;
    const char *body = vp_http_body(req, &len);
    json_error_t je;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return vp_api_error(r, 400, "bad request", "the body is not JSON: %s (line %d, column "
                            "%d)", je.text, je.line, je.column), NULL;
    if (!json_is_object(j))
        return json_decref(j), vp_api_error(r, 400, "bad request", "expected a JSON object"),
               NULL;
    return j;
}

/* Unknown keys of a create request; NULL if none. */
static const char *unknown_key(json_t *o)
{
    static const char *const keys[] = {"name", "vcpus", "memory", "template"};
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        size_t i = 0;
        while (i < 4 && strcmp(k, keys[i]))
            i++;
        if (i == 4)
            return k;
    }
    return NULL;
}

int vp_api_vm_size(vp_api *a, json_t *o, vp_res *size, int *type_out, vp_http_resp *r)
{
    json_t *t = json_object_get(o, "template"), *c = json_object_get(o, "vcpus"),
           *m = json_object_get(o, "memory");
    int type = t && json_is_string(t) ? vp_config_vm_type(a->prm.cfg, json_string_value(t)) : -1;
    if (t && type < 0)
        return vp_api_error(r, 400, "bad request", "template must name one of the config's "
                            "vm_types"), -1;
    *size = type >= 0 ? a->prm.cfg->vm_types[type].size : vp_res_zero();
    *type_out = type;
    if ((c && (!json_is_integer(c) || json_integer_value(c) < 1)) ||
        (m && (!json_is_number(m) || !(json_number_value(m) > 0))))
        return vp_api_error(r, 400, "bad request", "vcpus must be an integer >= 1 and memory "
                            "a number of MiB > 0"), -1;
    if (type < 0 && (!c || !m))
        return vp_api_error(r, 400, "bad request", "give vcpus and memory (MiB), or a "
                            "template"), -1;
    if (c)
        size->v[VP_CPU] = (double)json_integer_value(c);
    if (m)
        size->v[VP_MEM] = json_number_value(m);
    return 0;
}

static void create_vm(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    json_t *o = vp_api_json_body(req, r);
    const char *name = o ? json_string_value(json_object_get(o, "name")) : NULL, *k;
    vp_res size;
    vp_id id;
    int type;
    if (!o)
        return;
    if ((k = unknown_key(o)))
        vp_api_error(r, 400, "bad request", "unknown field '%s' (expected name, vcpus, memory, "
                     "template)", k);
    else if (!name || !vp_api_name_ok(name))
        vp_api_error(r, 400, "bad request", "name must be a string of 1..64 of A-Z a-z 0-9 _ "
                     ". - (not starting with . or -)");
    else if (vp_api_vm_size(a, o, &size, &type, r) == 0 &&
             vp_api_create_vm(a, name, size, type, &id, r) == 0)
        vp_api_json(r, 201, vm_json(a, vp_pool_vm(a->pool, id)));
    json_decref(o);
}

static void delete_vm(vp_api *a, const char *name, vp_http_resp *r)
{
    char host[VP_ERR_FIELD];
    if (vp_api_delete_vm(a, name, host, sizeof host, r) == 0)
        vp_api_json(r, 200, json_pack("{s:s,s:s,s:s}", "status", "deleted", "name", name,
                                      "host", host));
}

static void accepted(vp_api *a, const vp_vm *v, vp_id to, vp_http_resp *r)
{
    vp_api_json(r, 202, json_pack("{s:s,s:s,s:o}", "status", "accepted", "to",
                                  vp_pool_host(a->pool, to)->name, "vm", vm_json(a, v)));
}

/* No destination given: the placement policy chooses one. */
static void migrate_by_policy(vp_api *a, const vp_vm *v, vp_http_resp *r)
{
    vp_err err = {0};
    vp_id to = VP_NONE;
    int rc = vp_engine_move_by_policy(a->e, v->id, "requested through the API", &to, &err);
    if (rc == 0)
        accepted(a, v, to, r);
    else if (rc == 1)
        vp_api_error(r, 409, "migration refused", "%s", err.text);
    else
        vp_api_error(r, 500, "placement policy failed", "%s", err.text);
}

/* POST /v1/vms/NAME/migrate {"to": HOST} or {}: a move proposed as the
 * balance slot would (migrate_when and the limits decide when it
 * starts); without "to" the placement policy chooses the destination. */
static void migrate_vm(vp_api *a, const vp_http_req *req, const char *name, vp_http_resp *r)
{
    vp_err err = {0};
    json_t *o = vp_api_json_body(req, r);
    const char *to = o ? json_string_value(json_object_get(o, "to")) : NULL;
    const vp_vm *v = vp_pool_vm(a->pool, vp_pool_find_vm(a->pool, name));
    const vp_host *h = to ? vp_pool_host(a->pool, vp_pool_find_host(a->pool, to)) : NULL;
    if (!o)
        return;
    if (!v)
        vp_api_error(r, 404, "unknown VM", "no VM called '%s'", name);
    else if (!to)
        migrate_by_policy(a, v, r);
    else if (!h)
        vp_api_error(r, 404, "unknown host", "no host called '%s'", to);
    else if (vp_engine_propose_move(a->e, v->id, h->id, "requested through the API", &err))
        vp_api_error(r, 409, "migration refused", "%s", err.text);
    else
        accepted(a, v, h->id, r);
    json_decref(o);
}

static void vm_route(vp_api *a, const vp_http_req *req, segs s, int n, vp_http_resp *r)
{
    if (n == 1 && is(req, "GET"))
        return list_vms(a, req, r);
    if (n == 1)
        return is(req, "POST") ? create_vm(a, req, r) : bad_method(req, "GET or POST", r);
    if (n == 3 && !strcmp(s[2], "migrate"))
        return is(req, "POST") ? migrate_vm(a, req, s[1], r) : bad_method(req, "POST", r);
    if (n > 2)
        return vp_api_error(r, 404, "not found", "no route %s %s", vp_http_method(req),
                            vp_http_path(req));
    if (is(req, "DELETE"))
        return delete_vm(a, s[1], r);
    const vp_vm *v = vp_pool_vm(a->pool, vp_pool_find_vm(a->pool, s[1]));
    if (!is(req, "GET"))
        return bad_method(req, "GET or DELETE", r);
    if (!v)
        return vp_api_error(r, 404, "unknown VM", "no VM called '%s'", s[1]);
    vp_api_json(r, 200, vm_json(a, v));
}

/* ====== policies ====== */

static json_t *slot_json(vp_api *a, vp_slot slot)
{
    vp_api_slot st;
    a->prm.policies.status(a->prm.policies.ud, slot, &st);
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:s?}", "slot", vp_slot_names[slot],
                     "name", st.name, "version", st.version, "path", st.path, "calls",
                     (json_int_t)st.calls, "errors", (json_int_t)st.errors, "reloads",
                     (json_int_t)st.reloads, "reload_failures", (json_int_t)st.reload_failures,
                     "last_error", *st.last_error ? st.last_error : NULL);
}

static void list_policies(vp_api *a, vp_http_resp *r)
{
    json_t *arr = json_array();
    for (int s = 0; s < VP_SLOT_N; s++)
        json_array_append_new(arr, slot_json(a, (vp_slot)s));
    vp_api_json(r, 200, json_pack("{s:o}", "policies", arr));
}

static void reload(vp_api *a, vp_http_resp *r)
{
    static const char *const outcome[] = {"failed", "reloaded", "unchanged"};
    json_t *arr = json_array();
    bool failed = false;
    for (int s = 0; s < VP_SLOT_N; s++) {
        vp_err err = {0};
        int rc = a->prm.policies.reload(a->prm.policies.ud, (vp_slot)s, &err);
        json_t *j = slot_json(a, (vp_slot)s);
        json_object_set_new(j, "outcome", json_string(outcome[rc + 1]));
        if (rc < 0)
            json_object_set_new(j, "error", json_string(err.text));
        json_array_append_new(arr, j);
        failed |= rc < 0;
    }
    vp_api_json(r, failed ? 422 : 200, json_pack("{s:s,s:o}", "status", failed ? "failed" : "ok",
                                                 "results", arr));
}

static void policy_route(vp_api *a, const vp_http_req *req, segs s, int n, vp_http_resp *r)
{
    if (n == 1)
        return is(req, "GET") ? list_policies(a, r) : bad_method(req, "GET", r);
    if (n == 2 && !strcmp(s[1], "reload"))
        return is(req, "POST") ? reload(a, r) : bad_method(req, "POST", r);
    if (n == 3 && !strcmp(s[2], "dry-run"))
        return vp_api_dry_run(a, req, s[1], r);
    vp_api_error(r, 404, "not found", "no route %s %s", vp_http_method(req), vp_http_path(req));
}

/* ====== decisions ====== */

/* Does entry e match every filter given (?slot, ?vm, ?host, ?event, ?since)? */
static bool matches(json_t *e, const vp_http_req *req, json_int_t since)
{
    static const char *const keys[] = {"slot", "vm", "host", "event"};
    for (int i = 0; i < 4; i++) {
        const char *want = vp_http_arg(req, keys[i]);
        const char *got = json_string_value(json_object_get(e, keys[i]));
        if (want && (!got || strcmp(want, got)))
            return false;
    }
    return json_integer_value(json_object_get(e, "seq")) > since;
}

/* ?name as an integer in [lo, hi], dflt if absent; -1 if bad. */
static long long int_arg(const vp_http_req *req, const char *name, long long lo, long long hi,
                         long long dflt)
{
    const char *s = vp_http_arg(req, name);
    char *end;
    if (!s)
        return dflt;
    long long x = strtoll(s, &end, 10);
    return end == s || *end || x < lo || x > hi ? -1 : x;
}

/* The newest `limit` entries that match, oldest first. */
static void list_decisions(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    long long limit = int_arg(req, "limit", 1, VP_API_LOG_CAP, 100);
    long long since = int_arg(req, "since", 0, INT64_MAX, 0);
    if (limit < 0 || since < 0)
        return vp_api_error(r, 400, "bad request", "limit must be an integer in 1..%d and "
                            "since an integer >= 0", VP_API_LOG_CAP);
    json_t *arr = json_array();
    size_t n = vp_decision_log_len(a->log);
    for (size_t i = n; i-- > 0 && (long long)json_array_size(arr) < limit;) {
        json_t *e = vp_decision_log_get(a->log, i);
        if (matches(e, req, since))
            json_array_insert(arr, 0, e);
    }
    vp_api_json(r, 200, json_pack("{s:o,s:I,s:I}", "decisions", arr, "total",
                                  (json_int_t)vp_decision_log_total(a->log), "kept",
                                  (json_int_t)n));
}

/* ====== dispatch ====== */

bool vp_api_v1(vp_api *a, const vp_http_req *req, const char *path, vp_http_resp *r)
{
    segs s;
    int n = strncmp(path, "/v1/", 4) ? -1 : split(path + 4, s);
    if (n < 1)
        return false;
    if (!strcmp(s[0], "hosts"))
        host_route(a, req, s, n, r);
    else if (!strcmp(s[0], "vms"))
        vm_route(a, req, s, n, r);
    else if (!strcmp(s[0], "policies"))
        policy_route(a, req, s, n, r);
    else if (!strcmp(s[0], "migrations") && n <= 2)
        vp_api_migrations(a, req, n == 2 ? s[1] : NULL, r);
    else if (!strcmp(s[0], "reservations") && n == 1)
        vp_api_reservations(a, req, r);
    else if (!strcmp(s[0], "decisions") && n == 1)
        is(req, "GET") ? list_decisions(a, req, r) : bad_method(req, "GET", r);
    else
        return false;
    return true;
}
