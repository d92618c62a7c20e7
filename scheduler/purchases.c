/* purchases.c - parsing purchases and linking each to its registration through the id-number blind index. */
#include "purchases.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "idnumber.h"
#include "parse.h"
#include "store.h"

const field_spec purchase_fields[PU_NFIELDS] = {
    [PU_ID_NUMBER] = {"身份证号", "id_number", true}, [PU_MODE] = {"方式", "mode", true},
    [PU_SERVICE] = {"车次", "service", false},        [PU_TRAVEL_DATE] = {"乘车日期", "travel_date", true},
    [PU_FARE] = {"票价", "fare", false},              [PU_REFUNDED] = {"退票", "refunded", false},
};

void purchase_init(purchase *p)
{
    memset(p, 0, sizeof *p);
    p->fare_fen = -1;
}

static int set_mode(purchase *p, const char *value, hw_error *err)
{
    static const char *const en[] = {"train", "bus", "boat", "flight"};
    static const char *const zh[] = {"火车", "汽车", "船", "飞机"};
    char t[32];
    parse_trim(value, t, sizeof t);
    for (int i = 0; i < 4; i++)
        if (strcasecmp(t, en[i]) == 0 || strcmp(t, zh[i]) == 0) {
            snprintf(p->mode, sizeof p->mode, "%s", en[i]);
            return 0;
        }
    return error_set(err, HW_EINVAL, "unknown_mode", "方式应为 火车、汽车、船 或 飞机 (mode must be train, bus, boat or flight)");
}

int purchase_set(purchase *p, pu_field f, const char *value, int today, hw_error *err)
{
    char t[32];
    int ymd;
    switch (f) {
    case PU_ID_NUMBER:
        return idnumber_normalize(value, today, p->id_number, err);
    case PU_MODE:
        return set_mode(p, value, err);
    case PU_SERVICE:
        return parse_text(value, 30, p->service, sizeof p->service, err);
    case PU_TRAVEL_DATE:
        parse_trim(value, t, sizeof t);
        if (clock_parse_date(t, &ymd, err) != 0)
            return err != NULL ? err->rc : HW_EINVAL;
        memcpy(p->travel_date, t, sizeof p->travel_date); /* clock_parse_date checked: 10 characters */
        return 0;
    case PU_FARE:
        parse_trim(value, t, sizeof t);
        if (t[0] == '\0') {
            p->fare_fen = -1;
            return 0;
        }
        return parse_money_fen(t, &p->fare_fen, err);
    case PU_REFUNDED:
        return parse_yes_no(value, false, &p->refunded, err);
    default:
        return error_set(err, HW_EINVAL, "bad_field", "未知字段 (unknown field)");
    }
}

int purchase_check(const purchase *p, pu_field *bad_field, hw_error *err)
{
    *bad_field = PU_ID_NUMBER;
    if (p->id_number[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_id_number", "缺少身份证号 (id number is required)");
    *bad_field = PU_MODE;
    if (p->mode[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_mode", "缺少方式 (mode is required)");
    *bad_field = PU_TRAVEL_DATE;
    if (p->travel_date[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_travel_date", "缺少乘车日期 (travel date is required)");
    return 0;
}

static int find_registration(sqlite3 *db, const vault *v, int64_t campaign_id, const char *id_number, int64_t *reg,
                             hw_error *err)
{
    uint8_t index[VAULT_INDEX_BYTES];
    sqlite3_stmt *st = NULL;
    vault_index(v, "id", id_number, index);
    int rc = sqlite3_prepare_v3(db,
                                "SELECT id FROM registrations WHERE campaign_id = ? AND id_index = ? AND status = "
                                "'active'",
                                -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "purchases", err);
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_blob(st, 2, index, sizeof index, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *reg = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return error_set(err, HW_ENOTFOUND, "not_registered",
                         "此人尚未建档,请先导入其登记 (no registration for this id number; register the person first)");
    return store_error(db, rc, "purchases", err);
}

int purchases_insert(sqlite3 *db, const vault *v, int64_t campaign_id, const purchase *p, int64_t *id, hw_error *err)
{
    int64_t reg = 0;
    char now[32];
    int rc = find_registration(db, v, campaign_id, p->id_number, &reg, err);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v3(db,
                            "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, fare_fen, "
                            "refunded, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "purchases", err);
    clock_now(now, sizeof now);
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_int64(st, 2, reg);
    sqlite3_bind_text(st, 3, p->mode, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->service, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->travel_date, -1, SQLITE_STATIC);
    if (p->fare_fen >= 0)
        sqlite3_bind_int64(st, 6, p->fare_fen);
    sqlite3_bind_int(st, 7, p->refunded);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int xrc = sqlite3_extended_errcode(db);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        if (id != NULL)
            *id = sqlite3_last_insert_rowid(db);
        return 0;
    }
    if (xrc == SQLITE_CONSTRAINT_UNIQUE) /* not CHECK, NOT NULL or FOREIGN KEY: those are no duplicate */
        return error_set(err, HW_ECONFLICT, "duplicate_purchase",
                         "同一人同一车次同一日期的购票已存在 (this person already has this ticket on that date)");
    return store_error(db, rc, "purchases", err);
}
