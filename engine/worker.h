/*
 * worker.h - a second thread that runs one job at a time for the caller,
 * which does its own share meanwhile and then waits for it.
 *
 * Provides: vp_worker, vp_worker_new(), vp_worker_start(), vp_worker_wait(),
 * vp_worker_both(), vp_worker_free(), vp_worker_cpus().
 * Uses: POSIX threads.
 *
 * The simulator's CloudSim model updates the hosts of a large pool in two
 * halves, one here.  Everything the job writes is visible to the caller
 * after vp_worker_wait (the mutex orders it).
 */
#ifndef VP_WORKER_H
#define VP_WORKER_H

#include <stdbool.h>

typedef struct vp_worker vp_worker;

/* A waiting thread, or NULL (out of memory, or no thread could start). */
vp_worker *vp_worker_new(void);

/* fn(arg) starts on the worker.  The worker must be idle (new, or waited
 * for). */
void vp_worker_start(vp_worker *w, void (*fn)(void *arg), void *arg);

/* Returns when the job started last has finished (at once if none). */
void vp_worker_wait(vp_worker *w);

/* fn(there) on the worker while fn(here) runs on the caller's thread;
 * returns when both have.  With w or there NULL, only fn(here). */
void vp_worker_both(vp_worker *w, void (*fn)(void *arg), void *here, void *there);

/* Stops and joins the thread (after its job, if one runs).  NULL: nothing. */
void vp_worker_free(vp_worker *w);

/* How many CPUs this process may run on (at least 1). */
int vp_worker_cpus(void);

#endif
