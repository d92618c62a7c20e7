/* test_register.c - `homeward export register` (csv, json, xlsx) and GET /api/v1/stats/register against the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"

/*
 * Window 2026-12-22..2027-02-16. r1, r2 boarded bus B1 (departed 2027-01-20); r1 also holds a
 * purchase (counted once in 10(A)); r3 a purchase 2027-01-25 and a refunded one; r4 boarded
 * bus B2, which was cancelled; r5 boarded train Z9 departed 2027-02-17 (after the window).
 * Subsidies: 5,000 fen inside, 7,000 fen outside. Report: A 3, D 1/2, G 2, 11(A) 0.01.
 */
static const char *const scenario[] = {
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
    "INSERT INTO registrations(id, campaign_id, ref, name, id_index, id_sealed, id_masked, phone_masked, destination,"
    " created_at, updated_at) SELECT i, (SELECT max(id) FROM campaign), 'R' || i, '工人' || i, randomblob(16), x'00',"
    " '5119**********12' || i || 'X', '138****5678', '511923', 'now', 'now' FROM n",
    "INSERT INTO transports(id, campaign_id, ref, kind, label, capacity, layout, depart_at, stops, status, created_at, "
    " updated_at) SELECT 1, max(id), 'B1', 'bus', '川A12345', 50, 'rows', '2027-01-20T08:00:00+08:00', '511923',"
    " 'departed', 'now', 'now' FROM campaign",
    "INSERT INTO transports(id, campaign_id, ref, kind, capacity, layout, depart_at, stops, status, created_at, "
    " updated_at) SELECT 2, max(id), 'B2', 'bus', 50, 'rows', '2027-01-22T08:00:00+08:00', '511923', 'cancelled', "
    " 'now', 'now' FROM campaign",
    "INSERT INTO transports(id, campaign_id, ref, kind, capacity, layout, depart_at, stops, status, created_at, "
    " updated_at) SELECT 3, max(id), 'Z9', 'train', 500, 'rows', '2027-02-17T08:00:00+08:00', '511923', 'departed', "
    " 'now', 'now' FROM campaign",
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) SELECT max(id), 'TK00000001', 1, 1, 0, '1A', '511923', 'boarded', 'now', 'now' "
    " FROM campaign",
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) SELECT max(id), 'TK00000002', 2, 1, 1, '1B', '511923', 'boarded', 'now', 'now' "
    " FROM campaign",
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) SELECT max(id), 'TK00000004', 4, 2, 0, '1A', '511923', 'boarded', 'now', 'now' "
    " FROM campaign",
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) SELECT max(id), 'TK00000005', 5, 3, 0, '1A', '511923', 'boarded', 'now', 'now' "
    " FROM campaign",
    "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, fare_fen, refunded, created_at) "
    " SELECT max(id), 1, 'train', 'K1', '2027-01-26', 15000, 0, 'now' FROM campaign",
    "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, fare_fen, refunded, created_at) "
    " SELECT max(id), 3, 'train', 'K2', '2027-01-25', 23450, 0, 'now' FROM campaign",
    "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, fare_fen, refunded, created_at) "
    " SELECT max(id), 3, 'bus', 'B7', '2027-01-24', 5000, 1, 'now' FROM campaign",
    "INSERT INTO subsidies(campaign_id, employer, amount_fen, people, date, created_at) "
    " SELECT max(id), '甲公司', 5000, 2, '2027-01-05', 'now' FROM campaign",
    "INSERT INTO subsidies(campaign_id, employer, amount_fen, people, date, created_at) "
    " SELECT max(id), '乙公司', 7000, 1, '2027-02-18', 'now' FROM campaign",
};

static harness *campaign(void)
{
    harness *h = harness_new();
    int code = -1;
    char *out = NULL, *err = NULL, ignored[8];
    assert_non_null(h);
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "init", "--unit-code", "510100", "--unit-name",
                                     "成都市总工会", "--campaign", "2027年元旦春节送温暖", "--from", "2026-12-22",
                                     "--to", "2027-02-16", NULL),
                     0);
    free(out);
    free(err);
    for (size_t i = 0; i < sizeof scenario / sizeof scenario[0]; i++)
        assert_int_equal(harness_sql_text(h, scenario[i], ignored, sizeof ignored), 0);
    return h;
}

/* `homeward ARGS...` (NULL-terminated, at most 8) that must exit `want`; stdout returned, stderr into *err_out. */
static char *cli(harness *h, int want, char **err_out, const char *a0, ...)
{
    const char *args[10] = {a0};
    va_list ap;
    va_start(ap, a0);
    for (int i = 1; i < 9 && (args[i] = va_arg(ap, const char *)) != NULL; i++)
        ;
    va_end(ap);
    args[9] = NULL;
    int code = -1;
    char *out = NULL, *err = NULL;
    int ran = harness_run_argv(h, true, args, &code, &out, &err);
    assert_int_equal(ran, code); /* -1 when it could not run */
    if (code != want)
        fprintf(stderr, "exit %d: %s\n", code, err != NULL ? err : "");
    assert_int_equal(code, want);
    if (err_out != NULL)
        *err_out = err;
    else
        free(err);
    return out;
}

static size_t crlf_lines(const char *s)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, "\r\n")) != NULL; p += 2)
        n++;
    return n;
}

/* Rows per item in the all-items CSV (its first column) against the report's figures. */
static void test_csv_matches_report(void **state)
{
    (void)state;
    harness *h = campaign();
    char *csv = cli(h, 0, NULL, "export", "register", NULL);
    char *report = cli(h, 0, NULL, "report", "--format", "json", NULL);
    json_t *doc = harness_json(report);
    free(report);
    assert_non_null(doc);
    json_t *item10 = json_object_get(doc, "item10");
    static const char *const letters[] = {"A", "B", "C", "D", "E", "F", "G"};
    for (int i = 0; i < 7; i++) {
        char needle[16];
        size_t rows = 0;
        snprintf(needle, sizeof needle, "\r\n\"10%s\",", letters[i]);
        for (const char *p = csv; (p = strstr(p, needle)) != NULL; p += 2)
            rows++;
        json_t *fig = json_object_get(item10, letters[i]);
        json_int_t want = json_integer_value(json_object_get(fig, i == 6 ? "tickets" : "persons"));
        assert_int_equal(rows, want);
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(item10, "A"), "persons")), 3);
    assert_non_null(strstr(csv, "\r\n\"11A\","));
    assert_null(strstr(csv, "乙公司"));     /* outside the window */
    assert_null(strstr(csv, "TK00000004")); /* the cancelled bus */
    assert_null(strstr(csv, "TK00000005")); /* the train after the window */
    assert_null(strstr(csv, "138"));        /* phones never */
    json_decref(doc);
    free(csv);
    harness_free(h);
}

static void test_one_item(void **state)
{
    (void)state;
    harness *h = campaign();
    char *csv = cli(h, 0, NULL, "export", "register", "--item", "10D", NULL);
    assert_non_null(strstr(csv,
                           "\xEF\xBB\xBF\"运力\",\"车次\",\"日期\",\"座位\",\"票号\",\"编号\",\"姓名\",\"身份证号\","
                           "\"目的地\"\r\n"));
    assert_non_null(strstr(csv, "\"B1\",\"川A12345\",\"2027-01-20\",\"1A\",\"TK00000001\",\"R1\",\"工人1\","
                                "\"5119**********121X\",\"四川省巴中市平昌县\"\r\n"));
    assert_int_equal(crlf_lines(csv), 3);
    free(csv);
    csv = cli(h, 0, NULL, "export", "register", "--item", "10(a)", NULL);
    assert_non_null(
        strstr(csv, "\"工人1\",\"5119**********121X\",\"四川省巴中市平昌县\",\"包租运力\",\"汽车\",\"B1\""));
    assert_non_null(strstr(csv, "\"工人3\",\"5119**********123X\",\"四川省巴中市平昌县\",\"代购车票\",\"火车\",\"\","
                                "\"K2\",\"2027-01-25\",\"\",\"\",\"234.50\"\r\n"));
    assert_int_equal(crlf_lines(csv), 4); /* header + 工人1, 工人2, 工人3 */
    free(csv);
    char *text = cli(h, 0, NULL, "export", "register", "--item", "11A", "--format", "json", NULL);
    json_t *doc = harness_json(text);
    assert_non_null(doc);
    assert_int_equal(json_array_size(doc), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "employer")), "甲公司");
    assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "amount_yuan")), "50.00");
    json_decref(doc);
    free(text);
    harness_free(h);
}

static void test_bad_item(void **state)
{
    (void)state;
    harness *h = campaign();
    char *err = NULL;
    free(cli(h, 2, &err, "export", "register", "--item", "10H", NULL));
    assert_non_null(strstr(err, "10A、10B、10C、10D、10E、10F、10G、11A"));
    assert_non_null(strstr(err, "item must be one of"));
    free(err);
    free(cli(h, 2, &err, "export", "tickets", "--item", "10A", NULL));
    assert_non_null(strstr(err, "--item"));
    free(err);
    free(cli(h, 2, &err, "export", "register", "--transport", "B1", NULL));
    assert_non_null(strstr(err, "--item"));
    free(err);
    harness_free(h);
}

static void test_xlsx(void **state)
{
    (void)state;
    harness *h = campaign();
    char path[512];
    snprintf(path, sizeof path, "%s/register.xlsx", harness_dir(h));
    char *err = NULL;
    free(cli(h, 0, &err, "export", "register", "--format", "xlsx", "--out", path, NULL));
    assert_non_null(strstr(err, "已导出 8 行")); /* 10(A) 3, 10(D) 2, 10(G) 2, 11(A) 1 */
    free(err);
    char *dump = harness_xlsx_dump(h, path);
    assert_non_null(dump);
    static const char *const sheets[] = {"== 10(A) paper=9", "== 10(B) paper=9", "== 10(C) paper=9",
                                         "== 10(D) paper=9", "== 10(E) paper=9", "== 10(F) paper=9",
                                         "== 10(G) paper=9", "== 11(A) paper=9"};
    const char *at = dump;
    for (size_t i = 0; i < 8; i++) {
        const char *s = strstr(at, sheets[i]);
        assert_non_null(s); /* in the form's order */
        at = s;
    }
    assert_non_null(strstr(dump, "\n10(A) 送温暖活动期间共帮助农民工平安返乡 3 人次;\n"));
    assert_non_null(strstr(dump, "\n10(D) 共包汽车 1 辆,运送 2 人次;\n"));
    assert_non_null(strstr(dump, "\n10(B) 共包专列 0 列,运送 0 人次;\n"));
    assert_non_null(strstr(dump, "\n11(A) 经过与用人单位协商,为农民工返乡争取经济补贴 0.01 万元。\n"));
    assert_non_null(strstr(dump, "实名制名册  成都市总工会"));
    assert_non_null(
        strstr(dump, "\nB1 川A12345 2027-01-20 1B TK00000002 R2 工人2 5119**********122X 四川省巴中市平昌县\n"));
    free(dump);
    harness_free(h);
}

static void test_api(void **state)
{
    (void)state;
    harness *h = campaign();
    char reporter[HARNESS_TOKEN_MAX], station[HARNESS_TOKEN_MAX];
    assert_int_equal(harness_add_user(h, "rep", "reporter", NULL, reporter), 0);
    assert_int_equal(harness_add_user(h, "gate", "station", "成都东站", station), 0);
    char *cli_json = cli(h, 0, NULL, "export", "register", "--item", "10A", "--format", "json", NULL);
    json_t *from_cli = harness_json(cli_json);
    free(cli_json);
    assert_non_null(from_cli);
    assert_int_equal(harness_start_server(h, NULL), 0);
    int status = 0;
    char *body = NULL;
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register?item=10A", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    json_t *api = harness_json(body);
    free(body);
    assert_non_null(api);
    assert_true(json_equal(api, from_cli));
    assert_int_equal(json_array_size(api), 3);
    json_decref(api);
    json_decref(from_cli);

    assert_int_equal(
        harness_http(h, "GET", "/api/v1/stats/register?item=10G&format=csv", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    assert_non_null(strstr(body, "\"K2\",\"2027-01-25\",\"234.50\"\r\n"));
    assert_int_equal(crlf_lines(body), 3);
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    api = harness_json(body);
    assert_non_null(api);
    assert_int_equal(json_array_size(api), 3 + 2 + 2 + 1); /* A, D, G, 11A */
    json_decref(api);
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register?item=12A", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 400);
    assert_true(harness_is_envelope(body, "bad_item"));
    assert_non_null(strstr(body, "10A、10B、10C、10D、10E、10F、10G、11A"));
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register?format=xlsx", reporter, NULL, 0, &status, &body),
                     0);
    assert_int_equal(status, 400);
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register", station, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 403);
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register", NULL, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 401);
    free(body);
    /* more rows than one answer may hold: 413, and the other items still answer */
    char ignored[8];
    assert_int_equal(
        harness_sql_text(h,
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)"
                         " INSERT INTO subsidies(campaign_id, employer, amount_fen, date, created_at)"
                         " SELECT (SELECT max(id) FROM campaign), 'E' || i, 100, '2027-01-06', 'now' FROM n",
                         ignored, sizeof ignored),
        0);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register?item=11A", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 413);
    assert_true(harness_is_envelope(body, "too_many_rows"));
    assert_non_null(strstr(body, "50001"));
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/register?item=10D", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    free(body);
    char *log = harness_server_log(h);
    assert_null(strstr(log, "5119")); /* nothing personal in the log */
    assert_null(strstr(log, "工人"));
    free(log);
    harness_free(h);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_matches_report),
        cmocka_unit_test(test_one_item),
        cmocka_unit_test(test_bad_item),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
