/* cli.c - the shared environment of the subcommands and their error reporting. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_fail(const hw_error *err)
{
    fprintf(stderr, "错误 (error): %s\n", err->message);
    return err->rc == HW_EINVAL && strcmp(err->code, "usage") == 0 ? EXIT_USAGE : EXIT_FAIL;
}

int cli_usage_error(const char *usage, const hw_error *err)
{
    fprintf(stderr, "错误 (error): %s\n\n%s", err->message, usage);
    return EXIT_USAGE;
}

int cli_db_exists(const char *db, hw_error *err)
{
    if (access(db, F_OK) == 0)
        return 0;
    return error_set(err, HW_ENOTFOUND, "no_database",
                     "数据库文件 %s 不存在:请检查 --db,或先运行 homeward init (database file %s does not exist: "
                     "check --db, or run `homeward init` first)",
                     db, db);
}

int cli_env_open(const char *db, cli_env *env, hw_error *err)
{
    memset(env, 0, sizeof *env);
    int rc = cli_db_exists(db, err);
    return rc != 0 ? rc : cli_env_create(db, env, err);
}

int cli_env_create(const char *db, cli_env *env, hw_error *err)
{
    char key_path[1024];
    memset(env, 0, sizeof *env);
    vault_key_path(db, key_path, sizeof key_path);
    int rc = store_open(db, &env->store, err);
    if (rc == 0)
        rc = vault_open(key_path, &env->vault, err);
    if (rc == 0)
        rc = store_write(env->store, vault_bind, &env->vault, err);
    if (rc == 0)
        rc = divisions_load_default(&env->divisions, err);
    return rc;
}

void cli_env_close(cli_env *env)
{
    store_close(env->store);
    divisions_free(env->divisions);
    vault_wipe(&env->vault);
}

/* The unit's code must be a division that exists (GB/T 2260), as the union's software keys units by it. */
int cli_check_unit_code(const char *code, hw_error *err)
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
