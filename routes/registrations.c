/* registrations.c - /api/v1/registrations: search, create, read (admins may reveal the id number), change, withdraw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "handlers.h"
#include "json.h"
#include "parse.h"
#include "query.h"
#include "registry.h"

#define ALL_FIELDS ((1u << REG_NFIELDS) - 1)

static int set_field(void *record, int field, const char *text, const void *env, hw_error *err)
{
    return registration_set(record, (reg_field)field, text, env, err);
}

/* A registration as the API shows it: masked id number and phone, unless an admin revealed `full_id`. */
static json_t *reg_json(const app *a, const registry_reg *row, const char *full_id)
{
    return export_registration_json(a->divisions, row, full_id);
}

/* ------------------------------------------------------------------ list */

typedef struct reg_query {
    char q[128], dest[8], party[64], tag[64], status[16];
    registry_reg_filter f;
} reg_query;

/* The destination filter: any name or code, matched at its own level (province, prefecture or county). */
static int destination_prefix(route_ctx *ctx, const char *text, char prefix[8])
{
    char code[7];
    hw_error err;
    if (divisions_resolve(ctx->app->divisions, text, code, &err) != 0) {
        query_bad_param(ctx, "destination", &err);
        return -1;
    }
    int level = divisions_level(code);
    snprintf(prefix, 8, "%.*s", level == 1 ? 2 : level == 2 ? 4 : 6, code);
    return 0;
}

static int tag_bits(route_ctx *ctx, const char *text, unsigned *bits)
{
    registration scratch;
    registration_env env = {0};
    hw_error err;
    registration_init(&scratch);
    if (registration_set(&scratch, REG_TAGS, text, &env, &err) != 0) {
        query_bad_param(ctx, "tag", &err);
        return -1;
    }
    *bits = scratch.tags;
    return 0;
}

/* status: active (the default), withdrawn, or all. */
static int status_filter(route_ctx *ctx, reg_query *rq)
{
    hw_error err;
    if (rq->status[0] == '\0')
        snprintf(rq->status, sizeof rq->status, "active");
    if (strcmp(rq->status, "active") == 0 || strcmp(rq->status, "withdrawn") == 0) {
        rq->f.status = rq->status;
        return 0;
    }
    if (strcmp(rq->status, "all") == 0)
        return 0;
    error_set(&err, HW_EINVAL, "bad_status",
              "状态应为 active、withdrawn 或 all (status must be active, withdrawn or all)");
    query_bad_param(ctx, "status", &err);
    return -1;
}

static int parse_filter(route_ctx *ctx, reg_query *rq)
{
    memset(rq, 0, sizeof *rq);
    if (query_param(ctx, "q", rq->q, sizeof rq->q) < 0 || query_param(ctx, "party", rq->party, sizeof rq->party) < 0 ||
        query_param(ctx, "tag", rq->tag, sizeof rq->tag) < 0 ||
        query_param(ctx, "status", rq->status, sizeof rq->status) < 0)
        return -1;
    char dest[128];
    int rc = query_param(ctx, "destination", dest, sizeof dest);
    if (rc < 0 || (rc > 0 && dest[0] != '\0' && destination_prefix(ctx, dest, rq->dest) != 0))
        return -1;
    if (rq->tag[0] != '\0' && tag_bits(ctx, rq->tag, &rq->f.tags) != 0)
        return -1;
    char q[sizeof rq->q];
    parse_trim(rq->q, q, sizeof q); /* into a copy: snprintf may not write over its own argument */
    memcpy(rq->q, q, sizeof q);
    rq->f.q = query_nz(rq->q);
    rq->f.dest_prefix = query_nz(rq->dest);
    rq->f.party = query_nz(rq->party);
    return status_filter(ctx, rq);
}

typedef struct list_sink {
    const app *app;
    json_t *items;
} list_sink;

static int add_item(const registry_reg *row, void *data)
{
    list_sink *s = data;
    json_array_append_new(s->items, reg_json(s->app, row, NULL));
    return 0;
}

int registrations_on_list(route_ctx *ctx)
{
    registry_page page;
    reg_query rq;
    int64_t campaign_id, total = 0;
    hw_error err;
    if (query_paging(ctx, &page) != 0 || parse_filter(ctx, &rq) != 0 || query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    list_sink sink = {ctx->app, json_array()};
    if (registry_reg_list(ctx->app->rdb, campaign_id, &rq.f, page, add_item, &sink, &total, &err) != 0) {
        json_decref(sink.items);
        json_fail(ctx, &err);
        return 0;
    }
    json_reply(ctx, 200, query_page_answer(sink.items, total, &page));
    return 0;
}

/* ------------------------------------------------------------------ writes */

static void reg_failed(route_ctx *ctx, const registry_reg_job *job, const hw_error *err)
{
    if (job->nproblems > 0) {
        json_t *details = json_array();
        query_add_problems(details, registration_fields, job->problems, job->nproblems);
        query_invalid(ctx, details);
    } else if (strcmp(err->code, "duplicate_id_number") == 0) {
        json_error(ctx, 409, err->code, err->message,
                   json_pack("[{s:s, s:s, s:I}]", "field", "id_number", "reason", "duplicate", "registration",
                             (json_int_t)job->conflict_id));
    } else if (strcmp(err->code, "duplicate_ref") == 0) {
        json_error(ctx, 409, err->code, err->message, json_pack("[{s:s, s:s}]", "field", "ref", "reason", "duplicate"));
    } else {
        json_fail(ctx, err);
    }
}

static void answer(route_ctx *ctx, store_job *sj, registry_reg_job *job, int status, const char *full_id)
{
    if (sj->rc != 0)
        reg_failed(ctx, job, &sj->err);
    else
        json_reply(ctx, status, reg_json(ctx->app, &job->row, full_id));
}

static void on_created(route_ctx *ctx, store_job *sj, void *arg)
{
    answer(ctx, sj, arg, 201, NULL);
}

static void on_saved(route_ctx *ctx, store_job *sj, void *arg)
{
    answer(ctx, sj, arg, 200, NULL);
}

static void on_revealed(route_ctx *ctx, store_job *sj, void *arg)
{
    registry_reg_job *job = arg;
    answer(ctx, sj, job, 200, job->revealed);
}

/* A job for the current campaign, or NULL after answering the error. */
static registry_reg_job *new_job(route_ctx *ctx)
{
    campaign_info c;
    int64_t campaign_id;
    if (query_campaign(ctx, &campaign_id, &c) != 0)
        return NULL;
    registry_reg_job *job = registry_reg_job_new(ctx->app->vault, ctx->app->divisions, &c, campaign_id);
    if (job == NULL)
        query_no_memory(ctx);
    return job;
}

/* Parse the body into job->input; on create also run the cross-field rules. -1 after answering 400. */
static int read_body(route_ctx *ctx, registry_reg_job *job, bool create)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return -1;
    query_form form = {registration_fields, REG_NFIELDS, ALL_FIELDS, create, set_field, &job->input, &job->env};
    json_t *details = json_array();
    int rc = query_form_apply(ctx, body, &form, &job->fields, details);
    json_decref(body);
    if (rc == 0 && create && json_array_size(details) == 0) {
        registry_problem problems[REGISTRY_MAX_PROBLEMS];
        int n = registry_reg_problems(&job->input, &job->env, problems, REGISTRY_MAX_PROBLEMS);
        query_add_problems(details, registration_fields, problems, n);
    }
    if (rc == 0 && json_array_size(details) > 0) {
        query_invalid(ctx, details);
        return -1;
    }
    json_decref(details);
    return rc;
}

int registrations_on_create(route_ctx *ctx)
{
    registry_reg_job *job = new_job(ctx);
    if (job == NULL)
        return 0;
    if (read_body(ctx, job, true) != 0) {
        registry_reg_job_free(job);
        return 0;
    }
    route_write(ctx, registry_reg_create, job, registry_reg_job_free, on_created);
    return 0;
}

/* A job addressing the registration in the path, or NULL after answering. */
static registry_reg_job *job_for_path(route_ctx *ctx)
{
    int64_t id;
    if (!query_id(router_param(ctx, 0), &id)) {
        query_not_found(ctx, "登记", "registration");
        return NULL;
    }
    registry_reg_job *job = new_job(ctx);
    if (job != NULL)
        job->id = id;
    return job;
}

int registrations_on_update(route_ctx *ctx)
{
    registry_reg_job *job = job_for_path(ctx);
    if (job == NULL)
        return 0;
    if (read_body(ctx, job, false) != 0) {
        registry_reg_job_free(job);
        return 0;
    }
    route_write(ctx, registry_reg_update, job, registry_reg_job_free, on_saved);
    return 0;
}

int registrations_on_delete(route_ctx *ctx)
{
    registry_reg_job *job = job_for_path(ctx);
    if (job != NULL)
        route_write(ctx, registry_reg_withdraw, job, registry_reg_job_free, on_saved);
    return 0;
}

/* ------------------------------------------------------------------ read */

/* ?reveal=id: admins only, audited in the same transaction, answered after the commit. */
static int reveal(route_ctx *ctx, const char *what)
{
    hw_error err;
    if (strcmp(what, "id") != 0) {
        error_set(&err, HW_EINVAL, "bad_reveal", "reveal 只能为 id (reveal takes only the value id)");
        query_bad_param(ctx, "reveal", &err);
        return 0;
    }
    if (ctx->user.role != AUTH_ROLE_ADMIN) {
        json_error(ctx, 403, "forbidden", "只有管理员可以查看完整身份证号 (only an admin may see full id numbers)",
                   NULL);
        return 0;
    }
    registry_reg_job *job = job_for_path(ctx);
    if (job == NULL)
        return 0;
    snprintf(job->user, sizeof job->user, "%s", ctx->user.name);
    route_write(ctx, registry_reg_reveal, job, registry_reg_job_free, on_revealed);
    return 0;
}

int registrations_on_get(route_ctx *ctx)
{
    char what[8];
    int64_t id, campaign_id;
    registry_reg row;
    hw_error err;
    int rc = query_param(ctx, "reveal", what, sizeof what);
    if (rc != 0)
        return rc < 0 ? 0 : reveal(ctx, what);
    if (!query_id(router_param(ctx, 0), &id)) {
        query_not_found(ctx, "登记", "registration");
        return 0;
    }
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    if (registry_reg_get(ctx->app->rdb, campaign_id, id, &row, &err) != 0)
        json_fail(ctx, &err);
    else
        json_reply(ctx, 200, reg_json(ctx->app, &row, NULL));
    return 0;
}
