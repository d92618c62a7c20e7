/* store.c - SQLite connections, and the writer thread that commits queued jobs together (group commit). */
#include "store.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

struct store {
    char *path;
    sqlite3 *wdb; /* the writer's connection; only the writer thread uses it after open */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;     /* writer waits here for jobs */
    pthread_cond_t finished; /* store_write() callers wait here */
    store_job *head, *tail;  /* queued, in order */
    store_job *done_head;    /* finished async jobs waiting for the loop */
    bool stopping;
    uv_async_t *async;
    store_stats stats;
};

static int configure(sqlite3 *db, bool writer, hw_error *err)
{
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 1);
    /*
     * The writer's page cache is 8 MiB, not more: SQLite walks the whole cache hash table at the
     * end of every commit (pcache1 truncate), which with 64 MiB cost ~7% of the check-in writer's
     * time while bulk imports and allocation of 100k people ran no faster than with 8 MiB. Reads
     * that miss it are served from the memory map instead of a pread() each.
     */
    if (writer)
        return store_exec(db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                          "PRAGMA cache_size=-8192; PRAGMA mmap_size=268435456;",
                          err);
    return store_exec(db, "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;", err);
}

int store_error(sqlite3 *db, int sqlite_rc, const char *what, hw_error *err)
{
    int primary = sqlite_rc & 0xff;
    const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(sqlite_rc);
    if (primary == SQLITE_CONSTRAINT)
        return error_set(err, HW_ECONFLICT, "conflict", "数据冲突 (conflict) in %s: %s", what, msg);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return error_set(err, HW_EBUSY, "database_busy", "数据库忙 (database busy) in %s: %s", what, msg);
    return error_set(err, HW_EDB, "database_error", "数据库错误 (database error) in %s: %s", what, msg);
}

int store_exec(sqlite3 *db, const char *sql, hw_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    int primary = rc & 0xff;
    error_set(err, primary == SQLITE_CONSTRAINT ? HW_ECONFLICT : HW_EDB,
              primary == SQLITE_CONSTRAINT ? "conflict" : "database_error", "数据库错误 (database error): %s",
              msg != NULL ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return err != NULL ? err->rc : HW_EDB;
}

static int open_connection(const char *path, int flags, bool writer, sqlite3 **out, hw_error *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        error_set(err, HW_EIO, "database_open", "无法打开数据库 (cannot open database) %s: %s", path,
                  db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return HW_EIO;
    }
    if ((rc = configure(db, writer, err)) != 0) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

/*
 * Run one control statement (BEGIN, SAVEPOINT, COMMIT...) through the statement cache: the writer
 * runs several per job, and compiling them each time with sqlite3_exec() cost more than the job.
 */
static int control(sqlite3 *db, const char *sql, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare_cached(db, sql, &st, err);
    if (rc != 0)
        return rc;
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        store_error(db, rc, sql, err);
    store_release(st);
    return rc == SQLITE_DONE ? 0 : (err != NULL ? err->rc : HW_EDB);
}

/* Run one job under its own savepoint inside the open transaction. */
static void run_job(sqlite3 *db, store_job *job)
{
    error_clear(&job->err);
    hw_error ignored;
    if (control(db, "SAVEPOINT job", &job->err) != 0) {
        job->rc = job->err.rc;
        return;
    }
    job->rc = job->fn(db, job->arg, &job->err);
    if (job->rc != 0) {
        if (job->err.code[0] == '\0')
            error_set(&job->err, job->rc, "write_failed", "写入失败 (write failed)");
        control(db, "ROLLBACK TO job", &ignored);
    }
    control(db, "RELEASE job", &ignored);
}

/*
 * Commit a batch; if the commit itself fails, or a job's error rolled back the whole
 * transaction, fall back to one transaction per job.
 */
static void run_batch(store *s, store_job *batch)
{
    hw_error err, ignored;
    bool lost = false;
    if (control(s->wdb, "BEGIN IMMEDIATE", &err) != 0) {
        for (store_job *j = batch; j != NULL; j = j->_next) {
            j->rc = err.rc;
            j->err = err;
        }
        return;
    }
    /*
     * Some errors (SQLITE_FULL, I/O errors, RAISE(ROLLBACK)) end the whole transaction: stop
     * there, or the jobs after it would each commit on their own and then run again below.
     */
    for (store_job *j = batch; j != NULL && !lost; j = j->_next) {
        run_job(s->wdb, j);
        lost = sqlite3_get_autocommit(s->wdb) != 0;
    }
    if (lost)
        error_set(&err, HW_EDB, "database_error", "事务已被回滚 (the transaction was rolled back)");
    else if (control(s->wdb, "COMMIT", &err) == 0)
        return;
    else
        control(s->wdb, "ROLLBACK", &ignored);
    if (batch->_next == NULL) {
        if (!lost || batch->rc == 0) { /* a job that failed keeps its own error */
            batch->rc = err.rc;
            batch->err = err;
        }
        return;
    }
    for (store_job *j = batch; j != NULL; j = j->_next) {
        store_job *next = j->_next;
        j->_next = NULL;
        run_batch(s, j);
        j->_next = next;
    }
}

static int batch_bucket(size_t n)
{
    int b = 0;
    while (n > 1 && b < 7) {
        n >>= 1;
        b++;
    }
    return b;
}

/* Hand finished jobs back: async ones to the loop, sync ones to their waiters. */
static void finish_batch(store *s, store_job *batch, size_t n)
{
    pthread_mutex_lock(&s->mu);
    s->stats.commits++;
    s->stats.jobs += n;
    s->stats.batch_hist[batch_bucket(n)]++;
    bool notify = false;
    for (store_job *j = batch, *next; j != NULL; j = next) {
        next = j->_next;
        j->batch_size = n;
        if (j->rc != 0)
            s->stats.failed_jobs++;
        j->_finished = 1;
        if (j->done != NULL) {
            j->_next = s->done_head;
            s->done_head = j;
            notify = true;
        }
    }
    /*
     * Send while holding the lock: store_detach_loop() clears s->async under it and then
     * frees the handle, so sending after unlocking could touch a closed (freed) uv_async_t.
     */
    if (notify && s->async != NULL)
        uv_async_send(s->async);
    pthread_cond_broadcast(&s->finished);
    pthread_mutex_unlock(&s->mu);
}

static void *writer_main(void *arg)
{
    store *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->wake, &s->mu);
        if (s->head == NULL) {
            pthread_mutex_unlock(&s->mu);
            return NULL;
        }
        store_job *batch = s->head, *last = batch;
        size_t n = 1;
        while (last->_next != NULL && n < STORE_MAX_BATCH) {
            last = last->_next;
            n++;
        }
        s->head = last->_next;
        if (s->head == NULL)
            s->tail = NULL;
        last->_next = NULL;
        pthread_mutex_unlock(&s->mu);
        run_batch(s, batch);
        finish_batch(s, batch, n);
    }
}

int store_open(const char *path, store **out, hw_error *err)
{
    store *s = calloc(1, sizeof *s);
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    int rc = open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, true, &s->wdb, err);
    if (rc == 0)
        rc = schema_migrate(s->wdb, err);
    if (rc != 0) {
        sqlite3_close(s->wdb);
        free(s->path);
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->finished, NULL);
    if (pthread_create(&s->thread, NULL, writer_main, s) != 0) {
        sqlite3_close(s->wdb);
        free(s->path);
        free(s);
        return error_set(err, HW_EIO, "thread", "无法启动写线程 (cannot start the writer thread)");
    }
    *out = s;
    return 0;
}

int store_prepare_cached(sqlite3 *db, const char *sql, sqlite3_stmt **st, hw_error *err)
{
    for (sqlite3_stmt *p = sqlite3_next_stmt(db, NULL); p != NULL; p = sqlite3_next_stmt(db, p))
        if (!sqlite3_stmt_busy(p) && strcmp(sqlite3_sql(p), sql) == 0) {
            sqlite3_reset(p);
            sqlite3_clear_bindings(p);
            *st = p;
            return 0;
        }
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    return rc == SQLITE_OK ? 0 : store_error(db, rc, "prepare", err);
}

void store_release(sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Finalize every statement still on `db` (the cached ones) so it can close. */
static void finalize_all(sqlite3 *db)
{
    sqlite3_stmt *p;
    while ((p = sqlite3_next_stmt(db, NULL)) != NULL)
        sqlite3_finalize(p);
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    hw_error ignored;
    store_exec(s->wdb, "PRAGMA analysis_limit=400; PRAGMA optimize", &ignored); /* bounded after big imports */
    finalize_all(s->wdb);
    sqlite3_close(s->wdb);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->finished);
    free(s->path);
    free(s);
}

static void on_async(uv_async_t *handle)
{
    store *s = handle->data;
    pthread_mutex_lock(&s->mu);
    store_job *list = s->done_head;
    s->done_head = NULL;
    pthread_mutex_unlock(&s->mu);
    /* the list is newest first: reverse it so completions run in commit order */
    store_job *ordered = NULL;
    while (list != NULL) {
        store_job *next = list->_next;
        list->_next = ordered;
        ordered = list;
        list = next;
    }
    while (ordered != NULL) {
        store_job *next = ordered->_next;
        ordered->_next = NULL;
        ordered->done(ordered);
        ordered = next;
    }
}

int store_attach_loop(store *s, uv_loop_t *loop, hw_error *err)
{
    uv_async_t *async = malloc(sizeof *async);
    if (async == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    int rc = uv_async_init(loop, async, on_async);
    if (rc != 0) {
        free(async);
        return error_set(err, HW_EIO, "uv_async", "事件循环错误 (event loop error): %s", uv_strerror(rc));
    }
    async->data = s;
    pthread_mutex_lock(&s->mu);
    s->async = async;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

void store_detach_loop(store *s)
{
    pthread_mutex_lock(&s->mu);
    uv_async_t *async = s->async;
    s->async = NULL;
    pthread_mutex_unlock(&s->mu);
    if (async != NULL) {
        on_async(async); /* deliver anything already finished */
        uv_close((uv_handle_t *)async, (uv_close_cb)free);
    }
}

static void enqueue(store *s, store_job *job)
{
    job->_next = NULL;
    job->_finished = 0;
    job->rc = 0;
    pthread_mutex_lock(&s->mu);
    if (s->tail != NULL)
        s->tail->_next = job;
    else
        s->head = job;
    s->tail = job;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
}

void store_submit(store *s, store_job *job)
{
    assert(job->fn != NULL && job->done != NULL);
    enqueue(s, job);
}

int store_write(store *s, store_write_fn fn, void *arg, hw_error *err)
{
    store_job job = {.fn = fn, .arg = arg};
    enqueue(s, &job);
    pthread_mutex_lock(&s->mu);
    while (!job._finished)
        pthread_cond_wait(&s->finished, &s->mu);
    pthread_mutex_unlock(&s->mu);
    if (job.rc != 0 && err != NULL)
        *err = job.err;
    return job.rc;
}

int store_reader(store *s, sqlite3 **db, hw_error *err)
{
    return open_connection(s->path, SQLITE_OPEN_READONLY, false, db, err);
}

int store_reader_close(sqlite3 *db)
{
    if (db == NULL)
        return 0;
    finalize_all(db);
    return sqlite3_close(db) == SQLITE_OK ? 0 : HW_EBUSY;
}

const char *store_path(const store *s)
{
    return s->path;
}

void store_get_stats(store *s, store_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}
