/* roster.c - 实名制名册: window queries that list what stats.c counts, streamed as CSV, JSON or printable xlsx. */
#include "roster.h"

#include <assert.h>
#include <csv.h>
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <xlsxwriter.h>

#include "campaign.h"
#include "sheetstyle.h"
#include "stats.h"
#include "store.h"
#include "transports.h"

const char roster_item_list[] = "10A、10B、10C、10D、10E、10F、10G、11A";

static const char *const item_names[ROSTER_NITEMS] = {"10A", "10B", "10C", "10D", "10E", "10F", "10G", "11A"};

const char *roster_item_name(roster_item item)
{
    return item >= 0 && item < ROSTER_NITEMS ? item_names[item] : "";
}

int roster_item_parse(const char *s, roster_item *out, hw_error *err)
{
    char canon[4] = "";
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 3)
        snprintf(canon, sizeof canon, "%c%c%c", s[0], s[1], toupper((unsigned char)s[2]));
    else if (n == 5 && s[2] == '(' && s[4] == ')')
        snprintf(canon, sizeof canon, "%c%c%c", s[0], s[1], toupper((unsigned char)s[3]));
    for (int i = 0; i < ROSTER_NITEMS; i++)
        if (strcmp(canon, item_names[i]) == 0) {
            *out = (roster_item)i;
            return 0;
        }
    return error_set(err, HW_EINVAL, "bad_item",
                     "统计项应为 %s 之一 (item must be one of 10A 10B 10C 10D 10E 10F 10G 11A)", roster_item_list);
}

/* ---------------------------------------------------------------- the queries (the rules of stats.c) */

/* A departed or arrived transport of the campaign (?1) departing inside the window (?2..?3). */
#define COUNTED_TRANSPORT                                                                                              \
    "t.campaign_id = ?1 AND substr(t.depart_at, 1, 10) BETWEEN ?2 AND ?3 AND t.status IN ('departed', 'arrived')"
/* An unrefunded purchase of the campaign with its travel date inside the window. */
#define COUNTED_PURCHASE(p) p ".campaign_id = ?1 AND " p ".refunded = 0 AND " p ".travel_date BETWEEN ?2 AND ?3"

/* Boarded tickets on counted transports (10A's charter part, 10B-10F with ?4 = kind), by departure and seat. */
#define SQL_CHARTERS                                                                                                   \
    "SELECT r.ref, r.name, r.id_masked, r.destination, t.kind, t.ref, t.label, substr(t.depart_at, 1, 10),"            \
    " k.seat_label, k.code"                                                                                            \
    " FROM transports t JOIN tickets k ON k.transport_id = t.id JOIN registrations r ON r.id = k.registration_id"      \
    " WHERE " COUNTED_TRANSPORT " AND k.status = 'boarded' AND (?4 IS NULL OR t.kind = ?4)"                            \
    " ORDER BY t.depart_at, t.id, k.seat_index"

/* Counted purchases (10G), by travel date. */
#define SQL_PURCHASES                                                                                                  \
    "SELECT r.ref, r.name, r.id_masked, r.destination, p.mode, p.service, p.travel_date, p.fare_fen"                   \
    " FROM purchases p JOIN registrations r ON r.id = p.registration_id"                                               \
    " WHERE " COUNTED_PURCHASE("p")

/*
 * 10A's purchase part: a person's earliest counted purchase, unless a counted boarded ticket
 * already lists the person. A registration holds at most one boarded ticket
 * (tickets_one_live_per_person), so the charter part has one row per person and the two
 * parts together are the UNION stats.c counts. The status IN term lets SQLite use that
 * partial index for the lookup.
 */
#define SQL_PURCHASE_ONLY                                                                                              \
    SQL_PURCHASES " AND NOT EXISTS (SELECT 1 FROM tickets k JOIN transports t ON t.id = k.transport_id"                \
                  " WHERE k.registration_id = p.registration_id AND k.status IN ('issued', 'boarded')"                 \
                  " AND k.status = 'boarded' AND " COUNTED_TRANSPORT ")"                                               \
                  " AND NOT EXISTS (SELECT 1 FROM purchases q WHERE q.registration_id = p.registration_id"             \
                  " AND " COUNTED_PURCHASE("q") " AND (q.travel_date < p.travel_date"                                  \
                                                " OR (q.travel_date = p.travel_date AND q.id < p.id)))"

#define SQL_SUBSIDIES                                                                                                  \
    "SELECT employer, amount_fen, people, date FROM subsidies WHERE campaign_id = ?1 AND date BETWEEN ?2 AND ?3"       \
    " ORDER BY date, id"

/* Which query a row comes from: they share the person columns, then differ. */
typedef enum source { FROM_CHARTERS, FROM_PURCHASES, FROM_SUBSIDIES } source;

typedef struct walk {
    sqlite3 *db;
    int64_t campaign;
    campaign_info info;
    roster_fn fn;
    void *ctx;
} walk;

static const char *text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

static int64_t int_or(sqlite3_stmt *st, int col, int64_t none)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? none : sqlite3_column_int64(st, col);
}

static void person(sqlite3_stmt *st, roster_row *row)
{
    row->reg_ref = text(st, 0);
    row->name = text(st, 1);
    row->id_masked = text(st, 2);
    row->destination = text(st, 3);
    row->kind = text(st, 4);
}

/* Turn the current result row of one of the queries above into a roster_row. */
static void fill_row(roster_item item, source from, sqlite3_stmt *st, roster_row *row)
{
    *row = (roster_row){.item = item, .charter = -1, .fare_fen = -1, .amount_fen = -1, .people = -1};
    if (from == FROM_SUBSIDIES) {
        row->employer = text(st, 0);
        row->amount_fen = sqlite3_column_int64(st, 1);
        row->people = int_or(st, 2, -1);
        row->date = text(st, 3);
        return;
    }
    person(st, row);
    if (from == FROM_CHARTERS) {
        row->transport = text(st, 5);
        row->label = text(st, 6);
        row->date = text(st, 7);
        row->seat = text(st, 8);
        row->ticket = text(st, 9);
    } else {
        row->label = text(st, 5);
        row->date = text(st, 6);
        row->fare_fen = int_or(st, 7, -1);
    }
    if (item == ROSTER_10A)
        row->charter = from == FROM_CHARTERS;
}

/* Run `sql` with the window bound (and ?4 = `kind`, may be NULL) and hand each row to w->fn. */
static int run(walk *w, roster_item item, source from, const char *sql, const char *kind, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    roster_row row;
    int rc = sqlite3_prepare_v2(w->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(w->db, rc, "roster", err);
    sqlite3_bind_int64(st, 1, w->campaign);
    sqlite3_bind_text(st, 2, w->info.from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w->info.to, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) >= 4)
        sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    int stop = 0;
    while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        fill_row(item, from, st, &row);
        stop = w->fn(&row, w->ctx);
    }
    if (stop == 0 && rc != SQLITE_DONE)
        stop = store_error(w->db, rc, "roster", err);
    sqlite3_finalize(st);
    return stop;
}

static int walk_item(walk *w, roster_item item, hw_error *err)
{
    switch (item) {
    case ROSTER_10A: {
        int rc = run(w, item, FROM_CHARTERS, SQL_CHARTERS, NULL, err);
        return rc != 0 ? rc
                       : run(w, item, FROM_PURCHASES, SQL_PURCHASE_ONLY " ORDER BY p.travel_date, p.id", NULL, err);
    }
    case ROSTER_10G:
        return run(w, item, FROM_PURCHASES, SQL_PURCHASES " ORDER BY p.travel_date, p.id", NULL, err);
    case ROSTER_11A:
        return run(w, item, FROM_SUBSIDIES, SQL_SUBSIDIES, NULL, err);
    default:
        return run(w, item, FROM_CHARTERS, SQL_CHARTERS, transport_kind_name((transport_kind)(item - ROSTER_10B)), err);
    }
}

static int walk_open(sqlite3 *db, walk *w, hw_error *err)
{
    w->db = db;
    int rc = campaign_load(db, &w->info, err);
    return rc != 0 ? rc : campaign_current_id(db, &w->campaign, err);
}

int roster_each(sqlite3 *db, roster_item item, roster_fn fn, void *ctx, hw_error *err)
{
    walk w = {.fn = fn, .ctx = ctx};
    int rc = walk_open(db, &w, err);
    return rc != 0 ? rc : walk_item(&w, item, err);
}

/* The rows of one item, given the figures and the number of subsidies. */
static int64_t item_rows(const stats_counts *c, int64_t subsidies, roster_item item)
{
    switch (item) {
    case ROSTER_10A:
        return c->persons;
    case ROSTER_10G:
        return c->purchases;
    case ROSTER_11A:
        return subsidies;
    default:
        return c->boarded[item - ROSTER_10B];
    }
}

int roster_rows(sqlite3 *db, int item, int64_t *rows, hw_error *err)
{
    stats_report r;
    sqlite3_stmt *st = NULL;
    int64_t campaign = 0, subsidies = 0;
    int rc = stats_load(db, &r, err);
    if (rc == 0)
        rc = campaign_current_id(db, &campaign, err);
    if (rc == 0 &&
        (rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM subsidies WHERE campaign_id = ?1 AND date BETWEEN ?2 AND ?3",
                                 -1, &st, NULL)) != SQLITE_OK)
        return store_error(db, rc, "roster", err);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, campaign);
    sqlite3_bind_text(st, 2, r.campaign.from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r.campaign.to, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        subsidies = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return store_error(db, rc, "roster", err);
    *rows = 0;
    for (int i = item == ROSTER_ALL ? 0 : item; i <= (item == ROSTER_ALL ? ROSTER_NITEMS - 1 : item); i++)
        *rows += item_rows(&r.actual, subsidies, (roster_item)i);
    return 0;
}

/* ---------------------------------------------------------------- the columns */

enum col {
    C_ITEM,
    C_REF,
    C_NAME,
    C_ID,
    C_DEST,
    C_HOW,
    C_KIND,
    C_TRANSPORT,
    C_LABEL,
    C_DATE,
    C_SEAT,
    C_TICKET,
    C_FARE,
    C_EMPLOYER,
    C_AMOUNT,
    C_PEOPLE,
    NCOLS
};

static const struct {
    const char *zh, *en;
    double width;
} columns[NCOLS] = {
    [C_ITEM] = {"项目", "item", 6},
    [C_REF] = {"编号", "registration", 10},
    [C_NAME] = {"姓名", "name", 9},
    [C_ID] = {"身份证号", "id_number", 20},
    [C_DEST] = {"目的地", "destination", 22},
    [C_HOW] = {"途径", "how", 9},
    [C_KIND] = {"类型", "kind", 8},
    [C_TRANSPORT] = {"运力", "transport", 10},
    [C_LABEL] = {"车次", "label", 9},
    [C_DATE] = {"日期", "date", 11},
    [C_SEAT] = {"座位", "seat", 7},
    [C_TICKET] = {"票号", "ticket", 12},
    [C_FARE] = {"票价(元)", "fare_yuan", 9},
    [C_EMPLOYER] = {"用人单位", "employer", 28},
    [C_AMOUNT] = {"金额(元)", "amount_yuan", 12},
    [C_PEOPLE] = {"人数", "people", 7},
};

typedef struct colset {
    const enum col *cols;
    int n;
} colset;

static const enum col cols_a[] = {C_REF,       C_NAME,  C_ID,   C_DEST, C_HOW,    C_KIND,
                                  C_TRANSPORT, C_LABEL, C_DATE, C_SEAT, C_TICKET, C_FARE};
static const enum col cols_charter[] = {C_TRANSPORT, C_LABEL, C_DATE, C_SEAT, C_TICKET, C_REF, C_NAME, C_ID, C_DEST};
static const enum col cols_g[] = {C_REF, C_NAME, C_ID, C_DEST, C_KIND, C_LABEL, C_DATE, C_FARE};
static const enum col cols_s[] = {C_EMPLOYER, C_AMOUNT, C_PEOPLE, C_DATE};
static const enum col cols_all[] = {C_ITEM,  C_REF,  C_NAME, C_ID,     C_DEST, C_HOW,      C_KIND,   C_TRANSPORT,
                                    C_LABEL, C_DATE, C_SEAT, C_TICKET, C_FARE, C_EMPLOYER, C_AMOUNT, C_PEOPLE};

#define COLSET(a) ((colset){a, (int)(sizeof a / sizeof a[0])})

/* The columns of `item`'s own register (ROSTER_ALL: the superset led by 项目). */
static colset item_columns(int item)
{
    switch (item) {
    case ROSTER_ALL:
        return COLSET(cols_all);
    case ROSTER_10A:
        return COLSET(cols_a);
    case ROSTER_10G:
        return COLSET(cols_g);
    case ROSTER_11A:
        return COLSET(cols_s);
    default:
        return COLSET(cols_charter);
    }
}

static const char *mode_zh(const char *mode)
{
    static const char *const zh[][2] = {{"train", "火车"}, {"bus", "汽车"}, {"boat", "船"}, {"flight", "飞机"}};
    for (size_t i = 0; mode != NULL && i < sizeof zh / sizeof zh[0]; i++)
        if (strcmp(mode, zh[i][0]) == 0)
            return zh[i][1];
    return mode;
}

/* Fen as yuan with two decimals ("12.50"); "" when unknown (< 0). */
static const char *yuan(int64_t fen, char *buf, size_t n)
{
    if (fen < 0)
        snprintf(buf, n, "%s", "");
    else
        snprintf(buf, n, "%" PRId64 ".%02" PRId64, fen / 100, fen % 100);
    return buf;
}

/* Scratch space the cell texts of one row point into. */
typedef struct cellbuf {
    char dest[DIVISIONS_FULL_NAME_MAX], fare[32], amount[32], people[24];
} cellbuf;

/* Every column's text for `row` (NULL when the column is not part of its item). */
static void row_cells(const divisions *d, const roster_row *row, cellbuf *b, const char *cells[NCOLS])
{
    memset(cells, 0, sizeof(const char *) * NCOLS);
    cells[C_ITEM] = item_names[row->item];
    cells[C_REF] = row->reg_ref;
    cells[C_NAME] = row->name;
    cells[C_ID] = row->id_masked;
    if (row->destination != NULL) {
        if (d == NULL || divisions_full_name(d, row->destination, b->dest, sizeof b->dest) != 0)
            snprintf(b->dest, sizeof b->dest, "%s", row->destination);
        cells[C_DEST] = b->dest;
    }
    if (row->charter >= 0)
        cells[C_HOW] = row->charter ? "包租运力" : "代购车票";
    transport_kind k;
    if (row->kind != NULL)
        cells[C_KIND] = row->transport != NULL && transport_kind_parse(row->kind, &k, NULL) == 0 ? transport_kind_zh(k)
                                                                                                 : mode_zh(row->kind);
    cells[C_TRANSPORT] = row->transport;
    cells[C_LABEL] = row->label;
    cells[C_DATE] = row->date;
    cells[C_SEAT] = row->seat;
    cells[C_TICKET] = row->ticket;
    if (row->charter == 0 || row->item == ROSTER_10G)
        cells[C_FARE] = yuan(row->fare_fen, b->fare, sizeof b->fare);
    cells[C_EMPLOYER] = row->employer;
    if (row->amount_fen >= 0)
        cells[C_AMOUNT] = yuan(row->amount_fen, b->amount, sizeof b->amount);
    if (row->item == ROSTER_11A && row->people >= 0) {
        snprintf(b->people, sizeof b->people, "%" PRId64, row->people);
        cells[C_PEOPLE] = b->people;
    }
}

/* ---------------------------------------------------------------- the writers */

/* The xlsx sheets are this long at most (Excel's limit, less the heading rows). */
#define XLSX_MAX_ROWS (1048576 - 4)

typedef struct writer {
    const divisions *d;
    export_format fmt;
    colset cols;
    FILE *out;
    size_t count, in_item;
    const stats_report *figures;
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *title, *head, *cell;
} writer;

static void csv_cells(FILE *out, const char *const *cells, const colset *cs)
{
    for (int i = 0; i < cs->n; i++) {
        const char *c = cells[cs->cols[i]] != NULL ? cells[cs->cols[i]] : "";
        if (i > 0)
            fputc(',', out);
        csv_fwrite(out, c, strlen(c));
    }
    fputs("\r\n", out);
}

/* One row as a JSON object: "item", then the item's own columns (null when empty); people as a number. */
static void json_row(writer *w, const roster_row *row, const char *const *cells)
{
    colset own = item_columns(row->item);
    json_t *o = json_pack("{s:s}", "item", item_names[row->item]);
    for (int i = 0; i < own.n; i++) {
        enum col c = own.cols[i];
        if (c == C_PEOPLE && row->people >= 0)
            json_object_set_new(o, columns[c].en, json_integer(row->people));
        else
            json_object_set_new(o, columns[c].en,
                                cells[c] != NULL && cells[c][0] ? json_string(cells[c]) : json_null());
    }
    fputs(w->count > 0 ? ",\n" : "\n", w->out);
    json_dumpf(o, w->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
}

static int each_row(const roster_row *row, void *ctx)
{
    writer *w = ctx;
    cellbuf b;
    const char *cells[NCOLS];
    row_cells(w->d, row, &b, cells);
    if (w->fmt == EXPORT_CSV) {
        csv_cells(w->out, cells, &w->cols);
    } else if (w->fmt == EXPORT_JSON) {
        json_row(w, row, cells);
    } else {
        if (w->in_item >= XLSX_MAX_ROWS)
            return HW_ETOOBIG;
        lxw_row_t r = (lxw_row_t)(4 + w->in_item);
        for (int i = 0; i < w->cols.n; i++)
            worksheet_write_string(w->sheet, r, (lxw_col_t)i, cells[w->cols.cols[i]] ? cells[w->cols.cols[i]] : "",
                                   w->cell);
    }
    w->count++;
    w->in_item++;
    return (w->out != NULL && ferror(w->out)) ? HW_EIO : 0;
}

/* The form's wording of `item` with its figure in place ("共包汽车 3 辆,运送 75 人次;"). */
static void item_title(const stats_report *r, roster_item item, char *buf, size_t n)
{
    stats_line lines[STATS_NLINES];
    char text[STATS_LINE_MAX];
    stats_lines(&r->actual, lines);
    snprintf(buf, n, "%s %s", lines[item].item, stats_line_text(&lines[item], text, sizeof text));
}

static void xlsx_begin_sheet(writer *w, roster_item item)
{
    char name[8], title[STATS_LINE_MAX + 16], sub[512];
    const campaign_info *c = &w->figures->campaign;
    snprintf(name, sizeof name, "%.2s(%c)", item_names[item], item_names[item][2]);
    w->sheet = workbook_add_worksheet(w->book, name);
    item_title(w->figures, item, title, sizeof title);
    snprintf(sub, sizeof sub, "实名制名册  %s  %s (%s 至 %s)", c->unit_name, c->name, c->from, c->to);
    worksheet_merge_range(w->sheet, 0, 0, 0, (lxw_col_t)(w->cols.n - 1), title, w->title);
    worksheet_merge_range(w->sheet, 1, 0, 1, (lxw_col_t)(w->cols.n - 1), sub, NULL);
    for (int i = 0; i < w->cols.n; i++) {
        worksheet_set_column(w->sheet, (lxw_col_t)i, (lxw_col_t)i, columns[w->cols.cols[i]].width, NULL);
        worksheet_write_string(w->sheet, 3, (lxw_col_t)i, columns[w->cols.cols[i]].zh, w->head);
    }
    worksheet_repeat_rows(w->sheet, 0, 3);
    worksheet_set_paper(w->sheet, 9); /* A4 */
    if (w->cols.n > 9)
        worksheet_set_landscape(w->sheet);
    worksheet_fit_to_pages(w->sheet, 1, 0);
}

static int xlsx_open(writer *w, const char *path, hw_error *err)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE}; /* rows go to a temp file as they are written */
    w->book = workbook_new_opt(path, &opt);
    if (w->book == NULL)
        return error_set(err, HW_EIO, "cannot_open", "无法写入文件 %s (cannot write file)", path);
    sheetstyle style;
    sheetstyle_add(w->book, &style);
    w->title = style.title;
    w->head = style.head;
    w->cell = style.cell;
    return 0;
}

static int xlsx_close(writer *w, int rc, hw_error *err)
{
    lxw_error e = workbook_close(w->book);
    if (rc == HW_ETOOBIG)
        return error_set(err, HW_ETOOBIG, "too_many_rows",
                         "名册超过 Excel 单表 %d 行的上限,请改用 csv (the register exceeds Excel's %d rows per sheet; "
                         "use csv)",
                         XLSX_MAX_ROWS, XLSX_MAX_ROWS);
    if (rc == 0 && e != LXW_NO_ERROR)
        rc = error_set(err, HW_EIO, "xlsx", "写入 xlsx 失败 (cannot write the xlsx): %s", lxw_strerror(e));
    return rc;
}

static void write_start(writer *w)
{
    if (w->fmt == EXPORT_CSV) {
        static const char bom[] = "\xEF\xBB\xBF"; /* Excel reads UTF-8 only with a BOM */
        const char *header[NCOLS];
        for (int i = 0; i < NCOLS; i++)
            header[i] = columns[i].zh;
        fputs(bom, w->out);
        csv_cells(w->out, header, &w->cols);
    } else if (w->fmt == EXPORT_JSON) {
        fputc('[', w->out);
    }
}

static int write_items(writer *w, walk *wk, int item, hw_error *err)
{
    int rc = 0;
    for (int i = item == ROSTER_ALL ? 0 : item; rc == 0 && i <= (item == ROSTER_ALL ? ROSTER_NITEMS - 1 : item); i++) {
        w->in_item = 0;
        if (w->fmt == EXPORT_XLSX) {
            w->cols = item_columns(i);
            xlsx_begin_sheet(w, (roster_item)i);
        }
        rc = walk_item(wk, (roster_item)i, err);
    }
    if (rc == HW_EIO)
        error_set(err, HW_EIO, "write_failed", "写入名册失败 (cannot write the register)");
    return rc;
}

int roster_write(sqlite3 *db, const divisions *d, int item, export_format fmt, FILE *out, const char *path,
                 size_t *count, hw_error *err)
{
    stats_report figures;
    writer w = {
        .d = d, .fmt = fmt, .cols = item_columns(item), .out = fmt == EXPORT_XLSX ? NULL : out, .figures = &figures};
    walk wk = {.fn = each_row, .ctx = &w};
    assert(item == ROSTER_ALL || (item >= 0 && item < ROSTER_NITEMS));
    *count = 0;
    if (fmt == EXPORT_XLSX && path == NULL)
        return error_set(err, HW_EINVAL, "usage", "xlsx 需要 --out 文件名 (xlsx needs --out FILE)");
    int rc = walk_open(db, &wk, err);
    if (rc == 0 && fmt == EXPORT_XLSX)
        rc = stats_load(db, &figures, err); /* the sheet titles carry the figures */
    if (rc == 0 && fmt == EXPORT_XLSX)
        rc = xlsx_open(&w, path, err);
    if (rc != 0)
        return rc;
    write_start(&w);
    rc = write_items(&w, &wk, item, err);
    if (fmt == EXPORT_JSON)
        fputs("\n]\n", out);
    if (fmt == EXPORT_XLSX)
        rc = xlsx_close(&w, rc, err);
    else if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = error_set(err, HW_EIO, "write_failed", "写入名册失败 (cannot write the register)");
    *count = w.count;
    return rc;
}
