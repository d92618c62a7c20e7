/* devices.h - provisioning station phones: a coordinator's one-time code, claimed once for a station user token. */
#ifndef HW_DEVICES_H
#define HW_DEVICES_H

#include <sqlite3.h>
#include <stdint.h>

#include "auth.h"
#include "error.h"
#include "ticketcode.h"

#define DEVICES_CODE_TTL_SECONDS (24 * 3600)

/* A new code: the caller fills station, device and user; the job fills code and expires_at. */
typedef struct devices_code_job {
    char station[64];
    char device[64];
    char user[64];
    char code[TICKETCODE_LEN + 1]; /* result: shown once, only its hash is stored */
    char expires_at[32];           /* result */
} devices_code_job;

/* A store_write_fn with a devices_code_job: store the hash of a fresh random code valid for 24 hours. */
int devices_code_create(sqlite3 *db, void *job, hw_error *err);

/* A claim: the caller fills code (as typed) and device; the job fills the rest. */
typedef struct devices_claim_job {
    char code[64];
    char device[64];
    char name[160];             /* result: the new station user's name */
    char station[64];           /* result */
    char token[AUTH_TOKEN_MAX]; /* result: shown once */
    int64_t user_id;            /* result */
} devices_claim_job;

/*
 * A store_write_fn with a devices_claim_job: when the code is known, unused and not
 * expired, create a station user for its station (named "device@station") and mark the
 * code used. HW_EAUTH "bad_code" otherwise (never saying which), HW_ECONFLICT
 * "user_exists" when that device name is taken at the station. Revoking a device is
 * setting its users.revoked_at (auth_lookup refuses revoked tokens).
 */
int devices_claim(sqlite3 *db, void *job, hw_error *err);

#endif
