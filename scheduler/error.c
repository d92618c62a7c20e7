/* error.c - filling hw_error values and mapping them to HTTP statuses. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int error_set(hw_error *err, int rc, const char *code, const char *fmt, ...)
{
    if (err == NULL)
        return rc;
    va_list ap;
    err->rc = rc;
    snprintf(err->code, sizeof err->code, "%s", code);
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
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
