/* alloc_place.c - from the flow to whole parties: rounding, filling, repair and the improvement passes. */
#include "alloc_impl.h"

#include <stdlib.h>
#include <string.h>

/*
 * The passes, in order (each one deterministic, each keeping every constraint):
 *   pins     the rest of a partly fixed party joins its fixed members' transport when that fits;
 *   round    each class's flow amount per group becomes whole units (first come, first served, a unit taking
 *            the most specific group whose amount still holds it), then each group's units go largest first
 *            into its transports (first fit: fills transports one after another);
 *   fill     every unit still unseated, priority first, then those the rounding chose, then largest first,
 *            takes the best transport with room (most specific, then one already in use);
 *   repair   an unseated unit that would fit a transport if a smaller unit moved elsewhere gets it that way;
 *            a priority unit may push ordinary units out, an ordinary unit may replace a smaller one
 *            (either way more of objective (1) is met); the pushed-out units try to sit elsewhere;
 *   specific seated units move to a more specific drop-off with room;
 *   fewer    transports with the fewest passengers are emptied into others already in use when every unit
 *            finds room at a drop-off at least as specific;
 *   fill     once more, so that at the end no unseated unit fits any transport (what the reasons rely on).
 * The repair and improvement passes share a work budget so that a run stays bounded on any input.
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
 * The best transport with room for unit ui at cost <= max_cost: least cost, then one already in use, then the
 * first in cover order; -1 when none.
 */
int32_t alloc_find(alloc_model *m, int32_t ui, int32_t max_cost)
{
    const alloc_unit *u = &m->u[ui];
    int32_t best = -1, best_cost = max_cost + 1, best_used = 0;
    for (int32_t e = u->a; e < u->b; e++) {
        int32_t g = m->cv_group[e], cost = 3 - m->cv_level[e];
        m->budget--;
        if (cost > best_cost || (cost == best_cost && best_used))
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
            u->stay = 1;
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
        if (!u->stay)
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

/* Units with a class in fill order: priority first, then chosen by the rounding, then largest, then earliest. */
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
            keys[n++] = (sort_key){{u->prio == 0, !u->picked, -u->size, 0}, ui};
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

/* Free seats over the groups unit ui may use. */
static int64_t reachable_free(alloc_model *m, int32_t ui)
{
    const alloc_unit *u = &m->u[ui];
    int64_t sum = 0;
    for (int32_t e = u->a; e < u->b; e++)
        sum += m->g_free[m->cv_group[e]];
    m->budget -= u->b - u->a;
    return sum;
}

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

/* Make room for unit ui on t by moving one movable unit of t elsewhere; whether ui is now seated on t. */
static int move_one_out(alloc_model *m, int32_t ui, int32_t t)
{
    int32_t need = m->u[ui].size - m->t_free[t];
    for (int32_t q = m->t_head[t]; q >= 0; q = m->u[q].next) {
        m->budget -= 4;
        if (m->u[q].stay || m->u[q].size < need)
            continue;
        int32_t t2 = elsewhere(m, q, t);
        if (t2 >= 0) {
            move_unit(m, q, t2);
            alloc_seat_unit(m, ui, t);
            return 1;
        }
    }
    return 0;
}

/* Calls fn(m, ui, t) on each transport ui may use that has some but too few free seats; stops at success. */
static int each_near_fit(alloc_model *m, int32_t ui, int (*fn)(alloc_model *, int32_t, int32_t))
{
    const alloc_unit *u = &m->u[ui];
    for (int32_t e = u->a; e < u->b && m->budget > 0; e++) {
        int32_t g = m->cv_group[e];
        for (int32_t t = m->g_first[g]; t < m->g_first[g] + m->g_count[g]; t++) {
            m->budget--;
            if (m->t_masked[t] || m->t_free[t] >= u->size)
                continue;
            if (fn(m, ui, t))
                return 1;
        }
    }
    return 0;
}

/*
 * Ordinary units of t to push out so that ui fits: the smallest single one large enough, else the largest
 * ones until enough. Returns the people pushed out (INT32_MAX when not possible); their ids go to out[].
 */
static int32_t push_out_set(alloc_model *m, int32_t ui, int32_t t, int32_t *out, int32_t *nout, int32_t limit)
{
    const alloc_unit *u = &m->u[ui];
    int32_t need = u->size - m->t_free[t], single = -1, n = 0, got = 0;
    for (int32_t q = m->t_head[t]; q >= 0; q = m->u[q].next) {
        const alloc_unit *v = &m->u[q];
        m->budget--;
        if (v->stay || v->prio > 0)
            continue;
        if (v->size >= need && (single < 0 || v->size < m->u[single].size))
            single = q;
    }
    if (single >= 0) {
        out[0] = single, *nout = 1;
        return m->u[single].size;
    }
    while (got < need && n < limit) {
        int32_t big = -1;
        for (int32_t q = m->t_head[t]; q >= 0; q = m->u[q].next) {
            const alloc_unit *v = &m->u[q];
            int taken = 0;
            for (int32_t k = 0; k < n; k++)
                taken |= out[k] == q;
            if (!v->stay && v->prio == 0 && !taken && (big < 0 || v->size > m->u[big].size))
                big = q;
        }
        m->budget -= 8;
        if (big < 0)
            return INT32_MAX;
        out[n++] = big, got += m->u[big].size;
    }
    *nout = n;
    return got >= need ? got : INT32_MAX;
}

/* Seat ui on t after pushing out[0..n) off it, then give those units a chance elsewhere. */
static void push_out_and_seat(alloc_model *m, int32_t ui, int32_t t, const int32_t *out, int32_t n)
{
    for (int32_t k = 0; k < n; k++)
        alloc_unseat_unit(m, out[k]);
    alloc_seat_unit(m, ui, t);
    for (int32_t k = 0; k < n; k++) {
        int32_t t2 = alloc_find(m, out[k], 2);
        if (t2 >= 0)
            alloc_seat_unit(m, out[k], t2);
    }
}

#define PUSH_MAX 64

/* A priority unit takes the transport where the fewest ordinary people must make way for it. */
static int push_for_priority(alloc_model *m, int32_t ui)
{
    const alloc_unit *u = &m->u[ui];
    int32_t best_t = -1, best_cost = INT32_MAX, best_n = 0, out[PUSH_MAX], best_out[PUSH_MAX];
    for (int32_t e = u->a; e < u->b && m->budget > 0; e++) {
        int32_t g = m->cv_group[e];
        for (int32_t t = m->g_first[g]; t < m->g_first[g] + m->g_count[g]; t++) {
            int32_t n = 0, cost;
            if (m->t_masked[t] || m->t_new[t] + m->t_free[t] < u->size)
                continue;
            cost = push_out_set(m, ui, t, out, &n, PUSH_MAX);
            if (cost < best_cost) {
                best_t = t, best_cost = cost, best_n = n;
                memcpy(best_out, out, (size_t)n * sizeof *out);
            }
        }
    }
    if (best_t < 0)
        return 0;
    push_out_and_seat(m, ui, best_t, best_out, best_n);
    return 1;
}

/* An ordinary unit replaces a smaller ordinary unit that is enough to make room: more people seated. */
static int replace_smaller(alloc_model *m, int32_t ui, int32_t t)
{
    int32_t out[1], n = 0;
    if (m->t_new[t] + m->t_free[t] < m->u[ui].size)
        return 0;
    int32_t cost = push_out_set(m, ui, t, out, &n, 1);
    if (cost >= m->u[ui].size || n != 1)
        return 0;
    push_out_and_seat(m, ui, t, out, 1);
    return 1;
}

static void repair(alloc_model *m, const int32_t *order, int32_t n)
{
    for (int32_t i = 0; i < n && m->budget > 0; i++) {
        int32_t ui = order[i];
        alloc_unit *u = &m->u[ui];
        if (u->at >= 0)
            continue;
        if (reachable_free(m, ui) >= u->size && each_near_fit(m, ui, move_one_out))
            continue;
        if (u->prio > 0)
            push_for_priority(m, ui);
        else
            each_near_fit(m, ui, replace_smaller);
    }
}

/* ---- improvement: more specific drop-offs, then fewer transports ---- */

static void more_specific(alloc_model *m)
{
    for (int32_t ui = 0; ui < m->nu && m->budget > 0; ui++) {
        const alloc_unit *u = &m->u[ui];
        if (u->at < 0 || u->stay)
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
        int32_t t2 = m->u[q].stay ? -1 : alloc_find(m, q, unit_cost(m, q, t));
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

int alloc_place_run(alloc_model *m, hw_error *err)
{
    int32_t n = 0;
    int32_t *order = NULL;
    int rc = seg_build(m);
    m->budget = 20000000 + 60 * (int64_t)m->in->npeople;
    if (rc == 0) {
        seat_pins(m);
        rc = round_flow(m);
    }
    if (rc == 0 && (order = fill_order(m, &n)) == NULL)
        rc = HW_ENOMEM;
    if (rc != 0)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory while placing parties)");
    fill(m, order, n);
    rc = alloc_tick(m, "place", 60, err);
    if (rc == 0) {
        repair(m, order, n);
        fill(m, order, n);
        rc = alloc_tick(m, "improve", 75, err);
    }
    if (rc == 0) {
        more_specific(m);
        rc = fewer_transports(m);
        if (rc != 0)
            rc = error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory while placing parties)");
    }
    if (rc == 0)
        fill(m, order, n);
    free(order);
    return rc;
}
