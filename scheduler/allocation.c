/* allocation.c - load the allocation snapshot, and apply a plan: cancel lapsed tickets, seat parties together, issue codes. */
#include "allocation.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "clock.h"
#include "seating.h"
#include "store.h"
#include "ticketcode.h"
#include "transports.h"

#define LIVE "('issued', 'boarded')"

/* People whose ticket is on a transport that has left are done: they are not part of any later allocation. */
#define NOT_TRAVELLED                                                                                                  \
    " AND NOT EXISTS (SELECT 1 FROM tickets k2 JOIN transports t2 ON t2.id = k2.transport_id WHERE "                  \
    "k2.registration_id = r.id AND k2.status IN " LIVE " AND t2.status IN ('departed', 'arrived'))"

/* Changes to tickets, transports or registrations since the snapshot change this text. */
static int fingerprint(sqlite3 *db, char *buf, size_t n, hw_error *err)
{
    static const char sql[] =
        "SELECT (SELECT count(*) || ':' || total(id * (CASE status WHEN 'issued' THEN 1 WHEN 'boarded' THEN 2 "
        "WHEN 'no_show' THEN 3 ELSE 4 END)) FROM tickets) || '|' || (SELECT count(*) || ':' || total(id * "
        "length(status)) || ':' || coalesce(max(updated_at), '') FROM transports) || '|' || (SELECT count(*) || "
        "':' || total(id * (status = 'active')) || ':' || coalesce(max(updated_at), '') FROM registrations)";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "allocation", err);
}

static int32_t ymd(const char *text)
{
    if (text == NULL || strlen(text) < 10)
        return 0;
    return (int32_t)(strtol(text, NULL, 10) * 10000 + strtol(text + 5, NULL, 10) * 100 + strtol(text + 8, NULL, 10));
}

static int count_rows(sqlite3 *db, const char *sql, int64_t campaign_id, int32_t *n, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, campaign_id);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "allocation", err);
}

static void read_stops(const char *text, alloc_transport *t)
{
    t->nstops = 0;
    while (text != NULL && *text != '\0' && t->nstops < ALLOC_MAX_STOPS) {
        size_t len = strcspn(text, ";");
        snprintf(t->stops[t->nstops++], 7, "%.*s", (int)(len < 6 ? len : 6), text);
        text += len;
        if (*text == ';')
            text++;
    }
}

static void read_transport(sqlite3_stmt *st, allocation_snapshot *snap, int32_t i)
{
    alloc_transport *t = &snap->transports[i];
    transport_kind kind = TRANSPORT_BUS;
    const char *status = (const char *)sqlite3_column_text(st, 6);
    memset(t, 0, sizeof *t);
    snap->transport_ids[i] = sqlite3_column_int64(st, 0);
    snprintf(t->ref, sizeof t->ref, "%s", (const char *)sqlite3_column_text(st, 1));
    transport_kind_parse((const char *)sqlite3_column_text(st, 2), &kind, NULL);
    t->kind = (int)kind;
    t->depart_date = ymd((const char *)sqlite3_column_text(st, 3));
    read_stops((const char *)sqlite3_column_text(st, 4), t);
    t->capacity = sqlite3_column_int(st, 5);
    t->usable = strcmp(status, "planned") == 0 || strcmp(status, "confirmed") == 0 || strcmp(status, "boarding") == 0;
    t->departed = strcmp(status, "departed") == 0 || strcmp(status, "arrived") == 0;
    t->taken = sqlite3_column_int(st, 7);
    snprintf(snap->layouts[i], sizeof snap->layouts[i], "%s", (const char *)sqlite3_column_text(st, 8));
}

static int load_transports(sqlite3 *db, allocation_snapshot *snap, hw_error *err)
{
    int32_t n = 0;
    int rc = count_rows(db, "SELECT count(*) FROM transports WHERE campaign_id = ?", snap->campaign_id, &n, err);
    if (rc != 0)
        return rc;
    snap->transports = calloc((size_t)n + 1, sizeof *snap->transports);
    snap->transport_ids = calloc((size_t)n + 1, sizeof *snap->transport_ids);
    snap->layouts = calloc((size_t)n + 1, sizeof *snap->layouts);
    if (snap->transports == NULL || snap->transport_ids == NULL || snap->layouts == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db,
                            "SELECT t.id, t.ref, t.kind, t.depart_at, t.stops, t.capacity, t.status, (SELECT count(*) "
                            "FROM tickets k WHERE k.transport_id = t.id AND k.status IN " LIVE "), t.layout "
                            "FROM transports t WHERE t.campaign_id = ? ORDER BY t.ref",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "allocation", err);
    sqlite3_bind_int64(st, 1, snap->campaign_id);
    int32_t i = 0;
    while (i < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_transport(st, snap, i++);
    sqlite3_finalize(st);
    snap->in.ntransports = i;
    return 0;
}

/* Index of the transport with database id `id` (linear: called once per fixed ticket, transports are few). */
static int32_t transport_index(const allocation_snapshot *snap, int64_t id)
{
    for (int32_t i = 0; i < snap->in.ntransports; i++)
        if (snap->transport_ids[i] == id)
            return i;
    return -1;
}

/* Append person i to the party list: a new party unless it shares the previous person's non-empty key. */
static void add_to_party(allocation_snapshot *snap, int32_t i, const char *key, int64_t reg_id, const char *name)
{
    int32_t np = snap->in.nparties;
    if (np > 0 && key[0] != '\0' && strcmp(snap->party_keys[np - 1], key) == 0) {
        snap->parties[np - 1].count++;
        return;
    }
    snap->parties[np] = (alloc_party){.first = i, .count = 1};
    snap->party_first_reg[np] = reg_id;
    snprintf(snap->party_keys[np], sizeof snap->party_keys[np], "%s", key);
    snprintf(snap->party_names[np], sizeof snap->party_names[np], "%s", name);
    snap->in.nparties = np + 1;
}

static void read_person(sqlite3_stmt *st, allocation_snapshot *snap, int32_t i)
{
    alloc_person *p = &snap->people[i];
    memset(p, 0, sizeof *p);
    p->registration_id = sqlite3_column_int64(st, 0);
    snprintf(p->dest, sizeof p->dest, "%s", (const char *)sqlite3_column_text(st, 1));
    p->earliest = ymd((const char *)sqlite3_column_text(st, 2));
    p->latest = ymd((const char *)sqlite3_column_text(st, 3));
    p->priority = (uint8_t)sqlite3_column_int(st, 4);
    p->fixed = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : transport_index(snap, sqlite3_column_int64(st, 6));
    char name[80];
    const char *ref = (const char *)sqlite3_column_text(st, 7);
    snprintf(name, sizeof name, "%s%s%s", ref != NULL ? ref : "", ref != NULL ? " " : "",
             (const char *)sqlite3_column_text(st, 8));
    add_to_party(snap, i, (const char *)sqlite3_column_text(st, 5), p->registration_id, name);
}

static int load_people(sqlite3 *db, allocation_snapshot *snap, hw_error *err)
{
    int32_t n = 0;
    int rc = count_rows(db, "SELECT count(*) FROM registrations r WHERE r.campaign_id = ? AND r.status = 'active'"
                            NOT_TRAVELLED,
                        snap->campaign_id, &n, err);
    if (rc != 0)
        return rc;
    snap->people = calloc((size_t)n + 1, sizeof *snap->people);
    snap->parties = calloc((size_t)n + 1, sizeof *snap->parties);
    snap->party_first_reg = calloc((size_t)n + 1, sizeof *snap->party_first_reg);
    snap->party_keys = calloc((size_t)n + 1, sizeof *snap->party_keys);
    snap->party_names = calloc((size_t)n + 1, sizeof *snap->party_names);
    if (snap->people == NULL || snap->parties == NULL || snap->party_first_reg == NULL || snap->party_keys == NULL ||
        snap->party_names == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db,
                            "SELECT r.id, r.destination, r.earliest, r.latest, r.priority, coalesce(r.party, ''), "
                            "k.transport_id, r.ref, r.name FROM registrations r LEFT JOIN tickets k ON k.registration_id = r.id AND "
                            "k.status IN " LIVE " WHERE r.campaign_id = ? AND r.status = 'active'" NOT_TRAVELLED
                            " ORDER BY r.party IS NULL, r.party, r.id",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "allocation", err);
    sqlite3_bind_int64(st, 1, snap->campaign_id);
    int32_t i = 0;
    while (i < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_person(st, snap, i++);
    sqlite3_finalize(st);
    snap->in.npeople = i;
    return 0;
}

int allocation_load(sqlite3 *db, allocation_snapshot *snap, hw_error *err)
{
    campaign_info c;
    hw_error ignored;
    memset(snap, 0, sizeof *snap);
    int rc = store_exec(db, "BEGIN", err); /* one consistent read */
    if (rc == 0 && (rc = campaign_load(db, &c, err)) == 0 && (rc = campaign_current_id(db, &snap->campaign_id, err)) == 0)
        rc = fingerprint(db, snap->fingerprint, sizeof snap->fingerprint, err);
    if (rc == 0 && (rc = load_transports(db, snap, err)) == 0)
        rc = load_people(db, snap, err);
    store_exec(db, "COMMIT", &ignored);
    snap->in.people = snap->people;
    snap->in.parties = snap->parties;
    snap->in.transports = snap->transports;
    snap->in.campaign_from = ymd(c.from);
    snap->in.campaign_to = ymd(c.to);
    snap->in.home_province = (int)strtol(c.unit_code, NULL, 10) / 10000;
    if (rc != 0)
        allocation_snapshot_free(snap);
    return rc;
}

void allocation_snapshot_free(allocation_snapshot *snap)
{
    free(snap->people);
    free(snap->parties);
    free(snap->transports);
    free(snap->transport_ids);
    free(snap->layouts);
    free(snap->party_first_reg);
    free(snap->party_keys);
    free(snap->party_names);
    memset(snap, 0, sizeof *snap);
}

/* ------------------------------------------------------------------ apply */

static int cancel_lapsed(sqlite3 *db, allocation_apply_job *job, const char *now, hw_error *err)
{
    const allocation_snapshot *snap = job->snap;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "UPDATE tickets SET status = 'cancelled', updated_at = ?2 WHERE registration_id = ?1 "
                                "AND status = 'issued'",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "tickets", err);
    for (int32_t i = 0; i < snap->in.npeople && rc == SQLITE_OK; i++) {
        if (!job->result->seats[i].moved)
            continue;
        sqlite3_bind_int64(st, 1, snap->people[i].registration_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        job->cancelled += sqlite3_changes(db);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : store_error(db, rc, "tickets", err);
}

/* Seats already held on transport `tid`, as a capacity-long flag array (malloc'ed). */
static bool *taken_seats(sqlite3 *db, int64_t tid, int capacity, hw_error *err)
{
    bool *taken = calloc((size_t)capacity + 1, sizeof *taken);
    sqlite3_stmt *st = NULL;
    if (taken == NULL || sqlite3_prepare_v2(db, "SELECT seat_index FROM tickets WHERE transport_id = ? AND status IN " LIVE,
                                            -1, &st, NULL) != SQLITE_OK) {
        free(taken);
        store_error(db, SQLITE_ERROR, "tickets", err);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, tid);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int seat = sqlite3_column_int(st, 0);
        if (seat >= 0 && seat < capacity)
            taken[seat] = true;
    }
    sqlite3_finalize(st);
    return taken;
}

typedef struct ticket_writer {
    sqlite3 *db;
    sqlite3_stmt *insert;
    int64_t campaign_id, run_id;
    const char *now;
} ticket_writer;

/* Insert one ticket with a fresh code; a code collision (45 random bits) draws another. */
static int issue_ticket(ticket_writer *w, int64_t reg, int64_t tid, int seat, const char *label, const char *dropoff,
                        hw_error *err)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        uint8_t random[TICKETCODE_RANDOM_BYTES];
        char code[TICKETCODE_LEN + 1];
        randombytes_buf(random, sizeof random);
        ticketcode_new(code, random);
        sqlite3_stmt *st = w->insert;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, w->campaign_id);
        sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, reg);
        sqlite3_bind_int64(st, 4, tid);
        sqlite3_bind_int(st, 5, seat);
        sqlite3_bind_text(st, 6, label, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, dropoff, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 8, w->run_id);
        sqlite3_bind_text(st, 9, w->now, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            return 0;
        if (sqlite3_extended_errcode(w->db) != SQLITE_CONSTRAINT_UNIQUE || strstr(sqlite3_errmsg(w->db), "code") == NULL)
            return store_error(w->db, rc, "tickets", err);
    }
    return error_set(err, HW_ECONFLICT, "ticket_code", "无法生成唯一的票号 (could not draw a unique ticket code)");
}

/* The new (not fixed) members of party p seated on transport t, in order. */
static int new_members(const allocation_apply_job *job, int32_t p, int32_t t, int32_t *members)
{
    const alloc_party *party = &job->snap->parties[p];
    int n = 0;
    for (int32_t i = party->first; i < party->first + party->count; i++)
        if (job->result->seats[i].transport == t && !job->result->seats[i].fixed)
            members[n++] = i;
    return n;
}

/* Give each party its seats on transport t (parties[0..nparties) placed there) and issue their tickets. */
static int seat_and_issue(ticket_writer *w, allocation_apply_job *job, int32_t t, const seating_layout *layout,
                          const bool *taken, const int32_t *parties, int nparties, hw_error *err)
{
    const allocation_snapshot *snap = job->snap;
    const alloc_transport *tr = &snap->transports[t];
    int32_t *members = malloc(sizeof *members * (size_t)(tr->capacity + 1));
    int *sizes = malloc(sizeof *sizes * (size_t)(nparties + 1));
    int *seats = malloc(sizeof *seats * (size_t)(tr->capacity + 1));
    bool *together = malloc(sizeof *together * (size_t)(nparties + 1));
    int nmembers = 0, ntogether = 0, rc = 0;
    if (members == NULL || sizes == NULL || seats == NULL || together == NULL)
        rc = error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    for (int i = 0; rc == 0 && i < nparties; i++) {
        sizes[i] = new_members(job, parties[i], t, members + nmembers);
        nmembers += sizes[i];
    }
    if (rc == 0)
        rc = seating_assign(layout, taken, sizes, nparties, seats, together, &ntogether, err);
    for (int i = 0, k = 0; rc == 0 && i < nparties; k += sizes[i], i++) {
        job->parties_multi += sizes[i] > 1;
        job->parties_together += sizes[i] > 1 && together[i];
        for (int j = k; rc == 0 && j < k + sizes[i]; j++) {
            char label[SEATING_LABEL_MAX];
            seating_label(layout, tr->kind, seats[j], label, sizeof label);
            rc = issue_ticket(w, snap->people[members[j]].registration_id, snap->transport_ids[t], seats[j], label,
                              job->result->seats[members[j]].dropoff, err);
            job->issued += rc == 0;
        }
    }
    free(members);
    free(sizes);
    free(seats);
    free(together);
    return rc;
}

/* Seat the parties newly placed on transport t. */
static int seat_transport(ticket_writer *w, allocation_apply_job *job, int32_t t, const int32_t *parties, int n,
                          hw_error *err)
{
    const allocation_snapshot *snap = job->snap;
    seating_layout layout;
    int rc = seating_layout_parse(snap->layouts[t], snap->transports[t].capacity, &layout, err);
    if (rc != 0)
        return rc;
    bool *taken = taken_seats(w->db, snap->transport_ids[t], snap->transports[t].capacity, err);
    if (taken == NULL)
        return err->rc;
    rc = seat_and_issue(w, job, t, &layout, taken, parties, n, err);
    free(taken);
    return rc;
}

/* The parties with new seats, grouped by transport (counting sort): by_t[start[t] .. start[t+1]). */
static int group_by_transport(const allocation_apply_job *job, int32_t **by_t, int32_t **start, hw_error *err)
{
    const allocation_snapshot *snap = job->snap;
    int32_t nt = snap->in.ntransports, np = snap->in.nparties;
    *by_t = malloc(sizeof **by_t * (size_t)(np + 1));
    *start = calloc((size_t)nt + 2, sizeof **start);
    if (*by_t == NULL || *start == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    for (int32_t p = 0; p < np; p++) {
        int32_t t = job->result->party_transport[p];
        if (t >= 0)
            (*start)[t + 2]++;
    }
    for (int32_t t = 0; t < nt; t++)
        (*start)[t + 2] += (*start)[t + 1];
    for (int32_t p = 0; p < np; p++) {
        int32_t t = job->result->party_transport[p];
        if (t >= 0)
            (*by_t)[(*start)[t + 1]++] = p;
    }
    return 0;
}

static int seat_everyone(ticket_writer *w, allocation_apply_job *job, hw_error *err)
{
    int32_t *by_t = NULL, *start = NULL;
    int rc = group_by_transport(job, &by_t, &start, err);
    for (int32_t t = 0; rc == 0 && t < job->snap->in.ntransports; t++) {
        int32_t from = start[t], to = start[t + 1], n = 0;
        /* keep only parties that got new seats (a party whose members were all fixed has none) */
        for (int32_t i = from; i < to; i++) {
            const alloc_party *party = &job->snap->parties[by_t[i]];
            bool has_new = false;
            for (int32_t m = party->first; m < party->first + party->count && !has_new; m++)
                has_new = job->result->seats[m].transport == t && !job->result->seats[m].fixed;
            if (has_new)
                by_t[from + n++] = by_t[i];
        }
        if (n > 0 && job->snap->transports[t].usable)
            rc = seat_transport(w, job, t, by_t + from, n, err);
    }
    free(by_t);
    free(start);
    return rc;
}

static int record_run(sqlite3 *db, allocation_apply_job *job, const char *now, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO allocation_runs(campaign_id, started_at, finished_at, dry_run, seated, "
                                "bound, issued, summary) VALUES (?, ?, ?, ?, ?, ?, 0, '{}')",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "allocation_runs", err);
    sqlite3_bind_int64(st, 1, job->snap->campaign_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, job->dry_run);
    sqlite3_bind_int64(st, 5, job->result->stats.seated);
    sqlite3_bind_int64(st, 6, job->result->stats.bound);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "allocation_runs", err);
    job->run_id = sqlite3_last_insert_rowid(db);
    return 0;
}

static int finish_run(sqlite3 *db, allocation_apply_job *job, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "UPDATE allocation_runs SET issued = ? WHERE id = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, job->issued);
        sqlite3_bind_int64(st, 2, job->run_id);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : store_error(db, rc, "allocation_runs", err);
}

static int apply_all(sqlite3 *db, allocation_apply_job *job, hw_error *err)
{
    char now[32], print[96];
    clock_now(now, sizeof now);
    int rc = fingerprint(db, print, sizeof print, err);
    if (rc != 0)
        return rc;
    if (strcmp(print, job->snap->fingerprint) != 0)
        return error_set(err, HW_ECONFLICT, "snapshot_stale",
                         "分配期间数据有变动(检票、取消或新登记),请重新分配 (the data changed while allocating; run "
                         "the allocation again)");
    if ((rc = record_run(db, job, now, err)) != 0 || (rc = cancel_lapsed(db, job, now, err)) != 0)
        return rc;
    ticket_writer w = {.db = db, .campaign_id = job->snap->campaign_id, .run_id = job->run_id, .now = now};
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO tickets(campaign_id, code, registration_id, transport_id, seat_index, "
                            "seat_label, dropoff, run_id, issued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?9, ?9)",
                            -1, &w.insert, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "tickets", err);
    rc = seat_everyone(&w, job, err);
    sqlite3_finalize(w.insert);
    return rc == 0 ? finish_run(db, job, err) : rc;
}

int allocation_apply(sqlite3 *db, void *arg, hw_error *err)
{
    allocation_apply_job *job = arg;
    hw_error ignored;
    job->issued = job->cancelled = job->parties_together = job->parties_multi = 0;
    int rc = store_exec(db, "SAVEPOINT allocation", err);
    if (rc != 0)
        return rc;
    rc = apply_all(db, job, err);
    if (rc != 0 || job->dry_run)
        store_exec(db, "ROLLBACK TO allocation", &ignored);
    store_exec(db, "RELEASE allocation", &ignored);
    return rc;
}

void allocation_apply_job_free(allocation_apply_job *job)
{
    json_decref(job->summary);
    job->summary = NULL;
}

/* ------------------------------------------------------------------ report */

static json_t *unseated_json(const allocation_snapshot *snap, const alloc_result *r)
{
    json_t *list = json_array();
    for (int32_t i = 0; i < r->nunseated; i++) {
        const alloc_unseated *u = &r->unseated[i];
        char why[512];
        alloc_explain(u, why, sizeof why);
        json_array_append_new(list, json_pack("{s:s?, s:I, s:s, s:i, s:i, s:s, s:s}", "party",
                                              snap->party_keys[u->party][0] ? snap->party_keys[u->party] : NULL,
                                              "registration", (json_int_t)snap->party_first_reg[u->party], "who",
                                              snap->party_names[u->party], "people",
                                              u->people, "priority", u->priority, "reason",
                                              alloc_reason_name(u->reason), "explanation", why));
    }
    return list;
}

static json_t *suggestions_json(const alloc_result *r, const divisions *d)
{
    json_t *list = json_array();
    for (int32_t i = 0; i < r->nsuggestions; i++) {
        const alloc_suggestion *s = &r->suggestions[i];
        char name[DIVISIONS_FULL_NAME_MAX] = "", date[16];
        snprintf(date, sizeof date, "%04d-%02d-%02d", s->date / 10000, s->date / 100 % 100, s->date % 100);
        if (divisions_full_name(d, s->dropoff, name, sizeof name) != 0)
            name[0] = '\0';
        json_array_append_new(list, json_pack("{s:s, s:s, s:{s:s, s:s?}, s:s, s:i, s:i, s:i}", "kind",
                                              alloc_kind_name(s->kind), "kind_zh", alloc_kind_zh(s->kind), "dropoff",
                                              "code", s->dropoff, "name", name[0] ? name : NULL, "date", date,
                                              "vehicles", s->vehicles, "people", s->people, "parties", s->parties));
    }
    return list;
}

json_t *allocation_report(const allocation_snapshot *snap, const alloc_result *r, const allocation_apply_job *job,
                          const divisions *d)
{
    const alloc_stats *st = &r->stats;
    double quality = st->bound > 0 ? (double)st->seated / (double)st->bound : 1.0;
    json_t *out = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I}", "dry_run",
                            job->dry_run, "people", (json_int_t)st->people, "parties", (json_int_t)st->parties,
                            "seated", (json_int_t)st->seated, "bound", (json_int_t)st->bound, "fixed",
                            (json_int_t)st->fixed, "quality", quality, "priority_people",
                            (json_int_t)st->priority_people, "priority_seated", (json_int_t)st->priority_seated,
                            "priority_bound", (json_int_t)st->priority_bound, "parties_seated",
                            (json_int_t)st->parties_seated, "transports_used", (json_int_t)st->transports_used,
                            "transports", (json_int_t)snap->in.ntransports);
    json_object_set_new(out, "priority_bound_whole", json_integer(st->priority_bound_whole));
    json_object_set_new(out, "run", job->run_id > 0 && !job->dry_run ? json_integer(job->run_id) : json_null());
    json_object_set_new(out, "issued", json_integer(job->issued));
    json_object_set_new(out, "cancelled", json_integer(job->cancelled));
    json_object_set_new(out, "parties_together",
                        json_pack("{s:I, s:I}", "together", (json_int_t)job->parties_together, "of",
                                  (json_int_t)job->parties_multi));
    json_object_set_new(out, "unseated", unseated_json(snap, r));
    json_object_set_new(out, "suggestions", suggestions_json(r, d));
    return out;
}
