/* daemon.h - the event loop of `homeward serve`: signals, the shutdown sequence, periodic timers. */
#ifndef HW_DAEMON_H
#define HW_DAEMON_H

#include <stdbool.h>
#include <uv.h>

#include "error.h"

/* What the daemon asks of the parts it runs (the HTTP server, later the feed and timers). */
typedef struct daemon_hooks {
    void *data;
    void (*stop_accepting)(void *data); /* SIGTERM/SIGINT: stop taking new work */
    void (*close_idle)(void *data);     /* called while draining: drop idle connections */
    bool (*drained)(void *data);        /* nothing in flight any more */
} daemon_hooks;

/* Longest a shutdown waits for in-flight work before the loop stops anyway. */
#define DAEMON_DRAIN_MS 4000

/* How often the block-buffered log is written out (a kill -9 loses at most this much log). */
#define DAEMON_LOG_FLUSH_MS 200

/*
 * Make stderr (the request log) block-buffered: one write() per line costs more than the
 * request itself. Call before anything is written to stderr; daemon_run() flushes it.
 */
void daemon_buffer_log(void);

/*
 * Run `loop` until SIGTERM or SIGINT, then stop accepting, wait until drained (or
 * DAEMON_DRAIN_MS) and return 0. The loop is not closed: the caller disposes what it
 * started and then closes the loop. Returns 1 if the drain timed out.
 */
int daemon_run(uv_loop_t *loop, const daemon_hooks *hooks);

/* Run the loop until only closing handles remain, then uv_loop_close(); 0 when nothing leaked. */
int daemon_close_loop(uv_loop_t *loop);

#endif
