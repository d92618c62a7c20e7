/* router.c - the routing table of /api/v1, pattern matching, bearer-token checks and deferred replies. */
#include "router.h"

#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handlers.h"
#include "json.h"

const route router_table[] = {
    {"GET", "/api/v1/openapi.yaml", AUTH_PERM_PUBLIC, health_on_openapi},
    {"GET", "/api/v1/campaign", AUTH_PERM_READ, campaign_on_get},
    {"GET", "/api/v1/users", AUTH_PERM_COORDINATE, users_on_list},
    {"POST", "/api/v1/users", AUTH_PERM_ADMIN, users_on_create},
    {"POST", "/api/v1/users/{id}/revoke", AUTH_PERM_COORDINATE, users_on_revoke},
    {"POST", "/api/v1/imports/{kind}", AUTH_PERM_COORDINATE, imports_on_post},
    {"GET", "/api/v1/allocations", AUTH_PERM_COORDINATE, allocations_on_list},
    {"POST", "/api/v1/allocations", AUTH_PERM_COORDINATE, allocations_on_post},
    {"GET", "/api/v1/jobs/{id}", AUTH_PERM_COORDINATE, jobs_on_get},
    {"GET", "/api/v1/tickets/{code}", AUTH_PERM_CHECKIN, tickets_on_get},
    {"GET", "/api/v1/tickets/{code}/qr.svg", AUTH_PERM_CHECKIN, tickets_on_qr},
    {"GET", "/api/v1/tickets/{code}/pass", AUTH_PERM_CHECKIN, tickets_on_pass},
    {"POST", "/api/v1/checkins", AUTH_PERM_CHECKIN, checkins_on_post},
    {"POST", "/api/v1/checkins/batch", AUTH_PERM_CHECKIN, checkins_on_batch},
    {"GET", "/api/v1/checkins/search", AUTH_PERM_CHECKIN, checkins_on_search},
    {"POST", "/api/v1/checkins/{event_id}/annul", AUTH_PERM_CHECKIN, checkins_on_annul},
    {"POST", "/api/v1/devices/codes", AUTH_PERM_COORDINATE, devices_on_code},
    {"POST", "/api/v1/devices/claim", AUTH_PERM_PUBLIC, devices_on_claim},
    {"GET", "/api/v1/registrations", AUTH_PERM_COORDINATE, registrations_on_list},
    {"POST", "/api/v1/registrations", AUTH_PERM_COORDINATE, registrations_on_create},
    {"GET", "/api/v1/registrations/{id}", AUTH_PERM_COORDINATE, registrations_on_get},
    {"PATCH", "/api/v1/registrations/{id}", AUTH_PERM_COORDINATE, registrations_on_update},
    {"DELETE", "/api/v1/registrations/{id}", AUTH_PERM_COORDINATE, registrations_on_delete},
    {"GET", "/api/v1/transports", AUTH_PERM_READ, transports_on_list},
    {"POST", "/api/v1/transports", AUTH_PERM_COORDINATE, transports_on_create},
    {"GET", "/api/v1/transports/{ref}", AUTH_PERM_READ, transports_on_get},
    {"PATCH", "/api/v1/transports/{ref}", AUTH_PERM_COORDINATE, transports_on_update},
    {"DELETE", "/api/v1/transports/{ref}", AUTH_PERM_COORDINATE, transports_on_delete},
    {"POST", "/api/v1/transports/{ref}/status", AUTH_PERM_COORDINATE, transports_on_status},
    {"GET", "/api/v1/transports/{ref}/manifest", AUTH_PERM_CHECKIN, tickets_on_manifest},
    {"POST", "/api/v1/transports/{ref}/standby", AUTH_PERM_CHECKIN, standby_on_post},
    {"GET", "/api/v1/purchases", AUTH_PERM_COORDINATE, purchases_on_list},
    {"POST", "/api/v1/purchases", AUTH_PERM_COORDINATE, purchases_on_create},
    {"GET", "/api/v1/purchases/{id}", AUTH_PERM_COORDINATE, purchases_on_get},
    {"PATCH", "/api/v1/purchases/{id}", AUTH_PERM_COORDINATE, purchases_on_update},
    {"DELETE", "/api/v1/purchases/{id}", AUTH_PERM_COORDINATE, purchases_on_delete},
    {"GET", "/api/v1/subsidies", AUTH_PERM_COORDINATE, subsidies_on_list},
    {"POST", "/api/v1/subsidies", AUTH_PERM_COORDINATE, subsidies_on_create},
    {"GET", "/api/v1/subsidies/{id}", AUTH_PERM_COORDINATE, subsidies_on_get},
    {"PATCH", "/api/v1/subsidies/{id}", AUTH_PERM_COORDINATE, subsidies_on_update},
    {"DELETE", "/api/v1/subsidies/{id}", AUTH_PERM_COORDINATE, subsidies_on_delete},
    {"GET", "/api/v1/stats/item10", AUTH_PERM_STATS, stats_on_item10},
    {"POST", "/api/v1/reports", AUTH_PERM_REPORT, reports_on_post},
    {"GET", "/api/v1/stats/register", AUTH_PERM_STATS, stats_on_register},
};
const size_t router_table_len = sizeof router_table / sizeof router_table[0];

typedef struct api_handler {
    h2o_handler_t super;
    app *app;
} api_handler;

const char *router_method(h2o_req_t *req)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (h2o_memis(req->method.base, req->method.len, methods[i], strlen(methods[i])))
            return methods[i];
    return "OTHER";
}

void router_log(const char *method, const char *route, int status, double ms, metrics *m)
{
    char now[32];
    clock_now(now, sizeof now);
    fprintf(stderr, "%s %s %s %d %.1fms\n", now, method, route, status, ms);
    if (m != NULL)
        metrics_request(m, method, route, status, ms);
}

/* Match `path` against `pattern`, capturing {params}. Segments are compared whole. */
static bool match(const char *pattern, h2o_iovec_t path, h2o_iovec_t *params, size_t *nparams)
{
    const char *p = pattern, *s = path.base, *end = path.base + path.len;
    size_t n = 0;
    while (*p != '\0') {
        if (*p == '{') {
            const char *seg = s;
            while (s < end && *s != '/')
                s++;
            if (s == seg || n == ROUTE_MAX_PARAMS)
                return false;
            params[n++] = h2o_iovec_init(seg, (size_t)(s - seg));
            while (*p != '\0' && *p != '}')
                p++;
            if (*p == '}')
                p++;
            continue;
        }
        if (s == end || *p != *s)
            return false;
        p++;
        s++;
    }
    if (s < end && !(s + 1 == end && *s == '/'))
        return false;
    *nparams = n;
    return true;
}

void router_send(route_ctx *ctx, int status, const char *content_type, const char *body, size_t len)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_req_t *req = ctx->req;
    if (ctx->answered || req == NULL)
        return;
    ctx->answered = true;
    router_log(router_method(req), ctx->route, status, clock_mono_ms() - ctx->started_ms, ctx->app->metrics);
    req->res.status = status;
    req->res.reason = status < 400 ? "OK" : "Error";
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type, strlen(content_type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_iovec_t chunk = h2o_strdup(&req->pool, body, len);
    h2o_start_response(req, &generator);
    h2o_send(req, &chunk, 1, 1);
}

route_ctx *router_ctx(h2o_req_t *req, app *a, const char *route)
{
    route_ctx *ctx = h2o_mem_alloc_pool(&req->pool, sizeof *ctx);
    memset(ctx, 0, sizeof *ctx);
    ctx->req = req;
    ctx->app = a;
    ctx->route = route;
    ctx->started_ms = clock_mono_ms();
    return ctx;
}

const char *router_param(route_ctx *ctx, size_t i)
{
    if (i >= ctx->nparams || ctx->req == NULL)
        return "";
    return h2o_strdup(&ctx->req->pool, ctx->params[i].base, ctx->params[i].len).base;
}

static const char *bearer_token(h2o_req_t *req, char *buf, size_t n)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = req->headers.entries[i].value;
    if (v.len <= 7 || strncasecmp(v.base, "Bearer ", 7) != 0 || v.len - 7 >= n)
        return NULL;
    memcpy(buf, v.base + 7, v.len - 7);
    buf[v.len - 7] = '\0';
    return buf;
}

/* 401 without a valid token, 403 when the role lacks the route's permission. */
static bool authorize(route_ctx *ctx, const route *r)
{
    char buf[AUTH_TOKEN_MAX + 8];
    hw_error err;
    const char *token = bearer_token(ctx->req, buf, sizeof buf);
    if (token == NULL) {
        h2o_add_header(&ctx->req->pool, &ctx->req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL, H2O_STRLIT("Bearer"));
        json_error(ctx, 401, "unauthorized", "需要令牌:Authorization: Bearer TOKEN (a bearer token is required)", NULL);
        return false;
    }
    if (auth_lookup(ctx->app->rdb, token, &ctx->user, &err) != 0) {
        json_fail(ctx, &err);
        return false;
    }
    if (!auth_allows(ctx->user.role, r->perm)) {
        json_error(ctx, 403, "forbidden", "此角色无权执行该操作 (this role may not do that)", NULL);
        return false;
    }
    return true;
}

static void method_not_allowed(route_ctx *ctx, h2o_iovec_t path)
{
    char allow[64] = "";
    size_t used = 0;
    h2o_iovec_t params[ROUTE_MAX_PARAMS];
    size_t n;
    for (size_t i = 0; i < router_table_len; i++)
        if (match(router_table[i].pattern, path, params, &n) && used + 10 < sizeof allow)
            used += (size_t)snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "",
                                     router_table[i].method);
    h2o_add_header(&ctx->req->pool, &ctx->req->res.headers, H2O_TOKEN_ALLOW, NULL, allow, used);
    json_error(ctx, 405, "method_not_allowed", "不支持此方法 (method not allowed)", NULL);
}

int router_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    api_handler *h = (api_handler *)self;
    h2o_iovec_t path = req->path_normalized;
    bool path_known = false;
    route_ctx *ctx = router_ctx(req, h->app, "(unmatched)");
    for (size_t i = 0; i < router_table_len; i++) {
        const route *r = &router_table[i];
        if (!match(r->pattern, path, ctx->params, &ctx->nparams))
            continue;
        path_known = true;
        ctx->route = r->pattern;
        if (!h2o_memis(req->method.base, req->method.len, r->method, strlen(r->method)))
            continue;
        if (r->perm == AUTH_PERM_PUBLIC || authorize(ctx, r))
            r->fn(ctx);
        return 0;
    }
    if (path_known)
        method_not_allowed(ctx, path);
    else
        json_error(ctx, 404, "not_found", "没有这个接口 (no such API route)", NULL);
    return 0;
}

void router_register(h2o_hostconf_t *host, const char *path, app *a)
{
    h2o_pathconf_t *pc = h2o_config_register_path(host, path, 0);
    api_handler *h = (api_handler *)h2o_create_handler(pc, sizeof *h);
    h->super.on_req = router_on_req;
    h->app = a;
}

typedef struct plain_handler {
    h2o_handler_t super;
    app *app;
    const char *route;
    route_fn fn;
} plain_handler;

static int plain_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    plain_handler *h = (plain_handler *)self;
    route_ctx *ctx = router_ctx(req, h->app, h->route);
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET, HEAD"));
        json_error(ctx, 405, "method_not_allowed", "不支持此方法 (method not allowed)", NULL);
        return 0;
    }
    return h->fn(ctx);
}

void router_register_plain(h2o_hostconf_t *host, const char *path, app *a, route_fn fn)
{
    h2o_pathconf_t *pc = h2o_config_register_path(host, path, 0);
    plain_handler *h = (plain_handler *)h2o_create_handler(pc, sizeof *h);
    h->super.on_req = plain_on_req;
    h->app = a;
    h->route = path;
    h->fn = fn;
}

/* A write in flight: lives until the job is done and its timer is closed. */
typedef struct pending {
    store_job job;
    route_ctx *ctx; /* NULL once the request is gone or was answered by the deadline */
    struct pending **slot; /* in the request's pool; NULL once the request is gone */
    void *arg;
    void (*free_arg)(void *);
    void (*done)(route_ctx *ctx, store_job *job, void *arg);
    uv_timer_t timer;
} pending;

static void on_req_dispose(void *slot)
{
    pending *p = *(pending **)slot;
    if (p != NULL) {
        p->ctx = NULL;
        p->slot = NULL;
    }
}

static void pending_free(uv_handle_t *timer)
{
    pending *p = timer->data;
    if (p->free_arg != NULL)
        p->free_arg(p->arg);
    free(p);
}

static void on_deadline(uv_timer_t *timer)
{
    pending *p = timer->data;
    if (p->ctx != NULL && !p->ctx->answered)
        json_error(p->ctx, 503, "timeout",
                   "处理超时,请稍后用同一请求重试 (timed out; retry the same request later)", NULL);
    p->ctx = NULL;
}

static void on_job_done(store_job *job)
{
    pending *p = (pending *)job;
    uv_timer_stop(&p->timer);
    if (p->slot != NULL)
        *p->slot = NULL; /* the request may outlive us: its destructor must not touch p */
    if (p->ctx != NULL && p->ctx->req != NULL && !p->ctx->answered)
        p->done(p->ctx, job, p->arg);
    uv_close((uv_handle_t *)&p->timer, pending_free);
}

void route_write(route_ctx *ctx, store_write_fn fn, void *arg, void (*free_arg)(void *),
                 void (*done)(route_ctx *ctx, store_job *job, void *arg))
{
    pending *p = calloc(1, sizeof *p);
    if (p == NULL) {
        if (free_arg != NULL)
            free_arg(arg);
        json_error(ctx, 500, "out_of_memory", "内存不足 (out of memory)", NULL);
        return;
    }
    *p = (pending){.job = {.fn = fn, .arg = arg, .done = on_job_done}, .ctx = ctx, .arg = arg,
                   .free_arg = free_arg, .done = done};
    pending **slot = h2o_mem_alloc_shared(&ctx->req->pool, sizeof *slot, on_req_dispose);
    *slot = p;
    p->slot = slot;
    uv_timer_init(ctx->app->loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, on_deadline, ctx->app->request_deadline_ms, 0);
    store_submit(ctx->app->store, &p->job);
}
