/*
 * test_clock.c - unit tests for clock.c (simulated and libev backends).
 */
#include "check.h"
#include "clock.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- event log shared by the tests ---- */

#define LOG_MAX 4096

typedef struct {
    int id[LOG_MAX];
    double at[LOG_MAX];
    bool active[LOG_MAX]; /* vp_timer_active() inside the callback */
    int n;
} event_log;

typedef struct {
    vp_timer t;
    event_log *log;
    int id;
    int count;
    int limit;          /* test-specific: stop/restart after this many */
    vp_timer *other;    /* test-specific: timer to act on */
} tagged;

static void log_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    tagged *tg = ud;
    event_log *log = tg->log;
    tg->count++;
    if (log->n < LOG_MAX) {
        log->id[log->n] = tg->id;
        log->at[log->n] = vp_clock_now(clock);
        log->active[log->n] = vp_timer_active(t);
        log->n++;
    }
}

static void tag_init(tagged *tg, event_log *log, int id, vp_timer_cb cb)
{
    memset(tg, 0, sizeof *tg);
    tg->log = log;
    tg->id = id;
    vp_timer_init(&tg->t, cb, tg);
}

/* ---- simulated backend ---- */

static void test_sim_basics(void)
{
    vp_clock *c = vp_clock_new_sim(100.0);
    CHECK(c != NULL);
    CHECK(vp_clock_is_sim(c));
    CHECK(vp_clock_loop(c) == NULL);
    CHECK_NEAR(vp_clock_now(c), 100.0, 0);
    CHECK_EQ_INT(vp_clock_run(c, -1), 0);        /* nothing to do */
    CHECK_NEAR(vp_clock_now(c), 100.0, 0);
    CHECK_EQ_INT(vp_clock_run(c, 50.0), 0);      /* until in the past: now unchanged */
    CHECK_NEAR(vp_clock_now(c), 100.0, 0);
    CHECK_EQ_INT(vp_clock_run(c, 250.0), 0);     /* empty: now advances to until */
    CHECK_NEAR(vp_clock_now(c), 250.0, 0);
    vp_clock_free(c);
    vp_clock_free(NULL);
}

static void test_sim_order(void)
{
    event_log log = {0};
    tagged a, b, d;
    vp_clock *c = vp_clock_new_sim(0);
    tag_init(&a, &log, 1, log_cb);
    tag_init(&b, &log, 2, log_cb);
    tag_init(&d, &log, 3, log_cb);
    vp_timer_start(c, &a.t, 5, 0);
    vp_timer_start(c, &b.t, 1, 0);
    vp_timer_start(c, &d.t, 3, 0);
    CHECK(vp_timer_active(&a.t) && vp_timer_active(&b.t) && vp_timer_active(&d.t));
    CHECK_EQ_INT(vp_clock_run(c, -1), 3);
    CHECK_EQ_INT(log.n, 3);
    CHECK_EQ_INT(log.id[0], 2);
    CHECK_EQ_INT(log.id[1], 3);
    CHECK_EQ_INT(log.id[2], 1);
    CHECK_NEAR(log.at[0], 1, 0);
    CHECK_NEAR(log.at[1], 3, 0);
    CHECK_NEAR(log.at[2], 5, 0);
    CHECK(!log.active[0] && !log.active[1] && !log.active[2]); /* one-shots */
    CHECK(!vp_timer_active(&a.t) && !vp_timer_active(&b.t) && !vp_timer_active(&d.t));
    CHECK_NEAR(vp_clock_now(c), 5, 0);
    vp_clock_free(c);
}

static void test_sim_fifo_ties(void)
{
    event_log log = {0};
    tagged tg[8];
    vp_clock *c = vp_clock_new_sim(0);
    for (int i = 0; i < 8; i++) {
        tag_init(&tg[i], &log, i, log_cb);
        vp_timer_start(c, &tg[i].t, 7, 0);
    }
    vp_timer_start(c, &tg[2].t, 7, 0); /* restart: now last among equals */
    vp_timer_start(c, &tg[5].t, 6, 0); /* earlier time beats seq */
    CHECK_EQ_INT(vp_clock_run(c, -1), 8);
    int expect[8] = {5, 0, 1, 3, 4, 6, 7, 2};
    for (int i = 0; i < 8; i++)
        CHECK_EQ_INT(log.id[i], expect[i]);
    CHECK_NEAR(log.at[0], 6, 0);
    CHECK_NEAR(log.at[7], 7, 0);
    vp_clock_free(c);
}

static void test_sim_periodic(void)
{
    event_log log = {0};
    tagged p, q;
    vp_clock *c = vp_clock_new_sim(0);
    tag_init(&p, &log, 1, log_cb);
    tag_init(&q, &log, 2, log_cb);
    /* delay 300, every 300 s, for a day: fires at 300, 600, ..., 86400 */
    vp_timer_start(c, &p.t, 300, 300);
    CHECK_EQ_INT(vp_clock_run(c, 86400), 288);
    CHECK_EQ_INT(p.count, 288);
    CHECK_NEAR(log.at[0], 300, 0);
    CHECK_NEAR(log.at[287], 86400, 0);
    int exact = 1;
    for (int i = 0; i < 288; i++)
        exact &= log.at[i] == 300.0 * (i + 1) && log.active[i];
    CHECK(exact);
    CHECK_NEAR(vp_clock_now(c), 86400, 0);
    CHECK(vp_timer_active(&p.t));
    CHECK_NEAR(p.t.at, 86700, 0); /* next firing pending */
    vp_timer_stop(&p.t);

    /* delay 0: fires at start too, 289 times over [0, 86400] */
    log.n = 0;
    vp_clock *c2 = vp_clock_new_sim(0);
    vp_timer_start(c2, &q.t, 0, 300);
    CHECK_EQ_INT(vp_clock_run(c2, 86400), 289);
    CHECK_NEAR(log.at[0], 0, 0);
    CHECK_NEAR(log.at[288], 86400, 0);
    /* exact binary period: no accumulated drift over many firings */
    log.n = 0;
    vp_timer_start(c2, &q.t, 0.25, 0.25);
    CHECK_EQ_INT(vp_clock_run(c2, 86400 + 1000), 4000);
    CHECK_NEAR(vp_clock_now(c2), 87400, 0);
    CHECK_NEAR(log.at[log.n - 1], 87400, 0);
    vp_clock_free(c2);
    CHECK(!vp_timer_active(&q.t)); /* free stops queued timers */
    vp_clock_free(c);
}

/* periodic callback that starts one-shots at +0 and +5 */
typedef struct {
    tagged p;
    tagged now_shot, later_shot;
} spawner;

static void spawn_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    spawner *s = ud;
    log_cb(clock, t, &s->p);
    vp_timer_start(clock, &s->now_shot.t, 0, 0);
    vp_timer_start(clock, &s->later_shot.t, 5, 0);
}

static void test_sim_oneshot_in_periodic(void)
{
    event_log log = {0};
    spawner s;
    tagged other;
    vp_clock *c = vp_clock_new_sim(0);
    tag_init(&s.p, &log, 1, log_cb);
    vp_timer_init(&s.p.t, spawn_cb, &s);
    tag_init(&s.now_shot, &log, 2, log_cb);
    tag_init(&s.later_shot, &log, 3, log_cb);
    tag_init(&other, &log, 4, log_cb);
    vp_timer_start(c, &s.p.t, 10, 10);
    vp_timer_start(c, &other.t, 10, 0); /* queued for t=10 before the +0 shot */
    CHECK_EQ_INT(vp_clock_run(c, 30), 9);
    int ids[9] = {1, 4, 2, 3, 1, 2, 3, 1, 2};
    double ats[9] = {10, 10, 10, 15, 20, 20, 25, 30, 30};
    for (int i = 0; i < 9; i++) {
        CHECK_EQ_INT(log.id[i], ids[i]);
        CHECK_NEAR(log.at[i], ats[i], 0);
    }
    CHECK_EQ_INT(log.n, 9); /* the t=35 shot is still pending */
    CHECK(vp_timer_active(&s.later_shot.t));
    CHECK_NEAR(vp_clock_now(c), 30, 0);
    vp_clock_free(c);
}

/* stops itself after limit firings */
static void stop_self_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    tagged *tg = ud;
    log_cb(clock, t, ud);
    if (tg->count == tg->limit)
        vp_timer_stop(t);
}

/* stops tg->other */
static void stop_other_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    tagged *tg = ud;
    log_cb(clock, t, ud);
    vp_timer_stop(tg->other);
    vp_timer_stop(tg->other); /* second stop is a no-op */
}

/* one-shot that restarts itself with delay 2 until limit */
static void restart_self_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    tagged *tg = ud;
    log_cb(clock, t, ud);
    if (tg->count < tg->limit)
        vp_timer_start(clock, t, 2, 0);
}

/* periodic that changes its own period to 100 on the first firing */
static void reperiod_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    tagged *tg = ud;
    log_cb(clock, t, ud);
    if (tg->count == 1)
        vp_timer_start(clock, t, 100, 100);
}

static void test_sim_stop_restart(void)
{
    event_log log = {0};
    tagged a, b, victim, r, q;
    vp_clock *c = vp_clock_new_sim(0);
    tag_init(&a, &log, 1, stop_self_cb);
    a.limit = 3;
    vp_timer_start(c, &a.t, 1, 1);
    tag_init(&b, &log, 2, stop_other_cb);
    tag_init(&victim, &log, 3, log_cb);
    b.other = &victim.t;
    vp_timer_start(c, &b.t, 50, 0);
    vp_timer_start(c, &victim.t, 50, 0); /* same time, after b: never fires */
    tag_init(&r, &log, 4, restart_self_cb);
    r.limit = 3;
    vp_timer_start(c, &r.t, 60, 0);
    tag_init(&q, &log, 5, reperiod_cb);
    vp_timer_start(c, &q.t, 70, 1);
    CHECK_EQ_INT(vp_clock_run(c, 300), 3 + 1 + 3 + 3);
    CHECK_EQ_INT(a.count, 3);
    CHECK(!vp_timer_active(&a.t));
    CHECK_EQ_INT(b.count, 1);
    CHECK_EQ_INT(victim.count, 0);
    CHECK(!vp_timer_active(&victim.t));
    CHECK_EQ_INT(r.count, 3);
    CHECK(!vp_timer_active(&r.t));
    CHECK_EQ_INT(q.count, 3); /* 70, 170, 270 */
    CHECK_NEAR(log.at[log.n - 1], 270, 0);
    CHECK(log.active[log.n - 1]); /* periodic: active in its callback */
    CHECK(vp_timer_active(&q.t));
    /* restarted one-shot fired at 60, 62, 64 and was inactive each time */
    int seen = 0;
    for (int i = 0; i < log.n; i++)
        if (log.id[i] == 4) {
            CHECK_NEAR(log.at[i], 60 + 2 * seen, 0);
            CHECK(!log.active[i]);
            seen++;
        }
    CHECK_EQ_INT(seen, 3);
    vp_timer_stop(&q.t);
    CHECK(!vp_timer_active(&q.t));
    CHECK_EQ_INT(vp_clock_run(c, -1), 0);
    vp_clock_free(c);
}

static void test_sim_stop_inactive(void)
{
    event_log log = {0};
    tagged a;
    tag_init(&a, &log, 1, log_cb);
    vp_timer_stop(&a.t); /* never started, no clock: no-op */
    CHECK(!vp_timer_active(&a.t));
    CHECK_EQ_INT(a.t.heap_index, -1);
    vp_clock *c = vp_clock_new_sim(0);
    vp_timer_start(c, &a.t, 1, 0);
    vp_timer_stop(&a.t);
    vp_timer_stop(&a.t);
    CHECK(!vp_timer_active(&a.t));
    CHECK_EQ_INT(vp_clock_run(c, -1), 0);
    vp_timer_start(c, &a.t, 1, 0);
    CHECK_EQ_INT(vp_clock_run(c, -1), 1);
    vp_timer_stop(&a.t); /* after firing: no-op */
    CHECK_EQ_INT(a.count, 1);
    vp_clock_free(c);
}

static void test_sim_until(void)
{
    event_log log = {0};
    tagged tg[3];
    vp_clock *c = vp_clock_new_sim(0);
    for (int i = 0; i < 3; i++) {
        tag_init(&tg[i], &log, i, log_cb);
        vp_timer_start(c, &tg[i].t, 10.0 * (i + 1), 0);
    }
    CHECK_EQ_INT(vp_clock_run(c, 25), 2);
    CHECK_NEAR(vp_clock_now(c), 25, 0);
    CHECK(vp_timer_active(&tg[2].t));
    CHECK_EQ_INT(vp_clock_run(c, 25), 0);
    CHECK_NEAR(vp_clock_now(c), 25, 0);
    CHECK_EQ_INT(vp_clock_run(c, 30), 1); /* an event exactly at until fires */
    CHECK_NEAR(vp_clock_now(c), 30, 0);
    CHECK_NEAR(log.at[2], 30, 0);
    /* delay is relative to the advanced now */
    vp_timer_start(c, &tg[0].t, 1, 0);
    CHECK_NEAR(tg[0].t.at, 31, 0);
    CHECK_EQ_INT(vp_clock_run(c, -1), 1);
    CHECK_NEAR(vp_clock_now(c), 31, 0);
    vp_clock_free(c);
}

/* calls vp_clock_stop on its limit-th firing */
static void clock_stop_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    tagged *tg = ud;
    log_cb(clock, t, ud);
    if (tg->count == tg->limit)
        vp_clock_stop(clock);
}

static void test_sim_clock_stop(void)
{
    event_log log = {0};
    tagged p, a;
    vp_clock *c = vp_clock_new_sim(0);
    tag_init(&p, &log, 1, clock_stop_cb);
    p.limit = 2;
    tag_init(&a, &log, 2, log_cb);
    vp_timer_start(c, &p.t, 10, 10);
    vp_timer_start(c, &a.t, 25, 0);
    CHECK_EQ_INT(vp_clock_run(c, 1000), 2);
    CHECK_NEAR(vp_clock_now(c), 20, 0); /* stop does not advance to until */
    CHECK(vp_timer_active(&a.t));
    CHECK_EQ_INT(a.count, 0);
    CHECK_EQ_INT(vp_clock_run(c, 30), 2); /* resumes: a at 25, p at 30 */
    CHECK_EQ_INT(a.count, 1);
    CHECK_EQ_INT(p.count, 3);
    CHECK_NEAR(vp_clock_now(c), 30, 0);
    vp_clock_free(c);
}

/* ---- randomized test against a reference model ---- */

#define RND_TIMERS 48

typedef struct rnd_state rnd_state;

typedef struct {
    vp_timer t;
    rnd_state *st;
    int id;
    bool active;  /* reference model */
    double at;
    double repeat;
    uint64_t seq;
} rnd_timer;

struct rnd_state {
    vp_clock *clock;
    rnd_timer tm[RND_TIMERS];
    uint64_t seq;
    uint64_t rng;
    long fired, run_fired, mismatches;
    double last_at;
    uint64_t last_seq;
    bool stop_requested;
};

static uint32_t rnd_next(rnd_state *st)
{
    st->rng ^= st->rng << 13;
    st->rng ^= st->rng >> 7;
    st->rng ^= st->rng << 17;
    return (uint32_t)(st->rng >> 11);
}

static rnd_timer *ref_earliest(rnd_state *st)
{
    rnd_timer *best = NULL;
    for (int i = 0; i < RND_TIMERS; i++) {
        rnd_timer *r = &st->tm[i];
        if (r->active && (!best || r->at < best->at ||
                          (r->at == best->at && r->seq < best->seq)))
            best = r;
    }
    return best;
}

static void rnd_start(rnd_state *st, rnd_timer *r)
{
    double delay = rnd_next(st) % 8;          /* small integers: many ties */
    double repeat = rnd_next(st) % 4 ? 0 : 1 + rnd_next(st) % 5;
    vp_timer_start(st->clock, &r->t, delay, repeat);
    r->active = true;
    r->at = vp_clock_now(st->clock) + delay;
    r->repeat = repeat;
    r->seq = st->seq++;
}

static void rnd_op(rnd_state *st)
{
    rnd_timer *r = &st->tm[rnd_next(st) % RND_TIMERS];
    if (rnd_next(st) % 3 == 0) {
        vp_timer_stop(&r->t);
        r->active = false;
    } else {
        rnd_start(st, r);
    }
}

static void rnd_cb(vp_clock *clock, vp_timer *t, void *ud)
{
    rnd_timer *r = ud;
    rnd_state *st = r->st;
    rnd_timer *want = ref_earliest(st);
    st->fired++;
    st->run_fired++;
    if (want != r || r->at != vp_clock_now(clock))
        st->mismatches++;
    if (r->at < st->last_at || (r->at == st->last_at && r->seq < st->last_seq))
        st->mismatches++;
    st->last_at = r->at;
    st->last_seq = r->seq;
    if (r->repeat > 0) {
        r->at += r->repeat;
        r->seq = st->seq++;
    } else {
        r->active = false;
    }
    if (vp_timer_active(t) != r->active)
        st->mismatches++;
    for (int k = rnd_next(st) % 3; k > 0; k--)
        rnd_op(st);
    if (rnd_next(st) % 50 == 0) {
        vp_clock_stop(clock);
        st->stop_requested = true;
    }
}

static void rnd_check_state(rnd_state *st)
{
    for (int i = 0; i < RND_TIMERS; i++) {
        rnd_timer *r = &st->tm[i];
        if (vp_timer_active(&r->t) != r->active || (r->t.heap_index >= 0) != r->active)
            st->mismatches++;
        if (r->active && r->t.at != r->at)
            st->mismatches++;
    }
}

static void rnd_run(rnd_state *st)
{
    double now = vp_clock_now(st->clock);
    double until = now + rnd_next(st) % 20;
    st->run_fired = 0;
    st->stop_requested = false;
    st->last_at = now;
    st->last_seq = 0;
    uint64_t n = vp_clock_run(st->clock, until);
    if ((long)n != st->run_fired)
        st->mismatches++;
    rnd_timer *next = ref_earliest(st);
    if (!st->stop_requested) {
        if (vp_clock_now(st->clock) != until || (next && next->at <= until))
            st->mismatches++;
    }
    rnd_check_state(st);
}

static void test_sim_random(void)
{
    static rnd_state st;
    memset(&st, 0, sizeof st);
    st.rng = 0x9e3779b97f4a7c15ULL;
    st.clock = vp_clock_new_sim(0);
    for (int i = 0; i < RND_TIMERS; i++) {
        st.tm[i].st = &st;
        st.tm[i].id = i;
        vp_timer_init(&st.tm[i].t, rnd_cb, &st.tm[i]);
    }
    for (int round = 0; round < 2000; round++) {
        for (int k = rnd_next(&st) % 6; k > 0; k--)
            rnd_op(&st);
        rnd_check_state(&st);
        rnd_run(&st);
    }
    CHECK_EQ_INT(st.mismatches, 0);
    CHECK(st.fired > 5000);
    vp_clock_free(st.clock);
    for (int i = 0; i < RND_TIMERS; i++)
        CHECK(!vp_timer_active(&st.tm[i].t));
}

/* ---- real-time backend ---- */

static void test_ev_basics(void)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    CHECK(loop != NULL);
    vp_clock *c = vp_clock_new_ev(loop);
    CHECK(c != NULL);
    CHECK(!vp_clock_is_sim(c));
    CHECK(vp_clock_loop(c) == loop);
    CHECK_NEAR(vp_clock_now(c), ev_now(loop), 0);
    /* nothing active: returns at once, even with a far until */
    double t0 = ev_time();
    CHECK_EQ_INT(vp_clock_run(c, ev_now(loop) + 5), 0);
    CHECK_EQ_INT(vp_clock_run(c, -1), 0);
    CHECK(ev_time() - t0 < 0.5);
    vp_clock_free(c);
    ev_loop_destroy(loop);
}

static void test_ev_timers(void)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    vp_clock *c = vp_clock_new_ev(loop);
    event_log log = {0};
    tagged o1, o2, p, r;
    tag_init(&o1, &log, 1, log_cb);
    tag_init(&o2, &log, 2, log_cb);
    tag_init(&p, &log, 3, stop_self_cb);
    p.limit = 3;
    tag_init(&r, &log, 4, restart_self_cb);
    r.limit = 2;
    vp_timer_start(c, &o2.t, 0.04, 0);
    vp_timer_start(c, &o1.t, 0.02, 0);
    vp_timer_start(c, &p.t, 0.01, 0.01);
    r.limit = 1;                       /* no self-restart here */
    vp_timer_start(c, &r.t, 0.001, 0);
    vp_timer_start(c, &r.t, 0.03, 0);  /* restart before running: due at 0.03 */
    CHECK(vp_timer_active(&o1.t) && vp_timer_active(&p.t) && vp_timer_active(&r.t));
    CHECK_EQ_INT(vp_clock_run(c, -1), 0); /* returns when nothing is active */
    CHECK_EQ_INT(o1.count, 1);
    CHECK_EQ_INT(o2.count, 1);
    CHECK_EQ_INT(p.count, 3);
    CHECK_EQ_INT(r.count, 1);
    CHECK(!vp_timer_active(&o1.t) && !vp_timer_active(&o2.t));
    CHECK(!vp_timer_active(&p.t) && !vp_timer_active(&r.t));
    CHECK_EQ_INT(log.n, 6);
    CHECK_EQ_INT(log.id[0], 3); /* p at 0.01 is due first */
    int i1 = -1, i2 = -1, ir = -1;
    for (int i = 0; i < log.n; i++) {
        if (log.id[i] == 1)
            i1 = i;
        if (log.id[i] == 2)
            i2 = i;
        if (log.id[i] == 4)
            ir = i;
        if (log.id[i] != 3)
            CHECK(!log.active[i]); /* one-shots inactive in their callback */
        else
            CHECK(log.active[i]);
    }
    CHECK(i1 >= 0 && i1 < ir && ir < i2); /* 0.02 < 0.03 < 0.04 */
    for (int i = 1; i < log.n; i++)
        CHECK(log.at[i] >= log.at[i - 1]);
    vp_clock_free(c);
    ev_loop_destroy(loop);
}

static void test_ev_restart_in_cb(void)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    vp_clock *c = vp_clock_new_ev(loop);
    event_log log = {0};
    tagged r;
    tag_init(&r, &log, 1, restart_self_cb);
    r.limit = 1;
    vp_timer_start(c, &r.t, 0.005, 0);
    CHECK_EQ_INT(vp_clock_run(c, -1), 0);
    CHECK_EQ_INT(r.count, 1);
    /* restart_self_cb restarts with a 2 s delay; use until to cut it short */
    r.limit = 2;
    r.count = 0;
    vp_timer_start(c, &r.t, 0.005, 0);
    double t0 = ev_time();
    vp_clock_run(c, ev_now(loop) + 0.05);
    CHECK(ev_time() - t0 < 0.5);
    CHECK_EQ_INT(r.count, 1);
    CHECK(vp_timer_active(&r.t)); /* restarted from its callback */
    vp_clock_free(c);
    CHECK(!vp_timer_active(&r.t)); /* free stopped it on the loop */
    ev_loop_destroy(loop);
}

static void test_ev_stop_and_until(void)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    vp_clock *c = vp_clock_new_ev(loop);
    event_log log = {0};
    tagged p, far, q;
    tag_init(&p, &log, 1, clock_stop_cb);
    p.limit = 2;
    tag_init(&far, &log, 2, log_cb);
    vp_timer_start(c, &far.t, 10, 0); /* keeps the loop alive */
    vp_timer_start(c, &p.t, 0.005, 0.005);
    double t0 = ev_time();
    CHECK_EQ_INT(vp_clock_run(c, -1), 0);
    CHECK_EQ_INT(p.count, 2); /* vp_clock_stop broke the loop */
    CHECK(vp_timer_active(&p.t) && vp_timer_active(&far.t));
    vp_timer_stop(&p.t);
    CHECK(!vp_timer_active(&p.t));

    /* until: periodic q keeps running, run returns at until */
    tag_init(&q, &log, 3, log_cb);
    vp_timer_start(c, &q.t, 0.005, 0.005);
    double until = ev_now(loop) + 0.05;
    vp_clock_run(c, until);
    CHECK(vp_clock_now(c) >= until);
    CHECK(q.count >= 1);
    CHECK(far.count == 0 && vp_timer_active(&far.t));
    /* until already passed: returns promptly */
    int before = q.count;
    vp_clock_run(c, 0);
    CHECK(q.count >= before);
    CHECK(ev_time() - t0 < 0.8);
    vp_timer_stop(&q.t);
    vp_timer_stop(&far.t);
    CHECK_EQ_INT(vp_clock_run(c, -1), 0); /* internal until timer is gone */
    CHECK(ev_time() - t0 < 0.8);
    vp_clock_free(c);
    ev_loop_destroy(loop);
}

int main(void)
{
    test_sim_basics();
    test_sim_order();
    test_sim_fifo_ties();
    test_sim_periodic();
    test_sim_oneshot_in_periodic();
    test_sim_stop_restart();
    test_sim_stop_inactive();
    test_sim_until();
    test_sim_clock_stop();
    test_sim_random();
    test_ev_basics();
    test_ev_timers();
    test_ev_restart_in_cb();
    test_ev_stop_and_until();
    return CHECK_DONE();
}
