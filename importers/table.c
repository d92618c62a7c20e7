/* table.c - import files as rows of named columns: bytes -> UTF-8 -> CSV records -> header mapping -> row callback. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "source.h"

struct table_reader {
    encoding_decoder dec;
    csvread *csv;
    const header_column *cols;
    size_t ncols;
    table_row_fn fn;
    void *ctx;
    rowerr_list *errors;
    hw_error *err; /* where callbacks report during the current call */
    hw_error local_err;
    bool have_header;
    size_t header_line;
    size_t header_fields;
    int col_of_field[CSVREAD_MAX_FIELDS];
    bool present[CSVREAD_MAX_FIELDS];
    const char *value[CSVREAD_MAX_FIELDS];
    size_t len[CSVREAD_MAX_FIELDS];
    char *rowbuf; /* trimmed copies of the current row's values */
    size_t rowbuf_cap;
    size_t rows;
};

const char *table_get(const table_row *r, size_t col)
{
    return col < r->ncols ? r->value[col] : "";
}

size_t table_len(const table_row *r, size_t col)
{
    return col < r->ncols ? r->len[col] : 0;
}

bool table_has(const table_row *r, size_t col)
{
    return col < r->ncols && r->present[col];
}

/* Whether the text is only ASCII spaces/tabs and U+3000. */
static bool blank(const char *s, size_t n)
{
    header_trim(&s, &n);
    return n == 0;
}

/* Put the encoding in front of a "no_header" message: a wrong --encoding is a common cause. */
static void say_encoding(table_reader *t)
{
    encoding_kind kind = encoding_decoder_kind(&t->dec);
    if (strcmp(t->err->code, "no_header") != 0 || kind == ENCODING_AUTO)
        return; /* still undecided: the header was plain ASCII, so the encoding did not matter */
    char msg[sizeof t->err->message];
    int n = snprintf(msg, sizeof msg, "按 %s 编码读取 (read as %s): %s", encoding_name(kind), encoding_name(kind),
                     t->err->message);
    if (n >= (int)sizeof msg) {
        size_t end = sizeof msg - 1, lead = end;
        while (lead > 0 && ((unsigned char)msg[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0 && (unsigned char)msg[lead - 1] >= 0xC0)
            msg[lead - 1] = '\0'; /* drop a character the cut left incomplete (harmless if it was complete) */
    }
    memcpy(t->err->message, msg, sizeof msg);
}

static int take_header(table_reader *t, size_t line, const char *const *fields, const size_t *lens, size_t n)
{
    int rc = header_map(t->cols, t->ncols, fields, lens, n, t->col_of_field, t->err);
    if (rc != 0) {
        say_encoding(t);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (t->col_of_field[i] >= 0)
            t->present[t->col_of_field[i]] = true;
    t->have_header = true;
    t->header_line = line;
    t->header_fields = n;
    return 0;
}

/* Fields in the row once empty cells at its end are left out. */
static size_t used_fields(const char *const *fields, const size_t *lens, size_t n)
{
    while (n > 0 && blank(fields[n - 1], lens[n - 1]))
        n--;
    return n;
}

/* A row with non-blank fields right of the header: a row error, or a failure without a list. */
static int too_many_fields(table_reader *t, size_t line, size_t n)
{
    if (t->errors == NULL)
        return error_set(t->err, HW_EINVAL, "too_many_fields",
                         "第 %zu 行有 %zu 个字段，多于表头的 %zu 列 (line %zu has %zu fields, the header %zu)", line, n,
                         t->header_fields, line, n, t->header_fields);
    if (rowerr_addf(t->errors, line, NULL, "",
                    "有 %zu 个字段，多于表头的 %zu 列，可能有含逗号的值没加引号 (%zu fields but the header has %zu: "
                    "maybe a value with a comma is not quoted)",
                    n, t->header_fields, n, t->header_fields) != 0)
        return error_set(t->err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    return 0;
}

/* Point value[]/len[] at trimmed, NUL-terminated copies of the mapped fields. */
static int fill_values(table_reader *t, const char *const *fields, const size_t *lens, size_t n)
{
    size_t need = 0;
    for (size_t i = 0; i < n; i++)
        need += lens[i] + 1; /* bounded by csvread's limits: 64 fields of 8 KiB */
    if (need > t->rowbuf_cap) {
        char *p = realloc(t->rowbuf, need);
        if (p == NULL)
            return error_set(t->err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
        t->rowbuf = p;
        t->rowbuf_cap = need;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        t->value[c] = "";
        t->len[c] = 0;
    }
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        int c = t->col_of_field[i];
        if (c < 0)
            continue;
        const char *s = fields[i];
        size_t len = lens[i];
        header_trim(&s, &len);
        memcpy(t->rowbuf + used, s, len);
        t->rowbuf[used + len] = '\0';
        t->value[c] = t->rowbuf + used;
        t->len[c] = len;
        used += len + 1;
    }
    return 0;
}

/* csvread callback: the first record is the header, then each non-blank record goes to fn. */
static int on_record(size_t line, const char *const *fields, const size_t *lens, size_t n, void *ctx)
{
    table_reader *t = ctx;
    size_t used = used_fields(fields, lens, n);
    if (used == 0)
        return 0; /* a blank row */
    if (!t->have_header)
        return take_header(t, line, fields, lens, n);
    t->rows++;
    if (used > t->header_fields)
        return too_many_fields(t, line, used);
    if (n > t->header_fields)
        n = t->header_fields; /* only empty cells beyond the header */
    int rc = fill_values(t, fields, lens, n);
    if (rc != 0)
        return rc;
    table_row row = {line, t->ncols, t->value, t->len, t->present};
    return t->fn(&row, t->ctx);
}

int table_reader_new(encoding_kind enc, const header_column *cols, size_t ncols, table_row_fn fn, void *ctx,
                     rowerr_list *errors, table_reader **out, hw_error *err)
{
    *out = NULL;
    if (ncols == 0 || ncols > CSVREAD_MAX_FIELDS)
        return error_set(err, HW_EINVAL, "bad_spec", "列定义应有 1 到 %d 列 (a column spec has 1 to %d columns)",
                         CSVREAD_MAX_FIELDS, CSVREAD_MAX_FIELDS);
    table_reader *t = calloc(1, sizeof *t);
    if (t == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    int rc = csvread_new(on_record, t, &t->csv, err);
    if (rc != 0) {
        free(t);
        return rc;
    }
    encoding_decoder_init(&t->dec, enc);
    t->cols = cols;
    t->ncols = ncols;
    t->fn = fn;
    t->ctx = ctx;
    t->errors = errors;
    *out = t;
    return 0;
}

void table_reader_free(table_reader *t)
{
    if (t == NULL)
        return;
    csvread_free(t->csv);
    encoding_decoder_free(&t->dec);
    free(t->rowbuf);
    free(t);
}

/* Decode buf[0..n) and parse what comes out. */
static int pump(table_reader *t, const char *buf, size_t n, bool final, hw_error *err)
{
    t->err = err != NULL ? err : &t->local_err;
    error_clear(t->err);
    const char *out;
    size_t out_len;
    int rc = encoding_decode(&t->dec, buf, n, final, &out, &out_len, t->err);
    if (rc == 0 && out_len > 0)
        rc = csvread_feed(t->csv, out, out_len, t->err);
    return rc;
}

int table_reader_feed(table_reader *t, const char *buf, size_t n, hw_error *err)
{
    return pump(t, buf, n, false, err);
}

int table_reader_finish(table_reader *t, table_result *result, hw_error *err)
{
    int rc = pump(t, NULL, 0, true, err);
    if (rc == 0)
        rc = csvread_finish(t->csv, t->err);
    if (rc == 0 && !t->have_header)
        rc = error_set(t->err, HW_EINVAL, "empty_file", "文件是空的，没有表头 (the file is empty: no header row)");
    if (rc == 0 && result != NULL) {
        result->rows = t->rows;
        result->header_line = t->header_line;
        result->encoding = encoding_decoder_kind(&t->dec);
    }
    return rc;
}

int table_read(const char *spec, encoding_kind enc, const header_column *cols, size_t ncols, table_row_fn fn, void *ctx,
               rowerr_list *errors, table_result *result, hw_error *err)
{
    error_clear(err);
    source *src = NULL;
    table_reader *t = NULL;
    char *buf = malloc(TABLE_READ_CHUNK);
    int rc = buf == NULL ? error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)") : 0;
    if (rc == 0)
        rc = source_open(spec, &src, err);
    if (rc == 0)
        rc = table_reader_new(enc, cols, ncols, fn, ctx, errors, &t, err);
    while (rc == 0) {
        size_t n;
        rc = source_read(src, buf, TABLE_READ_CHUNK, &n, err);
        if (rc != 0 || n == 0)
            break;
        rc = table_reader_feed(t, buf, n, err);
    }
    if (rc == 0)
        rc = table_reader_finish(t, result, err);
    table_reader_free(t);
    source_close(src);
    free(buf);
    return rc;
}
