/* shm/alloc.h - the arena allocator's interface (implementation: shm/slab.c).
 *
 * Objects up to SLAB_MAX_SIZE come from slabs: page runs holding objects of one size
 * class (8, 16, 32, 48, 64, 80, 96, 112, 128, 160, 192, ... spaced ~25%, as jemalloc)
 * with a free bitmap; larger ones take whole page runs.  All metadata lives in the
 * arena; every change to it is undo-logged, so these run inside a write
 * (undo_begin..undo_commit) with the keyspace lock held.
 *
 * Out of memory inside a write calls undo_abort(UNDO_ABORT_OOM): callers never see 0
 * from shm_alloc.
 */
#ifndef SHM_ALLOC_H
#define SHM_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include "shm/arena.h"

#define SLAB_MAX_SIZE 14336

/* Allocator state stored in the arena at header.alloc_off; opaque to callers. */
struct slab_pool;

/* Lays out the allocator over pages [first_page, first_page+npages) of the arena,
 * its metadata placed at meta_off (meta_bytes long, see slab_meta_bytes). */
size_t slab_meta_bytes(uint64_t npages);
void slab_pool_init(shm_off_t pool_off, shm_off_t first_page_off, uint64_t npages);

/* Allocates size bytes (size > 0), 8-byte aligned (page aligned above SLAB_MAX_SIZE).
 * Contents are unspecified.  Must be inside a write. */
shm_off_t shm_alloc(size_t size);

/* Allocates and zero-fills. */
shm_off_t shm_calloc(size_t size);

/* Frees at commit of the current write (see shm/undo.h). 0 is ignored. */
void shm_free(shm_off_t off);

/* Frees now: called by undo_commit for deferred frees. Detects double free and
 * pointers that are not the start of an allocation (aborts with a message). */
void slab_free_locked(shm_off_t off);

/* Usable size of the allocation at off (its size class or page run). */
size_t shm_alloc_usable(shm_off_t off);

struct slab_stats {
    uint64_t pages_total;           /* heap pages in the arena */
    uint64_t pages_used;            /* pages in slabs or large runs */
    uint64_t bytes_allocated;       /* sum of usable sizes of live allocations */
    uint64_t allocations;           /* live allocations */
    uint64_t class_count;           /* number of size classes */
};
void slab_get_stats(struct slab_stats *st);

/* Per-class statistics: size, live objects, slabs; returns 0 past the last class. */
int slab_class_stats(unsigned cls, size_t *size, uint64_t *live, uint64_t *slabs);

/* Debug consistency check of every slab bitmap, free run and counter; returns 0 when
 * consistent, else -1 with a description in err. */
int slab_check(char *err, size_t errlen);

#endif
