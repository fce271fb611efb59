/*
 * cli_client.c - the `vmpilot` commands that talk to a running serve's
 * control API: vm list|create|delete|migrate, host list|drain|undrain,
 * migration list|abort, policy status, decisions.
 *
 * Provides: vp_cli_vm, vp_cli_host, vp_cli_migration, vp_cli_policy_status,
 * vp_cli_decisions
 * (cli.h).  Human-readable tables by default, the API's JSON with --json.
 * The server is --api URL, else $VMPILOT_API, else http://127.0.0.1:5000;
 * the bearer token --token, else $VMPILOT_TOKEN.  An error answer is
 * printed as "vmpilot: HTTP STATUS: error: detail" (exit 1).
 * Uses: cli.h, libcurl (the HTTP client), jansson, docs/api.md's routes.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char client_usage[] =
    "usage: vmpilot vm list [--state S] [--host H]\n"
    "       vmpilot vm create NAME (--vcpus N --memory MIB | --template T)\n"
    "       vmpilot vm delete NAME\n"
    "       vmpilot vm migrate NAME [--to HOST]   (no --to: the placement policy chooses)\n"
    "       vmpilot host list\n"
    "       vmpilot host drain|undrain NAME\n"
    "       vmpilot migration list\n"
    "       vmpilot migration abort VM   (a waiting one is withdrawn, a running one aborted)\n"
    "       vmpilot policy status\n"
    "       vmpilot policy reload   (or, by signal: --pid-file FILE | --pid PID)\n"
    "       vmpilot decisions [--slot S] [--vm V] [--event E] [--limit N]\n"
    "\n"
    "Talk to a running `vmpilot serve` through its control API (docs/api.md).\n"
    "\n"
    "options (every command):\n"
    "  --api URL      the server (default: $VMPILOT_API, else http://127.0.0.1:5000)\n"
    "  --token TOKEN  bearer token (default: $VMPILOT_TOKEN)\n"
    "  --json         print the API's JSON answer instead of a table\n"
    "  -h, --help     this text\n"
    "exit codes: 0 success, 1 the server could not be reached or refused the\n"
    "            request, 2 usage error\n";

/* Command-line options of every client command. */
typedef struct opts {
    const char *api, *token;
    bool json;
    const char *vcpus, *memory, *template, *to;
    const char *state, *host, *slot, *vm, *event, *limit;
} opts;

/* ====== HTTP ====== */

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    return fwrite(p, size, n, ud) * size;
}

/* method base+path with an optional JSON body; *status and the body
 * (malloc'd) on an answer, -1 with a message printed if none came. */
static int perform(const opts *o, const char *method, const char *path, const char *body,
                   long *status, char **answer)
{
    size_t len = 0;
    char url[2048], auth[1024];
    FILE *f = open_memstream(answer, &len);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(url, sizeof url, "%s%s", o->api, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token ? o->token : "");
    if (o->token)
        h = curl_slist_append(h, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    fclose(f);
    if (rc == CURLE_OK)
        return 0;
    fprintf(stderr, "vmpilot: %s: %s\n", url, curl_easy_strerror(rc));
    return free(*answer), *answer = NULL, -1;
}

/* Calls the API; the decoded answer, or NULL after printing the error
 * (a refused request, an unreachable server or an answer that is not
 * JSON).  With --json a successful answer is printed as it came. */
static json_t *call(const opts *o, const char *method, const char *path, const char *body)
{
    long status = 0;
    char *text = NULL;
    if (perform(o, method, path, body, &status, &text))
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    if (status >= 200 && status < 300 && j && o->json)
        fputs(text, stdout);
    if (!j)
        fprintf(stderr, "vmpilot: HTTP %ld: the answer is not JSON\n", status);
    else if (status < 200 || status >= 300) {
        fprintf(stderr, "vmpilot: HTTP %ld: %s: %s\n", status,
                json_string_value(json_object_get(j, "error")),
                json_string_value(json_object_get(j, "detail")));
        json_decref(j);
        j = NULL;
    }
    free(text);
    return j;
}

/* ====== tables ====== */

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

static double num(json_t *o, const char *key, const char *res)
{
    return json_number_value(json_object_get(json_object_get(o, key), res));
}

static void print_vms(json_t *j)
{
    size_t i;
    json_t *v;
    printf("%-24s %-10s %-16s %6s %10s\n", "NAME", "STATE", "HOST", "CPU", "MEMORY_MIB");
    json_array_foreach(json_object_get(j, "vms"), i, v)
        printf("%-24s %-10s %-16s %6g %10g\n", str(v, "name"), str(v, "state"), str(v, "host"),
               num(v, "size", "cpu"), num(v, "size", "memory"));
}

static void print_hosts(json_t *j)
{
    size_t i;
    json_t *h;
    printf("%-16s %-9s %13s %21s %4s\n", "NAME", "STATE", "CPU_USED/MAX", "MEMORY_MIB_USED/MAX",
           "VMS");
    json_array_foreach(json_object_get(j, "hosts"), i, h)
        printf("%-16s %-9s %6g/%-6g %10g/%-10g %4zu\n", str(h, "name"), str(h, "state"),
               num(h, "used", "cpu"), num(h, "limit", "cpu"), num(h, "used", "memory"),
               num(h, "limit", "memory"), json_array_size(json_object_get(h, "vms")));
}

/* A table of string columns: a header, then one row per element of
 * rows; each column padded to its width but the last. */
typedef struct text_col {
    const char *header, *key;
    int width;
} text_col;

static void print_cell(const text_col *col, bool last, const char *text)
{
    if (last)
        printf("%s\n", text);
    else
        printf("%-*s ", col->width, text);
}

static void print_text_table(json_t *rows, const text_col *cols, size_t n)
{
    size_t i;
    json_t *r;
    for (size_t c = 0; c < n; c++)
        print_cell(&cols[c], c + 1 == n, cols[c].header);
    json_array_foreach(rows, i, r)
        for (size_t c = 0; c < n; c++)
            print_cell(&cols[c], c + 1 == n, str(r, cols[c].key));
}

static void print_migrations(json_t *j)
{
    static const text_col cols[] = {{"VM", "vm", 24},       {"FROM", "from", 16},
                                    {"TO", "to", 16},       {"STATE", "state", 8},
                                    {"WHY", "why", 0}};
    print_text_table(json_object_get(j, "migrations"), cols, sizeof cols / sizeof cols[0]);
}

static void print_policies(json_t *j)
{
    size_t i;
    json_t *p;
    printf("%-12s %-16s %-17s %8s %7s  %s\n", "SLOT", "POLICY", "VERSION", "CALLS", "ERRORS",
           "LAST_ERROR");
    json_array_foreach(json_object_get(j, "policies"), i, p)
        printf("%-12s %-16s %-17s %8lld %7lld  %s\n", str(p, "slot"), str(p, "name"),
               str(p, "version"), (long long)json_integer_value(json_object_get(p, "calls")),
               (long long)json_integer_value(json_object_get(p, "errors")), str(p, "last_error"));
}

static void print_decisions(json_t *j)
{
    size_t i;
    json_t *d;
    printf("%6s %-19s %-12s %-16s %-12s %s\n", "SEQ", "EVENT", "SLOT", "VM", "HOST", "REASON");
    json_array_foreach(json_object_get(j, "decisions"), i, d)
        printf("%6lld %-19s %-12s %-16s %-12s %s\n",
               (long long)json_integer_value(json_object_get(d, "seq")), str(d, "event"),
               str(d, "slot"),
               str(d, "vm"), str(d, "host"), str(d, "reason"));
}

/* ====== options ====== */

/* Parses the options into *o; the index of the first operand, or -1
 * after a usage error was printed. */
static int parse(int argc, char **argv, opts *o)
{
    static const struct option longs[] = {
        {"api", 1, 0, 'a'},    {"token", 1, 0, 't'},  {"json", 0, 0, 'j'},
        {"vcpus", 1, 0, 'c'},  {"memory", 1, 0, 'm'}, {"template", 1, 0, 'T'},
        {"to", 1, 0, 'o'},     {"state", 1, 0, 's'},  {"host", 1, 0, 'H'},
        {"slot", 1, 0, 'S'},   {"vm", 1, 0, 'v'},     {"event", 1, 0, 'e'},
        {"limit", 1, 0, 'l'},  {0, 0, 0, 0}};
    const char **slot[128] = {['a'] = &o->api, ['t'] = &o->token, ['c'] = &o->vcpus,
                              ['m'] = &o->memory, ['T'] = &o->template, ['o'] = &o->to,
                              ['s'] = &o->state, ['H'] = &o->host, ['S'] = &o->slot,
                              ['v'] = &o->vm, ['e'] = &o->event, ['l'] = &o->limit};
    int c;
    o->api = getenv("VMPILOT_API") ? getenv("VMPILOT_API") : "http://127.0.0.1:5000";
    o->token = getenv("VMPILOT_TOKEN");
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'j')
            o->json = true;
        else if (c > 0 && c < 128 && slot[c])
            *slot[c] = optarg;
        else
            return vp_cli_usage_error(client_usage, "unknown or incomplete option '%s'",
                                      argv[optind - 1]), -1;
    }
    return optind;
}

/* "?k=v&k=v" of the filters given (values are plain names), into q. */
static void query(char *q, size_t len, const char *const *kv, size_t n)
{
    size_t used = 0;
    q[0] = '\0';
    for (size_t i = 0; i + 1 < n; i += 2) {
        char *e = kv[i + 1] ? curl_easy_escape(NULL, kv[i + 1], 0) : NULL;
        if (e && used < len)
            used += (size_t)snprintf(q + used, len - used, "%c%s=%s", used ? '&' : '?', kv[i], e);
        curl_free(e);
    }
}

/* Prints with fn unless --json (already printed); exit code. */
static int show(const opts *o, json_t *j, void (*fn)(json_t *))
{
    if (!j)
        return VP_EXIT_RUNTIME;
    if (!o->json)
        fn(j);
    json_decref(j);
    return VP_EXIT_OK;
}

/* Prints a one-line summary unless --json; exit code. */
static int done(const opts *o, json_t *j, const char *fmt, const char *a, const char *b)
{
    if (!j)
        return VP_EXIT_RUNTIME;
    if (!o->json) {
        printf(fmt, a, b);
        putchar('\n');
    }
    json_decref(j);
    return VP_EXIT_OK;
}

/* ====== commands ====== */

static int vm_create(const opts *o, const char *name)
{
    json_t *b = json_pack("{s:s}", "name", name);
    if (o->template)
        json_object_set_new(b, "template", json_string(o->template));
    if (o->vcpus)
        json_object_set_new(b, "vcpus", json_integer(strtoll(o->vcpus, NULL, 10)));
    if (o->memory)
        json_object_set_new(b, "memory", json_real(strtod(o->memory, NULL)));
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    json_t *j = call(o, "POST", "/v1/vms", body);
    free(body);
    return done(o, j, "created %s on %s", name, j ? str(j, "host") : "");
}

static int vm_command(const opts *o, const char *verb, const char *name)
{
    char path[640], body[512];
    if (!strcmp(verb, "list") && !name) {
        const char *kv[] = {"state", o->state, "host", o->host};
        query(body, sizeof body, kv, 4);
        snprintf(path, sizeof path, "/v1/vms%s", body);
        return show(o, call(o, "GET", path, NULL), print_vms);
    }
    if (!name)
        return vp_cli_usage_error(client_usage, "vm %s needs a NAME", verb);
    if (!strcmp(verb, "create"))
        return vm_create(o, name);
    snprintf(path, sizeof path, "/v1/vms/%s%s", name, strcmp(verb, "migrate") ? "" : "/migrate");
    if (!strcmp(verb, "delete"))
        return done(o, call(o, "DELETE", path, NULL), "deleted %s%s", name, "");
    if (strcmp(verb, "migrate"))
        return vp_cli_usage_error(client_usage, "unknown vm command '%s'", verb);
    json_t *b = o->to ? json_pack("{s:s}", "to", o->to) : json_object();
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    json_t *j = call(o, "POST", path, s);
    free(s);
    return done(o, j, "migration of %s to %s accepted", name, j ? str(j, "to") : "");
}

static int host_command(const opts *o, const char *verb, const char *name)
{
    char path[512];
    if (!strcmp(verb, "list") && !name)
        return show(o, call(o, "GET", "/v1/hosts", NULL), print_hosts);
    if (strcmp(verb, "drain") && strcmp(verb, "undrain"))
        return vp_cli_usage_error(client_usage, "unknown host command '%s'", verb);
    if (!name)
        return vp_cli_usage_error(client_usage, "host %s needs a NAME", verb);
    snprintf(path, sizeof path, "/v1/hosts/%s/%s", name, verb);
    json_t *j = call(o, "POST", path, NULL);
    return done(o, j, "%s is %s", name, j ? str(j, "state") : "");
}

static int migration_command(const opts *o, const char *verb, const char *name)
{
    char path[512];
    if (!strcmp(verb, "list") && !name)
        return show(o, call(o, "GET", "/v1/migrations", NULL), print_migrations);
    if (strcmp(verb, "abort"))
        return vp_cli_usage_error(client_usage, "unknown migration command '%s'", verb);
    if (!name)
        return vp_cli_usage_error(client_usage, "%s", "migration abort needs a VM");
    snprintf(path, sizeof path, "/v1/migrations/%s", name);
    json_t *j = call(o, "DELETE", path, NULL);
    return done(o, j, "migration of %s: %s", name, j ? str(j, "status") : "");
}

/* argv[0] is the noun ("vm", "host", "migration"), argv[1] the verb. */
static int noun_command(int argc, char **argv, int (*fn)(const opts *, const char *,
                                                         const char *))
{
    opts o = {0};
    if (vp_cli_wants_help(argc, argv))
        return fputs(client_usage, stdout), VP_EXIT_OK;
    int i = parse(argc, argv, &o);
    if (i < 0)
        return VP_EXIT_USAGE;
    if (argc - i < 1 || argc - i > 2)
        return vp_cli_usage_error(client_usage, "%s", "expected a command and at most one NAME");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = fn(&o, argv[i], argc - i == 2 ? argv[i + 1] : NULL);
    curl_global_cleanup();
    return rc;
}

int vp_cli_vm(int argc, char **argv) { return noun_command(argc, argv, vm_command); }
int vp_cli_host(int argc, char **argv) { return noun_command(argc, argv, host_command); }
int vp_cli_migration(int argc, char **argv)
{
    return noun_command(argc, argv, migration_command);
}

/* A command with options but no operands: -1 when o is ready, else the
 * exit code (help printed, or a usage error). */
static int options_only(int argc, char **argv, opts *o)
{
    if (vp_cli_wants_help(argc, argv))
        return fputs(client_usage, stdout), VP_EXIT_OK;
    int i = parse(argc, argv, o);
    if (i < 0)
        return VP_EXIT_USAGE;
    if (i != argc)
        return vp_cli_usage_error(client_usage, "unexpected argument '%s'", argv[i]);
    return -1;
}

/* "policy status" and "decisions": no operands. */
static int simple_command(int argc, char **argv, const char *path, bool filters,
                          void (*fn)(json_t *))
{
    opts o = {0};
    char q[512], full[640];
    int done = options_only(argc, argv, &o);
    if (done >= 0)
        return done;
    const char *kv[] = {"slot", o.slot, "vm", o.vm, "event", o.event, "limit", o.limit};
    query(q, sizeof q, kv, filters ? 8 : 0);
    snprintf(full, sizeof full, "%s%s", path, q);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = show(&o, call(&o, "GET", full, NULL), fn);
    curl_global_cleanup();
    return rc;
}

int vp_cli_policy_status(int argc, char **argv)
{
    return simple_command(argc, argv, "/v1/policies", false, print_policies);
}

static void print_reload(json_t *j)
{
    static const text_col cols[] = {{"SLOT", "slot", 12},          {"POLICY", "name", 16},
                                    {"VERSION", "version", 17},    {"OUTCOME", "outcome", 10},
                                    {"ERROR", "error", 0}};
    print_text_table(json_object_get(j, "results"), cols, sizeof cols / sizeof cols[0]);
}

/* POST /v1/policies/reload: 200 every slot fine, 422 one refused (its
 * running version stays; exit code 3, as for an invalid script). */
int vp_cli_policy_reload(int argc, char **argv)
{
    opts o = {0};
    long status = 0;
    char *text = NULL;
    int done = options_only(argc, argv, &o);
    if (done >= 0)
        return done;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = perform(&o, "POST", "/v1/policies/reload", NULL, &status, &text);
    curl_global_cleanup();
    json_t *j = rc ? NULL : json_loads(text, 0, NULL);
    if (!rc && (!j || (status != 200 && status != 422)))
        fprintf(stderr, "vmpilot: HTTP %ld: unexpected answer to a reload\n", status);
    if (j && (status == 200 || status == 422))
        o.json ? (void)fputs(text, stdout) : print_reload(j);
    rc = !j || (status != 200 && status != 422) ? VP_EXIT_RUNTIME
         : status == 422                        ? VP_EXIT_CONFIG : VP_EXIT_OK;
    json_decref(j);
    free(text);
    return rc;
}

int vp_cli_decisions(int argc, char **argv)
{
    return simple_command(argc, argv, "/v1/decisions", true, print_decisions);
}
