/*
 * policy_builtin.c - the decision slots in plain C.
 *
 * Provides: vp_policy_builtin() (see policy.h) and the vp_moves helpers.
 * These stand-ins let the engine be tested without Lua (a slot the config
 * names no script for runs the shipped default Lua policy instead).
 * Uses: policy.h, pool.h.
 */
#include "policy.h"

#include "array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ====== vp_moves ====== */

int vp_moves_push(vp_moves *m, vp_id vm, vp_id to, const char *why)
{
    if (vp_array_reserve((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v))
        return -1;
    vp_move *mv = &m->v[m->n++];
    mv->vm = vm;
    mv->to = to;
    snprintf(mv->why, sizeof mv->why, "%s", why ? why : "");
    return 0;
}

void vp_moves_clear(vp_moves *m) { m->n = 0; }

void vp_moves_free(vp_moves *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* ====== placement: best fit on cpu ====== */

static int place_best_fit(void *ctx, const vp_pool *pool, vp_id vm, const vp_id *cand, size_t n,
                          const vp_decision_ctx *dc, vp_place_result *out, vp_err *err)
{
    const vp_vm *v = vp_pool_vm(pool, vm);
    double best = 0;
    out->host = VP_NONE;
    for (size_t i = 0; i < n; i++) {
        double left = vp_pool_host_free(vp_pool_host(pool, cand[i])).v[VP_CPU] - v->size.v[VP_CPU];
        if (out->host == VP_NONE || left < best) {
            best = left;
            out->host = cand[i];
        }
    }
    if (out->host == VP_NONE)
        snprintf(out->reason, sizeof out->reason, "no candidate host");
    else
        snprintf(out->reason, sizeof out->reason, "best fit: %g cpu left", best);
    return 0;
}

/* ====== balance: overload threshold and consolidation ====== */

/* A tentative view of the pool the balance pass can change without
 * touching the pool itself. */
typedef struct plan {
    const vp_pool *pool;
    const vp_builtin_params *prm;
    vp_id nh;
    double *load;  /* cpu demand per host id */
    vp_res *free_; /* free capacity per host id */
    char *locked;  /* 1 = neither source nor target any more */
} plan;

static double cap_cpu(const vp_host *h) { return h->capacity.v[VP_CPU] > 0 ? h->capacity.v[VP_CPU] : 1; }

static int plan_init(plan *p, const vp_pool *pool, const vp_builtin_params *prm)
{
    p->pool = pool;
    p->prm = prm;
    p->nh = vp_pool_host_end(pool);
    p->load = calloc(p->nh + 1, sizeof *p->load);
    p->free_ = calloc(p->nh + 1, sizeof *p->free_);
    p->locked = calloc(p->nh + 1, 1);
    if (!p->load || !p->free_ || !p->locked)
        return -1;
    for (vp_id i = 0; i < p->nh; i++) {
        const vp_host *h = vp_pool_host(pool, i);
        if (!h || h->state != VP_HOST_UP) {
            p->locked[i] = 1;
            continue;
        }
        p->load[i] = h->demand.v[VP_CPU];
        for (uint32_t k = 0; k < h->incoming.n; k++)
            p->load[i] += vp_pool_vm(pool, h->incoming.ids[k])->demand.v[VP_CPU];
        p->free_[i] = vp_pool_host_free(h);
    }
    return 0;
}

static void plan_free(plan *p)
{
    free(p->load);
    free(p->free_);
    free(p->locked);
}

static double util(const plan *p, vp_id h) { return p->load[h] / cap_cpu(vp_pool_host(p->pool, h)); }

/* Best target for v: fits, stays at or under the overload threshold,
 * and is the most loaded such host (best fit).  VP_NONE if none. */
static vp_id plan_target(const plan *p, const vp_vm *v, vp_id avoid, bool want_active)
{
    vp_id best = VP_NONE;
    for (vp_id h = 0; h < p->nh; h++) {
        if (p->locked[h] || h == avoid || !vp_res_le(v->size, p->free_[h]))
            continue;
        if (want_active && p->load[h] <= 0 && vp_pool_host(p->pool, h)->vms.n == 0)
            continue;
        double u = (p->load[h] + v->demand.v[VP_CPU]) / cap_cpu(vp_pool_host(p->pool, h));
        if (u <= p->prm->overload && (best == VP_NONE || p->load[h] > p->load[best]))
            best = h;
    }
    return best;
}

static void plan_move(plan *p, const vp_vm *v, vp_id from, vp_id to)
{
    p->load[from] -= v->demand.v[VP_CPU];
    p->load[to] += v->demand.v[VP_CPU];
    p->free_[from] = vp_res_add(p->free_[from], v->size);
    p->free_[to] = vp_res_sub(p->free_[to], v->size);
}

static int by_memory(const void *a, const void *b, void *pool)
{
    const vp_vm *x = vp_pool_vm(pool, *(const vp_id *)a), *y = vp_pool_vm(pool, *(const vp_id *)b);
    if (x->size.v[VP_MEM] != y->size.v[VP_MEM])
        return x->size.v[VP_MEM] < y->size.v[VP_MEM] ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Running VMs of host h, smallest memory first (cheapest to migrate). */
static size_t movable_vms(const vp_pool *pool, const vp_host *h, vp_id *out)
{
    size_t n = 0;
    for (uint32_t i = 0; i < h->vms.n; i++)
        if (vp_pool_vm(pool, h->vms.ids[i])->state == VP_VM_RUNNING)
            out[n++] = h->vms.ids[i];
    for (size_t i = 1; i < n; i++) /* insertion sort: hosts hold few VMs */
        for (size_t j = i; j > 0 && by_memory(&out[j - 1], &out[j], (void *)pool) > 0; j--) {
            vp_id t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static int shed_overload(plan *p, vp_id h, vp_id *buf, vp_moves *out)
{
    const vp_host *host = vp_pool_host(p->pool, h);
    size_t n = movable_vms(p->pool, host, buf);
    char why[VP_REASON];
    for (size_t i = 0; i < n && util(p, h) > p->prm->overload; i++) {
        const vp_vm *v = vp_pool_vm(p->pool, buf[i]);
        vp_id to = plan_target(p, v, h, false);
        if (to == VP_NONE)
            continue;
        snprintf(why, sizeof why, "host %s overloaded: cpu %.0f%% > %.0f%%", host->name,
                 100 * util(p, h), 100 * p->prm->overload);
        plan_move(p, v, h, to);
        if (vp_moves_push(out, v->id, to, why))
            return -1;
    }
    p->locked[h] = 1;
    return 0;
}

/* Empties host h if every one of its VMs fits on an active host;
 * otherwise changes nothing. */
static int drain_underload(plan *p, vp_id h, vp_id *buf, vp_moves *out)
{
    const vp_host *host = vp_pool_host(p->pool, h);
    size_t n = movable_vms(p->pool, host, buf), first = out->n;
    char why[VP_REASON];
    snprintf(why, sizeof why, "host %s underloaded: cpu %.0f%% < %.0f%%", host->name,
             100 * util(p, h), 100 * p->prm->underload);
    p->locked[h] = 1;
    for (size_t i = 0; i < n; i++) {
        const vp_vm *v = vp_pool_vm(p->pool, buf[i]);
        vp_id to = plan_target(p, v, h, true);
        if (to == VP_NONE || vp_moves_push(out, v->id, to, why)) {
            for (size_t k = out->n; k > first; k--) /* undo this host */
                plan_move(p, vp_pool_vm(p->pool, out->v[k - 1].vm), out->v[k - 1].to, h);
            out->n = first;
            return to == VP_NONE ? 0 : -1;
        }
        plan_move(p, v, h, to);
    }
    return 0;
}

/* The underloaded host with the least utilization, VP_NONE if none. */
static vp_id least_loaded(const plan *p)
{
    vp_id best = VP_NONE;
    for (vp_id h = 0; h < p->nh; h++) {
        if (p->locked[h] || vp_pool_host(p->pool, h)->vms.n == 0)
            continue;
        double u = util(p, h);
        if (u < p->prm->underload && (best == VP_NONE || u < util(p, best)))
            best = h;
    }
    return best;
}

static size_t max_vms_per_host(const vp_pool *pool)
{
    size_t m = 1;
    for (vp_id h = 0; h < vp_pool_host_end(pool); h++)
        if (vp_pool_host(pool, h) && vp_pool_host(pool, h)->vms.n > m)
            m = vp_pool_host(pool, h)->vms.n;
    return m;
}

static int balance_threshold(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc,
                             vp_moves *out, vp_err *err)
{
    plan p = {0};
    vp_id *buf = malloc(max_vms_per_host(pool) * sizeof *buf);
    int rc = buf && plan_init(&p, pool, ctx) == 0 ? 0 : -1;
    for (vp_id h = 0; rc == 0 && h < p.nh; h++)
        if (!p.locked[h] && util(&p, h) > p.prm->overload)
            rc = shed_overload(&p, h, buf, out);
    for (vp_id h; rc == 0 && (h = least_loaded(&p)) != VP_NONE;)
        rc = drain_underload(&p, h, buf, out);
    plan_free(&p);
    free(buf);
    return rc ? vp_err_set(err, "out of memory") : 0;
}

/* ====== reservation and migration timing ====== */

static int reserve_nothing(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc,
                           vp_reservation *out, vp_err *err)
{
    snprintf(out->reason, sizeof out->reason, "no reservation");
    return 0;
}

static int when_now(void *ctx, const vp_pool *pool, const vp_migration_req *m,
                    const vp_decision_ctx *dc, vp_when *out, vp_err *err)
{
    out->kind = VP_WHEN_NOW;
    out->delay = 0;
    snprintf(out->reason, sizeof out->reason, "no timing constraint");
    return 0;
}

void vp_policy_builtin(vp_policy *p, const vp_builtin_params *params)
{
    memset(p, 0, sizeof *p);
    p->builtin.overload = params && params->overload > 0 ? params->overload : 0.9;
    p->builtin.underload = params && params->underload > 0 ? params->underload : 0.2;
    p->place = place_best_fit;
    p->balance = balance_threshold;
    p->balance_ctx = &p->builtin;
    p->reserve = reserve_nothing;
    p->migrate_when = when_now;
    p->id[VP_SLOT_PLACEMENT] = (vp_slot_id){"builtin:best-fit", "1", NULL};
    p->id[VP_SLOT_BALANCE] = (vp_slot_id){"builtin:threshold", "1", NULL};
    p->id[VP_SLOT_RESERVATION] = (vp_slot_id){"builtin:none", "1", NULL};
    p->id[VP_SLOT_MIGRATION] = (vp_slot_id){"builtin:now", "1", NULL};
}
