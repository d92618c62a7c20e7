/* ceiling.c - SQLite's bulk-insert ceiling for the registrations table, fed the rows of a gen-registrations CSV. */
/*
 * usage: ceiling DB CSV [variant...]
 *        ceiling --narrow DB N
 *
 * DB is a fresh database made by `homeward init`, so the table, its four indexes, the page size and the
 * campaign row are exactly the program's. The connection is configured like the store's writer (WAL,
 * synchronous=FULL, foreign_keys=ON, cache_size=-65536) and every row goes through one prepared INSERT,
 * values bound SQLITE_STATIC, in one BEGIN IMMEDIATE ... COMMIT. The values have the widths the importer
 * stores: the CSV's texts, 16 random bytes for the blind index (a keyed hash is random, so index inserts
 * land anywhere), 58 and 51 random bytes for the sealed id and phone, masks of the same length, a timestamp.
 * What it leaves out is the work the importer adds: decoding, validation, division lookup, hashing and
 * sealing. Variants, to price one change at a time:
 *   --savepoints         wrap the inserts in the store's and the importer's nested savepoints
 *   --no-indexes         drop the four indexes first (the table alone)
 *   --defer-indexes      drop them inside the transaction and create them again after the last row
 *   --defer-nonunique    the same for the two non-unique indexes only (the unique ones still catch duplicates)
 *   --cache-kib N        page cache size (default 65536, the store's)
 *   --page-size N        rebuild the (empty) database with this page size first
 *   --sync LEVEL         synchronous=LEVEL (default FULL, the store's)
 *   --no-memstatus       sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0): no global mutex around every malloc
 *   --no-secure-delete   PRAGMA secure_delete=OFF (Debian builds SQLite with it on)
 *   --no-fk              PRAGMA foreign_keys=OFF
 * --narrow is the textbook figure for comparison: N rows of (integer, 20-byte text) into a new table
 * with no index, same pragmas; DB is created.
 *
 * Prints one line: "ceiling rows=N seconds=S rows_per_second=R insert_s=I commit_s=C" where S is
 * BEGIN..COMMIT, I the row loop and C the rest (index builds, COMMIT with its checkpoint).
 * Built by scripts/bench/import; reads only CSVs without quotes (gen-registrations writes none).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOLS 11
#define INDEX_BYTES 16
#define SEALED_ID_BYTES 58    /* 24-byte nonce + 18 + 16-byte tag */
#define SEALED_PHONE_BYTES 51 /* 24-byte nonce + 11 + 16-byte tag */

typedef struct options {
    int savepoints, no_indexes, defer_indexes, defer_nonunique, no_memstatus, no_secure_delete, no_fk;
    int cache_kib, page_size;
    const char *sync;
} options;

#define MAX_INDEXES 16

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

/* xorshift64*: fast enough to cost nothing next to a B-tree insert. */
static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static void random_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = rng_next();
        memcpy(p + i, &r, n - i < 8 ? n - i : 8);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "ceiling: %s: %s\n", what, db != NULL ? sqlite3_errmsg(db) : "failed");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(db, sql);
}

/* Split a line in place on commas; returns the number of fields. */
static int split(char *line, char *f[NCOLS])
{
    int n = 0;
    for (char *p = line; n < NCOLS; n++) {
        f[n] = p;
        char *c = strchr(p, ',');
        if (c == NULL)
            return n + 1;
        *c = '\0';
        p = c + 1;
    }
    return n + 1; /* more fields than columns */
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v[0] != '\0')
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Values computed for one row; bound with SQLITE_STATIC, so they live until the step. */
typedef struct row_values {
    uint8_t index[INDEX_BYTES], id_sealed[SEALED_ID_BYTES], phone_sealed[SEALED_PHONE_BYTES];
    char id_masked[24], phone_masked[24];
} row_values;

/*
 * Bind one CSV row (ref, name, id, phone, employer, destination, earliest, latest, party, tags, migrant).
 * Everything is bound SQLITE_STATIC (the line and v outlive the step): SQLite copies nothing twice.
 */
static void bind_row(sqlite3_stmt *st, char *f[NCOLS], row_values *v, const char *now)
{
    bind_text_or_null(st, 2, f[0]);
    sqlite3_bind_text(st, 3, f[1], -1, SQLITE_STATIC);
    random_bytes(v->index, INDEX_BYTES);
    sqlite3_bind_blob(st, 4, v->index, INDEX_BYTES, SQLITE_STATIC);
    random_bytes(v->id_sealed, SEALED_ID_BYTES);
    sqlite3_bind_blob(st, 5, v->id_sealed, SEALED_ID_BYTES, SQLITE_STATIC);
    snprintf(v->id_masked, sizeof v->id_masked, "%.4s**********%.4s", f[2], f[2] + 14);
    sqlite3_bind_text(st, 6, v->id_masked, -1, SQLITE_STATIC);
    if (f[3][0] != '\0') {
        random_bytes(v->phone_sealed, SEALED_PHONE_BYTES);
        sqlite3_bind_blob(st, 7, v->phone_sealed, SEALED_PHONE_BYTES, SQLITE_STATIC);
        snprintf(v->phone_masked, sizeof v->phone_masked, "%.3s****%.4s", f[3], f[3] + 7);
        sqlite3_bind_text(st, 8, v->phone_masked, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 7);
        sqlite3_bind_null(st, 8);
    }
    bind_text_or_null(st, 9, f[4]);
    sqlite3_bind_int(st, 10, strcmp(f[10], "否") != 0);
    /* a full name becomes a code in the importer; the column only needs six characters */
    sqlite3_bind_text(st, 11, strlen(f[5]) == 6 ? f[5] : "511923", -1, SQLITE_STATIC);
    bind_text_or_null(st, 12, f[6]);
    bind_text_or_null(st, 13, f[7]);
    bind_text_or_null(st, 14, f[8]);
    sqlite3_bind_int(st, 15, f[9][0] != '\0');
    sqlite3_bind_int(st, 16, f[9][0] != '\0');
    sqlite3_bind_text(st, 17, now, -1, SQLITE_STATIC);
}

static sqlite3 *open_db(const char *path, const options *o)
{
    sqlite3 *db = NULL;
    char sql[256];
    if (o->no_memstatus)
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die(db, "open");
    if (o->page_size > 0) {
        snprintf(sql, sizeof sql, "PRAGMA journal_mode=DELETE; PRAGMA page_size=%d; VACUUM;", o->page_size);
        exec(db, sql);
    }
    snprintf(sql, sizeof sql,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=%s; PRAGMA cache_size=-%d;"
             "PRAGMA secure_delete=%s;",
             o->sync, o->no_fk ? "OFF" : "ON", o->cache_kib, o->no_secure_delete ? "OFF" : "ON");
    exec(db, sql);
    if (o->no_indexes)
        exec(db, "DROP INDEX registrations_by_name; DROP INDEX registrations_by_party;"
                 "DROP INDEX registrations_one_per_person; DROP INDEX registrations_by_ref;");
    return db;
}

static sqlite3_stmt *prepare_insert(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(
            db,
            "INSERT INTO registrations(campaign_id, ref, name, id_index, id_sealed, id_masked, phone_sealed, "
            "phone_masked, employer, migrant, destination, earliest, latest, party, tags, priority, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
            -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(db, "prepare");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT max(id) FROM campaign", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW || sqlite3_column_type(q, 0) == SQLITE_NULL)
        die(db, "no campaign: run homeward init first");
    sqlite3_bind_int64(st, 1, sqlite3_column_int64(q, 0));
    sqlite3_finalize(q);
    return st;
}

static void parse_options(int argc, char **argv, options *o)
{
    *o = (options){.cache_kib = 65536, .sync = "FULL"};
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--savepoints") == 0)
            o->savepoints = 1;
        else if (strcmp(argv[i], "--no-indexes") == 0)
            o->no_indexes = 1;
        else if (strcmp(argv[i], "--defer-indexes") == 0)
            o->defer_indexes = 1;
        else if (strcmp(argv[i], "--defer-nonunique") == 0)
            o->defer_nonunique = 1;
        else if (strcmp(argv[i], "--no-memstatus") == 0)
            o->no_memstatus = 1;
        else if (strcmp(argv[i], "--no-secure-delete") == 0)
            o->no_secure_delete = 1;
        else if (strcmp(argv[i], "--no-fk") == 0)
            o->no_fk = 1;
        else if (strcmp(argv[i], "--cache-kib") == 0 && i + 1 < argc)
            o->cache_kib = atoi(argv[++i]);
        else if (strcmp(argv[i], "--page-size") == 0 && i + 1 < argc)
            o->page_size = atoi(argv[++i]);
        else if (strcmp(argv[i], "--sync") == 0 && i + 1 < argc)
            o->sync = argv[++i];
        else {
            fprintf(stderr,
                    "usage: ceiling DB CSV [--savepoints] [--no-indexes] [--defer-indexes] [--defer-nonunique]\n"
                    "         [--cache-kib N] [--page-size N] [--sync LEVEL] [--no-memstatus]\n"
                    "         [--no-secure-delete] [--no-fk]\n"
                    "       ceiling --narrow DB N\n");
            exit(2);
        }
    }
}

/* The CREATE INDEX statements of the registrations table (all, or the non-unique ones) into sql[] (malloced). */
static int index_sql(sqlite3 *db, int nonunique, char *sql[MAX_INDEXES])
{
    sqlite3_stmt *q = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(db,
                           nonunique ? "SELECT sql FROM sqlite_master WHERE type = 'index' AND "
                                       "tbl_name = 'registrations' AND sql NOT LIKE 'CREATE UNIQUE%'"
                                     : "SELECT sql FROM sqlite_master WHERE type = 'index' AND "
                                       "tbl_name = 'registrations' AND sql IS NOT NULL",
                           -1, &q, NULL) != SQLITE_OK)
        die(db, "indexes");
    while (n < MAX_INDEXES && sqlite3_step(q) == SQLITE_ROW)
        sql[n++] = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return n;
}

/* Drop the table's indexes inside the open transaction; their definitions stay in sql[]. */
static int drop_indexes(sqlite3 *db, int nonunique, char *sql[MAX_INDEXES])
{
    int n = index_sql(db, nonunique, sql);
    for (int i = 0; i < n; i++) {
        char drop[200];
        const char *name = strstr(sql[i], "INDEX ") + 6; /* CREATE [UNIQUE] INDEX name ON ... */
        snprintf(drop, sizeof drop, "DROP INDEX %.*s", (int)strcspn(name, " "), name);
        exec(db, drop);
    }
    return n;
}

/* N narrow rows into a new table without indexes: what "SQLite inserts several hundred thousand rows/s" means. */
static int narrow(const char *path, long n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    static const char text[] = "abcdefghijklmnopqrst";
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die(db, "open");
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
             "CREATE TABLE narrow (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT NOT NULL)");
    if (sqlite3_prepare_v2(db, "INSERT INTO narrow(a, b) VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK)
        die(db, "prepare");
    double t0 = now_s();
    exec(db, "BEGIN IMMEDIATE");
    for (long i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_text(st, 2, text, sizeof text - 1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            die(db, "insert");
        sqlite3_reset(st);
    }
    double t1 = now_s();
    exec(db, "COMMIT");
    double t2 = now_s();
    printf("ceiling rows=%ld seconds=%.3f rows_per_second=%.0f insert_s=%.3f commit_s=%.3f\n", n, t2 - t0,
           n / (t2 - t0), t1 - t0, t2 - t1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    if (argc == 4 && strcmp(argv[1], "--narrow") == 0)
        return narrow(argv[2], atol(argv[3]));
    if (argc < 3)
        parse_options(0, argv, &o); /* prints the usage */
    parse_options(argc, argv, &o);
    FILE *in = fopen(argv[2], "r");
    if (in == NULL) {
        perror(argv[2]);
        return 1;
    }
    sqlite3 *db = open_db(argv[1], &o);
    sqlite3_stmt *st = prepare_insert(db);
    char *line = NULL, *f[NCOLS];
    row_values values;
    size_t cap = 0, rows = 0;
    ssize_t len;
    const char *now = "2026-12-01T09:30:00+08:00";
    char *indexes[MAX_INDEXES];
    int nindexes = 0;
    double t0 = now_s();
    exec(db, o.savepoints ? "BEGIN IMMEDIATE; SAVEPOINT job; SAVEPOINT import;" : "BEGIN IMMEDIATE");
    if (o.defer_indexes || o.defer_nonunique)
        nindexes = drop_indexes(db, o.defer_nonunique, indexes);
    for (size_t lineno = 1; (len = getline(&line, &cap, in)) > 0; lineno++) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1 || len == 0)
            continue; /* the header */
        if (strchr(line, '"') != NULL || split(line, f) != NCOLS) {
            fprintf(stderr, "ceiling: line %zu is not a plain %d-field row\n", lineno, NCOLS);
            return 1;
        }
        bind_row(st, f, &values, now);
        if (sqlite3_step(st) != SQLITE_DONE)
            die(db, "insert");
        sqlite3_reset(st);
        rows++;
    }
    double t1 = now_s();
    for (int i = 0; i < nindexes; i++) {
        exec(db, indexes[i]);
        free(indexes[i]);
    }
    exec(db, o.savepoints ? "RELEASE import; RELEASE job; COMMIT" : "COMMIT");
    double t2 = now_s();
    printf("ceiling rows=%zu seconds=%.3f rows_per_second=%.0f insert_s=%.3f commit_s=%.3f\n", rows, t2 - t0,
           rows / (t2 - t0), t1 - t0, t2 - t1);
    free(line);
    fclose(in);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}
