/* cmd_import.c - `homeward import KIND FILE|URL`: validate a coordinator's spreadsheet and store it whole, or not at all. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "clock.h"
#include "import.h"

const char cmd_import_usage[] =
    "用法 (usage): homeward import registrations|transports|purchases|subsidies FILE|URL [--encoding auto|utf-8|gb18030]\n"
    "                       [--dry-run]\n"
    "导入 Excel 另存的 CSV 文件或网址:全部行都正确才写入,否则一行不写并列出每个错误\n"
    "(import a CSV file or URL: written only when every row is valid; otherwise nothing is written and every bad\n"
    "row is listed with its line, column and reason).\n"
    "  --encoding  文件编码,默认自动识别 UTF-8(含 BOM)或 GB18030 (default auto: UTF-8 with or without BOM, else GB18030)\n"
    "  --dry-run   只检查,不写入 (validate only, write nothing)\n"
    "先导入登记,再导入购票 (import registrations before purchases: 先建档、后帮扶、实名制).\n"
    "说明见 docs/import-guide.md (see docs/import-guide.md).\n";

static void print_summary(const import_job *job)
{
    const char *kind = import_kind_zh(job->kind);
    if (job->dry_run)
        printf("检查通过:%zu 行%s数据全部有效,未写入 (dry run: all %zu %s rows are valid; nothing written)\n", job->rows,
               kind, job->rows, import_kind_name(job->kind));
    else
        printf("已导入 %zu 条%s (imported %zu %s)\n", job->inserted, kind, job->inserted, import_kind_name(job->kind));
}

static int run(const char *db, import_job *job, hw_error *err)
{
    cli_env env;
    int rc = cli_env_open(db, &env, err);
    if (rc == 0) {
        job->vault = &env.vault;
        job->divisions = env.divisions;
        job->today = clock_today();
        rc = store_write(env.store, import_run, job, err);
    }
    cli_env_close(&env);
    return rc;
}

int cmd_import(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--encoding"), ARGS_FLAG("--dry-run")};
    const char *pos[2];
    size_t npos;
    hw_error err;
    import_kind kind;
    if (args_parse(argc, argv, o, 2, pos, 2, &npos, &err) != 0)
        return cli_usage_error(cmd_import_usage, &err);
    if (npos != 2) {
        error_set(&err, HW_EINVAL, "usage", "需要导入类型和文件 (expected a kind and a file or URL)");
        return cli_usage_error(cmd_import_usage, &err);
    }
    if (import_kind_parse(pos[0], &kind, &err) != 0)
        return cli_usage_error(cmd_import_usage, &err);
    import_job job;
    import_job_init(&job, kind);
    job.source = pos[1];
    job.dry_run = o[1].present;
    if (o[0].present && encoding_parse(o[0].value, &job.encoding, &err) != 0)
        return cli_usage_error(cmd_import_usage, &err);
    int rc = run(db, &job, &err);
    if (rowerr_total(&job.errors) > 0)
        rowerr_print(&job.errors, stderr);
    if (rc == 0)
        print_summary(&job);
    import_job_free(&job);
    return rc == 0 ? EXIT_OK : cli_fail(&err);
}
