/*
 * power.c - host power from a SPECpower table.
 * Provides: see power.h.  Uses: config.h (VP_POWER_POINTS), libm.
 *
 * The rule is CloudSim's PowerModelSpecPower: at an exact multiple of
 * 10 % the table entry itself, otherwise the straight line between the
 * two entries around u.
 */
#include "power.h"

#include <math.h>

double vp_power_at(const double table[VP_POWER_POINTS], double u)
{
    if (!(u > 0)) /* also NaN */
        u = 0;
    if (u > 1)
        u = 1;
    double x = u * 10;
    double k = round(x);
    if (fabs(x - k) <= 1e-12)
        return table[(int)k];
    double lo = floor(x), hi = ceil(x);
    double p1 = table[(int)lo], p2 = table[(int)hi];
    return p1 + (p2 - p1) / 10 * (u - lo / 10) * 100;
}
