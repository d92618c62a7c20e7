/* checkins.c - the store side of check-in: resolve the scan, ask checkin_decide(), record the event and its answer. */
#include "checkins.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign.h"
#include "checkin.h"
#include "clock.h"
#include "idnumber.h"
#include "store.h"
#include "ticketcode.h"

checkins_job *checkins_job_new(size_t n, const vault *v, const char *user, const char *station)
{
    if (n > CHECKINS_MAX_BATCH)
        return NULL;
    checkins_job *job = calloc(1, sizeof *job + n * sizeof job->events[0]);
    if (job == NULL)
        return NULL;
    job->vault = v;
    job->n = n;
    snprintf(job->user, sizeof job->user, "%s", user != NULL ? user : "");
    snprintf(job->station, sizeof job->station, "%s", station != NULL ? station : "");
    return job;
}

void checkins_job_free(void *arg)
{
    checkins_job *job = arg;
    if (job == NULL)
        return;
    for (size_t i = 0; i < job->n; i++)
        free(job->events[i].answer);
    free(job);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t checkins_parse_time(const char *s)
{
    int y, mo, d, h, mi, sec = 0, used = 0, oh = 8, om = 0;
    char sep;
    if (s == NULL || sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &used) != 6 ||
        (sep != 'T' && sep != ' ') || !clock_valid_date(y, mo, d) || h > 23 || mi > 59)
        return -1;
    const char *p = s + used;
    if (*p == ':') {
        int n = 0;
        if (sscanf(p, ":%2d%n", &sec, &n) != 1 || sec > 60)
            return -1;
        p += n;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
    }
    if (*p == 'Z' || *p == 'z') {
        oh = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int n = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || oh > 23 || om > 59)
            return -1;
        if (*p == '-') {
            oh = -oh;
            om = -om;
        }
        p += 1 + n;
    }
    if (*p != '\0')
        return -1;
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - (oh * 3600 + om * 60);
}

/* Check-ins are the hottest write path: statements are compiled once per connection and reused. */
static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, hw_error *err)
{
    return store_prepare_cached(db, sql, st, err);
}

/* Copy a text column into dst (truncated to n - 1 bytes); a plain copy, as snprintf showed in profiles. */
static void text(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    size_t len = v != NULL ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (len >= n)
        len = n - 1;
    if (len > 0)
        memcpy(dst, v, len);
    dst[len] = '\0';
}

#define TRANSPORT_SQL "SELECT id, ref, label, depart_at, origin, gate, status FROM transports "

/* One transport by `id` (ref NULL) or by campaign + ref; HW_ENOTFOUND "unknown_transport". */
static int load_transport(sqlite3 *db, int64_t campaign, const char *ref, int64_t id, checkin_transport *t,
                          hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        prepare(db, ref != NULL ? TRANSPORT_SQL "WHERE campaign_id = ?1 AND ref = ?2" : TRANSPORT_SQL "WHERE id = ?3",
                &st, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, campaign);
    if (ref != NULL)
        sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 3, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(t, 0, sizeof *t);
        t->id = sqlite3_column_int64(st, 0);
        text(st, 1, t->ref, sizeof t->ref);
        text(st, 2, t->label, sizeof t->label);
        text(st, 3, t->depart_at, sizeof t->depart_at);
        text(st, 4, t->origin, sizeof t->origin);
        text(st, 5, t->gate, sizeof t->gate);
        text(st, 6, t->status, sizeof t->status);
    }
    store_release(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "transports", err);
    return error_set(err, HW_ENOTFOUND, "unknown_transport", "没有这个运力 (no such transport)");
}

/* An integer setting (settings table), or `dflt`. */
static int setting_int(sqlite3 *db, const char *key, int dflt)
{
    sqlite3_stmt *st = NULL;
    int v = dflt;
    if (prepare(db, "SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?", &st, NULL) != 0)
        return dflt;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    store_release(st);
    return v;
}

/* The scanned ticket with what the answers need. */
typedef struct scanned {
    checkin_ticket k;
    char code[11], seat[24], name[64], id_masked[19], boarded_at[40], device[64];
    bool found;
    bool boarded; /* boarded_at is set */
} scanned;

#define TICKET_SQL                                                                                                     \
    "SELECT k.id, k.transport_id, k.status, k.code, k.seat_label, r.name, r.id_masked, k.boarded_at, c.device "        \
    "FROM tickets k JOIN registrations r ON r.id = k.registration_id LEFT JOIN checkins c ON c.id = "                  \
    "k.boarded_checkin "

/* Run a ticket query whose parameters are bound by the caller; fills *s when a row comes. */
static int read_ticket(sqlite3 *db, sqlite3_stmt *st, scanned *s, hw_error *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->found = true;
        s->k.id = sqlite3_column_int64(st, 0);
        s->k.transport_id = sqlite3_column_int64(st, 1);
        text(st, 2, s->k.status, sizeof s->k.status);
        text(st, 3, s->code, sizeof s->code);
        text(st, 4, s->seat, sizeof s->seat);
        text(st, 5, s->name, sizeof s->name);
        text(st, 6, s->id_masked, sizeof s->id_masked);
        text(st, 7, s->boarded_at, sizeof s->boarded_at);
        text(st, 8, s->device, sizeof s->device);
        s->boarded = sqlite3_column_type(st, 7) != SQLITE_NULL;
    }
    store_release(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(db, rc, "tickets", err);
}

static int ticket_by_code(sqlite3 *db, int64_t campaign, const char *typed, scanned *s, hw_error *err)
{
    char code[TICKETCODE_LEN + 1];
    sqlite3_stmt *st = NULL;
    if (ticketcode_normalize(typed, code, NULL) != 0)
        return 0; /* not a code at all: unknown */
    int rc = prepare(db, TICKET_SQL "WHERE k.campaign_id = ?1 AND k.code = ?2", &st, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
    return read_ticket(db, st, s, err);
}

/* The person's ticket: a live one on `transport_id` first, then any live one, then the newest. */
static int ticket_by_id_number(sqlite3 *db, const vault *v, int64_t campaign, const char *typed, int64_t transport_id,
                               scanned *s, hw_error *err)
{
    char id[IDNUMBER_LEN + 1];
    uint8_t index[VAULT_INDEX_BYTES];
    sqlite3_stmt *st = NULL;
    if (v == NULL || idnumber_normalize(typed, clock_today(), id, NULL) != 0)
        return 0;
    vault_index(v, "id", id, index);
    int rc = prepare(db,
                     TICKET_SQL "WHERE k.campaign_id = ?1 AND r.campaign_id = ?1 AND r.id_index = ?2 "
                                "AND r.status = 'active' ORDER BY k.status IN ('issued', 'boarded') DESC, "
                                "k.transport_id = ?3 DESC, k.id DESC LIMIT 1",
                     &st, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_blob(st, 2, index, sizeof index, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, transport_id);
    return read_ticket(db, st, s, err);
}

/* A bounded text buffer for the ok answer; `failed` once something did not fit. */
typedef struct outbuf {
    char *p;
    size_t len, cap;
    bool failed;
} outbuf;

static void put_raw(outbuf *b, const char *s, size_t n)
{
    if (b->failed || b->len + n >= b->cap) {
        b->failed = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* `s` as a JSON string, escaped as jansson's json_dumps() escapes it (UTF-8 kept, controls as \\uXXXX). */
static void put_string(outbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    put_raw(b, "\"", 1);
    for (const char *run = s;; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put_raw(b, run, (size_t)(s - run));
        if (c == '\0')
            break;
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"':
        case '\\':
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        put_raw(b, esc, n);
        run = s + 1;
    }
    put_raw(b, "\"", 1);
}

/*
 * The ok answer, written directly: it is the answer of nearly every scan, and building it as a
 * jansson object and dumping it cost more than the rest of the job's C code. Same text as
 * json_dumps(JSON_COMPACT) of the object would give. malloc'ed, NULL when out of memory.
 */
static char *answer_ok(const scanned *s, const checkins_event *e, const char *at)
{
    const char *keys[] = {"status", "seat", "name", "id_number", "ticket", "transport", "event_id", "at"};
    const char *vals[] = {"ok", s->seat, s->name, s->id_masked, s->code, e->transport, e->event_id, at};
    size_t cap = 64;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cap += strlen(keys[i]) + 6 * strlen(vals[i]) + 6; /* worst case: every byte escaped as \\u00XX */
    outbuf b = {.p = malloc(cap), .cap = cap};
    if (b.p == NULL)
        return NULL;
    put_raw(&b, "{", 1);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (i > 0)
            put_raw(&b, ",", 1);
        put_string(&b, keys[i]);
        put_raw(&b, ":", 1);
        put_string(&b, vals[i]);
    }
    put_raw(&b, "}", 1);
    if (b.failed) { /* cannot happen with the capacity above; fail safe rather than answer cut text */
        free(b.p);
        return NULL;
    }
    b.p[b.len] = '\0';
    return b.p;
}

/* The answer of a decision other than ok, as a new JSON object. */
static json_t *answer_json(const checkin_decision *d, const scanned *s)
{
    const char *status = checkin_status_name(d->status);
    switch (d->status) {
    case CHECKIN_ALREADY_BOARDED:
        return json_pack("{s:s, s:s, s:s, s:s}", "status", status, "boarded_at", s->boarded_at, "device", s->device,
                         "message", d->message);
    case CHECKIN_WRONG_TRANSPORT:
        return json_pack("{s:s, s:{s:s, s:s?, s:s, s:s?, s:s?}, s:s}", "status", status, "right", "ref", d->right->ref,
                         "label", d->right->label[0] ? d->right->label : NULL, "depart_at", d->right->depart_at,
                         "origin", d->right->origin[0] ? d->right->origin : NULL, "gate",
                         d->right->gate[0] ? d->right->gate : NULL, "message", d->message);
    default:
        return json_pack("{s:s, s:s}", "status", status, "message", d->message);
    }
}

/* The answer text of a decision (malloc'ed), or NULL when out of memory. */
static char *answer_text(const checkin_decision *d, const scanned *s, const checkins_event *e, const char *at)
{
    if (d->status == CHECKIN_OK)
        return answer_ok(s, e, at);
    json_t *a = answer_json(d, s);
    char *text = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return text;
}

/* The stored answer of `event_id` (malloc'ed) into *answer, or NULL when the event is new. */
static int stored_answer(sqlite3 *db, const char *event_id, char **answer, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    *answer = NULL;
    int rc = prepare(db, "SELECT answer FROM checkins WHERE event_id = ?", &st, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *answer = strdup((const char *)sqlite3_column_text(st, 0));
        rc = *answer != NULL ? SQLITE_DONE : SQLITE_NOMEM;
    }
    store_release(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "checkins", err);
}

/* What one event is about, resolved before recording it. */
typedef struct decided {
    const checkins_job *job;
    const checkins_event *e;
    const checkin_transport *boarding;
    checkin_decision d;
    scanned s;
    const char *at;
} decided;

/* Insert the checkins row with its answer; on ok board the ticket. */
static int record(sqlite3 *db, const decided *x, const char *answer, const char *now, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db,
                     "INSERT INTO checkins(event_id, ticket_id, transport_id, registration_id, device, user_name, "
                     "station, client_at, server_at, status, answer) VALUES (?1, ?2, ?3, "
                     "(SELECT registration_id FROM tickets WHERE id = ?2), ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                     &st, err);
    if (rc != 0)
        return rc;
    if (x->s.found)
        sqlite3_bind_int64(st, 2, x->s.k.id);
    sqlite3_bind_text(st, 1, x->e->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, x->boarding->id);
    sqlite3_bind_text(st, 4, x->e->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, x->job->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, x->boarding->origin, -1, SQLITE_STATIC);
    if (x->e->at[0] != '\0')
        sqlite3_bind_text(st, 7, x->e->at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, checkin_status_name(x->d.status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, answer, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_release(st);
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "checkins", err);
    if (x->d.status != CHECKIN_OK)
        return 0;
    int64_t checkin_id = sqlite3_last_insert_rowid(db);
    if ((rc = prepare(db,
                      "UPDATE tickets SET status = 'boarded', boarded_at = ?2, boarded_checkin = ?3, updated_at = ?4 "
                      "WHERE id = ?1",
                      &st, err)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, x->s.k.id);
    sqlite3_bind_text(st, 2, x->at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, checkin_id);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_release(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "tickets", err);
}

/* Whether the clock is inside `t`'s boarding window (opens `opens_minutes` before departure). */
static bool window_open(int opens_minutes, const checkin_transport *t)
{
    int64_t depart = checkins_parse_time(t->depart_at), now = (int64_t)time(NULL);
    int64_t opens = (int64_t)opens_minutes * 60;
    return depart >= 0 && now >= depart - opens && now < depart;
}

/* Decide and record one new event; its answer goes to e->answer. */
static int apply_one(sqlite3 *db, const checkins_job *job, int64_t campaign, int opens_minutes, checkins_event *e,
                     const checkin_transport *boarding, hw_error *err)
{
    char now[32];
    checkin_transport own;
    decided x = {.job = job, .e = e, .boarding = boarding};
    clock_now(now, sizeof now);
    x.at = e->at[0] != '\0' ? e->at : now;
    int rc = e->ticket[0] != '\0'
                 ? ticket_by_code(db, campaign, e->ticket, &x.s, err)
                 : ticket_by_id_number(db, job->vault, campaign, e->id_number, boarding->id, &x.s, err);
    if (rc == 0 && x.s.found && x.s.k.transport_id == boarding->id)
        own = *boarding; /* the usual case: the ticket is on the transport being boarded */
    else if (rc == 0 && x.s.found)
        rc = load_transport(db, campaign, NULL, x.s.k.transport_id, &own, err);
    if (rc != 0)
        return rc;
    checkin_input in = {.ticket = x.s.found ? &x.s.k : NULL,
                        .ticket_transport = x.s.found ? &own : NULL,
                        .boarding = boarding,
                        .window_open = window_open(opens_minutes, boarding),
                        .event_time = checkins_parse_time(e->at),
                        .boarded_time = x.s.boarded ? checkins_parse_time(x.s.boarded_at) : -1,
                        .boarded_at = x.s.boarded ? x.s.boarded_at : NULL,
                        .boarded_device = x.s.device};
    x.d = checkin_decide(&in);
    e->answer = answer_text(&x.d, &x.s, e, x.at);
    if (e->answer == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    return record(db, &x, e->answer, now, err);
}

typedef struct order {
    int64_t t;
    size_t i;
} order;

static int by_time(const void *a, const void *b)
{
    const order *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Every transport named must exist and, for a station user, leave the user's station. */
static int load_transports(sqlite3 *db, const checkins_job *job, int64_t campaign, checkin_transport *ts, hw_error *err)
{
    for (size_t i = 0; i < job->n; i++) {
        int rc = load_transport(db, campaign, job->events[i].transport, 0, &ts[i], err);
        if (rc != 0)
            return rc;
        if (job->station[0] != '\0' && strcmp(job->station, ts[i].origin) != 0)
            return error_set(err, HW_EFORBIDDEN, "other_station",
                             "这不是从本站出发的运力 (this transport does not leave your station)");
    }
    return 0;
}

/* campaign_current_id() with the statement cached on the writer's connection (once per check-in job). */
static int current_campaign(sqlite3 *db, int64_t *id, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, "SELECT max(id) FROM campaign", &st, err);
    if (rc != 0)
        return rc;
    rc = sqlite3_step(st);
    bool found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found)
        *id = sqlite3_column_int64(st, 0);
    store_release(st);
    if (found)
        return 0;
    if (rc != SQLITE_ROW)
        return store_error(db, rc, "campaign", err);
    return campaign_current_id(db, id, err); /* the same answer, with its "not_initialized" error */
}

int checkins_apply(sqlite3 *db, void *arg, hw_error *err)
{
    checkins_job *job = arg;
    int64_t campaign = 0, now = (int64_t)time(NULL);
    int rc = current_campaign(db, &campaign, err);
    if (rc != 0)
        return rc;
    checkin_transport *ts = calloc(job->n + 1, sizeof *ts);
    order *ord = calloc(job->n + 1, sizeof *ord);
    if (ts == NULL || ord == NULL) {
        free(ts);
        free(ord);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    rc = load_transports(db, job, campaign, ts, err);
    for (size_t i = 0; i < job->n; i++) {
        int64_t t = checkins_parse_time(job->events[i].at);
        ord[i] = (order){.t = t >= 0 ? t : now, .i = i};
    }
    qsort(ord, job->n, sizeof *ord, by_time);
    int opens_minutes = setting_int(db, "boarding_opens_minutes", 120); /* read once per job */
    for (size_t k = 0; rc == 0 && k < job->n; k++) {
        checkins_event *e = &job->events[ord[k].i];
        rc = stored_answer(db, e->event_id, &e->answer, err);
        if (rc == 0 && e->answer == NULL)
            rc = apply_one(db, job, campaign, opens_minutes, e, &ts[ord[k].i], err);
    }
    free(ts);
    free(ord);
    return rc;
}

/* The check-in to annul: its ticket and transport, if it is a live ok boarding. */
static int annul_target(sqlite3 *db, checkins_annul_job *job, int64_t *checkin, int64_t *ticket, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db,
                     "SELECT c.id, c.status, c.annulled_at IS NOT NULL, k.id, k.code, k.boarded_checkin = c.id, "
                     "t.status, t.origin FROM checkins c LEFT JOIN tickets k ON k.id = c.ticket_id "
                     "LEFT JOIN transports t ON t.id = c.transport_id WHERE c.event_id = ?",
                     &st, err);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, job->event_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_release(st);
        return rc == SQLITE_DONE ? error_set(err, HW_ENOTFOUND, "unknown_event", "没有这次检票 (no such check-in)")
                                 : store_error(db, rc, "checkins", err);
    }
    char status[16], tstatus[16], origin[64];
    text(st, 1, status, sizeof status);
    text(st, 6, tstatus, sizeof tstatus);
    text(st, 7, origin, sizeof origin);
    text(st, 4, job->ticket, sizeof job->ticket);
    bool annulled = sqlite3_column_int(st, 2) != 0, current = sqlite3_column_int(st, 5) != 0;
    *checkin = sqlite3_column_int64(st, 0);
    *ticket = sqlite3_column_int64(st, 3);
    store_release(st);
    if (job->station[0] != '\0' && strcmp(job->station, origin) != 0)
        return error_set(err, HW_EFORBIDDEN, "other_station",
                         "这不是从本站出发的运力 (this transport does not leave your station)");
    if (strcmp(status, "ok") != 0 || annulled || !current || strcmp(tstatus, "departed") == 0 ||
        strcmp(tstatus, "arrived") == 0)
        return error_set(err, HW_ECONFLICT, "not_annullable",
                         "只能撤销发车前仍有效的检票 (only a standing boarding before departure can be annulled)");
    return 0;
}

int checkins_annul(sqlite3 *db, void *arg, hw_error *err)
{
    checkins_annul_job *job = arg;
    int64_t checkin = 0, ticket = 0;
    char now[32];
    sqlite3_stmt *st = NULL;
    int rc = annul_target(db, job, &checkin, &ticket, err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    rc = prepare(db, "UPDATE checkins SET annulled_at = ?2, annulled_by = ?3, annul_reason = ?4 WHERE id = ?1;", &st,
                 err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, checkin);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, job->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, job->reason, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_release(st);
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "checkins", err);
    if ((rc =
             prepare(db,
                     "UPDATE tickets SET status = 'issued', boarded_at = NULL, boarded_checkin = NULL, updated_at = ?2 "
                     "WHERE id = ?1",
                     &st, err)) != 0)
        return rc;
    sqlite3_bind_int64(st, 1, ticket);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_release(st);
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "tickets", err);
    if ((rc = prepare(db,
                      "INSERT INTO audit(at, user_name, action, subject, detail) VALUES (?1, ?2, 'annul_checkin', "
                      "?3, ?4)",
                      &st, err)) != 0)
        return rc;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, job->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, job->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, job->reason, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_release(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "audit", err);
}
