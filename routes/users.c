/* users.c - /api/v1/users: list users, create one and show its token once (admin); revoke a token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "json.h"
#include "query.h"

/* GET /api/v1/users: every user for admins; coordinators see the station users (devices) they may revoke. */
int users_on_list(route_ctx *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->app->rdb,
                                "SELECT id, name, role, station, unit_code, created_at, revoked_at FROM users"
                                " WHERE ?1 OR role = 'station' ORDER BY id",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        sqlite3_bind_int(st, 1, ctx->user.role == AUTH_ROLE_ADMIN);
    if (rc != SQLITE_OK) {
        json_error(ctx, 500, "database_error", sqlite3_errmsg(ctx->app->rdb), NULL);
        return 0;
    }
    json_t *users = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(
            users, json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s, s:s?}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                             "name", sqlite3_column_text(st, 1), "role", sqlite3_column_text(st, 2), "station",
                             sqlite3_column_text(st, 3), "unit", sqlite3_column_text(st, 4), "created_at",
                             sqlite3_column_text(st, 5), "revoked_at", sqlite3_column_text(st, 6)));
    sqlite3_finalize(st);
    json_reply(ctx, 200, json_pack("{s:o}", "users", users));
    return 0;
}

/* What crosses to the writer thread: copies, never pointers into the request. */
typedef struct new_user_job {
    auth_new_user user;
    char name[64], station[64], unit[8];
    char token[AUTH_TOKEN_MAX];
} new_user_job;

static void free_job(void *arg)
{
    new_user_job *job = arg;
    memset(job->token, 0, sizeof job->token);
    free(job);
}

static void created(route_ctx *ctx, store_job *sj, void *arg)
{
    new_user_job *job = arg;
    if (sj->rc != 0) {
        json_fail(ctx, &sj->err);
        return;
    }
    json_reply(ctx, 201,
               json_pack("{s:{s:I, s:s, s:s, s:s?, s:s?}, s:s}", "user", "id", (json_int_t)job->user.id, "name",
                         job->name, "role", auth_role_name(job->user.role), "station",
                         job->station[0] ? job->station : NULL, "unit", job->unit[0] ? job->unit : NULL, "token",
                         job->token));
}

static void copy_field(json_t *body, const char *key, char *dst, size_t n)
{
    const char *v = json_string_value(json_object_get(body, key));
    snprintf(dst, n, "%s", v != NULL ? v : "");
}

int users_on_create(route_ctx *ctx)
{
    json_t *body = json_body(ctx);
    hw_error err = {0};
    if (body == NULL)
        return 0;
    new_user_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        json_decref(body);
        json_error(ctx, 500, "out_of_memory", "内存不足 (out of memory)", NULL);
        return 0;
    }
    copy_field(body, "name", job->name, sizeof job->name);
    copy_field(body, "station", job->station, sizeof job->station);
    copy_field(body, "unit", job->unit, sizeof job->unit);
    job->user = (auth_new_user){.name = job->name, .role = auth_role_parse(json_string_value(json_object_get(body, "role"))),
                                .station = job->station, .unit_code = job->unit};
    json_decref(body);
    if (auth_validate(&job->user, &err) == 0 && job->user.role == AUTH_ROLE_CHILD &&
        divisions_name(ctx->app->divisions, job->unit) == NULL)
        error_set(&err, HW_EINVAL, "unknown_unit_code",
                  "单位代码 %s 不是行政区划表中的代码 (unit code %s is not a known GB/T 2260 division)", job->unit,
                  job->unit);
    if (err.rc != 0) {
        free_job(job);
        json_fail(ctx, &err);
        return 0;
    }
    auth_token_new(job->token, job->user.hash);
    route_write(ctx, auth_user_insert, job, free_job, created);
    return 0;
}

/* What crosses to the writer for a revocation: the request's facts copied. */
typedef struct revoke_job {
    auth_revoke revoke;
    char by[64];
} revoke_job;

static void revoked(route_ctx *ctx, store_job *sj, void *arg)
{
    revoke_job *job = arg;
    if (sj->rc != 0) {
        json_fail(ctx, &sj->err);
        return;
    }
    json_reply(ctx, 200,
               json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)job->revoke.id, "name", job->revoke.user_name,
                         "role", auth_role_name(job->revoke.role), "revoked_at", job->revoke.revoked_at, "already",
                         job->revoke.already));
}

/*
 * POST /api/v1/users/{id}/revoke: the user's token stops working with the next request. Admins may
 * revoke anyone but the last admin; coordinators only station users (a lost or stolen phone).
 */
int users_on_revoke(route_ctx *ctx)
{
    int64_t id = 0;
    if (!query_id(router_param(ctx, 0), &id)) {
        json_error(ctx, 404, "not_found", "没有这个用户 (no such user)", NULL);
        return 0;
    }
    revoke_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        query_no_memory(ctx);
        return 0;
    }
    snprintf(job->by, sizeof job->by, "%s", ctx->user.name);
    job->revoke = (auth_revoke){.id = id, .by = job->by, .station_only = ctx->user.role != AUTH_ROLE_ADMIN};
    route_write(ctx, auth_user_revoke, job, free, revoked);
    return 0;
}
