/* alloc_report.c - the result of a run: seats per person, reasons per unseated party, charters still needed. */
#include "alloc_impl.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a yyyymmdd date (proleptic Gregorian), for distances between dates. */
static int64_t day_number(int32_t ymd)
{
    int64_t y = ymd / 10000, mo = ymd / 100 % 100, d = ymd % 100;
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* ---- reasons ---- */

/* Transports in class c's range and the largest free block among them (once per class). */
static void class_room(alloc_model *m, alloc_class *c)
{
    c->fitting = 0, c->largest = 0;
    for (int32_t e = c->a; e < c->b; e++) {
        int32_t g = m->cv_group[e];
        c->fitting += m->g_count[g];
        for (int32_t t = m->g_first[g]; t < m->g_first[g] + m->g_count[g]; t++)
            if (m->t_free[t] > c->largest)
                c->largest = m->t_free[t];
    }
}

/* The covering departure nearest to unit ui's window, for NO_DATE. */
static int32_t nearest_date(const alloc_model *m, const alloc_unit *u)
{
    int32_t start = m->cv_first[u->set], end = m->cv_first[u->set + 1], best = 0;
    int64_t gap = INT64_MAX;
    for (int32_t e = u->a - 1; e <= u->a; e++) {
        if (e < start || e >= end)
            continue;
        int32_t d = m->g_date[m->cv_group[e]];
        int64_t x = d < u->lo ? day_number(u->lo) - day_number(d) : day_number(d) - day_number(u->hi);
        if (x < gap)
            gap = x, best = d;
    }
    return best;
}

static void explain_unit(alloc_model *m, int32_t ui, alloc_unseated *out)
{
    const alloc_unit *u = &m->u[ui];
    memset(out, 0, sizeof *out);
    out->party = u->party, out->people = u->size, out->priority = u->prio;
    if (u->lo > u->hi) {
        out->reason = ALLOC_BAD_WINDOW;
    } else if (u->set < 0 || m->cv_first[u->set] == m->cv_first[u->set + 1]) {
        out->reason = ALLOC_NO_COVER;
    } else if (u->a >= u->b) {
        out->reason = ALLOC_NO_DATE;
        out->nearest_date = nearest_date(m, u);
    } else {
        alloc_class *c = &m->c[u->cls];
        if (c->fitting < 0)
            class_room(m, c);
        out->fitting = c->fitting, out->largest_free = c->largest;
        out->reason = c->largest == 0 ? ALLOC_FULL : ALLOC_TOO_BIG;
    }
}

/* Unseated units, priority ones first, each group in unit (first come) order. */
static int list_unseated(alloc_model *m, alloc_result *out)
{
    int32_t n = 0;
    for (int32_t c = 0; c < m->nc; c++)
        m->c[c].fitting = -1;
    for (int32_t ui = 0; ui < m->nu; ui++)
        n += m->u[ui].at < 0;
    out->unseated = calloc((size_t)n + 1, sizeof *out->unseated);
    if (out->unseated == NULL)
        return HW_ENOMEM;
    for (int pass = 0; pass < 2; pass++)
        for (int32_t ui = 0; ui < m->nu; ui++) {
            const alloc_unit *u = &m->u[ui];
            if (u->at < 0 && (u->prio > 0) == (pass == 0))
                explain_unit(m, ui, &out->unseated[out->nunseated++]);
        }
    return 0;
}

/* ---- seats and figures ---- */

static void seat_person(const alloc_model *m, int32_t i, alloc_result *out)
{
    const alloc_input *in = m->in;
    const alloc_person *p = &in->people[i];
    alloc_seat *s = &out->seats[i];
    s->transport = -1;
    s->moved = p->fixed >= 0 && !in->transports[p->fixed].usable && !in->transports[p->fixed].departed;
    int32_t ui = m->p_unit[i];
    if (ui < 0) {
        s->transport = p->fixed;
        s->fixed = true;
    } else if (m->u[ui].at >= 0) {
        s->transport = m->t_src[m->u[ui].at];
    }
    if (s->transport >= 0)
        alloc_dropoff(&in->transports[s->transport], p->dest, s->dropoff);
}

static void count_person(const alloc_model *m, int32_t i, const alloc_seat *s, alloc_stats *st)
{
    const alloc_person *p = &m->in->people[i];
    st->people++;
    st->priority_people += p->priority != 0;
    st->moved += s->moved;
    if (s->transport < 0)
        return;
    st->seated++;
    st->priority_seated += p->priority != 0;
    if (s->fixed) {
        st->fixed++;
        st->priority_bound += p->priority != 0; /* the flow bounds cover the free seats only */
        st->priority_bound_whole += p->priority != 0;
        return;
    }
    st->dropoff_level[alloc_level_of(s->dropoff)]++;
    st->best_level[m->c[m->u[m->p_unit[i]].cls].best]++;
}

static void party_figures(const alloc_model *m, alloc_result *out)
{
    const alloc_input *in = m->in;
    for (int32_t pi = 0; pi < in->nparties; pi++) {
        const alloc_party *p = &in->parties[pi];
        int32_t all = 1, t_new = -1, t_fixed = -1;
        for (int32_t i = p->first; i < p->first + p->count; i++) {
            const alloc_seat *s = &out->seats[i];
            all &= s->transport >= 0;
            if (s->transport >= 0 && s->fixed)
                t_fixed = s->transport;
            else if (s->transport >= 0)
                t_new = s->transport;
        }
        out->party_transport[pi] = t_new >= 0 ? t_new : t_fixed;
        out->stats.parties_seated += all;
    }
    out->stats.parties = in->nparties;
}

static void transport_loads(const alloc_model *m, alloc_result *out)
{
    const alloc_input *in = m->in;
    for (int32_t i = 0; i < in->ntransports; i++) {
        int32_t t = m->t_canon[i];
        out->load[i] = t < 0 ? in->transports[i].taken : in->transports[i].capacity - m->t_free[t];
        if (t >= 0 && out->load[i] < in->transports[i].taken + m->t_new[t])
            out->load[i] = in->transports[i].taken + m->t_new[t]; /* over-issued before the run */
        out->stats.transports_used += t >= 0 && out->load[i] > 0;
    }
}

static int seats_and_figures(alloc_model *m, alloc_result *out)
{
    const alloc_input *in = m->in;
    out->seats = calloc((size_t)in->npeople + 1, sizeof *out->seats);
    out->party_transport = calloc((size_t)in->nparties + 1, sizeof *out->party_transport);
    out->load = calloc((size_t)in->ntransports + 1, sizeof *out->load);
    if (out->seats == NULL || out->party_transport == NULL || out->load == NULL)
        return HW_ENOMEM;
    for (int32_t i = 0; i < in->npeople; i++) {
        seat_person(m, i, out);
        count_person(m, i, &out->seats[i], &out->stats);
    }
    party_figures(m, out);
    transport_loads(m, out);
    out->stats.bound = out->stats.fixed + m->bound_free;
    out->stats.priority_bound += m->prio_bound_free;
    out->stats.priority_bound_whole += m->prio_whole_free;
    out->stats.parties_unseated = out->nunseated;
    return 0;
}

/* ---- suggestions ---- */

typedef struct want {
    int32_t code, lo, hi, people;
} want;

static int want_cmp(const void *pa, const void *pb)
{
    const want *x = pa, *y = pb;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    return (x->people > y->people) - (x->people < y->people);
}

/* Drop-off of a unit's charter: its destination, or the most specific division all its destinations share. */
static int32_t want_code(const alloc_model *m, int32_t set)
{
    int32_t first = (int32_t)strtol(m->d_code[m->s_dests[m->s_first[set]]], NULL, 10), pref = 1, prov = 1;
    for (int32_t k = 1; k < m->s_count[set]; k++) {
        int32_t c = (int32_t)strtol(m->d_code[m->s_dests[m->s_first[set] + k]], NULL, 10);
        pref &= c / 100 == first / 100;
        prov &= c / 10000 == first / 10000;
    }
    if (m->s_count[set] == 1)
        return first;
    return pref ? first / 100 * 100 : prov ? first / 10000 * 10000 : first;
}

static void vehicles_for(const alloc_input *in, int32_t code, int32_t n, alloc_suggestion *s)
{
    int prov = code / 10000;
    if (n >= 600)
        s->kind = ALLOC_TRAIN, s->vehicles = (n + 1199) / 1200;
    else if (prov < 100 && in->far_province[prov] && n >= 130)
        s->kind = ALLOC_FLIGHT, s->vehicles = (n + 149) / 150;
    else if (in->home_province != 0 && prov != in->home_province && n >= 118)
        s->kind = ALLOC_CARRIAGE, s->vehicles = (n + 117) / 118;
    else
        s->kind = ALLOC_BUS, s->vehicles = (n + 49) / 50;
}

typedef struct window_end {
    int32_t hi, people;
} window_end;

static int end_cmp(const void *pa, const void *pb)
{
    const window_end *x = pa, *y = pb;
    return (x->hi > y->hi) - (x->hi < y->hi);
}

/* The day inside the most people's windows among w[0..n) still unserved (people > 0); earliest on ties. */
static int32_t busiest_day(const want *w, int32_t n, window_end *ends)
{
    int32_t k = 0, best = 0, j = 0;
    int64_t cur = 0, top = -1;
    for (int32_t i = 0; i < n; i++)
        if (w[i].people > 0)
            ends[k++] = (window_end){w[i].hi, w[i].people};
    qsort(ends, (size_t)k, sizeof *ends, end_cmp);
    for (int32_t i = 0; i < n; i++) { /* w is sorted by lo */
        if (w[i].people <= 0)
            continue;
        while (j < k && ends[j].hi < w[i].lo)
            cur -= ends[j++].people;
        cur += w[i].people;
        if (cur > top)
            top = cur, best = w[i].lo;
    }
    return best;
}

/* Suggestions for one drop-off: repeatedly the busiest day and everyone whose window holds it. */
static int suggest_code(const alloc_input *in, want *w, int32_t n, window_end *ends, alloc_result *out)
{
    for (;;) {
        int32_t day = busiest_day(w, n, ends), people = 0, parties = 0;
        for (int32_t i = 0; i < n; i++)
            if (w[i].people > 0 && w[i].lo <= day && day <= w[i].hi) {
                people += w[i].people, parties++;
                w[i].people = -w[i].people;
            }
        if (parties == 0)
            return 0;
        alloc_suggestion *s = &out->suggestions[out->nsuggestions++];
        memset(s, 0, sizeof *s);
        snprintf(s->dropoff, sizeof s->dropoff, "%06d", (int)w[0].code);
        s->date = day > 0 ? day : 0;
        s->people = people, s->parties = parties;
        vehicles_for(in, w[0].code, people, s);
    }
}

static int suggestion_cmp(const void *pa, const void *pb)
{
    const alloc_suggestion *x = pa, *y = pb;
    if (x->people != y->people)
        return x->people > y->people ? -1 : 1;
    int c = strcmp(x->dropoff, y->dropoff);
    if (c != 0)
        return c;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

static int suggest(alloc_model *m, alloc_result *out)
{
    int32_t n = 0;
    want *w = malloc(((size_t)out->nunseated + 1) * sizeof *w);
    window_end *ends = malloc(((size_t)out->nunseated + 1) * sizeof *ends);
    out->suggestions = calloc((size_t)out->nunseated + 1, sizeof *out->suggestions);
    if (w == NULL || ends == NULL || out->suggestions == NULL) {
        free(w), free(ends);
        return HW_ENOMEM;
    }
    for (int32_t ui = 0; ui < m->nu; ui++) {
        const alloc_unit *u = &m->u[ui];
        if (u->at >= 0 || u->set < 0 || u->lo > u->hi)
            continue;
        w[n++] = (want){want_code(m, u->set), u->lo, u->hi, u->size};
    }
    qsort(w, (size_t)n, sizeof *w, want_cmp);
    for (int32_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && w[j].code == w[i].code; j++)
            ;
        suggest_code(m->in, w + i, j - i, ends, out);
    }
    qsort(out->suggestions, (size_t)out->nsuggestions, sizeof *out->suggestions, suggestion_cmp);
    free(w), free(ends);
    return 0;
}

int alloc_report(alloc_model *m, alloc_result *out, hw_error *err)
{
    int rc = list_unseated(m, out);
    if (rc == 0)
        rc = seats_and_figures(m, out);
    if (rc == 0)
        rc = suggest(m, out);
    if (rc != 0)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory writing the allocation result)");
    return 0;
}
