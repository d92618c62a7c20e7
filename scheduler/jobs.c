/* jobs.c - a small ring of recent jobs guarded by one mutex; workers report progress, the loop reads it. */
#include "jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

typedef struct job {
    int64_t id; /* 0: free slot */
    char kind[24];
    char state[12];
    char stage[24];
    int percent;
    char started_at[32], finished_at[32];
    json_t *result;
    hw_error error;
} job;

struct jobs {
    pthread_mutex_t mu;
    job ring[JOBS_KEPT];
    int64_t next_id;
};

jobs *jobs_new(void)
{
    jobs *j = calloc(1, sizeof *j);
    if (j != NULL) {
        pthread_mutex_init(&j->mu, NULL);
        j->next_id = 1;
    }
    return j;
}

void jobs_free(jobs *j)
{
    if (j == NULL)
        return;
    for (int i = 0; i < JOBS_KEPT; i++)
        json_decref(j->ring[i].result);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

/* The slot of job `id`, or NULL when it was never started or has been forgotten. Lock held. */
static job *find(jobs *j, int64_t id)
{
    job *slot = &j->ring[id % JOBS_KEPT];
    return id > 0 && slot->id == id ? slot : NULL;
}

int jobs_start(jobs *j, const char *kind, bool exclusive, int64_t *id, hw_error *err)
{
    pthread_mutex_lock(&j->mu);
    for (int i = 0; exclusive && i < JOBS_KEPT; i++)
        if (j->ring[i].id != 0 && strcmp(j->ring[i].kind, kind) == 0 && strcmp(j->ring[i].state, "running") == 0) {
            pthread_mutex_unlock(&j->mu);
            return error_set(err, HW_EBUSY, "job_running",
                             "已有一个%s任务在运行 (job %lld),请等它结束 (a %s job is already running)",
                             strcmp(kind, "allocation") == 0 ? "分配" : kind, (long long)j->ring[i].id, kind);
        }
    int64_t new_id = j->next_id++;
    job *slot = &j->ring[new_id % JOBS_KEPT];
    json_decref(slot->result);
    memset(slot, 0, sizeof *slot);
    slot->id = new_id;
    snprintf(slot->kind, sizeof slot->kind, "%s", kind);
    snprintf(slot->state, sizeof slot->state, "running");
    snprintf(slot->stage, sizeof slot->stage, "queued");
    clock_now(slot->started_at, sizeof slot->started_at);
    pthread_mutex_unlock(&j->mu);
    *id = new_id;
    return 0;
}

void jobs_progress(jobs *j, int64_t id, const char *stage, int percent)
{
    pthread_mutex_lock(&j->mu);
    job *slot = find(j, id);
    if (slot != NULL) {
        snprintf(slot->stage, sizeof slot->stage, "%s", stage);
        slot->percent = percent;
    }
    pthread_mutex_unlock(&j->mu);
}

void jobs_finish(jobs *j, int64_t id, json_t *result, const hw_error *fail)
{
    pthread_mutex_lock(&j->mu);
    job *slot = find(j, id);
    if (slot == NULL) {
        pthread_mutex_unlock(&j->mu);
        json_decref(result);
        return;
    }
    snprintf(slot->state, sizeof slot->state, "%s", fail != NULL ? "failed" : "done");
    snprintf(slot->stage, sizeof slot->stage, "finished");
    slot->percent = 100;
    clock_now(slot->finished_at, sizeof slot->finished_at);
    slot->result = result;
    if (fail != NULL)
        slot->error = *fail;
    pthread_mutex_unlock(&j->mu);
}

json_t *jobs_get(jobs *j, int64_t id)
{
    pthread_mutex_lock(&j->mu);
    job *slot = find(j, id);
    json_t *out = NULL;
    if (slot != NULL) {
        out = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s?}", "id", (json_int_t)slot->id, "kind", slot->kind, "state",
                        slot->state, "stage", slot->stage, "percent", slot->percent, "started_at", slot->started_at,
                        "finished_at", slot->finished_at[0] ? slot->finished_at : NULL);
        if (slot->result != NULL)
            json_object_set(out, "result", slot->result);
        if (strcmp(slot->state, "failed") == 0)
            json_object_set_new(out, "error", json_pack("{s:s, s:s}", "code", slot->error.code, "message",
                                                        slot->error.message));
    }
    pthread_mutex_unlock(&j->mu);
    return out;
}
