/* metrics.c - request, latency, connection and writer counters rendered as Prometheus text. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 256
#define MAX_GAUGES 16

static const double latency_buckets[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
#define NBUCKETS (sizeof latency_buckets / sizeof latency_buckets[0])

struct series {
    const char *method;
    const char *route;
    int status;
    unsigned long long count;
};

struct gauge {
    const char *name, *help;
    double value;
};

struct metrics {
    struct series series[MAX_SERIES];
    size_t nseries;
    unsigned long long overflow; /* requests beyond MAX_SERIES distinct series */
    unsigned long long bucket[NBUCKETS + 1];
    double latency_sum;
    unsigned long long latency_count;
    long connections;
    unsigned long long accepted;
    struct gauge gauges[MAX_GAUGES];
    size_t ngauges;
};

metrics *metrics_new(void)
{
    return calloc(1, sizeof(metrics));
}

void metrics_free(metrics *m)
{
    free(m);
}

static struct series *find_series(metrics *m, const char *method, const char *route, int status)
{
    for (size_t i = 0; i < m->nseries; i++) {
        struct series *s = &m->series[i];
        if (s->status == status && (s->route == route || strcmp(s->route, route) == 0) &&
            strcmp(s->method, method) == 0)
            return s;
    }
    if (m->nseries == MAX_SERIES)
        return NULL;
    struct series *s = &m->series[m->nseries++];
    *s = (struct series){.method = method, .route = route, .status = status};
    return s;
}

static const char *known_method(const char *method)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(method, methods[i]) == 0)
            return methods[i];
    return "OTHER";
}

void metrics_request(metrics *m, const char *method, const char *route, int status, double ms)
{
    struct series *s = find_series(m, known_method(method), route, status);
    if (s != NULL)
        s->count++;
    else
        m->overflow++;
    size_t b = 0;
    while (b < NBUCKETS && ms > latency_buckets[b])
        b++;
    m->bucket[b]++;
    m->latency_sum += ms;
    m->latency_count++;
}

void metrics_connection(metrics *m, int delta)
{
    m->connections += delta;
    if (delta > 0)
        m->accepted++;
}

void metrics_gauge(metrics *m, const char *name, const char *help, double value)
{
    for (size_t i = 0; i < m->ngauges; i++)
        if (strcmp(m->gauges[i].name, name) == 0) {
            m->gauges[i].value = value;
            return;
        }
    if (m->ngauges < MAX_GAUGES)
        m->gauges[m->ngauges++] = (struct gauge){name, help, value};
}

/* A bounded growing text buffer. */
struct text {
    char *buf;
    size_t len, cap;
    int failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, room, fmt, ap);
        va_end(ap);
        if (n < 0 || t->failed)
            return;
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n;
        char *grown = realloc(t->buf, cap);
        if (grown == NULL) {
            t->failed = 1;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
}

static void render_requests(const metrics *m, struct text *t)
{
    put(t, "# HELP homeward_http_requests_total HTTP requests by method, route pattern and status.\n"
           "# TYPE homeward_http_requests_total counter\n");
    for (size_t i = 0; i < m->nseries; i++)
        put(t, "homeward_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n", m->series[i].method,
            m->series[i].route, m->series[i].status, m->series[i].count);
    put(t, "# HELP homeward_http_request_duration_ms Request latency in milliseconds.\n"
           "# TYPE homeward_http_request_duration_ms histogram\n");
    unsigned long long cumulative = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cumulative += m->bucket[b];
        put(t, "homeward_http_request_duration_ms_bucket{le=\"%g\"} %llu\n", latency_buckets[b], cumulative);
    }
    put(t, "homeward_http_request_duration_ms_bucket{le=\"+Inf\"} %llu\n", m->latency_count);
    put(t, "homeward_http_request_duration_ms_sum %.3f\nhomeward_http_request_duration_ms_count %llu\n",
        m->latency_sum, m->latency_count);
    put(t, "# HELP homeward_http_connections Open HTTP connections.\n# TYPE homeward_http_connections gauge\n"
           "homeward_http_connections %ld\n",
        m->connections);
    put(t, "# HELP homeward_http_connections_accepted_total Accepted connections.\n"
           "# TYPE homeward_http_connections_accepted_total counter\nhomeward_http_connections_accepted_total %llu\n",
        m->accepted);
}

static void render_store(store *s, struct text *t)
{
    static const char *const le[] = {"1", "3", "7", "15", "31", "63", "127", "+Inf"};
    store_stats st;
    store_get_stats(s, &st);
    put(t, "# HELP homeward_store_commits_total Write transactions committed by the writer thread.\n"
           "# TYPE homeward_store_commits_total counter\nhomeward_store_commits_total %llu\n",
        (unsigned long long)st.commits);
    put(t, "# HELP homeward_store_jobs_total Write jobs run (failed ones included).\n"
           "# TYPE homeward_store_jobs_total counter\nhomeward_store_jobs_total %llu\n",
        (unsigned long long)st.jobs);
    put(t, "# HELP homeward_store_failed_jobs_total Write jobs rolled back.\n"
           "# TYPE homeward_store_failed_jobs_total counter\nhomeward_store_failed_jobs_total %llu\n",
        (unsigned long long)st.failed_jobs);
    put(t, "# HELP homeward_store_batch_size Jobs per group commit.\n# TYPE homeward_store_batch_size histogram\n");
    unsigned long long cumulative = 0;
    for (int b = 0; b < 8; b++) {
        cumulative += st.batch_hist[b];
        put(t, "homeward_store_batch_size_bucket{le=\"%s\"} %llu\n", le[b], cumulative);
    }
    put(t, "homeward_store_batch_size_sum %llu\nhomeward_store_batch_size_count %llu\n",
        (unsigned long long)st.jobs, (unsigned long long)st.commits);
}

int metrics_render(const metrics *m, store *s, char **out, size_t *len)
{
    struct text t = {.buf = malloc(4096), .cap = 4096};
    if (t.buf == NULL)
        return HW_ENOMEM;
    render_requests(m, &t);
    if (m->overflow > 0)
        put(&t, "homeward_http_requests_untracked_total %llu\n", m->overflow);
    for (size_t i = 0; i < m->ngauges; i++)
        put(&t, "# HELP %s %s\n# TYPE %s gauge\n%s %.15g\n", m->gauges[i].name, m->gauges[i].help, m->gauges[i].name,
            m->gauges[i].name, m->gauges[i].value);
    if (s != NULL)
        render_store(s, &t);
    if (t.failed) {
        free(t.buf);
        return HW_ENOMEM;
    }
    *out = t.buf;
    *len = t.len;
    return 0;
}
