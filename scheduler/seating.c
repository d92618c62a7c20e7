/* seating.c - seat layouts, human seat labels and adjacent seating of parties (pure: no I/O, no globals). */
#include "seating.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transports.h" /* only for the transport_kind values; nothing here touches SQLite */

#define SEATING_MAX_DIGITS 4 /* longest number in a layout text */
#define LABEL_ROOM 48        /* two ints of 11 characters and the UTF-8 words: more than any label needs */

/* Seat letters in a row, as airlines print them: no I (looks like 1) and no O (looks like 0). */
static const char row_letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";

/* What a together block must stay inside: one side of the aisle, one row, or one car (the vehicle if no cars). */
typedef enum seat_scope { SCOPE_SIDE, SCOPE_ROW, SCOPE_CAR, SCOPE_COUNT } seat_scope;

/* How good a candidate placement is; smaller is better, compared field by field. */
typedef struct seat_key {
    long a, b, c, d;
} seat_key;

/* Scratch memory of one seating_assign call. */
typedef struct seat_work {
    const seating_layout *l;
    bool *used;               /* capacity entries: taken before the call or assigned by it */
    bool *joins[SCOPE_COUNT]; /* per seat_scope, capacity entries: seat i lies in the unit of seat i - 1 */
    int *row;                 /* capacity entries: each seat's row (0 unless the layout has rows) */
    int *lfree;               /* capacity entries: free seats in a row ending here, inside the current scope's unit */
    int *rfree;               /* capacity entries: free seats in a row starting here, inside the unit */
    int *freelist;            /* capacity entries: free seat indexes, for splitting */
    int *order;               /* nparties entries: parties, biggest first */
    int *offset;              /* nparties entries: where each party's seats start in seats_out */
} seat_work;

/* ---- layouts ---- */

/* Read 1..4 decimal digits at *p into *out and advance *p; false if there are none or too many. */
static bool read_number(const char **p, int *out)
{
    int v = 0, k = 0;
    while (**p >= '0' && **p <= '9') {
        if (++k > SEATING_MAX_DIGITS)
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return k > 0;
}

static int layout_syntax(hw_error *err)
{
    return error_set(err, HW_EINVAL, "layout_syntax",
                     "座位布局无法识别，应为 cars:N、rows:A+B 或 numbered "
                     "(seat layout must be cars:N, rows:A+B or numbered)");
}

static int layout_range(hw_error *err)
{
    return error_set(err, HW_EINVAL, "layout_range",
                     "座位布局数值超出范围：每节车厢 1-%d 座，每排 1-%d 座 "
                     "(layout numbers out of range: 1-%d seats per car, 1-%d per row)",
                     SEATING_MAX_PER_CAR, SEATING_MAX_ROW, SEATING_MAX_PER_CAR, SEATING_MAX_ROW);
}

/* "cars:N" after its prefix. */
static int parse_cars(const char *p, seating_layout *l, hw_error *err)
{
    if (!read_number(&p, &l->per_car) || *p != '\0')
        return layout_syntax(err);
    if (l->per_car < 1 || l->per_car > SEATING_MAX_PER_CAR)
        return layout_range(err);
    l->shape = SEATING_CARS;
    return 0;
}

/* "rows:A+B" after its prefix. */
static int parse_rows(const char *p, seating_layout *l, hw_error *err)
{
    if (!read_number(&p, &l->left) || *p++ != '+' || !read_number(&p, &l->right) || *p != '\0')
        return layout_syntax(err);
    if (l->left + l->right < 1 || l->left + l->right > SEATING_MAX_ROW)
        return layout_range(err);
    l->shape = SEATING_ROWS;
    return 0;
}

int seating_layout_parse(const char *layout, int capacity, seating_layout *out, hw_error *err)
{
    if (capacity < 0 || capacity > SEATING_MAX_SEATS)
        return error_set(err, HW_EINVAL, "layout_capacity", "座位数超出范围 0-%d (capacity out of range 0-%d): %d",
                         SEATING_MAX_SEATS, SEATING_MAX_SEATS, capacity);
    if (layout == NULL)
        return layout_syntax(err);
    seating_layout l = {.shape = SEATING_NUMBERED, .capacity = capacity};
    int rc = 0;
    if (strncmp(layout, "cars:", 5) == 0)
        rc = parse_cars(layout + 5, &l, err);
    else if (strncmp(layout, "rows:", 5) == 0)
        rc = parse_rows(layout + 5, &l, err);
    else if (strcmp(layout, "numbered") != 0)
        rc = layout_syntax(err);
    if (rc == 0)
        *out = l;
    return rc;
}

/* ---- geometry ---- */

static int row_width(const seating_layout *l)
{
    return l->left + l->right;
}

static int car_of(const seating_layout *l, int seat)
{
    return l->shape == SEATING_CARS ? seat / l->per_car : 0;
}

static int row_of(const seating_layout *l, int seat)
{
    return l->shape == SEATING_ROWS ? seat / row_width(l) : 0;
}

static int ncars(const seating_layout *l)
{
    return l->shape == SEATING_CARS ? (l->capacity + l->per_car - 1) / l->per_car : 1;
}

/* The unit of `scope` that `seat` lies in; a together block never spans two units. */
static int unit_of(const seating_layout *l, seat_scope scope, int seat)
{
    if (l->shape != SEATING_ROWS)
        return car_of(l, seat);
    int row = row_of(l, seat), col = seat % row_width(l);
    switch (scope) {
    case SCOPE_SIDE:
        return 2 * row + (col >= l->left);
    case SCOPE_ROW:
        return row;
    case SCOPE_CAR:
    case SCOPE_COUNT:
        break;
    }
    return 0;
}

/* ---- labels ---- */

static int digits(int v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static void label_numbered(const seating_layout *l, int seat, char *buf, size_t n)
{
    int width = digits(l->capacity);
    snprintf(buf, n, "%0*d号", width < 2 ? 2 : width > 5 ? 5 : width, seat + 1); /* capacity <= 10000 */
}

static void label_train(const seating_layout *l, int seat, char *buf, size_t n)
{
    int per_car = l->shape == SEATING_CARS ? l->per_car : l->capacity;
    snprintf(buf, n, "%02d车%03d号", seat / per_car + 1, seat % per_car + 1);
}

static void label_flight(const seating_layout *l, int seat, char *buf, size_t n)
{
    snprintf(buf, n, "%d%c", row_of(l, seat) + 1, row_letters[seat % row_width(l)]);
}

/* The label into buf, whatever n is (LABEL_ROOM bytes: room for any int, so snprintf never cuts). */
static void label_any(const seating_layout *l, int kind, int seat, char buf[LABEL_ROOM])
{
    if (kind == TRANSPORT_TRAIN || (kind == TRANSPORT_CARRIAGE && ncars(l) > 1))
        label_train(l, seat, buf, LABEL_ROOM);
    else if (kind == TRANSPORT_CARRIAGE)
        snprintf(buf, LABEL_ROOM, "%03d号", seat + 1); /* one car: the index is the seat within it */
    else if (kind == TRANSPORT_FLIGHT && l->shape == SEATING_ROWS)
        label_flight(l, seat, buf, LABEL_ROOM);
    else
        label_numbered(l, seat, buf, LABEL_ROOM);
}

void seating_label(const seating_layout *l, int kind, int seat_index, char *buf, size_t n)
{
    char label[LABEL_ROOM];
    if (buf == NULL || n == 0)
        return;
    buf[0] = '\0';
    if (l == NULL || seat_index < 0 || seat_index >= l->capacity)
        return;
    label_any(l, kind, seat_index, label);
    if (strlen(label) < n) /* never a cut label: it could end inside a UTF-8 character */
        memcpy(buf, label, strlen(label) + 1);
}

/* ---- together ---- */

bool seating_together(const seating_layout *l, const int *seats, int n)
{
    if (l == NULL || seats == NULL || n <= 0 || seats[0] < 0 || seats[n - 1] >= l->capacity)
        return false;
    for (int i = 1; i < n; i++)
        if (seats[i] != seats[i - 1] + 1)
            return false;
    int first = seats[0], last = seats[n - 1];
    if (l->shape == SEATING_CARS)
        return car_of(l, first) == car_of(l, last);
    if (l->shape == SEATING_ROWS && n <= row_width(l))
        return row_of(l, first) == row_of(l, last);
    return true;
}

/* ---- assignment ---- */

static bool key_less(seat_key x, seat_key y)
{
    if (x.a != y.a)
        return x.a < y.a;
    if (x.b != y.b)
        return x.b < y.b;
    if (x.c != y.c)
        return x.c < y.c;
    return x.d < y.d;
}

/* Fill lfree/rfree: lengths of free runs ending at / starting at each seat, never crossing a unit of `scope`. */
static void scan_runs(seat_work *w, seat_scope scope)
{
    const seating_layout *l = w->l;
    int cap = l->capacity;
    const bool *joins = w->joins[scope];
    for (int i = 0; i < cap; i++)
        w->lfree[i] = w->used[i] ? 0 : 1 + (joins[i] ? w->lfree[i - 1] : 0);
    for (int i = cap - 1; i >= 0; i--)
        w->rfree[i] = w->used[i] ? 0 : 1 + (i + 1 < cap && joins[i + 1] ? w->rfree[i + 1] : 0);
}

/*
 * The best together block of `size` seats inside units of `scope`: fewest rows touched,
 * then the tightest free run (best fit), then a block at an end of its run, then the
 * lowest seat. Returns its first seat, or -1 if no block fits.
 */
static int best_block(seat_work *w, seat_scope scope, int size)
{
    scan_runs(w, scope);
    int best = -1;
    seat_key best_key = {0, 0, 0, 0};
    for (int end = size - 1; end < w->l->capacity; end++) {
        if (w->lfree[end] < size)
            continue;
        int start = end - size + 1;
        long before = w->lfree[start] - 1, after = w->rfree[end] - 1;
        seat_key k = {w->row[end] - w->row[start], before + after, before > 0 && after > 0, start};
        if (best < 0 || key_less(k, best_key)) {
            best = start;
            best_key = k;
        }
    }
    return best;
}

/* The scopes to try, in order, for a party of `size` on layout `l`; returns how many were written. */
static int scopes_for(const seating_layout *l, int size, seat_scope scopes[2])
{
    if (l->shape != SEATING_ROWS) {
        scopes[0] = SCOPE_CAR;
        return 1;
    }
    int side = l->left > l->right ? l->left : l->right;
    if (size <= side) {
        scopes[0] = SCOPE_SIDE;
        scopes[1] = SCOPE_ROW;
        return 2;
    }
    scopes[0] = size <= row_width(l) ? SCOPE_ROW : SCOPE_CAR;
    return 1;
}

/* Seat a party on a together block if one exists: writes `size` seats to `out`; false if none. */
static bool place_together(seat_work *w, int size, int *out)
{
    seat_scope scopes[2];
    int nscopes = scopes_for(w->l, size, scopes);
    for (int i = 0; i < nscopes; i++) {
        int start = best_block(w, scopes[i], size);
        if (start >= 0) {
            for (int k = 0; k < size; k++)
                out[k] = start + k;
            return true;
        }
    }
    return false;
}

/* Seat a party on the `size` free seats of least spread (fewest cars first); the caller checked enough are free. */
static void place_split(seat_work *w, int size, int *out)
{
    int nfree = 0;
    for (int i = 0; i < w->l->capacity; i++)
        if (!w->used[i])
            w->freelist[nfree++] = i;
    int best = 0;
    seat_key best_key = {0, 0, 0, 0};
    for (int j = 0; j + size <= nfree; j++) {
        int first = w->freelist[j], last = w->freelist[j + size - 1];
        seat_key k = {car_of(w->l, last) - car_of(w->l, first), last - first, 0, j};
        if (j == 0 || key_less(k, best_key)) {
            best = j;
            best_key = k;
        }
    }
    memcpy(out, &w->freelist[best], (size_t)size * sizeof *out);
}

/* Order parties by size, biggest first, ties in input order (a stable merge sort; `tmp` holds n entries). */
static void sort_parties(int *order, int *tmp, const int *sizes, int n)
{
    if (n < 2)
        return;
    int half = n / 2;
    sort_parties(order, tmp, sizes, half);
    sort_parties(order + half, tmp, sizes, n - half);
    int i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = sizes[order[j]] > sizes[order[i]] ? order[j++] : order[i++];
    while (i < half)
        tmp[k++] = order[i++];
    while (j < n)
        tmp[k++] = order[j++];
    memcpy(order, tmp, (size_t)n * sizeof *order);
}

static void work_free(seat_work *w)
{
    free(w->used);
    for (int s = 0; s < SCOPE_COUNT; s++)
        free(w->joins[s]);
    free(w->row);
    free(w->lfree);
    free(w->rfree);
    free(w->freelist);
    free(w->order);
    free(w->offset);
}

/* Allocate the scratch memory and copy `taken`; returns 0 or HW_ENOMEM. */
static int work_init(seat_work *w, const seating_layout *l, const bool *taken, int nparties, hw_error *err)
{
    size_t cap = (size_t)l->capacity + 1, np = (size_t)nparties + 1;
    *w = (seat_work){.l = l};
    w->used = calloc(cap, sizeof *w->used);
    bool ok = true;
    for (int s = 0; s < SCOPE_COUNT; s++)
        ok = (w->joins[s] = calloc(cap, sizeof *w->joins[s])) != NULL && ok;
    w->row = calloc(cap, sizeof *w->row);
    w->lfree = calloc(cap, sizeof *w->lfree);
    w->rfree = calloc(cap, sizeof *w->rfree);
    w->freelist = calloc(cap > np ? cap : np, sizeof *w->freelist); /* doubles as the sort's scratch */
    w->order = calloc(np, sizeof *w->order);
    w->offset = calloc(np, sizeof *w->offset);
    if (!ok || !w->row || !w->used || !w->lfree || !w->rfree || !w->freelist || !w->order || !w->offset) {
        work_free(w);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    if (taken != NULL)
        memcpy(w->used, taken, (size_t)l->capacity * sizeof *w->used);
    for (int i = 0; i < l->capacity; i++) { /* geometry once, not per party */
        w->row[i] = row_of(l, i);
        for (int s = 0; s < SCOPE_COUNT; s++)
            w->joins[s][i] = i > 0 && unit_of(l, (seat_scope)s, i - 1) == unit_of(l, (seat_scope)s, i);
    }
    return 0;
}

/* Check the arguments before anything is written; returns 0 or an error. */
static int check_request(const seating_layout *l, const bool *taken, const int *sizes, int nparties, hw_error *err)
{
    if (l == NULL || nparties < 0 || (nparties > 0 && sizes == NULL))
        return error_set(err, HW_EINVAL, "bad_argument", "座位分配参数无效 (invalid seating request)");
    long long free_seats = 0, need = 0; /* nparties * INT_MAX fits in 64 bits */
    for (int i = 0; i < l->capacity; i++)
        free_seats += taken == NULL || !taken[i];
    for (int i = 0; i < nparties; i++) {
        if (sizes[i] < 1)
            return error_set(err, HW_EINVAL, "bad_party_size",
                             "同行组人数必须至少为 1 (party size must be at least 1)");
        need += sizes[i];
    }
    if (need > free_seats)
        return error_set(err, HW_ECONFLICT, "over_capacity",
                         "空余座位不足：需要 %lld 个，只有 %lld 个 (not enough free seats: %lld needed, %lld free)",
                         need, free_seats, need, free_seats);
    return 0;
}

/* Seat every party, biggest first, into seats_out at its offset. */
static void seat_parties(seat_work *w, const int *sizes, int nparties, int *seats_out)
{
    for (int i = 0; i < nparties; i++) {
        w->order[i] = i;
        w->offset[i + 1] = w->offset[i] + sizes[i];
    }
    sort_parties(w->order, w->freelist, sizes, nparties);
    for (int i = 0; i < nparties; i++) {
        int p = w->order[i], *out = seats_out + w->offset[p];
        if (!place_together(w, sizes[p], out))
            place_split(w, sizes[p], out);
        for (int k = 0; k < sizes[p]; k++)
            w->used[out[k]] = true;
    }
}

int seating_assign(const seating_layout *l, const bool *taken, const int *party_sizes, int nparties, int *seats_out,
                   bool *together_out, int *ntogether, hw_error *err)
{
    int rc = check_request(l, taken, party_sizes, nparties, err);
    if (rc == 0 && nparties > 0 && seats_out == NULL)
        rc = error_set(err, HW_EINVAL, "bad_argument", "座位分配参数无效 (invalid seating request)");
    seat_work w;
    if (rc != 0 || (rc = work_init(&w, l, taken, nparties, err)) != 0)
        return rc;
    seat_parties(&w, party_sizes, nparties, seats_out);
    int count = 0;
    for (int p = 0; p < nparties; p++) {
        bool together = seating_together(l, seats_out + w.offset[p], party_sizes[p]);
        count += together;
        if (together_out != NULL)
            together_out[p] = together;
    }
    if (ntogether != NULL)
        *ntogether = count;
    work_free(&w);
    return 0;
}
