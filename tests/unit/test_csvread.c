/* test_csvread.c - unit tests for importers/csvread.c: the csv-spectrum suite, start lines, limits, chunking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "encoding.h"

#define SPECTRUM_DIR HOMEWARD_SOURCE_DIR "/tests/node_modules/csv-spectrum"
#define MAX_RECORDS 256

/* Records collected from a parse: copies of every field, and each record's start line. */
typedef struct collected {
    size_t n;
    size_t line[MAX_RECORDS];
    size_t nfields[MAX_RECORDS];
    char **fields[MAX_RECORDS];
    size_t *lens[MAX_RECORDS];
    size_t stop_at; /* return stop_rc from the record with this index (1-based), 0 = never */
    int stop_rc;
} collected;

static int collect(size_t line, const char *const *fields, const size_t *lens, size_t nfields, void *ctx)
{
    collected *c = ctx;
    assert_true(c->n < MAX_RECORDS);
    assert_true(nfields >= 1 && nfields <= CSVREAD_MAX_FIELDS);
    c->line[c->n] = line;
    c->nfields[c->n] = nfields;
    c->fields[c->n] = calloc(nfields, sizeof(char *));
    c->lens[c->n] = calloc(nfields, sizeof(size_t));
    for (size_t i = 0; i < nfields; i++) {
        assert_int_equal(fields[i][lens[i]], '\0');
        c->fields[c->n][i] = malloc(lens[i] + 1);
        memcpy(c->fields[c->n][i], fields[i], lens[i] + 1);
        c->lens[c->n][i] = lens[i];
    }
    c->n++;
    return c->stop_at == c->n ? c->stop_rc : 0;
}

static void collected_free(collected *c)
{
    for (size_t r = 0; r < c->n; r++) {
        for (size_t i = 0; i < c->nfields[r]; i++)
            free(c->fields[r][i]);
        free(c->fields[r]);
        free(c->lens[r]);
    }
    memset(c, 0, sizeof *c);
}

/* Parse data[0..n) fed in pieces of `chunk` bytes; returns the reader's result and fills *c. */
static int parse_chunked(const char *data, size_t n, size_t chunk, collected *c, hw_error *err)
{
    csvread *r;
    error_clear(err);
    assert_int_equal(csvread_new(collect, c, &r, err), 0);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += chunk)
        rc = csvread_feed(r, data + i, n - i < chunk ? n - i : chunk, err);
    if (rc == 0)
        rc = csvread_finish(r, err);
    csvread_free(r);
    return rc;
}

static int parse(const char *data, collected *c, hw_error *err)
{
    return parse_chunked(data, strlen(data), strlen(data) + 1, c, err);
}

/* Run bytes through the decoder (AUTO) and then the reader, in chunks. */
static int decode_and_parse(const char *data, size_t n, size_t chunk, collected *c, hw_error *err)
{
    encoding_decoder dec;
    csvread *r;
    error_clear(err);
    encoding_decoder_init(&dec, ENCODING_AUTO);
    assert_int_equal(csvread_new(collect, c, &r, err), 0);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i <= n; i += chunk) {
        size_t len = n - i < chunk ? n - i : chunk;
        const char *out;
        size_t out_len;
        rc = encoding_decode(&dec, data + i, len, i + len == n, &out, &out_len, err);
        if (rc == 0)
            rc = csvread_feed(r, out, out_len, err);
        if (i + len == n)
            break;
    }
    if (rc == 0)
        rc = csvread_finish(r, err);
    csvread_free(r);
    encoding_decoder_free(&dec);
    return rc;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0, got;
    do {
        if (len + 4096 > cap) {
            cap = (cap + 4096) * 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0);
    fclose(f);
    buf[len] = '\0';
    *n = len;
    return buf;
}

/*
 * Known mistakes in csv-spectrum 2.0.0's expected JSON, checked to still be there (so a new
 * version that fixes them makes this test look again) and replaced by what the CSV really says.
 */
static const struct erratum {
    const char *file, *key, *json_says, *csv_says;
} errata[] = {
    {"location_coordinates", "Contact Phone Number", "1234567890", "2095257564"},
};

static const char *expected_value(const char *name, const char *key, json_t *want)
{
    const char *s = json_string_value(want);
    for (size_t i = 0; i < sizeof errata / sizeof errata[0]; i++) {
        if (strcmp(errata[i].file, name) == 0 && strcmp(errata[i].key, key) == 0) {
            assert_non_null(s);
            assert_string_equal(s, errata[i].json_says);
            return errata[i].csv_says;
        }
    }
    return s;
}

/* Compare our records (header first) with the JSON array of objects keyed by header. */
static void compare_spectrum(const char *name, const collected *c, json_t *expected)
{
    if (json_is_object(expected)) { /* location_coordinates.json is a bare object, not an array */
        json_t *wrapped = json_array();
        json_array_append(wrapped, expected);
        compare_spectrum(name, c, wrapped);
        json_decref(wrapped);
        return;
    }
    assert_true(json_is_array(expected));
    if (c->n != json_array_size(expected) + 1)
        fail_msg("%s: %zu records, expected a header and %zu", name, c->n, json_array_size(expected));
    for (size_t r = 1; r < c->n; r++) {
        json_t *obj = json_array_get(expected, r - 1);
        assert_int_equal(json_object_size(obj), c->nfields[0]);
        assert_int_equal(c->nfields[r], c->nfields[0]);
        for (size_t f = 0; f < c->nfields[0]; f++) {
            const char *want = expected_value(name, c->fields[0][f], json_object_get(obj, c->fields[0][f]));
            if (want == NULL || strcmp(want, c->fields[r][f]) != 0)
                fail_msg("%s: record %zu field %s: got \"%s\", expected \"%s\"", name, r, c->fields[0][f],
                         c->fields[r][f], want ? want : "(missing)");
            assert_int_equal(c->lens[r][f], strlen(want));
        }
    }
}

static void check_spectrum_file(const char *name)
{
    char csv_path[512], json_path[512];
    snprintf(csv_path, sizeof csv_path, "%s/csvs/%s.csv", SPECTRUM_DIR, name);
    snprintf(json_path, sizeof json_path, "%s/json/%s.json", SPECTRUM_DIR, name);
    size_t n = 0;
    char *data = read_file(csv_path, &n);
    assert_non_null(data);
    json_error_t jerr;
    json_t *expected = json_load_file(json_path, 0, &jerr);
    if (expected == NULL)
        fail_msg("%s: %s", json_path, jerr.text);
    size_t chunks[] = {n + 1, 1, 3, 7};
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        collected c = {0};
        hw_error err;
        if (parse_chunked(data, n, chunks[k], &c, &err) != 0)
            fail_msg("%s: %s", name, err.message);
        compare_spectrum(name, &c, expected);
        collected_free(&c);
        /* the same through the decoder, as table_read does */
        if (decode_and_parse(data, n, chunks[k], &c, &err) != 0)
            fail_msg("%s (decoded): %s", name, err.message);
        compare_spectrum(name, &c, expected);
        collected_free(&c);
    }
    json_decref(expected);
    free(data);
}

static void test_csv_spectrum(void **state)
{
    (void)state;
    DIR *d = opendir(SPECTRUM_DIR "/csvs");
    if (d == NULL)
        fail_msg("csv-spectrum is not installed in %s: run scripts/setup (it runs npm ci --prefix tests)",
                 SPECTRUM_DIR);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
        check_spectrum_file(name);
        files++;
    }
    closedir(d);
    print_message("csv-spectrum: %zu files matched their JSON\n", files);
    assert_true(files >= 12);
}

static void expect_lines(const char *data, const size_t *lines, size_t n)
{
    size_t len = strlen(data);
    for (size_t chunk = 1; chunk <= 9; chunk++) { /* 9 stands for "all at once" */
        collected c = {0};
        hw_error err;
        if (parse_chunked(data, len, chunk == 9 ? len + 1 : chunk, &c, &err) != 0)
            fail_msg("%s", err.message);
        assert_int_equal(c.n, n);
        for (size_t i = 0; i < n; i++)
            if (c.line[i] != lines[i])
                fail_msg("chunk %zu: record %zu starts at line %zu, expected %zu", chunk, i, c.line[i], lines[i]);
        collected_free(&c);
    }
}

static void test_lines_lf_crlf_cr(void **state)
{
    (void)state;
    const size_t lines[] = {1, 2, 4, 5};
    expect_lines("a,b\n1,2\n\n3,4\n5,6", lines, 4);
    expect_lines("a,b\r\n1,2\r\n\r\n3,4\r\n5,6\r\n", lines, 4);
    expect_lines("a,b\r1,2\r\r3,4\r5,6", lines, 4);
    expect_lines("a,b\n1,2\r\n\r3,4\n5,6\n", lines, 4);
}

static void test_lines_quoted_newlines(void **state)
{
    (void)state;
    const size_t lines[] = {1, 2, 6, 7};
    expect_lines("h1,h2\n\"x\ny\n\",1\n\n2,\"3\"\n\"4\r\n\",5\r\n", lines, 4);
    collected c = {0};
    hw_error err;
    assert_int_equal(parse("h\n\"x\r\ny\"\n", &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.fields[1][0], "x\r\ny");
    collected_free(&c);
}

static void test_bom_through_decoder(void **state)
{
    (void)state;
    const char data[] = "\xEF\xBB\xBF姓名,b\r\n\"张\r\n三\",2\r\n3,4";
    for (size_t chunk = 1; chunk <= sizeof data; chunk++) {
        collected c = {0};
        hw_error err;
        if (decode_and_parse(data, sizeof data - 1, chunk, &c, &err) != 0)
            fail_msg("%s", err.message);
        assert_int_equal(c.n, 3);
        assert_string_equal(c.fields[0][0], "姓名");
        assert_string_equal(c.fields[1][0], "张\r\n三");
        assert_int_equal(c.line[0], 1);
        assert_int_equal(c.line[1], 2);
        assert_int_equal(c.line[2], 4);
        collected_free(&c);
    }
}

static void test_empty_lines_skipped(void **state)
{
    (void)state;
    collected c = {0};
    hw_error err;
    assert_int_equal(parse("\n\n   \n\"\"\na\n\n,\n", &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.line[0], 5);
    assert_string_equal(c.fields[0][0], "a");
    assert_int_equal(c.line[1], 7); /* "," is two empty fields: a record, the table layer skips it */
    assert_int_equal(c.nfields[1], 2);
    collected_free(&c);
    assert_int_equal(parse("", &c, &err), 0);
    assert_int_equal(c.n, 0);
}

static void test_fields_as_libcsv_gives_them(void **state)
{
    (void)state;
    collected c = {0};
    hw_error err;
    assert_int_equal(parse(" a , \" b \" ,c\"d,\"e\"\"f\",,\"\"\n", &c, &err), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.nfields[0], 6);
    assert_string_equal(c.fields[0][0], "a");    /* blanks around unquoted fields go */
    assert_string_equal(c.fields[0][1], " b ");  /* quoted blanks stay */
    assert_string_equal(c.fields[0][2], "c\"d"); /* a quote inside an unquoted field is literal */
    assert_string_equal(c.fields[0][3], "e\"f");
    assert_string_equal(c.fields[0][4], "");
    assert_string_equal(c.fields[0][5], "");
    collected_free(&c);
}

static char *repeat(char ch, size_t n, const char *prefix, const char *suffix)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    char *buf = malloc(p + n + s + 1);
    memcpy(buf, prefix, p);
    memset(buf + p, ch, n);
    memcpy(buf + p + n, suffix, s + 1);
    return buf;
}

static void test_field_limit(void **state)
{
    (void)state;
    collected c = {0};
    hw_error err;
    char *ok = repeat('x', CSVREAD_MAX_FIELD_BYTES, "h\n", "\n");
    assert_int_equal(parse(ok, &c, &err), 0);
    assert_int_equal(c.lens[1][0], CSVREAD_MAX_FIELD_BYTES);
    collected_free(&c);
    char *quoted = repeat('y', CSVREAD_MAX_FIELD_BYTES - 2, "h\n\"", "\"\"\"\n");
    assert_int_equal(parse(quoted, &c, &err), 0);
    assert_int_equal(c.lens[1][0], CSVREAD_MAX_FIELD_BYTES - 1);
    collected_free(&c);
    char *long1 = repeat('x', CSVREAD_MAX_FIELD_BYTES + 1, "h\n\na,", "\n");
    assert_int_equal(parse(long1, &c, &err), HW_EINVAL);
    assert_string_equal(err.code, "field_too_long");
    assert_non_null(strstr(err.message, "第 3 行"));
    assert_non_null(strstr(err.message, "line 3"));
    collected_free(&c);
    free(ok);
    free(quoted);
    free(long1);
}

/* An unclosed quote early in a big file: stopped after about one limit, not after buffering the file. */
static void test_unclosed_quote(void **state)
{
    (void)state;
    size_t n = 4 * 1024 * 1024;
    char *big = malloc(n + 1);
    memcpy(big, "h1,h2\n1,\"oops\n", 14);
    for (size_t i = 14; i < n; i++)
        big[i] = i % 20 == 19 ? '\n' : 'z';
    big[n] = '\0';
    collected c = {0};
    hw_error err;
    error_clear(&err);
    csvread *r;
    assert_int_equal(csvread_new(collect, &c, &r, &err), 0);
    int rc = 0;
    size_t fed = 0;
    while (rc == 0 && fed < n) {
        rc = csvread_feed(r, big + fed, 1000, &err);
        fed += 1000;
    }
    assert_int_equal(rc, HW_EINVAL);
    assert_string_equal(err.code, "field_too_long");
    assert_non_null(strstr(err.message, "line 2"));
    assert_non_null(strstr(err.message, "unclosed quote"));
    assert_true(fed < 3 * CSVREAD_MAX_FIELD_BYTES);
    assert_int_equal(csvread_feed(r, "x", 1, &err), HW_EINVAL); /* stays failed */
    csvread_free(r);
    collected_free(&c);
    free(big);

    assert_int_equal(parse("a\nb\n\"c,d\ne\n", &c, &err), HW_EINVAL);
    assert_string_equal(err.code, "unclosed_quote");
    assert_non_null(strstr(err.message, "line 3"));
    collected_free(&c);
}

static void test_field_count_limit(void **state)
{
    (void)state;
    char row[4 * CSVREAD_MAX_FIELDS + 8];
    size_t len = 0;
    for (int i = 0; i < CSVREAD_MAX_FIELDS; i++)
        len += (size_t)snprintf(row + len, sizeof row - len, i ? ",%d" : "%d", i);
    snprintf(row + len, sizeof row - len, "\n");
    collected c = {0};
    hw_error err;
    assert_int_equal(parse(row, &c, &err), 0);
    assert_int_equal(c.nfields[0], CSVREAD_MAX_FIELDS);
    collected_free(&c);
    char more[sizeof row + 16];
    snprintf(more, sizeof more, "a\n\"b\nc\"\n%.*s,x\n", (int)len, row);
    assert_int_equal(parse(more, &c, &err), HW_EINVAL);
    assert_string_equal(err.code, "too_many_fields");
    assert_non_null(strstr(err.message, "第 4 行"));
    assert_non_null(strstr(err.message, "line 4"));
    collected_free(&c);
}

static void test_callback_stops(void **state)
{
    (void)state;
    collected c = {.stop_at = 2, .stop_rc = HW_ECONFLICT};
    hw_error err;
    assert_int_equal(parse("a\nb\nc\nd\n", &c, &err), HW_ECONFLICT);
    assert_int_equal(c.n, 2);
    assert_int_equal(err.rc, HW_ECONFLICT);
    assert_non_null(strstr(err.message, "line 2"));
    collected_free(&c);
}

/* Any split of the input gives the same records and lines. */
static void test_chunking_invariance(void **state)
{
    (void)state;
    const char *data = "姓名,备注\r\n\"张三\",\"有\"\"引号\"\"\r\n和换行\"\r\n\r\n李四,\"a,b\"\n王五, x \r\"y\"";
    size_t n = strlen(data);
    collected whole = {0};
    hw_error err;
    assert_int_equal(parse(data, &whole, &err), 0);
    assert_int_equal(whole.n, 5);
    assert_int_equal(whole.line[2], 5);
    assert_int_equal(whole.line[3], 6);
    assert_int_equal(whole.line[4], 7);
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        collected c = {0};
        csvread *r;
        assert_int_equal(csvread_new(collect, &c, &r, &err), 0);
        for (size_t i = 0; i < n;) {
            seed = seed * 1103515245u + 12345u;
            size_t k = 1 + (seed >> 16) % 6;
            if (k > n - i)
                k = n - i;
            assert_int_equal(csvread_feed(r, data + i, k, &err), 0);
            i += k;
        }
        assert_int_equal(csvread_finish(r, &err), 0);
        csvread_free(r);
        assert_int_equal(c.n, whole.n);
        for (size_t i = 0; i < c.n; i++) {
            assert_int_equal(c.line[i], whole.line[i]);
            assert_int_equal(c.nfields[i], whole.nfields[i]);
            for (size_t f = 0; f < c.nfields[i]; f++)
                assert_string_equal(c.fields[i][f], whole.fields[i][f]);
        }
        collected_free(&c);
    }
    collected_free(&whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_spectrum),          cmocka_unit_test(test_lines_lf_crlf_cr),
        cmocka_unit_test(test_lines_quoted_newlines), cmocka_unit_test(test_bom_through_decoder),
        cmocka_unit_test(test_empty_lines_skipped),   cmocka_unit_test(test_fields_as_libcsv_gives_them),
        cmocka_unit_test(test_field_limit),           cmocka_unit_test(test_unclosed_quote),
        cmocka_unit_test(test_field_count_limit),     cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_chunking_invariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
