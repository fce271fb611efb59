/*
 * virt_events.c - libvirt's event API implemented on libev.
 *
 * Provides: see virt_events.h.
 * Uses: libvirt (virEventRegisterImpl), libev (ev_io, ev_timer).
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
 */
#include "virt_events.h"

#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct ve_watch ve_watch;

struct ve_watch {
    int id;
    bool is_timer;
    int fd;               /* handles */
    int ms;               /* timeouts: current period */
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
    ve_watch *dead;   /* removed, ff not yet run */
    ev_timer reaper;
} ve;

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

/* Moves w from live to dead and schedules the reaper. */
static void watch_kill(ve_watch *w)
{
    ve_watch **p = &ve.live;
    while (*p != w)
        p = &(*p)->next;
    *p = w->next;
    ve.n_live--;
    w->next = ve.dead;
    ve.dead = w;
    if (!ev_is_active(&ve.reaper))
        ev_timer_start(ve.loop, &ve.reaper);
}

/* Runs the free callbacks of every dead watch and frees them.  A free
 * callback may remove other watches: those are reaped in the same pass. */
static void reap_all(void)
{
    while (ve.dead) {
        ve_watch *w = ve.dead;
        ve.dead = w->next;
        if (w->ff)
            w->ff(w->opaque);
        free(w);
    }
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
    w->hcb(w->id, w->fd, from_ev(revents), w->opaque);
}

/* (Re)arms w's ev_io for libvirt interest `events`. */
static void io_arm(ve_watch *w, int events)
{
    ev_io_stop(ve.loop, &w->io);
    ev_io_set(&w->io, w->fd, to_ev(events));
    if (to_ev(events))
        ev_io_start(ve.loop, &w->io);
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
                      virFreeCallback ff)
{
    ve_watch *w = watch_new(false, opaque, ff);
    if (!w)
        return -1;
    w->fd = fd;
    w->hcb = cb;
    ev_io_init(&w->io, io_cb, fd, 0);
    w->io.data = w;
    io_arm(w, events);
    return w->id;
}

static void update_handle(int id, int events)
{
    ve_watch *w = watch_find(id, false);
    if (w)
        io_arm(w, events);
}

static int remove_handle(int id)
{
    ve_watch *w = watch_find(id, false);
    if (!w)
        return -1;
    ev_io_stop(ve.loop, &w->io);
    watch_kill(w);
    return 0;
}

/* ====== timeouts ====== */

/* (Re)arms w's ev_timer for a period of ms (-1 = disabled). */
static void timer_arm(ve_watch *w, int ms)
{
    w->ms = ms;
    ev_timer_stop(ve.loop, &w->timer);
    if (ms < 0)
        return;
    ev_timer_set(&w->timer, ms / 1000.0, ms / 1000.0);
    ev_timer_start(ve.loop, &w->timer);
}

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    ve_watch *w = t->data;
    if (w->ms == 0)
        timer_arm(w, 0); /* again on the next iteration, unless cb changes it */
    w->tcb(w->id, w->opaque);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    ve_watch *w = watch_new(true, opaque, ff);
    if (!w)
        return -1;
    w->tcb = cb;
    ev_timer_init(&w->timer, timer_cb, 0, 0);
    w->timer.data = w;
    timer_arm(w, ms);
    return w->id;
}

static void update_timeout(int id, int ms)
{
    ve_watch *w = watch_find(id, true);
    if (w)
        timer_arm(w, ms);
}

static int remove_timeout(int id)
{
    ve_watch *w = watch_find(id, true);
    if (!w)
        return -1;
    ev_timer_stop(ve.loop, &w->timer);
    watch_kill(w);
    return 0;
}

/* ====== public ====== */

int vp_virt_events_register(struct ev_loop *loop)
{
    if (!loop)
        return -1;
    if (ve.registered && ve.loop == loop)
        return 0;
    if (ve.registered) {
        if (ve.n_live > 0)
            return -1;
        reap_all(); /* on the old loop, which must still exist */
    }
    ve.loop = loop;
    ev_timer_init(&ve.reaper, reaper_cb, 0, 0);
    if (!ve.registered)
        virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout,
                             update_timeout, remove_timeout);
    ve.registered = true;
    return 0;
}

void vp_virt_events_flush(void)
{
    reap_all();
}

int vp_virt_events_active(void)
{
    return ve.n_live;
}
