/* purchases.h - 购票: a ticket bought for a registered worker on a scheduled service (10(G) of the form). */
#ifndef HW_PURCHASES_H
#define HW_PURCHASES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "fields.h"
#include "vault.h"

typedef enum pu_field { PU_ID_NUMBER, PU_MODE, PU_SERVICE, PU_TRAVEL_DATE, PU_FARE, PU_REFUNDED, PU_NFIELDS } pu_field;

extern const field_spec purchase_fields[PU_NFIELDS];

typedef struct purchase {
    char id_number[19]; /* personal data: never log */
    char mode[8];       /* train, bus, boat, flight */
    char service[32];   /* 车次 or 航班号 */
    char travel_date[11];
    int64_t fare_fen; /* -1 when unknown */
    bool refunded;
} purchase;

void purchase_init(purchase *p);

/* Parse `value` into field `f` (today = yyyymmdd for id-number birth dates). */
int purchase_set(purchase *p, pu_field f, const char *value, int today, hw_error *err);

/* Required fields present. */
int purchase_check(const purchase *p, pu_field *bad_field, hw_error *err);

/*
 * Insert `p` for the person registered with its id number in campaign `campaign_id`.
 * No such registration: HW_ENOTFOUND "not_registered" (先建档); the same person, mode,
 * service and date twice: HW_ECONFLICT "duplicate_purchase".
 */
int purchases_insert(sqlite3 *db, const vault *v, int64_t campaign_id, const purchase *p, int64_t *id, hw_error *err);

#endif
