/*
 * pool.c - hosts, VMs and the capacity they hold.
 *
 * Provides: the operations of pool.h.  Hosts and VMs live in arrays
 * indexed by id (ids are never reused) and in uthash tables by name.
 * Each host keeps two id lists: resident VMs and incoming migrations; a
 * VM remembers its slot in each so removal is O(1) (swap with last).
 * Uses: uthash, err.h, resources.h.
 */
#include "pool.h"

#include "array.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* VMs live in slabs indexed by id: VM id i is vms[i % VM_SLAB] of slab
 * i / VM_SLAB, so a look-up by id is one dependent load and VMs created
 * together sit together.  Ids are never reused; a slab whose ids were
 * all handed out and whose VMs were all removed is freed.  Each slab also
 * keeps, per VM, its index in its host's resident list and in its
 * destination's incoming list (dense, so that fixing the index of a VM
 * moved by a removal does not touch that VM's struct). */
#define VM_SLAB_SHIFT 10
#define VM_SLAB (1u << VM_SLAB_SHIFT)

struct vm_slab {
    vp_vm vms[VM_SLAB];
    uint32_t slot[VM_SLAB];
    uint32_t dest_slot[VM_SLAB];
    uint32_t live;
};

#define VM_STATES (VP_VM_STOPPED + 1) /* values of vp_vm_state */

struct vp_pool {
    vp_host **hosts;
    struct vm_slab **slabs;  /* by id >> VM_SLAB_SHIFT; NULL once freed */
    vp_id nhosts, nvms;      /* ids handed out */
    size_t capHosts, capSlabs;
    size_t live_hosts, live_vms;
    size_t vms_in[VM_STATES]; /* live VMs by state */
    size_t draining;     /* hosts in state draining */
    vp_host *host_by_name;
    vp_vm *vm_by_name;
    vp_res free_up;   /* sum over up hosts of limit - used - reserved */
    vp_res up_limit, up_used; /* sums over up hosts of limit, of used */
    size_t up_hosts;
    vp_res reserved;  /* pool-level reservation */
    bool has_reserve; /* reserved is not all zero */
    uint32_t hist_len; /* samples kept per history */
    vp_pool_change_fn on_change; /* told when a host's VMs change (vp_pool_on_change) */
    void *on_change_ud;
};

static const char *const host_state_names[] = {"up", "draining", "down"};
static const char *const vm_state_names[VM_STATES] = {"pending", "running", "migrating", "stopped"};

const char *vp_host_state_name(vp_host_state s) { return host_state_names[s]; }
const char *vp_vm_state_name(vp_vm_state s) { return vm_state_names[s]; }

/* Every change of a VM's state goes through here (the counts by state). */
static void set_vm_state(vp_pool *pool, vp_vm *v, vp_vm_state s)
{
    pool->vms_in[v->state]--;
    pool->vms_in[s]++;
    v->state = s;
}

/* ====== id lists ====== */

static void changed(vp_pool *pool, vp_id host)
{
    if (pool->on_change)
        pool->on_change(pool->on_change_ud, host);
}

void vp_pool_on_change(vp_pool *pool, vp_pool_change_fn fn, void *ud)
{
    pool->on_change = fn;
    pool->on_change_ud = ud;
}

/* Makes room for one more id; after it succeeds, idlist_push cannot fail.
 * inline_buf is the list's in-struct buffer (or NULL): it is never freed. */
static int idlist_reserve(vp_idlist *l, const vp_id *inline_buf)
{
    if (l->n < l->cap)
        return 0;
    uint32_t cap = l->cap ? l->cap * 2 : 4;
    bool was_inline = l->ids && l->ids == inline_buf;
    vp_id *ids = realloc(was_inline ? NULL : l->ids, cap * sizeof *ids);
    if (!ids)
        return -1;
    if (was_inline)
        memcpy(ids, l->ids, l->n * sizeof *ids);
    l->ids = ids;
    l->cap = cap;
    return 0;
}

static int idlist_push(vp_idlist *l, const vp_id *inline_buf, vp_id id, uint32_t *slot)
{
    if (idlist_reserve(l, inline_buf))
        return -1;
    *slot = l->n;
    l->ids[l->n++] = id;
    return 0;
}

/* ====== creation and look-up ====== */

vp_pool *vp_pool_new(void)
{
    vp_pool *pool = calloc(1, sizeof(vp_pool));
    if (pool)
        pool->hist_len = 30;
    return pool;
}

static void host_free(vp_host *h)
{
    free(h->name);
    vp_history_clear(&h->cpu);
    if (h->vms.ids != h->vms_inline)
        free(h->vms.ids);
    free(h->incoming.ids);
    free(h);
}

void vp_pool_free(vp_pool *pool)
{
    if (!pool)
        return;
    HASH_CLEAR(hh, pool->host_by_name);
    HASH_CLEAR(hh, pool->vm_by_name);
    for (vp_id i = 0; i < pool->nhosts; i++)
        if (pool->hosts[i])
            host_free(pool->hosts[i]);
    for (vp_id i = 0; i < pool->nvms; i++) {
        vp_vm *v = vp_pool_vm(pool, i);
        if (v) {
            free(v->name);
            vp_history_clear(&v->cpu);
        }
    }
    for (size_t k = 0; pool->nvms && k <= (pool->nvms - 1) >> VM_SLAB_SHIFT; k++)
        free(pool->slabs[k]);
    free(pool->hosts);
    free(pool->slabs);
    free(pool);
}

static struct vm_slab *slab_of(const vp_pool *pool, vp_id id)
{
    return pool->slabs[id >> VM_SLAB_SHIFT];
}

/* Where VM id lives in its slab (a removed VM's place too); NULL past the
 * ids or in a freed slab. */
static vp_vm *vm_place(const vp_pool *pool, vp_id id)
{
    return id < pool->nvms && slab_of(pool, id) ? &slab_of(pool, id)->vms[id & (VM_SLAB - 1)]
                                                : NULL;
}

/* Index of VM id in its host's resident list / destination's incoming list. */
#define SLOT(pool, id) (slab_of(pool, id)->slot[(id) & (VM_SLAB - 1)])
#define DEST_SLOT(pool, id) (slab_of(pool, id)->dest_slot[(id) & (VM_SLAB - 1)])

/* The struct for the next VM id, in a new slab when the last is full. */
static vp_vm *vm_struct_new(vp_pool *pool)
{
    vp_id id = pool->nvms;
    size_t k = id >> VM_SLAB_SHIFT;
    if ((id & (VM_SLAB - 1)) == 0) {
        if (vp_array_reserve((void **)&pool->slabs, &pool->capSlabs, k + 1, sizeof *pool->slabs))
            return NULL;
        size_t size = (sizeof(struct vm_slab) + 63) / 64 * 64;
        if (!(pool->slabs[k] = aligned_alloc(64, size)))
            return NULL;
        memset(pool->slabs[k], 0, size);
    }
    vp_vm *v = &pool->slabs[k]->vms[id & (VM_SLAB - 1)];
    v->id = id;
    return v;
}

/* Forgets v; frees its slab once every id in it was used and removed. */
static void vm_struct_free(vp_pool *pool, vp_vm *v)
{
    size_t k = v->id >> VM_SLAB_SHIFT;
    free(v->name);
    v->name = NULL;
    vp_history_clear(&v->cpu);
    if (--pool->slabs[k]->live == 0 && (k + 1) << VM_SLAB_SHIFT <= pool->nvms) {
        free(pool->slabs[k]);
        pool->slabs[k] = NULL;
    }
}

static int check_new_name(const char *name, const char *what, bool taken, vp_err *err)
{
    if (!name || !name[0])
        return vp_err_set(err, "%s name is empty", what);
    if (taken)
        return vp_err_set(err, "%s '%s' already exists", what, name);
    return 0;
}

vp_id vp_pool_add_host(vp_pool *pool, const char *name, vp_res capacity, vp_res overcommit,
                       vp_err *err)
{
    if (check_new_name(name, "host", name && vp_pool_find_host(pool, name) != VP_NONE, err))
        return VP_NONE;
    if (!vp_res_nonneg(capacity))
        return vp_err_set(err, "host '%s': negative capacity", name), VP_NONE;
    for (int i = 0; i < VP_RES_N; i++)
        if (!(overcommit.v[i] > 0))
            return vp_err_set(err, "host '%s': overcommit must be > 0", name), VP_NONE;
    vp_host *h = aligned_alloc(64, sizeof *h); /* sizeof is a multiple of 64 */
    if (h)
        memset(h, 0, sizeof *h);
    if (!h || vp_array_reserve((void **)&pool->hosts, &pool->capHosts, pool->nhosts + 1,
                               sizeof *pool->hosts) || !(h->name = strdup(name))) {
        free(h);
        return vp_err_set(err, "out of memory"), VP_NONE;
    }
    h->id = pool->nhosts++;
    h->vms.ids = h->vms_inline;
    h->vms.cap = VP_HOST_INLINE_VMS;
    h->type = -1;
    h->capacity = capacity;
    h->cores = 1;
    h->overcommit = overcommit;
    h->limit = vp_res_mul(capacity, overcommit);
    pool->hosts[h->id] = h;
    pool->live_hosts++;
    pool->free_up = vp_res_add(pool->free_up, h->limit);
    pool->up_limit = vp_res_add(pool->up_limit, h->limit);
    pool->up_hosts++;
    HASH_ADD_KEYPTR(hh, pool->host_by_name, h->name, strlen(h->name), h);
    return h->id;
}

vp_id vp_pool_add_vm(vp_pool *pool, const char *name, vp_res size, vp_err *err)
{
    if (check_new_name(name, "VM", name && vp_pool_find_vm(pool, name) != VP_NONE, err))
        return VP_NONE;
    if (!vp_res_nonneg(size))
        return vp_err_set(err, "VM '%s': negative size", name), VP_NONE;
    vp_vm *v = vm_struct_new(pool);
    if (!v || !(v->name = strdup(name)))
        return vp_err_set(err, "out of memory"), VP_NONE;
    pool->nvms++;
    slab_of(pool, v->id)->live++;
    v->state = VP_VM_PENDING;
    pool->vms_in[VP_VM_PENDING]++;
    v->type = -1;
    v->size = size;
    v->host = v->dest = VP_NONE;
    pool->live_vms++;
    HASH_ADD_KEYPTR(hh, pool->vm_by_name, v->name, strlen(v->name), v);
    return v->id;
}

int vp_pool_remove_vm(vp_pool *pool, vp_id id, vp_err *err)
{
    vp_vm *v = vp_pool_vm(pool, id);
    if (!v)
        return vp_err_set(err, "no VM with id %u", id);
    if (v->state != VP_VM_PENDING && v->state != VP_VM_STOPPED)
        return vp_err_set(err, "VM '%s' is %s: release it first", v->name,
                          vp_vm_state_name(v->state));
    HASH_DEL(pool->vm_by_name, v);
    pool->live_vms--;
    pool->vms_in[v->state]--;
    vm_struct_free(pool, v);
    return 0;
}

vp_host *vp_pool_host(const vp_pool *pool, vp_id id)
{
    return id < pool->nhosts ? pool->hosts[id] : NULL;
}

void vp_pool_prefetch_vm(const vp_pool *pool, vp_id id)
{
    const vp_vm *v = vm_place(pool, id);
    if (v) {
        __builtin_prefetch(v);
        __builtin_prefetch(&v->demand);
    }
}

/* Where the next sample of h goes. */
static const double *history_slot(const vp_history *h)
{
    return h->v ? h->v + (h->head < h->cap ? h->head : 0) : NULL;
}

void vp_pool_prefetch_host(const vp_pool *pool, vp_id id)
{
    const vp_host *h = vp_pool_host(pool, id);
    for (int k = 0; h && k < 3; k++)
        __builtin_prefetch((const char *)h + 64 * k);
}

void vp_pool_prefetch_residents(const vp_pool *pool, vp_id id)
{
    const vp_host *h = vp_pool_host(pool, id);
    for (uint32_t k = 0; h && k < h->vms.n; k++)
        vp_pool_prefetch_vm(pool, h->vms.ids[k]);
}

void vp_pool_prefetch_sample(const vp_pool *pool, vp_id host, int stage)
{
    const vp_host *h = vp_pool_host(pool, host);
    if (!h)
        return;
    if (stage == 0) {
        vp_pool_prefetch_host(pool, host);
        __builtin_prefetch(&h->cpu);
        return;
    }
    if (stage == 1)
        __builtin_prefetch(history_slot(&h->cpu), 1);
    for (uint32_t i = 0; i < h->vms.n; i++) {
        const vp_vm *v = vm_place(pool, h->vms.ids[i]);
        if (!v)
            continue;
        if (stage == 1) {
            __builtin_prefetch(v);
            __builtin_prefetch(&v->demand, 1);
            __builtin_prefetch(&v->cpu, 1);
        } else {
            __builtin_prefetch(history_slot(&v->cpu), 1);
        }
    }
}

vp_vm *vp_pool_vm(const vp_pool *pool, vp_id id)
{
    vp_vm *v = vm_place(pool, id);
    return v && v->name ? v : NULL;
}

vp_id vp_pool_find_host(const vp_pool *pool, const char *name)
{
    vp_host *h;
    HASH_FIND_STR(pool->host_by_name, name, h);
    return h ? h->id : VP_NONE;
}

vp_id vp_pool_find_vm(const vp_pool *pool, const char *name)
{
    vp_vm *v;
    HASH_FIND_STR(pool->vm_by_name, name, v);
    return v ? v->id : VP_NONE;
}

size_t vp_pool_host_count(const vp_pool *pool) { return pool->live_hosts; }
size_t vp_pool_vm_count(const vp_pool *pool) { return pool->live_vms; }

size_t vp_pool_vm_count_in(const vp_pool *pool, vp_vm_state s) { return pool->vms_in[s]; }
vp_id vp_pool_host_end(const vp_pool *pool) { return pool->nhosts; }
vp_id vp_pool_vm_end(const vp_pool *pool) { return pool->nvms; }

/* ====== accounting ====== */

vp_res vp_pool_host_free(const vp_host *h)
{
    return vp_res_sub(vp_res_sub(h->limit, h->used), h->reserved);
}

vp_res vp_pool_free_total(const vp_pool *pool) { return pool->free_up; }

size_t vp_pool_up_totals(const vp_pool *pool, vp_res *limit, vp_res *used)
{
    *limit = pool->up_limit;
    *used = pool->up_used;
    return pool->up_hosts;
}
vp_res vp_pool_reservation(const vp_pool *pool) { return pool->reserved; }

/* Adds (sign +1) or removes (-1) size on host h, keeping free_up. */
static void host_charge(vp_pool *pool, vp_host *h, vp_res size, int sign)
{
    for (int i = 0; i < VP_RES_N; i++)
        h->used.v[i] += sign * size.v[i];
    if (h->state == VP_HOST_UP)
        for (int i = 0; i < VP_RES_N; i++) {
            pool->free_up.v[i] -= sign * size.v[i];
            pool->up_used.v[i] += sign * size.v[i];
        }
}

static void host_add_demand(vp_host *h, vp_res d, int sign)
{
    for (int i = 0; i < VP_RES_N; i++)
        h->demand.v[i] += sign * d.v[i];
}

static int check_host(const vp_pool *pool, const vp_host *h, vp_err *err);
static int check_vm(const vp_pool *pool, const vp_vm *v, vp_err *err);
#ifdef VP_POOL_CHECKS
#include <stdio.h>
/* Debug builds: re-check what an operation touched; abort on a broken invariant. */
static void recheck(const vp_pool *pool, vp_id vm, vp_id h1, vp_id h2)
{
    vp_err e = {0};
    vp_host *a = vp_pool_host(pool, h1), *b = vp_pool_host(pool, h2);
    vp_vm *v = vp_pool_vm(pool, vm);
    if ((v && check_vm(pool, v, &e)) || (a && check_host(pool, a, &e)) ||
        (b && check_host(pool, b, &e))) {
        fprintf(stderr, "vmpilot: pool invariant broken: %s\n", e.text);
        abort();
    }
}
#define RECHECK(pool, vm, h1, h2) recheck(pool, vm, h1, h2)
#else
#define RECHECK(pool, vm, h1, h2) ((void)0)
#endif

/* ====== operations ====== */

static int host_fits(const vp_vm *v, const vp_host *h, vp_err *err)
{
    if (h->state != VP_HOST_UP)
        return vp_err_set(err, "host '%s' is %s", h->name, vp_host_state_name(h->state));
    vp_res free_res = vp_pool_host_free(h);
    int i = vp_res_first_over(v->size, free_res);
    if (i >= 0)
        return vp_err_set(err, "VM '%s' needs %g %s, host '%s' has %g free", v->name,
                          v->size.v[i], vp_res_names[i], h->name, free_res.v[i]);
    return 0;
}

/* The pool-level reservation: placing v must leave at least it free. */
static int pool_fits(const vp_pool *pool, const vp_vm *v, vp_err *err)
{
    if (!pool->has_reserve)
        return 0;
    vp_res after = vp_res_sub(pool->free_up, v->size);
    for (int i = 0; i < VP_RES_N; i++)
        if (pool->reserved.v[i] > 0 && after.v[i] < pool->reserved.v[i] - VP_RES_EPS)
            return vp_err_set(err, "placing VM '%s' would leave %g %s free in the pool, "
                                   "below the pool reservation of %g",
                              v->name, after.v[i], vp_res_names[i], pool->reserved.v[i]);
    return 0;
}

int vp_pool_host_fits(const vp_pool *pool, vp_id vm, vp_id host, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(pool, vm);
    const vp_host *h = vp_pool_host(pool, host);
    if (!v || !h)
        return vp_err_set(err, "no %s with id %u", v ? "host" : "VM", v ? host : vm);
    return host_fits(v, h, err);
}

int vp_pool_fits(const vp_pool *pool, vp_id vm, vp_id host, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(pool, vm);
    const vp_host *h = vp_pool_host(pool, host);
    if (!v || !h)
        return vp_err_set(err, "no %s with id %u", v ? "host" : "VM", v ? host : vm);
    return host_fits(v, h, err) || pool_fits(pool, v, err) ? -1 : 0;
}

int vp_pool_allocate(vp_pool *pool, vp_id vm, vp_id host, vp_err *err)
{
    vp_vm *v = vp_pool_vm(pool, vm);
    if (v && v->state != VP_VM_PENDING && v->state != VP_VM_STOPPED)
        return vp_err_set(err, "VM '%s' is already %s", v->name, vp_vm_state_name(v->state));
    if (vp_pool_fits(pool, vm, host, err))
        return -1;
    vp_host *h = pool->hosts[host];
    if (idlist_push(&h->vms, h->vms_inline, vm, &SLOT(pool, vm)))
        return vp_err_set(err, "out of memory");
    changed(pool, host);
    v->host = host;
    set_vm_state(pool, v, VP_VM_RUNNING);
    v->allocated = v->size;
    host_charge(pool, h, v->size, +1);
    host_add_demand(h, v->demand, +1);
    RECHECK(pool, vm, host, VP_NONE);
    return 0;
}

/* Removes v from list l (its resident list, or with dest its destination's
 * incoming list), keeping the order of the rest: a host's VMs stay in
 * arrival order, which policies may rely on ("the oldest VM"). */
static void idlist_remove_ordered(vp_pool *pool, vp_idlist *l, vp_id vm, bool dest)
{
    for (uint32_t i = (dest ? DEST_SLOT(pool, vm) : SLOT(pool, vm)) + 1; i < l->n; i++) {
        vp_id id = l->ids[i - 1] = l->ids[i];
        if (dest)
            DEST_SLOT(pool, id) = i - 1;
        else
            SLOT(pool, id) = i - 1;
    }
    l->n--;
}

/* Takes v off its host's resident list. */
static void unlink_resident(vp_pool *pool, vp_vm *v)
{
    vp_host *h = pool->hosts[v->host];
    idlist_remove_ordered(pool, &h->vms, v->id, false);
    host_charge(pool, h, v->size, -1);
    host_add_demand(h, v->demand, -1);
}

static void unlink_incoming(vp_pool *pool, vp_vm *v)
{
    vp_host *d = pool->hosts[v->dest];
    idlist_remove_ordered(pool, &d->incoming, v->id, true);
    host_charge(pool, d, v->size, -1);
}

static vp_vm *vm_in_state(vp_pool *pool, vp_id vm, vp_vm_state want, vp_err *err)
{
    vp_vm *v = vp_pool_vm(pool, vm);
    if (!v)
        return vp_err_set(err, "no VM with id %u", vm), NULL;
    if (v->state != want)
        return vp_err_set(err, "VM '%s' is %s, not %s", v->name, vp_vm_state_name(v->state),
                          vp_vm_state_name(want)),
               NULL;
    return v;
}

int vp_pool_release(vp_pool *pool, vp_id vm, vp_err *err)
{
    vp_vm *v = vm_in_state(pool, vm, VP_VM_RUNNING, err);
    if (!v)
        return -1;
    vp_id host = v->host;
    unlink_resident(pool, v);
    changed(pool, host);
    v->host = VP_NONE;
    set_vm_state(pool, v, VP_VM_STOPPED);
    RECHECK(pool, vm, host, VP_NONE);
    return 0;
}

int vp_pool_begin_migration(vp_pool *pool, vp_id vm, vp_id dst, vp_err *err)
{
    vp_vm *v = vm_in_state(pool, vm, VP_VM_RUNNING, err);
    vp_host *d = vp_pool_host(pool, dst);
    if (!v)
        return -1;
    if (!d)
        return vp_err_set(err, "no host with id %u", dst);
    if (dst == v->host)
        return vp_err_set(err, "VM '%s' is already on host '%s'", v->name, d->name);
    if (host_fits(v, d, err))
        return -1;
    if (idlist_push(&d->incoming, NULL, vm, &DEST_SLOT(pool, vm)))
        return vp_err_set(err, "out of memory");
    changed(pool, v->host);
    changed(pool, dst);
    v->dest = dst;
    set_vm_state(pool, v, VP_VM_MIGRATING);
    host_charge(pool, d, v->size, +1);
    RECHECK(pool, vm, v->host, dst);
    return 0;
}

int vp_pool_end_migration(vp_pool *pool, vp_id vm, vp_err *err)
{
    vp_vm *v = vm_in_state(pool, vm, VP_VM_MIGRATING, err);
    if (!v)
        return -1;
    vp_id src = v->host, dst = v->dest;
    vp_host *d = pool->hosts[dst];
    if (idlist_reserve(&d->vms, d->vms_inline)) /* so nothing below can fail */
        return vp_err_set(err, "out of memory");
    unlink_resident(pool, v);
    unlink_incoming(pool, v);
    (void)idlist_push(&d->vms, d->vms_inline, vm, &SLOT(pool, vm));
    changed(pool, src);
    changed(pool, dst);
    v->host = dst;
    v->dest = VP_NONE;
    set_vm_state(pool, v, VP_VM_RUNNING);
    host_charge(pool, d, v->size, +1);
    host_add_demand(d, v->demand, +1);
    RECHECK(pool, vm, src, dst);
    return 0;
}

int vp_pool_abort_migration(vp_pool *pool, vp_id vm, vp_err *err)
{
    vp_vm *v = vm_in_state(pool, vm, VP_VM_MIGRATING, err);
    if (!v)
        return -1;
    vp_id dst = v->dest;
    unlink_incoming(pool, v);
    changed(pool, v->host);
    changed(pool, dst);
    v->dest = VP_NONE;
    set_vm_state(pool, v, VP_VM_RUNNING);
    RECHECK(pool, vm, v->host, dst);
    return 0;
}

/* ====== settings ====== */

int vp_pool_set_host_state(vp_pool *pool, vp_id host, vp_host_state state, vp_err *err)
{
    vp_host *h = vp_pool_host(pool, host);
    if (!h)
        return vp_err_set(err, "no host with id %u", host);
    int d = (state == VP_HOST_UP) - (h->state == VP_HOST_UP); /* joins (+1) or leaves (-1) */
    vp_res free_res = vp_pool_host_free(h);
    for (int i = 0; d && i < VP_RES_N; i++) {
        pool->free_up.v[i] += d * free_res.v[i];
        pool->up_limit.v[i] += d * h->limit.v[i];
        pool->up_used.v[i] += d * h->used.v[i];
    }
    pool->up_hosts += (size_t)d;
    pool->draining += (state == VP_HOST_DRAINING) - (h->state == VP_HOST_DRAINING);
    h->state = state;
    return 0;
}

size_t vp_pool_draining_count(const vp_pool *pool) { return pool->draining; }

/* Changes a host's reservation or limit, keeping free_up and up_limit
 * right. */
static void host_retune(vp_pool *pool, vp_host *h, vp_res limit, vp_res reserved)
{
    if (h->state == VP_HOST_UP) {
        pool->free_up = vp_res_sub(pool->free_up, vp_pool_host_free(h));
        pool->up_limit = vp_res_sub(pool->up_limit, h->limit);
    }
    h->limit = limit;
    h->reserved = reserved;
    if (h->state == VP_HOST_UP) {
        pool->free_up = vp_res_add(pool->free_up, vp_pool_host_free(h));
        pool->up_limit = vp_res_add(pool->up_limit, h->limit);
    }
}

int vp_pool_set_reservation(vp_pool *pool, vp_id host, vp_res reserved, vp_err *err)
{
    vp_host *h = vp_pool_host(pool, host);
    if (!h)
        return vp_err_set(err, "no host with id %u", host);
    if (!vp_res_nonneg(reserved))
        return vp_err_set(err, "host '%s': negative reservation", h->name);
    if (vp_res_eq(reserved, h->reserved))
        return 0; /* unchanged: the free sum is left as it is, not rounded again */
    host_retune(pool, h, h->limit, reserved);
    return 0;
}

int vp_pool_set_pool_reservation(vp_pool *pool, vp_res reserved, vp_err *err)
{
    if (!vp_res_nonneg(reserved))
        return vp_err_set(err, "negative pool reservation");
    pool->reserved = reserved;
    pool->has_reserve = !vp_res_le(reserved, vp_res_zero());
    return 0;
}

int vp_pool_set_overcommit(vp_pool *pool, vp_id host, vp_res overcommit, vp_err *err)
{
    vp_host *h = vp_pool_host(pool, host);
    if (!h)
        return vp_err_set(err, "no host with id %u", host);
    vp_res limit = vp_res_mul(h->capacity, overcommit);
    for (int i = 0; i < VP_RES_N; i++)
        if (!(overcommit.v[i] > 0))
            return vp_err_set(err, "host '%s': overcommit must be > 0", h->name);
    if (!vp_res_le(h->used, limit))
        return vp_err_set(err, "host '%s': lowering overcommit would put it over capacity",
                          h->name);
    h->overcommit = overcommit;
    host_retune(pool, h, limit, h->reserved);
    return 0;
}

int vp_pool_set_capacity(vp_pool *pool, vp_id host, vp_res capacity, vp_err *err)
{
    vp_host *h = vp_pool_host(pool, host);
    if (!h)
        return vp_err_set(err, "no host with id %u", host);
    if (!vp_res_nonneg(capacity))
        return vp_err_set(err, "host '%s': negative capacity", h->name);
    vp_res limit = vp_res_mul(capacity, h->overcommit);
    if (!vp_res_le(h->used, limit))
        return vp_err_set(err, "host '%s': the new capacity is below what its VMs use",
                          h->name);
    h->capacity = capacity;
    host_retune(pool, h, limit, h->reserved);
    return 0;
}

void vp_pool_set_demand(vp_pool *pool, vp_id vm, vp_res demand)
{
    vp_vm *v = vp_pool_vm(pool, vm);
    if (!v)
        return;
    if (v->host != VP_NONE)
        host_add_demand(pool->hosts[v->host], vp_res_sub(demand, v->demand), +1);
    v->demand = demand;
}

void vp_pool_set_allocated(vp_pool *pool, vp_id vm, vp_res allocated)
{
    vp_vm *v = vp_pool_vm(pool, vm);
    if (v)
        v->allocated = allocated;
}

void vp_pool_set_host_allocated(vp_pool *pool, vp_id host, vp_res allocated)
{
    vp_host *h = vp_pool_host(pool, host);
    if (h)
        h->allocated = allocated;
}

void vp_pool_set_host_cores(vp_pool *pool, vp_id host, int cores)
{
    vp_host *h = vp_pool_host(pool, host);
    if (h)
        h->cores = cores < 1 ? 1 : cores;
}

static double frac(double x, double of) { return of > 0 ? x / of : 0; }

/* One pass over the host's VMs, just sampled and still in cache. */
void vp_pool_sample_done(vp_pool *pool, vp_id host)
{
    vp_host *h = vp_pool_host(pool, host);
    if (!h)
        return;
    h->allocated = h->demand;
    if (h->state != VP_HOST_DOWN)
        (void)vp_history_push(&h->cpu, pool->hist_len,
                              frac(h->demand.v[VP_CPU], h->capacity.v[VP_CPU]));
    for (uint32_t i = 0; i < h->vms.n; i++) {
        vp_vm *v = vp_pool_vm(pool, h->vms.ids[i]);
        v->allocated = v->demand;
        (void)vp_history_push(&v->cpu, pool->hist_len,
                              frac(v->demand.v[VP_CPU], v->size.v[VP_CPU]));
    }
}

void vp_pool_set_history_length(vp_pool *pool, uint32_t length) { pool->hist_len = length; }
uint32_t vp_pool_history_length(const vp_pool *pool) { return pool->hist_len; }

void vp_pool_set_host_type(vp_pool *pool, vp_id host, int type)
{
    vp_host *h = vp_pool_host(pool, host);
    if (h)
        h->type = type;
}

void vp_pool_set_host_model(vp_pool *pool, vp_id host, const char *type_name,
                            const double *power)
{
    vp_host *h = vp_pool_host(pool, host);
    if (h) {
        h->type_name = type_name;
        h->power = power;
    }
}

void vp_pool_set_vm_type(vp_pool *pool, vp_id vm, int type)
{
    vp_vm *v = vp_pool_vm(pool, vm);
    if (v)
        v->type = type;
}

/* ====== invariants ====== */

static bool near(double a, double b)
{
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= 1e-6 * (m > 1 ? m : 1);
}

static bool res_near(vp_res a, vp_res b)
{
    for (int i = 0; i < VP_RES_N; i++)
        if (!near(a.v[i], b.v[i]))
            return false;
    return true;
}

static int check_list(const vp_pool *pool, const vp_host *h, bool incoming, vp_res *sum,
                      vp_err *err)
{
    const vp_idlist *l = incoming ? &h->incoming : &h->vms;
    for (uint32_t i = 0; i < l->n; i++) {
        const vp_vm *v = vp_pool_vm(pool, l->ids[i]);
        if (!v)
            return vp_err_set(err, "host '%s' lists unknown VM id %u", h->name, l->ids[i]);
        bool ok = incoming ? (v->dest == h->id && DEST_SLOT(pool, v->id) == i)
                           : (v->host == h->id && SLOT(pool, v->id) == i);
        if (!ok)
            return vp_err_set(err, "host '%s' lists VM '%s' as %s, but the VM disagrees",
                              h->name, v->name, incoming ? "incoming" : "resident");
        *sum = vp_res_add(*sum, v->size);
    }
    return 0;
}

static int check_host(const vp_pool *pool, const vp_host *h, vp_err *err)
{
    vp_res sum = vp_res_zero(), demand = vp_res_zero();
    if (check_list(pool, h, false, &sum, err) || check_list(pool, h, true, &sum, err))
        return -1;
    for (uint32_t i = 0; i < h->vms.n; i++)
        demand = vp_res_add(demand, vp_pool_vm(pool, h->vms.ids[i])->demand);
    if (!res_near(sum, h->used))
        return vp_err_set(err, "host '%s': used cpu %g memory %g, but its VMs hold %g and %g",
                          h->name, h->used.v[VP_CPU], h->used.v[VP_MEM], sum.v[VP_CPU],
                          sum.v[VP_MEM]);
    if (!vp_res_le(h->used, h->limit))
        return vp_err_set(err, "host '%s' is over its overcommitted capacity", h->name);
    if (!vp_res_nonneg(h->reserved))
        return vp_err_set(err, "host '%s' has a negative reservation", h->name);
    if (!res_near(demand, h->demand))
        return vp_err_set(err, "host '%s': demand sum is stale", h->name);
    return 0;
}

static int check_vm(const vp_pool *pool, const vp_vm *v, vp_err *err)
{
    const vp_host *h = vp_pool_host(pool, v->host), *d = vp_pool_host(pool, v->dest);
    bool placed = v->state == VP_VM_RUNNING || v->state == VP_VM_MIGRATING;
    if (placed != (h != NULL))
        return vp_err_set(err, "VM '%s' is %s but %s a host", v->name,
                          vp_vm_state_name(v->state), h ? "has" : "has no");
    if ((v->state == VP_VM_MIGRATING) != (d != NULL))
        return vp_err_set(err, "VM '%s' is %s but %s a destination", v->name,
                          vp_vm_state_name(v->state), d ? "has" : "has no");
    uint32_t slot = SLOT(pool, v->id), dslot = DEST_SLOT(pool, v->id);
    if (h && (slot >= h->vms.n || h->vms.ids[slot] != v->id))
        return vp_err_set(err, "VM '%s' is not on its host '%s'", v->name, h->name);
    if (d && (d == h || dslot >= d->incoming.n || d->incoming.ids[dslot] != v->id))
        return vp_err_set(err, "VM '%s' is not incoming on its destination '%s'", v->name,
                          d->name);
    return 0;
}

int vp_pool_check(const vp_pool *pool, vp_err *err)
{
    vp_res free_up = vp_res_zero(), limit = vp_res_zero(), used = vp_res_zero();
    size_t placed = 0, listed = 0, in[VM_STATES] = {0}, up = 0;
    for (vp_id i = 0; i < pool->nhosts; i++) {
        const vp_host *h = pool->hosts[i];
        if (!h)
            continue;
        if (check_host(pool, h, err))
            return -1;
        listed += h->vms.n;
        if (h->state == VP_HOST_UP) {
            free_up = vp_res_add(free_up, vp_pool_host_free(h));
            limit = vp_res_add(limit, h->limit);
            used = vp_res_add(used, h->used);
            up++;
        }
    }
    for (vp_id i = 0; i < pool->nvms; i++) {
        const vp_vm *v = vp_pool_vm(pool, i);
        if (v && check_vm(pool, v, err))
            return -1;
        placed += v && v->host != VP_NONE;
        if (v)
            in[v->state]++;
    }
    if (placed != listed)
        return vp_err_set(err, "%zu VMs are placed but hosts list %zu", placed, listed);
    for (int k = 0; k < VM_STATES; k++)
        if (in[k] != pool->vms_in[k])
            return vp_err_set(err, "%zu VMs are %s but the pool counts %zu", in[k],
                              vm_state_names[k], pool->vms_in[k]);
    if (!res_near(free_up, pool->free_up))
        return vp_err_set(err, "pool free capacity is stale");
    if (up != pool->up_hosts || !res_near(limit, pool->up_limit) || !res_near(used, pool->up_used))
        return vp_err_set(err, "pool sums over up hosts are stale");
    return 0;
}
