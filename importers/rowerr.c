/* rowerr.c - a bounded list of bad import rows, printed one per line or turned into JSON. */
#include "rowerr.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

void rowerr_init(rowerr_list *list)
{
    memset(list, 0, sizeof *list);
}

void rowerr_free(rowerr_list *list)
{
    free(list->entries);
    rowerr_init(list);
}

size_t rowerr_total(const rowerr_list *list)
{
    return list->total;
}

/* Length of the valid UTF-8 character at s[0..n), 0 if it is not one. */
static size_t char_length(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > n || !encoding_valid_utf8(s, len, false))
        return 0;
    return len;
}

/*
 * Copy src into dst[0..cap) as clean, NUL-terminated UTF-8: control characters become spaces,
 * invalid bytes '?' (so the length does not change); if it does not fit, it is cut at a
 * character and ends with `more`.
 */
static void copy_clean(char *dst, size_t cap, const char *src, const char *more)
{
    size_t n = src != NULL ? strlen(src) : 0, out = 0, i = 0;
    size_t limit = n <= cap - 1 ? cap - 1 : cap - 1 - strlen(more);
    while (i < n) {
        size_t len = char_length(src + i, n - i);
        if (out + (len > 0 ? len : 1) > limit)
            break;
        if (len == 0) {
            dst[out++] = '?';
            len = 1;
        } else if (len == 1 && ((unsigned char)src[i] < 0x20 || src[i] == 0x7F)) {
            dst[out++] = ' ';
        } else {
            memcpy(dst + out, src + i, len);
            out += len;
        }
        i += len;
    }
    if (i < n) {
        memcpy(dst + out, more, strlen(more));
        out += strlen(more);
    }
    dst[out] = '\0';
}

int rowerr_add(rowerr_list *list, size_t line, const header_column *column, const char *value, const char *reason)
{
    list->total++;
    if (list->kept == ROWERR_MAX_KEPT)
        return 0;
    if (list->kept == list->cap) {
        size_t cap = list->cap == 0 ? 16 : list->cap * 2;
        if (cap > ROWERR_MAX_KEPT)
            cap = ROWERR_MAX_KEPT;
        rowerr_entry *p = realloc(list->entries, cap * sizeof *p);
        if (p == NULL)
            return HW_ENOMEM;
        list->entries = p;
        list->cap = cap;
    }
    rowerr_entry *e = &list->entries[list->kept++];
    e->line = line;
    copy_clean(e->column_zh, sizeof e->column_zh, column != NULL ? column->zh : "", "");
    copy_clean(e->column_en, sizeof e->column_en, column != NULL ? column->en : "", "");
    copy_clean(e->value, sizeof e->value, value, "…");
    copy_clean(e->reason, sizeof e->reason, reason, "…");
    return 0;
}

int rowerr_addf(rowerr_list *list, size_t line, const header_column *column, const char *value, const char *fmt, ...)
{
    char reason[sizeof list->entries[0].reason];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return rowerr_add(list, line, column, value, reason);
}

/* Split "中文 (English)" at its first " (": lengths of both parts; false if the reason is not of that form. */
static bool split_reason(const char *reason, size_t *zh_len, const char **en, size_t *en_len)
{
    const char *open = strstr(reason, " (");
    size_t n = strlen(reason);
    if (open == NULL || open == reason || n < 3 || reason[n - 1] != ')')
        return false;
    *zh_len = (size_t)(open - reason);
    *en = open + 2;
    *en_len = (size_t)(reason + n - 1 - *en);
    return *en_len > 0;
}

size_t rowerr_format(const rowerr_entry *e, char *buf, size_t cap)
{
    size_t zh_len, en_len;
    const char *en;
    bool split = split_reason(e->reason, &zh_len, &en, &en_len);
    if (!split) {
        zh_len = strlen(e->reason);
        en = "";
        en_len = 0;
    }
    const char *colon = split ? ": " : "";
    int n;
    if (e->column_en[0] != '\0')
        n = snprintf(buf, cap, "第 %zu 行 %s \"%s\": %.*s (line %zu, %s%s%.*s)", e->line, e->column_zh, e->value,
                     (int)zh_len, e->reason, e->line, e->column_en, colon, (int)en_len, en);
    else if (e->value[0] != '\0')
        n = snprintf(buf, cap, "第 %zu 行 \"%s\": %.*s (line %zu%s%.*s)", e->line, e->value, (int)zh_len, e->reason,
                     e->line, colon, (int)en_len, en);
    else
        n = snprintf(buf, cap, "第 %zu 行: %.*s (line %zu%s%.*s)", e->line, (int)zh_len, e->reason, e->line, colon,
                     (int)en_len, en);
    return n < 0 ? 0 : (size_t)n;
}

void rowerr_print(const rowerr_list *list, FILE *out)
{
    char line[1024];
    for (size_t i = 0; i < list->kept; i++) {
        rowerr_format(&list->entries[i], line, sizeof line);
        fprintf(out, "%s\n", line);
    }
    if (list->total > list->kept)
        fprintf(out, "另有 %zu 处错误未列出 (%zu more errors not listed)\n", list->total - list->kept,
                list->total - list->kept);
}

static json_t *entry_json(const rowerr_entry *e)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    bool whole_row = e->column_en[0] == '\0';
    int bad = json_object_set_new(o, "line", json_integer((json_int_t)e->line));
    bad |= json_object_set_new(o, "column", whole_row ? json_null() : json_string(e->column_en));
    bad |= json_object_set_new(o, "column_zh", whole_row ? json_null() : json_string(e->column_zh));
    bad |= json_object_set_new(o, "value", json_string(e->value));
    bad |= json_object_set_new(o, "reason", json_string(e->reason));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rowerr_to_json(const rowerr_list *list)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < list->kept; i++) {
        if (json_array_append_new(a, entry_json(&list->entries[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}
