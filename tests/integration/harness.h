/* harness.h - integration-test harness: a temp database, the homeward CLI, a real daemon on loopback, HTTP. */
#ifndef HW_HARNESS_H
#define HW_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Everything here is loopback only and bounded in time: CLI runs are killed after
 * HARNESS_CLI_TIMEOUT_MS, the daemon must answer /healthz within
 * HARNESS_START_TIMEOUT_MS, a stop waits at most HARNESS_STOP_TIMEOUT_MS before
 * SIGKILL, and HTTP requests give up after HARNESS_HTTP_TIMEOUT_MS. Every child is
 * also killed if the test process dies (PR_SET_PDEATHSIG).
 *
 * Typical use, with cmocka's per-test setup/teardown:
 *
 *     harness *h = harness_new();                      // temp dir + db path
 *     harness_init_campaign(h, "2027年元旦春节送温暖");
 *     char admin[HARNESS_TOKEN_MAX];
 *     harness_add_user(h, "boss", "admin", NULL, admin);
 *     harness_start_server(h, NULL);
 *     harness_http(h, "GET", "/api/v1/campaign", admin, NULL, 0, &status, &body);
 *     harness_free(h);                                 // kills the daemon, removes the dir
 */

#define HARNESS_TOKEN_MAX 128
#define HARNESS_CLI_TIMEOUT_MS 30000
#define HARNESS_START_TIMEOUT_MS 5000
#define HARNESS_STOP_TIMEOUT_MS 10000
#define HARNESS_HTTP_TIMEOUT_MS 10000
#define HARNESS_MAX_RESPONSE (16 * 1024 * 1024) /* larger responses are an error */

typedef struct harness harness;

/* Remember the homeward binary (argv[1]) and initialise libcurl. Call once from main(); 0 or -1 with a message. */
int harness_init(int argc, char **argv);

/* The homeward binary harness_init() remembered. Static string. */
const char *harness_binary(void);

/* A fresh temp directory under /tmp holding the database path. NULL on failure. Free with harness_free(). */
harness *harness_new(void);

/* Kill the daemon if it still runs (SIGKILL), remove the temp directory recursively, free `h`. NULL is fine. */
void harness_free(harness *h);

/* The temp directory, the database path inside it, and the daemon's port (0 when not running). Owned by `h`. */
const char *harness_dir(const harness *h);
const char *harness_db(const harness *h);
int harness_port(const harness *h);

/*
 * Run `homeward --db DB ARGS...` (ARGS NULL-terminated) with stdin from /dev/null.
 * Sets *exit_code (0..255, or 128+N when killed by signal N) and, when the pointers
 * are not NULL, *out and *err to the captured stdout and stderr (malloc'ed,
 * NUL-terminated; the caller frees them). Returns the exit code, or -1 when the
 * program could not be run or outlived HARNESS_CLI_TIMEOUT_MS (then both outputs are NULL).
 */
int harness_run_cli(harness *h, int *exit_code, char **out, char **err, ...);

/* Like harness_run_cli() with an argument array (NULL-terminated); `with_db` false runs `homeward ARGS...` bare. */
int harness_run_argv(harness *h, bool with_db, const char *const *args, int *exit_code, char **out, char **err);

/* `homeward init` with unit 510100 成都市总工会, campaign `name`, 2027-01-10..2027-02-28. 0 or -1 (stderr printed). */
int harness_init_campaign(harness *h, const char *name);

/*
 * `homeward --db DB user add NAME --role ROLE [--station STATION]`; the token (the
 * last word of the last stdout line) goes to `token_out`. `station` may be NULL.
 * Returns 0, or -1 with the CLI's stderr printed.
 */
int harness_add_user(harness *h, const char *name, const char *role, const char *station,
                     char token_out[HARNESS_TOKEN_MAX]);

/*
 * Start `homeward --db DB serve --listen 127.0.0.1:0 EXTRA...` (EXTRA NULL-terminated;
 * pass NULL for none). The daemon picks a free port itself and we read it from its
 * "(port N)" stderr line, so no other process can take the port in between. Its
 * stderr is appended to serve.log in the temp dir. Returns 0 once GET /healthz
 * answered 200, or -1 (the daemon killed, its log printed) within HARNESS_START_TIMEOUT_MS.
 */
int harness_start_server(harness *h, ...);

/*
 * Send `sig` to the daemon and wait for it. *exit_code as in harness_run_cli();
 * *elapsed_ms from the signal to the exit. Either pointer may be NULL. Returns 0
 * when it exited on its own, 1 when it was still running after
 * HARNESS_STOP_TIMEOUT_MS and had to be SIGKILLed, -1 when no daemon was running.
 */
int harness_stop_server(harness *h, int sig, int *exit_code, long *elapsed_ms);

/* An HTTP request to the daemon. `method` and `path` are required; the rest may be zero. */
typedef struct harness_req {
    const char *method;
    const char *path;  /* "/api/v1/campaign", query string included if any */
    const char *token; /* sent as Authorization: Bearer TOKEN when not NULL */
    const char *body;  /* sent when not NULL, body_len bytes */
    size_t body_len;
    const char *content_type; /* default application/json when there is a body */
    bool chunked;             /* send the body with Transfer-Encoding: chunked instead of Content-Length */
} harness_req;

typedef struct harness_res {
    int status;
    char *body; /* malloc'ed, NUL-terminated */
    size_t body_len;
    char *headers; /* the raw response header block, malloc'ed, NUL-terminated */
} harness_res;

/* Perform `req` with libcurl on 127.0.0.1 (no proxy). Returns 0 with *res filled (free it), or -1 (message printed). */
int harness_request(harness *h, const harness_req *req, harness_res *res);

/* Free what harness_request() put in `res` (not `res` itself). */
void harness_res_free(harness_res *res);

/* The value of response header `name` (case-insensitive), malloc'ed; NULL when absent. */
char *harness_res_header(const harness_res *res, const char *name);

/*
 * The short form: status into *status, body into *response_body (malloc'ed,
 * NUL-terminated, caller frees; may be NULL to drop it). `token` and `body` may be
 * NULL. Returns 0, or -1 when the request could not be made.
 */
int harness_http(harness *h, const char *method, const char *path, const char *token, const char *body, size_t body_len,
                 int *status, char **response_body);

/* Parse `text` as JSON; NULL (message printed) when it is not. The caller owns the result (json_decref). */
json_t *harness_json(const char *text);

/*
 * Whether `body` is exactly the DESIGN §6 error envelope {"error": {"code", "message",
 * "details": [...]}} with a non-empty message and, when `code` is not NULL, that code.
 * Prints why not.
 */
bool harness_is_envelope(const char *body, const char *code);

/* The daemon's stderr so far (all starts in this harness), malloc'ed; "" when none. */
char *harness_server_log(harness *h);

/* Wait until the daemon's log contains `needle`; false after `timeout_ms`. */
bool harness_log_wait(harness *h, const char *needle, int timeout_ms);

/*
 * Open a raw TCP connection to the daemon (blocking, loopback). Returns the fd (the
 * caller closes it) or -1.
 */
int harness_raw_connect(harness *h);

/* Send all `len` bytes of `data` on `fd` (for partial or slow requests). 0 or -1. */
int harness_raw_send(int fd, const char *data, size_t len);

/*
 * Send `request` (a complete HTTP/1.1 request) on `fd` and read one response with a
 * Content-Length. *status set; *response (malloc'ed, headers and body) when not NULL.
 * Returns 0, or -1 on error, EOF or after `timeout_ms`.
 */
int harness_raw_exchange(int fd, const char *request, int timeout_ms, int *status, char **response);

/*
 * Run `sql` on the database with SQLite directly and copy the first column of the
 * first row into `out` ("" when no row or NULL). Returns 0, or -1 (message printed).
 */
int harness_sql_text(harness *h, const char *sql, char *out, size_t n);

/*
 * Every sheet of the .xlsx at `path`, read back with Debian's python3-openpyxl: a line
 * "== TITLE paper=N" per sheet, then one line per row with its non-empty cells joined by one
 * space (numbers as Excel holds them: whole numbers without decimals, others with two).
 * Malloc'ed, the caller frees; NULL (message printed) when it cannot be read.
 */
char *harness_xlsx_dump(harness *h, const char *path);

/* A monotonic clock in milliseconds. */
double harness_now_ms(void);

#endif
