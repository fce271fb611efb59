/*
 * json_locate.c - finding the line and column of a value in JSON text.
 * Provides: see json_locate.h.  Uses: libc only.
 *
 * A cursor walks the text tracking line and column.  Descending into an
 * object scans its members, comparing keys (with simple escapes decoded);
 * into an array, skips elements up to the index.  Skipping a value is
 * iterative: strings are skipped whole and brackets counted, so nesting
 * depth does not matter.  The text is assumed valid; on anything
 * unexpected the search fails rather than guessing.
 */
#include "json_locate.h"

#include <stdlib.h>
#include <string.h>

typedef struct cursor {
    const char *p, *end;
    int line, column;
} cursor;

static bool at(const cursor *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

/* Moves past one byte; a column is one character, so UTF-8 continuation
 * bytes (10xxxxxx) do not count. */
static void advance(cursor *c)
{
    if (c->p >= c->end)
        return;
    if (*c->p == '\n') {
        c->line++;
        c->column = 1;
    } else if (((unsigned char)*c->p & 0xC0) != 0x80) {
        c->column++;
    }
    c->p++;
}

static void skip_ws(cursor *c)
{
    while (c->p < c->end && *c->p && strchr(" \t\r\n", *c->p))
        advance(c);
}

/* At an opening quote: consumes the string and tells whether its decoded
 * content equals key[0..n). \u escapes never match. */
static bool match_string(cursor *c, const char *key, size_t n)
{
    static const char from[] = "nrtbf", to[] = "\n\r\t\b\f";
    bool same = true;
    size_t i = 0;
    for (advance(c); c->p < c->end && *c->p != '"'; advance(c), i++) {
        char ch = *c->p;
        if (ch == '\\') {
            advance(c);
            ch = c->p < c->end ? *c->p : '\0';
            const char *e = ch ? strchr(from, ch) : NULL;
            same = same && ch != 'u';
            ch = e ? to[e - from] : ch;
        }
        same = same && i < n && key[i] == ch;
    }
    advance(c);
    return same && i == n;
}

/* Skips one value: a string, a number or literal, or a whole object or
 * array (brackets counted, strings skipped so their brackets do not). */
static void skip_value(cursor *c)
{
    int depth = 0;
    do {
        char ch = c->p < c->end ? *c->p : '\0';
        if (ch == '"') {
            match_string(c, "", 0);
            continue;
        }
        if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']')
            depth--;
        else if (depth == 0) {
            while (c->p < c->end && !strchr(",]} \t\r\n", *c->p))
                advance(c);
            return;
        }
        advance(c);
    } while (depth > 0 && c->p < c->end);
}

/* At '{': moves to the value of member key[0..n), its key's quote in *k. */
static int enter_member(cursor *c, const char *key, size_t n, cursor *k)
{
    if (!at(c, '{'))
        return -1;
    advance(c);
    for (;;) {
        skip_ws(c);
        if (!at(c, '"'))
            return -1;
        *k = *c;
        bool hit = match_string(c, key, n);
        skip_ws(c);
        if (!at(c, ':'))
            return -1;
        advance(c);
        skip_ws(c);
        if (hit)
            return 0;
        skip_value(c);
        skip_ws(c);
        if (!at(c, ','))
            return -1;
        advance(c);
    }
}

/* At '[': moves to element index. */
static int enter_index(cursor *c, long index)
{
    if (!at(c, '['))
        return -1;
    advance(c);
    for (long i = 0;; i++) {
        skip_ws(c);
        if (c->p >= c->end || at(c, ']'))
            return -1;
        if (i == index)
            return 0;
        skip_value(c);
        skip_ws(c);
        if (!at(c, ','))
            return -1;
        advance(c);
    }
}

/* Follows path ("a.b[2].c") from the value at c. */
static int follow(cursor *c, const char *s)
{
    cursor k;
    while (*s) {
        if (*s == '[') {
            char *e;
            long i = strtol(s + 1, &e, 10);
            if (*e != ']' || i < 0 || e == s + 1 || enter_index(c, i))
                return -1;
            s = e + 1;
        } else {
            s += *s == '.';
            size_t n = strcspn(s, ".[");
            if (enter_member(c, s, n, &k))
                return -1;
            s += n;
        }
    }
    return 0;
}

int vp_json_locate(const char *text, size_t len, const char *path, const char *key, bool at_key,
                   int *line, int *column)
{
    cursor c = {text, text + len, 1, 1}, k;
    skip_ws(&c);
    if (follow(&c, path ? path : ""))
        return -1;
    if (key && enter_member(&c, key, strlen(key), &k))
        return -1;
    if (key && at_key)
        c = k;
    *line = c.line;
    *column = c.column;
    return 0;
}
