/* test_idnumber.c - unit tests for scheduler/idnumber.c: GB 11643 validation, check characters and masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "idnumber.h"

#define TODAY 20261128

/* The example number printed in GB 11643-1999. */
static const char *const standard_example = "11010519491231002X";

/* 17 digits plus the check character idnumber_check_char computes for them. */
static void make_id(const char *first17, char out[IDNUMBER_LEN + 1])
{
    assert_int_equal(strlen(first17), 17);
    char check = idnumber_check_char(first17);
    assert_true(check != 0);
    snprintf(out, IDNUMBER_LEN + 1, "%s%c", first17, check);
}

/* Normalize `in` expecting failure with `code`; the message must not repeat the number's digits. */
static void expect_reject(const char *in, int today, const char *code)
{
    char out[IDNUMBER_LEN + 1] = "unchanged";
    hw_error err;
    error_clear(&err);
    assert_int_equal(idnumber_normalize(in, today, out, &err), HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, code);
    assert_string_equal(out, "");
    assert_true(strlen(err.message) > 0);
}

/* Normalize `in` expecting success with result `want`. */
static void expect_accept(const char *in, int today, const char *want)
{
    char out[IDNUMBER_LEN + 1];
    hw_error err;
    error_clear(&err);
    assert_int_equal(idnumber_normalize(in, today, out, &err), 0);
    assert_string_equal(out, want);
    assert_string_equal(err.code, "");
}

static void test_check_char_known_answer(void **state)
{
    (void)state;
    assert_int_equal(idnumber_check_char("11010519491231002"), 'X');
    assert_int_equal(idnumber_check_char(standard_example), 'X'); /* only the first 17 are read */
    assert_int_equal(idnumber_check_char("1101051949123100"), 0);
    assert_int_equal(idnumber_check_char("1101051949123100A"), 0);
    assert_int_equal(idnumber_check_char(""), 0);
    assert_int_equal(idnumber_check_char(NULL), 0);
}

static void test_standard_example_valid(void **state)
{
    (void)state;
    expect_accept(standard_example, TODAY, standard_example);
}

static void test_lowercase_x_normalized(void **state)
{
    (void)state;
    expect_accept("11010519491231002x", TODAY, standard_example);
}

static void test_spaces_trimmed(void **state)
{
    (void)state;
    expect_accept("  11010519491231002X\t", TODAY, standard_example);
    expect_accept("\r\n11010519491231002x\n", TODAY, standard_example);
    expect_accept("\xE3\x80\x80"
                  "11010519491231002X"
                  "\xE3\x80\x80\xE3\x80\x80",
                  TODAY, standard_example);
    expect_accept(" \xE3\x80\x80 11010519491231002X \xE3\x80\x80 ", TODAY, standard_example);
}

static void test_inner_space_rejected(void **state)
{
    (void)state;
    expect_reject("110105 19491231002X", TODAY, "id_not_digits");
}

static void test_wrong_check_char(void **state)
{
    (void)state;
    expect_reject("110105194912310021", TODAY, "id_check_char");
    expect_reject("110105194912310020", TODAY, "id_check_char");
}

static void test_empty(void **state)
{
    (void)state;
    expect_reject("", TODAY, "id_empty");
    expect_reject("   \t\xE3\x80\x80 ", TODAY, "id_empty");
}

static void test_fifteen_digits(void **state)
{
    (void)state;
    hw_error err;
    char out[IDNUMBER_LEN + 1];
    error_clear(&err);
    assert_int_equal(idnumber_normalize("110105491231002", TODAY, out, &err), HW_EINVAL);
    assert_string_equal(err.code, "id_15_digits");
    assert_non_null(strstr(err.message, "18位"));
    assert_non_null(strstr(err.message, "18-digit"));
}

static void test_wrong_length(void **state)
{
    (void)state;
    expect_reject("11010519491231002", TODAY, "id_length");
    expect_reject("1101051949123100211", TODAY, "id_length");
    expect_reject("11010549123100X", TODAY, "id_length"); /* 15 characters, but not an old number */
    expect_reject("1", TODAY, "id_length");
}

static void test_not_digits(void **state)
{
    (void)state;
    expect_reject("11010519491231002Y", TODAY, "id_not_digits");
    expect_reject("1101051949123100X2", TODAY, "id_not_digits");
    expect_reject("ABCDEFGHIJKLMNOPQR", TODAY, "id_not_digits");
    expect_reject("11010519491231002\xEF\xBC\xB8", TODAY, "id_not_digits"); /* full-width X */
    expect_reject("身份证", TODAY, "id_not_digits");
}

static void test_not_digits_names_position(void **state)
{
    (void)state;
    hw_error err;
    char out[IDNUMBER_LEN + 1];
    error_clear(&err);
    assert_int_equal(idnumber_normalize("1101051949A231002X", TODAY, out, &err), HW_EINVAL);
    assert_non_null(strstr(err.message, "第11位"));
    assert_non_null(strstr(err.message, "character 11 "));
}

static void test_unknown_province(void **state)
{
    (void)state;
    char id[IDNUMBER_LEN + 1];
    make_id("99010519491231002", id);
    expect_reject(id, TODAY, "id_province");
    make_id("00010519491231002", id);
    expect_reject(id, TODAY, "id_province");
}

static void test_every_province_boundary(void **state)
{
    (void)state;
    static const char *const valid[] = {"11", "15", "21", "23", "31", "37", "41", "46",
                                        "50", "54", "61", "65", "71", "81", "82", "83"};
    static const char *const invalid[] = {"10", "16", "20", "24", "30", "38", "40", "47",
                                          "49", "55", "60", "66", "70", "72", "80", "84"};
    char first17[18], id[IDNUMBER_LEN + 1];
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        snprintf(first17, sizeof first17, "%s0105198001010018", valid[i]);
        make_id(first17, id);
        expect_accept(id, TODAY, id);
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        snprintf(first17, sizeof first17, "%s0105198001010018", invalid[i]);
        make_id(first17, id);
        expect_reject(id, TODAY, "id_province");
    }
}

static void test_leap_days(void **state)
{
    (void)state;
    char id[IDNUMBER_LEN + 1];
    make_id("11010519000229001", id); /* 1900 is not a leap year */
    expect_reject(id, TODAY, "id_birth_date");
    make_id("11010520000229001", id); /* 2000 is */
    expect_accept(id, TODAY, id);
    make_id("11010520240229001", id);
    expect_accept(id, TODAY, id);
    make_id("11010520230229001", id);
    expect_reject(id, TODAY, "id_birth_date");
}

static void test_impossible_dates(void **state)
{
    (void)state;
    static const char *const bodies[] = {"11010519491331002", "11010519490031002", "11010519491200002",
                                         "11010519490431002", "11010500000000002"};
    char id[IDNUMBER_LEN + 1];
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        make_id(bodies[i], id);
        expect_reject(id, TODAY, "id_birth_date");
    }
}

static void test_birth_range(void **state)
{
    (void)state;
    char id[IDNUMBER_LEN + 1];
    make_id("11010520261129001", id);
    expect_reject(id, TODAY, "id_birth_future");
    make_id("11010520261128001", id); /* born today */
    expect_accept(id, TODAY, id);
    make_id("11010518991231001", id);
    expect_reject(id, TODAY, "id_birth_too_early");
    make_id("11010519000101001", id);
    expect_accept(id, TODAY, id);
}

static void test_unknown_county_accepted(void **state)
{
    (void)state;
    char id[IDNUMBER_LEN + 1];
    make_id("51109919850315123", id); /* 511099 is no county, but 51 is Sichuan */
    expect_accept(id, TODAY, id);
}

static void test_mask_id(void **state)
{
    (void)state;
    char out[IDNUMBER_LEN + 1];
    idnumber_mask("511923198503151234", out);
    assert_string_equal(out, "5119**********1234");
    idnumber_mask(standard_example, out);
    assert_string_equal(out, "1101**********002X");
    idnumber_mask("110105491231002", out);
    assert_string_equal(out, "***************");
    idnumber_mask("11010519491231002X11010519491231002X", out);
    assert_string_equal(out, "******************");
    idnumber_mask("", out);
    assert_string_equal(out, "");
    idnumber_mask(NULL, out);
    assert_string_equal(out, "");
    idnumber_mask("身份证号", out); /* counted in characters, not bytes */
    assert_string_equal(out, "****");
}

static void test_mask_phone(void **state)
{
    (void)state;
    char out[32];
    idnumber_mask_phone("13812345678", out, sizeof out);
    assert_string_equal(out, "138****5678");
    idnumber_mask_phone("02887654321", out, sizeof out); /* 11-digit landline: not a mobile */
    assert_string_equal(out, "*******4321");
    idnumber_mask_phone("028-87654321", out, sizeof out);
    assert_string_equal(out, "********4321");
    idnumber_mask_phone("+8613812345678", out, sizeof out);
    assert_string_equal(out, "**********5678");
    idnumber_mask_phone("12345", out, sizeof out);
    assert_string_equal(out, "*2345");
    idnumber_mask_phone("1234", out, sizeof out);
    assert_string_equal(out, "****");
    idnumber_mask_phone("", out, sizeof out);
    assert_string_equal(out, "");
    idnumber_mask_phone(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_mask_phone_small_buffer(void **state)
{
    (void)state;
    char out[8];
    memset(out, 'z', sizeof out);
    idnumber_mask_phone("13812345678", out, sizeof out);
    assert_string_equal(out, "*******");
    idnumber_mask_phone("13812345678", out, 1);
    assert_string_equal(out, "");
    out[0] = 'z';
    idnumber_mask_phone("13812345678", out, 0);
    assert_int_equal(out[0], 'z');
    char exact[12];
    idnumber_mask_phone("13812345678", exact, sizeof exact);
    assert_string_equal(exact, "138****5678");
}

static void test_mask_phone_utf8_not_split(void **state)
{
    (void)state;
    char out[64];
    idnumber_mask_phone("电话：一二三四五", out, sizeof out);
    assert_string_equal(out, "****二三四五"); /* 8 characters, 4 kept */
}

static void test_birth_date_and_sex(void **state)
{
    (void)state;
    assert_int_equal(idnumber_birth_date(standard_example), 19491231);
    assert_int_equal(idnumber_sex(standard_example), 2); /* 17th digit 2 */
    char id[IDNUMBER_LEN + 1];
    make_id("51109919850315123", id);
    assert_int_equal(idnumber_birth_date(id), 19850315);
    assert_int_equal(idnumber_sex(id), 1); /* 17th digit 3 */
    assert_int_equal(idnumber_birth_date("110105"), 0);
    assert_int_equal(idnumber_sex("1101051949123100"), 0);
    assert_int_equal(idnumber_birth_date(NULL), 0);
    assert_int_equal(idnumber_sex(NULL), 0);
}

static void test_null_err_allowed(void **state)
{
    (void)state;
    char out[IDNUMBER_LEN + 1];
    assert_int_equal(idnumber_normalize("junk", TODAY, out, NULL), HW_EINVAL);
    assert_int_equal(idnumber_normalize(standard_example, TODAY, out, NULL), 0);
    assert_string_equal(out, standard_example);
}

/* No message repeats the number, its first 17 digits, or its birth date. */
static void test_messages_never_echo_number(void **state)
{
    (void)state;
    char province[IDNUMBER_LEN + 1], future[IDNUMBER_LEN + 1], early[IDNUMBER_LEN + 1], leap[IDNUMBER_LEN + 1];
    make_id("99010519491231002", province);
    make_id("11010520261129001", future);
    make_id("11010518991231001", early);
    make_id("11010519000229001", leap);
    const char *const inputs[] = {"110105194912310021",
                                  "110105491231002",
                                  "11010519491231002",
                                  "1101051949123100211",
                                  "1101051949123100Y2",
                                  province,
                                  future,
                                  early,
                                  leap};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char out[IDNUMBER_LEN + 1];
        hw_error err;
        error_clear(&err);
        assert_int_equal(idnumber_normalize(inputs[i], TODAY, out, &err), HW_EINVAL);
        assert_null(strstr(err.message, inputs[i]));
        char body[18];
        snprintf(body, sizeof body, "%s", inputs[i]);
        assert_null(strstr(err.message, body));
        char birth[9];
        snprintf(birth, sizeof birth, "%s", inputs[i] + 6);
        if (strlen(inputs[i]) >= 14)
            assert_null(strstr(err.message, birth));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_char_known_answer),
        cmocka_unit_test(test_standard_example_valid),
        cmocka_unit_test(test_lowercase_x_normalized),
        cmocka_unit_test(test_spaces_trimmed),
        cmocka_unit_test(test_inner_space_rejected),
        cmocka_unit_test(test_wrong_check_char),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fifteen_digits),
        cmocka_unit_test(test_wrong_length),
        cmocka_unit_test(test_not_digits),
        cmocka_unit_test(test_not_digits_names_position),
        cmocka_unit_test(test_unknown_province),
        cmocka_unit_test(test_every_province_boundary),
        cmocka_unit_test(test_leap_days),
        cmocka_unit_test(test_impossible_dates),
        cmocka_unit_test(test_birth_range),
        cmocka_unit_test(test_unknown_county_accepted),
        cmocka_unit_test(test_mask_id),
        cmocka_unit_test(test_mask_phone),
        cmocka_unit_test(test_mask_phone_small_buffer),
        cmocka_unit_test(test_mask_phone_utf8_not_split),
        cmocka_unit_test(test_birth_date_and_sex),
        cmocka_unit_test(test_null_err_allowed),
        cmocka_unit_test(test_messages_never_echo_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
