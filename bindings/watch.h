/*
 * watch.h - hot reload of policy scripts on file change and on request.
 *
 * Provides: vp_lua_watch, which watches each slot's script with ev_stat
 * on the engine's libev loop (plus an inotify watch on its folder, which
 * sees the rewrites ev_stat's one-second resolution misses) and, after a short
 * quiet period (debounce, so an editor's several writes make one
 * reload), reloads the changed slot; vp_lua_watch_reload_all() does the same for every slot now (for
 * SIGHUP and `vmpilot policy reload`).  Every outcome is reported to a
 * callback.  Reloads run on the loop thread, between two decisions.
 * Uses: libev, lua_policy.h, engine/pool.h.
 */
#ifndef VP_WATCH_H
#define VP_WATCH_H

#include <ev.h>

#include "lua_policy.h"

typedef struct vp_lua_watch vp_lua_watch;

/* ok: 0 reloaded, 1 unchanged (same content), -1 failed (old version
 * kept; error says why). */
typedef void (*vp_reload_cb)(void *ud, vp_slot slot, int ok, const char *version,
                             const char *error);

/* Starts watching p's scripts; pool is used for the dry run.  debounce
 * in seconds (e.g. 0.02). */
vp_lua_watch *vp_lua_watch_start(struct ev_loop *loop, vp_lua_policy *p, vp_pool *pool,
                                 double debounce, vp_reload_cb cb, void *ud);
void vp_lua_watch_stop(vp_lua_watch *w);

/* Reloads every slot now, reporting each. */
void vp_lua_watch_reload_all(vp_lua_watch *w);

#endif
