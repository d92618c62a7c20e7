/* metrics.h - counters for GET /metrics (Prometheus text); used from the loop thread only. */
#ifndef HW_METRICS_H
#define HW_METRICS_H

#include <stddef.h>

#include "store.h"

typedef struct metrics metrics;

/* A new, empty set of counters; free with metrics_free(). NULL on out of memory. */
metrics *metrics_new(void);
void metrics_free(metrics *m);

/*
 * Count one finished request. `route` is the route pattern (e.g. "/api/v1/transports/{ref}"),
 * never the raw path, so no personal data reaches the metrics; it must be a string that
 * lives as long as `m` (a literal or a routing-table entry).
 */
void metrics_request(metrics *m, const char *method, const char *route, int status, double ms);

/* Open connections: +1 on accept, -1 on close. */
void metrics_connection(metrics *m, int delta);

/* Set a named gauge (name must be a literal, e.g. "homeward_report_deadline_seconds"). */
void metrics_gauge(metrics *m, const char *name, const char *help, double value);

/*
 * Render everything, plus the store's writer statistics when `s` is not NULL, as
 * Prometheus text. *out is malloc'ed; the caller frees it.
 */
int metrics_render(const metrics *m, store *s, char **out, size_t *len);

#endif
