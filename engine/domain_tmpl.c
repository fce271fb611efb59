/*
 * domain_tmpl.c - libvirt domain XML templates of VM types.
 *
 * Provides: see domain_tmpl.h.
 * Uses: err.h, resources.h, libc (open_memstream, /dev/urandom).
 *
 * One scanner, placeholder(), recognises "{{NAME}}" at a "{{"; the check
 * walks the text with it counting lines, the rendering copies the text
 * between placeholders and writes each value.
 */
#include "domain_tmpl.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { P_NAME, P_UUID, P_VCPUS, P_MIB, P_KIB, P_TYPE, P_N };

static const char *const NAMES[P_N] = {"name",       "uuid",       "vcpus",
                                       "memory_mib", "memory_kib", "domain_type"};

#define EXPECTED "{{name}}, {{uuid}}, {{vcpus}}, {{memory_mib}}, {{memory_kib}}, {{domain_type}}"

/* The placeholder opening at s (which starts with "{{"): its index with
 * *end just after its "}}", or -1. */
static int placeholder(const char *s, const char **end)
{
    const char *close = strstr(s + 2, "}}");
    for (int i = 0; close && i < P_N; i++) {
        size_t n = strlen(NAMES[i]);
        if ((size_t)(close - s - 2) == n && !strncmp(s + 2, NAMES[i], n)) {
            *end = close + 2;
            return i;
        }
    }
    return -1;
}

static bool opens(const char *p) { return p[0] == '{' && p[1] == '{'; }

/* The unknown placeholder at p, as far as its "}}" or the line's end
 * (at most 40 bytes), into err. */
static int unknown(const char *p, vp_err *err)
{
    size_t n = strcspn(p, "\n");
    const char *close = strstr(p + 2, "}}");
    if (close && (size_t)(close - p) < n)
        n = (size_t)(close - p) + 2;
    return vp_err_set(err, "unknown placeholder '%.*s' (expected one of: " EXPECTED ")",
                      (int)(n > 40 ? 40 : n), p);
}

static int missing(unsigned used, vp_err *err)
{
    if (!(used & 1u << P_NAME))
        return vp_err_set(err, "the template must use {{name}} (domains are matched to VMs "
                               "by name)");
    if (!(used & 1u << P_VCPUS))
        return vp_err_set(err, "the template must use {{vcpus}} (the VM's size)");
    if (!(used & (1u << P_MIB | 1u << P_KIB)))
        return vp_err_set(err, "the template must use {{memory_mib}} or {{memory_kib}} "
                               "(the VM's size)");
    return 0;
}

int vp_tmpl_check(const char *text, int *line, int *column, vp_err *err)
{
    unsigned used = 0;
    const char *bol = text, *end;
    *line = 1;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            ++*line;
            bol = p + 1;
        }
        if (!opens(p))
            continue;
        int k = placeholder(p, &end);
        if (k < 0) {
            *column = (int)(p - bol) + 1;
            return unknown(p, err);
        }
        used |= 1u << k;
        p = end - 1;
    }
    *line = *column = 0;
    return missing(used, err);
}

static double at_least_1(double x) { return ceil(x) < 1 ? 1 : ceil(x); }

static void put_value(FILE *f, int k, const vp_tmpl_vars *v)
{
    double mib = at_least_1(v->size.v[VP_MEM]);
    switch (k) {
    case P_NAME: vp_xml_escape(f, v->name); break;
    case P_UUID: fputs(v->uuid, f); break;
    case P_VCPUS: fprintf(f, "%.0f", at_least_1(v->size.v[VP_CPU])); break;
    case P_MIB: fprintf(f, "%.0f", mib); break;
    case P_KIB: fprintf(f, "%.0f", mib * 1024); break;
    default: vp_xml_escape(f, v->domain_type);
    }
}

char *vp_tmpl_render(const char *text, const vp_tmpl_vars *vars)
{
    int line, column;
    vp_err err = {0};
    char *buf = NULL;
    size_t len = 0;
    if (vp_tmpl_check(text, &line, &column, &err))
        return NULL;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    for (const char *p = text, *end; *p;) {
        size_t n = strcspn(p, "{");
        fwrite(p, 1, n, f);
        p += n;
        int k = *p && opens(p) ? placeholder(p, &end) : -1;
        if (k >= 0) {
            put_value(f, k, vars);
            p = end;
        } else if (*p) {
            fputc(*p++, f);
        }
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

void vp_tmpl_uuid(char out[37])
{
    unsigned char b[16];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    for (size_t i = got; i < sizeof b; i++) /* no /dev/urandom: good enough */
        b[i] = (unsigned char)(rand() ^ (int)time(NULL) >> (i % 8));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *o = out;
    for (int i = 0; i < 16; i++)
        o += sprintf(o, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", b[i]);
}

void vp_xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}
