/*
 * test_cloudsim.c - engine/cloudsim.c: CloudSim's cpu share, migration
 * accounting, idle-VM detection, energy and SLA metrics on a two-host pool
 * whose figures are worked out by hand in the comments.
 */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "cloudsim.h"
#include "pool.h"
#include "trace.h"

static char trace_dir[] = "/tmp/vp_test_cloudsim_XXXXXX";
static const int UTIL[] = {50, 80, 0, 50}; /* % for the whole day, per VM file */
#define NVM 4

/* Row i's file in dir (names in row order). */
static void row_path(char *path, size_t len, const char *dir, int i)
{
    snprintf(path, len, "%s/vm%02d", dir, i);
}

/* Removes the n row files of dir and dir. */
static void remove_rows(const char *dir, int n)
{
    char path[300];
    for (int i = 0; i < n; i++) {
        row_path(path, sizeof path, dir, i);
        unlink(path);
    }
    rmdir(dir);
}

static void write_trace(void)
{
    char path[300];
    CHECK(mkdtemp(trace_dir) != NULL);
    for (int i = 0; i < NVM; i++) {
        row_path(path, sizeof path, trace_dir, i);
        FILE *f = fopen(path, "w");
        for (int k = 0; k < 288; k++)
            fprintf(f, "%d\n", UTIL[i]);
        fclose(f);
    }
}

static size_t row_of(const void *ud, vp_id vm) { return vm; } /* files in name order */

/* P(u) = 100 + 100 u */
static const double LINEAR[11] = {100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200};

/* A pool of `hosts` hosts h0, h1, ... of 1000 cpu in 2 cores, linear
 * power, and `vms` pending VMs vm0, vm1, ... of `cpu` cpu. */
static vp_pool *linear_pool(int hosts, int vms, double cpu)
{
    vp_pool *p = vp_pool_new();
    for (int i = 0; i < hosts; i++) {
        char name[16];
        snprintf(name, sizeof name, "h%d", i);
        vp_id h = vp_pool_add_host(p, name, vp_res_make(1000, 4096, 0, 1000),
                                   vp_res_make(10, 10, 1, 10), NULL);
        vp_pool_set_host_cores(p, h, 2);
        vp_pool_set_host_model(p, h, "linear", LINEAR);
    }
    for (int i = 0; i < vms; i++) {
        char name[16];
        snprintf(name, sizeof name, "vm%d", i);
        CHECK(vp_pool_add_vm(p, name, vp_res_make(cpu, 512, 0, 0), NULL) != VP_NONE);
    }
    return p;
}

/* h0, h1, h2: 1000 cpu in 2 cores of 500, linear power.  VMs of 1000
 * cpu: vm0 (50 %) and vm1 (80 %) on h0, vm2 (0 %) on h1, vm3 (50 %)
 * pending; h2 stays empty. */
static vp_pool *make_pool(void)
{
    vp_pool *p = linear_pool(3, NVM, 1000);
    CHECK_EQ_INT(vp_pool_allocate(p, 0, 0, NULL), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, 1, 0, NULL), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, 2, 1, NULL), 0);
    return p;
}

/* vm0 requests 500 and vm1 800, capped at one core (500): they fit the
 * 1000 of h0 exactly, so each is allocated 500; h0 is at 100 % and its
 * request (1300) exceeds what it got.  vm2 requests nothing: idle. */
static void test_share_and_idle(vp_pool *p, vp_csm *m)
{
    const vp_id *idle;
    size_t n = vp_csm_update_all(m, 300.1, &idle);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(idle[0], 2);
    CHECK_NEAR(vp_pool_vm(p, 0)->allocated.v[VP_CPU], 500, 1e-9);
    CHECK_NEAR(vp_pool_vm(p, 1)->allocated.v[VP_CPU], 500, 1e-9);
    CHECK_NEAR(vp_pool_host(p, 0)->allocated.v[VP_CPU], 1000, 1e-9);
    CHECK_NEAR(vp_pool_host(p, 1)->allocated.v[VP_CPU], 0, 0);
}

/* vm1 migrates h0 -> h1: on h0 it gets 90 % of its 500 (450) and counts
 * 450 / 0.9 = 500, so h0 stays at 1000; on h1 it costs 10 % of its capped
 * request (50), which is all h1 is allocated while 800 are requested. */
static void test_migration_share(vp_pool *p, vp_csm *m)
{
    CHECK_EQ_INT(vp_pool_begin_migration(p, 1, 1, NULL), 0);
    vp_csm_count_migration(m);
    vp_csm_update_host(m, 0, 300.1);
    vp_csm_update_host(m, 1, 300.1);
    CHECK_NEAR(vp_pool_vm(p, 1)->allocated.v[VP_CPU], 450, 1e-9);
    CHECK_NEAR(vp_pool_host(p, 0)->allocated.v[VP_CPU], 1000, 1e-9);
    CHECK_NEAR(vp_pool_host(p, 1)->allocated.v[VP_CPU], 50, 1e-9);
}

/* Over the 300 s to 600.1: h0 at u = 1 both ends, 200 W x 300 s = 60000
 * W s; h1 from 0.05 to 0.05, P = 105 W: 31500 W s.  SLA: both hosts were
 * active and short of their request for the whole interval: SLATAH 1.
 * vm1 lost 800 - 450 = 350 of 800 while migrating: PDM = overall =
 * 350 x 300 / ((500 + 800) x 300) = 0.26923; the average over the
 * under-served (VM, interval) pairs is 350 / 800.  h2 was never active:
 * CloudSim's shutdown count starts from "active", so it counts one. */
static void test_energy_and_sla(vp_pool *p, vp_csm *m)
{
    const vp_id *idle;
    (void)vp_csm_update_all(m, 600.1, &idle);
    vp_csm_metrics mt;
    vp_csm_metrics_get(m, &mt);
    CHECK_NEAR(mt.energy_ws, 60000 + 31500, 1e-6);
    CHECK_NEAR(mt.slatah, 1, 1e-12);
    CHECK_NEAR(mt.pdm, 350.0 / 1300, 1e-12);
    CHECK_NEAR(mt.overall_sla, 350.0 / 1300, 1e-12);
    CHECK_NEAR(mt.average_sla, 350.0 / 800, 1e-12);
    CHECK_NEAR(mt.slav, mt.slatah * mt.pdm, 1e-15);
    CHECK_EQ_INT(mt.migrations, 1);
    CHECK_EQ_INT(mt.shutdowns, 1);
}

/* Completion: vm1 runs on h1 (80 % of 1000, capped at 500) and h0 keeps
 * vm0 alone (500: 50 %).  A phantom (a move superseded in its round)
 * costs its destination 10 % until the VM's migration ends, and counts. */
static void test_completion_and_phantom(vp_pool *p, vp_csm *m)
{
    const vp_id *idle;
    CHECK_EQ_INT(vp_pool_end_migration(p, 1, NULL), 0);
    vp_csm_migration_ended(m, 1);
    (void)vp_csm_update_all(m, 614.02, &idle);
    CHECK_NEAR(vp_pool_host(p, 0)->allocated.v[VP_CPU], 500, 1e-9);
    CHECK_NEAR(vp_pool_host(p, 1)->allocated.v[VP_CPU], 500, 1e-9);
    CHECK_EQ_INT(vp_pool_begin_migration(p, 0, 1, NULL), 0);
    CHECK_EQ_INT(vp_csm_phantom(m, 0, 2), 0); /* vm0 was also sent to h2 */
    vp_csm_update_host(m, 2, 614.02);
    CHECK_NEAR(vp_pool_host(p, 2)->allocated.v[VP_CPU], 50, 1e-9);
    vp_csm_migration_ended(m, 0);
    CHECK_EQ_INT(vp_pool_abort_migration(p, 0, NULL), 0);
    vp_csm_update_host(m, 2, 614.02);
    CHECK_NEAR(vp_pool_host(p, 2)->allocated.v[VP_CPU], 0, 0);
    vp_csm_metrics mt;
    vp_csm_metrics_get(m, &mt);
    CHECK_EQ_INT(mt.migrations, 2);
    CHECK_EQ_INT(mt.phantoms, 1);
}

/* Over-subscription: vm0, vm1 and vm3 (500, 500 capped, 500) on h0 ask
 * 1500 of 1000: each gets floor(500 x 1000 / 1500) = 333. */
static void test_oversubscription(void)
{
    vp_err err = {0};
    vp_trace *t = vp_trace_load(trace_dir, NULL, 300, 0, &err);
    vp_pool *p = make_pool();
    CHECK_EQ_INT(vp_pool_allocate(p, 3, 0, NULL), 0);
    vp_csm *m = vp_csm_new(p, t, 0, row_of, NULL, false);
    const vp_id *idle;
    (void)vp_csm_update_all(m, 300.1, &idle);
    for (vp_id v = 0; v < 4; v += v == 1 ? 2 : 1)
        CHECK_NEAR(vp_pool_vm(p, v)->allocated.v[VP_CPU], 333, 0);
    CHECK_NEAR(vp_pool_host(p, 0)->allocated.v[VP_CPU], 999, 0);
    vp_csm_free(m);
    vp_pool_free(p);
    vp_trace_free(t);
}

/* Always-on energy (CloudSim's NPA): every host at full power from 0. */
static void test_always_on(void)
{
    vp_err err = {0};
    vp_trace *t = vp_trace_load(trace_dir, NULL, 300, 0, &err);
    vp_pool *p = make_pool();
    vp_csm *m = vp_csm_new(p, t, 0, row_of, NULL, true);
    const vp_id *idle;
    (void)vp_csm_update_all(m, 300.1, &idle);
    vp_csm_metrics mt;
    vp_csm_metrics_get(m, &mt);
    CHECK_NEAR(mt.energy_ws, 3 * 200 * 300.1, 1e-6);
    vp_csm_free(m);
    vp_pool_free(p);
    vp_trace_free(t);
}

/* Between sample rounds only the hosts that may have changed are
 * updated: h2, found idle at 300.1, is skipped until vm3 is placed on it
 * (the pool tells the model), and the figures are those of updating
 * every host each time. */
static void test_busy_updates(const vp_trace *t)
{
    vp_pool *pa = make_pool(), *pb = make_pool();
    vp_csm *a = vp_csm_new(pa, t, 0, row_of, NULL, false);
    vp_csm *b = vp_csm_new(pb, t, 0, row_of, NULL, false);
    const vp_id *idle;
    (void)vp_csm_update_all(a, 300.1, &idle);
    (void)vp_csm_update_all(b, 300.1, &idle);
    (void)vp_csm_update_all(a, 350, &idle); /* h2's first entry folded: idle from here */
    (void)vp_csm_update_all(b, 350, &idle);
    (void)vp_csm_update_busy(a, 400, &idle);
    (void)vp_csm_update_all(b, 400, &idle);
    CHECK_EQ_INT(vp_pool_allocate(pa, 3, 2, NULL), 0); /* h2 gains vm3 */
    CHECK_EQ_INT(vp_pool_allocate(pb, 3, 2, NULL), 0);
    (void)vp_csm_update_busy(a, 450, &idle);
    (void)vp_csm_update_all(b, 450, &idle);
    CHECK_NEAR(vp_pool_vm(pa, 3)->allocated.v[VP_CPU], 500, 1e-9); /* 50 % of 1000 */
    CHECK_NEAR(vp_pool_host(pa, 2)->allocated.v[VP_CPU], 500, 1e-9);
    (void)vp_csm_update_busy(a, 900, &idle);
    (void)vp_csm_update_all(b, 900, &idle);
    vp_csm_metrics ma, mb;
    vp_csm_metrics_get(a, &ma);
    vp_csm_metrics_get(b, &mb);
    CHECK(ma.energy_ws == mb.energy_ws);
    CHECK(ma.slatah == mb.slatah);
    CHECK(ma.shutdowns == mb.shutdowns);
    CHECK(ma.overall_sla == mb.overall_sla);
    CHECK(ma.energy_ws > 0);
    vp_csm_free(a);
    vp_csm_free(b);
    vp_pool_free(pa);
    vp_pool_free(pb);
}

/* A deferred host is updated at the next call into the model (here
 * vp_csm_flush), at the last update's time; at another time, at once.
 * vm0 (500 of 1000, capped at a core of 500) migrating to the empty h2
 * costs h2 a tenth of it: 50. */
static void test_deferred(const vp_trace *t)
{
    vp_pool *p = make_pool();
    vp_csm *m = vp_csm_new(p, t, 0, row_of, NULL, false);
    const vp_id *idle;
    (void)vp_csm_update_all(m, 300, &idle);
    CHECK_EQ_INT(vp_pool_begin_migration(p, 0, 2, NULL), 0);
    vp_csm_defer_host(m, 0, 300);
    vp_csm_defer_host(m, 2, 300);
    CHECK_NEAR(vp_pool_host(p, 2)->allocated.v[VP_CPU], 0, 0); /* not yet */
    vp_csm_flush(m);
    CHECK_NEAR(vp_pool_host(p, 2)->allocated.v[VP_CPU], 50, 1e-9);
    CHECK_NEAR(vp_pool_vm(p, 0)->allocated.v[VP_CPU], 450, 1e-9); /* 90 % while it leaves */
    CHECK_EQ_INT(vp_pool_abort_migration(p, 0, NULL), 0);
    vp_csm_defer_host(m, 2, 400); /* not the last update's time: at once */
    CHECK_NEAR(vp_pool_host(p, 2)->allocated.v[VP_CPU], 0, 0);
    vp_csm_free(m);
    vp_pool_free(p);
}

/* ====== two parts against one: the same figures to the last bit ====== */

#define BIG_HOSTS 2112 /* all busy: above the 1024 that split an update */
#define BIG_VMS (2 * BIG_HOSTS + 100)
#define BIG_ROWS 16
#define BIG_TRAIL ((size_t)40 * (BIG_VMS + BIG_HOSTS + 8))

static char big_dir[] = "/tmp/vp_test_cloudsim_big_XXXXXX";

/* 16 rows that change every step (so that instants between samples
 * interpolate), 0 now and then (idle VMs). */
static vp_trace *big_trace(void)
{
    char path[300];
    CHECK(mkdtemp(big_dir) != NULL);
    for (int i = 0; i < BIG_ROWS; i++) {
        row_path(path, sizeof path, big_dir, i);
        FILE *f = fopen(path, "w");
        for (int k = 0; k < 288; k++)
            fprintf(f, "%d\n", (i * 37 + k * 11) % 101 < 4 ? 0 : (i * 37 + k * 11) % 101);
        fclose(f);
    }
    vp_err err = {0};
    vp_trace *t = vp_trace_load(big_dir, NULL, 300, 0, &err);
    CHECK(t != NULL);
    return t;
}

static size_t big_row(const void *ud, vp_id vm) { return vm % BIG_ROWS; }

/* BIG_HOSTS hosts of 1000 cpu (2 cores); VMs of 600 cpu, two per host
 * (over-subscribed when both are busy), the last 100 pending. */
static vp_pool *big_pool(void)
{
    vp_pool *p = linear_pool(BIG_HOSTS, BIG_VMS, 600);
    for (int i = 0; i < 2 * BIG_HOSTS; i++)
        CHECK_EQ_INT(vp_pool_allocate(p, (vp_id)i, (vp_id)(i % BIG_HOSTS), NULL), 0);
    return p;
}

/* Every VM's and host's allocated cpu, and the idle VMs, onto trail. */
static void big_record(const vp_pool *p, const vp_id *idle, size_t n, double *trail, size_t *k)
{
    for (vp_id v = 0; v < BIG_VMS && *k < BIG_TRAIL; v++)
        trail[(*k)++] = vp_pool_vm(p, v)->allocated.v[VP_CPU];
    for (vp_id h = 0; h < BIG_HOSTS && *k < BIG_TRAIL; h++)
        trail[(*k)++] = vp_pool_host(p, h)->allocated.v[VP_CPU];
    for (size_t i = 0; i < n && *k < BIG_TRAIL; i++)
        trail[(*k)++] = idle[i];
    if (*k < BIG_TRAIL)
        trail[(*k)++] = (double)n;
}

/* The host's update after a migration started there: at once, or
 * deferred (vp_csm_defer_host). */
static void big_touch(vp_csm *m, vp_id host, double t, bool defer)
{
    if (defer)
        vp_csm_defer_host(m, host, t);
    else
        vp_csm_update_host(m, host, t);
}

/* Five rounds: a whole update at the sample, 300 migrations started (every
 * fifth also sent to a phantom host, which updates the hosts deferred so
 * far), a busy update between samples, the migrations completed and the
 * changed hosts updated, another busy update.  Round 3 starts 1,400
 * migrations and no phantom: more deferred and changed hosts than the
 * model lists (PARALLEL_MIN), so their bits are walked instead.  Returns
 * the length of the trail. */
static size_t big_run(vp_pool *p, vp_csm *m, bool defer, double *trail, vp_csm_metrics *out)
{
    const vp_id *idle;
    size_t k = 0, n;
    for (int r = 0; r < 5; r++) {
        double t0 = 300.0 * r;
        n = vp_csm_update_all(m, t0, &idle);
        big_record(p, idle, n, trail, &k);
        vp_id moved[1400];
        int nm = 0, want = r == 3 ? 1400 : 300;
        for (int i = 0; i < want; i++) {
            vp_id v = (vp_id)((r * 7 + 13 * i) % (2 * BIG_HOSTS));
            const vp_vm *vm = vp_pool_vm(p, v);
            if (vm->state != VP_VM_RUNNING)
                continue;
            vp_id src = vm->host, dst = (vp_id)((src + 1 + r) % BIG_HOSTS);
            CHECK_EQ_INT(vp_pool_begin_migration(p, v, dst, NULL), 0);
            vp_csm_count_migration(m);
            big_touch(m, src, t0, defer);
            big_touch(m, dst, t0, defer);
            if (i % 5 == 0 && r != 3) {
                vp_id ph = (vp_id)((src + 2 + r) % BIG_HOSTS);
                CHECK_EQ_INT(vp_csm_phantom(m, v, ph), 0);
                big_touch(m, ph, t0, defer);
            }
            moved[nm++] = v;
        }
        n = vp_csm_update_busy(m, t0 + 37.5, &idle);
        big_record(p, idle, n, trail, &k);
        for (int i = 0; i < nm; i++) {
            CHECK_EQ_INT(vp_pool_end_migration(p, moved[i], NULL), 0);
            vp_csm_migration_ended(m, moved[i]);
        }
        n = vp_csm_update_changed(m, t0 + 37.5, &idle);
        big_record(p, idle, n, trail, &k);
        n = vp_csm_update_busy(m, t0 + 120.25, &idle);
        big_record(p, idle, n, trail, &k);
    }
    vp_csm_metrics_get(m, out);
    return k;
}

/* The same run with updates in two parts and in one, and with the
 * started migrations' hosts updated at once or deferred, gives the same
 * allocations, idle VMs and figures, bit for bit. */
static void test_parallel_same(void)
{
    vp_trace *t = big_trace();
    double *trail[3];
    size_t len[3];
    vp_csm_metrics mt[3];
    for (int i = 0; i < 3; i++) {
        vp_pool *p = big_pool();
        vp_csm *m = vp_csm_new(p, t, 0, big_row, NULL, false);
        vp_csm_set_threads(m, i ? 2 : 1);
        trail[i] = calloc(BIG_TRAIL, sizeof(double));
        len[i] = big_run(p, m, i == 2, trail[i], &mt[i]);
        vp_csm_free(m);
        vp_pool_free(p);
    }
    for (int i = 1; i < 3; i++) {
        CHECK(len[0] == len[i] && len[i] < BIG_TRAIL);
        CHECK(memcmp(trail[0], trail[i], len[0] * sizeof(double)) == 0);
        CHECK(memcmp(&mt[0], &mt[i], sizeof mt[0]) == 0);
    }
    CHECK(mt[0].energy_ws > 0 && mt[0].slatah > 0 && mt[0].migration_time_mean > 0);
    CHECK(mt[0].vms_removed > 0); /* idle VMs were found (and merged) */
    for (int i = 0; i < 3; i++)
        free(trail[i]);
    vp_trace_free(t);
    remove_rows(big_dir, BIG_ROWS);
}

int main(void)
{
    vp_err err = {0};
    write_trace();
    vp_trace *t = vp_trace_load(trace_dir, NULL, 300, 0, &err);
    CHECK(t != NULL);
    vp_pool *p = make_pool();
    vp_csm *m = vp_csm_new(p, t, 0, row_of, NULL, false);
    test_share_and_idle(p, m);
    test_migration_share(p, m);
    test_energy_and_sla(p, m);
    test_completion_and_phantom(p, m);
    vp_csm_free(m);
    vp_pool_free(p);
    test_busy_updates(t);
    test_deferred(t);
    vp_trace_free(t);
    test_oversubscription();
    test_always_on();
    remove_rows(trace_dir, NVM);
    test_parallel_same();
    return CHECK_DONE();
}
