/* test_checkins.c - check-in end to end: every status, replay, offline batches, id numbers, stations, annul, search. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "idnumber.h"

#define PEOPLE 8

/* The shared fixture: one campaign, allocated, with BUS-A boarding at 成都东站. Tests run in order. */
typedef struct fixture {
    harness *h;
    char admin[HARNESS_TOKEN_MAX], cd[HARNESS_TOKEN_MAX], my[HARNESS_TOKEN_MAX];
    char ids[PEOPLE][IDNUMBER_LEN + 1];
    char phones[PEOPLE][16];
} fixture;

static fixture fx;

/* Run `homeward --db DB ARGS...` (NULL-terminated array); it must exit 0. */
static void cli(const char *const *args)
{
    int code = -1;
    char *out = NULL, *err = NULL;
    assert_int_equal(harness_run_argv(fx.h, true, args, &code, &out, &err), 0);
    if (code != 0)
        fprintf(stderr, "homeward %s %s: %s\n", args[0], args[1] ? args[1] : "", err ? err : "");
    assert_int_equal(code, 0);
    free(out);
    free(err);
}

static void write_file(const char *name, const char *text, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", harness_dir(fx.h), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Eight people to 平昌县 and three buses: BUS-A and BUS-B from 成都东站, BUS-C from 绵阳站 elsewhere. */
static void write_csvs(char *regs, char *trs, size_t n)
{
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, "编号,姓名,身份证号,手机号,目的地,最早出发,最晚出发\n");
    static const char *const names[PEOPLE] = {"赵德华", "曾红霞", "李小明", "王秀英", "张建国", "刘芳", "陈伟", "杨丽"};
    for (int i = 0; i < PEOPLE; i++) {
        char first17[18];
        snprintf(first17, sizeof first17, "5119231987%02d1%04d", i + 1, 4600 + i);
        snprintf(fx.ids[i], sizeof fx.ids[i], "%s%c", first17, idnumber_check_char(first17));
        snprintf(fx.phones[i], sizeof fx.phones[i], "138%08d", 5550100 + i);
        used +=
            (size_t)snprintf(text + used, sizeof text - used, "R%d,%s,%s,%s,四川省巴中市平昌县,2027-01-20,2027-01-26\n",
                             i, names[i], fx.ids[i], fx.phones[i]);
    }
    write_file("regs.csv", text, regs, n);
    write_file("tr.csv",
               "编号,类型,车次,座位数,出发时间,出发站,经停\n"
               "BUS-A,汽车,川A-0001,4,2027-01-22 08:00,成都东站,四川省巴中市平昌县\n"
               "BUS-B,汽车,川A-0002,4,2027-01-22 09:00,成都东站,四川省巴中市平昌县\n"
               "BUS-C,汽车,川B-0003,4,2027-01-23 09:00,绵阳站,重庆市\n",
               trs, n);
}

static char *request(const char *method, const char *path, const char *token, const char *body, int want)
{
    int status = 0;
    char *text = NULL;
    assert_int_equal(harness_http(fx.h, method, path, token, body, body ? strlen(body) : 0, &status, &text), 0);
    if (status != want)
        fprintf(stderr, "%s %s: expected %d, got %d: %.400s\n", method, path, want, status, text);
    assert_int_equal(status, want);
    return text;
}

static void move(const char *ref, const char *status)
{
    char path[128], body[64];
    snprintf(path, sizeof path, "/api/v1/transports/%s/status", ref);
    snprintf(body, sizeof body, "{\"status\":\"%s\"}", status);
    free(request("POST", path, fx.admin, body, 200));
}

/* A SQL answer as text. */
static void sql(const char *q, char *out, size_t n)
{
    assert_int_equal(harness_sql_text(fx.h, q, out, n), 0);
}

/* The code of the ticket at position `nth` (by seat) on transport `ref`. */
static void ticket_at(const char *ref, int nth, char code[16])
{
    char q[256];
    snprintf(q, sizeof q,
             "SELECT k.code FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE t.ref = '%s' "
             "ORDER BY k.seat_index LIMIT 1 OFFSET %d",
             ref, nth);
    sql(q, code, 16);
    assert_int_equal(strlen(code), 10);
}

/* The index (0..PEOPLE-1) of the person holding ticket `code`. */
static int person_of(const char *code)
{
    char q[256], ref[16];
    snprintf(q, sizeof q,
             "SELECT r.ref FROM tickets k JOIN registrations r ON r.id = k.registration_id WHERE k.code = '%s'", code);
    sql(q, ref, sizeof ref);
    assert_int_equal(ref[0], 'R');
    return atoi(ref + 1);
}

static json_t *post_checkin(const char *token, const char *body, int want)
{
    char *text = request("POST", "/api/v1/checkins", token, body, want);
    json_t *doc = harness_json(text);
    free(text);
    assert_non_null(doc);
    return doc;
}

/* POST one check-in as the 成都东站 user and return the answer's status (the answer itself into *doc if wanted). */
static const char *scan(const char *field, const char *value, const char *transport, const char *event, json_t **doc)
{
    static char status[32];
    char body[512];
    snprintf(body, sizeof body, "{\"%s\":\"%s\",\"transport\":\"%s\",\"device\":\"gate-1\",\"event_id\":\"%s\"}", field,
             value, transport, event);
    json_t *a = post_checkin(fx.cd, body, 200);
    snprintf(status, sizeof status, "%s", json_string_value(json_object_get(a, "status")));
    if (doc != NULL)
        *doc = a;
    else
        json_decref(a);
    return status;
}

static int group_setup(void **state)
{
    (void)state;
    char regs[512], trs[512];
    fx.h = harness_new();
    if (fx.h == NULL)
        return -1;
    const char *init[] = {"init",
                          "--unit-code",
                          "510100",
                          "--unit-name",
                          "成都市总工会",
                          "--campaign",
                          "2027年元旦春节送温暖",
                          "--from",
                          "2026-12-22",
                          "--to",
                          "2027-02-16",
                          NULL};
    cli(init);
    write_csvs(regs, trs, sizeof regs);
    cli((const char *[]){"import", "registrations", regs, NULL});
    cli((const char *[]){"import", "transports", trs, NULL});
    cli((const char *[]){"allocate", NULL});
    assert_int_equal(harness_add_user(fx.h, "boss", "admin", NULL, fx.admin), 0);
    assert_int_equal(harness_add_user(fx.h, "cd-gate", "station", "成都东站", fx.cd), 0);
    assert_int_equal(harness_add_user(fx.h, "my-gate", "station", "绵阳站", fx.my), 0);
    assert_int_equal(harness_start_server(fx.h, NULL), 0);
    move("BUS-A", "confirmed");
    move("BUS-A", "boarding");
    move("BUS-B", "confirmed");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_free(fx.h);
    return 0;
}

static void test_ok_and_replay(void **state)
{
    (void)state;
    char code[16], body[512], before[64], after[64], count[16];
    ticket_at("BUS-A", 0, code);
    int who = person_of(code);
    snprintf(body, sizeof body,
             "{\"ticket\":\"%.4s-%.4s-%.2s\",\"transport\":\"BUS-A\",\"device\":\"gate-1\","
             "\"event_id\":\"ev-ok-1 \\\"q\\\" \\\\ \\t \\u001f /引\","
             "\"at\":\"2027-01-22T07:10:00+08:00\"}",
             code, code + 4, code + 8); /* typed with hyphens */
    char *first = request("POST", "/api/v1/checkins", fx.cd, body, 200);
    json_t *a = harness_json(first);
    assert_string_equal(json_string_value(json_object_get(a, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(a, "ticket")), code);
    assert_string_equal(json_string_value(json_object_get(a, "transport")), "BUS-A");
    assert_string_equal(json_string_value(json_object_get(a, "event_id")), "ev-ok-1 \"q\" \\ \t \037 /引");
    char *canonical = json_dumps(a, JSON_COMPACT); /* the ok answer is written without jansson: same text */
    assert_string_equal(first, canonical);
    free(canonical);
    assert_string_equal(json_string_value(json_object_get(a, "at")), "2027-01-22T07:10:00+08:00");
    assert_non_null(json_string_value(json_object_get(a, "seat")));
    assert_non_null(json_string_value(json_object_get(a, "name")));
    const char *masked = json_string_value(json_object_get(a, "id_number"));
    assert_non_null(strstr(masked, "**********"));
    assert_null(strstr(first, fx.ids[who]));
    json_decref(a);

    snprintf(before, sizeof before, "%s", "");
    sql("SELECT boarded_at || '|' || boarded_checkin FROM tickets WHERE status = 'boarded'", before, sizeof before);
    char *again = request("POST", "/api/v1/checkins", fx.cd, body, 200);
    assert_string_equal(again, first); /* the identical answer */
    sql("SELECT boarded_at || '|' || boarded_checkin FROM tickets WHERE status = 'boarded'", after, sizeof after);
    assert_string_equal(before, after);
    sql("SELECT count(*) FROM checkins", count, sizeof count);
    assert_string_equal(count, "1");
    free(first);
    free(again);

    json_t *dup = NULL;
    assert_string_equal(scan("ticket", code, "BUS-A", "ev-ok-2", &dup), "already_boarded");
    assert_string_equal(json_string_value(json_object_get(dup, "device")), "gate-1");
    assert_string_equal(json_string_value(json_object_get(dup, "boarded_at")), "2027-01-22T07:10:00+08:00");
    json_decref(dup);
}

static void test_other_statuses(void **state)
{
    (void)state;
    char b0[16];
    json_t *a = NULL;
    ticket_at("BUS-B", 0, b0);
    assert_string_equal(scan("ticket", b0, "BUS-A", "ev-wrong", &a), "wrong_transport");
    json_t *right = json_object_get(a, "right");
    assert_string_equal(json_string_value(json_object_get(right, "ref")), "BUS-B");
    assert_string_equal(json_string_value(json_object_get(right, "label")), "川A-0002");
    assert_string_equal(json_string_value(json_object_get(right, "origin")), "成都东站");
    assert_non_null(json_string_value(json_object_get(right, "depart_at")));
    json_decref(a);
    assert_string_equal(scan("ticket", b0, "BUS-B", "ev-notopen", &a), "not_open");
    assert_non_null(strstr(json_string_value(json_object_get(a, "message")), "("));
    json_decref(a);
    assert_string_equal(scan("ticket", "0000000000", "BUS-A", "ev-unknown-1", NULL), "unknown");
    assert_string_equal(scan("ticket", "not a code", "BUS-A", "ev-unknown-2", NULL), "unknown");
    assert_string_equal(scan("id_number", "110101199003077777", "BUS-A", "ev-unknown-3", NULL), "unknown");
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"ticket\":\"X\",\"transport\":\"BUS-A\",\"device\":\"d\"}",
        "{\"ticket\":\"X\",\"transport\":\"BUS-A\",\"event_id\":\"e\"}",
        "{\"ticket\":\"X\",\"device\":\"d\",\"event_id\":\"e\"}",
        "{\"transport\":\"BUS-A\",\"device\":\"d\",\"event_id\":\"e\"}",
        "{\"ticket\":\"X\",\"transport\":\"BUS-A\",\"device\":\"d\",\"event_id\":\"e\",\"at\":\"soon\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text = request("POST", "/api/v1/checkins", fx.cd, bad[i], 400);
        assert_true(harness_is_envelope(text, "invalid"));
        free(text);
    }
    free(request("POST", "/api/v1/checkins/batch", fx.cd, "{\"events\":[]}", 400));
    size_t cap = 1001 * 8 + 32, used = 0;
    char *many = malloc(cap);
    assert_non_null(many);
    used += (size_t)snprintf(many + used, cap - used, "{\"events\":[");
    for (int i = 0; i < 1001; i++)
        used += (size_t)snprintf(many + used, cap - used, "%s{}", i > 0 ? "," : "");
    snprintf(many + used, cap - used, "]}");
    free(request("POST", "/api/v1/checkins/batch", fx.cd, many, 400)); /* at most 1000 */
    free(many);
    free(request("POST", "/api/v1/checkins", fx.cd,
                 "{\"ticket\":\"X\",\"transport\":\"NOPE\",\"device\":\"d\","
                 "\"event_id\":\"e-nope\"}",
                 404));
}

static void test_offline_batch_earliest_wins(void **state)
{
    (void)state;
    char a1[16], body[1024];
    ticket_at("BUS-A", 1, a1);
    snprintf(body, sizeof body,
             "{\"events\":[{\"ticket\":\"%s\",\"transport\":\"BUS-A\",\"device\":\"phone-2\",\"event_id\":\"b-2\","
             "\"at\":\"2027-01-22T07:05:00+08:00\"},{\"ticket\":\"%s\",\"transport\":\"BUS-A\",\"device\":\"phone-1\","
             "\"event_id\":\"b-1\",\"at\":\"2027-01-21T23:01:00Z\"}]}",
             a1, a1);
    char *text = request("POST", "/api/v1/checkins/batch", fx.cd, body, 200);
    json_t *doc = harness_json(text);
    json_t *results = json_object_get(doc, "results");
    assert_int_equal(json_array_size(results), 2);
    json_t *late = json_array_get(results, 0), *early = json_array_get(results, 1);
    assert_string_equal(json_string_value(json_object_get(early, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(late, "status")), "already_boarded");
    assert_string_equal(json_string_value(json_object_get(late, "device")), "phone-1");
    json_decref(doc);
    char *again = request("POST", "/api/v1/checkins/batch", fx.cd, body, 200);
    assert_string_equal(again, text);
    free(again);
    free(text);

    /* a third phone uploads later, but its scan was the earliest: it becomes the boarding of record */
    snprintf(body, sizeof body,
             "{\"events\":[{\"ticket\":\"%s\",\"transport\":\"BUS-A\",\"device\":\"phone-0\",\"event_id\":\"b-0\","
             "\"at\":\"2027-01-22T06:30:00+08:00\"}]}",
             a1);
    text = request("POST", "/api/v1/checkins/batch", fx.cd, body, 200);
    assert_non_null(strstr(text, "\"status\":\"ok\""));
    free(text);
    char q[160], at[64];
    snprintf(q, sizeof q,
             "SELECT k.boarded_at || ' ' || c.device FROM tickets k JOIN checkins c ON c.id = k.boarded_checkin "
             "WHERE k.code = '%s'",
             a1);
    sql(q, at, sizeof at);
    assert_string_equal(at, "2027-01-22T06:30:00+08:00 phone-0");
    json_t *later = NULL;
    assert_string_equal(scan("ticket", a1, "BUS-A", "b-3", &later), "already_boarded");
    assert_string_equal(json_string_value(json_object_get(later, "device")), "phone-0");
    json_decref(later);
}

static void test_by_id_number(void **state)
{
    (void)state;
    char a2[16], b1[16], status[16], q[128];
    json_t *a = NULL;
    ticket_at("BUS-A", 2, a2);
    ticket_at("BUS-B", 1, b1);
    assert_string_equal(scan("id_number", fx.ids[person_of(b1)], "BUS-A", "id-wrong", &a), "wrong_transport");
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "right"), "ref")), "BUS-B");
    json_decref(a);
    char lower[IDNUMBER_LEN + 1];
    snprintf(lower, sizeof lower, "%s", fx.ids[person_of(a2)]);
    assert_string_equal(scan("id_number", lower, "BUS-A", "id-ok", &a), "ok");
    assert_string_equal(json_string_value(json_object_get(a, "ticket")), a2);
    json_decref(a);
    snprintf(q, sizeof q, "SELECT status FROM tickets WHERE code = '%s'", a2);
    sql(q, status, sizeof status);
    assert_string_equal(status, "boarded");
}

static void test_station_scope(void **state)
{
    (void)state;
    char a3[16], body[512];
    ticket_at("BUS-A", 3, a3);
    snprintf(body, sizeof body, "{\"ticket\":\"%s\",\"transport\":\"BUS-A\",\"device\":\"d\",\"event_id\":\"far-1\"}",
             a3);
    char *text = request("POST", "/api/v1/checkins", fx.my, body, 403);
    assert_true(harness_is_envelope(text, "other_station"));
    free(text);
    snprintf(body, sizeof body,
             "{\"events\":[{\"ticket\":\"%s\",\"transport\":\"BUS-A\",\"device\":\"d\","
             "\"event_id\":\"far-2\"}]}",
             a3);
    free(request("POST", "/api/v1/checkins/batch", fx.my, body, 403));
    free(request("GET", "/api/v1/checkins/search?transport=BUS-A&q=%E8%B5%B5", fx.my, NULL, 403));
    snprintf(body, sizeof body, "{\"ticket\":\"%s\",\"transport\":\"BUS-C\",\"device\":\"d\",\"event_id\":\"far-3\"}",
             a3);
    free(request("POST", "/api/v1/checkins", fx.cd, body, 403));
    free(request("POST", "/api/v1/checkins/id-ok/annul", fx.my, "{\"reason\":\"x\"}", 403));
    char count[16];
    sql("SELECT count(*) FROM checkins WHERE event_id LIKE 'far-%'", count, sizeof count);
    assert_string_equal(count, "0");
}

static void test_annul_then_reboard(void **state)
{
    (void)state;
    char a2[16], q[160], status[16], audit[16];
    ticket_at("BUS-A", 2, a2);
    free(request("POST", "/api/v1/checkins/id-ok/annul", fx.cd, "{}", 400));
    free(request("POST", "/api/v1/checkins/no-such/annul", fx.cd, "{\"reason\":\"x\"}", 404));
    free(request("POST", "/api/v1/checkins/ev-wrong/annul", fx.cd, "{\"reason\":\"x\"}", 409));
    char *text = request("POST", "/api/v1/checkins/id-ok/annul", fx.cd, "{\"reason\":\"扫错人了\"}", 200);
    assert_non_null(strstr(text, "annulled"));
    free(text);
    snprintf(q, sizeof q, "SELECT status || coalesce(boarded_at, '') FROM tickets WHERE code = '%s'", a2);
    sql(q, status, sizeof status);
    assert_string_equal(status, "issued");
    sql("SELECT count(*) FROM audit WHERE action = 'annul_checkin' AND subject = 'id-ok' AND detail = '扫错人了'",
        audit, sizeof audit);
    assert_string_equal(audit, "1");
    free(request("POST", "/api/v1/checkins/id-ok/annul", fx.cd, "{\"reason\":\"again\"}", 409));
    assert_string_equal(scan("ticket", a2, "BUS-A", "reboard", NULL), "ok");
    sql(q, status, sizeof status);
    assert_int_equal(strncmp(status, "boarded", 7), 0);
}

static void test_search_masked(void **state)
{
    (void)state;
    char a0[16], path[160];
    ticket_at("BUS-A", 0, a0);
    int who = person_of(a0);
    snprintf(path, sizeof path, "/api/v1/checkins/search?transport=BUS-A&q=%s", fx.ids[who] + 14);
    char *text = request("GET", path, fx.cd, NULL, 200);
    assert_non_null(strstr(text, a0));
    assert_null(strstr(text, fx.ids[who]));
    assert_null(strstr(text, fx.phones[who]));
    free(text);
    snprintf(path, sizeof path, "/api/v1/checkins/search?transport=BUS-A&q=%s", fx.phones[who] + 7);
    text = request("GET", path, fx.cd, NULL, 200);
    assert_non_null(strstr(text, a0));
    free(text);
    snprintf(path, sizeof path, "/api/v1/checkins/search?transport=BUS-A&q=%s", a0);
    text = request("GET", path, fx.admin, NULL, 200);
    json_t *doc = harness_json(text);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 1);
    json_decref(doc);
    free(text);
    free(request("GET", "/api/v1/checkins/search?transport=BUS-A", fx.cd, NULL, 400));
}

static void test_closed_and_cancelled(void **state)
{
    (void)state;
    char a3[16], b2[16];
    ticket_at("BUS-A", 3, a3);
    ticket_at("BUS-B", 2, b2);
    move("BUS-A", "departed");
    assert_string_equal(scan("ticket", a3, "BUS-A", "late-1", NULL), "closed");
    free(request("POST", "/api/v1/checkins/reboard/annul", fx.cd, "{\"reason\":\"x\"}", 409));
    move("BUS-B", "cancelled");
    assert_string_equal(scan("ticket", b2, "BUS-B", "late-2", NULL), "cancelled");
}

static void test_device_provisioning(void **state)
{
    (void)state;
    char code[32], token[HARNESS_TOKEN_MAX], body[256], q[256];
    free(request("POST", "/api/v1/devices/codes", fx.cd, "{\"station\":\"成都东站\",\"device\":\"p\"}", 403));
    free(request("POST", "/api/v1/devices/codes", fx.admin, "{\"station\":\"成都东站\"}", 400));
    char *text = request("POST", "/api/v1/devices/codes", fx.admin, "{\"station\":\"成都东站\",\"device\":\"p\"}", 201);
    json_t *doc = harness_json(text);
    snprintf(code, sizeof code, "%s", json_string_value(json_object_get(doc, "code")));
    json_decref(doc);
    free(text);
    assert_int_equal(strlen(code), 10);
    char stored[80];
    sql("SELECT count(*) FROM device_codes WHERE used_at IS NULL AND length(code_hash) = 32", stored, sizeof stored);
    assert_string_equal(stored, "1");
    snprintf(body, sizeof body, "{\"code\":\"%.4s-%.4s-%.2s\",\"device\":\"phone-9\"}", code, code + 4, code + 8);
    text = request("POST", "/api/v1/devices/claim", NULL, body, 201);
    doc = harness_json(text);
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(doc, "token")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "user"), "station")), "成都东站");
    json_decref(doc);
    free(text);
    free(request("POST", "/api/v1/devices/claim", NULL, body, 401)); /* once only */
    free(request("POST", "/api/v1/devices/claim", NULL, "{\"code\":\"0000000000\",\"device\":\"x\"}", 401));
    free(request("GET", "/api/v1/checkins/search?transport=BUS-A&q=R", token, NULL, 200));
    free(request("GET", "/api/v1/checkins/search?transport=BUS-C&q=R", token, NULL, 403));
    snprintf(q, sizeof q,
             "UPDATE users SET revoked_at = '2027-01-01T00:00:00+08:00' WHERE name = 'phone-9@成都东站' "
             "RETURNING id");
    sql(q, stored, sizeof stored);
    free(request("GET", "/api/v1/checkins/search?transport=BUS-A&q=R", token, NULL, 401));
}

static void test_log_has_no_personal_data(void **state)
{
    (void)state;
    int code = -1;
    assert_int_equal(harness_stop_server(fx.h, SIGTERM, &code, NULL), 0);
    assert_int_equal(code, 0); /* a clean exit: under ASan this also means no leaks */
    char *log = harness_server_log(fx.h);
    assert_non_null(log);
    assert_non_null(strstr(log, "/api/v1/checkins"));
    for (int i = 0; i < PEOPLE; i++) {
        assert_null(strstr(log, fx.ids[i]));
        assert_null(strstr(log, fx.phones[i]));
    }
    free(log);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_and_replay),
        cmocka_unit_test(test_other_statuses),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_offline_batch_earliest_wins),
        cmocka_unit_test(test_by_id_number),
        cmocka_unit_test(test_station_scope),
        cmocka_unit_test(test_annul_then_reboard),
        cmocka_unit_test(test_search_masked),
        cmocka_unit_test(test_closed_and_cancelled),
        cmocka_unit_test(test_device_provisioning),
        cmocka_unit_test(test_log_has_no_personal_data),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
