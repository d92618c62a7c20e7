/* test_qrsvg.c - unit tests for scheduler/qrsvg.c: structure, determinism, and the path read back equals the QR matrix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qrsvg.h"

#define MAX_N (177 + 2 * QRSVG_QUIET)

static char *render(const char *text, int module_px, size_t *len)
{
    char *svg = (char *)1;
    hw_error err;
    error_clear(&err);
    assert_int_equal(qrsvg_render(text, module_px, &svg, len, &err), 0);
    assert_non_null(svg);
    assert_int_equal(*len, strlen(svg));
    return svg;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The viewBox size N ("0 0 N N"), checking that width and height are N * module_px. */
static int view_size(const char *svg, int module_px)
{
    int n = 0, n2 = 0, w = 0, h = 0;
    const char *p = strstr(svg, "viewBox=\"");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "viewBox=\"0 0 %d %d\"", &n, &n2), 2);
    assert_int_equal(n, n2);
    assert_int_equal(sscanf(strstr(svg, " width=\""), " width=\"%d\"", &w), 1);
    assert_int_equal(sscanf(strstr(svg, " height=\""), " height=\"%d\"", &h), 1);
    assert_int_equal(w, n * module_px);
    assert_int_equal(h, n * module_px);
    return n;
}

/* Structure: one svg element, one white rect, one black path, no references to anything outside. */
static void check_structure(const char *svg)
{
    assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40), 0);
    assert_int_equal(strcmp(svg + strlen(svg) - 7, "</svg>\n"), 0);
    assert_int_equal(count(svg, "<svg"), 1);
    assert_int_equal(count(svg, "<rect"), 1);
    assert_int_equal(count(svg, "<path"), 1);
    assert_int_equal(count(svg, "<"), 4); /* svg, rect, path, /svg */
    assert_int_equal(count(svg, "/>"), 2);
    assert_int_equal(count(svg, "\"") % 2, 0);
    assert_int_equal(count(svg, "http"), 1); /* only the namespace name */
    assert_null(strstr(svg, "href"));
    assert_null(strstr(svg, "url("));
    assert_non_null(strstr(svg, "shape-rendering=\"crispEdges\""));
}

/*
 * Paint the path's rectangles "M{x} {y}h{w}v1h-{w}z" into bitmap[N][N]; fails on anything else, on overlaps,
 * and unless each rectangle is a whole run of its row (as many rectangles as runs in the result).
 */
static void read_path(const char *svg, int n, unsigned char bitmap[MAX_N][MAX_N])
{
    int rects = 0, runs = 0;
    const char *p = strstr(svg, " d=\"");
    assert_non_null(p);
    p += 4;
    memset(bitmap, 0, sizeof(unsigned char[MAX_N][MAX_N]));
    while (*p != '"') {
        int x, y, w, w2, used = 0;
        assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &w, &w2, &used), 4);
        assert_true(used > 0);
        assert_int_equal(w, w2);
        assert_true(w >= 1 && x >= 0 && y >= 0 && x + w <= n && y < n);
        for (int i = x; i < x + w; i++) {
            assert_int_equal(bitmap[y][i], 0); /* runs never overlap */
            bitmap[y][i] = 1;
        }
        rects++;
        p += used;
    }
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            runs += bitmap[y][x] && (x == 0 || !bitmap[y][x - 1]);
    assert_int_equal(rects, runs);
}

/* The SVG of `text` shows exactly libqrencode's modules, inside a 4-module white quiet zone. */
static void check_matches_matrix(const char *text, int module_px)
{
    size_t len;
    char *svg = render(text, module_px, &len);
    check_structure(svg);
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    int n = view_size(svg, module_px);
    assert_int_equal(n, qr->width + 2 * QRSVG_QUIET);
    assert_int_equal(qr->width, 17 + 4 * qr->version);
    static unsigned char bitmap[MAX_N][MAX_N];
    read_path(svg, n, bitmap);
    for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
            int qx = x - QRSVG_QUIET, qy = y - QRSVG_QUIET;
            bool inside = qx >= 0 && qy >= 0 && qx < qr->width && qy < qr->width;
            int want = inside ? qr->data[qy * qr->width + qx] & 1 : 0;
            assert_int_equal(bitmap[y][x], want);
        }
    }
    QRcode_free(qr);
    free(svg);
}

static void test_ticket_code_is_version_1(void **state)
{
    (void)state;
    size_t len;
    char *svg = render("7QK3M9XH2D", 4, &len);
    check_structure(svg);
    assert_int_equal(view_size(svg, 4), 21 + 8); /* version 1 */
    assert_true(len < 2000);                     /* compact */
    free(svg);
    /* 20 upper-case alphanumerics fit version 1 only in alphanumeric mode (8-bit holds 14 at level M) */
    svg = render("HTTPS://HW.CN/T/7QK3", 1, &len);
    assert_int_equal(view_size(svg, 1), 29);
    free(svg);
    svg = render("https://hw.cn/t/7qk3", 1, &len); /* lower case: bytes, case kept, a bigger symbol */
    assert_int_equal(view_size(svg, 1), 25 + 8);
    free(svg);
}

static void test_path_equals_matrix(void **state)
{
    (void)state;
    check_matches_matrix("7QK3M9XH2D", 1);
    check_matches_matrix("7QK3M9XH2D", 8);
    check_matches_matrix("https://homeward.example/api/v1/tickets/7QK3M9XH2D", 3);
    check_matches_matrix("平安返乡 成都东站 K4517 03车045号", 2); /* UTF-8 bytes */
    char long_text[QRSVG_MAX_TEXT + 1];
    memset(long_text, 'x', QRSVG_MAX_TEXT);
    long_text[QRSVG_MAX_TEXT] = '\0';
    check_matches_matrix(long_text, 1); /* the longest we accept, a big version */
}

static void test_deterministic(void **state)
{
    (void)state;
    size_t len1, len2;
    char *a = render("7QK3M9XH2D", 5, &len1);
    char *b = render("7QK3M9XH2D", 5, &len2);
    assert_int_equal(len1, len2);
    assert_memory_equal(a, b, len1);
    free(a);
    free(b);
    a = render("7QK3M9XH2E", 5, &len1); /* another code, another image */
    b = render("7QK3M9XH2D", 5, &len2);
    assert_true(len1 != len2 || memcmp(a, b, len1) != 0);
    free(a);
    free(b);
}

static void expect_error(const char *text, int module_px, int rc, const char *code)
{
    char *svg = (char *)1;
    hw_error err;
    error_clear(&err);
    assert_int_equal(qrsvg_render(text, module_px, &svg, NULL, &err), rc);
    assert_null(svg);
    assert_string_equal(err.code, code);
    assert_true(strlen(err.message) > 0);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("", 4, HW_EINVAL, "qr_empty");
    expect_error(NULL, 4, HW_EINVAL, "qr_empty");
    expect_error("7QK3M9XH2D", 0, HW_EINVAL, "qr_module");
    expect_error("7QK3M9XH2D", QRSVG_MAX_MODULE + 1, HW_EINVAL, "qr_module");
    char too_long[QRSVG_MAX_TEXT + 2];
    memset(too_long, 'x', QRSVG_MAX_TEXT + 1);
    too_long[QRSVG_MAX_TEXT + 1] = '\0';
    expect_error(too_long, 4, HW_ETOOBIG, "qr_too_long");
    char *svg = NULL;
    assert_int_equal(qrsvg_render("A", 1, &svg, NULL, NULL), 0); /* len_out and err may be NULL */
    assert_non_null(svg);
    free(svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticket_code_is_version_1),
        cmocka_unit_test(test_path_equals_matrix),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
