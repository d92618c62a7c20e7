/* test_args.c - unit tests for scheduler/args.c, scheduler/clock.c and scheduler/campaign.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "args.h"
#include "campaign.h"
#include "clock.h"
#include "error.h"
#include "store.h"

#include "fixture.h"

#define NOPTS(o) (sizeof(o) / sizeof((o)[0]))

/* ---------------------------------------------------------------- args */

/* The options of `homeward init`-like commands, reset for each parse. */
static void init_opts(args_opt o[4])
{
    args_opt fresh[4] = {ARGS_VALUE("--unit-code"), ARGS_VALUE("--from"), ARGS_FLAG("--demo"), ARGS_FLAG("--dry-run")};
    memcpy(o, fresh, sizeof fresh);
}

/* Parse `words` expecting a usage error whose message names `named`. */
static void expect_usage_error(char **words, int n, size_t max_pos, const char *named)
{
    args_opt o[4];
    const char *pos[2] = {NULL, NULL};
    size_t npos = 99;
    hw_error err;
    init_opts(o);
    error_clear(&err);
    assert_int_equal(args_parse(n, words, o, NOPTS(o), pos, max_pos, &npos, &err), HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, "usage");
    if (strstr(err.message, named) == NULL)
        fail_msg("message \"%s\" should name %s", err.message, named);
}

static void test_args_value_forms(void **state)
{
    (void)state;
    char *argv[] = {"--unit-code", "510100", "--from=2027-01-10"};
    args_opt o[4];
    const char *pos[2];
    size_t npos = 99;
    hw_error err;
    init_opts(o);
    assert_int_equal(args_parse(3, argv, o, NOPTS(o), pos, 2, &npos, &err), 0);
    assert_int_equal(npos, 0);
    assert_true(o[0].present);
    assert_string_equal(o[0].value, "510100");
    assert_ptr_equal(o[0].value, argv[1]); /* points into argv, nothing copied */
    assert_true(o[1].present);
    assert_string_equal(o[1].value, "2027-01-10");
    assert_ptr_equal(o[1].value, argv[2] + strlen("--from="));
    assert_false(o[2].present);
    assert_false(o[3].present);

    /* "=" splits at the first one; an empty value after "=" is a value */
    char *eq[] = {"--unit-code=a=b", "--from="};
    init_opts(o);
    assert_int_equal(args_parse(2, eq, o, NOPTS(o), pos, 2, &npos, &err), 0);
    assert_string_equal(o[0].value, "a=b");
    assert_true(o[1].present);
    assert_string_equal(o[1].value, "");
}

static void test_args_flags_and_positionals(void **state)
{
    (void)state;
    char *argv[] = {"registrations", "--demo", "--from", "2027-01-10", "file.csv"};
    args_opt o[4];
    const char *pos[2] = {NULL, NULL};
    size_t npos = 99;
    hw_error err;
    init_opts(o);
    assert_int_equal(args_parse(5, argv, o, NOPTS(o), pos, 2, &npos, &err), 0);
    assert_int_equal(npos, 2);
    assert_string_equal(pos[0], "registrations");
    assert_string_equal(pos[1], "file.csv");
    assert_true(o[2].present);
    assert_null(o[2].value);
    assert_false(o[3].present);
    assert_string_equal(o[1].value, "2027-01-10");

    assert_ptr_equal(args_find(o, NOPTS(o), "--demo"), &o[2]);
    assert_ptr_equal(args_find(o, NOPTS(o), "--from"), &o[1]);
    assert_null(args_find(o, NOPTS(o), "--fro"));
    assert_null(args_find(o, NOPTS(o), "demo"));

    /* nothing at all is fine */
    init_opts(o);
    assert_int_equal(args_parse(0, argv, o, NOPTS(o), pos, 2, &npos, &err), 0);
    assert_int_equal(npos, 0);
    for (size_t i = 0; i < NOPTS(o); i++)
        assert_false(o[i].present);
}

static void test_args_errors(void **state)
{
    (void)state;
    char *flag_value[] = {"--demo=yes"};
    char *missing[] = {"file.csv", "--from"};
    char *unknown[] = {"--form", "2027-01-10"};
    char *prefix[] = {"--fro", "2027-01-10"};
    char *longer[] = {"--from-date=2027-01-10"};
    char *too_many[] = {"a", "b", "c"};
    expect_usage_error(flag_value, 1, 2, "--demo");
    expect_usage_error(missing, 2, 2, "--from");
    expect_usage_error(unknown, 2, 2, "--form");
    expect_usage_error(prefix, 2, 2, "--fro"); /* no abbreviations */
    expect_usage_error(longer, 1, 2, "--from-date");
    expect_usage_error(too_many, 3, 2, "c");
    expect_usage_error(too_many, 1, 0, "a");
}

/* ---------------------------------------------------------------- clock */

static void expect_date(const char *s, int want)
{
    int got = -1;
    hw_error err;
    error_clear(&err);
    assert_int_equal(clock_parse_date(s, &got, &err), 0);
    assert_int_equal(got, want);
}

static void expect_bad_date(const char *s)
{
    int got = -1;
    hw_error err;
    error_clear(&err);
    if (clock_parse_date(s, &got, &err) != HW_EINVAL)
        fail_msg("clock_parse_date(\"%s\") should fail", s != NULL ? s : "(null)");
    assert_int_equal(got, -1);
    assert_string_equal(err.code, "bad_date");
    assert_true(strlen(err.message) > 0);
}

static void test_clock_parse_date(void **state)
{
    (void)state;
    expect_date("2027-01-10", 20270110);
    expect_date("2000-02-29", 20000229); /* divisible by 400: leap */
    expect_date("2024-02-29", 20240229);
    expect_date("2027-12-31", 20271231);
    expect_date("1900-01-01", 19000101);
    expect_date("2999-12-31", 29991231);

    expect_bad_date("1900-02-29"); /* divisible by 100, not by 400 */
    expect_bad_date("2100-02-29");
    expect_bad_date("2027-02-29");
    expect_bad_date("2027-02-30");
    expect_bad_date("2027-04-31");
    expect_bad_date("2027-13-01");
    expect_bad_date("2027-00-10");
    expect_bad_date("2027-01-00");
    expect_bad_date("2027-01-32");
    expect_bad_date("1899-12-31");
    expect_bad_date("3000-01-01");
    /* wrong shapes */
    expect_bad_date(NULL);
    expect_bad_date("");
    expect_bad_date("2027-1-10");
    expect_bad_date("2027-01-1");
    expect_bad_date("2027/01/10");
    expect_bad_date("20270110");
    expect_bad_date("2027-01-10T08:00");
    expect_bad_date(" 2027-01-10");
    expect_bad_date("2027-01-10 ");
    expect_bad_date("2027-01-1a");
    expect_bad_date("+027-01-10");
    expect_bad_date("2027--1-10");
    expect_bad_date("２０２７-01-10");

    assert_true(clock_valid_date(2000, 2, 29));
    assert_false(clock_valid_date(1900, 2, 29));
    assert_false(clock_valid_date(2027, 2, 30));
    assert_false(clock_valid_date(2027, 0, 1));
    assert_false(clock_valid_date(2027, 1, 0));
}

static void expect_format(time_t t, const char *want)
{
    char buf[32];
    clock_format(t, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_clock_format_shanghai(void **state)
{
    (void)state;
    char *old = getenv("TZ");
    char saved[64] = "";
    int had_tz = old != NULL;
    if (had_tz)
        snprintf(saved, sizeof saved, "%s", old);

    /* the result must not depend on the process time zone */
    const char *zones[] = {"UTC0", "America/New_York", "Asia/Shanghai"};
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        setenv("TZ", zones[z], 1);
        tzset();
        expect_format(0, "1970-01-01T08:00:00+08:00");
        expect_format(16 * 3600 - 1, "1970-01-01T23:59:59+08:00");
        expect_format(16 * 3600, "1970-01-02T00:00:00+08:00");
        expect_format(1799629200, "2027-01-11T09:00:00+08:00");
        expect_format(1798732800, "2027-01-01T00:00:00+08:00"); /* still 2026 in UTC */
        expect_format(1835368205, "2028-02-29T00:30:05+08:00");
    }
    if (had_tz)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();

    /* a short buffer is truncated, never overrun */
    char small[16];
    memset(small, '#', sizeof small);
    clock_format(0, small, 11);
    assert_string_equal(small, "1970-01-01");
    assert_int_equal(small[11], '#');

    /* clock_now uses the same format, and its date is today's in Shanghai */
    char now[32];
    int before = clock_today();
    clock_now(now, sizeof now);
    int after = clock_today();
    assert_int_equal(strlen(now), 25);
    assert_string_equal(now + 19, "+08:00");
    char today[16];
    snprintf(today, sizeof today, "%.4s%.2s%.2s", now, now + 5, now + 8);
    int day = atoi(today);
    assert_true(day == before || day == after);
    assert_true(before >= 20250101);
}

/* ---------------------------------------------------------------- campaign */

/* A fresh database with a reader connection to it. */
static int setup(void **state)
{
    return fixture_new(state, FIXTURE_READER);
}

static campaign_info valid_campaign(void)
{
    campaign_info c;
    memset(&c, 0, sizeof c);
    snprintf(c.unit_code, sizeof c.unit_code, "510100");
    snprintf(c.unit_name, sizeof c.unit_name, "成都市总工会");
    snprintf(c.name, sizeof c.name, "2027年元旦春节送温暖");
    snprintf(c.from, sizeof c.from, "2027-01-10");
    snprintf(c.to, sizeof c.to, "2027-02-28");
    snprintf(c.deadline, sizeof c.deadline, "2027-03-05");
    snprintf(c.reporter, sizeof c.reporter, "张三");
    snprintf(c.reporter_phone, sizeof c.reporter_phone, "028-12345678");
    return c;
}

static void expect_campaign_invalid(const campaign_info *c, const char *code)
{
    hw_error err;
    error_clear(&err);
    assert_int_equal(campaign_validate(c, &err), HW_EINVAL);
    assert_string_equal(err.code, code);
    assert_true(strlen(err.message) > 0);
}

static void test_campaign_validate(void **state)
{
    (void)state;
    hw_error err;
    campaign_info c = valid_campaign();
    assert_int_equal(campaign_validate(&c, &err), 0);

    const char *bad_codes[] = {"", "51010", "5101000", "51010a", "5101 0", "-51010"};
    for (size_t i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
        c = valid_campaign();
        snprintf(c.unit_code, sizeof c.unit_code, "%s", bad_codes[i]);
        expect_campaign_invalid(&c, "bad_unit_code");
    }
    c = valid_campaign();
    c.unit_name[0] = '\0';
    expect_campaign_invalid(&c, "missing_unit_name");
    c = valid_campaign();
    c.name[0] = '\0';
    expect_campaign_invalid(&c, "missing_campaign");
    c = valid_campaign();
    snprintf(c.from, sizeof c.from, "2027-02-30");
    expect_campaign_invalid(&c, "bad_date");
    c = valid_campaign();
    snprintf(c.to, sizeof c.to, "2027/02/28");
    expect_campaign_invalid(&c, "bad_date");
    c = valid_campaign();
    snprintf(c.to, sizeof c.to, "2027-01-09"); /* the day before `from` */
    expect_campaign_invalid(&c, "bad_window");
    c = valid_campaign();
    snprintf(c.deadline, sizeof c.deadline, "2027-02-30");
    expect_campaign_invalid(&c, "bad_date");

    /* a one-day window and an absent deadline are fine */
    c = valid_campaign();
    snprintf(c.to, sizeof c.to, "%s", c.from);
    c.deadline[0] = '\0';
    assert_int_equal(campaign_validate(&c, &err), 0);
}

static void test_campaign_load_before_init(void **state)
{
    fixture *f = *state;
    campaign_info c;
    int64_t id = -1;
    hw_error err;
    error_clear(&err);
    assert_int_equal(campaign_load(f->reader, &c, &err), HW_ENOTFOUND);
    assert_int_equal(err.rc, HW_ENOTFOUND);
    assert_string_equal(err.code, "not_initialized");
    error_clear(&err);
    assert_int_equal(campaign_current_id(f->reader, &id, &err), HW_ENOTFOUND);
    assert_string_equal(err.code, "not_initialized");
    assert_int_equal(id, -1);

    /* an invalid campaign is refused by the save too, and nothing is written */
    c = valid_campaign();
    snprintf(c.to, sizeof c.to, "2026-12-31");
    assert_int_equal(store_write(f->s, campaign_save, &c, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_window");
    assert_int_equal(campaign_load(f->reader, &c, &err), HW_ENOTFOUND);
    assert_int_equal(fixture_query_int(f->reader, "SELECT count(*) FROM unit"), 0);
}

static void expect_same_campaign(const campaign_info *got, const campaign_info *want)
{
    assert_string_equal(got->unit_code, want->unit_code);
    assert_string_equal(got->unit_name, want->unit_name);
    assert_string_equal(got->name, want->name);
    assert_string_equal(got->from, want->from);
    assert_string_equal(got->to, want->to);
    assert_string_equal(got->deadline, want->deadline);
    assert_string_equal(got->reporter, want->reporter);
    assert_string_equal(got->reporter_phone, want->reporter_phone);
}

static void test_campaign_save_twice_updates(void **state)
{
    fixture *f = *state;
    campaign_info first = valid_campaign(), second, got;
    int64_t id = -1;
    hw_error err;
    assert_int_equal(store_write(f->s, campaign_save, &first, &err), 0);
    memset(&got, 0x55, sizeof got);
    assert_int_equal(campaign_load(f->reader, &got, &err), 0);
    expect_same_campaign(&got, &first);
    assert_int_equal(campaign_current_id(f->reader, &id, &err), 0);
    const int64_t first_id = id;

    second = valid_campaign();
    snprintf(second.unit_name, sizeof second.unit_name, "成都市总工会保障工作部");
    snprintf(second.name, sizeof second.name, "2027年春节送温暖(第二轮)");
    snprintf(second.to, sizeof second.to, "2027-03-01");
    second.deadline[0] = '\0'; /* cleared fields come back empty */
    second.reporter[0] = '\0';
    second.reporter_phone[0] = '\0';
    assert_int_equal(store_write(f->s, campaign_save, &second, &err), 0);

    assert_int_equal(fixture_query_int(f->reader, "SELECT count(*) FROM campaign"), 1);
    assert_int_equal(fixture_query_int(f->reader, "SELECT count(*) FROM unit"), 1);
    assert_int_equal(fixture_query_int(f->reader, "SELECT count(*) FROM campaign WHERE deadline IS NULL"), 1);
    memset(&got, 0x55, sizeof got);
    assert_int_equal(campaign_load(f->reader, &got, &err), 0);
    expect_same_campaign(&got, &second);
    assert_int_equal(campaign_current_id(f->reader, &id, &err), 0);
    assert_int_equal(id, first_id); /* the same campaign row, updated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args_value_forms),
        cmocka_unit_test(test_args_flags_and_positionals),
        cmocka_unit_test(test_args_errors),
        cmocka_unit_test(test_clock_parse_date),
        cmocka_unit_test(test_clock_format_shanghai),
        cmocka_unit_test(test_campaign_validate),
        cmocka_unit_test_setup_teardown(test_campaign_load_before_init, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_campaign_save_twice_updates, setup, fixture_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
