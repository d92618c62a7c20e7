/* test_checkin_kill.c - durability of check-ins: SIGKILL the daemon under concurrent check-ins, restart, audit. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>

#include "harness.h"
#include "idnumber.h"

/*
 * PEOPLE tickets on BUSES buses leaving 成都东站, all boarding. THREADS clients (one
 * keep-alive libcurl handle each, like scanners at several gates) walk the whole list
 * from different offsets, so a ticket may be scanned by several of them: one gets
 * `ok`, the rest `already_boarded`. PEOPLE is large enough that first boardings are
 * still going on when, after KILL_AFTER_MS, the daemon gets SIGKILL with requests in
 * flight; every answer a client received before that is an acknowledgement the
 * store must still hold after the restart.
 */
#define PEOPLE 4000
#define SEATS 50
#define BUSES (PEOPLE / SEATS)
#define THREADS 8
#define KILL_AFTER_MS 1000
#define MAX_ACKS 200000
#define REPLAYS 300
#define REQUEST_TIMEOUT_MS 2000L

typedef struct ack {
    char event_id[32];
    int ticket; /* index into fx.codes */
    bool ok;    /* answered "status":"ok" (else already_boarded) */
    char *answer;
} ack;

typedef struct fixture {
    harness *h;
    char admin[HARNESS_TOKEN_MAX], gate[HARNESS_TOKEN_MAX];
    char codes[PEOPLE][11];
    char refs[PEOPLE][16];
    int port;
    atomic_bool stop;
    pthread_mutex_t lock;
    ack *acks;
    size_t n_acks;
    atomic_long sent, failed;
} fixture;

static fixture fx;

static void cli(const char *const *args)
{
    int code = -1;
    char *out = NULL, *err = NULL;
    assert_int_equal(harness_run_argv(fx.h, true, args, &code, &out, &err), 0);
    if (code != 0)
        fprintf(stderr, "homeward %s: %s\n", args[0], err ? err : "");
    assert_int_equal(code, 0);
    free(out);
    free(err);
}

/* PEOPLE registrations to 平昌县 and BUSES buses of SEATS from 成都东站; paths into regs and trs. */
static void write_csvs(char *regs, char *trs, size_t n)
{
    snprintf(regs, n, "%s/regs.csv", harness_dir(fx.h));
    snprintf(trs, n, "%s/tr.csv", harness_dir(fx.h));
    FILE *f = fopen(regs, "w");
    assert_non_null(f);
    fputs("编号,姓名,身份证号,手机号,目的地,最早出发,最晚出发\n", f);
    static const char *const family[] = {"赵", "曾", "李", "王", "张", "刘", "陈", "杨"};
    static const char *const given[] = {"德华", "红霞", "小明", "秀英", "建国", "芳", "伟", "丽"};
    for (int i = 0; i < PEOPLE; i++) {
        char first17[18];
        snprintf(first17, sizeof first17, "51192319%02d%02d%02d%03d", 70 + i % 25, 1 + i % 12, 1 + i % 28, i % 1000);
        fprintf(f, "R%d,%s%s,%s%c,,四川省巴中市平昌县,2027-01-20,2027-01-26\n", i, family[i % 8], given[(i / 8) % 8],
                first17, idnumber_check_char(first17));
    }
    assert_int_equal(fclose(f), 0);
    f = fopen(trs, "w");
    assert_non_null(f);
    fputs("编号,类型,车次,座位数,出发时间,出发站,经停\n", f);
    for (int b = 0; b < BUSES; b++)
        fprintf(f, "BUS-%02d,汽车,川A-%04d,%d,2027-01-22 %02d:00,成都东站,四川省巴中市平昌县\n", b, b, SEATS,
                6 + b % 16);
    assert_int_equal(fclose(f), 0);
}

/* Read every ticket code with its transport ref, in seat order (one query: "REF CODE,REF CODE,..."). */
static void load_tickets(void)
{
    size_t n = (size_t)PEOPLE * 32;
    char *all = malloc(n);
    assert_non_null(all);
    assert_int_equal(harness_sql_text(fx.h,
                                      "SELECT group_concat(ref || ' ' || code, ',') FROM (SELECT t.ref, k.code "
                                      "FROM tickets k JOIN transports t ON t.id = k.transport_id "
                                      "ORDER BY t.ref, k.seat_index)",
                                      all, n),
                     0);
    const char *p = all;
    for (int i = 0; i < PEOPLE; i++) {
        int used = 0;
        assert_int_equal(sscanf(p, "%15s %10[0-9A-Z]%n", fx.refs[i], fx.codes[i], &used), 2);
        p += used + (p[used] == ',');
    }
    assert_int_equal(*p, '\0');
    free(all);
}

static int group_setup(void **state)
{
    (void)state;
    char regs[512], trs[512];
    fx.h = harness_new();
    if (fx.h == NULL)
        return -1;
    cli((const char *[]){"init", "--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign",
                         "2027年元旦春节送温暖", "--from", "2026-12-22", "--to", "2027-02-16", NULL});
    write_csvs(regs, trs, sizeof regs);
    cli((const char *[]){"import", "registrations", regs, NULL});
    cli((const char *[]){"import", "transports", trs, NULL});
    cli((const char *[]){"allocate", NULL});
    assert_int_equal(harness_add_user(fx.h, "boss", "admin", NULL, fx.admin), 0);
    assert_int_equal(harness_add_user(fx.h, "cd-gate", "station", "成都东站", fx.gate), 0);
    load_tickets();
    /* boarding opens by the coordinator's status in production; one UPDATE before the start keeps setup short */
    char none[8];
    assert_int_equal(harness_sql_text(fx.h, "UPDATE transports SET status = 'boarding'", none, sizeof none), 0);
    assert_int_equal(harness_start_server(fx.h, NULL), 0);
    fx.acks = calloc(MAX_ACKS, sizeof *fx.acks);
    pthread_mutex_init(&fx.lock, NULL);
    return fx.acks != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < fx.n_acks; i++)
        free(fx.acks[i].answer);
    free(fx.acks);
    pthread_mutex_destroy(&fx.lock);
    harness_free(fx.h);
    return 0;
}

typedef struct sink {
    char data[4096];
    size_t len;
} sink;

static size_t sink_write(char *p, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    size_t len = size * n;
    if (s->len + len >= sizeof s->data)
        return 0; /* an answer this large is an error */
    memcpy(s->data + s->len, p, len);
    s->len += len;
    s->data[s->len] = '\0';
    return len;
}

/* Remember an answer the daemon gave: it has acknowledged the event. */
static void record(const char *event_id, int ticket, const char *body)
{
    json_t *doc = json_loads(body, 0, NULL);
    const char *status = json_string_value(json_object_get(doc, "status"));
    bool ok = status != NULL && strcmp(status, "ok") == 0;
    bool again = status != NULL && strcmp(status, "already_boarded") == 0;
    json_decref(doc);
    pthread_mutex_lock(&fx.lock);
    if ((ok || again) && fx.n_acks < MAX_ACKS) {
        ack *a = &fx.acks[fx.n_acks++];
        snprintf(a->event_id, sizeof a->event_id, "%s", event_id);
        a->ticket = ticket;
        a->ok = ok;
        a->answer = strdup(body);
    } else if (!ok && !again) {
        fprintf(stderr, "unexpected answer to %s: %.300s\n", event_id, body);
        atomic_fetch_add(&fx.failed, 1);
    }
    pthread_mutex_unlock(&fx.lock);
}

/* One gate: scan tickets from its own offset round the list, over and over, until stopped or the daemon is gone. */
static void *gate(void *arg)
{
    int id = (int)(intptr_t)arg;
    char url[128], auth[HARNESS_TOKEN_MAX + 32], body[256], event_id[32];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/checkins", fx.port);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.gate);
    CURL *c = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    sink s;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    for (long n = 0; !atomic_load(&fx.stop); n++) {
        int t = (int)((id * (PEOPLE / THREADS) + n) % PEOPLE);
        snprintf(event_id, sizeof event_id, "kill-%d-%ld", id, n);
        snprintf(body, sizeof body,
                 "{\"ticket\":\"%s\",\"transport\":\"%s\",\"device\":\"gate-%d\",\"event_id\":\"%s\"}", fx.codes[t],
                 fx.refs[t], id, event_id);
        s.len = 0;
        s.data[0] = '\0';
        atomic_fetch_add(&fx.sent, 1);
        long status = 0;
        if (curl_easy_perform(c) != CURLE_OK)
            break; /* the daemon died under us: this event was never acknowledged */
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200)
            record(event_id, t, s.data);
        else
            atomic_fetch_add(&fx.failed, 1);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return NULL;
}

static void sql(const char *q, char *out, size_t n)
{
    assert_int_equal(harness_sql_text(fx.h, q, out, n), 0);
}

/* Every acknowledged event is stored with its answer; ok ones own their boarded ticket. */
static void check_acknowledged(void)
{
    for (size_t i = 0; i < fx.n_acks; i++) {
        const ack *a = &fx.acks[i];
        char q[512], got[128], want[128];
        snprintf(q, sizeof q,
                 "SELECT c.status || '|' || k.code || '|' || k.status || '|' || (k.boarded_checkin = c.id) "
                 "FROM checkins c JOIN tickets k ON k.id = c.ticket_id WHERE c.event_id = '%s'",
                 a->event_id);
        sql(q, got, sizeof got);
        snprintf(want, sizeof want, "%s|%s|boarded|%d", a->ok ? "ok" : "already_boarded", fx.codes[a->ticket],
                 a->ok ? 1 : 0);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "acknowledged %s: stored \"%s\", expected \"%s\"\n", a->event_id, got, want);
        assert_string_equal(got, want);
    }
}

/* Replaying acknowledged event ids answers what was answered before the crash. */
static void check_replays(void)
{
    size_t step = fx.n_acks / REPLAYS + 1;
    for (size_t i = 0; i < fx.n_acks; i += step) {
        const ack *a = &fx.acks[i];
        char body[256];
        int status = 0;
        char *text = NULL;
        snprintf(body, sizeof body,
                 "{\"ticket\":\"%s\",\"transport\":\"%s\",\"device\":\"replay\",\"event_id\":\"%s\"}",
                 fx.codes[a->ticket], fx.refs[a->ticket], a->event_id);
        assert_int_equal(harness_http(fx.h, "POST", "/api/v1/checkins", fx.gate, body, strlen(body), &status, &text),
                         0);
        assert_int_equal(status, 200);
        json_t *before = harness_json(a->answer), *after = harness_json(text);
        if (!json_equal(before, after))
            fprintf(stderr, "replay of %s: before %s\nafter %s\n", a->event_id, a->answer, text);
        assert_true(json_equal(before, after));
        json_decref(before);
        json_decref(after);
        free(text);
    }
}

static void test_kill_during_checkins(void **state)
{
    (void)state;
    pthread_t threads[THREADS];
    fx.port = harness_port(fx.h);
    double start = harness_now_ms();
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, gate, (void *)(intptr_t)i), 0);
    nanosleep(&(struct timespec){.tv_sec = KILL_AFTER_MS / 1000, .tv_nsec = (KILL_AFTER_MS % 1000) * 1000000L}, NULL);
    pthread_mutex_lock(&fx.lock);
    size_t acked_at_kill = fx.n_acks;
    pthread_mutex_unlock(&fx.lock);
    int code = 0;
    assert_int_equal(harness_stop_server(fx.h, SIGKILL, &code, NULL), 0);
    assert_int_equal(code, 128 + SIGKILL);
    atomic_store(&fx.stop, true);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    size_t oks = 0;
    for (size_t i = 0; i < fx.n_acks; i++)
        oks += fx.acks[i].ok;
    fprintf(stderr, "killed after %.0f ms: %ld sent, %zu acknowledged (%zu at the kill), %zu ok\n",
            harness_now_ms() - start, atomic_load(&fx.sent), fx.n_acks, acked_at_kill, oks);
    assert_int_equal(atomic_load(&fx.failed), 0);
    assert_true(oks > 0);
    assert_true(atomic_load(&fx.sent) > (long)fx.n_acks); /* some were in flight */

    char out[256];
    sql("PRAGMA integrity_check", out, sizeof out);
    assert_string_equal(out, "ok");
    assert_int_equal(harness_start_server(fx.h, NULL), 0);
    sql("PRAGMA integrity_check", out, sizeof out);
    assert_string_equal(out, "ok");
    check_acknowledged();
    /* nobody boarded twice, and every boarded ticket points at its one ok check-in */
    sql("SELECT count(*) FROM (SELECT ticket_id FROM checkins WHERE status = 'ok' AND annulled_at IS NULL "
        "GROUP BY ticket_id HAVING count(*) > 1)",
        out, sizeof out);
    assert_string_equal(out, "0");
    sql("SELECT count(*) FROM tickets k LEFT JOIN checkins c ON c.id = k.boarded_checkin "
        "WHERE k.status = 'boarded' AND (c.status IS NOT 'ok' OR c.ticket_id IS NOT k.id)",
        out, sizeof out);
    assert_string_equal(out, "0");
    char boarded[32], ok_rows[32];
    sql("SELECT count(*) FROM tickets WHERE status = 'boarded'", boarded, sizeof boarded);
    sql("SELECT count(*) FROM checkins WHERE status = 'ok' AND annulled_at IS NULL", ok_rows, sizeof ok_rows);
    assert_string_equal(boarded, ok_rows);
    assert_true((size_t)atol(boarded) >= oks);
    check_replays();
    fprintf(stderr, "after restart: %s tickets boarded, all %zu acknowledged events stored, replays identical\n",
            boarded, fx.n_acks);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_checkins),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
