/* query.h - what the record routes share: query parameters, paging, JSON bodies through the field parsers, answers. */
#ifndef HW_QUERY_H
#define HW_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "fields.h"
#include "registry.h"
#include "router.h"

#define QUERY_DEFAULT_LIMIT 50
#define QUERY_MAX_LIMIT 500

/*
 * The query-string parameter `name`, percent-decoded ('+' is a space) into buf.
 * Returns 1 when present, 0 when absent (buf ""), or -1 after answering 400
 * ("bad_query") when it is malformed or longer than n - 1 bytes.
 */
int query_param(route_ctx *ctx, const char *name, char *buf, size_t n);

/* Answer 400 with `err`'s code and message for the query parameter `name`. */
void query_bad_param(route_ctx *ctx, const char *name, const hw_error *err);

/* A YYYY-MM-DD query parameter into buf: 1 present, 0 absent, -1 after answering 400. */
int query_date(route_ctx *ctx, const char *name, char buf[11]);

/* `limit` (default 50, at most 500) and `offset` (default 0) into *page; -1 after answering 400. */
int query_paging(route_ctx *ctx, registry_page *page);

/* The paging answer {"items", "total", "limit", "offset"}; `items` is stolen. The caller owns the result. */
json_t *query_page_answer(json_t *items, int64_t total, const registry_page *page);

/* The current campaign's id and (when `info` is not NULL) its data; -1 after answering the error. */
int query_campaign(route_ctx *ctx, int64_t *id, campaign_info *info);

/* A positive decimal record id from a path parameter; false for anything else. */
bool query_id(const char *text, int64_t *id);

/* Parse `text` into field `field` of `record` (a kind's *_set); `env` is what the parser needs. */
typedef int (*query_set_fn)(void *record, int field, const char *text, const void *env, hw_error *err);

/* How a JSON body maps onto one record kind. Everything is borrowed. */
typedef struct query_form {
    const field_spec *fields; /* the kind's *_fields[], JSON keys are their `en` names */
    int nfields;
    unsigned allowed; /* (1u << field) for each field this request may carry */
    bool create;      /* required fields must be present (else only those given must not be blank) */
    query_set_fn set;
    void *record;
    const void *env;
} query_form;

/*
 * Apply every key of the JSON object `body` to form->record through form->set, the
 * values turned into the text the CSV importers give the same parsers (numbers as
 * decimals, booleans as true/false, null as "", arrays joined with ';').
 * An unknown or not allowed key answers 400 "unknown_field" (listing the allowed keys)
 * and returns -1. Otherwise returns 0, with *given = (1u << field) for each key
 * present and one {"field", "code", "reason"} item appended to `details` for each
 * field that failed to parse or is required but missing or blank.
 */
int query_form_apply(route_ctx *ctx, json_t *body, const query_form *form, unsigned *given, json_t *details);

/* Append {"field", "code", "reason"} items for `n` cross-field problems (field names from `fields`). */
void query_add_problems(json_t *details, const field_spec *fields, const registry_problem *problems, int n);

/* Answer 400 "invalid_fields" with `details` (stolen), one item per bad field. */
void query_invalid(route_ctx *ctx, json_t *details);

/* Answer 404 "not_found" for a record kind ("登记", "registration"). */
void query_not_found(route_ctx *ctx, const char *zh, const char *en);

/* Answer 500 "out_of_memory". */
void query_no_memory(route_ctx *ctx);

/* Fen as a yuan string with two decimals ("1234.56"), or JSON null when fen < 0. New reference. */
json_t *query_money(int64_t fen);

/* A division as {"code", "name"} with its full name (name null when the code is unknown). New reference. */
json_t *query_division(const divisions *d, const char *code);

/* `s`, or NULL when it is empty (so json_pack's "s?" writes null). */
const char *query_nz(const char *s);

#endif
