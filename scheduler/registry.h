/* registry.h - the store side of the record API: lists, reads, updates and deletes of the four record kinds. */
#ifndef HW_REGISTRY_H
#define HW_REGISTRY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "campaign.h"
#include "divisions.h"
#include "error.h"
#include "idnumber.h"
#include "purchases.h"
#include "registrations.h"
#include "subsidies.h"
#include "transports.h"
#include "vault.h"

/*
 * Conventions for the whole module:
 * - every read takes the connection it runs on (the loop's reader, or the writer
 *   inside a job) and keeps no pointer to it;
 * - the *_create/_update/_delete functions are store_write_fn: run them through the
 *   writer (route_write or store_write) with `arg` the kind's job struct, which the
 *   caller allocates with *_job_new and frees with *_job_free once the job finished;
 * - a record that is not there (or belongs to another campaign) is HW_ENOTFOUND with
 *   code "not_found"; personal data never appears in messages.
 */

/* One page of a list. */
typedef struct registry_page {
    int64_t limit;  /* rows at most, >= 1 */
    int64_t offset; /* rows skipped, >= 0 */
} registry_page;

/* A field that a cross-field rule (*_check) rejected: its index in the kind's *_fields[] and why. */
typedef struct registry_problem {
    int field;
    hw_error err;
} registry_problem;

#define REGISTRY_MAX_PROBLEMS 8

/* ------------------------------------------------------------------ registrations */

/* A stored registration as people may see it: id number and phone only masked. Plain values. */
typedef struct registry_reg {
    int64_t id;
    registration reg; /* reg.id_number and reg.phone are always empty here */
    char id_masked[IDNUMBER_LEN + 1];
    char phone_masked[24];
    char status[12]; /* active, withdrawn */
    int priority;
    char created_at[32], updated_at[32];
} registry_reg;

/* Which registrations a list shows; NULL / 0 members do not filter. Strings are borrowed for the call. */
typedef struct registry_reg_filter {
    const char *q;           /* a name substring, an exact ref, or the last 4 of a phone or id number */
    const char *dest_prefix; /* significant prefix of a division code: "51", "5119" or "511923" */
    const char *party;       /* exact 同行组 key */
    unsigned tags;           /* registrations with any of these REG_TAG_* bits */
    const char *status;      /* "active" or "withdrawn" */
} registry_reg_filter;

/* Called once per listed row (the row is only valid during the call); non-zero stops the list. */
typedef int (*registry_reg_fn)(const registry_reg *row, void *data);

/*
 * List the registrations of `campaign_id` that pass `f`, ordered by id, one page of them,
 * and count all that pass into *total. HW_EDB on SQLite failures.
 */
int registry_reg_list(sqlite3 *db, int64_t campaign_id, const registry_reg_filter *f, registry_page page,
                      registry_reg_fn each, void *data, int64_t *total, hw_error *err);

/* Read registration `id` of `campaign_id` into *out; HW_ENOTFOUND when there is none. */
int registry_reg_get(sqlite3 *db, int64_t campaign_id, int64_t id, registry_reg *out, hw_error *err);

/*
 * Every cross-field rule `r` breaks (registration_check, run again with each offending
 * optional field cleared), at most `max`, into out[]. Returns how many. Pure.
 */
int registry_reg_problems(const registration *r, const registration_env *env, registry_problem *out, int max);

/* A registration write in flight. The input fields are the caller's to fill; the rest is the job's. */
typedef struct registry_reg_job {
    const vault *vault;   /* borrowed: must outlive the job */
    registration_env env; /* env.campaign points at `campaign`; env.divisions borrowed */
    campaign_info campaign;
    int64_t campaign_id;
    int64_t id;         /* update, withdraw, reveal: the registration; create: set to the new id */
    registration input; /* create: the record; update: the new values of the fields in `fields` */
    unsigned fields;    /* update: (1u << reg_field) for each field given */
    char user[64];      /* reveal: the admin who looks, for the audit row */
    /* results */
    registry_reg row;                /* the stored record after the write (masked) */
    char revealed[IDNUMBER_LEN + 1]; /* reveal: the full id number */
    int64_t conflict_id;             /* duplicate_id_number: the registration already holding the number */
    registry_problem problems[REGISTRY_MAX_PROBLEMS]; /* update: cross-field rules the merged record broke */
    int nproblems;
} registry_reg_job;

/*
 * A zeroed job for `campaign_id` with `c` copied and `v`, `d` borrowed (input set to
 * registration_init). NULL when out of memory. Free with registry_reg_job_free().
 */
registry_reg_job *registry_reg_job_new(const vault *v, const divisions *d, const campaign_info *c, int64_t campaign_id);

/* Wipe (it may hold a plaintext id number and phone) and free a job; NULL is fine. */
void registry_reg_job_free(void *job);

/* store_write_fn: insert job->input (HW_ECONFLICT "duplicate_id_number" with conflict_id, or "duplicate_ref"). */
int registry_reg_create(sqlite3 *db, void *job, hw_error *err);

/*
 * store_write_fn: merge the given fields into registration job->id, check the result
 * (HW_EINVAL "invalid_fields" with job->problems), re-seal, re-index and re-mask the id
 * number and phone, and store it. Duplicates as in registry_reg_create().
 */
int registry_reg_update(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: mark registration job->id withdrawn (soft delete; again is fine). */
int registry_reg_withdraw(sqlite3 *db, void *job, hw_error *err);

/*
 * store_write_fn: unseal the id number of registration job->id into job->revealed and
 * write one audit row (job->user, "reveal_id_number", "registration:<id>") in the same
 * transaction.
 */
int registry_reg_reveal(sqlite3 *db, void *job, hw_error *err);

/* ------------------------------------------------------------------ transports */

typedef struct registry_tr {
    int64_t id;
    transport t;
    char created_at[32], updated_at[32];
} registry_tr;

/* Which transports a list shows; NULL members do not filter. */
typedef struct registry_tr_filter {
    const char *kind;   /* "train"... */
    const char *status; /* "planned"... */
    const char *date;   /* departure day YYYY-MM-DD */
    const char *origin; /* substring of the origin station */
} registry_tr_filter;

typedef int (*registry_tr_fn)(const registry_tr *row, void *data);

/* List transports of `campaign_id` by departure time, one page, with the *total that pass `f`. */
int registry_tr_list(sqlite3 *db, int64_t campaign_id, const registry_tr_filter *f, registry_page page,
                     registry_tr_fn each, void *data, int64_t *total, hw_error *err);

/* Read transport `ref` of `campaign_id`; HW_ENOTFOUND when there is none. */
int registry_tr_get(sqlite3 *db, int64_t campaign_id, const char *ref, registry_tr *out, hw_error *err);

/* Every rule of transport_check that `t` breaks (see registry_reg_problems). Pure. */
int registry_tr_problems(const transport *t, registry_problem *out, int max);

typedef struct registry_tr_job {
    int64_t campaign_id;
    char ref[64];        /* update, move, delete: the transport addressed */
    transport input;     /* create: the record; update: the new values of the fields in `fields` */
    unsigned fields;     /* update: (1u << tr_field) for each field given */
    transport_status to; /* move: the wanted status */
    /* results */
    transport_status from; /* move: the status before */
    registry_tr row;       /* the record after the write (delete: before it) */
    registry_problem problems[REGISTRY_MAX_PROBLEMS];
    int nproblems;
} registry_tr_job;

/* A zeroed job for `campaign_id` (input set to transport_init). NULL when out of memory; free with free(). */
registry_tr_job *registry_tr_job_new(int64_t campaign_id);

/* store_write_fn: insert job->input; a used ref is HW_ECONFLICT "duplicate_ref". */
int registry_tr_create(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: merge the given fields (never the status) into transport job->ref, check and store it. */
int registry_tr_update(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: move job->ref to job->to if transport_can_move allows, else HW_ECONFLICT "bad_transition". */
int registry_tr_move(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: delete job->ref if it is still planned, else HW_ECONFLICT "not_planned". */
int registry_tr_delete(sqlite3 *db, void *job, hw_error *err);


/* ------------------------------------------------------------------ purchases */

typedef struct registry_pu {
    int64_t id;
    int64_t registration_id;
    char name[64];
    char id_masked[IDNUMBER_LEN + 1];
    purchase p; /* p.id_number is always empty here */
    char created_at[32];
} registry_pu;

/* Which purchases a list shows. */
typedef struct registry_pu_filter {
    int refunded;         /* 0 or 1; -1 for both */
    const char *mode;     /* "train"... or NULL */
    const char *date;     /* travel date or NULL */
    int64_t registration; /* one person's purchases, or 0 */
} registry_pu_filter;

typedef int (*registry_pu_fn)(const registry_pu *row, void *data);

/* List purchases of `campaign_id` by id, one page, with the *total that pass `f`. */
int registry_pu_list(sqlite3 *db, int64_t campaign_id, const registry_pu_filter *f, registry_page page,
                     registry_pu_fn each, void *data, int64_t *total, hw_error *err);

/* Read purchase `id`; HW_ENOTFOUND when there is none. */
int registry_pu_get(sqlite3 *db, int64_t campaign_id, int64_t id, registry_pu *out, hw_error *err);

/* Every rule of purchase_check that `p` breaks. Pure. */
int registry_pu_problems(const purchase *p, int today, registry_problem *out, int max);

typedef struct registry_pu_job {
    const vault *vault; /* borrowed */
    int today;          /* yyyymmdd */
    int64_t campaign_id;
    int64_t id;      /* update, delete: the purchase; create: set */
    purchase input;  /* holds a plaintext id number on create */
    unsigned fields; /* update: (1u << pu_field) for each field given */
    registry_pu row;
    registry_problem problems[REGISTRY_MAX_PROBLEMS];
    int nproblems;
} registry_pu_job;

/* A zeroed job (input set to purchase_init). NULL when out of memory; free with registry_pu_job_free(). */
registry_pu_job *registry_pu_job_new(const vault *v, int64_t campaign_id);

/* Wipe and free a purchase job; NULL is fine. */
void registry_pu_job_free(void *job);

/* store_write_fn: insert job->input (HW_ENOTFOUND "not_registered", HW_ECONFLICT "duplicate_purchase"). */
int registry_pu_create(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: merge service, travel date, fare and refunded into purchase job->id, check and store. */
int registry_pu_update(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: delete purchase job->id (its last state stays in job->row). */
int registry_pu_delete(sqlite3 *db, void *job, hw_error *err);

/* ------------------------------------------------------------------ subsidies */

typedef struct registry_su {
    int64_t id;
    subsidy s;
    char created_at[32];
} registry_su;

/* Which subsidies a list shows; NULL members do not filter. */
typedef struct registry_su_filter {
    const char *employer; /* substring */
    const char *date;     /* YYYY-MM-DD */
} registry_su_filter;

typedef int (*registry_su_fn)(const registry_su *row, void *data);

/* List subsidies of `campaign_id` by date, one page, with the *total that pass `f`. */
int registry_su_list(sqlite3 *db, int64_t campaign_id, const registry_su_filter *f, registry_page page,
                     registry_su_fn each, void *data, int64_t *total, hw_error *err);

/* Read subsidy `id`; HW_ENOTFOUND when there is none. */
int registry_su_get(sqlite3 *db, int64_t campaign_id, int64_t id, registry_su *out, hw_error *err);

/* Every rule of subsidy_check that `s` breaks. Pure. */
int registry_su_problems(const subsidy *s, registry_problem *out, int max);

typedef struct registry_su_job {
    int64_t campaign_id;
    int64_t id;
    subsidy input;
    unsigned fields; /* update: (1u << su_field) for each field given */
    registry_su row;
    registry_problem problems[REGISTRY_MAX_PROBLEMS];
    int nproblems;
} registry_su_job;

/* A zeroed job (input set to subsidy_init). NULL when out of memory; free with free(). */
registry_su_job *registry_su_job_new(int64_t campaign_id);

/* store_write_fn: insert job->input; HW_ECONFLICT "duplicate_subsidy". */
int registry_su_create(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: merge the given fields into subsidy job->id, check and store. */
int registry_su_update(sqlite3 *db, void *job, hw_error *err);

/* store_write_fn: delete subsidy job->id (its last state stays in job->row). */
int registry_su_delete(sqlite3 *db, void *job, hw_error *err);

#endif
