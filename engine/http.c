/*
 * http.c - libmicrohttpd on the engine's libev loop (see http.h).
 *
 * Provides: vp_http_start/_port/_stop and the request accessors.
 * Uses: libmicrohttpd (MHD_USE_EPOLL without an internal thread: the
 * caller polls), libev (ev_io on the daemon's epoll fd, ev_timer on
 * MHD_get_timeout), POSIX sockets (the listener is bound here, so a
 * failure names errno), err.h.
 *
 * After every MHD_run the timer is re-armed from MHD_get_timeout, as
 * libmicrohttpd requires in external polling mode.  The listening socket
 * is created and bound here and handed to the daemon
 * (MHD_OPTION_LISTEN_SOCKET); MHD_stop_daemon closes it.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "array.h"

#define CONN_TIMEOUT_S 30u

struct vp_http {
    struct MHD_Daemon *d;
    struct ev_loop *loop;
    ev_io io;
    ev_timer tm;
    char *token;
    char *unix_path;
    int port;
    vp_http_handler handler;
    void *ud;
};

typedef struct field {
    char *key, *val;
    size_t len;
} field;

struct vp_http_req {
    struct MHD_Connection *conn;
    const char *method, *path; /* libmicrohttpd's, valid for the request */
    char *body;
    size_t len, cap;
    bool too_big;
    bool form_bad; /* the form parser gave up: the body is kept raw only */
    struct MHD_PostProcessor *pp;
    field *fields;
    size_t nf, capf;
};

/* ====== requests ====== */

const char *vp_http_method(const vp_http_req *r) { return r->method; }
const char *vp_http_path(const vp_http_req *r) { return r->path; }
bool vp_http_is_form(const vp_http_req *r) { return r->pp && !r->form_bad; }

const char *vp_http_body(const vp_http_req *r, size_t *len)
{
    *len = r->len;
    return r->body ? r->body : "";
}

const char *vp_http_arg(const vp_http_req *r, const char *name)
{
    for (size_t i = 0; i < r->nf; i++)
        if (!strcmp(r->fields[i].key, name))
            return r->fields[i].val;
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *vp_http_header(const vp_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Appends n bytes to *buf (length *len, allocated *cap), NUL-terminated. */
static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (vp_array_reserve((void **)buf, cap, *len + n + 1, 1))
        return -1;
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

/* A new field, or the last one when the value continues (off > 0). */
static field *field_for(vp_http_req *r, const char *key, uint64_t off)
{
    if (off > 0 && r->nf && !strcmp(r->fields[r->nf - 1].key, key))
        return &r->fields[r->nf - 1];
    if (vp_array_reserve((void **)&r->fields, &r->capf, r->nf + 1, sizeof *r->fields))
        return NULL;
    field *f = &r->fields[r->nf];
    *f = (field){strdup(key), NULL, 0};
    if (!f->key)
        return NULL;
    r->nf++;
    return f;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *ctype, const char *enc,
                                const char *data, uint64_t off, size_t size)
{
    vp_http_req *r = cls;
    if (!key)
        return MHD_YES; /* a multipart part without a name: not a field */
    field *f = field_for(r, key, off);
    size_t cap = f && f->val ? f->len + 1 : 0;
    if (!f || append(&f->val, &f->len, &cap, data ? data : "", data ? size : 0))
        return MHD_NO;
    return MHD_YES;
}

static vp_http_req *req_new(struct MHD_Connection *c, const char *url, const char *method)
{
    vp_http_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->conn = c;
    r->path = url;
    r->method = method;
    r->pp = MHD_create_post_processor(c, 4096, on_field, r); /* NULL: not a form */
    return r;
}

static void req_free(vp_http_req *r)
{
    if (!r)
        return;
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    for (size_t i = 0; i < r->nf; i++) {
        free(r->fields[i].key);
        free(r->fields[i].val);
    }
    free(r->fields);
    free(r->body);
    free(r);
}

/* Takes in a piece of the body: kept raw, and parsed if it is a form
 * (a JSON body sent with curl -d's default form type stays usable raw). */
static void req_feed(vp_http_req *r, const char *data, size_t n)
{
    if (r->too_big || r->len + n > VP_HTTP_MAX_BODY ||
        append(&r->body, &r->len, &r->cap, data, n)) {
        r->too_big = true;
        return;
    }
    if (r->pp && !r->form_bad && MHD_post_process(r->pp, data, n) != MHD_YES)
        r->form_bad = true;
}

/* ====== responses ====== */

static enum MHD_Result queue(struct MHD_Connection *c, vp_http_resp *resp)
{
    const char *body = resp->body ? resp->body : "";
    struct MHD_Response *m = MHD_create_response_from_buffer(
        strlen(body), resp->body ? (void *)body : (void *)"",
        resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!m)
        return free(resp->body), MHD_NO;
    MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->type ? resp->type : "application/json");
    enum MHD_Result rc = MHD_queue_response(c, resp->status, m);
    MHD_destroy_response(m);
    return rc;
}

static enum MHD_Result queue_error(struct MHD_Connection *c, unsigned status, const char *error,
                                   const char *detail)
{
    vp_http_resp resp = {status, NULL, "application/json"};
    size_t n = strlen(error) + strlen(detail) + 32;
    if ((resp.body = malloc(n)))
        snprintf(resp.body, n, "{\"error\": \"%s\", \"detail\": \"%s\"}\n", error, detail);
    return queue(c, &resp);
}

/* ====== the access handler ====== */

/* Compares a and b without stopping at the first difference. */
static bool same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char diff = na != nb;
    for (size_t i = 0; i < na; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
    return diff == 0;
}

static bool authorized(const vp_http *h, struct MHD_Connection *c)
{
    if (!h->token)
        return true;
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return v && !strncmp(v, "Bearer ", 7) && same_secret(v + 7, h->token);
}

static enum MHD_Result first_call(vp_http *h, struct MHD_Connection *c, const char *url,
                                  const char *method, void **con_cls)
{
    vp_http_req *r = req_new(c, url, method);
    if (!r)
        return MHD_NO;
    *con_cls = r;
    if (!authorized(h, c))
        return queue_error(c, MHD_HTTP_UNAUTHORIZED, "unauthorized",
                           "this server needs the header 'Authorization: Bearer TOKEN'");
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    vp_http *h = cls;
    vp_http_req *r = *con_cls;
    if (!r)
        return first_call(h, c, url, method, con_cls);
    if (*size) {
        req_feed(r, data, *size);
        *size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        return queue_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body too large",
                           "the body is larger than 1 MiB");
    vp_http_resp resp = {MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "application/json"};
    h->handler(h->ud, r, &resp);
    return queue(c, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req_free(*con_cls);
    *con_cls = NULL;
}

/* ====== the loop ====== */

static void rearm(vp_http *h)
{
    MHD_UNSIGNED_LONG_LONG ms;
    ev_timer_stop(h->loop, &h->tm);
    if (MHD_get_timeout(h->d, &ms) == MHD_YES) {
        ev_timer_set(&h->tm, (double)ms / 1000.0, 0);
        ev_timer_start(h->loop, &h->tm);
    }
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
    vp_http *h = w->data;
    MHD_run(h->d);
    rearm(h);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    vp_http *h = w->data;
    MHD_run(h->d);
    rearm(h);
}

/* ====== listening ====== */

static int sock_fail(int fd, vp_err *err, const char *what, const char *where)
{
    int e = errno;
    if (fd >= 0)
        close(fd);
    return vp_err_set(err, "cannot %s %s: %s", what, where, strerror(e));
}

/* w's address and port into sa (IPv6 when the address has a ':'); its
 * length, or 0 if the address does not parse. */
static socklen_t tcp_addr(const vp_http_listen *w, struct sockaddr_storage *sa)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
    memset(sa, 0, sizeof *sa);
    if (strchr(w->ip, ':')) {
        *v6 = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)w->port)};
        return inet_pton(AF_INET6, w->ip, &v6->sin6_addr) == 1 ? sizeof *v6 : 0;
    }
    *v4 = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)w->port)};
    return inet_pton(AF_INET, w->ip, &v4->sin_addr) == 1 ? sizeof *v4 : 0;
}

static int listen_tcp(const vp_http_listen *w, int *port, vp_err *err)
{
    char where[VP_ERR_FIELD];
    struct sockaddr_storage sa;
    socklen_t len = tcp_addr(w, &sa);
    bool v6 = sa.ss_family == AF_INET6;
    snprintf(where, sizeof where, v6 ? "[%s]:%d" : "%s:%d", w->ip, w->port);
    if (!len)
        return vp_err_set(err, "bad IP address '%s'", w->ip);
    int one = 1, fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one)) ||
        bind(fd, (struct sockaddr *)&sa, len) || listen(fd, 128) ||
        getsockname(fd, (struct sockaddr *)&sa, &len))
        return sock_fail(fd, err, "listen on", where);
    *port = ntohs(v6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                     : ((struct sockaddr_in *)&sa)->sin_port);
    return fd;
}

static int listen_unix(const char *path, vp_err *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    if (strlen(path) >= sizeof sa.sun_path)
        return vp_err_set(err, "unix socket path too long: %s", path);
    strcpy(sa.sun_path, path);
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket of an earlier run */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 128))
        return sock_fail(fd, err, "listen on unix socket", path);
    return fd;
}

static struct MHD_Daemon *start_daemon(vp_http *h, int fd)
{
    return MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
                            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S,
                            MHD_OPTION_END);
}

static int open_listener(vp_http *h, const vp_http_listen *where, vp_err *err)
{
    if (!where->path)
        return listen_tcp(where, &h->port, err);
    if (!(h->unix_path = strdup(where->path)))
        return vp_err_set(err, "out of memory");
    return listen_unix(where->path, err);
}

vp_http *vp_http_start(struct ev_loop *loop, const vp_http_listen *where, const char *token,
                       vp_http_handler handler, void *ud, vp_err *err)
{
    vp_http *h = calloc(1, sizeof *h);
    if (!h || (token && !(h->token = strdup(token))))
        return free(h), vp_err_set(err, "out of memory"), NULL;
    *h = (vp_http){.loop = loop, .token = h->token, .handler = handler, .ud = ud};
    int fd = open_listener(h, where, err);
    if (fd >= 0 && !(h->d = start_daemon(h, fd))) {
        close(fd);
        vp_err_set(err, "libmicrohttpd could not start on the listening socket");
    }
    const union MHD_DaemonInfo *info =
        h->d ? MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info)
        return vp_http_stop(h), NULL;
    ev_io_init(&h->io, on_io, info->epoll_fd, EV_READ);
    ev_timer_init(&h->tm, on_timer, 0, 0);
    h->io.data = h->tm.data = h;
    ev_io_start(loop, &h->io);
    rearm(h);
    return h;
}

int vp_http_port(const vp_http *h) { return h->port; }

void vp_http_stop(vp_http *h)
{
    if (!h)
        return;
    if (h->d) {
        ev_io_stop(h->loop, &h->io);
        ev_timer_stop(h->loop, &h->tm);
        MHD_stop_daemon(h->d);
    }
    if (h->unix_path && h->d)
        unlink(h->unix_path);
    free(h->unix_path);
    free(h->token);
    free(h);
}
