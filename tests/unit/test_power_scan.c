/*
 * test_power_scan.c - unit tests for power_scan.c: the cheapest host of a
 * set, against a reference written here with vp_power_at one host at a
 * time; the vector variants (AVX2, AVX-512, where the CPU has them)
 * against the plain one bit for bit, on random sets full of ties, on tails of every length and
 * on the edges of the power curve (u = 0, tenths, u > 1).
 */
#include "check.h"
#include "power.h"
#include "power_scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 64

static const double G4[VP_POWER_POINTS] = {86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117};

typedef struct set {
    double load[MAXN], req[MAXN], avail[MAXN], p_last[MAXN], off[MAXN];
    int32_t id[MAXN];
    uint32_t n;
} set;

static vp_scan_cols cols_of(const set *s)
{
    return (vp_scan_cols){s->load, s->req, s->avail, s->p_last, s->off, s->id};
}

/* PABFD's rule, host by host, with the engine's own power function. */
static vp_scan_best reference(const set *s, double cap, double r, double t, vp_scan_best b)
{
    for (uint32_t q = 0; q < s->n; q++) {
        if ((s->load[q] != 0 && (s->req[q] + r) / cap > t) || s->avail[q] < r)
            continue;
        double d = vp_power_at(G4, (s->load[q] + r) / cap) - s->p_last[q];
        if (b.id < 0 || d < b.diff || (d == b.diff && s->id[q] < b.id))
            b = (vp_scan_best){d, s->id[q]};
    }
    return b;
}

static double least_off(const set *s)
{
    double m = INFINITY;
    for (uint32_t q = 0; q < s->n; q++)
        m = s->off[q] < m ? s->off[q] : m;
    return m;
}

static uint64_t rng_state = 42;
static double uniform(void) /* [0, 1) */
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Hosts whose utilizations crowd into [lo, lo + width): many cost the
 * same up to rounding, as in a consolidated pool.  Some are empty, some
 * have no room, some sit exactly on a tenth. */
static void random_set(set *s, uint32_t n, double cap, double lo, double width)
{
    s->n = n;
    for (uint32_t q = 0; q < n; q++) {
        double u = lo + width * uniform();
        double pick = uniform();
        if (pick < 0.05)
            u = 0;
        else if (pick < 0.10)
            u = (double)(int)(u * 10) / 10; /* a tenth */
        double load = u * cap, last = uniform() < 0.7 ? load : load * (0.8 + 0.4 * uniform());
        s->load[q] = load;
        s->req[q] = load * (1 + 0.1 * uniform());
        s->avail[q] = uniform() < 0.1 ? 0 : cap - load;
        s->p_last[q] = vp_power_at(G4, last / cap);
        s->off[q] = vp_power_at(G4, u) - s->p_last[q];
        s->id[q] = (int32_t)(uniform() * 100000);
    }
}

static bool same(vp_scan_best a, vp_scan_best b)
{
    return a.id == b.id && (a.id < 0 || memcmp(&a.diff, &b.diff, sizeof a.diff) == 0);
}

static void test_hand(const vp_power_curve *c)
{
    /* cap 1000, r 100: host 7 at u 0.3 -> 0.4 costs P(0.4) - P(0.3) =
     * 99.5 - 96 = 3.5; host 3 at 0.65 -> 0.75 costs 107 - 104 = 3, the
     * cheapest; host 9 would tie with it at a higher id, but has no room. */
    set s = {.n = 3};
    double loads[3] = {300, 650, 650};
    int32_t ids[3] = {7, 3, 9};
    for (int q = 0; q < 3; q++) {
        s.load[q] = loads[q];
        s.req[q] = loads[q];
        s.avail[q] = q == 2 ? 50 : 1000 - loads[q];
        s.p_last[q] = vp_power_at(G4, loads[q] / 1000);
        s.off[q] = q;
        s.id[q] = ids[q];
    }
    vp_scan_cols cols = cols_of(&s);
    vp_scan_best b = {0, -1};
    double lo;
    vp_scan_cheapest(c, &cols, s.n, 1000, 100, 0.8, &b, &lo);
    CHECK_EQ_INT(b.id, 3);
    CHECK_NEAR(b.diff, 3, 1e-9);
    CHECK(lo == 0);
    /* a threshold of 0.7 refuses host 3 ((650 + 100) / 1000 > 0.7) */
    b = (vp_scan_best){0, -1};
    vp_scan_cheapest(c, &cols, s.n, 1000, 100, 0.7, &b, &lo);
    CHECK_EQ_INT(b.id, 7);
    CHECK_NEAR(b.diff, 99.5 - 96, 1e-9);
    /* an incoming best that is cheaper stays; an equal one with a higher
     * id loses to the lower id */
    b = (vp_scan_best){1.0, 12345};
    vp_scan_cheapest(c, &cols, s.n, 1000, 100, 0.8, &b, &lo);
    CHECK_EQ_INT(b.id, 12345);
    vp_scan_best mine = {0, -1};
    vp_scan_cheapest(c, &cols, s.n, 1000, 100, 0.8, &mine, &lo);
    b = (vp_scan_best){mine.diff, 4};
    vp_scan_cheapest(c, &cols, s.n, 1000, 100, 0.8, &b, &lo);
    CHECK_EQ_INT(b.id, 3);
    /* nobody fits: no best, and least_off of an empty set is +inf */
    b = (vp_scan_best){0, -1};
    vp_scan_cheapest(c, &cols, s.n, 1000, 2000, 0.8, &b, &lo);
    CHECK_EQ_INT(b.id, -1);
    vp_scan_cheapest(c, &cols, 0, 1000, 100, 0.8, &b, &lo);
    CHECK(lo == INFINITY);
}

/* The winner in every position of sets of every length 1..20 (tails of
 * both vector widths), at each width. */
static void test_positions(const vp_power_curve *c)
{
    for (uint32_t n = 1; n <= 20; n++)
        for (uint32_t w = 0; w < n; w++) {
            set s = {.n = n};
            for (uint32_t q = 0; q < n; q++) {
                s.load[q] = q == w ? 610 : 410; /* 0.61 + 0.1: slope 2 vs 2.5/3.5 */
                s.req[q] = s.load[q];
                s.avail[q] = 1000 - s.load[q];
                s.p_last[q] = vp_power_at(G4, s.load[q] / 1000);
                s.off[q] = q == w ? -1 : 0;
                s.id[q] = (int32_t)(100 + q);
            }
            vp_scan_cols cols = cols_of(&s);
            for (int width = 0; width <= 512; width += 256) {
                vp_scan_best b = {0, -1};
                double lo;
                vp_scan_cheapest_with(width, c, &cols, n, 1000, 100, 0.9, &b, &lo);
                CHECK_EQ_INT(b.id, 100 + w);
                CHECK(lo == -1);
            }
        }
}

static void test_random(const vp_power_curve *c)
{
    int bad_ref = 0, bad_plain = 0, bad_off = 0, found = 0;
    for (int k = 0; k < 20000; k++) {
        set s;
        double cap = uniform() < 0.5 ? 3720 : 5320;
        double lo = (double)(int)(uniform() * 11) / 10, width = uniform() < 0.5 ? 0.01 : 0.3;
        random_set(&s, (uint32_t)(uniform() * 41), cap, lo, width);
        double r = uniform() < 0.1 ? 0 : uniform() * cap * 0.4, t = 0.5 + 0.6 * uniform();
        vp_scan_best in = uniform() < 0.2 ? (vp_scan_best){3 * uniform(), 50000} : (vp_scan_best){0, -1};
        vp_scan_best plain = in, ref = reference(&s, cap, r, t, in);
        double lo_plain;
        vp_scan_cols cols = cols_of(&s);
        vp_scan_cheapest_plain(c, &cols, s.n, cap, r, t, &plain, &lo_plain);
        bad_ref += !same(plain, ref);
        bad_off += !(lo_plain == least_off(&s));
        for (int w = 256; w <= 512; w *= 2) { /* each vector width the CPU has */
            vp_scan_best fast = in;
            double lo_fast;
            vp_scan_cheapest_with(w, c, &cols, s.n, cap, r, t, &fast, &lo_fast);
            bad_plain += !same(fast, plain);
            bad_off += !(lo_fast == lo_plain);
        }
        found += plain.id >= 0 && plain.id != in.id;
    }
    CHECK_EQ_INT(bad_ref, 0);
    CHECK_EQ_INT(bad_plain, 0);
    CHECK_EQ_INT(bad_off, 0);
    CHECK(found > 10000); /* the sets do have winners */
}

/* The threshold test at and around (req + r) / cap = t, down to single
 * ulps: each host alone, every width against the plain loop. */
static void test_threshold_edges(const vp_power_curve *c)
{
    const double caps[] = {3720, 5320, 1000, 3}, ts[] = {0.8, 0.7, 1.0, 0.1, 0.9999999999};
    int bad = 0, tried = 0, passed = 0;
    for (size_t a = 0; a < sizeof caps / sizeof *caps; a++)
        for (size_t b = 0; b < sizeof ts / sizeof *ts; b++) {
            double tc = ts[b] * caps[a];
            double xs[] = {tc, tc * (1 - 0x1p-50), tc * (1 + 0x1p-50), tc * (1 - 0x1p-49),
                           tc * (1 + 0x1p-49)};
            for (size_t k = 0; k < sizeof xs / sizeof *xs; k++)
                for (int step = -3; step <= 3; step++) {
                    double x = xs[k];
                    for (int i = 0; i < (step < 0 ? -step : step); i++)
                        x = nextafter(x, step < 0 ? 0 : INFINITY);
                    set s = {.n = 1};
                    s.load[0] = caps[a] / 4;
                    s.req[0] = x; /* r = 0: req + r is x itself */
                    s.avail[0] = caps[a];
                    s.p_last[0] = vp_power_at(G4, 0.25);
                    s.id[0] = 7;
                    vp_scan_cols cols = cols_of(&s);
                    vp_scan_best plain = {0, -1};
                    double lo;
                    vp_scan_cheapest_plain(c, &cols, 1, caps[a], 0, ts[b], &plain, &lo);
                    passed += plain.id == 7;
                    for (int w = 256; w <= 512; w *= 2) {
                        vp_scan_best fast = {0, -1};
                        vp_scan_cheapest_with(w, c, &cols, 1, caps[a], 0, ts[b], &fast, &lo);
                        bad += !same(fast, plain);
                        tried++;
                    }
                }
        }
    CHECK_EQ_INT(bad, 0);
    CHECK(tried > 0 && passed > 0 && passed < tried / 2); /* both sides of t were tried */
}

int main(void)
{
    vp_power_curve c;
    vp_power_curve_init(&c, G4);
    int w = vp_scan_simd();
    fprintf(stderr, "vector scan: %s\n", w == 512 ? "avx-512 (and avx2)" : w ? "avx2" : "no (plain loop)");
    test_hand(&c);
    test_positions(&c);
    test_random(&c);
    test_threshold_edges(&c);
    return CHECK_DONE();
}
