/* import.c - the import driver: pick the kind's columns and mapper, run every row inside one savepoint, keep or drop it. */
#include "import.h"

#include <stdio.h>
#include <string.h>

#include "idnumber.h"
#include "purchases.h"
#include "registrations.h"
#include "store.h"
#include "subsidies.h"
#include "transports.h"

typedef struct kind_spec {
    const char *name, *zh;
    const header_column *cols;
    size_t ncols;
    int (*row)(import_job *job, const table_row *row);
} kind_spec;

static const kind_spec kinds[IMPORT_NKINDS] = {
    [IMPORT_REGISTRATIONS] = {"registrations", "登记", registration_fields, REG_NFIELDS, map_registrations_row},
    [IMPORT_TRANSPORTS] = {"transports", "运力", transport_fields, TR_NFIELDS, map_transports_row},
    [IMPORT_PURCHASES] = {"purchases", "购票", purchase_fields, PU_NFIELDS, map_purchases_row},
    [IMPORT_SUBSIDIES] = {"subsidies", "补贴", subsidy_fields, SU_NFIELDS, map_subsidies_row},
};

int import_kind_parse(const char *s, import_kind *out, hw_error *err)
{
    for (int k = 0; k < IMPORT_NKINDS; k++)
        if (s != NULL && (strcmp(s, kinds[k].name) == 0 || strcmp(s, kinds[k].zh) == 0)) {
            *out = (import_kind)k;
            return 0;
        }
    return error_set(err, HW_EINVAL, "usage",
                     "导入类型应为 registrations、transports、purchases 或 subsidies (kind must be registrations, "
                     "transports, purchases or subsidies)");
}

const char *import_kind_name(import_kind k)
{
    return k < IMPORT_NKINDS ? kinds[k].name : "";
}

const char *import_kind_zh(import_kind k)
{
    return k < IMPORT_NKINDS ? kinds[k].zh : "";
}

void import_job_init(import_job *job, import_kind kind)
{
    memset(job, 0, sizeof *job);
    job->kind = kind;
    job->encoding = ENCODING_AUTO;
    rowerr_init(&job->errors);
}

void import_job_free(import_job *job)
{
    rowerr_free(&job->errors);
}

void import_shown_value(const header_column *col, const char *value, char *buf, size_t n)
{
    char masked[24];
    if (strcmp(col->en, "id_number") == 0) {
        idnumber_mask(value, masked);
        snprintf(buf, n, "%s", masked);
    } else if (strcmp(col->en, "phone") == 0) {
        idnumber_mask_phone(value, masked, sizeof masked);
        snprintf(buf, n, "%s", masked);
    } else {
        snprintf(buf, n, "%s", value);
    }
}

void import_row_error(import_job *job, const table_row *row, const header_column *col, const hw_error *e)
{
    char shown[100] = "";
    if (col != NULL)
        import_shown_value(col, table_get(row, (size_t)(col - kinds[job->kind].cols)), shown, sizeof shown);
    rowerr_add(&job->errors, row->line, col, shown, e->message);
}

size_t import_fields(import_job *job, const table_row *row, const header_column *cols, size_t ncols,
                     import_set_fn set, void *rec)
{
    hw_error e;
    size_t bad = 0;
    for (size_t c = 0; c < ncols; c++) {
        const char *v = table_get(row, c);
        if (!table_has(row, c) || v[0] == '\0')
            continue; /* empty: the record's check says whether it was required */
        if (set(job, rec, c, v, &e) != 0) {
            import_row_error(job, row, &cols[c], &e);
            bad++;
        }
    }
    return bad;
}

static int on_row(const table_row *row, void *ctx)
{
    import_job *job = ctx;
    job->rows++;
    return kinds[job->kind].row(job, row);
}

static int largest_id(sqlite3 *db, import_kind kind, int64_t *out, hw_error *err)
{
    static const char *const sql[IMPORT_NKINDS] = {
        "SELECT coalesce(max(id), 0) FROM registrations", "SELECT coalesce(max(id), 0) FROM transports",
        "SELECT coalesce(max(id), 0) FROM purchases", "SELECT coalesce(max(id), 0) FROM subsidies"};
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql[kind], -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "import", err);
}

static int read_rows(import_job *job, hw_error *err)
{
    const kind_spec *k = &kinds[job->kind];
    if (job->source != NULL)
        return table_read(job->source, job->encoding, k->cols, k->ncols, on_row, job, &job->errors, &job->table,
                          err);
    table_reader *reader = NULL;
    int rc = table_reader_new(job->encoding, k->cols, k->ncols, on_row, job, &job->errors, &reader, err);
    if (rc == 0)
        rc = table_reader_feed(reader, job->body, job->body_len, err);
    if (rc == 0)
        rc = table_reader_finish(reader, &job->table, err);
    table_reader_free(reader);
    return rc;
}

/* Everything after the savepoint: context, rows, and the verdict. */
static int import_rows(sqlite3 *db, import_job *job, hw_error *err)
{
    int rc = campaign_load(db, &job->_campaign, err);
    if (rc == 0)
        rc = campaign_current_id(db, &job->_campaign_id, err);
    if (rc == 0)
        rc = largest_id(db, job->kind, &job->_first_new_id, err);
    if (rc != 0)
        return rc;
    job->_first_new_id++;
    rc = read_rows(job, err);
    if (job->kind == IMPORT_REGISTRATIONS)
        registrations_writer_close(job->_writer);
    job->_writer = NULL;
    if (rc != 0)
        return rc;
    size_t bad = rowerr_total(&job->errors);
    if (bad > 0)
        return error_set(err, HW_EINVAL, "import_rejected",
                         "导入被拒绝:%zu 处错误,数据库未改动,请改正后重新导入 (import rejected: %zu errors; nothing "
                         "was written; fix them and import again)",
                         bad, bad);
    if (job->rows == 0)
        return error_set(err, HW_EINVAL, "empty_file", "文件只有表头,没有数据行 (the file has a header but no rows)");
    return 0;
}

int import_run(sqlite3 *db, void *arg, hw_error *err)
{
    import_job *job = arg;
    hw_error ignored;
    job->_db = db;
    job->_err = err;
    job->rows = job->inserted = 0;
    int rc = store_exec(db, "SAVEPOINT import", err);
    if (rc != 0)
        return rc;
    rc = import_rows(db, job, err);
    if (rc != 0 || job->dry_run) {
        store_exec(db, "ROLLBACK TO import", &ignored);
        if (job->dry_run)
            job->inserted = 0;
    }
    store_exec(db, "RELEASE import", &ignored);
    if (rc != 0)
        job->inserted = 0;
    return rc;
}
