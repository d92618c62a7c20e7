/* test_lifecycle_api.c - the lifecycle timer, the departed freeze and standby seating against a real daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "harness.h"
#include "lifecycle.h"

/*
 * The campaign (2026-12-22..2027-02-16), every bus leaving 成都东站 unless said otherwise:
 *
 *   BUS-A  4 seats, 2027-01-20 08:00, stop 511923, confirmed: P00-P03 hold tickets (seeded by SQL)
 *   BUS-S  5 seats, 2027-01-20 09:00, stop 511900, confirmed: P04, P05 hold tickets -> 3 free
 *   BUS-C  5 seats, 2027-01-20 10:00, stop 511900, confirmed: P10, P11 hold tickets -> 3 free (concurrency)
 *   BUS-P  4 seats, 2027-01-20 11:00, stop 511900, planned (never opened by the timer)
 *   BUS-L  4 seats, 2027-02-15 08:00, stop 511900, confirmed, departs weeks later: not opened yet
 *   BUS-N  4 seats, 2027-01-20 12:00, 成都北站, stop 511900, confirmed
 *
 * P00-P35 go to 511923 (平昌县) with no window; P36 to 110101 (北京, nothing covers it); P37 to 511923 but
 * only 2027-02-01..02-05. The settings are set from the clock so that the 2027-01-20 departures are inside
 * both windows (boarding and standby open) and BUS-L is not.
 */
#define NPEOPLE 38

static const char TRANSPORTS_CSV[] = "编号,类型,车次,座位数,出发时间,出发站,经停,费用,状态\n"
                                     "BUS-A,汽车,川A·10001,4,2027-01-20 08:00,成都东站,511923,800,已确认\n"
                                     "BUS-S,汽车,川A·10002,5,2027-01-20 09:00,成都东站,511900,800,已确认\n"
                                     "BUS-C,汽车,川A·10003,5,2027-01-20 10:00,成都东站,511900,800,已确认\n"
                                     "BUS-P,汽车,川A·10004,4,2027-01-20 11:00,成都东站,511900,800,计划\n"
                                     "BUS-L,汽车,川A·10005,4,2027-02-15 08:00,成都东站,511900,800,已确认\n"
                                     "BUS-N,汽车,川A·10006,4,2027-01-20 12:00,成都北站,511900,800,已确认\n";

typedef struct fixture {
    harness *h;
    char admin[HARNESS_TOKEN_MAX], east[HARNESS_TOKEN_MAX], north[HARNESS_TOKEN_MAX];
} fixture;

/* ------------------------------------------------------------------ helpers */

static char gb11643_check(const char *d17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char c[] = "10X98765432";
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (d17[i] - '0') * w[i];
    return c[s % 11];
}

static void id_of(int i, char out[19])
{
    snprintf(out, 19, "51192319900101%03d", (101 + i) % 1000);
    out[17] = gb11643_check(out);
    out[18] = '\0';
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void cli(harness *h, const char *const *args)
{
    int code = -1;
    char *out = NULL, *err = NULL;
    harness_run_argv(h, true, args, &code, &out, &err);
    if (code != 0)
        fprintf(stderr, "homeward %s exited %d: %.2000s\n", args[0], code, err ? err : "");
    free(out);
    free(err);
    assert_int_equal(code, 0);
}
#define CLI(h, ...) cli((h), (const char *const[]){__VA_ARGS__, NULL})

static long sql_long(harness *h, const char *fmt, ...)
{
    char sql[2048], out[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    assert_int_equal(harness_sql_text(h, sql, out, sizeof out), 0);
    return strtol(out, NULL, 10);
}

static void sql_str(harness *h, char *out, size_t n, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    assert_int_equal(harness_sql_text(h, sql, out, n), 0);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Minutes from now until `when` (RFC 3339). */
static long minutes_until(const char *when)
{
    time_t t = 0;
    assert_int_equal(lifecycle_parse_time(when, &t, NULL), 0);
    return (long)((t - time(NULL)) / 60);
}

/* Seed a live ticket for person `p` on transport `ref` at `seat` (what an allocation would have issued). */
static void seed_ticket(harness *h, int p, const char *ref, int seat)
{
    char out[8];
    sql_str(h, out, sizeof out,
            "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, "
            "issued_at, updated_at) SELECT t.campaign_id, printf('T%%02dSEED%%03d', %d, %d), r.id, t.id, %d, "
            "printf('%%02d号', %d), '511923', '2026-11-28T00:00:00+08:00', '2026-11-28T00:00:00+08:00' FROM "
            "transports t, registrations r WHERE t.ref = '%s' AND r.ref = 'P%02d'",
            p, seat, seat, seat + 1, ref, p);
}

/* The settings that put the 2027-01-20 departures inside both windows and BUS-L outside. */
static void open_settings(harness *h)
{
    long m = minutes_until("2027-01-20T12:00:00+08:00") + 24 * 60;
    assert_true(m + 24 * 60 < minutes_until("2027-02-15T08:00:00+08:00"));
    char out[8];
    sql_str(h, out, sizeof out,
            "UPDATE settings SET value = '%ld' WHERE key IN ('boarding_opens_minutes', "
            "'no_show_cutoff_minutes')",
            m);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char csv[8192], path[512];
    assert_non_null(f);
    f->h = harness_new();
    assert_non_null(f->h);
    CLI(f->h, "init", "--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign", "2027年平安返乡", "--from",
        "2026-12-22", "--to", "2027-02-16");
    size_t len = (size_t)snprintf(csv, sizeof csv,
                                  "编号,姓名,身份证号,手机号,工作单位,目的地,最早出发,最晚出发,同行组,类别,农民工\n");
    for (int i = 0; i < NPEOPLE; i++) {
        char id[19];
        id_of(i, id);
        len += (size_t)snprintf(csv + len, sizeof csv - len, "P%02d,测试%02d,%s,1388000%04d,成都某厂,%s,%s,%s,,,是\n",
                                i, i, id, 1000 + i, i == 36 ? "110101" : "511923", i == 37 ? "2027-02-01" : "",
                                i == 37 ? "2027-02-05" : "");
    }
    snprintf(path, sizeof path, "%s/reg.csv", harness_dir(f->h));
    write_text(path, csv);
    CLI(f->h, "import", "registrations", path);
    snprintf(path, sizeof path, "%s/tr.csv", harness_dir(f->h));
    write_text(path, TRANSPORTS_CSV);
    CLI(f->h, "import", "transports", path);
    for (int i = 0; i < 4; i++)
        seed_ticket(f->h, i, "BUS-A", i);
    seed_ticket(f->h, 4, "BUS-S", 0);
    seed_ticket(f->h, 5, "BUS-S", 1);
    seed_ticket(f->h, 10, "BUS-C", 0);
    seed_ticket(f->h, 11, "BUS-C", 1);
    assert_int_equal(harness_add_user(f->h, "boss", "admin", NULL, f->admin), 0);
    assert_int_equal(harness_add_user(f->h, "east", "station", "成都东站", f->east), 0);
    assert_int_equal(harness_add_user(f->h, "north", "station", "成都北站", f->north), 0);
    setenv("HOMEWARD_LIFECYCLE_MS", "200", 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    harness_free(f->h);
    free(f);
    return 0;
}

/* Wait (at most 5 s) until `sql` answers `want`. */
static bool wait_sql(harness *h, const char *sql, const char *want)
{
    char out[64];
    for (int i = 0; i < 100; i++) {
        assert_int_equal(harness_sql_text(h, sql, out, sizeof out), 0);
        if (strcmp(out, want) == 0)
            return true;
        sleep_ms(50);
    }
    fprintf(stderr, "%s: %s, want %s\n", sql, out, want);
    return false;
}

static json_t *call(harness *h, const char *method, const char *path, const char *token, const char *body, int want)
{
    int status = 0;
    char *resp = NULL;
    assert_int_equal(harness_http(h, method, path, token, body, body ? strlen(body) : 0, &status, &resp), 0);
    if (status != want)
        fprintf(stderr, "%s %s: status %d, want %d: %.1000s\n", method, path, status, want, resp ? resp : "");
    assert_int_equal(status, want);
    json_t *doc = harness_json(resp);
    free(resp);
    assert_non_null(doc);
    return doc;
}

static void expect_code(harness *h, const char *path, const char *token, const char *body, int want, const char *code)
{
    int status = 0;
    char *resp = NULL;
    assert_int_equal(harness_http(h, "POST", path, token, body, strlen(body), &status, &resp), 0);
    if (status != want)
        fprintf(stderr, "POST %s %s: status %d, want %d: %.1000s\n", path, body, status, want, resp ? resp : "");
    assert_int_equal(status, want);
    assert_true(harness_is_envelope(resp, code));
    free(resp);
}

static long reg_id(harness *h, int p)
{
    return sql_long(h, "SELECT id FROM registrations WHERE ref = 'P%02d'", p);
}

static void standby_body(harness *h, int p, char *buf, size_t n)
{
    snprintf(buf, n, "{\"registration\": %ld}", reg_id(h, p));
}

static long live_on(harness *h, const char *ref)
{
    return sql_long(h,
                    "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE t.ref = '%s' "
                    "AND k.status IN ('issued', 'boarded')",
                    ref);
}

/* ------------------------------------------------------------------ tests */

static void test_auto_open_survives_restart(void **state)
{
    fixture *f = *state;
    harness *h = f->h;
    /* default settings (120 minutes): nothing opens weeks ahead */
    assert_int_equal(harness_start_server(h, NULL), 0);
    sleep_ms(600);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM transports WHERE status = 'boarding'"), 0);
    assert_int_equal(harness_stop_server(h, 15, NULL, NULL), 0);

    open_settings(h);
    assert_int_equal(harness_start_server(h, NULL), 0);
    assert_true(wait_sql(h, "SELECT status FROM transports WHERE ref = 'BUS-A'", "boarding"));
    assert_true(wait_sql(h, "SELECT standby_opened_at IS NOT NULL FROM transports WHERE ref = 'BUS-S'", "1"));
    char opened[40], again[40];
    sql_str(h, opened, sizeof opened, "SELECT boarding_opened_at FROM transports WHERE ref = 'BUS-A'");
    assert_true(strlen(opened) >= 19);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM transports WHERE status = 'boarding'"), 4); /* A S C N */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM transports WHERE ref = 'BUS-P' AND status = 'planned'"), 1);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM transports WHERE ref = 'BUS-L' AND status = 'confirmed' AND "
                                 "boarding_opened_at IS NULL AND standby_opened_at IS NULL"),
                     1);
    assert_int_equal(harness_stop_server(h, 15, NULL, NULL), 0);

    /* the state lives in the database: a restart keeps it and does not open anything twice */
    assert_int_equal(harness_start_server(h, NULL), 0);
    sleep_ms(600);
    sql_str(h, again, sizeof again, "SELECT boarding_opened_at FROM transports WHERE ref = 'BUS-A'");
    assert_string_equal(opened, again);
    json_t *tr = call(h, "GET", "/api/v1/transports/BUS-A", f->admin, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(tr, "status")), "boarding");
    json_decref(tr);
    assert_int_equal(harness_stop_server(h, 15, NULL, NULL), 0);
}

static void test_departed_marks_no_show(void **state)
{
    fixture *f = *state;
    harness *h = f->h;
    open_settings(h);
    assert_int_equal(harness_start_server(h, NULL), 0);
    assert_true(wait_sql(h, "SELECT status FROM transports WHERE ref = 'BUS-A'", "boarding"));
    char out[8];
    sql_str(h, out, sizeof out,
            "UPDATE tickets SET status = 'boarded', boarded_at = '2027-01-20T07:30:00+08:00' "
            "WHERE code = 'T00SEED000'");
    json_t *tr = call(h, "POST", "/api/v1/transports/BUS-A/status", f->admin, "{\"status\": \"departed\"}", 200);
    assert_string_equal(json_string_value(json_object_get(tr, "status")), "departed");
    json_decref(tr);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM transports WHERE ref = 'BUS-A' AND departed_at IS NOT NULL"), 1);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets WHERE code LIKE 'T0_SEED%%' AND status = 'no_show'"), 3);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets WHERE code = 'T00SEED000' AND status = 'boarded'"), 1);

    json_t *m = call(h, "GET", "/api/v1/transports/BUS-A/manifest", f->east, NULL, 200);
    json_t *counts = json_object_get(m, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "boarded")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "no_show")), 3);
    assert_int_equal(json_integer_value(json_object_get(counts, "issued")), 0);
    json_decref(m);
    /* frozen: no standby on a departed transport, and it cannot go back to boarding */
    char body[64];
    standby_body(h, 20, body, sizeof body);
    expect_code(h, "/api/v1/transports/BUS-A/standby", f->east, body, 409, "not_open");
    expect_code(h, "/api/v1/transports/BUS-A/status", f->admin, "{\"status\": \"boarding\"}", 409, "bad_transition");
    assert_int_equal(live_on(h, "BUS-A"), 1);
    assert_int_equal(harness_stop_server(h, 15, NULL, NULL), 0);
}

static void test_standby_rules(void **state)
{
    fixture *f = *state;
    harness *h = f->h;
    char body[128];
    /* before the windows open: not_open */
    assert_int_equal(harness_start_server(h, NULL), 0);
    standby_body(h, 6, body, sizeof body);
    expect_code(h, "/api/v1/transports/BUS-S/standby", f->east, body, 409, "not_open");
    assert_int_equal(harness_stop_server(h, 15, NULL, NULL), 0);

    open_settings(h);
    assert_int_equal(harness_start_server(h, NULL), 0);
    assert_true(wait_sql(h, "SELECT status FROM transports WHERE ref = 'BUS-S'", "boarding"));
    json_t *m = call(h, "GET", "/api/v1/transports/BUS-S/manifest", f->east, NULL, 200);
    json_t *counts = json_object_get(m, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "free")), 3);
    /* P06-P09, P12-P35: 28 people fit without a live ticket (P36 not covered, P37 outside the window) */
    assert_int_equal(json_integer_value(json_object_get(counts, "standby")), 28);
    json_decref(m);

    json_t *t = call(h, "POST", "/api/v1/transports/BUS-S/standby", f->east, body, 201);
    assert_true(json_is_true(json_object_get(t, "standby")));
    assert_int_equal(
        sql_long(h, "SELECT standby FROM tickets WHERE code = '%s'", json_string_value(json_object_get(t, "code"))), 1);
    assert_string_equal(json_string_value(json_object_get(t, "seat")), "03号");
    json_decref(t);
    expect_code(h, "/api/v1/transports/BUS-S/standby", f->east, body, 409, "has_ticket");

    standby_body(h, 36, body, sizeof body);
    expect_code(h, "/api/v1/transports/BUS-S/standby", f->east, body, 409, "not_fit");
    standby_body(h, 37, body, sizeof body);
    expect_code(h, "/api/v1/transports/BUS-S/standby", f->east, body, 409, "not_fit");
    standby_body(h, 7, body, sizeof body);
    expect_code(h, "/api/v1/transports/BUS-S/standby", f->north, body, 403, "other_station");
    expect_code(h, "/api/v1/transports/BUS-P/standby", f->east, body, 409, "not_open");
    expect_code(h, "/api/v1/transports/BUS-S/standby", f->east, "{}", 400, NULL);

    char id[19];
    id_of(7, id);
    snprintf(body, sizeof body, "{\"id_number\": \"%s\"}", id);
    t = call(h, "POST", "/api/v1/transports/BUS-S/standby", f->east, body, 201);
    const char *masked = json_string_value(json_object_get(json_object_get(t, "passenger"), "id_number"));
    assert_non_null(masked);
    assert_non_null(strstr(masked, "****"));
    assert_null(strstr(masked, id + 6)); /* masked, never the full number */
    json_decref(t);
    standby_body(h, 8, body, sizeof body);
    json_decref(call(h, "POST", "/api/v1/transports/BUS-S/standby", f->admin, body, 201));
    standby_body(h, 9, body, sizeof body);
    expect_code(h, "/api/v1/transports/BUS-S/standby", f->east, body, 409, "full");
    assert_int_equal(live_on(h, "BUS-S"), 5);
    assert_int_equal(harness_stop_server(h, 15, NULL, NULL), 0);
}

typedef struct racer {
    harness *h;
    const char *token;
    char body[64];
    int status;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    if (harness_http(r->h, "POST", "/api/v1/transports/BUS-C/standby", r->token, r->body, strlen(r->body), &r->status,
                     NULL) != 0)
        r->status = -1;
    return NULL;
}

static void test_standby_concurrent_never_over_capacity(void **state)
{
    fixture *f = *state;
    harness *h = f->h;
    racer r[20];
    pthread_t th[20];
    open_settings(h);
    assert_int_equal(harness_start_server(h, NULL), 0);
    assert_true(wait_sql(h, "SELECT status FROM transports WHERE ref = 'BUS-C'", "boarding"));
    for (int i = 0; i < 20; i++) {
        r[i] = (racer){.h = h, .token = f->east};
        standby_body(h, 12 + i, r[i].body, sizeof r[i].body);
    }
    for (int i = 0; i < 20; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    int ok = 0, full = 0;
    for (int i = 0; i < 20; i++) {
        pthread_join(th[i], NULL);
        ok += r[i].status == 201;
        full += r[i].status == 409;
    }
    assert_int_equal(ok, 3);
    assert_int_equal(full, 17);
    assert_int_equal(live_on(h, "BUS-C"), 5);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE "
                                 "t.ref = 'BUS-C' AND k.standby = 1"),
                     3);
    assert_int_equal(sql_long(h, "SELECT count(DISTINCT seat_index) FROM tickets k JOIN transports t ON t.id = "
                                 "k.transport_id WHERE t.ref = 'BUS-C' AND k.status IN ('issued', 'boarded')"),
                     5);
    assert_int_equal(harness_stop_server(h, 15, NULL, NULL), 0);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_auto_open_survives_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_departed_marks_no_show, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standby_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standby_concurrent_never_over_capacity, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
