/*
 * lua_decide.h - one decision per slot through its Lua script (internal
 * to bindings/).  Each returns 0 with *out filled, or -1 with err naming
 * the script, line and function.
 */
#ifndef VP_LUA_DECIDE_H
#define VP_LUA_DECIDE_H

#include <stdlib.h>

#include "lua_slot.h"

typedef struct lslot_place_args {
    vp_id vm;
    const vp_id *cand;
    size_t n;
    const vp_decision_ctx *dc;
} lslot_place_args;

typedef struct lslot_when_args {
    const lb_migration *m;
    const vp_decision_ctx *dc;
} lslot_when_args;

int lslot_place(lslot *s, vp_pool *pool, const lslot_place_args *a, vp_place_result *out,
                vp_err *err);
int lslot_balance(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_moves *out,
                  vp_err *err);
int lslot_reserve(lslot *s, vp_pool *pool, const vp_decision_ctx *dc, vp_reservation *out,
                  vp_err *err);
int lslot_when(lslot *s, vp_pool *pool, const lslot_when_args *a, vp_when *out, vp_err *err);

typedef struct lslot_batch_args {
    const vp_id *vms;
    size_t n;
    const vp_id *hosts;
    size_t nhosts;
    const vp_decision_ctx *dc;
} lslot_batch_args;

/* placement's place_batch(vms, hosts, ctx): out[i] for each VM (VP_NONE:
 * no answer).  1 when the script has no place_batch function. */
int lslot_place_batch(lslot *s, vp_pool *pool, const lslot_batch_args *a, vp_place_result *out,
                      vp_err *err);

/* placement's order(vms, ctx): reorders vms in place.  1 when the script
 * has no order function. */
int lslot_order(lslot *s, vp_pool *pool, vp_id *vms, size_t n, const vp_decision_ctx *dc,
                vp_err *err);

#endif
