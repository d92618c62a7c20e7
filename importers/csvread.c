/* csvread.c - streaming CSV records over libcsv, with start lines and bounded memory. */
#include "csvread.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Input is handed to libcsv in pieces that end at a line break or after PIECE bytes, so that
 * (1) every piece holds at most one line break, as its last byte, which tells on which line a
 * record starts, and (2) a field that never ends (an unclosed quote) is noticed after at most
 * PIECE more bytes: libcsv itself would buffer the rest of the file.
 */
#define PIECE 4096

/* libcsv 3.x's "inside a field" state (libcsv.c; csv.h makes the struct public but does not name the values). */
#define LIBCSV_FIELD_BEGUN 2

struct csvread {
    struct csv_parser parser;
    csvread_record_fn fn;
    void *ctx;
    size_t line;        /* line of the next byte */
    size_t record_line; /* line where the current record starts */
    bool prev_cr;
    bool in_record;
    char *data; /* the current record's fields, each NUL-terminated */
    size_t data_len, data_cap;
    size_t off[CSVREAD_MAX_FIELDS];
    size_t len[CSVREAD_MAX_FIELDS];
    size_t nfields;
    int status;       /* first failure, sticky */
    bool fn_stopped;  /* status came from the record function */
    hw_error failure; /* details of a failure detected inside a libcsv callback */
};

int csvread_new(csvread_record_fn fn, void *ctx, csvread **out, hw_error *err)
{
    *out = NULL;
    csvread *r = calloc(1, sizeof *r);
    if (r == NULL || csv_init(&r->parser, CSV_APPEND_NULL) != 0) {
        free(r);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    r->fn = fn;
    r->ctx = ctx;
    r->line = 1;
    r->record_line = 1;
    *out = r;
    return 0;
}

void csvread_free(csvread *r)
{
    if (r == NULL)
        return;
    csv_free(&r->parser);
    free(r->data);
    free(r);
}

size_t csvread_line(const csvread *r)
{
    return r->line;
}

static void field_too_long(csvread *r)
{
    r->status = error_set(&r->failure, HW_EINVAL, "field_too_long",
                          "第 %zu 行开始的记录中有字段超过 %d 字节，可能是引号没有闭合 (a field of the record starting "
                          "at line %zu is longer than %d bytes: probably an unclosed quote)",
                          r->record_line, CSVREAD_MAX_FIELD_BYTES, r->record_line, CSVREAD_MAX_FIELD_BYTES);
}

/* libcsv field callback: copy the field into the record. */
static void on_field(void *s, size_t len, void *data)
{
    csvread *r = data;
    if (r->status != 0)
        return;
    if (r->nfields == CSVREAD_MAX_FIELDS) {
        r->status = error_set(&r->failure, HW_EINVAL, "too_many_fields",
                              "第 %zu 行的记录超过 %d 个字段 (the record at line %zu has more than %d fields)",
                              r->record_line, CSVREAD_MAX_FIELDS, r->record_line, CSVREAD_MAX_FIELDS);
        return;
    }
    if (len > CSVREAD_MAX_FIELD_BYTES) {
        field_too_long(r);
        return;
    }
    if (r->data_len + len + 1 > r->data_cap) {
        size_t cap = r->data_cap == 0 ? 1024 : r->data_cap;
        while (cap < r->data_len + len + 1)
            cap *= 2; /* bounded: at most 64 fields of 8 KiB */
        char *p = realloc(r->data, cap);
        if (p == NULL) {
            r->status = error_set(&r->failure, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
            return;
        }
        r->data = p;
        r->data_cap = cap;
    }
    if (len > 0)
        memcpy(r->data + r->data_len, s, len);
    r->data[r->data_len + len] = '\0';
    r->off[r->nfields] = r->data_len;
    r->len[r->nfields] = len;
    r->nfields++;
    r->data_len += len + 1;
}

/* libcsv record callback: hand the record to the caller unless it is an empty line. */
static void on_record(int c, void *data)
{
    (void)c;
    csvread *r = data;
    size_t n = r->nfields;
    r->in_record = false;
    r->nfields = 0;
    r->data_len = 0;
    if (r->status != 0 || n == 0 || (n == 1 && r->len[0] == 0))
        return;
    const char *fields[CSVREAD_MAX_FIELDS];
    for (size_t i = 0; i < n; i++)
        fields[i] = r->data + r->off[i];
    int rc = r->fn(r->record_line, fields, r->len, n, r->ctx);
    if (rc != 0) {
        r->status = rc;
        r->fn_stopped = true;
    }
}

/* The error to return once r->status is set. */
static int report(const csvread *r, hw_error *err)
{
    if (!r->fn_stopped) {
        if (err != NULL)
            *err = r->failure;
        return r->status;
    }
    if (err != NULL && err->rc != r->status)
        error_set(err, r->status, "stopped", "读取在第 %zu 行的记录处停止 (reading stopped at the record on line %zu)",
                  r->record_line, r->record_line);
    return r->status;
}

/* Whether libcsv starts a record on seeing buf[0..n) when no record is open: any byte but blanks and line breaks. */
static bool starts_record(const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
            return true;
    return false;
}

/* Move r->line past a piece, whose only possible line break is its last byte (CR LF counts once, even split). */
static void count_line(csvread *r, const char *piece, size_t n)
{
    char last = piece[n - 1];
    if (last == '\r' || (last == '\n' && !(n == 1 && r->prev_cr)))
        r->line++;
    r->prev_cr = last == '\r';
}

/* End of the piece starting at buf[i]: just after the first line break, or PIECE bytes on. */
static size_t piece_end(const char *buf, size_t i, size_t n)
{
    size_t j = i;
    while (j < n && j - i < PIECE) {
        if (buf[j] == '\n' || buf[j] == '\r')
            return j + 1;
        j++;
    }
    return j;
}

int csvread_feed(csvread *r, const char *buf, size_t n, hw_error *err)
{
    size_t i = 0;
    while (i < n && r->status == 0) {
        size_t j = piece_end(buf, i, n);
        if (!r->in_record && starts_record(buf + i, j - i)) {
            r->in_record = true;
            r->record_line = r->line;
        }
        size_t used = csv_parse(&r->parser, buf + i, j - i, on_field, on_record, r);
        if (used != j - i && r->status == 0)
            r->status = error_set(&r->failure, HW_ENOMEM, "out_of_memory", "CSV 解析内存不足 (out of memory): %s",
                                  csv_strerror(csv_error(&r->parser)));
        count_line(r, buf + i, j - i);
        if (r->status == 0 && csv_get_buffer_size(&r->parser) > CSVREAD_MAX_FIELD_BYTES + 1024)
            field_too_long(r); /* libcsv grows its buffer 128 bytes at a time, so the field is past the limit */
        i = j;
    }
    return r->status != 0 ? report(r, err) : 0;
}

int csvread_finish(csvread *r, hw_error *err)
{
    if (r->status != 0)
        return report(r, err);
    if (r->parser.pstate == LIBCSV_FIELD_BEGUN && r->parser.quoted) {
        r->status = error_set(&r->failure, HW_EINVAL, "unclosed_quote",
                              "第 %zu 行开始的记录中有引号直到文件末尾都没有闭合 (a quote in the record starting at "
                              "line %zu is never closed)",
                              r->record_line, r->record_line);
        return report(r, err);
    }
    csv_fini(&r->parser, on_field, on_record, r);
    return r->status != 0 ? report(r, err) : 0;
}
