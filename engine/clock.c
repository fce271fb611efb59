/*
 * clock.c - vp_clock backends: real time on libev, discrete-event simulation.
 * Provides: see clock.h.  Uses: libev (real-time backend), libc.
 *
 * Both backends keep an array of the clock's active timers, and each timer
 * stores its index there in heap_index (-1 when not in the array):
 *  - simulated: the array is a binary min-heap keyed by (at, seq), so start,
 *    stop and pop are O(log n).  vp_clock_run pops the earliest timer, sets
 *    now to its due time, re-queues a periodic timer at previous at + repeat
 *    (no drift) with a fresh seq, or marks a one-shot inactive, and only
 *    then runs the callback.  A timer started from a callback with delay 0
 *    therefore fires after the events already queued for the same time.
 *  - real time: the array is an unordered set (swap-remove), kept only so
 *    that vp_clock_free can stop the timers still running on the loop.
 *    Each vp_timer embeds an ev_timer; its callback recovers the vp_timer
 *    with container-of.  vp_clock_run(clock, until) with until >= 0 arms an
 *    internal, unreferenced one-shot ev_timer that breaks the loop once
 *    ev_now reaches until (an absolute time on the ev_now scale); being
 *    unreferenced it does not keep an otherwise idle loop running.
 *
 * vp_clock_run clears any earlier vp_clock_stop request when it starts.  In
 * the simulated backend a run ended by vp_clock_stop leaves now at the time
 * of the last event; a run that ends because the queue is empty or the next
 * event is later than until advances now to until (when until > now).
 * Negative (or NaN) delays and repeats are treated as 0.
 */
#include "clock.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h> /* memmove, used by libev's ev_set_cb */

struct vp_clock {
    bool sim;
    bool stopped;
    double now;           /* simulated: virtual time */
    uint64_t next_seq;    /* simulated: start order */
    struct ev_loop *loop; /* real time */
    ev_timer until_w;     /* real time: breaks vp_clock_run at until */
    vp_timer **timers;    /* simulated: min-heap; real time: active set */
    size_t len, cap;
};

/* ---- timer array shared by both backends ---- */

static void timers_reserve(vp_clock *c)
{
    if (c->len < c->cap)
        return;
    size_t cap = c->cap ? c->cap * 2 : 16;
    vp_timer **p = realloc(c->timers, cap * sizeof *p);
    if (!p) {
        fprintf(stderr, "vp_clock: out of memory\n");
        abort();
    }
    c->timers = p;
    c->cap = cap;
}

static void timers_put(vp_clock *c, size_t i, vp_timer *t)
{
    c->timers[i] = t;
    t->heap_index = (long)i;
}

/* ---- simulated backend: binary min-heap on (at, seq) ---- */

static bool timer_before(const vp_timer *a, const vp_timer *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void heap_sift_up(vp_clock *c, size_t i)
{
    vp_timer *t = c->timers[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(t, c->timers[parent]))
            break;
        timers_put(c, i, c->timers[parent]);
        i = parent;
    }
    timers_put(c, i, t);
}

static void heap_sift_down(vp_clock *c, size_t i)
{
    vp_timer *t = c->timers[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= c->len)
            break;
        if (child + 1 < c->len && timer_before(c->timers[child + 1], c->timers[child]))
            child++;
        if (!timer_before(c->timers[child], t))
            break;
        timers_put(c, i, c->timers[child]);
        i = child;
    }
    timers_put(c, i, t);
}

static void heap_push(vp_clock *c, vp_timer *t)
{
    timers_reserve(c);
    timers_put(c, c->len++, t);
    heap_sift_up(c, c->len - 1);
}

static void heap_remove(vp_clock *c, vp_timer *t)
{
    size_t i = (size_t)t->heap_index;
    vp_timer *last = c->timers[--c->len];
    t->heap_index = -1;
    if (last == t)
        return;
    timers_put(c, i, last);
    if (i > 0 && timer_before(last, c->timers[(i - 1) / 2]))
        heap_sift_up(c, i);
    else
        heap_sift_down(c, i);
}

/* ---- real-time backend: unordered active set ---- */

static void set_add(vp_clock *c, vp_timer *t)
{
    timers_reserve(c);
    timers_put(c, c->len++, t);
}

static void set_remove(vp_clock *c, vp_timer *t)
{
    size_t i = (size_t)t->heap_index;
    vp_timer *last = c->timers[--c->len];
    t->heap_index = -1;
    if (last != t)
        timers_put(c, i, last);
}

static void rt_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    vp_timer *t = (vp_timer *)(void *)((char *)w - offsetof(vp_timer, w));
    (void)revents;
    if (t->repeat > 0) {
        t->at = ev_now(loop) + ev_timer_remaining(loop, w);
    } else {
        set_remove(t->clock, t);
        t->active = false;
    }
    t->cb(t->clock, t, t->ud);
}

static void rt_until_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    ev_ref(loop); /* libev's stop of this fired one-shot undid our ev_unref */
    ev_break(loop, EVBREAK_ONE);
}

/* ---- clocks ---- */

static vp_clock *clock_alloc(bool sim)
{
    vp_clock *c = calloc(1, sizeof *c);
    if (c)
        c->sim = sim;
    return c;
}

vp_clock *vp_clock_new_ev(struct ev_loop *loop)
{
    vp_clock *c = clock_alloc(false);
    if (!c)
        return NULL;
    c->loop = loop;
    ev_timer_init(&c->until_w, rt_until_cb, 0., 0.);
    return c;
}

vp_clock *vp_clock_new_sim(double start)
{
    vp_clock *c = clock_alloc(true);
    if (c)
        c->now = start;
    return c;
}

void vp_clock_free(vp_clock *clock)
{
    if (!clock)
        return;
    while (clock->len > 0)
        vp_timer_stop(clock->timers[clock->len - 1]);
    free(clock->timers);
    free(clock);
}

double vp_clock_now(const vp_clock *clock)
{
    return clock->sim ? clock->now : ev_now(clock->loop);
}

bool vp_clock_is_sim(const vp_clock *clock)
{
    return clock->sim;
}

struct ev_loop *vp_clock_loop(const vp_clock *clock)
{
    return clock->sim ? NULL : clock->loop;
}

/* Pops the earliest timer, advances now and re-queues or deactivates it. */
static vp_timer *sim_next(vp_clock *c)
{
    vp_timer *t = c->timers[0];
    heap_remove(c, t);
    if (t->at > c->now)
        c->now = t->at;
    if (t->repeat > 0) {
        t->at += t->repeat;
        t->seq = c->next_seq++;
        heap_push(c, t);
    } else {
        t->active = false;
    }
    return t;
}

static uint64_t sim_run(vp_clock *c, double until)
{
    uint64_t n = 0;
    while (!c->stopped && c->len > 0) {
        if (until >= 0 && c->timers[0]->at > until)
            break;
        vp_timer *t = sim_next(c);
        t->cb(c, t, t->ud);
        n++;
    }
    if (!c->stopped && until >= 0 && until > c->now)
        c->now = until;
    return n;
}

static void rt_run(vp_clock *c, double until)
{
    if (until >= 0) {
        ev_now_update(c->loop);
        double delay = until - ev_now(c->loop);
        ev_timer_set(&c->until_w, delay > 0 ? delay : 0., 0.);
        ev_timer_start(c->loop, &c->until_w);
        ev_unref(c->loop);
    }
    ev_run(c->loop, 0);
    if (ev_is_active(&c->until_w)) {
        ev_ref(c->loop);
        ev_timer_stop(c->loop, &c->until_w);
    }
}

uint64_t vp_clock_run(vp_clock *clock, double until)
{
    clock->stopped = false;
    if (clock->sim)
        return sim_run(clock, until);
    rt_run(clock, until);
    return 0;
}

void vp_clock_stop(vp_clock *clock)
{
    clock->stopped = true;
    if (!clock->sim)
        ev_break(clock->loop, EVBREAK_ONE);
}

/* ---- timers ---- */

void vp_timer_init(vp_timer *t, vp_timer_cb cb, void *ud)
{
    memset(t, 0, sizeof *t);
    t->cb = cb;
    t->ud = ud;
    t->heap_index = -1;
    ev_timer_init(&t->w, rt_timer_cb, 0., 0.);
}

static void sim_start(vp_clock *c, vp_timer *t, double delay)
{
    t->at = c->now + delay;
    t->seq = c->next_seq++;
    heap_push(c, t);
}

static void rt_start(vp_clock *c, vp_timer *t, double delay)
{
    ev_timer_set(&t->w, delay, t->repeat);
    ev_timer_start(c->loop, &t->w);
    t->at = ev_now(c->loop) + delay;
    set_add(c, t);
}

void vp_timer_start(vp_clock *clock, vp_timer *t, double delay, double repeat)
{
    vp_timer_stop(t);
    t->clock = clock;
    t->repeat = repeat > 0 ? repeat : 0.;
    if (!(delay > 0))
        delay = 0.;
    if (clock->sim)
        sim_start(clock, t, delay);
    else
        rt_start(clock, t, delay);
    t->active = true;
}

void vp_timer_stop(vp_timer *t)
{
    if (!t->active)
        return;
    vp_clock *c = t->clock;
    if (c->sim) {
        heap_remove(c, t);
    } else {
        ev_timer_stop(c->loop, &t->w);
        set_remove(c, t);
    }
    t->active = false;
}
