/*
 * reports.h - report revisions between units (DESIGN §2 "report", §5): this unit's outbox
 * toward its parent, the revisions child units send here, the parent link, and this unit's
 * figures as the form shows them (own plus each child's latest revision).
 */
#ifndef HW_REPORTS_H
#define HW_REPORTS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "stats.h"
#include "vault.h"

/* A digest as lowercase hex, NUL included (BLAKE2b-128). */
#define REPORTS_DIGEST_HEX 33

/* Longest parent URL and token kept. */
#define REPORTS_URL_MAX 512
#define REPORTS_TOKEN_MAX 128

/* ---- pure: documents ---- */

/*
 * The digest of what a document says: BLAKE2b-128 of its compact, key-sorted JSON without
 * "generated_at", "revision" and "planned", so a report regenerated with the same figures
 * has the same digest. `doc` is not changed.
 */
void reports_digest(const json_t *doc, char out[REPORTS_DIGEST_HEX]);

/*
 * The document this unit sends upward for `r`: stats_report_json() without the planned preview.
 * New reference.
 */
json_t *reports_upload_json(const stats_report *r, const char *generated_at);

/*
 * Read a child unit's uploaded document (the DESIGN §5 JSON plus "revision"): unit code and
 * name, revision >= 1, generated_at, every figure of item10 a whole number 0..10^9 and
 * item11.A.subsidy_wan_yuan as "N.NN". Fills *out (received_at left empty). On HW_EINVAL
 * *details (if not NULL) gets a new array of {"field", "reason"}, one per problem.
 */
int reports_parse_child(const json_t *doc, stats_child *out, json_t **details, hw_error *err);

/* ---- the store side ---- */

/*
 * This unit's report: stats_load() for its own figures, then each child unit's latest
 * revision added into `actual` and listed in `children` (by unit code). `db` is a read
 * connection. Free with stats_report_free().
 */
int reports_load(sqlite3 *db, stats_report *out, hw_error *err);

/* A child's upload for reports_receive(); the route fills the inputs. */
typedef struct reports_receive_job {
    stats_child child;
    char digest[REPORTS_DIGEST_HEX];
    char *body;          /* the document as received (compact JSON), malloc'ed, owned by the job */
    char received_by[64]; /* the user who sent it */
    /* results */
    bool stored;             /* false: this revision was already here with the same figures */
    int64_t latest_revision; /* the newest revision held for this unit after the job */
} reports_receive_job;

/*
 * A store_write_fn (`arg` a reports_receive_job): store the revision once. The same unit and
 * revision again with the same digest is a duplicate (stored = false, nothing written); with
 * another digest it is HW_ECONFLICT "revision_conflict" (latest_revision says what is held).
 * HW_EINVAL "own_unit" when the code is this unit's own.
 */
int reports_receive(sqlite3 *db, void *arg, hw_error *err);

/* Adding this unit's current document to the outbox (reports_outbox_add). */
typedef struct reports_outbox_job {
    json_t *doc;          /* reports_upload_json(), borrowed; "revision" is set in it */
    int64_t min_revision; /* the new revision is at least this (after a parent's revision_conflict); 0: none */
    bool force;           /* add a revision even when the digest equals the newest one */
    /* results */
    int64_t revision; /* the newest revision with these figures */
    bool created;     /* whether a new revision was added */
} reports_outbox_job;

/*
 * A store_write_fn (`arg` a reports_outbox_job): add the document as the next revision unless
 * the newest revision already says the same (digest). Older unsent revisions are marked
 * superseded: the parent only ever needs the newest.
 */
int reports_outbox_add(sqlite3 *db, void *arg, hw_error *err);

/* The revision waiting to be sent. */
typedef struct reports_pending {
    int64_t revision;
    char *body; /* malloc'ed, owned: reports_pending_free() */
    int attempts;
} reports_pending;

/* The newest unsent, unsuperseded revision; HW_ENOTFOUND when nothing waits. */
int reports_outbox_next(sqlite3 *db, reports_pending *out, hw_error *err);
void reports_pending_free(reports_pending *p);

/* What became of one attempt to send a revision (reports_outbox_result). */
typedef struct reports_result_job {
    int64_t revision;
    bool sent;       /* the parent stored it (or already had it) */
    char error[256]; /* when not sent: why, for the log and `homeward parent` */
} reports_result_job;

/* A store_write_fn (`arg` a reports_result_job): mark the revision sent, or count the failed attempt. */
int reports_outbox_result(sqlite3 *db, void *arg, hw_error *err);

/* The outbox at a glance, for `homeward parent`, the daemon's warnings and /metrics. */
typedef struct reports_status {
    int64_t latest;       /* newest revision, 0 for none */
    int64_t sent;         /* newest revision the parent stored, 0 for none */
    char sent_at[40];     /* when, "" for never */
    int64_t pending;      /* the revision waiting, 0 for none */
    int attempts;         /* failed attempts of the pending revision */
    char last_error[256]; /* of the pending revision, "" for none */
} reports_status;

int reports_status_read(sqlite3 *db, reports_status *out, hw_error *err);

/* ---- the parent link ---- */

typedef struct reports_parent {
    char url[REPORTS_URL_MAX];     /* the parent's homeward, e.g. "https://report.sc.example/" */
    char token[REPORTS_TOKEN_MAX]; /* its child token for this unit, in clear: never log it */
} reports_parent;

/* Check a parent link: an http:// or https:// URL, a token of printable ASCII. Pure. */
int reports_parent_validate(const char *url, const char *token, hw_error *err);

/* Setting the parent link (reports_parent_set). */
typedef struct reports_parent_job {
    const vault *vault;
    const char *url;
    const char *token;
} reports_parent_job;

/* A store_write_fn (`arg` a reports_parent_job): keep the URL and the token, sealed under the key file. */
int reports_parent_set(sqlite3 *db, void *arg, hw_error *err);

/* Read the parent link (token unsealed); HW_ENOTFOUND when none is set. */
int reports_parent_get(sqlite3 *db, const vault *v, reports_parent *out, hw_error *err);

/* The token as it may be shown: "hw_Ab…yz" (first 5 and last 2 characters). Pure. */
void reports_token_mask(const char *token, char *buf, size_t n);

#endif
