/*
 * policy_check.h - checking policy scripts without running the engine.
 *
 * Provides: vp_policy_check_file(), used by `vmpilot policy check`.
 * Today it compiles the script as Lua 5.4 text (binary chunks are
 * refused) and reports syntax errors as "file:line: message".  Loading
 * in the sandbox, checking the returned table and running self_test
 * come with the policy runtime.
 * Uses: Lua 5.4 (only in policy_check.c), err.h.
 */
#ifndef VP_POLICY_CHECK_H
#define VP_POLICY_CHECK_H

#include "err.h"

/* 0 if path compiles, else -1 with err (source = path, line set). */
int vp_policy_check_file(const char *path, vp_err *err);

#endif
