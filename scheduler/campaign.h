/* campaign.h - the unit this database belongs to and its current 送温暖 campaign. */
#ifndef HW_CAMPAIGN_H
#define HW_CAMPAIGN_H

#include <sqlite3.h>
#include <stdint.h>

#include "error.h"

/* The unit and its campaign, as `homeward init` sets them. Plain values, no pointers. */
typedef struct campaign_info {
    char unit_code[8];       /* GB/T 2260 code of the unit, six digits */
    char unit_name[128];     /* 成都市总工会 */
    char name[128];          /* 2027年元旦春节送温暖 */
    char from[11], to[11];   /* YYYY-MM-DD, Asia/Shanghai, inclusive */
    char deadline[11];       /* report deadline YYYY-MM-DD, may be empty */
    char reporter[64];       /* 填报人, may be empty */
    char reporter_phone[32]; /* 联系电话 of the unit's office, may be empty */
} campaign_info;

/* Check the fields (codes, dates, window order). Pure. */
int campaign_validate(const campaign_info *c, hw_error *err);

/*
 * A store_write_fn: create or update the unit and the current campaign from
 * `arg` (a campaign_info *, not kept). Running it again updates both.
 */
int campaign_save(sqlite3 *db, void *arg, hw_error *err);

/* Read the unit and the current campaign; HW_ENOTFOUND before `homeward init`. */
int campaign_load(sqlite3 *db, campaign_info *out, hw_error *err);

/* The id of the current campaign; HW_ENOTFOUND before `homeward init`. */
int campaign_current_id(sqlite3 *db, int64_t *id, hw_error *err);

#endif
