/* subsidies.c - /api/v1/subsidies: employer subsidy agreements (11(A)): list, record, read, change, delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "query.h"
#include "registry.h"

#define ALL_FIELDS ((1u << SU_NFIELDS) - 1)

static int set_field(void *record, int field, const char *text, const void *env, hw_error *err)
{
    (void)env;
    return subsidy_set(record, (su_field)field, text, err);
}

/* A subsidy as the API shows it: the amount as an exact yuan string from integer fen. */
static json_t *su_json(const registry_su *row)
{
    const subsidy *s = &row->s;
    return json_pack("{s:I, s:s, s:o, s:o, s:s, s:s}", "id", (json_int_t)row->id, "employer", s->employer,
                     "amount_yuan", query_money(s->amount_fen), "people",
                     s->people >= 0 ? json_integer(s->people) : json_null(), "date", s->date, "created_at",
                     row->created_at);
}

/* ------------------------------------------------------------------ list and read */

static int add_item(const registry_su *row, void *data)
{
    json_array_append_new(data, su_json(row));
    return 0;
}

int subsidies_on_list(route_ctx *ctx)
{
    registry_page page;
    char employer[128], date[11] = "";
    int64_t campaign_id, total = 0;
    hw_error err;
    if (query_paging(ctx, &page) != 0 || query_param(ctx, "employer", employer, sizeof employer) < 0 ||
        query_date(ctx, "date", date) < 0 || query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    registry_su_filter f = {query_nz(employer), query_nz(date)};
    json_t *items = json_array();
    if (registry_su_list(ctx->app->rdb, campaign_id, &f, page, add_item, items, &total, &err) != 0) {
        json_decref(items);
        json_fail(ctx, &err);
        return 0;
    }
    json_reply(ctx, 200, query_page_answer(items, total, &page));
    return 0;
}

int subsidies_on_get(route_ctx *ctx)
{
    int64_t id, campaign_id;
    registry_su row;
    hw_error err;
    if (!query_id(router_param(ctx, 0), &id)) {
        query_not_found(ctx, "补贴记录", "subsidy");
        return 0;
    }
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    if (registry_su_get(ctx->app->rdb, campaign_id, id, &row, &err) != 0)
        json_fail(ctx, &err);
    else
        json_reply(ctx, 200, su_json(&row));
    return 0;
}

/* ------------------------------------------------------------------ writes */

static void on_done(route_ctx *ctx, store_job *sj, registry_su_job *job, int status)
{
    if (sj->rc == 0) {
        json_reply(ctx, status, su_json(&job->row));
    } else if (job->nproblems > 0) {
        json_t *details = json_array();
        query_add_problems(details, subsidy_fields, job->problems, job->nproblems);
        query_invalid(ctx, details);
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

/* A job for the current campaign (addressing the subsidy in the path when `with_id`), or NULL after answering. */
static registry_su_job *new_job(route_ctx *ctx, bool with_id)
{
    int64_t campaign_id, id = 0;
    if (with_id && !query_id(router_param(ctx, 0), &id)) {
        query_not_found(ctx, "补贴记录", "subsidy");
        return NULL;
    }
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return NULL;
    registry_su_job *job = registry_su_job_new(campaign_id);
    if (job == NULL)
        query_no_memory(ctx);
    else
        job->id = id;
    return job;
}

static int read_body(route_ctx *ctx, registry_su_job *job, bool create)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return -1;
    query_form form = {subsidy_fields, SU_NFIELDS, ALL_FIELDS, create, set_field, &job->input, NULL};
    json_t *details = json_array();
    int rc = query_form_apply(ctx, body, &form, &job->fields, details);
    json_decref(body);
    if (rc == 0 && create && json_array_size(details) == 0) {
        registry_problem problems[REGISTRY_MAX_PROBLEMS];
        int n = registry_su_problems(&job->input, problems, REGISTRY_MAX_PROBLEMS);
        query_add_problems(details, subsidy_fields, problems, n);
    }
    if (rc == 0 && json_array_size(details) > 0) {
        query_invalid(ctx, details);
        return -1;
    }
    json_decref(details);
    return rc;
}

static int queue(route_ctx *ctx, bool with_id, bool has_body, bool create, store_write_fn fn,
                 void (*done)(route_ctx *, store_job *, void *))
{
    registry_su_job *job = new_job(ctx, with_id);
    if (job == NULL)
        return 0;
    if (has_body && read_body(ctx, job, create) != 0) {
        free(job);
        return 0;
    }
    route_write(ctx, fn, job, free, done);
    return 0;
}

int subsidies_on_create(route_ctx *ctx)
{
    return queue(ctx, false, true, true, registry_su_create, on_created);
}

int subsidies_on_update(route_ctx *ctx)
{
    return queue(ctx, true, true, false, registry_su_update, on_saved);
}

int subsidies_on_delete(route_ctx *ctx)
{
    return queue(ctx, true, false, false, registry_su_delete, on_saved);
}
