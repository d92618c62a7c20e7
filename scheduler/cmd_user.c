/* cmd_user.c - `homeward user add`: create a user and print its token once. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "auth.h"
#include "cli.h"

const char cmd_user_usage[] =
    "用法 (usage): homeward user add NAME --role admin|coordinator|station|reporter|child [--station NAME] [--unit CODE]\n"
    "新建用户并打印其令牌,令牌只显示这一次 (create a user and print its token, shown only once).\n"
    "  --station  站点用户所在车站 (the station of a station user), e.g. 成都东站\n"
    "  --unit     下级单位用户的单位代码 (the unit code of a child unit's user)\n";

int cmd_user(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--role"), ARGS_VALUE("--station"), ARGS_VALUE("--unit")};
    const char *pos[2];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 3, pos, 2, &npos, &err) != 0)
        return cli_usage_error(cmd_user_usage, &err);
    if (npos != 2 || strcmp(pos[0], "add") != 0 || !o[0].present) {
        error_set(&err, HW_EINVAL, "usage", "需要 user add NAME --role ROLE (expected user add NAME --role ROLE)");
        return cli_usage_error(cmd_user_usage, &err);
    }
    auth_new_user u = {.name = pos[1], .role = auth_role_parse(o[0].value), .station = o[1].value, .unit_code = o[2].value};
    char token[AUTH_TOKEN_MAX];
    if (auth_validate(&u, &err) != 0)
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
    printf("已新建用户 (user created): %s, 角色 (role) %s%s%s\n", u.name, auth_role_name(u.role),
           u.role == AUTH_ROLE_STATION ? ", 车站 (station) " : "", u.role == AUTH_ROLE_STATION ? u.station : "");
    printf("令牌只显示这一次,请妥善保存 (the token is shown only once; keep it safe):\n");
    printf("token %s\n", token);
    sodium_memzero(token, sizeof token);
    return EXIT_OK;
}
