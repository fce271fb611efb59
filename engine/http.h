/*
 * http.h - an HTTP server on the engine's libev loop (GNU libmicrohttpd).
 *
 * Provides: vp_http, one libmicrohttpd daemon in its "external epoll"
 * mode driven by the caller's libev loop: the daemon's epoll fd is an
 * ev_io and its timeout an ev_timer, so every request is handled on the
 * loop thread (the thread that owns the pool) and no other thread ever
 * runs a handler.  A request is handed over complete: method, path, the
 * body (at most VP_HTTP_MAX_BODY bytes, else 413) and, for
 * application/x-www-form-urlencoded and multipart/form-data bodies that
 * parse, its form fields (MHD_create_post_processor).  With a token, every request
 * must carry "Authorization: Bearer TOKEN" (else 401, JSON body).
 * Uses: libmicrohttpd, libev, err.h.
 */
#ifndef VP_HTTP_H
#define VP_HTTP_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define VP_HTTP_MAX_BODY (1u << 20)

typedef struct vp_http vp_http;
typedef struct vp_http_req vp_http_req;

/* The request's method ("GET", ...) and path (no query string). */
const char *vp_http_method(const vp_http_req *r);
const char *vp_http_path(const vp_http_req *r);
/* The raw body (not NUL-terminated; len may be 0). */
const char *vp_http_body(const vp_http_req *r, size_t *len);
/* True if the body was a form (urlencoded or multipart) that parsed. */
bool vp_http_is_form(const vp_http_req *r);
/* A form field (the first of that name), or a query argument when the
 * form has no such field; NULL if neither. */
const char *vp_http_arg(const vp_http_req *r, const char *name);
/* A request header, or NULL. */
const char *vp_http_header(const vp_http_req *r, const char *name);

/* What a handler answers: a status and a body it malloc'd (taken over
 * and freed by the server), with its content type (static string). */
typedef struct vp_http_resp {
    unsigned status;
    char *body;
    const char *type;
} vp_http_resp;

typedef void (*vp_http_handler)(void *ud, const vp_http_req *req, vp_http_resp *resp);

/* Where to listen: TCP on ip:port (port 0 = a free one), or a unix
 * socket at path (an old socket file there is replaced). */
typedef struct vp_http_listen {
    const char *ip;   /* IPv4 or IPv6 address (no brackets), NULL for a unix socket */
    int port;
    const char *path; /* unix socket, or NULL */
} vp_http_listen;

/* Starts listening now; requests are served while loop runs.  token may
 * be NULL (no authentication).  NULL with err on failure. */
vp_http *vp_http_start(struct ev_loop *loop, const vp_http_listen *where, const char *token,
                       vp_http_handler handler, void *ud, vp_err *err) VP_WUR;

/* The TCP port actually bound (useful with port 0); 0 for a unix socket. */
int vp_http_port(const vp_http *h);

/* Closes every connection and the listener (removes a unix socket file).
 * NULL is a no-op. */
void vp_http_stop(vp_http *h);

#endif
