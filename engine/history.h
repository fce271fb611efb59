/*
 * history.h - a bounded history of utilization samples.
 *
 * Provides: vp_history, a ring of the most recent samples (fractions of
 * a capacity, e.g. cpu demand / cpu size), newest first when read.  The
 * pool keeps one per VM and per host; the engine appends at every sample
 * round; policies read them (through the bindings) for statistics.
 * Uses: libc.
 */
#ifndef VP_HISTORY_H
#define VP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

typedef struct vp_history {
    double *v;     /* cap samples, allocated on the first push (double: policies
                    * compare statistics of them against exact thresholds) */
    uint32_t cap;  /* the most samples kept */
    uint32_t n;    /* samples held, <= cap */
    uint32_t head; /* where the next sample goes */
} vp_history;

/* Appends x, dropping the oldest sample when full.  A cap different
 * from the history's current one starts it over.  -1 on out of memory. */
int vp_history_push(vp_history *h, uint32_t cap, double x);

/* Sample i, 0 = newest; i must be < h->n. */
static inline double vp_history_at(const vp_history *h, uint32_t i)
{
    uint32_t k = (h->head + h->cap - 1 - i) % h->cap;
    return h->v[k];
}

/* Copies up to max samples, newest first, into out; returns how many. */
size_t vp_history_copy(const vp_history *h, double *out, size_t max);

void vp_history_clear(vp_history *h);

#endif
