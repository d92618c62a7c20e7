/* alloc.h - the allocation engine (DESIGN §3): seats whole parties on transports, pure, and measures itself. */
#ifndef HW_ALLOC_H
#define HW_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * What it does. alloc_run() takes a snapshot of people (grouped into parties) and transports as plain arrays,
 * and decides who sits on which transport, following DESIGN §3:
 *
 *   fit     a transport fits a party when it is usable, one of its stops covers every member's destination
 *           (divisions_covers()), its departure date lies in every member's window and it has free seats for
 *           the whole party;
 *   order   (1) as many priority people seated as possible, then as many people as possible; (2) never a split
 *           party, never over capacity, nobody twice; (3) the most specific drop-off; (4) fewer transports;
 *           ties go to the earlier registration (smaller registration_id: first come, first served).
 *           (5) adjacent seats belong to the seating module, not here.
 *   fixed   people holding a live ticket (alloc_person.fixed >= 0) keep it and count as seated, also on a
 *           transport that has left (departed: not usable, tickets stand). A ticket on a cancelled transport
 *           (neither usable nor departed) is not kept: that person is allocated again and alloc_seat.moved
 *           says so, so the store can cancel the old ticket.
 *   partly fixed parties  the members without a ticket (the "rest") go to the transport the fixed members hold
 *           when all fixed members hold the same usable transport and it fits the rest; otherwise the rest is
 *           allocated like a party of its own (it can no longer sit with the others anyway). Only a strict gain
 *           in priority people seated may later take such a rest off its party's transport.
 *
 * How: units to seat (parties, or the rest of partly fixed ones) are grouped into classes by (destinations,
 * the departure groups their window admits, has priority people); transports into groups by (stops, date).
 * A flow network source -> class -> group -> sink gives, in stages, the priority bound, the best fractional
 * placement of priority people with parties whole, the max-flow bound, and finally the same amounts per class
 * sent to the most specific drop-offs (min-cost flow). The placement rounds that flow to whole parties, then
 * fills, repairs (moves and strict-gain swaps), refills gaps by subset-sum, moves parties to more specific
 * drop-offs and empties lightly used transports. Details in alloc_bound.c and alloc_place.c.
 *
 * Quality is part of every result: `bound` is the max-flow upper bound (the same instance with parties allowed
 * to split, fixed tickets included), `priority_bound` the same for priority people alone and
 * `priority_bound_whole` the priority people a placement with whole parties reaches at most (its fractional
 * relaxation); seated <= bound and priority_seated <= priority_bound_whole <= priority_bound always hold.
 * On generated instances (scripts/bench/allocate) seated is >= 99.7% of bound.
 *
 * Determinism: the result depends only on the values in the input, not on the order of transports in the
 * array (they are ranked by ref) nor on the order of parties (ranked by their earliest registration_id);
 * no clocks, no randomness, no hash-order dependence. The output arrays are indexed like the input arrays.
 *
 * Pure: no I/O, no globals, no SQLite; safe to run on a worker thread while other threads run other calls.
 */

/* Transport kinds, in the order of transport_kind in transports.h (the store passes that value). */
typedef enum alloc_kind {
    ALLOC_TRAIN,    /* 专列 */
    ALLOC_CARRIAGE, /* 火车车厢 */
    ALLOC_BUS,      /* 汽车 */
    ALLOC_BOAT,     /* 船 */
    ALLOC_FLIGHT,   /* 包机 */
    ALLOC_NKINDS
} alloc_kind;

#define ALLOC_MAX_STOPS 16
#define ALLOC_MAX_PEOPLE 50000000 /* hard limits: every count fits in int32 with room to spare */
#define ALLOC_MAX_TRANSPORTS 2000000
#define ALLOC_MAX_CAPACITY 100000 /* seats of one transport */

/* One registration that wants a seat or already holds one. */
typedef struct alloc_person {
    int64_t registration_id; /* unique; smaller means registered earlier (first come, first served) */
    char dest[7];            /* GB/T 2260 code, any level; a malformed code is covered by nothing */
    int32_t earliest;        /* yyyymmdd; 0 = the campaign's first day (alloc_input.campaign_from) */
    int32_t latest;          /* yyyymmdd; 0 = the campaign's last day (alloc_input.campaign_to) */
    uint8_t priority;        /* 1 = high priority (registration_priority()), 0 = ordinary */
    int32_t fixed;           /* index into alloc_input.transports of an issued ticket this person holds, or -1 */
} alloc_person;

/* One party (同行组): people[first .. first+count) travel together; a single person is a party of one. */
typedef struct alloc_party {
    int32_t first;
    int32_t count; /* >= 1 */
} alloc_party;

/* One transport (运力). */
typedef struct alloc_transport {
    char ref[64];                   /* unique; ranks transports for every tie (strcmp order) */
    int kind;                       /* alloc_kind */
    int32_t depart_date;            /* yyyymmdd (Asia/Shanghai) */
    char stops[ALLOC_MAX_STOPS][7]; /* division codes, any level */
    int nstops;
    int32_t capacity;
    int32_t taken; /* seats held by live tickets (issued, boarded), those of fixed people in the input included */
    bool usable;   /* new seats allowed (planned, confirmed, boarding); false for departed, arrived, cancelled */
    bool departed; /* departed or arrived: not usable, but its live tickets stand; a transport neither usable nor
                      departed is cancelled: its live tickets lapse and their holders are allocated again */
} alloc_transport;

/*
 * The snapshot. Every array belongs to the caller and is only read during alloc_run(); nothing is kept.
 * Every person must be in exactly one party (the parties' ranges are disjoint and cover people[]).
 */
typedef struct alloc_input {
    const alloc_person *people;
    int32_t npeople;
    const alloc_party *parties;
    int32_t nparties;
    const alloc_transport *transports;
    int32_t ntransports;
    int32_t campaign_from, campaign_to; /* yyyymmdd; what a window bound of 0 means (0 here: unbounded) */
    /*
     * Suggestions only: far_province[p] != 0 marks province p (the first two digits of a code, 11..82) as far
     * from here, so groups of 130..599 people going there are suggested flights; all zero = never flights.
     * home_province (e.g. 51) makes other provinces "rail distance": groups of 118..599 get carriages; 0 = all
     * provinces are bus distance. See alloc_suggestion for the whole rule.
     */
    uint8_t far_province[100];
    int home_province;
} alloc_input;

/* Why a party has no seat. */
typedef enum alloc_reason {
    ALLOC_SEATED = 0, /* not a reason: the party is seated */
    ALLOC_NO_COVER,   /* no usable transport covers every member's destination (or a code is malformed) */
    ALLOC_BAD_WINDOW, /* the members' date windows do not overlap (or earliest > latest) */
    ALLOC_NO_DATE,    /* transports cover the destination, but none departs inside the party's window */
    ALLOC_FULL,       /* every fitting transport is full */
    ALLOC_TOO_BIG,    /* fitting transports have free seats, but no single block as large as the party */
    ALLOC_NREASONS
} alloc_reason;

/* Where one person sits after the run. */
typedef struct alloc_seat {
    int32_t transport; /* index into alloc_input.transports, or -1 when unseated */
    char dropoff[7];   /* the most specific stop covering the person's destination; "" when unseated */
    bool fixed;        /* the seat is the issued ticket the person already held */
    bool moved;        /* the person held a ticket on a cancelled transport: the store cancels that ticket */
} alloc_seat;

/* One unseated party and what stands in its way. */
typedef struct alloc_unseated {
    int32_t party;    /* index into alloc_input.parties */
    int32_t people;   /* members still without a seat */
    int32_t priority; /* priority people among them */
    alloc_reason reason;
    int32_t fitting;      /* transports that cover it and depart in its window (0 for NO_COVER/NO_DATE/BAD_WINDOW) */
    int32_t largest_free; /* the largest free block among those (TOO_BIG: < people) */
    int32_t nearest_date; /* NO_DATE: the covering departure closest to its window, yyyymmdd; else 0 */
} alloc_unseated;

/*
 * One charter still needed. Unseated parties whose reason is NO_COVER, NO_DATE, FULL or TOO_BIG are grouped
 * by drop-off (the destination; for a party going to several, their common prefecture or province) and by
 * date (the day inside most of the group's windows, repeated for those whose windows miss it). The kind and
 * count follow the group's size n:
 *   n >= 600                                   -> 专列, ceil(n / 1200)
 *   far_province[dest] and 130 <= n < 600      -> 包机, ceil(n / 150)
 *   dest outside home_province and n >= 118    -> 火车车厢, ceil(n / 118)
 *   otherwise                                  -> 汽车, ceil(n / 50)   (e.g. 3 x 汽车 to 511923 for 131 people)
 * Seat counts are planning figures from notes/domain.md (a coach of about 50, a YZ25 carriage of 118, a
 * 16-car 专列 of about 1,200, an A320-class 包机 of 150). Boats are never suggested.
 */
typedef struct alloc_suggestion {
    alloc_kind kind;
    char dropoff[7];
    int32_t date;     /* yyyymmdd; 0 when neither the windows nor the campaign bound it */
    int32_t vehicles; /* how many of that kind */
    int32_t people;
    int32_t parties;
} alloc_suggestion;

/* The run's figures; people counts include fixed tickets. */
typedef struct alloc_stats {
    int64_t people, priority_people, parties;
    int64_t seated;               /* people holding a seat after the run, fixed tickets included */
    int64_t bound;                /* max-flow upper bound on seated (parties may split) */
    int64_t priority_seated;      /* priority people seated */
    int64_t priority_bound;       /* max-flow upper bound on priority_seated (parties may split) */
    int64_t priority_bound_whole; /* tighter: parties kept whole but allowed fractions (LP relaxation) */
    int64_t fixed;                /* people whose issued ticket was kept */
    int64_t moved;                /* people whose ticket lapsed with its transport (seated again or not) */
    int64_t parties_seated;       /* parties with every member seated */
    int64_t parties_unseated;     /* = nunseated */
    int64_t transports_used;      /* usable transports holding at least one passenger */
    int64_t dropoff_level[4];     /* seated people (not fixed) by drop-off level: [1] province .. [3] county */
    int64_t best_level[4];        /* the same people by the most specific level any fitting transport offers */
} alloc_stats;

/*
 * The answer. Every array is allocated by alloc_run() and freed by alloc_result_free(); `seats` has npeople
 * entries, `party_transport` nparties, `load` ntransports, indexed like the input.
 */
typedef struct alloc_result {
    alloc_seat *seats;
    int32_t *party_transport; /* the party's transport (that of its new seats), -1 when unseated */
    int32_t *load;            /* seats held on each transport after the run: taken + new seats */
    alloc_unseated *unseated; /* sorted: parties with priority people first, then by earliest registration */
    int32_t nunseated;
    alloc_suggestion *suggestions; /* sorted: people desc, then drop-off, date, kind */
    int32_t nsuggestions;
    alloc_stats stats;
} alloc_result;

/*
 * Progress: called now and then with a stage name ("prepare", "bound", "place", "improve", "report") and an
 * overall percentage 0..100, on the thread running alloc_run(). Return 0 to go on, anything else to stop
 * (alloc_run() then fails with HW_EBUSY "alloc_cancelled").
 */
typedef int (*alloc_progress_fn)(void *ctx, const char *stage, int percent);

/*
 * Allocate. `out` is the caller's struct; on success it holds arrays the caller frees with alloc_result_free().
 * Keeps no pointer to `in`. `progress` may be NULL.
 * Errors (out is then empty, nothing to free): HW_EINVAL "bad_alloc_input" for a malformed snapshot (a party
 * range outside people[], a person in no party or in two, a bad transport index, nstops outside 0..16,
 * a negative capacity), HW_ETOOBIG "alloc_too_big" beyond the ALLOC_MAX_* limits, HW_ENOMEM, and HW_EBUSY
 * "alloc_cancelled".
 */
int alloc_run(const alloc_input *in, alloc_result *out, alloc_progress_fn progress, void *ctx, hw_error *err);

/* Free what alloc_run() put in `r` and zero it; a zeroed or NULL result is fine. */
void alloc_result_free(alloc_result *r);

/* Machine name of a reason: "seated", "no_cover", "bad_window", "no_date", "full", "too_big". */
const char *alloc_reason_name(alloc_reason r);

/*
 * A person-readable explanation of one unseated party, Chinese first then English, into buf (n bytes, the
 * caller's), e.g. "合适的 3 个运力都已满 (every fitting transport is full: 3 transports)". Returns buf.
 */
const char *alloc_explain(const alloc_unseated *u, char *buf, size_t n);

/* "汽车" etc. and "bus" etc. for a kind; "" when out of range. */
const char *alloc_kind_zh(alloc_kind k);
const char *alloc_kind_name(alloc_kind k);

#endif
