/* parse.c - strict parsing of the scalar fields coordinators type into spreadsheets and forms. */
#include "parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"

static bool is_space_at(const char *s, size_t *len)
{
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        *len = 1;
        return true;
    }
    if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80) {
        *len = 3;
        return true;
    }
    return false;
}

void parse_trim(const char *in, char *buf, size_t n)
{
    size_t len;
    if (in == NULL)
        in = "";
    while (*in != '\0' && is_space_at(in, &len))
        in += len;
    size_t end = strlen(in);
    while (end > 0) {
        if (in[end - 1] == ' ' || in[end - 1] == '\t' || in[end - 1] == '\r' || in[end - 1] == '\n')
            end--;
        else if (end >= 3 && (unsigned char)in[end - 3] == 0xE3 && (unsigned char)in[end - 2] == 0x80 &&
                 (unsigned char)in[end - 1] == 0x80)
            end -= 3;
        else
            break;
    }
    if (n == 0)
        return;
    /* memmove, not snprintf: callers trim in place (buf == in), which snprintf does not allow */
    if (end > n - 1)
        end = n - 1;
    memmove(buf, in, end);
    buf[end] = '\0';
}

int parse_yes_no(const char *s, bool dflt, bool *out, hw_error *err)
{
    static const char *const yes[] = {"是", "yes", "y", "true", "1"};
    static const char *const no[] = {"否", "no", "n", "false", "0"};
    char t[16];
    parse_trim(s, t, sizeof t);
    if (t[0] == '\0') {
        *out = dflt;
        return 0;
    }
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(t, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(t, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return error_set(err, HW_EINVAL, "bad_yes_no", "应填 是 或 否 (expected 是/否 or yes/no)");
}

/* Skip an optional currency sign: ¥ (U+00A5), ￥ (U+FFE5) or "RMB". */
static const char *skip_currency(const char *p)
{
    if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA5)
        return p + 2;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBF && (unsigned char)p[2] == 0xA5)
        return p + 3;
    if (strncasecmp(p, "RMB", 3) == 0)
        return p + 3;
    return p;
}

#define MONEY_MAX_FEN 100000000000000LL /* 10^12 yuan */

int parse_money_fen(const char *s, int64_t *fen, hw_error *err)
{
    char t[48];
    parse_trim(s, t, sizeof t);
    const char *p = skip_currency(t);
    int64_t yuan = 0, cents = 0;
    int digits = 0, decimals = -1, group = -1; /* group: digits since the last thousands comma */
    for (; *p != '\0'; p++) {
        if (*p == ',' && decimals < 0 && (group == 3 || (group < 0 && digits >= 1 && digits <= 3))) {
            group = 0;
            continue;
        }
        if (*p == '.' && decimals < 0 && (group < 0 || group == 3)) {
            decimals = 0;
            continue;
        }
        if (!isdigit((unsigned char)*p) || decimals == 2 || (decimals < 0 && digits > 12))
            goto bad;
        if (decimals < 0) {
            yuan = yuan * 10 + (*p - '0');
            digits++;
            group += group >= 0;
        } else {
            cents = cents * 10 + (*p - '0');
            decimals++;
        }
    }
    if (digits == 0 || decimals == 0 || (decimals < 0 && group >= 0 && group != 3))
        goto bad;
    if (decimals == 1)
        cents *= 10;
    if (yuan * 100 + cents > MONEY_MAX_FEN)
        goto bad;
    *fen = yuan * 100 + cents;
    return 0;
bad:
    return error_set(err, HW_EINVAL, "bad_amount",
                     "金额应为不超过两位小数的非负数,单位元 (amount must be a non-negative number of yuan with at most "
                     "two decimals)");
}

int parse_phone(const char *s, char *out, size_t n, hw_error *err)
{
    char t[48], digits[24];
    size_t nd = 0;
    parse_trim(s, t, sizeof t);
    const char *p = t;
    if (strncmp(p, "+86", 3) == 0)
        p += 3;
    for (; *p != '\0'; p++) {
        if (isdigit((unsigned char)*p)) {
            if (nd + 1 >= sizeof digits)
                goto bad;
            digits[nd++] = *p;
        } else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')') {
            goto bad;
        }
    }
    digits[nd] = '\0';
    /* mobiles are exactly 11 digits starting with 1; landlines carry a 0 area code (7-12 digits) */
    if (nd < 7 || nd > 12 || (digits[0] == '1' && nd != 11) || (nd == 11 && digits[0] != '1' && digits[0] != '0'))
        goto bad;
    snprintf(out, n, "%s", digits);
    return 0;
bad:
    return error_set(err, HW_EINVAL, "bad_phone",
                     "电话号码无效,应为 11 位手机号或带区号的固定电话 (invalid phone: an 11-digit mobile or a landline "
                     "with area code)");
}

int parse_datetime(const char *s, char *out, size_t n, int *date, hw_error *err)
{
    char t[32], day[11];
    int hh = -1, mm = -1, ss = 0, ymd = 0;
    parse_trim(s, t, sizeof t);
    size_t len = strlen(t);
    if (len != 16 && len != 19)
        goto bad;
    if ((t[10] != ' ' && t[10] != 'T') || t[13] != ':' || (len == 19 && t[16] != ':'))
        goto bad;
    for (size_t i = 11; i < len; i++)
        if (i != 13 && i != 16 && !isdigit((unsigned char)t[i]))
            goto bad;
    snprintf(day, sizeof day, "%.10s", t);
    if (clock_parse_date(day, &ymd, NULL) != 0)
        goto bad;
    hh = (t[11] - '0') * 10 + (t[12] - '0');
    mm = (t[14] - '0') * 10 + (t[15] - '0');
    if (len == 19)
        ss = (t[17] - '0') * 10 + (t[18] - '0');
    if (hh > 23 || mm > 59 || ss > 59)
        goto bad;
    snprintf(out, n, "%sT%02d:%02d:%02d+08:00", day, hh, mm, ss);
    if (date != NULL)
        *date = ymd;
    return 0;
bad:
    return error_set(err, HW_EINVAL, "bad_time", "时间无效,应为 YYYY-MM-DD HH:MM (invalid time, expected YYYY-MM-DD HH:MM)");
}

int parse_count(const char *s, long max, long *out, hw_error *err)
{
    char t[32];
    parse_trim(s, t, sizeof t);
    long v = 0;
    size_t i = 0;
    for (; t[i] != '\0'; i++) {
        if (!isdigit((unsigned char)t[i]) || v > max)
            break;
        v = v * 10 + (t[i] - '0');
    }
    if (i == 0 || t[i] != '\0' || v < 1 || v > max)
        return error_set(err, HW_EINVAL, "bad_number", "应为 1 到 %ld 之间的整数 (expected a whole number from 1 to %ld)",
                         max, max);
    *out = v;
    return 0;
}

int parse_text(const char *s, size_t max, char *buf, size_t n, hw_error *err)
{
    char t[1024];
    size_t len = 0;
    parse_trim(s, t, sizeof t);
    /* a line break typed in a cell (Alt+Enter in Excel) or a tab becomes one space; other controls are refused */
    for (size_t i = 0; t[i] != '\0'; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\r' || c == '\n' || c == '\t') {
            while (t[i + 1] == '\r' || t[i + 1] == '\n' || t[i + 1] == '\t' || t[i + 1] == ' ')
                i++;
            if (len > 0 && t[len - 1] != ' ')
                t[len++] = ' ';
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            return error_set(err, HW_EINVAL, "control_character", "含有控制字符 (contains a control character)");
        t[len++] = (char)c;
    }
    t[len] = '\0';
    if (len > max || len >= n)
        return error_set(err, HW_EINVAL, "too_long", "内容过长,最多 %zu 字节 (too long: at most %zu bytes)", max, max);
    memcpy(buf, t, len + 1);
    return 0;
}
