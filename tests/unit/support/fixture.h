/* fixture.h - shared setup of the unit tests: a temporary directory with a database, a key file and a campaign. */
#ifndef HW_TEST_FIXTURE_H
#define HW_TEST_FIXTURE_H

#include <stdint.h>

#include <sqlite3.h>

#include "campaign.h"
#include "divisions.h"
#include "error.h"
#include "idnumber.h"
#include "store.h"
#include "vault.h"

/* What fixture_open sets up besides the temporary directory; combine with |. */
enum {
    FIXTURE_DIR = 0,           /* only the directory (db and key hold the paths, nothing is opened) */
    FIXTURE_STORE = 1 << 0,    /* dir/test.db opened with store_open */
    FIXTURE_READER = 1 << 1,   /* a read-only connection to the store in `reader` (implies FIXTURE_STORE) */
    FIXTURE_VAULT = 1 << 2,    /* dir/test.key loaded (created) with vault_open */
    FIXTURE_CAMPAIGN = 1 << 3, /* the key bound to the store and fixture_campaign saved (implies STORE and VAULT) */
};

/* A temporary directory and whatever of the database, reader and key file was asked for. */
typedef struct fixture {
    char dir[64];
    char db[96];
    char key[96];
    store *s;
    sqlite3 *reader;
    vault v;
} fixture;

/* The campaign FIXTURE_CAMPAIGN saves: unit 510100 (成都市总工会), 2026-12-22 to 2027-02-16. */
extern const campaign_info fixture_campaign;

/* Set up `parts` (FIXTURE_*) in a fresh directory /tmp/hw-test-XXXXXX; 0, or -1 with a message and nothing left. */
int fixture_open(fixture *f, unsigned parts);

/* Close whatever fixture_open opened and remove the directory; safe on a zeroed or already closed fixture. */
void fixture_close(fixture *f);

/* A cmocka setup body: allocate a fixture into *state and fixture_open it with `parts`; 0 or -1. */
int fixture_new(void **state, unsigned parts);

/* A cmocka teardown: fixture_close and free the fixture fixture_new allocated. */
int fixture_free(void **state);

/* Remove the files directly in `dir`, then `dir` itself (the tests create no subdirectories). */
void fixture_rm_tree(const char *dir);

/* The built-in division table while a group set up with fixture_divisions_load runs (NULL otherwise). */
extern divisions *fixture_divisions;

/* A cmocka group setup: load the built-in division table into fixture_divisions; 0, or -1 with a message. */
int fixture_divisions_load(void **state);

/* A cmocka group teardown: free fixture_divisions. */
int fixture_divisions_free(void **state);

/* A valid id number: the 17 digits of `first17` plus the check character idnumber_check_char gives (asserts). */
void fixture_id_number(const char *first17, char out[IDNUMBER_LEN + 1]);

/* Adds `row` to campaign `campaign_id` on the writer thread (no cmocka asserts); sets *id to the new row's id. */
typedef int (*fixture_insert_fn)(sqlite3 *db, const vault *v, int64_t campaign_id, const void *row, int64_t *id,
                                 hw_error *err);

/*
 * One write that looks up the current campaign and runs fn(db, &f->v, campaign_id, row, &id, err).
 * Clears *err first; returns the write's result and, when `id` is not NULL, stores the id fn left (-1 if none).
 */
int fixture_insert(fixture *f, fixture_insert_fn fn, const void *row, int64_t *id, hw_error *err);

/* A write job running the SQL in `arg` with store_exec. */
int fixture_exec_job(sqlite3 *db, void *arg, hw_error *err);

/* The first column of the first row of `sql` on `db` as an integer, -1 when there is no row (asserts on errors). */
int64_t fixture_query_int(sqlite3 *db, const char *sql);

/* fixture_query_int on a reader connection of `s` opened for this one query. */
int64_t fixture_store_int(store *s, const char *sql);

#endif
