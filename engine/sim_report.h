/*
 * sim_report.h - time series of simulation runs as CSV and as an SVG plot.
 *
 * Provides: vp_series (the rounds of one run, appended by a
 * vp_sim_hooks.on_round callback), vp_series_write_csv() and
 * vp_series_write_svg(), which draws active hosts, power, migrations per
 * interval and SLA violation against simulated time, one line per run
 * (so `simulate --compare` plots the runs on the same axes).
 * Uses: simulate.h (vp_sim_round), err.h.
 */
#ifndef VP_SIM_REPORT_H
#define VP_SIM_REPORT_H

#include <stdio.h>

#include "err.h"
#include "simulate.h"

typedef struct vp_series {
    const char *name; /* borrowed: the run's label (config or policy set) */
    vp_sim_round *r;
    size_t n, cap;
} vp_series;

/* A vp_sim_round_cb: appends the round to the vp_series ud (drops it on
 * out of memory, which vp_series_complete reports). */
void vp_series_add(void *ud, const vp_sim_round *round);
void vp_series_free(vp_series *s);

/* CSV with a header line: run,time_s,active_hosts,power_w,
 * overloaded_hosts,migrations,sla_violation (one line per round and run). */
int vp_series_write_csv(FILE *f, const vp_series *runs, size_t n, vp_err *err);

/* A standalone SVG document with four stacked charts. */
int vp_series_write_svg(FILE *f, const vp_series *runs, size_t n, const char *title,
                        vp_err *err);

#endif
