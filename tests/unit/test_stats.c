/* test_stats.c - unit tests for scheduler/stats.c: rounding to 万元, wording, the JSON shape, the window queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "stats.h"
#include "store.h"

/* ---------------------------------------------------------------- the pure core */

static void wan_is(int64_t fen, const char *want)
{
    char buf[STATS_WAN_MAX];
    assert_string_equal(stats_fen_to_wan(fen, buf, sizeof buf), want);
}

static void test_wan_rounding(void **state)
{
    (void)state;
    wan_is(0, "0.00");
    wan_is(4999, "0.00");  /* 0.004999 万元 */
    wan_is(5000, "0.01");  /* exactly 0.005: half up */
    wan_is(10000, "0.01"); /* 100 元 */
    wan_is(12345, "0.01"); /* 0.012345 */
    wan_is(14999, "0.01");
    wan_is(15000, "0.02");   /* exactly 0.015 */
    wan_is(1234565, "1.23"); /* 1.234565 */
    wan_is(1234999, "1.23");
    wan_is(1235000, "1.24"); /* exactly 1.235 */
    wan_is(1239565, "1.24");
    wan_is(99995000, "100.00"); /* 99.995 carries into the units */
    wan_is(100000000, "100.00");
    wan_is(-5000, "-0.01");
    wan_is(-4999, "0.00");
    wan_is(INT64_MAX, "9223372036854.78"); /* ...775807 fen: no overflow */
    wan_is(INT64_MIN, "-9223372036854.78");
}

static stats_counts sample(void)
{
    stats_counts c = {.persons = 123, .purchases = 9, .subsidy_fen = 1235000};
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        c.transports[k] = k + 1;
        c.boarded[k] = 10 * (k + 1);
    }
    return c;
}

static void test_lines_wording(void **state)
{
    (void)state;
    stats_counts c = sample();
    stats_line l[STATS_NLINES];
    char buf[STATS_LINE_MAX];
    static const char *const want[STATS_NLINES] = {"送温暖活动期间共帮助农民工平安返乡 123 人次;",
                                                   "共包专列 1 列,运送 10 人次;",
                                                   "共包火车车厢 2 节,运送 20 人次;",
                                                   "共包汽车 3 辆,运送 30 人次;",
                                                   "共包船 4 艘,运送 40 人次;",
                                                   "共包机 5 架,运送 50 人次;",
                                                   "帮助农民工购买车(船)票 9 张。",
                                                   "经过与用人单位协商,为农民工返乡争取经济补贴 1.24 万元。"};
    stats_lines(&c, l);
    for (int i = 0; i < STATS_NLINES; i++)
        assert_string_equal(stats_line_text(&l[i], buf, sizeof buf), want[i]);
    assert_string_equal(l[0].item, "10(A)");
    assert_string_equal(l[0].label, "10、(A)");
    assert_string_equal(l[7].item, "11(A)");
    assert_int_equal(l[3].nvalues, 2);
    assert_int_equal(l[6].nvalues, 1);
    assert_string_equal(l[7].wan, "1.24");
}

static void test_json_shape(void **state)
{
    (void)state;
    stats_report r = {.campaign = {.unit_code = "510100",
                                   .unit_name = "成都市总工会",
                                   .name = "2027年元旦春节送温暖",
                                   .from = "2026-12-22",
                                   .to = "2027-02-16"}};
    r.actual = sample();
    r.own = sample();
    r.own.persons = 100; /* the other 23 came from children (not listed here) */
    r.planned.persons = 200;
    json_t *doc = stats_report_json(&r, "2027-01-11T09:00:00+08:00");
    char *text = json_dumps(doc, JSON_COMPACT);
    assert_string_equal(
        text, "{\"unit\":{\"code\":\"510100\",\"name\":\"成都市总工会\"},"
              "\"campaign\":{\"name\":\"2027年元旦春节送温暖\",\"from\":\"2026-12-22\",\"to\":\"2027-02-16\"},"
              "\"item10\":{\"A\":{\"persons\":123},\"B\":{\"trains\":1,\"persons\":10},"
              "\"C\":{\"carriages\":2,\"persons\":20},\"D\":{\"buses\":3,\"persons\":30},"
              "\"E\":{\"boats\":4,\"persons\":40},\"F\":{\"flights\":5,\"persons\":50},\"G\":{\"tickets\":9}},"
              "\"item11\":{\"A\":{\"subsidy_wan_yuan\":\"1.24\"}},\"children\":[],"
              "\"generated_at\":\"2027-01-11T09:00:00+08:00\","
              "\"own\":{\"item10\":{\"A\":{\"persons\":100},\"B\":{\"trains\":1,\"persons\":10},"
              "\"C\":{\"carriages\":2,\"persons\":20},\"D\":{\"buses\":3,\"persons\":30},"
              "\"E\":{\"boats\":4,\"persons\":40},\"F\":{\"flights\":5,\"persons\":50},\"G\":{\"tickets\":9}},"
              "\"item11\":{\"A\":{\"subsidy_wan_yuan\":\"1.24\"}}},"
              "\"planned\":{\"A\":{\"persons\":200},\"B\":{\"trains\":0,\"persons\":0},"
              "\"C\":{\"carriages\":0,\"persons\":0},\"D\":{\"buses\":0,\"persons\":0},"
              "\"E\":{\"boats\":0,\"persons\":0},\"F\":{\"flights\":0,\"persons\":0},\"G\":{\"tickets\":0}},"
              "\"deadline\":null}");
    free(text);
    json_decref(doc);
}

/* ---------------------------------------------------------------- the queries over a hand-built database */

typedef struct fixture {
    char dir[64];
    char db[96];
    store *s;
} fixture;

static int run_sql(sqlite3 *db, void *arg, hw_error *err)
{
    return store_exec(db, arg, err);
}

/*
 * Campaign window 2026-12-22..2027-02-16; ten people (registrations 1..10).
 *  T1 train    departed  2027-01-20  r1 boarded, r2 boarded, r3 no_show
 *  T2 bus      arrived   2027-01-21  r4 boarded, r5 boarded
 *  T3 bus      confirmed 2027-01-22  r6 issued                  (not departed: planned only)
 *  T4 flight   cancelled 2027-01-23  r7 boarded                 (cancelled: never)
 *  T5 carriage departed  2026-12-21  r8 boarded                 (day before the window)
 *  T6 boat     departed  2027-02-16 23:30  r9 boarded           (last day, inside)
 *  T7 carriage departed  2027-02-17                             (day after the window)
 *  T8 flight   departed  2027-01-25  nobody boarded
 *  T9 carriage departed  2027-02-10  r3 boarded (after missing T1)
 * Purchases: r1 2027-01-20 (also boarded: counted once in A), r10 2027-01-30 and 2027-02-01,
 *  r8 2026-12-22 (first day), r6 2027-01-25 refunded, r3 2027-02-20 (after the window).
 * Subsidies: 1,234,565 fen 2027-01-05 and 5,000 fen 2027-02-16 inside; 9,999,999 fen 2027-02-17 and
 *  300 fen 2026-12-21 outside.
 */
static const char scenario[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
    "INSERT INTO registrations(id, campaign_id, name, id_index, id_sealed, id_masked, destination, created_at, "
    " updated_at) SELECT i, 1, 'p' || i, randomblob(16), x'00', '5119**********000X', '511923', 'now', 'now' FROM n;"
    "INSERT INTO transports(id, campaign_id, ref, kind, capacity, layout, depart_at, stops, status, created_at, "
    " updated_at) VALUES"
    " (1, 1, 'T1', 'train', 100, 'rows', '2027-01-20T08:00:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (2, 1, 'T2', 'bus', 50, 'rows', '2027-01-21T08:00:00+08:00', '511923', 'arrived', 'now', 'now'),"
    " (3, 1, 'T3', 'bus', 50, 'rows', '2027-01-22T08:00:00+08:00', '511923', 'confirmed', 'now', 'now'),"
    " (4, 1, 'T4', 'flight', 50, 'rows', '2027-01-23T08:00:00+08:00', '511923', 'cancelled', 'now', 'now'),"
    " (5, 1, 'T5', 'carriage', 50, 'rows', '2026-12-21T23:59:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (6, 1, 'T6', 'boat', 50, 'rows', '2027-02-16T23:30:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (7, 1, 'T7', 'carriage', 50, 'rows', '2027-02-17T00:10:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (8, 1, 'T8', 'flight', 50, 'rows', '2027-01-25T08:00:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (9, 1, 'T9', 'carriage', 60, 'rows', '2027-02-10T09:00:00+08:00', '511923', 'departed', 'now', 'now');"
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) VALUES"
    " (1, 'TK00000001', 1, 1, 0, '1', '511923', 'boarded', 'now', 'now'),"
    " (1, 'TK00000002', 2, 1, 1, '2', '511923', 'boarded', 'now', 'now'),"
    " (1, 'TK00000003', 3, 1, 2, '3', '511923', 'no_show', 'now', 'now'),"
    " (1, 'TK00000004', 4, 2, 0, '1', '511923', 'boarded', 'now', 'now'),"
    " (1, 'TK00000005', 5, 2, 1, '2', '511923', 'boarded', 'now', 'now'),"
    " (1, 'TK00000006', 6, 3, 0, '1', '511923', 'issued', 'now', 'now'),"
    " (1, 'TK00000007', 7, 4, 0, '1', '511923', 'boarded', 'now', 'now'),"
    " (1, 'TK00000008', 8, 5, 0, '1', '511923', 'boarded', 'now', 'now'),"
    " (1, 'TK00000009', 9, 6, 0, '1', '511923', 'boarded', 'now', 'now'),"
    " (1, 'TK00000010', 3, 9, 0, '1', '511923', 'boarded', 'now', 'now');"
    "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, refunded, created_at) VALUES"
    " (1, 1, 'train', 'K1', '2027-01-20', 0, 'now'),"
    " (1, 10, 'bus', 'B1', '2027-01-30', 0, 'now'),"
    " (1, 10, 'boat', 'S1', '2027-02-01', 0, 'now'),"
    " (1, 8, 'train', 'K2', '2026-12-22', 0, 'now'),"
    " (1, 6, 'train', 'K3', '2027-01-25', 1, 'now'),"
    " (1, 3, 'flight', 'F1', '2027-02-20', 0, 'now');"
    "INSERT INTO subsidies(campaign_id, employer, amount_fen, date, created_at) VALUES"
    " (1, '甲公司', 1234565, '2027-01-05', 'now'),"
    " (1, '乙公司', 5000, '2027-02-16', 'now'),"
    " (1, '丙公司', 9999999, '2027-02-17', 'now'),"
    " (1, '丁公司', 300, '2026-12-21', 'now');";

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    campaign_info c = {.unit_code = "510100",
                       .unit_name = "成都市总工会",
                       .name = "2027年元旦春节送温暖",
                       .from = "2026-12-22",
                       .to = "2027-02-16"};
    hw_error err;
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hw-stats-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    assert_int_equal(store_open(f->db, &f->s, &err), 0);
    assert_int_equal(store_write(f->s, campaign_save, &c, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char path[128];
    store_close(f->s);
    static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void load(fixture *f, stats_report *r)
{
    sqlite3 *rdb = NULL;
    hw_error err;
    assert_int_equal(store_reader(f->s, &rdb, &err), 0);
    int rc = stats_load(rdb, r, &err);
    if (rc != 0)
        fprintf(stderr, "stats_load: %s\n", err.message);
    assert_int_equal(rc, 0);
    sqlite3_close(rdb);
}

static void test_empty_campaign(void **state)
{
    fixture *f = *state;
    stats_report r;
    load(f, &r);
    assert_string_equal(r.campaign.unit_code, "510100");
    assert_string_equal(r.campaign.from, "2026-12-22");
    assert_int_equal(r.actual.persons, 0);
    assert_int_equal(r.actual.purchases, 0);
    assert_int_equal(r.actual.subsidy_fen, 0);
    assert_int_equal(r.planned.persons, 0);
}

static void test_scenario(void **state)
{
    fixture *f = *state;
    hw_error err;
    stats_report r;
    int64_t campaign = 0;
    sqlite3 *rdb = NULL;
    assert_int_equal(store_reader(f->s, &rdb, &err), 0);
    assert_int_equal(campaign_current_id(rdb, &campaign, &err), 0);
    sqlite3_close(rdb);
    assert_int_equal(campaign, 1); /* the scenario's rows name campaign 1 */
    assert_int_equal(store_write(f->s, run_sql, (void *)scenario, &err), 0);
    load(f, &r);
    const stats_counts *a = &r.actual, *p = &r.planned;
    assert_int_equal(a->persons, 8); /* r1 r2 r3 r4 r5 r9 boarded, r8 r10 purchases; r1 and r10 once */
    assert_int_equal(a->transports[TRANSPORT_TRAIN], 1);
    assert_int_equal(a->boarded[TRANSPORT_TRAIN], 2);       /* the no_show does not count */
    assert_int_equal(a->transports[TRANSPORT_CARRIAGE], 1); /* T5 and T7 are outside the window */
    assert_int_equal(a->boarded[TRANSPORT_CARRIAGE], 1);
    assert_int_equal(a->transports[TRANSPORT_BUS], 1); /* arrived counts, confirmed does not */
    assert_int_equal(a->boarded[TRANSPORT_BUS], 2);
    assert_int_equal(a->transports[TRANSPORT_BOAT], 1); /* last day of the window, 23:30 */
    assert_int_equal(a->boarded[TRANSPORT_BOAT], 1);
    assert_int_equal(a->transports[TRANSPORT_FLIGHT], 1); /* the cancelled one does not count */
    assert_int_equal(a->boarded[TRANSPORT_FLIGHT], 0);
    assert_int_equal(a->purchases, 4); /* refunded and after-window ones left out */
    assert_int_equal(a->subsidy_fen, 1239565);
    assert_int_equal(p->persons, 9); /* + r6 issued on the confirmed bus */
    assert_int_equal(p->transports[TRANSPORT_BUS], 2);
    assert_int_equal(p->boarded[TRANSPORT_BUS], 3);
    assert_int_equal(p->transports[TRANSPORT_TRAIN], 1);
    assert_int_equal(p->boarded[TRANSPORT_TRAIN], 2);
    assert_int_equal(p->transports[TRANSPORT_FLIGHT], 1);
    assert_int_equal(p->boarded[TRANSPORT_FLIGHT], 0);
    assert_int_equal(p->transports[TRANSPORT_CARRIAGE], 1);
    assert_int_equal(p->boarded[TRANSPORT_CARRIAGE], 1);
    assert_int_equal(p->transports[TRANSPORT_BOAT], 1);
    assert_int_equal(p->purchases, 4);

    json_t *doc = stats_report_json(&r, "2027-01-11T09:00:00+08:00");
    char *item10 = json_dumps(json_object_get(doc, "item10"), JSON_COMPACT);
    assert_string_equal(item10, "{\"A\":{\"persons\":8},\"B\":{\"trains\":1,\"persons\":2},"
                                "\"C\":{\"carriages\":1,\"persons\":1},\"D\":{\"buses\":1,\"persons\":2},"
                                "\"E\":{\"boats\":1,\"persons\":1},\"F\":{\"flights\":1,\"persons\":0},"
                                "\"G\":{\"tickets\":4}}");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_object_get(doc, "item11"), "A"), "subsidy_wan_yuan")),
        "1.24");
    free(item10);
    json_decref(doc);
}

/* Refunded purchases and a transport cancelled later drop out of every figure. */
static void test_refunded_only(void **state)
{
    fixture *f = *state;
    hw_error err;
    stats_report r;
    assert_int_equal(store_write(f->s, run_sql, (void *)scenario, &err), 0);
    assert_int_equal(store_write(f->s, run_sql,
                                 (void *)"UPDATE purchases SET refunded = 1 WHERE registration_id = 10;"
                                         "UPDATE transports SET status = 'cancelled' WHERE id = 6;",
                                 &err),
                     0);
    load(f, &r);
    assert_int_equal(r.actual.persons, 6); /* r10 refunded both, T6 (r9) cancelled */
    assert_int_equal(r.actual.purchases, 2);
    assert_int_equal(r.actual.transports[TRANSPORT_BOAT], 0);
    assert_int_equal(r.planned.transports[TRANSPORT_BOAT], 0);
}

static void test_csv_and_text(void **state)
{
    fixture *f = *state;
    hw_error err;
    stats_report r;
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(store_write(f->s, run_sql, (void *)scenario, &err), 0);
    load(f, &r);
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(stats_write_csv(&r, out, &err), 0);
    fclose(out);
    assert_memory_equal(buf, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(buf, "\"10(A)\",\"送温暖活动期间共帮助农民工平安返乡 8 人次;\",\"8\",\"\"\r\n"));
    assert_non_null(strstr(buf, "\"10(D)\",\"共包汽车 1 辆,运送 2 人次;\",\"1\",\"2\"\r\n"));
    assert_non_null(
        strstr(buf, "\"11(A)\",\"经过与用人单位协商,为农民工返乡争取经济补贴 1.24 万元。\",\"1.24\",\"\"\r\n"));
    free(buf);
    out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(stats_write_text(&r, "2027-01-11T09:00:00+08:00", out, &err), 0);
    fclose(out);
    assert_non_null(strstr(buf, "10、(A) 送温暖活动期间共帮助农民工平安返乡 8 人次;"));
    assert_non_null(strstr(buf, "2027年01月11日"));
    char *planned = strstr(buf, "计划预览");
    assert_non_null(planned);
    assert_non_null(strstr(planned, "共帮助农民工平安返乡 9 人次"));
    assert_non_null(strstr(planned, "共包汽车 2 辆,运送 3 人次"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wan_rounding),
        cmocka_unit_test(test_lines_wording),
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test_setup_teardown(test_empty_campaign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refunded_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_and_text, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
