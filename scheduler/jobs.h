/* jobs.h - long work (allocation runs) as jobs with progress that the API and the CLI can show. Thread-safe. */
#ifndef HW_JOBS_H
#define HW_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

typedef struct jobs jobs;

/* An empty registry keeping the latest JOBS_KEPT jobs. Free with jobs_free(). */
#define JOBS_KEPT 64
jobs *jobs_new(void);
void jobs_free(jobs *j);

/*
 * Start a job of `kind` ("allocation"); 0 with *id set, or HW_EBUSY "job_running" when
 * `exclusive` and a job of that kind is still running.
 */
int jobs_start(jobs *j, const char *kind, bool exclusive, int64_t *id, hw_error *err);

/* Report progress from any thread (`stage` is copied). */
void jobs_progress(jobs *j, int64_t id, const char *stage, int percent);

/* End a job: with `result` (stolen) on success, or with `fail`'s code and message. */
void jobs_finish(jobs *j, int64_t id, json_t *result, const hw_error *fail);

/*
 * The job as JSON: {"id", "kind", "state": running|done|failed, "stage", "percent",
 * "started_at", "finished_at", "result" | "error"}; NULL when unknown or forgotten. New reference.
 */
json_t *jobs_get(jobs *j, int64_t id);

#endif
