/* schema.c - the database schema as an ordered list of migrations; user_version counts those applied. */
#include "schema.h"

#include <stdio.h>

#include "store.h"

/*
 * Append new migrations at the end; never edit one that has shipped. Times are
 * stored as RFC 3339 text in Asia/Shanghai (+08:00) or UTC with 'Z'; dates as YYYY-MM-DD.
 */
static const char *const migrations[] = {
    /* 1: the unit, its campaign, users with hashed tokens, and the audit trail */
    "CREATE TABLE unit ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  code TEXT NOT NULL CHECK (length(code) = 6),"
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  parent_url TEXT,"
    "  parent_token TEXT,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE campaign ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  date_from TEXT NOT NULL,"
    "  date_to TEXT NOT NULL CHECK (date_to >= date_from),"
    "  deadline TEXT,"
    "  reporter TEXT,"
    "  reporter_phone TEXT,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
    "  role TEXT NOT NULL CHECK (role IN ('admin','coordinator','station','reporter','child')),"
    "  station TEXT,"
    "  unit_code TEXT,"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  user_name TEXT,"
    "  action TEXT NOT NULL,"
    "  subject TEXT,"
    "  detail TEXT);",
};

int schema_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

static int current_version(sqlite3 *db, int *version, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "user_version", err);
    rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "user_version", err);
}

static int apply(sqlite3 *db, int index, hw_error *err)
{
    char sql[64];
    hw_error ignored;
    int rc = store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == 0)
        rc = store_exec(db, migrations[index], err);
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", index + 1);
    if (rc == 0)
        rc = store_exec(db, sql, err);
    if (rc == 0)
        rc = store_exec(db, "COMMIT", err);
    if (rc != 0)
        store_exec(db, "ROLLBACK", &ignored);
    return rc;
}

int schema_migrate(sqlite3 *db, hw_error *err)
{
    int version = 0;
    int rc = current_version(db, &version, err);
    if (rc != 0)
        return rc;
    if (version > schema_version())
        return error_set(err, HW_EINVAL, "schema_too_new",
                         "数据库版本 %d 比本程序 (%d) 新,请升级 homeward (database schema %d is newer than this "
                         "build's %d; upgrade homeward)",
                         version, schema_version(), version, schema_version());
    for (int i = version; i < schema_version(); i++)
        if ((rc = apply(db, i, err)) != 0)
            return rc;
    return 0;
}
