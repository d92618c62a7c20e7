/* stats.h - items 10 and 11 of 《送温暖工程统计表》: a pure arithmetic core and the queries that feed it. */
#ifndef HW_STATS_H
#define HW_STATS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "campaign.h"
#include "error.h"
#include "transports.h"

/* Longest "万元" text stats_fen_to_wan() writes, NUL included ("-92233720368547.76"). */
#define STATS_WAN_MAX 32

/* Longest line stats_line_text() writes. */
#define STATS_LINE_MAX 256

/*
 * What the database holds for one campaign window (DESIGN §5), already counted by the
 * rules: only departed/arrived transports departing inside the window, boarded
 * tickets on them, unrefunded purchases and subsidies dated inside the window.
 * Plain values: the pure functions below need no database.
 */
typedef struct stats_counts {
    int64_t persons;                      /* 10(A): distinct registrations boarded or holding a purchase */
    int64_t transports[TRANSPORT_NKINDS]; /* 10(B)-(F): departed transports of each kind */
    int64_t boarded[TRANSPORT_NKINDS];    /* 10(B)-(F): boarded passengers on them */
    int64_t purchases;                    /* 10(G): unrefunded purchases */
    int64_t subsidy_fen;                  /* 11(A): sum of subsidies, in fen */
} stats_counts;

/* A child unit's latest revision as the parent received it (its own figures plus its children's). */
typedef struct stats_child {
    char unit_code[8];
    char unit_name[128];
    int64_t revision;
    char generated_at[40]; /* the child's clock, RFC 3339 */
    char received_at[40];  /* this unit's clock */
    stats_counts counts;   /* 11(A) as reported: 万元 with two decimals, held as a multiple of 10,000 fen */
} stats_child;

/*
 * The report: the actual counts, and the planned preview counted over usable transports and live tickets.
 * A parent unit's `actual` is its `own` plus every child's latest revision (reports_load() adds them).
 */
typedef struct stats_report {
    campaign_info campaign;
    stats_counts actual;  /* what the form shows: own + children */
    stats_counts own;     /* this unit's own figures */
    stats_counts planned; /* transports not cancelled, tickets issued or boarded; subsidy_fen as actual */
    stats_child *children; /* owned by the report (stats_report_free); NULL when there are none */
    size_t nchildren;
} stats_report;

/* One printed line of the form: "10(A)", its wording with the numbers in place, and the numbers. */
typedef struct stats_line {
    const char *item;        /* "10(A)"... "11(A)", static */
    const char *label;       /* the form's numbering as printed: "10、(A)" or "(B)", static */
    int nvalues;             /* 1 or 2 */
    int64_t values[2];       /* 10(B)-(F): transports, persons; 11(A): fen */
    char wan[STATS_WAN_MAX]; /* 11(A) only: 万元 with two decimals */
} stats_line;

#define STATS_NLINES 8

/* ---- the pure core: no SQLite, no I/O ---- */

/*
 * Fen as 万元 (1 万元 = 1,000,000 fen) with two decimals, rounded half up (half away
 * from zero for negative amounts), in exact integer arithmetic: 5,000 fen is "0.01",
 * 4,999 fen "0.00". Writes into buf (n >= STATS_WAN_MAX); returns buf.
 */
char *stats_fen_to_wan(int64_t fen, char *buf, size_t n);

/* Add `c` into `into`, figure by figure. */
void stats_add(stats_counts *into, const stats_counts *c);

/* Free what the report owns (its children); the struct itself is the caller's. NULL is fine. */
void stats_report_free(stats_report *r);

/* The eight lines of items 10 and 11 from `c`, in the form's order, into lines[STATS_NLINES]. */
void stats_lines(const stats_counts *c, stats_line lines[STATS_NLINES]);

/* The form's wording of `l` with its numbers in place, e.g. "共包专列 2 列,运送 75 人次;". Returns buf. */
char *stats_line_text(const stats_line *l, char *buf, size_t n);

/* The item10 object of DESIGN §5 ({"A": {"persons"}, "B": {"trains", "persons"}...}). New reference. */
json_t *stats_item10_json(const stats_counts *c);

/* The item11 object of DESIGN §5 ({"A": {"subsidy_wan_yuan": "0.00"}}). New reference. */
json_t *stats_item11_json(const stats_counts *c);

/*
 * The whole DESIGN §5 document for `r`: unit, campaign, item10, item11 (own + children),
 * children (each child's unit, revision, generated_at, received_at, item10, item11),
 * generated_at (copied), then the extra keys "own" (this unit alone, item10 and item11),
 * "planned" (item10 shape of the preview) and "deadline". New reference; nothing of `r` is kept.
 */
json_t *stats_report_json(const stats_report *r, const char *generated_at);

/* ---- the store side ---- */

/*
 * Count this unit's own figures for the current campaign over its window into *out
 * (campaign info included; `actual` and `own` equal, no children: reports_load() adds them).
 * `db` is a read connection, not kept. HW_ENOTFOUND before `homeward init`.
 */
int stats_load(sqlite3 *db, stats_report *out, hw_error *err);

/*
 * The report as CSV (UTF-8 with BOM, CRLF): a header row, then one row per line item:
 * item, 中文 wording with the numbers in place, number, number. Returns 0 or HW_EIO.
 */
int stats_write_csv(const stats_report *r, FILE *out, hw_error *err);

/* The report as the form's printable text, then the planned preview, labelled. Returns 0 or HW_EIO. */
int stats_write_text(const stats_report *r, const char *generated_at, FILE *out, hw_error *err);

/* The report as an .xlsx at `path` laid out like the paper form (libxlsxwriter). 0 or HW_EIO. */
int stats_write_xlsx(const stats_report *r, const char *generated_at, const char *path, hw_error *err);

#endif
