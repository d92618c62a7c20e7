/* roster.h - 实名制名册: the people and subsidies behind each figure of items 10 and 11, as stats.c counts. */
#ifndef HW_ROSTER_H
#define HW_ROSTER_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "divisions.h"
#include "error.h"
#include "export.h"

/*
 * The module is called roster rather than register because `register` is a C keyword:
 * a variable or field named after the module would not compile.
 */

/* The line items of the form, in its order. */
typedef enum roster_item {
    ROSTER_10A, /* distinct persons: boarded a counted charter or hold a counted purchase */
    ROSTER_10B, /* boarded passengers on departed trains (专列) */
    ROSTER_10C, /* ... carriages (火车车厢) */
    ROSTER_10D, /* ... buses */
    ROSTER_10E, /* ... boats */
    ROSTER_10F, /* ... flights (包机) */
    ROSTER_10G, /* unrefunded purchases */
    ROSTER_11A, /* subsidies */
    ROSTER_NITEMS
} roster_item;

/* roster_write()'s `item` for every item, one after the other. */
#define ROSTER_ALL (-1)

/* The valid item names for messages: "10A、10B、10C、10D、10E、10F、10G、11A". Static. */
extern const char roster_item_list[];

/*
 * "10A".."11A" (also written "10(A)", letters in either case) into *out. Anything else
 * is HW_EINVAL "bad_item" with a message listing the valid items.
 */
int roster_item_parse(const char *s, roster_item *out, hw_error *err);

/* "10A"..., static. */
const char *roster_item_name(roster_item item);

/*
 * One row of a register. Every pointer is borrowed from the query and valid only during
 * the callback; fields that are not part of the row's item are NULL (or -1 for numbers).
 */
typedef struct roster_row {
    roster_item item;
    const char *reg_ref;     /* the registration's own reference (may be NULL) */
    const char *name;        /* 10A-10G */
    const char *id_masked;   /* 10A-10G: 5119**********123X, as stored; never decrypted */
    const char *destination; /* 10A-10G: division code */
    int charter;             /* 10A: 1 boarded a charter, 0 counted by a purchase; else -1 */
    const char *kind;        /* transport kind (train...) or purchase mode (train, bus, boat, flight) */
    const char *transport;   /* transport ref (charters) */
    const char *label;       /* 车次/车牌/航班号 of the charter, or the purchase's service */
    const char *date;        /* departure date, travel date or subsidy date, YYYY-MM-DD */
    const char *seat;        /* charters */
    const char *ticket;      /* charters: the ticket code */
    int64_t fare_fen;        /* purchases; -1 when unknown */
    const char *employer;    /* 11A */
    int64_t amount_fen;      /* 11A; else -1 */
    int64_t people;          /* 11A; -1 when unknown */
} roster_row;

/* Called per row; a non-zero return stops the walk and is returned by roster_each(). */
typedef int (*roster_fn)(const roster_row *row, void *ctx);

/*
 * Stream the rows of `item` for the current campaign to `fn`, in a stable order
 * (charters by departure, transport and seat; purchases and subsidies by date). The
 * rows are exactly those stats_load() counts: 10A one row per person (a charter when
 * the person boarded one, else the earliest counted purchase), 10B-10F one per boarded
 * ticket, 10G one per purchase, 11A one per subsidy. `db` is a read connection, not
 * kept; `ctx` is passed through. Memory does not grow with the number of rows.
 */
int roster_each(sqlite3 *db, roster_item item, roster_fn fn, void *ctx, hw_error *err);

/*
 * How many rows roster_each() gives for `item` (or ROSTER_ALL) without walking them: the figures of
 * stats_load() and the number of subsidies in the window. `db` is not kept.
 */
int roster_rows(sqlite3 *db, int item, int64_t *rows, hw_error *err);

/*
 * Write the register of `item` (or ROSTER_ALL) to `out` as CSV (UTF-8 with BOM, CRLF,
 * Chinese headers; with ROSTER_ALL a superset of columns led by 项目) or a JSON array of
 * objects (each with "item"), or as an .xlsx at `path` (one printable A4 sheet per item,
 * headed by the form's wording with the figure; `out` unused). Streams, the xlsx in
 * libxlsxwriter's constant-memory mode. *count gets the number of rows written. Nothing
 * is kept. HW_EINVAL when xlsx has no path or a sheet would exceed Excel's row limit.
 */
int roster_write(sqlite3 *db, const divisions *d, int item, export_format fmt, FILE *out, const char *path,
                 size_t *count, hw_error *err);

#endif
