/*
 * feed.h - the upstream feed: this unit's report revisions sent to the parent unit's homeward
 * (POST /api/v1/reports), once by `homeward push` and continuously by the daemon, whose
 * libcurl multi handle is driven by the libuv loop (uv_poll + uv_timer; nothing blocks the loop).
 */
#ifndef HW_FEED_H
#define HW_FEED_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "error.h"
#include "metrics.h"
#include "reports.h"
#include "store.h"
#include "vault.h"

/* Watch tick of the daemon's feed; HOMEWARD_FEED_TICK_MS (50..60000) overrides it, for tests. */
#define FEED_TICK_MS 2000

/* Longest wait for one exchange with the parent; HOMEWARD_FEED_TIMEOUT_MS overrides it, for tests. */
#define FEED_TIMEOUT_MS 20000

/* What one exchange with the parent came to. Plain values. */
typedef struct feed_outcome {
    bool stored;             /* the parent holds the revision now (stored, or had it already) */
    bool duplicate;          /* it had it already */
    bool conflict;           /* 409 revision_conflict: resend as a revision above latest_revision */
    bool permanent;          /* the parent refused it for a reason a retry cannot fix soon (4xx) */
    int64_t latest_revision; /* with conflict */
    long http_status;        /* 0 when no answer came */
    char error[256];         /* when not stored: what happened, Chinese and English, no token */
} feed_outcome;

/*
 * Read the result of one exchange: the transfer's `curl_rc`, the HTTP status and the answer
 * body (may be NULL). 200/201 with {"stored": ...} is stored; 409 revision_conflict asks for a
 * higher revision; other 4xx are permanent (bad token, wrong unit); the rest (no answer, 5xx)
 * are retried. Pure.
 */
void feed_read_outcome(CURLcode curl_rc, long http_status, const char *body, feed_outcome *out);

/*
 * Milliseconds to wait before retry number `failures` (1, 2, ...): base * 2^(failures-1),
 * capped at `max_ms`, then jittered into [half, full] by `rnd` (any 32-bit random value). Pure.
 */
uint64_t feed_backoff_ms(int failures, uint64_t base_ms, uint64_t max_ms, uint32_t rnd);

/*
 * The report deadline `date` ("YYYY-MM-DD", the whole day counts, Asia/Shanghai) as the Unix
 * time it ends (next day 00:00 +08:00) into *out. HW_EINVAL when empty or malformed. Pure.
 */
int feed_deadline_end(const char *date, time_t *out, hw_error *err);

/* An easy handle for one exchange: POST `body` (borrowed, kept alive by the caller) to the parent. */
typedef struct feed_exchange {
    CURL *easy;
    struct curl_slist *headers;
    char *answer; /* the parent's answer body (at most 64 KiB kept), malloc'ed */
    size_t answer_len;
    char url[REPORTS_URL_MAX + 32];
} feed_exchange;

/* Prepare `x` to send `body` to `p` (URL + "/api/v1/reports", bearer token). 0 or HW_ENOMEM. */
int feed_exchange_init(feed_exchange *x, const reports_parent *p, const char *body, long timeout_ms, hw_error *err);

/* Release what `x` holds (the easy handle must be out of any multi handle). */
void feed_exchange_cleanup(feed_exchange *x);

/*
 * `homeward push`: send the pending revision now, blocking (the CLI, never the loop), and
 * record the outcome in the outbox. A revision_conflict is answered once with a new revision.
 * 0 when the parent stored it (or had it); HW_EIO otherwise, with the reason in `err` (it
 * stays queued for the daemon). *out says what happened.
 */
int feed_push_now(store *s, sqlite3 *rdb, const vault *v, feed_outcome *out, int64_t *revision, hw_error *err);

typedef struct feed feed;

/*
 * Start the daemon's feed on `loop`: every tick it notices committed changes (PRAGMA
 * data_version on `rdb`, the loop's read connection), and after they settle (the settings'
 * report_push_debounce_seconds), or every report_push_interval_minutes, adds a revision when
 * the figures changed and sends the pending one, retrying with backoff and jitter. It sets the
 * homeward_report_* gauges and logs a warning when the report deadline is within
 * report_deadline_warn_hours and changes are unsent. All pointers must outlive the feed.
 */
int feed_start(uv_loop_t *loop, store *s, sqlite3 *rdb, const vault *v, metrics *m, feed **out, hw_error *err);

/* Stop: no more ticks; an exchange in flight is abandoned (its revision stays queued). NULL is fine. */
void feed_stop(feed *f);

/* Whether no store job is in flight. NULL is idle. */
bool feed_idle(const feed *f);

/* Free after feed_stop() once idle and after the loop ran the close callbacks. NULL is fine. */
void feed_free(feed *f);

#endif
