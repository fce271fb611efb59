/*
 * worker.c - a second thread that runs one job at a time (see worker.h).
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include "worker.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

struct vp_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* a job came, a job ended, or quit */
    void (*fn)(void *);  /* the job, NULL while idle */
    void *arg;
    bool quit;
};

static void *loop(void *ud)
{
    vp_worker *w = ud;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->fn && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->fn) /* quit, with no job left */
            break;
        void (*fn)(void *) = w->fn;
        pthread_mutex_unlock(&w->mu);
        fn(w->arg);
        pthread_mutex_lock(&w->mu);
        w->fn = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

vp_worker *vp_worker_new(void)
{
    vp_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if (pthread_mutex_init(&w->mu, NULL)) {
        free(w);
        return NULL;
    }
    if (pthread_cond_init(&w->cv, NULL)) {
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, loop, w)) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

void vp_worker_start(vp_worker *w, void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&w->mu);
    w->fn = fn;
    w->arg = arg;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void vp_worker_wait(vp_worker *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->fn)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void vp_worker_both(vp_worker *w, void (*fn)(void *arg), void *here, void *there)
{
    if (w && there)
        vp_worker_start(w, fn, there);
    fn(here);
    if (w && there)
        vp_worker_wait(w);
}

void vp_worker_free(vp_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

int vp_worker_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
