/*
 * plan.c - the Plan class: a tentative copy of the pool's cpu accounting
 * that a policy changes while it plans moves, with a power-aware best-fit
 * search in C.
 *
 * Provides: lb_plan_class (lb.h); the module entry vmpilot.Plan(pool |
 * hosts) (a Pool: every host; a HostList or an array of Hosts: those).
 * Uses: Lua 5.4 (lauxlib), lb.h, pool.h, power.h.
 *
 * The accounting is CloudSim 3.0.3's VmSchedulerTimeSharedOverSubscription
 * (the consolidation experiment's, docs/simulate.md):
 *   a VM requests its sampled cpu demand (a pending VM, being created, its
 *   full cpu size); the scheduler holds, per VM, the request of its last
 *   allocation capped at one core (the demand once sampled, the full size
 *   for a VM placed but not sampled yet); a host's available cpu is its
 *   capacity minus those while they fit, else 0 (over-subscribed); its load
 *   is the sum of what its VMs are allocated (vm.allocated.cpu, or as the
 *   plan re-allocated them: capped requests, scaled down and floored when
 *   over-subscribed); its utilization "now" is host.allocated.cpu /
 *   capacity (just above 1 counts as 1).
 * Lua API (h: a Host of the plan, vm: a Vm):
 *   plan:vms(h [, "running"])  the VMs tentatively on h, in arrival
 *                        order (only those not migrating, with "running")
 *   plan:count(h)        how many
 *   plan:add(h, vm)      vm goes onto h (allocated its request)
 *   plan:create(h, vm)   pending vm placed on h, as the pool accounts it
 *                        until its first sample (its full cpu size held
 *                        and allocated, its demand requested)
 *   plan:remove(h, vm)   vm leaves h; the rest are allocated again
 *   plan:requested(h [, vm]), plan:load(h), plan:available(h),
 *   plan:capacity(h)     cpu (requested: with vm's request added)
 *   plan:loaded([t])     the hosts that are up and hold VMs, in id order
 *                        (with t: only those whose requested / capacity
 *                        is above t, THR's test)
 *   plan:request(vm)     the cpu vm requests
 *   plan:smallest(h, "memory" | "utilization")  the running VM on h with
 *                        the least of it (ties: the first to arrive)
 *   plan:history(h [, vm] [, length])  h's cpu utilization history made of
 *                        its VMs' (and vm's): CloudSim's host history, a
 *                        Series (series.c)
 *   plan:largest(h, resource [, vm])  the largest size among h's VMs
 *   plan:utilization(h)  at the last sample (fixed for the plan)
 *   plan:suitable(h, vm) a core, available cpu >= vm's request, and for a
 *                        VM being created its memory and network free
 *   plan:exclude(h, set), plan:excluded(h, set)   sets 1..8 of hosts
 *   plan:exclude_off(set...)  hosts not up or idle at the last sample
 *                        (utilization 0) go into every set given
 *   plan:best_fit_power(vm, {sets...} [, accept]) -> host, watts | nil
 *       in host-id order over the plan's hosts that are up, in none of
 *       the sets and suitable, the least P((load + request) / capacity) -
 *       P(utilization) (ties: the lower id); a host with load must also
 *       pass accept: a function accept(host, vm, u) (the caller's overload
 *       test, called only for a host that would win; u = (requested +
 *       request) / capacity) or a number t (a cpu
 *       threshold: (requested + request) / capacity <= t).
 *   plan:evacuate(h, {sets...} [, accept]) -> {{vm=, to=}, ...} | nil:
 *       every running VM of h, biggest request first, by best_fit_power
 *       (h stays as it is); all of them, or none when one has no host.
 *   plan:place_each({vms}, {sets...} [, accept]) -> {{vm=, to=}, ...}:
 *       the VMs biggest request first, each by best_fit_power; a VM with
 *       no host is left out.
 *   plan:first_fit(vm [, {sets...}]) -> the first suitable host in id
 *       order in none of the sets, or nil.
 *   plan:by_utilization({sets...}) -> the hosts with 0 < utilization < 1
 *       in none of the sets, least utilized first (ties: lower id).
 *   plan:least_utilized({sets...}) -> the first of those, or nil
 *       (CloudSim's getUnderUtilizedHost; a loop that excludes each host
 *       it gets walks the order once: sets only grow).
 * A Plan is valid for the call that made it, like every proxy.
 */
#include "lb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "power.h"
#include "power_scan.h"
#include "worker.h"

typedef struct plan_host {
    double cap, pe, avail, load, req, u_last, p_last, mem, net;
    const double *power;
    const vp_power_curve *curve; /* the plan's copy of power, or NULL */
    vp_id *vms;         /* in the plan's arena (its first list) or, once grown, its own */
    uint32_t n, capv;
    bool own;           /* vms is its own allocation */
    uint8_t excl;
    bool member, up;
    int32_t lc, lb, li; /* its place in the candidate index: lcl[lc].bin[lb].m[li], */
    int32_t bk;         /* or bucket bk */
    double *hist;     /* history of the VMs on it (hist_len samples), if hist_ok */
    int hist_len;
    bool hist_ok;
    uint8_t largest_ok; /* bit r: largest[r] is the largest size r of its VMs */
    double largest[4];
} plan_host;

typedef struct plan {
    lb_proxy p;            /* view and generation; id unused */
    size_t nh, nv;
    plan_host *h;          /* by host id */
    double *alloc, *sched; /* by VM id */
    double *reqv;          /* by VM id: what it requests in the plan */
    struct lclass *lcl;    /* index: the hosts that can take a VM and are not empty */
    int nlc, caplc;
    struct bucket *bk;     /* index: empty hosts by shape and exclusion sets */
    int nbk, capbk, nshapes;
    vp_id *shape_best;     /* per shape, scratch of candidates() */
    vp_power_curves curves; /* the host types' tables */
    vp_id *arena;          /* the hosts' first VM lists, one block (2 nv + 1 ids) */
    size_t arena_used;
    vp_id *arena2;         /* the same for the second part of a parallel plan_new, or NULL */
    vp_id *under;          /* least_utilized: member hosts with 0 < u < 1 by u, */
    size_t nunder, at;     /* n of them; the first not skipped for at_mask */
    uint8_t at_mask;
    struct floor_memo *memo; /* FLOOR_MEMO floors of classes and bins, or NULL (see below) */
    void *scratch;         /* candidate buffer of nh + 1 entries, while not busy */
    bool scratch_busy;     /* a search is using it (accept may search again) */
} plan;

#define toplan(L) ((plan *)lb_check_proxy(L, 1, LB_PLAN))

/* ====== memory (the state's allocator: it counts towards the ceiling) ====== */

static void *sr(lua_State *L, void *p, size_t osize, size_t nsize)
{
    void *ud;
    lua_Alloc f = lua_getallocf(L, &ud);
    void *q = f(ud, p, osize, nsize);
    if (!q && nsize)
        luaL_error(L, "out of memory");
    return q;
}

/* ====== power ====== */

/* P(u) by the plan's curve c of table t (or t itself past VP_POWER_CURVES);
 * with no table, u clamped to [0, 1].  Inline: the bounds of a search
 * evaluate it many times. */
static inline double power_by(const vp_power_curve *c, const double *t, double u)
{
    if (c)
        return vp_power_curve_at(c, u);
    if (t)
        return vp_power_at(t, u);
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

static double power(const plan_host *h, double u) { return power_by(h->curve, h->power, u); }

/* The lesser of two numbers that are not NaN (fmin is a call). */
static double least(double x, double y) { return x < y ? x : y; }

/* ====== the candidate index ======
 *
 * A search needs every host with VMs, but of the empty hosts only the
 * first suitable one of each shape (power table, capacity, core,
 * utilization at the last sample): the others offer the same power
 * difference at a higher id.  Most hosts of a consolidated pool are
 * empty, so the plan keeps the hosts that are up apart: the loaded ones
 * in classes (below) and the empty ones in buckets of one shape and one set of
 * exclusions, each a bit set of host ids (taking out the lowest, the
 * usual change, costs nothing).  Kept up to date wherever a host's VMs
 * or exclusions change (index_update).
 *
 * The loaded hosts are in classes of one power table, capacity and core
 * size, one tenth of utilization (seg = floor(10 load / cap)) and one set of
 * exclusions.  A host's power difference for a VM of request r is
 *   P((load + r) / cap) - p_last = [P(u + d) - P(u)] + off,
 * u = load / cap, d = r / cap, off = P(u) - p_last.  Over a tenth of u the
 * bracket is piecewise linear in u, so its least value is at the tenth's
 * ends or where u + d crosses a tenth (range_floor); a lower bound of its
 * members' offsets is kept per hundredth (below).  A search that needs only the
 * cheapest host (a threshold test) visits the classes by that bound and
 * stops at the first that cannot beat the best found: the same host as
 * visiting all of them.  Inside a class the members are kept by
 * hundredth of utilization, each bin with its own offset bound, and a
 * visit skips the bins that cannot beat the best either.  A bin keeps its
 * last scans' results (request, threshold, cheapest) until one of its
 * members changes: an evacuation's searches change one or two bins, and
 * requests repeat. */
#define BIN_SEEN 4 /* scans of a bin kept while it does not change */

typedef struct lclass {
    const double *power;
    const vp_power_curve *curve;
    double cap, pe;
    int seg;
    int fk;        /* floor key: the first class of this curve, capacity and tenth */
    uint8_t excl;
    uint32_t n;    /* members */
    double minoff; /* no more than any bin's minoff (exact after a visit) */
    struct lbin {  /* the members in each hundredth of the tenth */
        /* what a search reads of them, a column per field (one block of
         * capn entries each: a search reads every member of a bin it
         * visits, four at a time where it can) */
        double *load, *req, *avail, *p_last, *off;
        int32_t *id;
        uint32_t n, capn;
        uint32_t want; /* plan_new: members it will have */
        double minoff;
        uint32_t nseen; /* scans kept in seen (the newest at (nseen - 1) % BIN_SEEN) */
        struct bin_seen {
            double r, t;
            vp_scan_best best;
        } seen[BIN_SEEN];
    } bin[10];
} lclass;

#define BIN_ENTRY (5 * sizeof(double) + sizeof(int32_t)) /* bytes a member takes */

typedef struct bucket {
    const double *power;
    double cap, pe, u;
    uint8_t excl;
    int shape;
    uint64_t *bits; /* host ids in it, one bit each ((nh + 63) / 64 words) */
    uint32_t first; /* no id below it is in the bucket */
} bucket;

/* The floors a bounded search computes (range_floor) depend only on the
 * class's curve, capacity and tenth (not its exclusion sets: classes
 * alike but for those share a floor key, lclass.fk), the bin and the VM's
 * request, and a round asks for few requests (a trace's utilizations are
 * whole percents, replicated VMs share them): they are kept, per floor
 * key and request, in a direct-mapped table made at a plan's first
 * search. */
#define FLOOR_MEMO_BITS 13
#define FLOOR_MEMO (1u << FLOOR_MEMO_BITS) /* entries */

typedef struct floor_memo {
    double r;       /* the request */
    int32_t k;      /* the floor key, -1: empty */
    uint32_t have;  /* bit j < 10: f[j] is bin j's floor; bit 10: f[10] the class's */
    double f[11];
} floor_memo;

static size_t bucket_words(const plan *pl) { return (pl->nh + 63) / 64; }

static bool is_empty(const plan_host *h)
{
    return h->n == 0 && h->load == 0 && h->mem == 0 && h->net == 0;
}

static bool same_shape(const bucket *b, const plan_host *h)
{
    return b->power == h->power && b->cap == h->cap && b->pe == h->pe && b->u == h->u_last;
}

/* The bucket for h's shape and exclusions, made if missing. */
static int bucket_of(lua_State *L, plan *pl, const plan_host *h)
{
    int shape = -1;
    for (int i = 0; i < pl->nbk; i++) {
        if (!same_shape(&pl->bk[i], h))
            continue;
        if (pl->bk[i].excl == h->excl)
            return i;
        shape = pl->bk[i].shape;
    }
    if (pl->nbk == pl->capbk) {
        int cap = pl->capbk ? 2 * pl->capbk : 8;
        pl->bk = sr(L, pl->bk, (size_t)pl->capbk * sizeof *pl->bk, (size_t)cap * sizeof *pl->bk);
        pl->shape_best = sr(L, pl->shape_best, (size_t)pl->capbk * sizeof(vp_id),
                            (size_t)cap * sizeof(vp_id));
        pl->capbk = cap;
    }
    size_t words = bucket_words(pl);
    uint64_t *bits = sr(L, NULL, 0, words * sizeof *bits);
    memset(bits, 0, words * sizeof *bits);
    pl->bk[pl->nbk] = (bucket){h->power, h->cap, h->pe, h->u_last, h->excl,
                               shape >= 0 ? shape : pl->nshapes++, bits, (uint32_t)pl->nh};
    return pl->nbk++;
}

static void bucket_add(plan *pl, int k, vp_id id)
{
    bucket *b = &pl->bk[k];
    b->bits[id / 64] |= (uint64_t)1 << (id % 64);
    b->first = id < b->first ? id : b->first;
    pl->h[id].bk = k;
}

/* The first id in bucket b that is at least `from`, or VP_NONE. */
static vp_id bucket_next(const plan *pl, const bucket *b, vp_id from)
{
    size_t words = bucket_words(pl);
    for (size_t w = from / 64; w < words; w++) {
        uint64_t word = b->bits[w];
        if (w == from / 64)
            word &= ~(uint64_t)0 << (from % 64);
        if (word)
            return (vp_id)(w * 64 + (size_t)__builtin_ctzll(word));
    }
    return VP_NONE;
}

/* The tenth of utilization a loaded host is in (0..10). */
/* The hundredth of utilization a loaded host is in (0..100): its class
 * holds the tenth (f / 10), its bin the hundredth in it (f % 10). */
static int hundredth_of(const plan_host *h)
{
    double u = h->load / h->cap;
    if (!(u > 0))
        return 0;
    if (u >= 1)
        return 100;
    int f = (int)(u * 100);
    return f < 100 ? f : 99;
}

static bool in_class(const lclass *c, const plan_host *h, int seg)
{
    return c->power == h->power && c->cap == h->cap && c->pe == h->pe && c->seg == seg &&
           c->excl == h->excl;
}

/* The class for h (made if missing): its current one if it still fits. */
static int class_of(lua_State *L, plan *pl, const plan_host *h, int seg)
{
    if (h->lc >= 0 && in_class(&pl->lcl[h->lc], h, seg))
        return h->lc;
    for (int i = 0; i < pl->nlc; i++)
        if (in_class(&pl->lcl[i], h, seg))
            return i;
    if (pl->nlc == pl->caplc) {
        int cap = pl->caplc ? 2 * pl->caplc : 16;
        pl->lcl =
            sr(L, pl->lcl, (size_t)pl->caplc * sizeof *pl->lcl, (size_t)cap * sizeof *pl->lcl);
        pl->caplc = cap;
    }
    int fk = pl->nlc;
    for (int i = 0; i < pl->nlc && fk == pl->nlc; i++)
        if (pl->lcl[i].power == h->power && pl->lcl[i].cap == h->cap && pl->lcl[i].seg == seg)
            fk = pl->lcl[i].fk;
    pl->lcl[pl->nlc] = (lclass){.power = h->power, .curve = h->curve, .cap = h->cap, .pe = h->pe,
                                .seg = seg, .fk = fk, .excl = h->excl, .minoff = INFINITY};
    return pl->nlc++;
}

/* Points b's columns into block (capn entries each). */
static void bin_columns(struct lbin *b, char *block, uint32_t capn)
{
    double *d = (double *)block;
    b->load = d;
    b->req = d + capn;
    b->avail = d + 2 * (size_t)capn;
    b->p_last = d + 3 * (size_t)capn;
    b->off = d + 4 * (size_t)capn;
    b->id = (int32_t *)(d + 5 * (size_t)capn);
    b->capn = capn;
}

/* Room for at least `want` members in b (doubling, from 8). */
static void bin_grow(lua_State *L, struct lbin *b, uint32_t want)
{
    uint32_t cap = b->capn ? 2 * b->capn : 8;
    while (cap < want)
        cap *= 2;
    struct lbin old = *b;
    bin_columns(b, sr(L, NULL, 0, cap * BIN_ENTRY), cap);
    if (!old.capn)
        return;
    size_t n = old.n * sizeof(double);
    memcpy(b->load, old.load, n);
    memcpy(b->req, old.req, n);
    memcpy(b->avail, old.avail, n);
    memcpy(b->p_last, old.p_last, n);
    memcpy(b->off, old.off, n);
    memcpy(b->id, old.id, old.n * sizeof(int32_t));
    sr(L, old.load, old.capn * BIN_ENTRY, 0);
}

/* Member `to` of b becomes a copy of member `from`. */
static void bin_copy(struct lbin *b, uint32_t to, uint32_t from)
{
    b->load[to] = b->load[from];
    b->req[to] = b->req[from];
    b->avail[to] = b->avail[from];
    b->p_last[to] = b->p_last[from];
    b->off[to] = b->off[from];
    b->id[to] = b->id[from];
}

static vp_scan_cols bin_cols(const struct lbin *b)
{
    return (vp_scan_cols){b->load, b->req, b->avail, b->p_last, b->off, b->id};
}

static void class_add(lua_State *L, plan *pl, int k, int j, vp_id id)
{
    struct lbin *b = &pl->lcl[k].bin[j];
    if (b->n == b->capn)
        bin_grow(L, b, b->n + 1);
    if (!b->n)
        b->minoff = INFINITY;
    b->nseen = 0;
    pl->h[id].lc = k;
    pl->h[id].lb = j;
    pl->h[id].li = (int32_t)b->n;
    b->id[b->n++] = (int32_t)id;
    pl->lcl[k].n++;
}

/* Takes host id out of the index. */
static void index_drop(plan *pl, vp_id id)
{
    plan_host *h = &pl->h[id];
    if (h->lc >= 0) {
        struct lbin *b = &pl->lcl[h->lc].bin[h->lb];
        uint32_t last = --b->n;
        b->nseen = 0;
        bin_copy(b, (uint32_t)h->li, last);
        pl->h[b->id[last]].li = h->li;
        pl->lcl[h->lc].n--;
        h->lc = h->lb = h->li = -1;
    } else if (h->bk >= 0) {
        pl->bk[h->bk].bits[id / 64] &= ~((uint64_t)1 << (id % 64));
        h->bk = -1;
    }
}

/* Whether h is a loaded host the classes keep (up, with VMs, with
 * capacity: one with none is never a candidate); its class (made if
 * missing) and bin into *k, *j. */
static bool loaded_place(lua_State *L, plan *pl, const plan_host *h, int *k, int *j)
{
    if (!h->up || is_empty(h) || !(h->cap > 0))
        return false;
    int f = hundredth_of(h);
    *k = class_of(L, pl, h, f / 10);
    *j = f % 10;
    return true;
}

/* Puts host id (a member) where it belongs now, if it is up. */
static void index_update(lua_State *L, plan *pl, vp_id id)
{
    plan_host *h = &pl->h[id];
    bool empty = is_empty(h);
    int k, j;
    if (loaded_place(L, pl, h, &k, &j)) {
        if (k != h->lc || j != h->lb) {
            index_drop(pl, id);
            class_add(L, pl, k, j, id);
        }
        struct lbin *b = &pl->lcl[k].bin[j];
        double off = power(h, h->load / h->cap) - h->p_last;
        b->minoff = least(b->minoff, off);
        pl->lcl[k].minoff = least(pl->lcl[k].minoff, off);
        b->nseen = 0;
        uint32_t q = (uint32_t)h->li;
        b->load[q] = h->load;
        b->req[q] = h->req;
        b->avail[q] = h->avail;
        b->p_last[q] = h->p_last;
        b->off[q] = off;
        return;
    }
    if (h->bk >= 0 && empty && pl->bk[h->bk].excl == h->excl)
        return;
    index_drop(pl, id);
    if (h->up && empty)
        bucket_add(pl, bucket_of(L, pl, h), id);
}

static void index_free(lua_State *L, plan *pl)
{
    for (int i = 0; pl->bk && i < pl->nbk; i++)
        sr(L, pl->bk[i].bits, bucket_words(pl) * sizeof(uint64_t), 0);
    sr(L, pl->bk, (size_t)pl->capbk * sizeof *pl->bk, 0);
    sr(L, pl->shape_best, (size_t)pl->capbk * sizeof(vp_id), 0);
    for (int i = 0; pl->lcl && i < pl->nlc; i++)
        for (int j = 0; j < 10; j++)
            sr(L, pl->lcl[i].bin[j].load, pl->lcl[i].bin[j].capn * BIN_ENTRY, 0);
    sr(L, pl->lcl, (size_t)pl->caplc * sizeof *pl->lcl, 0);
    pl->bk = NULL;
    pl->shape_best = NULL;
    pl->lcl = NULL;
    pl->nbk = pl->capbk = pl->nlc = pl->caplc = 0;
}

static int plan_gc(lua_State *L)
{
    plan *pl = lua_touserdata(L, 1);
    for (size_t i = 0; pl->h && i < pl->nh; i++) {
        if (pl->h[i].own)
            sr(L, pl->h[i].vms, pl->h[i].capv * sizeof(vp_id), 0);
        if (pl->h[i].hist)
            sr(L, pl->h[i].hist, (size_t)pl->h[i].hist_len * sizeof(double), 0);
    }
    sr(L, pl->arena, pl->arena ? (2 * pl->nv + 1) * sizeof(vp_id) : 0, 0);
    sr(L, pl->arena2, pl->arena2 ? (2 * pl->nv + 1) * sizeof(vp_id) : 0, 0);
    sr(L, pl->scratch, pl->scratch ? (pl->nh + 1) * sizeof(double) * 2 : 0, 0);
    sr(L, pl->memo, pl->memo ? FLOOR_MEMO * sizeof *pl->memo : 0, 0);
    sr(L, pl->under, pl->under ? (pl->nh + 1) * sizeof(vp_id) : 0, 0);
    sr(L, pl->h, pl->h ? (pl->nh + 1) * sizeof *pl->h : 0, 0);
    sr(L, pl->alloc, pl->alloc ? (pl->nv + 1) * sizeof(double) : 0, 0);
    sr(L, pl->sched, pl->sched ? (pl->nv + 1) * sizeof(double) : 0, 0);
    sr(L, pl->reqv, pl->reqv ? (pl->nv + 1) * sizeof(double) : 0, 0);
    index_free(L, pl);
    pl->h = NULL;
    pl->scratch = NULL;
    pl->memo = NULL;
    pl->under = NULL;
    pl->arena = pl->arena2 = NULL;
    pl->alloc = pl->sched = pl->reqv = NULL;
    return 0;
}

/* ====== accounting ====== */

static double vm_request(const vp_vm *v)
{
    return v->state == VP_VM_PENDING ? v->size.v[VP_CPU] : v->demand.v[VP_CPU];
}

static double vm_sched(const vp_vm *v)
{
    return v->state == VP_VM_PENDING || v->cpu.n == 0 ? v->size.v[VP_CPU] : v->demand.v[VP_CPU];
}

static const vp_vm *vm_at(const plan *pl, vp_id id) { return vp_pool_vm(pl->p.view->pool, id); }

/* Available cpu, load and requested sum from the list, in list order. */
static void sums(plan *pl, plan_host *h)
{
    double avail = h->cap, load = 0, req = 0;
    bool over = false;
    for (uint32_t i = 0; i < h->n; i++) {
        vp_id v = h->vms[i];
        double c = fmin(pl->sched[v], h->pe);
        if (!over && avail >= c)
            avail -= c;
        else
            over = true;
        load += pl->alloc[v];
        req += pl->reqv[v];
    }
    h->avail = over ? 0 : avail;
    h->load = load;
    h->req = req;
    h->hist_ok = false; /* its VMs changed */
    h->largest_ok = 0;
}

/* Every VM of h allocated again, one by one (deallocatePesForVm). */
static void reallocate(plan *pl, plan_host *h)
{
    double avail = h->cap, need = 0;
    bool over = false;
    for (uint32_t i = 0; i < h->n && !over; i++) {
        double c = fmin(pl->sched[h->vms[i]], h->pe);
        if (avail >= c) {
            avail -= c;
            pl->alloc[h->vms[i]] = c;
        } else {
            over = true;
        }
    }
    for (uint32_t i = 0; over && i < h->n; i++)
        need += fmin(pl->sched[h->vms[i]], h->pe);
    for (uint32_t i = 0; over && i < h->n; i++)
        pl->alloc[h->vms[i]] = floor(fmin(pl->sched[h->vms[i]], h->pe) * (h->cap / need));
    sums(pl, h);
}

static void push_vm(lua_State *L, plan_host *h, vp_id v)
{
    if (h->n == h->capv) { /* grown: from the arena (or nothing) to its own */
        uint32_t cap = h->capv ? h->capv * 2 : 4;
        vp_id *own = sr(L, h->own ? h->vms : NULL, h->own ? h->capv * sizeof(vp_id) : 0,
                        cap * sizeof(vp_id));
        if (!h->own && h->n)
            memcpy(own, h->vms, h->n * sizeof(vp_id));
        h->vms = own;
        h->capv = cap;
        h->own = true;
    }
    h->vms[h->n++] = v;
}

/* Room for k ids in the arena as h's first list (nothing if k is 0 or the
 * arena is full: push_vm then allocates). */
static void arena_list(plan *pl, plan_host *h, size_t k)
{
    if (k && pl->arena && pl->arena_used + k <= 2 * pl->nv + 1) {
        h->vms = pl->arena + pl->arena_used;
        h->capv = (uint32_t)k;
        pl->arena_used += k;
    }
}

/* h's fields from src (no VMs yet), its power curve from cs. */
static void host_head(plan_host *h, const vp_host *src, vp_power_curves *cs)
{
    double cap = src->capacity.v[VP_CPU], u = cap > 0 ? src->allocated.v[VP_CPU] / cap : 0;
    if (u > 1 && u < 1.01)
        u = 1;
    *h = (plan_host){.cap = cap, .pe = cap / (src->cores > 0 ? src->cores : 1), .u_last = u,
                     .power = src->power, .member = true, .up = src->state == VP_HOST_UP,
                     .lc = -1, .lb = -1, .li = -1, .bk = -1,
                     .curve = vp_power_curve_of(cs, src->power)};
    h->p_last = power(h, u);
}

/* v (just listed on h) into h's memory and network sums; with figures,
 * what it is allocated, scheduled and requests into the plan. */
static void take_vm(plan *pl, plan_host *h, const vp_vm *v, bool figures)
{
    if (figures) {
        pl->alloc[v->id] = v->allocated.v[VP_CPU];
        pl->sched[v->id] = vm_sched(v);
        pl->reqv[v->id] = vm_request(v);
    }
    h->mem += v->size.v[VP_MEM];
    h->net += v->size.v[VP_NET];
}

static void init_host(lua_State *L, plan *pl, const vp_host *src)
{
    plan_host *h = &pl->h[src->id];
    host_head(h, src, &pl->curves);
    arena_list(pl, h, (size_t)src->vms.n + src->incoming.n);
    const vp_idlist *lists[2] = {&src->vms, &src->incoming};
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < lists[k]->n; i++) {
            const vp_vm *v = vm_at(pl, lists[k]->ids[i]);
            push_vm(L, h, v->id);
            take_vm(pl, h, v, true);
        }
    sums(pl, h);
}

/* ====== construction in two parts ======
 *
 * A plan of every host of a large pool is filled in two parts, the hosts
 * below the middle id on the caller's thread and the rest on a worker
 * (engine/worker.h): reading the pool's hosts and VMs is most of the
 * work, and mostly waiting on memory.  A part touches only its hosts'
 * entries and the figures of their resident VMs (a migrating VM is its
 * source's resident too, so each VM is written once), takes VM lists from
 * its own arena and power curves from its own cache, and never calls Lua.
 * The caller then gives the second part's hosts the plan's curves and
 * makes the sums that need another part's VMs (hosts with VMs coming
 * in). */

#define PARALLEL_HOSTS 4096 /* hosts that make plan_new fill in two parts */

typedef struct init_part {
    plan *pl;
    const vp_pool *pool;
    vp_id from, to;
    vp_id *arena;
    size_t used;
    vp_power_curves curves;
    vp_id *later; /* hosts whose sums wait for the other part (malloc) */
    size_t nlater, caplater;
    bool failed;  /* no memory for later: the caller makes every sum */
} init_part;

/* Host src into the plan as init_host does, its list from p's arena (which
 * has room for every list), its curve from p's cache, its VMs' figures
 * from its residents only; its sums now unless VMs come in. */
static void fill_host(init_part *p, const vp_host *src)
{
    plan *pl = p->pl;
    plan_host *h = &pl->h[src->id];
    host_head(h, src, &p->curves);
    h->vms = p->arena + p->used;
    h->capv = src->vms.n + src->incoming.n;
    p->used += h->capv;
    const vp_idlist *lists[2] = {&src->vms, &src->incoming};
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < lists[k]->n; i++) {
            const vp_vm *v = vm_at(pl, lists[k]->ids[i]);
            h->vms[h->n++] = v->id;
            take_vm(pl, h, v, k == 0); /* a VM coming in: its source's part writes it */
        }
    if (!src->incoming.n)
        sums(pl, h);
    else if (!p->failed &&
             !vp_array_reserve((void **)&p->later, &p->caplater, p->nlater + 1, sizeof *p->later))
        p->later[p->nlater++] = src->id;
    else
        p->failed = true;
}

#define FILL_AHEAD 2 /* ids between fetching a host and its VMs, and filling it */

static void fill_part(void *arg)
{
    init_part *p = arg;
    for (vp_id id = p->from; id < p->to; id++) {
        const vp_host *src = vp_pool_host(p->pool, id);
        /* a host is filled in less time than memory answers: the lines of
         * the hosts a few ids on, and then their VMs', are asked for early */
        if (id + 2 * FILL_AHEAD < p->to)
            vp_pool_prefetch_host(p->pool, id + 2 * FILL_AHEAD);
        if (id + FILL_AHEAD < p->to)
            vp_pool_prefetch_residents(p->pool, id + FILL_AHEAD);
        if (src)
            fill_host(p, src);
    }
}

/* Every host of the pool into pl in two parts; false (nothing done) when
 * the pool is small or no worker starts. */
static bool fill_parallel(lua_State *L, plan *pl, const vp_pool *pool)
{
    if (pl->nh < PARALLEL_HOSTS || vp_worker_cpus() < 2)
        return false;
    pl->arena2 = sr(L, NULL, 0, (2 * pl->nv + 1) * sizeof(vp_id)); /* may raise: first */
    vp_worker *w = vp_worker_new();
    if (!w)
        return false;
    vp_id mid = (vp_id)(pl->nh / 2);
    init_part part[2] = {{.pl = pl, .pool = pool, .from = 0, .to = mid, .arena = pl->arena},
                         {.pl = pl, .pool = pool, .from = mid, .to = (vp_id)pl->nh,
                          .arena = pl->arena2}};
    vp_worker_both(w, fill_part, &part[0], &part[1]);
    vp_worker_free(w);
    pl->arena_used = part[0].used;
    for (size_t i = 0; i < pl->nh; i++) /* the plan's own curves (part 1's cache is gone) */
        if (pl->h[i].member)
            pl->h[i].curve = vp_power_curve_of(&pl->curves, pl->h[i].power);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < part[k].nlater; i++)
            sums(pl, &pl->h[part[k].later[i]]);
        free(part[k].later);
    }
    if (part[0].failed || part[1].failed)
        for (size_t i = 0; i < pl->nh; i++)
            if (pl->h[i].member)
                sums(pl, &pl->h[i]);
    return true;
}

/* ====== construction ====== */

/* The proxy that names the pool of the hosts at 1 (a Pool, a HostList or
 * an array of Hosts), for its view and generation. */
static const lb_proxy *source(lua_State *L, bool *all)
{
    const lb_proxy *p = lb_test_proxy(L, 1, LB_POOL);
    if ((*all = p != NULL))
        return p;
    if ((p = lb_test_proxy(L, 1, LB_HOSTLIST)))
        return p;
    luaL_argexpected(L, lua_istable(L, 1), 1, "Pool, HostList or array of Hosts");
    if (lua_geti(L, 1, 1) == LUA_TNIL)
        luaL_argerror(L, 1, "an empty array names no pool");
    p = lb_check_proxy(L, -1, LB_HOST);
    lua_pop(L, 1);
    return p;
}

/* The index of a new plan: the bins sized first (a count of where the
 * loaded hosts go), so that filling them never grows one. */
static void index_build(lua_State *L, plan *pl)
{
    int k, j;
    for (size_t i = 0; i < pl->nh; i++)
        if (pl->h[i].member && loaded_place(L, pl, &pl->h[i], &k, &j))
            pl->lcl[k].bin[j].want++;
    for (int c = 0; c < pl->nlc; c++)
        for (j = 0; j < 10; j++) {
            struct lbin *b = &pl->lcl[c].bin[j];
            if (b->want > b->capn)
                bin_grow(L, b, b->want);
            b->want = 0;
        }
    for (size_t i = 0; i < pl->nh; i++)
        if (pl->h[i].member)
            index_update(L, pl, (vp_id)i);
}

/* vmpilot.Plan(pool | hostlist | {hosts...}). */
static int plan_new(lua_State *L)
{
    bool all;
    const lb_proxy *src = source(L, &all);
    const vp_pool *pool = src->view->pool;
    plan *pl = lua_newuserdatauv(L, sizeof *pl, 2);
    memset(pl, 0, sizeof *pl);
    pl->p = (lb_proxy){.view = src->view, .gen = src->gen};
    luaL_setmetatable(L, LB_PLAN);
    lua_pushvalue(L, 1); /* keeps a plain Pool alive */
    lua_setiuservalue(L, -2, 1);
    lua_newtable(L); /* the proxies it has handed out (push_kept) */
    lua_setiuservalue(L, -2, 2);
    pl->nh = vp_pool_host_end(pool);
    pl->nv = vp_pool_vm_end(pool);
    pl->h = sr(L, NULL, 0, (pl->nh + 1) * sizeof *pl->h); /* +1: never 0 bytes */
    memset(pl->h, 0, (pl->nh + 1) * sizeof *pl->h);
    pl->alloc = sr(L, NULL, 0, (pl->nv + 1) * sizeof(double));
    pl->sched = sr(L, NULL, 0, (pl->nv + 1) * sizeof(double));
    pl->reqv = sr(L, NULL, 0, (pl->nv + 1) * sizeof(double));
    pl->arena = sr(L, NULL, 0, (2 * pl->nv + 1) * sizeof(vp_id)); /* a VM is on <= 2 lists */
    size_t n;
    const vp_id *ids = all ? NULL : lb_hostlist_ids(L, 1, &n);
    if (!ids)
        n = all ? pl->nh : (size_t)luaL_len(L, 1);
    if (all && fill_parallel(L, pl, pool))
        n = 0;
    for (size_t i = 0; i < n; i++) {
        vp_id id = ids ? ids[i] : (vp_id)i;
        if (!all && !ids) {
            lua_geti(L, 1, (lua_Integer)i + 1);
            const lb_proxy *h = lb_check_proxy(L, -1, LB_HOST);
            luaL_argcheck(L, h->view == src->view, 1, "Hosts of another pool");
            id = h->id;
            lua_pop(L, 1);
        }
        const vp_host *h = vp_pool_host(pool, id);
        if (h && !pl->h[id].member)
            init_host(L, pl, h);
    }
    index_build(L, pl);
    return 1;
}

/* ====== arguments ====== */

static plan_host *arg_host(lua_State *L, plan *pl, int i)
{
    const lb_proxy *p = lb_check_proxy(L, i, LB_HOST);
    luaL_argcheck(L, p->view == pl->p.view, i, "Host of another pool");
    if (p->id >= pl->nh || !pl->h[p->id].member)
        luaL_argerror(L, i, "host not in this plan");
    return &pl->h[p->id];
}

static const vp_vm *arg_vm(lua_State *L, plan *pl, int i)
{
    const lb_proxy *p = lb_check_proxy(L, i, LB_VM);
    luaL_argcheck(L, p->view == pl->p.view, i, "Vm of another pool");
    const vp_vm *v = lb_vm_of(L, p);
    luaL_argcheck(L, v->id < pl->nv, i, "Vm newer than the plan");
    return v;
}

static vp_id host_id(const plan *pl, const plan_host *h) { return (vp_id)(h - pl->h); }

/* The proxy of host id (key id + 1) or VM id (key -(id + 1)), kept in
 * the plan's second user value for the plan's life: an overload test
 * gets the same host and VM many times a round.  The plan is at 1. */
static void push_kept(lua_State *L, plan *pl, const char *cls, vp_id id, lua_Integer key)
{
    lua_getiuservalue(L, 1, 2);
    if (lua_rawgeti(L, -1, key) == LUA_TUSERDATA) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lb_push_proxy(L, cls, pl->p.view, 1, id, 0);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, key);
    lua_remove(L, -2);
}

static void push_host(lua_State *L, plan *pl, vp_id id)
{
    push_kept(L, pl, LB_HOST, id, (lua_Integer)id + 1);
}

static void push_vm_proxy(lua_State *L, plan *pl, vp_id id)
{
    push_kept(L, pl, LB_VM, id, -((lua_Integer)id + 1));
}

/* A table of set numbers (1..8) as a bit mask. */
static uint8_t arg_sets(lua_State *L, int i)
{
    uint8_t mask = 0;
    if (lua_isnoneornil(L, i))
        return 0;
    luaL_checktype(L, i, LUA_TTABLE);
    for (lua_Integer k = 1, n = (lua_Integer)lua_rawlen(L, i); k <= n; k++) {
        lua_rawgeti(L, i, k);
        lua_Integer s = lua_tointeger(L, -1);
        luaL_argcheck(L, s >= 1 && s <= 8, i, "sets are numbers 1..8");
        mask |= (uint8_t)(1u << (s - 1));
        lua_pop(L, 1);
    }
    return mask;
}

static uint8_t arg_set(lua_State *L, int i)
{
    lua_Integer s = luaL_checkinteger(L, i);
    luaL_argcheck(L, s >= 1 && s <= 8, i, "sets are numbers 1..8");
    return (uint8_t)(1u << (s - 1));
}

/* ====== methods ====== */

/* plan:vms(h [, "running"]): every VM, or only those not migrating. */
static int m_vms(lua_State *L)
{
    static const char *const which[] = {"all", "running", NULL};
    plan *pl = toplan(L);
    plan_host *h = arg_host(L, pl, 2);
    bool running = luaL_checkoption(L, 3, "all", which) == 1;
    lua_createtable(L, (int)h->n, 0);
    lua_Integer k = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        if (running && vm_at(pl, h->vms[i])->state != VP_VM_RUNNING)
            continue;
        push_vm_proxy(L, pl, h->vms[i]);
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

#define NUMBER_METHOD(name, expr)                                                                  \
    static int m_##name(lua_State *L)                                                              \
    {                                                                                              \
        plan *pl = toplan(L);                                                                      \
        const plan_host *h = arg_host(L, pl, 2);                                                   \
        lua_pushnumber(L, expr);                                                                   \
        return 1;                                                                                  \
    }

/* plan:requested(h [, vm]): with vm, as if it were added too. */
static int m_requested(lua_State *L)
{
    plan *pl = toplan(L);
    const plan_host *h = arg_host(L, pl, 2);
    lua_pushnumber(L, h->req + (lua_isnoneornil(L, 3) ? 0 : vm_request(arg_vm(L, pl, 3))));
    return 1;
}

NUMBER_METHOD(load, h->load)
NUMBER_METHOD(available, h->avail)
NUMBER_METHOD(utilization, h->u_last)
NUMBER_METHOD(capacity, h->cap)

static int m_count(lua_State *L)
{
    plan *pl = toplan(L);
    lua_pushinteger(L, arg_host(L, pl, 2)->n);
    return 1;
}

/* Adds v's cpu history, as a share of cap, to out[0..len). */
static void add_history(double *out, int len, const vp_vm *v, double cap)
{
    int n = (int)v->cpu.n < len ? (int)v->cpu.n : len;
    for (int i = 0; i < n; i++)
        out[i] += vp_history_at(&v->cpu, (uint32_t)i) * v->size.v[VP_CPU] / cap;
}

/* vmCreate: v goes onto h, allocated its request (capped at a core);
 * or, created (a pending VM as the pool accounts it once placed, before
 * its first sample): holding and allocated its full cpu size (what
 * vp_pool_allocate sets), requesting its demand. */
static void plan_add(lua_State *L, plan *pl, plan_host *h, const vp_vm *v, bool created)
{
    push_vm(L, h, v->id);
    pl->sched[v->id] = created ? v->size.v[VP_CPU] : vm_request(v);
    pl->alloc[v->id] = created ? v->size.v[VP_CPU] : fmin(pl->sched[v->id], h->pe);
    pl->reqv[v->id] = created ? v->demand.v[VP_CPU] : vm_request(v);
    h->mem += v->size.v[VP_MEM];
    h->net += v->size.v[VP_NET];
    bool hist_ok = h->hist_ok;
    sums(pl, h);
    /* appended last, so adding its share keeps the sums' order */
    if (hist_ok && h->cap > 0) {
        add_history(h->hist, h->hist_len, v, h->cap);
        h->hist_ok = true;
    }
    index_update(L, pl, host_id(pl, h));
}

/* vmDestroy: v leaves h, the rest are allocated again; false if v is not
 * on h. */
static bool plan_remove(lua_State *L, plan *pl, plan_host *h, const vp_vm *v)
{
    uint32_t i = 0;
    while (i < h->n && h->vms[i] != v->id)
        i++;
    if (i == h->n)
        return false;
    memmove(&h->vms[i], &h->vms[i + 1], (h->n - i - 1) * sizeof(vp_id));
    h->n--;
    h->mem -= v->size.v[VP_MEM];
    h->net -= v->size.v[VP_NET];
    reallocate(pl, h);
    index_update(L, pl, host_id(pl, h));
    return true;
}

static int m_add(lua_State *L)
{
    plan *pl = toplan(L);
    plan_host *h = arg_host(L, pl, 2);
    plan_add(L, pl, h, arg_vm(L, pl, 3), false);
    return 0;
}

static int m_create(lua_State *L)
{
    plan *pl = toplan(L);
    plan_host *h = arg_host(L, pl, 2);
    const vp_vm *v = arg_vm(L, pl, 3);
    luaL_argcheck(L, v->state == VP_VM_PENDING, 3, "create takes a pending VM");
    plan_add(L, pl, h, v, true);
    return 0;
}

static int m_remove(lua_State *L)
{
    plan *pl = toplan(L);
    plan_host *h = arg_host(L, pl, 2);
    const vp_vm *v = arg_vm(L, pl, 3);
    if (!plan_remove(L, pl, h, v))
        return luaL_error(L, "Vm(%s) is not on Host %d in this plan", v->name, (int)host_id(pl, h));
    return 0;
}

/* fits with the pool's tolerance */
static bool fits1(double need, double cap)
{
    return need <= cap + VP_RES_EPS * (cap > 1 ? cap : 1);
}

/* The room a host must have for v (request r) beyond its core size:
 * available cpu, and for a VM being created its memory and network. */
static bool has_room(const plan *pl, const plan_host *h, const vp_vm *v, double r)
{
    if (h->avail < r)
        return false;
    if (v->state != VP_VM_PENDING)
        return true;
    const vp_host *src = vp_pool_host(pl->p.view->pool, host_id(pl, h));
    return fits1(h->mem + v->size.v[VP_MEM], src->capacity.v[VP_MEM]) &&
           fits1(h->net + v->size.v[VP_NET], src->capacity.v[VP_NET]);
}

static bool suitable(const plan *pl, const plan_host *h, const vp_vm *v, double r)
{
    return h->member && h->up && h->cap > 0 && !(h->pe < r) && has_room(pl, h, v, r);
}

static int m_suitable(lua_State *L)
{
    plan *pl = toplan(L);
    const plan_host *h = arg_host(L, pl, 2);
    const vp_vm *v = arg_vm(L, pl, 3);
    lua_pushboolean(L, suitable(pl, h, v, vm_request(v)));
    return 1;
}

static int m_exclude(lua_State *L)
{
    plan *pl = toplan(L);
    plan_host *h = arg_host(L, pl, 2);
    h->excl |= arg_set(L, 3);
    index_update(L, pl, host_id(pl, h));
    return 0;
}

static int m_excluded(lua_State *L)
{
    plan *pl = toplan(L);
    const plan_host *h = arg_host(L, pl, 2);
    lua_pushboolean(L, (h->excl & arg_set(L, 3)) != 0);
    return 1;
}

/* Whether the function accept at index 4 takes host id for v, called as
 * accept(host, vm, u) with u = (requested + v's request) / capacity: an
 * empty host is always taken (PABFD tests only hosts with load). */
static bool accepts(lua_State *L, plan *pl, vp_id id, const vp_vm *v)
{
    if (pl->h[id].load == 0)
        return true;
    const plan_host *h = &pl->h[id];
    lua_pushvalue(L, 4);
    push_host(L, pl, id);
    push_vm_proxy(L, pl, v->id);
    lua_pushnumber(L, h->cap > 0 ? (h->req + vm_request(v)) / h->cap : 0);
    lua_call(L, 3, 1);
    bool ok = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return ok;
}

typedef struct cand {
    double diff;
    vp_id id;
} cand;

_Static_assert(sizeof(cand) <= 2 * sizeof(double), "the plan's scratch holds cands");

static bool before(cand a, cand b) { return a.diff < b.diff || (a.diff == b.diff && a.id < b.id); }

/* What a host of that table and capacity, with that load and power at
 * the last sample, would draw more with a VM of request r: PABFD's cost. */
static double increase(const vp_power_curve *c, const double *t, double cap, double load,
                       double p_last, double r)
{
    return power_by(c, t, (load + r) / cap) - p_last;
}

static cand cand_of(const plan *pl, vp_id i, double r)
{
    const plan_host *h = &pl->h[i];
    return (cand){increase(h->curve, h->power, h->cap, h->load, h->p_last, r), i};
}

/* Where gather() puts the candidates: all of them into out, or, with out
 * NULL, only the cheapest (the least difference, ties to the lower id). */
typedef struct cand_sink {
    cand *out;
    size_t n;
    cand best;
} cand_sink;

static inline void sink_add(cand_sink *s, cand c)
{
    if (s->out)
        s->out[s->n++] = c;
    else if (s->best.id == VP_NONE || before(c, s->best))
        s->best = c;
}

/* P(u + d) - P(u) for hosts of class c. */
static double marginal(const lclass *c, double u, double d)
{
    return power_by(c->curve, c->power, u + d) - power_by(c->curve, c->power, u);
}

/* The least P(u + d) - P(u) for u in [a, b], a range inside one tenth:
 * the function is linear between the range's ends and the points where
 * u + d crosses a tenth (P is linear between tenths, and flat past 1).
 * Those tenths k / 10 lie in (a + d, b + d): only the k around them are
 * tried (a window one wider on each side than the range). */
static double range_floor(const lclass *c, double a, double b, double d)
{
    double m = least(marginal(c, a, d), marginal(c, b, d));
    double x = (a + d) * 10, y = (b + d) * 10; /* NaN: every k */
    int lo = x >= 1 && x <= 11 ? (int)x - 1 : x > 11 ? 11 : 1;
    int hi = y >= 0 && y <= 9 ? (int)y + 2 : 10;
    for (int k = lo < 1 ? 1 : lo; k <= hi; k++) {
        double u = k / 10.0 - d;
        if (u > a && u < b)
            m = least(m, marginal(c, u, d));
    }
    return m;
}

/* range_floor of class c over bin j (0..9) or, with j = 10, its whole
 * tenth, for a VM of request r. */
static double class_floor(const lclass *c, int j, double r)
{
    double lo = c->seg < 10 ? (j < 10 ? (10 * c->seg + j) / 100.0 : c->seg / 10.0) : 1.0;
    double hi = c->seg < 10 ? (j < 10 ? (10 * c->seg + j + 1) / 100.0 : (c->seg + 1) / 10.0) : 1.0;
    return range_floor(c, lo, hi, r / c->cap);
}

/* class_floor of class k, from the memo when it is there. */
static double floor_of(plan *pl, int k, int j, double r)
{
    const lclass *c = &pl->lcl[k];
    if (!pl->memo)
        return class_floor(c, j, r);
    uint64_t bits;
    memcpy(&bits, &r, sizeof bits);
    uint64_t x = (bits ^ (uint64_t)c->fk * 0x9E3779B97F4A7C15u) * 0xBF58476D1CE4E5B9u;
    floor_memo *e = &pl->memo[x >> (64 - FLOOR_MEMO_BITS)];
    if (e->k != c->fk || e->r != r)
        *e = (floor_memo){.r = r, .k = c->fk};
    if (!(e->have & 1u << j)) {
        e->f[j] = class_floor(c, j, r);
        e->have |= 1u << j;
    }
    return e->f[j];
}

/* Makes pl's memo of floors (once). */
static void memo_ready(lua_State *L, plan *pl)
{
    if (pl->memo)
        return;
    pl->memo = sr(L, NULL, 0, FLOOR_MEMO * sizeof *pl->memo);
    for (size_t i = 0; i < FLOOR_MEMO; i++)
        pl->memo[i] = (floor_memo){.k = -1};
}

/* A bound from an offset bound and a floor, less a margin far above the
 * rounding of either side. */
static double with_margin(double b) { return b - 1e-9 * (1 + fabs(b)); }

/* Puts item k with bound x into the n items of lb/order kept by bound;
 * returns n + 1. */
static int by_bound(double *lb, int *order, int n, double x, int k)
{
    int i = n;
    for (; i > 0 && lb[i - 1] > x; i--) {
        lb[i] = lb[i - 1];
        order[i] = order[i - 1];
    }
    lb[i] = x;
    order[i] = k;
    return n + 1;
}

/* Whether bin b was scanned for (r, t) since it last changed: its
 * cheapest into *best. */
static bool bin_seen(const struct lbin *b, double r, double t, vp_scan_best *best)
{
    uint32_t n = b->nseen < BIN_SEEN ? b->nseen : BIN_SEEN;
    for (uint32_t i = 0; i < n; i++)
        if (b->seen[i].r == r && b->seen[i].t == t) {
            *best = b->seen[i].best;
            return true;
        }
    return false;
}

/* The vector scan of bin b of class c for (r, t), kept in its seen. */
static void bin_scan(const lclass *c, struct lbin *b, double r, double t, vp_scan_best *best,
                     double *minoff)
{
    vp_scan_cols cols = bin_cols(b);
    vp_scan_cheapest(c->curve, &cols, b->n, c->cap, r, t, best, minoff);
    b->seen[b->nseen++ % BIN_SEEN] = (struct bin_seen){r, t, *best};
}

/* The least of the class's bins' offset bounds, kept as c->minoff after
 * a visit made some of them exact (higher). */
static void class_minoff(lclass *c)
{
    double m = INFINITY;
    for (int j = 0; j < 10; j++)
        if (c->bin[j].n)
            m = least(m, c->bin[j].minoff);
    c->minoff = m;
}

/* The candidates among class k's members, into the sink: the bins by
 * their bounds, those that cannot beat the best found left out (when the
 * sink keeps only the best); each visited bin's offset bound made exact
 * again. */
static void visit_class(plan *pl, int k, const vp_vm *v, double r, double t, cand_sink *sink)
{
    lclass *c = &pl->lcl[k];
    if (c->pe < r) /* a core too small (members are up, in the plan, with capacity) */
        return;
    double lb[10];
    int order[10], n = 0;
    for (int j = 0; j < 10; j++) {
        if (!c->bin[j].n)
            continue;
        if (sink->out) { /* every candidate wanted: no bounds, bins in order */
            lb[n] = -INFINITY;
            order[n++] = j;
            continue;
        }
        n = by_bound(lb, order, n, with_margin(c->bin[j].minoff + floor_of(pl, k, j, r)), j);
    }
    bool pending = v->state == VP_VM_PENDING;
    for (int i = 0; i < n; i++) {
        if (!sink->out && sink->best.id != VP_NONE && lb[i] > sink->best.diff)
            break;
        struct lbin *bin = &c->bin[order[i]];
        if (!sink->out && c->curve) {
            /* the usual case, in power_scan.c (or as a scan since the bin
             * last changed found it): the bin's cheapest by cpu; for a VM
             * being created, if it has memory and network room, that is
             * also its cheapest with room */
            vp_scan_best mine = {0, -1};
            double minoff = bin->minoff;
            if (!bin_seen(bin, r, t, &mine))
                bin_scan(c, bin, r, t, &mine, &minoff);
            if (mine.id < 0 || !pending || has_room(pl, &pl->h[mine.id], v, r)) {
                bin->minoff = minoff;
                if (mine.id >= 0)
                    sink_add(sink, (cand){mine.diff, (vp_id)mine.id});
                continue;
            } /* else every member is tried below */
        }
        double minoff = INFINITY;
        for (uint32_t q = 0; q < bin->n; q++) {
            vp_id id = (vp_id)bin->id[q];
            minoff = bin->off[q] < minoff ? bin->off[q] : minoff;
            if ((bin->load[q] != 0 && (bin->req[q] + r) / c->cap > t) || bin->avail[q] < r ||
                (pending && !has_room(pl, &pl->h[id], v, r)))
                continue;
            sink_add(sink, (cand){increase(c->curve, c->power, c->cap, bin->load[q],
                                           bin->p_last[q], r), id});
        }
        bin->minoff = minoff;
    }
    class_minoff(c);
}

#define CLASS_ORDER_MAX 256 /* classes a bounded search orders (else it visits all) */

/* The loaded hosts' candidates.  For the cheapest only, the classes go by
 * their bound (least offset + range_floor, less a margin far above the
 * rounding of either side) and the search stops at the first that cannot
 * beat the best found: a host there adds at least that much, so it could
 * neither win nor tie. */
static void gather_loaded(plan *pl, const vp_vm *v, uint8_t mask, double t, double r,
                          cand_sink *sink)
{
    int order[CLASS_ORDER_MAX], n = 0;
    double lb[CLASS_ORDER_MAX];
    bool bounded = !sink->out && pl->nlc <= CLASS_ORDER_MAX;
    for (int k = 0; k < pl->nlc; k++) {
        const lclass *c = &pl->lcl[k];
        if ((c->excl & mask) || c->n == 0)
            continue;
        if (!bounded) {
            visit_class(pl, k, v, r, t, sink);
            continue;
        }
        n = by_bound(lb, order, n, with_margin(c->minoff + floor_of(pl, k, 10, r)), k);
    }
    for (int i = 0; i < n; i++) {
        if (sink->best.id != VP_NONE && lb[i] > sink->best.diff)
            break;
        visit_class(pl, order[i], v, r, t, sink);
    }
}

/* The candidates (suitable, in none of the sets; of the empty hosts the
 * first of each shape, see the candidate index) with their power
 * difference, in no particular order (a loaded host over the threshold t,
 * when accept is one, is left out); with the sink keeping only the
 * cheapest, the loaded hosts that cannot be it are not looked at. */
static void gather(plan *pl, const vp_vm *v, uint8_t mask, double t, cand_sink *sink)
{
    double r = vm_request(v);
    for (int s = 0; s < pl->nshapes; s++)
        pl->shape_best[s] = VP_NONE;
    for (int k = 0; k < pl->nbk; k++) {
        bucket *b = &pl->bk[k];
        vp_id *best = &pl->shape_best[b->shape];
        vp_id id = b->excl & mask ? VP_NONE : bucket_next(pl, b, b->first);
        if (!(b->excl & mask))
            b->first = id == VP_NONE ? (uint32_t)pl->nh : id; /* nothing below */
        if (!(b->cap > 0) || b->pe < r) /* the shape cannot take it: none of them */
            continue;
        for (; id != VP_NONE && id < *best; id = bucket_next(pl, b, id + 1))
            if (has_room(pl, &pl->h[id], v, r)) { /* members are up, in the plan */
                *best = id;
                break;
            }
    }
    for (int s = 0; s < pl->nshapes; s++)
        if (pl->shape_best[s] != VP_NONE)
            sink_add(sink, cand_of(pl, pl->shape_best[s], r));
    gather_loaded(pl, v, mask, t, r, sink);
}

/* All the candidates into *out: the plan's scratch buffer, or a userdata
 * when a search is already using it (accept searching again); either way
 * one value is left on the stack for the caller to pop, and an error in
 * accept leaks nothing. */
static size_t candidates(lua_State *L, plan *pl, const vp_vm *v, uint8_t mask, double t,
                         cand **out)
{
    if (pl->scratch_busy) {
        *out = lua_newuserdatauv(L, (pl->nh + 1) * sizeof **out, 0);
    } else {
        if (!pl->scratch) /* cand is two doubles' worth */
            pl->scratch = sr(L, NULL, 0, (pl->nh + 1) * sizeof(double) * 2);
        *out = pl->scratch;
        lua_pushnil(L); /* the caller pops one value */
    }
    cand_sink sink = {.out = *out};
    gather(pl, v, mask, t, &sink);
    return sink.n;
}

/* accept is a function: the cheapest candidates in order (partial
 * selection) until one passes, so it is called as rarely as possible. */
static cand best_by_test(lua_State *L, plan *pl, cand *c, size_t n, const vp_vm *v)
{
    for (size_t k = 0; k < n; k++) {
        size_t m = k;
        for (size_t j = k + 1; j < n; j++)
            m = before(c[j], c[m]) ? j : m;
        cand t = c[k];
        c[k] = c[m];
        c[m] = t;
        if (accepts(L, pl, c[k].id, v))
            return c[k];
    }
    return (cand){0, VP_NONE};
}

/* The host for v (the accept argument at 4, the stack set to 4 slots at
 * least): VP_NONE if none. */
static cand best_fit(lua_State *L, plan *pl, const vp_vm *v, uint8_t mask)
{
    bool fn = !lua_isnoneornil(L, 4) && lua_type(L, 4) != LUA_TNUMBER;
    double t = lua_type(L, 4) == LUA_TNUMBER ? lua_tonumber(L, 4) : INFINITY;
    if (!fn) { /* a threshold (or none): gather() leaves out what it refuses */
        if (pl->nh >= 256) /* a small plan's floors are cheap to compute */
            memo_ready(L, pl);
        cand_sink sink = {.best = {0, VP_NONE}};
        gather(pl, v, mask, t, &sink);
        return sink.best;
    }
    cand *c;
    size_t n = candidates(L, pl, v, mask, t, &c);
    bool own = c == (cand *)pl->scratch;
    pl->scratch_busy = own ? true : pl->scratch_busy;
    /* an error in accept leaves scratch_busy set: later searches then use
     * userdata, which is correct, only slower */
    cand best = best_by_test(L, pl, c, n, v);
    if (own)
        pl->scratch_busy = false;
    lua_pop(L, 1); /* the candidates (or the nil standing for them) */
    return best;
}

static void check_accept(lua_State *L)
{
    if (!lua_isnoneornil(L, 4) && lua_type(L, 4) != LUA_TNUMBER)
        luaL_checktype(L, 4, LUA_TFUNCTION);
}

/* The least power difference wins, ties to the lower id, among the hosts
 * that are empty or pass accept. */
static int m_best_fit_power(lua_State *L)
{
    plan *pl = toplan(L);
    const vp_vm *v = arg_vm(L, pl, 2);
    uint8_t mask = arg_sets(L, 3);
    check_accept(L);
    lua_settop(L, 4); /* accept (or nil) stays at 4 under the scratch */
    cand best = best_fit(L, pl, v, mask);
    if (best.id == VP_NONE)
        return lua_pushnil(L), 1;
    push_host(L, pl, best.id);
    lua_pushnumber(L, best.diff);
    return 2;
}

/* A VM to sort: its request, its place in the input, its id. */
typedef struct keyed {
    double req;
    size_t pos;
    vp_id id;
} keyed;

static int by_request_desc(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->req != b->req)
        return a->req < b->req ? 1 : -1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* ids[0..n) biggest request first, equal requests in their order
 * (CloudSim's stable sort); each request read once.  May push and pop a
 * scratch userdata. */
static void sort_by_request(lua_State *L, const plan *pl, vp_id *ids, size_t n)
{
    keyed small[32], *k = small;
    if (n > 32)
        k = lua_newuserdatauv(L, n * sizeof *k, 0);
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){vm_request(vm_at(pl, ids[i])), i, ids[i]};
    qsort(k, n, sizeof *k, by_request_desc);
    for (size_t i = 0; i < n; i++)
        ids[i] = k[i].id;
    if (k != small)
        lua_pop(L, 1);
}

/* The running VMs of h, biggest request first (a stable sort: equal
 * requests keep their arrival order), into ids (n of them). */
static size_t by_request(lua_State *L, const plan *pl, const plan_host *h, vp_id *ids)
{
    size_t n = 0;
    for (uint32_t i = 0; i < h->n; i++)
        if (vm_at(pl, h->vms[i])->state == VP_VM_RUNNING)
            ids[n++] = h->vms[i];
    sort_by_request(L, pl, ids, n);
    return n;
}

/* A move {vm = vm, to = host}, with room for the `why` a balance policy
 * adds (a table that grows rehashes). */
static void push_move(lua_State *L, plan *pl, vp_id vm, vp_id to)
{
    lua_createtable(L, 0, 3);
    push_vm_proxy(L, pl, vm);
    lua_setfield(L, -2, "vm");
    push_host(L, pl, to);
    lua_setfield(L, -2, "to");
}

/* plan:evacuate(h, {sets}, accept) -> {{vm=, to=}, ...} or nil: places
 * every running VM of h, biggest request first, by best_fit_power on the
 * hosts outside the sets; all of them or, if one has no host, none (the
 * placements made are undone).  h keeps its VMs in the plan. */
static int m_evacuate(lua_State *L)
{
    plan *pl = toplan(L);
    plan_host *src = arg_host(L, pl, 2);
    uint8_t mask = arg_sets(L, 3);
    check_accept(L);
    lua_settop(L, 4);
    /* a userdata, so that an error in accept frees it with the rest */
    vp_id *ids = lua_newuserdatauv(L, 2 * ((size_t)src->n + 1) * sizeof(vp_id), 0);
    vp_id *to = ids + src->n + 1;
    size_t n = by_request(L, pl, src, ids), k = 0;
    for (; k < n; k++) {
        cand c = best_fit(L, pl, vm_at(pl, ids[k]), mask);
        if (c.id == VP_NONE)
            break;
        plan_add(L, pl, &pl->h[c.id], vm_at(pl, ids[k]), false);
        to[k] = c.id;
    }
    if (k < n) { /* undo, newest first */
        while (k-- > 0)
            plan_remove(L, pl, &pl->h[to[k]], vm_at(pl, ids[k]));
        lua_pushnil(L);
    } else {
        lua_createtable(L, (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            push_move(L, pl, ids[i], to[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    return 1;
}

/* plan:place_each({vms}, {sets} [, accept]) -> {{vm=, to=}, ...}: places
 * the VMs, biggest request first (stable), each by best_fit_power on the
 * hosts outside the sets; a VM with no host is left out. */
static int m_place_each(lua_State *L)
{
    plan *pl = toplan(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    uint8_t mask = arg_sets(L, 3);
    check_accept(L);
    lua_settop(L, 4);
    size_t n = (size_t)lua_rawlen(L, 2), k = 0;
    vp_id *ids = lua_newuserdatauv(L, (n + 1) * sizeof(vp_id), 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i + 1);
        ids[i] = arg_vm(L, pl, -1)->id;
        lua_pop(L, 1);
    }
    sort_by_request(L, pl, ids, n);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const vp_vm *v = vm_at(pl, ids[i]);
        cand c = best_fit(L, pl, v, mask);
        if (c.id == VP_NONE)
            continue;
        plan_add(L, pl, &pl->h[c.id], v, false);
        push_move(L, pl, v->id, c.id);
        lua_rawseti(L, -2, (lua_Integer)++k);
    }
    return 1;
}

/* plan:history(h [, vm] [, length]) -> the host's cpu utilization history
 * (a Series) from the VMs tentatively on it (and vm, as if added): newest first,
 * h[i] = sum of vm history[i] x vm cpu size / host cpu capacity over at
 * most `length` (default 30) samples, zero tail trimmed (an all-zero
 * history is {0}) - CloudSim's PowerHostUtilizationHistory. */

/* The history of h's own VMs, len samples, kept until they change. */
static const double *base_history(lua_State *L, plan *pl, plan_host *h, int len)
{
    if (h->hist_ok && h->hist_len == len)
        return h->hist;
    if (h->hist_len != len) {
        h->hist = sr(L, h->hist, (size_t)h->hist_len * sizeof(double), (size_t)len * sizeof(double));
        h->hist_len = len;
    }
    memset(h->hist, 0, (size_t)len * sizeof(double));
    for (uint32_t i = 0; h->cap > 0 && i < h->n; i++)
        add_history(h->hist, len, vm_at(pl, h->vms[i]), h->cap);
    h->hist_ok = true;
    return h->hist;
}

static int m_history(lua_State *L)
{
    plan *pl = toplan(L);
    plan_host *h = arg_host(L, pl, 2);
    const vp_vm *extra = lua_isnoneornil(L, 3) ? NULL : arg_vm(L, pl, 3);
    lua_Integer len = luaL_optinteger(L, 4, 30);
    luaL_argcheck(L, len >= 1 && len <= 4096, 4, "length must be 1..4096");
    double buf[4096];
    memcpy(buf, base_history(L, pl, h, (int)len), (size_t)len * sizeof *buf);
    if (extra && h->cap > 0) /* appended last, as CloudSim's vmCreate does */
        add_history(buf, (int)len, extra, h->cap);
    int n = (int)len;
    while (n > 0 && buf[n - 1] == 0)
        n--;
    n = n ? n : 1;
    memcpy(lb_push_series(L, (size_t)n), buf, (size_t)n * sizeof *buf);
    return 1;
}

/* plan:largest(h, resource [, vm]) -> the largest size of that resource
 * among h's VMs (and vm), 0 if none. */
static int m_largest(lua_State *L)
{
    static const char *const names[] = {"cpu", "memory", "disk", "network", NULL};
    plan *pl = toplan(L);
    plan_host *h = arg_host(L, pl, 2);
    int r = luaL_checkoption(L, 3, NULL, names);
    if (!(h->largest_ok & (1u << r))) {
        double m = 0;
        for (uint32_t i = 0; i < h->n; i++)
            m = fmax(m, vm_at(pl, h->vms[i])->size.v[r]);
        h->largest[r] = m;
        h->largest_ok |= (uint8_t)(1u << r);
    }
    double m = h->largest[r];
    lua_pushnumber(L, lua_isnoneornil(L, 4) ? m : fmax(m, arg_vm(L, pl, 4)->size.v[r]));
    return 1;
}

/* plan:first_fit(vm [, {sets...}]) -> the first suitable host in id
 * order that is in none of the sets, or nil. */
static int m_first_fit(lua_State *L)
{
    plan *pl = toplan(L);
    const vp_vm *v = arg_vm(L, pl, 2);
    uint8_t mask = arg_sets(L, 3);
    double r = vm_request(v);
    for (size_t i = 0; i < pl->nh; i++)
        if (!(pl->h[i].excl & mask) && suitable(pl, &pl->h[i], v, r)) {
            push_host(L, pl, (vp_id)i);
            return 1;
        }
    lua_pushnil(L);
    return 1;
}

/* plan:exclude_off(set...): puts the hosts that are not up or were idle
 * at the last sample (utilization 0: switched off) in every given set. */
static int m_exclude_off(lua_State *L)
{
    plan *pl = toplan(L);
    uint8_t mask = 0;
    for (int i = 2; i <= lua_gettop(L); i++)
        mask |= arg_set(L, i);
    for (size_t i = 0; i < pl->nh; i++)
        if (pl->h[i].member && (!pl->h[i].up || pl->h[i].u_last == 0)) {
            pl->h[i].excl |= mask;
            index_update(L, pl, (vp_id)i);
        }
    return 0;
}

/* plan:smallest(h, key) -> the running (not migrating) VM on h with the
 * smallest key: "memory" (size) or "utilization" (cpu demand / cpu size);
 * ties: the first in arrival order; nil if none. */
static int m_smallest(lua_State *L)
{
    static const char *const keys[] = {"memory", "utilization", NULL};
    plan *pl = toplan(L);
    const plan_host *h = arg_host(L, pl, 2);
    int k = luaL_checkoption(L, 3, NULL, keys);
    vp_id best = VP_NONE;
    double bv = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        const vp_vm *v = vm_at(pl, h->vms[i]);
        if (v->state != VP_VM_RUNNING)
            continue;
        double x = k == 0 ? v->size.v[VP_MEM]
                 : v->size.v[VP_CPU] > 0 ? v->demand.v[VP_CPU] / v->size.v[VP_CPU] : 0;
        if (best == VP_NONE || x < bv) {
            best = v->id;
            bv = x;
        }
    }
    if (best == VP_NONE)
        return lua_pushnil(L), 1;
    push_vm_proxy(L, pl, best);
    return 1;
}

/* plan:request(vm) -> the cpu vm requests (its demand; a pending VM's
 * full size). */
static int m_request(lua_State *L)
{
    plan *pl = toplan(L);
    lua_pushnumber(L, vm_request(arg_vm(L, pl, 2)));
    return 1;
}

/* plan:loaded() -> the hosts that are up and hold VMs, in id order. */
static int m_loaded(lua_State *L)
{
    plan *pl = toplan(L);
    bool all = lua_isnoneornil(L, 2);
    double t = all ? 0 : luaL_checknumber(L, 2);
    lua_newtable(L);
    lua_Integer k = 0;
    for (size_t i = 0; i < pl->nh; i++)
        if (pl->h[i].member && pl->h[i].up && pl->h[i].n > 0 &&
            (all || (pl->h[i].cap > 0 && pl->h[i].req / pl->h[i].cap > t))) {
            push_host(L, pl, (vp_id)i);
            lua_rawseti(L, -2, ++k);
        }
    return 1;
}

static const plan *sort_plan; /* qsort has no context argument */

static int by_u(const void *a, const void *b)
{
    vp_id x = *(const vp_id *)a, y = *(const vp_id *)b;
    double ux = sort_plan->h[x].u_last, uy = sort_plan->h[y].u_last;
    return ux < uy ? -1 : ux > uy ? 1 : (x > y) - (x < y);
}

/* The member hosts with 0 < u < 1 in none of mask's sets, least u first
 * (ties: lower id), into ids (room for nh); returns how many. */
static size_t by_utilization(plan *pl, vp_id *ids, uint8_t mask)
{
    size_t n = 0;
    for (size_t i = 0; i < pl->nh; i++) {
        const plan_host *h = &pl->h[i];
        if (h->member && !(h->excl & mask) && h->u_last > 0 && h->u_last < 1)
            ids[n++] = (vp_id)i;
    }
    sort_plan = pl;
    qsort(ids, n, sizeof *ids, by_u);
    return n;
}

static int m_by_utilization(lua_State *L)
{
    plan *pl = toplan(L);
    uint8_t mask = arg_sets(L, 2);
    vp_id *ids = sr(L, NULL, 0, (pl->nh + 1) * sizeof *ids);
    size_t n = by_utilization(pl, ids, mask);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        push_host(L, pl, ids[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    sr(L, ids, (pl->nh + 1) * sizeof *ids, 0);
    return 1;
}

/* The order of all candidates is made once (u is fixed for the plan); a
 * cursor per mask skips the hosts found in the sets, for good, as a host
 * never leaves a set. */
static int m_least_utilized(lua_State *L)
{
    plan *pl = toplan(L);
    uint8_t mask = arg_sets(L, 2);
    if (!pl->under) { /* at and at_mask start at 0 */
        pl->under = sr(L, NULL, 0, (pl->nh + 1) * sizeof *pl->under);
        pl->nunder = by_utilization(pl, pl->under, 0);
    }
    if (mask != pl->at_mask) {
        pl->at = 0;
        pl->at_mask = mask;
    }
    while (pl->at < pl->nunder && (pl->h[pl->under[pl->at]].excl & mask))
        pl->at++;
    if (pl->at == pl->nunder)
        return lua_pushnil(L), 1;
    push_host(L, pl, pl->under[pl->at]);
    return 1;
}

/* ====== the class ====== */

static const void *resolve(lua_State *L, const lb_proxy *p) { return p; }

static bool describe(lua_State *L, const void *self)
{
    lua_pushfstring(L, "Plan(%d hosts)", (int)((const plan *)self)->nh);
    return true;
}

static const luaL_Reg meta[] = {{"__gc", plan_gc}, {NULL, NULL}};
static const luaL_Reg methods[] = {{"vms", m_vms},
                                   {"count", m_count},
                                   {"add", m_add},
                                   {"create", m_create},
                                   {"remove", m_remove},
                                   {"requested", m_requested},
                                   {"load", m_load},
                                   {"available", m_available},
                                   {"utilization", m_utilization},
                                   {"capacity", m_capacity},
                                   {"loaded", m_loaded},
                                   {"request", m_request},
                                   {"smallest", m_smallest},
                                   {"exclude_off", m_exclude_off},
                                   {"history", m_history},
                                   {"largest", m_largest},
                                   {"suitable", m_suitable},
                                   {"exclude", m_exclude},
                                   {"excluded", m_excluded},
                                   {"best_fit_power", m_best_fit_power},
                                   {"evacuate", m_evacuate},
                                   {"place_each", m_place_each},
                                   {"first_fit", m_first_fit},
                                   {"by_utilization", m_by_utilization},
                                   {"least_utilized", m_least_utilized},
                                   {NULL, NULL}};
static const luaL_Reg module[] = {{"Plan", plan_new}, {NULL, NULL}};

const lb_class lb_plan_class = {
    .name = LB_PLAN,
    .meta = meta,
    .methods = methods,
    .resolve = resolve,
    .describe = describe,
    .module = module,
};
