/*
 * bench_libvirt.c - what one VM create + delete costs in libvirt itself,
 * without vmpilot: the floor under the control API's create/delete load
 * test (tests/load/run.sh).
 *
 * On the libvirt test driver (tests/data/libvirt/wide.xml, the load
 * test's hosts), the calls the libvirt driver makes for POST /v1/vms and
 * DELETE /v1/vms/NAME: virDomainDefineXML of vmpilot's domain XML,
 * virDomainCreate; then virDomainDestroy, virDomainUndefine.  Prints the
 * CPU time per pair on one thread and the pairs per second with one
 * connection per thread on 1 and 2 threads, and what that means for a
 * closed loop of 64 connections (Little's law: mean latency = requests in
 * flight / throughput).  Figures only; nothing is asserted about time.
 * usage: bench_libvirt [WIDE_XML [SECONDS]]
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "driver_libvirt.h"

static const char *uri_file;
static double seconds = 3;

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void quiet(void *ud, virErrorPtr e) {}

/* Create/delete pairs on its own connection for `seconds`; returns the
 * count in *(long *)arg. */
static void *worker(void *arg)
{
    char uri[4200];
    snprintf(uri, sizeof uri, "test://%s", uri_file);
    virConnectPtr c = virConnectOpen(uri);
    long n = 0;
    if (!c)
        return NULL;
    double end = now_s(CLOCK_MONOTONIC) + seconds;
    vp_res size = {{1, 64, 0, 0}};
    while (now_s(CLOCK_MONOTONIC) < end) {
        char name[64];
        snprintf(name, sizeof name, "b%p_%ld", arg, n);
        char *xml = vp_libvirt_domain_xml(name, size, "test");
        virDomainPtr d = xml ? virDomainDefineXML(c, xml) : NULL;
        free(xml);
        if (!d || virDomainCreate(d) || virDomainDestroy(d) || virDomainUndefine(d)) {
            fprintf(stderr, "bench_libvirt: %s\n", virGetLastErrorMessage());
            break;
        }
        virDomainFree(d);
        n++;
    }
    virConnectClose(c);
    *(long *)arg = n;
    return NULL;
}

static double run(int threads)
{
    pthread_t t[2];
    long n[2] = {0, 0}, total = 0;
    double t0 = now_s(CLOCK_MONOTONIC);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, &n[i]);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < threads; i++)
        total += n[i];
    return (double)total / (now_s(CLOCK_MONOTONIC) - t0);
}

int main(int argc, char **argv)
{
    uri_file = argc > 1 ? argv[1] : VP_BENCH_WIDE;
    seconds = argc > 2 ? atof(argv[2]) : 3;
    virSetErrorFunc(NULL, quiet);
    double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    double one = run(1);
    double cpu = (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / (one * seconds);
    double two = run(2);
    printf("libvirt test driver (%s), define + create + destroy + undefine:\n", uri_file);
    printf("  1 thread:  %.0f pairs/s, %.1f us CPU per pair (%.1f us per request)\n", one,
           cpu * 1e6, cpu * 1e6 / 2);
    printf("  2 threads: %.0f pairs/s\n", two);
    double best = (one > two ? one : two) * 2; /* requests/s, a pair is two */
    printf("  64 connections in a closed loop at that rate (%.0f requests/s): mean latency "
           ">= 64 / %.0f = %.2f ms per request, before any HTTP or engine work\n",
           best, best, 64 / best * 1e3);
    return 0;
}
