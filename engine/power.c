/*
 * power.c - host power from a SPECpower table.
 * Provides: see power.h.  Uses: config.h (VP_POWER_POINTS), libm.
 *
 * The rule is CloudSim's PowerModelSpecPower, operation for operation (so
 * that a simulation reproduces its figures to the last bit): the table
 * entry when fmod(u, 0.1) == 0, otherwise the straight line between the
 * entries floor(10u) and ceil(10u), p1 + (p2 - p1) / 10 * (u - floor(10u)
 * / 10) * 100.  In doubles fmod(u, 0.1) is 0 only for u = 0, 0.1, 0.2,
 * 0.4 and 0.8 (the exact multiples of the double 0.1), and for all but 0
 * 10u is then an integer, so the line gives the same entry: only u = 0
 * needs the test (fmod is a tenth of a simulation's time).
 */
#include "power.h"

#include <math.h>

double vp_power_at(const double table[VP_POWER_POINTS], double u)
{
    if (!(u > 0)) /* also NaN */
        u = 0;
    if (u > 1)
        u = 1;
    if (u == 0)
        return table[0];
    double lo = floor(u * 10), hi = ceil(u * 10);
    double p1 = table[(int)lo], p2 = table[(int)hi];
    return p1 + (p2 - p1) / 10 * (u - lo / 10) * 100;
}

void vp_power_curve_init(vp_power_curve *c, const double table[VP_POWER_POINTS])
{
    for (int i = 0; i < VP_POWER_POINTS; i++)
        c->p[i] = table[i];
    for (int i = 0; i + 1 < VP_POWER_POINTS; i++) {
        double lo = i;
        c->step[i] = (table[i + 1] - table[i]) / 10;
        c->tenth[i] = lo / 10;
    }
    c->step[VP_POWER_POINTS - 1] = 0;
    c->tenth[VP_POWER_POINTS - 1] = 1;
}

const vp_power_curve *vp_power_curve_of(vp_power_curves *cs, const double *t)
{
    for (int i = 0; t && i < cs->n; i++)
        if (cs->table[i] == t)
            return &cs->curve[i];
    if (!t || cs->n == VP_POWER_CURVES)
        return NULL;
    vp_power_curve_init(&cs->curve[cs->n], t);
    cs->table[cs->n] = t;
    return &cs->curve[cs->n++];
}

double vp_power_by(vp_power_curves *cs, const double t[VP_POWER_POINTS], double u)
{
    const vp_power_curve *c = vp_power_curve_of(cs, t);
    return c ? vp_power_curve_at(c, u) : vp_power_at(t, u);
}
