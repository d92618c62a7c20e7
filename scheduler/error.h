/* error.h - errors as values: negative HW_E* codes plus a bilingual message. */
#ifndef HW_ERROR_H
#define HW_ERROR_H

#include <stddef.h>

/* Result codes. 0 is success; every failure is negative. */
enum {
    HW_OK = 0,
    HW_EINVAL = -1,     /* bad input from a user or a file */
    HW_ENOTFOUND = -2,  /* no such thing */
    HW_ECONFLICT = -3,  /* duplicate or state conflict */
    HW_EIO = -4,        /* file, network or OS failure */
    HW_EDB = -5,        /* SQLite failure */
    HW_ENOMEM = -6,     /* out of memory */
    HW_EAUTH = -7,      /* missing or unknown credentials */
    HW_EFORBIDDEN = -8, /* authenticated but not allowed */
    HW_EAMBIGUOUS = -9, /* a name matches more than one thing */
    HW_ETOOBIG = -10,   /* input over a hard limit */
    HW_EBUSY = -11,     /* shutting down or overloaded */
};

/*
 * One error, filled by the function that failed. `code` is a stable machine word
 * (snake_case) for APIs and tests; `message` is for people: Chinese first, then
 * English in parentheses, e.g. "身份证号校验位不符 (id number check character mismatch)".
 * The caller owns the struct; nothing inside is heap-allocated.
 */
typedef struct hw_error {
    int rc;
    char code[48];
    char message[512];
} hw_error;

/*
 * Fill `err` (which may be NULL) and return `rc` so callers can write
 * `return error_set(err, HW_EINVAL, "bad_date", "日期无效 (invalid date): %s", s);`.
 */
int error_set(hw_error *err, int rc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reset `err` to "no error". */
void error_clear(hw_error *err);

/* HTTP status that best fits a HW_E* code (400, 401, 403, 404, 409, 413, 500, 503). */
int error_http_status(int rc);

#endif
