/* encoding.h - detect how a spreadsheet file is encoded and turn it into UTF-8, whole or chunk by chunk. */
#ifndef HW_ENCODING_H
#define HW_ENCODING_H

#include <iconv.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum encoding_kind {
    ENCODING_AUTO = 0,
    ENCODING_UTF8,
    ENCODING_GB18030,
} encoding_kind;

/* How much text (from the first non-ASCII byte) ENCODING_AUTO looks at before deciding. */
#define ENCODING_SNIFF_BYTES (64 * 1024)

/* "auto", "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312"; HW_EINVAL for anything else. Pure. */
int encoding_parse(const char *name, encoding_kind *out, hw_error *err);

/* "auto", "utf-8" or "gb18030": a static string for messages. Pure. */
const char *encoding_name(encoding_kind kind);

/* Whether buf[0..n) is valid UTF-8 (a sequence cut at the very end counts as valid if allowed). Pure. */
bool encoding_valid_utf8(const char *buf, size_t n, bool allow_truncated_tail);

/*
 * Guess from a sample: a UTF-8 BOM or valid UTF-8 means UTF-8; otherwise GB18030
 * (what Excel on Chinese Windows writes). `bom_len` gets 3 when a BOM should be skipped. Pure.
 */
encoding_kind encoding_detect(const char *sample, size_t n, size_t *bom_len);

/*
 * Convert GB18030 in[0..n) to UTF-8 through iconv. *out is malloc'ed (NUL-terminated,
 * length in *out_len); the caller frees it. Invalid bytes are HW_EINVAL naming the byte offset.
 * Whole-buffer: for files use the streaming decoder below.
 */
int encoding_gb18030_to_utf8(const char *in, size_t n, char **out, size_t *out_len, hw_error *err);

/*
 * Streaming decoder: bytes of a file in, UTF-8 out, chunk by chunk, with memory bounded
 * by the chunk size (never by the file size). The caller owns the struct (stack or heap);
 * the fields are private. Typical use:
 *
 *     encoding_decoder dec;
 *     encoding_decoder_init(&dec, ENCODING_AUTO);
 *     while (more input) encoding_decode(&dec, buf, n, 0, &out, &out_len, err);  // use out[0..out_len)
 *     encoding_decode(&dec, NULL, 0, 1, &out, &out_len, err);
 *     encoding_decoder_free(&dec);
 */
typedef struct encoding_decoder {
    encoding_kind requested; /* what the caller asked for */
    encoding_kind kind;      /* what is used; ENCODING_AUTO until decided */
    bool started;            /* file-start checks (BOM, magic numbers) done */
    bool failed;             /* an error was returned; the decoder is unusable */
    iconv_t cd;              /* GB18030 -> UTF-8, or (iconv_t)-1 */
    char *work;              /* input not yet converted: a held back tail plus the new chunk */
    size_t work_len, work_pos, work_cap;
    char *out; /* GB18030 output buffer (UTF-8 output points into `work`) */
    size_t out_cap;
    unsigned long long offset; /* bytes of the file before work[work_pos] */
    size_t line;               /* 1-based line of work[work_pos] */
    bool prev_cr;              /* the byte before work[work_pos] was CR (so LF does not start a new line) */
} encoding_decoder;

/*
 * Prepare `dec` for a new file. ENCODING_AUTO: a UTF-8 BOM means UTF-8 (the BOM is skipped);
 * otherwise plain ASCII passes through undecided, and the 64 KiB starting at the first
 * non-ASCII byte (or what is left of the file) decide: valid UTF-8 (a sequence cut at the end
 * of the sample allowed) means UTF-8, anything else GB18030. So a file whose first rows are
 * plain ASCII is still judged on its Chinese text. A forced ENCODING_UTF8 also skips a BOM.
 * Allocates nothing. Pure.
 */
void encoding_decoder_init(encoding_decoder *dec, encoding_kind kind);

/*
 * Decode the next n bytes of the file (in may be NULL when n == 0); `final` != 0 marks the end
 * of the file. Sets *out / *out_len to the UTF-8 produced by this call (possibly 0 bytes: an
 * incomplete multi-byte tail, or the AUTO sample, is held back for the next call). *out points
 * into the decoder and stays valid until the next call or encoding_decoder_free; it is not
 * NUL-terminated. The input is not kept. Output never contains NUL bytes.
 * Errors (after which only encoding_decoder_free may be called):
 *   HW_EINVAL bad_encoding  invalid UTF-8 or GB18030, naming the line and byte offset; for UTF-8 it
 *                           suggests --encoding gb18030, since that is the usual cause;
 *   HW_EINVAL not_text      NUL bytes, UTF-16 (Excel's "Unicode text"), an .xlsx or .xls workbook;
 *   HW_EINVAL bom_mismatch  a UTF-8 BOM when GB18030 was forced;
 *   HW_EIO iconv, HW_ENOMEM out_of_memory.
 */
int encoding_decode(encoding_decoder *dec, const char *in, size_t n, int final, const char **out, size_t *out_len,
                    hw_error *err);

/* The encoding in use: ENCODING_AUTO while still undecided, then UTF-8 or GB18030. Pure. */
encoding_kind encoding_decoder_kind(const encoding_decoder *dec);

/* Release what the decoder holds (safe on an initialized, used, failed or already freed decoder). */
void encoding_decoder_free(encoding_decoder *dec);

#endif
