/* imports.c - POST /api/v1/imports/{kind}: a CSV body imported all-or-nothing, row errors answered as JSON. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handlers.h"
#include "import.h"
#include "json.h"
#include "query.h"

/* The job and its own copy of the body: the writer thread must not read the request's memory. */
typedef struct http_import {
    import_job job;
    char *body;
} http_import;

static void free_import(void *arg)
{
    http_import *imp = arg;
    import_job_free(&imp->job);
    free(imp->body);
    free(imp);
}

static void imported(route_ctx *ctx, store_job *sj, void *arg)
{
    http_import *imp = arg;
    import_job *job = &imp->job;
    if (sj->rc == 0) {
        json_reply(ctx, 200,
                   json_pack("{s:s, s:b, s:I, s:I, s:s}", "kind", import_kind_name(job->kind), "dry_run", job->dry_run,
                             "rows", (json_int_t)job->rows, "inserted", (json_int_t)job->inserted, "encoding",
                             encoding_name(job->table.encoding)));
        return;
    }
    json_t *details = rowerr_total(&job->errors) > 0 ? rowerr_to_json(&job->errors) : NULL;
    json_error(ctx, error_http_status(sj->err.rc), sj->err.code, sj->err.message, details);
}

/* ?dry_run=true|1 and ?encoding=auto|utf-8|gb18030 */
static int read_options(route_ctx *ctx, import_job *job)
{
    char buf[16];
    hw_error err;
    int found = query_param(ctx, "dry_run", buf, sizeof buf);
    if (found < 0)
        return -1;
    job->dry_run = found == 1 && (strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0);
    if ((found = query_param(ctx, "encoding", buf, sizeof buf)) < 0)
        return -1;
    if (found == 1 && encoding_parse(buf, &job->encoding, &err) != 0) {
        query_bad_param(ctx, "encoding", &err);
        return -1;
    }
    return 0;
}

int imports_on_post(route_ctx *ctx)
{
    import_kind kind;
    hw_error err;
    if (import_kind_parse(router_param(ctx, 0), &kind, &err) != 0) {
        json_error(ctx, 404, "not_found", err.message, NULL);
        return 0;
    }
    h2o_iovec_t body = ctx->req->entity;
    if (body.base == NULL || body.len == 0) {
        json_error(ctx, 400, "empty_body", "请求体为空,应为 CSV 文件内容 (empty body; send the CSV file)", NULL);
        return 0;
    }
    http_import *imp = calloc(1, sizeof *imp);
    if (imp == NULL || (imp->body = malloc(body.len)) == NULL) {
        free(imp);
        json_error(ctx, 500, "out_of_memory", "内存不足 (out of memory)", NULL);
        return 0;
    }
    import_job_init(&imp->job, kind);
    memcpy(imp->body, body.base, body.len);
    imp->job.body = imp->body;
    imp->job.body_len = body.len;
    imp->job.vault = ctx->app->vault;
    imp->job.divisions = ctx->app->divisions;
    imp->job.today = clock_today();
    if (read_options(ctx, &imp->job) != 0) {
        free_import(imp);
        return 0;
    }
    route_write(ctx, import_run, imp, free_import, imported);
    return 0;
}
