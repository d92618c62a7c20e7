/* cmd_parent.c - `homeward parent`: where this unit's reports go (the parent unit's homeward), and how that stands. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "reports.h"

const char cmd_parent_usage[] =
    "用法 (usage): homeward parent [URL --token TOKEN]\n"
    "设置上级单位的 homeward 地址和上级给本单位的 child 令牌;不带参数时显示当前设置和报送情况\n"
    "(set the parent unit's homeward address and the child token it issued to this unit; without\n"
    "arguments, show the current setting and where the reports stand).\n"
    "  URL      上级单位地址 (the parent's address), e.g. https://report.sc.example/\n"
    "  --token  上级单位 `homeward user add NAME --role child --unit 本单位代码` 给出的令牌;写 - 则从标准输入读\n"
    "           (the token the parent's `homeward user add NAME --role child --unit OUR_CODE` printed;\n"
    "           `-` reads it from standard input, keeping it out of ps and the shell history)\n"
    "令牌加密保存在数据库中 (the token is stored sealed under the key file).\n";

/* Print the parent link (token masked) and the outbox. */
static int show(cli_env *env, hw_error *err)
{
    sqlite3 *rdb = NULL;
    reports_parent p;
    reports_status st;
    char masked[32];
    int rc = store_reader(env->store, &rdb, err);
    if (rc == 0)
        rc = reports_parent_get(rdb, &env->vault, &p, err);
    if (rc == 0)
        rc = reports_status_read(rdb, &st, err);
    sqlite3_close(rdb);
    if (rc != 0)
        return rc;
    reports_token_mask(p.token, masked, sizeof masked);
    sodium_memzero(&p.token, sizeof p.token);
    printf("上级单位 (parent): %s\n令牌 (token): %s\n", p.url, masked);
    printf("最新版本 (newest revision): %lld, 上级已收到 (stored by the parent): %lld%s%s\n", (long long)st.latest,
           (long long)st.sent, st.sent_at[0] ? " @ " : "", st.sent_at);
    if (st.pending > 0)
        printf("待报送 (waiting): 第 %lld 版, 已尝试 %d 次 (revision %lld, failed attempts: %d)%s%s\n",
               (long long)st.pending, st.attempts, (long long)st.pending, st.attempts, st.last_error[0] ? ": " : "",
               st.last_error);
    return 0;
}

int cmd_parent(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--token")};
    const char *pos[1];
    size_t npos = 0;
    hw_error err;
    if (args_parse(argc, argv, o, 1, pos, 1, &npos, &err) != 0)
        return cli_usage_error(cmd_parent_usage, &err);
    if (npos != (o[0].present ? 1u : 0u)) {
        error_set(&err, HW_EINVAL, "usage", "需要 URL 和 --token TOKEN,或都不给 (give both URL and --token, or neither)");
        return cli_usage_error(cmd_parent_usage, &err);
    }
    char token[REPORTS_TOKEN_MAX + 2] = "";
    const char *t = o[0].value;
    if (npos == 1 && strcmp(t, "-") == 0) { /* from standard input: keeps the token out of ps and shell history */
        if (fgets(token, sizeof token, stdin) == NULL)
            token[0] = '\0';
        token[strcspn(token, "\r\n")] = '\0';
        t = token;
    }
    if (npos == 1 && reports_parent_validate(pos[0], t, &err) != 0)
        return cli_usage_error(cmd_parent_usage, &err);
    cli_env env;
    int rc = cli_env_open(db, &env, &err);
    if (rc == 0 && npos == 0)
        rc = show(&env, &err);
    if (rc == 0 && npos == 1) {
        reports_parent_job job = {.vault = &env.vault, .url = pos[0], .token = t};
        rc = store_write(env.store, reports_parent_set, &job, &err);
        if (rc == 0)
            printf("已设置上级单位 (parent set): %s\n运行 homeward push 立即报送;服务运行时也会自动报送 (run `homeward "
                   "push` to send now; a running daemon sends by itself)\n",
                   pos[0]);
    }
    cli_env_close(&env);
    sodium_memzero(token, sizeof token);
    return rc == 0 ? EXIT_OK : cli_fail(&err);
}
