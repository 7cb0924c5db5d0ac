/* shm/slab.c - the arena allocator (interface: shm/alloc.h).
 *
 * Two levels, after nginx's ngx_slab.c and jemalloc:
 *  - a page allocator over the heap pages [heap_off, heap_off + npages*4096): free
 *    page runs, coalesced with their neighbours on free, kept on size-binned lists
 *    (exact bins for 1..32 pages, then one bin per power of two) with a bitmask of
 *    non-empty bins, so finding a run never scans the heap;
 *  - slabs: a page run holding objects of one size class (jemalloc's classes,
 *    8 .. SLAB_MAX_SIZE, and its slab lengths: the run is the LCM of class size and
 *    page size, so nothing is wasted), with a free bitmap (1 = free) and a list per
 *    class of slabs that have free slots.  Larger objects take whole page runs.
 * There is no per-object header: an offset leads to its page descriptor.
 *
 * Metadata (all at header.alloc_off, offsets only, never pointers):
 *   struct slab_pool | struct slab_page[npages] | 64-byte bitmap slot per page
 * A slab's bitmap is the slot of its first page (a slab has at most 512 objects).
 * The metadata region must be zero when slab_pool_init runs (a fresh memfd is; unit
 * tests pass mmap'd memory), so that no page descriptor starts out with a stale kind.
 *
 * Invariants (checked by slab_check):
 *  1. The heap is a sequence of runs.  The first page of each run has kind FREE, SLAB
 *     or LARGE and its length in 'run'; its last page (when the run is longer than
 *     one page) has kind FREE_TAIL (free runs) or INNER, with 'run' = first page.
 *     Every page of a slab is INNER (pointing at the slab's first page).
 *     SLAB and LARGE appear on no page but the first page of a live run.
 *  2. No two free runs are adjacent; every free run is on the bin of its length,
 *     and bin_mask has exactly the bits of the non-empty bins.
 *  3. A slab's nfree equals the popcount of its bitmap (bits past nregs are 0); it
 *     is on its class's partial list iff nfree > 0; at most one empty slab per class
 *     (kept to avoid churn when a class hovers at a slab boundary).
 *  4. Counters (pages_used, large_*, per-class nslabs and live) match the runs.
 *
 * Every change to metadata is undo-logged before it is made (shm/undo.h), so a
 * rolled-back write restores the allocator byte for byte; the lock is held and a
 * write is open in every mutating function.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "shm/slab_internal.h"

#define PAGE        SHM_PAGE_SIZE
#define PAGE_SHIFT  12
#define NCLASSES    36
#define EXACT_BINS  32
#define NBINS       64
#define BITMAP_WORDS 8                      /* 512 bits: the most objects in a slab */
#define POOL_MAGIC  0x42414c53534f5246ULL  /* "FROSSLAB" */
#define LARGE_CLS   NCLASSES               /* class of a large run in a location */

enum { PAGE_NONE = 0, PAGE_FREE, PAGE_FREE_TAIL, PAGE_SLAB, PAGE_LARGE, PAGE_INNER };

/* One per heap page; 'next'/'prev' link list members as page index + 1 (0 = none). */
struct slab_page {
    uint8_t kind;
    uint8_t cls;                /* SLAB: size class */
    uint16_t nfree;             /* SLAB: free slots */
    uint32_t run;               /* first page: run length; last/inner page: first page */
    uint32_t next, prev;
};

struct slab_class_state {
    uint32_t partial;           /* slabs with free slots (page index + 1) */
    uint32_t nslabs;
    uint64_t live;              /* allocated objects */
};

struct slab_pool {
    uint64_t magic;
    uint64_t npages;
    shm_off_t heap_off, pages_off, bitmaps_off;
    uint64_t pages_used;        /* pages_used, large_live, large_pages are adjacent: */
    uint64_t large_live;        /* a large alloc/free logs them in one record */
    uint64_t large_pages;
    uint64_t bin_mask;
    uint32_t bins[NBINS];
    struct slab_class_state cls[NCLASSES];
};

struct slab_class_info {
    uint32_t size, pages, nregs, magic;     /* magic: ceil(2^32/size), for division */
};

#define LOWBIT(s) ((s) & -(s))
#define CLS(s) { (s), (s) / (LOWBIT(s) < PAGE ? LOWBIT(s) : PAGE), \
                 (s) / (LOWBIT(s) < PAGE ? LOWBIT(s) : PAGE) * PAGE / (s), \
                 (uint32_t)(((1ULL << 32) + (s) - 1) / (s)) }
static const struct slab_class_info classes[NCLASSES] = {
    CLS(8), CLS(16), CLS(32), CLS(48), CLS(64), CLS(80), CLS(96), CLS(112),
    CLS(128), CLS(160), CLS(192), CLS(224), CLS(256), CLS(320), CLS(384), CLS(448),
    CLS(512), CLS(640), CLS(768), CLS(896), CLS(1024), CLS(1280), CLS(1536), CLS(1792),
    CLS(2048), CLS(2560), CLS(3072), CLS(3584), CLS(4096), CLS(5120), CLS(6144), CLS(7168),
    CLS(8192), CLS(10240), CLS(12288), CLS(14336),
};

/* ---- addressing ---- */

static inline struct slab_pool *pool_get(void)
{
    return (struct slab_pool *)(shm_base + shm_header()->alloc_off);
}

static inline struct slab_page *pg(const struct slab_pool *pool, uint32_t p)
{
    return (struct slab_page *)(shm_base + pool->pages_off) + p;
}

static inline uint64_t *bitmap(const struct slab_pool *pool, uint32_t p)
{
    return (uint64_t *)(shm_base + pool->bitmaps_off) + (uint64_t)p * BITMAP_WORDS;
}

static inline shm_off_t page_off(const struct slab_pool *pool, uint32_t p)
{
    return pool->heap_off + ((shm_off_t)p << PAGE_SHIFT);
}

static uint64_t round64(uint64_t n) { return (n + 63) & ~(uint64_t)63; }

/* Smallest class holding size bytes (1 <= size <= SLAB_MAX_SIZE). */
static inline unsigned size_class(size_t size)
{
    if (size <= 16)
        return size > 8;
    if (size <= 64)
        return (unsigned)((size + 15) >> 4);
    unsigned lg = 63 - (unsigned)__builtin_clzll(size - 1);
    size_t k = (size - ((size_t)1 << lg) + ((size_t)1 << (lg - 2)) - 1) >> (lg - 2);
    return 4 + (lg - 6) * 4 + (unsigned)k;
}

static __attribute__((noreturn)) void slab_die(const char *op, shm_off_t off, const char *why)
{
    fprintf(stderr, "shm allocator: %s(%llu): %s\n", op, (unsigned long long)off, why);
    abort();
}

static inline void assert_writing(void)
{
    SHM_ASSERT_LOCKED();
    assert(undo_in_write());
}

/* ---- junk-filling freed memory (debug builds; see shm/slab_internal.h) ---- */

#ifndef NDEBUG
#define JUNK_MAX 65536
static struct junk_range { shm_off_t off; uint64_t len; } *junk;
static size_t junk_len, junk_cap;

static void junk_later(shm_off_t off, uint64_t len)
{
    if (junk_len == junk_cap) {
        size_t cap = junk_cap ? junk_cap * 2 : 256;
        struct junk_range *j = cap <= JUNK_MAX ? realloc(junk, cap * sizeof(*j)) : NULL;
        if (!j)
            return;                     /* junk-filling is best effort */
        junk = j;
        junk_cap = cap;
    }
    junk[junk_len++] = (struct junk_range){ off, len };
}

void slab_after_commit(void)
{
    for (size_t i = 0; i < junk_len; i++)
        memset(shm_base + junk[i].off, 0x5a, junk[i].len);
    junk_len = 0;
}

void slab_after_rollback(void) { junk_len = 0; }
#else
static inline void junk_later(shm_off_t off, uint64_t len) { (void)off, (void)len; }
void slab_after_commit(void) {}
void slab_after_rollback(void) {}
#endif

/* ---- doubly linked lists of page descriptors (bins, partial slabs) ---- */

static void list_push(struct slab_pool *pool, uint32_t *head, uint32_t p)
{
    struct slab_page *d = pg(pool, p);
    undo_save(&d->next, 2 * sizeof(uint32_t));
    d->next = *head;
    d->prev = 0;
    if (*head)
        UNDO_SET(pg(pool, *head - 1)->prev, p + 1);
    UNDO_SET(*head, p + 1);
}

static void list_unlink(struct slab_pool *pool, uint32_t *head, uint32_t p)
{
    struct slab_page *d = pg(pool, p);
    if (d->prev)
        UNDO_SET(pg(pool, d->prev - 1)->next, d->next);
    else
        UNDO_SET(*head, d->next);
    if (d->next)
        UNDO_SET(pg(pool, d->next - 1)->prev, d->prev);
}

/* ---- page runs ---- */

static inline unsigned bin_of(uint64_t n)
{
    return n <= EXACT_BINS ? (unsigned)n - 1 : EXACT_BINS - 5 + (63 - (unsigned)__builtin_clzll(n));
}

static void bin_insert(struct slab_pool *pool, uint32_t p)
{
    unsigned b = bin_of(pg(pool, p)->run);
    if (!pool->bins[b])
        UNDO_SET(pool->bin_mask, pool->bin_mask | (1ULL << b));
    list_push(pool, &pool->bins[b], p);
}

static void bin_remove(struct slab_pool *pool, uint32_t p)
{
    unsigned b = bin_of(pg(pool, p)->run);
    list_unlink(pool, &pool->bins[b], p);
    if (!pool->bins[b])
        UNDO_SET(pool->bin_mask, pool->bin_mask & ~(1ULL << b));
}

/* Writes the descriptors of a free run [p, p+n) and files it in its bin. */
static void run_make_free(struct slab_pool *pool, uint32_t p, uint32_t n)
{
    struct slab_page *d = pg(pool, p);
    undo_save(d, sizeof(*d));
    *d = (struct slab_page){ .kind = PAGE_FREE, .run = n };
    if (n > 1) {
        struct slab_page *t = pg(pool, p + n - 1);
        undo_save(t, sizeof(*t));
        *t = (struct slab_page){ .kind = PAGE_FREE_TAIL, .run = p };
    }
    bin_insert(pool, p);
}

/* First run of at least n pages among the first 'limit' of bin b (page index + 1). */
static uint32_t bin_first_fit(const struct slab_pool *pool, unsigned b, uint64_t n, uint64_t limit)
{
    uint32_t q = pool->bins[b];
    for (uint64_t i = 0; q && i < limit; i++, q = pg(pool, q - 1)->next)
        if (pg(pool, q - 1)->run >= n)
            return q;
    return 0;
}

/* A free run of at least n pages (page index + 1), or 0.  Bins above n's bin hold
 * only runs that fit; n's own bin mixes lengths when n > EXACT_BINS, so it gets a
 * short look first and a full one only when nothing else is left. */
static uint32_t run_find(const struct slab_pool *pool, uint64_t n)
{
    unsigned b = bin_of(n);
    uint32_t q = 0;
    if (n > EXACT_BINS && (q = bin_first_fit(pool, b, n, 8)) != 0)
        return q;
    unsigned above = b + (n > EXACT_BINS);
    uint64_t mask = above < NBINS ? pool->bin_mask & (~0ULL << above) : 0;
    if (mask)
        return pool->bins[__builtin_ctzll(mask)];
    return n > EXACT_BINS ? bin_first_fit(pool, b, n, UINT64_MAX) : 0;
}

/* Takes n pages off a free run; the caller writes the run's descriptors. */
static uint32_t pages_alloc(struct slab_pool *pool, uint64_t n)
{
    uint32_t q = run_find(pool, n);
    if (!q)
        undo_abort(UNDO_ABORT_OOM);
    uint32_t p = q - 1, len = pg(pool, p)->run;
    bin_remove(pool, p);
    if (len > n)
        run_make_free(pool, p + (uint32_t)n, len - (uint32_t)n);
    return p;
}

/* Returns run [p, p+n) to the free runs, merging it with free neighbours. */
static void pages_free(struct slab_pool *pool, uint32_t p, uint32_t n)
{
    uint32_t start = p, len = n;
    if (p > 0) {
        const struct slab_page *l = pg(pool, p - 1);
        if (l->kind == PAGE_FREE || l->kind == PAGE_FREE_TAIL) {
            start = l->kind == PAGE_FREE ? p - 1 : l->run;
            len += pg(pool, start)->run;
            bin_remove(pool, start);
            UNDO_SET(pg(pool, p)->kind, PAGE_NONE);   /* no longer a run's first page */
        }
    }
    if (p + n < pool->npages && pg(pool, p + n)->kind == PAGE_FREE) {
        len += pg(pool, p + n)->run;
        bin_remove(pool, p + n);
    }
    run_make_free(pool, start, len);
}

/* ---- locating an allocation from its offset (validates, dies on misuse) ---- */

struct slab_loc {
    uint32_t head;              /* first page of the slab or large run */
    unsigned cls;               /* size class, or LARGE_CLS */
    uint32_t idx;               /* slot in the slab */
};

static struct slab_loc locate(const struct slab_pool *pool, shm_off_t off, const char *op)
{
    if (off < pool->heap_off || off >= page_off(pool, (uint32_t)pool->npages))
        slab_die(op, off, "offset outside the heap");
    uint32_t p = (uint32_t)((off - pool->heap_off) >> PAGE_SHIFT);
    const struct slab_page *d = pg(pool, p);
    if (d->kind == PAGE_LARGE && (off & (PAGE - 1)) == 0)
        return (struct slab_loc){ p, LARGE_CLS, 0 };
    uint32_t h = d->kind == PAGE_INNER ? d->run : p;
    const struct slab_page *hd = pg(pool, h);
    if (h > p || hd->kind != PAGE_SLAB || p >= h + hd->run)
        slab_die(op, off, "not the start of a live allocation");
    const struct slab_class_info *ci = &classes[hd->cls];
    uint64_t diff = off - page_off(pool, h);
    uint32_t idx = (uint32_t)((diff * ci->magic) >> 32);
    if ((uint64_t)idx * ci->size != diff || idx >= ci->nregs)
        slab_die(op, off, "not the start of an allocation (inside a slab object)");
    if (bitmap(pool, h)[idx >> 6] & (1ULL << (idx & 63)))
        slab_die(op, off, "slot is free: double free or a stale offset");
    return (struct slab_loc){ h, hd->cls, idx };
}

/* ---- slabs ---- */

/* A new slab of class c on the class's partial list. */
static uint32_t slab_new(struct slab_pool *pool, unsigned c)
{
    const struct slab_class_info *ci = &classes[c];
    uint32_t h = pages_alloc(pool, ci->pages);
    struct slab_page *d = pg(pool, h);
    undo_save(d, ci->pages * sizeof(*d));
    d[0] = (struct slab_page){ .kind = PAGE_SLAB, .cls = (uint8_t)c,
                               .nfree = (uint16_t)ci->nregs, .run = ci->pages };
    for (uint32_t i = 1; i < ci->pages; i++)
        d[i] = (struct slab_page){ .kind = PAGE_INNER, .run = h };
    uint64_t *bm = bitmap(pool, h);
    undo_save(bm, BITMAP_WORDS * sizeof(*bm));
    for (unsigned w = 0; w < BITMAP_WORDS; w++) {
        unsigned lo = w * 64;
        bm[w] = ci->nregs >= lo + 64 ? ~0ULL : ci->nregs > lo ? (1ULL << (ci->nregs - lo)) - 1 : 0;
    }
    UNDO_SET(pool->pages_used, pool->pages_used + ci->pages);
    UNDO_SET(pool->cls[c].nslabs, pool->cls[c].nslabs + 1);
    list_push(pool, &pool->cls[c].partial, h);
    return h;
}

/* Gives an empty slab's pages back; the caller took it off the partial list. */
static void slab_release(struct slab_pool *pool, uint32_t h, unsigned c)
{
    UNDO_SET(pool->cls[c].nslabs, pool->cls[c].nslabs - 1);
    UNDO_SET(pool->pages_used, pool->pages_used - classes[c].pages);
    pages_free(pool, h, classes[c].pages);
}

static shm_off_t slab_alloc(struct slab_pool *pool, unsigned c)
{
    struct slab_class_state *cs = &pool->cls[c];
    uint32_t h = cs->partial ? cs->partial - 1 : slab_new(pool, c);
    struct slab_page *d = pg(pool, h);
    uint64_t *bm = bitmap(pool, h);
    unsigned w = 0;
    while (!bm[w])
        w++;
    unsigned idx = w * 64 + (unsigned)__builtin_ctzll(bm[w]);
    UNDO_SET(bm[w], bm[w] & (bm[w] - 1));
    UNDO_SET(d->nfree, d->nfree - 1);
    if (d->nfree == 0)
        list_unlink(pool, &cs->partial, h);
    UNDO_SET(cs->live, cs->live + 1);
    return page_off(pool, h) + (shm_off_t)idx * classes[c].size;
}

static void slab_free_slot(struct slab_pool *pool, struct slab_loc loc)
{
    struct slab_class_state *cs = &pool->cls[loc.cls];
    struct slab_page *d = pg(pool, loc.head);
    uint64_t *word = &bitmap(pool, loc.head)[loc.idx >> 6];
    UNDO_SET(*word, *word | (1ULL << (loc.idx & 63)));
    UNDO_SET(d->nfree, d->nfree + 1);
    UNDO_SET(cs->live, cs->live - 1);
    int was_full = d->nfree == 1;
    int others = was_full ? cs->partial != 0 : cs->partial != loc.head + 1 || d->next != 0;
    if (d->nfree == classes[loc.cls].nregs && others) {
        if (!was_full)
            list_unlink(pool, &cs->partial, loc.head);
        slab_release(pool, loc.head, loc.cls);
    } else if (was_full) {
        list_push(pool, &cs->partial, loc.head);
    }
}

/* ---- large runs ---- */

static shm_off_t large_alloc(struct slab_pool *pool, size_t size)
{
    if (size > pool->npages * PAGE)
        undo_abort(UNDO_ABORT_OOM);
    uint64_t n = (size + PAGE - 1) >> PAGE_SHIFT;
    uint32_t p = pages_alloc(pool, n);
    struct slab_page *d = pg(pool, p);
    undo_save(d, sizeof(*d));
    *d = (struct slab_page){ .kind = PAGE_LARGE, .run = (uint32_t)n };
    if (n > 1) {
        struct slab_page *t = pg(pool, p + (uint32_t)n - 1);
        undo_save(t, sizeof(*t));
        *t = (struct slab_page){ .kind = PAGE_INNER, .run = p };
    }
    undo_save(&pool->pages_used, 3 * sizeof(uint64_t));
    pool->pages_used += n;
    pool->large_live++;
    pool->large_pages += n;
    return page_off(pool, p);
}

static void large_free(struct slab_pool *pool, uint32_t p)
{
    uint32_t n = pg(pool, p)->run;
    undo_save(&pool->pages_used, 3 * sizeof(uint64_t));
    pool->pages_used -= n;
    pool->large_live--;
    pool->large_pages -= n;
    pages_free(pool, p, n);
}

/* ---- interface ---- */

size_t slab_meta_bytes(uint64_t npages)
{
    return round64(sizeof(struct slab_pool)) + round64(npages * sizeof(struct slab_page)) +
           npages * BITMAP_WORDS * sizeof(uint64_t);
}

void slab_pool_init(shm_off_t pool_off, shm_off_t first_page_off, uint64_t npages)
{
    struct slab_pool *pool = (struct slab_pool *)(shm_base + pool_off);
    if (npages == 0 || npages >= UINT32_MAX) {
        fprintf(stderr, "slab_pool_init: %llu heap pages is not supported\n", (unsigned long long)npages);
        abort();
    }
    memset(pool, 0, sizeof(*pool));
    pool->magic = POOL_MAGIC;
    pool->npages = npages;
    pool->heap_off = first_page_off;
    pool->pages_off = pool_off + round64(sizeof(*pool));
    pool->bitmaps_off = pool->pages_off + round64(npages * sizeof(struct slab_page));
    /* Lay out the single free run directly: no write is open, nothing to log. */
    struct slab_page *d = pg(pool, 0);
    d[0] = (struct slab_page){ .kind = PAGE_FREE, .run = (uint32_t)npages };
    if (npages > 1)
        d[npages - 1] = (struct slab_page){ .kind = PAGE_FREE_TAIL, .run = 0 };
    unsigned b = bin_of(npages);
    pool->bins[b] = 1;
    pool->bin_mask = 1ULL << b;
}

shm_off_t shm_alloc(size_t size)
{
    assert_writing();
    struct slab_pool *pool = pool_get();
    if (size > SLAB_MAX_SIZE)
        return large_alloc(pool, size);
    return slab_alloc(pool, size ? size_class(size) : 0);
}

shm_off_t shm_calloc(size_t size)
{
    shm_off_t off = shm_alloc(size);
    memset(shm_base + off, 0, size);
    return off;
}

void shm_free(shm_off_t off)
{
    if (!off)
        return;
    assert_writing();
    locate(pool_get(), off, "shm_free");
    undo_defer_free(off);
}

void slab_free_locked(shm_off_t off)
{
    assert_writing();
    struct slab_pool *pool = pool_get();
    struct slab_loc loc = locate(pool, off, "slab_free_locked");
    if (loc.cls == LARGE_CLS) {
        junk_later(off, (uint64_t)pg(pool, loc.head)->run << PAGE_SHIFT);
        large_free(pool, loc.head);
    } else {
        junk_later(off, classes[loc.cls].size);
        slab_free_slot(pool, loc);
    }
}

size_t shm_alloc_usable(shm_off_t off)
{
    const struct slab_pool *pool = pool_get();
    struct slab_loc loc = locate(pool, off, "shm_alloc_usable");
    if (loc.cls == LARGE_CLS)
        return (size_t)pg(pool, loc.head)->run << PAGE_SHIFT;
    return classes[loc.cls].size;
}

void slab_get_stats(struct slab_stats *st)
{
    const struct slab_pool *pool = pool_get();
    st->pages_total = pool->npages;
    st->pages_used = pool->pages_used;
    st->allocations = pool->large_live;
    st->bytes_allocated = pool->large_pages * PAGE;
    for (unsigned c = 0; c < NCLASSES; c++) {
        st->allocations += pool->cls[c].live;
        st->bytes_allocated += pool->cls[c].live * classes[c].size;
    }
    st->class_count = NCLASSES;
}

int slab_class_stats(unsigned cls, size_t *size, uint64_t *live, uint64_t *slabs)
{
    if (cls >= NCLASSES)
        return 0;
    const struct slab_pool *pool = pool_get();
    *size = classes[cls].size;
    *live = pool->cls[cls].live;
    *slabs = pool->cls[cls].nslabs;
    return 1;
}

/* ---- consistency check ---- */

struct check_totals {
    uint64_t free_runs, slab_pages, large_live, large_pages;
    uint64_t nslabs[NCLASSES], live[NCLASSES], partial[NCLASSES], empty[NCLASSES];
};

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int check_slab(const struct slab_pool *pool, uint32_t p, struct check_totals *t,
                      char *err, size_t errlen)
{
    const struct slab_page *d = pg(pool, p);
    if (d->cls >= NCLASSES)
        FAIL("slab at page %u: class %u", p, d->cls);
    const struct slab_class_info *ci = &classes[d->cls];
    if (d->run != ci->pages)
        FAIL("slab at page %u: %u pages, class %u wants %u", p, d->run, d->cls, ci->pages);
    for (uint32_t i = 1; i < d->run; i++)
        if (pg(pool, p + i)->kind != PAGE_INNER || pg(pool, p + i)->run != p)
            FAIL("slab at page %u: page %u is not INNER of it", p, p + i);
    const uint64_t *bm = bitmap(pool, p);
    unsigned bits = 0;
    for (unsigned w = 0; w < BITMAP_WORDS; w++) {
        uint64_t valid = ci->nregs >= w * 64 + 64 ? ~0ULL
                       : ci->nregs > w * 64 ? (1ULL << (ci->nregs - w * 64)) - 1 : 0;
        if (bm[w] & ~valid)
            FAIL("slab at page %u: bitmap word %u has bits past nregs", p, w);
        bits += (unsigned)__builtin_popcountll(bm[w]);
    }
    if (bits != d->nfree || d->nfree > ci->nregs)
        FAIL("slab at page %u: nfree %u, bitmap has %u free of %u", p, d->nfree, bits, ci->nregs);
    t->slab_pages += d->run;
    t->nslabs[d->cls]++;
    t->live[d->cls] += ci->nregs - d->nfree;
    t->partial[d->cls] += d->nfree > 0;
    t->empty[d->cls] += d->nfree == ci->nregs;
    return 0;
}

static int check_run(const struct slab_pool *pool, uint32_t p, int prev_free,
                     struct check_totals *t, char *err, size_t errlen)
{
    const struct slab_page *d = pg(pool, p);
    uint32_t n = d->run;
    if (n == 0 || p + (uint64_t)n > pool->npages)
        FAIL("run at page %u: bad length %u", p, n);
    for (uint32_t i = 1; i + 1 < n; i++) {
        uint8_t k = pg(pool, p + i)->kind;
        if (k == PAGE_SLAB || k == PAGE_LARGE)
            FAIL("run at page %u: inner page %u has kind %u", p, p + i, k);
    }
    if (d->kind == PAGE_SLAB)
        return check_slab(pool, p, t, err, errlen);
    const struct slab_page *tail = pg(pool, p + n - 1);
    uint8_t want = d->kind == PAGE_FREE ? PAGE_FREE_TAIL : PAGE_INNER;
    if (n > 1 && (tail->kind != want || tail->run != p))
        FAIL("run at page %u (kind %u, %u pages): bad last page", p, d->kind, n);
    if (d->kind == PAGE_LARGE) {
        t->large_live++;
        t->large_pages += n;
        return 0;
    }
    if (d->kind != PAGE_FREE)
        FAIL("page %u: kind %u where a run should start", p, d->kind);
    if (prev_free)
        FAIL("free run at page %u follows another free run", p);
    t->free_runs++;
    return 0;
}

static int check_bins(const struct slab_pool *pool, uint64_t free_runs, char *err, size_t errlen)
{
    uint64_t listed = 0;
    for (unsigned b = 0; b < NBINS; b++) {
        if (!!pool->bins[b] != !!(pool->bin_mask & (1ULL << b)))
            FAIL("bin %u: mask bit disagrees with the list", b);
        uint32_t prev = 0;
        for (uint32_t q = pool->bins[b]; q; prev = q, q = pg(pool, q - 1)->next) {
            const struct slab_page *d = pg(pool, q - 1);
            if (d->kind != PAGE_FREE || bin_of(d->run) != b || d->prev != prev)
                FAIL("bin %u: page %u (kind %u, %u pages) misfiled", b, q - 1, d->kind, d->run);
            if (++listed > free_runs)
                FAIL("bins list more runs than the heap has free runs (%llu)", (unsigned long long)free_runs);
        }
    }
    if (listed != free_runs)
        FAIL("bins list %llu free runs, heap has %llu", (unsigned long long)listed, (unsigned long long)free_runs);
    return 0;
}

static int check_classes(const struct slab_pool *pool, const struct check_totals *t, char *err, size_t errlen)
{
    for (unsigned c = 0; c < NCLASSES; c++) {
        const struct slab_class_state *cs = &pool->cls[c];
        if (cs->nslabs != t->nslabs[c] || cs->live != t->live[c])
            FAIL("class %u: counters say %u slabs %llu live, heap has %llu slabs %llu live", c,
                 cs->nslabs, (unsigned long long)cs->live, (unsigned long long)t->nslabs[c],
                 (unsigned long long)t->live[c]);
        if (t->empty[c] > 1)
            FAIL("class %u: %llu empty slabs", c, (unsigned long long)t->empty[c]);
        uint64_t n = 0;
        uint32_t prev = 0;
        for (uint32_t q = cs->partial; q; prev = q, q = pg(pool, q - 1)->next) {
            const struct slab_page *d = pg(pool, q - 1);
            if (d->kind != PAGE_SLAB || d->cls != c || d->nfree == 0 || d->prev != prev)
                FAIL("class %u: page %u on the partial list is not a partial slab of it", c, q - 1);
            if (++n > t->partial[c])
                break;
        }
        if (n != t->partial[c])
            FAIL("class %u: partial list has %llu slabs, heap has %llu", c,
                 (unsigned long long)n, (unsigned long long)t->partial[c]);
    }
    return 0;
}

int slab_check(char *err, size_t errlen)
{
    const struct slab_pool *pool = pool_get();
    struct check_totals t = { 0 };
    if (pool->magic != POOL_MAGIC)
        FAIL("allocator magic mismatch");
    int prev_free = 0;
    for (uint32_t p = 0; p < pool->npages; p += pg(pool, p)->run) {
        if (check_run(pool, p, prev_free, &t, err, errlen) != 0)
            return -1;
        prev_free = pg(pool, p)->kind == PAGE_FREE;
    }
    if (check_bins(pool, t.free_runs, err, errlen) != 0 || check_classes(pool, &t, err, errlen) != 0)
        return -1;
    if (pool->pages_used != t.slab_pages + t.large_pages || pool->large_live != t.large_live ||
        pool->large_pages != t.large_pages)
        FAIL("counters: pages_used %llu large %llu/%llu pages; heap: slab pages %llu large %llu/%llu",
             (unsigned long long)pool->pages_used, (unsigned long long)pool->large_live,
             (unsigned long long)pool->large_pages, (unsigned long long)t.slab_pages,
             (unsigned long long)t.large_live, (unsigned long long)t.large_pages);
    return 0;
}
