/*
 * watch.c - ev_stat watchers and debounce timers on the policy scripts.
 * Provides: vp_lua_watch_* (watch.h).  A script is watched together with
 * the modules its running version required (their folders through
 * inotify), so editing a helper module reloads the scripts that use it.
 * Uses: libev (ev_stat, ev_io, ev_timer), Linux inotify, lua_policy.h.
 */
#include "watch.h"

#include "sandbox.h"

#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* libev's ev_stat compares modification times in whole seconds, so a
 * rewrite of the same size within the same second raises no event.  An
 * inotify watch on each script's folder (close-after-write, rename into
 * place, create) catches every write at once; ev_stat stays as the
 * portable path. */
#define INOTIFY_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)

typedef struct slot_watch {
    ev_stat stat;
    ev_timer settle; /* fires once the file has been quiet for `debounce` */
    vp_slot slot;
    struct vp_lua_watch *owner;
    int wd;                /* inotify watch on the script's folder, or -1 */
    char base[NAME_MAX + 1]; /* the script's file name in that folder */
    size_t nmods;          /* the modules it required: their folders' watches */
    int mod_wd[LB_MODULES_MAX];
    char mod_base[LB_MODULES_MAX][NAME_MAX + 1];
} slot_watch;

struct vp_lua_watch {
    struct ev_loop *loop;
    vp_lua_policy *policy;
    vp_pool *pool;
    vp_reload_cb cb;
    void *ud;
    int ifd;     /* inotify descriptor, or -1 */
    ev_io inotify;
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

/* Watches the folders of the modules slot s's running version required
 * (after each load: a new version may require others).  Folder watches
 * are shared; inotify gives the same descriptor for the same folder. */
static void watch_modules(vp_lua_watch *w, slot_watch *sw)
{
    const char *mods[LB_MODULES_MAX];
    sw->nmods = w->ifd < 0 ? 0 : vp_lua_policy_modules(w->policy, sw->slot, mods, LB_MODULES_MAX);
    for (size_t i = 0; i < sw->nmods; i++) {
        char a[PATH_MAX], b[PATH_MAX];
        snprintf(a, sizeof a, "%s", mods[i]);
        snprintf(b, sizeof b, "%s", mods[i]);
        snprintf(sw->mod_base[i], sizeof sw->mod_base[i], "%s", basename(a));
        sw->mod_wd[i] = inotify_add_watch(w->ifd, dirname(b), INOTIFY_MASK);
    }
}

static void on_settle(struct ev_loop *loop, ev_timer *t, int revents)
{
    slot_watch *sw = (slot_watch *)((char *)t - offsetof(slot_watch, settle));
    ev_timer_stop(loop, t);
    reload(sw->owner, sw->slot);
    watch_modules(sw->owner, sw);
}

static void on_stat(struct ev_loop *loop, ev_stat *st, int revents)
{
    slot_watch *sw = (slot_watch *)((char *)st - offsetof(slot_watch, stat));
    if (st->attr.st_nlink == 0) /* deleted or being replaced: wait for it */
        return;
    ev_timer_again(loop, &sw->settle);
}

static bool is_module(const slot_watch *sw, int wd, const char *name)
{
    for (size_t i = 0; i < sw->nmods; i++)
        if (sw->mod_wd[i] == wd && !strcmp(sw->mod_base[i], name))
            return true;
    return false;
}

/* An inotify event for (wd, name): restart the debounce of the slots
 * whose script, or one of whose modules, it is. */
static void notice(vp_lua_watch *w, int wd, const char *name)
{
    for (int s = 0; s < VP_SLOT_N; s++) {
        const slot_watch *sw = &w->slots[s];
        if ((sw->wd == wd && !strcmp(sw->base, name)) || is_module(sw, wd, name))
            ev_timer_again(w->loop, &w->slots[s].settle);
    }
}

static void on_inotify(struct ev_loop *loop, ev_io *io, int revents)
{
    vp_lua_watch *w = (vp_lua_watch *)((char *)io - offsetof(vp_lua_watch, inotify));
    _Alignas(struct inotify_event) char buf[4096];
    ssize_t n;
    while ((n = read(w->ifd, buf, sizeof buf)) > 0)
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            if (ev->len)
                notice(w, ev->wd, ev->name);
            p += sizeof *ev + ev->len;
        }
}

/* Watches the folder of slot s's script through w's inotify descriptor. */
static void watch_folder(vp_lua_watch *w, slot_watch *sw)
{
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s", sw->stat.path);
    snprintf(b, sizeof b, "%s", sw->stat.path);
    snprintf(sw->base, sizeof sw->base, "%s", basename(a));
    sw->wd = w->ifd < 0 ? -1 : inotify_add_watch(w->ifd, dirname(b), INOTIFY_MASK);
}

vp_lua_watch *vp_lua_watch_start(struct ev_loop *loop, vp_lua_policy *p, vp_pool *pool,
                                 double debounce, vp_reload_cb cb, void *ud)
{
    vp_lua_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    *w = (vp_lua_watch){.loop = loop, .policy = p, .pool = pool, .cb = cb, .ud = ud,
                        .ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)};
    for (int s = 0; s < VP_SLOT_N; s++) {
        slot_watch *sw = &w->slots[s];
        sw->slot = (vp_slot)s;
        sw->owner = w;
        ev_stat_init(&sw->stat, on_stat, vp_lua_policy_path(p, (vp_slot)s), 0.05);
        ev_init(&sw->settle, on_settle);
        sw->settle.repeat = debounce;
        ev_stat_start(loop, &sw->stat);
        ev_unref(loop); /* watching alone does not keep the loop running */
        watch_folder(w, sw);
        watch_modules(w, sw);
    }
    if (w->ifd >= 0) {
        ev_io_init(&w->inotify, on_inotify, w->ifd, EV_READ);
        ev_io_start(loop, &w->inotify);
        ev_unref(loop);
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
    if (w->ifd >= 0) {
        ev_ref(w->loop);
        ev_io_stop(w->loop, &w->inotify);
        close(w->ifd);
    }
    free(w);
}

void vp_lua_watch_reload_all(vp_lua_watch *w)
{
    for (int s = 0; s < VP_SLOT_N; s++)
        reload(w, (vp_slot)s);
}
