/* divisions.c - GB/T 2260 division table: loading divisions.tsv, resolving names to codes, stop coverage. */
#include "divisions.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef HOMEWARD_DATA_DIR
#define HOMEWARD_DATA_DIR "data"
#endif

#define DIV_FILE_MAX (16u << 20) /* hard limit on the size of divisions.tsv */
#define DIV_NAME_MAX 96          /* bytes in one short name */
#define DIV_DEPTH 3              /* province, prefecture, county */
#define DIV_TEXT_MAX 512         /* bytes of a name to resolve once spaces are dropped */
#define DIV_ECHO_MAX 80          /* bytes of user input repeated in a message */
#define DIV_NONE UINT32_MAX

typedef struct div_entry {
    char code[7];
    unsigned char level;
    bool placeholder; /* 市辖区, 县, 省直辖县级行政区划: a slot in the hierarchy, not a place name */
    uint32_t parent;  /* index in entries, DIV_NONE for a province */
    const char *name; /* into divisions.text */
} div_entry;

/* One accepted spelling ("巴中市平昌县") of one entry. */
typedef struct div_key {
    const char *s; /* into divisions.key_text */
    uint32_t entry;
} div_key;

struct divisions {
    char *text;         /* the whole file, with tabs and line ends overwritten by NULs */
    div_entry *entries; /* sorted by code */
    size_t n_entries;
    char *key_text; /* every spelling, NUL-terminated, back to back */
    div_key *keys;  /* sorted by spelling, then by entry (so by code) */
    size_t n_keys;
};

/* State while parsing: the last province and prefecture seen, which are the parents of what follows. */
typedef struct div_parse {
    divisions *d;
    size_t lineno;
    uint32_t province;
    uint32_t prefecture;
} div_parse;

static int no_memory(hw_error *err)
{
    return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : len;
}

/* Whether s starts with a space we ignore: ASCII white space or the ideographic space U+3000. */
static size_t space_len(const char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    /* byte by byte, stopping at the first mismatch, so a NUL before the third byte ends the string safely */
    return s[0] == '\xE3' && s[1] == '\x80' && s[2] == '\x80' ? 3 : 0;
}

/*
 * Copy user input into dst for a message: valid printable UTF-8 only (anything else becomes '?', so the
 * message stays valid for JSON), cut at a character boundary after DIV_ECHO_MAX bytes with "…".
 */
static void echo_input(char *dst, size_t size, const char *src)
{
    size_t o = 0, n = strlen(src), limit = size - 4 < DIV_ECHO_MAX ? size - 4 : DIV_ECHO_MAX;
    assert(size > 4);
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)src + i;
        size_t len = utf8_len(p, n - i);
        bool ok = len > 0 && *p >= 0x20 && *p != 0x7F;
        size_t out = ok ? len : 1;
        if (o + out > limit) {
            memcpy(dst + o, "\xE2\x80\xA6", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, ok ? (const char *)p : "?", out);
        o += out;
        i += ok ? len : 1;
    }
    dst[o] = '\0';
}

/* ---- codes ---- */

int divisions_level(const char *code)
{
    if (code == NULL)
        return 0;
    for (int i = 0; i < 6; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    if (code[6] != '\0' || (code[0] == '0' && code[1] == '0'))
        return 0;
    if (memcmp(code + 2, "0000", 4) == 0)
        return 1;
    return memcmp(code + 4, "00", 2) == 0 ? 2 : 3;
}

bool divisions_covers(const char *stop, const char *dest)
{
    int level = divisions_level(stop);
    if (level == 0 || divisions_level(dest) == 0)
        return false;
    return memcmp(stop, dest, (size_t)level * 2) == 0;
}

static int entry_cmp(const void *key, const void *elem)
{
    return memcmp(key, ((const div_entry *)elem)->code, 6);
}

/* The entry for a six-digit code, or NULL. */
static const div_entry *find_entry(const divisions *d, const char *code)
{
    if (d == NULL || divisions_level(code) == 0)
        return NULL;
    return bsearch(code, d->entries, d->n_entries, sizeof d->entries[0], entry_cmp);
}

size_t divisions_count(const divisions *d)
{
    return d ? d->n_entries : 0;
}

const char *divisions_name(const divisions *d, const char *code)
{
    const div_entry *e = find_entry(d, code);
    return e ? e->name : NULL;
}

bool divisions_province_exists(const divisions *d, const char *code)
{
    char prov[7] = "000000";
    if (code == NULL || code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9')
        return false;
    memcpy(prov, code, 2);
    return find_entry(d, prov) != NULL;
}

/* ---- full names ---- */

static const div_entry *parent_of(const divisions *d, const div_entry *e)
{
    return e->parent == DIV_NONE ? NULL : &d->entries[e->parent];
}

/*
 * The levels that make up e's full name, province first, into chain; returns how many. Placeholders are left
 * out unless they are e itself, and so is a level named like the level above it (嘉峪关市 620201 under 620200).
 */
static size_t name_chain(const divisions *d, const div_entry *e, const div_entry *chain[DIV_DEPTH])
{
    const div_entry *up[DIV_DEPTH];
    size_t n = 0, k = 0;
    for (const div_entry *p = e; p != NULL && n < DIV_DEPTH; p = parent_of(d, p))
        up[n++] = p;
    while (n-- > 0) {
        const div_entry *p = up[n];
        if (p->placeholder && p != e)
            continue;
        if (k > 0 && strcmp(chain[k - 1]->name, p->name) == 0)
            continue;
        chain[k++] = p;
    }
    return k;
}

int divisions_full_name(const divisions *d, const char *code, char *buf, size_t n)
{
    const div_entry *chain[DIV_DEPTH];
    const div_entry *e = find_entry(d, code);
    size_t k, o = 0;
    if (n > 0)
        buf[0] = '\0';
    if (e == NULL)
        return HW_ENOTFOUND;
    k = name_chain(d, e, chain);
    for (size_t i = 0; i < k; i++) {
        size_t len = strlen(chain[i]->name);
        if (o + len >= n) {
            if (n > 0)
                buf[0] = '\0';
            return HW_ETOOBIG;
        }
        memcpy(buf + o, chain[i]->name, len);
        o += len;
        buf[o] = '\0';
    }
    return HW_OK;
}

/* ---- loading: lines ---- */

static int line_error(hw_error *err, size_t lineno, const char *zh, const char *en)
{
    return error_set(err, HW_EINVAL, "bad_divisions_line", "行政区划表第 %zu 行%s (divisions table line %zu: %s)",
                     lineno, zh, lineno, en);
}

/* Whether a short name is usable: UTF-8, not too long, no control characters or spaces (we strip those). */
static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > DIV_NAME_MAX)
        return false;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_len((const unsigned char *)name + i, n - i);
        if (len == 0 || (unsigned char)name[i] < 0x20 || name[i] == 0x7F || space_len(name + i) > 0)
            return false;
        i += len;
    }
    return true;
}

static bool is_placeholder(const char *name)
{
    static const char suffix[] = "直辖县级行政区划";
    size_t n = strlen(name), s = sizeof suffix - 1;
    return strcmp(name, "市辖区") == 0 || strcmp(name, "县") == 0 || (n >= s && strcmp(name + n - s, suffix) == 0);
}

/* Link a new entry to its parent, the last province or prefecture seen (the file is sorted by code). */
static int link_parent(div_parse *p, div_entry *e, uint32_t idx)
{
    const div_entry *all = p->d->entries;
    if (e->level == 1) {
        e->parent = DIV_NONE;
        p->province = idx;
        p->prefecture = DIV_NONE;
        return HW_OK;
    }
    uint32_t parent = e->level == 2 ? p->province : p->prefecture;
    size_t same = e->level == 2 ? 2 : 4;
    if (parent == DIV_NONE || memcmp(all[parent].code, e->code, same) != 0)
        return HW_ENOTFOUND;
    e->parent = parent;
    if (e->level == 2)
        p->prefecture = idx;
    return HW_OK;
}

/* Parse one "code<TAB>name" line (NUL-terminated, line end removed) into the next entry. */
static int parse_line(div_parse *p, char *line, hw_error *err)
{
    divisions *d = p->d;
    char *tab = strchr(line, '\t');
    if (tab == NULL || tab - line != 6)
        return line_error(err, p->lineno, "应为“六位代码<TAB>名称”", "expected six-digit code, tab, name");
    *tab = '\0';
    div_entry *e = &d->entries[d->n_entries];
    memcpy(e->code, line, 7);
    e->name = tab + 1;
    e->level = (unsigned char)divisions_level(e->code);
    if (e->level == 0)
        return line_error(err, p->lineno, "代码不是有效的六位区划代码", "code is not a six-digit division code");
    if (!name_ok(e->name))
        return line_error(err, p->lineno, "名称为空、过长、含空白或不是 UTF-8",
                          "name is empty, too long, has spaces or is not UTF-8");
    if (d->n_entries > 0 && memcmp(d->entries[d->n_entries - 1].code, e->code, 6) >= 0)
        return line_error(err, p->lineno, "代码重复或未按升序排列", "code repeated or not in ascending order");
    if (link_parent(p, e, (uint32_t)d->n_entries) != HW_OK)
        return line_error(err, p->lineno, "缺少上级区划", "parent division missing");
    e->placeholder = e->level > 1 && is_placeholder(e->name);
    d->n_entries++;
    return HW_OK;
}

/* Split d->text (len bytes) into lines and parse every one that is not blank or a comment. */
static int parse_text(divisions *d, size_t len, hw_error *err)
{
    div_parse p = {.d = d, .lineno = 0, .province = DIV_NONE, .prefecture = DIV_NONE};
    char *line = d->text, *end = d->text + len;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3;
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *stop = nl ? nl : end, *next = nl ? nl + 1 : end;
        p.lineno++;
        *stop = '\0';
        if (stop > line && stop[-1] == '\r')
            *--stop = '\0';
        if (strlen(line) != (size_t)(stop - line))
            return line_error(err, p.lineno, "含 NUL 字符", "line contains a NUL byte");
        if (*line != '\0' && *line != '#') {
            int rc = parse_line(&p, line, err);
            if (rc != HW_OK)
                return rc;
        }
        line = next;
    }
    if (d->n_entries == 0)
        return error_set(err, HW_EINVAL, "empty_divisions", "行政区划表为空 (divisions table has no rows)");
    return HW_OK;
}

/* ---- loading: file ---- */

/* Read the whole file into a new NUL-terminated buffer (one spare byte for a missing last line end). */
static int read_file(const char *path, char **text, size_t *len, hw_error *err)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (f == NULL || fstat(fileno(f), &st) != 0) {
        int e = errno;
        if (f)
            fclose(f);
        return error_set(err, HW_EIO, "divisions_io", "无法读取行政区划表 (cannot read divisions table %s: %s)", path,
                         strerror(e));
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > DIV_FILE_MAX) {
        fclose(f);
        return error_set(err, HW_ETOOBIG, "divisions_too_big",
                         "行政区划表超过 16 MiB (divisions table over 16 MiB): %s", path);
    }
    *text = malloc((size_t)st.st_size + 2);
    if (*text == NULL) {
        fclose(f);
        return no_memory(err);
    }
    *len = fread(*text, 1, (size_t)st.st_size + 1, f);
    int bad = ferror(f) || *len > (size_t)st.st_size;
    fclose(f);
    (*text)[*len] = '\0';
    if (bad)
        return error_set(err, HW_EIO, "divisions_io", "读取行政区划表出错 (error reading divisions table %s)", path);
    return HW_OK;
}

static size_t count_lines(const char *text, size_t len)
{
    size_t n = 1;
    for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text))) != NULL; p++)
        n++;
    return n;
}

/* ---- loading: the spelling index ---- */

/* Counts (when b->keys is NULL) or writes the spellings of entries. */
typedef struct key_build {
    div_key *keys;
    char *text;
    size_t n_keys;
    size_t n_text;
} key_build;

/* The levels whose names may appear in a spelling of e, province first; 0 when e has no spelling of its own. */
static size_t spelling_levels(const divisions *d, const div_entry *e, const div_entry *lv[DIV_DEPTH])
{
    size_t n = 0;
    if (e->placeholder)
        return 0;
    for (const div_entry *p = e; p != NULL && n < DIV_DEPTH; p = parent_of(d, p))
        lv[n++] = p;
    /* 620201 嘉峪关市 under 620200 嘉峪关市: its spellings would be its parent's, so it is reached by code only. */
    if (n > 1 && strcmp(lv[0]->name, lv[1]->name) == 0)
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        const div_entry *t = lv[i];
        lv[i] = lv[n - 1 - i];
        lv[n - 1 - i] = t;
    }
    return n;
}

/*
 * Every chain that ends in e's own name, with any of its ancestors left out: for 平昌县 that is 平昌县,
 * 巴中市平昌县, 四川省平昌县 and 四川省巴中市平昌县 (placeholders too, so 北京市市辖区东城区 also works).
 */
static void add_spellings(key_build *b, const divisions *d, uint32_t idx)
{
    const div_entry *lv[DIV_DEPTH];
    size_t n = spelling_levels(d, &d->entries[idx], lv);
    for (unsigned mask = 0; n > 0 && mask < (1u << (n - 1)); mask++) {
        size_t start = b->n_text;
        for (size_t i = 0; i < n; i++) {
            if (i + 1 < n && !(mask & (1u << i)))
                continue;
            size_t len = strlen(lv[i]->name);
            if (b->keys)
                memcpy(b->text + b->n_text, lv[i]->name, len);
            b->n_text += len;
        }
        if (b->keys) {
            b->text[b->n_text] = '\0';
            b->keys[b->n_keys] = (div_key){.s = b->text + start, .entry = idx};
        }
        b->n_text++;
        b->n_keys++;
    }
}

static int key_cmp(const void *a, const void *b)
{
    const div_key *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c != 0 ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

/* Build the sorted spelling index: one pass to size it, one to fill it. */
static int build_keys(divisions *d, hw_error *err)
{
    key_build b = {0};
    for (uint32_t i = 0; i < d->n_entries; i++)
        add_spellings(&b, d, i);
    d->keys = malloc((b.n_keys ? b.n_keys : 1) * sizeof *d->keys);
    d->key_text = malloc(b.n_text ? b.n_text : 1);
    if (d->keys == NULL || d->key_text == NULL)
        return no_memory(err);
    b = (key_build){.keys = d->keys, .text = d->key_text};
    for (uint32_t i = 0; i < d->n_entries; i++)
        add_spellings(&b, d, i);
    d->n_keys = b.n_keys;
    qsort(d->keys, d->n_keys, sizeof *d->keys, key_cmp);
    return HW_OK;
}

int divisions_load(const char *path, divisions **out, hw_error *err)
{
    size_t len = 0;
    int rc;
    assert(path != NULL && out != NULL);
    *out = NULL;
    divisions *d = calloc(1, sizeof *d);
    if (d == NULL)
        return no_memory(err);
    rc = read_file(path, &d->text, &len, err);
    if (rc == HW_OK) {
        d->entries = calloc(count_lines(d->text, len), sizeof *d->entries);
        rc = d->entries ? parse_text(d, len, err) : no_memory(err);
    }
    if (rc == HW_OK)
        rc = build_keys(d, err);
    if (rc != HW_OK) {
        divisions_free(d);
        return rc;
    }
    *out = d;
    return HW_OK;
}

int divisions_load_default(divisions **out, hw_error *err)
{
    char path[4096];
    const char *dir = getenv("HOMEWARD_DATA_DIR");
    if (dir == NULL || *dir == '\0')
        dir = HOMEWARD_DATA_DIR;
    int n = snprintf(path, sizeof path, "%s/divisions.tsv", dir);
    if (n < 0 || (size_t)n >= sizeof path) {
        *out = NULL;
        return error_set(err, HW_EINVAL, "divisions_path", "数据目录路径过长 (data directory path too long)");
    }
    return divisions_load(path, out, err);
}

void divisions_free(divisions *d)
{
    if (d == NULL)
        return;
    free(d->keys);
    free(d->key_text);
    free(d->entries);
    free(d->text);
    free(d);
}

/* ---- resolving ---- */

/* Copy text into buf without spaces; false when it does not fit. */
static bool strip_spaces(const char *text, char *buf, size_t size)
{
    size_t o = 0;
    for (const char *p = text; *p != '\0';) {
        size_t sp = space_len(p);
        if (sp > 0) {
            p += sp;
            continue;
        }
        if (o + 1 >= size)
            return false;
        buf[o++] = *p++;
    }
    buf[o] = '\0';
    return true;
}

/* Index of the first spelling >= s. */
static size_t key_lower_bound(const divisions *d, const char *s)
{
    size_t lo = 0, hi = d->n_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(d->keys[mid].s, s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int unknown(hw_error *err, const char *text)
{
    char echo[DIV_ECHO_MAX + 4];
    echo_input(echo, sizeof echo, text);
    return error_set(err, HW_ENOTFOUND, "unknown_division", "未找到行政区划: %s (unknown division)", echo);
}

/*
 * Append "110105 北京市朝阳区" for each candidate keys[first..first+n) to list (size bytes), separated by "、",
 * whole items only; "等" ends a list that had to be cut.
 */
static void list_candidates(const divisions *d, size_t first, size_t n, char *list, size_t size)
{
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const div_entry *e = &d->entries[d->keys[first + i].entry];
        char full[DIVISIONS_FULL_NAME_MAX], item[DIVISIONS_FULL_NAME_MAX + 16];
        divisions_full_name(d, e->code, full, sizeof full);
        int len = snprintf(item, sizeof item, "%s%s %s", i ? "、" : "", e->code, full);
        if (len < 0 || o + (size_t)len + sizeof "、等" > size) {
            snprintf(list + o, size - o, "%s", i ? "、等" : "等");
            return;
        }
        memcpy(list + o, item, (size_t)len + 1);
        o += (size_t)len;
    }
}

#define AMBIGUOUS_FMT "地名不唯一: %s 可能是 %s (ambiguous place name, %zu candidates: give the code or the full name)"

static int ambiguous(const divisions *d, hw_error *err, const char *key, size_t first, size_t n)
{
    char list[512];
    int fixed = snprintf(NULL, 0, AMBIGUOUS_FMT, key, "", n);
    size_t room = fixed > 0 && (size_t)fixed < sizeof list - 1 ? sizeof list - 1 - (size_t)fixed : 0;
    if (room > sizeof "、等")
        list_candidates(d, first, n, list, room + 1);
    else
        list[0] = '\0';
    return error_set(err, HW_EAMBIGUOUS, "ambiguous_division", AMBIGUOUS_FMT, key, list, n);
}

static bool all_digits(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

int divisions_resolve(const divisions *d, const char *text, char code[7], hw_error *err)
{
    char buf[DIV_TEXT_MAX];
    assert(d != NULL && code != NULL);
    code[0] = '\0';
    if (text == NULL)
        return error_set(err, HW_EINVAL, "empty_division", "行政区划为空 (empty place name)");
    if (!strip_spaces(text, buf, sizeof buf))
        return unknown(err, text);
    if (buf[0] == '\0')
        return error_set(err, HW_EINVAL, "empty_division", "行政区划为空 (empty place name)");
    if (all_digits(buf)) {
        const div_entry *e = find_entry(d, buf);
        if (e == NULL)
            return unknown(err, text);
        memcpy(code, e->code, 7);
        return HW_OK;
    }
    size_t first = key_lower_bound(d, buf), n = 0;
    while (first + n < d->n_keys && strcmp(d->keys[first + n].s, buf) == 0)
        n++;
    if (n == 0)
        return unknown(err, text);
    if (n > 1)
        return ambiguous(d, err, buf, first, n);
    memcpy(code, d->entries[d->keys[first].entry].code, 7);
    return HW_OK;
}
