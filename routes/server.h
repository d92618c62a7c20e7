/* server.h - the HTTP server: h2o on the daemon's libuv loop, its paths, and a graceful stop. */
#ifndef HW_SERVER_H
#define HW_SERVER_H

#include <stdbool.h>

#include "app.h"
#include "error.h"

typedef struct server server;

/*
 * Listen on `listen` ("127.0.0.1:8080", "[::1]:8080", port 0 picks a free one) and
 * serve /healthz, /metrics, /api/v1 and the static UI from a->web_dir. `a` must
 * outlive the server. On success *out is the caller's: server_free() it.
 */
int server_start(const char *listen, app *a, server **out, hw_error *err);

/* The port actually bound. */
int server_port(const server *srv);

/* Stop accepting and ask h2o to finish what is in flight (SIGTERM). */
void server_stop_accepting(server *srv);

/* Close connections that are idle or still reading a request (after server_stop_accepting). */
void server_close_idle(server *srv);

/* Whether every connection is closed and h2o's graceful shutdown has ended. */
bool server_drained(server *srv);

/* Dispose h2o's context and configuration; call after the loop stopped. NULL is fine. */
void server_free(server *srv);

#endif
