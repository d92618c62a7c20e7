/* export.c - streaming CSV (libcsv quoting) and JSON lists of registrations, with personal data masked. */
#include "export.h"

#include <csv.h>
#include <stdint.h>
#include <string.h>

#include "campaign.h"

int export_format_parse(const char *s, export_format *out, hw_error *err)
{
    static const char *const names[] = {"csv", "json", "xlsx"};
    for (int i = 0; i < 3; i++)
        if (s != NULL && strcmp(s, names[i]) == 0) {
            *out = (export_format)i;
            return 0;
        }
    return error_set(err, HW_EINVAL, "usage", "格式应为 csv、json 或 xlsx (format must be csv, json or xlsx)");
}

static const char *nz(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

json_t *export_division_json(const divisions *d, const char *code)
{
    char name[DIVISIONS_FULL_NAME_MAX];
    bool known = divisions_full_name(d, code, name, sizeof name) == 0;
    return json_pack("{s:s, s:s?}", "code", code, "name", known ? name : NULL);
}

/* Tags as an array of their Chinese names. */
static json_t *tags_json(unsigned tags)
{
    char buf[160];
    json_t *out = json_array();
    registration_format_tags(tags, buf, sizeof buf);
    for (const char *p = buf; *p != '\0';) {
        size_t len = strcspn(p, ";");
        json_array_append_new(out, json_stringn(p, len));
        p += len;
        if (*p == ';')
            p++;
    }
    return out;
}

json_t *export_registration_json(const divisions *d, const registry_reg *row, const char *full_id)
{
    const registration *r = &row->reg;
    return json_pack("{s:I, s:s?, s:s, s:s, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:o, s:b, s:i, s:s, s:s, s:s}", "id",
                     (json_int_t)row->id, "ref", nz(r->ref), "name", r->name, "id_number",
                     full_id != NULL ? full_id : row->id_masked, "phone", nz(row->phone_masked), "employer",
                     nz(r->employer), "destination", export_division_json(d, r->destination), "earliest",
                     nz(r->earliest), "latest", nz(r->latest), "party", nz(r->party), "tags", tags_json(r->tags),
                     "migrant", (int)r->migrant, "priority", row->priority, "status", row->status, "created_at",
                     row->created_at, "updated_at", row->updated_at);
}

typedef struct export_state {
    const divisions *d;
    export_format fmt;
    FILE *out;
    size_t count;
} export_state;

static void csv_row(FILE *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', out);
        csv_fwrite(out, cells[i] != NULL ? cells[i] : "", cells[i] != NULL ? strlen(cells[i]) : 0);
    }
    fputs("\r\n", out);
}

static int write_csv(const registry_reg *row, export_state *st)
{
    const registration *r = &row->reg;
    char tags[160], place[DIVISIONS_FULL_NAME_MAX];
    registration_format_tags(r->tags, tags, sizeof tags);
    if (divisions_full_name(st->d, r->destination, place, sizeof place) != 0)
        place[0] = '\0';
    const char *cells[] = {r->ref,    r->name,     row->id_masked, row->phone_masked, r->employer,
                           r->destination, place, r->earliest, r->latest, r->party, tags,
                           r->migrant ? "是" : "否", strcmp(row->status, "active") == 0 ? "有效" : "已撤销"};
    csv_row(st->out, cells, sizeof cells / sizeof cells[0]);
    return 0;
}

static int each_row(const registry_reg *row, void *data)
{
    export_state *st = data;
    if (st->fmt == EXPORT_CSV) {
        write_csv(row, st);
    } else {
        json_t *j = export_registration_json(st->d, row, NULL);
        fputs(st->count > 0 ? ",\n" : "\n", st->out);
        json_dumpf(j, st->out, JSON_COMPACT);
        json_decref(j);
    }
    st->count++;
    return ferror(st->out) ? HW_EIO : 0;
}

static void write_header(export_state *st)
{
    static const char *const header[] = {"编号",   "姓名",     "身份证号", "手机号", "工作单位", "目的地", "目的地名称",
                                         "最早出发", "最晚出发", "同行组",   "类别",   "农民工",   "状态"};
    if (st->fmt == EXPORT_CSV) {
        fputs("\xEF\xBB\xBF", st->out); /* Excel reads UTF-8 only with a BOM */
        csv_row(st->out, header, sizeof header / sizeof header[0]);
    } else {
        fputc('[', st->out);
    }
}

int export_registrations(sqlite3 *db, const divisions *d, export_format fmt, FILE *out, size_t *count, hw_error *err)
{
    int64_t campaign_id = 0, total = 0;
    if (fmt == EXPORT_XLSX)
        return error_set(err, HW_EINVAL, "usage", "登记名单可导出为 csv 或 json (registrations export as csv or json)");
    int rc = campaign_current_id(db, &campaign_id, err);
    if (rc != 0)
        return rc;
    export_state st = {.d = d, .fmt = fmt, .out = out};
    registry_reg_filter all = {.status = NULL};
    registry_page page = {.limit = INT64_MAX, .offset = 0};
    write_header(&st);
    rc = registry_reg_list(db, campaign_id, &all, page, each_row, &st, &total, err);
    if (fmt == EXPORT_JSON)
        fputs("\n]\n", out);
    *count = st.count;
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = error_set(err, HW_EIO, "write_failed", "写入导出文件失败 (cannot write the export)");
    return rc;
}
