/*
 * history.c - bounded utilization histories.
 * Provides: vp_history_push/copy/clear (history.h).  Uses: libc.
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>

int vp_history_push(vp_history *h, uint32_t cap, double x)
{
    if (cap == 0)
        return 0;
    if (!h->v || h->cap != cap) { /* first sample, or a new length: start over */
        double *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -1;
        *h = (vp_history){.v = v, .cap = cap};
    }
    h->v[h->head] = x;
    h->head = (h->head + 1) % h->cap;
    if (h->n < h->cap)
        h->n++;
    return 0;
}

size_t vp_history_copy(const vp_history *h, double *out, size_t max)
{
    size_t n = h->n < max ? h->n : max;
    for (size_t i = 0; i < n; i++)
        out[i] = vp_history_at(h, (uint32_t)i);
    return n;
}

void vp_history_clear(vp_history *h)
{
    free(h->v);
    memset(h, 0, sizeof *h);
}
