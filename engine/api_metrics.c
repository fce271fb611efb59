/*
 * api_metrics.c - GET /metrics in the Prometheus text format (0.0.4).
 *
 * Provides: vp_api_metrics (api_int.h): hosts and VMs by state, capacity
 * (limit), use and reservations per resource for the pool and per host,
 * and the engine's counters (decisions and policy errors by slot,
 * placements and migrations by outcome, migration seconds, migrations
 * queued and running) and two histograms (policy call latency by slot,
 * migration duration by outcome).  Every family has # HELP and # TYPE; label values
 * are escaped as the format requires.
 * Uses: api_int.h, pool.h, engine.h.
 */
#include "api_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define TEXT_FORMAT "text/plain; version=0.0.4; charset=utf-8"

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped. */
static void put_label(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', f);
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static void put_value(FILE *f, double x)
{
    if (isnan(x))
        fputs(" NaN\n", f);
    else if (isinf(x))
        fputs(x > 0 ? " +Inf\n" : " -Inf\n", f);
    else
        fprintf(f, " %.17g\n", x);
}

/* name{key="val"} x */
static void sample1(FILE *f, const char *name, const char *key, const char *val, double x)
{
    fprintf(f, "%s{%s=\"", name, key);
    put_label(f, val);
    fputs("\"}", f);
    put_value(f, x);
}

static void sample0(FILE *f, const char *name, double x)
{
    fputs(name, f);
    put_value(f, x);
}

static void per_resource(FILE *f, const char *name, const char *help, vp_res r)
{
    family(f, name, "gauge", help);
    for (int i = 0; i < VP_RES_N; i++)
        sample1(f, name, "resource", vp_res_names[i], r.v[i]);
}

/* ====== pool ====== */

static void states(FILE *f, const vp_pool *pool)
{
    double hosts[3] = {0}, vms[4] = {0};
    for (vp_id id = 0; id < vp_pool_host_end(pool); id++)
        if (vp_pool_host(pool, id))
            hosts[vp_pool_host(pool, id)->state]++;
    for (vp_id id = 0; id < vp_pool_vm_end(pool); id++)
        if (vp_pool_vm(pool, id))
            vms[vp_pool_vm(pool, id)->state]++;
    family(f, "vmpilot_hosts", "gauge", "Hosts by state.");
    for (int s = 0; s < 3; s++)
        sample1(f, "vmpilot_hosts", "state", vp_host_state_name((vp_host_state)s), hosts[s]);
    family(f, "vmpilot_vms", "gauge", "VMs by state.");
    for (int s = 0; s < 4; s++)
        sample1(f, "vmpilot_vms", "state", vp_vm_state_name((vp_vm_state)s), vms[s]);
}

static void capacity(FILE *f, const vp_pool *pool)
{
    vp_res limit = vp_res_zero(), used = vp_res_zero(), reserved = vp_res_zero();
    for (vp_id id = 0; id < vp_pool_host_end(pool); id++) {
        const vp_host *h = vp_pool_host(pool, id);
        if (!h)
            continue;
        used = vp_res_add(used, h->used);
        reserved = vp_res_add(reserved, h->reserved);
        if (h->state != VP_HOST_DOWN)
            limit = vp_res_add(limit, h->limit);
    }
    per_resource(f, "vmpilot_capacity", "Usable capacity (capacity x overcommit) of the hosts "
                 "that are not down, in pool units.", limit);
    per_resource(f, "vmpilot_used", "Capacity held by VMs, in pool units.", used);
    per_resource(f, "vmpilot_reserved", "Capacity held back on hosts by the reservation "
                 "policy, in pool units.", reserved);
    per_resource(f, "vmpilot_pool_reserved", "Free capacity the reservation policy keeps for "
                 "the pool as a whole, in pool units.", vp_pool_reservation(pool));
    per_resource(f, "vmpilot_free", "Free capacity of up hosts for placement, in pool units.",
                 vp_pool_free_total(pool));
}

static void per_host(FILE *f, const vp_pool *pool, const char *name, const char *help, size_t off)
{
    family(f, name, "gauge", help);
    for (vp_id id = 0; id < vp_pool_host_end(pool); id++) {
        const vp_host *h = vp_pool_host(pool, id);
        const vp_res *r = h ? (const vp_res *)((const char *)h + off) : NULL;
        for (int i = 0; r && i < VP_RES_N; i++) {
            fprintf(f, "%s{host=\"", name);
            put_label(f, h->name);
            fprintf(f, "\",resource=\"%s\"}", vp_res_names[i]);
            put_value(f, r->v[i]);
        }
    }
}

/* name_bucket{key="val",le="B"} (cumulative), name_sum, name_count of
 * one histogram; counts[i] for bucket i (not cumulative), counts[n] above
 * the last bound. */
static void histogram(FILE *f, const char *name, const char *key, const char *val,
                      const double *bounds, size_t n, const uint64_t *counts, double sum)
{
    uint64_t cum = 0;
    for (size_t i = 0; i <= n; i++) {
        cum += counts[i];
        fprintf(f, "%s_bucket{%s=\"%s\",le=\"", name, key, val);
        if (i < n)
            fprintf(f, "%g", bounds[i]);
        else
            fputs("+Inf", f);
        fprintf(f, "\"} %llu\n", (unsigned long long)cum);
    }
    fprintf(f, "%s_sum{%s=\"%s\"}", name, key, val);
    put_value(f, sum);
    fprintf(f, "%s_count{%s=\"%s\"} %llu\n", name, key, val, (unsigned long long)cum);
}

static void histograms(FILE *f, const vp_engine_stats *st)
{
    static const char *const outcome[2] = {"done", "failed"};
    family(f, "vmpilot_decision_latency_seconds", "histogram",
           "Wall-clock time of policy calls by slot, seconds.");
    for (int s = 0; s < VP_SLOT_N; s++)
        histogram(f, "vmpilot_decision_latency_seconds", "slot", vp_slot_names[s],
                  vp_latency_bounds, VP_LAT_BUCKETS, st->latency[s], st->latency_sum[s]);
    family(f, "vmpilot_migration_duration_seconds", "histogram",
           "Duration of finished migrations by outcome, seconds.");
    for (int k = 0; k < 2; k++)
        histogram(f, "vmpilot_migration_duration_seconds", "outcome", outcome[k],
                  vp_migration_bounds, VP_MIG_BUCKETS, st->mig_duration[k],
                  st->mig_duration_sum[k]);
}

/* ====== engine counters ====== */

static void decisions(FILE *f, const vp_engine_stats *st)
{
    family(f, "vmpilot_decisions_total", "counter", "Policy decisions by slot.");
    for (int s = 0; s < VP_SLOT_N; s++)
        sample1(f, "vmpilot_decisions_total", "slot", vp_slot_names[s], (double)st->decisions[s]);
    family(f, "vmpilot_policy_errors_total", "counter",
           "Failed or invalid policy decisions by slot.");
    for (int s = 0; s < VP_SLOT_N; s++)
        sample1(f, "vmpilot_policy_errors_total", "slot", vp_slot_names[s],
                (double)st->policy_errors[s]);
    family(f, "vmpilot_placements_total", "counter", "Placement attempts by outcome.");
    sample1(f, "vmpilot_placements_total", "outcome", "placed", (double)st->placed);
    sample1(f, "vmpilot_placements_total", "outcome", "unplaced", (double)st->unplaced);
    sample1(f, "vmpilot_placements_total", "outcome", "retry_unplaced",
            (double)st->placement_retries);
    sample1(f, "vmpilot_placements_total", "outcome", "create_failed", (double)st->create_failed);
}

static void migrations(FILE *f, const vp_engine *e, const vp_engine_stats *st)
{
    const char *const what[] = {"started", "done", "failed", "dropped", "deferred"};
    const uint64_t n[] = {st->migrations_started, st->migrations_done, st->migrations_failed,
                          st->migrations_dropped, st->migrations_deferred};
    family(f, "vmpilot_migrations_total", "counter", "Migrations by outcome.");
    for (int i = 0; i < 5; i++)
        sample1(f, "vmpilot_migrations_total", "outcome", what[i], (double)n[i]);
    family(f, "vmpilot_migration_seconds_total", "counter",
           "Time taken by completed migrations, seconds.");
    sample0(f, "vmpilot_migration_seconds_total", st->migration_seconds);
    family(f, "vmpilot_migrations_running", "gauge", "Migrations running now.");
    sample0(f, "vmpilot_migrations_running", (double)vp_engine_migrations_running(e));
    family(f, "vmpilot_migrations_queued", "gauge", "Migrations waiting (queued or deferred).");
    sample0(f, "vmpilot_migrations_queued", (double)vp_engine_migrations_queued(e));
}

void vp_api_metrics(vp_api *a, vp_http_resp *r)
{
    size_t len = 0;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return vp_api_error(r, 500, "out of memory", "cannot build the metrics");
    states(f, a->pool);
    capacity(f, a->pool);
    per_host(f, a->pool, "vmpilot_host_capacity", "Usable capacity of a host, in pool units.",
             offsetof(vp_host, limit));
    per_host(f, a->pool, "vmpilot_host_used", "Capacity held by VMs on a host, in pool units.",
             offsetof(vp_host, used));
    decisions(f, vp_engine_stats_get(a->e));
    migrations(f, a->e, vp_engine_stats_get(a->e));
    histograms(f, vp_engine_stats_get(a->e));
    if (fclose(f))
        return free(buf), vp_api_error(r, 500, "out of memory", "cannot build the metrics");
    r->status = 200;
    r->body = buf;
    r->type = TEXT_FORMAT;
}
