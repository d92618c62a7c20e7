/* alloc_flow.c - Dinic max-flow and primal-dual min-cost flow over a CSR graph with int32 capacities. */
#include "alloc_flow.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define DIST_INF INT64_MAX

int alloc_graph_init(alloc_graph *g, int32_t n, const alloc_edge *edges, int32_t m)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    g->m = m;
    size_t na = (size_t)m * 2, nn = (size_t)n;
    g->first = calloc(nn + 1, sizeof *g->first);
    g->to = malloc((na + 1) * sizeof *g->to);
    g->rev = malloc((na + 1) * sizeof *g->rev);
    g->cap = malloc((na + 1) * sizeof *g->cap);
    g->cost = malloc((na + 1) * sizeof *g->cost);
    g->arc = malloc(((size_t)m + 1) * sizeof *g->arc);
    g->level = malloc((nn + 1) * sizeof *g->level);
    g->iter = malloc((nn + 1) * sizeof *g->iter);
    g->queue = malloc((nn + 1) * sizeof *g->queue);
    g->path = malloc((nn + 1) * sizeof *g->path);
    g->pot = calloc(nn + 1, sizeof *g->pot);
    g->dist = malloc((nn + 1) * sizeof *g->dist);
    g->heap = malloc((na + 2) * sizeof *g->heap);
    if (!g->first || !g->to || !g->rev || !g->cap || !g->cost || !g->arc || !g->level || !g->iter || !g->queue ||
        !g->path || !g->pot || !g->dist || !g->heap) {
        alloc_graph_free(g);
        return HW_ENOMEM;
    }
    for (int32_t i = 0; i < m; i++) {
        g->first[edges[i].from + 1]++;
        g->first[edges[i].to + 1]++;
    }
    for (int32_t v = 0; v < n; v++)
        g->first[v + 1] += g->first[v];
    int32_t *fill = g->iter; /* scratch: next free arc slot per node */
    memcpy(fill, g->first, nn * sizeof *fill);
    for (int32_t i = 0; i < m; i++) {
        const alloc_edge *e = &edges[i];
        int32_t a = fill[e->from]++, b = fill[e->to]++;
        g->to[a] = e->to, g->cap[a] = e->cap, g->cost[a] = e->cost, g->rev[a] = b;
        g->to[b] = e->from, g->cap[b] = 0, g->cost[b] = -e->cost, g->rev[b] = a;
        g->arc[i] = a;
    }
    return 0;
}

void alloc_graph_free(alloc_graph *g)
{
    if (g == NULL)
        return;
    free(g->first), free(g->to), free(g->rev), free(g->cap), free(g->cost), free(g->arc);
    free(g->level), free(g->iter), free(g->queue), free(g->path), free(g->pot), free(g->dist), free(g->heap);
    memset(g, 0, sizeof *g);
}

int32_t alloc_graph_flow(const alloc_graph *g, int32_t e)
{
    return g->cap[g->rev[g->arc[e]]];
}

void alloc_graph_set_cap(alloc_graph *g, int32_t e, int32_t cap)
{
    int32_t flow = alloc_graph_flow(g, e);
    assert(cap >= flow);
    g->cap[g->arc[e]] = cap - flow;
}

void alloc_graph_set_cost(alloc_graph *g, int32_t e, int32_t cost)
{
    g->cost[g->arc[e]] = cost;
    g->cost[g->rev[g->arc[e]]] = -cost;
}

void alloc_graph_reset(alloc_graph *g)
{
    for (int32_t e = 0; e < g->m; e++) {
        int32_t a = g->arc[e];
        g->cap[a] += g->cap[g->rev[a]];
        g->cap[g->rev[a]] = 0;
    }
}

/* Whether arc a out of u may carry flow now: residual left and, with costs, reduced cost zero. */
static int usable_arc(const alloc_graph *g, int32_t u, int32_t a, int with_cost)
{
    if (g->cap[a] <= 0)
        return 0;
    return !with_cost || g->cost[a] + g->pot[u] - g->pot[g->to[a]] == 0;
}

/* BFS levels from s over usable arcs; whether t is reached. */
static int bfs_levels(alloc_graph *g, int32_t s, int32_t t, int with_cost)
{
    for (int32_t v = 0; v < g->n; v++)
        g->level[v] = -1;
    int32_t head = 0, tail = 0;
    g->level[s] = 0;
    g->queue[tail++] = s;
    while (head < tail) {
        int32_t u = g->queue[head++];
        for (int32_t a = g->first[u]; a < g->first[u + 1]; a++) {
            int32_t v = g->to[a];
            if (g->level[v] < 0 && usable_arc(g, u, a, with_cost)) {
                g->level[v] = g->level[u] + 1;
                g->queue[tail++] = v;
            }
        }
    }
    return g->level[t] >= 0;
}

/* Push the bottleneck along path[0..len) and return it together with the index of the first saturated arc. */
static int32_t augment_path(alloc_graph *g, int32_t len, int32_t *saturated)
{
    int32_t push = INT32_MAX;
    for (int32_t i = 0; i < len; i++)
        if (g->cap[g->path[i]] < push)
            push = g->cap[g->path[i]];
    *saturated = len;
    for (int32_t i = 0; i < len; i++) {
        int32_t a = g->path[i];
        g->cap[a] -= push;
        g->cap[g->rev[a]] += push;
        if (g->cap[a] == 0 && *saturated == len)
            *saturated = i;
    }
    return push;
}

/* One blocking flow on the level graph, iteratively (paths may be long in the residual graph). */
static int64_t blocking_flow(alloc_graph *g, int32_t s, int32_t t, int with_cost)
{
    int64_t total = 0;
    int32_t len = 0, v = s;
    memcpy(g->iter, g->first, (size_t)g->n * sizeof *g->iter);
    for (;;) {
        if (v == t) {
            int32_t sat;
            total += augment_path(g, len, &sat);
            len = sat; /* retreat to the tail of the first saturated arc */
            v = len == 0 ? s : g->to[g->path[len - 1]];
            continue;
        }
        int32_t a = g->iter[v];
        while (a < g->first[v + 1] && !(g->level[g->to[a]] == g->level[v] + 1 && usable_arc(g, v, a, with_cost)))
            a++;
        g->iter[v] = a;
        if (a < g->first[v + 1]) {
            g->path[len++] = a;
            v = g->to[a];
            continue;
        }
        if (v == s)
            return total;
        g->level[v] = -1; /* dead end */
        len--;
        v = len == 0 ? s : g->to[g->path[len - 1]];
        g->iter[v]++;
    }
}

int64_t alloc_flow_max(alloc_graph *g, int32_t s, int32_t t)
{
    int64_t total = 0;
    while (bfs_levels(g, s, t, 0))
        total += blocking_flow(g, s, t, 0);
    return total;
}

/* ---- Dijkstra on reduced costs, binary heap of (dist << 32 | node) ---- */

static void heap_push(int64_t *h, int32_t *n, int64_t key)
{
    int32_t i = (*n)++;
    while (i > 0 && h[(i - 1) / 2] > key) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = key;
}

static int64_t heap_pop(int64_t *h, int32_t *n)
{
    int64_t top = h[0], last = h[--(*n)];
    int32_t i = 0;
    for (;;) {
        int32_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= last)
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return top;
}

/* Distances from s under reduced costs; then raise potentials by min(dist, dist[t]). Whether t is reached. */
static int dijkstra(alloc_graph *g, int32_t s, int32_t t)
{
    int32_t nh = 0;
    for (int32_t v = 0; v < g->n; v++)
        g->dist[v] = DIST_INF;
    g->dist[s] = 0;
    heap_push(g->heap, &nh, (int64_t)s);
    while (nh > 0) {
        int64_t key = heap_pop(g->heap, &nh);
        int32_t u = (int32_t)(key & 0xffffffff);
        int64_t d = key >> 32;
        if (d != g->dist[u])
            continue;
        for (int32_t a = g->first[u]; a < g->first[u + 1]; a++) {
            if (g->cap[a] <= 0)
                continue;
            int32_t v = g->to[a];
            int64_t rc = g->cost[a] + g->pot[u] - g->pot[v];
            assert(rc >= 0);
            if (d + rc < g->dist[v]) {
                g->dist[v] = d + rc;
                heap_push(g->heap, &nh, (g->dist[v] << 32) | v);
            }
        }
    }
    if (g->dist[t] == DIST_INF)
        return 0;
    for (int32_t v = 0; v < g->n; v++)
        g->pot[v] += g->dist[v] < g->dist[t] ? g->dist[v] : g->dist[t];
    return 1;
}

int64_t alloc_flow_mincost(alloc_graph *g, int32_t s, int32_t t, int64_t max_path, int64_t *cost)
{
    int64_t total = 0;
    memset(g->pot, 0, (size_t)g->n * sizeof *g->pot);
    while (dijkstra(g, s, t) && g->pot[t] - g->pot[s] < max_path)
        while (bfs_levels(g, s, t, 1))
            total += blocking_flow(g, s, t, 1);
    if (cost != NULL) {
        int64_t c = 0;
        for (int32_t e = 0; e < g->m; e++)
            c += (int64_t)alloc_graph_flow(g, e) * g->cost[g->arc[e]];
        *cost = c;
    }
    return total;
}
