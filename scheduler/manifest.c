/* manifest.c - ticket lists and per-transport passenger manifests as CSV, JSON and printable xlsx (libxlsxwriter). */
#include "manifest.h"

#include <csv.h>
#include <stdbool.h>
#include <string.h>
#include <xlsxwriter.h>

#include "sheetstyle.h"
#include "tickets.h"
#include "transports.h"

static const char *const status_zh[][2] = {
    {"issued", "已出票"}, {"boarded", "已上车"}, {"no_show", "未到"}, {"cancelled", "已作废"}};

static const char *ticket_status_zh(const char *s)
{
    for (size_t i = 0; i < sizeof status_zh / sizeof status_zh[0]; i++)
        if (strcmp(s, status_zh[i][0]) == 0)
            return status_zh[i][1];
    return s;
}

static void csv_line(FILE *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', out);
        csv_fwrite(out, cells[i], strlen(cells[i]));
    }
    fputs("\r\n", out);
}

typedef struct writer {
    const divisions *d;
    manifest_kind kind;
    export_format fmt;
    FILE *out;
    size_t count, in_transport;
    char current[64]; /* transport of the previous row */
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *title, *head, *cell, *tick;
} writer;

static const char *const ticket_header[] = {"票号", "运力", "座位", "编号", "姓名", "身份证号",
                                            "同行组", "目的地", "下车地", "状态"};
static const char *const manifest_header[] = {"序号", "座位", "姓名", "身份证号", "手机号", "同行组",
                                              "下车地", "票号", "状态", "签到"};
#define NCOLS 10

static void place_name(const writer *w, const char *code, char *buf, size_t n)
{
    if (divisions_full_name(w->d, code, buf, n) != 0)
        snprintf(buf, n, "%s", code);
}

/* The row's cells for the kind being written; `seq` is the 序号 within the transport. */
static void row_cells(const writer *w, const ticket_view *t, char seq[16], char dest[DIVISIONS_FULL_NAME_MAX],
                      char drop[DIVISIONS_FULL_NAME_MAX], const char *cells[NCOLS])
{
    place_name(w, t->destination, dest, DIVISIONS_FULL_NAME_MAX);
    place_name(w, t->dropoff, drop, DIVISIONS_FULL_NAME_MAX);
    snprintf(seq, 16, "%zu", w->in_transport);
    const char *status = ticket_status_zh(t->status);
    if (w->kind == MANIFEST_TICKETS) {
        const char *c[NCOLS] = {t->code, t->transport_ref, t->seat, t->reg_ref, t->name, t->id_masked,
                                t->party, dest, drop, status};
        memcpy(cells, c, sizeof c);
    } else {
        const char *c[NCOLS] = {seq, t->seat, t->name, t->id_masked, t->phone_masked, t->party,
                                drop, t->code, status, strcmp(t->status, "boarded") == 0 ? "✔" : "□"};
        memcpy(cells, c, sizeof c);
    }
}

/* A sheet name Excel accepts: at most 31 characters, none of []:*?/\ . */
static void sheet_name(const char *ref, char *buf, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; ref[i] != '\0' && j + 1 < n && j < 31; i++)
        buf[j++] = strchr("[]:*?/\\", ref[i]) != NULL ? '_' : ref[i];
    buf[j] = '\0';
}

static void xlsx_begin_sheet(writer *w, const ticket_view *t)
{
    char name[40], title[256], sub[256];
    transport_kind kind = TRANSPORT_BUS;
    transport_kind_parse(t->transport_kind, &kind, NULL);
    sheet_name(t->transport_ref, name, sizeof name);
    w->sheet = workbook_add_worksheet(w->book, name);
    snprintf(title, sizeof title, "实名制乘车名册  %s %s (%s)", transport_kind_zh(kind), t->transport_label,
             t->transport_ref);
    snprintf(sub, sizeof sub, "出发 %.10s %.5s   出发站 %s", t->depart_at, t->depart_at + 11, t->origin);
    worksheet_merge_range(w->sheet, 0, 0, 0, NCOLS - 1, title, w->title);
    worksheet_merge_range(w->sheet, 1, 0, 1, NCOLS - 1, sub, NULL);
    for (int c = 0; c < NCOLS; c++)
        worksheet_write_string(w->sheet, 2, (lxw_col_t)c, manifest_header[c], w->head);
    static const double widths[NCOLS] = {6, 11, 10, 21, 14, 14, 24, 13, 8, 6};
    for (int c = 0; c < NCOLS; c++)
        worksheet_set_column(w->sheet, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    worksheet_repeat_rows(w->sheet, 0, 2);
    worksheet_fit_to_pages(w->sheet, 1, 0);
    worksheet_set_paper(w->sheet, 9); /* A4 */
}

static int xlsx_open(writer *w, const char *path, hw_error *err)
{
    w->book = workbook_new(path);
    if (w->book == NULL)
        return error_set(err, HW_EIO, "cannot_open", "无法写入文件 %s (cannot write file)", path);
    sheetstyle style;
    sheetstyle_add(w->book, &style);
    w->title = style.title;
    w->head = style.head;
    w->cell = style.cell;
    w->tick = workbook_add_format(w->book);
    format_set_border(w->tick, LXW_BORDER_THIN);
    format_set_align(w->tick, LXW_ALIGN_CENTER);
    format_set_font_size(w->tick, 14);
    return 0;
}

static int each_ticket(const ticket_view *t, void *ctx)
{
    writer *w = ctx;
    char seq[16], dest[DIVISIONS_FULL_NAME_MAX], drop[DIVISIONS_FULL_NAME_MAX];
    const char *cells[NCOLS];
    bool new_transport = strcmp(w->current, t->transport_ref) != 0;
    if (new_transport) {
        snprintf(w->current, sizeof w->current, "%s", t->transport_ref);
        w->in_transport = 0;
    }
    w->in_transport++;
    row_cells(w, t, seq, dest, drop, cells);
    if (w->fmt == EXPORT_XLSX) {
        if (new_transport)
            xlsx_begin_sheet(w, t);
        lxw_row_t row = (lxw_row_t)(2 + w->in_transport);
        worksheet_write_number(w->sheet, row, 0, (double)w->in_transport, w->cell); /* 序号 as a number */
        for (int c = 1; c < NCOLS; c++)
            worksheet_write_string(w->sheet, row, (lxw_col_t)c, cells[c], c == NCOLS - 1 ? w->tick : w->cell);
    } else if (w->fmt == EXPORT_CSV) {
        csv_line(w->out, cells, NCOLS);
    } else {
        json_t *j = tickets_json(w->d, t);
        fputs(w->count > 0 ? ",\n" : "\n", w->out);
        json_dumpf(j, w->out, JSON_COMPACT);
        json_decref(j);
    }
    w->count++;
    return 0;
}

int manifest_write(sqlite3 *db, const divisions *d, manifest_kind kind, const char *transport_ref, export_format fmt,
                   FILE *out, const char *path, size_t *count, hw_error *err)
{
    writer w = {.d = d, .kind = kind, .fmt = fmt, .out = out};
    int rc = 0;
    if (fmt == EXPORT_XLSX && path == NULL)
        return error_set(err, HW_EINVAL, "usage", "xlsx 需要 --out 文件名 (xlsx needs --out FILE)");
    if (fmt == EXPORT_XLSX && kind == MANIFEST_TICKETS)
        w.kind = MANIFEST_PASSENGERS; /* the printable form is the manifest */
    if (transport_ref != NULL && (rc = tickets_check_transport(db, transport_ref, err)) != 0)
        return rc; /* before anything is written */
    if (fmt == EXPORT_XLSX && (rc = xlsx_open(&w, path, err)) != 0)
        return rc;
    if (fmt == EXPORT_CSV) {
        fputs("\xEF\xBB\xBF", out);
        csv_line(out, kind == MANIFEST_TICKETS ? ticket_header : manifest_header, NCOLS);
    } else if (fmt == EXPORT_JSON) {
        fputc('[', out);
    }
    rc = tickets_each(db, transport_ref, kind == MANIFEST_TICKETS, each_ticket, &w, err);
    if (fmt == EXPORT_JSON)
        fputs("\n]\n", out);
    if (fmt == EXPORT_XLSX) {
        if (w.count == 0)
            worksheet_write_string(workbook_add_worksheet(w.book, "名册"), 0, 0, "没有已出的票 (no tickets)", NULL);
        lxw_error e = workbook_close(w.book);
        if (rc == 0 && e != LXW_NO_ERROR)
            rc = error_set(err, HW_EIO, "xlsx", "写入 xlsx 失败 (cannot write the xlsx): %s", lxw_strerror(e));
    }
    *count = w.count;
    return rc;
}
