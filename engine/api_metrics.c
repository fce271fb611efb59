/*
 * api_metrics.c - GET /metrics in the Prometheus text format.
 *
 * Provides: vp_api_metrics (api_int.h).
 * Uses: api_int.h, pool.h, engine.h.
 */
#include "api_int.h"

void vp_api_metrics(vp_api *a, vp_http_resp *r)
{
    vp_api_error(r, 501, "not implemented", "metrics are not built yet");
}
