/* test_lifecycle.c - unit tests for the pure part of scheduler/lifecycle.c: what is due when, and time parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <time.h>

#include "lifecycle.h"

static const lifecycle_settings defaults = {.boarding_opens_minutes = 120, .no_show_cutoff_minutes = 20};

/* 2027-01-11T09:00:00+08:00 */
static time_t departure(void)
{
    time_t t = 0;
    assert_int_equal(lifecycle_parse_time("2027-01-11T09:00:00+08:00", &t, NULL), 0);
    return t;
}

static void test_parse_time(void **state)
{
    (void)state;
    time_t t = 0;
    assert_int_equal(lifecycle_parse_time("1970-01-01T08:00:00+08:00", &t, NULL), 0);
    assert_int_equal((long)t, 0);
    assert_int_equal(lifecycle_parse_time("2027-01-11T01:00:00Z", &t, NULL), 0);
    assert_int_equal((long)t, (long)departure());
    assert_int_equal(lifecycle_parse_time("2027-01-11 09:00", &t, NULL), 0); /* no zone: Asia/Shanghai */
    assert_int_equal((long)t, (long)departure());
    assert_int_equal(lifecycle_parse_time("2027-01-10T20:00:00-05:00", &t, NULL), 0);
    assert_int_equal((long)t, (long)departure());
    assert_int_equal(lifecycle_parse_time("2024-03-01T00:00:00Z", &t, NULL), 0);
    assert_int_equal((long)t, 1709251200L); /* after a leap day */
    hw_error err;
    assert_int_equal(lifecycle_parse_time("2027-02-30T09:00:00+08:00", &t, &err), HW_EINVAL);
    assert_int_equal(lifecycle_parse_time("2027-01-11T24:00:00+08:00", &t, &err), HW_EINVAL);
    assert_int_equal(lifecycle_parse_time("2027-01-11", &t, &err), HW_EINVAL);
    assert_int_equal(lifecycle_parse_time("2027-01-11T09:00:00+0800", &t, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_time");
}

static void test_opens_at_the_right_minute(void **state)
{
    (void)state;
    lifecycle_transport t = {.status = TRANSPORT_CONFIRMED, .depart = departure()};
    time_t opens = t.depart - 120 * 60;
    assert_int_equal(lifecycle_due(&t, opens - 60, &defaults), 0);
    assert_int_equal(lifecycle_due(&t, opens - 1, &defaults), 0);
    assert_int_equal(lifecycle_due(&t, opens, &defaults), LIFECYCLE_OPEN_BOARDING);
    assert_int_equal(lifecycle_due(&t, opens + 60, &defaults), LIFECYCLE_OPEN_BOARDING);
}

static void test_planned_is_not_opened(void **state)
{
    (void)state;
    lifecycle_transport t = {.status = TRANSPORT_PLANNED, .depart = departure()};
    assert_int_equal(lifecycle_due(&t, t.depart, &defaults), 0);
}

static void test_explicit_boarding_untouched(void **state)
{
    (void)state;
    /* opened by a coordinator a day early: the timer does not touch its status, only records the cutoff later */
    lifecycle_transport t = {.status = TRANSPORT_BOARDING, .depart = departure()};
    assert_int_equal(lifecycle_due(&t, t.depart - 86400, &defaults), 0);
    assert_int_equal(lifecycle_due(&t, t.depart - 119 * 60, &defaults), 0);
    assert_int_equal(lifecycle_due(&t, t.depart - 20 * 60, &defaults), LIFECYCLE_OPEN_STANDBY);
    t.standby_opened = true;
    assert_int_equal(lifecycle_due(&t, t.depart - 20 * 60, &defaults), 0);
}

static void test_cancelled_and_departed_untouched(void **state)
{
    (void)state;
    transport_status still[] = {TRANSPORT_CANCELLED, TRANSPORT_DEPARTED, TRANSPORT_ARRIVED};
    for (size_t i = 0; i < sizeof still / sizeof still[0]; i++) {
        lifecycle_transport t = {.status = still[i], .depart = departure()};
        assert_int_equal(lifecycle_due(&t, t.depart - 60, &defaults), 0);
        assert_int_equal(lifecycle_due(&t, t.depart + 86400, &defaults), 0);
    }
}

static void test_standby_time(void **state)
{
    (void)state;
    lifecycle_transport t = {.status = TRANSPORT_CONFIRMED, .depart = departure()};
    time_t cutoff = t.depart - 20 * 60;
    assert_int_equal(lifecycle_due(&t, cutoff - 1, &defaults), LIFECYCLE_OPEN_BOARDING);
    /* a daemon that was down until after the cutoff does both at once */
    assert_int_equal(lifecycle_due(&t, cutoff, &defaults), LIFECYCLE_OPEN_BOARDING | LIFECYCLE_OPEN_STANDBY);
    assert_false(lifecycle_standby_open(TRANSPORT_BOARDING, t.depart, cutoff - 1, &defaults));
    assert_true(lifecycle_standby_open(TRANSPORT_BOARDING, t.depart, cutoff, &defaults));
    assert_false(lifecycle_standby_open(TRANSPORT_CONFIRMED, t.depart, cutoff, &defaults));
    assert_false(lifecycle_standby_open(TRANSPORT_DEPARTED, t.depart, cutoff, &defaults));
}

static void test_settings_change_the_minute(void **state)
{
    (void)state;
    lifecycle_settings s = {.boarding_opens_minutes = 30, .no_show_cutoff_minutes = 0};
    lifecycle_transport t = {.status = TRANSPORT_CONFIRMED, .depart = departure()};
    assert_int_equal(lifecycle_due(&t, t.depart - 31 * 60, &s), 0);
    assert_int_equal(lifecycle_due(&t, t.depart - 30 * 60, &s), LIFECYCLE_OPEN_BOARDING);
    assert_int_equal(lifecycle_due(&t, t.depart, &s), LIFECYCLE_OPEN_BOARDING | LIFECYCLE_OPEN_STANDBY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_opens_at_the_right_minute),
        cmocka_unit_test(test_planned_is_not_opened),
        cmocka_unit_test(test_explicit_boarding_untouched),
        cmocka_unit_test(test_cancelled_and_departed_untouched),
        cmocka_unit_test(test_standby_time),
        cmocka_unit_test(test_settings_change_the_minute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
