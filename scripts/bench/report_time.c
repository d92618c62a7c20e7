/*
 * report_time.c - times stats_load() (the figures of items 10 and 11) and the register export
 * (roster_write) on an existing database, through the store's own read connection. Used by
 * scripts/bench/report; prints figures, never judges them.
 *
 * usage: bench_report DB [RUNS] [EXPORT_RUNS]
 * Prints the figures once, then for each measurement the median, min and max in ms, the rows
 * written, and the peak RSS after the measurement (the export streams to /dev/null, so RSS
 * shows whether memory grows with the rows).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "roster.h"
#include "stats.h"
#include "store.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_times(const char *what, double *ms, int n, size_t rows)
{
    qsort(ms, (size_t)n, sizeof ms[0], cmp_double);
    printf("%-34s median %9.1f ms   min %9.1f   max %9.1f   runs %d   rows %zu   peak RSS %ld MiB\n", what, ms[n / 2],
           ms[0], ms[n - 1], n, rows, peak_rss_mib());
}

static int time_stats(sqlite3 *rdb, int runs)
{
    double ms[64];
    stats_report r;
    hw_error err;
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        if (stats_load(rdb, &r, &err) != 0) {
            fprintf(stderr, "stats_load: %s\n", err.message);
            return 1;
        }
        ms[i] = now_ms() - t0;
    }
    printf("figures: 10A %lld; 10B %lld/%lld; 10C %lld/%lld; 10D %lld/%lld; 10E %lld/%lld; 10F %lld/%lld; "
           "10G %lld; 11A %lld fen\n",
           (long long)r.actual.persons, (long long)r.actual.transports[0], (long long)r.actual.boarded[0],
           (long long)r.actual.transports[1], (long long)r.actual.boarded[1], (long long)r.actual.transports[2],
           (long long)r.actual.boarded[2], (long long)r.actual.transports[3], (long long)r.actual.boarded[3],
           (long long)r.actual.transports[4], (long long)r.actual.boarded[4], (long long)r.actual.purchases,
           (long long)r.actual.subsidy_fen);
    int64_t boarded = 0;
    for (int k = 0; k < TRANSPORT_NKINDS; k++)
        boarded += r.actual.boarded[k];
    printf("boarded passengers counted: %lld\n", (long long)boarded);
    print_times("stats_load (item 10 + 11)", ms, runs, 0);
    return 0;
}

static int time_export(sqlite3 *rdb, const divisions *d, int item, export_format fmt, const char *what, int runs)
{
    double ms[64];
    size_t count = 0;
    hw_error err;
    for (int i = 0; i < runs; i++) {
        FILE *out = fopen("/dev/null", "wb");
        if (out == NULL)
            return 1;
        double t0 = now_ms();
        int rc = roster_write(rdb, d, item, fmt, out, NULL, &count, &err);
        ms[i] = now_ms() - t0;
        fclose(out);
        if (rc != 0) {
            fprintf(stderr, "roster_write: %s\n", err.message);
            return 1;
        }
    }
    print_times(what, ms, runs, count);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_report DB [RUNS] [EXPORT_RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 9, export_runs = argc > 3 ? atoi(argv[3]) : 3;
    if (runs < 1 || runs > 64 || export_runs < 1 || export_runs > 64)
        runs = 9, export_runs = 3;
    store *s = NULL;
    sqlite3 *rdb = NULL;
    divisions *d = NULL;
    hw_error err;
    if (divisions_load_default(&d, &err) != 0 || store_open(argv[1], &s, &err) != 0 ||
        store_reader(s, &rdb, &err) != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], err.message);
        return 1;
    }
    printf("peak RSS after open: %ld MiB\n", peak_rss_mib());
    int rc = time_stats(rdb, runs);
    if (rc == 0)
        rc = time_export(rdb, d, ROSTER_10D, EXPORT_CSV, "register 10D csv", export_runs);
    if (rc == 0)
        rc = time_export(rdb, d, ROSTER_10A, EXPORT_CSV, "register 10A csv", export_runs);
    if (rc == 0)
        rc = time_export(rdb, d, ROSTER_ALL, EXPORT_CSV, "register all items csv", export_runs);
    if (rc == 0)
        rc = time_export(rdb, d, ROSTER_ALL, EXPORT_JSON, "register all items json", 1);
    sqlite3_close(rdb);
    store_close(s);
    divisions_free(d);
    return rc;
}
