/*
 * api.c - the control API: listeners, dispatch, shared answers, VM
 * create/delete, and the simple form endpoints (see api.h, docs/api.md).
 *
 * Provides: vp_api_start/_port/_stop; the helpers of api_int.h; GET
 * /resources, POST /allocate, POST /deallocate.  The simple endpoints
 * speak the operator's units: cpu as the pool counts it (vCPUs on
 * libvirt hosts), memory in GB (1 GB = 1024 MiB of the pool).
 * Uses: api_int.h, http.h, engine.h, pool.h, config.h, decision_log.h,
 * event_json.h, jansson.
 */
#include "api_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"

#define MIB_PER_GB 1024.0

/* ====== answers ====== */

void vp_api_json(vp_http_resp *r, unsigned status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;
    size_t n = s ? strlen(s) : 0;
    json_decref(j);
    r->status = s ? status : 500;
    r->type = "application/json";
    r->body = s ? realloc(s, n + 2) : NULL;
    if (!r->body) {
        free(s);
        r->status = 500; /* out of memory: an empty answer */
        return;
    }
    memcpy(r->body + n, "\n", 2);
}

void vp_api_error(vp_http_resp *r, unsigned status, const char *error, const char *fmt, ...)
{
    char detail[VP_ERR_TEXT + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    vp_api_json(r, status, json_pack("{s:s,s:s}", "error", error, "detail", detail));
}

json_t *vp_api_num(double x)
{
    if (x == floor(x) && fabs(x) < 1e15)
        return json_integer((json_int_t)x);
    return json_real(x);
}

json_t *vp_api_res(vp_res r)
{
    json_t *o = json_object();
    for (int i = 0; i < VP_RES_N; i++)
        json_object_set_new(o, vp_res_names[i], vp_api_num(r.v[i]));
    return o;
}

bool vp_api_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-')
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* ====== creating and deleting VMs ====== */

/* The pool's free capacity for new VMs: free over up hosts, less the
 * pool-level reservation (never negative). */
static vp_res pool_free(const vp_pool *pool)
{
    vp_res f = vp_res_sub(vp_pool_free_total(pool), vp_pool_reservation(pool));
    for (int i = 0; i < VP_RES_N; i++)
        f.v[i] = f.v[i] > 0 ? f.v[i] : 0;
    return f;
}

static void refused(vp_api *a, const char *name, int outcome, const char *why, vp_http_resp *r)
{
    const vp_vm *v = vp_pool_vm(a->pool, vp_pool_find_vm(a->pool, name));
    vp_res f = pool_free(a->pool);
    if (outcome == VP_PLACE_NO_ROOM)
        vp_api_error(r, 409, "insufficient capacity",
                     "VM '%s' (cpu %g, memory %g MiB) was not placed: %s; the pool has cpu %g, "
                     "memory %g MiB free", name, v->size.v[VP_CPU], v->size.v[VP_MEM], why,
                     f.v[VP_CPU], f.v[VP_MEM]);
    else if (outcome == VP_PLACE_POLICY_ERROR)
        vp_api_error(r, 500, "placement policy failed", "%s", why);
    else
        vp_api_error(r, 502, "hypervisor refused", "%s", why);
}

int vp_api_create_vm(vp_api *a, const char *name, vp_res size, int type, vp_id *id,
                     vp_http_resp *r)
{
    vp_err err = {0};
    if (!a->prm.can_create)
        return vp_api_error(r, 501, "not supported",
                            "this server runs simulated hosts, whose VMs come from the trace; "
                            "creating VMs needs libvirt hosts"), -1;
    if (vp_pool_find_vm(a->pool, name) != VP_NONE)
        return vp_api_error(r, 409, "VM exists", "a VM called '%s' already exists", name), -1;
    if ((*id = vp_pool_add_vm(a->pool, name, size, &err)) == VP_NONE)
        return vp_api_error(r, 400, "bad request", "%s", err.text), -1;
    vp_pool_set_vm_type(a->pool, *id, type);
    int rc = vp_engine_place_now(a->e, *id, &err);
    if (rc == VP_PLACE_OK)
        return 0;
    refused(a, name, rc, err.text, r);
    (void)vp_pool_remove_vm(a->pool, *id, NULL);
    return -1;
}

int vp_api_delete_vm(vp_api *a, const char *name, char *host, size_t len, vp_http_resp *r)
{
    vp_err err = {0};
    vp_id id = vp_pool_find_vm(a->pool, name);
    const vp_vm *v = vp_pool_vm(a->pool, id);
    if (!v)
        return vp_api_error(r, 404, "unknown VM", "no VM called '%s'", name), -1;
    const vp_host *h = vp_pool_host(a->pool, v->host);
    snprintf(host, len, "%s", h ? h->name : "");
    if (v->state == VP_VM_MIGRATING)
        return vp_api_error(r, 409, "VM busy", "VM '%s' is migrating; try again when it is "
                                               "done", name), -1;
    if (vp_engine_remove_vm(a->e, id, "deallocated through the API", &err))
        return vp_api_error(r, 502, "hypervisor refused", "%s", err.text), -1;
    return 0;
}

/* ====== the simple form endpoints ====== */

/* A form field as a number > 0; NULL on success, else the problem. */
static const char *positive(const vp_http_req *req, const char *key, double *out)
{
    const char *s = vp_http_arg(req, key);
    char *end;
    if (!s)
        return "missing";
    *out = strtod(s, &end);
    if (end == s || *end || !isfinite(*out) || !(*out > 0))
        return "not a number > 0";
    return NULL;
}

static void resources(vp_api *a, vp_http_resp *r)
{
    vp_res f = pool_free(a->pool);
    vp_api_json(r, 200, json_pack("{s:o,s:o}", "cpu", vp_api_num(f.v[VP_CPU]), "memory",
                                  vp_api_num(f.v[VP_MEM] / MIB_PER_GB)));
}

static void allocate(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    const char *name = vp_http_arg(req, "vm_name"), *bad;
    double cpu, mem;
    vp_id id;
    if (!name || !vp_api_name_ok(name))
        return vp_api_error(r, 400, "bad request", "vm_name %s", name ? "must be 1..64 of "
                            "A-Z a-z 0-9 _ . - (not starting with . or -)" : "is missing");
    if ((bad = positive(req, "cpu", &cpu)) || (bad = positive(req, "memory", &mem)))
        return vp_api_error(r, 400, "bad request", "%s is %s (cpu in CPUs, memory in GB)",
                            positive(req, "cpu", &cpu) ? "cpu" : "memory", bad);
    if (vp_api_create_vm(a, name, vp_res_make(cpu, mem * MIB_PER_GB, 0, 0), -1, &id, r))
        return;
    const vp_vm *v = vp_pool_vm(a->pool, id);
    vp_api_json(r, 201, json_pack("{s:s,s:s,s:s,s:o,s:o}", "status", "allocated", "vm_name",
                                  name, "host", vp_pool_host(a->pool, v->host)->name, "cpu",
                                  vp_api_num(cpu), "memory", vp_api_num(mem)));
}

static void deallocate(vp_api *a, const vp_http_req *req, vp_http_resp *r)
{
    const char *name = vp_http_arg(req, "vm_name");
    char host[VP_ERR_FIELD];
    if (!name || !*name)
        return vp_api_error(r, 400, "bad request", "vm_name is missing");
    if (vp_api_delete_vm(a, name, host, sizeof host, r))
        return;
    vp_api_json(r, 200, json_pack("{s:s,s:s,s:s}", "status", "deallocated", "vm_name", name,
                                  "host", host));
}

/* ====== dispatch ====== */

/* The route's method, or false with a 405 answer. */
static bool method_is(const vp_http_req *req, const char *m, vp_http_resp *r)
{
    if (!strcmp(vp_http_method(req), m))
        return true;
    vp_api_error(r, 405, "method not allowed", "%s %s: use %s", vp_http_method(req),
                 vp_http_path(req), m);
    return false;
}

/* A POST to a form endpoint must carry a form body. */
static bool form_post(const vp_http_req *req, vp_http_resp *r)
{
    if (!method_is(req, "POST", r))
        return false;
    if (vp_http_is_form(req))
        return true;
    vp_api_error(r, 415, "unsupported media type",
                 "send the fields as a multipart/form-data or application/x-www-form-urlencoded "
                 "body that parses");
    return false;
}

static void handle(void *ud, const vp_http_req *req, vp_http_resp *r)
{
    vp_api *a = ud;
    const char *path = vp_http_path(req);
    if (!strcmp(path, "/resources")) {
        if (method_is(req, "GET", r))
            resources(a, r);
    } else if (!strcmp(path, "/allocate")) {
        if (form_post(req, r))
            allocate(a, req, r);
    } else if (!strcmp(path, "/deallocate")) {
        if (form_post(req, r))
            deallocate(a, req, r);
    } else if (!strcmp(path, "/metrics")) {
        if (method_is(req, "GET", r))
            vp_api_metrics(a, r);
    } else if (!vp_api_v1(a, req, path, r)) {
        vp_api_error(r, 404, "not found", "no route %s %s (see docs/api.md)",
                     vp_http_method(req), path);
    }
}

/* ====== start, stop ====== */

static int listen_all(vp_api *a, struct ev_loop *loop, vp_err *err)
{
    const vp_config *cfg = a->prm.cfg;
    vp_http_listen tcp = {0}, un = {.path = cfg->api.unix_socket};
    char ip[VP_IP_LEN];
    bool loopback = true;
    if (vp_listen_check(a->prm.listen, cfg->api.token, err) ||
        vp_listen_parse(a->prm.listen, ip, &tcp.port, &loopback, err))
        return vp_err_prefix(err, "api: ");
    tcp.ip = ip;
    if (tcp.port >= 0 &&
        !(a->tcp = vp_http_start(loop, &tcp, cfg->api.token, handle, a, err)))
        return vp_err_prefix(err, "api: ");
    if (un.path && !(a->unix_sock = vp_http_start(loop, &un, cfg->api.token, handle, a, err)))
        return vp_err_prefix(err, "api: ");
    return 0;
}

vp_api *vp_api_start(struct ev_loop *loop, vp_engine *engine, const vp_api_params *prm,
                     vp_err *err)
{
    vp_api *a = calloc(1, sizeof *a);
    if (!a)
        return vp_err_set(err, "out of memory"), NULL;
    a->e = engine;
    a->pool = vp_engine_pool(engine);
    a->prm = *prm;
    if (!(a->log = vp_decision_log_new(VP_API_LOG_CAP)))
        return vp_api_stop(a), vp_err_set(err, "out of memory"), NULL;
    const char *file = prm->cfg->api.decision_log;
    if (file && vp_decision_log_open(a->log, file, err))
        return vp_api_stop(a), vp_err_prefix(err, "api: "), NULL;
    if (listen_all(a, loop, err))
        return vp_api_stop(a), NULL;
    return a;
}

void vp_api_record(vp_api *a, const vp_engine *e, const vp_event *ev)
{
    if (ev->kind != VP_EV_SAMPLED && ev->kind != VP_EV_SAMPLE_FAILED)
        vp_decision_log_add(a->log, vp_event_to_json(e, ev));
}

int vp_api_port(const vp_api *a) { return a->tcp ? vp_http_port(a->tcp) : -1; }

void vp_api_stop(vp_api *a)
{
    if (!a)
        return;
    vp_http_stop(a->tcp);
    vp_http_stop(a->unix_sock);
    vp_decision_log_free(a->log);
    free(a);
}
