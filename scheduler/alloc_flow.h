/* alloc_flow.h - max-flow (Dinic) and min-cost max-flow (primal-dual) on a CSR graph; the allocator's bound. */
#ifndef HW_ALLOC_FLOW_H
#define HW_ALLOC_FLOW_H

#include <stdint.h>

/* One directed edge to build a graph from. */
typedef struct alloc_edge {
    int32_t from, to;
    int32_t cap;  /* >= 0 */
    int32_t cost; /* >= 0; only alloc_flow_mincost() looks at it */
} alloc_edge;

/*
 * A flow network: every edge is a forward arc (residual capacity) and a reverse arc (the flow), arcs grouped
 * by tail node (CSR). All arrays belong to the graph and are freed by alloc_graph_free().
 */
typedef struct alloc_graph {
    int32_t n, m;   /* nodes; edges (arcs = 2 m) */
    int32_t *first; /* n + 1: arcs of node v are first[v] .. first[v+1]-1 */
    int32_t *to;    /* per arc: head */
    int32_t *rev;   /* per arc: the paired arc */
    int32_t *cap;   /* per arc: residual capacity */
    int32_t *cost;  /* per arc: cost (reverse arcs the negation) */
    int32_t *arc;   /* per edge: its forward arc */
    int32_t *level; /* scratch, per node */
    int32_t *iter;  /* scratch, per node */
    int32_t *queue; /* scratch, per node */
    int32_t *path;  /* scratch, per node */
    int64_t *pot;   /* per node: potentials of the min-cost search */
    int64_t *dist;  /* scratch, per node */
    int64_t *heap;  /* scratch for Dijkstra: (dist << 32 | node) keys, at most arcs + 1 */
} alloc_graph;

/* Build g (the caller's struct) from m edges over n nodes; the edges are copied, not kept. 0 or HW_ENOMEM. */
int alloc_graph_init(alloc_graph *g, int32_t n, const alloc_edge *edges, int32_t m);

/* Free what alloc_graph_init() allocated; a zeroed graph is fine. */
void alloc_graph_free(alloc_graph *g);

/* Flow on edge e (an index into the edges given to alloc_graph_init()). */
int32_t alloc_graph_flow(const alloc_graph *g, int32_t e);

/* Set the capacity of edge e, keeping its flow; cap must be >= the flow. */
void alloc_graph_set_cap(alloc_graph *g, int32_t e, int32_t cap);

/* Set the cost of edge e (its reverse arc gets the negation). Only between flow computations. */
void alloc_graph_set_cost(alloc_graph *g, int32_t e, int32_t cost);

/* Remove all flow (capacities as last set). */
void alloc_graph_reset(alloc_graph *g);

/*
 * Dinic: augment from the current flow until no augmenting path from s to t is left; returns the flow added.
 * Augmenting from s never lowers the flow on an edge leaving s, which is what makes a lexicographic flow by
 * raising source capacities in stages possible.
 */
int64_t alloc_flow_max(alloc_graph *g, int32_t s, int32_t t);

/*
 * Min-cost flow from zero flow (call alloc_graph_reset() first): Dijkstra with potentials for the distances,
 * then Dinic on the arcs of reduced cost zero, until t is out of reach or the cheapest path from s to t costs
 * max_path or more (INT64_MAX: a min-cost max-flow). Successive shortest paths cost more and more, so with
 * max_path = K and costs K - K * value, this maximizes the total value of the flow. Returns the flow; *cost
 * (may be NULL) gets its cost. Costs must be >= 0 and every path cost below 2^31.
 */
int64_t alloc_flow_mincost(alloc_graph *g, int32_t s, int32_t t, int64_t max_path, int64_t *cost);

#endif
