/* transports.c - kinds, statuses and their transitions, default seat layouts, field parsing and inserts. */
#include "transports.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "parse.h"
#include "store.h"

const field_spec transport_fields[TR_NFIELDS] = {
    [TR_REF] = {"编号", "ref", true},           [TR_KIND] = {"类型", "kind", true},
    [TR_LABEL] = {"车次", "label", false},      [TR_CAPACITY] = {"座位数", "capacity", true},
    [TR_DEPART_AT] = {"出发时间", "depart_at", true}, [TR_ORIGIN] = {"出发站", "origin", false},
    [TR_STOPS] = {"经停", "stops", true},       [TR_COST] = {"费用", "cost", false},
    [TR_STATUS] = {"状态", "status", false},
};

static const char *const kind_names[] = {"train", "carriage", "bus", "boat", "flight"};
static const char *const kind_zh[] = {"专列", "火车车厢", "汽车", "船", "包机"};
static const char *const status_names[] = {"planned", "confirmed", "boarding", "departed", "arrived", "cancelled"};
static const char *const status_zh[] = {"计划", "已确认", "检票中", "已出发", "已到达", "已取消"};

void transport_init(transport *t)
{
    memset(t, 0, sizeof *t);
    t->cost_fen = -1;
    t->status = TRANSPORT_PLANNED;
}

int transport_kind_parse(const char *s, transport_kind *out, hw_error *err)
{
    char t[32];
    parse_trim(s, t, sizeof t);
    for (int k = 0; k < TRANSPORT_NKINDS; k++)
        if (strcasecmp(t, kind_names[k]) == 0 || strcmp(t, kind_zh[k]) == 0) {
            *out = (transport_kind)k;
            return 0;
        }
    if (strcmp(t, "车厢") == 0 || strcmp(t, "专厢") == 0) {
        *out = TRANSPORT_CARRIAGE;
        return 0;
    }
    return error_set(err, HW_EINVAL, "unknown_kind",
                     "类型应为 专列、火车车厢、汽车、船 或 包机 (kind must be train, carriage, bus, boat or flight)");
}

const char *transport_kind_name(transport_kind k)
{
    return k < TRANSPORT_NKINDS ? kind_names[k] : "";
}

const char *transport_kind_zh(transport_kind k)
{
    return k < TRANSPORT_NKINDS ? kind_zh[k] : "";
}

int transport_status_parse(const char *s, transport_status *out, hw_error *err)
{
    char t[32];
    parse_trim(s, t, sizeof t);
    for (int i = 0; i < TRANSPORT_NSTATUSES; i++)
        if (strcasecmp(t, status_names[i]) == 0 || strcmp(t, status_zh[i]) == 0) {
            *out = (transport_status)i;
            return 0;
        }
    return error_set(err, HW_EINVAL, "unknown_status",
                     "状态应为 planned、confirmed、boarding、departed、arrived 或 cancelled (unknown status)");
}

const char *transport_status_name(transport_status s)
{
    return s < TRANSPORT_NSTATUSES ? status_names[s] : "";
}

const char *transport_status_zh(transport_status s)
{
    return s < TRANSPORT_NSTATUSES ? status_zh[s] : "";
}

bool transport_can_move(transport_status from, transport_status to)
{
    if (to == TRANSPORT_CANCELLED)
        return from != TRANSPORT_DEPARTED && from != TRANSPORT_ARRIVED && from != TRANSPORT_CANCELLED;
    if (from == TRANSPORT_CANCELLED || from == TRANSPORT_ARRIVED)
        return false;
    /* forward one step; boarding may be closed again (back to confirmed) before departure */
    if (to == from + 1)
        return true;
    return from == TRANSPORT_BOARDING && to == TRANSPORT_CONFIRMED;
}

void transport_default_layout(transport_kind k, char *buf, size_t n)
{
    static const char *const layouts[] = {"cars:118", "cars:118", "rows:2+2", "numbered", "rows:3+3"};
    snprintf(buf, n, "%s", k < TRANSPORT_NKINDS ? layouts[k] : "numbered");
}

void transport_layout(const transport *t, char *buf, size_t n)
{
    if (t->kind == TRANSPORT_CARRIAGE && t->capacity > 0)
        snprintf(buf, n, "cars:%d", t->capacity);
    else
        transport_default_layout(t->kind, buf, n);
}

/* Split stops on ; ； 、 , and resolve each to a division code. */
static int set_stops(transport *t, const char *value, const divisions *d, hw_error *err)
{
    char copy[512], word[128];
    parse_trim(value, copy, sizeof copy);
    t->nstops = 0;
    for (char *p = copy; *p != '\0';) {
        size_t len = strcspn(p, ";,");
        for (char *q = p; q < p + len; q++)
            if (strncmp(q, "；", 3) == 0 || strncmp(q, "、", 3) == 0 || strncmp(q, "，", 3) == 0) {
                len = (size_t)(q - p);
                memset(q, ';', 3); /* so the next round starts after it */
                break;
            }
        snprintf(word, sizeof word, "%.*s", (int)len, p);
        p += len;
        while (*p == ';' || *p == ',')
            p++;
        parse_trim(word, word, sizeof word);
        if (word[0] == '\0')
            continue;
        if (t->nstops == TRANSPORT_MAX_STOPS)
            return error_set(err, HW_EINVAL, "too_many_stops", "经停最多 %d 个 (at most %d stops)",
                             TRANSPORT_MAX_STOPS, TRANSPORT_MAX_STOPS);
        int rc = divisions_resolve(d, word, t->stops[t->nstops], err);
        if (rc != 0)
            return rc;
        t->nstops++;
    }
    return 0;
}

static int set_capacity(transport *t, const char *value, hw_error *err)
{
    long v = 0;
    int rc = parse_count(value, TRANSPORT_MAX_CAPACITY, &v, err);
    if (rc == 0)
        t->capacity = (int)v;
    else
        error_set(err, HW_EINVAL, "bad_capacity", "座位数应为 1 到 %d 的整数 (capacity must be 1..%d)",
                  TRANSPORT_MAX_CAPACITY, TRANSPORT_MAX_CAPACITY);
    return rc;
}

int transport_set(transport *t, tr_field f, const char *value, const divisions *d, hw_error *err)
{
    char tmp[32];
    int rc;
    switch (f) {
    case TR_REF:
        return parse_text(value, 60, t->ref, sizeof t->ref, err);
    case TR_KIND:
        rc = transport_kind_parse(value, &t->kind, err);
        t->has_kind = rc == 0;
        if (rc == 0)
            transport_default_layout(t->kind, t->layout, sizeof t->layout);
        return rc;
    case TR_LABEL:
        return parse_text(value, 60, t->label, sizeof t->label, err);
    case TR_CAPACITY:
        return set_capacity(t, value, err);
    case TR_DEPART_AT:
        return parse_datetime(value, t->depart_at, sizeof t->depart_at, NULL, err);
    case TR_ORIGIN:
        return parse_text(value, 60, t->origin, sizeof t->origin, err);
    case TR_STOPS:
        return set_stops(t, value, d, err);
    case TR_COST:
        parse_trim(value, tmp, sizeof tmp);
        if (tmp[0] == '\0') {
            t->cost_fen = -1;
            return 0;
        }
        return parse_money_fen(tmp, &t->cost_fen, err);
    case TR_STATUS:
        parse_trim(value, tmp, sizeof tmp);
        if (tmp[0] == '\0') {
            t->status = TRANSPORT_PLANNED;
            return 0;
        }
        return transport_status_parse(tmp, &t->status, err);
    default:
        return error_set(err, HW_EINVAL, "bad_field", "未知字段 (unknown field)");
    }
}

int transport_check(const transport *t, tr_field *bad_field, hw_error *err)
{
    static const int max_by_kind[] = {3000, 150, 80, 1500, 600};
    *bad_field = TR_REF;
    if (t->ref[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_ref", "缺少编号 (ref is required)");
    *bad_field = TR_KIND;
    if (!t->has_kind)
        return error_set(err, HW_EINVAL, "missing_kind", "缺少类型 (kind is required)");
    *bad_field = TR_CAPACITY;
    if (t->capacity < 1)
        return error_set(err, HW_EINVAL, "bad_capacity", "座位数应大于 0 (capacity must be positive)");
    if (t->capacity > max_by_kind[t->kind])
        return error_set(err, HW_EINVAL, "bad_capacity", "%s 座位数不能超过 %d (a %s seats at most %d)",
                         transport_kind_zh(t->kind), max_by_kind[t->kind], transport_kind_name(t->kind),
                         max_by_kind[t->kind]);
    *bad_field = TR_DEPART_AT;
    if (t->depart_at[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_depart_at", "缺少出发时间 (departure time is required)");
    *bad_field = TR_STOPS;
    if (t->nstops == 0)
        return error_set(err, HW_EINVAL, "missing_stops", "至少需要一个经停地 (at least one stop is required)");
    return 0;
}

void transport_format_stops(const transport *t, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->nstops && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ";" : "", t->stops[i]);
}

int transports_insert(sqlite3 *db, int64_t campaign_id, const transport *t, int64_t *id, hw_error *err)
{
    char stops[TRANSPORT_MAX_STOPS * 7 + 1], now[32];
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(db,
                                "INSERT INTO transports(campaign_id, ref, kind, label, capacity, layout, depart_at, "
                                "origin, stops, cost_fen, status, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?12)",
                                -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "transports", err);
    transport_format_stops(t, stops, sizeof stops);
    clock_now(now, sizeof now);
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_text(st, 2, t->ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, transport_kind_name(t->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t->label[0] ? t->label : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, t->capacity);
    char layout[24];
    transport_layout(t, layout, sizeof layout);
    sqlite3_bind_text(st, 6, layout, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, t->depart_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, t->origin[0] ? t->origin : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, stops, -1, SQLITE_STATIC);
    if (t->cost_fen >= 0)
        sqlite3_bind_int64(st, 10, t->cost_fen);
    sqlite3_bind_text(st, 11, transport_status_name(t->status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int xrc = sqlite3_extended_errcode(db);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        if (id != NULL)
            *id = sqlite3_last_insert_rowid(db);
        return 0;
    }
    if (xrc == SQLITE_CONSTRAINT_UNIQUE) /* not CHECK, NOT NULL or FOREIGN KEY: those are no duplicate */
        return error_set(err, HW_ECONFLICT, "duplicate_ref", "运力编号 %s 已存在 (transport ref already exists)", t->ref);
    return store_error(db, rc, "transports", err);
}
