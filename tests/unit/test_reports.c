/*
 * test_reports.c - unit tests for scheduler/reports.c (digests, child uploads, the outbox, the parent link, this
 * unit's figures with its children's) and the pure parts of scheduler/feed.c (outcomes, backoff, the deadline).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "reports.h"
#include "stats.h"
#include "support/fixture.h"

/* ---------------------------------------------------------------- helpers */

/* A set of figures that differs in every field with `seed`. */
static stats_counts counts_of(int64_t seed, int64_t subsidy_fen)
{
    stats_counts c = {.persons = 100 * seed, .purchases = 3 * seed, .subsidy_fen = subsidy_fen};
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        c.transports[k] = seed + k;
        c.boarded[k] = 10 * (seed + k);
    }
    return c;
}

/* A child unit's upload: reports_upload_json for a unit `code` holding `c`, plus "revision" (0: none). */
static json_t *child_doc(const char *code, const char *name, int64_t revision, const stats_counts *c,
                         const char *generated_at)
{
    stats_report r;
    memset(&r, 0, sizeof r);
    snprintf(r.campaign.unit_code, sizeof r.campaign.unit_code, "%s", code);
    snprintf(r.campaign.unit_name, sizeof r.campaign.unit_name, "%s", name);
    snprintf(r.campaign.name, sizeof r.campaign.name, "%s", "2027年元旦春节送温暖");
    snprintf(r.campaign.from, sizeof r.campaign.from, "%s", "2026-12-22");
    snprintf(r.campaign.to, sizeof r.campaign.to, "%s", "2027-02-16");
    r.actual = *c;
    r.own = *c;
    r.planned = *c;
    json_t *doc = reports_upload_json(&r, generated_at);
    assert_non_null(doc);
    if (revision != 0)
        assert_int_equal(json_object_set_new(doc, "revision", json_integer(revision)), 0);
    return doc;
}

/* Set doc.<a>.<b>[.<c>] (c may be NULL) to `v` (stolen). */
static void set_path(json_t *doc, const char *a, const char *b, const char *c, json_t *v)
{
    json_t *o = json_object_get(doc, a);
    assert_non_null(o);
    if (c == NULL) {
        assert_int_equal(json_object_set_new(o, b, v), 0);
        return;
    }
    o = json_object_get(o, b);
    assert_non_null(o);
    assert_int_equal(json_object_set_new(o, c, v), 0);
}

static bool has_field(const json_t *details, const char *field)
{
    size_t i;
    json_t *d;
    json_array_foreach(details, i, d)
    {
        const char *f = json_string_value(json_object_get(d, "field"));
        const char *reason = json_string_value(json_object_get(d, "reason"));
        assert_non_null(f);
        assert_non_null(reason);
        assert_true(reason[0] != '\0');
        if (strcmp(f, field) == 0)
            return true;
    }
    return false;
}

/* reports_parse_child on `doc` must fail with HW_EINVAL and exactly one problem, at `field`. Consumes doc. */
static void rejects(json_t *doc, const char *field)
{
    stats_child ch;
    json_t *details = NULL;
    hw_error err;
    error_clear(&err);
    int rc = reports_parse_child(doc, &ch, &details, &err);
    if (rc != HW_EINVAL || details == NULL || !has_field(details, field) || json_array_size(details) != 1) {
        char *text = details != NULL ? json_dumps(details, JSON_COMPACT) : NULL;
        fprintf(stderr, "want one problem at %s, got rc %d details %s\n", field, rc, text != NULL ? text : "(null)");
        free(text);
    }
    assert_int_equal(rc, HW_EINVAL);
    assert_string_equal(err.code, "invalid_report");
    assert_non_null(details);
    assert_true(json_is_array(details));
    assert_int_equal(json_array_size(details), 1);
    assert_true(has_field(details, field));
    json_decref(details);
    /* without a details pointer it fails the same way and leaks nothing */
    assert_int_equal(reports_parse_child(doc, &ch, NULL, &err), HW_EINVAL);
    json_decref(doc);
}

static json_t *valid_child(void)
{
    stats_counts c = counts_of(2, 12340000);
    return child_doc("510104", "锦江区总工会", 3, &c, "2027-01-11T09:00:00+08:00");
}

/* ---------------------------------------------------------------- documents (pure) */

static void test_parse_valid(void **state)
{
    (void)state;
    stats_counts c = counts_of(2, 12340000);
    json_t *doc = child_doc("510104", "锦江区总工会", 3, &c, "2027-01-11T09:00:00+08:00");
    char *before = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    stats_child ch;
    json_t *details = (json_t *)1; /* must be reset to NULL */
    hw_error err;
    error_clear(&err);
    assert_int_equal(reports_parse_child(doc, &ch, &details, &err), 0);
    assert_null(details);
    assert_string_equal(ch.unit_code, "510104");
    assert_string_equal(ch.unit_name, "锦江区总工会");
    assert_int_equal(ch.revision, 3);
    assert_string_equal(ch.generated_at, "2027-01-11T09:00:00+08:00");
    assert_string_equal(ch.received_at, "");
    assert_int_equal(ch.counts.persons, c.persons);
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        assert_int_equal(ch.counts.transports[k], c.transports[k]);
        assert_int_equal(ch.counts.boarded[k], c.boarded[k]);
    }
    assert_int_equal(ch.counts.purchases, c.purchases);
    /* "12.34" 万元 = 123,400 元 = 12,340,000 fen (1 万元 = 1,000,000 fen), exactly */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_object_get(doc, "item11"), "A"), "subsidy_wan_yuan")),
        "12.34");
    assert_int_equal(ch.counts.subsidy_fen, 12340000);
    char wan[STATS_WAN_MAX];
    assert_string_equal(stats_fen_to_wan(ch.counts.subsidy_fen, wan, sizeof wan), "12.34");
    char *after = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(before, after); /* the document is not changed */
    free(before);
    free(after);
    json_decref(doc);

    /* figures at the bounds: 0 and exactly 10^9; "0.00" and a large 万元 amount */
    stats_counts z = counts_of(0, 0);
    doc = child_doc("510104", "锦江区总工会", 1, &z, "2027-01-11T09:00:00+08:00");
    set_path(doc, "item10", "G", "tickets", json_integer(1000000000));
    set_path(doc, "item11", "A", "subsidy_wan_yuan", json_string("123456789012.99"));
    assert_int_equal(reports_parse_child(doc, &ch, &details, &err), 0);
    assert_int_equal(ch.counts.purchases, 1000000000);
    assert_int_equal(ch.counts.persons, 0);
    assert_int_equal(ch.counts.subsidy_fen, 12345678901299LL * 10000);
    set_path(doc, "item11", "A", "subsidy_wan_yuan", json_string("0.00"));
    assert_int_equal(reports_parse_child(doc, &ch, &details, &err), 0);
    assert_int_equal(ch.counts.subsidy_fen, 0);
    set_path(doc, "item11", "A", "subsidy_wan_yuan", json_string("0.05"));
    assert_int_equal(reports_parse_child(doc, &ch, &details, &err), 0);
    assert_int_equal(ch.counts.subsidy_fen, 50000);
    json_decref(doc);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    json_t *doc;

    doc = valid_child(); /* no revision */
    json_object_del(doc, "revision");
    rejects(doc, "revision");
    doc = valid_child();
    json_object_set_new(doc, "revision", json_integer(0));
    rejects(doc, "revision");
    doc = valid_child();
    json_object_set_new(doc, "revision", json_integer(-4));
    rejects(doc, "revision");
    doc = valid_child();
    json_object_set_new(doc, "revision", json_string("3"));
    rejects(doc, "revision");
    doc = valid_child();
    json_object_set_new(doc, "revision", json_real(3.0));
    rejects(doc, "revision");

    doc = valid_child(); /* negative figure */
    set_path(doc, "item10", "B", "trains", json_integer(-1));
    rejects(doc, "item10.B.trains");
    doc = valid_child(); /* non-integer figures */
    set_path(doc, "item10", "A", "persons", json_real(1.5));
    rejects(doc, "item10.A.persons");
    doc = valid_child();
    set_path(doc, "item10", "G", "tickets", json_string("9"));
    rejects(doc, "item10.G.tickets");
    doc = valid_child();
    set_path(doc, "item10", "C", "persons", json_null());
    rejects(doc, "item10.C.persons");
    doc = valid_child(); /* missing figure */
    json_object_del(json_object_get(json_object_get(doc, "item10"), "F"), "flights");
    rejects(doc, "item10.F.flights");
    doc = valid_child(); /* above 10^9 */
    set_path(doc, "item10", "D", "persons", json_integer(1000000001));
    rejects(doc, "item10.D.persons");
    doc = valid_child();
    set_path(doc, "item10", "E", "boats", json_integer(INT64_MAX));
    rejects(doc, "item10.E.boats");

    static const char *const bad_wan[] = {"1.2",  "abc",   "-1.00", "1.234", "12",   "",
                                          "1,00", " 1.00", "+1.00", "1.0a",  ".123", "1234567890123.00"};
    for (size_t i = 0; i < sizeof bad_wan / sizeof bad_wan[0]; i++) {
        doc = valid_child();
        set_path(doc, "item11", "A", "subsidy_wan_yuan", json_string(bad_wan[i]));
        rejects(doc, "item11.A.subsidy_wan_yuan");
    }
    doc = valid_child(); /* a number instead of the text */
    set_path(doc, "item11", "A", "subsidy_wan_yuan", json_real(1.5));
    rejects(doc, "item11.A.subsidy_wan_yuan");
    doc = valid_child();
    json_object_del(doc, "item11");
    rejects(doc, "item11.A.subsidy_wan_yuan");

    static const char *const bad_code[] = {"51010", "5101040", "51010a", "ABCDEF"};
    for (size_t i = 0; i < sizeof bad_code / sizeof bad_code[0]; i++) {
        doc = valid_child();
        set_path(doc, "unit", "code", NULL, json_string(bad_code[i]));
        rejects(doc, "unit.code");
    }
    doc = valid_child();
    set_path(doc, "unit", "name", NULL, json_string(""));
    rejects(doc, "unit.name");

    doc = valid_child(); /* missing generated_at */
    json_object_del(doc, "generated_at");
    rejects(doc, "generated_at");
    doc = valid_child();
    json_object_set_new(doc, "generated_at", json_integer(20270111));
    rejects(doc, "generated_at");

    /* several problems at once: one detail each */
    doc = valid_child();
    json_object_del(doc, "revision");
    json_object_del(doc, "generated_at");
    set_path(doc, "item10", "B", "persons", json_integer(-3));
    set_path(doc, "item11", "A", "subsidy_wan_yuan", json_string("1.2"));
    stats_child ch;
    json_t *details = NULL;
    hw_error err;
    assert_int_equal(reports_parse_child(doc, &ch, &details, &err), HW_EINVAL);
    assert_int_equal(json_array_size(details), 4);
    assert_true(has_field(details, "revision"));
    assert_true(has_field(details, "generated_at"));
    assert_true(has_field(details, "item10.B.persons"));
    assert_true(has_field(details, "item11.A.subsidy_wan_yuan"));
    assert_non_null(strstr(err.message, "4"));
    json_decref(details);
    json_decref(doc);

    /* not an object at all */
    json_t *arr = json_array();
    assert_int_equal(reports_parse_child(arr, &ch, &details, &err), HW_EINVAL);
    assert_true(has_field(details, "unit.code"));
    assert_true(has_field(details, "revision"));
    assert_true(json_array_size(details) >= 10);
    json_decref(details);
    json_decref(arr);
}

static void test_digest(void **state)
{
    (void)state;
    stats_counts c = counts_of(4, 1005000);
    json_t *a = child_doc("510104", "锦江区总工会", 0, &c, "2027-01-11T09:00:00+08:00");
    char d1[REPORTS_DIGEST_HEX], d2[REPORTS_DIGEST_HEX];
    reports_digest(a, d1);
    assert_int_equal(strlen(d1), 32);
    assert_int_equal(strspn(d1, "0123456789abcdef"), 32);
    assert_non_null(json_object_get(a, "generated_at")); /* `doc` is not changed */
    reports_digest(a, d2);
    assert_string_equal(d1, d2);

    /* generated_at, revision and planned do not count */
    json_object_set_new(a, "generated_at", json_string("2027-01-12T18:30:00+08:00"));
    reports_digest(a, d2);
    assert_string_equal(d1, d2);
    json_object_set_new(a, "revision", json_integer(7));
    reports_digest(a, d2);
    assert_string_equal(d1, d2);
    assert_int_equal(json_integer_value(json_object_get(a, "revision")), 7);
    json_object_set_new(a, "planned", json_pack("{s:{s:i}}", "A", "persons", 999));
    reports_digest(a, d2);
    assert_string_equal(d1, d2);
    assert_non_null(json_object_get(a, "planned"));

    /* key order does not count: the same document built in another order */
    json_t *b = json_object();
    const char *key;
    json_t *v;
    size_t n = json_object_size(a);
    const char *keys[32];
    size_t i = 0;
    json_object_foreach(a, key, v) keys[i++] = key;
    assert_int_equal(i, n);
    while (i-- > 0)
        json_object_set(b, keys[i], json_object_get(a, keys[i]));
    reports_digest(b, d2);
    assert_string_equal(d1, d2);
    json_decref(b);

    /* any figure changes it */
    static const char *const figures[][2] = {{"A", "persons"}, {"B", "trains"},  {"B", "persons"}, {"C", "carriages"},
                                             {"D", "buses"},   {"E", "persons"}, {"F", "flights"}, {"G", "tickets"}};
    for (size_t f = 0; f < sizeof figures / sizeof figures[0]; f++) {
        json_t *m = json_deep_copy(a);
        json_t *slot = json_object_get(json_object_get(m, "item10"), figures[f][0]);
        json_int_t old = json_integer_value(json_object_get(slot, figures[f][1]));
        json_object_set_new(slot, figures[f][1], json_integer(old + 1));
        reports_digest(m, d2);
        assert_string_not_equal(d1, d2);
        json_decref(m);
    }
    json_t *m = json_deep_copy(a);
    set_path(m, "item11", "A", "subsidy_wan_yuan", json_string("1.02"));
    reports_digest(m, d2);
    assert_string_not_equal(d1, d2);
    json_decref(m);
    m = json_deep_copy(a);
    set_path(m, "unit", "code", NULL, json_string("510105"));
    reports_digest(m, d2);
    assert_string_not_equal(d1, d2);
    json_decref(m);
    json_decref(a);
}

static void test_upload_json(void **state)
{
    (void)state;
    stats_counts c = counts_of(1, 0);
    json_t *doc = child_doc("510104", "锦江区总工会", 0, &c, "2027-01-11T09:00:00+08:00");
    assert_null(json_object_get(doc, "planned"));
    assert_null(json_object_get(doc, "revision"));
    assert_non_null(json_object_get(doc, "item10"));
    assert_non_null(json_object_get(doc, "item11"));
    assert_non_null(json_object_get(doc, "own"));
    assert_true(json_is_array(json_object_get(doc, "children")));
    assert_string_equal(json_string_value(json_object_get(doc, "generated_at")), "2027-01-11T09:00:00+08:00");
    json_decref(doc);
}

/* ---------------------------------------------------------------- children received */

static int setup_store(void **state)
{
    return fixture_new(state, FIXTURE_CAMPAIGN | FIXTURE_READER);
}

/* Run reports_receive for `doc` (parsed and digested as the route does); returns its rc, *job gets the results. */
static int receive(fixture *f, const json_t *doc, reports_receive_job *job, hw_error *err)
{
    memset(job, 0, sizeof *job);
    json_t *details = NULL;
    hw_error perr;
    assert_int_equal(reports_parse_child(doc, &job->child, &details, &perr), 0);
    reports_digest(doc, job->digest);
    job->body = json_dumps(doc, JSON_COMPACT);
    assert_non_null(job->body);
    snprintf(job->received_by, sizeof job->received_by, "%s", "child-jinjiang");
    job->latest_revision = -1;
    error_clear(err);
    int rc = store_write(f->s, reports_receive, job, err);
    free(job->body);
    job->body = NULL;
    return rc;
}

static void test_receive(void **state)
{
    fixture *f = *state;
    reports_receive_job job;
    hw_error err;
    stats_counts c1 = counts_of(1, 1000000), c2 = counts_of(5, 20000);

    json_t *r1 = child_doc("510104", "锦江区总工会", 1, &c1, "2027-01-11T09:00:00+08:00");
    assert_int_equal(receive(f, r1, &job, &err), 0);
    assert_true(job.stored);
    assert_int_equal(job.latest_revision, 1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports"), 1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports WHERE unit_code = '510104' AND "
                                             "revision = 1 AND unit_name = '锦江区总工会' AND received_by = "
                                             "'child-jinjiang' AND received_at <> '' AND length(digest) = 32"),
                     1);

    /* the same revision again, regenerated later with the same figures: a duplicate */
    json_object_set_new(r1, "generated_at", json_string("2027-01-11T10:00:00+08:00"));
    assert_int_equal(receive(f, r1, &job, &err), 0);
    assert_false(job.stored);
    assert_int_equal(job.latest_revision, 1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports"), 1);

    /* revision 3 */
    json_t *r3 = child_doc("510104", "锦江区总工会", 3, &c2, "2027-01-12T09:00:00+08:00");
    assert_int_equal(receive(f, r3, &job, &err), 0);
    assert_true(job.stored);
    assert_int_equal(job.latest_revision, 3);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports"), 2);

    /* revision 1 again with other figures: a conflict, nothing written */
    json_t *r1b = child_doc("510104", "锦江区总工会", 1, &c2, "2027-01-12T09:00:00+08:00");
    assert_int_equal(receive(f, r1b, &job, &err), HW_ECONFLICT);
    assert_string_equal(err.code, "revision_conflict");
    assert_int_equal(job.latest_revision, 3);
    assert_false(job.stored);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports"), 2);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports WHERE revision = 1 AND body LIKE "
                                             "'%\"generated_at\":\"2027-01-11T09:00:00+08:00\"%'"),
                     1);

    /* a lower revision arriving late is kept, but the latest stays 3 */
    json_t *r2 = child_doc("510104", "锦江区总工会", 2, &c1, "2027-01-11T12:00:00+08:00");
    assert_int_equal(receive(f, r2, &job, &err), 0);
    assert_true(job.stored);
    assert_int_equal(job.latest_revision, 3);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports"), 3);
    stats_report r;
    assert_int_equal(reports_load(f->reader, &r, &err), 0);
    assert_int_equal(r.nchildren, 1);
    assert_int_equal(r.children[0].revision, 3);
    assert_int_equal(r.children[0].counts.persons, c2.persons);
    stats_report_free(&r);

    /* another unit's revision 1 is independent of 510104's */
    json_t *o1 = child_doc("510107", "武侯区总工会", 1, &c2, "2027-01-12T09:00:00+08:00");
    assert_int_equal(receive(f, o1, &job, &err), 0);
    assert_true(job.stored);
    assert_int_equal(job.latest_revision, 1);

    /* this unit's own code */
    json_t *own = child_doc("510100", "成都市总工会", 1, &c1, "2027-01-12T09:00:00+08:00");
    assert_int_equal(receive(f, own, &job, &err), HW_EINVAL);
    assert_string_equal(err.code, "own_unit");
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports WHERE unit_code = '510100'"), 0);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM child_reports"), 4);

    json_decref(r1);
    json_decref(r1b);
    json_decref(r2);
    json_decref(r3);
    json_decref(o1);
    json_decref(own);
}

/* ---------------------------------------------------------------- this unit's figures */

static void exec_sql(fixture *f, const char *sql)
{
    hw_error err;
    int rc = store_write(f->s, fixture_exec_job, (void *)sql, &err);
    if (rc != 0)
        fprintf(stderr, "sql: %s %s\n", err.code, err.message);
    assert_int_equal(rc, 0);
}

static void counts_equal(const stats_counts *a, const stats_counts *b)
{
    assert_int_equal(a->persons, b->persons);
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        assert_int_equal(a->transports[k], b->transports[k]);
        assert_int_equal(a->boarded[k], b->boarded[k]);
    }
    assert_int_equal(a->purchases, b->purchases);
    assert_int_equal(a->subsidy_fen, b->subsidy_fen);
}

static void test_load_no_children(void **state)
{
    fixture *f = *state;
    stats_report r;
    hw_error err;
    assert_int_equal(reports_load(f->reader, &r, &err), 0);
    assert_string_equal(r.campaign.unit_code, "510100");
    assert_int_equal(r.nchildren, 0);
    assert_null(r.children);
    counts_equal(&r.actual, &r.own);
    stats_report_free(&r);
}

static void test_load_children(void **state)
{
    fixture *f = *state;
    reports_receive_job job;
    hw_error err;
    /* own: one person holding a purchase, 5,000 fen of subsidy (0.005 万元) */
    exec_sql(f, "INSERT INTO registrations(id, campaign_id, name, id_index, id_sealed, id_masked, destination, "
                " created_at, updated_at) VALUES (1, (SELECT max(id) FROM campaign), 'p1', randomblob(16), x'00', "
                " '5119**********000X', '511923', 'now', 'now');"
                "INSERT INTO purchases(campaign_id, registration_id, mode, service, travel_date, refunded, created_at)"
                " VALUES ((SELECT max(id) FROM campaign), 1, 'train', 'K1', '2027-01-20', 0, 'now');"
                "INSERT INTO subsidies(campaign_id, employer, amount_fen, date, created_at) VALUES"
                " ((SELECT max(id) FROM campaign), '甲公司', 5000, '2027-01-05', 'now');");

    stats_counts a1 = counts_of(3, 9990000), a2 = counts_of(4, 600000), b1 = counts_of(7, 400000);
    /* received out of order: 510107 first, then 510104 revisions 1 and 2 */
    json_t *db1 = child_doc("510107", "武侯区总工会", 1, &b1, "2027-01-12T08:00:00+08:00");
    json_t *da1 = child_doc("510104", "锦江区总工会", 1, &a1, "2027-01-11T08:00:00+08:00");
    json_t *da2 = child_doc("510104", "锦江区总工会", 2, &a2, "2027-01-12T09:00:00+08:00");
    assert_int_equal(receive(f, db1, &job, &err), 0);
    assert_int_equal(receive(f, da1, &job, &err), 0);
    assert_int_equal(receive(f, da2, &job, &err), 0);
    json_decref(db1);
    json_decref(da1);
    json_decref(da2);
    /* a latest row that no longer parses is not counted */
    exec_sql(f, "INSERT INTO child_reports(unit_code, unit_name, revision, digest, body, received_at) VALUES"
                " ('510108', '青羊区总工会', 1, 'x', '{\"unit\":{\"code\":\"510108\"}}', 'now')");

    stats_report r;
    assert_int_equal(reports_load(f->reader, &r, &err), 0);
    assert_int_equal(r.own.persons, 1);
    assert_int_equal(r.own.purchases, 1);
    assert_int_equal(r.own.subsidy_fen, 5000);
    assert_int_equal(r.nchildren, 2);
    assert_non_null(r.children);
    assert_string_equal(r.children[0].unit_code, "510104");
    assert_string_equal(r.children[0].unit_name, "锦江区总工会");
    assert_int_equal(r.children[0].revision, 2);
    assert_string_equal(r.children[0].generated_at, "2027-01-12T09:00:00+08:00");
    assert_true(r.children[0].received_at[0] != '\0');
    counts_equal(&r.children[0].counts, &a2);
    assert_string_equal(r.children[1].unit_code, "510107");
    assert_int_equal(r.children[1].revision, 1);
    counts_equal(&r.children[1].counts, &b1);

    stats_counts want = r.own;
    stats_add(&want, &a2);
    stats_add(&want, &b1);
    counts_equal(&r.actual, &want);
    assert_int_equal(r.actual.persons, 1 + 400 + 700);
    assert_int_equal(r.actual.subsidy_fen, 5000 + 600000 + 400000);

    /* 11(A): own 5,000 fen ("0.01" alone) + children "0.60" + "0.40" = 1,005,000 fen, half up "1.01" */
    json_t *doc = stats_report_json(&r, "2027-01-12T10:00:00+08:00");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_object_get(doc, "item11"), "A"), "subsidy_wan_yuan")),
        "1.01");
    json_t *own = json_object_get(doc, "own");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_object_get(own, "item11"), "A"), "subsidy_wan_yuan")),
        "0.01");
    json_t *children = json_object_get(doc, "children");
    assert_int_equal(json_array_size(children), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_array_get(children, 0), "unit"), "code")), "510104");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(children, 0), "revision")), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_object_get(json_array_get(children, 1), "item11"), "A"),
                                          "subsidy_wan_yuan")),
        "0.40");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(json_object_get(doc, "item10"), "A"), "persons")), 1101);
    json_decref(doc);

    /* what this unit sends upward parses back as a child (with a revision) to the same figures */
    json_t *up = reports_upload_json(&r, "2027-01-12T10:00:00+08:00");
    json_object_set_new(up, "revision", json_integer(1));
    stats_child back;
    json_t *details = NULL;
    assert_int_equal(reports_parse_child(up, &back, &details, &err), 0);
    assert_string_equal(back.unit_code, "510100");
    assert_int_equal(back.counts.persons, r.actual.persons);
    assert_int_equal(back.counts.subsidy_fen, 1010000); /* "1.01" as reported */
    json_decref(up);

    stats_report_free(&r);
    assert_null(r.children);
    assert_int_equal(r.nchildren, 0);
    stats_report_free(&r); /* twice is harmless */
    stats_report_free(NULL);
}

/* ---------------------------------------------------------------- the outbox */

static json_t *own_doc(int64_t seed, const char *generated_at)
{
    stats_counts c = counts_of(seed, 10000 * seed);
    return child_doc("510100", "成都市总工会", 0, &c, generated_at);
}

static reports_outbox_job outbox_add(fixture *f, json_t *doc, int64_t min_revision, bool force)
{
    hw_error err;
    reports_outbox_job job = {.doc = doc, .min_revision = min_revision, .force = force, .revision = -1};
    int rc = store_write(f->s, reports_outbox_add, &job, &err);
    if (rc != 0)
        fprintf(stderr, "outbox_add: %s %s\n", err.code, err.message);
    assert_int_equal(rc, 0);
    return job;
}

static void outbox_result(fixture *f, int64_t revision, bool sent, const char *error)
{
    hw_error err;
    reports_result_job job = {.revision = revision, .sent = sent};
    snprintf(job.error, sizeof job.error, "%s", error);
    assert_int_equal(store_write(f->s, reports_outbox_result, &job, &err), 0);
}

static void test_outbox(void **state)
{
    fixture *f = *state;
    hw_error err;
    reports_pending p;
    reports_status st;

    assert_int_equal(reports_outbox_next(f->reader, &p, &err), HW_ENOTFOUND);
    assert_string_equal(err.code, "nothing_pending");
    reports_pending_free(&p);
    assert_int_equal(reports_status_read(f->reader, &st, &err), 0);
    assert_int_equal(st.latest, 0);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.pending, 0);
    assert_string_equal(st.sent_at, "");
    assert_string_equal(st.last_error, "");

    /* first: revision 1 */
    json_t *d1 = own_doc(1, "2027-01-11T09:00:00+08:00");
    reports_outbox_job j = outbox_add(f, d1, 0, false);
    assert_true(j.created);
    assert_int_equal(j.revision, 1);
    assert_int_equal(json_integer_value(json_object_get(d1, "revision")), 1);
    assert_int_equal(reports_outbox_next(f->reader, &p, &err), 0);
    assert_int_equal(p.revision, 1);
    assert_int_equal(p.attempts, 0);
    assert_non_null(strstr(p.body, "\"revision\":1"));
    json_t *body = json_loads(p.body, 0, NULL);
    assert_non_null(body);
    char dd[REPORTS_DIGEST_HEX], db[REPORTS_DIGEST_HEX];
    reports_digest(d1, dd);
    reports_digest(body, db);
    assert_string_equal(dd, db);
    json_decref(body);
    reports_pending_free(&p);
    assert_null(p.body);
    assert_int_equal(reports_status_read(f->reader, &st, &err), 0);
    assert_int_equal(st.latest, 1);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.pending, 1);
    assert_int_equal(st.attempts, 0);

    /* the same figures regenerated later: nothing new */
    json_t *d1b = own_doc(1, "2027-01-11T09:05:00+08:00");
    j = outbox_add(f, d1b, 0, false);
    assert_false(j.created);
    assert_int_equal(j.revision, 1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM report_outbox"), 1);

    /* a changed figure: revision 2, the unsent revision 1 superseded */
    json_t *d2 = own_doc(2, "2027-01-11T09:10:00+08:00");
    j = outbox_add(f, d2, 0, false);
    assert_true(j.created);
    assert_int_equal(j.revision, 2);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM report_outbox"), 2);
    assert_int_equal(fixture_store_int(f->s, "SELECT superseded_at IS NOT NULL FROM report_outbox WHERE revision = 1"),
                     1);
    assert_int_equal(fixture_store_int(f->s, "SELECT superseded_at IS NULL FROM report_outbox WHERE revision = 2"), 1);
    assert_int_equal(reports_outbox_next(f->reader, &p, &err), 0);
    assert_int_equal(p.revision, 2);
    reports_pending_free(&p);

    /* a failed attempt counts and keeps its error */
    outbox_result(f, 2, false, "HTTP 503");
    outbox_result(f, 2, false, "无法连接上级单位 (cannot reach the parent)");
    assert_int_equal(fixture_store_int(f->s, "SELECT attempts FROM report_outbox WHERE revision = 2"), 2);
    assert_int_equal(fixture_store_int(f->s, "SELECT sent_at IS NULL FROM report_outbox WHERE revision = 2"), 1);
    assert_int_equal(reports_outbox_next(f->reader, &p, &err), 0);
    assert_int_equal(p.revision, 2);
    assert_int_equal(p.attempts, 2);
    reports_pending_free(&p);
    assert_int_equal(reports_status_read(f->reader, &st, &err), 0);
    assert_int_equal(st.latest, 2);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.pending, 2);
    assert_int_equal(st.attempts, 2);
    assert_string_equal(st.last_error, "无法连接上级单位 (cannot reach the parent)");
    assert_string_equal(st.sent_at, "");

    /* sent */
    outbox_result(f, 2, true, "");
    assert_int_equal(fixture_store_int(f->s, "SELECT sent_at IS NOT NULL FROM report_outbox WHERE revision = 2"), 1);
    assert_int_equal(fixture_store_int(f->s, "SELECT last_error IS NULL FROM report_outbox WHERE revision = 2"), 1);
    assert_int_equal(reports_outbox_next(f->reader, &p, &err), HW_ENOTFOUND);
    reports_pending_free(&p);
    assert_int_equal(reports_status_read(f->reader, &st, &err), 0);
    assert_int_equal(st.latest, 2);
    assert_int_equal(st.sent, 2);
    assert_true(st.sent_at[0] != '\0');
    assert_int_equal(st.pending, 0);
    assert_int_equal(st.attempts, 0);
    assert_string_equal(st.last_error, "");
    /* a late failure report for a sent revision changes nothing */
    outbox_result(f, 2, false, "late");
    assert_int_equal(fixture_store_int(f->s, "SELECT attempts FROM report_outbox WHERE revision = 2"), 2);
    assert_int_equal(fixture_store_int(f->s, "SELECT last_error IS NULL FROM report_outbox WHERE revision = 2"), 1);

    /* the same figures again after sending: nothing new */
    json_t *d2b = own_doc(2, "2027-01-11T10:00:00+08:00");
    j = outbox_add(f, d2b, 0, false);
    assert_false(j.created);
    assert_int_equal(j.revision, 2);

    /* after the parent's revision_conflict: at least revision 10, even with the same figures */
    j = outbox_add(f, d2b, 10, true);
    assert_true(j.created);
    assert_int_equal(j.revision, 10);
    assert_int_equal(json_integer_value(json_object_get(d2b, "revision")), 10);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM report_outbox"), 3);
    /* the sent revision 2 is not marked superseded */
    assert_int_equal(fixture_store_int(f->s, "SELECT superseded_at IS NULL FROM report_outbox WHERE revision = 2"), 1);
    assert_int_equal(reports_outbox_next(f->reader, &p, &err), 0);
    assert_int_equal(p.revision, 10);
    assert_non_null(strstr(p.body, "\"revision\":10"));
    reports_pending_free(&p);

    /* force with the same figures and no minimum: the next number */
    j = outbox_add(f, d2b, 0, true);
    assert_true(j.created);
    assert_int_equal(j.revision, 11);
    assert_int_equal(fixture_store_int(f->s, "SELECT superseded_at IS NOT NULL FROM report_outbox WHERE revision = 10"),
                     1);
    /* a minimum above the newest with the same figures still adds a revision */
    j = outbox_add(f, d2b, 15, false);
    assert_true(j.created);
    assert_int_equal(j.revision, 15);
    /* a minimum at or below the newest with the same figures adds nothing */
    j = outbox_add(f, d2b, 15, false);
    assert_false(j.created);
    assert_int_equal(j.revision, 15);
    assert_int_equal(reports_status_read(f->reader, &st, &err), 0);
    assert_int_equal(st.latest, 15);
    assert_int_equal(st.sent, 2);
    assert_int_equal(st.pending, 15);
    assert_int_equal(st.attempts, 0);

    reports_pending_free(NULL);
    json_decref(d1);
    json_decref(d1b);
    json_decref(d2);
    json_decref(d2b);
}

/* ---------------------------------------------------------------- the parent link */

static const char TOKEN[] = "hw_AbCdEfGhIjKlMnOpQrStUvWxyz";

static void test_parent_link(void **state)
{
    fixture *f = *state;
    hw_error err;
    reports_parent p;

    assert_int_equal(reports_parent_get(f->reader, &f->v, &p, &err), HW_ENOTFOUND);
    assert_string_equal(err.code, "no_parent");

    reports_parent_job job = {.vault = &f->v, .url = "https://report.sc.example/", .token = TOKEN};
    assert_int_equal(store_write(f->s, reports_parent_set, &job, &err), 0);
    assert_int_equal(reports_parent_get(f->reader, &f->v, &p, &err), 0);
    assert_string_equal(p.url, "https://report.sc.example/");
    assert_string_equal(p.token, TOKEN);

    /* the token is sealed, not kept in clear */
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM unit WHERE parent_token IS NOT NULL"), 1);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM unit WHERE instr(parent_token, "
                                             "'hw_AbCdEfGhIjKlMnOpQrStUvWxyz') > 0 OR instr(parent_token, "
                                             "'CdEfGhIj') > 0"),
                     0);
    assert_int_equal(fixture_store_int(f->s, "SELECT count(*) FROM unit WHERE instr(CAST(parent_token AS BLOB), "
                                             "CAST('GhIjKl' AS BLOB)) > 0"),
                     0);

    /* set again: replaced */
    job.url = "http://10.0.0.7:8080";
    job.token = "hw_second_token_42";
    assert_int_equal(store_write(f->s, reports_parent_set, &job, &err), 0);
    assert_int_equal(reports_parent_get(f->reader, &f->v, &p, &err), 0);
    assert_string_equal(p.url, "http://10.0.0.7:8080");
    assert_string_equal(p.token, "hw_second_token_42");

    /* an invalid link is refused and the old one kept */
    job.url = "ftp://x";
    assert_int_equal(store_write(f->s, reports_parent_set, &job, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_url");
    job.url = "https://ok.example";
    job.token = "abc";
    assert_int_equal(store_write(f->s, reports_parent_set, &job, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_token");
    assert_int_equal(reports_parent_get(f->reader, &f->v, &p, &err), 0);
    assert_string_equal(p.url, "http://10.0.0.7:8080");
    assert_string_equal(p.token, "hw_second_token_42");

    /* another key file cannot unseal it */
    char other_key[128];
    vault other;
    snprintf(other_key, sizeof other_key, "%s/other.key", f->dir);
    assert_int_equal(vault_open(other_key, &other, &err), 0);
    assert_int_not_equal(reports_parent_get(f->reader, &other, &p, &err), 0);
    assert_string_not_equal(p.token, "hw_second_token_42");
    vault_wipe(&other);

    /* a damaged column */
    exec_sql(f, "UPDATE unit SET parent_token = '!!not base64!!'");
    assert_int_equal(reports_parent_get(f->reader, &f->v, &p, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_parent_token");
}

static void test_parent_set_uninitialized(void **state)
{
    (void)state;
    fixture f;
    hw_error err;
    assert_int_equal(fixture_open(&f, FIXTURE_STORE | FIXTURE_VAULT | FIXTURE_READER), 0);
    reports_parent_job job = {.vault = &f.v, .url = "https://report.sc.example/", .token = TOKEN};
    assert_int_equal(store_write(f.s, reports_parent_set, &job, &err), HW_ENOTFOUND);
    assert_string_equal(err.code, "not_initialized");
    reports_parent p;
    assert_int_equal(reports_parent_get(f.reader, &f.v, &p, &err), HW_ENOTFOUND);
    fixture_close(&f);
}

static void test_parent_validate(void **state)
{
    (void)state;
    hw_error err;
    assert_int_equal(reports_parent_validate("https://report.sc.example/", TOKEN, &err), 0);
    assert_int_equal(reports_parent_validate("http://x", "12345678", &err), 0);

    static const char *const bad_urls[] = {"ftp://x",     "http://a b",  "",        "report.sc.example",
                                           "https://x\n", "http://a\tb", "https:/x"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        error_clear(&err);
        assert_int_equal(reports_parent_validate(bad_urls[i], TOKEN, &err), HW_EINVAL);
        assert_string_equal(err.code, "bad_url");
    }
    assert_int_equal(reports_parent_validate(NULL, TOKEN, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_url");
    char long_url[REPORTS_URL_MAX + 8];
    memset(long_url, 'a', sizeof long_url - 1);
    long_url[sizeof long_url - 1] = '\0';
    memcpy(long_url, "https://", 8);
    assert_int_equal(reports_parent_validate(long_url, TOKEN, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_url");

    static const char *const bad_tokens[] = {"abc",
                                             "",
                                             "1234567",
                                             "hw_abc def123",
                                             "hw_abc\tdef123",
                                             "hw_abcdef\n",
                                             "hw_abcdéf12",
                                             "hw_abc\x7f"
                                             "def"};
    for (size_t i = 0; i < sizeof bad_tokens / sizeof bad_tokens[0]; i++) {
        error_clear(&err);
        assert_int_equal(reports_parent_validate("https://x", bad_tokens[i], &err), HW_EINVAL);
        assert_string_equal(err.code, "bad_token");
    }
    assert_int_equal(reports_parent_validate("https://x", NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_token");
    char tok[REPORTS_TOKEN_MAX + 1];
    memset(tok, 'k', REPORTS_TOKEN_MAX - 1);
    tok[REPORTS_TOKEN_MAX - 1] = '\0';
    assert_int_equal(reports_parent_validate("https://x", tok, &err), 0); /* 127 characters fit */
    tok[REPORTS_TOKEN_MAX - 1] = 'k';
    tok[REPORTS_TOKEN_MAX] = '\0';
    assert_int_equal(reports_parent_validate("https://x", tok, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_token");
}

static void test_token_mask(void **state)
{
    (void)state;
    char buf[64];
    reports_token_mask(TOKEN, buf, sizeof buf);
    assert_string_equal(buf, "hw_Ab…yz");
    assert_null(strstr(buf, "CdEf"));
    reports_token_mask("0123456789", buf, sizeof buf);
    assert_string_equal(buf, "01234…89");
    /* short tokens: nothing at all shown */
    static const char *const shorts[] = {"", "abc", "hw_ab", "123456789"};
    for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++) {
        reports_token_mask(shorts[i], buf, sizeof buf);
        assert_string_equal(buf, "***");
    }
    /* never more than the 7 outer characters of any token */
    char tok[REPORTS_TOKEN_MAX];
    for (size_t len = 10; len < sizeof tok; len++) {
        for (size_t i = 0; i < len; i++)
            tok[i] = (char)('A' + i % 26);
        tok[len] = '\0';
        reports_token_mask(tok, buf, sizeof buf);
        assert_int_equal(strlen(buf), 5 + strlen("…") + 2);
        assert_memory_equal(buf, tok, 5);
        assert_string_equal(buf + 5 + strlen("…"), tok + len - 2);
    }
    /* a small buffer is truncated, never overrun */
    char small[4] = {'x', 'x', 'x', 'x'};
    reports_token_mask(TOKEN, small, 3);
    assert_int_equal(small[2], '\0');
    assert_int_equal(small[3], 'x');
}

/* ---------------------------------------------------------------- feed: pure parts */

static void test_backoff(void **state)
{
    (void)state;
    srand(20270112);
    static const struct {
        uint64_t base, max;
    } cases[] = {{2000, 600000}, {1000, 60000}, {50, 3600000}, {1, 1}, {7, 100}, {5000, 3000}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t base = cases[c].base, max = cases[c].max, prev_low = 0;
        for (int n = 1; n <= 30; n++) {
            uint64_t d = base; /* min(max, base * 2^(n-1)) without overflow */
            for (int i = 1; i < n && d < max; i++)
                d *= 2;
            if (d > max)
                d = max;
            uint32_t rnds[8] = {
                0, 1, 2, UINT32_MAX, UINT32_MAX - 1, 0x80000000u, (uint32_t)rand(), (uint32_t)rand() * 2654435761u};
            for (size_t r = 0; r < 8; r++) {
                uint64_t w = feed_backoff_ms(n, base, max, rnds[r]);
                if (w < d / 2 || w > d)
                    fprintf(stderr, "base %llu max %llu n %d rnd %u: %llu not in [%llu, %llu]\n",
                            (unsigned long long)base, (unsigned long long)max, n, rnds[r], (unsigned long long)w,
                            (unsigned long long)(d / 2), (unsigned long long)d);
                assert_true(w >= d / 2);
                assert_true(w <= d);
                assert_true(w <= max);
            }
            /* the lowest wait (rnd 0) is half the delay: it grows until the cap, then stays */
            uint64_t low = feed_backoff_ms(n, base, max, 0);
            assert_int_equal(low, d / 2);
            assert_true(low >= prev_low);
            prev_low = low;
        }
        assert_int_equal(feed_backoff_ms(30, base, max, 0), max / 2); /* the cap is reached in every case above */
    }
    /* exact doubling below the cap */
    assert_int_equal(feed_backoff_ms(1, 1000, 600000, 0), 500);
    assert_int_equal(feed_backoff_ms(2, 1000, 600000, 0), 1000);
    assert_int_equal(feed_backoff_ms(3, 1000, 600000, 0), 2000);
    assert_int_equal(feed_backoff_ms(4, 1000, 600000, 0), 4000);
    assert_int_equal(feed_backoff_ms(10, 1000, 600000, 0), 256000);
    assert_int_equal(feed_backoff_ms(11, 1000, 600000, 0), 300000); /* 1,024,000 capped at 600,000 */
    /* the whole jitter range is used: d = 1000, half 500, 501 values */
    assert_int_equal(feed_backoff_ms(1, 1000, 600000, 500), 1000);
    assert_int_equal(feed_backoff_ms(1, 1000, 600000, 501), 500);
    assert_int_equal(feed_backoff_ms(1, 1000, 600000, 250), 750);
    /* a huge failure count does not overflow */
    uint64_t w = feed_backoff_ms(1000000, 2000, 600000, UINT32_MAX);
    assert_true(w >= 300000 && w <= 600000);
    /* zero base: no wait */
    assert_int_equal(feed_backoff_ms(5, 0, 600000, 12345), 0);
}

static void outcome(CURLcode rc, long status, const char *body, feed_outcome *o)
{
    memset(o, 0x5a, sizeof *o); /* everything must be set */
    feed_read_outcome(rc, status, body, o);
}

static bool retryable(const feed_outcome *o)
{
    return !o->stored && !o->conflict && !o->permanent;
}

static void test_read_outcome(void **state)
{
    (void)state;
    feed_outcome o;

    outcome(CURLE_COULDNT_CONNECT, 0, NULL, &o);
    assert_false(o.stored);
    assert_false(o.duplicate);
    assert_false(o.conflict);
    assert_false(o.permanent);
    assert_true(retryable(&o));
    assert_int_equal(o.http_status, 0);
    assert_true(o.error[0] != '\0');
    assert_non_null(memchr(o.error, '\0', sizeof o.error));
    outcome(CURLE_OPERATION_TIMEDOUT, 200, "{\"stored\":true}", &o); /* a status without a finished transfer */
    assert_false(o.stored);
    assert_int_equal(o.http_status, 0);
    assert_true(retryable(&o));

    outcome(CURLE_OK, 201, "{\"stored\":true,\"revision\":3}", &o);
    assert_true(o.stored);
    assert_false(o.duplicate);
    assert_false(o.conflict);
    assert_false(o.permanent);
    assert_int_equal(o.http_status, 201);
    outcome(CURLE_OK, 200, "{\"stored\":true}", &o);
    assert_true(o.stored);
    assert_false(o.duplicate);

    outcome(CURLE_OK, 200, "{\"stored\":false,\"duplicate\":true}", &o);
    assert_true(o.stored);
    assert_true(o.duplicate);
    assert_false(o.conflict);
    assert_false(o.permanent);
    assert_int_equal(o.http_status, 200);

    outcome(CURLE_OK, 409,
            "{\"error\":{\"code\":\"revision_conflict\",\"message\":\"m\",\"details\":[{\"latest_revision\":7}]}}", &o);
    assert_false(o.stored);
    assert_true(o.conflict);
    assert_false(o.permanent);
    assert_int_equal(o.latest_revision, 7);
    assert_int_equal(o.http_status, 409);
    assert_true(o.error[0] != '\0');

    /* another 409 is a permanent refusal, not a conflict */
    outcome(CURLE_OK, 409, "{\"error\":{\"code\":\"own_unit\",\"message\":\"wrong unit\"}}", &o);
    assert_false(o.conflict);
    assert_false(o.stored);
    assert_true(o.permanent);
    assert_non_null(strstr(o.error, "409"));
    assert_non_null(strstr(o.error, "wrong unit"));

    static const long permanent[] = {400, 401, 403, 404, 413, 422};
    for (size_t i = 0; i < sizeof permanent / sizeof permanent[0]; i++) {
        outcome(CURLE_OK, permanent[i], "{\"error\":{\"code\":\"x\",\"message\":\"no\"}}", &o);
        assert_false(o.stored);
        assert_false(o.conflict);
        assert_true(o.permanent);
        assert_int_equal(o.http_status, permanent[i]);
        outcome(CURLE_OK, permanent[i], NULL, &o);
        assert_true(o.permanent);
    }
    static const long transient[] = {500, 502, 503, 504, 429, 408};
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) {
        outcome(CURLE_OK, transient[i], "{\"error\":{\"code\":\"busy\",\"message\":\"later\"}}", &o);
        assert_false(o.stored);
        assert_false(o.permanent);
        assert_false(o.conflict);
        assert_true(retryable(&o));
        assert_int_equal(o.http_status, transient[i]);
        char status[8];
        snprintf(status, sizeof status, "%ld", transient[i]);
        assert_non_null(strstr(o.error, status));
        assert_non_null(strstr(o.error, "later"));
    }

    /* 200 that is not the answer of a homeward */
    outcome(CURLE_OK, 200, "<html>captive portal</html>", &o);
    assert_false(o.stored);
    assert_false(o.duplicate);
    assert_false(o.permanent);
    assert_true(o.error[0] != '\0');
    outcome(CURLE_OK, 200, NULL, &o);
    assert_false(o.stored);
    outcome(CURLE_OK, 200, "", &o);
    assert_false(o.stored);
    outcome(CURLE_OK, 200, "{\"stored\":\"yes\"}", &o);
    assert_false(o.stored);
    outcome(CURLE_OK, 201, "[true]", &o);
    assert_false(o.stored);
    /* a redirect is neither stored nor permanent */
    outcome(CURLE_OK, 302, "", &o);
    assert_false(o.stored);
    assert_false(o.permanent);
    /* a 409 conflict without details: conflict, latest 0 */
    outcome(CURLE_OK, 409, "{\"error\":{\"code\":\"revision_conflict\"}}", &o);
    assert_true(o.conflict);
    assert_int_equal(o.latest_revision, 0);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), by counting: no library time functions. */
static int64_t days_from_civil(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += (yy % 4 == 0 && (yy % 100 != 0 || yy % 400 == 0)) ? 366 : 365;
    for (int mm = 1; mm < m; mm++)
        days += mdays[mm - 1] + (mm == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 1 : 0);
    return days + d - 1;
}

static void test_deadline_end(void **state)
{
    (void)state;
    hw_error err;
    time_t t = 0;
    /* 2027-01-13T00:00:00+08:00 = 2027-01-12T16:00:00Z = 1799769600 (date -u -d '2027-01-12 16:00' +%s) */
    assert_int_equal(feed_deadline_end("2027-01-12", &t, &err), 0);
    assert_int_equal((int64_t)t, 1799769600);
    /* checked independently: days since 1970-01-01 to 2027-01-13, minus 8 hours */
    assert_int_equal((int64_t)t, days_from_civil(2027, 1, 13) * 86400 - 8 * 3600);
    assert_int_equal(feed_deadline_end("2026-12-31", &t, &err), 0); /* the year turns */
    assert_int_equal((int64_t)t, 1798732800);
    assert_int_equal(feed_deadline_end("2028-02-29", &t, &err), 0); /* a leap day ends at 1 March */
    assert_int_equal((int64_t)t, 1835452800);
    assert_int_equal(feed_deadline_end("2027-02-16", &t, &err), 0);
    assert_int_equal((int64_t)t, 1802793600);

    static const char *const bad[] = {"",
                                      "2027-1-12",
                                      "2027-01-32",
                                      "2027-02-29",
                                      "2027-13-01",
                                      "2027/01/12",
                                      "2027-01-12T00:00:00+08:00",
                                      "2027-01-12 ",
                                      "abcd-ef-gh",
                                      "20270112"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        error_clear(&err);
        t = 42;
        assert_int_equal(feed_deadline_end(bad[i], &t, &err), HW_EINVAL);
        assert_int_equal(err.rc, HW_EINVAL);
        assert_true(err.code[0] != '\0');
    }
    assert_int_equal(feed_deadline_end(NULL, &t, &err), HW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_upload_json),
        cmocka_unit_test_setup_teardown(test_receive, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_load_no_children, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_load_children, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_outbox, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_parent_link, setup_store, fixture_free),
        cmocka_unit_test(test_parent_set_uninitialized),
        cmocka_unit_test(test_parent_validate),
        cmocka_unit_test(test_token_mask),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_read_outcome),
        cmocka_unit_test(test_deadline_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
