/* clock.c - calendar checks and Asia/Shanghai timestamps without touching the process time zone. */
#include "clock.h"

#include <stdio.h>
#include <string.h>

#define SHANGHAI_OFFSET (8 * 3600)

bool clock_valid_date(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

int clock_parse_date(const char *s, int *yyyymmdd, hw_error *err)
{
    int y, m, d;
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        goto bad;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            goto bad;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (!clock_valid_date(y, m, d))
        goto bad;
    *yyyymmdd = y * 10000 + m * 100 + d;
    return 0;
bad:
    return error_set(err, HW_EINVAL, "bad_date", "日期 %.32s 无效,应为 YYYY-MM-DD 格式的真实日期 (invalid date %.32s: expected a real YYYY-MM-DD)",
                     s != NULL ? s : "", s != NULL ? s : "");
}

static void shanghai_tm(time_t t, struct tm *tm)
{
    time_t local = t + SHANGHAI_OFFSET;
    gmtime_r(&local, tm);
}

int clock_today(void)
{
    struct tm tm;
    shanghai_tm(time(NULL), &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

void clock_format(time_t t, char *buf, size_t n)
{
    struct tm tm;
    shanghai_tm(t, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
}

void clock_now(char *buf, size_t n)
{
    clock_format(time(NULL), buf, n);
}

double clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
