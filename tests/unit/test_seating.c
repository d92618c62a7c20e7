/* test_seating.c - unit tests for scheduler/seating.c: layouts, labels per kind, adjacent seating of parties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seating.h"
#include "transports.h"

#define MAX_SEATS 400

static seating_layout layout(const char *text, int capacity)
{
    seating_layout l;
    hw_error err;
    error_clear(&err);
    assert_int_equal(seating_layout_parse(text, capacity, &l, &err), 0);
    return l;
}

static void expect_label(const seating_layout *l, int kind, int seat, const char *want)
{
    char buf[SEATING_LABEL_MAX];
    seating_label(l, kind, seat, buf, sizeof buf);
    assert_string_equal(buf, want);
}

/* The result of one seating_assign call, checked for the invariants every call must keep. */
typedef struct outcome {
    int rc;
    int seats[MAX_SEATS];
    bool together[MAX_SEATS];
    int ntogether;
    hw_error err;
} outcome;

static void check_invariants(const seating_layout *l, const bool *taken, const int *sizes, int n, const outcome *o)
{
    bool seen[MAX_SEATS] = {false};
    int at = 0, count = 0;
    for (int p = 0; p < n; p++) {
        for (int k = 0; k < sizes[p]; k++) {
            int s = o->seats[at + k];
            assert_true(s >= 0 && s < l->capacity);
            assert_false(taken != NULL && taken[s]); /* never a taken seat */
            assert_false(seen[s]);                   /* never a seat twice */
            seen[s] = true;
            if (k > 0)
                assert_true(s > o->seats[at + k - 1]); /* ascending within a party */
        }
        assert_int_equal(o->together[p], seating_together(l, o->seats + at, sizes[p]));
        count += o->together[p];
        at += sizes[p];
    }
    assert_int_equal(o->ntogether, count);
}

static outcome *assign(const seating_layout *l, const bool *taken, const int *sizes, int n)
{
    static outcome o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < MAX_SEATS; i++)
        o.seats[i] = -7;
    error_clear(&o.err);
    o.rc = seating_assign(l, taken, sizes, n, o.seats, o.together, &o.ntogether, &o.err);
    if (o.rc == 0)
        check_invariants(l, taken, sizes, n, &o);
    return &o;
}

/* Seats of party `p` start after the members of parties 0..p-1. */
static const int *party_seats(const outcome *o, const int *sizes, int p)
{
    int at = 0;
    for (int i = 0; i < p; i++)
        at += sizes[i];
    return o->seats + at;
}

static void expect_seats(const outcome *o, const int *sizes, int p, const int *want)
{
    const int *got = party_seats(o, sizes, p);
    for (int k = 0; k < sizes[p]; k++)
        assert_int_equal(got[k], want[k]);
}

/* ---- layouts ---- */

static void test_layout_parse(void **state)
{
    (void)state;
    seating_layout l = layout("cars:118", 1000);
    assert_int_equal(l.shape, SEATING_CARS);
    assert_int_equal(l.per_car, 118);
    assert_int_equal(l.capacity, 1000);
    l = layout("rows:3+3", 180);
    assert_int_equal(l.shape, SEATING_ROWS);
    assert_int_equal(l.left, 3);
    assert_int_equal(l.right, 3);
    l = layout("rows:2+3", 55);
    assert_int_equal(l.right, 3);
    l = layout("numbered", 0);
    assert_int_equal(l.shape, SEATING_NUMBERED);
    for (int k = 0; k < TRANSPORT_NKINDS; k++) { /* every default layout reads */
        char text[24];
        transport_default_layout((transport_kind)k, text, sizeof text);
        layout(text, 150);
    }
}

static void expect_bad_layout(const char *text, int capacity, const char *code)
{
    seating_layout l = {.capacity = 4242};
    hw_error err;
    error_clear(&err);
    assert_int_equal(seating_layout_parse(text, capacity, &l, &err), HW_EINVAL);
    assert_string_equal(err.code, code);
    assert_true(strlen(err.message) > 0);
    assert_int_equal(l.capacity, 4242); /* untouched */
}

static void test_layout_errors(void **state)
{
    (void)state;
    const char *syntax[] = {"",         "cars",      "cars:",  "cars:x",    "cars:-1", "cars:11 ",
                            " cars:11", "CARS:118",  "rows:2", "rows:2+",   "rows:+2", "rows:2+2+2",
                            "rows:2-2", "numbered ", "seats",  "cars:12345"};
    for (size_t i = 0; i < sizeof syntax / sizeof *syntax; i++)
        expect_bad_layout(syntax[i], 10, "layout_syntax");
    expect_bad_layout(NULL, 10, "layout_syntax");
    expect_bad_layout("cars:0", 10, "layout_range");
    expect_bad_layout("cars:1000", 10, "layout_range");
    expect_bad_layout("rows:0+0", 10, "layout_range");
    expect_bad_layout("rows:6+5", 10, "layout_range");
    expect_bad_layout("numbered", -1, "layout_capacity");
    expect_bad_layout("numbered", SEATING_MAX_SEATS + 1, "layout_capacity");
    assert_int_equal(seating_layout_parse("rows:9", 10, &(seating_layout){0}, NULL), HW_EINVAL); /* err may be NULL */
}

/* ---- labels ---- */

static void test_labels_train(void **state)
{
    (void)state;
    seating_layout l = layout("cars:118", 1000); /* 9 cars, the last has 56 seats */
    expect_label(&l, TRANSPORT_TRAIN, 0, "01车001号");
    expect_label(&l, TRANSPORT_TRAIN, 44, "01车045号");
    expect_label(&l, TRANSPORT_TRAIN, 117, "01车118号");
    expect_label(&l, TRANSPORT_TRAIN, 118, "02车001号");
    expect_label(&l, TRANSPORT_TRAIN, 2 * 118 + 44, "03车045号");
    expect_label(&l, TRANSPORT_TRAIN, 999, "09车056号");
    expect_label(&l, TRANSPORT_TRAIN, 1000, "");
    expect_label(&l, TRANSPORT_TRAIN, -1, "");
    seating_layout big = layout("cars:1", 150);
    expect_label(&big, TRANSPORT_TRAIN, 149, "150车001号");
    seating_layout plain = layout("numbered", 300); /* no cars: one car */
    expect_label(&plain, TRANSPORT_TRAIN, 4, "01车005号");
}

static void test_labels_carriage(void **state)
{
    (void)state;
    seating_layout l = layout("cars:118", 118);
    expect_label(&l, TRANSPORT_CARRIAGE, 0, "001号");
    expect_label(&l, TRANSPORT_CARRIAGE, 44, "045号");
    expect_label(&l, TRANSPORT_CARRIAGE, 117, "118号");
    expect_label(&l, TRANSPORT_CARRIAGE, 118, "");
    seating_layout two = layout("cars:118", 200); /* more than one car: the car number keeps labels unique */
    expect_label(&two, TRANSPORT_CARRIAGE, 44, "01车045号");
    expect_label(&two, TRANSPORT_CARRIAGE, 118, "02车001号");
    seating_layout yz = layout("cars:128", 112); /* fewer seats than the car has */
    expect_label(&yz, TRANSPORT_CARRIAGE, 111, "112号");
}

static void test_labels_flight(void **state)
{
    (void)state;
    seating_layout l = layout("rows:3+3", 182); /* 30 full rows and 31A, 31B */
    expect_label(&l, TRANSPORT_FLIGHT, 0, "1A");
    expect_label(&l, TRANSPORT_FLIGHT, 2, "1C");
    expect_label(&l, TRANSPORT_FLIGHT, 3, "1D");
    expect_label(&l, TRANSPORT_FLIGHT, 5, "1F");
    expect_label(&l, TRANSPORT_FLIGHT, 6, "2A");
    expect_label(&l, TRANSPORT_FLIGHT, 66, "12A");
    expect_label(&l, TRANSPORT_FLIGHT, 71, "12F");
    expect_label(&l, TRANSPORT_FLIGHT, 181, "31B");
    expect_label(&l, TRANSPORT_FLIGHT, 182, "");
    seating_layout wide = layout("rows:5+5", 20); /* letters skip I (and O) */
    expect_label(&wide, TRANSPORT_FLIGHT, 7, "1H");
    expect_label(&wide, TRANSPORT_FLIGHT, 8, "1J");
    expect_label(&wide, TRANSPORT_FLIGHT, 9, "1K");
    expect_label(&wide, TRANSPORT_FLIGHT, 10, "2A");
    seating_layout narrow = layout("rows:2+2", 70);
    expect_label(&narrow, TRANSPORT_FLIGHT, 3, "1D");
    expect_label(&narrow, TRANSPORT_FLIGHT, 4, "2A");
    seating_layout plain = layout("numbered", 150); /* no rows: numbered */
    expect_label(&plain, TRANSPORT_FLIGHT, 14, "015号");
}

static void test_labels_bus_boat(void **state)
{
    (void)state;
    seating_layout bus = layout("rows:2+2", 49);
    expect_label(&bus, TRANSPORT_BUS, 0, "01号");
    expect_label(&bus, TRANSPORT_BUS, 14, "15号");
    expect_label(&bus, TRANSPORT_BUS, 48, "49号");
    expect_label(&bus, TRANSPORT_BUS, 49, "");
    seating_layout boat = layout("numbered", 300);
    expect_label(&boat, TRANSPORT_BOAT, 14, "015号");
    expect_label(&boat, TRANSPORT_BOAT, 299, "300号");
    seating_layout small = layout("numbered", 8);
    expect_label(&small, TRANSPORT_BOAT, 2, "03号");
    seating_layout huge = layout("numbered", 10000);
    expect_label(&huge, TRANSPORT_BOAT, 9999, "10000号");
}

static void test_label_buffer(void **state)
{
    (void)state;
    seating_layout l = layout("cars:118", 1000);
    char buf[16] = "unchanged";
    seating_label(&l, TRANSPORT_TRAIN, 5, buf, 0); /* n == 0: nothing written */
    assert_string_equal(buf, "unchanged");
    seating_label(&l, TRANSPORT_TRAIN, 5, buf, 11); /* "01车006号" needs 12: no cut UTF-8 */
    assert_string_equal(buf, "");
    seating_label(&l, TRANSPORT_TRAIN, 5, buf, 12);
    assert_string_equal(buf, "01车006号");
    seating_label(NULL, TRANSPORT_TRAIN, 5, buf, sizeof buf);
    assert_string_equal(buf, "");
}

static void test_labels_unique(void **state)
{
    (void)state;
    static const char *const texts[] = {"cars:118", "cars:7", "rows:3+3", "rows:2+2", "rows:2+3", "numbered"};
    static char labels[MAX_SEATS][SEATING_LABEL_MAX];
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        for (int kind = 0; kind < TRANSPORT_NKINDS; kind++) {
            seating_layout l = layout(texts[t], 355);
            for (int s = 0; s < l.capacity; s++) {
                seating_label(&l, kind, s, labels[s], SEATING_LABEL_MAX);
                assert_true(strlen(labels[s]) > 0);
                for (int r = 0; r < s; r++)
                    assert_string_not_equal(labels[r], labels[s]);
            }
        }
    }
}

/* ---- together ---- */

static void test_together(void **state)
{
    (void)state;
    seating_layout train = layout("cars:118", 300);
    assert_true(seating_together(&train, (int[]){116, 117}, 2));
    assert_false(seating_together(&train, (int[]){117, 118}, 2)); /* across a car boundary */
    assert_false(seating_together(&train, (int[]){3, 5}, 2));
    assert_true(seating_together(&train, (int[]){299}, 1));
    assert_false(seating_together(&train, (int[]){300}, 1));
    assert_false(seating_together(&train, (int[]){1}, 0));
    seating_layout flight = layout("rows:3+3", 180);
    assert_true(seating_together(&flight, (int[]){2, 3}, 2));                /* 1C 1D: across the aisle, one row */
    assert_false(seating_together(&flight, (int[]){5, 6}, 2));               /* 1F 2A */
    assert_true(seating_together(&flight, (int[]){3, 4, 5, 6, 7, 8, 9}, 7)); /* bigger than a row: consecutive rows */
    seating_layout boat = layout("numbered", 50);
    assert_true(seating_together(&boat, (int[]){10, 11, 12}, 3));
    assert_false(seating_together(&boat, (int[]){12, 11}, 2)); /* not ascending */
}

/* ---- assignment ---- */

static void test_bus_families(void **state)
{
    (void)state;
    seating_layout bus = layout("rows:2+2", 49);
    const int sizes[] = {2, 3, 4, 1, 2, 2};
    outcome *o = assign(&bus, NULL, sizes, 6);
    assert_int_equal(o->rc, 0);
    assert_int_equal(o->ntogether, 6);
    expect_seats(o, sizes, 2, (int[]){0, 1, 2, 3}); /* the 4 first: row 1 */
    expect_seats(o, sizes, 1, (int[]){4, 5, 6});    /* the 3: row 2, across the aisle */
    expect_seats(o, sizes, 0, (int[]){8, 9});       /* pairs stay on one side: row 3 left, right */
    expect_seats(o, sizes, 4, (int[]){10, 11});
    expect_seats(o, sizes, 5, (int[]){12, 13});
    expect_seats(o, sizes, 3, (int[]){7}); /* the single fills row 2's hole */
}

static void test_flight_families(void **state)
{
    (void)state;
    seating_layout a320 = layout("rows:3+3", 180);
    const int sizes[] = {2, 3, 4, 5, 6, 2, 3};
    outcome *o = assign(&a320, NULL, sizes, 7);
    assert_int_equal(o->rc, 0);
    assert_int_equal(o->ntogether, 7);
    expect_seats(o, sizes, 4, (int[]){0, 1, 2, 3, 4, 5}); /* 6: row 1 whole */
    expect_seats(o, sizes, 3, (int[]){6, 7, 8, 9, 10});   /* 5: row 2 */
    expect_seats(o, sizes, 2, (int[]){12, 13, 14, 15});   /* 4: row 3 ABCD */
    expect_seats(o, sizes, 1, (int[]){18, 19, 20});       /* 3: row 4 ABC, one side */
    expect_seats(o, sizes, 6, (int[]){21, 22, 23});       /* 3: row 4 DEF */
    expect_seats(o, sizes, 0, (int[]){16, 17});           /* 2: row 3 EF, an exact fit on one side */
    expect_seats(o, sizes, 5, (int[]){24, 25});           /* 2: row 5 AB */
    char label[SEATING_LABEL_MAX];
    seating_label(&a320, TRANSPORT_FLIGHT, party_seats(o, sizes, 0)[0], label, sizeof label);
    assert_string_equal(label, "3E");
}

static void test_train_families(void **state)
{
    (void)state;
    seating_layout train = layout("cars:118", 236);
    bool taken[236] = {false};
    for (int i = 0; i < 116; i++)
        taken[i] = true; /* car 1 has only seats 117 and 118 free */
    const int sizes[] = {2, 4, 6};
    outcome *o = assign(&train, taken, sizes, 3);
    assert_int_equal(o->rc, 0);
    assert_int_equal(o->ntogether, 3);
    expect_seats(o, sizes, 2, (int[]){118, 119, 120, 121, 122, 123}); /* never across the car boundary */
    expect_seats(o, sizes, 1, (int[]){124, 125, 126, 127});
    expect_seats(o, sizes, 0, (int[]){116, 117}); /* the pair fills car 1's last two seats */
}

static void test_party_larger_than_row(void **state)
{
    (void)state;
    seating_layout a320 = layout("rows:3+3", 60);
    bool taken[60] = {false};
    taken[1] = true; /* row 1 is broken */
    const int sizes[] = {8};
    outcome *o = assign(&a320, taken, sizes, 1);
    assert_int_equal(o->rc, 0);
    assert_int_equal(o->ntogether, 1);
    expect_seats(o, sizes, 0, (int[]){2, 3, 4, 5, 6, 7, 8, 9}); /* two rows (the fewest), no hole left behind */
    seating_layout bus = layout("rows:2+2", 49);
    const int nine[] = {9};
    o = assign(&bus, NULL, nine, 1);
    assert_int_equal(o->ntogether, 1);
    expect_seats(o, nine, 0, (int[]){0, 1, 2, 3, 4, 5, 6, 7, 8});
    seating_layout train = layout("cars:10", 30); /* bigger than a car: split, fewest cars */
    const int twelve[] = {12};
    o = assign(&train, NULL, twelve, 1);
    assert_int_equal(o->rc, 0);
    assert_int_equal(o->ntogether, 0);
    expect_seats(o, twelve, 0, (int[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
}

static void test_taken_respected(void **state)
{
    (void)state;
    seating_layout bus = layout("rows:2+2", 12);
    bool taken[12] = {true, false, true, true, false, false, true, false, false, false, false, true};
    const int sizes[] = {2, 1, 2, 1};
    outcome *o = assign(&bus, taken, sizes, 4);
    assert_int_equal(o->rc, 0); /* invariants checked: no taken seat, none twice */
    assert_int_equal(o->ntogether, 4);
    expect_seats(o, sizes, 0, (int[]){4, 5}); /* pairs: the free pairs on one side of the aisle */
    expect_seats(o, sizes, 2, (int[]){8, 9});
    expect_seats(o, sizes, 1, (int[]){1}); /* singles fill the lone free seats, lowest first */
    expect_seats(o, sizes, 3, (int[]){7});
}

static void test_split_when_fragmented(void **state)
{
    (void)state;
    seating_layout bus = layout("rows:2+2", 12);
    bool taken[12] = {true, false, true, false, true, false, true, false, true, false, true, false};
    const int sizes[] = {3, 2};
    outcome *o = assign(&bus, taken, sizes, 2);
    assert_int_equal(o->rc, 0);
    assert_int_equal(o->ntogether, 0);
    expect_seats(o, sizes, 0, (int[]){1, 3, 5}); /* the nearest free seats */
    expect_seats(o, sizes, 1, (int[]){7, 9});
    seating_layout train = layout("cars:4", 8);
    bool t2[8] = {true, true, false, false, false, true, true, true};
    const int three[] = {3};
    o = assign(&train, t2, three, 1);
    assert_int_equal(o->rc, 0);
    assert_int_equal(o->ntogether, 0); /* 3 and 4 in car 1, 5 in car 2: the only three free */
    expect_seats(o, three, 0, (int[]){2, 3, 4});
}

static void test_over_capacity(void **state)
{
    (void)state;
    seating_layout bus = layout("rows:2+2", 10);
    bool taken[10] = {true, true, true};
    const int sizes[] = {4, 4};
    outcome *o = assign(&bus, taken, sizes, 2);
    assert_int_equal(o->rc, HW_ECONFLICT);
    assert_string_equal(o->err.code, "over_capacity");
    assert_int_equal(o->seats[0], -7); /* nothing written */
    const int exact[] = {4, 3};
    o = assign(&bus, taken, exact, 2); /* exactly the free seats: never fails */
    assert_int_equal(o->rc, 0);
    seating_layout none = layout("numbered", 0);
    const int one[] = {1};
    assert_int_equal(assign(&none, NULL, one, 1)->rc, HW_ECONFLICT);
}

static void test_bad_requests(void **state)
{
    (void)state;
    seating_layout bus = layout("rows:2+2", 10);
    int seats[4];
    hw_error err;
    assert_int_equal(seating_assign(&bus, NULL, (int[]){2, 0}, 2, seats, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_party_size");
    assert_int_equal(seating_assign(&bus, NULL, (int[]){-1}, 1, seats, NULL, NULL, &err), HW_EINVAL);
    assert_int_equal(seating_assign(&bus, NULL, (int[]){1}, -1, seats, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_argument");
    assert_int_equal(seating_assign(NULL, NULL, (int[]){1}, 1, seats, NULL, NULL, &err), HW_EINVAL);
    assert_int_equal(seating_assign(&bus, NULL, (int[]){1}, 1, NULL, NULL, NULL, &err), HW_EINVAL);
    int ntogether = -1;
    assert_int_equal(seating_assign(&bus, NULL, NULL, 0, NULL, NULL, &ntogether, NULL), 0); /* nobody: fine */
    assert_int_equal(ntogether, 0);
    assert_int_equal(seating_assign(&bus, NULL, (int[]){1, 2}, 2, seats, NULL, NULL, NULL), 0); /* outputs optional */
}

/* ---- randomized properties ---- */

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int below(int n)
{
    return (int)(next_random() % (uint32_t)n);
}

static seating_layout random_layout(void)
{
    char text[24];
    switch (below(3)) {
    case 0:
        snprintf(text, sizeof text, "cars:%d", 1 + below(40));
        break;
    case 1:
        snprintf(text, sizeof text, "rows:%d+%d", below(4), 1 + below(4));
        break;
    default:
        snprintf(text, sizeof text, "numbered");
    }
    return layout(text, below(MAX_SEATS / 2));
}

/* Whether some together block of `size` free seats exists (by brute force over every start). */
static bool block_exists(const seating_layout *l, const bool *taken, int size)
{
    int seats[MAX_SEATS];
    for (int start = 0; start + size <= l->capacity; start++) {
        bool all_free = true;
        for (int k = 0; k < size; k++) {
            seats[k] = start + k;
            all_free = all_free && !taken[start + k];
        }
        if (all_free && seating_together(l, seats, size))
            return true;
    }
    return false;
}

static void one_random_case(void)
{
    seating_layout l = random_layout();
    bool taken[MAX_SEATS] = {false};
    int density = below(100), nfree = 0, sizes[MAX_SEATS], n = 0, total = 0;
    for (int i = 0; i < l.capacity; i++) {
        taken[i] = below(100) < density;
        nfree += !taken[i];
    }
    int want = nfree + below(5) - 2; /* sometimes a few more than fit */
    while (total < want && n < MAX_SEATS) {
        sizes[n] = 1 + (below(4) == 0 ? below(12) : below(4));
        total += sizes[n++];
    }
    outcome *o = assign(&l, taken, sizes, n);
    if (total > nfree) {
        assert_int_equal(o->rc, HW_ECONFLICT);
        return;
    }
    assert_int_equal(o->rc, 0); /* never fails while enough seats are free */
    int biggest = 0;
    for (int p = 1; p < n; p++)
        if (sizes[p] > sizes[biggest])
            biggest = p;
    if (n > 0 && block_exists(&l, taken, sizes[biggest]))
        assert_true(o->together[biggest]); /* seated first: gets a block whenever one exists */
    outcome first = *o;
    o = assign(&l, taken, sizes, n);
    assert_memory_equal(first.seats, o->seats, sizeof first.seats); /* deterministic */
}

static void test_random_properties(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++)
        one_random_case();
}

static void test_empty_vehicles_seat_everyone_together(void **state)
{
    (void)state;
    /* families of 1..6 filling empty vehicles up to a few seats short: nearly all together */
    static const char *const texts[] = {"rows:2+2", "rows:3+3", "cars:118", "numbered"};
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        seating_layout l = layout(texts[t], 236);
        int sizes[MAX_SEATS], n = 0, total = 0;
        while (total < 200) {
            sizes[n] = 1 + below(6);
            total += sizes[n++];
        }
        outcome *o = assign(&l, NULL, sizes, n);
        assert_int_equal(o->rc, 0);
        assert_true(o->ntogether >= n - 1);
    }
}

static void test_large_train(void **state)
{
    (void)state;
    /* a 16-car 专列: 1,888 seats and 700 parties, as an allocation run would ask */
    seating_layout l = layout("cars:118", 1888);
    int *sizes = malloc(700 * sizeof *sizes), *seats = malloc(1888 * sizeof *seats), total = 0, ntogether = 0;
    bool *together = malloc(700 * sizeof *together);
    assert_non_null(sizes);
    assert_non_null(seats);
    assert_non_null(together);
    for (int i = 0; i < 700; i++) {
        sizes[i] = 1 + below(4);
        total += sizes[i];
    }
    assert_true(total <= 1888);
    assert_int_equal(seating_assign(&l, NULL, sizes, 700, seats, together, &ntogether, NULL), 0);
    assert_true(ntogether >= 690);
    free(sizes);
    free(seats);
    free(together);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_parse),
        cmocka_unit_test(test_layout_errors),
        cmocka_unit_test(test_labels_train),
        cmocka_unit_test(test_labels_carriage),
        cmocka_unit_test(test_labels_flight),
        cmocka_unit_test(test_labels_bus_boat),
        cmocka_unit_test(test_label_buffer),
        cmocka_unit_test(test_labels_unique),
        cmocka_unit_test(test_together),
        cmocka_unit_test(test_bus_families),
        cmocka_unit_test(test_flight_families),
        cmocka_unit_test(test_train_families),
        cmocka_unit_test(test_party_larger_than_row),
        cmocka_unit_test(test_taken_respected),
        cmocka_unit_test(test_split_when_fragmented),
        cmocka_unit_test(test_over_capacity),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_random_properties),
        cmocka_unit_test(test_empty_vehicles_seat_everyone_together),
        cmocka_unit_test(test_large_train),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
