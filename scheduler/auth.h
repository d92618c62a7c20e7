/* auth.h - users, roles and bearer tokens (only a hash of each token is stored). */
#ifndef HW_AUTH_H
#define HW_AUTH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

typedef enum auth_role {
    AUTH_ROLE_NONE = 0,
    AUTH_ROLE_ADMIN,
    AUTH_ROLE_COORDINATOR,
    AUTH_ROLE_STATION,
    AUTH_ROLE_REPORTER,
    AUTH_ROLE_CHILD,
} auth_role;

/* What a route needs; auth_allows() says which roles have it (DESIGN §6 Roles). */
typedef enum auth_perm {
    AUTH_PERM_PUBLIC,    /* no token needed (the API description) */
    AUTH_PERM_READ,      /* read the campaign: every role but child */
    AUTH_PERM_ADMIN,     /* users, full id numbers */
    AUTH_PERM_COORDINATE, /* registrations, transports, allocation, imports */
    AUTH_PERM_CHECKIN,   /* check-in and manifests (station users: their station only) */
    AUTH_PERM_STATS,     /* read statistics */
    AUTH_PERM_REPORT,    /* upload a child unit's report */
} auth_perm;

#define AUTH_TOKEN_HASH_BYTES 32
#define AUTH_TOKEN_MAX 64

/* The authenticated caller. Plain values. */
typedef struct auth_user {
    int64_t id;
    char name[64];
    auth_role role;
    char station[64];  /* for station users */
    char unit_code[8]; /* for child users */
} auth_user;

/* "admin" -> AUTH_ROLE_ADMIN ...; AUTH_ROLE_NONE for anything else. Pure. */
auth_role auth_role_parse(const char *s);

/* The role's name as stored ("admin"...). Static string. */
const char *auth_role_name(auth_role role);

/* Whether `role` has `perm`. Pure. */
bool auth_allows(auth_role role, auth_perm perm);

/* Hash a token as it is stored (BLAKE2b-256). */
void auth_token_hash(const char *token, uint8_t hash[AUTH_TOKEN_HASH_BYTES]);

/* A new random 256-bit token ("hw_" + 43 base64url characters) and its hash. */
void auth_token_new(char token[AUTH_TOKEN_MAX], uint8_t hash[AUTH_TOKEN_HASH_BYTES]);

/* A user to create; `hash` is the token's hash; `id` is set on success. */
typedef struct auth_new_user {
    const char *name;
    auth_role role;
    const char *station;   /* required for station users */
    const char *unit_code; /* required for child users */
    uint8_t hash[AUTH_TOKEN_HASH_BYTES];
    int64_t id;
} auth_new_user;

/* Check a new user's fields. Pure. */
int auth_validate(const auth_new_user *u, hw_error *err);

/* A store_write_fn: insert the auth_new_user at `arg` (not kept); HW_ECONFLICT if the name exists. */
int auth_user_insert(sqlite3 *db, void *arg, hw_error *err);

/* Revoking a user's token (auth_user_revoke); identify the user by `id`, or by `name` when id is 0. */
typedef struct auth_revoke {
    int64_t id;
    const char *name;
    const char *by;    /* who revokes, for the audit row */
    bool station_only; /* a coordinator's request: only station users (devices) may be revoked */
    /* results */
    char user_name[64];
    auth_role role;
    char revoked_at[40];
    bool already; /* it was revoked before: nothing written */
} auth_revoke;

/*
 * A store_write_fn (`arg` an auth_revoke): mark the user's token revoked (the very next request
 * with it gets 401) and write an audit row. HW_ENOTFOUND for no such user; HW_EFORBIDDEN
 * "not_station" when station_only and the user is not a station user; HW_ECONFLICT "last_admin"
 * for the last admin whose token still works. Revoking twice is not an error (already = true).
 */
int auth_user_revoke(sqlite3 *db, void *arg, hw_error *err);

/*
 * Find the user holding `token`; HW_EAUTH when unknown or revoked. Keeps its statement cached
 * on `db` (store_prepare_cached): close `db` with store_reader_close().
 */
int auth_lookup(sqlite3 *db, const char *token, auth_user *out, hw_error *err);

#endif
