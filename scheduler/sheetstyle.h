/* sheetstyle.h - the printable look shared by homeward's xlsx lists (manifests, the register). */
#ifndef HW_SHEETSTYLE_H
#define HW_SHEETSTYLE_H

#include <xlsxwriter.h>

/* The formats of a printed list: a bold title, a shaded bordered header row, bordered cells. */
typedef struct sheetstyle {
    lxw_format *title;
    lxw_format *head;
    lxw_format *cell;
} sheetstyle;

/* Add the formats to `book`; they belong to the workbook (freed by workbook_close). */
void sheetstyle_add(lxw_workbook *book, sheetstyle *out);

#endif
