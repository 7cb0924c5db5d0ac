/* shm/undo.h - the undo log that makes every write to the arena atomic.
 *
 * A write (one command, a whole MULTI/EXEC or Lua script) runs between
 * undo_begin() and undo_commit(), holding the keyspace lock.  Before any byte of the
 * arena that existed before the write changes, undo_save() appends its old contents
 * to the log.  Commit truncates the log; a crash at any instruction leaves the log
 * describing exactly the bytes to put back, and the next lock owner (shm/lock.c,
 * on EOWNERDEAD) calls undo_rollback(), newest record first.
 *
 * Invariants:
 *  - header.undo.used == 0 exactly when no write is in progress (or it committed).
 *  - A record is fully written and counted in 'used' before the bytes it covers change.
 *  - Memory allocated inside the write needs no record: the allocator's metadata
 *    change is logged, so rollback frees it.  Frees inside a write are deferred to
 *    undo_commit() (a rolled-back write simply forgets them), so freed memory is never
 *    reused within the write that freed it - and stays readable until commit: code may
 *    read an element from the old copy of an object it has just replaced.
 */
#ifndef SHM_UNDO_H
#define SHM_UNDO_H

#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include "shm/arena.h"

/* Starts a write; the lock must be held and the log empty. */
void undo_begin(void);

/* Saves the current contents of [addr, addr+len) (inside the arena) in the log.
 * Inline: a write logs a dozen small ranges per command, most of fixed size, so the
 * copy becomes a few moves; a full log and the test hook take undo_save_rare(). */
static inline void undo_save(const void *addr, size_t len);

/* A record in the log region (header.undo_off), 8-byte aligned: this, then len bytes
 * of old contents padded to 8. */
struct undo_record {
    shm_off_t off;
    uint64_t len;
};

/* >= 0 while the crash test hook is armed (undo_test_crash_after). */
extern long undo_crash_countdown;

/* undo_save, with its record's size, when the log is full (aborts the write) or the
 * test hook is armed. */
void undo_save_rare(const void *addr, size_t len, uint64_t need);

/* Appends the record of [addr, addr+len), need bytes long, to a log with room. */
static inline void undo_append(const void *addr, size_t len, uint64_t need)
{
    struct shm_undo_state *st = &shm_header()->undo;
    uint64_t used = st->used;
    struct undo_record *rec = (struct undo_record *)(shm_base + shm_header()->undo_off + used);
    rec->off = shm_off(addr);
    rec->len = len;
    memcpy(rec + 1, addr, len);
    __atomic_store_n(&st->used, used + need, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_RELEASE);    /* record before the caller's store */
}

static inline void undo_save(const void *addr, size_t len)
{
    const struct shm_undo_state *st = &shm_header()->undo;
    uint64_t need = sizeof(struct undo_record) + ((len + 7) & ~(uint64_t)7);
    if (__builtin_expect(st->used + need > st->capacity || undo_crash_countdown >= 0, 0))
        undo_save_rare(addr, len, need);
    else
        undo_append(addr, len, need);
}

/* Assign an arena lvalue after logging its old value. */
#define UNDO_SET(lvalue, value) \
    do { undo_save(&(lvalue), sizeof(lvalue)); (lvalue) = (value); } while (0)

/* Queues an allocation to be freed at commit (see shm/alloc.h: shm_free). */
void undo_defer_free(shm_off_t off);

/* Runs the deferred frees, then truncates the log: the write is durable in memory. */
void undo_commit(void);

/* Puts back every saved range, newest first, forgets deferred frees, empties the log. */
void undo_rollback(void);
/* fn(1) after every commit, fn(0) after every rollback in this process: lets a layer
 * above keep a write's private effects (keyspace/inbox.h: messages to this worker's
 * own clients) until the write's fate is known.  One hook; NULL removes it. */
void undo_set_end_hook(void (*fn)(int committed));

/* True between undo_begin() and undo_commit()/undo_rollback() in this process. */
int undo_in_write(void);

/* Bytes currently in the log (0 outside a write). */
uint64_t undo_used(void);

/* Aborting a write: where a write cannot go on (undo log full, arena out of memory)
 * the write is rolled back and control returns to the innermost undo_guard set by
 * the caller of undo_begin(), with the reason; without a guard the process aborts. */
enum undo_abort_reason { UNDO_ABORT_LOG_FULL = 1, UNDO_ABORT_OOM = 2 };
extern jmp_buf *undo_guard;
__attribute__((noreturn)) void undo_abort(enum undo_abort_reason why);

/* Test hook: after n more records in this process, call fn (default: raise SIGKILL)
 * instead of returning from undo_save; n < 0 disables.  Used by crash tests to stop a
 * write after its Nth logged store. */
void undo_test_crash_after(long n, void (*fn)(void));

#endif
