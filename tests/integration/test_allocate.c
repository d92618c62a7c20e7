/* test_allocate.c - `homeward allocate`, allocation jobs, tickets, manifests and their exports on a campaign solved by
 * hand. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "ticketcode.h"

/*
 * The campaign (window 2026-12-22..2027-02-16), solved by hand:
 *
 *   BUS-A  bus, 4 seats, 2027-01-20, 成都东站, stop 511923 (平昌县)
 *   BUS-B  bus, 4 seats, 2027-01-21, 成都北站, stop 511900 (巴中市: covers 平昌县 and 通江县)
 *   BUS-C  bus, 3 seats, 2027-01-25, 成都东站, stop 511700 (达州市)
 *
 *   张家 R01-R03  3 people  511923         王家 R05-R06  2 people  511921 (only BUS-B covers it)
 *   R04 alone, 困难职工 (priority), 511923   陈家 R07-R08  2 people  511923
 *   R09 alone, 511923                       R10 alone, 110101 (北京东城: nothing covers it)
 *   R11 alone, 511923, 2027-02-01..02-05    周家 R12-R15  4 people  511702 (BUS-C has only 3 seats)
 *
 * 王家 must take BUS-B, so 张家 (3) can only sit on BUS-A; the one seat left there goes to the priority
 * person R04, and 陈家 fills BUS-B. Eight people seated, exactly R01-R08: R01-R04 on BUS-A, R05-R08 on
 * BUS-B. Unseated: R09 full (both fitting buses are full), R10 no_cover, R11 no_date, 周家 too_big.
 * Max-flow bound with splitting: 4 + 4 (nine candidates for A and B) + 3 (周家 split on BUS-C) = 11.
 */

typedef struct person {
    const char *ref, *name, *dest, *earliest, *latest, *party, *tags;
} person;

static const person PEOPLE[] = {
    {"R01", "张大山", "511923", "", "", "张家", ""},
    {"R02", "张小红", "511923", "", "", "张家", ""},
    {"R03", "张小明", "511923", "", "", "张家", ""},
    {"R04", "李困难", "511923", "", "", "", "困难职工"},
    {"R05", "王通江", "511921", "", "", "王家", ""},
    {"R06", "王二妹", "511921", "", "", "王家", ""},
    {"R07", "陈平昌", "511923", "", "", "陈家", ""},
    {"R08", "陈二娃", "511923", "", "", "陈家", ""},
    {"R09", "赵满员", "511923", "", "", "", ""},
    {"R10", "钱北京", "110101", "", "", "", ""},
    {"R11", "孙晚行", "511923", "2027-02-01", "2027-02-05", "", ""},
    {"R12", "周大哥", "511702", "", "", "周家", ""},
    {"R13", "周二哥", "511702", "", "", "周家", ""},
    {"R14", "周三妹", "511702", "", "", "周家", ""},
    {"R15", "周四弟", "511702", "", "", "周家", ""},
    /* newcomer of test 2, imported later */
    {"R16", "吴新来", "500101", "", "", "", ""},
};
#define NBASE 15
#define NALL 16

static const char TRANSPORTS_CSV[] = "编号,类型,车次,座位数,出发时间,出发站,经停,费用,状态\n"
                                     "BUS-A,汽车,川A·00001,4,2027-01-20 08:00,成都东站,511923,800,已确认\n"
                                     "BUS-B,汽车,川A·00002,4,2027-01-21 08:00,成都北站,511900,800,已确认\n"
                                     "BUS-C,汽车,川A·00003,3,2027-01-25 08:00,成都东站,511700,600,已确认\n";

static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* ------------------------------------------------------------------ helpers */

/* GB 11643: the check character of 17 digits. */
static char gb11643_check(const char *d17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char c[] = "10X98765432";
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (d17[i] - '0') * w[i];
    return c[s % 11];
}

/* Person i's id number and phone (valid, distinct). */
static void id_of(int i, char out[19])
{
    snprintf(out, 19, "51192319900101%03d", (101 + i) % 1000);
    out[17] = gb11643_check(out);
    out[18] = '\0';
}

static void phone_of(int i, char out[12])
{
    snprintf(out, 12, "1388000%04d", 1000 + i);
}

/* The masked form DESIGN §6 prescribes: 5119**********123X. */
static void masked_of(int i, char out[19])
{
    char id[19];
    id_of(i, id);
    snprintf(out, 19, "%.4s**********%.4s", id, id + 14);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* Run the CLI with a NULL-terminated argument array; assert its exit code; return stdout (caller frees). */
static char *cli_argv(harness *h, int want, const char *const *args)
{
    int code = -1;
    char *out = NULL, *err = NULL;
    harness_run_argv(h, true, args, &code, &out, &err);
    if (code != want)
        fprintf(stderr, "homeward %s exited %d, want %d\nstdout: %.2000s\nstderr: %.2000s\n", args[0], code, want,
                out ? out : "", err ? err : "");
    free(err);
    assert_int_equal(code, want);
    assert_non_null(out);
    return out;
}
#define CLI(h, want, ...) cli_argv((h), (want), (const char *const[]){__VA_ARGS__, NULL})

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

/* Registrations [from, to) of PEOPLE as a CSV file in the temp dir; returns its path in `path`. */
static void write_registrations(harness *h, int from, int to, char *path, size_t n)
{
    static char csv[8192];
    size_t len = (size_t)snprintf(csv, sizeof csv,
                                  "编号,姓名,身份证号,手机号,工作单位,目的地,最早出发,最晚出发,同行组,类别,农民工\n");
    for (int i = from; i < to; i++) {
        const person *p = &PEOPLE[i];
        char id[19], phone[12];
        id_of(i, id);
        phone_of(i, phone);
        len += (size_t)snprintf(csv + len, sizeof csv - len, "%s,%s,%s,%s,成都某电子厂,%s,%s,%s,%s,%s,是\n", p->ref,
                                p->name, id, phone, p->dest, p->earliest, p->latest, p->party, p->tags);
    }
    snprintf(path, n, "%s/reg-%d-%d.csv", harness_dir(h), from, to);
    write_text(path, csv);
}

static void import_text(harness *h, const char *kind, const char *name, const char *csv)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", harness_dir(h), name);
    write_text(path, csv);
    free(CLI(h, 0, "import", kind, path));
}

/* A fresh database: the campaign, the 15 people and the three buses. Nothing allocated yet. */
static harness *base_campaign(void)
{
    harness *h = harness_new();
    char path[512];
    assert_non_null(h);
    free(CLI(h, 0, "init", "--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign", "2027年平安返乡",
             "--from", "2026-12-22", "--to", "2027-02-16"));
    write_registrations(h, 0, NBASE, path, sizeof path);
    free(CLI(h, 0, "import", "registrations", path));
    import_text(h, "transports", "transports.csv", TRANSPORTS_CSV);
    return h;
}

/* `homeward allocate --format json [--dry-run]`: stdout must be exactly one JSON document. */
static json_t *allocate_json(harness *h, bool dry_run)
{
    char *out =
        dry_run ? CLI(h, 0, "allocate", "--format", "json", "--dry-run") : CLI(h, 0, "allocate", "--format", "json");
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr); /* rejects anything after the first document */
    if (doc == NULL)
        fprintf(stderr, "allocate stdout is not one JSON document (%s): %.1000s\n", jerr.text, out);
    free(out);
    assert_non_null(doc);
    assert_true(json_is_object(doc));
    return doc;
}

static json_int_t num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fprintf(stderr, "no integer \"%s\" in %s\n", key, json_dumps(o, JSON_COMPACT));
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s == NULL)
        fprintf(stderr, "no string \"%s\" in %s\n", key, json_dumps(o, JSON_COMPACT));
    assert_non_null(s);
    return s;
}

/* Every registration holding an issued ticket on `ref`, as "R01,R02,..." (ordered by ref). */
static void holders(harness *h, const char *ref, char *out, size_t n)
{
    sql_str(h, out, n,
            "SELECT group_concat(ref, ',') FROM (SELECT r.ref FROM tickets k JOIN registrations r ON r.id = "
            "k.registration_id JOIN transports t ON t.id = k.transport_id WHERE k.status = 'issued' AND t.ref = '%s' "
            "ORDER BY r.ref)",
            ref);
}

/* The invariants every allocated database keeps (DESIGN §3 (2), (5); schema tickets). */
static void assert_ticket_invariants(harness *h)
{
    /* nobody holds two live tickets */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM (SELECT registration_id FROM tickets WHERE status IN ('issued', "
                                 "'boarded') GROUP BY registration_id HAVING count(*) > 1)"),
                     0);
    /* no seat twice per transport, every seat inside the transport */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM (SELECT transport_id, seat_index FROM tickets WHERE status IN "
                                 "('issued', 'boarded') GROUP BY 1, 2 HAVING count(*) > 1)"),
                     0);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE "
                                 "k.seat_index < 0 OR k.seat_index >= t.capacity"),
                     0);
    /* never over capacity */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM transports t WHERE (SELECT count(*) FROM tickets k WHERE "
                                 "k.transport_id = t.id AND k.status IN ('issued', 'boarded')) > t.capacity"),
                     0);
    /* nobody on a cancelled transport keeps a live ticket */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE "
                                 "t.status = 'cancelled' AND k.status = 'issued'"),
                     0);
    /* a party never split, and its members on adjacent seats (contiguous seat indexes) */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM (SELECT r.party FROM tickets k JOIN registrations r ON r.id = "
                                 "k.registration_id WHERE k.status = 'issued' AND coalesce(r.party, '') <> '' GROUP BY "
                                 "r.party HAVING count(DISTINCT k.transport_id) > 1)"),
                     0);
    assert_int_equal(sql_long(h,
                              "SELECT count(*) FROM (SELECT max(k.seat_index) - min(k.seat_index) + 1 AS span, "
                              "count(*) AS n FROM tickets k JOIN registrations r ON r.id = k.registration_id WHERE "
                              "k.status = 'issued' AND coalesce(r.party, '') <> '' GROUP BY r.party, k.transport_id) "
                              "WHERE span <> n"),
                     0);
}

/* "code:transport:seat:registration" of every ticket with id <= max_id, in id order. */
static void ticket_snapshot(harness *h, long max_id, char *out, size_t n)
{
    sql_str(h, out, n,
            "SELECT group_concat(x, ',') FROM (SELECT code || ':' || transport_id || ':' || seat_index || ':' || "
            "registration_id || ':' || status AS x FROM tickets WHERE id <= %ld ORDER BY id)",
            max_id);
}

/* ------------------------------------------------------------------ HTTP helpers */

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

static void expect_error(harness *h, const char *method, const char *path, const char *token, const char *body,
                         int want, const char *code)
{
    int status = 0;
    char *resp = NULL;
    assert_int_equal(harness_http(h, method, path, token, body, body ? strlen(body) : 0, &status, &resp), 0);
    if (status != want)
        fprintf(stderr, "%s %s: status %d, want %d: %.1000s\n", method, path, status, want, resp ? resp : "");
    assert_int_equal(status, want);
    assert_true(harness_is_envelope(resp, code));
    free(resp);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Poll GET `href` until the job leaves "running" (at most 10 s); returns the job document. */
static json_t *wait_job(harness *h, const char *href, const char *token)
{
    double until = harness_now_ms() + 10000;
    for (;;) {
        json_t *job = call(h, "GET", href, token, NULL, 200);
        const char *state = str(job, "state");
        if (strcmp(state, "running") != 0)
            return job;
        assert_true(json_is_integer(json_object_get(job, "percent")));
        json_decref(job);
        assert_true(harness_now_ms() < until);
        sleep_ms(20);
    }
}

/* POST an allocation, wait for it, assert it finished "done"; returns the job's result (caller decrefs). */
static json_t *allocate_http(harness *h, const char *token)
{
    json_t *posted = call(h, "POST", "/api/v1/allocations", token, NULL, 202);
    char href[128];
    snprintf(href, sizeof href, "%s", str(posted, "href"));
    json_decref(posted);
    json_t *job = wait_job(h, href, token);
    if (strcmp(str(job, "state"), "done") != 0)
        fprintf(stderr, "job: %s\n", json_dumps(job, JSON_COMPACT));
    assert_string_equal(str(job, "state"), "done");
    json_t *result = json_incref(json_object_get(job, "result"));
    json_decref(job);
    assert_true(json_is_object(result));
    return result;
}

/* Whether any full id number or phone of people [0, n) appears in `text`; prints which. */
static bool leaks_personal_data(const char *text, int n)
{
    for (int i = 0; i < n; i++) {
        char id[19], phone[12];
        id_of(i, id);
        phone_of(i, phone);
        if (strstr(text, id) != NULL || strstr(text, phone) != NULL) {
            fprintf(stderr, "personal data of %s found in: %.600s\n", PEOPLE[i].ref,
                    strstr(text, id) ? strstr(text, id) : strstr(text, phone));
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------ 1. the hand-solved campaign */

static const json_t *unseated_of(const json_t *report, const char *ref)
{
    const json_t *u;
    size_t i;
    json_array_foreach(json_object_get(report, "unseated"), i, u)
    {
        const char *who = json_string_value(json_object_get(u, "who"));
        if (who != NULL && strncmp(who, ref, strlen(ref)) == 0 && who[strlen(ref)] == ' ')
            return u;
    }
    fprintf(stderr, "%s not among the unseated\n", ref);
    return NULL;
}

static void check_suggestions(const json_t *report)
{
    const json_t *s;
    size_t i;
    long total = 0, n511923 = 0;
    bool saw_511702 = false, saw_110101 = false;
    assert_true(json_array_size(json_object_get(report, "suggestions")) > 0);
    json_array_foreach(json_object_get(report, "suggestions"), i, s)
    {
        const char *kind = str(s, "kind"), *date = str(s, "date");
        const char *code = str(json_object_get(s, "dropoff"), "code");
        json_int_t people = num(s, "people"), vehicles = num(s, "vehicles");
        assert_int_equal(strlen(code), 6);
        assert_int_equal(strlen(date), 10);
        assert_true(strcmp(date, "2026-12-22") >= 0 && strcmp(date, "2027-02-16") <= 0);
        assert_true(people >= 1 && vehicles >= 1);
        total += (long)people;
        if (strcmp(code, "511702") == 0) { /* 周家, 4 people: one bus */
            saw_511702 = true;
            assert_string_equal(kind, "bus");
            assert_int_equal(people, 4);
            assert_int_equal(vehicles, 1);
        } else if (strcmp(code, "110101") == 0) {
            saw_110101 = true;
            assert_int_equal(people, 1);
            assert_int_equal(vehicles, 1);
        } else if (strcmp(code, "511923") == 0) {
            /* R09 (any day) and R11 (02-01..02-05) share one bus on a day inside both windows */
            n511923++;
            assert_string_equal(kind, "bus");
            assert_int_equal(people, 2);
            assert_int_equal(vehicles, 1);
            assert_true(strcmp(date, "2027-02-01") >= 0 && strcmp(date, "2027-02-05") <= 0);
        } else {
            fail_msg("unexpected suggestion to %s", code);
        }
    }
    assert_true(saw_511702 && saw_110101);
    assert_int_equal(n511923, 1);
    assert_int_equal(total, 7); /* every unseated person: R09, R10, R11 and 周家 */
}

static void check_codes(harness *h)
{
    char codes[1024];
    sql_str(h, codes, sizeof codes, "SELECT group_concat(code, ',') FROM tickets");
    int n = 0;
    for (char *p = codes; *p != '\0'; n++) {
        size_t len = strcspn(p, ",");
        assert_int_equal(len, TICKETCODE_LEN);
        for (size_t i = 0; i < len; i++)
            assert_non_null(memchr(CROCKFORD, p[i], sizeof CROCKFORD - 1));
        assert_int_equal(ticketcode_check_char(p), p[9]); /* the last is the check character */
        p += len + (p[len] == ',');
    }
    assert_int_equal(n, 8);
    assert_int_equal(sql_long(h, "SELECT count(DISTINCT code) FROM tickets"), 8);
}

static void test_cli_known_optimum(void **state)
{
    (void)state;
    harness *h = base_campaign();
    json_t *r = allocate_json(h, false);
    assert_false(json_is_true(json_object_get(r, "dry_run")));
    assert_int_equal(num(r, "people"), 15);
    assert_int_equal(num(r, "parties"), 8);
    assert_int_equal(num(r, "seated"), 8);
    assert_int_equal(num(r, "bound"), 11);
    assert_int_equal(num(r, "fixed"), 0);
    assert_int_equal(num(r, "issued"), 8);
    assert_int_equal(num(r, "cancelled"), 0);
    assert_int_equal(num(r, "priority_people"), 1);
    assert_int_equal(num(r, "priority_seated"), 1);
    assert_int_equal(num(r, "priority_bound"), 1);
    assert_int_equal(num(r, "parties_seated"), 4);
    assert_int_equal(num(r, "transports_used"), 2);
    assert_true(num(r, "run") > 0);
    assert_int_equal(num(json_object_get(r, "parties_together"), "together"), 3);
    assert_int_equal(num(json_object_get(r, "parties_together"), "of"), 3);

    /* every unseated party with its reason */
    assert_int_equal(json_array_size(json_object_get(r, "unseated")), 4);
    const json_t *u = unseated_of(r, "R09");
    assert_non_null(u);
    assert_string_equal(str(u, "reason"), "full");
    assert_non_null(u = unseated_of(r, "R10"));
    assert_string_equal(str(u, "reason"), "no_cover");
    assert_non_null(u = unseated_of(r, "R11"));
    assert_string_equal(str(u, "reason"), "no_date");
    assert_non_null(u = unseated_of(r, "R12"));
    assert_string_equal(str(u, "reason"), "too_big");
    assert_string_equal(str(u, "party"), "周家");
    assert_int_equal(num(u, "people"), 4);
    check_suggestions(r);
    json_decref(r);

    /* the database: one live ticket per seated person, exactly the hand-computed optimum */
    char who[256];
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets WHERE status = 'issued'"), 8);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets"), 8);
    holders(h, "BUS-A", who, sizeof who);
    assert_string_equal(who, "R01,R02,R03,R04"); /* 张家 and the priority person */
    holders(h, "BUS-B", who, sizeof who);
    assert_string_equal(who, "R05,R06,R07,R08"); /* 王家 and 陈家 */
    holders(h, "BUS-C", who, sizeof who);
    assert_string_equal(who, "");
    /* drop-off: the most specific covering stop */
    assert_int_equal(
        sql_long(h, "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE "
                    "(t.ref = 'BUS-A' AND k.dropoff <> '511923') OR (t.ref = 'BUS-B' AND k.dropoff <> '511900')"),
        0);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets WHERE seat_label = ''"), 0);
    assert_ticket_invariants(h);
    check_codes(h);
    /* the run is recorded */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM allocation_runs WHERE dry_run = 0 AND seated = 8 AND bound = 11 "
                                 "AND issued = 8"),
                     1);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets WHERE run_id IS NULL OR run_id NOT IN (SELECT id FROM "
                                 "allocation_runs)"),
                     0);
    harness_free(h);
}

/* The text format names the figures too (and is not JSON). */
static void test_cli_text_and_usage(void **state)
{
    (void)state;
    harness *h = base_campaign();
    char *out = CLI(h, 0, "allocate", "--dry-run");
    assert_non_null(strstr(out, "8"));
    assert_non_null(strstr(out, "11"));
    assert_non_null(strstr(out, "R09"));
    assert_true(out[0] != '{');
    free(out);
    free(CLI(h, 2, "allocate", "--format", "yaml"));
    free(CLI(h, 2, "allocate", "extra"));
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets"), 0);
    harness_free(h);
}

/* ------------------------------------------------------------------ 2. re-runs, newcomers, dry runs */

static void test_rerun_keeps_tickets(void **state)
{
    (void)state;
    harness *h = base_campaign();
    json_decref(allocate_json(h, false));
    static char before[4096], after[4096];
    long max_id = sql_long(h, "SELECT max(id) FROM tickets");
    ticket_snapshot(h, max_id, before, sizeof before);
    assert_true(strlen(before) > 0);

    /* a second run changes nothing and issues nothing */
    json_t *r = allocate_json(h, false);
    assert_int_equal(num(r, "issued"), 0);
    assert_int_equal(num(r, "seated"), 8);
    assert_int_equal(num(r, "fixed"), 8);
    assert_int_equal(num(r, "cancelled"), 0);
    assert_int_equal(json_array_size(json_object_get(r, "unseated")), 4);
    json_decref(r);
    ticket_snapshot(h, 1000000, after, sizeof after);
    assert_string_equal(after, before);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM allocation_runs WHERE dry_run = 0"), 2);

    /* a newcomer to 重庆万州 and a bus that covers only him */
    char path[512];
    write_registrations(h, NBASE, NALL, path, sizeof path);
    free(CLI(h, 0, "import", "registrations", path));
    import_text(h, "transports", "cq.csv",
                "编号,类型,车次,座位数,出发时间,出发站,经停,费用,状态\n"
                "BUS-CQ,汽车,川A·00009,2,2027-01-23 07:00,成都东站,500000,900,计划\n");

    /* dry run: the figures of the real run, nothing written */
    long runs = sql_long(h, "SELECT count(*) FROM allocation_runs");
    r = allocate_json(h, true);
    assert_true(json_is_true(json_object_get(r, "dry_run")));
    assert_true(json_is_null(json_object_get(r, "run")));
    assert_int_equal(num(r, "issued"), 1);
    assert_int_equal(num(r, "seated"), 9);
    assert_int_equal(num(r, "fixed"), 8);
    assert_int_equal(num(r, "people"), 16);
    json_decref(r);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets"), 8);
    ticket_snapshot(h, 1000000, after, sizeof after);
    assert_string_equal(after, before);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM allocation_runs WHERE dry_run = 0"), 2);
    /* observed: a dry run leaves no allocation_runs row at all (it is rolled back with its tickets) */
    long runs_after = sql_long(h, "SELECT count(*) FROM allocation_runs");
    assert_true(
        runs_after == runs ||
        (runs_after == runs + 1 && sql_long(h, "SELECT dry_run FROM allocation_runs ORDER BY id DESC LIMIT 1") == 1));

    /* the real run seats only the newcomer */
    r = allocate_json(h, false);
    assert_int_equal(num(r, "issued"), 1);
    assert_int_equal(num(r, "seated"), 9);
    assert_int_equal(num(r, "fixed"), 8);
    json_decref(r);
    ticket_snapshot(h, max_id, after, sizeof after);
    assert_string_equal(after, before);
    char who[256];
    holders(h, "BUS-CQ", who, sizeof who);
    assert_string_equal(who, "R16");
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets WHERE status = 'issued'"), 9);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets"), 9);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM allocation_runs WHERE dry_run = 0"), 3);
    assert_ticket_invariants(h);
    harness_free(h);
}

/* ------------------------------------------------------------------ 3. cancelling a transport */

static void test_cancel_transport_reseats(void **state)
{
    (void)state;
    harness *h = base_campaign();
    char coord[HARNESS_TOKEN_MAX], who[256];
    static char a_before[2048], a_after[2048];
    json_decref(allocate_json(h, false));
    sql_str(h, a_before, sizeof a_before,
            "SELECT group_concat(code || ':' || seat_index || ':' || status, ',') FROM (SELECT k.* FROM tickets k JOIN "
            "transports t ON t.id = k.transport_id WHERE t.ref = 'BUS-A' ORDER BY k.id)");
    /* a later, bigger bus to 巴中市 */
    import_text(h, "transports", "d.csv",
                "编号,类型,车次,座位数,出发时间,出发站,经停,费用,状态\n"
                "BUS-D,汽车,川A·00004,5,2027-01-23 08:00,成都北站,511900,900,已确认\n");
    assert_int_equal(harness_add_user(h, "coord", "coordinator", NULL, coord), 0);
    assert_int_equal(harness_start_server(h, NULL), 0);

    json_t *doc = call(h, "POST", "/api/v1/transports/BUS-B/status", coord, "{\"status\": \"cancelled\"}", 200);
    assert_string_equal(str(doc, "status"), "cancelled");
    json_decref(doc);
    /* its issued tickets are cancelled at once */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE "
                                 "t.ref = 'BUS-B' AND k.status = 'cancelled'"),
                     4);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE "
                                 "t.ref = 'BUS-B' AND k.status <> 'cancelled'"),
                     0);
    /* the manifest shows them as cancelled */
    doc = call(h, "GET", "/api/v1/transports/BUS-B/manifest", coord, NULL, 200);
    assert_int_equal(num(json_object_get(doc, "counts"), "cancelled"), 4);
    assert_int_equal(num(json_object_get(doc, "counts"), "issued"), 0);
    json_decref(doc);

    /* the next run seats 王家, 陈家 and R09 on BUS-D (5 seats: exactly them) */
    json_t *r = allocate_http(h, coord);
    assert_int_equal(num(r, "issued"), 5);
    assert_int_equal(num(r, "seated"), 9);
    assert_int_equal(num(r, "fixed"), 4);
    json_decref(r);
    holders(h, "BUS-D", who, sizeof who);
    assert_string_equal(who, "R05,R06,R07,R08,R09");
    holders(h, "BUS-B", who, sizeof who);
    assert_string_equal(who, "");
    /* BUS-A was not touched */
    sql_str(h, a_after, sizeof a_after,
            "SELECT group_concat(code || ':' || seat_index || ':' || status, ',') FROM (SELECT k.* FROM tickets k JOIN "
            "transports t ON t.id = k.transport_id WHERE t.ref = 'BUS-A' ORDER BY k.id)");
    assert_string_equal(a_after, a_before);
    /* each moved person: one cancelled ticket on BUS-B, one issued on BUS-D, different codes */
    assert_int_equal(sql_long(h, "SELECT count(*) FROM registrations r WHERE r.ref IN ('R05', 'R06', 'R07', 'R08') AND "
                                 "(SELECT count(*) FROM tickets k WHERE k.registration_id = r.id) = 2 AND (SELECT "
                                 "count(DISTINCT code) FROM tickets k WHERE k.registration_id = r.id) = 2"),
                     4);
    assert_ticket_invariants(h);
    assert_int_equal(harness_stop_server(h, SIGTERM, NULL, NULL), 0);
    harness_free(h);
}

/* ------------------------------------------------------------------ 4. HTTP */

typedef struct web {
    harness *h;
    char coord[HARNESS_TOKEN_MAX], east[HARNESS_TOKEN_MAX], north[HARNESS_TOKEN_MAX];
} web;

static int web_setup(void **state)
{
    web *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -1;
    w->h = base_campaign();
    if (harness_add_user(w->h, "coord", "coordinator", NULL, w->coord) != 0 ||
        harness_add_user(w->h, "east", "station", "成都东站", w->east) != 0 ||
        harness_add_user(w->h, "north", "station", "成都北站", w->north) != 0 || harness_start_server(w->h, NULL) != 0)
        return -1;
    *state = w;
    return 0;
}

static int web_teardown(void **state)
{
    web *w = *state;
    if (w != NULL)
        harness_free(w->h);
    free(w);
    return 0;
}

/* The ticket code of registration `ref`'s issued ticket. */
static void code_of(harness *h, const char *ref, char out[16])
{
    sql_str(h, out, 16,
            "SELECT k.code FROM tickets k JOIN registrations r ON r.id = k.registration_id WHERE r.ref = '%s' AND "
            "k.status = 'issued'",
            ref);
    assert_int_equal(strlen(out), TICKETCODE_LEN);
}

static void test_http_allocation_job(void **state)
{
    web *w = *state;
    harness *h = w->h;
    /* station staff may not allocate */
    expect_error(h, "POST", "/api/v1/allocations", w->east, NULL, 403, "forbidden");
    expect_error(h, "POST", "/api/v1/allocations", NULL, NULL, 401, NULL);

    json_t *posted = call(h, "POST", "/api/v1/allocations", w->coord, NULL, 202);
    json_int_t id = num(posted, "job");
    char href[128], want[128];
    snprintf(href, sizeof href, "%s", str(posted, "href"));
    snprintf(want, sizeof want, "/api/v1/jobs/%lld", (long long)id);
    assert_string_equal(href, want);
    json_decref(posted);

    /*
     * A second POST right away: 409 job_running while the first still runs, or 202 when it already finished
     * (a tiny instance may be done before this request arrives). Both are right; which one is not ours to
     * decide, but each must be consistent.
     */
    int status = 0;
    char *resp = NULL, second[128] = "";
    assert_int_equal(harness_http(h, "POST", "/api/v1/allocations", w->coord, NULL, 0, &status, &resp), 0);
    if (status == 409) {
        assert_true(harness_is_envelope(resp, "job_running"));
    } else {
        assert_int_equal(status, 202);
        json_t *d = harness_json(resp);
        assert_non_null(d);
        snprintf(second, sizeof second, "%s", str(d, "href"));
        json_decref(d);
    }
    free(resp);

    json_t *job = wait_job(h, href, w->coord);
    assert_string_equal(str(job, "state"), "done");
    assert_int_equal(num(job, "percent"), 100);
    const json_t *r = json_object_get(job, "result");
    assert_int_equal(num(r, "seated"), 8);
    assert_int_equal(num(r, "bound"), 11);
    assert_int_equal(num(r, "issued"), 8);
    assert_int_equal(json_array_size(json_object_get(r, "unseated")), 4);
    json_decref(job);
    if (second[0] != '\0') { /* it started after the first had finished: nothing left to issue */
        job = wait_job(h, second, w->coord);
        assert_string_equal(str(job, "state"), "done");
        assert_int_equal(num(json_object_get(job, "result"), "issued"), 0);
        assert_int_equal(num(json_object_get(job, "result"), "seated"), 8);
        json_decref(job);
    }
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets"), 8);
    assert_ticket_invariants(h);

    /* the runs list; a dry run over HTTP writes nothing */
    json_t *runs = call(h, "GET", "/api/v1/allocations", w->coord, NULL, 200);
    assert_true(json_array_size(json_object_get(runs, "runs")) >= 1);
    const json_t *last = json_array_get(json_object_get(runs, "runs"), 0);
    assert_int_equal(num(last, "seated"), 8);
    assert_int_equal(num(last, "bound"), 11);
    json_decref(runs);
    posted = call(h, "POST", "/api/v1/allocations?dry_run=true", w->coord, NULL, 202);
    assert_true(json_is_true(json_object_get(posted, "dry_run")));
    snprintf(href, sizeof href, "%s", str(posted, "href"));
    json_decref(posted);
    job = wait_job(h, href, w->coord);
    assert_string_equal(str(job, "state"), "done");
    assert_true(json_is_true(json_object_get(json_object_get(job, "result"), "dry_run")));
    assert_int_equal(num(json_object_get(job, "result"), "seated"), 8);
    json_decref(job);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets"), 8);

    expect_error(h, "GET", "/api/v1/jobs/999999", w->coord, NULL, 404, NULL);
    expect_error(h, "GET", "/api/v1/jobs/1", w->east, NULL, 403, "forbidden");
}

static void test_http_tickets(void **state)
{
    web *w = *state;
    harness *h = w->h;
    json_decref(allocate_http(h, w->coord));
    char code[16], seat[32], path[128], masked[19];
    code_of(h, "R01", code);
    sql_str(h, seat, sizeof seat, "SELECT seat_label FROM tickets WHERE code = '%s'", code);
    masked_of(0, masked);

    /* the coordinator sees the boarding pass with a masked id number */
    snprintf(path, sizeof path, "/api/v1/tickets/%s", code);
    int status = 0;
    char *body = NULL;
    assert_int_equal(harness_http(h, "GET", path, w->coord, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    assert_false(leaks_personal_data(body, NBASE));
    json_t *t = harness_json(body);
    free(body);
    assert_non_null(t);
    assert_string_equal(str(t, "code"), code);
    assert_string_equal(str(t, "status"), "issued");
    assert_string_equal(str(t, "seat"), seat);
    assert_string_equal(str(json_object_get(t, "passenger"), "name"), "张大山");
    assert_string_equal(str(json_object_get(t, "passenger"), "id_number"), masked);
    assert_string_equal(str(json_object_get(t, "transport"), "ref"), "BUS-A");
    assert_string_equal(str(json_object_get(t, "dropoff"), "code"), "511923");
    json_decref(t);

    /* as typed by a person: lower case with hyphens */
    char typed[32];
    snprintf(typed, sizeof typed, "/api/v1/tickets/%c%c%c%c-%c%c%c%c-%c%c", code[0] | 0x20, code[1] | 0x20,
             code[2] | 0x20, code[3] | 0x20, code[4] | 0x20, code[5] | 0x20, code[6] | 0x20, code[7] | 0x20,
             code[8] | 0x20, code[9] | 0x20);
    json_decref(call(h, "GET", typed, w->coord, NULL, 200));

    /* station staff: their own departures only */
    json_decref(call(h, "GET", path, w->east, NULL, 200));
    expect_error(h, "GET", path, w->north, NULL, 403, "other_station");
    char b_code[16], b_path[128];
    code_of(h, "R05", b_code);
    snprintf(b_path, sizeof b_path, "/api/v1/tickets/%s", b_code);
    json_decref(call(h, "GET", b_path, w->north, NULL, 200));
    expect_error(h, "GET", b_path, w->east, NULL, 403, "other_station");
    expect_error(h, "GET", path, NULL, NULL, 401, NULL);

    /* QR code */
    harness_res res;
    char qr[160];
    snprintf(qr, sizeof qr, "%s/qr.svg", path);
    assert_int_equal(harness_request(h, &(harness_req){.method = "GET", .path = qr, .token = w->coord}, &res), 0);
    assert_int_equal(res.status, 200);
    char *ctype = harness_res_header(&res, "content-type");
    assert_non_null(ctype);
    assert_non_null(strstr(ctype, "image/svg+xml"));
    free(ctype);
    assert_memory_equal(res.body, "<svg", 4);
    assert_non_null(strstr(res.body, "</svg>"));
    harness_res_free(&res);
    snprintf(qr, sizeof qr, "%s/qr.svg", path);
    expect_error(h, "GET", qr, w->north, NULL, 403, "other_station");

    /* printable pass */
    char pass[160];
    snprintf(pass, sizeof pass, "%s/pass", path);
    assert_int_equal(harness_request(h, &(harness_req){.method = "GET", .path = pass, .token = w->coord}, &res), 0);
    assert_int_equal(res.status, 200);
    ctype = harness_res_header(&res, "content-type");
    assert_non_null(ctype);
    assert_non_null(strstr(ctype, "text/html"));
    free(ctype);
    assert_non_null(strstr(res.body, code));
    assert_non_null(strstr(res.body, "张大山"));
    assert_non_null(strstr(res.body, masked));
    assert_non_null(strstr(res.body, "<svg"));
    assert_false(leaks_personal_data(res.body, NBASE));
    harness_res_free(&res);

    /* unknown codes: a well-formed code nobody holds, a malformed one, an id number typed as a code */
    char unknown[TICKETCODE_LEN + 1] = "000000000";
    do {
        unknown[0] = CROCKFORD[(strchr(CROCKFORD, unknown[0]) - CROCKFORD + 1) % 32];
        unknown[9] = ticketcode_check_char(unknown);
        unknown[10] = '\0';
    } while (sql_long(h, "SELECT count(*) FROM tickets WHERE code = '%s'", unknown) != 0);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", unknown);
    expect_error(h, "GET", path, w->coord, NULL, 404, NULL);
    expect_error(h, "GET", "/api/v1/tickets/NOTACODE", w->coord, NULL, 404, NULL);
    char id[19];
    id_of(0, id);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    expect_error(h, "GET", path, w->coord, NULL, 404, NULL);
}

static void test_http_manifest(void **state)
{
    web *w = *state;
    harness *h = w->h;
    json_decref(allocate_http(h, w->coord));
    const char *const refs[] = {"BUS-A", "BUS-B"};
    for (int k = 0; k < 2; k++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/transports/%s/manifest", refs[k]);
        int status = 0;
        char *body = NULL;
        assert_int_equal(harness_http(h, "GET", path, w->coord, NULL, 0, &status, &body), 0);
        assert_int_equal(status, 200);
        assert_false(leaks_personal_data(body, NBASE));
        json_t *m = harness_json(body);
        free(body);
        assert_non_null(m);
        assert_string_equal(str(json_object_get(m, "transport"), "ref"), refs[k]);
        assert_int_equal(num(json_object_get(m, "counts"), "issued"), 4);
        assert_int_equal(num(json_object_get(m, "counts"), "boarded"), 0);
        assert_int_equal(num(json_object_get(m, "counts"), "cancelled"), 0);
        const json_t *ps = json_object_get(m, "passengers");
        assert_int_equal(json_array_size(ps), 4);
        /* by seat, the same as the database */
        for (size_t i = 0; i < 4; i++) {
            char seat[32];
            sql_str(h, seat, sizeof seat,
                    "SELECT k.seat_label FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE t.ref = '%s' "
                    "AND k.status = 'issued' ORDER BY k.seat_index LIMIT 1 OFFSET %zu",
                    refs[k], i);
            assert_string_equal(str(json_array_get(ps, i), "seat"), seat);
        }
        assert_int_equal(sql_long(h,
                                  "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE "
                                  "t.ref = '%s' AND k.status = 'issued'",
                                  refs[k]),
                         4);
        json_decref(m);
    }
    json_decref(call(h, "GET", "/api/v1/transports/BUS-A/manifest", w->east, NULL, 200));
    expect_error(h, "GET", "/api/v1/transports/BUS-A/manifest", w->north, NULL, 403, "other_station");
    json_decref(call(h, "GET", "/api/v1/transports/BUS-B/manifest", w->north, NULL, 200));
    expect_error(h, "GET", "/api/v1/transports/NOPE/manifest", w->coord, NULL, 404, NULL);
    json_t *m = call(h, "GET", "/api/v1/transports/BUS-C/manifest", w->coord, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(m, "passengers")), 0);
    json_decref(m);
}

/*
 * DESIGN §6: station staff see "manifests of transports leaving its station only". BUS-C leaves 成都东站 and
 * holds no ticket: the 成都北站 user must still be refused, whether or not the list happens to be empty.
 */
static void test_http_station_empty_manifest(void **state)
{
    web *w = *state;
    harness *h = w->h;
    json_decref(allocate_http(h, w->coord));
    json_decref(call(h, "GET", "/api/v1/transports/BUS-C/manifest", w->east, NULL, 200));
    expect_error(h, "GET", "/api/v1/transports/BUS-C/manifest", w->north, NULL, 403, "other_station");
}

/* ------------------------------------------------------------------ invariants that other writes must keep */

/*
 * DESIGN §3 (2) "never exceed capacity": cutting a transport's capacity below the tickets it already holds
 * must be refused (or must not leave it over capacity).
 */
static void test_capacity_cut_below_tickets(void **state)
{
    web *w = *state;
    harness *h = w->h;
    json_decref(allocate_http(h, w->coord));
    int status = 0;
    char *resp = NULL;
    const char body[] = "{\"capacity\": 2}";
    assert_int_equal(harness_http(h, "PATCH", "/api/v1/transports/BUS-A", w->coord, body, strlen(body), &status, &resp),
                     0);
    if (status != 200)
        assert_true(harness_is_envelope(resp, NULL));
    free(resp);
    if (sql_long(h, "SELECT capacity FROM transports WHERE ref = 'BUS-A'") == 2)
        fprintf(stderr, "PATCH capacity 4 -> 2 answered %d and was stored; BUS-A holds %ld live tickets\n", status,
                sql_long(h, "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE t.ref = "
                            "'BUS-A' AND k.status IN ('issued', 'boarded')"));
    assert_ticket_invariants(h);
}

/*
 * DESIGN §2/§3: nobody is seated twice in a campaign, and nobody holds a ticket without a registration.
 * openapi.yaml: a withdrawn person "may then be registered again". So withdrawing R04 (who holds a seat on
 * BUS-A) and registering the same id number again must not leave that person with two live tickets after
 * the next run (BUS-D has room for the new registration).
 */
static void test_withdrawn_registration_releases_ticket(void **state)
{
    web *w = *state;
    harness *h = w->h;
    json_decref(allocate_http(h, w->coord));
    char path[128], id[19], body[512];
    long reg = sql_long(h, "SELECT id FROM registrations WHERE ref = 'R04'");
    assert_true(reg > 0);
    assert_int_equal(sql_long(h, "SELECT count(*) FROM tickets WHERE registration_id = %ld AND status = 'issued'", reg),
                     1);
    snprintf(path, sizeof path, "/api/v1/registrations/%ld", reg);
    json_t *doc = call(h, "DELETE", path, w->coord, NULL, 200);
    assert_string_equal(str(doc, "status"), "withdrawn");
    json_decref(doc);
    id_of(3, id);
    snprintf(body, sizeof body,
             "{\"ref\": \"R04b\", \"name\": \"李困难\", \"id_number\": \"%s\", \"destination\": \"511923\", \"tags\": "
             "\"困难职工\"}",
             id);
    json_decref(call(h, "POST", "/api/v1/registrations", w->coord, body, 201));
    const char bus_d[] = "{\"ref\": \"BUS-D\", \"kind\": \"bus\", \"capacity\": 5, \"depart_at\": \"2027-01-23 "
                         "08:00\", \"origin\": \"成都北站\", \"stops\": \"511900\"}";
    json_decref(call(h, "POST", "/api/v1/transports", w->coord, bus_d, 201));
    json_decref(allocate_http(h, w->coord));
    long live = sql_long(h, "SELECT count(*) FROM tickets k JOIN registrations r ON r.id = k.registration_id WHERE "
                            "r.name = '李困难' AND k.status IN ('issued', 'boarded')");
    long withdrawn = sql_long(h, "SELECT count(*) FROM tickets k JOIN registrations r ON r.id = k.registration_id "
                                 "WHERE r.status <> 'active' AND k.status IN ('issued', 'boarded')");
    if (live != 1 || withdrawn != 0)
        fprintf(stderr, "李困难 holds %ld live tickets; %ld live tickets belong to withdrawn registrations\n", live,
                withdrawn);
    assert_int_equal(withdrawn, 0);
    assert_int_equal(live, 1);
}

/* ------------------------------------------------------------------ 5. exports */

/* Split one CSV line (our own output: every cell quoted or plain, "" for a quote) into cells; returns the count. */
static int csv_cells(const char *line, size_t len, char cells[][128], int max)
{
    int n = 0;
    size_t i = 0;
    while (n < max) {
        size_t j = 0;
        if (i < len && line[i] == '"') {
            for (i++; i < len; i++) {
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"')
                    i++;
                else if (line[i] == '"') {
                    i++;
                    break;
                }
                if (j + 1 < 128)
                    cells[n][j++] = line[i];
            }
        } else {
            for (; i < len && line[i] != ','; i++)
                if (j + 1 < 128)
                    cells[n][j++] = line[i];
        }
        cells[n++][j] = '\0';
        if (i >= len)
            break;
        i++; /* the comma */
    }
    return n;
}

/* The lines of a CSV text (CRLF), BOM skipped; each parsed into rows[i]. Returns the number of lines. */
static int csv_rows(const char *text, char rows[][12][128], int max, int *ncols)
{
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    int n = 0;
    while (*text != '\0' && n < max) {
        const char *end = strstr(text, "\r\n");
        size_t len = end ? (size_t)(end - text) : strlen(text);
        ncols[n] = csv_cells(text, len, rows[n], 12);
        n++;
        text += len + (end ? 2 : 0);
    }
    return n;
}

static char *run_shell(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - 1 - len, p)) > 0)
        len += got;
    buf[len] = '\0';
    assert_int_equal(pclose(p), 0);
    return buf;
}

static void test_export_tickets_csv(void **state)
{
    (void)state;
    harness *h = base_campaign();
    json_decref(allocate_json(h, false));
    static char rows[32][12][128];
    int ncols[32];
    char *out = CLI(h, 0, "export", "tickets");
    assert_memory_equal(out, "\xEF\xBB\xBF", 3);
    assert_false(leaks_personal_data(out, NBASE));
    int n = csv_rows(out, rows, 32, ncols);
    free(out);
    static const char *const header[] = {"票号",     "运力",   "座位",   "编号",   "姓名",
                                         "身份证号", "同行组", "目的地", "下车地", "状态"};
    assert_int_equal(n, 1 + 8);
    assert_int_equal(ncols[0], 10);
    for (int c = 0; c < 10; c++)
        assert_string_equal(rows[0][c], header[c]);
    for (int i = 1; i < n; i++) {
        assert_int_equal(ncols[i], 10);
        assert_int_equal(strlen(rows[i][0]), TICKETCODE_LEN);
        assert_int_equal(sql_long(h,
                                  "SELECT count(*) FROM tickets k JOIN transports t ON t.id = k.transport_id JOIN "
                                  "registrations r ON r.id = k.registration_id WHERE k.code = '%s' AND t.ref = '%s' "
                                  "AND r.ref = '%s' AND k.seat_label = '%s'",
                                  rows[i][0], rows[i][1], rows[i][3], rows[i][2]),
                         1);
        int who = atoi(rows[i][3] + 1) - 1;
        char masked[19];
        masked_of(who, masked);
        assert_string_equal(rows[i][5], masked);
        assert_string_equal(rows[i][4], PEOPLE[who].name);
    }
    /* JSON too */
    out = CLI(h, 0, "export", "tickets", "--format", "json");
    json_t *doc = harness_json(out);
    assert_false(leaks_personal_data(out, NBASE));
    free(out);
    assert_non_null(doc);
    assert_int_equal(json_array_size(doc), 8);
    json_decref(doc);
    harness_free(h);
}

static void test_export_manifest(void **state)
{
    (void)state;
    harness *h = base_campaign();
    json_decref(allocate_json(h, false));
    static char rows[32][12][128];
    int ncols[32];
    char *out = CLI(h, 0, "export", "manifest", "--transport", "BUS-A");
    assert_false(leaks_personal_data(out, NBASE));
    int n = csv_rows(out, rows, 32, ncols);
    free(out);
    static const char *const header[] = {"序号",   "座位",   "姓名", "身份证号", "手机号",
                                         "同行组", "下车地", "票号", "状态",     "签到"};
    assert_int_equal(n, 1 + 4);
    for (int c = 0; c < 10; c++)
        assert_string_equal(rows[0][c], header[c]);
    for (int i = 1; i < n; i++) {
        char seat[32], num_text[16];
        sql_str(h, seat, sizeof seat,
                "SELECT k.seat_label FROM tickets k JOIN transports t ON t.id = k.transport_id WHERE t.ref = 'BUS-A' "
                "AND k.status = 'issued' ORDER BY k.seat_index LIMIT 1 OFFSET %d",
                i - 1);
        snprintf(num_text, sizeof num_text, "%d", i);
        assert_string_equal(rows[i][0], num_text);
        assert_string_equal(rows[i][1], seat); /* ordered by seat */
        assert_string_equal(rows[i][9], "□");  /* the tick column, empty box until boarded */
        assert_int_equal(sql_long(h,
                                  "SELECT count(*) FROM tickets k JOIN registrations r ON r.id = k.registration_id "
                                  "WHERE k.code = '%s' AND r.name = '%s' AND k.seat_label = '%s'",
                                  rows[i][7], rows[i][2], rows[i][1]),
                         1);
        assert_non_null(strstr(rows[i][3], "**********"));
    }
    /* xlsx: one sheet per transport holding tickets */
    char xlsx[512], cmd[1200];
    snprintf(xlsx, sizeof xlsx, "%s/manifest.xlsx", harness_dir(h));
    free(CLI(h, 0, "export", "manifest", "--format", "xlsx", "--out", xlsx));
    FILE *f = fopen(xlsx, "rb");
    char magic[2] = {0};
    assert_non_null(f);
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    assert_memory_equal(magic, "PK", 2);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/sharedStrings.xml", xlsx);
    char *strings = run_shell(cmd);
    assert_non_null(strstr(strings, "实名制乘车名册"));
    for (int i = 0; i < 8; i++)
        assert_non_null(strstr(strings, PEOPLE[i].name));
    assert_null(strstr(strings, PEOPLE[8].name)); /* R09 holds no ticket */
    assert_false(leaks_personal_data(strings, NBASE));
    free(strings);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/workbook.xml", xlsx);
    char *book = run_shell(cmd);
    int sheets = 0;
    for (const char *p = book; (p = strstr(p, "<sheet ")) != NULL; p++)
        sheets++;
    assert_int_equal(sheets, 2);
    assert_non_null(strstr(book, "\"BUS-A\""));
    assert_non_null(strstr(book, "\"BUS-B\""));
    assert_null(strstr(book, "\"BUS-C\""));
    free(book);

    /* errors */
    free(CLI(h, 2, "export", "manifest", "--format", "xlsx"));
    free(CLI(h, 1, "export", "manifest", "--transport", "NOPE"));
    free(CLI(h, 2, "export", "manifest", "--format", "pdf"));
    harness_free(h);
}

/* ------------------------------------------------------------------ 6. the daemon log */

static void test_daemon_log_has_no_personal_data(void **state)
{
    web *w = *state;
    harness *h = w->h;
    json_decref(allocate_http(h, w->coord));
    char code[16], path[256], id[19], phone[12], body[512];
    code_of(h, "R01", code);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", code);
    json_decref(call(h, "GET", path, w->coord, NULL, 200));
    snprintf(path, sizeof path, "/api/v1/tickets/%s/pass", code);
    int status = 0;
    char *resp = NULL;
    assert_int_equal(harness_http(h, "GET", path, w->coord, NULL, 0, &status, &resp), 0);
    free(resp);
    json_decref(call(h, "GET", "/api/v1/transports/BUS-A/manifest", w->coord, NULL, 200));
    /* personal data in paths, queries and bodies: an id number scanned as a ticket, a search, a duplicate */
    id_of(2, id);
    phone_of(2, phone);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    expect_error(h, "GET", path, w->coord, NULL, 404, NULL);
    snprintf(path, sizeof path, "/api/v1/tickets/%s/pass?phone=%s", id, phone);
    expect_error(h, "GET", path, w->coord, NULL, 404, NULL);
    snprintf(path, sizeof path, "/api/v1/registrations?q=%s", id);
    assert_int_equal(harness_http(h, "GET", path, w->coord, NULL, 0, &status, NULL), 0);
    snprintf(path, sizeof path, "/api/v1/nowhere/%s", phone);
    assert_int_equal(harness_http(h, "GET", path, w->coord, NULL, 0, &status, NULL), 0);
    snprintf(body, sizeof body,
             "{\"name\": \"张小明\", \"id_number\": \"%s\", \"phone\": \"%s\", \"destination\": \"511923\"}", id,
             phone);
    assert_int_equal(harness_http(h, "POST", "/api/v1/registrations", w->coord, body, strlen(body), &status, NULL), 0);
    assert_true(status >= 400);                                       /* one active registration per id number */
    assert_int_equal(harness_stop_server(h, SIGTERM, NULL, NULL), 0); /* flushes the log */
    char *log = harness_server_log(h);
    assert_non_null(log);
    assert_non_null(strstr(log, "/api/v1/allocations")); /* the log is there at all */
    assert_false(leaks_personal_data(log, NBASE));
    free(log);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_known_optimum),
        cmocka_unit_test(test_cli_text_and_usage),
        cmocka_unit_test(test_rerun_keeps_tickets),
        cmocka_unit_test(test_cancel_transport_reseats),
        cmocka_unit_test_setup_teardown(test_http_allocation_job, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_http_tickets, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_http_manifest, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_http_station_empty_manifest, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_capacity_cut_below_tickets, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_withdrawn_registration_releases_ticket, web_setup, web_teardown),
        cmocka_unit_test(test_export_tickets_csv),
        cmocka_unit_test(test_export_manifest),
        cmocka_unit_test_setup_teardown(test_daemon_log_has_no_personal_data, web_setup, web_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
