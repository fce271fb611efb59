/*
 * api_int.h - what the API's route files share (api.c, api_v1.c,
 * api_migrations.c, api_dryrun.c, api_metrics.c).  Not a public header.
 */
#ifndef VP_API_INT_H
#define VP_API_INT_H

#include <jansson.h>

#include "api.h"
#include "decision_log.h"
#include "http.h"

struct vp_api {
    vp_engine *e;
    vp_pool *pool;
    vp_api_params prm;
    vp_http *tcp, *unix_sock;
    vp_decision_log *log; /* recent events (vp_api_record) */
};

/* A JSON answer (takes j) / an error answer {"error", "detail"}. */
void vp_api_json(vp_http_resp *r, unsigned status, json_t *j);
void vp_api_error(vp_http_resp *r, unsigned status, const char *error, const char *fmt, ...)
    VP_PRINTF(4, 5);

/* x as a JSON integer when it is one, else a real. */
json_t *vp_api_num(double x);
/* {"cpu": .., "memory": .., "disk": .., "network": ..} in pool units. */
json_t *vp_api_res(vp_res r);

/* A VM name the API accepts: 1..64 of [A-Za-z0-9_.-], not starting with
 * '.' or '-'. */
bool vp_api_name_ok(const char *name);

/* Creates VM name of size (from the config's VM type `type`, whose
 * domain XML template the driver uses; -1 none) and places it now; 0 and
 * the new VM's id in *id, or -1 with the error answer in r (nothing
 * changed). */
int vp_api_create_vm(vp_api *a, const char *name, vp_res size, int type, vp_id *id,
                     vp_http_resp *r);
/* Removes the VM called name; 0 (its host's name, or "" if it had none,
 * in host) or -1 with the error answer in r. */
int vp_api_delete_vm(vp_api *a, const char *name, char *host, size_t len, vp_http_resp *r);

/* The /v1 routes and /metrics; false if path is not theirs. */
bool vp_api_v1(vp_api *a, const vp_http_req *req, const char *path, vp_http_resp *r);
void vp_api_metrics(vp_api *a, vp_http_resp *r);
/* /v1/migrations (vm NULL) and /v1/migrations/VM; /v1/reservations. */
void vp_api_migrations(vp_api *a, const vp_http_req *req, const char *vm, vp_http_resp *r);
void vp_api_reservations(vp_api *a, const vp_http_req *req, vp_http_resp *r);
/* /v1/policies/SLOT/dry-run. */
void vp_api_dry_run(vp_api *a, const vp_http_req *req, const char *slot, vp_http_resp *r);

/* The request's JSON object body, or NULL with the error answered. */
json_t *vp_api_json_body(const vp_http_req *req, vp_http_resp *r);
/* A VM size from a JSON object's template, vcpus and memory (MiB), as
 * POST /v1/vms takes it, and the template's VM type index in *type (-1
 * if none); -1 with the error answered. */
int vp_api_vm_size(vp_api *a, json_t *o, vp_res *size, int *type, vp_http_resp *r);

#endif
