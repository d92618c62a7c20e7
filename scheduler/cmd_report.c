/* cmd_report.c - `homeward report`: items 10 and 11 of the statistics form as text, JSON, CSV or an xlsx form. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "clock.h"
#include "reports.h"
#include "stats.h"

const char cmd_report_usage[] =
    "用法 (usage): homeward report [--format text|json|csv|xlsx] [--out FILE]\n"
    "按活动期间统计《送温暖工程统计表》第10、11项 (items 10 and 11 of the form, counted over the campaign window).\n"
    "只统计已出发/已到达的运力、已上车的乘客、未退的购票和期间内的补贴;另附计划预览 (text, json)\n"
    "(only departed/arrived transports, boarded passengers, unrefunded purchases and subsidies inside the window\n"
    "count; a planned preview is shown apart).\n"
    "  --format       text(默认 / default)、json、csv 或 xlsx(需要 --out / needs --out)\n"
    "  --out          输出文件,默认标准输出 (output file; default standard output)\n";

typedef enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_CSV, REPORT_XLSX } report_format;

static int parse_format(const char *s, report_format *out, hw_error *err)
{
    static const char *const names[] = {"text", "json", "csv", "xlsx"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (report_format)i;
            return 0;
        }
    return error_set(err, HW_EINVAL, "usage",
                     "格式应为 text、json、csv 或 xlsx (format must be text, json, csv or xlsx)");
}

static int render(const stats_report *r, report_format fmt, const char *path, FILE *out, hw_error *err)
{
    char now[32];
    clock_now(now, sizeof now);
    if (fmt == REPORT_XLSX)
        return stats_write_xlsx(r, now, path, err);
    if (fmt == REPORT_CSV)
        return stats_write_csv(r, out, err);
    if (fmt == REPORT_TEXT)
        return stats_write_text(r, now, out, err);
    json_t *doc = stats_report_json(r, now);
    int rc = json_dumpf(doc, out, JSON_INDENT(2)) == 0 && fputc('\n', out) != EOF
                 ? 0
                 : error_set(err, HW_EIO, "write_failed", "写入统计表失败 (cannot write the report)");
    json_decref(doc);
    return rc;
}

static int run(const char *db, report_format fmt, const char *path, hw_error *err)
{
    cli_env env;
    sqlite3 *rdb = NULL;
    stats_report r = {0};
    int rc = cli_env_open(db, &env, err);
    if (rc != 0)
        return rc;
    rc = store_reader(env.store, &rdb, err);
    if (rc == 0)
        rc = reports_load(rdb, &r, err);
    FILE *out = stdout;
    bool own_file = path != NULL && fmt != REPORT_XLSX;
    if (rc == 0 && own_file && (out = fopen(path, "wb")) == NULL)
        rc = error_set(err, HW_EIO, "cannot_open", "无法写入文件 %s (cannot write file)", path);
    if (rc == 0)
        rc = render(&r, fmt, path, out, err);
    if (own_file && out != NULL && fclose(out) != 0 && rc == 0)
        rc = error_set(err, HW_EIO, "write_failed", "写入文件 %s 失败 (cannot write file)", path);
    stats_report_free(&r);
    sqlite3_close(rdb);
    cli_env_close(&env);
    return rc;
}

/* Parse the options, count the campaign and write the chosen rendering; returns the exit code. */
int cmd_report(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--format"), ARGS_VALUE("--out")};
    size_t npos = 0;
    hw_error err;
    report_format fmt = REPORT_TEXT;
    if (args_parse(argc, argv, o, 2, NULL, 0, &npos, &err) != 0)
        return cli_usage_error(cmd_report_usage, &err);
    if (o[0].present && parse_format(o[0].value, &fmt, &err) != 0)
        return cli_usage_error(cmd_report_usage, &err);
    const char *path = o[1].present ? o[1].value : NULL;
    if (fmt == REPORT_XLSX && path == NULL) {
        error_set(&err, HW_EINVAL, "usage", "xlsx 需要 --out 文件名 (xlsx needs --out FILE)");
        return cli_usage_error(cmd_report_usage, &err);
    }
    if (run(db, fmt, path, &err) != 0)
        return cli_fail(&err);
    if (path != NULL)
        fprintf(stderr, "统计表已写入 %s (report written)\n", path);
    return EXIT_OK;
}
