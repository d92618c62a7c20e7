/* json.c - serializing replies into the request pool and parsing request bodies. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void json_reply(route_ctx *ctx, int status, json_t *body)
{
    if (ctx->answered || ctx->req == NULL) {
        json_decref(body);
        return;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL) {
        status = 500;
        text = json_envelope("internal", "内部错误 (internal error)");
    }
    router_send(ctx, status, "application/json; charset=utf-8", text, text != NULL ? strlen(text) : 0);
    free(text);
}

static json_t *envelope(const char *code, const char *message, json_t *details)
{
    return json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", message, "details",
                     details != NULL ? details : json_array());
}

void json_error(route_ctx *ctx, int status, const char *code, const char *message, json_t *details)
{
    json_reply(ctx, status, envelope(code, message, details));
}

void json_fail(route_ctx *ctx, const hw_error *err)
{
    json_error(ctx, error_http_status(err->rc), err->code[0] ? err->code : "error",
               err->message[0] ? err->message : "错误 (error)", NULL);
}

char *json_envelope(const char *code, const char *message)
{
    json_t *e = envelope(code, message, NULL);
    char *text = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return text;
}

json_t *json_body(route_ctx *ctx)
{
    json_error_t jerr;
    h2o_req_t *req = ctx->req;
    if (req->entity.base == NULL || req->entity.len == 0) {
        json_error(ctx, 400, "empty_body", "请求体为空,应为 JSON 对象 (empty body; a JSON object is expected)", NULL);
        return NULL;
    }
    json_t *doc = json_loadb(req->entity.base, req->entity.len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        char msg[400];
        snprintf(msg, sizeof msg, "JSON 格式错误,第 %d 行第 %d 列:%s (malformed JSON at line %d, column %d: %s)",
                 jerr.line, jerr.column, jerr.text, jerr.line, jerr.column, jerr.text);
        json_error(ctx, 400, "bad_json", msg,
                   json_pack("[{s:i, s:i, s:s}]", "line", jerr.line, "column", jerr.column, "reason", jerr.text));
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        json_error(ctx, 400, "bad_json", "请求体应为 JSON 对象 (the body must be a JSON object)", NULL);
        return NULL;
    }
    return doc;
}
