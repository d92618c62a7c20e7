/* cmd_list.c - `homeward list KIND`: read and search what was imported, as a table for people (personal data masked). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "campaign.h"
#include "cli.h"
#include "registry.h"

const char cmd_list_usage[] =
    "用法 (usage): homeward list registrations [--q TEXT] [--destination PLACE] [--party KEY] [--status active|withdrawn]\n"
    "              homeward list transports [--kind KIND] [--status STATUS] [--date YYYY-MM-DD]\n"
    "              homeward list purchases | subsidies\n"
    "              (all: [--limit N] [--offset N])\n"
    "查看和查找已导入的数据,身份证号和手机号均已遮蔽 (list and search what was imported; id numbers and phones masked).\n"
    "  --q            姓名片段、编号,或手机/身份证号后四位 (part of a name, a ref, or the last 4 of a phone or id number)\n"
    "  --destination  目的地名称或代码,按其级别匹配 (a place name or code, matched at its level: 四川省, 巴中市, 平昌县)\n"
    "  --limit        最多显示行数,默认 50 (rows to show, default 50)\n";

/* Print `s` padded with spaces to `width` terminal columns (CJK characters take two). */
static void cell(const char *s, int width)
{
    int used = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if ((*p & 0xC0) != 0x80)
            used += *p >= 0xE0 ? 2 : 1;
    fputs(s, stdout);
    for (; used < width; used++)
        putchar(' ');
    putchar(' ');
}

static int print_reg(const registry_reg *row, void *data)
{
    const registration *r = &row->reg;
    char window[32], tags[160];
    (void)data;
    snprintf(window, sizeof window, "%s..%s", r->earliest[0] ? r->earliest + 5 : "", r->latest[0] ? r->latest + 5 : "");
    registration_format_tags(r->tags, tags, sizeof tags);
    cell(r->ref[0] ? r->ref : "-", 12);
    cell(r->name, 8);
    cell(row->id_masked, 18);
    cell(row->phone_masked[0] ? row->phone_masked : "-", 11);
    cell(r->destination, 6);
    cell(window, 12);
    cell(r->party[0] ? r->party : "-", 14);
    cell(tags, 10);
    puts(strcmp(row->status, "active") == 0 ? "" : "已撤销");
    return 0;
}

static int print_tr(const registry_tr *row, void *data)
{
    const transport *t = &row->t;
    char cap[16], when[20];
    (void)data;
    snprintf(cap, sizeof cap, "%d", t->capacity);
    snprintf(when, sizeof when, "%.10s %.5s", t->depart_at, t->depart_at + 11);
    cell(t->ref, 10);
    cell(transport_kind_zh(t->kind), 8);
    cell(t->label, 12);
    cell(cap, 5);
    cell(when, 16);
    cell(t->origin, 20);
    cell(transport_status_zh(t->status), 6);
    for (int i = 0; i < t->nstops; i++)
        printf("%s%s", i ? ";" : "", t->stops[i]);
    putchar('\n');
    return 0;
}

static int print_pu(const registry_pu *row, void *data)
{
    (void)data;
    cell(row->name, 8);
    cell(row->id_masked, 18);
    cell(row->p.mode, 6);
    cell(row->p.service, 10);
    cell(row->p.travel_date, 10);
    puts(row->p.refunded ? "已退票" : "");
    return 0;
}

static int print_su(const registry_su *row, void *data)
{
    char amount[32], people[16];
    (void)data;
    snprintf(amount, sizeof amount, "%lld.%02lld", (long long)(row->s.amount_fen / 100),
             (long long)(row->s.amount_fen % 100));
    snprintf(people, sizeof people, "%ld", row->s.people);
    cell(row->s.employer, 36);
    cell(amount, 12);
    cell(row->s.people >= 0 ? people : "-", 6);
    puts(row->s.date);
    return 0;
}

enum { O_Q, O_DEST, O_PARTY, O_STATUS, O_KIND, O_DATE, O_LIMIT, O_OFFSET, O_N };

/* The significant prefix of a destination filter: 四川省 -> "51", 巴中市 -> "5119", 平昌县 -> "511923". */
static int destination_prefix(const divisions *d, const char *text, char prefix[8], hw_error *err)
{
    char code[7];
    int rc = divisions_resolve(d, text, code, err);
    if (rc != 0)
        return rc;
    int level = divisions_level(code);
    snprintf(prefix, 8, "%.*s", level == 1 ? 2 : level == 2 ? 4 : 6, code);
    return 0;
}

static int list_kind(sqlite3 *db, const divisions *d, const char *kind, args_opt *o, registry_page page, int64_t *total,
                     hw_error *err)
{
    int64_t campaign = 0;
    char prefix[8];
    int rc = campaign_current_id(db, &campaign, err);
    if (rc != 0)
        return rc;
    if (strcmp(kind, "registrations") == 0) {
        registry_reg_filter f = {.q = o[O_Q].value, .party = o[O_PARTY].value, .status = o[O_STATUS].value};
        if (o[O_DEST].present && (rc = destination_prefix(d, o[O_DEST].value, prefix, err)) != 0)
            return rc;
        f.dest_prefix = o[O_DEST].present ? prefix : NULL;
        if (!o[O_STATUS].present)
            f.status = "active";
        cell("编号", 12), cell("姓名", 8), cell("身份证号", 18), cell("手机号", 11), cell("目的地", 6);
        cell("出发窗口", 12), cell("同行组", 14), cell("类别", 10), putchar('\n');
        return registry_reg_list(db, campaign, &f, page, print_reg, NULL, total, err);
    }
    if (strcmp(kind, "transports") == 0) {
        registry_tr_filter f = {.date = o[O_DATE].value};
        transport_kind kind;
        transport_status status;
        /* the same words import accepts: 汽车 or bus, 已确认 or confirmed */
        if (o[O_KIND].present && (rc = transport_kind_parse(o[O_KIND].value, &kind, err)) != 0)
            return rc;
        if (o[O_STATUS].present && (rc = transport_status_parse(o[O_STATUS].value, &status, err)) != 0)
            return rc;
        f.kind = o[O_KIND].present ? transport_kind_name(kind) : NULL;
        f.status = o[O_STATUS].present ? transport_status_name(status) : NULL;
        cell("编号", 10), cell("类型", 8), cell("车次", 12), cell("座位", 5), cell("出发时间", 16), cell("出发站", 20);
        cell("状态", 6), puts("经停");
        return registry_tr_list(db, campaign, &f, page, print_tr, NULL, total, err);
    }
    if (strcmp(kind, "purchases") == 0) {
        registry_pu_filter f = {.refunded = -1, .date = o[O_DATE].value};
        cell("姓名", 8), cell("身份证号", 18), cell("方式", 6), cell("车次", 10), cell("乘车日期", 10), puts("退票");
        return registry_pu_list(db, campaign, &f, page, print_pu, NULL, total, err);
    }
    registry_su_filter f = {.date = o[O_DATE].value};
    cell("单位", 36), cell("金额(元)", 12), cell("人数", 6), puts("日期");
    return registry_su_list(db, campaign, &f, page, print_su, NULL, total, err);
}

static int parse_page(args_opt *o, registry_page *page, hw_error *err)
{
    char *end = NULL;
    page->limit = 50;
    page->offset = 0;
    if (o[O_LIMIT].present && ((page->limit = strtol(o[O_LIMIT].value, &end, 10)) < 1 || *end != '\0'))
        return error_set(err, HW_EINVAL, "usage", "--limit 应为正整数 (--limit must be a positive number)");
    if (o[O_OFFSET].present && ((page->offset = strtol(o[O_OFFSET].value, &end, 10)) < 0 || *end != '\0'))
        return error_set(err, HW_EINVAL, "usage", "--offset 应为非负整数 (--offset must be zero or more)");
    return 0;
}

int cmd_list(const char *db, int argc, char **argv)
{
    static const char *const kinds[] = {"registrations", "transports", "purchases", "subsidies"};
    args_opt o[O_N] = {ARGS_VALUE("--q"),    ARGS_VALUE("--destination"), ARGS_VALUE("--party"),
                       ARGS_VALUE("--status"), ARGS_VALUE("--kind"),      ARGS_VALUE("--date"),
                       ARGS_VALUE("--limit"), ARGS_VALUE("--offset")};
    const char *pos[1];
    size_t npos;
    hw_error err;
    registry_page page;
    if (args_parse(argc, argv, o, O_N, pos, 1, &npos, &err) != 0 || parse_page(o, &page, &err) != 0)
        return cli_usage_error(cmd_list_usage, &err);
    size_t k = 0;
    while (npos == 1 && k < 4 && strcmp(pos[0], kinds[k]) != 0)
        k++;
    if (npos != 1 || k == 4) {
        error_set(&err, HW_EINVAL, "usage", "需要 registrations、transports、purchases 或 subsidies (expected a kind)");
        return cli_usage_error(cmd_list_usage, &err);
    }
    cli_env env;
    sqlite3 *rdb = NULL;
    int64_t total = 0;
    int rc = cli_env_open(db, &env, &err);
    if (rc == 0)
        rc = store_reader(env.store, &rdb, &err);
    if (rc == 0)
        rc = list_kind(rdb, env.divisions, kinds[k], o, page, &total, &err);
    sqlite3_close(rdb);
    cli_env_close(&env);
    if (rc != 0)
        return cli_fail(&err);
    long long shown = total - page.offset < page.limit ? total - page.offset : page.limit;
    printf("共 %lld 条,显示 %lld 条 (%lld in all, %lld shown)\n", (long long)total, shown < 0 ? 0 : shown,
           (long long)total, shown < 0 ? 0 : shown);
    return EXIT_OK;
}
