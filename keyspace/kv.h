/* keyspace/kv.h - a key and its value: the entry stored in a database's hash table.
 *
 * One arena allocation per key holds the chain link, the header, the key bytes and,
 * for small strings, the value itself:
 *   [link][lru type enc flags][keylen][vlen][key bytes][payload]
 * payload by encoding:
 *   KV_ENC_EMBSTR  vlen value bytes, inline                  (OBJECT ENCODING embstr)
 *   KV_ENC_INT     an int64 (unaligned), vlen = 8             (int)
 *   other          a shm_off_t to the value object, vlen = 8 (raw: a struct kv_blob; later
 *                  types: their own structures)
 * Invariants: a kv in a table changes in place only through undo-logged stores: its
 * lru and flags, its payload (an int updated by INCR, a value object offset replaced
 * by obj_set_value) and the bytes of a raw blob it owns; a change of the kv's size
 * builds a new kv and swaps it in with dict_replace_at.  KV_FLAG_TTL is set
 * exactly when the key has an entry in its database's expires table.
 */
#ifndef KEYSPACE_KV_H
#define KEYSPACE_KV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "shm/dict.h"

/* Types and encodings keep Redis's numbering (RDB and OBJECT ENCODING map onto them). */
enum kv_type { KV_STRING = 0, KV_LIST = 1, KV_SET = 2, KV_ZSET = 3, KV_HASH = 4, KV_STREAM = 6 };
enum kv_enc {
    KV_ENC_RAW = 0, KV_ENC_INT = 1, KV_ENC_HT = 2, KV_ENC_INTSET = 6, KV_ENC_SKIPLIST = 7,
    KV_ENC_EMBSTR = 8, KV_ENC_QUICKLIST = 9, KV_ENC_LISTPACK = 11,
};
#define KV_FLAG_TTL 0x01
#define KV_FLAG_UNSHARED 0x02      /* a small int Redis would not share (COPY's): OBJECT REFCOUNT 1 */

#define KV_EMBSTR_MAX 44            /* Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT */

struct kv {
    struct dict_link link;
    uint32_t lru;                   /* LRU clock (seconds) of the last access */
    uint8_t type, enc, flags, reserved;
    uint32_t keylen;
    uint32_t vlen;
    char data[];                    /* key, then payload */
} __attribute__((packed));

/* A raw string value: len bytes used of the allocation's usable size. */
struct kv_blob {
    uint64_t len;
    char data[];
};

static inline struct kv *kv_at(shm_off_t off) { return (struct kv *)shm_ptr(off); }
static inline const char *kv_key(const struct kv *kv) { return kv->data; }
static inline char *kv_payload(struct kv *kv) { return kv->data + kv->keylen; }

static inline shm_off_t kv_value_off(struct kv *kv)
{
    shm_off_t off;
    memcpy(&off, kv_payload(kv), sizeof(off));
    return off;
}
static inline long long kv_int(struct kv *kv)
{
    long long v;
    memcpy(&v, kv_payload(kv), sizeof(v));
    return v;
}

/* Builds a new kv (not in any table) for key with a string value.  KV_STR_AUTO
 * chooses the encoding Redis would: int for canonical integers of up to 20 chars,
 * embstr up to 44 bytes, raw above; KV_STR_NOINT the same without int (INCRBYFLOAT,
 * Redis's createStringObject); KV_STR_RAW raw whatever the size (APPEND, SETRANGE). */
enum kv_str_mode { KV_STR_AUTO = 0, KV_STR_NOINT = 1, KV_STR_RAW = 2 };
shm_off_t kv_new_string(const void *key, size_t klen, const void *val, size_t vlen, enum kv_str_mode mode);
shm_off_t kv_new_int(const void *key, size_t klen, long long v);
/* Rewrites a string kv's value in place (old bytes undo-logged) when the new value
 * takes the same encoding and payload size - an int, or an embstr of the same length -
 * so its allocation fits exactly; 0 (nothing changed) otherwise.  Only the value: the
 * caller does what replacing the kv would (keyspace/db.h: db_overwritten). */
int kv_overwrite_string(struct kv *kv, const void *val, size_t vlen, enum kv_str_mode mode);
/* A kv holding an offset to a value object of another type. */
shm_off_t kv_new_object(const void *key, size_t klen, enum kv_type type, enum kv_enc enc, shm_off_t obj);

/* A string value's bytes: for int encoding they are formatted into buf (>= 21 bytes). */
const char *kv_string(struct kv *kv, char *buf, size_t *len);

/* Frees the kv and the value it owns (at commit). */
void kv_free(shm_off_t kv);

/* A raw blob with room for at least cap bytes (len = 0). */
shm_off_t kv_blob_new(size_t cap);
size_t kv_blob_cap(shm_off_t blob);

/* Registers the value freers of the other types (types/ call this at startup). */
typedef void kv_value_free_fn(shm_off_t obj, enum kv_enc enc);
void kv_register_value_free(enum kv_type type, kv_value_free_fn *fn);

/* Registers the deep copiers of the other types' values (COPY): returns a new value
 * object equal to obj, in the same encoding. */
typedef shm_off_t kv_value_copy_fn(shm_off_t obj, enum kv_enc enc);
void kv_register_value_copy(enum kv_type type, kv_value_copy_fn *fn);

/* A new kv (not in any table, no TTL flag) for key holding a deep copy of kv's value
 * (COPY). */
shm_off_t kv_copy(shm_off_t kv, const void *key, size_t klen);
/* A new kv for key that takes over kv's value; kv itself, already unlinked from its
 * tables by the caller, is freed (RENAME, MOVE). */
shm_off_t kv_move(shm_off_t kv, const void *key, size_t klen);

/* The dict type id of keyspace tables. */
#define DICT_TYPE_KEYS 1
#define DICT_TYPE_EXPIRES 2
#define DICT_TYPE_HASH 3                /* types/t_hash.c */
#define DICT_TYPE_SET 4                 /* types/t_set.c */
#define DICT_TYPE_ZSET 5                /* types/t_zset.c */
#endif
