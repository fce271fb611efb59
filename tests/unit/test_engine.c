/* test_engine.c - the engine with C stand-in policies on the sim driver:
 * placement (and its checks), balance, migration timing and limits,
 * reservation, fallbacks when a policy fails or returns something invalid,
 * draining a host (maintenance) and undraining it. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "driver_sim.h"
#include "engine.h"
#include "event_json.h"
#include "trace.h"

/* ====== fixture: 3 hosts, 4 VMs, a sim clock and driver ====== */

static char trace_dir[] = "/tmp/vp_test_engine_XXXXXX";

static void write_trace(void)
{
    CHECK(mkdtemp(trace_dir) != NULL);
    for (int i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/vm%d", trace_dir, i);
        FILE *f = fopen(path, "w");
        for (int k = 0; k < 10; k++)
            fprintf(f, "%d\n", 10 * (i + 1));
        fclose(f);
    }
}

static void remove_trace(void)
{
    char path[256];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/vm%d", trace_dir, i);
        unlink(path);
    }
    rmdir(trace_dir);
}

static size_t cand_bound; /* placement_candidates for fx_init */
static double progress_every; /* progress_interval for fx_init */

typedef struct fx {
    vp_config *cfg;
    vp_trace *trace;
    vp_pool *pool;
    vp_clock *clock;
    vp_driver *drv;
    vp_engine *eng;
    vp_policy pol;
    int events[VP_EV_N];
    char last_error[VP_ERR_TEXT];
    vp_event last_progress;
    json_t *last_json[VP_EV_N]; /* the last event of each kind, as event_json renders it */
} fx;

static void observe(void *ud, const vp_engine *e, const vp_event *ev)
{
    fx *f = ud;
    f->events[ev->kind]++;
    json_decref(f->last_json[ev->kind]);
    f->last_json[ev->kind] = vp_event_to_json(e, ev);
    if (ev->kind == VP_EV_MIGRATION_PROGRESS)
        f->last_progress = *ev;
    if (ev->kind == VP_EV_POLICY_ERROR || ev->kind == VP_EV_MIGRATION_FAILED ||
        ev->kind == VP_EV_MIGRATION_DROPPED)
        snprintf(f->last_error, sizeof f->last_error, "%s", ev->reason);
}

/* Host h0 and h1: 4 cpu, 8 GiB; h2: 2 cpu.  VM i: 1 cpu, 1024 MiB;
 * network 80 Mbit/s x share 0.5 -> 5 MiB/s -> a migration takes 204.8 s. */
static void fx_init(fx *f, int per_host_limit)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"host_types\": [{\"name\": \"big\", \"cpu\": 4, \"memory\": 8192, \"network\": 80},"
             " {\"name\": \"small\", \"cpu\": 2, \"memory\": 8192, \"network\": 80}],"
             " \"hosts\": [{\"type\": \"big\", \"count\": 2, \"name\": \"h%%d\"},"
             "  {\"type\": \"small\", \"name\": \"h2\"}],"
             " \"vm_types\": [{\"name\": \"v\", \"cpu\": 1, \"memory\": 1024}],"
             " \"limits\": {\"migrations_per_host\": %d},"
             " \"simulation\": {\"trace\": \"%s\"}}", per_host_limit, trace_dir);
    memset(f, 0, sizeof *f);
    vp_err err = {0};
    f->cfg = vp_config_load_string(json, "test.json", NULL, &err);
    if (!f->cfg)
        fprintf(stderr, "config: %s\n", err.text);
    f->trace = vp_trace_load(trace_dir, NULL, 300, 0, &err);
    f->pool = vp_pool_new();
    f->clock = vp_clock_new_sim(0);
    f->drv = vp_sim_driver_new(f->pool, f->clock, f->trace, f->cfg, 0, &err);
    for (size_t i = 0; i < f->cfg->n_hosts; i++) {
        vp_id h = vp_pool_add_host(f->pool, f->cfg->hosts[i].name,
                                   f->cfg->host_types[f->cfg->hosts[i].type].capacity,
                                   vp_res_make(1, 1, 1, 1), &err);
        vp_pool_set_host_type(f->pool, h, f->cfg->hosts[i].type);
    }
    for (size_t i = 0; i < 4; i++) {
        vp_id v = vp_pool_add_vm(f->pool, f->trace->names[i], vp_res_make(1, 1024, 0, 0), &err);
        CHECK_EQ_INT(vp_sim_driver_bind(f->drv, v, i, &err), 0);
    }
    vp_policy_builtin(&f->pol, NULL);
    vp_engine_params prm = {300, 300, 300, per_host_limit, 0, cand_bound, 0, progress_every};
    f->eng = vp_engine_new(f->pool, f->clock, f->drv, &f->pol, &prm, &err);
    CHECK(f->eng != NULL);
    vp_engine_set_observer(f->eng, observe, f);
}

static void fx_free(fx *f)
{
    vp_err err = {0};
    CHECK_EQ_INT(vp_pool_check(f->pool, &err), 0);
    for (int k = 0; k < VP_EV_N; k++)
        json_decref(f->last_json[k]);
    vp_engine_free(f->eng);
    f->drv->ops->free(f->drv);
    vp_pool_free(f->pool);
    vp_clock_free(f->clock);
    vp_trace_free(f->trace);
    vp_config_free(f->cfg);
}

/* ====== stand-in policies ====== */

static vp_id place_target = VP_NONE;
static int place_fail;

static int place_fixed(void *ctx, const vp_pool *pool, vp_id vm, const vp_id *cand, size_t n,
                       const vp_decision_ctx *dc, vp_place_result *out, vp_err *err)
{
    if (place_fail)
        return vp_err_set(err, "placement.lua:3: attempt to index a nil value");
    out->host = place_target;
    snprintf(out->reason, sizeof out->reason, "fixed");
    return 0;
}

static vp_moves planned;

static int balance_planned(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc,
                           vp_moves *out, vp_err *err)
{
    for (size_t i = 0; i < planned.n; i++)
        vp_moves_push(out, planned.v[i].vm, planned.v[i].to, planned.v[i].why);
    vp_moves_clear(&planned);
    return 0;
}

static vp_when when_answer;

static int when_fixed(void *ctx, const vp_pool *pool, const vp_migration_req *m,
                      const vp_decision_ctx *dc, vp_when *out, vp_err *err)
{
    *out = when_answer;
    if (m->asked > 0 && when_answer.kind == VP_WHEN_LATER)
        out->kind = VP_WHEN_NOW; /* later once, then now */
    return 0;
}

static vp_res reserve_h0;

static int reserve_fixed(void *ctx, const vp_pool *pool, const vp_decision_ctx *dc,
                         vp_reservation *out, vp_err *err)
{
    out->per_host[0] = reserve_h0;
    snprintf(out->reason, sizeof out->reason, "hold h0");
    return 0;
}

/* place_batch: VM 0 -> h1, VM 1 no answer, VM 2 -> h2 (2 cpu: full after
 * VM 3, so VM 2 does not fit there), VM 3 -> h2; batch_fail: fails. */
static int batch_calls, batch_fail;

static int batch_fixed(void *ctx, const vp_pool *pool, const vp_id *vms, size_t n,
                       const vp_id *hosts, size_t nhosts, const vp_decision_ctx *dc,
                       vp_place_result *out, vp_err *err)
{
    static const vp_id answer[4] = {1, VP_NONE, 2, 2};
    batch_calls++;
    if (batch_fail)
        return vp_err_set(err, "placement.lua:9: batch failed");
    CHECK_EQ_INT((int)nhosts, 3);
    for (size_t i = 0; i < n; i++)
        out[i].host = answer[vms[i]];
    return 0;
}

/* ====== tests ====== */

/* A batch: the answered VMs go where place_batch said (in the given
 * order), the others through place; a failing batch falls back to place
 * for every VM. */
static void test_place_batch(void)
{
    fx f;
    fx_init(&f, 0);
    f.pol.place = place_fixed;
    f.pol.place_batch = batch_fixed;
    place_target = 0;
    vp_pool_vm(f.pool, 3)->size.v[VP_CPU] = 2; /* fills h2 */
    const vp_id order[4] = {3, 0, 1, 2};
    CHECK_EQ_INT((int)vp_engine_submit_batch(f.eng, order, 4), 4);
    CHECK_EQ_INT(batch_calls, 1);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 3)->host, 2);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 1);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 1)->host, 0); /* no answer: place */
    CHECK_EQ_INT(vp_pool_vm(f.pool, 2)->host, 0); /* did not fit on h2: place */
    const vp_engine_stats *st = vp_engine_stats_get(f.eng);
    CHECK_EQ_INT((int)st->decisions[VP_SLOT_PLACEMENT], 3); /* the batch + 2 */
    CHECK_EQ_INT(f.events[VP_EV_PLACED], 4);
    fx_free(&f);

    fx_init(&f, 0);
    f.pol.place = place_fixed;
    f.pol.place_batch = batch_fixed;
    batch_fail = 1;
    const vp_id two[2] = {0, 1};
    CHECK_EQ_INT((int)vp_engine_submit_batch(f.eng, two, 2), 2);
    CHECK_STR_HAS(f.last_error, "placement.lua:9: batch failed");
    CHECK_EQ_INT((int)vp_engine_stats_get(f.eng)->policy_errors[VP_SLOT_PLACEMENT], 1);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 0);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 1)->host, 0);
    batch_fail = 0;
    fx_free(&f);
}

static void test_placement_checks(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    f.pol.place = place_fixed;
    place_target = 1;
    CHECK_EQ_INT(vp_engine_submit(f.eng, 0, &err), 0);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 1);
    place_target = 7; /* not a host at all */
    CHECK_EQ_INT(vp_engine_submit(f.eng, 1, &err), 1);
    CHECK_STR_HAS(f.last_error, "not a candidate");
    CHECK_EQ_INT(vp_pool_vm(f.pool, 1)->state, VP_VM_PENDING);
    place_fail = 1;
    CHECK_EQ_INT(vp_engine_submit(f.eng, 2, &err), 1);
    CHECK_STR_HAS(f.last_error, "placement.lua:3:");
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->policy_errors[VP_SLOT_PLACEMENT], 2);
    /* fixed policy: the pending VMs are placed at the next sample round */
    place_fail = 0;
    place_target = 2;
    vp_engine_sample_now(f.eng);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 1)->host, 2);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 2)->host, 2);
    CHECK_EQ_INT(vp_engine_submit(f.eng, 1, &err), -1);
    CHECK_STR_HAS(err.text, "is running");
    vp_clock_run(f.clock, 1); /* the driver's create completions */
    CHECK_EQ_INT(f.events[VP_EV_PLACED], 3);
    CHECK_EQ_INT(f.events[VP_EV_CREATE_FAILED], 0);
    fx_free(&f);
}

/* A pending VM is retried every sampling round: every retry is counted,
 * an unplaced event (with the decision and the attempt) is emitted at
 * attempts 1, 2, 4, 8 only, and the retry that places it is logged. */
static void test_retries_logged(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    f.pol.place = place_fixed;
    place_target = VP_NONE; /* the policy chooses nothing */
    CHECK_EQ_INT(vp_engine_submit(f.eng, 0, &err), 1);
    CHECK_EQ_INT(f.events[VP_EV_UNPLACED], 1);
    CHECK(json_object_get(f.last_json[VP_EV_UNPLACED], "attempt") == NULL);
    int logged_at[10] = {0};
    for (int round = 2; round <= 9; round++) {
        int before = f.events[VP_EV_UNPLACED];
        vp_engine_sample_now(f.eng);
        logged_at[round] = f.events[VP_EV_UNPLACED] - before;
    }
    CHECK(logged_at[2] && logged_at[4] && logged_at[8]);
    CHECK(!logged_at[3] && !logged_at[5] && !logged_at[6] && !logged_at[7] && !logged_at[9]);
    json_t *last = f.last_json[VP_EV_UNPLACED];
    CHECK_EQ_INT(json_integer_value(json_object_get(last, "attempt")), 8);
    CHECK(json_is_null(json_object_get(json_object_get(last, "result"), "host")));
    CHECK_STR_HAS(json_string_value(json_object_get(last, "reason")), "fixed");
    const vp_engine_stats *st = vp_engine_stats_get(f.eng);
    CHECK_EQ_INT(st->unplaced, 1);
    CHECK_EQ_INT(st->placement_retries, 8);
    CHECK_EQ_INT(st->decisions[VP_SLOT_PLACEMENT], 9);
    place_target = 1; /* the tenth attempt places it */
    vp_engine_sample_now(f.eng);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 1);
    CHECK_EQ_INT(f.events[VP_EV_PLACED], 1);
    vp_engine_sample_now(f.eng); /* no longer pending: nothing more */
    CHECK_EQ_INT(st->placement_retries, 8);
    CHECK_EQ_INT(f.events[VP_EV_UNPLACED], 4);
    vp_clock_run(f.clock, 1);
    fx_free(&f);
}

static void test_builtin_placement_and_sampling(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    for (vp_id v = 0; v < 4; v++)
        CHECK_EQ_INT(vp_engine_submit(f.eng, v, &err), 0);
    /* best fit by cpu: the 2-cpu host fills first, then a 4-cpu one */
    CHECK_EQ_INT(vp_pool_host(f.pool, 2)->vms.n, 2);
    vp_engine_sample_now(f.eng);
    vp_res d = vp_pool_vm(f.pool, 3)->demand;
    CHECK_NEAR(d.v[VP_CPU], 0.4, 1e-12); /* 40 % of 1 cpu */
    CHECK_NEAR(d.v[VP_MEM], 1024, 0);
    fx_free(&f);
}

/* A pool of 5,000 hosts is sampled in two halves (the sim driver allows
 * it; the second on another thread): every VM gets its demand (row i % 4:
 * 10, 20, 30 or 40 % of 1 cpu) and one history sample, every host the sum
 * of its VMs', once, in either half; a down host records none of its own. */
static void test_sample_large_pool(void)
{
    enum { H = 5000, V = 10000 };
    char json[512];
    snprintf(json, sizeof json,
             "{\"host_types\": [{\"name\": \"big\", \"cpu\": 4, \"memory\": 8192}],"
             " \"hosts\": [{\"type\": \"big\", \"count\": %d, \"name\": \"h%%d\"}],"
             " \"vm_types\": [{\"name\": \"v\", \"cpu\": 1, \"memory\": 1024}],"
             " \"simulation\": {\"trace\": \"%s\"}}", H, trace_dir);
    vp_err err = {0};
    vp_config *cfg = vp_config_load_string(json, "large.json", NULL, &err);
    CHECK(cfg != NULL);
    vp_trace *t = vp_trace_load(trace_dir, NULL, 300, 0, &err);
    vp_pool *pool = vp_pool_new();
    vp_clock *clock = vp_clock_new_sim(0);
    vp_driver *drv = vp_sim_driver_new(pool, clock, t, cfg, 0, &err);
    for (int i = 0; i < H; i++) {
        char name[16];
        snprintf(name, sizeof name, "h%d", i);
        CHECK(vp_pool_add_host(pool, name, vp_res_make(4, 8192, 0, 0), vp_res_make(1, 1, 1, 1),
                               &err) == (vp_id)i);
    }
    for (int i = 0; i < V; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        vp_id v = vp_pool_add_vm(pool, name, vp_res_make(1, 1024, 0, 0), &err);
        CHECK_EQ_INT(vp_sim_driver_bind(drv, v, (size_t)(i % 4), &err), 0);
        CHECK_EQ_INT(vp_pool_allocate(pool, v, (vp_id)((i * 7) % H), &err), 0);
    }
    CHECK_EQ_INT(vp_pool_set_host_state(pool, 3, VP_HOST_DOWN, &err), 0);
    CHECK_EQ_INT(vp_pool_set_host_state(pool, H - 2, VP_HOST_DOWN, &err), 0);
    vp_policy pol;
    vp_policy_builtin(&pol, NULL);
    vp_engine_params prm = {300, 300, 300, 0, 0, 0, 0, 0};
    vp_engine *eng = vp_engine_new(pool, clock, drv, &pol, &prm, &err);
    vp_engine_sample_now(eng);
    int bad_vms = 0, bad_hosts = 0;
    for (int i = 0; i < V; i++) {
        const vp_vm *v = vp_pool_vm(pool, (vp_id)i);
        const vp_host *h = vp_pool_host(pool, v->host);
        double want = h->state == VP_HOST_DOWN ? 0 : 0.1 * (i % 4 + 1);
        bad_vms += fabs(v->demand.v[VP_CPU] - want) > 1e-12 ||
                   v->allocated.v[VP_CPU] != v->demand.v[VP_CPU] || v->cpu.n != 1;
    }
    for (int i = 0; i < H; i++) {
        const vp_host *h = vp_pool_host(pool, (vp_id)i);
        double sum = 0;
        for (uint32_t k = 0; k < h->vms.n; k++)
            sum += vp_pool_vm(pool, h->vms.ids[k])->demand.v[VP_CPU];
        bad_hosts += fabs(h->demand.v[VP_CPU] - sum) > 1e-12 ||
                     h->allocated.v[VP_CPU] != h->demand.v[VP_CPU] ||
                     h->cpu.n != (h->state == VP_HOST_DOWN ? 0u : 1u);
    }
    CHECK_EQ_INT(bad_vms, 0);
    CHECK_EQ_INT(bad_hosts, 0);
    CHECK_NEAR(vp_pool_vm(pool, 5)->demand.v[VP_CPU], 0.2, 1e-12); /* row 1 */
    vp_engine_free(eng);
    drv->ops->free(drv);
    vp_pool_free(pool);
    vp_clock_free(clock);
    vp_trace_free(t);
    vp_config_free(cfg);
}

static void place_all_on(fx *f, vp_id host)
{
    vp_err err = {0};
    f->pol.place = place_fixed;
    place_target = host;
    for (vp_id v = 0; v < 4; v++)
        CHECK_EQ_INT(vp_engine_submit(f->eng, v, &err), 0);
    vp_clock_run(f->clock, vp_clock_now(f->clock) + 1);
}

static void test_balance_migrates(void)
{
    fx f;
    fx_init(&f, 0);
    place_all_on(&f, 0);
    f.pol.balance = balance_planned;
    vp_moves_push(&planned, 0, 1, "spread");
    vp_moves_push(&planned, 1, 2, "spread");
    vp_engine_balance_now(f.eng);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 2);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->state, VP_VM_MIGRATING);
    CHECK_NEAR(vp_pool_host(f.pool, 1)->used.v[VP_CPU], 1, 0); /* held on the destination */
    CHECK_NEAR(vp_pool_host(f.pool, 0)->used.v[VP_CPU], 4, 0); /* and still on the source */
    double t0 = vp_clock_now(f.clock);
    vp_clock_run(f.clock, t0 + 204.7);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_done, 0);
    vp_clock_run(f.clock, t0 + 204.9);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_done, 2);
    CHECK_NEAR(vp_engine_stats_get(f.eng)->migration_seconds, 2 * 204.8, 1e-9);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 1);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 1)->host, 2);
    CHECK_NEAR(vp_pool_host(f.pool, 0)->used.v[VP_CPU], 2, 0);
    fx_free(&f);
}

static void test_invalid_balance_rejected_whole(void)
{
    fx f;
    fx_init(&f, 0);
    place_all_on(&f, 0);
    f.pol.balance = balance_planned;
    vp_moves_push(&planned, 0, 1, "ok");
    vp_moves_push(&planned, 1, 0, "same host");
    vp_engine_balance_now(f.eng);
    CHECK_STR_HAS(f.last_error, "move 2: VM 'vm1' is already on host 'h0'");
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 0);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->policy_errors[VP_SLOT_BALANCE], 1);
    vp_moves_push(&planned, 3, 99, "nowhere");
    vp_engine_balance_now(f.eng);
    CHECK_STR_HAS(f.last_error, "unknown host");
    /* h2 has 2 cpu: the third move into it does not fit */
    vp_moves_push(&planned, 0, 2, "a");
    vp_moves_push(&planned, 1, 2, "b");
    vp_moves_push(&planned, 2, 2, "c");
    vp_engine_balance_now(f.eng);
    CHECK_STR_HAS(f.last_error, "move 3: VM 'vm2' needs 1 cpu, host 'h2' has 0 left");
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 0);
    fx_free(&f);
}

/* A VM moved twice in one balance result goes where the later move says;
 * the earlier proposal is reported as superseded and never starts. */
static void test_later_move_supersedes(void)
{
    fx f;
    fx_init(&f, 0);
    place_all_on(&f, 0);
    f.pol.balance = balance_planned;
    vp_moves_push(&planned, 2, 1, "first");
    vp_moves_push(&planned, 2, 2, "second");
    vp_engine_balance_now(f.eng);
    CHECK_EQ_INT(f.events[VP_EV_POLICY_ERROR], 0);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_SUPERSEDED], 1);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_STARTED], 1);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 2)->dest, 2);
    vp_clock_run(f.clock, 1000);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 2)->host, 2);
    CHECK_EQ_INT(vp_pool_host(f.pool, 1)->incoming.n, 0);
    fx_free(&f);
}

/* With a progress interval of 60 s, a migration of 204.8 s (1024 MiB at
 * 5 MiB/s) is reported at 60, 120 and 180 s: at 180 s, 900 MiB sent. */
static void test_migration_progress(void)
{
    fx f;
    progress_every = 60;
    fx_init(&f, 0);
    progress_every = 0;
    place_all_on(&f, 0);
    f.pol.balance = balance_planned; /* nothing of its own */
    vp_engine_start(f.eng);
    vp_err err = {0};
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 0, 1, "test", &err), 0);
    vp_clock_run(f.clock, 250);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_DONE], 1);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_PROGRESS], 3);
    CHECK(f.last_progress.has_progress);
    CHECK_NEAR(f.last_progress.duration, 180, 1e-9);
    CHECK_NEAR(f.last_progress.progress.processed_mib, 900, 1e-9);
    CHECK_NEAR(f.last_progress.progress.remaining_mib, 124, 1e-9);
    CHECK_NEAR(f.last_progress.progress.total_mib, 1024, 0);
    CHECK_STR_HAS(f.last_progress.reason, "900 of 1024 MiB sent");
    fx_free(&f);
}

static void test_migrate_when(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    place_all_on(&f, 0);
    f.pol.migrate_when = when_fixed;
    when_answer = (vp_when){.kind = VP_WHEN_LATER, .delay = 60};
    double t0 = vp_clock_now(f.clock);
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 0, 1, "test", &err), 0);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 0);
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 1);
    vp_clock_run(f.clock, t0 + 59);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 0);
    vp_clock_run(f.clock, t0 + 61);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 1);
    when_answer = (vp_when){.kind = VP_WHEN_NEVER};
    snprintf(when_answer.reason, sizeof when_answer.reason, "business hours");
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 1, 2, "test", &err), 0);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_DROPPED], 1);
    CHECK_STR_HAS(f.last_error, "business hours");
    when_answer = (vp_when){.kind = VP_WHEN_LATER, .delay = 0}; /* invalid: no delay */
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 2, 2, "test", &err), 0);
    CHECK_STR_HAS(f.last_error, "needs a delay > 0");
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->policy_errors[VP_SLOT_MIGRATION], 1);
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 0, 2, "again", &err), -1);
    CHECK_STR_HAS(err.text, "is migrating");
    fx_free(&f);
}

static uint64_t sum_of(const uint64_t *v, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return s;
}

/* The executor's queue as the API sees it; withdrawing a waiting move. */
static void test_migration_list_and_cancel(void)
{
    fx f;
    vp_err err = {0};
    vp_migration_info m;
    fx_init(&f, 0);
    place_all_on(&f, 0);
    f.pol.migrate_when = when_fixed;
    when_answer = (vp_when){.kind = VP_WHEN_LATER, .delay = 60};
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 0, 1, "asked", &err), 0);
    CHECK_EQ_INT(vp_engine_migration(f.eng, 0, &m), 0);
    CHECK(m.vm == 0 && m.from == 0 && m.to == 1 && !m.running && m.asked == 1);
    CHECK_NEAR(m.not_before, m.proposed + 60, 1e-9);
    CHECK(!strcmp(m.why, "asked"));
    CHECK_EQ_INT(vp_engine_migration(f.eng, 1, &m), -1);
    CHECK_EQ_INT(vp_engine_cancel_migration(f.eng, 0, "withdrawn", &err), 0);
    CHECK_STR_HAS(f.last_error, "withdrawn");
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 0);
    CHECK_EQ_INT(vp_engine_cancel_migration(f.eng, 0, "again", &err), -1);
    CHECK_STR_HAS(err.text, "no migration queued");
    when_answer = (vp_when){.kind = VP_WHEN_NOW};
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 1, 1, "now", &err), 0);
    CHECK_EQ_INT(vp_engine_migration(f.eng, 0, &m), 0);
    CHECK(m.running && m.started > 0);
    CHECK_EQ_INT(vp_engine_cancel_migration(f.eng, 1, "stop", &err), -1);
    CHECK_STR_HAS(err.text, "is running");
    vp_clock_run(f.clock, vp_clock_now(f.clock) + 1000); /* it completes */
    CHECK_EQ_INT(vp_engine_migration(f.eng, 0, &m), -1);
    /* histograms: every decision and the completed migration (204.8 s) */
    const vp_engine_stats *st = vp_engine_stats_get(f.eng);
    for (int s = 0; s < VP_SLOT_N; s++)
        CHECK_EQ_INT(sum_of(st->latency[s], VP_LAT_BUCKETS + 1), st->decisions[s]);
    CHECK_EQ_INT(st->mig_duration[0][vp_bucket(vp_migration_bounds, VP_MIG_BUCKETS, 204.8)], 1);
    CHECK_EQ_INT(vp_bucket(vp_migration_bounds, VP_MIG_BUCKETS, 204.8), 6); /* <= 300 s */
    CHECK_EQ_INT(vp_bucket(vp_migration_bounds, VP_MIG_BUCKETS, 1e9), VP_MIG_BUCKETS);
    CHECK_NEAR(st->mig_duration_sum[0], 204.8, 1e-6);
    fx_free(&f);
}

/* A running migration aborted on request ends as migration_failed, the
 * VM on its source; a driver without abort_migration refuses. */
static void test_abort_running(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    place_all_on(&f, 0);
    f.pol.migrate_when = when_fixed;
    when_answer = (vp_when){.kind = VP_WHEN_NOW};
    CHECK_EQ_INT(vp_engine_abort_migration(f.eng, 0, &err), -1);
    CHECK_STR_HAS(err.text, "no running migration");
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 0, 1, "asked", &err), 0);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 1);
    const vp_driver_ops *sim = f.drv->ops;
    vp_driver_ops none = *sim;
    none.abort_migration = NULL;
    f.drv->ops = &none;
    CHECK_EQ_INT(vp_engine_abort_migration(f.eng, 0, &err), -1);
    CHECK_STR_HAS(err.text, "cannot abort a running migration");
    f.drv->ops = sim;
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 1);
    CHECK_EQ_INT(vp_engine_abort_migration(f.eng, 0, &err), 0);
    vp_clock_run(f.clock, vp_clock_now(f.clock) + 1);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_FAILED], 1);
    CHECK_STR_HAS(f.last_error, "aborted on request");
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 0);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 0);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->state, VP_VM_RUNNING);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_failed, 1);
    fx_free(&f);
}

/* The JSON text of f's last event of kind k at path "a.b" (compact). */
static char *json_at(const fx *f, vp_event_kind k, const char *a, const char *b)
{
    json_t *j = json_object_get(f->last_json[k], a);
    if (b)
        j = json_object_get(j, b);
    return j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(none)");
}

static void check_json(const fx *f, vp_event_kind k, const char *a, const char *b,
                       const char *want)
{
    char *got = json_at(f, k, a, b);
    CHECK_STR_HAS(got, want);
    free(got);
}

/* Every decision event carries its inputs and result (event_json). */
static void test_decision_summaries(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    place_all_on(&f, 0);
    check_json(&f, VP_EV_PLACED, "inputs", NULL,
               "{\"vm\":\"vm3\",\"size\":{\"cpu\":1.0,\"memory\":1024.0,\"disk\":0.0,"
               "\"network\":0.0},\"candidates\":3}");
    check_json(&f, VP_EV_PLACED, "result", NULL, "{\"host\":\"h0\"}");
    place_target = VP_NONE;
    vp_id extra = vp_pool_add_vm(f.pool, "extra", vp_res_make(1, 1024, 0, 0), &err);
    CHECK_EQ_INT(vp_engine_submit(f.eng, extra, &err), 1);
    check_json(&f, VP_EV_UNPLACED, "result", NULL, "{\"host\":null}");
    check_json(&f, VP_EV_UNPLACED, "reason", NULL, "\"fixed\"");
    check_json(&f, VP_EV_UNPLACED, "slot", NULL, "\"placement\"");
    f.pol.balance = balance_planned;
    f.pol.migrate_when = when_fixed;
    when_answer = (vp_when){.kind = VP_WHEN_LATER, .delay = 30};
    vp_moves_push(&planned, 0, 1, "spread");
    vp_engine_balance_now(f.eng);
    check_json(&f, VP_EV_BALANCED, "inputs", NULL, "{\"hosts\":3,\"vms\":4}");
    check_json(&f, VP_EV_BALANCED, "result", NULL,
               "{\"moves\":[{\"vm\":\"vm0\",\"to\":\"h1\",\"why\":\"spread\"}]}");
    check_json(&f, VP_EV_MIGRATION_DEFERRED, "inputs", NULL,
               "{\"vm\":\"vm0\",\"from\":\"h0\",\"to\":\"h1\",\"proposed_by\":\"spread\","
               "\"asked\":0}");
    check_json(&f, VP_EV_MIGRATION_DEFERRED, "result", NULL, "{\"when\":\"later\",\"delay_s\":30.0}");
    vp_clock_run(f.clock, vp_clock_now(f.clock) + 31); /* asked again: now */
    check_json(&f, VP_EV_MIGRATION_STARTED, "inputs", "asked", "1");
    check_json(&f, VP_EV_MIGRATION_STARTED, "result", NULL, "{\"when\":\"now\"}");
    CHECK(json_object_get(f.last_json[VP_EV_MIGRATION_STARTED], "latency_ms") != NULL);
    f.pol.reserve = reserve_fixed;
    reserve_h0 = vp_res_make(1, 512, 0, 0);
    vp_engine_reserve_now(f.eng);
    check_json(&f, VP_EV_RESERVED, "inputs", "capacity", "{\"cpu\":10.0,\"memory\":24576.0");
    check_json(&f, VP_EV_RESERVED, "inputs", "used", "{\"cpu\":5.0,\"memory\":5120.0");
    check_json(&f, VP_EV_RESERVED, "result", "hosts", "{\"cpu\":1.0,\"memory\":512.0");
    check_json(&f, VP_EV_RESERVED, "reason", NULL, "\"hold h0\"");
    place_target = 2;
    vp_id to = VP_NONE;
    CHECK_EQ_INT(vp_engine_move_by_policy(f.eng, 2, "api", &to, &err), 0);
    check_json(&f, VP_EV_DESTINATION, "inputs", "candidates", "2");
    check_json(&f, VP_EV_DESTINATION, "result", NULL, "{\"host\":\"h2\"}");
    check_json(&f, VP_EV_DESTINATION, "host", NULL, "\"h0\"");
    place_fail = 1;
    CHECK_EQ_INT(vp_engine_submit(f.eng, extra, &err), 1);
    check_json(&f, VP_EV_POLICY_ERROR, "inputs", "vm", "\"extra\"");
    CHECK(!json_object_get(f.last_json[VP_EV_POLICY_ERROR], "result"));
    place_fail = 0;
    fx_free(&f);
}

/* Dry runs call the slot and check the result, and change nothing. */
static void test_dry_runs(void)
{
    fx f;
    vp_err err = {0};
    vp_place_result pr;
    vp_moves m = {0};
    char why[VP_ERR_TEXT];
    fx_init(&f, 0);
    place_all_on(&f, 0);
    vp_id extra = vp_pool_add_vm(f.pool, "extra", vp_res_make(1, 1024, 0, 0), &err);
    place_target = 2;
    CHECK_EQ_INT(vp_engine_dry_place(f.eng, extra, &pr, &err), 0);
    CHECK_EQ_INT(pr.host, 2);
    CHECK_EQ_INT(vp_pool_vm(f.pool, extra)->state, VP_VM_PENDING);
    place_target = 9;
    CHECK_EQ_INT(vp_engine_dry_place(f.eng, extra, &pr, &err), -1);
    CHECK_STR_HAS(err.text, "not a candidate");
    f.pol.balance = balance_planned;
    vp_moves_push(&planned, 0, 1, "one");
    CHECK_EQ_INT(vp_engine_dry_balance(f.eng, &m, why, sizeof why, &err), 0);
    CHECK(m.n == 1 && m.v[0].vm == 0 && m.v[0].to == 1);
    vp_moves_push(&planned, 0, 1, "one");
    vp_moves_push(&planned, 1, 0, "home");
    CHECK_EQ_INT(vp_engine_dry_balance(f.eng, &m, why, sizeof why, &err), 1);
    CHECK_STR_HAS(why, "is already on host");
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 0);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->decisions[VP_SLOT_BALANCE], 0);
    CHECK_EQ_INT(f.events[VP_EV_BALANCED], 0);
    vp_moves_free(&m);
    /* reservation: the answer, checked, not applied */
    vp_reservation res;
    f.pol.reserve = reserve_fixed;
    reserve_h0 = vp_res_make(1, 512, 0, 0);
    CHECK_EQ_INT(vp_engine_dry_reserve(f.eng, &res, why, sizeof why, &err), 0);
    CHECK(res.n_hosts == 3 && res.per_host[0].v[VP_MEM] == 512 && !strcmp(res.reason, "hold h0"));
    free(res.per_host);
    CHECK_NEAR(vp_pool_host(f.pool, 0)->reserved.v[VP_MEM], 0, 0);
    reserve_h0 = vp_res_make(-1, 0, 0, 0);
    CHECK_EQ_INT(vp_engine_dry_reserve(f.eng, &res, why, sizeof why, &err), 1);
    CHECK_STR_HAS(why, "negative reservation for host id 0");
    free(res.per_host);
    CHECK_EQ_INT(f.events[VP_EV_RESERVED] + f.events[VP_EV_POLICY_ERROR], 0);
    /* migration timing: asked about a move that is not queued */
    vp_when w;
    f.pol.migrate_when = when_fixed;
    when_answer = (vp_when){.kind = VP_WHEN_LATER, .delay = 30};
    CHECK_EQ_INT(vp_engine_dry_when(f.eng, 0, 1, "why not", &w, &err), 0);
    CHECK(w.kind == VP_WHEN_LATER && w.delay == 30);
    CHECK_EQ_INT(vp_engine_dry_when(f.eng, 0, 0, "home", &w, &err), 1);
    CHECK_STR_HAS(err.text, "is already on host 'h0'");
    when_answer = (vp_when){.kind = VP_WHEN_LATER, .delay = 0};
    CHECK_EQ_INT(vp_engine_dry_when(f.eng, 0, 1, "bad", &w, &err), -1);
    CHECK_STR_HAS(err.text, "needs a delay > 0");
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 0);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->decisions[VP_SLOT_MIGRATION], 0);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_DEFERRED], 0);
    fx_free(&f);
}

/* A move whose destination the placement policy chooses. */
static void test_move_by_policy(void)
{
    fx f;
    vp_err err = {0};
    vp_id to = VP_NONE;
    fx_init(&f, 0);
    place_all_on(&f, 0);
    f.pol.migrate_when = when_fixed;
    when_answer = (vp_when){.kind = VP_WHEN_LATER, .delay = 60};
    place_target = 2;
    uint64_t before = vp_engine_stats_get(f.eng)->decisions[VP_SLOT_PLACEMENT];
    CHECK_EQ_INT(vp_engine_move_by_policy(f.eng, 0, "api", &to, &err), 0);
    CHECK_EQ_INT(to, 2);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->decisions[VP_SLOT_PLACEMENT], before + 1);
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 1);
    place_target = 0; /* its own host: not a candidate */
    CHECK_EQ_INT(vp_engine_move_by_policy(f.eng, 1, "api", &to, &err), 2);
    CHECK_STR_HAS(err.text, "not a candidate");
    place_target = VP_NONE;
    CHECK_EQ_INT(vp_engine_move_by_policy(f.eng, 1, "api", &to, &err), 1);
    CHECK_STR_HAS(err.text, "chose no host");
    vp_id p = vp_pool_add_vm(f.pool, "p", vp_res_make(1, 1, 0, 0), &err);
    CHECK_EQ_INT(vp_engine_move_by_policy(f.eng, p, "api", &to, &err), 1);
    CHECK_STR_HAS(err.text, "is not running");
    fx_free(&f);
}

static void test_limits(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 1); /* one migration per host at a time */
    place_all_on(&f, 0);
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 0, 1, "a", &err), 0);
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 1, 2, "b", &err), 0);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 1);
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 1);
    double t0 = vp_clock_now(f.clock);
    vp_clock_run(f.clock, t0 + 205);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_done, 1);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 1); /* the second started */
    vp_clock_run(f.clock, t0 + 410);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_done, 2);
    fx_free(&f);
}

static void test_failed_migration(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    place_all_on(&f, 0);
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 0, 1, "a", &err), 0);
    CHECK_EQ_INT(vp_pool_set_host_state(f.pool, 1, VP_HOST_DOWN, &err), 0);
    vp_clock_run(f.clock, vp_clock_now(f.clock) + 300);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_failed, 1);
    CHECK_STR_HAS(f.last_error, "went down");
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 0);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->state, VP_VM_RUNNING);
    CHECK_NEAR(vp_pool_host(f.pool, 1)->used.v[VP_CPU], 0, 0);
    /* a move to a host that is down is refused */
    CHECK_EQ_INT(vp_engine_propose_move(f.eng, 1, 1, "b", &err), -1);
    CHECK_STR_HAS(err.text, "host 'h1' is down");
    fx_free(&f);
}

static void test_reservation(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    f.pol.reserve = reserve_fixed;
    reserve_h0 = vp_res_make(4, 0, 0, 0);
    vp_engine_reserve_now(f.eng);
    CHECK_NEAR(vp_pool_host(f.pool, 0)->reserved.v[VP_CPU], 4, 0);
    f.pol.place = place_fixed;
    place_target = 0;
    CHECK_EQ_INT(vp_engine_submit(f.eng, 0, &err), 1);
    CHECK_STR_HAS(f.last_error, "not a candidate");
    reserve_h0 = vp_res_make(-1, 0, 0, 0);
    vp_engine_reserve_now(f.eng);
    CHECK_STR_HAS(f.last_error, "negative reservation for host id 0");
    CHECK_NEAR(vp_pool_host(f.pool, 0)->reserved.v[VP_CPU], 4, 0); /* last good kept */
    fx_free(&f);
}

static size_t seen_n;
static vp_id seen[8];

static int place_record(void *ctx, const vp_pool *pool, vp_id vm, const vp_id *cand, size_t n,
                        const vp_decision_ctx *dc, vp_place_result *out, vp_err *err)
{
    seen_n = n;
    memcpy(seen, cand, (n < 8 ? n : 8) * sizeof *cand);
    out->host = cand[0];
    return 0;
}

/* With placement_candidates = 2, a decision sees two hosts, and the next
 * one resumes the scan where the last stopped. */
static void test_bounded_candidates(void)
{
    fx f;
    vp_err err = {0};
    cand_bound = 2;
    fx_init(&f, 0);
    cand_bound = 0;
    f.pol.place = place_record;
    CHECK_EQ_INT(vp_engine_submit(f.eng, 0, &err), 0);
    CHECK_EQ_INT(seen_n, 2);
    CHECK(seen[0] == 0 && seen[1] == 1);
    CHECK_EQ_INT(vp_engine_submit(f.eng, 1, &err), 0);
    CHECK_EQ_INT(seen_n, 2);
    CHECK(seen[0] == 0 && seen[1] == 2); /* h2, then h0 after wrapping; in id order */
    CHECK_EQ_INT(vp_engine_submit(f.eng, 2, &err), 0);
    CHECK(seen[0] == 1 && seen[1] == 2); /* resumed after h0 */
    fx_free(&f);
}

static void test_periodic_run(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    for (vp_id v = 0; v < 4; v++)
        (void)vp_engine_submit(f.eng, v, &err);
    vp_engine_start(f.eng);
    vp_clock_run(f.clock, 3000);
    const vp_engine_stats *st = vp_engine_stats_get(f.eng);
    CHECK_EQ_INT(st->decisions[VP_SLOT_BALANCE], 10);
    CHECK_EQ_INT(st->decisions[VP_SLOT_RESERVATION], 10);
    CHECK_EQ_INT(f.events[VP_EV_SAMPLED], 11);
    fx_free(&f);
}

/* place_now: one attempt, an outcome and a reason, never queued. */
static void test_place_now(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    f.pol.place = place_fixed;
    place_target = 0;
    CHECK_EQ_INT(vp_engine_place_now(f.eng, 0, &err), VP_PLACE_OK);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 0);
    CHECK_EQ_INT(vp_engine_place_now(f.eng, 0, &err), -1);
    CHECK_STR_HAS(err.text, "is running");
    place_target = VP_NONE;
    CHECK_EQ_INT(vp_engine_place_now(f.eng, 1, &err), VP_PLACE_NO_ROOM);
    CHECK_STR_HAS(err.text, "fixed"); /* the policy's reason */
    place_target = 9;
    CHECK_EQ_INT(vp_engine_place_now(f.eng, 1, &err), VP_PLACE_POLICY_ERROR);
    CHECK_STR_HAS(err.text, "not a candidate");
    place_fail = 1;
    CHECK_EQ_INT(vp_engine_place_now(f.eng, 1, &err), VP_PLACE_POLICY_ERROR);
    CHECK_STR_HAS(err.text, "placement.lua:3:");
    place_fail = 0;
    vp_id big = vp_pool_add_vm(f.pool, "big", vp_res_make(64, 1, 0, 0), &err);
    CHECK_EQ_INT(vp_engine_place_now(f.eng, big, &err), VP_PLACE_NO_ROOM);
    CHECK_STR_HAS(err.text, "no host has room");
    /* nothing was queued: a sample round places neither */
    place_target = 1;
    vp_engine_sample_now(f.eng);
    CHECK_EQ_INT(vp_pool_vm(f.pool, 1)->state, VP_VM_PENDING);
    CHECK_EQ_INT(vp_pool_vm(f.pool, big)->state, VP_VM_PENDING);
    CHECK_EQ_INT(f.events[VP_EV_PLACED], 1);
    vp_clock_run(f.clock, 1);
    fx_free(&f);
}

/* remove_vm: a running VM is destroyed, released and removed. */
static void test_remove_vm(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 0);
    CHECK_EQ_INT(vp_engine_submit(f.eng, 0, &err), 0);
    vp_id h = vp_pool_vm(f.pool, 0)->host;
    CHECK_EQ_INT(vp_engine_remove_vm(f.eng, 0, "test", &err), 0);
    CHECK(vp_pool_vm(f.pool, 0) == NULL);
    CHECK_NEAR(vp_pool_host(f.pool, h)->used.v[VP_CPU], 0, 0);
    CHECK_EQ_INT(vp_engine_remove_vm(f.eng, 1, "test", &err), 0); /* pending: just removed */
    CHECK(vp_pool_find_vm(f.pool, f.trace->names[1]) == VP_NONE);
    CHECK_EQ_INT(vp_engine_remove_vm(f.eng, 0, "test", &err), -1);
    CHECK_STR_HAS(err.text, "no VM with id 0");
    vp_clock_run(f.clock, 1); /* create and destroy completions of a removed VM */
    CHECK_EQ_INT(f.events[VP_EV_CREATE_FAILED], 0);
    fx_free(&f);
}

static bool no_moves_planned(void) { return planned.n == 0; }

/* place_all_on leaves the fixed placement: back to the builtin one. */
static void builtin_placement(fx *f)
{
    vp_policy b;
    vp_policy_builtin(&b, NULL);
    f->pol.place = b.place;
    f->pol.place_ctx = b.place_ctx;
}

/* Host h0 (4 cpu) holds the 4 VMs; drained with one migration per host at
 * a time: the builtin best fit sends them to h2 (2 cpu) then h1, through
 * the executor; nothing is placed on h0 while it drains. */
static void test_drain(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 1);
    place_all_on(&f, 0);
    builtin_placement(&f);
    f.pol.balance = balance_planned; /* no moves of its own */
    CHECK(no_moves_planned());
    CHECK_EQ_INT(vp_engine_drain_host(f.eng, 0, &err), 0);
    CHECK_EQ_INT(vp_pool_host(f.pool, 0)->state, VP_HOST_DRAINING);
    CHECK_EQ_INT(f.events[VP_EV_DRAIN_STARTED], 1);
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 1);
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 3);
    CHECK_EQ_INT(vp_engine_drain_host(f.eng, 0, &err), 0); /* again: no-op */
    CHECK_EQ_INT(f.events[VP_EV_DRAIN_STARTED], 1);

    vp_engine_start(f.eng);
    vp_clock_run(f.clock, vp_clock_now(f.clock) + 2000);
    const vp_host *h0 = vp_pool_host(f.pool, 0);
    CHECK_EQ_INT(h0->vms.n, 0);
    CHECK_EQ_INT(f.events[VP_EV_DRAINED], 1);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_done, 4);
    CHECK_EQ_INT(vp_pool_host(f.pool, 2)->vms.n, 2); /* best fit: the small host first */
    CHECK_EQ_INT(vp_pool_host(f.pool, 1)->vms.n, 2);
    for (vp_id v = 0; v < 4; v++)
        CHECK(vp_pool_vm(f.pool, v)->state == VP_VM_RUNNING && vp_pool_vm(f.pool, v)->host != 0);

    /* balance may not choose the draining host, nor placement */
    vp_moves_push(&planned, 3, 0, "back");
    vp_engine_balance_now(f.eng);
    CHECK_STR_HAS(f.last_error, "move 1: host 'h0' is draining");
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng) + vp_engine_migrations_running(f.eng), 0);
    CHECK_EQ_INT(vp_pool_release(f.pool, 0, &err), 0);
    f.pol.place = place_fixed;
    place_target = 0;
    CHECK_EQ_INT(vp_engine_submit(f.eng, 0, &err), 1);
    CHECK_STR_HAS(f.last_error, "not a candidate");
    CHECK(vp_pool_vm(f.pool, 0)->host == VP_NONE);

    CHECK_EQ_INT(vp_engine_undrain_host(f.eng, 0, &err), 0);
    CHECK_EQ_INT(h0->state, VP_HOST_UP);
    CHECK_EQ_INT(f.events[VP_EV_UNDRAINED], 1);
    CHECK_EQ_INT(vp_engine_submit(f.eng, 0, &err), 0); /* h0 is a candidate again */
    CHECK_EQ_INT(vp_pool_vm(f.pool, 0)->host, 0);
    CHECK_EQ_INT(vp_engine_undrain_host(f.eng, 0, &err), -1);
    CHECK_STR_HAS(err.text, "is up, not draining");
    vp_engine_stop(f.eng);
    fx_free(&f);
}

/* Undrain while moves wait: the running one completes, the queued ones
 * are dropped; a drain with nowhere to go reports drain_blocked; a down
 * host cannot be drained. */
static void test_undrain_and_blocked(void)
{
    fx f;
    vp_err err = {0};
    fx_init(&f, 1);
    place_all_on(&f, 0);
    builtin_placement(&f);
    f.pol.balance = balance_planned;
    CHECK_EQ_INT(vp_engine_drain_host(f.eng, 0, &err), 0);
    CHECK_EQ_INT(vp_engine_undrain_host(f.eng, 0, &err), 0);
    CHECK_EQ_INT(f.events[VP_EV_MIGRATION_DROPPED], 3);
    CHECK_STR_HAS(f.last_error, "host undrained");
    CHECK_EQ_INT(vp_engine_migrations_running(f.eng), 1);
    vp_clock_run(f.clock, vp_clock_now(f.clock) + 300);
    CHECK_EQ_INT(vp_engine_stats_get(f.eng)->migrations_done, 1);
    CHECK_EQ_INT(vp_pool_host(f.pool, 0)->vms.n, 3);

    CHECK_EQ_INT(vp_pool_set_host_state(f.pool, 1, VP_HOST_DOWN, &err), 0);
    CHECK_EQ_INT(vp_pool_set_host_state(f.pool, 2, VP_HOST_DOWN, &err), 0);
    CHECK_EQ_INT(vp_engine_drain_host(f.eng, 0, &err), 0);
    CHECK_EQ_INT(f.events[VP_EV_DRAIN_BLOCKED], 3);
    CHECK_EQ_INT(vp_engine_migrations_queued(f.eng), 0);
    vp_engine_balance_now(f.eng); /* planned again at every balance round */
    CHECK_EQ_INT(f.events[VP_EV_DRAIN_BLOCKED], 6);
    CHECK_EQ_INT(vp_pool_host(f.pool, 0)->vms.n, 3); /* nothing lost */
    CHECK_EQ_INT(vp_engine_drain_host(f.eng, 1, &err), -1);
    CHECK_STR_HAS(err.text, "host 'h1' is down");
    CHECK_EQ_INT(vp_engine_drain_host(f.eng, 9, &err), -1);
    CHECK_STR_HAS(err.text, "no host with id 9");
    fx_free(&f);
}

int main(void)
{
    write_trace();
    test_place_now();
    test_remove_vm();
    test_placement_checks();
    test_place_batch();
    test_retries_logged();
    test_builtin_placement_and_sampling();
    test_sample_large_pool();
    test_balance_migrates();
    test_invalid_balance_rejected_whole();
    test_later_move_supersedes();
    test_migration_progress();
    test_migrate_when();
    test_migration_list_and_cancel();
    test_abort_running();
    test_decision_summaries();
    test_dry_runs();
    test_move_by_policy();
    test_limits();
    test_failed_migration();
    test_reservation();
    test_periodic_run();
    test_bounded_candidates();
    test_drain();
    test_undrain_and_blocked();
    vp_moves_free(&planned);
    remove_trace();
    return CHECK_DONE();
}
