/* store.h - the SQLite store: one file in WAL mode, migrations, and the single writer thread with group commit. */
#ifndef HW_STORE_H
#define HW_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "error.h"

typedef struct store store;

/*
 * A write, run on the writer thread inside a transaction that it shares with whatever
 * else was queued (group commit), under its own savepoint: returning non-zero rolls
 * back this job alone. `db` must not be kept after return.
 */
typedef int (*store_write_fn)(sqlite3 *db, void *arg, hw_error *err);

/*
 * One queued write. The caller owns the struct and keeps it alive until it is
 * finished: for store_submit() until `done` runs, for store_write() until it returns.
 */
typedef struct store_job {
    store_write_fn fn;
    void *arg;
    /* Runs on the loop thread after the commit (or the failure) is final. */
    void (*done)(struct store_job *job);
    /** result: 0 once committed, else the job's (or the commit's) error */
    int rc;
    hw_error err;
    /** how many jobs shared this job's transaction (for metrics and tests) */
    size_t batch_size;
    /* private to the store */
    struct store_job *_next;
    int _finished;
} store_job;

/* Most jobs one transaction takes, so a burst cannot make one commit arbitrarily late. */
#define STORE_MAX_BATCH 512

/*
 * Open (creating if needed) the database at `path`, apply every migration and start
 * the writer thread. On success *out is owned by the caller: store_close() it.
 */
int store_open(const char *path, store **out, hw_error *err);

/* Drain the queue, stop the writer thread and close every connection. NULL is fine. */
void store_close(store *s);

/*
 * Deliver job completions to `loop` through a uv_async_t (so `done` runs on the
 * loop thread). Call once, from the loop thread, before store_submit().
 */
int store_attach_loop(store *s, uv_loop_t *loop, hw_error *err);

/* Close the uv_async_t from the loop thread (before the loop is closed). */
void store_detach_loop(store *s);

/* Queue `job`; its `done` runs on the attached loop once the transaction is final. */
void store_submit(store *s, store_job *job);

/*
 * Run `fn` through the writer thread and wait until its transaction committed (0)
 * or failed (the job's error, copied into `err`). Safe from any thread except the
 * writer itself; this is what the CLI and the tests use.
 */
int store_write(store *s, store_write_fn fn, void *arg, hw_error *err);

/*
 * Open a new read-only connection to the same file (WAL: it never blocks the writer).
 * The caller owns *db and closes it with sqlite3_close(). One per thread.
 */
int store_reader(store *s, sqlite3 **db, hw_error *err);

/*
 * Finalize the statements cached on `db` (store_prepare_cached) and close it. Use it for any
 * connection that may hold cached statements (the loop's reader does: auth_lookup), since a
 * plain sqlite3_close() fails while statements are left. NULL is fine. Returns 0, or HW_EBUSY
 * when a statement that is not the store's (prepared and never finalized) kept it open.
 */
int store_reader_close(sqlite3 *db);

/* The database file's path (owned by the store). */
const char *store_path(const store *s);

/* Turn an SQLite failure on `db` into an hw_error (HW_EDB, or HW_ECONFLICT for constraints). */
int store_error(sqlite3 *db, int sqlite_rc, const char *what, hw_error *err);

/* Run one or more SQL statements without results (prepare-time and step errors reported). */
int store_exec(sqlite3 *db, const char *sql, hw_error *err);

/*
 * A statement for `sql` on `db`, compiled once and kept on the connection: a statement
 * with the same text that is not in use is reset and handed out again. Give it back with
 * store_release() (never finalize it); store_close() finalizes what is left on the writer's
 * connection, store_reader_close() on a reader's. For hot paths (the writer thread, the
 * loop's per-request token check), where compiling each time would cost more than the work.
 */
int store_prepare_cached(sqlite3 *db, const char *sql, sqlite3_stmt **st, hw_error *err);

/* Reset a cached statement and drop its bindings so it can be handed out again. NULL is fine. */
void store_release(sqlite3_stmt *st);

/* Counters for /metrics: committed transactions and the jobs they carried. */
typedef struct store_stats {
    uint64_t commits;
    uint64_t jobs;
    uint64_t failed_jobs;
    uint64_t batch_hist[8]; /* batch sizes: 1, 2-3, 4-7, 8-15, 16-31, 32-63, 64-127, 128+ */
} store_stats;

/* Copy the current counters into *out (thread-safe). */
void store_get_stats(store *s, store_stats *out);

#endif
