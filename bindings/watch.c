/*
 * watch.c - ev_stat watchers and debounce timers on the policy scripts.
 * Provides: vp_lua_watch_* (watch.h).  Uses: libev, lua_policy.h.
 */
#include "watch.h"

#include <stddef.h>
#include <stdlib.h>

typedef struct slot_watch {
    ev_stat stat;
    ev_timer settle; /* fires once the file has been quiet for `debounce` */
    vp_slot slot;
    struct vp_lua_watch *owner;
} slot_watch;

struct vp_lua_watch {
    struct ev_loop *loop;
    vp_lua_policy *policy;
    vp_pool *pool;
    vp_reload_cb cb;
    void *ud;
    slot_watch slots[VP_SLOT_N];
};

static void reload(vp_lua_watch *w, vp_slot s)
{
    vp_err err = {0};
    vp_lua_status st;
    int rc = vp_lua_policy_reload(w->policy, (int)s, w->pool, &err);
    vp_lua_policy_status(w->policy, s, &st);
    if (w->cb)
        w->cb(w->ud, s, rc, st.version, rc ? err.text : NULL);
}

static void on_settle(struct ev_loop *loop, ev_timer *t, int revents)
{
    slot_watch *sw = (slot_watch *)((char *)t - offsetof(slot_watch, settle));
    ev_timer_stop(loop, t);
    reload(sw->owner, sw->slot);
}

static void on_stat(struct ev_loop *loop, ev_stat *st, int revents)
{
    slot_watch *sw = (slot_watch *)((char *)st - offsetof(slot_watch, stat));
    if (st->attr.st_nlink == 0) /* deleted or being replaced: wait for it */
        return;
    ev_timer_again(loop, &sw->settle);
}

vp_lua_watch *vp_lua_watch_start(struct ev_loop *loop, vp_lua_policy *p, vp_pool *pool,
                                 double debounce, vp_reload_cb cb, void *ud)
{
    vp_lua_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    *w = (vp_lua_watch){.loop = loop, .policy = p, .pool = pool, .cb = cb, .ud = ud};
    for (int s = 0; s < VP_SLOT_N; s++) {
        slot_watch *sw = &w->slots[s];
        sw->slot = (vp_slot)s;
        sw->owner = w;
        ev_stat_init(&sw->stat, on_stat, vp_lua_policy_path(p, (vp_slot)s), 0.05);
        ev_init(&sw->settle, on_settle);
        sw->settle.repeat = debounce;
        ev_stat_start(loop, &sw->stat);
        ev_unref(loop); /* watching alone does not keep the loop running */
    }
    return w;
}

void vp_lua_watch_stop(vp_lua_watch *w)
{
    if (!w)
        return;
    for (int s = 0; s < VP_SLOT_N; s++) {
        ev_ref(w->loop);
        ev_stat_stop(w->loop, &w->slots[s].stat);
        ev_timer_stop(w->loop, &w->slots[s].settle);
    }
    free(w);
}

void vp_lua_watch_reload_all(vp_lua_watch *w)
{
    for (int s = 0; s < VP_SLOT_N; s++)
        reload(w, (vp_slot)s);
}
