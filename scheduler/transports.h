/* transports.h - 运力: one chartered train, carriage, bus, boat or flight, its seat layout, stops and status machine. */
#ifndef HW_TRANSPORTS_H
#define HW_TRANSPORTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "divisions.h"
#include "error.h"
#include "fields.h"

typedef enum transport_kind {
    TRANSPORT_TRAIN,    /* 专列: a whole chartered train */
    TRANSPORT_CARRIAGE, /* 火车车厢: one chartered carriage of a scheduled train */
    TRANSPORT_BUS,      /* 汽车 */
    TRANSPORT_BOAT,     /* 船 */
    TRANSPORT_FLIGHT,   /* 包机 */
    TRANSPORT_NKINDS
} transport_kind;

typedef enum transport_status {
    TRANSPORT_PLANNED,
    TRANSPORT_CONFIRMED,
    TRANSPORT_BOARDING,
    TRANSPORT_DEPARTED,
    TRANSPORT_ARRIVED,
    TRANSPORT_CANCELLED,
    TRANSPORT_NSTATUSES
} transport_status;

typedef enum tr_field {
    TR_REF,
    TR_KIND,
    TR_LABEL,
    TR_CAPACITY,
    TR_DEPART_AT,
    TR_ORIGIN,
    TR_STOPS,
    TR_COST,
    TR_STATUS,
    TR_NFIELDS
} tr_field;

extern const field_spec transport_fields[TR_NFIELDS];

#define TRANSPORT_MAX_STOPS 16
#define TRANSPORT_MAX_CAPACITY 3000

typedef struct transport {
    char ref[64];
    transport_kind kind;
    bool has_kind;
    char label[64]; /* 车次, 车牌, 航班号 */
    int capacity;
    char layout[24];    /* see transport_default_layout() */
    char depart_at[26]; /* RFC 3339, +08:00 */
    char origin[64];    /* 出发站: 成都东站 */
    char stops[TRANSPORT_MAX_STOPS][7];
    int nstops;
    int64_t cost_fen; /* -1 when unknown */
    transport_status status;
} transport;

/* Start a transport with defaults (planned, cost unknown). */
void transport_init(transport *t);

/* 专列/火车车厢/汽车/船/包机 or train/carriage/bus/boat/flight. */
int transport_kind_parse(const char *s, transport_kind *out, hw_error *err);
const char *transport_kind_name(transport_kind k); /* "train"... */
const char *transport_kind_zh(transport_kind k);   /* "专列"... */

/* planned/confirmed/... (also 计划/已确认/检票中/已出发/已到达/已取消). */
int transport_status_parse(const char *s, transport_status *out, hw_error *err);
const char *transport_status_name(transport_status s);
const char *transport_status_zh(transport_status s); /* "计划"... */

/* Whether the status machine allows from -> to (DESIGN §2). Pure. */
bool transport_can_move(transport_status from, transport_status to);

/*
 * The seat layout a kind gets by default, as text the seating module reads:
 * bus "rows:2+2", flight "rows:3+3", boat "numbered", carriage "cars:118" (one hard-seat
 * carriage), train "cars:118" with capacity spread over ceil(capacity/118) carriages.
 */
void transport_default_layout(transport_kind k, char *buf, size_t n);

/*
 * The layout a transport is stored with: the kind's default, except that a chartered carriage is one car of
 * its own capacity (a 128-seat YZ25B is not two cars). Into buf.
 */
void transport_layout(const transport *t, char *buf, size_t n);

/* Parse `value` into field `f` of `t` (stops resolve through `d`). */
int transport_set(transport *t, tr_field f, const char *value, const divisions *d, hw_error *err);

/* Cross-field rules: required fields, capacity limits by kind. */
int transport_check(const transport *t, tr_field *bad_field, hw_error *err);

/* Stops as "511900;511923" into buf. */
void transport_format_stops(const transport *t, char *buf, size_t n);

/* Insert `t` into campaign `campaign_id`; a used ref is HW_ECONFLICT "duplicate_ref". */
int transports_insert(sqlite3 *db, int64_t campaign_id, const transport *t, int64_t *id, hw_error *err);

#endif
