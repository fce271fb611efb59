/*
 * fuzz_api.c - libFuzzer target: raw bytes as one HTTP request to the
 * control API (libmicrohttpd's request parsing, the post processor, the
 * routes, their JSON and form handling, the engine calls behind them).
 *
 * Provides: LLVMFuzzerTestOneInput.  Once: a pool of two hosts (8 CPUs,
 * 16 GiB), an engine with the plain-C stand-in policies and a stub driver
 * whose creates and destroys succeed, and vp_api listening on a unix
 * socket of a temporary folder, all on one libev loop.  Per input: a
 * client connects, writes the bytes and reads until the server closes
 * the connection or stays quiet, then closes it; then the
 * driver's completions run, the pool's invariants are checked (a
 * violation aborts, which libFuzzer reports) and the pool is emptied
 * again, so every input meets the same state.
 * Uses: api.h, engine.h, pool.h, clock.h, config.h, policy.h, libev.
 */
#include <ev.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"

/* ====== a driver whose operations succeed on the next flush ====== */

typedef struct stub {
    vp_driver base;
    vp_driver_done_cb done[64];
    void *ud[64];
    size_t n;
} stub;

static int later(vp_driver *d, vp_driver_done_cb done, void *ud, vp_err *err)
{
    stub *s = (stub *)d;
    if (s->n == 64)
        return vp_err_set(err, "stub: too many operations in flight");
    s->done[s->n] = done;
    s->ud[s->n++] = ud;
    return 0;
}

static int st_create(vp_driver *d, vp_id vm, vp_id host, vp_driver_done_cb done, void *ud,
                     vp_err *err)
{
    return later(d, done, ud, err);
}

static int st_destroy(vp_driver *d, vp_id vm, vp_driver_done_cb done, void *ud, vp_err *err)
{
    return later(d, done, ud, err);
}

static int st_migrate(vp_driver *d, vp_id vm, vp_id dst, vp_driver_done_cb done, void *ud,
                      vp_err *err)
{
    return vp_err_set(err, "stub: no migrations");
}

static int st_sample(vp_driver *d, vp_id host, vp_driver_sample_cb cb, void *ud, vp_err *err)
{
    return 0;
}

static void flush(stub *s)
{
    while (s->n > 0) {
        s->n--;
        s->done[s->n](s->ud[s->n], 0, NULL);
    }
}

static const vp_driver_ops stub_ops = {.name = "stub", .create = st_create,
                                       .destroy = st_destroy, .migrate = st_migrate,
                                       .sample = st_sample};

/* ====== the world, built once ====== */

static struct {
    struct ev_loop *loop;
    vp_config *cfg;
    vp_pool *pool;
    vp_clock *clock;
    stub drv;
    vp_policy pol;
    vp_engine *eng;
    vp_api *api;
    char sock[108];
} w;

static void status(void *ud, vp_slot slot, vp_api_slot *out)
{
    *out = (vp_api_slot){"stand-in", "0", "builtin", "", 0, 0, 0, 0};
}

static int reload(void *ud, vp_slot slot, vp_err *err) { return 1; }

static const char CONFIG[] =
    "{\"hosts\": [{\"name\": \"a\", \"uri\": \"test:///default\"},"
    " {\"name\": \"b\", \"uri\": \"test:///default\"}],"
    " \"vm_types\": [{\"name\": \"small\", \"cpu\": 1, \"memory\": 512}],"
    " \"api\": {\"listen\": \"none\", \"unix_socket\": \"/tmp/x\"}}";

static void build(void)
{
    vp_err err = {0};
    char dir[] = "/tmp/vp_fuzz_api_XXXXXX";
    w.loop = ev_default_loop(0);
    if (!mkdtemp(dir) || !(w.cfg = vp_config_load_string(CONFIG, "fuzz", NULL, &err)))
        abort();
    snprintf(w.sock, sizeof w.sock, "%s/api.sock", dir);
    free(w.cfg->api.unix_socket);
    w.cfg->api.unix_socket = strdup(w.sock);
    w.pool = vp_pool_new();
    for (int i = 0; i < 2; i++)
        if (vp_pool_add_host(w.pool, i ? "b" : "a", vp_res_make(8, 16384, 0, 0),
                             vp_res_make(1, 1, 1, 1), &err) == VP_NONE)
            abort();
    w.clock = vp_clock_new_ev(w.loop);
    w.drv.base.ops = &stub_ops;
    vp_policy_builtin(&w.pol, NULL);
    vp_engine_params prm = {300, 300, 300, 2, 0, 0, 0, 0};
    w.eng = vp_engine_new(w.pool, w.clock, &w.drv.base, &w.pol, &prm, &err);
    vp_api_params ap = {w.cfg, "none", {NULL, status, reload}, true};
    if (!w.eng || !(w.api = vp_api_start(w.loop, w.eng, &ap, &err)))
        abort();
}

/* ====== one request ====== */

static int connect_client(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    strcpy(sa.sun_path, w.sock);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa))
        abort();
    return fd;
}

/* Writes what the socket takes now; the number of bytes written. */
static size_t push(int fd, const uint8_t *d, size_t n)
{
    ssize_t k = n ? send(fd, d, n, MSG_NOSIGNAL) : 0;
    return k > 0 ? (size_t)k : 0;
}

/* Reads what is there: 1 if something came, 0 if nothing, -1 once the
 * server has closed. */
static int drain(int fd)
{
    char buf[4096];
    ssize_t k;
    int got = 0;
    while ((k = recv(fd, buf, sizeof buf, 0)) > 0)
        got = 1;
    if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        return -1;
    return got;
}

/* Sends the input and reads answers until the server closes or has been
 * quiet for a while (it may be waiting for bytes that never come); then
 * closes the client side (a half-close would leave libmicrohttpd waiting
 * for the rest of a body until its connection timeout). */
static void exchange(const uint8_t *d, size_t n)
{
    int fd = connect_client();
    size_t off = 0;
    for (int i = 0, idle = 0; i < 20000 && idle < 40; i++) {
        size_t k = push(fd, d + off, n - off);
        off += k;
        ev_run(w.loop, EVRUN_NOWAIT);
        int got = drain(fd);
        if (got < 0)
            break;
        idle = k || got ? 0 : idle + 1;
    }
    close(fd);
    for (int i = 0; i < 4; i++)
        ev_run(w.loop, EVRUN_NOWAIT); /* the server sees the close */
}

/* Every input starts from the same pool: no VMs, both hosts up. */
static void reset(void)
{
    for (vp_id id = 0; id < vp_pool_vm_end(w.pool); id++)
        if (vp_pool_vm(w.pool, id) && vp_engine_remove_vm(w.eng, id, "fuzz", NULL))
            abort();
    flush(&w.drv);
    for (vp_id h = 0; h < vp_pool_host_end(w.pool); h++)
        (void)vp_pool_set_host_state(w.pool, h, VP_HOST_UP, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_err err = {0};
    if (!w.loop)
        build();
    exchange(data, size);
    flush(&w.drv);
    if (vp_pool_check(w.pool, &err)) {
        fprintf(stderr, "pool invariant broken: %s\n", err.text);
        abort();
    }
    reset();
    return 0;
}
