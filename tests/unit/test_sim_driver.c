/*
 * test_sim_driver.c - unit tests for driver_sim.c (trace-driven demand,
 * timed migrations and their failures, create/destroy/resize completion,
 * freeing with work in flight) and for power.c.
 *
 * The host types come from a config loaded with vp_config_load_string.
 */
#include "check.h"
#include "clock.h"
#include "config.h"
#include "driver_sim.h"
#include "pool.h"
#include "power.h"
#include "trace.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define START 1000.0 /* clock time of trace sample 0 */
#define STEP 300.0

/* ---- fixture ---- */

typedef struct fixture {
    char dir[64];
    vp_config *cfg;
    vp_trace *trace;
    vp_pool *pool;
    vp_clock *clock;
    vp_driver *drv;
    vp_id h[3], v[4];
} fixture;

static void put(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void rm(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    CHECK_EQ_INT(unlink(path), 0);
}

/* Type 0 "net": 1000 Mbit/s; type 1 "nonet": no network.  Hosts h0, h1
 * (net) and h2 (nonet). */
static const char CONFIG[] =
    "{\n"
    "  \"host_types\": [\n"
    "    {\"name\": \"net\", \"cpu\": 10000, \"memory\": 8192, \"network\": 1000,\n"
    "     \"power\": [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117]},\n"
    "    {\"name\": \"nonet\", \"cpu\": 10000, \"memory\": 8192}\n"
    "  ],\n"
    "  \"hosts\": [{\"type\": \"net\", \"count\": 2, \"name\": \"h%d\"},\n"
    "            {\"type\": \"nonet\", \"count\": 1, \"name\": \"h2\"}],\n"
    "  \"limits\": {\"migration_bandwidth_share\": 0.5}\n"
    "}\n";

static vp_config *make_config(void)
{
    vp_err e = {0};
    vp_config *c = vp_config_load_string(CONFIG, "test_sim_driver", NULL, &e);
    CHECK(c != NULL);
    if (!c) {
        char buf[1024];
        fprintf(stderr, "  config: %s\n", vp_err_format(&e, buf, sizeof buf));
        exit(1);
    }
    CHECK_EQ_INT(c->n_hosts, 3);
    CHECK_EQ_INT(c->n_host_types, 2);
    CHECK_NEAR(c->host_types[0].capacity.v[VP_NET], 1000, 0);
    CHECK_NEAR(c->limits.migration_bandwidth_share, 0.5, 0);
    return c;
}

/* Adds config host i to the pool, with its type. */
static vp_id add_host(fixture *f, size_t i)
{
    vp_err e = {0};
    const vp_host_conf *hc = &f->cfg->hosts[i];
    const vp_host_type *t = &f->cfg->host_types[hc->type];
    vp_id id = vp_pool_add_host(f->pool, hc->name, t->capacity, t->overcommit, &e);
    CHECK(id != VP_NONE);
    vp_pool_set_host_type(f->pool, id, hc->type);
    return id;
}

static vp_id add_vm(fixture *f, const char *name, double cpu, double mem, vp_id host)
{
    vp_err e = {0};
    vp_id id = vp_pool_add_vm(f->pool, name, vp_res_make(cpu, mem, 0, 0), &e);
    CHECK(id != VP_NONE);
    if (host != VP_NONE)
        CHECK_EQ_INT(vp_pool_allocate(f->pool, id, host, &e), 0);
    return id;
}

/* Trace rows: 0 = 10, 20, 40 %; 1 = 50, 100 % (short, padded with 100).
 * Hosts h0, h1 (type net), h2 (type nonet).  VMs: v0 (row 0) and v1
 * (row 1) and v2 (unbound) on h0; v3 pending. */
static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/vp_simdrv_XXXXXX");
    CHECK(mkdtemp(f->dir) != NULL);
    put(f->dir, "a", "10\n20\n40\n");
    put(f->dir, "b", "50\n100\n");
    vp_err e = {0};
    f->trace = vp_trace_load(f->dir, NULL, STEP, 0, &e);
    CHECK(f->trace != NULL);
    f->cfg = make_config();
    f->pool = vp_pool_new();
    f->clock = vp_clock_new_sim(START);
    for (size_t i = 0; i < 3; i++)
        f->h[i] = add_host(f, i);
    CHECK(strcmp(vp_pool_host(f->pool, f->h[2])->name, "h2") == 0);
    f->v[0] = add_vm(f, "v0", 1000, 1024, f->h[0]);
    f->v[1] = add_vm(f, "v1", 2000, 512, f->h[0]);
    f->v[2] = add_vm(f, "v2", 500, 256, f->h[0]);
    f->v[3] = add_vm(f, "v3", 500, 256, VP_NONE);
    f->drv = vp_sim_driver_new(f->pool, f->clock, f->trace, f->cfg, START, &e);
    CHECK(f->drv != NULL);
    CHECK_EQ_INT(vp_sim_driver_bind(f->drv, f->v[0], 0, &e), 0);
    CHECK_EQ_INT(vp_sim_driver_bind(f->drv, f->v[1], 1, &e), 0);
}

static void teardown(fixture *f)
{
    if (f->drv)
        f->drv->ops->free(f->drv);
    vp_clock_free(f->clock);
    vp_pool_free(f->pool);
    vp_trace_free(f->trace);
    vp_config_free(f->cfg);
    rm(f->dir, "a");
    rm(f->dir, "b");
    CHECK_EQ_INT(rmdir(f->dir), 0);
}

/* ---- callback recorders ---- */

typedef struct sample_log {
    int n;
    vp_id vm[8];
    vp_res demand[8];
} sample_log;

static void on_sample(void *ud, vp_id vm, vp_res demand)
{
    sample_log *l = ud;
    if (l->n < 8) {
        l->vm[l->n] = vm;
        l->demand[l->n++] = demand;
    }
}

/* Demand reported for vm, or {-1,...} if it was not reported. */
static vp_res reported(const sample_log *l, vp_id vm)
{
    for (int i = 0; i < l->n; i++)
        if (l->vm[i] == vm)
            return l->demand[i];
    return vp_res_make(-1, -1, -1, -1);
}

typedef struct done_log {
    int calls;
    int status;
    char msg[256];
    double at;
    vp_clock *clock;
} done_log;

static void on_done(void *ud, int status, const char *error)
{
    done_log *d = ud;
    d->calls++;
    d->status = status;
    snprintf(d->msg, sizeof d->msg, "%s", error ? error : "");
    d->at = vp_clock_now(d->clock);
}

/* ---- tests ---- */

static sample_log sample_h(fixture *f, vp_id host)
{
    sample_log l = {0};
    vp_err e = {0};
    CHECK_EQ_INT(f->drv->ops->sample(f->drv, host, on_sample, &l, &e), 0);
    return l;
}

/* cpu demand of v0 (1000 cpu, row 0) and v1 (2000 cpu, row 1) at time t. */
static void check_demand_at(fixture *f, double t, double cpu0, double cpu1)
{
    vp_clock_run(f->clock, t);
    CHECK_NEAR(vp_clock_now(f->clock), t, 0);
    sample_log l = sample_h(f, f->h[0]);
    CHECK_EQ_INT(l.n, 3);
    CHECK_NEAR(reported(&l, f->v[0]).v[VP_CPU], cpu0, 1e-9);
    CHECK_NEAR(reported(&l, f->v[1]).v[VP_CPU], cpu1, 1e-9);
    CHECK_NEAR(reported(&l, f->v[2]).v[VP_CPU], 0, 0); /* unbound */
    CHECK_NEAR(reported(&l, f->v[0]).v[VP_MEM], 1024, 0);
    CHECK_NEAR(reported(&l, f->v[1]).v[VP_MEM], 512, 0);
    CHECK_NEAR(reported(&l, f->v[2]).v[VP_MEM], 256, 0);
}

static void test_sample(void)
{
    fixture f;
    setup(&f);
    check_demand_at(&f, START, 100, 1000);
    check_demand_at(&f, START + 150, 150, 1500);
    check_demand_at(&f, START + 300, 200, 2000);
    check_demand_at(&f, START + 375, 250, 2000);
    check_demand_at(&f, START + 600, 400, 2000);
    check_demand_at(&f, START + 100000, 400, 2000); /* clamped past the end */
    CHECK_EQ_INT(sample_h(&f, f.h[1]).n, 0);
    vp_err e = {0};
    sample_log l = {0};
    CHECK_EQ_INT(f.drv->ops->sample(f.drv, 99, on_sample, &l, &e), -1);
    CHECK_STR_HAS(e.text, "no host with id 99");
    CHECK_EQ_INT(vp_sim_driver_bind(f.drv, f.v[2], 2, &e), -1);
    CHECK_STR_HAS(e.text, "out of range");
    CHECK_EQ_INT(vp_sim_driver_bind(f.drv, 77, 0, &e), -1);
    CHECK_STR_HAS(e.text, "no VM with id 77");
    teardown(&f);
}

/* Before sample 0 applies (clock < trace_start) the demand is sample 0's. */
static void test_sample_before_start(void)
{
    fixture f;
    setup(&f);
    vp_err e = {0};
    vp_driver *d = vp_sim_driver_new(f.pool, f.clock, f.trace, f.cfg, START + 5000, &e);
    CHECK(d != NULL);
    CHECK_EQ_INT(vp_sim_driver_bind(d, f.v[0], 0, &e), 0);
    sample_log l = {0};
    CHECK_EQ_INT(d->ops->sample(d, f.h[0], on_sample, &l, &e), 0);
    CHECK_NEAR(reported(&l, f.v[0]).v[VP_CPU], 100, 1e-9);
    CHECK_NEAR(reported(&l, f.v[1]).v[VP_CPU], 0, 0); /* not bound on this driver */
    d->ops->free(d);
    teardown(&f);
}

typedef struct list_log {
    int n;
    char names[8][16];
    vp_res size[8];
    bool running[8];
} list_log;

static void on_vm(void *ud, const vp_driver_vm_info *vm)
{
    list_log *l = ud;
    if (l->n < 8) {
        snprintf(l->names[l->n], sizeof l->names[0], "%s", vm->name);
        l->size[l->n] = vm->size;
        l->running[l->n++] = vm->running;
    }
}

static void test_hosts_and_list(void)
{
    fixture f;
    setup(&f);
    vp_err e = {0};
    CHECK_EQ_INT(f.drv->ops->open_host(f.drv, f.h[1], NULL, &e), 0);
    CHECK_EQ_INT(f.drv->ops->open_host(f.drv, 42, "qemu:///x", &e), -1);
    CHECK_STR_HAS(e.text, "no host with id 42");
    f.drv->ops->close_host(f.drv, f.h[1]);
    list_log l = {0};
    CHECK_EQ_INT(f.drv->ops->list_vms(f.drv, f.h[0], on_vm, &l, &e), 0);
    CHECK_EQ_INT(l.n, 3);
    CHECK(strcmp(l.names[0], "v0") == 0 && strcmp(l.names[1], "v1") == 0 &&
          strcmp(l.names[2], "v2") == 0);
    CHECK(l.running[0] && l.running[1] && l.running[2]);
    CHECK_NEAR(l.size[1].v[VP_CPU], 2000, 0);
    CHECK_NEAR(l.size[1].v[VP_MEM], 512, 0);
    list_log empty = {0};
    CHECK_EQ_INT(f.drv->ops->list_vms(f.drv, f.h[2], on_vm, &empty, &e), 0);
    CHECK_EQ_INT(empty.n, 0);
    CHECK_EQ_INT(f.drv->ops->list_vms(f.drv, 42, on_vm, &empty, &e), -1);
    CHECK(strcmp(f.drv->ops->name, "sim") == 0);
    teardown(&f);
}

/* v0 (1024 MiB) to h1 at 1000 Mbit/s x 0.5 / 8 = 62.5 MiB/s: 16.384 s.
 * The test does the pool bookkeeping the engine would. */
static void test_migrate_duration(void)
{
    fixture f;
    setup(&f);
    vp_err e = {0};
    done_log d = {.clock = f.clock};
    vp_clock_run(f.clock, START + 10);
    double t0 = vp_clock_now(f.clock);
    CHECK_EQ_INT(vp_pool_begin_migration(f.pool, f.v[0], f.h[1], &e), 0);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[0], f.h[1], on_done, &d, &e), 0);
    CHECK_EQ_INT(vp_sim_driver_in_flight(f.drv), 1);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[0], f.h[1], on_done, &d, &e), -1);
    CHECK_STR_HAS(e.text, "already being migrated");
    vp_clock_run(f.clock, t0 + 16.0);
    CHECK_EQ_INT(d.calls, 0);
    CHECK_EQ_INT(vp_sim_driver_in_flight(f.drv), 1);
    vp_clock_run(f.clock, -1);
    CHECK_EQ_INT(d.calls, 1);
    CHECK_EQ_INT(d.status, 0);
    CHECK(d.msg[0] == '\0'); /* error is NULL on success */
    CHECK_NEAR(d.at - t0, 1024 / (1000 * 0.5 / 8.0), 1e-9);
    CHECK_NEAR(d.at - t0, 16.384, 1e-9);
    CHECK_EQ_INT(vp_sim_driver_in_flight(f.drv), 0);
    CHECK_EQ_INT(vp_pool_end_migration(f.pool, f.v[0], &e), 0);
    /* the driver follows the pool: v0 is now sampled on h1 */
    CHECK_EQ_INT(sample_h(&f, f.h[1]).n, 1);
    CHECK_EQ_INT(sample_h(&f, f.h[0]).n, 2);
    teardown(&f);
}

/* A running VM whose migration the pool has not begun can be migrated too. */
static void test_migrate_running(void)
{
    fixture f;
    setup(&f);
    vp_err e = {0};
    done_log d = {.clock = f.clock};
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[1], f.h[1], on_done, &d, &e), 0);
    vp_clock_run(f.clock, -1);
    CHECK(d.calls == 1 && d.status == 0);
    CHECK_NEAR(d.at - START, 512 / 62.5, 1e-9);
    teardown(&f);
}

static void test_migrate_host_down(void)
{
    fixture f;
    setup(&f);
    vp_err e = {0};
    done_log d = {.clock = f.clock};
    CHECK_EQ_INT(vp_pool_begin_migration(f.pool, f.v[1], f.h[1], &e), 0);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[1], f.h[1], on_done, &d, &e), 0);
    vp_clock_run(f.clock, START + 4); /* 512 MiB: 8.192 s */
    CHECK_EQ_INT(vp_pool_set_host_state(f.pool, f.h[1], VP_HOST_DOWN, &e), 0);
    vp_clock_run(f.clock, -1);
    CHECK_EQ_INT(d.calls, 1);
    CHECK_EQ_INT(d.status, -1);
    CHECK_STR_HAS(d.msg, "host 'h1' went down during the migration");
    CHECK_NEAR(d.at, START + 8.192, 1e-9);
    CHECK_EQ_INT(vp_sim_driver_in_flight(f.drv), 0);
    CHECK_EQ_INT(vp_pool_abort_migration(f.pool, f.v[1], &e), 0);
    /* a down destination is refused up front */
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[1], f.h[1], on_done, &d, &e), -1);
    CHECK_STR_HAS(e.text, "host 'h1' is down");
    /* the source going down fails it too */
    CHECK_EQ_INT(vp_pool_set_host_state(f.pool, f.h[1], VP_HOST_UP, &e), 0);
    done_log d2 = {.clock = f.clock};
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[0], f.h[1], on_done, &d2, &e), 0);
    CHECK_EQ_INT(vp_pool_set_host_state(f.pool, f.h[0], VP_HOST_DOWN, &e), 0);
    vp_clock_run(f.clock, -1);
    CHECK(d2.calls == 1 && d2.status == -1);
    CHECK_STR_HAS(d2.msg, "host 'h0' went down");
    teardown(&f);
}

static void migrate_refused(fixture *f, vp_id vm, vp_id dst, const char *want)
{
    vp_err e = {0};
    done_log d = {.clock = f->clock};
    CHECK_EQ_INT(f->drv->ops->migrate(f->drv, vm, dst, on_done, &d, &e), -1);
    CHECK_STR_HAS(e.text, want);
    CHECK_EQ_INT(vp_sim_driver_in_flight(f->drv), 0);
    vp_clock_run(f->clock, -1);
    CHECK_EQ_INT(d.calls, 0);
}

static void test_migrate_refused(void)
{
    fixture f;
    setup(&f);
    migrate_refused(&f, f.v[0], f.h[0], "VM 'v0' is already on host 'h0'");
    migrate_refused(&f, 99, f.h[1], "no VM with id 99");
    migrate_refused(&f, f.v[0], 99, "no host with id 99");
    migrate_refused(&f, f.v[3], f.h[1], "VM 'v3' is pending, not running on a host");
    migrate_refused(&f, f.v[0], f.h[2], "host 'h2' has no network bandwidth for migrations");
    vp_err e = {0};
    CHECK_EQ_INT(vp_pool_begin_migration(f.pool, f.v[0], f.h[1], &e), 0);
    migrate_refused(&f, f.v[0], f.h[2], "VM 'v0' is migrating to another host");
    teardown(&f);
}

static void test_create_destroy_resize(void)
{
    fixture f;
    setup(&f);
    vp_err e = {0};
    done_log c = {.clock = f.clock}, d = {.clock = f.clock}, r = {.clock = f.clock};
    const vp_driver_ops *ops = f.drv->ops;
    CHECK_EQ_INT(ops->create(f.drv, f.v[3], f.h[1], on_done, &c, &e), 0);
    CHECK_EQ_INT(ops->destroy(f.drv, f.v[2], on_done, &d, &e), 0);
    CHECK_EQ_INT(ops->resize(f.drv, f.v[1], vp_res_make(1, 1, 0, 0), on_done, &r, &e), 0);
    CHECK(c.calls == 0 && d.calls == 0 && r.calls == 0); /* not before the clock runs */
    CHECK_EQ_INT(vp_sim_driver_in_flight(f.drv), 0);     /* counts migrations only */
    CHECK_EQ_INT(vp_clock_run(f.clock, -1), 3);
    CHECK(c.calls == 1 && d.calls == 1 && r.calls == 1);
    CHECK(c.status == 0 && d.status == 0 && r.status == 0);
    CHECK_NEAR(c.at, START, 0);
    CHECK_EQ_INT(vp_clock_run(f.clock, -1), 0);
    CHECK(c.calls == 1 && d.calls == 1 && r.calls == 1);
    CHECK_EQ_INT(ops->create(f.drv, 99, f.h[1], on_done, &c, &e), -1);
    CHECK_STR_HAS(e.text, "no VM with id 99");
    CHECK_EQ_INT(ops->create(f.drv, f.v[3], 99, on_done, &c, &e), -1);
    CHECK_STR_HAS(e.text, "no host with id 99");
    CHECK_EQ_INT(ops->destroy(f.drv, 99, on_done, &d, &e), -1);
    CHECK_EQ_INT(ops->resize(f.drv, 99, vp_res_zero(), on_done, &r, &e), -1);
    CHECK_EQ_INT(ops->resize(f.drv, f.v[1], vp_res_make(-1, 0, 0, 0), on_done, &r, &e), -1);
    CHECK_STR_HAS(e.text, "negative size");
    vp_clock_run(f.clock, -1);
    CHECK(c.calls == 1 && d.calls == 1 && r.calls == 1);
    teardown(&f);
}

/* Freeing the driver stops its timers and frees its records; no done. */
static void test_free_in_flight(void)
{
    fixture f;
    setup(&f);
    vp_err e = {0};
    done_log m = {.clock = f.clock}, c = {.clock = f.clock};
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[0], f.h[1], on_done, &m, &e), 0);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, f.v[1], f.h[1], on_done, &m, &e), 0);
    CHECK_EQ_INT(f.drv->ops->create(f.drv, f.v[3], f.h[1], on_done, &c, &e), 0);
    CHECK_EQ_INT(vp_sim_driver_in_flight(f.drv), 2);
    f.drv->ops->free(f.drv);
    f.drv = NULL;
    CHECK_EQ_INT(vp_clock_run(f.clock, -1), 0);
    CHECK(m.calls == 0 && c.calls == 0);
    CHECK_EQ_INT(vp_sim_driver_in_flight(NULL), 0);
    teardown(&f);
}

static void test_new_errors(void)
{
    vp_err e = {0};
    CHECK(vp_sim_driver_new(NULL, NULL, NULL, NULL, 0, &e) == NULL);
    CHECK_STR_HAS(e.text, "needs a pool");
}

/* HP ProLiant ML110 G4 (SPECpower), CloudSim's PowerModelSpecPowerHpProLiantMl110G4Xeon3040. */
static void test_power(void)
{
    const double t[VP_POWER_POINTS] = {86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117};
    CHECK_NEAR(vp_power_at(t, 0), 86, 0);
    CHECK_NEAR(vp_power_at(t, 1), 117, 0);
    CHECK_NEAR(vp_power_at(t, 0.5), 102, 0);
    CHECK_NEAR(vp_power_at(t, 0.1), 89.4, 0);
    CHECK_NEAR(vp_power_at(t, 0.3), 96, 0); /* 0.3 is not exact in binary */
    CHECK_NEAR(vp_power_at(t, 0.7), 108, 0);
    CHECK_NEAR(vp_power_at(t, 0.55), 104, 1e-9);
    CHECK_NEAR(vp_power_at(t, 0.05), 87.7, 1e-9);
    CHECK_NEAR(vp_power_at(t, 0.99), 116.7, 1e-9);
    CHECK_NEAR(vp_power_at(t, -1), 86, 0);
    CHECK_NEAR(vp_power_at(t, 2), 117, 0);
}

/* vp_power_curve_at gives vp_power_at's double, bit for bit: both SPECpower
 * tables, every k / 1000 and k / 10 (and its neighbours), 100,000 random
 * utilizations, and out of range. */
static void test_power_curve(void)
{
    static const double g4[VP_POWER_POINTS] = {86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117},
                        g5[VP_POWER_POINTS] = {93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135};
    const double *tables[2] = {g4, g5};
    int differ = 0;
    srand(7);
    for (int k = 0; k < 2; k++) {
        vp_power_curve c;
        vp_power_curve_init(&c, tables[k]);
        for (int i = -10; i <= 1010; i++)
            differ += vp_power_curve_at(&c, i / 1000.0) != vp_power_at(tables[k], i / 1000.0);
        for (int i = 0; i <= 10; i++) {
            double u = i / 10.0;
            differ += vp_power_curve_at(&c, nextafter(u, 0)) != vp_power_at(tables[k], nextafter(u, 0));
            differ += vp_power_curve_at(&c, u) != vp_power_at(tables[k], u);
            differ += vp_power_curve_at(&c, nextafter(u, 1)) != vp_power_at(tables[k], nextafter(u, 1));
        }
        for (int i = 0; i < 100000; i++) {
            double u = (double)rand() / RAND_MAX;
            differ += vp_power_curve_at(&c, u) != vp_power_at(tables[k], u);
        }
        differ += vp_power_curve_at(&c, NAN) != vp_power_at(tables[k], NAN);
    }
    CHECK_EQ_INT(differ, 0);
    vp_power_curve c;
    vp_power_curve_init(&c, g4);
    CHECK_NEAR(vp_power_curve_at(&c, 0.55), 104, 1e-9); /* and it is the curve */
}

int main(void)
{
    test_power_curve();
    test_sample();
    test_sample_before_start();
    test_hosts_and_list();
    test_migrate_duration();
    test_migrate_running();
    test_migrate_host_down();
    test_migrate_refused();
    test_create_destroy_resize();
    test_free_in_flight();
    test_new_errors();
    test_power();
    return CHECK_DONE();
}
