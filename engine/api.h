/*
 * api.h - the control API of `vmpilot serve`: JSON over HTTP.
 *
 * Provides: vp_api, the routes (docs/api.md) served by vp_http on the
 * engine's loop: the simple form endpoints GET /resources, POST
 * /allocate, POST /deallocate; the JSON routes under /v1 (hosts, VMs,
 * policies, decisions); GET /metrics (Prometheus text format).  Requests run on the
 * loop thread, between two engine decisions; a request that fails
 * changes nothing.  Errors are 4xx/5xx with {"error": ..., "detail": ...}.
 * Uses: http.h, engine.h, pool.h, config.h (API listen settings and
 * vm_types as VM templates).  Knows nothing of Lua: the policy slots'
 * status and reload come through vp_api_policies.
 */
#ifndef VP_API_H
#define VP_API_H

#include <ev.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"

typedef struct vp_api vp_api;

/* One policy slot as the API shows it (strings borrowed, valid until
 * the next reload). */
typedef struct vp_api_slot {
    const char *name, *version, *path, *last_error; /* last_error "" if none */
    uint64_t calls, errors, reloads, reload_failures;
} vp_api_slot;

/* What the API needs of the policy runtime; reload is 0 (new version
 * swapped in), 1 (unchanged) or -1 (failed, err says why; the running
 * version stays). */
typedef struct vp_api_policies {
    void *ud;
    void (*status)(void *ud, vp_slot slot, vp_api_slot *out);
    int (*reload)(void *ud, vp_slot slot, vp_err *err);
} vp_api_policies;

typedef struct vp_api_params {
    const vp_config *cfg;  /* api.unix_socket, api.token, vm_types; borrowed */
    const char *listen;    /* "HOST:PORT" or "none" (cfg->api.listen or --listen) */
    vp_api_policies policies;
    /* false: VM creation answers 501 (simulated hosts: their VMs come
     * from the trace) */
    bool can_create;
} vp_api_params;

/* Starts listening (TCP and/or the unix socket) on loop; engine and
 * cfg are borrowed and must outlive the API.  NULL with err ("api: cannot
 * listen on ...") on failure, including a listen address that is not
 * loopback without a token. */
vp_api *vp_api_start(struct ev_loop *loop, vp_engine *engine, const vp_api_params *prm,
                     vp_err *err) VP_WUR;

/* The TCP port bound (the real one when the address said port 0), or -1
 * when not listening on TCP. */
int vp_api_port(const vp_api *a);

/* Keeps ev in the API's decision log (GET /v1/decisions: the last
 * VP_API_LOG_CAP events, sampling rounds left out).  Call it from the
 * engine's observer. */
#define VP_API_LOG_CAP 4096
void vp_api_record(vp_api *a, const vp_engine *e, const vp_event *ev);

void vp_api_stop(vp_api *a);

#endif
