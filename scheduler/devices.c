/* devices.c - one-time device codes (hashed, 24 hours) and their exchange for a station user's token. */
#include "devices.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "store.h"

int devices_code_create(sqlite3 *db, void *arg, hw_error *err)
{
    devices_code_job *job = arg;
    uint8_t random[TICKETCODE_RANDOM_BYTES], hash[AUTH_TOKEN_HASH_BYTES];
    char now[32];
    sqlite3_stmt *st = NULL;
    randombytes_buf(random, sizeof random);
    ticketcode_new(job->code, random);
    auth_token_hash(job->code, hash);
    clock_now(now, sizeof now);
    clock_format(time(NULL) + DEVICES_CODE_TTL_SECONDS, job->expires_at, sizeof job->expires_at);
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO device_codes(code_hash, station, device_name, created_by, created_at, "
                                "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "device_codes", err);
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, job->station, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, job->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, job->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, job->expires_at, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "device_codes", err);
}

/* The unused, unexpired code whose hash is `hash`: its station and device name; HW_EAUTH otherwise. */
static int find_code(sqlite3 *db, const uint8_t *hash, const char *now, devices_claim_job *job, char *device, size_t n,
                     hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT station, device_name FROM device_codes WHERE code_hash = ? AND used_at IS NULL "
                                "AND expires_at > ?",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "device_codes", err);
    sqlite3_bind_blob(st, 1, hash, AUTH_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(job->station, sizeof job->station, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(device, n, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "device_codes", err);
    return error_set(err, HW_EAUTH, "bad_code", "设备码无效、已用过或已过期 (unknown, used or expired device code)");
}

int devices_claim(sqlite3 *db, void *arg, hw_error *err)
{
    devices_claim_job *job = arg;
    char code[TICKETCODE_LEN + 1], now[32], device[64];
    uint8_t hash[AUTH_TOKEN_HASH_BYTES];
    if (ticketcode_normalize(job->code, code, NULL) != 0)
        return error_set(err, HW_EAUTH, "bad_code",
                         "设备码无效、已用过或已过期 (unknown, used or expired device code)");
    auth_token_hash(code, hash);
    clock_now(now, sizeof now);
    int rc = find_code(db, hash, now, job, device, sizeof device, err);
    if (rc != 0)
        return rc;
    snprintf(job->name, sizeof job->name, "%s@%s", job->device[0] ? job->device : device, job->station);
    auth_new_user u = {.name = job->name, .role = AUTH_ROLE_STATION, .station = job->station};
    auth_token_new(job->token, u.hash);
    if ((rc = auth_user_insert(db, &u, err)) != 0)
        return rc;
    job->user_id = u.id;
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db, "UPDATE device_codes SET used_at = ?, user_id = ? WHERE code_hash = ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "device_codes", err);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, u.id);
    sqlite3_bind_blob(st, 3, hash, sizeof hash, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "device_codes", err);
}
