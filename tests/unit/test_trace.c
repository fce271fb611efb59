/*
 * test_trace.c - unit tests for trace.c: loading a real PlanetLab day
 * (values checked against the files read independently here), the
 * CloudSim interpolation rule, and the load errors on small folders.
 */
#include "check.h"
#include "trace.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* CMake passes the build tree's copy of the shipped trace. */
#ifndef VP_TRACE_DIR
#define VP_TRACE_DIR "/work/shared/data/planetlab"
#endif
#ifdef VP_TEST_DATA
#define ORDER_FILE VP_TEST_DATA "/../../examples/traces/20110303.order"
#else
#define ORDER_FILE "/work/shared/data/planetlab-order/20110303.txt"
#endif
#define DAY VP_TRACE_DIR "/20110303"

/* ---- independent readers ---- */

/* The name the order file gives index `want`, into name. */
static int order_name(size_t want, char *name, size_t size)
{
    FILE *f = fopen(ORDER_FILE, "r");
    char line[512];
    int found = -1;
    while (f && found < 0 && fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab || strtoul(line, NULL, 10) != want)
            continue;
        tab[1 + strcspn(tab + 1, "\r\n")] = '\0';
        snprintf(name, size, "%s", tab + 1);
        found = 0;
    }
    if (f)
        fclose(f);
    return found;
}

/* Reads the integers of DAY/name into v; returns how many. */
static size_t read_values(const char *name, int *v, size_t max)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DAY, name);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    while (f && n < max && fscanf(f, "%d", &v[n]) == 1)
        n++;
    if (f)
        fclose(f);
    return n;
}

/* Every sample of VM i equals the file's values, read independently. */
static void check_row(const vp_trace *t, size_t i)
{
    char name[512];
    int v[400];
    CHECK_EQ_INT(order_name(i, name, sizeof name), 0);
    CHECK(strcmp(t->names[i], name) == 0);
    size_t n = read_values(name, v, 400);
    CHECK_EQ_INT(n, 288);
    int bad = 0;
    for (size_t k = 0; k < n && k < t->n_samples; k++) {
        bad += t->percent[i * t->n_samples + k] != v[k];
        bad += vp_trace_util(t, i, (double)k * 300) != v[k] / 100.0;
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- the shipped day ---- */

static void check_interpolation(const vp_trace *t)
{
    /* the first VM whose samples 0 and 1 differ */
    size_t i = 0;
    while (i + 1 < t->n_vms && t->percent[i * t->n_samples] == t->percent[i * t->n_samples + 1])
        i++;
    char name[512];
    int v[400];
    CHECK_EQ_INT(order_name(i, name, sizeof name), 0);
    CHECK(read_values(name, v, 400) == 288 && v[0] != v[1]);
    CHECK_NEAR(vp_trace_util(t, i, 150), (v[0] + v[1]) / 200.0, 1e-12);
    CHECK_NEAR(vp_trace_util(t, i, 75), v[0] / 100.0 + (v[1] - v[0]) / 100.0 * 0.25, 1e-12);
    CHECK_NEAR(vp_trace_util(t, i, 300), v[1] / 100.0, 0);
    CHECK_NEAR(vp_trace_util(t, i, 287 * 300 + 1000), v[287] / 100.0, 0);
    CHECK_NEAR(vp_trace_util(t, i, 1e9), v[287] / 100.0, 0);
    CHECK_NEAR(vp_trace_util(t, i, -5), v[0] / 100.0, 0);
    CHECK_NEAR(vp_trace_util(t, t->n_vms, 0), 0, 0); /* unknown VM */
}

static void test_day(void)
{
    vp_err e = {0};
    vp_trace *t = vp_trace_load(DAY, ORDER_FILE, 300, 0, &e);
    CHECK(t != NULL);
    if (!t) {
        fprintf(stderr, "  load: %s\n", e.text);
        return;
    }
    CHECK_EQ_INT(t->n_vms, 1052);
    CHECK_EQ_INT(t->n_samples, 288);
    CHECK_NEAR(t->step, 300, 0);
    CHECK_NEAR(vp_trace_duration(t), 287 * 300, 0);
    size_t short_rows = 0;
    for (size_t i = 0; i < t->n_vms; i++)
        short_rows += t->lengths[i] != 288;
    CHECK_EQ_INT(short_rows, 0);
    check_row(t, 0);
    check_row(t, 700);
    check_interpolation(t);

    vp_trace *s = vp_trace_load(DAY, ORDER_FILE, 300, 10, &e);
    CHECK(s && s->n_vms == 10 && s->n_samples == 288);
    for (size_t i = 0; s && i < 10; i++)
        CHECK(strcmp(s->names[i], t->names[i]) == 0);
    CHECK(s && memcmp(s->percent, t->percent, 10 * 288) == 0);
    vp_trace_free(s);
    vp_trace_free(t);
}

/* Without an order file the files are in strcmp order. */
static void test_day_unordered(void)
{
    vp_err e = {0};
    vp_trace *t = vp_trace_load(DAY, NULL, 300, 0, &e);
    CHECK(t && t->n_vms == 1052);
    size_t unsorted = 0;
    for (size_t i = 1; t && i < t->n_vms; i++)
        unsorted += strcmp(t->names[i - 1], t->names[i]) >= 0;
    CHECK_EQ_INT(unsorted, 0);
    vp_trace_free(t);
}

/* ---- small folders ---- */

static char tmp[64];

static void mk_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/vp_trace_XXXXXX");
    CHECK(mkdtemp(tmp) != NULL);
}

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Removes every file of tmp, then tmp. */
static void rm_tmp(void)
{
    DIR *d = opendir(tmp);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
        CHECK_EQ_INT(unlink(path), 0);
    }
    if (d)
        closedir(d);
    CHECK_EQ_INT(rmdir(tmp), 0);
}

static char order_path[128];

static const char *order_of(const char *text)
{
    put(".order", text);
    snprintf(order_path, sizeof order_path, "%s/.order", tmp);
    return order_path;
}

/* Loads tmp expecting failure; err text must contain want. */
static void load_fails(const char *order, const char *want)
{
    vp_err e = {0};
    vp_trace *t = vp_trace_load(tmp, order, 300, 0, &e);
    CHECK(t == NULL);
    CHECK_STR_HAS(e.text, want);
    vp_trace_free(t);
}

/* CRLF, blanks, trailing empty lines, hidden files, short rows. */
static void test_small_ok(void)
{
    mk_tmp();
    put("b", "10\r\n20\r\n30\r\n");
    put("a", " 0\n100 \n\n\n");
    put(".extracted", "");
    vp_err e = {0};
    vp_trace *t = vp_trace_load(tmp, NULL, 60, 0, &e);
    CHECK(t != NULL);
    if (t) {
        CHECK_EQ_INT(t->n_vms, 2);
        CHECK(strcmp(t->names[0], "a") == 0 && strcmp(t->names[1], "b") == 0);
        CHECK_EQ_INT(t->n_samples, 3);
        CHECK(t->lengths[0] == 2 && t->lengths[1] == 3);
        CHECK(t->percent[0] == 0 && t->percent[1] == 100 && t->percent[2] == 100); /* padded */
        CHECK_NEAR(vp_trace_util(t, 1, 90), 0.25, 1e-12);
        CHECK_NEAR(vp_trace_util(t, 0, 30), 0.5, 1e-12);
        CHECK_NEAR(vp_trace_util(t, 0, 120), 1.0, 0);
        CHECK_NEAR(vp_trace_duration(t), 120, 0);
    }
    vp_trace_free(t);
    t = vp_trace_load(tmp, order_of("1\ta\n0\tb\n"), 60, 1, &e);
    CHECK(t && t->n_vms == 1 && strcmp(t->names[0], "b") == 0 && t->n_samples == 3);
    vp_trace_free(t);
    rm_tmp();
}

static void test_small_errors(void)
{
    char want[256];
    mk_tmp();
    load_fails(NULL, "has no files");
    put(".hidden", "5\n");
    load_fails(NULL, "has no files");
    put("a", "5\n7\nabc\n");
    snprintf(want, sizeof want, "%s/a:3: expected an integer CPU percentage 0..100, got 'abc'",
             tmp);
    load_fails(NULL, want);
    put("a", "5\n101\n");
    snprintf(want, sizeof want, "%s/a:2: expected an integer CPU percentage 0..100, got '101'",
             tmp);
    load_fails(NULL, want);
    put("a", "5\n-1\n");
    load_fails(NULL, "a:2: expected");
    put("a", "5\n\n7\n");
    load_fails(NULL, "a:2: expected");
    put("a", "5 6\n");
    load_fails(NULL, "got '5 6'");
    put("a", "");
    load_fails(NULL, "no samples");
    rm_tmp();
}

static void test_order_errors(void)
{
    mk_tmp();
    put("a", "5\n");
    put("b", "6\n");
    load_fails(order_of("0\ta\n1\tmissing\n"), ".order:2: file 'missing' not found");
    load_fails(order_of("0\ta\n1\tb\n0\tb\n"), ".order:3: duplicate index 0 (first on line 1)");
    load_fails(order_of("0\ta\n2\tb\n"), "index 1 is missing");
    load_fails(order_of("0\ta\nb\n"), ".order:2: expected 'index<TAB>file name'");
    load_fails(order_of("\n"), "has no entries");
    rm_tmp();
    load_fails("/nonexistent/order", "cannot read order file");
    load_fails(NULL, "cannot open trace folder");
    vp_err e = {0};
    CHECK(vp_trace_load("/nonexistent/folder", NULL, 300, 0, &e) == NULL);
    CHECK_STR_HAS(e.text, "'/nonexistent/folder'");
    CHECK(vp_trace_load(DAY, NULL, 0, 0, &e) == NULL);
    CHECK_STR_HAS(e.text, "step");
}

int main(void)
{
    test_day();
    test_day_unordered();
    test_small_ok();
    test_small_errors();
    test_order_errors();
    return CHECK_DONE();
}
