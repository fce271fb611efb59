/*
 * cloudsim.c - the CloudSim 3.0.3 host model and the experiment's metrics.
 *
 * Provides: see cloudsim.h.
 * Uses: pool.h, trace.h, power.h, array.h, libm.
 *
 * Floating-point operations follow CloudSim's order where a result is
 * compared exactly (allocated < requested, u == 0), so that the figures
 * match to many digits, not only on average.  Host and VM state histories
 * are not stored: each keeps its pending entry (which an entry at the same
 * time replaces) and folds it into the sums when a later one arrives.
 *
 * A large update runs in two parts, the hosts below an id on the caller's
 * thread and the rest on a worker (worker.h): a host's update touches only
 * that host, its resident VMs and its bits of the busy set, and the sums
 * the second part would add to are logged and added after the first's, in
 * host order, so that the figures do not depend on the threads.
 */
#include "cloudsim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stdatomic.h>

#include "array.h"
#include "power.h"
#include "worker.h"

#define IN_SHARE 0.1   /* what a VM migrating in costs its destination */
#define OUT_SHARE 0.9  /* what a VM migrating away still gets */

/* One state-history entry (host: flag = active; VM: flag = migrating);
 * prev: the flag of the last entry folded before it. */
typedef struct entry {
    double t, alloc, req;
    bool flag, set, prev;
} entry;

/* Running sums of a sequence of samples (mean and sample stdev). */
typedef struct stat {
    double n, sum, sumsq;
} stat;

typedef struct cs_host {
    double util_mips;   /* utilizationMips of the last update */
    entry cur;          /* pending state-history entry (prev: CloudSim starts at true) */
    double switched_on; /* time of the last inactive -> active entry */
    uint32_t phantoms;  /* phantom VMs coming in */
} cs_host;

/* A VM as the model keeps it: one cache line, as an update of its host
 * reads and writes all of it (cur.req: its request at that update). */
typedef struct cs_vm {
    entry cur;
    double mig_started;
    double tot_alloc, tot_req, under_mig; /* cpu-seconds */
} cs_vm;

_Static_assert(sizeof(cs_vm) == 64, "a model VM is one cache line");

#define ROW_NONE UINT32_MAX /* in rows: the VM has no trace row */
#define PARALLEL_MIN 1024   /* hosts to update that make an update run in two parts */

typedef struct phantom {
    vp_id vm, host;
} phantom;

/* The VMs of one host at one update, in CloudSim's vmList order:
 * residents, then VMs migrating in, then phantoms. */
typedef struct slot {
    vp_vm *vm;
    double req, capped, alloc;
    int kind; /* 0 normal, 1 migrating away, 2 migrating in */
} slot;

/* The run's sums that the histories fold into. */
typedef struct sums {
    double sla_time, active_time; /* SLATAH */
    double avg_sum, avg_n;        /* average SLA violation */
    stat shutdown, migtime;
} sums;

/* A value a fold or a host's update adds to a sum (ADD_ENERGY: x is the
 * host's utilization mips before the update; the energy is computed when
 * it is added). */
typedef enum { ADD_ACTIVE, ADD_SLA, ADD_AVG, ADD_SHUTDOWN, ADD_MIGTIME, ADD_ENERGY } add_kind;

typedef struct addend {
    double x;
    vp_id host;
    add_kind kind;
} addend;

/* Which hosts an update looks at (DEFERRED: vp_csm_defer_host's). */
typedef enum { EVERY, BUSY, CHANGED, DEFERRED } which;

/* One thread's share of an update: the hosts [from, to) it looks at, its
 * scratch, and where it adds: into sums and energy directly (the caller's
 * part, first in host order), or with sums NULL into log (caplog entries
 * reserved beforehand: the worker never allocates for it), which the
 * caller adds after its own, in order. */
typedef struct part {
    struct vp_csm *m;
    sums *sums;
    double energy;
    addend *log;
    size_t nlog, caplog;
    slot *slots;
    size_t capslots;
    vp_id *idle; /* the idle VMs found (running, request 0) */
    size_t nidle, capidle;
    vp_id from, to;
    which which;
    bool find_idle;     /* collect the idle VMs */
    double t, dt;
    vp_trace_pos pos;
} part;

/* A set of host ids: a bit per id and, while they are fewer than
 * PARALLEL_MIN, the ids themselves, so that updating or clearing a small
 * set does not walk every word. */
typedef struct hset {
    uint64_t *bits;
    size_t words;
    vp_id *ids; /* PARALLEL_MIN of them */
    size_t n;
    bool unlisted; /* more ids than the list holds (or no list): only the bits */
} hset;

struct vp_csm {
    vp_pool *pool;
    const vp_trace *trace;
    double trace_start;
    vp_csm_row_fn row_of;
    const void *row_ud;
    bool npa;
    cs_host *hosts;
    size_t nhosts;
    cs_vm *vms;         /* 64-byte aligned */
    size_t nvms;
    _Atomic uint32_t *rows; /* by VM: its trace row + 1, 0 until asked, or ROW_NONE
                             * (either part may fill a VM's: relaxed atomics) */
    size_t nrows;
    phantom *ph;
    size_t nph, capph;
    uint32_t *vm_ph;    /* by VM: how many of ph are its */
    size_t nvm_ph;
    part own, other;    /* the caller's part of an update and the worker's */
    vp_worker *worker;  /* NULL until the first large update */
    int threads;        /* vp_csm_set_threads */
    bool serial;        /* no worker: one CPU (threads 0), or it could not start */
    double last_t;
    double energy_ws;
    uint64_t migrations, phantoms_total, removed;
    uint64_t *busy; /* bit per host id: may not be idle (see stays_idle) */
    size_t nbusy;   /* words */
    hset changed;  /* hosts whose VMs changed since the last update */
    hset deferred; /* hosts to update at last_t (vp_csm_defer_host) */
    sums s;
    vp_power_curves curves; /* of the hosts' power tables */
};

/* ====== helpers ====== */

static void stat_add(stat *s, double x)
{
    s->n += 1;
    s->sum += x;
    s->sumsq += x * x;
}

static double stat_mean(const stat *s) { return s->n > 0 ? s->sum / s->n : 0; }

static double stat_sd(const stat *s)
{
    if (s->n < 2)
        return 0;
    double v = (s->sumsq - s->sum * s->sum / s->n) / (s->n - 1);
    return v > 0 ? sqrt(v) : 0;
}

/* Sets host's bit in a host bit set of `words` words (nothing past it). */
static void set_bit(uint64_t *bits, size_t words, vp_id host)
{
    if (host / 64 < words)
        bits[host / 64] |= (uint64_t)1 << (host % 64);
}

static void mark_busy(vp_csm *m, vp_id host) { set_bit(m->busy, m->nbusy, host); }

static void hset_add(hset *s, vp_id host)
{
    if (host / 64 >= s->words || (s->bits[host / 64] >> (host % 64) & 1))
        return;
    set_bit(s->bits, s->words, host);
    if (s->ids && s->n < PARALLEL_MIN)
        s->ids[s->n++] = host;
    else
        s->unlisted = true;
}

static bool hset_any(const hset *s) { return s->n || s->unlisted; }

static void hset_clear(hset *s)
{
    if (s->unlisted)
        memset(s->bits, 0, s->words * sizeof *s->bits);
    else
        for (size_t i = 0; i < s->n; i++)
            s->bits[s->ids[i] / 64] &= ~((uint64_t)1 << (s->ids[i] % 64));
    s->n = 0;
    s->unlisted = false;
}

/* The set's bits to `words` words, new ones zeroed, and its list. */
static int hset_grow(hset *s, size_t words)
{
    if (!s->ids && !(s->ids = malloc(PARALLEL_MIN * sizeof *s->ids)))
        return -1;
    return vp_array_reserve_zeroed((void **)&s->bits, &s->words, words, sizeof *s->bits);
}

static void hset_free(hset *s)
{
    free(s->bits);
    free(s->ids);
}

/* A host whose VMs changed may no longer be idle, and needs an update. */
static void on_change(void *ud, vp_id host)
{
    vp_csm *m = ud;
    mark_busy(m, host);
    hset_add(&m->changed, host);
}

/* m->vms to nv entries at least, new ones zeroed, cache-line aligned. */
static int grow_vms(vp_csm *m, size_t nv)
{
    if (nv <= m->nvms)
        return 0;
    size_t cap = nv > 2 * m->nvms ? nv : 2 * m->nvms;
    cs_vm *p = aligned_alloc(64, cap * sizeof *p);
    if (!p)
        return -1;
    if (m->nvms)
        memcpy(p, m->vms, m->nvms * sizeof *p);
    memset(p + m->nvms, 0, (cap - m->nvms) * sizeof *p);
    free(m->vms);
    m->vms = p;
    m->nvms = cap;
    return 0;
}

/* Makes hosts/vms cover every id of the pool (new entries zeroed). */
static int grow(vp_csm *m)
{
    size_t oh = m->nhosts, ob = m->nbusy;
    size_t nh = vp_pool_host_end(m->pool), nv = vp_pool_vm_end(m->pool);
    if ((nh > oh && vp_array_reserve((void **)&m->hosts, &m->nhosts, nh, sizeof *m->hosts)) ||
        grow_vms(m, nv) ||
        vp_array_reserve_zeroed((void **)&m->rows, &m->nrows, nv, sizeof *m->rows) ||
        vp_array_reserve_zeroed((void **)&m->vm_ph, &m->nvm_ph, nv, sizeof *m->vm_ph) ||
        (m->nhosts > 64 * ob &&
         vp_array_reserve((void **)&m->busy, &m->nbusy, (m->nhosts + 63) / 64, sizeof *m->busy)) ||
        hset_grow(&m->changed, m->nbusy) || hset_grow(&m->deferred, m->nbusy))
        return -1;
    for (size_t i = ob; i < m->nbusy; i++) /* new hosts: updated until found idle */
        m->busy[i] = ~(uint64_t)0;
    for (size_t i = oh; i < m->nhosts; i++)
        m->hosts[i] = (cs_host){.cur.prev = true};
    return 0;
}

/* Where t falls in the trace. */
static vp_trace_pos trace_pos(const vp_csm *m, double t)
{
    return vp_trace_at(m->trace, t - m->trace_start);
}

/* The VM's request at trace position p: trace utilization x cpu size. */
static double request(const vp_csm *m, const vp_vm *v, vp_trace_pos p)
{
    uint32_t row = atomic_load_explicit(&m->rows[v->id], memory_order_relaxed);
    if (!row) {
        size_t r = m->row_of(m->row_ud, v->id);
        row = r < ROW_NONE - 1 ? (uint32_t)r + 1 : ROW_NONE;
        atomic_store_explicit(&m->rows[v->id], row, memory_order_relaxed);
    }
    if (row == ROW_NONE)
        return 0;
    return vp_trace_util_at(m->trace, row - 1, p) * v->size.v[VP_CPU];
}

/* HostDynamicWorkload.getUtilizationOfCpu: values just above 1 are 1. */
static double host_u(const vp_host *h, double mips)
{
    double u = h->capacity.v[VP_CPU] > 0 ? mips / h->capacity.v[VP_CPU] : 0;
    return u > 1 && u < 1.01 ? 1 : u;
}

/* ====== state histories ====== */

static void add(part *p, add_kind k, double x, vp_id host);

static void host_fold(part *p, cs_host *h, double next_t)
{
    const entry *e = &h->cur;
    if (next_t >= 0 && e->flag) {
        add(p, ADD_ACTIVE, next_t - e->t, 0);
        if (e->alloc < e->req)
            add(p, ADD_SLA, next_t - e->t, 0);
    }
    if (e->prev && !e->flag)
        add(p, ADD_SHUTDOWN, e->t - h->switched_on, 0);
    if (!e->prev && e->flag)
        h->switched_on = e->t;
    h->cur.prev = e->flag;
}

static void host_entry(part *p, cs_host *h, entry e)
{
    if (h->cur.set && h->cur.t != e.t)
        host_fold(p, h, e.t);
    e.prev = h->cur.prev;
    h->cur = e;
}

static void vm_fold(part *p, cs_vm *v, double next_t)
{
    const entry *e = &v->cur;
    if (next_t >= 0) {
        double dt = next_t - e->t;
        v->tot_alloc += e->alloc * dt;
        v->tot_req += e->req * dt;
        if (e->alloc < e->req) {
            add(p, ADD_AVG, (e->req - e->alloc) / e->req, 0);
            if (e->flag)
                v->under_mig += (e->req - e->alloc) * dt;
        }
    }
    if (e->prev && !e->flag)
        add(p, ADD_MIGTIME, e->t - v->mig_started, 0);
    if (!e->prev && e->flag)
        v->mig_started = e->t;
    v->cur.prev = e->flag;
}

static void vm_entry(part *p, cs_vm *v, entry e)
{
    if (v->cur.set && v->cur.t != e.t)
        vm_fold(p, v, e.t);
    e.prev = v->cur.prev;
    v->cur = e;
}

/* ====== one host's update (HostDynamicWorkload.updateVmsProcessing) ====== */

/* The host's vmList at this update into p->slots; returns the count
 * (0 when the slots cannot grow). */
static size_t collect(part *p, const vp_host *h)
{
    const vp_csm *m = p->m;
    const cs_host *ch = &m->hosts[h->id];
    size_t n = 0, most = (size_t)h->vms.n + h->incoming.n + ch->phantoms;
    if (vp_array_reserve((void **)&p->slots, &p->capslots, most, sizeof *p->slots))
        return 0;
    slot *sl = p->slots;
    for (uint32_t i = 0; i < h->vms.n; i++) { /* the lines update_host reads next, all at once */
        vp_vm *v = vp_pool_vm(m->pool, h->vms.ids[i]);
        __builtin_prefetch(&m->vms[v->id]);
        __builtin_prefetch(&v->allocated, 1);
        sl[n++] = (slot){.vm = v, .kind = v->state == VP_VM_MIGRATING ? 1 : 0};
    }
    for (uint32_t i = 0; i < h->incoming.n; i++)
        sl[n++] = (slot){.vm = vp_pool_vm(m->pool, h->incoming.ids[i]), .kind = 2};
    for (size_t i = 0; ch->phantoms && i < m->nph && n < most; i++)
        if (m->ph[i].host == h->id)
            sl[n++] = (slot){.vm = vp_pool_vm(m->pool, m->ph[i].vm), .kind = 2};
    return n;
}

/* What the model grants: cpu as it shares it, the rest as demanded. */
static vp_res with_cpu(vp_res demand, double cpu)
{
    demand.v[VP_CPU] = cpu;
    return demand;
}

/* VmSchedulerTimeSharedOverSubscription: allocate one by one; once the
 * capacity is exceeded, everything is scaled down and floored. */
static void share(slot *s, size_t n, double total)
{
    double avail = total;
    bool over = false;
    for (size_t i = 0; i < n && !over; i++) {
        double tr = s[i].kind == 2 ? s[i].capped * IN_SHARE : s[i].capped;
        if (avail >= tr) {
            s[i].alloc = s[i].kind == 1 ? s[i].capped * OUT_SHARE
                       : s[i].kind == 2 ? s[i].capped * IN_SHARE : s[i].capped;
            avail -= tr;
        } else {
            over = true;
        }
    }
    if (!over)
        return;
    double need = 0;
    for (size_t i = 0; i < n; i++)
        need += s[i].kind == 2 ? s[i].capped * IN_SHARE : s[i].capped;
    double f = total / need;
    for (size_t i = 0; i < n; i++)
        s[i].alloc = s[i].kind == 1 ? floor(s[i].capped * f * OUT_SHARE)
                   : s[i].kind == 2 ? floor(s[i].capped * IN_SHARE * f)
                                    : floor(s[i].capped * f);
}

/* The host at p's time; returns how many slots (p->slots) it had. */
static size_t update_host(part *p, vp_host *h)
{
    vp_csm *m = p->m;
    double t = p->t;
    size_t n = collect(p, h);
    double total = h->capacity.v[VP_CPU], pe = total / (h->cores > 0 ? h->cores : 1);
    for (size_t i = 0; i < n; i++) {
        slot *s = &p->slots[i];
        s->req = request(m, s->vm, p->pos);
        s->capped = s->req > pe ? pe : s->req;
    }
    share(p->slots, n, total);
    double util = 0, req = 0;
    for (size_t i = 0; i < n; i++) {
        const slot *s = &p->slots[i];
        if (s->kind != 2) {
            vm_entry(p, &m->vms[s->vm->id], (entry){t, s->alloc, s->req, s->kind == 1, true, false});
            vp_pool_set_allocated(m->pool, s->vm->id, with_cpu(s->vm->demand, s->alloc));
        }
        util += s->kind == 1 ? s->alloc / OUT_SHARE : s->alloc;
        req += s->req;
    }
    cs_host *ch = &m->hosts[h->id];
    ch->util_mips = util;
    host_entry(p, ch, (entry){t, util, req, util > 0, true, false});
    vp_pool_set_host_allocated(m->pool, h->id, with_cpu(h->demand, util));
    return n;
}

/* The running VMs among the first n slots whose request is 0, onto
 * p->idle. */
static void add_idle(part *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const slot *s = &p->slots[i];
        if (s->kind == 0 && s->req == 0 && s->vm->state == VP_VM_RUNNING &&
            vp_array_reserve((void **)&p->idle, &p->capidle, p->nidle + 1, sizeof *p->idle) == 0)
            p->idle[p->nidle++] = s->vm->id;
    }
}

static int by_id(const void *a, const void *b)
{
    vp_id x = *(const vp_id *)a, y = *(const vp_id *)b;
    return (x > y) - (x < y);
}

/* ====== public ====== */

vp_csm *vp_csm_new(vp_pool *pool, const vp_trace *trace, double trace_start,
                   vp_csm_row_fn row_of, const void *row_ud, bool non_power_aware)
{
    vp_csm *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    *m = (vp_csm){.pool = pool, .trace = trace, .trace_start = trace_start, .row_of = row_of,
                  .row_ud = row_ud, .npa = non_power_aware, .last_t = trace_start};
    m->own = (part){.m = m, .sums = &m->s};
    m->other = (part){.m = m};
    if (grow(m))
        return vp_csm_free(m), NULL;
    vp_pool_on_change(pool, on_change, m);
    return m;
}

void vp_csm_free(vp_csm *m)
{
    if (!m)
        return;
    vp_worker_free(m->worker);
    free(m->hosts);
    free(m->vms);
    free((void *)m->rows);
    free(m->ph);
    free(m->vm_ph);
    const part *parts[2] = {&m->own, &m->other};
    for (int i = 0; i < 2; i++) {
        free(parts[i]->slots);
        free(parts[i]->idle);
        free(parts[i]->log);
    }
    free(m->busy);
    hset_free(&m->changed);
    hset_free(&m->deferred);
    vp_pool_on_change(m->pool, NULL, NULL);
    free(m);
}

static double host_energy(vp_csm *m, const vp_host *h, double prev_mips, double dt)
{
    if (!h->power)
        return 0;
    if (m->npa)
        return vp_power_by(&m->curves, h->power, 1.0) * dt;
    double from = host_u(h, prev_mips), to = host_u(h, m->hosts[h->id].util_mips);
    if (from == 0)
        return 0;
    double p0 = vp_power_by(&m->curves, h->power, from), p1 = vp_power_by(&m->curves, h->power, to);
    return (p0 + (p1 - p0) / 2) * dt;
}

/* An empty host that was idle and inactive at its last update: updating
 * it would only move its pending entry to t (an inactive entry folds to
 * nothing) and add 0 energy (from utilization 0), so that is all it gets.
 * Most hosts of a consolidated pool are such. */
static bool stays_idle(vp_csm *m, vp_host *h, double t)
{
    cs_host *ch = &m->hosts[h->id];
    if (m->npa || h->vms.n || h->incoming.n || ch->phantoms || ch->util_mips != 0 ||
        !ch->cur.set || ch->cur.flag || ch->cur.prev || ch->cur.alloc != 0 || ch->cur.req != 0)
        return false;
    ch->cur.t = t;
    vp_pool_set_host_allocated(m->pool, h->id, with_cpu(h->demand, 0));
    return true;
}

/* The host set w names (CHANGED, DEFERRED), else NULL. */
static hset *set_of(vp_csm *m, which w)
{
    return w == CHANGED ? &m->changed : w == DEFERRED ? &m->deferred : NULL;
}

/* The bits of the hosts w names (BUSY and EVERY: the busy set's). */
static const uint64_t *bits_of(vp_csm *m, which w)
{
    const hset *s = set_of(m, w);
    return s ? s->bits : m->busy;
}

/* The first host from `from` on that update() looks at; the end if none. */
static vp_id next_host(vp_csm *m, vp_id from, which w_, vp_id end)
{
    if (w_ == EVERY)
        return from;
    const uint64_t *bits = bits_of(m, w_);
    for (; from < end; from = (from / 64 + 1) * 64) { /* a word of bits at a time */
        uint64_t w = bits[from / 64] >> (from % 64);
        if (w) {
            vp_id at = from + (vp_id)__builtin_ctzll(w);
            return at < end ? at : end;
        }
    }
    return end;
}

/* Starts fetching the VMs of host id, which update() will read soon. */
static void prefetch_vms_of(const vp_csm *m, vp_id id)
{
    const vp_host *h = vp_pool_host(m->pool, id);
    for (uint32_t k = 0; h && k < h->vms.n; k++) {
        vp_pool_prefetch_vm(m->pool, h->vms.ids[k]);
        __builtin_prefetch(&m->vms[h->vms.ids[k]]);
    }
}

/* a added to the sums and energy given (dt: the update's time step). */
static void apply(vp_csm *m, sums *s, double *energy, double dt, addend a)
{
    switch (a.kind) {
    case ADD_ACTIVE:
        s->active_time += a.x;
        break;
    case ADD_SLA:
        s->sla_time += a.x;
        break;
    case ADD_AVG:
        s->avg_sum += a.x;
        s->avg_n += 1;
        break;
    case ADD_SHUTDOWN:
        stat_add(&s->shutdown, a.x);
        break;
    case ADD_MIGTIME:
        stat_add(&s->migtime, a.x);
        break;
    case ADD_ENERGY:
        *energy += host_energy(m, vp_pool_host(m->pool, a.host), a.x, dt);
        break;
    }
}

static void add(part *p, add_kind k, double x, vp_id host)
{
    addend a = {x, host, k};
    if (p->sums)
        apply(p->m, p->sums, &p->energy, p->dt, a);
    else if (p->nlog < p->caplog)
        p->log[p->nlog++] = a;
}

/* Host i at p's time (one that may have become idle just marked so). */
static void update_one(part *p, vp_id i)
{
    vp_csm *m = p->m;
    uint64_t bit = (uint64_t)1 << (i % 64);
    vp_host *h = vp_pool_host(m->pool, i);
    if (!h || stays_idle(m, h, p->t)) {
        m->busy[i / 64] &= ~bit;
        return;
    }
    m->busy[i / 64] |= bit;
    double prev = m->hosts[i].util_mips;
    size_t n = update_host(p, h);
    if (p->find_idle)
        add_idle(p, n);
    if (p->dt > 0)
        add(p, ADD_ENERGY, prev, i);
}

/* How far ahead of the host being updated run_part fetches: the VMs of
 * the host AHEAD_VMS places on (their ids are in its first lines, asked
 * for earlier), the first lines of the host AHEAD places on.  An update
 * takes less time than a fetch from memory: one host ahead is too late. */
#define AHEAD 4
#define AHEAD_VMS 2

/* Updates p's hosts (see part), in id order. */
static void run_part(void *arg)
{
    part *p = arg;
    vp_csm *m = p->m;
    vp_id q[AHEAD + 1]; /* q[0]: the host to update now, q[k]: k places on */
    q[0] = next_host(m, p->from, p->which, p->to);
    for (int k = 1; k <= AHEAD; k++) {
        q[k] = q[k - 1] < p->to ? next_host(m, q[k - 1] + 1, p->which, p->to) : p->to;
        if (q[k] < p->to)
            vp_pool_prefetch_host(m->pool, q[k]);
    }
    for (int k = 1; k < AHEAD_VMS; k++)
        if (q[k] < p->to)
            prefetch_vms_of(m, q[k]);
    while (q[0] < p->to) {
        if (q[AHEAD] < p->to)
            vp_pool_prefetch_host(m->pool, q[AHEAD]);
        if (q[AHEAD_VMS] < p->to)
            prefetch_vms_of(m, q[AHEAD_VMS]);
        update_one(p, q[0]);
        memmove(q, q + 1, AHEAD * sizeof *q);
        if (q[AHEAD - 1] < p->to)
            q[AHEAD] = next_host(m, q[AHEAD - 1] + 1, p->which, p->to);
    }
}

/* The same for the hosts of a listed set: its list sorted. */
static void run_listed(part *p, hset *s)
{
    qsort(s->ids, s->n, sizeof *s->ids, by_id);
    for (size_t k = 0; k < s->n; k++) {
        if (k + 1 < s->n)
            prefetch_vms_of(p->m, s->ids[k + 1]);
        update_one(p, s->ids[k]);
    }
}

/* The bits set in x (SWAR: without the popcnt instruction the compiler
 * calls a slow library routine). */
static unsigned bits_set(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555u;
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (unsigned)((x * 0x0101010101010101u) >> 56);
}

/* The set w names if it lists its hosts, else NULL. */
static hset *listed(vp_csm *m, which w)
{
    hset *s = set_of(m, w);
    return s && !s->unlisted ? s : NULL;
}

/* Where an update of the hosts below end splits (a multiple of 64, so that
 * the parts share no word of the busy set): about half the hosts that may
 * need work (the busy ones; for CHANGED and DEFERRED, those) on each side.
 * end, for one part: a small update, one CPU, no worker, or no room for
 * the second part's log (which can hold every addend: two per VM, four
 * per host). */
static vp_id split(vp_csm *m, which w, vp_id end)
{
    const uint64_t *bits = bits_of(m, w);
    size_t words = ((size_t)end + 63) / 64, total = 0, half = 0, k = 0;
    for (size_t i = 0; i < words; i++)
        total += (size_t)bits_set(bits[i]);
    if (total < PARALLEL_MIN || m->serial || m->threads == 1)
        return end;
    if (!m->worker && ((m->threads == 0 && vp_worker_cpus() < 2) || !(m->worker = vp_worker_new()))) {
        m->serial = true;
        return end;
    }
    size_t need = 2 * (size_t)vp_pool_vm_end(m->pool) + 4 * (size_t)end;
    if (vp_array_reserve((void **)&m->other.log, &m->other.caplog, need, sizeof(addend)))
        return end;
    while (k < words && half < total / 2)
        half += (size_t)bits_set(bits[k++]);
    return k * 64 < end ? (vp_id)(k * 64) : end;
}

/* The second part's sums and idle VMs after the first's, in order. */
static void merge(vp_csm *m, double *energy)
{
    part *o = &m->other, *p = &m->own;
    for (size_t i = 0; i < o->nlog; i++)
        apply(m, &m->s, energy, o->dt, o->log[i]);
    if (o->nidle &&
        vp_array_reserve((void **)&p->idle, &p->capidle, p->nidle + o->nidle, sizeof *p->idle) == 0) {
        memcpy(p->idle + p->nidle, o->idle, o->nidle * sizeof *p->idle);
        p->nidle += o->nidle;
    }
}

/* The hosts that w names updated at t, in one part or two; their idle VMs
 * into m->own.idle when find_idle.  Returns the energy to add (0 when t is
 * the last update's time). */
static double run_update(vp_csm *m, double t, which w, bool find_idle)
{
    hset *set = listed(m, w); /* fewer than PARALLEL_MIN: one part */
    vp_id end = vp_pool_host_end(m->pool), mid = set ? end : split(m, w, end);
    part *p = &m->own, *o = &m->other;
    p->which = o->which = w;
    p->find_idle = o->find_idle = find_idle;
    p->t = o->t = t;
    p->dt = o->dt = t - m->last_t;
    p->pos = o->pos = trace_pos(m, t);
    p->energy = 0;
    p->nidle = o->nidle = o->nlog = 0;
    p->from = 0;
    p->to = o->from = mid;
    o->to = end;
    if (set) {
        run_listed(p, set);
        return p->energy;
    }
    vp_worker_both(m->worker, run_part, p, mid < end ? o : NULL);
    double e = p->energy;
    if (mid < end)
        merge(m, &e);
    return e;
}

/* The deferred hosts updated at the last update's time, as
 * vp_csm_update_host would have updated each when it was deferred: at
 * that time every host whose entry could fold had one there already, so
 * none folds and the order of their updates changes no sum. */
static void flush(vp_csm *m)
{
    if (!hset_any(&m->deferred))
        return;
    (void)run_update(m, m->last_t, DEFERRED, false);
    hset_clear(&m->deferred);
}

/* Updates the hosts (all, those that may not be idle, or those changed)
 * at t, in id order; the idle VMs (running, request 0) on them into *idle,
 * in id order.  Every running VM is on a host with VMs, which is busy: it
 * was just updated. */
static size_t update(vp_csm *m, double t, which w, const vp_id **idle)
{
    (void)grow(m);
    flush(m);
    double e = run_update(m, t, w, true);
    part *p = &m->own;
    m->energy_ws += e;
    m->last_t = t;
    hset_clear(&m->changed);
    qsort(p->idle, p->nidle, sizeof *p->idle, by_id);
    m->removed += p->nidle;
    *idle = p->idle;
    return p->nidle;
}

void vp_csm_set_threads(vp_csm *m, int n)
{
    m->threads = n;
    m->serial = false;
}

size_t vp_csm_update_all(vp_csm *m, double t, const vp_id **idle)
{
    return update(m, t, EVERY, idle);
}

size_t vp_csm_update_busy(vp_csm *m, double t, const vp_id **idle)
{
    return update(m, t, BUSY, idle);
}

size_t vp_csm_update_changed(vp_csm *m, double t, const vp_id **idle)
{
    return update(m, t, t == m->last_t ? CHANGED : BUSY, idle);
}

void vp_csm_update_host(vp_csm *m, vp_id host, double t)
{
    vp_host *h = vp_pool_host(m->pool, host);
    flush(m);
    if (h && grow(m) == 0) {
        m->own.t = t;
        m->own.pos = trace_pos(m, t);
        update_host(&m->own, h);
        mark_busy(m, host);
    }
}

void vp_csm_defer_host(vp_csm *m, vp_id host, double t)
{
    if (t != m->last_t || grow(m) || host / 64 >= m->deferred.words) {
        vp_csm_update_host(m, host, t);
        return;
    }
    hset_add(&m->deferred, host);
    mark_busy(m, host);
}

void vp_csm_flush(vp_csm *m) { flush(m); }

int vp_csm_phantom(vp_csm *m, vp_id vm, vp_id host)
{
    flush(m);
    if (grow(m) || host >= m->nhosts || vm >= m->nvm_ph ||
        vp_array_reserve((void **)&m->ph, &m->capph, m->nph + 1, sizeof *m->ph))
        return -1;
    m->ph[m->nph++] = (phantom){vm, host};
    m->vm_ph[vm]++;
    on_change(m, host);
    m->hosts[host].phantoms++;
    m->phantoms_total++;
    m->migrations++;
    return 0;
}

void vp_csm_migration_ended(vp_csm *m, vp_id vm)
{
    flush(m);
    if (vm >= m->nvm_ph || !m->vm_ph[vm]) /* the usual case: no scan */
        return;
    m->vm_ph[vm] = 0;
    size_t k = 0;
    for (size_t i = 0; i < m->nph; i++) {
        if (m->ph[i].vm == vm) {
            m->hosts[m->ph[i].host].phantoms--;
            on_change(m, m->ph[i].host);
        } else {
            m->ph[k++] = m->ph[i];
        }
    }
    m->nph = k;
}

double vp_csm_last_update(const vp_csm *m) { return m->last_t; }

void vp_csm_count_migration(vp_csm *m) { m->migrations++; }

void vp_csm_metrics_get(const vp_csm *m, vp_csm_metrics *out)
{
    /* close the histories on a copy: the sums of the last entries' switch
     * transitions, not their (open) intervals */
    vp_csm c = *m;
    part p = {.m = &c, .sums = &c.s};
    double tot_alloc = 0, tot_req = 0, under = 0;
    for (size_t i = 0; i < c.nhosts; i++) {
        cs_host h = c.hosts[i];
        if (h.cur.set)
            host_fold(&p, &h, -1);
    }
    for (size_t i = 0; i < c.nvms; i++) {
        cs_vm v = c.vms[i];
        if (v.cur.set)
            vm_fold(&p, &v, -1);
        tot_alloc += v.tot_alloc;
        tot_req += v.tot_req;
        under += v.under_mig;
    }
    memset(out, 0, sizeof *out);
    out->energy_ws = c.energy_ws;
    out->migrations = c.migrations;
    out->phantoms = c.phantoms_total;
    out->slatah = c.s.active_time > 0 ? c.s.sla_time / c.s.active_time : 0;
    out->pdm = tot_req > 0 ? under / tot_req : 0;
    out->slav = out->slatah * out->pdm;
    out->overall_sla = tot_req > 0 ? (tot_req - tot_alloc) / tot_req : 0;
    out->average_sla = c.s.avg_n > 0 ? c.s.avg_sum / c.s.avg_n : 0;
    out->shutdowns = (uint64_t)c.s.shutdown.n;
    out->shutdown_time_mean = stat_mean(&c.s.shutdown);
    out->shutdown_time_sd = stat_sd(&c.s.shutdown);
    out->migration_time_mean = stat_mean(&c.s.migtime);
    out->migration_time_sd = stat_sd(&c.s.migtime);
    out->vms_removed = c.removed;
}
