/* stats.c - GET /api/v1/stats/item10 (items 10 and 11 as `homeward report` gives them) and /stats/register (names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handlers.h"
#include "json.h"
#include "query.h"
#include "reports.h"
#include "roster.h"
#include "stats.h"

/* The report as CSV in memory, sent as text/csv. */
static void reply_csv(route_ctx *ctx, const stats_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    hw_error err;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        query_no_memory(ctx);
        return;
    }
    int rc = stats_write_csv(r, f, &err);
    if (fclose(f) != 0 && rc == 0)
        rc = error_set(&err, HW_EIO, "write_failed", "写入统计表失败 (cannot write the report)");
    if (rc != 0)
        json_fail(ctx, &err);
    else
        router_send(ctx, 200, "text/csv; charset=utf-8", buf, len);
    free(buf);
}

/* GET /api/v1/stats/item10[?format=json|csv]: the DESIGN §5 document, or its CSV; 400 for another format. */
int stats_on_item10(route_ctx *ctx)
{
    char format[8], now[32];
    stats_report r;
    hw_error err;
    int present = query_param(ctx, "format", format, sizeof format);
    if (present < 0)
        return 0;
    if (present == 1 && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        json_error(ctx, 400, "bad_query", "format 应为 json 或 csv (format must be json or csv)", NULL);
        return 0;
    }
    if (reports_load(ctx->app->rdb, &r, &err) != 0) {
        json_fail(ctx, &err);
        return 0;
    }
    if (present == 1 && strcmp(format, "csv") == 0) {
        reply_csv(ctx, &r);
    } else {
        clock_now(now, sizeof now);
        json_reply(ctx, 200, stats_report_json(&r, now));
    }
    stats_report_free(&r);
    return 0;
}

/*
 * The most rows the API answers in one response: it is built in memory on the loop thread. Larger
 * registers (one item, or all) are for `homeward export register`, which streams.
 */
#define STATS_REGISTER_MAX_ROWS 50000

/* The register as `fmt` in memory, sent whole (text/csv or application/json); 413 beyond the limit. */
static void reply_register(route_ctx *ctx, int item, export_format fmt)
{
    char *buf = NULL;
    size_t len = 0, count = 0;
    int64_t rows = 0;
    hw_error err;
    if (roster_rows(ctx->app->rdb, item, &rows, &err) != 0) {
        json_fail(ctx, &err);
        return;
    }
    if (rows > STATS_REGISTER_MAX_ROWS) {
        error_set(&err, HW_ETOOBIG, "too_many_rows",
                  "名册共 %lld 行,接口一次最多 %d 行;请按项导出,或用 homeward export register (the register has %lld "
                  "rows, the API answers at most %d; ask for one item or use homeward export register)",
                  (long long)rows, STATS_REGISTER_MAX_ROWS, (long long)rows, STATS_REGISTER_MAX_ROWS);
        json_fail(ctx, &err);
        return;
    }
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        query_no_memory(ctx);
        return;
    }
    int rc = roster_write(ctx->app->rdb, ctx->app->divisions, item, fmt, f, NULL, &count, &err);
    if (fclose(f) != 0 && rc == 0)
        rc = error_set(&err, HW_EIO, "write_failed", "写入名册失败 (cannot write the register)");
    if (rc != 0)
        json_fail(ctx, &err);
    else
        router_send(ctx, 200, fmt == EXPORT_CSV ? "text/csv; charset=utf-8" : "application/json", buf, len);
    free(buf);
}

/* GET /api/v1/stats/register[?item=10D][&format=json|csv]: the names behind the figures; 400 for a bad item/format. */
int stats_on_register(route_ctx *ctx)
{
    char item_text[16], format[8];
    roster_item item = ROSTER_10A;
    export_format fmt = EXPORT_JSON;
    hw_error err;
    int has_item = query_param(ctx, "item", item_text, sizeof item_text);
    if (has_item < 0)
        return 0;
    int has_format = query_param(ctx, "format", format, sizeof format);
    if (has_format < 0)
        return 0;
    if (has_item == 1 && roster_item_parse(item_text, &item, &err) != 0) {
        query_bad_param(ctx, "item", &err);
        return 0;
    }
    if (has_format == 1 && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        json_error(ctx, 400, "bad_query", "format 应为 json 或 csv (format must be json or csv)", NULL);
        return 0;
    }
    if (has_format == 1 && strcmp(format, "csv") == 0)
        fmt = EXPORT_CSV;
    reply_register(ctx, has_item == 1 ? (int)item : ROSTER_ALL, fmt);
    return 0;
}
