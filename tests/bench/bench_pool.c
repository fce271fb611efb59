/*
 * bench_pool.c - pool benchmark: time and peak memory to load 10,000
 * hosts and 100,000 VMs (add + allocate), and the rate of 1,000,000
 * allocate/release operations.  Targets (2 cores): load <= 1 s and
 * <= 200 MB, >= 5 M operations/s.  Prints figures; asserts nothing about
 * time (run it on a quiet machine and read the numbers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "pool.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

int main(int argc, char **argv)
{
    int nh = argc > 1 ? atoi(argv[1]) : 10000, nv = argc > 2 ? atoi(argv[2]) : 100000;
    long nops = argc > 3 ? atol(argv[3]) : 1000000;
    vp_err e;
    char name[32];
    double base_mb = peak_mb(), t0 = now();
    vp_pool *p = vp_pool_new();
    for (int i = 0; i < nh; i++) {
        snprintf(name, sizeof name, "host-%d", i);
        if (vp_pool_add_host(p, name, vp_res_make(64, 262144, 2000, 10000),
                             vp_res_make(2, 1, 1, 1), &e) == VP_NONE)
            return fprintf(stderr, "%s\n", e.text), 1;
    }
    for (int i = 0; i < nv; i++) {
        snprintf(name, sizeof name, "vm-%d", i);
        vp_id v = vp_pool_add_vm(p, name, vp_res_make(1 + i % 4, 2048 * (1 + i % 8), 20, 100), &e);
        if (v == VP_NONE || vp_pool_allocate(p, v, (vp_id)(i % nh), &e))
            return fprintf(stderr, "%s\n", e.text), 1;
    }
    double load_s = now() - t0, load_mb = peak_mb();
    printf("load: %d hosts, %d VMs in %.3f s, peak RSS %.1f MB (%.1f MB above start)\n", nh, nv,
           load_s, load_mb, load_mb - base_mb);

    unsigned x = 12345;
    long done = 0;
    t0 = now();
    for (long i = 0; i < nops / 2; i++) {
        x = x * 1103515245u + 12345u;
        vp_id v = (vp_id)(x % (unsigned)nv);
        vp_id h = vp_pool_vm(p, v)->host;
        done += vp_pool_release(p, v, &e) == 0;
        done += vp_pool_allocate(p, v, (vp_id)((h + 1 + x % 7) % (unsigned)nh), &e) == 0 ||
                vp_pool_allocate(p, v, h, &e) == 0;
    }
    double ops_s = now() - t0;
    if (vp_pool_check(p, &e))
        return fprintf(stderr, "invariant broken: %s\n", e.text), 1;
    printf("ops: %ld allocate/release in %.3f s = %.2f M ops/s (%ld succeeded)\n", nops, ops_s,
           nops / ops_s / 1e6, done);
    printf("peak RSS at end: %.1f MB\n", peak_mb());
    vp_pool_free(p);
    return done == nops ? 0 : 1;
}
