/*
 * sim_report.c - simulation time series as CSV and SVG.
 *
 * Provides: see sim_report.h.
 * Uses: sim_report.h, array.h, libc stdio.
 *
 * The SVG is written by hand (a few elements: text, lines, polylines), so
 * the plot needs no library and opens in any browser.
 */
#include "sim_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

void vp_series_add(void *ud, const vp_sim_round *round)
{
    vp_series *s = ud;
    if (vp_array_reserve((void **)&s->r, &s->cap, s->n + 1, sizeof *s->r) == 0)
        s->r[s->n++] = *round;
}

void vp_series_free(vp_series *s)
{
    free(s->r);
    memset(s, 0, sizeof *s);
}

static int io_error(FILE *f, vp_err *err)
{
    return ferror(f) ? vp_err_set(err, "cannot write the report: %s", strerror(errno)) : 0;
}

int vp_series_write_csv(FILE *f, const vp_series *runs, size_t n, vp_err *err)
{
    fputs("run,time_s,active_hosts,power_w,overloaded_hosts,migrations,sla_violation\n", f);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < runs[k].n; i++) {
            const vp_sim_round *r = &runs[k].r[i];
            fprintf(f, "\"%s\",%.1f,%zu,%.2f,%zu,%zu,%.6f\n", runs[k].name, r->time,
                    r->active_hosts, r->power_w, r->overloaded_hosts, r->migrations,
                    r->sla_violation);
        }
    return io_error(f, err);
}

/* ====== SVG ====== */

/* Text with XML's special characters escaped. */
static void put_xml(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*s, f);
        }
}

enum { W = 900, PANEL_H = 170, LEFT = 70, RIGHT = 20, TOP = 50, GAP = 40 };

typedef double (*metric_fn)(const vp_sim_round *r);

static double m_active(const vp_sim_round *r) { return (double)r->active_hosts; }
static double m_power(const vp_sim_round *r) { return r->power_w / 1000; }
static double m_migrations(const vp_sim_round *r) { return (double)r->migrations; }
static double m_sla(const vp_sim_round *r) { return 100 * r->sla_violation; }

static const struct panel {
    const char *title;
    metric_fn get;
} PANELS[] = {{"active hosts", m_active},
              {"power of active hosts (kW)", m_power},
              {"migrations started per interval", m_migrations},
              {"SLA violation (% of requested cpu not served)", m_sla}};

static const char *const COLORS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                     "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

/* A round number >= x (1, 2 or 5 x 10^k) for the top of an axis. */
static double nice_max(double x)
{
    if (!(x > 0))
        return 1;
    double p = pow(10, floor(log10(x)));
    return x <= p ? p : x <= 2 * p ? 2 * p : x <= 5 * p ? 5 * p : 10 * p;
}

static void axes(FILE *f, int y0, double ymax, double tmax, const char *title)
{
    int w = W - LEFT - RIGHT;
    fprintf(f, "<text x='%d' y='%d' font-weight='bold'>%s</text>\n", LEFT, y0 - 8, title);
    fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#999'/>\n", LEFT,
            y0, w, PANEL_H);
    for (int k = 0; k <= 4; k++) {
        int y = y0 + PANEL_H - k * PANEL_H / 4;
        fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#eee'/>\n", LEFT, y, LEFT + w, y);
        fprintf(f, "<text x='%d' y='%d' text-anchor='end' font-size='11'>%g</text>\n", LEFT - 5,
                y + 4, ymax * k / 4);
    }
    double step = tmax > 36 * 3600 ? 12 * 3600 : tmax > 6 * 3600 ? 3 * 3600 : 3600;
    for (double t = 0; t <= tmax + 1e-9; t += step) {
        int x = LEFT + (int)(w * t / tmax);
        fprintf(f, "<text x='%d' y='%d' text-anchor='middle' font-size='11'>%gh</text>\n", x,
                y0 + PANEL_H + 14, t / 3600);
    }
}

static void line(FILE *f, const vp_series *s, metric_fn get, int y0, double ymax, double tmax,
                 const char *color)
{
    int w = W - LEFT - RIGHT;
    fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='1.4' points='", color);
    for (size_t i = 0; i < s->n; i++) {
        double v = get(&s->r[i]);
        fprintf(f, "%.1f,%.1f ", LEFT + w * s->r[i].time / tmax,
                y0 + PANEL_H - PANEL_H * (v < ymax ? v : ymax) / ymax);
    }
    fputs("'/>\n", f);
}

int vp_series_write_svg(FILE *f, const vp_series *runs, size_t n, const char *title,
                        vp_err *err)
{
    size_t np = sizeof PANELS / sizeof PANELS[0];
    int h = TOP + (int)np * (PANEL_H + GAP) + 20 + 16 * (int)n;
    double tmax = 0;
    for (size_t k = 0; k < n; k++)
        if (runs[k].n)
            tmax = fmax(tmax, runs[k].r[runs[k].n - 1].time);
    tmax = tmax > 0 ? tmax : 1;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
               "font-family='sans-serif' font-size='13'>\n<rect width='100%%' height='100%%' "
               "fill='white'/>\n<text x='%d' y='24' font-size='16'>", W, h, LEFT);
    put_xml(f, title);
    fputs("</text>\n", f);
    for (size_t p = 0; p < np; p++) {
        int y0 = TOP + (int)p * (PANEL_H + GAP);
        double ymax = 0;
        for (size_t k = 0; k < n; k++)
            for (size_t i = 0; i < runs[k].n; i++)
                ymax = fmax(ymax, PANELS[p].get(&runs[k].r[i]));
        ymax = nice_max(ymax);
        axes(f, y0, ymax, tmax, PANELS[p].title);
        for (size_t k = 0; k < n; k++)
            line(f, &runs[k], PANELS[p].get, y0, ymax, tmax, COLORS[k % 8]);
    }
    int ly = TOP + (int)np * (PANEL_H + GAP);
    for (size_t k = 0; k < n; k++) {
        fprintf(f, "<rect x='%d' y='%d' width='14' height='4' fill='%s'/><text x='%d' y='%d'>",
                LEFT, ly + 16 * (int)k - 4, COLORS[k % 8], LEFT + 20, ly + 16 * (int)k);
        put_xml(f, runs[k].name);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
    return io_error(f, err);
}
