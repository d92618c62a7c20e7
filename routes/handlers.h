/* handlers.h - every API handler, one resource file each; the routing table in router.c lists them. */
#ifndef HW_HANDLERS_H
#define HW_HANDLERS_H

#include "router.h"

/* health.c: no token needed */
int health_on_get(route_ctx *ctx);
int health_on_metrics(route_ctx *ctx);
int health_on_openapi(route_ctx *ctx);

/* campaign.c */
int campaign_on_get(route_ctx *ctx);

/* users.c */
int users_on_list(route_ctx *ctx);
int users_on_create(route_ctx *ctx);

#endif
