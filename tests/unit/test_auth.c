/* test_auth.c - unit tests for scheduler/auth.c: roles, the permission matrix, tokens and the users table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "auth.h"
#include "error.h"
#include "store.h"

#include "fixture.h"

#define TOKEN_LEN 46 /* "hw_" + 43 base64url characters of 32 random bytes */

/* ---------------------------------------------------------------- helpers */

/* A fresh database with a reader connection to it. */
static int setup(void **state)
{
    return fixture_new(state, FIXTURE_READER);
}

/* Create a user through the writer; returns the store's result and fills `token`. */
static int add_user(fixture *f, const char *name, auth_role role, const char *station, const char *unit,
                    char token[AUTH_TOKEN_MAX], hw_error *err)
{
    auth_new_user u = {.name = name, .role = role, .station = station, .unit_code = unit};
    auth_token_new(token, u.hash);
    error_clear(err);
    int rc = store_write(f->s, auth_user_insert, &u, err);
    if (rc == 0)
        assert_true(u.id > 0);
    return rc;
}

static int revoke_job(sqlite3 *db, void *arg, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "UPDATE users SET revoked_at = '2027-01-20T10:00:00+08:00' WHERE name = ?", -1, &st,
                                NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "revoke", err);
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "revoke", err);
}

static bool contains(const void *hay, size_t nhay, const void *needle, size_t nneedle)
{
    const unsigned char *h = hay;
    if (nneedle == 0 || nneedle > nhay)
        return false;
    for (size_t i = 0; i + nneedle <= nhay; i++)
        if (memcmp(h + i, needle, nneedle) == 0)
            return true;
    return false;
}

/* Whether the file at `path` holds `needle` anywhere (false when there is no such file). */
static bool file_contains(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    size_t cap = 1 << 20, n = 0, got;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(fp);
    bool found = contains(buf, n, needle, strlen(needle));
    free(buf);
    return found;
}

/* ---------------------------------------------------------------- roles and permissions */

static void test_role_parse_name_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"admin", "coordinator", "station", "reporter", "child"};
    for (int r = AUTH_ROLE_ADMIN; r <= AUTH_ROLE_CHILD; r++) {
        assert_string_equal(auth_role_name((auth_role)r), names[r - AUTH_ROLE_ADMIN]);
        assert_int_equal(auth_role_parse(auth_role_name((auth_role)r)), r);
    }
    assert_string_equal(auth_role_name(AUTH_ROLE_NONE), "");
    assert_string_equal(auth_role_name((auth_role)42), "");
    assert_int_equal(auth_role_parse(""), AUTH_ROLE_NONE);
    assert_int_equal(auth_role_parse(NULL), AUTH_ROLE_NONE);
    assert_int_equal(auth_role_parse("Admin"), AUTH_ROLE_NONE);
    assert_int_equal(auth_role_parse("admin "), AUTH_ROLE_NONE);
    assert_int_equal(auth_role_parse("adm"), AUTH_ROLE_NONE);
    assert_int_equal(auth_role_parse("root"), AUTH_ROLE_NONE);
}

/* DESIGN §6: admin everything; coordinator all but ADMIN and REPORT; station READ+CHECKIN;
 * reporter READ+STATS; child REPORT only; no role nothing. PUBLIC needs no token, so every role has it. */
static void test_permission_matrix(void **state)
{
    (void)state;
    enum { NPERM = AUTH_PERM_REPORT + 1, NROLE = AUTH_ROLE_CHILD + 1 };
    /* clang-format off */
    static const bool expected[NROLE][NPERM] = {
        /*                         PUBLIC READ ADMIN COORD CHECKIN STATS REPORT */
        [AUTH_ROLE_NONE]        = {1,     0,   0,    0,    0,      0,    0},
        [AUTH_ROLE_ADMIN]       = {1,     1,   1,    1,    1,      1,    1},
        [AUTH_ROLE_COORDINATOR] = {1,     1,   0,    1,    1,      1,    0},
        [AUTH_ROLE_STATION]     = {1,     1,   0,    0,    1,      0,    0},
        [AUTH_ROLE_REPORTER]    = {1,     1,   0,    0,    0,      1,    0},
        [AUTH_ROLE_CHILD]       = {1,     0,   0,    0,    0,      0,    1},
    };
    /* clang-format on */
    assert_int_equal(AUTH_PERM_PUBLIC, 0);
    assert_int_equal(AUTH_PERM_READ, 1);
    assert_int_equal(AUTH_PERM_ADMIN, 2);
    assert_int_equal(AUTH_PERM_COORDINATE, 3);
    assert_int_equal(AUTH_PERM_CHECKIN, 4);
    assert_int_equal(AUTH_PERM_STATS, 5);
    assert_int_equal(AUTH_PERM_REPORT, 6);
    for (int r = 0; r < NROLE; r++)
        for (int p = 0; p < NPERM; p++) {
            if (auth_allows((auth_role)r, (auth_perm)p) != expected[r][p])
                fail_msg("auth_allows(%s, perm %d) should be %d", r == 0 ? "none" : auth_role_name((auth_role)r), p,
                         expected[r][p]);
        }
    /* a role value outside the enum has no permissions beyond PUBLIC */
    for (int p = AUTH_PERM_READ; p < NPERM; p++)
        assert_false(auth_allows((auth_role)42, (auth_perm)p));
}

/* ---------------------------------------------------------------- tokens */

static void expect_token_shape(const char *t)
{
    assert_int_equal(strlen(t), TOKEN_LEN);
    assert_memory_equal(t, "hw_", 3);
    assert_int_equal(strspn(t + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), TOKEN_LEN - 3);
}

static void test_token_shape_and_hash(void **state)
{
    (void)state;
    char t1[AUTH_TOKEN_MAX], t2[AUTH_TOKEN_MAX];
    uint8_t h1[AUTH_TOKEN_HASH_BYTES], h2[AUTH_TOKEN_HASH_BYTES], again[AUTH_TOKEN_HASH_BYTES];
    static const uint8_t zero[AUTH_TOKEN_HASH_BYTES] = {0};
    auth_token_new(t1, h1);
    auth_token_new(t2, h2);

    assert_string_not_equal(t1, t2);
    assert_memory_not_equal(h1, h2, AUTH_TOKEN_HASH_BYTES);
    expect_token_shape(t1);
    expect_token_shape(t2);
    auth_token_hash(t1, again);
    assert_memory_equal(again, h1, AUTH_TOKEN_HASH_BYTES);
    auth_token_hash(t2, again);
    assert_memory_equal(again, h2, AUTH_TOKEN_HASH_BYTES);
    assert_memory_not_equal(h1, t1, AUTH_TOKEN_HASH_BYTES); /* a hash, not the token's bytes */
    assert_memory_not_equal(h1, zero, AUTH_TOKEN_HASH_BYTES);
    assert_false(contains(h1, sizeof h1, t1 + 3, 8));

    /* BLAKE2b-256, unkeyed: the RFC 7693 test input "abc" */
    static const uint8_t abc[AUTH_TOKEN_HASH_BYTES] = {0xbd, 0xdd, 0x81, 0x3c, 0x63, 0x42, 0x39, 0x72, 0x31, 0x71, 0xef,
                                                       0x3f, 0xee, 0x98, 0x57, 0x9b, 0x94, 0x96, 0x4e, 0x3b, 0xb1, 0xcb,
                                                       0x3e, 0x42, 0x72, 0x62, 0xc8, 0xc0, 0x68, 0xd5, 0x23, 0x19};
    auth_token_hash("abc", again);
    assert_memory_equal(again, abc, AUTH_TOKEN_HASH_BYTES);
}

/* ---------------------------------------------------------------- validation */

static void expect_invalid(const auth_new_user *u, const char *code)
{
    hw_error err;
    error_clear(&err);
    assert_int_equal(auth_validate(u, &err), HW_EINVAL);
    assert_int_equal(err.rc, HW_EINVAL);
    assert_string_equal(err.code, code);
    assert_true(strlen(err.message) > 0);
}

static void test_validate_errors(void **state)
{
    (void)state;
    char long_name[65];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    hw_error err;

    expect_invalid(&(auth_new_user){.name = "", .role = AUTH_ROLE_ADMIN}, "bad_user_name");
    expect_invalid(&(auth_new_user){.name = NULL, .role = AUTH_ROLE_ADMIN}, "bad_user_name");
    expect_invalid(&(auth_new_user){.name = long_name, .role = AUTH_ROLE_ADMIN}, "bad_user_name");
    expect_invalid(&(auth_new_user){.name = "wang", .role = AUTH_ROLE_NONE}, "bad_role");
    expect_invalid(&(auth_new_user){.name = "wang", .role = auth_role_parse("superuser")}, "bad_role");
    expect_invalid(&(auth_new_user){.name = "li", .role = AUTH_ROLE_STATION}, "missing_station");
    expect_invalid(&(auth_new_user){.name = "li", .role = AUTH_ROLE_STATION, .station = ""}, "missing_station");
    expect_invalid(&(auth_new_user){.name = "zhao", .role = AUTH_ROLE_CHILD}, "missing_unit");
    expect_invalid(&(auth_new_user){.name = "zhao", .role = AUTH_ROLE_CHILD, .unit_code = ""}, "missing_unit");
    expect_invalid(&(auth_new_user){.name = "zhao", .role = AUTH_ROLE_CHILD, .unit_code = "51010"}, "missing_unit");
    expect_invalid(&(auth_new_user){.name = "zhao", .role = AUTH_ROLE_CHILD, .unit_code = "5101000"}, "missing_unit");
    expect_invalid(&(auth_new_user){.name = "zhao", .role = AUTH_ROLE_CHILD, .unit_code = "51010a"}, "missing_unit");
    expect_invalid(&(auth_new_user){.name = "zhao", .role = AUTH_ROLE_CHILD, .unit_code = "-51010"}, "missing_unit");

    long_name[63] = '\0'; /* 63 bytes is the longest name */
    assert_int_equal(auth_validate(&(auth_new_user){.name = long_name, .role = AUTH_ROLE_ADMIN}, &err), 0);
    assert_int_equal(auth_validate(&(auth_new_user){.name = "王", .role = AUTH_ROLE_COORDINATOR}, &err), 0);
    assert_int_equal(
        auth_validate(&(auth_new_user){.name = "li", .role = AUTH_ROLE_STATION, .station = "成都东站"}, &err), 0);
    assert_int_equal(auth_validate(&(auth_new_user){.name = "r", .role = AUTH_ROLE_REPORTER}, &err), 0);
    assert_int_equal(auth_validate(&(auth_new_user){.name = "z", .role = AUTH_ROLE_CHILD, .unit_code = "511923"}, &err),
                     0);
}

/* ---------------------------------------------------------------- the users table */

static void expect_lookup(fixture *f, const char *token, const char *name, auth_role role, const char *station,
                          const char *unit)
{
    auth_user u;
    hw_error err;
    memset(&u, 0x55, sizeof u);
    assert_int_equal(auth_lookup(f->reader, token, &u, &err), 0);
    assert_true(u.id > 0);
    assert_string_equal(u.name, name);
    assert_int_equal(u.role, role);
    assert_string_equal(u.station, station);
    assert_string_equal(u.unit_code, unit);
}

static void expect_unauthorized(fixture *f, const char *token)
{
    auth_user u;
    hw_error err;
    error_clear(&err);
    assert_int_equal(auth_lookup(f->reader, token, &u, &err), HW_EAUTH);
    assert_int_equal(err.rc, HW_EAUTH);
    assert_string_equal(err.code, "unauthorized");
}

static void test_insert_then_lookup(void **state)
{
    fixture *f = *state;
    char admin[AUTH_TOKEN_MAX], coord[AUTH_TOKEN_MAX], station[AUTH_TOKEN_MAX], rep[AUTH_TOKEN_MAX],
        child[AUTH_TOKEN_MAX];
    hw_error err;
    /* a station or unit given to a role that has none is a mistake, refused, not silently dropped */
    assert_int_equal(add_user(f, "admin", AUTH_ROLE_ADMIN, "成都东站", NULL, admin, &err), HW_EINVAL);
    assert_string_equal(err.code, "option_not_for_role");
    assert_int_equal(add_user(f, "east", AUTH_ROLE_STATION, "成都东站", "510100", station, &err), HW_EINVAL);
    assert_string_equal(err.code, "option_not_for_role");
    assert_int_equal(add_user(f, "admin", AUTH_ROLE_ADMIN, NULL, NULL, admin, &err), 0);
    assert_int_equal(add_user(f, "张主任", AUTH_ROLE_COORDINATOR, NULL, NULL, coord, &err), 0);
    assert_int_equal(add_user(f, "east", AUTH_ROLE_STATION, "成都东站", NULL, station, &err), 0);
    assert_int_equal(add_user(f, "stats", AUTH_ROLE_REPORTER, NULL, NULL, rep, &err), 0);
    assert_int_equal(add_user(f, "pingchang", AUTH_ROLE_CHILD, NULL, "511923", child, &err), 0);
    assert_int_equal(fixture_query_int(f->reader, "SELECT count(*) FROM users"), 5);

    expect_lookup(f, admin, "admin", AUTH_ROLE_ADMIN, "", "");
    expect_lookup(f, coord, "张主任", AUTH_ROLE_COORDINATOR, "", "");
    expect_lookup(f, station, "east", AUTH_ROLE_STATION, "成都东站", "");
    expect_lookup(f, rep, "stats", AUTH_ROLE_REPORTER, "", "");
    expect_lookup(f, child, "pingchang", AUTH_ROLE_CHILD, "", "511923");

    /* an invalid user is refused by the insert too, and nothing is written */
    auth_new_user bad = {.name = "nostation", .role = AUTH_ROLE_STATION};
    auth_token_new(station, bad.hash);
    assert_int_equal(store_write(f->s, auth_user_insert, &bad, &err), HW_EINVAL);
    assert_string_equal(err.code, "missing_station");
    assert_int_equal(fixture_query_int(f->reader, "SELECT count(*) FROM users"), 5);
}

static void test_wrong_and_revoked_tokens(void **state)
{
    fixture *f = *state;
    char kept[AUTH_TOKEN_MAX], revoked[AUTH_TOKEN_MAX], never[AUTH_TOKEN_MAX], too_long[AUTH_TOKEN_MAX + 8];
    uint8_t hash[AUTH_TOKEN_HASH_BYTES];
    hw_error err;
    assert_int_equal(add_user(f, "kept", AUTH_ROLE_COORDINATOR, NULL, NULL, kept, &err), 0);
    assert_int_equal(add_user(f, "gone", AUTH_ROLE_STATION, "达州站", NULL, revoked, &err), 0);
    expect_lookup(f, revoked, "gone", AUTH_ROLE_STATION, "达州站", "");

    auth_token_new(never, hash); /* never stored */
    expect_unauthorized(f, never);
    expect_unauthorized(f, "");
    expect_unauthorized(f, NULL);
    char altered[AUTH_TOKEN_MAX];
    snprintf(altered, sizeof altered, "%s", kept);
    altered[10] = altered[10] == 'A' ? 'B' : 'A';
    expect_unauthorized(f, altered);
    snprintf(altered, sizeof altered, "%.*s", TOKEN_LEN - 1, kept); /* a prefix of a real token */
    expect_unauthorized(f, altered);
    memcpy(altered, kept, TOKEN_LEN); /* a real token with a trailing space */
    altered[TOKEN_LEN] = ' ';
    altered[TOKEN_LEN + 1] = '\0';
    expect_unauthorized(f, altered);
    memset(too_long, 'A', sizeof too_long - 1); /* over AUTH_TOKEN_MAX: refused before any lookup */
    too_long[sizeof too_long - 1] = '\0';
    memcpy(too_long, kept, TOKEN_LEN);
    expect_unauthorized(f, too_long);

    assert_int_equal(store_write(f->s, revoke_job, "gone", &err), 0);
    expect_unauthorized(f, revoked);
    expect_lookup(f, kept, "kept", AUTH_ROLE_COORDINATOR, "", "");
}

/* The lookup is compiled once per connection, holds no read transaction between requests, and the
 * connection still closes (store_reader_close finalizes the cached statement). */
static void test_lookup_statement_cached(void **state)
{
    fixture *f = *state;
    char kept[AUTH_TOKEN_MAX], never[AUTH_TOKEN_MAX];
    uint8_t hash[AUTH_TOKEN_HASH_BYTES];
    sqlite3 *db = NULL;
    auth_user u;
    hw_error err;
    assert_int_equal(add_user(f, "kept", AUTH_ROLE_COORDINATOR, NULL, NULL, kept, &err), 0);
    auth_token_new(never, hash);
    assert_int_equal(store_reader(f->s, &db, &err), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(auth_lookup(db, kept, &u, &err), 0);
        assert_int_equal(auth_lookup(db, never, &u, &err), HW_EAUTH);
        assert_int_equal(sqlite3_txn_state(db, NULL), SQLITE_TXN_NONE);
    }
    sqlite3_stmt *st = sqlite3_next_stmt(db, NULL);
    assert_non_null(st);
    assert_null(sqlite3_next_stmt(db, st)); /* one statement, reused */
    assert_int_equal(store_write(f->s, revoke_job, "kept", &err), 0);
    assert_int_equal(auth_lookup(db, kept, &u, &err), HW_EAUTH); /* the cached statement sees the revocation */
    assert_int_equal(store_reader_close(db), 0);
}

static void test_duplicate_name_conflicts(void **state)
{
    fixture *f = *state;
    char first[AUTH_TOKEN_MAX], second[AUTH_TOKEN_MAX];
    hw_error err;
    assert_int_equal(add_user(f, "li", AUTH_ROLE_STATION, "巴中站", NULL, first, &err), 0);
    assert_int_equal(add_user(f, "li", AUTH_ROLE_ADMIN, NULL, NULL, second, &err), HW_ECONFLICT);
    assert_int_equal(err.rc, HW_ECONFLICT);
    assert_string_equal(err.code, "user_exists");
    assert_non_null(strstr(err.message, "li"));

    assert_int_equal(fixture_query_int(f->reader, "SELECT count(*) FROM users WHERE name = 'li'"), 1);
    expect_lookup(f, first, "li", AUTH_ROLE_STATION, "巴中站", "");
    expect_unauthorized(f, second); /* the refused user's token grants nothing */
}

static void test_token_never_stored(void **state)
{
    fixture *f = *state;
    char tokens[3][AUTH_TOKEN_MAX];
    uint8_t hash[AUTH_TOKEN_HASH_BYTES];
    hw_error err;
    assert_int_equal(add_user(f, "a", AUTH_ROLE_ADMIN, NULL, NULL, tokens[0], &err), 0);
    assert_int_equal(add_user(f, "s", AUTH_ROLE_STATION, "广元站", NULL, tokens[1], &err), 0);
    assert_int_equal(add_user(f, "c", AUTH_ROLE_CHILD, NULL, "511923", tokens[2], &err), 0);

    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->reader, "SELECT * FROM users ORDER BY id", -1, &st, NULL), SQLITE_OK);
    int rows = 0, hash_columns = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *token = tokens[rows];
        auth_token_hash(token, hash);
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const void *v = sqlite3_column_blob(st, c);
            size_t n = (size_t)sqlite3_column_bytes(st, c);
            for (int t = 0; t < 3; t++) {
                assert_false(n == strlen(tokens[t]) && memcmp(v, tokens[t], n) == 0);
                assert_false(contains(v, n, tokens[t], strlen(tokens[t])));
                assert_false(contains(v, n, tokens[t] + 3, 16)); /* not even a piece of the random part */
            }
            if (n == AUTH_TOKEN_HASH_BYTES && memcmp(v, hash, n) == 0)
                hash_columns++;
        }
        rows++;
    }
    sqlite3_finalize(st);
    assert_int_equal(rows, 3);
    assert_int_equal(hash_columns, 3); /* what is stored is the hash */

    /* nor anywhere in the files, free pages and the write-ahead log included */
    char wal[128];
    snprintf(wal, sizeof wal, "%s-wal", f->db);
    for (int t = 0; t < 3; t++) {
        assert_false(file_contains(f->db, tokens[t] + 3));
        assert_false(file_contains(wal, tokens[t] + 3));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_parse_name_round_trip),
        cmocka_unit_test(test_permission_matrix),
        cmocka_unit_test(test_token_shape_and_hash),
        cmocka_unit_test(test_validate_errors),
        cmocka_unit_test_setup_teardown(test_insert_then_lookup, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_wrong_and_revoked_tokens, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_lookup_statement_cached, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_duplicate_name_conflicts, setup, fixture_free),
        cmocka_unit_test_setup_teardown(test_token_never_stored, setup, fixture_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
