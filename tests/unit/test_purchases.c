/* test_purchases.c - unit tests for scheduler/purchases.c and scheduler/subsidies.c: fields, linking, duplicates. */
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
#include "purchases.h"
#include "registrations.h"
#include "store.h"
#include "subsidies.h"
#include "vault.h"

#include "fixture.h"

#define TODAY 20261201

/* ---------------------------------------------------------------- helpers */

/* The id number of person `i`: 511923, a birth date in 1990, and a sequence number, with its check character. */
static void person_id(int i, char out[IDNUMBER_LEN + 1])
{
    char first17[48]; /* room for any i: fixture_id_number fails the test unless exactly 17 characters came out */
    snprintf(first17, sizeof first17, "51192319900%d15%03d", 1 + i % 9, 200 + i);
    fixture_id_number(first17, out);
}

/* A database bound to a fresh key file with the campaign saved. */
static int setup_db(void **state)
{
    return fixture_new(state, FIXTURE_CAMPAIGN);
}

/* fixture_insert_fn: register a person with the id number `row`; runs on the writer thread, so no cmocka asserts. */
static int register_run(sqlite3 *db, const vault *v, int64_t campaign_id, const void *row, int64_t *id, hw_error *err)
{
    registration r;
    registrations_writer *w = NULL;
    int64_t conflict = 0;
    registration_init(&r);
    snprintf(r.name, sizeof r.name, "王五");
    snprintf(r.id_number, sizeof r.id_number, "%s", (const char *)row);
    snprintf(r.destination, sizeof r.destination, "511923");
    int rc = registrations_writer_open(db, v, campaign_id, &w, err);
    if (rc == 0)
        rc = registrations_writer_add(w, &r, id, &conflict, err);
    registrations_writer_close(w);
    return rc;
}

static int64_t register_person(fixture *f, const char *id_number)
{
    hw_error err;
    int64_t id = -1;
    assert_int_equal(fixture_insert(f, register_run, id_number, &id, &err), 0);
    assert_true(id > 0);
    return id;
}

/* fixture_insert_fn adding the purchase `row`. */
static int purchase_run(sqlite3 *db, const vault *v, int64_t campaign_id, const void *row, int64_t *id, hw_error *err)
{
    return purchases_insert(db, v, campaign_id, row, id, err);
}

static int add_purchase(fixture *f, const purchase *p, int64_t *id, hw_error *err)
{
    return fixture_insert(f, purchase_run, p, id, err);
}

/* fixture_insert_fn adding the subsidy `row`. */
static int subsidy_run(sqlite3 *db, const vault *v, int64_t campaign_id, const void *row, int64_t *id, hw_error *err)
{
    (void)v;
    return subsidies_insert(db, campaign_id, row, id, err);
}

static int add_subsidy(fixture *f, const subsidy *s, int64_t *id, hw_error *err)
{
    return fixture_insert(f, subsidy_run, s, id, err);
}

static void pu_ok(purchase *p, pu_field f, const char *value)
{
    hw_error err;
    int rc = purchase_set(p, f, value, TODAY, &err);
    if (rc != 0)
        fprintf(stderr, "purchase_set(%s, \"%s\"): %s %s\n", purchase_fields[f].en, value, err.code, err.message);
    assert_int_equal(rc, 0);
}

static void pu_fails(purchase *p, pu_field f, const char *value, const char *want_code)
{
    hw_error err;
    error_clear(&err);
    assert_int_equal(purchase_set(p, f, value, TODAY, &err), HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, want_code);
}

static void su_ok(subsidy *s, su_field f, const char *value)
{
    hw_error err;
    int rc = subsidy_set(s, f, value, &err);
    if (rc != 0)
        fprintf(stderr, "subsidy_set(%s, \"%s\"): %s %s\n", subsidy_fields[f].en, value, err.code, err.message);
    assert_int_equal(rc, 0);
}

static void su_fails(subsidy *s, su_field f, const char *value, const char *want_code)
{
    hw_error err;
    error_clear(&err);
    assert_int_equal(subsidy_set(s, f, value, &err), HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, want_code);
}

/* A train ticket for person `i`, as a CSV row would give it. */
static void ticket(purchase *p, int i)
{
    char id[IDNUMBER_LEN + 1];
    person_id(i, id);
    purchase_init(p);
    pu_ok(p, PU_ID_NUMBER, id);
    pu_ok(p, PU_MODE, "火车");
    pu_ok(p, PU_SERVICE, "K1234");
    pu_ok(p, PU_TRAVEL_DATE, "2027-01-25");
    pu_ok(p, PU_FARE, "¥156.5");
}

static void agreement(subsidy *s)
{
    subsidy_init(s);
    su_ok(s, SU_EMPLOYER, "成都某建筑公司");
    su_ok(s, SU_AMOUNT, "12,345.67");
    su_ok(s, SU_PEOPLE, "30");
    su_ok(s, SU_DATE, "2027-01-10");
}

/* ---------------------------------------------------------------- purchase fields */

static void test_purchase_defaults(void **state)
{
    purchase p;
    (void)state;
    memset(&p, 0x5a, sizeof p);
    purchase_init(&p);
    assert_int_equal(p.fare_fen, -1);
    assert_false(p.refunded);
    assert_string_equal(p.id_number, "");
    assert_string_equal(p.mode, "");
    assert_string_equal(p.service, "");
    assert_string_equal(p.travel_date, "");
}

static void test_purchase_mode(void **state)
{
    static const struct {
        const char *in, *want;
    } ok[] = {
        {"火车", "train"},  {"汽车", "bus"},      {"船", "boat"},
        {"飞机", "flight"}, {"train", "train"},   {"BUS", "bus"},
        {" Boat ", "boat"}, {"flight", "flight"}, {"\xE3\x80\x80飞机", "flight"},
    };
    static const char *const bad[] = {"", "包机", "专列", "plane", "火箭", "train bus"};
    purchase p;
    (void)state;
    purchase_init(&p);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        pu_ok(&p, PU_MODE, ok[i].in);
        assert_string_equal(p.mode, ok[i].want);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        pu_fails(&p, PU_MODE, bad[i], "unknown_mode");
    assert_string_equal(p.mode, "flight"); /* failures leave the last good value */
}

static void test_purchase_fields(void **state)
{
    purchase p;
    char id[IDNUMBER_LEN + 1], bad[IDNUMBER_LEN + 1];
    (void)state;
    purchase_init(&p);
    person_id(1, id);
    pu_ok(&p, PU_ID_NUMBER, id);
    assert_string_equal(p.id_number, id);
    pu_ok(&p, PU_ID_NUMBER, "11010519491231002x");
    assert_string_equal(p.id_number, "11010519491231002X");
    snprintf(bad, sizeof bad, "%.17s%c", id, id[17] == '0' ? '1' : '0');
    pu_fails(&p, PU_ID_NUMBER, bad, "id_check_char");

    pu_ok(&p, PU_SERVICE, " G8601 ");
    assert_string_equal(p.service, "G8601");
    pu_fails(&p, PU_SERVICE, "0123456789012345678901234567890", "too_long"); /* 31 bytes */

    pu_ok(&p, PU_TRAVEL_DATE, " 2027-01-25 ");
    assert_string_equal(p.travel_date, "2027-01-25");
    pu_fails(&p, PU_TRAVEL_DATE, "2027-02-30", "bad_date");
    pu_fails(&p, PU_TRAVEL_DATE, "2027/01/25", "bad_date");
    pu_fails(&p, PU_TRAVEL_DATE, "", "bad_date");
    assert_int_equal(purchase_set(&p, PU_TRAVEL_DATE, "soon", TODAY, NULL), HW_EINVAL); /* err may be NULL */
    assert_string_equal(p.travel_date, "2027-01-25");

    pu_ok(&p, PU_FARE, "¥156.5");
    assert_int_equal(p.fare_fen, 15650);
    pu_ok(&p, PU_FARE, "1,280");
    assert_int_equal(p.fare_fen, 128000);
    pu_ok(&p, PU_FARE, "0");
    assert_int_equal(p.fare_fen, 0);
    pu_ok(&p, PU_FARE, "");
    assert_int_equal(p.fare_fen, -1);
    pu_fails(&p, PU_FARE, "-20", "bad_amount");
    pu_fails(&p, PU_FARE, "12.345", "bad_amount");

    pu_ok(&p, PU_REFUNDED, "是");
    assert_true(p.refunded);
    pu_ok(&p, PU_REFUNDED, "否");
    assert_false(p.refunded);
    pu_ok(&p, PU_REFUNDED, "YES");
    assert_true(p.refunded);
    pu_ok(&p, PU_REFUNDED, ""); /* default 否 */
    assert_false(p.refunded);
    pu_fails(&p, PU_REFUNDED, "退了", "bad_yes_no");
    pu_fails(&p, PU_NFIELDS, "x", "bad_field");
}

static void test_purchase_check(void **state)
{
    purchase p, base;
    hw_error err;
    pu_field bad = PU_NFIELDS;
    (void)state;
    ticket(&base, 1);
    assert_int_equal(purchase_check(&base, &bad, &err), 0);
    p = base;
    p.id_number[0] = '\0';
    error_clear(&err);
    assert_int_equal(purchase_check(&p, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, "missing_id_number");
    assert_int_equal(bad, PU_ID_NUMBER);
    p = base;
    p.mode[0] = '\0';
    assert_int_equal(purchase_check(&p, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, "missing_mode");
    assert_int_equal(bad, PU_MODE);
    p = base;
    p.travel_date[0] = '\0';
    assert_int_equal(purchase_check(&p, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, "missing_travel_date");
    assert_int_equal(bad, PU_TRAVEL_DATE);
    /* service, fare and refunded are optional */
    p = base;
    p.service[0] = '\0';
    p.fare_fen = -1;
    assert_int_equal(purchase_check(&p, &bad, &err), 0);

    assert_true(purchase_fields[PU_ID_NUMBER].required);
    assert_true(purchase_fields[PU_MODE].required);
    assert_true(purchase_fields[PU_TRAVEL_DATE].required);
    assert_false(purchase_fields[PU_SERVICE].required);
    assert_false(purchase_fields[PU_FARE].required);
    assert_false(purchase_fields[PU_REFUNDED].required);
    assert_string_equal(purchase_fields[PU_REFUNDED].zh, "退票");
}

/* ---------------------------------------------------------------- purchase inserts */

static void test_purchase_insert_registered(void **state)
{
    fixture *f = *state;
    hw_error err;
    purchase p;
    int64_t id = -1;
    ticket(&p, 1);
    int64_t reg = register_person(f, p.id_number);
    int rc = add_purchase(f, &p, &id, &err);
    if (rc != 0)
        fprintf(stderr, "purchase: %s %s\n", err.code, err.message);
    assert_int_equal(rc, 0);
    assert_true(id > 0);
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM purchases WHERE id = %lld AND registration_id = %lld AND campaign_id = 1 AND mode = "
             "'train' AND service = 'K1234' AND travel_date = '2027-01-25' AND fare_fen = 15650 AND refunded = 0",
             (long long)id, (long long)reg);
    assert_int_equal(fixture_store_int(f->s, sql), 1);

    /* a refunded bus ticket without a known fare */
    purchase q;
    ticket(&q, 1);
    pu_ok(&q, PU_MODE, "汽车");
    pu_ok(&q, PU_SERVICE, "");
    pu_ok(&q, PU_FARE, "");
    pu_ok(&q, PU_REFUNDED, "是");
    assert_int_equal(add_purchase(f, &q, &id, &err), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM purchases WHERE id = %lld AND registration_id = %lld AND mode = 'bus' AND "
             "service = '' AND fare_fen IS NULL AND refunded = 1",
             (long long)id, (long long)reg);
    assert_int_equal(fixture_store_int(f->s, sql), 1);
}

static void test_purchase_not_registered(void **state)
{
    fixture *f = *state;
    hw_error err;
    purchase p, other;
    ticket(&p, 1);
    ticket(&other, 2);
    register_person(f, other.id_number); /* someone else is registered, not this person */
    assert_int_equal(add_purchase(f, &p, NULL, &err), HW_ENOTFOUND);
    assert_int_equal(err.rc, HW_ENOTFOUND);
    assert_string_equal(err.code, "not_registered");
    assert_null(strstr(err.message, p.id_number));
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM purchases"), 0);
}

static void test_purchase_withdrawn_is_not_registered(void **state)
{
    fixture *f = *state;
    hw_error err;
    purchase p;
    char sql[96];
    ticket(&p, 3);
    int64_t reg = register_person(f, p.id_number);
    snprintf(sql, sizeof sql, "UPDATE registrations SET status = 'withdrawn' WHERE id = %lld", (long long)reg);
    assert_int_equal(store_write(f->s, fixture_exec_job, sql, &err), 0);
    assert_int_equal(add_purchase(f, &p, NULL, &err), HW_ENOTFOUND);
    assert_string_equal(err.code, "not_registered");
    /* registered again: the purchase goes to the active registration */
    int64_t again = register_person(f, p.id_number);
    assert_int_equal(add_purchase(f, &p, NULL, &err), 0);
    snprintf(sql, sizeof sql, "SELECT registration_id FROM purchases");
    assert_int_equal(fixture_store_int(f->s, sql), again);
}

static void test_purchase_duplicate(void **state)
{
    fixture *f = *state;
    hw_error err;
    purchase p;
    ticket(&p, 4);
    register_person(f, p.id_number);
    assert_int_equal(add_purchase(f, &p, NULL, &err), 0);
    assert_int_equal(add_purchase(f, &p, NULL, &err), HW_ECONFLICT);
    assert_int_equal(err.rc, HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_purchase");
    /* the fare or the refund flag does not make it another ticket */
    purchase q = p;
    pu_ok(&q, PU_FARE, "99");
    pu_ok(&q, PU_REFUNDED, "是");
    assert_int_equal(add_purchase(f, &q, NULL, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_purchase");
    /* without a service number, twice is still a duplicate */
    pu_ok(&q, PU_SERVICE, "");
    assert_int_equal(add_purchase(f, &q, NULL, &err), 0);
    assert_int_equal(add_purchase(f, &q, NULL, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_purchase");
    /* another date, service or mode is another ticket */
    q = p;
    pu_ok(&q, PU_TRAVEL_DATE, "2027-01-26");
    assert_int_equal(add_purchase(f, &q, NULL, &err), 0);
    q = p;
    pu_ok(&q, PU_SERVICE, "K1235");
    assert_int_equal(add_purchase(f, &q, NULL, &err), 0);
    q = p;
    pu_ok(&q, PU_MODE, "汽车");
    assert_int_equal(add_purchase(f, &q, NULL, &err), 0);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM purchases"), 5);
}

static void test_purchase_check_violation_is_not_a_duplicate(void **state)
{
    fixture *f = *state;
    hw_error err;
    purchase p;
    ticket(&p, 5);
    register_person(f, p.id_number);
    p.mode[0] = '\0'; /* purchase_check skipped: the schema refuses the mode */
    assert_int_not_equal(add_purchase(f, &p, NULL, &err), 0);
    assert_string_not_equal(err.code, "duplicate_purchase");
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM purchases"), 0);
}

/* ---------------------------------------------------------------- subsidies */

static void test_subsidy_fields(void **state)
{
    subsidy s;
    (void)state;
    memset(&s, 0x5a, sizeof s);
    subsidy_init(&s);
    assert_int_equal(s.people, -1);
    assert_string_equal(s.employer, "");
    assert_string_equal(s.date, "");

    su_ok(&s, SU_AMOUNT, "12,345.67");
    assert_int_equal(s.amount_fen, 1234567);
    su_ok(&s, SU_AMOUNT, "￥5000");
    assert_int_equal(s.amount_fen, 500000);
    su_ok(&s, SU_AMOUNT, "0.01");
    assert_int_equal(s.amount_fen, 1);
    su_fails(&s, SU_AMOUNT, "0", "bad_amount");
    su_fails(&s, SU_AMOUNT, "0.00", "bad_amount");
    su_fails(&s, SU_AMOUNT, "-100", "bad_amount");
    su_fails(&s, SU_AMOUNT, "", "bad_amount");
    su_fails(&s, SU_AMOUNT, "一万", "bad_amount");
    su_fails(&s, SU_AMOUNT, "1.005", "bad_amount");

    su_ok(&s, SU_EMPLOYER, " 成都某建筑公司 ");
    assert_string_equal(s.employer, "成都某建筑公司");
    su_fails(&s, SU_EMPLOYER, "a\x02", "control_character");

    su_ok(&s, SU_PEOPLE, "30");
    assert_int_equal(s.people, 30);
    su_ok(&s, SU_PEOPLE, "");
    assert_int_equal(s.people, -1);
    su_fails(&s, SU_PEOPLE, "三十", "bad_number");
    su_fails(&s, SU_PEOPLE, "-3", "bad_number");

    su_ok(&s, SU_DATE, "2027-01-10");
    assert_string_equal(s.date, "2027-01-10");
    su_fails(&s, SU_DATE, "2027-01-32", "bad_date");
    su_fails(&s, SU_DATE, "", "bad_date");
    assert_string_equal(s.date, "2027-01-10");
    su_fails(&s, SU_NFIELDS, "x", "bad_field");
}

static void test_subsidy_check(void **state)
{
    subsidy s, base;
    hw_error err;
    su_field bad = SU_NFIELDS;
    (void)state;
    agreement(&base);
    assert_int_equal(subsidy_check(&base, &bad, &err), 0);
    s = base;
    s.employer[0] = '\0';
    assert_int_equal(subsidy_check(&s, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, "missing_employer");
    assert_int_equal(bad, SU_EMPLOYER);
    subsidy_init(&s);
    su_ok(&s, SU_EMPLOYER, "某公司");
    su_ok(&s, SU_DATE, "2027-01-10");
    assert_int_equal(subsidy_check(&s, &bad, &err), HW_EINVAL); /* no amount given */
    assert_string_equal(err.code, "missing_amount");
    assert_int_equal(bad, SU_AMOUNT);
    s = base;
    s.date[0] = '\0';
    assert_int_equal(subsidy_check(&s, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, "missing_date");
    assert_int_equal(bad, SU_DATE);
    s = base;
    s.people = -1; /* people is optional */
    assert_int_equal(subsidy_check(&s, &bad, &err), 0);

    assert_true(subsidy_fields[SU_EMPLOYER].required);
    assert_true(subsidy_fields[SU_AMOUNT].required);
    assert_true(subsidy_fields[SU_DATE].required);
    assert_false(subsidy_fields[SU_PEOPLE].required);
    assert_string_equal(subsidy_fields[SU_AMOUNT].en, "amount_yuan");
}

static void test_subsidy_insert_and_duplicate(void **state)
{
    fixture *f = *state;
    hw_error err;
    subsidy s, t;
    int64_t id = -1;
    agreement(&s);
    assert_int_equal(add_subsidy(f, &s, &id, &err), 0);
    assert_true(id > 0);
    char sql[260];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM subsidies WHERE id = %lld AND campaign_id = 1 AND employer = '成都某建筑公司' AND "
             "amount_fen = 1234567 AND people = 30 AND date = '2027-01-10'",
             (long long)id);
    assert_int_equal(fixture_store_int(f->s, sql), 1);

    assert_int_equal(add_subsidy(f, &s, NULL, &err), HW_ECONFLICT);
    assert_int_equal(err.rc, HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_subsidy");
    t = s;
    su_ok(&t, SU_PEOPLE, "31"); /* people do not make it another agreement */
    assert_int_equal(add_subsidy(f, &t, NULL, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_subsidy");

    /* another amount, date or employer is another agreement; people may be unknown */
    t = s;
    su_ok(&t, SU_AMOUNT, "12,345.68");
    su_ok(&t, SU_PEOPLE, "");
    assert_int_equal(add_subsidy(f, &t, &id, &err), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM subsidies WHERE id = %lld AND people IS NULL", (long long)id);
    assert_int_equal(fixture_store_int(f->s, sql), 1);
    t = s;
    su_ok(&t, SU_DATE, "2027-01-11");
    assert_int_equal(add_subsidy(f, &t, NULL, &err), 0);
    t = s;
    su_ok(&t, SU_EMPLOYER, "另一家公司");
    assert_int_equal(add_subsidy(f, &t, NULL, &err), 0);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM subsidies"), 4);
    assert_int_equal(fixture_store_int(f->s, "SELECT sum(amount_fen) FROM subsidies"), 4 * 1234567 + 1);
}

static void test_subsidy_check_violation_is_not_a_duplicate(void **state)
{
    fixture *f = *state;
    hw_error err;
    subsidy s;
    agreement(&s);
    s.amount_fen = 0; /* subsidy_check skipped: the schema refuses it */
    assert_int_not_equal(add_subsidy(f, &s, NULL, &err), 0);
    assert_string_not_equal(err.code, "duplicate_subsidy");
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM subsidies"), 0);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_db, fixture_free)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purchase_defaults),
        cmocka_unit_test(test_purchase_mode),
        cmocka_unit_test(test_purchase_fields),
        cmocka_unit_test(test_purchase_check),
        DB_TEST(test_purchase_insert_registered),
        DB_TEST(test_purchase_not_registered),
        DB_TEST(test_purchase_withdrawn_is_not_registered),
        DB_TEST(test_purchase_duplicate),
        DB_TEST(test_purchase_check_violation_is_not_a_duplicate),
        cmocka_unit_test(test_subsidy_fields),
        cmocka_unit_test(test_subsidy_check),
        DB_TEST(test_subsidy_insert_and_duplicate),
        DB_TEST(test_subsidy_check_violation_is_not_a_duplicate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
