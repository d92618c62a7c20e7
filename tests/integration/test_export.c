/* test_export.c - `homeward export registrations`: CSV that Excel opens and JSON, every row, personal data masked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"

#define EXAMPLES HOMEWARD_SOURCE_DIR "/docs/examples/"

static harness *imported(void)
{
    harness *h = harness_new();
    int code = -1;
    char *out = NULL, *err = NULL;
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "init", "--unit-code", "510100", "--unit-name", "成都市总工会",
                                     "--campaign", "2027年元旦春节送温暖", "--from", "2026-12-22", "--to", "2027-02-16",
                                     NULL),
                     0);
    assert_int_equal(code, 0);
    free(out);
    free(err);
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "import", "registrations", EXAMPLES "registrations.csv", NULL), 0);
    assert_int_equal(code, 0);
    free(out);
    free(err);
    return h;
}

/* Every full 18-character id number in the example file. */
static size_t example_ids(char ids[][19], size_t max)
{
    FILE *f = fopen(EXAMPLES "registrations.csv", "r");
    char line[1024];
    size_t n = 0;
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL && n < max)
        for (char *p = line; *p != '\0'; p++)
            if (strspn(p, "0123456789") >= 17 && (p == line || p[-1] == ',')) {
                snprintf(ids[n++], 19, "%.18s", p);
                break;
            }
    fclose(f);
    return n;
}

static void test_csv_masked_and_complete(void **state)
{
    (void)state;
    harness *h = imported();
    int code = -1;
    char *out = NULL, *err = NULL, ids[64][19];
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "export", "registrations", NULL), 0);
    assert_int_equal(code, 0);
    assert_memory_equal(out, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(out, "\"编号\",\"姓名\",\"身份证号\""));
    size_t lines = 0;
    for (const char *p = out; (p = strstr(p, "\r\n")) != NULL; p += 2)
        lines++;
    assert_int_equal(lines, 41); /* header + 40 people */
    assert_non_null(strstr(out, "**********"));
    size_t n = example_ids(ids, 64);
    assert_int_equal(n, 40);
    for (size_t i = 0; i < n; i++)
        assert_null(strstr(out, ids[i]));
    free(out);
    free(err);
    harness_free(h);
}

static void test_json_to_file(void **state)
{
    (void)state;
    harness *h = imported();
    int code = -1;
    char *out = NULL, *err = NULL, path[512];
    snprintf(path, sizeof path, "%s/r.json", harness_dir(h));
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "export", "registrations", "--format", "json", "--out", path,
                                     NULL),
                     0);
    assert_int_equal(code, 0);
    assert_non_null(strstr(err, "40"));
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_array_size(doc), 40);
    json_t *first = json_array_get(doc, 0);
    const char *id = json_string_value(json_object_get(first, "id_number"));
    assert_non_null(id);
    assert_int_equal(strlen(id), 18);
    assert_memory_equal(id + 4, "**********", 10);
    assert_non_null(json_string_value(json_object_get(json_object_get(first, "destination"), "name")));
    json_decref(doc);
    free(out);
    free(err);
    harness_free(h);
}

static void test_usage_errors(void **state)
{
    (void)state;
    harness *h = imported();
    int code = -1;
    char *out = NULL, *err = NULL;
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "export", "registrations", "--format", "pdf", NULL), 2);
    assert_int_equal(code, 2);
    free(out);
    free(err);
    assert_int_equal(harness_run_cli(h, &code, &out, &err, "export", "registrations", "--format", "xlsx", NULL), 2);
    assert_int_equal(code, 2); /* registrations export as csv or json only */
    assert_non_null(strstr(err, "csv"));
    free(out);
    free(err);
    harness_free(h);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_masked_and_complete),
        cmocka_unit_test(test_json_to_file),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
