/* reports.c - POST /api/v1/reports: a child unit uploads a revision of its item 10/11 figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "query.h"
#include "reports.h"

static void free_job(void *arg)
{
    reports_receive_job *job = arg;
    free(job->body);
    free(job);
}

/* After the commit: 201 stored, 200 already held (a retry), 409 the same revision with other figures. */
static void on_received(route_ctx *ctx, store_job *sj, void *arg)
{
    reports_receive_job *job = arg;
    if (sj->rc != 0 && strcmp(sj->err.code, "revision_conflict") == 0) {
        json_error(ctx, 409, sj->err.code, sj->err.message,
                   json_pack("[{s:s, s:s, s:I}]", "field", "revision", "reason", sj->err.message, "latest_revision",
                             (json_int_t)job->latest_revision));
        return;
    }
    if (sj->rc != 0) {
        json_fail(ctx, &sj->err);
        return;
    }
    json_reply(ctx, job->stored ? 201 : 200,
               json_pack("{s:b, s:b, s:s, s:I, s:I}", "stored", job->stored, "duplicate", !job->stored, "unit",
                         job->child.unit_code, "revision", (json_int_t)job->child.revision, "latest_revision",
                         (json_int_t)job->latest_revision));
}

int reports_on_post(route_ctx *ctx)
{
    json_t *body = json_body(ctx);
    json_t *details = NULL;
    hw_error err;
    if (body == NULL)
        return 0;
    reports_receive_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        json_decref(body);
        query_no_memory(ctx);
        return 0;
    }
    if (reports_parse_child(body, &job->child, &details, &err) != 0) {
        json_decref(body);
        free(job);
        json_error(ctx, 400, err.code, err.message, details);
        return 0;
    }
    if (ctx->user.role == AUTH_ROLE_CHILD && strcmp(ctx->user.unit_code, job->child.unit_code) != 0) {
        json_decref(body);
        free(job);
        json_error(ctx, 403, "wrong_unit",
                   "此令牌只能报送本单位的统计表 (this token may only send its own unit's report)",
                   json_pack("[{s:s, s:s}]", "field", "unit.code", "reason", "与令牌绑定的单位代码不同 (not the "
                                                                               "unit code bound to the token)"));
        return 0;
    }
    reports_digest(body, job->digest);
    job->body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    snprintf(job->received_by, sizeof job->received_by, "%s", ctx->user.name);
    if (job->body == NULL) {
        free(job);
        query_no_memory(ctx);
        return 0;
    }
    route_write(ctx, reports_receive, job, free_job, on_received);
    return 0;
}
