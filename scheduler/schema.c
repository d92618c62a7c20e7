/* schema.c - the database schema as an ordered list of migrations; user_version counts those applied. */
#include "schema.h"

#include <stdio.h>

#include "store.h"

/*
 * Migration 7's recount of a registration's share of the purchase figures, run by inserting its id into
 * the view stats_recount: its counted purchases (unrefunded, travel date in its campaign's window), and
 * whether 10(A) counts it by a purchase alone (no boarded ticket on a departed or arrived transport in the
 * window; for the planned preview, no live ticket on a transport not cancelled in the window).
 */
#define M7_R "registrations"
#define M7_PURCHASES                                                                                                   \
    "(SELECT count(*) FROM purchases q JOIN campaign c ON c.id=q.campaign_id WHERE q.registration_id=" M7_R ".id"      \
    " AND q.campaign_id=" M7_R ".campaign_id AND q.refunded=0 AND q.travel_date BETWEEN c.date_from AND c.date_to)"
#define M7_TICKET(rule)                                                                                                \
    "EXISTS(SELECT 1 FROM tickets k JOIN transports t ON t.id=k.transport_id JOIN campaign c ON c.id=t.campaign_id"    \
    " WHERE k.registration_id=" M7_R ".id AND k.status IN('issued','boarded') AND " rule                               \
    " AND t.campaign_id=" M7_R ".campaign_id AND substr(t.depart_at,1,10) BETWEEN c.date_from AND c.date_to)"
#define M7_RECOUNT                                                                                                     \
    "UPDATE registrations SET stat_purchases=" M7_PURCHASES ",stat_alone=" M7_PURCHASES ">0 AND NOT "                  \
    M7_TICKET("k.status='boarded' AND t.status IN('departed','arrived')") ",stat_alone_planned=" M7_PURCHASES          \
    ">0 AND NOT " M7_TICKET("t.status<>'cancelled'") " WHERE id=NEW.registration_id;"
/* Migrations 6 and 7: `row` (NEW, OLD or an alias of tickets) is a live ticket; registration `reg` holds a purchase. */
#define M6_LIVE(row) row ".status IN('issued','boarded')"
#define M7_HOLDER(reg) "EXISTS(SELECT 1 FROM purchases q WHERE q.registration_id=" reg ")"

/*
 * Append new migrations at the end; never edit one that has shipped. Times are
 * stored as RFC 3339 text in Asia/Shanghai (+08:00) or UTC with 'Z'; dates as YYYY-MM-DD.
 */
static const char *const migrations[] = {
    /* 1: the unit, its campaign, users with hashed tokens, and the audit trail */
    "CREATE TABLE unit ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  code TEXT NOT NULL CHECK (length(code) = 6),"
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  parent_url TEXT,"
    "  parent_token TEXT,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE campaign ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  date_from TEXT NOT NULL,"
    "  date_to TEXT NOT NULL CHECK (date_to >= date_from),"
    "  deadline TEXT,"
    "  reporter TEXT,"
    "  reporter_phone TEXT,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
    "  role TEXT NOT NULL CHECK (role IN ('admin','coordinator','station','reporter','child')),"
    "  station TEXT,"
    "  unit_code TEXT,"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  user_name TEXT,"
    "  action TEXT NOT NULL,"
    "  subject TEXT,"
    "  detail TEXT);",

    /* 2: the registry: registrations (personal data sealed), transports, purchases, subsidies */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);"
    "CREATE TABLE registrations ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
    "  ref TEXT,"
    "  name TEXT NOT NULL CHECK (name <> ''),"
    "  id_index BLOB NOT NULL,"
    "  id_sealed BLOB NOT NULL,"
    "  id_masked TEXT NOT NULL,"
    "  phone_sealed BLOB,"
    "  phone_masked TEXT,"
    "  employer TEXT,"
    "  migrant INTEGER NOT NULL DEFAULT 1 CHECK (migrant IN (0, 1)),"
    "  destination TEXT NOT NULL CHECK (length(destination) = 6),"
    "  earliest TEXT,"
    "  latest TEXT CHECK (latest IS NULL OR earliest IS NULL OR latest >= earliest),"
    "  party TEXT,"
    "  tags INTEGER NOT NULL DEFAULT 0,"
    "  priority INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE UNIQUE INDEX registrations_one_per_person ON registrations(campaign_id, id_index) WHERE status = 'active';"
    "CREATE UNIQUE INDEX registrations_by_ref ON registrations(campaign_id, ref) WHERE ref IS NOT NULL;"
    "CREATE INDEX registrations_by_name ON registrations(campaign_id, name);"
    "CREATE INDEX registrations_by_party ON registrations(campaign_id, party) WHERE party IS NOT NULL;"
    "CREATE TABLE transports ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
    "  ref TEXT NOT NULL CHECK (ref <> ''),"
    "  kind TEXT NOT NULL CHECK (kind IN ('train', 'carriage', 'bus', 'boat', 'flight')),"
    "  label TEXT,"
    "  capacity INTEGER NOT NULL CHECK (capacity > 0),"
    "  layout TEXT NOT NULL,"
    "  depart_at TEXT NOT NULL,"
    "  origin TEXT,"
    "  stops TEXT NOT NULL CHECK (stops <> ''),"
    "  cost_fen INTEGER CHECK (cost_fen IS NULL OR cost_fen >= 0),"
    "  status TEXT NOT NULL DEFAULT 'planned'"
    "    CHECK (status IN ('planned', 'confirmed', 'boarding', 'departed', 'arrived', 'cancelled')),"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (campaign_id, ref));"
    "CREATE INDEX transports_by_departure ON transports(campaign_id, depart_at);"
    "CREATE TABLE purchases ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id),"
    "  mode TEXT NOT NULL CHECK (mode IN ('train', 'bus', 'boat', 'flight')),"
    "  service TEXT NOT NULL DEFAULT '',"
    "  travel_date TEXT NOT NULL,"
    "  fare_fen INTEGER CHECK (fare_fen IS NULL OR fare_fen >= 0),"
    "  refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded IN (0, 1)),"
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (registration_id, mode, service, travel_date));"
    "CREATE TABLE subsidies ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
    "  employer TEXT NOT NULL CHECK (employer <> ''),"
    "  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),"
    "  people INTEGER CHECK (people IS NULL OR people >= 0),"
    "  date TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (campaign_id, employer, date, amount_fen));",

    /* 3: allocation runs and the group tickets they issue */
    "CREATE TABLE allocation_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
    "  started_at TEXT NOT NULL,"
    "  finished_at TEXT NOT NULL,"
    "  dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),"
    "  seated INTEGER NOT NULL,"
    "  bound INTEGER NOT NULL,"
    "  issued INTEGER NOT NULL,"
    "  summary TEXT NOT NULL);"
    "CREATE TABLE tickets ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
    "  code TEXT NOT NULL UNIQUE CHECK (length(code) = 10),"
    "  registration_id INTEGER NOT NULL REFERENCES registrations(id),"
    "  transport_id INTEGER NOT NULL REFERENCES transports(id),"
    "  seat_index INTEGER NOT NULL CHECK (seat_index >= 0),"
    "  seat_label TEXT NOT NULL,"
    "  dropoff TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'boarded', 'no_show', 'cancelled')),"
    "  run_id INTEGER REFERENCES allocation_runs(id),"
    "  issued_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE UNIQUE INDEX tickets_one_live_per_person ON tickets(registration_id) "
    "  WHERE status IN ('issued', 'boarded');"
    "CREATE UNIQUE INDEX tickets_one_live_per_seat ON tickets(transport_id, seat_index) "
    "  WHERE status IN ('issued', 'boarded');"
    "CREATE INDEX tickets_by_transport ON tickets(transport_id, status);",

    /* 4: check-in events (idempotent by event_id), device provisioning, lifecycle state of transports */
    "CREATE TABLE checkins ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id TEXT NOT NULL UNIQUE CHECK (length(event_id) BETWEEN 1 AND 128),"
    "  ticket_id INTEGER REFERENCES tickets(id),"
    "  transport_id INTEGER REFERENCES transports(id),"
    "  registration_id INTEGER REFERENCES registrations(id),"
    "  device TEXT,"
    "  user_name TEXT,"
    "  station TEXT,"
    "  client_at TEXT,"
    "  server_at TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  answer TEXT NOT NULL,"
    "  annulled_at TEXT,"
    "  annulled_by TEXT,"
    "  annul_reason TEXT);"
    "CREATE INDEX checkins_by_ticket ON checkins(ticket_id);"
    "CREATE INDEX checkins_by_transport ON checkins(transport_id, server_at);"
    "ALTER TABLE tickets ADD COLUMN boarded_at TEXT;"
    "ALTER TABLE tickets ADD COLUMN boarded_checkin INTEGER REFERENCES checkins(id);"
    "ALTER TABLE tickets ADD COLUMN standby INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE device_codes ("
    "  code_hash BLOB PRIMARY KEY,"
    "  station TEXT NOT NULL CHECK (station <> ''),"
    "  device_name TEXT NOT NULL,"
    "  created_by TEXT,"
    "  created_at TEXT NOT NULL,"
    "  expires_at TEXT NOT NULL,"
    "  used_at TEXT,"
    "  user_id INTEGER REFERENCES users(id));"
    "ALTER TABLE transports ADD COLUMN gate TEXT;"
    "ALTER TABLE transports ADD COLUMN boarding_opened_at TEXT;"
    "ALTER TABLE transports ADD COLUMN standby_opened_at TEXT;"
    "ALTER TABLE transports ADD COLUMN departed_at TEXT;"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO settings(key, value) VALUES ('boarding_opens_minutes', '120'), ('no_show_cutoff_minutes', '20');",

    /* 5: reports: this unit's revisions for its parent (the outbox) and the revisions child units sent here */
    "CREATE TABLE report_outbox ("
    "  revision INTEGER PRIMARY KEY,"
    "  body TEXT NOT NULL,"
    "  digest TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  sent_at TEXT,"
    "  superseded_at TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT);"
    "CREATE TABLE child_reports ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_code TEXT NOT NULL CHECK (length(unit_code) = 6),"
    "  unit_name TEXT NOT NULL,"
    "  revision INTEGER NOT NULL CHECK (revision > 0),"
    "  digest TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  received_at TEXT NOT NULL,"
    "  received_by TEXT,"
    "  UNIQUE (unit_code, revision));"
    "INSERT INTO settings(key, value) VALUES ('report_push_debounce_seconds', '30'),"
    "  ('report_push_interval_minutes', '10'), ('report_deadline_warn_hours', '48');",

    /*
     * 6: what item 10 counts, kept by triggers so that stats_load() need not walk a million tickets
     * (DESIGN §5, the rules of stats.c and roster.c): per transport its boarded and its live (issued or
     * boarded) tickets; per registration its share of the purchase figures (filled by migration 7), summed
     * per campaign into stats_purchases.
     */
    "ALTER TABLE transports ADD COLUMN n_boarded INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE transports ADD COLUMN n_live INTEGER NOT NULL DEFAULT 0;"
    "UPDATE transports SET n_boarded=(SELECT count(*) FROM tickets k WHERE k.transport_id=transports.id"
    " AND k.status='boarded'),n_live=(SELECT count(*) FROM tickets k WHERE k.transport_id=transports.id AND "
    M6_LIVE("k") ");"
    "CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets WHEN " M6_LIVE("NEW") " BEGIN"
    " UPDATE transports SET n_live=n_live+1,n_boarded=n_boarded+(NEW.status='boarded') WHERE id=NEW.transport_id;"
    " END;"
    "CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets WHEN " M6_LIVE("OLD") " BEGIN"
    " UPDATE transports SET n_live=n_live-1,n_boarded=n_boarded-(OLD.status='boarded') WHERE id=OLD.transport_id;"
    " END;"
    /* a check-in (issued -> boarded on the same transport) is one row update: it runs on every scan */
    "CREATE TRIGGER tickets_count_update AFTER UPDATE OF status,transport_id ON tickets"
    " WHEN OLD.transport_id=NEW.transport_id AND (" M6_LIVE("OLD") " OR " M6_LIVE("NEW") ") BEGIN"
    " UPDATE transports SET n_live=n_live+(" M6_LIVE("NEW") ")-(" M6_LIVE("OLD") "),"
    "n_boarded=n_boarded+(NEW.status='boarded')-(OLD.status='boarded') WHERE id=NEW.transport_id; END;"
    "CREATE TRIGGER tickets_count_move AFTER UPDATE OF status,transport_id ON tickets"
    " WHEN OLD.transport_id<>NEW.transport_id AND (" M6_LIVE("OLD") " OR " M6_LIVE("NEW") ") BEGIN"
    " UPDATE transports SET n_live=n_live-1,n_boarded=n_boarded-(OLD.status='boarded')"
    " WHERE id=OLD.transport_id AND " M6_LIVE("OLD") ";"
    " UPDATE transports SET n_live=n_live+1,n_boarded=n_boarded+(NEW.status='boarded')"
    " WHERE id=NEW.transport_id AND " M6_LIVE("NEW") "; END;"
    "ALTER TABLE registrations ADD COLUMN stat_purchases INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE registrations ADD COLUMN stat_alone INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE registrations ADD COLUMN stat_alone_planned INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE stats_purchases(campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id),"
    " purchases INTEGER NOT NULL DEFAULT 0, alone INTEGER NOT NULL DEFAULT 0, alone_planned INTEGER NOT NULL DEFAULT 0);"
    "CREATE TRIGGER registrations_stat AFTER UPDATE OF stat_purchases,stat_alone,stat_alone_planned ON registrations"
    " BEGIN INSERT OR IGNORE INTO stats_purchases(campaign_id) VALUES(NEW.campaign_id);"
    " UPDATE stats_purchases SET purchases=purchases+NEW.stat_purchases-OLD.stat_purchases,"
    "alone=alone+NEW.stat_alone-OLD.stat_alone,alone_planned=alone_planned+NEW.stat_alone_planned-OLD.stat_alone_planned"
    " WHERE campaign_id=NEW.campaign_id; END;"
    "CREATE TRIGGER registrations_stat_delete AFTER DELETE ON registrations BEGIN"
    " UPDATE stats_purchases SET purchases=purchases-OLD.stat_purchases,alone=alone-OLD.stat_alone,"
    "alone_planned=alone_planned-OLD.stat_alone_planned WHERE campaign_id=OLD.campaign_id; END;"
    "CREATE INDEX transports_counted ON transports(campaign_id, kind, status, depart_at, n_boarded, n_live);",

    /*
     * 7: per registration, its share of the purchase figures (M7_RECOUNT), recounted by triggers whenever
     * one of its purchases, its live ticket, that ticket's transport (status, date) or the campaign window
     * changes, and summed per campaign into stats_purchases: 10(G) and the people 10(A) counts through a
     * purchase alone, without a pass over the purchases.
     */
    "CREATE VIEW stats_recount AS SELECT id AS registration_id FROM registrations;"
    "CREATE TRIGGER stats_recount INSTEAD OF INSERT ON stats_recount BEGIN " M7_RECOUNT " END;"
    "INSERT INTO stats_recount SELECT DISTINCT registration_id FROM purchases;"
    "CREATE TRIGGER purchases_stat_insert AFTER INSERT ON purchases BEGIN"
    " INSERT INTO stats_recount VALUES(NEW.registration_id); END;"
    "CREATE TRIGGER purchases_stat_delete AFTER DELETE ON purchases BEGIN"
    " INSERT INTO stats_recount VALUES(OLD.registration_id); END;"
    "CREATE TRIGGER purchases_stat_update AFTER UPDATE OF refunded,travel_date,registration_id,campaign_id ON purchases"
    " BEGIN INSERT INTO stats_recount VALUES(OLD.registration_id),(NEW.registration_id); END;"
    "CREATE TRIGGER tickets_stat_insert AFTER INSERT ON tickets WHEN " M6_LIVE("NEW") " AND "
    M7_HOLDER("NEW.registration_id") " BEGIN INSERT INTO stats_recount VALUES(NEW.registration_id); END;"
    "CREATE TRIGGER tickets_stat_delete AFTER DELETE ON tickets WHEN " M6_LIVE("OLD") " AND "
    M7_HOLDER("OLD.registration_id") " BEGIN INSERT INTO stats_recount VALUES(OLD.registration_id); END;"
    /* most people hold no purchase: one index probe in WHEN, no temporary table (this runs on every check-in) */
    "CREATE TRIGGER tickets_stat_update AFTER UPDATE OF status,transport_id,registration_id ON tickets"
    " WHEN (" M6_LIVE("OLD") " OR " M6_LIVE("NEW") ") AND (" M7_HOLDER("OLD.registration_id")
    " OR (NEW.registration_id<>OLD.registration_id AND " M7_HOLDER("NEW.registration_id") ")) BEGIN"
    " INSERT INTO stats_recount SELECT OLD.registration_id WHERE " M7_HOLDER("OLD.registration_id")
    " UNION ALL SELECT NEW.registration_id WHERE NEW.registration_id<>OLD.registration_id AND "
    M7_HOLDER("NEW.registration_id") "; END;"
    "CREATE TRIGGER transports_stat AFTER UPDATE OF status,depart_at,campaign_id ON transports BEGIN"
    " INSERT INTO stats_recount SELECT k.registration_id FROM tickets k WHERE k.transport_id=NEW.id AND "
    M6_LIVE("k") " AND " M7_HOLDER("k.registration_id") "; END;"
    "CREATE TRIGGER campaign_stat AFTER UPDATE OF date_from,date_to ON campaign BEGIN"
    " INSERT INTO stats_recount SELECT DISTINCT registration_id FROM purchases WHERE campaign_id=NEW.id; END;",
};

int schema_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

static int current_version(sqlite3 *db, int *version, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "user_version", err);
    rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "user_version", err);
}

static int apply(sqlite3 *db, int index, hw_error *err)
{
    char sql[64];
    hw_error ignored;
    int rc = store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == 0)
        rc = store_exec(db, migrations[index], err);
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", index + 1);
    if (rc == 0)
        rc = store_exec(db, sql, err);
    if (rc == 0)
        rc = store_exec(db, "COMMIT", err);
    if (rc != 0)
        store_exec(db, "ROLLBACK", &ignored);
    return rc;
}

int schema_migrate(sqlite3 *db, hw_error *err)
{
    int version = 0;
    int rc = current_version(db, &version, err);
    if (rc != 0)
        return rc;
    if (version > schema_version())
        return error_set(err, HW_EINVAL, "schema_too_new",
                         "数据库版本 %d 比本程序 (%d) 新,请升级 homeward (database schema %d is newer than this "
                         "build's %d; upgrade homeward)",
                         version, schema_version(), version, schema_version());
    for (int i = version; i < schema_version(); i++)
        if ((rc = apply(db, i, err)) != 0)
            return rc;
    return 0;
}
