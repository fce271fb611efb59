/*
 * err.c - filling and formatting vp_err.
 * Provides: see err.h.  Uses: libc only.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vp_err_clear(vp_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int vp_err_set(vp_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return -1;
}

int vp_err_prefix(vp_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char old[VP_ERR_TEXT];
    snprintf(old, sizeof old, "%s", err->text);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof err->text)
        snprintf(err->text + n, sizeof err->text - (size_t)n, "%s", old);
    return -1;
}

void vp_err_at(vp_err *err, const char *source, int line, int column, const char *field)
{
    if (!err)
        return;
    snprintf(err->source, sizeof err->source, "%s", source ? source : "");
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    err->line = line;
    err->column = column;
}

const char *vp_err_format(const vp_err *err, char *buf, size_t size)
{
    size_t n = 0, k = strlen(err->source);
    buf[0] = '\0';
    char located[VP_ERR_SOURCE + 2];
    snprintf(located, sizeof located, "%s:", err->source);
    if (k && strstr(err->text, located)) /* the text already says where */
        return snprintf(buf, size, "%s", err->text), buf;
    if (err->source[0])
        n += (size_t)snprintf(buf + n, size - n, "%s:", err->source);
    if (n < size && err->line > 0)
        n += (size_t)snprintf(buf + n, size - n, "%d:", err->line);
    if (n < size && err->line > 0 && err->column > 0)
        n += (size_t)snprintf(buf + n, size - n, "%d:", err->column);
    if (n < size && n > 0)
        n += (size_t)snprintf(buf + n, size - n, " ");
    if (n < size && err->field[0])
        n += (size_t)snprintf(buf + n, size - n, "field '%s': ", err->field);
    if (n < size)
        snprintf(buf + n, size - n, "%s", err->text);
    return buf;
}
