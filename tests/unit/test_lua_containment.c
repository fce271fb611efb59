/* test_lua_containment.c - a misbehaving policy is stopped and reported
 * with its script and line, and the slot keeps deciding: endless loops,
 * memory bombs, deep recursion, forbidden libraries, binary chunks, errors
 * raised in each slot, each kind of bad return value, proxies kept past
 * their call, and reloads of broken versions. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "driver_sim.h"
#include "engine.h"
#include "lua_policy.h"

static char dir[] = "/tmp/vp_contain_XXXXXX";
static int nfiles;
static char files[64][256];

static const char *write_script(const char *name, const char *text)
{
    char *path = files[nfiles++];
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* 3 hosts of 4 cpu / 8 GiB; VMs v0, v1 on h0, "bad" and v3 pending. */
static vp_pool *make_pool(void)
{
    vp_pool *p = vp_pool_new();
    const char *hosts[] = {"h0", "h1", "h2"}, *vms[] = {"v0", "v1", "bad", "v3"};
    for (int i = 0; i < 3; i++)
        CHECK(vp_pool_add_host(p, hosts[i], vp_res_make(4, 8192, 0, 1000),
                               vp_res_make(1, 1, 1, 1), NULL) != VP_NONE);
    for (int i = 0; i < 4; i++)
        CHECK(vp_pool_add_vm(p, vms[i], vp_res_make(1, 1024, 0, 0), NULL) != VP_NONE);
    vp_pool_allocate(p, 0, 0, NULL);
    vp_pool_allocate(p, 1, 0, NULL);
    return p;
}

static long instructions = 200000;

static vp_lua_policy *load(vp_slot slot, const char *path, long memory_mb, vp_err *err)
{
    vp_lua_opts o;
    vp_lua_opts_from_config(&o, NULL);
    o.paths[slot] = path;
    o.instructions = instructions;
    o.memory_mb = memory_mb;
    return vp_lua_policy_new(&o, err);
}

static const vp_id ALL[] = {0, 1, 2};
static const vp_decision_ctx DC = {100, 300};

/* place(vm) through the policy's slot. */
static int place(vp_lua_policy *lp, vp_pool *pool, vp_id vm, vp_place_result *r, vp_err *err)
{
    const vp_policy *p = vp_lua_policy_slots(lp);
    return p->place(p->place_ctx, pool, vm, ALL, 3, &DC, r, err);
}

/* A placement policy that misbehaves (body) only for the VM "bad". */
static const char *bad_placement(const char *name, const char *body)
{
    char text[2048];
    snprintf(text, sizeof text,
             "local P = {}\n"
             "function P.place(vm, hosts, ctx)\n"
             "  if vm.name == 'bad' then\n"
             "    %s\n"
             "  end\n"
             "  return hosts[1], 'first'\n"
             "end\n"
             "return P\n", body);
    return write_script(name, text);
}

/* Checks the misbehaving call fails naming script and line 4 (the body),
 * and that the next decision for another VM succeeds. */
static void expect_contained(const char *name, const char *body, const char *what, long mb)
{
    vp_err err = {0};
    vp_pool *pool = make_pool();
    const char *path = bad_placement(name, body);
    vp_lua_policy *lp = load(VP_SLOT_PLACEMENT, path, mb, &err);
    CHECK(lp != NULL);
    if (!lp)
        return (void)fprintf(stderr, "  load %s: %s\n", name, err.text), vp_pool_free(pool);
    vp_place_result r;
    char where[300];
    snprintf(where, sizeof where, "%s:4:", path);
    CHECK_EQ_INT(place(lp, pool, 2, &r, &err), -1);
    CHECK_STR_HAS(err.text, what);
    CHECK_STR_HAS(err.text, where);
    CHECK_EQ_INT(place(lp, pool, 3, &r, &err), 0); /* the slot keeps deciding */
    CHECK_EQ_INT(r.host, 0);
    vp_lua_status st;
    vp_lua_policy_status(lp, VP_SLOT_PLACEMENT, &st);
    CHECK_EQ_INT(st.calls, 2);
    CHECK_EQ_INT(st.errors, 1);
    vp_lua_policy_free(lp);
    vp_pool_free(pool);
}

static void test_runaway(void)
{
    expect_contained("loop.lua", "while true do end", "instruction budget exceeded", 64);
    expect_contained("pcall_loop.lua", "pcall(function() while true do end end) while true do end",
                     "instruction budget exceeded", 64);
    expect_contained("bomb.lua",
                     "local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 4096) .. i end",
                     "memory ceiling", 16);
    instructions = 100000000; /* so the stack, not the budget, runs out first */
    expect_contained("recursion.lua", "local function f(n) return f(n + 1) + 1 end f(1)",
                     "stack overflow", 64);
    instructions = 200000;
}

static void test_forbidden(void)
{
    static const char *const uses[] = {
        "io.open('/etc/passwd')", "os.execute('true')", "debug.getinfo(1)",
        "package.loadlib('x', 'y')", "dofile('/etc/passwd')", "loadfile('/etc/passwd')",
        "collectgarbage('stop')", "print('x')", "_G.x = 1", "x = 1"};
    static const char *const says[] = {
        "unknown global 'io'", "attempt to call a nil value (field 'execute')",
        "unknown global 'debug'", "unknown global 'package'", "unknown global 'dofile'",
        "unknown global 'loadfile'", "unknown global 'collectgarbage'", "unknown global 'print'",
        "unknown global '_G'", "assignment to global 'x'"};
    char name[32];
    for (size_t i = 0; i < sizeof uses / sizeof *uses; i++) {
        snprintf(name, sizeof name, "forbidden%zu.lua", i);
        expect_contained(name, uses[i], says[i], 64);
    }
    expect_contained("dump.lua", "string.dump(function() end)", "field 'dump'", 64);
    expect_contained("require_os.lua", "require('os')", "module 'os' not found", 64);
    expect_contained("require_up.lua", "require('..secret')", "bad module name", 64);
    expect_contained("binary_load.lua", "assert(load('\\27Lua', 'x', 'b'))",
                     "only text chunks are allowed", 64);
    expect_contained("binary_text.lua", "assert(load('\\27LuaT\\0'))",
                     "attempt to load a binary chunk", 64);
}

static int writer(lua_State *L, const void *p, size_t sz, void *ud)
{
    return fwrite(p, 1, sz, ud) != sz;
}

/* The policy file itself as bytecode is refused at load. */
static void test_binary_file(void)
{
    vp_err err = {0};
    lua_State *L = luaL_newstate();
    luaL_loadstring(L, "return { place = function(vm, hosts) return hosts[1] end }");
    char *path = files[nfiles++];
    snprintf(path, 256, "%s/binary.lua", dir);
    FILE *f = fopen(path, "wb");
    lua_dump(L, writer, f, 0);
    fclose(f);
    lua_close(L);
    vp_lua_policy *lp = load(VP_SLOT_PLACEMENT, path, 64, &err);
    CHECK(lp == NULL);
    CHECK_STR_HAS(err.text, "attempt to load a binary chunk");
    CHECK_STR_HAS(err.source, "binary.lua");
}

/* error() in each slot names script, line and function. */
static void test_error_in_each_slot(void)
{
    static const char *const texts[VP_SLOT_N] = {
        "local P = {}\nfunction P.place(vm, hosts, ctx)\n  error('no luck')\nend\nreturn P\n",
        "local P = {}\nfunction P.balance(pool, ctx)\n  error('no luck')\nend\nreturn P\n",
        "local P = {}\nfunction P.reserve(pool, ctx)\n  error('no luck')\nend\nreturn P\n",
        "local P = {}\nfunction P.migrate_when(m, pool, ctx)\n  error('no luck')\nend\nreturn P\n"};
    static const char *const fn[VP_SLOT_N] = {"place", "balance", "reserve", "migrate_when"};
    vp_pool *pool = make_pool();
    for (int s = 0; s < VP_SLOT_N; s++) {
        char name[32], want[320];
        vp_err err = {0};
        snprintf(name, sizeof name, "raise_%d.lua", s);
        const char *path = write_script(name, texts[s]);
        vp_lua_policy *lp = load((vp_slot)s, path, 64, &err);
        CHECK(lp != NULL);
        if (!lp)
            continue;
        const vp_policy *p = vp_lua_policy_slots(lp);
        vp_place_result pr;
        vp_moves mv = {0};
        vp_res per_host[3];
        vp_reservation rr = {.per_host = per_host, .n_hosts = 3};
        vp_when w;
        vp_migration_req m = {0, 0, 1, "test", 0, 0};
        int rc = s == 0 ? p->place(p->place_ctx, pool, 2, ALL, 3, &DC, &pr, &err)
               : s == 1 ? p->balance(p->balance_ctx, pool, &DC, &mv, &err)
               : s == 2 ? p->reserve(p->reserve_ctx, pool, &DC, &rr, &err)
                        : p->migrate_when(p->when_ctx, pool, &m, &DC, &w, &err);
        CHECK_EQ_INT(rc, -1);
        snprintf(want, sizeof want, "%s:3: no luck (in function '%s')", path, fn[s]);
        CHECK_STR_HAS(err.text, want);
        CHECK_EQ_INT(err.line, 3);
        vp_moves_free(&mv);
        vp_lua_policy_free(lp);
    }
    vp_pool_free(pool);
}

/* A slot returning `ret` (Lua expression over its arguments) is refused
 * with `what`, naming the script and the function's line. */
static void expect_bad_return(vp_slot s, const char *ret, const char *what)
{
    static const char *const sig[VP_SLOT_N] = {"place(vm, hosts, ctx)", "balance(pool, ctx)",
                                               "reserve(pool, ctx)", "migrate_when(m, pool, ctx)"};
    char text[1024], name[32], where[300];
    vp_err err = {0};
    snprintf(text, sizeof text,
             "local vp = require 'vmpilot'\nlocal P = {}\nfunction P.%s\n  return %s\nend\nreturn P\n",
             sig[s], ret);
    snprintf(name, sizeof name, "ret_%d.lua", nfiles);
    const char *path = write_script(name, text);
    vp_pool *pool = make_pool();
    vp_lua_policy *lp = load(s, path, 64, &err);
    CHECK(lp != NULL);
    if (!lp)
        return (void)fprintf(stderr, "  load: %s\n", err.text), vp_pool_free(pool);
    const vp_policy *p = vp_lua_policy_slots(lp);
    vp_place_result pr;
    vp_moves mv = {0};
    vp_res per_host[3] = {{{0}}};
    vp_reservation rr = {.per_host = per_host, .n_hosts = 3};
    vp_when w;
    vp_migration_req m = {0, 0, 1, "test", 0, 0};
    vp_id two[] = {1, 2};
    int rc = s == 0 ? p->place(p->place_ctx, pool, 2, two, 2, &DC, &pr, &err)
           : s == 1 ? p->balance(p->balance_ctx, pool, &DC, &mv, &err)
           : s == 2 ? p->reserve(p->reserve_ctx, pool, &DC, &rr, &err)
                    : p->migrate_when(p->when_ctx, pool, &m, &DC, &w, &err);
    CHECK_EQ_INT(rc, -1);
    snprintf(where, sizeof where, "%s:3: ", path);
    CHECK_STR_HAS(err.text, where);
    CHECK_STR_HAS(err.text, what);
    vp_moves_free(&mv);
    vp_lua_policy_free(lp);
    vp_pool_free(pool);
}

static void test_bad_returns(void)
{
    expect_bad_return(VP_SLOT_PLACEMENT, "42", "expected a Host from the candidates or nil, got number");
    expect_bad_return(VP_SLOT_PLACEMENT, "vm", "expected a Host from the candidates or nil, got Vm");
    expect_bad_return(VP_SLOT_PLACEMENT, "nil, {}", "the reason (value 2) must be a string");
    expect_bad_return(VP_SLOT_BALANCE, "'all of them'", "expected a list of moves");
    expect_bad_return(VP_SLOT_BALANCE, "{ {vm = pool:vm('v0'), to = pool:host('h1'), dst = 1} }",
                      "move 1: unknown field 'dst' (expected vm, to, why)");
    /* names one letter off the fields' */
    expect_bad_return(VP_SLOT_BALANCE, "{ {vm = pool:vm('v0'), to = pool:host('h1'), wh = 1} }",
                      "move 1: unknown field 'wh'");
    expect_bad_return(VP_SLOT_BALANCE, "{ {vm = pool:vm('v0'), to = pool:host('h1'), vmm = 1} }",
                      "move 1: unknown field 'vmm'");
    expect_bad_return(VP_SLOT_BALANCE, "{ {vm = pool:vm('v0'), to = pool:host('h1'), t = 1} }",
                      "move 1: unknown field 't'");
    expect_bad_return(VP_SLOT_BALANCE, "{ {vm = pool:host('h1'), to = pool:host('h1')} }",
                      "move 1: 'vm' must be a Vm, got Host");
    expect_bad_return(VP_SLOT_BALANCE, "{ x = 1 }", "expected a list (keys 1..n)");
    expect_bad_return(VP_SLOT_RESERVATION, "{ h0 = 1 }", "expected a Reservation");
    expect_bad_return(VP_SLOT_RESERVATION,
                      "vp.Reservation():hold(pool:host('h0'), vp.Resources{cpu = -1}) or nil",
                      "negative reservation for host 'h0'");
    expect_bad_return(VP_SLOT_MIGRATION, "'soon'", "expected \"now\", \"never\" or a delay in "
                      "seconds > 0, got \"soon\"");
    expect_bad_return(VP_SLOT_MIGRATION, "-5", "got number");
}

/* A Host kept from one call and used in the next is a clear error; the
 * call after that works again. */
static void test_stale_proxy(void)
{
    vp_err err = {0};
    const char *path = write_script("stale.lua",
                                    "local P, saved = {}, nil\n"
                                    "function P.place(vm, hosts, ctx)\n"
                                    "  if saved then local n = saved.name end\n"
                                    "  saved = hosts[1]\n"
                                    "  return hosts[1]\n"
                                    "end\n"
                                    "return P\n");
    vp_pool *pool = make_pool();
    vp_lua_policy *lp = load(VP_SLOT_PLACEMENT, path, 64, &err);
    vp_place_result r;
    CHECK_EQ_INT(place(lp, pool, 2, &r, &err), 0);
    CHECK_EQ_INT(place(lp, pool, 3, &r, &err), -1);
    CHECK_STR_HAS(err.text, "stale.lua:3:");
    CHECK_STR_HAS(err.text, "used after the policy call");
    vp_lua_policy_free(lp);
    vp_pool_free(pool);
}

/* A reload of a broken version keeps the old one deciding. */
static void test_reload_broken(void)
{
    vp_err err = {0};
    const char *path = write_script("reload.lua",
                                    "local P = {name = 'v1'}\n"
                                    "function P.place(vm, hosts) return hosts[2] end\n"
                                    "return P\n");
    vp_pool *pool = make_pool();
    vp_lua_policy *lp = load(VP_SLOT_PLACEMENT, path, 64, &err);
    vp_lua_status before, after;
    vp_lua_policy_status(lp, VP_SLOT_PLACEMENT, &before);
    char version[20];
    snprintf(version, sizeof version, "%s", before.version);
    write_script("reload.lua", "local P = {name = 'v2'}\n"
                               "function P.place(vm, hosts)\n"
                               "  return hosts[1] +\n"
                               "end\n"
                               "return P\n");
    CHECK_EQ_INT(vp_lua_policy_reload(lp, VP_SLOT_PLACEMENT, pool, &err), -1);
    CHECK_STR_HAS(err.text, "reload.lua:4:");
    CHECK_STR_HAS(err.text, "keeps running");
    vp_place_result r;
    CHECK_EQ_INT(place(lp, pool, 2, &r, &err), 0);
    CHECK_EQ_INT(r.host, 1); /* still v1's choice */
    vp_lua_policy_status(lp, VP_SLOT_PLACEMENT, &after);
    CHECK(strcmp(after.version, version) == 0);
    CHECK_EQ_INT(after.reload_failures, 1);
    CHECK_STR_HAS(after.last_error, "reload failed");
    /* a version that fails its dry run is refused too */
    write_script("reload.lua", "local P = {}\nfunction P.place(vm, hosts) return 7 end\nreturn P\n");
    CHECK_EQ_INT(vp_lua_policy_reload(lp, VP_SLOT_PLACEMENT, pool, &err), -1);
    CHECK_STR_HAS(err.text, "expected a Host");
    /* a good version is swapped in, with its state handed over */
    write_script("reload.lua", "local P = {n = 0}\n"
                               "function P.place(vm, hosts) P.n = P.n + 1 return hosts[3] end\n"
                               "function P.export_state() return {n = P.n} end\n"
                               "function P.import_state(s) P.n = s and s.n or 0 end\n"
                               "return P\n");
    CHECK_EQ_INT(vp_lua_policy_reload(lp, VP_SLOT_PLACEMENT, pool, &err), 0);
    CHECK_EQ_INT(vp_lua_policy_reload(lp, VP_SLOT_PLACEMENT, pool, &err), 1); /* unchanged */
    CHECK_EQ_INT(place(lp, pool, 2, &r, &err), 0);
    CHECK_EQ_INT(r.host, 2);
    vp_lua_policy_status(lp, VP_SLOT_PLACEMENT, &after);
    CHECK(strcmp(after.version, version) != 0);
    CHECK_EQ_INT(after.reloads, 1);
    vp_lua_policy_free(lp);
    vp_pool_free(pool);
}

static char last_error[VP_ERR_TEXT];
static int policy_errors;

static void observe(void *ud, const vp_engine *e, const vp_event *ev)
{
    if (ev->kind == VP_EV_POLICY_ERROR) {
        policy_errors++;
        snprintf(last_error, sizeof last_error, "%s", ev->reason);
    }
}

/* Moves the engine refuses (to the VM's own host; of a VM that is not
 * running) are reported naming the script and line, and the engine goes on
 * deciding (the next balance round runs). */
static void test_engine_refusals_name_script(void)
{
    static const char *const bodies[] = {
        "return { {vm = pool:vm('v0'), to = pool:host('h0'), why = 'x'} }",
        "return { {vm = pool:vm('v0'), to = pool:host('h1')}, {vm = pool:vm('bad'), to = pool:host('h1')} }"};
    static const char *const says[] = {"move 1: VM 'v0' is already on host 'h0'",
                                       "move 2: VM 'bad' is pending"};
    vp_config cfg = {0};
    cfg.limits.migration_bandwidth_share = 0.5;
    for (int k = 0; k < 2; k++) {
        char text[512], name[32];
        vp_err err = {0};
        snprintf(text, sizeof text, "local P = {}\nfunction P.balance(pool, ctx)\n  %s\nend\nreturn P\n",
                 bodies[k]);
        snprintf(name, sizeof name, "refused_%d.lua", k);
        const char *path = write_script(name, text);
        vp_pool *pool = make_pool();
        vp_clock *clock = vp_clock_new_sim(0);
        vp_driver *drv = vp_sim_driver_new(pool, clock, NULL, &cfg, 0, &err);
        vp_lua_policy *lp = load(VP_SLOT_BALANCE, path, 64, &err);
        vp_engine_params prm = {300, 300, 300, 0, 0, 0, 0, 0};
        vp_engine *e = vp_engine_new(pool, clock, drv, vp_lua_policy_slots(lp), &prm, &err);
        vp_engine_set_observer(e, observe, NULL);
        policy_errors = 0;
        vp_engine_balance_now(e);
        vp_engine_balance_now(e); /* still deciding */
        CHECK_EQ_INT(policy_errors, 2);
        char want[300];
        snprintf(want, sizeof want, "%s:2: balance returned an invalid result: ", path);
        CHECK_STR_HAS(last_error, want);
        CHECK_STR_HAS(last_error, says[k]);
        CHECK_EQ_INT(vp_engine_migrations_running(e), 0);
        vp_engine_free(e);
        drv->ops->free(drv);
        vp_lua_policy_free(lp);
        vp_clock_free(clock);
        vp_pool_free(pool);
    }
}

/* A destination without room is refused (h1 has 4 cpu: the fifth VM of
 * 1 cpu moved in at once does not fit), here by the reload's dry run. */
static void test_no_room_names_script(void)
{
    vp_err err = {0};
    const char *path = write_script("no_room.lua", "return { balance = function() end }\n");
    vp_lua_policy *lp = load(VP_SLOT_BALANCE, path, 64, &err);
    write_script("no_room.lua",
        "local P = {}\nfunction P.balance(pool, ctx)\n"
        "  local t = {}\n"
        "  for _, v in ipairs(pool:vms()) do\n"
        "    if v.state == 'running' then t[#t + 1] = {vm = v, to = pool:host('h1')} end\n"
        "  end\n"
        "  return t\nend\nreturn P\n");
    vp_pool *pool = make_pool();
    const char *vms[] = {"w0", "w1", "w2", "w3"};
    for (int i = 0; i < 4; i++) {
        vp_id v = vp_pool_add_vm(pool, vms[i], vp_res_make(1, 1024, 0, 0), NULL);
        CHECK_EQ_INT(vp_pool_allocate(pool, v, 2, NULL), 0);
    }
    CHECK_EQ_INT(vp_lua_policy_reload(lp, VP_SLOT_BALANCE, pool, &err), -1); /* dry run */
    CHECK_STR_HAS(err.text, "no_room.lua:2: balance returned an invalid result: move ");
    CHECK_STR_HAS(err.text, "move 5: VM 'w2' needs 1 cpu, host 'h1' has 0 left");
    vp_lua_policy_free(lp);
    vp_pool_free(pool);
}

/* A placement script's order() must return exactly the VMs it got. */
static void test_bad_order(void)
{
    static const char *const bodies[] = {"return {vms[1]}", "return {vms[1], vms[1], vms[3]}",
                                         "return {vms[1], 'x', vms[3]}", "return vms"};
    static const char *const says[] = {"order must return a list of the 3 VMs",
                                       "exactly once", "item 2 is not a Vm", NULL};
    vp_pool *pool = make_pool();
    for (int k = 0; k < 4; k++) {
        char text[512], name[32];
        vp_err err = {0};
        snprintf(text, sizeof text, "local P = {}\nfunction P.place(vm, hosts) return hosts[1] end\n"
                 "function P.order(vms, ctx)\n  %s\nend\nreturn P\n", bodies[k]);
        snprintf(name, sizeof name, "order_%d.lua", k);
        const char *path = write_script(name, text);
        vp_lua_policy *lp = load(VP_SLOT_PLACEMENT, path, 64, &err);
        const vp_policy *p = vp_lua_policy_slots(lp);
        vp_id vms[3] = {3, 2, 0};
        int rc = p->order(p->place_ctx, pool, vms, 3, &DC, &err);
        if (says[k]) {
            CHECK_EQ_INT(rc, -1);
            CHECK_STR_HAS(err.text, says[k]);
            CHECK_STR_HAS(err.text, path);
            CHECK_STR_HAS(err.text, "order returned an invalid result");
            CHECK_EQ_INT(err.line, 3); /* where order() is defined, not place() */
        } else {
            CHECK_EQ_INT(rc, 0);
            CHECK(vms[0] == 3 && vms[1] == 2 && vms[2] == 0);
        }
        vp_lua_policy_free(lp);
    }
    vp_pool_free(pool);
}

/* A placement script's place_batch(): one Host, false or nil per VM,
 * among the hosts given (here h1 and h2; vms[3] runs on h0); reasons are
 * strings.  A script without it has no opinion (1). */
static void test_place_batch(void)
{
    static const char *const bodies[] = {
        "return {hosts[2], false, nil}, {'two'}", "return 'x'", "return {hosts[1], vms[1]}",
        "return {vms[3].host}", "return {hosts[1]}, {42}", "error('nope')"};
    static const char *const says[] = {NULL, "expected a list of hosts (one per VM), got string",
                                       "item 2: expected a Host, false or nil, got Vm",
                                       "item 1: host 'h0' is not among the hosts given",
                                       "reason 1: expected a string or nil, got number", "nope"};
    vp_pool *pool = make_pool();
    vp_id vms[3] = {2, 3, 1}, hosts[2] = {1, 2};
    vp_place_result out[3];
    for (int k = 0; k < 6; k++) {
        char text[512], name[32];
        vp_err err = {0};
        snprintf(text, sizeof text,
                 "local P = {}\nfunction P.place(vm, hosts) return hosts[1] end\n"
                 "function P.place_batch(vms, hosts, ctx)\n  %s\nend\nreturn P\n", bodies[k]);
        snprintf(name, sizeof name, "batch_%d.lua", k);
        const char *path = write_script(name, text);
        vp_lua_policy *lp = load(VP_SLOT_PLACEMENT, path, 64, &err);
        const vp_policy *p = vp_lua_policy_slots(lp);
        int rc = p->place_batch(p->place_ctx, pool, vms, 3, hosts, 2, &DC, out, &err);
        if (says[k]) {
            CHECK_EQ_INT(rc, -1);
            CHECK_STR_HAS(err.text, says[k]);
            CHECK_STR_HAS(err.text, path);
        } else {
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_INT(out[0].host, 2);
            CHECK_EQ_INT(out[1].host, VP_NONE);
            CHECK_EQ_INT(out[2].host, VP_NONE);
            CHECK_STR_HAS(out[0].reason, "two");
        }
        vp_lua_policy_free(lp);
    }
    vp_err err = {0};
    vp_lua_policy *lp = load(VP_SLOT_PLACEMENT, write_script("no_batch.lua",
                             "return {place = function() end}\n"), 64, &err);
    const vp_policy *p = vp_lua_policy_slots(lp);
    CHECK_EQ_INT(p->place_batch(p->place_ctx, pool, vms, 3, hosts, 2, &DC, out, &err), 1);
    vp_lua_policy_free(lp);
    vp_pool_free(pool);
}

/* require "vmpilot.x" loads lib_dir/vmpilot/x.lua (as plain Lua would
 * with lib_dir/?.lua on package.path); a module in the policy's folder is
 * found too; both run in the sandbox. */
static void test_require(void)
{
    char lib[300], sub[320];
    vp_err err = {0};
    snprintf(lib, sizeof lib, "%s/lib", dir);
    snprintf(sub, sizeof sub, "%s/vmpilot", lib);
    CHECK(mkdir(lib, 0755) == 0 && mkdir(sub, 0755) == 0);
    write_script("lib/vmpilot/pick.lua", "return { first = function(hosts) return hosts[1] end }\n");
    write_script("near.lua", "return { why = 'from the folder' }\n");
    const char *path = write_script("req.lua",
        "local pick, near = require 'vmpilot.pick', require 'near'\n"
        "return { place = function(vm, hosts) return pick.first(hosts), near.why end }\n");
    vp_lua_opts o;
    vp_lua_opts_from_config(&o, NULL);
    o.paths[VP_SLOT_PLACEMENT] = path;
    o.lib_dir = lib;
    vp_lua_policy *lp = vp_lua_policy_new(&o, &err);
    CHECK(lp != NULL);
    vp_pool *pool = make_pool();
    vp_place_result r;
    CHECK_EQ_INT(lp ? place(lp, pool, 2, &r, &err) : -1, 0);
    CHECK_STR_HAS(r.reason, "from the folder");
    vp_lua_policy_free(lp);
    vp_pool_free(pool);
    snprintf(sub, sizeof sub, "%s/lib/vmpilot/pick.lua", dir);
    unlink(sub);
    snprintf(sub, sizeof sub, "%s/vmpilot", lib);
    rmdir(sub);
    rmdir(lib);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    test_runaway();
    test_forbidden();
    test_binary_file();
    test_error_in_each_slot();
    test_bad_returns();
    test_stale_proxy();
    test_reload_broken();
    test_engine_refusals_name_script();
    test_no_room_names_script();
    test_bad_order();
    test_place_batch();
    test_require();
    for (int i = 0; i < nfiles; i++)
        unlink(files[i]);
    rmdir(dir);
    return CHECK_DONE();
}
