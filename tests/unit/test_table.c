/*
 * test_table.c - unit tests for importers/table.c and the layers under it: header.c (column
 * mapping), encoding.c (streaming decoder, detection), source.c (files and URLs, against a
 * one-thread HTTP server on 127.0.0.1) and rowerr.c; plus bounded memory on a 200k-line file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <iconv.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rowerr.h"
#include "source.h"
#include "table.h"

#define DATA_DIR HOMEWARD_SOURCE_DIR "/tests/data"

enum { REF, NAME, ID, PHONE, EMPLOYER, DEST, EARLIEST, LATEST, PARTY, TAGS, MIGRANT, NCOLS };

/* DESIGN §6 registrations columns. */
static const header_column reg[NCOLS] = {
    {"编号", "ref", false},          {"姓名", "name", true},          {"身份证号", "id_number", true},
    {"手机号", "phone", false},      {"工作单位", "employer", false}, {"目的地", "destination", true},
    {"最早出发", "earliest", false}, {"最晚出发", "latest", false},   {"同行组", "party", false},
    {"类别", "tags", false},         {"农民工", "migrant", false},
};

static char tmpdir[64];
static int file_counter;

/* ---- helpers ---------------------------------------------------------------------------------------------- */

/* Write data[0..n) to a new file in the test's temporary folder; returns its path (static storage per call). */
static const char *write_file(const char *data, size_t n)
{
    static char paths[64][128];
    char *path = paths[file_counter % 64];
    snprintf(path, 128, "%s/f%d.csv", tmpdir, file_counter++);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static const char *write_text(const char *text)
{
    return write_file(text, strlen(text));
}

/* UTF-8 -> GB18030 with iconv, as the coordinators' Excel would have saved it. Caller frees. */
static char *to_gb18030(const char *utf8, size_t *n)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t in_left = strlen(utf8), cap = in_left * 2 + 8, out_left = cap;
    char *out = malloc(cap), *dst = out, *src = (char *)utf8;
    assert_true(iconv(cd, &src, &in_left, &dst, &out_left) != (size_t)-1);
    iconv_close(cd);
    *n = cap - out_left;
    return out;
}

#define MAX_ROWS 32

/* Rows collected by the callback: copies of the values, lines, and whether columns were present. */
typedef struct rows {
    size_t n, count;
    size_t line[MAX_ROWS];
    char *value[MAX_ROWS][NCOLS];
    bool present[NCOLS];
    size_t stop_at; /* stop with stop_rc at this row (1-based); 0 = never */
    int stop_rc;
    hw_error *err; /* when set, the callback explains its stop here */
} rows;

static int collect(const table_row *row, void *ctx)
{
    rows *r = ctx;
    assert_int_equal(row->ncols, NCOLS);
    r->count++;
    if (r->n < MAX_ROWS) {
        r->line[r->n] = row->line;
        for (size_t c = 0; c < NCOLS; c++) {
            assert_int_equal(strlen(table_get(row, c)), table_len(row, c));
            r->value[r->n][c] = strdup(table_get(row, c));
            r->present[c] = table_has(row, c);
        }
        r->n++;
    }
    if (r->stop_at == r->count) {
        if (r->err != NULL)
            return error_set(r->err, r->stop_rc, "duplicate_ref", "编号重复 (duplicate ref) at line %zu", row->line);
        return r->stop_rc;
    }
    return 0;
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (size_t c = 0; c < NCOLS; c++)
            free(r->value[i][c]);
    memset(r, 0, sizeof *r);
}

/* table_read on `path` into *r with a row-error list; returns its result. */
static int read_into(const char *path, encoding_kind enc, rows *r, rowerr_list *errs, table_result *res, hw_error *err)
{
    return table_read(path, enc, reg, NCOLS, collect, r, errs, res, err);
}

static int read_text(const char *text, rows *r, hw_error *err)
{
    return read_into(write_text(text), ENCODING_AUTO, r, NULL, NULL, err);
}

static long max_rss_kib(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

/* ---- streaming: first, so that the peak RSS is not already raised by other tests ----------------------------- */

static int count_rows(const table_row *row, void *ctx)
{
    size_t *count = ctx;
    (*count)++;
    if (row->line != *count + 1 || table_len(row, ID) != 18 || strcmp(table_get(row, DEST), "四川省巴中市平昌县") != 0)
        return HW_EINVAL;
    return 0;
}

static void test_streaming_bounded_memory(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/big.csv", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "编号,姓名,身份证号,手机号,工作单位,目的地,最早出发,最晚出发,同行组,类别,农民工\n");
    const size_t lines = 200000;
    for (size_t i = 0; i < lines; i++)
        fprintf(f,
                "R%06zu,姓名%06zu,11010519491231002X,13800138000,\"某某建筑工程有限公司第%zu项目部, 成都\","
                "四川省巴中市平昌县,2027-01-20,2027-02-05,G%zu,困难职工;老人,是\n",
                i, i, i % 97, i / 3);
    assert_int_equal(fclose(f), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 25 * 1024 * 1024); /* bigger than the allowed growth: holding it would fail */

    long before = max_rss_kib();
    size_t count = 0;
    table_result res;
    hw_error err;
    int rc = table_read(path, ENCODING_AUTO, reg, NCOLS, count_rows, &count, NULL, &res, &err);
    long growth = max_rss_kib() - before;
    unlink(path);
    if (rc != 0)
        fail_msg("%s (row %zu)", err.message, count);
    assert_int_equal(count, lines);
    assert_int_equal(res.rows, lines);
    assert_int_equal(res.encoding, ENCODING_UTF8);
    print_message("200k rows (%lld MiB): peak RSS grew by %ld KiB\n", (long long)st.st_size >> 20, growth);
    assert_true(growth < 20 * 1024);
}

/* ---- header mapping ------------------------------------------------------------------------------------------ */

static void test_header_chinese(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    table_result res;
    const char *path = write_text("编号,姓名,身份证号,目的地\nR1,张三,11010519491231002X,平昌县\n");
    assert_int_equal(read_into(path, ENCODING_AUTO, &r, NULL, &res, &err), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(res.rows, 1);
    assert_int_equal(res.header_line, 1);
    assert_int_equal(r.line[0], 2);
    assert_string_equal(r.value[0][REF], "R1");
    assert_string_equal(r.value[0][NAME], "张三");
    assert_string_equal(r.value[0][ID], "11010519491231002X");
    assert_string_equal(r.value[0][DEST], "平昌县");
    assert_string_equal(r.value[0][PHONE], ""); /* absent column */
    assert_false(r.present[PHONE]);
    assert_true(r.present[DEST]);
    rows_free(&r);
}

static void test_header_english_any_case_order(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_text("Destination,ID_NUMBER, name ,Migrant\n511923,11010519491231002X,李四,否\n", &r, &err),
                     0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.value[0][NAME], "李四");
    assert_string_equal(r.value[0][DEST], "511923");
    assert_string_equal(r.value[0][MIGRANT], "否");
    rows_free(&r);
}

static void test_header_mixed_trimmed(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    /* U+3000 and spaces around names; values trimmed the same way; blank lines before the header */
    assert_int_equal(read_text("\n\n\xE3\x80\x80姓名\xE3\x80\x80,id_number,\"  目的地 \",party\n"
                               "\xE3\x80\x80王五 ,11010519491231002X, 平昌县\xE3\x80\x80,G1\n",
                               &r, &err),
                     0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.line[0], 4);
    assert_string_equal(r.value[0][NAME], "王五");
    assert_string_equal(r.value[0][DEST], "平昌县");
    assert_string_equal(r.value[0][PARTY], "G1");
    rows_free(&r);
}

static void test_header_unknown_column(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_text("姓名,身份证号,目的地,备注\n张三,1,2,3\n", &r, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_header");
    assert_non_null(strstr(err.message, "未知的列 (unknown column) \"备注\""));
    assert_non_null(strstr(err.message, "可用的列 (allowed columns): 编号|ref, 姓名|name*"));
    assert_non_null(strstr(err.message, "农民工|migrant"));
    assert_int_equal(r.n, 0);
}

static void test_header_duplicate(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_text("姓名,身份证号,目的地,NAME\n", &r, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_header");
    assert_non_null(strstr(err.message, "(column given more than once) 姓名|name"));
    assert_null(strstr(err.message, "可用的列")); /* no unknown name, so no list */
}

static void test_header_missing_required(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_text("姓名,手机号\n张三,13800138000\n", &r, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_header");
    assert_non_null(strstr(err.message, "缺少必填列 (missing required column) 身份证号|id_number"));
    assert_non_null(strstr(err.message, "目的地|destination"));
    assert_null(strstr(err.message, "姓名|name"));
}

static void test_header_all_problems_in_one_message(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_text("姓名,name,年龄,部门,籍贯,爱好,特长\n", &r, &err), HW_EINVAL);
    assert_non_null(strstr(err.message, "\"年龄\", \"部门\", \"籍贯\", \"爱好\" 等 1 个 (and 1 more)"));
    assert_non_null(strstr(err.message, "(column given more than once) 姓名|name; 缺少必填列 (missing required column) "
                                        "身份证号|id_number, 目的地|destination; 可用的列"));
    assert_true(encoding_valid_utf8(err.message, strlen(err.message), false));
}

/* A file without a header row: nothing of the data row may appear in the message (it may be logged). */
static void test_header_missing_row_shows_no_personal_data(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_text("张三,511923198803051233,13800138000,平昌县\n", &r, &err), HW_EINVAL);
    assert_string_equal(err.code, "no_header");
    assert_non_null(strstr(err.message, "no known column name"));
    assert_null(strstr(err.message, "张三"));
    assert_null(strstr(err.message, "5119231988"));
    assert_null(strstr(err.message, "13800138000"));
    /* some names known: unknown ones are shown, long digit runs masked */
    assert_int_equal(read_text("姓名,511923198803051233,目的地\n", &r, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_header");
    assert_non_null(strstr(err.message, "\"******************\""));
    /* a GB18030 file without a header: the message says how it was read (a wrong --encoding looks the same) */
    size_t n;
    char *gb = to_gb18030("张三,平昌县\n", &n);
    assert_int_equal(read_into(write_file(gb, n), ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "no_header");
    assert_non_null(strstr(err.message, "按 gb18030 编码读取 (read as gb18030)"));
    free(gb);
}

static void test_empty_header_cells_and_field_counts(void **state)
{
    (void)state;
    rows r = {0};
    rowerr_list errs;
    rowerr_init(&errs);
    hw_error err;
    const char *path = write_text("姓名,身份证号,目的地,,\n"
                                  "张三,1,平昌县,,\n"           /* Excel's empty cells: fine */
                                  "李四,2\n"                    /* fewer fields: "" */
                                  "王五,3,巴州区,x,y\n"         /* cells under an empty name: ignored */
                                  "赵六,4,南部县,,,,oops\n"     /* beyond the header: row error */
                                  ",,,,\n"                      /* blank row: skipped */
                                  "钱七,5,平昌县,,,,,,,,,,\n"); /* only empty cells beyond: fine */
    assert_int_equal(read_into(path, ENCODING_AUTO, &r, &errs, NULL, &err), 0);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.value[1][NAME], "李四");
    assert_string_equal(r.value[1][DEST], "");
    assert_string_equal(r.value[2][NAME], "王五");
    assert_string_equal(r.value[2][DEST], "巴州区");
    assert_string_equal(r.value[3][NAME], "钱七");
    assert_int_equal(r.line[3], 7);
    assert_int_equal(rowerr_total(&errs), 1);
    assert_int_equal(errs.entries[0].line, 5);
    assert_non_null(strstr(errs.entries[0].reason, "7 fields but the header has 5"));
    assert_string_equal(errs.entries[0].value, "");
    rows_free(&r);
    rowerr_free(&errs);
    /* without a list, such a row stops the read */
    assert_int_equal(read_into(path, ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "too_many_fields");
    assert_non_null(strstr(err.message, "line 5"));
    rows_free(&r);
}

static void test_callback_stops_reading(void **state)
{
    (void)state;
    const char *path = write_text("姓名,身份证号,目的地\na,1,x\nb,2,y\nc,3,z\n");
    hw_error err;
    rows r = {.stop_at = 2, .stop_rc = HW_ECONFLICT, .err = &err};
    assert_int_equal(read_into(path, ENCODING_AUTO, &r, NULL, NULL, &err), HW_ECONFLICT);
    assert_int_equal(r.count, 2);
    assert_string_equal(err.code, "duplicate_ref");
    assert_non_null(strstr(err.message, "line 3"));
    rows_free(&r);
    rows r2 = {.stop_at = 1, .stop_rc = HW_EINVAL};
    assert_int_equal(read_into(path, ENCODING_AUTO, &r2, NULL, NULL, &err), HW_EINVAL);
    assert_int_equal(r2.count, 1);
    assert_string_equal(err.code, "stopped");
    assert_non_null(strstr(err.message, "line 2"));
    rows_free(&r2);
}

static void test_empty_file(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_text("", &r, &err), HW_EINVAL);
    assert_string_equal(err.code, "empty_file");
    assert_int_equal(read_text("\r\n\r\n,,,\r\n", &r, &err), HW_EINVAL);
    assert_string_equal(err.code, "empty_file");
}

/* ---- encodings ----------------------------------------------------------------------------------------------- */

static void test_gb18030_generated(void **state)
{
    (void)state;
    /* 䶮 and 㐀 are outside GBK (4-byte or PUA-mapped in GB18030), 😀 is 4-byte */
    const char *text = "姓名,身份证号,目的地,类别\r\n刘䶮,11010519491231002X,四川省巴中市平昌县,老人\r\n"
                       "㐀明,1,\"巴中市\r\n巴州区\",😀\r\n";
    size_t n;
    char *gb = to_gb18030(text, &n);
    const char *path = write_file(gb, n);
    encoding_kind kinds[] = {ENCODING_AUTO, ENCODING_GB18030};
    for (size_t k = 0; k < 2; k++) {
        rows r = {0};
        hw_error err;
        table_result res;
        if (read_into(path, kinds[k], &r, NULL, &res, &err) != 0)
            fail_msg("%s", err.message);
        assert_int_equal(res.encoding, ENCODING_GB18030);
        assert_int_equal(r.n, 2);
        assert_string_equal(r.value[0][NAME], "刘䶮");
        assert_string_equal(r.value[0][DEST], "四川省巴中市平昌县");
        assert_string_equal(r.value[1][NAME], "㐀明");
        assert_string_equal(r.value[1][DEST], "巴中市\r\n巴州区");
        assert_string_equal(r.value[1][TAGS], "😀");
        assert_int_equal(r.line[1], 3);
        rows_free(&r);
    }
    /* forced UTF-8 on a GB18030 file: the line, and the hint */
    rows r = {0};
    hw_error err;
    assert_int_equal(read_into(path, ENCODING_UTF8, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_encoding");
    assert_non_null(strstr(err.message, "第 1 行"));
    assert_non_null(strstr(err.message, "--encoding gb18030"));
    free(gb);
}

static void test_gb18030_fixture(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    table_result res;
    if (read_into(DATA_DIR "/registrations-gb18030.csv", ENCODING_AUTO, &r, NULL, &res, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(res.encoding, ENCODING_GB18030);
    assert_int_equal(res.rows, 5);
    assert_string_equal(r.value[0][NAME], "张三");
    assert_string_equal(r.value[0][DEST], "四川省巴中市平昌县");
    assert_string_equal(r.value[0][TAGS], "困难职工");
    assert_string_equal(r.value[1][EMPLOYER], "成都某某服务有限公司,武侯分公司");
    assert_string_equal(r.value[1][LATEST], "");
    assert_string_equal(r.value[2][NAME], "买买提·艾力");
    assert_string_equal(r.value[2][TAGS], "劳模;老人");
    assert_string_equal(r.value[2][MIGRANT], "否");
    assert_string_equal(r.value[3][EMPLOYER], "成都\"电子\"厂");
    assert_string_equal(r.value[4][NAME], "刘䶮");
    assert_int_equal(r.line[4], 6);
    for (size_t c = 0; c < NCOLS; c++)
        assert_true(r.present[c]);
    rows_free(&r);
}

static void test_utf8_bom_fixture(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    table_result res;
    encoding_kind kinds[] = {ENCODING_AUTO, ENCODING_UTF8};
    for (size_t k = 0; k < 2; k++) {
        if (read_into(DATA_DIR "/registrations-utf8-bom.csv", kinds[k], &r, NULL, &res, &err) != 0)
            fail_msg("%s", err.message);
        assert_int_equal(res.encoding, ENCODING_UTF8);
        assert_int_equal(r.n, 2);
        assert_string_equal(r.value[0][REF], "R101"); /* the BOM did not stick to the first name */
        assert_string_equal(r.value[0][NAME], "孙七");
        assert_string_equal(r.value[1][DEST], "四川省巴中市平昌县");
        assert_string_equal(r.value[1][PARTY], "G2");
        rows_free(&r);
    }
    assert_int_equal(read_into(DATA_DIR "/registrations-utf8-bom.csv", ENCODING_GB18030, &r, NULL, NULL, &err),
                     HW_EINVAL);
    assert_string_equal(err.code, "bom_mismatch");
}

/* Build a file: `ascii_lines` lines of ASCII data, then the given tail. */
static char *ascii_then(size_t ascii_lines, const char *header, const char *tail, size_t tail_len, size_t *n)
{
    size_t cap = strlen(header) + ascii_lines * 48 + tail_len + 1, len = 0;
    char *buf = malloc(cap);
    len += (size_t)snprintf(buf, cap, "%s", header);
    for (size_t i = 0; i < ascii_lines; i++)
        len += (size_t)snprintf(buf + len, cap - len, "Zhang San %zu,11010519491231002X,511923\n", i);
    memcpy(buf + len, tail, tail_len);
    *n = len + tail_len;
    return buf;
}

static void test_auto_detection(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    table_result res;
    /* UTF-8 without BOM */
    assert_int_equal(
        read_into(write_text("姓名,身份证号,目的地\n张三,1,平昌县\n"), ENCODING_AUTO, &r, NULL, &res, &err), 0);
    assert_int_equal(res.encoding, ENCODING_UTF8);
    rows_free(&r);
    /* more than 64 KiB of ASCII before the first Chinese character, which is GB18030 */
    size_t tail_len, n;
    char *tail = to_gb18030("王五,11010519491231002X,四川省巴中市平昌县\n", &tail_len);
    char *data = ascii_then(3000, "name,id_number,destination\n", tail, tail_len, &n);
    assert_true(n > ENCODING_SNIFF_BYTES + 1000);
    if (read_into(write_file(data, n), ENCODING_AUTO, &r, NULL, &res, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(res.encoding, ENCODING_GB18030);
    assert_int_equal(res.rows, 3001);
    rows_free(&r);
    free(data);
    free(tail);
    /* all ASCII */
    assert_int_equal(read_into(write_text("name,id_number,destination\na,b,c"), ENCODING_AUTO, &r, NULL, &res, &err),
                     0);
    assert_int_equal(res.encoding, ENCODING_UTF8);
    rows_free(&r);
    /* not CSV at all */
    assert_int_equal(read_into(write_file("PK\x03\x04\x14\x00\x06\x00rest", 12), ENCODING_AUTO, &r, NULL, NULL, &err),
                     HW_EINVAL);
    assert_string_equal(err.code, "not_text");
    assert_non_null(strstr(err.message, ".xlsx"));
    assert_int_equal(read_into(write_file("\xFF\xFEn\0a\0m\0e\0", 10), ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
    assert_non_null(strstr(err.message, "UTF-16"));
    assert_int_equal(read_into(write_file("name,id\n\0\0\n", 11), ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "not_text");
    assert_non_null(strstr(err.message, "line 2"));
}

static void test_utf8_bad_byte_reports_line(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    /* small file, forced UTF-8, a GB18030 name on line 4 */
    size_t gb_len;
    char *gb = to_gb18030("李四", &gb_len);
    char small[256];
    int len = snprintf(small, sizeof small, "姓名,身份证号,目的地\n张三,1,平昌县\n\"王\n五\",2,x\n%.*s,3,y\n",
                       (int)gb_len, gb);
    assert_int_equal(read_into(write_file(small, (size_t)len), ENCODING_UTF8, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_encoding");
    assert_non_null(strstr(err.message, "第 5 行"));
    assert_non_null(strstr(err.message, "line 5"));
    assert_non_null(strstr(err.message, "--encoding gb18030"));
    rows_free(&r);
    /* AUTO: UTF-8 Chinese in the first 64 KiB decides UTF-8; a GB18030 name on line 3002 then fails there */
    size_t n;
    char tail[64];
    int tail_len = snprintf(tail, sizeof tail, "%.*s,11010519491231002X,511923\n", (int)gb_len, gb);
    char *data = ascii_then(3000, "姓名,身份证号,目的地\n", tail, (size_t)tail_len, &n);
    assert_int_equal(read_into(write_file(data, n), ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_encoding");
    assert_non_null(strstr(err.message, "line 3002"));
    assert_non_null(strstr(err.message, "probably GB18030"));
    assert_true(r.count <= 3000); /* rows before it may have been passed on: imports are all-or-nothing anyway */
    rows_free(&r);
    free(data);
    free(gb);
}

/* The streaming decoder gives the same text whatever the chunk size, multi-byte characters cut or not. */
static void test_decoder_chunk_boundaries(void **state)
{
    (void)state;
    const char *text = "a,张三,㐀,😀,b\r\n䶮,\"x\ny\",平昌县\n";
    size_t n;
    char *gb = to_gb18030(text, &n);
    const char *inputs[] = {text, gb};
    size_t lens[] = {strlen(text), n};
    for (size_t k = 0; k < 2; k++) {
        for (size_t chunk = 1; chunk <= lens[k]; chunk++) {
            encoding_decoder dec;
            encoding_decoder_init(&dec, k == 0 ? ENCODING_UTF8 : ENCODING_GB18030);
            char got[256];
            size_t got_len = 0;
            hw_error err;
            for (size_t i = 0; i <= lens[k]; i += chunk) {
                size_t len = lens[k] - i < chunk ? lens[k] - i : chunk;
                const char *out;
                size_t out_len;
                assert_int_equal(encoding_decode(&dec, inputs[k] + i, len, i + len == lens[k], &out, &out_len, &err),
                                 0);
                assert_true(got_len + out_len < sizeof got);
                memcpy(got + got_len, out, out_len);
                got_len += out_len;
                if (i + len == lens[k])
                    break;
            }
            encoding_decoder_free(&dec);
            assert_int_equal(got_len, strlen(text));
            assert_memory_equal(got, text, got_len);
        }
    }
    /* a file that ends inside a character */
    encoding_decoder dec;
    encoding_decoder_init(&dec, ENCODING_GB18030);
    const char *out;
    size_t out_len;
    hw_error err;
    assert_int_equal(encoding_decode(&dec, gb, 3, 1, &out, &out_len, &err), HW_EINVAL);
    assert_non_null(strstr(err.message, "ends inside"));
    encoding_decoder_free(&dec);
    free(gb);
}

/* ---- sources ------------------------------------------------------------------------------------------------- */

static void test_missing_file_and_directory(void **state)
{
    (void)state;
    rows r = {0};
    hw_error err;
    assert_int_equal(read_into("/nonexistent/registrations.csv", ENCODING_AUTO, &r, NULL, NULL, &err), HW_EIO);
    assert_string_equal(err.code, "not_found");
    assert_non_null(strstr(err.message, "文件不存在 (no such file): /nonexistent/registrations.csv"));
    assert_int_equal(read_into(tmpdir, ENCODING_AUTO, &r, NULL, NULL, &err), HW_EIO);
    assert_string_equal(err.code, "not_a_file");
    assert_int_equal(read_into("", ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
    assert_int_equal(read_into("ftp://example.org/x.csv", ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
    assert_string_equal(err.code, "bad_source");
    assert_int_equal(read_into("file:///etc/passwd", ENCODING_AUTO, &r, NULL, NULL, &err), HW_EINVAL);
}

static void test_display_name(void **state)
{
    (void)state;
    char out[64];
    source_display_name("https://user:pa@ss@example.org:8443/a/b.csv?token=secret#x", out, sizeof out);
    assert_string_equal(out, "https://example.org:8443/a/b.csv");
    source_display_name("HTTP://example.org?x=1", out, sizeof out);
    assert_string_equal(out, "HTTP://example.org");
    source_display_name("/data/报名表.csv", out, sizeof out);
    assert_string_equal(out, "/data/报名表.csv");
    source_display_name("/data/一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十.csv", out, sizeof out);
    assert_true(strlen(out) < sizeof out);
    assert_true(encoding_valid_utf8(out, strlen(out), false));
    assert_non_null(strstr(out, "..."));
}

/* A tiny HTTP server: one thread, one connection at a time, canned answers by path. */
typedef struct http_server {
    int fd;
    int port;
    pthread_t thread;
    int requests;
} http_server;

static const char ok_csv[] =
    "姓名,身份证号,目的地\r\n张三,11010519491231002X,平昌县\r\n李四,511923198803051233,巴州区\r\n";

static void send_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, buf, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        buf += k;
        n -= (size_t)k;
    }
}

static void answer(int fd, const char *path)
{
    char head[512];
    int n;
    if (strncmp(path, "/ok.csv", 7) == 0) {
        n = snprintf(head, sizeof head,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     sizeof ok_csv - 1);
        send_all(fd, head, (size_t)n);
        send_all(fd, ok_csv, sizeof ok_csv - 1);
    } else if (strcmp(path, "/redirect") == 0) {
        n = snprintf(head, sizeof head,
                     "HTTP/1.1 302 Found\r\nLocation: /ok.csv?token=secret\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n");
        send_all(fd, head, (size_t)n);
    } else if (strcmp(path, "/huge.csv") == 0) {
        n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: 300000000\r\nConnection: close\r\n\r\n");
        send_all(fd, head, (size_t)n);
    } else {
        n = snprintf(head, sizeof head,
                     "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
                     "not found");
        send_all(fd, head, (size_t)n);
    }
}

static void *serve(void *arg)
{
    http_server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL; /* shutdown() by the test */
        char req[4096];
        size_t len = 0;
        while (len < sizeof req - 1) {
            ssize_t k = recv(c, req + len, sizeof req - 1 - len, 0);
            if (k <= 0)
                break;
            len += (size_t)k;
            req[len] = '\0';
            if (strstr(req, "\r\n\r\n") != NULL)
                break;
        }
        req[len] = '\0';
        char path[256] = "";
        if (sscanf(req, "GET %255s", path) == 1)
            answer(c, path);
        s->requests++;
        close(c);
    }
}

static void server_start(http_server *s)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&addr, &alen), 0);
    s->port = ntohs(addr.sin_port);
    s->requests = 0;
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(http_server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->fd);
}

static void test_url_source(void **state)
{
    (void)state;
    http_server s;
    server_start(&s);
    char url[256];
    rows r = {0};
    hw_error err;
    table_result res;

    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok.csv?token=secret", s.port);
    if (read_into(url, ENCODING_AUTO, &r, NULL, &res, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(res.rows, 2);
    assert_string_equal(r.value[1][NAME], "李四");
    assert_int_equal(r.line[1], 3);
    rows_free(&r);

    snprintf(url, sizeof url, "http://someone:pw@127.0.0.1:%d/ok.csv?token=secret", s.port);
    source *src;
    assert_int_equal(source_open(url, &src, &err), 0);
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/ok.csv", s.port);
    assert_string_equal(source_name(src), want);
    char buf[16];
    size_t n, total = 0;
    do {
        assert_int_equal(source_read(src, buf, sizeof buf, &n, &err), 0);
        total += n;
    } while (n > 0);
    assert_int_equal(total, sizeof ok_csv - 1);
    source_close(src);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/redirect", s.port);
    assert_int_equal(read_into(url, ENCODING_AUTO, &r, NULL, &res, &err), 0);
    assert_int_equal(res.rows, 2);
    rows_free(&r);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/missing.csv?token=secret", s.port);
    assert_int_equal(read_into(url, ENCODING_AUTO, &r, NULL, NULL, &err), HW_EIO);
    assert_string_equal(err.code, "http_status");
    assert_non_null(strstr(err.message, "404"));
    assert_null(strstr(err.message, "secret"));

    snprintf(url, sizeof url, "http://127.0.0.1:%d/huge.csv", s.port);
    assert_int_equal(read_into(url, ENCODING_AUTO, &r, NULL, NULL, &err), HW_ETOOBIG);
    assert_string_equal(err.code, "too_big");
    assert_non_null(strstr(err.message, "256 MiB"));
    server_stop(&s);
    assert_int_equal(s.requests, 6);

    /* nobody listens there any more */
    assert_int_equal(read_into(url, ENCODING_AUTO, &r, NULL, NULL, &err), HW_EIO);
    assert_string_equal(err.code, "download_failed");
}

/* ---- row errors ---------------------------------------------------------------------------------------------- */

static void test_rowerr_format_and_json(void **state)
{
    (void)state;
    rowerr_list l;
    rowerr_init(&l);
    assert_int_equal(rowerr_add(&l, 12, &reg[ID], "5119**********123X", "校验位不符 (check character mismatch)"), 0);
    assert_int_equal(rowerr_addf(&l, 13, NULL, "", "有 %d 个字段 (%d fields)", 7, 7), 0);
    assert_int_equal(rowerr_add(&l, 14, &reg[DEST], "火星\n", "找不到这个地方"), 0);
    char line[512];
    rowerr_format(&l.entries[0], line, sizeof line);
    assert_string_equal(line,
                        "第 12 行 身份证号 \"5119**********123X\": 校验位不符 (line 12, id_number: check character "
                        "mismatch)");
    rowerr_format(&l.entries[1], line, sizeof line);
    assert_string_equal(line, "第 13 行: 有 7 个字段 (line 13: 7 fields)");
    rowerr_format(&l.entries[2], line, sizeof line);
    assert_string_equal(line, "第 14 行 目的地 \"火星 \": 找不到这个地方 (line 14, destination)");

    json_t *j = rowerr_to_json(&l);
    assert_non_null(j);
    char *s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "[{\"line\":12,\"column\":\"id_number\",\"column_zh\":\"身份证号\",\"value\":"
                           "\"5119**********123X\",\"reason\":\"校验位不符 (check character mismatch)\"},"
                           "{\"line\":13,\"column\":null,\"column_zh\":null,\"value\":\"\",\"reason\":"
                           "\"有 7 个字段 (7 fields)\"},{\"line\":14,\"column\":\"destination\",\"column_zh\":"
                           "\"目的地\",\"value\":\"火星 \",\"reason\":\"找不到这个地方\"}]");
    free(s);
    json_decref(j);
    rowerr_free(&l);
}

static void test_rowerr_bounded_and_clean(void **state)
{
    (void)state;
    rowerr_list l;
    rowerr_init(&l);
    char longval[400];
    memset(longval, 'x', sizeof longval - 1);
    longval[sizeof longval - 1] = '\0';
    longval[97] = '\xE5'; /* a cut-off character and invalid bytes must not survive */
    for (size_t i = 0; i < 1500; i++)
        assert_int_equal(rowerr_add(&l, i + 2, &reg[NAME], i == 0 ? longval : "bad\xFF", "不对 (wrong)"), 0);
    assert_int_equal(l.kept, ROWERR_MAX_KEPT);
    assert_int_equal(rowerr_total(&l), 1500);
    assert_true(encoding_valid_utf8(l.entries[0].value, strlen(l.entries[0].value), false));
    assert_true(strlen(l.entries[0].value) < sizeof l.entries[0].value);
    assert_non_null(strstr(l.entries[0].value, "…"));
    assert_string_equal(l.entries[1].value, "bad?");
    json_t *j = rowerr_to_json(&l);
    assert_int_equal(json_array_size(j), ROWERR_MAX_KEPT);
    json_decref(j);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    rowerr_print(&l, f);
    fclose(f);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, ROWERR_MAX_KEPT + 1);
    assert_non_null(strstr(text, "另有 500 处错误未列出 (500 more errors not listed)\n"));
    free(text);
    rowerr_free(&l);
    assert_int_equal(rowerr_total(&l), 0);
}

/* ---- the I/O-free reader, fed byte by byte ------------------------------------------------------------------- */

static void test_reader_without_io(void **state)
{
    (void)state;
    size_t n;
    char *gb = to_gb18030("\r\n身份证号,姓名,目的地\r\n1,\"张\r\n三\",平昌县\r\n2,李四,巴州区", &n);
    rows r = {0};
    hw_error err;
    table_reader *t;
    assert_int_equal(table_reader_new(ENCODING_AUTO, reg, NCOLS, collect, &r, NULL, &t, &err), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(table_reader_feed(t, gb + i, 1, &err), 0);
    table_result res;
    assert_int_equal(table_reader_finish(t, &res, &err), 0);
    table_reader_free(t);
    assert_int_equal(res.header_line, 2);
    assert_int_equal(res.rows, 2);
    assert_int_equal(res.encoding, ENCODING_GB18030);
    assert_string_equal(r.value[0][NAME], "张\r\n三");
    assert_int_equal(r.line[0], 3);
    assert_int_equal(r.line[1], 5);
    assert_string_equal(r.value[1][ID], "2");
    rows_free(&r);
    free(gb);
    assert_int_equal(table_reader_new(ENCODING_AUTO, reg, 0, collect, &r, NULL, &t, &err), HW_EINVAL);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hw-test-table-XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    for (int i = 0; i < file_counter; i++) {
        snprintf(path, sizeof path, "%s/f%d.csv", tmpdir, i);
        unlink(path);
    }
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streaming_bounded_memory),
        cmocka_unit_test(test_header_chinese),
        cmocka_unit_test(test_header_english_any_case_order),
        cmocka_unit_test(test_header_mixed_trimmed),
        cmocka_unit_test(test_header_unknown_column),
        cmocka_unit_test(test_header_duplicate),
        cmocka_unit_test(test_header_missing_required),
        cmocka_unit_test(test_header_all_problems_in_one_message),
        cmocka_unit_test(test_header_missing_row_shows_no_personal_data),
        cmocka_unit_test(test_empty_header_cells_and_field_counts),
        cmocka_unit_test(test_callback_stops_reading),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_gb18030_generated),
        cmocka_unit_test(test_gb18030_fixture),
        cmocka_unit_test(test_utf8_bom_fixture),
        cmocka_unit_test(test_auto_detection),
        cmocka_unit_test(test_utf8_bad_byte_reports_line),
        cmocka_unit_test(test_decoder_chunk_boundaries),
        cmocka_unit_test(test_missing_file_and_directory),
        cmocka_unit_test(test_display_name),
        cmocka_unit_test(test_url_source),
        cmocka_unit_test(test_rowerr_format_and_json),
        cmocka_unit_test(test_rowerr_bounded_and_clean),
        cmocka_unit_test(test_reader_without_io),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
