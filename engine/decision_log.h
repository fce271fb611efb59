/*
 * decision_log.h - the last N engine events, kept in memory for the API.
 *
 * Provides: vp_decision_log, a bounded ring of JSON objects (one engine
 * event each, as event_json.h renders it): adding to a full ring drops
 * the oldest.  Entries are numbered from 1 in the order they were added
 * ("seq"), so a reader can ask for what is new since it last looked.
 * Uses: jansson.
 */
#ifndef VP_DECISION_LOG_H
#define VP_DECISION_LOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vp_decision_log vp_decision_log;

/* A ring of cap entries (cap >= 1); NULL when out of memory. */
vp_decision_log *vp_decision_log_new(size_t cap);
void vp_decision_log_free(vp_decision_log *l);

/* Adds entry (taken over; NULL is ignored) with "seq" set in it. */
void vp_decision_log_add(vp_decision_log *l, json_t *entry);

/* Entries kept now (<= cap), and ever added. */
size_t vp_decision_log_len(const vp_decision_log *l);
size_t vp_decision_log_cap(const vp_decision_log *l);
uint64_t vp_decision_log_total(const vp_decision_log *l);

/* The i-th oldest entry kept (0 <= i < len), borrowed. */
json_t *vp_decision_log_get(const vp_decision_log *l, size_t i);

#endif
