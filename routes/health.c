/* health.c - GET /healthz and GET /metrics, the two routes that need no token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handlers.h"
#include "json.h"
#include "schema.h"

/* Ask the database for its schema version (a real read through the loop's connection). */
static int read_schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

int health_on_get(route_ctx *ctx)
{
    /* probes may come thousands of times a second: ask the database at most every 500 ms */
    static double checked_at = -1e9;
    static int version = -1;
    double now = clock_mono_ms();
    if (now - checked_at >= 500 || version != schema_version()) {
        version = read_schema_version(ctx->app->rdb);
        checked_at = now;
    }
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

/* The API description, read from the docs folder (small, so a blocking read is fine). */
int health_on_openapi(route_ctx *ctx)
{
    char path[512], *text = NULL;
    const char *dir = getenv("HOMEWARD_DOCS_DIR");
    snprintf(path, sizeof path, "%s/openapi.yaml", dir != NULL ? dir : HOMEWARD_DOCS_DIR);
    FILE *f = fopen(path, "rb");
    size_t len = 0;
    if (f != NULL) {
        text = malloc(256 * 1024);
        len = text != NULL ? fread(text, 1, 256 * 1024, f) : 0;
        fclose(f);
    }
    if (text == NULL || len == 0) {
        free(text);
        json_error(ctx, 404, "not_found", "找不到接口说明 openapi.yaml (openapi.yaml not found)", NULL);
        return 0;
    }
    router_send(ctx, 200, "application/yaml; charset=utf-8", text, len);
    free(text);
    return 0;
}
