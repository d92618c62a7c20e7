/* test_divisions.c - unit tests of scheduler/divisions.c against the shipped data/divisions.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "divisions.h"

static divisions *table;

static int load_table(void **state)
{
    hw_error err = {0};
    (void)state;
    if (divisions_load_default(&table, &err) != HW_OK) {
        fprintf(stderr, "cannot load divisions: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int free_table(void **state)
{
    (void)state;
    divisions_free(table);
    table = NULL;
    return 0;
}

/* Resolve text and check that it gives want. */
static void assert_resolves(const char *text, const char *want)
{
    hw_error err = {0};
    char code[7];
    int rc = divisions_resolve(table, text, code, &err);
    if (rc != HW_OK)
        fprintf(stderr, "resolve(%s): %s\n", text, err.message);
    assert_int_equal(rc, HW_OK);
    assert_string_equal(code, want);
}

/* Resolve text and check that it fails with rc and machine code; returns nothing, leaves err filled. */
static void assert_fails(const char *text, int rc, const char *ecode, hw_error *err)
{
    char code[7] = "xxxxxx";
    error_clear(err);
    assert_int_equal(divisions_resolve(table, text, code, err), rc);
    assert_int_equal(err->rc, rc);
    assert_string_equal(err->code, ecode);
    assert_string_equal(code, "");
}

/* Whether s is well-formed UTF-8 (what JSON encoders demand of error messages). */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0)
            return 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

/* Write content to a new temporary file whose name goes to path (at least 32 bytes). */
static void write_temp(char *path, const char *content)
{
    snprintf(path, 32, "/tmp/test_divisionsXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(content);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
}

static void test_count(void **state)
{
    (void)state;
    assert_true(divisions_count(table) > 3000);
    assert_true(divisions_count(table) < 5000);
}

static void test_resolve_pingchang(void **state)
{
    (void)state;
    assert_resolves("四川省巴中市平昌县", "511923");
    assert_resolves("巴中市平昌县", "511923");
    assert_resolves("四川省平昌县", "511923");
    assert_resolves("平昌县", "511923");
    assert_resolves("  平昌县\t", "511923");
    assert_resolves("\xE3\x80\x80四川省 巴中市\xE3\x80\x80平昌县 ", "511923");
    assert_resolves("四川省", "510000");
    assert_resolves("巴中市", "511900");
    assert_resolves("四川省巴中市", "511900");
}

static void test_resolve_municipalities(void **state)
{
    (void)state;
    assert_resolves("北京市东城区", "110101");
    assert_resolves("东城区", "110101");
    assert_resolves("北京市市辖区东城区", "110101");
    assert_resolves("北京市", "110000");
    assert_resolves("重庆市城口县", "500229");
    assert_resolves("上海市浦东新区", "310115");
    assert_resolves("湖北省仙桃市", "429004");
}

static void test_resolve_quirks(void **state)
{
    (void)state;
    assert_resolves("广东省东莞市", "441900");
    assert_resolves("嘉峪关市", "620200");
    assert_resolves("620201", "620201");
    assert_resolves("台湾省", "710000");
    assert_resolves("香港特别行政区", "810000");
    assert_resolves("澳门特别行政区", "820000");
}

static void test_resolve_code(void **state)
{
    hw_error err;
    (void)state;
    assert_resolves("511923", "511923");
    assert_resolves(" 510000 ", "510000");
    assert_resolves("110100", "110100");
    assert_fails("999999", HW_ENOTFOUND, "unknown_division", &err);
    assert_fails("511999", HW_ENOTFOUND, "unknown_division", &err);
    assert_fails("5119", HW_ENOTFOUND, "unknown_division", &err);
    assert_fails("5119230", HW_ENOTFOUND, "unknown_division", &err);
}

static void test_resolve_unknown_and_empty(void **state)
{
    hw_error err;
    (void)state;
    assert_fails("火星市", HW_ENOTFOUND, "unknown_division", &err);
    assert_non_null(strstr(err.message, "火星市"));
    assert_fails("巴中市四川省", HW_ENOTFOUND, "unknown_division", &err);
    assert_fails("市辖区", HW_ENOTFOUND, "unknown_division", &err);
    assert_fails("", HW_EINVAL, "empty_division", &err);
    assert_fails(" \t\xE3\x80\x80 ", HW_EINVAL, "empty_division", &err);
    assert_fails(NULL, HW_EINVAL, "empty_division", &err);
}

static void test_resolve_junk_message(void **state)
{
    hw_error err;
    char big[4000];
    (void)state;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_fails(big, HW_ENOTFOUND, "unknown_division", &err);
    assert_true(strlen(err.message) < 200);
    assert_fails("\xFF\xFE平\xE5昌\x01县", HW_ENOTFOUND, "unknown_division", &err);
    assert_true(valid_utf8(err.message));
}

static void test_resolve_ambiguous(void **state)
{
    hw_error err;
    (void)state;
    assert_fails("朝阳区", HW_EAMBIGUOUS, "ambiguous_division", &err);
    assert_non_null(strstr(err.message, "地名不唯一: 朝阳区 可能是 110105 北京市朝阳区、220104 吉林省长春市朝阳区 ("));
    assert_non_null(strstr(err.message, "ambiguous place name"));
    assert_fails("鼓楼区", HW_EAMBIGUOUS, "ambiguous_division", &err);
    assert_non_null(strstr(err.message, "320106 江苏省南京市鼓楼区"));
    assert_non_null(strstr(err.message, "410204 河南省开封市鼓楼区"));
    assert_non_null(strstr(err.message, "4 candidates"));
    assert_resolves("北京市朝阳区", "110105");
    assert_resolves("长春市朝阳区", "220104");
    assert_resolves("福建省鼓楼区", "350102");
}

static void test_level(void **state)
{
    (void)state;
    assert_int_equal(divisions_level("510000"), 1);
    assert_int_equal(divisions_level("511900"), 2);
    assert_int_equal(divisions_level("511923"), 3);
    assert_int_equal(divisions_level("51192"), 0);
    assert_int_equal(divisions_level("5119230"), 0);
    assert_int_equal(divisions_level("51192a"), 0);
    assert_int_equal(divisions_level("000000"), 0);
    assert_int_equal(divisions_level(""), 0);
    assert_int_equal(divisions_level(NULL), 0);
}

static void test_covers(void **state)
{
    (void)state;
    assert_true(divisions_covers("510000", "511923"));
    assert_true(divisions_covers("510000", "511900"));
    assert_true(divisions_covers("510000", "510000"));
    assert_true(divisions_covers("511900", "511923"));
    assert_true(divisions_covers("511900", "511900"));
    assert_true(divisions_covers("511923", "511923"));
    assert_false(divisions_covers("511923", "511922"));
    assert_false(divisions_covers("511923", "511900"));
    assert_false(divisions_covers("511900", "511800"));
    assert_false(divisions_covers("511900", "510000"));
    assert_false(divisions_covers("511900", "511023"));
    assert_false(divisions_covers("510000", "520000"));
    assert_false(divisions_covers("510000", "5119"));
    assert_false(divisions_covers("51", "511923"));
    assert_false(divisions_covers(NULL, "511923"));
    assert_false(divisions_covers("510000", NULL));
}

static void test_full_name_and_name(void **state)
{
    char buf[DIVISIONS_FULL_NAME_MAX];
    char small[10];
    (void)state;
    assert_int_equal(divisions_full_name(table, "511923", buf, sizeof buf), HW_OK);
    assert_string_equal(buf, "四川省巴中市平昌县");
    assert_int_equal(divisions_full_name(table, "110101", buf, sizeof buf), HW_OK);
    assert_string_equal(buf, "北京市东城区");
    assert_int_equal(divisions_full_name(table, "500229", buf, sizeof buf), HW_OK);
    assert_string_equal(buf, "重庆市城口县");
    assert_int_equal(divisions_full_name(table, "620201", buf, sizeof buf), HW_OK);
    assert_string_equal(buf, "甘肃省嘉峪关市");
    assert_int_equal(divisions_full_name(table, "510000", buf, sizeof buf), HW_OK);
    assert_string_equal(buf, "四川省");
    assert_int_equal(divisions_full_name(table, "999999", buf, sizeof buf), HW_ENOTFOUND);
    assert_string_equal(buf, "");
    assert_int_equal(divisions_full_name(table, "511923", small, sizeof small), HW_ETOOBIG);
    assert_string_equal(small, "");
    assert_string_equal(divisions_name(table, "511923"), "平昌县");
    assert_string_equal(divisions_name(table, "110100"), "市辖区");
    assert_null(divisions_name(table, "999999"));
    assert_null(divisions_name(table, "5119"));
}

static void test_province_exists(void **state)
{
    (void)state;
    assert_true(divisions_province_exists(table, "511923"));
    assert_true(divisions_province_exists(table, "51"));
    assert_true(divisions_province_exists(table, "710000"));
    assert_false(divisions_province_exists(table, "991923"));
    assert_false(divisions_province_exists(table, "a1"));
    assert_false(divisions_province_exists(table, ""));
    assert_false(divisions_province_exists(table, NULL));
}

/* Load content from a temp file and expect rc with "line N" in the message (when line > 0). */
static void expect_load_error(const char *content, int rc, int line)
{
    char path[32], want[40];
    hw_error err = {0};
    divisions *d = (divisions *)1;
    write_temp(path, content);
    assert_int_equal(divisions_load(path, &d, &err), rc);
    unlink(path);
    assert_null(d);
    if (line > 0) {
        assert_string_equal(err.code, "bad_divisions_line");
        snprintf(want, sizeof want, "line %d:", line);
        assert_non_null(strstr(err.message, want));
        snprintf(want, sizeof want, "第 %d 行", line);
        assert_non_null(strstr(err.message, want));
    }
}

static void test_load_malformed(void **state)
{
    (void)state;
    expect_load_error("# c\n510000\t四川省\n51190\t巴中市\n", HW_EINVAL, 3);
    expect_load_error("510000\t四川省\n511900 巴中市\n", HW_EINVAL, 2);
    expect_load_error("510000\t四川省\n511900\t\n", HW_EINVAL, 2);
    expect_load_error("510000\t四川省\n\n511900\t巴\xFF中市\n", HW_EINVAL, 3);
    expect_load_error("510000\t四川省\n511900\t巴中 市\n", HW_EINVAL, 2);
    expect_load_error("510000\t四川省\n511900\t巴中市\t多余\n", HW_EINVAL, 2);
    expect_load_error("511900\t巴中市\n510000\t四川省\n", HW_EINVAL, 1);
    expect_load_error("510000\t四川省\n511900\t巴中市\n511900\t巴中市\n", HW_EINVAL, 3);
    expect_load_error("510000\t四川省\n511923\t平昌县\n", HW_EINVAL, 2);
    expect_load_error("000000\t无\n", HW_EINVAL, 1);
    expect_load_error("# only a comment\n", HW_EINVAL, 0);
    expect_load_error("", HW_EINVAL, 0);
}

static void test_load_missing_file(void **state)
{
    hw_error err = {0};
    divisions *d = (divisions *)1;
    (void)state;
    assert_int_equal(divisions_load("/nonexistent/divisions.tsv", &d, &err), HW_EIO);
    assert_null(d);
    assert_string_equal(err.code, "divisions_io");
}

static void test_load_default_env(void **state)
{
    char dir[] = "/tmp/test_divisions_dirXXXXXX", path[128];
    hw_error err = {0};
    divisions *d = NULL;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/divisions.tsv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("\xEF\xBB\xBF# tiny\r\n510000\t四川省\r\n511900\t巴中市\r\n511923\t平昌县", f);
    fclose(f);
    setenv("HOMEWARD_DATA_DIR", dir, 1);
    int rc = divisions_load_default(&d, &err);
    unsetenv("HOMEWARD_DATA_DIR");
    unlink(path);
    rmdir(dir);
    assert_int_equal(rc, HW_OK);
    assert_int_equal(divisions_count(d), 3);
    assert_string_equal(divisions_name(d, "511923"), "平昌县");
    divisions_free(d);
}

/* Sixty prefectures each with a 城关镇: the ambiguity message must be cut cleanly inside 512 bytes. */
static void test_ambiguous_truncated(void **state)
{
    char content[8192], path[32], code[7];
    size_t o = 0;
    hw_error err = {0};
    divisions *d = NULL;
    (void)state;
    o += (size_t)snprintf(content + o, sizeof content - o, "510000\t四川省\n");
    for (int i = 1; i <= 60; i++)
        o += (size_t)snprintf(content + o, sizeof content - o, "51%02d00\t第%d市\n51%02d01\t城关镇\n", i, i, i);
    write_temp(path, content);
    assert_int_equal(divisions_load(path, &d, &err), HW_OK);
    unlink(path);
    assert_int_equal(divisions_resolve(d, "城关镇", code, &err), HW_EAMBIGUOUS);
    assert_true(strlen(err.message) < sizeof err.message - 1);
    assert_true(valid_utf8(err.message));
    assert_non_null(strstr(err.message, "510101 四川省第1市城关镇"));
    assert_non_null(strstr(err.message, "、等 (ambiguous place name, 60 candidates"));
    assert_int_equal(divisions_resolve(d, "第7市城关镇", code, &err), HW_OK);
    assert_string_equal(code, "510701");
    divisions_free(d);
}

/* Every row's full name resolves back to it, except placeholders and 620201 (named as its parent). */
static void test_full_names_round_trip(void **state)
{
    char buf[DIVISIONS_FULL_NAME_MAX], code[7];
    hw_error err;
    size_t checked = 0;
    (void)state;
    FILE *f = fopen(HOMEWARD_DATA_DIR "/divisions.tsv", "r");
    char line[512];
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[6] = '\0';
        const char *name = line + 7;
        if (strncmp(name, "市辖区", strlen("市辖区")) == 0 || strncmp(name, "县\n", strlen("县\n")) == 0 ||
            strstr(name, "直辖县级行政区划") || strcmp(line, "620201") == 0)
            continue;
        assert_int_equal(divisions_full_name(table, line, buf, sizeof buf), HW_OK);
        assert_int_equal(divisions_resolve(table, buf, code, &err), HW_OK);
        assert_string_equal(code, line);
        checked++;
    }
    fclose(f);
    assert_true(checked > 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_resolve_pingchang),
        cmocka_unit_test(test_resolve_municipalities),
        cmocka_unit_test(test_resolve_quirks),
        cmocka_unit_test(test_resolve_code),
        cmocka_unit_test(test_resolve_unknown_and_empty),
        cmocka_unit_test(test_resolve_junk_message),
        cmocka_unit_test(test_resolve_ambiguous),
        cmocka_unit_test(test_level),
        cmocka_unit_test(test_covers),
        cmocka_unit_test(test_full_name_and_name),
        cmocka_unit_test(test_province_exists),
        cmocka_unit_test(test_load_malformed),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_default_env),
        cmocka_unit_test(test_ambiguous_truncated),
        cmocka_unit_test(test_full_names_round_trip),
    };
    return cmocka_run_group_tests(tests, load_table, free_table);
}
