/* cmd_export.c - `homeward export registrations`: the list as CSV (Excel-ready) or JSON, personal data masked. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "export.h"

const char cmd_export_usage[] =
    "用法 (usage): homeward export registrations [--format csv|json] [--out FILE]\n"
    "导出登记名单,身份证号和手机号均已遮蔽 (export the registrations; id numbers and phones are masked).\n"
    "  --format  csv(默认,Excel 可直接打开 / default, opens in Excel)或 json\n"
    "  --out     输出文件,默认标准输出 (output file; default standard output)\n";

static int run(const char *db, export_format fmt, const char *path, size_t *count, hw_error *err)
{
    cli_env env;
    sqlite3 *rdb = NULL;
    int rc = cli_env_open(db, &env, err);
    if (rc == 0)
        rc = store_reader(env.store, &rdb, err);
    FILE *out = stdout;
    if (rc == 0 && path != NULL && (out = fopen(path, "wb")) == NULL)
        rc = error_set(err, HW_EIO, "cannot_open", "无法写入文件 %s (cannot write file)", path);
    if (rc == 0)
        rc = export_registrations(rdb, env.divisions, fmt, out, count, err);
    if (out != NULL && out != stdout && fclose(out) != 0 && rc == 0)
        rc = error_set(err, HW_EIO, "write_failed", "写入文件 %s 失败 (cannot write file)", path);
    sqlite3_close(rdb);
    cli_env_close(&env);
    return rc;
}

int cmd_export(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--format"), ARGS_VALUE("--out")};
    const char *pos[1];
    size_t npos, count = 0;
    hw_error err;
    export_format fmt = EXPORT_CSV;
    if (args_parse(argc, argv, o, 2, pos, 1, &npos, &err) != 0)
        return cli_usage_error(cmd_export_usage, &err);
    if (npos != 1 || strcmp(pos[0], "registrations") != 0) {
        error_set(&err, HW_EINVAL, "usage", "目前可导出 registrations (what can be exported now: registrations)");
        return cli_usage_error(cmd_export_usage, &err);
    }
    if (o[0].present && export_format_parse(o[0].value, &fmt, &err) != 0)
        return cli_usage_error(cmd_export_usage, &err);
    if (run(db, fmt, o[1].present ? o[1].value : NULL, &count, &err) != 0)
        return cli_fail(&err);
    if (o[1].present)
        fprintf(stderr, "已导出 %zu 条登记到 %s (exported %zu registrations)\n", count, o[1].value, count);
    return EXIT_OK;
}
