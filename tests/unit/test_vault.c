/* test_vault.c - unit tests for scheduler/vault.c: the key file, sealing, blind indexes and the database key check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "vault.h"

#include "fixture.h"

#define ID_NUMBER "11010519491231002X" /* the example printed in GB 11643-1999 */

/* A temporary directory with a key file loaded into `v`. */
static int setup(void **state)
{
    return fixture_new(state, FIXTURE_VAULT);
}

/* The whole file at `path` into buf (NUL-terminated); returns its length. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return n;
}

static int contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

static size_t seal(const vault *v, const char *purpose, const char *plain, uint8_t *out)
{
    hw_error err;
    size_t n = 0;
    assert_int_equal(vault_seal(v, purpose, plain, out, VAULT_SEALED_MAX, &n, &err), 0);
    assert_int_equal(n, strlen(plain) + VAULT_OVERHEAD);
    return n;
}

/* ---------------------------------------------------------------- tests */

static void test_key_file_created_0600(void **state)
{
    fixture *f = *state;
    struct stat st;
    char text[256];
    assert_int_equal(stat(f->key, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t n = slurp(f->key, text, sizeof text);
    assert_true(n > 16);
    assert_memory_equal(text, "homeward-key-v1\n", 16);
    /* derived subkeys differ from each other and are not all zero */
    static const uint8_t zero[32];
    assert_memory_not_equal(f->v.seal_key, f->v.index_key, 32);
    assert_memory_not_equal(f->v.seal_key, zero, 32);
}

static void test_key_file_not_overwritten(void **state)
{
    fixture *f = *state;
    hw_error err;
    char before[256], after[256];
    vault again;
    slurp(f->key, before, sizeof before);
    assert_int_equal(vault_open(f->key, &again, &err), 0);
    slurp(f->key, after, sizeof after);
    assert_string_equal(before, after);
    assert_memory_equal(&again, &f->v, sizeof again);
    /* and a value sealed under the first load opens under the second */
    uint8_t sealed[VAULT_SEALED_MAX];
    char plain[64];
    size_t n = seal(&f->v, "id", ID_NUMBER, sealed);
    assert_int_equal(vault_unseal(&again, "id", sealed, n, plain, sizeof plain, &err), 0);
    assert_string_equal(plain, ID_NUMBER);
    vault_wipe(&again);
}

static void test_key_file_errors(void **state)
{
    fixture *f = *state;
    hw_error err;
    vault v;
    char path[128];
    snprintf(path, sizeof path, "%s/no-such-dir/k.key", f->dir);
    error_clear(&err);
    assert_int_equal(vault_open(path, &v, &err), HW_EIO);
    assert_string_equal(err.code, "key_file");

    snprintf(path, sizeof path, "%s/bad.key", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("homeward-key-v1\nnot hex at all, not hex at all, not hex at all, not hex\n", fp);
    fclose(fp);
    error_clear(&err);
    assert_int_equal(vault_open(path, &v, &err), HW_EINVAL);
    assert_string_equal(err.code, "key_file");

    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("", fp);
    fclose(fp);
    error_clear(&err);
    assert_int_equal(vault_open(path, &v, &err), HW_EINVAL);
}

static void test_seal_round_trip(void **state)
{
    fixture *f = *state;
    hw_error err;
    uint8_t sealed[VAULT_SEALED_MAX];
    char plain[64];
    size_t n = seal(&f->v, "id", ID_NUMBER, sealed);
    assert_int_equal(vault_unseal(&f->v, "id", sealed, n, plain, sizeof plain, &err), 0);
    assert_string_equal(plain, ID_NUMBER);

    n = seal(&f->v, "phone", "13812345678", sealed);
    assert_int_equal(vault_unseal(&f->v, "phone", sealed, n, plain, sizeof plain, &err), 0);
    assert_string_equal(plain, "13812345678");

    n = seal(&f->v, "phone", "", sealed);
    snprintf(plain, sizeof plain, "junk");
    assert_int_equal(vault_unseal(&f->v, "phone", sealed, n, plain, sizeof plain, &err), 0);
    assert_string_equal(plain, "");
}

static void test_seal_random_nonce(void **state)
{
    fixture *f = *state;
    hw_error err;
    uint8_t a[VAULT_SEALED_MAX], b[VAULT_SEALED_MAX];
    char pa[64], pb[64];
    size_t na = seal(&f->v, "id", ID_NUMBER, a);
    size_t nb = seal(&f->v, "id", ID_NUMBER, b);
    assert_int_equal(na, nb);
    assert_memory_not_equal(a, b, 24); /* nonces */
    assert_memory_not_equal(a, b, na); /* and so the ciphertexts */
    assert_int_equal(vault_unseal(&f->v, "id", a, na, pa, sizeof pa, &err), 0);
    assert_int_equal(vault_unseal(&f->v, "id", b, nb, pb, sizeof pb, &err), 0);
    assert_string_equal(pa, pb);
}

static void test_unseal_other_purpose_fails(void **state)
{
    fixture *f = *state;
    hw_error err;
    uint8_t sealed[VAULT_SEALED_MAX];
    char plain[64] = "unchanged";
    size_t n = seal(&f->v, "id", ID_NUMBER, sealed);
    error_clear(&err);
    assert_int_equal(vault_unseal(&f->v, "phone", sealed, n, plain, sizeof plain, &err), HW_EINVAL);
    assert_string_equal(err.code, "unseal_failed");
    assert_null(strstr(plain, ID_NUMBER));
    error_clear(&err);
    assert_int_equal(vault_unseal(&f->v, "", sealed, n, plain, sizeof plain, &err), HW_EINVAL);
    assert_int_equal(vault_unseal(&f->v, "id", sealed, n, plain, sizeof plain, &err), 0);
}

static void test_unseal_tampered_fails(void **state)
{
    fixture *f = *state;
    hw_error err;
    uint8_t sealed[VAULT_SEALED_MAX];
    char plain[64];
    size_t n = seal(&f->v, "id", ID_NUMBER, sealed);
    /* every single flipped bit, in the nonce, the ciphertext or the tag, is caught */
    for (size_t i = 0; i < n; i++) {
        sealed[i] ^= 0x01;
        error_clear(&err);
        assert_int_equal(vault_unseal(&f->v, "id", sealed, n, plain, sizeof plain, &err), HW_EINVAL);
        assert_string_equal(err.code, "unseal_failed");
        sealed[i] ^= 0x01;
    }
    assert_int_equal(vault_unseal(&f->v, "id", sealed, n, plain, sizeof plain, &err), 0);
    /* truncated, too short, or a buffer too small for the plaintext */
    assert_int_equal(vault_unseal(&f->v, "id", sealed, n - 1, plain, sizeof plain, &err), HW_EINVAL);
    assert_int_equal(vault_unseal(&f->v, "id", sealed, VAULT_OVERHEAD - 1, plain, sizeof plain, &err), HW_EINVAL);
    assert_int_equal(vault_unseal(&f->v, "id", sealed, 0, plain, sizeof plain, &err), HW_EINVAL);
    assert_int_equal(vault_unseal(&f->v, "id", sealed, n, plain, strlen(ID_NUMBER), &err), HW_EINVAL);
    assert_int_equal(vault_unseal(&f->v, "id", sealed, n, plain, strlen(ID_NUMBER) + 1, &err), 0);
    assert_string_equal(plain, ID_NUMBER);
}

static void test_unseal_other_key_fails(void **state)
{
    fixture *f = *state;
    hw_error err;
    vault other;
    char path[128], plain[64];
    uint8_t sealed[VAULT_SEALED_MAX];
    snprintf(path, sizeof path, "%s/other.key", f->dir);
    assert_int_equal(vault_open(path, &other, &err), 0);
    size_t n = seal(&f->v, "id", ID_NUMBER, sealed);
    assert_int_equal(vault_unseal(&other, "id", sealed, n, plain, sizeof plain, &err), HW_EINVAL);
    vault_wipe(&other);
}

static void test_seal_capacity(void **state)
{
    fixture *f = *state;
    hw_error err;
    uint8_t out[VAULT_SEALED_MAX];
    size_t n = 0;
    error_clear(&err);
    assert_int_equal(vault_seal(&f->v, "id", ID_NUMBER, out, strlen(ID_NUMBER) + VAULT_OVERHEAD - 1, &n, &err),
                     HW_ETOOBIG);
    assert_int_equal(vault_seal(&f->v, "id", ID_NUMBER, out, strlen(ID_NUMBER) + VAULT_OVERHEAD, &n, &err), 0);
    assert_int_equal(n, strlen(ID_NUMBER) + VAULT_OVERHEAD);
}

static void test_sealed_hides_plaintext(void **state)
{
    fixture *f = *state;
    uint8_t sealed[VAULT_SEALED_MAX];
    size_t n = seal(&f->v, "id", ID_NUMBER, sealed);
    assert_false(contains(sealed, n, ID_NUMBER));
    assert_false(contains(sealed, n, "110105194912")); /* not even a long piece of it */
    n = seal(&f->v, "phone", "13812345678", sealed);
    assert_false(contains(sealed, n, "13812345678"));
    assert_false(contains(sealed, n, "12345678"));
}

static void test_blind_index(void **state)
{
    fixture *f = *state;
    hw_error err;
    uint8_t a[VAULT_INDEX_BYTES], b[VAULT_INDEX_BYTES], c[VAULT_INDEX_BYTES], d[VAULT_INDEX_BYTES];
    vault_index(&f->v, "id", ID_NUMBER, a);
    vault_index(&f->v, "id", ID_NUMBER, b);
    assert_memory_equal(a, b, VAULT_INDEX_BYTES); /* deterministic */
    vault_index(&f->v, "phone", ID_NUMBER, c);
    assert_memory_not_equal(a, c, VAULT_INDEX_BYTES); /* by purpose */
    vault_index(&f->v, "id", "13812345678", d);
    assert_memory_not_equal(a, d, VAULT_INDEX_BYTES); /* by value */
    /* purpose and value are separated: ("id", "1...") is not ("id1", "...") */
    vault_index(&f->v, "id1", ID_NUMBER + 1, d);
    assert_memory_not_equal(a, d, VAULT_INDEX_BYTES);

    vault other;
    char path[128];
    snprintf(path, sizeof path, "%s/other.key", f->dir);
    assert_int_equal(vault_open(path, &other, &err), 0);
    vault_index(&other, "id", ID_NUMBER, d);
    assert_memory_not_equal(a, d, VAULT_INDEX_BYTES); /* by key */
    assert_false(contains(a, VAULT_INDEX_BYTES, "1101"));
    vault_wipe(&other);
}

static void test_key_path(void **state)
{
    char buf[128];
    (void)state;
    unsetenv("HOMEWARD_KEY_FILE");
    vault_key_path("/srv/homeward.db", buf, sizeof buf);
    assert_string_equal(buf, "/srv/homeward.db.key");
    setenv("HOMEWARD_KEY_FILE", "/etc/homeward/key", 1);
    vault_key_path("/srv/homeward.db", buf, sizeof buf);
    assert_string_equal(buf, "/etc/homeward/key");
    unsetenv("HOMEWARD_KEY_FILE");
}

static void test_bind(void **state)
{
    fixture *f = *state;
    hw_error err;
    store *s = NULL;
    char db[128], path[128];
    snprintf(db, sizeof db, "%s/test.db", f->dir);
    assert_int_equal(store_open(db, &s, &err), 0);
    assert_int_equal(store_write(s, vault_bind, &f->v, &err), 0);
    assert_int_equal(store_write(s, vault_bind, &f->v, &err), 0); /* the same key again */

    vault again;
    assert_int_equal(vault_open(f->key, &again, &err), 0); /* reloaded from the same file */
    assert_int_equal(store_write(s, vault_bind, &again, &err), 0);
    vault_wipe(&again);

    vault other;
    snprintf(path, sizeof path, "%s/other.key", f->dir);
    assert_int_equal(vault_open(path, &other, &err), 0);
    error_clear(&err);
    assert_int_equal(store_write(s, vault_bind, &other, &err), HW_EINVAL);
    assert_string_equal(err.code, "wrong_key");
    /* the refusal changed nothing: the right key still binds, the wrong one is still refused */
    assert_int_equal(store_write(s, vault_bind, &f->v, &err), 0);
    error_clear(&err);
    assert_int_equal(store_write(s, vault_bind, &other, &err), HW_EINVAL);
    assert_string_equal(err.code, "wrong_key");
    vault_wipe(&other);

    /* exactly one key check is stored, and it is not the key itself */
    sqlite3 *r = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(store_reader(s, &r, &err), 0);
    assert_int_equal(
        sqlite3_prepare_v2(r, "SELECT count(*), length(max(value)) FROM meta WHERE key = 'key_check'", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_int_equal(sqlite3_column_int(st, 1), VAULT_INDEX_BYTES);
    sqlite3_finalize(st);
    sqlite3_close(r);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_file_created_0600, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_key_file_not_overwritten, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_key_file_errors, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_seal_round_trip, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_seal_random_nonce, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_unseal_other_purpose_fails, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_unseal_tampered_fails, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_unseal_other_key_fails, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_seal_capacity, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_sealed_hides_plaintext, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_blind_index, setup, fixture_free),
        cmocka_unit_test(test_key_path),
        cmocka_unit_test_setup_teardown(test_bind, setup, fixture_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
