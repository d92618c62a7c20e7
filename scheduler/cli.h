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

/* Open all three for `db`; the key file is created (0600) beside the database if missing. Close with cli_env_close. */
int cli_env_open(const char *db, cli_env *env, hw_error *err);
void cli_env_close(cli_env *env);

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
