/* health.c - GET /healthz and GET /metrics, the two routes that need no token. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "schema.h"

int health_on_get(route_ctx *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->app->rdb, "PRAGMA user_version", -1, &st, NULL);
    int version = -1;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int ok = version == schema_version();
    json_reply(ctx, ok ? 200 : 503,
               json_pack("{s:s, s:s, s:{s:b, s:i}}", "status", ok ? "ok" : "degraded", "version", HOMEWARD_VERSION,
                         "database", "ok", ok, "schema", version));
    return 0;
}

int health_on_metrics(route_ctx *ctx)
{
    char *text = NULL;
    size_t len = 0;
    if (metrics_render(ctx->app->metrics, ctx->app->store, &text, &len) != 0) {
        json_error(ctx, 500, "out_of_memory", "内存不足 (out of memory)", NULL);
        return 0;
    }
    router_send(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
    return 0;
}
