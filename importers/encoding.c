/* encoding.c - UTF-8 validation, BOM and GB18030 detection, GB18030 -> UTF-8 with iconv, whole or streaming. */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int encoding_parse(const char *name, encoding_kind *out, hw_error *err)
{
    if (name == NULL || strcasecmp(name, "auto") == 0)
        *out = ENCODING_AUTO;
    else if (strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0)
        *out = ENCODING_UTF8;
    else if (strcasecmp(name, "gb18030") == 0 || strcasecmp(name, "gbk") == 0 || strcasecmp(name, "gb2312") == 0)
        *out = ENCODING_GB18030;
    else
        return error_set(err, HW_EINVAL, "bad_encoding",
                         "编码应为 auto、utf-8 或 gb18030 (encoding must be auto, utf-8 or gb18030): %.32s", name);
    return 0;
}

const char *encoding_name(encoding_kind kind)
{
    switch (kind) {
    case ENCODING_UTF8:
        return "utf-8";
    case ENCODING_GB18030:
        return "gb18030";
    default:
        return "auto";
    }
}

/* Length of the UTF-8 sequence starting with `c`, 0 if `c` cannot start one. */
static size_t sequence_length(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

static bool valid_sequence(const unsigned char *p, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return false;
    if (len == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F)))
        return false; /* overlong, or a UTF-16 surrogate */
    if (len == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F)))
        return false; /* overlong, or beyond U+10FFFF */
    return true;
}

bool encoding_valid_utf8(const char *buf, size_t n, bool allow_truncated_tail)
{
    const unsigned char *p = (const unsigned char *)buf;
    size_t i = 0;
    while (i < n) {
        size_t len = sequence_length(p[i]);
        if (len == 0)
            return false;
        if (i + len > n)
            return allow_truncated_tail && valid_sequence(p + i, n - i);
        if (!valid_sequence(p + i, len))
            return false;
        i += len;
    }
    return true;
}

encoding_kind encoding_detect(const char *sample, size_t n, size_t *bom_len)
{
    *bom_len = 0;
    if (n >= 3 && memcmp(sample, "\xEF\xBB\xBF", 3) == 0) {
        *bom_len = 3;
        return ENCODING_UTF8;
    }
    return encoding_valid_utf8(sample, n, true) ? ENCODING_UTF8 : ENCODING_GB18030;
}

int encoding_gb18030_to_utf8(const char *in, size_t n, char **out, size_t *out_len, hw_error *err)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return error_set(err, HW_EIO, "iconv", "系统不支持 GB18030 转换 (iconv cannot convert GB18030)");
    size_t cap = n * 2 + 4; /* a GB18030 character never grows beyond 2x in UTF-8 */
    char *buf = malloc(cap);
    if (buf == NULL) {
        iconv_close(cd);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    char *src = (char *)in, *dst = buf;
    size_t src_left = n, dst_left = cap - 1;
    size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    int saved = errno;
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(buf);
        return error_set(err, HW_EINVAL, "bad_encoding",
                         "第 %zu 字节不是有效的 GB18030 或 UTF-8 编码 (byte %zu is neither valid GB18030 nor UTF-8)%s",
                         (size_t)(src - in) + 1, (size_t)(src - in) + 1, saved == EINVAL ? " (truncated)" : "");
    }
    *dst = '\0';
    *out = buf;
    *out_len = (size_t)(dst - buf);
    return 0;
}

/* ---- streaming decoder ---------------------------------------------------------------------------------------- */

/* Bytes the file-start checks want to see (the .xls magic number is the longest). */
#define START_BYTES 8

void encoding_decoder_init(encoding_decoder *dec, encoding_kind kind)
{
    memset(dec, 0, sizeof *dec);
    dec->requested = kind;
    dec->kind = ENCODING_AUTO;
    dec->cd = (iconv_t)-1;
    dec->line = 1;
}

encoding_kind encoding_decoder_kind(const encoding_decoder *dec)
{
    return dec->kind;
}

void encoding_decoder_free(encoding_decoder *dec)
{
    if (dec->cd != (iconv_t)-1)
        iconv_close(dec->cd);
    dec->cd = (iconv_t)-1;
    free(dec->work);
    free(dec->out);
    dec->work = dec->out = NULL;
    dec->work_len = dec->work_pos = dec->work_cap = dec->out_cap = 0;
}

/* Line breaks in buf[0..n): LF, CR, and CR LF counted once (also when split across calls through *prev_cr). */
static size_t count_breaks(const char *buf, size_t n, bool *prev_cr)
{
    size_t breaks = 0;
    bool cr = *prev_cr;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\r')
            breaks++;
        else if (buf[i] == '\n' && !cr)
            breaks++;
        cr = buf[i] == '\r';
    }
    *prev_cr = cr;
    return breaks;
}

static int fail(encoding_decoder *dec, int rc)
{
    dec->failed = true;
    return rc;
}

/* Line and 1-based byte offset in the file of work[pos]. */
static void locate(const encoding_decoder *dec, size_t pos, size_t *line, unsigned long long *byte)
{
    bool cr = dec->prev_cr;
    *line = dec->line + count_breaks(dec->work + dec->work_pos, pos - dec->work_pos, &cr);
    *byte = dec->offset + (pos - dec->work_pos) + 1;
}

/* Mark work[work_pos..to) as converted: lines and offsets move past it. */
static void advance(encoding_decoder *dec, size_t to)
{
    dec->line += count_breaks(dec->work + dec->work_pos, to - dec->work_pos, &dec->prev_cr);
    dec->offset += to - dec->work_pos;
    dec->work_pos = to;
}

/* Drop what earlier calls converted, then append in[0..n) to the work buffer. */
static int work_append(encoding_decoder *dec, const char *in, size_t n, hw_error *err)
{
    if (dec->work_pos > 0) {
        memmove(dec->work, dec->work + dec->work_pos, dec->work_len - dec->work_pos);
        dec->work_len -= dec->work_pos;
        dec->work_pos = 0;
    }
    if (n > (size_t)-1 / 4 - dec->work_len)
        return error_set(err, HW_ETOOBIG, "too_big", "数据块太大 (chunk too large)");
    if (dec->work == NULL || dec->work_len + n > dec->work_cap) {
        size_t cap = dec->work_len + n;
        if (cap < 2 * dec->work_cap)
            cap = 2 * dec->work_cap;
        if (cap < 256)
            cap = 256; /* never NULL, even for an empty file */
        char *p = realloc(dec->work, cap);
        if (p == NULL)
            return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
        dec->work = p;
        dec->work_cap = cap;
    }
    if (n > 0)
        memcpy(dec->work + dec->work_len, in, n);
    dec->work_len += n;
    return 0;
}

static int not_text(encoding_decoder *dec, hw_error *err, const char *zh, const char *en)
{
    return fail(dec, error_set(err, HW_EINVAL, "not_text", "%s (%s)", zh, en));
}

/* Checks on the first bytes of the file: workbooks and UTF-16 are refused, a BOM decides UTF-8 and is skipped. */
static int decoder_start(encoding_decoder *dec, hw_error *err)
{
    const char *p = dec->work;
    size_t n = dec->work_len;
    dec->started = true;
    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
        return not_text(dec, err, "这是 Excel 工作簿 (.xlsx) 而不是 CSV 文件，请在 Excel 中另存为 CSV",
                        "this is an Excel workbook (.xlsx), not a CSV file: save it as CSV in Excel");
    if (n >= 8 && memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return not_text(dec, err, "这是旧版 Excel 工作簿 (.xls) 而不是 CSV 文件，请在 Excel 中另存为 CSV",
                        "this is an old Excel workbook (.xls), not a CSV file: save it as CSV in Excel");
    if (n >= 2 && (memcmp(p, "\xFF\xFE", 2) == 0 || memcmp(p, "\xFE\xFF", 2) == 0))
        return not_text(dec, err, "文件是 UTF-16 编码 (Excel 的“Unicode 文本”)，请另存为 CSV",
                        "the file is UTF-16 (Excel's \"Unicode text\"): save it as CSV");
    bool bom = n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0;
    if (bom && dec->requested == ENCODING_GB18030)
        return fail(dec, error_set(err, HW_EINVAL, "bom_mismatch",
                                   "文件以 UTF-8 BOM 开头，却指定了 gb18030，请用 --encoding auto 或 utf-8 "
                                   "(the file starts with a UTF-8 BOM but gb18030 was given: use --encoding auto or "
                                   "utf-8)"));
    if (bom) {
        dec->work_pos = 3;
        dec->offset = 3;
    }
    if (bom || dec->requested == ENCODING_UTF8)
        dec->kind = ENCODING_UTF8;
    else if (dec->requested == ENCODING_GB18030)
        dec->kind = ENCODING_GB18030;
    return 0;
}

static int utf8_error(encoding_decoder *dec, size_t pos, bool at_end, hw_error *err)
{
    size_t line;
    unsigned long long byte;
    locate(dec, pos, &line, &byte);
    if (at_end)
        return fail(dec, error_set(err, HW_EINVAL, "bad_encoding",
                                   "第 %zu 行：文件在一个 UTF-8 字符中间结束 (line %zu: the file ends inside a UTF-8 "
                                   "character)",
                                   line, line));
    return fail(dec,
                error_set(err, HW_EINVAL, "bad_encoding",
                          "第 %zu 行（第 %llu 字节）不是有效的 UTF-8，文件可能其实是 GB18030 编码，请用 --encoding "
                          "gb18030 (line %zu, byte %llu is not valid UTF-8: the file is probably GB18030, try "
                          "--encoding gb18030)",
                          line, byte, line, byte));
}

static int nul_error(encoding_decoder *dec, size_t line, hw_error *err)
{
    return fail(dec, error_set(err, HW_EINVAL, "not_text",
                               "第 %zu 行含有 NUL 字节，这不是文本 CSV 文件 (line %zu contains a NUL byte: not a text "
                               "CSV file)",
                               line, line));
}

/*
 * Validate work[work_pos..end) as UTF-8 and hand it out as is. A sequence cut by the end of
 * the buffer is held back for the next call unless this is the end of the file.
 */
static int decode_utf8(encoding_decoder *dec, size_t end, bool final, const char **out, size_t *out_len, hw_error *err)
{
    const unsigned char *p = (const unsigned char *)dec->work;
    size_t i = dec->work_pos;
    while (i < end) {
        if (p[i] >= 0x01 && p[i] < 0x80) {
            i++;
            continue;
        }
        if (p[i] == 0) {
            size_t line;
            unsigned long long byte;
            locate(dec, i, &line, &byte);
            return nul_error(dec, line, err);
        }
        size_t len = sequence_length(p[i]);
        if (len == 0)
            return utf8_error(dec, i, false, err);
        if (end - i < len) {
            if (!valid_sequence(p + i, end - i))
                return utf8_error(dec, i, false, err);
            if (final)
                return utf8_error(dec, i, true, err);
            break;
        }
        if (!valid_sequence(p + i, len))
            return utf8_error(dec, i, false, err);
        i += len;
    }
    *out = dec->work + dec->work_pos;
    *out_len = i - dec->work_pos;
    advance(dec, i);
    return 0;
}

static int gb_error(encoding_decoder *dec, size_t pos, bool at_end, hw_error *err)
{
    size_t line;
    unsigned long long byte;
    locate(dec, pos, &line, &byte);
    if (at_end)
        return fail(dec, error_set(err, HW_EINVAL, "bad_encoding",
                                   "第 %zu 行：文件在一个 GB18030 字符中间结束 (line %zu: the file ends inside a "
                                   "GB18030 character)",
                                   line, line));
    if (dec->requested == ENCODING_AUTO)
        return fail(dec,
                    error_set(err, HW_EINVAL, "bad_encoding",
                              "第 %zu 行（第 %llu 字节）既不是有效的 UTF-8 也不是 GB18030 编码 (line %zu, byte %llu "
                              "is neither valid UTF-8 nor GB18030)",
                              line, byte, line, byte));
    return fail(dec, error_set(err, HW_EINVAL, "bad_encoding",
                               "第 %zu 行（第 %llu 字节）不是有效的 GB18030 编码 (line %zu, byte %llu is not valid "
                               "GB18030)",
                               line, byte, line, byte));
}

static int grow_out(encoding_decoder *dec, size_t need, hw_error *err)
{
    if (dec->out_cap >= need)
        return 0;
    char *p = realloc(dec->out, need);
    if (p == NULL)
        return fail(dec, error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)"));
    dec->out = p;
    dec->out_cap = need;
    return 0;
}

/* Convert work[work_pos..work_len) from GB18030 into dec->out; an incomplete tail waits for the next call. */
static int decode_gb18030(encoding_decoder *dec, bool final, const char **out, size_t *out_len, hw_error *err)
{
    size_t left = dec->work_len - dec->work_pos;
    int rc = grow_out(dec, left * 2 + 16, err); /* 2 bytes never become more than 3, 4 never more than 4 */
    if (rc != 0)
        return rc;
    char *src = dec->work + dec->work_pos, *dst = dec->out;
    size_t dst_left = dec->out_cap;
    while (left > 0 && iconv(dec->cd, &src, &left, &dst, &dst_left) == (size_t)-1) {
        if (errno == E2BIG) {
            size_t used = (size_t)(dst - dec->out);
            if ((rc = grow_out(dec, dec->out_cap * 2, err)) != 0)
                return rc;
            dst = dec->out + used;
            dst_left = dec->out_cap - used;
        } else if (errno == EINVAL && !final) {
            break; /* a character cut by the end of this chunk */
        } else {
            return gb_error(dec, (size_t)(src - dec->work), errno == EINVAL, err);
        }
    }
    size_t produced = (size_t)(dst - dec->out);
    const char *nul = memchr(dec->out, '\0', produced);
    if (nul != NULL) {
        bool cr = dec->prev_cr;
        return nul_error(dec, dec->line + count_breaks(dec->out, (size_t)(nul - dec->out), &cr), err);
    }
    *out = dec->out;
    *out_len = produced;
    advance(dec, (size_t)(src - dec->work));
    return 0;
}

/*
 * AUTO: everything up to the first non-ASCII byte is the same in both encodings and goes out
 * as is; the decision is made on the 64 KiB that start at that byte (or on what is left at
 * the end of the file), so a file whose first rows are plain ASCII is still judged right.
 */
static int decide(encoding_decoder *dec, bool final, const char **out, size_t *out_len, hw_error *err)
{
    const unsigned char *p = (const unsigned char *)dec->work;
    size_t i = dec->work_pos;
    while (i < dec->work_len && p[i] < 0x80)
        i++;
    size_t sample = dec->work_len - i;
    if (!final && sample < ENCODING_SNIFF_BYTES)
        return decode_utf8(dec, i, false, out, out_len, err); /* only the ASCII so far; the rest waits */
    if (sample > ENCODING_SNIFF_BYTES)
        sample = ENCODING_SNIFF_BYTES;
    dec->kind = encoding_valid_utf8(dec->work + i, sample, true) ? ENCODING_UTF8 : ENCODING_GB18030;
    return 0;
}

int encoding_decode(encoding_decoder *dec, const char *in, size_t n, int final, const char **out, size_t *out_len,
                    hw_error *err)
{
    *out = "";
    *out_len = 0;
    if (dec->failed)
        return error_set(err, HW_EINVAL, "decoder_failed", "解码器已出错 (the decoder already failed)");
    int rc = work_append(dec, in, n, err);
    if (rc != 0)
        return fail(dec, rc);
    if (!dec->started) {
        if (dec->work_len < START_BYTES && !final)
            return 0;
        if ((rc = decoder_start(dec, err)) != 0)
            return rc;
    }
    if (dec->kind == ENCODING_AUTO) {
        rc = decide(dec, final, out, out_len, err);
        if (rc != 0 || dec->kind == ENCODING_AUTO)
            return rc;
    }
    if (dec->kind == ENCODING_GB18030 && dec->cd == (iconv_t)-1) {
        dec->cd = iconv_open("UTF-8", "GB18030");
        if (dec->cd == (iconv_t)-1)
            return fail(dec, error_set(err, HW_EIO, "iconv", "系统不支持 GB18030 转换 (iconv cannot convert GB18030)"));
    }
    if (dec->kind == ENCODING_UTF8)
        return decode_utf8(dec, dec->work_len, final != 0, out, out_len, err);
    return decode_gb18030(dec, final != 0, out, out_len, err);
}
