/* cmd_export.c - `homeward export registrations|tickets|manifest|register`: CSV (Excel-ready), JSON or xlsx lists. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "export.h"
#include "manifest.h"
#include "roster.h"

const char cmd_export_usage[] =
    "用法 (usage): homeward export registrations|tickets|manifest|register [--transport REF] [--item ITEM]\n"
    "                              [--format csv|json|xlsx] [--out FILE]\n"
    "导出名单,身份证号和手机号均已遮蔽 (export lists; id numbers and phones are masked).\n"
    "  registrations  登记名单 (csv, json)\n"
    "  tickets        全部团体票:票号、运力、座位、姓名、下车地、状态 (every ticket)\n"
    "  manifest       实名制乘车名册,按座位排列,带签到栏,站务打印备用 (per-transport passenger list with a tick\n"
    "                 column, the paper fallback at the station); xlsx 每辆/列一页 (one sheet per transport)\n"
    "  register       实名制名册:统计表第10、11项每个数字背后的人和补贴,与 homeward report 同一口径\n"
    "                 (the names behind each figure of items 10 and 11, counted as the report counts);\n"
    "                 xlsx 每项一页 (one sheet per item)\n"
    "  --transport    只导出这一运力 (one transport only)\n"
    "  --item         register 只导出一项:10A、10B、10C、10D、10E、10F、10G 或 11A (one item of the register)\n"
    "  --format       csv(默认 / default)、json 或 xlsx(需要 --out / needs --out)\n"
    "  --out          输出文件,默认标准输出 (output file; default standard output)\n";

typedef struct export_request {
    const char *what, *transport, *path;
    export_format fmt;
    int item; /* register: a roster_item or ROSTER_ALL */
} export_request;

static int write_list(sqlite3 *rdb, const divisions *d, const export_request *r, FILE *out, size_t *count,
                      hw_error *err)
{
    if (strcmp(r->what, "registrations") == 0)
        return export_registrations(rdb, d, r->fmt, out, count, err);
    if (strcmp(r->what, "register") == 0)
        return roster_write(rdb, d, r->item, r->fmt, out, r->path, count, err);
    manifest_kind kind = strcmp(r->what, "tickets") == 0 ? MANIFEST_TICKETS : MANIFEST_PASSENGERS;
    return manifest_write(rdb, d, kind, r->transport, r->fmt, out, r->path, count, err);
}

static int run(const char *db, const export_request *r, size_t *count, hw_error *err)
{
    cli_env env;
    sqlite3 *rdb = NULL;
    int rc = cli_env_open(db, &env, err);
    if (rc == 0)
        rc = store_reader(env.store, &rdb, err);
    FILE *out = stdout;
    bool own_file = r->path != NULL && r->fmt != EXPORT_XLSX;
    if (rc == 0 && own_file && (out = fopen(r->path, "wb")) == NULL)
        rc = error_set(err, HW_EIO, "cannot_open", "无法写入文件 %s (cannot write file)", r->path);
    if (rc == 0)
        rc = write_list(rdb, env.divisions, r, out, count, err);
    if (own_file && out != NULL && fclose(out) != 0 && rc == 0)
        rc = error_set(err, HW_EIO, "write_failed", "写入文件 %s 失败 (cannot write file)", r->path);
    sqlite3_close(rdb);
    cli_env_close(&env);
    return rc;
}

/* --item: only for register, one of the form's items. */
static int parse_item(export_request *r, const char *value, hw_error *err)
{
    roster_item item;
    if (strcmp(r->what, "register") != 0)
        return error_set(err, HW_EINVAL, "usage", "--item 只用于 register (--item applies to register only)");
    int rc = roster_item_parse(value, &item, err);
    r->item = (int)item;
    return rc;
}

int cmd_export(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--format"), ARGS_VALUE("--out"), ARGS_VALUE("--transport"), ARGS_VALUE("--item")};
    const char *pos[1];
    size_t npos, count = 0;
    hw_error err;
    export_request r = {.fmt = EXPORT_CSV, .item = ROSTER_ALL};
    if (args_parse(argc, argv, o, 4, pos, 1, &npos, &err) != 0)
        return cli_usage_error(cmd_export_usage, &err);
    r.what = npos == 1 ? pos[0] : "";
    if (strcmp(r.what, "registrations") != 0 && strcmp(r.what, "tickets") != 0 && strcmp(r.what, "manifest") != 0 &&
        strcmp(r.what, "register") != 0) {
        error_set(&err, HW_EINVAL, "usage",
                  "可导出 registrations、tickets、manifest 或 register (export registrations, tickets, manifest or "
                  "register)");
        return cli_usage_error(cmd_export_usage, &err);
    }
    if (o[3].present && parse_item(&r, o[3].value, &err) != 0)
        return cli_usage_error(cmd_export_usage, &err);
    if (o[0].present && export_format_parse(o[0].value, &r.fmt, &err) != 0)
        return cli_usage_error(cmd_export_usage, &err);
    r.path = o[1].present ? o[1].value : NULL;
    r.transport = o[2].present ? o[2].value : NULL;
    if (r.transport != NULL && strcmp(r.what, "register") == 0) {
        error_set(&err, HW_EINVAL, "usage",
                  "名册按统计项导出,不按运力;请用 --item (the register goes by item, not by transport; use --item)");
        return cli_usage_error(cmd_export_usage, &err);
    }
    if (run(db, &r, &count, &err) != 0)
        return cli_fail(&err);
    if (r.path != NULL)
        fprintf(stderr, "已导出 %zu 行到 %s (exported %zu rows)\n", count, r.path, count);
    return EXIT_OK;
}
