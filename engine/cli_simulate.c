/*
 * cli_simulate.c - `vmpilot simulate [CONFIG]`.
 *
 * Provides: vp_cli_simulate(), vp_cli_policies().
 * Uses: cli.h, simulate.h, event_json.h, jansson.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "event_json.h"
#include "simulate.h"

static const char simulate_usage[] =
    "usage: vmpilot simulate [OPTIONS] [CONFIG]\n"
    "\n"
    "Replays the trace of CONFIG's \"simulation\" section through the engine on a\n"
    "virtual clock: every trace file becomes a VM, all are submitted at time 0,\n"
    "then sampling, balancing, reservation and migrations run at the configured\n"
    "intervals.  Prints a summary: placements, migrations, energy, active hosts,\n"
    "overload and SLA violation.  Without CONFIG it runs the embedded default:\n"
    "examples/planetlab-day.json (one day of PlanetLab traces, 1052 VMs, 800 hosts).\n"
    "\n"
    "options:\n"
    "  --json            print the summary as JSON instead of a table\n"
    "  --events FILE     write every engine event but the per-round 'sampled' as a\n"
    "                    JSON line to FILE ('-' = stdout)\n"
    "  --progress        always report progress on stderr (default: when a terminal)\n"
    "  -q, --quiet       no progress\n"
    "  -h, --help        this text\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error,\n"
    "            3 invalid config or policy script\n";

typedef struct sim_opts {
    bool json, quiet, progress;
    const char *events;
    const char *config;
    FILE *events_out;
    bool tty;
    int last_pct;
} sim_opts;

static int parse(int argc, char **argv, sim_opts *o)
{
    static const struct option longs[] = {{"json", no_argument, 0, 'j'},
                                          {"events", required_argument, 0, 'e'},
                                          {"progress", no_argument, 0, 'p'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "q", longs, NULL)) != -1) {
        switch (c) {
        case 'j': o->json = true; break;
        case 'e': o->events = optarg; break;
        case 'p': o->progress = true; break;
        case 'q': o->quiet = true; break;
        default:
            return vp_cli_usage_error(simulate_usage, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (argc - optind > 1)
        return vp_cli_usage_error(simulate_usage, "unexpected argument '%s'", argv[optind + 1]);
    o->config = optind < argc ? argv[optind] : NULL;
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

static void on_progress(void *ud, double frac, double t)
{
    sim_opts *o = ud;
    int pct = (int)(frac * 100 + 0.5);
    char hms[32];
    if (o->quiet || (!o->tty && !o->progress) || (!o->tty && pct / 10 == o->last_pct / 10))
        return;
    o->last_pct = pct;
    fmt_hms(t, hms, sizeof hms);
    fprintf(stderr, o->tty ? "\rsimulate: %3d%%  simulated %s" : "simulate: %3d%%  simulated %s\n",
            pct, hms);
    fflush(stderr);
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

static void print_table(const vp_sim_summary *s, const vp_policy *p, const char *source)
{
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
    printf("  wall time           %.3f s (%.0f simulated s per s)\n", s->wall_seconds,
           s->wall_seconds > 0 ? s->duration / s->wall_seconds : 0.0);
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

static void print_json(const vp_sim_summary *s, const vp_policy *p, const char *source)
{
    const vp_engine_stats *st = &s->engine;
    json_t *pol = json_object();
    for (int i = 0; i < VP_SLOT_N; i++)
        json_object_set_new(pol, vp_slot_names[i], json_pack("{s:s,s:s}", "name", p->id[i].name,
                                                              "version", p->id[i].version));
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
    if (s->cloudsim)
        json_object_set_new(j, "cloudsim", cloudsim_json(&s->cs, s->energy_kwh));
    json_dumpf(j, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(j);
}

static vp_config *load(const sim_opts *o, vp_err *err)
{
    if (o->config)
        return vp_config_load(o->config, err);
    return vp_config_load_string(vp_default_config_text(), "(embedded default: "
                                 "examples/planetlab-day.json)", vp_default_config_dir(), err);
}

static int run_sim(sim_opts *o, const vp_config *cfg)
{
    vp_sim_summary sum;
    vp_err err = {0};
    vp_lua_policy *lp = vp_cli_policies(cfg, &err);
    if (!lp)
        return vp_cli_print_err(&err), VP_EXIT_CONFIG;
    const vp_policy *policy = vp_lua_policy_slots(lp);
    vp_sim_hooks hooks = {on_progress, on_event, o};
    int rc = vp_simulate(cfg, policy, &hooks, &sum, &err);
    if (o->tty && !o->quiet)
        fputc('\n', stderr);
    if (rc == 0)
        (o->json ? print_json : print_table)(&sum, policy, cfg->path);
    else
        vp_cli_print_err(&err);
    vp_lua_policy_free(lp);
    return rc ? VP_EXIT_RUNTIME : VP_EXIT_OK;
}

int vp_cli_simulate(int argc, char **argv)
{
    sim_opts o = {.last_pct = -100};
    if (vp_cli_wants_help(argc, argv))
        return fputs(simulate_usage, stdout), VP_EXIT_OK;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc;
    o.tty = isatty(STDERR_FILENO);
    vp_err err = {0};
    vp_config *cfg = load(&o, &err);
    if (!cfg)
        return vp_cli_print_err(&err), VP_EXIT_CONFIG;
    if (o.events)
        o.events_out = strcmp(o.events, "-") ? fopen(o.events, "w") : stdout;
    if (o.events && !o.events_out) {
        perror(o.events);
        vp_config_free(cfg);
        return VP_EXIT_RUNTIME;
    }
    rc = run_sim(&o, cfg);
    if (o.events_out && o.events_out != stdout)
        fclose(o.events_out);
    vp_config_free(cfg);
    return rc;
}
