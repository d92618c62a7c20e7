/* alloc_impl.h - the model of one allocation run, shared by alloc*.c only (not a public header). */
#ifndef HW_ALLOC_IMPL_H
#define HW_ALLOC_IMPL_H

#include <stdint.h>

#include "alloc.h"

/*
 * Words used inside the allocator:
 *   unit    what gets seated as a whole: a party, or the members of a partly fixed party still without a seat.
 *   set     the set of destinations of a unit (a single destination for nearly all of them).
 *   group   usable transports with the same departure date and the same stops: interchangeable for fitting.
 *   cover   per set, the groups covering every destination of it, sorted by (date, level desc, group), so the
 *           groups a unit's window admits are one contiguous range [a, b) of that list.
 *   class   units with the same (set, range, has-priority): one source node of the flow network.
 *   canonical transport order  usable transports grouped by group (ordered by date, then stops), inside a
 *           group by free seats desc, then ref. Every loop runs in canonical orders: that is the determinism.
 */

typedef struct alloc_unit {
    int32_t party;      /* input party */
    int32_t size;       /* people to seat */
    int32_t prio;       /* priority people among them */
    int64_t order;      /* smallest registration_id among them: first come, first served */
    int32_t set;        /* destination set, -1 when a destination code is malformed */
    int32_t lo, hi;     /* window: intersection of the members' windows */
    int32_t a, b;       /* range in the set's cover list that departs inside the window */
    int32_t cls;        /* class, -1 when nothing fits even an empty transport */
    int32_t pin;        /* canonical transport all kept members of the party hold, -1 */
    int32_t at;         /* canonical transport, -1 while unseated */
    int32_t next, prev; /* list of the units on `at` */
    uint8_t picked;     /* chosen by the rounding of its class's flow */
} alloc_unit;

typedef struct alloc_class {
    int32_t set, a, b;
    int32_t first, count;     /* units in m->class_units[first .. first+count), in selection order */
    int64_t people, prio;     /* people and priority people in its units */
    int32_t flow;             /* people the flow seats from it */
    int32_t edge0;            /* its class->group edges are edge0 .. edge0 + (b - a) - 1, in cover order */
    int32_t best;             /* the most specific level any of its groups offers */
    int32_t fitting, largest; /* filled for the report: transports in range, largest free block */
    int32_t failed;           /* smallest unit size that found no room since frees last grew (pruning) */
    int32_t room;             /* largest free block its range offered when last estimated (repair) */
} alloc_class;

typedef struct alloc_model {
    const alloc_input *in;

    /* transports in canonical order */
    int32_t nt;
    int32_t *t_src;   /* canonical -> input index */
    int32_t *t_canon; /* input index -> canonical, -1 when unusable */
    int32_t *t_group;
    int32_t *t_free;   /* free seats now */
    int32_t *t_new;    /* people seated by this run */
    int32_t *t_head;   /* first unit on it, -1 */
    uint8_t *t_masked; /* hidden from searches (consolidation) */

    /* groups */
    int32_t ng;
    int32_t *g_first, *g_count, *g_date;
    int64_t *g_free;

    /* destinations (sorted codes) and destination sets */
    int32_t nd;
    char (*d_code)[7];
    int32_t *p_dest; /* per person: destination id, -1 when malformed */
    int32_t ns;      /* sets 0..nd-1 are the single destinations */
    int32_t *s_first, *s_count, *s_dests;
    int32_t *cv_first; /* ns + 1 */
    int32_t *cv_group;
    int8_t *cv_level;

    /* units, in order of `order` */
    int32_t nu;
    alloc_unit *u;
    int32_t *p_unit; /* per person: its unit, -1 when the person keeps a fixed ticket */

    /* classes */
    int32_t nc;
    alloc_class *c;
    int32_t *class_units;
    int32_t *edge_flow; /* per class->group edge: people the flow sends */

    /* max-free segment tree over canonical transports */
    int32_t seg_size;
    int32_t *seg;

    /* figures */
    int64_t bound_free, prio_bound_free; /* flow bounds without the fixed tickets */
    int64_t prio_whole_free;             /* priority bound with parties whole (LP relaxation), same */
    int64_t budget;                      /* work left for the improvement passes */

    alloc_progress_fn progress;
    void *ctx;
} alloc_model;

/* alloc_model.c */

/* Build *m (the caller's) from `in`, which m keeps pointing at but never writes. Free with alloc_model_free()
 * whatever the result; errors: HW_ENOMEM. */
int alloc_model_build(alloc_model *m, const alloc_input *in, hw_error *err);
void alloc_model_free(alloc_model *m);
/* divisions_level(), for the report. */
int alloc_level_of(const char *code);
/* The most specific stop of t covering dest into out ("" when none); returns its level, 0 when none. */
int alloc_dropoff(const alloc_transport *t, const char *dest, char out[7]);
/* Priority people per seat of a unit, scaled by 2^30: the order in which the priority stage values units. */
int64_t alloc_ratio(const alloc_unit *u);

/* alloc_bound.c: the bounds into m->bound_free, prio_bound_free, prio_whole_free; the guiding flow into
 * m->edge_flow. Errors: HW_ENOMEM, or what alloc_tick() returns. */
int alloc_bound_run(alloc_model *m, hw_error *err);

/* alloc_place.c: every unit seated or not, in m->u[].at. Errors: HW_ENOMEM, or what alloc_tick() returns. */
int alloc_place_run(alloc_model *m, hw_error *err);
void alloc_seat_unit(alloc_model *m, int32_t ui, int32_t t);
void alloc_unseat_unit(alloc_model *m, int32_t ui);
/* The best canonical transport with room for unit ui at cost (3 - level) <= max_cost, -1 when none. */
int32_t alloc_find(alloc_model *m, int32_t ui, int32_t max_cost);
/* Whether transport t covers unit ui in its window and has room for it now. */
int alloc_fits(const alloc_model *m, int32_t ui, int32_t t);

/* alloc_report.c: fill `out` (arrays it allocates, freed by alloc_result_free()) from the placed model. */
int alloc_report(alloc_model *m, alloc_result *out, hw_error *err);

/* alloc.c: report progress; HW_EBUSY "alloc_cancelled" when the caller's callback asks to stop. */
int alloc_tick(alloc_model *m, const char *stage, int percent, hw_error *err);

#endif
