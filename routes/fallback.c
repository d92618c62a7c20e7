/* fallback.c - responses that h2o makes itself (static files, 404, 413, broken requests) get logged, counted, and enveloped. */
#include "fallback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "json.h"
#include "router.h"

typedef struct fallback_filter {
    h2o_filter_t super;
    app *app;
    const char *route;
} fallback_filter;

typedef struct replace_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
} replace_ostream;

static const char *status_code_word(int status, const char **message)
{
    switch (status) {
    case 400:
        *message = "请求格式错误 (malformed request)";
        return "bad_request";
    case 403:
        *message = "禁止访问 (forbidden)";
        return "forbidden";
    case 404:
        *message = "找不到该页面 (not found)";
        return "not_found";
    case 405:
        *message = "不支持此方法 (method not allowed)";
        return "method_not_allowed";
    case 413:
        *message = "请求体超过 1 MiB 上限 (request body larger than the 1 MiB limit)";
        return "body_too_large";
    default:
        *message = "请求失败 (request failed)";
        return "http_error";
    }
}

/* Drop whatever h2o produced and send our envelope once the original body is complete. */
static void replace_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    replace_ostream *r = (replace_ostream *)self;
    (void)bufs;
    (void)bufcnt;
    if (h2o_send_state_is_in_progress(state))
        h2o_ostream_send_next(self, req, NULL, 0, state);
    else
        h2o_ostream_send_next(self, req, &r->body, 1, state);
}

static h2o_ostream_t **envelope_response(h2o_req_t *req, h2o_ostream_t **slot)
{
    const char *message;
    const char *code = status_code_word(req->res.status, &message);
    char *text = json_envelope(code, message);
    if (text == NULL)
        return slot;
    replace_ostream *r = (replace_ostream *)h2o_add_ostream(req, sizeof *r, slot);
    r->super.do_send = replace_send;
    r->body = h2o_strdup(&req->pool, text, strlen(text));
    free(text);
    req->res.content_length = r->body.len;
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("application/json; charset=utf-8"),
                   1);
    return &r->super.next;
}

static double elapsed_ms(h2o_req_t *req)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    const struct timeval *t0 = &req->timestamps.request_begin_at;
    if (t0->tv_sec == 0)
        return 0;
    return (double)(now.tv_sec - t0->tv_sec) * 1000.0 + (double)(now.tv_usec - t0->tv_usec) / 1000.0;
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    fallback_filter *f = (fallback_filter *)self;
    router_log(router_method(req), f->route, req->res.status, elapsed_ms(req), f->app->metrics);
    if (req->res.status >= 400)
        slot = envelope_response(req, slot);
    h2o_setup_next_ostream(req, slot);
}

void fallback_register(h2o_pathconf_t *pc, app *a, const char *route)
{
    fallback_filter *f = (fallback_filter *)h2o_create_filter(pc, sizeof *f);
    f->super.on_setup_ostream = on_setup_ostream;
    f->app = a;
    f->route = route;
}
