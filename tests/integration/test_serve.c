/* test_serve.c - the real daemon and CLI end to end: health, error envelopes, limits, auth, writes, shutdown, logs. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define MIB (1024 * 1024)

static int setup(void **state)
{
    *state = harness_new();
    return *state != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    harness_free(*state);
    return 0;
}

/* An initialised campaign, an admin, and a running daemon. */
static void start_with_admin(harness *h, char admin[HARNESS_TOKEN_MAX])
{
    assert_int_equal(harness_init_campaign(h, "2027年元旦春节送温暖"), 0);
    assert_int_equal(harness_add_user(h, "boss", "admin", NULL, admin), 0);
    assert_int_equal(harness_start_server(h, NULL), 0);
}

/* One request; asserts that it was made and the status is `want`; returns the body (caller frees). */
static char *expect(harness *h, const char *method, const char *path, const char *token, const char *body, int want)
{
    int status = 0;
    char *text = NULL;
    assert_int_equal(harness_http(h, method, path, token, body, body ? strlen(body) : 0, &status, &text), 0);
    if (status != want)
        fprintf(stderr, "%s %s: expected %d, got %d: %.400s\n", method, path, want, status, text);
    assert_int_equal(status, want);
    return text;
}

static void expect_envelope(harness *h, const char *method, const char *path, const char *token, int want,
                            const char *code)
{
    char *body = expect(h, method, path, token, NULL, want);
    assert_true(harness_is_envelope(body, code));
    free(body);
}

/* The string at `key` of the object at `outer` ("" when missing), from JSON text. Copied into `out`. */
static void json_field(const char *text, const char *outer, const char *key, char *out, size_t n)
{
    json_t *doc = harness_json(text);
    assert_non_null(doc);
    json_t *obj = outer != NULL ? json_object_get(doc, outer) : doc;
    const char *v = json_string_value(json_object_get(obj, key));
    snprintf(out, n, "%s", v != NULL ? v : "");
    json_decref(doc);
}

static void test_healthz(void **state)
{
    harness *h = *state;
    assert_int_equal(harness_start_server(h, NULL), 0);
    harness_res res;
    assert_int_equal(harness_request(h, &(harness_req){.method = "GET", .path = "/healthz"}, &res), 0);
    assert_int_equal(res.status, 200);
    char *type = harness_res_header(&res, "content-type");
    assert_non_null(type);
    assert_non_null(strstr(type, "application/json"));
    free(type);
    json_t *doc = harness_json(res.body);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    assert_string_equal(json_string_value(json_object_get(doc, "version")), HOMEWARD_VERSION);
    assert_true(json_is_true(json_object_get(json_object_get(doc, "database"), "ok")));
    json_decref(doc);
    harness_res_free(&res);
}

static void test_not_found_api(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX];
    start_with_admin(h, admin);
    expect_envelope(h, "GET", "/api/v1/nope", admin, 404, "not_found");
    expect_envelope(h, "GET", "/api/v1/campaign/extra", admin, 404, "not_found");
}

static void test_not_found_static(void **state)
{
    harness *h = *state;
    assert_int_equal(harness_start_server(h, NULL), 0);
    expect_envelope(h, "GET", "/nope.html", NULL, 404, "not_found");
}

static void test_method_not_allowed(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX];
    start_with_admin(h, admin);
    harness_res res;
    harness_req del = {.method = "DELETE", .path = "/api/v1/campaign", .token = admin};
    assert_int_equal(harness_request(h, &del, &res), 0);
    assert_int_equal(res.status, 405);
    assert_true(harness_is_envelope(res.body, "method_not_allowed"));
    char *allow = harness_res_header(&res, "allow");
    assert_non_null(allow);
    assert_string_equal(allow, "GET");
    free(allow);
    harness_res_free(&res);

    harness_req post = {.method = "POST", .path = "/healthz", .body = "{}", .body_len = 2};
    assert_int_equal(harness_request(h, &post, &res), 0);
    assert_int_equal(res.status, 405);
    assert_true(harness_is_envelope(res.body, "method_not_allowed"));
    allow = harness_res_header(&res, "allow");
    assert_non_null(allow);
    assert_non_null(strstr(allow, "GET"));
    free(allow);
    harness_res_free(&res);
}

/* POST `len` bytes of 'x' (not JSON) to /api/v1/users as admin; returns the status, checks the envelope's code. */
static int post_filler(harness *h, const char *admin, size_t len, bool chunked, const char *want_code)
{
    char *body = malloc(len);
    assert_non_null(body);
    memset(body, 'x', len);
    harness_res res;
    harness_req req = {
        .method = "POST", .path = "/api/v1/users", .token = admin, .body = body, .body_len = len, .chunked = chunked};
    assert_int_equal(harness_request(h, &req, &res), 0);
    free(body);
    int status = res.status;
    if (!harness_is_envelope(res.body, want_code))
        fprintf(stderr, "POST of %zu bytes%s answered %d\n", len, chunked ? " (chunked)" : "", status);
    assert_true(harness_is_envelope(res.body, want_code));
    harness_res_free(&res);
    return status;
}

static void test_body_limit(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX];
    start_with_admin(h, admin);
    assert_int_equal(post_filler(h, admin, MIB + 1, false, "body_too_large"), 413);
    assert_int_equal(post_filler(h, admin, MIB - 1, false, "bad_json"), 400);
    assert_int_equal(post_filler(h, admin, MIB, false, "bad_json"), 400); /* "at most 1 MiB" */
    /* the daemon is still fine after refusing */
    free(expect(h, "GET", "/api/v1/campaign", admin, NULL, 200));
}

static void test_body_limit_chunked(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX];
    start_with_admin(h, admin);
    assert_int_equal(post_filler(h, admin, MIB + 1, true, "body_too_large"), 413);
    assert_int_equal(post_filler(h, admin, MIB - 1, true, "bad_json"), 400);
    free(expect(h, "GET", "/api/v1/campaign", admin, NULL, 200));
}

static void test_unauthorized(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX];
    start_with_admin(h, admin);
    harness_res res;
    assert_int_equal(harness_request(h, &(harness_req){.method = "GET", .path = "/api/v1/campaign"}, &res), 0);
    assert_int_equal(res.status, 401);
    assert_true(harness_is_envelope(res.body, "unauthorized"));
    char *challenge = harness_res_header(&res, "www-authenticate");
    assert_non_null(challenge);
    assert_non_null(strstr(challenge, "Bearer"));
    free(challenge);
    harness_res_free(&res);
    expect_envelope(h, "GET", "/api/v1/campaign", "hw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401,
                    "unauthorized");
    expect_envelope(h, "GET", "/api/v1/users", "not-a-token", 401, "unauthorized");
    expect_envelope(h, "GET", "/api/v1/users", NULL, 401, "unauthorized");
}

static void test_station_role(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX], station[HARNESS_TOKEN_MAX], name[128];
    start_with_admin(h, admin);
    assert_int_equal(harness_add_user(h, "east", "station", "成都东站", station), 0);
    expect_envelope(h, "GET", "/api/v1/users", station, 403, "forbidden");
    char *body = expect(h, "POST", "/api/v1/users", station, "{\"name\":\"sneaky\",\"role\":\"admin\"}", 403);
    assert_true(harness_is_envelope(body, "forbidden"));
    free(body);
    body = expect(h, "GET", "/api/v1/campaign", station, NULL, 200);
    json_field(body, "campaign", "name", name, sizeof name);
    assert_string_equal(name, "2027年元旦春节送温暖");
    free(body);
    char count[16];
    assert_int_equal(harness_sql_text(h, "SELECT count(*) FROM users WHERE name = 'sneaky'", count, sizeof count), 0);
    assert_string_equal(count, "0");
}

static void test_malformed_json(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX];
    start_with_admin(h, admin);
    char *body = expect(h, "POST", "/api/v1/users", admin, "{\"name\": \"clerk\",\n \"role\": }", 400);
    assert_true(harness_is_envelope(body, "bad_json"));
    json_t *doc = harness_json(body);
    const char *message = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
    assert_non_null(strstr(message, "line 2"));
    assert_non_null(strstr(message, "column"));
    json_t *detail = json_array_get(json_object_get(json_object_get(doc, "error"), "details"), 0);
    assert_int_equal(json_integer_value(json_object_get(detail, "line")), 2);
    assert_true(json_integer_value(json_object_get(detail, "column")) > 0);
    json_decref(doc);
    free(body);
}

static void test_create_user(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX], token[HARNESS_TOKEN_MAX], field[128];
    start_with_admin(h, admin);
    char *body = expect(h, "POST", "/api/v1/users", admin, "{\"name\":\"clerk\",\"role\":\"coordinator\"}", 201);
    json_field(body, NULL, "token", token, sizeof token);
    assert_true(strncmp(token, "hw_", 3) == 0);
    json_field(body, "user", "name", field, sizeof field);
    assert_string_equal(field, "clerk");
    json_field(body, "user", "role", field, sizeof field);
    assert_string_equal(field, "coordinator");
    free(body);
    free(expect(h, "GET", "/api/v1/campaign", token, NULL, 200));
    body = expect(h, "GET", "/api/v1/users", admin, NULL, 200);
    assert_non_null(strstr(body, "\"clerk\""));
    assert_null(strstr(body, token)); /* tokens are shown once, never listed */
    free(body);
    assert_int_equal(harness_sql_text(h, "SELECT role FROM users WHERE name = 'clerk'", field, sizeof field), 0);
    assert_string_equal(field, "coordinator");
    /* the same name again is a conflict; a station without its station is refused */
    body = expect(h, "POST", "/api/v1/users", admin, "{\"name\":\"clerk\",\"role\":\"coordinator\"}", 409);
    assert_true(harness_is_envelope(body, NULL));
    free(body);
    body = expect(h, "POST", "/api/v1/users", admin, "{\"name\":\"pier\",\"role\":\"station\"}", 400);
    assert_true(harness_is_envelope(body, NULL));
    free(body);
}

/* Open a keep-alive connection, use it once, leave it idle, then stop with `sig`: exit 0 well within 5 s. */
static void stop_with_idle_keepalive(harness *h, int sig)
{
    int status = 0, code = -1;
    long elapsed = -1;
    assert_int_equal(harness_start_server(h, NULL), 0);
    int fd = harness_raw_connect(h);
    assert_true(fd >= 0);
    assert_int_equal(harness_raw_exchange(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 5000, &status, NULL),
                     0);
    assert_int_equal(status, 200);
    int rc = harness_stop_server(h, sig, &code, &elapsed);
    close(fd);
    fprintf(stderr, "signal %d: exit %d after %ld ms\n", sig, code, elapsed);
    assert_int_equal(rc, 0);
    assert_int_equal(code, 0);
    assert_true(elapsed < 5000);
    char *log = harness_server_log(h);
    assert_non_null(strstr(log, "(stopped)"));
    assert_null(strstr(log, "did not finish in time"));
    assert_null(strstr(log, "did not close cleanly"));
    free(log);
}

static void test_sigterm_with_idle_keepalive(void **state)
{
    stop_with_idle_keepalive(*state, SIGTERM);
}

static void test_sigint_with_idle_keepalive(void **state)
{
    stop_with_idle_keepalive(*state, SIGINT);
}

/* Wait until /metrics shows at least `n` open connections (the /metrics request itself counts). */
static bool wait_connections(harness *h, long n, int timeout_ms)
{
    double deadline = harness_now_ms() + timeout_ms;
    do {
        int status = 0;
        char *text = NULL;
        const char *gauge = NULL;
        if (harness_http(h, "GET", "/metrics", NULL, NULL, 0, &status, &text) == 0 && status == 200)
            gauge = strstr(text, "\nhomeward_http_connections ");
        long open = gauge != NULL ? strtol(gauge + strlen("\nhomeward_http_connections "), NULL, 10) : -1;
        free(text);
        if (open >= n)
            return true;
    } while (harness_now_ms() < deadline);
    return false;
}

/* A client that sent half a request and stalls must not hold up the stop either. */
static void test_sigterm_with_partial_request(void **state)
{
    harness *h = *state;
    static const char partial[] = "POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"na";
    int code = -1;
    long elapsed = -1;
    assert_int_equal(harness_start_server(h, NULL), 0);
    int fd = harness_raw_connect(h);
    assert_true(fd >= 0);
    assert_int_equal(harness_raw_send(fd, partial, strlen(partial)), 0);
    int idle = harness_raw_connect(h); /* connected, nothing sent */
    assert_true(idle >= 0);
    assert_true(wait_connections(h, 3, 2000));
    int rc = harness_stop_server(h, SIGTERM, &code, &elapsed);
    close(fd);
    close(idle);
    fprintf(stderr, "SIGTERM with a half-sent request: exit %d after %ld ms\n", code, elapsed);
    assert_int_equal(rc, 0);
    assert_int_equal(code, 0);
    assert_true(elapsed < 5000);
}

static void test_acknowledged_write_survives_kill9(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX], tokens[5][HARNESS_TOKEN_MAX], req[128], out[64];
    int code = -1;
    start_with_admin(h, admin);
    for (int i = 0; i < 5; i++) {
        snprintf(req, sizeof req, "{\"name\":\"worker%d\",\"role\":\"reporter\"}", i);
        char *body = expect(h, "POST", "/api/v1/users", admin, req, 201);
        json_field(body, NULL, "token", tokens[i], sizeof tokens[i]);
        free(body);
    }
    assert_int_equal(harness_stop_server(h, SIGKILL, &code, NULL), 0);
    assert_int_equal(code, 128 + SIGKILL);
    assert_int_equal(harness_start_server(h, NULL), 0);
    for (int i = 0; i < 5; i++)
        free(expect(h, "GET", "/api/v1/campaign", tokens[i], NULL, 200));
    assert_int_equal(harness_stop_server(h, SIGTERM, &code, NULL), 0);
    assert_int_equal(code, 0);
    assert_int_equal(harness_sql_text(h, "PRAGMA integrity_check", out, sizeof out), 0);
    assert_string_equal(out, "ok");
    assert_int_equal(harness_sql_text(h, "SELECT count(*) FROM users", out, sizeof out), 0);
    assert_string_equal(out, "6");
}

static void test_cli_no_args(void **state)
{
    harness *h = *state;
    int code = -1;
    char *err = NULL;
    const char *none[] = {NULL};
    harness_run_argv(h, false, none, &code, NULL, &err);
    assert_int_equal(code, 2);
    assert_non_null(strstr(err, "usage"));
    free(err);
    harness_run_cli(h, &code, NULL, NULL, NULL); /* only --db */
    assert_int_equal(code, 2);
}

static void test_cli_unknown_command(void **state)
{
    harness *h = *state;
    int code = -1;
    char *err = NULL;
    harness_run_cli(h, &code, NULL, &err, "bogus", NULL);
    assert_int_equal(code, 2);
    assert_non_null(strstr(err, "bogus"));
    free(err);
    harness_run_cli(h, &code, NULL, NULL, "init", "--no-such-option", "1", NULL);
    assert_int_equal(code, 2);
}

static void test_cli_init_missing_option(void **state)
{
    harness *h = *state;
    const char *full[] = {"--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign",
                          "C",           "--from", "2027-01-10",  "--to",         "2027-02-28"};
    for (int skip = 0; skip < 5; skip++) {
        const char *args[16] = {"init"};
        int n = 1, code = -1;
        char *err = NULL;
        for (int i = 0; i < 5; i++)
            if (i != skip) {
                args[n++] = full[2 * i];
                args[n++] = full[2 * i + 1];
            }
        args[n] = NULL;
        harness_run_argv(h, true, args, &code, NULL, &err);
        if (code != 2 || strstr(err, full[2 * skip]) == NULL)
            fprintf(stderr, "init without %s: exit %d, stderr: %s\n", full[2 * skip], code, err);
        assert_int_equal(code, 2);
        assert_non_null(strstr(err, full[2 * skip]));
        free(err);
    }
}

static void test_cli_init_bad_date(void **state)
{
    harness *h = *state;
    int code = -1;
    char *err = NULL, name[128];
    struct stat st;
    harness_run_cli(h, &code, NULL, &err, "init", "--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign",
                    "B", "--from", "2027-02-30", "--to", "2027-03-10", NULL);
    assert_int_equal(code, 1);
    assert_non_null(strstr(err, "2027-02-30"));
    free(err);
    assert_int_not_equal(stat(harness_db(h), &st), 0); /* nothing was created */
    assert_int_equal(harness_init_campaign(h, "A"), 0);
    harness_run_cli(h, &code, NULL, NULL, "init", "--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign",
                    "B", "--from", "2027-02-30", "--to", "2027-03-10", NULL);
    assert_int_equal(code, 1);
    assert_int_equal(harness_sql_text(h, "SELECT name || ' ' || date_from FROM campaign", name, sizeof name), 0);
    assert_string_equal(name, "A 2027-01-10");
}

static void test_cli_init_twice(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX], name[128];
    assert_int_equal(harness_init_campaign(h, "First"), 0);
    assert_int_equal(harness_init_campaign(h, "Second"), 0);
    assert_int_equal(harness_sql_text(h, "SELECT count(*) || ' ' || max(name) FROM campaign", name, sizeof name), 0);
    assert_string_equal(name, "1 Second");
    assert_int_equal(harness_add_user(h, "boss", "admin", NULL, admin), 0);
    assert_int_equal(harness_start_server(h, NULL), 0);
    char *body = expect(h, "GET", "/api/v1/campaign", admin, NULL, 200);
    json_field(body, "campaign", "name", name, sizeof name);
    assert_string_equal(name, "Second");
    free(body);
}

static void test_cli_user_add(void **state)
{
    harness *h = *state;
    int code = -1;
    char *out = NULL, *err = NULL, count[16];
    assert_int_equal(harness_init_campaign(h, "C"), 0);
    harness_run_cli(h, &code, &out, &err, "user", "add", "x", "--role", "station", NULL);
    assert_true(code == 1 || code == 2);
    assert_non_null(strstr(err, "station"));
    free(out);
    free(err);
    assert_int_equal(harness_sql_text(h, "SELECT count(*) FROM users", count, sizeof count), 0);
    assert_string_equal(count, "0");

    harness_run_cli(h, &code, &out, &err, "user", "add", "boss", "--role", "admin", NULL);
    assert_int_equal(code, 0);
    const char *end = out + strlen(out);
    while (end > out && end[-1] == '\n')
        end--;
    const char *word = end;
    while (word > out && word[-1] != ' ' && word[-1] != '\n')
        word--;
    assert_int_equal(end - word, 46); /* "hw_" + 43 base64url characters */
    assert_true(strncmp(word, "hw_", 3) == 0);
    free(out);
    free(err);
    harness_run_cli(h, &code, NULL, &err, "user", "add", "boss", "--role", "admin", NULL);
    assert_int_equal(code, 1);
    assert_non_null(strstr(err, "boss"));
    free(err);
    harness_run_cli(h, &code, NULL, NULL, "user", "add", "y", "--role", "emperor", NULL);
    assert_true(code == 1 || code == 2);
}

static void test_cli_help(void **state)
{
    harness *h = *state;
    static const char *const cases[][2] = {{"serve", "--listen"}, {"init", "--unit-code"}, {"user", "--role"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int code = -1;
        char *out = NULL;
        harness_run_cli(h, &code, &out, NULL, cases[i][0], "--help", NULL);
        assert_int_equal(code, 0);
        assert_non_null(strstr(out, "usage"));
        assert_non_null(strstr(out, cases[i][1]));
        free(out);
    }
    int code = -1;
    char *out = NULL;
    harness_run_cli(h, &code, &out, NULL, "--help", NULL);
    assert_int_equal(code, 0);
    assert_non_null(strstr(out, "serve"));
    free(out);
    struct stat st;
    assert_int_not_equal(stat(harness_db(h), &st), 0); /* --help touches no database */
}

/* The log line for `method route status`: it must end in a duration "N.Nms". Returns how many such lines exist. */
static int count_log_lines(const char *log, const char *method, const char *route, int status)
{
    char needle[160];
    int n = 0;
    snprintf(needle, sizeof needle, " %s %s %d ", method, route, status);
    for (const char *p = strstr(log, needle); p != NULL; p = strstr(p + 1, needle)) {
        const char *ms = p + strlen(needle);
        const char *eol = strchr(ms, '\n');
        assert_non_null(eol);
        assert_true(eol - ms >= 3 && strncmp(eol - 2, "ms", 2) == 0);
        char *after = NULL;
        double v = strtod(ms, &after);
        assert_true(after == eol - 2 && v >= 0);
        n++;
    }
    return n;
}

static void test_request_log(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX], station[HARNESS_TOKEN_MAX], token[HARNESS_TOKEN_MAX];
    int code = -1;
    start_with_admin(h, admin);
    assert_int_equal(harness_add_user(h, "east", "station", "成都东站", station), 0);
    free(expect(h, "GET", "/api/v1/campaign", admin, NULL, 200));
    free(expect(h, "GET", "/api/v1/users?name=SECRETQUERY", admin, NULL, 200));
    free(expect(h, "GET", "/api/v1/users", station, NULL, 403));
    free(expect(h, "GET", "/api/v1/nope/510104199001011234", admin, NULL, 404));
    free(expect(h, "GET", "/nope.html", NULL, NULL, 404));
    char *body = expect(h, "POST", "/api/v1/users", admin, "{\"name\":\"clerk\",\"role\":\"coordinator\"}", 201);
    json_field(body, NULL, "token", token, sizeof token);
    free(body);
    free(expect(h, "GET", "/api/v1/campaign", "hw_wrongwrongwrongwrongwrongwrongwrongwrongwro", NULL, 401));
    assert_int_equal(harness_stop_server(h, SIGTERM, &code, NULL), 0);
    char *log = harness_server_log(h);
    assert_int_equal(count_log_lines(log, "GET", "/api/v1/campaign", 200), 1);
    assert_int_equal(count_log_lines(log, "GET", "/api/v1/campaign", 401), 1);
    assert_int_equal(count_log_lines(log, "GET", "/api/v1/users", 200), 1);
    assert_int_equal(count_log_lines(log, "GET", "/api/v1/users", 403), 1);
    assert_int_equal(count_log_lines(log, "POST", "/api/v1/users", 201), 1);
    assert_int_equal(count_log_lines(log, "GET", "(unmatched)", 404), 1);
    assert_true(count_log_lines(log, "GET", "/healthz", 200) >= 1);
    /* tokens, paths and query strings (which may carry personal data) never reach the log */
    assert_null(strstr(log, admin));
    assert_null(strstr(log, station));
    assert_null(strstr(log, token));
    assert_null(strstr(log, "hw_wrong"));
    assert_null(strstr(log, "SECRETQUERY"));
    assert_null(strstr(log, "510104199001011234"));
    assert_null(strstr(log, "nope"));
    free(log);
}

/* The id of user `name`, as text for a path. */
static void user_id(harness *h, const char *name, char id[16])
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM users WHERE name = '%s'", name);
    assert_int_equal(harness_sql_text(h, sql, id, 16), 0);
    assert_true(id[0] != '\0');
}

/* Revoking tokens: by API (admins anyone but the last admin, coordinators station users only) and by CLI. */
static void test_revoke(void **state)
{
    harness *h = *state;
    char admin[HARNESS_TOKEN_MAX], admin2[HARNESS_TOKEN_MAX], coord[HARNESS_TOKEN_MAX], phone[HARNESS_TOKEN_MAX];
    char id[16], path[64], count[16];
    start_with_admin(h, admin);
    assert_int_equal(harness_add_user(h, "boss2", "admin", NULL, admin2), 0);
    assert_int_equal(harness_add_user(h, "wang", "coordinator", NULL, coord), 0);
    assert_int_equal(harness_add_user(h, "east-3", "station", "成都东站", phone), 0);
    free(expect(h, "GET", "/api/v1/campaign", phone, NULL, 200));

    /* a coordinator revokes a lost station phone: refused from the next request on */
    user_id(h, "east-3", id);
    snprintf(path, sizeof path, "/api/v1/users/%s/revoke", id);
    char *body = expect(h, "POST", path, coord, NULL, 200);
    json_t *doc = harness_json(body);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "east-3");
    assert_true(json_is_false(json_object_get(doc, "already")));
    json_decref(doc);
    free(body);
    expect_envelope(h, "GET", "/api/v1/campaign", phone, 401, "unauthorized");
    body = expect(h, "POST", path, coord, NULL, 200); /* twice: nothing more happens */
    assert_non_null(strstr(body, "\"already\":true"));
    free(body);

    /* a coordinator may not revoke an admin; nobody revokes a user that does not exist */
    user_id(h, "boss2", id);
    snprintf(path, sizeof path, "/api/v1/users/%s/revoke", id);
    expect_envelope(h, "POST", path, coord, 403, "not_station");
    expect_envelope(h, "POST", "/api/v1/users/9999/revoke", admin, 404, "not_found");
    expect_envelope(h, "POST", "/api/v1/users/abc/revoke", admin, 404, "not_found");
    expect_envelope(h, "POST", path, phone, 401, "unauthorized");

    /* an admin revokes the other admin, then cannot revoke the last one */
    free(expect(h, "POST", path, admin, NULL, 200));
    user_id(h, "boss", id);
    snprintf(path, sizeof path, "/api/v1/users/%s/revoke", id);
    expect_envelope(h, "POST", path, admin, 409, "last_admin");
    free(expect(h, "GET", "/api/v1/users", admin, NULL, 200));
    body = expect(h, "GET", "/api/v1/users", coord, NULL, 200); /* coordinators see the devices only */
    assert_non_null(strstr(body, "east-3"));
    assert_null(strstr(body, "boss"));
    free(body);

    /* the command line: revoke the coordinator; list shows it; unknown names fail */
    int code = -1;
    char *out = NULL;
    assert_int_equal(harness_run_cli(h, &code, &out, NULL, "user", "revoke", "wang", NULL), 0);
    assert_non_null(strstr(out, "token revoked"));
    free(out);
    expect_envelope(h, "GET", "/api/v1/campaign", coord, 401, "unauthorized");
    assert_int_equal(harness_run_cli(h, &code, NULL, NULL, "user", "revoke", "nobody", NULL), 1);
    assert_int_equal(harness_run_cli(h, &code, NULL, NULL, "user", "revoke", NULL), 2);
    assert_int_equal(harness_run_cli(h, &code, &out, NULL, "user", "list", NULL), 0);
    assert_non_null(strstr(out, "wang\tcoordinator\t"));
    assert_null(strstr(out, "hw_")); /* no tokens, no hashes */
    free(out);
    assert_int_equal(harness_sql_text(h, "SELECT count(*) FROM audit WHERE action = 'revoke_user'", count, sizeof count),
                     0);
    assert_string_equal(count, "3");
}

/* A mistyped --db is refused by every command but init and serve, and leaves no file behind. */
static void test_missing_database(void **state)
{
    harness *h = *state;
    int code = -1;
    char *err = NULL;
    char path[512];
    static const char *const commands[][3] = {
        {"report", NULL, NULL}, {"list", "registrations", NULL}, {"user", "add", "x"}, {"push", NULL, NULL}};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *args[] = {commands[i][0], commands[i][1], commands[i][2], NULL, NULL, NULL};
        if (strcmp(commands[i][0], "user") == 0) {
            args[3] = "--role";
            args[4] = "admin";
        }
        assert_int_equal(harness_run_argv(h, true, args, &code, NULL, &err), 1);
        assert_non_null(strstr(err, "does not exist"));
        free(err);
    }
    assert_int_equal(access(harness_db(h), F_OK), -1);
    snprintf(path, sizeof path, "%s.key", harness_db(h));
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(harness_init_campaign(h, "2027年元旦春节送温暖"), 0); /* init creates it */
    assert_int_equal(access(harness_db(h), F_OK), 0);
}

int main(int argc, char **argv)
{
    if (harness_init(argc, argv) != 0)
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_healthz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_static, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit_chunked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unauthorized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_station_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_with_idle_keepalive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigint_with_idle_keepalive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_with_partial_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acknowledged_write_survives_kill9, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_no_args, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_unknown_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_init_missing_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_init_bad_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_init_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_user_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_log, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
