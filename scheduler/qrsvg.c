/* qrsvg.c - QR codes as compact standalone SVG: libqrencode's module matrix turned into one path of row runs. */
#include "qrsvg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#define HEAD_BYTES 256 /* the <svg> and <rect> elements, the path's start and the end tags */
#define RUN_BYTES 24   /* "M184 184h177v1h-177z" is 20 */

/* A buffer sized in advance: appends never grow it. */
typedef struct svg_buf {
    char *p;
    size_t len, cap;
} svg_buf;

static bool is_dark(const QRcode *qr, int x, int y)
{
    return qr->data[y * qr->width + x] & 1; /* bit 0 is the module's colour; the others say what it encodes */
}

static void append(svg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(svg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1; /* cannot happen: cap is a bound */
}

/* Horizontal runs of dark modules in the symbol: the number of rectangles the path draws. */
static size_t count_runs(const QRcode *qr)
{
    size_t runs = 0;
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++)
            runs += is_dark(qr, x, y) && (x == 0 || !is_dark(qr, x - 1, y));
    return runs;
}

/* One rectangle per run of dark modules, row by row, offset by the quiet zone. */
static void append_runs(svg_buf *b, const QRcode *qr)
{
    for (int y = 0; y < qr->width; y++) {
        for (int x = 0; x < qr->width;) {
            if (!is_dark(qr, x, y)) {
                x++;
                continue;
            }
            int start = x;
            while (x < qr->width && is_dark(qr, x, y))
                x++;
            append(b, "M%d %dh%dv1h-%dz", start + QRSVG_QUIET, y + QRSVG_QUIET, x - start, x - start);
        }
    }
}

/* The SVG document for `qr`, malloc'ed into *b; returns 0 or HW_ENOMEM. */
static int build_svg(const QRcode *qr, int module_px, svg_buf *b, hw_error *err)
{
    int n = qr->width + 2 * QRSVG_QUIET;
    b->cap = HEAD_BYTES + count_runs(qr) * RUN_BYTES;
    b->len = 0;
    b->p = malloc(b->cap);
    if (b->p == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    append(b,
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
           "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
           n * module_px, n * module_px, n, n, n, n);
    append_runs(b, qr);
    append(b, "\"/></svg>\n");
    return 0;
}

/* Encode `text`, mapping libqrencode's errno to our codes. */
static int encode(const char *text, QRcode **qr, hw_error *err)
{
    errno = 0;
    *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (*qr != NULL)
        return 0;
    if (errno == ERANGE)
        return error_set(err, HW_ETOOBIG, "qr_too_long", "内容过长，无法生成二维码 (text too long for a QR code)");
    if (errno == ENOMEM)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    return error_set(err, HW_EINVAL, "qr_encode", "无法生成二维码 (cannot encode the QR code)");
}

int qrsvg_render(const char *text, int module_px, char **svg_out, size_t *len_out, hw_error *err)
{
    *svg_out = NULL;
    if (text == NULL || text[0] == '\0')
        return error_set(err, HW_EINVAL, "qr_empty", "二维码内容为空 (nothing to encode)");
    if (module_px < 1 || module_px > QRSVG_MAX_MODULE)
        return error_set(err, HW_EINVAL, "qr_module", "二维码模块尺寸应为 1-%d 像素 (module size must be 1-%d px)",
                         QRSVG_MAX_MODULE, QRSVG_MAX_MODULE);
    if (strlen(text) > QRSVG_MAX_TEXT)
        return error_set(err, HW_ETOOBIG, "qr_too_long", "内容过长，无法生成二维码 (text too long for a QR code)");
    QRcode *qr;
    int rc = encode(text, &qr, err);
    if (rc != 0)
        return rc;
    svg_buf b;
    rc = build_svg(qr, module_px, &b, err);
    QRcode_free(qr);
    if (rc != 0)
        return rc;
    *svg_out = b.p;
    if (len_out != NULL)
        *len_out = b.len;
    return 0;
}
