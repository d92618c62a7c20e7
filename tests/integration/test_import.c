/* test_import.c - homeward import end to end: examples, the bad-file matrix, encodings, URLs, POST /imports. */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define MAX_DBS 8
#define NIDS 100
#define FP_MAX (256 * 1024)

static const char *const kinds[] = {"registrations", "transports", "purchases", "subsidies"};

/* The source tree (ending in '/'), found from this file's path or the binary's. */
static char root[4096];

/* Valid id numbers for the files this test writes, and one with a wrong check character. */
static char ids[NIDS][19];
static char bad_check[19];

/* Each test's databases: one harness (temp dir + db) per database, all freed in teardown. */
typedef struct fixture {
    harness *h[MAX_DBS];
    int n;
} fixture;

/* One CLI run: exit code and captured output (freed by run_free). */
typedef struct run {
    int code;
    char *out, *err;
} run;

/* ---------- setup ---------- */

static bool file_exists(const char *dir, const char *rel)
{
    char path[4200];
    snprintf(path, sizeof path, "%s%s", dir, rel);
    return access(path, R_OK) == 0;
}

/* root from CMake's HOMEWARD_SOURCE_DIR, else __FILE__ (CMake passes absolute paths), else above build/homeward. */
static int find_root(void)
{
#ifdef HOMEWARD_SOURCE_DIR
    snprintf(root, sizeof root, "%s/", HOMEWARD_SOURCE_DIR);
    if (file_exists(root, "docs/examples/registrations.csv"))
        return 0;
#endif
    const char *suffix = "tests/integration/test_import.c";
    const char *me = __FILE__;
    size_t n = strlen(me), s = strlen(suffix);
    if (me[0] == '/' && n > s && strcmp(me + n - s, suffix) == 0) {
        snprintf(root, sizeof root, "%.*s", (int)(n - s), me);
        if (file_exists(root, "docs/examples/registrations.csv"))
            return 0;
    }
    snprintf(root, sizeof root, "%s", harness_binary());
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(root, '/');
        if (slash == NULL)
            return -1;
        *slash = '\0';
    }
    strncat(root, "/", sizeof root - strlen(root) - 1);
    return file_exists(root, "docs/examples/registrations.csv") ? 0 : -1;
}

/* An 18-character id number with a correct GB 11643 check character from its first 17 digits. */
static void make_id(const char *first17, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char checks[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weights[i];
    memcpy(out, first17, 17);
    out[17] = checks[sum % 11];
    out[18] = '\0';
}

static void make_ids(void)
{
    char body[18];
    for (int i = 0; i < NIDS; i++) {
        snprintf(body, sizeof body, "511923%04d%02d%02d%03d", 1960 + i % 40, 1 + i % 12, 1 + i % 28, 101 + i);
        make_id(body, ids[i]);
    }
    make_id("51172219830630443", bad_check);
    bad_check[17] = bad_check[17] == '1' ? '2' : '1'; /* any other check character is wrong */
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    *state = f;
    return f != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (int i = 0; f != NULL && i < f->n; i++)
        harness_free(f->h[i]);
    free(f);
    return 0;
}

/* ---------- helpers ---------- */

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* No 11 or more consecutive digits (a full id number or mobile) and none of our id numbers in `text`. */
static void assert_masked(const char *text, const char *where)
{
    size_t digits = 0;
    for (const char *p = text; *p != '\0'; p++) {
        digits = isdigit((unsigned char)*p) ? digits + 1 : 0;
        if (digits >= 11)
            fail_msg("%s shows an unmasked number near: %.60s", where, p - 10);
    }
    for (int i = 0; i < NIDS; i++)
        if (strstr(text, ids[i]) != NULL)
            fail_msg("%s shows the full id number #%d", where, i);
    if (strstr(text, bad_check) != NULL)
        fail_msg("%s shows the full (bad) id number", where);
}

/* `homeward --db DB ARGS...` (NULL-terminated); asserts it ran and that its output shows no personal number. */
static run cli(harness *h, ...)
{
    const char *args[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, h);
    for (const char *a = va_arg(ap, const char *); a != NULL && n < 31; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    run r = {-1, NULL, NULL};
    if (harness_run_argv(h, true, args, &r.code, &r.out, &r.err) < 0)
        fail_msg("homeward %s %s did not run", args[0], n > 1 ? args[1] : "");
    assert_non_null(r.out);
    assert_non_null(r.err);
    assert_masked(r.out, "stdout");
    assert_masked(r.err, "stderr");
    return r;
}

/* A fresh database with unit 510100 and the campaign 2026-12-22..2027-02-16 (the example files' window). */
static harness *fresh_db(fixture *f)
{
    assert_true(f->n < MAX_DBS);
    harness *h = harness_new();
    assert_non_null(h);
    f->h[f->n++] = h;
    run r = cli(h, "init", "--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign", "2027年元旦春节送温暖",
                "--from", "2026-12-22", "--to", "2027-02-16", NULL);
    if (r.code != 0)
        fail_msg("init exited %d: %s", r.code, r.err);
    run_free(&r);
    return h;
}

static void assert_contains(const char *text, const char *needle, const char *what)
{
    if (strstr(text, needle) == NULL)
        fail_msg("%s: expected \"%s\" in:\n%s", what, needle, text);
}

static void assert_lacks(const char *text, const char *needle, const char *what)
{
    if (strstr(text, needle) != NULL)
        fail_msg("%s: did not expect \"%s\" in:\n%s", what, needle, text);
}

/* How many lines of `text` start with `prefix`. */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *p = text; p != NULL && *p != '\0';) {
        if (strncmp(p, prefix, len) == 0)
            n++;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return n;
}

/* How many times `needle` occurs in `text`. */
static int count_occurrences(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    buf[size] = '\0';
    if (len != NULL)
        *len = (size_t)size;
    return buf;
}

/* An example file's path: docs/examples/[SUB/]KIND.csv. Static buffer. */
static const char *example(const char *sub, const char *kind)
{
    static char path[4200];
    snprintf(path, sizeof path, "%sdocs/examples/%s%s%s.csv", root, sub, sub[0] ? "/" : "", kind);
    return path;
}

/* Data rows of a CSV without quoted line breaks: non-blank lines minus the header. */
static long data_rows(const char *path)
{
    char *text = read_all(path, NULL);
    long lines = 0;
    bool blank = true;
    for (const char *p = text;; p++) {
        if (*p == '\n' || *p == '\0') {
            lines += blank ? 0 : 1;
            blank = true;
            if (*p == '\0')
                break;
        } else if (*p != '\r' && *p != ' ') {
            blank = false;
        }
    }
    free(text);
    return lines - 1;
}

/* Write `len` bytes to harness_dir(h)/name; the path goes to `path`. */
static void write_file(harness *h, const char *name, const char *data, size_t len, char path[512])
{
    snprintf(path, 512, "%s/%s", harness_dir(h), name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static long count(harness *h, const char *table)
{
    char sql[128], out[32];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    assert_int_equal(harness_sql_text(h, sql, out, sizeof out), 0);
    return atol(out);
}

/* Everything the imports can write, ids excluded: equal fingerprints mean the same stored records. Malloc'ed. */
static char *fingerprint(harness *h)
{
    static const char sql[] =
        "SELECT 'R:' || coalesce((SELECT group_concat(x, char(10)) FROM (SELECT coalesce(ref,'')||'|'||name||'|'||"
        "id_masked||'|'||coalesce(phone_masked,'')||'|'||coalesce(employer,'')||'|'||destination||'|'||"
        "coalesce(earliest,'')||'|'||coalesce(latest,'')||'|'||coalesce(party,'')||'|'||tags||'|'||migrant||'|'||"
        "status AS x FROM registrations ORDER BY id)), '')"
        " || ' T:' || coalesce((SELECT group_concat(x, char(10)) FROM (SELECT ref||'|'||kind||'|'||coalesce(label,'')"
        "||'|'||capacity||'|'||depart_at||'|'||coalesce(origin,'')||'|'||stops||'|'||coalesce(cost_fen,'')||'|'||"
        "status AS x FROM transports ORDER BY id)), '')"
        " || ' P:' || coalesce((SELECT group_concat(x, char(10)) FROM (SELECT registration_id||'|'||mode||'|'||service"
        "||'|'||travel_date||'|'||coalesce(fare_fen,'')||'|'||refunded AS x FROM purchases ORDER BY id)), '')"
        " || ' S:' || coalesce((SELECT group_concat(x, char(10)) FROM (SELECT employer||'|'||amount_fen||'|'||"
        "coalesce(people,'')||'|'||date AS x FROM subsidies ORDER BY id)), '')";
    char *out = malloc(FP_MAX);
    assert_non_null(out);
    assert_int_equal(harness_sql_text(h, sql, out, FP_MAX), 0);
    assert_true(strlen(out) < FP_MAX - 1);
    return out;
}

/* Counts and id sums of the four tables plus the fingerprint: the database's state as far as imports go. */
static char *snapshot(harness *h)
{
    char sums[512];
    assert_int_equal(harness_sql_text(h,
                                      "SELECT (SELECT count(*)||':'||total(id) FROM registrations)||' '||"
                                      "(SELECT count(*)||':'||total(id) FROM transports)||' '||"
                                      "(SELECT count(*)||':'||total(id) FROM purchases)||' '||"
                                      "(SELECT count(*)||':'||total(id) FROM subsidies)",
                                      sums, sizeof sums),
                     0);
    char *fp = fingerprint(h);
    size_t n = strlen(sums) + strlen(fp) + 4;
    char *all = malloc(n);
    assert_non_null(all);
    snprintf(all, n, "%s | %s", sums, fp);
    free(fp);
    return all;
}

static void assert_same_snapshot(const char *before, const char *after, const char *what)
{
    if (strcmp(before, after) != 0)
        fail_msg("%s changed the database:\nbefore: %.400s\nafter:  %.400s", what, before, after);
}

/* `template` with @NN replaced by ids[NN] and @BC by the id with the wrong check character. Malloc'ed. */
static char *expand(const char *template)
{
    size_t cap = strlen(template) * 10 + 1, o = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (const char *p = template; *p != '\0';) {
        if (p[0] == '@' && p[1] == 'B' && p[2] == 'C') {
            memcpy(out + o, bad_check, 18);
            o += 18;
            p += 3;
        } else if (p[0] == '@' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
            memcpy(out + o, ids[(p[1] - '0') * 10 + (p[2] - '0')], 18);
            o += 18;
            p += 3;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

/* iconv(3) `in` from UTF-8 to GB18030. Malloc'ed, length in *out_len. */
static char *to_gb18030(const char *in, size_t in_len, size_t *out_len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t cap = in_len * 2 + 16, left = cap;
    char *out = malloc(cap), *dst = out, *src = (char *)in;
    size_t src_left = in_len;
    assert_non_null(out);
    if (iconv(cd, &src, &src_left, &dst, &left) == (size_t)-1)
        fail_msg("iconv to GB18030: %s", strerror(errno));
    iconv_close(cd);
    *out_len = cap - left;
    return out;
}

/* Replace every "\n" of `lf` by "\r\n". Malloc'ed. */
static char *to_crlf(const char *lf)
{
    char *out = malloc(strlen(lf) * 2 + 1), *o = out;
    assert_non_null(out);
    for (const char *p = lf; *p != '\0'; p++) {
        if (*p == '\n')
            *o++ = '\r';
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

static void import_ok(harness *h, const char *kind, const char *path, long want_rows)
{
    run r = cli(h, "import", kind, path, NULL);
    if (r.code != 0)
        fail_msg("import %s %s exited %d:\n%s", kind, path, r.code, r.err);
    char want[128];
    snprintf(want, sizeof want, "(imported %ld %s)", want_rows, kind);
    assert_contains(r.out, want, "import summary");
    assert_int_equal(count(h, kind), want_rows);
    run_free(&r);
}

/* ---------- 1. the example files ---------- */

static void test_examples_both_encodings(void **state)
{
    fixture *f = *state;
    harness *utf8 = fresh_db(f), *gb = fresh_db(f);
    long rows[4];
    for (int k = 0; k < 4; k++) {
        rows[k] = data_rows(example("", kinds[k]));
        assert_true(rows[k] > 0);
        assert_int_equal(data_rows(example("gb18030", kinds[k])), rows[k]);
    }
    assert_int_equal(rows[0], 40); /* as docs/import-guide.md §8 says */
    assert_int_equal(rows[1], 8);
    assert_int_equal(rows[2], 10);
    assert_int_equal(rows[3], 4);
    /* the UTF-8 files start with a BOM and use CRLF, as Excel's "CSV UTF-8" writes them */
    char *text = read_all(example("", "registrations"), NULL);
    assert_memory_equal(text, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(text, "\r\n"));
    free(text);
    for (int k = 0; k < 4; k++) {
        import_ok(utf8, kinds[k], example("", kinds[k]), rows[k]);
        import_ok(gb, kinds[k], example("gb18030", kinds[k]), rows[k]);
    }
    char *a = fingerprint(utf8), *b = fingerprint(gb);
    if (strcmp(a, b) != 0)
        fail_msg("UTF-8 and GB18030 imports differ:\n%.600s\n---\n%.600s", a, b);
    /* a real name and a masked id arrive intact (not mojibake, not a full number) */
    assert_contains(a, "赵德华|5119**********4692|", "registration fingerprint");
    char name[64];
    assert_int_equal(harness_sql_text(gb, "SELECT name FROM registrations WHERE id_masked = '5119**********4692'", name,
                                      sizeof name),
                     0);
    assert_string_equal(name, "赵德华");
    free(a);
    free(b);
}

static void test_dry_run_writes_nothing(void **state)
{
    fixture *f = *state;
    harness *h = fresh_db(f);
    char *before = snapshot(h);
    const char *order[] = {"registrations", "transports", "subsidies"};
    for (int k = 0; k < 3; k++) {
        run r = cli(h, "import", order[k], example("", order[k]), "--dry-run", NULL);
        if (r.code != 0)
            fail_msg("dry run of %s exited %d: %s", order[k], r.code, r.err);
        assert_contains(r.out, "dry run", "dry-run summary");
        assert_contains(r.out, "nothing written", "dry-run summary");
        assert_int_equal(count(h, order[k]), 0);
        run_free(&r);
    }
    run r = cli(h, "import", "registrations", example("gb18030", "registrations"), "--dry-run", NULL);
    assert_int_equal(r.code, 0);
    run_free(&r);
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "--dry-run");
    free(before);
    free(after);
    /* purchases validate against the registrations: dry run once those exist, still nothing written */
    import_ok(h, "registrations", example("", "registrations"), 40);
    before = snapshot(h);
    r = cli(h, "import", "purchases", example("", "purchases"), "--dry-run", NULL);
    if (r.code != 0)
        fail_msg("dry run of purchases exited %d: %s", r.code, r.err);
    run_free(&r);
    assert_int_equal(count(h, "purchases"), 0);
    after = snapshot(h);
    assert_same_snapshot(before, after, "purchases --dry-run");
    free(before);
    free(after);
}

static void test_registrations_twice(void **state)
{
    fixture *f = *state;
    harness *h = fresh_db(f);
    import_ok(h, "registrations", example("", "registrations"), 40);
    char *before = snapshot(h);
    run r = cli(h, "import", "registrations", example("", "registrations"), NULL);
    assert_int_equal(r.code, 1);
    /* every row is reported as a duplicate of a stored registration, each on its own line */
    assert_int_equal(count_lines(r.err, "第 "), 40);
    assert_int_equal(count_occurrences(r.err, "already registered"), 40);
    for (int line = 2; line <= 41; line++) {
        char zh[64], en[64];
        snprintf(zh, sizeof zh, "第 %d 行 身份证号 ", line);
        snprintf(en, sizeof en, "(line %d, id_number", line);
        assert_contains(r.err, zh, "second import");
        assert_contains(r.err, en, "second import");
    }
    run_free(&r);
    /* the GB18030 copy is the same people: just as duplicate */
    r = cli(h, "import", "registrations", example("gb18030", "registrations"), NULL);
    assert_int_equal(r.code, 1);
    assert_int_equal(count_occurrences(r.err, "already registered"), 40);
    run_free(&r);
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "second import");
    assert_int_equal(count(h, "registrations"), 40);
    free(before);
    free(after);
}

static void test_purchases_need_registrations(void **state)
{
    fixture *f = *state;
    harness *h = fresh_db(f);
    import_ok(h, "subsidies", example("", "subsidies"), 4);
    char *before = snapshot(h);
    run r = cli(h, "import", "purchases", example("", "purchases"), NULL);
    assert_int_equal(r.code, 1);
    assert_int_equal(count_lines(r.err, "第 "), 10);
    assert_int_equal(count_occurrences(r.err, "尚未建档"), 10);
    for (int line = 2; line <= 11; line++) {
        char zh[64];
        snprintf(zh, sizeof zh, "第 %d 行 身份证号 ", line);
        assert_contains(r.err, zh, "purchases before registrations");
    }
    run_free(&r);
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "purchases before registrations");
    assert_int_equal(count(h, "purchases"), 0);
    free(before);
    free(after);
    /* after the registrations, the same file imports */
    import_ok(h, "registrations", example("", "registrations"), 40);
    import_ok(h, "purchases", example("", "purchases"), 10);
}

/* ---------- 2. the bad-file matrix ---------- */

#define REG_HEADER "编号,姓名,身份证号,目的地,最早出发,最晚出发\n"
#define TR_HEADER "编号,类型,车次,座位数,出发时间,经停\n"
#define PU_HEADER "身份证号,方式,车次,乘车日期,票价,退票\n"
#define SU_HEADER "单位,金额,人数,日期\n"

typedef struct bad_case {
    const char *name; /* also the file name */
    const char *kind;
    const char *csv; /* a template for expand() */
    int line;        /* the bad row (exactly one error line is expected), or 0 for a whole-file error */
    const char *col_zh, *col_en;
    const char *also[3];   /* more text stderr must hold */
    const char *absent[2]; /* text it must not hold */
} bad_case;

static const bad_case bad_cases[] = {
    {"bad-check",
     "registrations",
     REG_HEADER "R-1,张德明,@03,平昌县,2027-01-20,2027-01-26\nR-2,李志强,@BC,宣汉县,2027-01-20,2027-01-26\n",
     3,
     "身份证号",
     "id_number",
     {"校验位", "check character"},
     {"第 2 行"}},
    {"unknown-place",
     "registrations",
     REG_HEADER "R-1,张德明,@03,平昌县,,\nR-2,李志强,@04,火星县,,\nR-3,王秀英,@05,511923,,\n",
     3,
     "目的地",
     "destination",
     {"火星县", "unknown division"},
     {"第 2 行", "第 4 行"}},
    {"ambiguous-place",
     "registrations",
     REG_HEADER "R-1,张秀英,@03,朝阳区,2027-01-20,2027-01-26\nR-2,李志强,@04,长春市朝阳区,2027-01-20,2027-01-26\n",
     2,
     "目的地",
     "destination",
     {"110105", "220104", "ambiguous"},
     {"第 3 行"}},
    {"impossible-date",
     "registrations",
     REG_HEADER "R-1,张德明,@03,平昌县,2027-01-20,2027-01-26\nR-2,李志强,@04,平昌县,2027-01-21,2027-01-26\n"
                "R-3,刘明军,@05,仪陇县,2027-02-30,2027-02-05\n",
     4,
     "最早出发",
     "earliest",
     {"2027-02-30"},
     {NULL}},
    {"latest-before-earliest",
     "registrations",
     REG_HEADER "R-1,张德明,@03,平昌县,2027-01-20,2027-01-26\nR-2,陈玉兰,@04,营山县,2027-01-25,2027-01-20\n",
     3,
     "最晚出发",
     "latest",
     {"2027-01-20"},
     {NULL}},
    {"duplicate-in-file",
     "registrations",
     REG_HEADER "R-1,杨光辉,@03,通江县,,\nR-2,李志强,@04,平昌县,,\nR-3,杨光明,@03,通江县,,\n",
     4,
     "身份证号",
     "id_number",
     {"本文件", "earlier row", "杨光辉"},
     {"第 2 行", "第 3 行"}},
    {"duplicate-in-db",
     "registrations",
     REG_HEADER "R-1,张德明,@04,平昌县,,\nR-2,某某某,@00,平昌县,,\n",
     3,
     "身份证号",
     "id_number",
     {"already registered", "基准一"},
     {"第 2 行"}},
    {"empty-name",
     "registrations",
     REG_HEADER "R-1,张德明,@03,平昌县,,\nR-2,,@04,岳池县,,\nR-3,王秀英,@05,平昌县,,\n",
     3,
     "姓名",
     "name",
     {"name is required"},
     {"第 2 行", "第 4 行"}},
    {"id-15-digits",
     "registrations",
     REG_HEADER "R-1,周建国,511923750312001,平昌县,,\n",
     2,
     "身份证号",
     "id_number",
     {"15"},
     {"511923750312001"}},
    {"unknown-kind",
     "transports",
     TR_HEADER "T-1,火箭,X1,10,2027-01-20 08:00,平昌县\n",
     2,
     "类型",
     "kind",
     {"火箭"},
     {NULL}},
    {"zero-capacity",
     "transports",
     TR_HEADER "T-1,汽车,川A·1,45,2027-01-20 08:00,平昌县\nT-2,汽车,川A·2,0,2027-01-20 08:00,平昌县\n",
     3,
     "座位数",
     "capacity",
     {NULL},
     {"第 2 行"}},
    {"impossible-time",
     "transports",
     TR_HEADER "T-1,汽车,川A·1,45,2027-01-20 25:00,平昌县\n",
     2,
     "出发时间",
     "depart_at",
     {"25:00"},
     {NULL}},
    {"duplicate-ref-in-file",
     "transports",
     TR_HEADER "T-1,汽车,川A·1,45,2027-01-20 08:00,平昌县\nT-2,汽车,川A·2,45,2027-01-20 08:00,平昌县\n"
               "T-1,汽车,川A·3,45,2027-01-21 08:00,平昌县\n",
     4,
     "编号",
     "ref",
     {"T-1"},
     {"第 2 行", "第 3 行"}},
    {"duplicate-ref-in-db",
     "transports",
     TR_HEADER "T-1,汽车,川A·1,45,2027-01-20 08:00,平昌县\nBASE-1,汽车,川A·2,45,2027-01-20 08:00,平昌县\n",
     3,
     "编号",
     "ref",
     {"BASE-1"},
     {"第 2 行"}},
    {"purchase-bad-mode",
     "purchases",
     PU_HEADER "@01,火车,D1,2027-01-20,96.5,否\n@02,高铁,D2,2027-01-21,96.5,否\n",
     3,
     "方式",
     "mode",
     {"高铁"},
     {"第 2 行"}},
    {"purchase-unregistered",
     "purchases",
     PU_HEADER "@01,火车,D1,2027-01-20,,\n@50,汽车,成都—通江,2027-01-21,150,否\n",
     3,
     "身份证号",
     "id_number",
     {"尚未建档", "register the person first"},
     {"第 2 行"}},
    {"purchase-duplicate-in-db",
     "purchases",
     PU_HEADER "@00,火车,D5163,2027-01-20,96.5,否\n",
     2,
     "身份证号",
     "id_number",
     {"already has"},
     {NULL}},
    {"subsidy-zero", "subsidies", SU_HEADER "甲公司,0,10,2027-01-20\n", 2, "金额", "amount_yuan", {"positive"}, {NULL}},
    {"subsidy-duplicate-in-db",
     "subsidies",
     SU_HEADER "乙公司,500,2,2027-01-20\n成都兴蓉达电子科技有限公司,60000,240,2027-01-08\n",
     3,
     "单位",
     "employer",
     {"already recorded"},
     {"第 2 行"}},
    {"unknown-column",
     "registrations",
     "编号,姓名,身份证号,目的地,备注\nR-1,张德明,@03,平昌县,老乡\n",
     0,
     NULL,
     NULL,
     {"备注", "unknown column"},
     {NULL}},
    {"missing-column",
     "registrations",
     "编号,姓名,目的地\nR-1,张德明,平昌县\n",
     0,
     NULL,
     NULL,
     {"身份证号", "id_number", "missing required column"},
     {NULL}},
    {"empty-file", "registrations", "", 0, NULL, NULL, {"empty"}, {NULL}},
    {"bom-only", "registrations", "\xEF\xBB\xBF", 0, NULL, NULL, {"empty"}, {NULL}},
    {"header-only", "registrations", REG_HEADER, 0, NULL, NULL, {"no rows"}, {NULL}},
};

/* A database with rows in all four tables (3 registrations, 2 transports, 1 purchase, 1 subsidy). */
static harness *base_db(fixture *f)
{
    harness *h = fresh_db(f);
    char path[512];
    char *regs = expand(REG_HEADER "B-1,基准一,@00,平昌县,2027-01-20,2027-01-26\n"
                                   "B-2,基准二,@01,巴中市平昌县,,\nB-3,基准三,@02,511722,2027-01-15,\n");
    write_file(h, "base-registrations.csv", regs, strlen(regs), path);
    import_ok(h, "registrations", path, 3);
    free(regs);
    const char *trs = TR_HEADER "BASE-1,专列,K8643,1400,2027-01-24 09:30,南充市;达州市\n"
                                "BASE-2,汽车,川A·7F512,45,2027-01-22 07:00,巴中市\n";
    write_file(h, "base-transports.csv", trs, strlen(trs), path);
    import_ok(h, "transports", path, 2);
    char *pus = expand(PU_HEADER "@00,火车,D5163,2027-01-20,96.5,否\n");
    write_file(h, "base-purchases.csv", pus, strlen(pus), path);
    import_ok(h, "purchases", path, 1);
    free(pus);
    const char *sus = SU_HEADER "成都兴蓉达电子科技有限公司,60000,240,2027-01-08\n";
    write_file(h, "base-subsidies.csv", sus, strlen(sus), path);
    import_ok(h, "subsidies", path, 1);
    return h;
}

/* Run `path` as `kind` (then again with --dry-run) and check the report and the unchanged database. */
static void expect_rejected(harness *h, const bad_case *c, const char *path)
{
    char *before = snapshot(h);
    run r = cli(h, "import", c->kind, path, NULL);
    if (r.code != 1)
        fail_msg("%s: expected exit 1, got %d\nstdout: %s\nstderr: %s", c->name, r.code, r.out, r.err);
    if (c->line > 0) {
        char zh[128], en[128];
        snprintf(zh, sizeof zh, "第 %d 行 %s \"", c->line, c->col_zh);
        snprintf(en, sizeof en, "(line %d, %s:", c->line, c->col_en);
        assert_contains(r.err, zh, c->name);
        assert_contains(r.err, en, c->name);
        if (count_lines(r.err, "第 ") != 1)
            fail_msg("%s: expected exactly one bad row, got:\n%s", c->name, r.err);
    }
    for (int i = 0; i < 3 && c->also[i] != NULL; i++)
        assert_contains(r.err, c->also[i], c->name);
    for (int i = 0; i < 2 && c->absent[i] != NULL; i++)
        assert_lacks(r.err, c->absent[i], c->name);
    assert_lacks(r.out, "imported", c->name);
    char *after = snapshot(h);
    assert_same_snapshot(before, after, c->name);
    /* a dry run reports exactly the same */
    run d = cli(h, "import", c->kind, path, "--dry-run", NULL);
    assert_int_equal(d.code, 1);
    if (strcmp(d.err, r.err) != 0)
        fail_msg("%s: --dry-run reported differently:\n%s\n---\n%s", c->name, r.err, d.err);
    run_free(&d);
    free(after);
    after = snapshot(h);
    assert_same_snapshot(before, after, c->name);
    run_free(&r);
    free(before);
    free(after);
}

static void test_bad_file_matrix(void **state)
{
    fixture *f = *state;
    harness *h = base_db(f);
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char name[128], path[512];
        char *csv = expand(c->csv);
        snprintf(name, sizeof name, "%s.csv", c->name);
        write_file(h, name, csv, strlen(csv), path);
        expect_rejected(h, c, path);
        free(csv);
    }
    assert_int_equal(count(h, "registrations"), 3);
    assert_int_equal(count(h, "transports"), 2);
    assert_int_equal(count(h, "purchases"), 1);
    assert_int_equal(count(h, "subsidies"), 1);
}

/* One bad row among many good ones: nothing of the good ones is written either. */
static void test_one_bad_row_among_many(void **state)
{
    fixture *f = *state;
    harness *h = base_db(f);
    char *csv = malloc(64 * 1024), path[512];
    assert_non_null(csv);
    size_t o = (size_t)snprintf(csv, 64 * 1024, "%s", REG_HEADER);
    for (int i = 10; i < 60; i++) /* lines 2..51; line 27 is bad */
        o += (size_t)snprintf(csv + o, 64 * 1024 - o, "M-%02d,工友%02d,%s,%s,2027-01-20,2027-01-26\n", i, i, ids[i],
                              i == 35 ? "火星县" : "平昌县");
    write_file(h, "mixed-registrations.csv", csv, o, path);
    bad_case c = {"mixed-registrations", "registrations", NULL, 27, "目的地", "destination", {"火星县"}, {NULL}};
    expect_rejected(h, &c, path);
    o = (size_t)snprintf(csv, 64 * 1024, "%s", TR_HEADER);
    for (int i = 0; i < 40; i++) /* lines 2..41; line 23 is bad */
        o += (size_t)snprintf(csv + o, 64 * 1024 - o, "M-%02d,汽车,川A·%05d,%d,2027-01-%02d 08:00,平昌县\n", i, i,
                              i == 21 ? 0 : 45, 10 + i % 20);
    write_file(h, "mixed-transports.csv", csv, o, path);
    bad_case t = {"mixed-transports", "transports", NULL, 23, "座位数", "capacity", {NULL}, {NULL}};
    expect_rejected(h, &t, path);
    free(csv);
    assert_int_equal(count(h, "registrations"), 3);
    assert_int_equal(count(h, "transports"), 2);
}

/* More than 1000 bad rows: the first 1000 listed, then one line with how many more (import guide §5). */
static void test_error_report_is_bounded(void **state)
{
    fixture *f = *state;
    harness *h = base_db(f);
    size_t cap = 1100 * 80, o = 0;
    char *csv = malloc(cap), path[512];
    assert_non_null(csv);
    o += (size_t)snprintf(csv, cap, "%s", REG_HEADER);
    for (int i = 0; i < 1005; i++)
        o += (size_t)snprintf(csv + o, cap - o, "X-%04d,工友,%s,火星县,,\n", i, ids[60]);
    write_file(h, "many-bad.csv", csv, o, path);
    free(csv);
    char *before = snapshot(h);
    run r = cli(h, "import", "registrations", path, NULL);
    assert_int_equal(r.code, 1);
    assert_int_equal(count_lines(r.err, "第 "), 1000);
    assert_contains(r.err, "第 1001 行 目的地", "bounded report");
    assert_lacks(r.err, "第 1002 行", "bounded report");
    assert_contains(r.err, "5 more errors not listed", "bounded report");
    assert_contains(r.err, "1005 errors", "bounded report");
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "1005 bad rows");
    run_free(&r);
    free(before);
    free(after);
}

/* docs/examples/bad-registrations.csv: every documented mistake, in one report, nothing written. */
static void test_documented_bad_file(void **state)
{
    fixture *f = *state;
    harness *h = base_db(f);
    static const struct {
        int line;
        const char *col;
    } want[] = {{2, "身份证号"}, {3, "目的地"},    {4, "目的地"}, {5, "最早出发"},  {6, "最晚出发"}, {8, "身份证号"},
                {9, "姓名"},     {10, "身份证号"}, {11, "类别"},  {12, "身份证号"}, {13, "最早出发"}};
    char *before = snapshot(h);
    run r = cli(h, "import", "registrations", example("", "bad-registrations"), NULL);
    assert_int_equal(r.code, 1);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char zh[128];
        snprintf(zh, sizeof zh, "第 %d 行 %s \"", want[i].line, want[i].col);
        assert_contains(r.err, zh, "bad-registrations.csv");
    }
    assert_lacks(r.err, "第 7 行", "bad-registrations.csv"); /* the first half of the duplicate is fine */
    assert_int_equal(count_lines(r.err, "第 "), 11);
    assert_lacks(r.err, "511921198809043776", "bad-registrations.csv");
    assert_lacks(r.err, "511923750312001", "bad-registrations.csv");
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "bad-registrations.csv");
    run_free(&r);
    free(before);
    free(after);
}

/* ---------- 3. encodings, line ends, quoting ---------- */

/*
 * Four people with Chinese everywhere, LF line ends, no BOM. Two rare name characters: 䶮 (CJK Extension A, FE9F
 * in glibc's GB18030) and 𠮷 (U+20BB7, a four-byte sequence in both UTF-8 and GB18030, not in GBK at all).
 */
static const char enc_template[] = "编号,姓名,身份证号,手机号,工作单位,目的地,最早出发,最晚出发,同行组,类别,农民工\n"
                                   "E-1,王䶮,@20,13981602231,成都兴蓉达电子科技有限公司,四川省巴中市平昌县,2027-01-20,"
                                   "2027-01-26,王家,困难职工;老人,是\n"
                                   "E-2,李秀英,@21,,成都兴蓉达电子科技有限公司,宣汉县,,,王家,,否\n"
                                   "E-3,阿苏木呷,@22,15881602233,成都龙腾汽车配件有限公司,凉山彝族自治州昭觉县,,,,,\n"
                                   "E-4,𠮷德华,@23,,成都龙腾汽车配件有限公司,511923,2027-02-01,2027-02-10,,孕妇,是\n";

static void test_encodings(void **state)
{
    fixture *f = *state;
    char *lf = expand(enc_template), *crlf = to_crlf(lf), path[512];
    size_t bom_len = strlen(lf) + 3;
    char *bom_lf = malloc(bom_len + 1), *bom_crlf = malloc(strlen(crlf) + 4);
    assert_non_null(bom_lf);
    assert_non_null(bom_crlf);
    snprintf(bom_lf, bom_len + 1, "\xEF\xBB\xBF%s", lf);
    snprintf(bom_crlf, strlen(crlf) + 4, "\xEF\xBB\xBF%s", crlf);
    /* UTF-8: no BOM + LF is the reference; BOM and CRLF must give exactly the same records */
    harness *ref = fresh_db(f);
    write_file(ref, "utf8-lf.csv", lf, strlen(lf), path);
    import_ok(ref, "registrations", path, 4);
    char *want = fingerprint(ref);
    assert_contains(want, "E-1|王䶮|", "reference import");
    assert_contains(want, "E-3|阿苏木呷|", "reference import");
    assert_contains(want, "E-4|𠮷德华|", "reference import");
    const struct {
        const char *name, *data;
    } utf8[] = {{"utf8-crlf.csv", crlf}, {"utf8-bom-lf.csv", bom_lf}, {"utf8-bom-crlf.csv", bom_crlf}};
    for (size_t i = 0; i < 3; i++) {
        harness *h = fresh_db(f);
        write_file(h, utf8[i].name, utf8[i].data, strlen(utf8[i].data), path);
        import_ok(h, "registrations", path, 4);
        char *got = fingerprint(h);
        if (strcmp(got, want) != 0)
            fail_msg("%s imported differently:\n%s\n---\n%s", utf8[i].name, want, got);
        free(got);
    }
    /* GB18030 with CRLF, as Excel's plain "CSV" writes it on Chinese Windows */
    size_t gb_len;
    char *gb = to_gb18030(crlf, strlen(crlf), &gb_len);
    const char *modes[] = {NULL, "gb18030"};
    for (int m = 0; m < 2; m++) {
        harness *h = fresh_db(f);
        write_file(h, "gb18030.csv", gb, gb_len, path);
        run r = modes[m] ? cli(h, "import", "registrations", path, "--encoding", modes[m], NULL)
                         : cli(h, "import", "registrations", path, NULL);
        if (r.code != 0)
            fail_msg("GB18030 with --encoding %s exited %d: %s", modes[m] ? modes[m] : "(auto)", r.code, r.err);
        run_free(&r);
        char *got = fingerprint(h);
        if (strcmp(got, want) != 0)
            fail_msg("GB18030 (%s) imported differently:\n%s\n---\n%s", modes[m] ? modes[m] : "auto", want, got);
        free(got);
    }
    /* the same GB18030 file forced to UTF-8: refused, with the hint, nothing written */
    harness *h = fresh_db(f);
    write_file(h, "gb18030.csv", gb, gb_len, path);
    char *before = snapshot(h);
    run r = cli(h, "import", "registrations", path, "--encoding", "utf-8", NULL);
    assert_int_equal(r.code, 1);
    assert_contains(r.err, "gb18030", "GB18030 read as UTF-8");
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "GB18030 read as UTF-8");
    assert_int_equal(count(h, "registrations"), 0);
    run_free(&r);
    /* and a UTF-8 file forced to GB18030 is mojibake at best: it must not silently equal the real thing */
    write_file(h, "utf8.csv", lf, strlen(lf), path);
    r = cli(h, "import", "registrations", path, "--encoding", "gb18030", NULL);
    if (r.code == 0) {
        char *got = fingerprint(h);
        assert_true(strcmp(got, want) != 0);
        free(got);
    }
    run_free(&r);
    free(before);
    free(after);
    free(want);
    free(gb);
    free(lf);
    free(crlf);
    free(bom_lf);
    free(bom_crlf);
}

/* Quoted fields: commas, doubled quotes and a line break (Alt+Enter in Excel) inside 工作单位. */
static void test_quoted_fields(void **state)
{
    fixture *f = *state;
    harness *h = fresh_db(f);
    char *csv = expand("\xEF\xBB\xBF编号,姓名,身份证号,工作单位,目的地\r\n"
                       "Q-1,张德明,@30,\"成都兴蓉达电子科技有限公司,二车间\",平昌县\r\n"
                       "Q-2,李志强,@31,\"成都\"\"龙腾\"\"汽车配件有限公司\",宣汉县\r\n"
                       "Q-3,王秀英,@32,\"成都某某有限公司,\n三号厂房\",通江县\r\n"
                       "Q-4,刘明军,@33,,仪陇县\r\n");
    char path[512], employer[256];
    write_file(h, "quoted.csv", csv, strlen(csv), path);
    free(csv);
    run r = cli(h, "import", "registrations", path, NULL);
    if (r.code != 0) {
        char why[2048];
        snprintf(why, sizeof why, "%s", r.err);
        run_free(&r);
        fail_msg("quoted fields: exit %d (an embedded line break in 工作单位 should import):\n%s", r.code, why);
    }
    run_free(&r);
    assert_int_equal(count(h, "registrations"), 4);
    assert_int_equal(
        harness_sql_text(h, "SELECT employer FROM registrations WHERE ref = 'Q-1'", employer, sizeof employer), 0);
    assert_string_equal(employer, "成都兴蓉达电子科技有限公司,二车间");
    assert_int_equal(
        harness_sql_text(h, "SELECT employer FROM registrations WHERE ref = 'Q-2'", employer, sizeof employer), 0);
    assert_string_equal(employer, "成都\"龙腾\"汽车配件有限公司");
    assert_int_equal(
        harness_sql_text(h, "SELECT employer FROM registrations WHERE ref = 'Q-3'", employer, sizeof employer), 0);
    /* the line break may be kept or folded into a space, but both parts must be there */
    assert_contains(employer, "成都某某有限公司,", "Q-3 employer");
    assert_contains(employer, "三号厂房", "Q-3 employer");
    assert_int_equal(harness_sql_text(h, "SELECT name FROM registrations WHERE ref = 'Q-4'", employer, sizeof employer),
                     0);
    assert_string_equal(employer, "刘明军");
}

/* ---------- 4. from a URL ---------- */

static void test_url_import(void **state)
{
    fixture *f = *state;
    harness *server = fresh_db(f), *h = fresh_db(f);
    char web[512], path[512], url[640];
    snprintf(web, sizeof web, "%s/web", harness_dir(server));
    assert_int_equal(mkdir(web, 0700), 0);
    size_t len;
    char *text = read_all(example("", "registrations"), &len);
    write_file(server, "web/registrations.csv", text, len, path);
    free(text);
    text = read_all(example("", "bad-registrations"), &len);
    write_file(server, "web/bad.csv", text, len, path);
    free(text);
    assert_int_equal(harness_start_server(server, "--web", web, NULL), 0);
    int port = harness_port(server);

    /* a 404: exit 1, the status named, nothing written */
    char *before = snapshot(h);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/no-such-file.csv", port);
    run r = cli(h, "import", "registrations", url, NULL);
    assert_int_equal(r.code, 1);
    assert_contains(r.err, "404", "404 download");
    run_free(&r);
    /* credentials and the query string are not shown */
    snprintf(url, sizeof url, "http://clerk:pw-s3cret@127.0.0.1:%d/no-such-file.csv?token=tk-77aa", port);
    r = cli(h, "import", "registrations", url, NULL);
    assert_int_equal(r.code, 1);
    assert_contains(r.err, "404", "404 download");
    assert_lacks(r.err, "pw-s3cret", "URL in messages");
    assert_lacks(r.err, "tk-77aa", "URL in messages");
    run_free(&r);
    /* a bad file over HTTP is rejected the same way as on disk */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/bad.csv", port);
    r = cli(h, "import", "registrations", url, NULL);
    assert_int_equal(r.code, 1);
    assert_contains(r.err, "第 3 行 目的地 \"火星县\"", "bad file by URL");
    assert_int_equal(count_lines(r.err, "第 "), 11);
    run_free(&r);
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "failed URL imports");
    free(after);

    /* dry run, then the real import into the second database */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/registrations.csv", port);
    r = cli(h, "import", "registrations", url, "--dry-run", NULL);
    if (r.code != 0)
        fail_msg("URL dry run exited %d: %s", r.code, r.err);
    run_free(&r);
    after = snapshot(h);
    assert_same_snapshot(before, after, "URL --dry-run");
    import_ok(h, "registrations", url, 40);
    /* the same records as from the file itself */
    harness *direct = fresh_db(f);
    import_ok(direct, "registrations", example("", "registrations"), 40);
    char *a = fingerprint(h), *b = fingerprint(direct);
    assert_string_equal(a, b);
    assert_int_equal(count(server, "registrations"), 0); /* the daemon's own database is untouched */
    free(a);
    free(b);
    free(before);
    free(after);
}

/* ---------- 5. POST /api/v1/imports/{kind} ---------- */

static json_t *post_csv(harness *h, const char *path, const char *token, const char *body, size_t len, int want)
{
    harness_req req = {.method = "POST",
                       .path = path,
                       .token = token,
                       .body = body,
                       .body_len = len,
                       .content_type = "text/csv; charset=utf-8"};
    harness_res res;
    assert_int_equal(harness_request(h, &req, &res), 0);
    if (res.status != want)
        fail_msg("POST %s: expected %d, got %d: %.800s", path, want, res.status, res.body);
    assert_masked(res.body, path);
    json_t *doc = harness_json(res.body);
    assert_non_null(doc);
    if (want >= 400)
        assert_true(harness_is_envelope(res.body, NULL));
    harness_res_free(&res);
    return doc;
}

static json_int_t jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", key);
    return json_integer_value(v);
}

static const char *jstr(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v != NULL ? v : "(null)";
}

static void check_summary(json_t *doc, const char *kind, bool dry, long rows, long inserted, const char *encoding)
{
    assert_string_equal(jstr(doc, "kind"), kind);
    assert_true(json_is_boolean(json_object_get(doc, "dry_run")));
    assert_int_equal(json_is_true(json_object_get(doc, "dry_run")), dry);
    assert_int_equal(jint(doc, "rows"), rows);
    assert_int_equal(jint(doc, "inserted"), inserted);
    assert_string_equal(jstr(doc, "encoding"), encoding);
}

static void test_http_import(void **state)
{
    fixture *f = *state;
    harness *h = fresh_db(f);
    char coord[HARNESS_TOKEN_MAX], station[HARNESS_TOKEN_MAX], reporter[HARNESS_TOKEN_MAX];
    assert_int_equal(harness_add_user(h, "clerk", "coordinator", NULL, coord), 0);
    assert_int_equal(harness_add_user(h, "east", "station", "成都东站", station), 0);
    assert_int_equal(harness_add_user(h, "viewer", "reporter", NULL, reporter), 0);
    assert_int_equal(harness_start_server(h, NULL), 0);
    size_t len, bad_len, gb_len;
    char *good = read_all(example("", "registrations"), &len);
    char *bad = read_all(example("", "bad-registrations"), &bad_len);
    char *gb = read_all(example("gb18030", "transports"), &gb_len);

    /* who may import: a station or reporter token is refused (403), no token 401, and nothing written */
    char *before = snapshot(h);
    json_t *doc = post_csv(h, "/api/v1/imports/registrations", station, good, len, 403);
    json_decref(doc);
    doc = post_csv(h, "/api/v1/imports/registrations", reporter, good, len, 403);
    json_decref(doc);
    doc = post_csv(h, "/api/v1/imports/registrations", NULL, good, len, 401);
    json_decref(doc);
    char *after = snapshot(h);
    assert_same_snapshot(before, after, "refused imports");
    free(after);

    /* a dry run validates all 40 rows and writes nothing */
    doc = post_csv(h, "/api/v1/imports/registrations?dry_run=true", coord, good, len, 200);
    check_summary(doc, "registrations", true, 40, 0, "utf-8");
    json_decref(doc);
    after = snapshot(h);
    assert_same_snapshot(before, after, "HTTP dry run");
    free(after);
    free(before);

    /* the real import */
    doc = post_csv(h, "/api/v1/imports/registrations", coord, good, len, 200);
    check_summary(doc, "registrations", false, 40, 40, "utf-8");
    json_decref(doc);
    assert_int_equal(count(h, "registrations"), 40);

    /* a bad file: 400 import_rejected, one detail per bad row, nothing written */
    before = snapshot(h);
    doc = post_csv(h, "/api/v1/imports/registrations", coord, bad, bad_len, 400);
    json_t *err = json_object_get(doc, "error");
    assert_string_equal(jstr(err, "code"), "import_rejected");
    json_t *details = json_object_get(err, "details");
    assert_int_equal(json_array_size(details), 11);
    bool seen[20] = {false};
    size_t i;
    json_t *d;
    json_array_foreach(details, i, d)
    {
        json_int_t line = jint(d, "line");
        assert_true(line >= 2 && line <= 13);
        seen[line] = true;
        assert_true(json_is_string(json_object_get(d, "column")));
        assert_true(json_is_string(json_object_get(d, "column_zh")));
        assert_true(json_is_string(json_object_get(d, "value")));
        assert_true(strlen(jstr(d, "reason")) > 0);
        if (line == 3) {
            assert_string_equal(jstr(d, "column"), "destination");
            assert_string_equal(jstr(d, "column_zh"), "目的地");
            assert_string_equal(jstr(d, "value"), "火星县");
        }
        if (line == 2)
            assert_string_equal(jstr(d, "value"), "5119**********4410");
    }
    for (int l = 2; l <= 13; l++)
        assert_int_equal(seen[l], l != 7);
    json_decref(doc);
    /* the same file as a dry run is rejected just the same */
    doc = post_csv(h, "/api/v1/imports/registrations?dry_run=true", coord, bad, bad_len, 400);
    assert_string_equal(jstr(json_object_get(doc, "error"), "code"), "import_rejected");
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "error"), "details")), 11);
    json_decref(doc);
    /* importing the good file again: every row a duplicate */
    doc = post_csv(h, "/api/v1/imports/registrations", coord, good, len, 400);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "error"), "details")), 40);
    json_decref(doc);
    after = snapshot(h);
    assert_same_snapshot(before, after, "rejected HTTP import");
    free(after);
    free(before);

    /* GB18030 transports: detected, and also accepted with ?encoding=gb18030 (dry run first) */
    doc = post_csv(h, "/api/v1/imports/transports?dry_run=1&encoding=gb18030", coord, gb, gb_len, 200);
    check_summary(doc, "transports", true, 8, 0, "gb18030");
    json_decref(doc);
    assert_int_equal(count(h, "transports"), 0);
    doc = post_csv(h, "/api/v1/imports/transports", coord, gb, gb_len, 200);
    check_summary(doc, "transports", false, 8, 8, "gb18030");
    json_decref(doc);
    assert_int_equal(count(h, "transports"), 8);
    /* an unknown kind */
    doc = post_csv(h, "/api/v1/imports/people", coord, good, len, 404);
    json_decref(doc);
    free(good);
    free(bad);
    free(gb);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 2;
    if (find_root() != 0) {
        fprintf(stderr, "test_import: cannot find docs/examples from %s or %s\n", __FILE__, harness_binary());
        return 2;
    }
    make_ids();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_examples_both_encodings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dry_run_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registrations_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purchases_need_registrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_file_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_bad_row_among_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_report_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_documented_bad_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encodings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoted_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
