/* purchases.c - /api/v1/purchases: tickets bought for registered workers (10(G)): list, record, read, change, delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "parse.h"
#include "query.h"
#include "registry.h"

#define ALL_FIELDS ((1u << PU_NFIELDS) - 1)
#define PATCH_FIELDS ((1u << PU_SERVICE) | (1u << PU_TRAVEL_DATE) | (1u << PU_FARE) | (1u << PU_REFUNDED))

static int set_field(void *record, int field, const char *text, const void *env, hw_error *err)
{
    return purchase_set(record, (pu_field)field, text, *(const int *)env, err);
}

/* A purchase as the API shows it; the person only by registration, name and masked id number. */
static json_t *pu_json(const registry_pu *row)
{
    const purchase *p = &row->p;
    return json_pack("{s:I, s:{s:I, s:s, s:s}, s:s, s:s?, s:s, s:o, s:b, s:s}", "id", (json_int_t)row->id, "person",
                     "registration", (json_int_t)row->registration_id, "name", row->name, "id_number", row->id_masked,
                     "mode", p->mode, "service", query_nz(p->service), "travel_date", p->travel_date, "fare_yuan",
                     query_money(p->fare_fen), "refunded", (int)p->refunded, "created_at", row->created_at);
}

/* ------------------------------------------------------------------ list and read */

typedef struct pu_query {
    char mode[32], date[11], refunded[16], registration[24];
    registry_pu_filter f;
} pu_query;

static int parse_refunded_mode(route_ctx *ctx, pu_query *pq)
{
    hw_error err;
    bool yes = false;
    purchase scratch;
    if (pq->refunded[0] != '\0') {
        if (parse_yes_no(pq->refunded, false, &yes, &err) != 0) {
            query_bad_param(ctx, "refunded", &err);
            return -1;
        }
        pq->f.refunded = yes;
    }
    purchase_init(&scratch);
    if (pq->mode[0] != '\0') {
        if (purchase_set(&scratch, PU_MODE, pq->mode, 0, &err) != 0) {
            query_bad_param(ctx, "mode", &err);
            return -1;
        }
        snprintf(pq->mode, sizeof pq->mode, "%s", scratch.mode);
        pq->f.mode = pq->mode;
    }
    return 0;
}

static int parse_filter(route_ctx *ctx, pu_query *pq)
{
    hw_error err;
    memset(pq, 0, sizeof *pq);
    pq->f.refunded = -1;
    if (query_param(ctx, "mode", pq->mode, sizeof pq->mode) < 0 || query_date(ctx, "date", pq->date) < 0 ||
        query_param(ctx, "refunded", pq->refunded, sizeof pq->refunded) < 0 ||
        query_param(ctx, "registration", pq->registration, sizeof pq->registration) < 0)
        return -1;
    if (pq->registration[0] != '\0' && !query_id(pq->registration, &pq->f.registration)) {
        error_set(&err, HW_EINVAL, "bad_registration", "registration 应为登记编号 (registration must be a record id)");
        query_bad_param(ctx, "registration", &err);
        return -1;
    }
    pq->f.date = query_nz(pq->date);
    return parse_refunded_mode(ctx, pq);
}

static int add_item(const registry_pu *row, void *data)
{
    json_array_append_new(data, pu_json(row));
    return 0;
}

int purchases_on_list(route_ctx *ctx)
{
    registry_page page;
    pu_query pq;
    int64_t campaign_id, total = 0;
    hw_error err;
    if (query_paging(ctx, &page) != 0 || parse_filter(ctx, &pq) != 0 || query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    json_t *items = json_array();
    if (registry_pu_list(ctx->app->rdb, campaign_id, &pq.f, page, add_item, items, &total, &err) != 0) {
        json_decref(items);
        json_fail(ctx, &err);
        return 0;
    }
    json_reply(ctx, 200, query_page_answer(items, total, &page));
    return 0;
}

int purchases_on_get(route_ctx *ctx)
{
    int64_t id, campaign_id;
    registry_pu row;
    hw_error err;
    if (!query_id(router_param(ctx, 0), &id)) {
        query_not_found(ctx, "购票记录", "purchase");
        return 0;
    }
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    if (registry_pu_get(ctx->app->rdb, campaign_id, id, &row, &err) != 0)
        json_fail(ctx, &err);
    else
        json_reply(ctx, 200, pu_json(&row));
    return 0;
}

/* ------------------------------------------------------------------ writes */

static void on_done(route_ctx *ctx, store_job *sj, registry_pu_job *job, int status)
{
    if (sj->rc == 0) {
        json_reply(ctx, status, pu_json(&job->row));
    } else if (job->nproblems > 0) {
        json_t *details = json_array();
        query_add_problems(details, purchase_fields, job->problems, job->nproblems);
        query_invalid(ctx, details);
    } else if (strcmp(sj->err.code, "not_registered") == 0) {
        /* the request names a person who is not registered: a bad request, not a missing resource */
        json_error(
            ctx, 400, sj->err.code, sj->err.message,
            json_pack("[{s:s, s:s, s:s}]", "field", "id_number", "code", sj->err.code, "reason", sj->err.message));
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

/* A job for the current campaign (addressing the purchase in the path when `with_id`), or NULL after answering. */
static registry_pu_job *new_job(route_ctx *ctx, bool with_id)
{
    int64_t campaign_id, id = 0;
    if (with_id && !query_id(router_param(ctx, 0), &id)) {
        query_not_found(ctx, "购票记录", "purchase");
        return NULL;
    }
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return NULL;
    registry_pu_job *job = registry_pu_job_new(ctx->app->vault, campaign_id);
    if (job == NULL)
        query_no_memory(ctx);
    else
        job->id = id;
    return job;
}

static int read_body(route_ctx *ctx, registry_pu_job *job, unsigned allowed, bool create)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return -1;
    query_form form = {purchase_fields, PU_NFIELDS, allowed, create, set_field, &job->input, &job->today};
    json_t *details = json_array();
    int rc = query_form_apply(ctx, body, &form, &job->fields, details);
    json_decref(body);
    if (rc == 0 && create && json_array_size(details) == 0) {
        registry_problem problems[REGISTRY_MAX_PROBLEMS];
        int n = registry_pu_problems(&job->input, job->today, problems, REGISTRY_MAX_PROBLEMS);
        query_add_problems(details, purchase_fields, problems, n);
    }
    if (rc == 0 && json_array_size(details) > 0) {
        query_invalid(ctx, details);
        return -1;
    }
    json_decref(details);
    return rc;
}

static int queue(route_ctx *ctx, bool with_id, unsigned allowed, bool create, store_write_fn fn,
                 void (*done)(route_ctx *, store_job *, void *))
{
    registry_pu_job *job = new_job(ctx, with_id);
    if (job == NULL)
        return 0;
    if (allowed != 0 && read_body(ctx, job, allowed, create) != 0) {
        registry_pu_job_free(job);
        return 0;
    }
    route_write(ctx, fn, job, registry_pu_job_free, done);
    return 0;
}

int purchases_on_create(route_ctx *ctx)
{
    return queue(ctx, false, ALL_FIELDS, true, registry_pu_create, on_created);
}

int purchases_on_update(route_ctx *ctx)
{
    return queue(ctx, true, PATCH_FIELDS, false, registry_pu_update, on_saved);
}

int purchases_on_delete(route_ctx *ctx)
{
    return queue(ctx, true, 0, false, registry_pu_delete, on_saved);
}
