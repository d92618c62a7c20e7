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
int users_on_revoke(route_ctx *ctx);

/* registrations.c: coordinators; GET .../{id}?reveal=id is for admins and audited */
int registrations_on_list(route_ctx *ctx);
int registrations_on_create(route_ctx *ctx);
int registrations_on_get(route_ctx *ctx);
int registrations_on_update(route_ctx *ctx);
int registrations_on_delete(route_ctx *ctx);

/* transports.c: every role may read (station staff see departures), coordinators write */
int transports_on_list(route_ctx *ctx);
int transports_on_create(route_ctx *ctx);
int transports_on_get(route_ctx *ctx);
int transports_on_update(route_ctx *ctx);
int transports_on_delete(route_ctx *ctx);
int transports_on_status(route_ctx *ctx);

/* purchases.c */
int purchases_on_list(route_ctx *ctx);
int purchases_on_create(route_ctx *ctx);
int purchases_on_get(route_ctx *ctx);
int purchases_on_update(route_ctx *ctx);
int purchases_on_delete(route_ctx *ctx);

/* subsidies.c */
int subsidies_on_list(route_ctx *ctx);
int subsidies_on_create(route_ctx *ctx);
int subsidies_on_get(route_ctx *ctx);
int subsidies_on_update(route_ctx *ctx);
int subsidies_on_delete(route_ctx *ctx);

/* imports.c */
int imports_on_post(route_ctx *ctx);

/* allocations.c */
int allocations_on_post(route_ctx *ctx);
int allocations_on_list(route_ctx *ctx);
int jobs_on_get(route_ctx *ctx);

/* tickets.c */
int tickets_on_get(route_ctx *ctx);
int tickets_on_qr(route_ctx *ctx);
int tickets_on_pass(route_ctx *ctx);
int tickets_on_manifest(route_ctx *ctx);

/* standby.c: station staff seat a standby registration after the no-show cutoff */
int standby_on_post(route_ctx *ctx);

/* checkins.c: station staff (their station only) and coordinators; decisions are 200 with a status */
int checkins_on_post(route_ctx *ctx);
int checkins_on_batch(route_ctx *ctx);
int checkins_on_annul(route_ctx *ctx);
int checkins_on_search(route_ctx *ctx);

/* devices.c: a coordinator's one-time code for a station phone; the phone claims it without a token */
int devices_on_code(route_ctx *ctx);
int devices_on_claim(route_ctx *ctx);

/* reports.c: a child unit's upload of its figures */
int reports_on_post(route_ctx *ctx);

/* stats.c: items 10 and 11 of the statistics form (reporters and coordinators) */
int stats_on_item10(route_ctx *ctx);
int stats_on_register(route_ctx *ctx);

#endif
