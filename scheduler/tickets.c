/* tickets.c - ticket reads joined with their registration and transport, and the boarding-pass JSON. */
#include "tickets.h"

#include <stdio.h>
#include <string.h>

#include "campaign.h"
#include "export.h"
#include "store.h"
#include "transports.h"

#define TICKET_COLUMNS                                                                                                 \
    "SELECT k.id, k.code, k.status, k.seat_label, k.seat_index, k.dropoff, r.id, r.ref, r.name, r.id_masked, "        \
    "r.phone_masked, r.party, r.destination, t.ref, t.kind, t.label, t.depart_at, t.origin, t.status "                \
    "FROM tickets k JOIN registrations r ON r.id = k.registration_id JOIN transports t ON t.id = k.transport_id "

static void text(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", v != NULL ? (const char *)v : "");
}

static void read_row(sqlite3_stmt *st, ticket_view *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    text(st, 1, t->code, sizeof t->code);
    text(st, 2, t->status, sizeof t->status);
    text(st, 3, t->seat, sizeof t->seat);
    t->seat_index = sqlite3_column_int(st, 4);
    text(st, 5, t->dropoff, sizeof t->dropoff);
    t->registration_id = sqlite3_column_int64(st, 6);
    text(st, 7, t->reg_ref, sizeof t->reg_ref);
    text(st, 8, t->name, sizeof t->name);
    text(st, 9, t->id_masked, sizeof t->id_masked);
    text(st, 10, t->phone_masked, sizeof t->phone_masked);
    text(st, 11, t->party, sizeof t->party);
    text(st, 12, t->destination, sizeof t->destination);
    text(st, 13, t->transport_ref, sizeof t->transport_ref);
    text(st, 14, t->transport_kind, sizeof t->transport_kind);
    text(st, 15, t->transport_label, sizeof t->transport_label);
    text(st, 16, t->depart_at, sizeof t->depart_at);
    text(st, 17, t->origin, sizeof t->origin);
    text(st, 18, t->transport_status, sizeof t->transport_status);
}

int tickets_get(sqlite3 *db, const char *code, ticket_view *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, TICKET_COLUMNS "WHERE k.code = ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "tickets", err);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return error_set(err, HW_ENOTFOUND, "unknown_ticket", "没有这张票 (no such ticket)");
    return store_error(db, rc, "tickets", err);
}

static int transport_exists(sqlite3 *db, int64_t campaign, const char *ref, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM transports WHERE campaign_id = ? AND ref = ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "transports", err);
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    return error_set(err, HW_ENOTFOUND, "unknown_transport", "没有编号为 %s 的运力 (no transport with ref %s)", ref, ref);
}

int tickets_check_transport(sqlite3 *db, const char *ref, hw_error *err)
{
    int64_t campaign = 0;
    int rc = campaign_current_id(db, &campaign, err);
    return rc != 0 ? rc : transport_exists(db, campaign, ref, err);
}

int tickets_each(sqlite3 *db, const char *transport_ref, int with_cancelled, tickets_fn fn, void *ctx, hw_error *err)
{
    int64_t campaign = 0;
    sqlite3_stmt *st = NULL;
    int rc = campaign_current_id(db, &campaign, err);
    if (rc == 0 && transport_ref != NULL)
        rc = transport_exists(db, campaign, transport_ref, err);
    if (rc != 0)
        return rc;
    rc = sqlite3_prepare_v2(db,
                            TICKET_COLUMNS "WHERE k.campaign_id = ?1 AND (?2 IS NULL OR t.ref = ?2) AND (?3 OR "
                                           "k.status <> 'cancelled') ORDER BY t.depart_at, t.ref, k.seat_index, k.id",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "tickets", err);
    sqlite3_bind_int64(st, 1, campaign);
    if (transport_ref != NULL)
        sqlite3_bind_text(st, 2, transport_ref, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, with_cancelled != 0);
    ticket_view t;
    int out = 0;
    while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &t);
        out = fn(&t, ctx);
    }
    if (out == 0 && rc != SQLITE_DONE)
        out = store_error(db, rc, "tickets", err);
    sqlite3_finalize(st);
    return out;
}

json_t *tickets_json(const divisions *d, const ticket_view *t)
{
    transport_kind kind = TRANSPORT_BUS;
    transport_kind_parse(t->transport_kind, &kind, NULL);
    return json_pack("{s:s, s:s, s:s, s:o, s:{s:I, s:s?, s:s, s:s, s:s?, s:s?, s:o}, s:{s:s, s:s, s:s, s:s?, s:s, "
                     "s:s?, s:s}}",
                     "code", t->code, "status", t->status, "seat", t->seat, "dropoff", export_division_json(d, t->dropoff),
                     "passenger", "registration", (json_int_t)t->registration_id, "ref", t->reg_ref[0] ? t->reg_ref : NULL,
                     "name", t->name, "id_number", t->id_masked, "phone", t->phone_masked[0] ? t->phone_masked : NULL,
                     "party", t->party[0] ? t->party : NULL, "destination", export_division_json(d, t->destination),
                     "transport", "ref", t->transport_ref, "kind", transport_kind_name(kind), "kind_zh",
                     transport_kind_zh(kind), "label", t->transport_label[0] ? t->transport_label : NULL, "depart_at",
                     t->depart_at, "origin", t->origin[0] ? t->origin : NULL, "status", t->transport_status);
}
