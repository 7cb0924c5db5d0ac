/* types/set_value.h - a set value in its two Redis 7.0 encodings (implementation:
 * types/set_value.c), below the set commands (types/t_set.c, types/set_algebra.c):
 *  - KV_ENC_INTSET: an intset (shm/intset.h) while every member is a canonical
 *    integer and there are at most set-max-intset-entries of them;
 *  - KV_ENC_HT: a struct dict of struct set_entry (one allocation per member:
 *    link, length, bytes).
 * Conversion is one way (intset -> table), as in Redis.
 *
 * A struct setv is a handle on the value object: intset changes are copy on write,
 * so they change setv.obj (the old intset is freed at commit); a conversion changes
 * both fields.  The table's dict is changed in place (undo-logged by shm/dict.c).
 * A set held by a kv is written back with setv_store after changing it.
 */
#ifndef TYPES_SET_VALUE_H
#define TYPES_SET_VALUE_H

#include "keyspace/kv.h"
#include "types/coll.h"

struct setv {
    shm_off_t obj;
    enum kv_enc enc;
};

struct set_entry {
    struct dict_link link;
    uint32_t len;
    char data[];
} __attribute__((packed));

static inline struct setv setv_of(struct kv *kv) { return (struct setv){ kv_value_off(kv), (enum kv_enc)kv->enc }; }
/* Points kv at s when the handle changed (undo-logged). */
void setv_store(struct kv *kv, struct setv s);

/* An empty set in the encoding Redis picks for a first member (setTypeCreate). */
struct setv setv_new_for(const struct coll_elem *first);
/* An empty intset (results of SINTERSTORE, SUNIONSTORE, SDIFFSTORE). */
struct setv setv_new_intset(void);

uint64_t setv_size(const struct setv *s);
int setv_contains(const struct setv *s, const struct coll_elem *m);
/* Adds m; 1 if it was not a member.  Converts to a table as Redis does. */
int setv_add(struct setv *s, const struct coll_elem *m);
/* Removes m; 1 if it was a member.  A table shrinks when under 10% full. */
int setv_remove(struct setv *s, const struct coll_elem *m);
/* Removes n members known to be in the set (one rebuild for an intset). */
void setv_remove_members(struct setv *s, const struct coll_elem *m, uint64_t n);

/* Calls fn for every member (intset: ascending) until it returns nonzero. */
typedef int setv_visit_fn(const struct coll_elem *m, void *arg);
void setv_foreach(const struct setv *s, setv_visit_fn *fn, void *arg);

/* A random member (repetitions allowed between calls); the set is not empty. */
struct coll_elem setv_random(const struct setv *s);
/* Fills out[0..count) with distinct random members (count <= size). */
void setv_sample(const struct setv *s, uint64_t count, struct coll_elem *out);

/* Walks from cursor as SSCAN does and returns the next cursor (intsets: all, 0). */
uint64_t setv_scan(const struct setv *s, uint64_t cursor, struct coll_scan *scan);

/* Frees a value that no kv holds (an empty result never stored). */
void setv_discard(struct setv s);

/* Registers the table's dict type and the kv free/copy hooks (startup). */
void setv_register(void);
#endif
