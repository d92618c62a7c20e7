/* auth.c - roles and permissions, token generation and hashing, and the users table. */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "store.h"

static const char *const role_names[] = {"", "admin", "coordinator", "station", "reporter", "child"};

auth_role auth_role_parse(const char *s)
{
    for (int r = AUTH_ROLE_ADMIN; r <= AUTH_ROLE_CHILD; r++)
        if (s != NULL && strcmp(s, role_names[r]) == 0)
            return (auth_role)r;
    return AUTH_ROLE_NONE;
}

const char *auth_role_name(auth_role role)
{
    return role >= AUTH_ROLE_ADMIN && role <= AUTH_ROLE_CHILD ? role_names[role] : "";
}

bool auth_allows(auth_role role, auth_perm perm)
{
    if (perm == AUTH_PERM_PUBLIC)
        return true;
    switch (role) {
    case AUTH_ROLE_ADMIN:
        return true;
    case AUTH_ROLE_COORDINATOR:
        return perm != AUTH_PERM_ADMIN && perm != AUTH_PERM_REPORT;
    case AUTH_ROLE_STATION:
        return perm == AUTH_PERM_READ || perm == AUTH_PERM_CHECKIN;
    case AUTH_ROLE_REPORTER:
        return perm == AUTH_PERM_READ || perm == AUTH_PERM_STATS;
    case AUTH_ROLE_CHILD:
        return perm == AUTH_PERM_REPORT;
    default:
        return false;
    }
}

void auth_token_hash(const char *token, uint8_t hash[AUTH_TOKEN_HASH_BYTES])
{
    crypto_generichash(hash, AUTH_TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token), NULL, 0);
}

void auth_token_new(char token[AUTH_TOKEN_MAX], uint8_t hash[AUTH_TOKEN_HASH_BYTES])
{
    unsigned char raw[32];
    if (sodium_init() < 0)
        abort(); /* no usable random source: nothing safe can be issued */
    randombytes_buf(raw, sizeof raw);
    memcpy(token, "hw_", 3);
    sodium_bin2base64(token + 3, AUTH_TOKEN_MAX - 3, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    auth_token_hash(token, hash);
}

int auth_validate(const auth_new_user *u, hw_error *err)
{
    size_t n = u->name != NULL ? strlen(u->name) : 0;
    if (n == 0 || n > 63)
        return error_set(err, HW_EINVAL, "bad_user_name", "用户名应为 1 到 63 个字节 (user name must be 1..63 bytes)");
    if (u->role == AUTH_ROLE_NONE)
        return error_set(err, HW_EINVAL, "bad_role",
                         "角色应为 admin、coordinator、station、reporter 或 child (role must be admin, coordinator, "
                         "station, reporter or child)");
    if (u->role == AUTH_ROLE_STATION && (u->station == NULL || u->station[0] == '\0'))
        return error_set(err, HW_EINVAL, "missing_station",
                         "站点用户需要 --station 指定车站 (a station user needs --station)");
    if (u->role == AUTH_ROLE_CHILD && (u->unit_code == NULL || strlen(u->unit_code) != 6 ||
                                       strspn(u->unit_code, "0123456789") != 6))
        return error_set(err, HW_EINVAL, "missing_unit",
                         "下级单位用户需要 --unit 六位单位代码 (a child user needs --unit with a six-digit unit code)");
    if ((u->role != AUTH_ROLE_STATION && u->station != NULL && u->station[0] != '\0') ||
        (u->role != AUTH_ROLE_CHILD && u->unit_code != NULL && u->unit_code[0] != '\0'))
        return error_set(err, HW_EINVAL, "option_not_for_role",
                         "--station 只用于 station 用户,--unit 只用于 child 用户 (--station is for station users only, "
                         "--unit for child users only)");
    return 0;
}

int auth_user_insert(sqlite3 *db, void *arg, hw_error *err)
{
    auth_new_user *u = arg;
    char now[32];
    sqlite3_stmt *st = NULL;
    int rc = auth_validate(u, err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO users(name, role, station, unit_code, token_hash, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "users", err);
    sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, auth_role_name(u->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, u->role == AUTH_ROLE_STATION ? u->station : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, u->role == AUTH_ROLE_CHILD ? u->unit_code : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, u->hash, AUTH_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        u->id = sqlite3_last_insert_rowid(db);
        return 0;
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return error_set(err, HW_ECONFLICT, "user_exists", "用户已存在 (user already exists): %s", u->name);
    return store_error(db, rc, "users", err);
}

static void copy_text(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", v != NULL ? (const char *)v : "");
}

int auth_user_revoke(sqlite3 *db, void *arg, hw_error *err)
{
    auth_revoke *r = arg;
    sqlite3_stmt *st = NULL;
    int64_t id = 0, active_admins = 0;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT id, name, role, revoked_at, (SELECT count(*) FROM users a WHERE a.role = "
                                "'admin' AND a.revoked_at IS NULL) FROM users WHERE (?1 > 0 AND id = ?1) OR "
                                "(?1 = 0 AND name = ?2)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "users", err);
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_text(st, 2, r->name != NULL ? r->name : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        copy_text(st, 1, r->user_name, sizeof r->user_name);
        r->role = auth_role_parse((const char *)sqlite3_column_text(st, 2));
        copy_text(st, 3, r->revoked_at, sizeof r->revoked_at);
        active_admins = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return error_set(err, HW_ENOTFOUND, "not_found", "没有这个用户 (no such user)%s%s",
                         r->id == 0 && r->name != NULL ? ": " : "", r->id == 0 && r->name != NULL ? r->name : "");
    if (rc != SQLITE_ROW)
        return store_error(db, rc, "users", err);
    if (r->station_only && r->role != AUTH_ROLE_STATION)
        return error_set(err, HW_EFORBIDDEN, "not_station",
                         "协调员只能吊销车站用户(设备)的令牌 (coordinators may revoke station users, i.e. devices, "
                         "only)");
    r->already = r->revoked_at[0] != '\0';
    if (r->already)
        return 0;
    if (r->role == AUTH_ROLE_ADMIN && active_admins <= 1)
        return error_set(err, HW_ECONFLICT, "last_admin",
                         "这是最后一个管理员,先建另一个管理员再吊销 (this is the last admin: create another admin "
                         "first)");
    clock_now(r->revoked_at, sizeof r->revoked_at);
    rc = sqlite3_prepare_v2(db, "UPDATE users SET revoked_at = ?1 WHERE id = ?2", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, r->revoked_at, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, id);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO audit(at, user_name, action, subject) VALUES (?1, ?2, 'revoke_user', ?3)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, r->revoked_at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->by != NULL ? r->by : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->user_name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
        sqlite3_finalize(st);
    }
    return rc == SQLITE_OK ? 0 : store_error(db, rc, "users", err);
}

int auth_lookup(sqlite3 *db, const char *token, auth_user *out, hw_error *err)
{
    uint8_t hash[AUTH_TOKEN_HASH_BYTES];
    sqlite3_stmt *st = NULL;
    if (token == NULL || token[0] == '\0' || strlen(token) >= AUTH_TOKEN_MAX)
        return error_set(err, HW_EAUTH, "unauthorized", "令牌无效 (invalid token)");
    auth_token_hash(token, hash);
    /* every API request comes through here: keep the statement compiled on the connection */
    int rc = store_prepare_cached(db,
                                  "SELECT id, name, role, station, unit_code FROM users "
                                  "WHERE token_hash = ? AND revoked_at IS NULL",
                                  &st, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(st, 0);
        copy_text(st, 1, out->name, sizeof out->name);
        out->role = auth_role_parse((const char *)sqlite3_column_text(st, 2));
        copy_text(st, 3, out->station, sizeof out->station);
        copy_text(st, 4, out->unit_code, sizeof out->unit_code);
    }
    store_release(st); /* ends the read transaction, so the reader never pins the WAL */
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return error_set(err, HW_EAUTH, "unauthorized", "令牌无效或已吊销 (unknown or revoked token)");
    return store_error(db, rc, "users", err);
}
