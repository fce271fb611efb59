/*
 * trace.h - workload traces in PlanetLab format.
 *
 * Provides: vp_trace, loaded from a folder with one file per VM, one
 * integer CPU percentage (0..100) per line, one line per `step` seconds.
 * An optional order file ("index<TAB>file name" per line, indices 0..N-1)
 * fixes which file is VM 0, 1, ...; without one the files are taken in
 * name order.  Values are kept as bytes (exact percentages).
 * Uses: err.h, libc (dirent).
 *
 * Utilization at time t (seconds from the trace start) follows the
 * CloudSim model: sample k sits at t = k*step; between samples it is
 * interpolated linearly; past the last sample it stays at the last value.
 */
#ifndef VP_TRACE_H
#define VP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct vp_trace {
    size_t n_vms;
    size_t n_samples;  /* the longest file's line count */
    double step;       /* seconds per sample */
    char **names;      /* file name of each VM (no folder) */
    size_t *lengths;   /* samples in each file */
    uint8_t *percent;  /* n_vms x n_samples; short files padded with their last value */
} vp_trace;

/* Loads the folder dir.  order may be NULL.  max_vms > 0 keeps only the
 * first max_vms VMs.  On error (unreadable folder or file, a line that is
 * not an integer in 0..100 — named with file and line —, an empty folder,
 * an order file naming a missing file, a duplicate or missing index)
 * returns NULL with err set; the file and line are part of err->text. */
vp_trace *vp_trace_load(const char *dir, const char *order, double step, size_t max_vms,
                        vp_err *err) VP_WUR;

void vp_trace_free(vp_trace *t);

/* CPU utilization of VM i at time t, as a fraction in [0, 1]; sample 0
 * for t < 0, 0 for an unknown i. */
double vp_trace_util(const vp_trace *t, size_t i, double time);

/* Where time t falls in the trace: at sample j, or between j and j + 1
 * (w seconds past j).  A model reading many VMs at one instant finds it
 * once; vp_trace_util_at then gives vp_trace_util's value, bit for bit. */
typedef struct vp_trace_pos {
    size_t j;
    double w;
    bool between;
} vp_trace_pos;

vp_trace_pos vp_trace_at(const vp_trace *t, double time);

static inline double vp_trace_util_at(const vp_trace *t, size_t i, vp_trace_pos p)
{
    if (!t || i >= t->n_vms)
        return 0;
    const uint8_t *row = t->percent + i * t->n_samples;
    if (!p.between)
        return row[p.j] / 100.0;
    double u1 = row[p.j] / 100.0, u2 = row[p.j + 1] / 100.0;
    return u1 + (u2 - u1) / t->step * p.w;
}

/* Seconds covered by the trace: (n_samples - 1) * step. */
double vp_trace_duration(const vp_trace *t);

#endif
