/* shm/lock.h - the keyspace lock: one process-shared robust mutex in the arena header.
 *
 * Every keyspace change and every Lua script runs holding it; reads take it too.
 * When its owner died holding it, the next owner rolls the undo log back before
 * marking the mutex consistent, so a torn write is never seen.
 * The supervisor never takes it.  Lock order: this lock is the only arena lock;
 * nothing else blocks while holding it.
 */
#ifndef SHM_LOCK_H
#define SHM_LOCK_H

#include "shm/arena.h"

/* Initializes the mutex in a new arena (creator only). 0 ok, -1 error. */
int shm_lock_init(struct shm_lock *lock);

/* Acquires the lock.  Returns 0, or 1 when a dead owner's write was rolled back. */
int shm_lock_acquire(void);

/* Tries for at most timeout_ms; returns 0/1 as above, or -1 on timeout. */
int shm_lock_acquire_timed(long timeout_ms);

/* Takes the lock only if it is free now: 0/1 as above, or -1 when it is held. */
int shm_lock_try(void);

void shm_lock_release(void);

/* True when this process holds the lock (for assertions in *_locked functions). */
int shm_lock_held(void);

#ifdef NDEBUG
#define SHM_ASSERT_LOCKED() ((void)0)
#else
#include <assert.h>
#define SHM_ASSERT_LOCKED() assert(shm_lock_held())
#endif

#endif
