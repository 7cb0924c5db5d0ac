/* keyspace/watch.h - the WATCHed keys of every client of every worker, in the arena,
 * and the touch that invalidates them (MULTI/EXEC's optimistic locking).
 *
 * WATCH links a watcher {client id, worker slot, touched, expired} under the key in
 * the table of its database index.  Every write that changes a key, by any client of
 * any worker, calls watch_touch(), which sets 'touched' on each watcher of the key.
 * EXEC fails when one of its client's watchers is touched, or when a key that was not
 * logically expired at WATCH time has expired since (watch_changed).  As in Redis 7.0,
 * a key already expired at WATCH time that is then deleted (lazily or by the expiry
 * cycle) is not a change; FLUSHDB/FLUSHALL/SWAPDB touch only the watched keys they make
 * appear, disappear or change.
 *
 * Where the keyspace changes: db.c calls watch_touch from db_add, db_replace and
 * db_unlink (db_delete and expiry deletions included), watch_touch_flush from db_flush
 * and watch_touch_swap from db_swap; keys whose value a command changes in place
 * (LPUSH on a list, HSET, INCR...) are touched by types/call.h, which knows which of
 * its keys each command changes, after a command that changed something.
 *
 * Invariants (keyspace lock held; changes inside a write, undo-logged):
 *  - header.watch_off is 0 until the first WATCH creates the registry.
 *  - Per database index (SWAPDB leaves watchers where they are, as it leaves blocked
 *    clients) a table maps a key to the list of its watchers; a key entry exists only
 *    while its list is non-empty.
 *  - registry.watchers == number of watchers in all tables.  watch_touch and friends
 *    return at once while it is 0, so a server where nobody watches pays one load.
 *  - Which keys a client watches is its own worker's business (it keeps the watcher
 *    offsets privately); a respawned worker removes every watcher of its slot.
 */
#ifndef KEYSPACE_WATCH_H
#define KEYSPACE_WATCH_H

#include <stddef.h>
#include <stdint.h>
#include "keyspace/db.h"

/* Registers the dict type (every process, at startup, before the first fork). */
void watch_register_types(void);

/* Client client_id of worker slot watches key in database dbid: returns its watcher's
 * offset, or 0 if that client already watches the key.  Creates the registry on first
 * use.  Inside a write. */
shm_off_t watch_add(int dbid, const void *key, size_t klen, uint64_t client_id, int slot);
/* Removes a watcher (UNWATCH, EXEC, DISCARD, disconnect).  Inside a write. */
void watch_remove(shm_off_t watcher);
/* Removes every watcher of a worker slot (a respawned worker cleaning up). */
void watch_remove_slot(int slot);

/* True if the watcher's key changed since WATCH: touched, or expired since (a key
 * already expired at WATCH time does not count).  Lock held. */
int watch_changed(shm_off_t watcher);

/* The key in db changed (or was deleted): flags its watchers.  Inside a write. */
void watch_touch(struct db *db, const void *key, size_t klen);
/* Database dbid (every database when dbid < 0) is about to be emptied. */
void watch_touch_flush(int dbid);
/* Databases a and b are about to swap their contents. */
void watch_touch_swap(int a, int b);

/* Watchers in the registry (all clients, all workers). */
uint64_t watch_count(void);

/* Debug consistency check of the registry (tables, list links, back pointers, the
 * watcher count): 0 when consistent, -1 with a description in err. */
int watch_check(char *err, size_t errlen);
#endif
