/*
 * decision_log.h - the last N engine events, kept in memory for the API.
 *
 * Provides: vp_decision_log, a bounded ring of JSON objects (one engine
 * event each, as event_json.h renders it): adding to a full ring drops
 * the oldest.  Entries are numbered from 1 in the order they were added
 * ("seq"), so a reader can ask for what is new since it last looked.
 * Optionally every entry is also appended to a file as one JSON line
 * (written and flushed when added, so the file is complete at any time).
 * Uses: jansson, err.h.
 */
#ifndef VP_DECISION_LOG_H
#define VP_DECISION_LOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct vp_decision_log vp_decision_log;

/* A ring of cap entries (cap >= 1); NULL when out of memory. */
vp_decision_log *vp_decision_log_new(size_t cap);
void vp_decision_log_free(vp_decision_log *l);

/* Appends every entry added from now on to the file at path (created if
 * needed, never truncated).  -1 with err if it cannot be opened. */
int vp_decision_log_open(vp_decision_log *l, const char *path, vp_err *err);

/* Adds entry (taken over; NULL is ignored) with "seq" set in it; writes
 * it to the file, if one is open. */
void vp_decision_log_add(vp_decision_log *l, json_t *entry);

/* Entries kept now (<= cap), and ever added. */
size_t vp_decision_log_len(const vp_decision_log *l);
size_t vp_decision_log_cap(const vp_decision_log *l);
uint64_t vp_decision_log_total(const vp_decision_log *l);
/* Entries the file did not take (a failed write), since it was opened. */
uint64_t vp_decision_log_write_errors(const vp_decision_log *l);

/* The i-th oldest entry kept (0 <= i < len), borrowed. */
json_t *vp_decision_log_get(const vp_decision_log *l, size_t i);

#endif
