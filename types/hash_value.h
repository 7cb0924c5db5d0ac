/* types/hash_value.h - a hash value in its two Redis 7.0 encodings (implementation:
 * types/hash_value.c), below the hash commands (types/t_hash.c):
 *  - KV_ENC_LISTPACK: a listpack (shm/listpack.h) of field, value, field, value...
 *    in insertion order, while there are at most hash-max-listpack-entries fields and
 *    no field or value is longer than hash-max-listpack-value bytes;
 *  - KV_ENC_HT: a struct dict of struct hash_entry (one allocation per field: link,
 *    lengths, field bytes, value bytes).
 * Conversion is one way (listpack -> table), as in Redis.
 *
 * A struct hashv is a handle on the value object: listpack changes are copy on write,
 * so they change hashv.obj (the old listpack is freed at commit); a conversion changes
 * both fields.  The table is changed in place (undo-logged).  A hash held by a kv is
 * written back with hashv_store after changing it.
 */
#ifndef TYPES_HASH_VALUE_H
#define TYPES_HASH_VALUE_H

#include "keyspace/kv.h"
#include "types/coll.h"

struct hashv {
    shm_off_t obj;
    enum kv_enc enc;
};

struct hash_entry {
    struct dict_link link;
    uint32_t flen, vlen;
    char data[];                        /* field, then value */
} __attribute__((packed));

static inline struct hashv hashv_of(struct kv *kv) { return (struct hashv){ kv_value_off(kv), (enum kv_enc)kv->enc }; }
/* Points kv at h when the handle changed (undo-logged). */
void hashv_store(struct kv *kv, struct hashv h);

/* An empty hash (listpack). */
struct hashv hashv_new(void);

uint64_t hashv_len(const struct hashv *h);
/* The value of field into *val; 0 if there is no such field. */
int hashv_get(const struct hashv *h, const char *f, size_t flen, struct coll_elem *val);

/* Converts a listpack to a table before strings of these lengths are written when one
 * is longer than hash-max-listpack-value or the listpack would pass its safe size
 * (Redis's hashTypeTryConversion). */
void hashv_fit(struct hashv *h, const size_t *lens, int n);
/* Sets field to value; returns 1 if the field is new.  Converts to a table when the
 * strings are too long for the listpack or it passes hash-max-listpack-entries. */
int hashv_set(struct hashv *h, const char *f, size_t flen, const char *v, size_t vlen);
/* Removes field; 1 if it was there.  A table shrinks when under 10% full. */
int hashv_delete(struct hashv *h, const char *f, size_t flen);

/* Calls fn for every (field, value) (listpack: insertion order) until it returns
 * nonzero. */
typedef int hashv_visit_fn(const struct coll_elem *f, const struct coll_elem *v, void *arg);
void hashv_foreach(const struct hashv *h, hashv_visit_fn *fn, void *arg);

/* out[2i], out[2i+1] = field, value of count random pairs: with repetitions
 * (hashv_random_pairs) or distinct (hashv_sample, count <= length).  Not empty. */
void hashv_random_pairs(const struct hashv *h, uint64_t count, struct coll_elem *out);
void hashv_sample(const struct hashv *h, uint64_t count, struct coll_elem *out);

/* Walks from cursor as HSCAN does (listpacks: all, cursor 0); returns the next one. */
uint64_t hashv_scan(const struct hashv *h, uint64_t cursor, struct coll_scan *scan);

/* Registers the table's dict type and the kv free/copy hooks (startup). */
void hashv_register(void);
#endif
