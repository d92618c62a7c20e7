/* demo.h - the demo campaign `homeward serve --demo` creates in an empty database. */
#ifndef HW_DEMO_H
#define HW_DEMO_H

#include <sqlite3.h>
#include <stdbool.h>

#include "auth.h"
#include "error.h"

/* What the demo seed did; `admin_token` is set only when it created the demo admin. */
typedef struct demo_result {
    bool created;
    char admin_token[AUTH_TOKEN_MAX];
} demo_result;

/*
 * A store_write_fn: if the database has no unit yet, create 成都市总工会 with the
 * 2027 campaign and an admin user "demo-admin" whose token lands in the demo_result at
 * `arg`. Does nothing to a database that already has a unit.
 */
int demo_seed(sqlite3 *db, void *arg, hw_error *err);

#endif
