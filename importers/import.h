/* import.h - one import of a coordinator's file: all rows validated, all written in one transaction, or none. */
#ifndef HW_IMPORT_H
#define HW_IMPORT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "campaign.h"
#include "divisions.h"
#include "encoding.h"
#include "error.h"
#include "rowerr.h"
#include "table.h"
#include "vault.h"

typedef enum import_kind {
    IMPORT_REGISTRATIONS,
    IMPORT_TRANSPORTS,
    IMPORT_PURCHASES,
    IMPORT_SUBSIDIES,
    IMPORT_NKINDS
} import_kind;

/* "registrations", "transports", "purchases", "subsidies" (also 登记/运力/购票/补贴). */
int import_kind_parse(const char *s, import_kind *out, hw_error *err);
const char *import_kind_name(import_kind k);
const char *import_kind_zh(import_kind k);

/*
 * One import. Fill the inputs, run import_run() through store_write() (it is a
 * store_write_fn), read the outputs, then import_job_free(). Exactly one of `source`
 * (path or URL) and `body` (bytes, e.g. an HTTP request body) is set. Borrowed pointers
 * must outlive the run.
 */
typedef struct import_job {
    /* inputs */
    import_kind kind;
    const char *source;
    const char *body;
    size_t body_len;
    encoding_kind encoding;
    bool dry_run;
    const vault *vault;
    const divisions *divisions;
    int today; /* yyyymmdd, for id-number birth dates */
    /* outputs */
    size_t rows;     /* data rows read */
    size_t inserted; /* rows written (0 after a dry run or a rejection) */
    rowerr_list errors;
    table_result table;
    /* private, valid during the run */
    sqlite3 *_db;
    int64_t _campaign_id;
    int64_t _first_new_id;
    campaign_info _campaign;
    void *_writer;
    hw_error *_err;
} import_job;

/* Prepare `job` (zeroes it, sets defaults: auto encoding). */
void import_job_init(import_job *job, import_kind kind);

/*
 * A store_write_fn with `arg` = import_job *. Reads the whole source inside the
 * writer's transaction. Any bad row: HW_EINVAL code "import_rejected", the rows are in
 * job->errors and nothing is written. A dry run validates everything (duplicates against
 * the database included) and writes nothing.
 */
int import_run(sqlite3 *db, void *arg, hw_error *err);

/* Free what the job allocated (the row errors). */
void import_job_free(import_job *job);

/* Mappers (map_*.c): turn one row into a validated record and insert it, or add row errors. */
int map_registrations_row(import_job *job, const table_row *row);
int map_transports_row(import_job *job, const table_row *row);
int map_purchases_row(import_job *job, const table_row *row);
int map_subsidies_row(import_job *job, const table_row *row);

/* Parse one field `col` with value `v` into the record at `rec`; 0 or an error in `e`. */
typedef int (*import_set_fn)(import_job *job, void *rec, size_t col, const char *v, hw_error *e);

/*
 * Run `set` over every non-empty field of `row` that the file has, adding a row error
 * (column named, value masked as import_shown_value does) for each field it refuses.
 * Returns how many errors this row got.
 */
size_t import_fields(import_job *job, const table_row *row, const header_column *cols, size_t ncols,
                     import_set_fn set, void *rec);

/* Add a row error for column `col` of `row` with the reason in `e`. */
void import_row_error(import_job *job, const table_row *row, const header_column *col, const hw_error *e);

/* The value of column `col` as it may be shown in an error: id numbers and phones masked. */
void import_shown_value(const header_column *col, const char *value, char *buf, size_t n);

#endif
