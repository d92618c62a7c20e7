/* csvread.h - streaming CSV records over libcsv, each with the physical line it starts on, under hard limits. */
#ifndef HW_CSVREAD_H
#define HW_CSVREAD_H

#include <stddef.h>

#include "error.h"

#define CSVREAD_MAX_FIELDS 64        /* fields in one record */
#define CSVREAD_MAX_FIELD_BYTES 8192 /* bytes in one field (after unquoting) */

/*
 * Called once per record. `line` is the 1-based physical line where the record starts
 * (LF, CR LF and a lone CR each end a line, also inside quoted fields). fields[i] is
 * NUL-terminated with length lens[i] (it may contain line breaks when it was quoted);
 * 1 <= nfields <= CSVREAD_MAX_FIELDS. The arrays and strings belong to the reader and are
 * valid only during the call. Return 0 to go on; anything else stops the reader, and
 * csvread_feed / csvread_finish return that value.
 */
typedef int (*csvread_record_fn)(size_t line, const char *const *fields, const size_t *lens, size_t nfields, void *ctx);

typedef struct csvread csvread;

/*
 * A new reader calling fn(…, ctx) per record. Parsing follows libcsv's lenient mode: quotes,
 * "" inside quotes, delimiters and line breaks inside quotes, CR LF or LF, a last line without
 * a line break. Fields come as libcsv gives them, which is not quite raw: spaces and tabs
 * around an unquoted field, and between a closing quote and the next delimiter, are dropped.
 * Empty lines and lines of only spaces (a record of one empty field) are not reported.
 * Feed it UTF-8 from encoding_decode (which removes a BOM). On success *out is owned by the
 * caller (csvread_free); fn and ctx are kept. HW_ENOMEM on failure.
 */
int csvread_new(csvread_record_fn fn, void *ctx, csvread **out, hw_error *err);

/*
 * Parse the next n bytes (any split: records, fields and characters may continue in the next
 * call). Records completed by these bytes are reported before it returns. Errors:
 * HW_EINVAL too_many_fields / field_too_long (naming the line where the record starts; a
 * field that runs on and on usually means an unclosed quote, and the message says so),
 * HW_ENOMEM, or the non-zero value fn returned. If fn stopped the reader and left `err`
 * with a different rc (or untouched), `err` gets a generic "stopped at line N" message;
 * fn may fill the same hw_error (reached through ctx) to give its own. After an error the
 * reader only accepts csvread_free. Keeps no pointer to buf.
 */
int csvread_feed(csvread *r, const char *buf, size_t n, hw_error *err);

/*
 * End of input: report the last record if it had no line break after it. A quoted field
 * still open at the end is HW_EINVAL unclosed_quote (naming the line it starts on); other
 * errors as for csvread_feed.
 */
int csvread_finish(csvread *r, hw_error *err);

/* The 1-based physical line the next byte fed would be on (lines read so far + 1 after the last break). Pure. */
size_t csvread_line(const csvread *r);

/* Free the reader and libcsv's buffer. NULL is fine. */
void csvread_free(csvread *r);

#endif
