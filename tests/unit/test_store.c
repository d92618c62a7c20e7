/* test_store.c - unit tests for scheduler/store.c: schema and pragmas, group commit, rollback and acknowledgement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <uv.h>

#include "error.h"
#include "schema.h"
#include "store.h"

#include "fixture.h"

#define WAIT_SECONDS 5 /* no step of these tests should take anywhere near this long */

/* Holds the writer thread inside a job until the test releases it. */
typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool running;
    bool released;
    bool timed_out;
} gate;

typedef struct loop_ctx {
    uv_loop_t loop;
    uv_timer_t watchdog;
    pthread_t thread;
    sqlite3 *reader; /* a separate connection, owned by the loop thread */
    size_t expected;
    size_t finished;
    bool timed_out;
} loop_ctx;

/* One test write: inserts `value` into t (or an orphan child row), optionally failing or holding the writer. */
typedef struct test_job {
    store_job job; /* first member: done() receives &job, which is the test_job */
    loop_ctx *ctx;
    int value;
    bool fail;         /* insert, then return an error */
    bool orphan;       /* insert a child row without a parent: the deferred foreign key fails at COMMIT */
    gate *gate;        /* when set, hold the writer until released */
    store *peek;       /* when set, look at the row from another connection before the commit */
    int seen_inside;   /* rows with this value a separate reader saw while the job ran (-1: not looked) */
    int runs;          /* how many times the writer ran fn */
    int done_index;    /* position among completions (-1: done not run) */
    bool done_on_loop; /* done ran on the loop thread */
    int seen_at_done;  /* rows with this value a separate reader saw when done ran */
} test_job;

/* ---------------------------------------------------------------- helpers */

/* A fresh temporary directory and its database path, nothing opened (f->s stays NULL until the test opens it). */
static int setup_dir(void **state)
{
    return fixture_new(state, FIXTURE_DIR);
}

/* A temp directory with an open store (tests add their tables with create_test_tables()). */
static int setup_store(void **state)
{
    return fixture_new(state, FIXTURE_STORE);
}

static void create_test_tables(store *s)
{
    hw_error err;
    int rc = store_write(s, fixture_exec_job,
                         "CREATE TABLE t(v INTEGER NOT NULL);"
                         "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
                         "CREATE TABLE child(id INTEGER PRIMARY KEY,"
                         "  pid INTEGER NOT NULL REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);",
                         &err);
    assert_int_equal(rc, 0);
}

/* Rows of t with v = value (or of child with pid = value). No cmocka asserts: called on other threads too. */
static int count_value(sqlite3 *db, const char *table, int value)
{
    char sql[96];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = %d", table, strcmp(table, "t") == 0 ? "v" : "pid",
             value);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

static int64_t reader_count(store *s, const char *sql)
{
    sqlite3 *db = NULL;
    hw_error err;
    assert_int_equal(store_reader(s, &db, &err), 0);
    int64_t n = fixture_query_int(db, sql);
    sqlite3_close(db);
    return n;
}

static void deadline_in(struct timespec *ts, int seconds)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += seconds;
}

static void gate_init(gate *g)
{
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
}

static void gate_destroy(gate *g)
{
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cv);
}

/* On the writer thread: say we are running, then wait for the release (or give up after WAIT_SECONDS). */
static void gate_hold(gate *g)
{
    struct timespec until;
    deadline_in(&until, WAIT_SECONDS);
    pthread_mutex_lock(&g->mu);
    g->running = true;
    pthread_cond_broadcast(&g->cv);
    while (!g->released && !g->timed_out)
        if (pthread_cond_timedwait(&g->cv, &g->mu, &until) == ETIMEDOUT)
            g->timed_out = true;
    pthread_mutex_unlock(&g->mu);
}

/* Wait until the writer is inside gate_hold(); false if it never got there. */
static bool gate_wait_running(gate *g)
{
    struct timespec until;
    deadline_in(&until, WAIT_SECONDS);
    pthread_mutex_lock(&g->mu);
    while (!g->running)
        if (pthread_cond_timedwait(&g->cv, &g->mu, &until) == ETIMEDOUT)
            break;
    bool running = g->running;
    pthread_mutex_unlock(&g->mu);
    return running;
}

static void gate_release(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->released = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static int insert_int(sqlite3 *db, const char *sql, int value, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "test insert", err);
    sqlite3_bind_int(st, 1, value);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "test insert", err);
}

/* The store_write_fn of every test_job. Runs on the writer thread: no cmocka asserts here. */
static int test_job_fn(sqlite3 *db, void *arg, hw_error *err)
{
    test_job *tj = arg;
    tj->runs++;
    if (tj->gate != NULL)
        gate_hold(tj->gate);
    const char *sql = tj->orphan ? "INSERT INTO child(pid) VALUES (?)" : "INSERT INTO t(v) VALUES (?)";
    int rc = insert_int(db, sql, tj->value, err);
    if (rc != 0)
        return rc;
    if (tj->peek != NULL) {
        sqlite3 *other = NULL;
        hw_error ignored;
        tj->seen_inside = store_reader(tj->peek, &other, &ignored) == 0 ? count_value(other, "t", tj->value) : -2;
        sqlite3_close(other);
    }
    if (tj->fail)
        return error_set(err, HW_EINVAL, "test_failure", "测试失败 (test failure): %d", tj->value);
    return 0;
}

static void on_done(store_job *job)
{
    test_job *tj = (test_job *)job;
    loop_ctx *ctx = tj->ctx;
    tj->done_index = (int)ctx->finished++;
    tj->done_on_loop = pthread_equal(pthread_self(), ctx->thread) != 0;
    tj->seen_at_done = count_value(ctx->reader, tj->orphan ? "child" : "t", tj->value);
    if (ctx->finished == ctx->expected)
        uv_stop(&ctx->loop);
}

static void test_job_init(test_job *tj, loop_ctx *ctx, int value)
{
    memset(tj, 0, sizeof *tj);
    tj->job.fn = test_job_fn;
    tj->job.arg = tj;
    tj->job.done = on_done;
    tj->job.rc = 12345; /* the store must overwrite this */
    tj->ctx = ctx;
    tj->value = value;
    tj->seen_inside = -1;
    tj->done_index = -1;
    tj->seen_at_done = -1;
}

static void on_watchdog(uv_timer_t *timer)
{
    loop_ctx *ctx = timer->data;
    ctx->timed_out = true;
    uv_stop(&ctx->loop);
}

static void loop_start(loop_ctx *ctx, store *s)
{
    hw_error err;
    memset(ctx, 0, sizeof *ctx);
    assert_int_equal(uv_loop_init(&ctx->loop), 0);
    assert_int_equal(uv_timer_init(&ctx->loop, &ctx->watchdog), 0);
    ctx->watchdog.data = ctx;
    ctx->thread = pthread_self();
    assert_int_equal(store_attach_loop(s, &ctx->loop, &err), 0);
    assert_int_equal(store_reader(s, &ctx->reader, &err), 0);
}

/* Run the loop until `expected` completions in total have been delivered. */
static void loop_run(loop_ctx *ctx, size_t expected)
{
    ctx->expected = expected;
    uv_timer_start(&ctx->watchdog, on_watchdog, WAIT_SECONDS * 1000, 0);
    if (ctx->finished < expected)
        uv_run(&ctx->loop, UV_RUN_DEFAULT);
    uv_timer_stop(&ctx->watchdog);
    assert_false(ctx->timed_out);
    assert_int_equal(ctx->finished, expected);
}

/* Detach the store and close the loop: no handle may be left behind. */
static void loop_finish(loop_ctx *ctx, store *s)
{
    store_detach_loop(s);
    uv_close((uv_handle_t *)&ctx->watchdog, NULL);
    uv_run(&ctx->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&ctx->loop), 0);
    sqlite3_close(ctx->reader);
}

static int64_t hist_total(const store_stats *st)
{
    int64_t n = 0;
    for (int i = 0; i < 8; i++)
        n += (int64_t)st->batch_hist[i];
    return n;
}

/* ---------------------------------------------------------------- schema and connections */

static int pragma_job(sqlite3 *db, void *arg, hw_error *err)
{
    int64_t *out = arg; /* [0] synchronous, [1] foreign_keys, [2] 1 if journal_mode is "wal" */
    sqlite3_stmt *st = NULL;
    (void)err;
    out[0] = fixture_query_int(db, "PRAGMA synchronous");
    out[1] = fixture_query_int(db, "PRAGMA foreign_keys");
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        out[2] = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    return 0;
}

static void test_open_creates_schema_and_pragmas(void **state)
{
    fixture *f = *state;
    hw_error err;
    sqlite3 *db = NULL;
    int64_t pragmas[3] = {-1, -1, -1};

    assert_true(schema_version() >= 1);
    assert_int_equal(store_reader(f->s, &db, &err), 0);
    assert_int_equal(fixture_query_int(db, "PRAGMA user_version"), schema_version());
    assert_int_equal(fixture_query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                           "('unit', 'campaign', 'users', 'audit')"),
                     4);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);

    assert_int_equal(store_write(f->s, pragma_job, pragmas, &err), 0);
    assert_int_equal(pragmas[0], 2); /* synchronous = FULL on the writer */
    assert_int_equal(pragmas[1], 1); /* foreign_keys = ON */
    assert_int_equal(pragmas[2], 1); /* journal_mode = wal */
    assert_string_equal(store_path(f->s), f->db);

    /* reopening an up-to-date file succeeds and keeps the version */
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->db, &f->s, &err), 0);
    assert_int_equal(reader_count(f->s, "PRAGMA user_version"), schema_version());
}

static void test_schema_too_new_refused(void **state)
{
    fixture *f = *state;
    sqlite3 *db = NULL;
    hw_error err;
    error_clear(&err);
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    store *s = NULL;
    assert_int_equal(store_open(f->db, &s, &err), HW_EINVAL);
    assert_null(s);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, "schema_too_new");
    assert_non_null(strstr(err.message, "999"));

    /* the refused file is left as it was */
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(fixture_query_int(db, "PRAGMA user_version"), 999);
    assert_int_equal(fixture_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'users'"), 0);
    sqlite3_close(db);
}

static void test_reader_is_read_only(void **state)
{
    fixture *f = *state;
    sqlite3 *db = NULL;
    hw_error err;
    create_test_tables(f->s);
    assert_int_equal(store_reader(f->s, &db, &err), 0);

    assert_int_not_equal(store_exec(db, "INSERT INTO t(v) VALUES (1)", &err), 0);
    assert_int_not_equal(sqlite3_exec(db, "INSERT INTO t(v) VALUES (1)", NULL, NULL, NULL) & 0xff, SQLITE_OK);
    assert_int_not_equal(store_exec(db, "CREATE TABLE u(x)", &err), 0);
    assert_int_not_equal(store_exec(db, "PRAGMA user_version = 7", &err), 0);
    assert_int_equal(fixture_query_int(db, "SELECT count(*) FROM t"), 0);
    assert_int_equal(fixture_query_int(db, "PRAGMA user_version"), schema_version());
    sqlite3_close(db);
    assert_int_equal(reader_count(f->s, "SELECT count(*) FROM t"), 0);
}

/* ---------------------------------------------------------------- group commit */

typedef struct writer_arg {
    store *s;
    int thread;
    int failures;
} writer_arg;

#define WRITERS 8
#define WRITES_EACH 200

static void *writer_thread(void *arg)
{
    writer_arg *w = arg;
    for (int i = 0; i < WRITES_EACH; i++) {
        test_job tj;
        hw_error err;
        test_job_init(&tj, NULL, w->thread * 1000 + i);
        if (store_write(w->s, test_job_fn, &tj, &err) != 0 || tj.runs != 1)
            w->failures++;
    }
    return NULL;
}

static void test_concurrent_writers_share_batches(void **state)
{
    fixture *f = *state;
    pthread_t threads[WRITERS];
    writer_arg args[WRITERS];
    store_stats st;
    create_test_tables(f->s);

    for (int i = 0; i < WRITERS; i++) {
        args[i] = (writer_arg){.s = f->s, .thread = i};
        assert_int_equal(pthread_create(&threads[i], NULL, writer_thread, &args[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }

    assert_int_equal(reader_count(f->s, "SELECT count(*) FROM t"), WRITERS * WRITES_EACH);
    assert_int_equal(reader_count(f->s, "SELECT count(DISTINCT v) FROM t"), WRITERS * WRITES_EACH);

    store_get_stats(f->s, &st);
    const uint64_t jobs = WRITERS * WRITES_EACH + 1; /* + the CREATE TABLE */
    assert_int_equal(st.jobs, jobs);
    assert_int_equal(st.failed_jobs, 0);
    assert_true(st.commits < st.jobs); /* some transactions carried more than one job */
    /* each thread has one write in flight at a time, so no batch holds more than WRITERS jobs */
    assert_true(st.commits >= 1 + (WRITERS * WRITES_EACH) / WRITERS);
    assert_int_equal(hist_total(&st), st.commits);
    assert_true(st.batch_hist[1] + st.batch_hist[2] + st.batch_hist[3] > 0);
    for (int b = 4; b < 8; b++)
        assert_int_equal(st.batch_hist[b], 0);
    /* the histogram's buckets bound the number of jobs: bucket b holds batches of 2^b .. 2^(b+1)-1 */
    uint64_t low = 0, high = 0;
    for (int b = 0; b < 8; b++) {
        low += st.batch_hist[b] << b;
        high += st.batch_hist[b] * ((2u << b) - 1);
    }
    assert_true(low <= st.jobs && st.jobs <= high);
}

typedef struct submit_arg {
    store *s;
    test_job *job;
} submit_arg;

static void *submit_thread(void *arg)
{
    submit_arg *a = arg;
    store_submit(a->s, &a->job->job);
    return NULL;
}

#define QUEUED 16

/* While one job holds the writer, jobs queued from other threads all go into the next transaction. */
static void test_busy_writer_commits_queue_as_one_batch(void **state)
{
    fixture *f = *state;
    loop_ctx ctx;
    gate g;
    test_job blocker, jobs[QUEUED];
    pthread_t threads[QUEUED];
    submit_arg args[QUEUED];
    store_stats st;
    create_test_tables(f->s);
    gate_init(&g);
    loop_start(&ctx, f->s);

    test_job_init(&blocker, &ctx, -1);
    blocker.gate = &g;
    store_submit(f->s, &blocker.job);
    assert_true(gate_wait_running(&g));
    for (int i = 0; i < QUEUED; i++) {
        test_job_init(&jobs[i], &ctx, i);
        args[i] = (submit_arg){.s = f->s, .job = &jobs[i]};
        assert_int_equal(pthread_create(&threads[i], NULL, submit_thread, &args[i]), 0);
    }
    for (int i = 0; i < QUEUED; i++)
        pthread_join(threads[i], NULL); /* store_submit() returned: the job is queued */
    gate_release(&g);
    loop_run(&ctx, QUEUED + 1);

    assert_false(g.timed_out);
    assert_int_equal(blocker.job.rc, 0);
    assert_int_equal(blocker.job.batch_size, 1);
    assert_int_equal(blocker.done_index, 0);
    for (int i = 0; i < QUEUED; i++) {
        assert_int_equal(jobs[i].job.rc, 0);
        assert_int_equal(jobs[i].job.batch_size, QUEUED);
        assert_int_equal(jobs[i].runs, 1);
        assert_true(jobs[i].done_on_loop);
        assert_int_equal(jobs[i].seen_at_done, 1);
    }
    assert_int_equal(fixture_query_int(ctx.reader, "SELECT count(*) FROM t"), QUEUED + 1);
    store_get_stats(f->s, &st);
    assert_int_equal(st.commits, 3); /* CREATE TABLE, the blocker, the queue */
    assert_int_equal(st.jobs, QUEUED + 2);
    assert_int_equal(st.batch_hist[0], 2);
    assert_int_equal(st.batch_hist[4], 1); /* 16..31 */
    assert_int_equal(hist_total(&st), 3);
    loop_finish(&ctx, f->s);
    gate_destroy(&g);
}

/*
 * Hold the writer with a blocker, queue `n` jobs, release, and deliver all completions:
 * the queued jobs share one transaction.
 */
static void run_held_batch(fixture *f, loop_ctx *ctx, test_job *jobs, size_t n)
{
    gate g;
    test_job blocker;
    gate_init(&g);
    test_job_init(&blocker, ctx, -1);
    blocker.gate = &g;
    store_submit(f->s, &blocker.job);
    assert_true(gate_wait_running(&g));
    for (size_t i = 0; i < n; i++)
        store_submit(f->s, &jobs[i].job);
    gate_release(&g);
    loop_run(ctx, ctx->finished + n + 1);
    assert_false(g.timed_out);
    assert_int_equal(blocker.job.rc, 0);
    gate_destroy(&g);
}

/* A long queue is split at STORE_MAX_BATCH jobs per transaction; completions keep submission order. */
static void test_batch_is_capped(void **state)
{
    fixture *f = *state;
    loop_ctx ctx;
    enum { N = STORE_MAX_BATCH + 88 };
    test_job *jobs = calloc(N, sizeof *jobs);
    assert_non_null(jobs);
    create_test_tables(f->s);
    loop_start(&ctx, f->s);
    for (int i = 0; i < N; i++)
        test_job_init(&jobs[i], &ctx, i);

    run_held_batch(f, &ctx, jobs, N);

    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].job.rc, 0);
        assert_int_equal(jobs[i].job.batch_size, i < STORE_MAX_BATCH ? STORE_MAX_BATCH : N - STORE_MAX_BATCH);
        assert_int_equal(jobs[i].done_index, 1 + i);
        assert_int_equal(jobs[i].seen_at_done, 1);
    }
    assert_int_equal(fixture_query_int(ctx.reader, "SELECT count(*) FROM t WHERE v >= 0"), N);
    loop_finish(&ctx, f->s);
    free(jobs);
}

static void test_failing_job_rolls_back_alone(void **state)
{
    fixture *f = *state;
    loop_ctx ctx;
    test_job jobs[3];
    store_stats st;
    create_test_tables(f->s);
    loop_start(&ctx, f->s);
    for (int i = 0; i < 3; i++)
        test_job_init(&jobs[i], &ctx, 100 + i);
    jobs[1].fail = true; /* B inserts its row, then fails */

    run_held_batch(f, &ctx, jobs, 3);

    for (int i = 0; i < 3; i++)
        assert_int_equal(jobs[i].job.batch_size, 3);
    assert_int_equal(jobs[0].job.rc, 0);
    assert_string_equal(jobs[0].job.err.code, "");
    assert_int_equal(jobs[2].job.rc, 0);
    assert_string_equal(jobs[2].job.err.code, "");
    assert_int_equal(jobs[1].job.rc, HW_EINVAL);
    assert_int_equal(jobs[1].job.err.rc, HW_EINVAL);
    assert_string_equal(jobs[1].job.err.code, "test_failure");
    assert_true(strlen(jobs[1].job.err.message) > 0);
    assert_int_equal(count_value(ctx.reader, "t", 100), 1);
    assert_int_equal(count_value(ctx.reader, "t", 101), 0);
    assert_int_equal(count_value(ctx.reader, "t", 102), 1);
    assert_int_equal(jobs[0].seen_at_done, 1);
    assert_int_equal(jobs[1].seen_at_done, 0);
    assert_int_equal(jobs[2].seen_at_done, 1);
    /* a savepoint rollback is not a commit failure: nobody ran twice */
    for (int i = 0; i < 3; i++)
        assert_int_equal(jobs[i].runs, 1);
    store_get_stats(f->s, &st);
    assert_int_equal(st.failed_jobs, 1);
    loop_finish(&ctx, f->s);
}

static int silent_failure_job(sqlite3 *db, void *arg, hw_error *err)
{
    (void)err;
    (void)arg;
    insert_int(db, "INSERT INTO t(v) VALUES (?)", 7, NULL);
    return HW_ECONFLICT; /* fails without filling err */
}

static void test_store_write_reports_job_error(void **state)
{
    fixture *f = *state;
    hw_error err;
    test_job tj;
    create_test_tables(f->s);

    test_job_init(&tj, NULL, 5);
    tj.fail = true;
    error_clear(&err);
    assert_int_equal(store_write(f->s, test_job_fn, &tj, &err), HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, "test_failure");
    assert_non_null(strstr(err.message, "test failure"));

    error_clear(&err);
    assert_int_equal(store_write(f->s, silent_failure_job, NULL, &err), HW_ECONFLICT);
    assert_int_equal(err.rc, HW_ECONFLICT);
    assert_string_equal(err.code, "write_failed");
    assert_true(strlen(err.message) > 0);
    assert_int_equal(reader_count(f->s, "SELECT count(*) FROM t"), 0);

    /* the writer is fine afterwards, and a successful write leaves err alone */
    test_job_init(&tj, NULL, 6);
    error_clear(&err);
    assert_int_equal(store_write(f->s, test_job_fn, &tj, &err), 0);
    assert_string_equal(err.code, "");
    assert_int_equal(reader_count(f->s, "SELECT count(*) FROM t WHERE v = 6"), 1);
}

/* ---------------------------------------------------------------- acknowledgement after commit */

static void test_store_write_returns_after_commit(void **state)
{
    fixture *f = *state;
    sqlite3 *early = NULL;
    hw_error err;
    create_test_tables(f->s);
    assert_int_equal(store_reader(f->s, &early, &err), 0); /* opened before any of the writes */

    for (int i = 0; i < 20; i++) {
        test_job tj;
        test_job_init(&tj, NULL, i);
        tj.peek = f->s;
        assert_int_equal(store_write(f->s, test_job_fn, &tj, &err), 0);
        assert_int_equal(tj.seen_inside, 0); /* not visible to others before the commit */
        assert_int_equal(count_value(early, "t", i), 1);
        assert_int_equal(reader_count(f->s, "SELECT count(*) FROM t"), i + 1);
    }
    sqlite3_close(early);
}

static void test_done_runs_after_commit_in_order_on_loop(void **state)
{
    fixture *f = *state;
    loop_ctx ctx;
    enum { N = 40 };
    test_job jobs[N];
    create_test_tables(f->s);
    loop_start(&ctx, f->s);

    for (int i = 0; i < N; i++) {
        test_job_init(&jobs[i], &ctx, i);
        jobs[i].peek = i % 4 == 0 ? f->s : NULL;
        store_submit(f->s, &jobs[i].job);
    }
    loop_run(&ctx, N);

    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].job.rc, 0);
        assert_int_equal(jobs[i].done_index, i); /* completions in submission order */
        assert_true(jobs[i].done_on_loop);
        assert_int_equal(jobs[i].seen_at_done, 1); /* committed and visible when done ran */
        if (i % 4 == 0)
            assert_int_equal(jobs[i].seen_inside, 0);
        assert_true(jobs[i].job.batch_size >= 1 && jobs[i].job.batch_size <= N);
    }
    loop_finish(&ctx, f->s);
}

static int add_rollback_trigger(sqlite3 *db, void *arg, hw_error *err)
{
    (void)arg;
    return store_exec(db,
                      "CREATE TRIGGER t_boom BEFORE INSERT ON t WHEN NEW.v = -99 "
                      "BEGIN SELECT RAISE(ROLLBACK, 'boom'); END;",
                      err);
}

/*
 * A job whose error rolls back the whole transaction (as SQLITE_FULL or an I/O error may) must not
 * leave the jobs after it running outside a transaction: each of the others is committed exactly once.
 */
static void test_whole_rollback_keeps_others_once(void **state)
{
    fixture *f = *state;
    loop_ctx ctx;
    test_job jobs[3];
    hw_error err;
    create_test_tables(f->s);
    assert_int_equal(store_write(f->s, add_rollback_trigger, NULL, &err), 0);
    loop_start(&ctx, f->s);
    test_job_init(&jobs[0], &ctx, 400);
    test_job_init(&jobs[1], &ctx, -99); /* the trigger rolls back everything */
    test_job_init(&jobs[2], &ctx, 402);

    run_held_batch(f, &ctx, jobs, 3);

    assert_int_equal(jobs[0].job.rc, 0);
    assert_int_not_equal(jobs[1].job.rc, 0);
    assert_true(strlen(jobs[1].job.err.code) > 0);
    assert_int_equal(jobs[2].job.rc, 0);
    assert_int_equal(count_value(ctx.reader, "t", 400), 1);
    assert_int_equal(count_value(ctx.reader, "t", -99), 0);
    assert_int_equal(count_value(ctx.reader, "t", 402), 1);
    assert_int_equal(jobs[0].seen_at_done, 1);
    assert_int_equal(jobs[2].seen_at_done, 1);
    loop_finish(&ctx, f->s);

    /* alone, the job fails with its own error and the writer goes on */
    test_job tj;
    test_job_init(&tj, NULL, -99);
    error_clear(&err);
    assert_int_not_equal(store_write(f->s, test_job_fn, &tj, &err), 0);
    assert_true(strlen(err.code) > 0);
    test_job_init(&tj, NULL, 403);
    assert_int_equal(store_write(f->s, test_job_fn, &tj, &err), 0);
    assert_int_equal(reader_count(f->s, "SELECT count(*) FROM t WHERE v = 403"), 1);
    assert_int_equal(reader_count(f->s, "SELECT count(*) FROM t WHERE v >= 0"), 3); /* -1 is the blocker */
}

/*
 * store_detach_loop() delivers what already finished even if the loop never ran, and the loop
 * closes cleanly right after a completion (the writer must not touch the closed uv_async_t).
 */
static void test_detach_delivers_finished_jobs(void **state)
{
    fixture *f = *state;
    store_stats st;
    create_test_tables(f->s);
    for (int round = 0; round < 20; round++) {
        loop_ctx ctx;
        test_job tj;
        struct timespec until, now;
        loop_start(&ctx, f->s);
        test_job_init(&tj, &ctx, round);
        store_get_stats(f->s, &st);
        const uint64_t before = st.jobs;
        store_submit(f->s, &tj.job);
        deadline_in(&until, WAIT_SECONDS);
        do { /* spin: detach as soon as the job is counted, while the writer may still be notifying */
            store_get_stats(f->s, &st);
            clock_gettime(CLOCK_REALTIME, &now);
        } while (st.jobs == before && now.tv_sec <= until.tv_sec);
        assert_int_equal(st.jobs, before + 1);
        assert_int_equal(ctx.finished, 0); /* the loop has not run */
        loop_finish(&ctx, f->s);
        assert_int_equal(ctx.finished, 1);
        assert_int_equal(tj.job.rc, 0);
        assert_true(tj.done_on_loop);
        assert_int_equal(tj.seen_at_done, 1);
    }
}

/* A commit that fails as a whole (deferred foreign key) fails only the guilty job: the rest are committed alone. */
static void test_commit_failure_falls_back_per_job(void **state)
{
    fixture *f = *state;
    loop_ctx ctx;
    test_job jobs[3];
    store_stats st;
    create_test_tables(f->s);
    loop_start(&ctx, f->s);
    test_job_init(&jobs[0], &ctx, 300);
    test_job_init(&jobs[1], &ctx, 9999); /* no parent 9999: COMMIT fails */
    jobs[1].orphan = true;
    test_job_init(&jobs[2], &ctx, 302);

    run_held_batch(f, &ctx, jobs, 3);

    assert_int_equal(jobs[0].job.rc, 0);
    assert_int_equal(jobs[2].job.rc, 0);
    assert_int_equal(jobs[1].job.rc, HW_ECONFLICT);
    assert_int_equal(jobs[1].job.err.rc, HW_ECONFLICT);
    assert_true(strlen(jobs[1].job.err.code) > 0);
    assert_true(strlen(jobs[1].job.err.message) > 0);
    assert_int_equal(jobs[0].seen_at_done, 1);
    assert_int_equal(jobs[1].seen_at_done, 0);
    assert_int_equal(jobs[2].seen_at_done, 1);
    assert_int_equal(fixture_query_int(ctx.reader, "SELECT count(*) FROM child"), 0);
    assert_int_equal(fixture_query_int(ctx.reader, "SELECT count(*) FROM t WHERE v IN (300, 302)"), 2);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(jobs[i].runs, 2); /* once in the batch, once alone */
        assert_int_equal(jobs[i].done_index, 1 + i);
    }
    store_get_stats(f->s, &st);
    assert_int_equal(st.failed_jobs, 1);
    loop_finish(&ctx, f->s);

    /* alone, through store_write, the same commit failure is reported to the caller */
    hw_error err;
    test_job tj;
    test_job_init(&tj, NULL, 9998);
    tj.orphan = true;
    error_clear(&err);
    assert_int_equal(store_write(f->s, test_job_fn, &tj, &err), HW_ECONFLICT);
    assert_true(strlen(err.code) > 0);
    assert_int_equal(reader_count(f->s, "SELECT count(*) FROM child"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_schema_and_pragmas, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_schema_too_new_refused, setup_dir, fixture_free),
        cmocka_unit_test_setup_teardown(test_reader_is_read_only, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_concurrent_writers_share_batches, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_busy_writer_commits_queue_as_one_batch, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_batch_is_capped, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_failing_job_rolls_back_alone, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_store_write_reports_job_error, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_store_write_returns_after_commit, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_done_runs_after_commit_in_order_on_loop, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_whole_rollback_keeps_others_once, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_detach_delivers_finished_jobs, setup_store, fixture_free),
        cmocka_unit_test_setup_teardown(test_commit_failure_falls_back_per_job, setup_store, fixture_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
