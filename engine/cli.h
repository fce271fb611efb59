/*
 * cli.h - shared pieces of the `vmpilot` command's subcommands.
 * Provides: exit codes, usage/error printing, and the subcommand entry
 * points (main.c, cli_simulate.c, cli_serve.c, cli_client.c).
 * Uses: err.h, config.h, bindings/lua_policy.h (no Lua headers).
 */
#ifndef VP_CLI_H
#define VP_CLI_H

#include <stdbool.h>

#include "config.h"
#include "err.h"
#include "lua_policy.h"
#include "policy.h"

enum { VP_EXIT_OK = 0, VP_EXIT_RUNTIME = 1, VP_EXIT_USAGE = 2, VP_EXIT_CONFIG = 3 };

/* Prints "vmpilot: <fmt with arg>" and usage to stderr; returns VP_EXIT_USAGE. */
int vp_cli_usage_error(const char *usage, const char *fmt, const char *arg);
bool vp_cli_wants_help(int argc, char **argv);
/* Prints "vmpilot: file:line:col: field 'x': text" to stderr. */
void vp_cli_print_err(const vp_err *err);

/* Loads cfg's policy scripts (the shipped default for a slot without
 * one); NULL with err naming the script on failure. */
vp_lua_policy *vp_cli_policies(const vp_config *cfg, vp_err *err);

/* The kernel's transparent huge page mode ("always", "madvise", "never";
 * "" when unknown), and whether malloc gets huge pages: "always", or
 * "madvise" with glibc's tunable glibc.malloc.hugetlb=1. */
const char *vp_cli_thp_mode(void);
bool vp_cli_huge_pages(void);
/* Where the mode is "madvise" and the tunable is not given (nor
 * VMPILOT_HUGE_PAGES=0): restarts the command (main's argv) with the
 * tunable added to GLIBC_TUNABLES.  Returns only when it does not. */
void vp_cli_want_huge_pages(void);

int vp_cli_simulate(int argc, char **argv);
int vp_cli_serve(int argc, char **argv);

/* The API client (cli_client.c): argv[0] is the command word ("vm",
 * "host", "migration", "status" of policy, "decisions"). */
int vp_cli_vm(int argc, char **argv);
int vp_cli_host(int argc, char **argv);
int vp_cli_migration(int argc, char **argv);
int vp_cli_policy_status(int argc, char **argv);
/* `vmpilot policy reload` through the control API. */
int vp_cli_policy_reload(int argc, char **argv);
int vp_cli_decisions(int argc, char **argv);

#endif
