/* test_openapi.c - docs/openapi.yaml describes exactly the routes of routes/router.c's router_table (DESIGN §6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

#define SPEC_PATH HOMEWARD_SOURCE_DIR "/docs/openapi.yaml"
#define SPEC_MAX (1024 * 1024)

/*
 * A minimal reading of the YAML by indentation, enough for the layout the file keeps:
 *
 *   paths:                 indent 0
 *     /api/v1/users:       indent 2, the path exactly as the router pattern
 *       get:               indent 4, the lower-case method
 *         security: []     indent 6, present on the token-free routes only
 *
 * Blank lines and comment lines never open or close a block.
 */
typedef struct line {
    const char *text; /* after the indentation */
    size_t len;       /* without trailing spaces and CR */
    int indent;
} line;

/* The next line at *cursor (advanced past it); false at the end of the text. */
static bool next_line(const char **cursor, line *out)
{
    const char *s = *cursor;
    if (*s == '\0')
        return false;
    const char *end = strchr(s, '\n');
    if (end == NULL)
        end = s + strlen(s);
    *cursor = *end == '\n' ? end + 1 : end;
    int indent = 0;
    while (s + indent < end && s[indent] == ' ')
        indent++;
    size_t len = (size_t)(end - s) - (size_t)indent;
    while (len > 0 && (s[indent + len - 1] == ' ' || s[indent + len - 1] == '\r'))
        len--;
    *out = (line){s + indent, len, indent};
    return true;
}

/* Blank or comment-only lines carry no structure. */
static bool is_structural(const line *l)
{
    return l->len > 0 && l->text[0] != '#';
}

/* Whether `l` is the mapping key `key`: "key:" alone, or followed by a space (a value or a comment). */
static bool is_key(const line *l, const char *key)
{
    size_t n = strlen(key);
    return l->len > n && memcmp(l->text, key, n) == 0 && l->text[n] == ':' &&
           (l->len == n + 1 || l->text[n + 1] == ' ');
}

/*
 * The text just after the line of `key` at `indent` inside the block that starts at
 * `block` (the block ends at the first structural line indented at most `indent - 2`),
 * or NULL. `*count` (may be NULL) receives how many times the key occurs there.
 */
static const char *find_key(const char *block, int indent, const char *key, int *count)
{
    const char *cursor = block, *found = NULL;
    int n = 0;
    line l;
    while (next_line(&cursor, &l)) {
        if (!is_structural(&l))
            continue;
        if (l.indent < indent)
            break;
        if (l.indent == indent && is_key(&l, key)) {
            if (found == NULL)
                found = cursor;
            n++;
        }
    }
    if (count != NULL)
        *count = n;
    return found;
}

/* The block under the top-level `paths:` key, or NULL. */
static const char *paths_block(const char *spec)
{
    return find_key(spec, 0, "paths", NULL);
}

/* The block of the operation `method` ("GET"...) on `path`, or NULL when it is not documented. */
static const char *operation_block(const char *spec, const char *path, const char *method)
{
    char lower[16];
    size_t i = 0;
    for (; method[i] != '\0' && i + 1 < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)method[i]);
    lower[i] = '\0';
    const char *paths = paths_block(spec);
    const char *item = paths != NULL ? find_key(paths, 2, path, NULL) : NULL;
    return item != NULL ? find_key(item, 4, lower, NULL) : NULL;
}

/* Whether the operation block says `security: []` (no token needed). */
static bool operation_is_public(const char *op)
{
    const char *cursor = op;
    line l;
    while (next_line(&cursor, &l)) {
        if (!is_structural(&l))
            continue;
        if (l.indent < 6)
            break;
        if (l.indent == 6 && l.len == strlen("security: []") && memcmp(l.text, "security: []", l.len) == 0)
            return true;
    }
    return false;
}

static int load_spec(void **state)
{
    FILE *f = fopen(SPEC_PATH, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", SPEC_PATH);
        return -1;
    }
    char *text = malloc(SPEC_MAX + 1);
    size_t len = text != NULL ? fread(text, 1, SPEC_MAX + 1, f) : 0;
    fclose(f);
    if (text == NULL || len == 0 || len > SPEC_MAX) {
        fprintf(stderr, "%s is empty or larger than %d bytes\n", SPEC_PATH, SPEC_MAX);
        free(text);
        return -1;
    }
    text[len] = '\0';
    *state = text;
    return 0;
}

static int free_spec(void **state)
{
    free(*state);
    return 0;
}

/* The reader itself: keys elsewhere in the file, or at the wrong depth, do not count. */
static void test_reader_is_strict(void **state)
{
    (void)state;
    static const char doc[] = "openapi: 3.1.0\n"
                              "x-notes:\n"
                              "  /api/v1/ghost:\n"
                              "    get:\n"
                              "paths:\n"
                              "  # a comment\n"
                              "\n"
                              "  /api/v1/a:\n"
                              "    summary: none\n"
                              "      get:\n"
                              "    post:\n"
                              "      security: []\n"
                              "  /api/v1/a/{ref}:\n"
                              "    get:\n"
                              "      summary: x\n"
                              "  /api/v1/b:   \r\n"
                              "    get: # inline comment\n"
                              "components:\n"
                              "  /api/v1/c:\n"
                              "    get:\n";
    assert_null(operation_block(doc, "/api/v1/ghost", "GET"));
    assert_null(operation_block(doc, "/api/v1/a", "GET"));
    assert_non_null(operation_block(doc, "/api/v1/a", "POST"));
    assert_true(operation_is_public(operation_block(doc, "/api/v1/a", "POST")));
    assert_non_null(operation_block(doc, "/api/v1/a/{ref}", "GET"));
    assert_false(operation_is_public(operation_block(doc, "/api/v1/a/{ref}", "GET")));
    assert_non_null(operation_block(doc, "/api/v1/b", "GET"));
    assert_null(operation_block(doc, "/api/v1/c", "GET"));
    assert_null(operation_block(doc, "/api/v1/a/", "GET"));
}

static void test_spec_is_openapi_3_1(void **state)
{
    const char *spec = *state;
    assert_true(strncmp(spec, "openapi: 3.1.", strlen("openapi: 3.1.")) == 0);
    int count = 0;
    assert_non_null(find_key(spec, 0, "paths", &count));
    assert_int_equal(count, 1);
}

/* Every route of the table is documented with its method, once. */
static void test_every_route_documented(void **state)
{
    const char *spec = *state;
    const char *paths = paths_block(spec);
    assert_non_null(paths);
    assert_true(router_table_len > 0);
    for (size_t i = 0; i < router_table_len; i++) {
        const route *r = &router_table[i];
        int count = 0;
        const char *item = find_key(paths, 2, r->pattern, &count);
        if (item == NULL)
            fail_msg("%s is not a path in docs/openapi.yaml (expected a line \"  %s:\" under paths:)", r->pattern,
                     r->pattern);
        if (count != 1)
            fail_msg("%s appears %d times under paths:", r->pattern, count);
        if (operation_block(spec, r->pattern, r->method) == NULL)
            fail_msg("%s %s: the path is documented but not the method", r->method, r->pattern);
    }
}

/* The two token-free routes outside /api/v1 are documented and marked as needing no token. */
static void test_health_and_metrics_documented(void **state)
{
    const char *spec = *state;
    static const char *const plain[] = {"/healthz", "/metrics"};
    for (size_t i = 0; i < 2; i++) {
        const char *op = operation_block(spec, plain[i], "GET");
        if (op == NULL)
            fail_msg("GET %s is not documented", plain[i]);
        if (!operation_is_public(op))
            fail_msg("GET %s needs no token: its operation must say security: []", plain[i]);
    }
}

/* A documented route needs a token exactly when the table says so. */
static void test_security_matches_table(void **state)
{
    const char *spec = *state;
    for (size_t i = 0; i < router_table_len; i++) {
        const route *r = &router_table[i];
        const char *op = operation_block(spec, r->pattern, r->method);
        if (op == NULL)
            continue; /* reported by test_every_route_documented */
        bool public_route = r->perm == AUTH_PERM_PUBLIC;
        if (operation_is_public(op) != public_route)
            fail_msg("%s %s: the table says %s, the document says %s", r->method, r->pattern,
                     public_route ? "no token" : "token required", public_route ? "token required" : "no token");
    }
}

static bool in_table(const char *path, const char *method_lower)
{
    for (size_t i = 0; i < router_table_len; i++) {
        const route *r = &router_table[i];
        if (strcmp(r->pattern, path) != 0 || strlen(r->method) != strlen(method_lower))
            continue;
        size_t k = 0;
        while (r->method[k] != '\0' && tolower((unsigned char)r->method[k]) == method_lower[k])
            k++;
        if (r->method[k] == '\0')
            return true;
    }
    return false;
}

/* Nothing is documented that the daemon does not serve (an operation is a method key under a path). */
static void test_no_route_documented_that_does_not_exist(void **state)
{
    static const char *const methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    const char *spec = *state;
    const char *cursor = paths_block(spec);
    char path[256] = "";
    line l;
    assert_non_null(cursor);
    while (next_line(&cursor, &l)) {
        if (!is_structural(&l))
            continue;
        if (l.indent == 0)
            break;
        if (l.indent == 2) {
            assert_true(l.len > 1 && l.text[l.len - 1] == ':' && l.len < sizeof path);
            snprintf(path, sizeof path, "%.*s", (int)(l.len - 1), l.text);
            continue;
        }
        for (size_t m = 0; l.indent == 4 && m < sizeof methods / sizeof methods[0]; m++) {
            if (!is_key(&l, methods[m]))
                continue;
            bool plain =
                strcmp(methods[m], "get") == 0 && (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0);
            if (!plain && !in_table(path, methods[m]))
                fail_msg("docs/openapi.yaml documents %s %s, which is not in router_table", methods[m], path);
        }
    }
}

int main(void)
{
    const struct CMUnitTest reader[] = {
        cmocka_unit_test(test_reader_is_strict),
    };
    const struct CMUnitTest spec[] = {
        cmocka_unit_test(test_spec_is_openapi_3_1),
        cmocka_unit_test(test_every_route_documented),
        cmocka_unit_test(test_health_and_metrics_documented),
        cmocka_unit_test(test_security_matches_table),
        cmocka_unit_test(test_no_route_documented_that_does_not_exist),
    };
    int failed = cmocka_run_group_tests_name("openapi_reader", reader, NULL, NULL);
    failed += cmocka_run_group_tests_name("openapi_spec", spec, load_spec, free_spec);
    return failed;
}
