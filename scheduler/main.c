/* main.c - the homeward command: global options, subcommands, and the only place that decides exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <sqlite3.h>
#include <sodium.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(const char *db, int argc, char **argv);
    const char *usage;
} command;

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

static const command commands[] = {
    {"init", cmd_init, cmd_init_usage},
    {"serve", cmd_serve, cmd_serve_usage},
    {"user", cmd_user, cmd_user_usage},
    {"import", cmd_import, cmd_import_usage},
    {"export", cmd_export, cmd_export_usage},
    {"list", cmd_list, cmd_list_usage},
    {"allocate", cmd_allocate, cmd_allocate_usage},
    {"report", cmd_report, cmd_report_usage},
    {"parent", cmd_parent, cmd_parent_usage},
    {"push", cmd_push, cmd_push_usage},
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
                 "  user add    新建用户和令牌 (create a user and its token)\n"
                 "  import      导入登记、运力、购票、补贴 CSV (import registrations, transports, purchases, subsidies)\n"
                 "  list        查看、查找登记、运力、购票、补贴 (list and search what was imported)\n"
                 "  allocate    分配团体票并出票 (allocate group tickets)\n"
                 "  report      统计表第10、11项:平安返乡和补贴 (items 10 and 11 of the statistics form)\n"
                 "  export      导出登记名单、团体票、乘车名册、实名制名册 (registrations, tickets, manifests, register)\n"
                 "  parent      设置或查看上级单位 (set or show the parent unit reports go to)\n"
                 "  push        立即向上级单位报送统计表 (send the report to the parent unit now)\n\n"
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
    umask(077); /* the database, its key and exports hold personal data: owner only */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* no global mutex around every SQLite allocation */
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread starts: URL imports, pushes to the parent */
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
