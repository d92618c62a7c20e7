/* users.c - GET and POST /api/v1/users (admin only): list users, create one and show its token once. */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "json.h"

int users_on_list(route_ctx *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->app->rdb,
                                "SELECT id, name, role, station, unit_code, created_at, revoked_at FROM users ORDER BY id",
                                -1, &st, NULL);
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
    hw_error err;
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
    if (auth_validate(&job->user, &err) != 0) {
        free_job(job);
        json_fail(ctx, &err);
        return 0;
    }
    auth_token_new(job->token, job->user.hash);
    route_write(ctx, auth_user_insert, job, free_job, created);
    return 0;
}
