/*
 * trace.c - loading PlanetLab traces and reading utilization from them.
 *
 * Provides: see trace.h.
 * Uses: err.h, libc, POSIX (dirent, open/read/fstat).
 *
 * Loading lists the files (the order file, or the folder's non-hidden
 * entries sorted with strcmp), then reads each file whole into one reused
 * buffer and parses it line by line into one growing byte array of
 * samples (no allocation per value).  The rows are finally copied into
 * the n_vms x n_samples matrix, short rows padded with their last value.
 *
 * Lines may carry surrounding blanks and a CR (CRLF files); blank lines
 * are allowed only at the end of a file.  Errors name the file and line
 * in err->text ("/dir/file:17: ..."); err's location fields are left
 * unset so that vp_err_format does not repeat them.
 */
#include "trace.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A growable byte buffer. */
typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

/* The files to load, in VM order. */
typedef struct listing {
    char **names;
    int *lines; /* line of each name in the order file, NULL without one */
    size_t n, cap;
} listing;

/* ====== small helpers ====== */

static int buf_reserve(buf *b, size_t want)
{
    if (want <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < want)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Sets b to "a/c" (NUL-terminated). */
static int buf_path(buf *b, const char *a, const char *c)
{
    size_t la = strlen(a), lc = strlen(c);
    if (buf_reserve(b, la + lc + 2))
        return -1;
    memcpy(b->p, a, la);
    b->p[la] = '/';
    memcpy(b->p + la + 1, c, lc + 1);
    b->n = la + lc + 1;
    return 0;
}

static int oom(vp_err *err)
{
    return vp_err_set(err, "out of memory");
}

/* Splits the next line off [*pos, end): returns its start with *len set
 * to its length without surrounding blanks, and moves *pos past it. */
static const char *next_line(const char **pos, const char *end, size_t *len)
{
    const char *s = *pos;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    *pos = nl ? nl + 1 : end;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    while (s < e && isspace((unsigned char)*s))
        s++;
    *len = (size_t)(e - s);
    return s;
}

/* Reads the open regular file fd whole into b (NUL-terminated). */
static int read_fd(int fd, buf *b)
{
    struct stat st;
    if (fstat(fd, &st))
        return -1;
    if (!S_ISREG(st.st_mode))
        return errno = EISDIR, -1;
    size_t size = (size_t)st.st_size;
    if (buf_reserve(b, size + 1))
        return errno = ENOMEM, -1;
    b->n = 0;
    while (b->n < size) {
        ssize_t got = read(fd, b->p + b->n, size - b->n);
        if (got < 0 && errno != EINTR)
            return -1;
        if (got == 0)
            break;
        b->n += got > 0 ? (size_t)got : 0;
    }
    b->p[b->n] = '\0';
    return 0;
}

/* Reads the file path (relative to the folder dirfd, or AT_FDCWD) whole
 * into b; errno is kept from the failing call. */
static int read_file(int dirfd, const char *path, buf *b)
{
    int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK); /* a FIFO must not block us */
    if (fd < 0)
        return -1;
    int rc = read_fd(fd, b);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* ====== the list of files ====== */

static void listing_free(listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->lines);
}

/* Appends name (taking ownership) with its order-file line. */
static int listing_push(listing *l, char *name, int line)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        char **names = realloc(l->names, cap * sizeof *names);
        if (names)
            l->names = names;
        int *lines = names ? realloc(l->lines, cap * sizeof *lines) : NULL;
        if (!lines)
            return free(name), -1;
        l->lines = lines;
        l->cap = cap;
    }
    l->names[l->n] = name;
    l->lines[l->n++] = line;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the folder's non-hidden entries, sorted with strcmp. */
static int list_folder(const char *dir, listing *l, vp_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return vp_err_set(err, "cannot open trace folder '%s': %s", dir, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *name = strdup(e->d_name);
        if (!name || listing_push(l, name, 0))
            rc = oom(err);
    }
    if (rc == 0 && errno)
        rc = vp_err_set(err, "cannot read trace folder '%s': %s", dir, strerror(errno));
    closedir(d);
    free(l->lines); /* no order file: no lines to report */
    l->lines = NULL;
    if (rc == 0 && l->n == 0)
        return vp_err_set(err, "trace folder '%s' has no files", dir);
    if (rc == 0)
        qsort(l->names, l->n, sizeof *l->names, cmp_names);
    return rc;
}

/* Parses "index<TAB>name" (any blanks as separator); -1 if malformed. */
static int parse_order_line(const char *s, size_t len, size_t *index, char **name)
{
    size_t i = 0, v = 0;
    while (i < len && isdigit((unsigned char)s[i]) && v < 100000000)
        v = v * 10 + (size_t)(s[i++] - '0');
    if (i == 0 || i == len || !isspace((unsigned char)s[i]))
        return -1;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    if (memchr(s + i, '/', len - i))
        return -1;
    *index = v;
    *name = strndup(s + i, len - i);
    return 0;
}

static int bad_order_line(vp_err *err, const char *order, int line, const char *s, size_t len)
{
    return vp_err_set(err, "%s:%d: expected 'index<TAB>file name', got '%.*s'", order, line,
                      (int)(len > 60 ? 60 : len), s);
}

/* Reads the order file's entries in file order, keeping each index in
 * *idx (allocated here). */
static int read_order_entries(const char *order, const buf *b, listing *l, size_t **idx,
                              vp_err *err)
{
    const char *pos = b->p, *end = b->p + b->n;
    size_t cap = 0;
    int line = 0;
    while (pos < end) {
        size_t len, index;
        char *name = NULL;
        const char *s = next_line(&pos, end, &len);
        line++;
        if (len == 0)
            continue;
        if (parse_order_line(s, len, &index, &name))
            return bad_order_line(err, order, line, s, len);
        if (!name || listing_push(l, name, line))
            return oom(err);
        if (l->n > cap) {
            size_t *p = realloc(*idx, l->cap * sizeof *p);
            if (!p)
                return oom(err);
            *idx = p;
            cap = l->cap;
        }
        (*idx)[l->n - 1] = index;
    }
    return 0;
}

/* Puts l's entries at their indices; every index 0..n-1 exactly once. */
static int place_by_index(const char *order, listing *l, const size_t *idx, vp_err *err)
{
    size_t n = l->n;
    size_t *at = malloc(n * sizeof *at);
    char **names = malloc(n * sizeof *names);
    int *lines = malloc(n * sizeof *lines);
    int rc = at && names && lines ? 0 : oom(err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        at[i] = SIZE_MAX;
    for (size_t e = 0; rc == 0 && e < n; e++) {
        if (idx[e] < n && at[idx[e]] != SIZE_MAX)
            rc = vp_err_set(err, "%s:%d: duplicate index %zu (first on line %d)", order,
                            l->lines[e], idx[e], l->lines[at[idx[e]]]);
        else if (idx[e] < n)
            at[idx[e]] = e;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (at[i] == SIZE_MAX)
            rc = vp_err_set(err, "%s: index %zu is missing (%zu entries)", order, i, n);
        else
            names[i] = l->names[at[i]], lines[i] = l->lines[at[i]];
    }
    if (rc == 0) {
        free(l->names), free(l->lines);
        l->names = names, l->lines = lines, l->cap = n;
        names = NULL, lines = NULL;
    }
    free(at), free(names), free(lines);
    return rc;
}

static int list_order(const char *order, buf *b, listing *l, vp_err *err)
{
    if (read_file(AT_FDCWD, order, b))
        return vp_err_set(err, "cannot read order file '%s': %s", order, strerror(errno));
    size_t *idx = NULL;
    int rc = read_order_entries(order, b, l, &idx, err);
    if (rc == 0 && l->n == 0)
        rc = vp_err_set(err, "order file '%s' has no entries", order);
    if (rc == 0)
        rc = place_by_index(order, l, idx, err);
    free(idx);
    return rc;
}

/* ====== samples ====== */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Scans one line of [*pos, end) in a single pass and moves *pos past it.
 * Returns 1 with *v set for a percentage 0..100 written as plain digits
 * (blanks around it allowed), 0 for a blank line, -1 for anything else. */
static int scan_value(const char **pos, const char *end, int *v)
{
    const char *p = *pos;
    while (p < end && is_blank(*p))
        p++;
    const char *digits = p;
    int x = 0;
    while (p < end && (unsigned)(*p - '0') < 10 && p - digits < 4)
        x = x * 10 + (*p++ - '0');
    size_t nd = (size_t)(p - digits);
    while (p < end && is_blank(*p))
        p++;
    bool eol = p == end || *p == '\n';
    const char *nl = eol ? p : memchr(p, '\n', (size_t)(end - p));
    *pos = nl ? nl + 1 : end;
    if (!eol || nd > 3 || x > 100)
        return -1;
    *v = x;
    return nd > 0;
}

static int bad_value(vp_err *err, const char *path, int line, const char *s, const char *end)
{
    size_t len;
    s = next_line(&s, end, &len);
    return vp_err_set(err, "%s:%d: expected an integer CPU percentage 0..100, got '%.*s'",
                      path, line, (int)(len > 40 ? 40 : len), s);
}

/* Appends the samples of the file text in b to out; *count gets how many. */
static int parse_samples(const char *path, const buf *b, buf *out, size_t *count, vp_err *err)
{
    if (buf_reserve(out, out->n + b->n / 2 + 1)) /* each value takes >= 2 bytes but the last */
        return oom(err);
    const char *pos = b->p, *end = b->p + b->n;
    size_t start = out->n;
    int line = 0, blank = 0; /* first blank line since the last value */
    while (pos < end) {
        const char *s = pos;
        int v, kind = scan_value(&pos, end, &v);
        line++;
        if (kind < 0)
            return bad_value(err, path, line, s, end);
        if (kind == 0) {
            blank = blank ? blank : line;
            continue;
        }
        if (blank)
            return bad_value(err, path, blank, "", "");
        out->p[out->n++] = (char)v;
    }
    *count = out->n - start;
    if (*count == 0)
        return vp_err_set(err, "%s: no samples (empty file)", path);
    return 0;
}

static int read_vm_file(int dirfd, const char *dir, const char *order, const listing *l,
                        size_t i, buf *path, buf *text, vp_err *err)
{
    if (buf_path(path, dir, l->names[i]))
        return oom(err);
    if (read_file(dirfd, l->names[i], text) == 0)
        return 0;
    if (l->lines && errno == ENOENT)
        return vp_err_set(err, "%s:%d: file '%s' not found in '%s'", order, l->lines[i],
                          l->names[i], dir);
    return vp_err_set(err, "cannot read trace file '%s': %s", path->p, strerror(errno));
}

/* Reads the first t->n_vms files of l into raw (concatenated rows). */
static int read_rows(vp_trace *t, const char *dir, const char *order, const listing *l,
                     buf *raw, vp_err *err)
{
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY); /* saves a path walk per file */
    if (dirfd < 0)
        return vp_err_set(err, "cannot open trace folder '%s': %s", dir, strerror(errno));
    buf path = {0}, text = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < t->n_vms; i++) {
        rc = read_vm_file(dirfd, dir, order, l, i, &path, &text, err);
        if (rc == 0)
            rc = parse_samples(path.p, &text, raw, &t->lengths[i], err);
        if (rc == 0 && t->lengths[i] > t->n_samples)
            t->n_samples = t->lengths[i];
    }
    close(dirfd);
    free(path.p);
    free(text.p);
    return rc;
}

/* Copies the raw rows into the matrix, padding short rows. */
static int build_matrix(vp_trace *t, const buf *raw, vp_err *err)
{
    if (t->n_samples > SIZE_MAX / t->n_vms || !(t->percent = malloc(t->n_vms * t->n_samples)))
        return oom(err);
    const uint8_t *src = (const uint8_t *)raw->p;
    for (size_t i = 0; i < t->n_vms; i++) {
        uint8_t *row = t->percent + i * t->n_samples;
        size_t len = t->lengths[i];
        memcpy(row, src, len);
        memset(row + len, src[len - 1], t->n_samples - len);
        src += len;
    }
    return 0;
}

/* ====== public ====== */

static int alloc_rows(vp_trace *t, size_t n, vp_err *err)
{
    t->n_vms = n;
    t->names = calloc(n, sizeof *t->names);
    t->lengths = calloc(n, sizeof *t->lengths);
    return t->names && t->lengths ? 0 : oom(err);
}

/* Moves the first t->n_vms names of l into t and frees the others. */
static void take_names(vp_trace *t, listing *l)
{
    memcpy(t->names, l->names, t->n_vms * sizeof *t->names);
    for (size_t i = t->n_vms; i < l->n; i++)
        free(l->names[i]);
    l->n = 0;
}

vp_trace *vp_trace_load(const char *dir, const char *order, double step, size_t max_vms,
                        vp_err *err)
{
    if (!(step > 0) || isinf(step))
        return vp_err_set(err, "trace step must be > 0 seconds, got %g", step), NULL;
    vp_trace *t = calloc(1, sizeof *t);
    if (!t)
        return oom(err), NULL;
    listing l = {0};
    buf raw = {0};
    t->step = step;
    int rc = order ? list_order(order, &raw, &l, err) : list_folder(dir, &l, err);
    raw.n = 0; /* the order file's text is no longer needed */
    if (rc == 0)
        rc = alloc_rows(t, max_vms > 0 && max_vms < l.n ? max_vms : l.n, err);
    if (rc == 0)
        rc = read_rows(t, dir, order, &l, &raw, err);
    if (rc == 0)
        rc = build_matrix(t, &raw, err);
    if (rc == 0)
        take_names(t, &l);
    listing_free(&l);
    free(raw.p);
    if (rc == 0)
        return t;
    vp_trace_free(t);
    return NULL;
}

void vp_trace_free(vp_trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->names && i < t->n_vms; i++)
        free(t->names[i]);
    free(t->names);
    free(t->lengths);
    free(t->percent);
    free(t);
}

vp_trace_pos vp_trace_at(const vp_trace *t, double time)
{
    if (!t || !t->n_samples)
        return (vp_trace_pos){0, 0, false};
    size_t last = t->n_samples - 1;
    if (!(time > 0)) /* also NaN */
        return (vp_trace_pos){0, 0, false};
    double x = time / t->step, k = floor(x);
    if (x >= (double)last)
        return (vp_trace_pos){last, 0, false};
    size_t j = (size_t)k;
    if (x == k)
        return (vp_trace_pos){j, 0, false};
    return (vp_trace_pos){j, time - k * t->step, true};
}

double vp_trace_util(const vp_trace *t, size_t i, double time)
{
    if (!t || i >= t->n_vms)
        return 0;
    return vp_trace_util_at(t, i, vp_trace_at(t, time));
}

double vp_trace_duration(const vp_trace *t)
{
    return (double)(t->n_samples - 1) * t->step;
}
