/* fuzz_divisions.c - libFuzzer harness: division name resolution, levels and coverage on arbitrary input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "divisions.h"

/* The shipped table, loaded once for the whole run; it is never written after loading. */
static const divisions *table(void)
{
    static divisions *d;
    if (d == NULL) {
        hw_error err = {0};
        if (divisions_load_default(&d, &err) != HW_OK)
            abort();
    }
    return d;
}

/* Check what a resolve answer promises: a code in the table, or a filled error with a NUL-terminated message. */
static void check_resolve(const divisions *d, const char *text)
{
    char code[7], full[DIVISIONS_FULL_NAME_MAX];
    hw_error err = {0};
    int rc = divisions_resolve(d, text, code, &err);
    if (rc == HW_OK) {
        if (divisions_level(code) == 0 || divisions_name(d, code) == NULL || !divisions_covers(code, code))
            abort();
        if (divisions_full_name(d, code, full, sizeof full) != HW_OK || !divisions_province_exists(d, code))
            abort();
    } else if (err.rc != rc || err.code[0] == '\0' || memchr(err.message, '\0', sizeof err.message) == NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const divisions *d = table();
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_resolve(d, text);
    /* The first two NUL-separated parts as a stop and a destination. */
    const char *dest = text + strlen(text) + (strlen(text) < size ? 1 : 0);
    int ls = divisions_level(text), ld = divisions_level(dest);
    if (divisions_covers(text, dest) && (ls == 0 || ld == 0 || memcmp(text, dest, 2) != 0))
        abort();
    divisions_name(d, text);
    divisions_province_exists(d, text);
    free(text);
    return 0;
}
