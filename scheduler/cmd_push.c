/* cmd_push.c - `homeward push`: send this unit's current figures to the parent unit now. */
#include <inttypes.h>
#include <stdio.h>

#include "args.h"
#include "cli.h"
#include "feed.h"

const char cmd_push_usage[] =
    "用法 (usage): homeward push\n"
    "把本单位当前的第10、11项数字作为新版本立即报送上级单位 (send this unit's current item 10/11 figures\n"
    "to the parent unit now, as a new revision when they changed).\n"
    "上级未收到时退出码为 1,该版本留在待报送队列中,由运行中的服务继续重试\n"
    "(exit 1 when the parent did not store it; it stays queued and a running daemon keeps trying).\n";

int cmd_push(const char *db, int argc, char **argv)
{
    size_t npos = 0;
    hw_error err;
    if (args_parse(argc, argv, NULL, 0, NULL, 0, &npos, &err) != 0)
        return cli_usage_error(cmd_push_usage, &err);
    cli_env env;
    sqlite3 *rdb = NULL;
    feed_outcome out;
    int64_t revision = 0;
    int rc = cli_env_open(db, &env, &err);
    if (rc == 0)
        rc = store_reader(env.store, &rdb, &err);
    if (rc == 0)
        rc = feed_push_now(env.store, rdb, &env.vault, &out, &revision, &err);
    sqlite3_close(rdb);
    cli_env_close(&env);
    if (rc != 0 && revision > 0)
        fprintf(stderr, "第 %" PRId64 " 版仍在待报送队列中 (revision %" PRId64 " stays queued)\n", revision, revision);
    if (rc != 0)
        return cli_fail(&err);
    printf("上级单位已收到第 %" PRId64 " 版%s (the parent holds revision %" PRId64 "%s)\n", revision,
           out.duplicate ? ",此前已收到" : "", revision, out.duplicate ? ", it had it already" : "");
    return EXIT_OK;
}
