/*
 * sandbox.h - a lua_State a policy can run in, and nothing more.
 *
 * Provides: lb_box_new() (a state with only the safe parts of the base,
 * string, table, math and utf8 libraries, os.time and os.clock, a `load`
 * that takes text only, and a `require` that reaches only the vmpilot
 * library and the policy's own folder), a memory ceiling (custom
 * allocator), a per-call instruction budget (count hook), loading a
 * policy file into its own environment (assignments to globals are
 * errors), and protected calls whose errors name script, line and
 * function.
 * Uses: Lua 5.4, lb.h (the view and the vmpilot module), err.h.
 */
#ifndef VP_SANDBOX_H
#define VP_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "lb.h"

typedef struct lb_box_opts {
    long instructions;      /* per call, >= 1000 */
    size_t memory;          /* bytes for the whole state, 0 = no limit */
    const char *policy_dir; /* folder `require` may load from, or NULL */
    const char *lib_dir;    /* the vmpilot Lua library folder, or NULL */
} lb_box_opts;

typedef struct lb_box lb_box;

/* A new sandboxed state; NULL with err on failure. */
lua_State *lb_box_new(const lb_box_opts *opts, vp_err *err);
void lb_box_close(lua_State *L);

/* The state's view (proxies are made against it). */
lb_view *lb_box_view(lua_State *L);

/* Bytes the state holds now, and its peak. */
size_t lb_box_memory(lua_State *L);

/* The files `require` loaded into this state (the policy's folder and the
 * vmpilot library), in load order; at most LB_MODULES_MAX are kept. */
#define LB_MODULES_MAX 16
#define LB_MODULE_PATH 2200 /* bytes per module path */
size_t lb_box_modules(lua_State *L, const char **out, size_t max);

/* Loads path as text into a fresh environment and runs it (under the
 * budget); on success the value it returned is on the stack top. */
int lb_box_dofile(lua_State *L, const char *path, vp_err *err);

/* Names the function the next lb_box_call calls, for its errors (when
 * Lua itself has no name for it).  name must be a static string. */
void lb_box_set_entry(lua_State *L, const char *name);

/* Calls the function below nargs arguments with the budget reset;
 * nresults results stay on the stack on success.  On failure err->text
 * is "script:line: message (in function 'name')" (and err->source/line
 * are set); a blown budget or memory ceiling says so. */
int lb_box_call(lua_State *L, int nargs, int nresults, vp_err *err);

#endif
