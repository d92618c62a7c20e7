/* tickets.h - 团体票: reading issued tickets as boarding passes and manifests (personal data masked). */
#ifndef HW_TICKETS_H
#define HW_TICKETS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "divisions.h"
#include "error.h"

/* One ticket with its passenger and transport, as people may see it. Plain values. */
typedef struct ticket_view {
    int64_t id;
    char code[11];
    char status[12];   /* issued, boarded, no_show, cancelled */
    char seat[24];     /* label: 03车045号, 12A, 15号 */
    int seat_index;
    char dropoff[7];
    int64_t registration_id;
    char reg_ref[64], name[64], id_masked[19], phone_masked[24], party[64], destination[7];
    char transport_ref[64], transport_kind[12], transport_label[64], depart_at[26], origin[64], transport_status[12];
} ticket_view;

/* Read the ticket with `code` (normalized); HW_ENOTFOUND when there is none. */
int tickets_get(sqlite3 *db, const char *code, ticket_view *out, hw_error *err);

typedef int (*tickets_fn)(const ticket_view *t, void *ctx);

/*
 * Every ticket of the current campaign (of one transport when `transport_ref` is not NULL;
 * HW_ENOTFOUND if it does not exist), by departure then seat; cancelled tickets only when
 * `with_cancelled`. Non-zero from `fn` stops and is returned.
 */
int tickets_each(sqlite3 *db, const char *transport_ref, int with_cancelled, tickets_fn fn, void *ctx, hw_error *err);

/* 0 when the current campaign has a transport `ref`, else HW_ENOTFOUND "unknown_transport". */
int tickets_check_transport(sqlite3 *db, const char *ref, hw_error *err);

/* The ticket as a boarding pass in JSON (masked id, transport, seat, drop-off with names). New reference. */
json_t *tickets_json(const divisions *d, const ticket_view *t);

#endif
