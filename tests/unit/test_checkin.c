/* test_checkin.c - unit tests for scheduler/checkin.c (the pure decision) and checkins_parse_time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "checkin.h"
#include "checkins.h"

static checkin_transport bus(int64_t id, const char *ref, const char *status)
{
    checkin_transport t = {.id = id};
    snprintf(t.ref, sizeof t.ref, "%s", ref);
    snprintf(t.label, sizeof t.label, "川A-%s", ref);
    snprintf(t.depart_at, sizeof t.depart_at, "2027-01-20T08:00:00+08:00");
    snprintf(t.origin, sizeof t.origin, "成都东站");
    snprintf(t.gate, sizeof t.gate, "3号口");
    snprintf(t.status, sizeof t.status, "%s", status);
    return t;
}

static checkin_ticket ticket(int64_t transport_id, const char *status)
{
    checkin_ticket k = {.id = 7, .transport_id = transport_id};
    snprintf(k.status, sizeof k.status, "%s", status);
    return k;
}

/* Decide with the ticket on `own` and staff boarding `b`. */
static checkin_status decide(const checkin_ticket *k, const checkin_transport *own, const checkin_transport *b,
                             bool window, const char *boarded_at)
{
    checkin_input in = {.ticket = k,
                        .ticket_transport = own,
                        .boarding = b,
                        .window_open = window,
                        .boarded_at = boarded_at,
                        .boarded_device = "gate-1"};
    checkin_decision d = checkin_decide(&in);
    assert_non_null(d.message);
    assert_true(strstr(d.message, "(") != NULL); /* 中文 (English) */
    return d.status;
}

static void test_ok_when_boarding(void **state)
{
    (void)state;
    checkin_transport b = bus(1, "BUS-01", "boarding");
    checkin_ticket k = ticket(1, "issued");
    assert_int_equal(decide(&k, &b, &b, false, NULL), CHECKIN_OK); /* opened explicitly: the clock does not matter */
    assert_int_equal(decide(&k, &b, &b, true, NULL), CHECKIN_OK);
    assert_string_equal(checkin_status_name(CHECKIN_OK), "ok");
}

static void test_unknown(void **state)
{
    (void)state;
    checkin_transport b = bus(1, "BUS-01", "boarding");
    assert_int_equal(decide(NULL, NULL, &b, true, NULL), CHECKIN_UNKNOWN);
    assert_string_equal(checkin_status_name(CHECKIN_UNKNOWN), "unknown");
}

static void test_already_boarded(void **state)
{
    (void)state;
    checkin_transport b = bus(1, "BUS-01", "boarding");
    checkin_ticket k = ticket(1, "issued");
    assert_int_equal(decide(&k, &b, &b, false, "2027-01-20T07:10:00+08:00"), CHECKIN_ALREADY_BOARDED);
    checkin_ticket boarded = ticket(1, "boarded");
    assert_int_equal(decide(&boarded, &b, &b, false, NULL), CHECKIN_ALREADY_BOARDED);
    /* a boarded person scanned again after departure still hears when and where */
    checkin_transport gone = bus(1, "BUS-01", "departed");
    assert_int_equal(decide(&boarded, &gone, &gone, false, "2027-01-20T07:10:00+08:00"), CHECKIN_ALREADY_BOARDED);
}

static void test_wrong_transport_names_the_right_one(void **state)
{
    (void)state;
    checkin_transport b = bus(1, "BUS-01", "boarding"), right = bus(2, "BUS-02", "confirmed");
    checkin_ticket k = ticket(2, "issued");
    checkin_input in = {.ticket = &k, .ticket_transport = &right, .boarding = &b};
    checkin_decision d = checkin_decide(&in);
    assert_int_equal(d.status, CHECKIN_WRONG_TRANSPORT);
    assert_ptr_equal(d.right, &right);
    assert_string_equal(d.right->ref, "BUS-02");
    assert_string_equal(d.right->gate, "3号口");
    assert_string_equal(checkin_status_name(d.status), "wrong_transport");
}

static void test_not_open(void **state)
{
    (void)state;
    checkin_transport planned = bus(1, "BUS-01", "planned"), confirmed = bus(1, "BUS-01", "confirmed");
    checkin_ticket k = ticket(1, "issued");
    assert_int_equal(decide(&k, &planned, &planned, false, NULL), CHECKIN_NOT_OPEN);
    assert_int_equal(decide(&k, &planned, &planned, true, NULL), CHECKIN_NOT_OPEN); /* planned never opens */
    assert_int_equal(decide(&k, &confirmed, &confirmed, false, NULL), CHECKIN_NOT_OPEN);
    assert_int_equal(decide(&k, &confirmed, &confirmed, true, NULL), CHECKIN_OK); /* inside the window */
}

static void test_closed(void **state)
{
    (void)state;
    checkin_ticket k = ticket(1, "issued");
    checkin_transport departed = bus(1, "BUS-01", "departed"), arrived = bus(1, "BUS-01", "arrived");
    assert_int_equal(decide(&k, &departed, &departed, true, NULL), CHECKIN_CLOSED);
    assert_int_equal(decide(&k, &arrived, &arrived, false, NULL), CHECKIN_CLOSED);
    checkin_ticket no_show = ticket(1, "no_show");
    assert_int_equal(decide(&no_show, &departed, &departed, false, NULL), CHECKIN_CLOSED);
}

static void test_cancelled_ticket_vs_transport(void **state)
{
    (void)state;
    checkin_transport b = bus(1, "BUS-01", "boarding"), gone = bus(2, "BUS-02", "cancelled");
    checkin_ticket dead = ticket(1, "cancelled");
    assert_int_equal(decide(&dead, &b, &b, true, NULL), CHECKIN_CANCELLED);
    checkin_ticket on_cancelled = ticket(2, "issued");
    assert_int_equal(decide(&on_cancelled, &gone, &b, true, NULL), CHECKIN_CANCELLED); /* not wrong_transport */
    checkin_transport self = bus(1, "BUS-01", "cancelled");
    checkin_ticket k = ticket(1, "issued");
    assert_int_equal(decide(&k, &self, &self, true, NULL), CHECKIN_CANCELLED);
    /* a cancelled ticket that was once boarded is still cancelled, not already_boarded */
    assert_int_equal(decide(&dead, &b, &b, true, "2027-01-20T07:10:00+08:00"), CHECKIN_CANCELLED);
}

static void test_earliest_scan_supersedes(void **state)
{
    (void)state;
    checkin_transport b = bus(1, "BUS-01", "boarding"), gone = bus(1, "BUS-01", "departed");
    checkin_ticket k = ticket(1, "boarded");
    checkin_input in = {.ticket = &k,
                        .ticket_transport = &b,
                        .boarding = &b,
                        .boarded_at = "07:20",
                        .boarded_device = "phone-2",
                        .event_time = 100,
                        .boarded_time = 200};
    checkin_decision d = checkin_decide(&in);
    assert_int_equal(d.status, CHECKIN_OK); /* an older offline scan takes the boarding's place */
    assert_true(d.supersedes);
    in.event_time = 200; /* same time: the record stands */
    assert_int_equal(checkin_decide(&in).status, CHECKIN_ALREADY_BOARDED);
    in.event_time = 300;
    d = checkin_decide(&in);
    assert_int_equal(d.status, CHECKIN_ALREADY_BOARDED);
    assert_false(d.supersedes);
    in.event_time = -1; /* no client time */
    assert_int_equal(checkin_decide(&in).status, CHECKIN_ALREADY_BOARDED);
    in.event_time = 100;
    in.boarded_time = -1;
    assert_int_equal(checkin_decide(&in).status, CHECKIN_ALREADY_BOARDED);
    in.boarded_time = 200;
    in.ticket_transport = &gone;
    in.boarding = &gone; /* departed since: still already_boarded, never closed */
    d = checkin_decide(&in);
    assert_int_equal(d.status, CHECKIN_ALREADY_BOARDED);
    assert_false(d.supersedes);
}

static void test_parse_time(void **state)
{
    (void)state;
    int64_t a = checkins_parse_time("2027-01-20T08:00:00+08:00");
    assert_true(a > 0);
    assert_int_equal(checkins_parse_time("2027-01-20T00:00:00Z"), a);
    assert_int_equal(checkins_parse_time("2027-01-20 08:00"), a); /* no offset: Asia/Shanghai */
    assert_int_equal(checkins_parse_time("2027-01-20T08:00:01.250+08:00"), a + 1);
    assert_int_equal(checkins_parse_time("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(checkins_parse_time("2027-02-30T08:00:00Z"), -1);
    assert_int_equal(checkins_parse_time("yesterday"), -1);
    assert_int_equal(checkins_parse_time("2027-01-20T08:00:00+08:00x"), -1);
    assert_int_equal(checkins_parse_time(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_when_boarding),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_already_boarded),
        cmocka_unit_test(test_wrong_transport_names_the_right_one),
        cmocka_unit_test(test_not_open),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_cancelled_ticket_vs_transport),
        cmocka_unit_test(test_earliest_scan_supersedes),
        cmocka_unit_test(test_parse_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
