/* vault.h - the key file, and what it protects: id numbers and phones sealed with AEAD, found through blind indexes. */
#ifndef HW_VAULT_H
#define HW_VAULT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define VAULT_INDEX_BYTES 16
/* nonce (24) + tag (16) added to the plaintext */
#define VAULT_OVERHEAD 40
#define VAULT_SEALED_MAX 128

/* Keys derived from the key file; plain bytes, wipe with vault_wipe(). */
typedef struct vault {
    uint8_t seal_key[32];  /* XChaCha20-Poly1305 */
    uint8_t index_key[32]; /* keyed BLAKE2b for blind indexes */
} vault;

/* The key file that belongs to database `db_path`: "<db_path>.key" (or $HOMEWARD_KEY_FILE). */
void vault_key_path(const char *db_path, char *buf, size_t n);

/*
 * Create the key file at `path` with mode 0600 if it does not exist (never overwrites),
 * then load it into *out. HW_EIO when it cannot be written or read, HW_EINVAL when it
 * is malformed.
 */
int vault_open(const char *path, vault *out, hw_error *err);

/*
 * A store_write_fn with `arg` = const vault *: record the key's check value in the
 * database the first time, and refuse (HW_EINVAL, "wrong_key") a key that differs from
 * the one the database was written with.
 */
int vault_bind(sqlite3 *db, void *arg, hw_error *err);

/* Blind index of `value` for `purpose` ("id", "phone"): equal inputs give equal indexes. */
void vault_index(const vault *v, const char *purpose, const char *value, uint8_t out[VAULT_INDEX_BYTES]);

/*
 * Seal `plain` for `purpose` into out[0..*n) (cap >= strlen(plain) + VAULT_OVERHEAD).
 * The purpose is authenticated, so an id sealed as "id" cannot be opened as "phone".
 */
int vault_seal(const vault *v, const char *purpose, const char *plain, uint8_t *out, size_t cap, size_t *n,
               hw_error *err);

/* Open a sealed value into buf (NUL-terminated); HW_EINVAL if it was tampered with. */
int vault_unseal(const vault *v, const char *purpose, const uint8_t *sealed, size_t n, char *buf, size_t cap,
                 hw_error *err);

/* Zero the keys. */
void vault_wipe(vault *v);

#endif
