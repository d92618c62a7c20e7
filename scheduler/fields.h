/* fields.h - the description of one column of a record kind, shared by the CSV importers and the JSON API. */
#ifndef HW_FIELDS_H
#define HW_FIELDS_H

#include <stdbool.h>

/* A column: its Chinese and English names (CSV headers, JSON keys use `en`) and whether it is required. */
typedef struct field_spec {
    const char *zh;
    const char *en;
    bool required;
} field_spec;

#endif
