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

#endif
