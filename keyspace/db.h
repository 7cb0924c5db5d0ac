/* keyspace/db.h - the databases: per database a table of keys and a table of
 * expire times, lookups with lazy expiry, and the active expiry cycle.
 *
 * Invariants (all under the keyspace lock; changes inside a write):
 *  - A key is in db->expires exactly when its kv has KV_FLAG_TTL; the expire entry
 *    points at the kv, and every operation that replaces a kv updates that pointer.
 *  - Commands see time through db_now_ms(), fixed for the duration of a command (a
 *    script or EXEC sees one time), so a key cannot expire half-way through one.
 *  - A key found expired by a lookup is deleted there (in the current write) and
 *    counted in expired_keys.
 */
#ifndef KEYSPACE_DB_H
#define KEYSPACE_DB_H

#include <stdint.h>
#include "keyspace/kv.h"
#include "shm/arena.h"

struct db {
    struct dict keys;
    struct dict expires;
    uint64_t avg_ttl;
    uint64_t expire_cursor;         /* active expiry resumes here */
};

struct expire_entry {
    struct dict_link link;
    shm_off_t kv;                   /* the key's kv (gives the key bytes) */
    int64_t when_ms;                /* absolute unix time in ms */
};

/* Lays out ndbs empty databases in the arena (creator, at startup). */
void db_create_all(uint32_t ndbs);
/* Registers the dict types (every process, before use: done by db_create_all and
 * by db_attach). */
void db_register_types(void);

struct db *db_get(int id);
int db_count(void);

/* Called, inside the write, after a key is deleted because it expired (lazily or by
 * active expiry): the write stream's DEL (replication/propagate.h).  NULL: none. */
void db_set_expired_hook(void (*fn)(int dbid, const void *key, size_t klen));

/* Per-command clock.  db_set_now freezes it; the worker sets it before each command. */
void db_set_now(int64_t ms);
int64_t db_now_ms(void);
int64_t db_wall_ms(void);           /* the real clock, for those that need it */
int64_t db_wall_us(void);           /* the same in microseconds (Redis's ustime) */

/* Lookups with lazy expiry.  The _write variant is for commands that will modify
 * the key; both delete the key if it is expired.  lookup_read counts hits/misses
 * and updates the LRU clock. Both need an open write (expiry may delete). */
struct kv *db_lookup_read(struct db *db, const void *key, size_t klen);
struct kv *db_lookup_write(struct db *db, const void *key, size_t klen);
/* The general form (Redis's lookupKey flags): db_lookup_read is flags 0,
 * db_lookup_write is DB_LOOKUP_NOSTATS. */
enum { DB_LOOKUP_NOTOUCH = 1, DB_LOOKUP_NOSTATS = 2 };
struct kv *db_lookup(struct db *db, const void *key, size_t klen, int flags);
/* Looks up without expiring, counting or touching (SCAN filters, RANDOMKEY, KEYS). */
struct kv *db_peek(struct db *db, const void *key, size_t klen);
int db_key_expired(struct db *db, struct kv *kv);

/* Adds a kv whose key is absent. */
void db_add(struct db *db, shm_off_t kv);
/* Replaces the existing key's kv by new_kv (same key).  keep_ttl: the new kv takes
 * the old one's expire time; else the key loses its TTL.  Frees the old kv. */
void db_replace(struct db *db, shm_off_t new_kv, int keep_ttl);
/* After the key's kv had its value rewritten in place (kv_overwrite_string): what
 * db_replace does besides swapping the kv - the LRU clock, the TTL dropped unless
 * keep_ttl, WATCH. */
void db_overwritten(struct db *db, struct kv *kv, int keep_ttl);
/* For a command that overwrites a key whatever it holds (MSET): deletes it if it
 * expired, and returns the slot pointing at its kv, for db_replace_at, or NULL when
 * the key is absent.  One table lookup, no LRU update, no statistics. */
shm_off_t *db_lookup_overwrite(struct db *db, const void *key, size_t klen);
/* db_replace with the slot db_lookup_overwrite returned (the table unchanged since). */
void db_replace_at(struct db *db, shm_off_t *slot, shm_off_t new_off, int keep_ttl);
/* Swaps in a new kv for the same key and value in another encoding (TTL kept): not a
 * change of the key, so WATCH does not see it. */
void db_reencode(struct db *db, shm_off_t new_off);
/* Adds or replaces (SET semantics: TTL dropped unless keep_ttl). */
void db_set(struct db *db, shm_off_t kv, int keep_ttl);
/* Deletes a key; returns 1 if it existed. */
int db_delete(struct db *db, const void *key, size_t klen);
/* Unlinks a key without freeing its kv (RENAME, MOVE): the caller re-adds or frees it.
 * *when_ms receives its expire time or -1. */
shm_off_t db_unlink(struct db *db, const void *key, size_t klen, int64_t *when_ms);

/* Expire time of the key in ms, or -1 when it has none. */
int64_t db_get_expire(struct db *db, struct kv *kv);
void db_set_expire(struct db *db, struct kv *kv, int64_t when_ms);
int db_remove_expire(struct db *db, struct kv *kv);

uint64_t db_size(struct db *db);
uint64_t db_expires_size(struct db *db);

/* Empties one database (or all when id < 0); returns keys removed. */
uint64_t db_flush(int id);
/* Swaps the contents of two databases. */
void db_swap(int a, int b);

/* Updates the kv's LRU clock (after a read). */
void db_touch_lru(struct kv *kv);
uint32_t db_lru_clock(void);

/* One bounded round of active expiry over all databases: samples keys with a TTL,
 * deletes the expired ones; returns keys deleted.  Must be inside a write. */
uint64_t db_active_expire_step(int64_t budget_us);

/* Rehash and shrink steps for the tables (housekeeping), inside a write. */
void db_housekeeping_step(void);

/* Counters for INFO (kept by this process; the worker sums them into its slot). */
struct db_stats {
    uint64_t hits, misses, expired;
};
extern struct db_stats db_stats;
#endif
