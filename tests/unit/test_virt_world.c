/*
 * test_virt_world.c - unit tests for virt_world.c on libvirt's test
 * driver: a world built on two hosts from tests/data/libvirt/ (pool
 * capacities from the XML's node, running domains placed, shut-off ones
 * left out), a host file that does not exist (the build fails naming the
 * host, nothing left behind), a running domain too big for its host (left
 * pending, noted "vm_unfit"; removing it destroys its domain), and
 * lifecycle events through a real-time
 * clock on a fresh libev loop: a VM destroyed through the driver ends
 * stopped in the pool ("vm_stopped"), a VM started behind the engine's
 * back is put running ("vm_appeared"); a host whose connection drops
 * (the close callback's path, through vp_libvirt_drop_host): marked down
 * with its VMs kept, reconnect attempts with exponential back-off while
 * its URI does not open, then back up in its earlier state with the
 * inventory reconciled.
 */
#include "check.h"
#include "clock.h"
#include "config.h"
#include "driver_libvirt.h"
#include "policy.h"
#include "virt_events.h"
#include "virt_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_NOTES 16

typedef struct fixture {
    struct ev_loop *loop;
    vp_clock *clock;
    vp_policy pol;
    vp_config *cfg;
    vp_virt_world w;
    char notes[MAX_NOTES][64]; /* "event:vm:host" */
    int n_notes;
    int done_calls;
} fixture;

static void on_note(void *ud, const char *event, const char *vm, const char *host,
                    const char *reason)
{
    fixture *f = ud;
    CHECK(reason && *reason);
    if (f->n_notes < MAX_NOTES)
        snprintf(f->notes[f->n_notes++], sizeof f->notes[0], "%s:%s:%s", event, vm ? vm : "-",
                 host);
}

static bool has_note(const fixture *f, const char *what)
{
    for (int i = 0; i < f->n_notes; i++)
        if (strcmp(f->notes[i], what) == 0)
            return true;
    return false;
}

static void on_done(void *ud, int status, const char *error)
{
    ((fixture *)ud)->done_calls++;
}

/* A config with hosts "small" and "big" on tests/data/libvirt/ files
 * (second_file replaces big.xml; an absolute path if it starts with /). */
static vp_config *config_of(const char *first_file, const char *second_file)
{
    char text[2048], a[512], b[512];
    snprintf(a, sizeof a, "%s%s", first_file[0] == '/' ? "" : VP_TEST_DATA "/libvirt/",
             first_file);
    snprintf(b, sizeof b, "%s%s", second_file[0] == '/' ? "" : VP_TEST_DATA "/libvirt/",
             second_file);
    snprintf(text, sizeof text,
             "{\"hosts\": [{\"name\": \"small\", \"uri\": \"test://%s\"},"
             "            {\"name\": \"big\", \"uri\": \"test://%s\"}],"
             " \"intervals\": {\"sample\": 0.05, \"balance\": 100, \"reservation\": 100}}",
             a, b);
    vp_err err = {0};
    vp_config *cfg = vp_config_load_string(text, "virt.json", NULL, &err);
    if (!cfg)
        fprintf(stderr, "config: %s\n", err.text);
    CHECK(cfg != NULL);
    return cfg;
}

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->loop = ev_loop_new(0);
    f->clock = vp_clock_new_ev(f->loop);
    vp_policy_builtin(&f->pol, NULL);
}

static void teardown(fixture *f)
{
    vp_virt_world_free(&f->w);
    CHECK_EQ_INT(vp_virt_events_active(), 0);
    vp_config_free(f->cfg);
    vp_clock_free(f->clock);
    ev_loop_destroy(f->loop);
}

static const vp_vm *vm_named(const fixture *f, const char *name)
{
    return vp_pool_vm(f->w.pool, vp_pool_find_vm(f->w.pool, name));
}

/* Runs the loop until cond(f) or 2 s passed. */
static void run_until(fixture *f, bool (*cond)(const fixture *))
{
    double deadline = ev_time() + 2.0;
    while (!cond(f) && ev_time() < deadline) {
        ev_run(f->loop, EVRUN_NOWAIT);
        ev_sleep(0.001);
    }
}

/* ---- tests ---- */

static void test_build(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    f.cfg = config_of("small.xml", "big.xml");
    CHECK_EQ_INT(vp_virt_world_build(&f.w, f.cfg, f.clock, &f.pol, &err), 0);
    vp_pool *p = f.w.pool;
    CHECK_EQ_INT((int)vp_pool_host_count(p), 2);
    const vp_host *small = vp_pool_host(p, vp_pool_find_host(p, "small"));
    const vp_host *big = vp_pool_host(p, vp_pool_find_host(p, "big"));
    CHECK(small && big);
    CHECK_NEAR(small->capacity.v[VP_CPU], 8, 1e-9);
    CHECK_NEAR(small->capacity.v[VP_MEM], 16384, 1e-9);
    CHECK_NEAR(big->capacity.v[VP_CPU], 32, 1e-9);
    CHECK_NEAR(big->capacity.v[VP_MEM], 65536, 1e-9);
    CHECK_NEAR(small->limit.v[VP_CPU], 8, 1e-9); /* overcommit 1 */
    /* running domains placed; db1 (shut off) is not in the pool */
    CHECK_EQ_INT((int)vp_pool_vm_count(p), 2);
    const vp_vm *web = vm_named(&f, "web1"), *batch = vm_named(&f, "batch1");
    CHECK(web && web->state == VP_VM_RUNNING && web->host == small->id);
    CHECK(batch && batch->state == VP_VM_RUNNING && batch->host == big->id);
    CHECK_NEAR(web->size.v[VP_CPU], 2, 1e-9);
    CHECK_NEAR(web->size.v[VP_MEM], 2048, 1e-9);
    CHECK_NEAR(small->used.v[VP_MEM], 2048, 1e-9);
    CHECK(vm_named(&f, "db1") == NULL);
    CHECK_EQ_INT(vp_pool_check(p, &err), 0);

    vp_virt_world_set_note_cb(&f.w, on_note, &f);
    vp_virt_world_start(&f.w);
    CHECK_EQ_INT(f.n_notes, 0); /* everything fits */
    teardown(&f);
}

static void test_bad_host(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    f.cfg = config_of("small.xml", "no-such-host.xml");
    CHECK_EQ_INT(vp_virt_world_build(&f.w, f.cfg, f.clock, &f.pol, &err), -1);
    CHECK_STR_HAS(err.text, "host 'big'");
    CHECK_STR_HAS(err.text, "no-such-host.xml");
    CHECK_STR_HAS(err.text, "failed to parse xml document"); /* libvirt's text */
    CHECK(f.w.pool == NULL && f.w.driver == NULL && f.w.engine == NULL);
    teardown(&f);
}

/* A node of 2 cpus with a running domain of 4 vcpus. */
static const char tiny_xml[] =
    "<node><cpu><mhz>2000</mhz><model>i686</model><active>2</active><nodes>1</nodes>"
    "<sockets>1</sockets><cores>2</cores><threads>1</threads></cpu>"
    "<memory>4194304</memory>"
    "<domain type='test'><name>huge1</name><memory unit='MiB'>1024</memory>"
    "<vcpu>4</vcpu><os><type>hvm</type></os></domain></node>\n";

static void test_unfit(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    char dir[] = "/tmp/vp_tiny_XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/tiny.xml", dir);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    fputs(tiny_xml, fp);
    fclose(fp);
    f.cfg = config_of("small.xml", path);
    CHECK_EQ_INT(vp_virt_world_build(&f.w, f.cfg, f.clock, &f.pol, &err), 0);
    const vp_vm *huge = vm_named(&f, "huge1");
    CHECK(huge && huge->state == VP_VM_PENDING);
    vp_virt_world_set_note_cb(&f.w, on_note, &f);
    vp_virt_world_start(&f.w);
    CHECK(has_note(&f, "vm_unfit:huge1:big"));
    /* removing the pending VM destroys and undefines its domain */
    vp_id big = vp_pool_find_host(f.w.pool, "big");
    vp_driver_vm_info info;
    CHECK_EQ_INT(vp_libvirt_domain_info(f.w.driver, big, "huge1", &info, &err), 0);
    CHECK_EQ_INT(vp_engine_remove_vm(f.w.engine, huge->id, "test", &err), 0);
    CHECK(vm_named(&f, "huge1") == NULL);
    CHECK_EQ_INT(vp_libvirt_domain_info(f.w.driver, big, "huge1", &info, &err), -1);
    CHECK_STR_HAS(err.text, "huge1");
    unlink(path);
    rmdir(dir);
    teardown(&f);
}

static bool web_stopped(const fixture *f)
{
    const vp_vm *v = vm_named(f, "web1");
    return f->done_calls >= 1 && v && v->state == VP_VM_STOPPED;
}

static bool new_running(const fixture *f)
{
    const vp_vm *v = vm_named(f, "new1");
    return f->done_calls >= 2 && v && v->state == VP_VM_RUNNING;
}

static void test_lifecycle(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    f.cfg = config_of("small.xml", "big.xml");
    CHECK_EQ_INT(vp_virt_world_build(&f.w, f.cfg, f.clock, &f.pol, &err), 0);
    vp_virt_world_set_note_cb(&f.w, on_note, &f);
    vp_virt_world_start(&f.w);
    vp_pool *p = f.w.pool;
    vp_id small = vp_pool_find_host(p, "small"), big = vp_pool_find_host(p, "big");

    /* destroyed behind the engine's back: stopped in the pool, capacity freed */
    vp_id web = vp_pool_find_vm(p, "web1");
    CHECK_EQ_INT(f.w.driver->ops->destroy(f.w.driver, web, on_done, &f, &err), 0);
    CHECK(vm_named(&f, "web1")->state == VP_VM_RUNNING); /* not before the loop runs */
    run_until(&f, web_stopped);
    CHECK(web_stopped(&f));
    CHECK(has_note(&f, "vm_stopped:web1:small"));
    CHECK_NEAR(vp_pool_host(p, small)->used.v[VP_MEM], 0, 1e-9);

    /* started behind the engine's back: running where libvirt runs it */
    vp_id n = vp_pool_add_vm(p, "new1", vp_res_make(2, 1024, 0, 0), &err);
    CHECK(n != VP_NONE);
    CHECK_EQ_INT(f.w.driver->ops->create(f.w.driver, n, big, on_done, &f, &err), 0);
    run_until(&f, new_running);
    CHECK(new_running(&f));
    CHECK(vm_named(&f, "new1")->host == big);
    CHECK(has_note(&f, "vm_appeared:new1:big"));
    CHECK_EQ_INT(vp_pool_check(p, &err), 0);
    vp_engine_stop(f.w.engine);
    teardown(&f);
}

static bool small_up(const fixture *f)
{
    return has_note(f, "host_up:-:small");
}


/* Runs the loop for `seconds`. */
static void run_for(fixture *f, double seconds)
{
    double end = ev_time() + seconds;
    while (ev_time() < end) {
        ev_run(f->loop, EVRUN_NOWAIT);
        ev_sleep(0.001);
    }
}

static void test_reconnect(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    char dir[] = "/tmp/vp_drop_XXXXXX", path[64], gone[80], cmd[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/small.xml", dir);
    snprintf(gone, sizeof gone, "%s/small.xml.away", dir);
    snprintf(cmd, sizeof cmd, "cp %s/libvirt/small.xml %s", VP_TEST_DATA, path);
    CHECK_EQ_INT(system(cmd), 0);
    f.cfg = config_of(path, "big.xml");
    CHECK_EQ_INT(vp_virt_world_build(&f.w, f.cfg, f.clock, &f.pol, &err), 0);
    vp_virt_world_set_note_cb(&f.w, on_note, &f);
    vp_libvirt_set_reconnect(f.w.driver, 0.02, 0.08);
    vp_pool *p = f.w.pool;
    vp_id small = vp_pool_find_host(p, "small");
    /* a VM the pool has on small but libvirt does not */
    vp_id ghost = vp_pool_add_vm(p, "ghost", vp_res_make(1, 512, 0, 0), &err);
    CHECK_EQ_INT(vp_pool_allocate(p, ghost, small, &err), 0);
    CHECK_EQ_INT(vp_pool_set_host_state(p, small, VP_HOST_DRAINING, &err), 0);

    /* the connection drops and the host's URI does not open for a while */
    CHECK_EQ_INT(rename(path, gone), 0);
    vp_libvirt_drop_host(f.w.driver, small, "test drop");
    CHECK(vp_pool_host(p, small)->state == VP_HOST_DOWN);
    CHECK(has_note(&f, "host_down:-:small"));
    vp_libvirt_link link;
    CHECK_EQ_INT(vp_libvirt_host_link(f.w.driver, small, &link), 0);
    CHECK(!link.up && link.failed == 0);
    CHECK_NEAR(link.next_delay, 0.02, 1e-9);
    run_for(&f, 0.3); /* attempts at 0.02, +0.04, +0.08, +0.08 ... */
    CHECK_EQ_INT(vp_libvirt_host_link(f.w.driver, small, &link), 0);
    CHECK(!link.up && link.failed >= 3 && link.failed <= 5);
    CHECK_NEAR(link.next_delay, 0.08, 1e-9); /* doubled up to the cap */
    /* nothing forgotten while down */
    CHECK(vm_named(&f, "web1")->state == VP_VM_RUNNING && vm_named(&f, "web1")->host == small);
    CHECK(vm_named(&f, "ghost")->state == VP_VM_RUNNING);
    CHECK(!has_note(&f, "host_up:-:small"));

    /* the host answers again: back in its earlier state, reconciled */
    CHECK_EQ_INT(rename(gone, path), 0);
    run_until(&f, small_up);
    CHECK(small_up(&f));
    CHECK(vp_pool_host(p, small)->state == VP_HOST_DRAINING);
    CHECK_EQ_INT(vp_libvirt_host_link(f.w.driver, small, &link), 0);
    CHECK(link.up && link.next_delay == 0);
    CHECK(has_note(&f, "vm_stopped:ghost:small"));        /* not on the host */
    CHECK(vm_named(&f, "ghost")->state == VP_VM_STOPPED);
    CHECK(vm_named(&f, "web1")->state == VP_VM_RUNNING);   /* still there */
    CHECK(!has_note(&f, "vm_stopped:web1:small"));
    CHECK_EQ_INT(vp_pool_check(p, &err), 0);

    /* the new connection works: a VM destroyed through it is seen stopped */
    vp_id web = vp_pool_find_vm(p, "web1");
    CHECK_EQ_INT(f.w.driver->ops->destroy(f.w.driver, web, on_done, &f, &err), 0);
    run_until(&f, web_stopped);
    CHECK(web_stopped(&f));
    unlink(path);
    rmdir(dir);
    teardown(&f);
}

int main(void)
{
    test_build();
    test_bad_host();
    test_unfit();
    test_lifecycle();
    test_reconnect();
    return CHECK_DONE();
}
