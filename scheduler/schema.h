/* schema.h - versioned migrations of the homeward database (PRAGMA user_version). */
#ifndef HW_SCHEMA_H
#define HW_SCHEMA_H

#include <sqlite3.h>

#include "error.h"

/* Bring `db` up to schema_version(), one transaction per migration. Newer files are refused. */
int schema_migrate(sqlite3 *db, hw_error *err);

/* The schema version this build writes. */
int schema_version(void);

#endif
