/* lua/lua_alloc.c - the allocator of the worker's Lua state (see lua_alloc.h).
 *
 * A script run makes and drops small objects (the KEYS and ARGV tables, strings,
 * the tables of redis.call replies) and the collector frees them in bursts:
 * jemalloc's malloc and free cost 45-90 instructions each there (its thread cache
 * flushes on a burst), a push or pop on a list of free blocks of the same size ~10.
 * Lua passes the size of every block it frees or resizes, so blocks need no header.
 *
 * Invariants:
 *  1. a block of at most SMALL_MAX bytes is allocated at the full size of its class
 *     (QUANTUM * (class + 1)), so any block on list k serves any request of class k;
 *     a block may be larger than its class (a shrink that could not move keeps the
 *     larger block), never smaller;
 *  2. list k holds at most LIST_MAX bytes; the blocks beyond go back to free(), so
 *     the lists hold at most SMALL_MAX / QUANTUM * LIST_MAX bytes of free memory.
 * Sanitized builds keep no list (LIST_MAX 0), so every free reaches AddressSanitizer.
 */
#include <stdlib.h>
#include <string.h>

#include "lua/lua_alloc.h"

#define QUANTUM 16
#define SMALL_MAX 256
#define NCLASSES (SMALL_MAX / QUANTUM)
#ifdef __SANITIZE_ADDRESS__
#define LIST_MAX 0
#else
#define LIST_MAX (64 * 1024)
#endif

struct free_block {
    struct free_block *next;
};

static struct {
    struct free_block *head;
    size_t bytes;
} lists[NCLASSES];

static size_t class_of(size_t n) { return (n - 1) / QUANTUM; }
static size_t class_size(size_t k) { return (k + 1) * QUANTUM; }

static void *block_alloc(size_t n)
{
    if (n > SMALL_MAX)
        return malloc(n);
    size_t k = class_of(n);
    struct free_block *b = lists[k].head;
    if (!b)
        return malloc(class_size(k));
    lists[k].head = b->next;
    lists[k].bytes -= class_size(k);
    return b;
}

static void block_free(void *p, size_t n)
{
    size_t k = class_of(n);
    if (n > SMALL_MAX || lists[k].bytes + class_size(k) > LIST_MAX) {
        free(p);
        return;
    }
    struct free_block *b = p;
    b->next = lists[k].head;
    lists[k].head = b;
    lists[k].bytes += class_size(k);
}

/* Whether a block given osize bytes can be given nsize bytes where it is. */
static int fits_in_place(size_t osize, size_t nsize)
{
    return osize <= SMALL_MAX && nsize <= SMALL_MAX && class_of(osize) == class_of(nsize);
}

void *lalloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    if (!ptr)
        return nsize ? block_alloc(nsize) : NULL;
    if (nsize == 0) {
        block_free(ptr, osize);
        return NULL;
    }
    if (osize > SMALL_MAX && nsize > SMALL_MAX)
        return realloc(ptr, nsize);
    if (fits_in_place(osize, nsize))
        return ptr;
    void *q = block_alloc(nsize);
    if (!q)                                 /* Lua counts on a shrink never failing */
        return nsize < osize ? ptr : NULL;
    memcpy(q, ptr, osize < nsize ? osize : nsize);
    block_free(ptr, osize);
    return q;
}
