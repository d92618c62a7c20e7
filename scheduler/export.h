/* export.h - lists for people outside the program: registrations as CSV or JSON, personal data masked. */
#ifndef HW_EXPORT_H
#define HW_EXPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>

#include "divisions.h"
#include "error.h"
#include "registry.h"

typedef enum export_format { EXPORT_CSV, EXPORT_JSON, EXPORT_XLSX } export_format;

/* "csv", "json", "xlsx". */
int export_format_parse(const char *s, export_format *out, hw_error *err);

/*
 * A registration as the API and exports show it: id number and phone masked, unless
 * `full_id` (an admin's audited reveal) is given. New reference for the caller.
 */
json_t *export_registration_json(const divisions *d, const registry_reg *row, const char *full_id);

/* {"code", "name"} of a division (name null when unknown). New reference. */
json_t *export_division_json(const divisions *d, const char *code);

/*
 * Write every registration of the current campaign (active and withdrawn) to `out`:
 * CSV with the import's Chinese headers plus 目的地名称 and 状态 (UTF-8 with BOM, CRLF, so
 * Excel opens it), or a JSON array. Id numbers and phones are masked. Streams: memory
 * does not grow with the list. Returns the number of rows in *count.
 */
int export_registrations(sqlite3 *db, const divisions *d, export_format fmt, FILE *out, size_t *count, hw_error *err);

#endif
