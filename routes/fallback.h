/* fallback.h - a response filter that logs, counts and turns h2o's own error pages into the JSON envelope. */
#ifndef HW_FALLBACK_H
#define HW_FALLBACK_H

#include <h2o.h>

#include "app.h"

/*
 * Attach the filter to `pc` (the static-file path, and the host's fallback path where
 * h2o answers protocol errors such as 413). `route` names these requests in logs and
 * metrics and must be a literal. `a` must outlive the server.
 */
void fallback_register(h2o_pathconf_t *pc, app *a, const char *route);

#endif
