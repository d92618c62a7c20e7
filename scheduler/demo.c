/* demo.c - seed a realistic demo unit and campaign (成都市总工会, 2027年元旦春节送温暖) into an empty database. */
#include "demo.h"

#include <string.h>

#include "campaign.h"
#include "store.h"

static int has_unit(sqlite3 *db, bool *yes, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM unit", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "demo", err);
    rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "demo", err);
}

int demo_seed(sqlite3 *db, void *arg, hw_error *err)
{
    demo_request *out = arg;
    bool exists = false;
    out->created = false;
    int rc = has_unit(db, &exists, err);
    if (rc != 0 || exists)
        return rc;
    campaign_info c = {.unit_code = "510100",
                       .unit_name = "成都市总工会",
                       .name = "2027年元旦春节送温暖",
                       .from = "2026-12-22",
                       .to = "2027-02-16",
                       .deadline = "2027-01-12",
                       .reporter = "保障工作部",
                       .reporter_phone = "028-00000000"};
    if ((rc = campaign_save(db, &c, err)) != 0)
        return rc;
    auth_new_user admin = {.name = "demo-admin", .role = AUTH_ROLE_ADMIN};
    auth_token_new(out->admin_token, admin.hash);
    if ((rc = auth_user_insert(db, &admin, err)) != 0)
        return rc;
    out->created = true;
    return 0;
}
