/*
 * event_json.h - engine events as JSON objects (one per line in logs).
 *
 * Provides: vp_event_to_json(): {"t", "event", "slot", "policy",
 * "version", "vm", "host", "to", "moves", "duration_s", "latency_ms",
 * "reason"}, with ids turned into names and fields that do not apply
 * left out.
 * Uses: jansson, engine.h, pool.h.
 */
#ifndef VP_EVENT_JSON_H
#define VP_EVENT_JSON_H

#include <jansson.h>

#include "engine.h"

/* New reference, or NULL on out of memory. */
json_t *vp_event_to_json(const vp_engine *e, const vp_event *ev);

#endif
