/* alloc_place.c - from the flow to whole parties: rounding, filling, repair and the improvement passes. */
#include "alloc_impl.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/*
 * The passes, in order (each one deterministic, each keeping every constraint):
 *   pins     the rest of a partly fixed party joins its fixed members' transport when that fits; only a
 *            repair with a strict gain in priority people may take it off again (it then sits elsewhere);
 *   round    each class's flow amount per group becomes whole units (first come, first served, a unit taking
 *            the most specific group whose amount still holds it), then each group's units go largest first
 *            into its transports (first fit: fills transports one after another);
 *   fill     every unit still unseated, priority first, then those the rounding chose, then largest first,
 *            takes the best transport with room (most specific, then one already in use);
 *   repair   an unseated unit clears room on a transport of its range: units there move to other transports
 *            with room, or are pushed out when they are worth less in (priority people, people), so every
 *            repair is a strict gain for objective (1); pushed-out units try to sit elsewhere;
 *   refill   on a transport with free seats, one ordinary unit makes way for several waiting ones that
 *            fill more seats (6 + 4 free -> 5 + 5), found by a small subset-sum;
 *   specific seated units move to a more specific drop-off with room;
 *   fewer    transports with the fewest passengers are emptied into others already in use when every unit
 *            finds room at a drop-off at least as specific;
 *   fill     once more, so that at the end no unseated unit fits any transport (what the reasons rely on).
 * The repair and improvement passes each get a work budget (in steps, proportional to the people) so that a
 * run stays bounded on any input; on the generated instances they converge well before it runs out.
 */

/* ---- max-free segment tree over canonical transports ---- */

static int32_t seg_value(const alloc_model *m, int32_t t)
{
    return m->t_masked[t] ? 0 : m->t_free[t];
}

static void seg_update(alloc_model *m, int32_t t)
{
    int32_t i = m->seg_size + t;
    m->seg[i] = seg_value(m, t);
    for (i /= 2; i >= 1; i /= 2) {
        int32_t l = m->seg[2 * i], r = m->seg[2 * i + 1];
        m->seg[i] = l > r ? l : r;
    }
}

static int seg_build(alloc_model *m)
{
    m->seg_size = 1;
    while (m->seg_size < m->nt)
        m->seg_size *= 2;
    m->seg = calloc((size_t)m->seg_size * 2, sizeof *m->seg);
    if (m->seg == NULL)
        return HW_ENOMEM;
    for (int32_t t = 0; t < m->nt; t++)
        m->seg[m->seg_size + t] = seg_value(m, t);
    for (int32_t i = m->seg_size - 1; i >= 1; i--)
        m->seg[i] = m->seg[2 * i] > m->seg[2 * i + 1] ? m->seg[2 * i] : m->seg[2 * i + 1];
    return 0;
}

/* Leftmost transport in [lo, hi) with at least s free seats (not masked), or -1. */
static int32_t seg_find(const alloc_model *m, int32_t node, int32_t nl, int32_t nr, int32_t lo, int32_t hi, int32_t s)
{
    if (nr <= lo || hi <= nl || m->seg[node] < s)
        return -1;
    if (nr - nl == 1)
        return nl;
    int32_t mid = nl + (nr - nl) / 2;
    int32_t r = seg_find(m, 2 * node, nl, mid, lo, hi, s);
    return r >= 0 ? r : seg_find(m, 2 * node + 1, mid, nr, lo, hi, s);
}

static int32_t group_find(const alloc_model *m, int32_t g, int32_t s)
{
    return seg_find(m, 1, 0, m->seg_size, m->g_first[g], m->g_first[g] + m->g_count[g], s);
}

/* ---- seating ---- */

void alloc_seat_unit(alloc_model *m, int32_t ui, int32_t t)
{
    alloc_unit *u = &m->u[ui];
    assert(u->at < 0 && m->t_free[t] >= u->size); /* never over capacity, never twice */
    u->at = t;
    u->prev = -1;
    u->next = m->t_head[t];
    if (u->next >= 0)
        m->u[u->next].prev = ui;
    m->t_head[t] = ui;
    m->t_free[t] -= u->size;
    m->t_new[t] += u->size;
    m->g_free[m->t_group[t]] -= u->size;
    seg_update(m, t);
}

void alloc_unseat_unit(alloc_model *m, int32_t ui)
{
    alloc_unit *u = &m->u[ui];
    int32_t t = u->at;
    if (u->prev >= 0)
        m->u[u->prev].next = u->next;
    else
        m->t_head[t] = u->next;
    if (u->next >= 0)
        m->u[u->next].prev = u->prev;
    u->at = u->next = u->prev = -1;
    m->t_free[t] += u->size;
    m->t_new[t] -= u->size;
    m->g_free[m->t_group[t]] += u->size;
    seg_update(m, t);
}

static void move_unit(alloc_model *m, int32_t ui, int32_t t)
{
    alloc_unseat_unit(m, ui);
    alloc_seat_unit(m, ui, t);
}

/* Whether unit u sits next to its party's fixed members: the improvement passes leave it there. */
static int pinned(const alloc_unit *u)
{
    return u->pin >= 0 && u->at == u->pin;
}

/* Cost (3 - drop-off level) of unit ui on transport t, -1 when t does not cover it in its window. */
static int unit_cost(const alloc_model *m, int32_t ui, int32_t t)
{
    const alloc_unit *u = &m->u[ui];
    int32_t g = m->t_group[t];
    for (int32_t e = u->a; e < u->b; e++)
        if (m->cv_group[e] == g)
            return 3 - m->cv_level[e];
    return -1;
}

int alloc_fits(const alloc_model *m, int32_t ui, int32_t t)
{
    return unit_cost(m, ui, t) >= 0 && m->t_free[t] >= m->u[ui].size;
}

/* Whether t holds anybody (new seats or tickets issued before). */
static int in_use(const alloc_model *m, int32_t t)
{
    return m->t_new[t] > 0 || m->in->transports[m->t_src[t]].taken > 0;
}

/*
 * The best transport with room for unit ui at cost <= max_cost: the one its party's fixed members hold, else
 * the least cost, then one already in use, then the first in cover order; -1 when none.
 */
int32_t alloc_find(alloc_model *m, int32_t ui, int32_t max_cost)
{
    const alloc_unit *u = &m->u[ui];
    int32_t best = -1, best_cost = max_cost + 1, best_used = 0;
    if (u->pin >= 0 && !m->t_masked[u->pin] && alloc_fits(m, ui, u->pin) && unit_cost(m, ui, u->pin) <= max_cost)
        return u->pin; /* with the party's fixed members */
    for (int32_t e = u->a; e < u->b; e++) {
        int32_t g = m->cv_group[e], cost = 3 - m->cv_level[e];
        m->budget -= 4;
        if (cost > max_cost || cost > best_cost || (cost == best_cost && best_used))
            continue;
        int32_t t = group_find(m, g, u->size);
        if (t < 0)
            continue;
        int used = in_use(m, t);
        if (cost < best_cost || used) {
            best = t, best_cost = cost, best_used = used;
        }
    }
    return best;
}

/* ---- pins: the rest of a partly fixed party joins the fixed members ---- */

static void seat_pins(alloc_model *m)
{
    for (int32_t ui = 0; ui < m->nu; ui++) {
        alloc_unit *u = &m->u[ui];
        if (u->pin >= 0 && u->cls >= 0 && alloc_fits(m, ui, u->pin)) {
            alloc_seat_unit(m, ui, u->pin);
        }
    }
}

/* ---- round: the flow's amounts as whole units ---- */

/* Among class c's edges with at least s left, the most specific, then the one with the least left; -1. */
static int32_t pick_edge(const alloc_model *m, const alloc_class *c, const int32_t *rem, int32_t s)
{
    int32_t best = -1;
    for (int32_t i = 0; i < c->b - c->a; i++) {
        int32_t r = rem[c->edge0 + i];
        if (r < s)
            continue;
        if (best < 0 || m->cv_level[c->a + i] > m->cv_level[c->a + best] ||
            (m->cv_level[c->a + i] == m->cv_level[c->a + best] && r < rem[c->edge0 + best]))
            best = i;
    }
    return best;
}

/* The amounts left per class edge once the pinned units are taken off. */
static void pinned_off(const alloc_model *m, int32_t *rem)
{
    for (int32_t ui = 0; ui < m->nu; ui++) {
        const alloc_unit *u = &m->u[ui];
        if (!pinned(u))
            continue;
        const alloc_class *c = &m->c[u->cls];
        for (int32_t i = 0; i < c->b - c->a; i++)
            if (m->cv_group[c->a + i] == m->t_group[u->at]) {
                rem[c->edge0 + i] -= u->size;
                break;
            }
    }
}

/* Choose units per class and group; dest[ui] gets the group, -1 for units not chosen. */
static void choose_units(alloc_model *m, int32_t *rem, int32_t *dest)
{
    for (int32_t c = 0; c < m->nc; c++) {
        const alloc_class *cl = &m->c[c];
        int64_t left = 0;
        for (int32_t i = 0; i < cl->b - cl->a; i++)
            left += rem[cl->edge0 + i] > 0 ? rem[cl->edge0 + i] : 0;
        for (int32_t k = 0; k < cl->count && left > 0; k++) {
            int32_t ui = m->class_units[cl->first + k];
            alloc_unit *u = &m->u[ui];
            if (u->at >= 0)
                continue;
            int32_t i = pick_edge(m, cl, rem, u->size);
            if (i < 0)
                continue;
            rem[cl->edge0 + i] -= u->size;
            left -= u->size;
            dest[ui] = m->cv_group[cl->a + i];
            u->picked = 1;
        }
    }
}

typedef struct sort_key {
    int64_t k[4];
    int32_t ui;
} sort_key;

static int sort_key_cmp(const void *pa, const void *pb)
{
    const sort_key *x = pa, *y = pb;
    for (int i = 0; i < 4; i++)
        if (x->k[i] != y->k[i])
            return x->k[i] < y->k[i] ? -1 : 1;
    return (x->ui > y->ui) - (x->ui < y->ui);
}

/* Each group's chosen units, largest first, first fit into its transports. */
static int pack_groups(alloc_model *m, const int32_t *dest)
{
    int32_t n = 0;
    sort_key *keys = malloc(((size_t)m->nu + 1) * sizeof *keys);
    if (keys == NULL)
        return HW_ENOMEM;
    for (int32_t ui = 0; ui < m->nu; ui++)
        if (dest[ui] >= 0)
            keys[n++] = (sort_key){{dest[ui], -m->u[ui].size, 0, 0}, ui};
    qsort(keys, (size_t)n, sizeof *keys, sort_key_cmp);
    for (int32_t i = 0; i < n; i++) {
        int32_t ui = keys[i].ui, t = group_find(m, (int32_t)keys[i].k[0], m->u[ui].size);
        if (t >= 0)
            alloc_seat_unit(m, ui, t);
    }
    free(keys);
    return 0;
}

static int round_flow(alloc_model *m)
{
    int64_t ne = 0;
    for (int32_t c = 0; c < m->nc; c++)
        ne += m->c[c].b - m->c[c].a;
    int32_t *rem = malloc(((size_t)ne + 1) * sizeof *rem), *dest = malloc(((size_t)m->nu + 1) * sizeof *dest);
    if (rem == NULL || dest == NULL) {
        free(rem), free(dest);
        return HW_ENOMEM;
    }
    memcpy(rem, m->edge_flow, (size_t)ne * sizeof *rem);
    memset(dest, 0xff, ((size_t)m->nu + 1) * sizeof *dest);
    pinned_off(m, rem);
    choose_units(m, rem, dest);
    int rc = pack_groups(m, dest);
    free(rem), free(dest);
    return rc;
}

/* ---- fill ---- */

/*
 * Units with a class in fill order: priority first (most priority people per seat first), then those the
 * rounding chose, then the largest (they are the hard ones to fit), then the earliest registration.
 */
static int32_t *fill_order(const alloc_model *m, int32_t *n_out)
{
    int32_t n = 0;
    sort_key *keys = malloc(((size_t)m->nu + 1) * sizeof *keys);
    int32_t *order = malloc(((size_t)m->nu + 1) * sizeof *order);
    if (keys == NULL || order == NULL) {
        free(keys), free(order);
        return NULL;
    }
    for (int32_t ui = 0; ui < m->nu; ui++) {
        const alloc_unit *u = &m->u[ui];
        if (u->cls >= 0)
            keys[n++] = (sort_key){{u->prio == 0, -alloc_ratio(u), !u->picked, -u->size}, ui};
    }
    qsort(keys, (size_t)n, sizeof *keys, sort_key_cmp);
    for (int32_t i = 0; i < n; i++)
        order[i] = keys[i].ui;
    free(keys);
    *n_out = n;
    return order;
}

/*
 * Seat every unit in `order` that finds room. Free seats only shrink during a fill, so once a unit of size s
 * found nothing in its class, no unit of that class as large can: those are skipped without a search.
 */
static void fill(alloc_model *m, const int32_t *order, int32_t n)
{
    for (int32_t c = 0; c < m->nc; c++)
        m->c[c].failed = INT32_MAX;
    for (int32_t i = 0; i < n; i++) {
        int32_t ui = order[i];
        alloc_unit *u = &m->u[ui];
        alloc_class *c = &m->c[u->cls];
        if (u->at >= 0 || u->size >= c->failed)
            continue;
        int32_t t = alloc_find(m, ui, 2);
        if (t >= 0)
            alloc_seat_unit(m, ui, t);
        else
            c->failed = u->size;
    }
}

/* ---- repair ---- */

#define ROOM_MAX 512 /* units of one transport considered when clearing room */

/* Where unit q could go instead of t (t hidden during the search); -1 when nowhere. */
static int32_t elsewhere(alloc_model *m, int32_t q, int32_t t)
{
    uint8_t was = m->t_masked[t];
    m->t_masked[t] = 1;
    seg_update(m, t);
    int32_t t2 = alloc_find(m, q, 2);
    m->t_masked[t] = was;
    seg_update(m, t);
    return t2;
}

/*
 * Units of t that may leave it, cheapest to lose first: fewest priority people per seat, units next to their
 * fixed party members after the others, then largest, then the latest registered.
 */
static int32_t room_candidates(alloc_model *m, int32_t t, sort_key *keys)
{
    int32_t n = 0;
    for (int32_t q = m->t_head[t]; q >= 0 && n < ROOM_MAX; q = m->u[q].next) {
        const alloc_unit *v = &m->u[q];
        keys[n++] = (sort_key){{alloc_ratio(v), pinned(v), -v->size, -q}, q};
    }
    qsort(keys, (size_t)n, sizeof *keys, sort_key_cmp);
    m->budget -= 8 * (int64_t)n;
    return n;
}

/*
 * The single candidate to try first, among those large enough for `need`: one that can probably move away
 * (see movable_estimate()), then the cheapest, then the smallest; -1 when none.
 */
static int32_t room_single(const alloc_model *m, const sort_key *keys, int32_t n, int32_t need)
{
    int32_t best = -1;
    sort_key bk = {{0, 0, 0, 0}, 0};
    for (int32_t i = 0; i < n; i++) {
        const alloc_unit *v = &m->u[keys[i].ui];
        if (v->size < need)
            continue;
        sort_key k = {{m->c[v->cls].room < v->size, keys[i].k[0], keys[i].k[1], v->size}, i};
        if (best < 0 || sort_key_cmp(&k, &bk) < 0)
            best = i, bk = k;
    }
    return best;
}

typedef struct room_log {
    int32_t q[ROOM_MAX]; /* units taken off t, moved or pushed out */
    int32_t n;
    int64_t prio, people; /* pushed out */
} room_log;

static void undo_room(alloc_model *m, int32_t t, room_log *log)
{
    while (log->n > 0) {
        int32_t q = log->q[--log->n];
        if (m->u[q].at >= 0)
            alloc_unseat_unit(m, q);
        alloc_seat_unit(m, q, t);
    }
}

/* Take unit q off t: to another transport with room, or out (counted in the log). */
static void take_off(alloc_model *m, int32_t q, int32_t t, room_log *log)
{
    int32_t t2 = elsewhere(m, q, t);
    alloc_unseat_unit(m, q);
    log->q[log->n++] = q;
    if (t2 >= 0)
        alloc_seat_unit(m, q, t2);
    else
        log->prio += m->u[q].prio, log->people += m->u[q].size;
}

/* Whether ui now fits t at a strict gain in (priority people, people) over what was pushed out. */
static int room_gain(const alloc_model *m, int32_t ui, int32_t t, const room_log *log)
{
    const alloc_unit *u = &m->u[ui];
    return m->t_free[t] >= u->size && (log->prio < u->prio || (log->prio == u->prio && log->people < u->size));
}

/*
 * Seat unit ui on t by clearing room: first the one cheapest unit large enough, else units cheapest first,
 * move to another transport with room or are pushed out, until ui fits. Kept only at a strict gain (see
 * room_gain()); otherwise undone. Pushed-out units then look for room anywhere (maybe on t itself).
 */
static int clear_room(alloc_model *m, int32_t ui, int32_t t, sort_key *keys, room_log *log)
{
    const alloc_unit *u = &m->u[ui];
    if (m->t_new[t] + m->t_free[t] < u->size)
        return 0;
    int32_t n = room_candidates(m, t, keys), one = room_single(m, keys, n, u->size - m->t_free[t]);
    log->n = 0, log->prio = 0, log->people = 0;
    if (one >= 0) {
        take_off(m, keys[one].ui, t, log);
        if (!room_gain(m, ui, t, log))
            undo_room(m, t, log), log->prio = 0, log->people = 0;
    }
    for (int32_t i = 0; i < n && m->t_free[t] < u->size; i++)
        take_off(m, keys[i].ui, t, log);
    if (!room_gain(m, ui, t, log)) {
        undo_room(m, t, log);
        return 0;
    }
    alloc_seat_unit(m, ui, t);
    for (int32_t i = 0; i < log->n; i++)
        if (m->u[log->q[i]].at < 0) {
            int32_t t3 = alloc_find(m, log->q[i], 2);
            if (t3 >= 0)
                alloc_seat_unit(m, log->q[i], t3);
        }
    return 1;
}

/* Largest free block (not masked) among transports t[lo..hi). */
static int32_t seg_max(const alloc_model *m, int32_t lo, int32_t hi)
{
    int32_t best = 0;
    for (lo += m->seg_size, hi += m->seg_size; lo < hi; lo /= 2, hi /= 2) {
        if (lo & 1)
            best = m->seg[lo] > best ? m->seg[lo] : best, lo++;
        if (hi & 1)
            hi--, best = m->seg[hi] > best ? m->seg[hi] : best;
    }
    return best;
}

/*
 * Before each repair pass, cheap guesses that spare most searches: per class the largest free block its range
 * offers, per transport the largest unit on it whose class has such a block (it can probably move away).
 */
static void movable_estimate(alloc_model *m, int32_t *t_movable)
{
    for (int32_t c = 0; c < m->nc; c++) {
        alloc_class *cl = &m->c[c];
        cl->room = 0;
        for (int32_t e = cl->a; e < cl->b; e++) {
            int32_t g = m->cv_group[e], v = seg_max(m, m->g_first[g], m->g_first[g] + m->g_count[g]);
            cl->room = v > cl->room ? v : cl->room;
        }
        m->budget -= 4 * (int64_t)(cl->b - cl->a);
    }
    for (int32_t t = 0; t < m->nt; t++) {
        t_movable[t] = 0;
        for (int32_t q = m->t_head[t]; q >= 0; q = m->u[q].next) {
            const alloc_unit *v = &m->u[q];
            if (!pinned(v) && m->c[v->cls].room >= v->size && v->size > t_movable[t])
                t_movable[t] = v->size;
        }
    }
}

/*
 * Whether unseated unit u should try to clear room on t: a priority unit always; an ordinary one when t has
 * free seats (pushing out fewer people than it brings is a gain) or a unit big enough that can probably move.
 */
static int worth_trying(const alloc_model *m, const alloc_unit *u, int32_t t, const int32_t *t_movable)
{
    int32_t need = u->size - m->t_free[t];
    return need > 0 && (u->prio > 0 || m->t_free[t] > 0 || t_movable[t] >= need);
}

/* One pass: unseated units, in fill order, each trying to clear room on the transports of its range. */
static int repair_pass(alloc_model *m, const int32_t *order, int32_t n, sort_key *keys, room_log *log,
                       int32_t *t_movable)
{
    int gains = 0;
    movable_estimate(m, t_movable);
    for (int32_t i = 0; i < n && m->budget > 0; i++) {
        int32_t ui = order[i];
        const alloc_unit *u = &m->u[ui];
        for (int32_t e = u->a; e < u->b && u->at < 0 && m->budget > 0; e++) {
            int32_t g = m->cv_group[e];
            for (int32_t t = m->g_first[g]; t < m->g_first[g] + m->g_count[g] && u->at < 0; t++) {
                m->budget--;
                if (worth_trying(m, u, t, t_movable) && clear_room(m, ui, t, keys, log))
                    gains++;
            }
        }
    }
    return gains;
}

/* Repair passes while they gain (units pushed out in one pass get their turn in the next), at most three. */
static int repair(alloc_model *m, const int32_t *order, int32_t n)
{
    sort_key *keys = malloc(ROOM_MAX * sizeof *keys);
    room_log *log = malloc(sizeof *log);
    int32_t *t_movable = malloc(((size_t)m->nt + 1) * sizeof *t_movable);
    if (keys == NULL || log == NULL || t_movable == NULL) {
        free(keys), free(log), free(t_movable);
        return HW_ENOMEM;
    }
    for (int pass = 0; pass < 3 && repair_pass(m, order, n, keys, log, t_movable) > 0; pass++)
        ;
    free(keys), free(log), free(t_movable);
    return 0;
}

/* ---- refill: one seated unit out, several waiting ones in (6 + 4 free seats -> 5 + 5) ---- */

#define POOL_MAX 32
#define POOL_SCAN 64

typedef struct refill_state {
    int32_t *first, *classes; /* per group: the classes whose range holds it (CSR) */
    int32_t *reach;           /* subset sums: the pool item that reached each sum, -1 unreached */
    int32_t reach_cap;
} refill_state;

static int refill_init(alloc_model *m, refill_state *r)
{
    int64_t n = 0;
    memset(r, 0, sizeof *r);
    r->first = calloc((size_t)m->ng + 2, sizeof *r->first);
    for (int32_t c = 0; c < m->nc; c++)
        n += m->c[c].b - m->c[c].a;
    r->classes = malloc(((size_t)n + 1) * sizeof *r->classes);
    if (r->first == NULL || r->classes == NULL)
        return HW_ENOMEM;
    for (int32_t c = 0; c < m->nc; c++)
        for (int32_t e = m->c[c].a; e < m->c[c].b; e++)
            r->first[m->cv_group[e] + 2]++;
    for (int32_t g = 0; g < m->ng; g++)
        r->first[g + 2] += r->first[g + 1];
    for (int32_t c = 0; c < m->nc; c++)
        for (int32_t e = m->c[c].a; e < m->c[c].b; e++)
            r->classes[r->first[m->cv_group[e] + 1]++] = c;
    return 0;
}

static void refill_free(refill_state *r)
{
    free(r->first), free(r->classes), free(r->reach);
}

/* Unseated units that t's group serves and that are at most `limit` large, into pool; returns how many. */
static int32_t gather_pool(alloc_model *m, const refill_state *r, int32_t t, int32_t limit, int32_t *pool)
{
    int32_t g = m->t_group[t], n = 0;
    for (int32_t k = r->first[g]; k < r->first[g + 1] && n < POOL_MAX; k++) {
        const alloc_class *c = &m->c[r->classes[k]];
        for (int32_t j = 0, scanned = 0; j < c->count && n < POOL_MAX && scanned < POOL_SCAN; j++) {
            int32_t ui = m->class_units[c->first + j];
            const alloc_unit *u = &m->u[ui];
            m->budget--;
            if (u->at >= 0)
                continue;
            scanned++;
            if (u->size <= limit)
                pool[n++] = ui;
        }
    }
    return n;
}

/* Subset sums of the pool's sizes up to cap: reach[s] = the item that reached s first, POOL_MAX for 0. */
static int subset_sums(alloc_model *m, refill_state *r, const int32_t *pool, int32_t n, int32_t cap)
{
    if (cap + 1 > r->reach_cap) {
        int32_t *nr = realloc(r->reach, ((size_t)cap + 1) * sizeof *nr);
        if (nr == NULL)
            return HW_ENOMEM;
        r->reach = nr, r->reach_cap = cap + 1;
    }
    memset(r->reach, 0xff, ((size_t)cap + 1) * sizeof *r->reach);
    r->reach[0] = POOL_MAX;
    for (int32_t i = 0; i < n; i++) {
        int32_t s = m->u[pool[i]].size;
        for (int32_t c = cap; c >= s; c--)
            if (r->reach[c] < 0 && r->reach[c - s] >= 0)
                r->reach[c] = i;
    }
    m->budget -= (int64_t)n * cap / 8 + 1;
    return 0;
}

/* The largest reachable sum in [lo, hi], 0 when none. */
static int32_t best_sum(const refill_state *r, int32_t lo, int32_t hi)
{
    for (int32_t c = hi; c >= lo; c--)
        if (r->reach[c] >= 0)
            return c;
    return 0;
}

/* Swap ordinary unit q on t for the pool items making up `sum`; q then tries to sit elsewhere. */
static void swap_in(alloc_model *m, const refill_state *r, int32_t t, int32_t q, const int32_t *pool, int32_t sum)
{
    alloc_unseat_unit(m, q);
    while (sum > 0) {
        int32_t ui = pool[r->reach[sum]];
        alloc_seat_unit(m, ui, t);
        sum -= m->u[ui].size;
    }
    int32_t t2 = alloc_find(m, q, 2);
    if (t2 >= 0)
        alloc_seat_unit(m, q, t2);
}

/* On t (with free seats), the swap of one ordinary unit for waiting units that gains the most people. */
static int refill_transport(alloc_model *m, refill_state *r, int32_t t)
{
    int32_t f = m->t_free[t], maxq = 0, pool[POOL_MAX], best_q = -1, best = 0, best_gain = 0;
    for (int32_t q = m->t_head[t]; q >= 0; q = m->u[q].next)
        if (!pinned(&m->u[q]) && m->u[q].prio == 0 && m->u[q].size > maxq)
            maxq = m->u[q].size;
    if (f <= 0 || maxq == 0)
        return 0;
    int32_t n = gather_pool(m, r, t, f + maxq, pool);
    if (n == 0 || subset_sums(m, r, pool, n, f + maxq) != 0)
        return 0;
    for (int32_t q = m->t_head[t]; q >= 0; q = m->u[q].next) {
        const alloc_unit *v = &m->u[q];
        m->budget--;
        if (pinned(v) || v->prio > 0)
            continue;
        int32_t sum = best_sum(r, v->size + 1, f + v->size);
        if (sum - v->size > best_gain)
            best_q = q, best = sum, best_gain = sum - v->size;
    }
    if (best_q < 0)
        return 0;
    swap_in(m, r, t, best_q, pool, best);
    return 1;
}

static int refill(alloc_model *m)
{
    refill_state r;
    if (refill_init(m, &r) != 0) {
        refill_free(&r);
        return HW_ENOMEM;
    }
    for (int32_t t = 0; t < m->nt && m->budget > 0; t++)
        while (m->budget > 0 && refill_transport(m, &r, t))
            ;
    refill_free(&r);
    return 0;
}

/* ---- improvement: more specific drop-offs, then fewer transports ---- */

static void more_specific(alloc_model *m)
{
    for (int32_t ui = 0; ui < m->nu && m->budget > 0; ui++) {
        const alloc_unit *u = &m->u[ui];
        if (u->at < 0 || pinned(u))
            continue;
        int cost = unit_cost(m, ui, u->at);
        if (cost <= 3 - m->c[u->cls].best)
            continue;
        int32_t t = alloc_find(m, ui, cost - 1);
        if (t >= 0)
            move_unit(m, ui, t);
    }
}

/* Move every unit off t into transports in use at no less specific a drop-off; undo all when one cannot. */
static int empty_transport(alloc_model *m, int32_t t, int32_t *moved)
{
    int32_t n = 0;
    m->t_masked[t] = 1;
    seg_update(m, t);
    while (m->t_head[t] >= 0) {
        int32_t q = m->t_head[t];
        int32_t t2 = pinned(&m->u[q]) ? -1 : alloc_find(m, q, unit_cost(m, q, t));
        if (t2 < 0)
            break;
        move_unit(m, q, t2);
        moved[n++] = q;
    }
    if (m->t_head[t] < 0)
        return 1;
    while (n > 0)
        move_unit(m, moved[--n], t);
    m->t_masked[t] = 0;
    seg_update(m, t);
    return 0;
}

static int fewer_transports(alloc_model *m)
{
    int32_t n = 0;
    sort_key *keys = malloc(((size_t)m->nt + 1) * sizeof *keys);
    int32_t *moved = malloc(((size_t)m->nu + 1) * sizeof *moved);
    if (keys == NULL || moved == NULL) {
        free(keys), free(moved);
        return HW_ENOMEM;
    }
    for (int32_t t = 0; t < m->nt; t++) {
        m->t_masked[t] = !in_use(m, t);
        seg_update(m, t);
        if (m->t_new[t] > 0 && m->t_free[t] > 0 && m->in->transports[m->t_src[t]].taken == 0)
            keys[n++] = (sort_key){{m->t_new[t], 0, 0, 0}, t};
    }
    qsort(keys, (size_t)n, sizeof *keys, sort_key_cmp);
    for (int32_t i = 0; i < n && m->budget > 0; i++)
        empty_transport(m, keys[i].ui, moved);
    for (int32_t t = 0; t < m->nt; t++) {
        m->t_masked[t] = 0;
        seg_update(m, t);
    }
    free(keys), free(moved);
    return 0;
}

/* ---- all passes ---- */

static int out_of_memory(hw_error *err)
{
    return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory while placing parties)");
}

/* Everything after the rounding, on the units in fill order. */
static int improve(alloc_model *m, const int32_t *order, int32_t n, hw_error *err)
{
    int64_t people = m->in->npeople;
    fill(m, order, n);
    int rc = alloc_tick(m, "place", 60, err);
    if (rc != 0)
        return rc;
    m->budget = 4000000 + 50 * people; /* each pass its own budget: about 2 s per million people in all */
    if (repair(m, order, n) != 0)
        return out_of_memory(err);
    m->budget = 1000000 + 10 * people;
    if (refill(m) != 0)
        return out_of_memory(err);
    fill(m, order, n);
    rc = alloc_tick(m, "improve", 75, err);
    if (rc != 0)
        return rc;
    m->budget = 2000000 + 10 * people;
    more_specific(m);
    m->budget = 2000000 + 10 * people;
    if (fewer_transports(m) != 0)
        return out_of_memory(err);
    fill(m, order, n); /* last: no unseated unit fits anywhere, which the reasons rely on */
    return 0;
}

int alloc_place_run(alloc_model *m, hw_error *err)
{
    int32_t n = 0, *order = NULL;
    int rc = alloc_tick(m, "place", 40, err);
    if (rc != 0)
        return rc;
    if (seg_build(m) != 0)
        return out_of_memory(err);
    seat_pins(m);
    if (round_flow(m) != 0 || (order = fill_order(m, &n)) == NULL)
        return out_of_memory(err);
    rc = improve(m, order, n, err);
    free(order);
    return rc;
}
