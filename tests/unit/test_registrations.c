/* test_registrations.c - unit tests for scheduler/registrations.c: field parsing, cross-field rules, sealed inserts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "campaign.h"
#include "divisions.h"
#include "idnumber.h"
#include "registrations.h"
#include "store.h"
#include "vault.h"

#include "fixture.h"

#define TODAY 20261201
#define NREGS 24

static const registration_env env = {.campaign = &fixture_campaign, .today = TODAY}; /* divisions set per use */

/* One write job: open a writer on the current campaign and add regs[0..n); stops at the first failure. */
typedef struct add_job {
    const vault *v;
    const registration *regs;
    size_t n;
    int64_t *ids;
    int64_t conflict_id;
    size_t added;
} add_job;

/* ---------------------------------------------------------------- helpers */

static registration_env make_env(void)
{
    registration_env e = env;
    e.divisions = fixture_divisions;
    return e;
}

/* The id number of person `i`: 511923, a birth date in 1985, and a sequence number. */
static void person_id(int i, char out[IDNUMBER_LEN + 1])
{
    char first17[48]; /* room for any i: fixture_id_number fails the test unless exactly 17 characters came out */
    snprintf(first17, sizeof first17, "5119231985%02d%02d%03d", 1 + i % 12, 1 + i % 28, 100 + i);
    fixture_id_number(first17, out);
}

/* An id number that ends in "123X", found by trying birth dates. */
static void id_ending_123x(char out[IDNUMBER_LEN + 1])
{
    char first17[18];
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= 28; d++) {
            snprintf(first17, sizeof first17, "5119231985%02d%02d123", m, d);
            if (idnumber_check_char(first17) == 'X') {
                fixture_id_number(first17, out);
                return;
            }
        }
    fail_msg("no birth date in 1985 gives check character X");
}

static void set_ok(registration *r, reg_field f, const char *value)
{
    hw_error err;
    registration_env e = make_env();
    int rc = registration_set(r, f, value, &e, &err);
    if (rc != 0)
        fprintf(stderr, "registration_set(%s, \"%s\"): %s %s\n", registration_fields[f].en, value, err.code,
                err.message);
    assert_int_equal(rc, 0);
}

static void set_fails(registration *r, reg_field f, const char *value, int want_rc, const char *want_code)
{
    hw_error err;
    registration_env e = make_env();
    error_clear(&err);
    assert_int_equal(registration_set(r, f, value, &e, &err), want_rc);
    assert_int_equal(err.rc, want_rc);
    assert_string_equal(err.code, want_code);
}

/* A valid registration of person `i` built through registration_set, as an import would. */
static void person(int i, registration *r, char id[IDNUMBER_LEN + 1], char phone[16])
{
    char ref[16], name[16];
    person_id(i, id);
    snprintf(phone, 16, "139%08d", 20260000 + i);
    snprintf(ref, sizeof ref, "R%04d", i);
    snprintf(name, sizeof name, "工人%d", i);
    registration_init(r);
    set_ok(r, REG_REF, ref);
    set_ok(r, REG_NAME, name);
    set_ok(r, REG_ID_NUMBER, id);
    set_ok(r, REG_PHONE, phone);
    set_ok(r, REG_EMPLOYER, "成都某建筑公司");
    set_ok(r, REG_DESTINATION, i % 2 ? "平昌县" : "四川省巴中市通江县");
    set_ok(r, REG_TAGS, i % 3 == 0 ? "困难职工" : "");
}

/* A database bound to a fresh key file with the campaign saved. */
static int setup_db(void **state)
{
    return fixture_new(state, FIXTURE_CAMPAIGN);
}

/* Runs on the writer thread: no cmocka asserts here. */
static int add_job_run(sqlite3 *db, void *arg, hw_error *err)
{
    add_job *j = arg;
    int64_t campaign_id = 0;
    registrations_writer *w = NULL;
    int rc = campaign_current_id(db, &campaign_id, err);
    if (rc == 0)
        rc = registrations_writer_open(db, j->v, campaign_id, &w, err);
    for (j->added = 0; rc == 0 && j->added < j->n; j->added++) {
        rc = registrations_writer_add(w, &j->regs[j->added], &j->ids[j->added], &j->conflict_id, err);
        if (rc != 0)
            break;
    }
    registrations_writer_close(w);
    return rc;
}

/* Add one registration in its own write; returns the result, *id and *conflict_id as the writer left them. */
static int add_one(fixture *f, const registration *r, int64_t *id, int64_t *conflict_id, hw_error *err)
{
    int64_t ids[1] = {-1};
    add_job j = {.v = &f->v, .regs = r, .n = 1, .ids = ids, .conflict_id = -1};
    error_clear(err);
    int rc = store_write(f->s, add_job_run, &j, err);
    if (id != NULL)
        *id = ids[0];
    if (conflict_id != NULL)
        *conflict_id = j.conflict_id;
    return rc;
}

static void query_text(store *s, const char *sql, char *buf, size_t n)
{
    hw_error err;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(store_reader(s, &db, &err), 0);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *v = sqlite3_column_text(st, 0);
    snprintf(buf, n, "%s", v != NULL ? (const char *)v : "(null)");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static bool mem_contains(const void *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    const unsigned char *h = hay;
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(h + i, needle, m) == 0)
            return true;
    return false;
}

/*
 * Every text and blob value of every row of every table, checked against each needle.
 * Returns how many values were looked at; fails the test on the first hit.
 */
static size_t scan_database(store *s, const char *const *needles, size_t nneedles)
{
    hw_error err;
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL, *st = NULL;
    size_t values = 0;
    char sql[160];
    assert_int_equal(store_reader(s, &db, &err), 0);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", (const char *)sqlite3_column_text(tables, 0));
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                int type = sqlite3_column_type(st, c);
                if (type != SQLITE_TEXT && type != SQLITE_BLOB)
                    continue;
                const void *v =
                    type == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, c) : sqlite3_column_blob(st, c);
                size_t n = (size_t)sqlite3_column_bytes(st, c);
                values++;
                for (size_t k = 0; k < nneedles; k++)
                    if (mem_contains(v, n, needles[k]))
                        fail_msg("table %s column %s holds personal data in plain text",
                                 (const char *)sqlite3_column_text(tables, 0), sqlite3_column_name(st, c));
            }
        }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
    return values;
}

/* The raw bytes of `path` (the database or its WAL) must not hold any needle either. */
static void scan_file(const char *path, const char *const *needles, size_t nneedles)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return; /* no WAL left, nothing to scan */
    static unsigned char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    for (size_t k = 0; k < nneedles; k++)
        if (mem_contains(buf, n, needles[k]))
            fail_msg("%s holds personal data in plain text", path);
}

/* ---------------------------------------------------------------- field parsing (no database) */

static void test_init_defaults(void **state)
{
    registration r;
    (void)state;
    memset(&r, 0x5a, sizeof r);
    registration_init(&r);
    assert_true(r.migrant);
    assert_int_equal(r.tags, 0);
    assert_string_equal(r.name, "");
    assert_string_equal(r.id_number, "");
    assert_string_equal(r.destination, "");
    assert_string_equal(r.earliest, "");
}

static void test_text_fields(void **state)
{
    registration r;
    char long_name[80];
    (void)state;
    registration_init(&r);
    set_ok(&r, REG_NAME, "\xE3\x80\x80张三 ");
    assert_string_equal(r.name, "张三");
    set_ok(&r, REG_REF, " CD-0001 ");
    assert_string_equal(r.ref, "CD-0001");
    set_ok(&r, REG_EMPLOYER, "四川某某建设集团有限公司第三项目部");
    assert_string_equal(r.employer, "四川某某建设集团有限公司第三项目部");
    set_ok(&r, REG_PARTY, "张家");
    assert_string_equal(r.party, "张家");
    memset(long_name, 'a', 61);
    long_name[61] = '\0';
    set_fails(&r, REG_NAME, long_name, HW_EINVAL, "too_long");
    set_fails(&r, REG_REF, long_name, HW_EINVAL, "too_long");
    set_fails(&r, REG_PARTY, long_name, HW_EINVAL, "too_long");
    set_fails(&r, REG_NAME, "张\x01三", HW_EINVAL, "control_character");
    set_fails(&r, REG_EMPLOYER, "a\x02" "b", HW_EINVAL, "control_character");
    assert_string_equal(r.name, "张三"); /* failures leave the old value */
}

static void test_id_number_field(void **state)
{
    registration r;
    char id[IDNUMBER_LEN + 1], lower[IDNUMBER_LEN + 3];
    (void)state;
    registration_init(&r);
    person_id(3, id);
    set_ok(&r, REG_ID_NUMBER, id);
    assert_string_equal(r.id_number, id);
    set_ok(&r, REG_ID_NUMBER, "11010519491231002x"); /* the GB 11643 example, lower-case x */
    assert_string_equal(r.id_number, "11010519491231002X");
    snprintf(lower, sizeof lower, " %s ", id);
    set_ok(&r, REG_ID_NUMBER, lower);
    assert_string_equal(r.id_number, id);

    char bad[IDNUMBER_LEN + 1];
    snprintf(bad, sizeof bad, "%s", id);
    bad[17] = id[17] == '0' ? '1' : '0'; /* any other check character */
    set_fails(&r, REG_ID_NUMBER, bad, HW_EINVAL, "id_check_char");
    set_fails(&r, REG_ID_NUMBER, "12345", HW_EINVAL, "id_length");
    set_fails(&r, REG_ID_NUMBER, "", HW_EINVAL, "id_empty");
    /* born after "today" */
    char future[IDNUMBER_LEN + 1];
    fixture_id_number("51192320270101123", future);
    set_fails(&r, REG_ID_NUMBER, future, HW_EINVAL, "id_birth_future");
}

static void test_phone_field(void **state)
{
    registration r;
    (void)state;
    registration_init(&r);
    set_ok(&r, REG_PHONE, "+86 138-1234-5678");
    assert_string_equal(r.phone, "13812345678");
    set_ok(&r, REG_PHONE, "028-81715072");
    assert_string_equal(r.phone, "02881715072");
    set_ok(&r, REG_PHONE, " \xE3\x80\x80");
    assert_string_equal(r.phone, "");
    set_ok(&r, REG_PHONE, "13812345678");
    set_fails(&r, REG_PHONE, "12345", HW_EINVAL, "bad_phone");
    set_fails(&r, REG_PHONE, "23812345678", HW_EINVAL, "bad_phone");
    set_fails(&r, REG_PHONE, "138abc45678", HW_EINVAL, "bad_phone");
}

static void test_destination_field(void **state)
{
    static const char *const pingchang[] = {"四川省巴中市平昌县",     "巴中市平昌县", "平昌县", "511923",
                                            " 四川省 巴中市 平昌县 ", "四川省平昌县"};
    registration r;
    hw_error err;
    (void)state;
    registration_init(&r);
    for (size_t i = 0; i < sizeof pingchang / sizeof pingchang[0]; i++) {
        memset(r.destination, 0, sizeof r.destination);
        set_ok(&r, REG_DESTINATION, pingchang[i]);
        assert_string_equal(r.destination, "511923");
    }
    set_ok(&r, REG_DESTINATION, "巴中市");
    assert_string_equal(r.destination, "511900");
    set_ok(&r, REG_DESTINATION, "四川省");
    assert_string_equal(r.destination, "510000");

    set_fails(&r, REG_DESTINATION, "朝阳区", HW_EAMBIGUOUS, "ambiguous_division");
    assert_string_equal(r.destination, "510000"); /* unchanged */
    registration_env e = make_env();
    error_clear(&err);
    assert_int_equal(registration_set(&r, REG_DESTINATION, "朝阳区", &e, &err), HW_EAMBIGUOUS);
    assert_non_null(strstr(err.message, "110105")); /* the candidates are named */
    assert_non_null(strstr(err.message, "220104"));
    set_ok(&r, REG_DESTINATION, "北京市朝阳区");
    assert_string_equal(r.destination, "110105");

    set_fails(&r, REG_DESTINATION, "火星县", HW_ENOTFOUND, "unknown_division");
    set_fails(&r, REG_DESTINATION, "999999", HW_ENOTFOUND, "unknown_division");
    set_fails(&r, REG_DESTINATION, "", HW_EINVAL, "empty_division");
}

static void test_dates_fields(void **state)
{
    registration r;
    (void)state;
    registration_init(&r);
    set_ok(&r, REG_EARLIEST, "2027-01-10");
    assert_string_equal(r.earliest, "2027-01-10");
    set_ok(&r, REG_LATEST, " 2027-02-16 ");
    assert_string_equal(r.latest, "2027-02-16");
    set_ok(&r, REG_LATEST, "");
    assert_string_equal(r.latest, "");
    set_fails(&r, REG_EARLIEST, "2027-02-30", HW_EINVAL, "bad_date");
    set_fails(&r, REG_EARLIEST, "2027/01/10", HW_EINVAL, "bad_date");
    set_fails(&r, REG_LATEST, "2027-1-10", HW_EINVAL, "bad_date");
    set_fails(&r, REG_LATEST, "2027-01-10 08:00", HW_EINVAL, "bad_date");
    set_fails(&r, REG_LATEST, "tomorrow", HW_EINVAL, "bad_date");
    assert_string_equal(r.earliest, "2027-01-10");
}

static void test_tags_field(void **state)
{
    registration r;
    char buf[128];
    (void)state;
    registration_init(&r);
    set_ok(&r, REG_TAGS, "困难职工");
    assert_int_equal(r.tags, REG_TAG_HARDSHIP);
    set_ok(&r, REG_TAGS, "困难职工；劳模、孕妇");
    assert_int_equal(r.tags, REG_TAG_HARDSHIP | REG_TAG_MODEL | REG_TAG_PREGNANT);
    set_ok(&r, REG_TAGS, "老人;残疾");
    assert_int_equal(r.tags, REG_TAG_ELDERLY | REG_TAG_DISABLED);
    set_ok(&r, REG_TAGS, "hardship;model_worker,pregnant，elderly、disabled");
    assert_int_equal(r.tags, REG_TAG_HARDSHIP | REG_TAG_MODEL | REG_TAG_PREGNANT | REG_TAG_ELDERLY | REG_TAG_DISABLED);
    set_ok(&r, REG_TAGS, " 劳模 ； ；老人 ;");
    assert_int_equal(r.tags, REG_TAG_MODEL | REG_TAG_ELDERLY);
    set_ok(&r, REG_TAGS, "劳模;劳模");
    assert_int_equal(r.tags, REG_TAG_MODEL);
    set_ok(&r, REG_TAGS, ""); /* replaces, does not add */
    assert_int_equal(r.tags, 0);

    set_fails(&r, REG_TAGS, "劳模；外星人", HW_EINVAL, "unknown_tag");
    set_fails(&r, REG_TAGS, "困难职工 劳模", HW_EINVAL, "unknown_tag");

    registration_format_tags(REG_TAG_HARDSHIP | REG_TAG_ELDERLY, buf, sizeof buf);
    assert_string_equal(buf, "困难职工;老人");
    registration_format_tags(0, buf, sizeof buf);
    assert_string_equal(buf, "");
    /* formatted tags parse back to the same set */
    unsigned all = REG_TAG_HARDSHIP | REG_TAG_MODEL | REG_TAG_PREGNANT | REG_TAG_ELDERLY | REG_TAG_DISABLED;
    registration_format_tags(all, buf, sizeof buf);
    set_ok(&r, REG_TAGS, buf);
    assert_int_equal(r.tags, all);
}

static void test_migrant_field(void **state)
{
    registration r;
    (void)state;
    registration_init(&r);
    assert_true(r.migrant);
    set_ok(&r, REG_MIGRANT, "否");
    assert_false(r.migrant);
    set_ok(&r, REG_MIGRANT, ""); /* empty: the default, yes */
    assert_true(r.migrant);
    set_ok(&r, REG_MIGRANT, "no");
    assert_false(r.migrant);
    set_ok(&r, REG_MIGRANT, "是");
    assert_true(r.migrant);
    set_fails(&r, REG_MIGRANT, "也许", HW_EINVAL, "bad_yes_no");
}

static void test_unknown_field(void **state)
{
    registration r;
    (void)state;
    registration_init(&r);
    set_fails(&r, REG_NFIELDS, "x", HW_EINVAL, "bad_field");
}

static void test_fields_table(void **state)
{
    (void)state;
    assert_string_equal(registration_fields[REG_NAME].zh, "姓名");
    assert_string_equal(registration_fields[REG_ID_NUMBER].en, "id_number");
    assert_true(registration_fields[REG_NAME].required);
    assert_true(registration_fields[REG_ID_NUMBER].required);
    assert_true(registration_fields[REG_DESTINATION].required);
    assert_false(registration_fields[REG_REF].required);
    assert_false(registration_fields[REG_PHONE].required);
    assert_false(registration_fields[REG_TAGS].required);
    assert_false(registration_fields[REG_MIGRANT].required);
    for (int f = 0; f < REG_NFIELDS; f++) {
        assert_non_null(registration_fields[f].zh);
        assert_non_null(registration_fields[f].en);
    }
}

static void check_fails(const registration *r, const registration_env *e, reg_field want_field, const char *code)
{
    hw_error err;
    reg_field bad = REG_NFIELDS;
    error_clear(&err);
    assert_int_equal(registration_check(r, e, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, code);
    assert_int_equal(bad, want_field);
}

static void test_check(void **state)
{
    registration r, base;
    char id[IDNUMBER_LEN + 1], phone[16];
    hw_error err;
    reg_field bad;
    registration_env e = make_env();
    (void)state;
    person(1, &base, id, phone);
    assert_int_equal(registration_check(&base, &e, &bad, &err), 0);

    r = base;
    r.name[0] = '\0';
    check_fails(&r, &e, REG_NAME, "missing_name");
    r = base;
    r.id_number[0] = '\0';
    check_fails(&r, &e, REG_ID_NUMBER, "missing_id_number");
    r = base;
    r.destination[0] = '\0';
    check_fails(&r, &e, REG_DESTINATION, "missing_destination");

    r = base;
    set_ok(&r, REG_EARLIEST, "2027-01-20");
    set_ok(&r, REG_LATEST, "2027-01-10");
    check_fails(&r, &e, REG_LATEST, "latest_before_earliest");
    set_ok(&r, REG_LATEST, "2027-01-20"); /* the same day is fine */
    assert_int_equal(registration_check(&r, &e, &bad, &err), 0);

    /* the campaign window 2026-12-22..2027-02-16 is inclusive */
    r = base;
    set_ok(&r, REG_EARLIEST, "2026-12-22");
    set_ok(&r, REG_LATEST, "2027-02-16");
    assert_int_equal(registration_check(&r, &e, &bad, &err), 0);
    set_ok(&r, REG_EARLIEST, "2026-12-21");
    check_fails(&r, &e, REG_EARLIEST, "outside_campaign");
    set_ok(&r, REG_EARLIEST, "2026-12-22");
    set_ok(&r, REG_LATEST, "2027-02-17");
    check_fails(&r, &e, REG_LATEST, "outside_campaign");
    r = base;
    set_ok(&r, REG_LATEST, "2026-12-01"); /* only latest, before the window */
    check_fails(&r, &e, REG_LATEST, "outside_campaign");
    r = base;
    set_ok(&r, REG_EARLIEST, "2027-03-01"); /* only earliest, after the window */
    check_fails(&r, &e, REG_EARLIEST, "outside_campaign");

    /* without a campaign there is no window to check */
    registration_env none = e;
    none.campaign = NULL;
    assert_int_equal(registration_check(&r, &none, &bad, &err), 0);
}

static void test_priority(void **state)
{
    (void)state;
    assert_int_equal(registration_priority(0), 0);
    assert_int_equal(registration_priority(REG_TAG_HARDSHIP), 1);
    assert_int_equal(registration_priority(REG_TAG_MODEL), 1);
    assert_int_equal(registration_priority(REG_TAG_PREGNANT), 1);
    assert_int_equal(registration_priority(REG_TAG_ELDERLY), 1);
    assert_int_equal(registration_priority(REG_TAG_DISABLED), 1);
    assert_int_equal(registration_priority(REG_TAG_DISABLED | REG_TAG_MODEL), 1);
}

/* ---------------------------------------------------------------- the writer */

static void test_writer_inserts_sealed(void **state)
{
    fixture *f = *state;
    hw_error err;
    registration regs[NREGS];
    char ids[NREGS][IDNUMBER_LEN + 1], phones[NREGS][16];
    int64_t rowids[NREGS];
    const char *needles[2 * NREGS];
    for (int i = 0; i < NREGS; i++) {
        person(i, &regs[i], ids[i], phones[i]);
        needles[2 * i] = ids[i];
        needles[2 * i + 1] = phones[i];
    }
    add_job j = {.v = &f->v, .regs = regs, .n = NREGS, .ids = rowids, .conflict_id = -1};
    int rc = store_write(f->s, add_job_run, &j, &err);
    if (rc != 0)
        fprintf(stderr, "add: %s %s\n", err.code, err.message);
    assert_int_equal(rc, 0);
    assert_int_equal(j.added, NREGS);
    assert_int_equal(j.conflict_id, -1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM registrations WHERE status = 'active'"), NREGS);
    for (int i = 1; i < NREGS; i++)
        assert_true(rowids[i] > rowids[i - 1]);

    /* every stored value, and the files themselves, are free of id numbers and phones */
    assert_true(scan_database(f->s, needles, 2 * NREGS) > (size_t)NREGS * 8);
    char path[160];
    scan_file(f->db, needles, 2 * NREGS);
    snprintf(path, sizeof path, "%s-wal", f->db);
    scan_file(path, needles, 2 * NREGS);

    /* what is stored: masks, destination, tags and priority, and seals that open with the right purpose */
    char sql[200], text[64];
    snprintf(sql, sizeof sql, "SELECT id_masked FROM registrations WHERE id = %lld", (long long)rowids[4]);
    query_text(f->s, sql, text, sizeof text);
    char want[IDNUMBER_LEN + 1];
    snprintf(want, sizeof want, "%.4s**********%.4s", ids[4], ids[4] + 14);
    assert_string_equal(text, want);
    snprintf(sql, sizeof sql, "SELECT phone_masked FROM registrations WHERE id = %lld", (long long)rowids[4]);
    query_text(f->s, sql, text, sizeof text);
    snprintf(want, sizeof want, "139****%.4s", phones[4] + 7);
    assert_string_equal(text, want);
    snprintf(sql, sizeof sql,
             "SELECT destination || '/' || tags || '/' || priority || '/' || migrant || '/' || "
             "ref FROM registrations WHERE id = %lld",
             (long long)rowids[3]);
    query_text(f->s, sql, text, sizeof text);
    assert_string_equal(text, "511923/1/1/1/R0003");
    snprintf(sql, sizeof sql, "SELECT destination || '/' || tags || '/' || priority FROM registrations WHERE id = %lld",
             (long long)rowids[4]);
    query_text(f->s, sql, text, sizeof text);
    assert_string_equal(text, "511921/0/0");
    assert_int_equal(fixture_store_int(f->s,
                                       "SELECT count(*) FROM registrations WHERE earliest IS NOT NULL OR latest IS NOT "
                                       "NULL OR party IS NOT NULL"),
                     0);

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char plain[64];
    assert_int_equal(store_reader(f->s, &db, &err), 0);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id_sealed, phone_sealed, id_index FROM registrations WHERE id = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, rowids[7]);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(vault_unseal(&f->v, "id", sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), plain,
                                  sizeof plain, &err),
                     0);
    assert_string_equal(plain, ids[7]);
    assert_int_equal(vault_unseal(&f->v, "phone", sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                                  plain, sizeof plain, &err),
                     0);
    assert_string_equal(plain, phones[7]);
    assert_int_equal(vault_unseal(&f->v, "phone", sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                                  plain, sizeof plain, &err),
                     HW_EINVAL);
    uint8_t index[VAULT_INDEX_BYTES];
    vault_index(&f->v, "id", ids[7], index);
    assert_int_equal(sqlite3_column_bytes(st, 2), VAULT_INDEX_BYTES);
    assert_memory_equal(sqlite3_column_blob(st, 2), index, VAULT_INDEX_BYTES);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_writer_masks_x(void **state)
{
    fixture *f = *state;
    hw_error err;
    registration r;
    char id[IDNUMBER_LEN + 1], text[64], sql[200];
    int64_t rowid = -1;
    id_ending_123x(id);
    registration_init(&r);
    set_ok(&r, REG_NAME, "李四");
    set_ok(&r, REG_ID_NUMBER, id);
    set_ok(&r, REG_DESTINATION, "511923");
    assert_int_equal(add_one(f, &r, &rowid, NULL, &err), 0);
    snprintf(sql, sizeof sql, "SELECT id_masked FROM registrations WHERE id = %lld", (long long)rowid);
    query_text(f->s, sql, text, sizeof text);
    assert_string_equal(text, "5119**********123X");
    /* no phone: nothing sealed, nothing masked */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM registrations WHERE id = %lld AND phone_sealed IS NULL AND "
             "phone_masked IS NULL AND ref IS NULL",
             (long long)rowid);
    assert_int_equal(fixture_store_int(f->s, sql), 1);

    /* the same person typed with a lower-case x is the same person */
    registration again;
    int64_t conflict = -1;
    char lower[IDNUMBER_LEN + 1];
    snprintf(lower, sizeof lower, "%.17sx", id);
    registration_init(&again);
    set_ok(&again, REG_NAME, "李四");
    set_ok(&again, REG_ID_NUMBER, lower);
    set_ok(&again, REG_DESTINATION, "511923");
    assert_int_equal(add_one(f, &again, NULL, &conflict, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_id_number");
    assert_int_equal(conflict, rowid);
}

static void test_writer_duplicate_id(void **state)
{
    fixture *f = *state;
    hw_error err;
    registration first, second;
    char id[IDNUMBER_LEN + 1], phone[16], id2[IDNUMBER_LEN + 1], phone2[16];
    int64_t first_id = -1, conflict = -1, other = -1;
    person(1, &first, id, phone);
    person(2, &second, id2, phone2);
    assert_int_equal(add_one(f, &second, &other, NULL, &err), 0); /* someone else first, so ids differ */
    assert_int_equal(add_one(f, &first, &first_id, NULL, &err), 0);
    assert_true(first_id != other);

    registration dup = first;
    set_ok(&dup, REG_REF, "R9999");
    set_ok(&dup, REG_NAME, "另一个名字");
    set_ok(&dup, REG_PHONE, "13900000000");
    assert_int_equal(add_one(f, &dup, NULL, &conflict, &err), HW_ECONFLICT);
    assert_int_equal(err.rc, HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_id_number");
    assert_int_equal(conflict, first_id);
    assert_null(strstr(err.message, id)); /* the message never repeats the number */
    assert_null(strstr(err.message, id + 6));
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM registrations"), 2); /* nothing was added */

    /* a batch stops at the duplicate and the whole job rolls back */
    registration batch[3];
    char bid[IDNUMBER_LEN + 1], bphone[16];
    int64_t bids[3];
    person(10, &batch[0], bid, bphone);
    batch[1] = dup;
    person(11, &batch[2], bid, bphone);
    add_job j = {.v = &f->v, .regs = batch, .n = 3, .ids = bids, .conflict_id = -1};
    error_clear(&err);
    assert_int_equal(store_write(f->s, add_job_run, &j, &err), HW_ECONFLICT);
    assert_int_equal(j.added, 1);
    assert_int_equal(j.conflict_id, first_id);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM registrations"), 2);
}

static void test_writer_duplicate_ref(void **state)
{
    fixture *f = *state;
    hw_error err;
    registration a, b;
    char id[IDNUMBER_LEN + 1], phone[16], id2[IDNUMBER_LEN + 1], phone2[16];
    int64_t a_id = -1, conflict = -1;
    person(1, &a, id, phone);
    person(2, &b, id2, phone2);
    set_ok(&b, REG_REF, a.ref);
    assert_int_equal(add_one(f, &a, &a_id, NULL, &err), 0);
    assert_int_equal(add_one(f, &b, NULL, &conflict, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_ref");
    assert_int_equal(conflict, a_id);
    assert_non_null(strstr(err.message, a.ref));

    /* registrations without a ref never collide on it */
    registration c, d;
    char id3[IDNUMBER_LEN + 1], id4[IDNUMBER_LEN + 1];
    person(3, &c, id3, phone);
    person(4, &d, id4, phone2);
    c.ref[0] = '\0';
    d.ref[0] = '\0';
    assert_int_equal(add_one(f, &c, NULL, NULL, &err), 0);
    assert_int_equal(add_one(f, &d, NULL, NULL, &err), 0);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM registrations WHERE ref IS NULL"), 2);
}

static void test_writer_withdrawn_frees_id(void **state)
{
    fixture *f = *state;
    hw_error err;
    registration r;
    char id[IDNUMBER_LEN + 1], phone[16], sql[96];
    int64_t first_id = -1, second_id = -1, conflict = -1;
    person(5, &r, id, phone);
    assert_int_equal(add_one(f, &r, &first_id, NULL, &err), 0);
    set_ok(&r, REG_REF, "R0005-2");
    assert_int_equal(add_one(f, &r, NULL, &conflict, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_id_number");

    snprintf(sql, sizeof sql, "UPDATE registrations SET status = 'withdrawn' WHERE id = %lld", (long long)first_id);
    assert_int_equal(store_write(f->s, fixture_exec_job, sql, &err), 0);
    assert_int_equal(add_one(f, &r, &second_id, NULL, &err), 0);
    assert_true(second_id != first_id);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM registrations WHERE status = 'active'"), 1);

    /* and the new one blocks the next, naming itself, not the withdrawn one */
    set_ok(&r, REG_REF, "R0005-3");
    assert_int_equal(add_one(f, &r, NULL, &conflict, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_id_number");
    assert_int_equal(conflict, second_id);
}

static void test_writer_check_violation_is_not_a_duplicate(void **state)
{
    fixture *f = *state;
    hw_error err;
    registration r;
    char id[IDNUMBER_LEN + 1], phone[16];
    int64_t conflict = -1;
    person(6, &r, id, phone);
    /* registration_check was skipped: the schema's own check refuses latest < earliest */
    set_ok(&r, REG_EARLIEST, "2027-01-20");
    set_ok(&r, REG_LATEST, "2027-01-10");
    assert_int_not_equal(add_one(f, &r, NULL, &conflict, &err), 0);
    assert_string_not_equal(err.code, "duplicate_id_number");
    assert_string_not_equal(err.code, "duplicate_ref");
    assert_int_equal(conflict, -1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM registrations"), 0);
}

static void test_writer_campaign_scoped(void **state)
{
    fixture *f = *state;
    hw_error err;
    registration r;
    char id[IDNUMBER_LEN + 1], phone[16];
    person(8, &r, id, phone);
    assert_int_equal(add_one(f, &r, NULL, NULL, &err), 0);
    /* a new campaign (next year's) starts empty: the same person may register again */
    assert_int_equal(store_write(f->s, fixture_exec_job,
                                 "INSERT INTO campaign(id, name, date_from, date_to, updated_at) VALUES (2, "
                                 "'2028年元旦春节送温暖', '2027-12-22', '2028-02-16', '2027-12-01T00:00:00+08:00')",
                                 &err),
                     0);
    assert_int_equal(add_one(f, &r, NULL, NULL, &err), 0);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(DISTINCT campaign_id) FROM registrations"), 2);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_db, fixture_free)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_defaults),
        cmocka_unit_test(test_text_fields),
        cmocka_unit_test(test_id_number_field),
        cmocka_unit_test(test_phone_field),
        cmocka_unit_test(test_destination_field),
        cmocka_unit_test(test_dates_fields),
        cmocka_unit_test(test_tags_field),
        cmocka_unit_test(test_migrant_field),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_fields_table),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_priority),
        DB_TEST(test_writer_inserts_sealed),
        DB_TEST(test_writer_masks_x),
        DB_TEST(test_writer_duplicate_id),
        DB_TEST(test_writer_duplicate_ref),
        DB_TEST(test_writer_withdrawn_frees_id),
        DB_TEST(test_writer_check_violation_is_not_a_duplicate),
        DB_TEST(test_writer_campaign_scoped),
    };
    return cmocka_run_group_tests(tests, fixture_divisions_load, fixture_divisions_free);
}
