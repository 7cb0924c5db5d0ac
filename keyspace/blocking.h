/* keyspace/blocking.h - clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...), for
 * all workers, in the arena.
 *
 * A blocked client is served as Redis serves it: by the write that makes its key
 * ready, under the same lock, first blocked first served.  The write that adds the key
 * (db_add -> block_signal) makes the key "ready"; before that write commits, the
 * dispatcher calls block_serve_ready(), which pops on behalf of each waiter (through
 * the op's serve function, registered by the data type) and sends the reply to the
 * waiter's worker inbox (keyspace/inbox.h).  So no other client can slip in between
 * the push and the pop, and a rolled-back write serves nobody.
 *
 * Invariants (keyspace lock held, changes inside a write):
 *  - Per database index (not per db contents: SWAPDB leaves waiters where they are)
 *    a table maps a key to its FIFO of block_links; every waiter has exactly one link
 *    per key it waits on; a key entry exists only while its FIFO is non-empty.
 *  - header.blocked_clients == number of waiters.
 */
#ifndef KEYSPACE_BLOCKING_H
#define KEYSPACE_BLOCKING_H

#include <stddef.h>
#include <stdint.h>
#include "keyspace/db.h"
#include "proto/reply.h"

enum block_op {
    BLOCK_OP_LIST_POP = 1,          /* BLPOP BRPOP */
    BLOCK_OP_LIST_MOVE,             /* BRPOPLPUSH BLMOVE */
    BLOCK_OP_LIST_MPOP,             /* BLMPOP */
    BLOCK_OP_ZSET_POP,              /* BZPOPMIN BZPOPMAX */
    BLOCK_OP_ZSET_MPOP,             /* BZMPOP */
    BLOCK_OP_MAX
};

/* What a waiter wants, stored with it. */
struct block_spec {
    uint8_t op;
    uint8_t resp;                   /* RESP version of the waiter's reply */
    uint8_t where;                  /* lists: 0 head (left), 1 tail; zsets: 0 min, 1 max */
    uint8_t whereto;                /* LMOVE: destination side */
    uint32_t destlen;               /* LMOVE destination key length (0 if none) */
    long long count;                /* MPOP count; -1 for the single-element commands */
};

/* Pops for a waiter from key (present in db) and writes its reply into r.  Returns
 * 1 when served, 0 when the key cannot serve it now (wrong type, empty). */
typedef int block_serve_fn(struct db *db, const void *key, size_t klen, const struct block_spec *spec,
                           const void *dest, struct reply *r);

void block_register_op(enum block_op op, block_serve_fn *fn);
/* Called, inside the write, for each blocked client served after a write made its key
 * ready, with the reply it is sent: the write stream's plain pop
 * (replication/propagate.h).  NULL: none. */
typedef void block_served_fn(int dbid, const void *key, size_t klen, const struct block_spec *spec,
                             const void *dest, const char *reply, size_t reply_len);
void block_set_served_hook(block_served_fn *fn);
void block_register_types(void);    /* dict type; every process, at startup */

/* Creates the per-database tables (startup, inside a write). */
void block_create(uint32_t ndbs);

/* Blocks client_id (of worker slot) on keys of database dbid; returns the waiter's
 * offset, which the worker keeps to cancel it.  Inside a write. */
shm_off_t block_add(uint64_t client_id, int slot, int dbid, int nkeys, const char *const *keys,
                    const size_t *klens, const struct block_spec *spec, const void *dest);
/* Removes a waiter that was not served (timeout, disconnect).  Inside a write. */
void block_cancel(shm_off_t waiter);
/* Removes every waiter of a worker slot (a respawned worker cleaning up). */
void block_cancel_slot(int slot);

/* A key was added to db: if clients wait on it, remember it for this write. */
void block_signal(struct db *db, const void *key, size_t klen);
int block_have_ready(void);
/* Serves the waiters of every key signalled in this write. Inside the write. */
void block_serve_ready(void);
/* Forgets the keys signalled by a write that was rolled back. */
void block_reset_ready(void);
#endif
