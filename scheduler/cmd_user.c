/* cmd_user.c - `homeward user add|list|revoke`: create a user and print its token once, list users, revoke a token. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "auth.h"
#include "cli.h"

const char cmd_user_usage[] =
    "用法 (usage): homeward user add NAME --role admin|coordinator|station|reporter|child [--station NAME] [--unit CODE]\n"
    "              homeward user list\n"
    "              homeward user revoke NAME\n"
    "add: 新建用户并打印其令牌,令牌只显示这一次 (create a user and print its token, shown only once).\n"
    "  --station  站点用户所在车站 (the station of a station user), e.g. 成都东站\n"
    "  --unit     下级单位用户的单位代码 (the unit code of a child unit's user)\n"
    "list: 列出用户、角色和是否已吊销 (list users, their roles and whether revoked).\n"
    "revoke: 吊销用户的令牌,下一个请求起失效,记入审计 (revoke the user's token: refused from the next\n"
    "        request on, audited); 不能吊销最后一个管理员 (not the last admin).\n";

static int add(const char *db, const char *name, const args_opt *o)
{
    hw_error err;
    auth_new_user u = {.name = name, .role = auth_role_parse(o[0].value), .station = o[1].value, .unit_code = o[2].value};
    char token[AUTH_TOKEN_MAX];
    if (auth_validate(&u, &err) != 0 || (u.role == AUTH_ROLE_CHILD && cli_check_unit_code(u.unit_code, &err) != 0))
        return cli_fail(&err);
    auth_token_new(token, u.hash);
    store *s = NULL;
    int rc = cli_db_exists(db, &err);
    if (rc == 0)
        rc = store_open(db, &s, &err);
    if (rc == 0)
        rc = store_write(s, auth_user_insert, &u, &err);
    store_close(s);
    if (rc != 0)
        return cli_fail(&err);
    printf("已新建用户 (user created): %s, 角色 (role) %s%s%s%s%s\n", u.name, auth_role_name(u.role),
           u.role == AUTH_ROLE_STATION ? ", 车站 (station) " : "", u.role == AUTH_ROLE_STATION ? u.station : "",
           u.role == AUTH_ROLE_CHILD ? ", 下级单位 (child unit) " : "", u.role == AUTH_ROLE_CHILD ? u.unit_code : "");
    printf("令牌只显示这一次,请妥善保存 (the token is shown only once; keep it safe):\n");
    printf("token %s\n", token);
    sodium_memzero(token, sizeof token);
    return EXIT_OK;
}

static int list(const char *db)
{
    hw_error err;
    store *s = NULL;
    sqlite3 *rdb = NULL;
    sqlite3_stmt *st = NULL;
    int rc = cli_db_exists(db, &err);
    if (rc == 0)
        rc = store_open(db, &s, &err);
    if (rc == 0)
        rc = store_reader(s, &rdb, &err);
    if (rc == 0 && sqlite3_prepare_v2(rdb,
                                      "SELECT id, name, role, coalesce(station, unit_code, ''), created_at, "
                                      "coalesce(revoked_at, '') FROM users ORDER BY id",
                                      -1, &st, NULL) != SQLITE_OK)
        rc = store_error(rdb, sqlite3_errcode(rdb), "users", &err);
    if (rc == 0) {
        printf("编号 id\t用户 name\t角色 role\t车站/单位 station/unit\t建立 created\t吊销 revoked\n");
        while (sqlite3_step(st) == SQLITE_ROW)
            printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
                   sqlite3_column_text(st, 2), sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
                   sqlite3_column_text(st, 5));
    }
    sqlite3_finalize(st);
    sqlite3_close(rdb);
    store_close(s);
    return rc == 0 ? EXIT_OK : cli_fail(&err);
}

static int revoke(const char *db, const char *name)
{
    hw_error err;
    store *s = NULL;
    auth_revoke r = {.name = name, .by = "homeward user revoke"};
    int rc = cli_db_exists(db, &err);
    if (rc == 0)
        rc = store_open(db, &s, &err);
    if (rc == 0)
        rc = store_write(s, auth_user_revoke, &r, &err);
    store_close(s);
    if (rc != 0)
        return cli_fail(&err);
    if (r.already)
        printf("用户 %s 的令牌早已吊销 (already revoked) %s\n", r.user_name, r.revoked_at);
    else
        printf("已吊销用户 %s 的令牌 (token revoked): %s\n", r.user_name, r.revoked_at);
    return EXIT_OK;
}

int cmd_user(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--role"), ARGS_VALUE("--station"), ARGS_VALUE("--unit")};
    const char *pos[2];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 3, pos, 2, &npos, &err) != 0)
        return cli_usage_error(cmd_user_usage, &err);
    bool options = o[0].present || o[1].present || o[2].present;
    if (npos == 2 && strcmp(pos[0], "add") == 0 && o[0].present)
        return add(db, pos[1], o);
    if (npos == 1 && strcmp(pos[0], "list") == 0 && !options)
        return list(db);
    if (npos == 2 && strcmp(pos[0], "revoke") == 0 && !options)
        return revoke(db, pos[1]);
    error_set(&err, HW_EINVAL, "usage",
              "需要 user add NAME --role ROLE、user list 或 user revoke NAME (expected user add NAME --role ROLE, "
              "user list or user revoke NAME)");
    return cli_usage_error(cmd_user_usage, &err);
}
