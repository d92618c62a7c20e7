/* registrations.h - 建档: one real-name person who wants to go home, validated field by field and stored sealed. */
#ifndef HW_REGISTRATIONS_H
#define HW_REGISTRATIONS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "campaign.h"
#include "divisions.h"
#include "error.h"
#include "fields.h"
#include "vault.h"

/* Tags that raise priority (DESIGN §2). */
enum {
    REG_TAG_HARDSHIP = 1 << 0, /* 困难职工 */
    REG_TAG_MODEL = 1 << 1,    /* 劳模 */
    REG_TAG_PREGNANT = 1 << 2, /* 孕妇 */
    REG_TAG_ELDERLY = 1 << 3,  /* 老人 */
    REG_TAG_DISABLED = 1 << 4, /* 残疾 */
};

/* Columns, in the order of registration_fields[]. */
typedef enum reg_field {
    REG_REF,
    REG_NAME,
    REG_ID_NUMBER,
    REG_PHONE,
    REG_EMPLOYER,
    REG_DESTINATION,
    REG_EARLIEST,
    REG_LATEST,
    REG_PARTY,
    REG_TAGS,
    REG_MIGRANT,
    REG_NFIELDS
} reg_field;

extern const field_spec registration_fields[REG_NFIELDS];

/* One registration as plain values; id_number and phone hold personal data: never log them. */
typedef struct registration {
    char ref[64];
    char name[64];
    char id_number[19]; /* normalized 18 characters */
    char phone[24];     /* digits; empty when unknown */
    char employer[128];
    char destination[7]; /* division code */
    char earliest[11], latest[11]; /* YYYY-MM-DD or empty (the whole campaign) */
    char party[64];
    unsigned tags;
    bool migrant;
} registration;

/* What field parsing needs besides the value. Not owned. */
typedef struct registration_env {
    const divisions *divisions;
    const campaign_info *campaign;
    int today; /* yyyymmdd, for birth dates */
} registration_env;

/* Start a registration with the defaults (migrant = yes). */
void registration_init(registration *r);

/*
 * Parse `value` into field `f` of `r`. Errors name the problem without echoing personal
 * data. Pure apart from reading `env`.
 */
int registration_set(registration *r, reg_field f, const char *value, const registration_env *env, hw_error *err);

/* Rules across fields (required fields present, earliest <= latest, dates inside the campaign). */
int registration_check(const registration *r, const registration_env *env, reg_field *bad_field, hw_error *err);

/* 1 when any tag raises priority, else 0. */
int registration_priority(unsigned tags);

/* Tags as "困难职工;劳模" into buf. */
void registration_format_tags(unsigned tags, char *buf, size_t n);

/* Bulk inserts with one prepared statement; open, add many, close. */
typedef struct registrations_writer registrations_writer;

/* Prepare inserts into campaign `campaign_id` of `db`; the writer borrows `db` and `v`. Free with _close. */
int registrations_writer_open(sqlite3 *db, const vault *v, int64_t campaign_id, registrations_writer **out,
                              hw_error *err);

/*
 * Insert `r`. A person already registered in the campaign is HW_ECONFLICT with code
 * "duplicate_id_number" (and *conflict_id the existing registration's id); a ref used
 * before is "duplicate_ref".
 */
int registrations_writer_add(registrations_writer *w, const registration *r, int64_t *id, int64_t *conflict_id,
                             hw_error *err);

void registrations_writer_close(registrations_writer *w);

#endif
