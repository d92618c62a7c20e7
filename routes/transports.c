/* transports.c - /api/v1/transports: list, create, read, change and delete charters, and move them along their
 * statuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "query.h"
#include "registry.h"

#define ALL_FIELDS ((1u << TR_NFIELDS) - 1)
#define PATCH_FIELDS (ALL_FIELDS & ~(1u << TR_STATUS))

static int set_field(void *record, int field, const char *text, const void *env, hw_error *err)
{
    return transport_set(record, (tr_field)field, text, env, err);
}

static json_t *stops_json(const app *a, const transport *t)
{
    json_t *out = json_array();
    for (int i = 0; i < t->nstops; i++)
        json_array_append_new(out, query_division(a->divisions, t->stops[i]));
    return out;
}

/* A transport as the API shows it. */
static json_t *tr_json(const app *a, const registry_tr *row)
{
    const transport *t = &row->t;
    return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:i, s:s, s:s, s:s?, s:o, s:o, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)row->id, "ref", t->ref, "kind", transport_kind_name(t->kind), "kind_zh",
                     transport_kind_zh(t->kind), "label", query_nz(t->label), "capacity", t->capacity, "layout",
                     t->layout, "depart_at", t->depart_at, "origin", query_nz(t->origin), "stops", stops_json(a, t),
                     "cost_yuan", query_money(t->cost_fen), "status", transport_status_name(t->status), "status_zh",
                     transport_status_zh(t->status), "created_at", row->created_at, "updated_at", row->updated_at);
}

/* ------------------------------------------------------------------ list and read */

typedef struct tr_query {
    char kind[32], status[32], date[11], origin[128];
    registry_tr_filter f;
} tr_query;

/* kind and status accept the same words as the CSV columns; the filter uses the stored English names. */
static int kind_status(route_ctx *ctx, tr_query *tq)
{
    hw_error err;
    transport_kind k;
    transport_status s;
    if (tq->kind[0] != '\0') {
        if (transport_kind_parse(tq->kind, &k, &err) != 0) {
            query_bad_param(ctx, "kind", &err);
            return -1;
        }
        tq->f.kind = transport_kind_name(k);
    }
    if (tq->status[0] != '\0') {
        if (transport_status_parse(tq->status, &s, &err) != 0) {
            query_bad_param(ctx, "status", &err);
            return -1;
        }
        tq->f.status = transport_status_name(s);
    }
    return 0;
}

static int parse_filter(route_ctx *ctx, tr_query *tq)
{
    memset(tq, 0, sizeof *tq);
    if (query_param(ctx, "kind", tq->kind, sizeof tq->kind) < 0 ||
        query_param(ctx, "status", tq->status, sizeof tq->status) < 0 || query_date(ctx, "date", tq->date) < 0 ||
        query_param(ctx, "origin", tq->origin, sizeof tq->origin) < 0)
        return -1;
    tq->f.date = query_nz(tq->date);
    tq->f.origin = query_nz(tq->origin);
    return kind_status(ctx, tq);
}

typedef struct list_sink {
    const app *app;
    json_t *items;
} list_sink;

static int add_item(const registry_tr *row, void *data)
{
    list_sink *s = data;
    json_array_append_new(s->items, tr_json(s->app, row));
    return 0;
}

int transports_on_list(route_ctx *ctx)
{
    registry_page page;
    tr_query tq;
    int64_t campaign_id, total = 0;
    hw_error err;
    if (query_paging(ctx, &page) != 0 || parse_filter(ctx, &tq) != 0 || query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    list_sink sink = {ctx->app, json_array()};
    if (registry_tr_list(ctx->app->rdb, campaign_id, &tq.f, page, add_item, &sink, &total, &err) != 0) {
        json_decref(sink.items);
        json_fail(ctx, &err);
        return 0;
    }
    json_reply(ctx, 200, query_page_answer(sink.items, total, &page));
    return 0;
}

int transports_on_get(route_ctx *ctx)
{
    int64_t campaign_id;
    registry_tr row;
    hw_error err;
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    if (registry_tr_get(ctx->app->rdb, campaign_id, router_param(ctx, 0), &row, &err) != 0)
        json_fail(ctx, &err);
    else
        json_reply(ctx, 200, tr_json(ctx->app, &row));
    return 0;
}

/* ------------------------------------------------------------------ writes */

static void on_done(route_ctx *ctx, store_job *sj, registry_tr_job *job, int status)
{
    if (sj->rc == 0) {
        json_reply(ctx, status, tr_json(ctx->app, &job->row));
    } else if (job->nproblems > 0) {
        json_t *details = json_array();
        query_add_problems(details, transport_fields, job->problems, job->nproblems);
        query_invalid(ctx, details);
    } else if (strcmp(sj->err.code, "bad_transition") == 0) {
        json_error(ctx, 409, sj->err.code, sj->err.message,
                   json_pack("[{s:s, s:s, s:s}]", "field", "status", "from", transport_status_name(job->from), "to",
                             transport_status_name(job->to)));
    } else if (strcmp(sj->err.code, "duplicate_ref") == 0) {
        json_error(ctx, 409, sj->err.code, sj->err.message,
                   json_pack("[{s:s, s:s}]", "field", "ref", "reason", "duplicate"));
    } else {
        json_fail(ctx, &sj->err);
    }
}

static void on_created(route_ctx *ctx, store_job *sj, void *arg)
{
    on_done(ctx, sj, arg, 201);
}

static void on_saved(route_ctx *ctx, store_job *sj, void *arg)
{
    on_done(ctx, sj, arg, 200);
}

/* A job for the current campaign addressing the transport in the path (if any), or NULL after answering. */
static registry_tr_job *new_job(route_ctx *ctx, bool with_ref)
{
    int64_t campaign_id;
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return NULL;
    registry_tr_job *job = registry_tr_job_new(campaign_id);
    if (job == NULL) {
        query_no_memory(ctx);
        return NULL;
    }
    if (with_ref && snprintf(job->ref, sizeof job->ref, "%s", router_param(ctx, 0)) >= (int)sizeof job->ref) {
        free(job);
        query_not_found(ctx, "运力", "transport");
        return NULL;
    }
    return job;
}

/* Parse the body into job->input (`allowed` fields); on create also run transport_check. -1 after answering. */
static int read_body(route_ctx *ctx, registry_tr_job *job, unsigned allowed, bool create, query_set_fn set)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return -1;
    query_form form = {transport_fields, TR_NFIELDS, allowed, create, set, &job->input, ctx->app->divisions};
    json_t *details = json_array();
    int rc = query_form_apply(ctx, body, &form, &job->fields, details);
    json_decref(body);
    if (rc == 0 && create && json_array_size(details) == 0) {
        registry_problem problems[REGISTRY_MAX_PROBLEMS];
        int n = registry_tr_problems(&job->input, problems, REGISTRY_MAX_PROBLEMS);
        query_add_problems(details, transport_fields, problems, n);
    }
    if (rc == 0 && json_array_size(details) > 0) {
        query_invalid(ctx, details);
        return -1;
    }
    json_decref(details);
    return rc;
}

/* Queue `fn` for a job that read `allowed` fields of the body (none: no body), answering with `done`. */
static int queue(route_ctx *ctx, bool with_ref, unsigned allowed, bool create, store_write_fn fn,
                 void (*done)(route_ctx *, store_job *, void *))
{
    registry_tr_job *job = new_job(ctx, with_ref);
    if (job == NULL)
        return 0;
    if (allowed != 0 && read_body(ctx, job, allowed, create, set_field) != 0) {
        free(job);
        return 0;
    }
    route_write(ctx, fn, job, free, done);
    return 0;
}

int transports_on_create(route_ctx *ctx)
{
    return queue(ctx, false, ALL_FIELDS, true, registry_tr_create, on_created);
}

int transports_on_update(route_ctx *ctx)
{
    return queue(ctx, true, PATCH_FIELDS, false, registry_tr_update, on_saved);
}

int transports_on_delete(route_ctx *ctx)
{
    return queue(ctx, true, 0, false, registry_tr_delete, on_saved);
}

/* The status field of POST .../status: required, and parsed by the field's own parser (计划/已确认... too). */
static int set_status(void *record, int field, const char *text, const void *env, hw_error *err)
{
    (void)field;
    (void)env;
    if (strspn(text, " \t") == strlen(text))
        return error_set(err, HW_EINVAL, "missing", "需要 status 字段 (status is required)");
    return transport_status_parse(text, &((transport *)record)->status, err);
}

/* Parse the {"status": "..."} body into job->to; -1 after answering 400. */
static int read_status(route_ctx *ctx, registry_tr_job *job)
{
    if (read_body(ctx, job, 1u << TR_STATUS, false, set_status) != 0)
        return -1;
    if (!(job->fields & (1u << TR_STATUS))) {
        query_invalid(ctx, json_pack("[{s:s, s:s, s:s}]", "field", "status", "code", "missing", "reason",
                                     "需要 status 字段 (the body needs a status)"));
        return -1;
    }
    job->to = job->input.status;
    return 0;
}

int transports_on_status(route_ctx *ctx)
{
    registry_tr_job *job = new_job(ctx, true);
    if (job == NULL)
        return 0;
    if (read_status(ctx, job) != 0) {
        free(job);
        return 0;
    }
    route_write(ctx, registry_tr_move, job, free, on_saved);
    return 0;
}
