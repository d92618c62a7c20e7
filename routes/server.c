/* server.c - h2o on our libuv loop: paths and limits, accepting connections, and draining on shutdown. */
#include "server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fallback.h"
#include "handlers.h"
#include "json.h"
#include "router.h"

struct server {
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t *listener;
    app *app;
    int port;
    long connections;
    bool context_ready;
};

/* One accepted connection; h2o owns the stream's `data`, so the server pointer lives beside it. */
typedef struct connection {
    uv_tcp_t tcp; /* first: h2o's close callback gets this address */
    server *srv;
} connection;

static void on_connection_closed(uv_handle_t *handle)
{
    connection *c = (connection *)handle;
    c->srv->connections--;
    metrics_connection(c->srv->app->metrics, -1);
    free(c);
}

static void on_accept(uv_stream_t *listener, int status)
{
    server *srv = listener->data;
    if (status != 0)
        return;
    connection *c = calloc(1, sizeof *c);
    if (c == NULL)
        return;
    c->srv = srv;
    uv_tcp_init(listener->loop, &c->tcp);
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
        return;
    }
    srv->connections++;
    metrics_connection(srv->app->metrics, +1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, on_connection_closed);
    h2o_accept(&srv->accept_ctx, sock);
}

static int parse_listen(const char *listen, struct sockaddr_storage *addr, hw_error *err)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || (size_t)(colon - listen) >= sizeof host)
        goto bad;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || end == colon + 1)
        goto bad;
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (n < 3 || host[n - 1] != ']')
            goto bad;
        host[n - 1] = '\0';
        if (uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)addr) == 0)
            return 0;
    } else if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)addr) == 0) {
        return 0;
    }
bad:
    return error_set(err, HW_EINVAL, "bad_listen", "监听地址应为 IP:端口,如 127.0.0.1:8080 (listen address must be IP:PORT): %s",
                     listen);
}

static int start_listener(server *srv, const char *listen, hw_error *err)
{
    struct sockaddr_storage addr;
    int rc = parse_listen(listen, &addr, err);
    if (rc != 0)
        return rc;
    srv->listener = malloc(sizeof *srv->listener);
    uv_tcp_init(srv->app->loop, srv->listener);
    srv->listener->data = srv;
    if ((rc = uv_tcp_bind(srv->listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)srv->listener, 511, on_accept)) != 0) {
        uv_close((uv_handle_t *)srv->listener, (uv_close_cb)free);
        srv->listener = NULL;
        return error_set(err, HW_EIO, "listen_failed", "无法监听 %s (cannot listen on %s): %s", listen, listen,
                         uv_strerror(rc));
    }
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_getsockname(srv->listener, (struct sockaddr *)&bound, &len);
    srv->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                  : ((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

static void configure_paths(server *srv)
{
    h2o_hostconf_t *host = h2o_config_register_host(&srv->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    router_register_plain(host, "/healthz", srv->app, health_on_get);
    router_register_plain(host, "/metrics", srv->app, health_on_metrics);
    router_register(host, "/api/v1", srv->app);
    h2o_pathconf_t *web = h2o_config_register_path(host, "/", 0);
    fallback_register(web, srv->app, "/ (static)");
    h2o_file_register(web, srv->app->web_dir, NULL, NULL, 0);
    fallback_register(&host->fallback_path, srv->app, "(protocol)");
}

int server_start(const char *listen, app *a, server **out, hw_error *err)
{
    server *srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    srv->app = a;
    signal(SIGPIPE, SIG_IGN);
    h2o_config_init(&srv->config);
    srv->config.max_request_entity_size = JSON_MAX_BODY;
    srv->config.http1.req_timeout = 10000;
    configure_paths(srv);
    int rc = start_listener(srv, listen, err);
    if (rc != 0) {
        h2o_config_dispose(&srv->config);
        free(srv);
        return rc;
    }
    h2o_context_init(&srv->ctx, a->loop, &srv->config);
    srv->context_ready = true;
    srv->accept_ctx.ctx = &srv->ctx;
    srv->accept_ctx.hosts = srv->config.hosts;
    *out = srv;
    return 0;
}

int server_port(const server *srv)
{
    return srv->port;
}

void server_stop_accepting(server *srv)
{
    if (srv->listener != NULL) {
        uv_close((uv_handle_t *)srv->listener, (uv_close_cb)free);
        srv->listener = NULL;
    }
    h2o_context_request_shutdown(&srv->ctx);
    server_close_idle(srv);
}

/*
 * HTTP/1 has no graceful-shutdown hook in h2o 2.2: idle keep-alive connections would
 * wait for their request timeout. Expiring that timeout now closes the connections
 * that are idle or still reading a request; connections whose handler is running are
 * not on it and finish normally.
 */
void server_close_idle(server *srv)
{
    srv->ctx.http1.req_timeout.timeout = 0;
    h2o_timeout_run(srv->app->loop, &srv->ctx.http1.req_timeout, h2o_now(srv->app->loop));
}

bool server_drained(server *srv)
{
    if (srv->connections != 0)
        return false;
    /* h2o arms a one-second timer to send HTTP/2 GOAWAY frames; with no connection left it has nobody to tell */
    if (h2o_timeout_is_linked(&srv->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&srv->ctx.http2._graceful_shutdown_timeout);
    return true;
}

void server_free(server *srv)
{
    if (srv == NULL)
        return;
    if (srv->listener != NULL)
        uv_close((uv_handle_t *)srv->listener, (uv_close_cb)free);
    if (srv->context_ready)
        h2o_context_dispose(&srv->ctx);
    h2o_config_dispose(&srv->config);
    free(srv);
}
