/*
 * power_scan.c - the cheapest host of a set for one VM (PABFD's inner loop).
 *
 * Provides: see power_scan.h.
 * Uses: power.h; GCC/Clang vector extensions and __builtin_cpu_supports
 * on x86-64.
 *
 * The vector variant does per lane exactly what the plain one does per
 * host: the quotient (load + r) / cap, the clamps to [0, 1], the
 * truncation of 10u, and p[i] + step[i] * (u - tenth[i]) * 100 (p[i] alone
 * where 10u is an integer, which also covers u = 0 and u = 1), less
 * p_last.  Each lane keeps its own least (cost, id); the lanes are merged
 * by the same order at the end, so for finite costs the winner and its
 * cost are the plain loop's.  With AVX-512 eight lanes go at once and the
 * curve's three tables sit in registers (a permute of two registers looks
 * an entry up); with AVX2, four lanes and loads.  Without either (or off
 * x86-64) the plain loop runs: two-wide SSE2 vectors are slower than it.
 */
#include "power_scan.h"

#include <math.h>
#include <string.h>

static bool before(double d, int64_t id, const vp_scan_best *b)
{
    return b->id < 0 || d < b->diff || (d == b->diff && id < b->id);
}

/* Host q of cols, into *best when it is a candidate and cheaper. */
static void consider(const vp_power_curve *c, const vp_scan_cols *m, uint32_t q, double cap,
                     double r, double t, vp_scan_best *best)
{
    if ((m->load[q] != 0 && (m->req[q] + r) / cap > t) || m->avail[q] < r)
        return;
    double d = vp_power_curve_at(c, (m->load[q] + r) / cap) - m->p_last[q];
    if (before(d, m->id[q], best))
        *best = (vp_scan_best){d, m->id[q]};
}

void vp_scan_cheapest_plain(const vp_power_curve *c, const vp_scan_cols *cols, uint32_t n,
                            double cap, double r, double t, vp_scan_best *best,
                            double *least_off)
{
    double lo = INFINITY;
    for (uint32_t q = 0; q < n; q++) {
        lo = cols->off[q] < lo ? cols->off[q] : lo;
        consider(c, cols, q, cap, r, t, best);
    }
    *least_off = lo;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VP_SCAN_VECTOR 1

/* The lanes' least (cost, id) (id +inf: none) into *best and their least
 * off into *least_off, by the plain loop's order (inline: it runs inside
 * the vector functions, before their registers are cleared). */
static inline void merge_lanes(int lanes, const double *d, const double *id, const double *lo,
                               vp_scan_best *best, double *least_off)
{
    double least = INFINITY;
    for (int k = 0; k < lanes; k++) {
        least = lo[k] < least ? lo[k] : least;
        if (id[k] != INFINITY && before(d[k], (int64_t)id[k], best))
            *best = (vp_scan_best){d[k], (int64_t)id[k]};
    }
    *least_off = least;
}

#include <immintrin.h>

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef int v4i __attribute__((vector_size(16)));

/* Lane-wise m ? a : b (m: all ones or all zeros per lane). */
#define SEL(m, a, b) ((v4d)(((v4l)(a) & (m)) | ((v4l)(b) & ~(m))))
#define LOAD4(dst, src) memcpy(&(dst), (src), sizeof(dst))

/* The last hosts of cols from q (fewer than four) in four lanes; the
 * lanes past them are no candidates (avail -inf) and offer no off (+inf). */
static vp_scan_cols pad_tail(const vp_scan_cols *m, uint32_t q, uint32_t n, double buf[5][4],
                             int32_t id[4])
{
    for (uint32_t k = 0; k < 4; k++) {
        bool in = q + k < n;
        buf[0][k] = in ? m->load[q + k] : 0;
        buf[1][k] = in ? m->req[q + k] : 0;
        buf[2][k] = in ? m->avail[q + k] : -INFINITY;
        buf[3][k] = in ? m->p_last[q + k] : 0;
        buf[4][k] = in ? m->off[q + k] : INFINITY;
        id[k] = in ? m->id[q + k] : 0;
    }
    return (vp_scan_cols){buf[0], buf[1], buf[2], buf[3], buf[4], id};
}

__attribute__((target("avx2"))) static void
scan_avx2(const vp_power_curve *c, const vp_scan_cols *cols, uint32_t n, double cap, double r,
          double t, vp_scan_best *best, double *least_off)
{
    const v4d zero = {0, 0, 0, 0}, one = {1, 1, 1, 1};
    v4d bd = {INFINITY, INFINITY, INFINITY, INFINITY}, bi = bd, lo = bd;
    double buf[5][4];
    int32_t buf_id[4];
    for (uint32_t q = 0; q < n; q += 4) {
        vp_scan_cols tail;
        const vp_scan_cols *m = cols;
        uint32_t at = q;
        if (q + 4 > n) { /* the last few: lanes of a padded copy */
            tail = pad_tail(cols, q, n, buf, buf_id);
            m = &tail;
            at = 0;
        }
        v4d load, req, avail, plast, off;
        v4i id4;
        LOAD4(load, m->load + at);
        LOAD4(req, m->req + at);
        LOAD4(avail, m->avail + at);
        LOAD4(plast, m->p_last + at);
        LOAD4(off, m->off + at);
        LOAD4(id4, m->id + at);
        v4d id = __builtin_convertvector(id4, v4d);
        lo = SEL(off < lo, off, lo);
        v4l ok = ((load == zero) | ~((req + r) / cap > t)) & ~(avail < r);
        v4d u = (load + r) / cap;
        u = SEL(u > zero, u, zero); /* also NaN */
        u = SEL(u > one, one, u);
        v4d x = u * 10;
        v4i i = __builtin_convertvector(x, v4i); /* truncation: x is in [0, 10] */
        v4d p = {c->p[i[0]], c->p[i[1]], c->p[i[2]], c->p[i[3]]};
        v4d step = {c->step[i[0]], c->step[i[1]], c->step[i[2]], c->step[i[3]]};
        v4d tenth = {c->tenth[i[0]], c->tenth[i[1]], c->tenth[i[2]], c->tenth[i[3]]};
        v4d line = p + step * (u - tenth) * 100;
        v4d d = SEL(x == __builtin_convertvector(i, v4d), p, line) - plast;
        v4l take = ok & ((d < bd) | ((d == bd) & (id < bi)));
        bd = SEL(take, d, bd);
        bi = SEL(take, id, bi);
    }
    double lanes_d[4], lanes_i[4], lanes_lo[4];
    memcpy(lanes_d, &bd, sizeof lanes_d);
    memcpy(lanes_i, &bi, sizeof lanes_i);
    memcpy(lanes_lo, &lo, sizeof lanes_lo);
    merge_lanes(4, lanes_d, lanes_i, lanes_lo, best, least_off);
}

/* The same eight hosts at a time, with the curve's tables in registers
 * (a two-register permute looks up 16 entries), where AVX-512 is there. */
__attribute__((target("avx512f,avx512dq"))) static void
scan_avx512(const vp_power_curve *c, const vp_scan_cols *m, uint32_t n, double cap, double r,
            double t, vp_scan_best *best, double *least_off)
{
    const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1), ten = _mm512_set1_pd(10);
    const __m512d hundred = _mm512_set1_pd(100), inf = _mm512_set1_pd(INFINITY);
    const __m512d vr = _mm512_set1_pd(r), vcap = _mm512_set1_pd(cap), vt = _mm512_set1_pd(t);
    const __mmask8 rest = (1u << (VP_POWER_POINTS - 8)) - 1; /* entries 8..10 */
    const __m512d p0 = _mm512_loadu_pd(c->p), p1 = _mm512_maskz_loadu_pd(rest, c->p + 8);
    const __m512d s0 = _mm512_loadu_pd(c->step), s1 = _mm512_maskz_loadu_pd(rest, c->step + 8);
    const __m512d t0 = _mm512_loadu_pd(c->tenth), t1 = _mm512_maskz_loadu_pd(rest, c->tenth + 8);
    __m512d bd = inf, bi = inf, lo = inf;
    for (uint32_t q = 0; q < n; q += 8) {
        __mmask8 in = n - q >= 8 ? 0xff : (__mmask8)((1u << (n - q)) - 1);
        __m512d load = _mm512_maskz_loadu_pd(in, m->load + q);
        __m512d req = _mm512_maskz_loadu_pd(in, m->req + q);
        __m512d avail = _mm512_maskz_loadu_pd(in, m->avail + q);
        __m512d plast = _mm512_maskz_loadu_pd(in, m->p_last + q);
        __m512d off = _mm512_mask_loadu_pd(inf, in, m->off + q);
        __m512d id = _mm512_cvtepi32_pd(_mm512_castsi512_si256(_mm512_maskz_loadu_epi32(in, m->id + q)));
        lo = _mm512_mask_mov_pd(lo, _mm512_cmp_pd_mask(off, lo, _CMP_LT_OQ), off);
        __mmask8 over = _mm512_cmp_pd_mask(_mm512_div_pd(_mm512_add_pd(req, vr), vcap), vt,
                                           _CMP_GT_OQ);
        __mmask8 ok = in & (_mm512_cmp_pd_mask(load, zero, _CMP_EQ_OQ) | (__mmask8)~over) &
                      (__mmask8)~_mm512_cmp_pd_mask(avail, vr, _CMP_LT_OQ);
        __m512d u = _mm512_div_pd(_mm512_add_pd(load, vr), vcap);
        u = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(u, zero, _CMP_GT_OQ), u); /* also NaN */
        u = _mm512_mask_mov_pd(u, _mm512_cmp_pd_mask(u, one, _CMP_GT_OQ), one);
        __m512d x = _mm512_mul_pd(u, ten);
        __m512i i = _mm512_cvttpd_epi64(x); /* truncation: x is in [0, 10] */
        __m512d p = _mm512_permutex2var_pd(p0, i, p1);
        __m512d step = _mm512_permutex2var_pd(s0, i, s1);
        __m512d tenth = _mm512_permutex2var_pd(t0, i, t1);
        __m512d line = _mm512_add_pd(
            p, _mm512_mul_pd(_mm512_mul_pd(step, _mm512_sub_pd(u, tenth)), hundred));
        __mmask8 whole = _mm512_cmp_pd_mask(x, _mm512_cvtepi64_pd(i), _CMP_EQ_OQ);
        __m512d d = _mm512_sub_pd(_mm512_mask_mov_pd(line, whole, p), plast);
        __mmask8 take = ok & (_mm512_cmp_pd_mask(d, bd, _CMP_LT_OQ) |
                              (_mm512_cmp_pd_mask(d, bd, _CMP_EQ_OQ) &
                               _mm512_cmp_pd_mask(id, bi, _CMP_LT_OQ)));
        bd = _mm512_mask_mov_pd(bd, take, d);
        bi = _mm512_mask_mov_pd(bi, take, id);
    }
    double lanes_d[8], lanes_i[8], lanes_lo[8];
    _mm512_storeu_pd(lanes_d, bd);
    _mm512_storeu_pd(lanes_i, bi);
    _mm512_storeu_pd(lanes_lo, lo);
    merge_lanes(8, lanes_d, lanes_i, lanes_lo, best, least_off);
}
#endif

int vp_scan_simd(void)
{
#ifdef VP_SCAN_VECTOR
    static int width = -1;
    if (width < 0)
        width = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") ? 512
              : __builtin_cpu_supports("avx2")                                           ? 256
                                                                                         : 0;
    return width;
#else
    return 0;
#endif
}

void vp_scan_cheapest_with(int width, const vp_power_curve *c, const vp_scan_cols *cols,
                           uint32_t n, double cap, double r, double t, vp_scan_best *best,
                           double *least_off)
{
#ifdef VP_SCAN_VECTOR
    int have = vp_scan_simd();
    if (width >= 512 && have >= 512)
        scan_avx512(c, cols, n, cap, r, t, best, least_off);
    else if (width >= 256 && have >= 256)
        scan_avx2(c, cols, n, cap, r, t, best, least_off);
    else
#endif
        vp_scan_cheapest_plain(c, cols, n, cap, r, t, best, least_off);
}

void vp_scan_cheapest(const vp_power_curve *c, const vp_scan_cols *cols, uint32_t n, double cap,
                      double r, double t, vp_scan_best *best, double *least_off)
{
    vp_scan_cheapest_with(vp_scan_simd(), c, cols, n, cap, r, t, best, least_off);
}
