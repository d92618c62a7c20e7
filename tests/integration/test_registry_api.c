/* test_registry_api.c - the record API end to end: registrations, transports, purchases, subsidies on a real daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define MAX_SECRETS 32

/* A daemon with a campaign (2027-01-10..2027-02-28) and one user per role. */
typedef struct fixture {
    harness *h;
    char admin[HARNESS_TOKEN_MAX], coord[HARNESS_TOKEN_MAX], station[HARNESS_TOKEN_MAX], reporter[HARNESS_TOKEN_MAX];
    /* plaintext id numbers and phones sent in this test: no answer but an admin's reveal may hold one */
    char secrets[MAX_SECRETS][24];
    int nsecrets;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL || (f->h = harness_new()) == NULL)
        return -1;
    if (harness_init_campaign(f->h, "2027年元旦春节送温暖") != 0 ||
        harness_add_user(f->h, "boss", "admin", NULL, f->admin) != 0 ||
        harness_add_user(f->h, "clerk", "coordinator", NULL, f->coord) != 0 ||
        harness_add_user(f->h, "east", "station", "成都东站", f->station) != 0 ||
        harness_add_user(f->h, "viewer", "reporter", NULL, f->reporter) != 0 || harness_start_server(f->h, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f != NULL)
        harness_free(f->h);
    free(f);
    return 0;
}

/* An 18-character id number with a correct GB 11643 check character from its first 17 digits. */
static void make_id(const char *first17, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char checks[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weights[i];
    memcpy(out, first17, 17);
    out[17] = checks[sum % 11];
    out[18] = '\0';
}

static void remember(fixture *f, const char *secret)
{
    assert_true(f->nsecrets < MAX_SECRETS);
    snprintf(f->secrets[f->nsecrets++], sizeof f->secrets[0], "%s", secret);
}

/* No remembered id number or phone appears in `text`. */
static void assert_no_secrets(const fixture *f, const char *text, const char *where)
{
    for (int i = 0; i < f->nsecrets; i++)
        if (strstr(text, f->secrets[i]) != NULL)
            fail_msg("%s contains personal data (secret #%d)", where, i);
}

/*
 * One request: asserts the status is `want`, that the answer is JSON (the envelope for
 * 4xx) and, unless `may_reveal`, that it holds no remembered id number or phone.
 * Returns the parsed body (caller json_decref's).
 */
static json_t *call_full(fixture *f, const char *method, const char *path, const char *token, const char *body,
                         int want, bool may_reveal)
{
    int status = 0;
    char *text = NULL;
    assert_int_equal(harness_http(f->h, method, path, token, body, body ? strlen(body) : 0, &status, &text), 0);
    if (status != want)
        fprintf(stderr, "%s %s: expected %d, got %d: %.600s\n", method, path, want, status, text);
    assert_int_equal(status, want);
    if (!may_reveal)
        assert_no_secrets(f, text, path);
    if (want >= 400)
        assert_true(harness_is_envelope(text, NULL));
    json_t *doc = harness_json(text);
    assert_non_null(doc);
    free(text);
    return doc;
}

static json_t *call(fixture *f, const char *method, const char *path, const char *token, const char *body, int want)
{
    return call_full(f, method, path, token, body, want, false);
}

/* The error code of an envelope. Borrowed from `doc`. */
static const char *error_code(json_t *doc)
{
    return json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
}

/* Expect a 4xx envelope with `code`. */
static void expect_error(fixture *f, const char *method, const char *path, const char *token, const char *body,
                         int want, const char *code)
{
    json_t *doc = call(f, method, path, token, body, want);
    if (strcmp(error_code(doc), code) != 0)
        fail_msg("%s %s: expected code %s, got %s", method, path, code, error_code(doc));
    json_decref(doc);
}

/* Whether the envelope's details name `field`. */
static bool details_name(json_t *doc, const char *field)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(json_object_get(doc, "error"), "details"), i, d)
    {
        if (strcmp(json_string_value(json_object_get(d, "field")), field) == 0)
            return true;
    }
    return false;
}

static const char *str(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v != NULL ? v : "(null)";
}

static json_int_t num(json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

/* Register a person; returns the new registration's id. Remembers the id number and phone. */
static json_int_t register_person(fixture *f, const char *name, const char *id, const char *phone, const char *extra)
{
    char body[1024];
    remember(f, id);
    if (phone != NULL)
        remember(f, phone);
    snprintf(body, sizeof body, "{\"name\": \"%s\", \"id_number\": \"%s\"%s%s%s, \"destination\": \"平昌县\"%s%s}",
             name, id, phone ? ", \"phone\": \"" : "", phone ? phone : "", phone ? "\"" : "", extra ? ", " : "",
             extra ? extra : "");
    json_t *doc = call(f, "POST", "/api/v1/registrations", f->coord, body, 201);
    json_int_t rid = num(doc, "id");
    json_decref(doc);
    assert_true(rid > 0);
    return rid;
}

static json_int_t list_total(fixture *f, const char *path, const char *token)
{
    json_t *doc = call(f, "GET", path, token, NULL, 200);
    json_int_t total = num(doc, "total");
    json_decref(doc);
    return total;
}

static void count_sql(fixture *f, const char *sql, const char *want)
{
    char out[64];
    assert_int_equal(harness_sql_text(f->h, sql, out, sizeof out), 0);
    assert_string_equal(out, want);
}

/* Every test ends here: the daemon's log holds no id number or phone. */
static void assert_log_clean(fixture *f)
{
    char *log = harness_server_log(f->h);
    assert_non_null(log);
    assert_no_secrets(f, log, "the daemon's log");
    free(log);
}

/* ------------------------------------------------------------------ registrations */

static void test_registration_lifecycle(void **state)
{
    fixture *f = *state;
    char id[19], id2[19], path[64];
    make_id("51192319900101123", id);
    remember(f, id);
    remember(f, "13812345678");
    json_t *doc = call(f, "POST", "/api/v1/registrations", f->coord,
                       "{\"ref\": \"PC-001\", \"name\": \"张三\", \"id_number\": \"511923199001011234\", \"phone\": "
                       "\"138-1234-5678\", \"employer\": \"成都某电子厂\", \"destination\": \"四川省巴中市平昌县\", "
                       "\"earliest\": \"2027-01-15\", \"latest\": \"2027-02-10\", \"party\": \"平昌一组\", "
                       "\"tags\": [\"困难职工\", \"elderly\"], \"migrant\": true}",
                       201);
    json_int_t rid = num(doc, "id");
    assert_string_equal(str(doc, "id_number"), "5119**********1234");
    assert_string_equal(str(doc, "phone"), "138****5678");
    assert_string_equal(str(json_object_get(doc, "destination"), "code"), "511923");
    assert_string_equal(str(json_object_get(doc, "destination"), "name"), "四川省巴中市平昌县");
    assert_int_equal(json_array_size(json_object_get(doc, "tags")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "tags"), 0)), "困难职工");
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "tags"), 1)), "老人");
    assert_int_equal(num(doc, "priority"), 1);
    assert_string_equal(str(doc, "status"), "active");
    json_decref(doc);
    /* stored sealed: the database itself holds no plaintext */
    count_sql(f, "SELECT count(*) FROM registrations WHERE id_masked = '5119**********1234'", "1");
    count_sql(f, "SELECT count(*) FROM registrations WHERE CAST(id_sealed AS TEXT) LIKE '%511923199001011234%'", "0");

    snprintf(path, sizeof path, "/api/v1/registrations/%lld", (long long)rid);
    doc = call(f, "GET", path, f->coord, NULL, 200);
    assert_string_equal(str(doc, "name"), "张三");
    assert_string_equal(str(doc, "party"), "平昌一组");
    json_decref(doc);

    /* PATCH: a new id number is re-masked (and re-indexed: the old one is free again), null clears the phone */
    make_id("51192319851111456", id2);
    remember(f, id2);
    char body[256];
    snprintf(body, sizeof body, "{\"id_number\": \"%s\", \"phone\": null, \"migrant\": \"否\"}", id2);
    doc = call(f, "PATCH", path, f->coord, body, 200);
    assert_string_equal(str(doc, "id_number"), "5119**********4562");
    assert_true(json_is_null(json_object_get(doc, "phone")));
    assert_true(json_is_false(json_object_get(doc, "migrant")));
    assert_string_equal(str(doc, "name"), "张三"); /* untouched fields stay */
    assert_string_equal(str(doc, "earliest"), "2027-01-15");
    json_decref(doc);
    json_int_t other = register_person(f, "王五", id, NULL, NULL); /* the first number is free now */
    assert_true(other != rid);

    /* DELETE withdraws: the record stays, lists hide it unless asked */
    doc = call(f, "DELETE", path, f->coord, NULL, 200);
    assert_string_equal(str(doc, "status"), "withdrawn");
    json_decref(doc);
    doc = call(f, "GET", path, f->coord, NULL, 200);
    assert_string_equal(str(doc, "status"), "withdrawn");
    json_decref(doc);
    assert_int_equal(list_total(f, "/api/v1/registrations", f->coord), 1);
    assert_int_equal(list_total(f, "/api/v1/registrations?status=withdrawn", f->coord), 1);
    assert_int_equal(list_total(f, "/api/v1/registrations?status=all", f->coord), 2);
    /* a withdrawn person may register again */
    register_person(f, "张三", id2, NULL, NULL);
    expect_error(f, "GET", "/api/v1/registrations/999999", f->coord, NULL, 404, "not_found");
    expect_error(f, "GET", "/api/v1/registrations/abc", f->coord, NULL, 404, "not_found");
    expect_error(f, "PATCH", "/api/v1/registrations/999999", f->coord, "{\"name\": \"x\"}", 404, "not_found");
    expect_error(f, "DELETE", "/api/v1/registrations/999999", f->coord, NULL, 404, "not_found");
    assert_log_clean(f);
}

/* Five people in three places, parties, tags and phones to search by. */
static void seed_people(fixture *f, char ids[5][19])
{
    static const char *const first17[5] = {"51192319900101123", "51192319851111456", "51190219800202345",
                                           "51010619950505678", "11010119700707001"};
    for (int i = 0; i < 5; i++)
        make_id(first17[i], ids[i]);
    char body[512];
    static const char *const rest[5] = {
        "\"name\": \"张三\", \"phone\": \"13800001111\", \"destination\": \"平昌县\", \"party\": \"g1\", \"ref\": "
        "\"R-1\", \"tags\": \"困难职工\"",
        "\"name\": \"张三丰\", \"phone\": \"13900002222\", \"destination\": \"511923\", \"party\": \"g1\"",
        "\"name\": \"李四\", \"destination\": \"巴州区\", \"tags\": [\"孕妇\"]",
        "\"name\": \"王五\", \"phone\": \"13700003333\", \"destination\": \"成都市青羊区\"",
        "\"name\": \"赵六\", \"destination\": \"北京市东城区\", \"tags\": [\"劳模\", \"残疾\"]"};
    for (int i = 0; i < 5; i++) {
        remember(f, ids[i]);
        snprintf(body, sizeof body, "{\"id_number\": \"%s\", %s}", ids[i], rest[i]);
        json_decref(call(f, "POST", "/api/v1/registrations", f->coord, body, 201));
    }
    remember(f, "13800001111");
    remember(f, "13900002222");
    remember(f, "13700003333");
}

static void test_registration_search(void **state)
{
    fixture *f = *state;
    char ids[5][19], path[128];
    seed_people(f, ids);
    assert_int_equal(list_total(f, "/api/v1/registrations", f->coord), 5);
    /* name substring (张三 is in 张三 and 张三丰), exact ref */
    assert_int_equal(list_total(f, "/api/v1/registrations?q=%E5%BC%A0%E4%B8%89", f->coord), 2);
    assert_int_equal(list_total(f, "/api/v1/registrations?q=R-1", f->coord), 1);
    /* the last 4 of a phone, the last 4 of an id number (x matches X) */
    assert_int_equal(list_total(f, "/api/v1/registrations?q=2222", f->coord), 1);
    snprintf(path, sizeof path, "/api/v1/registrations?q=%s", ids[2] + 14);
    assert_int_equal(list_total(f, path, f->coord), 1);
    assert_int_equal(ids[4][17], 'X');
    snprintf(path, sizeof path, "/api/v1/registrations?q=%.3sx", ids[4] + 14);
    json_t *doc = call(f, "GET", path, f->coord, NULL, 200);
    assert_int_equal(num(doc, "total"), 1);
    assert_string_equal(str(json_array_get(json_object_get(doc, "items"), 0), "name"), "赵六");
    json_decref(doc);
    /* destination at its own level: 巴中市 has 3, 平昌县 2, 四川省 4 */
    assert_int_equal(list_total(f, "/api/v1/registrations?destination=%E5%B7%B4%E4%B8%AD%E5%B8%82", f->coord), 3);
    assert_int_equal(list_total(f, "/api/v1/registrations?destination=511923", f->coord), 2);
    assert_int_equal(list_total(f, "/api/v1/registrations?destination=510000", f->coord), 4);
    expect_error(f, "GET", "/api/v1/registrations?destination=%E7%81%AB%E6%98%9F", f->coord, NULL, 400,
                 "unknown_division");
    /* party, tag (Chinese or English) */
    assert_int_equal(list_total(f, "/api/v1/registrations?party=g1", f->coord), 2);
    assert_int_equal(list_total(f, "/api/v1/registrations?tag=pregnant", f->coord), 1);
    assert_int_equal(list_total(f, "/api/v1/registrations?tag=%E5%8A%B3%E6%A8%A1", f->coord), 1);
    expect_error(f, "GET", "/api/v1/registrations?tag=vip", f->coord, NULL, 400, "unknown_tag");
    expect_error(f, "GET", "/api/v1/registrations?status=gone", f->coord, NULL, 400, "bad_status");
    assert_log_clean(f);
}

static void test_paging(void **state)
{
    fixture *f = *state;
    char ids[5][19];
    seed_people(f, ids);
    json_t *doc = call(f, "GET", "/api/v1/registrations?limit=2&offset=1", f->coord, NULL, 200);
    assert_int_equal(num(doc, "total"), 5);
    assert_int_equal(num(doc, "limit"), 2);
    assert_int_equal(num(doc, "offset"), 1);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 2);
    assert_string_equal(str(json_array_get(json_object_get(doc, "items"), 0), "name"), "张三丰");
    json_decref(doc);
    doc = call(f, "GET", "/api/v1/registrations?limit=2&offset=4", f->coord, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 1);
    json_decref(doc);
    doc = call(f, "GET", "/api/v1/registrations?offset=10", f->coord, NULL, 200);
    assert_int_equal(num(doc, "total"), 5);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 0);
    json_decref(doc);
    doc = call(f, "GET", "/api/v1/registrations", f->coord, NULL, 200);
    assert_int_equal(num(doc, "limit"), 50);
    json_decref(doc);
    doc = call(f, "GET", "/api/v1/registrations?limit=100000", f->coord, NULL, 200);
    assert_int_equal(num(doc, "limit"), 500);
    json_decref(doc);
    expect_error(f, "GET", "/api/v1/registrations?limit=0", f->coord, NULL, 400, "bad_query");
    expect_error(f, "GET", "/api/v1/registrations?limit=ten", f->coord, NULL, 400, "bad_query");
    expect_error(f, "GET", "/api/v1/registrations?offset=-1", f->coord, NULL, 400, "bad_query");
    assert_log_clean(f);
}

static void test_registration_validation(void **state)
{
    fixture *f = *state;
    /* every bad field is listed, not just the first */
    json_t *doc = call(f, "POST", "/api/v1/registrations", f->coord,
                       "{\"name\": \"\", \"id_number\": \"511923199001011235\", \"phone\": \"12\", \"destination\": "
                       "\"火星\", \"earliest\": \"2027-02-30\", \"migrant\": \"maybe\", \"tags\": \"vip\"}",
                       400);
    assert_string_equal(error_code(doc), "invalid_fields");
    static const char *const bad[] = {"name", "id_number", "phone", "destination", "earliest", "migrant", "tags"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!details_name(doc, bad[i]))
            fail_msg("details do not name %s", bad[i]);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "error"), "details")), 7);
    json_decref(doc);
    /* missing required fields */
    doc = call(f, "POST", "/api/v1/registrations", f->coord, "{\"employer\": \"某厂\"}", 400);
    assert_true(details_name(doc, "name") && details_name(doc, "id_number") && details_name(doc, "destination"));
    json_decref(doc);
    /* cross-field rules: both offending dates are listed */
    char id[19], body[256];
    make_id("51192319900101123", id);
    remember(f, id);
    snprintf(body, sizeof body,
             "{\"name\": \"张三\", \"id_number\": \"%s\", \"destination\": \"平昌县\", \"earliest\": \"2027-03-05\", "
             "\"latest\": \"2027-03-01\"}",
             id);
    doc = call(f, "POST", "/api/v1/registrations", f->coord, body, 400);
    assert_true(details_name(doc, "latest") && details_name(doc, "earliest"));
    json_decref(doc);
    /* an unknown key names the allowed ones */
    doc = call(f, "POST", "/api/v1/registrations", f->coord, "{\"name\": \"张三\", \"salary\": 1}", 400);
    assert_string_equal(error_code(doc), "unknown_field");
    assert_non_null(strstr(str(json_object_get(doc, "error"), "message"), "id_number"));
    json_decref(doc);
    /* JSON syntax errors carry line and column */
    doc = call(f, "POST", "/api/v1/registrations", f->coord, "{\"name\": \"张三\",\n \"id_number\": }", 400);
    assert_string_equal(error_code(doc), "bad_json");
    json_t *detail = json_array_get(json_object_get(json_object_get(doc, "error"), "details"), 0);
    assert_int_equal(num(detail, "line"), 2);
    assert_true(num(detail, "column") > 0);
    json_decref(doc);
    expect_error(f, "POST", "/api/v1/registrations", f->coord, "[1, 2]", 400, "bad_json");
    expect_error(f, "POST", "/api/v1/registrations", f->coord, NULL, 400, "empty_body");
    /* PATCH goes through the same parsers and the merged record through the same rules */
    json_int_t rid = register_person(f, "李四", "511923198511114562", NULL, "\"earliest\": \"2027-01-20\"");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/registrations/%lld", (long long)rid);
    doc = call(f, "PATCH", path, f->coord, "{\"phone\": \"abc\", \"destination\": \"火星\"}", 400);
    assert_true(details_name(doc, "phone") && details_name(doc, "destination"));
    json_decref(doc);
    doc = call(f, "PATCH", path, f->coord, "{\"latest\": \"2027-01-12\"}", 400);
    assert_true(details_name(doc, "latest"));
    json_decref(doc);
    expect_error(f, "PATCH", path, f->coord, "{\"name\": \"  \"}", 400, "invalid_fields");
    count_sql(f, "SELECT count(*) FROM registrations", "1");
    assert_log_clean(f);
}

static void test_registration_duplicates(void **state)
{
    fixture *f = *state;
    char id[19], lower[19], body[256];
    make_id("11010119700707001", id);
    assert_int_equal(id[17], 'X');
    json_int_t first = register_person(f, "赵六", id, NULL, "\"ref\": \"BJ-1\"");
    /* the same person again, even written with a lower-case x, is a conflict naming the first */
    memcpy(lower, id, sizeof lower);
    lower[17] = 'x';
    snprintf(body, sizeof body, "{\"name\": \"赵六\", \"id_number\": \"%s\", \"destination\": \"110101\"}", lower);
    json_t *doc = call(f, "POST", "/api/v1/registrations", f->coord, body, 409);
    assert_string_equal(error_code(doc), "duplicate_id_number");
    json_t *detail = json_array_get(json_object_get(json_object_get(doc, "error"), "details"), 0);
    assert_int_equal(num(detail, "registration"), first);
    json_decref(doc);
    /* a used ref */
    char other[19];
    make_id("51192319900101123", other);
    json_int_t second = register_person(f, "张三", other, NULL, NULL);
    snprintf(body, sizeof body,
             "{\"name\": \"钱七\", \"id_number\": \"%s\", \"destination\": \"110101\", \"ref\": "
             "\"BJ-1\"}",
             "511923198511114562");
    remember(f, "511923198511114562");
    expect_error(f, "POST", "/api/v1/registrations", f->coord, body, 409, "duplicate_ref");
    /* PATCH onto another active person's number */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/registrations/%lld", (long long)second);
    snprintf(body, sizeof body, "{\"id_number\": \"%s\"}", id);
    expect_error(f, "PATCH", path, f->coord, body, 409, "duplicate_id_number");
    expect_error(f, "PATCH", path, f->coord, "{\"ref\": \"BJ-1\"}", 409, "duplicate_ref");
    count_sql(f, "SELECT count(*) FROM registrations", "2");
    assert_log_clean(f);
}

static void test_reveal(void **state)
{
    fixture *f = *state;
    char id[19], path[96];
    make_id("51192319900101123", id);
    json_int_t rid = register_person(f, "张三", id, "13812345678", NULL);
    snprintf(path, sizeof path, "/api/v1/registrations/%lld?reveal=id", (long long)rid);
    /* a coordinator may not, and that leaves no audit row */
    expect_error(f, "GET", path, f->coord, NULL, 403, "forbidden");
    count_sql(f, "SELECT count(*) FROM audit", "0");
    /* an admin sees the full number (not the phone), and exactly one audit row is written */
    json_t *doc = call_full(f, "GET", path, f->admin, NULL, 200, true);
    assert_string_equal(str(doc, "id_number"), id);
    assert_string_equal(str(doc, "phone"), "138****5678");
    json_decref(doc);
    count_sql(f, "SELECT count(*) FROM audit", "1");
    char want[64];
    snprintf(want, sizeof want, "boss|reveal_id_number|registration:%lld", (long long)rid);
    count_sql(f, "SELECT user_name || '|' || action || '|' || subject FROM audit", want);
    /* without ?reveal an admin sees the masked form, unaudited */
    snprintf(path, sizeof path, "/api/v1/registrations/%lld", (long long)rid);
    doc = call(f, "GET", path, f->admin, NULL, 200);
    assert_string_equal(str(doc, "id_number"), "5119**********1234");
    json_decref(doc);
    expect_error(f, "GET", "/api/v1/registrations/999?reveal=id", f->admin, NULL, 404, "not_found");
    snprintf(path, sizeof path, "/api/v1/registrations/%lld?reveal=phone", (long long)rid);
    expect_error(f, "GET", path, f->admin, NULL, 400, "bad_reveal");
    count_sql(f, "SELECT count(*) FROM audit", "1");
    assert_log_clean(f);
}

/* ------------------------------------------------------------------ roles */

static void test_roles(void **state)
{
    fixture *f = *state;
    static const char *const writes[][2] = {
        {"POST", "/api/v1/registrations"},
        {"PATCH", "/api/v1/registrations/1"},
        {"DELETE", "/api/v1/registrations/1"},
        {"POST", "/api/v1/transports"},
        {"PATCH", "/api/v1/transports/T1"},
        {"DELETE", "/api/v1/transports/T1"},
        {"POST", "/api/v1/transports/T1/status"},
        {"POST", "/api/v1/purchases"},
        {"PATCH", "/api/v1/purchases/1"},
        {"DELETE", "/api/v1/purchases/1"},
        {"POST", "/api/v1/subsidies"},
        {"PATCH", "/api/v1/subsidies/1"},
        {"DELETE", "/api/v1/subsidies/1"},
    };
    const char *const readers[] = {f->station, f->reporter};
    for (size_t r = 0; r < 2; r++) {
        for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
            expect_error(f, writes[i][0], writes[i][1], readers[r], "{}", 403, "forbidden");
        /* personal records are for coordinators; departures may be read by every role */
        expect_error(f, "GET", "/api/v1/registrations", readers[r], NULL, 403, "forbidden");
        expect_error(f, "GET", "/api/v1/purchases", readers[r], NULL, 403, "forbidden");
        expect_error(f, "GET", "/api/v1/subsidies", readers[r], NULL, 403, "forbidden");
        json_decref(call(f, "GET", "/api/v1/transports", readers[r], NULL, 200));
    }
    expect_error(f, "GET", "/api/v1/registrations", NULL, NULL, 401, "unauthorized");
    count_sql(f, "SELECT (SELECT count(*) FROM registrations) + (SELECT count(*) FROM transports)", "0");
    assert_log_clean(f);
}

/* ------------------------------------------------------------------ transports */

static const char bus_body[] = "{\"ref\": \"BUS-01\", \"kind\": \"汽车\", \"label\": \"川A12345\", \"capacity\": 49, "
                               "\"depart_at\": \"2027-01-20 08:00\", \"origin\": \"成都东站\", \"stops\": "
                               "[\"巴中市\", \"平昌县\"], \"cost\": 3500.5}";

static void test_transport_crud(void **state)
{
    fixture *f = *state;
    json_t *doc = call(f, "POST", "/api/v1/transports", f->coord, bus_body, 201);
    assert_string_equal(str(doc, "kind"), "bus");
    assert_string_equal(str(doc, "kind_zh"), "汽车");
    assert_int_equal(num(doc, "capacity"), 49);
    assert_string_equal(str(doc, "layout"), "rows:2+2");
    assert_string_equal(str(doc, "depart_at"), "2027-01-20T08:00:00+08:00");
    assert_string_equal(str(doc, "cost_yuan"), "3500.50");
    assert_string_equal(str(doc, "status"), "planned");
    json_t *stops = json_object_get(doc, "stops");
    assert_int_equal(json_array_size(stops), 2);
    assert_string_equal(str(json_array_get(stops, 0), "code"), "511900");
    assert_string_equal(str(json_array_get(stops, 1), "name"), "四川省巴中市平昌县");
    json_decref(doc);
    expect_error(f, "POST", "/api/v1/transports", f->coord, bus_body, 409, "duplicate_ref");
    json_decref(call(f, "POST", "/api/v1/transports", f->coord,
                     "{\"ref\": \"专列-1\", \"kind\": \"train\", \"capacity\": \"1200\", \"depart_at\": \"2027-01-22 "
                     "19:30\", \"origin\": \"成都站\", \"stops\": \"510000\"}",
                     201));
    /* station staff read departures; filters */
    assert_int_equal(list_total(f, "/api/v1/transports", f->station), 2);
    assert_int_equal(list_total(f, "/api/v1/transports?kind=%E4%B8%93%E5%88%97", f->station), 1);
    assert_int_equal(list_total(f, "/api/v1/transports?kind=bus&date=2027-01-20", f->station), 1);
    assert_int_equal(list_total(f, "/api/v1/transports?date=2027-01-21", f->station), 0);
    assert_int_equal(list_total(f, "/api/v1/transports?origin=%E4%B8%9C%E7%AB%99", f->station), 1);
    assert_int_equal(list_total(f, "/api/v1/transports?status=planned", f->station), 2);
    expect_error(f, "GET", "/api/v1/transports?kind=rocket", f->station, NULL, 400, "unknown_kind");
    expect_error(f, "GET", "/api/v1/transports?date=20270120", f->station, NULL, 400, "bad_date");
    /* get by ref, including a percent-encoded Chinese one */
    doc = call(f, "GET", "/api/v1/transports/%E4%B8%93%E5%88%97-1", f->station, NULL, 200);
    assert_string_equal(str(doc, "kind_zh"), "专列");
    assert_string_equal(str(doc, "layout"), "cars:118");
    json_decref(doc);
    expect_error(f, "GET", "/api/v1/transports/NOPE", f->station, NULL, 404, "not_found");
    /* PATCH: fields but never the status; null clears the cost; a new kind brings its layout */
    doc = call(f, "PATCH", "/api/v1/transports/BUS-01", f->coord, "{\"capacity\": \"45\", \"cost\": null}", 200);
    assert_int_equal(num(doc, "capacity"), 45);
    assert_true(json_is_null(json_object_get(doc, "cost_yuan")));
    assert_string_equal(str(doc, "label"), "川A12345");
    json_decref(doc);
    doc = call(f, "PATCH", "/api/v1/transports/BUS-01", f->coord, "{\"kind\": \"flight\"}", 200);
    assert_string_equal(str(doc, "layout"), "rows:3+3");
    json_decref(doc);
    expect_error(f, "PATCH", "/api/v1/transports/BUS-01", f->coord, "{\"status\": \"confirmed\"}", 400,
                 "unknown_field");
    expect_error(f, "PATCH", "/api/v1/transports/BUS-01", f->coord, "{\"kind\": \"bus\", \"capacity\": 100}", 400,
                 "invalid_fields");
    expect_error(f, "PATCH", "/api/v1/transports/BUS-01", f->coord, "{\"ref\": \"专列-1\"}", 409, "duplicate_ref");
    /* rename, then delete while planned */
    json_decref(call(f, "PATCH", "/api/v1/transports/BUS-01", f->coord, "{\"ref\": \"FL-01\"}", 200));
    doc = call(f, "DELETE", "/api/v1/transports/FL-01", f->coord, NULL, 200);
    assert_string_equal(str(doc, "ref"), "FL-01");
    json_decref(doc);
    expect_error(f, "GET", "/api/v1/transports/FL-01", f->coord, NULL, 404, "not_found");
    assert_int_equal(list_total(f, "/api/v1/transports", f->coord), 1);
    assert_log_clean(f);
}

static void test_transport_validation(void **state)
{
    fixture *f = *state;
    json_t *doc = call(f, "POST", "/api/v1/transports", f->coord,
                       "{\"kind\": \"rocket\", \"capacity\": 0, \"depart_at\": \"tomorrow\", \"stops\": [\"火星\"], "
                       "\"cost\": \"-5\"}",
                       400);
    static const char *const bad[] = {"ref", "kind", "capacity", "depart_at", "stops", "cost"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!details_name(doc, bad[i]))
            fail_msg("details do not name %s", bad[i]);
    json_decref(doc);
    /* a bus over its kind's limit */
    doc = call(f, "POST", "/api/v1/transports", f->coord,
               "{\"ref\": \"B\", \"kind\": \"bus\", \"capacity\": 120, \"depart_at\": \"2027-01-20 08:00\", "
               "\"stops\": \"511923\"}",
               400);
    assert_true(details_name(doc, "capacity"));
    json_decref(doc);
    count_sql(f, "SELECT count(*) FROM transports", "0");
    assert_log_clean(f);
}

/* Move BUS-01 to `to`; expect `want` (and for 409 the bad_transition details). */
static void move(fixture *f, const char *to, int want)
{
    char body[64];
    snprintf(body, sizeof body, "{\"status\": \"%s\"}", to);
    json_t *doc = call(f, "POST", "/api/v1/transports/BUS-01/status", f->coord, body, want);
    if (want == 200) {
        assert_string_equal(str(doc, "status"), to);
    } else {
        assert_string_equal(error_code(doc), "bad_transition");
        json_t *detail = json_array_get(json_object_get(json_object_get(doc, "error"), "details"), 0);
        assert_string_equal(str(detail, "to"), to);
        const char *message = str(json_object_get(doc, "error"), "message");
        assert_non_null(strstr(message, str(detail, "from")));
        assert_non_null(strstr(message, to));
    }
    json_decref(doc);
}

static void test_transport_status(void **state)
{
    fixture *f = *state;
    json_decref(call(f, "POST", "/api/v1/transports", f->coord, bus_body, 201));
    move(f, "arrived", 409);
    move(f, "boarding", 409);
    move(f, "confirmed", 200);
    move(f, "planned", 409);
    expect_error(f, "DELETE", "/api/v1/transports/BUS-01", f->coord, NULL, 409, "not_planned");
    move(f, "boarding", 200);
    move(f, "confirmed", 200); /* boarding may close again before departure */
    move(f, "boarding", 200);
    move(f, "departed", 200);
    move(f, "cancelled", 409);
    move(f, "arrived", 200);
    move(f, "departed", 409);
    /* the Chinese status names are the same field parser's */
    json_decref(call(f, "POST", "/api/v1/transports", f->coord,
                     "{\"ref\": \"BUS-02\", \"kind\": \"bus\", \"capacity\": 45, \"depart_at\": \"2027-01-21 08:00\", "
                     "\"stops\": \"511923\"}",
                     201));
    json_t *doc = call(f, "POST", "/api/v1/transports/BUS-02/status", f->coord, "{\"status\": \"已取消\"}", 200);
    assert_string_equal(str(doc, "status"), "cancelled");
    assert_string_equal(str(doc, "status_zh"), "已取消");
    json_decref(doc);
    doc = call(f, "POST", "/api/v1/transports/BUS-02/status", f->coord, "{\"status\": \"planned\"}", 409);
    assert_non_null(strstr(str(json_object_get(doc, "error"), "message"), "已取消"));
    json_decref(doc);
    expect_error(f, "POST", "/api/v1/transports/BUS-02/status", f->coord, "{}", 400, "invalid_fields");
    expect_error(f, "POST", "/api/v1/transports/BUS-02/status", f->coord, "{\"status\": \"gone\"}", 400,
                 "invalid_fields");
    expect_error(f, "POST", "/api/v1/transports/BUS-02/status", f->coord, "{\"status\": \"planned\", \"x\": 1}", 400,
                 "unknown_field");
    expect_error(f, "POST", "/api/v1/transports/NOPE/status", f->coord, "{\"status\": \"confirmed\"}", 404,
                 "not_found");
    assert_int_equal(list_total(f, "/api/v1/transports?status=arrived", f->coord), 1);
    assert_log_clean(f);
}

/* ------------------------------------------------------------------ purchases and subsidies */

static void test_purchases(void **state)
{
    fixture *f = *state;
    char id[19], body[256];
    make_id("51192319900101123", id);
    json_int_t rid = register_person(f, "张三", id, "13812345678", NULL);
    snprintf(body, sizeof body,
             "{\"id_number\": \"%s\", \"mode\": \"火车\", \"service\": \"K1234\", \"travel_date\": \"2027-01-25\", "
             "\"fare\": \"128.5\"}",
             id);
    json_t *doc = call(f, "POST", "/api/v1/purchases", f->coord, body, 201);
    json_int_t pid = num(doc, "id");
    json_t *person = json_object_get(doc, "person");
    assert_int_equal(num(person, "registration"), rid);
    assert_string_equal(str(person, "name"), "张三");
    assert_string_equal(str(person, "id_number"), "5119**********1234");
    assert_string_equal(str(doc, "mode"), "train");
    assert_string_equal(str(doc, "fare_yuan"), "128.50");
    assert_true(json_is_false(json_object_get(doc, "refunded")));
    json_decref(doc);
    expect_error(f, "POST", "/api/v1/purchases", f->coord, body, 409, "duplicate_purchase");
    /* 先建档: a person without a registration is a bad request */
    char stranger[19];
    make_id("51192319851111456", stranger);
    remember(f, stranger);
    snprintf(body, sizeof body, "{\"id_number\": \"%s\", \"mode\": \"bus\", \"travel_date\": \"2027-01-25\"}",
             stranger);
    expect_error(f, "POST", "/api/v1/purchases", f->coord, body, 400, "not_registered");
    doc = call(f, "POST", "/api/v1/purchases", f->coord, "{\"mode\": \"ufo\", \"travel_date\": \"soon\"}", 400);
    assert_true(details_name(doc, "id_number") && details_name(doc, "mode") && details_name(doc, "travel_date"));
    json_decref(doc);
    /* PATCH the refund flag and fare; the person and mode do not change */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/purchases/%lld", (long long)pid);
    doc = call(f, "PATCH", path, f->coord, "{\"refunded\": true, \"fare\": 99}", 200);
    assert_true(json_is_true(json_object_get(doc, "refunded")));
    assert_string_equal(str(doc, "fare_yuan"), "99.00");
    assert_string_equal(str(doc, "service"), "K1234");
    json_decref(doc);
    expect_error(f, "PATCH", path, f->coord, "{\"mode\": \"bus\"}", 400, "unknown_field");
    expect_error(f, "PATCH", path, f->coord, "{\"travel_date\": \"2027-02-31\"}", 400, "invalid_fields");
    assert_int_equal(list_total(f, "/api/v1/purchases?refunded=yes", f->coord), 1);
    assert_int_equal(list_total(f, "/api/v1/purchases?refunded=%E5%90%A6", f->coord), 0);
    assert_int_equal(list_total(f, "/api/v1/purchases?mode=train&date=2027-01-25", f->coord), 1);
    assert_int_equal(list_total(f, "/api/v1/purchases?mode=flight", f->coord), 0);
    doc = call(f, "DELETE", path, f->coord, NULL, 200);
    assert_int_equal(num(doc, "id"), pid);
    json_decref(doc);
    expect_error(f, "GET", path, f->coord, NULL, 404, "not_found");
    assert_int_equal(list_total(f, "/api/v1/purchases", f->coord), 0);
    assert_log_clean(f);
}

static void test_subsidies(void **state)
{
    fixture *f = *state;
    json_t *doc = call(f, "POST", "/api/v1/subsidies", f->coord,
                       "{\"employer\": \"富士康成都园区\", \"amount_yuan\": 1234.56, \"people\": 30, \"date\": "
                       "\"2027-01-12\"}",
                       201);
    json_int_t sid = num(doc, "id");
    assert_string_equal(str(doc, "amount_yuan"), "1234.56");
    assert_int_equal(num(doc, "people"), 30);
    json_decref(doc);
    count_sql(f, "SELECT amount_fen FROM subsidies", "123456");
    expect_error(f, "POST", "/api/v1/subsidies", f->coord,
                 "{\"employer\": \"富士康成都园区\", \"amount_yuan\": \"1,234.56\", \"date\": \"2027-01-12\"}", 409,
                 "duplicate_subsidy");
    doc =
        call(f, "POST", "/api/v1/subsidies", f->coord,
             "{\"employer\": \"\", \"amount_yuan\": \"12.345\", \"people\": \"many\", \"date\": \"2027-13-01\"}", 400);
    assert_true(details_name(doc, "employer") && details_name(doc, "amount_yuan") && details_name(doc, "people") &&
                details_name(doc, "date"));
    json_decref(doc);
    json_decref(call(f, "POST", "/api/v1/subsidies", f->coord,
                     "{\"employer\": \"某建筑公司\", \"amount_yuan\": \"¥80000\", \"date\": \"2027-01-15\"}", 201));
    assert_int_equal(list_total(f, "/api/v1/subsidies", f->coord), 2);
    assert_int_equal(list_total(f, "/api/v1/subsidies?employer=%E5%AF%8C%E5%A3%AB%E5%BA%B7", f->coord), 1);
    assert_int_equal(list_total(f, "/api/v1/subsidies?date=2027-01-15", f->coord), 1);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/subsidies/%lld", (long long)sid);
    doc = call(f, "PATCH", path, f->coord, "{\"amount_yuan\": \"0.1\", \"people\": null}", 200);
    assert_string_equal(str(doc, "amount_yuan"), "0.10");
    assert_true(json_is_null(json_object_get(doc, "people")));
    assert_string_equal(str(doc, "employer"), "富士康成都园区");
    json_decref(doc);
    expect_error(f, "PATCH", path, f->coord, "{\"amount_yuan\": 0}", 400, "invalid_fields");
    doc = call(f, "GET", path, f->coord, NULL, 200);
    assert_string_equal(str(doc, "amount_yuan"), "0.10");
    json_decref(doc);
    json_decref(call(f, "DELETE", path, f->coord, NULL, 200));
    expect_error(f, "DELETE", path, f->coord, NULL, 404, "not_found");
    assert_int_equal(list_total(f, "/api/v1/subsidies", f->coord), 1);
    assert_log_clean(f);
}

/* ------------------------------------------------------------------ personal data everywhere */

/* Walk every read a coordinator has after a busy session: no plaintext id number or phone anywhere. */
static void test_coordinator_never_sees_personal_data(void **state)
{
    fixture *f = *state;
    char ids[5][19], body[256], path[64];
    seed_people(f, ids);
    snprintf(body, sizeof body, "{\"id_number\": \"%s\", \"mode\": \"bus\", \"travel_date\": \"2027-01-25\"}", ids[0]);
    json_decref(call(f, "POST", "/api/v1/purchases", f->coord, body, 201));
    /* error answers about a number do not repeat it either */
    snprintf(body, sizeof body, "{\"name\": \"x\", \"id_number\": \"%s\", \"destination\": \"平昌县\"}", ids[1]);
    expect_error(f, "POST", "/api/v1/registrations", f->coord, body, 409, "duplicate_id_number");
    char wrong[19];
    memcpy(wrong, ids[2], sizeof wrong);
    wrong[17] = wrong[17] == '0' ? '1' : '0';
    remember(f, wrong);
    snprintf(body, sizeof body, "{\"name\": \"x\", \"id_number\": \"%s\", \"destination\": \"平昌县\"}", wrong);
    expect_error(f, "POST", "/api/v1/registrations", f->coord, body, 400, "invalid_fields");
    static const char *const lists[] = {"/api/v1/registrations?status=all&limit=500", "/api/v1/purchases",
                                        "/api/v1/registrations?q=1111", "/api/v1/registrations?party=g1"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        json_decref(call(f, "GET", lists[i], f->coord, NULL, 200));
    for (int i = 1; i <= 5; i++) {
        snprintf(path, sizeof path, "/api/v1/registrations/%d", i);
        json_decref(call(f, "GET", path, f->coord, NULL, 200));
    }
    json_decref(call(f, "PATCH", "/api/v1/registrations/1", f->coord, "{\"employer\": \"新工厂\"}", 200));
    json_decref(call(f, "DELETE", "/api/v1/registrations/2", f->coord, NULL, 200));
    assert_log_clean(f);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registration_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registration_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registration_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registration_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reveal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purchases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subsidies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coordinator_never_sees_personal_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
