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
    double step[VP_POWER_POINTS];  /* (p[i + 1] - p[i]) / 10; the last 0 */
    double tenth[VP_POWER_POINTS]; /* i / 10; the last 1 (a vector search reads
                                    * them where 10u is the integer 10) */
} vp_power_curve;

void vp_power_curve_init(vp_power_curve *c, const double table[VP_POWER_POINTS]);

/* The same value as vp_power_at(table, u), bit for bit (inline: a search
 * evaluates it for every host it looks at): vp_power_at's operations in
 * its order, with (p2 - p1) / 10 and lo / 10 looked up (the same
 * quotients of the same operands); where 10u is an integer vp_power_at
 * adds a zero slope term to p[10u], so that is the value. */
static inline double vp_power_curve_at(const vp_power_curve *c, double u)
{
    if (!(u > 0))
        u = 0;
    if (u > 1)
        u = 1;
    if (u == 0)
        return c->p[0];
    double x = u * 10; /* in (0, 10]: truncation is floor */
    int i = (int)x;
    if (x == (double)i) /* floor == ceil: vp_power_at adds 0 x ... to p[i] */
        return c->p[i];
    return c->p[i] + c->step[i] * (u - c->tenth[i]) * 100;
}

/* The curves of up to VP_POWER_CURVES tables, made as tables are met
 * (a pool has a few host types).  Zero-initialize. */
#define VP_POWER_CURVES 16
typedef struct vp_power_curves {
    vp_power_curve curve[VP_POWER_CURVES];
    const double *table[VP_POWER_CURVES];
    int n;
} vp_power_curves;

/* The curve of table t (made if new); NULL for no table or past
 * VP_POWER_CURVES tables. */
const vp_power_curve *vp_power_curve_of(vp_power_curves *cs, const double *t);

/* vp_power_at(t, u), through t's curve when there is one. */
double vp_power_by(vp_power_curves *cs, const double t[VP_POWER_POINTS], double u);

#endif
