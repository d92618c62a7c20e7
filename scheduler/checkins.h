/* checkins.h - check-in events in the store: idempotent by event_id, batches in client-time order, annulment. */
#ifndef HW_CHECKINS_H
#define HW_CHECKINS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "vault.h"

#define CHECKINS_MAX_BATCH 1000

/* One scan as a device sent it. Either `ticket` or `id_number` is set; the answer is filled by the job. */
typedef struct checkins_event {
    char event_id[129];
    char ticket[64];    /* as typed or scanned; normalized by the job */
    char id_number[40]; /* as typed; never logged nor stored */
    char transport[64]; /* the ref of the transport being boarded */
    char device[64];
    char at[40];  /* the client's RFC 3339 time, or "" */
    char *answer; /* result: the JSON answer text, malloc'ed (checkins_job_free frees it) */
} checkins_event;

/* A store_write_fn argument: the events plus who sends them. malloc'ed by checkins_job_new. */
typedef struct checkins_job {
    const vault *vault;
    char user[64];
    char station[64]; /* "" unless the caller is a station user: then every transport must leave it */
    size_t n;
    checkins_event events[]; /* n of them, in request order */
} checkins_job;

/* A zeroed job for `n` events (n <= CHECKINS_MAX_BATCH); NULL when out of memory. Free with checkins_job_free. */
checkins_job *checkins_job_new(size_t n, const vault *v, const char *user, const char *station);

/* Free the job and its answers. NULL is fine. Usable as route_write's free_arg. */
void checkins_job_free(void *job);

/*
 * A store_write_fn: apply the job's events in client-time order (ties: request order).
 * An event_id seen before gets its stored answer and changes nothing; otherwise the
 * decision of checkin_decide() is stored in checkins with its answer, and an `ok`
 * boards the ticket (also when an older offline scan supersedes the boarding on
 * record: the earliest scan wins across uploads too). HW_ENOTFOUND "unknown_transport" when a transport ref does not
 * exist, HW_EFORBIDDEN "other_station" when a station user names a transport leaving
 * elsewhere; then nothing is applied.
 */
int checkins_apply(sqlite3 *db, void *job, hw_error *err);

/* The annulment of one ok boarding. */
typedef struct checkins_annul_job {
    char event_id[129];
    char reason[256];
    char user[64];
    char station[64]; /* as in checkins_job */
    char ticket[11];  /* result: the ticket set back to issued */
} checkins_annul_job;

/*
 * A store_write_fn with a checkins_annul_job: set the ticket boarded by that event back
 * to issued and mark the check-in annulled, audited. HW_ENOTFOUND "unknown_event",
 * HW_ECONFLICT "not_annullable" (not an ok boarding, already annulled, or departed),
 * HW_EFORBIDDEN "other_station".
 */
int checkins_annul(sqlite3 *db, void *job, hw_error *err);

/* Seconds since the epoch of an RFC 3339 time ("2027-01-11T09:00:00+08:00"; no offset means +08:00); -1 if malformed.
 * Pure. */
int64_t checkins_parse_time(const char *s);

#endif
