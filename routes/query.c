/* query.c - query strings, paging, JSON bodies applied through the shared field parsers, and common answers. */
#include "query.h"

#include "export.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"

/* Longest text one JSON value may turn into (parse_text reads at most 1023 bytes). */
#define VALUE_MAX 1024

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..len) into buf; false when malformed, a NUL is decoded or it does not fit. */
static bool url_decode(const char *s, size_t len, char *buf, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= len || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
                return false;
            c = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
            if (c == '\0')
                return false;
        }
        if (o + 1 >= n)
            return false;
        buf[o++] = c;
    }
    buf[o] = '\0';
    return true;
}

static int bad_query(route_ctx *ctx, const char *name)
{
    char msg[160];
    snprintf(msg, sizeof msg, "查询参数 %s 无效或过长 (query parameter %s is malformed or too long)", name, name);
    json_error(ctx, 400, "bad_query", msg, json_pack("[{s:s, s:s}]", "field", name, "reason", "malformed"));
    return -1;
}

int query_param(route_ctx *ctx, const char *name, char *buf, size_t n)
{
    h2o_req_t *req = ctx->req;
    size_t nlen = strlen(name);
    buf[0] = '\0';
    if (req->query_at == SIZE_MAX || req->query_at >= req->path.len)
        return 0;
    const char *p = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp != NULL ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *key_end = eq != NULL ? eq : stop;
        if ((size_t)(key_end - p) == nlen && memcmp(p, name, nlen) == 0) {
            const char *v = eq != NULL ? eq + 1 : stop;
            return url_decode(v, (size_t)(stop - v), buf, n) ? 1 : bad_query(ctx, name);
        }
        p = stop + 1;
    }
    return 0;
}

void query_bad_param(route_ctx *ctx, const char *name, const hw_error *err)
{
    json_error(ctx, 400, err->code, err->message,
               json_pack("[{s:s, s:s, s:s}]", "field", name, "code", err->code, "reason", err->message));
}

int query_date(route_ctx *ctx, const char *name, char buf[11])
{
    char text[16];
    int ymd;
    hw_error err;
    int rc = query_param(ctx, name, text, sizeof text);
    if (rc <= 0 || text[0] == '\0')
        return rc < 0 ? -1 : 0;
    if (clock_parse_date(text, &ymd, &err) != 0 || strlen(text) != 10) {
        error_set(&err, HW_EINVAL, "bad_date", "日期应为 YYYY-MM-DD (a date must be YYYY-MM-DD)");
        query_bad_param(ctx, name, &err);
        return -1;
    }
    memcpy(buf, text, 11);
    return 1;
}

/* A whole number in [min, max] from the query parameter `name`, or `dflt` when absent. */
static int query_number(route_ctx *ctx, const char *name, int64_t dflt, int64_t min, int64_t max, int64_t *out)
{
    char buf[24], *end = NULL;
    int rc = query_param(ctx, name, buf, sizeof buf);
    if (rc < 0)
        return -1;
    if (rc == 0 || buf[0] == '\0') {
        *out = dflt;
        return 0;
    }
    long long v = strtoll(buf, &end, 10);
    if (*end != '\0' || buf[0] == '-' || buf[0] == '+' || v < min) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s 应为不小于 %" PRId64 " 的整数 (%s must be a whole number >= %" PRId64 ")", name,
                 min, name, min);
        json_error(ctx, 400, "bad_query", msg, json_pack("[{s:s, s:s}]", "field", name, "reason", "not a number"));
        return -1;
    }
    *out = v > max ? max : v;
    return 0;
}

int query_paging(route_ctx *ctx, registry_page *page)
{
    if (query_number(ctx, "limit", QUERY_DEFAULT_LIMIT, 1, QUERY_MAX_LIMIT, &page->limit) != 0)
        return -1;
    return query_number(ctx, "offset", 0, 0, INT64_MAX / 2, &page->offset);
}

json_t *query_page_answer(json_t *items, int64_t total, const registry_page *page)
{
    return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "limit",
                     (json_int_t)page->limit, "offset", (json_int_t)page->offset);
}

int query_campaign(route_ctx *ctx, int64_t *id, campaign_info *info)
{
    hw_error err;
    if (campaign_current_id(ctx->app->rdb, id, &err) != 0 ||
        (info != NULL && campaign_load(ctx->app->rdb, info, &err) != 0)) {
        json_fail(ctx, &err);
        return -1;
    }
    return 0;
}

bool query_id(const char *text, int64_t *id)
{
    char *end = NULL;
    if (text == NULL || text[0] < '1' || text[0] > '9' || strlen(text) > 18)
        return false;
    long long v = strtoll(text, &end, 10);
    if (*end != '\0' || v <= 0)
        return false;
    *id = v;
    return true;
}

/* Append the text of a scalar JSON value at buf[*used]; false when it has none or does not fit. */
static bool scalar_text(json_t *v, char *buf, size_t n, size_t *used)
{
    int w;
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (strlen(json_string_value(v)) != json_string_length(v))
            return false; /* an embedded NUL */
        w = snprintf(buf + *used, n - *used, "%s", json_string_value(v));
        break;
    case JSON_INTEGER:
        w = snprintf(buf + *used, n - *used, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        w = snprintf(buf + *used, n - *used, "%.15g", json_real_value(v));
        break;
    case JSON_TRUE:
        w = snprintf(buf + *used, n - *used, "true");
        break;
    case JSON_FALSE:
        w = snprintf(buf + *used, n - *used, "false");
        break;
    case JSON_NULL:
        w = 0;
        break;
    default:
        return false;
    }
    if (w < 0 || (size_t)w >= n - *used)
        return false;
    *used += (size_t)w;
    return true;
}

/* A JSON value as parser text: scalars as such, an array of scalars joined with ';'. */
static bool value_text(json_t *v, char *buf, size_t n)
{
    size_t used = 0, i;
    json_t *item;
    buf[0] = '\0';
    if (!json_is_array(v))
        return scalar_text(v, buf, n, &used);
    json_array_foreach(v, i, item)
    {
        if (json_is_array(item) || json_is_object(item) || (i > 0 && used + 1 >= n))
            return false;
        if (i > 0)
            buf[used++] = ';';
        if (!scalar_text(item, buf, n, &used))
            return false;
    }
    return true;
}

static int field_index(const query_form *form, const char *key)
{
    for (int f = 0; f < form->nfields; f++)
        if (strcmp(form->fields[f].en, key) == 0)
            return f;
    return -1;
}

static void add_detail(json_t *details, const char *field, const char *code, const char *reason)
{
    json_array_append_new(details, json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "reason", reason));
}

/* 400 unknown_field naming the keys this request may carry. */
static int unknown_field(route_ctx *ctx, const query_form *form, const char *key, bool known)
{
    char allowed[256] = "", msg[1024];
    size_t used = 0;
    json_t *names = json_array();
    for (int f = 0; f < form->nfields; f++)
        if ((form->allowed & (1u << f)) && used < sizeof allowed) {
            used +=
                (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s", used ? ", " : "", form->fields[f].en);
            json_array_append_new(names, json_string(form->fields[f].en));
        }
    snprintf(msg, sizeof msg, "%s字段 \"%.60s\",可用字段:%s (%s field; allowed: %s)", known ? "不可在此修改的" : "未知",
             key, allowed, known ? "this request may not change that" : "unknown", allowed);
    json_error(
        ctx, 400, "unknown_field", msg,
        json_pack("[{s:s, s:s, s:o}]", "field", key, "reason", known ? "not_allowed" : "unknown", "allowed", names));
    return -1;
}

/* Set one field from its JSON value, noting blank values and parse failures. */
static void apply_one(const query_form *form, int f, json_t *value, unsigned *blank, json_t *details)
{
    char text[VALUE_MAX];
    hw_error err;
    const char *key = form->fields[f].en;
    if (!value_text(value, text, sizeof text)) {
        add_detail(details, key, "bad_value",
                   "应为文字、数字、是否或其数组 (expected text, a number, a boolean or "
                   "an array of them, at most 1 KiB)");
        return;
    }
    if (strspn(text, " \t\r\n") == strlen(text))
        *blank |= 1u << f;
    error_clear(&err);
    if (form->set(form->record, f, text, form->env, &err) != 0)
        add_detail(details, key, err.code[0] ? err.code : "invalid", err.message[0] ? err.message : "无效 (invalid)");
}

/* Required fields that are absent (on create) or blank, unless already reported. */
static void add_missing(const query_form *form, unsigned given, unsigned blank, json_t *details)
{
    for (int f = 0; f < form->nfields; f++) {
        bool want = form->fields[f].required && (form->allowed & (1u << f));
        bool missing = form->create ? !(given & (1u << f)) || (blank & (1u << f)) : (given & blank & (1u << f));
        if (!want || !missing)
            continue;
        bool reported = false;
        size_t i;
        json_t *d;
        json_array_foreach(details, i, d)
        {
            reported = reported || strcmp(json_string_value(json_object_get(d, "field")), form->fields[f].en) == 0;
        }
        if (!reported)
            add_detail(details, form->fields[f].en, "missing", "必填 (required)");
    }
}

int query_form_apply(route_ctx *ctx, json_t *body, const query_form *form, unsigned *given, json_t *details)
{
    const char *key;
    json_t *value;
    unsigned blank = 0;
    *given = 0;
    json_object_foreach(body, key, value)
    {
        int f = field_index(form, key);
        if (f < 0 || !(form->allowed & (1u << f)))
            return unknown_field(ctx, form, key, f >= 0);
    }
    json_object_foreach(body, key, value)
    {
        int f = field_index(form, key);
        *given |= 1u << f;
        apply_one(form, f, value, &blank, details);
    }
    add_missing(form, *given, blank, details);
    return 0;
}

void query_add_problems(json_t *details, const field_spec *fields, const registry_problem *problems, int n)
{
    for (int i = 0; i < n; i++)
        add_detail(details, fields[problems[i].field].en, problems[i].err.code, problems[i].err.message);
}

void query_invalid(route_ctx *ctx, json_t *details)
{
    char msg[160];
    size_t n = json_array_size(details);
    snprintf(msg, sizeof msg, "有 %zu 个字段无效,见 details (%zu invalid field%s: see details)", n, n,
             n == 1 ? "" : "s");
    json_error(ctx, 400, "invalid_fields", msg, details);
}

void query_not_found(route_ctx *ctx, const char *zh, const char *en)
{
    char msg[128];
    snprintf(msg, sizeof msg, "找不到该%s (no such %s)", zh, en);
    json_error(ctx, 404, "not_found", msg, NULL);
}

void query_no_memory(route_ctx *ctx)
{
    json_error(ctx, 500, "out_of_memory", "内存不足 (out of memory)", NULL);
}

json_t *query_money(int64_t fen)
{
    char buf[32];
    if (fen < 0)
        return json_null();
    snprintf(buf, sizeof buf, "%" PRId64 ".%02d", fen / 100, (int)(fen % 100));
    return json_string(buf);
}

json_t *query_division(const divisions *d, const char *code)
{
    return export_division_json(d, code);
}

const char *query_nz(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}
