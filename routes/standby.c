/* standby.c - POST /api/v1/transports/{ref}/standby: seat one registration on a free seat after the no-show cutoff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handlers.h"
#include "idnumber.h"
#include "json.h"
#include "lifecycle.h"
#include "query.h"
#include "tickets.h"

/* After the commit: answer 201 with the ticket as GET /tickets/{code} shows it, plus "standby": true. */
static void on_seated(route_ctx *ctx, store_job *sj, void *arg)
{
    lifecycle_standby_job *job = arg;
    ticket_view t;
    hw_error err;
    if (sj->rc != 0 && (strcmp(sj->err.code, "not_fit") == 0 || strcmp(sj->err.code, "has_ticket") == 0)) {
        json_error(ctx, 409, sj->err.code, sj->err.message,
                   json_pack("[{s:s, s:s}]", "field", "registration", "reason", sj->err.message));
        return;
    }
    if (sj->rc != 0) {
        json_fail(ctx, &sj->err);
        return;
    }
    if (tickets_get(ctx->app->rdb, job->code, &t, &err) != 0) {
        json_fail(ctx, &err);
        return;
    }
    json_t *ticket = tickets_json(ctx->app->divisions, &t);
    json_object_set_new(ticket, "standby", json_true());
    json_object_set_new(ticket, "registration", json_integer(job->registration));
    json_reply(ctx, 201, ticket);
}

/* Who: {"registration": id} or {"id_number": "..."} (through the blind index). 0, or -1 after answering 400. */
static int read_person(route_ctx *ctx, json_t *body, lifecycle_standby_job *job)
{
    json_t *reg = json_object_get(body, "registration");
    const char *idn = json_string_value(json_object_get(body, "id_number"));
    char id[IDNUMBER_LEN + 1];
    hw_error err;
    if (json_is_integer(reg) && json_integer_value(reg) > 0) {
        job->registration = json_integer_value(reg);
        return 0;
    }
    if (reg == NULL && idn != NULL && idnumber_normalize(idn, clock_today(), id, &err) == 0) {
        vault_index(ctx->app->vault, "id", id, job->id_index);
        return 0;
    }
    query_invalid(ctx, json_pack("[{s:s, s:s, s:s}]", "field", reg != NULL ? "registration" : "id_number", "code",
                                 "invalid", "reason",
                                 "需要 registration (登记编号) 或有效的 id_number (身份证号) (the body needs a "
                                 "registration id or a valid id_number)"));
    return -1;
}

int standby_on_post(route_ctx *ctx)
{
    int64_t campaign_id;
    if (query_campaign(ctx, &campaign_id, NULL) != 0)
        return 0;
    json_t *body = json_body(ctx);
    if (body == NULL)
        return 0;
    lifecycle_standby_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        json_decref(body);
        query_no_memory(ctx);
        return 0;
    }
    job->campaign_id = campaign_id;
    snprintf(job->ref, sizeof job->ref, "%s", router_param(ctx, 0));
    if (ctx->user.role == AUTH_ROLE_STATION)
        snprintf(job->station, sizeof job->station, "%s", ctx->user.station);
    int rc = read_person(ctx, body, job);
    json_decref(body);
    if (rc != 0) {
        free(job);
        return 0;
    }
    route_write(ctx, lifecycle_standby, job, free, on_seated);
    return 0;
}
