/* map_registrations.c - one CSV row into a registration: every field parsed, checked, sealed and inserted, or row errors. */
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "registrations.h"

static int set_field(import_job *job, void *rec, size_t col, const char *v, hw_error *e)
{
    registration_env env = {job->divisions, &job->_campaign, job->today};
    return registration_set(rec, (reg_field)col, v, &env, e);
}

/* Say whom a duplicate collides with: an earlier row of this file, or a registration already stored. */
static void duplicate_reason(import_job *job, int64_t other, hw_error *e)
{
    char name[64] = "";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(job->_db, "SELECT name FROM registrations WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, other);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    bool by_ref = strcmp(e->code, "duplicate_ref") == 0;
    const char *what_zh = by_ref ? "编号" : "身份证号", *what_en = by_ref ? "ref" : "id number";
    if (other >= job->_first_new_id)
        error_set(e, e->rc, e->code, "%s与本文件中前面一行(%s)重复 (the %s duplicates an earlier row of this file: %s)",
                  what_zh, name, what_en, name);
    else
        error_set(e, e->rc, e->code, "%s与已有登记(%s)重复 (the %s is already registered: %s)", what_zh, name, what_en,
                  name);
}

static int insert(import_job *job, const table_row *row, const registration *r)
{
    hw_error e;
    int64_t other = 0;
    int rc = 0;
    if (job->_writer == NULL &&
        (rc = registrations_writer_open(job->_db, job->vault, job->_campaign_id,
                                        (registrations_writer **)&job->_writer, job->_err)) != 0)
        return rc;
    rc = registrations_writer_add(job->_writer, r, NULL, &other, &e);
    if (rc == 0) {
        job->inserted++;
        return 0;
    }
    if (rc != HW_ECONFLICT) {
        *job->_err = e;
        return rc; /* the database failed: stop the import */
    }
    bool by_ref = strcmp(e.code, "duplicate_ref") == 0;
    if (other > 0)
        duplicate_reason(job, other, &e);
    import_row_error(job, row, &registration_fields[by_ref ? REG_REF : REG_ID_NUMBER], &e);
    return 0;
}

int map_registrations_row(import_job *job, const table_row *row)
{
    registration r;
    registration_env env = {job->divisions, &job->_campaign, job->today};
    hw_error e;
    reg_field bad;
    registration_init(&r);
    if (import_fields(job, row, registration_fields, REG_NFIELDS, set_field, &r) > 0)
        return 0;
    if (registration_check(&r, &env, &bad, &e) != 0) {
        import_row_error(job, row, &registration_fields[bad], &e);
        return 0;
    }
    return insert(job, row, &r);
}
