/* rowerr.h - the bad rows of an import: a bounded list of (line, column, value shown, reason) for people and JSON. */
#ifndef HW_ROWERR_H
#define HW_ROWERR_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "header.h"

/*
 * PERSONAL DATA: `value` is shown to coordinators, printed to the terminal, returned by the
 * API and may end up in logs. Callers pass it ALREADY MASKED: id numbers through
 * idnumber_mask ("5119**********123X"), phones masked likewise, or "" when there is nothing
 * useful to show. This module copies what it is given and cannot tell; it never receives
 * raw personal data as long as callers follow that rule.
 */

#define ROWERR_MAX_KEPT 1000 /* entries kept; later ones are only counted */

typedef struct rowerr_entry {
    size_t line;        /* 1-based physical line where the row starts */
    char column_zh[48]; /* "" for an error about the whole row */
    char column_en[48];
    char value[100];  /* as shown (masked), cut with "…" */
    char reason[320]; /* "中文 (English)" */
} rowerr_entry;

/* Caller-owned list (stack or heap); fields are read-only for callers. */
typedef struct rowerr_list {
    rowerr_entry *entries; /* entries[0..kept), in the order added */
    size_t kept;
    size_t cap;
    size_t total; /* every error added, kept or not */
} rowerr_list;

/* An empty list; allocates nothing. */
void rowerr_init(rowerr_list *list);

/*
 * Record a bad row: `line`, the column (NULL when the whole row is wrong), the value as shown
 * (already masked, see above; NULL means ""), and the reason "中文 (English)", e.g.
 * "校验位不符 (check character mismatch)". Strings are copied (cut to the entry's sizes,
 * control characters shown as spaces, invalid UTF-8 as '?'); nothing is kept. Beyond
 * ROWERR_MAX_KEPT entries only `total` grows. Returns 0, or HW_ENOMEM (the error is still counted).
 */
int rowerr_add(rowerr_list *list, size_t line, const header_column *column, const char *value, const char *reason);

/* rowerr_add with a printf-style reason. */
int rowerr_addf(rowerr_list *list, size_t line, const header_column *column, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* How many errors were added in all (kept or not). Pure. */
size_t rowerr_total(const rowerr_list *list);

/*
 * One entry as a line of text, without newline:
 *   第 12 行 身份证号 "5119**********123X": 校验位不符 (line 12, id_number: check character mismatch)
 * (a reason not of the form "中文 (English)" is shown whole in the Chinese part). Writes at
 * most cap bytes, NUL-terminated; returns the length it needed, as snprintf does. Pure.
 */
size_t rowerr_format(const rowerr_entry *e, char *buf, size_t cap);

/*
 * The kept entries as a new JSON array of {"line": 12, "column": "id_number", "column_zh": "身份证号",
 * "value": "...", "reason": "..."} ("column" and "column_zh" are null for whole-row errors).
 * The caller owns the reference (json_decref). NULL when out of memory.
 */
json_t *rowerr_to_json(const rowerr_list *list);

/* Print each kept entry on its own line, then "另有 N 处错误未列出 (N more errors not listed)" if some were dropped. */
void rowerr_print(const rowerr_list *list, FILE *out);

/* Free the entries and empty the list (it can be used again). */
void rowerr_free(rowerr_list *list);

#endif
