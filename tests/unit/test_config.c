/*
 * test_config.c - unit tests for config.c and json_locate.c.
 *
 * A full config read back field by field (from a file, so relative paths
 * resolve against its directory), the defaults, libvirt hosts, then one
 * test per kind of error, each asserting the whole formatted location
 * "source:line:column: field 'path': " followed by the explanation.
 * Fixtures live in tests/data/config/.
 */
#include "check.h"
#include "config.h"
#include "json_locate.h"

#include <stdlib.h>
#include <unistd.h>

#define DATA VP_TEST_DATA "/config"
#define SRC "bad.json"

/* A libvirt host, so configs that test something else need no types. */
#define ONE_HOST "  \"hosts\": [{\"uri\": \"qemu:///system\", \"name\": \"k\"}],\n"

/* ---- helpers ---- */

/* Loads text (named SRC, relative paths against DATA) expecting failure
 * with an error that reads "SRC:line:column: field 'field': what..."
 * (no field part when field is NULL). */
static void expect_error_at(int from, const char *text, int line, int column, const char *field,
                            const char *what)
{
    vp_err err;
    char buf[1024], want[1024];
    int before = check_failures;
    vp_config *cfg = vp_config_load_string(text, SRC, DATA, &err);
    CHECK(cfg == NULL);
    vp_config_free(cfg);
    vp_err_format(&err, buf, sizeof buf);
    int n = snprintf(want, sizeof want, SRC ":%d:", line);
    if (column > 0)
        n += snprintf(want + n, sizeof want - (size_t)n, "%d:", column);
    if (field)
        n += snprintf(want + n, sizeof want - (size_t)n, " field '%s':", field);
    snprintf(want + n, sizeof want - (size_t)n, " %s", what);
    CHECK_STR_HAS(buf, want);
    if (check_failures > before)
        fprintf(stderr, "  (expected error from %s:%d)\n", __FILE__, from);
}

#define EXPECT_ERROR(text, line, column, field, what) \
    expect_error_at(__LINE__, text, line, column, field, what)

/* ---- json_locate ---- */

static void test_locate(void)
{
    const char *t = "{\n"
                    "  \"s\": \"a]}\\\"{[\",\n"
                    "  \"\xc3\xa9\": 1, \"y\": [1, {\"z\": true}, \"x\"],\n"
                    "  \"k\\\"q\": null\n"
                    "}\n";
    size_t n = strlen(t);
    int line = -7, col = -7;
    CHECK_EQ_INT(vp_json_locate(t, n, "", NULL, false, &line, &col), 0);
    CHECK(line == 1 && col == 1);
    CHECK_EQ_INT(vp_json_locate(t, n, "s", NULL, false, &line, &col), 0);
    CHECK(line == 2 && col == 8);
    CHECK_EQ_INT(vp_json_locate(t, n, "y[1].z", NULL, false, &line, &col), 0);
    CHECK(line == 3 && col == 26); /* the two-byte character counts once */
    CHECK_EQ_INT(vp_json_locate(t, n, "y[2]", NULL, false, &line, &col), 0);
    CHECK(line == 3 && col == 33);
    CHECK_EQ_INT(vp_json_locate(t, n, "y", "z", false, &line, &col), -1); /* not an object */
    CHECK_EQ_INT(vp_json_locate(t, n, "y[1]", "z", true, &line, &col), 0);
    CHECK(line == 3 && col == 21);
    CHECK_EQ_INT(vp_json_locate(t, n, NULL, "k\"q", true, &line, &col), 0);
    CHECK(line == 4 && col == 3);
    CHECK_EQ_INT(vp_json_locate(t, n, NULL, "k\"q", false, &line, &col), 0);
    CHECK(line == 4 && col == 11);
    line = col = -7;
    CHECK_EQ_INT(vp_json_locate(t, n, "y[3]", NULL, false, &line, &col), -1);
    CHECK_EQ_INT(vp_json_locate(t, n, "nope", NULL, false, &line, &col), -1);
    CHECK_EQ_INT(vp_json_locate(t, n, "y[x]", NULL, false, &line, &col), -1);
    CHECK_EQ_INT(vp_json_locate(t, n, "", "k", true, &line, &col), -1);
    CHECK(line == -7 && col == -7); /* untouched on failure */
}

/* ---- valid configs ---- */

static void check_full(const vp_config *cfg)
{
    static const char *const names[] = {"g4-0", "g4-1", "g4-2", "ml110-g5-0", "ml110-g5-1",
                                        "spare"};
    CHECK_EQ_INT(cfg->n_host_types, 2);
    const vp_host_type *g4 = &cfg->host_types[0], *g5 = &cfg->host_types[1];
    CHECK(!strcmp(g4->name, "ml110-g4") && !strcmp(g5->name, "ml110-g5"));
    CHECK_NEAR(g4->capacity.v[VP_CPU], 3720, 0);
    CHECK_NEAR(g4->capacity.v[VP_MEM], 4096, 0);
    CHECK_NEAR(g4->capacity.v[VP_DISK], 0, 0);
    CHECK_NEAR(g4->capacity.v[VP_NET], 0, 0);
    CHECK_NEAR(g5->capacity.v[VP_DISK], 100, 0);
    CHECK_NEAR(g5->capacity.v[VP_NET], 1000, 0);
    CHECK_EQ_INT(g4->cores, 2);
    for (int i = 0; i < VP_RES_N; i++)
        CHECK_NEAR(g4->overcommit.v[i], 1.0, 0);
    CHECK_NEAR(g5->overcommit.v[VP_CPU], 1.5, 0);
    CHECK_NEAR(g5->overcommit.v[VP_MEM], 1.25, 0);
    CHECK_NEAR(g5->overcommit.v[VP_DISK], 1.0, 0);
    CHECK(g4->has_power && g5->has_power);
    CHECK_NEAR(g4->power[0], 86, 0);
    CHECK_NEAR(g4->power[1], 89.4, 1e-12);
    CHECK_NEAR(g5->power[10], 135, 0);
    CHECK_EQ_INT(cfg->n_hosts, 6);
    for (size_t i = 0; i < cfg->n_hosts && i < 6; i++) {
        CHECK_STR_HAS(cfg->hosts[i].name, names[i]);
        CHECK_EQ_INT(strlen(cfg->hosts[i].name), strlen(names[i]));
        CHECK_EQ_INT(cfg->hosts[i].type, i < 3 ? 0 : 1);
        CHECK(cfg->hosts[i].uri == NULL);
    }
    CHECK(cfg->simulated);
}

static void check_full_rest(const vp_config *cfg)
{
    CHECK_EQ_INT(cfg->n_vm_types, 2);
    CHECK(!strcmp(cfg->vm_types[1].name, "small"));
    CHECK_NEAR(cfg->vm_types[0].size.v[VP_CPU], 2500, 0);
    CHECK_NEAR(cfg->vm_types[0].size.v[VP_MEM], 870, 0);
    CHECK_NEAR(cfg->vm_types[0].size.v[VP_DISK], 0, 0);
    CHECK_NEAR(cfg->vm_types[1].size.v[VP_DISK], 1, 0);
    CHECK_NEAR(cfg->vm_types[1].size.v[VP_NET], 10, 0);
    CHECK(cfg->policy[VP_SLOT_BALANCE] == NULL && cfg->policy[VP_SLOT_RESERVATION] == NULL);
    CHECK_NEAR(cfg->intervals.sample, 60, 0);
    CHECK_NEAR(cfg->intervals.balance, 600, 0);
    CHECK_NEAR(cfg->intervals.reservation, 120, 0);
    CHECK_EQ_INT(cfg->limits.migrations_per_host, 1);
    CHECK_EQ_INT(cfg->limits.migrations_total, 10);
    CHECK_NEAR(cfg->limits.migration_bandwidth_share, 0.25, 0);
    CHECK_EQ_INT(cfg->limits.policy_instructions, 5000000);
    CHECK_EQ_INT(cfg->limits.policy_memory_mb, 32);
    CHECK_NEAR(cfg->sim.duration, 86400, 0);
    CHECK_NEAR(cfg->sim.step, 150, 0);
    CHECK(cfg->sim.vm_types == VP_VMTYPES_ROUND_ROBIN);
    CHECK_EQ_INT(cfg->sim.max_vms, 50);
    CHECK_EQ_INT(vp_config_host_type(cfg, "ml110-g5"), 1);
    CHECK_EQ_INT(vp_config_host_type(cfg, "small"), -1);
    CHECK_EQ_INT(vp_config_vm_type(cfg, "small"), 1);
    CHECK_EQ_INT(vp_config_vm_type(cfg, "ml110-g5"), -1);
}

static void test_full_file(void)
{
    vp_err err;
    vp_config *cfg = vp_config_load(DATA "/valid.json", &err);
    CHECK(cfg != NULL);
    if (!cfg) {
        char buf[1024];
        fprintf(stderr, "  %s\n", vp_err_format(&err, buf, sizeof buf));
        return;
    }
    CHECK(!strcmp(cfg->path, DATA "/valid.json"));
    check_full(cfg);
    check_full_rest(cfg);
    /* relative paths resolved against the config file's directory */
    CHECK(!strcmp(cfg->policy[VP_SLOT_PLACEMENT], DATA "/policy.lua"));
    CHECK(!strcmp(cfg->policy[VP_SLOT_MIGRATION], DATA "/policy.lua"));
    CHECK(!strcmp(cfg->sim.trace, DATA "/trace"));
    CHECK(!strcmp(cfg->sim.order, DATA "/trace.order"));
    vp_config_free(cfg);
}

/* A relative config path is resolved against the working directory, so
 * the paths inside still come out absolute. */
static void test_relative_file(void)
{
    char cwd[4096], want[4200];
    vp_err err;
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_EQ_INT(chdir(VP_TEST_DATA), 0);
    vp_config *cfg = vp_config_load("config/valid.json", &err);
    char here[4096];
    CHECK(getcwd(here, sizeof here) != NULL);
    CHECK_EQ_INT(chdir(cwd), 0);
    CHECK(cfg != NULL);
    if (!cfg)
        return;
    snprintf(want, sizeof want, "%s/config/trace", here);
    CHECK(!strcmp(cfg->sim.trace, want));
    CHECK(cfg->policy[VP_SLOT_PLACEMENT][0] == '/');
    CHECK(!strcmp(cfg->path, "config/valid.json"));
    vp_config_free(cfg);
}

static void test_defaults(void)
{
    const char *text = "{\n"
                       "  \"host_types\": [{\"name\": \"g5\", \"cpu\": 5320, \"memory\": 4096}],\n"
                       "  \"hosts\": [{\"type\": \"g5\"}, {\"type\": \"g5\", \"name\": \"x\"}]\n"
                       "}\n";
    vp_err err;
    vp_config *cfg = vp_config_load_string(text, "defaults.json", NULL, &err);
    CHECK(cfg != NULL);
    if (!cfg)
        return;
    CHECK(!strcmp(cfg->path, "defaults.json"));
    CHECK_EQ_INT(cfg->host_types[0].cores, 1);
    CHECK(!cfg->host_types[0].has_power);
    for (int i = 0; i < VP_RES_N; i++)
        CHECK_NEAR(cfg->host_types[0].overcommit.v[i], 1.0, 0);
    CHECK_EQ_INT(cfg->n_hosts, 2);
    CHECK(!strcmp(cfg->hosts[0].name, "g5-0")); /* default name "<type>-%d" */
    CHECK(!strcmp(cfg->hosts[1].name, "x"));
    CHECK(cfg->simulated);
    CHECK_EQ_INT(cfg->n_vm_types, 0);
    for (int s = 0; s < VP_SLOT_N; s++)
        CHECK(cfg->policy[s] == NULL);
    CHECK_NEAR(cfg->intervals.sample, 300, 0);
    CHECK_NEAR(cfg->intervals.balance, 300, 0);
    CHECK_NEAR(cfg->intervals.reservation, 300, 0);
    CHECK_EQ_INT(cfg->limits.migrations_per_host, 2);
    CHECK_EQ_INT(cfg->limits.migrations_total, 0);
    CHECK_NEAR(cfg->limits.migration_bandwidth_share, 0.5, 0);
    CHECK_EQ_INT(cfg->limits.policy_instructions, 10000000);
    CHECK_EQ_INT(cfg->limits.policy_memory_mb, 64);
    CHECK_NEAR(cfg->limits.shutdown_grace, 60, 0);
    CHECK_EQ_INT(cfg->limits.migration_bandwidth, 1024);
    CHECK_NEAR(cfg->limits.migration_timeout, 600, 0);
    CHECK(cfg->sim.trace == NULL && cfg->sim.order == NULL);
    CHECK_NEAR(cfg->sim.duration, 0, 0);
    CHECK_NEAR(cfg->sim.step, 300, 0);
    CHECK(cfg->sim.vm_types == VP_VMTYPES_BLOCKS);
    CHECK_EQ_INT(cfg->sim.max_vms, 0);
    vp_config_free(cfg);
}

/* Relative paths in a string config join base_dir (with or without a
 * trailing slash); absolute ones are kept. */
static void test_string_paths(void)
{
    const char *text = "{\n" ONE_HOST
                       "  \"policies\": {\"balance\": \"policy.lua\",\n"
                       "               \"reservation\": \"" DATA "/policy.lua\"},\n"
                       "  \"simulation\": {\"trace\": \"trace\"}\n"
                       "}\n";
    vp_err err;
    vp_config *cfg = vp_config_load_string(text, NULL, DATA "/", &err);
    CHECK(cfg != NULL);
    if (!cfg)
        return;
    CHECK(!strcmp(cfg->path, "<string>"));
    CHECK(!strcmp(cfg->policy[VP_SLOT_BALANCE], DATA "/policy.lua"));
    CHECK(!strcmp(cfg->policy[VP_SLOT_RESERVATION], DATA "/policy.lua"));
    CHECK(!strcmp(cfg->sim.trace, DATA "/trace"));
    CHECK(cfg->sim.order == NULL);
    CHECK_NEAR(cfg->sim.step, 300, 0);
    vp_config_free(cfg);
}

static void test_libvirt(void)
{
    const char *text = "{\n"
                       "  \"hosts\": [\n"
                       "    {\"name\": \"kvm1\", \"uri\": \"qemu+tcp://10.0.0.1/system\"},\n"
                       "    {\"name\": \"kvm2\", \"uri\": \"qemu+tcp://10.0.0.2/system\"}\n"
                       "  ],\n"
                       "  \"limits\": {\"shutdown_grace\": 0.5, \"migration_bandwidth\": 0,\n"
                       "             \"migration_timeout\": 2.5}\n"
                       "}\n";
    vp_err err;
    vp_config *cfg = vp_config_load_string(text, "kvm.json", NULL, &err);
    CHECK(cfg != NULL);
    if (!cfg)
        return;
    CHECK(!cfg->simulated);
    CHECK_EQ_INT(cfg->n_hosts, 2);
    CHECK_EQ_INT(cfg->hosts[1].type, -1);
    CHECK(!strcmp(cfg->hosts[1].name, "kvm2"));
    CHECK(!strcmp(cfg->hosts[1].uri, "qemu+tcp://10.0.0.2/system"));
    CHECK_EQ_INT(cfg->n_host_types, 0);
    CHECK_NEAR(cfg->limits.shutdown_grace, 0.5, 0);
    CHECK_EQ_INT(cfg->limits.migration_bandwidth, 0);
    CHECK_NEAR(cfg->limits.migration_timeout, 2.5, 0);
    vp_config_free(cfg);
}

/* ---- one test per kind of error ---- */

static void test_err_unreadable(void)
{
    vp_err err;
    char buf[1024];
    vp_config *cfg = vp_config_load(DATA "/no-such-file.json", &err);
    CHECK(cfg == NULL);
    vp_err_format(&err, buf, sizeof buf);
    CHECK_STR_HAS(buf, DATA "/no-such-file.json: ");
    CHECK_STR_HAS(buf, "No such file or directory");
    CHECK(!strcmp(err.source, DATA "/no-such-file.json"));
    CHECK_EQ_INT(err.line, 0);
    cfg = vp_config_load(DATA, &err); /* a directory opens but cannot be read */
    CHECK(cfg == NULL);
    CHECK_STR_HAS(vp_err_format(&err, buf, sizeof buf), DATA ": ");
    CHECK_STR_HAS(buf, "Is a directory");
}

static void test_err_syntax(void)
{
    EXPECT_ERROR("{\n"
                 "  \"hosts\": [\n"
                 "    {\"type\": \"a\", }\n"
                 "  ]\n"
                 "}\n",
                 3, 19, NULL, "invalid JSON: ");
    EXPECT_ERROR("{\n"
                 "  \"hosts\": [{\"uri\": \"u\", \"name\": \"k\", \"uri\": \"v\"}]\n"
                 "}\n",
                 2, 43, NULL, "invalid JSON: duplicate object key"); /* jansson: token end */
    EXPECT_ERROR("", 1, 0, NULL, "invalid JSON: "); /* no column: "bad.json:1: ..." */
}

static void test_err_unknown_field(void)
{
    EXPECT_ERROR("{\n" ONE_HOST "  \"polices\": {}\n}\n", 3, 3, "polices",
                 "unknown field 'polices' (expected one of: host_types, hosts, vm_types, "
                 "policies, intervals, limits, simulation, api)");
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [\n"
                 "    {\"name\": \"g5\", \"cpu\": 5320, \"memory\": 4096},\n"
                 "    {\"name\": \"g4\", \"cpus\": 3720, \"memory\": 4096}\n"
                 "  ],\n"
                 "  \"hosts\": [{\"type\": \"g5\"}]\n"
                 "}\n",
                 4, 20, "host_types[1].cpus",
                 "unknown field 'cpus' (expected one of: name, cpu, memory, disk, network, "
                 "cores, overcommit, power)");
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [{\"name\": \"g5\", \"cpu\": 5320, \"memory\": 4096,\n"
                 "                  \"overcommit\": {\"cpu\": 2, \"ram\": 1}}],\n"
                 "  \"hosts\": [{\"type\": \"g5\"}]\n"
                 "}\n",
                 3, 44, "host_types[0].overcommit.ram",
                 "unknown field 'ram' (expected one of: cpu, memory, disk, network)");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"migrations\": 2}\n}\n", 3, 14,
                 "limits.migrations", "unknown field 'migrations' (expected one of: ");
}

static void test_err_wrong_type(void)
{
    EXPECT_ERROR("[1, 2]", 1, 1, NULL, "expected an object, got [1,2]");
    EXPECT_ERROR("{\n  \"hosts\": {\"type\": \"g5\"}\n}\n", 2, 12, "hosts",
                 "expected an array, got {\"type\":\"g5\"}");
    EXPECT_ERROR("{\n" ONE_HOST "  \"policies\": {\"placement\": 42}\n}\n", 3, 29,
                 "policies.placement", "expected a string, got 42");
    EXPECT_ERROR("{\n" ONE_HOST "  \"intervals\": {\"sample\": \"abc\"}\n}\n", 3, 27,
                 "intervals.sample", "expected a positive number, got \"abc\"");
    EXPECT_ERROR("{\n" ONE_HOST "  \"vm_types\": [\"small\"]\n}\n", 3, 16, "vm_types[0]",
                 "expected an object, got \"small\"");
    EXPECT_ERROR("{\n  \"hosts\": [{\"uri\": \"\", \"name\": \"k\"}]\n}\n", 2, 21, "hosts[0].uri",
                 "expected a non-empty string, got \"\"");
}

static void test_err_missing(void)
{
    EXPECT_ERROR("{\n  \"vm_types\": []\n}\n", 1, 1, "hosts", "missing required field 'hosts'");
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [\n"
                 "    {\"name\": \"g5\", \"memory\": 4096}\n"
                 "  ],\n"
                 "  \"hosts\": [{\"type\": \"g5\"}]\n"
                 "}\n",
                 3, 5, "host_types[0].cpu", "missing required field 'cpu'");
    EXPECT_ERROR("{\n  \"hosts\": [{\"uri\": \"qemu:///system\"}]\n}\n", 2, 13, "hosts[0].name",
                 "missing required field 'name'");
    EXPECT_ERROR("{\n" ONE_HOST "  \"simulation\": {\"step\": 60}\n}\n", 3, 17, "simulation.trace",
                 "missing required field 'trace'");
}

static void test_err_out_of_range(void)
{
    EXPECT_ERROR("{\n" ONE_HOST
                 "  \"limits\": {\n"
                 "    \"migrations_per_host\": 2,\n"
                 "    \"migration_bandwidth_share\": 1.5\n"
                 "  }\n"
                 "}\n",
                 5, 34, "limits.migration_bandwidth_share",
                 "expected a number in (0, 1], got 1.5");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"policy_instructions\": 500}\n}\n", 3, 37,
                 "limits.policy_instructions", "expected an integer >= 1000, got 500");
    EXPECT_ERROR("{\n" ONE_HOST "  \"intervals\": {\"balance\": -300}\n}\n", 3, 28,
                 "intervals.balance", "expected a positive number, got -300");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"shutdown_grace\": -1}\n}\n", 3, 32,
                 "limits.shutdown_grace", "expected a number of seconds in [0, 86400], got -1");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"shutdown_grace\": \"60\"}\n}\n", 3, 32,
                 "limits.shutdown_grace", "expected a number");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"shutdown_grace\": 1e6}\n}\n", 3, 32,
                 "limits.shutdown_grace",
                 "expected a number of seconds in [0, 86400], got 1000000.0");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"migration_bandwidth\": 1.5}\n}\n", 3, 37,
                 "limits.migration_bandwidth", "expected an integer >= 0 (MiB/s), got 1.5");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"migration_timeout\": -2}\n}\n", 3, 35,
                 "limits.migration_timeout",
                 "expected a number of seconds in [0, 604800], got -2");
    EXPECT_ERROR("{\n" ONE_HOST "  \"limits\": {\"migrations_total\": 2.5}\n}\n", 3, 34,
                 "limits.migrations_total", "expected an integer >= 0, got 2.5");
    EXPECT_ERROR("{\n" ONE_HOST "  \"simulation\": {\"trace\": \"trace\", \"max_vms\": 1e12}\n}\n",
                 3, 47, "simulation.max_vms",
                 "expected an integer >= 0, at most 2147483647, got 1");
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [{\"name\": \"g5\", \"cpu\": 5320, \"memory\": 4096}],\n"
                 "  \"hosts\": [{\"type\": \"g5\", \"count\": 0}]\n"
                 "}\n",
                 3, 37, "hosts[0].count", "expected an integer >= 1, got 0");
}

static void test_err_unknown_host_type(void)
{
    vp_err err;
    char buf[1024];
    vp_config *cfg = vp_config_load(DATA "/bad_host_type.json", &err);
    CHECK(cfg == NULL);
    CHECK_STR_HAS(vp_err_format(&err, buf, sizeof buf),
                  DATA "/bad_host_type.json:8:14: field 'hosts[1].type': "
                       "unknown host type 'g7' (defined: ml110-g4, ml110-g5)");
    EXPECT_ERROR("{\n  \"hosts\": [\n    {\"type\": \"g5\"}\n  ]\n}\n", 3, 14, "hosts[0].type",
                 "unknown host type 'g5' (no host_types defined)");
}

static void test_err_duplicate_host(void)
{
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [{\"name\": \"g4\", \"cpu\": 3720, \"memory\": 4096}],\n"
                 "  \"hosts\": [\n"
                 "    {\"type\": \"g4\", \"count\": 5, \"name\": \"g4-%d\"},\n"
                 "    {\"type\": \"g4\", \"name\": \"g4-3\"}\n"
                 "  ]\n"
                 "}\n",
                 5, 28, "hosts[1].name", "duplicate host name 'g4-3'");
    EXPECT_ERROR("{\n"
                 "  \"hosts\": [{\"name\": \"k\", \"uri\": \"qemu:///a\"},\n"
                 "            {\"name\": \"k\", \"uri\": \"qemu:///b\"}]\n"
                 "}\n",
                 3, 22, "hosts[1].name", "duplicate host name 'k'");
    /* count > 1 with a fixed name would only produce duplicates */
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [{\"name\": \"g4\", \"cpu\": 3720, \"memory\": 4096}],\n"
                 "  \"hosts\": [{\"type\": \"g4\", \"count\": 2, \"name\": \"g4\"}]\n"
                 "}\n",
                 3, 48, "hosts[0].name",
                 "name 'g4' needs \"%d\" (replaced by 0..1) when count > 1");
}

static void test_err_duplicate_type(void)
{
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [\n"
                 "    {\"name\": \"g4\", \"cpu\": 3720, \"memory\": 4096},\n"
                 "    {\"name\": \"g4\", \"cpu\": 5320, \"memory\": 4096}\n"
                 "  ],\n"
                 "  \"hosts\": [{\"type\": \"g4\"}]\n"
                 "}\n",
                 4, 14, "host_types[1].name", "duplicate host type name 'g4'");
    EXPECT_ERROR("{\n" ONE_HOST
                 "  \"vm_types\": [{\"name\": \"small\", \"cpu\": 500, \"memory\": 613},\n"
                 "               {\"name\": \"small\", \"cpu\": 1000, \"memory\": 1740}]\n"
                 "}\n",
                 4, 25, "vm_types[1].name", "duplicate VM type name 'small'");
}

static void test_err_type_and_uri(void)
{
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [{\"name\": \"g4\", \"cpu\": 3720, \"memory\": 4096}],\n"
                 "  \"hosts\": [\n"
                 "    {\"type\": \"g4\"},\n"
                 "    {\"type\": \"g4\", \"uri\": \"qemu:///system\"}\n"
                 "  ]\n"
                 "}\n",
                 5, 5, "hosts[1]",
                 "a host needs either 'type' (simulated) or 'uri' (libvirt), not both");
    EXPECT_ERROR("{\n  \"hosts\": [{\"name\": \"k\"}]\n}\n", 2, 13, "hosts[0]",
                 "a host needs 'type' (simulated) or 'uri' (libvirt)");
    EXPECT_ERROR("{\n"
                 "  \"hosts\": [{\"name\": \"k\", \"uri\": \"qemu:///system\", \"count\": 2}]\n"
                 "}\n",
                 2, 52, "hosts[0].count", "'count' is only for simulated hosts (with 'type')");
}

static void test_err_mixed_hosts(void)
{
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [{\"name\": \"g4\", \"cpu\": 3720, \"memory\": 4096}],\n"
                 "  \"hosts\": [\n"
                 "    {\"type\": \"g4\", \"count\": 2},\n"
                 "    {\"name\": \"kvm1\", \"uri\": \"qemu+tcp://10.0.0.1/system\"}\n"
                 "  ]\n"
                 "}\n",
                 5, 5, "hosts[1]",
                 "a libvirt host after simulated ones: hosts must be all simulated ('type') "
                 "or all libvirt ('uri')");
    EXPECT_ERROR("{\n"
                 "  \"host_types\": [{\"name\": \"g4\", \"cpu\": 3720, \"memory\": 4096}],\n"
                 "  \"hosts\": [{\"name\": \"k\", \"uri\": \"qemu:///system\"},"
                 " {\"type\": \"g4\"}]\n"
                 "}\n",
                 3, 53, "hosts[1]", "a simulated host after libvirt ones");
}

#define POWER_HOST(power)                                                       \
    "{\n"                                                                       \
    "  \"host_types\": [\n"                                                     \
    "    {\"name\": \"g4\", \"cpu\": 3720, \"memory\": 4096,\n"                 \
    "     \"power\": " power "}\n"                                              \
    "  ],\n"                                                                    \
    "  \"hosts\": [{\"type\": \"g4\"}]\n"                                       \
    "}\n"

static void test_err_power(void)
{
    EXPECT_ERROR(POWER_HOST("[86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114]"), 4, 15,
                 "host_types[0].power",
                 "expected exactly 11 numbers (watts at 0 %, 10 %, ..., 100 % cpu), got 10");
    EXPECT_ERROR(POWER_HOST("[86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 110, 117]"), 4, 62,
                 "host_types[0].power[9]",
                 "power must be non-decreasing: 110 W at 90 % cpu is below 112 W at 80 %");
    EXPECT_ERROR(POWER_HOST("[-1, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117]"), 4, 16,
                 "host_types[0].power[0]", "expected a number >= 0, got -1");
    EXPECT_ERROR(POWER_HOST("[86, 89.4, 92.6, 96, 99.5, \"a\", 106, 108, 112, 114, 117]"), 4, 42,
                 "host_types[0].power[5]", "expected a number >= 0, got \"a\"");
    EXPECT_ERROR(POWER_HOST("100"), 4, 15, "host_types[0].power", "expected an array, got 100");
}

static void test_err_policy_missing(void)
{
    EXPECT_ERROR("{\n" ONE_HOST
                 "  \"policies\": {\n"
                 "    \"placement\": \"policy.lua\",\n"
                 "    \"balance\": \"missing.lua\"\n"
                 "  }\n"
                 "}\n",
                 5, 16, "policies.balance",
                 "policy file not found: " DATA "/missing.lua (No such file or directory)");
    EXPECT_ERROR("{\n" ONE_HOST "  \"policies\": {\"migration\": \"trace\"}\n}\n", 3, 29,
                 "policies.migration", "policy file not found: " DATA "/trace (Is a directory)");
    EXPECT_ERROR("{\n" ONE_HOST "  \"policies\": {\"placment\": \"policy.lua\"}\n}\n", 3, 16,
                 "policies.placment",
                 "unknown field 'placment' (expected one of: placement, balance, reservation, "
                 "migration)");
}

static void test_err_trace_missing(void)
{
    EXPECT_ERROR("{\n" ONE_HOST
                 "  \"simulation\": {\"trace\": \"no-such-trace\", \"step\": 300}\n"
                 "}\n",
                 3, 27, "simulation.trace",
                 "trace folder not found: " DATA "/no-such-trace (No such file or directory)");
    EXPECT_ERROR("{\n" ONE_HOST "  \"simulation\": {\"trace\": \"policy.lua\"}\n}\n", 3, 27,
                 "simulation.trace",
                 "trace folder not found: " DATA "/policy.lua (Not a directory)");
    EXPECT_ERROR("{\n" ONE_HOST
                 "  \"simulation\": {\"trace\": \"trace\", \"order\": \"trace/none.order\"}\n}\n",
                 3, 45, "simulation.order",
                 "order file not found: " DATA "/trace/none.order (No such file or directory)");
}

static void test_err_vm_type_rule(void)
{
    EXPECT_ERROR("{\n" ONE_HOST
                 "  \"simulation\": {\n"
                 "    \"trace\": \"trace\",\n"
                 "    \"vm_types\": \"random\"\n"
                 "  }\n"
                 "}\n",
                 5, 17, "simulation.vm_types",
                 "expected \"blocks\" or \"round-robin\", got \"random\"");
    EXPECT_ERROR("{\n" ONE_HOST "  \"simulation\": {\"trace\": \"trace\", \"vm_types\": 1}\n}\n", 3,
                 48, "simulation.vm_types", "expected a string, got 1");
}

/* ---- domain XML templates ---- */

#define VM_TYPE(xml) \
    "  \"vm_types\": [{\"name\": \"web\", \"cpu\": 1, \"memory\": 512, \"domain_xml\": " xml "}]\n"

/* vm_types[].domain_xml: read (relative to the config) and checked. */
static void test_domain_xml(void)
{
    vp_err err;
    vp_config *cfg =
        vp_config_load_string("{\n" ONE_HOST VM_TYPE("\"tmpl.xml\"") "}\n", SRC, DATA, &err);
    CHECK(cfg && !strcmp(cfg->vm_types[0].domain_xml, DATA "/tmpl.xml"));
    CHECK(cfg && cfg->vm_types[0].domain_xml_text);
    CHECK_STR_HAS(cfg ? cfg->vm_types[0].domain_xml_text : NULL, "<name>{{name}}</name>");
    vp_config_free(cfg);
    EXPECT_ERROR("{\n" ONE_HOST VM_TYPE("\"nope.xml\"") "}\n", 3, 71, "vm_types[0].domain_xml",
                 "domain XML template not found: " DATA "/nope.xml (No such file or directory)");
    EXPECT_ERROR("{\n" ONE_HOST VM_TYPE("\".\"") "}\n", 3, 71, "vm_types[0].domain_xml",
                 "domain XML template not found: " DATA "/. (Is a directory)");
    EXPECT_ERROR("{\n" ONE_HOST VM_TYPE("\"tmpl_unknown.xml\"") "}\n", 3, 71,
                 "vm_types[0].domain_xml",
                 DATA "/tmpl_unknown.xml:5:9: unknown placeholder '{{disk_gib}}' (expected one "
                      "of: {{name}}, {{uuid}}, {{vcpus}}, {{memory_mib}}, {{memory_kib}}, "
                      "{{domain_type}})");
    EXPECT_ERROR("{\n" ONE_HOST VM_TYPE("\"tmpl_noname.xml\"") "}\n", 3, 71,
                 "vm_types[0].domain_xml",
                 DATA "/tmpl_noname.xml: the template must use {{name}} (domains are matched "
                      "to VMs by name)");
    EXPECT_ERROR("{\n" ONE_HOST VM_TYPE("7") "}\n", 3, 71, "vm_types[0].domain_xml",
                 "expected a string, got 7");
}

/* ---- api ---- */

/* api.decision_log: a file in a folder that exists. */
static void test_decision_log_config(void)
{
    vp_err err;
    vp_config *cfg = vp_config_load_string("{\n" ONE_HOST "  \"api\": {\"decision_log\": "
                                           "\"d.jsonl\"}\n}\n", SRC, DATA, &err);
    CHECK(cfg && !strcmp(cfg->api.decision_log, DATA "/d.jsonl"));
    vp_config_free(cfg);
    cfg = vp_config_load_string("{\n" ONE_HOST "  \"api\": {}\n}\n", SRC, DATA, &err);
    CHECK(cfg && !cfg->api.decision_log);
    vp_config_free(cfg);
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"decision_log\": 3}\n}\n", 3, 27,
                 "api.decision_log", "expected a string, got 3");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"decision_log\": \"\"}\n}\n", 3, 27,
                 "api.decision_log", "expected a non-empty string");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"decision_log\": \"nowhere/d.jsonl\"}\n}\n", 3,
                 27, "api.decision_log", "folder not found: " DATA "/nowhere");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"decision_log\": \".\"}\n}\n", 3, 27,
                 "api.decision_log", DATA "/. is a folder, not a file");
}

/* api.listen as [IPv6]:PORT: ::1 is loopback, anything else needs the
 * token; bad addresses name what is wrong. */
static void test_listen_v6(void)
{
    vp_err err;
    vp_config *cfg = vp_config_load_string(
        "{\n" ONE_HOST "  \"api\": {\"listen\": \"[::1]:0\"}\n}\n", SRC, DATA, &err);
    CHECK(cfg && !strcmp(cfg->api.listen, "[::1]:0"));
    vp_config_free(cfg);
    cfg = vp_config_load_string("{\n" ONE_HOST "  \"api\": {\"listen\": \"[2001:db8::7]:5000\", "
                                "\"token\": \"t\"}\n}\n", SRC, DATA, &err);
    CHECK(cfg != NULL);
    vp_config_free(cfg);
    static const char *const bad[][2] = {
        {"[::]:5000", "listening on [::]:5000 (not loopback) needs a bearer token"},
        {"[2001:db8::7]:80", "listening on [2001:db8::7]:80 (not loopback) needs a bearer token"},
        {"[::1::2]:80", "expected an IPv6 address in brackets, got \"[::1::2]\""},
        {"[127.0.0.1]:80", "expected an IPv6 address in brackets, got \"[127.0.0.1]\""},
        {"::1:5000", "an IPv6 address needs brackets: [::1]:PORT"},
        {"[::1]5000", "expected HOST:PORT"},
        {"[::1]:", "port must be 0..65535, got \"\""},
        {"[]:80", "expected HOST:PORT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "{\n" ONE_HOST "  \"api\": {\"listen\": \"%s\"}\n}\n",
                 bad[i][0]);
        EXPECT_ERROR(text, 3, 21, "api.listen", bad[i][1]);
    }
    /* the parsed address and loopback flag */
    char ip[VP_IP_LEN];
    int port;
    bool loop = false;
    CHECK_EQ_INT(vp_listen_parse("[0:0::1]:80", ip, &port, &loop, &err), 0);
    CHECK(!strcmp(ip, "::1") && port == 80 && loop);
    CHECK_EQ_INT(vp_listen_parse("[::ffff:127.0.0.2]:1", ip, &port, &loop, &err), 0);
    CHECK(loop);
    CHECK_EQ_INT(vp_listen_parse("[fe80::1]:1", ip, &port, &loop, &err), 0);
    CHECK(!loop && !strcmp(ip, "fe80::1"));
}

static void test_api(void)
{
    vp_err err;
    vp_config *cfg = vp_config_load_string("{\n" ONE_HOST "  \"api\": {}\n}\n", SRC, DATA, &err);
    CHECK(cfg && !strcmp(cfg->api.listen, "127.0.0.1:5000") && !cfg->api.token &&
          !cfg->api.unix_socket);
    vp_config_free(cfg);
    cfg = vp_config_load_string("{\n" ONE_HOST "  \"api\": {\"listen\": \"0.0.0.0:8080\", "
                                "\"token\": \"t0k\", \"unix_socket\": \"api.sock\"}\n}\n",
                                SRC, DATA, &err);
    CHECK(cfg && !strcmp(cfg->api.listen, "0.0.0.0:8080") && !strcmp(cfg->api.token, "t0k"));
    CHECK(cfg && !strcmp(cfg->api.unix_socket, DATA "/api.sock"));
    vp_config_free(cfg);
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"listen\": \"0.0.0.0:80\"}\n}\n", 3, 21,
                 "api.listen", "listening on 0.0.0.0:80 (not loopback) needs a bearer token");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"listen\": \"127.0.0.1\"}\n}\n", 3, 21,
                 "api.listen", "expected HOST:PORT");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"listen\": \"127.0.0.1:70000\"}\n}\n", 3, 21,
                 "api.listen", "port must be 0..65535");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"listen\": \"example.org:80\"}\n}\n", 3, 21,
                 "api.listen", "expected an IPv4 address, localhost or [IPv6 address], got "
                               "\"example.org\"");
    test_listen_v6();
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"token\": \"\"}\n}\n", 3, 20, "api.token",
                 "expected a non-empty string");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": {\"port\": 1}\n}\n", 3, 11, "api.port",
                 "unknown field 'port' (expected one of: listen, unix_socket, token, "
                 "decision_log)");
    EXPECT_ERROR("{\n" ONE_HOST "  \"api\": []\n}\n", 3, 10, "api", "expected an object");
    test_decision_log_config();
}

int main(void)
{
    test_api();
    test_locate();
    test_full_file();
    test_relative_file();
    test_defaults();
    test_string_paths();
    test_libvirt();
    test_err_unreadable();
    test_err_syntax();
    test_err_unknown_field();
    test_err_wrong_type();
    test_err_missing();
    test_err_out_of_range();
    test_err_unknown_host_type();
    test_err_duplicate_host();
    test_err_duplicate_type();
    test_err_type_and_uri();
    test_err_mixed_hosts();
    test_err_power();
    test_err_policy_missing();
    test_err_trace_missing();
    test_err_vm_type_rule();
    test_domain_xml();
    return CHECK_DONE();
}
