/* sheetstyle.c - the printable look shared by homeward's xlsx lists. */
#include "sheetstyle.h"

void sheetstyle_add(lxw_workbook *book, sheetstyle *out)
{
    out->title = workbook_add_format(book);
    format_set_bold(out->title);
    format_set_font_size(out->title, 14);
    out->head = workbook_add_format(book);
    format_set_bold(out->head);
    format_set_border(out->head, LXW_BORDER_THIN);
    format_set_bg_color(out->head, 0xDDDDDD);
    out->cell = workbook_add_format(book);
    format_set_border(out->cell, LXW_BORDER_THIN);
}
