/*
 * test_libvirt.c - unit tests for driver_libvirt.c and virt_events.c on
 * libvirt's test driver (no daemon): two hosts of different sizes from
 * tests/data/libvirt/ (small.xml, big.xml), inventory, create/destroy with lifecycle
 * events delivered through a libev loop, sampling, a migration (the test
 * driver cannot migrate: the worker's failure reaches done() through the
 * loop) and invalid migration requests, resize (live and config, and
 * libvirt's refusals), a URI that does not open, closing, the XML template,
 * a VM type's domain XML template; and the event
 * layer alone (handles on a pipe, timeouts, free callbacks deferred to a
 * later loop iteration, changes made from another thread).
 */
#include "check.h"
#include "clock.h"
#include "driver_libvirt.h"
#include "pool.h"
#include "virt_events.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

/* ---- fixture ---- */

#define MAX_SEEN 16

typedef struct seen_vm {
    char name[32];
    vp_res size;
    bool running;
} seen_vm;

typedef struct fixture {
    struct ev_loop *loop;
    vp_clock *clock;
    vp_pool *pool;
    vp_driver *drv;
    vp_id small, big;
    seen_vm vms[MAX_SEEN];
    int n_vms;
    char events[MAX_SEEN][48]; /* "vm:event" */
    int n_events;
    int done_calls, done_status;
    char done_error[512];
    vp_id sampled[MAX_SEEN];
    vp_res demand[MAX_SEEN];
    int n_sampled;
} fixture;

static void uri_of(char *buf, size_t n, const char *file)
{
    snprintf(buf, n, "test://%s/libvirt/%s", VP_TEST_DATA, file);
}

static void on_vm(void *ud, const vp_driver_vm_info *vm)
{
    fixture *f = ud;
    if (f->n_vms == MAX_SEEN)
        return;
    seen_vm *s = &f->vms[f->n_vms++];
    snprintf(s->name, sizeof s->name, "%s", vm->name);
    s->size = vm->size;
    s->running = vm->running;
}

static void on_event(void *ud, vp_id host, const char *vm, const char *event)
{
    fixture *f = ud;
    if (f->n_events < MAX_SEEN)
        snprintf(f->events[f->n_events++], sizeof f->events[0], "%s:%s", vm, event);
}

static void on_done(void *ud, int status, const char *error)
{
    fixture *f = ud;
    f->done_calls++;
    f->done_status = status;
    snprintf(f->done_error, sizeof f->done_error, "%s", error ? error : "");
}

static void on_sample(void *ud, vp_id vm, vp_res demand)
{
    fixture *f = ud;
    if (f->n_sampled == MAX_SEEN)
        return;
    f->sampled[f->n_sampled] = vm;
    f->demand[f->n_sampled++] = demand;
}

static const seen_vm *seen(const fixture *f, const char *name)
{
    for (int i = 0; i < f->n_vms; i++)
        if (strcmp(f->vms[i].name, name) == 0)
            return &f->vms[i];
    return NULL;
}

static bool has_event(const fixture *f, const char *what)
{
    for (int i = 0; i < f->n_events; i++)
        if (strcmp(f->events[i], what) == 0)
            return true;
    return false;
}

static void list(fixture *f, vp_id host)
{
    vp_err err = {0};
    f->n_vms = 0;
    CHECK_EQ_INT(f->drv->ops->list_vms(f->drv, host, on_vm, f, &err), 0);
}

/* Runs the loop until done() was called `calls` times and the event
 * `what` arrived, or 2 s passed. */
static void run_until(fixture *f, int calls, const char *what)
{
    double deadline = ev_time() + 2.0;
    while ((f->done_calls < calls || !has_event(f, what)) && ev_time() < deadline) {
        ev_run(f->loop, EVRUN_NOWAIT);
        ev_sleep(0.001);
    }
}

/* Runs the loop until done() was called `calls` times or `seconds` passed. */
static void run_calls(fixture *f, int calls, double seconds)
{
    double deadline = ev_time() + seconds;
    while (f->done_calls < calls && ev_time() < deadline) {
        ev_run(f->loop, EVRUN_NOWAIT);
        ev_sleep(0.001);
    }
}

static void setup(fixture *f)
{
    vp_err err = {0};
    memset(f, 0, sizeof *f);
    f->loop = ev_loop_new(0);
    f->clock = vp_clock_new_ev(f->loop);
    f->pool = vp_pool_new();
    f->small = vp_pool_add_host(f->pool, "small", vp_res_make(8, 16384, 0, 0),
                                vp_res_make(1, 1, 1, 1), &err);
    f->big = vp_pool_add_host(f->pool, "big", vp_res_make(32, 65536, 0, 0),
                              vp_res_make(1, 1, 1, 1), &err);
    f->drv = vp_libvirt_driver_new(f->pool, f->clock, &err);
    CHECK(f->drv != NULL);
    vp_libvirt_set_event_cb(f->drv, on_event, f);
    char uri[512];
    uri_of(uri, sizeof uri, "small.xml");
    CHECK_EQ_INT(f->drv->ops->open_host(f->drv, f->small, uri, &err), 0);
    uri_of(uri, sizeof uri, "big.xml");
    CHECK_EQ_INT(f->drv->ops->open_host(f->drv, f->big, uri, &err), 0);
}

static void teardown(fixture *f)
{
    f->drv->ops->close_host(f->drv, f->small);
    f->drv->ops->close_host(f->drv, f->big);
    f->drv->ops->free(f->drv);
    ev_run(f->loop, EVRUN_NOWAIT); /* the deferred free callbacks */
    CHECK_EQ_INT(vp_virt_events_active(), 0);
    vp_virt_events_flush();
    vp_pool_free(f->pool);
    vp_clock_free(f->clock);
    ev_loop_destroy(f->loop);
}

/* ---- tests ---- */

static void test_inventory(void)
{
    fixture f;
    setup(&f);
    list(&f, f.small);
    CHECK_EQ_INT(f.n_vms, 2);
    const seen_vm *web = seen(&f, "web1"), *db = seen(&f, "db1");
    CHECK(web && web->running && web->size.v[VP_CPU] == 2 && web->size.v[VP_MEM] == 2048);
    CHECK(db && !db->running && db->size.v[VP_CPU] == 4 && db->size.v[VP_MEM] == 4096);
    list(&f, f.big);
    CHECK_EQ_INT(f.n_vms, 1);
    const seen_vm *batch = seen(&f, "batch1");
    CHECK(batch && batch->running && batch->size.v[VP_CPU] == 8 &&
          batch->size.v[VP_MEM] == 8192);
    teardown(&f);
}

/* Destroys new1 (created by test_create_destroy) and checks it is gone. */
static void destroy_new1(fixture *f, vp_id vm)
{
    vp_err err = {0};
    CHECK_EQ_INT(f->drv->ops->destroy(f->drv, vm, on_done, f, &err), 0);
    run_until(f, 2, "new1:undefined");
    CHECK_EQ_INT(f->done_calls, 2);
    CHECK(has_event(f, "new1:stopped"));
    CHECK(has_event(f, "new1:undefined"));
    list(f, f->small);
    CHECK_EQ_INT(f->n_vms, 2);
    CHECK(seen(f, "new1") == NULL);
    /* pending in the pool and defined nowhere (never created): nothing to do */
    CHECK_EQ_INT(f->drv->ops->destroy(f->drv, vm, on_done, f, &err), 0);
    run_calls(f, 3, 2.0);
    CHECK_EQ_INT(f->done_calls, 3);
    CHECK_EQ_INT(f->done_status, 0);
    /* running in the pool but defined nowhere: an error */
    CHECK_EQ_INT(vp_pool_allocate(f->pool, vm, f->small, &err), 0);
    CHECK_EQ_INT(f->drv->ops->destroy(f->drv, vm, on_done, f, &err), -1);
    CHECK_STR_HAS(err.text, "not defined on any open host");
}

static void test_create_destroy(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    vp_id vm = vp_pool_add_vm(f.pool, "new1", vp_res_make(3, 1024, 0, 0), &err);
    CHECK_EQ_INT(f.drv->ops->create(f.drv, vm, f.small, on_done, &f, &err), 0);
    CHECK_EQ_INT(f.done_calls, 0); /* never inside the call */
    run_until(&f, 1, "new1:started");
    CHECK_EQ_INT(f.done_calls, 1);
    CHECK_EQ_INT(f.done_status, 0);
    CHECK(has_event(&f, "new1:started"));
    CHECK(vp_libvirt_event_count(f.drv, f.small, "started") >= 1);
    CHECK_EQ_INT(vp_libvirt_event_count(f.drv, f.big, "started"), 0);
    list(&f, f.small);
    CHECK_EQ_INT(f.n_vms, 3);
    const seen_vm *s = seen(&f, "new1");
    CHECK(s && s->running && s->size.v[VP_CPU] == 3 && s->size.v[VP_MEM] == 1024);

    /* the same name again: libvirt refuses, nothing starts */
    CHECK_EQ_INT(f.drv->ops->create(f.drv, vm, f.small, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "new1");

    destroy_new1(&f, vm);
    teardown(&f);
}

static void test_sample(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    vp_id web = vp_pool_add_vm(f.pool, "web1", vp_res_make(2, 2048, 0, 0), &err);
    vp_id db = vp_pool_add_vm(f.pool, "db1", vp_res_make(4, 4096, 0, 0), &err);
    vp_id batch = vp_pool_add_vm(f.pool, "batch1", vp_res_make(8, 8192, 0, 0), &err);
    for (int round = 0; round < 2; round++) { /* the second round has cpu deltas */
        f.n_sampled = 0;
        CHECK_EQ_INT(f.drv->ops->sample(f.drv, f.small, on_sample, &f, &err), 0);
        CHECK_EQ_INT(f.drv->ops->sample(f.drv, f.big, on_sample, &f, &err), 0);
        CHECK_EQ_INT(f.n_sampled, 2); /* running only: not db1 */
        for (int i = 0; i < f.n_sampled; i++) {
            CHECK(f.sampled[i] == web || f.sampled[i] == batch);
            CHECK(f.sampled[i] != db);
            /* the test driver has no cpu.time or balloon stats */
            CHECK_NEAR(f.demand[i].v[VP_CPU], 0, 1e-9);
            CHECK_NEAR(f.demand[i].v[VP_MEM], f.sampled[i] == web ? 2048 : 8192, 1e-9);
        }
    }
    teardown(&f);
}

/* web1 (running on small) to big: the worker starts, the test driver
 * refuses, done(-1) arrives on the loop with libvirt's text and web1 is
 * still on small. */
static void test_migrate(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    vp_id vm = vp_pool_add_vm(f.pool, "web1", vp_res_make(2, 2048, 0, 0), &err);
    CHECK_EQ_INT(vp_pool_allocate(f.pool, vm, f.small, &err), 0);
    vp_libvirt_set_migration(f.drv, 100, 5);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, vm, f.big, on_done, &f, &err), 0);
    CHECK_EQ_INT(f.done_calls, 0); /* never inside the call */
    CHECK_EQ_INT(vp_libvirt_migrations_active(f.drv), 1);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, vm, f.big, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "already migrating");
    double deadline = ev_time() + 5.0;
    while (f.done_calls == 0 && ev_time() < deadline)
        ev_run(f.loop, EVRUN_ONCE); /* the wake-up keeps nothing alive: timeout */
    CHECK_EQ_INT(f.done_calls, 1);
    CHECK_EQ_INT(f.done_status, -1);
    CHECK_STR_HAS(f.done_error, "not supported"); /* libvirt's text */
    CHECK_EQ_INT(vp_libvirt_migrations_active(f.drv), 0);
    list(&f, f.small);
    const seen_vm *web = seen(&f, "web1");
    CHECK(web && web->running);
    list(&f, f.big);
    CHECK(seen(&f, "web1") == NULL);
    teardown(&f);
}

/* Requests that never start: done() is not called. */
static void test_migrate_invalid(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    vp_id web = vp_pool_add_vm(f.pool, "web1", vp_res_make(2, 2048, 0, 0), &err);
    vp_id db = vp_pool_add_vm(f.pool, "db1", vp_res_make(4, 4096, 0, 0), &err);
    vp_id ghost = vp_pool_add_vm(f.pool, "ghost", vp_res_make(1, 512, 0, 0), &err);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, 999, f.big, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "no VM with id 999");
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, web, f.big, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "not on an open host"); /* pending in the pool */
    CHECK_EQ_INT(vp_pool_allocate(f.pool, web, f.small, &err), 0);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, web, f.small, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "already on host");
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, web, 77, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "not open");
    CHECK_EQ_INT(vp_pool_allocate(f.pool, db, f.small, &err), 0);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, db, f.big, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "not running"); /* defined, shut off */
    CHECK_EQ_INT(vp_pool_allocate(f.pool, ghost, f.small, &err), 0);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, ghost, f.big, on_done, &f, &err), -1);
    CHECK_STR_HAS(err.text, "ghost"); /* libvirt: no such domain */
    CHECK_EQ_INT(vp_libvirt_migrations_active(f.drv), 0);
    ev_run(f.loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(f.done_calls, 0);
    teardown(&f);
}

/* free() with a migration started and not yet reported: joins the
 * worker, never calls done(). */
static void test_migrate_free(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    vp_id vm = vp_pool_add_vm(f.pool, "batch1", vp_res_make(8, 8192, 0, 0), &err);
    CHECK_EQ_INT(vp_pool_allocate(f.pool, vm, f.big, &err), 0);
    CHECK_EQ_INT(f.drv->ops->migrate(f.drv, vm, f.small, on_done, &f, &err), 0);
    teardown(&f);
    CHECK_EQ_INT(f.done_calls, 0);
}

static void test_errors(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    vp_id third = vp_pool_add_host(f.pool, "third", vp_res_make(4, 4096, 0, 0),
                                   vp_res_make(1, 1, 1, 1), &err);
    char uri[512];
    uri_of(uri, sizeof uri, "no-such-host.xml");
    CHECK_EQ_INT(f.drv->ops->open_host(f.drv, third, uri, &err), -1);
    CHECK_STR_HAS(err.text, "no-such-host.xml");
    CHECK_STR_HAS(err.text, "failed to parse xml document"); /* libvirt's text */
    CHECK_EQ_INT(f.drv->ops->list_vms(f.drv, third, on_vm, &f, &err), -1);
    CHECK_STR_HAS(err.text, "not open");
    CHECK_EQ_INT(f.drv->ops->open_host(f.drv, f.small, uri, &err), -1);
    CHECK_STR_HAS(err.text, "already open");

    f.drv->ops->close_host(f.drv, f.big);
    CHECK_EQ_INT(f.drv->ops->sample(f.drv, f.big, on_sample, &f, &err), -1);
    CHECK_EQ_INT(vp_libvirt_event_count(f.drv, f.big, "started"), 0);
    teardown(&f);
}

static void test_domain_xml(void)
{
    char *xml = vp_libvirt_domain_xml("a<b&'c", vp_res_make(2.5, 0, 0, 0), "test");
    CHECK(xml != NULL);
    CHECK_STR_HAS(xml, "<domain type='test'>");
    CHECK_STR_HAS(xml, "<name>a&lt;b&amp;&apos;c</name>");
    CHECK_STR_HAS(xml, "<vcpu>3</vcpu>");
    CHECK_STR_HAS(xml, "<memory unit='MiB'>1</memory>");
    free(xml);
}

/* A VM of a type with a domain XML template is defined from it (the
 * description, disk and size are in the domain libvirt has); a VM
 * without a type gets the minimal domain. */
static void test_template_create(void)
{
    static const char tmpl[] =
        "<domain type='{{domain_type}}'><name>{{name}}</name><uuid>{{uuid}}</uuid>\n"
        "<description>from the web template</description>\n"
        "<memory unit='KiB'>{{memory_kib}}</memory><vcpu>{{vcpus}}</vcpu>\n"
        "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
        "<source file='/img/{{name}}.qcow2'/><target dev='vda' bus='virtio'/></disk>"
        "</devices></domain>\n";
    vp_vm_type types[2] = {{.name = "plain"}, {.name = "web", .domain_xml_text = (char *)tmpl}};
    fixture f;
    setup(&f);
    vp_libvirt_set_templates(f.drv, types, 2);
    vp_err err = {0};
    vp_id vm = vp_pool_add_vm(f.pool, "t1", vp_res_make(2, 1536, 0, 0), &err);
    vp_pool_set_vm_type(f.pool, vm, 1);
    CHECK_EQ_INT(f.drv->ops->create(f.drv, vm, f.small, on_done, &f, &err), 0);
    run_until(&f, 1, "t1:started");
    CHECK_EQ_INT(f.done_status, 0);
    char *xml = vp_libvirt_domain_desc(f.drv, f.small, "t1", &err);
    CHECK_STR_HAS(xml, "<description>from the web template</description>");
    CHECK_STR_HAS(xml, "<source file='/img/t1.qcow2'/>");
    CHECK_STR_HAS(xml, "<memory unit='KiB'>1572864</memory>");
    CHECK_STR_HAS(xml, ">2</vcpu>");
    free(xml);
    vp_id plain = vp_pool_add_vm(f.pool, "p1", vp_res_make(1, 512, 0, 0), &err);
    vp_pool_set_vm_type(f.pool, plain, 0);
    CHECK_EQ_INT(f.drv->ops->create(f.drv, plain, f.small, on_done, &f, &err), 0);
    run_until(&f, 2, "p1:started");
    xml = vp_libvirt_domain_desc(f.drv, f.small, "p1", &err);
    CHECK_STR_HAS(xml, "<memory unit='KiB'>524288</memory>");
    CHECK(xml && !strstr(xml, "<description>"));
    free(xml);
    CHECK(vp_libvirt_domain_desc(f.drv, f.small, "nope", &err) == NULL);
    CHECK_STR_HAS(err.text, "nope");
    teardown(&f);
}

/* ---- the event layer alone ---- */

typedef struct ev_probe {
    int handle_calls, last_events, timer_calls, freed;
} ev_probe;

static void probe_handle(int watch, int fd, int events, void *opaque)
{
    ev_probe *p = opaque;
    p->handle_calls++;
    p->last_events = events;
}

static void probe_timer(int timer, void *opaque)
{
    ((ev_probe *)opaque)->timer_calls++;
}

static void probe_free(void *opaque)
{
    ((ev_probe *)opaque)->freed++;
}

static void test_events_handles(struct ev_loop *loop, ev_probe *p)
{
    int fds[2];
    CHECK_EQ_INT(pipe(fds), 0);
    int h = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, probe_handle, p, probe_free);
    CHECK(h > 0);
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(p->handle_calls, 0);
    CHECK_EQ_INT(write(fds[1], "x", 1), 1);
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(p->handle_calls, 1);
    CHECK_EQ_INT(p->last_events, VIR_EVENT_HANDLE_READABLE);
    virEventUpdateHandle(h, 0); /* errors only: no ev_io */
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(p->handle_calls, 1);
    CHECK_EQ_INT(virEventRemoveHandle(h), 0);
    CHECK_EQ_INT(p->freed, 0); /* never inside remove */
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(p->freed, 1);
    CHECK_EQ_INT(virEventRemoveHandle(h), -1);
    close(fds[0]);
    close(fds[1]);
}

static void test_events_timeouts(struct ev_loop *loop, ev_probe *p)
{
    int t = virEventAddTimeout(-1, probe_timer, p, probe_free);
    CHECK(t > 0);
    ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(p->timer_calls, 0); /* -1: disabled */
    virEventUpdateTimeout(t, 0);
    for (int i = 0; i < 3; i++)
        ev_run(loop, EVRUN_NOWAIT);
    CHECK_EQ_INT(p->timer_calls, 3); /* 0: every iteration */
    virEventUpdateTimeout(t, 20);
    ev_run(loop, EVRUN_ONCE);
    CHECK_EQ_INT(p->timer_calls, 4); /* 20 ms later */
    CHECK_EQ_INT(vp_virt_events_active(), 1);
    CHECK_EQ_INT(virEventRemoveTimeout(t), 0);
    CHECK_EQ_INT(vp_virt_events_active(), 0);
    CHECK_EQ_INT(p->freed, 1);
    vp_virt_events_flush();
    CHECK_EQ_INT(p->freed, 2);
}

/* A thread adds a timeout and removes it: both apply on the loop
 * thread after the wake-up. */
typedef struct thread_job {
    ev_probe p;
    int id, removed;
} thread_job;

static void *thread_add(void *arg)
{
    thread_job *j = arg;
    j->id = virEventAddTimeout(0, probe_timer, &j->p, probe_free);
    return NULL;
}

static void *thread_remove(void *arg)
{
    thread_job *j = arg;
    j->removed = virEventRemoveTimeout(j->id);
    return NULL;
}

static void test_events_threads(struct ev_loop *loop)
{
    thread_job j = {.removed = -2};
    pthread_t t;
    CHECK_EQ_INT(pthread_create(&t, NULL, thread_add, &j), 0);
    pthread_join(t, NULL);
    CHECK(j.id > 0);
    CHECK_EQ_INT(vp_virt_events_active(), 1);
    CHECK_EQ_INT(j.p.timer_calls, 0); /* not armed off the loop thread */
    for (int i = 0; i < 3; i++)
        ev_run(loop, EVRUN_NOWAIT); /* the wake-up arms it */
    CHECK(j.p.timer_calls >= 1);
    CHECK_EQ_INT(pthread_create(&t, NULL, thread_remove, &j), 0);
    pthread_join(t, NULL);
    CHECK_EQ_INT(j.removed, 0);
    CHECK_EQ_INT(vp_virt_events_active(), 0);
    CHECK_EQ_INT(j.p.freed, 0);
    int calls = j.p.timer_calls;
    for (int i = 0; i < 3; i++)
        ev_run(loop, EVRUN_NOWAIT); /* stopped, then freed */
    CHECK_EQ_INT(j.p.timer_calls, calls); /* a removed watch is skipped */
    CHECK_EQ_INT(j.p.freed, 1);
    vp_virt_events_flush();
}

static void test_events(void)
{
    struct ev_loop *loop = ev_loop_new(0);
    CHECK_EQ_INT(vp_virt_events_register(loop), 0);
    CHECK_EQ_INT(vp_virt_events_register(loop), 0); /* idempotent */
    ev_probe p = {0};
    test_events_handles(loop, &p);
    test_events_timeouts(loop, &p);
    CHECK_EQ_INT(vp_virt_events_register(loop), 0); /* again after the flush */
    test_events_threads(loop);
    ev_loop_destroy(loop);
}

/* The running web1 (2 vCPUs, 2048 MiB maximum) and the shut-off db1 (4
 * vCPUs) on small: resized live and in the config, done() on the loop;
 * beyond the maximum libvirt refuses and done() is not called. */
static void test_resize(void)
{
    fixture f;
    setup(&f);
    vp_err err = {0};
    vp_id web = vp_pool_add_vm(f.pool, "web1", vp_res_make(2, 2048, 0, 0), &err);
    vp_id db = vp_pool_add_vm(f.pool, "db1", vp_res_make(4, 4096, 0, 0), &err);
    CHECK_EQ_INT(vp_pool_allocate(f.pool, web, f.small, &err), 0);
    CHECK_EQ_INT(f.drv->ops->resize(f.drv, web, vp_res_make(0.5, 1000.2, 0, 0), on_done, &f,
                                    &err), 0);
    CHECK_EQ_INT(f.done_calls, 0); /* not before the loop runs */
    run_calls(&f, 1, 2.0);
    CHECK_EQ_INT(f.done_calls, 1);
    CHECK_EQ_INT(f.done_status, 0);
    vp_driver_vm_info info;
    CHECK_EQ_INT(vp_libvirt_domain_info(f.drv, f.small, "web1", &info, &err), 0);
    CHECK_NEAR(info.size.v[VP_CPU], 1, 1e-9);  /* ceil(0.5) */
    CHECK_NEAR(info.memory_now, 1001, 1e-9);   /* ceil(1000.2) MiB */
    CHECK_NEAR(info.size.v[VP_MEM], 2048, 1e-9); /* the maximum is kept */
    CHECK(info.running);

    /* a shut-off domain: its config */
    CHECK_EQ_INT(f.drv->ops->resize(f.drv, db, vp_res_make(3, 2048, 0, 0), on_done, &f, &err), 0);
    run_calls(&f, 2, 2.0);
    CHECK_EQ_INT(f.done_calls, 2);
    CHECK_EQ_INT(vp_libvirt_domain_info(f.drv, f.small, "db1", &info, &err), 0);
    CHECK_NEAR(info.size.v[VP_CPU], 3, 1e-9);
    CHECK_NEAR(info.memory_now, 2048, 1e-9);
    CHECK(!info.running);

    /* refused by libvirt: more vCPUs or memory than the maximum */
    CHECK_EQ_INT(f.drv->ops->resize(f.drv, web, vp_res_make(64, 1024, 0, 0), on_done, &f, &err),
                 -1);
    CHECK_STR_HAS(err.text, "VM 'web1': cannot set the vCPUs: ");
    CHECK_EQ_INT(f.drv->ops->resize(f.drv, web, vp_res_make(1, 8192, 0, 0), on_done, &f, &err),
                 -1);
    CHECK_STR_HAS(err.text, "VM 'web1': cannot set the memory: ");
    CHECK_EQ_INT(f.drv->ops->resize(f.drv, web, vp_res_make(0, 1024, 0, 0), on_done, &f, &err),
                 -1);
    CHECK_STR_HAS(err.text, "cannot resize to 0 vCPUs");
    vp_id nowhere = vp_pool_add_vm(f.pool, "nowhere", vp_res_make(1, 512, 0, 0), &err);
    CHECK_EQ_INT(f.drv->ops->resize(f.drv, nowhere, vp_res_make(1, 512, 0, 0), on_done, &f,
                                    &err), -1);
    CHECK_STR_HAS(err.text, "not defined on any open host");
    CHECK_EQ_INT(f.drv->ops->resize(f.drv, web, vp_res_make(1, 512, 0, 0), NULL, &f, &err), -1);
    run_calls(&f, 3, 0.05); /* none comes */
    CHECK_EQ_INT(f.done_calls, 2);
    teardown(&f);
}

int main(void)
{
    test_domain_xml();
    test_template_create();
    test_events();
    test_resize();
    test_inventory();
    test_create_destroy();
    test_sample();
    test_migrate();
    test_migrate_invalid();
    test_migrate_free();
    test_errors();
    return CHECK_DONE();
}
