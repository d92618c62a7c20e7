/* demo.h - the demo campaign `homeward serve --demo` creates in an empty database. */
#ifndef HW_DEMO_H
#define HW_DEMO_H

#include <sqlite3.h>
#include <stdbool.h>

#include <stddef.h>

#include "auth.h"
#include "divisions.h"
#include "error.h"
#include "vault.h"

/* What the demo seed needs (borrowed) and what it did; `admin_token` is set only when it created the demo admin. */
typedef struct demo_request {
    const vault *vault;
    const divisions *divisions;
    bool created;
    char admin_token[AUTH_TOKEN_MAX];
    size_t registrations, transports;
} demo_request;

/*
 * A store_write_fn: if the database has no unit yet, create 成都市总工会 with the
 * 2027 campaign, an admin user "demo-admin" whose token lands in the demo_request at
 * `arg`, and a living operation (registrations and transports). Does nothing to a
 * database that already has a unit.
 */
int demo_seed(sqlite3 *db, void *arg, hw_error *err);

#endif
