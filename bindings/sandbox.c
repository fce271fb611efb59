/*
 * sandbox.c - the policy sandbox: allowed libraries, environment per
 * script, `require` and `load` replacements, memory ceiling, instruction
 * budget, and protected calls with script:line: function errors.
 *
 * Provides: lb_box_* (sandbox.h).
 * Uses: Lua 5.4 (lauxlib, lualib), lb.h, err.h, blocks.h, POSIX stat.
 */
#include "sandbox.h"

#include "blocks.h"

#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HOOK_STEP 1000 /* instructions between two budget checks */

struct lb_box {
    size_t used, peak, limit;
    bool mem_hit;
    bool armed;   /* inside lb_box_call: the hook can report errors */
    lua_State *L; /* for the allocator to arm the hook */
    long budget, spent;
    bool budget_hit;
    const char *entry; /* name of the function lb_box_call calls, for errors */
    char policy_dir[1024];
    char lib_dir[1024];
    lb_view view;
    char modules[LB_MODULES_MAX][LB_MODULE_PATH]; /* files require loaded, in order */
    size_t nmodules;
    lb_blocks blocks; /* small freed blocks, for the next ones */
};

static lb_box *box_of(lua_State *L) { return *(lb_box **)lua_getextraspace(L); }

lb_view *lb_box_view(lua_State *L) { return &box_of(L)->view; }
size_t lb_box_memory(lua_State *L) { return box_of(L)->used; }

/* ====== memory ceiling ====== */

static void budget_hook(lua_State *L, lua_Debug *ar);

/* The ceiling is soft by an eighth: the first allocation over it arms
 * the hook, which raises at the very next instruction, so the error
 * names the script's line; allocations past the eighth fail outright
 * (Lua then raises "not enough memory", which carries no line). */
static bool over_ceiling(lb_box *b, size_t after)
{
    if (b->armed && !b->mem_hit)
        lua_sethook(b->L, budget_hook, LUA_MASKCOUNT, 1); /* safe anywhere, as in lua.c */
    b->mem_hit = true;
    return !b->armed || after > b->limit + b->limit / 8;
}

/* A block's size decides where it comes from and goes back to: small
 * ones through the box's block cache, the others through malloc. */
static void block_free(lb_box *b, void *p, size_t size)
{
    if (lb_block_small(size))
        lb_blocks_free(&b->blocks, p, size);
    else
        free(p);
}

static void *block_resize(lb_box *b, void *ptr, size_t old, size_t nsize)
{
    bool from = lb_block_small(old), to = lb_block_small(nsize);
    if (!ptr)
        return to ? lb_blocks_alloc(&b->blocks, nsize) : malloc(nsize);
    if (!from && !to)
        return realloc(ptr, nsize);
    if (from && to && lb_block_class(old) == lb_block_class(nsize))
        return ptr; /* the block already has room */
    void *p = to ? lb_blocks_alloc(&b->blocks, nsize) : malloc(nsize);
    if (p) {
        memcpy(p, ptr, old < nsize ? old : nsize);
        block_free(b, ptr, old);
    }
    return p;
}

static void *box_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lb_box *b = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr)
            block_free(b, ptr, old);
        b->used -= old;
        return NULL;
    }
    if (b->limit && nsize > old && b->used - old + nsize > b->limit &&
        over_ceiling(b, b->used - old + nsize))
        return NULL;
    void *p = block_resize(b, ptr, old, nsize);
    if (p) {
        b->used = b->used - old + nsize;
        if (b->used > b->peak)
            b->peak = b->used;
    }
    return p;
}

/* ====== instruction budget ====== */

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    lb_box *b = box_of(L);
    if (b->mem_hit) { /* armed by the allocator; fails again at every instruction */
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "memory ceiling of %I bytes reached", (lua_Integer)b->limit);
    }
    b->spent += HOOK_STEP;
    if (b->spent <= b->budget && !b->budget_hit)
        return;
    /* once blown, fail at every instruction so a pcall in the script
     * cannot swallow it */
    b->budget_hit = true;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "instruction budget exceeded (%I instructions per call)",
               (lua_Integer)b->budget);
}

static void budget_reset(lua_State *L)
{
    lb_box *b = box_of(L);
    if (b->limit && (b->mem_hit || b->used > b->limit)) {
        /* garbage of a call that hit the ceiling (it may sit just under
         * it: the failed allocation was not counted); finalizers run under
         * the hook (Lua turns their errors into warnings) */
        b->spent = 0;
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);
        lua_gc(L, LUA_GCCOLLECT);
    }
    b->spent = 0;
    b->budget_hit = false;
    b->mem_hit = false;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);
}

/* ====== environments ====== */

/* Registry keys. */
static const char BASE_KEY[] = "vmpilot.sandbox.base";
static const char LOADED_KEY[] = "vmpilot.sandbox.loaded";

static int env_newindex(lua_State *L)
{
    const char *name = lua_tostring(L, 2);
    return luaL_error(L, "assignment to global '%s' (policies may not set globals; "
                         "use a local)", name ? name : "?");
}

static int env_index(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, BASE_KEY);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) == LUA_TNIL && lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "unknown global '%s'", lua_tostring(L, 2));
    return 1;
}

/* Pushes a fresh environment: reads fall through to the sandbox base
 * (unknown names are errors), writes are errors. */
static void push_env(lua_State *L)
{
    lua_newtable(L);
    lua_newtable(L);
    lua_pushcfunction(L, env_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, env_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "sandbox environment");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* Loads path (text only) with its own environment; pushes the chunk. */
static int load_file(lua_State *L, const char *path)
{
    int rc = luaL_loadfilex(L, path, "t");
    if (rc != LUA_OK)
        return rc;
    push_env(L);
    lua_setupvalue(L, -2, 1);
    return LUA_OK;
}

/* ====== load and require ====== */

/* load(chunk [, name [, mode [, env]]]): text only, sandbox env by default. */
static int sb_load(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    const char *mode = luaL_optstring(L, 3, "t");
    if (strcmp(mode, "t") != 0)
        return luaL_error(L, "load: only text chunks are allowed (mode 't'), got '%s'", mode);
    if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (lua_isnoneornil(L, 4))
        push_env(L);
    else
        lua_pushvalue(L, 4);
    lua_setupvalue(L, -2, 1);
    return 1;
}

static bool valid_module_name(const char *name)
{
    if (!*name || *name == '.')
        return false;
    for (const char *p = name; *p; p++)
        if (!(*p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')) || (p[0] == '.' && (p[1] == '.' || !p[1])))
            return false;
    return true;
}

/* dir/name.lua with dots as slashes; false if no such file. */
static bool module_path(const char *dir, const char *name, char *out, size_t n)
{
    struct stat st;
    if (!dir[0] || snprintf(out, n, "%s/%s.lua", dir, name) >= (int)n)
        return false;
    for (char *p = out + strlen(dir) + 1; *p && strcmp(p, ".lua"); p++)
        if (*p == '.')
            *p = '/';
    return stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds name: "vmpilot" is preloaded; "vmpilot.x" is lib_dir/vmpilot/x.lua (the
 * same file plain Lua finds with lib_dir/?.lua on package.path); anything
 * else is policy_dir/<name>.lua. */
static bool find_module(lb_box *b, const char *name, char *out, size_t n)
{
    if (strncmp(name, "vmpilot.", 8) == 0)
        return module_path(b->lib_dir, name, out, n); /* lib_dir/vmpilot/x.lua */
    return module_path(b->policy_dir, name, out, n);
}

/* Remembers a file require loaded (a policy's version covers it and a
 * change to it reloads the policy); past LB_MODULES_MAX, it is not. */
static void note_module(lb_box *b, const char *path)
{
    if (b->nmodules < LB_MODULES_MAX)
        snprintf(b->modules[b->nmodules++], sizeof b->modules[0], "%s", path);
}

size_t lb_box_modules(lua_State *L, const char **out, size_t max)
{
    lb_box *b = box_of(L);
    size_t n = b->nmodules < max ? b->nmodules : max;
    for (size_t i = 0; i < n; i++)
        out[i] = b->modules[i];
    return n;
}

static int sb_require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    char path[2200];
    lua_getfield(L, LUA_REGISTRYINDEX, LOADED_KEY);
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    if (!valid_module_name(name))
        return luaL_error(L, "require: bad module name '%s'", name);
    if (!find_module(box_of(L), name, path, sizeof path))
        return luaL_error(L, "require: module '%s' not found (policies may require "
                             "\"vmpilot\", \"vmpilot.*\" and modules in their own folder)", name);
    if (load_file(L, path) != LUA_OK)
        return lua_error(L);
    note_module(box_of(L), path);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name);
    return 1;
}

/* ====== the base environment ====== */

static const char *const BASE_NAMES[] = {
    "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
    "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type",
    "xpcall", "_VERSION", "string", "table", "math", "utf8", NULL};

static void open_lib(lua_State *L, const char *name, lua_CFunction f)
{
    luaL_requiref(L, name, f, 1);
    lua_pop(L, 1);
}

/* The base table: allowed names from the opened libraries, os.time and
 * os.clock, our load and require.  The real globals are then cleared. */
static void build_base(lua_State *L)
{
    lua_newtable(L);
    for (const char *const *n = BASE_NAMES; *n; n++) {
        lua_getglobal(L, *n);
        lua_setfield(L, -2, *n);
    }
    lua_getglobal(L, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump"); /* no binary chunks out either */
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_getglobal(L, "os");
    lua_getfield(L, -1, "time");
    lua_setfield(L, -3, "time");
    lua_getfield(L, -1, "clock");
    lua_setfield(L, -3, "clock");
    lua_pop(L, 1);
    lua_setfield(L, -2, "os");
    lua_pushcfunction(L, sb_load);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, sb_require);
    lua_setfield(L, -2, "require");
    lua_setfield(L, LUA_REGISTRYINDEX, BASE_KEY); /* no _G: the base stays unreachable */
}

static void clear_globals(lua_State *L)
{
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
}

static int open_all(lua_State *L)
{
    lb_set_view(L, &box_of(L)->view);
    open_lib(L, LUA_GNAME, luaopen_base);
    open_lib(L, LUA_STRLIBNAME, luaopen_string);
    open_lib(L, LUA_TABLIBNAME, luaopen_table);
    open_lib(L, LUA_MATHLIBNAME, luaopen_math);
    open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
    open_lib(L, LUA_OSLIBNAME, luaopen_os);
    build_base(L);
    clear_globals(L);
    lua_newtable(L);
    lb_open_vmpilot(L, false);
    lua_setfield(L, -2, "vmpilot");
    lua_setfield(L, LUA_REGISTRYINDEX, LOADED_KEY);
    return 0;
}

lua_State *lb_box_new(const lb_box_opts *opts, vp_err *err)
{
    lb_box *b = calloc(1, sizeof *b);
    if (!b)
        return vp_err_set(err, "out of memory"), NULL;
    b->limit = opts->memory;
    b->budget = opts->instructions > HOOK_STEP ? opts->instructions : HOOK_STEP;
    snprintf(b->policy_dir, sizeof b->policy_dir, "%s", opts->policy_dir ? opts->policy_dir : "");
    snprintf(b->lib_dir, sizeof b->lib_dir, "%s", opts->lib_dir ? opts->lib_dir : "");
    lua_State *L = lua_newstate(box_alloc, b);
    if (!L) {
        lb_blocks_release(&b->blocks);
        free(b);
        return vp_err_set(err, "out of memory creating a Lua state"), NULL;
    }
    *(lb_box **)lua_getextraspace(L) = b;
    b->L = L;
    lua_pushcfunction(L, open_all);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        vp_err_set(err, "cannot set up the policy sandbox: %s", lua_tostring(L, -1));
        lb_box_close(L);
        return NULL;
    }
    return L;
}

void lb_box_close(lua_State *L)
{
    if (!L)
        return;
    lb_box *b = box_of(L);
    lb_forget_state(L);
    lua_close(L);
    lb_blocks_release(&b->blocks);
    free(b);
}

/* ====== protected calls ====== */

/* The name of the Lua function at level: its own name, the entry's name
 * for the function lb_box_call called, else "anonymous function". */
static const char *frame_name(lua_State *L, int level, const lua_Debug *ar)
{
    lua_Debug up;
    if (ar->name)
        return ar->name;
    for (int k = level + 1; lua_getstack(L, k, &up); k++) {
        lua_getinfo(L, "S", &up);
        if (up.what[0] != 'C')
            return "anonymous function"; /* called from Lua, unnamed */
    }
    return box_of(L)->entry ? box_of(L)->entry : "anonymous function";
}

/* Message handler: keeps the message, adds the innermost Lua function's
 * name ("in function 'place'") and records its source and line. */
static int msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = luaL_tolstring(L, 1, NULL);
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sln", &ar);
        if (ar.currentline <= 0)
            continue;
        lua_pushfstring(L, "%s\n@%s:%d:%s", msg, ar.short_src, ar.currentline,
                        frame_name(L, level, &ar));
        return 1;
    }
    lua_pushstring(L, msg);
    return 1;
}

/* Splits msgh's "message\n@src:line:fn" into err. */
static void fill_error(lua_State *L, int rc, vp_err *err)
{
    lb_box *b = box_of(L);
    const char *full = lua_tostring(L, -1);
    char msg[VP_ERR_TEXT], src[VP_ERR_SOURCE] = "", fn[64] = "?";
    int line = 0;
    snprintf(msg, sizeof msg, "%s", full ? full : "error object is not a string");
    char *at = strstr(msg, "\n@");
    if (at) {
        *at = '\0';
        char *l = strrchr(at + 2, ':'), *c = l ? l - 1 : NULL;
        snprintf(fn, sizeof fn, "%s", l ? l + 1 : "?");
        while (c && c > at + 2 && *c != ':')
            c--;
        if (l && c && *c == ':') {
            line = atoi(c + 1);
            snprintf(src, sizeof src, "%.*s", (int)(c - at - 2), at + 2);
        }
    }
    if (rc == LUA_ERRMEM) /* no handler ran: no position is known */
        vp_err_set(err, "memory ceiling of %zu bytes reached (in function '%s')", b->limit,
                   b->entry ? b->entry : fn);
    else if (src[0] && strncmp(msg, src, strlen(src)) != 0) /* e.g. raised by the hook */
        vp_err_set(err, "%s:%d: %s (in function '%s')", src, line, msg, fn);
    else if (src[0])
        vp_err_set(err, "%s (in function '%s')", msg, fn);
    else
        vp_err_set(err, "%s", msg);
    vp_err_at(err, src[0] ? src : NULL, line, 0, NULL);
}

void lb_box_set_entry(lua_State *L, const char *name) { box_of(L)->entry = name; }

int lb_box_call(lua_State *L, int nargs, int nresults, vp_err *err)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msgh);
    lua_insert(L, base);
    budget_reset(L);
    box_of(L)->armed = true;
    int rc = lua_pcall(L, nargs, nresults, base);
    box_of(L)->armed = false;
    lua_sethook(L, NULL, 0, 0);
    if (rc != LUA_OK) {
        fill_error(L, rc, err);
        lua_settop(L, base - 1);
    }
    box_of(L)->entry = NULL;
    if (rc != LUA_OK)
        return -1;
    lua_remove(L, base);
    return 0;
}

/* Protected body of lb_box_dofile: load (a syntax error is raised as
 * is, "path:line: message") then run the chunk. */
static int do_file(lua_State *L)
{
    const char *path = lua_touserdata(L, 1);
    lua_settop(L, 0);
    if (load_file(L, path) != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    return 1;
}

int lb_box_dofile(lua_State *L, const char *path, vp_err *err)
{
    lua_pushcfunction(L, do_file);
    lua_pushlightuserdata(L, (void *)path);
    lb_box_set_entry(L, "main chunk");
    if (lb_box_call(L, 1, 1, err) == 0)
        return 0;
    size_t n = strlen(path);
    if (!err->source[0]) /* a load error: "path:line: message" or a file error */
        vp_err_at(err, path, strncmp(err->text, path, n) == 0 && err->text[n] == ':'
                                 ? atoi(err->text + n + 1) : 0, 0, NULL);
    return -1;
}
