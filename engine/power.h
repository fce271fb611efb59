/*
 * power.h - host power models.
 *
 * Provides: the power drawn by a host at a CPU utilization, from a table
 * of 11 points (0 %, 10 %, ..., 100 %) as in SPECpower, interpolated
 * linearly between points (the CloudSim PowerModelSpecPower rule).
 * Uses: config.h (VP_POWER_POINTS).
 */
#ifndef VP_POWER_H
#define VP_POWER_H

#include "config.h"

/* Watts at utilization u; u is clamped to [0, 1]. */
double vp_power_at(const double table[VP_POWER_POINTS], double u);

/* A table with the per-segment quotients of vp_power_at computed once: a
 * search evaluating the power of many hosts skips two divisions a call. */
typedef struct vp_power_curve {
    double p[VP_POWER_POINTS];
    double step[VP_POWER_POINTS - 1];  /* (p[i + 1] - p[i]) / 10 */
    double tenth[VP_POWER_POINTS - 1]; /* i / 10 */
} vp_power_curve;

void vp_power_curve_init(vp_power_curve *c, const double table[VP_POWER_POINTS]);
/* The same value as vp_power_at(table, u), bit for bit. */
double vp_power_curve_at(const vp_power_curve *c, double u);

#endif
