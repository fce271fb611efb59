/*
 * history.c - the History class (a VM's or host's cpu utilization
 * samples) and the statistics policies compute over samples.
 *
 * Provides: lb_history_class (lb.h), whose module is the vmpilot.stats
 * table.
 * Uses: Lua 5.4 (lauxlib), lb.h, history.h (vp_history), libm.
 *
 * A History is a proxy (kind LB_OF_VM or LB_OF_HOST) onto vp_vm.cpu or
 * vp_host.cpu: samples are cpu demand / cpu size (VM) or cpu demand /
 * cpu capacity (host), one per sample round, stored in double precision.
 * Reading: #h, h[i] (1 = newest; nil outside 1..#h), h:values() (newest
 * first), h:last(n), h:series([n]) (the same, newest first, as a Series).
 *
 * Statistics (the same C functions back the History methods and
 * vmpilot.stats):
 *   mean, median, min, max;
 *   mad       median of |x - median| (not scaled by 1.4826);
 *   quantile  q in [0, 1], R's type 7: with the samples sorted as
 *             x[0..n-1] and h = (n - 1) q, x[floor h] + (h - floor h) *
 *             (x[floor h + 1] - x[floor h]);
 *   iqr       quantile(0.75) - quantile(0.25);
 *   stdev     sample standard deviation (divides by n - 1);
 *   trend     slope, intercept of the least-squares line through
 *             (1, oldest), ..., (n, newest): the next sample is
 *             predicted at x = n + 1;
 *   predict   (History only) intercept + slope * (n + k): k samples
 *             after the newest (k = 1 by default);
 *   ols       (vmpilot.stats only) intercept, slope of the same line, as
 *             commons-math's SimpleRegression computes it (its updating
 *             formulas, fed (1, x[1]), ..., (n, x[n]); the local-regression
 *             detectors of CloudSim use it), nil below two samples;
 *   ols_newest (vmpilot.stats only) ols_newest(xs, n): ols of the n
 *             newest values of a newest-first series (xs[n], ..., xs[1]),
 *             without a reversed copy; nil when xs has fewer than n;
 *   order     (vmpilot.stats only) order(xs, k...): the k-th smallest
 *             values (order statistics), without a sorted copy.
 * All return nil for no samples; stdev also for one sample; trend of one
 * sample is slope 0, intercept that sample.
 *
 * Order.  History:values() is newest first, but vmpilot.stats.trend
 * takes its array in time order, OLDEST FIRST (reverse values() before
 * passing it); the other statistics do not depend on order.
 */
#include "lb.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ====== statistics over a double array ====== */

static double st_mean(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

/* Total order: NaN after every number. */
int lb_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* lb_cmp_double(&a, &b) > 0, inline: a > b, or a is NaN and b is not. */
static inline bool after(double a, double b) { return a > b || (isnan(a) && !isnan(b)); }

void lb_sort_doubles(double *x, size_t n)
{
    if (n > 64) {
        qsort(x, n, sizeof *x, lb_cmp_double);
        return;
    }
    for (size_t i = 1; i < n; i++) { /* a history is short: insertion sort */
        double v = x[i];
        size_t j = i;
        for (; j > 0 && after(x[j - 1], v); j--)
            x[j] = x[j - 1];
        x[j] = v;
    }
}

/* R type 7 over x[0..n-1] sorted ascending; n >= 1. */
static double st_quantile_sorted(const double *x, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h), hi = lo + 1 < n ? lo + 1 : lo;
    return x[lo] + (h - (double)lo) * (x[hi] - x[lo]);
}

/* Sorts x in place; returns the q-quantile. */
static double st_quantile(double *x, size_t n, double q)
{
    lb_sort_doubles(x, n);
    return st_quantile_sorted(x, n, q);
}

/* Overwrites x with |x - median| and returns their median. */
static double st_mad(double *x, size_t n)
{
    double m = st_quantile(x, n, 0.5);
    for (size_t i = 0; i < n; i++)
        x[i] = fabs(x[i] - m);
    return st_quantile(x, n, 0.5);
}

/* Sample standard deviation; n >= 2. */
static double st_stdev(const double *x, size_t n)
{
    double m = st_mean(x, n), s = 0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (double)(n - 1));
}

/* Least squares through (i + 1, x[i]), x oldest first; n >= 1. */
static void st_trend(const double *x, size_t n, double *slope, double *intercept)
{
    double xm = ((double)n + 1) / 2, ym = st_mean(x, n), sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = (double)(i + 1) - xm;
        sxx += dx * dx;
        sxy += dx * (x[i] - ym);
    }
    *slope = sxx > 0 ? sxy / sxx : 0;
    *intercept = ym - *slope * xm;
}

/* commons-math SimpleRegression (with intercept) fed (1, x[0]), ...,
 * (n, x[n-1]) through its updating formulas, operation for operation (as
 * CloudSim's local-regression detectors compute); n >= 2. */
static void st_ols(const double *x, size_t n, double *intercept, double *slope)
{
    double xbar = 1, ybar = x[0], sxx = 0, sxy = 0, sumx = 1, sumy = x[0];
    for (size_t k = 1; k < n; k++) {
        double fact1 = 1.0 + (double)k, fact2 = (double)k / (1.0 + (double)k);
        double dx = (double)(k + 1) - xbar, dy = x[k] - ybar;
        sxx += dx * dx * fact2;
        sxy += dx * dy * fact2;
        xbar += dx / fact1;
        ybar += dy / fact1;
        sumx += (double)(k + 1);
        sumy += x[k];
    }
    *slope = sxy / sxx;
    *intercept = (sumy - *slope * sumx) / (double)n;
}

static double st_extreme(const double *x, size_t n, int sign)
{
    double m = x[0];
    for (size_t i = 1; i < n; i++)
        if ((x[i] - m) * sign > 0)
            m = x[i];
    return m;
}

/* ====== statistics as Lua results ====== */

/* A kernel pushes its results for samples x[0..n-1] (oldest first, a
 * scratch copy it may reorder); argument 2 is its parameter, if any. */
typedef int (*stat_fn)(lua_State *L, double *x, size_t n);

static int push_num(lua_State *L, double v)
{
    lua_pushnumber(L, v);
    return 1;
}

static int push_nil(lua_State *L)
{
    lua_pushnil(L);
    return 1;
}

static int push_two(lua_State *L, double a, double b)
{
    lua_pushnumber(L, a);
    lua_pushnumber(L, b);
    return 2;
}

static int k_mean(lua_State *L, double *x, size_t n)
{
    return n ? push_num(L, st_mean(x, n)) : push_nil(L);
}

static int k_median(lua_State *L, double *x, size_t n)
{
    return n ? push_num(L, st_quantile(x, n, 0.5)) : push_nil(L);
}

static int k_mad(lua_State *L, double *x, size_t n)
{
    return n ? push_num(L, st_mad(x, n)) : push_nil(L);
}

static int k_stdev(lua_State *L, double *x, size_t n)
{
    return n > 1 ? push_num(L, st_stdev(x, n)) : push_nil(L);
}

static int k_min(lua_State *L, double *x, size_t n)
{
    return n ? push_num(L, st_extreme(x, n, -1)) : push_nil(L);
}

static int k_max(lua_State *L, double *x, size_t n)
{
    return n ? push_num(L, st_extreme(x, n, 1)) : push_nil(L);
}

static int k_iqr(lua_State *L, double *x, size_t n)
{
    if (!n)
        return push_nil(L);
    lb_sort_doubles(x, n);
    return push_num(L, st_quantile_sorted(x, n, 0.75) - st_quantile_sorted(x, n, 0.25));
}

static int k_quantile(lua_State *L, double *x, size_t n)
{
    double q = luaL_checknumber(L, 2);
    luaL_argcheck(L, q >= 0 && q <= 1, 2, "q must be in [0, 1]");
    return n ? push_num(L, st_quantile(x, n, q)) : push_nil(L);
}

static int k_trend(lua_State *L, double *x, size_t n)
{
    double slope, intercept;
    if (!n)
        return push_nil(L);
    st_trend(x, n, &slope, &intercept);
    return push_two(L, slope, intercept);
}

static int k_ols(lua_State *L, double *x, size_t n)
{
    double intercept, slope;
    if (n < 2)
        return push_nil(L);
    st_ols(x, n, &intercept, &slope);
    return push_two(L, intercept, slope);
}

/* ols_newest(xs, n): k_ols of xs[n], ..., xs[1] (the n newest values of
 * a newest-first series, oldest first); nil below n values. */
static int k_ols_newest(lua_State *L, double *x, size_t n)
{
    lua_Integer k = luaL_checkinteger(L, 2);
    luaL_argcheck(L, k >= 2 && k <= 4096, 2, "n must be 2..4096");
    if (n < (size_t)k)
        return push_nil(L);
    double y[4096];
    for (lua_Integer i = 0; i < k; i++)
        y[i] = x[k - 1 - i];
    return k_ols(L, y, (size_t)k);
}

static int k_predict(lua_State *L, double *x, size_t n)
{
    double k = luaL_optnumber(L, 2, 1), slope, intercept;
    if (!n)
        return push_nil(L);
    st_trend(x, n, &slope, &intercept);
    return push_num(L, intercept + slope * ((double)n + k));
}

/* ====== samples ====== */

/* The samples a live History proxy reads (raises if its VM or host is
 * gone). */
static const void *resolve(lua_State *L, const lb_proxy *p)
{
    return p->kind == LB_OF_VM ? &lb_vm_of(L, p)->cpu : &lb_host_of(L, p)->cpu;
}

static const vp_history *tohist(lua_State *L, int i)
{
    return resolve(L, lb_check_proxy(L, i, LB_HISTORY));
}

/* A scratch array of n doubles: small (SMALL of them, the caller's) if
 * they fit, else owned by a userdata left on the stack. */
#define SMALL 64
static double *scratch(lua_State *L, size_t n, double *small)
{
    return n <= SMALL ? small : lua_newuserdatauv(L, n * sizeof(double), 0);
}

/* Samples of the History at 1, oldest first. */
static double *hist_samples(lua_State *L, size_t *n, double *small)
{
    const vp_history *h = tohist(L, 1);
    double *x = scratch(L, h->n, small);
    for (uint32_t i = 0; i < h->n; i++)
        x[h->n - 1 - i] = vp_history_at(h, i);
    *n = h->n;
    return x;
}

/* The numbers of the array (or Series) at 1, in order. */
static double *array_samples(lua_State *L, size_t *n, double *small)
{
    const double *series = lb_test_series(L, 1, n);
    if (series) {
        double *x = scratch(L, *n, small);
        memcpy(x, series, *n * sizeof *x);
        return x;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer len = luaL_len(L, 1);
    double *x = scratch(L, (size_t)(len > 0 ? len : 0), small);
    for (lua_Integer i = 1; i <= len; i++) {
        if (lua_geti(L, 1, i) != LUA_TNUMBER)
            luaL_argerror(
                L, 1,
                lua_pushfstring(L, "element %I is a %s, number expected", i, luaL_typename(L, -1)));
        x[i - 1] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    *n = (size_t)(len > 0 ? len : 0);
    return x;
}

static int run_hist(lua_State *L, stat_fn f)
{
    size_t n;
    lua_settop(L, 2); /* the parameter (or nil) stays at 2, under the scratch */
    double small[SMALL];
    double *x = hist_samples(L, &n, small);
    return f(L, x, n);
}

static int run_array(lua_State *L, stat_fn f)
{
    size_t n;
    lua_settop(L, 2); /* the parameter (or nil) stays at 2, under the scratch */
    double small[SMALL];
    double *x = array_samples(L, &n, small);
    return f(L, x, n);
}

#define STAT(name)                                                                                 \
    static int h_##name(lua_State *L) { return run_hist(L, k_##name); }                            \
    static int s_##name(lua_State *L) { return run_array(L, k_##name); }

STAT(mean)
STAT(median)
STAT(mad)
STAT(quantile)
STAT(iqr)
STAT(stdev)
STAT(min)
STAT(max)
STAT(trend)

static int s_ols(lua_State *L) { return run_array(L, k_ols); }
static int s_ols_newest(lua_State *L) { return run_array(L, k_ols_newest); }

/* stats.order(xs, k...): the k-th smallest values of xs (1-based ranks,
 * each in 1..#xs), one per rank given. */
static int s_order(lua_State *L)
{
    int nk = lua_gettop(L) - 1;
    size_t n;
    double small[SMALL];
    double *x = array_samples(L, &n, small); /* ranks stay at 2..nk + 1 */
    lb_sort_doubles(x, n);
    luaL_checkstack(L, nk, "too many ranks");
    for (int i = 0; i < nk; i++) {
        lua_Integer k = luaL_checkinteger(L, 2 + i);
        luaL_argcheck(L, k >= 1 && (lua_Unsigned)k <= n, 2 + i, "rank out of range");
        lua_pushnumber(L, x[k - 1]);
    }
    return nk;
}

static int h_predict(lua_State *L) { return run_hist(L, k_predict); }

/* ====== reading samples ====== */

static int h_len(lua_State *L)
{
    lua_pushinteger(L, tohist(L, 1)->n);
    return 1;
}

/* The count argument at 2 (def when absent, if def >= 0), at most h's
 * samples. */
static lua_Integer count_arg(lua_State *L, const vp_history *h, lua_Integer def)
{
    lua_Integer n = def >= 0 ? luaL_optinteger(L, 2, def) : luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 0, 2, "count must be >= 0");
    return n < (lua_Integer)h->n ? n : (lua_Integer)h->n;
}

/* A table of the newest n samples of h (n <= its count), newest first. */
static int push_newest(lua_State *L, const vp_history *h, lua_Integer n)
{
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_pushnumber(L, vp_history_at(h, (uint32_t)i));
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int h_values(lua_State *L)
{
    const vp_history *h = tohist(L, 1);
    return push_newest(L, h, h->n);
}

/* h:series([n]): the newest n samples (default all), newest first, as a
 * Series: read by vmpilot.stats without a table per call. */
static int h_series(lua_State *L)
{
    const vp_history *h = tohist(L, 1);
    lua_Integer n = count_arg(L, h, (lua_Integer)h->n);
    double *x = lb_push_series(L, (size_t)n);
    for (lua_Integer i = 0; i < n; i++)
        x[i] = vp_history_at(h, (uint32_t)i);
    return 1;
}

static int h_last(lua_State *L)
{
    const vp_history *h = tohist(L, 1);
    return push_newest(L, h, count_arg(L, h, -1));
}

/* ====== the class ====== */

/* h[i] (1 = newest; nil outside 1..#h): keys that are not methods. */
static int h_at(lua_State *L, const lb_proxy *p, const void *obj)
{
    const vp_history *h = obj;
    int isint;
    if (lua_type(L, 2) != LUA_TNUMBER)
        return lb_no_field(L, LB_HISTORY);
    lua_Integer i = lua_tointegerx(L, 2, &isint);
    if (isint && i >= 1 && i <= (lua_Integer)h->n)
        return push_num(L, vp_history_at(h, (uint32_t)(i - 1)));
    return push_nil(L);
}

static bool describe(lua_State *L, const void *self)
{
    const lb_proxy *p = self;
    const vp_vm *v = p->kind == LB_OF_VM ? vp_pool_vm(p->view->pool, p->id) : NULL;
    const vp_host *h = p->kind == LB_OF_HOST ? vp_pool_host(p->view->pool, p->id) : NULL;
    if (v || h)
        lua_pushfstring(L, "History(%d samples)", (int)(v ? v->cpu.n : h->cpu.n));
    return v || h;
}

static const luaL_Reg meta[] = {{"__len", h_len}, {NULL, NULL}};

static const luaL_Reg methods[] = {
    {"values", h_values}, {"last", h_last},   {"series", h_series}, {"mean", h_mean},
    {"median", h_median}, {"mad", h_mad},     {"quantile", h_quantile}, {"iqr", h_iqr},
    {"stdev", h_stdev},   {"min", h_min},     {"max", h_max},       {"trend", h_trend},
    {"predict", h_predict}, {NULL, NULL}};

/* ====== multiple regression ====== */

#define R2_MAX 64 /* regressors */

/* Solves A x = b (k x k, row-major) by Gaussian elimination with partial
 * pivoting, in place; false when a pivot is <= 1e-12 (singular). */
/* y[0..n) -= f x[0..n): rows of one matrix, never the same row. */
static void sub_scaled(double *restrict y, const double *restrict x, double f, size_t n)
{
    for (size_t j = 0; j < n; j++)
        y[j] -= f * x[j];
}

static bool solve(double *A, double *b, size_t k, double *x)
{
    for (size_t c = 0; c < k; c++) {
        size_t p = c;
        for (size_t r = c + 1; r < k; r++)
            p = fabs(A[r * k + c]) > fabs(A[p * k + c]) ? r : p;
        if (fabs(A[p * k + c]) <= 1e-12)
            return false;
        for (size_t j = 0; j < k; j++) {
            double t = A[c * k + j];
            A[c * k + j] = A[p * k + j];
            A[p * k + j] = t;
        }
        double t = b[c];
        b[c] = b[p];
        b[p] = t;
        const double *pivot = A + c * k;
        for (size_t r = c + 1; r < k; r++) {
            double *row = A + r * k, f = row[c] / pivot[c];
            /* column c is not read again: only the columns after it */
            sub_scaled(row + c + 1, pivot + c + 1, f, k - c - 1);
            b[r] -= f * b[c];
        }
    }
    for (size_t r = k; r-- > 0;) {
        double v = b[r];
        for (size_t j = r + 1; j < k; j++)
            v -= A[r * k + j] * x[j];
        x[r] = v / A[r * k + r];
    }
    return true;
}

/* G (g square): the sums over rows t = 0..m-1, in order, of x_r[t] x_c[t]
 * for the columns x_0 = 1, x_j = C[(j - 1) m ..] (j = 1..g-1): the normal
 * equations' sums of every fit over some of these columns. */
static void gram(const double *C, size_t g, size_t m, double *G)
{
    memset(G, 0, g * g * sizeof(double));
    for (size_t t = 0; t < m; t++)
        for (size_t r = 0; r < g; r++) {
            double xr = r ? C[(r - 1) * m + t] : 1;
            for (size_t c = r; c < g; c++)
                G[r * g + c] += xr * (c ? C[(c - 1) * m + t] : 1);
        }
    for (size_t r = 0; r < g; r++)
        for (size_t c = 0; c < r; c++)
            G[r * g + c] = G[c * g + r]; /* x_r x_c == x_c x_r exactly */
}

/* R^2 of the least-squares fit (with an intercept) of column yc on the
 * columns idx[1..k-1] (idx[0] = 0, the intercept), all columns of G's
 * matrix C; w: k*k + 2k doubles of scratch.  false for a singular design. */
static bool r2_fit(const double *C, size_t m, const double *G, size_t g, size_t yc,
                   const size_t *idx, size_t k, double *w, double *r2)
{
    double *A = w, *b = A + k * k, *beta = b + k;
    const double *y = C + (yc - 1) * m;
    for (size_t r = 0; r < k; r++) {
        b[r] = G[idx[r] * g + yc];
        for (size_t c = 0; c < k; c++)
            A[r * k + c] = G[idx[r] * g + idx[c]];
    }
    if (!solve(A, b, k, beta))
        return false;
    double ssr = 0, sst = 0, ybar = G[yc] / (double)m; /* G[0][yc]: the sum of y */
    const double *col[R2_MAX + 1];
    for (size_t j = 1; j < k; j++)
        col[j] = C + (idx[j] - 1) * m;
    for (size_t t = 0; t < m; t++) {
        double f = beta[0]; /* 0 + beta[0] x 1 */
        for (size_t j = 1; j < k; j++)
            f += beta[j] * col[j][t];
        ssr += (y[t] - f) * (y[t] - f);
        sst += (y[t] - ybar) * (y[t] - ybar);
    }
    *r2 = 1 - ssr / sst;
    return true;
}

/* The first m numbers of the array (or Series) at stack index t, into
 * out[0..m) (argument arg in errors). */
static void read_column(lua_State *L, int t, size_t m, double *out, int arg)
{
    size_t n;
    const double *series = lb_test_series(L, t, &n);
    luaL_argcheck(L, series || lua_istable(L, t), arg, "columns must be arrays or Series");
    luaL_argcheck(L, (series ? n : (size_t)luaL_len(L, t)) >= m, arg,
                  "columns must be arrays at least as long as y");
    for (size_t i = 0; i < m; i++) {
        if (series) {
            out[i] = series[i];
        } else {
            lua_geti(L, t, (lua_Integer)i + 1);
            out[i] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    }
}

/* stats.r_squared(y, {x1, x2, ...}): R^2 of the least-squares fit of y
 * on the columns (with an intercept), from the normal equations; nil with
 * fewer rows than parameters or a singular design.  Columns shorter than y
 * are an error. */
static int s_r_squared(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t m = (size_t)luaL_len(L, 1), p = (size_t)luaL_len(L, 2), k = p + 1, g = k + 1;
    luaL_argcheck(L, p <= R2_MAX, 2, "at most 64 columns");
    if (p == 0 || m < k)
        return push_nil(L);
    /* columns x_1..x_p, then y */
    double *C = lua_newuserdatauv(L, (k * m + g * g + k * k + 2 * k) * sizeof(double), 0);
    double *G = C + k * m, *w = G + g * g, r2;
    for (size_t j = 0; j < p; j++) {
        lua_geti(L, 2, (lua_Integer)j + 1);
        read_column(L, lua_gettop(L), m, C + j * m, 2);
        lua_pop(L, 1);
    }
    read_column(L, 1, m, C + p * m, 1);
    gram(C, g, m, G);
    size_t idx[R2_MAX + 1];
    for (size_t j = 0; j < k; j++)
        idx[j] = j;
    return r2_fit(C, m, G, g, k, idx, k, w, &r2) ? push_num(L, r2) : push_nil(L);
}

/* Every column's R^2 on the others at once, from the inverse of the Gram
 * matrix G of [1, c1..cn] (g = n + 1): the residual sum of squares of
 * column j fitted on the rest is 1 / (G^-1)_jj, so one inversion (g^3)
 * replaces n eliminations (n^4).  The same R^2 as r2_fit up to rounding.
 * false (the caller fits one by one) when G is near singular: a pivot
 * below 1e-9 of the largest diagonal entry - then a fit may be singular
 * (the smallest eigenvalue of G bounds those of its principal blocks). */
static bool r2_all(const double *C, size_t n, size_t m, const double *G, double *w, double *r2)
{
    size_t g = n + 1;
    double *M = w, *I = M + g * g, big = 0;
    memcpy(M, G, g * g * sizeof(double));
    memset(I, 0, g * g * sizeof(double));
    for (size_t r = 0; r < g; r++) {
        I[r * g + r] = 1;
        big = fmax(big, fabs(G[r * g + r]));
    }
    for (size_t c = 0; c < g; c++) { /* Gauss-Jordan, partial pivoting */
        size_t p = c;
        for (size_t r = c + 1; r < g; r++)
            p = fabs(M[r * g + c]) > fabs(M[p * g + c]) ? r : p;
        if (!(fabs(M[p * g + c]) > 1e-9 * big))
            return false;
        for (size_t j = 0; j < g; j++) {
            double t = M[c * g + j];
            M[c * g + j] = M[p * g + j];
            M[p * g + j] = t;
            t = I[c * g + j];
            I[c * g + j] = I[p * g + j];
            I[p * g + j] = t;
        }
        /* M's columns before c are 0 in every row but their pivot's, so
         * row operations on M start at column c */
        double d = M[c * g + c];
        for (size_t j = c; j < g; j++)
            M[c * g + j] /= d;
        for (size_t j = 0; j < g; j++)
            I[c * g + j] /= d;
        for (size_t r = 0; r < g; r++) {
            double f = M[r * g + c];
            if (r == c || f == 0)
                continue;
            sub_scaled(M + r * g + c, M + c * g + c, f, g - c);
            sub_scaled(I + r * g, I + c * g, f, g);
        }
    }
    for (size_t j = 1; j < g; j++) {
        const double *y = C + (j - 1) * m;
        double ybar = G[j] / (double)m, sst = 0, inv = I[j * g + j];
        for (size_t t = 0; t < m; t++)
            sst += (y[t] - ybar) * (y[t] - ybar);
        if (!(inv > 0) || !(sst > 0))
            return false;
        r2[j - 1] = 1 - 1 / inv / sst;
    }
    return true;
}

/* stats.r_squared_each({c1, c2, ...} [, m]): for each column, the R^2 of
 * its first m values (default: the shortest column's length) fitted on
 * the other columns' (in their order, with an intercept); nil if one fit
 * has fewer rows than parameters or a singular design.  All at once by
 * r2_all; fit by fit (r2_fit, as r_squared) where the columns are nearly
 * dependent.  The maximum correlation VM selection (MC) asks it for a
 * host's VM histories. */
static int s_r_squared_each(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, 1), m = SIZE_MAX, k = n;
    luaL_argcheck(L, n >= 2 && n - 1 <= R2_MAX, 1, "2 to 65 columns");
    for (size_t j = 0; j < n; j++) {
        size_t len;
        lua_geti(L, 1, (lua_Integer)j + 1);
        len = lb_test_series(L, -1, &len) ? len : (size_t)luaL_len(L, -1);
        m = len < m ? len : m;
        lua_pop(L, 1);
    }
    m = (size_t)luaL_optinteger(L, 2, (lua_Integer)m);
    if (m < k)
        return push_nil(L);
    size_t g = n + 1; /* [1, c1, ..., cn] */
    double *C = lua_newuserdatauv(L, (n * m + 3 * g * g + n) * sizeof(double), 0);
    double *G = C + n * m, *w = G + g * g, *r2 = w + 2 * g * g;
    for (size_t j = 0; j < n; j++) {
        lua_geti(L, 1, (lua_Integer)j + 1);
        read_column(L, lua_gettop(L), m, C + j * m, 1);
        lua_pop(L, 1);
    }
    gram(C, g, m, G);
    if (!r2_all(C, n, m, G, w, r2))
        for (size_t i = 0; i < n; i++) { /* near singular: fit by fit */
            size_t idx[R2_MAX + 1]; /* the design's columns: 1, then the others in order */
            idx[0] = 0;
            for (size_t j = 0, c = 1; j < n; j++)
                if (j != i)
                    idx[c++] = j + 1;
            if (!r2_fit(C, m, G, g, i + 1, idx, k, w, &r2[i]))
                return push_nil(L);
        }
    lb_push_numbers(L, r2, n);
    return 1;
}

/* stats.sorted(xs): a new array of the numbers of xs in ascending order. */
static int s_sorted(lua_State *L)
{
    size_t n;
    lua_settop(L, 1);
    double small[SMALL];
    double *x = array_samples(L, &n, small);
    lb_sort_doubles(x, n);
    lb_push_numbers(L, x, n);
    return 1;
}

static const luaL_Reg stats[] = {
    {"sorted", s_sorted}, {"r_squared", s_r_squared}, {"r_squared_each", s_r_squared_each},
    {"mean", s_mean},   {"median", s_median}, {"mad", s_mad}, {"quantile", s_quantile},
    {"iqr", s_iqr},     {"stdev", s_stdev},   {"min", s_min}, {"max", s_max},
    {"trend", s_trend}, {"ols", s_ols}, {"ols_newest", s_ols_newest},
    {"order", s_order}, {NULL, NULL}};

const lb_class lb_history_class = {
    .name = LB_HISTORY,
    .meta = meta,
    .methods = methods,
    .resolve = resolve,
    .miss = h_at,
    .describe = describe,
    .readonly = "History is read-only",
    .module = stats,
    .module_table = "stats",
};
