/*
 * cli_serve.c - `vmpilot serve CONFIG`: the engine in real time.
 *
 * Provides: vp_cli_serve().  Runs the engine on a libev loop (real-time
 * clock) with the config's driver, logging every decision and action as
 * one JSON object per line on stdout.  Policy scripts are reloaded when
 * they change and on SIGHUP (bindings/watch.h); SIGINT/SIGTERM (or
 * --duration) stop cleanly: no new decision or migration, running
 * migrations finish for up to limits.shutdown_grace seconds, then are
 * aborted ("stopping", "stop_waiting", "stop_aborting" lines), and the
 * pool at the end is logged ("vm_final", "host_final").  Two kinds of
 * config:
 *   - simulated hosts (a "type"): the simulator driver, trace-driven VMs
 *     replayed in real time (simulate.h, vp_sim_world);
 *   - libvirt hosts (a "uri"): the libvirt driver (virt_world.h,
 *     vp_virt_world): every host opened and sized from libvirt, its
 *     running domains put in the pool, periodic sampling, balance and
 *     reservation decisions, lifecycle events kept in the pool and logged
 *     as "vm_appeared" / "vm_stopped" / "vm_unfit" lines
 *     ({"t","event","vm","host","reason"}), live migrations through the
 *     driver (limits.migration_bandwidth and migration_timeout), a host whose
 *     connection drops marked down and reconnected ("host_down",
 *     "host_up"), new VMs placed and created through the control API.
 * The control API (api.h) listens on the config's api.listen (default
 * 127.0.0.1:5000) or --listen, and on api.unix_socket; its address is
 * logged as {"t","event":"api_listening","address","reason"}.
 * Uses: cli.h, simulate.h (vp_sim_world), virt_world.h (vp_virt_world),
 * api.h, clock.h, event_json.h, libev, bindings/watch.h and lua_policy.h
 * (no Lua headers).
 */
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "cli.h"
#include "event_json.h"
#include "simulate.h"
#include "virt_world.h"
#include "watch.h"

static const char serve_usage[] =
    "usage: vmpilot serve [OPTIONS] CONFIG\n"
    "\n"
    "Runs the engine in real time on the hosts of CONFIG: periodic sampling,\n"
    "balancing, reservation and migrations decided by the policy scripts, every\n"
    "decision and action logged as one JSON object per line on stdout.\n"
    "A policy script that changes on disk is reloaded (checked first; a broken\n"
    "version is refused and the running one kept); SIGHUP, or `vmpilot policy\n"
    "reload`, reloads every script whose content changed.  SIGINT or SIGTERM\n"
    "(or --duration) stops cleanly: no new decision or migration, running\n"
    "migrations finish for up to limits.shutdown_grace seconds (default 60), then\n"
    "they are aborted (a SIGINT meanwhile aborts them at once); the pool is logged\n"
    "(vm_final, host_final lines).\n"
    "Simulated hosts (a \"type\" and a \"simulation\" trace) replay the trace in\n"
    "real time.  libvirt hosts (a \"uri\") are served: each is opened and sized\n"
    "from libvirt (logical CPUs, memory in MiB), its running domains join the pool\n"
    "as VMs running there, domains are sampled (virConnectGetAllDomainStats), and\n"
    "lifecycle events keep the pool in step (logged as vm_appeared, vm_stopped,\n"
    "vm_unfit); proposed moves are live-migrated (virDomainMigrateToURI3); a\n"
    "host whose connection drops is marked down and reconnected with back-off\n"
    "(host_down, host_up).\n"
    "The control API (docs/api.md: /resources, /allocate, /deallocate, /v1/...,\n"
    "/metrics) listens on the config's api.listen (default 127.0.0.1:5000); the\n"
    "address is logged as an \"api_listening\" line.  New VMs are placed by the\n"
    "placement policy and created on libvirt hosts.\n"
    "\n"
    "options:\n"
    "  --duration SECONDS   stop after SECONDS (default: run until signalled)\n"
    "  --listen HOST:PORT   the API's TCP address instead of the config's (IPv6 in\n"
    "                       brackets: [::1]:5000; port 0: any free port; \"none\":\n"
    "                       no TCP listener)\n"
    "  --pid-file FILE      write the process id to FILE (for `vmpilot policy reload`)\n"
    "  -h, --help           this text\n"
    "exit codes: 0 stopped cleanly, 1 runtime failure, 2 usage error,\n"
    "            3 invalid config or policy script\n";

typedef struct serve {
    vp_clock *clock;
    ev_signal sigint, sigterm, sighup;
    vp_timer stop_t;
    vp_engine *engine;
    vp_lua_watch *watch;
    vp_lua_policy *lp;
    vp_pool *pool;
    vp_api *api;
    const char *listen; /* the API's TCP address as given */
    double grace;        /* limits.shutdown_grace, s */
    bool stopping;       /* a stop was asked: waiting for migrations */
    vp_timer grace_t;    /* the grace period is over: abort them */
    vp_timer hard_t;     /* aborted ones did not report: stop anyway */
} serve;

/* After aborting, how long the migrations have to report (s). */
#define SERVE_ABORT_WAIT 30.0

static void log_line(json_t *j)
{
    json_dumpf(j, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    fflush(stdout);
    json_decref(j);
}

static void on_event(void *ud, const vp_engine *e, const vp_event *ev)
{
    serve *s = ud;
    if (ev->kind == VP_EV_SAMPLED)
        return; /* one per round: too chatty for the log */
    json_t *j = vp_event_to_json(e, ev);
    if (j)
        log_line(j);
    if (s->api)
        vp_api_record(s->api, e, ev);
    if (s->stopping && vp_engine_migrations_running(e) == 0 &&
        (ev->kind == VP_EV_MIGRATION_DONE || ev->kind == VP_EV_MIGRATION_FAILED))
        vp_clock_stop(s->clock); /* the last running migration ended */
}

static void log_note(serve *s, const char *event, const char *reason)
{
    log_line(json_pack("{s:f,s:s,s:s}", "t", vp_clock_now(s->clock), "event", event, "reason",
                       reason));
}

static void on_reload(void *ud, vp_slot slot, int rc, const char *version, const char *error)
{
    serve *s = ud;
    static const char *const what[] = {"policy_reload_failed", "policy_reloaded",
                                       "policy_unchanged"};
    log_line(json_pack("{s:f,s:s,s:s,s:s,s:s}", "t", vp_clock_now(s->clock), "event",
                       what[rc + 1], "slot", vp_slot_names[slot], "version", version, "reason",
                       rc < 0 ? error : rc ? "same content as the running version"
                                           : "new version checked and swapped in"));
}

static void on_hard_timer(vp_clock *c, vp_timer *t, void *ud)
{
    serve *s = ud;
    log_note(s, "stop_forced", "aborted migrations did not report in time");
    vp_clock_stop(s->clock);
}

/* Aborts the running migrations; the loop returns when the last one
 * reports (on_event), or after SERVE_ABORT_WAIT. */
static void abort_running(serve *s, const char *why)
{
    char text[160];
    size_t n = vp_engine_abort_migrations(s->engine);
    snprintf(text, sizeof text, "%s: aborting %zu running migration%s", why, n,
             n == 1 ? "" : "s");
    log_note(s, "stop_aborting", text);
    vp_timer_stop(&s->grace_t);
    vp_timer_start(s->clock, &s->hard_t, SERVE_ABORT_WAIT, 0);
}

static void on_grace_timer(vp_clock *c, vp_timer *t, void *ud)
{
    abort_running(ud, "grace period over");
}

/* Stops the engine's periodic work and the start of queued migrations at
 * once (other callbacks due in this loop iteration must not run).  With
 * no migration running the loop returns now; otherwise it runs until they
 * end, for at most the grace period, after which they are aborted.  While
 * stopping, SIGINT aborts them at once; other requests are ignored (e.g.
 * timeout(1) sends SIGTERM to the process and to its group). */
static void stop(serve *s, const char *why)
{
    if (s->stopping) {
        if (strcmp(why, "SIGINT") == 0 && !vp_timer_active(&s->hard_t))
            abort_running(s, why);
        return;
    }
    s->stopping = true;
    log_note(s, "stopping", why);
    vp_engine_stop(s->engine);
    vp_timer_stop(&s->stop_t);
    size_t n = vp_engine_migrations_running(s->engine);
    if (n == 0)
        return vp_clock_stop(s->clock);
    char text[160];
    snprintf(text, sizeof text, "%zu migration%s running: letting them finish for up to %g s",
             n, n == 1 ? "" : "s", s->grace);
    log_note(s, "stop_waiting", text);
    if (s->grace <= 0)
        return abort_running(s, "no grace period");
    vp_timer_start(s->clock, &s->grace_t, s->grace, 0);
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    serve *s = w->data;
    if (w->signum == SIGHUP)
        return vp_lua_watch_reload_all(s->watch);
    stop(s, w->signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void on_stop_timer(vp_clock *c, vp_timer *t, void *ud)
{
    stop(ud, "--duration reached");
}

static void watch_signals(struct ev_loop *loop, serve *s)
{
    ev_signal *w[] = {&s->sigint, &s->sigterm, &s->sighup};
    int sig[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        ev_signal_init(w[i], on_signal, sig[i]);
        w[i]->data = s;
        ev_signal_start(loop, w[i]);
        ev_unref(loop); /* signals alone do not keep the loop running */
    }
}

static void unwatch_signals(struct ev_loop *loop, serve *s)
{
    ev_signal *w[] = {&s->sigint, &s->sigterm, &s->sighup};
    for (int i = 0; i < 3; i++) {
        ev_ref(loop);
        ev_signal_stop(loop, w[i]);
    }
}

static int write_pid(const char *path)
{
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!path)
        return 0;
    if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f))
        return perror(path), -1;
    return 0;
}

static void on_note(void *ud, const char *event, const char *vm, const char *host,
                    const char *reason)
{
    serve *s = ud;
    json_t *j = json_pack("{s:f,s:s,s:s,s:s}", "t", vp_clock_now(s->clock), "event", event,
                          "host", host, "reason", reason);
    if (j && vm)
        json_object_set_new(j, "vm", json_string(vm));
    log_line(j);
}

/* The world `serve` runs: simulated or libvirt hosts. */
typedef struct world {
    bool virt;
    vp_sim_world sim;
    vp_virt_world virt_w;
} world;

static int world_build(world *w, serve *s, const vp_config *cfg, const vp_policy *policy,
                       vp_err *err)
{
    memset(w, 0, sizeof *w);
    w->virt = !cfg->simulated;
    if (!w->virt)
        return vp_sim_world_build(&w->sim, cfg, s->clock, policy, err);
    if (vp_virt_world_build(&w->virt_w, cfg, s->clock, policy, err))
        return -1;
    vp_virt_world_set_note_cb(&w->virt_w, on_note, s);
    return 0;
}

static vp_engine *world_engine(world *w) { return w->virt ? w->virt_w.engine : w->sim.engine; }
static vp_pool *world_pool(world *w) { return w->virt ? w->virt_w.pool : w->sim.pool; }

static void world_start(world *w)
{
    if (w->virt)
        vp_virt_world_start(&w->virt_w);
    else
        vp_sim_world_start(&w->sim);
}

/* Also right for a world whose build failed (left empty). */
static void world_free(world *w)
{
    if (w->virt)
        vp_virt_world_free(&w->virt_w);
    else
        vp_sim_world_free(&w->sim);
}

/* ====== the control API ====== */

static void api_status(void *ud, vp_slot slot, vp_api_slot *out)
{
    serve *s = ud;
    vp_lua_status st;
    vp_lua_policy_status(s->lp, slot, &st);
    *out = (vp_api_slot){st.name, st.version, st.path, st.last_error,
                         st.calls, st.errors, st.reloads, st.reload_failures};
}

/* A reload asked through the API, logged like any other. */
static int api_reload(void *ud, vp_slot slot, vp_err *err)
{
    serve *s = ud;
    vp_lua_status st;
    int rc = vp_lua_policy_reload(s->lp, (int)slot, s->pool, err);
    vp_lua_policy_status(s->lp, slot, &st);
    on_reload(s, slot, rc, st.version, err->text);
    return rc;
}

static int api_start(serve *s, world *w, const vp_config *cfg, const char *listen, vp_err *err)
{
    vp_api_params prm = {cfg, listen ? listen : cfg->api.listen, {s, api_status, api_reload},
                         w->virt};
    s->listen = prm.listen;
    return (s->api = vp_api_start(vp_clock_loop(s->clock), s->engine, &prm, err)) ? 0 : -1;
}

static void log_api(serve *s, const vp_config *cfg)
{
    char addr[64];
    int port = vp_api_port(s->api);
    snprintf(addr, sizeof addr, "%.*s:%d", (int)(strrchr(s->listen, ':') - s->listen), s->listen,
             port);
    log_line(json_pack("{s:f,s:s,s:s,s:s}", "t", vp_clock_now(s->clock), "event",
                       "api_listening", "address", port < 0 ? "none" : addr, "reason",
                       cfg->api.unix_socket ? cfg->api.unix_socket : "tcp only"));
}

/* What the pool holds at the end: one "vm_final" line per VM (its state
 * and host), then one "host_final" line per host (its state). */
static void log_final(serve *s, const vp_pool *pool)
{
    double t = vp_clock_now(s->clock);
    for (vp_id id = 0; id < vp_pool_vm_end(pool); id++) {
        const vp_vm *v = vp_pool_vm(pool, id);
        const vp_host *h = v ? vp_pool_host(pool, v->host) : NULL;
        if (v)
            log_line(json_pack("{s:f,s:s,s:s,s:s?,s:s}", "t", t, "event", "vm_final", "vm",
                               v->name, "host", h ? h->name : NULL, "state",
                               vp_vm_state_name(v->state)));
    }
    for (vp_id id = 0; id < vp_pool_host_end(pool); id++) {
        const vp_host *h = vp_pool_host(pool, id);
        if (h)
            log_line(json_pack("{s:f,s:s,s:s,s:s}", "t", t, "event", "host_final", "host",
                               h->name, "state", vp_host_state_name(h->state)));
    }
}

/* The loop, once everything is built. */
static void run_loop(serve *s, world *w, const vp_config *cfg, double duration)
{
    vp_engine_set_observer(s->engine, on_event, s);
    log_note(s, "started", cfg->path);
    log_api(s, cfg);
    vp_timer_init(&s->stop_t, on_stop_timer, s);
    vp_timer_init(&s->grace_t, on_grace_timer, s);
    vp_timer_init(&s->hard_t, on_hard_timer, s);
    s->grace = cfg->limits.shutdown_grace;
    if (duration > 0)
        vp_timer_start(s->clock, &s->stop_t, duration, 0);
    world_start(w);
    vp_clock_run(s->clock, -1);
    vp_timer_stop(&s->stop_t);
    vp_timer_stop(&s->grace_t);
    vp_timer_stop(&s->hard_t);
    log_final(s, world_pool(w));
    log_note(s, "stopped", "clean shutdown");
}

static int run(const vp_config *cfg, double duration, const char *pid_file, const char *listen)
{
    world w;
    vp_err err = {0};
    serve s = {0};
    struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
    watch_signals(loop, &s); /* first: a stop request while loading is not lost */
    vp_lua_policy *lp = vp_cli_policies(cfg, &err);
    if (!lp)
        return unwatch_signals(loop, &s), vp_cli_print_err(&err), VP_EXIT_CONFIG;
    s.clock = vp_clock_new_ev(loop);
    s.lp = lp;
    int rc = world_build(&w, &s, cfg, vp_lua_policy_slots(lp), &err);
    if (rc == 0) {
        s.engine = world_engine(&w);
        s.pool = world_pool(&w);
        rc = api_start(&s, &w, cfg, listen, &err);
    }
    if (rc)
        vp_cli_print_err(&err);
    else if ((rc = write_pid(pid_file)) == 0) {
        s.watch = vp_lua_watch_start(loop, lp, s.pool, 0.02, on_reload, &s);
        run_loop(&s, &w, cfg, duration);
        vp_lua_watch_stop(s.watch);
        if (pid_file)
            unlink(pid_file);
    }
    vp_api_stop(s.api);
    world_free(&w); /* a failed build left it empty */
    unwatch_signals(loop, &s);
    vp_clock_free(s.clock);
    vp_lua_policy_free(lp);
    return rc ? VP_EXIT_RUNTIME : VP_EXIT_OK;
}

int vp_cli_serve(int argc, char **argv)
{
    static const struct option longs[] = {{"duration", required_argument, 0, 'd'},
                                          {"pid-file", required_argument, 0, 'p'},
                                          {"listen", required_argument, 0, 'l'},
                                          {0, 0, 0, 0}};
    double duration = 0;
    const char *pid_file = NULL, *listen = NULL;
    char *end;
    int c;
    if (vp_cli_wants_help(argc, argv))
        return fputs(serve_usage, stdout), VP_EXIT_OK;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'p' || c == 'l') {
            *(c == 'p' ? &pid_file : &listen) = optarg;
            continue;
        }
        if (c != 'd')
            return vp_cli_usage_error(serve_usage, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        duration = strtod(optarg, &end);
        if (*end || !(duration > 0))
            return vp_cli_usage_error(serve_usage, "--duration needs seconds > 0, got '%s'",
                                      optarg);
    }
    if (argc - optind != 1)
        return vp_cli_usage_error(serve_usage, "%s", "expected exactly one CONFIG");
    vp_err err = {0};
    if (listen && vp_listen_parse(listen, (char[VP_IP_LEN]){0}, &c, (bool[1]){0}, &err))
        return vp_cli_usage_error(serve_usage, "--listen: %s", err.text);
    vp_config *cfg = vp_config_load(argv[optind], &err);
    if (!cfg)
        return vp_cli_print_err(&err), VP_EXIT_CONFIG;
    if (listen && vp_listen_check(listen, cfg->api.token, &err))
        return vp_config_free(cfg), vp_cli_usage_error(serve_usage, "--listen: %s", err.text);
    int rc = run(cfg, duration, pid_file, listen);
    vp_config_free(cfg);
    return rc;
}
