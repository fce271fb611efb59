/*
 * virt_events.h - libvirt's event loop on vmpilot's libev loop.
 *
 * Provides: vp_virt_events_register(), which installs an implementation
 * of libvirt's event API (virEventRegisterImpl) on a libev loop, so that
 * connection I/O, keepalive timers and domain events run on the engine's
 * loop thread with no second event thread.  Call it before any
 * virConnectOpen.
 * Uses: libvirt (libvirt-event.h), libev, pthreads.
 *
 * libvirt keeps one process-wide event implementation, so this module
 * keeps one process-wide binding to a loop.  Registering again with the
 * same loop is a no-op; moving to another loop (a test making a fresh
 * ev_loop_new) is allowed only while no handle or timeout is registered.
 * Before destroying a loop, close every connection and call
 * vp_virt_events_flush, so the deferred free callbacks run and the
 * module's wake-up watcher leaves the loop.
 *
 * Threads: the thread that registers is the loop thread, the only one
 * that touches libev.  libvirt may add, update or remove handles and
 * timeouts from any thread (a worker thread calling libvirt): a mutex
 * guards the tables, a change made on the loop thread applies at once,
 * and one made elsewhere applies on the loop thread after an ev_async
 * wake-up (which does not keep ev_run alive).
 */
#ifndef VP_VIRT_EVENTS_H
#define VP_VIRT_EVENTS_H

#include <ev.h>

#include "err.h"

/* Binds libvirt's event API to loop (may be the default loop).  Returns
 * 0, or -1 (another loop still has watches, or libvirt refused). */
int vp_virt_events_register(struct ev_loop *loop) VP_WUR;

/* Runs the free callbacks of removed handles and timeouts now instead of
 * on the next loop iteration.  For shutdown only: call it from the top
 * level (never from inside a libvirt call or callback), after the last
 * virConnectClose, when the loop will not run again. */
void vp_virt_events_flush(void);

/* Handles and timeouts currently registered (for tests). */
int vp_virt_events_active(void);

#endif
