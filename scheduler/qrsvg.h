/* qrsvg.h - QR codes of ticket codes as small standalone SVG images (libqrencode). */
#ifndef HW_QRSVG_H
#define HW_QRSVG_H

#include <stddef.h>

#include "error.h"

#define QRSVG_QUIET 4       /* modules of white margin on each side (the QR standard asks for 4) */
#define QRSVG_MAX_MODULE 64 /* largest module size in pixels */
#define QRSVG_MAX_TEXT 1024 /* longest text, in bytes, we encode (a ticket code is 10) */

/*
 * Render `text` (a NUL-terminated string) as a QR code, error correction level M,
 * the smallest version that holds it; libqrencode picks numeric, alphanumeric or 8-bit
 * segments case-sensitively, so an upper-case ticket code is encoded in alphanumeric
 * mode (version 1, 21x21) and anything else (UTF-8 included) as bytes where needed.
 * The SVG is standalone, with no external references:
 *   <svg xmlns="http://www.w3.org/2000/svg" width="P" height="P" viewBox="0 0 N N"
 *   shape-rendering="crispEdges"><rect width="N" height="N" fill="#fff"/><path fill="#000" d="..."/></svg>
 * where N = symbol width + 2 * QRSVG_QUIET (in modules) and P = N * module_px pixels;
 * the path holds one "M{x} {y}h{run}v1h-{run}z" rectangle per horizontal run of dark
 * modules, in row order then column order, coordinates in modules. The same input
 * always gives the same bytes.
 * On success returns 0 and sets *svg_out to a malloc'ed NUL-terminated string the
 * caller frees with free(), and *len_out (may be NULL) to its length. Errors:
 * HW_EINVAL ("qr_empty": empty or NULL text; "qr_module": module_px outside
 * 1..QRSVG_MAX_MODULE), HW_ETOOBIG ("qr_too_long": more than QRSVG_MAX_TEXT bytes or
 * more than a QR code holds), HW_ENOMEM, HW_EINVAL "qr_encode" (any other libqrencode
 * failure); then *svg_out is NULL. `svg_out` must not be NULL; `err` may be. Keeps no
 * pointer.
 */
int qrsvg_render(const char *text, int module_px, char **svg_out, size_t *len_out, hw_error *err);

#endif
