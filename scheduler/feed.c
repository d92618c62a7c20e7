/* feed.c - report revisions to the parent: one exchange, the blocking push of the CLI, the daemon's loop-driven feed. */
#include "feed.h"

#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "lifecycle.h"

/* ---------------------------------------------------------------- pure parts */

void feed_read_outcome(CURLcode curl_rc, long http_status, const char *body, feed_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    if (curl_rc != CURLE_OK) {
        snprintf(out->error, sizeof out->error, "无法连接上级单位 (cannot reach the parent): %s",
                 curl_easy_strerror(curl_rc));
        out->http_status = 0;
        return;
    }
    json_t *doc = body != NULL ? json_loads(body, 0, NULL) : NULL;
    json_t *e = json_object_get(doc, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *message = json_string_value(json_object_get(e, "message"));
    if ((http_status == 200 || http_status == 201) && json_is_boolean(json_object_get(doc, "stored"))) {
        out->stored = true;
        out->duplicate = !json_is_true(json_object_get(doc, "stored"));
    } else if (http_status == 409 && code != NULL && strcmp(code, "revision_conflict") == 0) {
        out->conflict = true;
        out->latest_revision = json_integer_value(json_object_get(json_array_get(json_object_get(e, "details"), 0),
                                                                  "latest_revision"));
        snprintf(out->error, sizeof out->error, "上级单位已有同号不同内容的版本 (the parent holds this revision with "
                                                "other figures)");
    } else {
        out->permanent = http_status >= 400 && http_status < 500 && http_status != 408 && http_status != 429;
        snprintf(out->error, sizeof out->error, "上级单位答复 HTTP %ld (the parent answered %ld)%s%s", http_status,
                 http_status, message != NULL ? ": " : "", message != NULL ? message : "");
    }
    json_decref(doc);
}

uint64_t feed_backoff_ms(int failures, uint64_t base_ms, uint64_t max_ms, uint32_t rnd)
{
    uint64_t d = base_ms;
    for (int i = 1; i < failures && d < max_ms; i++)
        d = d > max_ms / 2 ? max_ms : d * 2; /* never overflows */
    if (d > max_ms)
        d = max_ms;
    uint64_t half = d / 2;
    return half + (half > 0 ? (uint64_t)rnd % (d - half + 1) : 0);
}

int feed_deadline_end(const char *date, time_t *out, hw_error *err)
{
    char text[40];
    int ymd = 0;
    if (date == NULL || clock_parse_date(date, &ymd, err) != 0)
        return error_set(err, HW_EINVAL, "bad_deadline", "截止日期无效 (invalid deadline)");
    snprintf(text, sizeof text, "%.10sT00:00:00+08:00", date);
    if (lifecycle_parse_time(text, out, err) != 0)
        return HW_EINVAL;
    *out += 24 * 3600;
    return 0;
}

/* ---------------------------------------------------------------- one exchange */

#define ANSWER_MAX (64 * 1024)

static size_t on_answer(char *data, size_t size, size_t nmemb, void *userp)
{
    feed_exchange *x = userp;
    size_t n = size * nmemb;
    size_t keep = x->answer_len + n > ANSWER_MAX ? ANSWER_MAX - x->answer_len : n;
    if (keep > 0) {
        char *grown = realloc(x->answer, x->answer_len + keep + 1);
        if (grown == NULL)
            return 0; /* aborts the transfer: counted as a failed attempt */
        memcpy(grown + x->answer_len, data, keep);
        x->answer = grown;
        x->answer_len += keep;
        x->answer[x->answer_len] = '\0';
    }
    return n;
}

int feed_exchange_init(feed_exchange *x, const reports_parent *p, const char *body, long timeout_ms, hw_error *err)
{
    char auth[REPORTS_TOKEN_MAX + 32];
    memset(x, 0, sizeof *x);
    size_t n = strlen(p->url);
    while (n > 0 && p->url[n - 1] == '/')
        n--;
    /* the base address is what the docs ask for; a pasted API path works too */
    static const char path[] = "/api/v1/reports", api[] = "/api/v1";
    bool has_path = n >= sizeof path - 1 && memcmp(p->url + n - (sizeof path - 1), path, sizeof path - 1) == 0;
    bool has_api = n >= sizeof api - 1 && memcmp(p->url + n - (sizeof api - 1), api, sizeof api - 1) == 0;
    snprintf(x->url, sizeof x->url, "%.*s%s", (int)n, p->url, has_path ? "" : has_api ? "/reports" : path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", p->token);
    x->easy = curl_easy_init();
    /* "Expect:" off: small bodies need no 100-continue round trip */
    const char *lines[] = {"Content-Type: application/json", "Expect:", auth};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct curl_slist *grown = curl_slist_append(x->headers, lines[i]);
        if (grown == NULL) {
            curl_slist_free_all(x->headers);
            x->headers = NULL;
            break;
        }
        x->headers = grown;
    }
    sodium_memzero(auth, sizeof auth);
    if (x->easy == NULL || x->headers == NULL) {
        feed_exchange_cleanup(x);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->easy, CURLOPT_FORBID_REUSE, 1L); /* pushes are minutes apart: no idle connection kept */
    curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "homeward/" HOMEWARD_VERSION);
    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
    return 0;
}

void feed_exchange_cleanup(feed_exchange *x)
{
    if (x->easy != NULL)
        curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers); /* holds the token: the list is freed, the strings with it */
    free(x->answer);
    memset(x, 0, sizeof *x);
}

static long timeout_ms(void)
{
    const char *env = getenv("HOMEWARD_FEED_TIMEOUT_MS");
    long v = env != NULL ? strtol(env, NULL, 10) : 0;
    return v >= 50 && v <= 600000 ? v : FEED_TIMEOUT_MS;
}

/* Add the current figures to the outbox (a new revision only if they changed, or as asked). */
static int outbox_add_current(store *s, sqlite3 *rdb, int64_t min_revision, bool force, hw_error *err)
{
    stats_report r;
    char now[40];
    int rc = reports_load(rdb, &r, err);
    if (rc != 0)
        return rc;
    clock_now(now, sizeof now);
    reports_outbox_job job = {.doc = reports_upload_json(&r, now), .min_revision = min_revision, .force = force};
    stats_report_free(&r);
    rc = store_write(s, reports_outbox_add, &job, err);
    json_decref(job.doc);
    return rc;
}

/* Send the pending revision once, blocking; record the outcome. HW_ENOTFOUND when none is pending. */
static int send_pending(store *s, sqlite3 *rdb, const reports_parent *p, feed_outcome *out, int64_t *revision,
                        hw_error *err)
{
    reports_pending pend;
    feed_exchange x;
    long status = 0;
    int rc = reports_outbox_next(rdb, &pend, err);
    if (rc != 0)
        return rc;
    *revision = pend.revision;
    if ((rc = feed_exchange_init(&x, p, pend.body, timeout_ms(), err)) != 0) {
        reports_pending_free(&pend);
        return rc;
    }
    CURLcode crc = curl_easy_perform(x.easy);
    curl_easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &status);
    feed_read_outcome(crc, status, x.answer, out);
    feed_exchange_cleanup(&x);
    reports_pending_free(&pend);
    reports_result_job result = {.revision = *revision, .sent = out->stored};
    snprintf(result.error, sizeof result.error, "%s", out->error);
    return store_write(s, reports_outbox_result, &result, err);
}

int feed_push_now(store *s, sqlite3 *rdb, const vault *v, feed_outcome *out, int64_t *revision, hw_error *err)
{
    reports_parent p;
    memset(out, 0, sizeof *out);
    *revision = 0;
    int rc = reports_parent_get(rdb, v, &p, err);
    if (rc == 0)
        rc = outbox_add_current(s, rdb, 0, false, err);
    if (rc == 0)
        rc = send_pending(s, rdb, &p, out, revision, err);
    if (rc == HW_ENOTFOUND && strcmp(err->code, "nothing_pending") == 0) {
        reports_status st; /* the newest revision is at the parent already */
        rc = reports_status_read(rdb, &st, err);
        *revision = st.sent;
        out->stored = out->duplicate = true;
    } else if (rc == 0 && out->conflict) {
        rc = outbox_add_current(s, rdb, out->latest_revision + 1, true, err);
        if (rc == 0)
            rc = send_pending(s, rdb, &p, out, revision, err);
    }
    sodium_memzero(&p, sizeof p);
    if (rc == 0 && !out->stored)
        rc = error_set(err, HW_EIO, "push_failed", "%s", out->error);
    return rc;
}

/* ---------------------------------------------------------------- the daemon's feed */

/* One line of the daemon's log, led by the time like the request lines; never a token or a name. */
static void feed_log(const char *fmt, ...)
{
    char now[40];
    va_list ap;
    clock_now(now, sizeof now);
    fprintf(stderr, "%s ", now);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

struct feed {
    uv_loop_t *loop;
    store *store;
    sqlite3 *rdb;
    const vault *vault;
    metrics *metrics;
    uv_timer_t tick;       /* the watch */
    uv_timer_t curl_timer; /* libcurl's timeout */
    CURLM *multi;
    bool stopping;
    int closing; /* handles whose close callback has not run yet */
    /* state */
    int64_t data_version;
    bool dirty;                /* committed changes not yet in a revision */
    uint64_t dirty_since;      /* loop time (ms) of the first unsettled change */
    uint64_t quiet_since;      /* of the last change seen */
    uint64_t next_build;       /* periodic rebuild */
    uint64_t retry_at;         /* no send before */
    int failures;              /* in a row, for the backoff */
    uint64_t last_warning;     /* of the deadline warning */
    bool job_in_flight;        /* a store job */
    feed_exchange *transfer;   /* the exchange in flight, or NULL */
    int64_t transfer_revision; /* its revision */
    int64_t min_revision;      /* after a conflict: the next revision's least number */
    store_job job;
    reports_outbox_job outbox_job;
    reports_result_job result_job;
    uint64_t pushes, failed_pushes;
    uint8_t link[16]; /* digest of the parent link last seen: a new URL or token is tried at once */
};

static uint64_t tick_ms(void)
{
    const char *env = getenv("HOMEWARD_FEED_TICK_MS");
    long v = env != NULL ? strtol(env, NULL, 10) : 0;
    return v >= 50 && v <= 60000 ? (uint64_t)v : FEED_TICK_MS;
}

/* A whole-number setting, or `fallback` when missing or not a number. */
static int64_t setting(sqlite3 *db, const char *key, int64_t fallback)
{
    sqlite3_stmt *st = NULL;
    int64_t v = fallback;
    if (sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = ?1 AND CAST(value AS INTEGER) >= 0", -1, &st,
                           NULL) != SQLITE_OK)
        return fallback;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t data_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void on_tick(uv_timer_t *t);

/* Look again soon (after a job or a transfer ended) rather than at the next tick. */
static void kick(feed *f)
{
    if (!f->stopping)
        uv_timer_start(&f->tick, on_tick, 0, tick_ms());
}

static void on_result_done(store_job *job)
{
    feed *f = (feed *)((char *)job - offsetof(feed, job));
    f->job_in_flight = false;
    if (job->rc != 0)
        feed_log("报送结果未能记录 (could not record the push result): %s\n", job->err.message);
    kick(f);
}

/* The exchange in flight ended: read it, record it, plan the next attempt. */
static void transfer_done(feed *f, CURLcode crc)
{
    feed_exchange *x = f->transfer;
    long status = 0;
    feed_outcome out;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(f->multi, x->easy);
    feed_read_outcome(crc, status, x->answer, &out);
    feed_exchange_cleanup(x);
    free(x);
    f->transfer = NULL;
    uint64_t now = uv_now(f->loop);
    if (out.stored) {
        f->failures = 0;
        f->pushes++;
        f->retry_at = now;
        feed_log("统计表第 %" PRId64 " 版已报送上级单位%s (report revision %" PRId64 " stored by the parent%s)\n",
                f->transfer_revision, out.duplicate ? ",此前已收到" : "", f->transfer_revision,
                out.duplicate ? ", which had it already" : "");
    } else if (out.conflict) { /* not a failure: the figures go again at once as a higher revision */
        f->min_revision = out.latest_revision + 1;
        f->next_build = now;
        f->retry_at = now;
        feed_log(
                "上级单位已有第 %" PRId64 " 版(内容不同,可能来自重建的数据库),改以第 %" PRId64
                " 版重新报送 (the parent holds revision %" PRId64 " with other figures; resending as revision %" PRId64
                ")\n",
                f->transfer_revision, f->min_revision, f->transfer_revision, f->min_revision);
    } else {
        f->failures++;
        f->failed_pushes++;
        uint64_t interval = (uint64_t)setting(f->rdb, "report_push_interval_minutes", 10) * 60000;
        uint64_t wait = feed_backoff_ms(f->failures, tick_ms(), interval > 0 ? interval : 600000, randombytes_random());
        if (out.permanent)
            wait = interval > 0 ? interval : 600000;
        f->retry_at = now + wait;
        feed_log("统计表第 %" PRId64 " 版报送未成功,%.1f 秒后重试 (push of revision %" PRId64
                        " failed, retry in %.1f s): %s\n",
                f->transfer_revision, wait / 1000.0, f->transfer_revision, wait / 1000.0, out.error);
    }
    metrics_gauge(f->metrics, "homeward_report_pushes", "Report revisions the parent stored since start.",
                  (double)f->pushes);
    metrics_gauge(f->metrics, "homeward_report_push_failures", "Failed attempts to send a report revision since start.",
                  (double)f->failed_pushes);
    f->result_job = (reports_result_job){.revision = f->transfer_revision, .sent = out.stored};
    snprintf(f->result_job.error, sizeof f->result_job.error, "%s", out.error);
    f->job = (store_job){.fn = reports_outbox_result, .arg = &f->result_job, .done = on_result_done};
    f->job_in_flight = true;
    store_submit(f->store, &f->job);
}

static void check_transfers(feed *f)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(f->multi, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE && f->transfer != NULL && msg->easy_handle == f->transfer->easy)
            transfer_done(f, msg->data.result);
}

/* ---- libcurl's multi interface on the libuv loop (sockets as uv_poll_t, its timer as uv_timer_t) */

typedef struct feed_socket {
    uv_poll_t poll;
    curl_socket_t fd;
    feed *feed;
} feed_socket;

static void on_handle_closed(uv_handle_t *h)
{
    feed *f = h->data;
    f->closing--;
}

static void on_socket_closed(uv_handle_t *h)
{
    feed_socket *fs = h->data;
    fs->feed->closing--;
    free(fs);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    feed_socket *fs = h->data;
    feed *f = fs->feed;
    int flags = status < 0 ? CURL_CSELECT_ERR : 0, running = 0;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(f->multi, fs->fd, flags, &running);
    check_transfers(f);
}

static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    feed *f = userp;
    feed_socket *fs = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (fs != NULL) {
            uv_poll_stop(&fs->poll);
            curl_multi_assign(f->multi, s, NULL);
            f->closing++;
            uv_close((uv_handle_t *)&fs->poll, on_socket_closed);
        }
        return 0;
    }
    if (fs == NULL) {
        fs = calloc(1, sizeof *fs);
        if (fs == NULL || uv_poll_init_socket(f->loop, &fs->poll, s) != 0) {
            free(fs);
            return -1;
        }
        fs->fd = s;
        fs->feed = f;
        fs->poll.data = fs;
        curl_multi_assign(f->multi, s, fs);
    }
    int events = ((what & CURL_POLL_IN) ? UV_READABLE : 0) | ((what & CURL_POLL_OUT) ? UV_WRITABLE : 0);
    uv_poll_start(&fs->poll, events, on_poll);
    return 0;
}

static void on_curl_timeout(uv_timer_t *t)
{
    feed *f = t->data;
    int running = 0;
    curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_transfers(f);
}

static int on_curl_timer(CURLM *multi, long ms, void *userp)
{
    (void)multi;
    feed *f = userp;
    if (ms < 0)
        uv_timer_stop(&f->curl_timer);
    else if (!f->stopping)
        uv_timer_start(&f->curl_timer, on_curl_timeout, (uint64_t)ms, 0);
    return 0;
}

/* ---- the watch */

static void on_outbox_done(store_job *job)
{
    feed *f = (feed *)((char *)job - offsetof(feed, job));
    f->job_in_flight = false;
    json_decref(f->outbox_job.doc);
    f->outbox_job.doc = NULL;
    if (job->rc != 0)
        feed_log("统计表版本未能生成 (could not add a report revision): %s\n", job->err.message);
    else if (f->outbox_job.created) {
        f->min_revision = 0;
        f->retry_at = uv_now(f->loop); /* a new revision goes out at once, whatever the backoff */
        f->failures = 0;
    }
    kick(f);
}

/* Compute the figures and queue them for the outbox. */
static void build(feed *f, uint64_t now)
{
    stats_report r;
    hw_error err;
    char at[40];
    f->dirty = false;
    f->next_build = now + (uint64_t)setting(f->rdb, "report_push_interval_minutes", 10) * 60000;
    if (reports_load(f->rdb, &r, &err) != 0) {
        feed_log("统计表未能生成 (could not compute the report): %s\n", err.message);
        return;
    }
    clock_now(at, sizeof at);
    f->outbox_job = (reports_outbox_job){.doc = reports_upload_json(&r, at), .min_revision = f->min_revision,
                                         .force = f->min_revision > 0};
    stats_report_free(&r);
    f->job = (store_job){.fn = reports_outbox_add, .arg = &f->outbox_job, .done = on_outbox_done};
    f->job_in_flight = true;
    store_submit(f->store, &f->job);
}

/* Start sending the pending revision through the multi handle. */
static void send_next(feed *f, const reports_parent *p)
{
    reports_pending pend;
    hw_error err;
    if (reports_outbox_next(f->rdb, &pend, &err) != 0)
        return;
    feed_exchange *x = calloc(1, sizeof *x);
    if (x == NULL || feed_exchange_init(x, p, pend.body, timeout_ms(), &err) != 0) {
        free(x);
        reports_pending_free(&pend);
        return;
    }
    curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, pend.body);
    reports_pending_free(&pend);
    f->transfer = x;
    f->transfer_revision = pend.revision;
    if (curl_multi_add_handle(f->multi, x->easy) != CURLM_OK) {
        feed_exchange_cleanup(x);
        free(x);
        f->transfer = NULL;
    }
}

/* Gauges and the warning when the deadline nears with changes the parent does not have. */
static void watch_deadline(feed *f, uint64_t now, bool has_parent, uint64_t settle)
{
    campaign_info c;
    reports_status st;
    hw_error err;
    time_t end;
    if (campaign_load(f->rdb, &c, &err) != 0 || reports_status_read(f->rdb, &st, &err) != 0)
        return;
    /* changes count as unsent once they had time to settle (our own bookkeeping writes are changes too) */
    bool unsent = has_parent && (st.pending > 0 || (f->dirty && now - f->dirty_since > settle + tick_ms()));
    metrics_gauge(f->metrics, "homeward_report_unsent", "1 when changes to the report have not reached the parent.",
                  unsent ? 1 : 0);
    metrics_gauge(f->metrics, "homeward_report_revision", "Newest report revision of this unit.", (double)st.latest);
    metrics_gauge(f->metrics, "homeward_report_sent_revision", "Newest report revision the parent stored.",
                  (double)st.sent);
    if (feed_deadline_end(c.deadline, &end, &err) != 0)
        return;
    double left = difftime(end, time(NULL));
    metrics_gauge(f->metrics, "homeward_report_deadline_seconds", "Seconds until the report deadline ends.", left);
    int64_t warn_hours = setting(f->rdb, "report_deadline_warn_hours", 48);
    bool warn = unsent && left < (double)warn_hours * 3600;
    metrics_gauge(f->metrics, "homeward_report_deadline_warning",
                  "1 when the report deadline is near (or past) and changes are unsent.", warn ? 1 : 0);
    if (warn && (f->last_warning == 0 || now - f->last_warning >= 3600 * 1000)) {
        f->last_warning = now;
        feed_log(
                "警告:统计表报送截止 %s,%s尚有变更未报送上级单位 (warning: the report is due by %s and changes have "
                "not reached the parent; %.0f hours left)\n",
                c.deadline, left < 0 ? "已过截止时间," : "", c.deadline, left / 3600);
    }
}

static void on_tick(uv_timer_t *t)
{
    feed *f = t->data;
    if (f->stopping)
        return;
    uint64_t now = uv_now(f->loop);
    int64_t dv = data_version(f->rdb);
    if (dv != f->data_version) {
        f->data_version = dv;
        if (!f->dirty)
            f->dirty_since = now;
        f->dirty = true;
        f->quiet_since = now;
    }
    reports_parent p;
    hw_error err;
    uint8_t link[sizeof f->link];
    bool has_parent = reports_parent_get(f->rdb, f->vault, &p, &err) == 0;
    uint64_t settle = (uint64_t)setting(f->rdb, "report_push_debounce_seconds", 30) * 1000;
    crypto_generichash(link, sizeof link, (const unsigned char *)&p, sizeof p, NULL, 0);
    if (has_parent && sodium_memcmp(link, f->link, sizeof link) != 0) {
        memcpy(f->link, link, sizeof link); /* a new parent or token: no waiting out the old backoff */
        f->retry_at = now;
        f->failures = 0;
    }
    watch_deadline(f, now, has_parent, settle);
    if (has_parent && !f->job_in_flight && f->transfer == NULL) {
        bool settled = f->dirty && (now - f->quiet_since >= settle || now - f->dirty_since >= 5 * settle);
        if (settled || now >= f->next_build)
            build(f, now);
        else if (now >= f->retry_at)
            send_next(f, &p);
    }
    sodium_memzero(&p, sizeof p);
}

int feed_start(uv_loop_t *loop, store *s, sqlite3 *rdb, const vault *v, metrics *m, feed **out, hw_error *err)
{
    feed *f = calloc(1, sizeof *f);
    if (f == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    *f = (feed){.loop = loop, .store = s, .rdb = rdb, .vault = v, .metrics = m, .multi = curl_multi_init()};
    f->data_version = data_version(rdb);
    f->next_build = uv_now(loop); /* a first look at once */
    if (f->multi == NULL) {
        free(f);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
    uv_timer_init(loop, &f->tick);
    uv_timer_init(loop, &f->curl_timer);
    f->tick.data = f->curl_timer.data = f;
    metrics_gauge(m, "homeward_report_pushes", "Report revisions the parent stored since start.", 0);
    metrics_gauge(m, "homeward_report_push_failures", "Failed attempts to send a report revision since start.", 0);
    uv_timer_start(&f->tick, on_tick, 0, tick_ms()); /* cannot fail on a timer just initialized */
    *out = f;
    return 0;
}

void feed_stop(feed *f)
{
    if (f == NULL || f->stopping)
        return;
    f->stopping = true;
    if (f->transfer != NULL) { /* abandoned: its revision stays queued for the next start */
        curl_multi_remove_handle(f->multi, f->transfer->easy);
        feed_exchange_cleanup(f->transfer);
        free(f->transfer);
        f->transfer = NULL;
    }
    curl_multi_cleanup(f->multi); /* closes its sockets' poll handles while the loop still runs */
    f->multi = NULL;
    f->closing += 2;
    uv_close((uv_handle_t *)&f->tick, on_handle_closed);
    uv_close((uv_handle_t *)&f->curl_timer, on_handle_closed);
}

bool feed_idle(const feed *f)
{
    return f == NULL || (!f->job_in_flight && f->closing == 0);
}

void feed_free(feed *f)
{
    if (f == NULL)
        return;
    if (f->multi != NULL)
        curl_multi_cleanup(f->multi);
    free(f);
}
