/* test_demo.c - unit tests for scheduler/demo.c: the demo operation is realistic, valid, idempotent and deterministic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "demo.h"
#include "divisions.h"
#include "idnumber.h"
#include "registrations.h"
#include "store.h"
#include "vault.h"

#include "fixture.h"

/* A fresh database in a temporary directory, bound to its own key and seeded once. */
typedef struct seeded {
    char dir[64];
    char path[96];
    char key[96];
    store *s;
    vault v;
    sqlite3 *db; /* a reader */
    demo_request req;
    double seed_ms;
} seeded;

static seeded main_db; /* the one most tests look at */

/* ---------------------------------------------------------------- helpers */

/* Open store and key the way `homeward serve` does, then run the seed once; 0 or -1 (with a message). */
static int seeded_open(seeded *x)
{
    hw_error err;
    memset(x, 0, sizeof *x);
    snprintf(x->dir, sizeof x->dir, "/tmp/hw-test-demo-XXXXXX");
    if (mkdtemp(x->dir) == NULL)
        return -1;
    snprintf(x->path, sizeof x->path, "%s/demo.db", x->dir);
    snprintf(x->key, sizeof x->key, "%s/demo.db.key", x->dir);
    x->req = (demo_request){.vault = &x->v, .divisions = fixture_divisions};
    int rc = store_open(x->path, &x->s, &err);
    if (rc == 0)
        rc = vault_open(x->key, &x->v, &err);
    if (rc == 0)
        rc = store_write(x->s, vault_bind, &x->v, &err);
    double t0 = clock_mono_ms();
    if (rc == 0)
        rc = store_write(x->s, demo_seed, &x->req, &err);
    x->seed_ms = clock_mono_ms() - t0;
    if (rc == 0)
        rc = store_reader(x->s, &x->db, &err);
    if (rc != 0)
        fprintf(stderr, "seeding failed: %s\n", err.message);
    return rc == 0 ? 0 : -1;
}

static void seeded_close(seeded *x)
{
    sqlite3_close(x->db);
    store_close(x->s);
    vault_wipe(&x->v);
    fixture_rm_tree(x->dir);
}

/* The first column of the first row of `sql` as an integer (fails the test on SQL errors). */
static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Every row of `sql` joined into one malloc'ed string (columns by '|', rows by '\n'); the caller frees it. */
static char *query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    size_t len = 0, cap = 1 << 20;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            size_t need = strlen(v ? v : "") + 2;
            if (len + need >= cap) {
                cap *= 2;
                out = realloc(out, cap);
                assert_non_null(out);
            }
            len += (size_t)snprintf(out + len, cap - len, "%s%c", v ? v : "",
                                    c + 1 == sqlite3_column_count(st) ? '\n' : '|');
        }
    sqlite3_finalize(st);
    return out;
}

static int64_t people(void)
{
    return query_int(main_db.db, "SELECT count(*) FROM registrations");
}

/* ---------------------------------------------------------------- group setup */

static int group_setup(void **state)
{
    if (fixture_divisions_load(state) != 0)
        return -1;
    return seeded_open(&main_db);
}

static int group_teardown(void **state)
{
    seeded_close(&main_db);
    return fixture_divisions_free(state);
}

/* ---------------------------------------------------------------- tests */

/* The unit, the campaign and the admin as before, and counts that match what the request says. */
static void test_seed_counts(void **state)
{
    (void)state;
    sqlite3 *db = main_db.db;
    assert_true(main_db.req.created);
    assert_true(main_db.req.admin_token[0] != '\0');
    assert_int_equal(query_int(db, "SELECT count(*) FROM unit WHERE code = '510100' AND name = '成都市总工会'"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM campaign WHERE name = '2027年元旦春节送温暖' AND date_from = "
                                   "'2026-12-22' AND date_to = '2027-02-16' AND deadline = '2027-01-12'"),
                     1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM users WHERE name = 'demo-admin' AND role = 'admin'"), 1);
    int64_t n = people(), t = query_int(db, "SELECT count(*) FROM transports");
    assert_int_equal(n, (int64_t)main_db.req.registrations);
    assert_int_equal(t, (int64_t)main_db.req.transports);
    assert_in_range(n, 4000, 8000);
    assert_in_range(t, 35, 45);
    int64_t parties = query_int(db, "SELECT count(DISTINCT party) FROM registrations") +
                      query_int(db, "SELECT count(*) FROM registrations WHERE party IS NULL");
    assert_in_range(parties, n / 3, n * 2 / 3);
    fprintf(stderr, "demo: %lld people in %lld parties, %lld transports, seeded in %.0f ms\n", (long long)n,
            (long long)parties, (long long)t, main_db.seed_ms);
}

/* Parties of 1-6 that share employer, destination and window; windows inside 10 Jan - 5 Feb 2027. */
static void test_seed_parties(void **state)
{
    (void)state;
    sqlite3 *db = main_db.db;
    assert_int_equal(query_int(db,
                               "SELECT count(*) FROM (SELECT party FROM registrations WHERE party IS NOT NULL "
                               "GROUP BY party HAVING count(*) < 2 OR count(*) > 6 OR count(DISTINCT destination) > 1 "
                               "OR count(DISTINCT earliest) > 1 OR count(DISTINCT latest) > 1 "
                               "OR count(DISTINCT employer) > 1)"),
                     0);
    assert_true(query_int(db, "SELECT count(*) FROM (SELECT party FROM registrations WHERE party IS NOT NULL "
                              "GROUP BY party HAVING count(*) = 6)") > 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM registrations WHERE earliest IS NULL OR latest IS NULL OR "
                                   "earliest < '2027-01-10' OR latest > '2027-02-05' OR latest < earliest"),
                     0);
    assert_in_range(query_int(db, "SELECT count(DISTINCT employer) FROM registrations"), 10, 15);
    assert_true(query_int(db, "SELECT count(*) FROM registrations WHERE ref LIKE 'CDZ-______'") > people() / 2);
}

/* About 8% 困难职工 and 2% 劳模, a few 孕妇, 老人 and 残疾; priority follows the tags. */
static void test_seed_tags(void **state)
{
    (void)state;
    sqlite3 *db = main_db.db;
    int64_t n = people();
    int64_t hardship = query_int(db, "SELECT count(*) FROM registrations WHERE tags & 1");
    int64_t model = query_int(db, "SELECT count(*) FROM registrations WHERE tags & 2");
    assert_in_range(hardship * 1000 / n, 60, 100);
    assert_in_range(model * 1000 / n, 10, 35);
    for (int bit = 4; bit <= 16; bit *= 2) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM registrations WHERE tags & %d", bit);
        assert_in_range(query_int(db, sql) * 1000 / n, 1, 50);
    }
    assert_int_equal(query_int(db, "SELECT count(*) FROM registrations WHERE priority <> (tags <> 0)"), 0);
    assert_true(query_int(db, "SELECT count(*) FROM registrations WHERE migrant = 0") > 0);
}

/* All five kinds, sizes as in the domain notes, departures 12 Jan - 4 Feb, and fewer seats than people. */
static void test_seed_transports(void **state)
{
    (void)state;
    sqlite3 *db = main_db.db;
    assert_int_equal(query_int(db, "SELECT count(DISTINCT kind) FROM transports"), 5);
    assert_int_equal(query_int(db, "SELECT count(*) FROM transports WHERE NOT ("
                                   "(kind = 'train' AND capacity BETWEEN 1200 AND 1800) OR "
                                   "(kind = 'carriage' AND capacity BETWEEN 112 AND 128) OR "
                                   "(kind = 'bus' AND capacity BETWEEN 45 AND 55) OR "
                                   "(kind = 'flight' AND capacity BETWEEN 130 AND 190) OR "
                                   "(kind = 'boat' AND capacity BETWEEN 200 AND 400))"),
                     0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM transports WHERE depart_at < '2027-01-12' OR depart_at >= "
                                   "'2027-02-05' OR cost_fen IS NULL OR origin IS NULL OR label IS NULL"),
                     0);
    int64_t t = query_int(db, "SELECT count(*) FROM transports");
    assert_true(query_int(db, "SELECT count(*) FROM transports WHERE status IN ('planned', 'confirmed')") * 10 >=
                t * 9);
    int64_t seats = query_int(db, "SELECT sum(capacity) FROM transports WHERE status <> 'cancelled'");
    int64_t n = people();
    assert_true(seats < n * 85 / 100);
    fprintf(stderr, "demo: %lld seats for %lld people\n", (long long)seats, (long long)n);
}

/* Count people whose destination some live transport covers, and those it also fits by date. */
static void coverage(sqlite3 *db, int64_t *covered, int64_t *dated)
{
    char *stops = query_text(db, "SELECT stops, substr(depart_at, 1, 10) FROM transports WHERE status <> 'cancelled'");
    char *regs = query_text(db, "SELECT destination, earliest, latest FROM registrations");
    *covered = *dated = 0;
    for (char *line = regs; *line != '\0'; line = strchr(line, '\n') + 1) {
        char dest[7], earliest[11], latest[11], stop[7], day[11];
        assert_int_equal(sscanf(line, "%6[0-9]|%10[0-9-]|%10[0-9-]", dest, earliest, latest), 3);
        int cov = 0, fit = 0;
        for (char *t = stops; *t != '\0'; t = strchr(t, '\n') + 1) {
            const char *day_at = strchr(t, '|') + 1;
            snprintf(day, sizeof day, "%.10s", day_at);
            for (const char *s = t; s < day_at; s += 7) {
                snprintf(stop, sizeof stop, "%.6s", s);
                if (divisions_covers(stop, dest)) {
                    cov = 1;
                    fit |= strcmp(day, earliest) >= 0 && strcmp(day, latest) <= 0;
                }
            }
        }
        *covered += cov;
        *dated += fit;
    }
    free(stops);
    free(regs);
}

/* Nearly everybody's home is served by some charter; most people have one inside their window. */
static void test_seed_coverage(void **state)
{
    (void)state;
    int64_t covered = 0, dated = 0, n = people();
    coverage(main_db.db, &covered, &dated);
    assert_true(covered * 100 >= n * 95);
    assert_true(dated * 100 >= n * 50);
    fprintf(stderr, "demo: destination covered for %lld, covered inside the window for %lld of %lld\n",
            (long long)covered, (long long)dated, (long long)n);
}

/* Check one sealed id number: valid, born 1960-2005, area code of the home county or its prefecture. */
static void check_id(const vault *v, const void *sealed, int n, const char *dest)
{
    char id[64], norm[IDNUMBER_LEN + 1];
    hw_error err;
    assert_int_equal(vault_unseal(v, "id", sealed, (size_t)n, id, sizeof id, &err), 0);
    assert_int_equal(idnumber_normalize(id, clock_today(), norm, &err), 0);
    int birth = idnumber_birth_date(norm) / 10000;
    assert_in_range(birth, 1960, 2005);
    int same_county = strncmp(norm, dest, 6) == 0;
    int same_prefecture = strncmp(norm, dest, 4) == 0 && strncmp(norm + 4, "00", 2) == 0;
    assert_true(same_county || same_prefecture);
}

static void check_phone(const vault *v, const void *sealed, int n)
{
    char phone[32];
    hw_error err;
    assert_int_equal(vault_unseal(v, "phone", sealed, (size_t)n, phone, sizeof phone, &err), 0);
    assert_int_equal(strlen(phone), 11);
    assert_true(phone[0] == '1' && phone[1] >= '3' && phone[1] <= '9');
    assert_int_equal(strspn(phone, "0123456789"), 11);
}

/* Every id number passes GB 11643 and points home; every phone is a mobile number. */
static void test_seed_personal_data(void **state)
{
    (void)state;
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(main_db.db, "SELECT id_sealed, destination, phone_sealed FROM registrations", -1, &st, NULL),
        SQLITE_OK);
    int phones = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        check_id(&main_db.v, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
                 (const char *)sqlite3_column_text(st, 1));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            check_phone(&main_db.v, sqlite3_column_blob(st, 2), sqlite3_column_bytes(st, 2));
            phones++;
        }
    }
    sqlite3_finalize(st);
    assert_true(phones * 100 >= people() * 95);
}

/* A second run finds the unit and leaves everything as it was. */
static void test_seed_again_changes_nothing(void **state)
{
    (void)state;
    hw_error err;
    const char *sql =
        "SELECT (SELECT count(*) FROM registrations) || '/' || (SELECT count(*) FROM transports) || '/' || "
        "(SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM campaign)";
    char *before = query_text(main_db.db, sql);
    demo_request again = {.vault = &main_db.v, .divisions = fixture_divisions};
    assert_int_equal(store_write(main_db.s, demo_seed, &again, &err), 0);
    assert_false(again.created);
    assert_int_equal(again.admin_token[0], '\0');
    assert_int_equal(again.registrations, 0);
    char *after = query_text(main_db.db, sql);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Two fresh databases (with different keys) get the very same people and charters. */
static void test_seed_deterministic(void **state)
{
    (void)state;
    seeded other;
    assert_int_equal(seeded_open(&other), 0);
    const char *regs = "SELECT name, id_masked, phone_masked, employer, destination, earliest, latest, party, tags, "
                       "migrant, ref FROM registrations ORDER BY id";
    const char *trs = "SELECT ref, kind, label, capacity, depart_at, origin, stops, cost_fen, status FROM transports "
                      "ORDER BY id";
    for (int i = 0; i < 2; i++) {
        char *a = query_text(main_db.db, i == 0 ? regs : trs), *b = query_text(other.db, i == 0 ? regs : trs);
        assert_true(strlen(a) > 1000);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    seeded_close(&other);
}

/* The seed runs while `serve --demo` starts: it must stay quick (about 0.2 s; generous for sanitizer builds). */
static void test_seed_is_fast(void **state)
{
    (void)state;
    assert_true(main_db.seed_ms < 5000.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_counts),
        cmocka_unit_test(test_seed_parties),
        cmocka_unit_test(test_seed_tags),
        cmocka_unit_test(test_seed_transports),
        cmocka_unit_test(test_seed_coverage),
        cmocka_unit_test(test_seed_personal_data),
        cmocka_unit_test(test_seed_again_changes_nothing),
        cmocka_unit_test(test_seed_deterministic),
        cmocka_unit_test(test_seed_is_fast),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
