/* map_purchases.c - one CSV row into a purchase for a registered person (先建档), or row errors. */
#include "import.h"
#include "purchases.h"

static int set_field(import_job *job, void *rec, size_t col, const char *v, hw_error *e)
{
    return purchase_set(rec, (pu_field)col, v, job->today, e);
}

int map_purchases_row(import_job *job, const table_row *row)
{
    purchase p;
    hw_error e;
    pu_field bad;
    purchase_init(&p);
    if (import_fields(job, row, purchase_fields, PU_NFIELDS, set_field, &p) > 0)
        return 0;
    if (purchase_check(&p, &bad, &e) != 0) {
        import_row_error(job, row, &purchase_fields[bad], &e);
        return 0;
    }
    int rc = purchases_insert(job->_db, job->vault, job->_campaign_id, &p, NULL, &e);
    if (rc == HW_ECONFLICT || rc == HW_ENOTFOUND) {
        import_row_error(job, row, &purchase_fields[PU_ID_NUMBER], &e);
        return 0;
    }
    if (rc != 0)
        *job->_err = e;
    else
        job->inserted++;
    return rc;
}
