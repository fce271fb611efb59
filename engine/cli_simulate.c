/*
 * cli_simulate.c - `vmpilot simulate [CONFIG]`.
 *
 * Provides: vp_cli_simulate(), vp_cli_policies().
 * Uses: cli.h, simulate.h, event_json.h, jansson.
 */
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "event_json.h"
#include "sim_report.h"
#include "simulate.h"

static const char simulate_usage[] =
    "usage: vmpilot simulate [OPTIONS] [CONFIG]\n"
    "       vmpilot simulate [OPTIONS] --compare CONFIG|SET CONFIG|SET...\n"
    "\n"
    "Replays the trace of CONFIG's \"simulation\" section through the engine on a\n"
    "virtual clock: every trace file becomes a VM, all are submitted at time 0,\n"
    "then sampling, balancing, reservation and migrations run at the configured\n"
    "intervals.  Prints a summary: placements, migrations, energy, active hosts,\n"
    "overload and SLA violation (and, with \"model\": \"cloudsim\", the metrics of\n"
    "the PlanetLab consolidation experiment: SLATAH, PDM, SLAV, ESV...).  Without\n"
    "CONFIG it runs the embedded default: examples/planetlab-day.json (one day of\n"
    "PlanetLab traces, 1052 VMs, 800 hosts).\n"
    "\n"
    "options:\n"
    "  --compare         run every CONFIG on the same trace and print them side by\n"
    "                    side; a SET names a shipped experiment configuration\n"
    "                    (examples/cloudsim/SET.json: thr-mmt-0.8, iqr-mmt-1.5,\n"
    "                    mad-mmt-2.5, lr-mmt-1.2, lrr-mmt-1.2, dvfs, npa)\n"
    "  --trace DIR       the PlanetLab day folder to replay (overrides the config);\n"
    "                    its order file is DIR.order or DIR/../<name>-order/<day>.txt\n"
    "                    when one exists, else the files are taken sorted by name\n"
    "  --order FILE      the order file (\"index<TAB>file name\" lines)\n"
    "  --day DAY         the day folder DAY next to the configured trace, e.g.\n"
    "                    --trace ../shared/data/planetlab/20110303 --day 20110322\n"
    "  --set SLOT.NAME=VALUE  set a parameter of a slot's policy (placement,\n"
    "                    balance, reservation, migration) over the config's\n"
    "                    \"params\"; VALUE is JSON (0.9, true, \"mc\") or else a string,\n"
    "                    e.g. --set balance.selection=mc --set balance.safety=0.9;\n"
    "                    repeatable, applies to every run of --compare\n"
    "  --json            print the summary as JSON instead of a table\n"
    "  --csv FILE        write the per-round time series (active hosts, power W,\n"
    "                    overloaded hosts, migrations, SLA violation) as CSV\n"
    "  --plot FILE       draw those series as an SVG chart (open it in a browser)\n"
    "  --events FILE     write every engine event but the per-round 'sampled' as a\n"
    "                    JSON line to FILE ('-' = stdout)\n"
    "  --progress        always report progress on stderr (default: when a terminal)\n"
    "  -q, --quiet       no progress\n"
    "  -h, --help        this text\n"
    "environment: VMPILOT_HUGE_PAGES=0 keeps malloc off transparent huge pages\n"
    "  (by default, for a configuration of 4,096 hosts or more where the kernel\n"
    "  gives them on request, simulate restarts itself once with\n"
    "  GLIBC_TUNABLES=glibc.malloc.hugetlb=1: large runs go faster)\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error,\n"
    "            3 invalid config or policy script\n";

#define MAX_RUNS 16 /* keep the usage error's text in step */
#define MAX_SETS 16

typedef struct sim_opts {
    bool json, quiet, progress, compare;
    const char *events, *csv, *plot, *trace, *order, *day;
    const char *configs[MAX_RUNS];
    size_t nconfigs;
    const char *sets[MAX_SETS]; /* --set SLOT.NAME=VALUE */
    size_t nsets;
    FILE *events_out;
    bool tty;
    int last_pct;
    const char *label;  /* the run in progress, for progress lines */
    vp_series *series;  /* its time series */
} sim_opts;

/* The slot of a --set argument "SLOT.NAME=VALUE", or -1; *name and *value
 * (if not NULL) point into it (name ends at '='). */
static int set_slot(const char *arg, const char **name, const char **value)
{
    const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
    if (!dot || !eq || eq < dot + 2)
        return -1;
    for (int i = 0; i < VP_SLOT_N; i++)
        if (strlen(vp_slot_names[i]) == (size_t)(dot - arg) &&
            !strncmp(arg, vp_slot_names[i], (size_t)(dot - arg))) {
            if (name)
                *name = dot + 1;
            if (value)
                *value = eq + 1;
            return i;
        }
    return -1;
}

static int parse(int argc, char **argv, sim_opts *o)
{
    static const struct option longs[] = {{"json", no_argument, 0, 'j'},
                                          {"events", required_argument, 0, 'e'},
                                          {"progress", no_argument, 0, 'p'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"compare", no_argument, 0, 'C'},
                                          {"csv", required_argument, 0, 'c'},
                                          {"plot", required_argument, 0, 'P'},
                                          {"trace", required_argument, 0, 't'},
                                          {"order", required_argument, 0, 'o'},
                                          {"day", required_argument, 0, 'd'},
                                          {"set", required_argument, 0, 'S'},
                                          {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "q", longs, NULL)) != -1) {
        switch (c) {
        case 'j': o->json = true; break;
        case 'e': o->events = optarg; break;
        case 'p': o->progress = true; break;
        case 'q': o->quiet = true; break;
        case 'C': o->compare = true; break;
        case 'c': o->csv = optarg; break;
        case 'P': o->plot = optarg; break;
        case 't': o->trace = optarg; break;
        case 'o': o->order = optarg; break;
        case 'd': o->day = optarg; break;
        case 'S':
            if (o->nsets == MAX_SETS || set_slot(optarg, NULL, NULL) < 0)
                return vp_cli_usage_error(simulate_usage, "--set '%s': expected SLOT.NAME=VALUE "
                                          "(SLOT: placement, balance, reservation or "
                                          "migration; at most 16)", optarg);
            o->sets[o->nsets++] = optarg;
            break;
        default:
            return vp_cli_usage_error(simulate_usage, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    size_t n = (size_t)(argc - optind);
    if (!o->compare && n > 1)
        return vp_cli_usage_error(simulate_usage, "unexpected argument '%s' (several configs: "
                                  "--compare)", argv[optind + 1]);
    if (o->compare && (n < 1 || n > MAX_RUNS))
        return vp_cli_usage_error(simulate_usage, "%s", "--compare needs 1 to 16 configs");
    for (size_t i = 0; i < n; i++)
        o->configs[i] = argv[optind + (int)i];
    o->nconfigs = n ? n : 1; /* configs[0] NULL: the embedded default */
    return 0;
}

vp_lua_policy *vp_cli_policies(const vp_config *cfg, vp_err *err)
{
    vp_lua_opts o;
    vp_lua_opts_from_config(&o, cfg);
    return vp_lua_policy_new(&o, err);
}

static void fmt_hms(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    snprintf(buf, n, "%02ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

static bool file_exists(const char *path) { return access(path, R_OK) == 0; }

static void on_progress(void *ud, double frac, double t)
{
    sim_opts *o = ud;
    int pct = (int)(frac * 100 + 0.5);
    char hms[32];
    if (o->quiet || (!o->tty && !o->progress) || (!o->tty && pct / 10 == o->last_pct / 10))
        return;
    o->last_pct = pct;
    fmt_hms(t, hms, sizeof hms);
    fprintf(stderr, o->tty ? "\rsimulate%s%s: %3d%%  simulated %s" : "simulate%s%s: %3d%%  simulated %s\n",
            o->compare ? " " : "", o->compare ? o->label : "", pct, hms);
    fflush(stderr);
}

static void on_round(void *ud, const vp_sim_round *r)
{
    vp_series_add(((sim_opts *)ud)->series, r);
}

static void on_event(void *ud, const vp_engine *e, const vp_event *ev)
{
    sim_opts *o = ud;
    if (!o->events_out || ev->kind == VP_EV_SAMPLED)
        return;
    json_t *j = vp_event_to_json(e, ev);
    if (j) {
        json_dumpf(j, o->events_out, JSON_COMPACT);
        fputc('\n', o->events_out);
        json_decref(j);
    }
}

/* The consolidation experiment's metrics (CloudSim's definitions). */
static void print_cloudsim(const vp_csm_metrics *c, double kwh)
{
    printf("  CloudSim metrics    migrations %llu (%llu superseded in their round), "
           "VMs removed %llu\n", (unsigned long long)c->migrations,
           (unsigned long long)c->phantoms, (unsigned long long)c->vms_removed);
    printf("    SLATAH %.4f %%, PDM %.5f %%, SLAV %.7f %%, ESV %.4e\n", 100 * c->slatah,
           100 * c->pdm, 100 * c->slav, kwh * c->slav);
    printf("    SLA violation overall %.4f %%, average %.4f %%\n", 100 * c->overall_sla,
           100 * c->average_sla);
    printf("    host shutdowns %llu (mean %.1f s, sd %.1f s on before); migration time mean "
           "%.2f s, sd %.2f s\n", (unsigned long long)c->shutdowns, c->shutdown_time_mean,
           c->shutdown_time_sd, c->migration_time_mean, c->migration_time_sd);
}

static void print_table(const vp_sim_summary *s, const vp_policy *p, const vp_config *cfg)
{
    const char *source = cfg->path;
    const vp_engine_stats *st = &s->engine;
    char hms[32];
    uint64_t errors = 0;
    for (int i = 0; i < VP_SLOT_N; i++)
        errors += st->policy_errors[i];
    fmt_hms(s->duration, hms, sizeof hms);
    printf("vmpilot simulate: %s\n", source);
    printf("  simulated           %s (%zu sample rounds, trace step %g s)\n", hms, s->rounds, s->step);
    printf("  hosts / VMs         %zu / %zu\n", s->hosts, s->vms);
    printf("  policies            placement %s, balance %s, reservation %s, migration %s\n",
           p->id[0].name, p->id[1].name, p->id[2].name, p->id[3].name);
    printf("  placements          %llu placed, %zu still pending at the end\n",
           (unsigned long long)st->placed, s->vms_unplaced_at_end);
    printf("  migrations          %llu done, %llu failed, %llu dropped; mean %.2f s\n",
           (unsigned long long)st->migrations_done, (unsigned long long)st->migrations_failed,
           (unsigned long long)st->migrations_dropped,
           st->migrations_done ? st->migration_seconds / st->migrations_done : 0.0);
    if (s->has_power)
        printf("  energy              %.2f kWh\n", s->energy_kwh);
    printf("  active hosts        mean %.1f, min %zu, max %zu\n", s->active_hosts_mean,
           s->active_hosts_min, s->active_hosts_max);
    printf("  overloaded          %.3f %% of active host time\n", 100 * s->overload_frac);
    printf("  SLA violation       %.4f %% of requested CPU not served\n", 100 * s->sla_violation);
    if (s->cloudsim)
        print_cloudsim(&s->cs, s->energy_kwh);
    printf("  policy errors       %llu\n", (unsigned long long)errors);
    printf("  policy time        ");
    for (int i = 0; i < VP_SLOT_N; i++)
        printf(" %s %.3f s (%llu calls)%s", vp_slot_names[i], st->latency_sum[i],
               (unsigned long long)st->decisions[i], i + 1 < VP_SLOT_N ? "," : "\n");
    printf("  wall time           %.3f s (%.0f simulated s per s%s)\n", s->wall_seconds,
           s->wall_seconds > 0 ? s->duration / s->wall_seconds : 0.0,
           vp_cli_huge_pages() ? ", memory on huge pages" : "");
}

/* The consolidation experiment's metrics as JSON (fractions, not %). */
static json_t *cloudsim_json(const vp_csm_metrics *c, double kwh)
{
    return json_pack("{s:f,s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:f,s:f,s:f,s:f,s:I}",
                     "energy_kwh", kwh, "migrations", (json_int_t)c->migrations,
                     "migrations_superseded", (json_int_t)c->phantoms, "slatah", c->slatah,
                     "pdm", c->pdm, "slav", c->slav, "esv", kwh * c->slav, "overall_sla_violation",
                     c->overall_sla, "average_sla_violation", c->average_sla, "host_shutdowns",
                     (json_int_t)c->shutdowns, "time_before_shutdown_mean_s",
                     c->shutdown_time_mean, "time_before_shutdown_sd_s", c->shutdown_time_sd,
                     "migration_time_mean_s", c->migration_time_mean, "migration_time_sd_s",
                     c->migration_time_sd, "vms_removed", (json_int_t)c->vms_removed);
}

/* The config the run used, as JSON: the file (or the embedded default)
 * with the trace and order actually replayed (absolute, after --trace,
 * --day and --order) and each policy's params (after --set). */
static json_t *config_json(const vp_config *cfg)
{
    json_error_t je;
    json_t *j = file_exists(cfg->path) ? json_load_file(cfg->path, 0, &je)
                                       : json_loads(vp_default_config_text(), 0, &je);
    json_t *pol = json_object_get(j, "policies");
    for (int i = 0; json_is_object(j) && i < VP_SLOT_N; i++) {
        json_t *params = cfg->policy_params[i] ? json_loads(cfg->policy_params[i], 0, NULL) : NULL;
        if (!params)
            continue;
        if (!json_is_object(pol))
            json_object_set_new(j, "policies", pol = json_object());
        json_t *e = json_object_get(pol, vp_slot_names[i]);
        if (!e) /* the default script of the slot */
            json_object_set_new(pol, vp_slot_names[i], e = json_object());
        if (json_is_string(e))
            json_object_set_new(pol, vp_slot_names[i], e = json_pack("{s:O}", "file", e));
        if (json_is_object(e))
            json_object_set(e, "params", params);
        json_decref(params);
    }
    json_t *sim = json_object_get(j, "simulation");
    if (json_is_object(sim)) {
        json_object_set_new(sim, "trace", json_string(cfg->sim.trace ? cfg->sim.trace : ""));
        json_object_set_new(sim, "order", cfg->sim.order ? json_string(cfg->sim.order) : json_null());
    }
    return j ? j : json_null();
}

static void print_json(const vp_sim_summary *s, const vp_policy *p, const vp_config *cfg)
{
    const char *source = cfg->path;
    const vp_engine_stats *st = &s->engine;
    json_t *pol = json_object();
    for (int i = 0; i < VP_SLOT_N; i++)
        json_object_set_new(pol, vp_slot_names[i],
                            json_pack("{s:s,s:s,s:I,s:I,s:f}", "name", p->id[i].name, "version",
                                      p->id[i].version, "calls", (json_int_t)st->decisions[i],
                                      "errors", (json_int_t)st->policy_errors[i], "time_s",
                                      st->latency_sum[i]));
    json_t *j = json_pack(
        "{s:s,s:f,s:f,s:I,s:I,s:o,s:I,s:I,s:{s:I,s:I,s:I,s:f},s:f,s:{s:f,s:I,s:I},s:f,s:f,s:f}",
        "config", source, "simulated_s", s->duration, "step_s", s->step, "hosts",
        (json_int_t)s->hosts, "vms", (json_int_t)s->vms, "policies", pol, "placed",
        (json_int_t)st->placed, "pending_at_end", (json_int_t)s->vms_unplaced_at_end,
        "migrations", "done", (json_int_t)st->migrations_done, "failed",
        (json_int_t)st->migrations_failed, "dropped", (json_int_t)st->migrations_dropped,
        "mean_s", st->migrations_done ? st->migration_seconds / st->migrations_done : 0.0,
        "energy_kwh", s->energy_kwh, "active_hosts", "mean", s->active_hosts_mean, "min",
        (json_int_t)s->active_hosts_min, "max", (json_int_t)s->active_hosts_max,
        "overload_fraction", s->overload_frac, "sla_violation", s->sla_violation,
        "wall_s", s->wall_seconds);
    json_object_set_new(j, "huge_pages", json_boolean(vp_cli_huge_pages()));
    if (s->cloudsim)
        json_object_set_new(j, "cloudsim", cloudsim_json(&s->cs, s->energy_kwh));
    json_object_set_new(j, "settings", config_json(cfg));
    json_dumpf(j, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(j);
}

/* ====== configs and overrides ====== */

/* A shipped experiment configuration by name, or NULL. */
static char *set_path(const char *name)
{
    char path[4096];
    if (strchr(name, '/') || strstr(name, ".json"))
        return NULL;
    snprintf(path, sizeof path, "%s/cloudsim/%s.json", vp_default_config_dir(), name);
    return file_exists(path) ? strdup(path) : NULL;
}

static vp_config *load(const char *config, vp_err *err)
{
    if (!config)
        return vp_config_load_string(vp_default_config_text(), "(embedded default: "
                                     "examples/planetlab-day.json)", vp_default_config_dir(), err);
    char *set = file_exists(config) ? NULL : set_path(config);
    vp_config *cfg = vp_config_load(set ? set : config, err);
    free(set);
    return cfg;
}

static int replace(char **field, const char *value, vp_err *err)
{
    char *v = value ? strdup(value) : NULL;
    if (value && !v)
        return vp_err_set(err, "out of memory");
    free(*field);
    *field = v;
    return 0;
}

/* The order file that goes with trace folder dir: dir.order, or
 * <parent>-order/<name>.txt (the PlanetLab data layout); NULL if none. */
static char *order_for(const char *dir)
{
    char path[2 * 4096 + 16], copy[4096];
    snprintf(path, sizeof path, "%s.order", dir);
    if (file_exists(path))
        return strdup(path);
    snprintf(copy, sizeof copy, "%s", dir);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = 0;
    char *slash = strrchr(copy, '/');
    const char *name = slash ? slash + 1 : copy;
    if (slash)
        *slash = 0;
    snprintf(path, sizeof path, "%s-order/%s.txt", slash ? copy : ".", name);
    return file_exists(path) ? strdup(path) : NULL;
}

/* --set applied to cfg's policy params, one at a time in order. */
static int override_params(const sim_opts *o, vp_config *cfg, vp_err *err)
{
    for (size_t i = 0; i < o->nsets; i++) {
        const char *name, *value;
        int slot = set_slot(o->sets[i], &name, &value);
        char **text = &cfg->policy_params[slot];
        json_t *params = *text ? json_loads(*text, 0, NULL) : json_object();
        json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
        json_object_setn_new(params, name, (size_t)(value - 1 - name), v ? v : json_string(value));
        char *out = json_dumps(params, JSON_COMPACT);
        json_decref(params);
        if (!out)
            return vp_err_set(err, "out of memory");
        free(*text);
        *text = out;
    }
    return 0;
}

/* --trace, --day and --order applied to cfg's simulation section, and
 * --set to its policy params. */
static int override(const sim_opts *o, vp_config *cfg, vp_err *err)
{
    char path[4096];
    if (override_params(o, cfg, err))
        return -1;
    if (!o->trace && !o->day && !o->order)
        return 0;
    if (!cfg->sim.trace)
        return vp_err_set(err, "%s: --trace/--day/--order need a \"simulation\" section",
                          cfg->path);
    const char *trace = o->trace ? o->trace : cfg->sim.trace;
    if (o->day) {
        snprintf(path, sizeof path, "%s", trace);
        char *slash = strrchr(path, '/');
        size_t keep = slash ? (size_t)(slash - path) + 1 : 0;
        snprintf(path + keep, sizeof path - keep, "%s", o->day);
        trace = path;
    }
    char *order = o->order ? strdup(o->order) : order_for(trace);
    int rc = replace(&cfg->sim.trace, trace, err) || replace(&cfg->sim.order, order, err);
    free(order);
    return rc;
}

/* ====== runs ====== */

typedef struct run_out {
    vp_sim_summary sum;
    vp_series series;
    char label[256];
    char policies[4][64];
} run_out;

static int run_one(sim_opts *o, const vp_config *cfg, run_out *out)
{
    vp_err err = {0};
    vp_lua_policy *lp = vp_cli_policies(cfg, &err);
    if (!lp)
        return vp_cli_print_err(&err), VP_EXIT_CONFIG;
    const vp_policy *policy = vp_lua_policy_slots(lp);
    vp_sim_hooks hooks = {on_progress, on_event, o, on_round};
    o->label = out->label;
    out->series.name = out->label;
    o->series = &out->series;
    int rc = vp_simulate(cfg, policy, &hooks, &out->sum, &err);
    if (o->tty && !o->quiet)
        fputc('\n', stderr);
    for (int i = 0; i < VP_SLOT_N; i++)
        snprintf(out->policies[i], sizeof out->policies[i], "%s", policy->id[i].name);
    if (rc == 0 && !o->compare)
        (o->json ? print_json : print_table)(&out->sum, policy, cfg);
    if (rc)
        vp_cli_print_err(&err);
    vp_lua_policy_free(lp);
    return rc ? VP_EXIT_RUNTIME : VP_EXIT_OK;
}

/* ====== comparison ====== */

#define ROW(label, fmt, expr)                                                                      \
    do {                                                                                           \
        printf("  %-28s", label);                                                                  \
        for (size_t k = 0; k < n; k++) {                                                           \
            const vp_sim_summary *s = &runs[k].sum;                                                \
            char cell[64];                                                                         \
            (void)s;                                                                               \
            snprintf(cell, sizeof cell, fmt, expr);                                                \
            printf(" %16s", cell);                                                                 \
        }                                                                                          \
        putchar('\n');                                                                             \
    } while (0)

static void print_compare(const run_out *runs, size_t n)
{
    printf("vmpilot simulate --compare (%zu runs)\n  %-28s", n, "");
    for (size_t k = 0; k < n; k++)
        printf(" %16.16s", runs[k].label);
    putchar('\n');
    ROW("balance policy", "%s", runs[k].policies[VP_SLOT_BALANCE]);
    ROW("placement policy", "%s", runs[k].policies[VP_SLOT_PLACEMENT]);
    ROW("energy (kWh)", "%.2f", s->energy_kwh);
    ROW("migrations", "%llu", (unsigned long long)(s->cloudsim ? s->cs.migrations
                                                               : s->engine.migrations_done));
    ROW("active hosts (mean)", "%.1f", s->active_hosts_mean);
    ROW("SLA violation (%)", "%.4f", 100 * (s->cloudsim ? s->cs.overall_sla : s->sla_violation));
    if (runs[0].sum.cloudsim) {
        ROW("SLATAH (%)", "%.4f", 100 * s->cs.slatah);
        ROW("PDM (%)", "%.5f", 100 * s->cs.pdm);
        ROW("SLAV (%)", "%.7f", 100 * s->cs.slav);
        ROW("ESV (kWh x SLAV)", "%.4e", s->energy_kwh * s->cs.slav);
        ROW("average SLA violation (%)", "%.3f", 100 * s->cs.average_sla);
        ROW("host shutdowns", "%llu", (unsigned long long)s->cs.shutdowns);
        ROW("mean migration time (s)", "%.2f", s->cs.migration_time_mean);
    }
    ROW("wall time (s)", "%.3f", s->wall_seconds);
}

static void print_compare_json(const run_out *runs, size_t n)
{
    json_t *a = json_array();
    for (size_t k = 0; k < n; k++) {
        const vp_sim_summary *s = &runs[k].sum;
        json_t *j = json_pack("{s:s,s:s,s:s,s:f,s:I,s:f,s:f,s:f}", "run", runs[k].label,
                              "balance", runs[k].policies[VP_SLOT_BALANCE], "placement",
                              runs[k].policies[VP_SLOT_PLACEMENT], "energy_kwh", s->energy_kwh,
                              "migrations_done", (json_int_t)s->engine.migrations_done,
                              "active_hosts_mean", s->active_hosts_mean, "sla_violation",
                              s->sla_violation, "wall_s", s->wall_seconds);
        if (s->cloudsim)
            json_object_set_new(j, "cloudsim", cloudsim_json(&s->cs, s->energy_kwh));
        json_array_append_new(a, j);
    }
    json_dumpf(a, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(a);
}

/* ====== reports ====== */

static int write_report(const char *path, const run_out *runs, size_t n, bool svg)
{
    vp_series series[MAX_RUNS];
    vp_err err = {0};
    FILE *f = fopen(path, "w");
    if (!f)
        return perror(path), VP_EXIT_RUNTIME;
    for (size_t k = 0; k < n; k++)
        series[k] = runs[k].series;
    int rc = svg ? vp_series_write_svg(f, series, n, "vmpilot simulate", &err)
                 : vp_series_write_csv(f, series, n, &err);
    if (fclose(f) && rc == 0)
        rc = vp_err_set(&err, "%s: %s", path, strerror(errno));
    if (rc)
        return vp_cli_print_err(&err), VP_EXIT_RUNTIME;
    return VP_EXIT_OK;
}

/* Hosts from which a run asks for malloc on huge pages (main.c): a
 * smaller one gains nothing and would pay for the restart (about 15 ms)
 * and for zeroing whole 2 MB pages. */
#define HUGE_PAGES_HOSTS 4096

static int run_all(sim_opts *o, run_out *runs)
{
    int rc = VP_EXIT_OK;
    for (size_t k = 0; k < o->nconfigs && rc == VP_EXIT_OK; k++) {
        vp_err err = {0};
        vp_config *cfg = load(o->configs[k], &err);
        if (!cfg || override(o, cfg, &err)) {
            vp_config_free(cfg);
            vp_cli_print_err(&err);
            return VP_EXIT_CONFIG;
        }
        if (k == 0 && cfg->n_hosts >= HUGE_PAGES_HOSTS)
            vp_cli_want_huge_pages(); /* a restart, if it happens, loads it again */
        snprintf(runs[k].label, sizeof runs[k].label, "%s",
                 o->configs[k] ? o->configs[k] : "default");
        rc = run_one(o, cfg, &runs[k]);
        vp_config_free(cfg);
    }
    if (rc == VP_EXIT_OK && o->compare)
        (o->json ? print_compare_json : print_compare)(runs, o->nconfigs);
    if (rc == VP_EXIT_OK && o->csv)
        rc = write_report(o->csv, runs, o->nconfigs, false);
    if (rc == VP_EXIT_OK && o->plot)
        rc = write_report(o->plot, runs, o->nconfigs, true);
    return rc;
}

/* Every balance round makes a Plan of the whole pool and frees it (tens
 * of megabytes at scale).  By default glibc maps such blocks afresh and
 * unmaps them when freed, so each round faulted in and zeroed them again
 * (at 100x about a gigabyte a minute; on huge pages, 2 MB at a time).  A
 * simulation keeps its freed memory for the next round instead: blocks up
 * to 1 GB come from the heap, and the heap's top is not given back. */
static void keep_freed_memory(void)
{
    (void)mallopt(M_MMAP_THRESHOLD, 1 << 30);
    (void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

int vp_cli_simulate(int argc, char **argv)
{
    sim_opts o = {.last_pct = -100};
    keep_freed_memory();
    if (vp_cli_wants_help(argc, argv))
        return fputs(simulate_usage, stdout), VP_EXIT_OK;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc;
    o.tty = isatty(STDERR_FILENO);
    if (o.events)
        o.events_out = strcmp(o.events, "-") ? fopen(o.events, "we") : stdout; /* e: not across a restart */
    if (o.events && !o.events_out)
        return perror(o.events), VP_EXIT_RUNTIME;
    run_out *runs = calloc(o.nconfigs, sizeof *runs);
    rc = runs ? run_all(&o, runs) : VP_EXIT_RUNTIME;
    for (size_t k = 0; runs && k < o.nconfigs; k++)
        vp_series_free(&runs[k].series);
    free(runs);
    if (o.events_out && o.events_out != stdout)
        fclose(o.events_out);
    return rc;
}
