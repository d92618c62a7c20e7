/* subsidies.h - 返乡经济补贴: money agreed with an employer for going home (11(A) of the form). */
#ifndef HW_SUBSIDIES_H
#define HW_SUBSIDIES_H

#include <sqlite3.h>
#include <stdint.h>

#include "error.h"
#include "fields.h"

typedef enum su_field { SU_EMPLOYER, SU_AMOUNT, SU_PEOPLE, SU_DATE, SU_NFIELDS } su_field;

extern const field_spec subsidy_fields[SU_NFIELDS];

typedef struct subsidy {
    char employer[128];
    int64_t amount_fen;
    long people; /* -1 when unknown */
    char date[11];
} subsidy;

void subsidy_init(subsidy *s);
int subsidy_set(subsidy *s, su_field f, const char *value, hw_error *err);
int subsidy_check(const subsidy *s, su_field *bad_field, hw_error *err);

/* Insert; the same employer, date and amount twice is HW_ECONFLICT "duplicate_subsidy". */
int subsidies_insert(sqlite3 *db, int64_t campaign_id, const subsidy *s, int64_t *id, hw_error *err);

#endif
