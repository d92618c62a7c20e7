/* alloc_gen.c - seeded allocation instances (skewed destinations, windows, parties of 1-20, all kinds) and a checker.
 */
/*
 * usage: alloc_gen PEOPLE [--seed S] [--supply R] [--fixed F] [--check] [--verbose]
 *
 * Builds one instance with about PEOPLE people and transports for about R x PEOPLE seats (default 0.95),
 * runs alloc_run() on it and prints one line of key=value figures: people, parties, transports, seated, bound,
 * priority seated and bound, unseated parties, suggestions, the seconds of alloc_run() alone and the peak RSS
 * of the process (instance included). --check re-checks every constraint of the result (slow at 1M).
 * Built by scripts/bench/allocate; tests/unit/test_alloc.c includes this file with ALLOC_GEN_NO_MAIN defined
 * to reuse the generator and the checker.
 *
 * The instance (all of it depends only on PEOPLE, S, R and F):
 *   geography  10 provinces (Chongqing, Sichuan, Guizhou, Yunnan, Hunan, Hubei, Jiangxi, Henan, Guangxi,
 *              Shaanxi) with 6-15 prefectures of 3-10 counties each; destinations are drawn with Zipf weights
 *              (a few counties send most people, as in real campaigns) among about one county per 100 people;
 *   parties    half are single people, the rest 2-20 with a long tail; 3% of the larger ones have a member
 *              bound for a sibling county, 8% of members in larger parties have their own (shifted) window;
 *   windows    a quarter have none (the whole campaign 2026-12-22..2027-02-16), the others start around late
 *              January (the Spring Festival is 2027-02-06) and last 0-10 days, some open-ended;
 *   priority   8% of people;
 *   transports drawn from the demand: each one takes a random person as its anchor, a kind (70% buses of 45/49/55,
 *              14% carriages of 118, 4% 专列 of 1,200-1,800 with 2-4 prefecture stops, 2% boats on Chongqing
 *              counties, 10% flights to a prefecture or province), stops around the anchor's destination at
 *              county, prefecture or province level and a date in the anchor's window (5% any date);
 *              2% are cancelled; with --fixed F, that share of anchors already holds issued tickets on theirs.
 */
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "divisions.h"

typedef struct gen_rng {
    uint64_t s;
} gen_rng;

static uint64_t gen_next(gen_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717u;
}

static int32_t gen_below(gen_rng *r, int32_t n)
{
    return n <= 1 ? 0 : (int32_t)(gen_next(r) % (uint64_t)n);
}

static double gen_unit(gen_rng *r)
{
    return (double)(gen_next(r) >> 11) / 9007199254740992.0;
}

/* ---- geography and calendar ---- */

#define GEN_PROVINCES 10
#define GEN_DAYS 57

static const int gen_province[GEN_PROVINCES] = {50, 51, 52, 53, 43, 42, 36, 41, 45, 61};

typedef struct gen_geo {
    int32_t n;     /* counties */
    int32_t *code; /* PPFFCC */
    double *cum;   /* cumulative Zipf weights */
    int32_t date[GEN_DAYS];
} gen_geo;

static void gen_dates(int32_t *date)
{
    static const int mdays[] = {31, 31, 28}; /* December, January, February */
    int y = 2026, mo = 12, d = 22, mi = 0;
    for (int i = 0; i < GEN_DAYS; i++) {
        date[i] = y * 10000 + mo * 100 + d;
        if (++d > mdays[mi]) {
            d = 1, mi++;
            if (++mo > 12)
                mo = 1, y++;
        }
    }
}

/* Counties people come from: about one per 100 people (at least 40), the most popular ones in Zipf order. */
static int gen_geo_init(gen_geo *g, gen_rng *r, int32_t people)
{
    memset(g, 0, sizeof *g);
    g->code = malloc(GEN_PROVINCES * 15 * 10 * sizeof *g->code);
    g->cum = malloc(GEN_PROVINCES * 15 * 10 * sizeof *g->cum);
    if (g->code == NULL || g->cum == NULL)
        return -1;
    for (int p = 0; p < GEN_PROVINCES; p++) {
        int npref = 6 + gen_below(r, 10);
        for (int f = 1; f <= npref; f++) {
            int ncounty = 3 + gen_below(r, 8);
            for (int c = 1; c <= ncounty; c++)
                g->code[g->n++] = gen_province[p] * 10000 + f * 100 + c;
        }
    }
    int32_t *rank = malloc((size_t)g->n * sizeof *rank);
    if (rank == NULL)
        return -1;
    for (int32_t i = 0; i < g->n; i++)
        rank[i] = i;
    for (int32_t i = g->n - 1; i > 0; i--) {
        int32_t j = gen_below(r, i + 1), t = rank[i];
        rank[i] = rank[j], rank[j] = t;
    }
    double sum = 0;
    for (int32_t i = 0; i < g->n; i++) {
        double w = rank[i] < people / 100 || rank[i] < 40 ? pow((double)rank[i] + 1.0, -0.9) : 0.0;
        sum += w;
        g->cum[i] = sum;
    }
    free(rank);
    gen_dates(g->date);
    return 0;
}

static void gen_geo_free(gen_geo *g)
{
    free(g->code), free(g->cum);
}

static int32_t gen_county(const gen_geo *g, gen_rng *r)
{
    double x = gen_unit(r) * g->cum[g->n - 1];
    int32_t lo = 0, hi = g->n - 1;
    while (lo < hi) {
        int32_t mid = (lo + hi) / 2;
        if (g->cum[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Another county of the same prefecture (or the same one when it is alone). */
static int32_t gen_sibling(const gen_geo *g, gen_rng *r, int32_t ci)
{
    int32_t lo = ci, hi = ci;
    while (lo > 0 && g->code[lo - 1] / 100 == g->code[ci] / 100)
        lo--;
    while (hi + 1 < g->n && g->code[hi + 1] / 100 == g->code[ci] / 100)
        hi++;
    return lo + gen_below(r, hi - lo + 1);
}

/* ---- people and parties ---- */

typedef struct gen_instance {
    alloc_person *people;
    alloc_party *parties;
    alloc_transport *transports;
    int32_t npeople, nparties, ntransports;
    alloc_input in;
} gen_instance;

static int32_t gen_party_size(gen_rng *r)
{
    double u = gen_unit(r);
    if (u < 0.5)
        return 1;
    if (u < 0.68)
        return 2;
    if (u < 0.79)
        return 3;
    if (u < 0.86)
        return 4;
    if (u < 0.91)
        return 5 + gen_below(r, 3);
    if (u < 0.96)
        return 8 + gen_below(r, 5);
    return 13 + gen_below(r, 8);
}

static int32_t gen_peak_day(gen_rng *r)
{
    int32_t d = 14 + gen_below(r, 11) + gen_below(r, 11) + gen_below(r, 11); /* 14..44, peak near 29 */
    return d < GEN_DAYS ? d : GEN_DAYS - 1;
}

static void gen_window(const gen_geo *g, gen_rng *r, int32_t *lo, int32_t *hi)
{
    if (gen_unit(r) < 0.25) {
        *lo = *hi = 0;
        return;
    }
    int32_t a = gen_peak_day(r), w;
    double u = gen_unit(r);
    w = u < 0.15 ? 0 : u < 0.5 ? 1 + gen_below(r, 3) : 4 + gen_below(r, 7);
    *lo = g->date[a];
    *hi = gen_unit(r) < 0.1 ? 0 : g->date[a + w < GEN_DAYS ? a + w : GEN_DAYS - 1];
}

static void gen_person(const gen_geo *g, gen_rng *r, alloc_person *p, int64_t id, int32_t county, int32_t lo,
                       int32_t hi)
{
    memset(p, 0, sizeof *p);
    p->registration_id = id;
    snprintf(p->dest, sizeof p->dest, "%06d", (int)g->code[county]);
    p->earliest = lo, p->latest = hi;
    p->priority = gen_unit(r) < 0.08;
    p->fixed = -1;
}

/* A member's own window: shifted by up to 3 days at either end, still a window of the campaign. */
static void gen_shift(const gen_geo *g, gen_rng *r, alloc_person *p)
{
    int32_t a = 0, b = GEN_DAYS - 1;
    for (int32_t i = 0; i < GEN_DAYS; i++) {
        if (g->date[i] == p->earliest)
            a = i;
        if (g->date[i] == p->latest)
            b = i;
    }
    a += gen_below(r, 7) - 3, b += gen_below(r, 7) - 3;
    a = a < 0 ? 0 : a > GEN_DAYS - 1 ? GEN_DAYS - 1 : a;
    b = b < a ? a : b > GEN_DAYS - 1 ? GEN_DAYS - 1 : b;
    p->earliest = g->date[a], p->latest = g->date[b];
}

static int gen_people(gen_instance *x, const gen_geo *g, gen_rng *r, int32_t n)
{
    x->people = calloc((size_t)n + 20, sizeof *x->people);
    x->parties = calloc((size_t)n + 1, sizeof *x->parties);
    if (x->people == NULL || x->parties == NULL)
        return -1;
    while (x->npeople < n) {
        int32_t size = gen_party_size(r), county = gen_county(g, r), lo, hi;
        if (size > n - x->npeople)
            size = n - x->npeople;
        gen_window(g, r, &lo, &hi);
        alloc_party *pa = &x->parties[x->nparties++];
        pa->first = x->npeople, pa->count = size;
        int odd_dest = size > 1 && gen_unit(r) < 0.03;
        for (int32_t k = 0; k < size; k++) {
            alloc_person *p = &x->people[x->npeople];
            int32_t c = odd_dest && k == size - 1 ? gen_sibling(g, r, county) : county;
            gen_person(g, r, p, (int64_t)x->npeople + 1, c, lo, hi);
            if (size > 1 && lo != 0 && hi != 0 && gen_unit(r) < 0.08)
                gen_shift(g, r, p);
            x->npeople++;
        }
    }
    return 0;
}

/* ---- transports ---- */

static void gen_stop(alloc_transport *t, int32_t code)
{
    for (int i = 0; i < t->nstops; i++)
        if (strtol(t->stops[i], NULL, 10) == code)
            return;
    if (t->nstops < ALLOC_MAX_STOPS)
        snprintf(t->stops[t->nstops++], 7, "%06d", (int)code);
}

/* A prefecture code of the same province as county index ci, chosen at random among those that exist. */
static int32_t gen_other_prefecture(const gen_geo *g, gen_rng *r, int32_t ci)
{
    int32_t prov = g->code[ci] / 10000, lo = ci, hi = ci;
    while (lo > 0 && g->code[lo - 1] / 10000 == prov)
        lo--;
    while (hi + 1 < g->n && g->code[hi + 1] / 10000 == prov)
        hi++;
    return g->code[lo + gen_below(r, hi - lo + 1)] / 100 * 100;
}

static void gen_stops(const gen_geo *g, gen_rng *r, alloc_transport *t, int32_t ci)
{
    int32_t code = g->code[ci], pref = code / 100 * 100, prov = code / 10000 * 10000;
    double u = gen_unit(r);
    switch (t->kind) {
    case ALLOC_BUS:
        gen_stop(t, u < 0.9 ? code : pref);
        if (u >= 0.7 && u < 0.9)
            gen_stop(t, g->code[gen_sibling(g, r, ci)]);
        break;
    case ALLOC_CARRIAGE:
        gen_stop(t, u < 0.9 ? pref : code);
        if (u >= 0.6 && u < 0.9)
            gen_stop(t, gen_other_prefecture(g, r, ci));
        break;
    case ALLOC_TRAIN:
        gen_stop(t, pref);
        for (int k = 1 + gen_below(r, 3); k > 0; k--)
            gen_stop(t, gen_other_prefecture(g, r, ci));
        if (u < 0.15)
            gen_stop(t, prov);
        break;
    case ALLOC_BOAT:
        gen_stop(t, code);
        for (int k = 1 + gen_below(r, 2); k > 0; k--)
            gen_stop(t, g->code[gen_sibling(g, r, ci)]);
        break;
    default:
        gen_stop(t, u < 0.7 ? pref : prov);
        break;
    }
}

static int gen_kind(gen_rng *r, int32_t code)
{
    double u = gen_unit(r);
    if (u < 0.70)
        return ALLOC_BUS;
    if (u < 0.84)
        return ALLOC_CARRIAGE;
    if (u < 0.88)
        return ALLOC_TRAIN;
    if (u < 0.90)
        return code / 10000 == 50 ? ALLOC_BOAT : ALLOC_BUS;
    return ALLOC_FLIGHT;
}

static int32_t gen_capacity(gen_rng *r, int kind)
{
    static const int32_t bus[] = {45, 49, 55};
    switch (kind) {
    case ALLOC_BUS:
        return bus[gen_below(r, 3)];
    case ALLOC_CARRIAGE:
        return 118;
    case ALLOC_TRAIN:
        return 1200 + 100 * gen_below(r, 7);
    case ALLOC_BOAT:
        return 200 + 50 * gen_below(r, 5);
    default:
        return 150 + 10 * gen_below(r, 5);
    }
}

/* Whether transport t covers person p and departs in p's window (campaign bounds for 0). */
static bool gen_fits_person(const alloc_transport *t, const alloc_person *p)
{
    int32_t lo = p->earliest ? p->earliest : 20261222, hi = p->latest ? p->latest : 20270216;
    if (t->depart_date < lo || t->depart_date > hi)
        return false;
    for (int i = 0; i < t->nstops; i++)
        if (divisions_covers(t->stops[i], p->dest))
            return true;
    return false;
}

/* The anchor party already holds tickets on t: all of it, or (one time in five) its first half. */
static void gen_fix(gen_instance *x, gen_rng *r, int32_t pi, int32_t ti)
{
    alloc_party *pa = &x->parties[pi];
    alloc_transport *t = &x->transports[ti];
    int32_t n = gen_unit(r) < 0.2 ? (pa->count + 1) / 2 : pa->count;
    for (int32_t i = pa->first; i < pa->first + pa->count; i++)
        if (x->people[i].fixed >= 0)
            return;
    for (int32_t i = pa->first; i < pa->first + n && t->taken < t->capacity; i++)
        if (gen_fits_person(t, &x->people[i])) {
            x->people[i].fixed = ti;
            t->taken++;
        }
}

static int32_t gen_party_of(const gen_instance *x, int32_t person)
{
    int32_t lo = 0, hi = x->nparties - 1;
    while (lo < hi) {
        int32_t mid = (lo + hi + 1) / 2;
        if (x->parties[mid].first <= person)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int gen_transports(gen_instance *x, const gen_geo *g, gen_rng *r, double supply, double fixed)
{
    int64_t want = (int64_t)(supply * x->npeople), have = 0;
    int32_t cap = 1024;
    x->transports = calloc((size_t)cap, sizeof *x->transports);
    if (x->transports == NULL)
        return -1;
    while (have < want && x->npeople > 0) {
        if (x->ntransports == cap) {
            alloc_transport *nt = realloc(x->transports, (size_t)cap * 2 * sizeof *nt);
            if (nt == NULL)
                return -1;
            x->transports = nt, cap *= 2;
        }
        int32_t anchor = gen_below(r, x->npeople), pi = gen_party_of(x, anchor);
        const alloc_person *p = &x->people[anchor];
        int32_t ci = 0, code = (int32_t)strtol(p->dest, NULL, 10);
        while (g->code[ci] != code)
            ci++;
        alloc_transport *t = &x->transports[x->ntransports];
        memset(t, 0, sizeof *t);
        snprintf(t->ref, sizeof t->ref, "T%07d", (int)x->ntransports + 1);
        t->kind = gen_kind(r, code);
        t->capacity = gen_capacity(r, t->kind);
        t->usable = gen_unit(r) >= 0.02;
        gen_stops(g, r, t, ci);
        int32_t a = 0, b = GEN_DAYS - 1;
        for (int32_t i = 0; i < GEN_DAYS; i++) {
            if (g->date[i] == p->earliest)
                a = i;
            if (g->date[i] == p->latest)
                b = i;
        }
        if (p->earliest == 0)
            a = b = gen_peak_day(r);
        t->depart_date = gen_unit(r) < 0.05 ? g->date[gen_below(r, GEN_DAYS)] : g->date[a + gen_below(r, b - a + 1)];
        if (gen_unit(r) < fixed)
            gen_fix(x, r, pi, x->ntransports);
        have += t->usable ? t->capacity : 0;
        x->ntransports++;
    }
    return 0;
}

/* A whole instance; free it with gen_free(). Returns 0, or -1 out of memory. */
static int gen_make(gen_instance *x, int32_t people, uint64_t seed, double supply, double fixed)
{
    gen_rng r = {seed * 0x9E3779B97F4A7C15u + 0x2545F4914F6CDD1Du};
    gen_geo g;
    memset(x, 0, sizeof *x);
    for (int i = 0; i < 4; i++)
        gen_next(&r);
    int rc = gen_geo_init(&g, &r, people);
    if (rc == 0)
        rc = gen_people(x, &g, &r, people);
    if (rc == 0)
        rc = gen_transports(x, &g, &r, supply, fixed);
    gen_geo_free(&g);
    x->in = (alloc_input){.people = x->people,
                          .npeople = x->npeople,
                          .parties = x->parties,
                          .nparties = x->nparties,
                          .transports = x->transports,
                          .ntransports = x->ntransports,
                          .campaign_from = 20261222,
                          .campaign_to = 20270216,
                          .home_province = 44};
    x->in.far_province[53] = x->in.far_province[61] = 1;
    return rc;
}

static void gen_free(gen_instance *x)
{
    free(x->people), free(x->parties), free(x->transports);
    memset(x, 0, sizeof *x);
}

/* ---- the checker: every constraint of DESIGN §3, from the input and the result alone ---- */

typedef struct gen_report {
    int violations;
    char first[256]; /* the first violation found */
} gen_report;

static void gen_violation(gen_report *rep, const char *what, int64_t index)
{
    if (rep->violations++ == 0)
        snprintf(rep->first, sizeof rep->first, "%s (index %lld)", what, (long long)index);
}

static int32_t gen_lo(const alloc_input *in, const alloc_person *p)
{
    return p->earliest ? p->earliest : in->campaign_from;
}

static int32_t gen_hi(const alloc_input *in, const alloc_person *p)
{
    return p->latest ? p->latest : in->campaign_to ? in->campaign_to : INT32_MAX;
}

/* The level of the most specific stop of t covering dest, its code into out; 0 when none covers. */
static int gen_best_stop(const alloc_transport *t, const char *dest, char out[7])
{
    int best = 0;
    out[0] = '\0';
    for (int i = 0; i < t->nstops; i++)
        if (divisions_covers(t->stops[i], dest) && divisions_level(t->stops[i]) > best) {
            best = divisions_level(t->stops[i]);
            snprintf(out, 7, "%s", t->stops[i]);
        }
    return best;
}

static void gen_check_person(const alloc_input *in, const alloc_result *res, int32_t i, gen_report *rep)
{
    const alloc_person *p = &in->people[i];
    const alloc_seat *s = &res->seats[i];
    bool kept = p->fixed >= 0 && (in->transports[p->fixed].usable || in->transports[p->fixed].departed);
    char best[7];
    if (s->transport < -1 || s->transport >= in->ntransports) {
        gen_violation(rep, "seat on no transport", i);
        return;
    }
    if (kept != s->fixed || (kept && s->transport != p->fixed)) {
        gen_violation(rep, "issued ticket not kept", i);
        return;
    }
    if (s->moved != (p->fixed >= 0 && !kept)) {
        gen_violation(rep, "moved flag wrong", i);
        return;
    }
    if (s->transport < 0 || s->fixed)
        return;
    const alloc_transport *t = &in->transports[s->transport];
    if (!t->usable)
        gen_violation(rep, "seat on an unusable transport", i);
    if (gen_best_stop(t, p->dest, best) == 0)
        gen_violation(rep, "seat on a transport not covering the destination", i);
    else if (strcmp(best, s->dropoff) != 0)
        gen_violation(rep, "drop-off not the most specific stop", i);
    if (t->depart_date < gen_lo(in, p) || t->depart_date > gen_hi(in, p))
        gen_violation(rep, "seat outside the date window", i);
}

/* Members without a kept ticket: all seated on one transport, or none seated. */
static void gen_check_party(const alloc_input *in, const alloc_result *res, int32_t pi, gen_report *rep)
{
    const alloc_party *pa = &in->parties[pi];
    int32_t t = -2, seated = 0, free_members = 0;
    for (int32_t i = pa->first; i < pa->first + pa->count; i++) {
        const alloc_seat *s = &res->seats[i];
        if (s->fixed)
            continue;
        free_members++;
        if (s->transport >= 0) {
            seated++;
            if (t != -2 && t != s->transport) {
                gen_violation(rep, "party split over transports", pi);
                return;
            }
            t = s->transport;
        }
    }
    if (seated != 0 && seated != free_members)
        gen_violation(rep, "party partly seated", pi);
}

static void gen_check_capacity(const alloc_input *in, const alloc_result *res, gen_report *rep)
{
    int32_t *fresh = calloc((size_t)in->ntransports + 1, sizeof *fresh),
            *kept = calloc((size_t)in->ntransports + 1, sizeof *kept);
    if (fresh == NULL || kept == NULL) {
        free(fresh), free(kept);
        {
            gen_violation(rep, "checker out of memory", 0);
            return;
        }
    }
    for (int32_t i = 0; i < in->npeople; i++) {
        const alloc_seat *s = &res->seats[i];
        if (s->transport >= 0)
            (s->fixed ? kept : fresh)[s->transport]++;
    }
    for (int32_t t = 0; t < in->ntransports; t++) {
        const alloc_transport *x = &in->transports[t];
        int32_t held = x->taken > kept[t] ? x->taken : kept[t];
        if (fresh[t] > 0 && held + fresh[t] > x->capacity)
            gen_violation(rep, "transport over capacity", t);
    }
    free(fresh), free(kept);
}

static void gen_check_stats(const alloc_input *in, const alloc_result *res, gen_report *rep)
{
    int64_t seated = 0, prio = 0;
    for (int32_t i = 0; i < in->npeople; i++)
        if (res->seats[i].transport >= 0) {
            seated++;
            prio += in->people[i].priority != 0;
        }
    const alloc_stats *st = &res->stats;
    if (st->seated != seated || st->priority_seated != prio)
        gen_violation(rep, "figures do not match the seats", seated);
    if (st->seated > st->bound || st->priority_seated > st->priority_bound || st->bound > in->npeople)
        gen_violation(rep, "seated above the bound", st->bound);
}

/*
 * Deep checks (quadratic: small instances only): every unseated party is listed once with a reason that
 * holds, and none of them would fit any transport as the run left it (the placement is maximal).
 */
static void gen_check_unseated(const alloc_input *in, const alloc_result *res, gen_report *rep)
{
    int32_t *free_seats = calloc((size_t)in->ntransports + 1, sizeof *free_seats);
    if (free_seats == NULL) {
        gen_violation(rep, "checker out of memory", 0);
        return;
    }
    for (int32_t t = 0; t < in->ntransports; t++)
        free_seats[t] = in->transports[t].capacity - res->load[t];
    int32_t listed = 0;
    for (int32_t pi = 0; pi < in->nparties; pi++) {
        const alloc_party *pa = &in->parties[pi];
        int32_t want = 0, fits_free = 0, covers = 0, in_window = 0;
        for (int32_t i = pa->first; i < pa->first + pa->count; i++)
            want += !res->seats[i].fixed && res->seats[i].transport < 0;
        if (want == 0)
            continue;
        for (int32_t t = 0; t < in->ntransports; t++) {
            const alloc_transport *x = &in->transports[t];
            bool cov = x->usable, win = x->usable;
            for (int32_t i = pa->first; i < pa->first + pa->count; i++) {
                const alloc_person *p = &in->people[i];
                char best[7];
                if (res->seats[i].fixed)
                    continue;
                cov = cov && gen_best_stop(x, p->dest, best) > 0;
                win = win && gen_lo(in, p) <= x->depart_date && x->depart_date <= gen_hi(in, p);
            }
            covers += cov, in_window += cov && win;
            fits_free += cov && win && free_seats[t] >= want;
        }
        if (fits_free > 0)
            gen_violation(rep, "unseated party fits a transport with room", pi);
        const alloc_unseated *u = NULL;
        for (int32_t k = 0; k < res->nunseated; k++)
            if (res->unseated[k].party == pi)
                u = &res->unseated[k];
        if (u == NULL || u->people != want) {
            gen_violation(rep, "unseated party not listed", pi);
            continue;
        }
        listed++;
        bool ok = u->reason == ALLOC_BAD_WINDOW || (u->reason == ALLOC_NO_COVER && covers == 0) ||
                  (u->reason == ALLOC_NO_DATE && covers > 0 && in_window == 0) ||
                  ((u->reason == ALLOC_FULL || u->reason == ALLOC_TOO_BIG) && in_window == u->fitting);
        if (!ok)
            gen_violation(rep, "reason does not hold", pi);
    }
    if (listed != res->nunseated)
        gen_violation(rep, "unseated list has extra entries", res->nunseated);
    free(free_seats);
}

/* Check a result against its input; deep adds the quadratic checks. Returns the number of violations. */
static int gen_check(const alloc_input *in, const alloc_result *res, bool deep, gen_report *rep)
{
    memset(rep, 0, sizeof *rep);
    for (int32_t i = 0; i < in->npeople; i++)
        gen_check_person(in, res, i, rep);
    for (int32_t pi = 0; pi < in->nparties; pi++)
        gen_check_party(in, res, pi, rep);
    gen_check_capacity(in, res, rep);
    gen_check_stats(in, res, rep);
    if (deep)
        gen_check_unseated(in, res, rep);
    return rep->violations;
}

#ifndef ALLOC_GEN_NO_MAIN
#include <sys/resource.h>
#include <time.h>

static double gen_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --verbose: the seconds each stage took, on stderr. */
static int gen_progress(void *ctx, const char *stage, int percent)
{
    double *last = ctx, now = gen_now();
    fprintf(stderr, "  %3d%% %-8s +%.3fs\n", percent, stage, now - *last);
    *last = now;
    return 0;
}

int main(int argc, char **argv)
{
    int32_t people = 0;
    uint64_t seed = 1;
    double supply = 0.95, fixed = 0.0;
    bool check = false, verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--supply") == 0 && i + 1 < argc)
            supply = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--fixed") == 0 && i + 1 < argc)
            fixed = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--check") == 0)
            check = true;
        else if (strcmp(argv[i], "--verbose") == 0)
            verbose = true;
        else
            people = (int32_t)strtol(argv[i], NULL, 10);
    }
    if (people <= 0) {
        fprintf(stderr, "usage: alloc_gen PEOPLE [--seed S] [--supply R] [--fixed F] [--check] [--verbose]\n");
        return 2;
    }
    gen_instance x;
    alloc_result res;
    hw_error err = {0};
    if (gen_make(&x, people, seed, supply, fixed) != 0) {
        fprintf(stderr, "alloc_gen: out of memory\n");
        return 1;
    }
    double t0 = gen_now(), last = t0;
    int rc = alloc_run(&x.in, &res, verbose ? gen_progress : NULL, &last, &err);
    double secs = gen_now() - t0;
    if (rc != 0) {
        fprintf(stderr, "alloc_gen: %s\n", err.message);
        return 1;
    }
    gen_report rep = {0};
    if (check)
        gen_check(&x.in, &res, false, &rep);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const alloc_stats *st = &res.stats;
    int64_t sug_people = 0, vehicles = 0;
    for (int32_t i = 0; i < res.nsuggestions; i++)
        sug_people += res.suggestions[i].people, vehicles += res.suggestions[i].vehicles;
    printf("people=%lld parties=%lld transports=%d seated=%lld bound=%lld ratio=%.4f prio_seated=%lld "
           "prio_bound=%lld prio_whole=%lld fixed=%lld used=%lld county=%lld best_county=%lld unseated_parties=%d "
           "suggestions=%d "
           "suggested_vehicles=%lld suggested_people=%lld seconds=%.3f rss_mib=%.1f violations=%s\n",
           (long long)st->people, (long long)st->parties, (int)x.ntransports, (long long)st->seated,
           (long long)st->bound, st->bound ? (double)st->seated / (double)st->bound : 1.0,
           (long long)st->priority_seated, (long long)st->priority_bound, (long long)st->priority_bound_whole,
           (long long)st->fixed, (long long)st->transports_used, (long long)st->dropoff_level[3],
           (long long)st->best_level[3], (int)res.nunseated, (int)res.nsuggestions, (long long)vehicles,
           (long long)sug_people, secs, (double)ru.ru_maxrss / 1024.0,
           check ? (rep.violations ? rep.first : "0") : "unchecked");
    alloc_result_free(&res);
    gen_free(&x);
    return rep.violations ? 1 : 0;
}
#endif
