/* alloc_bound.c - the max-flow bounds (priority first, then everyone) and the flow that guides the placement. */
#include "alloc_impl.h"

#include <stdlib.h>
#include <string.h>

#include "alloc_flow.h"

#define CAP_MAX (INT32_MAX / 2)

static int32_t clamp_cap(int64_t v)
{
    return v > CAP_MAX ? CAP_MAX : (int32_t)v;
}

/*
 * Nodes: 0 source, 1 sink, 2.. classes, then groups. Edges: source->class first (edge c), then every class's
 * range in cover order (edge nc + edge0 + i, cost 3 - level: a county-level drop-off costs nothing), then
 * group->sink with the group's free seats.
 */
static alloc_edge *make_edges(alloc_model *m, int32_t *m_out)
{
    int64_t ne = m->nc + m->ng;
    for (int32_t c = 0; c < m->nc; c++)
        ne += m->c[c].b - m->c[c].a;
    if (ne > INT32_MAX / 2)
        return NULL;
    alloc_edge *e = malloc(((size_t)ne + 1) * sizeof *e);
    if (e == NULL)
        return NULL;
    int32_t n = 0, gbase = 2 + m->nc, k = 0;
    for (int32_t c = 0; c < m->nc; c++)
        e[n++] = (alloc_edge){0, 2 + c, 0, 0};
    for (int32_t c = 0; c < m->nc; c++) {
        alloc_class *cl = &m->c[c];
        cl->edge0 = k;
        for (int32_t i = cl->a; i < cl->b; i++, k++)
            e[n++] = (alloc_edge){2 + c, gbase + m->cv_group[i], clamp_cap(cl->people), 3 - m->cv_level[i]};
    }
    for (int32_t g = 0; g < m->ng; g++)
        e[n++] = (alloc_edge){gbase + g, 1, clamp_cap(m->g_free[g]), 0};
    *m_out = n;
    return e;
}

/* Raise the source edges in three stages: priority people, then their companions, then everyone else. */
static void lexicographic_flow(alloc_model *m, alloc_graph *g)
{
    for (int32_t c = 0; c < m->nc; c++)
        alloc_graph_set_cap(g, c, clamp_cap(m->c[c].prio));
    m->prio_bound_free = alloc_flow_max(g, 0, 1);
    for (int32_t c = 0; c < m->nc; c++)
        if (m->c[c].prio > 0)
            alloc_graph_set_cap(g, c, clamp_cap(m->c[c].people));
    alloc_flow_max(g, 0, 1);
    for (int32_t c = 0; c < m->nc; c++)
        alloc_graph_set_cap(g, c, clamp_cap(m->c[c].people));
    alloc_flow_max(g, 0, 1);
    m->bound_free = 0;
    for (int32_t c = 0; c < m->nc; c++) {
        m->c[c].flow = alloc_graph_flow(g, c);
        m->bound_free += m->c[c].flow;
    }
}

/*
 * Keep every class's amount and move it to the most specific drop-offs: a min-cost flow with the source edges
 * fixed at those amounts reaches the same total (it is feasible) at the least cost.
 */
static void specific_flow(alloc_model *m, alloc_graph *g)
{
    for (int32_t c = 0; c < m->nc; c++) {
        alloc_graph_set_cap(g, c, alloc_graph_flow(g, c)); /* still the flow: lowering to it is allowed */
    }
    alloc_graph_reset(g);
    alloc_flow_mincost(g, 0, 1, NULL);
    for (int32_t c = 0; c < m->nc; c++) {
        const alloc_class *cl = &m->c[c];
        for (int32_t i = 0; i < cl->b - cl->a; i++)
            m->edge_flow[cl->edge0 + i] = alloc_graph_flow(g, m->nc + cl->edge0 + i);
    }
}

int alloc_bound_run(alloc_model *m, hw_error *err)
{
    int32_t ne = 0;
    alloc_graph g;
    alloc_edge *edges = make_edges(m, &ne);
    if (edges == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory building the flow network)");
    int rc = alloc_graph_init(&g, 2 + m->nc + m->ng, edges, ne);
    free(edges);
    m->edge_flow = malloc(((size_t)ne + 1) * sizeof *m->edge_flow);
    if (rc != 0 || m->edge_flow == NULL) {
        alloc_graph_free(&g);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory building the flow network)");
    }
    lexicographic_flow(m, &g);
    rc = alloc_tick(m, "bound", 30, err);
    if (rc == 0)
        specific_flow(m, &g);
    alloc_graph_free(&g);
    return rc;
}
