/* test_ticketcode.c - unit tests for scheduler/ticketcode.c: shape, GF(32) check symbol, lenient reading, printing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ticketcode.h"

#define ROUNDS 2000

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static uint64_t rng = 0x2545F4914F6CDD1Du;

static void random_bytes(uint8_t out[TICKETCODE_RANDOM_BYTES])
{
    for (int i = 0; i < TICKETCODE_RANDOM_BYTES; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        out[i] = (uint8_t)(rng >> 32);
    }
}

static void random_code(char code[TICKETCODE_LEN + 1])
{
    uint8_t bytes[TICKETCODE_RANDOM_BYTES];
    random_bytes(bytes);
    ticketcode_new(code, bytes);
}

static void expect_normal(const char *in, const char *want)
{
    char out[TICKETCODE_LEN + 1];
    hw_error err;
    error_clear(&err);
    assert_int_equal(ticketcode_normalize(in, out, &err), 0);
    assert_string_equal(out, want);
    assert_string_equal(err.code, "");
}

static void expect_reject(const char *in, const char *code)
{
    char out[TICKETCODE_LEN + 1] = "unchanged";
    hw_error err;
    error_clear(&err);
    assert_int_equal(ticketcode_normalize(in, out, &err), HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, code);
    assert_string_equal(out, "");
    assert_true(strlen(err.message) > 0);
    if (in != NULL && strlen(in) >= 6)
        assert_null(strstr(err.message, in)); /* never repeats what was typed */
}

static void test_shape(void **state)
{
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        char code[TICKETCODE_LEN + 1];
        random_code(code);
        assert_int_equal(strlen(code), TICKETCODE_LEN);
        for (int i = 0; i < TICKETCODE_LEN; i++)
            assert_non_null(strchr(alphabet, code[i]));
        assert_true(ticketcode_valid(code));
        assert_int_equal(ticketcode_check_char(code), code[9]);
        expect_normal(code, code);
    }
}

static void test_known_answers(void **state)
{
    (void)state;
    char code[TICKETCODE_LEN + 1];
    ticketcode_new(code, (const uint8_t[]){0, 0, 0, 0, 0, 0});
    assert_string_equal(code, "0000000000");
    ticketcode_new(code, (const uint8_t[]){0x08, 0, 0, 0, 0, 0}); /* bits 00001 000...: first symbol 1 */
    assert_string_equal(code, "1000000002");                      /* check x * 1 = 2 */
    ticketcode_new(code, (const uint8_t[]){0x04, 0, 0, 0, 0, 0}); /* 00000 10000 ...: second symbol 16 = G */
    assert_string_equal(code, "0G0000000A");                      /* x^2 * x^4 = x^6 = x^3 + x = 10 = A */
    ticketcode_new(code, (const uint8_t[]){0, 0, 0, 0, 0, 0x08}); /* the last used bits: 9th symbol 1 */
    assert_string_equal(code, "000000001T");                      /* x^9 = 26 = T in GF(32) mod x^5+x^2+1 */
    ticketcode_new(code, (const uint8_t[]){0, 0, 0, 0, 0, 0x07}); /* the 3 unused bits change nothing */
    assert_string_equal(code, "0000000000");
    assert_int_equal(ticketcode_check_char("010000000"), '4'); /* x^2 */
    assert_int_equal(ticketcode_check_char("ZZZZZZZZ"), 0);    /* short */
    assert_int_equal(ticketcode_check_char("ZZZZZZZZU"), 0);   /* U is not a symbol */
    assert_int_equal(ticketcode_check_char("zzzzzzzzz"), 0);   /* canonical only */
    assert_int_equal(ticketcode_check_char(NULL), 0);
}

static void test_detects_substitutions(void **state)
{
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        char code[TICKETCODE_LEN + 1], typo[TICKETCODE_LEN + 1], out[TICKETCODE_LEN + 1];
        random_code(code);
        for (int i = 0; i < TICKETCODE_LEN; i++) {
            for (const char *c = alphabet; *c != '\0'; c++) {
                if (*c == code[i])
                    continue;
                memcpy(typo, code, sizeof typo);
                typo[i] = *c;
                assert_false(ticketcode_valid(typo));
                hw_error err;
                assert_int_equal(ticketcode_normalize(typo, out, &err), HW_EINVAL);
                assert_string_equal(err.code, "ticket_check");
            }
        }
    }
    /* 0 and Z are 31 apart: the pair a mod-31 sum would miss */
    assert_false(ticketcode_valid("Z000000000"));
    assert_false(ticketcode_valid("000000000Z"));
}

static void test_detects_transpositions(void **state)
{
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        char code[TICKETCODE_LEN + 1], swapped[TICKETCODE_LEN + 1];
        random_code(code);
        for (int i = 0; i + 1 < TICKETCODE_LEN; i++) { /* i = 8 swaps the last data symbol with the check */
            if (code[i] == code[i + 1])
                continue;
            memcpy(swapped, code, sizeof swapped);
            swapped[i] = code[i + 1];
            swapped[i + 1] = code[i];
            assert_false(ticketcode_valid(swapped));
        }
    }
    /* exhaustively for the 0/Z pair at every position */
    for (int i = 0; i + 1 < TICKETCODE_LEN; i++) { /* i = 8: Z and the check symbol */
        char data[TICKETCODE_LEN + 1] = "000000000", code[TICKETCODE_LEN + 1], swapped[TICKETCODE_LEN + 1];
        data[i] = 'Z';
        snprintf(code, sizeof code, "%.9s%c", data, ticketcode_check_char(data));
        memcpy(swapped, code, sizeof swapped);
        swapped[i] = code[i + 1];
        swapped[i + 1] = code[i];
        assert_true(code[i] != code[i + 1]);
        assert_true(ticketcode_valid(code));
        assert_false(ticketcode_valid(swapped));
    }
}

static void test_normalize_lenient(void **state)
{
    (void)state;
    char code[TICKETCODE_LEN + 1], typed[64], lower[TICKETCODE_LEN + 1];
    random_code(code);
    for (int i = 0; i <= TICKETCODE_LEN; i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
    expect_normal(lower, code);
    snprintf(typed, sizeof typed, "  %.4s-%.4s-%.2s\r\n", lower, lower + 4, lower + 8); /* a wedge scanner's Enter */
    expect_normal(typed, code);
    snprintf(typed, sizeof typed, "%.4s %.4s %.2s", code, code + 4, code + 8);
    expect_normal(typed, code);
    expect_normal("l-ooo-ooo-oo2", "1000000002");            /* O -> 0, L -> 1 */
    expect_normal("IOOO OOOO O2", "1000000002");             /* I -> 1 */
    expect_normal("１０００－００００－０２", "1000000002"); /* full-width digits and hyphen from an IME */
    expect_normal("　1000—000002", "1000000002");            /* U+3000 (ideographic space) and an em dash */
    char formatted[TICKETCODE_FORMATTED_LEN + 1];
    ticketcode_format(code, formatted, sizeof formatted);
    expect_normal(formatted, code); /* what we print reads back */
}

static void test_normalize_errors(void **state)
{
    (void)state;
    expect_reject("", "ticket_empty");
    expect_reject(" - \t", "ticket_empty");
    expect_reject(NULL, "ticket_empty");
    expect_reject("100000000", "ticket_length");
    expect_reject("10000000022", "ticket_length");
    expect_reject("11010519491231002X", "ticket_length"); /* an id number typed into the ticket field */
    expect_reject("1000U00002", "ticket_char");           /* U is no Crockford symbol */
    expect_reject("1000*00002", "ticket_char");
    expect_reject("10000000é2", "ticket_char");
    expect_reject("1000000003", "ticket_check");
    expect_reject("0100000002", "ticket_check"); /* a transposition */
    hw_error err;
    char out[TICKETCODE_LEN + 1];
    assert_int_equal(ticketcode_normalize("10*0", out, &err), HW_EINVAL);
    assert_string_equal(err.code, "ticket_char"); /* a bad character is named before the length */
    assert_non_null(strstr(err.message, "3"));    /* by its position */
    assert_int_equal(ticketcode_normalize("1000000003", out, NULL), HW_EINVAL); /* err may be NULL */
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(ticketcode_valid("1000000002"));
    assert_false(ticketcode_valid("1000-0000-02")); /* canonical only: normalize first */
    assert_false(ticketcode_valid("l000000002"));
    assert_false(ticketcode_valid("100000000"));
    assert_false(ticketcode_valid("10000000022"));
    assert_false(ticketcode_valid(""));
    assert_false(ticketcode_valid(NULL));
}

static void test_format(void **state)
{
    (void)state;
    char buf[TICKETCODE_FORMATTED_LEN + 1];
    ticketcode_format("ABCDEFGHJK", buf, sizeof buf);
    assert_string_equal(buf, "ABCD-EFGH-JK");
    ticketcode_format("ABC", buf, sizeof buf);
    assert_string_equal(buf, "ABC");
    ticketcode_format(NULL, buf, sizeof buf);
    assert_string_equal(buf, "");
    char small[6] = "xxxxx";
    ticketcode_format("ABCDEFGHJK", small, sizeof small);
    assert_string_equal(small, "ABCD-");
    ticketcode_format("ABCDEFGHJK", small, 0);
    assert_string_equal(small, "ABCD-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_detects_substitutions),
        cmocka_unit_test(test_detects_transpositions),
        cmocka_unit_test(test_normalize_lenient),
        cmocka_unit_test(test_normalize_errors),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
