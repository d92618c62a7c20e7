/* parse.h - field parsers shared by the importers and the HTTP API: trimming, yes/no, money, phones, times. Pure. */
#ifndef HW_PARSE_H
#define HW_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Copy `in` without surrounding ASCII white space and U+3000 (ideographic space) into buf (buf may be in). */
void parse_trim(const char *in, char *buf, size_t n);

/* 是/否, yes/no, y/n, true/false, 1/0 (case-insensitive); empty gives `dflt`. */
int parse_yes_no(const char *s, bool dflt, bool *out, hw_error *err);

/*
 * A yuan amount with at most two decimals ("1234", "1,234.50", "¥88.5") into fen, exactly
 * (no floating point). Negative amounts and amounts over 10^12 yuan are errors.
 */
int parse_money_fen(const char *s, int64_t *fen, hw_error *err);

/*
 * A phone number: digits with optional spaces, dashes, parentheses and a leading +86;
 * 11-digit mobiles must start with 1. Normalized (digits only, +86 dropped) into out.
 */
int parse_phone(const char *s, char *out, size_t n, hw_error *err);

/*
 * "YYYY-MM-DD HH:MM" (also "YYYY-MM-DDTHH:MM" and with ":SS"), Asia/Shanghai, into RFC 3339
 * "YYYY-MM-DDTHH:MM:SS+08:00" (out >= 26 bytes). *date gets yyyymmdd when not NULL.
 */
int parse_datetime(const char *s, char *out, size_t n, int *date, hw_error *err);

/* A positive whole number up to `max`. */
int parse_count(const char *s, long max, long *out, hw_error *err);

/*
 * Copy trimmed text of at most `max` bytes into buf (callers pass valid UTF-8): line breaks and tabs inside
 * become single spaces, other control characters are refused.
 */
int parse_text(const char *s, size_t max, char *buf, size_t n, hw_error *err);

#endif
