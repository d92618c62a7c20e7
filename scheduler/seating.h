/* seating.h - seat layouts, seat labels and adjacent seating of parties on one transport (DESIGN §2, §3 (5)). */
#ifndef HW_SEATING_H
#define HW_SEATING_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * Seats of a transport are numbered 0..capacity-1 in "seat order": car by car, row by
 * row, left to right (A B C | D E F). Inside a car ("cars:N") consecutive seat numbers
 * count as neighbours; the carriage's own 3+2 bays are not modelled. Everything in this
 * module is pure: no I/O, no globals; the caller owns every buffer.
 */

#define SEATING_MAX_SEATS 10000 /* capacity limit of a layout (the largest transport is far below) */
#define SEATING_MAX_PER_CAR 999 /* "cars:N": seat numbers within a car print as 3 digits */
#define SEATING_MAX_ROW 10      /* "rows:A+B": A + B seats per row at most (letters A..K without I) */
#define SEATING_LABEL_MAX 24    /* bytes any label needs, NUL included ("03车045号" takes 12) */

typedef enum seating_shape {
    SEATING_NUMBERED, /* "numbered": one run of seats 1..capacity */
    SEATING_CARS,     /* "cars:N": N seats per car, cars in order, the last may be partial */
    SEATING_ROWS,     /* "rows:A+B": A seats left of the aisle and B right, rows in order, the last may be partial */
} seating_shape;

typedef struct seating_layout {
    seating_shape shape;
    int capacity; /* seats in all */
    int per_car;  /* SEATING_CARS: seats per car; otherwise 0 */
    int left;     /* SEATING_ROWS: seats left of the aisle (A..) per row; otherwise 0 */
    int right;    /* SEATING_ROWS: seats right of the aisle per row; otherwise 0 */
} seating_layout;

/*
 * Read a layout text as transport_default_layout() writes it: "cars:N" (1 <= N <= 999;
 * a capacity C gives ceil(C/N) cars), "rows:A+B" (A, B >= 0, 1 <= A + B <= 10), or
 * "numbered"; numbers are plain decimal digits, no spaces or signs. `capacity` must
 * be 0..SEATING_MAX_SEATS. Returns 0 and fills `*out`, or HW_EINVAL with err->code
 * "layout_syntax" (unreadable text), "layout_range" (numbers out of range) or
 * "layout_capacity"; `*out` is then untouched. `err` may be NULL. Keeps no pointer.
 */
int seating_layout_parse(const char *layout, int capacity, seating_layout *out, hw_error *err);

/*
 * The printed label of seat `seat_index` (0-based) for a transport of kind
 * `kind` (a transport_kind value; this header does not include transports.h, which
 * pulls in SQLite's header, so callers of a pure module need not). Rules:
 *   train (专列)        "03车045号": car number (2 digits at least) + seat within the car (3 digits), both from 1;
 *                       a layout other than cars counts as one car;
 *   carriage (火车车厢)  "045号": seat within the car (the car number is on the transport's label);
 *                       if the layout has more than one car the train form is used so labels stay unique;
 *   flight (包机)       "12A": row from 1 + letter A B C | D E F..., letters in order skipping I and O;
 *                       a layout other than rows falls back to the numbered form;
 *   bus (汽车), boat (船) and any other kind: "15号", the seat number from 1 zero-padded to the
 *                       digits of the capacity, at least 2 ("05号" on a 49-seat bus, "005号" on a 300-seat boat).
 * Writes a NUL-terminated label to `buf` (`n` bytes; SEATING_LABEL_MAX always suffice).
 * A label that does not fit in `n` bytes and a seat index outside 0..capacity-1 give
 * ""; nothing is written if `n` is 0. Keeps no pointer.
 */
void seating_label(const seating_layout *l, int kind, int seat_index, char *buf, size_t n);

/*
 * Whether the `n` seat indexes in `seats` (ascending, as seating_assign writes them) sit
 * together: contiguous in seat order and, for cars, inside one car; for rows, a party
 * of at most a row's width inside one row (neighbours across the aisle count as
 * adjacent) and a larger one in consecutive rows (contiguous in seat order). One seat
 * is always together; n <= 0 is not. Keeps no pointer.
 */
bool seating_together(const seating_layout *l, const int *seats, int n);

/*
 * Give every one of `nparties` parties (party i has party_sizes[i] >= 1 members) free
 * seats of layout `l` (as seating_layout_parse filled it). `taken` has l->capacity entries, true for seats already held
 * (NULL: all free). Parties are seated biggest first, ties in input order. Each party gets, when one exists, a block
 * that is together (see seating_together) chosen by: rows: a block on one side of the aisle for a party no wider than a
 * side, else one row, else (bigger than a row) consecutive rows touching the fewest rows; then best fit: the smallest
 * run of free seats that holds it (within the side, row, car or vehicle), a block at one end of that run, the lowest
 * seat. When no such block exists the party takes the `size` free seats with the smallest spread in seat order (in the
 * fewest cars first), so seating never fails while enough seats are free. Output: `seats_out` (sum of party_sizes
 * entries) receives the seats party by party in input order, each party's ascending: party i's seats start at the sum
 * of the sizes of parties 0..i-1. `together_out` (nparties entries, may be NULL) says per party whether it sits
 * together; `*ntogether` (may be NULL) counts those parties. Never assigns a taken seat or a seat twice. Returns 0, or
 * HW_EINVAL ("bad_party_size": a size < 1; "bad_argument": nparties < 0 or a needed pointer is NULL), HW_ECONFLICT
 * ("over_capacity": more members than free seats) or HW_ENOMEM; on error no output is written. Allocates scratch memory
 * and frees it before returning; keeps no pointer. `err` may be NULL.
 */
int seating_assign(const seating_layout *l, const bool *taken, const int *party_sizes, int nparties, int *seats_out,
                   bool *together_out, int *ntogether, hw_error *err);

#endif
