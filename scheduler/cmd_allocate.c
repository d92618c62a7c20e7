/* cmd_allocate.c - `homeward allocate`: seat everyone who can be seated, issue tickets, explain the rest. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "allocation.h"
#include "args.h"
#include "cli.h"

const char cmd_allocate_usage[] =
    "用法 (usage): homeward allocate [--dry-run] [--format text|json]\n"
    "按规则分配团体票:优先困难职工等,同行组不拆分,同组相邻就座;已出的票不变\n"
    "(allocate group tickets: priority people first, parties never split and seated together; issued tickets stay).\n"
    "  --dry-run  只显示方案,不出票 (show the plan, issue nothing)\n"
    "  --format   text(默认 / default)或 json(标准输出只有一个 JSON 文档 / stdout holds one JSON document)\n";

/* A progress line on stderr when it is a terminal. */
static int show_progress(void *ctx, const char *stage, int percent)
{
    (void)ctx;
    if (isatty(STDERR_FILENO)) {
        int bar = percent / 5;
        fprintf(stderr, "\r分配中 (allocating) [%.*s%*s] %3d%% %-8s", bar, "####################", 20 - bar, "", percent,
                stage);
        if (percent >= 100)
            fputc('\n', stderr);
    }
    return 0;
}

static void print_text(const json_t *r)
{
    json_int_t seated = json_integer_value(json_object_get(r, "seated"));
    json_int_t bound = json_integer_value(json_object_get(r, "bound"));
    const json_t *together = json_object_get(r, "parties_together");
    printf("%s已就座 (seated) %lld 人 / 上限 (bound) %lld 人 (%.1f%%); 优先 (priority) %lld / %lld; 共 %lld 人 %lld 组\n",
           json_is_true(json_object_get(r, "dry_run")) ? "[试算 dry run] " : "", (long long)seated, (long long)bound,
           100.0 * json_real_value(json_object_get(r, "quality")),
           (long long)json_integer_value(json_object_get(r, "priority_seated")),
           (long long)json_integer_value(json_object_get(r, "priority_bound")),
           (long long)json_integer_value(json_object_get(r, "people")),
           (long long)json_integer_value(json_object_get(r, "parties")));
    printf("新出票 (new tickets) %lld 张; 作废 (cancelled) %lld 张; 同行组相邻就座 (parties sitting together) %lld / %lld; "
           "用到运力 (transports used) %lld / %lld\n",
           (long long)json_integer_value(json_object_get(r, "issued")),
           (long long)json_integer_value(json_object_get(r, "cancelled")),
           (long long)json_integer_value(json_object_get(together, "together")),
           (long long)json_integer_value(json_object_get(together, "of")),
           (long long)json_integer_value(json_object_get(r, "transports_used")),
           (long long)json_integer_value(json_object_get(r, "transports")));
}

static void print_lists(const json_t *r)
{
    const json_t *unseated = json_object_get(r, "unseated"), *sugg = json_object_get(r, "suggestions"), *v;
    size_t i;
    printf("未安排 (unseated) %zu 组:\n", json_array_size(unseated));
    json_array_foreach(unseated, i, v)
    {
        if (i == 20) {
            printf("  …… 其余 %zu 组见 --format json (the rest: --format json)\n", json_array_size(unseated) - 20);
            break;
        }
        const char *party = json_string_value(json_object_get(v, "party"));
        printf("  %s%s%s%s, %lld 人 (people): %s\n", json_string_value(json_object_get(v, "who")),
               party ? " (同行组 " : "", party ? party : "", party ? ")" : "",
               (long long)json_integer_value(json_object_get(v, "people")),
               json_string_value(json_object_get(v, "explanation")));
    }
    printf("建议增加运力 (charters still needed) %zu 项:\n", json_array_size(sugg));
    json_array_foreach(sugg, i, v)
    {
        const json_t *drop = json_object_get(v, "dropoff");
        const char *name = json_string_value(json_object_get(drop, "name"));
        printf("  %lld × %s 到 %s (%s) %s, %lld 人\n", (long long)json_integer_value(json_object_get(v, "vehicles")),
               json_string_value(json_object_get(v, "kind_zh")), name ? name : "?",
               json_string_value(json_object_get(drop, "code")), json_string_value(json_object_get(v, "date")),
               (long long)json_integer_value(json_object_get(v, "people")));
    }
}

/* Load, allocate, apply; *report is the run's JSON (the caller's). */
static int run(cli_env *env, bool dry_run, json_t **report, hw_error *err)
{
    allocation_snapshot snap;
    alloc_result result = {0};
    sqlite3 *rdb = NULL;
    int rc = store_reader(env->store, &rdb, err);
    if (rc == 0)
        rc = allocation_load(rdb, &snap, err);
    sqlite3_close(rdb);
    if (rc != 0)
        return rc;
    rc = alloc_run(&snap.in, &result, show_progress, NULL, err);
    allocation_apply_job job = {.snap = &snap, .result = &result, .dry_run = dry_run};
    if (rc == 0)
        rc = store_write(env->store, allocation_apply, &job, err);
    if (rc == 0)
        *report = allocation_report(&snap, &result, &job, env->divisions);
    alloc_result_free(&result);
    allocation_snapshot_free(&snap);
    return rc;
}

int cmd_allocate(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_FLAG("--dry-run"), ARGS_VALUE("--format")};
    const char *pos[1];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 2, pos, 0, &npos, &err) != 0)
        return cli_usage_error(cmd_allocate_usage, &err);
    bool json = o[1].present && strcmp(o[1].value, "json") == 0;
    if (o[1].present && !json && strcmp(o[1].value, "text") != 0) {
        error_set(&err, HW_EINVAL, "usage", "格式应为 text 或 json (format must be text or json)");
        return cli_usage_error(cmd_allocate_usage, &err);
    }
    cli_env env;
    json_t *report = NULL;
    int rc = cli_env_open(db, &env, &err);
    if (rc == 0)
        rc = run(&env, o[0].present, &report, &err);
    cli_env_close(&env);
    if (rc != 0)
        return cli_fail(&err);
    if (json) {
        json_dumpf(report, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else {
        print_text(report);
        print_lists(report);
    }
    json_decref(report);
    return EXIT_OK;
}
