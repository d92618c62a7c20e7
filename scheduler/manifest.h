/* manifest.h - 实名制乘车名册 and ticket lists: CSV, JSON or an .xlsx to print as the paper fallback. */
#ifndef HW_MANIFEST_H
#define HW_MANIFEST_H

#include <sqlite3.h>
#include <stdio.h>

#include "divisions.h"
#include "error.h"
#include "export.h"

typedef enum manifest_kind {
    MANIFEST_TICKETS, /* one flat list of every ticket */
    MANIFEST_PASSENGERS, /* per transport, by seat, with a tick column for station staff */
} manifest_kind;

/*
 * Write the tickets of the current campaign (one transport when `transport_ref` is set)
 * as `fmt` to `out` (CSV, JSON) or to the file `path` (XLSX needs a path: one sheet per
 * transport, laid out to print). Id numbers and phones are masked. *count gets the rows.
 */
int manifest_write(sqlite3 *db, const divisions *d, manifest_kind kind, const char *transport_ref, export_format fmt,
                   FILE *out, const char *path, size_t *count, hw_error *err);

#endif
