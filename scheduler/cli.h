/* cli.h - what the subcommands share: the environment they open, and how they report errors and usage. */
#ifndef HW_CLI_H
#define HW_CLI_H

#include <stdbool.h>

#include "divisions.h"
#include "error.h"
#include "store.h"
#include "vault.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What most commands need: the store, the keys for personal data and the divisions table. */
typedef struct cli_env {
    store *store;
    vault vault;
    divisions *divisions;
} cli_env;

/*
 * Open all three for an existing database `db` (HW_ENOTFOUND "no_database" when the file is
 * missing, so a mistyped --db never starts an empty campaign). Close with cli_env_close.
 */
int cli_env_open(const char *db, cli_env *env, hw_error *err);

/* Like cli_env_open, creating the database and its key file (0600) when missing: `init` and `serve`. */
int cli_env_create(const char *db, cli_env *env, hw_error *err);

/* 0 when the file `db` exists, else HW_ENOTFOUND "no_database" saying to check --db or run init. */
int cli_db_exists(const char *db, hw_error *err);
void cli_env_close(cli_env *env);

/* HW_EINVAL "unknown_unit_code" unless `code` is in the divisions table (units are keyed by GB/T 2260 codes). */
int cli_check_unit_code(const char *code, hw_error *err);

/* Print the error (Chinese, then English) and return the exit code for it (2 for usage, else 1). */
int cli_fail(const hw_error *err);

/* Print the error and the command's usage; returns EXIT_USAGE. */
int cli_usage_error(const char *usage, const hw_error *err);

/* The subcommands (cmd_*.c): each parses its own options. `db` is the --db path. */
extern const char cmd_init_usage[], cmd_user_usage[], cmd_serve_usage[], cmd_import_usage[],
    cmd_export_usage[], cmd_list_usage[], cmd_allocate_usage[];
int cmd_init(const char *db, int argc, char **argv);
int cmd_user(const char *db, int argc, char **argv);
int cmd_serve(const char *db, int argc, char **argv);
int cmd_import(const char *db, int argc, char **argv);
int cmd_export(const char *db, int argc, char **argv);
int cmd_list(const char *db, int argc, char **argv);
int cmd_allocate(const char *db, int argc, char **argv);
extern const char cmd_report_usage[];
int cmd_report(const char *db, int argc, char **argv);
extern const char cmd_parent_usage[], cmd_push_usage[];
int cmd_parent(const char *db, int argc, char **argv);
int cmd_push(const char *db, int argc, char **argv);

#endif
