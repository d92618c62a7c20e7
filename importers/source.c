/* source.c - import sources: local files, and http(s) URLs downloaded with libcurl into an unlinked temporary file. */
#include "source.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HOMEWARD_VERSION
#define HOMEWARD_VERSION "dev"
#endif

#define NAME_CAP 208

struct source {
    FILE *fp;
    char name[NAME_CAP];
};

/* Length of the "scheme://" prefix of `spec` if it has one (RFC 3986 scheme characters), else 0. */
static size_t scheme_prefix(const char *spec)
{
    const char *sep = strstr(spec, "://");
    if (sep == NULL || sep == spec)
        return 0;
    for (const char *p = spec; p < sep; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (p > spec && ((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'));
        if (!ok)
            return 0;
    }
    return (size_t)(sep - spec) + 3;
}

/* Append s[0..n) to out (length *len, capacity cap); false if it did not fit (then cut at a character boundary). */
static bool append_cut(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    bool fits = n < cap - *len;
    if (!fits) {
        n = cap - *len - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* s[n] would be the first byte left out: do not split its character */
    }
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
    return fits;
}

void source_display_name(const char *spec, char *out, size_t cap)
{
    size_t len = 0, skip = scheme_prefix(spec);
    bool fits;
    if (cap == 0)
        return;
    out[0] = '\0';
    if (skip == 0) {
        fits = append_cut(out, cap, &len, spec, strlen(spec));
    } else {
        const char *auth = spec + skip;
        size_t auth_len = strcspn(auth, "/?#");
        const char *host = auth;
        for (size_t i = 0; i < auth_len; i++)
            if (auth[i] == '@')
                host = auth + i + 1; /* the last '@' ends the user:password part */
        const char *path = auth + auth_len;
        fits = append_cut(out, cap, &len, spec, skip) && append_cut(out, cap, &len, host, (size_t)(path - host)) &&
               append_cut(out, cap, &len, path, strcspn(path, "?#"));
    }
    if (!fits && cap > 4) {
        len = len > cap - 4 ? cap - 4 : len;
        while (len > 0 && ((unsigned char)out[len] & 0xC0) == 0x80)
            len--;
        memcpy(out + len, "...", 4);
    }
}

static int open_file(source *s, const char *path, hw_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return error_set(err, HW_EIO, "not_found", "文件不存在 (no such file): %s", s->name);
        if (e == EACCES)
            return error_set(err, HW_EIO, "unreadable", "没有读取文件的权限 (permission denied): %s", s->name);
        return error_set(err, HW_EIO, "unreadable", "无法打开文件 (cannot open the file) %s: %s", s->name, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        close(fd);
        return error_set(err, HW_EIO, "not_a_file", "这是目录而不是文件 (this is a directory, not a file): %s",
                         s->name);
    }
    s->fp = fdopen(fd, "rb");
    if (s->fp == NULL) {
        int e = errno;
        close(fd);
        return error_set(err, HW_EIO, "unreadable", "无法打开文件 (cannot open the file) %s: %s", s->name, strerror(e));
    }
    return 0;
}

struct download {
    FILE *fp;
    curl_off_t size;
    bool too_big;
    bool write_failed;
};

/* libcurl write callback: append to the temporary file, refusing to go past SOURCE_MAX_BYTES. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct download *d = userdata;
    size_t n = size * nmemb;
    if ((curl_off_t)n > (curl_off_t)SOURCE_MAX_BYTES - d->size) {
        d->too_big = true;
        return 0;
    }
    if (fwrite(ptr, 1, n, d->fp) != n) {
        d->write_failed = true;
        return 0;
    }
    d->size += (curl_off_t)n;
    return n;
}

static void set_options(CURL *c, const char *url, struct download *d, char *errbuf)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)SOURCE_MAX_REDIRECTS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)SOURCE_CONNECT_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SOURCE_TOTAL_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SOURCE_MAX_BYTES);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* we run on worker threads */
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "homeward/" HOMEWARD_VERSION);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
}

/* Turn the outcome of a transfer into 0 or an error. */
static int download_result(const source *s, CURLcode rc, long status, const struct download *d, const char *errbuf,
                           hw_error *err)
{
    if (d->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return error_set(err, HW_ETOOBIG, "too_big", "下载的文件超过 %ld MiB (the download is larger than %ld MiB): %s",
                         SOURCE_MAX_BYTES >> 20, SOURCE_MAX_BYTES >> 20, s->name);
    if (d->write_failed)
        return error_set(err, HW_EIO, "tmpfile", "无法写入临时文件 (cannot write the temporary file): %s", s->name);
    if (rc != CURLE_OK)
        return error_set(err, HW_EIO, "download_failed", "下载失败 (download failed) %s: %s", s->name,
                         errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
    if (status < 200 || status > 299)
        return error_set(err, HW_EIO, "http_status", "服务器返回 HTTP %ld (the server answered HTTP %ld): %s", status,
                         status, s->name);
    return 0;
}

static int fetch_url(source *s, const char *url, hw_error *err)
{
    struct download d = {.fp = tmpfile()};
    if (d.fp == NULL)
        return error_set(err, HW_EIO, "tmpfile", "无法创建临时文件 (cannot create a temporary file): %s",
                         strerror(errno));
    CURL *c = curl_easy_init();
    if (c == NULL) {
        fclose(d.fp);
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    set_options(c, url, &d, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    int r = download_result(s, rc, status, &d, errbuf, err);
    if (r == 0 && (fflush(d.fp) != 0 || fseek(d.fp, 0, SEEK_SET) != 0))
        r = error_set(err, HW_EIO, "tmpfile", "无法读取临时文件 (cannot read the temporary file): %s", strerror(errno));
    if (r != 0) {
        fclose(d.fp);
        return r;
    }
    s->fp = d.fp;
    return 0;
}

int source_open(const char *spec, source **out, hw_error *err)
{
    *out = NULL;
    if (spec == NULL || spec[0] == '\0')
        return error_set(err, HW_EINVAL, "bad_source", "没有给出文件或网址 (no file or URL given)");
    source *s = calloc(1, sizeof *s);
    if (s == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    source_display_name(spec, s->name, sizeof s->name);
    size_t scheme = scheme_prefix(spec);
    int rc;
    if (scheme == 0)
        rc = open_file(s, spec, err);
    else if (strncasecmp(spec, "http://", 7) == 0 || strncasecmp(spec, "https://", 8) == 0)
        rc = fetch_url(s, spec, err);
    else
        rc = error_set(err, HW_EINVAL, "bad_source",
                       "只支持 http:// 和 https:// 网址 (only http:// and https:// URLs "
                       "are supported): %s",
                       s->name);
    if (rc != 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int source_read(source *s, char *buf, size_t cap, size_t *n, hw_error *err)
{
    *n = fread(buf, 1, cap, s->fp);
    if (*n == 0 && ferror(s->fp))
        return error_set(err, HW_EIO, "read_failed", "读取失败 (read error): %s", s->name);
    return 0;
}

const char *source_name(const source *s)
{
    return s->name;
}

void source_close(source *s)
{
    if (s == NULL)
        return;
    if (s->fp != NULL)
        fclose(s->fp);
    free(s);
}
