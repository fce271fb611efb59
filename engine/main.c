/*
 * main.c - the `vmpilot` command.
 *
 * Provides: main() and the subcommands simulate, serve, config check,
 * policy check, policy reload; the API client's vm, host, policy status
 * and decisions (cli_client.c); --help on each, --version.  Exit codes: 0 success,
 * 1 runtime failure, 2 usage error, 3 invalid config or policy file.
 * Uses: config.h, simulate.h, engine.h, driver_sim.h, clock.h,
 * event_json.h, bindings/lua_policy.h (no Lua headers).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
    "usage: vmpilot [--version] [--help] COMMAND [ARGS]\n"
    "\n"
    "vmpilot manages a pool of hypervisor hosts; every decision (placement,\n"
    "balance, reservation, migration timing) is made by a policy.\n"
    "\n"
    "commands:\n"
    "  simulate [CONFIG]     replay a workload trace through the engine on a\n"
    "                        virtual clock and print a summary (no CONFIG: the\n"
    "                        shipped PlanetLab day on 800 simulated hosts)\n"
    "  serve CONFIG          run the engine in real time on the configured hosts\n"
    "  config check CONFIG   validate a config file and exit\n"
    "  policy check FILE...  check policy scripts (sandbox, self_test, dry run)\n"
    "  policy reload         make a running `serve` reload its policy scripts\n"
    "  policy status         the policy slots of a running `serve` (its API)\n"
    "  vm list|create|delete|migrate, host list|drain|undrain, migration list|abort,\n"
    "  decisions\n"
    "                        talk to a running `serve` through its API\n"
    "\n"
    "`vmpilot COMMAND --help` describes each command.\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error,\n"
    "            3 invalid config or policy file\n";

static const char config_check_usage[] =
    "usage: vmpilot config check CONFIG\n"
    "\n"
    "Loads and validates CONFIG (JSON); prints \"CONFIG: configuration OK\" and a\n"
    "one-line description, or the first error as FILE:LINE:COLUMN: field 'PATH': WHAT.\n"
    "exit codes: 0 valid, 2 usage error, 3 invalid\n";

static const char policy_usage[] =
    "usage: vmpilot policy check FILE...\n"
    "       vmpilot policy reload [--api URL] [--token TOKEN] [--json]\n"
    "       vmpilot policy reload (--pid-file FILE | --pid PID)\n"
    "       vmpilot policy status [--api URL] [--token TOKEN] [--json]\n"
    "\n"
    "check: loads each policy script in the sandbox, finds the slot functions it\n"
    "exports (place, balance, reserve, migrate_when), runs its self_test and a\n"
    "dry run of each on a small built-in pool, and checks every result; prints a\n"
    "verdict per slot, or the error as FILE:LINE: message.\n"
    "reload: asks a running `vmpilot serve` to reload the policy scripts that\n"
    "changed: through its control API (POST /v1/policies/reload; prints each\n"
    "slot's outcome: reloaded, unchanged or failed with the error, exit code 3\n"
    "when one was refused), or with --pid-file/--pid by SIGHUP (the outcome is\n"
    "then in the server's log).\n"
    "status: each slot's script, version, calls, errors and last error, from a\n"
    "running `vmpilot serve`'s control API (see `vmpilot vm --help` for --api).\n"
    "exit codes: 0 all valid / signal sent, 1 runtime failure, 2 usage error,\n"
    "            3 a script is invalid\n";

int vp_cli_usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "vmpilot: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage);
    return VP_EXIT_USAGE;
}

bool vp_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    return false;
}

void vp_cli_print_err(const vp_err *err)
{
    char buf[VP_ERR_TEXT + VP_ERR_SOURCE + VP_ERR_FIELD + 64];
    fprintf(stderr, "vmpilot: %s\n", vp_err_format(err, buf, sizeof buf));
}

static int cmd_config_check(int argc, char **argv)
{
    if (vp_cli_wants_help(argc, argv))
        return fputs(config_check_usage, stdout), VP_EXIT_OK;
    if (argc != 2)
        return vp_cli_usage_error(config_check_usage, "%s", "expected exactly one CONFIG");
    vp_err err = {0};
    vp_config *cfg = vp_config_load(argv[1], &err);
    if (!cfg)
        return vp_cli_print_err(&err), VP_EXIT_CONFIG;
    printf("%s: configuration OK: %zu %s host%s, %zu host type%s, %zu VM type%s%s\n", argv[1],
           cfg->n_hosts, cfg->simulated ? "simulated" : "libvirt", cfg->n_hosts == 1 ? "" : "s",
           cfg->n_host_types, cfg->n_host_types == 1 ? "" : "s", cfg->n_vm_types,
           cfg->n_vm_types == 1 ? "" : "s", cfg->sim.trace ? ", a simulation section" : "");
    vp_config_free(cfg);
    return VP_EXIT_OK;
}

static int cmd_policy_check(int argc, char **argv)
{
    if (vp_cli_wants_help(argc, argv))
        return fputs(policy_usage, stdout), VP_EXIT_OK;
    if (argc < 2)
        return vp_cli_usage_error(policy_usage, "%s", "expected at least one FILE");
    vp_lua_opts o;
    vp_lua_opts_from_config(&o, NULL);
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        vp_err err = {0};
        if (vp_lua_check_file(argv[i], &o, stdout, &err)) {
            vp_cli_print_err(&err);
            printf("%s: INVALID\n", argv[i]);
            bad++;
        }
    }
    return bad ? VP_EXIT_CONFIG : VP_EXIT_OK;
}

/* The pid in file, or -1. */
static long read_pid(const char *file)
{
    long pid = -1;
    FILE *f = fopen(file, "r");
    if (!f || fscanf(f, "%ld", &pid) != 1)
        pid = -1;
    if (f)
        fclose(f);
    return pid;
}

static int cmd_policy_reload(int argc, char **argv)
{
    long pid = -1;
    if (vp_cli_wants_help(argc, argv))
        return fputs(policy_usage, stdout), VP_EXIT_OK;
    if (argc < 2 || (strcmp(argv[1], "--pid-file") && strcmp(argv[1], "--pid")))
        return vp_cli_policy_reload(argc, argv); /* through the control API */
    if (argc == 3 && !strcmp(argv[1], "--pid-file"))
        pid = read_pid(argv[2]);
    else if (argc == 3 && !strcmp(argv[1], "--pid"))
        pid = strtol(argv[2], NULL, 10);
    else
        return vp_cli_usage_error(policy_usage, "%s", "expected --pid-file FILE or --pid PID");
    if (pid <= 0)
        return fprintf(stderr, "vmpilot: no process id in '%s'\n", argv[2]),
               VP_EXIT_RUNTIME;
    if (kill((pid_t)pid, SIGHUP))
        return fprintf(stderr, "vmpilot: cannot signal process %ld: %s\n", pid,
                       strerror(errno)), VP_EXIT_RUNTIME;
    printf("asked vmpilot serve (pid %ld) to reload its policies; see its log\n", pid);
    return VP_EXIT_OK;
}

/* "config check", "policy check", "policy reload": a noun, then the verb. */
static int cmd_noun(int argc, char **argv, const char *usage, int (*check)(int, char **),
                    int (*reload)(int, char **))
{
    if (argc >= 2 && !strcmp(argv[1], "check"))
        return check(argc - 1, argv + 1);
    if (argc >= 2 && reload && !strcmp(argv[1], "reload"))
        return reload(argc - 1, argv + 1);
    if (argc < 2 || vp_cli_wants_help(argc, argv))
        return argc < 2 ? vp_cli_usage_error(usage, "%s", "missing sub-command")
                        : (fputs(usage, stdout), VP_EXIT_OK);
    return vp_cli_usage_error(usage, "unknown sub-command '%s'", argv[1]);
}

const char *vp_cli_thp_mode(void)
{
    static const char *const modes[] = {"always", "madvise", "never"};
    char line[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = 0;
        fclose(f);
    }
    for (int i = 0; i < 3; i++) {
        char mark[16];
        snprintf(mark, sizeof mark, "[%s]", modes[i]);
        if (strstr(line, mark))
            return modes[i];
    }
    return "";
}

bool vp_cli_huge_pages(void)
{
    const char *mode = vp_cli_thp_mode(), *tun = getenv("GLIBC_TUNABLES");
    return !strcmp(mode, "always") ||
           (!strcmp(mode, "madvise") && tun && strstr(tun, "glibc.malloc.hugetlb=1"));
}

static char **main_argv; /* main's, for a restart */

/* A large simulation waits on memory much of its time, on the page
 * tables as much as on the data: its pool, model and plans are hundreds of
 * megabytes read out of order.  glibc backs malloc with transparent huge
 * pages when asked at start (tunable glibc.malloc.hugetlb=1).  Where the
 * kernel gives huge pages only on request (THP mode "madvise", Debian's
 * default), a large `simulate` restarts itself once with the tunable set
 * (docs/simulate.md, Speed).  Not done when the tunable is already given,
 * THP is "always" or "never", or VMPILOT_HUGE_PAGES=0. */
void vp_cli_want_huge_pages(void)
{
    char **argv = main_argv;
    if (!argv)
        return;
    const char *off = getenv("VMPILOT_HUGE_PAGES"), *tun = getenv("GLIBC_TUNABLES");
    if ((off && !strcmp(off, "0")) || (tun && strstr(tun, "glibc.malloc.hugetlb")) ||
        strcmp(vp_cli_thp_mode(), "madvise"))
        return;
    char val[1024];
    if (snprintf(val, sizeof val, "%s%sglibc.malloc.hugetlb=1", tun ? tun : "", tun ? ":" : "") >=
            (int)sizeof val ||
        setenv("GLIBC_TUNABLES", val, 1))
        return;
    execv("/proc/self/exe", argv); /* returns only on failure: go on as we are */
    if (tun)
        setenv("GLIBC_TUNABLES", tun, 1);
    else
        unsetenv("GLIBC_TUNABLES");
}

int main(int argc, char **argv)
{
    main_argv = argv;
    if (argc < 2)
        return vp_cli_usage_error(usage_text, "%s", "missing COMMAND");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
        return fputs(usage_text, stdout), VP_EXIT_OK;
    if (!strcmp(cmd, "--version"))
        return printf("vmpilot %s\n", VP_VERSION), VP_EXIT_OK;
    if (!strcmp(cmd, "simulate"))
        return vp_cli_simulate(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return vp_cli_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "config"))
        return cmd_noun(argc - 1, argv + 1, config_check_usage, cmd_config_check, NULL);
    if (!strcmp(cmd, "policy") && argc >= 3 && !strcmp(argv[2], "status"))
        return vp_cli_policy_status(argc - 2, argv + 2);
    if (!strcmp(cmd, "vm"))
        return vp_cli_vm(argc - 1, argv + 1);
    if (!strcmp(cmd, "host"))
        return vp_cli_host(argc - 1, argv + 1);
    if (!strcmp(cmd, "migration"))
        return vp_cli_migration(argc - 1, argv + 1);
    if (!strcmp(cmd, "decisions"))
        return vp_cli_decisions(argc - 1, argv + 1);
    if (!strcmp(cmd, "policy"))
        return cmd_noun(argc - 1, argv + 1, policy_usage, cmd_policy_check, cmd_policy_reload);
    return vp_cli_usage_error(usage_text, "unknown command '%s'", cmd);
}
