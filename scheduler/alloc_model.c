/* alloc_model.c - turns the caller's snapshot into the allocator's model: groups, covers, units and classes. */
#include "alloc_impl.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divisions.h"

#define NCODES 1000000 /* six-digit codes index a direct table */

/* A growable int32 array (the covers); `cap` is in elements. */
typedef struct ivec {
    int32_t *v;
    int8_t *w;
    int32_t n, cap;
} ivec;

static int ivec_push(ivec *x, int32_t v, int8_t w)
{
    if (x->n == x->cap) {
        int32_t cap = x->cap ? x->cap * 2 : 1024;
        int32_t *nv = realloc(x->v, (size_t)cap * sizeof *nv);
        if (nv == NULL)
            return HW_ENOMEM;
        x->v = nv;
        int8_t *nw = realloc(x->w, (size_t)cap * sizeof *nw);
        if (nw == NULL)
            return HW_ENOMEM;
        x->w = nw;
        x->cap = cap;
    }
    x->v[x->n] = v, x->w[x->n] = w;
    x->n++;
    return 0;
}

int64_t alloc_ratio(const alloc_unit *u)
{
    return ((int64_t)u->prio << 30) / u->size;
}

int alloc_level_of(const char *code)
{
    return divisions_level(code);
}

/* The six-digit code as a number, -1 when it is not a division code. */
static int32_t code_number(const char *code)
{
    if (divisions_level(code) == 0)
        return -1;
    return (int32_t)strtol(code, NULL, 10);
}

int alloc_dropoff(const alloc_transport *t, const char *dest, char out[7])
{
    int best = 0;
    out[0] = '\0';
    for (int i = 0; i < t->nstops; i++) {
        int level = divisions_level(t->stops[i]);
        if (level > best && divisions_covers(t->stops[i], dest)) {
            best = level;
            memcpy(out, t->stops[i], 7);
        }
    }
    return best;
}

/* ---- transports and groups ---- */

typedef struct tkey {
    int32_t src, date, free, nstops;
    int32_t stops[ALLOC_MAX_STOPS]; /* valid stop codes as numbers, sorted, unique */
    const char *ref;
} tkey;

static int same_group(const tkey *x, const tkey *y)
{
    return x->date == y->date && x->nstops == y->nstops &&
           memcmp(x->stops, y->stops, (size_t)x->nstops * sizeof x->stops[0]) == 0;
}

static int tkey_cmp(const void *pa, const void *pb)
{
    const tkey *x = pa, *y = pb;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->nstops != y->nstops)
        return x->nstops < y->nstops ? -1 : 1;
    for (int i = 0; i < x->nstops; i++)
        if (x->stops[i] != y->stops[i])
            return x->stops[i] < y->stops[i] ? -1 : 1;
    if (x->free != y->free)
        return x->free > y->free ? -1 : 1;
    int c = strcmp(x->ref, y->ref);
    return c != 0 ? c : (x->src > y->src) - (x->src < y->src);
}

static int int_cmp(const void *pa, const void *pb)
{
    int32_t x = *(const int32_t *)pa, y = *(const int32_t *)pb;
    return (x > y) - (x < y);
}

/* The key of usable transport `src`: its valid stops as sorted unique numbers; kept = seats of kept tickets. */
static void make_tkey(const alloc_transport *t, int32_t src, int32_t kept, tkey *k)
{
    k->src = src, k->date = t->depart_date, k->ref = t->ref, k->nstops = 0;
    int32_t held = t->taken > kept ? t->taken : kept;
    k->free = t->capacity > held ? t->capacity - held : 0;
    for (int i = 0; i < t->nstops; i++) {
        int32_t c = code_number(t->stops[i]);
        if (c >= 0)
            k->stops[k->nstops++] = c;
    }
    qsort(k->stops, (size_t)k->nstops, sizeof k->stops[0], int_cmp);
    int n = 0;
    for (int i = 0; i < k->nstops; i++)
        if (n == 0 || k->stops[n - 1] != k->stops[i])
            k->stops[n++] = k->stops[i];
    k->nstops = n;
}

/* Whether person q keeps the ticket she holds: on a usable or departed transport, not on a cancelled one. */
static int keeps_ticket(const alloc_input *in, const alloc_person *q)
{
    return q->fixed >= 0 && (in->transports[q->fixed].usable || in->transports[q->fixed].departed);
}

/* Seats held by kept tickets per input transport. */
static int32_t *kept_per_transport(const alloc_input *in)
{
    int32_t *kept = calloc((size_t)in->ntransports + 1, sizeof *kept);
    if (kept == NULL)
        return NULL;
    for (int32_t i = 0; i < in->npeople; i++) {
        if (keeps_ticket(in, &in->people[i]))
            kept[in->people[i].fixed]++;
    }
    return kept;
}

/* The per-transport and per-group arrays for m->nt usable transports. */
static int canon_arrays(alloc_model *m)
{
    size_t n = (size_t)m->nt + 1;
    m->t_src = malloc(n * sizeof *m->t_src);
    m->t_group = malloc(n * sizeof *m->t_group);
    m->t_free = malloc(n * sizeof *m->t_free);
    m->t_new = calloc(n, sizeof *m->t_new);
    m->t_head = malloc(n * sizeof *m->t_head);
    m->t_masked = calloc(n, 1);
    m->g_first = malloc(n * sizeof *m->g_first);
    m->g_count = calloc(n, sizeof *m->g_count);
    m->g_date = malloc(n * sizeof *m->g_date);
    m->g_free = calloc(n, sizeof *m->g_free);
    if (!m->t_src || !m->t_group || !m->t_free || !m->t_new || !m->t_head || !m->t_masked || !m->g_first ||
        !m->g_count || !m->g_date || !m->g_free)
        return HW_ENOMEM;
    return 0;
}

/* Usable transports in canonical order, split into groups; *keys_out (the caller frees it) keeps their stops. */
static int build_transports(alloc_model *m, tkey **keys_out)
{
    const alloc_input *in = m->in;
    int32_t *kept = kept_per_transport(in);
    tkey *keys = malloc(((size_t)in->ntransports + 1) * sizeof *keys);
    m->t_canon = malloc(((size_t)in->ntransports + 1) * sizeof *m->t_canon);
    if (kept == NULL || keys == NULL || m->t_canon == NULL) {
        free(kept), free(keys);
        return HW_ENOMEM;
    }
    int32_t nt = 0;
    for (int32_t i = 0; i < in->ntransports; i++) {
        m->t_canon[i] = -1;
        if (in->transports[i].usable)
            make_tkey(&in->transports[i], i, kept[i], &keys[nt++]);
    }
    free(kept);
    qsort(keys, (size_t)nt, sizeof *keys, tkey_cmp);
    m->nt = nt;
    if (canon_arrays(m) != 0) {
        free(keys);
        return HW_ENOMEM;
    }
    for (int32_t t = 0; t < nt; t++) {
        if (t == 0 || !same_group(&keys[t - 1], &keys[t])) {
            m->g_first[m->ng] = t;
            m->g_date[m->ng] = keys[t].date;
            m->ng++;
        }
        int32_t g = m->ng - 1;
        m->g_count[g]++;
        m->g_free[g] += keys[t].free;
        m->t_src[t] = keys[t].src, m->t_canon[keys[t].src] = t;
        m->t_group[t] = g, m->t_free[t] = keys[t].free, m->t_head[t] = -1;
    }
    *keys_out = keys;
    return 0;
}

/* ---- destinations ---- */

/* Destination ids in code order, through a direct table of all six-digit codes; per person her id. */
static int build_dests(alloc_model *m)
{
    const alloc_input *in = m->in;
    int32_t *table = malloc(NCODES * sizeof *table);
    m->p_dest = malloc(((size_t)in->npeople + 1) * sizeof *m->p_dest);
    if (table == NULL || m->p_dest == NULL) {
        free(table);
        return HW_ENOMEM;
    }
    memset(table, 0xff, NCODES * sizeof *table);
    for (int32_t i = 0; i < in->npeople; i++) {
        int32_t c = code_number(in->people[i].dest);
        m->p_dest[i] = c;
        if (c >= 0)
            table[c] = 0;
    }
    for (int32_t c = 0; c < NCODES; c++)
        if (table[c] == 0)
            table[c] = m->nd++;
    m->d_code = malloc(((size_t)m->nd + 1) * sizeof *m->d_code);
    if (m->d_code == NULL) {
        free(table);
        return HW_ENOMEM;
    }
    for (int32_t c = 0; c < NCODES; c++)
        if (table[c] >= 0)
            snprintf(m->d_code[table[c]], 7, "%06d", (int)c);
    for (int32_t i = 0; i < in->npeople; i++)
        if (m->p_dest[i] >= 0)
            m->p_dest[i] = table[m->p_dest[i]];
    free(table);
    return 0;
}

/* ---- covers: which groups serve a destination, at which level ---- */

typedef struct stop_entry {
    int32_t code, group;
} stop_entry;

static int stop_cmp(const void *pa, const void *pb)
{
    const stop_entry *x = pa, *y = pb;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return (x->group > y->group) - (x->group < y->group);
}

static int level_of_number(int32_t c)
{
    return c % 10000 == 0 ? 1 : c % 100 == 0 ? 2 : 3;
}

/* Every valid stop of every group, sorted by code: the index the cover search looks codes up in. */
static stop_entry *build_stop_index(const alloc_model *m, const tkey *keys, int32_t *n_out)
{
    int32_t n = 0;
    for (int32_t g = 0; g < m->ng; g++)
        n += keys[m->g_first[g]].nstops;
    stop_entry *ix = malloc(((size_t)n + 1) * sizeof *ix);
    if (ix == NULL)
        return NULL;
    n = 0;
    for (int32_t g = 0; g < m->ng; g++) {
        const tkey *k = &keys[m->g_first[g]];
        for (int i = 0; i < k->nstops; i++)
            ix[n++] = (stop_entry){k->stops[i], g};
    }
    qsort(ix, (size_t)n, sizeof *ix, stop_cmp);
    *n_out = n;
    return ix;
}

typedef struct cover_tmp {
    int32_t date, group, level;
} cover_tmp;

static int cover_cmp(const void *pa, const void *pb)
{
    const cover_tmp *x = pa, *y = pb;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->level != y->level)
        return x->level > y->level ? -1 : 1;
    return (x->group > y->group) - (x->group < y->group);
}

/* Groups covering destination code `c` into tmp (at most ng, one per group, the best level). Returns count. */
static int32_t cover_of_code(const alloc_model *m, const stop_entry *ix, int32_t nix, int32_t c, cover_tmp *tmp,
                             int32_t *seen)
{
    int32_t cand[3] = {c / 10000 * 10000, c / 100 * 100, c}, n = 0;
    for (int k = 0; k < 3; k++) {
        if (k > 0 && cand[k] == cand[k - 1])
            continue;
        int32_t lo = 0, hi = nix;
        while (lo < hi) {
            int32_t mid = lo + (hi - lo) / 2;
            if (ix[mid].code < cand[k])
                lo = mid + 1;
            else
                hi = mid;
        }
        int level = level_of_number(cand[k]);
        for (int32_t i = lo; i < nix && ix[i].code == cand[k]; i++) {
            int32_t g = ix[i].group;
            if (seen[g] < 0) {
                seen[g] = n;
                tmp[n++] = (cover_tmp){m->g_date[g], g, level};
            } else if (tmp[seen[g]].level < level) {
                tmp[seen[g]].level = level;
            }
        }
    }
    for (int32_t i = 0; i < n; i++)
        seen[tmp[i].group] = -1;
    return n;
}

/* Intersect the covers of the destinations of multi-destination set s; the level is the least specific. */
static int32_t cover_of_set(const alloc_model *m, int32_t s, cover_tmp *tmp, int32_t *cnt, int8_t *lvl)
{
    int32_t k = m->s_count[s], n = 0;
    const int32_t *ds = &m->s_dests[m->s_first[s]];
    for (int32_t j = 0; j < k; j++)
        for (int32_t e = m->cv_first[ds[j]]; e < m->cv_first[ds[j] + 1]; e++) {
            int32_t g = m->cv_group[e];
            if (cnt[g]++ == 0 || m->cv_level[e] < lvl[g])
                lvl[g] = m->cv_level[e];
        }
    for (int32_t e = m->cv_first[ds[0]]; e < m->cv_first[ds[0] + 1]; e++) {
        int32_t g = m->cv_group[e];
        if (cnt[g] == k)
            tmp[n++] = (cover_tmp){m->g_date[g], g, lvl[g]};
    }
    for (int32_t j = 0; j < k; j++)
        for (int32_t e = m->cv_first[ds[j]]; e < m->cv_first[ds[j] + 1]; e++)
            cnt[m->cv_group[e]] = 0;
    return n;
}

static int append_cover(alloc_model *m, ivec *cv, cover_tmp *tmp, int32_t n, int32_t s)
{
    qsort(tmp, (size_t)n, sizeof *tmp, cover_cmp);
    for (int32_t i = 0; i < n; i++)
        if (ivec_push(cv, tmp[i].group, (int8_t)tmp[i].level) != 0)
            return HW_ENOMEM;
    m->cv_first[s + 1] = cv->n;
    return 0;
}

static int build_covers(alloc_model *m, const tkey *keys)
{
    int32_t nix = 0, rc = HW_ENOMEM;
    stop_entry *ix = build_stop_index(m, keys, &nix);
    cover_tmp *tmp = malloc(((size_t)m->ng + 1) * sizeof *tmp);
    int32_t *seen = malloc(((size_t)m->ng + 1) * sizeof *seen);
    int8_t *lvl = calloc((size_t)m->ng + 1, 1);
    m->cv_first = calloc((size_t)m->ns + 1, sizeof *m->cv_first);
    ivec cv = {0};
    if (ix == NULL || tmp == NULL || seen == NULL || lvl == NULL || m->cv_first == NULL)
        goto out;
    memset(seen, 0xff, ((size_t)m->ng + 1) * sizeof *seen);
    for (int32_t d = 0; d < m->nd; d++) {
        int32_t n = cover_of_code(m, ix, nix, (int32_t)strtol(m->d_code[d], NULL, 10), tmp, seen);
        if (append_cover(m, &cv, tmp, n, d) != 0)
            goto out;
    }
    m->cv_group = cv.v, m->cv_level = cv.w; /* cover_of_set() reads the single covers */
    memset(seen, 0, ((size_t)m->ng + 1) * sizeof *seen);
    for (int32_t s = m->nd; s < m->ns; s++) {
        int32_t n = cover_of_set(m, s, tmp, seen, lvl);
        if (append_cover(m, &cv, tmp, n, s) != 0)
            goto out;
        m->cv_group = cv.v, m->cv_level = cv.w;
    }
    m->cv_group = cv.v, m->cv_level = cv.w;
    cv.v = NULL, cv.w = NULL;
    rc = 0;
out:
    if (rc != 0)
        m->cv_group = NULL, m->cv_level = NULL;
    free(cv.v), free(cv.w), free(ix), free(tmp), free(seen), free(lvl);
    return rc;
}

/* ---- units ---- */

static int32_t window_lo(const alloc_input *in, const alloc_person *p)
{
    return p->earliest != 0 ? p->earliest : in->campaign_from;
}

static int32_t window_hi(const alloc_input *in, const alloc_person *p)
{
    if (p->latest != 0)
        return p->latest;
    return in->campaign_to != 0 ? in->campaign_to : INT32_MAX;
}

/* The unit of party pi (its members without a kept ticket) into *u; whether there is one. */
static int make_unit(const alloc_model *m, int32_t pi, alloc_unit *u)
{
    const alloc_input *in = m->in;
    const alloc_party *p = &in->parties[pi];
    memset(u, 0, sizeof *u);
    u->party = pi, u->order = INT64_MAX, u->lo = INT32_MIN, u->hi = INT32_MAX, u->pin = -2;
    u->at = -1, u->next = -1, u->prev = -1, u->cls = -1, u->set = -1;
    for (int32_t i = p->first; i < p->first + p->count; i++) {
        const alloc_person *q = &in->people[i];
        if (keeps_ticket(in, q)) {
            int32_t t = m->t_canon[q->fixed]; /* -1 when not usable: no pin */
            u->pin = u->pin == -2 || u->pin == t ? t : -1;
            continue;
        }
        u->size++;
        u->prio += q->priority != 0;
        if (q->registration_id < u->order)
            u->order = q->registration_id;
        int32_t lo = window_lo(in, q), hi = window_hi(in, q);
        if (lo > u->lo)
            u->lo = lo;
        if (hi < u->hi)
            u->hi = hi;
    }
    if (u->pin == -2)
        u->pin = -1;
    return u->size > 0;
}

static int unit_cmp(const void *pa, const void *pb)
{
    const alloc_unit *x = pa, *y = pb;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return (x->party > y->party) - (x->party < y->party);
}

/* Look the sorted list ds[0..k) up among the multi-destination sets, adding it when new; returns the set id. */
static int32_t intern_set(alloc_model *m, int32_t *table, int32_t tsize, ivec *sd, const int32_t *ds, int32_t k)
{
    uint64_t h = 1469598103934665603u;
    for (int32_t i = 0; i < k; i++)
        h = (h ^ (uint64_t)ds[i]) * 1099511628211u;
    for (int32_t slot = (int32_t)(h & (uint64_t)(tsize - 1));; slot = (slot + 1) & (tsize - 1)) {
        int32_t s = table[slot];
        if (s < 0) {
            table[slot] = m->ns;
            m->s_first[m->ns] = sd->n, m->s_count[m->ns] = k;
            for (int32_t i = 0; i < k; i++)
                if (ivec_push(sd, ds[i], 0) != 0)
                    return -2;
            return m->ns++;
        }
        if (m->s_count[s] == k && memcmp(&sd->v[m->s_first[s]], ds, (size_t)k * sizeof *ds) == 0)
            return s;
    }
}

/* The destination set of unit ui: -1 when a code is malformed, -2 out of memory. */
static int32_t unit_set(alloc_model *m, int32_t ui, int32_t *buf, int32_t *table, int32_t tsize, ivec *sd)
{
    const alloc_party *p = &m->in->parties[m->u[ui].party];
    int32_t k = 0;
    for (int32_t i = p->first; i < p->first + p->count; i++) {
        if (m->p_unit[i] != ui)
            continue;
        if (m->p_dest[i] < 0)
            return -1;
        buf[k++] = m->p_dest[i];
    }
    qsort(buf, (size_t)k, sizeof *buf, int_cmp);
    int32_t n = 0;
    for (int32_t i = 0; i < k; i++)
        if (n == 0 || buf[n - 1] != buf[i])
            buf[n++] = buf[i];
    return n == 1 ? buf[0] : intern_set(m, table, tsize, sd, buf, n);
}

static int assign_sets(alloc_model *m)
{
    int32_t tsize = 16, maxk = 1, rc = HW_ENOMEM;
    while (tsize < 2 * m->nu)
        tsize *= 2;
    for (int32_t pi = 0; pi < m->in->nparties; pi++)
        if (m->in->parties[pi].count > maxk)
            maxk = m->in->parties[pi].count;
    int32_t *table = malloc((size_t)tsize * sizeof *table), *buf = malloc((size_t)maxk * sizeof *buf);
    m->s_first = malloc(((size_t)m->nd + (size_t)m->nu + 1) * sizeof *m->s_first);
    m->s_count = malloc(((size_t)m->nd + (size_t)m->nu + 1) * sizeof *m->s_count);
    ivec sd = {0};
    if (table == NULL || buf == NULL || m->s_first == NULL || m->s_count == NULL)
        goto out;
    memset(table, 0xff, (size_t)tsize * sizeof *table);
    for (int32_t d = 0; d < m->nd; d++) {
        m->s_first[d] = d, m->s_count[d] = 1;
        if (ivec_push(&sd, d, 0) != 0)
            goto out;
    }
    m->ns = m->nd;
    for (int32_t ui = 0; ui < m->nu; ui++) {
        m->u[ui].set = unit_set(m, ui, buf, table, tsize, &sd);
        if (m->u[ui].set == -2)
            goto out;
    }
    m->s_dests = sd.v;
    sd.v = NULL;
    rc = 0;
out:
    free(sd.v), free(sd.w), free(table), free(buf);
    return rc;
}

static int build_units(alloc_model *m)
{
    const alloc_input *in = m->in;
    m->u = malloc(((size_t)in->nparties + 1) * sizeof *m->u);
    m->p_unit = malloc(((size_t)in->npeople + 1) * sizeof *m->p_unit);
    if (m->u == NULL || m->p_unit == NULL)
        return HW_ENOMEM;
    for (int32_t pi = 0; pi < in->nparties; pi++)
        if (make_unit(m, pi, &m->u[m->nu]))
            m->nu++;
    qsort(m->u, (size_t)m->nu, sizeof *m->u, unit_cmp);
    for (int32_t i = 0; i < in->npeople; i++)
        m->p_unit[i] = -1;
    for (int32_t ui = 0; ui < m->nu; ui++) {
        const alloc_party *p = &in->parties[m->u[ui].party];
        for (int32_t i = p->first; i < p->first + p->count; i++) {
            const alloc_person *q = &in->people[i];
            if (!keeps_ticket(in, q))
                m->p_unit[i] = ui;
        }
    }
    return assign_sets(m);
}

/* ---- classes ---- */

/* First index in the cover list cv[a..b) of set s whose group departs after `date` (or on it, when `on`). */
static int32_t cover_bound(const alloc_model *m, int32_t a, int32_t b, int32_t date, int on)
{
    while (a < b) {
        int32_t mid = a + (b - a) / 2, d = m->g_date[m->cv_group[mid]];
        if (d < date || (!on && d == date))
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

static void unit_ranges(alloc_model *m)
{
    for (int32_t ui = 0; ui < m->nu; ui++) {
        alloc_unit *u = &m->u[ui];
        if (u->set < 0 || u->lo > u->hi) {
            u->a = u->b = 0;
            continue;
        }
        int32_t a = m->cv_first[u->set], b = m->cv_first[u->set + 1];
        u->a = cover_bound(m, a, b, u->lo, 1);
        u->b = cover_bound(m, a, b, u->hi, 0);
    }
}

typedef struct class_key {
    int32_t set, a, b, plain; /* plain: no priority people */
    int64_t ratio;            /* -(priority people per seat, scaled): the best ratio first */
    int32_t idx;
} class_key;

static int class_key_cmp(const void *pa, const void *pb)
{
    const class_key *x = pa, *y = pb;
    const int64_t kx[] = {x->set, x->a, x->b, x->plain, x->ratio, x->idx};
    const int64_t ky[] = {y->set, y->a, y->b, y->plain, y->ratio, y->idx};
    for (int i = 0; i < 6; i++)
        if (kx[i] != ky[i])
            return kx[i] < ky[i] ? -1 : 1;
    return 0;
}

static int same_class(const class_key *x, const class_key *y)
{
    return x->set == y->set && x->a == y->a && x->b == y->b && x->plain == y->plain;
}

/*
 * Units that some group could take, sorted into classes. Inside a class the selection order is first come,
 * first served; in a class with priority people, units with more priority people per seat come first.
 */
static int build_classes(alloc_model *m)
{
    class_key *keys = malloc(((size_t)m->nu + 1) * sizeof *keys);
    m->class_units = malloc(((size_t)m->nu + 1) * sizeof *m->class_units);
    m->c = malloc(((size_t)m->nu + 1) * sizeof *m->c);
    if (keys == NULL || m->class_units == NULL || m->c == NULL) {
        free(keys);
        return HW_ENOMEM;
    }
    int32_t n = 0;
    for (int32_t ui = 0; ui < m->nu; ui++) {
        const alloc_unit *u = &m->u[ui];
        if (u->a >= u->b)
            continue;
        int plain = u->prio == 0;
        keys[n++] = (class_key){u->set, u->a, u->b, plain, plain ? 0 : -alloc_ratio(u), ui};
    }
    qsort(keys, (size_t)n, sizeof *keys, class_key_cmp);
    for (int32_t i = 0; i < n; i++) {
        const class_key *k = &keys[i];
        if (i == 0 || !same_class(k, &keys[i - 1])) {
            alloc_class *c = &m->c[m->nc++];
            memset(c, 0, sizeof *c);
            c->set = k->set, c->a = k->a, c->b = k->b, c->first = i, c->failed = INT32_MAX;
            for (int32_t e = k->a; e < k->b; e++)
                if (m->cv_level[e] > c->best)
                    c->best = m->cv_level[e];
        }
        alloc_class *c = &m->c[m->nc - 1];
        alloc_unit *u = &m->u[k->idx];
        c->count++, c->people += u->size, c->prio += u->prio;
        u->cls = m->nc - 1;
        m->class_units[i] = k->idx;
    }
    free(keys);
    return 0;
}

/* ---- the whole model ---- */

int alloc_model_build(alloc_model *m, const alloc_input *in, hw_error *err)
{
    tkey *keys = NULL;
    memset(m, 0, sizeof *m);
    m->in = in;
    int rc = build_transports(m, &keys);
    if (rc == 0)
        rc = build_dests(m);
    if (rc == 0)
        rc = build_units(m);
    if (rc == 0)
        rc = build_covers(m, keys);
    free(keys);
    if (rc == 0) {
        unit_ranges(m);
        rc = build_classes(m);
    }
    if (rc != 0)
        return error_set(err, rc, "out_of_memory", "内存不足 (out of memory while preparing the allocation)");
    return 0;
}

void alloc_model_free(alloc_model *m)
{
    if (m == NULL)
        return;
    free(m->t_src), free(m->t_canon), free(m->t_group), free(m->t_free), free(m->t_new), free(m->t_head);
    free(m->t_masked), free(m->g_first), free(m->g_count), free(m->g_date), free(m->g_free);
    free(m->d_code), free(m->p_dest), free(m->s_first), free(m->s_count), free(m->s_dests);
    free(m->cv_first), free(m->cv_group), free(m->cv_level), free(m->u), free(m->p_unit);
    free(m->c), free(m->class_units), free(m->edge_flow), free(m->seg);
    memset(m, 0, sizeof *m);
}
