/* error.c - filling hw_error values and mapping them to HTTP statuses. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A cut message may end inside a multi-byte character: drop the partial character so it stays valid UTF-8. */
static void trim_partial_utf8(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--; /* continuation bytes */
    if (i == 0 || ((unsigned char)s[i - 1] & 0x80) == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

int error_set(hw_error *err, int rc, const char *code, const char *fmt, ...)
{
    if (err == NULL)
        return rc;
    va_list ap;
    err->rc = rc;
    snprintf(err->code, sizeof err->code, "%s", code);
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->message)
        trim_partial_utf8(err->message);
    return rc;
}

void error_clear(hw_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
}

int error_http_status(int rc)
{
    switch (rc) {
    case HW_EINVAL:
    case HW_EAMBIGUOUS:
        return 400;
    case HW_EAUTH:
        return 401;
    case HW_EFORBIDDEN:
        return 403;
    case HW_ENOTFOUND:
        return 404;
    case HW_ECONFLICT:
        return 409;
    case HW_ETOOBIG:
        return 413;
    case HW_EBUSY:
        return 503;
    default:
        return 500;
    }
}
