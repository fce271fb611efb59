/*
 * virt_events.c - libvirt's event API implemented on libev.
 *
 * Provides: see virt_events.h.
 * Uses: libvirt (virEventRegisterImpl), libev (ev_io, ev_timer, ev_async), pthreads.
 *
 * Every libvirt handle or timeout is one malloc'd watch holding an ev_io
 * or an ev_timer, on the `live` list.  Removing a watch stops its libev
 * watcher, moves it to the `dead` list and starts a zero-delay reaper
 * timer: the free callback (ff) runs on a later loop iteration, never
 * inside remove, as libvirt requires (calling ff from inside
 * virEventRemoveHandleFunc can deadlock in libvirt; libvirt-python commit
 * 72e237f7).  The watch is freed after its ff.
 *
 * Flags: READABLE/WRITABLE map to EV_READ/EV_WRITE both ways.  libvirt
 * always wants ERROR and HANGUP reported; libev has no such interest
 * bits: a hang-up shows up as readable (the read then sees end of file),
 * and EV_ERROR (libev stopped the watcher, e.g. a bad fd) is reported as
 * ERROR|HANGUP so that libvirt drops the connection.  A handle whose
 * interest is only ERROR/HANGUP has its ev_io stopped.
 *
 * Timeouts: -1 disables, 0 fires on every loop iteration (a zero-delay
 * one-shot ev_timer re-armed before each callback), n > 0 every n ms (a
 * repeating ev_timer).
 *
 * Threads: a mutex guards the lists, the ids and each watch's wanted
 * state (events, period); libev watchers are only touched on the loop
 * thread (the one that registered).  A call from the loop thread applies
 * at once, as before.  A call from another thread (a driver's worker
 * calling libvirt) records the wanted state, marks the watch dirty (or,
 * for a removal, moves it to the `dying` list) and wakes the loop with
 * ev_async_send; wake_cb then applies every dirty watch and stops the
 * dying ones, which go to `dead` as above.  Callbacks into libvirt (the
 * handle and timeout callbacks, the free callbacks) run without the lock,
 * since they call back into add/update/remove; a watch removed by
 * another thread but not yet stopped is skipped.
 */
#include "virt_events.h"

#include <libvirt/libvirt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct ve_watch ve_watch;

struct ve_watch {
    int id;
    bool is_timer;
    int fd;               /* handles */
    int ms;               /* timeouts: current period */
    int want;             /* wanted events (handles) or period (timeouts) */
    bool dirty;           /* want not yet applied (set off the loop thread) */
    bool removed;         /* removed off the loop thread, watcher not stopped */
    virEventHandleCallback hcb;
    virEventTimeoutCallback tcb;
    void *opaque;
    virFreeCallback ff;
    ev_io io;
    ev_timer timer;
    ve_watch *next;
};

static struct {
    struct ev_loop *loop;
    bool registered;
    int next_id;
    int n_live;
    ve_watch *live;
    ve_watch *dying;  /* removed off the loop thread, watcher still active */
    ve_watch *dead;   /* removed, ff not yet run */
    ev_timer reaper;
    ev_async wake;    /* applies other threads' changes on the loop thread */
    pthread_t loop_thread;
} ve;

static pthread_mutex_t ve_mu = PTHREAD_MUTEX_INITIALIZER;

static bool on_loop_thread(void)
{
    return pthread_equal(pthread_self(), ve.loop_thread);
}

/* Wakes the loop to apply a change made off its thread.  Lock held. */
static void wake_loop(void)
{
    if (ve.loop)
        ev_async_send(ve.loop, &ve.wake);
}

/* ====== flags ====== */

static int to_ev(int vir)
{
    return ((vir & VIR_EVENT_HANDLE_READABLE) ? EV_READ : 0) |
           ((vir & VIR_EVENT_HANDLE_WRITABLE) ? EV_WRITE : 0);
}

static int from_ev(int revents)
{
    int vir = 0;
    if (revents & EV_READ)
        vir |= VIR_EVENT_HANDLE_READABLE;
    if (revents & EV_WRITE)
        vir |= VIR_EVENT_HANDLE_WRITABLE;
    if (revents & EV_ERROR)
        vir |= VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP;
    return vir;
}

/* ====== the watch lists ====== */

static ve_watch *watch_new(bool is_timer, void *opaque, virFreeCallback ff)
{
    ve_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->id = ++ve.next_id;
    w->is_timer = is_timer;
    w->opaque = opaque;
    w->ff = ff;
    w->next = ve.live;
    ve.live = w;
    ve.n_live++;
    return w;
}

static ve_watch *watch_find(int id, bool is_timer)
{
    for (ve_watch *w = ve.live; w; w = w->next)
        if (w->id == id && w->is_timer == is_timer)
            return w;
    return NULL;
}

/* Unlinks w from live.  Lock held. */
static void watch_unlink(ve_watch *w)
{
    ve_watch **p = &ve.live;
    while (*p != w)
        p = &(*p)->next;
    *p = w->next;
    ve.n_live--;
}

/* Stops w's libev watcher, puts it on dead and schedules the reaper.
 * Loop thread, lock held. */
static void watch_bury(ve_watch *w)
{
    if (w->is_timer)
        ev_timer_stop(ve.loop, &w->timer);
    else
        ev_io_stop(ve.loop, &w->io);
    w->next = ve.dead;
    ve.dead = w;
    if (!ev_is_active(&ve.reaper))
        ev_timer_start(ve.loop, &ve.reaper);
}

/* Removes a live watch: at once on the loop thread, else through the
 * dying list and the wake-up.  Lock held. */
static void watch_kill(ve_watch *w)
{
    watch_unlink(w);
    if (on_loop_thread()) {
        watch_bury(w);
        return;
    }
    w->removed = true;
    w->next = ve.dying;
    ve.dying = w;
    wake_loop();
}

/* Runs the free callbacks of every dead watch and frees them, without
 * the lock.  A free callback may remove other watches: those are reaped
 * in the same pass. */
static void reap_all(void)
{
    pthread_mutex_lock(&ve_mu);
    while (ve.dead) {
        ve_watch *w = ve.dead;
        ve.dead = w->next;
        pthread_mutex_unlock(&ve_mu);
        if (w->ff)
            w->ff(w->opaque);
        free(w);
        pthread_mutex_lock(&ve_mu);
    }
    pthread_mutex_unlock(&ve_mu);
    /* touch the loop only when needed: it may be gone after a flush */
    if (ve.loop && (ev_is_active(&ve.reaper) || ev_is_pending(&ve.reaper)))
        ev_timer_stop(ve.loop, &ve.reaper);
}

static void reaper_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    reap_all();
}

/* ====== handles ====== */

static void io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    ve_watch *w = io->data;
    pthread_mutex_lock(&ve_mu);
    bool skip = w->removed;
    int id = w->id, fd = w->fd;
    virEventHandleCallback cb = w->hcb;
    void *opaque = w->opaque;
    pthread_mutex_unlock(&ve_mu);
    if (!skip) /* w stays allocated until its ff ran, after the stop */
        cb(id, fd, from_ev(revents), opaque);
}

/* (Re)arms w's ev_io for its wanted libvirt events.  Loop thread, lock
 * held. */
static void io_arm(ve_watch *w)
{
    w->dirty = false;
    ev_io_stop(ve.loop, &w->io);
    ev_io_set(&w->io, w->fd, to_ev(w->want));
    if (to_ev(w->want))
        ev_io_start(ve.loop, &w->io);
}

/* (Re)arms w's ev_timer for its wanted period (-1 = disabled).  Loop
 * thread, lock held. */
static void timer_arm(ve_watch *w)
{
    w->dirty = false;
    w->ms = w->want;
    ev_timer_stop(ve.loop, &w->timer);
    if (w->ms < 0)
        return;
    ev_timer_set(&w->timer, w->ms / 1000.0, w->ms / 1000.0);
    ev_timer_start(ve.loop, &w->timer);
}

/* Applies w->want now on the loop thread, else later through the
 * wake-up.  Lock held. */
static void watch_apply(ve_watch *w)
{
    if (!on_loop_thread()) {
        w->dirty = true;
        wake_loop();
    } else if (w->is_timer) {
        timer_arm(w);
    } else {
        io_arm(w);
    }
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
                      virFreeCallback ff)
{
    pthread_mutex_lock(&ve_mu);
    ve_watch *w = watch_new(false, opaque, ff);
    int id = w ? w->id : -1;
    if (w) {
        w->fd = fd;
        w->hcb = cb;
        w->want = events;
        ev_io_init(&w->io, io_cb, fd, 0);
        w->io.data = w;
        watch_apply(w);
    }
    pthread_mutex_unlock(&ve_mu);
    return id;
}

static void update_handle(int id, int events)
{
    pthread_mutex_lock(&ve_mu);
    ve_watch *w = watch_find(id, false);
    if (w) {
        w->want = events;
        watch_apply(w);
    }
    pthread_mutex_unlock(&ve_mu);
}

static int remove_handle(int id)
{
    pthread_mutex_lock(&ve_mu);
    ve_watch *w = watch_find(id, false);
    if (w)
        watch_kill(w);
    pthread_mutex_unlock(&ve_mu);
    return w ? 0 : -1;
}

/* ====== timeouts ====== */

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    ve_watch *w = t->data;
    pthread_mutex_lock(&ve_mu);
    bool skip = w->removed;
    if (!skip && !w->dirty && w->ms == 0)
        timer_arm(w); /* again on the next iteration, unless cb changes it */
    int id = w->id;
    virEventTimeoutCallback cb = w->tcb;
    void *opaque = w->opaque;
    pthread_mutex_unlock(&ve_mu);
    if (!skip)
        cb(id, opaque);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    pthread_mutex_lock(&ve_mu);
    ve_watch *w = watch_new(true, opaque, ff);
    int id = w ? w->id : -1;
    if (w) {
        w->tcb = cb;
        w->want = ms;
        w->ms = -1;
        ev_timer_init(&w->timer, timer_cb, 0, 0);
        w->timer.data = w;
        watch_apply(w);
    }
    pthread_mutex_unlock(&ve_mu);
    return id;
}

static void update_timeout(int id, int ms)
{
    pthread_mutex_lock(&ve_mu);
    ve_watch *w = watch_find(id, true);
    if (w) {
        w->want = ms;
        watch_apply(w);
    }
    pthread_mutex_unlock(&ve_mu);
}

static int remove_timeout(int id)
{
    pthread_mutex_lock(&ve_mu);
    ve_watch *w = watch_find(id, true);
    if (w)
        watch_kill(w);
    pthread_mutex_unlock(&ve_mu);
    return w ? 0 : -1;
}

/* ====== changes from other threads ====== */

/* Applies the changes other threads made: dirty watches are re-armed,
 * dying ones stopped and handed to the reaper. */
static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    pthread_mutex_lock(&ve_mu);
    for (ve_watch *w = ve.live; w; w = w->next) {
        if (w->dirty && w->is_timer)
            timer_arm(w);
        else if (w->dirty)
            io_arm(w);
    }
    while (ve.dying) {
        ve_watch *w = ve.dying;
        ve.dying = w->next;
        watch_bury(w);
    }
    pthread_mutex_unlock(&ve_mu);
}

/* Starts the wake-up watcher on ve.loop; it does not keep ev_run alive. */
static void wake_start(void)
{
    if (ev_is_active(&ve.wake))
        return;
    ev_async_init(&ve.wake, wake_cb);
    ev_async_start(ve.loop, &ve.wake);
    ev_unref(ve.loop);
}

static void wake_stop(void)
{
    if (!ev_is_active(&ve.wake))
        return;
    ev_ref(ve.loop);
    ev_async_stop(ve.loop, &ve.wake);
}

/* ====== public ====== */

int vp_virt_events_register(struct ev_loop *loop)
{
    if (!loop)
        return -1;
    pthread_mutex_lock(&ve_mu);
    bool same = ve.registered && ve.loop == loop, busy = ve.registered && !same && ve.n_live > 0;
    pthread_mutex_unlock(&ve_mu);
    if (same) {
        pthread_mutex_lock(&ve_mu);
        ve.loop_thread = pthread_self();
        wake_start(); /* again after a flush */
        pthread_mutex_unlock(&ve_mu);
        return 0;
    }
    if (busy)
        return -1;
    if (ve.registered) {
        reap_all(); /* on the old loop, which must still exist */
        pthread_mutex_lock(&ve_mu);
        wake_stop();
        pthread_mutex_unlock(&ve_mu);
    }
    pthread_mutex_lock(&ve_mu);
    ve.loop = loop;
    ve.loop_thread = pthread_self();
    ev_timer_init(&ve.reaper, reaper_cb, 0, 0);
    wake_start();
    pthread_mutex_unlock(&ve_mu);
    if (!ve.registered)
        virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout,
                             update_timeout, remove_timeout);
    ve.registered = true;
    return 0;
}

void vp_virt_events_flush(void)
{
    pthread_mutex_lock(&ve_mu);
    while (ve.dying) { /* the loop will not run again to stop them */
        ve_watch *w = ve.dying;
        ve.dying = w->next;
        watch_bury(w);
    }
    pthread_mutex_unlock(&ve_mu);
    reap_all();
    pthread_mutex_lock(&ve_mu);
    if (ve.loop)
        wake_stop();
    pthread_mutex_unlock(&ve_mu);
}

int vp_virt_events_active(void)
{
    pthread_mutex_lock(&ve_mu);
    int n = ve.n_live;
    pthread_mutex_unlock(&ve_mu);
    return n;
}
