/* registry.c - lists, reads, merges, updates and deletes of registrations, transports, purchases and subsidies. */
#include "registry.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h"

/* Every list binds limit and offset to these parameter numbers (the filters use ?1..?19). */
#define LIMIT_PARAM 20
#define OFFSET_PARAM 21

/* ------------------------------------------------------------------ shared helpers */

static void col_copy(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", v != NULL ? (const char *)v : "");
}

/* Bind `v`, or NULL when it is NULL or empty. */
static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v != NULL && v[0] != '\0')
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_fen(sqlite3_stmt *st, int i, int64_t fen)
{
    if (fen >= 0)
        sqlite3_bind_int64(st, i, fen);
    else
        sqlite3_bind_null(st, i);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *what, hw_error *err)
{
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    return rc == SQLITE_OK ? 0 : store_error(db, rc, what, err);
}

/* Step a statement that returns no rows, then finalize it. */
static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, hw_error *err)
{
    int rc = sqlite3_step(st);
    int out = rc == SQLITE_DONE ? 0 : store_error(db, rc, what, err);
    sqlite3_finalize(st);
    return out;
}

static int not_found(hw_error *err, const char *zh, const char *en)
{
    return error_set(err, HW_ENOTFOUND, "not_found", "找不到该%s (no such %s)", zh, en);
}

static int invalid(hw_error *err)
{
    return error_set(err, HW_EINVAL, "invalid_fields", "修改后的记录不符合规则 (the changed record breaks a rule)");
}

/* How a list finds its rows: the count and page statements, their filter binding and the row reader. */
typedef struct list_spec {
    const char *what;
    const char *count_sql;
    const char *page_sql;
    void (*bind)(sqlite3_stmt *st, int64_t campaign_id, const void *filter);
    int (*row)(sqlite3_stmt *st, void *sink); /* non-zero stops */
} list_spec;

static int count_rows(sqlite3 *db, const list_spec *spec, int64_t campaign_id, const void *filter, int64_t *total,
                      hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, spec->count_sql, &st, spec->what, err);
    if (rc != 0)
        return rc;
    spec->bind(st, campaign_id, filter);
    rc = sqlite3_step(st);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int out = rc == SQLITE_ROW ? 0 : store_error(db, rc, spec->what, err);
    sqlite3_finalize(st);
    return out;
}

static int page_rows(sqlite3 *db, const list_spec *spec, int64_t campaign_id, const void *filter, registry_page page,
                     void *sink, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, spec->page_sql, &st, spec->what, err);
    if (rc != 0)
        return rc;
    spec->bind(st, campaign_id, filter);
    sqlite3_bind_int64(st, LIMIT_PARAM, page.limit);
    sqlite3_bind_int64(st, OFFSET_PARAM, page.offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (spec->row(st, sink) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    int out = rc == SQLITE_DONE ? 0 : store_error(db, rc, spec->what, err);
    sqlite3_finalize(st);
    return out;
}

/* Count and page in one read transaction (when none is open) so `total` and the rows agree. */
static int run_list(sqlite3 *db, const list_spec *spec, int64_t campaign_id, const void *filter, registry_page page,
                    void *sink, int64_t *total, hw_error *err)
{
    hw_error ignored;
    bool own = sqlite3_get_autocommit(db) != 0;
    if (own && store_exec(db, "BEGIN", err) != 0)
        return err->rc;
    int rc = count_rows(db, spec, campaign_id, filter, total, err);
    if (rc == 0)
        rc = page_rows(db, spec, campaign_id, filter, page, sink, err);
    if (own)
        store_exec(db, "COMMIT", &ignored);
    return rc;
}

/* Read one row with `sql` (?1 = campaign, ?2 = key) through `row`; HW_ENOTFOUND when there is none. */
static int get_one(sqlite3 *db, const char *sql, int64_t campaign_id, const char *text_key, int64_t int_key,
                   int (*row)(sqlite3_stmt *st, void *sink), void *sink, const char *what, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, sql, &st, what, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, campaign_id);
    if (text_key != NULL)
        sqlite3_bind_text(st, 2, text_key, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 2, int_key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row(st, sink);
    int out = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? HW_ENOTFOUND : store_error(db, rc, what, err);
    sqlite3_finalize(st);
    return out;
}

/* A kind's cross-field check and a way to clear one field so the check can look further. */
typedef struct checker {
    int (*check)(const void *rec, const void *env, int *bad, hw_error *err);
    int (*clear)(void *rec, int field, const void *env);
} checker;

/* Run the check again and again, clearing each offending field, until it passes or repeats itself. */
static int collect(void *copy, const void *env, const checker *c, registry_problem *out, int max)
{
    int n = 0;
    while (n < max) {
        int bad = -1;
        hw_error e;
        error_clear(&e);
        if (c->check(copy, env, &bad, &e) == 0 || bad < 0)
            break;
        bool seen = false;
        for (int i = 0; i < n; i++)
            seen = seen || out[i].field == bad;
        if (seen)
            break;
        out[n].field = bad;
        out[n].err = e;
        n++;
        if (c->clear(copy, bad, env) != 0)
            break;
    }
    return n;
}

/* ------------------------------------------------------------------ registrations */

#define REG_COLS                                                                                                       \
    "id, ref, name, id_masked, phone_masked, employer, migrant, destination, earliest, latest, party, tags, "          \
    "priority, status, created_at, updated_at"
#define REG_WHERE                                                                                                      \
    " FROM registrations WHERE campaign_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR instr(name, ?3) "   \
    "> 0 OR ref = ?3 OR substr(phone_masked, -4) = ?4 OR substr(id_masked, -4) = ?5) AND (?6 IS NULL OR "              \
    "substr(destination, 1, length(?6)) = ?6) AND (?7 IS NULL OR party = ?7) AND (?8 = 0 OR (tags & ?8) <> 0)"

static void read_reg(sqlite3_stmt *st, registry_reg *out)
{
    registration *r = &out->reg;
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    col_copy(st, 1, r->ref, sizeof r->ref);
    col_copy(st, 2, r->name, sizeof r->name);
    col_copy(st, 3, out->id_masked, sizeof out->id_masked);
    col_copy(st, 4, out->phone_masked, sizeof out->phone_masked);
    col_copy(st, 5, r->employer, sizeof r->employer);
    r->migrant = sqlite3_column_int(st, 6) != 0;
    col_copy(st, 7, r->destination, sizeof r->destination);
    col_copy(st, 8, r->earliest, sizeof r->earliest);
    col_copy(st, 9, r->latest, sizeof r->latest);
    col_copy(st, 10, r->party, sizeof r->party);
    r->tags = (unsigned)sqlite3_column_int(st, 11);
    out->priority = sqlite3_column_int(st, 12);
    col_copy(st, 13, out->status, sizeof out->status);
    col_copy(st, 14, out->created_at, sizeof out->created_at);
    col_copy(st, 15, out->updated_at, sizeof out->updated_at);
}

/* q as the last 4 of a phone: 4 ASCII digits. */
static bool is_phone_tail(const char *q)
{
    return q != NULL && strlen(q) == 4 && strspn(q, "0123456789") == 4;
}

/* q as the last 4 of an id number: 3 digits then a digit or X, upper-cased into buf. */
static bool id_tail(const char *q, char buf[5])
{
    if (q == NULL || strlen(q) != 4 || strspn(q, "0123456789") < 3)
        return false;
    if (q[3] != 'x' && q[3] != 'X' && (q[3] < '0' || q[3] > '9'))
        return false;
    memcpy(buf, q, 4);
    buf[3] = q[3] == 'x' ? 'X' : q[3];
    buf[4] = '\0';
    return true;
}

static void bind_reg_filter(sqlite3_stmt *st, int64_t campaign_id, const void *filter)
{
    const registry_reg_filter *f = filter;
    char tail[5];
    sqlite3_bind_int64(st, 1, campaign_id);
    bind_opt(st, 2, f->status);
    bind_opt(st, 3, f->q);
    bind_opt(st, 4, is_phone_tail(f->q) ? f->q : NULL);
    bind_opt(st, 5, id_tail(f->q, tail) ? tail : NULL);
    bind_opt(st, 6, f->dest_prefix);
    bind_opt(st, 7, f->party);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)f->tags);
}

typedef struct reg_sink {
    registry_reg_fn each;
    void *data;
} reg_sink;

static int reg_row(sqlite3_stmt *st, void *sink)
{
    reg_sink *s = sink;
    registry_reg row;
    read_reg(st, &row);
    return s->each(&row, s->data);
}

int registry_reg_list(sqlite3 *db, int64_t campaign_id, const registry_reg_filter *f, registry_page page,
                      registry_reg_fn each, void *data, int64_t *total, hw_error *err)
{
    static const list_spec spec = {"registrations", "SELECT count(*)" REG_WHERE,
                                   "SELECT " REG_COLS REG_WHERE " ORDER BY id LIMIT ?20 OFFSET ?21", bind_reg_filter,
                                   reg_row};
    reg_sink sink = {each, data};
    return run_list(db, &spec, campaign_id, f, page, &sink, total, err);
}

static int reg_into(sqlite3_stmt *st, void *out)
{
    read_reg(st, out);
    return 0;
}

int registry_reg_get(sqlite3 *db, int64_t campaign_id, int64_t id, registry_reg *out, hw_error *err)
{
    int rc = get_one(db, "SELECT " REG_COLS " FROM registrations WHERE campaign_id = ?1 AND id = ?2", campaign_id, NULL,
                     id, reg_into, out, "registrations", err);
    return rc == HW_ENOTFOUND ? not_found(err, "登记", "registration") : rc;
}

static int reg_check(const void *rec, const void *env, int *bad, hw_error *err)
{
    reg_field f = REG_NFIELDS;
    int rc = registration_check(rec, env, &f, err);
    *bad = (int)f;
    return rc;
}

static int reg_clear(void *rec, int field, const void *env)
{
    return registration_set(rec, (reg_field)field, "", env, NULL);
}

int registry_reg_problems(const registration *r, const registration_env *env, registry_problem *out, int max)
{
    static const checker c = {reg_check, reg_clear};
    registration copy = *r;
    int n = collect(&copy, env, &c, out, max);
    sodium_memzero(&copy, sizeof copy);
    return n;
}

registry_reg_job *registry_reg_job_new(const vault *v, const divisions *d, const campaign_info *c, int64_t campaign_id)
{
    registry_reg_job *job = calloc(1, sizeof *job);
    if (job == NULL)
        return NULL;
    job->vault = v;
    job->campaign = *c;
    job->campaign_id = campaign_id;
    job->env = (registration_env){.divisions = d, .campaign = &job->campaign, .today = clock_today()};
    registration_init(&job->input);
    return job;
}

void registry_reg_job_free(void *job)
{
    if (job == NULL)
        return;
    sodium_memzero(job, sizeof(registry_reg_job));
    free(job);
}

int registry_reg_create(sqlite3 *db, void *arg, hw_error *err)
{
    registry_reg_job *job = arg;
    registrations_writer *w = NULL;
    int rc = registrations_writer_open(db, job->vault, job->campaign_id, &w, err);
    if (rc != 0)
        return rc;
    rc = registrations_writer_add(w, &job->input, &job->id, &job->conflict_id, err);
    registrations_writer_close(w);
    return rc != 0 ? rc : registry_reg_get(db, job->campaign_id, job->id, &job->row, err);
}

/* Open the sealed id number (and the phone when `phone` is not NULL) of registration `id`. */
static int unseal_reg(sqlite3 *db, const vault *v, int64_t id, char id_number[IDNUMBER_LEN + 1], char *phone,
                      size_t phone_cap, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, "SELECT id_sealed, phone_sealed FROM registrations WHERE id = ?1", &st, "registrations", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? not_found(err, "登记", "registration") : store_error(db, rc, "registrations", err);
        sqlite3_finalize(st);
        return rc;
    }
    rc = vault_unseal(v, "id", sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), id_number,
                      IDNUMBER_LEN + 1, err);
    if (rc == 0 && phone != NULL) {
        phone[0] = '\0';
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            rc = vault_unseal(v, "phone", sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), phone,
                              phone_cap, err);
    }
    sqlite3_finalize(st);
    return rc;
}

static void reg_copy_field(registration *dst, const registration *src, reg_field f)
{
    switch (f) {
    case REG_REF:
        memcpy(dst->ref, src->ref, sizeof dst->ref);
        break;
    case REG_NAME:
        memcpy(dst->name, src->name, sizeof dst->name);
        break;
    case REG_ID_NUMBER:
        memcpy(dst->id_number, src->id_number, sizeof dst->id_number);
        break;
    case REG_PHONE:
        memcpy(dst->phone, src->phone, sizeof dst->phone);
        break;
    case REG_EMPLOYER:
        memcpy(dst->employer, src->employer, sizeof dst->employer);
        break;
    case REG_DESTINATION:
        memcpy(dst->destination, src->destination, sizeof dst->destination);
        break;
    case REG_EARLIEST:
        memcpy(dst->earliest, src->earliest, sizeof dst->earliest);
        break;
    case REG_LATEST:
        memcpy(dst->latest, src->latest, sizeof dst->latest);
        break;
    case REG_PARTY:
        memcpy(dst->party, src->party, sizeof dst->party);
        break;
    case REG_TAGS:
        dst->tags = src->tags;
        break;
    case REG_MIGRANT:
        dst->migrant = src->migrant;
        break;
    default:
        break;
    }
}

/* The first id of a row other than `self` that `sql` (?1 campaign, ?2 value, ?3 self) finds, or 0. */
static int64_t other_row(sqlite3 *db, const char *sql, int64_t campaign_id, const void *value, int len, int64_t self)
{
    sqlite3_stmt *st = NULL;
    int64_t found = 0;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, campaign_id);
    if (len >= 0)
        sqlite3_bind_blob(st, 2, value, len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, self);
    if (sqlite3_step(st) == SQLITE_ROW)
        found = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return found;
}

/* Which unique rule would the merged record break: another active registration of the person, or the ref. */
static int reg_conflict(sqlite3 *db, registry_reg_job *job, const registration *r, const uint8_t *index, hw_error *err)
{
    if (strcmp(job->row.status, "active") == 0)
        job->conflict_id = other_row(db,
                                     "SELECT id FROM registrations WHERE campaign_id = ?1 AND id_index = ?2 AND "
                                     "status = 'active' AND id <> ?3",
                                     job->campaign_id, index, VAULT_INDEX_BYTES, job->id);
    if (job->conflict_id != 0)
        return error_set(err, HW_ECONFLICT, "duplicate_id_number",
                         "此身份证号在本活动中已登记 (this id number is already registered in the campaign)");
    if (r->ref[0] != '\0' &&
        other_row(db, "SELECT id FROM registrations WHERE campaign_id = ?1 AND ref = ?2 AND id <> ?3", job->campaign_id,
                  r->ref, -1, job->id) != 0)
        return error_set(err, HW_ECONFLICT, "duplicate_ref", "编号 %s 已被使用 (ref already used)", r->ref);
    return 0;
}

static int bind_sealed(sqlite3_stmt *st, int col, const vault *v, const char *purpose, const char *plain, hw_error *err)
{
    uint8_t sealed[VAULT_SEALED_MAX];
    size_t n = 0;
    if (plain[0] == '\0') {
        sqlite3_bind_null(st, col);
        return 0;
    }
    int rc = vault_seal(v, purpose, plain, sealed, sizeof sealed, &n, err);
    if (rc == 0)
        sqlite3_bind_blob(st, col, sealed, (int)n, SQLITE_TRANSIENT);
    return rc;
}

/* Bind the personal data of `r`: blind index, sealed and masked id number and phone (?4..?8). */
static int bind_personal(sqlite3_stmt *st, const vault *v, const registration *r, const uint8_t *index, hw_error *err)
{
    char masked_id[IDNUMBER_LEN + 1], masked_phone[24];
    idnumber_mask(r->id_number, masked_id);
    idnumber_mask_phone(r->phone, masked_phone, sizeof masked_phone);
    sqlite3_bind_blob(st, 4, index, VAULT_INDEX_BYTES, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, masked_id, -1, SQLITE_TRANSIENT);
    bind_opt(st, 8, masked_phone);
    int rc = bind_sealed(st, 5, v, "id", r->id_number, err);
    return rc != 0 ? rc : bind_sealed(st, 7, v, "phone", r->phone, err);
}

static int reg_store(sqlite3 *db, registry_reg_job *job, const registration *r, const uint8_t *index, hw_error *err)
{
    char now[32];
    sqlite3_stmt *st = NULL;
    int rc = prepare(db,
                     "UPDATE registrations SET ref = ?2, name = ?3, id_index = ?4, id_sealed = ?5, id_masked = ?6, "
                     "phone_sealed = ?7, phone_masked = ?8, employer = ?9, migrant = ?10, destination = ?11, "
                     "earliest = ?12, latest = ?13, party = ?14, tags = ?15, priority = ?16, updated_at = ?17 "
                     "WHERE id = ?1",
                     &st, "registrations", err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    sqlite3_bind_int64(st, 1, job->id);
    bind_opt(st, 2, r->ref);
    sqlite3_bind_text(st, 3, r->name, -1, SQLITE_TRANSIENT);
    if ((rc = bind_personal(st, job->vault, r, index, err)) != 0) {
        sqlite3_finalize(st);
        return rc;
    }
    bind_opt(st, 9, r->employer);
    sqlite3_bind_int(st, 10, r->migrant);
    sqlite3_bind_text(st, 11, r->destination, -1, SQLITE_TRANSIENT);
    bind_opt(st, 12, r->earliest);
    bind_opt(st, 13, r->latest);
    bind_opt(st, 14, r->party);
    sqlite3_bind_int(st, 15, (int)r->tags);
    sqlite3_bind_int(st, 16, registration_priority(r->tags));
    sqlite3_bind_text(st, 17, now, -1, SQLITE_TRANSIENT);
    return step_done(db, st, "registrations", err);
}

/* Merge, check and store; `merged` holds personal data and is wiped by the caller. */
static int reg_update(sqlite3 *db, registry_reg_job *job, registration *merged, hw_error *err)
{
    uint8_t index[VAULT_INDEX_BYTES];
    int rc = registry_reg_get(db, job->campaign_id, job->id, &job->row, err);
    if (rc != 0)
        return rc;
    *merged = job->row.reg;
    rc = unseal_reg(db, job->vault, job->id, merged->id_number, merged->phone, sizeof merged->phone, err);
    if (rc != 0)
        return rc;
    for (int f = 0; f < REG_NFIELDS; f++)
        if (job->fields & (1u << f))
            reg_copy_field(merged, &job->input, (reg_field)f);
    job->nproblems = registry_reg_problems(merged, &job->env, job->problems, REGISTRY_MAX_PROBLEMS);
    if (job->nproblems > 0)
        return invalid(err);
    vault_index(job->vault, "id", merged->id_number, index);
    if ((rc = reg_conflict(db, job, merged, index, err)) != 0)
        return rc;
    if ((rc = reg_store(db, job, merged, index, err)) != 0)
        return rc;
    return registry_reg_get(db, job->campaign_id, job->id, &job->row, err);
}

int registry_reg_update(sqlite3 *db, void *arg, hw_error *err)
{
    registration merged;
    int rc = reg_update(db, arg, &merged, err);
    sodium_memzero(&merged, sizeof merged);
    return rc;
}

int registry_reg_withdraw(sqlite3 *db, void *arg, hw_error *err)
{
    registry_reg_job *job = arg;
    char now[32];
    sqlite3_stmt *st = NULL;
    int rc = registry_reg_get(db, job->campaign_id, job->id, &job->row, err);
    if (rc != 0 || strcmp(job->row.status, "withdrawn") == 0)
        return rc;
    rc = prepare(db, "UPDATE registrations SET status = 'withdrawn', updated_at = ?2 WHERE id = ?1", &st,
                 "registrations", err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    sqlite3_bind_int64(st, 1, job->id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(db, st, "registrations", err)) != 0)
        return rc;
    /* a withdrawn person gives the seat back: the issued ticket is cancelled (a boarded one stays as it happened) */
    rc = prepare(db, "UPDATE tickets SET status = 'cancelled', updated_at = ?2 WHERE registration_id = ?1 AND "
                     "status = 'issued'",
                 &st, "tickets", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job->id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    rc = step_done(db, st, "tickets", err);
    return rc != 0 ? rc : registry_reg_get(db, job->campaign_id, job->id, &job->row, err);
}

/* One row of the audit trail (DESIGN §6: every view of a full id number is audited). */
static int audit(sqlite3 *db, const char *user, const char *action, const char *subject, hw_error *err)
{
    char now[32];
    sqlite3_stmt *st = NULL;
    int rc =
        prepare(db, "INSERT INTO audit(at, user_name, action, subject) VALUES (?1, ?2, ?3, ?4)", &st, "audit", err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, subject, -1, SQLITE_TRANSIENT);
    return step_done(db, st, "audit", err);
}

int registry_reg_reveal(sqlite3 *db, void *arg, hw_error *err)
{
    registry_reg_job *job = arg;
    char subject[48];
    int rc = registry_reg_get(db, job->campaign_id, job->id, &job->row, err);
    if (rc == 0)
        rc = unseal_reg(db, job->vault, job->id, job->revealed, NULL, 0, err);
    snprintf(subject, sizeof subject, "registration:%lld", (long long)job->id);
    if (rc == 0)
        rc = audit(db, job->user, "reveal_id_number", subject, err);
    if (rc != 0)
        sodium_memzero(job->revealed, sizeof job->revealed);
    return rc;
}

/* ------------------------------------------------------------------ transports */

#define TR_COLS                                                                                                        \
    "id, ref, kind, label, capacity, layout, depart_at, origin, stops, cost_fen, status, created_at, updated_at"
#define TR_WHERE                                                                                                       \
    " FROM transports WHERE campaign_id = ?1 AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR status = ?3) AND "       \
    "(?4 IS NULL OR substr(depart_at, 1, 10) = ?4) AND (?5 IS NULL OR instr(origin, ?5) > 0)"

/* Stored stops "511900;511923" back into the array. */
static void read_stops(const char *text, transport *t)
{
    t->nstops = 0;
    while (*text != '\0' && t->nstops < TRANSPORT_MAX_STOPS) {
        size_t len = strcspn(text, ";");
        snprintf(t->stops[t->nstops++], sizeof t->stops[0], "%.*s", (int)len, text);
        text += len;
        if (*text == ';')
            text++;
    }
}

static void read_tr(sqlite3_stmt *st, registry_tr *out)
{
    transport *t = &out->t;
    char word[32];
    memset(out, 0, sizeof *out);
    transport_init(t);
    out->id = sqlite3_column_int64(st, 0);
    col_copy(st, 1, t->ref, sizeof t->ref);
    col_copy(st, 2, word, sizeof word);
    t->has_kind = transport_kind_parse(word, &t->kind, NULL) == 0;
    col_copy(st, 3, t->label, sizeof t->label);
    t->capacity = sqlite3_column_int(st, 4);
    col_copy(st, 5, t->layout, sizeof t->layout);
    col_copy(st, 6, t->depart_at, sizeof t->depart_at);
    col_copy(st, 7, t->origin, sizeof t->origin);
    read_stops((const char *)sqlite3_column_text(st, 8) != NULL ? (const char *)sqlite3_column_text(st, 8) : "", t);
    t->cost_fen = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 9);
    col_copy(st, 10, word, sizeof word);
    transport_status_parse(word, &t->status, NULL);
    col_copy(st, 11, out->created_at, sizeof out->created_at);
    col_copy(st, 12, out->updated_at, sizeof out->updated_at);
}

static void bind_tr_filter(sqlite3_stmt *st, int64_t campaign_id, const void *filter)
{
    const registry_tr_filter *f = filter;
    sqlite3_bind_int64(st, 1, campaign_id);
    bind_opt(st, 2, f->kind);
    bind_opt(st, 3, f->status);
    bind_opt(st, 4, f->date);
    bind_opt(st, 5, f->origin);
}

typedef struct tr_sink {
    registry_tr_fn each;
    void *data;
} tr_sink;

static int tr_row(sqlite3_stmt *st, void *sink)
{
    tr_sink *s = sink;
    registry_tr row;
    read_tr(st, &row);
    return s->each(&row, s->data);
}

int registry_tr_list(sqlite3 *db, int64_t campaign_id, const registry_tr_filter *f, registry_page page,
                     registry_tr_fn each, void *data, int64_t *total, hw_error *err)
{
    static const list_spec spec = {"transports", "SELECT count(*)" TR_WHERE,
                                   "SELECT " TR_COLS TR_WHERE " ORDER BY depart_at, id LIMIT ?20 OFFSET ?21",
                                   bind_tr_filter, tr_row};
    tr_sink sink = {each, data};
    return run_list(db, &spec, campaign_id, f, page, &sink, total, err);
}

static int tr_into(sqlite3_stmt *st, void *out)
{
    read_tr(st, out);
    return 0;
}

int registry_tr_get(sqlite3 *db, int64_t campaign_id, const char *ref, registry_tr *out, hw_error *err)
{
    int rc = get_one(db, "SELECT " TR_COLS " FROM transports WHERE campaign_id = ?1 AND ref = ?2", campaign_id, ref, 0,
                     tr_into, out, "transports", err);
    return rc == HW_ENOTFOUND ? not_found(err, "运力", "transport") : rc;
}

static int tr_check(const void *rec, const void *env, int *bad, hw_error *err)
{
    (void)env;
    tr_field f = TR_NFIELDS;
    int rc = transport_check(rec, &f, err);
    *bad = (int)f;
    return rc;
}

static int tr_clear(void *rec, int field, const void *env)
{
    (void)env;
    return transport_set(rec, (tr_field)field, "", NULL, NULL);
}

int registry_tr_problems(const transport *t, registry_problem *out, int max)
{
    static const checker c = {tr_check, tr_clear};
    transport copy = *t;
    return collect(&copy, NULL, &c, out, max);
}

registry_tr_job *registry_tr_job_new(int64_t campaign_id)
{
    registry_tr_job *job = calloc(1, sizeof *job);
    if (job == NULL)
        return NULL;
    job->campaign_id = campaign_id;
    transport_init(&job->input);
    return job;
}

int registry_tr_create(sqlite3 *db, void *arg, hw_error *err)
{
    registry_tr_job *job = arg;
    int rc = transports_insert(db, job->campaign_id, &job->input, NULL, err);
    return rc != 0 ? rc : registry_tr_get(db, job->campaign_id, job->input.ref, &job->row, err);
}

static void tr_copy_field(transport *dst, const transport *src, tr_field f)
{
    switch (f) {
    case TR_REF:
        memcpy(dst->ref, src->ref, sizeof dst->ref);
        break;
    case TR_KIND:
        dst->kind = src->kind;
        dst->has_kind = src->has_kind;
        memcpy(dst->layout, src->layout, sizeof dst->layout);
        break;
    case TR_LABEL:
        memcpy(dst->label, src->label, sizeof dst->label);
        break;
    case TR_CAPACITY:
        dst->capacity = src->capacity;
        break;
    case TR_DEPART_AT:
        memcpy(dst->depart_at, src->depart_at, sizeof dst->depart_at);
        break;
    case TR_ORIGIN:
        memcpy(dst->origin, src->origin, sizeof dst->origin);
        break;
    case TR_STOPS:
        memcpy(dst->stops, src->stops, sizeof dst->stops);
        dst->nstops = src->nstops;
        break;
    case TR_COST:
        dst->cost_fen = src->cost_fen;
        break;
    default:
        break; /* the status moves only through registry_tr_move */
    }
}

static int tr_store(sqlite3 *db, int64_t id, const transport *t, hw_error *err)
{
    char stops[TRANSPORT_MAX_STOPS * 7 + 1], now[32];
    sqlite3_stmt *st = NULL;
    int rc = prepare(db,
                     "UPDATE transports SET ref = ?2, kind = ?3, label = ?4, capacity = ?5, layout = ?6, "
                     "depart_at = ?7, origin = ?8, stops = ?9, cost_fen = ?10, updated_at = ?11 WHERE id = ?1",
                     &st, "transports", err);
    if (rc != 0)
        return rc;
    transport_format_stops(t, stops, sizeof stops);
    clock_now(now, sizeof now);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, t->ref, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, transport_kind_name(t->kind), -1, SQLITE_STATIC);
    bind_opt(st, 4, t->label);
    sqlite3_bind_int(st, 5, t->capacity);
    char layout[24];
    transport_layout(t, layout, sizeof layout);
    sqlite3_bind_text(st, 6, layout, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, t->depart_at, -1, SQLITE_TRANSIENT);
    bind_opt(st, 8, t->origin);
    sqlite3_bind_text(st, 9, stops, -1, SQLITE_TRANSIENT);
    bind_fen(st, 10, t->cost_fen);
    sqlite3_bind_text(st, 11, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return error_set(err, HW_ECONFLICT, "duplicate_ref", "运力编号 %s 已存在 (transport ref already exists)",
                         t->ref);
    return store_error(db, rc, "transports", err);
}

/* How many live (issued or boarded) tickets transport `id` holds, and the highest seat among them (-1: none). */
static int live_tickets(sqlite3 *db, int64_t id, int *count, int *top_seat, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, "SELECT count(*), coalesce(max(seat_index), -1) FROM tickets WHERE transport_id = ?1 AND "
                         "status IN ('issued', 'boarded')",
                     &st, "tickets", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    *count = sqlite3_column_int(st, 0);
    *top_seat = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "tickets", err);
}

/* Seats may not shrink below the tickets already issued on them (超员 is illegal). */
static int check_capacity(sqlite3 *db, int64_t id, const transport *t, hw_error *err)
{
    int count = 0, top = -1;
    int rc = live_tickets(db, id, &count, &top, err);
    if (rc != 0 || (t->capacity > top && t->capacity >= count))
        return rc;
    return error_set(err, HW_ECONFLICT, "capacity_below_tickets",
                     "已出 %d 张票(最高座位序号 %d),座位数不能改为 %d;请先取消运力或改签 (%d tickets are issued, "
                     "the highest seat is number %d: capacity cannot become %d)",
                     count, top + 1, t->capacity, count, top + 1, t->capacity);
}

int registry_tr_update(sqlite3 *db, void *arg, hw_error *err)
{
    registry_tr_job *job = arg;
    int rc = registry_tr_get(db, job->campaign_id, job->ref, &job->row, err);
    if (rc != 0)
        return rc;
    transport merged = job->row.t;
    for (int f = 0; f < TR_NFIELDS; f++)
        if (job->fields & (1u << f))
            tr_copy_field(&merged, &job->input, (tr_field)f);
    job->nproblems = registry_tr_problems(&merged, job->problems, REGISTRY_MAX_PROBLEMS);
    if (job->nproblems > 0)
        return invalid(err);
    if ((rc = check_capacity(db, job->row.id, &merged, err)) != 0 || (rc = tr_store(db, job->row.id, &merged, err)) != 0)
        return rc;
    return registry_tr_get(db, job->campaign_id, merged.ref, &job->row, err);
}

/*
 * DESIGN §4: departing freezes the passenger count: record departed_at and mark every ticket still issued
 * no_show, in the same transaction as the status change (a late check-in then finds the transport closed).
 */
static int tr_depart(sqlite3 *db, int64_t id, const char *now, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, "UPDATE transports SET departed_at = ?2 WHERE id = ?1", &st, "transports", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(db, st, "transports", err)) != 0)
        return rc;
    rc = prepare(db, "UPDATE tickets SET status = 'no_show', updated_at = ?2 WHERE transport_id = ?1 AND status = "
                     "'issued'",
                 &st, "tickets", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    return step_done(db, st, "tickets", err);
}

static int tr_set_status(sqlite3 *db, int64_t id, transport_status to, hw_error *err)
{
    char now[32];
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, "UPDATE transports SET status = ?2, updated_at = ?3 WHERE id = ?1", &st, "transports", err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, transport_status_name(to), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    rc = step_done(db, st, "transports", err);
    if (rc == 0 && to == TRANSPORT_DEPARTED)
        return tr_depart(db, id, now, err);
    if (rc != 0 || to != TRANSPORT_CANCELLED)
        return rc;
    /* a cancelled transport cancels its issued tickets; the next allocation seats those people again */
    rc = prepare(db, "UPDATE tickets SET status = 'cancelled', updated_at = ?2 WHERE transport_id = ?1 AND status = "
                     "'issued'",
                 &st, "tickets", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    return step_done(db, st, "tickets", err);
}

int registry_tr_move(sqlite3 *db, void *arg, hw_error *err)
{
    registry_tr_job *job = arg;
    int rc = registry_tr_get(db, job->campaign_id, job->ref, &job->row, err);
    if (rc != 0)
        return rc;
    job->from = job->row.t.status;
    if (!transport_can_move(job->from, job->to))
        return error_set(err, HW_ECONFLICT, "bad_transition",
                         "运力状态不能从「%s」改为「%s」 (cannot move from %s to %s)", transport_status_zh(job->from),
                         transport_status_zh(job->to), transport_status_name(job->from),
                         transport_status_name(job->to));
    if ((rc = tr_set_status(db, job->row.id, job->to, err)) != 0)
        return rc;
    return registry_tr_get(db, job->campaign_id, job->ref, &job->row, err);
}

int registry_tr_delete(sqlite3 *db, void *arg, hw_error *err)
{
    registry_tr_job *job = arg;
    sqlite3_stmt *st = NULL;
    int rc = registry_tr_get(db, job->campaign_id, job->ref, &job->row, err);
    if (rc != 0)
        return rc;
    int count = 0, top = -1;
    if ((rc = live_tickets(db, job->row.id, &count, &top, err)) != 0)
        return rc;
    if (count > 0)
        return error_set(err, HW_ECONFLICT, "has_tickets",
                         "该运力已出 %d 张票,不能删除;请改为取消,票会作废并在下次分配时重新安排 (%d tickets are "
                         "issued: cancel the transport instead; the next allocation re-seats its passengers)",
                         count, count);
    if (job->row.t.status != TRANSPORT_PLANNED)
        return error_set(err, HW_ECONFLICT, "not_planned",
                         "只能删除计划中的运力,当前状态为「%s」;请改为取消 (only a planned transport can be deleted; "
                         "it is %s: cancel it instead)",
                         transport_status_zh(job->row.t.status), transport_status_name(job->row.t.status));
    rc = prepare(db, "DELETE FROM tickets WHERE transport_id = ?1", &st, "tickets", err); /* cancelled ones */
    if (rc == 0)
        sqlite3_bind_int64(st, 1, job->row.id);
    if (rc != 0 || (rc = step_done(db, st, "tickets", err)) != 0)
        return rc;
    rc = prepare(db, "DELETE FROM transports WHERE id = ?1", &st, "transports", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, job->row.id);
    return step_done(db, st, "transports", err);
}

/* ------------------------------------------------------------------ purchases */

#define PU_COLS                                                                                                        \
    "p.id, p.registration_id, r.name, r.id_masked, p.mode, p.service, p.travel_date, p.fare_fen, p.refunded, "         \
    "p.created_at"
#define PU_FROM " FROM purchases p JOIN registrations r ON r.id = p.registration_id WHERE p.campaign_id = ?1"
#define PU_WHERE                                                                                                       \
    PU_FROM " AND (?2 IS NULL OR p.refunded = ?2) AND (?3 IS NULL OR p.mode = ?3) AND (?4 IS NULL OR "                 \
            "p.travel_date = ?4) AND (?5 IS NULL OR p.registration_id = ?5)"

static void read_pu(sqlite3_stmt *st, registry_pu *out)
{
    purchase *p = &out->p;
    memset(out, 0, sizeof *out);
    purchase_init(p);
    out->id = sqlite3_column_int64(st, 0);
    out->registration_id = sqlite3_column_int64(st, 1);
    col_copy(st, 2, out->name, sizeof out->name);
    col_copy(st, 3, out->id_masked, sizeof out->id_masked);
    col_copy(st, 4, p->mode, sizeof p->mode);
    col_copy(st, 5, p->service, sizeof p->service);
    col_copy(st, 6, p->travel_date, sizeof p->travel_date);
    p->fare_fen = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 7);
    p->refunded = sqlite3_column_int(st, 8) != 0;
    col_copy(st, 9, out->created_at, sizeof out->created_at);
}

static void bind_pu_filter(sqlite3_stmt *st, int64_t campaign_id, const void *filter)
{
    const registry_pu_filter *f = filter;
    sqlite3_bind_int64(st, 1, campaign_id);
    if (f->refunded >= 0)
        sqlite3_bind_int(st, 2, f->refunded);
    bind_opt(st, 3, f->mode);
    bind_opt(st, 4, f->date);
    if (f->registration > 0)
        sqlite3_bind_int64(st, 5, f->registration);
}

typedef struct pu_sink {
    registry_pu_fn each;
    void *data;
} pu_sink;

static int pu_row(sqlite3_stmt *st, void *sink)
{
    pu_sink *s = sink;
    registry_pu row;
    read_pu(st, &row);
    return s->each(&row, s->data);
}

int registry_pu_list(sqlite3 *db, int64_t campaign_id, const registry_pu_filter *f, registry_page page,
                     registry_pu_fn each, void *data, int64_t *total, hw_error *err)
{
    static const list_spec spec = {"purchases", "SELECT count(*)" PU_WHERE,
                                   "SELECT " PU_COLS PU_WHERE " ORDER BY p.id LIMIT ?20 OFFSET ?21", bind_pu_filter,
                                   pu_row};
    pu_sink sink = {each, data};
    return run_list(db, &spec, campaign_id, f, page, &sink, total, err);
}

static int pu_into(sqlite3_stmt *st, void *out)
{
    read_pu(st, out);
    return 0;
}

int registry_pu_get(sqlite3 *db, int64_t campaign_id, int64_t id, registry_pu *out, hw_error *err)
{
    int rc =
        get_one(db, "SELECT " PU_COLS PU_FROM " AND p.id = ?2", campaign_id, NULL, id, pu_into, out, "purchases", err);
    return rc == HW_ENOTFOUND ? not_found(err, "购票记录", "purchase") : rc;
}

static int pu_check(const void *rec, const void *env, int *bad, hw_error *err)
{
    (void)env;
    pu_field f = PU_NFIELDS;
    int rc = purchase_check(rec, &f, err);
    *bad = (int)f;
    return rc;
}

static int pu_clear(void *rec, int field, const void *env)
{
    return purchase_set(rec, (pu_field)field, "", *(const int *)env, NULL);
}

int registry_pu_problems(const purchase *p, int today, registry_problem *out, int max)
{
    static const checker c = {pu_check, pu_clear};
    purchase copy = *p;
    int n = collect(&copy, &today, &c, out, max);
    sodium_memzero(&copy, sizeof copy);
    return n;
}

registry_pu_job *registry_pu_job_new(const vault *v, int64_t campaign_id)
{
    registry_pu_job *job = calloc(1, sizeof *job);
    if (job == NULL)
        return NULL;
    job->vault = v;
    job->today = clock_today();
    job->campaign_id = campaign_id;
    purchase_init(&job->input);
    return job;
}

void registry_pu_job_free(void *job)
{
    if (job == NULL)
        return;
    sodium_memzero(job, sizeof(registry_pu_job));
    free(job);
}

int registry_pu_create(sqlite3 *db, void *arg, hw_error *err)
{
    registry_pu_job *job = arg;
    int rc = purchases_insert(db, job->vault, job->campaign_id, &job->input, &job->id, err);
    return rc != 0 ? rc : registry_pu_get(db, job->campaign_id, job->id, &job->row, err);
}

static void pu_copy_field(purchase *dst, const purchase *src, pu_field f)
{
    switch (f) {
    case PU_MODE:
        memcpy(dst->mode, src->mode, sizeof dst->mode);
        break;
    case PU_SERVICE:
        memcpy(dst->service, src->service, sizeof dst->service);
        break;
    case PU_TRAVEL_DATE:
        memcpy(dst->travel_date, src->travel_date, sizeof dst->travel_date);
        break;
    case PU_FARE:
        dst->fare_fen = src->fare_fen;
        break;
    case PU_REFUNDED:
        dst->refunded = src->refunded;
        break;
    default:
        break; /* the person of a purchase does not change: delete it and record a new one */
    }
}

static int pu_store(sqlite3 *db, int64_t id, const purchase *p, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db,
                     "UPDATE purchases SET mode = ?2, service = ?3, travel_date = ?4, fare_fen = ?5, refunded = ?6 "
                     "WHERE id = ?1",
                     &st, "purchases", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, p->mode, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, p->service, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, p->travel_date, -1, SQLITE_TRANSIENT);
    bind_fen(st, 5, p->fare_fen);
    sqlite3_bind_int(st, 6, p->refunded);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return error_set(err, HW_ECONFLICT, "duplicate_purchase",
                         "同一人同一车次同一日期的购票已存在 (this person already has this ticket on that date)");
    return store_error(db, rc, "purchases", err);
}

static int pu_update(sqlite3 *db, registry_pu_job *job, purchase *merged, hw_error *err)
{
    int rc = registry_pu_get(db, job->campaign_id, job->id, &job->row, err);
    if (rc != 0)
        return rc;
    *merged = job->row.p;
    /* purchase_check wants the person's id number: it is the registration's */
    rc = unseal_reg(db, job->vault, job->row.registration_id, merged->id_number, NULL, 0, err);
    if (rc != 0)
        return rc;
    for (int f = 0; f < PU_NFIELDS; f++)
        if (job->fields & (1u << f))
            pu_copy_field(merged, &job->input, (pu_field)f);
    job->nproblems = registry_pu_problems(merged, job->today, job->problems, REGISTRY_MAX_PROBLEMS);
    if (job->nproblems > 0)
        return invalid(err);
    if ((rc = pu_store(db, job->id, merged, err)) != 0)
        return rc;
    return registry_pu_get(db, job->campaign_id, job->id, &job->row, err);
}

int registry_pu_update(sqlite3 *db, void *arg, hw_error *err)
{
    purchase merged;
    int rc = pu_update(db, arg, &merged, err);
    sodium_memzero(&merged, sizeof merged);
    return rc;
}

/* Run the DELETE `sql` with ?1 = `id`: the tail of the two hard deletes. */
static int delete_by_id(sqlite3 *db, const char *sql, int64_t id, const char *what, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, sql, &st, what, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    return step_done(db, st, what, err);
}

int registry_pu_delete(sqlite3 *db, void *arg, hw_error *err)
{
    registry_pu_job *job = arg;
    int rc = registry_pu_get(db, job->campaign_id, job->id, &job->row, err);
    return rc != 0 ? rc : delete_by_id(db, "DELETE FROM purchases WHERE id = ?1", job->id, "purchases", err);
}

/* ------------------------------------------------------------------ subsidies */

#define SU_COLS "id, employer, amount_fen, people, date, created_at"
#define SU_WHERE                                                                                                       \
    " FROM subsidies WHERE campaign_id = ?1 AND (?2 IS NULL OR instr(employer, ?2) > 0) AND (?3 IS NULL OR date = ?3)"

static void read_su(sqlite3_stmt *st, registry_su *out)
{
    subsidy *s = &out->s;
    memset(out, 0, sizeof *out);
    subsidy_init(s);
    out->id = sqlite3_column_int64(st, 0);
    col_copy(st, 1, s->employer, sizeof s->employer);
    s->amount_fen = sqlite3_column_int64(st, 2);
    s->people = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, 3);
    col_copy(st, 4, s->date, sizeof s->date);
    col_copy(st, 5, out->created_at, sizeof out->created_at);
}

static void bind_su_filter(sqlite3_stmt *st, int64_t campaign_id, const void *filter)
{
    const registry_su_filter *f = filter;
    sqlite3_bind_int64(st, 1, campaign_id);
    bind_opt(st, 2, f->employer);
    bind_opt(st, 3, f->date);
}

typedef struct su_sink {
    registry_su_fn each;
    void *data;
} su_sink;

static int su_row(sqlite3_stmt *st, void *sink)
{
    su_sink *s = sink;
    registry_su row;
    read_su(st, &row);
    return s->each(&row, s->data);
}

int registry_su_list(sqlite3 *db, int64_t campaign_id, const registry_su_filter *f, registry_page page,
                     registry_su_fn each, void *data, int64_t *total, hw_error *err)
{
    static const list_spec spec = {"subsidies", "SELECT count(*)" SU_WHERE,
                                   "SELECT " SU_COLS SU_WHERE " ORDER BY date, id LIMIT ?20 OFFSET ?21", bind_su_filter,
                                   su_row};
    su_sink sink = {each, data};
    return run_list(db, &spec, campaign_id, f, page, &sink, total, err);
}

static int su_into(sqlite3_stmt *st, void *out)
{
    read_su(st, out);
    return 0;
}

int registry_su_get(sqlite3 *db, int64_t campaign_id, int64_t id, registry_su *out, hw_error *err)
{
    int rc = get_one(db, "SELECT " SU_COLS " FROM subsidies WHERE campaign_id = ?1 AND id = ?2", campaign_id, NULL, id,
                     su_into, out, "subsidies", err);
    return rc == HW_ENOTFOUND ? not_found(err, "补贴记录", "subsidy") : rc;
}

static int su_check(const void *rec, const void *env, int *bad, hw_error *err)
{
    (void)env;
    su_field f = SU_NFIELDS;
    int rc = subsidy_check(rec, &f, err);
    *bad = (int)f;
    return rc;
}

static int su_clear(void *rec, int field, const void *env)
{
    (void)env;
    return subsidy_set(rec, (su_field)field, "", NULL);
}

int registry_su_problems(const subsidy *s, registry_problem *out, int max)
{
    static const checker c = {su_check, su_clear};
    subsidy copy = *s;
    return collect(&copy, NULL, &c, out, max);
}

registry_su_job *registry_su_job_new(int64_t campaign_id)
{
    registry_su_job *job = calloc(1, sizeof *job);
    if (job == NULL)
        return NULL;
    job->campaign_id = campaign_id;
    subsidy_init(&job->input);
    return job;
}

int registry_su_create(sqlite3 *db, void *arg, hw_error *err)
{
    registry_su_job *job = arg;
    int rc = subsidies_insert(db, job->campaign_id, &job->input, &job->id, err);
    return rc != 0 ? rc : registry_su_get(db, job->campaign_id, job->id, &job->row, err);
}

static void su_copy_field(subsidy *dst, const subsidy *src, su_field f)
{
    switch (f) {
    case SU_EMPLOYER:
        memcpy(dst->employer, src->employer, sizeof dst->employer);
        break;
    case SU_AMOUNT:
        dst->amount_fen = src->amount_fen;
        break;
    case SU_PEOPLE:
        dst->people = src->people;
        break;
    case SU_DATE:
        memcpy(dst->date, src->date, sizeof dst->date);
        break;
    default:
        break;
    }
}

static int su_store(sqlite3 *db, int64_t id, const subsidy *s, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, "UPDATE subsidies SET employer = ?2, amount_fen = ?3, people = ?4, date = ?5 WHERE id = ?1",
                     &st, "subsidies", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, s->employer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, s->amount_fen);
    if (s->people >= 0)
        sqlite3_bind_int64(st, 4, s->people);
    sqlite3_bind_text(st, 5, s->date, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return error_set(err, HW_ECONFLICT, "duplicate_subsidy",
                         "同一单位同一日期同一金额的补贴已存在 (the same subsidy is already recorded)");
    return store_error(db, rc, "subsidies", err);
}

int registry_su_update(sqlite3 *db, void *arg, hw_error *err)
{
    registry_su_job *job = arg;
    int rc = registry_su_get(db, job->campaign_id, job->id, &job->row, err);
    if (rc != 0)
        return rc;
    subsidy merged = job->row.s;
    for (int f = 0; f < SU_NFIELDS; f++)
        if (job->fields & (1u << f))
            su_copy_field(&merged, &job->input, (su_field)f);
    job->nproblems = registry_su_problems(&merged, job->problems, REGISTRY_MAX_PROBLEMS);
    if (job->nproblems > 0)
        return invalid(err);
    if ((rc = su_store(db, job->id, &merged, err)) != 0)
        return rc;
    return registry_su_get(db, job->campaign_id, job->id, &job->row, err);
}

int registry_su_delete(sqlite3 *db, void *arg, hw_error *err)
{
    registry_su_job *job = arg;
    int rc = registry_su_get(db, job->campaign_id, job->id, &job->row, err);
    return rc != 0 ? rc : delete_by_id(db, "DELETE FROM subsidies WHERE id = ?1", job->id, "subsidies", err);
}
