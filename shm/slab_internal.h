/* shm/slab_internal.h - allocator hooks that are not part of shm/alloc.h.
 *
 * Junk-filling freed memory (debug builds) must wait until the write that freed it
 * can no longer be rolled back: slab_free_locked runs inside undo_commit, before the
 * log is truncated, and a crash there revives the freed objects with their old
 * contents.  So slab_free_locked only queues the ranges (in private memory) and:
 *  - slab_after_commit() fills them with 0x5a; call it after undo_commit truncated
 *    the log, still holding the lock;
 *  - slab_after_rollback() forgets them; call it after undo_rollback.
 * Both are no-ops under NDEBUG.
 */
#ifndef SHM_SLAB_INTERNAL_H
#define SHM_SLAB_INTERNAL_H

void slab_after_commit(void);
void slab_after_rollback(void);

#endif
