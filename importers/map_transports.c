/* map_transports.c - one CSV row into a transport (kind, capacity, departure, stops...), or row errors. */
#include "import.h"
#include "transports.h"

static int set_field(import_job *job, void *rec, size_t col, const char *v, hw_error *e)
{
    return transport_set(rec, (tr_field)col, v, job->divisions, e);
}

int map_transports_row(import_job *job, const table_row *row)
{
    transport t;
    hw_error e;
    tr_field bad;
    transport_init(&t);
    if (import_fields(job, row, transport_fields, TR_NFIELDS, set_field, &t) > 0)
        return 0;
    if (transport_check(&t, &bad, &e) != 0) {
        import_row_error(job, row, &transport_fields[bad], &e);
        return 0;
    }
    int rc = transports_insert(job->_db, job->_campaign_id, &t, NULL, &e);
    if (rc == HW_ECONFLICT) {
        import_row_error(job, row, &transport_fields[TR_REF], &e);
        return 0;
    }
    if (rc != 0)
        *job->_err = e;
    else
        job->inserted++;
    return rc;
}
