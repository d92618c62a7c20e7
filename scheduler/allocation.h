/* allocation.h - the imperative shell around alloc.c: load a snapshot from SQLite, apply the plan as tickets. */
#ifndef HW_ALLOCATION_H
#define HW_ALLOCATION_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "alloc.h"
#include "divisions.h"
#include "error.h"

/*
 * Everything alloc_run() needs, read in one read transaction, plus the database ids behind
 * each array index. Owned by the caller: allocation_snapshot_free().
 */
typedef struct allocation_snapshot {
    alloc_input in;
    alloc_person *people;
    alloc_party *parties;
    alloc_transport *transports;
    int64_t *transport_ids;   /* per transport index */
    char (*layouts)[24];      /* per transport index: its seat layout text */
    int64_t *party_first_reg; /* per party: its first registration id (to name it) */
    char (*party_keys)[64];   /* per party: its 同行组 key, "" for a person alone */
    char (*party_names)[80];  /* per party: "ref 姓名" of its first registration, for people to find it */
    int64_t campaign_id;
    char fingerprint[96]; /* what changed since the load would change this */
} allocation_snapshot;

/* Read the current campaign's active registrations, transports and live tickets. */
int allocation_load(sqlite3 *db, allocation_snapshot *snap, hw_error *err);
void allocation_snapshot_free(allocation_snapshot *snap);

/* One run: the snapshot and the engine's result in; the applied figures out. */
typedef struct allocation_apply_job {
    const allocation_snapshot *snap; /* borrowed */
    const alloc_result *result;      /* borrowed */
    bool dry_run;                    /* seat and count everything, then roll back */
    /* outputs */
    int64_t run_id;
    int64_t issued;          /* new tickets */
    int64_t cancelled;       /* tickets cancelled because their transport was cancelled */
    int64_t parties_together; /* parties of two or more sitting on adjacent seats (new seats only) */
    int64_t parties_multi;    /* parties of two or more seated by this run */
    json_t *summary;          /* the run's report (owned by the job: allocation_apply_job_free) */
} allocation_apply_job;

/*
 * A store_write_fn with `arg` = allocation_apply_job *: check that nothing changed since
 * the snapshot (HW_ECONFLICT "snapshot_stale" otherwise: run again), cancel lapsed tickets,
 * seat every newly placed party on adjacent seats, issue ticket codes, and record the run.
 * With dry_run, the same work is rolled back.
 */
int allocation_apply(sqlite3 *db, void *arg, hw_error *err);

/* Free the summary. */
void allocation_apply_job_free(allocation_apply_job *job);

/*
 * The run's report as JSON (the shape of `homeward allocate --format json`): figures,
 * unseated parties with reasons, suggestions. `d` names divisions. New reference.
 */
json_t *allocation_report(const allocation_snapshot *snap, const alloc_result *r, const allocation_apply_job *job,
                          const divisions *d);

#endif
