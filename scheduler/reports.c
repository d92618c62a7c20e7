/* reports.c - report revisions: digests, child uploads, the outbox toward the parent, the parent link. */
#include "reports.h"

#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h"

/* ---------------------------------------------------------------- documents */

void reports_digest(const json_t *doc, char out[REPORTS_DIGEST_HEX])
{
    uint8_t hash[16];
    json_t *copy = json_deep_copy(doc);
    json_object_del(copy, "generated_at");
    json_object_del(copy, "revision");
    json_object_del(copy, "planned");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    crypto_generichash(hash, sizeof hash, (const unsigned char *)(text != NULL ? text : ""),
                       text != NULL ? strlen(text) : 0, NULL, 0);
    sodium_bin2hex(out, REPORTS_DIGEST_HEX, hash, sizeof hash);
    free(text);
    json_decref(copy);
}

json_t *reports_upload_json(const stats_report *r, const char *generated_at)
{
    json_t *doc = stats_report_json(r, generated_at);
    json_object_del(doc, "planned");
    return doc;
}

/* Largest figure a child may report for one line (far above any real unit). */
#define FIGURE_MAX 1000000000LL

static void problem(json_t *details, const char *field, const char *reason)
{
    json_array_append_new(details, json_pack("{s:s, s:s}", "field", field, "reason", reason));
}

/* item10.<letter>.<key> as a whole number 0..FIGURE_MAX into *out, or a problem noted. */
static void read_figure(const json_t *item10, const char *letter, const char *key, int64_t *out, json_t *details)
{
    char field[48];
    snprintf(field, sizeof field, "item10.%s.%s", letter, key);
    json_t *v = json_object_get(json_object_get(item10, letter), key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > FIGURE_MAX) {
        problem(details, field, "应为 0 到 10亿 之间的整数 (must be a whole number from 0 to 10^9)");
        return;
    }
    *out = json_integer_value(v);
}

/* "N.NN" 万元 (at most 12 digits before the point) as fen, exactly; -1 when malformed. */
static int64_t wan_to_fen(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n < 4 || n > 15 || s[n - 3] != '.')
        return -1;
    int64_t hundredths = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == n - 3)
            continue;
        if (!isdigit((unsigned char)s[i]))
            return -1;
        hundredths = hundredths * 10 + (s[i] - '0');
    }
    return hundredths * 10000;
}

static void copy_string(const json_t *v, char *buf, size_t n, const char *field, json_t *details)
{
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strlen(s) >= n) {
        problem(details, field, "应为非空字符串且不过长 (must be a non-empty string, not too long)");
        return;
    }
    memcpy(buf, s, strlen(s) + 1);
}

int reports_parse_child(const json_t *doc, stats_child *out, json_t **details_out, hw_error *err)
{
    static const char *const letters[TRANSPORT_NKINDS] = {"B", "C", "D", "E", "F"};
    static const char *const unit_key[TRANSPORT_NKINDS] = {"trains", "carriages", "buses", "boats", "flights"};
    json_t *details = json_array();
    memset(out, 0, sizeof *out);
    json_t *unit = json_object_get(doc, "unit");
    copy_string(json_object_get(unit, "code"), out->unit_code, sizeof out->unit_code, "unit.code", details);
    if (strlen(out->unit_code) != 6 || strspn(out->unit_code, "0123456789") != 6)
        problem(details, "unit.code", "应为六位单位代码 (must be a six-digit unit code)");
    copy_string(json_object_get(unit, "name"), out->unit_name, sizeof out->unit_name, "unit.name", details);
    copy_string(json_object_get(doc, "generated_at"), out->generated_at, sizeof out->generated_at, "generated_at",
                details);
    json_t *rev = json_object_get(doc, "revision");
    if (!json_is_integer(rev) || json_integer_value(rev) < 1)
        problem(details, "revision", "应为不小于 1 的整数 (must be a whole number >= 1)");
    else
        out->revision = json_integer_value(rev);
    json_t *item10 = json_object_get(doc, "item10");
    read_figure(item10, "A", "persons", &out->counts.persons, details);
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        read_figure(item10, letters[k], unit_key[k], &out->counts.transports[k], details);
        read_figure(item10, letters[k], "persons", &out->counts.boarded[k], details);
    }
    read_figure(item10, "G", "tickets", &out->counts.purchases, details);
    int64_t fen = wan_to_fen(json_string_value(
        json_object_get(json_object_get(json_object_get(doc, "item11"), "A"), "subsidy_wan_yuan")));
    if (fen < 0)
        problem(details, "item11.A.subsidy_wan_yuan", "应为两位小数的万元数,如 \"12.34\" (must be 万元 like \"12.34\")");
    else
        out->counts.subsidy_fen = fen;
    size_t bad = json_array_size(details);
    if (bad == 0) {
        json_decref(details);
        if (details_out != NULL)
            *details_out = NULL;
        return 0;
    }
    if (details_out != NULL)
        *details_out = details;
    else
        json_decref(details);
    return error_set(err, HW_EINVAL, "invalid_report", "下级报表有 %zu 处错误 (the child's report has %zu problems)",
                     bad, bad);
}

/* ---------------------------------------------------------------- children received */

#define SQL_LATEST                                                                                                     \
    "SELECT c.body, c.received_at FROM child_reports c"                                                                \
    " WHERE c.revision = (SELECT max(revision) FROM child_reports WHERE unit_code = c.unit_code)"                      \
    " ORDER BY c.unit_code"

/* Each child's latest revision, appended to r->children and added into r->actual. */
static int load_children(sqlite3 *db, stats_report *r, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, SQL_LATEST, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "reports", err);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        stats_child ch;
        int bad = reports_parse_child(doc, &ch, NULL, err);
        json_decref(doc);
        if (bad != 0)
            continue; /* validated on arrival; a row that no longer parses is not counted */
        snprintf(ch.received_at, sizeof ch.received_at, "%s", (const char *)sqlite3_column_text(st, 1));
        if (r->nchildren == cap) {
            size_t ncap = cap == 0 ? 8 : cap * 2;
            stats_child *grown = realloc(r->children, ncap * sizeof *grown);
            if (grown == NULL) {
                sqlite3_finalize(st);
                return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
            }
            r->children = grown;
            cap = ncap;
        }
        r->children[r->nchildren++] = ch;
        stats_add(&r->actual, &ch.counts);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "reports", err);
}

int reports_load(sqlite3 *db, stats_report *out, hw_error *err)
{
    int rc = stats_load(db, out, err);
    if (rc == 0)
        rc = load_children(db, out, err);
    if (rc != 0)
        stats_report_free(out);
    return rc;
}

/* The one-row, one-column answer of `sql` with ?1 = `text` (NULL to bind nothing) and ?2 = `n`. */
static int query_int(sqlite3 *db, const char *sql, const char *text, int64_t n, int64_t *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "reports", err);
    if (text != NULL)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, n);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(db, rc, "reports", err);
}

int reports_receive(sqlite3 *db, void *arg, hw_error *err)
{
    reports_receive_job *job = arg;
    const stats_child *ch = &job->child;
    int64_t own = 0;
    int rc = query_int(db, "SELECT count(*) FROM unit WHERE code = ?1", ch->unit_code, 0, &own, err);
    if (rc == 0 && own > 0)
        return error_set(err, HW_EINVAL, "own_unit",
                         "单位代码 %s 是本单位自己,不是下级单位 (unit %s is this unit itself, not a child)",
                         ch->unit_code, ch->unit_code);
    sqlite3_stmt *st = NULL;
    if (rc == 0 && (rc = sqlite3_prepare_v2(db, "SELECT digest FROM child_reports WHERE unit_code = ?1 AND revision = ?2",
                                            -1, &st, NULL)) != SQLITE_OK)
        return store_error(db, rc, "reports", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, ch->unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, ch->revision);
    rc = sqlite3_step(st);
    bool held = rc == SQLITE_ROW;
    bool same = held && strcmp((const char *)sqlite3_column_text(st, 0), job->digest) == 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(db, rc, "reports", err);
    if (!held) {
        char now[40];
        clock_now(now, sizeof now);
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO child_reports(unit_code, unit_name, revision, digest, body, received_at, "
                                "received_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
            return store_error(db, rc, "reports", err);
        sqlite3_bind_text(st, 1, ch->unit_code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ch->unit_name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, ch->revision);
        sqlite3_bind_text(st, 4, job->digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, job->body, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, job->received_by, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return store_error(db, rc, "reports", err);
    }
    rc = query_int(db, "SELECT max(revision) FROM child_reports WHERE unit_code = ?1", ch->unit_code, 0,
                   &job->latest_revision, err);
    if (rc != 0)
        return rc;
    job->stored = !held;
    if (held && !same)
        return error_set(err, HW_ECONFLICT, "revision_conflict",
                         "下级单位 %s 的第 %" PRId64 " 版已收到且内容不同;请以高于 %" PRId64
                         " 的版本重新报送 (revision %" PRId64 " of %s is already held with other figures; "
                         "send a revision above %" PRId64 ")",
                         ch->unit_code, ch->revision, job->latest_revision, ch->revision, ch->unit_code,
                         job->latest_revision);
    return 0;
}

/* ---------------------------------------------------------------- the outbox */

int reports_outbox_add(sqlite3 *db, void *arg, hw_error *err)
{
    reports_outbox_job *job = arg;
    char digest[REPORTS_DIGEST_HEX], now[40];
    reports_digest(job->doc, digest);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT revision, digest FROM report_outbox ORDER BY revision DESC LIMIT 1", -1,
                                &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "outbox", err);
    rc = sqlite3_step(st);
    int64_t newest = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    bool same = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 1), digest) == 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(db, rc, "outbox", err);
    job->created = false;
    job->revision = newest;
    if (same && !job->force && newest >= job->min_revision)
        return 0;
    int64_t revision = newest + 1 > job->min_revision ? newest + 1 : job->min_revision;
    json_object_set_new(job->doc, "revision", json_integer(revision));
    char *body = json_dumps(job->doc, JSON_COMPACT);
    if (body == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    clock_now(now, sizeof now);
    rc = sqlite3_prepare_v2(db, "INSERT INTO report_outbox(revision, body, digest, created_at) VALUES (?1, ?2, ?3, ?4)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, revision);
        sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    free(body);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "outbox", err);
    rc = sqlite3_prepare_v2(db,
                            "UPDATE report_outbox SET superseded_at = ?1"
                            " WHERE revision < ?2 AND sent_at IS NULL AND superseded_at IS NULL",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "outbox", err);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, revision);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "outbox", err);
    job->revision = revision;
    job->created = true;
    return 0;
}

int reports_outbox_next(sqlite3 *db, reports_pending *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sqlite3_prepare_v2(db,
                                "SELECT revision, body, attempts FROM report_outbox"
                                " WHERE sent_at IS NULL AND superseded_at IS NULL ORDER BY revision DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "outbox", err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->revision = sqlite3_column_int64(st, 0);
        out->body = strdup((const char *)sqlite3_column_text(st, 1));
        out->attempts = sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return error_set(err, HW_ENOTFOUND, "nothing_pending", "没有待报送的版本 (no revision waiting)");
    if (rc != SQLITE_ROW)
        return store_error(db, rc, "outbox", err);
    if (out->body == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    return 0;
}

void reports_pending_free(reports_pending *p)
{
    if (p != NULL) {
        free(p->body);
        p->body = NULL;
    }
}

int reports_outbox_result(sqlite3 *db, void *arg, hw_error *err)
{
    const reports_result_job *job = arg;
    char now[40];
    sqlite3_stmt *st = NULL;
    clock_now(now, sizeof now);
    int rc = sqlite3_prepare_v2(db,
                                job->sent ? "UPDATE report_outbox SET sent_at = coalesce(sent_at, ?1), last_error = NULL"
                                            " WHERE revision = ?2"
                                          : "UPDATE report_outbox SET attempts = attempts + 1, last_error = ?3"
                                            " WHERE revision = ?2 AND sent_at IS NULL",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "outbox", err);
    if (job->sent)
        sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, job->revision);
    if (!job->sent)
        sqlite3_bind_text(st, 3, job->error, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "outbox", err);
}

int reports_status_read(sqlite3 *db, reports_status *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sqlite3_prepare_v2(
        db,
        "SELECT (SELECT max(revision) FROM report_outbox),"
        " (SELECT max(revision) FROM report_outbox WHERE sent_at IS NOT NULL),"
        " (SELECT sent_at FROM report_outbox WHERE sent_at IS NOT NULL ORDER BY revision DESC LIMIT 1),"
        " p.revision, p.attempts, p.last_error"
        " FROM (SELECT 1) LEFT JOIN (SELECT revision, attempts, last_error FROM report_outbox"
        "  WHERE sent_at IS NULL AND superseded_at IS NULL ORDER BY revision DESC LIMIT 1) p",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "outbox", err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->latest = sqlite3_column_int64(st, 0);
        out->sent = sqlite3_column_int64(st, 1);
        if (sqlite3_column_text(st, 2) != NULL)
            snprintf(out->sent_at, sizeof out->sent_at, "%s", (const char *)sqlite3_column_text(st, 2));
        out->pending = sqlite3_column_int64(st, 3);
        out->attempts = sqlite3_column_int(st, 4);
        if (sqlite3_column_text(st, 5) != NULL)
            snprintf(out->last_error, sizeof out->last_error, "%s", (const char *)sqlite3_column_text(st, 5));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "outbox", err);
}

/* ---------------------------------------------------------------- the parent link */

int reports_parent_validate(const char *url, const char *token, hw_error *err)
{
    if (url == NULL || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        strlen(url) >= REPORTS_URL_MAX - 32 || strpbrk(url, " \t\r\n") != NULL)
        return error_set(err, HW_EINVAL, "bad_url",
                         "上级单位地址应以 http:// 或 https:// 开头,不含空格 (the parent URL must start with http:// or "
                         "https:// and contain no spaces)");
    size_t n = token != NULL ? strlen(token) : 0;
    if (n < 8 || n >= REPORTS_TOKEN_MAX)
        return error_set(err, HW_EINVAL, "bad_token",
                         "令牌长度不对,请复制上级单位 `homeward user add ... --role child` 给出的令牌 (the token has the "
                         "wrong length; copy the one the parent's `homeward user add ... --role child` printed)");
    for (size_t i = 0; i < n; i++)
        if (token[i] <= ' ' || token[i] > '~')
            return error_set(err, HW_EINVAL, "bad_token",
                             "令牌含有非法字符 (the token contains characters that cannot be in a token)");
    return 0;
}

int reports_parent_set(sqlite3 *db, void *arg, hw_error *err)
{
    const reports_parent_job *job = arg;
    uint8_t sealed[REPORTS_TOKEN_MAX + 64];
    char b64[sizeof sealed * 2], now[40];
    size_t n = 0;
    int rc = reports_parent_validate(job->url, job->token, err);
    if (rc == 0)
        rc = vault_seal(job->vault, "parent_token", job->token, sealed, sizeof sealed, &n, err);
    if (rc != 0)
        return rc;
    sodium_bin2base64(b64, sizeof b64, sealed, n, sodium_base64_VARIANT_ORIGINAL);
    clock_now(now, sizeof now);
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db, "UPDATE unit SET parent_url = ?1, parent_token = ?2, updated_at = ?3", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "parent", err);
    sqlite3_bind_text(st, 1, job->url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b64, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "parent", err);
    if (sqlite3_changes(db) == 0)
        return error_set(err, HW_ENOTFOUND, "not_initialized",
                         "数据库尚未初始化,请先运行 homeward init (run `homeward init` first)");
    /*
     * What an earlier parent (or token) stored says nothing about this one: the newest revision
     * goes out again (a parent that has it answers "duplicate"), older ones are not needed.
     */
    return store_exec(db,
                      "UPDATE report_outbox SET superseded_at = coalesce(superseded_at, strftime('%Y-%m-%dT%H:%M:%SZ',"
                      " 'now')), sent_at = NULL WHERE revision < (SELECT max(revision) FROM report_outbox);"
                      "UPDATE report_outbox SET sent_at = NULL, attempts = 0, last_error = NULL"
                      " WHERE revision = (SELECT max(revision) FROM report_outbox);",
                      err);
}

int reports_parent_get(sqlite3 *db, const vault *v, reports_parent *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = sqlite3_prepare_v2(db, "SELECT parent_url, parent_token FROM unit WHERE parent_url IS NOT NULL", -1, &st,
                                NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "parent", err);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? error_set(err, HW_ENOTFOUND, "no_parent",
                                             "未设置上级单位,请运行 homeward parent URL --token TOKEN "
                                             "(no parent set: run `homeward parent URL --token TOKEN`)")
                                 : store_error(db, rc, "parent", err);
    }
    uint8_t sealed[REPORTS_TOKEN_MAX + 64];
    size_t n = 0;
    const char *b64 = (const char *)sqlite3_column_text(st, 1);
    snprintf(out->url, sizeof out->url, "%s", (const char *)sqlite3_column_text(st, 0));
    rc = b64 == NULL || sodium_base642bin(sealed, sizeof sealed, b64, strlen(b64), NULL, &n, NULL,
                                          sodium_base64_VARIANT_ORIGINAL) != 0
             ? error_set(err, HW_EINVAL, "bad_parent_token", "上级单位令牌已损坏,请重新设置 (the stored parent token is "
                                                              "damaged; set it again with `homeward parent`)")
             : vault_unseal(v, "parent_token", sealed, n, out->token, sizeof out->token, err);
    sqlite3_finalize(st);
    return rc;
}

void reports_token_mask(const char *token, char *buf, size_t n)
{
    size_t len = strlen(token);
    if (len < 10)
        snprintf(buf, n, "***");
    else
        snprintf(buf, n, "%.5s…%s", token, token + len - 2);
}
