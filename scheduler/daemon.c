/* daemon.c - signal handling and the drain-then-stop sequence on the libuv loop. */
#include "daemon.h"

#include <stdio.h>

#include "clock.h"

typedef struct daemon_state {
    const daemon_hooks *hooks;
    uv_signal_t sigterm, sigint;
    uv_timer_t drain;
    uv_timer_t flush; /* the request log is block-buffered; this writes it out a few times a second */
    double stop_started;
    bool stopping;
    int timed_out;
} daemon_state;

static void close_handles(daemon_state *d)
{
    uv_close((uv_handle_t *)&d->sigterm, NULL);
    uv_close((uv_handle_t *)&d->sigint, NULL);
    uv_close((uv_handle_t *)&d->drain, NULL);
    uv_close((uv_handle_t *)&d->flush, NULL);
    fflush(stderr);
}

static void on_flush(uv_timer_t *timer)
{
    (void)timer;
    fflush(stderr);
}

static void on_drain_tick(uv_timer_t *timer)
{
    daemon_state *d = timer->data;
    bool drained = d->hooks->drained(d->hooks->data);
    if (!drained && clock_mono_ms() - d->stop_started < DAEMON_DRAIN_MS) {
        d->hooks->close_idle(d->hooks->data);
        return;
    }
    d->timed_out = !drained;
    uv_timer_stop(timer);
    uv_stop(timer->loop);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    daemon_state *d = sig->data;
    if (d->stopping)
        return;
    d->stopping = true;
    fprintf(stderr, "收到信号 %d,停止接收新请求 (signal %d: draining and stopping)\n", signum, signum);
    fflush(stderr);
    d->stop_started = clock_mono_ms();
    d->hooks->stop_accepting(d->hooks->data);
    uv_timer_start(&d->drain, on_drain_tick, 0, 20);
}

void daemon_buffer_log(void)
{
    static char buf[1 << 16];
    setvbuf(stderr, buf, _IOFBF, sizeof buf);
}

int daemon_run(uv_loop_t *loop, const daemon_hooks *hooks)
{
    daemon_state d = {.hooks = hooks};
    uv_signal_init(loop, &d.sigterm);
    uv_signal_init(loop, &d.sigint);
    uv_timer_init(loop, &d.drain);
    uv_timer_init(loop, &d.flush);
    uv_timer_start(&d.flush, on_flush, DAEMON_LOG_FLUSH_MS, DAEMON_LOG_FLUSH_MS);
    uv_unref((uv_handle_t *)&d.flush);
    d.sigterm.data = d.sigint.data = d.drain.data = &d;
    uv_signal_start(&d.sigterm, on_signal, SIGTERM);
    uv_signal_start(&d.sigint, on_signal, SIGINT);
    uv_run(loop, UV_RUN_DEFAULT);
    close_handles(&d);
    uv_run(loop, UV_RUN_NOWAIT); /* let the close callbacks run while `d` is alive */
    return d.timed_out;
}

static void close_any(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

int daemon_close_loop(uv_loop_t *loop)
{
    uv_run(loop, UV_RUN_NOWAIT);
    int rc = uv_loop_close(loop);
    if (rc == UV_EBUSY) {
        /* h2o leaves its own internal handles (timers, async) open after dispose */
        uv_walk(loop, close_any, NULL);
        uv_run(loop, UV_RUN_DEFAULT);
        rc = uv_loop_close(loop);
    }
    return rc;
}
