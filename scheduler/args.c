/* args.c - a small, strict parser for subcommand options (no globals, unlike getopt). */
#include "args.h"

#include <string.h>

args_opt *args_find(args_opt *opts, size_t nopts, const char *name)
{
    for (size_t i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

static args_opt *find_prefix(args_opt *opts, size_t nopts, const char *word, size_t len)
{
    for (size_t i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, word, len) == 0)
            return &opts[i];
    return NULL;
}

int args_parse(int argc, char **argv, args_opt *opts, size_t nopts, const char **pos, size_t max_pos, size_t *npos,
               hw_error *err)
{
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (strncmp(w, "--", 2) != 0 || w[2] == '\0') {
            if (*npos == max_pos)
                return error_set(err, HW_EINVAL, "usage", "多余的参数 (unexpected argument): %s", w);
            pos[(*npos)++] = w;
            continue;
        }
        const char *eq = strchr(w, '=');
        args_opt *o = find_prefix(opts, nopts, w, eq != NULL ? (size_t)(eq - w) : strlen(w));
        if (o == NULL)
            return error_set(err, HW_EINVAL, "usage", "未知选项 (unknown option): %.64s", w);
        o->present = true;
        if (!o->takes_value) {
            if (eq != NULL)
                return error_set(err, HW_EINVAL, "usage", "选项 %s 不带值 (option %s takes no value)", o->name, o->name);
            continue;
        }
        if (eq != NULL)
            o->value = eq + 1;
        else if (i + 1 < argc)
            o->value = argv[++i];
        else
            return error_set(err, HW_EINVAL, "usage", "选项 %s 需要一个值 (option %s needs a value)", o->name, o->name);
    }
    return 0;
}
