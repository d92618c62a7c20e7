/* fuzz_csv.c - libFuzzer harness: arbitrary bytes through the decoder, csvread, header_map and row assembly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "rowerr.h"
#include "table.h"

/* The registrations columns of DESIGN §6, kept here so the harness does not depend on the mapper. */
static const header_column registrations[] = {
    {"编号", "ref", false},          {"姓名", "name", true},          {"身份证号", "id_number", true},
    {"手机号", "phone", false},      {"工作单位", "employer", false}, {"目的地", "destination", true},
    {"最早出发", "earliest", false}, {"最晚出发", "latest", false},   {"同行组", "party", false},
    {"类别", "tags", false},         {"农民工", "migrant", false},
};
#define NCOLS (sizeof registrations / sizeof registrations[0])

/* abort() rather than assert(): the invariants must hold in NDEBUG builds too. */
static void require(int ok)
{
    if (!ok)
        abort();
}

struct state {
    size_t last_line;
    size_t rows;
    rowerr_list *errors;
};

/* Every row: lines go forward, values are clean UTF-8 of the stated length, absent columns read "". */
static int on_row(const table_row *row, void *ctx)
{
    struct state *st = ctx;
    require(row->line > st->last_line);
    require(row->ncols == NCOLS);
    st->last_line = row->line;
    st->rows++;
    for (size_t c = 0; c < NCOLS; c++) {
        const char *v = table_get(row, c);
        require(strlen(v) == table_len(row, c));
        require(encoding_valid_utf8(v, table_len(row, c), false));
        require(table_has(row, c) || table_len(row, c) == 0);
        require(table_len(row, c) <= 8192);
    }
    if (table_len(row, 1) > 0)
        rowerr_add(st->errors, row->line, &registrations[1], table_get(row, 1), "测试 (test)");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const encoding_kind kinds[] = {ENCODING_AUTO, ENCODING_UTF8, ENCODING_GB18030, ENCODING_AUTO};
    encoding_kind kind = size > 0 ? kinds[data[0] & 3] : ENCODING_AUTO;
    size_t chunk = size > 1 ? 1 + (size_t)data[1] * 37 : 1; /* 1 .. 9436: splits land everywhere */
    rowerr_list errors;
    rowerr_init(&errors);
    struct state st = {0, 0, &errors};
    table_reader *t;
    hw_error err;
    require(table_reader_new(kind, registrations, NCOLS, on_row, &st, &errors, &t, &err) == 0);
    int rc = 0;
    for (size_t i = 0; i < size && rc == 0; i += chunk)
        rc = table_reader_feed(t, (const char *)data + i, size - i < chunk ? size - i : chunk, &err);
    table_result result;
    if (rc == 0)
        rc = table_reader_finish(t, &result, &err);
    if (rc == 0) {
        require(result.rows >= st.rows);
        require(result.encoding != ENCODING_AUTO);
    } else {
        require(rc < 0 && err.rc == rc && err.code[0] != '\0');
        require(encoding_valid_utf8(err.message, strlen(err.message), false));
    }
    table_reader_free(t);
    json_t *json = rowerr_to_json(&errors);
    require(json != NULL && json_array_size(json) == errors.kept);
    json_decref(json);
    char line[1024];
    for (size_t i = 0; i < errors.kept; i++)
        require(rowerr_format(&errors.entries[i], line, sizeof line) > 0);
    rowerr_free(&errors);
    return 0;
}
