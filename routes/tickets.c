/* tickets.c - GET /api/v1/tickets/{code} (boarding pass), its qr.svg and printable page, and transport manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "handlers.h"
#include "registry.h"
#include "json.h"
#include "qrsvg.h"
#include "ticketcode.h"
#include "tickets.h"
#include "transports.h"

/* Station staff see only what leaves their own station (DESIGN §6 Roles). */
static bool station_allows(route_ctx *ctx, const char *origin)
{
    if (ctx->user.role != AUTH_ROLE_STATION || strcmp(ctx->user.station, origin) == 0)
        return true;
    json_error(ctx, 403, "other_station", "这不是从本站出发的运力 (this transport does not leave your station)", NULL);
    return false;
}

/* The ticket in the path, read and checked; false after answering. */
static bool load_ticket(route_ctx *ctx, ticket_view *t)
{
    char code[TICKETCODE_LEN + 1];
    hw_error err;
    if (ticketcode_normalize(router_param(ctx, 0), code, &err) != 0) {
        json_error(ctx, 404, "unknown_ticket", err.message, NULL);
        return false;
    }
    if (tickets_get(ctx->app->rdb, code, t, &err) != 0) {
        json_fail(ctx, &err);
        return false;
    }
    return station_allows(ctx, t->origin);
}

int tickets_on_get(route_ctx *ctx)
{
    ticket_view t;
    if (load_ticket(ctx, &t))
        json_reply(ctx, 200, tickets_json(ctx->app->divisions, &t));
    return 0;
}

int tickets_on_qr(route_ctx *ctx)
{
    ticket_view t;
    char *svg = NULL;
    size_t len = 0;
    hw_error err;
    if (!load_ticket(ctx, &t))
        return 0;
    if (qrsvg_render(t.code, 8, &svg, &len, &err) != 0) {
        json_fail(ctx, &err);
        return 0;
    }
    router_send(ctx, 200, "image/svg+xml", svg, len);
    free(svg);
    return 0;
}

/* Escape text for HTML into buf. */
static const char *html(const char *s, char *buf, size_t n)
{
    size_t j = 0;
    for (; *s != '\0' && j + 7 < n; s++) {
        const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;" : NULL;
        if (rep != NULL)
            j += (size_t)snprintf(buf + j, n - j, "%s", rep);
        else
            buf[j++] = *s;
    }
    buf[j] = '\0';
    return buf;
}

int tickets_on_pass(route_ctx *ctx)
{
    ticket_view t;
    char *svg = NULL, *page = NULL, name[256], label[256], origin[256], drop[400], place[DIVISIONS_FULL_NAME_MAX];
    char pretty[TICKETCODE_FORMATTED_LEN + 1];
    size_t len = 0;
    hw_error err;
    if (!load_ticket(ctx, &t))
        return 0;
    if (qrsvg_render(t.code, 6, &svg, &len, &err) != 0) {
        json_fail(ctx, &err);
        return 0;
    }
    transport_kind kind = TRANSPORT_BUS;
    transport_kind_parse(t.transport_kind, &kind, NULL);
    if (divisions_full_name(ctx->app->divisions, t.dropoff, place, sizeof place) != 0)
        snprintf(place, sizeof place, "%s", t.dropoff);
    ticketcode_format(t.code, pretty, sizeof pretty);
    size_t cap = len + 4096;
    page = malloc(cap);
    int n = page == NULL ? -1
                         : snprintf(page, cap,
                                    "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>乘车凭证 %s</title>"
                                    "<style>body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em}h1{font-size:1.4em}"
                                    "dt{color:#555}dd{margin:0 0 .6em;font-size:1.2em}.qr svg{width:14em;height:14em}"
                                    ".code{font:1.6em monospace;letter-spacing:.1em}@media print{button{display:none}}"
                                    "</style><h1>平安返乡 乘车凭证 (boarding pass)</h1><div class=\"qr\">%s</div>"
                                    "<p class=\"code\">%s</p><dl><dt>姓名 name</dt><dd>%s (%s)</dd>"
                                    "<dt>运力 transport</dt><dd>%s %s (%s)</dd><dt>出发 departure</dt><dd>%.10s %.5s "
                                    "%s</dd><dt>座位 seat</dt><dd>%s</dd><dt>下车地 drop-off</dt><dd>%s</dd></dl>"
                                    "<p>请携带身份证,票、证、人一致方可乘车 (bring your id card: ticket, card and "
                                    "person must match)</p><button onclick=\"print()\">打印 print</button></html>",
                                    t.code, svg, pretty, html(t.name, name, sizeof name), t.id_masked,
                                    transport_kind_zh(kind), html(t.transport_label, label, sizeof label),
                                    t.transport_ref, t.depart_at, t.depart_at + 11, html(t.origin, origin, sizeof origin),
                                    t.seat, html(place, drop, sizeof drop));
    if (n < 0 || (size_t)n >= cap)
        json_error(ctx, 500, "internal", "内部错误 (internal error)", NULL);
    else
        router_send(ctx, 200, "text/html; charset=utf-8", page, (size_t)n);
    free(page);
    free(svg);
    return 0;
}

typedef struct manifest_state {
    route_ctx *ctx;
    json_t *passengers;
    int counts[4]; /* issued, boarded, no_show, cancelled */
} manifest_state;

static int add_passenger(const ticket_view *t, void *data)
{
    static const char *const statuses[] = {"issued", "boarded", "no_show", "cancelled"};
    manifest_state *m = data;
    json_t *j = tickets_json(m->ctx->app->divisions, t);
    json_object_del(j, "transport");
    json_array_append_new(m->passengers, j);
    for (int i = 0; i < 4; i++)
        m->counts[i] += strcmp(t->status, statuses[i]) == 0;
    return 0;
}

/* The transport in the path, for the station check and the answer when it has no tickets yet. */
static json_t *transport_json(route_ctx *ctx, const char *ref, hw_error *err)
{
    int64_t campaign = 0;
    registry_tr row;
    if (campaign_current_id(ctx->app->rdb, &campaign, err) != 0 ||
        registry_tr_get(ctx->app->rdb, campaign, ref, &row, err) != 0)
        return NULL;
    const transport *t = &row.t;
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s}", "ref", t->ref, "kind", transport_kind_name(t->kind),
                     "kind_zh", transport_kind_zh(t->kind), "label", t->label[0] ? t->label : NULL, "depart_at",
                     t->depart_at, "origin", t->origin[0] ? t->origin : NULL, "status", transport_status_name(t->status));
}

/* Registrations the transport fits (DESIGN §3: covered, departure inside the window) that hold no live ticket. */
static int manifest_standby(sqlite3 *db, int64_t campaign, const transport *t, int *count, hw_error *err)
{
    campaign_info c;
    sqlite3_stmt *st = NULL;
    int rc = campaign_load(db, &c, err);
    if (rc != 0)
        return rc;
    rc = sqlite3_prepare_v2(db,
                            "SELECT destination, coalesce(earliest, ?2), coalesce(latest, ?3) FROM registrations r "
                            "WHERE campaign_id = ?1 AND status = 'active' AND NOT EXISTS (SELECT 1 FROM tickets k "
                            "WHERE k.registration_id = r.id AND k.status IN ('issued', 'boarded'))",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "registrations", err);
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_text(st, 2, c.from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c.to, -1, SQLITE_STATIC);
    *count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *dest = (const char *)sqlite3_column_text(st, 0);
        const char *from = (const char *)sqlite3_column_text(st, 1), *to = (const char *)sqlite3_column_text(st, 2);
        bool covered = false;
        for (int i = 0; dest != NULL && i < t->nstops && !covered; i++)
            covered = divisions_covers(t->stops[i], dest);
        *count += covered && from != NULL && to != NULL && strncmp(t->depart_at, from, 10) >= 0 &&
                  strncmp(t->depart_at, to, 10) <= 0;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "registrations", err);
}

/* counts.standby and counts.free (capacity minus live tickets) of the manifest. */
static int manifest_extra(route_ctx *ctx, const char *ref, const int *counts, json_t *out, hw_error *err)
{
    int64_t campaign = 0;
    int standby = 0;
    registry_tr row;
    int rc = campaign_current_id(ctx->app->rdb, &campaign, err);
    if (rc == 0)
        rc = registry_tr_get(ctx->app->rdb, campaign, ref, &row, err);
    if (rc == 0)
        rc = manifest_standby(ctx->app->rdb, campaign, &row.t, &standby, err);
    if (rc != 0)
        return rc;
    int free_seats = row.t.capacity - counts[0] - counts[1];
    json_object_set_new(out, "standby", json_integer(standby));
    json_object_set_new(out, "free", json_integer(free_seats > 0 ? free_seats : 0));
    json_object_set_new(out, "capacity", json_integer(row.t.capacity));
    return 0;
}

int tickets_on_manifest(route_ctx *ctx)
{
    manifest_state m = {.ctx = ctx};
    hw_error err;
    const char *ref = router_param(ctx, 0);
    json_t *transport = transport_json(ctx, ref, &err);
    if (transport == NULL) {
        json_fail(ctx, &err);
        return 0;
    }
    const char *origin = json_string_value(json_object_get(transport, "origin"));
    if (!station_allows(ctx, origin != NULL ? origin : "")) {
        json_decref(transport);
        return 0;
    }
    m.passengers = json_array();
    json_t *counts = NULL;
    if (tickets_each(ctx->app->rdb, ref, 1, add_passenger, &m, &err) != 0 ||
        manifest_extra(ctx, ref, m.counts,
                       counts = json_pack("{s:i, s:i, s:i, s:i}", "issued", m.counts[0], "boarded", m.counts[1],
                                          "no_show", m.counts[2], "cancelled", m.counts[3]),
                       &err) != 0)
        json_fail(ctx, &err);
    else
        json_reply(ctx, 200,
                   json_pack("{s:s, s:O, s:O, s:O}", "transport_ref", ref, "transport", transport, "counts", counts,
                             "passengers", m.passengers));
    json_decref(counts);
    json_decref(transport);
    json_decref(m.passengers);
    return 0;
}
