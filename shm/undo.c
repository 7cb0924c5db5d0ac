/* shm/undo.c - the undo log (see shm/undo.h for the contract).
 *
 * Records (struct undo_record, shm/undo.h) are appended by undo_save, inline in
 * the header; this file has its rare path (full log, test hook), commit and rollback.
 * Appending: the record is written past 'used', then 'used' grows (release fence),
 * and only then does the caller change the bytes.  A crash between the two leaves a
 * record whose bytes equal the current ones: rolling it back is harmless.
 *
 * Deferred frees are kept in this process's private memory: if the process dies the
 * write is rolled back and the frees must not happen anyway.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/undo.h"
#include "shm/alloc.h"
#include "shm/slab_internal.h"

jmp_buf *undo_guard;

static int in_write;
static shm_off_t *deferred;
static size_t deferred_len, deferred_cap;
long undo_crash_countdown = -1;
static void (*crash_fn)(void);
static void (*end_hook)(int committed);

void undo_set_end_hook(void (*fn)(int committed)) { end_hook = fn; }

static inline struct shm_undo_state *undo_state(void) { return &shm_header()->undo; }
static inline char *undo_region(void) { return shm_base + shm_header()->undo_off; }

void undo_begin(void)
{
    if (undo_state()->used != 0) {
        fprintf(stderr, "undo_begin: log not empty (%llu bytes): a write is already open\n",
                (unsigned long long)undo_state()->used);
        abort();
    }
    in_write = 1;
    deferred_len = 0;
}

int undo_in_write(void) { return in_write; }
uint64_t undo_used(void) { return undo_state()->used; }

/* The test hook's countdown, then the record - or the abort of a write whose log is
 * full. */
void undo_save_rare(const void *addr, size_t len, uint64_t need)
{
    if (undo_crash_countdown >= 0 && undo_crash_countdown-- == 0) {
        undo_crash_countdown = -1;
        if (crash_fn)
            crash_fn();
        else
            raise(SIGKILL);
    }
    if (undo_state()->used + need > undo_state()->capacity)
        undo_abort(UNDO_ABORT_LOG_FULL);
    undo_append(addr, len, need);
}

/* 'used' only grows within a write, so its largest value is seen when the write ends. */
static void note_high_water(struct shm_undo_state *st)
{
    if (st->used > st->high_water)
        st->high_water = st->used;
}

void undo_defer_free(shm_off_t off)
{
    if (deferred_len == deferred_cap) {
        deferred_cap = deferred_cap ? deferred_cap * 2 : 64;
        deferred = realloc(deferred, deferred_cap * sizeof(*deferred));
        if (!deferred) {
            fprintf(stderr, "undo_defer_free: out of private memory\n");
            abort();
        }
    }
    deferred[deferred_len++] = off;
}

void undo_commit(void)
{
    for (size_t i = 0; i < deferred_len; i++)
        slab_free_locked(deferred[i]);
    deferred_len = 0;
    note_high_water(undo_state());
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&undo_state()->used, 0, __ATOMIC_RELEASE);
    in_write = 0;
    slab_after_commit();
    if (end_hook)
        end_hook(1);
}

/* Records are variable length, so walk forward once to find their starts, then
 * apply them newest first.  The starts are collected in private memory. */
void undo_rollback(void)
{
    struct shm_undo_state *st = undo_state();
    char *log = undo_region();
    uint64_t used = st->used;
    size_t n = 0, cap = 256;
    uint64_t *starts = malloc(cap * sizeof(*starts));

    for (uint64_t pos = 0; pos < used;) {
        if (n == cap)
            starts = realloc(starts, (cap *= 2) * sizeof(*starts));
        if (!starts) {
            fprintf(stderr, "undo_rollback: out of private memory\n");
            abort();
        }
        starts[n++] = pos;
        const struct undo_record *rec = (const struct undo_record *)(log + pos);
        pos += sizeof(*rec) + ((rec->len + 7) & ~(uint64_t)7);
    }
    while (n > 0) {
        const struct undo_record *rec = (const struct undo_record *)(log + starts[--n]);
        memcpy(shm_base + rec->off, (const char *)rec + sizeof(*rec), rec->len);
    }
    free(starts);
    deferred_len = 0;
    note_high_water(st);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&st->used, 0, __ATOMIC_RELEASE);
    in_write = 0;
    slab_after_rollback();
    if (end_hook)
        end_hook(0);
}

void undo_abort(enum undo_abort_reason why)
{
    undo_rollback();
    if (undo_guard)
        longjmp(*undo_guard, (int)why);
    fprintf(stderr, "undo_abort: write aborted (%s) with no guard\n",
            why == UNDO_ABORT_OOM ? "arena out of memory" : "undo log full");
    abort();
}

void undo_test_crash_after(long n, void (*fn)(void))
{
    undo_crash_countdown = n;
    crash_fn = fn;
}
