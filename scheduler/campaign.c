/* campaign.c - validating, saving and loading the unit and its current campaign. */
#include "campaign.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "store.h"

static int validate_code(const char *code, hw_error *err)
{
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            n = 0;
    if (n != 6)
        return error_set(err, HW_EINVAL, "bad_unit_code",
                         "单位代码应为六位行政区划代码 (unit code must be a six-digit division code): %.16s", code);
    return 0;
}

int campaign_validate(const campaign_info *c, hw_error *err)
{
    int from, to, deadline, rc;
    if ((rc = validate_code(c->unit_code, err)) != 0)
        return rc;
    if (c->unit_name[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_unit_name", "缺少单位名称 (unit name is required)");
    if (c->name[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_campaign", "缺少活动名称 (campaign name is required)");
    if ((rc = clock_parse_date(c->from, &from, err)) != 0 || (rc = clock_parse_date(c->to, &to, err)) != 0)
        return rc;
    if (to < from)
        return error_set(err, HW_EINVAL, "bad_window", "活动结束日期早于开始日期 (campaign ends before it starts): %s..%s",
                         c->from, c->to);
    if (c->deadline[0] != '\0' && (rc = clock_parse_date(c->deadline, &deadline, err)) != 0)
        return rc;
    return 0;
}

static int bind_and_step(sqlite3 *db, const char *sql, const char *const *values, int n, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "campaign", err);
    for (int i = 0; i < n; i++) {
        if (values[i] != NULL && values[i][0] != '\0')
            sqlite3_bind_text(st, i + 1, values[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "campaign", err);
}

int campaign_save(sqlite3 *db, void *arg, hw_error *err)
{
    const campaign_info *c = arg;
    char now[32];
    int rc = campaign_validate(c, err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    const char *unit[] = {c->unit_code, c->unit_name, now};
    rc = bind_and_step(db,
                       "INSERT INTO unit(id, code, name, updated_at) VALUES (1, ?1, ?2, ?3) "
                       "ON CONFLICT(id) DO UPDATE SET code = ?1, name = ?2, updated_at = ?3",
                       unit, 3, err);
    if (rc != 0)
        return rc;
    const char *camp[] = {c->name, c->from, c->to, c->deadline, c->reporter, c->reporter_phone, now};
    return bind_and_step(db,
                         "INSERT INTO campaign(id, name, date_from, date_to, deadline, reporter, reporter_phone, "
                         "updated_at) VALUES ((SELECT coalesce(max(id), 1) FROM campaign), ?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                         "ON CONFLICT(id) DO UPDATE SET name = ?1, date_from = ?2, date_to = ?3, deadline = ?4, "
                         "reporter = ?5, reporter_phone = ?6, updated_at = ?7",
                         camp, 7, err);
}

static void column_copy(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", v != NULL ? (const char *)v : "");
}

int campaign_load(sqlite3 *db, campaign_info *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT u.code, u.name, c.name, c.date_from, c.date_to, c.deadline, c.reporter, "
                                "c.reporter_phone FROM unit u, campaign c WHERE u.id = 1 ORDER BY c.id DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "campaign", err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        column_copy(st, 0, out->unit_code, sizeof out->unit_code);
        column_copy(st, 1, out->unit_name, sizeof out->unit_name);
        column_copy(st, 2, out->name, sizeof out->name);
        column_copy(st, 3, out->from, sizeof out->from);
        column_copy(st, 4, out->to, sizeof out->to);
        column_copy(st, 5, out->deadline, sizeof out->deadline);
        column_copy(st, 6, out->reporter, sizeof out->reporter);
        column_copy(st, 7, out->reporter_phone, sizeof out->reporter_phone);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return error_set(err, HW_ENOTFOUND, "not_initialized",
                         "尚未初始化单位和活动,请先运行 homeward init (no unit or campaign yet; run homeward init first)");
    return store_error(db, rc, "campaign", err);
}

int campaign_current_id(sqlite3 *db, int64_t *id, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT max(id) FROM campaign", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "campaign", err);
    rc = sqlite3_step(st);
    bool found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (found)
        return 0;
    if (rc != SQLITE_ROW)
        return store_error(db, rc, "campaign", err);
    return error_set(err, HW_ENOTFOUND, "not_initialized",
                     "尚未初始化单位和活动,请先运行 homeward init (no unit or campaign yet; run homeward init first)");
}
