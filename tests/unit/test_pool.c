/* test_pool.c - pool operations, their errors, and the invariants under
 * randomized sequences of operations. */
#include <stdlib.h>

#include "check.h"
#include "pool.h"

static const vp_res ONE = {{1, 1, 1, 1}};

static vp_id host(vp_pool *p, const char *name, double cpu, double mem)
{
    vp_err e;
    vp_id id = vp_pool_add_host(p, name, vp_res_make(cpu, mem, 0, 0), ONE, &e);
    CHECK(id != VP_NONE);
    return id;
}

static vp_id vm(vp_pool *p, const char *name, double cpu, double mem)
{
    vp_err e;
    vp_id id = vp_pool_add_vm(p, name, vp_res_make(cpu, mem, 0, 0), &e);
    CHECK(id != VP_NONE);
    return id;
}

static void pool_ok(const vp_pool *p)
{
    vp_err e = {0};
    int rc = vp_pool_check(p, &e);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        fprintf(stderr, "  invariant: %s\n", e.text);
}

static void test_lookup_and_names(void)
{
    vp_pool *p = vp_pool_new();
    vp_err e;
    vp_id h = host(p, "h1", 8, 16);
    CHECK_EQ_INT(vp_pool_find_host(p, "h1"), h);
    CHECK_EQ_INT(vp_pool_find_host(p, "nope"), VP_NONE);
    CHECK_EQ_INT(vp_pool_add_host(p, "h1", vp_res_make(1, 1, 0, 0), ONE, &e), VP_NONE);
    CHECK_STR_HAS(e.text, "host 'h1' already exists");
    CHECK_EQ_INT(vp_pool_add_host(p, "", vp_res_make(1, 1, 0, 0), ONE, &e), VP_NONE);
    CHECK_STR_HAS(e.text, "name is empty");
    CHECK_EQ_INT(vp_pool_add_host(p, "neg", vp_res_make(-1, 1, 0, 0), ONE, &e), VP_NONE);
    CHECK_STR_HAS(e.text, "negative capacity");
    CHECK_EQ_INT(vp_pool_add_host(p, "oc", vp_res_make(1, 1, 0, 0), vp_res_zero(), &e), VP_NONE);
    CHECK_STR_HAS(e.text, "overcommit must be > 0");
    vp_id v = vm(p, "v1", 2, 4);
    CHECK_EQ_INT(vp_pool_find_vm(p, "v1"), v);
    CHECK_EQ_INT(vp_pool_add_vm(p, "v1", vp_res_zero(), &e), VP_NONE);
    CHECK_STR_HAS(e.text, "VM 'v1' already exists");
    CHECK_EQ_INT(vp_pool_vm(p, v)->state, VP_VM_PENDING);
    CHECK_EQ_INT(vp_pool_host_count(p), 1);
    CHECK_EQ_INT(vp_pool_vm_count(p), 1);
    CHECK_EQ_INT(vp_pool_remove_vm(p, v, &e), 0);
    CHECK_EQ_INT(vp_pool_find_vm(p, "v1"), VP_NONE);
    CHECK(vp_pool_vm(p, v) == NULL);
    CHECK_EQ_INT(vp_pool_vm_count(p), 0);
    CHECK(vm(p, "v1", 1, 1) != v); /* ids are not reused */
    pool_ok(p);
    vp_pool_free(p);
}

/* The seed case: 8 CPU / 16 GB; three 2/4 VMs fit, a 4 CPU one does not
 * until one is released. */
static void test_allocate_release(void)
{
    vp_pool *p = vp_pool_new();
    vp_err e;
    vp_id h = host(p, "h", 8, 16);
    vp_id a = vm(p, "a", 2, 4), b = vm(p, "b", 2, 4), c = vm(p, "c", 2, 4), d = vm(p, "d", 4, 4);
    CHECK_EQ_INT(vp_pool_allocate(p, a, h, &e), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, b, h, &e), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, c, h, &e), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, d, h, &e), -1);
    CHECK_STR_HAS(e.text, "VM 'd' needs 4 cpu, host 'h' has 2 free");
    CHECK_EQ_INT(vp_pool_allocate(p, a, h, &e), -1);
    CHECK_STR_HAS(e.text, "already running");
    CHECK_EQ_INT(vp_pool_release(p, b, &e), 0);
    CHECK_EQ_INT(vp_pool_vm(p, b)->state, VP_VM_STOPPED);
    CHECK_EQ_INT(vp_pool_release(p, b, &e), -1);
    CHECK_STR_HAS(e.text, "is stopped, not running");
    CHECK_EQ_INT(vp_pool_allocate(p, d, h, &e), 0);
    CHECK_NEAR(vp_pool_host(p, h)->used.v[VP_CPU], 8, 0);
    CHECK_NEAR(vp_pool_host(p, h)->used.v[VP_MEM], 12, 0);
    CHECK_EQ_INT(vp_pool_remove_vm(p, a, &e), -1);
    CHECK_STR_HAS(e.text, "release it first");
    /* the counts by state follow: a, c, d running, b stopped */
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_RUNNING), 3);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_STOPPED), 1);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_PENDING), 0);
    CHECK_EQ_INT(vp_pool_remove_vm(p, b, &e), 0);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_STOPPED), 0);
    pool_ok(p);
    vp_pool_free(p);
}

static void test_overcommit_reservation_state(void)
{
    vp_pool *p = vp_pool_new();
    vp_err e;
    vp_id h = host(p, "h", 4, 8), h2 = host(p, "h2", 4, 8);
    vp_id a = vm(p, "a", 4, 2), b = vm(p, "b", 4, 2);
    CHECK_EQ_INT(vp_pool_allocate(p, a, h, &e), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, b, h, &e), -1);
    CHECK_EQ_INT(vp_pool_set_overcommit(p, h, vp_res_make(2, 1, 1, 1), &e), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, b, h, &e), 0);
    CHECK_EQ_INT(vp_pool_set_overcommit(p, h, ONE, &e), -1);
    CHECK_STR_HAS(e.text, "over capacity");
    CHECK_EQ_INT(vp_pool_set_reservation(p, h2, vp_res_make(1, 0, 0, 0), &e), 0);
    vp_id c = vm(p, "c", 4, 1);
    CHECK_EQ_INT(vp_pool_allocate(p, c, h2, &e), -1);
    CHECK_STR_HAS(e.text, "has 3 free");
    CHECK_EQ_INT(vp_pool_set_reservation(p, h2, vp_res_make(-1, 0, 0, 0), &e), -1);
    CHECK_STR_HAS(e.text, "negative reservation");
    CHECK_EQ_INT(vp_pool_set_reservation(p, h2, vp_res_zero(), &e), 0);
    CHECK_EQ_INT(vp_pool_set_pool_reservation(p, vp_res_make(1, 0, 0, 0), &e), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, c, h2, &e), -1);
    CHECK_STR_HAS(e.text, "below the pool reservation");
    CHECK_EQ_INT(vp_pool_set_pool_reservation(p, vp_res_zero(), &e), 0);
    CHECK_EQ_INT(vp_pool_set_host_state(p, h2, VP_HOST_DRAINING, &e), 0);
    CHECK_EQ_INT(vp_pool_allocate(p, c, h2, &e), -1);
    CHECK_STR_HAS(e.text, "host 'h2' is draining");
    CHECK_NEAR(vp_pool_free_total(p).v[VP_CPU], 0, 0);
    vp_res limit, used; /* the sums over up hosts: h only (8 cpu: 4 x 2, 8 used) */
    CHECK_EQ_INT(vp_pool_up_totals(p, &limit, &used), 1);
    CHECK_NEAR(limit.v[VP_CPU], 8, 0);
    CHECK_NEAR(used.v[VP_CPU], 8, 0);
    CHECK_EQ_INT(vp_pool_set_host_state(p, h2, VP_HOST_UP, &e), 0);
    CHECK_NEAR(vp_pool_free_total(p).v[VP_CPU], 4, 0);
    CHECK_EQ_INT(vp_pool_up_totals(p, &limit, &used), 2);
    CHECK_NEAR(limit.v[VP_CPU], 12, 0);
    CHECK_EQ_INT(vp_pool_allocate(p, c, h2, &e), 0);
    pool_ok(p);
    vp_pool_free(p);
}

static void test_migration(void)
{
    vp_pool *p = vp_pool_new();
    vp_err e;
    vp_id s = host(p, "src", 4, 8), d = host(p, "dst", 4, 8);
    vp_id a = vm(p, "a", 3, 4), b = vm(p, "b", 2, 2);
    CHECK_EQ_INT(vp_pool_allocate(p, a, s, &e), 0);
    CHECK_EQ_INT(vp_pool_begin_migration(p, a, s, &e), -1);
    CHECK_STR_HAS(e.text, "already on host 'src'");
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_RUNNING), 1);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_PENDING), 1);
    CHECK_EQ_INT(vp_pool_begin_migration(p, a, d, &e), 0);
    CHECK_EQ_INT(vp_pool_vm(p, a)->state, VP_VM_MIGRATING);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_RUNNING), 0);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_MIGRATING), 1);
    /* capacity held on both ends */
    CHECK_NEAR(vp_pool_host(p, s)->used.v[VP_CPU], 3, 0);
    CHECK_NEAR(vp_pool_host(p, d)->used.v[VP_CPU], 3, 0);
    CHECK_EQ_INT(vp_pool_allocate(p, b, d, &e), -1);
    CHECK_EQ_INT(vp_pool_release(p, a, &e), -1);
    pool_ok(p);
    CHECK_EQ_INT(vp_pool_abort_migration(p, a, &e), 0);
    CHECK_EQ_INT(vp_pool_vm(p, a)->host, s);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_RUNNING), 1);
    CHECK_EQ_INT(vp_pool_vm_count_in(p, VP_VM_MIGRATING), 0);
    CHECK_NEAR(vp_pool_host(p, d)->used.v[VP_CPU], 0, 0);
    CHECK_EQ_INT(vp_pool_end_migration(p, a, &e), -1);
    CHECK_STR_HAS(e.text, "is running, not migrating");
    CHECK_EQ_INT(vp_pool_begin_migration(p, a, d, &e), 0);
    vp_pool_set_demand(p, a, vp_res_make(1.5, 2, 0, 0));
    CHECK_NEAR(vp_pool_host(p, s)->demand.v[VP_CPU], 1.5, 1e-12);
    CHECK_EQ_INT(vp_pool_end_migration(p, a, &e), 0);
    CHECK_EQ_INT(vp_pool_vm(p, a)->host, d);
    CHECK_NEAR(vp_pool_host(p, s)->used.v[VP_CPU], 0, 0);
    CHECK_NEAR(vp_pool_host(p, s)->demand.v[VP_CPU], 0, 1e-12);
    CHECK_NEAR(vp_pool_host(p, d)->demand.v[VP_CPU], 1.5, 1e-12);
    CHECK_EQ_INT(vp_pool_allocate(p, b, s, &e), 0);
    CHECK_EQ_INT(vp_pool_set_host_state(p, s, VP_HOST_DOWN, &e), 0);
    CHECK_EQ_INT(vp_pool_begin_migration(p, a, s, &e), -1);
    CHECK_STR_HAS(e.text, "host 'src' is down");
    CHECK_EQ_INT(vp_pool_vm(p, b)->host, s); /* a down host keeps its VMs */
    pool_ok(p);
    vp_pool_free(p);
}

/* Many VMs: look-ups by id and name across storage slabs, removal of
 * every VM of a slab, hosts with more VMs than fit inline. */
static void test_many_vms(void)
{
    enum { N = 3000 };
    vp_pool *p = vp_pool_new();
    vp_err e;
    char name[32];
    vp_id h = host(p, "big", 4000, 400000);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "v%d", i);
        vp_id v = vm(p, name, 1, 1);
        CHECK_EQ_INT(v, i);
        if (i % 3 == 0)
            CHECK_EQ_INT(vp_pool_allocate(p, v, h, &e), 0);
    }
    CHECK_EQ_INT(vp_pool_host(p, h)->vms.n, N / 3);
    pool_ok(p);
    for (vp_id v = 0; v < 1500; v++) {
        if (v % 3 == 0)
            CHECK_EQ_INT(vp_pool_release(p, v, &e), 0);
        CHECK_EQ_INT(vp_pool_remove_vm(p, v, &e), 0);
    }
    CHECK(vp_pool_vm(p, 5) == NULL);
    CHECK(vp_pool_vm(p, 1499) == NULL);
    CHECK_EQ_INT(vp_pool_find_vm(p, "v1499"), VP_NONE);
    CHECK_EQ_INT(vp_pool_find_vm(p, "v1500"), 1500);
    CHECK_EQ_INT(vp_pool_vm(p, 2999)->id, 2999);
    CHECK_EQ_INT(vp_pool_vm_count(p), N - 1500);
    CHECK_EQ_INT(vp_pool_remove_vm(p, 7, &e), -1);
    CHECK_STR_HAS(e.text, "no VM with id 7");
    CHECK_EQ_INT(vp_pool_host(p, h)->vms.n, 500);
    pool_ok(p);
    vp_pool_free(p);
}

/* Histories: newest first, bounded, per VM and host, only while placed;
 * a sample round's end grants the demand. */
static void test_history(void)
{
    vp_pool *p = vp_pool_new();
    vp_err e;
    vp_id h = host(p, "h", 4, 8);
    vp_id a = vm(p, "a", 2, 1), b = vm(p, "b", 2, 1);
    CHECK_EQ_INT(vp_pool_allocate(p, a, h, &e), 0);
    vp_pool_set_history_length(p, 3);
    for (int k = 1; k <= 5; k++) {
        vp_pool_set_demand(p, a, vp_res_make(0.2 * k, 1, 0, 0));
        vp_pool_sample_done(p, h);
    }
    CHECK_NEAR(vp_pool_vm(p, a)->allocated.v[VP_CPU], 1.0, 1e-12);
    CHECK_NEAR(vp_pool_host(p, h)->allocated.v[VP_CPU], 1.0, 1e-12);
    const vp_history *ha = &vp_pool_vm(p, a)->cpu, *hh = &vp_pool_host(p, h)->cpu;
    CHECK_EQ_INT(ha->n, 3);
    CHECK_NEAR(vp_history_at(ha, 0), 0.5, 1e-6); /* 1.0 of 2 cpu */
    CHECK_NEAR(vp_history_at(ha, 2), 0.3, 1e-6);
    CHECK_NEAR(vp_history_at(hh, 0), 0.25, 1e-6); /* 1.0 of 4 cpu */
    CHECK_EQ_INT(vp_pool_vm(p, b)->cpu.n, 0);     /* pending: no samples */
    double out[8];
    CHECK_EQ_INT(vp_history_copy(ha, out, 8), 3);
    CHECK_NEAR(out[1], 0.4, 1e-6);
    vp_pool_set_history_length(p, 10); /* a new length starts over */
    vp_pool_sample_done(p, h);
    CHECK_EQ_INT(vp_pool_vm(p, a)->cpu.n, 1);
    CHECK_EQ_INT(vp_pool_host(p, h)->cpu.n, 1);
    /* a down host records no sample of its own; its VMs still do */
    CHECK_EQ_INT(vp_pool_set_host_state(p, h, VP_HOST_DOWN, &e), 0);
    vp_pool_sample_done(p, h);
    CHECK_EQ_INT(vp_pool_vm(p, a)->cpu.n, 2);
    CHECK_EQ_INT(vp_pool_host(p, h)->cpu.n, 1);
    vp_pool_free(p);
}

/* The checker itself must catch a broken pool, or the randomized test
 * below proves nothing. */
static void test_check_detects_corruption(void)
{
    vp_pool *p = vp_pool_new();
    vp_err e;
    vp_id h = host(p, "h", 4, 8);
    vp_id a = vm(p, "a", 1, 1);
    CHECK_EQ_INT(vp_pool_allocate(p, a, h, &e), 0);
    vp_host *hp = vp_pool_host(p, h);
    hp->used.v[VP_CPU] += 1;
    CHECK_EQ_INT(vp_pool_check(p, &e), -1);
    CHECK_STR_HAS(e.text, "but its VMs hold");
    hp->used.v[VP_CPU] -= 1;
    vp_pool_vm(p, a)->host = VP_NONE;
    CHECK_EQ_INT(vp_pool_check(p, &e), -1);
    CHECK_STR_HAS(e.text, "but the VM disagrees");
    vp_pool_vm(p, a)->host = h;
    hp->used.v[VP_CPU] += 10;
    vp_pool_vm(p, a)->size.v[VP_CPU] += 10;
    CHECK_EQ_INT(vp_pool_check(p, &e), -1);
    CHECK_STR_HAS(e.text, "over its overcommitted capacity");
    vp_pool_free(p);
}

/* Random operations, some valid, many not; after each, every invariant
 * holds and a failed operation changed nothing. */
static void test_randomized(unsigned seed)
{
    enum { H = 12, V = 60, STEPS = 20000 };
    srand(seed);
    vp_pool *p = vp_pool_new();
    vp_err e;
    char name[32];
    for (int i = 0; i < H; i++) {
        snprintf(name, sizeof name, "h%d", i);
        host(p, name, 4 + rand() % 12, 8 + rand() % 24);
    }
    for (int i = 0; i < V; i++) {
        snprintf(name, sizeof name, "v%d", i);
        vm(p, name, 1 + rand() % 4, 1 + rand() % 8);
    }
    int ok = 0, failed = 0;
    for (int step = 0; step < STEPS; step++) {
        vp_id v = (vp_id)(rand() % V), h = (vp_id)(rand() % H);
        vp_res before = vp_pool_free_total(p);
        int rc = 0;
        switch (rand() % 9) {
        case 0: case 1: rc = vp_pool_allocate(p, v, h, &e); break;
        case 2: rc = vp_pool_release(p, v, &e); break;
        case 3: case 4: rc = vp_pool_begin_migration(p, v, h, &e); break;
        case 5: rc = vp_pool_end_migration(p, v, &e); break;
        case 6: rc = vp_pool_abort_migration(p, v, &e); break;
        case 7: rc = vp_pool_set_host_state(p, h, (vp_host_state)(rand() % 3), &e); break;
        case 8: vp_pool_set_demand(p, v, vp_res_make(rand() % 5, rand() % 9, 0, 0)); break;
        }
        if (rc) {
            failed++;
            CHECK(vp_res_le(before, vp_pool_free_total(p)) && vp_res_le(vp_pool_free_total(p), before));
        } else {
            ok++;
        }
        if (vp_pool_check(p, &e)) {
            CHECK(!"invariant broken");
            fprintf(stderr, "  seed %u step %d: %s\n", seed, step, e.text);
            break;
        }
    }
    CHECK(ok > STEPS / 10);
    CHECK(failed > STEPS / 10);
    vp_pool_free(p);
}

/* A host added empty and sized later (as virt_world.c does from libvirt). */
static void test_set_capacity(void)
{
    vp_pool *p = vp_pool_new();
    vp_err e;
    vp_id h = host(p, "h", 0, 0);
    vp_id a = vm(p, "a", 2, 2);
    CHECK_EQ_INT(vp_pool_allocate(p, a, h, &e), -1);
    CHECK_EQ_INT(vp_pool_set_capacity(p, h, vp_res_make(4, 8, 0, 0), &e), 0);
    CHECK_NEAR(vp_pool_free_total(p).v[VP_CPU], 4, 1e-9);
    CHECK_EQ_INT(vp_pool_allocate(p, a, h, &e), 0);
    CHECK_EQ_INT(vp_pool_set_capacity(p, h, vp_res_make(1, 8, 0, 0), &e), -1);
    CHECK_STR_HAS(e.text, "below what its VMs use");
    CHECK_EQ_INT(vp_pool_set_capacity(p, h, vp_res_make(-1, 8, 0, 0), &e), -1);
    CHECK_STR_HAS(e.text, "negative capacity");
    CHECK_NEAR(vp_pool_host(p, h)->limit.v[VP_CPU], 4, 1e-9);
    CHECK_NEAR(vp_pool_free_total(p).v[VP_CPU], 2, 1e-9);
    pool_ok(p);
    vp_pool_free(p);
}

int main(void)
{
    test_lookup_and_names();
    test_allocate_release();
    test_overcommit_reservation_state();
    test_set_capacity();
    test_migration();
    test_many_vms();
    test_history();
    test_check_detects_corruption();
    for (unsigned seed = 1; seed <= 20; seed++)
        test_randomized(seed);
    return CHECK_DONE();
}
