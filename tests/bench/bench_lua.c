/*
 * bench_lua.c - what Lua policies cost.
 *
 * Prints: (1) the cost of one empty policy call (a balance slot that
 * returns nil, through the whole slot path: view, protected call, result
 * check); (2) placement decisions per second through the engine with the
 * shipped Lua best-fit policy on 10,000 hosts and 100,000 VMs, with the
 * candidate list bounded (placement_candidates) and unbounded; (3) the
 * time from a policy file write to the first decision by the new version,
 * on a libev loop making a decision every millisecond, and how many
 * decisions failed meanwhile (target: <= 50 ms, none).
 * Figures only; nothing is asserted about time.
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "driver_sim.h"
#include "engine.h"
#include "lua_policy.h"
#include "watch.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char dir[] = "/tmp/vp_bench_lua_XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

static vp_lua_policy *policy_with(vp_slot slot, const char *path)
{
    vp_lua_opts o;
    vp_err err = {0};
    vp_lua_opts_from_config(&o, NULL);
    o.paths[slot] = path;
    vp_lua_policy *p = vp_lua_policy_new(&o, &err);
    if (!p)
        fprintf(stderr, "bench_lua: %s\n", err.text), exit(1);
    return p;
}

static vp_pool *make_pool(int hosts, int vms, int placed)
{
    vp_pool *p = vp_pool_new();
    char name[32];
    for (int h = 0; h < hosts; h++) {
        snprintf(name, sizeof name, "host-%d", h);
        if (vp_pool_add_host(p, name, vp_res_make(64, 262144, 2000, 10000),
                             vp_res_make(2, 1, 1, 1), NULL) == VP_NONE)
            exit(1);
    }
    for (int v = 0; v < vms; v++) {
        snprintf(name, sizeof name, "vm-%d", v);
        vp_id id = vp_pool_add_vm(p, name, vp_res_make(1 + v % 4, 1024 * (1 + v % 8), 20, 100), NULL);
        if (id == VP_NONE || (v < placed && vp_pool_allocate(p, id, (vp_id)(v % hosts), NULL)))
            exit(1);
    }
    return p;
}

/* ====== (1) an empty call ====== */

static void bench_empty_call(void)
{
    const char *path = write_file("empty.lua", "return { balance = function(pool, ctx) end }\n");
    vp_lua_policy *lp = policy_with(VP_SLOT_BALANCE, path);
    vp_pool *pool = make_pool(10, 10, 10);
    const vp_policy *p = vp_lua_policy_slots(lp);
    vp_decision_ctx dc = {0, 300};
    vp_moves m = {0};
    vp_err err = {0};
    int n = 200000;
    double t0 = now_s();
    for (int i = 0; i < n; i++)
        if (p->balance(p->balance_ctx, pool, &dc, &m, &err))
            fprintf(stderr, "bench_lua: %s\n", err.text), exit(1);
    double dt = now_s() - t0;
    printf("empty policy call: %.2f us per call (%d calls in %.3f s)\n", dt / n * 1e6, n, dt);
    vp_moves_free(&m);
    vp_pool_free(pool);
    vp_lua_policy_free(lp);
}

/* ====== (2) placement throughput ====== */

static void bench_placement(size_t bound, int decisions)
{
    vp_config cfg = {0};
    cfg.limits.migration_bandwidth_share = 0.5;
    vp_err err = {0};
    vp_pool *pool = make_pool(10000, 100000, 100000 - decisions);
    vp_clock *clock = vp_clock_new_sim(0);
    vp_driver *drv = vp_sim_driver_new(pool, clock, NULL, &cfg, 0, &err);
    vp_lua_policy *lp = policy_with(VP_SLOT_PLACEMENT, NULL);
    vp_engine_params prm = {300, 300, 300, 0, 0, bound, 0, 0};
    vp_engine *e = vp_engine_new(pool, clock, drv, vp_lua_policy_slots(lp), &prm, &err);
    double t0 = now_s();
    int placed = 0;
    for (int v = 100000 - decisions; v < 100000; v++)
        placed += vp_engine_submit(e, (vp_id)v, NULL) == 0;
    double dt = now_s() - t0;
    vp_clock_run(clock, 1);
    printf("placement, Lua best-fit, 10000 hosts / 100000 VMs, candidates %s%zu: "
           "%.0f decisions/s (%d placed in %.3f s)\n", bound ? "<= " : "all, up to ", bound ? bound : 10000,
           decisions / dt, placed, dt);
    vp_engine_free(e);
    drv->ops->free(drv);
    vp_lua_policy_free(lp);
    vp_clock_free(clock);
    vp_pool_free(pool);
}

/* ====== (3) file write to first decision by the new version ====== */

typedef struct reload_bench {
    vp_lua_policy *lp;
    vp_pool *pool;
    int want;          /* generation the current write installs */
    double written;    /* when it was written */
    double latency[20];
    int done, decisions, failed;
    ev_timer tick, timeout;
} reload_bench;

static void on_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
    printf("reload: no decision by the new version within 5 s\n");
    ev_break(loop, EVBREAK_ALL);
}

static void write_gen(reload_bench *b)
{
    char text[256];
    snprintf(text, sizeof text,
             "return { place = function(vm, hosts, ctx) return hosts[1], 'gen %d' end }\n", b->want);
    write_file("hot.lua", text);
    b->written = now_s();
}

/* One decision per millisecond; the first by the new version is timed. */
static void on_tick(struct ev_loop *loop, ev_timer *t, int revents)
{
    reload_bench *b = t->data;
    const vp_policy *p = vp_lua_policy_slots(b->lp);
    vp_id cand[] = {0, 1};
    vp_decision_ctx dc = {0, 0};
    vp_place_result r;
    vp_err err = {0};
    char want[32];
    b->decisions++;
    if (p->place(p->place_ctx, b->pool, 2, cand, 2, &dc, &r, &err))
        return (void)b->failed++;
    snprintf(want, sizeof want, "gen %d", b->want);
    if (strcmp(r.reason, want) != 0)
        return;
    b->latency[b->done++] = now_s() - b->written;
    ev_timer_again(loop, &b->timeout);
    if (b->done == 20)
        return ev_break(loop, EVBREAK_ALL);
    b->want++;
    write_gen(b);
}

static void on_reloaded(void *ud, vp_slot slot, int rc, const char *version, const char *error)
{
    if (rc < 0)
        printf("reload failed: %s\n", error);
}

static void bench_reload(void)
{
    reload_bench b = {.want = 0};
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    char path[512];
    snprintf(path, sizeof path, "%s/hot.lua", dir);
    write_gen(&b);
    b.lp = policy_with(VP_SLOT_PLACEMENT, path);
    b.pool = make_pool(2, 3, 2);
    vp_lua_watch *w = vp_lua_watch_start(loop, b.lp, b.pool, 0.02, on_reloaded, NULL);
    b.want = 1;
    write_gen(&b);
    ev_timer_init(&b.tick, on_tick, 0.001, 0.001);
    b.tick.data = &b;
    ev_timer_start(loop, &b.tick);
    ev_timer_init(&b.timeout, on_timeout, 5, 5);
    ev_timer_start(loop, &b.timeout);
    ev_run(loop, 0);
    double sum = 0, max = 0;
    if (b.done == 0)
        return;
    for (int i = 0; i < b.done; i++) {
        sum += b.latency[i];
        max = b.latency[i] > max ? b.latency[i] : max;
    }
    printf("reload: file write to first decision by the new version: mean %.1f ms, max %.1f ms "
           "over %d reloads (debounce 20 ms); %d decisions, %d failed\n",
           sum / b.done * 1e3, max * 1e3, b.done, b.decisions, b.failed);
    ev_timer_stop(loop, &b.tick);
    ev_timer_stop(loop, &b.timeout);
    vp_lua_watch_stop(w);
    vp_lua_policy_free(b.lp);
    vp_pool_free(b.pool);
    ev_loop_destroy(loop);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!mkdtemp(dir))
        return 1;
    if (getenv("VP_BENCH_ONLY_RELOAD") == NULL) {
        bench_empty_call();
        bench_placement(0, 200);
        bench_placement(64, 20000);
        bench_placement(16, 20000);
    }
    bench_reload();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %.1f MB\n", ru.ru_maxrss / 1024.0);
    return 0;
}
