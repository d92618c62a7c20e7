/* test_roster.c - unit tests for scheduler/roster.c: the register lists exactly what stats_load() counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roster.h"
#include "stats.h"
#include "support/fixture.h"

/* ---------------------------------------------------------------- item names */

static void test_item_parse(void **state)
{
    (void)state;
    roster_item it;
    hw_error err;
    static const struct {
        const char *text, *name;
        roster_item want;
    } good[] = {{"10A", "10A", ROSTER_10A},
                {"10d", "10D", ROSTER_10D},
                {"10(F)", "10F", ROSTER_10F},
                {"10(g)", "10G", ROSTER_10G},
                {"11A", "11A", ROSTER_11A}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(roster_item_parse(good[i].text, &it, &err), 0);
        assert_int_equal(it, good[i].want);
        assert_string_equal(roster_item_name(it), good[i].name);
    }
    static const char *const bad[] = {"10H", "11B", "12A", "10", "", "10AA", "10(A", "A10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(roster_item_parse(bad[i], &it, &err), HW_EINVAL);
        assert_string_equal(err.code, "bad_item");
        assert_non_null(strstr(err.message, "10A"));
        assert_non_null(strstr(err.message, "11A"));
        assert_non_null(strstr(err.message, "item must be")); /* English after the Chinese */
    }
    assert_int_equal(roster_item_parse(NULL, &it, &err), HW_EINVAL);
}

/* ---------------------------------------------------------------- a hand-built campaign */

/*
 * Window 2026-12-22..2027-02-16 (fixture_campaign, campaign 1); ten people r1..r10.
 *  T1 train    departed  2027-01-20  r1 boarded, r2 boarded, r3 no_show
 *  T2 bus      arrived   2027-01-21  r4 boarded, r5 boarded
 *  T3 bus      confirmed 2027-01-22  r6 issued                  (not departed)
 *  T4 flight   cancelled 2027-01-23  r7 boarded                 (cancelled: never)
 *  T5 carriage departed  2026-12-21  r8 boarded                 (day before the window)
 *  T6 boat     departed  2027-02-16 23:30  r9 boarded           (last day, inside)
 *  T7 carriage departed  2027-02-17                             (day after the window)
 *  T8 flight   departed  2027-01-25  nobody boarded
 *  T9 carriage departed  2027-02-10  r3 boarded (after missing T1)
 * Purchases: r1 2027-01-20 (also boarded: once in A), r10 2027-02-01 and 2027-01-30 (once, the
 *  earlier), r8 2026-12-22 (first day; its charter is outside), r6 2027-01-25 refunded, r3 2027-02-20.
 * Subsidies: 1,234,565 and 5,000 fen inside; 9,999,999 (2027-02-17) and 300 (2026-12-21) outside.
 */
static const char scenario[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
    "INSERT INTO registrations(id, campaign_id, ref, name, id_index, id_sealed, id_masked, phone_masked, destination,"
    " created_at, updated_at) SELECT i, 1, 'R' || i, 'p' || i, randomblob(16), x'00', '5119**********00' || (i % 10)"
    " || 'X', '138****0000', '511923', 'now', 'now' FROM n;"
    "INSERT INTO transports(id, campaign_id, ref, kind, label, capacity, layout, depart_at, stops, status, created_at,"
    " updated_at) VALUES"
    " (1, 1, 'T1', 'train', 'Z1', 100, 'rows', '2027-01-20T08:00:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (2, 1, 'T2', 'bus', '川A1', 50, 'rows', '2027-01-21T08:00:00+08:00', '511923', 'arrived', 'now', 'now'),"
    " (3, 1, 'T3', 'bus', NULL, 50, 'rows', '2027-01-22T08:00:00+08:00', '511923', 'confirmed', 'now', 'now'),"
    " (4, 1, 'T4', 'flight', NULL, 50, 'rows', '2027-01-23T08:00:00+08:00', '511923', 'cancelled', 'now', 'now'),"
    " (5, 1, 'T5', 'carriage', NULL, 50, 'rows', '2026-12-21T23:59:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (6, 1, 'T6', 'boat', NULL, 50, 'rows', '2027-02-16T23:30:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (7, 1, 'T7', 'carriage', NULL, 50, 'rows', '2027-02-17T00:10:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (8, 1, 'T8', 'flight', NULL, 50, 'rows', '2027-01-25T08:00:00+08:00', '511923', 'departed', 'now', 'now'),"
    " (9, 1, 'T9', 'carriage', NULL, 60, 'rows', '2027-02-10T09:00:00+08:00', '511923', 'departed', 'now', 'now');"
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
    "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, fare_fen, refunded, created_at)"
    " VALUES"
    " (1, 1, 'train', 'K1', '2027-01-20', 12050, 0, 'now'),"
    " (1, 10, 'boat', 'S1', '2027-02-01', NULL, 0, 'now'),"
    " (1, 10, 'bus', 'B1', '2027-01-30', 8000, 0, 'now'),"
    " (1, 8, 'train', 'K2', '2026-12-22', 9900, 0, 'now'),"
    " (1, 6, 'train', 'K3', '2027-01-25', 5000, 1, 'now'),"
    " (1, 3, 'flight', 'F1', '2027-02-20', 50000, 0, 'now');"
    "INSERT INTO subsidies(campaign_id, employer, amount_fen, people, date, created_at) VALUES"
    " (1, '甲公司', 1234565, 12, '2027-01-05', 'now'),"
    " (1, '乙公司', 5000, NULL, '2027-02-16', 'now'),"
    " (1, '丙公司', 9999999, 3, '2027-02-17', 'now'),"
    " (1, '丁公司', 300, 1, '2026-12-21', 'now');";

static int setup(void **state)
{
    return fixture_new(state, FIXTURE_CAMPAIGN | FIXTURE_READER);
}

static void exec(fixture *f, const char *sql)
{
    hw_error err;
    int rc = store_write(f->s, fixture_exec_job, (void *)sql, &err);
    if (rc != 0)
        fprintf(stderr, "exec: %s\n", err.message);
    assert_int_equal(rc, 0);
}

/* What one walk over an item saw. */
typedef struct tally {
    size_t rows;
    int64_t amount_fen;
    char seen[64][16]; /* names (10A) or transport refs (10B-10F), each once */
    size_t nseen;
    int dup_names; /* 10A: a name seen twice */
} tally;

static int seen_add(tally *t, const char *s)
{
    for (size_t i = 0; i < t->nseen; i++)
        if (strcmp(t->seen[i], s) == 0)
            return 1;
    assert_true(t->nseen < 64);
    snprintf(t->seen[t->nseen++], sizeof t->seen[0], "%s", s);
    return 0;
}

static int count_row(const roster_row *row, void *ctx)
{
    tally *t = ctx;
    t->rows++;
    if (row->item == ROSTER_11A) {
        assert_non_null(row->employer);
        assert_null(row->name);
        t->amount_fen += row->amount_fen;
        return 0;
    }
    assert_non_null(row->name);
    assert_non_null(row->id_masked);
    assert_non_null(strstr(row->id_masked, "**********")); /* masked as stored, never the number */
    if (row->item == ROSTER_10A)
        t->dup_names += seen_add(t, row->name);
    else if (row->transport != NULL)
        seen_add(t, row->transport);
    return 0;
}

static tally walk(fixture *f, roster_item item)
{
    tally t = {0};
    hw_error err;
    int rc = roster_each(f->reader, item, count_row, &t, &err);
    if (rc != 0)
        fprintf(stderr, "roster_each: %s\n", err.message);
    assert_int_equal(rc, 0);
    return t;
}

/* roster_rows() for `item`, asserting success. */
static int64_t rows_of(fixture *f, int item)
{
    int64_t n = -1;
    hw_error err;
    assert_int_equal(roster_rows(f->reader, item, &n, &err), 0);
    return n;
}

/* Every item's rows against stats_load()'s figure for it, and against roster_rows(). */
static void assert_rows_match_figures(fixture *f)
{
    stats_report r;
    hw_error err;
    int64_t total = 0;
    assert_int_equal(stats_load(f->reader, &r, &err), 0);
    for (int i = 0; i < ROSTER_NITEMS; i++) {
        tally t = walk(f, (roster_item)i);
        assert_int_equal(rows_of(f, i), t.rows);
        total += (int64_t)t.rows;
    }
    assert_int_equal(rows_of(f, ROSTER_ALL), total);
    tally a = walk(f, ROSTER_10A);
    assert_int_equal(a.rows, r.actual.persons);
    assert_int_equal(a.dup_names, 0);
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        tally t = walk(f, (roster_item)(ROSTER_10B + k));
        assert_int_equal(t.rows, r.actual.boarded[k]);
        assert_true((int64_t)t.nseen <= r.actual.transports[k]); /* a transport nobody boarded has no rows */
    }
    assert_int_equal(walk(f, ROSTER_10G).rows, r.actual.purchases);
    assert_int_equal(walk(f, ROSTER_11A).amount_fen, r.actual.subsidy_fen);
}

static void test_rows_equal_figures(void **state)
{
    fixture *f = *state;
    exec(f, scenario);
    assert_rows_match_figures(f);
    /* the same after a refund and a cancellation change the figures */
    exec(f, "UPDATE purchases SET refunded = 1 WHERE registration_id = 10;"
            "UPDATE transports SET status = 'cancelled' WHERE id = 6;");
    assert_rows_match_figures(f);
    tally a = walk(f, ROSTER_10A);
    assert_int_equal(a.rows, 6);
}

/* A small pseudo-random generator, so a failing seed can be replayed. */
static uint32_t next(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static const char *pick(uint32_t *x, const char *const *from, size_t n)
{
    return from[next(x) % n];
}

/* Append printf output to the growing SQL text in *buf (capacity *cap). */
static void add(char **buf, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    size_t len = strlen(*buf);
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len + (size_t)need + 1 > *cap) {
        *cap = (len + (size_t)need + 1) * 2;
        *buf = realloc(*buf, *cap);
        assert_non_null(*buf);
    }
    va_start(ap, fmt);
    vsnprintf(*buf + len, *cap - len, fmt, ap);
    va_end(ap);
}

/*
 * A random campaign: transports of every kind and status departing around the window's
 * edges, tickets of every status (at most one issued/boarded per person, as the schema
 * wants), purchases refunded or not, subsidies on both sides of the window.
 */
static char *random_campaign(uint32_t seed)
{
    static const char *const kinds[] = {"train", "carriage", "bus", "boat", "flight"};
    static const char *const tstatus[] = {"planned", "confirmed", "boarding", "departed", "arrived", "cancelled"};
    static const char *const days[] = {"2026-12-21", "2026-12-22", "2027-01-15", "2027-02-16", "2027-02-17"};
    static const char *const live[] = {"issued", "boarded", "boarded"}, *const dead[] = {"no_show", "cancelled"};
    static const char *const modes[] = {"train", "bus", "boat", "flight"};
    uint32_t x = seed * 2654435761u + 1;
    size_t cap = 1 << 14;
    char *sql = calloc(1, cap);
    int ntr = 12, nreg = 40, code = 0;
    assert_non_null(sql);
    add(&sql, &cap,
        "DELETE FROM tickets; DELETE FROM purchases; DELETE FROM subsidies; DELETE FROM transports;"
        "DELETE FROM registrations;");
    for (int t = 1; t <= ntr; t++)
        add(&sql, &cap,
            "INSERT INTO transports(id, campaign_id, ref, kind, capacity, layout, depart_at, stops, status, created_at,"
            " updated_at) VALUES (%d, 1, 'T%d', '%s', 100, 'rows', '%sT%02u:00:00+08:00', '511923', '%s', 'now', "
            "'now');",
            t, t, pick(&x, kinds, 5), pick(&x, days, 5), next(&x) % 24, pick(&x, tstatus, 6));
    for (int r = 1; r <= nreg; r++) {
        add(&sql, &cap,
            "INSERT INTO registrations(id, campaign_id, name, id_index, id_sealed, id_masked, destination, created_at,"
            " updated_at) VALUES (%d, 1, 'p%d', randomblob(16), x'00', '5119**********000X', '511923', 'now', 'now');",
            r, r);
        for (int k = (int)(next(&x) % 3); k > 0; k--) /* 0-2 tickets, only the first may be live */
            add(&sql, &cap,
                "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff,"
                " status, issued_at, updated_at) VALUES (1, 'RN%08d', %d, %u, %d, 's', '511923', '%s', 'now', 'now');",
                ++code, r, 1 + next(&x) % ntr, r * 4 + k, k == 1 ? pick(&x, live, 3) : pick(&x, dead, 2));
        for (int k = (int)(next(&x) % 4); k > 0; k--)
            add(&sql, &cap,
                "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, refunded, created_at)"
                " VALUES (1, %d, '%s', 'S%d', '%s', %u, 'now');",
                r, pick(&x, modes, 4), k, pick(&x, days, 5), next(&x) % 3 == 0);
    }
    for (int i = 1; i <= 6; i++)
        add(&sql, &cap,
            "INSERT INTO subsidies(campaign_id, employer, amount_fen, date, created_at) VALUES (1, 'E%d', %u, '%s',"
            " 'now');",
            i, 1 + next(&x) % 5000000, pick(&x, days, 5));
    return sql;
}

/*
 * What check-in, annulment, moves between transports, departure, cancellation, refunds and deletions do afterwards, so the
 * counters migration 6 keeps by triggers are tested through every kind of change.
 */
static const char changes[] =
    "UPDATE tickets SET status = 'boarded' WHERE status = 'issued' AND id % 3 = 0;"
    "UPDATE tickets SET status = 'issued' WHERE status = 'boarded' AND id % 5 = 1;"
    "UPDATE tickets SET status = 'no_show' WHERE status IN ('issued', 'boarded') AND id % 7 = 2;"
    "DELETE FROM tickets WHERE id % 11 = 3;"
    "UPDATE tickets SET transport_id = 1 + transport_id % 12, seat_index = 100000 + id WHERE id % 13 = 6;"
    "DELETE FROM purchases WHERE id % 9 = 4;"
    "UPDATE purchases SET refunded = 1 - refunded WHERE id % 8 = 5;"
    "UPDATE transports SET status = 'departed' WHERE status IN ('boarding', 'confirmed');"
    "UPDATE transports SET depart_at = '2027-02-17T09:00:00+08:00' WHERE id = 2;"
    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, seat_label, dropoff, status,"
    " issued_at, updated_at) SELECT 1, printf('MV%08d', r.id), r.id, 1 + r.id % 12, 1000 + r.id, 's', '511923',"
    " CASE WHEN r.id % 3 = 0 THEN 'issued' ELSE 'boarded' END, 'now', 'now' FROM registrations r"
    " WHERE r.id % 4 = 0 AND NOT EXISTS (SELECT 1 FROM tickets k WHERE k.registration_id = r.id"
    " AND k.status IN ('issued', 'boarded'));";

/* Rows whose counters (migration 6) differ from counting the tickets and purchases; 0 when the triggers kept them. */
static const char counters_off[] =
    "WITH w AS (SELECT id, date_from AS f, date_to AS t FROM campaign),"
    " share AS (SELECT r.id, r.campaign_id, r.stat_purchases, r.stat_alone, r.stat_alone_planned,"
    "  (SELECT count(*) FROM purchases q JOIN w ON w.id = q.campaign_id WHERE q.registration_id = r.id"
    "   AND q.refunded = 0 AND q.travel_date BETWEEN w.f AND w.t) AS n,"
    "  EXISTS (SELECT 1 FROM tickets k JOIN transports t ON t.id = k.transport_id JOIN w ON w.id = t.campaign_id"
    "   WHERE k.registration_id = r.id AND k.status = 'boarded' AND t.status IN ('departed', 'arrived')"
    "   AND substr(t.depart_at, 1, 10) BETWEEN w.f AND w.t) AS boarded,"
    "  EXISTS (SELECT 1 FROM tickets k JOIN transports t ON t.id = k.transport_id JOIN w ON w.id = t.campaign_id"
    "   WHERE k.registration_id = r.id AND k.status IN ('issued', 'boarded') AND t.status <> 'cancelled'"
    "   AND substr(t.depart_at, 1, 10) BETWEEN w.f AND w.t) AS live FROM registrations r)"
    "SELECT (SELECT count(*) FROM transports t WHERE"
    "  t.n_boarded <> (SELECT count(*) FROM tickets k WHERE k.transport_id = t.id AND k.status = 'boarded')"
    "  OR t.n_live <> (SELECT count(*) FROM tickets k WHERE k.transport_id = t.id AND k.status IN ('issued', "
    "'boarded')))"
    " + (SELECT count(*) FROM share WHERE stat_purchases <> n OR stat_alone <> (n > 0 AND NOT boarded)"
    "    OR stat_alone_planned <> (n > 0 AND NOT live))"
    " + (SELECT count(*) FROM campaign c WHERE"
    "    (SELECT coalesce(sum(purchases), 0) FROM stats_purchases s WHERE s.campaign_id = c.id)"
    "     <> (SELECT coalesce(sum(stat_purchases), 0) FROM registrations r WHERE r.campaign_id = c.id)"
    "    OR (SELECT coalesce(sum(alone), 0) FROM stats_purchases s WHERE s.campaign_id = c.id)"
    "     <> (SELECT coalesce(sum(stat_alone), 0) FROM registrations r WHERE r.campaign_id = c.id)"
    "    OR (SELECT coalesce(sum(alone_planned), 0) FROM stats_purchases s WHERE s.campaign_id = c.id)"
    "     <> (SELECT coalesce(sum(stat_alone_planned), 0) FROM registrations r WHERE r.campaign_id = c.id))";

static void test_rows_equal_figures_random(void **state)
{
    fixture *f = *state;
    for (uint32_t seed = 1; seed <= 40; seed++) {
        char *sql = random_campaign(seed);
        exec(f, sql);
        free(sql);
        assert_int_equal(fixture_query_int(f->reader, counters_off), 0);
        assert_rows_match_figures(f);
        exec(f, changes);
        assert_int_equal(fixture_query_int(f->reader, counters_off), 0);
        assert_rows_match_figures(f);
    }
}

/* Back to schema 5: migrations 6 and 7 undone, their counters gone. */
static const char to_schema_5[] =
    "DROP INDEX transports_counted; DROP VIEW stats_recount; DROP TABLE stats_purchases;"
    "DROP TRIGGER tickets_count_insert; DROP TRIGGER tickets_count_delete; DROP TRIGGER tickets_count_update;"
    "DROP TRIGGER tickets_count_move;"
    "DROP TRIGGER registrations_stat; DROP TRIGGER registrations_stat_delete; DROP TRIGGER purchases_stat_insert;"
    "DROP TRIGGER purchases_stat_delete; DROP TRIGGER purchases_stat_update; DROP TRIGGER tickets_stat_insert;"
    "DROP TRIGGER tickets_stat_delete; DROP TRIGGER tickets_stat_update; DROP TRIGGER transports_stat;"
    "DROP TRIGGER campaign_stat;"
    "ALTER TABLE transports DROP COLUMN n_boarded; ALTER TABLE transports DROP COLUMN n_live;"
    "ALTER TABLE registrations DROP COLUMN stat_purchases; ALTER TABLE registrations DROP COLUMN stat_alone;"
    "ALTER TABLE registrations DROP COLUMN stat_alone_planned; PRAGMA user_version = 5;";

/* A database filled under schema 5 gets its counters from migrations 6 and 7 when it is opened. */
static void test_upgrade_fills_counters(void **state)
{
    fixture *f = *state;
    hw_error err;
    exec(f, to_schema_5);
    assert_int_equal(fixture_query_int(f->reader, "PRAGMA user_version"), 5);
    exec(f, scenario); /* no triggers now */
    sqlite3_close(f->reader);
    f->reader = NULL;
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->db, &f->s, &err), 0);
    assert_int_equal(store_reader(f->s, &f->reader, &err), 0);
    assert_true(fixture_query_int(f->reader, "PRAGMA user_version") >= 7);
    assert_int_equal(fixture_query_int(f->reader, counters_off), 0);
    assert_true(fixture_query_int(f->reader, "SELECT sum(n_boarded) FROM transports") > 0);
    assert_rows_match_figures(f);
}

/* Who 10A lists, and how. */
typedef struct person_seen {
    char name[8];
    int charter;
    char label[16], date[16];
} person_seen;

static int collect(const roster_row *row, void *ctx)
{
    person_seen *p = ctx;
    int i = atoi(row->name + 1); /* "p7" */
    assert_true(i >= 1 && i <= 10);
    snprintf(p[i].name, sizeof p[i].name, "%s", row->name);
    p[i].charter = row->charter;
    snprintf(p[i].label, sizeof p[i].label, "%s", row->label != NULL ? row->label : "");
    snprintf(p[i].date, sizeof p[i].date, "%s", row->date);
    return 0;
}

static void test_persons_once(void **state)
{
    fixture *f = *state;
    hw_error err;
    person_seen p[11];
    memset(p, 0, sizeof p);
    exec(f, scenario);
    assert_int_equal(roster_each(f->reader, ROSTER_10A, collect, p, &err), 0);
    assert_int_equal(p[1].charter, 1); /* boarded and holding a purchase: listed by the charter */
    assert_string_equal(p[1].label, "Z1");
    assert_int_equal(p[10].charter, 0); /* two purchases: the earlier one */
    assert_string_equal(p[10].date, "2027-01-30");
    assert_string_equal(p[10].label, "B1");
    assert_int_equal(p[8].charter, 0); /* the charter was outside the window, the purchase inside */
    assert_int_equal(p[3].charter, 1); /* boarded T9 after missing T1 */
    assert_string_equal(p[3].date, "2027-02-10");
    assert_string_equal(p[6].name, "");   /* refunded purchase, ticket on an undeparted bus */
    assert_string_equal(p[7].name, "");   /* the cancelled flight */
    assert_string_equal(p[9].name, "p9"); /* last day of the window, 23:30 */
}

static int stop_after_two(const roster_row *row, void *ctx)
{
    (void)row;
    return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_callback_stops(void **state)
{
    fixture *f = *state;
    hw_error err;
    int n = 0;
    exec(f, scenario);
    assert_int_equal(roster_each(f->reader, ROSTER_10A, stop_after_two, &n, &err), 42);
    assert_int_equal(n, 2);
}

/* ---------------------------------------------------------------- renderings */

static char *write_mem(fixture *f, int item, export_format fmt, size_t *count)
{
    char *buf = NULL;
    size_t len = 0;
    hw_error err;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    int rc = roster_write(f->reader, fixture_divisions, item, fmt, out, NULL, count, &err);
    if (rc != 0)
        fprintf(stderr, "roster_write: %s\n", err.message);
    assert_int_equal(rc, 0);
    fclose(out);
    return buf;
}

static size_t crlf_lines(const char *s)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, "\r\n")) != NULL; p += 2)
        n++;
    return n;
}

static void test_csv(void **state)
{
    fixture *f = *state;
    size_t count = 0, total = 0;
    exec(f, scenario);
    char *csv = write_mem(f, ROSTER_10D, EXPORT_CSV, &count);
    assert_int_equal(count, 2);
    assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
    assert_non_null(
        strstr(csv, "\"运力\",\"车次\",\"日期\",\"座位\",\"票号\",\"编号\",\"姓名\",\"身份证号\",\"目的地\"\r\n"));
    assert_non_null(strstr(csv, "\"T2\",\"川A1\",\"2027-01-21\",\"1\",\"TK00000004\",\"R4\",\"p4\","
                                "\"5119**********004X\",\"四川省巴中市平昌县\"\r\n"));
    assert_null(strstr(csv, "138")); /* no phones, not even masked */
    assert_int_equal(crlf_lines(csv), 1 + count);
    free(csv);

    csv = write_mem(f, ROSTER_ALL, EXPORT_CSV, &total);
    assert_non_null(strstr(csv, "\xEF\xBB\xBF\"项目\",\"编号\""));
    assert_int_equal(crlf_lines(csv), 1 + total);
    stats_report r;
    hw_error err;
    assert_int_equal(stats_load(f->reader, &r, &err), 0);
    size_t want = (size_t)(r.actual.persons + r.actual.purchases) + 2 /* subsidies inside */;
    for (int k = 0; k < TRANSPORT_NKINDS; k++)
        want += (size_t)r.actual.boarded[k];
    assert_int_equal(total, want);
    assert_non_null(strstr(csv, "\"10G\",\"R10\",\"p10\",\"5119**********000X\",\"四川省巴中市平昌县\",\"\",\"汽车\","
                                "\"\",\"B1\",\"2027-01-30\",\"\",\"\",\"80.00\""));
    assert_non_null(strstr(csv, "\"11A\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"2027-01-05\",\"\",\"\",\"\","
                                "\"甲公司\",\"12345.65\",\"12\"\r\n"));
    assert_null(strstr(csv, "丙公司"));
    free(csv);
}

static void test_json(void **state)
{
    fixture *f = *state;
    size_t count = 0;
    json_error_t jerr;
    exec(f, scenario);
    char *text = write_mem(f, ROSTER_10G, EXPORT_JSON, &count);
    json_t *doc = json_loads(text, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_array_size(doc), count);
    assert_int_equal(count, 4);
    size_t i;
    json_t *o;
    int unknown_fare = 0;
    json_array_foreach(doc, i, o)
    {
        assert_string_equal(json_string_value(json_object_get(o, "item")), "10G");
        assert_non_null(json_object_get(o, "id_number"));
        assert_null(json_object_get(o, "phone"));
        unknown_fare += json_is_null(json_object_get(o, "fare_yuan"));
    }
    assert_int_equal(unknown_fare, 1); /* r10's boat ticket has no fare */
    json_decref(doc);
    free(text);

    text = write_mem(f, ROSTER_11A, EXPORT_JSON, &count);
    doc = json_loads(text, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_array_size(doc), 2);
    o = json_array_get(doc, 0);
    assert_string_equal(json_string_value(json_object_get(o, "amount_yuan")), "12345.65");
    assert_int_equal(json_integer_value(json_object_get(o, "people")), 12);
    assert_true(json_is_null(json_object_get(json_array_get(doc, 1), "people")));
    json_decref(doc);
    free(text);
}

static void test_xlsx_needs_path(void **state)
{
    fixture *f = *state;
    size_t count = 9;
    hw_error err;
    char path[160];
    assert_int_equal(roster_write(f->reader, NULL, ROSTER_ALL, EXPORT_XLSX, NULL, NULL, &count, &err), HW_EINVAL);
    assert_non_null(strstr(err.message, "--out"));
    exec(f, scenario);
    snprintf(path, sizeof path, "%s/register.xlsx", f->dir);
    assert_int_equal(roster_write(f->reader, NULL, ROSTER_ALL, EXPORT_XLSX, NULL, path, &count, &err), 0);
    FILE *x = fopen(path, "rb");
    assert_non_null(x);
    char magic[2];
    assert_int_equal(fread(magic, 1, 2, x), 2);
    assert_memory_equal(magic, "PK", 2); /* a zip */
    fclose(x);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item_parse),
        cmocka_unit_test_setup_teardown(test_rows_equal_figures, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_rows_equal_figures_random, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_upgrade_fills_counters, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_persons_once, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_callback_stops, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_csv, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_json, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_xlsx_needs_path, setup, fixture_free),
    };
    return cmocka_run_group_tests(tests, fixture_divisions_load, fixture_divisions_free);
}
