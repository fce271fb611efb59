/*
 * decision_log.c - a bounded ring of engine events (see decision_log.h).
 * Provides: vp_decision_log_*.  Uses: jansson, err.h, stdio (the file).
 */
#include "decision_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vp_decision_log {
    json_t **v;
    size_t cap, len, head; /* head: index of the oldest entry */
    uint64_t total;
    FILE *file;            /* JSON lines, or NULL */
    uint64_t write_errors;
};

vp_decision_log *vp_decision_log_new(size_t cap)
{
    vp_decision_log *l = calloc(1, sizeof *l);
    if (l && !(l->v = calloc(cap ? cap : 1, sizeof *l->v))) {
        free(l);
        return NULL;
    }
    if (l)
        l->cap = cap ? cap : 1;
    return l;
}

void vp_decision_log_free(vp_decision_log *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        json_decref(vp_decision_log_get(l, i));
    if (l->file)
        fclose(l->file);
    free(l->v);
    free(l);
}

int vp_decision_log_open(vp_decision_log *l, const char *path, vp_err *err)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return vp_err_set(err, "cannot open the decision log %s: %s", path, strerror(errno));
    if (l->file)
        fclose(l->file);
    l->file = f;
    return 0;
}

/* One JSON line, flushed; a failure is counted. */
static void write_line(vp_decision_log *l, const json_t *entry)
{
    if (json_dumpf(entry, l->file, JSON_COMPACT | JSON_REAL_PRECISION(17)) ||
        fputc('\n', l->file) == EOF || fflush(l->file))
        l->write_errors++;
}

void vp_decision_log_add(vp_decision_log *l, json_t *entry)
{
    if (!entry)
        return;
    json_object_set_new(entry, "seq", json_integer((json_int_t)++l->total));
    if (l->file)
        write_line(l, entry);
    if (l->len == l->cap) {
        json_decref(l->v[l->head]);
        l->v[l->head] = entry;
        l->head = (l->head + 1) % l->cap;
        return;
    }
    l->v[(l->head + l->len++) % l->cap] = entry;
}

size_t vp_decision_log_len(const vp_decision_log *l) { return l->len; }
size_t vp_decision_log_cap(const vp_decision_log *l) { return l->cap; }
uint64_t vp_decision_log_total(const vp_decision_log *l) { return l->total; }
uint64_t vp_decision_log_write_errors(const vp_decision_log *l) { return l->write_errors; }

json_t *vp_decision_log_get(const vp_decision_log *l, size_t i)
{
    return i < l->len ? l->v[(l->head + i) % l->cap] : NULL;
}
