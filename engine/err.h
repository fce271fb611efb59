/*
 * err.h - the error out-parameter used across libvmpilot.
 *
 * Provides: vp_err, filled by fallible functions (which return -1), in the
 * spirit of jansson's json_error_t: a message plus, where one applies, the
 * source file, line, column and the field (a JSON path such as
 * "hosts[2].capacity.cpu") the message is about.
 * Uses: nothing.
 */
#ifndef VP_ERR_H
#define VP_ERR_H

#include <stddef.h>

#define VP_ERR_TEXT 512
#define VP_ERR_SOURCE 256
#define VP_ERR_FIELD 128

typedef struct vp_err {
    char text[VP_ERR_TEXT];     /* what is wrong, one line, no trailing newline */
    char source[VP_ERR_SOURCE]; /* file it is about, or "" */
    char field[VP_ERR_FIELD];   /* JSON path of the field, or "" */
    int line;                   /* 1-based, 0 if unknown */
    int column;                 /* 1-based, 0 if unknown */
} vp_err;

#if defined(__GNUC__)
#define VP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define VP_WUR __attribute__((warn_unused_result))
#else
#define VP_PRINTF(a, b)
#define VP_WUR
#endif

/* Clears err (may be NULL). */
void vp_err_clear(vp_err *err);

/* Sets err->text from a printf format and returns -1, so a failing
 * function can `return vp_err_set(err, ...)`. err may be NULL. Location
 * fields are left as they are. */
int vp_err_set(vp_err *err, const char *fmt, ...) VP_PRINTF(2, 3);

/* Puts a printf-formatted prefix before err->text (which may be
 * shortened to fit).  Returns -1. */
int vp_err_prefix(vp_err *err, const char *fmt, ...) VP_PRINTF(2, 3);

/* Sets the location fields (source may be NULL, field may be NULL). */
void vp_err_at(vp_err *err, const char *source, int line, int column, const char *field);

/* Formats err as "source:line:column: field: text" (parts that are unset
 * are left out; a text that already names "source:" is printed as is)
 * into buf; returns buf. */
const char *vp_err_format(const vp_err *err, char *buf, size_t size);

#endif
