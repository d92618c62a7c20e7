/* encoding.c - UTF-8 validation, BOM and GB18030 detection, and GB18030 -> UTF-8 conversion with iconv. */
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
