/* clock.h - dates and times as homeward writes them: Asia/Shanghai (UTC+8, no daylight saving). */
#ifndef HW_CLOCK_H
#define HW_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

/* Parse "YYYY-MM-DD" into yyyymmdd (a real calendar date, 1900..2999). Pure. */
int clock_parse_date(const char *s, int *yyyymmdd, hw_error *err);

/* Whether yyyy/mm/dd is a real calendar date (leap years included). Pure. */
bool clock_valid_date(int y, int m, int d);

/* Today's date in Asia/Shanghai as yyyymmdd. */
int clock_today(void);

/* `t` as RFC 3339 in Asia/Shanghai, e.g. "2027-01-11T09:00:00+08:00", into buf (>= 26 bytes). */
void clock_format(time_t t, char *buf, size_t n);

/* Now, formatted like clock_format(). */
void clock_now(char *buf, size_t n);

/* Monotonic milliseconds, for durations. */
double clock_mono_ms(void);

#endif
