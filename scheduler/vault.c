/* vault.c - key file handling with libsodium: subkeys via crypto_kdf, XChaCha20-Poly1305 sealing, BLAKE2b blind indexes. */
#include "vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#define KEY_HEADER "homeward-key-v1\n"

void vault_key_path(const char *db_path, char *buf, size_t n)
{
    const char *env = getenv("HOMEWARD_KEY_FILE");
    if (env != NULL && env[0] != '\0')
        snprintf(buf, n, "%s", env);
    else
        snprintf(buf, n, "%s.key", db_path);
}

static int create_key_file(const char *path, hw_error *err)
{
    uint8_t master[crypto_kdf_KEYBYTES];
    char hex[crypto_kdf_KEYBYTES * 2 + 1];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return errno == EEXIST ? 0
                               : error_set(err, HW_EIO, "key_file", "无法建立密钥文件 %s (cannot create key file): %s",
                                           path, strerror(errno));
    crypto_kdf_keygen(master);
    sodium_bin2hex(hex, sizeof hex, master, sizeof master);
    sodium_memzero(master, sizeof master);
    char text[sizeof KEY_HEADER + sizeof hex + 1];
    int len = snprintf(text, sizeof text, "%s%s\n", KEY_HEADER, hex);
    sodium_memzero(hex, sizeof hex);
    ssize_t w = write(fd, text, (size_t)len);
    sodium_memzero(text, sizeof text);
    if (w != len || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return error_set(err, HW_EIO, "key_file", "无法写入密钥文件 %s (cannot write key file)", path);
    }
    close(fd);
    return 0;
}

static int read_master(const char *path, uint8_t master[crypto_kdf_KEYBYTES], hw_error *err)
{
    char text[128] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return error_set(err, HW_EIO, "key_file", "无法读取密钥文件 %s (cannot read key file): %s", path, strerror(errno));
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    size_t hlen = strlen(KEY_HEADER);
    size_t bin_len = 0;
    int bad = n < (ssize_t)(hlen + crypto_kdf_KEYBYTES * 2) || strncmp(text, KEY_HEADER, hlen) != 0 ||
              sodium_hex2bin(master, crypto_kdf_KEYBYTES, text + hlen, crypto_kdf_KEYBYTES * 2, NULL, &bin_len,
                             NULL) != 0 ||
              bin_len != crypto_kdf_KEYBYTES;
    sodium_memzero(text, sizeof text);
    if (bad)
        return error_set(err, HW_EINVAL, "key_file", "密钥文件格式错误 %s (malformed key file)", path);
    return 0;
}

int vault_open(const char *path, vault *out, hw_error *err)
{
    uint8_t master[crypto_kdf_KEYBYTES];
    if (sodium_init() < 0)
        return error_set(err, HW_EIO, "sodium", "libsodium 初始化失败 (libsodium failed to initialize)");
    int rc = create_key_file(path, err);
    if (rc == 0)
        rc = read_master(path, master, err);
    if (rc != 0)
        return rc;
    crypto_kdf_derive_from_key(out->seal_key, sizeof out->seal_key, 1, "homeward", master);
    crypto_kdf_derive_from_key(out->index_key, sizeof out->index_key, 2, "homeward", master);
    sodium_memzero(master, sizeof master);
    return 0;
}

void vault_wipe(vault *v)
{
    sodium_memzero(v, sizeof *v);
}

void vault_index(const vault *v, const char *purpose, const char *value, uint8_t out[VAULT_INDEX_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, v->index_key, sizeof v->index_key, VAULT_INDEX_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
    crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&st, out, VAULT_INDEX_BYTES);
}

int vault_seal(const vault *v, const char *purpose, const char *plain, uint8_t *out, size_t cap, size_t *n,
               hw_error *err)
{
    size_t len = strlen(plain);
    if (cap < len + VAULT_OVERHEAD)
        return error_set(err, HW_ETOOBIG, "too_long", "字段过长 (value too long)");
    randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
                                               (const unsigned char *)plain, len, (const unsigned char *)purpose,
                                               strlen(purpose), NULL, out, v->seal_key);
    *n = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
    return 0;
}

int vault_unseal(const vault *v, const char *purpose, const uint8_t *sealed, size_t n, char *buf, size_t cap,
                 hw_error *err)
{
    const size_t nonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    unsigned long long mlen = 0;
    if (n < VAULT_OVERHEAD || n - VAULT_OVERHEAD >= cap ||
        crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)buf, &mlen, NULL, sealed + nonce, n - nonce,
                                                   (const unsigned char *)purpose, strlen(purpose), sealed,
                                                   v->seal_key) != 0)
        return error_set(err, HW_EINVAL, "unseal_failed", "无法解密,密钥不符或数据被改动 (cannot decrypt: wrong key or tampered data)");
    buf[mlen] = '\0';
    return 0;
}

int vault_bind(sqlite3 *db, void *arg, hw_error *err)
{
    const vault *v = arg;
    uint8_t check[VAULT_INDEX_BYTES];
    sqlite3_stmt *st = NULL;
    vault_index(v, "key-check", "homeward", check);
    int rc = sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES ('key_check', ?) ON CONFLICT(key) DO NOTHING",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, check, sizeof check, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error(db, rc, "meta", err);
    rc = sqlite3_prepare_v2(db, "SELECT value = ? FROM meta WHERE key = 'key_check'", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "meta", err);
    sqlite3_bind_blob(st, 1, check, sizeof check, SQLITE_STATIC);
    int same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    if (!same)
        return error_set(err, HW_EINVAL, "wrong_key",
                         "密钥文件与数据库不匹配,请使用建库时的密钥文件 (the key file does not belong to this "
                         "database; use the key file it was created with)");
    return 0;
}
