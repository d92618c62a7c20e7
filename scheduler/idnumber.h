/* idnumber.h - Chinese resident id numbers (GB 11643-1999) and masking of personal data (DESIGN §2, §6). */
#ifndef HW_IDNUMBER_H
#define HW_IDNUMBER_H

#include <stddef.h>

#include "error.h"

/* Characters in a normalized id number; buffers hold IDNUMBER_LEN + 1 bytes. */
#define IDNUMBER_LEN 18

/*
 * The GB 11643 check character ('0'..'9' or 'X') for the first 17 characters of
 * `first17`, which need not be NUL-terminated after them. Returns 0 if any of those
 * 17 is not an ASCII digit (reading stops at the first that is not, so a short
 * string is safe) or if `first17` is NULL. Keeps no pointer.
 */
char idnumber_check_char(const char *first17);

/*
 * Validate the id number in `in` and write it, normalized, to `out`: leading and
 * trailing ASCII whitespace and full-width spaces (U+3000) trimmed, a final 'x'
 * stored as 'X'. Rules: 18 characters, 17 digits then a digit or X, an existing
 * province code (the county part is deliberately not checked: people keep numbers
 * of abolished counties), a real birth date from 1900-01-01 to `today_yyyymmdd`
 * (which must itself be a real date), and a matching check character.
 * Returns 0 and fills `out` (18 characters + NUL), or HW_EINVAL with `err` set to
 * one of the codes id_empty, id_15_digits, id_length, id_not_digits, id_province,
 * id_birth_date, id_birth_too_early, id_birth_future, id_check_char and `out` set to
 * "". Messages never repeat the number. `err` may be NULL and is left untouched on
 * success. The caller owns all buffers; nothing is kept.
 */
int idnumber_normalize(const char *in, int today_yyyymmdd, char out[IDNUMBER_LEN + 1], hw_error *err);

/*
 * Mask an id number for display (DESIGN §6): an 18-character printable-ASCII `id`
 * keeps its first 4 and last 4 characters, the 10 between become '*'
 * ("5119**********123X"). Anything else becomes one '*' per character, at most 18;
 * NULL or "" gives "". Writes a NUL-terminated string to the caller's `out`; keeps
 * no pointer.
 */
void idnumber_mask(const char *id, char out[IDNUMBER_LEN + 1]);

/*
 * Mask a phone number for display: an 11-digit mobile (starting with 1) keeps its
 * first 3 and last 4 digits ("138****5678"); any other phone longer than 4 characters keeps only its
 * last 4 characters; a phone of 1 to 4 characters becomes all '*' (keeping "the
 * last 4" would show it whole); NULL or "" gives "". Characters are UTF-8 code
 * points, never split. Writes at most `n` bytes including the NUL to the caller's
 * `out` (nothing if `n` is 0); if the masked form does not fit, `out` holds only
 * '*'s. Keeps no pointer.
 */
void idnumber_mask_phone(const char *phone, char *out, size_t n);

/*
 * The birth date yyyymmdd (characters 7-14) of a normalized id number `id18`, or 0
 * if those characters are not digits. Keeps no pointer.
 */
int idnumber_birth_date(const char *id18);

/*
 * The sex recorded in a normalized id number `id18`: 1 male (odd 17th digit),
 * 2 female (even), 0 if the 17th character is not a digit. Keeps no pointer.
 */
int idnumber_sex(const char *id18);

#endif
