/*
 * resources.h - the resource vector every host capacity, VM size,
 * reservation and utilization is expressed in.
 *
 * Provides: vp_res (cpu, memory, disk, network) and small inline
 * arithmetic on it.  Units are the config's: cpu in the host's cpu units
 * (cores, or MIPS in the PlanetLab model), memory in MiB, disk in GiB,
 * network in Mbit/s.  cpu and memory are used by the engine today; the
 * type carries all four so later policies and drivers need no new type.
 * Uses: nothing.
 */
#ifndef VP_RESOURCES_H
#define VP_RESOURCES_H

#include <stdbool.h>

enum vp_res_kind { VP_CPU = 0, VP_MEM = 1, VP_DISK = 2, VP_NET = 3, VP_RES_N = 4 };

typedef struct vp_res {
    double v[VP_RES_N];
} vp_res;

/* Names as used in configs and output: "cpu", "memory", "disk", "network". */
extern const char *const vp_res_names[VP_RES_N];

/* Tolerance for capacity comparisons, relative to the capacity, so that
 * sums of many doubles do not reject an exact fit. */
#define VP_RES_EPS 1e-9

static inline vp_res vp_res_zero(void)
{
    vp_res r = {{0, 0, 0, 0}};
    return r;
}

static inline vp_res vp_res_make(double cpu, double mem, double disk, double net)
{
    vp_res r = {{cpu, mem, disk, net}};
    return r;
}

static inline vp_res vp_res_add(vp_res a, vp_res b)
{
    for (int i = 0; i < VP_RES_N; i++)
        a.v[i] += b.v[i];
    return a;
}

static inline vp_res vp_res_sub(vp_res a, vp_res b)
{
    for (int i = 0; i < VP_RES_N; i++)
        a.v[i] -= b.v[i];
    return a;
}

/* Element-wise product (capacity x overcommit ratio). */
static inline vp_res vp_res_mul(vp_res a, vp_res b)
{
    for (int i = 0; i < VP_RES_N; i++)
        a.v[i] *= b.v[i];
    return a;
}

/* Index of the first resource where a exceeds limit (within VP_RES_EPS),
 * or -1 when a <= limit everywhere. */
static inline int vp_res_first_over(vp_res a, vp_res limit)
{
    for (int i = 0; i < VP_RES_N; i++)
        if (a.v[i] > limit.v[i] + VP_RES_EPS * (limit.v[i] > 1 ? limit.v[i] : 1))
            return i;
    return -1;
}

/* True when a <= limit in every dimension (within VP_RES_EPS). */
static inline bool vp_res_le(vp_res a, vp_res limit)
{
    return vp_res_first_over(a, limit) < 0;
}

/* True when every component of a equals b's. */
static inline bool vp_res_eq(vp_res a, vp_res b)
{
    for (int i = 0; i < VP_RES_N; i++)
        if (a.v[i] != b.v[i])
            return false;
    return true;
}

/* True when every component is >= 0. */
static inline bool vp_res_nonneg(vp_res a)
{
    for (int i = 0; i < VP_RES_N; i++)
        if (a.v[i] < 0)
            return false;
    return true;
}

#endif
