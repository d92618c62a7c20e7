/* table.h - read an import file (path or URL) as rows of named columns: source -> decoder -> CSV -> header -> rows. */
#ifndef HW_TABLE_H
#define HW_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "encoding.h"
#include "error.h"
#include "header.h"
#include "rowerr.h"

/* Bytes table_read reads from its source at a time. */
#define TABLE_READ_CHUNK (64 * 1024)

/*
 * One data row, valid only during the row callback (nothing in it may be kept; copy what you
 * need). Use the accessors; columns are indexes into the header_column array given to the reader.
 */
typedef struct table_row {
    size_t line;              /* 1-based physical line where the row starts (for row errors) */
    size_t ncols;             /* number of columns in the spec */
    const char *const *value; /* value[c]: NUL-terminated, trimmed of ASCII spaces/tabs and U+3000 */
    const size_t *len;        /* len[c]: bytes in value[c] */
    const bool *present;      /* present[c]: the file has column c (same for every row) */
} table_row;

/* The value of column `col`: "" when the file lacks that column or the row has no field there. Pure. */
const char *table_get(const table_row *r, size_t col);

/* Length in bytes of table_get(r, col). Pure. */
size_t table_len(const table_row *r, size_t col);

/* Whether the file's header has column `col` (an absent column reads as ""). Pure. */
bool table_has(const table_row *r, size_t col);

/*
 * Called per data row. Return 0 to go on; non-zero stops reading, and table_read (or the
 * feed/finish call) returns that value. To say why, fill the hw_error you passed to
 * table_read (keep a pointer to it in ctx); otherwise a generic "stopped at line N" is set.
 * Validation problems of a row should go to a rowerr_list instead, and return 0.
 */
typedef int (*table_row_fn)(const table_row *row, void *ctx);

typedef struct table_result {
    size_t rows;            /* data rows read (blank rows not counted; rows with errors counted) */
    size_t header_line;     /* line of the header row (1 unless blank lines come first) */
    encoding_kind encoding; /* the encoding used (UTF-8 or GB18030 once decided) */
} table_result;

/*
 * Read `spec` (a file path or an http(s) URL, see source_open) in encoding `enc`, take the
 * first non-blank record as the header (see header_map; `cols` has at most 64 columns and must
 * outlive the call) and call fn(row, ctx) for every following row that is not blank (all fields
 * empty or spaces; Excel writes such rows). Memory stays bounded whatever the file size.
 * A row with more non-empty fields than the header is not passed to fn: it is added to
 * `errors` (line, no column, no value) and reading goes on; with `errors` NULL it stops the
 * read with HW_EINVAL too_many_fields. Fewer fields than the header: the missing values are "".
 * `err` is cleared first, then filled on failure: source errors (HW_EIO, HW_ETOOBIG, HW_EINVAL),
 * encoding errors, CSV limits (see csvread.h), header errors (bad_header, no_header),
 * empty_file, or fn's result. *result (may be NULL) is filled when 0 is returned.
 * Blocking: run it on a worker thread. Keeps no pointer after returning.
 */
int table_read(const char *spec, encoding_kind enc, const header_column *cols, size_t ncols, table_row_fn fn, void *ctx,
               rowerr_list *errors, table_result *result, hw_error *err);

/*
 * The same without I/O, for bytes that come from elsewhere (an HTTP request body, a test, a
 * fuzzer): create a reader, feed it the file's bytes in chunks of any size, then finish.
 * table_reader_new keeps cols, fn, ctx and errors (they must outlive the reader); *out is the
 * caller's (table_reader_free). HW_EINVAL for a bad spec (0 or more than 64 columns), HW_ENOMEM.
 */
typedef struct table_reader table_reader;

int table_reader_new(encoding_kind enc, const header_column *cols, size_t ncols, table_row_fn fn, void *ctx,
                     rowerr_list *errors, table_reader **out, hw_error *err);

/* Feed the next n bytes; rows completed by them are passed to fn first. Errors as table_read; `err` cleared first. */
int table_reader_feed(table_reader *t, const char *buf, size_t n, hw_error *err);

/* End of input: the last row, then empty_file if there was no header. Fills *result (may be NULL) on success. */
int table_reader_finish(table_reader *t, table_result *result, hw_error *err);

/* Free the reader. NULL is fine. */
void table_reader_free(table_reader *t);

#endif
