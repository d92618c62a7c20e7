/*
 * test_federation.c - a child unit's homeward reports to its parent's: `homeward parent` and
 * `homeward push` (exit 1 and queued while the parent is down), POST /api/v1/reports, and the
 * daemon's own pushes through a fault-injecting proxy (500s, dropped connections before and
 * after the parent stored, a hung answer), proving each revision is stored exactly once.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* ---------------------------------------------------------------- the two units */

/* A parent unit 510000 四川省总工会 with an admin, and a child token bound to 510100 in `child_token`. */
static harness *parent_unit(char admin[HARNESS_TOKEN_MAX], char child_token[HARNESS_TOKEN_MAX])
{
    harness *h = harness_new();
    int code = -1;
    char *out = NULL;
    assert_non_null(h);
    assert_int_equal(harness_run_cli(h, &code, NULL, NULL, "init", "--unit-code", "510000", "--unit-name",
                                     "四川省总工会", "--campaign", "2027年元旦春节送温暖", "--from", "2026-12-22",
                                     "--to", "2027-02-16", NULL),
                     0);
    assert_int_equal(harness_add_user(h, "boss", "admin", NULL, admin), 0);
    assert_int_equal(harness_run_cli(h, &code, &out, NULL, "user", "add", "chengdu", "--role", "child", "--unit",
                                     "510100", NULL),
                     0);
    const char *last = strrchr(out, ' ');
    assert_non_null(last);
    snprintf(child_token, HARNESS_TOKEN_MAX, "%.*s", (int)strcspn(last + 1, "\n"), last + 1);
    free(out);
    /* the parent's own subsidy: 2.00 万元 */
    char ignored[8];
    assert_int_equal(harness_sql_text(h,
                                      "INSERT INTO subsidies(campaign_id, employer, amount_fen, people, date, created_at)"
                                      " VALUES (1, '省属企业', 2000000, 10, '2027-01-05', '2026-12-01T00:00:00+08:00')",
                                      ignored, sizeof ignored),
                     0);
    return h;
}

/* A child unit 510100 成都市总工会 with `fen` of subsidies in the window (one row). */
static harness *child_unit(long fen)
{
    harness *h = harness_new();
    char sql[256], ignored[8];
    assert_non_null(h);
    assert_int_equal(harness_init_campaign(h, "2027年元旦春节送温暖"), 0);
    snprintf(sql, sizeof sql,
             "INSERT INTO subsidies(campaign_id, employer, amount_fen, people, date, created_at)"
             " VALUES (1, '成都某建筑公司', %ld, 30, '2027-01-20', '2026-12-01T00:00:00+08:00')",
             fen);
    assert_int_equal(harness_sql_text(h, sql, ignored, sizeof ignored), 0);
    return h;
}

static void set_parent(harness *child, int port, const char *token)
{
    char url[64];
    int code = -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    assert_int_equal(harness_run_cli(child, &code, NULL, NULL, "parent", url, "--token", token, NULL), 0);
}

/* The integer of the first column of `sql` on `h`'s database. */
static long sql_long(harness *h, const char *sql)
{
    char text[64];
    assert_int_equal(harness_sql_text(h, sql, text, sizeof text), 0);
    return strtol(text, NULL, 10);
}

/* GET /api/v1/stats/item10 as JSON. */
static json_t *item10(harness *h, const char *token)
{
    int status = 0;
    char *body = NULL;
    assert_int_equal(harness_http(h, "GET", "/api/v1/stats/item10", token, NULL, 0, &status, &body), 0);
    assert_int_equal(status, 200);
    json_t *doc = harness_json(body);
    free(body);
    assert_non_null(doc);
    return doc;
}

static const char *wan(json_t *doc)
{
    return json_string_value(json_object_get(json_object_get(json_object_get(doc, "item11"), "A"), "subsidy_wan_yuan"));
}

/* A port nobody listens on (bound, then closed). */
static int dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---------------------------------------------------------------- push from the command line */

static void test_push_cli(void **state)
{
    (void)state;
    char admin[HARNESS_TOKEN_MAX], child_token[HARNESS_TOKEN_MAX];
    harness *p = parent_unit(admin, child_token);
    harness *c = child_unit(1234500); /* 1.23 万元 (12,345.00 yuan rounds half up to 1.23) */
    int code = -1;
    char *out = NULL, *err = NULL;

    /* no parent yet: exit 1 and say how to set one */
    assert_int_equal(harness_run_cli(c, &code, NULL, &err, "push", NULL), 1);
    assert_non_null(strstr(err, "homeward parent"));
    free(err);
    /* bad links are usage errors that change nothing */
    assert_int_equal(harness_run_cli(c, &code, NULL, NULL, "parent", "ftp://x", "--token", child_token, NULL), 2);
    assert_int_equal(harness_run_cli(c, &code, NULL, NULL, "parent", "http://127.0.0.1:1/", NULL), 2);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM unit WHERE parent_url IS NOT NULL"), 0);

    /* the parent is down: exit 1, the revision stays queued with the attempt counted */
    set_parent(c, dead_port(), child_token);
    assert_int_equal(harness_run_cli(c, &code, NULL, &err, "push", NULL), 1);
    assert_non_null(strstr(err, "stays queued"));
    free(err);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM report_outbox WHERE sent_at IS NULL AND attempts = 1"), 1);
    /* the token is sealed, never stored in clear */
    assert_int_equal(sql_long(c, "SELECT count(*) FROM unit WHERE instr(parent_token, 'hw_') > 0"), 0);

    /* the parent is up: the same revision goes, once however often we push */
    assert_int_equal(harness_start_server(p, NULL), 0);
    set_parent(c, harness_port(p), child_token);
    assert_int_equal(harness_run_cli(c, &code, &out, NULL, "push", NULL), 0);
    assert_non_null(strstr(out, "revision 1"));
    free(out);
    assert_int_equal(harness_run_cli(c, &code, &out, NULL, "push", NULL), 0);
    assert_non_null(strstr(out, "had it already"));
    free(out);
    assert_int_equal(sql_long(p, "SELECT count(*) FROM child_reports"), 1);
    assert_int_equal(sql_long(c, "SELECT count(*) FROM report_outbox"), 1);

    /* the parent's figures: its own 2.00 plus the child's 1.23, with the child listed */
    json_t *doc = item10(p, admin);
    assert_string_equal(wan(doc), "3.23");
    json_t *children = json_object_get(doc, "children");
    assert_int_equal(json_array_size(children), 1);
    json_t *ch = json_array_get(children, 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(ch, "unit"), "code")), "510100");
    assert_int_equal(json_integer_value(json_object_get(ch, "revision")), 1);
    json_decref(doc);

    /* a change makes revision 2; the parent then counts only the latest */
    char ignored[8];
    assert_int_equal(harness_sql_text(c, "UPDATE subsidies SET amount_fen = 3000000", ignored, sizeof ignored), 0);
    assert_int_equal(harness_run_cli(c, &code, &out, NULL, "push", NULL), 0);
    assert_non_null(strstr(out, "revision 2"));
    free(out);
    doc = item10(p, admin);
    assert_string_equal(wan(doc), "5.00");
    json_decref(doc);

    /* the parent's xlsx has a second sheet: own, the child's latest revision, the total */
    char path[512];
    snprintf(path, sizeof path, "%s/form.xlsx", harness_dir(p));
    assert_int_equal(harness_run_cli(p, &code, NULL, NULL, "report", "--format", "xlsx", "--out", path, NULL), 0);
    char *rows = harness_xlsx_dump(p, path);
    assert_non_null(rows);
    /* code name revision (none for 本级) 10A, B trains, B persons ... G, 11A: 本级 2 万元, 成都 rev. 2 3 万元, total 5 */
    const char *sheet = strstr(rows, "== 下级单位 paper=9\n");
    assert_non_null(sheet);
    assert_non_null(strstr(sheet, "\n510000 本级 0 0 0 0 0 0 0 0 0 0 0 0 2\n"));
    assert_non_null(strstr(sheet, "\n510100 成都市总工会 2 0 0 0 0 0 0 0 0 0 0 0 0 3\n"));
    assert_non_null(strstr(sheet, "\n合计 0 0 0 0 0 0 0 0 0 0 0 0 5\n"));
    free(rows);

    /* a new parent address: nothing is known to be there, so push really sends (and fails while it is down) */
    char *err2 = NULL;
    set_parent(c, dead_port(), child_token);
    assert_int_equal(harness_run_cli(c, &code, NULL, &err2, "push", NULL), 1);
    assert_non_null(strstr(err2, "revision 2 stays queued"));
    free(err2);
    set_parent(c, harness_port(p), child_token);
    assert_int_equal(harness_run_cli(c, &code, &out, NULL, "push", NULL), 0);
    assert_non_null(strstr(out, "had it already")); /* the parent answered: it holds revision 2 */
    free(out);
    assert_true(harness_log_wait(p, "POST /api/v1/reports 200", 3000)); /* asked, not assumed */

    /* `homeward parent` shows the link with the token masked, and where the outbox stands */
    assert_int_equal(harness_run_cli(c, &code, &out, NULL, "parent", NULL), 0);
    assert_null(strstr(out, child_token));
    assert_non_null(strstr(out, "stored by the parent): 2"));
    free(out);
    harness_free(c);
    harness_free(p);
}

/* ---------------------------------------------------------------- the upload route */

static void post_report(harness *p, const char *token, const char *body, int want_status, const char *want_code)
{
    int status = 0;
    char *answer = NULL;
    assert_int_equal(harness_http(p, "POST", "/api/v1/reports", token, body, strlen(body), &status, &answer), 0);
    if (status != want_status)
        fprintf(stderr, "POST /api/v1/reports: %d %s\n", status, answer);
    assert_int_equal(status, want_status);
    if (want_code != NULL)
        assert_true(harness_is_envelope(answer, want_code));
    free(answer);
}

static void test_reports_route(void **state)
{
    (void)state;
    char admin[HARNESS_TOKEN_MAX], child_token[HARNESS_TOKEN_MAX];
    harness *p = parent_unit(admin, child_token);
    assert_int_equal(harness_start_server(p, NULL), 0);
    static const char doc[] =
        "{\"unit\":{\"code\":\"%s\",\"name\":\"成都市总工会\"},\"revision\":%d,"
        "\"generated_at\":\"2027-01-11T09:00:00+08:00\","
        "\"item10\":{\"A\":{\"persons\":%d},\"B\":{\"trains\":1,\"persons\":10},\"C\":{\"carriages\":0,\"persons\":0},"
        "\"D\":{\"buses\":2,\"persons\":80},\"E\":{\"boats\":0,\"persons\":0},\"F\":{\"flights\":0,\"persons\":0},"
        "\"G\":{\"tickets\":5}},\"item11\":{\"A\":{\"subsidy_wan_yuan\":\"%s\"}}}";
    char body[1024];

    snprintf(body, sizeof body, doc, "510100", 1, 95, "1.50");
    post_report(p, child_token, body, 201, NULL);
    post_report(p, child_token, body, 200, NULL); /* a retry: stored once */
    snprintf(body, sizeof body, doc, "510100", 1, 96, "1.50");
    post_report(p, child_token, body, 409, "revision_conflict");
    snprintf(body, sizeof body, doc, "510104", 2, 95, "1.50");
    post_report(p, child_token, body, 403, "wrong_unit"); /* the token is bound to 510100 */
    snprintf(body, sizeof body, doc, "510100", 0, 95, "1.5");
    post_report(p, child_token, body, 400, "invalid_report");
    post_report(p, admin, "{}", 400, "invalid_report"); /* an admin may upload by hand, checked the same way */
    post_report(p, NULL, body, 401, NULL);
    assert_int_equal(sql_long(p, "SELECT count(*) FROM child_reports"), 1);

    /* child users are bound to real units only (GB/T 2260), by the CLI and the API alike */
    int code = -1;
    assert_int_equal(harness_run_cli(p, &code, NULL, NULL, "user", "add", "fake", "--role", "child", "--unit", "999999",
                                     NULL),
                     1);
    static const char fake[] = "{\"name\":\"fake\",\"role\":\"child\",\"unit\":\"999999\"}";
    post_report(p, NULL, "{}", 401, NULL);
    int status = 0;
    char *answer = NULL;
    assert_int_equal(harness_http(p, "POST", "/api/v1/users", admin, fake, strlen(fake), &status, &answer), 0);
    assert_int_equal(status, 400);
    assert_true(harness_is_envelope(answer, "unknown_unit_code"));
    free(answer);
    assert_int_equal(sql_long(p, "SELECT count(*) FROM users WHERE name = 'fake'"), 0);

    json_t *d = item10(p, admin);
    json_t *it = json_object_get(d, "item10");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(it, "A"), "persons")), 95);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(it, "D"), "buses")), 2);
    assert_string_equal(wan(d), "3.50");
    json_decref(d);
    harness_free(p);
}

/* ---------------------------------------------------------------- a fault-injecting parent */

typedef enum fault { FAULT_OK, FAULT_500, FAULT_DROP_BEFORE, FAULT_DROP_AFTER, FAULT_HANG_AFTER } fault;

typedef struct proxy {
    int fd;
    int port;
    char upstream[96];
    const fault *script;
    size_t nscript;
    int hang_ms;
    atomic_int requests;
    atomic_bool stop;
    pthread_t thread;
} proxy;

/* Read one request (headers and a Content-Length body) into buf; its length, or -1. */
static int read_request(int fd, char *buf, size_t cap, char **body)
{
    size_t len = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 5000) <= 0)
            return -1;
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end == NULL)
            continue;
        const char *cl = strcasestr(buf, "Content-Length:");
        size_t want = (size_t)(end + 4 - buf) + (cl != NULL ? strtoul(cl + 15, NULL, 10) : 0);
        if (len >= want) {
            *body = end + 4;
            return (int)len;
        }
    }
}

static size_t collect(char *data, size_t size, size_t n, void *userp)
{
    char *buf = userp;
    size_t have = strlen(buf), add = size * n;
    if (have + add < 4096) {
        memcpy(buf + have, data, add);
        buf[have + add] = '\0';
    }
    return add;
}

/* Forward the request to the real parent; its status and answer. */
static long forward(proxy *px, const char *request, const char *body, char answer[4096])
{
    char auth[256] = "";
    const char *a = strcasestr(request, "Authorization:");
    if (a != NULL)
        snprintf(auth, sizeof auth, "%.*s", (int)strcspn(a, "\r\n"), a);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    CURL *e = curl_easy_init();
    long status = 0;
    answer[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, px->upstream);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    if (curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    curl_slist_free_all(h);
    return status;
}

static void answer(int fd, long status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %ld X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: "
                     "close\r\n\r\n",
                     status, strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
        return;
}

static void *proxy_main(void *arg)
{
    proxy *px = arg;
    char request[65536], reply[4096];
    while (!atomic_load(&px->stop)) {
        struct pollfd pfd = {.fd = px->fd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int c = accept(px->fd, NULL, NULL);
        if (c < 0)
            continue;
        char *body = NULL;
        if (read_request(c, request, sizeof request, &body) < 0) {
            close(c);
            continue;
        }
        int i = atomic_fetch_add(&px->requests, 1);
        fault f = px->script[(size_t)i < px->nscript ? (size_t)i : px->nscript - 1];
        if (f == FAULT_500)
            answer(c, 500, "{\"error\":{\"code\":\"internal\",\"message\":\"injected\",\"details\":[]}}");
        if (f == FAULT_OK || f == FAULT_DROP_AFTER || f == FAULT_HANG_AFTER) {
            long status = forward(px, request, body, reply);
            if (f == FAULT_HANG_AFTER)
                usleep((useconds_t)px->hang_ms * 1000);
            if (f == FAULT_OK)
                answer(c, status, reply);
        }
        close(c); /* FAULT_DROP_*: the connection ends without an answer */
    }
    return NULL;
}

static void proxy_start(proxy *px, int upstream_port, const fault *script, size_t n)
{
    memset(px, 0, sizeof *px);
    px->script = script;
    px->nscript = n;
    px->hang_ms = 1500;
    snprintf(px->upstream, sizeof px->upstream, "http://127.0.0.1:%d/api/v1/reports", upstream_port);
    px->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(px->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(px->fd, 16), 0);
    assert_int_equal(getsockname(px->fd, (struct sockaddr *)&a, &len), 0);
    px->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&px->thread, NULL, proxy_main, px), 0);
}

static void proxy_stop(proxy *px)
{
    atomic_store(&px->stop, true);
    pthread_join(px->thread, NULL);
    close(px->fd);
}

/* Wait until `sql` on `h` gives `want`; false after `ms`. */
static bool wait_for(harness *h, const char *sql, long want, int ms)
{
    double until = harness_now_ms() + ms;
    while (harness_now_ms() < until) {
        if (sql_long(h, sql) == want)
            return true;
        usleep(50 * 1000);
    }
    return false;
}

static void test_daemon_through_faults(void **state)
{
    (void)state;
    char admin[HARNESS_TOKEN_MAX], child_token[HARNESS_TOKEN_MAX], ignored[8];
    harness *p = parent_unit(admin, child_token);
    harness *c = child_unit(1000000); /* 1.00 万元 */
    assert_int_equal(harness_start_server(p, NULL), 0);
    static const fault script[] = {FAULT_500, FAULT_DROP_BEFORE, FAULT_DROP_AFTER, FAULT_HANG_AFTER, FAULT_500, FAULT_OK};
    proxy px;
    proxy_start(&px, harness_port(p), script, sizeof script / sizeof script[0]);
    set_parent(c, px.port, child_token);
    assert_int_equal(harness_sql_text(c, "UPDATE settings SET value = '0' WHERE key = 'report_push_debounce_seconds'",
                                      ignored, sizeof ignored),
                     0);
    setenv("HOMEWARD_FEED_TICK_MS", "100", 1);
    setenv("HOMEWARD_FEED_TIMEOUT_MS", "700", 1);
    assert_int_equal(harness_start_server(c, NULL), 0);

    /* revision 1 reaches the parent through every fault and is marked sent */
    bool sent = wait_for(c, "SELECT count(*) FROM report_outbox WHERE revision = 1 AND sent_at IS NOT NULL", 1, 20000);
    if (!sent) {
        char *log = harness_server_log(c);
        fprintf(stderr, "child log:\n%s\n", log);
        free(log);
    }
    assert_true(sent);
    assert_true(atomic_load(&px.requests) >= 6);
    assert_int_equal(sql_long(c, "SELECT attempts FROM report_outbox WHERE revision = 1"), 5);
    /* the parent stored it once although it received it three times (drop-after, hang, ok) */
    assert_int_equal(sql_long(p, "SELECT count(*) FROM child_reports WHERE unit_code = '510100' AND revision = 1"), 1);

    /* a change while the daemon runs: a new revision goes by itself */
    int code = -1;
    char path[512];
    snprintf(path, sizeof path, "%s/docs/examples/subsidies.csv", HOMEWARD_SOURCE_DIR);
    assert_int_equal(harness_run_cli(c, &code, NULL, NULL, "import", "subsidies", path, NULL), 0);
    assert_true(wait_for(c, "SELECT count(*) FROM report_outbox WHERE revision = 2 AND sent_at IS NOT NULL", 1, 20000));
    assert_true(wait_for(p, "SELECT max(revision) FROM child_reports", 2, 5000));
    assert_int_equal(sql_long(p, "SELECT count(*) FROM child_reports"), 2);
    assert_int_equal(sql_long(p, "SELECT count(DISTINCT revision) FROM child_reports"), 2);

    /* the parent's figures are its own plus the child's latest revision, exactly as the child counts them */
    char child_admin[HARNESS_TOKEN_MAX];
    assert_int_equal(harness_add_user(c, "cd-boss", "admin", NULL, child_admin), 0);
    json_t *mine = item10(c, child_admin);
    json_t *theirs = item10(p, admin);
    json_t *child = json_array_get(json_object_get(theirs, "children"), 0);
    assert_true(json_equal(json_object_get(child, "item10"), json_object_get(mine, "item10")));
    assert_true(json_equal(json_object_get(child, "item11"), json_object_get(mine, "item11")));
    json_decref(mine);
    json_decref(theirs);

    /* /metrics: nothing unsent, revision 2 at the parent */
    int status = 0;
    char *metrics = NULL;
    assert_int_equal(harness_http(c, "GET", "/metrics", NULL, NULL, 0, &status, &metrics), 0);
    assert_non_null(strstr(metrics, "homeward_report_sent_revision 2"));
    assert_non_null(strstr(metrics, "homeward_report_unsent 0"));
    free(metrics);
    proxy_stop(&px);
    unsetenv("HOMEWARD_FEED_TICK_MS");
    unsetenv("HOMEWARD_FEED_TIMEOUT_MS");
    harness_free(c);
    harness_free(p);
}

/* A wrong token is refused (401, retried only once per interval); fixing it with `homeward parent` sends at once. */
static void test_fixed_token(void **state)
{
    (void)state;
    char admin[HARNESS_TOKEN_MAX], child_token[HARNESS_TOKEN_MAX];
    harness *p = parent_unit(admin, child_token);
    harness *c = child_unit(500000);
    assert_int_equal(harness_start_server(p, NULL), 0);
    set_parent(c, harness_port(p), "hw_wrong-token-of-the-right-shape");
    setenv("HOMEWARD_FEED_TICK_MS", "100", 1);
    assert_int_equal(harness_start_server(c, NULL), 0);
    assert_true(harness_log_wait(c, "401", 10000));
    assert_int_equal(sql_long(c, "SELECT count(*) FROM report_outbox WHERE sent_at IS NULL"), 1);
    set_parent(c, harness_port(p), child_token);
    assert_true(wait_for(c, "SELECT count(*) FROM report_outbox WHERE sent_at IS NOT NULL", 1, 5000));
    assert_int_equal(sql_long(p, "SELECT count(*) FROM child_reports"), 1);
    unsetenv("HOMEWARD_FEED_TICK_MS");
    harness_free(c);
    harness_free(p);
}

/* The deadline near, the parent down: the daemon warns in its log and on /metrics. */
static void test_deadline_warning(void **state)
{
    (void)state;
    char sql[160], ignored[8], today[16];
    harness *c = child_unit(100);
    time_t now = time(NULL) + 8 * 3600; /* Asia/Shanghai */
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    snprintf(sql, sizeof sql, "UPDATE campaign SET deadline = '%s'", today);
    assert_int_equal(harness_sql_text(c, sql, ignored, sizeof ignored), 0);
    set_parent(c, dead_port(), "hw_not-a-real-token-but-long-enough");
    setenv("HOMEWARD_FEED_TICK_MS", "100", 1);
    assert_int_equal(harness_start_server(c, NULL), 0);
    assert_true(harness_log_wait(c, "changes have not reached the parent", 10000));
    int status = 0;
    char *metrics = NULL;
    assert_int_equal(harness_http(c, "GET", "/metrics", NULL, NULL, 0, &status, &metrics), 0);
    assert_non_null(strstr(metrics, "homeward_report_deadline_warning 1"));
    assert_non_null(strstr(metrics, "homeward_report_unsent 1"));
    const char *left = strstr(metrics, "\nhomeward_report_deadline_seconds ");
    assert_non_null(left);
    double seconds = strtod(left + strlen("\nhomeward_report_deadline_seconds "), NULL);
    assert_true(seconds > 0 && seconds <= 24 * 3600); /* the deadline day ends tonight */
    free(metrics);
    char *log = harness_server_log(c);
    assert_null(strstr(log, "hw_not-a-real")); /* the token never reaches the log */
    free(log);
    unsetenv("HOMEWARD_FEED_TICK_MS");
    harness_free(c);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_cli),
        cmocka_unit_test(test_reports_route),
        cmocka_unit_test(test_daemon_through_faults),
        cmocka_unit_test(test_fixed_token),
        cmocka_unit_test(test_deadline_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
