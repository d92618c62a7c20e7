/* header.c - matching a file's header row to a record kind's columns, with one message listing every problem. */
#include "header.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define IDEOGRAPHIC_SPACE "\xE3\x80\x80" /* U+3000 */
#define SHOWN_UNKNOWN 4                  /* unknown names quoted in the message; the rest are counted */
#define SHOWN_NAME_BYTES 40

void header_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    for (;;) {
        if (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
            p++, n--;
        } else if (n >= 3 && memcmp(p, IDEOGRAPHIC_SPACE, 3) == 0) {
            p += 3, n -= 3;
        } else if (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
            n--;
        } else if (n >= 3 && memcmp(p + n - 3, IDEOGRAPHIC_SPACE, 3) == 0) {
            n -= 3;
        } else {
            break;
        }
    }
    *s = p;
    *len = n;
}

int header_find(const header_column *cols, size_t ncols, const char *name, size_t len)
{
    header_trim(&name, &len);
    for (size_t c = 0; c < ncols; c++) {
        if (strlen(cols[c].zh) == len && memcmp(cols[c].zh, name, len) == 0)
            return (int)c;
        if (strlen(cols[c].en) == len && strncasecmp(cols[c].en, name, len) == 0)
            return (int)c;
    }
    return -1;
}

/* A bounded message under construction; text that does not fit is cut at a character boundary. */
typedef struct msg {
    char *buf;
    size_t cap, len;
    bool cut;
} msg;

static void msg_add(msg *m, const char *s, size_t n)
{
    if (n > m->cap - 1 - m->len) {
        m->cut = true;
        n = m->cap - 1 - m->len;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(m->buf + m->len, s, n);
    m->len += n;
    m->buf[m->len] = '\0';
}

/* If text was left out, end with "..." (at a character boundary). */
static void msg_finish(msg *m)
{
    if (!m->cut || m->cap < 4)
        return;
    size_t len = m->len > m->cap - 4 ? m->cap - 4 : m->len;
    while (len > 0 && ((unsigned char)m->buf[len] & 0xC0) == 0x80)
        len--;
    memcpy(m->buf + len, "...", 4);
    m->len = len + 3;
}

static void msg_str(msg *m, const char *s)
{
    msg_add(m, s, strlen(s));
}

/* Append a name from the file, quoted, shortened, control characters as '?', digits masked if it has many. */
static void msg_name(msg *m, const char *s, size_t n)
{
    char shown[SHOWN_NAME_BYTES + 4];
    size_t digits = 0, k = 0;
    bool cut = n > SHOWN_NAME_BYTES;
    for (size_t i = 0; i < n; i++)
        digits += s[i] >= '0' && s[i] <= '9';
    if (cut) {
        n = SHOWN_NAME_BYTES;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((unsigned char)c < 0x20 || c == 0x7F)
            c = '?';
        else if (digits >= 6 && c >= '0' && c <= '9')
            c = '*';
        shown[k++] = c;
    }
    msg_str(m, "\"");
    msg_add(m, shown, k);
    msg_str(m, cut ? "...\"" : "\"");
}

static void msg_column(msg *m, const header_column *col)
{
    msg_str(m, col->zh);
    msg_str(m, "|");
    msg_str(m, col->en);
}

/* "; 可用的列 (allowed columns): 编号|ref, 姓名|name*, ... (* 必填 required)" */
static void msg_allowed(msg *m, const header_column *cols, size_t ncols)
{
    msg_str(m, "; 可用的列 (allowed columns): ");
    for (size_t c = 0; c < ncols; c++) {
        msg_str(m, c > 0 ? ", " : "");
        msg_column(m, &cols[c]);
        msg_str(m, cols[c].required ? "*" : "");
    }
    msg_str(m, " (* 必填 required)");
}

struct problems {
    size_t matched, unknown, duplicate, missing;
};

static void msg_unknown(msg *m, const char *const *fields, const size_t *lens, size_t nfields, const int *col_of_field,
                        size_t count)
{
    msg_str(m, "未知的列 (unknown column) ");
    size_t shown = 0;
    for (size_t i = 0; i < nfields && shown < SHOWN_UNKNOWN; i++) {
        if (col_of_field[i] != -2)
            continue;
        const char *s = fields[i];
        size_t n = lens[i];
        header_trim(&s, &n);
        msg_str(m, shown++ > 0 ? ", " : "");
        msg_name(m, s, n);
    }
    if (count > shown) {
        char more[64];
        snprintf(more, sizeof more, " 等 %zu 个 (and %zu more)", count - shown, count - shown);
        msg_str(m, more);
    }
}

/* "<sep><label>a|b, c|d" for the columns given twice (duplicates) or the required ones missing (!duplicates). */
static void msg_columns(msg *m, const char **sep, const char *label, const header_column *cols, size_t ncols,
                        const int *seen, bool duplicates)
{
    const char *before = label;
    for (size_t c = 0; c < ncols; c++) {
        if (duplicates ? seen[c] < 2 : !cols[c].required || seen[c] > 0)
            continue;
        if (before == label)
            msg_str(m, *sep);
        msg_str(m, before);
        msg_column(m, &cols[c]);
        before = ", ";
        *sep = "; ";
    }
}

/* Write the message for the problems found; col_of_field marks unknown fields with -2 at this point. */
static void describe(msg *m, const header_column *cols, size_t ncols, const char *const *fields, const size_t *lens,
                     size_t nfields, const int *col_of_field, const int *seen, const struct problems *p)
{
    const char *sep = "";
    if (p->matched == 0) {
        msg_str(m, "第一行没有任何已知的列名，可能缺少表头或编码不对 (no known column name in the first row: the "
                   "header row is missing or the encoding is wrong)");
        msg_allowed(m, cols, ncols);
        return;
    }
    msg_str(m, "表头有误 (bad header): ");
    if (p->unknown > 0) {
        msg_unknown(m, fields, lens, nfields, col_of_field, p->unknown);
        sep = "; ";
    }
    msg_columns(m, &sep, "列出现了不止一次 (column given more than once) ", cols, ncols, seen, true);
    msg_columns(m, &sep, "缺少必填列 (missing required column) ", cols, ncols, seen, false);
    if (p->unknown > 0)
        msg_allowed(m, cols, ncols);
}

int header_map(const header_column *cols, size_t ncols, const char *const *fields, const size_t *lens, size_t nfields,
               int *col_of_field, hw_error *err)
{
    int seen[64] = {0};
    struct problems p = {0};
    if (ncols > sizeof seen / sizeof seen[0])
        return error_set(err, HW_EINVAL, "bad_spec", "列定义太多 (too many columns in the spec)");
    for (size_t i = 0; i < nfields; i++) {
        const char *s = fields[i];
        size_t n = lens[i];
        header_trim(&s, &n);
        int c = n == 0 ? HEADER_IGNORED : header_find(cols, ncols, s, n);
        if (n > 0 && c < 0) {
            p.unknown++;
            c = -2; /* marks it for the message; HEADER_IGNORED after */
        } else if (c >= 0) {
            p.matched++;
            if (seen[c]++ == 1)
                p.duplicate++;
        }
        col_of_field[i] = c;
    }
    for (size_t c = 0; c < ncols; c++)
        p.missing += cols[c].required && seen[c] == 0;
    int rc = 0;
    if (p.unknown > 0 || p.duplicate > 0 || p.missing > 0 || p.matched == 0) {
        hw_error local;
        hw_error *e = err != NULL ? err : &local;
        msg m = {e->message, sizeof e->message, 0, false};
        m.buf[0] = '\0';
        describe(&m, cols, ncols, fields, lens, nfields, col_of_field, seen, &p);
        msg_finish(&m);
        e->rc = rc = HW_EINVAL;
        snprintf(e->code, sizeof e->code, "%s", p.matched == 0 ? "no_header" : "bad_header");
    }
    for (size_t i = 0; i < nfields; i++)
        if (col_of_field[i] == -2)
            col_of_field[i] = HEADER_IGNORED;
    return rc;
}
