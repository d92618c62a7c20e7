/* map_subsidies.c - one CSV row into an employer subsidy agreement (amounts in fen), or row errors. */
#include "import.h"
#include "subsidies.h"

static int set_field(import_job *job, void *rec, size_t col, const char *v, hw_error *e)
{
    (void)job;
    return subsidy_set(rec, (su_field)col, v, e);
}

int map_subsidies_row(import_job *job, const table_row *row)
{
    subsidy s;
    hw_error e;
    su_field bad;
    subsidy_init(&s);
    if (import_fields(job, row, subsidy_fields, SU_NFIELDS, set_field, &s) > 0)
        return 0;
    if (subsidy_check(&s, &bad, &e) != 0) {
        import_row_error(job, row, &subsidy_fields[bad], &e);
        return 0;
    }
    int rc = subsidies_insert(job->_db, job->_campaign_id, &s, NULL, &e);
    if (rc == HW_ECONFLICT) {
        import_row_error(job, row, &subsidy_fields[SU_EMPLOYER], &e);
        return 0;
    }
    if (rc != 0)
        *job->_err = e;
    else
        job->inserted++;
    return rc;
}
