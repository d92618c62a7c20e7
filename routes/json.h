/* json.h - JSON replies, the error envelope of DESIGN §6, and request bodies as jansson values. */
#ifndef HW_JSON_H
#define HW_JSON_H

#include <h2o.h>
#include <jansson.h>

#include "error.h"
#include "router.h"

/* Largest request body the API accepts (h2o answers 413 beyond it). */
#define JSON_MAX_BODY (1024 * 1024)

/* Send `body` (reference stolen) with `status`, then log and count the request. */
void json_reply(route_ctx *ctx, int status, json_t *body);

/* Send {"error": {"code", "message", "details"}}; `details` (stolen) may be NULL. */
void json_error(route_ctx *ctx, int status, const char *code, const char *message, json_t *details);

/* json_error() from an hw_error, with the status error_http_status() gives. */
void json_fail(route_ctx *ctx, const hw_error *err);

/*
 * Parse the request body as one JSON object. On failure the 400 answer (with
 * jansson's line and column) has been sent and NULL is returned. The caller owns
 * the result (json_decref).
 */
json_t *json_body(route_ctx *ctx);

/* The error envelope as a serialized string, for replies made outside a route. malloc'ed. */
char *json_envelope(const char *code, const char *message);

#endif
