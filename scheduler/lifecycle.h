/* lifecycle.h - the transport lifecycle timer (boarding opens, standby opens) and standby seating (DESIGN §4). */
#ifndef HW_LIFECYCLE_H
#define HW_LIFECYCLE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "error.h"
#include "store.h"
#include "transports.h"
#include "vault.h"

/* Default tick of the timer; HOMEWARD_LIFECYCLE_MS (100..3600000) overrides it, for tests. */
#define LIFECYCLE_TICK_MS 30000

/* What one transport needs at a given moment (bit flags). */
enum {
    LIFECYCLE_OPEN_BOARDING = 1, /* confirmed -> boarding, record boarding_opened_at */
    LIFECYCLE_OPEN_STANDBY = 2,  /* record standby_opened_at (the no-show cutoff passed) */
};

/* The facts about one transport that the lifecycle looks at. Plain values. */
typedef struct lifecycle_transport {
    transport_status status;
    time_t depart;       /* departure, Unix seconds */
    bool standby_opened; /* standby_opened_at is already set */
} lifecycle_transport;

/* The settings table's two durations, in minutes. */
typedef struct lifecycle_settings {
    int boarding_opens_minutes; /* boarding opens this long before departure */
    int no_show_cutoff_minutes; /* unboarded seats may go to standby this long before departure */
} lifecycle_settings;

/*
 * Which changes `t` needs at time `now` (LIFECYCLE_* flags, 0 for none). Only a
 * confirmed transport is opened for boarding (planned ones are not chartered yet; an
 * explicit boarding needs nothing); standby opens for a confirmed or boarding transport
 * once, at the cutoff. Cancelled, departed and arrived transports are left alone. Pure.
 */
unsigned lifecycle_due(const lifecycle_transport *t, time_t now, const lifecycle_settings *s);

/* Parse RFC 3339 "YYYY-MM-DDTHH:MM[:SS]" with "+HH:MM", "-HH:MM" or "Z" (none = +08:00) into *out. Pure. */
int lifecycle_parse_time(const char *s, time_t *out, hw_error *err);

/* Read the settings table (defaults 120 and 20 for rows that are missing or not numbers). */
int lifecycle_settings_read(sqlite3 *db, lifecycle_settings *out, hw_error *err);

/*
 * The write job of one pass (a store_write_fn): apply lifecycle_due() to every
 * transport at the current time. `arg` is an int counter of transports changed (may be NULL).
 */
int lifecycle_pass(sqlite3 *db, void *arg, hw_error *err);

/* Whether the standby window of a transport is open at `now` (boarding, and past the no-show cutoff). Pure. */
bool lifecycle_standby_open(transport_status status, time_t depart, time_t now, const lifecycle_settings *s);

/* One standby request, filled by the route; the result fields are set by lifecycle_standby(). */
typedef struct lifecycle_standby_job {
    int64_t campaign_id;
    char ref[64];                        /* the transport */
    int64_t registration;                /* by id, or */
    uint8_t id_index[VAULT_INDEX_BYTES]; /* by the id number's blind index, when registration == 0 */
    char station[64];                    /* for station users: the transport must leave from here; "" for others */
    /* results */
    char code[16];    /* the new ticket's code */
    char reason[256]; /* for not_fit: why */
} lifecycle_standby_job;

/*
 * The write job of POST .../standby (a store_write_fn, `arg` a lifecycle_standby_job):
 * seat the registration on the transport's first free seat with a standby ticket.
 * Free seats and the insert are decided inside this one job on the writer thread, so
 * concurrent requests can never overfill the transport. Errors: HW_ENOTFOUND, HW_EFORBIDDEN
 * ("other_station"), HW_ECONFLICT with codes not_open, has_ticket, not_fit, full.
 */
int lifecycle_standby(sqlite3 *db, void *arg, hw_error *err);

typedef struct lifecycle lifecycle;

/*
 * Start the timer on `loop` (an immediate pass, then one every tick). Each pass is a
 * store_submit() job, at most one in flight. *out is owned by the caller: lifecycle_stop()
 * it, then free it with lifecycle_free() once lifecycle_idle() (or after the loop ran down).
 */
int lifecycle_start(uv_loop_t *loop, store *s, lifecycle **out, hw_error *err);

/* Stop the timer (no more passes). NULL is fine. */
void lifecycle_stop(lifecycle *lc);

/* Whether no pass is in flight. NULL is idle. */
bool lifecycle_idle(const lifecycle *lc);

/* Free `lc` after lifecycle_stop() and once idle; the timer handle is freed by its close callback. */
void lifecycle_free(lifecycle *lc);

#endif
