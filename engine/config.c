/*
 * config.c - loading and validating the JSON configuration.
 *
 * Provides: see config.h; also defines vp_slot_names and vp_res_names.
 * Uses: jansson (parsing, JSON_REJECT_DUPLICATES), json_locate.h (line and
 * column of a field for errors), uthash (duplicate host names), err.h,
 * resources.h, POSIX stat/getcwd, inet_pton (api.listen), domain_tmpl.h
 * (vm_types[].domain_xml).
 *
 * The whole document is parsed by jansson first (syntax errors carry
 * jansson's line and column), then walked section by section into a
 * fresh vp_config.  Every check reports through fail(), which names the
 * field by its JSON path and locates it in the raw text; the first error
 * stops the walk and the partial config is freed.  One helper per field
 * kind (typed member, string, number in a range, resource vector, path
 * that must exist) keeps the section parsers declarative.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "config.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <jansson.h>
#include <uthash.h>

#include "domain_tmpl.h"
#include "json_locate.h"

const char *const vp_slot_names[VP_SLOT_N] = {"placement", "balance", "reservation", "migration"};
const char *const vp_res_names[VP_RES_N] = {"cpu", "memory", "disk", "network"};

#define PATH_N VP_ERR_FIELD
#define GOT_N 48 /* room for the rendering of a bad value */
#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

typedef struct name_entry {
    const char *name; /* owned by cfg->hosts */
    UT_hash_handle hh;
} name_entry;

typedef struct loader {
    const char *text; /* the raw JSON, for locating fields */
    size_t len;
    const char *source; /* file name in errors */
    const char *base;   /* directory relative paths are resolved against */
    vp_err *err;
    vp_config *cfg;
    size_t host_cap;   /* allocated length of cfg->hosts */
    name_entry *names; /* host names so far, to reject duplicates */
} loader;

/* Where an error points: the value at path.key, the key itself, or the
 * object at path (for a missing key). */
enum { AT_VALUE, AT_KEY, AT_OBJECT };

/* Bounds of a number field; what names them in messages (all but an
 * integer's max, which is added when exceeded). */
typedef struct num_rule {
    double min, max;
    bool min_open, integer;
    const char *what;
} num_rule;

static const num_rule R_POSITIVE = {0, DBL_MAX, true, false, "a positive number"};
static const num_rule R_NONNEG = {0, DBL_MAX, false, false, "a number >= 0"};
static const num_rule R_SHARE = {0, 1, true, false, "a number in (0, 1]"};
static const num_rule R_COUNT = {1, INT_MAX, false, true, "an integer >= 1"};
static const num_rule R_NONNEG_INT = {0, INT_MAX, false, true, "an integer >= 0"};
static const num_rule R_INSTRUCTIONS = {1000, 1e15, false, true, "an integer >= 1000"};
static const num_rule R_REPLICATE = {1, 1000, false, true, "an integer 1..1000"};
static const num_rule R_MEGABYTES = {1, 1e9, false, true, "an integer >= 1"};
static const num_rule R_HISTORY = {1, 4096, false, true, "an integer >= 1"};
static const num_rule R_GRACE = {0, 86400, false, false, "a number of seconds in [0, 86400]"};
static const num_rule R_MIB_S = {0, 1e9, false, true, "an integer >= 0 (MiB/s)"};
static const num_rule R_TIMEOUT = {0, 604800, false, false, "a number of seconds in [0, 604800]"};

static const char *const ROOT_KEYS[] = {"host_types", "hosts",      "vm_types",
                                        "policies",   "intervals",  "limits",
                                        "simulation", "api"};
static const char *const HOST_TYPE_KEYS[] = {"name",  "cpu",        "memory", "disk",
                                             "network", "cores", "overcommit", "power"};
static const char *const VM_TYPE_KEYS[] = {"name", "cpu", "memory", "disk", "network",
                                           "domain_xml"};
static const char *const HOST_KEYS[] = {"name", "type", "uri", "count"};
static const char *const INTERVAL_KEYS[] = {"sample", "balance", "reservation"};
static const char *const LIMIT_KEYS[] = {"migrations_per_host", "migrations_total",
                                         "migration_bandwidth_share", "policy_instructions",
                                         "policy_memory_mb", "history_samples",
                                         "placement_candidates", "shutdown_grace",
                                         "migration_bandwidth", "migration_timeout",
                                         "migration_progress"};
static const char *const API_KEYS[] = {"listen", "unix_socket", "token", "decision_log"};
static const char *const SIM_KEYS[] = {"trace", "order",   "duration", "step",
                                       "vm_types", "max_vms", "model",   "energy",
                                       "replicate"};
static const char *const VM_TYPE_RULES[] = {"blocks", "round-robin", NULL};
static const char *const SIM_MODELS[] = {"engine", "cloudsim", NULL};
static const char *const SIM_ENERGY[] = {"power-aware", "always-on", NULL};

/* ---- paths, messages ---- */

/* path.key and path[i] into out (PATH_N bytes, "..." if cut short). */
static const char *join(char *out, const char *path, const char *key)
{
    if (snprintf(out, PATH_N, "%s%s%s", path, *path ? "." : "", key) >= PATH_N)
        strcpy(out + PATH_N - 4, "...");
    return out;
}

static const char *join_index(char *out, const char *path, size_t i)
{
    if (snprintf(out, PATH_N, "%s[%zu]", path, i) >= PATH_N)
        strcpy(out + PATH_N - 4, "...");
    return out;
}

/* Appends s to the ", "-separated list in buf. */
static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? ", " : "", s);
}

/* A short rendering of v for "got ..." in messages. */
static const char *describe(const json_t *v, char *buf)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, GOT_N, "%s", s ? s : "?");
    if (s && strlen(s) >= GOT_N)
        memcpy(buf + GOT_N - 4, "...", 4);
    free(s);
    return buf;
}

/* Sets the error: text from fmt, field path.key (or path), located as
 * `at` says, falling back to the object at path.  Returns -1. */
static int fail(loader *l, const char *path, const char *key, int at, const char *fmt, ...)
    VP_PRINTF(5, 6);
static int fail(loader *l, const char *path, const char *key, int at, const char *fmt, ...)
{
    char text[VP_ERR_TEXT], field[PATH_N];
    int line = 0, column = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (vp_json_locate(l->text, l->len, path, at == AT_OBJECT ? NULL : key, at == AT_KEY, &line,
                       &column))
        (void)vp_json_locate(l->text, l->len, path, NULL, false, &line, &column);
    vp_err_set(l->err, "%s", text);
    vp_err_at(l->err, l->source, line, column, key ? join(field, path, key) : path);
    return -1;
}

static int oom(loader *l)
{
    vp_err_set(l->err, "out of memory");
    vp_err_at(l->err, l->source, 0, 0, NULL);
    return -1;
}

static int missing(loader *l, const char *path, const char *key)
{
    return fail(l, path, key, AT_OBJECT, "missing required field '%s'", key);
}

/* ---- one helper per field kind ---- */

/* Checks that v, the value at path, is an object, array or string. */
static int check_type(loader *l, const json_t *v, const char *path, json_type t)
{
    static const char *const names[] = {
        [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string"};
    char got[GOT_N];
    if (json_typeof(v) == t)
        return 0;
    return fail(l, path, NULL, AT_VALUE, "expected %s, got %s", names[t], describe(v, got));
}

/* Fails on any member of obj (at path) not named in allowed[0..n). */
static int check_keys(loader *l, json_t *obj, const char *path, const char *const *allowed,
                      size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (i < n && strcmp(key, allowed[i]))
            i++;
        if (i < n)
            continue;
        char list[VP_ERR_TEXT / 2] = "";
        for (i = 0; i < n; i++)
            append(list, sizeof list, allowed[i]);
        return fail(l, path, key, AT_KEY, "unknown field '%s' (expected one of: %s)", key, list);
    }
    return 0;
}

/* obj.key (obj at path) checked to have type t; *out is NULL if absent,
 * which is an error if required. */
static int member(loader *l, json_t *obj, const char *path, const char *key, json_type t,
                  bool required, json_t **out)
{
    char p[PATH_N];
    *out = json_object_get(obj, key);
    if (!*out)
        return required ? missing(l, path, key) : 0;
    return check_type(l, *out, join(p, path, key), t);
}

/* root.key as an object whose fields are all in keys; *o NULL if absent. */
static int section(loader *l, json_t *root, const char *key, const char *const *keys, size_t n,
                   json_t **o)
{
    if (member(l, root, "", key, JSON_OBJECT, false, o))
        return -1;
    return *o ? check_keys(l, *o, key, keys, n) : 0;
}

/* obj.key as a non-empty string; *out is NULL if absent and optional. */
static int get_str(loader *l, json_t *obj, const char *path, const char *key, bool required,
                   const char **out)
{
    json_t *v;
    *out = NULL;
    if (member(l, obj, path, key, JSON_STRING, required, &v))
        return -1;
    if (v && json_string_length(v) == 0)
        return fail(l, path, key, AT_VALUE, "expected a non-empty string, got \"\"");
    *out = v ? json_string_value(v) : NULL;
    return 0;
}

/* v, the value at path, as a number obeying r. */
static int check_num(loader *l, const json_t *v, const char *path, const num_rule *r, double *out)
{
    char got[GOT_N];
    double x = json_number_value(v);
    bool ok = json_is_number(v) && (r->min_open ? x > r->min : x >= r->min) &&
              (!r->integer || x == floor(x));
    if (ok && x > r->max && r->integer)
        return fail(l, path, NULL, AT_VALUE, "expected %s, at most %.15g, got %s", r->what,
                    r->max, describe(v, got));
    if (!ok || x > r->max)
        return fail(l, path, NULL, AT_VALUE, "expected %s, got %s", r->what, describe(v, got));
    *out = x;
    return 0;
}

/* obj.key as a number obeying r; *out is left alone if absent. */
static int get_num(loader *l, json_t *obj, const char *path, const char *key, const num_rule *r,
                   bool required, double *out)
{
    char p[PATH_N];
    json_t *v = json_object_get(obj, key);
    if (!v)
        return required ? missing(l, path, key) : 0;
    return check_num(l, v, join(p, path, key), r, out);
}

/* The members cpu, memory, disk, network of obj: those whose bit is set
 * in required must be there and positive, the others obey opt. */
static int get_res(loader *l, json_t *obj, const char *path, unsigned required,
                   const num_rule *opt, vp_res *out)
{
    for (int i = 0; i < VP_RES_N; i++) {
        bool req = required >> i & 1;
        if (get_num(l, obj, path, vp_res_names[i], req ? &R_POSITIVE : opt, req, &out->v[i]))
            return -1;
    }
    return 0;
}

/* "base/rel", or rel itself when absolute or there is no base. */
static char *resolve(const char *base, const char *rel)
{
    if (rel[0] == '/' || !base || !*base)
        return strdup(rel);
    size_t nb = strlen(base), n = nb + strlen(rel) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", base, base[nb - 1] == '/' ? "" : "/", rel);
    return s;
}

/* obj.key as a path resolved against the base directory into *out, which
 * must exist and be a directory (dir) or not. */
static int get_path(loader *l, json_t *obj, const char *path, const char *key, bool dir,
                    const char *what, char **out)
{
    const char *rel;
    struct stat st;
    if (get_str(l, obj, path, key, false, &rel))
        return -1;
    if (!rel)
        return 0;
    if (!(*out = resolve(l->base, rel)))
        return oom(l);
    int e = stat(*out, &st) ? errno : 0;
    if (!e && dir != (S_ISDIR(st.st_mode) != 0))
        e = dir ? ENOTDIR : EISDIR;
    if (e)
        return fail(l, path, key, AT_VALUE, "%s not found: %s (%s)", what, *out, strerror(e));
    return 0;
}

/* ---- types ---- */

/* o.name (o at path), required and unique among the types found by find. */
static int get_name(loader *l, json_t *o, const char *path, const char *what,
                    int (*find)(const vp_config *, const char *), char **out)
{
    const char *name;
    if (get_str(l, o, path, "name", true, &name))
        return -1;
    if (find(l->cfg, name) >= 0)
        return fail(l, path, "name", AT_VALUE, "duplicate %s name '%s'", what, name);
    return (*out = strdup(name)) ? 0 : oom(l);
}

static int parse_power(loader *l, json_t *o, const char *path, vp_host_type *t)
{
    char p[PATH_N], e[PATH_N];
    json_t *a;
    if (member(l, o, path, "power", JSON_ARRAY, false, &a))
        return -1;
    if (!a)
        return 0;
    join(p, path, "power");
    if (json_array_size(a) != VP_POWER_POINTS)
        return fail(l, p, NULL, AT_VALUE,
                    "expected exactly %d numbers (watts at 0 %%, 10 %%, ..., 100 %% cpu), got %zu",
                    VP_POWER_POINTS, json_array_size(a));
    for (size_t i = 0; i < VP_POWER_POINTS; i++) {
        if (check_num(l, json_array_get(a, i), join_index(e, p, i), &R_NONNEG, &t->power[i]))
            return -1;
        if (i > 0 && t->power[i] < t->power[i - 1])
            return fail(l, e, NULL, AT_VALUE,
                        "power must be non-decreasing: %g W at %zu %% cpu is below %g W at %zu %%",
                        t->power[i], i * 10, t->power[i - 1], (i - 1) * 10);
    }
    t->has_power = true;
    return 0;
}

static int parse_host_type(loader *l, json_t *o, const char *path, size_t i)
{
    vp_config *cfg = l->cfg;
    vp_host_type *t = &cfg->host_types[i];
    double cores = 1;
    json_t *oc;
    char p[PATH_N];
    if (check_type(l, o, path, JSON_OBJECT) ||
        check_keys(l, o, path, HOST_TYPE_KEYS, COUNT_OF(HOST_TYPE_KEYS)) ||
        get_name(l, o, path, "host type", vp_config_host_type, &t->name))
        return -1;
    cfg->n_host_types++;
    t->overcommit = vp_res_make(1, 1, 1, 1);
    if (get_res(l, o, path, 1u << VP_CPU | 1u << VP_MEM, &R_NONNEG, &t->capacity) ||
        get_num(l, o, path, "cores", &R_COUNT, false, &cores) ||
        member(l, o, path, "overcommit", JSON_OBJECT, false, &oc))
        return -1;
    t->cores = (int)cores;
    join(p, path, "overcommit");
    if (oc && (check_keys(l, oc, p, vp_res_names, VP_RES_N) ||
               get_res(l, oc, p, 0, &R_POSITIVE, &t->overcommit)))
        return -1;
    return parse_power(l, o, path, t);
}

static int slurp(const char *path, char **out, size_t *len);

/* o.domain_xml (o at path): a template file, read and checked. */
static int parse_domain_xml(loader *l, json_t *o, const char *path, vp_vm_type *t)
{
    int line, column, e;
    size_t len;
    vp_err te = {0};
    if (get_path(l, o, path, "domain_xml", false, "domain XML template", &t->domain_xml))
        return -1;
    if (!t->domain_xml)
        return 0;
    if ((e = slurp(t->domain_xml, &t->domain_xml_text, &len)))
        return fail(l, path, "domain_xml", AT_VALUE, "cannot read domain XML template %s: %s",
                    t->domain_xml, strerror(e));
    if (vp_tmpl_check(t->domain_xml_text, &line, &column, &te) == 0)
        return 0;
    if (line)
        return fail(l, path, "domain_xml", AT_VALUE, "%s:%d:%d: %s", t->domain_xml, line,
                    column, te.text);
    return fail(l, path, "domain_xml", AT_VALUE, "%s: %s", t->domain_xml, te.text);
}

static int parse_vm_type(loader *l, json_t *o, const char *path, size_t i)
{
    vp_config *cfg = l->cfg;
    vp_vm_type *t = &cfg->vm_types[i];
    if (check_type(l, o, path, JSON_OBJECT) ||
        check_keys(l, o, path, VM_TYPE_KEYS, COUNT_OF(VM_TYPE_KEYS)) ||
        get_name(l, o, path, "VM type", vp_config_vm_type, &t->name))
        return -1;
    cfg->n_vm_types++;
    if (get_res(l, o, path, 1u << VP_CPU | 1u << VP_MEM, &R_NONNEG, &t->size))
        return -1;
    return parse_domain_xml(l, o, path, t);
}

typedef int (*elem_fn)(loader *, json_t *, const char *, size_t);

/* Calls fn on every element of the array a (NULL: none) at path. */
static int each(loader *l, json_t *a, const char *path, elem_fn fn)
{
    char p[PATH_N];
    for (size_t i = 0; i < json_array_size(a); i++)
        if (fn(l, json_array_get(a, i), join_index(p, path, i), i))
            return -1;
    return 0;
}

/* host_types and vm_types, each optional. */
static int parse_types(loader *l, json_t *root)
{
    vp_config *cfg = l->cfg;
    json_t *ht, *vt;
    if (member(l, root, "", "host_types", JSON_ARRAY, false, &ht) ||
        member(l, root, "", "vm_types", JSON_ARRAY, false, &vt))
        return -1;
    cfg->host_types = calloc(json_array_size(ht) + 1, sizeof *cfg->host_types);
    cfg->vm_types = calloc(json_array_size(vt) + 1, sizeof *cfg->vm_types);
    if (!cfg->host_types || !cfg->vm_types)
        return oom(l);
    if (each(l, ht, "host_types", parse_host_type) || each(l, vt, "vm_types", parse_vm_type))
        return -1;
    return 0;
}

/* ---- hosts ---- */

static int grow_hosts(loader *l)
{
    if (l->cfg->n_hosts < l->host_cap)
        return 0;
    size_t cap = l->host_cap * 2 + 16;
    vp_host_conf *h = realloc(l->cfg->hosts, cap * sizeof *h);
    if (!h)
        return oom(l);
    l->cfg->hosts = h;
    l->host_cap = cap;
    return 0;
}

/* Appends a host, taking ownership of name; rejects a duplicate name
 * (reported at path.name, the entry's name pattern, or at the entry). */
static int add_host(loader *l, const char *path, char *name, int type, const char *uri)
{
    vp_config *cfg = l->cfg;
    name_entry *e = NULL;
    if (!name)
        return oom(l);
    HASH_FIND_STR(l->names, name, e);
    if (e || grow_hosts(l)) {
        if (e)
            fail(l, path, "name", AT_VALUE, "duplicate host name '%s'", name);
        free(name);
        return -1;
    }
    vp_host_conf *h = &cfg->hosts[cfg->n_hosts++];
    *h = (vp_host_conf){name, type, uri ? strdup(uri) : NULL};
    if ((uri && !h->uri) || !(e = calloc(1, sizeof *e)))
        return oom(l);
    e->name = name;
    HASH_ADD_KEYPTR(hh, l->names, name, strlen(name), e);
    return 0;
}

/* pattern with its first "%d" replaced by k. */
static char *expand(const char *pattern, size_t k)
{
    const char *d = strstr(pattern, "%d");
    size_t n = strlen(pattern) + 24;
    char *s = malloc(n);
    if (s && d)
        snprintf(s, n, "%.*s%zu%s", (int)(d - pattern), pattern, k, d + 2);
    else if (s)
        snprintf(s, n, "%s", pattern);
    return s;
}

static int unknown_type(loader *l, const char *path, const char *type)
{
    char list[VP_ERR_TEXT / 2] = "";
    for (size_t i = 0; i < l->cfg->n_host_types; i++)
        append(list, sizeof list, l->cfg->host_types[i].name);
    return fail(l, path, "type", AT_VALUE, "unknown host type '%s' (%s%s)", type,
                *list ? "defined: " : "no host_types defined", list);
}

/* count simulated hosts; host k has type types[k % n]; named from name
 * ("<type>-%d" if NULL, one type only). */
static int add_sim_hosts(loader *l, const char *path, const int *types, size_t n,
                         const char *name, size_t count)
{
    const char *type = l->cfg->host_types[types[0]].name;
    if (name && count > 1 && !strstr(name, "%d"))
        return fail(l, path, "name", AT_VALUE,
                    "name '%s' needs \"%%d\" (replaced by 0..%zu) when count > 1", name, count - 1);
    if (!name && n > 1)
        return missing(l, path, "name");
    size_t size = strlen(type) + 4;
    char *dflt = name ? NULL : malloc(size);
    if (!name && !dflt)
        return oom(l);
    if (dflt)
        snprintf(dflt, size, "%s-%%d", type);
    int rc = 0;
    for (size_t k = 0; k < count && !rc; k++)
        rc = add_host(l, path, expand(name ? name : dflt, k), types[k % n], NULL);
    free(dflt);
    return rc;
}

#define MAX_CYCLE 16

/* "type": a host type name, or an array of them that hosts cycle through
 * (host k of the entry gets types[k % n]).  *n = 0 when absent. */
static int get_types(loader *l, json_t *h, const char *path, int *types, size_t *n)
{
    json_t *t = json_object_get(h, "type");
    *n = 0;
    if (!t)
        return 0;
    bool many = json_is_array(t);
    size_t count = many ? json_array_size(t) : 1;
    if ((!many && !json_is_string(t)) || count == 0 || count > MAX_CYCLE)
        return fail(l, path, "type", AT_VALUE,
                    "expected a host type name or an array of 1..%d of them", MAX_CYCLE);
    for (size_t i = 0; i < count; i++) {
        json_t *e = many ? json_array_get(t, i) : t;
        if (!json_is_string(e))
            return fail(l, path, "type", AT_VALUE, "expected host type names (strings)");
        if ((types[i] = vp_config_host_type(l->cfg, json_string_value(e))) < 0)
            return unknown_type(l, path, json_string_value(e));
    }
    *n = count;
    return 0;
}

/* A test-driver URI relative to the config, "test:FILE.xml", as libvirt's
 * "test:///ABS/FILE.xml" into *out (malloc'd); other URIs are copied.
 * The file must exist. */
static int libvirt_uri(loader *l, const char *path, const char *uri, char **out)
{
    if (strncmp(uri, "test:", 5) != 0 || uri[5] == '/' || !uri[5])
        return (*out = strdup(uri)) ? 0 : oom(l);
    char *rel = resolve(l->base, uri + 5), *abs = rel ? realpath(rel, NULL) : NULL;
    int e = errno;
    if (!rel)
        return oom(l);
    if (!abs) {
        fail(l, path, "uri", AT_VALUE, "test-driver host file not found: %s (%s)", rel,
             strerror(e));
        return free(rel), -1;
    }
    size_t n = strlen(abs) + 8;
    if ((*out = malloc(n)))
        snprintf(*out, n, "test://%s", abs);
    free(rel);
    free(abs);
    return *out ? 0 : oom(l);
}

static int parse_host(loader *l, json_t *h, const char *path, size_t i)
{
    const char *name, *uri;
    double count = 1;
    int types[MAX_CYCLE];
    size_t ntypes;
    if (check_type(l, h, path, JSON_OBJECT) ||
        check_keys(l, h, path, HOST_KEYS, COUNT_OF(HOST_KEYS)) ||
        get_str(l, h, path, "name", false, &name) || get_types(l, h, path, types, &ntypes) ||
        get_str(l, h, path, "uri", false, &uri) ||
        get_num(l, h, path, "count", &R_COUNT, false, &count))
        return -1;
    bool type = ntypes > 0;
    if (type && uri)
        return fail(l, path, NULL, AT_VALUE,
                    "a host needs either 'type' (simulated) or 'uri' (libvirt), not both");
    if (!type && !uri)
        return fail(l, path, NULL, AT_VALUE, "a host needs 'type' (simulated) or 'uri' (libvirt)");
    if (i > 0 && l->cfg->simulated != type)
        return fail(l, path, NULL, AT_VALUE,
                    "%s host after %s ones: hosts must be all simulated ('type') or all "
                    "libvirt ('uri')", type ? "a simulated" : "a libvirt",
                    type ? "libvirt" : "simulated");
    l->cfg->simulated = type;
    if (type)
        return add_sim_hosts(l, path, types, ntypes, name, (size_t)count);
    if (json_object_get(h, "count"))
        return fail(l, path, "count", AT_KEY, "'count' is only for simulated hosts (with 'type')");
    char *full;
    if (!name)
        return missing(l, path, "name");
    if (libvirt_uri(l, path, uri, &full))
        return -1;
    int rc = add_host(l, path, strdup(name), -1, full);
    free(full);
    return rc;
}

/* hosts: required, at least one, expanded into cfg->hosts. */
static int parse_hosts(loader *l, json_t *root)
{
    json_t *a;
    if (member(l, root, "", "hosts", JSON_ARRAY, true, &a))
        return -1;
    if (json_array_size(a) == 0)
        return fail(l, "hosts", NULL, AT_VALUE, "expected at least one host, got []");
    return each(l, a, "hosts", parse_host);
}

/* ---- sections ---- */

static const char *const POLICY_KEYS[] = {"file", "params"};

/* "params": an object of numbers, strings and booleans, kept as JSON. */
static int get_params(loader *l, json_t *o, const char *path, char **out)
{
    json_t *p;
    const char *key;
    json_t *v;
    char at[PATH_N + 8];
    if (!json_object_get(o, "params"))
        return 0;
    if (member(l, o, path, "params", JSON_OBJECT, false, &p))
        return -1;
    snprintf(at, sizeof at, "%s.params", path);
    json_object_foreach(p, key, v)
        if (!json_is_number(v) && !json_is_string(v) && !json_is_boolean(v))
            return fail(l, at, key, AT_VALUE, "expected a number, string or boolean");
    if (!(*out = json_dumps(p, JSON_COMPACT)))
        return oom(l);
    return 0;
}

/* policies.<slot>: "file.lua", or {"file": "file.lua", "params": {...}}. */
static int parse_policy(loader *l, json_t *o, int s)
{
    char path[PATH_N];
    json_t *v = json_object_get(o, vp_slot_names[s]);
    if (!json_is_object(v))
        return get_path(l, o, "policies", vp_slot_names[s], false, "policy file",
                        &l->cfg->policy[s]);
    snprintf(path, sizeof path, "policies.%s", vp_slot_names[s]);
    if (check_keys(l, v, path, POLICY_KEYS, COUNT_OF(POLICY_KEYS)))
        return -1;
    if (!json_object_get(v, "file"))
        return missing(l, path, "file");
    return get_path(l, v, path, "file", false, "policy file", &l->cfg->policy[s]) ||
           get_params(l, v, path, &l->cfg->policy_params[s]);
}

static int parse_policies(loader *l, json_t *root)
{
    json_t *o;
    if (section(l, root, "policies", vp_slot_names, VP_SLOT_N, &o))
        return -1;
    if (!o)
        return 0;
    for (int s = 0; s < VP_SLOT_N; s++)
        if (parse_policy(l, o, s))
            return -1;
    return 0;
}

static int parse_intervals(loader *l, json_t *root)
{
    json_t *o;
    vp_config *cfg = l->cfg;
    if (section(l, root, "intervals", INTERVAL_KEYS, COUNT_OF(INTERVAL_KEYS), &o))
        return -1;
    if (!o)
        return 0;
    if (get_num(l, o, "intervals", "sample", &R_POSITIVE, false, &cfg->intervals.sample) ||
        get_num(l, o, "intervals", "balance", &R_POSITIVE, false, &cfg->intervals.balance) ||
        get_num(l, o, "intervals", "reservation", &R_POSITIVE, false,
                &cfg->intervals.reservation))
        return -1;
    return 0;
}

static int parse_limits(loader *l, json_t *root)
{
    json_t *o;
    vp_config *cfg = l->cfg;
    double per_host = cfg->limits.migrations_per_host, total = cfg->limits.migrations_total;
    double instr = (double)cfg->limits.policy_instructions;
    double mb = (double)cfg->limits.policy_memory_mb;
    double hist = cfg->limits.history_samples;
    double cands = (double)cfg->limits.placement_candidates;
    double bw = (double)cfg->limits.migration_bandwidth;
    if (section(l, root, "limits", LIMIT_KEYS, COUNT_OF(LIMIT_KEYS), &o))
        return -1;
    if (!o)
        return 0;
    if (get_num(l, o, "limits", "migrations_per_host", &R_NONNEG_INT, false, &per_host) ||
        get_num(l, o, "limits", "migrations_total", &R_NONNEG_INT, false, &total) ||
        get_num(l, o, "limits", "migration_bandwidth_share", &R_SHARE, false,
                &cfg->limits.migration_bandwidth_share) ||
        get_num(l, o, "limits", "policy_instructions", &R_INSTRUCTIONS, false, &instr) ||
        get_num(l, o, "limits", "policy_memory_mb", &R_MEGABYTES, false, &mb) ||
        get_num(l, o, "limits", "history_samples", &R_HISTORY, false, &hist) ||
        get_num(l, o, "limits", "placement_candidates", &R_NONNEG_INT, false, &cands) ||
        get_num(l, o, "limits", "shutdown_grace", &R_GRACE, false, &cfg->limits.shutdown_grace) ||
        get_num(l, o, "limits", "migration_bandwidth", &R_MIB_S, false, &bw) ||
        get_num(l, o, "limits", "migration_timeout", &R_TIMEOUT, false,
                &cfg->limits.migration_timeout) ||
        get_num(l, o, "limits", "migration_progress", &R_GRACE, false,
                &cfg->limits.migration_progress))
        return -1;
    cfg->limits.history_samples = (int)hist;
    cfg->limits.placement_candidates = (size_t)cands;
    cfg->limits.migration_bandwidth = (unsigned long long)bw;
    cfg->limits.migrations_per_host = (int)per_host;
    cfg->limits.migrations_total = (int)total;
    cfg->limits.policy_instructions = (long)instr;
    cfg->limits.policy_memory_mb = (long)mb;
    return 0;
}

/* simulation.<field>: one of the strings in names (NULL-terminated); *out
 * is its index, unchanged when absent. */
static int get_choice(loader *l, json_t *o, const char *field, const char *const *names,
                      int *out)
{
    const char *s;
    char list[160] = "";
    if (get_str(l, o, "simulation", field, false, &s))
        return -1;
    if (!s)
        return 0;
    for (int i = 0; names[i]; i++) {
        if (!strcmp(s, names[i]))
            return *out = i, 0;
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? (names[i + 1] ? ", " : " or ") : "",
                 names[i]);
    }
    return fail(l, "simulation", field, AT_VALUE, "expected %s, got \"%s\"", list, s);
}

static int parse_simulation(loader *l, json_t *root)
{
    json_t *o;
    vp_config *cfg = l->cfg;
    double max_vms = 0, replicate = 1;
    int rule = (int)cfg->sim.vm_types, model = (int)cfg->sim.model, energy = (int)cfg->sim.energy;
    if (section(l, root, "simulation", SIM_KEYS, COUNT_OF(SIM_KEYS), &o))
        return -1;
    if (!o)
        return 0;
    if (!json_object_get(o, "trace"))
        return missing(l, "simulation", "trace");
    if (get_path(l, o, "simulation", "trace", true, "trace folder", &cfg->sim.trace) ||
        get_path(l, o, "simulation", "order", false, "order file", &cfg->sim.order) ||
        get_num(l, o, "simulation", "duration", &R_POSITIVE, false, &cfg->sim.duration) ||
        get_num(l, o, "simulation", "step", &R_POSITIVE, false, &cfg->sim.step) ||
        get_choice(l, o, "vm_types", VM_TYPE_RULES, &rule) ||
        get_choice(l, o, "model", SIM_MODELS, &model) ||
        get_choice(l, o, "energy", SIM_ENERGY, &energy) ||
        get_num(l, o, "simulation", "max_vms", &R_NONNEG_INT, false, &max_vms) ||
        get_num(l, o, "simulation", "replicate", &R_REPLICATE, false, &replicate))
        return -1;
    cfg->sim.max_vms = (size_t)max_vms;
    cfg->sim.replicate = (size_t)replicate;
    cfg->sim.vm_types = (vp_vm_type_rule)rule;
    cfg->sim.model = (vp_sim_model)model;
    cfg->sim.energy = (vp_sim_energy)energy;
    return 0;
}

/* ---- api ---- */

/* s ("HOST:PORT" or "[V6]:PORT") split into host (64 bytes) and the port
 * text; *v6 when bracketed. */
static int split_listen(const char *s, char host[64], const char **port, bool *v6, vp_err *err)
{
    const char *close = s[0] == '[' ? strchr(s, ']') : NULL;
    const char *colon = close ? (close[1] == ':' ? close + 1 : NULL) : strrchr(s, ':');
    const char *h = close ? s + 1 : s, *h_end = close ? close : colon;
    *v6 = close != NULL;
    if (!colon || h_end == h || (size_t)(h_end - h) >= 64)
        return vp_err_set(err, "expected HOST:PORT (e.g. 127.0.0.1:5000 or [::1]:5000) or "
                               "\"none\", got \"%s\"", s);
    snprintf(host, 64, "%.*s", (int)(h_end - h), h);
    if (!*v6 && strchr(host, ':'))
        return vp_err_set(err, "an IPv6 address needs brackets: [%s]:PORT, got \"%s\"", host, s);
    *port = colon + 1;
    return 0;
}

/* host, an IPv6 address, into ip; *loopback for ::1 (or ::ffff:127.x). */
static int parse_v6(const char *host, char ip[VP_IP_LEN], bool *loopback, vp_err *err)
{
    struct in6_addr a;
    if (inet_pton(AF_INET6, host, &a) != 1)
        return vp_err_set(err, "expected an IPv6 address in brackets, got \"[%s]\"", host);
    inet_ntop(AF_INET6, &a, ip, VP_IP_LEN);
    *loopback = IN6_IS_ADDR_LOOPBACK(&a) || (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127);
    return 0;
}

/* host, an IPv4 address or localhost, into ip; *loopback for 127/8. */
static int parse_v4(const char *host, char ip[VP_IP_LEN], bool *loopback, vp_err *err)
{
    struct in_addr a;
    if (inet_pton(AF_INET, strcmp(host, "localhost") ? host : "127.0.0.1", &a) != 1)
        return vp_err_set(err, "expected an IPv4 address, localhost or [IPv6 address], got "
                               "\"%s\"", host);
    inet_ntop(AF_INET, &a, ip, VP_IP_LEN);
    *loopback = (ntohl(a.s_addr) >> 24) == 127;
    return 0;
}

int vp_listen_parse(const char *s, char ip[VP_IP_LEN], int *port, bool *loopback, vp_err *err)
{
    char host[64], *end;
    const char *ps = "";
    bool v6 = false;
    *port = -1;
    if (!strcmp(s, "none"))
        return 0;
    if (split_listen(s, host, &ps, &v6, err))
        return -1;
    long p = strtol(ps, &end, 10);
    if (!*ps || *end || p < 0 || p > 65535)
        return vp_err_set(err, "port must be 0..65535, got \"%s\"", ps);
    if (v6 ? parse_v6(host, ip, loopback, err) : parse_v4(host, ip, loopback, err))
        return -1;
    *port = (int)p;
    return 0;
}

int vp_listen_check(const char *listen, const char *token, vp_err *err)
{
    char ip[VP_IP_LEN];
    int port;
    bool loop = true;
    if (vp_listen_parse(listen, ip, &port, &loop, err))
        return -1;
    if (!loop && !token)
        return vp_err_set(err, "listening on %s (not loopback) needs a bearer token "
                               "(api.token)", listen);
    return 0;
}

/* api.decision_log: a file path (resolved against the config's folder)
 * in a folder that exists; not a folder itself. */
static int parse_decision_log(loader *l, json_t *o)
{
    const char *rel = NULL;
    struct stat st;
    if (get_str(l, o, "api", "decision_log", false, &rel))
        return -1;
    if (!rel)
        return 0;
    char *path = resolve(l->base, rel);
    if (!path)
        return oom(l);
    l->cfg->api.decision_log = path;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return fail(l, "api", "decision_log", AT_VALUE, "%s is a folder, not a file", path);
    char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return fail(l, "api", "decision_log", AT_VALUE, "folder not found: %s", dir);
    return 0;
}

static int parse_api(loader *l, json_t *root)
{
    json_t *o;
    vp_config *cfg = l->cfg;
    const char *listen = NULL, *token = NULL;
    vp_err e = {0};
    if (section(l, root, "api", API_KEYS, COUNT_OF(API_KEYS), &o))
        return -1;
    if (!o)
        return 0;
    if (get_str(l, o, "api", "listen", false, &listen) ||
        get_str(l, o, "api", "token", false, &token))
        return -1;
    if (vp_listen_check(listen ? listen : cfg->api.listen, token, &e))
        return fail(l, "api", listen ? "listen" : NULL, AT_VALUE, "%s", e.text);
    if (listen && (free(cfg->api.listen), !(cfg->api.listen = strdup(listen))))
        return oom(l);
    if (token && !(cfg->api.token = strdup(token)))
        return oom(l);
    const char *sock;
    if (get_str(l, o, "api", "unix_socket", false, &sock))
        return -1;
    if (sock && !(cfg->api.unix_socket = resolve(l->base, sock)))
        return oom(l);
    return parse_decision_log(l, o);
}

static int parse_root(loader *l, json_t *root)
{
    if (check_type(l, root, "", JSON_OBJECT) ||
        check_keys(l, root, "", ROOT_KEYS, COUNT_OF(ROOT_KEYS)) ||
        parse_types(l, root) || parse_hosts(l, root) || parse_policies(l, root) ||
        parse_intervals(l, root) || parse_limits(l, root) || parse_simulation(l, root) ||
        parse_api(l, root))
        return -1;
    return 0;
}

/* ---- loading ---- */

static vp_config *new_config(const char *source)
{
    vp_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->path = strdup(source)) || !(cfg->api.listen = strdup("127.0.0.1:5000"))) {
        if (cfg)
            free(cfg->path);
        free(cfg);
        return NULL;
    }
    cfg->intervals.sample = cfg->intervals.balance = cfg->intervals.reservation = 300;
    cfg->limits.migrations_per_host = 2;
    cfg->limits.migration_bandwidth_share = 0.5;
    cfg->limits.policy_instructions = 10000000;
    cfg->limits.policy_memory_mb = 64;
    cfg->limits.history_samples = 30;
    cfg->limits.shutdown_grace = 60;
    cfg->limits.migration_bandwidth = 1024;
    cfg->limits.migration_timeout = 600;
    cfg->sim.step = 300;
    cfg->sim.replicate = 1;
    cfg->sim.vm_types = VP_VMTYPES_BLOCKS;
    return cfg;
}

static vp_config *load(const char *text, size_t len, const char *source, const char *base,
                       vp_err *err)
{
    json_error_t je;
    vp_err_clear(err);
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        vp_err_set(err, "invalid JSON: %s", je.text);
        vp_err_at(err, source, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0, NULL);
        return NULL;
    }
    loader l = {text, len, source, base, err, new_config(source), 0, NULL};
    int rc = l.cfg ? parse_root(&l, root) : oom(&l);
    json_decref(root);
    name_entry *e, *tmp;
    HASH_ITER(hh, l.names, e, tmp) {
        HASH_DEL(l.names, e);
        free(e);
    }
    if (rc) {
        vp_config_free(l.cfg);
        return NULL;
    }
    return l.cfg;
}

/* The whole file into *out, NUL-terminated after its *len bytes: 0, or
 * an errno (*out NULL). */
static int slurp(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    int e = f ? 0 : errno;
    for (*len = 0; f && !e;) {
        char *nb = *len + 1 < cap ? buf : realloc(buf, cap = cap * 2 + 4096);
        if (!nb) {
            e = ENOMEM;
            break;
        }
        buf = nb;
        errno = 0;
        size_t got = fread(buf + *len, 1, cap - *len - 1, f);
        *len += got;
        if (got == 0) {
            e = ferror(f) ? (errno ? errno : EIO) : 0;
            break;
        }
    }
    if (f)
        fclose(f);
    if (!e)
        buf[*len] = '\0';
    else
        free(buf);
    *out = e ? NULL : buf;
    return e;
}

/* The whole file; NULL with err (source = path, text with strerror). */
static char *read_file(const char *path, size_t *len, vp_err *err)
{
    char *buf;
    int e = slurp(path, &buf, len);
    if (!e)
        return buf;
    vp_err_set(err, "cannot read config file: %s", strerror(e));
    vp_err_at(err, path, 0, 0, NULL);
    return NULL;
}

/* The directory of path, made absolute with the working directory. */
static char *dir_of(const char *path)
{
    char cwd[4096];
    const char *slash = strrchr(path, '/');
    const char *base = path[0] != '/' && getcwd(cwd, sizeof cwd) ? cwd : "";
    int n = slash ? (int)(slash - path) : 0;
    size_t size = strlen(base) + (size_t)n + 3;
    char *dir = malloc(size);
    if (dir)
        snprintf(dir, size, "%s%s%.*s", base, *base && n ? "/" : "", n, path);
    if (dir && !*dir)
        strcpy(dir, path[0] == '/' ? "/" : ".");
    return dir;
}

vp_config *vp_config_load(const char *path, vp_err *err)
{
    size_t len;
    char *text = read_file(path, &len, err);
    if (!text)
        return NULL;
    char *dir = dir_of(path);
    vp_config *cfg = dir ? load(text, len, path, dir, err) : NULL;
    if (!dir) {
        vp_err_set(err, "out of memory");
        vp_err_at(err, path, 0, 0, NULL);
    }
    free(dir);
    free(text);
    return cfg;
}

vp_config *vp_config_load_string(const char *text, const char *source, const char *base_dir,
                                 vp_err *err)
{
    return load(text, strlen(text), source ? source : "<string>", base_dir, err);
}

void vp_config_free(vp_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_host_types; i++)
        free(cfg->host_types[i].name);
    for (size_t i = 0; i < cfg->n_vm_types; i++) {
        free(cfg->vm_types[i].name);
        free(cfg->vm_types[i].domain_xml);
        free(cfg->vm_types[i].domain_xml_text);
    }
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        free(cfg->hosts[i].name);
        free(cfg->hosts[i].uri);
    }
    for (int s = 0; s < VP_SLOT_N; s++) {
        free(cfg->policy[s]);
        free(cfg->policy_params[s]);
    }
    free(cfg->host_types);
    free(cfg->vm_types);
    free(cfg->hosts);
    free(cfg->sim.trace);
    free(cfg->sim.order);
    free(cfg->api.listen);
    free(cfg->api.unix_socket);
    free(cfg->api.token);
    free(cfg->api.decision_log);
    free(cfg->path);
    free(cfg);
}

int vp_config_host_type(const vp_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_host_types; i++)
        if (cfg->host_types[i].name && !strcmp(cfg->host_types[i].name, name))
            return (int)i;
    return -1;
}

int vp_config_vm_type(const vp_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_vm_types; i++)
        if (cfg->vm_types[i].name && !strcmp(cfg->vm_types[i].name, name))
            return (int)i;
    return -1;
}
