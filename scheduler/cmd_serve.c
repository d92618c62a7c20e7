/* cmd_serve.c - `homeward serve`: open everything, run the HTTP server on the loop, drain on SIGTERM. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "args.h"
#include "cli.h"
#include "daemon.h"
#include "demo.h"
#include "feed.h"
#include "lifecycle.h"
#include "metrics.h"
#include "server.h"

const char cmd_serve_usage[] =
    "用法 (usage): homeward serve [--listen 127.0.0.1:8080] [--web DIR] [--demo]\n"
    "运行调度服务:网页、HTTP 接口和定时任务 (run the daemon: web UI, HTTP API, timers).\n"
    "  --listen  监听地址 (address), 默认 (default) 127.0.0.1:8080; 端口 0 自动选择 (port 0 picks a free one)\n"
    "  --web     静态网页目录 (static UI folder), 默认 (default) the source tree's web/\n"
    "  --demo    空数据库时建立演示活动 (seed a demo campaign into an empty database)\n"
    "SIGTERM/SIGINT: 停止接收新请求,处理完进行中的请求后退出 (drain, then exit 0).\n";

typedef struct serve_state {
    server *srv;
    lifecycle *lc; /* the transport lifecycle timer */
    feed *feed;    /* report revisions to the parent */
} serve_state;

static void hook_stop(void *data)
{
    server_stop_accepting(((serve_state *)data)->srv);
    lifecycle_stop(((serve_state *)data)->lc);
    feed_stop(((serve_state *)data)->feed);
}

static void hook_idle(void *data)
{
    server_close_idle(((serve_state *)data)->srv);
}

static bool hook_drained(void *data)
{
    serve_state *st = data;
    return server_drained(st->srv) && lifecycle_idle(st->lc) && feed_idle(st->feed);
}

static int seed_demo(store *s, const vault *v, const divisions *d, hw_error *err)
{
    demo_request demo = {.vault = v, .divisions = d};
    int rc = store_write(s, demo_seed, &demo, err);
    if (rc != 0 || !demo.created)
        return rc;
    fprintf(stderr, "已建立演示活动 (demo campaign created): 成都市总工会 2027年元旦春节送温暖, %zu 人登记 (registrations), "
                    "%zu 辆/列/架运力 (transports)\n",
            demo.registrations, demo.transports);
    fprintf(stderr, "演示管理员令牌,只显示这一次 (demo admin token, shown once): %s\n", demo.admin_token);
    fflush(stderr);
    sodium_memzero(demo.admin_token, sizeof demo.admin_token);
    return 0;
}

/* Run the server and the timers until drained. The feed in `st` is freed by the caller after the loop closed. */
static int serve_loop(app *a, serve_state *pst, const char *listen, hw_error *err)
{
    serve_state st = {0};
    int rc = server_start(listen, a, &st.srv, err);
    if (rc == 0 && (rc = lifecycle_start(a->loop, a->store, &st.lc, err)) != 0)
        server_free(st.srv);
    if (rc == 0 && (rc = feed_start(a->loop, a->store, a->rdb, a->vault, a->metrics, &st.feed, err)) != 0) {
        lifecycle_stop(st.lc);
        server_free(st.srv);
    }
    if (rc != 0)
        return rc;
    pst->feed = st.feed;
    const char *colon = strrchr(listen, ':');
    int host_len = colon != NULL ? (int)(colon - listen) : (int)strlen(listen);
    fprintf(stderr, "homeward %s 正在服务 (serving) http://%.*s:%d/ (port %d)\n", HOMEWARD_VERSION, host_len, listen,
            server_port(st.srv), server_port(st.srv));
    fflush(stderr);
    daemon_hooks hooks = {&st, hook_stop, hook_idle, hook_drained};
    int timed_out = daemon_run(a->loop, &hooks);
    server_free(st.srv);
    lifecycle_free(st.lc);
    if (timed_out)
        fprintf(stderr, "部分连接未在时限内结束 (some connections did not finish in time)\n");
    return 0;
}
int cmd_serve(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--listen"), ARGS_VALUE("--web"), ARGS_FLAG("--demo")};
    const char *pos[1];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 3, pos, 0, &npos, &err) != 0)
        return cli_usage_error(cmd_serve_usage, &err);
    daemon_buffer_log();
    uv_loop_t loop;
    uv_loop_init(&loop);
    serve_state served = {0};
    app a = {.loop = &loop, .web_dir = o[1].present ? o[1].value : HOMEWARD_WEB_DIR, .request_deadline_ms = 30000};
    cli_env env;
    bool created = cli_db_exists(db, &err) != 0;
    int rc = cli_env_create(db, &env, &err);
    if (rc == 0 && created)
        fprintf(stderr, "已新建数据库 (new database created): %s%s\n", db,
                o[2].present ? "" : ";如果不是有意新建,请检查 --db (if you did not mean to, check --db)");
    a.store = env.store;
    a.vault = &env.vault;
    a.divisions = env.divisions;
    if (rc == 0 && o[2].present)
        rc = seed_demo(a.store, a.vault, a.divisions, &err);
    if (rc == 0)
        rc = store_reader(a.store, &a.rdb, &err);
    if (rc == 0 && ((a.metrics = metrics_new()) == NULL || (a.jobs = jobs_new()) == NULL))
        rc = error_set(&err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    if (rc == 0)
        rc = store_attach_loop(a.store, &loop, &err);
    if (rc == 0)
        rc = serve_loop(&a, &served, o[0].present ? o[0].value : "127.0.0.1:8080", &err);
    if (a.store != NULL)
        store_detach_loop(a.store);
    int loop_rc = daemon_close_loop(&loop);
    feed_free(served.feed); /* its handles' close callbacks have run */
    store_reader_close(a.rdb); /* finalizes the statements cached on it (auth_lookup) */
    cli_env_close(&env);
    metrics_free(a.metrics);
    jobs_free(a.jobs);
    if (rc != 0)
        return cli_fail(&err);
    if (loop_rc != 0)
        fprintf(stderr, "事件循环未完全关闭 (event loop did not close cleanly): %s\n", uv_strerror(loop_rc));
    fprintf(stderr, "已停止 (stopped)\n");
    return EXIT_OK;
}
