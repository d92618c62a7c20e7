/* fuzz_idnumber.c - libFuzzer harness for scheduler/idnumber.c: normalization invariants and masking bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idnumber.h"

#define TODAY 20261128

/* abort() rather than assert(): the invariants must hold in NDEBUG builds too. */
static void require(int ok)
{
    if (!ok)
        abort();
}

/* A normalized number: 18 characters, its own check character, a stable fixed point, sane fields. */
static void check_normalized(const char *out)
{
    require(strlen(out) == IDNUMBER_LEN);
    require(idnumber_check_char(out) == out[IDNUMBER_LEN - 1]);
    char again[IDNUMBER_LEN + 1];
    hw_error err;
    error_clear(&err);
    require(idnumber_normalize(out, TODAY, again, &err) == 0);
    require(memcmp(out, again, IDNUMBER_LEN + 1) == 0);
    int birth = idnumber_birth_date(out);
    require(birth >= 19000101 && birth <= TODAY);
    int sex = idnumber_sex(out);
    require(sex == 1 || sex == 2);
    char masked[IDNUMBER_LEN + 1];
    idnumber_mask(out, masked);
    require(strlen(masked) == IDNUMBER_LEN && memcmp(masked + 4, "**********", 10) == 0);
}

/* Mask functions stay inside their buffers and always NUL-terminate. */
static void check_masks(const char *s, size_t size)
{
    char id[IDNUMBER_LEN + 1];
    idnumber_mask(s, id);
    require(strlen(id) <= IDNUMBER_LEN);
    char phone[64];
    idnumber_mask_phone(s, phone, sizeof phone);
    require(strlen(phone) < sizeof phone);
    size_t n = size % 16;
    char *small = malloc(n == 0 ? 1 : n);
    require(small != NULL);
    idnumber_mask_phone(s, small, n);
    if (n > 0)
        require(strlen(small) < n);
    free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char out[IDNUMBER_LEN + 1];
    hw_error err;
    error_clear(&err);
    int rc = idnumber_normalize(s, TODAY, out, &err);
    if (rc == 0)
        check_normalized(out);
    else
        require(rc == HW_EINVAL && out[0] == '\0' && err.code[0] != '\0');
    (void)idnumber_check_char(s);
    (void)idnumber_birth_date(s);
    (void)idnumber_sex(s);
    check_masks(s, size);
    free(s);
    return 0;
}
