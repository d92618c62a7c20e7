/* checkins.c - POST /api/v1/checkins (+ batch, annul) and GET /api/v1/checkins/search for the station page. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "checkins.h"
#include "handlers.h"
#include "json.h"
#include "query.h"
#include "ticketcode.h"

/* The station a station user is bound to, or "" for every other role. */
static const char *own_station(const route_ctx *ctx)
{
    return ctx->user.role == AUTH_ROLE_STATION ? ctx->user.station : "";
}

/* Copy the string member `key` of `obj` into buf; false (with a detail added) when it is required and bad. */
static bool field(json_t *obj, const char *key, char *buf, size_t n, bool required, size_t index, json_t *details)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    buf[0] = '\0';
    if (v == NULL || json_is_null(v) || (s != NULL && s[0] == '\0' && !required))
        s = NULL;
    const char *why = NULL, *code = "invalid";
    if (v != NULL && !json_is_null(v) && s == NULL && !json_is_string(v))
        why = "应为字符串 (must be a string)";
    else if (s != NULL && strlen(s) >= n)
        why = "太长 (too long)";
    else if (required && (s == NULL || s[0] == '\0'))
        code = "missing";
    if (strcmp(code, "missing") == 0)
        why = "必填 (required)";
    if (why != NULL) {
        json_array_append_new(
            details, json_pack("{s:s, s:i, s:s, s:s}", "field", key, "index", (int)index, "code", code, "reason", why));
        return false;
    }
    if (s != NULL)
        snprintf(buf, n, "%s", s);
    return true;
}

/* Read one event object into `e`; problems are appended to `details`. */
static void read_event(json_t *obj, checkins_event *e, size_t index, json_t *details)
{
    if (!json_is_object(obj)) {
        json_array_append_new(details, json_pack("{s:s, s:i, s:s, s:s}", "field", "event", "index", (int)index, "code",
                                                 "invalid", "reason", "应为对象 (must be an object)"));
        return;
    }
    field(obj, "event_id", e->event_id, sizeof e->event_id, true, index, details);
    field(obj, "device", e->device, sizeof e->device, true, index, details);
    field(obj, "transport", e->transport, sizeof e->transport, true, index, details);
    bool ok = field(obj, "ticket", e->ticket, sizeof e->ticket, false, index, details);
    ok = field(obj, "id_number", e->id_number, sizeof e->id_number, false, index, details) && ok;
    if (ok && e->ticket[0] == '\0' && e->id_number[0] == '\0')
        json_array_append_new(details, json_pack("{s:s, s:i, s:s, s:s}", "field", "ticket", "index", (int)index, "code",
                                                 "missing", "reason",
                                                 "需要 ticket 或 id_number (ticket or id_number is required)"));
    if (field(obj, "at", e->at, sizeof e->at, false, index, details) && e->at[0] != '\0' &&
        checkins_parse_time(e->at) < 0)
        json_array_append_new(details,
                              json_pack("{s:s, s:i, s:s, s:s}", "field", "at", "index", (int)index, "code", "bad_time",
                                        "reason", "应为 RFC 3339 时间 (must be an RFC 3339 time)"));
}

/* Answer 400 when `details` holds problems (stolen either way); true when it did. */
static bool rejected(route_ctx *ctx, json_t *details)
{
    if (json_array_size(details) == 0) {
        json_decref(details);
        return false;
    }
    json_error(ctx, 400, "invalid", "请求有误 (malformed request)", details);
    return true;
}

static void on_single(route_ctx *ctx, store_job *sj, void *arg)
{
    checkins_job *job = arg;
    if (sj->rc != 0 || job->events[0].answer == NULL) {
        json_fail(ctx, &sj->err);
        return;
    }
    const char *a = job->events[0].answer;
    router_send(ctx, 200, "application/json; charset=utf-8", a, strlen(a));
}

/* POST /api/v1/checkins: one scan, decided after commit; 200 with the decision (or the stored one). */
int checkins_on_post(route_ctx *ctx)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return 0;
    checkins_job *job = checkins_job_new(1, ctx->app->vault, ctx->user.name, own_station(ctx));
    if (job == NULL) {
        json_decref(body);
        query_no_memory(ctx);
        return 0;
    }
    json_t *details = json_array();
    read_event(body, &job->events[0], 0, details);
    json_decref(body);
    if (rejected(ctx, details)) {
        checkins_job_free(job);
        return 0;
    }
    route_write(ctx, checkins_apply, job, checkins_job_free, on_single);
    return 0;
}

static void on_batch(route_ctx *ctx, store_job *sj, void *arg)
{
    checkins_job *job = arg;
    size_t len = 16;
    if (sj->rc != 0) {
        json_fail(ctx, &sj->err);
        return;
    }
    for (size_t i = 0; i < job->n; i++)
        len += (job->events[i].answer != NULL ? strlen(job->events[i].answer) : 4) + 1;
    char *out = malloc(len);
    if (out == NULL) {
        query_no_memory(ctx);
        return;
    }
    size_t used = (size_t)snprintf(out, len, "{\"results\":[");
    for (size_t i = 0; i < job->n; i++) {
        const char *a = job->events[i].answer != NULL ? job->events[i].answer : "null";
        used += (size_t)snprintf(out + used, len - used, "%s%s", i > 0 ? "," : "", a);
    }
    used += (size_t)snprintf(out + used, len - used, "]}");
    router_send(ctx, 200, "application/json; charset=utf-8", out, used);
    free(out);
}

/* POST /api/v1/checkins/batch: 1..1000 offline scans applied in client-time order; 200 with one answer each. */
int checkins_on_batch(route_ctx *ctx)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return 0;
    json_t *events = json_object_get(body, "events");
    size_t n = json_array_size(events);
    if (!json_is_array(events) || n == 0 || n > CHECKINS_MAX_BATCH) {
        json_decref(body);
        json_error(ctx, 400, "invalid", "events 应为 1 到 1000 个检票事件 (events must hold 1 to 1000 check-ins)",
                   NULL);
        return 0;
    }
    checkins_job *job = checkins_job_new(n, ctx->app->vault, ctx->user.name, own_station(ctx));
    if (job == NULL) {
        json_decref(body);
        query_no_memory(ctx);
        return 0;
    }
    json_t *details = json_array();
    for (size_t i = 0; i < n; i++)
        read_event(json_array_get(events, i), &job->events[i], i, details);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && json_array_size(details) == 0; j++)
            if (strcmp(job->events[i].event_id, job->events[j].event_id) == 0)
                json_array_append_new(details, json_pack("{s:s, s:i, s:s, s:s}", "field", "event_id", "index", (int)j,
                                                         "code", "duplicate", "reason",
                                                         "同一批中 event_id 重复 (event_id repeated in the batch)"));
    json_decref(body);
    if (rejected(ctx, details)) {
        checkins_job_free(job);
        return 0;
    }
    route_write(ctx, checkins_apply, job, checkins_job_free, on_batch);
    return 0;
}

static void on_annulled(route_ctx *ctx, store_job *sj, void *arg)
{
    checkins_annul_job *job = arg;
    if (sj->rc != 0)
        json_fail(ctx, &sj->err);
    else
        json_reply(
            ctx, 200,
            json_pack("{s:s, s:s, s:s}", "status", "annulled", "event_id", job->event_id, "ticket", job->ticket));
}

/* POST /api/v1/checkins/{event_id}/annul: undo an ok boarding (reason required, audited). */
int checkins_on_annul(route_ctx *ctx)
{
    json_t *body = json_body(ctx);
    if (body == NULL)
        return 0;
    checkins_annul_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        json_decref(body);
        query_no_memory(ctx);
        return 0;
    }
    json_t *details = json_array();
    field(body, "reason", job->reason, sizeof job->reason, true, 0, details);
    json_decref(body);
    if (snprintf(job->event_id, sizeof job->event_id, "%s", router_param(ctx, 0)) >= (int)sizeof job->event_id)
        json_array_append_new(
            details, json_pack("{s:s, s:s, s:s}", "field", "event_id", "code", "invalid", "reason", "太长 (too long)"));
    if (rejected(ctx, details)) {
        free(job);
        return 0;
    }
    snprintf(job->user, sizeof job->user, "%s", ctx->user.name);
    snprintf(job->station, sizeof job->station, "%s", own_station(ctx));
    route_write(ctx, checkins_annul, job, free, on_annulled);
    return 0;
}

#define SEARCH_LIMIT 50

/* The transport's origin (for the station check); -1 after answering 404 or the error. */
static int search_origin(route_ctx *ctx, int64_t campaign, const char *ref, char *origin, size_t n)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->app->rdb,
                                "SELECT coalesce(origin, '') FROM transports WHERE campaign_id = ? "
                                "AND ref = ?",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        json_error(ctx, 500, "internal", "内部错误 (internal error)", NULL);
        return -1;
    }
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(origin, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    query_not_found(ctx, "运力", "transport");
    return -1;
}

/* The matching tickets of the transport, masked. New reference, or NULL on a database error. */
static json_t *search_rows(sqlite3 *db, int64_t campaign, const char *ref, const char *q)
{
    char code[TICKETCODE_LEN + 1], upper[64];
    sqlite3_stmt *st = NULL;
    size_t i = 0;
    for (; q[i] != '\0' && i + 1 < sizeof upper; i++)
        upper[i] = (char)toupper((unsigned char)q[i]);
    upper[i] = '\0';
    if (ticketcode_normalize(q, code, NULL) != 0)
        code[0] = '\0';
    if (sqlite3_prepare_v2(db,
                           "SELECT k.code, k.seat_label, k.status, r.name, r.id_masked, coalesce(r.phone_masked, ''), "
                           "k.boarded_at FROM tickets k JOIN registrations r ON r.id = k.registration_id "
                           "JOIN transports t ON t.id = k.transport_id WHERE t.campaign_id = ?1 AND t.ref = ?2 AND "
                           "(instr(r.name, ?3) > 0 OR k.code = ?4 OR (length(?5) = 4 AND "
                           "(substr(r.id_masked, -4) = ?5 OR substr(r.phone_masked, -4) = ?5))) "
                           "ORDER BY k.seat_index, k.id LIMIT ?6",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, q, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, upper, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, SEARCH_LIMIT);
    json_t *items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *cols[7];
        for (int c = 0; c < 7; c++)
            cols[c] = (const char *)sqlite3_column_text(st, c);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "ticket", cols[0], "seat",
                                               cols[1], "status", cols[2], "name", cols[3], "id_number", cols[4],
                                               "phone", cols[5][0] ? cols[5] : NULL, "boarded_at", cols[6]));
    }
    sqlite3_finalize(st);
    return items;
}

/* GET /api/v1/checkins/search?transport=&q=: tickets of one transport, masked. */
int checkins_on_search(route_ctx *ctx)
{
    char ref[64], q[64], origin[64];
    int64_t campaign = 0;
    int has_ref = query_param(ctx, "transport", ref, sizeof ref);
    if (has_ref < 0)
        return 0;
    int has_q = query_param(ctx, "q", q, sizeof q);
    if (has_q < 0)
        return 0;
    if (has_ref == 0 || ref[0] == '\0' || has_q == 0 || q[0] == '\0') {
        json_error(ctx, 400, "missing", "需要 transport 和 q 参数 (transport and q are required)", NULL);
        return 0;
    }
    if (query_campaign(ctx, &campaign, NULL) != 0 || search_origin(ctx, campaign, ref, origin, sizeof origin) != 0)
        return 0;
    if (own_station(ctx)[0] != '\0' && strcmp(own_station(ctx), origin) != 0) {
        json_error(ctx, 403, "other_station", "这不是从本站出发的运力 (this transport does not leave your station)",
                   NULL);
        return 0;
    }
    json_t *items = search_rows(ctx->app->rdb, campaign, ref, q);
    if (items == NULL)
        json_error(ctx, 500, "internal", "内部错误 (internal error)", NULL);
    else
        json_reply(ctx, 200, json_pack("{s:s, s:o}", "transport", ref, "items", items));
    return 0;
}
