/* source.h - where an import's bytes come from: a local file, or an http(s) URL fetched into a temporary file. */
#ifndef HW_SOURCE_H
#define HW_SOURCE_H

#include <stddef.h>

#include "error.h"

/* Limits for URL sources. */
#define SOURCE_MAX_BYTES (256L * 1024 * 1024) /* larger downloads are refused (HW_ETOOBIG) */
#define SOURCE_CONNECT_TIMEOUT 10             /* seconds */
#define SOURCE_TOTAL_TIMEOUT 120              /* seconds, for the whole download */
#define SOURCE_MAX_REDIRECTS 3

typedef struct source source;

/*
 * Open `spec` for reading: a file path, or an http:// or https:// URL. A URL is downloaded
 * completely before this returns (blocking: call it from a worker thread, not the loop) into
 * an already unlinked temporary file, with the limits above; redirects are followed, only to
 * http/https. On success *out is a new source that the caller closes with source_close; `spec`
 * is not kept. Errors:
 *   HW_EIO    file missing or unreadable (not_found, unreadable, not_a_file), network failures
 *             (download_failed), a non-2xx answer (http_status, naming the status);
 *   HW_ETOOBIG a download over SOURCE_MAX_BYTES (too_big);
 *   HW_EINVAL empty spec or a URL scheme other than http/https (bad_source);
 *   HW_ENOMEM.
 * Messages name the source as source_name would (no query string, no user:password).
 */
int source_open(const char *spec, source **out, hw_error *err);

/*
 * Read up to `cap` bytes into buf; *n gets how many (0 only at the end). HW_EIO on a read
 * error. Keeps no pointer to buf.
 */
int source_read(source *s, char *buf, size_t cap, size_t *n, hw_error *err);

/*
 * The source as it may appear in messages and logs: the path, or the URL without its
 * user:password@, query string and fragment, cut to about 200 bytes. Owned by `s`, valid
 * until source_close.
 */
const char *source_name(const source *s);

/* Close the file (a downloaded temporary file disappears) and free `s`. NULL is fine. */
void source_close(source *s);

/*
 * Write the display form of `spec` (as source_name describes) to out[0..cap), NUL-terminated,
 * cut at a UTF-8 character boundary. Pure; keeps nothing.
 */
void source_display_name(const char *spec, char *out, size_t cap);

#endif
