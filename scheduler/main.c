/* main.c - the homeward command: global options, subcommands, and the only place that decides exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "args.h"
#include "auth.h"
#include "campaign.h"
#include "daemon.h"
#include "demo.h"
#include "divisions.h"
#include "metrics.h"
#include "server.h"
#include "store.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct command {
    const char *name;
    int (*run)(const char *db, int argc, char **argv);
    const char *usage;
} command;

static int fail(const hw_error *err)
{
    fprintf(stderr, "错误 (error): %s\n", err->message);
    return err->rc == HW_EINVAL && strcmp(err->code, "usage") == 0 ? EXIT_USAGE : EXIT_FAIL;
}

static int usage_error(const char *usage, const hw_error *err)
{
    fprintf(stderr, "错误 (error): %s\n\n%s", err->message, usage);
    return EXIT_USAGE;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

static const char init_usage[] =
    "用法 (usage): homeward init --unit-code CODE --unit-name NAME --campaign NAME --from YYYY-MM-DD --to YYYY-MM-DD\n"
    "                     [--deadline YYYY-MM-DD] [--reporter NAME] [--phone PHONE]\n"
    "建立或更新本单位和当前送温暖活动 (create or update this unit and its current campaign).\n"
    "  --unit-code  单位的六位行政区划代码 (six-digit division code), e.g. 510100\n"
    "  --unit-name  单位名称 (unit name), e.g. 成都市总工会\n"
    "  --campaign   活动名称 (campaign name), e.g. 2027年元旦春节送温暖\n"
    "  --from/--to  活动起止日期,含当天 (campaign window, inclusive, Asia/Shanghai)\n"
    "  --deadline   统计表报送截止日期 (report deadline)\n"
    "  --reporter   填报人 (who signs the form);  --phone 联系电话 (office phone)\n";

/* The unit's code must be a division that exists (GB/T 2260), as the union's software keys units by it. */
static int check_unit_code(const char *code, hw_error *err)
{
    divisions *d = NULL;
    int rc = divisions_load_default(&d, err);
    if (rc != 0)
        return rc;
    if (divisions_name(d, code) == NULL)
        rc = error_set(err, HW_EINVAL, "unknown_unit_code",
                       "单位代码 %s 不是行政区划表中的代码 (unit code %s is not a known GB/T 2260 division)", code, code);
    divisions_free(d);
    return rc;
}

static int cmd_init(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--unit-code"), ARGS_VALUE("--unit-name"), ARGS_VALUE("--campaign"), ARGS_VALUE("--from"),
                    ARGS_VALUE("--to"),        ARGS_VALUE("--deadline"),  ARGS_VALUE("--reporter"), ARGS_VALUE("--phone")};
    const char *pos[1];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 8, pos, 0, &npos, &err) != 0)
        return usage_error(init_usage, &err);
    for (int i = 0; i < 5; i++)
        if (!o[i].present) {
            error_set(&err, HW_EINVAL, "usage", "缺少选项 %s (missing option %s)", o[i].name, o[i].name);
            return usage_error(init_usage, &err);
        }
    campaign_info c = {0};
    snprintf(c.unit_code, sizeof c.unit_code, "%s", o[0].value);
    snprintf(c.unit_name, sizeof c.unit_name, "%s", o[1].value);
    snprintf(c.name, sizeof c.name, "%s", o[2].value);
    snprintf(c.from, sizeof c.from, "%s", o[3].value);
    snprintf(c.to, sizeof c.to, "%s", o[4].value);
    snprintf(c.deadline, sizeof c.deadline, "%s", o[5].present ? o[5].value : "");
    snprintf(c.reporter, sizeof c.reporter, "%s", o[6].present ? o[6].value : "");
    snprintf(c.reporter_phone, sizeof c.reporter_phone, "%s", o[7].present ? o[7].value : "");
    if (campaign_validate(&c, &err) != 0 || check_unit_code(c.unit_code, &err) != 0)
        return fail(&err);
    store *s = NULL;
    int rc = store_open(db, &s, &err);
    if (rc == 0)
        rc = store_write(s, campaign_save, &c, &err);
    store_close(s);
    if (rc != 0)
        return fail(&err);
    printf("已初始化 (initialized) %s: %s %s, %s %s..%s\n", db, c.unit_code, c.unit_name, c.name, c.from, c.to);
    return EXIT_OK;
}

static const char user_usage[] =
    "用法 (usage): homeward user add NAME --role admin|coordinator|station|reporter|child [--station NAME] [--unit CODE]\n"
    "新建用户并打印其令牌,令牌只显示这一次 (create a user and print its token, shown only once).\n"
    "  --station  站点用户所在车站 (the station of a station user), e.g. 成都东站\n"
    "  --unit     下级单位用户的单位代码 (the unit code of a child unit's user)\n";

static int cmd_user(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--role"), ARGS_VALUE("--station"), ARGS_VALUE("--unit")};
    const char *pos[2];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 3, pos, 2, &npos, &err) != 0)
        return usage_error(user_usage, &err);
    if (npos != 2 || strcmp(pos[0], "add") != 0 || !o[0].present) {
        error_set(&err, HW_EINVAL, "usage", "需要 user add NAME --role ROLE (expected user add NAME --role ROLE)");
        return usage_error(user_usage, &err);
    }
    auth_new_user u = {.name = pos[1], .role = auth_role_parse(o[0].value), .station = o[1].value, .unit_code = o[2].value};
    char token[AUTH_TOKEN_MAX];
    if (auth_validate(&u, &err) != 0)
        return fail(&err);
    auth_token_new(token, u.hash);
    store *s = NULL;
    int rc = store_open(db, &s, &err);
    if (rc == 0)
        rc = store_write(s, auth_user_insert, &u, &err);
    store_close(s);
    if (rc != 0)
        return fail(&err);
    printf("已新建用户 (user created): %s, 角色 (role) %s%s%s\n", u.name, auth_role_name(u.role),
           u.role == AUTH_ROLE_STATION ? ", 车站 (station) " : "", u.role == AUTH_ROLE_STATION ? u.station : "");
    printf("令牌只显示这一次,请妥善保存 (the token is shown only once; keep it safe):\n");
    printf("token %s\n", token);
    sodium_memzero(token, sizeof token);
    return EXIT_OK;
}

static const char serve_usage[] =
    "用法 (usage): homeward serve [--listen 127.0.0.1:8080] [--web DIR] [--demo]\n"
    "运行调度服务:网页、HTTP 接口和定时任务 (run the daemon: web UI, HTTP API, timers).\n"
    "  --listen  监听地址 (address), 默认 (default) 127.0.0.1:8080; 端口 0 自动选择 (port 0 picks a free one)\n"
    "  --web     静态网页目录 (static UI folder), 默认 (default) the source tree's web/\n"
    "  --demo    空数据库时建立演示活动 (seed a demo campaign into an empty database)\n"
    "SIGTERM/SIGINT: 停止接收新请求,处理完进行中的请求后退出 (drain, then exit 0).\n";

typedef struct serve_state {
    server *srv;
} serve_state;

static void hook_stop(void *data)
{
    server_stop_accepting(((serve_state *)data)->srv);
}

static void hook_idle(void *data)
{
    server_close_idle(((serve_state *)data)->srv);
}

static bool hook_drained(void *data)
{
    return server_drained(((serve_state *)data)->srv);
}

static int seed_demo(store *s, hw_error *err)
{
    demo_result demo;
    int rc = store_write(s, demo_seed, &demo, err);
    if (rc != 0 || !demo.created)
        return rc;
    fprintf(stderr, "已建立演示活动 (demo campaign created): 成都市总工会 2027年元旦春节送温暖\n");
    fprintf(stderr, "演示管理员令牌,只显示这一次 (demo admin token, shown once): %s\n", demo.admin_token);
    fflush(stderr);
    sodium_memzero(demo.admin_token, sizeof demo.admin_token);
    return 0;
}

static int serve_loop(app *a, const char *listen, hw_error *err)
{
    serve_state st = {0};
    int rc = server_start(listen, a, &st.srv, err);
    if (rc != 0)
        return rc;
    fprintf(stderr, "homeward %s 正在服务 (serving) http://%s/ (port %d)\n", HOMEWARD_VERSION, listen,
            server_port(st.srv));
    fflush(stderr);
    daemon_hooks hooks = {&st, hook_stop, hook_idle, hook_drained};
    int timed_out = daemon_run(a->loop, &hooks);
    server_free(st.srv);
    if (timed_out)
        fprintf(stderr, "部分连接未在时限内结束 (some connections did not finish in time)\n");
    return 0;
}

static int cmd_serve(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--listen"), ARGS_VALUE("--web"), ARGS_FLAG("--demo")};
    const char *pos[1];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 3, pos, 0, &npos, &err) != 0)
        return usage_error(serve_usage, &err);
    daemon_buffer_log();
    uv_loop_t loop;
    uv_loop_init(&loop);
    app a = {.loop = &loop, .web_dir = o[1].present ? o[1].value : HOMEWARD_WEB_DIR, .request_deadline_ms = 30000};
    int rc = store_open(db, &a.store, &err);
    if (rc == 0 && o[2].present)
        rc = seed_demo(a.store, &err);
    if (rc == 0)
        rc = store_reader(a.store, &a.rdb, &err);
    if (rc == 0 && (a.metrics = metrics_new()) == NULL)
        rc = error_set(&err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    if (rc == 0)
        rc = store_attach_loop(a.store, &loop, &err);
    if (rc == 0)
        rc = serve_loop(&a, o[0].present ? o[0].value : "127.0.0.1:8080", &err);
    if (a.store != NULL)
        store_detach_loop(a.store);
    int loop_rc = daemon_close_loop(&loop);
    sqlite3_close(a.rdb);
    store_close(a.store);
    metrics_free(a.metrics);
    if (rc != 0)
        return fail(&err);
    if (loop_rc != 0)
        fprintf(stderr, "事件循环未完全关闭 (event loop did not close cleanly): %s\n", uv_strerror(loop_rc));
    fprintf(stderr, "已停止 (stopped)\n");
    return EXIT_OK;
}

static const command commands[] = {
    {"init", cmd_init, init_usage},
    {"serve", cmd_serve, serve_usage},
    {"user", cmd_user, user_usage},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
    fprintf(out, "homeward %s — 农民工平安返乡调度 (homeward transport for migrant workers)\n\n"
                 "用法 (usage): homeward [--db FILE] COMMAND [OPTIONS]\n"
                 "  --db FILE   数据库文件 (database file), 默认 (default) homeward.db\n\n"
                 "命令 (commands):\n"
                 "  init        建立或更新单位和活动 (create or update the unit and campaign)\n"
                 "  serve       运行调度服务和网页 (run the daemon and web UI)\n"
                 "  user add    新建用户和令牌 (create a user and its token)\n\n"
                 "homeward COMMAND --help 查看各命令的说明 (for each command's options).\n"
                 "退出码 (exit codes): 0 成功 ok, 1 失败 failure, 2 用法错误 usage.\n",
            HOMEWARD_VERSION);
}

/* Take --db FILE / --db=FILE out of argv wherever it stands; returns the new argc. */
static int take_db(int argc, char **argv, const char **db)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            *db = argv[++i];
            continue;
        }
        if (strncmp(argv[i], "--db=", 5) == 0) {
            *db = argv[i] + 5;
            continue;
        }
        argv[out++] = argv[i];
    }
    return out;
}

int main(int argc, char **argv)
{
    const char *db = "homeward.db";
    if (sodium_init() < 0) {
        fprintf(stderr, "错误 (error): libsodium 初始化失败 (libsodium failed to initialize)\n");
        return EXIT_FAIL;
    }
    argc = take_db(argc - 1, argv + 1, &db);
    argv++;
    if (argc == 0 || strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        print_usage(argc == 0 ? stderr : stdout);
        return argc == 0 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[0], "--version") == 0 || strcmp(argv[0], "version") == 0) {
        printf("homeward %s\n", HOMEWARD_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[0], commands[i].name) != 0)
            continue;
        if (wants_help(argc - 1, argv + 1)) {
            fputs(commands[i].usage, stdout);
            return EXIT_OK;
        }
        return commands[i].run(db, argc - 1, argv + 1);
    }
    fprintf(stderr, "错误 (error): 未知命令 (unknown command) %s\n\n", argv[0]);
    print_usage(stderr);
    return EXIT_USAGE;
}
