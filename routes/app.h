/* app.h - what every route handler can reach: the loop, the store, a read connection and the metrics. */
#ifndef HW_APP_H
#define HW_APP_H

#include <sqlite3.h>
#include <uv.h>

#include "divisions.h"
#include "jobs.h"
#include "metrics.h"
#include "store.h"
#include "vault.h"

/* Shared by all handlers on the loop thread; owned by whoever started the server (main.c). */
typedef struct app {
    uv_loop_t *loop;
    store *store;
    sqlite3 *rdb; /* the loop thread's read connection (store_reader) */
    metrics *metrics;
    const vault *vault;         /* keys for personal data */
    const divisions *divisions; /* the GB/T 2260 table */
    jobs *jobs;                 /* allocation runs in progress and recent */
    const char *web_dir;
    unsigned request_deadline_ms; /* answer 503 if a write has not committed by then */
} app;

#endif
