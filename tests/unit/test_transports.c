/* test_transports.c - unit tests for scheduler/transports.c: kinds, the status machine, layouts, stops, inserts. */
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
#include "store.h"
#include "transports.h"
#include "vault.h"

#include "fixture.h"

/* ---------------------------------------------------------------- helpers */

static void set_ok(transport *t, tr_field f, const char *value)
{
    hw_error err;
    int rc = transport_set(t, f, value, fixture_divisions, &err);
    if (rc != 0)
        fprintf(stderr, "transport_set(%s, \"%s\"): %s %s\n", transport_fields[f].en, value, err.code, err.message);
    assert_int_equal(rc, 0);
}

static void set_fails(transport *t, tr_field f, const char *value, int want_rc, const char *want_code)
{
    hw_error err;
    error_clear(&err);
    assert_int_equal(transport_set(t, f, value, fixture_divisions, &err), want_rc);
    assert_int_equal(err.rc, want_rc);
    assert_string_equal(err.code, want_code);
}

/* A complete bus from Chengdu East to Bazhong and Pingchang. */
static void bus(transport *t, const char *ref)
{
    transport_init(t);
    set_ok(t, TR_REF, ref);
    set_ok(t, TR_KIND, "汽车");
    set_ok(t, TR_LABEL, "川A·12345");
    set_ok(t, TR_CAPACITY, "53");
    set_ok(t, TR_DEPART_AT, "2027-01-21 07:30");
    set_ok(t, TR_ORIGIN, "成都东站");
    set_ok(t, TR_STOPS, "511900；511923");
    set_ok(t, TR_COST, "12,000");
}

static void check_ok(const transport *t)
{
    hw_error err;
    tr_field bad = TR_NFIELDS;
    int rc = transport_check(t, &bad, &err);
    if (rc != 0)
        fprintf(stderr, "transport_check: %s %s\n", err.code, err.message);
    assert_int_equal(rc, 0);
}

static void check_fails(const transport *t, tr_field want_field, const char *want_code)
{
    hw_error err;
    tr_field bad = TR_NFIELDS;
    error_clear(&err);
    assert_int_equal(transport_check(t, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, want_code);
    assert_int_equal(bad, want_field);
}

/* A database bound to a fresh key file with the campaign saved. */
static int setup_db(void **state)
{
    return fixture_new(state, FIXTURE_CAMPAIGN);
}

/* A fixture_insert_fn adding the transport `row`; runs on the writer thread, so no cmocka asserts. */
static int insert_run(sqlite3 *db, const vault *v, int64_t campaign_id, const void *row, int64_t *id, hw_error *err)
{
    (void)v;
    return transports_insert(db, campaign_id, row, id, err);
}

static int insert(fixture *f, const transport *t, int64_t *id, hw_error *err)
{
    return fixture_insert(f, insert_run, t, id, err);
}

/* ---------------------------------------------------------------- kinds and statuses */

static void test_kind_parse(void **state)
{
    static const struct {
        const char *in;
        transport_kind want;
    } ok[] = {
        {"专列", TRANSPORT_TRAIN},    {"火车车厢", TRANSPORT_CARRIAGE},
        {"车厢", TRANSPORT_CARRIAGE}, {"汽车", TRANSPORT_BUS},
        {"船", TRANSPORT_BOAT},       {"包机", TRANSPORT_FLIGHT},
        {"train", TRANSPORT_TRAIN},   {"carriage", TRANSPORT_CARRIAGE},
        {"bus", TRANSPORT_BUS},       {"boat", TRANSPORT_BOAT},
        {"flight", TRANSPORT_FLIGHT}, {"TRAIN", TRANSPORT_TRAIN},
        {" Bus ", TRANSPORT_BUS},     {"\xE3\x80\x80包机", TRANSPORT_FLIGHT},
    };
    static const char *const bad[] = {"", "火箭", "plane", "trains", "专列车", "汽车 船"};
    hw_error err;
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        transport_kind k = TRANSPORT_NKINDS;
        assert_int_equal(transport_kind_parse(ok[i].in, &k, &err), 0);
        assert_int_equal(k, ok[i].want);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        transport_kind k = TRANSPORT_NKINDS;
        error_clear(&err);
        assert_int_equal(transport_kind_parse(bad[i], &k, &err), HW_EINVAL);
        assert_string_equal(err.code, "unknown_kind");
        assert_int_equal(k, TRANSPORT_NKINDS);
    }
    /* names round-trip, in both languages */
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        transport_kind back = TRANSPORT_NKINDS;
        assert_int_equal(transport_kind_parse(transport_kind_name((transport_kind)k), &back, &err), 0);
        assert_int_equal(back, k);
        assert_int_equal(transport_kind_parse(transport_kind_zh((transport_kind)k), &back, &err), 0);
        assert_int_equal(back, k);
    }
    assert_string_equal(transport_kind_name(TRANSPORT_CARRIAGE), "carriage");
    assert_string_equal(transport_kind_zh(TRANSPORT_FLIGHT), "包机");
    assert_string_equal(transport_kind_name(TRANSPORT_NKINDS), "");
}

static void test_status_parse(void **state)
{
    static const char *const en[] = {"planned", "confirmed", "boarding", "departed", "arrived", "cancelled"};
    static const char *const zh[] = {"计划", "已确认", "检票中", "已出发", "已到达", "已取消"};
    hw_error err;
    transport_status s;
    (void)state;
    for (int i = 0; i < TRANSPORT_NSTATUSES; i++) {
        assert_int_equal(transport_status_parse(en[i], &s, &err), 0);
        assert_int_equal(s, i);
        assert_int_equal(transport_status_parse(zh[i], &s, &err), 0);
        assert_int_equal(s, i);
        assert_string_equal(transport_status_name((transport_status)i), en[i]);
    }
    assert_int_equal(transport_status_parse(" Boarding ", &s, &err), 0);
    assert_int_equal(s, TRANSPORT_BOARDING);
    error_clear(&err);
    assert_int_equal(transport_status_parse("gone", &s, &err), HW_EINVAL);
    assert_string_equal(err.code, "unknown_status");
    assert_int_equal(transport_status_parse("", &s, &err), HW_EINVAL);
}

static void test_status_machine(void **state)
{
    enum { P = TRANSPORT_PLANNED, C, B, D, A, X };
    /* allowed[from][to], DESIGN §2: planned → confirmed → boarding → departed → arrived; cancelled from any state
       before departed; boarding may close again (→ confirmed); no skipping, nothing leaves arrived or cancelled */
    /* one row per state, so the table reads as the matrix it is */
    // clang-format off
    static const bool allowed[TRANSPORT_NSTATUSES][TRANSPORT_NSTATUSES] = {
        /* to:    P      C      B      D      A      X */
        [P] = {false, true,  false, false, false, true },
        [C] = {false, false, true,  false, false, true },
        [B] = {false, true,  false, true,  false, true },
        [D] = {false, false, false, false, true,  false},
        [A] = {false, false, false, false, false, false},
        [X] = {false, false, false, false, false, false},
    };
    // clang-format on
    (void)state;
    assert_int_equal(X, TRANSPORT_CANCELLED);
    for (int from = 0; from < TRANSPORT_NSTATUSES; from++)
        for (int to = 0; to < TRANSPORT_NSTATUSES; to++) {
            bool got = transport_can_move((transport_status)from, (transport_status)to);
            if (got != allowed[from][to])
                fail_msg("transport_can_move(%s, %s) = %d, DESIGN §2 says %d",
                         transport_status_name((transport_status)from), transport_status_name((transport_status)to),
                         got, allowed[from][to]);
        }
    /* the spelled-out cases, for whoever reads this test */
    assert_true(transport_can_move(TRANSPORT_PLANNED, TRANSPORT_CONFIRMED));
    assert_true(transport_can_move(TRANSPORT_DEPARTED, TRANSPORT_ARRIVED));
    assert_true(transport_can_move(TRANSPORT_BOARDING, TRANSPORT_CANCELLED));
    assert_false(transport_can_move(TRANSPORT_PLANNED, TRANSPORT_DEPARTED));
    assert_false(transport_can_move(TRANSPORT_DEPARTED, TRANSPORT_CANCELLED));
    assert_false(transport_can_move(TRANSPORT_CANCELLED, TRANSPORT_PLANNED));
}

static void test_default_layouts(void **state)
{
    char buf[24];
    transport t;
    (void)state;
    transport_default_layout(TRANSPORT_BUS, buf, sizeof buf);
    assert_string_equal(buf, "rows:2+2");
    transport_default_layout(TRANSPORT_FLIGHT, buf, sizeof buf);
    assert_string_equal(buf, "rows:3+3");
    transport_default_layout(TRANSPORT_BOAT, buf, sizeof buf);
    assert_string_equal(buf, "numbered");
    transport_default_layout(TRANSPORT_CARRIAGE, buf, sizeof buf);
    assert_string_equal(buf, "cars:118");
    transport_default_layout(TRANSPORT_TRAIN, buf, sizeof buf);
    assert_string_equal(buf, "cars:118");
    /* setting the kind gives the transport its default layout */
    transport_init(&t);
    set_ok(&t, TR_KIND, "包机");
    assert_string_equal(t.layout, "rows:3+3");
    set_ok(&t, TR_KIND, "bus");
    assert_string_equal(t.layout, "rows:2+2");
}

/* ---------------------------------------------------------------- fields */

static void test_init_defaults(void **state)
{
    transport t;
    (void)state;
    memset(&t, 0x5a, sizeof t);
    transport_init(&t);
    assert_int_equal(t.status, TRANSPORT_PLANNED);
    assert_int_equal(t.cost_fen, -1);
    assert_false(t.has_kind);
    assert_int_equal(t.nstops, 0);
    assert_int_equal(t.capacity, 0);
    assert_string_equal(t.ref, "");
}

static void test_stops(void **state)
{
    transport t;
    char buf[TRANSPORT_MAX_STOPS * 7 + 1];
    (void)state;
    transport_init(&t);
    set_ok(&t, TR_STOPS, "511900；511923、四川省");
    assert_int_equal(t.nstops, 3);
    assert_string_equal(t.stops[0], "511900");
    assert_string_equal(t.stops[1], "511923");
    assert_string_equal(t.stops[2], "510000");
    transport_format_stops(&t, buf, sizeof buf);
    assert_string_equal(buf, "511900;511923;510000");

    set_ok(&t, TR_STOPS, "巴中市;平昌县,成都市，通江县");
    assert_int_equal(t.nstops, 4); /* replaced, not appended */
    transport_format_stops(&t, buf, sizeof buf);
    assert_string_equal(buf, "511900;511923;510100;511921");

    set_ok(&t, TR_STOPS, " 四川省巴中市 ； ；511923 ;");
    assert_int_equal(t.nstops, 2);
    assert_string_equal(t.stops[0], "511900");
    assert_string_equal(t.stops[1], "511923");

    set_ok(&t, TR_STOPS, "平昌县");
    assert_int_equal(t.nstops, 1);
    assert_string_equal(t.stops[0], "511923");

    set_fails(&t, TR_STOPS, "511900；火星县", HW_ENOTFOUND, "unknown_division");
    set_fails(&t, TR_STOPS, "朝阳区", HW_EAMBIGUOUS, "ambiguous_division");
    set_ok(&t, TR_STOPS, "");
    assert_int_equal(t.nstops, 0);
}

static void test_stops_limit(void **state)
{
    static const char *const codes[] = {"510000", "510100", "510300", "510400", "510500", "510600",
                                        "510700", "510800", "510900", "511000", "511100", "511300",
                                        "511400", "511500", "511600", "511700", "511800"};
    transport t;
    char list[256] = "";
    size_t used = 0;
    (void)state;
    assert_int_equal(sizeof codes / sizeof codes[0], TRANSPORT_MAX_STOPS + 1);
    for (int i = 0; i < TRANSPORT_MAX_STOPS; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? "、" : "", codes[i]);
    transport_init(&t);
    set_ok(&t, TR_STOPS, list);
    assert_int_equal(t.nstops, TRANSPORT_MAX_STOPS);
    assert_string_equal(t.stops[TRANSPORT_MAX_STOPS - 1], codes[TRANSPORT_MAX_STOPS - 1]);
    snprintf(list + used, sizeof list - used, ";%s", codes[TRANSPORT_MAX_STOPS]);
    set_fails(&t, TR_STOPS, list, HW_EINVAL, "too_many_stops");
}

static void test_capacity(void **state)
{
    transport t;
    (void)state;
    transport_init(&t);
    set_ok(&t, TR_CAPACITY, "53");
    assert_int_equal(t.capacity, 53);
    set_ok(&t, TR_CAPACITY, " 3000 ");
    assert_int_equal(t.capacity, 3000);
    set_fails(&t, TR_CAPACITY, "0", HW_EINVAL, "bad_capacity");
    set_fails(&t, TR_CAPACITY, "3001", HW_EINVAL, "bad_capacity");
    set_fails(&t, TR_CAPACITY, "-5", HW_EINVAL, "bad_capacity");
    set_fails(&t, TR_CAPACITY, "五十", HW_EINVAL, "bad_capacity");
    set_fails(&t, TR_CAPACITY, "", HW_EINVAL, "bad_capacity");
    assert_int_equal(t.capacity, 3000); /* failures leave the old value */

    /* limits by kind, checked across fields */
    bus(&t, "B1");
    check_ok(&t);
    set_ok(&t, TR_CAPACITY, "80");
    check_ok(&t);
    set_ok(&t, TR_CAPACITY, "81");
    check_fails(&t, TR_CAPACITY, "bad_capacity");
    set_ok(&t, TR_KIND, "专列");
    set_ok(&t, TR_CAPACITY, "1800");
    check_ok(&t);
    set_ok(&t, TR_KIND, "火车车厢");
    check_fails(&t, TR_CAPACITY, "bad_capacity"); /* one carriage never seats 1800 */
    set_ok(&t, TR_CAPACITY, "118");
    check_ok(&t);
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        set_ok(&t, TR_KIND, transport_kind_name((transport_kind)k));
        set_ok(&t, TR_CAPACITY, "1");
        check_ok(&t);
    }
}

static void test_other_fields(void **state)
{
    transport t;
    (void)state;
    transport_init(&t);
    set_ok(&t, TR_DEPART_AT, "2027-01-21 07:30");
    assert_string_equal(t.depart_at, "2027-01-21T07:30:00+08:00");
    set_ok(&t, TR_DEPART_AT, "2027-01-21T18:05:30");
    assert_string_equal(t.depart_at, "2027-01-21T18:05:30+08:00");
    set_fails(&t, TR_DEPART_AT, "2027-01-21 24:00", HW_EINVAL, "bad_time");
    set_fails(&t, TR_DEPART_AT, "2027-02-30 07:30", HW_EINVAL, "bad_time");

    set_ok(&t, TR_COST, "¥12,345.60");
    assert_int_equal(t.cost_fen, 1234560);
    set_ok(&t, TR_COST, "");
    assert_int_equal(t.cost_fen, -1);
    set_fails(&t, TR_COST, "-100", HW_EINVAL, "bad_amount");

    set_ok(&t, TR_STATUS, "已确认");
    assert_int_equal(t.status, TRANSPORT_CONFIRMED);
    set_ok(&t, TR_STATUS, "");
    assert_int_equal(t.status, TRANSPORT_PLANNED);
    set_fails(&t, TR_STATUS, "flying", HW_EINVAL, "unknown_status");

    set_ok(&t, TR_LABEL, "K1234");
    assert_string_equal(t.label, "K1234");
    set_ok(&t, TR_ORIGIN, " 成都东站 ");
    assert_string_equal(t.origin, "成都东站");
    set_fails(&t, TR_REF, "T\x01", HW_EINVAL, "control_character");
    set_fails(&t, TR_NFIELDS, "x", HW_EINVAL, "bad_field");
}

static void test_check_missing(void **state)
{
    transport t, base;
    (void)state;
    bus(&base, "B1");
    check_ok(&base);
    t = base;
    t.ref[0] = '\0';
    check_fails(&t, TR_REF, "missing_ref");
    transport_init(&t);
    set_ok(&t, TR_REF, "B1");
    check_fails(&t, TR_KIND, "missing_kind");
    set_ok(&t, TR_KIND, "汽车");
    check_fails(&t, TR_CAPACITY, "bad_capacity");
    set_ok(&t, TR_CAPACITY, "45");
    check_fails(&t, TR_DEPART_AT, "missing_depart_at");
    set_ok(&t, TR_DEPART_AT, "2027-01-21 07:30");
    check_fails(&t, TR_STOPS, "missing_stops");
    set_ok(&t, TR_STOPS, "平昌县");
    check_ok(&t);
    set_ok(&t, TR_STOPS, " ； ");
    check_fails(&t, TR_STOPS, "missing_stops");
}

static void test_fields_table(void **state)
{
    (void)state;
    static const tr_field required[] = {TR_REF, TR_KIND, TR_CAPACITY, TR_DEPART_AT, TR_STOPS};
    static const tr_field optional[] = {TR_LABEL, TR_ORIGIN, TR_COST, TR_STATUS};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        assert_true(transport_fields[required[i]].required);
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        assert_false(transport_fields[optional[i]].required);
    assert_string_equal(transport_fields[TR_STOPS].zh, "经停");
    assert_string_equal(transport_fields[TR_DEPART_AT].en, "depart_at");
}

/* ---------------------------------------------------------------- inserts */

static void test_insert(void **state)
{
    fixture *f = *state;
    hw_error err;
    transport t;
    int64_t id = -1;
    bus(&t, "CD-BZ-01");
    int rc = insert(f, &t, &id, &err);
    if (rc != 0)
        fprintf(stderr, "insert: %s %s\n", err.code, err.message);
    assert_int_equal(rc, 0);
    assert_true(id > 0);

    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM transports WHERE id = %lld AND campaign_id = 1 AND ref = 'CD-BZ-01' AND kind = "
             "'bus' AND label = '川A·12345' AND capacity = 53 AND layout = 'rows:2+2' AND depart_at = "
             "'2027-01-21T07:30:00+08:00' AND origin = '成都东站' AND stops = '511900;511923' AND cost_fen = 1200000 "
             "AND status = 'planned'",
             (long long)id);
    assert_int_equal(fixture_store_int(f->s, sql), 1);

    /* unknown cost, label and origin are stored as NULL */
    transport u;
    transport_init(&u);
    set_ok(&u, TR_REF, "BOAT-1");
    set_ok(&u, TR_KIND, "船");
    set_ok(&u, TR_CAPACITY, "300");
    set_ok(&u, TR_DEPART_AT, "2027-01-22 09:00");
    set_ok(&u, TR_STOPS, "四川省");
    set_ok(&u, TR_STATUS, "confirmed");
    check_ok(&u);
    assert_int_equal(insert(f, &u, &id, &err), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM transports WHERE id = %lld AND cost_fen IS NULL AND label IS NULL AND origin IS "
             "NULL AND layout = 'numbered' AND status = 'confirmed' AND stops = '510000'",
             (long long)id);
    assert_int_equal(fixture_store_int(f->s, sql), 1);
}

static void test_insert_duplicate_ref(void **state)
{
    fixture *f = *state;
    hw_error err;
    transport a, b;
    int64_t id = -1;
    bus(&a, "CD-BZ-01");
    bus(&b, "CD-BZ-01");
    set_ok(&b, TR_KIND, "专列");
    set_ok(&b, TR_CAPACITY, "1800");
    assert_int_equal(insert(f, &a, &id, &err), 0);
    assert_int_equal(insert(f, &b, NULL, &err), HW_ECONFLICT);
    assert_int_equal(err.rc, HW_ECONFLICT);
    assert_string_equal(err.code, "duplicate_ref");
    assert_non_null(strstr(err.message, "CD-BZ-01"));
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM transports"), 1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM transports WHERE kind = 'bus'"), 1);

    /* another ref is fine, and so is the same ref in another campaign */
    set_ok(&b, TR_REF, "CD-BZ-02");
    assert_int_equal(insert(f, &b, NULL, &err), 0);
    assert_int_equal(store_write(f->s, fixture_exec_job,
                                 "INSERT INTO campaign(id, name, date_from, date_to, updated_at) VALUES (2, "
                                 "'2028年元旦春节送温暖', '2027-12-22', '2028-02-16', '2027-12-01T00:00:00+08:00')",
                                 &err),
                     0);
    assert_int_equal(insert(f, &a, NULL, &err), 0);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM transports WHERE ref = 'CD-BZ-01'"), 2);
}

static void test_insert_check_violation_is_not_a_duplicate(void **state)
{
    fixture *f = *state;
    hw_error err;
    transport t;
    bus(&t, "NO-STOPS");
    t.nstops = 0; /* transport_check skipped: the schema refuses empty stops */
    assert_int_not_equal(insert(f, &t, NULL, &err), 0);
    assert_string_not_equal(err.code, "duplicate_ref");
    bus(&t, "NO-SEATS");
    t.capacity = 0;
    assert_int_not_equal(insert(f, &t, NULL, &err), 0);
    assert_string_not_equal(err.code, "duplicate_ref");
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM transports"), 0);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_db, fixture_free)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_parse),     cmocka_unit_test(test_status_parse),
        cmocka_unit_test(test_status_machine), cmocka_unit_test(test_default_layouts),
        cmocka_unit_test(test_init_defaults),  cmocka_unit_test(test_stops),
        cmocka_unit_test(test_stops_limit),    cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_other_fields),   cmocka_unit_test(test_check_missing),
        cmocka_unit_test(test_fields_table),   DB_TEST(test_insert),
        DB_TEST(test_insert_duplicate_ref),    DB_TEST(test_insert_check_violation_is_not_a_duplicate),
    };
    return cmocka_run_group_tests(tests, fixture_divisions_load, fixture_divisions_free);
}
