/* subsidies.c - parsing and storing employer subsidy agreements, amounts as integer fen. */
#include "subsidies.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "parse.h"
#include "store.h"

const field_spec subsidy_fields[SU_NFIELDS] = {
    [SU_EMPLOYER] = {"单位", "employer", true},
    [SU_AMOUNT] = {"金额", "amount_yuan", true},
    [SU_PEOPLE] = {"人数", "people", false},
    [SU_DATE] = {"日期", "date", true},
};

void subsidy_init(subsidy *s)
{
    memset(s, 0, sizeof *s);
    s->amount_fen = -1;
    s->people = -1;
}

int subsidy_set(subsidy *s, su_field f, const char *value, hw_error *err)
{
    char t[32];
    int ymd;
    switch (f) {
    case SU_EMPLOYER:
        return parse_text(value, 120, s->employer, sizeof s->employer, err);
    case SU_AMOUNT:
        if (parse_money_fen(value, &s->amount_fen, err) != 0)
            return HW_EINVAL;
        if (s->amount_fen == 0)
            return error_set(err, HW_EINVAL, "bad_amount", "金额应大于 0 (amount must be positive)");
        return 0;
    case SU_PEOPLE:
        parse_trim(value, t, sizeof t);
        if (t[0] == '\0') {
            s->people = -1;
            return 0;
        }
        return parse_count(t, 10000000, &s->people, err);
    case SU_DATE:
        parse_trim(value, t, sizeof t);
        if (clock_parse_date(t, &ymd, err) != 0)
            return HW_EINVAL;
        memcpy(s->date, t, sizeof s->date); /* clock_parse_date checked: 10 characters */
        return 0;
    default:
        return error_set(err, HW_EINVAL, "bad_field", "未知字段 (unknown field)");
    }
}

int subsidy_check(const subsidy *s, su_field *bad_field, hw_error *err)
{
    *bad_field = SU_EMPLOYER;
    if (s->employer[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_employer", "缺少单位 (employer is required)");
    *bad_field = SU_AMOUNT;
    if (s->amount_fen <= 0)
        return error_set(err, HW_EINVAL, "missing_amount", "缺少金额 (amount is required)");
    *bad_field = SU_DATE;
    if (s->date[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_date", "缺少日期 (date is required)");
    return 0;
}

int subsidies_insert(sqlite3 *db, int64_t campaign_id, const subsidy *s, int64_t *id, hw_error *err)
{
    char now[32];
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(db,
                                "INSERT INTO subsidies(campaign_id, employer, amount_fen, people, date, created_at) "
                                "VALUES (?, ?, ?, ?, ?, ?)",
                                -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "subsidies", err);
    clock_now(now, sizeof now);
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_text(st, 2, s->employer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, s->amount_fen);
    if (s->people >= 0)
        sqlite3_bind_int64(st, 4, s->people);
    sqlite3_bind_text(st, 5, s->date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int xrc = sqlite3_extended_errcode(db);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        if (id != NULL)
            *id = sqlite3_last_insert_rowid(db);
        return 0;
    }
    if (xrc == SQLITE_CONSTRAINT_UNIQUE) /* not CHECK, NOT NULL or FOREIGN KEY: those are no duplicate */
        return error_set(err, HW_ECONFLICT, "duplicate_subsidy",
                         "同一单位同一日期同一金额的补贴已存在 (the same subsidy is already recorded)");
    return store_error(db, rc, "subsidies", err);
}
