/* header.h - the header row of an import file: Chinese or English column names, any order (DESIGN §6 "CSV columns"). */
#ifndef HW_HEADER_H
#define HW_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "fields.h"

/* One column a record kind accepts, e.g. {"身份证号", "id_number", true}. Strings are static. */
typedef field_spec header_column; /* {zh, en, required}: the record kinds' own field tables (fields.h) */

/* col_of_field value for a header field with an empty name: that column of the file is ignored. */
#define HEADER_IGNORED (-1)

/*
 * Map the header record fields[0..nfields) (lengths in lens) onto cols[0..ncols): names are
 * trimmed of ASCII spaces/tabs and U+3000 on both sides, then match a column's Chinese name
 * exactly or its English name ignoring ASCII case. col_of_field[i] gets the column index of
 * field i, or HEADER_IGNORED for an empty name (Excel writes those for stray cells right of
 * the table). The caller provides col_of_field with nfields entries; nothing is kept. Pure.
 * HW_EINVAL with every problem in one message: unknown names (listing the allowed ones; names
 * with six or more digits are shown with the digits masked, in case a data row was taken for
 * the header), a column given twice, a required column missing (named in both languages).
 * Code "no_header" when no name matched at all (the header row is missing or the encoding is
 * wrong), else "bad_header".
 */
int header_map(const header_column *cols, size_t ncols, const char *const *fields, const size_t *lens, size_t nfields,
               int *col_of_field, hw_error *err);

/* Index of the column called name[0..len) (trimmed, matched as header_map does), or -1. Pure. */
int header_find(const header_column *cols, size_t ncols, const char *name, size_t len);

/* Narrow *s / *len to drop ASCII spaces, tabs and U+3000 (ideographic space) at both ends. Pure. */
void header_trim(const char **s, size_t *len);

#endif
