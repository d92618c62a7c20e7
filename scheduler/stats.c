/* stats.c - items 10 and 11 of the statistics form: pure arithmetic and wording, window queries, renderings. */
#include "stats.h"

#include <assert.h>
#include <csv.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "store.h"

/* ---------------------------------------------------------------- the pure core */

char *stats_fen_to_wan(int64_t fen, char *buf, size_t n)
{
    assert(n >= STATS_WAN_MAX);
    /* 0.01 万元 = 10,000 fen; work on the magnitude in unsigned so INT64_MIN cannot overflow */
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    uint64_t hundredths = mag / 10000 + (mag % 10000 >= 5000 ? 1 : 0);
    snprintf(buf, n, "%s%" PRIu64 ".%02" PRIu64, fen < 0 && hundredths > 0 ? "-" : "", hundredths / 100,
             hundredths % 100);
    return buf;
}

/* The form's wording per line: text before the first number, between, after (附件1 items 10 and 11). */
static const struct {
    const char *item, *label, *before, *middle, *after;
} wording[STATS_NLINES] = {
    {"10(A)", "10、(A)", "送温暖活动期间共帮助农民工平安返乡", NULL, "人次;"},
    {"10(B)", "(B)", "共包专列", "列,运送", "人次;"},
    {"10(C)", "(C)", "共包火车车厢", "节,运送", "人次;"},
    {"10(D)", "(D)", "共包汽车", "辆,运送", "人次;"},
    {"10(E)", "(E)", "共包船", "艘,运送", "人次;"},
    {"10(F)", "(F)", "共包机", "架,运送", "人次;"},
    {"10(G)", "(G)", "帮助农民工购买车(船)票", NULL, "张。"},
    {"11(A)", "11、(A)", "经过与用人单位协商,为农民工返乡争取经济补贴", NULL, "万元。"},
};

void stats_lines(const stats_counts *c, stats_line lines[STATS_NLINES])
{
    memset(lines, 0, sizeof(stats_line) * STATS_NLINES);
    for (int i = 0; i < STATS_NLINES; i++) {
        lines[i].item = wording[i].item;
        lines[i].label = wording[i].label;
        lines[i].nvalues = wording[i].middle != NULL ? 2 : 1;
    }
    lines[0].values[0] = c->persons;
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        lines[1 + k].values[0] = c->transports[k];
        lines[1 + k].values[1] = c->boarded[k];
    }
    lines[6].values[0] = c->purchases;
    lines[7].values[0] = c->subsidy_fen;
    stats_fen_to_wan(c->subsidy_fen, lines[7].wan, sizeof lines[7].wan);
}

/* Which wording row `l` is (lines carry the static item names). */
static int line_index(const stats_line *l)
{
    for (int i = 0; i < STATS_NLINES; i++)
        if (strcmp(l->item, wording[i].item) == 0)
            return i;
    return 0;
}

char *stats_line_text(const stats_line *l, char *buf, size_t n)
{
    int i = line_index(l);
    if (i == STATS_NLINES - 1)
        snprintf(buf, n, "%s %s %s", wording[i].before, l->wan, wording[i].after);
    else if (l->nvalues == 2)
        snprintf(buf, n, "%s %" PRId64 " %s %" PRId64 " %s", wording[i].before, l->values[0], wording[i].middle,
                 l->values[1], wording[i].after);
    else
        snprintf(buf, n, "%s %" PRId64 " %s", wording[i].before, l->values[0], wording[i].after);
    return buf;
}

json_t *stats_item10_json(const stats_counts *c)
{
    static const char *const unit_key[TRANSPORT_NKINDS] = {"trains", "carriages", "buses", "boats", "flights"};
    static const char *const letter[TRANSPORT_NKINDS] = {"B", "C", "D", "E", "F"};
    json_t *o = json_object();
    json_object_set_new(o, "A", json_pack("{s:I}", "persons", (json_int_t)c->persons));
    for (int k = 0; k < TRANSPORT_NKINDS; k++)
        json_object_set_new(
            o, letter[k],
            json_pack("{s:I, s:I}", unit_key[k], (json_int_t)c->transports[k], "persons", (json_int_t)c->boarded[k]));
    json_object_set_new(o, "G", json_pack("{s:I}", "tickets", (json_int_t)c->purchases));
    return o;
}

json_t *stats_item11_json(const stats_counts *c)
{
    char wan[STATS_WAN_MAX];
    stats_fen_to_wan(c->subsidy_fen, wan, sizeof wan);
    return json_pack("{s:{s:s}}", "A", "subsidy_wan_yuan", wan);
}

void stats_add(stats_counts *into, const stats_counts *c)
{
    into->persons += c->persons;
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        into->transports[k] += c->transports[k];
        into->boarded[k] += c->boarded[k];
    }
    into->purchases += c->purchases;
    into->subsidy_fen += c->subsidy_fen;
}

void stats_report_free(stats_report *r)
{
    if (r == NULL)
        return;
    free(r->children);
    r->children = NULL;
    r->nchildren = 0;
}

/* One entry of "children": who, which revision, when, and its figures. */
static json_t *child_json(const stats_child *ch)
{
    return json_pack("{s:{s:s, s:s}, s:I, s:s, s:s, s:o, s:o}", "unit", "code", ch->unit_code, "name", ch->unit_name,
                     "revision", (json_int_t)ch->revision, "generated_at", ch->generated_at, "received_at",
                     ch->received_at, "item10", stats_item10_json(&ch->counts), "item11",
                     stats_item11_json(&ch->counts));
}

json_t *stats_report_json(const stats_report *r, const char *generated_at)
{
    const campaign_info *c = &r->campaign;
    json_t *doc = json_object();
    json_object_set_new(doc, "unit", json_pack("{s:s, s:s}", "code", c->unit_code, "name", c->unit_name));
    json_object_set_new(doc, "campaign", json_pack("{s:s, s:s, s:s}", "name", c->name, "from", c->from, "to", c->to));
    json_object_set_new(doc, "item10", stats_item10_json(&r->actual));
    json_object_set_new(doc, "item11", stats_item11_json(&r->actual));
    json_t *children = json_array();
    for (size_t i = 0; i < r->nchildren; i++)
        json_array_append_new(children, child_json(&r->children[i]));
    json_object_set_new(doc, "children", children);
    json_object_set_new(doc, "generated_at", json_string(generated_at));
    json_object_set_new(doc, "own",
                        json_pack("{s:o, s:o}", "item10", stats_item10_json(&r->own), "item11",
                                  stats_item11_json(&r->own)));
    json_object_set_new(doc, "planned", stats_item10_json(&r->planned));
    json_object_set_new(doc, "deadline", c->deadline[0] != '\0' ? json_string(c->deadline) : json_null());
    return doc;
}

/* ---------------------------------------------------------------- the store side */

/*
 * The rules (DESIGN §5). Actual: departed/arrived transports departing inside the window and the boarded
 * tickets on them. The planned preview: transports not cancelled and their live (issued or boarded)
 * tickets. Purchases count unrefunded and inside the window. Nothing here walks tickets or purchases:
 * migrations 6 and 7 keep, by triggers, per transport its boarded (n_boarded) and live (n_live) tickets, and per
 * campaign the counted purchases and the people 10(A) counts through a purchase alone (stats_purchases).
 * A person has at most one live ticket (tickets_one_live_per_person), so the boarded tickets on counted
 * transports are as many people, and 10(A) is those plus the purchase holders not among them (migration 7
 * keeps their share per registration).
 */

/*
 * Per kind and status of the transports departing inside the window: is it counted (actual), is it usable
 * (planned), how many, and the boarded and live tickets on them. substr(depart_at, 1, 10) BETWEEN from AND to
 * written as a range on depart_at (it starts with its date, RFC 3339), so the covering index
 * transports_counted (migration 6) answers it in order without visiting the table.
 */
#define SQL_KINDS                                                                                                      \
    "SELECT t.kind, t.status IN ('departed', 'arrived'), t.status <> 'cancelled', count(*), sum(t.n_boarded),"         \
    " sum(t.n_live) FROM transports t WHERE t.campaign_id = ?1 AND t.depart_at >= ?2"                                  \
    " AND t.depart_at < date(?3, '+1 day') GROUP BY t.kind, t.status"

/* 10(G), and the people 10(A) counts through a purchase alone (actual, planned); ?2 and ?3 are not used. */
#define SQL_PURCHASES                                                                                                  \
    "SELECT coalesce(sum(purchases), 0), coalesce(sum(alone), 0), coalesce(sum(alone_planned), 0)"                     \
    " FROM stats_purchases WHERE campaign_id = ?1"

#define SQL_SUBSIDIES                                                                                                  \
    "SELECT coalesce(sum(amount_fen), 0) FROM subsidies WHERE campaign_id = ?1 AND date BETWEEN ?2 AND ?3"

static int prepare(sqlite3 *db, const char *sql, int64_t campaign, const campaign_info *c, sqlite3_stmt **st,
                   hw_error *err)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "stats", err);
    sqlite3_bind_int64(*st, 1, campaign);
    sqlite3_bind_text(*st, 2, c->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*st, 3, c->to, -1, SQLITE_TRANSIENT);
    return 0;
}

/* The columns of the one row of `sql` into out[0..n-1]. */
static int query_row(sqlite3 *db, const char *sql, int64_t campaign, const campaign_info *c, int64_t *out, int n,
                     hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, sql, campaign, c, &st, err);
    if (rc != 0)
        return rc;
    rc = sqlite3_step(st);
    for (int i = 0; i < n; i++)
        out[i] = rc == SQLITE_ROW ? sqlite3_column_int64(st, i) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "stats", err);
}

/* 10(B)-(F), actual and planned, and the people on them (the first part of 10(A)). */
static int count_kinds(sqlite3 *db, int64_t campaign, const campaign_info *c, stats_report *out, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(db, SQL_KINDS, campaign, c, &st, err);
    if (rc != 0)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        transport_kind k;
        if (transport_kind_parse((const char *)sqlite3_column_text(st, 0), &k, NULL) != 0)
            continue; /* the schema's CHECK admits only the five kinds */
        int64_t n = sqlite3_column_int64(st, 3), boarded = sqlite3_column_int64(st, 4);
        int64_t live = sqlite3_column_int64(st, 5);
        if (sqlite3_column_int(st, 1)) {
            out->actual.transports[k] += n;
            out->actual.boarded[k] += boarded;
            out->actual.persons += boarded;
        }
        if (sqlite3_column_int(st, 2)) {
            out->planned.transports[k] += n;
            out->planned.boarded[k] += live;
            out->planned.persons += live;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(db, rc, "stats", err);
}

/* 10(G), and the purchase holders 10(A) adds to the people on transports (actual and planned). */
static int count_purchases(sqlite3 *db, int64_t campaign, const campaign_info *c, stats_report *out, hw_error *err)
{
    int64_t v[3];
    int rc = query_row(db, SQL_PURCHASES, campaign, c, v, 3, err);
    if (rc != 0)
        return rc;
    out->actual.purchases = v[0];
    out->actual.persons += v[1];
    out->planned.persons += v[2];
    return 0;
}

int stats_load(sqlite3 *db, stats_report *out, hw_error *err)
{
    int64_t campaign = 0;
    memset(out, 0, sizeof *out);
    int rc = campaign_load(db, &out->campaign, err);
    if (rc == 0)
        rc = campaign_current_id(db, &campaign, err);
    if (rc == 0)
        rc = count_kinds(db, campaign, &out->campaign, out, err);
    if (rc == 0)
        rc = count_purchases(db, campaign, &out->campaign, out, err);
    if (rc == 0)
        rc = query_row(db, SQL_SUBSIDIES, campaign, &out->campaign, &out->actual.subsidy_fen, 1, err);
    out->planned.purchases = out->actual.purchases;
    out->planned.subsidy_fen = out->actual.subsidy_fen;
    out->own = out->actual;
    return rc;
}

/* ---------------------------------------------------------------- renderings */

static void csv_cells(FILE *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', out);
        csv_fwrite(out, cells[i], strlen(cells[i]));
    }
    fputs("\r\n", out);
}

int stats_write_csv(const stats_report *r, FILE *out, hw_error *err)
{
    static const char *const header[] = {"项目", "内容", "数值1", "数值2"};
    stats_line lines[STATS_NLINES];
    char text[STATS_LINE_MAX], v1[32], v2[32];
    stats_lines(&r->actual, lines);
    fputs("\xEF\xBB\xBF", out);
    csv_cells(out, header, 4);
    for (int i = 0; i < STATS_NLINES; i++) {
        const stats_line *l = &lines[i];
        if (i == STATS_NLINES - 1)
            snprintf(v1, sizeof v1, "%s", l->wan);
        else
            snprintf(v1, sizeof v1, "%" PRId64, l->values[0]);
        v2[0] = '\0';
        if (l->nvalues == 2)
            snprintf(v2, sizeof v2, "%" PRId64, l->values[1]);
        const char *cells[] = {l->item, stats_line_text(l, text, sizeof text), v1, v2};
        csv_cells(out, cells, 4);
    }
    if (ferror(out))
        return error_set(err, HW_EIO, "write_failed", "写入统计表失败 (cannot write the report)");
    return 0;
}

/* The first `n` form lines of `c`, one per text line. */
static void text_lines(const stats_counts *c, int n, FILE *out)
{
    stats_line lines[STATS_NLINES];
    char text[STATS_LINE_MAX];
    stats_lines(c, lines);
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%s %s\n", i == 0 || i == STATS_NLINES - 1 ? "" : "    ", lines[i].label,
                stats_line_text(&lines[i], text, sizeof text));
}

/* One line of the breakdown: who, then 10(A), the persons of (B)-(F), (G) and 11(A) in short. */
static void text_breakdown_row(FILE *out, const char *who, const char *name, const stats_counts *c)
{
    char wan[STATS_WAN_MAX];
    fprintf(out, "  %s %s: 10(A) %" PRId64 " 人次", who, name, c->persons);
    static const char *const unit_word[TRANSPORT_NKINDS] = {"列", "节", "辆", "艘", "架"};
    for (int k = 0; k < TRANSPORT_NKINDS; k++)
        fprintf(out, ", (%c) %" PRId64 " %s %" PRId64 " 人次", 'B' + k, c->transports[k], unit_word[k], c->boarded[k]);
    fprintf(out, ", (G) %" PRId64 " 张, 11(A) %s 万元\n", c->purchases,
            stats_fen_to_wan(c->subsidy_fen, wan, sizeof wan));
}

int stats_write_text(const stats_report *r, const char *generated_at, FILE *out, hw_error *err)
{
    const campaign_info *c = &r->campaign;
    fprintf(out, "送温暖工程统计表 (第10、11项)\n");
    fprintf(out, "填报单位: %s (%s)    %.4s年%.2s月%.2s日    填报人: %s    联系电话: %s\n", c->unit_name, c->unit_code,
            generated_at, generated_at + 5, generated_at + 8, c->reporter, c->reporter_phone);
    fprintf(out, "活动: %s  %s 至 %s%s%s\n\n", c->name, c->from, c->to, c->deadline[0] ? "  报送截止 " : "",
            c->deadline);
    text_lines(&r->actual, STATS_NLINES, out);
    fprintf(out, "注:本表中职工均包括农民工,困难职工均包括困难农民工\n\n");
    if (r->nchildren > 0) {
        fprintf(out, "其中本级与下级单位 (own figures and each child unit's latest revision):\n");
        text_breakdown_row(out, "本级 (own)", c->unit_name, &r->own);
        for (size_t i = 0; i < r->nchildren; i++) {
            char who[64];
            snprintf(who, sizeof who, "%s 第%" PRId64 "版", r->children[i].unit_code, r->children[i].revision);
            text_breakdown_row(out, who, r->children[i].unit_name, &r->children[i].counts);
        }
        fputc('\n', out);
    }
    fprintf(out, "计划预览 (planned preview, NOT for the report): %s未取消的运力上已出票和已上车的人数\n",
            r->nchildren > 0 ? "本级 (own only) " : "");
    text_lines(&r->planned, STATS_NLINES - 1, out); /* item 10 only */
    fprintf(out, "生成时间 (generated at) %s\n", generated_at);
    if (ferror(out))
        return error_set(err, HW_EIO, "write_failed", "写入统计表失败 (cannot write the report)");
    return 0;
}

typedef struct xlsx_form {
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *title, *number, *money;
} xlsx_form;

/* One form line on `row`: label, wording, number(s) in place, unit words. */
static void xlsx_line(xlsx_form *x, lxw_row_t row, const stats_line *l)
{
    int i = line_index(l);
    worksheet_write_string(x->sheet, row, 0, l->label, NULL);
    worksheet_write_string(x->sheet, row, 1, wording[i].before, NULL);
    if (i == STATS_NLINES - 1)
        worksheet_write_number(x->sheet, row, 2, strtod(l->wan, NULL), x->money); /* rounded, as printed */
    else
        worksheet_write_number(x->sheet, row, 2, (double)l->values[0], x->number);
    if (l->nvalues == 2) {
        worksheet_write_string(x->sheet, row, 3, wording[i].middle, NULL);
        worksheet_write_number(x->sheet, row, 4, (double)l->values[1], x->number);
        worksheet_write_string(x->sheet, row, 5, wording[i].after, NULL);
    } else {
        worksheet_write_string(x->sheet, row, 3, wording[i].after, NULL);
    }
}

static void xlsx_fill(xlsx_form *x, const stats_report *r, const char *generated_at)
{
    const campaign_info *c = &r->campaign;
    char buf[256];
    stats_line lines[STATS_NLINES];
    worksheet_merge_range(x->sheet, 0, 0, 0, 5, "送温暖工程统计表", x->title);
    snprintf(buf, sizeof buf, "填报单位: %s (%s)", c->unit_name, c->unit_code);
    worksheet_write_string(x->sheet, 1, 0, buf, NULL);
    snprintf(buf, sizeof buf, "%.4s年%.2s月%.2s日", generated_at, generated_at + 5, generated_at + 8);
    worksheet_write_string(x->sheet, 1, 2, buf, NULL);
    snprintf(buf, sizeof buf, "填报人: %s", c->reporter);
    worksheet_write_string(x->sheet, 1, 3, buf, NULL);
    snprintf(buf, sizeof buf, "联系电话: %s", c->reporter_phone);
    worksheet_write_string(x->sheet, 1, 5, buf, NULL);
    snprintf(buf, sizeof buf, "%s (%s 至 %s)", c->name, c->from, c->to);
    worksheet_write_string(x->sheet, 2, 0, buf, NULL);
    if (c->deadline[0] != '\0') {
        snprintf(buf, sizeof buf, "报送截止: %s", c->deadline);
        worksheet_write_string(x->sheet, 2, 3, buf, NULL);
    }
    stats_lines(&r->actual, lines);
    for (int i = 0; i < STATS_NLINES; i++)
        xlsx_line(x, (lxw_row_t)(4 + i), &lines[i]);
    worksheet_write_string(x->sheet, 4 + STATS_NLINES + 1, 0, "注:本表中职工均包括农民工,困难职工均包括困难农民工",
                           NULL);
    worksheet_set_column(x->sheet, 0, 0, 9, NULL);
    worksheet_set_column(x->sheet, 1, 1, 44, NULL);
    worksheet_set_column(x->sheet, 2, 5, 10, NULL);
    worksheet_set_paper(x->sheet, 9); /* A4 */
}

/* One row of the breakdown sheet: code, name, revision (0: none), then every figure of `c`. */
static void xlsx_breakdown_row(xlsx_form *x, lxw_worksheet *ws, lxw_row_t row, const char *code, const char *name,
                               int64_t revision, const stats_counts *c)
{
    char wan[STATS_WAN_MAX];
    lxw_col_t col = 0;
    worksheet_write_string(ws, row, col++, code, NULL);
    worksheet_write_string(ws, row, col++, name, NULL);
    if (revision > 0)
        worksheet_write_number(ws, row, col, (double)revision, x->number);
    col++;
    worksheet_write_number(ws, row, col++, (double)c->persons, x->number);
    for (int k = 0; k < TRANSPORT_NKINDS; k++) {
        worksheet_write_number(ws, row, col++, (double)c->transports[k], x->number);
        worksheet_write_number(ws, row, col++, (double)c->boarded[k], x->number);
    }
    worksheet_write_number(ws, row, col++, (double)c->purchases, x->number);
    worksheet_write_number(ws, row, col, strtod(stats_fen_to_wan(c->subsidy_fen, wan, sizeof wan), NULL), x->money);
}

/* The second sheet of a parent unit: own figures, each child's latest revision, and the total. */
static void xlsx_children(xlsx_form *x, const stats_report *r)
{
    static const char *const header[] = {"单位代码", "单位名称", "版本",   "10(A)人次", "(B)专列 列", "人次",
                                         "(C)车厢 节", "人次",     "(D)汽车 辆", "人次",      "(E)船 艘",   "人次",
                                         "(F)包机 架", "人次",     "(G)购票 张", "11(A)万元"};
    lxw_worksheet *ws = workbook_add_worksheet(x->book, "下级单位");
    worksheet_merge_range(ws, 0, 0, 0, 15, "本级与下级单位明细 (各下级单位的最新报送版本)", x->title);
    for (lxw_col_t i = 0; i < 16; i++)
        worksheet_write_string(ws, 2, i, header[i], NULL);
    xlsx_breakdown_row(x, ws, 3, r->campaign.unit_code, "本级", 0, &r->own);
    for (size_t i = 0; i < r->nchildren; i++) {
        const stats_child *ch = &r->children[i];
        xlsx_breakdown_row(x, ws, (lxw_row_t)(4 + i), ch->unit_code, ch->unit_name, ch->revision, &ch->counts);
    }
    xlsx_breakdown_row(x, ws, (lxw_row_t)(4 + r->nchildren), "", "合计", 0, &r->actual);
    worksheet_set_column(ws, 1, 1, 20, NULL);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
}

int stats_write_xlsx(const stats_report *r, const char *generated_at, const char *path, hw_error *err)
{
    xlsx_form x = {.book = workbook_new(path)};
    if (x.book == NULL)
        return error_set(err, HW_EIO, "cannot_open", "无法写入文件 %s (cannot write file)", path);
    x.sheet = workbook_add_worksheet(x.book, "统计表");
    x.title = workbook_add_format(x.book);
    format_set_bold(x.title);
    format_set_font_size(x.title, 16);
    format_set_align(x.title, LXW_ALIGN_CENTER);
    x.number = workbook_add_format(x.book);
    format_set_num_format(x.number, "0");
    x.money = workbook_add_format(x.book);
    format_set_num_format(x.money, "0.00");
    xlsx_fill(&x, r, generated_at);
    if (r->nchildren > 0)
        xlsx_children(&x, r);
    lxw_error e = workbook_close(x.book);
    if (e != LXW_NO_ERROR)
        return error_set(err, HW_EIO, "xlsx", "写入 xlsx 失败 (cannot write the xlsx): %s", lxw_strerror(e));
    return 0;
}
