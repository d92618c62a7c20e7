/* registrations.c - parsing and checking registration fields, tags and priority, and sealed bulk inserts. */
#include "registrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "idnumber.h"
#include "parse.h"
#include "store.h"

const field_spec registration_fields[REG_NFIELDS] = {
    [REG_REF] = {"编号", "ref", false},
    [REG_NAME] = {"姓名", "name", true},
    [REG_ID_NUMBER] = {"身份证号", "id_number", true},
    [REG_PHONE] = {"手机号", "phone", false},
    [REG_EMPLOYER] = {"工作单位", "employer", false},
    [REG_DESTINATION] = {"目的地", "destination", true},
    [REG_EARLIEST] = {"最早出发", "earliest", false},
    [REG_LATEST] = {"最晚出发", "latest", false},
    [REG_PARTY] = {"同行组", "party", false},
    [REG_TAGS] = {"类别", "tags", false},
    [REG_MIGRANT] = {"农民工", "migrant", false},
};

static const struct {
    unsigned bit;
    const char *zh, *en;
} tag_names[] = {
    {REG_TAG_HARDSHIP, "困难职工", "hardship"}, {REG_TAG_MODEL, "劳模", "model_worker"},
    {REG_TAG_PREGNANT, "孕妇", "pregnant"},     {REG_TAG_ELDERLY, "老人", "elderly"},
    {REG_TAG_DISABLED, "残疾", "disabled"},
};
#define NTAGS (sizeof tag_names / sizeof tag_names[0])

void registration_init(registration *r)
{
    memset(r, 0, sizeof *r);
    r->migrant = true;
}

int registration_priority(unsigned tags)
{
    return tags != 0 ? 1 : 0;
}

void registration_format_tags(unsigned tags, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NTAGS; i++)
        if ((tags & tag_names[i].bit) && used < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ";" : "", tag_names[i].zh);
}

/* Split on ; ； , ， 、 and match each tag by its Chinese or English name. */
static int parse_tags(const char *value, unsigned *tags, hw_error *err)
{
    char copy[256], word[64];
    parse_trim(value, copy, sizeof copy);
    *tags = 0;
    const char *p = copy;
    while (*p != '\0') {
        size_t len = strcspn(p, ";,");
        const char *sep = NULL;
        for (const char *q = p; q < p + len; q++)
            if (strncmp(q, "；", 3) == 0 || strncmp(q, "，", 3) == 0 || strncmp(q, "、", 3) == 0) {
                sep = q;
                break;
            }
        size_t wlen = sep != NULL ? (size_t)(sep - p) : len;
        snprintf(word, sizeof word, "%.*s", (int)wlen, p);
        parse_trim(word, word, sizeof word);
        p += sep != NULL ? wlen + 3 : (p[len] != '\0' ? len + 1 : len);
        if (word[0] == '\0')
            continue;
        size_t i = 0;
        while (i < NTAGS && strcmp(word, tag_names[i].zh) != 0 && strcmp(word, tag_names[i].en) != 0)
            i++;
        if (i == NTAGS)
            return error_set(err, HW_EINVAL, "unknown_tag",
                             "未知类别 \"%.40s\",可用:困难职工、劳模、孕妇、老人、残疾 (unknown tag; use hardship, "
                             "model_worker, pregnant, elderly, disabled)",
                             word);
        *tags |= tag_names[i].bit;
    }
    return 0;
}

static int set_date(char *dst, const char *value, hw_error *err)
{
    char t[16];
    int ymd;
    parse_trim(value, t, sizeof t);
    if (t[0] == '\0') {
        dst[0] = '\0';
        return 0;
    }
    int rc = clock_parse_date(t, &ymd, err);
    if (rc == 0)
        snprintf(dst, 11, "%.10s", t); /* clock_parse_date checked: exactly 10 characters */
    return rc;
}

static int set_destination(registration *r, const char *value, const registration_env *env, hw_error *err)
{
    char code[7];
    int rc = divisions_resolve(env->divisions, value, code, err);
    if (rc == 0)
        memcpy(r->destination, code, sizeof r->destination);
    return rc;
}

int registration_set(registration *r, reg_field f, const char *value, const registration_env *env, hw_error *err)
{
    char phone[24];
    switch (f) {
    case REG_REF:
        return parse_text(value, 60, r->ref, sizeof r->ref, err);
    case REG_NAME:
        return parse_text(value, 60, r->name, sizeof r->name, err);
    case REG_ID_NUMBER:
        return idnumber_normalize(value, env->today, r->id_number, err);
    case REG_PHONE:
        parse_trim(value, phone, sizeof phone);
        if (phone[0] == '\0') {
            r->phone[0] = '\0';
            return 0;
        }
        return parse_phone(phone, r->phone, sizeof r->phone, err);
    case REG_EMPLOYER:
        return parse_text(value, 120, r->employer, sizeof r->employer, err);
    case REG_DESTINATION:
        return set_destination(r, value, env, err);
    case REG_EARLIEST:
        return set_date(r->earliest, value, err);
    case REG_LATEST:
        return set_date(r->latest, value, err);
    case REG_PARTY:
        return parse_text(value, 60, r->party, sizeof r->party, err);
    case REG_TAGS:
        return parse_tags(value, &r->tags, err);
    case REG_MIGRANT:
        return parse_yes_no(value, true, &r->migrant, err);
    default:
        return error_set(err, HW_EINVAL, "bad_field", "未知字段 (unknown field)");
    }
}

static bool inside(const char *date, const campaign_info *c)
{
    return strcmp(date, c->from) >= 0 && strcmp(date, c->to) <= 0;
}

int registration_check(const registration *r, const registration_env *env, reg_field *bad_field, hw_error *err)
{
    const campaign_info *c = env->campaign;
    *bad_field = REG_NAME;
    if (r->name[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_name", "缺少姓名 (name is required)");
    *bad_field = REG_ID_NUMBER;
    if (r->id_number[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_id_number", "缺少身份证号 (id number is required)");
    *bad_field = REG_DESTINATION;
    if (r->destination[0] == '\0')
        return error_set(err, HW_EINVAL, "missing_destination", "缺少目的地 (destination is required)");
    *bad_field = REG_LATEST;
    if (r->earliest[0] && r->latest[0] && strcmp(r->latest, r->earliest) < 0)
        return error_set(err, HW_EINVAL, "latest_before_earliest",
                         "最晚出发日期 %s 早于最早出发日期 %s (latest departure is before the earliest)", r->latest,
                         r->earliest);
    for (int i = 0; i < 2 && c != NULL; i++) {
        const char *d = i == 0 ? r->earliest : r->latest;
        *bad_field = i == 0 ? REG_EARLIEST : REG_LATEST;
        if (d[0] && !inside(d, c))
            return error_set(err, HW_EINVAL, "outside_campaign",
                             "日期 %s 不在活动期间 %s 至 %s 内 (date is outside the campaign window)", d, c->from, c->to);
    }
    return 0;
}

struct registrations_writer {
    sqlite3 *db;
    const vault *vault;
    int64_t campaign_id;
    sqlite3_stmt *insert;
    sqlite3_stmt *find;
    char now[32]; /* one timestamp for the whole batch (an import is one moment) */
};

int registrations_writer_open(sqlite3 *db, const vault *v, int64_t campaign_id, registrations_writer **out,
                              hw_error *err)
{
    registrations_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    *w = (registrations_writer){.db = db, .vault = v, .campaign_id = campaign_id};
    clock_now(w->now, sizeof w->now);
    int rc = sqlite3_prepare_v3(
        db,
        "INSERT INTO registrations(campaign_id, ref, name, id_index, id_sealed, id_masked, phone_sealed, phone_masked, "
        "employer, migrant, destination, earliest, latest, party, tags, priority, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
        -1, SQLITE_PREPARE_PERSISTENT, &w->insert, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(db,
                                "SELECT id, 'id' FROM registrations WHERE campaign_id = ?1 AND id_index = ?2 AND "
                                "status = 'active' UNION ALL SELECT id, 'ref' FROM registrations WHERE campaign_id = "
                                "?1 AND ref = ?3 LIMIT 1",
                                -1, SQLITE_PREPARE_PERSISTENT, &w->find, NULL);
    if (rc != SQLITE_OK) {
        rc = store_error(db, rc, "registrations", err);
        registrations_writer_close(w);
        return rc;
    }
    *out = w;
    return 0;
}

void registrations_writer_close(registrations_writer *w)
{
    if (w == NULL)
        return;
    sqlite3_finalize(w->insert);
    sqlite3_finalize(w->find);
    free(w);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v != NULL && v[0] != '\0')
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* Which unique rule did the row break, and with whom. */
static int explain_conflict(registrations_writer *w, const uint8_t *index, const registration *r, int64_t *conflict_id,
                            hw_error *err)
{
    sqlite3_stmt *st = w->find;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, w->campaign_id);
    sqlite3_bind_blob(st, 2, index, VAULT_INDEX_BYTES, SQLITE_TRANSIENT);
    bind_text_or_null(st, 3, r->ref);
    bool by_id = true;
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (conflict_id != NULL)
            *conflict_id = sqlite3_column_int64(st, 0);
        by_id = strcmp((const char *)sqlite3_column_text(st, 1), "id") == 0;
    }
    sqlite3_reset(st);
    if (by_id)
        return error_set(err, HW_ECONFLICT, "duplicate_id_number",
                         "此身份证号在本活动中已登记 (this id number is already registered in the campaign)");
    return error_set(err, HW_ECONFLICT, "duplicate_ref", "编号 %s 已被使用 (ref already used)", r->ref);
}

/* Seal `plain` into buf and bind it (NULL when empty); buf must stay alive until the statement ran. */
static int bind_sealed(registrations_writer *w, int col, const char *purpose, const char *plain, uint8_t *buf,
                       hw_error *err)
{
    size_t n = 0;
    if (plain[0] == '\0') {
        sqlite3_bind_null(w->insert, col);
        return 0;
    }
    int rc = vault_seal(w->vault, purpose, plain, buf, VAULT_SEALED_MAX, &n, err);
    if (rc == 0)
        sqlite3_bind_blob(w->insert, col, buf, (int)n, SQLITE_STATIC);
    return rc;
}

static void bind_static_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v[0] != '\0')
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int registrations_writer_add(registrations_writer *w, const registration *r, int64_t *id, int64_t *conflict_id,
                             hw_error *err)
{
    /* every buffer bound below lives until the statement ran: SQLITE_STATIC spares a copy per column */
    uint8_t index[VAULT_INDEX_BYTES], sealed_id[VAULT_SEALED_MAX], sealed_phone[VAULT_SEALED_MAX];
    char masked_id[19], masked_phone[24];
    sqlite3_stmt *st = w->insert;
    vault_index(w->vault, "id", r->id_number, index);
    idnumber_mask(r->id_number, masked_id);
    idnumber_mask_phone(r->phone, masked_phone, sizeof masked_phone);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, w->campaign_id);
    bind_static_or_null(st, 2, r->ref);
    sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, index, sizeof index, SQLITE_STATIC);
    int rc = bind_sealed(w, 5, "id", r->id_number, sealed_id, err);
    if (rc == 0)
        rc = bind_sealed(w, 7, "phone", r->phone, sealed_phone, err);
    if (rc != 0) {
        sqlite3_clear_bindings(st);
        return rc;
    }
    sqlite3_bind_text(st, 6, masked_id, -1, SQLITE_STATIC);
    bind_static_or_null(st, 8, masked_phone);
    bind_static_or_null(st, 9, r->employer);
    sqlite3_bind_int(st, 10, r->migrant);
    sqlite3_bind_text(st, 11, r->destination, -1, SQLITE_STATIC);
    bind_static_or_null(st, 12, r->earliest);
    bind_static_or_null(st, 13, r->latest);
    bind_static_or_null(st, 14, r->party);
    sqlite3_bind_int(st, 15, (int)r->tags);
    sqlite3_bind_int(st, 16, registration_priority(r->tags));
    sqlite3_bind_text(st, 17, w->now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int xrc = sqlite3_extended_errcode(w->db);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st); /* no pointer into this frame stays bound */
    if (rc == SQLITE_DONE) {
        if (id != NULL)
            *id = sqlite3_last_insert_rowid(w->db);
        return 0;
    }
    /* only a unique index is a duplicate; a CHECK or NOT NULL failure is reported as what it is */
    if (xrc == SQLITE_CONSTRAINT_UNIQUE)
        return explain_conflict(w, index, r, conflict_id, err);
    return store_error(w->db, rc, "registrations", err);
}
