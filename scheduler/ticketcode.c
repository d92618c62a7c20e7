/* ticketcode.c - ticket codes: Crockford base32 with a GF(32) check symbol, lenient reading, grouped printing. */
#include "ticketcode.h"

#include <stdio.h>
#include <string.h>

#define DATA_LEN (TICKETCODE_LEN - 1)
#define GF32_POLY 0x25 /* x^5 + x^2 + 1 */
#define GF32_X 2       /* the element x, a generator of GF(32)'s multiplicative group */

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Product of a and b (0..31) in GF(32) = GF(2)[x] / (x^5 + x^2 + 1). */
static unsigned gf32_mul(unsigned a, unsigned b)
{
    unsigned r = 0;
    while (b != 0) {
        if (b & 1)
            r ^= a;
        b >>= 1;
        a <<= 1;
        if (a & 0x20)
            a ^= GF32_POLY;
    }
    return r;
}

/* Value 0..31 of a canonical alphabet character, or -1. */
static int symbol_value(char c)
{
    const char *p = c != '\0' ? strchr(alphabet, c) : NULL;
    return p != NULL ? (int)(p - alphabet) : -1;
}

/* Check value of 9 symbol values: sum of x^(i+1) * v[i] in GF(32). */
static unsigned check_value(const unsigned v[DATA_LEN])
{
    unsigned sum = 0, weight = GF32_X;
    for (int i = 0; i < DATA_LEN; i++) {
        sum ^= gf32_mul(weight, v[i]);
        weight = gf32_mul(weight, GF32_X);
    }
    return sum;
}

char ticketcode_check_char(const char *data9)
{
    unsigned v[DATA_LEN];
    if (data9 == NULL)
        return 0;
    for (int i = 0; i < DATA_LEN; i++) {
        int value = symbol_value(data9[i]);
        if (value < 0)
            return 0;
        v[i] = (unsigned)value;
    }
    return alphabet[check_value(v)];
}

void ticketcode_new(char out[TICKETCODE_LEN + 1], const uint8_t random[TICKETCODE_RANDOM_BYTES])
{
    uint64_t bits = 0;
    for (int i = 0; i < TICKETCODE_RANDOM_BYTES; i++)
        bits = bits << 8 | random[i];
    for (int i = 0; i < DATA_LEN; i++)
        out[i] = alphabet[(bits >> (8 * TICKETCODE_RANDOM_BYTES - 5 * (i + 1))) & 31];
    out[DATA_LEN] = ticketcode_check_char(out);
    out[TICKETCODE_LEN] = '\0';
}

bool ticketcode_valid(const char *code)
{
    if (code == NULL || strlen(code) != TICKETCODE_LEN)
        return false;
    char check = ticketcode_check_char(code);
    return check != 0 && code[DATA_LEN] == check;
}

/* ---- reading what people type ---- */

/* What one input character is for the reader. */
typedef enum in_class { IN_SKIP, IN_SYMBOL, IN_BAD } in_class;

/*
 * Classify the UTF-8 character at p: separators (ASCII whitespace, '-', U+3000, dashes
 * U+2010..U+2015 and U+2212) are skipped; full-width ASCII (U+FF01..U+FF5E) is read as
 * ASCII. Sets *len to the bytes consumed and *ascii to the character read.
 */
static in_class classify(const unsigned char *p, size_t *len, char *ascii)
{
    *len = 1;
    *ascii = (char)p[0];
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
        *len = 3;
        return IN_SKIP;
    }
    if (p[0] == 0xE2 && ((p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95) || (p[1] == 0x88 && p[2] == 0x92))) {
        *len = 3;
        return IN_SKIP;
    }
    if (p[0] == 0xEF &&
        ((p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) || (p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E))) {
        *len = 3;
        *ascii = (char)(p[1] == 0xBC ? p[2] - 0x60 : p[2] - 0x20);
    } else if (p[0] >= 0x80) {
        while ((p[*len] & 0xC0) == 0x80) /* the rest of this character: one bad character, not several */
            (*len)++;
        return IN_BAD;
    }
    if (strchr(" \t\r\n\v\f-", *ascii) != NULL)
        return IN_SKIP;
    return IN_SYMBOL;
}

/* An ASCII character as the canonical symbol it stands for ('a' -> 'A', 'O' -> '0', 'I'/'L' -> '1'), or 0. */
static char canonical(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'O')
        c = '0';
    else if (c == 'I' || c == 'L')
        c = '1';
    return symbol_value(c) >= 0 ? c : 0;
}

/* Read the symbols of `in` into out[0..9]; returns how many there are, *bad_at = first bad one (1-based) or 0. */
static int read_symbols(const char *in, char out[TICKETCODE_LEN + 1], int *bad_at)
{
    int count = 0;
    const unsigned char *p = (const unsigned char *)in;
    *bad_at = 0;
    while (*p != '\0') {
        size_t len;
        char ascii;
        in_class k = classify(p, &len, &ascii);
        p += len;
        if (k == IN_SKIP)
            continue;
        char c = k == IN_SYMBOL ? canonical(ascii) : 0;
        count++;
        if (c == 0 && *bad_at == 0)
            *bad_at = count;
        if (count <= TICKETCODE_LEN)
            out[count - 1] = c;
    }
    return count;
}

int ticketcode_normalize(const char *in, char out[TICKETCODE_LEN + 1], hw_error *err)
{
    int bad_at, rc = 0;
    int count = read_symbols(in != NULL ? in : "", out, &bad_at);
    out[TICKETCODE_LEN] = '\0';
    if (count == 0)
        rc = error_set(err, HW_EINVAL, "ticket_empty", "票码为空 (ticket code is empty)");
    else if (bad_at > 0)
        rc = error_set(err, HW_EINVAL, "ticket_char", "票码第 %d 个字符无效 (ticket code character %d is not valid)",
                       bad_at, bad_at);
    else if (count != TICKETCODE_LEN)
        rc = error_set(err, HW_EINVAL, "ticket_length",
                       "票码应为 10 位，实际 %d 位 (ticket code must have 10 characters, not %d)", count, count);
    else if (out[DATA_LEN] != ticketcode_check_char(out))
        rc = error_set(err, HW_EINVAL, "ticket_check", "票码校验位不符，请核对 (ticket code check character mismatch)");
    if (rc != 0)
        out[0] = '\0';
    return rc;
}

void ticketcode_format(const char *code, char *buf, size_t n)
{
    if (buf == NULL || n == 0)
        return;
    if (code == NULL)
        code = "";
    if (strlen(code) != TICKETCODE_LEN)
        snprintf(buf, n, "%s", code);
    else
        snprintf(buf, n, "%.4s-%.4s-%.2s", code, code + 4, code + 8);
}
