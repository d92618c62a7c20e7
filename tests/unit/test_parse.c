/* test_parse.c - unit tests for scheduler/parse.c: trimming, yes/no, money in fen, phones, times, counts, text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

/* ---------------------------------------------------------------- helpers */

static void money_ok(const char *in, int64_t want)
{
    hw_error err;
    int64_t fen = -7;
    error_clear(&err);
    int rc = parse_money_fen(in, &fen, &err);
    if (rc != 0)
        fprintf(stderr, "parse_money_fen(\"%s\"): %s\n", in, err.message);
    assert_int_equal(rc, 0);
    assert_int_equal(fen, want);
}

static void money_bad(const char *in)
{
    hw_error err;
    int64_t fen = -7;
    error_clear(&err);
    int rc = parse_money_fen(in, &fen, &err);
    if (rc == 0)
        fprintf(stderr, "parse_money_fen(\"%s\") accepted as %lld fen\n", in, (long long)fen);
    assert_int_equal(rc, HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, "bad_amount");
    assert_int_equal(fen, -7); /* untouched on error */
}

static void yes_no_ok(const char *in, bool dflt, bool want)
{
    hw_error err;
    bool out = !want;
    assert_int_equal(parse_yes_no(in, dflt, &out, &err), 0);
    assert_true(out == want);
}

static void yes_no_bad(const char *in)
{
    hw_error err;
    bool out = true;
    error_clear(&err);
    assert_int_equal(parse_yes_no(in, true, &out, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_yes_no");
}

static void phone_ok(const char *in, const char *want)
{
    hw_error err;
    char out[24] = "unchanged";
    int rc = parse_phone(in, out, sizeof out, &err);
    if (rc != 0)
        fprintf(stderr, "parse_phone(\"%s\"): %s\n", in, err.message);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
}

static void phone_bad(const char *in)
{
    hw_error err;
    char out[24] = "unchanged";
    error_clear(&err);
    assert_int_equal(parse_phone(in, out, sizeof out, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_phone");
    assert_string_equal(out, "unchanged");
}

static void datetime_ok(const char *in, const char *want, int want_date)
{
    hw_error err;
    char out[32] = "";
    int date = -1;
    int rc = parse_datetime(in, out, sizeof out, &date, &err);
    if (rc != 0)
        fprintf(stderr, "parse_datetime(\"%s\"): %s\n", in, err.message);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
    assert_int_equal(date, want_date);
}

static void datetime_bad(const char *in)
{
    hw_error err;
    char out[32] = "unchanged";
    int date = -1;
    error_clear(&err);
    assert_int_equal(parse_datetime(in, out, sizeof out, &date, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_time");
    assert_int_equal(date, -1);
}

static void count_ok(const char *in, long max, long want)
{
    hw_error err;
    long out = -1;
    assert_int_equal(parse_count(in, max, &out, &err), 0);
    assert_int_equal(out, want);
}

static void count_bad(const char *in, long max)
{
    hw_error err;
    long out = -1;
    error_clear(&err);
    assert_int_equal(parse_count(in, max, &out, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_number");
    assert_int_equal(out, -1);
}

/* ---------------------------------------------------------------- tests */

static void test_trim(void **state)
{
    char buf[64];
    (void)state;
    parse_trim("  abc \t\r\n", buf, sizeof buf);
    assert_string_equal(buf, "abc");
    parse_trim("\xE3\x80\x80 平昌县\xE3\x80\x80\xE3\x80\x80", buf, sizeof buf); /* U+3000 both sides */
    assert_string_equal(buf, "平昌县");
    parse_trim("巴中市\xE3\x80\x80平昌县", buf, sizeof buf); /* inner spaces stay */
    assert_string_equal(buf, "巴中市\xE3\x80\x80平昌县");
    parse_trim("\xE3\x80\x80 \xE3\x80\x80", buf, sizeof buf);
    assert_string_equal(buf, "");
    parse_trim(NULL, buf, sizeof buf);
    assert_string_equal(buf, "");
    parse_trim("", buf, sizeof buf);
    assert_string_equal(buf, "");
    /* a lone E3 80 that is not a full U+3000 is not trimmed away */
    parse_trim("a\xE3\x80", buf, sizeof buf);
    assert_string_equal(buf, "a\xE3\x80");
    /* in place (buf == in), as the tag and stop splitters do, with and without leading space */
    snprintf(buf, sizeof buf, "  x y  ");
    parse_trim(buf, buf, sizeof buf);
    assert_string_equal(buf, "x y");
    snprintf(buf, sizeof buf, "困难职工");
    parse_trim(buf, buf, sizeof buf);
    assert_string_equal(buf, "困难职工");
    snprintf(buf, sizeof buf, "劳模 \xE3\x80\x80");
    parse_trim(buf, buf, sizeof buf);
    assert_string_equal(buf, "劳模");
    snprintf(buf, sizeof buf, "abcdef");
    parse_trim(buf, buf, 4);
    assert_string_equal(buf, "abc");
    /* truncation stays inside the buffer */
    char small[4];
    parse_trim("  abcdef ", small, sizeof small);
    assert_string_equal(small, "abc");
}

static void test_money(void **state)
{
    (void)state;
    money_ok("88", 8800);
    money_ok("1,234.5", 123450);
    money_ok("1,234.50", 123450);
    money_ok("¥0.05", 5);
    money_ok("￥12.34", 1234);
}

static void test_money_more(void **state)
{
    (void)state;
    money_ok(" 0 ", 0);
    money_ok("\xE3\x80\x80"
             "12.3\xE3\x80\x80",
             1230);
    money_ok("1,234,567.89", 123456789);
    money_ok("RMB88", 8800);
    money_ok("1000000000000", 100000000000000LL); /* 10^12 yuan is the largest amount */
    money_ok("1,000,000,000,000.00", 100000000000000LL);
    money_ok("999,999,999,999.99", 99999999999999LL);
    money_ok("12,345.67", 1234567);
}

static void test_money_errors(void **state)
{
    (void)state;
    money_bad("-1");
    money_bad("1.234");
    money_bad(".5");
    money_bad("1e3");
    money_bad("");
    money_bad("   ");
    money_bad("1.");
    money_bad("1..2");
    money_bad("1.2.3");
    money_bad("abc");
    money_bad("¥");
    money_bad("12元");
    money_bad(",123");
    money_bad("+5");
    money_bad("1000000000000.01"); /* over 10^12 yuan */
    money_bad("1000000000001");
    money_bad("99999999999999999999");
    /* thousands separators must group by three, or "1,5" would silently become 15 yuan */
    money_bad("1,5");
    money_bad("12,34");
    money_bad("1,2345");
    money_bad("1234,567");
    money_bad("1,");
    money_bad("1,,234");
    money_bad("1,234,5");
}

static void test_yes_no(void **state)
{
    (void)state;
    yes_no_ok("是", false, true);
    yes_no_ok("否", true, false);
    yes_no_ok("yes", false, true);
    yes_no_ok("NO", true, false);
    yes_no_ok("Y", false, true);
    yes_no_ok("n", true, false);
    yes_no_ok("True", false, true);
    yes_no_ok("FALSE", true, false);
    yes_no_ok("1", false, true);
    yes_no_ok("0", true, false);
    yes_no_ok(" \xE3\x80\x80是 ", false, true);
    yes_no_ok("", true, true);
    yes_no_ok("", false, false);
    yes_no_ok("  ", false, false);
    yes_no_ok(NULL, true, true);
    yes_no_bad("maybe");
    yes_no_bad("对");
    yes_no_bad("2");
    yes_no_bad("yes please");
    yes_no_bad("是否");
}

static void test_phone(void **state)
{
    (void)state;
    phone_ok("13812345678", "13812345678");
    phone_ok("+86 138-1234-5678", "13812345678");
    phone_ok("+8613812345678", "13812345678");
    phone_ok("138 1234 5678", "13812345678");
    phone_ok("028-81715072", "02881715072");
    phone_ok("(028) 8171-5072", "02881715072");
    phone_ok("\xE3\x80\x80"
             "0755-12345678 ",
             "075512345678");
    phone_ok("8171507", "8171507");
    phone_bad("12345");
    phone_bad("138123456ab");
    phone_bad("phone");
    phone_bad("23812345678"); /* 11 digits starting with 2 */
    phone_bad("93812345678");
    phone_bad("1381234567890"); /* 13 digits */
    phone_bad("");
    phone_bad("138.1234.5678");
    phone_bad("+1 415 555 0100 99");
}

static void test_datetime(void **state)
{
    (void)state;
    datetime_ok("2027-01-21 07:30", "2027-01-21T07:30:00+08:00", 20270121);
    datetime_ok("2027-01-21T07:30", "2027-01-21T07:30:00+08:00", 20270121);
    datetime_ok("2027-01-21 07:30:15", "2027-01-21T07:30:15+08:00", 20270121);
    datetime_ok("2027-01-21T23:59:59", "2027-01-21T23:59:59+08:00", 20270121);
    datetime_ok(" 2028-02-29 00:00\xE3\x80\x80", "2028-02-29T00:00:00+08:00", 20280229);

    hw_error err;
    char out[32];
    assert_int_equal(parse_datetime("2027-01-21 07:30", out, sizeof out, NULL, &err), 0); /* date optional */
    assert_string_equal(out, "2027-01-21T07:30:00+08:00");
}

static void test_datetime_errors(void **state)
{
    (void)state;
    datetime_bad("2027-01-21 24:00");
    datetime_bad("2027-01-21 07:60");
    datetime_bad("2027-01-21 07:30:60");
    datetime_bad("2027-02-30 07:30");
    datetime_bad("2027-02-29 07:30");
    datetime_bad("2027-13-01 07:30");
    datetime_bad("2027-01-21");
    datetime_bad("2027-01-21 7:30");
    datetime_bad("2027-01-21 07:3");
    datetime_bad("2027-01-21_07:30");
    datetime_bad("2027-01-21 07.30");
    datetime_bad("2027/01/21 07:30");
    datetime_bad("2027-01-21 07:30:1");
    datetime_bad("2027-01-21 07:30+08");
    datetime_bad("2027-01-21 -7:30");
    datetime_bad("2027-01-21 07:30 and more text that is long");
    datetime_bad("");
    datetime_bad("now");
}

static void test_count(void **state)
{
    (void)state;
    count_ok("1", 10, 1);
    count_ok(" 10 ", 10, 10);
    count_ok("007", 100, 7);
    count_ok("3000", 3000, 3000);
    count_bad("0", 10);
    count_bad("11", 10);
    count_bad("-1", 10);
    count_bad("+1", 10);
    count_bad("1.5", 10);
    count_bad("1 000", 5000);
    count_bad("", 10);
    count_bad("abc", 10);
    count_bad("99999999999999999999999999", 1000); /* no overflow on the way */
}

static void test_text(void **state)
{
    hw_error err;
    char buf[64];
    (void)state;
    assert_int_equal(parse_text("  成都东站 ", 60, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "成都东站");
    assert_int_equal(parse_text("", 60, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "");

    /* exactly max bytes is fine, one more is not */
    char text[80];
    memset(text, 'a', 60);
    text[60] = '\0';
    assert_int_equal(parse_text(text, 60, buf, sizeof buf, &err), 0);
    assert_int_equal(strlen(buf), 60);
    memset(text, 'a', 61);
    text[61] = '\0';
    error_clear(&err);
    assert_int_equal(parse_text(text, 60, buf, sizeof buf, &err), HW_EINVAL);
    assert_string_equal(err.code, "too_long");
    /* counted in bytes: 21 three-byte characters are 63 bytes */
    error_clear(&err);
    assert_int_equal(parse_text("一二三四五六七八九十一二三四五六七八九十一", 60, buf, sizeof buf, &err), HW_EINVAL);
    assert_string_equal(err.code, "too_long");
    /* a buffer smaller than max also refuses instead of truncating */
    char small[8];
    error_clear(&err);
    assert_int_equal(parse_text("abcdefgh", 60, small, sizeof small, &err), HW_EINVAL);
    assert_string_equal(err.code, "too_long");
    /* far longer than any internal buffer */
    char huge[3000];
    memset(huge, 'b', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    error_clear(&err);
    assert_int_equal(parse_text(huge, 120, buf, sizeof buf, &err), HW_EINVAL);
    assert_string_equal(err.code, "too_long");

    /* a line break typed in a cell (Alt+Enter) or a tab becomes one space */
    assert_int_equal(parse_text("a\nb", 60, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "a b");
    assert_int_equal(parse_text("成都某某有限公司,\r\n 三号厂房\t\t二楼", 60, buf, sizeof buf, &err), 0);
    assert_string_equal(buf, "成都某某有限公司, 三号厂房 二楼");
    static const char *const controls[] = {"a\x01", "\x1b[31mred",
                                           "del\x7f"
                                           "x"};
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++) {
        error_clear(&err);
        snprintf(buf, sizeof buf, "kept");
        assert_int_equal(parse_text(controls[i], 60, buf, sizeof buf, &err), HW_EINVAL);
        assert_string_equal(err.code, "control_character");
        assert_string_equal(buf, "kept");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim),         cmocka_unit_test(test_money),           cmocka_unit_test(test_money_more),
        cmocka_unit_test(test_money_errors), cmocka_unit_test(test_yes_no),          cmocka_unit_test(test_phone),
        cmocka_unit_test(test_datetime),     cmocka_unit_test(test_datetime_errors), cmocka_unit_test(test_count),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
