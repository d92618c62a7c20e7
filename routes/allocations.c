/* allocations.c - POST /api/v1/allocations runs the allocator as a job; GET /api/v1/jobs/{id} shows its progress. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "allocation.h"
#include "handlers.h"
#include "jobs.h"
#include "json.h"
#include "query.h"

/* One run crossing threads: loaded and allocated on the thread pool, applied by the writer, reported on the loop. */
typedef struct alloc_work {
    uv_work_t work;
    store_job write;
    app *app;
    int64_t job_id;
    bool dry_run;
    allocation_snapshot snap;
    alloc_result result;
    allocation_apply_job apply;
    int rc;
    hw_error err;
} alloc_work;

static int on_progress(void *ctx, const char *stage, int percent)
{
    alloc_work *w = ctx;
    jobs_progress(w->app->jobs, w->job_id, stage, percent);
    return 0;
}

/* Thread pool: a read connection of its own, the snapshot, the pure engine. */
static void plan(uv_work_t *req)
{
    alloc_work *w = req->data;
    sqlite3 *rdb = NULL;
    w->rc = store_reader(w->app->store, &rdb, &w->err);
    if (w->rc == 0)
        w->rc = allocation_load(rdb, &w->snap, &w->err);
    sqlite3_close(rdb);
    if (w->rc == 0)
        w->rc = alloc_run(&w->snap.in, &w->result, on_progress, w, &w->err);
}

static void work_free(alloc_work *w)
{
    alloc_result_free(&w->result);
    allocation_snapshot_free(&w->snap);
    free(w);
}

/* Loop thread, after the writer committed (or refused) the plan. */
static void applied(store_job *sj)
{
    alloc_work *w = (alloc_work *)((char *)sj - offsetof(alloc_work, write));
    if (sj->rc != 0)
        jobs_finish(w->app->jobs, w->job_id, NULL, &sj->err);
    else
        jobs_finish(w->app->jobs, w->job_id, allocation_report(&w->snap, &w->result, &w->apply, w->app->divisions),
                    NULL);
    work_free(w);
}

/* Loop thread, after plan(): hand the plan to the single writer. */
static void planned(uv_work_t *req, int status)
{
    alloc_work *w = req->data;
    if (status != 0 && w->rc == 0)
        w->rc = error_set(&w->err, HW_EIO, "cancelled", "任务被取消 (the job was cancelled)");
    if (w->rc != 0) {
        jobs_finish(w->app->jobs, w->job_id, NULL, &w->err);
        work_free(w);
        return;
    }
    jobs_progress(w->app->jobs, w->job_id, "apply", 99);
    w->apply = (allocation_apply_job){.snap = &w->snap, .result = &w->result, .dry_run = w->dry_run};
    w->write = (store_job){.fn = allocation_apply, .arg = &w->apply, .done = applied};
    store_submit(w->app->store, &w->write);
}

static bool wants_dry_run(route_ctx *ctx)
{
    char buf[8];
    if (query_param(ctx, "dry_run", buf, sizeof buf) == 1)
        return strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0;
    if (ctx->req->entity.base == NULL || ctx->req->entity.len == 0)
        return false;
    json_t *body = json_loadb(ctx->req->entity.base, ctx->req->entity.len, 0, NULL);
    bool dry = json_is_true(json_object_get(body, "dry_run"));
    json_decref(body);
    return dry;
}

int allocations_on_post(route_ctx *ctx)
{
    hw_error err;
    int64_t id = 0;
    bool dry_run = wants_dry_run(ctx);
    if (jobs_start(ctx->app->jobs, "allocation", true, &id, &err) != 0) {
        json_error(ctx, 409, err.code, err.message, NULL);
        return 0;
    }
    alloc_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        error_set(&err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
        jobs_finish(ctx->app->jobs, id, NULL, &err);
        json_fail(ctx, &err);
        return 0;
    }
    *w = (alloc_work){.app = ctx->app, .job_id = id, .dry_run = dry_run};
    w->work.data = w;
    uv_queue_work(ctx->app->loop, &w->work, plan, planned);
    char href[64];
    snprintf(href, sizeof href, "/api/v1/jobs/%lld", (long long)id);
    json_reply(ctx, 202, json_pack("{s:I, s:s, s:b}", "job", (json_int_t)id, "href", href, "dry_run", dry_run));
    return 0;
}

int allocations_on_list(route_ctx *ctx)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ctx->app->rdb,
                           "SELECT id, finished_at, dry_run, seated, bound, issued FROM allocation_runs "
                           "ORDER BY id DESC LIMIT 50",
                           -1, &st, NULL) != SQLITE_OK) {
        json_error(ctx, 500, "database_error", "数据库错误 (database error)", NULL);
        return 0;
    }
    json_t *runs = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(runs, json_pack("{s:I, s:s, s:b, s:I, s:I, s:I}", "id",
                                              (json_int_t)sqlite3_column_int64(st, 0), "at",
                                              (const char *)sqlite3_column_text(st, 1), "dry_run",
                                              sqlite3_column_int(st, 2), "seated",
                                              (json_int_t)sqlite3_column_int64(st, 3), "bound",
                                              (json_int_t)sqlite3_column_int64(st, 4), "issued",
                                              (json_int_t)sqlite3_column_int64(st, 5)));
    sqlite3_finalize(st);
    json_reply(ctx, 200, json_pack("{s:o}", "runs", runs));
    return 0;
}

int jobs_on_get(route_ctx *ctx)
{
    int64_t id = 0;
    json_t *job = query_id(router_param(ctx, 0), &id) ? jobs_get(ctx->app->jobs, id) : NULL;
    if (job == NULL)
        json_error(ctx, 404, "not_found", "没有这个任务 (no such job)", NULL);
    else
        json_reply(ctx, 200, job);
    return 0;
}
