/* tests/unit/test_slab.c - the arena allocator (shm/slab.c) on plain memory.
 *
 * A random run against a model (live allocations with a fill pattern each; overlap,
 * patterns, usable sizes, stats and slab_check verified after every write, some
 * writes rolled back), the size classes, coalescing, per-operation undo cost, misuse
 * detection in forked children, out of memory inside a write, and a heap over 1 GB.
 */
#include <check.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/undo.h"
#include "shm/slab_internal.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64u << 20)

static const size_t class_sizes[] = {
    8, 16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768,
    896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
    10240, 12288, 14336,
};
#define NCLS (sizeof(class_sizes) / sizeof(class_sizes[0]))

static void setup(void) { fixture_arena_open(ARENA_SIZE, 0, 16, 1); }

static void teardown(void)
{
    fixture_arena_close();
    shm_base = NULL;
}

static void check_consistent(void)
{
    char err[256];
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "slab_check: %s", err);
}

static size_t expected_usable(size_t size)
{
    if (size > SLAB_MAX_SIZE)
        return (size + SHM_PAGE_SIZE - 1) & ~(size_t)(SHM_PAGE_SIZE - 1);
    for (size_t i = 0; i < NCLS; i++)
        if (class_sizes[i] >= size)
            return class_sizes[i];
    return 0;
}

static uint64_t heap_end(void)
{
    return shm_header()->heap_off + shm_header()->heap_pages * SHM_PAGE_SIZE;
}

/* ---- the random run ---- */

struct live {
    shm_off_t off;
    size_t size, usable;
    uint8_t seed;
};

#define MAX_LIVE 8192
#define MAX_LIVE_BYTES (24u << 20)
static struct live model[MAX_LIVE];
static size_t nlive;
static uint64_t live_bytes;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void) { return fixture_xorshift(&rng); }

static size_t random_size(void)
{
    unsigned r = rnd() % 100;
    if (r < 70)
        return 1 + rnd() % ((size_t)1 << (1 + rnd() % 9));          /* 1 .. 512 */
    if (r < 90)
        return 513 + rnd() % (SLAB_MAX_SIZE - 512);
    return SLAB_MAX_SIZE + 1 + rnd() % ((size_t)16384 << (rnd() % 7)); /* .. ~1 MB */
}

static void fill(const struct live *l)
{
    uint8_t *p = shm_ptr(l->off);
    for (size_t i = 0; i < l->size; i++)
        p[i] = (uint8_t)(l->seed + i * 7);
}

static void verify(const struct live *l)
{
    const uint8_t *p = shm_ptr(l->off);
    for (size_t i = 0; i < l->size; i++)
        if (p[i] != (uint8_t)(l->seed + i * 7))
            ck_abort_msg("allocation at %llu (%zu bytes) corrupted at byte %zu",
                         (unsigned long long)l->off, l->size, i);
}

static void model_add(struct live l)
{
    ck_assert_uint_lt(nlive, MAX_LIVE);
    model[nlive++] = l;
    live_bytes += l.usable;
}

static struct live model_take(size_t i)
{
    struct live l = model[i];
    model[i] = model[--nlive];
    live_bytes -= l.usable;
    return l;
}

static void random_alloc(shm_off_t *added, size_t *nadded)
{
    struct live l = { .size = random_size(), .seed = (uint8_t)rnd() };
    l.off = shm_alloc(l.size);
    l.usable = shm_alloc_usable(l.off);
    ck_assert_uint_eq(l.usable, expected_usable(l.size));
    ck_assert_uint_eq(l.off % (l.size > SLAB_MAX_SIZE ? SHM_PAGE_SIZE : 8), 0);
    ck_assert(l.off >= shm_header()->heap_off && l.off + l.usable <= heap_end());
    for (size_t i = 0; i < nlive; i++)
        if (l.off < model[i].off + model[i].usable && model[i].off < l.off + l.usable)
            ck_abort_msg("new [%llu,+%zu) overlaps live [%llu,+%zu)", (unsigned long long)l.off,
                         l.usable, (unsigned long long)model[i].off, model[i].usable);
    fill(&l);
    model_add(l);
    added[(*nadded)++] = l.off;
}

/* An allocation of the current write is freed at once (and may be reused by the
 * same write): it simply leaves the model and the write's list of additions.  Older
 * ones are freed at commit, so a rollback brings them back intact. */
static void random_free(struct live *removed, size_t *nremoved, shm_off_t *added, size_t *nadded)
{
    struct live l = model_take(rnd() % nlive);
    verify(&l);
    shm_free(l.off);
    for (size_t a = 0; a < *nadded; a++)
        if (added[a] == l.off) {
            added[a] = added[--*nadded];
            return;
        }
    removed[(*nremoved)++] = l;
}

static void check_stats(void)
{
    struct slab_stats st;
    slab_get_stats(&st);
    ck_assert_uint_eq(st.allocations, nlive);
    ck_assert_uint_eq(st.bytes_allocated, live_bytes);
    ck_assert_uint_eq(st.pages_total, shm_header()->heap_pages);
    ck_assert_uint_le(st.pages_used, st.pages_total);
    ck_assert_uint_ge(st.pages_used * SHM_PAGE_SIZE, st.bytes_allocated);
    ck_assert_uint_eq(st.class_count, NCLS);
}

/* A rolled-back write: its frees never happened, its allocations are gone (an
 * allocation freed in the same write is re-added, then removed). */
static void undo_model(shm_off_t *added, size_t nadded, struct live *removed, size_t nremoved)
{
    for (size_t r = 0; r < nremoved; r++) {
        verify(&removed[r]);
        model_add(removed[r]);
    }
    for (size_t a = 0; a < nadded; a++)
        for (size_t i = 0; i < nlive; i++)
            if (model[i].off == added[a]) {
                model_take(i);
                break;
            }
}

#ifndef NDEBUG
static void verify_junk(const struct live *freed, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        const uint8_t *p = shm_ptr(freed[r].off);
        for (size_t i = 0; i < freed[r].usable; i++)
            if (p[i] != 0x5a)
                ck_abort_msg("freed %llu not junk-filled at %zu", (unsigned long long)freed[r].off, i);
    }
}
#endif

START_TEST(test_random_against_model)
{
    shm_off_t added[8];
    struct live removed[8];
    nlive = 0;
    live_bytes = 0;
    for (int op = 0, w = 0; op < 40000; w++) {
        size_t nadded = 0, nremoved = 0, nops = 1 + rnd() % 4;
        undo_begin();
        for (size_t k = 0; k < nops; k++, op++) {
            int want_free = nlive > 0 && (live_bytes > MAX_LIVE_BYTES || rnd() % 100 < 45);
            if (want_free)
                random_free(removed, &nremoved, added, &nadded);
            else
                random_alloc(added, &nadded);
        }
        if (rnd() % 10 == 0) {
            undo_rollback();
            slab_after_rollback();
            undo_model(added, nadded, removed, nremoved);
        } else {
            fixture_write_commit();
#ifndef NDEBUG
            verify_junk(removed, nremoved);
#endif
        }
        check_consistent();
        check_stats();
        if (w % 500 == 0)
            for (size_t i = 0; i < nlive; i++)
                verify(&model[i]);
    }
    for (size_t i = 0; i < nlive; i++)
        verify(&model[i]);
    undo_begin();
    while (nlive)
        shm_free(model_take(0).off);
    fixture_write_commit();
    check_consistent();
    struct slab_stats st;
    slab_get_stats(&st);
    ck_assert_uint_eq(st.allocations, 0);
    ck_assert_uint_eq(st.bytes_allocated, 0);
    for (unsigned c = 0; c < NCLS; c++) {
        size_t size;
        uint64_t live, slabs;
        ck_assert(slab_class_stats(c, &size, &live, &slabs));
        ck_assert_uint_eq(live, 0);
        ck_assert_uint_le(slabs, 1);    /* at most the one spare slab per class */
    }
}
END_TEST

/* ---- size classes, stats, coalescing, undo cost ---- */

START_TEST(test_size_classes)
{
    for (size_t size = 1; size <= SLAB_MAX_SIZE; size++) {
        undo_begin();
        shm_off_t off = shm_alloc(size);
        ck_assert_uint_eq(shm_alloc_usable(off), expected_usable(size));
        shm_free(off);
        fixture_write_commit();
    }
    undo_begin();
    ck_assert_uint_eq(shm_alloc_usable(shm_alloc(0)), 8);
    ck_assert_uint_eq(shm_alloc_usable(shm_alloc(SLAB_MAX_SIZE + 1)), 4 * SHM_PAGE_SIZE);
    fixture_write_commit();
    for (unsigned c = 0; c < NCLS; c++) {
        size_t size;
        uint64_t live, slabs;
        ck_assert(slab_class_stats(c, &size, &live, &slabs));
        ck_assert_uint_eq(size, class_sizes[c]);
    }
    size_t size;
    uint64_t live, slabs;
    ck_assert(!slab_class_stats(NCLS, &size, &live, &slabs));
    check_consistent();
}
END_TEST

START_TEST(test_class_stats_and_calloc)
{
    undo_begin();
    for (int i = 0; i < 1000; i++) {
        shm_off_t off = shm_calloc(100);
        const uint8_t *p = shm_ptr(off);
        for (int j = 0; j < 100; j++)
            ck_assert_uint_eq(p[j], 0);
    }
    fixture_write_commit();
    size_t size;
    uint64_t live, slabs;
    ck_assert(slab_class_stats(7, &size, &live, &slabs));
    ck_assert_uint_eq(size, 112);
    ck_assert_uint_eq(live, 1000);
    ck_assert_uint_eq(slabs, 4);        /* 112-byte slabs: 7 pages, 256 objects */
    struct slab_stats st;
    slab_get_stats(&st);
    ck_assert_uint_eq(st.pages_used, 4 * 7);
    ck_assert_uint_eq(st.bytes_allocated, 112000);
    check_consistent();
}
END_TEST

START_TEST(test_coalescing)
{
    uint64_t heap_bytes = shm_header()->heap_pages * SHM_PAGE_SIZE;
    shm_off_t r[6];
    undo_begin();
    for (int i = 0; i < 6; i++)
        r[i] = shm_alloc(100000 + i * 5000);
    fixture_write_commit();
    undo_begin();                       /* free in an order that merges left, right, both */
    shm_free(r[1]);
    shm_free(r[3]);
    shm_free(r[2]);
    shm_free(r[0]);
    shm_free(r[5]);
    shm_free(r[4]);
    fixture_write_commit();
    check_consistent();
    undo_begin();                       /* only one run can serve the whole heap */
    shm_off_t all = shm_alloc(heap_bytes);
    ck_assert_uint_eq(all, shm_header()->heap_off);
    shm_free(all);
    fixture_write_commit();
    check_consistent();
}
END_TEST

START_TEST(test_small_ops_log_little)
{
    undo_begin();
    shm_off_t a = shm_alloc(40);        /* makes the slab */
    fixture_write_commit();
    undo_begin();
    uint64_t before = undo_used();
    shm_off_t b = shm_alloc(40);
    ck_assert_uint_le(undo_used() - before, 3 * 24);    /* bitmap word, nfree, class count */
    shm_free(a);
    shm_free(b);
    uint64_t at_commit = undo_used();
    slab_free_locked(a);                /* what commit does: the slab stays partial */
    ck_assert_uint_le(undo_used() - at_commit, 3 * 24);
    undo_rollback();
    slab_after_rollback();
    check_consistent();
}
END_TEST

/* ---- misuse: each case runs in a child that must abort with a message ---- */

static void expect_abort(void (*fn)(void), const char *message)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    char out[1024];
    ssize_t n, len = 0;
    while ((n = read(fds[0], out + len, sizeof(out) - 1 - (size_t)len)) > 0)
        len += n;
    out[len] = 0;
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
                  "child did not abort (status %d), stderr: %s", status, out);
    ck_assert_msg(strstr(out, message) != NULL, "expected \"%s\" in: %s", message, out);
}

static shm_off_t live_small(void)
{
    undo_begin();
    shm_off_t off = shm_alloc(32);
    fixture_write_commit();
    return off;
}

static shm_off_t live_large(void)
{
    undo_begin();
    shm_off_t off = shm_alloc(5 * SHM_PAGE_SIZE);   /* above SLAB_MAX_SIZE */
    fixture_write_commit();
    return off;
}

static void double_free_across_writes(void)
{
    shm_off_t a = live_small();
    undo_begin();
    shm_free(a);
    fixture_write_commit();
    undo_begin();
    shm_free(a);
}

static void double_free_in_one_write(void)
{
    shm_off_t a = live_small();
    undo_begin();
    shm_free(a);
    shm_free(a);
    fixture_write_commit();
}

static void free_inside_object(void)
{
    shm_off_t a = live_small();
    undo_begin();
    shm_free(a + 8);
}

static void free_below_heap(void)
{
    undo_begin();
    shm_free(shm_header()->heap_off - 8);
}

static void free_past_heap(void)
{
    undo_begin();
    shm_free(heap_end());
}

static void free_inside_large(void)
{
    shm_off_t a = live_large();
    undo_begin();
    shm_free(a + SHM_PAGE_SIZE);
}

static void free_large_twice(void)
{
    shm_off_t a = live_large();
    undo_begin();
    shm_free(a);
    fixture_write_commit();
    undo_begin();
    shm_free(a);
}

static void free_in_free_pages(void)
{
    live_small();
    undo_begin();
    shm_free(shm_header()->heap_off + 100 * SHM_PAGE_SIZE);
}

static void usable_of_freed(void)
{
    shm_off_t a = live_small();
    undo_begin();
    shm_free(a);
    fixture_write_commit();
    shm_alloc_usable(a);
}

START_TEST(test_misuse_aborts)
{
    expect_abort(double_free_across_writes, "double free");
    expect_abort(double_free_in_one_write, "double free");
    expect_abort(free_inside_object, "not the start");
    expect_abort(free_below_heap, "outside the heap");
    expect_abort(free_past_heap, "outside the heap");
    expect_abort(free_inside_large, "not the start");
    expect_abort(free_large_twice, "not the start of a live allocation");
    expect_abort(free_in_free_pages, "not the start of a live allocation");
    expect_abort(usable_of_freed, "double free");
    /* the parent's arena is untouched by its children's failures */
    check_consistent();
}
END_TEST

/* ---- out of memory ---- */

static char *copy_meta(void)
{
    const struct shm_header *h = shm_header();
    size_t n = h->heap_off - h->alloc_off;
    char *copy = malloc(n);
    memcpy(copy, shm_base + h->alloc_off, n);
    return copy;
}

static void assert_meta_equal(const char *copy)
{
    const struct shm_header *h = shm_header();
    ck_assert_msg(memcmp(copy, shm_base + h->alloc_off, h->heap_off - h->alloc_off) == 0,
                  "allocator metadata differs after rollback");
}

START_TEST(test_oom_rolls_back)
{
    shm_off_t keep = live_small();
    live_large();
    char *before = copy_meta();
    jmp_buf guard;
    volatile int n = 0;
    undo_guard = &guard;
    int why = setjmp(guard);
    if (why == 0) {
        undo_begin();
        shm_free(keep);
        for (int i = 0; i < 100; i++)
            shm_alloc(1 + i);
        for (;;) {
            shm_alloc(1 << 20);
            n++;
        }
    }
    undo_guard = NULL;
    ck_assert_int_eq(why, UNDO_ABORT_OOM);
    ck_assert(!undo_in_write());
    ck_assert_uint_eq(undo_used(), 0);
    ck_assert_int_gt(n, 40);
    assert_meta_equal(before);
    check_consistent();
    ck_assert_uint_eq(shm_alloc_usable(keep), 32);     /* the deferred free was forgotten */
    free(before);
}
END_TEST

/* One allocation per write until the heap is exhausted, large then small. */
static unsigned fill_heap(size_t size)
{
    jmp_buf guard;
    volatile unsigned n = 0;
    undo_guard = &guard;
    if (setjmp(guard) == 0)
        for (;;) {
            undo_begin();
            shm_alloc(size);
            fixture_write_commit();
            n++;
        }
    undo_guard = NULL;
    return n;
}

START_TEST(test_oom_when_full)
{
    ck_assert_uint_gt(fill_heap(1 << 20), 0);
    ck_assert_uint_gt(fill_heap(3 * SHM_PAGE_SIZE), 0);
    fill_heap(SLAB_MAX_SIZE + 1);
    ck_assert_uint_gt(fill_heap(64), 0);
    check_consistent();
    struct slab_stats st;
    slab_get_stats(&st);
    ck_assert_uint_eq(st.pages_used, st.pages_total);
    char *before = copy_meta();
    ck_assert_uint_eq(fill_heap((size_t)1 << 40), 0);   /* larger than the heap */
    assert_meta_equal(before);
    free(before);
}
END_TEST

/* ---- a heap over 1 GB (sparse: only touched pages cost memory) ---- */

START_TEST(test_big_heap)
{
    teardown();
    fixture_arena_open((size_t)3 << 30, 0, 16, 1);
    ck_assert_uint_gt(shm_header()->heap_pages, (1u << 30) / SHM_PAGE_SIZE);
    shm_off_t small[1000];
    undo_begin();
    shm_off_t big = shm_alloc((size_t)3 << 29);         /* 1.5 GB */
    for (int i = 0; i < 1000; i++)
        small[i] = shm_alloc(16 + i);
    memset(shm_ptr(big), 1, 4096);
    memset((char *)shm_ptr(big) + ((size_t)3 << 29) - 4096, 2, 4096);
    fixture_write_commit();
    check_consistent();
    undo_begin();
    shm_free(big);
    for (int i = 0; i < 1000; i += 2)
        shm_free(small[i]);
    undo_commit();                      /* no junk-filling of 1.5 GB */
    slab_after_rollback();
    check_consistent();
}
END_TEST

static Suite *slab_suite(void)
{
    Suite *s = suite_create("slab");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_random_against_model);
    tcase_add_test(tc, test_size_classes);
    tcase_add_test(tc, test_class_stats_and_calloc);
    tcase_add_test(tc, test_coalescing);
    tcase_add_test(tc, test_small_ops_log_little);
    tcase_add_test(tc, test_misuse_aborts);
    tcase_add_test(tc, test_oom_rolls_back);
    tcase_add_test(tc, test_oom_when_full);
    tcase_add_test(tc, test_big_heap);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(slab_suite());
}
