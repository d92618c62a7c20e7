/* encoding.h - detect how a spreadsheet file is encoded and turn it into UTF-8. */
#ifndef HW_ENCODING_H
#define HW_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum encoding_kind {
    ENCODING_AUTO = 0,
    ENCODING_UTF8,
    ENCODING_GB18030,
} encoding_kind;

/* "auto", "utf-8"/"utf8", "gb18030"/"gbk"; HW_EINVAL for anything else. Pure. */
int encoding_parse(const char *name, encoding_kind *out, hw_error *err);

/* Whether buf[0..n) is valid UTF-8 (a sequence cut at the very end counts as valid). Pure. */
bool encoding_valid_utf8(const char *buf, size_t n, bool allow_truncated_tail);

/*
 * Guess from a sample: a UTF-8 BOM or valid UTF-8 means UTF-8; otherwise GB18030
 * (what Excel on Chinese Windows writes). `bom_len` gets 3 when a BOM should be skipped.
 */
encoding_kind encoding_detect(const char *sample, size_t n, size_t *bom_len);

/*
 * Convert GB18030 in[0..n) to UTF-8 through iconv. *out is malloc'ed (NUL-terminated,
 * length in *out_len); the caller frees it. Invalid bytes are HW_EINVAL naming the byte offset.
 */
int encoding_gb18030_to_utf8(const char *in, size_t n, char **out, size_t *out_len, hw_error *err);

#endif
