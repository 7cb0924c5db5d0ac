/* shm/dict.h - chained hash tables in the arena with incremental rehashing
 * (implementation: shm/dict.c).  The keyspace and, later, large hashes, sets and
 * sorted sets use them.
 *
 * Entries are arena allocations owned by the caller whose first field is the chain
 * link (struct dict_link).  The table never copies keys: it asks the entry's key from
 * the dict's type (dict_types[type].key), so entries of every kind share one table code.
 *
 * Invariants (checked by dict_check):
 *  - table[0] and table[1] sizes are powers of two (or 0); while rehashing
 *    (rehash_idx >= 0) every bucket of table[0] below rehash_idx is empty.
 *  - used[0] + used[1] == number of entries reachable from the buckets.
 *  - Every change to buckets, links and counters is undo-logged: call inside a write.
 *  - Lookups never change the table, so read-only commands need no undo log.
 *  - Each write operation (add/unlink) moves at most one bucket (visiting at most 10
 *    empty buckets) of an ongoing rehash, as Redis's dictRehash does.
 */
#ifndef SHM_DICT_H
#define SHM_DICT_H

#include <stddef.h>
#include <stdint.h>
#include "shm/arena.h"

struct dict_link {
    shm_off_t next;                 /* next entry in the bucket chain, 0 at the end */
};

struct dict {
    shm_off_t table[2];             /* bucket arrays of shm_off_t; table[1] only while rehashing */
    uint64_t size[2];               /* buckets, power of two or 0 */
    uint64_t used[2];
    int64_t rehash_idx;             /* -1 when not rehashing */
    uint32_t type;                  /* index into dict_types */
    uint32_t pause_resize;          /* >0: do not start a resize (a fork-less save in progress) */
};

/* How a table reads an entry's key.  Types are registered statically in
 * dict_types[] (same binary in every process, so no function pointer is ever stored
 * in the arena: only the index). */
struct dict_type {
    const char *name;
    /* key bytes of the entry at off */
    const void *(*key)(shm_off_t entry, size_t *len);
    /* frees the entry (and what it owns) - used by dict_release; may be NULL */
    void (*free_entry)(shm_off_t entry);
};

#define DICT_TYPES_MAX 16
extern const struct dict_type *dict_types[DICT_TYPES_MAX];

/* Registers a type at index id (at startup, before the first fork). */
void dict_register_type(uint32_t id, const struct dict_type *type);

/* 64-bit keyed hash of a byte string (seed from the arena header). */
uint64_t dict_hash(const void *key, size_t len);

/* Initializes an empty table in place (the struct is already in the arena and either
 * freshly allocated or undo-logged by the caller). */
void dict_init(struct dict *d, uint32_t type);

static inline uint64_t dict_size(const struct dict *d) { return d->used[0] + d->used[1]; }

/* Finds the entry with this key; 0 if none.  Read-only. */
shm_off_t dict_find(const struct dict *d, const void *key, size_t len);

/* Finds the link slot that points at the entry with this key (a bucket head or the
 * previous entry's next field), so the caller can replace the entry in place:
 * UNDO_SET(*slot, new_entry) after copying the chain link into the new entry.
 * NULL if absent.  Read-only itself. */
shm_off_t *dict_find_slot(const struct dict *d, const void *key, size_t len);

/* Starts loading what a lookup of key will read: its bucket (entry == 0), or the
 * bucket's first entry (entry == 1, once the bucket is cached).  A command with many
 * keys prefetches all buckets, then all entries, then works, so its cache misses
 * overlap instead of following one another.  Read-only. */
void dict_prefetch(const struct dict *d, const void *key, size_t len, int entry);

/* Adds an entry whose key is not in the table (the caller checked). Write. */
void dict_add(struct dict *d, shm_off_t entry);

/* Removes the entry with this key and returns it (not freed); 0 if none. Write. */
shm_off_t dict_unlink(struct dict *d, const void *key, size_t len);

/* Replaces the entry at *slot (from dict_find_slot) by new_entry, which has the same
 * key: the new entry takes over the chain link. Write. */
void dict_replace_at(shm_off_t *slot, shm_off_t new_entry);

/* A uniformly-ish random entry (as Redis's dictGetFairRandomKey); 0 when empty. */
shm_off_t dict_random(const struct dict *d, uint64_t (*rnd)(void));

/* Redis's reverse-binary cursor scan: calls fn for every entry of the bucket(s) at
 * cursor and returns the next cursor (0 when done).  Every entry present for the
 * whole scan is visited at least once, even across resizes.  Read-only. */
typedef void dict_scan_fn(shm_off_t entry, void *arg);
uint64_t dict_scan(const struct dict *d, uint64_t cursor, dict_scan_fn *fn, void *arg);

/* Does up to n steps of rehash (each visits <= 10 empty buckets); returns 1 if more
 * remain.  Used by housekeeping.  Write. */
int dict_rehash_steps(struct dict *d, int n);

/* Shrinks the table when it is under 10% full (as Redis's htNeedsResize). Write. */
void dict_shrink_if_needed(struct dict *d);

/* Frees all entries (through the type's free_entry) and the tables; the dict is left
 * empty and usable. Write. */
void dict_release(struct dict *d);

/* Detaches the whole contents: *out receives the current table state and d becomes
 * empty.  (FLUSHALL swaps in empty tables and frees the old ones in bounded steps.) */
void dict_detach(struct dict *d, struct dict *out);

/* Frees up to max_entries entries (through the type's free_entry) of a detached dict,
 * and its tables once empty; returns 1 while entries remain, 0 when d is empty again.
 * Each call is bounded (also visits at most 10 * max_entries empty buckets), so a
 * FLUSHALL frees the old contents over many writes.  Uses rehash_idx as its cursor:
 * a dict being drained must not be searched or added to.  Write. */
int dict_release_steps(struct dict *d, uint64_t max_entries);

/* Debug consistency check (counts, rehash invariant, every entry in the bucket its
 * hash names).  0 ok, -1 with a description in err. */
int dict_check(const struct dict *d, char *err, size_t errlen);

#endif
