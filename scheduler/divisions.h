/* divisions.h - GB/T 2260 administrative divisions: the code table, name resolution and stop coverage. */
#ifndef HW_DIVISIONS_H
#define HW_DIVISIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * An immutable table of six-digit division codes and their short names, loaded from data/divisions.tsv
 * (lines "code<TAB>name" sorted by code; '#' lines are comments). Once loaded it is never written again,
 * so one table may be shared by any number of threads without locking.
 */
typedef struct divisions divisions;

/* Bytes a buffer needs to hold any full name from divisions_full_name(), NUL included. */
#define DIVISIONS_FULL_NAME_MAX 320

/*
 * Load the table at `path` into a new *out, which the caller frees with divisions_free(); the path is not
 * kept. A malformed line is HW_EINVAL ("bad_divisions_line", the message names the line number); an
 * unreadable file HW_EIO, a file over 16 MiB HW_ETOOBIG, out of memory HW_ENOMEM. *out is NULL on error.
 */
int divisions_load(const char *path, divisions **out, hw_error *err);

/*
 * Load $HOMEWARD_DATA_DIR/divisions.tsv when that variable is set and not empty, otherwise the file in the
 * HOMEWARD_DATA_DIR directory the program was built with. Ownership and errors as divisions_load().
 */
int divisions_load_default(divisions **out, hw_error *err);

/* Free a table from divisions_load(); NULL is fine. Every pointer the table handed out becomes invalid. */
void divisions_free(divisions *d);

/* Number of divisions (rows) in the table. */
size_t divisions_count(const divisions *d);

/*
 * Short name of `code` (e.g. "平昌县" for "511923"), or NULL when the code is not in the table. The string
 * belongs to the table and stays valid until divisions_free().
 */
const char *divisions_name(const divisions *d, const char *code);

/*
 * Write the full name of `code` into buf (n bytes, the caller's), e.g. "四川省巴中市平昌县"; placeholder
 * levels (市辖区, 县, 省直辖县级行政区划) and a level repeating its parent's name are left out, so 110101 is
 * "北京市东城区". Returns 0, HW_ENOTFOUND for an unknown code, or HW_ETOOBIG when buf is too small
 * (DIVISIONS_FULL_NAME_MAX always suffices); on error buf holds "" when n > 0.
 */
int divisions_full_name(const divisions *d, const char *code, char *buf, size_t n);

/*
 * Turn what a person typed into a code, written to `code` (7 bytes, the caller's). Accepted: a six-digit code
 * in the table, a full name ("四川省巴中市平昌县"), any shorter chain that ends in the division's own name
 * ("巴中市平昌县", "四川省平昌县") or the short name alone ("平昌县", "巴中市", "四川省") when it names one
 * division. ASCII and full-width (U+3000) spaces anywhere are ignored. Does not keep `text`.
 * Errors: HW_EINVAL "empty_division" (nothing but spaces), HW_ENOTFOUND "unknown_division",
 * HW_EAMBIGUOUS "ambiguous_division" (the message lists candidates with codes and full names).
 */
int divisions_resolve(const divisions *d, const char *text, char code[7], hw_error *err);

/* Level of a code by its form alone: 1 province (XX0000), 2 prefecture (XXXX00), 3 county; 0 if not a code. */
int divisions_level(const char *code);

/*
 * DESIGN §3: whether a transport stop covers a destination, i.e. the destination starts with the stop's
 * code cut to the stop's level (510000 covers 5119xx and 511923, 511900 covers 511923, 511923 only itself).
 * Pure; false when either is not a six-digit code.
 */
bool divisions_covers(const char *stop, const char *dest);

/* Whether the province named by the first two digits of `code` (e.g. "51" of "511923") is in the table. */
bool divisions_province_exists(const divisions *d, const char *code);

#endif
