/* args.h - command-line options of the form --name VALUE, --name=VALUE and --flag. */
#ifndef HW_ARGS_H
#define HW_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* One option a subcommand accepts; args_parse() fills `value`/`present`. */
typedef struct args_opt {
    const char *name;  /* "--unit-code" */
    bool takes_value;
    const char *value; /* points into argv */
    bool present;
} args_opt;

/* Table entries: ARGS_VALUE("--listen"), ARGS_FLAG("--demo"). */
#define ARGS_VALUE(n) {.name = (n), .takes_value = true}
#define ARGS_FLAG(n) {.name = (n), .takes_value = false}

/*
 * Parse argv[0..argc) (the words after the subcommand) against `opts`. Positional words
 * go to `pos` (at most `max_pos`, count in *npos). Unknown options, a missing value or
 * too many positionals are HW_EINVAL naming the word. Nothing is allocated.
 */
int args_parse(int argc, char **argv, args_opt *opts, size_t nopts, const char **pos, size_t max_pos, size_t *npos,
               hw_error *err);

/* The option called `name` in `opts`, or NULL. */
args_opt *args_find(args_opt *opts, size_t nopts, const char *name);

#endif
