/* cmd_init.c - `homeward init`: create or update the unit and its campaign. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "campaign.h"
#include "cli.h"
#include "divisions.h"

const char cmd_init_usage[] =
    "用法 (usage): homeward init --unit-code CODE --unit-name NAME --campaign NAME --from YYYY-MM-DD --to YYYY-MM-DD\n"
    "                     [--deadline YYYY-MM-DD] [--reporter NAME] [--phone PHONE]\n"
    "建立或更新本单位和当前送温暖活动 (create or update this unit and its current campaign).\n"
    "  --unit-code  单位的六位行政区划代码 (six-digit division code), e.g. 510100\n"
    "  --unit-name  单位名称 (unit name), e.g. 成都市总工会\n"
    "  --campaign   活动名称 (campaign name), e.g. 2027年元旦春节送温暖\n"
    "  --from/--to  活动起止日期,含当天 (campaign window, inclusive, Asia/Shanghai)\n"
    "  --deadline   统计表报送截止日期 (report deadline)\n"
    "  --reporter   填报人 (who signs the form);  --phone 联系电话 (office phone)\n";

int cmd_init(const char *db, int argc, char **argv)
{
    args_opt o[] = {ARGS_VALUE("--unit-code"), ARGS_VALUE("--unit-name"), ARGS_VALUE("--campaign"), ARGS_VALUE("--from"),
                    ARGS_VALUE("--to"),        ARGS_VALUE("--deadline"),  ARGS_VALUE("--reporter"), ARGS_VALUE("--phone")};
    const char *pos[1];
    size_t npos;
    hw_error err;
    if (args_parse(argc, argv, o, 8, pos, 0, &npos, &err) != 0)
        return cli_usage_error(cmd_init_usage, &err);
    for (int i = 0; i < 5; i++)
        if (!o[i].present) {
            error_set(&err, HW_EINVAL, "usage", "缺少选项 %s (missing option %s)", o[i].name, o[i].name);
            return cli_usage_error(cmd_init_usage, &err);
        }
    campaign_info c = {0};
    snprintf(c.unit_code, sizeof c.unit_code, "%s", o[0].value);
    snprintf(c.unit_name, sizeof c.unit_name, "%s", o[1].value);
    snprintf(c.name, sizeof c.name, "%s", o[2].value);
    snprintf(c.from, sizeof c.from, "%s", o[3].value);
    snprintf(c.to, sizeof c.to, "%s", o[4].value);
    snprintf(c.deadline, sizeof c.deadline, "%s", o[5].present ? o[5].value : "");
    snprintf(c.reporter, sizeof c.reporter, "%s", o[6].present ? o[6].value : "");
    snprintf(c.reporter_phone, sizeof c.reporter_phone, "%s", o[7].present ? o[7].value : "");
    if (campaign_validate(&c, &err) != 0 || cli_check_unit_code(c.unit_code, &err) != 0)
        return cli_fail(&err);
    cli_env env;
    int rc = cli_env_create(db, &env, &err);
    if (rc == 0)
        rc = store_write(env.store, campaign_save, &c, &err);
    cli_env_close(&env);
    if (rc != 0)
        return cli_fail(&err);
    printf("已初始化 (initialized) %s: %s %s, %s %s..%s\n", db, c.unit_code, c.unit_name, c.name, c.from, c.to);
    return EXIT_OK;
}
