/* campaign.c - GET /api/v1/campaign: the unit and its current campaign. */
#include "campaign.h"

#include "handlers.h"
#include "json.h"

int campaign_on_get(route_ctx *ctx)
{
    campaign_info c;
    hw_error err;
    if (campaign_load(ctx->app->rdb, &c, &err) != 0) {
        json_fail(ctx, &err);
        return 0;
    }
    json_reply(ctx, 200,
               json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s?, s:s?, s:s?}}", "unit", "code", c.unit_code, "name",
                         c.unit_name, "campaign", "name", c.name, "from", c.from, "to", c.to, "deadline",
                         c.deadline[0] ? c.deadline : NULL, "reporter", c.reporter[0] ? c.reporter : NULL,
                         "reporter_phone", c.reporter_phone[0] ? c.reporter_phone : NULL));
    return 0;
}
