/* test_alloc.c - unit tests of the allocation engine (scheduler/alloc*.c): known optima, edges, reasons, properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "divisions.h"

/* the seeded generator and the constraint checker of scripts/bench/allocate */
#define ALLOC_GEN_NO_MAIN
#include "../../scripts/bench/alloc_gen.c"

/* ---- hand-made instances ---- */

#define MAXP 4096
#define MAXT 64

typedef struct inst {
    alloc_person people[MAXP];
    alloc_party parties[MAXP];
    alloc_transport transports[MAXT];
    int32_t np, nparty, nt;
    alloc_input in;
} inst;

static inst *inst_new(void)
{
    inst *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->in.campaign_from = 20261222, x->in.campaign_to = 20270216;
    return x;
}

/* A party of n people to dest with window lo..hi; the first nprio are priority. Returns its index. */
static int32_t add_party(inst *x, int32_t n, const char *dest, int32_t lo, int32_t hi, int32_t nprio)
{
    assert_true(x->np + n <= MAXP);
    alloc_party *p = &x->parties[x->nparty];
    p->first = x->np, p->count = n;
    for (int32_t k = 0; k < n; k++) {
        alloc_person *q = &x->people[x->np++];
        memset(q, 0, sizeof *q);
        q->registration_id = 1000 + x->np;
        snprintf(q->dest, sizeof q->dest, "%s", dest);
        q->earliest = lo, q->latest = hi;
        q->priority = k < nprio;
        q->fixed = -1;
    }
    return x->nparty++;
}

/* A usable transport with stops "a;b;c". Returns its index. */
static int32_t add_transport(inst *x, const char *ref, int kind, int32_t date, int32_t cap, const char *stops)
{
    assert_true(x->nt < MAXT);
    alloc_transport *t = &x->transports[x->nt];
    memset(t, 0, sizeof *t);
    snprintf(t->ref, sizeof t->ref, "%s", ref);
    t->kind = kind, t->depart_date = date, t->capacity = cap, t->usable = true;
    for (const char *s = stops; *s != '\0' && t->nstops < ALLOC_MAX_STOPS;) {
        size_t n = strcspn(s, ";");
        snprintf(t->stops[t->nstops++], 7, "%.*s", (int)n, s);
        s += n + (s[n] == ';');
    }
    return x->nt++;
}

static void sync_input(inst *x)
{
    x->in.people = x->people, x->in.npeople = x->np;
    x->in.parties = x->parties, x->in.nparties = x->nparty;
    x->in.transports = x->transports, x->in.ntransports = x->nt;
}

/* Run the allocator and the full checker; every test result goes through this. */
static void solve(inst *x, alloc_result *r)
{
    hw_error err = {0};
    gen_report rep;
    sync_input(x);
    int rc = alloc_run(&x->in, r, NULL, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "alloc_run: %s\n", err.message);
    assert_int_equal(rc, 0);
    if (gen_check(&x->in, r, true, &rep) != 0)
        fprintf(stderr, "violation: %s\n", rep.first);
    assert_int_equal(rep.violations, 0);
}

static const alloc_unseated *unseated_of(const alloc_result *r, int32_t party)
{
    for (int32_t i = 0; i < r->nunseated; i++)
        if (r->unseated[i].party == party)
            return &r->unseated[i];
    return NULL;
}

/* ---- greedy first-fit, the baseline the allocator must beat ---- */

/* Parties in registration order, each on the first transport (by ref) that fits it now. Returns seated. */
static int64_t greedy_first_fit(const alloc_input *in)
{
    int32_t *order = malloc(((size_t)in->ntransports + 1) * sizeof *order);
    int32_t *free_seats = malloc(((size_t)in->ntransports + 1) * sizeof *free_seats);
    int64_t seated = 0;
    for (int32_t t = 0; t < in->ntransports; t++)
        order[t] = t, free_seats[t] = in->transports[t].capacity - in->transports[t].taken;
    for (int32_t i = 1; i < in->ntransports; i++) /* insertion sort by ref */
        for (int32_t j = i; j > 0 && strcmp(in->transports[order[j - 1]].ref, in->transports[order[j]].ref) > 0; j--) {
            int32_t tmp = order[j];
            order[j] = order[j - 1], order[j - 1] = tmp;
        }
    for (int32_t pi = 0; pi < in->nparties; pi++) {
        const alloc_party *p = &in->parties[pi];
        for (int32_t k = 0; k < in->ntransports; k++) {
            int32_t t = order[k];
            bool fits = in->transports[t].usable && free_seats[t] >= p->count;
            for (int32_t i = p->first; i < p->first + p->count && fits; i++)
                fits = gen_fits_person(&in->transports[t], &in->people[i]);
            if (fits) {
                free_seats[t] -= p->count, seated += p->count;
                break;
            }
        }
    }
    free(order), free(free_seats);
    return seated;
}

/* ---- known optima ---- */

/* 20 + 25 fill a 45-seat bus exactly; the single registered last waits: the bus is full. */
static void test_party_exactly_fills(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t a = add_party(x, 20, "511923", 0, 0, 0), b = add_party(x, 25, "511923", 0, 0, 0);
    int32_t c = add_party(x, 1, "511923", 0, 0, 0);
    add_transport(x, "BUS-1", ALLOC_BUS, 20270120, 45, "511923");
    solve(x, &r);
    assert_int_equal(r.stats.seated, 45);
    assert_int_equal(r.stats.bound, 45);
    assert_int_equal(r.party_transport[a], 0);
    assert_int_equal(r.party_transport[b], 0);
    assert_int_equal(r.party_transport[c], -1);
    assert_int_equal(r.load[0], 45);
    assert_int_equal(unseated_of(&r, c)->reason, ALLOC_FULL);
    assert_int_equal(r.stats.transports_used, 1);
    alloc_result_free(&r);
    free(x);
}

/* A party one larger than the bus never splits: nobody seated, the bound (split allowed) says 10. */
static void test_party_one_too_big(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t a = add_party(x, 11, "511923", 0, 0, 0);
    add_transport(x, "BUS-1", ALLOC_BUS, 20270120, 10, "511923");
    solve(x, &r);
    assert_int_equal(r.stats.seated, 0);
    assert_int_equal(r.stats.bound, 10);
    const alloc_unseated *u = unseated_of(&r, a);
    assert_non_null(u);
    assert_int_equal(u->reason, ALLOC_TOO_BIG);
    assert_int_equal(u->largest_free, 10);
    assert_int_equal(u->fitting, 1);
    assert_int_equal(u->people, 11);
    alloc_result_free(&r);
    free(x);
}

/*
 * Greedy first-fit loses twice here. Coverage: the early party to 511923 takes the province-wide bus A that
 * the party to 510104 needed, though bus B serves 511923 alone. Packing: on the 10-seat bus C, first come 6
 * leaves 4 seats that neither 5 fits; 5 + 5 fills it. Optimum 30 = bound; greedy 16.
 */
static void test_greedy_loses(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t p1 = add_party(x, 10, "511923", 0, 0, 0), p2 = add_party(x, 10, "510104", 0, 0, 0);
    add_party(x, 6, "520102", 0, 0, 0);
    add_party(x, 5, "520102", 0, 0, 0);
    add_party(x, 5, "520102", 0, 0, 0);
    int32_t ta = add_transport(x, "A", ALLOC_BUS, 20270120, 10, "510000");
    int32_t tb = add_transport(x, "B", ALLOC_BUS, 20270120, 10, "511923");
    add_transport(x, "C", ALLOC_BUS, 20270120, 10, "520102");
    solve(x, &r);
    sync_input(x);
    int64_t greedy = greedy_first_fit(&x->in);
    assert_int_equal(greedy, 16);
    assert_int_equal(r.stats.seated, 30);
    assert_int_equal(r.stats.bound, 30);
    assert_int_equal(r.party_transport[p1], tb);
    assert_int_equal(r.party_transport[p2], ta);
    assert_string_equal(r.seats[x->parties[p2].first].dropoff, "510000");
    assert_int_equal(x->people[x->parties[p2].first].fixed, -1);
    assert_true(r.stats.seated > greedy);
    alloc_result_free(&r);
    free(x);
}

/* Province, prefecture and county stops: each person gets the most specific drop-off any transport offers. */
static void test_most_specific_dropoff(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t county = add_party(x, 3, "511923", 0, 0, 0), pref = add_party(x, 2, "511921", 0, 0, 0);
    int32_t prov = add_party(x, 4, "510104", 0, 0, 0);
    int32_t tprov = add_transport(x, "A-PROV", ALLOC_TRAIN, 20270120, 100, "510000");
    int32_t tpref = add_transport(x, "B-PREF", ALLOC_CARRIAGE, 20270120, 100, "511900");
    int32_t tcounty = add_transport(x, "C-COUNTY", ALLOC_BUS, 20270120, 100, "511923");
    solve(x, &r);
    assert_int_equal(r.stats.seated, 9);
    assert_int_equal(r.party_transport[county], tcounty);
    assert_string_equal(r.seats[x->parties[county].first].dropoff, "511923");
    assert_int_equal(r.party_transport[pref], tpref);
    assert_string_equal(r.seats[x->parties[pref].first].dropoff, "511900");
    assert_int_equal(r.party_transport[prov], tprov);
    assert_string_equal(r.seats[x->parties[prov].first].dropoff, "510000");
    assert_int_equal(r.stats.dropoff_level[3], 3);
    assert_int_equal(r.stats.dropoff_level[2], 2);
    assert_int_equal(r.stats.dropoff_level[1], 4);
    alloc_result_free(&r);
    free(x);
}

/* One transport stopping at the prefecture and at a county: the drop-off is its most specific covering stop. */
static void test_dropoff_on_multi_stop_train(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t a = add_party(x, 2, "511923", 0, 0, 0), b = add_party(x, 1, "511902", 0, 0, 0);
    add_transport(x, "K1", ALLOC_TRAIN, 20270120, 1200, "510000;511900;511923");
    solve(x, &r);
    assert_string_equal(r.seats[x->parties[a].first].dropoff, "511923");
    assert_string_equal(r.seats[x->parties[b].first].dropoff, "511900");
    alloc_result_free(&r);
    free(x);
}

/* A party going to two counties needs a transport covering both; each member gets his own drop-off. */
static void test_party_with_two_destinations(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t a = add_party(x, 2, "511923", 0, 0, 0);
    snprintf(x->people[x->parties[a].first + 1].dest, 7, "511921");
    add_transport(x, "A", ALLOC_BUS, 20270120, 50, "511923"); /* only one of the two */
    int32_t both = add_transport(x, "B", ALLOC_BUS, 20270120, 50, "511923;511921");
    solve(x, &r);
    assert_int_equal(r.party_transport[a], both);
    assert_string_equal(r.seats[x->parties[a].first].dropoff, "511923");
    assert_string_equal(r.seats[x->parties[a].first + 1].dropoff, "511921");
    alloc_result_free(&r);
    free(x);
}

/* Windows are inclusive; outside them: NO_DATE with the nearest departure; members who never overlap: BAD_WINDOW. */
static void test_date_windows(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t edge = add_party(x, 2, "511923", 20270115, 20270120, 0);
    int32_t late = add_party(x, 2, "511923", 20270122, 20270125, 0);
    int32_t split = add_party(x, 2, "511923", 20270110, 20270112, 0);
    x->people[x->parties[split].first + 1].earliest = 20270118;
    x->people[x->parties[split].first + 1].latest = 20270125;
    int32_t open = add_party(x, 1, "511923", 0, 20270120, 0);
    add_transport(x, "BUS", ALLOC_BUS, 20270120, 50, "511923");
    add_transport(x, "BUS-EARLY", ALLOC_BUS, 20270101, 50, "511923");
    solve(x, &r);
    assert_int_equal(r.party_transport[edge], 0);
    assert_int_equal(r.party_transport[open], 0); /* both fit: the one already in use wins (fewer transports) */
    assert_int_equal(r.stats.transports_used, 1);
    assert_int_equal(unseated_of(&r, late)->reason, ALLOC_NO_DATE);
    assert_int_equal(unseated_of(&r, late)->nearest_date, 20270120);
    assert_int_equal(unseated_of(&r, split)->reason, ALLOC_BAD_WINDOW);
    alloc_result_free(&r);
    free(x);
}

/* Equal claims: the earlier registration wins whatever the input order; equal buses fill by ref. */
static void test_first_come_first_served(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t later = add_party(x, 2, "511923", 0, 0, 0), earlier = add_party(x, 2, "511923", 0, 0, 0);
    for (int32_t i = 0; i < 2; i++)
        x->people[x->parties[earlier].first + i].registration_id = 10 + i;
    int32_t b2 = add_transport(x, "BUS-2", ALLOC_BUS, 20270120, 2, "511923");
    int32_t b1 = add_transport(x, "BUS-1", ALLOC_BUS, 20270121, 2, "511923");
    x->transports[b2].usable = false; /* first: one seat block for two parties */
    solve(x, &r);
    assert_int_equal(r.party_transport[earlier], b1);
    assert_int_equal(r.party_transport[later], -1);
    alloc_result_free(&r);
    x->transports[b2].usable = true;
    x->transports[b2].depart_date = 20270121; /* now two identical buses and one party more than fits one */
    add_party(x, 1, "511923", 0, 0, 0);
    solve(x, &r);
    assert_int_equal(r.party_transport[earlier], b1); /* BUS-1 before BUS-2 */
    assert_int_equal(r.load[b1], 2);
    alloc_result_free(&r);
    free(x);
}

/* ---- fixed tickets and unusable transports ---- */

/* Issued tickets stay and count; the rest of a partly fixed party joins its members when there is room. */
static void test_fixed_tickets_kept(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t held = add_party(x, 3, "511923", 0, 0, 0), half = add_party(x, 4, "511923", 0, 0, 0);
    int32_t big = add_party(x, 4, "511923", 0, 0, 0);
    int32_t t1 = add_transport(x, "A", ALLOC_BUS, 20270120, 10, "511923");
    int32_t t2 = add_transport(x, "B", ALLOC_BUS, 20270120, 10, "511923");
    for (int32_t i = 0; i < 3; i++)
        x->people[x->parties[held].first + i].fixed = t2;
    x->people[x->parties[half].first].fixed = t2;
    x->people[x->parties[half].first + 1].fixed = t2;
    x->transports[t2].taken = 5;
    solve(x, &r);
    assert_int_equal(r.stats.fixed, 5);
    assert_int_equal(r.stats.seated, 11);
    for (int32_t i = 0; i < 3; i++) {
        assert_true(r.seats[x->parties[held].first + i].fixed);
        assert_int_equal(r.seats[x->parties[held].first + i].transport, t2);
    }
    assert_int_equal(r.seats[x->parties[half].first + 2].transport, t2); /* joined the fixed half */
    assert_int_equal(r.seats[x->parties[half].first + 3].transport, t2);
    assert_false(r.seats[x->parties[half].first + 3].fixed);
    assert_int_equal(r.load[t2], 7);
    assert_int_equal(r.party_transport[big], t1); /* 4 no longer fit on B's 3 free seats */
    alloc_result_free(&r);
    free(x);
}

/* The fixed members' transport is full: the rest of the party is seated like a party of its own. */
static void test_partly_fixed_rest_elsewhere(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t half = add_party(x, 4, "511923", 0, 0, 0);
    int32_t t1 = add_transport(x, "A", ALLOC_BUS, 20270120, 10, "511923");
    int32_t t2 = add_transport(x, "B", ALLOC_BUS, 20270120, 10, "511923");
    x->people[x->parties[half].first].fixed = t1;
    x->transports[t1].taken = 10; /* nine more seats held by tickets of people outside this run */
    solve(x, &r);
    assert_int_equal(r.seats[x->parties[half].first].transport, t1);
    for (int32_t i = 1; i < 4; i++)
        assert_int_equal(r.seats[x->parties[half].first + i].transport, t2);
    assert_int_equal(r.party_transport[half], t2);
    assert_int_equal(r.stats.seated, 4);
    assert_int_equal(r.stats.bound, 4);
    alloc_result_free(&r);
    free(x);
}

/* A cancelled transport seats nobody and its tickets lapse: those people are moved and seated again. */
static void test_cancelled_transport(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t a = add_party(x, 2, "511923", 0, 0, 0), b = add_party(x, 3, "500101", 0, 0, 0);
    int32_t gone = add_transport(x, "A", ALLOC_BUS, 20270120, 50, "511923;500101");
    int32_t t2 = add_transport(x, "B", ALLOC_BUS, 20270121, 50, "511923");
    x->transports[gone].usable = false; /* and not departed: cancelled */
    x->transports[gone].taken = 2;
    x->people[x->parties[a].first].fixed = gone;
    x->people[x->parties[a].first + 1].fixed = gone;
    solve(x, &r);
    assert_true(r.seats[x->parties[a].first].moved);
    assert_false(r.seats[x->parties[a].first].fixed);
    assert_int_equal(r.party_transport[a], t2);
    assert_int_equal(r.stats.moved, 2);
    assert_int_equal(unseated_of(&r, b)->reason, ALLOC_NO_COVER);
    assert_int_equal(r.load[gone], 2);
    alloc_result_free(&r);
    free(x);
}

/* A ticket on a departed transport is history: kept and counted, never moved, and nobody new boards it. */
static void test_departed_ticket_kept(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t home = add_party(x, 1, "511923", 0, 0, 1), late = add_party(x, 1, "511923", 0, 0, 0);
    int32_t gone = add_transport(x, "A", ALLOC_BUS, 20270110, 50, "511923");
    x->transports[gone].usable = false;
    x->transports[gone].departed = true;
    x->transports[gone].taken = 1;
    x->people[x->parties[home].first].fixed = gone;
    solve(x, &r);
    assert_true(r.seats[x->parties[home].first].fixed);
    assert_false(r.seats[x->parties[home].first].moved);
    assert_int_equal(r.seats[x->parties[home].first].transport, gone);
    assert_string_equal(r.seats[x->parties[home].first].dropoff, "511923");
    assert_int_equal(r.party_transport[late], -1);
    assert_int_equal(unseated_of(&r, late)->reason, ALLOC_NO_COVER);
    assert_int_equal(r.stats.seated, 1);
    assert_int_equal(r.stats.bound, 1);
    assert_int_equal(r.stats.priority_seated, 1);
    assert_int_equal(r.stats.priority_bound, 1);
    assert_int_equal(r.stats.transports_used, 0);
    alloc_result_free(&r);
    free(x);
}

/* ---- priority ---- */

/* Ten ordinary people registered first, then three priority people: the priority people get the seats. */
static void test_priority_first(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    int32_t early = add_party(x, 10, "511923", 0, 0, 0);
    int32_t p[3];
    for (int i = 0; i < 3; i++)
        p[i] = add_party(x, 1, "511923", 0, 0, 1);
    int32_t pair = add_party(x, 2, "511923", 0, 0, 1); /* a priority person with a companion */
    add_party(x, 5, "511923", 0, 0, 0);
    add_transport(x, "BUS", ALLOC_BUS, 20270120, 10, "511923");
    solve(x, &r);
    assert_int_equal(r.stats.priority_bound, 4);
    assert_int_equal(r.stats.priority_seated, 4);
    assert_int_equal(r.stats.priority_bound_whole, 4);
    assert_int_equal(r.stats.seated, 10); /* 1 + 1 + 1 + 2 + 5 */
    assert_int_equal(r.party_transport[early], -1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(r.party_transport[p[i]], 0);
    assert_int_equal(r.party_transport[pair], 0);
    assert_int_equal(r.unseated[0].party, early);
    alloc_result_free(&r);
    free(x);
}

/* Priority people spread over routes: the flow finds the placement that seats all of them. */
static void test_priority_needs_rerouting(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    add_party(x, 4, "511923", 0, 0, 4); /* fits A or B */
    add_party(x, 4, "510104", 0, 0, 4); /* fits A only */
    add_party(x, 4, "511923", 0, 0, 0);
    add_transport(x, "A", ALLOC_BUS, 20270120, 4, "510000");
    add_transport(x, "B", ALLOC_BUS, 20270120, 4, "511923");
    solve(x, &r);
    assert_int_equal(r.stats.priority_seated, 8);
    assert_int_equal(r.stats.priority_bound, 8);
    assert_int_equal(r.stats.seated, 8);
    alloc_result_free(&r);
    free(x);
}

/* ---- reasons and suggestions ---- */

static void test_every_reason(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    char buf[512];
    int32_t nocover = add_party(x, 1, "330102", 0, 0, 0), nodate = add_party(x, 1, "511923", 20270201, 20270203, 0);
    int32_t bad = add_party(x, 2, "511923", 20270110, 20270111, 0);
    x->people[x->parties[bad].first + 1].earliest = 20270112;
    int32_t malformed = add_party(x, 1, "51192", 0, 0, 0);
    add_party(x, 6, "511923", 0, 0, 0);
    int32_t toobig = add_party(x, 5, "511923", 0, 0, 0), full = add_party(x, 1, "520102", 0, 0, 0);
    add_transport(x, "BUS", ALLOC_BUS, 20270120, 10, "511923");
    add_transport(x, "BUS-G", ALLOC_BUS, 20270120, 0, "520102");
    solve(x, &r);
    assert_int_equal(unseated_of(&r, nocover)->reason, ALLOC_NO_COVER);
    assert_int_equal(unseated_of(&r, malformed)->reason, ALLOC_NO_COVER);
    assert_int_equal(unseated_of(&r, nodate)->reason, ALLOC_NO_DATE);
    assert_int_equal(unseated_of(&r, bad)->reason, ALLOC_BAD_WINDOW);
    assert_int_equal(unseated_of(&r, toobig)->reason, ALLOC_TOO_BIG);
    assert_int_equal(unseated_of(&r, toobig)->largest_free, 4);
    assert_int_equal(unseated_of(&r, full)->reason, ALLOC_FULL);
    assert_int_equal(unseated_of(&r, full)->fitting, 1);
    for (int32_t i = 0; i < r.nunseated; i++) {
        alloc_explain(&r.unseated[i], buf, sizeof buf);
        assert_true(strlen(buf) > 10);
        assert_non_null(strstr(buf, "("));
    }
    assert_string_equal(alloc_reason_name(ALLOC_TOO_BIG), "too_big");
    assert_string_equal(alloc_reason_name(ALLOC_NO_COVER), "no_cover");
    alloc_explain(unseated_of(&r, nodate), buf, sizeof buf);
    assert_non_null(strstr(buf, "2027-01-20"));
    alloc_result_free(&r);
    free(x);
}

static const alloc_suggestion *suggestion_for(const alloc_result *r, const char *dropoff, int32_t date)
{
    for (int32_t i = 0; i < r->nsuggestions; i++)
        if (strcmp(r->suggestions[i].dropoff, dropoff) == 0 && r->suggestions[i].date == date)
            return &r->suggestions[i];
    return NULL;
}

/* 131 people to 511923 who can all leave on 2027-01-21 need 3 buses; bigger and farther groups other kinds. */
static void test_suggestions(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    for (int i = 0; i < 13; i++)
        add_party(x, 10, "511923", 20270118 + i % 4, 20270121 + i % 3, 0);
    add_party(x, 1, "511923", 20270121, 20270121, 0);
    add_party(x, 3, "511923", 20270201, 20270203, 0); /* another day */
    for (int i = 0; i < 35; i++)
        add_party(x, 20, "512000", 20270125, 20270130, 0); /* 700: a 专列 */
    for (int i = 0; i < 12; i++)
        add_party(x, 10, "430102", 20270125, 20270125, 0); /* 120, outside the home province: carriages */
    for (int i = 0; i < 20; i++)
        add_party(x, 10, "530102", 0, 0, 0);                   /* 200 to a far province: flights */
    add_transport(x, "BUS", ALLOC_BUS, 20270121, 0, "511923"); /* there, but full */
    x->in.home_province = 51;
    x->in.far_province[53] = 1;
    solve(x, &r);
    const alloc_suggestion *s = suggestion_for(&r, "511923", 20270121);
    assert_non_null(s);
    assert_int_equal(s->kind, ALLOC_BUS);
    assert_int_equal(s->people, 131);
    assert_int_equal(s->vehicles, 3);
    assert_int_equal(s->parties, 14);
    s = suggestion_for(&r, "511923", 20270201);
    assert_non_null(s);
    assert_int_equal(s->people, 3);
    assert_int_equal(s->vehicles, 1);
    s = suggestion_for(&r, "512000", 20270125);
    assert_non_null(s);
    assert_int_equal(s->kind, ALLOC_TRAIN);
    assert_int_equal(s->vehicles, 1);
    assert_int_equal(s->people, 700);
    s = suggestion_for(&r, "430102", 20270125);
    assert_non_null(s);
    assert_int_equal(s->kind, ALLOC_CARRIAGE);
    assert_int_equal(s->vehicles, 2);
    s = suggestion_for(&r, "530102", 20261222);
    assert_non_null(s);
    assert_int_equal(s->kind, ALLOC_FLIGHT);
    assert_int_equal(s->vehicles, 2);
    assert_string_equal(r.suggestions[0].dropoff, "512000"); /* people desc */
    for (int32_t i = 1; i < r.nsuggestions; i++)
        assert_true(r.suggestions[i - 1].people >= r.suggestions[i].people);
    alloc_result_free(&r);
    free(x);
}

/* ---- input errors and cancellation ---- */

static void test_bad_input(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    hw_error err = {0};
    add_party(x, 2, "511923", 0, 0, 0);
    add_transport(x, "BUS", ALLOC_BUS, 20270120, 10, "511923");
    sync_input(x);
    x->parties[0].count = 3; /* beyond people[] */
    assert_int_equal(alloc_run(&x->in, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_alloc_input");
    x->parties[0].count = 1; /* the second person in no party */
    assert_int_equal(alloc_run(&x->in, &r, NULL, NULL, &err), HW_EINVAL);
    x->parties[0].count = 2;
    x->people[0].fixed = 5;
    assert_int_equal(alloc_run(&x->in, &r, NULL, NULL, &err), HW_EINVAL);
    x->people[0].fixed = -1;
    x->transports[0].nstops = 17;
    assert_int_equal(alloc_run(&x->in, &r, NULL, NULL, &err), HW_EINVAL);
    x->transports[0].nstops = 1;
    assert_int_equal(alloc_run(&x->in, &r, NULL, NULL, &err), 0);
    alloc_result_free(&r);
    alloc_result_free(&r); /* twice is fine */
    free(x);
}

static int stop_at_bound(void *ctx, const char *stage, int percent)
{
    int *calls = ctx;
    (*calls)++;
    (void)percent;
    return strcmp(stage, "bound") == 0;
}

static void test_cancel(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    hw_error err = {0};
    int calls = 0;
    add_party(x, 2, "511923", 0, 0, 0);
    add_transport(x, "BUS", ALLOC_BUS, 20270120, 10, "511923");
    sync_input(x);
    assert_int_equal(alloc_run(&x->in, &r, stop_at_bound, &calls, &err), HW_EBUSY);
    assert_string_equal(err.code, "alloc_cancelled");
    assert_int_equal(calls, 2);
    assert_null(r.seats);
    free(x);
}

static void test_empty_input(void **state)
{
    (void)state;
    alloc_input in = {0};
    alloc_result r;
    hw_error err = {0};
    assert_int_equal(alloc_run(&in, &r, NULL, NULL, &err), 0);
    assert_int_equal(r.stats.seated, 0);
    assert_int_equal(r.nunseated, 0);
    alloc_result_free(&r);
}

/* The checker every test relies on does catch broken results. */
static void test_checker_catches_violations(void **state)
{
    (void)state;
    inst *x = inst_new();
    alloc_result r;
    gen_report rep;
    int32_t a = add_party(x, 3, "511923", 0, 0, 0), b = add_party(x, 2, "511923", 0, 0, 0);
    int32_t late = add_party(x, 1, "511923", 20270201, 0, 0);
    add_transport(x, "A", ALLOC_BUS, 20270120, 3, "511923");
    add_transport(x, "B", ALLOC_BUS, 20270120, 2, "511900");
    solve(x, &r);
    int32_t pa = x->parties[a].first, pb = x->parties[b].first;

    r.seats[pa + 1].transport = 1 - r.seats[pa + 1].transport; /* split a party */
    assert_true(gen_check(&x->in, &r, false, &rep) > 0);
    r.seats[pa + 1].transport = r.seats[pa].transport;
    r.seats[pb].transport = r.seats[pa].transport; /* over capacity and split */
    assert_true(gen_check(&x->in, &r, false, &rep) > 0);
    r.seats[pb].transport = r.seats[pb + 1].transport;
    r.seats[pa].dropoff[5] = '0'; /* not the most specific stop */
    assert_true(gen_check(&x->in, &r, false, &rep) > 0);
    r.seats[pa].dropoff[5] = '3';
    r.seats[x->parties[late].first].transport = 0; /* outside the window, over capacity, figures off */
    assert_true(gen_check(&x->in, &r, false, &rep) > 0);
    r.seats[x->parties[late].first].transport = -1;
    r.stats.bound = r.stats.seated - 1; /* above the bound */
    assert_true(gen_check(&x->in, &r, false, &rep) > 0);
    r.stats.bound = r.stats.seated;
    assert_int_equal(gen_check(&x->in, &r, true, &rep), 0);
    alloc_result_free(&r);
    free(x);
}

/* ---- determinism ---- */

static bool same_seats(const alloc_input *a, const alloc_result *ra, const alloc_input *b, const alloc_result *rb,
                       const int32_t *person_map)
{
    for (int32_t i = 0; i < a->npeople; i++) {
        const alloc_seat *x = &ra->seats[i], *y = &rb->seats[person_map ? person_map[i] : i];
        if ((x->transport < 0) != (y->transport < 0) || strcmp(x->dropoff, y->dropoff) != 0)
            return false;
        if (x->transport >= 0 && strcmp(a->transports[x->transport].ref, b->transports[y->transport].ref) != 0)
            return false;
    }
    return true;
}

/* The same input twice, the transports reversed, the parties reversed: the same seats by ref. */
static void test_determinism(void **state)
{
    (void)state;
    gen_instance g;
    alloc_result r1, r2, r3, r4;
    hw_error err = {0};
    assert_int_equal(gen_make(&g, 3000, 7, 0.9, 0.05), 0);
    assert_int_equal(alloc_run(&g.in, &r1, NULL, NULL, &err), 0);
    assert_int_equal(alloc_run(&g.in, &r2, NULL, NULL, &err), 0);
    assert_true(same_seats(&g.in, &r1, &g.in, &r2, NULL));
    assert_int_equal(r1.nsuggestions, r2.nsuggestions);
    assert_memory_equal(r1.suggestions, r2.suggestions, (size_t)r1.nsuggestions * sizeof *r1.suggestions);

    /* transports in reverse order: fixed indexes follow them */
    alloc_input rev = g.in;
    alloc_transport *ts = malloc((size_t)g.ntransports * sizeof *ts);
    alloc_person *ps = malloc((size_t)g.npeople * sizeof *ps);
    for (int32_t t = 0; t < g.ntransports; t++)
        ts[t] = g.transports[g.ntransports - 1 - t];
    memcpy(ps, g.people, (size_t)g.npeople * sizeof *ps);
    for (int32_t i = 0; i < g.npeople; i++)
        if (ps[i].fixed >= 0)
            ps[i].fixed = g.ntransports - 1 - ps[i].fixed;
    rev.transports = ts, rev.people = ps;
    assert_int_equal(alloc_run(&rev, &r3, NULL, NULL, &err), 0);
    assert_true(same_seats(&g.in, &r1, &rev, &r3, NULL));
    assert_int_equal(r1.stats.seated, r3.stats.seated);

    /* parties in reverse order, their people moved along */
    alloc_input prev = g.in;
    alloc_party *pa = malloc((size_t)g.nparties * sizeof *pa);
    alloc_person *pp = malloc((size_t)g.npeople * sizeof *pp);
    int32_t *map = malloc((size_t)g.npeople * sizeof *map), n = 0;
    for (int32_t k = 0; k < g.nparties; k++) {
        const alloc_party *src = &g.parties[g.nparties - 1 - k];
        pa[k] = (alloc_party){n, src->count};
        for (int32_t i = 0; i < src->count; i++) {
            map[src->first + i] = n;
            pp[n++] = g.people[src->first + i];
        }
    }
    prev.parties = pa, prev.people = pp;
    assert_int_equal(alloc_run(&prev, &r4, NULL, NULL, &err), 0);
    assert_true(same_seats(&g.in, &r1, &prev, &r4, map));
    assert_int_equal(r1.stats.bound, r4.stats.bound);

    alloc_result_free(&r1), alloc_result_free(&r2), alloc_result_free(&r3), alloc_result_free(&r4);
    free(ts), free(ps), free(pa), free(pp), free(map);
    gen_free(&g);
}

/* ---- randomized properties ---- */

/*
 * A tiny random world where everything collides: 2 provinces x 2 prefectures x 3 counties, 1-8 transports
 * over 5 days with stops at any level, parties of 1-6 with windows, 20% priority, some issued tickets (some on
 * cancelled transports).
 */
static void tiny_random(inst *x, gen_rng *r)
{
    static const char *const counties[] = {"510101", "510102", "510103", "510201", "510202", "510203",
                                           "520101", "520102", "520103", "520201", "520202", "520203"};
    int32_t nparty = 1 + gen_below(r, 14), nt = 1 + gen_below(r, 8);
    for (int32_t k = 0; k < nparty; k++) {
        int32_t lo = 20270110 + gen_below(r, 5), hi = lo + gen_below(r, 4);
        if (gen_unit(r) < 0.2)
            lo = hi = 0;
        int32_t n = 1 + gen_below(r, gen_unit(r) < 0.5 ? 2 : 6);
        int32_t pi = add_party(x, n, counties[gen_below(r, 12)], lo, hi, 0);
        for (int32_t i = x->parties[pi].first; i < x->np; i++) {
            x->people[i].priority = gen_unit(r) < 0.2;
            if (gen_unit(r) < 0.05)
                snprintf(x->people[i].dest, 7, "%s", counties[gen_below(r, 12)]);
        }
    }
    for (int32_t t = 0; t < nt; t++) {
        char ref[16], stops[64] = "";
        snprintf(ref, sizeof ref, "T%02d", (int)gen_below(r, 100));
        snprintf(ref + strlen(ref), sizeof ref - strlen(ref), "-%d", (int)t);
        for (int32_t k = 1 + gen_below(r, 3); k > 0; k--) {
            const char *c = counties[gen_below(r, 12)];
            int level = 1 + gen_below(r, 3);
            char code[8];
            snprintf(code, sizeof code, "%.*s%s", level * 2, c, level == 1 ? "0000" : level == 2 ? "00" : "");
            snprintf(stops + strlen(stops), sizeof stops - strlen(stops), "%s%s", stops[0] ? ";" : "", code);
        }
        int32_t i =
            add_transport(x, ref, gen_below(r, ALLOC_NKINDS), 20270110 + gen_below(r, 6), 2 + gen_below(r, 12), stops);
        double u = gen_unit(r);
        x->transports[i].usable = u >= 0.15;              /* 10% cancelled: tickets lapse */
        x->transports[i].departed = u >= 0.1 && u < 0.15; /* 5% departed: tickets stand, nobody new */
    }
    for (int32_t i = 0; i < x->np; i++) /* a few issued tickets on transports that fit, or on cancelled ones */
        if (gen_unit(r) < 0.08) {
            int32_t t = gen_below(r, x->nt);
            if (x->transports[t].taken < x->transports[t].capacity &&
                (!x->transports[t].usable || gen_fits_person(&x->transports[t], &x->people[i]))) {
                x->people[i].fixed = t;
                x->transports[t].taken++;
            }
        }
}

/*
 * The best placement by trying every one (tiny instances only): parties x (transports + 1), scored like the
 * objective: priority people seated first, then people seated (score = priority x 2^20 + seated).
 */
static void brute_force(const inst *x, int32_t pi, int32_t *free_seats, int64_t score, int64_t *best)
{
    if (pi == x->nparty) {
        if (score > *best)
            *best = score;
        return;
    }
    const alloc_party *p = &x->parties[pi];
    int32_t want = 0, prio = 0;
    for (int32_t i = p->first; i < p->first + p->count; i++) {
        const alloc_person *q = &x->people[i];
        if (q->fixed >= 0 && (x->transports[q->fixed].usable || x->transports[q->fixed].departed))
            score += ((int64_t)q->priority << 20) + 1;
        else
            want++, prio += q->priority;
    }
    brute_force(x, pi + 1, free_seats, score, best);
    for (int32_t t = 0; t < x->nt && want > 0; t++) {
        bool fits = x->transports[t].usable && free_seats[t] >= want;
        for (int32_t i = p->first; i < p->first + p->count && fits; i++) {
            const alloc_person *q = &x->people[i];
            if (!(q->fixed >= 0 && (x->transports[q->fixed].usable || x->transports[q->fixed].departed)))
                fits = gen_fits_person(&x->transports[t], q);
        }
        if (!fits)
            continue;
        free_seats[t] -= want;
        brute_force(x, pi + 1, free_seats, score + ((int64_t)prio << 20) + want, best);
        free_seats[t] += want;
    }
}

static int64_t optimum(const inst *x)
{
    int32_t free_seats[MAXT];
    int64_t best = -1;
    for (int32_t t = 0; t < x->nt; t++) {
        int32_t kept = 0;
        for (int32_t i = 0; i < x->np; i++)
            kept += x->people[i].fixed == t && (x->transports[t].usable || x->transports[t].departed);
        int32_t held = x->transports[t].taken > kept ? x->transports[t].taken : kept;
        free_seats[t] = x->transports[t].capacity - held;
    }
    brute_force(x, 0, free_seats, 0, &best);
    return best;
}

/* 400 tiny random worlds: every constraint re-checked, seated <= bound, and against the exact optimum. */
static void test_random_properties(void **state)
{
    (void)state;
    int at_optimum = 0, compared = 0;
    int64_t sum_seated = 0, sum_opt = 0;
    for (uint64_t seed = 1; seed <= 400; seed++) {
        gen_rng r = {seed * 0x9E3779B97F4A7C15u};
        inst *x = inst_new();
        alloc_result res;
        tiny_random(x, &r);
        solve(x, &res); /* checks every constraint, the reasons and that nothing more fits */
        assert_true(res.stats.seated <= res.stats.bound);
        assert_true(res.stats.priority_seated <= res.stats.priority_bound);
        assert_true(res.stats.priority_seated <= res.stats.priority_bound_whole);
        assert_true(res.stats.priority_bound_whole <= res.stats.priority_bound);
        int64_t combos = 1;
        for (int32_t k = 0; k < x->nparty && combos < 300000; k++)
            combos *= x->nt + 1;
        if (combos < 300000) {
            int64_t opt = optimum(x), got = (res.stats.priority_seated << 20) + res.stats.seated;
            int64_t opt_seated = opt & ((1 << 20) - 1);
            assert_true(got <= opt);
            assert_true(opt_seated <= res.stats.bound);
            assert_true((opt >> 20) <= res.stats.priority_bound);
            at_optimum += got == opt, compared++;
            sum_seated += res.stats.seated, sum_opt += opt_seated;
        }
        alloc_result_free(&res);
        free(x);
    }
    print_message("tiny worlds: %d of %d at the exact optimum (priority, then people); seated %lld of %lld (%.2f%%)\n",
                  at_optimum, compared, (long long)sum_seated, (long long)sum_opt,
                  100.0 * (double)sum_seated / (double)sum_opt);
    assert_true(compared >= 200);
    assert_true(at_optimum * 100 >= compared * 95);
}

/* Medium generated instances (the benchmark's generator): seated >= 99% of the bound, no violation. */
static void test_generated_quality(void **state)
{
    (void)state;
    const double supply[] = {0.5, 0.95, 1.5};
    for (int i = 0; i < 3; i++) {
        gen_instance g;
        alloc_result r;
        hw_error err = {0};
        gen_report rep;
        assert_int_equal(gen_make(&g, 20000, 11 + (uint64_t)i, supply[i], 0.03), 0);
        assert_int_equal(alloc_run(&g.in, &r, NULL, NULL, &err), 0);
        assert_int_equal(gen_check(&g.in, &r, false, &rep), 0);
        const alloc_stats *st = &r.stats;
        print_message("supply %.2f: seated %lld of bound %lld (%.2f%%), priority %lld of %lld (whole parties %lld), "
                      "greedy first-fit %lld\n",
                      supply[i], (long long)st->seated, (long long)st->bound,
                      100.0 * (double)st->seated / (double)st->bound, (long long)st->priority_seated,
                      (long long)st->priority_bound, (long long)st->priority_bound_whole,
                      (long long)greedy_first_fit(&g.in));
        assert_true((double)st->seated >= 0.99 * (double)st->bound);
        assert_true((double)st->priority_seated >= 0.98 * (double)st->priority_bound_whole);
        if (supply[i] > 1) /* seats to spare: every priority person the bound allows is seated */
            assert_int_equal(st->priority_seated, st->priority_bound);
        assert_true(st->fixed > 0);
        alloc_result_free(&r);
        gen_free(&g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_party_exactly_fills),
        cmocka_unit_test(test_party_one_too_big),
        cmocka_unit_test(test_greedy_loses),
        cmocka_unit_test(test_most_specific_dropoff),
        cmocka_unit_test(test_dropoff_on_multi_stop_train),
        cmocka_unit_test(test_party_with_two_destinations),
        cmocka_unit_test(test_date_windows),
        cmocka_unit_test(test_first_come_first_served),
        cmocka_unit_test(test_fixed_tickets_kept),
        cmocka_unit_test(test_partly_fixed_rest_elsewhere),
        cmocka_unit_test(test_cancelled_transport),
        cmocka_unit_test(test_departed_ticket_kept),
        cmocka_unit_test(test_priority_first),
        cmocka_unit_test(test_priority_needs_rerouting),
        cmocka_unit_test(test_every_reason),
        cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_checker_catches_violations),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_random_properties),
        cmocka_unit_test(test_generated_quality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
