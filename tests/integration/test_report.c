/* test_report.c - `homeward report` (json, text, csv, xlsx) and GET /api/v1/stats/item10 on a hand-built campaign. */
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
 * Window 2026-12-22..2027-02-16. Three people: r1 and r2 boarded bus B1 (departed
 * 2027-01-20), r3 holds a purchase on 2027-01-25, r4 holds an issued ticket on the
 * confirmed bus B2 (planned only). A subsidy of 5,000 fen (0.005 万元, shown 0.01).
 * Expected: 10(A) 3, 10(D) 1 bus / 2 persons, 10(G) 1, 11(A) "0.01"; planned A 4, D 2/3.
 */
static const char *const scenario[] = {
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4) "
    "INSERT INTO registrations(id, campaign_id, name, id_index, id_sealed, id_masked, destination, created_at, "
    " updated_at) SELECT i, (SELECT max(id) FROM campaign), 'p' || i, randomblob(16), x'00', '5119**********000X', "
    " '511923', 'now', 'now' FROM n",
    "INSERT INTO transports(id, campaign_id, ref, kind, capacity, layout, depart_at, stops, status, created_at, "
    " updated_at) SELECT 1, max(id), 'B1', 'bus', 50, 'rows', '2027-01-20T08:00:00+08:00', '511923', 'departed', "
    " 'now', 'now' FROM campaign",
    "INSERT INTO transports(id, campaign_id, ref, kind, capacity, layout, depart_at, stops, status, created_at, "
    " updated_at) SELECT 2, max(id), 'B2', 'bus', 50, 'rows', '2027-01-22T08:00:00+08:00', '511923', 'confirmed', "
    " 'now', 'now' FROM campaign",
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) SELECT max(id), 'TK00000001', 1, 1, 0, '1', '511923', 'boarded', 'now', 'now' "
    " FROM campaign",
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) SELECT max(id), 'TK00000002', 2, 1, 1, '2', '511923', 'boarded', 'now', 'now' "
    " FROM campaign",
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status, "
    " issued_at, updated_at) SELECT max(id), 'TK00000004', 4, 2, 0, '1', '511923', 'issued', 'now', 'now' "
    " FROM campaign",
    "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, refunded, created_at) "
    " SELECT max(id), 3, 'train', 'K1', '2027-01-25', 0, 'now' FROM campaign",
    "INSERT INTO subsidies(campaign_id, employer, amount_fen, date, created_at) "
    " SELECT max(id), '甲公司', 5000, '2027-01-05', 'now' FROM campaign",
};

static const char expected_item10[] = "{\"A\":{\"persons\":3},\"B\":{\"trains\":0,\"persons\":0},"
                                      "\"C\":{\"carriages\":0,\"persons\":0},\"D\":{\"buses\":1,\"persons\":2},"
                                      "\"E\":{\"boats\":0,\"persons\":0},\"F\":{\"flights\":0,\"persons\":0},"
                                      "\"G\":{\"tickets\":1}}";

static harness *campaign(void)
{
    harness *h = harness_new();
    int code = -1;
    char *out = NULL, *err = NULL, ignored[8];
    assert_non_null(h);
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "init", "--unit-code", "510100", "--unit-name",
                                     "成都市总工会", "--campaign", "2027年元旦春节送温暖", "--from", "2026-12-22",
                                     "--to", "2027-02-16", "--deadline", "2027-02-20", "--reporter", "王芳", "--phone",
                                     "028-12345678", NULL),
                     0);
    free(out);
    free(err);
    for (size_t i = 0; i < sizeof scenario / sizeof scenario[0]; i++)
        assert_int_equal(harness_sql_text(h, scenario[i], ignored, sizeof ignored), 0);
    return h;
}

/* `homeward report ARGS...` (up to four words) that must exit 0; stdout returned (caller frees). */
static char *report(harness *h, const char *a1, const char *a2, const char *a3, const char *a4)
{
    int code = -1;
    char *out = NULL, *err = NULL;
    const char *args[] = {"report", a1, a2, a3, a4, NULL};
    assert_int_equal(harness_run_argv(h, true, args, &code, &out, &err), 0);
    if (code != 0)
        fprintf(stderr, "report: %s\n", err != NULL ? err : "");
    assert_int_equal(code, 0);
    free(err);
    return out;
}

static void assert_keys(json_t *o, const char *const *keys, size_t n)
{
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), n);
    for (size_t i = 0; i < n; i++)
        assert_non_null(json_object_get(o, keys[i]));
}

static void test_json_shape(void **state)
{
    (void)state;
    harness *h = campaign();
    char *out = report(h, "--format", "json", NULL, NULL);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr); /* rejects anything after the one document */
    assert_non_null(doc);
    static const char *const top[] = {"unit", "campaign", "item10", "item11", "children", "generated_at"};
    for (size_t i = 0; i < 6; i++)
        assert_non_null(json_object_get(doc, top[i]));
    static const char *const unit[] = {"code", "name"}, *const camp[] = {"name", "from", "to"};
    assert_keys(json_object_get(doc, "unit"), unit, 2);
    assert_keys(json_object_get(doc, "campaign"), camp, 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "unit"), "code")), "510100");
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "campaign"), "from")), "2026-12-22");
    char *item10 = json_dumps(json_object_get(doc, "item10"), JSON_COMPACT);
    assert_string_equal(item10, expected_item10);
    free(item10);
    char *item11 = json_dumps(json_object_get(doc, "item11"), JSON_COMPACT);
    assert_string_equal(item11, "{\"A\":{\"subsidy_wan_yuan\":\"0.01\"}}");
    free(item11);
    assert_true(json_is_array(json_object_get(doc, "children")));
    assert_int_equal(json_array_size(json_object_get(doc, "children")), 0);
    const char *at = json_string_value(json_object_get(doc, "generated_at"));
    assert_non_null(at);
    assert_int_equal(strlen(at), 25);
    assert_string_equal(at + 19, "+08:00");
    json_t *planned = json_object_get(doc, "planned");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(planned, "A"), "persons")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(planned, "D"), "buses")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(planned, "D"), "persons")), 3);
    assert_string_equal(json_string_value(json_object_get(doc, "deadline")), "2027-02-20");
    json_decref(doc);
    free(out);
    harness_free(h);
}

static void test_text_wording(void **state)
{
    (void)state;
    harness *h = campaign();
    char *out = report(h, NULL, NULL, NULL, NULL);
    assert_non_null(strstr(out, "填报单位: 成都市总工会"));
    assert_non_null(strstr(out, "填报人: 王芳"));
    assert_non_null(strstr(out, "联系电话: 028-12345678"));
    assert_non_null(strstr(out, "10、(A) 送温暖活动期间共帮助农民工平安返乡 3 人次;"));
    assert_non_null(strstr(out, "(B) 共包专列 0 列,运送 0 人次;"));
    assert_non_null(strstr(out, "(D) 共包汽车 1 辆,运送 2 人次;"));
    assert_non_null(strstr(out, "(G) 帮助农民工购买车(船)票 1 张。"));
    assert_non_null(strstr(out, "11、(A) 经过与用人单位协商,为农民工返乡争取经济补贴 0.01 万元。"));
    assert_non_null(strstr(out, "职工均包括农民工"));
    char *planned = strstr(out, "计划预览");
    assert_non_null(planned);
    assert_true(planned > strstr(out, "11、(A)")); /* the preview comes after the form, apart */
    assert_non_null(strstr(planned, "共帮助农民工平安返乡 4 人次"));
    assert_non_null(strstr(planned, "共包汽车 2 辆,运送 3 人次"));
    free(out);
    harness_free(h);
}

static void test_csv(void **state)
{
    (void)state;
    harness *h = campaign();
    char *out = report(h, "--format", "csv", NULL, NULL);
    assert_memory_equal(out, "\xEF\xBB\xBF\"项目\",\"内容\",\"数值1\",\"数值2\"\r\n",
                        strlen("\xEF\xBB\xBF\"项目\",\"内容\",\"数值1\",\"数值2\"\r\n"));
    assert_non_null(strstr(out, "\"10(A)\",\"送温暖活动期间共帮助农民工平安返乡 3 人次;\",\"3\",\"\"\r\n"));
    assert_non_null(strstr(out, "\"10(D)\",\"共包汽车 1 辆,运送 2 人次;\",\"1\",\"2\"\r\n"));
    assert_non_null(strstr(out, "\"10(G)\",\"帮助农民工购买车(船)票 1 张。\",\"1\",\"\"\r\n"));
    assert_non_null(
        strstr(out, "\"11(A)\",\"经过与用人单位协商,为农民工返乡争取经济补贴 0.01 万元。\",\"0.01\",\"\"\r\n"));
    size_t lines = 0;
    for (const char *p = out; (p = strstr(p, "\r\n")) != NULL; p += 2)
        lines++;
    assert_int_equal(lines, 9); /* header + 8 line items */
    free(out);
    harness_free(h);
}

static void test_xlsx(void **state)
{
    (void)state;
    harness *h = campaign();
    char path[512];
    int code = -1;
    char *out = NULL, *err = NULL;
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "report", "--format", "xlsx", NULL), 2);
    assert_non_null(strstr(err, "--out")); /* xlsx needs a file */
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/form.xlsx", harness_dir(h));
    free(report(h, "--format", "xlsx", "--out", path));
    char *rows = harness_xlsx_dump(h, path);
    assert_non_null(rows);
    assert_non_null(strstr(rows, "送温暖工程统计表\n"));
    assert_non_null(strstr(rows, "填报单位: 成都市总工会"));
    assert_non_null(strstr(rows, "填报人: 王芳"));
    assert_non_null(strstr(rows, "联系电话: 028-12345678"));
    assert_non_null(strstr(rows, "年"));
    assert_non_null(strstr(rows, "\n10、(A) 送温暖活动期间共帮助农民工平安返乡 3 人次;\n"));
    assert_non_null(strstr(rows, "\n(B) 共包专列 0 列,运送 0 人次;\n"));
    assert_non_null(strstr(rows, "\n(D) 共包汽车 1 辆,运送 2 人次;\n"));
    assert_non_null(strstr(rows, "\n(G) 帮助农民工购买车(船)票 1 张。\n"));
    assert_non_null(strstr(rows, "\n11、(A) 经过与用人单位协商,为农民工返乡争取经济补贴 0.01 万元。\n"));
    assert_non_null(strstr(rows, "职工均包括农民工"));
    free(rows);
    harness_free(h);
}

static void test_api_equals_cli(void **state)
{
    (void)state;
    harness *h = campaign();
    char reporter[HARNESS_TOKEN_MAX], station[HARNESS_TOKEN_MAX];
    assert_int_equal(harness_add_user(h, "rep", "reporter", NULL, reporter), 0);
    assert_int_equal(harness_add_user(h, "gate", "station", "成都东站", station), 0);
    char *out = report(h, "--format", "json", NULL, NULL);
    json_t *cli = harness_json(out);
    free(out);
    assert_non_null(cli);
    assert_int_equal(harness_start_server(h, NULL), 0);
    int status = 0;
    char *body = NULL;
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/item10", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    json_t *api = harness_json(body);
    free(body);
    assert_non_null(api);
    assert_non_null(json_object_get(api, "generated_at"));
    json_object_del(api, "generated_at");
    json_object_del(cli, "generated_at");
    assert_true(json_equal(api, cli));
    json_decref(api);
    json_decref(cli);

    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/item10?format=csv", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    assert_non_null(strstr(body, "\"10(D)\",\"共包汽车 1 辆,运送 2 人次;\",\"1\",\"2\""));
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/item10?format=xml", reporter, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 400);
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/item10", station, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 403);
    assert_true(harness_is_envelope(body, NULL));
    free(body);
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/item10", NULL, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 401);
    free(body);
    harness_free(h);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_text_wording),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_api_equals_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
