/* idnumber.c - GB 11643-1999 resident id numbers: trimming, validation, check characters and masking. */
#include "idnumber.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#define ID_BODY 17           /* digits covered by the check character */
#define ID_OLD_LEN 15        /* first-generation numbers, out of use since 2013 */
#define ID_EARLIEST 19000101 /* earliest birth date we accept */
#define ID_MASK_HEAD 4
#define ID_MASK_TAIL 4
#define PHONE_MOBILE_LEN 11
#define PHONE_HEAD 3
#define PHONE_TAIL 4

/* GB 11643-1999: weight of each of the first 17 digits, and check characters by sum mod 11. */
static const int id_weights[ID_BODY] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char id_check_chars[] = "10X98765432";

/* GB/T 2260 province codes (first two digits); 71 Taiwan; 81, 82, 83: HK, Macao, Taiwan residence permits. */
static const int id_provinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43,
                                   44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83};

/* A run of bytes inside a caller's string; not NUL-terminated. */
typedef struct id_span {
    const char *p;
    size_t n;
} id_span;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_utf8_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* UTF-8 characters in p[0..n); stray continuation bytes at the start count as one character. */
static size_t char_count(const char *p, size_t n)
{
    size_t count = n > 0 && is_utf8_continuation(p[0]);
    for (size_t i = 0; i < n; i++)
        count += !is_utf8_continuation(p[i]);
    return count;
}

/* Byte offset in p[0..n) where its last `k` UTF-8 characters begin (0 if it has no more than k). */
static size_t tail_offset(const char *p, size_t n, size_t k)
{
    size_t i = n;
    while (i > 0 && k > 0) {
        i--;
        if (!is_utf8_continuation(p[i]))
            k--;
    }
    return i;
}

static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* U+3000 IDEOGRAPHIC SPACE, what Chinese input methods type as a "full-width" space. */
static bool is_fullwidth_space(const char *p, size_t avail)
{
    return avail >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0;
}

/* `s` without leading and trailing ASCII whitespace and full-width spaces. */
static id_span trim(const char *s)
{
    id_span t = {s, strlen(s)};
    for (;;) {
        if (t.n >= 1 && is_ascii_space(t.p[0])) {
            t.p += 1;
            t.n -= 1;
        } else if (is_fullwidth_space(t.p, t.n)) {
            t.p += 3;
            t.n -= 3;
        } else if (t.n >= 1 && is_ascii_space(t.p[t.n - 1])) {
            t.n--;
        } else if (t.n >= 3 && is_fullwidth_space(t.p + t.n - 3, 3)) {
            t.n -= 3;
        } else {
            return t;
        }
    }
}

/* Value of the n ASCII digits at p (the caller has checked they are digits). */
static int parse_digits(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static bool is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* Whether yyyymmdd names a day that exists in the Gregorian calendar. */
static bool date_is_real(int yyyymmdd)
{
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    return yyyymmdd > 0 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static bool province_exists(int code)
{
    for (size_t i = 0; i < sizeof id_provinces / sizeof id_provinces[0]; i++)
        if (id_provinces[i] == code)
            return true;
    return false;
}

/* 1-based character position of the first byte that is neither a digit nor a final X/x; 0 if none. */
static size_t first_bad_char(id_span s)
{
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (is_digit(c) || ((c == 'X' || c == 'x') && i == s.n - 1))
            continue;
        return char_count(s.p, i) + 1;
    }
    return 0;
}

/* Empty input, stray characters and length; afterwards s is 17 digits and a digit or X/x. */
static int check_shape(id_span s, hw_error *err)
{
    if (s.n == 0)
        return error_set(err, HW_EINVAL, "id_empty", "身份证号为空 (id number is empty)");
    size_t bad = first_bad_char(s);
    if (bad != 0)
        return error_set(err, HW_EINVAL, "id_not_digits",
                         "身份证号第%zu位不是数字，只有最后一位可以是X "
                         "(character %zu of the id number is not a digit; only the last may be X)",
                         bad, bad);
    if (s.n == ID_OLD_LEN && is_digit(s.p[ID_OLD_LEN - 1]))
        return error_set(err, HW_EINVAL, "id_15_digits",
                         "15位旧身份证号已停止使用，请填写18位身份证号 "
                         "(15-digit old-style id numbers are no longer valid; please give the 18-digit number)");
    if (s.n != IDNUMBER_LEN)
        return error_set(err, HW_EINVAL, "id_length",
                         "身份证号应为18位，实际为%zu位 (id number must have 18 characters, got %zu)", s.n, s.n);
    return 0;
}

/* Birth date (characters 7-14) against the calendar, 1900-01-01 and today. */
static int check_birth(const char *id, int today_yyyymmdd, hw_error *err)
{
    int birth = parse_digits(id + 6, 8);
    if (!date_is_real(birth))
        return error_set(err, HW_EINVAL, "id_birth_date",
                         "身份证号中的出生日期不是有效日期 (the birth date in the id number is not a real date)");
    if (birth < ID_EARLIEST)
        return error_set(err, HW_EINVAL, "id_birth_too_early",
                         "身份证号中的出生日期早于1900年1月1日 (the birth date in the id number is before 1900-01-01)");
    if (birth > today_yyyymmdd)
        return error_set(err, HW_EINVAL, "id_birth_future",
                         "身份证号中的出生日期晚于今天 (the birth date in the id number is after today)");
    return 0;
}

/* Province, birth date and check character of 18 well-shaped characters. */
static int check_content(const char *id, int today_yyyymmdd, hw_error *err)
{
    int province = parse_digits(id, 2);
    if (!province_exists(province))
        return error_set(err, HW_EINVAL, "id_province",
                         "身份证号前两位省份代码%02d不存在 (province code %02d of the id number does not exist)",
                         province, province);
    int rc = check_birth(id, today_yyyymmdd, err);
    if (rc != 0)
        return rc;
    if (idnumber_check_char(id) != id[ID_BODY])
        return error_set(err, HW_EINVAL, "id_check_char",
                         "身份证号校验位不符，请核对号码是否抄错 "
                         "(the id number's check character does not match; please check it for typing mistakes)");
    return 0;
}

char idnumber_check_char(const char *first17)
{
    if (first17 == NULL)
        return 0;
    int sum = 0;
    for (size_t i = 0; i < ID_BODY; i++) {
        if (!is_digit(first17[i]))
            return 0;
        sum += (first17[i] - '0') * id_weights[i];
    }
    return id_check_chars[sum % 11];
}

int idnumber_normalize(const char *in, int today_yyyymmdd, char out[IDNUMBER_LEN + 1], hw_error *err)
{
    assert(in != NULL && out != NULL);
    assert(date_is_real(today_yyyymmdd));
    out[0] = '\0';
    id_span s = trim(in);
    int rc = check_shape(s, err);
    if (rc != 0)
        return rc;
    char id[IDNUMBER_LEN + 1];
    memcpy(id, s.p, IDNUMBER_LEN);
    id[IDNUMBER_LEN] = '\0';
    if (id[ID_BODY] == 'x')
        id[ID_BODY] = 'X';
    rc = check_content(id, today_yyyymmdd, err);
    if (rc != 0)
        return rc;
    memcpy(out, id, sizeof id);
    return 0;
}

/* Write `stars` '*' to out[at..) and return the new end. */
static size_t put_stars(char *out, size_t at, size_t stars)
{
    memset(out + at, '*', stars);
    return at + stars;
}

static bool is_printable_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E)
            return false;
    return true;
}

void idnumber_mask(const char *id, char out[IDNUMBER_LEN + 1])
{
    assert(out != NULL);
    size_t n = id == NULL ? 0 : strlen(id);
    size_t end;
    if (n == IDNUMBER_LEN && is_printable_ascii(id, n)) {
        memcpy(out, id, ID_MASK_HEAD);
        end = put_stars(out, ID_MASK_HEAD, IDNUMBER_LEN - ID_MASK_HEAD - ID_MASK_TAIL);
        memcpy(out + end, id + IDNUMBER_LEN - ID_MASK_TAIL, ID_MASK_TAIL);
        end += ID_MASK_TAIL;
    } else {
        size_t chars = n == 0 ? 0 : char_count(id, n);
        end = put_stars(out, 0, chars < IDNUMBER_LEN ? chars : IDNUMBER_LEN);
    }
    out[end] = '\0';
}

/* Mainland mobile numbers are 11 digits starting with 1; 11-digit landlines (028 8765 4321) are not. */
static bool is_mobile(const char *s, size_t n)
{
    if (n != PHONE_MOBILE_LEN || s[0] != '1')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* Bytes kept at the front and back of a phone of `len` bytes and `chars` characters. */
static void phone_keep(const char *phone, size_t len, size_t chars, size_t *head, size_t *tail)
{
    *head = 0;
    *tail = 0;
    if (is_mobile(phone, len)) {
        *head = PHONE_HEAD;
        *tail = PHONE_TAIL;
    } else if (chars > PHONE_TAIL) {
        *tail = len - tail_offset(phone, len, PHONE_TAIL);
    }
}

void idnumber_mask_phone(const char *phone, char *out, size_t n)
{
    if (out == NULL || n == 0)
        return;
    size_t len = phone == NULL ? 0 : strlen(phone);
    size_t end = 0;
    if (len > 0) {
        size_t chars = char_count(phone, len);
        size_t head, tail;
        phone_keep(phone, len, chars, &head, &tail);
        size_t stars = chars - char_count(phone, head) - char_count(phone + len - tail, tail);
        if (head + stars + tail < n) {
            memcpy(out, phone, head);
            end = put_stars(out, head, stars);
            memcpy(out + end, phone + len - tail, tail);
            end += tail;
        } else {
            end = put_stars(out, 0, chars < n - 1 ? chars : n - 1);
        }
    }
    out[end] = '\0';
}

/* Whether s[from..from+count) are all ASCII digits, never reading past the NUL of a shorter s. */
static bool digits_at(const char *s, size_t from, size_t count)
{
    for (size_t i = 0; i < from + count; i++) {
        if (s[i] == '\0')
            return false;
        if (i >= from && !is_digit(s[i]))
            return false;
    }
    return true;
}

int idnumber_birth_date(const char *id18)
{
    if (id18 == NULL || !digits_at(id18, 6, 8))
        return 0;
    return parse_digits(id18 + 6, 8);
}

int idnumber_sex(const char *id18)
{
    if (id18 == NULL || !digits_at(id18, 16, 1))
        return 0;
    return (id18[16] - '0') % 2 == 1 ? 1 : 2;
}
