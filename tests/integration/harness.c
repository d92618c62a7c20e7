/* harness.c - runs the real homeward binary against a temp database: CLI calls, a daemon on loopback, HTTP. */
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#define MAX_ARGS 64

struct harness {
    char dir[128];
    char db[160];
    char log_path[160];
    pid_t server;
    int port;
};

static char binary[4096];

int harness_init(int argc, char **argv)
{
    if (argc < 2 || access(argv[1], X_OK) != 0) {
        fprintf(stderr, "usage: %s /path/to/homeward (got %s)\n", argc > 0 ? argv[0] : "test",
                argc > 1 ? argv[1] : "nothing");
        return -1;
    }
    char cwd[2048] = "";
    if (argv[1][0] != '/' && getcwd(cwd, sizeof cwd) == NULL)
        return -1;
    int n = snprintf(binary, sizeof binary, "%s%s%s", cwd, cwd[0] ? "/" : "", argv[1]);
    if (n < 0 || (size_t)n >= sizeof binary)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

const char *harness_binary(void)
{
    return binary;
}

double harness_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

harness *harness_new(void)
{
    harness *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    snprintf(h->dir, sizeof h->dir, "/tmp/homeward-it-XXXXXX");
    if (mkdtemp(h->dir) == NULL) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        free(h);
        return NULL;
    }
    snprintf(h->db, sizeof h->db, "%s/homeward.db", h->dir);
    snprintf(h->log_path, sizeof h->log_path, "%s/serve.log", h->dir);
    return h;
}

/* rm -rf of the directory open as `dfd` (closed here); symlinks are removed, never followed. */
static void remove_tree(int dfd)
{
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            if (sub >= 0)
                remove_tree(sub);
            unlinkat(dfd, e->d_name, AT_REMOVEDIR);
        } else {
            unlinkat(dfd, e->d_name, 0);
        }
    }
    closedir(d);
}

/* Wait for `pid` at most `cap_ms`, then SIGKILL it. Returns 0 (exited in time) or 1 (killed); -1 on error. */
static int wait_capped(pid_t pid, long cap_ms, int *wstatus, long *elapsed_ms)
{
    double start = harness_now_ms();
    int killed = 0;
    for (;;) {
        pid_t r = waitpid(pid, wstatus, killed ? 0 : WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        if (!killed && harness_now_ms() - start > (double)cap_ms) {
            kill(pid, SIGKILL);
            killed = 1;
            continue;
        }
        sleep_ms(1);
    }
    if (elapsed_ms != NULL)
        *elapsed_ms = (long)(harness_now_ms() - start);
    return killed;
}

static int exit_code_of(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return -1;
}

void harness_free(harness *h)
{
    if (h == NULL)
        return;
    if (h->server > 0)
        harness_stop_server(h, SIGKILL, NULL, NULL);
    int dfd = open(h->dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0)
        remove_tree(dfd);
    rmdir(h->dir);
    free(h);
}

const char *harness_dir(const harness *h)
{
    return h->dir;
}

const char *harness_db(const harness *h)
{
    return h->db;
}

int harness_port(const harness *h)
{
    return h->server > 0 ? h->port : 0;
}

/* Fork and exec `argv` (argv[0] is the binary) with stdout/stderr to files; the child dies with us. */
static pid_t spawn(char *const *argv, const char *out_path, const char *err_path, bool append)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* the child: only async-signal-safe calls from here on */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open(out_path, flags, 0600);
    int err = open(err_path, flags, 0600);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(127);
    execv(argv[0], argv);
    _exit(127);
}

/* The whole file at `path`, malloc'ed and NUL-terminated ("" when missing); NULL only when out of memory. */
static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    while (f != NULL) {
        if (len + 1 == cap) {
            char *bigger = cap < HARNESS_MAX_RESPONSE ? realloc(buf, cap * 2) : NULL;
            if (bigger == NULL)
                break;
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        if (n == 0)
            break;
        len += n;
    }
    if (f != NULL)
        fclose(f);
    buf[len] = '\0';
    if (len_out != NULL)
        *len_out = len;
    return buf;
}

/* Build {binary, [--db DB], args...} into `argv` (at most MAX_ARGS entries plus NULL). */
static int build_argv(harness *h, bool with_db, const char *const *args, char *argv[MAX_ARGS + 1])
{
    int n = 0;
    argv[n++] = binary;
    if (with_db) {
        argv[n++] = "--db";
        argv[n++] = h->db;
    }
    for (size_t i = 0; args != NULL && args[i] != NULL; i++) {
        if (n == MAX_ARGS) {
            fprintf(stderr, "harness: too many arguments\n");
            return -1;
        }
        argv[n++] = (char *)args[i];
    }
    argv[n] = NULL;
    return 0;
}

int harness_run_argv(harness *h, bool with_db, const char *const *args, int *exit_code, char **out, char **err)
{
    char *argv[MAX_ARGS + 1], out_path[192], err_path[192];
    int wstatus = 0;
    if (out != NULL)
        *out = NULL;
    if (err != NULL)
        *err = NULL;
    if (build_argv(h, with_db, args, argv) != 0)
        return -1;
    snprintf(out_path, sizeof out_path, "%s/cli.stdout", h->dir);
    snprintf(err_path, sizeof err_path, "%s/cli.stderr", h->dir);
    pid_t pid = spawn(argv, out_path, err_path, false);
    if (pid < 0) {
        fprintf(stderr, "harness: fork: %s\n", strerror(errno));
        return -1;
    }
    int waited = wait_capped(pid, HARNESS_CLI_TIMEOUT_MS, &wstatus, NULL);
    if (waited != 0) {
        fprintf(stderr, "harness: %s %s did not finish within %d ms\n", binary, args && args[0] ? args[0] : "",
                HARNESS_CLI_TIMEOUT_MS);
        return -1;
    }
    int code = exit_code_of(wstatus);
    if (exit_code != NULL)
        *exit_code = code;
    if (out != NULL)
        *out = read_file(out_path, NULL);
    if (err != NULL)
        *err = read_file(err_path, NULL);
    return code;
}

int harness_run_cli(harness *h, int *exit_code, char **out, char **err, ...)
{
    const char *args[MAX_ARGS + 1];
    size_t n = 0;
    va_list ap;
    va_start(ap, err);
    for (const char *a = va_arg(ap, const char *); a != NULL; a = va_arg(ap, const char *)) {
        if (n == MAX_ARGS) {
            va_end(ap);
            fprintf(stderr, "harness: too many arguments\n");
            return -1;
        }
        args[n++] = a;
    }
    va_end(ap);
    args[n] = NULL;
    return harness_run_argv(h, true, args, exit_code, out, err);
}

int harness_init_campaign(harness *h, const char *name)
{
    int code = -1;
    char *err = NULL;
    harness_run_cli(h, &code, NULL, &err, "init", "--unit-code", "510100", "--unit-name", "成都市总工会", "--campaign",
                    name, "--from", "2027-01-10", "--to", "2027-02-28", NULL);
    if (code != 0)
        fprintf(stderr, "harness: init exited %d: %s\n", code, err != NULL ? err : "");
    free(err);
    return code == 0 ? 0 : -1;
}

/* The last whitespace-separated word of the last non-empty line of `text` into `out`. */
static int last_word(const char *text, char *out, size_t n)
{
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *start = end;
    while (start > text && start[-1] != ' ' && start[-1] != '\t' && start[-1] != '\n')
        start--;
    if (start == end || (size_t)(end - start) >= n)
        return -1;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return 0;
}

int harness_add_user(harness *h, const char *name, const char *role, const char *station,
                     char token_out[HARNESS_TOKEN_MAX])
{
    int code = -1;
    char *out = NULL, *err = NULL;
    if (station != NULL)
        harness_run_cli(h, &code, &out, &err, "user", "add", name, "--role", role, "--station", station, NULL);
    else
        harness_run_cli(h, &code, &out, &err, "user", "add", name, "--role", role, NULL);
    int rc = code == 0 && out != NULL ? last_word(out, token_out, HARNESS_TOKEN_MAX) : -1;
    if (rc != 0)
        fprintf(stderr, "harness: user add %s exited %d:\n%s%s\n", name, code, out ? out : "", err ? err : "");
    free(out);
    free(err);
    return rc;
}

/* Log bytes the current daemon wrote (from `offset`), malloc'ed. */
static char *log_since(harness *h, size_t offset)
{
    size_t len = 0;
    char *all = read_file(h->log_path, &len);
    if (all == NULL || offset == 0 || offset > len)
        return all;
    memmove(all, all + offset, len - offset + 1);
    return all;
}

/* Wait for the "(port N)" line of the daemon started when the log was `offset` bytes long. */
static int read_port(harness *h, size_t offset, double deadline)
{
    while (harness_now_ms() < deadline) {
        char *text = log_since(h, offset);
        const char *p = text != NULL ? strstr(text, "(port ") : NULL;
        int port = p != NULL ? atoi(p + 6) : 0;
        free(text);
        if (port > 0 && port < 65536)
            return port;
        int wstatus;
        if (waitpid(h->server, &wstatus, WNOHANG) == h->server) {
            fprintf(stderr, "harness: the daemon exited (%d) before listening\n", exit_code_of(wstatus));
            h->server = 0;
            return -1;
        }
        sleep_ms(5);
    }
    return -1;
}

static int wait_healthy(harness *h, double deadline)
{
    while (harness_now_ms() < deadline) {
        int status = 0;
        if (harness_http(h, "GET", "/healthz", NULL, NULL, 0, &status, NULL) == 0 && status == 200)
            return 0;
        sleep_ms(10);
    }
    return -1;
}

int harness_start_server(harness *h, ...)
{
    const char *args[MAX_ARGS + 1] = {"serve", "--listen", "127.0.0.1:0"};
    size_t n = 3;
    va_list ap;
    va_start(ap, h);
    for (const char *a = va_arg(ap, const char *); a != NULL && n < MAX_ARGS - 4; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    char *argv[MAX_ARGS + 1];
    if (h->server > 0 || build_argv(h, true, args, argv) != 0)
        return -1;
    struct stat st;
    size_t offset = stat(h->log_path, &st) == 0 ? (size_t)st.st_size : 0;
    double deadline = harness_now_ms() + HARNESS_START_TIMEOUT_MS;
    char out_path[192];
    snprintf(out_path, sizeof out_path, "%s/serve.stdout", h->dir);
    h->server = spawn(argv, out_path, h->log_path, true);
    if (h->server < 0) {
        h->server = 0;
        return -1;
    }
    h->port = read_port(h, offset, deadline);
    if (h->port > 0 && wait_healthy(h, deadline) == 0)
        return 0;
    char *log = log_since(h, offset);
    fprintf(stderr, "harness: the daemon did not become healthy within %d ms; its log:\n%s\n", HARNESS_START_TIMEOUT_MS,
            log != NULL ? log : "");
    free(log);
    if (h->server > 0)
        harness_stop_server(h, SIGKILL, NULL, NULL);
    return -1;
}

int harness_stop_server(harness *h, int sig, int *exit_code, long *elapsed_ms)
{
    int wstatus = 0;
    if (h->server <= 0)
        return -1;
    kill(h->server, sig);
    int rc = wait_capped(h->server, HARNESS_STOP_TIMEOUT_MS, &wstatus, elapsed_ms);
    h->server = 0;
    h->port = 0;
    if (exit_code != NULL)
        *exit_code = rc < 0 ? -1 : exit_code_of(wstatus);
    return rc;
}

/* A bounded growing buffer for curl's write callbacks. */
typedef struct buffer {
    char *data;
    size_t len, cap;
    bool too_big;
} buffer;

static size_t buffer_append(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    buffer *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > HARNESS_MAX_RESPONSE) {
        b->too_big = true;
        return 0;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *bigger = realloc(b->data, cap);
        if (bigger == NULL)
            return 0;
        b->data = bigger;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* What the chunked upload reads from. */
typedef struct upload {
    const char *data;
    size_t len, pos;
} upload;

static size_t upload_read(char *dst, size_t size, size_t nitems, void *userdata)
{
    upload *u = userdata;
    size_t n = size * nitems;
    if (n > u->len - u->pos)
        n = u->len - u->pos;
    if (n > 65536)
        n = 65536; /* several chunks, as a streaming client would send */
    memcpy(dst, u->data + u->pos, n);
    u->pos += n;
    return n;
}

static struct curl_slist *request_headers(const harness_req *req)
{
    char line[HARNESS_TOKEN_MAX + 64];
    struct curl_slist *list = curl_slist_append(NULL, "Expect:"); /* no 100-continue round trip */
    if (req->token != NULL) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", req->token);
        list = curl_slist_append(list, line);
    }
    if (req->body != NULL) {
        snprintf(line, sizeof line, "Content-Type: %s", req->content_type ? req->content_type : "application/json");
        list = curl_slist_append(list, line);
    }
    if (req->chunked)
        list = curl_slist_append(list, "Transfer-Encoding: chunked");
    return list;
}

static void set_body(CURL *c, const harness_req *req, upload *u)
{
    if (req->body == NULL)
        return;
    if (req->chunked) {
        *u = (upload){req->body, req->body_len, 0};
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
        curl_easy_setopt(c, CURLOPT_READDATA, u);
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
}

int harness_request(harness *h, const harness_req *req, harness_res *res)
{
    char url[2048];
    buffer body = {0}, headers = {0};
    upload u = {0};
    memset(res, 0, sizeof *res);
    if (h->port <= 0 || req->method == NULL || req->path == NULL)
        return -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", h->port, req->path);
    CURL *c = curl_easy_init();
    if (c == NULL)
        return -1;
    struct curl_slist *list = request_headers(req);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HARNESS_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buffer_append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, buffer_append);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &headers);
    set_body(c, req, &u);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        fprintf(stderr, "harness: %s %s: %s\n", req->method, req->path, curl_easy_strerror(rc));
        free(body.data);
        free(headers.data);
        return -1;
    }
    res->status = (int)status;
    res->body = body.data != NULL ? body.data : calloc(1, 1);
    res->body_len = body.len;
    res->headers = headers.data != NULL ? headers.data : calloc(1, 1);
    return 0;
}

void harness_res_free(harness_res *res)
{
    free(res->body);
    free(res->headers);
    memset(res, 0, sizeof *res);
}

char *harness_res_header(const harness_res *res, const char *name)
{
    size_t n = strlen(name);
    for (const char *line = res->headers; line != NULL && *line != '\0';) {
        const char *eol = strstr(line, "\r\n");
        size_t len = eol != NULL ? (size_t)(eol - line) : strlen(line);
        if (len > n && line[n] == ':' && strncasecmp(line, name, n) == 0) {
            const char *v = line + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vlen = (size_t)(line + len - v);
            char *out = malloc(vlen + 1);
            if (out != NULL) {
                memcpy(out, v, vlen);
                out[vlen] = '\0';
            }
            return out;
        }
        line = eol != NULL ? eol + 2 : NULL;
    }
    return NULL;
}

int harness_http(harness *h, const char *method, const char *path, const char *token, const char *body, size_t body_len,
                 int *status, char **response_body)
{
    harness_res res;
    harness_req req = {.method = method, .path = path, .token = token, .body = body, .body_len = body_len};
    if (response_body != NULL)
        *response_body = NULL;
    if (harness_request(h, &req, &res) != 0)
        return -1;
    *status = res.status;
    if (response_body != NULL) {
        *response_body = res.body;
        res.body = NULL;
    }
    harness_res_free(&res);
    return 0;
}

json_t *harness_json(const char *text)
{
    json_error_t jerr;
    json_t *doc = text != NULL ? json_loads(text, 0, &jerr) : NULL;
    if (doc == NULL)
        fprintf(stderr, "harness: not JSON (%s): %.300s\n", text != NULL ? jerr.text : "no body",
                text != NULL ? text : "");
    return doc;
}

bool harness_is_envelope(const char *body, const char *code)
{
    json_t *doc = harness_json(body);
    json_t *e = json_object_get(doc, "error");
    const char *got = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    bool ok = json_is_object(doc) && json_object_size(doc) == 1 && json_is_object(e) && got != NULL && msg != NULL &&
              msg[0] != '\0' && json_is_array(json_object_get(e, "details")) &&
              (code == NULL || strcmp(got, code) == 0);
    if (!ok)
        fprintf(stderr, "harness: expected the error envelope with code %s, got: %.500s\n", code ? code : "(any)",
                body != NULL ? body : "(null)");
    json_decref(doc);
    return ok;
}

char *harness_server_log(harness *h)
{
    return read_file(h->log_path, NULL);
}

bool harness_log_wait(harness *h, const char *needle, int timeout_ms)
{
    double deadline = harness_now_ms() + timeout_ms;
    do {
        char *log = harness_server_log(h);
        bool found = log != NULL && strstr(log, needle) != NULL;
        free(log);
        if (found)
            return true;
        sleep_ms(5);
    } while (harness_now_ms() < deadline);
    return false;
}

int harness_raw_connect(harness *h)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (h->port <= 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int harness_raw_send(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Whether `buf` holds a whole response: the header block plus Content-Length bytes. */
static bool response_complete(const char *buf, size_t len)
{
    const char *end = strstr(buf, "\r\n\r\n");
    if (end == NULL)
        return false;
    size_t want = 0;
    for (const char *p = buf; p < end; p = strstr(p, "\r\n") + 2)
        if (strncasecmp(p, "content-length:", 15) == 0)
            want = (size_t)strtoul(p + 15, NULL, 10);
    return len >= (size_t)(end + 4 - buf) + want;
}

int harness_raw_exchange(int fd, const char *request, int timeout_ms, int *status, char **response)
{
    static const size_t cap = 1024 * 1024;
    double deadline = harness_now_ms() + timeout_ms;
    if (harness_raw_send(fd, request, strlen(request)) != 0)
        return -1;
    char *buf = malloc(cap);
    size_t len = 0;
    if (buf == NULL)
        return -1;
    buf[0] = '\0';
    while (!response_complete(buf, len)) {
        int left = (int)(deadline - harness_now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n = left > 0 && poll(&p, 1, left) == 1 ? recv(fd, buf + len, cap - len - 1, 0) : -1;
        if (n <= 0 || len + (size_t)n + 1 >= cap) {
            free(buf);
            return -1;
        }
        len += (size_t)n;
        buf[len] = '\0';
    }
    *status = strncmp(buf, "HTTP/1.", 7) == 0 && len > 12 ? atoi(buf + 9) : 0;
    if (response != NULL)
        *response = buf;
    else
        free(buf);
    return 0;
}

int harness_sql_text(harness *h, const char *sql, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open_v2(h->db, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 2000);
        rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        const unsigned char *v = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
        snprintf(out, n, "%s", v != NULL ? (const char *)v : "");
        rc = 0;
    } else {
        fprintf(stderr, "harness: sqlite %s: %s\n", sql, db != NULL ? sqlite3_errmsg(db) : "cannot open");
        rc = -1;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

char *harness_xlsx_dump(harness *h, const char *path)
{
    char script[600], cmd[1400];
    snprintf(script, sizeof script, "%s/xlsx_dump.py", h->dir);
    FILE *f = fopen(script, "w");
    if (f == NULL) {
        fprintf(stderr, "harness_xlsx_dump: cannot write %s\n", script);
        return NULL;
    }
    fputs("import sys, openpyxl\n"
          "def cell(c):\n"
          "    if isinstance(c, float):\n"
          "        return '%d' % c if c == int(c) else '%.2f' % c\n"
          "    return str(c)\n"
          "for ws in openpyxl.load_workbook(sys.argv[1]).worksheets:\n"
          "    print('== %s paper=%s' % (ws.title, ws.page_setup.paperSize))\n"
          "    for row in ws.iter_rows(values_only=True):\n"
          "        print(' '.join(cell(c) for c in row if c is not None))\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s'", script, path);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return NULL;
    size_t cap = 1 << 20, len = 0, got;
    char *buf = calloc(1, cap);
    while (buf != NULL && len + 1 < cap && (got = fread(buf + len, 1, cap - 1 - len, p)) > 0)
        len += got;
    if (pclose(p) != 0 || buf == NULL) {
        fprintf(stderr, "harness_xlsx_dump: python3-openpyxl could not read %s\n", path);
        free(buf);
        return NULL;
    }
    return buf;
}
