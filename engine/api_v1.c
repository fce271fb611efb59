/*
 * api_v1.c - the JSON routes under /v1 (see docs/api.md).
 *
 * Provides: vp_api_v1 (api_int.h).
 * Uses: api_int.h, pool.h, engine.h, jansson.
 */
#include "api_int.h"

bool vp_api_v1(vp_api *a, const vp_http_req *req, const char *path, vp_http_resp *r)
{
    return false;
}
