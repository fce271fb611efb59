/*
 * test_worker.c - engine/worker.c: jobs run on another thread, one at a
 * time, their writes seen after vp_worker_wait; freeing stops the thread.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"
#include "worker.h"

typedef struct job {
    pthread_t ran_on;
    long sum;  /* written by the job, read after the wait */
    int calls;
} job;

static void add_up(void *arg)
{
    job *j = arg;
    j->ran_on = pthread_self();
    for (long i = 1; i <= 1000; i++)
        j->sum += i;
    j->calls++;
}

static atomic_int started;

static void count(void *arg)
{
    (void)arg;
    atomic_fetch_add(&started, 1);
}

int main(void)
{
    CHECK(vp_worker_cpus() >= 1);
    vp_worker *w = vp_worker_new();
    CHECK(w != NULL);
    vp_worker_wait(w); /* nothing started: returns at once */
    job j = {0};
    vp_worker_start(w, add_up, &j);
    vp_worker_wait(w);
    CHECK_EQ_INT(j.sum, 500500);
    CHECK_EQ_INT(j.calls, 1);
    CHECK(!pthread_equal(j.ran_on, pthread_self()));
    /* many jobs in a row, each waited for: each runs once */
    for (int i = 0; i < 2000; i++) {
        vp_worker_start(w, add_up, &j);
        vp_worker_wait(w);
    }
    CHECK_EQ_INT(j.calls, 2001);
    CHECK_EQ_INT(j.sum, 500500L * 2001);
    /* both: one job here, one there, both done on return */
    job here = {0}, there = {0};
    vp_worker_both(w, add_up, &here, &there);
    CHECK(here.calls == 1 && there.calls == 1 && here.sum == 500500 && there.sum == 500500);
    CHECK(pthread_equal(here.ran_on, pthread_self()));
    CHECK(!pthread_equal(there.ran_on, pthread_self()));
    vp_worker_both(NULL, add_up, &here, &there); /* no worker: here only */
    vp_worker_both(w, add_up, &here, NULL);      /* nothing there: here only */
    CHECK(here.calls == 3 && there.calls == 1);
    vp_worker_free(w);
    /* freed with a job just started: the job still runs, then the thread stops */
    w = vp_worker_new();
    CHECK(w != NULL);
    vp_worker_start(w, count, NULL);
    vp_worker_free(w);
    CHECK_EQ_INT(atomic_load(&started), 1);
    vp_worker_free(NULL);
    return CHECK_DONE();
}
