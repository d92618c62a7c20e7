/* lifecycle.c - the transport lifecycle timer (boarding opens, standby opens) and standby seating (DESIGN §4). */
#include "lifecycle.h"

#include <ctype.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "clock.h"
#include "divisions.h"
#include "registry.h"
#include "seating.h"
#include "ticketcode.h"

#define LIVE "('issued', 'boarded')"

/* ------------------------------------------------------------------ pure */

unsigned lifecycle_due(const lifecycle_transport *t, time_t now, const lifecycle_settings *s)
{
    unsigned due = 0;
    if (t->status != TRANSPORT_CONFIRMED && t->status != TRANSPORT_BOARDING)
        return 0;
    if (t->status == TRANSPORT_CONFIRMED && now >= t->depart - (time_t)s->boarding_opens_minutes * 60)
        due |= LIFECYCLE_OPEN_BOARDING;
    if (!t->standby_opened && now >= t->depart - (time_t)s->no_show_cutoff_minutes * 60)
        due |= LIFECYCLE_OPEN_STANDBY;
    return due;
}

bool lifecycle_standby_open(transport_status status, time_t depart, time_t now, const lifecycle_settings *s)
{
    return status == TRANSPORT_BOARDING && now >= depart - (time_t)s->no_show_cutoff_minutes * 60;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Read `n` digits at s into *out; false when one is not a digit. */
static bool digits(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        *out = *out * 10 + (s[i] - '0');
    }
    return true;
}

/* The zone suffix at z ("", "Z", "+08:00"), as seconds east of UTC; false when unreadable. */
static bool zone_offset(const char *z, long *off)
{
    int hh, mm;
    if (*z == '\0') {
        *off = 8 * 3600;
        return true;
    }
    if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0') {
        *off = 0;
        return true;
    }
    if ((z[0] != '+' && z[0] != '-') || strlen(z) != 6 || z[3] != ':' || !digits(z + 1, 2, &hh) ||
        !digits(z + 4, 2, &mm))
        return false;
    *off = (z[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
    return true;
}

int lifecycle_parse_time(const char *s, time_t *out, hw_error *err)
{
    int y, mo, d, h, mi, sec = 0;
    size_t len = strlen(s);
    const char *zone = s + 16;
    bool ok = len >= 16 && digits(s, 4, &y) && s[4] == '-' && digits(s + 5, 2, &mo) && s[7] == '-' &&
              digits(s + 8, 2, &d) && (s[10] == 'T' || s[10] == ' ') && digits(s + 11, 2, &h) && s[13] == ':' &&
              digits(s + 14, 2, &mi);
    if (ok && s[16] == ':') {
        ok = digits(s + 17, 2, &sec);
        zone = s + 19;
    }
    long off = 0;
    if (!ok || !zone_offset(zone, &off) || !clock_valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60)
        return error_set(err, HW_EINVAL, "bad_time", "时间无效 (invalid time): %.40s", s);
    *out = (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L + mi * 60L + sec - off);
    return 0;
}

/* ------------------------------------------------------------------ the pass */

int lifecycle_settings_read(sqlite3 *db, lifecycle_settings *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    out->boarding_opens_minutes = 120;
    out->no_show_cutoff_minutes = 20;
    int rc = sqlite3_prepare_v2(db, "SELECT key, value FROM settings", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "settings", err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        char *end = NULL;
        long v = value != NULL ? strtol(value, &end, 10) : -1;
        if (key == NULL || end == NULL || *end != '\0' || v < 0 || v > 10000000)
            continue;
        if (strcmp(key, "boarding_opens_minutes") == 0)
            out->boarding_opens_minutes = (int)v;
        else if (strcmp(key, "no_show_cutoff_minutes") == 0)
            out->no_show_cutoff_minutes = (int)v;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "settings", err);
}

/* Apply the `due` flags to transport `id`; the WHERE clauses make a repeated pass harmless. */
static int apply_due(sqlite3 *db, int64_t id, unsigned due, const char *now, hw_error *err)
{
    static const char *const sql[] = {
        "UPDATE transports SET status = 'boarding', boarding_opened_at = ?2, updated_at = ?2 WHERE id = ?1 AND "
        "status = 'confirmed'",
        "UPDATE transports SET standby_opened_at = ?2 WHERE id = ?1 AND standby_opened_at IS NULL",
    };
    for (int i = 0; i < 2; i++) {
        if (!(due & (1u << i)))
            continue;
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db, sql[i], -1, &st, NULL);
        if (rc != SQLITE_OK)
            return store_error(db, rc, "transports", err);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return store_error(db, rc, "transports", err);
    }
    return 0;
}

/* Read the transports that may still change, then apply what is due (two steps: no update under a live SELECT). */
static int collect_due(sqlite3 *db, const lifecycle_settings *s, time_t now, int64_t **ids, unsigned **dues, size_t *n,
                       hw_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT id, status, depart_at, standby_opened_at IS NOT NULL FROM transports WHERE "
                                "status IN ('confirmed', 'boarding') AND standby_opened_at IS NULL",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "transports", err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        lifecycle_transport t = {.standby_opened = sqlite3_column_int(st, 3) != 0};
        const char *status = (const char *)sqlite3_column_text(st, 1);
        const char *depart = (const char *)sqlite3_column_text(st, 2);
        if (status == NULL || depart == NULL || transport_status_parse(status, &t.status, NULL) != 0 ||
            lifecycle_parse_time(depart, &t.depart, NULL) != 0)
            continue;
        unsigned due = lifecycle_due(&t, now, s);
        if (due == 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *ni = realloc(*ids, cap * sizeof **ids);
            unsigned *nd = ni != NULL ? realloc(*dues, cap * sizeof **dues) : NULL;
            if (ni != NULL)
                *ids = ni;
            if (nd == NULL) {
                sqlite3_finalize(st);
                return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
            }
            *dues = nd;
        }
        (*ids)[*n] = sqlite3_column_int64(st, 0);
        (*dues)[(*n)++] = due;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "transports", err);
}

int lifecycle_pass(sqlite3 *db, void *arg, hw_error *err)
{
    lifecycle_settings s;
    int64_t *ids = NULL;
    unsigned *dues = NULL;
    size_t n = 0;
    char now[32];
    clock_now(now, sizeof now);
    int rc = lifecycle_settings_read(db, &s, err);
    if (rc == 0)
        rc = collect_due(db, &s, time(NULL), &ids, &dues, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = apply_due(db, ids[i], dues[i], now, err);
    if (rc == 0 && arg != NULL)
        *(int *)arg += (int)n;
    free(ids);
    free(dues);
    return rc;
}

/* ------------------------------------------------------------------ standby */

typedef struct standby_reg {
    int64_t id;
    char destination[7];
    char earliest[11], latest[11];
    char name[64];
} standby_reg;

/* Find the active registration of the job (by id or by blind index). */
static int standby_find(sqlite3 *db, const lifecycle_standby_job *job, standby_reg *r, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT id, destination, coalesce(earliest, ''), coalesce(latest, '') FROM "
                                "registrations WHERE campaign_id = ?1 AND status = 'active' AND "
                                "((?2 > 0 AND id = ?2) OR (?2 = 0 AND id_index = ?3))",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "registrations", err);
    sqlite3_bind_int64(st, 1, job->campaign_id);
    sqlite3_bind_int64(st, 2, job->registration);
    sqlite3_bind_blob(st, 3, job->id_index, sizeof job->id_index, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r->id = sqlite3_column_int64(st, 0);
        snprintf(r->destination, sizeof r->destination, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(r->earliest, sizeof r->earliest, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(r->latest, sizeof r->latest, "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "registrations", err);
    return error_set(err, HW_ENOTFOUND, "unknown_registration",
                     "找不到有效的登记 (no active registration for this person)");
}

/* One integer from a query with one int64 parameter. */
static int count_of(sqlite3 *db, const char *sql, int64_t param, int *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "tickets", err);
    sqlite3_bind_int64(st, 1, param);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "tickets", err);
}

/* DESIGN §3 fit for one person: a covering stop (the most specific is the drop-off) and the date window. */
static int standby_fit(sqlite3 *db, const transport *t, const standby_reg *r, char dropoff[7], hw_error *err)
{
    campaign_info c;
    int rc = campaign_load(db, &c, err);
    if (rc != 0)
        return rc;
    int best = 0;
    dropoff[0] = '\0';
    for (int i = 0; i < t->nstops; i++)
        if (divisions_covers(t->stops[i], r->destination) && divisions_level(t->stops[i]) > best) {
            best = divisions_level(t->stops[i]);
            snprintf(dropoff, 7, "%s", t->stops[i]);
        }
    if (best == 0)
        return error_set(err, HW_ECONFLICT, "not_fit",
                         "该运力不经过此人的目的地 %s (the transport does not cover "
                         "the destination %s)",
                         r->destination, r->destination);
    const char *from = r->earliest[0] ? r->earliest : c.from, *to = r->latest[0] ? r->latest : c.to;
    if (strncmp(t->depart_at, from, 10) < 0 || strncmp(t->depart_at, to, 10) > 0)
        return error_set(err, HW_ECONFLICT, "not_fit",
                         "出发日期 %.10s 不在此人的出行日期 %s..%s 内 (the departure "
                         "date is outside the person's window)",
                         t->depart_at, from, to);
    return 0;
}

/* The first free seat of transport `tid`, or -1 when it is full (capacity counts live tickets). */
static int first_free_seat(sqlite3 *db, int64_t tid, int capacity, int *seat, hw_error *err)
{
    bool *taken = calloc((size_t)capacity + 1, sizeof *taken);
    sqlite3_stmt *st = NULL;
    int live = 0, rc;
    if (taken == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    rc = sqlite3_prepare_v2(db, "SELECT seat_index FROM tickets WHERE transport_id = ?1 AND status IN " LIVE, -1, &st,
                            NULL);
    if (rc != SQLITE_OK) {
        free(taken);
        return store_error(db, rc, "tickets", err);
    }
    sqlite3_bind_int64(st, 1, tid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int s = sqlite3_column_int(st, 0);
        live++;
        if (s >= 0 && s < capacity)
            taken[s] = true;
    }
    sqlite3_finalize(st);
    *seat = -1;
    for (int i = 0; live < capacity && i < capacity && *seat < 0; i++)
        if (!taken[i])
            *seat = i;
    free(taken);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "tickets", err);
}

/* Insert the standby ticket with a fresh code (a collision draws another). */
static int standby_insert(sqlite3 *db, lifecycle_standby_job *job, int64_t reg, int64_t tid, int seat,
                          const char *label, const char *dropoff, hw_error *err)
{
    char now[32];
    clock_now(now, sizeof now);
    for (int attempt = 0; attempt < 8; attempt++) {
        uint8_t random[TICKETCODE_RANDOM_BYTES];
        sqlite3_stmt *st = NULL;
        randombytes_buf(random, sizeof random);
        ticketcode_new(job->code, random);
        int rc = sqlite3_prepare_v2(db,
                                    "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, "
                                    "seat_label, dropoff, standby, issued_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                                    "?6, ?7, 1, ?8, ?8)",
                                    -1, &st, NULL);
        if (rc != SQLITE_OK)
            return store_error(db, rc, "tickets", err);
        sqlite3_bind_int64(st, 1, job->campaign_id);
        sqlite3_bind_text(st, 2, job->code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, reg);
        sqlite3_bind_int64(st, 4, tid);
        sqlite3_bind_int(st, 5, seat);
        sqlite3_bind_text(st, 6, label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, dropoff, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        bool code_clash = rc != SQLITE_DONE && sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE &&
                          strstr(sqlite3_errmsg(db), "code") != NULL;
        if (rc != SQLITE_DONE && !code_clash)
            rc = store_error(db, rc, "tickets", err);
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return 0;
        if (!code_clash)
            return rc;
    }
    return error_set(err, HW_ECONFLICT, "ticket_code", "无法生成唯一的票号 (could not draw a unique ticket code)");
}

/* The transport of the job, checked: this station's, and open for standby now. */
static int standby_transport(sqlite3 *db, const lifecycle_standby_job *job, registry_tr *row, hw_error *err)
{
    lifecycle_settings s;
    time_t depart = 0;
    int rc = registry_tr_get(db, job->campaign_id, job->ref, row, err);
    if (rc != 0)
        return rc;
    if (job->station[0] != '\0' && strcmp(job->station, row->t.origin) != 0)
        return error_set(err, HW_EFORBIDDEN, "other_station",
                         "这不是从本站出发的运力 (this transport does not leave your station)");
    if ((rc = lifecycle_settings_read(db, &s, err)) != 0 || (rc = lifecycle_parse_time(row->t.depart_at, &depart, err)))
        return rc;
    if (!lifecycle_standby_open(row->t.status, depart, time(NULL), &s))
        return error_set(err, HW_ECONFLICT, "not_open",
                         "候补只在检票开始且过了未到截止时间(出发前 %d 分钟)后开放 (standby opens while boarding, "
                         "after the no-show cutoff %d minutes before departure)",
                         s.no_show_cutoff_minutes, s.no_show_cutoff_minutes);
    return 0;
}

int lifecycle_standby(sqlite3 *db, void *arg, hw_error *err)
{
    lifecycle_standby_job *job = arg;
    registry_tr row;
    standby_reg r;
    char dropoff[7], label[SEATING_LABEL_MAX];
    int live = 0, seat = -1;
    seating_layout layout;
    int rc = standby_transport(db, job, &row, err);
    if (rc == 0)
        rc = standby_find(db, job, &r, err);
    if (rc == 0)
        rc = count_of(db, "SELECT count(*) FROM tickets WHERE registration_id = ?1 AND status IN " LIVE, r.id, &live,
                      err);
    if (rc == 0 && live > 0)
        rc = error_set(err, HW_ECONFLICT, "has_ticket", "此人已有有效车票 (this person already holds a live ticket)");
    if (rc == 0)
        rc = standby_fit(db, &row.t, &r, dropoff, err);
    if (rc == 0)
        rc = first_free_seat(db, row.id, row.t.capacity, &seat, err);
    if (rc == 0 && seat < 0)
        rc = error_set(err, HW_ECONFLICT, "full", "没有空座 (no free seat): %d/%d", row.t.capacity, row.t.capacity);
    if (rc == 0)
        rc = seating_layout_parse(row.t.layout, row.t.capacity, &layout, err);
    if (rc != 0)
        return rc;
    seating_label(&layout, (int)row.t.kind, seat, label, sizeof label);
    job->registration = r.id;
    return standby_insert(db, job, r.id, row.id, seat, label, dropoff, err);
}

/* ------------------------------------------------------------------ the timer */

struct lifecycle {
    uv_timer_t timer;
    store *store;
    store_job job;
    int changed;
    bool busy, stopped, closed, freeing;
};

static void maybe_free(lifecycle *lc)
{
    if (lc->freeing && lc->closed && !lc->busy)
        free(lc);
}

static void on_pass_done(store_job *job)
{
    lifecycle *lc = (lifecycle *)(void *)((char *)job - offsetof(lifecycle, job));
    lc->busy = false;
    if (job->rc != 0)
        fprintf(stderr, "运力状态定时任务失败 (lifecycle pass failed): %s\n", job->err.message);
    maybe_free(lc);
}

static void on_tick(uv_timer_t *t)
{
    lifecycle *lc = t->data;
    if (lc->busy || lc->stopped)
        return;
    lc->busy = true;
    memset(&lc->job, 0, sizeof lc->job);
    lc->job.fn = lifecycle_pass;
    lc->job.arg = &lc->changed;
    lc->job.done = on_pass_done;
    store_submit(lc->store, &lc->job);
}

/* The tick: HOMEWARD_LIFECYCLE_MS when set and sane, else LIFECYCLE_TICK_MS. */
static uint64_t tick_ms(void)
{
    const char *env = getenv("HOMEWARD_LIFECYCLE_MS");
    char *end = NULL;
    long v = env != NULL ? strtol(env, &end, 10) : 0;
    return env != NULL && end != env && *end == '\0' && v >= 100 && v <= 3600000 ? (uint64_t)v : LIFECYCLE_TICK_MS;
}

int lifecycle_start(uv_loop_t *loop, store *s, lifecycle **out, hw_error *err)
{
    lifecycle *lc = calloc(1, sizeof *lc);
    if (lc == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    lc->store = s;
    int rc = uv_timer_init(loop, &lc->timer);
    if (rc == 0) {
        lc->timer.data = lc;
        rc = uv_timer_start(&lc->timer, on_tick, 0, tick_ms());
    }
    if (rc != 0) {
        free(lc);
        return error_set(err, HW_EIO, "uv_timer", "事件循环错误 (event loop error): %s", uv_strerror(rc));
    }
    *out = lc;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    lifecycle *lc = h->data;
    lc->closed = true;
    maybe_free(lc);
}

void lifecycle_stop(lifecycle *lc)
{
    if (lc == NULL || lc->stopped)
        return;
    lc->stopped = true;
    uv_close((uv_handle_t *)&lc->timer, on_closed);
}

bool lifecycle_idle(const lifecycle *lc)
{
    return lc == NULL || !lc->busy;
}

void lifecycle_free(lifecycle *lc)
{
    if (lc == NULL)
        return;
    lifecycle_stop(lc);
    lc->freeing = true;
    maybe_free(lc);
}
