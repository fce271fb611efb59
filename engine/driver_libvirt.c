/*
 * driver_libvirt.c - the libvirt hypervisor driver (first increment).
 *
 * Provides: see driver_libvirt.h.
 * Uses: driver.h, pool.h, clock.h, virt_events.h, libvirt, uthash, pthreads.
 *
 * Per-host state (lv_host, in an array indexed by host id) holds the
 * connection, the ids of its lifecycle and close callbacks, the event
 * counters and, per domain name, the cpu.time and wall time of the last
 * sample (to turn cpu time deltas into utilization).  Operations in
 * flight are malloc'd records with a one-shot vp_timer on a doubly linked
 * list, as in driver_sim.c; a record is unlinked and freed before its
 * done() runs.
 *
 * A host whose connection closes (virConnectRegisterCloseCallback, or
 * vp_libvirt_drop_host) is marked VP_HOST_DOWN in the pool (its VMs stay
 * as they were) and a one-shot timer on the loop retries virConnectOpen
 * after retry_min, then twice as long each time (at most retry_max).
 * Each attempt runs virConnectOpen on an opener thread (it may block for
 * a TCP timeout), which reports through the same ev_async as the
 * migration workers.  The first connection that opens replaces the dead
 * one (callbacks registered again, cpu samples forgotten), the host gets
 * back the pool state it had (up or draining) and host_cb is told, so
 * that the world reconciles the inventory (virt_world.c).
 *
 * Migrations (lv_mig) are on their own list (loop thread only).  Each has
 * a joinable worker that owns a reference to the source domain; when
 * libvirt returns, the worker stores the outcome in its record, pushes it
 * on `finished` under the mutex and calls ev_async_send.  on_wake drains
 * the whole queue, joins each worker (it has only to return) and calls
 * done().  The close callback may also run on a worker: it then sets the
 * host's down_pending under the mutex and on_wake marks the host down.
 */
#include "driver_libvirt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <uthash.h>

#include "domain_tmpl.h"
#include "virt_events.h"

#define LV_N_EVENTS 9 /* VIR_DOMAIN_EVENT_DEFINED .. VIR_DOMAIN_EVENT_CRASHED */

static const char *const lv_event_names[LV_N_EVENTS] = {
    "defined", "undefined", "started", "suspended", "resumed",
    "stopped", "shutdown", "pmsuspended", "crashed",
};

typedef struct lv_driver lv_driver;

/* The last cpu sample of one domain. */
typedef struct lv_prev {
    char *name;
    unsigned long long cpu_ns;
    uint64_t wall_ns;
    uint64_t round;
    UT_hash_handle hh;
} lv_prev;

typedef struct lv_host {
    lv_driver *d;
    vp_id id;
    virConnectPtr conn;
    int lifecycle_id;   /* -1 if not registered */
    bool close_cb;      /* close callback registered */
    unsigned events[LV_N_EVENTS];
    lv_prev *prev;      /* by domain name */
    uint64_t round;     /* sample rounds so far */
    char *uri;
    bool down_pending;  /* closed off the loop thread (under d->mu) */
    /* reconnecting (loop thread only) */
    bool down;          /* the connection dropped; retry is running */
    vp_host_state state_before; /* the pool state to restore when back */
    vp_timer retry;
    double backoff;     /* the delay before the next attempt, s */
    unsigned failed;    /* attempts that failed since the drop */
    bool connecting;    /* an opener thread runs (joined on the loop) */
    pthread_t opener;
    bool open_done;     /* the opener finished (under d->mu) */
    virConnectPtr opened; /* its connection, NULL if it failed (under d->mu) */
} lv_host;

typedef struct lv_op lv_op;
typedef struct lv_mig lv_mig;

struct lv_driver {
    vp_driver base;
    vp_pool *pool;
    vp_clock *clock;
    lv_host **hosts;    /* by host id, NULL if not open */
    size_t n_hosts;
    lv_op *ops;         /* operations in flight */
    const vp_vm_type *types; /* domain XML templates by VM type (borrowed) */
    size_t n_types;
    vp_libvirt_event_cb event_cb;
    void *event_ud;
    /* migrations */
    struct ev_loop *loop;
    pthread_t loop_thread;
    unsigned long long bandwidth_mib;
    double timeout_s;
    lv_mig *migs;       /* in flight (loop thread only) */
    pthread_mutex_t mu; /* guards finished, every host's down_pending, open_done, opened */
    lv_mig *finished;   /* workers done, not yet reported (newest first) */
    ev_async wake;      /* a worker finished, or a host closed off the loop */
    double retry_min, retry_max; /* reconnect back-off, s */
    vp_libvirt_host_cb host_cb;
    void *host_ud;
    vp_id reporting;    /* the VM whose migration done() is running, or VP_NONE */
    vp_driver_mig_stats report_stats; /* its stats (fields < 0: unknown) */
};

/* One live migration: a worker thread runs virDomainMigrateToURI3. */
struct lv_mig {
    lv_driver *d;
    lv_mig *prev, *next;    /* in flight */
    lv_mig *qnext;          /* on finished */
    vp_id vm, dst;
    virDomainPtr dom;       /* on the source connection */
    char *dst_uri;
    unsigned long long bandwidth_mib;
    pthread_t thread;
    vp_timer timeout;
    double timeout_s;
    bool timed_out;
    bool aborted;           /* on request (abort_migration) */
    int status;             /* set by the worker before it queues m */
    char *error;            /* libvirt's message, malloc'd, or NULL */
    vp_driver_done_cb done;
    void *ud;
};

#define LV_MIG_FLAGS (VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST | \
                      VIR_MIGRATE_UNDEFINE_SOURCE)

struct lv_op {
    vp_timer timer;
    lv_driver *d;
    lv_op *prev, *next;
    vp_driver_done_cb done;
    void *ud;
};

static const vp_driver_ops lv_ops;

/* ====== helpers ====== */

static lv_driver *as_lv(const vp_driver *d)
{
    return d && d->ops == &lv_ops ? (lv_driver *)(void *)d : NULL;
}

/* Sets err to "what: <libvirt's last error>" and returns -1. */
static int lv_fail(vp_err *err, const char *what)
{
    const char *msg = virGetLastErrorMessage();
    int rc = vp_err_set(err, "%s: %s", what, msg ? msg : "unknown libvirt error");
    virResetLastError();
    return rc;
}

static lv_host *host_get(const lv_driver *s, vp_id host)
{
    return s && host < s->n_hosts ? s->hosts[host] : NULL;
}

static lv_host *open_host_of(const lv_driver *s, vp_id host, vp_err *err)
{
    lv_host *h = host_get(s, host);
    if (!h)
        vp_err_set(err, "host %u is not open on the libvirt driver", host);
    return h;
}

static const vp_vm *vm_of(const lv_driver *s, vp_id vm, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(s->pool, vm);
    if (!v)
        vp_err_set(err, "no VM with id %u", vm);
    return v;
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Makes hosts[host] addressable, new entries NULL. */
static int grow_hosts(lv_driver *s, vp_id host)
{
    if (host < s->n_hosts)
        return 0;
    size_t n = s->n_hosts ? s->n_hosts : 16;
    while (n <= host)
        n *= 2;
    lv_host **hosts = realloc(s->hosts, n * sizeof *hosts);
    if (!hosts)
        return -1;
    for (size_t i = s->n_hosts; i < n; i++)
        hosts[i] = NULL;
    s->hosts = hosts;
    s->n_hosts = n;
    return 0;
}

/* libvirt prints every error to stderr by default; we report them. */
static void quiet_errors(void *ud, virErrorPtr e)
{
}

/* ====== operations in flight ====== */

static void op_fire(vp_clock *clock, vp_timer *timer, void *ud)
{
    lv_op *op = ud;
    lv_driver *s = op->d;
    if (op->prev)
        op->prev->next = op->next;
    else
        s->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    vp_driver_done_cb done = op->done;
    void *done_ud = op->ud;
    free(op);
    done(done_ud, 0, NULL);
}

/* Calls done(ud, 0, NULL) on the next loop iteration. */
static int op_later(lv_driver *s, vp_driver_done_cb done, void *ud, vp_err *err)
{
    lv_op *op = calloc(1, sizeof *op);
    if (!op)
        return vp_err_set(err, "out of memory");
    op->d = s;
    op->done = done;
    op->ud = ud;
    op->next = s->ops;
    if (s->ops)
        s->ops->prev = op;
    s->ops = op;
    vp_timer_init(&op->timer, op_fire, op);
    vp_timer_start(s->clock, &op->timer, 0, 0);
    return 0;
}

/* ====== libvirt callbacks ====== */

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                        void *opaque)
{
    lv_host *h = opaque;
    const char *kind = "unknown";
    if (event >= 0 && event < LV_N_EVENTS) {
        h->events[event]++;
        kind = lv_event_names[event];
    }
    if (h->d->event_cb)
        h->d->event_cb(h->d->event_ud, h->id, virDomainGetName(dom), kind);
    return 0;
}

static void host_dropped(lv_host *h, const char *why);

/* The connection dropped.  Runs inside libvirt: no libvirt calls here
 * when on the loop thread either (the retry comes from a timer).  A
 * worker's call may notice the drop: then the loop marks the host down
 * after the wake-up (the pool is only touched on the loop thread). */
static void on_close(virConnectPtr conn, int reason, void *opaque)
{
    lv_host *h = opaque;
    lv_driver *s = h->d;
    static const char *const why[] = {"connection error", "end of file", "keepalive timeout",
                                      "closed by client"};
    if (pthread_equal(pthread_self(), s->loop_thread)) {
        host_dropped(h, reason >= 0 && reason < 4 ? why[reason] : "connection closed");
        return;
    }
    pthread_mutex_lock(&s->mu);
    h->down_pending = true;
    ev_async_send(s->loop, &s->wake);
    pthread_mutex_unlock(&s->mu);
}

/* ====== hosts ====== */

static void prev_clear(lv_host *h)
{
    lv_prev *p, *tmp;
    HASH_ITER(hh, h->prev, p, tmp) {
        HASH_DEL(h->prev, p);
        free(p->name);
        free(p);
    }
}

/* Drops h's connection and its callbacks (errors of a dead connection
 * are ignored). */
static void conn_release(lv_host *h)
{
    if (h->lifecycle_id >= 0)
        virConnectDomainEventDeregisterAny(h->conn, h->lifecycle_id);
    if (h->close_cb)
        virConnectUnregisterCloseCallback(h->conn, on_close);
    if (h->conn)
        virConnectClose(h->conn);
    virResetLastError();
    h->conn = NULL;
    h->lifecycle_id = -1;
    h->close_cb = false;
}

static void host_free(lv_host *h)
{
    vp_timer_stop(&h->retry);
    if (h->connecting) /* waits for virConnectOpen to give up */
        pthread_join(h->opener, NULL);
    if (h->opened)
        virConnectClose(h->opened);
    prev_clear(h);
    conn_release(h);
    free(h->uri);
    free(h);
}

/* Registers the lifecycle and close callbacks of a fresh connection. */
static int host_watch(lv_host *h, vp_err *err)
{
    h->lifecycle_id = virConnectDomainEventRegisterAny(
        h->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
        h, NULL);
    if (h->lifecycle_id < 0)
        return lv_fail(err, "cannot register for lifecycle events");
    if (virConnectRegisterCloseCallback(h->conn, on_close, h, NULL) < 0)
        return lv_fail(err, "cannot register a close callback");
    h->close_cb = true;
    return 0;
}

/* ====== reconnecting ====== */

static void host_notify(lv_host *h, bool up, const char *why)
{
    if (h->d->host_cb)
        h->d->host_cb(h->d->host_ud, h->id, up, why);
}

/* Marks h down in the pool (its VMs stay there as they were) and starts
 * the reconnect attempts; a host already down is left as it is. */
static void host_dropped(lv_host *h, const char *why)
{
    lv_driver *s = h->d;
    const vp_host *ph = vp_pool_host(s->pool, h->id);
    if (h->down || !ph)
        return;
    h->down = true;
    h->failed = 0;
    h->backoff = s->retry_min;
    h->state_before = ph->state == VP_HOST_DOWN ? VP_HOST_UP : ph->state;
    vp_pool_set_host_state(s->pool, h->id, VP_HOST_DOWN, NULL);
    vp_timer_start(s->clock, &h->retry, h->backoff, 0);
    char text[160];
    snprintf(text, sizeof text, "%s; reconnecting in %g s", why, h->backoff);
    host_notify(h, false, text);
}

/* The attempt failed: the next one after twice the delay (at most
 * retry_max). */
static void retry_later(lv_host *h)
{
    lv_driver *s = h->d;
    h->failed++;
    h->backoff = h->backoff * 2 > s->retry_max ? s->retry_max : h->backoff * 2;
    vp_timer_start(s->clock, &h->retry, h->backoff, 0);
}

/* The new connection works: swap it in and bring the host back. */
static void host_back(lv_host *h, virConnectPtr conn)
{
    lv_driver *s = h->d;
    conn_release(h);
    h->conn = conn;
    prev_clear(h);
    vp_err err = {0};
    if (host_watch(h, &err)) { /* cannot watch it: try again later */
        conn_release(h);
        return retry_later(h);
    }
    h->down = false;
    vp_pool_set_host_state(s->pool, h->id, h->state_before, NULL);
    char text[96];
    snprintf(text, sizeof text, "reconnected after %u failed attempt%s", h->failed,
             h->failed == 1 ? "" : "s");
    host_notify(h, true, text);
}

/* The opener thread: virConnectOpen can take as long as a TCP timeout
 * when the host is unreachable, so it does not run on the loop.  Reads
 * only h->uri (fixed while the host is open). */
static void *open_worker(void *arg)
{
    lv_host *h = arg;
    virConnectPtr conn = virConnectOpen(h->uri);
    if (!conn)
        virResetLastError(); /* this thread's error */
    pthread_mutex_lock(&h->d->mu);
    h->opened = conn;
    h->open_done = true;
    ev_async_send(h->d->loop, &h->d->wake);
    pthread_mutex_unlock(&h->d->mu);
    return NULL;
}

/* One reconnect attempt: starts the opener; on_wake finishes it. */
static void retry_fire(vp_clock *clock, vp_timer *timer, void *ud)
{
    lv_host *h = ud;
    if (h->connecting)
        return;
    if (pthread_create(&h->opener, NULL, open_worker, h))
        return retry_later(h);
    h->connecting = true;
}

/* On the loop, once the opener finished: joins it and brings the host
 * back, or schedules the next attempt. */
static void open_finish(lv_host *h)
{
    pthread_join(h->opener, NULL);
    h->connecting = false;
    pthread_mutex_lock(&h->d->mu);
    virConnectPtr conn = h->opened;
    h->opened = NULL;
    pthread_mutex_unlock(&h->d->mu);
    if (conn)
        host_back(h, conn);
    else
        retry_later(h);
}

static int lv_open_host(vp_driver *d, vp_id host, const char *uri, vp_err *err)
{
    lv_driver *s = as_lv(d);
    if (!vp_pool_host(s->pool, host))
        return vp_err_set(err, "no host with id %u", host);
    if (!uri || !*uri)
        return vp_err_set(err, "host %u: the libvirt driver needs a URI", host);
    if (host_get(s, host))
        return vp_err_set(err, "host %u is already open", host);
    lv_host *h = calloc(1, sizeof *h);
    if (!h || grow_hosts(s, host))
        return free(h), vp_err_set(err, "out of memory");
    *h = (lv_host){.d = s, .id = host, .lifecycle_id = -1, .uri = strdup(uri)};
    vp_timer_init(&h->retry, retry_fire, h);
    if (!h->uri)
        return free(h), vp_err_set(err, "out of memory");
    h->conn = virConnectOpen(uri);
    if (!h->conn) {
        free(h->uri);
        free(h);
        return lv_fail(err, uri);
    }
    if (host_watch(h, err)) {
        host_free(h);
        return vp_err_prefix(err, "%s: ", uri);
    }
    s->hosts[host] = h;
    return 0;
}

static void lv_close_host(vp_driver *d, vp_id host)
{
    lv_driver *s = as_lv(d);
    lv_host *h = host_get(s, host);
    if (!h)
        return;
    s->hosts[host] = NULL;
    host_free(h);
}

/* ====== inventory ====== */

static int report_domain(virDomainPtr dom, vp_driver_vm_cb cb, void *ud, vp_err *err)
{
    virDomainInfo info;
    if (virDomainGetInfo(dom, &info) < 0)
        return lv_fail(err, virDomainGetName(dom));
    vp_driver_vm_info vm = {
        .name = virDomainGetName(dom),
        .size = vp_res_make(info.nrVirtCpu, info.maxMem / 1024.0, 0, 0),
        .memory_now = info.memory / 1024.0,
        .running = virDomainIsActive(dom) == 1,
    };
    cb(ud, &vm);
    return 0;
}

static int lv_list_vms(vp_driver *d, vp_id host, vp_driver_vm_cb cb, void *ud, vp_err *err)
{
    lv_host *h = open_host_of(as_lv(d), host, err);
    if (!h)
        return -1;
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(h->conn, &doms, 0);
    if (n < 0)
        return lv_fail(err, "cannot list domains");
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0)
            rc = report_domain(doms[i], cb, ud, err);
        virDomainFree(doms[i]);
    }
    free(doms);
    return rc;
}

/* ====== sampling ====== */

/* The entry for name, created (with no history) if missing. */
static lv_prev *prev_of(lv_host *h, const char *name)
{
    lv_prev *p = NULL;
    HASH_FIND_STR(h->prev, name, p);
    if (p)
        return p;
    p = calloc(1, sizeof *p);
    if (!p || !(p->name = strdup(name)))
        return free(p), NULL;
    HASH_ADD_KEYPTR(hh, h->prev, p->name, strlen(p->name), p);
    return p;
}

/* Forgets the domains not seen in the current round. */
static void prev_prune(lv_host *h)
{
    lv_prev *p, *tmp;
    HASH_ITER(hh, h->prev, p, tmp) {
        if (p->round != h->round) {
            HASH_DEL(h->prev, p);
            free(p->name);
            free(p);
        }
    }
}

/* cpu utilization (0..1) of one domain since its last sample; 0 on the
 * first sample or when the hypervisor gives no cpu.time.  The test
 * driver gives no cpu.time at all, so its VMs always show 0 cpu demand. */
static double cpu_util(lv_host *h, virDomainStatsRecordPtr rec, double vcpus)
{
    unsigned long long cpu;
    if (virTypedParamsGetULLong(rec->params, rec->nparams, "cpu.time", &cpu) != 1)
        return 0;
    lv_prev *p = prev_of(h, virDomainGetName(rec->dom));
    if (!p)
        return 0;
    uint64_t now = wall_ns();
    double u = 0;
    if (p->round != 0 && now > p->wall_ns && cpu >= p->cpu_ns && vcpus > 0)
        u = (double)(cpu - p->cpu_ns) / ((double)(now - p->wall_ns) * vcpus);
    p->cpu_ns = cpu;
    p->wall_ns = now;
    p->round = h->round;
    return u > 1 ? 1 : u;
}

/* Demand of the pool VM v from its stats record. */
static vp_res demand_of(lv_host *h, const vp_vm *v, virDomainStatsRecordPtr rec)
{
    vp_res r = v->size;
    unsigned int vcpus = 0;
    unsigned long long balloon_kib = 0;
    if (virTypedParamsGetUInt(rec->params, rec->nparams, "vcpu.current", &vcpus) != 1)
        vcpus = (unsigned)ceil(v->size.v[VP_CPU]);
    r.v[VP_CPU] = cpu_util(h, rec, vcpus) * v->size.v[VP_CPU];
    if (virTypedParamsGetULLong(rec->params, rec->nparams, "balloon.current", &balloon_kib) == 1)
        r.v[VP_MEM] = balloon_kib / 1024.0;
    return r;
}

/* Is the domain called name migrating to or from host? */
static bool migrating_here(const lv_driver *s, vp_id host, const char *name)
{
    for (const lv_mig *m = s->migs; m; m = m->next) {
        const vp_vm *v = vp_pool_vm(s->pool, m->vm);
        if (v && (m->dst == host || v->host == host) && strcmp(v->name, name) == 0)
            return true;
    }
    return false;
}

static bool host_migrating(const lv_driver *s, vp_id host)
{
    for (const lv_mig *m = s->migs; m; m = m->next) {
        const vp_vm *v = vp_pool_vm(s->pool, m->vm);
        if (m->dst == host || (v && v->host == host))
            return true;
    }
    return false;
}

/* Stats of the domains of h sampled last round that do not migrate now:
 * asking QEMU for a migrating domain's stats (even NOWAIT) blocked for
 * seconds and slowed the migration several times on the lab, and
 * listing the host's domains blocks while libvirt holds the migrating
 * one (about 1 s), so the domains are looked up by name.  A domain
 * started during the migration is sampled once it is over. */
static int stats_but_migrating(lv_host *h, unsigned stats, virDomainStatsRecordPtr **recs)
{
    virDomainPtr *doms = calloc(HASH_COUNT(h->prev) + 1, sizeof *doms);
    size_t k = 0;
    lv_prev *p, *tmp;
    if (!doms)
        return -1;
    HASH_ITER(hh, h->prev, p, tmp) {
        if (!migrating_here(h->d, h->id, p->name) &&
            (doms[k] = virDomainLookupByName(h->conn, p->name)))
            k++;
    }
    virResetLastError(); /* a domain gone since: not sampled */
    int rc = k == 0 ? 0 : virDomainListGetStats(doms, stats, recs,
                                                VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
    for (size_t i = 0; i < k; i++)
        virDomainFree(doms[i]);
    free(doms);
    return rc;
}

static int lv_sample(vp_driver *d, vp_id host, vp_driver_sample_cb cb, void *ud, vp_err *err)
{
    lv_driver *s = as_lv(d);
    lv_host *h = open_host_of(s, host, err);
    if (!h)
        return -1;
    virDomainStatsRecordPtr *recs = NULL;
    unsigned stats = VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON;
    /* NOWAIT: a domain busy with another job reports what it can at once */
    int n = host_migrating(s, host)
                ? stats_but_migrating(h, stats, &recs)
                : virConnectGetAllDomainStats(h->conn, stats, &recs,
                                              VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE |
                                                  VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
    if (n < 0)
        return lv_fail(err, "cannot get domain stats");
    h->round++;
    for (int i = 0; i < n; i++) {
        const char *name = virDomainGetName(recs[i]->dom);
        const vp_vm *v = vp_pool_vm(s->pool, vp_pool_find_vm(s->pool, name));
        if (v)
            cb(ud, v->id, demand_of(h, v, recs[i]));
    }
    virDomainStatsRecordListFree(recs);
    prev_prune(h);
    return 0;
}

/* ====== create and destroy ====== */

char *vp_libvirt_domain_xml(const char *name, vp_res size, const char *domain_type)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    double cpu = ceil(size.v[VP_CPU]), mem = ceil(size.v[VP_MEM]);
    fputs("<domain type='", f);
    vp_xml_escape(f, domain_type);
    fputs("'>\n  <name>", f);
    vp_xml_escape(f, name);
    fprintf(f, "</name>\n  <memory unit='MiB'>%.0f</memory>\n  <vcpu>%.0f</vcpu>\n"
               "  <os><type>hvm</type></os>\n</domain>\n",
            mem < 1 ? 1 : mem, cpu < 1 ? 1 : cpu);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* libvirt's domain type for a connection: "test" on the test driver,
 * "kvm" elsewhere (QEMU/KVM hosts are the target). */
static const char *domain_type_of(virConnectPtr conn)
{
    const char *t = virConnectGetType(conn);
    return t && strcasecmp(t, "test") == 0 ? "test" : "kvm";
}

/* The domain XML of v on h: its VM type's template, else the minimal
 * domain.  NULL when out of memory. */
static char *xml_of(const lv_host *h, const vp_vm *v)
{
    const lv_driver *s = h->d;
    const char *dt = domain_type_of(h->conn);
    if (v->type < 0 || (size_t)v->type >= s->n_types || !s->types[v->type].domain_xml_text)
        return vp_libvirt_domain_xml(v->name, v->size, dt);
    char uuid[37];
    vp_tmpl_uuid(uuid);
    vp_tmpl_vars vars = {v->name, uuid, dt, v->size};
    return vp_tmpl_render(s->types[v->type].domain_xml_text, &vars);
}

/* Defines and starts v on h; undefines it again if it does not start. */
static int define_and_start(lv_host *h, const vp_vm *v, vp_err *err)
{
    char *xml = xml_of(h, v);
    if (!xml)
        return vp_err_set(err, "out of memory");
    virDomainPtr dom = virDomainDefineXML(h->conn, xml);
    free(xml);
    if (!dom)
        return lv_fail(err, v->name);
    int rc = 0;
    if (virDomainCreate(dom) < 0) {
        rc = lv_fail(err, v->name);
        virDomainUndefine(dom);
    }
    virDomainFree(dom);
    return rc;
}

static int lv_create(vp_driver *d, vp_id vm, vp_id host, vp_driver_done_cb done, void *ud,
                     vp_err *err)
{
    lv_driver *s = as_lv(d);
    const vp_vm *v = vm_of(s, vm, err);
    lv_host *h = v ? open_host_of(s, host, err) : NULL;
    if (!h)
        return -1;
    if (!done)
        return vp_err_set(err, "no done callback");
    if (define_and_start(h, v, err))
        return -1;
    return op_later(s, done, ud, err);
}

/* The domain called name on the VM's own host first, then on any open
 * host; NULL if no open host has it. */
static virDomainPtr find_domain(lv_driver *s, const vp_vm *v)
{
    lv_host *own = host_get(s, v->host);
    virDomainPtr dom = own ? virDomainLookupByName(own->conn, v->name) : NULL;
    for (size_t i = 0; !dom && i < s->n_hosts; i++)
        if (s->hosts[i] && s->hosts[i] != own)
            dom = virDomainLookupByName(s->hosts[i]->conn, v->name);
    virResetLastError();
    return dom;
}

static int lv_destroy(vp_driver *d, vp_id vm, vp_driver_done_cb done, void *ud, vp_err *err)
{
    lv_driver *s = as_lv(d);
    const vp_vm *v = vm_of(s, vm, err);
    if (!v)
        return -1;
    if (!done)
        return vp_err_set(err, "no done callback");
    virDomainPtr dom = find_domain(s, v);
    if (!dom && v->state == VP_VM_PENDING) /* never created: nothing to do */
        return op_later(s, done, ud, err);
    if (!dom)
        return vp_err_set(err, "VM '%s' is not defined on any open host", v->name);
    int rc = 0;
    if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0)
        rc = lv_fail(err, v->name);
    if (rc == 0 && virDomainUndefine(dom) < 0)
        rc = lv_fail(err, v->name);
    virDomainFree(dom);
    return rc ? rc : op_later(s, done, ud, err);
}

/* ====== live migration ====== */

/* The worker: runs the migration, then queues m for the loop and wakes
 * it.  Touches only m's own fields and, under the mutex, the queue. */
static void *mig_worker(void *arg)
{
    lv_mig *m = arg;
    lv_driver *s = m->d;
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    int rc = 0;
    if (m->bandwidth_mib > 0) /* 0: no parameter, libvirt's default */
        rc = virTypedParamsAddULLong(&params, &n, &max, VIR_MIGRATE_PARAM_BANDWIDTH,
                                     m->bandwidth_mib);
    if (rc == 0)
        rc = virDomainMigrateToURI3(m->dom, m->dst_uri, params, (unsigned)n, LV_MIG_FLAGS);
    if (rc < 0) {
        const char *msg = virGetLastErrorMessage(); /* this thread's error */
        m->error = strdup(msg ? msg : "unknown libvirt error");
        virResetLastError();
    }
    m->status = rc < 0 ? -1 : 0;
    virTypedParamsFree(params, n);
    pthread_mutex_lock(&s->mu);
    m->qnext = s->finished;
    s->finished = m;
    ev_async_send(s->loop, &s->wake);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void mig_unlink(lv_driver *s, lv_mig *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        s->migs = m->next;
    if (m->next)
        m->next->prev = m->prev;
}

/* Frees a migration whose worker was joined. */
static void mig_free(lv_mig *m)
{
    vp_timer_stop(&m->timeout);
    if (m->dom)
        virDomainFree(m->dom);
    free(m->dst_uri);
    free(m->error);
    free(m);
}

/* The completion timeout: asks libvirt to abort the job; the worker then
 * returns with libvirt's error and reports as usual. */
static void mig_expired(vp_clock *clock, vp_timer *timer, void *ud)
{
    lv_mig *m = ud;
    m->timed_out = true;
    if (virDomainAbortJob(m->dom) < 0)
        virResetLastError(); /* the job may have just ended */
}

/* One field of a job's stats, in `unit`s of its value; -1 if absent. */
static double job_field(virTypedParameterPtr p, int n, const char *name, double unit)
{
    unsigned long long v;
    return virTypedParamsGetULLong(p, n, name, &v) == 1 ? (double)v / unit : -1;
}

/* libvirt's stats of the completed migration of m, read from the
 * domain on its destination (kept there for others to read too); every
 * field -1 if they cannot be read. */
static vp_driver_mig_stats mig_stats_of(lv_driver *s, const lv_mig *m)
{
    vp_driver_mig_stats st = {-1, -1, -1};
    const vp_vm *v = vp_pool_vm(s->pool, m->vm);
    lv_host *h = host_get(s, m->dst);
    virDomainPtr dom = v && h ? virDomainLookupByName(h->conn, v->name) : NULL;
    virTypedParameterPtr p = NULL;
    int type, n = 0;
    if (dom && virDomainGetJobStats(dom, &type, &p, &n,
                                    VIR_DOMAIN_JOB_STATS_COMPLETED |
                                        VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) == 0) {
        st.job_s = job_field(p, n, VIR_DOMAIN_JOB_TIME_ELAPSED, 1e3);
        st.downtime_s = job_field(p, n, VIR_DOMAIN_JOB_DOWNTIME, 1e3);
        st.data_mib = job_field(p, n, VIR_DOMAIN_JOB_DATA_PROCESSED, 1024.0 * 1024.0);
        virTypedParamsFree(p, n);
    }
    if (dom)
        virDomainFree(dom);
    virResetLastError();
    return st;
}

/* Reports one finished migration: joins its worker, unlinks it and calls
 * done() with libvirt's message on failure (on success its job stats
 * can be read during done() through migration_stats). */
static void mig_report(lv_driver *s, lv_mig *m)
{
    pthread_join(m->thread, NULL);
    mig_unlink(s, m);
    vp_driver_done_cb done = m->done;
    void *done_ud = m->ud;
    int status = m->status;
    char buf[1024];
    const char *msg = m->error ? m->error : "unknown libvirt error";
    if (status < 0 && m->timed_out)
        snprintf(buf, sizeof buf, "timed out after %g s and aborted: %s", m->timeout_s, msg);
    else if (status < 0 && m->aborted)
        snprintf(buf, sizeof buf, "aborted on request: %s", msg);
    else
        snprintf(buf, sizeof buf, "%s", msg);
    if (status == 0)
        s->report_stats = mig_stats_of(s, m);
    s->reporting = status == 0 ? m->vm : VP_NONE;
    mig_free(m);
    done(done_ud, status, status < 0 ? buf : NULL);
    s->reporting = VP_NONE;
}

/* virDomainAbortJob on the loop thread (a quick call); the worker then
 * returns with libvirt's error and reports as usual. */
static int lv_abort_migration(vp_driver *d, vp_id vm)
{
    lv_driver *s = as_lv(d);
    for (lv_mig *m = s ? s->migs : NULL; m; m = m->next) {
        if (m->vm == vm) {
            m->aborted = true;
            if (virDomainAbortJob(m->dom) < 0)
                virResetLastError(); /* the job may have just ended */
            return 0;
        }
    }
    return -1;
}

/* The job stats of vm's running migration, on the source domain (libvirt
 * answers job queries while the migration job runs). */
static int lv_migration_progress(vp_driver *d, vp_id vm, vp_driver_mig_progress *out)
{
    lv_driver *s = as_lv(d);
    const double mib = 1024.0 * 1024.0;
    for (lv_mig *m = s ? s->migs : NULL; m; m = m->next) {
        virTypedParameterPtr p = NULL;
        int type, n = 0;
        if (m->vm != vm)
            continue;
        if (virDomainGetJobStats(m->dom, &type, &p, &n, 0) < 0 || type == VIR_DOMAIN_JOB_NONE) {
            virTypedParamsFree(p, n);
            virResetLastError();
            return -1;
        }
        *out = (vp_driver_mig_progress){job_field(p, n, VIR_DOMAIN_JOB_TIME_ELAPSED, 1e3),
                                        job_field(p, n, VIR_DOMAIN_JOB_DATA_PROCESSED, mib),
                                        job_field(p, n, VIR_DOMAIN_JOB_DATA_REMAINING, mib),
                                        job_field(p, n, VIR_DOMAIN_JOB_DATA_TOTAL, mib)};
        virTypedParamsFree(p, n);
        return 0;
    }
    return -1;
}

static int lv_migration_stats(vp_driver *d, vp_id vm, vp_driver_mig_stats *out)
{
    lv_driver *s = as_lv(d);
    if (!s || vm == VP_NONE || s->reporting != vm)
        return -1;
    *out = s->report_stats;
    return 0;
}

/* The wake-up: reports every finished migration (oldest first) and marks
 * down the hosts whose connection closed off the loop thread. */
#define LV_WAKE_MAX 64 /* hosts handled per wake-up; the rest on the next */

/* Under d->mu: the hosts closed off the loop and those whose opener
 * finished, their flags cleared. */
static void take_host_flags(lv_driver *s, lv_host **dropped, size_t *nd, lv_host **opened,
                            size_t *no)
{
    *nd = *no = 0;
    for (size_t i = 0; i < s->n_hosts; i++) {
        lv_host *h = s->hosts[i];
        if (h && h->down_pending && *nd < LV_WAKE_MAX) {
            h->down_pending = false;
            dropped[(*nd)++] = h;
        }
        if (h && h->open_done && *no < LV_WAKE_MAX) {
            h->open_done = false;
            opened[(*no)++] = h;
        }
    }
    if (*nd == LV_WAKE_MAX || *no == LV_WAKE_MAX)
        ev_async_send(s->loop, &s->wake); /* there may be more */
}

/* The wake-up: marks down the hosts whose connection closed off the loop
 * thread, finishes reconnect attempts, and reports every finished
 * migration (oldest first). */
static void on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
    lv_driver *s = w->data;
    lv_host *dropped[LV_WAKE_MAX], *opened[LV_WAKE_MAX];
    size_t nd, no;
    pthread_mutex_lock(&s->mu);
    lv_mig *q = s->finished, *fifo = NULL;
    s->finished = NULL;
    take_host_flags(s, dropped, &nd, opened, &no);
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < nd; i++)
        host_dropped(dropped[i], "connection closed");
    for (size_t i = 0; i < no; i++)
        open_finish(opened[i]);
    while (q) {
        lv_mig *m = q;
        q = m->qnext;
        m->qnext = fifo;
        fifo = m;
    }
    while (fifo) {
        lv_mig *m = fifo;
        fifo = m->qnext;
        mig_report(s, m);
    }
}

/* Aborts every migration in flight, joins the workers and frees them
 * without calling done(). */
static void migs_drop(lv_driver *s)
{
    for (lv_mig *m = s->migs; m; m = m->next)
        if (virDomainAbortJob(m->dom) < 0)
            virResetLastError();
    while (s->migs) {
        lv_mig *m = s->migs;
        pthread_join(m->thread, NULL);
        mig_unlink(s, m);
        mig_free(m);
    }
    pthread_mutex_lock(&s->mu);
    s->finished = NULL; /* all were on migs, now freed */
    pthread_mutex_unlock(&s->mu);
}

static bool host_usable(const lv_driver *s, vp_id host)
{
    const vp_host *h = vp_pool_host(s->pool, host);
    return host_get(s, host) && !host_get(s, host)->down && h && h->state != VP_HOST_DOWN;
}

/* Checks a migration request; returns the running domain on the source
 * host, or NULL with err set. */
static virDomainPtr mig_check(lv_driver *s, const vp_vm *v, vp_id dst, vp_err *err)
{
    if (!host_usable(s, v->host))
        return vp_err_set(err, "VM '%s' is not on an open host", v->name), NULL;
    if (!host_usable(s, dst))
        return vp_err_set(err, "host %u is not open on the libvirt driver", dst), NULL;
    if (dst == v->host)
        return vp_err_set(err, "VM '%s' is already on host %u", v->name, dst), NULL;
    for (const lv_mig *m = s->migs; m; m = m->next)
        if (m->vm == v->id)
            return vp_err_set(err, "VM '%s' is already migrating", v->name), NULL;
    virDomainPtr dom = virDomainLookupByName(s->hosts[v->host]->conn, v->name);
    if (!dom)
        return lv_fail(err, v->name), NULL;
    if (virDomainIsActive(dom) != 1) {
        virResetLastError();
        virDomainFree(dom);
        return vp_err_set(err, "VM '%s' is not running on its host", v->name), NULL;
    }
    return dom;
}

/* Validates on the loop thread, then starts a worker for the migration
 * itself and, if set, the completion timeout. */
static int lv_migrate(vp_driver *d, vp_id vm, vp_id dst, vp_driver_done_cb done, void *ud,
                      vp_err *err)
{
    lv_driver *s = as_lv(d);
    const vp_vm *v = vm_of(s, vm, err);
    if (!v)
        return -1;
    if (!done)
        return vp_err_set(err, "no done callback");
    virDomainPtr dom = mig_check(s, v, dst, err);
    if (!dom)
        return -1;
    lv_mig *m = calloc(1, sizeof *m);
    char *uri = strdup(s->hosts[dst]->uri);
    if (!m || !uri) {
        free(m);
        free(uri);
        virDomainFree(dom);
        return vp_err_set(err, "out of memory");
    }
    *m = (lv_mig){.d = s, .vm = vm, .dst = dst, .dom = dom, .dst_uri = uri,
                  .bandwidth_mib = s->bandwidth_mib, .timeout_s = s->timeout_s,
                  .done = done, .ud = ud};
    vp_timer_init(&m->timeout, mig_expired, m);
    if (pthread_create(&m->thread, NULL, mig_worker, m)) {
        mig_free(m);
        return vp_err_set(err, "cannot start a migration thread");
    }
    m->next = s->migs; /* the worker reports through the loop: no race */
    if (s->migs)
        s->migs->prev = m;
    s->migs = m;
    if (m->timeout_s > 0)
        vp_timer_start(s->clock, &m->timeout, m->timeout_s, 0);
    return 0;
}

/* ====== resize ====== */

/* Sets dom's vCPUs and memory (MiB) with one of libvirt's AFFECT flags. */
static int set_size_as(virDomainPtr dom, unsigned vcpus, unsigned long mem_mib,
                       unsigned flag, vp_err *err)
{
    if (virDomainSetVcpusFlags(dom, vcpus, flag) < 0)
        return lv_fail(err, "cannot set the vCPUs");
    if (virDomainSetMemoryFlags(dom, mem_mib * 1024, flag) < 0)
        return lv_fail(err, "cannot set the memory");
    return 0;
}

/* Sets dom's vCPUs and memory on the running domain, then in its
 * persistent config (one call per flag: the test driver refuses both at
 * once), so a refused live change leaves the config alone; libvirt's
 * message on failure (e.g. more than the domain's maximum). */
static int set_size(virDomainPtr dom, unsigned vcpus, unsigned long mem_mib, vp_err *err)
{
    if (virDomainIsActive(dom) == 1 &&
        set_size_as(dom, vcpus, mem_mib, VIR_DOMAIN_AFFECT_LIVE, err))
        return -1;
    if (virDomainIsPersistent(dom) == 1 &&
        set_size_as(dom, vcpus, mem_mib, VIR_DOMAIN_AFFECT_CONFIG, err))
        return -1;
    return 0;
}

/* Resizes vm (wherever an open host has it) to size: vCPUs = ceil(cpu),
 * memory = ceil(MiB), both at least 1, on the live domain and its
 * config; done(0) on the next loop iteration.  The pool's size of the
 * VM is the caller's to change. */
static int lv_resize(vp_driver *d, vp_id vm, vp_res size, vp_driver_done_cb done, void *ud,
                     vp_err *err)
{
    lv_driver *s = as_lv(d);
    const vp_vm *v = vm_of(s, vm, err);
    if (!v)
        return -1;
    if (!done)
        return vp_err_set(err, "no done callback");
    double cpu = ceil(size.v[VP_CPU]), mem = ceil(size.v[VP_MEM]);
    if (!(cpu >= 1 && cpu < 65536 && mem >= 1 && mem < 1e12))
        return vp_err_set(err, "VM '%s': cannot resize to %g vCPUs, %g MiB", v->name, cpu, mem);
    virDomainPtr dom = find_domain(s, v);
    if (!dom)
        return vp_err_set(err, "VM '%s' is not defined on any open host", v->name);
    int rc = set_size(dom, (unsigned)cpu, (unsigned long)mem, err);
    virDomainFree(dom);
    if (rc)
        return vp_err_prefix(err, "VM '%s': ", v->name);
    return op_later(s, done, ud, err);
}

/* ====== the vtable ====== */

/* Closes every host and drops the operations in flight (their done()
 * is not called): running migrations are aborted and their workers
 * joined (this waits for libvirt to give up the migration).  Removed
 * libvirt watches are freed on a later loop iteration, or by
 * vp_virt_events_flush(). */
static void lv_free(vp_driver *d)
{
    lv_driver *s = as_lv(d);
    if (!s)
        return;
    migs_drop(s);
    while (s->ops) {
        lv_op *op = s->ops;
        s->ops = op->next;
        vp_timer_stop(&op->timer);
        free(op);
    }
    for (size_t i = 0; i < s->n_hosts; i++)
        if (s->hosts[i])
            host_free(s->hosts[i]);
    free(s->hosts);
    ev_ref(s->loop);
    ev_async_stop(s->loop, &s->wake);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static const vp_driver_ops lv_ops = {
    .name = "libvirt",
    .open_host = lv_open_host,
    .close_host = lv_close_host,
    .list_vms = lv_list_vms,
    .sample = lv_sample,
    .create = lv_create,
    .destroy = lv_destroy,
    .migrate = lv_migrate,
    .resize = lv_resize,
    .migration_stats = lv_migration_stats,
    .migration_progress = lv_migration_progress,
    .abort_migration = lv_abort_migration,
    .free = lv_free,
};

/* ====== public ====== */

vp_driver *vp_libvirt_driver_new(vp_pool *pool, vp_clock *clock, vp_err *err)
{
    if (!pool || !clock || vp_clock_is_sim(clock))
        return vp_err_set(err, "the libvirt driver needs a pool and a real-time clock"), NULL;
    if (vp_virt_events_register(vp_clock_loop(clock)))
        return vp_err_set(err, "cannot run libvirt's events on this loop "
                               "(another loop still has libvirt watches)"), NULL;
    virSetErrorFunc(NULL, quiet_errors);
    lv_driver *s = calloc(1, sizeof *s);
    if (!s)
        return vp_err_set(err, "out of memory"), NULL;
    s->base.ops = &lv_ops;
    s->pool = pool;
    s->clock = clock;
    s->loop = vp_clock_loop(clock);
    s->loop_thread = pthread_self();
    s->bandwidth_mib = VP_LIBVIRT_MIG_BANDWIDTH;
    s->timeout_s = VP_LIBVIRT_MIG_TIMEOUT;
    s->reporting = VP_NONE;
    s->retry_min = VP_LIBVIRT_RETRY_MIN;
    s->retry_max = VP_LIBVIRT_RETRY_MAX;
    if (pthread_mutex_init(&s->mu, NULL)) {
        free(s);
        return vp_err_set(err, "cannot create a mutex"), NULL;
    }
    ev_async_init(&s->wake, on_wake);
    s->wake.data = s;
    ev_async_start(s->loop, &s->wake);
    ev_unref(s->loop); /* the wake-up alone does not keep ev_run alive */
    return &s->base;
}

void vp_libvirt_set_templates(vp_driver *d, const vp_vm_type *types, size_t n)
{
    lv_driver *s = as_lv(d);
    if (s) {
        s->types = types;
        s->n_types = n;
    }
}

void vp_libvirt_set_migration(vp_driver *d, unsigned long long bandwidth_mib, double timeout_s)
{
    lv_driver *s = as_lv(d);
    if (!s)
        return;
    s->bandwidth_mib = bandwidth_mib;
    s->timeout_s = timeout_s > 0 ? timeout_s : 0;
}

unsigned vp_libvirt_migrations_active(const vp_driver *d)
{
    const lv_driver *s = as_lv(d);
    unsigned n = 0;
    for (const lv_mig *m = s ? s->migs : NULL; m; m = m->next)
        n++;
    return n;
}

void vp_libvirt_set_event_cb(vp_driver *d, vp_libvirt_event_cb cb, void *ud)
{
    lv_driver *s = as_lv(d);
    if (!s)
        return;
    s->event_cb = cb;
    s->event_ud = ud;
}

int vp_libvirt_host_capacity(vp_driver *d, vp_id host, vp_res *res, vp_err *err)
{
    lv_driver *s = as_lv(d);
    lv_host *h = s ? open_host_of(s, host, err) : NULL;
    if (!s)
        return vp_err_set(err, "not a libvirt driver");
    if (!h)
        return -1;
    virNodeInfo info;
    if (virNodeGetInfo(h->conn, &info) < 0)
        return lv_fail(err, "cannot read the node's info");
    *res = vp_res_make(info.cpus, info.memory / 1024.0, 0, 0);
    return 0;
}

/* The domain called name on an open host, or NULL with err. */
static virDomainPtr lookup(vp_driver *d, vp_id host, const char *name, vp_err *err)
{
    lv_driver *s = as_lv(d);
    lv_host *h = s ? open_host_of(s, host, err) : NULL;
    if (!s)
        vp_err_set(err, "not a libvirt driver");
    virDomainPtr dom = h ? virDomainLookupByName(h->conn, name) : NULL;
    if (h && !dom)
        lv_fail(err, name);
    return dom;
}

char *vp_libvirt_domain_desc(vp_driver *d, vp_id host, const char *name, vp_err *err)
{
    virDomainPtr dom = lookup(d, host, name, err);
    char *xml = dom ? virDomainGetXMLDesc(dom, 0) : NULL;
    if (dom && !xml)
        lv_fail(err, name);
    if (dom)
        virDomainFree(dom);
    return xml;
}

int vp_libvirt_domain_info(vp_driver *d, vp_id host, const char *name, vp_driver_vm_info *out,
                           vp_err *err)
{
    virDomainPtr dom = lookup(d, host, name, err);
    if (!dom)
        return -1;
    virDomainInfo info;
    int rc = virDomainGetInfo(dom, &info) < 0 ? lv_fail(err, name) : 0;
    if (rc == 0)
        *out = (vp_driver_vm_info){
            .name = name,
            .size = vp_res_make(info.nrVirtCpu, info.maxMem / 1024.0, 0, 0),
            .memory_now = info.memory / 1024.0,
            .running = virDomainIsActive(dom) == 1,
        };
    virDomainFree(dom);
    return rc;
}

unsigned vp_libvirt_event_count(const vp_driver *d, vp_id host, const char *event)
{
    const lv_host *h = host_get(as_lv(d), host);
    for (int i = 0; h && event && i < LV_N_EVENTS; i++)
        if (strcmp(event, lv_event_names[i]) == 0)
            return h->events[i];
    return 0;
}

void vp_libvirt_set_reconnect(vp_driver *d, double min_s, double max_s)
{
    lv_driver *s = as_lv(d);
    if (!s || !(min_s > 0))
        return;
    s->retry_min = min_s;
    s->retry_max = max_s > min_s ? max_s : min_s;
}

void vp_libvirt_set_host_cb(vp_driver *d, vp_libvirt_host_cb cb, void *ud)
{
    lv_driver *s = as_lv(d);
    if (!s)
        return;
    s->host_cb = cb;
    s->host_ud = ud;
}

int vp_libvirt_host_link(const vp_driver *d, vp_id host, vp_libvirt_link *out)
{
    const lv_host *h = host_get(as_lv(d), host);
    if (!h)
        return -1;
    *out = (vp_libvirt_link){.up = !h->down, .failed = h->failed,
                             .next_delay = h->down ? h->backoff : 0};
    return 0;
}

void vp_libvirt_drop_host(vp_driver *d, vp_id host, const char *why)
{
    lv_host *h = host_get(as_lv(d), host);
    if (h)
        host_dropped(h, why ? why : "dropped on request");
}
