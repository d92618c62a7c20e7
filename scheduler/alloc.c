/* alloc.c - the allocation engine's entry point: checks the snapshot, runs the passes, names the reasons. */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_impl.h"

static const char *const reason_names[ALLOC_NREASONS] = {"seated",  "no_cover", "bad_window",
                                                         "no_date", "full",     "too_big"};
static const char *const kind_names[ALLOC_NKINDS] = {"train", "carriage", "bus", "boat", "flight"};
static const char *const kind_zh[ALLOC_NKINDS] = {"专列", "火车车厢", "汽车", "船", "包机"};

#define BAD(...) error_set(err, HW_EINVAL, "bad_alloc_input", __VA_ARGS__)

static int check_sizes(const alloc_input *in, hw_error *err)
{
    if (in->npeople < 0 || in->nparties < 0 || in->ntransports < 0)
        return BAD("分配输入的数量为负 (negative count in the allocation input)");
    if (in->npeople > ALLOC_MAX_PEOPLE || in->nparties > ALLOC_MAX_PEOPLE || in->ntransports > ALLOC_MAX_TRANSPORTS)
        return error_set(err, HW_ETOOBIG, "alloc_too_big",
                         "分配规模超出上限 (allocation over the limits: %d people, %d transports)", ALLOC_MAX_PEOPLE,
                         ALLOC_MAX_TRANSPORTS);
    if ((in->npeople > 0 && in->people == NULL) || (in->nparties > 0 && in->parties == NULL) ||
        (in->ntransports > 0 && in->transports == NULL))
        return BAD("分配输入缺少数组 (allocation input without its arrays)");
    return 0;
}

static int check_transports(const alloc_input *in, hw_error *err)
{
    for (int32_t i = 0; i < in->ntransports; i++) {
        const alloc_transport *t = &in->transports[i];
        if (t->nstops < 0 || t->nstops > ALLOC_MAX_STOPS)
            return BAD("运力 %d 的经停数无效 (transport %d: nstops %d outside 0..16)", (int)i, (int)i, t->nstops);
        if (t->capacity < 0 || t->capacity > ALLOC_MAX_CAPACITY || t->taken < 0)
            return BAD("运力 %d 的座位数无效 (transport %d: capacity %d, taken %d)", (int)i, (int)i, (int)t->capacity,
                       (int)t->taken);
        if (t->kind < 0 || t->kind >= ALLOC_NKINDS)
            return BAD("运力 %d 的类型无效 (transport %d: kind %d)", (int)i, (int)i, t->kind);
        if (memchr(t->ref, '\0', sizeof t->ref) == NULL)
            return BAD("运力 %d 的编号未结束 (transport %d: ref not terminated)", (int)i, (int)i);
        for (int k = 0; k < t->nstops; k++)
            if (memchr(t->stops[k], '\0', sizeof t->stops[k]) == NULL)
                return BAD("运力 %d 的经停未结束 (transport %d: stop not terminated)", (int)i, (int)i);
    }
    return 0;
}

/* Every person in exactly one party, every fixed index a transport. */
static int check_people(const alloc_input *in, hw_error *err)
{
    uint8_t *seen = calloc((size_t)in->npeople + 1, 1);
    int rc = 0;
    if (seen == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    for (int32_t pi = 0; pi < in->nparties && rc == 0; pi++) {
        const alloc_party *p = &in->parties[pi];
        if (p->count < 1 || p->first < 0 || p->first > in->npeople - p->count) {
            rc = BAD("同行组 %d 的成员范围无效 (party %d: members outside people[])", (int)pi, (int)pi);
            break;
        }
        for (int32_t i = p->first; i < p->first + p->count && rc == 0; i++)
            if (seen[i]++)
                rc = BAD("人员 %d 属于两个同行组 (person %d is in two parties)", (int)i, (int)i);
    }
    for (int32_t i = 0; i < in->npeople && rc == 0; i++) {
        const alloc_person *q = &in->people[i];
        if (!seen[i])
            rc = BAD("人员 %d 不属于任何同行组 (person %d is in no party)", (int)i, (int)i);
        else if (q->fixed < -1 || q->fixed >= in->ntransports)
            rc = BAD("人员 %d 的已出票运力无效 (person %d: fixed transport %d)", (int)i, (int)i, (int)q->fixed);
        else if (memchr(q->dest, '\0', sizeof q->dest) == NULL)
            rc = BAD("人员 %d 的目的地未结束 (person %d: dest not terminated)", (int)i, (int)i);
    }
    free(seen);
    return rc;
}

int alloc_tick(alloc_model *m, const char *stage, int percent, hw_error *err)
{
    if (m->progress != NULL && m->progress(m->ctx, stage, percent) != 0)
        return error_set(err, HW_EBUSY, "alloc_cancelled", "分配已取消 (allocation cancelled)");
    return 0;
}

int alloc_run(const alloc_input *in, alloc_result *out, alloc_progress_fn progress, void *ctx, hw_error *err)
{
    alloc_model m;
    memset(out, 0, sizeof *out);
    if (in == NULL)
        return BAD("没有分配输入 (no allocation input)");
    int rc = check_sizes(in, err);
    if (rc == 0)
        rc = check_transports(in, err);
    if (rc == 0)
        rc = check_people(in, err);
    if (rc != 0)
        return rc;
    rc = alloc_model_build(&m, in, err);
    m.progress = progress, m.ctx = ctx;
    if (rc == 0)
        rc = alloc_tick(&m, "prepare", 10, err);
    if (rc == 0)
        rc = alloc_bound_run(&m, err);
    if (rc == 0)
        rc = alloc_place_run(&m, err);
    if (rc == 0)
        rc = alloc_tick(&m, "report", 90, err);
    if (rc == 0)
        rc = alloc_report(&m, out, err);
    alloc_model_free(&m);
    if (rc != 0) {
        alloc_result_free(out);
        return rc;
    }
    if (progress != NULL)
        progress(ctx, "report", 100); /* done: too late to cancel */
    return 0;
}

void alloc_result_free(alloc_result *r)
{
    if (r == NULL)
        return;
    free(r->seats), free(r->party_transport), free(r->load), free(r->unseated), free(r->suggestions);
    memset(r, 0, sizeof *r);
}

const char *alloc_reason_name(alloc_reason r)
{
    return r >= 0 && r < ALLOC_NREASONS ? reason_names[r] : "";
}

const char *alloc_kind_name(alloc_kind k)
{
    return k >= 0 && k < ALLOC_NKINDS ? kind_names[k] : "";
}

const char *alloc_kind_zh(alloc_kind k)
{
    return k >= 0 && k < ALLOC_NKINDS ? kind_zh[k] : "";
}

const char *alloc_explain(const alloc_unseated *u, char *buf, size_t n)
{
    int32_t d = u->nearest_date;
    switch (u->reason) {
    case ALLOC_NO_COVER:
        snprintf(buf, n, "没有可用运力经停目的地 (no usable transport covers the destination)");
        break;
    case ALLOC_BAD_WINDOW:
        snprintf(buf, n, "同行人员的出发日期没有交集 (the members' departure windows do not overlap)");
        break;
    case ALLOC_NO_DATE:
        snprintf(buf, n,
                 "经停目的地的运力都不在可出发日期内，最近的在 %04d-%02d-%02d (no transport covering the destination "
                 "departs inside the window; the nearest departs %04d-%02d-%02d)",
                 (int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100), (int)(d / 10000), (int)(d / 100 % 100),
                 (int)(d % 100));
        break;
    case ALLOC_FULL:
        snprintf(buf, n, "合适的 %d 个运力都已满 (every fitting transport is full: %d transports)", (int)u->fitting,
                 (int)u->fitting);
        break;
    case ALLOC_TOO_BIG:
        snprintf(buf, n,
                 "同行组 %d 人，合适的运力单个最多只剩 %d 个空位 (the party of %d is larger than any free block: at "
                 "most %d free seats on one fitting transport)",
                 (int)u->people, (int)u->largest_free, (int)u->people, (int)u->largest_free);
        break;
    default:
        snprintf(buf, n, "已安排 (seated)");
        break;
    }
    return buf;
}
