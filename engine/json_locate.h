/*
 * json_locate.h - where a value starts in JSON text, for error messages.
 *
 * Provides: vp_json_locate, a scanner over raw JSON text (already
 * validated, e.g. by jansson) that returns the 1-based line and column of
 * the value at a path such as "hosts[2].type", or of a member's key, so
 * that an unknown-field error can point at the key itself.  Columns count
 * characters (UTF-8 sequences count once), as jansson's do.
 * Uses: nothing.
 */
#ifndef VP_JSON_LOCATE_H
#define VP_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

/* Position of the value at path in text[0..len): path is a sequence of
 * object keys and array indices, "" (or NULL) for the root, e.g.
 * "hosts[2].type" or "[0].name".  Keys in path cannot contain '.' or '['.
 * If key is non-NULL, the value at path must be an object and the result
 * is its member key (taken literally, so any key can be named): the
 * position of the key's opening quote when at_key, else of its value.
 * Returns 0 and sets *line and *column, or -1 (leaving them unchanged)
 * when the path does not exist. */
int vp_json_locate(const char *text, size_t len, const char *path, const char *key, bool at_key,
                   int *line, int *column);

#endif
