/* lua/script_cache.h - what every worker's scripting shares through the arena,
 * anchored at header.scripts_off (struct script_shared):
 *  - the script cache: EVAL / SCRIPT LOAD bodies keyed by their SHA-1 (hex), so
 *    EVALSHA works on any worker; and the function libraries keyed by name;
 *  - generation numbers: SCRIPT FLUSH bumps 'generation', every FUNCTION change bumps
 *    'fgeneration'; a worker whose private compiled copies carry an older number
 *    drops (or rebuilds) them;
 *  - the running script's state (struct script_run), read by other workers without
 *    the lock (SCRIPT KILL, -BUSY).
 *
 * Invariants: the tables and generation numbers change only under the keyspace lock
 * inside a write, undo-logged, so a rolled-back SCRIPT LOAD or FUNCTION LOAD leaves
 * no trace.  struct script_run is NOT undo-logged: it describes the process running a
 * script, not the dataset; its fields are written with atomics, its owner (pid, slot)
 * sets and clears it, SCRIPT KILL only sets its killed flag.  A run whose owner died is stale:
 * a script holds the keyspace lock from srun_begin to srun_end, so once the lock was
 * recovered from a dead owner (shm_lock.recoveries moved past the count the run
 * recorded) the run is over, even while its dead process is not yet reaped; readers
 * also check the pid, and a worker respawned into the slot clears it. */
#ifndef LUA_SCRIPT_CACHE_H
#define LUA_SCRIPT_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "shm/dict.h"

#define SCRIPT_DICT_TYPE_BODIES 10      /* dict type id (keyspace/kv.h lists 1..6) */

struct script_run {
    volatile uint64_t state;            /* run id << 8 | SRUN_* flags; 0: none (script_run.h) */
    volatile int64_t start_ms;
    volatile int32_t pid, slot;
    volatile uint32_t recoveries;       /* the lock's recoveries when the run began */
    uint64_t next_id;                   /* only the lock holder increments it */
};

struct script_shared {
    struct dict scripts;                /* sha1 hex -> struct script_body */
    struct dict libraries;              /* library name -> struct script_body */
    uint64_t generation;
    uint64_t fgeneration;
    struct script_run run;
};

/* A named body: key (sha or library name) then code. */
struct script_body {
    struct dict_link link;
    uint32_t klen;
    uint64_t len;
    char data[];                        /* klen key bytes, then len code bytes */
};

static inline const char *script_body_code(const struct script_body *b) { return b->data + b->klen; }

/* Registers the dict type (every process, before use). */
void scache_register_types(void);
/* Creates the shared state if absent (inside a write). */
void scache_create(void);
/* The shared state; NULL before scache_create. */
struct script_shared *scache_shared(void);

/* Finds a body by key; NULL if none. */
struct script_body *scache_find(struct dict *d, const char *key, size_t klen);
/* Adds or replaces the body for key (inside a write). */
void scache_put(struct dict *d, const char *key, size_t klen, const char *code, size_t len);
/* Removes key; 1 if it was there (inside a write). */
int scache_del(struct dict *d, const char *key, size_t klen);
/* Empties the table (inside a write). */
void scache_clear(struct dict *d);
#endif
