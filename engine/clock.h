/*
 * clock.h - one interface for periodic and one-shot work, two backends.
 *
 * Provides: vp_clock (now, run, stop) and vp_timer (one-shot or periodic
 * callbacks), with a real-time backend on a libev loop and a
 * discrete-event backend with a virtual clock for the simulator.  Engine
 * code schedules through this interface only, so it runs unchanged in
 * both.
 * Uses: libev (real-time backend), libc.
 *
 * Timers are caller-owned, in libev's style: embed a vp_timer in your
 * struct, vp_timer_init() it once, start and stop it as often as needed.
 * Stopping an inactive timer is a no-op; a timer may stop or restart
 * itself (or any other timer) from its callback.  A one-shot timer is
 * inactive when its callback runs.
 *
 * Ordering in the simulated backend is deterministic: timers due at the
 * same virtual time fire in the order they were started.
 */
#ifndef VP_CLOCK_H
#define VP_CLOCK_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct vp_clock vp_clock;
typedef struct vp_timer vp_timer;
typedef void (*vp_timer_cb)(vp_clock *clock, vp_timer *timer, void *ud);

struct vp_timer {
    /* all fields private */
    vp_timer_cb cb;
    void *ud;
    vp_clock *clock;
    double at;       /* absolute due time (virtual or ev_now) */
    double repeat;   /* period in seconds, 0 for one-shot */
    uint64_t seq;    /* start order, breaks ties in the simulated backend */
    long heap_index; /* simulated: position in the heap, -1 if not queued;
                        real time: position in the clock's list of active timers */
    bool active;
    ev_timer w;      /* real-time backend */
};

/* Creates a real-time clock on loop (not owned).  now() is ev_now(loop). */
vp_clock *vp_clock_new_ev(struct ev_loop *loop);

/* Creates a simulated clock whose virtual time starts at start (seconds). */
vp_clock *vp_clock_new_sim(double start);

/* Stops every timer still active on clock, then frees it. */
void vp_clock_free(vp_clock *clock);

/* Current time in seconds: wall-clock (libev) or virtual. */
double vp_clock_now(const vp_clock *clock);

/* True for the simulated backend. */
bool vp_clock_is_sim(const vp_clock *clock);

/* The libev loop of a real-time clock, NULL for a simulated one. */
struct ev_loop *vp_clock_loop(const vp_clock *clock);

/* Runs until vp_clock_stop() is called or nothing is left to do, or
 * until the clock reaches until (an absolute time on the clock's own
 * scale: virtual seconds, or ev_now(); negative = no limit).  Events due
 * exactly at until still run.  A stop requested before the call is
 * cleared.  The simulated backend sets now to until when it runs out of
 * events or reaches until (not when stopped).  Returns the number of
 * callbacks run (simulated) or 0 (real time). */
uint64_t vp_clock_run(vp_clock *clock, double until);

/* Makes vp_clock_run return after the current callback. */
void vp_clock_stop(vp_clock *clock);

/* Must not be called on an active timer. */
void vp_timer_init(vp_timer *t, vp_timer_cb cb, void *ud);

/* Starts t to fire after delay seconds, then every repeat seconds if
 * repeat > 0 (negative or NaN values count as 0).  A running timer is
 * restarted.  Periodic timers do not drift in the simulated backend; in
 * real time a late timer runs once and continues from now (libev).
 * Aborts on out of memory (the simulated heap grows). */
void vp_timer_start(vp_clock *clock, vp_timer *t, double delay, double repeat);

/* Stops t if it is active. */
void vp_timer_stop(vp_timer *t);

static inline bool vp_timer_active(const vp_timer *t) { return t->active; }

#endif
