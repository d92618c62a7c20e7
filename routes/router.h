/* router.h - the API routing table: method + pattern -> handler, with authentication and permissions. */
#ifndef HW_ROUTER_H
#define HW_ROUTER_H

#include <h2o.h>
#include <stdbool.h>

#include "app.h"
#include "auth.h"
#include "store.h"

#define ROUTE_MAX_PARAMS 4

typedef struct route_ctx route_ctx;

/* A handler answers through json_reply()/json_error() now or after a route_write(). Returns 0. */
typedef int (*route_fn)(route_ctx *ctx);

typedef struct route {
    const char *method;  /* "GET", "POST"... */
    const char *pattern; /* "/api/v1/transports/{ref}/status" */
    auth_perm perm;
    route_fn fn;
} route;

/* One request in flight, allocated from req->pool. */
struct route_ctx {
    h2o_req_t *req; /* NULL once h2o disposed the request (client gone) */
    app *app;
    const char *route; /* the pattern, for logs and metrics */
    auth_user user;
    h2o_iovec_t params[ROUTE_MAX_PARAMS];
    size_t nparams;
    double started_ms;
    bool answered;
};

/* The table, in match order (routes.c defines it). */
extern const route router_table[];
extern const size_t router_table_len;

/* The h2o handler for everything under /api/v1: match, authenticate, dispatch. */
int router_on_req(h2o_handler_t *self, h2o_req_t *req);

/* Register the handler at `path` of `host`; `a` must outlive the server. */
void router_register(h2o_hostconf_t *host, const char *path, app *a);

/* Register a token-free GET route at `path` (e.g. /healthz); `path` must be a literal. */
void router_register_plain(h2o_hostconf_t *host, const char *path, app *a, route_fn fn);

/* Start a route context for handlers outside the table (/healthz, /metrics). */
route_ctx *router_ctx(h2o_req_t *req, app *a, const char *route);

/* Path parameter `i` as a NUL-terminated string in the request pool. */
const char *router_param(route_ctx *ctx, size_t i);

/*
 * Queue a write on the store's writer thread. `done` runs on the loop thread after
 * the commit, only if the request is still there and not already answered 503 by the
 * deadline. `arg` is owned by the call from now on: `free_arg` (may be NULL) frees it
 * after the job finished, whatever happened to the request.
 */
void route_write(route_ctx *ctx, store_write_fn fn, void *arg, void (*free_arg)(void *),
                 void (*done)(route_ctx *ctx, store_job *job, void *arg));

/* Answer the request once (later calls are ignored): body copied into the pool, then logged and counted. */
void router_send(route_ctx *ctx, int status, const char *content_type, const char *body, size_t len);

/* The request's method as a static string ("GET"... or "OTHER"). */
const char *router_method(h2o_req_t *req);

/* Log one line (method, route pattern, status, ms) and count it; no paths, no personal data. */
void router_log(const char *method, const char *route, int status, double ms, metrics *m);

#endif
