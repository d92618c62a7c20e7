/* fixture.c - shared setup of the unit tests: temporary directories, databases, key files, id numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

const campaign_info fixture_campaign = {
    .unit_code = "510100",
    .unit_name = "成都市总工会",
    .name = "2027年元旦春节送温暖",
    .from = "2026-12-22",
    .to = "2027-02-16",
};

divisions *fixture_divisions;

/* The state of one fixture_insert. */
typedef struct insert_job {
    fixture_insert_fn fn;
    const vault *v;
    const void *row;
    int64_t id;
} insert_job;

int fixture_open(fixture *f, unsigned parts)
{
    hw_error err;
    int rc = 0;
    memset(f, 0, sizeof *f);
    if (parts & FIXTURE_CAMPAIGN)
        parts |= FIXTURE_STORE | FIXTURE_VAULT;
    if (parts & FIXTURE_READER)
        parts |= FIXTURE_STORE;
    snprintf(f->dir, sizeof f->dir, "/tmp/hw-test-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        perror("fixture: mkdtemp");
        f->dir[0] = '\0';
        return -1;
    }
    snprintf(f->db, sizeof f->db, "%s/test.db", f->dir);
    snprintf(f->key, sizeof f->key, "%s/test.key", f->dir);
    error_clear(&err);
    if (parts & FIXTURE_STORE)
        rc = store_open(f->db, &f->s, &err);
    if (rc == 0 && (parts & FIXTURE_VAULT))
        rc = vault_open(f->key, &f->v, &err);
    if (rc == 0 && (parts & FIXTURE_CAMPAIGN))
        rc = store_write(f->s, vault_bind, &f->v, &err);
    if (rc == 0 && (parts & FIXTURE_CAMPAIGN)) {
        campaign_info c = fixture_campaign;
        rc = store_write(f->s, campaign_save, &c, &err);
    }
    if (rc == 0 && (parts & FIXTURE_READER))
        rc = store_reader(f->s, &f->reader, &err);
    if (rc != 0) {
        fprintf(stderr, "fixture: %s %s\n", err.code, err.message);
        fixture_close(f);
        return -1;
    }
    return 0;
}

void fixture_close(fixture *f)
{
    store_reader_close(f->reader);
    f->reader = NULL;
    store_close(f->s);
    f->s = NULL;
    vault_wipe(&f->v);
    if (f->dir[0] != '\0')
        fixture_rm_tree(f->dir);
    f->dir[0] = '\0';
}

int fixture_new(void **state, unsigned parts)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (fixture_open(f, parts) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int fixture_free(void **state)
{
    fixture *f = *state;
    fixture_close(f);
    free(f);
    return 0;
}

void fixture_rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char file[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        unlink(file);
    }
    closedir(d);
    rmdir(dir);
}

int fixture_divisions_load(void **state)
{
    hw_error err;
    (void)state;
    if (divisions_load_default(&fixture_divisions, &err) != 0) {
        fprintf(stderr, "divisions: %s\n", err.message);
        return -1;
    }
    return 0;
}

int fixture_divisions_free(void **state)
{
    (void)state;
    divisions_free(fixture_divisions);
    fixture_divisions = NULL;
    return 0;
}

void fixture_id_number(const char *first17, char out[IDNUMBER_LEN + 1])
{
    assert_int_equal(strlen(first17), 17);
    char check = idnumber_check_char(first17);
    assert_true(check != 0);
    snprintf(out, IDNUMBER_LEN + 1, "%s%c", first17, check);
}

/* Runs on the writer thread: no cmocka asserts here. */
static int insert_job_run(sqlite3 *db, void *arg, hw_error *err)
{
    insert_job *j = arg;
    int64_t campaign_id = 0;
    int rc = campaign_current_id(db, &campaign_id, err);
    return rc != 0 ? rc : j->fn(db, j->v, campaign_id, j->row, &j->id, err);
}

int fixture_insert(fixture *f, fixture_insert_fn fn, const void *row, int64_t *id, hw_error *err)
{
    insert_job j = {.fn = fn, .v = &f->v, .row = row, .id = -1};
    error_clear(err);
    int rc = store_write(f->s, insert_job_run, &j, err);
    if (id != NULL)
        *id = j.id;
    return rc;
}

int fixture_exec_job(sqlite3 *db, void *arg, hw_error *err)
{
    return store_exec(db, arg, err);
}

int64_t fixture_query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

int64_t fixture_store_int(store *s, const char *sql)
{
    hw_error err;
    sqlite3 *db = NULL;
    assert_int_equal(store_reader(s, &db, &err), 0);
    int64_t v = fixture_query_int(db, sql);
    sqlite3_close(db);
    return v;
}
