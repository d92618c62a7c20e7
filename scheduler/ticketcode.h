/* ticketcode.h - ticket codes (DESIGN §2): 10 Crockford base32 characters, the last a check character. */
#ifndef HW_TICKETCODE_H
#define HW_TICKETCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * A code is 9 data symbols (45 random bits) and one check symbol from Crockford's
 * alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ (no I L O U), which QR alphanumeric mode
 * encodes compactly and people can read aloud. Crockford's own check symbols *~$=U are
 * not used (bad for QR alphanumeric mode and for typing).
 *
 * The check symbol is computed in GF(32) (polynomial x^5 + x^2 + 1, a primitive one),
 * not with integers: with v_i the value of data symbol i (0..31) and a = x,
 *     check = sum over i = 0..8 of a^(i+1) * v_i     (products and sums in GF(32); sum = XOR)
 * so that a^(i+1) v_i + ... + 1 * check = 0: ten distinct nonzero weights a^1..a^9, 1.
 * Every single substitution is detected (w * d != 0 for d != 0 in a field) and so is
 * every transposition of two neighbours, the check symbol included ((w_i + w_j)(v_i + v_j)
 * != 0 when w_i != w_j and v_i != v_j). A plain mod-31 weighted sum cannot do this
 * with 32 symbols: 0 and Z (31) are congruent mod 31, so 0<->Z substitutions would slip
 * through. ticketcode_check_char() gives the same result for clients (the station page).
 */

#define TICKETCODE_LEN 10           /* characters of a code; buffers hold TICKETCODE_LEN + 1 */
#define TICKETCODE_RANDOM_BYTES 6   /* bytes of randomness ticketcode_new reads (45 of the 48 bits are used) */
#define TICKETCODE_FORMATTED_LEN 12 /* "ABCD-EFGH-JK"; buffers hold TICKETCODE_FORMATTED_LEN + 1 */

/*
 * A new code from the caller's randomness (the store passes randombytes_buf output,
 * keeping this function pure): the first 45 bits of `random`, big-endian, become the 9
 * data symbols, then the check symbol. Writes 10 characters and a NUL to `out`.
 * Keeps no pointer.
 */
void ticketcode_new(char out[TICKETCODE_LEN + 1], const uint8_t random[TICKETCODE_RANDOM_BYTES]);

/*
 * The check symbol for the first 9 characters of `data9` (canonical upper-case
 * alphabet characters; it need not be NUL-terminated after them), or 0 if any of them
 * is not in the alphabet (reading stops there, so a short string is safe) or `data9`
 * is NULL. Keeps no pointer.
 */
char ticketcode_check_char(const char *data9);

/*
 * Read a code as a person or a scanner typed it and write its canonical form to `out`:
 * leading and trailing whitespace trimmed; hyphens, spaces (also U+3000) and full-width
 * forms (Ａ１－, typed by a Chinese input method) accepted; lower case upper-cased;
 * Crockford's look-alikes read as digits (O -> 0, I and L -> 1). So "abcd-efgh-jk"
 * becomes "ABCDEFGHJK" (if its check symbol matches). Returns 0, or HW_EINVAL with
 * err->code "ticket_empty", "ticket_length" (not 10 symbols), "ticket_char" (a character
 * outside the alphabet, U included) or "ticket_check" (the check symbol does not match)
 * and `out` set to "". Messages never repeat the input (a scanned id number might be
 * personal data). `err` may be NULL and is untouched on success. Keeps no pointer.
 */
int ticketcode_normalize(const char *in, char out[TICKETCODE_LEN + 1], hw_error *err);

/*
 * Whether `code` is a canonical code: exactly 10 alphabet characters (upper case, no
 * hyphens) whose check symbol matches. NULL is not. Keeps no pointer.
 */
bool ticketcode_valid(const char *code);

/*
 * `code` for printing in groups of 4, 4 and 2: "ABCD-EFGH-JK". A string that is not
 * 10 characters long is copied unchanged. Writes at most `n` bytes including the NUL to
 * `buf` (nothing if `n` is 0; TICKETCODE_FORMATTED_LEN + 1 is enough). Keeps no pointer.
 */
void ticketcode_format(const char *code, char *buf, size_t n);

#endif
