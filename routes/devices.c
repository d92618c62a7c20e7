/* devices.c - POST /api/v1/devices/codes (coordinators) and POST /api/v1/devices/claim (no token: the code is the
 * secret). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "devices.h"
#include "handlers.h"
#include "json.h"
#include "query.h"

/* Copy the non-empty string `key` of `body` into buf; false (and a detail added) when missing or too long. */
static bool text_field(json_t *body, const char *key, char *buf, size_t n, json_t *details)
{
    const char *s = json_string_value(json_object_get(body, key));
    if (s == NULL || s[0] == '\0' || strlen(s) >= n) {
        json_array_append_new(details, json_pack("{s:s, s:s, s:s}", "field", key, "code", "invalid", "reason",
                                                 "必填,且不超过 63 字节 (required, at most 63 bytes)"));
        return false;
    }
    snprintf(buf, n, "%s", s);
    return true;
}

/* Answer 500 or 400 (details stolen either way) and free `job`; false when the request is fine. */
static bool rejected(route_ctx *ctx, void *job, json_t *details)
{
    if (job != NULL && json_array_size(details) == 0) {
        json_decref(details);
        return false;
    }
    if (job == NULL) {
        json_decref(details);
        query_no_memory(ctx);
    } else {
        query_invalid(ctx, details);
    }
    free(job);
    return true;
}

static void on_code(route_ctx *ctx, store_job *sj, void *arg)
{
    devices_code_job *job = arg;
    if (sj->rc != 0)
        json_fail(ctx, &sj->err);
    else
        json_reply(ctx, 201,
                   json_pack("{s:s, s:s, s:s, s:s}", "code", job->code, "station", job->station, "device", job->device,
                             "expires_at", job->expires_at));
}

static void free_code(void *arg)
{
    sodium_memzero(arg, sizeof(devices_code_job));
    free(arg);
}

/* POST /api/v1/devices/codes: a one-time code for {station, device}; 201 shows it once. */
int devices_on_code(route_ctx *ctx)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return 0;
    devices_code_job *job = calloc(1, sizeof *job);
    json_t *details = json_array();
    if (job != NULL) {
        text_field(body, "station", job->station, sizeof job->station, details);
        text_field(body, "device", job->device, sizeof job->device, details);
        snprintf(job->user, sizeof job->user, "%s", ctx->user.name);
    }
    json_decref(body);
    if (rejected(ctx, job, details))
        return 0;
    route_write(ctx, devices_code_create, job, free_code, on_code);
    return 0;
}

static void on_claim(route_ctx *ctx, store_job *sj, void *arg)
{
    devices_claim_job *job = arg;
    if (sj->rc != 0)
        json_fail(ctx, &sj->err);
    else
        json_reply(ctx, 201,
                   json_pack("{s:{s:I, s:s, s:s, s:s}, s:s}", "user", "id", (json_int_t)job->user_id, "name", job->name,
                             "role", "station", "station", job->station, "token", job->token));
}

static void free_claim(void *arg)
{
    sodium_memzero(arg, sizeof(devices_claim_job));
    free(arg);
}

/* POST /api/v1/devices/claim (no token): the code for a new station user and its token, once. */
int devices_on_claim(route_ctx *ctx)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return 0;
    devices_claim_job *job = calloc(1, sizeof *job);
    json_t *details = json_array();
    if (job != NULL) {
        text_field(body, "code", job->code, sizeof job->code, details);
        text_field(body, "device", job->device, sizeof job->device, details);
    }
    json_decref(body);
    if (rejected(ctx, job, details))
        return 0;
    route_write(ctx, devices_claim, job, free_claim, on_claim);
    return 0;
}
