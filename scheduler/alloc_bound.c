/* alloc_bound.c - the max-flow bounds and the flow that guides the placement (priority first, then everyone). */
#include "alloc_impl.h"

#include <stdlib.h>
#include <string.h>

#include "alloc_flow.h"

#define CAP_MAX (INT32_MAX / 2)
#define SCALE (1 << 24) /* costs of the priority stage: SCALE x (1 - priority people per seat) */

/*
 * The network. Nodes: 0 source, 1 sink, 2.. classes, then groups. Edges, in this order:
 *   source -> class   per class with priority people: one "priority" edge (the priority bound: its priority
 *                     people, split at will) and one "segment" per distinct ratio of priority people per seat
 *                     among its units (best ratio first); per ordinary class one segment;
 *   class -> group    per class, its cover range in order, cost 3 - level (county drop-off costs nothing);
 *   group -> sink     the group's free seats.
 * Stages on it:
 *   1. priority edges only, max-flow                 -> priority_bound (people may split);
 *   2. priority segments, costs SCALE x (1 - ratio), min-cost flow while a path is worth it
 *                                                    -> the most priority people with parties whole, in the
 *                                                       fractional sense (priority_bound_whole);
 *   3. every segment, Dinic on from there            -> bound (source edges never lose flow, so stage 2 holds);
 *   4. source edges fixed at their flow, min-cost flow on drop-off costs -> the same amounts per class, sent
 *      to the most specific groups; what the placement rounds.
 */
typedef struct net {
    alloc_graph g;
    int32_t ns;       /* source edges */
    int32_t *s_class; /* per source edge: its class */
    int32_t *s_cap;   /* per source edge: people on it (segments) or priority people (priority edges) */
    int32_t *s_cost;  /* per source edge: stage 2 cost */
    int64_t *s_prio;  /* per source edge: priority people on the segment (value = flow x s_prio / s_cap) */
    uint8_t *s_kind;  /* 0 priority edge, 1 priority segment, 2 ordinary segment */
    int32_t ce0, ge0; /* first class->group edge, first group->sink edge */
} net;

static int32_t clamp_cap(int64_t v)
{
    return v > CAP_MAX ? CAP_MAX : (int32_t)v;
}

/* Source edges of class c into e[] and the net's tables; returns how many. */
static int32_t source_edges(const alloc_model *m, int32_t c, net *x, alloc_edge *e, int32_t n)
{
    const alloc_class *cl = &m->c[c];
    int32_t start = n;
    if (cl->prio > 0) {
        x->s_kind[n] = 0, x->s_cap[n] = clamp_cap(cl->prio), x->s_prio[n] = cl->prio, x->s_cost[n] = 0;
        e[n++] = (alloc_edge){0, 2 + c, 0, 0};
    }
    for (int32_t k = 0; k < cl->count;) {
        const alloc_unit *u = &m->u[m->class_units[cl->first + k]];
        int64_t ratio = cl->prio > 0 ? alloc_ratio(u) : 0, people = 0, prio = 0;
        for (; k < cl->count; k++) {
            const alloc_unit *v = &m->u[m->class_units[cl->first + k]];
            if ((cl->prio > 0 ? alloc_ratio(v) : 0) != ratio)
                break;
            people += v->size, prio += v->prio;
        }
        x->s_kind[n] = cl->prio > 0 ? 1 : 2, x->s_cap[n] = clamp_cap(people), x->s_prio[n] = prio;
        x->s_cost[n] = SCALE - (int32_t)((prio * SCALE) / (people > 0 ? people : 1));
        e[n++] = (alloc_edge){0, 2 + c, 0, 0};
    }
    for (int32_t i = start; i < n; i++)
        x->s_class[i] = c;
    return n - start;
}

static alloc_edge *make_edges(alloc_model *m, net *x, int32_t *m_out)
{
    int64_t ne = m->ng, nsrc = 0;
    for (int32_t c = 0; c < m->nc; c++)
        ne += m->c[c].b - m->c[c].a, nsrc += m->c[c].count + 1;
    ne += nsrc;
    if (ne > INT32_MAX / 2)
        return NULL;
    alloc_edge *e = malloc(((size_t)ne + 1) * sizeof *e);
    x->s_class = malloc(((size_t)nsrc + 1) * sizeof *x->s_class);
    x->s_cap = malloc(((size_t)nsrc + 1) * sizeof *x->s_cap);
    x->s_cost = malloc(((size_t)nsrc + 1) * sizeof *x->s_cost);
    x->s_prio = malloc(((size_t)nsrc + 1) * sizeof *x->s_prio);
    x->s_kind = malloc((size_t)nsrc + 1);
    if (e == NULL || !x->s_class || !x->s_cap || !x->s_cost || !x->s_prio || !x->s_kind) {
        free(e);
        return NULL;
    }
    int32_t n = 0, gbase = 2 + m->nc, k = 0;
    for (int32_t c = 0; c < m->nc; c++)
        n += source_edges(m, c, x, e, n);
    x->ns = n, x->ce0 = n;
    for (int32_t c = 0; c < m->nc; c++) {
        alloc_class *cl = &m->c[c];
        cl->edge0 = k;
        for (int32_t i = cl->a; i < cl->b; i++, k++)
            e[n++] = (alloc_edge){2 + c, gbase + m->cv_group[i], clamp_cap(cl->people), 3 - m->cv_level[i]};
    }
    x->ge0 = n;
    for (int32_t g = 0; g < m->ng; g++)
        e[n++] = (alloc_edge){gbase + g, 1, clamp_cap(m->g_free[g]), 0};
    *m_out = n;
    return e;
}

/* Set the caps of the source edges of the kinds in `mask` (bit per kind) to theirs, the others to 0. */
static void source_caps(net *x, unsigned mask)
{
    for (int32_t i = 0; i < x->ns; i++)
        alloc_graph_set_cap(&x->g, i, mask >> x->s_kind[i] & 1 ? x->s_cap[i] : 0);
}

/* Class->group costs: drop-off costs when on, else zero (the priority stage looks at priority only). */
static void dropoff_costs(alloc_model *m, net *x, int on)
{
    for (int32_t c = 0; c < m->nc; c++) {
        const alloc_class *cl = &m->c[c];
        for (int32_t i = 0; i < cl->b - cl->a; i++)
            alloc_graph_set_cost(&x->g, x->ce0 + cl->edge0 + i, on ? 3 - m->cv_level[cl->a + i] : 0);
    }
}

static void staged_flow(alloc_model *m, net *x)
{
    source_caps(x, 1u << 0);
    m->prio_bound_free = alloc_flow_max(&x->g, 0, 1);
    alloc_graph_reset(&x->g);
    source_caps(x, 1u << 1);
    dropoff_costs(m, x, 0);
    for (int32_t i = 0; i < x->ns; i++)
        alloc_graph_set_cost(&x->g, i, x->s_kind[i] == 1 ? x->s_cost[i] : 0);
    alloc_flow_mincost(&x->g, 0, 1, SCALE, NULL);
    double whole = 0, seats = 0;
    for (int32_t i = 0; i < x->ns; i++)
        if (x->s_kind[i] == 1 && x->s_cap[i] > 0) {
            whole += (double)alloc_graph_flow(&x->g, i) * (double)x->s_prio[i] / (double)x->s_cap[i];
            seats += x->s_cap[i];
        }
    /* costs are values rounded to 1/SCALE: the true optimum is at most seats/SCALE above the one found */
    m->prio_whole_free = (int64_t)(whole + seats / SCALE + 1e-6);
    for (int32_t i = 0; i < x->ns; i++)
        if (x->s_kind[i] == 2)
            alloc_graph_set_cap(&x->g, i, x->s_cap[i]);
    alloc_flow_max(&x->g, 0, 1);
    m->bound_free = 0;
    for (int32_t c = 0; c < m->nc; c++)
        m->c[c].flow = 0;
    for (int32_t i = 0; i < x->ns; i++) {
        m->c[x->s_class[i]].flow += alloc_graph_flow(&x->g, i);
        m->bound_free += alloc_graph_flow(&x->g, i);
    }
}

/* Stage 4: the same amount per class, sent to the most specific drop-offs. */
static void specific_flow(alloc_model *m, net *x)
{
    for (int32_t i = 0; i < x->ns; i++) {
        alloc_graph_set_cap(&x->g, i, alloc_graph_flow(&x->g, i));
        alloc_graph_set_cost(&x->g, i, 0);
    }
    dropoff_costs(m, x, 1);
    alloc_graph_reset(&x->g);
    alloc_flow_mincost(&x->g, 0, 1, INT64_MAX, NULL);
    for (int32_t c = 0; c < m->nc; c++) {
        const alloc_class *cl = &m->c[c];
        for (int32_t i = 0; i < cl->b - cl->a; i++)
            m->edge_flow[cl->edge0 + i] = alloc_graph_flow(&x->g, x->ce0 + cl->edge0 + i);
    }
}

static void net_free(net *x)
{
    alloc_graph_free(&x->g);
    free(x->s_class), free(x->s_cap), free(x->s_cost), free(x->s_prio), free(x->s_kind);
}

int alloc_bound_run(alloc_model *m, hw_error *err)
{
    int32_t ne = 0;
    net x;
    memset(&x, 0, sizeof x);
    alloc_edge *edges = make_edges(m, &x, &ne);
    int rc = edges == NULL ? HW_ENOMEM : alloc_graph_init(&x.g, 2 + m->nc + m->ng, edges, ne);
    free(edges);
    m->edge_flow = malloc(((size_t)ne + 1) * sizeof *m->edge_flow);
    if (rc != 0 || m->edge_flow == NULL) {
        net_free(&x);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory building the flow network)");
    }
    staged_flow(m, &x);
    rc = alloc_tick(m, "bound", 30, err);
    if (rc == 0)
        specific_flow(m, &x);
    net_free(&x);
    return rc;
}
