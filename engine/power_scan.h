/*
 * power_scan.h - the inner loop of a power-aware best fit (PABFD): among
 * many hosts of one power curve and capacity, the one that would draw the
 * least more power with a VM, ties to the lowest id.
 *
 * Provides: vp_scan_cols, vp_scan_best, vp_scan_cheapest() and its plain
 * C variant vp_scan_cheapest_plain() (what the first must equal, bit for
 * bit), vp_scan_simd(), vp_scan_cheapest_with().
 * Uses: power.h.
 *
 * A host's cost is P((load + r) / cap) - p_last (vp_power_curve_at), the
 * same double as computing it one host at a time: on x86-64 CPUs with
 * AVX-512 eight hosts (with AVX2 four) go through each operation at once,
 * in the same IEEE operations and order (no fused multiply-add), so the
 * result is the same host and the same double.
 */
#ifndef VP_POWER_SCAN_H
#define VP_POWER_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "power.h"

/* The hosts, one column per field (index q = one host). */
typedef struct vp_scan_cols {
    const double *load;   /* cpu the host's VMs are allocated */
    const double *req;    /* cpu they request */
    const double *avail;  /* cpu free for a new VM */
    const double *p_last; /* power at the last sample */
    const double *off;    /* any per-host number whose least is wanted */
    const int32_t *id;    /* host ids, >= 0 */
} vp_scan_cols;

/* The cheapest so far: id -1 when none. */
typedef struct vp_scan_best {
    double diff;
    int64_t id;
} vp_scan_best;

/* Over hosts 0..n-1 of cols, all with capacity cap (> 0): a host is a
 * candidate when it is empty (load 0) or (req + r) / cap is not above t,
 * and avail is not below r; *best becomes the least (cost, id) among the
 * candidates and itself.  *least_off becomes the least off of all n
 * (INFINITY for none). */
void vp_scan_cheapest(const vp_power_curve *c, const vp_scan_cols *cols, uint32_t n, double cap,
                      double r, double t, vp_scan_best *best, double *least_off);

/* The same, one host at a time. */
void vp_scan_cheapest_plain(const vp_power_curve *c, const vp_scan_cols *cols, uint32_t n,
                            double cap, double r, double t, vp_scan_best *best,
                            double *least_off);

/* The vector width vp_scan_cheapest uses on this CPU: 512 (AVX-512, eight
 * hosts at a time), 256 (AVX2, four) or 0 (the plain loop). */
int vp_scan_simd(void);

/* vp_scan_cheapest at a given width (0, 256 or 512; a wider one than the
 * CPU has runs the widest it has): for tests and benchmarks. */
void vp_scan_cheapest_with(int width, const vp_power_curve *c, const vp_scan_cols *cols,
                           uint32_t n, double cap, double r, double t, vp_scan_best *best,
                           double *least_off);

#endif
